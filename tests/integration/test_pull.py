"""Issue 4 §8: both-ways listing pull by three-way merge; one-way never writes products."""
import pytest

from harness.apache import Apache
from harness.shop import reset, ensure_category, add_product, configure, enable, by_sku, GOOD
from harness.order_helpers import clean_orders, import_now, webhook, log_messages, map_row
from harness.util import wait_until


@pytest.fixture(scope="module")
def server(db, fake):
    a = Apache(db, api_url=fake.api_url, rate_limit=1000, interval=200)
    a.start()
    yield a
    a.stop()
    a.destroy()


def drained(admin, server):
    s = admin.get(server, "/reverb/admin/status").json["queue"]
    return s["pending"] == 0 and s["running"] == 0


def settle(admin, server):
    wait_until(lambda: drained(admin, server), timeout=20, interval=0.1, what="queue drained")


def listed(db, fake, server, admin, mode, quantity=5, **product):
    ensure_category(db)
    reset(db, fake)
    clean_orders(db)
    add_product(db, 5301, "Tube Screamer", "PULL-1", "150.0000", quantity,
                "&lt;p&gt;Green overdrive.&lt;/p&gt;")
    configure(admin, server, sync_mode=mode)
    enable(admin, server, 5301, **product)
    admin.post(server, "/reverb/admin/product/5301/sync", {})
    wait_until(lambda: db.value("SELECT reverb_listing_id FROM oc_reverb_product_map"
                                " WHERE product_id = 5301"), timeout=15, what="listing")
    settle(admin, server)
    return by_sku(fake.listings())["PULL-1"]["id"]


def cron(server, db):
    r = server.get("/reverb/cron?key=" + db.setting("cron_key"))
    assert r.status == 200, r
    return r.json


def cycle(server, db, admin):
    c = cron(server, db)
    settle(admin, server)
    return c


def product(db):
    return db.query("SELECT p.price, p.quantity, pd.description FROM oc_product p JOIN"
                    " oc_product_description pd USING (product_id) WHERE product_id = 5301")[0]


def listing(fake):
    return by_sku(fake.listings())["PULL-1"]


def base_qty(db):
    return db.value("SELECT synced_quantity FROM oc_reverb_product_map WHERE product_id = 5301")


def listing_hook(server, db, lid):
    r = webhook(server, db, {"listing": {"id": int(lid)}}, headers={"X-Reverb-Topic": "listings/update"})
    assert r.status == 202, r


def writes(fake):
    return [r for r in fake.requests() if r["method"] != "GET"]


def test_reverb_edits_flow_back_without_ping_pong(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways")
    fake.edit_listing(lid, price={"amount": "140.00", "currency": "AUD"},
                      description="Green overdrive.\nTrue bypass.")
    assert cron(server, db)["listings_to_pull"] == 1
    settle(admin, server)
    price, q, desc = product(db)
    assert float(price) == 140.0 and q == 5
    assert "True bypass." in desc
    fake.clear_requests()
    # the pulled change is not pushed back, and nothing is pulled again
    c = cycle(server, db, admin)
    assert c["products_queued"] == 0 and c["listings_to_pull"] == 0
    assert writes(fake) == []


def test_stock_merges_as_deltas_with_imported_sale(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways")
    assert base_qty(db) == 5
    # a storefront sale (5 -> 4) ...
    db.execute("UPDATE oc_product SET quantity = 4 WHERE product_id = 5301")
    # ... and a Reverb sale of 2 (Reverb 5 -> 3), imported as an order (4 -> 2)
    fake.edit_listing(lid, inventory=3)
    fake.seed_order(order_number="8101", product_id=lid, sku="PULL-1", quantity=2, price="150.00")
    assert import_now(admin, server)["imported"] == 1
    assert product(db)[1] == 2 and base_qty(db) == 3
    listing_hook(server, db, lid)
    settle(admin, server)
    assert product(db)[1] == 2          # not 0: the imported sale is not subtracted twice
    cycle(server, db, admin)            # OpenCart's storefront sale goes to Reverb
    assert product(db)[1] == 2 and listing(fake)["inventory"] == 2 and base_qty(db) == 2


def test_reverb_stock_edits_flow_and_come_back_no_more(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways")
    fake.edit_listing(lid, inventory=8)
    listing_hook(server, db, lid)
    settle(admin, server)
    assert product(db)[1] == 8 and base_qty(db) == 8
    fake.clear_requests()
    c = cycle(server, db, admin)
    assert c["products_queued"] == 0 and c["listings_to_pull"] == 0 and writes(fake) == []
    # both sides move at once: the deltas add up
    db.execute("UPDATE oc_product SET quantity = quantity - 1 WHERE product_id = 5301")   # 7
    fake.edit_listing(lid, inventory=10)                                                 # +2
    cycle(server, db, admin)
    cycle(server, db, admin)
    assert product(db)[1] == 9 and listing(fake)["inventory"] == 9


def test_sale_kept_for_retry_is_not_subtracted_twice(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways")
    db.execute("DELETE FROM oc_currency WHERE code = 'CAD'")
    fake.edit_listing(lid, inventory=4)
    fake.seed_order(order_number="8102", product_id=lid, sku="PULL-1", quantity=1, currency="CAD")
    try:
        assert import_now(admin, server)["failed"] == 1
        assert map_row(db, "8102")[1] == "waiting"
        listing_hook(server, db, lid)
        settle(admin, server)
        assert product(db)[1] == 5              # Reverb's drop is the known, unimported sale
        db.execute("INSERT INTO oc_currency (title, code, symbol_left, symbol_right, decimal_place,"
                   " value, status, date_modified) VALUES ('CAD', 'CAD', '$', '', '2', 1.0, 1, NOW())")
        assert import_now(admin, server)["imported"] == 1
        assert product(db)[1] == 4 and base_qty(db) == 4
        cycle(server, db, admin)
        assert product(db)[1] == 4 and listing(fake)["inventory"] == 4
    finally:
        db.execute("DELETE FROM oc_currency WHERE code = 'CAD'")


def test_one_of_a_kind_sold_on_reverb(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways", quantity=3, condition_uuid=GOOD)
    assert listing(fake)["inventory"] == 1 and base_qty(db) == 1
    fake.edit_listing(lid, state="sold")
    fake.seed_order(order_number="8103", product_id=lid, sku="PULL-1", quantity=1)
    import_now(admin, server)
    assert product(db)[1] == 2 and base_qty(db) == 0
    listing_hook(server, db, lid)
    settle(admin, server)
    assert product(db)[1] == 2
    cron(server, db)
    settle(admin, server)
    assert product(db)[1] == 2


def test_conflict_keeps_opencart_and_is_logged(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways")
    db.execute("UPDATE oc_product SET price = 160.0000 WHERE product_id = 5301")
    fake.edit_listing(lid, price={"amount": "130.00", "currency": "AUD"})
    cycle(server, db, admin)
    cycle(server, db, admin)
    assert float(product(db)[0]) == 160.0
    assert listing(fake)["price"]["amount"] == "160.00"
    assert any("both sides" in m for m in log_messages(admin, server, direction="pull"))


def test_unpushed_opencart_edit_survives_a_pull(db, fake, server, admin):
    """OpenCart's own edit (title) is pushed, though a Reverb price edit was pulled meanwhile."""
    lid = listed(db, fake, server, admin, "both_ways")
    db.execute("UPDATE oc_product_description SET name = 'Tube Screamer TS9' WHERE product_id = 5301")
    fake.edit_listing(lid, price={"amount": "140.00", "currency": "AUD"})
    cycle(server, db, admin)
    cycle(server, db, admin)
    assert float(product(db)[0]) == 140.0
    assert listing(fake)["title"] == "Tube Screamer TS9"
    assert listing(fake)["price"]["amount"] == "140.00"


def test_markup_only_description_change_keeps_opencart_html(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "both_ways")
    html = product(db)[2]
    fake.edit_listing(lid, description="  Green   overdrive.  \n\n",
                      price={"amount": "145.00", "currency": "AUD"})
    cycle(server, db, admin)
    price, _, desc = product(db)
    assert float(price) == 145.0 and desc == html


def test_one_way_never_writes_products(db, fake, server, admin):
    lid = listed(db, fake, server, admin, "one_way")
    before = product(db)
    fake.edit_listing(lid, price={"amount": "99.00", "currency": "AUD"}, inventory=1,
                      description="Changed on Reverb")
    webhook(server, db, {"listing": {"id": lid}})
    cron(server, db)
    settle(admin, server)
    assert product(db) == before
