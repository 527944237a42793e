/* rv_detect.c: which products a cron cycle compares, and when it reads the
 * whole catalogue (docs/ARCHITECTURE.md, "Change detection").
 *
 * The comparison itself (the inputs' digest, then the listing
 * body in C) is rv_catalogue.c's and rv_change.c's; this file decides what it is given:
 *  - the incremental check, every cycle: the products that can have changed
 *    since the last check: product.date_modified, orders placed and order
 *    history written (a sale, a cancellation, a restock: stock moves there
 *    without date_modified), specials that started or ended, and map rows
 *    changed (a push, the product panel, a bulk change). A storefront
 *    sale's stock event queues its push itself (routes/stock_changed.c).
 *  - the full scan (the safety net for changes that leave no trace:
 *    imports, other extensions, SQL by hand): on the first cycle, when the
 *    settings the listings are built from changed (their fingerprint), and
 *    when the last one is older than ReverbFullScanInterval (default an
 *    hour; 0: every cycle; core/rv_scan_plan.c). It
 *    reads the map in id ranges of RV_LOAD_BATCH products, one short
 *    statement each, so no lock is held for long.
 * The watermarks live in {P}reverb_detect (one row per store), shared by
 * every process and server; cron's lease keeps cycles one at a time. Each
 * check looks RV_DETECT_OVERLAP_S back past the last one: a change
 * committed just after a check read (its timestamp older than the read) is
 * still seen, and clocks a little apart do no harm. */
#include "rv_detect.h"
#include "rv_scan_plan.h"
#include "rv_scan_range.h"
#include "rv_settings.h"
#include "rv_tz.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

#define RV_DIGEST_RANGE 5000     /* a range's digest by index: 50-70 ms here (MyISAM) */
#define RV_CHECK_CHUNK 1000
#define RV_DETECT_OVERLAP_S "10"

/* The shop's offset from UTC now, in seconds (OpenCart writes its dates in
 * the shop's time; our sessions run in UTC). */
static long rv_detect_shop_offset(rv_db_t *db, apr_pool_t *p, int store_id)
{
    const char *zone = rv_oc_config(db, p, store_id, "config_timezone");
    long offset = 0;
    if (!zone || !*zone
        || rv_tz_offset(NULL, zone, (long long)apr_time_sec(apr_time_now()), &offset))
        offset = 0;
    return offset;
}

/* One range's digest and comparison, read in one consistent snapshot
 * (REPEATABLE READ: every statement of the transaction sees the database
 * as its first did), so the digest is of exactly the rows compared: one
 * digest, not one before and one after. The transaction reads only
 * (consistent reads take no row lock); the pushes and digests the
 * comparison decides are written after it, in a short transaction of
 * their own. 1: skipped unchanged, 0 compared, -1 database error. */
static int rv_detect_range(rv_detect_pass_t *pass, rv_db_t *db, apr_pool_t *sp,
                           const rv_scan_range_in_t *in, const rv_detect_counts_t *counts,
                           long long after, long long upto)
{
    const char *digest;
    int queued = counts->queued;
    if (rv_db_plain(db, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ") || rv_db_begin(db))
        return -1;
    digest = rv_scan_range_digest(db, sp, in, after, upto);
    if (digest && rv_scan_range_same(in, sp, after, upto, digest)) {
        rv_db_commit(db);
        return 1;
    }
    rv_change_detect_defer(pass, sp);
    /* read RV_LOAD_BATCH products a statement (rv_catalogue_each_part) */
    if (rv_change_detect_part(pass, after, upto, NULL)) {
        rv_change_detect_drop(pass);
        rv_db_rollback(db);
        return -1;
    }
    if (rv_db_commit(db)) {
        rv_change_detect_drop(pass);
        rv_db_rollback(db);
        return -1;
    }
    if (rv_change_detect_write(pass))
        return -1;
    /* nothing to send in the snapshot the digest is of */
    if (digest && counts->queued == queued)
        rv_scan_range_store(db, sp, in, after, upto, digest);
    return 0;
}

/* The ranges' bounds: every RV_DIGEST_RANGE-th map id and the last one,
 * after a 0 (*n ranges, bounds[0..n]); -1 on a database error. */
static int rv_detect_bounds(rv_db_t *db, apr_pool_t *p, long long **bounds, int *n)
{
    rv_rows_t *rows;
    int i;
    *n = 0;
    if (rv_db_query(db, p, &rows,
            "SELECT product_id FROM (SELECT product_id, ROW_NUMBER() OVER (ORDER BY product_id)"
            " AS k FROM {P}reverb_product_map) m WHERE k % " APR_STRINGIFY(RV_DIGEST_RANGE)
            " = 0 UNION SELECT MAX(product_id) FROM {P}reverb_product_map ORDER BY 1",
            RV_NOARGS))
        return -1;
    *bounds = apr_palloc(p, sizeof(**bounds) * (size_t)(rows->nrows + 1));
    (*bounds)[0] = 0;
    for (i = 0; i < rows->nrows; i++) {
        long long b = rows->rows[i][0] ? apr_atoi64(rows->rows[i][0]) : 0;
        if (b > (*bounds)[*n])      /* MAX of no rows: NULL */
            (*bounds)[++*n] = b;
    }
    return 0;
}

/* The whole catalogue in ranges of RV_DIGEST_RANGE map rows. When digests
 * are stored, every range's digest is first read at once (each table read
 * once in order: rv_scan_range_all) and a range whose digest equals the
 * stored one is skipped; any other range is compared in its own snapshot
 * (rv_detect_range: its digest again, then its products RV_LOAD_BATCH a
 * statement), and when none was queued its digest is stored. */
static int rv_detect_full(rv_detect_pass_t *pass, rv_db_t *db, apr_pool_t *p, server_rec *s,
                          int store_id, const rv_detect_counts_t *counts, rv_detect_info_t *info)
{
    long long *bounds;
    const char **all = NULL;
    int n, r;
    rv_scan_range_in_t in = { store_id, rv_change_detect_fingerprint(pass), NULL, NULL, NULL,
                              NULL, NULL };
    rv_change_detect_inputs(pass, &in.language_id, &in.customer_group_id, &in.attr_ids);
    if (rv_detect_bounds(db, p, &bounds, &n))
        return -1;
    rv_scan_range_load(db, p, &in);
    /* nothing stored (a first pass): every range is compared anyway */
    if (n > 0 && apr_hash_count(in.stored) > 0
        && !(all = rv_scan_range_all(db, p, &in, bounds, n)))
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, RVLOGNO(0248)
                     "full catalogue scan: the ranges' digests could not be read in one pass"
                     " (a database error); each of the %d ranges is compared on its own", n);
    for (r = 0; r < n; r++) {
        apr_pool_t *sp;
        int rv;
        info->ranges++;
        if (all && rv_scan_range_same(&in, p, bounds[r], bounds[r + 1], all[r])) {
            info->ranges_skipped++;
            info->ranges_at_once++;
            continue;
        }
        apr_pool_create(&sp, p);
        rv = rv_detect_range(pass, db, sp, &in, counts, bounds[r], bounds[r + 1]);
        apr_pool_destroy(sp);
        if (rv < 0)
            return -1;
        if (rv == 1)
            info->ranges_skipped++;
    }
    rv_scan_range_prune(db, p, &in);
    return 0;
}

/* What may have changed since the marks of the last check; *n the number
 * of products looked at. */
static int rv_detect_incremental(rv_detect_pass_t *pass, rv_db_t *db, apr_pool_t *p,
                                 const rv_rows_t *mark, int *n)
{
    rv_rows_t *rows;
    int i;
    *n = 0;
    if (rv_db_query(db, p, &rows,
            /* the index named: on a small or freshly updated table the
             * optimizer may otherwise read every product row */
            "SELECT product_id FROM {P}product FORCE INDEX (reverb_date_modified)"
            "  WHERE date_modified >= %s - INTERVAL " RV_DETECT_OVERLAP_S " SECOND"
            " UNION SELECT product_id FROM {P}reverb_product_map"
            "  WHERE updated_at >= %s - INTERVAL " RV_DETECT_OVERLAP_S " SECOND"
            " UNION SELECT op.product_id FROM {P}order_product op WHERE op.order_id > %s"
            " UNION SELECT op.product_id FROM {P}order_history oh"
            "  JOIN {P}order_product op ON op.order_id = oh.order_id"
            "  WHERE oh.order_history_id > %s"
            /* a special starts or ends when the shop's time passes its date */
            " UNION SELECT product_id FROM {P}product_special"
            "  WHERE date_start BETWEEN %s - INTERVAL " RV_DETECT_OVERLAP_S " SECOND AND %s"
            "     OR date_end BETWEEN %s - INTERVAL " RV_DETECT_OVERLAP_S " SECOND AND %s"
            " ORDER BY 1",
            RV_ARGS(rv_row_get(mark, 0, "check_shop"), rv_row_get(mark, 0, "check_at"),
                    rv_row_get(mark, 0, "order_id"), rv_row_get(mark, 0, "history_id"),
                    rv_row_get(mark, 0, "check_shop"), rv_row_get(mark, 0, "now_shop"),
                    rv_row_get(mark, 0, "check_shop"), rv_row_get(mark, 0, "now_shop"))))
        return -1;
    *n = rows->nrows;
    for (i = 0; i < rows->nrows; i += RV_CHECK_CHUNK) {
        apr_pool_t *sp;
        const char *ids = "[";
        int k, rv;
        apr_pool_create(&sp, p);
        for (k = i; k < rows->nrows && k < i + RV_CHECK_CHUNK; k++)
            ids = apr_pstrcat(sp, ids, k > i ? "," : "",
                              rv_i64(sp, rv_row_int(rows, k, "product_id", 0)), NULL);
        ids = apr_pstrcat(sp, ids, "]", NULL);
        rv = rv_change_detect_part(pass, 0, 0, ids);
        apr_pool_destroy(sp);
        if (rv)
            return -1;
    }
    return 0;
}

/* The marks this check starts from, and this moment's (taken before
 * anything is read: what changes meanwhile is the next check's). */
static rv_rows_t *rv_detect_marks(rv_db_t *db, apr_pool_t *p, const char *store,
                                  const char *offset)
{
    rv_rows_t *mark;
    if (rv_db_exec(db, p, NULL, "INSERT IGNORE INTO {P}reverb_detect (store_id) VALUES (%s)",
                   RV_ARGS(store))
        || rv_db_query(db, p, &mark,
            "SELECT full_fp, TIMESTAMPDIFF(SECOND, full_at, NOW(3)) AS since_full,"
            " check_at, check_shop, order_id, history_id, NOW(3) AS now_at,"
            " NOW() + INTERVAL %s SECOND AS now_shop,"
            " (SELECT COALESCE(MAX(order_id), 0) FROM {P}order) AS now_order,"
            " (SELECT COALESCE(MAX(order_history_id), 0) FROM {P}order_history) AS now_history"
            " FROM {P}reverb_detect WHERE store_id = %s", RV_ARGS(offset, store))
        || mark->nrows == 0)
        return NULL;
    return mark;
}

/* Only a finished pass moves the marks. */
static int rv_detect_move_marks(rv_ctx_t *c, apr_pool_t *p, rv_scan_kind_t kind,
                                const rv_rows_t *mark, const char *fingerprint,
                                const char *store, const rv_detect_counts_t *out,
                                const rv_detect_info_t *info)
{
    int rv;
    if (kind == RV_SCAN_INCREMENTAL)
        return rv_db_exec(c->db, p, NULL,
            "UPDATE {P}reverb_detect SET check_at = %s, check_shop = %s, order_id = %s,"
            " history_id = %s WHERE store_id = %s",
            RV_ARGS(rv_row_get(mark, 0, "now_at"), rv_row_get(mark, 0, "now_shop"),
                    rv_row_get(mark, 0, "now_order"), rv_row_get(mark, 0, "now_history"), store));
    rv = rv_db_exec(c->db, p, NULL,
        "UPDATE {P}reverb_detect SET full_at = %s, full_fp = %s, check_at = %s,"
        " check_shop = %s, order_id = %s, history_id = %s WHERE store_id = %s",
        RV_ARGS(rv_row_get(mark, 0, "now_at"), fingerprint,
                rv_row_get(mark, 0, "now_at"), rv_row_get(mark, 0, "now_shop"),
                rv_row_get(mark, 0, "now_order"), rv_row_get(mark, 0, "now_history"), store));
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0101)
                 "full catalogue scan (%s): %d products compared, %d queued",
                 info->scan, out->checked, out->queued);
    return rv;
}

int rv_detect_cycle(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out, rv_detect_info_t *info)
{
    rv_db_t *db = c->db;
    const char *store = apr_itoa(p, c->conf->store_id);
    const char *offset = apr_ltoa(p, rv_detect_shop_offset(db, p, c->conf->store_id));
    rv_detect_pass_t *pass;
    rv_rows_t *mark;
    rv_scan_kind_t kind;
    int rv, looked = 0;

    memset(info, 0, sizeof(*info));
    info->scan = "none";
    memset(out, 0, sizeof(*out));
    if (!(mark = rv_detect_marks(db, p, store, offset)))
        return -1;
    pass = rv_change_detect_begin(c, p, out);
    kind = rv_scan_plan(rv_row_get(mark, 0, "full_fp"), rv_change_detect_fingerprint(pass),
                        rv_row_get(mark, 0, "since_full") ? rv_row_int(mark, 0, "since_full", -1)
                                                          : -1,
                        c->conf->full_scan_s);
    /* no check recorded (a row written by hand): only a full scan knows */
    if (kind == RV_SCAN_INCREMENTAL && (!rv_row_get(mark, 0, "check_at")
                                        || !rv_row_get(mark, 0, "check_shop")))
        kind = RV_SCAN_FULL_FIRST;
    info->scan = rv_scan_kind_name(kind);
    if (kind == RV_SCAN_INCREMENTAL)
        rv = rv_detect_incremental(pass, db, p, mark, &looked);
    else
        rv = rv_detect_full(pass, db, p, c->s, c->conf->store_id, out, info);
    rv_change_detect_end(pass, rv == 0);
    info->looked_at = kind == RV_SCAN_INCREMENTAL ? looked : -1;
    if (rv) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, c->s, RVLOGNO(0100)
                     "change detection (%s) did not finish: a database error; the next "
                     "cycle starts again from the same point", info->scan);
        return -1;
    }
    rv = rv_detect_move_marks(c, p, kind, mark, rv_change_detect_fingerprint(pass), store, out,
                              info);
    return rv ? -1 : 0;
}
