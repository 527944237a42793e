"""Issue 4 §8: both-ways listing pull by three-way merge; one-way never writes products."""
import pytest

from harness.shop import reset, ensure_category, add_product, configure, enable, by_sku
from harness.shop import queue_idle as drained
from harness.util import wait_until



def listed(db, fake, server, admin, mode):
    ensure_category(db)
    reset(db, fake)
    add_product(db, 5301, "Tube Screamer", "PULL-1", "150.0000", 5,
                "&lt;p&gt;Green overdrive.&lt;/p&gt;")
    configure(admin, server, sync_mode=mode)
    enable(admin, server, 5301)
    admin.post(server, "/reverb/admin/product/5301/sync", {})
    wait_until(lambda: db.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                " WHERE product_id = 5301"), timeout=15, what="listing")
    wait_until(lambda: drained(admin, server), timeout=15, what="queue drained")
    return by_sku(fake.listings())["PULL-1"]["id"]


def cron(server, db):
    r = server.get("/reverb/cron?key=" + db.setting("cron_key"))
    assert r.status == 200, r
    return r.json


def product(db):
    return db.query("SELECT p.price, p.quantity, pd.description FROM oc_product p JOIN"
                    " oc_product_description pd USING (product_id) WHERE product_id = 5301")[0]


def test_reverb_edits_flow_back_without_ping_pong(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways")
    fake.edit_listing(lid, price={"amount": "140.00", "currency": "AUD"},
                      description="Green overdrive.\nTrue bypass.")
    assert cron(server, db)["listings_to_pull"] == 1
    wait_until(lambda: drained(admin, server), timeout=15, what="pull")
    price, q, desc = product(db)
    assert float(price) == 140.0 and q == 5
    assert "True bypass." in desc
    fake.clear_requests()
    # the pulled change is not pushed back, and nothing is pulled again
    c = cron(server, db)
    wait_until(lambda: drained(admin, server), timeout=15, what="idle")
    assert c["products_queued"] == 0 and c["listings_to_pull"] == 0
    assert [r for r in fake.requests() if r["method"] != "GET"] == []


def test_stock_merges_as_deltas_with_imported_sale(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways")
    # a storefront sale (5 -> 4) and a Reverb sale of 2 already imported as an order (4 -> 2)
    db.execute("UPDATE oc_product SET quantity = 2 WHERE product_id = 5301")
    db.execute("INSERT INTO oc_reverb_order_map (reverb_order_number, order_id, reverb_status,"
               " product_id, quantity, import_state, stock_taken, created_at)"
               " VALUES ('S1', 1, 'paid', 5301, 2, 'imported', 1, NOW() + INTERVAL 1 SECOND)")
    fake.edit_listing(lid, inventory=3)
    server.post("/reverb/webhook?key=" + db.setting("webhook_key"), {"listing": {"id": int(lid)}},
                headers={"X-Reverb-Topic": "listings/update"})
    wait_until(lambda: drained(admin, server), timeout=15, what="pull")
    assert product(db)[1] == 2          # not 0: the imported sale is not subtracted twice


def test_conflict_keeps_opencart_and_is_logged(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways")
    db.execute("UPDATE oc_product SET price = 160.0000 WHERE product_id = 5301")
    fake.edit_listing(lid, price={"amount": "130.00", "currency": "AUD"})
    cron(server, db)
    wait_until(lambda: drained(admin, server), timeout=15, what="merge")
    cron(server, db)
    wait_until(lambda: drained(admin, server), timeout=15, what="push")
    assert float(product(db)[0]) == 160.0
    assert by_sku(fake.listings())["PULL-1"]["price"]["amount"] == "160.00"
    msgs = [e["message"] for e in admin.get(server, "/reverb/admin/log?direction=pull").json["entries"]]
    assert any("both sides" in m for m in msgs)


def test_one_way_never_writes_products(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "one_way")
    before = product(db)
    fake.edit_listing(lid, price={"amount": "99.00", "currency": "AUD"}, inventory=1)
    server.post("/reverb/webhook?key=" + db.setting("webhook_key"), {"listing": {"id": lid}})
    cron(server, db)
    wait_until(lambda: drained(admin, server), timeout=15, what="idle")
    assert product(db) == before
