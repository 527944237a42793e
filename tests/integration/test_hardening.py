"""Hardening for a shop on the internet: secrets by permission, key regeneration, the
webhook URL from the shop's own address, floods that cost no database work, a capped
queue for unknown orders (test_flood.py)."""
import json

import pytest

from harness.order_helpers import fresh_shop, webhook, cron
from conftest import Admin

VIEWER = "4"     # the harness's read-only group: access, no modify


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    fresh_shop(db, fake, server, admin)


def keys(db):
    return db.setting("webhook_key"), db.setting("cron_key")


# -- secrets by permission ----------------------------------------------------------

GET_ROUTES = ["/reverb/admin/status", "/reverb/admin/settings", "/reverb/admin/categories",
              "/reverb/admin/conditions", "/reverb/admin/category-map", "/reverb/admin/product/5201",
              "/reverb/admin/sync", "/reverb/admin/webhooks", "/reverb/admin/log"]


def test_a_viewer_sees_that_keys_exist_but_never_the_keys(db, server, admin):
    assert admin.post(server, "/reverb/admin/webhooks", {}).status == 200   # URLs with keys at Reverb
    wk, ck = keys(db)
    viewer = Admin(db, user_id=VIEWER)
    for path in GET_ROUTES:
        r = viewer.get(server, path)
        assert r.status == 200, (path, r)
        assert wk not in r.body.decode() and ck not in r.body.decode(), path
    s = viewer.get(server, "/reverb/admin/settings").json["settings"]
    assert s["keys_visible"] is False and s["webhook_key_set"] is True and s["cron_key_set"] is True
    assert s["cron_url"] is None and s["webhook_url"] is None
    hooks = viewer.get(server, "/reverb/admin/webhooks").json
    assert hooks["webhook_url"] is None
    assert hooks["registrations"] and all(x["url"].endswith("key=(hidden)") for x in hooks["registrations"])
    # a user who may change settings sees them
    s = admin.get(server, "/reverb/admin/settings").json["settings"]
    assert s["keys_visible"] is True and s["cron_url"].endswith("/reverb/cron?key=" + ck)
    assert admin.get(server, "/reverb/admin/webhooks").json["webhook_url"].endswith("key=" + wk)


def test_a_viewer_cannot_regenerate_keys(db, server):
    before = keys(db)
    r = Admin(db, user_id=VIEWER).post(server, "/reverb/admin/keys/regenerate", {})
    assert r.status == 403 and r.error_code == "forbidden"
    assert keys(db) == before


def test_regenerate_keys_refuses_the_old_ones_at_once_and_registers_again(db, fake, server, admin):
    assert admin.post(server, "/reverb/admin/webhooks", {}).status == 200
    old_wk, old_ck = keys(db)
    # the old keys work (and are remembered by the processes)
    assert cron(server, db).status == 200
    assert webhook(server, db, {"order_number": "1"}).status == 202
    r = admin.post(server, "/reverb/admin/keys/regenerate", {})
    assert r.status == 200, r
    new_wk, new_ck = keys(db)
    assert new_wk != old_wk and new_ck != old_ck
    assert r.json["settings"]["cron_url"].endswith("key=" + new_ck)
    assert r.json["webhooks"]["registered"] is True, r.json
    # refused at once, by every process (each accepted request checks the database)
    for _ in range(10):
        assert webhook(server, db, {"order_number": "1"}, key=old_wk).status == 403
        assert cron(server, db, key=old_ck).status == 403
    assert cron(server, db, key=new_ck).status == 200
    # Reverb now delivers to the new key only
    urls = [w["url"] for w in fake.state()["webhooks"]]
    assert len(urls) == 3 and all(u.endswith("key=" + new_wk) for u in urls), urls
    assert not any(old_wk in json.dumps(w) for w in fake.state()["webhooks"])


def test_cron_key_in_a_header(db, server):
    _, ck = keys(db)
    assert server.get("/reverb/cron", headers={"X-Reverb-Cron-Key": ck}).status == 200
    # a key one character off (the real key may itself end in "0": 1 run in 16 it did)
    wrong = ck[:-1] + ("1" if ck.endswith("0") else "0")
    r = server.get("/reverb/cron", headers={"X-Reverb-Cron-Key": wrong})
    assert r.status == 403 and r.error_code == "forbidden"
    assert server.get("/reverb/cron").status == 403


def test_the_admin_script_sends_the_session_token_in_a_header(server):
    js = server.get("/reverb/admin/assets/reverb-admin.js").body.decode()
    assert "'X-OC-User-Token': this.token" in js
    assert "'user_token=' + encodeURIComponent(this.token)" not in js.split("App.prototype.api")[1] \
        .split("App.prototype.expired")[0]


# -- the webhook URL is the shop's public address ------------------------------------

def test_the_registered_url_comes_from_the_shop_address_not_the_host_header(db, fake, server, admin):
    r = server.post(admin.path("/reverb/admin/webhooks"), {}, cookie=admin.cookie,
                    headers={"Host": "attacker.example"})
    assert r.status == 200, r
    urls = {w["url"] for w in fake.state()["webhooks"]}
    assert urls == {"https://shop.example.com/reverb/webhook?key=" + db.setting("webhook_key")}
    assert "warning" not in r.json


def test_no_shop_address_refuses_to_register(db, fake, server, admin):
    assert admin.post(server, "/reverb/admin/settings", {"store_url": ""}).status == 200
    r = admin.post(server, "/reverb/admin/webhooks", {})
    assert r.status == 409 and r.error_code == "no_shop_address", r
    assert "Store URL" in r.json["error"]["message"]
    assert fake.state()["webhooks"] == []
    # listing still works and says what is wrong
    g = admin.get(server, "/reverb/admin/webhooks").json
    assert "Store URL" in g["address_problem"]


def test_an_http_shop_registers_with_a_plain_warning(db, fake, server, admin):
    assert admin.post(server, "/reverb/admin/settings",
                      {"store_url": "http://shop.example.com:8080/shop/"}).status == 200
    r = admin.post(server, "/reverb/admin/webhooks", {})
    assert r.status == 200, r
    assert "unencrypted" in r.json["warning"]
    assert {w["url"] for w in fake.state()["webhooks"]} == \
        {"http://shop.example.com:8080/reverb/webhook?key=" + db.setting("webhook_key")}


def test_lookups_before_a_token_say_so_and_ask_nothing_of_reverb(db, fake, server, admin):
    db.execute("DELETE FROM oc_setting WHERE `key` = 'module_reverb_token'")
    db.execute("DELETE FROM oc_reverb_cache")
    fake.clear_requests()
    for path in ("/reverb/admin/conditions", "/reverb/admin/categories"):
        r = admin.get(server, path)
        assert r.status == 400 and r.error_code == "no_token", (path, r)
        assert "Enter your Reverb token" in r.json["error"]["message"]
    assert fake.requests() == []
