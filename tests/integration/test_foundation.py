"""Issue 2: routing, errors, schema, settings, keys, MPMs, database outages."""
import json

from harness.apache import Apache, DB_AWAY_ERRORS
from harness.util import request, wait_until

MIB = 1024 * 1024


def test_unknown_route_is_404_json(apache):
    r = apache.get("/reverb/no/such/thing")
    assert r.status == 404
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.error_code == "not_found"
    assert r.json["error"]["message"]


def test_status_reports_queue_rate_and_worker(apache, admin):
    r = admin.get(apache, "/reverb/admin/status")
    assert r.status == 200, r
    assert r.json["engine"] == "on"
    assert r.json["queue"]["pending"] == 0
    assert r.json["rate"]["limit"] == 100
    assert "used_last_minute" in r.json["rate"]
    assert r.json["schema_version"] == "9"
    # the worker thread writes its heartbeat within a few rounds
    wait_until(lambda: admin.get(apache, "/reverb/admin/status").json["worker"].get("heartbeat"),
               timeout=10, what="worker heartbeat")


def test_wrong_method_is_405(apache, admin):
    r = request("DELETE", apache.url + admin.path("/reverb/admin/status"), cookie=admin.cookie)
    assert r.status == 405
    assert r.error_code == "method_not_allowed"


def test_body_over_one_mib_is_413(apache, admin, db):
    before = db.checksum()
    big = b"{" + b" " * (MIB + 10) + b"}"
    r = admin.post(apache, "/reverb/admin/settings", big)
    assert r.status == 413 and r.error_code == "body_too_large"
    r = admin.post(apache, "/reverb/admin/settings", big, chunked=True)
    assert r.status == 413 and r.error_code == "body_too_large"
    assert db.checksum() == before


def test_malformed_json_is_400_and_writes_nothing(apache, admin, db):
    before = db.checksum()
    for body in (b'{"sync_mode": ', b'{"a":1} trailing', b"\xff\xfe", b'{"a": tru}'):
        r = admin.post(apache, "/reverb/admin/settings", body)
        assert r.status == 400, (body, r)
        assert r.error_code == "invalid_json"
    for body in (b"[1,2]", b'"text"', b'{"status": "yes"}', b'{"categories": "20"}',
                 b'{"sync_mode": "sideways"}', b'{"store_url": "ftp://x"}'):
        r = admin.post(apache, "/reverb/admin/settings", body)
        assert r.status == 400, (body, r)
        assert r.error_code == "invalid_request"
    assert db.checksum() == before


def test_settings_round_trip_and_token_masked(apache, admin, db):
    token = "rv-secret-token-1234abcd"
    r = admin.post(apache, "/reverb/admin/settings", {
        "token": token, "sync_mode": "both_ways", "status": 1, "categories": [20, "28"],
        "sync_fields": {"price": False}, "store_url": "https://shop.example.com",
        "order_status_map": {"paid": 2, "shipped": "3"}, "auto_publish": True})
    assert r.status == 200, r
    s = r.json["settings"]
    assert s["sync_mode"] == "both_ways" and s["status"] == 1 and s["auto_publish"] == 1
    assert s["categories"] == [20, 28]
    assert s["sync_fields"]["price"] is False and s["sync_fields"]["title"] is True
    assert s["store_url"] == "https://shop.example.com/"
    assert s["order_status_map"] == {"paid": 2, "shipped": 3}
    assert s["token_set"] is True and s["token_masked"].endswith("abcd")
    assert token not in r.body.decode()
    assert db.setting("token") == token
    assert json.loads(db.setting("categories")) == [20, 28]
    # the secret keys exist and appear in the URLs to copy
    assert s["cron_url"].endswith("/reverb/cron?key=" + db.setting("cron_key"))
    assert s["webhook_url"].endswith("/reverb/webhook?key=" + db.setting("webhook_key"))
    g = admin.get(apache, "/reverb/admin/settings")
    assert g.json["settings"] == s
    assert token not in g.body.decode()
    assert any(c["name"] == "Laptops & Notebooks" for c in g.json["oc_categories"])
    assert token not in apache.error_log()


def test_webhook_and_cron_need_their_key(apache, db):
    before = db.checksum()
    for path in ("/reverb/webhook", "/reverb/webhook?key=wrong", "/reverb/webhook?key="):
        r = apache.post(path, {"order_number": "1"})
        assert r.status == 403 and r.error_code == "forbidden", path
    for path in ("/reverb/cron", "/reverb/cron?key=" + "0" * 32):
        r = apache.get(path)
        assert r.status == 403 and r.error_code == "forbidden", path
    # the webhook key does not open cron, nor the other way round
    assert apache.get("/reverb/cron?key=" + db.setting("webhook_key")).status == 403
    assert apache.post("/reverb/webhook?key=" + db.setting("cron_key"), {}).status == 403
    assert db.checksum() == before


def test_schema_created_innodb_and_second_start_changes_nothing(db):
    a = Apache(db)
    a.start()
    try:
        tables = db.reverb_tables()
        for t in ("oc_reverb_product_map", "oc_reverb_order_map", "oc_reverb_sync_log",
                  "oc_reverb_job", "oc_reverb_rate", "oc_reverb_lock", "oc_reverb_meta"):
            assert t in tables
        engines = {r[0] for r in db.query(
            "SELECT engine FROM information_schema.tables WHERE table_schema='opencart'"
            " AND table_name LIKE 'oc\\_reverb\\_%%'")}
        assert engines == {"InnoDB"}
        shape = [db.query("SHOW CREATE TABLE `%s`" % t) for t in tables]
        meta = db.query("SELECT name, value, updated_at FROM oc_reverb_meta")
        keys = (db.setting("webhook_key"), db.setting("cron_key"))
    finally:
        a.stop()
    b = Apache(db)
    b.start()
    try:
        wait_until(lambda: db.value("SELECT COUNT(*) FROM oc_reverb_lock WHERE name='worker'"
                                    " AND `until` > NOW() - INTERVAL 5 SECOND"), timeout=10,
                   what="second server touching the database")
        assert [db.query("SHOW CREATE TABLE `%s`" % t) for t in db.reverb_tables()] == shape
        assert db.query("SELECT name, value, updated_at FROM oc_reverb_meta") == meta
        assert (db.setting("webhook_key"), db.setting("cron_key")) == keys
    finally:
        b.stop()
        a.destroy()
        b.destroy()


def test_an_upgrade_from_schema_7_moves_the_kept_digests_to_their_own_table(db):
    """Schema 8 keeps the inputs' digests in reverb_source and drops the map
    column that held them (v3 to v7): a database left at 7 is brought to 8 by
    the next start, the map rows otherwise as they were."""
    a = Apache(db)
    a.start()
    a.stop()
    db.execute("ALTER TABLE oc_reverb_product_map ADD COLUMN IF NOT EXISTS source_hash CHAR(32) NULL")
    db.execute("DROP TABLE oc_reverb_source")
    db.execute("INSERT INTO oc_reverb_product_map (product_id, sync_enabled, source_hash)"
               " VALUES (4999, 1, REPEAT('a', 32))")
    db.execute("UPDATE oc_reverb_meta SET value = '7' WHERE name = 'schema_version'")
    b = Apache(db)
    b.start()
    try:
        assert db.value("SELECT value FROM oc_reverb_meta WHERE name = 'schema_version'") == "9"
        assert "oc_reverb_source" in db.reverb_tables()
        cols = {r[0] for r in db.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE()"
            " AND table_name = 'oc_reverb_product_map'")}
        assert "source_hash" not in cols and "pushed_hash" in cols, cols
        assert db.value("SELECT sync_enabled FROM oc_reverb_product_map WHERE product_id = 4999") == 1
    finally:
        db.execute("DELETE FROM oc_reverb_product_map WHERE product_id = 4999")
        b.stop()
        b.destroy()
        a.destroy()


def test_uninstall_sql_drops_every_table_install_sql_creates():
    """sql/uninstall.sql (shipped in the package) names every table
    sql/install.sql creates: removing the module leaves none behind."""
    import os
    import re
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sql")
    created = set(re.findall(r"CREATE TABLE IF NOT EXISTS `(oc_reverb_\w+)`",
                             open(os.path.join(here, "install.sql")).read()))
    dropped = set(re.findall(r"`(oc_reverb_\w+)`", open(os.path.join(here, "uninstall.sql")).read()))
    assert created and created == dropped, (created - dropped, dropped - created)


def test_engine_off_answers_503(db, admin):
    a = Apache(db, engine="Off")
    a.start()
    try:
        r = admin.get(a, "/reverb/admin/status")
        assert r.status == 503 and r.error_code == "engine_off"
        assert a.get("/reverb/nothing").status == 404
    finally:
        a.stop()
        a.destroy()


def test_mpms_serve_routes(apache_mpm, db):
    from conftest import Admin
    adm = Admin(db)
    assert apache_mpm.get("/reverb/nope").status == 404
    r = adm.get(apache_mpm, "/reverb/admin/status")
    assert r.status == 200 and r.json["engine"] == "on"
    r = adm.post(apache_mpm, "/reverb/admin/settings", {"sync_mode": "one_way"})
    assert r.status == 200 and r.json["settings"]["sync_mode"] == "one_way"
    assert apache_mpm.get("/reverb/admin/status").status == 401


def test_database_down_is_503_and_recovers(db, admin, apache):
    a = Apache(db)
    # mod_dbd's own lines while the database is away; a child started in that
    # time (the event MPM adds one under load) also logs AH00636 at crit
    a.expect_errors(r"\[dbd:(error|crit)\]")
    apache.expect_errors(r"\[dbd:(error|crit)\]")   # the module's server sees it go too
    a.expect_errors(DB_AWAY_ERRORS)                  # a statement run while it is away
    apache.expect_errors(DB_AWAY_ERRORS)
    a.start()
    try:
        assert admin.get(a, "/reverb/admin/status").status == 200
        wk = db.setting("webhook_key")
        db.stop()
        r = admin.get(a, "/reverb/admin/status")
        assert r.status == 503 and r.error_code == "database_unavailable"
        assert a.post("/reverb/webhook?key=" + wk, {"order_number": "1"}).status == 503
        # a wrong key is refused without the database (when the process knows the key)
        assert a.post("/reverb/webhook?key=x", {}).status in (403, 503)
        db.start()
        # recovered without an Apache restart, from the very first request:
        # the dead pooled connections are replaced, not answered with a 503
        codes = [admin.get(a, "/reverb/admin/status").status for _ in range(12)]
        assert codes == [200] * 12, codes
    finally:
        if db.proc is None:
            db.start()
        a.stop()
        a.destroy()


def test_assets_served_cacheable(apache):
    """The admin's JS and CSS are revalidated against an entity tag made of their content
    (a 304 while unchanged), so a new build is never served stale: with the version as the
    tag and a day's max-age, a real OpenCart 3 admin ran the previous build's CSS."""
    import hashlib, os
    root = os.path.join(os.path.dirname(__file__), "..", "..", "assets")
    for name, ctype in (("reverb-admin.js", "application/javascript"), ("reverb-admin.css", "text/css")):
        r = apache.get("/reverb/admin/assets/" + name)
        assert r.status == 200
        assert r.headers["Content-Type"].startswith(ctype)
        assert r.headers["Cache-Control"] == "no-cache"
        with open(os.path.join(root, name), "rb") as f:
            assert r.body == f.read()
            f.seek(0)
            assert r.headers["ETag"] == '"%s"' % hashlib.sha256(f.read()).hexdigest()[:16]
        again = apache.get("/reverb/admin/assets/" + name, headers={"If-None-Match": r.headers["ETag"]})
        assert again.status == 304 and again.body == b""
        assert apache.get("/reverb/admin/assets/" + name, headers={"If-None-Match": '"0.1.0"'}).status == 200
    assert apache.get("/reverb/admin/assets/other.js").status == 404


def test_keys_made_once_when_children_race(apache, db, admin):
    """On a fresh install every Apache child makes sure the keys exist when it
    first reaches the database. oc_setting has no unique key on (store_id,
    key), so two children that both found no key used to insert one each: two
    rows, and processes accepting different keys (cron answered 403). Now the
    second one waits for a named lock and reads the first one's keys."""
    import threading
    lock = db.value("SELECT CONCAT('rvk:', MD5(CONCAT(DATABASE(), '|oc_|0')))")
    holder = db.connect()
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 5)", (lock,))
            assert cur.fetchone()[0] == 1
        db.execute("DELETE FROM oc_setting WHERE `key` IN ('module_reverb_cron_key',"
                   " 'module_reverb_webhook_key')")
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(
            admin.get(apache, "/reverb/admin/settings").status)) for _ in range(2)]
        for t in threads:
            t.start()
        # both requests wait for the lock (without it they would have written keys)
        waiting = lambda: db.value(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
            " WHERE INFO LIKE 'SELECT GET_LOCK(CONCAT(''rvk:%%'") == 2
        assert wait_until(waiting, timeout=8), "the key check did not wait for the lock"
        assert db.value("SELECT COUNT(*) FROM oc_setting WHERE `key` LIKE 'module_reverb_%%_key'") == 0
        # meanwhile the "first child" made them
        for k, v in (("cron_key", "c" * 32), ("webhook_key", "w" * 32)):
            db.set_setting(k, v)
        with holder.cursor() as cur:
            cur.execute("SELECT RELEASE_LOCK(%s)", (lock,))
        for t in threads:
            t.join(30)
    finally:
        holder.close()
    assert answers == [200, 200]
    rows = db.query("SELECT `key`, value FROM oc_setting WHERE `key` IN"
                    " ('module_reverb_cron_key', 'module_reverb_webhook_key') ORDER BY `key`")
    assert rows == (("module_reverb_cron_key", "c" * 32), ("module_reverb_webhook_key", "w" * 32))


def test_keys_made_again_after_module_reinstall(apache, db, admin):
    """OpenCart's uninstall deletes every module_reverb_* row while Apache runs."""
    db.execute("DELETE FROM oc_setting WHERE `key` IN ('module_reverb_cron_key',"
               " 'module_reverb_webhook_key')")
    r = admin.get(apache, "/reverb/admin/settings")
    assert r.status == 200, r
    s = r.json["settings"]
    cron_key, webhook_key = db.setting("cron_key"), db.setting("webhook_key")
    assert len(cron_key) == 32 and len(webhook_key) == 32 and cron_key != webhook_key
    assert s["cron_url"].endswith("/reverb/cron?key=" + cron_key)
    assert s["webhook_url"].endswith("/reverb/webhook?key=" + webhook_key)
    assert apache.get("/reverb/cron?key=" + cron_key).status == 200
    # (last in this module: the cycle it ran may leave jobs for the worker)
