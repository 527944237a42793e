"""Issue 4 §3: ReverbWorker Off and no webhooks: cron alone keeps a shop correct.

Its own module, so that no other server's worker runs the jobs."""
import pytest

from harness.order_helpers import order_server, fresh_shop, oc_orders, qty, webhook, cron
from harness.shop import add_many_products, reset


@pytest.fixture(scope="module")
def lone(db, fake):
    a = order_server(db, fake, worker="Off")
    yield a
    a.stop()
    a.destroy()


def worker_row(db):
    return db.query("SELECT holder, `until` FROM oc_reverb_lock WHERE name = 'worker'")


def test_polling_alone_without_worker_or_webhooks(db, fake, lone, admin):
    fresh_shop(db, fake, lone, admin)
    fake.seed_order(order_number="7604", sku="ORD-1", quantity=2)
    r = cron(lone, db)
    assert r.json["orders"]["imported"] == 1 and qty(db, 5201) == 8
    fake.edit_order("7604", status="cancelled")
    cron(lone, db)
    assert qty(db, 5201) == 10 and oc_orders(db)[0][2] == 7
    # a job queued by a webhook (out of the polling window) runs in the next cron request
    fake.seed_order(order_number="7605", sku="ORD-2", quantity=1)
    db.set_setting("order_last_sync", "2099-01-01T00:00:00+00:00")
    assert webhook(lone, db, {"order_number": "7605"}).status == 202
    assert qty(db, 5202) == 5
    before = worker_row(db)
    r = cron(lone, db)
    assert r.json["jobs_run"] >= 1 and qty(db, 5202) == 4
    # running jobs in cron does not pass for a live worker
    assert worker_row(db) == before
    assert db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE state IN ('pending', 'running')") == 0


def test_detection_covers_a_catalogue_larger_than_one_batch(db, fake, lone, admin):
    """Whole-catalogue passes read products 1,000 at a time: none is missed at
    the batch edges, none is counted twice. With the shared rate limit used
    up for longer than the cron request's drain lasts, it claims no job at
    all (it would only have to defer it): no request, no attempt counted, no
    error in the store owner's log."""
    fresh_shop(db, fake, lone, admin)
    ids = add_many_products(db, 30000, 2345, "BATCH-")
    db.execute("INSERT INTO oc_reverb_rate (ts) SELECT NOW(6) FROM seq_1_to_1000")  # window full
    fake.clear_requests()
    r = cron(lone, db)
    assert r.json["products_checked"] == len(ids)
    assert r.json["products_queued"] == len(ids)
    refs = {int(x[0]) for x in db.query("SELECT ref FROM oc_reverb_job WHERE kind = 'push'")}
    assert refs == set(ids)
    assert r.json["jobs_run"] == 0
    assert not [x for x in fake.requests() if "/listings" in x["path"]]
    assert db.value("SELECT MAX(attempts) FROM oc_reverb_job WHERE kind = 'push'") == 0
    assert db.value("SELECT COUNT(*) FROM oc_reverb_sync_log WHERE status = 'error'") == 0
    # new products wait for one prefetch of the seller's listings (a match run);
    # that prefetch is what the full window holds back, still pending
    assert db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE kind = 'prefetch'"
                    " AND state = 'pending'") == 1
    # The minute passes: the window empties and the jobs held back become due.
    # Each job this cron ran was held back until the window frees (about 60 s);
    # how many it reached in its 8 s depends on the machine's speed, so both are
    # moved on here, or the next cycle would find nothing due after a fast first one.
    db.execute("DELETE FROM oc_reverb_rate")
    db.execute("UPDATE oc_reverb_job SET run_after = NOW(3) WHERE state = 'pending' AND run_after > NOW(3)")
    # nothing was pushed, so nothing is found unchanged: all are looked at again
    r2 = cron(lone, db)
    assert r2.json["products_checked"] == len(ids)
    listed = db.value("SELECT COUNT(*) FROM oc_reverb_product_map WHERE product_id >= 30000"
                      " AND pushed_hash IS NOT NULL")
    assert listed > 0
    skus = [l["sku"] for l in fake.listings()]
    assert len(skus) == len(set(skus))
    reset(db, fake)
