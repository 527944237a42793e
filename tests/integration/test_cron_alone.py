"""Issue 4 §3: ReverbWorker Off and no webhooks: cron alone keeps a shop correct.

Its own module, so that no other server's worker runs the jobs."""
import pytest

from harness.order_helpers import order_server, fresh_shop, oc_orders, qty, webhook, cron


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
