"""A long queue is drained by two drains at once (the watchdog's and a helper
thread beside it, RV0249), and a short one by one. Two drains must share the
queue without a deadlock, push every product exactly once, and leave no rate
slot in flight once the round is over (each grant records the last answer's
slot: rv_ctx_settle)."""
import re

import pytest

from harness.order_helpers import order_server
from harness.shop import ensure_category, reset, add_many_products, configure, by_sku
from harness.util import wait_until


@pytest.fixture(scope="module")
def busy(db, fake):
    a = order_server(db, fake, rate_limit=6000)
    yield a
    a.stop()
    a.destroy()


@pytest.fixture(autouse=True)
def clean(db, fake, busy, admin):
    ensure_category(db)
    reset(db, fake)
    db.execute("DELETE FROM oc_reverb_rate")
    configure(admin, busy)


def listed(db, first, n):
    return db.value("SELECT COUNT(*) FROM oc_reverb_product_map WHERE product_id BETWEEN %s AND %s"
                    " AND reverb_listing_id IS NOT NULL", (first, first + n - 1))


def request_threads(log, since):
    """Thread ids of the RV0020 lines (one per Reverb request) after offset `since`."""
    return set(re.findall(r"\[pid \d+:tid (\d+)\][^\n]*RV0020", log[since:]))


def sync_and_wait(db, busy, admin, first, n):
    since = len(busy.error_log())
    r = admin.post(busy, "/reverb/admin/sync", {})
    assert r.status == 202, r
    wait_until(lambda: listed(db, first, n) == n, timeout=120, interval=0.2,
               what="every product to be listed")
    # the round ends once nothing is due; then no drain holds a slot
    wait_until(lambda: db.value("SELECT COUNT(*) FROM oc_reverb_job"
                                " WHERE state IN ('pending', 'running')") == 0,
               timeout=30, interval=0.2, what="the queue to empty")
    return since


def test_a_long_queue_is_drained_by_two_drains_that_push_each_product_once(db, fake, busy, admin):
    ids = add_many_products(db, 71000, 120, "TWO-")
    fake.clear_requests()
    since = sync_and_wait(db, busy, admin, 71000, 120)
    log = busy.error_log()
    assert "RV0249" in log[since:]
    assert len(request_threads(log, since)) == 2, "the requests came from one thread only"
    assert "Deadlock" not in log[since:]
    posts = [r for r in fake.requests() if r["method"] == "POST" and r["path"] == "/api/listings"]
    assert len(posts) == len(ids)                                        # no product twice
    assert sorted(by_sku(fake.listings())) == sorted("TWO-%d" % p for p in ids)
    # the prefetch's total was written before any push ran: none looked its SKU up
    assert not [r for r in fake.requests() if "sku=" in r.get("query", "")]
    # every slot's answer was recorded (none left counted as still in flight)
    wait_until(lambda: db.value("SELECT COUNT(*) FROM oc_reverb_rate WHERE ts > NOW(6)") == 0,
               timeout=10, interval=0.2, what="every rate slot to be settled")
    api = [r for r in fake.requests() if r["path"].startswith("/api/")]
    assert db.value("SELECT COUNT(*) FROM oc_reverb_rate") == len(api)   # one slot a request


def test_a_short_queue_is_drained_by_one(db, fake, busy, admin):
    add_many_products(db, 72000, 8, "ONE-")
    fake.clear_requests()
    since = sync_and_wait(db, busy, admin, 72000, 8)
    log = busy.error_log()
    assert "RV0249" not in log[since:]
    assert len(request_threads(log, since)) == 1
    assert db.value("SELECT COUNT(*) FROM oc_reverb_rate WHERE ts > NOW(6)") == 0
