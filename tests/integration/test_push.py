"""Issue 3: OpenCart -> Reverb listings, change detection, SKU matching, rate limit, faults."""
import pytest

from harness.shop import (NEW, GOOD, GUITARS, CATEGORY, reset, ensure_category,
                          add_product, configure, enable, by_sku, wait_idle)
from harness.util import wait_until


@pytest.fixture(autouse=True)
def clean(db, fake):
    ensure_category(db)
    reset(db, fake)


def catalogue(db):
    """A varied catalogue: entities, nested HTML, UTF-8, a special, no images, used qty 3."""
    db.execute("DELETE FROM oc_manufacturer WHERE manufacturer_id = 500")
    db.execute("INSERT INTO oc_manufacturer (manufacturer_id, name, image, sort_order)"
               " VALUES (500, 'Fender &amp; Co', '', 0)")
    add_product(db, 5001, "Fender Strat &amp; Case &quot;Olympic&quot;", "SKU-5001", "1299.0000", 4,
                "&lt;p&gt;Alder body.&lt;br /&gt;Maple &amp;amp; rosewood.&lt;/p&gt;"
                "&lt;ul&gt;&lt;li&gt;&lt;b&gt;Bag&lt;/b&gt;&lt;/li&gt;&lt;/ul&gt;",
                manufacturer_id=500, image="catalog/strat main.jpg",
                images=["catalog/strat-back.jpg", "catalog/strat-head.jpg"])
    add_product(db, 5002, "Café Racer Überdrive 🎸", "SKU-5002", "89.5000", 10,
                "&lt;div&gt;日本製 pedal&lt;/div&gt;", special="79.0000")
    add_product(db, 5003, "No Picture Amp", "SKU-5003", "500.0000", 1, "")
    add_product(db, 5004, "Used Jazz Chorus", "SKU-5004", "1150.0000", 3, "&lt;p&gt;Used&lt;/p&gt;")
    add_product(db, 5005, "Zero Stock Pedal", "SKU-5005", "50.0000", 0, "")


def run_full_sync(admin, server, timeout=60):
    r = admin.post(server, "/reverb/admin/sync", {})
    assert r.status == 202, r
    def finished():
        run = admin.get(server, "/reverb/admin/sync").json["run"]
        return run if run and run["state"] == "finished" else None
    return wait_until(finished, timeout=timeout, interval=0.3, what="full sync")


def test_full_sync_creates_listings_field_by_field(db, fake, server, admin):
    catalogue(db)
    configure(admin, server)
    for pid in (5001, 5002, 5003, 5005):
        enable(admin, server, pid)
    enable(admin, server, 5004, condition_uuid=GOOD, handmade=1)
    run = run_full_sync(admin, server)
    assert run["total"] == 5 and run["done"] == 5 and run["failed"] == 0
    ls = by_sku(fake.listings())
    assert set(ls) == {"SKU-5001", "SKU-5002", "SKU-5003", "SKU-5004", "SKU-5005"}
    s = ls["SKU-5001"]
    assert s["title"] == 'Fender Strat & Case "Olympic"'
    assert s["description"] == "Alder body.\nMaple & rosewood.\n- Bag"
    assert s["make"] == "Fender & Co" and s["model"] == "M-5001"
    assert s["price"]["amount"] == "1299.00" and s["price"]["currency"] == "AUD"
    assert s["condition"]["uuid"] == NEW and s["inventory"] == 4 and s["has_inventory"] is True
    assert [c["uuid"] for c in s["categories"]] == [GUITARS]   # Reverb adds full_name
    assert s["photo_urls"] == ["https://shop.example.com/image/catalog/strat%20main.jpg",
                               "https://shop.example.com/image/catalog/strat-back.jpg",
                               "https://shop.example.com/image/catalog/strat-head.jpg"]
    assert s["state"]["slug"] == "draft"                    # auto_publish off: drafts
    u = ls["SKU-5002"]
    assert u["title"] == "Café Racer Überdrive 🎸" and u["description"] == "日本製 pedal"
    assert u["price"]["amount"] == "79.00"                  # the active special
    assert u["make"] == "Testmaker"                      # the harness's default manufacturer
    assert ls["SKU-5003"]["photo_urls"] == []
    used = ls["SKU-5004"]
    assert used["condition"]["uuid"] == GOOD and used["inventory"] == 1   # one of a kind
    assert used["handmade"] is True
    assert ls["SKU-5005"]["inventory"] == 0
    # the map rows remember the listing and the sync log explains each push
    row = db.query("SELECT reverb_listing_id, listing_state, last_synced_at FROM oc_reverb_product_map"
                   " WHERE product_id = 5001")[0]
    assert row[0] == s["id"] and row[1] == "draft" and row[2] is not None
    log = admin.get(server, "/reverb/admin/log?direction=push&status=success").json
    assert log["total"] == 5 and {e["action"] for e in log["entries"]} == {"create"}
    assert all(e["reverb_listing_id"] for e in log["entries"])
    # every request carried the required headers
    for req in fake.requests():
        assert req["headers"]["authorization"] == "Bearer test-token"
        assert req["headers"]["accept_version"] == "3.0"


def cron(server, db):
    r = server.get("/reverb/cron?key=" + db.setting("cron_key"))
    assert r.status == 200, r
    return r.json


def listing_requests(fake):
    """Requests about listings (a cron cycle also polls orders, by design)."""
    return [r for r in fake.requests() if "/orders/" not in r["path"]]


def settle(admin, server):
    wait_idle(admin, server)


def test_no_change_no_request_price_change_one_put_quantity_detected(db, fake, server, admin):
    catalogue(db)
    configure(admin, server)
    for pid in (5001, 5002, 5003):
        enable(admin, server, pid)
    run_full_sync(admin, server)
    fake.clear_requests()
    assert cron(server, db)["products_queued"] == 0
    settle(admin, server)
    assert listing_requests(fake) == []
    db.execute("UPDATE oc_product SET price = 1199.0000 WHERE product_id = 5001")
    assert cron(server, db)["products_queued"] == 1
    settle(admin, server)
    reqs = listing_requests(fake)
    assert [(r["method"], r["path"]) for r in reqs] == [("PUT", "/api/listings/%s" % by_sku(
        fake.listings())["SKU-5001"]["id"])]
    assert reqs[0]["body"]["price"] == {"amount": "1199.00", "currency": "AUD"}
    assert "photos" not in reqs[0]["body"]          # images unchanged: not re-sent
    fake.clear_requests()
    # a storefront sale: quantity changes, date_modified does not
    db.execute("UPDATE oc_product SET quantity = quantity - 1 WHERE product_id = 5002")
    assert cron(server, db)["products_queued"] == 1
    settle(admin, server)
    reqs = listing_requests(fake)
    assert len(reqs) == 1 and reqs[0]["body"]["inventory"] == 9


def test_unchanged_products_are_not_even_mapped_until_an_input_moves(db, fake, server, admin):
    """Detection remembers the inputs of a product found unchanged; the next
    cycle skips it inside MariaDB. Any input moving (its rows, a setting the
    listing depends on) brings it back."""
    catalogue(db)
    configure(admin, server)
    for pid in (5001, 5002, 5003):
        enable(admin, server, pid)
    run_full_sync(admin, server)
    first = cron(server, db)
    assert first["products_checked"] == 3 and first["products_queued"] == 0
    again = cron(server, db)
    assert again["products_checked"] == 0 and again["products_queued"] == 0
    # one product's row
    db.execute("UPDATE oc_product SET quantity = quantity + 2 WHERE product_id = 5003")
    r = cron(server, db)
    assert r["products_checked"] == 1 and r["products_queued"] == 1
    settle(admin, server)
    # a special price that starts to apply
    db.execute("INSERT INTO oc_product_special (product_id, customer_group_id, priority, price,"
               " date_start, date_end) VALUES (5003, 1, 1, 450.0000, '2020-01-01', '0000-00-00')")
    assert cron(server, db)["products_queued"] == 1
    settle(admin, server)
    cron(server, db)
    # a setting every listing depends on: all are looked at, none needlessly pushed
    admin.post(server, "/reverb/admin/settings", {"auto_publish": 1})       # create-only
    r = cron(server, db)
    assert r["products_checked"] == 3 and r["products_queued"] == 0
    # the category mapping changes what is sent: all three go
    admin.post(server, "/reverb/admin/category-map",
               {"map": {str(CATEGORY): "e57deb7a-382b-4e18-a008-67d4fbcb2879"}})
    r = cron(server, db)
    assert r["products_checked"] == 3 and r["products_queued"] == 3
    settle(admin, server)
    assert cron(server, db)["products_checked"] == 3          # their map rows moved
    assert cron(server, db)["products_checked"] == 0


def test_existing_listing_with_same_sku_is_updated_not_duplicated(db, fake, server, admin):
    catalogue(db)
    configure(admin, server)
    old = fake.seed_listing(sku="SKU-5003", title="Old title", make="X", model="Y",
                            price={"amount": "1.00", "currency": "AUD"},
                            condition={"uuid": NEW}, state="ended")
    enable(admin, server, 5003)
    r = admin.post(server, "/reverb/admin/product/5003/sync", {})
    assert r.status == 202
    wait_until(lambda: db.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                " WHERE product_id = 5003"), timeout=15, what="the push")
    ls = [l for l in fake.listings() if l["sku"] == "SKU-5003"]
    assert len(ls) == 1 and ls[0]["id"] == old["id"]
    assert ls[0]["title"] == "No Picture Amp" and ls[0]["price"]["amount"] == "500.00"
    assert not [r for r in fake.requests() if r["method"] == "POST"]


def test_disabled_or_untoggled_product_ends_listing(db, fake, server, admin):
    catalogue(db)
    configure(admin, server)
    enable(admin, server, 5001)
    enable(admin, server, 5002)
    run_full_sync(admin, server)
    db.execute("UPDATE oc_product SET status = 0 WHERE product_id = 5001")
    enable(admin, server, 5002, sync_enabled=0)
    settle(admin, server)
    cron(server, db)
    settle(admin, server)
    ls = by_sku(fake.listings())
    assert ls["SKU-5001"]["state"]["slug"] == "ended"
    assert ls["SKU-5002"]["state"]["slug"] == "ended"
    ends = [r for r in fake.requests() if r["path"].endswith("/state/end")]
    assert len(ends) == 2 and all(r["body"] == {"reason": "not_sold"} for r in ends)


def test_validation_error_is_logged_with_reverb_errors(db, fake, server, admin):
    catalogue(db)
    configure(admin, server)
    enable(admin, server, 5001)
    fake.faults([{"path_regex": "^/api/listings$", "method": "POST", "kind": "412"}])
    admin.post(server, "/reverb/admin/product/5001/sync", {})
    wait_until(lambda: admin.get(server, "/reverb/admin/log?status=error").json["total"] >= 1,
               timeout=15, what="an error in the sync log")
    e = admin.get(server, "/reverb/admin/log?status=error").json["entries"][0]
    assert e["http_status"] == 412 and e["errors"] == {"title": ["is invalid"]}
    assert e["sku"] == "SKU-5001" and e["product_id"] == 5001
    p = admin.get(server, "/reverb/admin/product/5001").json["product"]
    assert p["last_error"] == "Injected validation error"


def test_create_timeout_after_effect_adopts_draft_no_duplicate(db, fake, server, admin):
    catalogue(db)
    configure(admin, server)
    enable(admin, server, 5001)
    # Reverb creates the draft but the answer never arrives
    fake.faults([{"path_regex": "^/api/listings$", "method": "POST", "kind": "drop",
                  "after_effect": True, "times": 1}])
    admin.post(server, "/reverb/admin/product/5001/sync", {})
    wait_until(lambda: db.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                " WHERE product_id = 5001"), timeout=30, what="the retried push")
    assert len([l for l in fake.listings() if l["sku"] == "SKU-5001"]) == 1
