"""Issue 4 §3: /reverb/cron?key=…: one polling cycle at a time; polling alone keeps a shop correct."""
import concurrent.futures
import datetime
import urllib.parse

import pytest

from harness.order_helpers import (fresh_shop, oc_orders, qty, map_row, cron,
                                   wait_drained, api_requests)


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    fresh_shop(db, fake, server, admin)


def iso(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def test_summary(db, fake, server):
    r = cron(server, db)
    assert r.status == 200, r
    j = r.json
    assert j["skipped"] is False and j["orders_polled"] is True
    assert set(j["orders"]) == {"imported", "updated", "skipped", "failed", "requeued"}
    for k in ("products_queued", "listings_to_end", "listings_to_pull", "jobs_run", "detect_ms"):
        assert isinstance(j[k], int)
    assert j["order_last_sync"] == db.setting("order_last_sync")


def test_one_cycle_at_a_time(db, fake, server):
    fake.config(latency_ms=700)
    try:
        with concurrent.futures.ThreadPoolExecutor(6) as ex:
            out = list(ex.map(lambda i: cron(server, db), range(6)))
    finally:
        fake.config(latency_ms=0)
    assert all(r.status == 200 for r in out), out
    ran = [r.json for r in out if r.json["skipped"] is False]
    skipped = [r.json for r in out if r.json["skipped"] is True]
    assert len(ran) == 1 and len(skipped) == 5
    assert all(s["reason"] == "cycle_running" for s in skipped)
    # one cycle asked Reverb for the order list once
    assert len(api_requests(fake, "GET", "/api/my/orders/selling/all")) == 1
    # the lease is given back at the end
    assert cron(server, db).json["skipped"] is False


def test_an_expired_lease_is_taken_over(db, fake, server):
    db.execute("UPDATE oc_reverb_lock SET holder = 'dead', `until` = NOW(3) + INTERVAL 1 HOUR"
               " WHERE name = 'cron'")
    r = cron(server, db)
    assert r.json == {"skipped": True, "reason": "cycle_running"}
    db.execute("UPDATE oc_reverb_lock SET `until` = NOW(3) - INTERVAL 1 SECOND WHERE name = 'cron'")
    assert cron(server, db).json["skipped"] is False


def test_disabled_module_and_wrong_key(db, fake, server):
    before = db.checksum()
    assert cron(server, db, key="nope").status == 403
    assert server.get("/reverb/cron").status == 403
    assert cron(server, db, key=db.setting("webhook_key")).status == 403
    assert db.checksum() == before
    db.set_setting("status", "0")
    r = cron(server, db)
    assert r.status == 200 and r.json == {"skipped": True, "reason": "module_disabled"}
    assert api_requests(fake) == []


def test_post_works_too(db, fake, server):
    r = server.post("/reverb/cron?key=" + db.setting("cron_key"), b"")
    assert r.status == 200 and r.json["skipped"] is False


def test_pagination_and_watermark(db, fake, server):
    db.execute("UPDATE oc_product SET quantity = 100 WHERE product_id = 5201")
    for i in range(60):
        fake.seed_order(order_number=str(7500 + i), sku="ORD-1", quantity=1)
    r = cron(server, db)
    assert r.json["orders"]["imported"] == 60, r.json
    assert len(oc_orders(db)) == 60 and qty(db, 5201) == 40
    pages = api_requests(fake, "GET", "/api/my/orders/selling/all")
    assert len(pages) == 2
    q = urllib.parse.parse_qs(pages[0]["query"])
    assert q["per_page"] == ["50"] and "updated_start_date" in q
    assert "%2B00%3A00" in pages[0]["query"]            # '+' escaped
    assert "page=2" in pages[1]["query"]
    # no second request per order: the list is the API's truth
    assert len(api_requests(fake, "GET", "/api/my/orders/selling/7")) == 0
    mark = db.setting("order_last_sync")
    newest = max(iso(o["updated_at"]) for o in fake.state()["orders"])
    assert mark.endswith("+00:00")
    assert datetime.timedelta(0) <= newest - iso(mark) <= datetime.timedelta(seconds=180)
    # the next cycle starts there, and changes nothing
    fake.clear_requests()
    r = cron(server, db)
    assert r.json["orders"]["imported"] == 0 and r.json["orders"]["updated"] == 0
    sent = urllib.parse.parse_qs(api_requests(fake, "GET", "/api/my/orders/selling/all")[0]["query"])
    assert sent["updated_start_date"] == [mark]
    assert len(oc_orders(db)) == 60 and qty(db, 5201) == 40


def test_status_changes_found_by_polling(db, fake, server):
    fake.seed_order(order_number="7601", sku="ORD-2", quantity=1)
    cron(server, db)
    assert qty(db, 5202) == 4
    fake.edit_order("7601", status="refunded")
    r = cron(server, db)
    assert r.json["orders"]["updated"] == 1
    assert qty(db, 5202) == 5 and oc_orders(db)[0][2] == 11


def test_waiting_order_is_retried_by_cron(db, fake, server, admin):
    db.execute("DELETE FROM oc_currency WHERE code = 'NZD'")
    fake.seed_order(order_number="7602", sku="ORD-1", quantity=1, currency="NZD", price="110.00",
                    shipping_amount="0")
    r = cron(server, db)
    assert r.json["orders"]["failed"] == 1 and map_row(db, "7602")[1] == "waiting"
    try:
        db.execute("INSERT INTO oc_currency (title, code, symbol_left, symbol_right, decimal_place,"
                   " value, status, date_modified) VALUES ('NZ Dollar', 'NZD', '$', '', '2', 1.1, 1,"
                   " NOW())")
        # out of the polling window: only the retry list brings it back, once it is due
        db.set_setting("order_last_sync", "2099-01-01T00:00:00+00:00")
        assert cron(server, db).json["orders"]["requeued"] == 0
        db.execute("UPDATE oc_reverb_order_map SET claimed_at = NOW(3) - INTERVAL 10 MINUTE"
                   " WHERE reverb_order_number = '7602'")
        assert cron(server, db).json["orders"]["requeued"] == 1
        wait_drained(admin, server)
        (oid, total, _, cur), = oc_orders(db)
        assert cur == "NZD" and float(total) == 100.0 and qty(db, 5201) == 9
        assert map_row(db, "7602")[1] == "imported"
    finally:
        db.execute("DELETE FROM oc_currency WHERE code = 'NZD'")


def test_stale_claim_is_repaired_by_cron_out_of_window(db, fake, server, admin):
    fake.seed_order(order_number="7603", sku="ORD-2", quantity=1)
    db.set_setting("order_last_sync", "2099-01-01T00:00:00+00:00")
    db.execute("INSERT INTO oc_reverb_order_map (reverb_order_number, order_bundle_id, reverb_status,"
               " quantity, import_state, claimed_at) VALUES ('7603', '7603', 'paid', 1, 'claimed',"
               " NOW(3) - INTERVAL 10 MINUTE)")
    assert cron(server, db).json["orders"]["requeued"] == 1
    wait_drained(admin, server)
    assert len(oc_orders(db)) == 1 and qty(db, 5202) == 4
