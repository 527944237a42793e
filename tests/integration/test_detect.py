"""Issue 13 item 5: an idle shop costs nothing. Cron's per-minute check reads only what
changed since the last cycle (date_modified, order activity, specials that start or end,
map rows changed); the whole catalogue is read by content hourly (ReverbFullScanInterval),
after a settings change the listings depend on, and on the first cycle. Worker Off: cron
runs the jobs, so the order of events is the module's."""
import pytest

from harness import OC_VERSION
from harness.apache import Apache
from harness.order_helpers import cron
from harness.shop import ensure_category, reset, add_many_products, configure, by_sku
from harness.util import wait_until

FIRST, N = 5700, 12
CONTENT_TABLES = ("oc_product_description", "oc_product_image", "oc_product_to_category")


@pytest.fixture(scope="module")
def lone(db, fake):
    a = Apache(db, api_url=fake.api_url, rate_limit=1000, interval=200, worker="Off",
               full_scan=3600)
    a.start()
    yield a
    a.stop()
    a.destroy()


@pytest.fixture(autouse=True)
def clean(db, fake, lone, admin):
    ensure_category(db)
    reset(db, fake)
    configure(admin, lone)


def cycle(db, lone):
    r = cron(lone, db)
    assert r.status == 200 and r.json["skipped"] is False, r
    return r.json


def synced_and_quiet(db, fake, lone):
    """N products listed on the fake, detection settled, and every trace of that
    (date_modified, map rows' updated_at) older than the check's look-back."""
    ids = add_many_products(db, FIRST, N, "DET-")

    def idle():
        cycle(db, lone)
        return db.value("SELECT COUNT(*) FROM oc_reverb_job WHERE state IN ('pending', 'running')"
                        " AND run_after <= NOW(3)") == 0
    wait_until(idle, timeout=60, interval=0.2, what="the queue to drain by cron")
    assert len([s for s in by_sku(fake.listings()) if s.startswith("DET-")]) == N
    cycle(db, lone)          # the pushed map rows are looked at once more, their digest stored
    db.execute("UPDATE oc_product SET date_modified = date_modified - INTERVAL 2 DAY"
               " WHERE product_id >= 5000")
    db.execute("UPDATE oc_reverb_product_map SET updated_at = updated_at - INTERVAL 1 DAY")
    return ids


def rows_read(db):
    return {r[0]: int(r[1]) for r in db.query(
        "SELECT table_name, rows_read FROM information_schema.table_statistics"
        " WHERE table_schema = DATABASE()")}


def test_an_unchanged_catalogue_reads_no_product_rows(db, fake, lone):
    synced_and_quiet(db, fake, lone)
    db.execute("SET GLOBAL userstat = 1")
    try:
        db.execute("FLUSH TABLE_STATISTICS")
        j = cycle(db, lone)
        read = rows_read(db)
    finally:
        db.execute("SET GLOBAL userstat = 0")
    # nothing of the products' content was read: no description, image or category row
    assert {t: read.get(t, 0) for t in CONTENT_TABLES} == {t: 0 for t in CONTENT_TABLES}, read
    # and of the product table only what its date_modified index names (nothing)
    assert read.get("oc_product", 0) == 0, read
    assert j["detect_scan"] == "incremental" and j["products_candidates"] == 0, j
    assert j["products_queued"] == 0 and j["products_checked"] == 0, j


def test_the_full_scan_catches_a_change_with_no_trace(db, fake, lone):
    ids = synced_and_quiet(db, fake, lone)
    # stock and an image changed by SQL: no event, no date_modified
    db.execute("UPDATE oc_product SET quantity = quantity + 3 WHERE product_id = %s", (ids[0],))
    db.execute("INSERT INTO oc_product_image (product_id, image, sort_order)"
               " VALUES (%s, 'catalog/extra.jpg', 1)", (ids[1],))
    j = cycle(db, lone)
    assert j["detect_scan"] == "incremental" and j["products_queued"] == 0, j
    # the hourly scan's hour has passed (no sleeping: its start is moved back)
    db.execute("UPDATE oc_reverb_detect SET full_at = full_at - INTERVAL 61 MINUTE")
    j = cycle(db, lone)
    assert j["detect_scan"] == "due" and j["products_queued"] == 2, j
    want = db.value("SELECT quantity FROM oc_product WHERE product_id = %s", (ids[0],))

    def pushed():
        cycle(db, lone)     # cron runs the jobs (no worker here)
        return by_sku(fake.listings())["DET-%d" % ids[0]]["inventory"] == want
    wait_until(pushed, timeout=30, interval=0.2, what="the new stock on Reverb")
    # and the next cycle is incremental again
    assert cycle(db, lone)["detect_scan"] == "incremental"


def test_the_full_scan_skips_unchanged_ranges_and_still_catches_untraced_changes(db, fake, lone):
    """The full scan compares an id range's rows by one digest per table (no
    per-product lookups) with the one stored when its products were last found
    with nothing to send; a range that moved is compared product by product.
    One change at a time, so each table's part of the digest is proven."""
    ids = synced_and_quiet(db, fake, lone)

    def due():
        db.execute("UPDATE oc_reverb_detect SET full_at = full_at - INTERVAL 61 MINUTE")
        j = cycle(db, lone)     # cron also runs the jobs it queued (no worker here)
        assert j["detect_scan"] == "due", j
        return j

    def settled():
        # a change found is pushed by cron's own run of the jobs, then compared once
        # more (its map row moved) and found with nothing to send: then stored
        for _ in range(10):
            j = due()
            if j["scan_ranges_unchanged"] == j["scan_ranges"] >= 1:
                return j
        raise AssertionError("the ranges' digests were never stored: %r" % j)
    j = settled()                   # nothing moved: no product compared one by one
    assert j["products_checked"] == 0 and j["products_queued"] == 0, j
    # by SQL, no event, no date_modified: each is seen by the full scan alone
    changes = [
        ("stock", "UPDATE oc_product SET quantity = quantity + 3 WHERE product_id = %s", ids[0]),
        ("an image", "INSERT INTO oc_product_image (product_id, image, sort_order)"
                     " VALUES (%s, 'catalog/extra.jpg', 1)", ids[1]),
        ("the name", "UPDATE oc_product_description SET name = CONCAT(name, ' II')"
                     " WHERE product_id = %s", ids[2]),
        ("a category", "INSERT IGNORE INTO oc_product_to_category (product_id, category_id)"
                       " VALUES (%s, 999999)", ids[3]),
    ]
    try:
        for what, sql, pid in changes:
            settled()
            db.execute(sql, (pid,))
            j = due()
            assert j["scan_ranges_unchanged"] < j["scan_ranges"], (what, j)
            assert j["products_checked"] == 1, (what, j)
    finally:
        db.execute("DELETE FROM oc_product_to_category WHERE category_id = 999999")


def test_a_date_modified_change_is_caught_by_the_next_check(db, fake, lone):
    ids = synced_and_quiet(db, fake, lone)
    db.execute("UPDATE oc_product SET price = price + 5, date_modified = NOW()"
               " WHERE product_id = %s", (ids[2],))
    j = cycle(db, lone)
    assert j["detect_scan"] == "incremental", j
    assert j["products_candidates"] == 1 and j["products_queued"] == 1, j


def test_order_activity_is_caught_by_the_next_check(db, fake, lone):
    ids = synced_and_quiet(db, fake, lone)
    # a storefront sale as OpenCart writes it: the order's lines, then its history
    # (stock subtracted, date_modified untouched); no stock event
    order_id = 990000 + ids[3]
    master = ", master_id" if OC_VERSION == 4 else ""
    try:
        db.execute("INSERT INTO oc_order_product (order_id, product_id%s, name, model, quantity,"
                   " price, total, tax, reward) VALUES (%%s, %%s%s, 'x', 'x', 1, 1, 1, 0, 0)"
                   % (master, ", 0" if master else ""), (order_id, ids[3]))
        db.execute("UPDATE oc_product SET quantity = quantity - 1 WHERE product_id = %s", (ids[3],))
        db.execute("INSERT INTO oc_order_history (order_id, order_status_id, notify, comment,"
                   " date_added) VALUES (%s, 2, 0, '', NOW())", (order_id,))
        j = cycle(db, lone)
        assert j["detect_scan"] == "incremental", j
        assert j["products_candidates"] == 1 and j["products_queued"] == 1, j
    finally:
        db.execute("DELETE FROM oc_order_history WHERE order_id = %s", (order_id,))
        db.execute("DELETE FROM oc_order_product WHERE order_id = %s", (order_id,))


def test_a_special_that_starts_is_caught_by_the_next_check(db, fake, lone):
    ids = synced_and_quiet(db, fake, lone)
    # a special from today on (added without touching the product), and the last
    # check as if it ran an hour before today began in the shop's time
    db.execute("INSERT INTO oc_product_special (product_id, customer_group_id, priority, price,"
               " date_start, date_end) SELECT %s, 1, 1, 50, DATE(check_shop), '0000-00-00'"
               " FROM oc_reverb_detect", (ids[4],))
    db.execute("UPDATE oc_reverb_detect SET check_shop = TIMESTAMP(DATE(check_shop))"
               " - INTERVAL 1 HOUR")
    j = cycle(db, lone)
    assert j["detect_scan"] == "incremental", j
    assert j["products_candidates"] == 1 and j["products_queued"] == 1, j


def test_a_listing_setting_change_runs_the_full_scan(db, fake, lone, admin):
    synced_and_quiet(db, fake, lone)
    assert cycle(db, lone)["detect_scan"] == "incremental"
    configure(admin, lone, use_special=0)
    j = cycle(db, lone)
    assert j["detect_scan"] == "settings", j
    assert cycle(db, lone)["detect_scan"] == "incremental"


def test_the_first_cycle_reads_everything(db, fake, lone):
    synced_and_quiet(db, fake, lone)
    db.execute("DELETE FROM oc_reverb_detect")
    j = cycle(db, lone)
    assert j["detect_scan"] == "first" and j["products_candidates"] == -1, j


def test_a_first_pass_queues_exactly_what_changed_and_stores_the_range_digests(db, fake, lone):
    """A first pass over products new to it (every kept digest forgotten, as
    after an upgrade) compares each id range in one snapshot and writes after
    it: it queues exactly the products that need a push, keeps the others'
    digests, and stores the digest of a range with nothing to send, so the
    next full scan compares nothing."""
    ids = synced_and_quiet(db, fake, lone)
    db.execute("DELETE FROM oc_reverb_detect")
    db.execute("DELETE FROM oc_reverb_cache WHERE name LIKE 'scan:%'")
    db.execute("DELETE FROM oc_reverb_source")
    db.execute("UPDATE oc_product SET quantity = quantity + 2 WHERE product_id IN (%s, %s)",
               (ids[3], ids[7]))
    db.execute("DELETE FROM oc_reverb_job")
    j = cycle(db, lone)
    assert j["detect_scan"] == "first" and j["products_checked"] == N, j
    assert j["products_queued"] == 2, j
    queued = {int(r[0]) for r in db.query("SELECT ref FROM oc_reverb_job WHERE kind = 'push'")}
    assert queued >= {ids[3], ids[7]} and queued <= {ids[3], ids[7]}, queued
    kept = db.value("SELECT COUNT(*) FROM oc_reverb_source WHERE product_id BETWEEN %s AND %s",
                    (ids[0], ids[-1]))
    assert kept == N - 2, kept
    # both pushed (cron runs the jobs: no worker here); then, nothing to send
    # anywhere, a first pass stores every range's digest itself
    wait_until(lambda: cycle(db, lone)["products_queued"] == 0 and db.value(
        "SELECT COUNT(*) FROM oc_reverb_job WHERE state IN ('pending', 'running')") == 0,
        timeout=60, interval=0.2, what="the two pushes")
    db.execute("DELETE FROM oc_reverb_detect")
    db.execute("DELETE FROM oc_reverb_cache WHERE name LIKE 'scan:%'")
    j = cycle(db, lone)
    assert j["detect_scan"] == "first" and j["products_queued"] == 0, j
    db.execute("UPDATE oc_reverb_detect SET full_at = full_at - INTERVAL 61 MINUTE")
    j = cycle(db, lone)
    assert j["detect_scan"] == "due" and j["scan_ranges_unchanged"] == j["scan_ranges"] >= 1, j
    assert j["products_checked"] == 0 and j["products_queued"] == 0, j


def test_the_full_scan_reads_many_ranges_at_once_and_finds_the_one_that_moved(db, fake, lone):
    """With digests stored, the full scan reads every range's digest at once
    (each table in id order, grouped by the range an id falls in) and compares
    only a range whose digest moved. Map rows around the products make three
    ranges of 5,000 map rows, the products in the middle one: the stored
    digests (written range by range) are met again by the one-pass read, and a
    change with no trace moves exactly the range it falls in."""
    ids = synced_and_quiet(db, fake, lone)
    # map rows with no product and nothing to send (never loaded), as old as the rest
    filler = "INSERT INTO oc_reverb_product_map (product_id, sync_enabled, updated_at)" \
             " SELECT seq, 0, NOW(3) - INTERVAL 1 DAY FROM seq_%d_to_%d"
    db.execute(filler % (1, FIRST - 1))
    db.execute(filler % (20000, 24999))
    last = 24999
    # a row on a bound (the 5,000th map id ends the first range): in that range, not the next
    db.execute("INSERT INTO oc_product_image (product_id, image, sort_order)"
               " VALUES (5000, 'catalog/far.jpg', 0)")

    def due():
        db.execute("UPDATE oc_reverb_detect SET full_at = full_at - INTERVAL 61 MINUTE")
        j = cycle(db, lone)
        assert j["detect_scan"] == "due", j
        return j

    try:
        j = due()                       # new ranges: compared one by one, digests stored
        assert j["scan_ranges"] == 3, j
        for _ in range(10):
            j = due()
            if j["scan_ranges_unchanged"] == 3:
                break
        # the one-pass digests equal those stored range by range
        assert j["scan_ranges_unchanged"] == j["scan_ranges_unchanged_at_once"] == 3, j
        assert j["products_checked"] == 0, j
        # stock by SQL in a product of the middle range
        db.execute("UPDATE oc_product SET quantity = quantity + 2 WHERE product_id = %s", (ids[5],))
        j = due()
        assert j["scan_ranges_unchanged"] == j["scan_ranges_unchanged_at_once"] == 2, j
        assert j["products_checked"] == 1 and j["products_queued"] == 1, j
        for _ in range(10):             # cron pushes it; then the range settles again
            j = due()
            if j["scan_ranges_unchanged"] == 3:
                break
        assert j["scan_ranges_unchanged"] == j["scan_ranges_unchanged_at_once"] == 3, j
        # a row in the last range (an image of a map row's id): that range alone moves
        db.execute("INSERT INTO oc_product_image (product_id, image, sort_order)"
                   " VALUES (%s, 'catalog/far.jpg', 0)", (last - 3,))
        j = due()
        assert j["scan_ranges_unchanged"] == j["scan_ranges_unchanged_at_once"] == 2, j
        assert j["products_checked"] == 0, j
    finally:
        db.execute("DELETE FROM oc_reverb_product_map WHERE product_id < %s"
                   " OR product_id BETWEEN 20000 AND 24999", (FIRST,))
        db.execute("DELETE FROM oc_product_image WHERE image = 'catalog/far.jpg'")


def test_a_first_pass_over_thousands_hashes_ahead_and_queues_exactly_what_changed(db, fake, lone):
    """A first pass reads a range 1,000 products a statement and computes one
    batch's listing hashes in a thread while it reads the next: over 3,012
    products (the 12 synced ones and 3,000 copies of them, content and pushed
    hashes included, so each copy is synced and unchanged like its original)
    it queues exactly the two changed in later batches, and keeps every other
    product's digest."""
    ids = synced_and_quiet(db, fake, lone)
    span, copies, base = N, 250, 200000
    for table in ("oc_product", "oc_product_description", "oc_product_to_category",
                  "oc_reverb_product_map"):
        cols = [r[0] for r in db.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE()"
            " AND table_name = %s ORDER BY ordinal_position", (table,)) if r[0] != "product_id"]
        db.execute("INSERT INTO %s (product_id, %s) SELECT t.product_id - %d + %d + s.seq * %d, %s"
                   " FROM %s t JOIN seq_0_to_%d s WHERE t.product_id BETWEEN %d AND %d"
                   % (table, ", ".join("`%s`" % c for c in cols), FIRST, base, span,
                      ", ".join("t.`%s`" % c for c in cols), table, copies - 1, ids[0], ids[-1]))
    changed = (base + 1500, base + 2700)      # in the second and third batches of 1,000
    try:
        db.execute("DELETE FROM oc_reverb_detect")
        db.execute("DELETE FROM oc_reverb_cache WHERE name LIKE 'scan:%'")
        db.execute("DELETE FROM oc_reverb_source")
        db.execute("UPDATE oc_product SET quantity = quantity + 2 WHERE product_id IN (%s, %s)",
                   changed)
        db.execute("DELETE FROM oc_reverb_job")
        j = cycle(db, lone)
        assert j["detect_scan"] == "first" and j["products_checked"] == N + span * copies, j
        assert j["products_queued"] == 2, j
        queued = {int(r[0]) for r in db.query("SELECT ref FROM oc_reverb_job WHERE kind = 'push'")}
        assert queued == set(changed), queued
        kept = db.value("SELECT COUNT(*) FROM oc_reverb_source WHERE product_id BETWEEN %s AND %s"
                        " OR product_id >= %s", (ids[0], ids[-1], base))
        assert kept == N + span * copies - 2, kept
    finally:
        for table in ("oc_product", "oc_product_description", "oc_product_to_category",
                      "oc_reverb_product_map"):
            db.execute("DELETE FROM %s WHERE product_id >= %s" % (table, base))
        db.execute("DELETE FROM oc_reverb_job")
