"""Issue 10 item 4: log_retention_days; cron prunes the sync log, finished jobs and
webhook rows in bounded batches; the log page's filters and counts read indexes."""
import contextlib
import os
import re

import pytest

from harness.order_helpers import fresh_shop, cron, order_server

LOG = ("INSERT INTO oc_reverb_sync_log (product_id, direction, status, action, message, created_at)"
       " SELECT 6000 + seq %% 50, IF(seq %% 7 = 0, 'pull', 'push'), IF(seq %% 50 = 0, 'error', 'success'),"
       " 'update', 'housekeeping test', NOW(3) - INTERVAL %s DAY FROM seq_1_to_{n}")


def add_log(db, n, days_old):
    db.execute(LOG.format(n=n), (days_old,))


def log_count(db):
    return db.value("SELECT COUNT(*) FROM oc_reverb_sync_log")


@pytest.fixture(autouse=True)
def clean(db, fake, server, admin):
    db.execute("DELETE FROM oc_setting WHERE `key` = 'module_reverb_log_retention_days'")
    fresh_shop(db, fake, server, admin)
    yield
    db.execute("DELETE FROM oc_setting WHERE `key` = 'module_reverb_log_retention_days'")
    db.execute("DELETE FROM oc_reverb_sync_log")


def test_setting_default_validation_and_save(db, server, admin):
    s = admin.get(server, "/reverb/admin/settings").json["settings"]
    assert s["log_retention_days"] == 90
    for bad in (-1, 3651, "abc", "", 1.5, [], "12 days"):
        r = admin.post(server, "/reverb/admin/settings", {"log_retention_days": bad})
        assert r.status == 400, (bad, r)
        assert "log_retention_days" in r.json["error"]["message"]
    assert db.setting("log_retention_days") is None
    for good, stored in ((30, "30"), ("0", "0"), (3650, "3650")):
        r = admin.post(server, "/reverb/admin/settings", {"log_retention_days": good})
        assert r.status == 200, r
        assert r.json["settings"]["log_retention_days"] == int(stored)
        assert db.setting("log_retention_days") == stored


def test_cron_prunes_old_rows_and_keeps_the_rest(db, server):
    add_log(db, 2500, 100)   # more than two batches
    add_log(db, 10, 89)
    add_log(db, 10, 0)
    jobs = [  # (kind, ref, state, days since updated, run_id, kept)
        ("push", "1", "done", 8, None, False), ("push", "2", "done", 8, None, False),
        ("order", "3", "failed", 8, None, False), ("pull", "4", "done", 30, None, False),
        ("push", "5", "done", 6, None, True), ("push", "6", "running", 8, None, True),
        ("push", "7", "done", 8, 901, True),      # the latest full sync's: its progress counts them
        ("push", "8", "done", 8, 900, False)]
    db.execute("INSERT INTO oc_reverb_sync_run (run_id, state, total, started_at, finished_at) VALUES"
               " (900, 'finished', 1, NOW() - INTERVAL 20 DAY, NOW() - INTERVAL 20 DAY),"
               " (901, 'finished', 1, NOW() - INTERVAL 9 DAY, NOW() - INTERVAL 8 DAY)")
    for kind, ref, state, days, run, _ in jobs:
        db.execute("INSERT INTO oc_reverb_job (kind, ref, live_key, state, run_id, lease_owner, lease_until,"
                   " created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s,"
                   " NOW(3) - INTERVAL %s DAY, NOW(3) - INTERVAL %s DAY)",
                   (kind, ref, kind + ":" + ref if state == "running" else None, state, run,
                    "test" if state == "running" else None,
                    "2099-01-01" if state == "running" else None, days, days))
    for days in (31, 45, 29, 0):
        db.execute("INSERT INTO oc_reverb_webhook (topic, ref, received_at)"
                   " VALUES ('orders/update', '1', NOW(3) - INTERVAL %s DAY)", (days,))
    r = cron(server, db)
    assert r.status == 200, r
    assert r.json["pruned"] == {"log_rows": 2500, "jobs": 5, "webhooks": 2}
    assert log_count(db) == 20
    assert db.value("SELECT MAX(DATEDIFF(NOW(), created_at)) FROM oc_reverb_sync_log") == 89
    left = {r[0] for r in db.query("SELECT ref FROM oc_reverb_job WHERE kind IN ('push', 'order', 'pull')"
                                   " AND ref IN ('1','2','3','4','5','6','7','8')")}
    assert left == {ref for _, ref, _, _, _, kept in jobs if kept}
    assert sorted(r[0] for r in db.query("SELECT DATEDIFF(NOW(), received_at) FROM oc_reverb_webhook")) == [0, 29]
    # nothing left to prune: the next cycle deletes nothing
    assert cron(server, db).json["pruned"] == {"log_rows": 0, "jobs": 0, "webhooks": 0}
    db.execute("DELETE FROM oc_reverb_job WHERE lease_owner = 'test'")


def test_retention_setting_is_followed_and_zero_keeps_forever(db, server, admin):
    add_log(db, 5, 400)
    add_log(db, 5, 31)
    add_log(db, 5, 29)
    assert admin.post(server, "/reverb/admin/settings", {"log_retention_days": 0}).status == 200
    assert cron(server, db).json["pruned"]["log_rows"] == 0
    assert log_count(db) == 15
    assert admin.post(server, "/reverb/admin/settings", {"log_retention_days": 30}).status == 200
    assert cron(server, db).json["pruned"]["log_rows"] == 10
    assert log_count(db) == 5


def test_a_large_backlog_is_pruned_in_bounded_steps(db, server):
    """1,000 rows per DELETE (each its own short transaction), at most 50 per cycle."""
    add_log(db, 60000, 120)
    add_log(db, 3, 1)
    assert cron(server, db).json["pruned"]["log_rows"] == 50000
    assert log_count(db) == 10003
    assert cron(server, db).json["pruned"]["log_rows"] == 10000
    assert log_count(db) == 3


@contextlib.contextmanager
def statements_logged(db):
    """MariaDB writes every statement of sessions opened inside the block to its
    slow log, with Rows_examined and the EXPLAIN of the plan it ran."""
    path = os.path.join(db.value("SELECT @@datadir"), "rv-housekeeping-slow.log")
    saved = db.query("SELECT @@global.slow_query_log_file, @@global.log_slow_verbosity,"
                     " @@global.long_query_time, @@global.slow_query_log")[0]
    db.execute("SET GLOBAL slow_query_log_file = %s", (path,))
    db.execute("SET GLOBAL log_slow_verbosity = 'query_plan,explain'")
    db.execute("SET GLOBAL long_query_time = 0")
    db.execute("SET GLOBAL slow_query_log = 1")
    try:
        yield path
    finally:
        db.execute("SET GLOBAL slow_query_log = %s", (saved[3],))
        db.execute("SET GLOBAL long_query_time = %s", (saved[2],))
        db.execute("SET GLOBAL log_slow_verbosity = %s", (saved[1],))
        db.execute("SET GLOBAL slow_query_log_file = %s", (saved[0],))


def log_statements(text):
    """(rows_examined, explain lines, sql) of the module's statements on the sync log."""
    out = []
    for block in re.split(r"\n(?=# User@Host: )", text):
        if not block.startswith("# User@Host: oc[oc]") or "reverb_sync_log" not in block:
            continue
        examined = int(re.search(r"Rows_examined: (\d+)", block).group(1))
        explain = [l[len("# explain: "):].split("\t") for l in block.splitlines()
                   if l.startswith("# explain: ")]
        sql = [l for l in block.splitlines() if l and not l.startswith(("#", "SET timestamp", "use "))]
        out.append((examined, explain, " ".join(sql)))
    return out


FILTERS = [("", "", "0"), ("success", "", "0"), ("error", "", "0"), ("", "pull", "0"),
           ("", "push", "0"), ("error", "pull", "0"), ("success", "push", "0"),
           ("", "", "6017"), ("error", "", "6000"), ("success", "pull", "6014")]


def test_log_page_reads_indexes_not_the_table(db, fake, admin):
    """Each page view of the log (every filter) reads at most the count's cap of
    index entries and 20 rows, on a 100,000-row log: the EXPLAIN of both statements,
    as the module ran them, is printed (pytest -s) and checked."""
    add_log(db, 100000, 1)
    db.execute("ANALYZE TABLE oc_reverb_sync_log")
    with statements_logged(db) as path:
        lone = order_server(db, fake, worker="Off")   # its sessions open now: they log
        try:
            for status, direction, product in FILTERS:
                q = "per_page=20&page=1&status=%s&direction=%s&product_id=%s" % (status, direction, product)
                start = os.path.getsize(path) if os.path.exists(path) else 0
                r = admin.get(lone, "/reverb/admin/log?" + q)
                assert r.status == 200, r
                with open(path) as f:
                    f.seek(start)
                    stmts = log_statements(f.read())
                assert len(stmts) == 2, (q, stmts)
                (count_rows, count_plan, count_sql), (page_rows, page_plan, page_sql) = stmts
                assert count_sql.startswith("SELECT COUNT(*)") and page_sql.startswith("SELECT l.log_id")
                filtered = status or direction or product != "0"
                # a product's entries are read newest first until 20 match its other filters
                page_most = 1000 if product != "0" and (status or direction) else 21
                for plan, most in ((count_plan, 10001), (page_plan, page_most)):
                    print(q, "\n  " + "\n  ".join("\t".join(row) for row in plan))
                    log = [dict(zip(plan[0], row)) for row in plan[1:] if row[2] == "l"]
                    assert len(log) == 1, plan
                    # the log itself: a filter is read through its index; at most `most` entries
                    # (the count's cap + 1, or one page), in log_id order (no sort of all matches)
                    assert not filtered or (log[0]["type"] != "ALL" and log[0]["key"] != "NULL"), plan
                    assert float(log[0]["r_rows"]) <= most, plan
                    assert "filesort" not in log[0]["Extra"], plan
                # the count stops at 10,001 entries (+ as many reads of its derived table)
                assert count_rows <= 2 * 10001, (q, count_rows)
                assert page_rows <= page_most + 80, (q, page_rows)   # the entries and their joins
                if (status, direction, product) == ("", "", "0"):
                    assert r.json["total"] == 10000 and r.json["total_capped"] is True
                    assert len(r.json["entries"]) == 20
                if product == "6017":
                    assert r.json["total"] == 2000 and r.json["total_capped"] is False
                if (status, direction) == ("error", "pull") and product == "0":
                    assert r.json["total"] == 285 and r.json["entries"][0]["status"] == "error"
        finally:
            lone.stop()
            lone.destroy()
