"""Issue 4 §5: crash repair (never a duplicate), OpenCart-side cancellations, strict sql_mode."""
import json

from harness import OC_VERSION
import pytest

from harness.order_helpers import (order_server, fresh_shop, oc_orders, qty, totals, history,
                                   lines, map_row, webhook, cron, import_now, wait_drained,
                                   global_sql_mode)


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    fresh_shop(db, fake, server, admin)


def crash_state(db, number, oid, stock_taken, keep_lines):
    """Turn a finished import back into what a process that died mid-import leaves."""
    db.execute("UPDATE oc_reverb_order_map SET import_state = 'claimed', stock_taken = %s,"
               " order_id = %s, claimed_at = NOW(3) - INTERVAL 5 MINUTE"
               " WHERE reverb_order_number = %s", (stock_taken, 0 if not keep_lines else oid, number))
    db.execute("DELETE FROM oc_order_total WHERE order_id = %s", (oid,))
    if not keep_lines:
        db.execute("DELETE FROM oc_order_product WHERE order_id = %s", (oid,))
        db.execute("DELETE FROM oc_order_history WHERE order_id = %s", (oid,))


def test_claim_left_without_rows_is_finished(db, fake, server, admin):
    fake.seed_order(order_number="7101", sku="ORD-1", quantity=2)
    db.execute("INSERT INTO oc_reverb_order_map (reverb_order_number, order_bundle_id, reverb_status,"
               " quantity, import_state, claimed_at) VALUES ('7101', '7101', 'paid', 2, 'claimed',"
               " NOW(3) - INTERVAL 10 MINUTE)")
    r = cron(server, db)
    assert r.status == 200, r
    wait_drained(admin, server)
    (oid, total, _, _), = oc_orders(db)
    assert float(total) == 215.0 and qty(db, 5201) == 8 and len(lines(db, oid)) == 1
    assert map_row(db, "7101") == (oid, "imported", 1, "paid", 5201)


def test_crash_after_the_order_row_is_repaired_not_duplicated(db, fake, server, admin):
    fake.seed_order(order_number="7102", sku="ORD-2", quantity=1, price="200.00")
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    # the process died right after INSERT INTO oc_order: no map link, no lines, no stock
    crash_state(db, "7102", oid, 0, keep_lines=False)
    db.execute("UPDATE oc_product SET quantity = 5 WHERE product_id = 5202")
    assert webhook(server, db, {"order_number": "7102"}).status == 202
    wait_drained(admin, server)
    assert [o[0] for o in oc_orders(db)] == [oid]
    assert len(lines(db, oid)) == 1 and qty(db, 5202) == 4
    assert totals(db, oid) == {"sub_total": 200.0, "shipping": 15.0, "total": 215.0}
    assert history(db, oid) == [2]
    assert map_row(db, "7102")[:3] == (oid, "imported", 1)


def test_crash_after_lines_and_stock_is_repaired_once(db, fake, server, admin):
    fake.seed_order(order_number="7103", sku="ORD-1", quantity=3)
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    assert qty(db, 5201) == 7
    # died after the line and the stock, before totals and 'imported'
    crash_state(db, "7103", oid, 1, keep_lines=True)
    import_now(admin, server)
    wait_drained(admin, server)     # the worker may be the one that repairs it
    assert map_row(db, "7103")[1] == "imported"
    assert [o[0] for o in oc_orders(db)] == [oid]
    assert len(lines(db, oid)) == 1 and qty(db, 5201) == 7
    assert totals(db, oid) == {"sub_total": 300.0, "shipping": 15.0, "total": 315.0}


def test_repair_of_an_order_cancelled_meanwhile(db, fake, server, admin):
    fake.seed_order(order_number="7104", sku="ORD-1", quantity=1)
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    crash_state(db, "7104", oid, 1, keep_lines=True)
    fake.edit_order("7104", status="cancelled")
    import_now(admin, server)
    assert [o[0] for o in oc_orders(db)] == [oid]
    assert qty(db, 5201) == 10 and oc_orders(db)[0][2] == 7
    assert map_row(db, "7104")[1:3] == ("imported", 0)


def test_staff_cancel_in_opencart_then_reverb_cancel_restocks_once(db, fake, server, admin):
    fake.seed_order(order_number="7105", sku="ORD-2", quantity=2)
    import_now(admin, server)
    (oid, _, _, _), = oc_orders(db)
    assert qty(db, 5202) == 3
    # what OpenCart's addOrderHistory does when staff cancel: status 7, stock back
    db.execute("UPDATE oc_order SET order_status_id = 7 WHERE order_id = %s", (oid,))
    db.execute("UPDATE oc_product SET quantity = quantity + 2 WHERE product_id = 5202")
    fake.edit_order("7105", status="cancelled")
    import_now(admin, server)
    assert qty(db, 5202) == 5
    assert history(db, oid)[-1] == 7


def test_transient_api_failures_are_retried(db, fake, server, admin):
    fake.seed_order(order_number="7106", sku="ORD-1", quantity=1)
    fake.faults([{"method": "GET", "path_regex": "/my/orders/selling/7106$", "kind": "503",
                  "times": 4}])
    assert webhook(server, db, {"order_number": "7106"}).status == 202
    wait_drained(admin, server, timeout=40)
    assert len(oc_orders(db)) == 1 and qty(db, 5201) == 9


def test_poll_failure_keeps_the_watermark(db, fake, server, admin):
    fake.seed_order(order_number="7107", sku="ORD-1", quantity=1)
    cron(server, db)
    mark = db.setting("order_last_sync")
    assert mark
    fake.faults([{"path_regex": "/my/orders/selling/all", "kind": "500"}])
    r = cron(server, db)
    assert r.status == 200 and r.json["orders_polled"] is False
    assert db.setting("order_last_sync") == mark


STRICT = ("STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,"
          "NO_BACKSLASH_ESCAPES,ONLY_FULL_GROUP_BY")


def test_strict_sql_mode_and_awkward_orders(db, fake, admin):
    with global_sql_mode(db, STRICT):
        server = order_server(db, fake)
        try:
            fresh_shop(db, fake, server, admin)
            fake.seed_order(order_number="7108", sku="ORD-1", quantity=1,
                            buyer_first_name="Maximilian-Alexander-Johannes-Friedrich",
                            buyer_last_name="Müller 🎸 von Überlänge-und-noch-viel-länger",
                            buyer_email="x" * 120 + "@example.com",
                            title="T" * 300,
                            shipping_address={"name": "Bob \"Quote\" <b>", "street_address": "1 O'Neil St",
                                              "extended_address": None, "locality": "Auckland",
                                              "region": "Nowhere", "postal_code": "123456789012345",
                                              "country_code": "nz", "phone": "+64 " + "9" * 40})
            fake.seed_order(order_number="7109", sku="ORD-2", quantity=1, shipping_address=None,
                            local_pickup=True)
            fake.seed_order(order_number="7110", sku="ORD-2", quantity=1,
                            shipping_address={"name": "Nobody", "country_code": "ZZ",
                                              "region": "QLD"})
            fake.seed_order(order_number="7111", sku="ORD-1", quantity=1,
                            shipping_address={"name": "Brisbane Buyer", "street_address": "2 Q St",
                                              "locality": "Brisbane", "region": "qld",
                                              "postal_code": "4000", "country_code": "AU"})
            r = import_now(admin, server)
            assert r["imported"] == 4 and r["failed"] == 0, r
            rows = {r[0]: r[1:] for r in db.query(
                "SELECT SUBSTRING_INDEX(SUBSTRING(comment, 15), ' ', 1), firstname, lastname, email,"
                " shipping_postcode, shipping_country, shipping_country_id, shipping_zone,"
                " shipping_zone_id, telephone, shipping_firstname, shipping_method"
                " FROM oc_order WHERE user_agent = 'mod_reverb'")}
            a = rows["7108"]
            assert len(a[0]) <= 32 and len(a[1]) <= 32 and len(a[2]) <= 96 and len(a[3]) <= 10
            assert a[4:8] == ("New Zealand", 153, "Nowhere", 0) and len(a[8]) <= 32
            assert a[9] == "Bob &quot;Quote&quot;"
            method = rows["7109"][10]
            if OC_VERSION == 4:       # 4.0: a JSON object with name and code
                method = json.loads(method)["name"]
            assert rows["7109"][5] == 0 and method == "Local pickup (Reverb)"
            assert rows["7110"][5:8] == (0, "QLD", 0)
            assert rows["7111"][4:8] == ("Australia", 13, "Queensland", 194)
            name = db.value("SELECT name FROM oc_order_product WHERE model = 'M-5201' AND name LIKE 'TTT%%'")
            assert len(name) == 255
        finally:
            server.stop()
            server.destroy()


def test_utf8mb3_shop_gets_emoji_stripped(db, fake, admin):
    """OpenCart 3.0.4 and older: 3-byte utf8 tables; an emoji must not fail the import."""
    db.execute("ALTER TABLE oc_order CONVERT TO CHARACTER SET utf8 COLLATE utf8_general_ci")
    server = None
    try:
        with global_sql_mode(db, STRICT):
            server = order_server(db, fake)
            fresh_shop(db, fake, server, admin)
            fake.seed_order(order_number="7112", sku="ORD-1", quantity=1,
                            buyer_first_name="Rock🎸", buyer_last_name="Star")
            r = import_now(admin, server)
            assert r["imported"] == 1, r
            assert db.value("SELECT firstname FROM oc_order WHERE user_agent = 'mod_reverb'") == "Rock"
    finally:
        db.execute("ALTER TABLE oc_order CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        if server:
            server.stop()
            server.destroy()
