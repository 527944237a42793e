"""Issue 6: the fault suite. A 500-product sync and a 200-order import run
while Reverb fails 20 % of requests (5xx, 429, timeouts, dropped
connections), Apache children (the worker's too) are killed with SIGKILL,
Apache restarts gracefully and MariaDB is stopped and started once.
Afterwards nothing is lost or doubled: every product listed once, every order
imported once, stock equal to the ledger, the sync log explaining the
retries, and no crash in Apache's error log."""
import concurrent.futures
import os
import random
import signal
import time

import pytest

from harness.apache import Apache, DB_AWAY_ERRORS
from harness.order_helpers import clean_orders, webhook, cron
from harness.shop import reset, ensure_category, add_product, add_many_products, configure
from harness.util import wait_until

N_PRODUCTS = 500
N_ORDERS = 200
ORDER_PRODUCTS = {5301: "FLT-ORD-0", 5302: "FLT-ORD-1", 5303: "FLT-ORD-2", 5304: "FLT-ORD-3"}
STOCK = 1000
FAULTS = [   # about one request in five fails
    {"path_regex": "/api/", "kind": "503", "probability": 0.08, "seed": 11},
    {"path_regex": "/api/", "kind": "429", "probability": 0.05, "seed": 12, "retry_after": 1},
    {"path_regex": "/api/", "kind": "timeout", "probability": 0.03, "seed": 13, "delay_ms": 1600},
    {"path_regex": "/api/", "kind": "drop", "probability": 0.04, "seed": 14},
]


def order_number(i):
    return str(9100000 + i)


def order_sku(i):
    return "FLT-ORD-%d" % (i % 4)


def order_qty(i):
    return 1 + i % 3


def cancelled(i):
    return i % 10 == 0


def worker_pid(db):
    holder = db.value("SELECT holder FROM oc_reverb_lock WHERE name = 'worker'")
    return int(holder.rsplit(":", 1)[1]) if holder else None


def kill_a_child(server, db, prefer_worker=False):
    pids = server.child_pids()
    pid = worker_pid(db) if prefer_worker else None
    if pid not in pids:
        pid = random.Random(len(pids)).choice(pids) if pids else None
    if pid:
        os.kill(pid, signal.SIGKILL)
    return pid


def deliver(server, db, numbers):
    def one(n):
        try:
            return webhook(server, db, {"order": {"order_number": n}}).status
        except OSError:            # a child we killed took the connection with it
            return 0
    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        return list(ex.map(one, numbers))


def products_listed(db, ids):
    return db.value("SELECT COUNT(*) FROM oc_reverb_product_map WHERE reverb_listing_id IS NOT NULL"
                    " AND product_id BETWEEN %s AND %s", (ids[0], ids[-1]))


def expected_stock():
    want = {pid: STOCK for pid in ORDER_PRODUCTS}
    by_sku = {sku: pid for pid, sku in ORDER_PRODUCTS.items()}
    for i in range(N_ORDERS):
        if not cancelled(i):
            want[by_sku[order_sku(i)]] -= order_qty(i)
    return want


def stock(db):
    return {pid: db.value("SELECT quantity FROM oc_product WHERE product_id = %s", (pid,))
            for pid in ORDER_PRODUCTS}


def order_rows(db):
    return {r[0]: (r[1], r[2], r[3]) for r in db.query(
        "SELECT reverb_order_number, import_state, reverb_status, order_id"
        " FROM oc_reverb_order_map WHERE reverb_order_number LIKE '91%%'")}


def orders_settled(db):
    """Every paid order imported; a cancelled one either imported and marked
    cancelled, or (cancelled before it was ever imported) not imported at all."""
    rows = order_rows(db)
    for i in range(N_ORDERS):
        row = rows.get(order_number(i))
        if cancelled(i):
            if row and row[:2] != ("imported", "cancelled"):
                return False
        elif not row or row[0] != "imported":
            return False
    return True


def settled(db, ids):
    return (products_listed(db, ids) == len(ids) and orders_settled(db)
            and stock(db) == expected_stock()
            and db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE state IN ('pending', 'running')") == 0)


@pytest.fixture
def stormy(db, fake, admin):
    ensure_category(db)
    reset(db, fake)
    clean_orders(db)
    server = Apache(db, api_url=fake.api_url, rate_limit=3000, interval=100, http_timeout=1)
    # what this test provokes on purpose: killed children, the database away
    server.expect_errors(r"exit signal Killed|AH00052")
    # a statement prepared while MariaDB is away (by id: RV0010, cannot prepare SQL)
    server.expect_errors(r"RV0010: ")
    server.expect_errors(DB_AWAY_ERRORS)     # a statement run while it is away
    # mod_dbd's own: connections lost, a child started while MariaDB was down
    server.expect_errors(r"\[dbd:(error|crit)\].*(AH00629|AH00633|AH00630|AH00636|AH00639|AH02655|mysql)")
    server.start()
    yield server
    fake.faults([])
    server.stop()
    server.destroy()


def test_sync_and_orders_survive_faults_kills_restarts(db, fake, admin, stormy):
    server = stormy
    ids = add_many_products(db, 20000, N_PRODUCTS, "FLT-")
    for pid, sku in ORDER_PRODUCTS.items():
        add_product(db, pid, "Order pedal " + sku, sku, "100.0000", STOCK)
    configure(admin, server)
    for i in range(N_ORDERS):
        fake.seed_order(order_number=order_number(i), sku=order_sku(i), quantity=order_qty(i),
                        price="100.00", shipping_amount="10.00")
    fake.faults(FAULTS)

    r = admin.post(server, "/reverb/admin/sync", {})
    assert r.status == 202, r
    deliver(server, db, [order_number(i) for i in range(0, N_ORDERS // 2)])
    wait_until(lambda: products_listed(db, ids) >= 40, timeout=60, what="the sync under way")
    killed = [kill_a_child(server, db, prefer_worker=True)]
    deliver(server, db, [order_number(i) for i in range(N_ORDERS // 2, N_ORDERS)])
    cron(server, db)
    killed.append(kill_a_child(server, db))

    # the database goes away mid-run and comes back; Apache is not restarted
    db.stop()
    time.sleep(2)
    assert server.get("/reverb/admin/status").status in (401, 503)
    db.start()
    wait_until(lambda: admin.get(server, "/reverb/admin/status").status == 200, timeout=30,
               what="mod_dbd to reconnect")

    for i in range(N_ORDERS):
        if cancelled(i):
            fake.edit_order(order_number(i), status="cancelled")
    deliver(server, db, [order_number(i) for i in range(N_ORDERS) if cancelled(i)])
    server.graceful()
    time.sleep(1)
    killed.append(kill_a_child(server, db, prefer_worker=True))
    assert all(killed), killed

    # polling keeps going, as a scheduler would call it, until the run settles
    deadline = time.time() + 300
    while not settled(db, ids) and time.time() < deadline:
        try:
            cron(server, db)
        except OSError:
            pass
        time.sleep(2)
    fake.faults([])

    # every product listed exactly once, with the listing id the fake gave it
    listings = [l for l in fake.listings() if l["sku"].startswith("FLT-")]
    skus = [l["sku"] for l in listings]
    assert len(skus) == len(set(skus)), "duplicate listings"
    assert products_listed(db, ids) == N_PRODUCTS
    assert len(skus) == N_PRODUCTS
    ids_by_sku = {l["sku"]: str(l["id"]) for l in listings}
    mapped = dict(db.query("SELECT CONCAT('FLT-', product_id), reverb_listing_id"
                           " FROM oc_reverb_product_map WHERE product_id BETWEEN %s AND %s",
                           (ids[0], ids[-1])))
    assert mapped == ids_by_sku

    # every order imported once; stock equals the ledger (cancellations restocked once)
    assert orders_settled(db), order_rows(db)
    imported = [r for r in order_rows(db).values() if r[0] == "imported"]
    assert len(imported) >= N_ORDERS - N_ORDERS // 10
    assert len({r[2] for r in imported}) == len(imported), "two Reverb orders share an OpenCart order"
    assert db.value("SELECT COUNT(*) FROM oc_order WHERE user_agent = 'mod_reverb'") == len(imported)
    assert db.value("SELECT COUNT(*) FROM oc_order_product op JOIN oc_order o USING (order_id)"
                    " WHERE o.user_agent = 'mod_reverb'") == len(imported)
    assert stock(db) == expected_stock()

    # no job lost: nothing left open; anything that gave up was done again later
    assert db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE state IN ('pending', 'running')") == 0

    # the sync log explains the retries: every job that needed more than one
    # attempt has an error entry for its product or order
    retried = db.query("SELECT kind, ref FROM oc_reverb_job WHERE attempts > 1")
    assert retried, "the faults made jobs retry"
    for kind, ref in retried:
        col = "product_id" if kind == "push" else "reverb_order_number"
        if kind not in ("push", "order"):
            continue
        assert db.value("SELECT COUNT(*) FROM oc_reverb_sync_log WHERE status = 'error' AND "
                        + col + " = %s", (ref,)), (kind, ref)
    assert db.value("SELECT COUNT(*) FROM oc_reverb_sync_log WHERE message LIKE '%%will retry%%'")
    # the fake really failed requests of every kind
    statuses = {r["status"] for r in fake.requests()}
    assert {0, 429, 503} <= statuses, statuses
