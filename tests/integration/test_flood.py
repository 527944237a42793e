"""Floods cost nothing: wrong keys and missing sessions are refused without the database,
deliveries for unknown orders cannot grow the queue without bound; a clear-text API URL is
warned about. No Apache with a worker runs in this module, so the database's statement
counters see only what the requests do."""
import pytest

from harness.apache import Apache


@pytest.fixture(scope="module")
def quiet(db, fake):
    a = Apache(db, api_url=fake.api_url, rate_limit=1000, worker="Off")
    a.start()
    yield a
    a.stop()
    a.destroy()


def keys(db):
    return db.setting("webhook_key"), db.setting("cron_key")


def com_select(db):
    return int(db.query("SHOW GLOBAL STATUS LIKE 'Com_select'")[0][1])


@pytest.fixture(autouse=True)
def no_waiting_deliveries(db):
    yield
    db.execute("DELETE FROM oc_reverb_webhook")    # none left waiting for later modules


def test_wrong_keys_and_missing_sessions_need_no_database(db, quiet):
    wk, ck = keys(db)
    assert quiet.get("/reverb/cron?key=" + ck).status == 200        # the processes learn the keys
    for _ in range(6):
        assert quiet.post("/reverb/webhook?key=" + wk, {"order_number": "x1"}).status == 202
    before = com_select(db)
    n = 200
    for i in range(n):
        assert quiet.post("/reverb/webhook?key=%032x" % i, {"order_number": "1"}).status == 403
        assert quiet.get("/reverb/admin/settings").status == 401
    used = com_select(db) - before
    # without the cache every refused webhook read the settings (>= n selects); what is left
    # is at most one reload per process every few seconds
    assert used < n // 4, used


def test_wrong_keyed_orders_after_the_key_cache_expired_read_the_settings_once(db, quiet):
    """Once a process's remembered keys are older than their lifetime, a wrong-keyed order
    delivery reaches the accept statement, which takes nothing (wrong key or order import
    off); telling which reads the settings, and the process then remembers the keys again,
    so the flood's next deliveries are refused without the database."""
    import time
    wk, _ = keys(db)
    assert quiet.post("/reverb/webhook?key=" + wk, {"order_number": "x1"}).status == 202
    time.sleep(3.5)                 # past RV_KEYCACHE_TTL_SEC: the processes must ask again
    before = com_select(db)
    n = 60
    for i in range(n):
        assert quiet.post("/reverb/webhook?key=%032x" % i, {"order_number": "1"}).status == 403
    used = com_select(db) - before
    assert used < n // 4, used      # about one settings read per process, not one per delivery


def test_unknown_order_deliveries_are_capped_and_known_ones_pass(db, fake, admin):
    """The cap is applied where deliveries become jobs (the worker's batches): a delivery
    is always recorded, but past 300 new order jobs a minute one for an order the shop has
    never seen makes no job; an order already queued or already imported always passes.
    Reverb's limit is paused here so that no job runs and the queue can be inspected."""
    from harness.shop import configure
    from harness.util import wait_until
    db.execute("DELETE FROM oc_reverb_job")
    db.execute("DELETE FROM oc_reverb_webhook")
    db.execute("UPDATE oc_reverb_lock SET `until` = NOW(3) + INTERVAL 1 HOUR WHERE name = 'rate'")
    busy = Apache(db, api_url=fake.api_url, rate_limit=1000, interval=200)
    busy.start()
    try:
        configure(admin, busy)          # the module on: its worker drains
        wk, _ = keys(db)
        db.execute("INSERT INTO oc_reverb_job (kind, ref, live_key, state, priority, run_after)"
                   " VALUES ('order', 'U1', 'order:U1', 'pending', 10, NOW(3) + INTERVAL 1 HOUR)")
        # 300 order jobs created "now" (in the future, so the minute never runs out mid-test)
        db.execute("INSERT INTO oc_reverb_job (kind, ref, live_key, state, created_at) "
                   "SELECT 'order', CONCAT('F', seq), CONCAT('order:F', seq), 'done',"
                   " NOW(3) + INTERVAL 1 HOUR FROM seq_1_to_300")
        db.execute("INSERT INTO oc_reverb_order_map (reverb_order_number, order_id, reverb_status)"
                   " VALUES ('KNOWN-1', 0, 'paid')")
        jobs = db.value("SELECT COUNT(*) FROM oc_reverb_job")
        for number in ("NEW-1", "U1", "KNOWN-1", "NEW-1"):
            r = busy.post("/reverb/webhook?key=" + wk, {"order_number": number})
            assert r.status == 202 and r.json == {"accepted": True}, r
        wait_until(lambda: db.value("SELECT COUNT(*) FROM oc_reverb_webhook WHERE queued = 0") == 0,
                   timeout=15, what="the worker to queue the deliveries")
        assert db.value("SELECT COUNT(*) FROM oc_reverb_webhook") == 4       # every one recorded
        # the unknown order made no job; the queued one kept its job; the known one got one
        assert db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE ref = 'NEW-1'") == 0
        assert db.query("SELECT state, priority FROM oc_reverb_job WHERE ref = 'U1'") \
            == (("pending", 10),)
        assert db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE ref = 'KNOWN-1'") == 1
        assert db.value("SELECT COUNT(*) FROM oc_reverb_job") == jobs + 1
        wait_until(lambda: "webhook for unknown order NEW-1 not queued" in busy.error_log(),
                   timeout=5, what="the cap's warning")
    finally:
        busy.stop()
        busy.destroy()
        db.execute("DELETE FROM oc_reverb_order_map WHERE reverb_order_number = 'KNOWN-1'")
        db.execute("DELETE FROM oc_reverb_job")
        db.execute("DELETE FROM oc_reverb_webhook")
        db.execute("UPDATE oc_reverb_lock SET `until` = NULL WHERE name = 'rate'")


def test_a_clear_text_api_url_is_warned_about_at_startup(quiet):
    log = quiet.error_log()
    assert "is not https" in log and "[reverb:warn]" in log
