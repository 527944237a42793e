"""Hostile input: SQL metacharacters and UTF-8 edge cases round-trip unchanged,
query parameters are validated, the token never leaks."""
import pytest

from harness.shop import reset, ensure_category, add_product, configure, enable, by_sku
from harness.util import wait_until

TOKEN = "s3cr3t-Tok3n-never-shown-9f8e"
NASTY_NAME = "Robert'); DROP TABLE oc_product; -- %s %d \\ \"quoted\" é\u0301 🎸"
NASTY_SKU = "O'Reilly\"1\";--%"


def test_sql_metacharacters_round_trip(db, fake, server, admin):
    ensure_category(db)
    reset(db, fake)
    # stored the way OpenCart stores posted text (htmlspecialchars, ENT_COMPAT)
    stored = NASTY_NAME.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    add_product(db, 5401, stored, NASTY_SKU.replace('"', "&quot;"), "10.0000", 2)
    configure(admin, server)
    enable(admin, server, 5401)
    admin.post(server, "/reverb/admin/product/5401/sync", {})
    wait_until(lambda: db.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                " WHERE product_id = 5401"), timeout=15, what="push")
    listing = by_sku(fake.listings())[NASTY_SKU]
    assert listing["title"] == NASTY_NAME
    assert db.value("SELECT COUNT(*) FROM oc_product") > 0          # the table is still there
    lookups = [r for r in fake.requests() if r["path"] == "/api/my/listings"]
    assert all("sku=" in r["query"] for r in lookups)
    p = admin.get(server, "/reverb/admin/product/5401").json["product"]
    assert p["name"] == NASTY_NAME


@pytest.mark.parametrize("query", ["status=%27%20OR%201=1%20--", "direction=push%27", "page=-1",
                                   "per_page=100000", "product_id=1%20OR%201=1", "page=1e3"])
def test_log_query_parameters_are_validated(server, admin, query):
    r = admin.get(server, "/reverb/admin/log?" + query)
    assert r.status == 400 and r.error_code == "invalid_request", (query, r)


@pytest.mark.parametrize("path", ["/reverb/admin/product/1%20OR%201=1", "/reverb/admin/product/-1",
                                  "/reverb/admin/product/99999999999999", "/reverb/admin/orders/x/ship"])
def test_path_parameters_must_be_numbers(server, admin, path):
    assert admin.get(server, path).status == 404


def test_token_never_leaves_the_server(db, fake, server, admin):
    r = admin.post(server, "/reverb/admin/settings", {"token": TOKEN, "status": 1})
    assert r.status == 200
    bodies = [r.body]
    for path in ("/reverb/admin/settings", "/reverb/admin/status", "/reverb/admin/log",
                 "/reverb/admin/webhooks", "/reverb/admin/categories"):
        bodies.append(admin.get(server, path).body)
    bodies.append(admin.post(server, "/reverb/admin/test-connection", {}).body)   # fake refuses it
    assert all(TOKEN.encode() not in b for b in bodies)
    assert TOKEN not in server.error_log()
    # and it did reach Reverb, in the Authorization header only
    assert any(r["headers"]["authorization"] == "Bearer " + TOKEN for r in fake.requests())
    admin.post(server, "/reverb/admin/settings", {"token": "test-token"})
