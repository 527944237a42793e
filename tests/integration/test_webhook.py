"""Issue 4 §1: POST /reverb/webhook?key=…: record, queue, answer fast; refuse everything else.

The server here runs without a worker, so what a delivery recorded can be inspected: the
route's one statement records it (issue 13 item 6), and a worker (or cron) queues it."""
import concurrent.futures
import json

import pytest

from harness.order_helpers import order_server, fresh_shop, webhook, all_tables, elapsed
from harness.util import wait_until


@pytest.fixture(scope="module")
def server(db, fake):
    a = order_server(db, fake, worker="Off")
    yield a
    a.stop()
    a.destroy()


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    fresh_shop(db, fake, server, admin)
    yield
    db.execute("DELETE FROM oc_reverb_webhook")    # no delivery left waiting for later modules


def jobs(db):
    return db.query("SELECT kind, ref, state FROM oc_reverb_job ORDER BY job_id")


def recorded(db):
    return db.query("SELECT topic, ref FROM oc_reverb_webhook ORDER BY webhook_id")


def waiting(db):
    return db.query("SELECT kind, ref FROM oc_reverb_webhook WHERE queued = 0 ORDER BY webhook_id")


@pytest.mark.parametrize("body,headers,kind,ref", [
    ({"order_number": "8001", "status": "paid"}, None, "order", "8001"),
    ({"order": {"order_number": 8002}}, None, "order", "8002"),
    ({"listing": {"id": 9001, "inventory": 3}}, None, "pull", "9001"),
    ({"id": "9002", "state": {"slug": "live"}}, {"X-Reverb-Topic": "listings/update"}, "pull", "9002"),
    ({"id": 77, "order_number": "8003"}, {"X-Reverb-Topic": "orders/update"}, "order", "8003"),
    ({"order": {"order_number": "8004"}}, {"X-Reverb-Topic": "orders/create"}, "order", "8004"),
    ({"listing": {"id": "9003"}}, {"X-Reverb-Topic": "payments/update"}, "pull", "9003"),
])
def test_valid_delivery_is_recorded_for_the_queue(db, server, body, headers, kind, ref):
    r = webhook(server, db, body, headers=headers)
    assert r.status == 202 and r.json == {"accepted": True}, r
    assert r.headers["Content-Type"].startswith("application/json")
    # recorded, with what it names, waiting for a worker or cron to queue it
    assert waiting(db) == ((kind, ref),)
    assert jobs(db) == ()
    (topic, got), = recorded(db)
    assert got == ref and topic == (headers["X-Reverb-Topic"] if headers else
                                    ("orders/?" if kind == "order" else "listings/?"))


def test_a_recorded_delivery_counts_as_pending_work_until_queued(db, server, admin):
    """The store owner's status shows a delivery that is recorded but not yet a job as
    pending work: nothing waits out of sight."""
    for number in ("8041", "8042", "8042"):
        assert webhook(server, db, {"order_number": number}).status == 202
    st = admin.get(server, "/reverb/admin/status").json["queue"]
    assert st["pending"] == 3 and st["deliveries_waiting"] == 3, st


def test_deliveries_become_one_job_per_order_or_listing(db, fake, server, admin):
    """Duplicate and concurrent deliveries are each recorded; the worker queues them in
    batches, one job per (kind, ref) at its priority (orders before listing pulls), and
    marks every delivery queued. Reverb's limit is paused here, so the jobs stay pending
    and can be inspected."""
    db.execute("UPDATE oc_reverb_lock SET `until` = NOW(3) + INTERVAL 1 HOUR WHERE name = 'rate'")
    with concurrent.futures.ThreadPoolExecutor(10) as ex:
        codes = list(ex.map(lambda i: webhook(server, db, {"order_number": "8010"}).status,
                            range(30)))
        codes += list(ex.map(lambda i: webhook(server, db, {"listing": {"id": 9010}}).status,
                             range(5)))
    assert codes == [202] * 35
    assert len(waiting(db)) == 35 and jobs(db) == ()
    busy = order_server(db, fake)                 # the same shop, with a worker
    try:
        wait_until(lambda: not waiting(db), timeout=15, what="the worker to queue the deliveries")
        assert db.query("SELECT kind, ref, state, priority FROM oc_reverb_job ORDER BY job_id") \
            == (("order", "8010", "pending", 10), ("pull", "9010", "pending", 50))
        assert db.value("SELECT COUNT(*) FROM oc_reverb_webhook WHERE queued = 1") == 35
    finally:
        busy.stop()
        busy.destroy()
        db.execute("UPDATE oc_reverb_lock SET `until` = NULL WHERE name = 'rate'")


def test_answers_in_milliseconds_even_when_reverb_is_slow(db, fake, server):
    fake.config(latency_ms=3000)
    try:
        for i in range(5):
            r, took = elapsed(lambda: webhook(server, db, {"order_number": "802%d" % i}))
            assert r.status == 202 and took < 0.5, took
    finally:
        fake.config(latency_ms=0)


BAD_TYPES = [
    {"order_number": 1.5}, {"order_number": True}, {"order_number": None}, {"order_number": -3},
    {"order_number": ["1"]}, {"order_number": ""}, {"order_number": "a" * 65},
    {"order_number": "../1"}, {"order_number": "1 OR 1=1"}, {"order_number": "7\u00e9"},
    {"order": {"order_number": {}}}, {"order": {}}, {"order": "8001"},
    {"listing": {"id": "a/b"}}, {"listing": {"id": 2.5}}, {"id": ""}, {"id": None},
    {}, {"hello": "world"}, {"orders": [{"order_number": "1"}]},
]


@pytest.mark.parametrize("body", BAD_TYPES)
def test_wrong_types_are_400_invalid_request(db, server, body):
    before = db.checksum(all_tables(db))
    r = webhook(server, db, body)
    assert r.status == 400 and r.error_code == "invalid_request", (body, r)
    assert db.checksum(all_tables(db)) == before


@pytest.mark.parametrize("topic,body", [
    ("orders/create", {"id": 5}),
    ("orders/update", {"listing": {"id": 5}}),
    ("listings/update", {"order_number": "5"}),
    ("listings/update", {"order": {"order_number": "5"}}),
])
def test_topic_header_decides_what_is_named(db, server, topic, body):
    r = webhook(server, db, body, headers={"X-Reverb-Topic": topic})
    assert r.status == 400 and r.error_code == "invalid_request"
    assert jobs(db) == ()


def test_malformed_and_oversized_bodies(db, server):
    before = db.checksum(all_tables(db))
    for raw in (b"{", b"[]", b"null", b'"x"', b"1", b"\xff\xfe\x00", b'{"a":1} {"b":2}', b"{'a': 1}",
                b'{"order_number": "1"', b"[" * 100 + b"]" * 100):
        r = webhook(server, db, raw)
        assert r.status == 400, (raw, r)
    big = json.dumps({"order_number": "1", "pad": "x" * (1024 * 1024)})
    r = webhook(server, db, big)
    assert r.status == 413 and r.error_code == "body_too_large", r
    r = server.post("/reverb/webhook?key=" + db.setting("webhook_key"), big.encode(), chunked=True)
    assert r.status == 413, r
    assert db.checksum(all_tables(db)) == before


def test_two_hundred_malformed_bodies_change_nothing(db, server):
    before = db.checksum()
    bodies = [b"", b"{", b"[]", b"null", b'"x"', b'{"order_number": {"a": 1}}',
              b'{"order_number": "../../etc"}', b'{"order_number": "' + b"9" * 80 + b'"}',
              b'{"order": []}', b"\xff\xfe\x00", b'{"id": true}', b'{"listing": {"id": -1}}',
              b"\x00", b"{}" * 3, b'{"order_number": "1",}', b"NaN", b'{"order_number": 1e400}']
    for i in range(200):
        r = webhook(server, db, bodies[i % len(bodies)])
        assert 400 <= r.status < 500, (bodies[i % len(bodies)], r)
    assert db.checksum() == before


@pytest.mark.parametrize("key", [None, "", "wrong", "cron"])
def test_wrong_or_missing_key_is_403_and_writes_nothing(db, server, key):
    before = db.checksum()
    if key is None:
        r = server.post("/reverb/webhook", json.dumps({"order_number": "8030"}))
    else:
        r = webhook(server, db, {"order_number": "8030"},
                    key=db.setting("cron_key") if key == "cron" else key)
    assert r.status == 403 and r.error_code == "forbidden", r
    assert db.checksum() == before


def test_only_post(db, server):
    r = server.get("/reverb/webhook?key=" + db.setting("webhook_key"))
    assert r.status == 405 and r.headers.get("Allow") == "POST"
