"""Issue 4: Reverb orders -> OpenCart orders exactly once, stock moved once, tracking."""
import concurrent.futures
import json

import pytest

from harness import OC_VERSION
from harness.order_helpers import (fresh_shop, oc_orders, qty, totals, history,
                                   lines, map_row, webhook, cron, import_now, wait_drained,
                                   log_messages)


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    fresh_shop(db, fake, server, admin)


def test_paid_order_imports_with_exact_rows(db, fake, server, admin):
    fake.seed_order(order_number="7001", sku="ORD-1", quantity=2, price="100.00",
                    shipping_amount="15.00", tax_amount="0", buyer_first_name="Zoë",
                    buyer_last_name="O'Brien & <Co>")
    r = import_now(admin, server)
    assert r["imported"] == 1 and r["failed"] == 0, r
    (oid, total, status, cur), = oc_orders(db)
    assert float(total) == 215.0 and status == 2 and cur == "AUD"
    row = db.query("SELECT firstname, lastname, payment_country, payment_country_id, payment_zone,"
                   " payment_zone_id, shipping_city, shipping_postcode, payment_method, comment,"
                   " email, invoice_prefix, language_id, customer_id, shipping_country_id,"
                   " shipping_zone_id, shipping_address_1, payment_address_1, currency_value,"
                   " store_id, %s, telephone FROM oc_order WHERE order_id = %%s"
                   % ("'reverb'" if OC_VERSION == 4 else "payment_code"), (oid,))[0]
    assert row[0] == "Zoë" and row[1] == "O'Brien &amp; &lt;Co&gt;"   # stored the OpenCart way
    assert row[2:6] == ("Australia", 13, "New South Wales", 192)
    if OC_VERSION == 4:
        # 4.0: the methods are JSON objects the admin reads name and code from
        assert json.loads(row[8]) == {"name": "Reverb", "code": "reverb.reverb"}
    else:
        assert row[8] == "Reverb"
    assert row[6:8] == ("Sydney", "2000")
    assert "7001" in row[9] and "https://reverb.com/my/selling/orders/7001" in row[9]
    assert row[10] == "alex@example.com" and row[12] == 1 and row[13] == 0   # guest
    assert row[14:16] == (13, 192) and row[16] == row[17] == "1 George St"
    assert float(row[18]) == 1.0 and row[19] == 0 and row[20] == "reverb"
    assert row[21] == "0400 000 000"
    assert [(l[0], l[1], l[2], float(l[3]), float(l[4])) for l in lines(db, oid)] == \
        [(5201, "M-5201", 2, 100.0, 200.0)]
    assert totals(db, oid) == {"sub_total": 200.0, "shipping": 15.0, "total": 215.0}
    assert history(db, oid) == [2]
    assert qty(db, 5201) == 8
    # the admin order list shows it (missing orders have status 0)
    assert db.value("SELECT COUNT(*) FROM oc_order o LEFT JOIN oc_order_status os"
                    " ON os.order_status_id = o.order_status_id AND os.language_id = 1"
                    " WHERE o.order_id = %s AND o.order_status_id > '0'", (oid,)) == 1
    info = admin.get(server, "/reverb/admin/orders/%d" % oid).json["reverb"]
    assert info["order_numbers"] == ["7001"]
    assert info["links"] == ["https://reverb.com/my/selling/orders/7001"]
    assert info["shipped"] is None
    assert map_row(db, "7001") == (oid, "imported", 1, "paid", 5201)
    if OC_VERSION == 4:
        row = db.query("SELECT shipping_method, transaction_id, language_code, subscription_id,"
                       " payment_address_id, shipping_address_id, shipping_address_format"
                       " FROM oc_order WHERE order_id = %s", (oid,))[0]
        assert json.loads(row[0]) == {"name": "Shipping (Reverb)", "code": "reverb.reverb"}
        assert row[1:6] == ("7001", "en-gb", 0, 0, 0)
        # the format text lives in oc_address_format on 4.0
        assert row[6] and row[6] == db.value(
            "SELECT af.address_format FROM oc_country c JOIN oc_address_format af"
            " ON af.address_format_id = c.address_format_id WHERE c.iso_code_2 = 'AU'")
        # addHistory loads extension/<extension>/total/<code>: OpenCart's own
        assert db.query("SELECT DISTINCT extension FROM oc_order_total WHERE order_id = %s",
                        (oid,)) == (("opencart",),)
        assert db.query("SELECT master_id FROM oc_order_product WHERE order_id = %s",
                        (oid,)) == ((0,),)


def test_tax_line_when_reverb_charges_tax(db, fake, server, admin):
    fake.seed_order(order_number="7020", sku="ORD-2", quantity=1, price="200.00",
                    shipping_amount="20.00", tax_amount="22.00", tax_responsible_party="seller")
    import_now(admin, server)
    (oid, total, _, _), = oc_orders(db)
    assert totals(db, oid) == {"sub_total": 200.0, "shipping": 20.0, "tax": 22.0, "total": 242.0}
    assert float(total) == 242.0


def test_foreign_currency_is_converted_with_the_shops_rate(db, fake, server, admin):
    # default currency AUD (value 1); USD has value 0.66: 66 USD = 100 AUD
    db.execute("UPDATE oc_currency SET value = 0.66 WHERE code = 'USD'")
    fake.seed_order(order_number="7021", sku="ORD-1", quantity=1, currency="USD", price="66.00",
                    shipping_amount="6.60")
    import_now(admin, server)
    (oid, total, _, cur), = oc_orders(db)
    assert cur == "USD" and float(total) == 110.0
    assert totals(db, oid) == {"sub_total": 100.0, "shipping": 10.0, "total": 110.0}
    assert float(db.value("SELECT currency_value FROM oc_order WHERE order_id = %s", (oid,))) == 0.66
    assert float(lines(db, oid)[0][3]) == 100.0


def test_same_order_three_times_and_twenty_concurrent(db, fake, server, admin):
    fake.seed_order(order_number="7002", sku="ORD-1", quantity=1, price="100.00")
    for _ in range(3):
        assert webhook(server, db, {"order_number": "7002"}).status == 202
    wait_drained(admin, server)
    assert len(oc_orders(db)) == 1 and qty(db, 5201) == 9

    def hit(i):
        if i % 3 == 0:
            return cron(server, db).status
        if i % 3 == 1:
            return admin.post(server, "/reverb/admin/orders/import", {}).status
        return webhook(server, db, {"order": {"order_number": "7002"}}).status
    with concurrent.futures.ThreadPoolExecutor(20) as ex:
        codes = list(ex.map(hit, range(20)))
    assert all(c in (200, 202) for c in codes), codes
    wait_drained(admin, server)
    assert len(oc_orders(db)) == 1
    assert qty(db, 5201) == 9
    assert db.value("SELECT COUNT(*) FROM oc_order_product op JOIN oc_order o USING (order_id)"
                    " WHERE o.user_agent = 'mod_reverb'") == 1
    (oid, _, _, _), = oc_orders(db)
    assert history(db, oid) == [2]


def test_twenty_concurrent_first_deliveries_import_once(db, fake, server, admin):
    """No import before the storm: webhook, cron and admin race for the first import."""
    fake.seed_order(order_number="7022", sku="ORD-2", quantity=2, price="200.00")

    def hit(i):
        if i % 4 == 0:
            return cron(server, db).status
        if i % 4 == 1:
            return admin.post(server, "/reverb/admin/orders/import", {}).status
        return webhook(server, db, {"order_number": "7022"}).status
    with concurrent.futures.ThreadPoolExecutor(20) as ex:
        codes = list(ex.map(hit, range(20)))
    assert all(c in (200, 202) for c in codes), codes
    wait_drained(admin, server)
    (oid, total, _, _), = oc_orders(db)
    assert float(total) == 415.0 and qty(db, 5202) == 3
    assert len(lines(db, oid)) == 1 and history(db, oid) == [2]
    assert totals(db, oid) == {"sub_total": 400.0, "shipping": 15.0, "total": 415.0}


def test_cancel_restores_stock_once_then_history_only(db, fake, server, admin):
    fake.seed_order(order_number="7003", sku="ORD-2", quantity=2, price="200.00")
    import_now(admin, server)
    assert qty(db, 5202) == 3
    fake.edit_order("7003", status="cancelled")
    webhook(server, db, {"order_number": "7003"})
    wait_drained(admin, server)
    assert qty(db, 5202) == 5
    (oid, _, status, _), = oc_orders(db)
    assert status == 7
    webhook(server, db, {"order_number": "7003"})     # same status again: nothing new
    wait_drained(admin, server)
    fake.edit_order("7003", status="refunded")
    webhook(server, db, {"order_number": "7003"})
    wait_drained(admin, server)
    assert qty(db, 5202) == 5
    assert history(db, oid) == [2, 7, 11]
    assert map_row(db, "7003")[2] == 0


def test_later_statuses_add_history_and_stock_stays(db, fake, server, admin):
    fake.seed_order(order_number="7023", sku="ORD-1", quantity=1)
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    for st in ("shipped", "received"):
        fake.edit_order("7023", status=st)
        r = import_now(admin, server)
        assert r["updated"] == 1, r
    assert history(db, oid) == [2, 3, 5]
    assert oc_orders(db)[0][2] == 5 and qty(db, 5201) == 9
    assert import_now(admin, server)["updated"] == 0      # nothing new: no extra history
    assert history(db, oid) == [2, 3, 5]


def test_order_status_map_setting_is_used(db, fake, server, admin):
    r = admin.post(server, "/reverb/admin/settings", {"order_status_map": {"paid": 1, "shipped": 15}})
    assert r.status == 200, r
    fake.seed_order(order_number="7024", sku="ORD-1", quantity=1)
    import_now(admin, server)
    (oid, _, status, _), = oc_orders(db)
    assert status == 1
    fake.edit_order("7024", status="shipped")
    import_now(admin, server)
    assert history(db, oid) == [1, 15]


@pytest.mark.parametrize("waiting", ["unpaid", "payment_pending", "pending_review", "blocked"])
def test_unpaid_statuses_wait_until_paid(db, fake, server, admin, waiting):
    fake.seed_order(order_number="7004", sku="ORD-1", quantity=1, status=waiting)
    r = import_now(admin, server)
    assert r["imported"] == 0 and oc_orders(db) == ()
    webhook(server, db, {"order_number": "7004"})
    wait_drained(admin, server)
    assert oc_orders(db) == () and qty(db, 5201) == 10 and map_row(db, "7004") is None
    fake.edit_order("7004", status="paid")
    assert import_now(admin, server)["imported"] == 1
    assert qty(db, 5201) == 9


def test_cancelled_before_import_is_never_imported(db, fake, server, admin):
    fake.seed_order(order_number="7025", sku="ORD-1", quantity=1, status="cancelled")
    import_now(admin, server)
    webhook(server, db, {"order_number": "7025"})
    wait_drained(admin, server)
    assert oc_orders(db) == () and qty(db, 5201) == 10


def test_bundle_becomes_one_order(db, fake, server, admin):
    fake.seed_order(order_number="7005", order_bundle_id="B9", sku="ORD-1", quantity=1,
                    price="100.00", shipping_amount="10.00")
    fake.seed_order(order_number="7006", order_bundle_id="B9", sku="ORD-2", quantity=1,
                    price="200.00", shipping_amount="5.00")
    import_now(admin, server)
    (oid, total, _, _), = oc_orders(db)
    assert float(total) == 315.0
    assert sorted(l[1] for l in lines(db, oid)) == ["M-5201", "M-5202"]
    assert totals(db, oid) == {"sub_total": 300.0, "shipping": 15.0, "total": 315.0}
    assert qty(db, 5201) == 9 and qty(db, 5202) == 4
    info = admin.get(server, "/reverb/admin/orders/%d" % oid).json["reverb"]
    assert info["order_numbers"] == ["7005", "7006"]


def test_bundle_arriving_one_by_one_and_concurrently(db, fake, server, admin):
    fake.seed_order(order_number="7026", order_bundle_id="B10", sku="ORD-1", quantity=1,
                    price="100.00", shipping_amount="10.00")
    webhook(server, db, {"order_number": "7026"})
    wait_drained(admin, server)
    fake.seed_order(order_number="7027", order_bundle_id="B10", sku="ORD-2", quantity=2,
                    price="200.00", shipping_amount="0")
    fake.seed_order(order_number="7028", order_bundle_id="B10", sku="ORD-1", quantity=1,
                    price="100.00", shipping_amount="0")
    with concurrent.futures.ThreadPoolExecutor(10) as ex:
        list(ex.map(lambda i: webhook(server, db, {"order_number": "7027" if i % 2 else "7028"}),
                    range(10)))
    wait_drained(admin, server)
    (oid, total, _, _), = oc_orders(db)
    assert float(total) == 610.0 and len(lines(db, oid)) == 3
    assert qty(db, 5201) == 8 and qty(db, 5202) == 3


def test_cancelling_one_order_of_a_bundle_keeps_the_order(db, fake, server, admin):
    fake.seed_order(order_number="7029", order_bundle_id="B11", sku="ORD-1", quantity=1)
    fake.seed_order(order_number="7030", order_bundle_id="B11", sku="ORD-2", quantity=1)
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    fake.edit_order("7030", status="cancelled")
    import_now(admin, server)
    assert qty(db, 5202) == 5 and qty(db, 5201) == 9
    assert oc_orders(db)[0][2] == 2 and history(db, oid) == [2, 2]
    fake.edit_order("7029", status="cancelled")
    import_now(admin, server)
    assert qty(db, 5201) == 10 and oc_orders(db)[0][2] == 7


def test_unmatched_item_is_imported_and_flagged(db, fake, server, admin):
    fake.seed_order(order_number="7031", sku="NOPE-1", quantity=1, title="Mystery pedal")
    r = import_now(admin, server)
    assert r["imported"] == 1
    (oid, _, _, _), = oc_orders(db)
    assert [(l[0], l[1]) for l in lines(db, oid)] == [(0, "NOPE-1")]
    assert any("7031" in m and "no OpenCart product matches" in m
               for m in log_messages(admin, server, status="error"))
    assert qty(db, 5201) == 10 and qty(db, 5202) == 5


def test_listing_map_wins_over_sku(db, fake, server, admin):
    db.execute("INSERT INTO oc_reverb_product_map (product_id, reverb_listing_id, sync_enabled)"
               " VALUES (5202, '4242', 1)")
    fake.seed_order(order_number="7032", sku="ORD-1", product_id="4242", quantity=1)
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    assert lines(db, oid)[0][0] == 5202 and qty(db, 5202) == 4 and qty(db, 5201) == 10


def test_subtract_off_products_keep_their_stock(db, fake, server, admin):
    db.execute("UPDATE oc_product SET subtract = 0 WHERE product_id = 5201")
    fake.seed_order(order_number="7033", sku="ORD-1", quantity=3)
    import_now(admin, server)
    assert qty(db, 5201) == 10 and map_row(db, "7033")[2] == 1


def test_forged_webhooks_write_nothing_or_the_truth(db, fake, server, admin):
    before = db.checksum(["oc_order", "oc_order_product", "oc_order_total", "oc_order_history",
                          "oc_product", "oc_reverb_order_map"])
    assert webhook(server, db, {"order_number": "999999", "total": {"amount": "1.00"},
                                "status": "paid", "sku": "ORD-1", "quantity": 5}).status == 202
    wait_drained(admin, server)
    assert db.checksum(["oc_order", "oc_order_product", "oc_order_total", "oc_order_history",
                        "oc_product", "oc_reverb_order_map"]) == before
    assert any("999999" in m for m in log_messages(admin, server, status="error"))
    # altered amounts and quantities in the body: the API's truth is written
    fake.seed_order(order_number="7007", sku="ORD-1", quantity=1, price="100.00")
    webhook(server, db, {"order": {"order_number": "7007", "quantity": 50, "sku": "ORD-2",
                                   "total": {"amount": "1.00", "currency": "AUD"}}})
    wait_drained(admin, server)
    (oid, total, _, _), = oc_orders(db)
    assert float(total) == 115.0 and qty(db, 5201) == 9 and qty(db, 5202) == 5
    # a body claiming a cancellation does not restock: the API still says paid
    webhook(server, db, {"order_number": "7007", "status": "cancelled"})
    wait_drained(admin, server)
    assert qty(db, 5201) == 9 and history(db, oid) == [2]


def test_unknown_currency_is_a_clear_error_kept_for_retry(db, fake, server, admin):
    db.execute("DELETE FROM oc_currency WHERE code = 'JPY'")
    fake.seed_order(order_number="7009", sku="ORD-1", quantity=1, currency="JPY", price="10000",
                    shipping_amount="1000")
    r = import_now(admin, server)
    assert r["imported"] == 0 and r["failed"] == 1, r
    assert oc_orders(db) == () and qty(db, 5201) == 10
    assert any("JPY" in m for m in log_messages(admin, server, status="error"))
    assert map_row(db, "7009")[1] == "waiting"
    # retries until the shop acts say it once, not once per retry
    for _ in range(3):
        import_now(admin, server)
    assert sum("JPY" in m for m in log_messages(admin, server, status="error")) == 1
    assert map_row(db, "7009")[1] == "waiting"
    # the shop adds the currency: the next import brings the kept order in, exactly
    try:
        db.execute("INSERT INTO oc_currency (title, code, symbol_left, symbol_right, decimal_place,"
                   " value, status, date_modified) VALUES ('Yen', 'JPY', '', '', '0', 100.0, 1, NOW())")
        r = import_now(admin, server)
        assert r["imported"] == 1, r
        (oid, total, _, cur), = oc_orders(db)
        assert cur == "JPY" and float(total) == 110.0 and qty(db, 5201) == 9
        assert totals(db, oid) == {"sub_total": 100.0, "shipping": 10.0, "total": 110.0}
    finally:
        db.execute("DELETE FROM oc_currency WHERE code = 'JPY'")


def test_tracking_is_sent_to_reverb(db, fake, server, admin):
    fake.seed_order(order_number="7010", sku="ORD-1", quantity=1)
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    r = admin.post(server, "/reverb/admin/orders/%d/ship" % oid,
                   {"provider": "Australia Post", "tracking_number": "AP123"})
    assert r.status == 200 and r.json["shipped"] == ["7010"]
    assert fake.state()["shipments"] == [{"order_number": "7010", "provider": "Australia Post",
                                         "tracking_number": "AP123", "send_notification": True}]
    sh = admin.get(server, "/reverb/admin/orders/%d" % oid).json["reverb"]["shipped"]
    assert sh["tracking_number"] == "AP123" and sh["provider"] == "Australia Post" and sh["shipped_at"]
    assert db.query("SELECT shipped_provider, shipped_tracking FROM oc_reverb_order_map"
                    " WHERE reverb_order_number = '7010'") == (("Australia Post", "AP123"),)
    # Reverb now says shipped: the next poll adds history
    import_now(admin, server)
    assert history(db, oid) == [2, 3]
    assert admin.post(server, "/reverb/admin/orders/%d/ship" % oid, {"provider": ""}).status == 400
    assert admin.post(server, "/reverb/admin/orders/%d/ship" % oid,
                      {"provider": "X", "tracking_number": 5}).status == 400
    assert admin.post(server, "/reverb/admin/orders/999999/ship",
                      {"provider": "X", "tracking_number": "1"}).status == 404
    assert admin.get(server, "/reverb/admin/orders/999999").json == {"reverb": None}
    assert admin.get(server, "/reverb/admin/orders/0").json == {"reverb": None}


def test_tracking_for_a_bundle_goes_to_every_order(db, fake, server, admin):
    fake.seed_order(order_number="7034", order_bundle_id="B12", sku="ORD-1", quantity=1)
    fake.seed_order(order_number="7035", order_bundle_id="B12", sku="ORD-2", quantity=1)
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    r = admin.post(server, "/reverb/admin/orders/%d/ship" % oid,
                   {"provider": "DHL", "tracking_number": "D1"})
    assert r.status == 200 and sorted(r.json["shipped"]) == ["7034", "7035"]
    assert sorted(s["order_number"] for s in fake.state()["shipments"]) == ["7034", "7035"]


def test_ship_refused_by_reverb_is_reported(db, fake, server, admin):
    fake.seed_order(order_number="7036", sku="ORD-1", quantity=1)
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    fake.faults([{"path_regex": "/ship$", "kind": "412"}])
    r = admin.post(server, "/reverb/admin/orders/%d/ship" % oid,
                   {"provider": "DHL", "tracking_number": "D2"})
    assert r.status == 502 and r.error_code == "reverb_error"
    assert admin.get(server, "/reverb/admin/orders/%d" % oid).json["reverb"]["shipped"] is None


def test_import_needs_admin_and_token(db, fake, server, admin):
    assert server.post("/reverb/admin/orders/import", {}).status == 401
    db.set_setting("token", "")
    r = admin.post(server, "/reverb/admin/orders/import", {})
    assert r.status == 400 and r.error_code == "no_token"


def test_webhook_registration_is_idempotent(db, fake, server, admin):
    g = admin.get(server, "/reverb/admin/webhooks").json
    assert g["registrations"] == [] and len(g["missing_topics"]) == 3
    r = admin.post(server, "/reverb/admin/webhooks", {})
    assert r.status == 200 and r.json["missing_topics"] == []
    assert len(r.json["registrations"]) == 3 and all(x["id"] for x in r.json["registrations"])
    r = admin.post(server, "/reverb/admin/webhooks", {})
    assert r.status == 200 and len(fake.state()["webhooks"]) == 3
    assert len(api_posts(fake)) == 3
    g = admin.get(server, "/reverb/admin/webhooks").json
    assert {x["topic"] for x in g["registrations"]} == {"orders/create", "orders/update", "listings/update"}
    assert g["webhook_url"].endswith("/reverb/webhook?key=" + db.setting("webhook_key"))
    assert all(x["url"] == g["webhook_url"] for x in g["registrations"])


def test_registering_again_after_a_new_key_removes_the_old_registrations(db, fake, server, admin):
    """The module reinstalled: a new webhook key. The old URL would only get 403s."""
    assert admin.post(server, "/reverb/admin/webhooks", {}).status == 200
    old_url = admin.get(server, "/reverb/admin/webhooks").json["webhook_url"]
    fake.api("POST", "webhooks/registrations", {"url": "https://elsewhere.example/hook",
                                                 "topic": "orders/create"})   # not ours
    db.execute("DELETE FROM oc_setting WHERE `key` = 'module_reverb_webhook_key'")
    admin.get(server, "/reverb/admin/settings")              # makes a new key
    r = admin.post(server, "/reverb/admin/webhooks", {})
    assert r.status == 200 and r.json["missing_topics"] == []
    urls = sorted(w["url"] for w in fake.state()["webhooks"])
    assert old_url not in urls
    assert urls.count(r.json["webhook_url"]) == 3 and "https://elsewhere.example/hook" in urls
    assert len(urls) == 4
    assert sum("Removed an old webhook registration" in m for m in log_messages(admin, server)) == 3


def test_concurrent_registration_clicks_make_no_duplicates(db, fake, server, admin):
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        codes = [r.status for r in ex.map(
            lambda i: admin.post(server, "/reverb/admin/webhooks", {}), range(4))]
    assert all(c == 200 for c in codes), codes
    assert len(fake.state()["webhooks"]) == 3


def test_registration_failure_is_reported(db, fake, server, admin):
    fake.faults([{"method": "POST", "path_regex": "webhooks", "kind": "412"}])
    r = admin.post(server, "/reverb/admin/webhooks", {})
    assert r.status == 502 and r.error_code == "reverb_error"


def api_posts(fake):
    return [r for r in fake.requests() if r["method"] == "POST" and "webhooks" in r["path"]]


def test_cron_polls_orders_without_webhooks(db, fake, server, admin):
    fake.seed_order(order_number="7011", sku="ORD-2", quantity=1, price="200.00")
    r = cron(server, db)
    assert r.status == 200 and r.json["orders_polled"] is True and r.json["skipped"] is False
    assert r.json["orders"]["imported"] == 1
    assert len(oc_orders(db)) == 1 and qty(db, 5202) == 4
    assert db.setting("order_last_sync")
