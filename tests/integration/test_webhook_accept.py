"""Issue 13 item 6: an accepted webhook delivery costs the database as little as a durable
answer allows: one autocommitted statement that checks the key and records the delivery
(no settings read, no transaction, no job upsert, no count for the unknown-order cap: the
worker queues recorded deliveries in batches). Counted with MariaDB's own Com_* counters;
no Apache with a worker runs in this module, so they see only what the deliveries do."""
import concurrent.futures
import json
import time

import pytest

from harness.apache import Apache

COUNTERS = ("Com_select", "Com_insert", "Com_insert_select", "Com_update", "Com_delete",
            "Com_replace", "Com_begin", "Com_commit")


@pytest.fixture(scope="module")
def quiet(db):
    a = Apache(db, mpm="prefork", worker="Off")
    a.start()
    yield a
    a.stop()
    a.destroy()


@pytest.fixture(scope="module")
def one(db):
    """A single prefork child, past its first request (which checks the schema once per
    process), so the counters see deliveries only."""
    a = Apache(db, mpm="prefork", worker="Off", extra_conf="StartServers 1\nMinSpareServers 1\n"
               "MaxSpareServers 1\nMaxRequestWorkers 1\nServerLimit 1")
    a.start()
    assert len(a.child_pids()) == 1
    yield a
    a.stop()
    a.destroy()


@pytest.fixture(autouse=True)
def empty_queue(db):
    db.execute("DELETE FROM oc_reverb_job")
    db.execute("DELETE FROM oc_reverb_webhook")
    yield
    db.execute("DELETE FROM oc_reverb_webhook")    # no delivery left waiting for later modules


def counters(db):
    rows = db.query("SHOW GLOBAL STATUS WHERE Variable_name IN (%s)"
                    % ", ".join("'%s'" % c for c in COUNTERS))
    return {k: int(v) for k, v in rows}


def deliver(server, key, number):
    return server.post("/reverb/webhook?key=" + key, {"order_number": number},
                       headers={"X-Reverb-Topic": "orders/update"})


def spent(db, fn):
    before = counters(db)
    fn()
    after = counters(db)
    return {k[4:]: after[k] - before[k] for k in COUNTERS}


def one_statement_each(used, n):
    # the former path ran START, the recording INSERT ... SELECT, the job upsert and COMMIT
    # per delivery (and before that read every module setting and counted the minute's
    # order jobs): now the recording statement alone, autocommitted
    assert used["insert_select"] == n, used
    assert used["select"] == used["insert"] == used["update"] == 0, used
    assert used["delete"] == used["replace"] == used["begin"] == used["commit"] == 0, used


def test_a_repeated_delivery_is_one_statement(db, one):
    key = db.setting("webhook_key")
    assert deliver(one, key, "A-1").status == 202
    n = 20

    def run():
        for _ in range(n):
            r = deliver(one, key, "A-1")
            assert r.status == 202 and r.json == {"accepted": True}, r
    one_statement_each(spent(db, run), n)
    # every one of them stored (committed before its answer), waiting for the worker
    assert db.value("SELECT COUNT(*) FROM oc_reverb_webhook WHERE ref = 'A-1' AND queued = 0"
                    " AND kind = 'order'") == n + 1
    assert db.query("SELECT kind, ref, state FROM oc_reverb_job") == ()


def test_a_new_order_is_one_statement(db, one):
    key = db.setting("webhook_key")
    n = 10

    def run():
        for i in range(n):
            assert deliver(one, key, "B-%d" % i).status == 202
    one_statement_each(spent(db, run), n)
    assert db.value("SELECT COUNT(*) FROM oc_reverb_webhook WHERE ref LIKE 'B-%%'") == n


def test_a_listing_delivery_is_one_statement(db, one):
    key = db.setting("webhook_key")

    def run():
        for i in range(5):
            r = one.post("/reverb/webhook?key=" + key, {"listing": {"id": 7700 + i}},
                           headers={"X-Reverb-Topic": "listings/update"})
            assert r.status == 202, r
    one_statement_each(spent(db, run), 5)
    assert db.value("SELECT COUNT(*) FROM oc_reverb_webhook WHERE kind = 'pull'") == 5


def test_a_key_changed_elsewhere_is_refused_at_once_by_every_process(db, quiet):
    """Another server (or the admin on another process) makes new keys: the old webhook key
    is refused by the very next delivery in every Apache child, nothing written."""
    old = db.setting("webhook_key")
    with concurrent.futures.ThreadPoolExecutor(8) as ex:      # every child accepts (and remembers) it
        assert set(ex.map(lambda i: deliver(quiet, old, "C-1").status, range(40))) == {202}
    assert len(quiet.child_pids()) >= 2
    db.execute("UPDATE oc_setting SET value = 'feedc0de' WHERE store_id = 0"
               " AND `key` = 'module_reverb_webhook_key'")
    try:
        before = (db.value("SELECT COUNT(*) FROM oc_reverb_webhook"),
                  db.value("SELECT COUNT(*) FROM oc_reverb_job"))
        with concurrent.futures.ThreadPoolExecutor(8) as ex:
            codes = list(ex.map(lambda i: deliver(quiet, old, "C-%d" % i).status, range(40)))
        assert codes == [403] * 40
        assert (db.value("SELECT COUNT(*) FROM oc_reverb_webhook"),
                db.value("SELECT COUNT(*) FROM oc_reverb_job")) == before
        # once the keys the children remember are stale (RV_KEYCACHE_TTL_SEC), only the
        # database decides: the key is compared byte for byte, not in the column's
        # case-blind collation, and the new key works
        time.sleep(3.5)
        r = quiet.post("/reverb/webhook?key=FEEDC0DE", json.dumps({"order_number": "C-9"}))
        assert r.status == 403, r
        assert db.value("SELECT COUNT(*) FROM oc_reverb_webhook") == before[0]
        assert deliver(quiet, "feedc0de", "C-9").status == 202
    finally:
        db.execute("UPDATE oc_setting SET value = %s WHERE store_id = 0"
                   " AND `key` = 'module_reverb_webhook_key'", (old,))


@pytest.mark.parametrize("body", [b"{}", b"", b"not json", b"[1]", b'{"order_number": "x y"}'])
def test_a_bad_body_with_a_wrong_key_is_403_by_a_fresh_process(db, quiet, body):
    """The key is checked by the accept statement, after the body is read; a
    body that never reaches that statement is refused 403 all the same when
    the key is wrong, even by a process that has not learned the key yet (a
    caller without the key learns nothing about what we accept), and 400 with
    the right key."""
    from harness.util import request
    a = Apache(db, mpm="prefork", worker="Off")
    a.start()
    try:
        r = request("POST", a.url + "/reverb/webhook?key=wrong-key", body=body,
                    headers={"Content-Type": "application/json"})
        assert r.status == 403, r
        r = request("POST", a.url + "/reverb/webhook?key=" + db.setting("webhook_key"), body=body,
                    headers={"Content-Type": "application/json"})
        assert r.status == 400, r
        assert db.value("SELECT COUNT(*) FROM oc_reverb_webhook") == 0
    finally:
        a.stop()
        a.destroy()
