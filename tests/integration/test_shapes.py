"""Issue 9 items 7, 9, 12: Reverb's answers as they really are, answers of the
wrong shape, and what from Reverb may reach a page or an API path.

Wrong shapes are served by the fake's "shape" fault. json-c aborts the
process on a wrong type, so every test also checks that no Apache child died
(the error log would say "exit signal")."""
import json

import pytest

from harness.shop import reset, ensure_category, add_product, configure, enable
from harness.order_helpers import clean_orders, import_now, log_messages
from harness.util import wait_until

PEDALS = "fa10f97c-dd98-4a8f-933b-8cb55eb653dd"
DISTORTION = "732e30f0-21cf-4960-a3d4-bb90c68081eb"
DELAY = "69a7e38f-0ce1-4b4d-8ce6-2a4e5ef8d0e7"
CRASH = ("exit signal", "Segmentation fault", "AddressSanitizer")


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    ensure_category(db)
    reset(db, fake)
    clean_orders(db)
    configure(admin, server)
    yield
    fake.faults([])


def no_crash(server):
    log = server.error_log()
    assert not any(c in log for c in CRASH), log[-3000:]


def shape(fake, path_regex, method="GET", **how):
    """From now on, answers to path_regex come in the shape given
    (body=replacement JSON, set={dotted.path: value}, raw=text)."""
    rule = {"kind": "shape", "method": method, "path_regex": path_regex}
    rule.update(how)
    fake.faults([rule])


def bad_gateway(r):
    """A 502 JSON answer with a plain-words message."""
    assert r.status == 502, r
    err = json.loads(r.body)["error"]
    assert err["code"] and len(err["message"]) > 20, err
    return err


# ---- item 7: categories as Reverb sends them ----------------------------------

def test_category_groups_follow_root_uuid_and_root_names(server, admin):
    r = admin.get(server, "/reverb/admin/categories")
    assert r.status == 200, r
    groups = {g["root"]: g for g in r.json["groups"]}
    assert "Effects and Pedals / Distortion" not in groups          # a sub is not a group
    pedals = groups["Effects and Pedals"]
    assert pedals["root_uuid"] == PEDALS
    assert [c["uuid"] for c in pedals["categories"]] == [PEDALS, DISTORTION, DELAY]
    names = {c["uuid"]: c["full_name"] for c in pedals["categories"]}
    assert names[DISTORTION] == "Effects and Pedals / Distortion"
    assert len(r.json["groups"]) == 8                                # the fake has 8 roots


def test_category_groups_without_root_first_or_at_all(fake, server, admin):
    shape(fake, r"^/api/categories/flat$", body={"categories": [
        {"uuid": "s1", "name": "Solid Body", "full_name": "Electric Guitars / Solid Body",
         "root_uuid": "r1"},
        {"uuid": "r1", "name": "Electric Guitars", "full_name": "Electric Guitars", "root_uuid": "r1"},
        {"uuid": "s2", "name": "Combos", "full_name": "Amps / Combos", "root_uuid": "r-missing"},
        {"uuid": "x", "full_name": "Odd", "root_uuid": 7},
        {"name": "no uuid"}, "text", None]})
    r = admin.get(server, "/reverb/admin/categories")
    assert r.status == 200, r
    got = [(g["root"], g["root_uuid"], [c["uuid"] for c in g["categories"]]) for g in r.json["groups"]]
    assert got == [("Electric Guitars", "r1", ["s1", "r1"]), ("Amps", "r-missing", ["s2"]),
                   ("Odd", "x", ["x"])]
    no_crash(server)


# ---- item 9: unexpected answers never crash Apache ------------------------------

@pytest.mark.parametrize("body", [{"categories": {"uuid": PEDALS}}, {"categories": "all"},
                                  ["categories"], "categories", {"nothing": []}])
def test_categories_of_the_wrong_shape_are_a_502_not_a_crash(db, fake, server, admin, body):
    shape(fake, r"^/api/categories/flat$", body=body)
    r = admin.get(server, "/reverb/admin/categories")
    bad_gateway(r)
    assert "unexpected shape" in r.body.decode()
    assert not db.value("SELECT COUNT(*) FROM oc_reverb_cache WHERE name = 'categories'")  # not cached
    no_crash(server)
    fake.faults([])
    assert admin.get(server, "/reverb/admin/categories").status == 200
    assert db.value("SELECT COUNT(*) FROM oc_reverb_cache WHERE name = 'categories'") == 1


def test_a_cached_bad_categories_answer_is_fetched_again(db, fake, server, admin):
    db.execute("REPLACE INTO oc_reverb_cache (name, value, expires_at)"
               " VALUES ('categories', %s, NOW() + INTERVAL 24 HOUR)",
               (json.dumps({"categories": {"uuid": "x"}}),))
    for _ in range(3):                                   # every page view, not only the first
        r = admin.get(server, "/reverb/admin/categories")
        assert r.status == 200, r
        assert any(g["root"] == "Effects and Pedals" for g in r.json["groups"])
    cached = json.loads(db.value("SELECT value FROM oc_reverb_cache WHERE name = 'categories'"))
    assert isinstance(cached["categories"], list)
    no_crash(server)


@pytest.mark.parametrize("body", [{"conditions": {"uuid": "x"}}, {"conditions": "Brand New"}, [1]])
def test_conditions_of_the_wrong_shape_are_a_502(fake, server, admin, body):
    shape(fake, r"^/api/listing_conditions$", body=body)
    bad_gateway(admin.get(server, "/reverb/admin/conditions"))
    no_crash(server)


@pytest.mark.parametrize("body", [["shop"], "Fake shop", 42])
def test_account_answer_of_the_wrong_shape_is_a_502(fake, server, admin, body):
    shape(fake, r"^/api/my/account$", body=body)
    r = admin.post(server, "/reverb/admin/test-connection", {})
    bad_gateway(r)
    no_crash(server)


@pytest.mark.parametrize("body", [{"registrations": {"id": 1}}, {"registrations": "none"}, "x"])
def test_webhook_list_of_the_wrong_shape_is_a_502_and_registers_nothing(fake, server, admin, body):
    shape(fake, r"^/api/webhooks/registrations$", body=body)
    bad_gateway(admin.get(server, "/reverb/admin/webhooks"))
    bad_gateway(admin.post(server, "/reverb/admin/webhooks", {}))
    assert not [r for r in fake.requests() if r["method"] == "POST"
                and r["path"] == "/api/webhooks/registrations"]
    no_crash(server)


def test_listings_of_the_wrong_shape_are_a_sync_log_error_and_create_nothing(db, fake, server, admin):
    add_product(db, 5601, "Shape Pedal", "SHAPE-1", "50.0000", 2)
    shape(fake, r"^/api/my/listings$", body={"listings": "SHAPE-1", "total": 1})
    enable(admin, server, 5601)
    admin.post(server, "/reverb/admin/product/5601/sync", {})
    wait_until(lambda: any("unexpected shape" in m for m in log_messages(admin, server)),
               timeout=20, what="a sync-log error")
    # a list that cannot be read is not "no listing with this SKU": nothing is created
    assert not [r for r in fake.requests() if r["method"] == "POST" and r["path"] == "/api/listings"]
    assert fake.listings() == []
    no_crash(server)


def test_order_list_of_the_wrong_shape_is_logged_and_the_watermark_kept(db, fake, server, admin):
    fake.seed_order(order_number="7701", sku="SHAPE-1")
    db.execute("DELETE FROM oc_setting WHERE `key` = 'module_reverb_order_last_sync'")
    shape(fake, r"^/api/my/orders/selling/all$", body={"orders": {"0": {"order_number": "7701"}}})
    bad_gateway(admin.post(server, "/reverb/admin/orders/import", {}))
    assert any("order list could not be read" in m and "unexpected shape" in m
               for m in log_messages(admin, server))
    assert db.setting("order_last_sync") in (None, "")    # the next poll reads the same orders
    no_crash(server)


def test_order_amount_of_the_wrong_shape_is_a_logged_error(db, fake, server, admin):
    fake.seed_order(order_number="7702", sku="SHAPE-1")
    shape(fake, r"^/api/my/orders/selling/", set={"orders.*.amount_product.amount": ["100.00"],
                                                  "orders.*.amount_product.amount_cents": None,
                                                  "amount_product.amount": ["100.00"],
                                                  "amount_product.amount_cents": None})
    r = import_now(admin, server)
    assert r["imported"] == 0 and r["failed"] >= 1, r
    assert any("7702" in m or "could not be read" in m for m in log_messages(admin, server))
    assert not db.value("SELECT COUNT(*) FROM oc_order WHERE user_agent = 'mod_reverb'")
    no_crash(server)


# ---- item 12: nothing from Reverb reaches a page or a path unchecked -------------------

def test_a_listing_id_that_is_not_digits_is_never_stored_or_used(db, fake, server, admin):
    add_product(db, 5602, "Path Pedal", "PATH-1", "50.0000", 2)
    shape(fake, r"^/api/listings$", method="POST", set={"listing.id": "1/../../my/account"})
    enable(admin, server, 5602)
    admin.post(server, "/reverb/admin/product/5602/sync", {})
    wait_until(lambda: any("no listing id" in m for m in log_messages(admin, server)),
               timeout=20, what="a sync-log error")
    assert db.value("SELECT reverb_listing_id FROM oc_reverb_product_map WHERE product_id = 5602") is None
    assert not [r for r in fake.requests() if ".." in r["path"] or "my/account" in r["path"]]
    no_crash(server)


@pytest.mark.parametrize("href", ["javascript:alert(1)", "https://evil.example/item/1",
                                  "https://reverb.com/item/1\"><script>", "//reverb.com.evil/x",
                                  "https://reverb.com.evil.example/item/1"])
def test_listing_links_are_only_reverb_com(db, fake, server, admin, href):
    add_product(db, 5603, "Link Pedal", "LINK-1", "50.0000", 2)
    shape(fake, r"^/api/listings$", method="POST", set={"listing._links.web.href": href})
    enable(admin, server, 5603)
    admin.post(server, "/reverb/admin/product/5603/sync", {})
    wait_until(lambda: db.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                " WHERE product_id = 5603"), timeout=20, what="the push")
    lid = db.value("SELECT reverb_listing_id FROM oc_reverb_product_map WHERE product_id = 5603")
    assert lid.isdigit()
    stored = db.value("SELECT listing_url FROM oc_reverb_product_map WHERE product_id = 5603")
    assert stored == "https://reverb.com/item/" + lid
    p = admin.get(server, "/reverb/admin/product/5603").json["product"]
    assert p["listing_url"] == "https://reverb.com/item/" + lid
    no_crash(server)


def test_a_bad_stored_link_is_not_shown(db, fake, server, admin):
    add_product(db, 5604, "Old Pedal", "OLD-1", "50.0000", 2)
    enable(admin, server, 5604)
    db.execute("UPDATE oc_reverb_product_map SET reverb_listing_id = '4242',"
               " listing_url = 'javascript:alert(document.cookie)' WHERE product_id = 5604")
    db.execute("INSERT INTO oc_reverb_sync_log (product_id, direction, status, action, message,"
               " reverb_listing_id, created_at) VALUES (5604, 'push', 'success', 'update', 'x',"
               " '4242', NOW(3))")
    p = admin.get(server, "/reverb/admin/product/5604").json["product"]
    assert p["listing_url"] == "https://reverb.com/item/4242"
    entries = admin.get(server, "/reverb/admin/log?product_id=5604").json["entries"]
    assert entries and all(e["listing_url"] == "https://reverb.com/item/4242" for e in entries)



def test_a_log_entry_links_its_own_listing_only(db, server, admin):
    """A push refused before any listing existed linked the product's later listing ("Cannot
    list this product: no SKU ... View on Reverb", seen on a real OpenCart 3 shop): an entry
    links the listing it is about, with the map's address only when it is that listing."""
    add_product(db, 5605, "Linked Pedal", "LNK-1", "50.0000", 2)
    db.execute("INSERT INTO oc_reverb_product_map (product_id, reverb_listing_id, sync_enabled,"
               " listing_url) VALUES (5605, '4243', 1, 'https://reverb.com/au/item/4243-linked-pedal')")
    for lid, msg in ((None, "refused"), ("4100", "older listing"), ("4243", "this listing")):
        db.execute("INSERT INTO oc_reverb_sync_log (product_id, direction, status, action, message,"
                   " reverb_listing_id, created_at) VALUES (5605, 'push', %s, 'map', %s, %s, NOW(3))",
                   ("error" if lid is None else "success", msg, lid))
    entries = admin.get(server, "/reverb/admin/log?product_id=5605").json["entries"]
    links = {e["message"]: e["listing_url"] for e in entries}
    assert links == {"refused": None, "older listing": "https://reverb.com/item/4100",
                     "this listing": "https://reverb.com/au/item/4243-linked-pedal"}

@pytest.mark.parametrize("lid", ["abc", "12-slug", "0", "1_2"])
def test_a_webhook_listing_id_must_be_digits(db, server, lid):
    key = db.setting("webhook_key")
    r = server.post("/reverb/webhook?key=" + key, body={"listing": {"id": lid}},
                    headers={"X-Reverb-Topic": "listings/update"})
    assert r.status == 400, r
    assert not db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE kind = 'pull'")


@pytest.mark.parametrize("body", [["listing"], "listing", {"listing": [1]}])
def test_a_listing_answer_of_the_wrong_shape_is_a_sync_log_error(db, fake, server, admin, body):
    add_product(db, 5605, "Pull Pedal", "PULLS-1", "50.0000", 2)
    configure(admin, server, sync_mode="both_ways")
    enable(admin, server, 5605)
    admin.post(server, "/reverb/admin/product/5605/sync", {})
    wait_until(lambda: db.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                " WHERE product_id = 5605"), timeout=20, what="the push")
    lid = db.value("SELECT reverb_listing_id FROM oc_reverb_product_map WHERE product_id = 5605")
    shape(fake, r"^/api/listings/\d+$", body=body)
    r = server.post("/reverb/webhook?key=" + db.setting("webhook_key"), body={"listing": {"id": int(lid)}},
                    headers={"X-Reverb-Topic": "listings/update"})
    assert r.status == 202, r
    wait_until(lambda: any("Reverb listing %s could not be read" % lid in m and "unexpected shape" in m
                           for m in log_messages(admin, server)), timeout=20, what="a sync-log error")
    assert db.value("SELECT quantity FROM oc_product WHERE product_id = 5605") == 2
    no_crash(server)
