"""Issue 4: Reverb orders -> OpenCart orders exactly once, stock moved once, webhooks, cron."""
import concurrent.futures
import json

import pytest

from harness.shop import reset, ensure_category, add_product, configure, wait_idle
from harness.util import request, wait_until


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    ensure_category(db)
    reset(db, fake)
    db.execute("DELETE FROM oc_order WHERE user_agent = 'mod_reverb'")
    db.execute("DELETE FROM oc_order_product WHERE order_id NOT IN (SELECT order_id FROM oc_order)")
    db.execute("DELETE FROM oc_order_total WHERE order_id NOT IN (SELECT order_id FROM oc_order)")
    db.execute("DELETE FROM oc_order_history WHERE order_id NOT IN (SELECT order_id FROM oc_order)")
    db.execute("DELETE FROM oc_setting WHERE `key` = 'module_reverb_order_last_sync'")
    add_product(db, 5201, "Boss DS-1", "ORD-1", "100.0000", 10)
    add_product(db, 5202, "Boss DD-8", "ORD-2", "200.0000", 5)
    configure(admin, server)


def oc_orders(db):
    return db.query("SELECT order_id, total, order_status_id, currency_code FROM oc_order"
                    " WHERE user_agent = 'mod_reverb' ORDER BY order_id")


def qty(db, pid):
    return db.value("SELECT quantity FROM oc_product WHERE product_id = %s", (pid,))


def webhook(server, db, body, key=None):
    return server.post("/reverb/webhook?key=" + (key or db.setting("webhook_key")), body)


def wait_drained(admin, server):
    wait_idle(admin, server)


def test_paid_order_imports_with_exact_rows(db, fake, server, admin):
    fake.seed_order(order_number="7001", sku="ORD-1", quantity=2, price="100.00",
                    shipping_amount="15.00", tax_amount="0", buyer_first_name="Zoë",
                    buyer_last_name="O'Brien & <Co>")
    r = admin.post(server, "/reverb/admin/orders/import", {})
    assert r.status == 200 and r.json["imported"] == 1, r
    (oid, total, status, cur), = oc_orders(db)
    assert float(total) == 215.0 and status == 2 and cur == "AUD"
    row = db.query("SELECT firstname, lastname, payment_country, payment_country_id, payment_zone,"
                   " payment_zone_id, shipping_city, shipping_postcode, payment_method, comment,"
                   " email, invoice_prefix, language_id FROM oc_order WHERE order_id = %s", (oid,))[0]
    assert row[0] == "Zoë" and row[1] == "O'Brien &amp; &lt;Co&gt;"   # stored the OpenCart way
    assert row[2:6] == ("Australia", 13, "New South Wales", 192)
    assert row[6:8] == ("Sydney", "2000") and row[8] == "Reverb" and "7001" in row[9]
    assert row[10] == "alex@example.com" and row[12] == 1
    lines = db.query("SELECT product_id, name, model, quantity, price, total FROM oc_order_product"
                     " WHERE order_id = %s", (oid,))
    assert [(l[0], l[3], float(l[4]), float(l[5])) for l in lines] == [(5201, 2, 100.0, 200.0)]
    totals = {r[0]: float(r[1]) for r in db.query(
        "SELECT code, value FROM oc_order_total WHERE order_id = %s", (oid,))}
    assert totals == {"sub_total": 200.0, "shipping": 15.0, "total": 215.0}
    assert db.query("SELECT order_status_id FROM oc_order_history WHERE order_id = %s", (oid,)) == ((2,),)
    assert qty(db, 5201) == 8
    # the admin order list shows it (missing orders have status 0)
    assert db.value("SELECT COUNT(*) FROM oc_order WHERE order_id = %s AND order_status_id > 0", (oid,)) == 1
    info = admin.get(server, "/reverb/admin/orders/%d" % oid).json["reverb"]
    assert info["order_numbers"] == ["7001"]


def test_same_order_three_times_and_twenty_concurrent(db, fake, server, admin):
    fake.seed_order(order_number="7002", sku="ORD-1", quantity=1, price="100.00")
    for _ in range(3):
        assert webhook(server, db, {"order_number": "7002"}).status == 202
    wait_drained(admin, server)
    cron_key = db.setting("cron_key")

    def hit(i):
        if i % 3 == 0:
            return server.get("/reverb/cron?key=" + cron_key).status
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


def test_cancel_restores_stock_once_then_history_only(db, fake, server, admin):
    fake.seed_order(order_number="7003", sku="ORD-2", quantity=2, price="200.00")
    admin.post(server, "/reverb/admin/orders/import", {})
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
    hist = [r[0] for r in db.query("SELECT order_status_id FROM oc_order_history WHERE order_id = %s"
                                   " ORDER BY order_history_id", (oid,))]
    assert hist == [2, 7, 11]


def test_unpaid_waits_until_paid(db, fake, server, admin):
    fake.seed_order(order_number="7004", sku="ORD-1", quantity=1, status="payment_pending")
    r = admin.post(server, "/reverb/admin/orders/import", {})
    assert r.json["imported"] == 0 and oc_orders(db) == ()
    assert qty(db, 5201) == 10
    fake.edit_order("7004", status="paid")
    assert admin.post(server, "/reverb/admin/orders/import", {}).json["imported"] == 1
    assert qty(db, 5201) == 9


def test_bundle_becomes_one_order(db, fake, server, admin):
    fake.seed_order(order_number="7005", order_bundle_id="B9", sku="ORD-1", quantity=1,
                    price="100.00", shipping_amount="10.00")
    fake.seed_order(order_number="7006", order_bundle_id="B9", sku="ORD-2", quantity=1,
                    price="200.00", shipping_amount="5.00")
    admin.post(server, "/reverb/admin/orders/import", {})
    (oid, total, _, _), = oc_orders(db)
    assert float(total) == 315.0
    names = sorted(r[0] for r in db.query("SELECT model FROM oc_order_product WHERE order_id = %s", (oid,)))
    assert names == ["ORD-1", "ORD-2"]
    totals = {r[0]: float(r[1]) for r in db.query(
        "SELECT code, value FROM oc_order_total WHERE order_id = %s", (oid,))}
    assert totals == {"sub_total": 300.0, "shipping": 15.0, "total": 315.0}


def test_forged_webhooks_write_nothing_or_the_truth(db, fake, server, admin):
    before = db.checksum(["oc_order", "oc_order_product", "oc_product"])
    assert webhook(server, db, {"order_number": "999999", "total": {"amount": "1.00"}}).status == 202
    wait_drained(admin, server)
    assert db.checksum(["oc_order", "oc_order_product", "oc_product"]) == before
    log = admin.get(server, "/reverb/admin/log?status=error").json["entries"]
    assert any("999999" in (e["message"] or "") for e in log)
    # altered amounts in the body: the API's truth is written
    fake.seed_order(order_number="7007", sku="ORD-1", quantity=1, price="100.00")
    webhook(server, db, {"order_number": "7007", "quantity": 50,
                         "total": {"amount": "1.00", "currency": "AUD"}})
    wait_drained(admin, server)
    (oid, total, _, _), = oc_orders(db)
    assert float(total) == 115.0 and qty(db, 5201) == 9


def test_bad_webhooks_are_refused_and_write_nothing(db, server):
    tables = ["oc_order", "oc_product", "oc_reverb_job", "oc_reverb_webhook", "oc_reverb_order_map"]
    before = db.checksum(tables)
    assert webhook(server, db, {"order_number": "7008"}, key="wrong").status == 403
    bodies = [b"", b"{", b"[]", b"null", b'"x"', b'{"order_number": {"a": 1}}',
              b'{"order_number": "../../etc"}', b'{"order_number": "' + b"9" * 80 + b'"}',
              b'{"order": []}', b"\xff\xfe\x00"]
    bodies = (bodies * 20)[:200]
    for b in bodies:
        r = server.post("/reverb/webhook?key=" + db.setting("webhook_key"), b)
        assert 400 <= r.status < 500, (b, r)
    assert db.checksum(tables) == before


def test_unknown_currency_is_a_clear_error_not_a_wrong_amount(db, fake, server, admin):
    fake.seed_order(order_number="7009", sku="ORD-1", quantity=1, currency="JPY", price="10000")
    admin.post(server, "/reverb/admin/orders/import", {})
    assert oc_orders(db) == ()
    assert qty(db, 5201) == 10
    msgs = [e["message"] for e in admin.get(server, "/reverb/admin/log?status=error").json["entries"]]
    assert any("JPY" in m for m in msgs)


def test_tracking_is_sent_to_reverb(db, fake, server, admin):
    fake.seed_order(order_number="7010", sku="ORD-1", quantity=1)
    admin.post(server, "/reverb/admin/orders/import", {})
    (oid, _, _, _), = oc_orders(db)
    r = admin.post(server, "/reverb/admin/orders/%d/ship" % oid,
                   {"provider": "Australia Post", "tracking_number": "AP123"})
    assert r.status == 200 and r.json["shipped"] == ["7010"]
    assert fake.state()["shipments"] == [{"order_number": "7010", "provider": "Australia Post",
                                         "tracking_number": "AP123", "send_notification": True}]
    assert admin.get(server, "/reverb/admin/orders/%d" % oid).json["reverb"]["shipped"]["tracking_number"] == "AP123"
    assert admin.post(server, "/reverb/admin/orders/%d/ship" % oid, {"provider": ""}).status == 400
    assert admin.post(server, "/reverb/admin/orders/999999/ship",
                      {"provider": "X", "tracking_number": "1"}).status == 404


def test_webhook_registration_is_idempotent(db, fake, server, admin):
    r = admin.post(server, "/reverb/admin/webhooks", {})
    assert r.status == 200 and r.json["missing_topics"] == []
    assert len(r.json["registrations"]) == 3
    r = admin.post(server, "/reverb/admin/webhooks", {})
    assert len(fake.state()["webhooks"]) == 3
    g = admin.get(server, "/reverb/admin/webhooks").json
    assert {x["topic"] for x in g["registrations"]} == {"orders/create", "orders/update", "listings/update"}
    assert g["webhook_url"].endswith("/reverb/webhook?key=" + db.setting("webhook_key"))


def test_cron_polls_orders_without_webhooks(db, fake, server, admin):
    fake.seed_order(order_number="7011", sku="ORD-2", quantity=1, price="200.00")
    r = server.get("/reverb/cron?key=" + db.setting("cron_key"))
    assert r.status == 200 and r.json["orders_polled"] is True
    wait_drained(admin, server)
    assert len(oc_orders(db)) == 1 and qty(db, 5202) == 4
    assert db.setting("order_last_sync")
