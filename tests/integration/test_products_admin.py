"""Issue 11 item 1: the Products tab's routes (contract §8).

GET /reverb/admin/products (filters, paging, the Reverb state of every product) and
POST /reverb/admin/products/bulk (every `set` key, `action` sync/end, permission,
bad input -> 400 with nothing written, more than 10,000 products -> 413)."""
import pytest

from conftest import Admin, _cleanup
from harness.apache import Apache
from harness.shop import (NEW, GOOD, GUITARS, CATEGORY, reset, ensure_category, add_product,
                          add_many_products, configure, enable, by_sku, wait_idle)

SUB = 101          # a subcategory of CATEGORY (Guitars > Electric)
OTHER = 102        # a category of its own (Amps)
MAKER = 501
OTHER_UUID = "e57deb7a-382b-4e18-a008-67d4fbcb2879"


@pytest.fixture(scope="module")
def quiet(db):
    """Apache without a worker: queued jobs stay queued, so states are deterministic."""
    a = Apache(db, worker="Off")
    _cleanup.append(a.destroy)
    a.start()
    yield a
    a.stop()
    a.destroy()
    # what these tests queued must not run in a later module's server
    db.execute("DELETE FROM oc_reverb_job")


def ensure_categories(db):
    ensure_category(db)
    for cid, parent, name, path in ((SUB, CATEGORY, "Electric", [(CATEGORY, 0), (SUB, 1)]),
                                    (OTHER, 0, "Amps", [(OTHER, 0)])):
        if db.value("SELECT COUNT(*) FROM oc_category WHERE category_id = %s", (cid,)):
            continue
        db.execute("INSERT INTO oc_category (category_id, image, parent_id, top, `column`,"
                   " sort_order, status, date_added, date_modified)"
                   " VALUES (%s, '', %s, 0, 1, 0, 1, NOW(), NOW())", (cid, parent))
        db.execute("INSERT INTO oc_category_description (category_id, language_id, name,"
                   " description, meta_title, meta_description, meta_keyword)"
                   " VALUES (%s, 1, %s, '', 'x', '', '')", (cid, name))
        for pid, level in path:
            db.execute("INSERT INTO oc_category_path (category_id, path_id, level)"
                       " VALUES (%s, %s, %s)", (cid, pid, level))
    db.execute("DELETE FROM oc_manufacturer WHERE manufacturer_id = %s", (MAKER,))
    db.execute("INSERT INTO oc_manufacturer (manufacturer_id, name, image, sort_order)"
               " VALUES (%s, 'Fender', '', 0)", (MAKER,))


def move(db, pid, category):
    db.execute("UPDATE oc_product_to_category SET category_id = %s WHERE product_id = %s",
               (category, pid))


@pytest.fixture(autouse=True)
def clean(db, fake):
    ensure_categories(db)
    reset(db, fake)


def shop(db):
    """Ten products: two in the subcategory, two amps, one by a manufacturer, stock and status
    varied, an escaped name."""
    add_product(db, 5001, "Strat &amp; Case", "SKU-A1", quantity=3, manufacturer_id=MAKER)
    add_product(db, 5002, "Tele Deluxe", "SKU-A2", quantity=0)
    add_product(db, 5003, "Jazzmaster", "SKU-A3", quantity=1, status=0)
    add_product(db, 5004, "Les Paul", "SKU-B1", quantity=2, model="LP-STD")
    add_product(db, 5005, "SG Special", "SKU-B2", quantity=5)
    add_product(db, 5006, "Firebird", "SKU-B3", quantity=5)
    add_product(db, 5007, "Deluxe Reverb", "AMP-1", quantity=1)
    add_product(db, 5008, "Twin Reverb", "AMP-2", quantity=0)
    add_product(db, 5009, "100% Cotton Strap", "SKU_STRAP", quantity=9)
    add_product(db, 5010, "Capo", "SKU-CAPO", quantity=9)
    move(db, 5004, SUB)
    move(db, 5005, SUB)
    move(db, 5007, OTHER)
    move(db, 5008, OTHER)


def ids(r):
    assert r.status == 200, r
    return sorted(p["product_id"] for p in r.json["products"] if p["product_id"] >= 5000)


def grid(admin, srv, query=""):
    return admin.get(srv, "/reverb/admin/products?per_page=200" + ("&" + query if query else ""))


def test_filters(db, quiet, admin):
    shop(db)
    assert ids(grid(admin, quiet, "category_id=%d" % CATEGORY)) == \
        [5001, 5002, 5003, 5004, 5005, 5006, 5009, 5010]          # subcategory included
    assert ids(grid(admin, quiet, "category_id=%d" % SUB)) == [5004, 5005]
    assert ids(grid(admin, quiet, "category_id=%d" % OTHER)) == [5007, 5008]
    assert ids(grid(admin, quiet, "manufacturer_id=%d" % MAKER)) == [5001]
    assert ids(grid(admin, quiet, "q=deluxe")) == [5002, 5007]      # name, any case
    assert ids(grid(admin, quiet, "q=SKU-B")) == [5004, 5005, 5006]  # SKU
    assert ids(grid(admin, quiet, "q=LP-STD")) == [5004]             # model
    assert ids(grid(admin, quiet, "q=Strat+%26+Case")) == [5001]     # the name OpenCart escaped
    assert ids(grid(admin, quiet, "q=100%25")) == [5009]             # % taken literally
    assert ids(grid(admin, quiet, "q=SKU_")) == [5009]               # _ taken literally
    assert ids(grid(admin, quiet, "in_stock=0")) == [5002, 5008]
    assert 5002 not in ids(grid(admin, quiet, "in_stock=1"))
    assert ids(grid(admin, quiet, "status=0")) == [5003]
    assert ids(grid(admin, quiet, "category_id=%d&in_stock=1&q=reverb" % OTHER)) == [5007]
    # the row itself
    row = [p for p in grid(admin, quiet, "q=SKU-A1").json["products"]][0]
    assert row["name"] == "Strat & Case" and row["sku"] == "SKU-A1" and row["model"] == "M-5001"
    assert row["quantity"] == 3 and row["status"] == 1 and row["sync_enabled"] == 0
    assert row["listing_state"] == "not_enabled" and row["listing_url"] is None
    assert row["offers_enabled"] is None and row["last_synced_at"] is None
    for k in ("condition_uuid", "reverb_category_uuid", "listing_id", "last_error"):
        assert row[k] is None


def test_paging(db, quiet, admin):
    shop(db)
    seen, total = [], None
    for page in (1, 2, 3, 4):
        r = admin.get(quiet, "/reverb/admin/products?category_id=%d&per_page=3&page=%d"
                      % (CATEGORY, page))
        assert r.status == 200 and r.json["page"] == page and r.json["per_page"] == 3
        total = r.json["total"]
        seen += [p["product_id"] for p in r.json["products"]]
    assert total == 8 and sorted(seen) == [5001, 5002, 5003, 5004, 5005, 5006, 5009, 5010]
    assert len(seen) == 8                                            # no row twice, none lost
    names = [p["name"] for p in grid(admin, quiet, "category_id=%d" % CATEGORY).json["products"]]
    assert names == sorted(names, key=str.lower)                     # by name, as OpenCart
    r = admin.get(quiet, "/reverb/admin/products")
    assert r.status == 200 and r.json["per_page"] == 25 and r.json["page"] == 1


def set_state(db, pid, sync=1, listing=None, state=None, error=None):
    db.execute("REPLACE INTO oc_reverb_product_map (product_id, sync_enabled, reverb_listing_id,"
               " listing_state, listing_url, last_error, last_synced_at)"
               " VALUES (%s, %s, %s, %s, %s, %s, IF(%s IS NULL, NULL, '2026-03-04 05:06:07'))",
               (pid, sync, listing, state,
                "https://reverb.com/item/%s-x" % listing if listing else None, error, listing))


def test_states(db, quiet, admin):
    shop(db)
    set_state(db, 5002, sync=1)                                      # enabled, never pushed
    set_state(db, 5003, sync=1)                                      # queued (below)
    db.execute("INSERT INTO oc_reverb_job (kind, ref, live_key, run_after)"
               " VALUES ('push', '5003', 'push:5003', NOW() + INTERVAL 1 DAY)")
    set_state(db, 5004, listing="9004", state="draft")
    set_state(db, 5005, listing="9005", state="live")
    set_state(db, 5006, sync=0, listing="9006", state="ended")
    set_state(db, 5007, listing="9007", state="sold_out")
    set_state(db, 5008, listing="9008", state="live", error="Reverb refused: make is missing")
    set_state(db, 5009, sync=0)                                      # switched off, no listing
    db.execute("UPDATE oc_reverb_product_map SET listing_url = 'javascript:alert(1)'"
               " WHERE product_id = 5005")
    want = {"not_enabled": [5001, 5009, 5010], "enabled": [5002], "queued": [5003],
            "draft": [5004], "live": [5005], "ended": [5006], "sold": [5007], "error": [5008]}
    for state, expect in want.items():
        assert ids(grid(admin, quiet, "state=" + state)) == expect, state
    rows = {p["product_id"]: p for p in grid(admin, quiet).json["products"]}
    for state, expect in want.items():
        for pid in expect:
            assert rows[pid]["listing_state"] == state
    assert rows[5004]["listing_url"] == "https://reverb.com/item/9004-x"
    assert rows[5005]["listing_url"] == "https://reverb.com/item/9005"   # only reverb.com links
    assert rows[5008]["last_error"] == "Reverb refused: make is missing"
    assert rows[5004]["last_synced_at"] == "2026-03-04T05:06:07Z"
    assert rows[5004]["listing_id"] == "9004"


@pytest.mark.parametrize("query", ["state=bogus", "category_id=abc", "category_id=0",
                                   "manufacturer_id=-1", "in_stock=2", "status=yes",
                                   "page=0", "per_page=201", "per_page=x", "q=" + "a" * 256])
def test_bad_filter_is_400(db, quiet, admin, query):
    r = admin.get(quiet, "/reverb/admin/products?" + query)
    assert r.status == 400 and r.error_code == "invalid_request", (query, r)
    assert r.json["error"]["message"]


def bulk(admin, srv, body):
    return admin.post(srv, "/reverb/admin/products/bulk", body)


def mapped(db, pid, col):
    return db.value("SELECT %s FROM oc_reverb_product_map WHERE product_id = %%s" % col, (pid,))


def jobs(db):
    return sorted(int(r[0]) for r in db.query(
        "SELECT ref FROM oc_reverb_job WHERE kind = 'push' AND live_key IS NOT NULL"))


def test_set_every_key_by_ids(db, quiet, admin):
    shop(db)
    r = bulk(admin, quiet, {"product_ids": [5001, 5002, 5002, 99999],
                            "set": {"sync_enabled": 1, "condition_uuid": GOOD,
                                    "reverb_category_uuid": GUITARS, "handmade": True,
                                    "upc_does_not_apply": 0, "offers_enabled": 0}})
    assert r.status == 200, r
    assert r.json == {"matched": 2, "changed": 2, "queued": 2}      # 99999 does not exist
    for pid in (5001, 5002):
        assert db.query("SELECT sync_enabled, condition_uuid, reverb_category_uuid, handmade,"
                        " upc_does_not_apply, offers_enabled FROM oc_reverb_product_map"
                        " WHERE product_id = %s", (pid,))[0] == (1, GOOD, GUITARS, 1, 0, 0)
    assert jobs(db) == [5001, 5002]
    # the same again changes nothing and queues nothing more
    before = db.checksum()
    r = bulk(admin, quiet, {"product_ids": [5001, 5002], "set": {"sync_enabled": "1",
                                                                  "handmade": 1}})
    assert r.json == {"matched": 2, "changed": 0, "queued": 0}
    assert db.checksum() == before
    # null puts a uuid / the offers switch back to the shop's default; one key at a time
    r = bulk(admin, quiet, {"product_ids": [5001], "set": {"condition_uuid": None,
                                                           "offers_enabled": None}})
    assert r.json["changed"] == 1
    assert mapped(db, 5001, "condition_uuid") is None and mapped(db, 5001, "offers_enabled") is None
    assert mapped(db, 5001, "reverb_category_uuid") == GUITARS       # untouched
    for key, value, col in (("reverb_category_uuid", "", None), ("handmade", False, 0),
                            ("upc_does_not_apply", 1, 1), ("offers_enabled", 1, 1),
                            ("condition_uuid", NEW, NEW), ("sync_enabled", 0, 0)):
        r = bulk(admin, quiet, {"product_ids": [5002], "set": {key: value}})
        assert r.status == 200 and r.json["changed"] == 1, (key, r)
        assert mapped(db, 5002, key) == col, key
    # a product never mapped and switched "off": nothing to change, no row written
    r = bulk(admin, quiet, {"product_ids": [5003], "set": {"sync_enabled": 0, "handmade": 0}})
    assert r.json == {"matched": 1, "changed": 0, "queued": 0}
    assert mapped(db, 5003, "product_id") is None


def test_enable_a_category_by_filter(db, quiet, admin):
    shop(db)
    set_state(db, 5004, sync=0, listing="9004", state="live")        # off, still listed
    r = bulk(admin, quiet, {"filter": {"category_id": CATEGORY, "in_stock": "1"},
                            "set": {"sync_enabled": 1}})
    assert r.status == 200, r
    # in Guitars (with Electric) and in stock: 5001 5003 5004 5005 5006 5009 5010
    assert r.json == {"matched": 7, "changed": 7, "queued": 7}
    assert [int(x[0]) for x in db.query("SELECT product_id FROM oc_reverb_product_map"
                                        " WHERE sync_enabled = 1 ORDER BY product_id")] == \
        [5001, 5003, 5004, 5005, 5006, 5009, 5010]
    assert jobs(db) == [5001, 5003, 5004, 5005, 5006, 5009, 5010]
    assert ids(grid(admin, quiet, "state=queued")) == jobs(db)
    # a filter on the state itself
    r = bulk(admin, quiet, {"filter": {"state": "not_enabled"}, "set": {"handmade": 1}})
    assert r.json["matched"] >= 3 and mapped(db, 5002, "handmade") == 1
    assert mapped(db, 5001, "handmade") == 0


def test_disable_queues_only_listed(db, quiet, admin):
    shop(db)
    set_state(db, 5001, sync=1, listing="9001", state="live")
    set_state(db, 5002, sync=1)
    set_state(db, 5003, sync=1, listing="9003", state="ended")
    r = bulk(admin, quiet, {"product_ids": [5001, 5002, 5003], "set": {"sync_enabled": 0}})
    assert r.json == {"matched": 3, "changed": 3, "queued": 1}      # only 5001 has a listing to end
    assert jobs(db) == [5001]


def test_action_sync_and_end(db, quiet, admin):
    shop(db)
    set_state(db, 5001, sync=1, listing="9001", state="live")
    set_state(db, 5002, sync=1)
    set_state(db, 5003, sync=0, listing="9003", state="live")        # off but listed
    r = bulk(admin, quiet, {"product_ids": [5001, 5002, 5003, 5004], "action": "sync"})
    assert r.json == {"matched": 4, "changed": 0, "queued": 3}      # 5004 is not synced
    assert jobs(db) == [5001, 5002, 5003]
    assert db.value("SELECT MAX(priority) FROM oc_reverb_job") == 0  # a few: run now
    db.execute("DELETE FROM oc_reverb_job")
    r = bulk(admin, quiet, {"filter": {"q": "SKU-A"}, "action": "end"})
    assert r.json == {"matched": 3, "changed": 2, "queued": 2}      # 5003 already off
    assert [mapped(db, pid, "sync_enabled") for pid in (5001, 5002, 5003)] == [0, 0, 0]
    assert jobs(db) == [5001, 5003]                                  # the listed ones: to end
    # set and action together
    db.execute("DELETE FROM oc_reverb_job")
    r = bulk(admin, quiet, {"product_ids": [5004], "set": {"sync_enabled": 1,
                                                           "condition_uuid": GOOD},
                            "action": "sync"})
    assert r.json == {"matched": 1, "changed": 1, "queued": 1}
    assert jobs(db) == [5004]


def test_end_reaches_reverb(db, fake, server):
    """The end action ends the listing on Reverb through the push engine."""
    admin = Admin(db)
    add_product(db, 5001, "Strat", "SKU-E1", quantity=2)
    add_product(db, 5002, "Tele", "SKU-E2", quantity=2)
    configure(admin, server)
    r = bulk(admin, server, {"product_ids": [5001, 5002], "set": {"sync_enabled": 1}})
    assert r.json == {"matched": 2, "changed": 2, "queued": 2}
    wait_idle(admin, server)
    assert set(by_sku(fake.listings())) == {"SKU-E1", "SKU-E2"}
    rows = {p["product_id"]: p for p in grid(admin, server, "q=SKU-E").json["products"]}
    assert rows[5001]["listing_state"] == "draft" and rows[5001]["last_synced_at"]
    assert rows[5001]["listing_url"].startswith("https://reverb.com/")
    r = bulk(admin, server, {"product_ids": [5001], "action": "end"})
    assert r.json == {"matched": 1, "changed": 1, "queued": 1}
    wait_idle(admin, server)
    lid = by_sku(fake.listings())["SKU-E1"]["id"]
    assert any(q["method"] == "PUT" and q["path"] == "/api/my/listings/%s/state/end" % lid
               for q in fake.requests())
    assert ids(grid(admin, server, "state=ended&q=SKU-E")) == [5001]
    assert ids(grid(admin, server, "state=draft&q=SKU-E")) == [5002]



def test_enabled_but_not_sent_says_why(db, fake, server):
    """Sync turned on for products the push must not send (in no category allowed to sync,
    disabled in OpenCart): each gets the reason in Last error, an error state in the grid and
    a sync log line, instead of finishing silently as "Enabled, not listed yet" (seen on a
    real OpenCart 3.0.5.1 shop: 9 of 9 "sent", nothing listed, no word why)."""
    admin = Admin(db)
    add_product(db, 5001, "Strat", "SKU-N1", quantity=2)
    add_product(db, 5002, "Amp", "SKU-N2", quantity=2)
    add_product(db, 5003, "Tele", "SKU-N3", quantity=2, status=0)
    move(db, 5002, OTHER)                 # OTHER is not among the categories allowed to sync
    configure(admin, server)
    r = bulk(admin, server, {"product_ids": [5001, 5002, 5003], "set": {"sync_enabled": 1}})
    assert r.json == {"matched": 3, "changed": 3, "queued": 3}
    wait_idle(admin, server)
    assert set(by_sku(fake.listings())) == {"SKU-N1"}
    rows = {p["product_id"]: p for p in grid(admin, server, "q=SKU-N").json["products"]}
    assert rows[5001]["listing_state"] == "draft" and rows[5001]["last_error"] is None
    assert rows[5002]["listing_state"] == "error"
    assert "Categories allowed to sync" in rows[5002]["last_error"]
    assert rows[5003]["listing_state"] == "error"
    assert "Disabled in OpenCart" in rows[5003]["last_error"]
    logged = {r[0]: r[1] for r in db.query("SELECT product_id, message FROM oc_reverb_sync_log"
                                          " WHERE product_id IN (5002, 5003) AND status = 'error'")}
    assert "Categories allowed to sync" in logged[5002] and "Disabled" in logged[5003]
    # once its category is allowed, the next push lists it and clears the error
    move(db, 5002, CATEGORY)
    r = bulk(admin, server, {"product_ids": [5002], "action": "sync"})
    wait_idle(admin, server)
    row = grid(admin, server, "q=SKU-N2").json["products"][0]
    assert row["listing_state"] == "draft" and row["last_error"] is None


BAD = [
    {},                                                              # nothing at all
    {"set": {"sync_enabled": 1}},                                    # no selection
    {"product_ids": [5001], "filter": {}, "set": {"sync_enabled": 1}},   # both
    {"product_ids": [5001]},                                         # nothing to do
    {"product_ids": [5001], "set": {}},
    {"product_ids": "5001", "set": {"sync_enabled": 1}},
    {"product_ids": [5001, "x"], "set": {"sync_enabled": 1}},
    {"product_ids": [5001, -3], "set": {"sync_enabled": 1}},
    {"product_ids": [5001, 1.5], "set": {"sync_enabled": 1}},
    {"product_ids": [5001], "set": {"sync_enabled": 2}},
    {"product_ids": [5001], "set": {"sync_enabled": None}},
    {"product_ids": [5001], "set": {"handmade": "yes"}},
    {"product_ids": [5001], "set": {"upc_does_not_apply": [1]}},
    {"product_ids": [5001], "set": {"offers_enabled": 3}},
    {"product_ids": [5001], "set": {"condition_uuid": "not a uuid!"}},
    {"product_ids": [5001], "set": {"reverb_category_uuid": 7}},
    {"product_ids": [5001], "set": {"price": 1}},                    # not a bulk field
    {"product_ids": [5001], "set": [1]},
    {"product_ids": [5001], "action": "delete"},
    {"product_ids": [5001], "action": None},
    {"product_ids": [5001], "action": "end", "set": {"sync_enabled": 1}},
    {"filter": {"state": "bogus"}, "set": {"sync_enabled": 1}},
    {"filter": {"category_id": "abc"}, "set": {"sync_enabled": 1}},
    {"filter": {"colour": "red"}, "set": {"sync_enabled": 1}},
    {"filter": {"in_stock": [1]}, "set": {"sync_enabled": 1}},
    {"filter": "category_id=100", "set": {"sync_enabled": 1}},
    {"filter": {"page": "x"}, "set": {"sync_enabled": 1}},
    # valid keys with one bad value: nothing of it is written
    {"product_ids": [5001, 5002], "set": {"sync_enabled": 1, "condition_uuid": "??"}},
    {"product_ids": [5001], "set": {"sync_enabled": 1}, "extra": 1},
]


@pytest.mark.parametrize("body", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_input_is_400_and_writes_nothing(db, quiet, admin, body):
    shop(db)
    before = db.checksum()
    r = bulk(admin, quiet, body)
    assert r.status == 400 and r.error_code == "invalid_request", (body, r)
    assert r.json["error"]["message"]
    assert db.checksum() == before


def test_not_json_is_400(db, quiet, admin):
    before = db.checksum()
    r = quiet.post(admin.path("/reverb/admin/products/bulk"), body=b"{not json",
                   cookie=admin.cookie)
    assert r.status == 400 and db.checksum() == before


def test_over_the_limit_is_413_in_plain_words(db, quiet, admin):
    before = db.checksum()
    r = bulk(admin, quiet, {"product_ids": list(range(1, 10002)), "set": {"sync_enabled": 1}})
    assert r.status == 413 and r.error_code == "too_many_products", r
    assert "at most 10000" in r.json["error"]["message"]
    assert db.checksum() == before
    # by filter: 10,001 products in the category
    add_many_products(db, 100000, 10001, enabled=False)
    before = db.checksum()
    r = bulk(admin, quiet, {"filter": {"category_id": CATEGORY}, "set": {"sync_enabled": 1}})
    assert r.status == 413 and r.error_code == "too_many_products", r
    assert "10001 products" in r.json["error"]["message"]
    assert "Narrow the filter" in r.json["error"]["message"]
    assert db.checksum() == before
    # exactly 10,000 is allowed, in one call
    r = bulk(admin, quiet, {"filter": {"category_id": CATEGORY, "q": "Guitar "},
                            "set": {"sync_enabled": 1}})
    assert r.status == 413                                           # still 10,001 "Guitar n"
    db.execute("DELETE FROM oc_product WHERE product_id = 110000")
    r = bulk(admin, quiet, {"filter": {"category_id": CATEGORY}, "set": {"sync_enabled": 1}})
    assert r.status == 200 and r.json["matched"] == 10000 and r.json["changed"] == 10000, r
    assert r.json["queued"] == 10000
    assert db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE kind = 'push' AND live_key IS NOT NULL") == 10000


def test_permission(db, quiet):
    shop(db)
    reader, nobody = Admin(db, user_id="4"), Admin(db, user_id="3")
    assert reader.get(quiet, "/reverb/admin/products").status == 200
    before = db.checksum()
    r = bulk(reader, quiet, {"product_ids": [5001], "set": {"sync_enabled": 1}})
    assert r.status == 403 and r.error_code == "forbidden"
    assert "permission to change" in r.json["error"]["message"]
    r = nobody.get(quiet, "/reverb/admin/products")
    assert r.status == 403 and "permission to see" in r.json["error"]["message"]
    r = bulk(nobody, quiet, {"product_ids": [5001], "set": {"sync_enabled": 1}})
    assert r.status == 403
    assert db.checksum() == before
    r = quiet.get("/reverb/admin/products")
    assert r.status == 401


def test_timezone_is_the_shops(db, quiet, admin):
    tz = db.value("SELECT value FROM oc_setting WHERE `key` = 'config_timezone' AND store_id = 0")
    r = grid(admin, quiet)
    assert r.json["timezone"] == (tz or None)


def test_lookups_for_the_filters(db, quiet, admin):
    r = admin.get(quiet, "/reverb/admin/products?per_page=1&lookups=1")
    assert r.status == 200
    cats = {c["category_id"]: c["name"] for c in r.json["categories"]}
    assert cats[SUB] == "Guitars > Electric" and cats[OTHER] == "Amps"
    assert {"manufacturer_id": MAKER, "name": "Fender"} in r.json["manufacturers"]
    assert "categories" not in admin.get(quiet, "/reverb/admin/products?per_page=1").json


def test_long_id_lists_on_a_server_with_a_short_group_concat(db):
    """Id lists travel through JSON_ARRAYAGG; a server whose group_concat_max_len is set
    low (1024, the old MySQL default) must still change every product."""
    old = db.value("SELECT @@GLOBAL.group_concat_max_len")
    db.execute("SET GLOBAL group_concat_max_len = 1024")
    try:
        a = Apache(db, worker="Off")          # fresh connections take the global value
        _cleanup.append(a.destroy)
        a.start()
        add_many_products(db, 200000, 1000, enabled=False)
        r = bulk(Admin(db), a, {"filter": {"category_id": CATEGORY}, "set": {"sync_enabled": 1}})
        assert r.status == 200 and r.json == {"matched": 1000, "changed": 1000, "queued": 1000}, r
        assert db.value("SELECT COUNT(*) FROM oc_reverb_product_map WHERE sync_enabled = 1") == 1000
        a.stop()
        a.destroy()
    finally:
        db.execute("SET GLOBAL group_concat_max_len = %s" % int(old))


def test_sku_and_model_as_the_owner_typed_them(db, quiet, admin):
    """OpenCart stores the SKU and model HTML-escaped too (its request filter escapes every
    field): the grid shows them as typed (make demo's Telecaster "Thinline" showed &quot;)."""
    add_product(db, 5011, "Telecaster &quot;Thinline&quot;", "FEN-TL&amp;72",
                model="Telecaster &quot;Thinline&quot; &#039;72")
    row = [p for p in grid(admin, quiet, "q=Thinline").json["products"] if p["product_id"] == 5011][0]
    assert row["name"] == 'Telecaster "Thinline"'
    assert row["sku"] == "FEN-TL&72" and row["model"] == "Telecaster \"Thinline\" '72"
