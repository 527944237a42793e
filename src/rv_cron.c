/* rv_cron.c: /reverb/cron?key=…: one polling cycle.
 *
 * One cycle at a time for every process and server: the 'cron' lease row
 * in reverb_lock decides (a guarded UPDATE; the lease outlives a cycle, and
 * the holder of a cycle that died is replaced when it expires). A call
 * made while a cycle runs answers 200 {"skipped": true, "reason":
 * "cycle_running"}: a scheduler that overlaps is not an error, and the
 * running cycle does the work.
 *
 * A cycle, in this order:
 *  1. orders kept for retry and imports a dead process left half done are
 *     queued again;
 *  2. orders changed on Reverb since order_last_sync are read
 *     (updated_start_date, every page) and imported or updated right here:
 *     polling alone, without webhooks or a worker, keeps a shop correct;
 *  3. both-ways mode: listings edited on Reverb get pull jobs (after the
 *     orders, so a sale is imported before a pull looks at the stock);
 *  4. changed OpenCart products get push jobs (rv_detect_cycle: what changed
 *     since the last cycle, the whole catalogue now and then);
 *  5. housekeeping: sync-log rows older than log_retention_days (0: kept
 *     forever), finished jobs older than 7 days and webhook rows older than
 *     30 days are deleted, RV_PRUNE_BATCH rows per statement (each its own
 *     short transaction, never a long lock), at most RV_PRUNE_BATCHES
 *     statements per table per cycle: a backlog shrinks over a few cycles;
 *  6. when no worker serves this database (ReverbWorker Off here, or its
 *     heartbeat is old), due jobs are run for a few seconds in this request.
 * Answers a JSON summary. */
#include "rv_route.h"
#include "rv_push.h"
#include "rv_detect.h"
#include "rv_orders.h"
#include "rv_order_switch.h"
#include "rv_worker.h"
#include "rv_reconcile.h"

#include "http_log.h"
#include "apr_strings.h"
#include <unistd.h>

APLOG_USE_MODULE(reverb);

#define RV_CRON_LEASE_S 300
#define RV_CRON_DRAIN_MS 8000
#define RV_WORKER_ALIVE_S 30

static int rv_cron_take(rv_req_t *q, const char *holder)
{
    int n = 0;
    if (rv_db_exec(q->db, q->r->pool, &n,
            "UPDATE {P}reverb_lock SET holder = %s, `until` = NOW(3) + INTERVAL "
            APR_STRINGIFY(RV_CRON_LEASE_S) " SECOND"
            " WHERE name = 'cron' AND (`until` IS NULL OR `until` < NOW(3))", RV_ARGS(holder)))
        return -1;
    if (n == 1)
        return 1;
    /* the row may be missing (tables emptied by hand): recreate it */
    if (!rv_db_value(q->db, q->r->pool, "SELECT name FROM {P}reverb_lock WHERE name = 'cron'",
                     RV_NOARGS)) {
        if (rv_db_exec(q->db, q->r->pool, &n,
                "INSERT IGNORE INTO {P}reverb_lock (name, holder, `until`) VALUES ('cron', %s,"
                " NOW(3) + INTERVAL " APR_STRINGIFY(RV_CRON_LEASE_S) " SECOND)", RV_ARGS(holder)))
            return -1;
        return n == 1;
    }
    return 0;
}

static void rv_cron_release(rv_req_t *q, const char *holder)
{
    rv_db_exec(q->db, q->r->pool, NULL,
               "UPDATE {P}reverb_lock SET `until` = NULL WHERE name = 'cron' AND holder = %s",
               RV_ARGS(holder));
}

#define RV_PRUNE_BATCH 1000
#define RV_PRUNE_BATCHES 50
#define RV_JOB_KEEP_DAYS "7"
#define RV_WEBHOOK_KEEP_DAYS "30"

/* Runs one bounded DELETE (… LIMIT RV_PRUNE_BATCH) until it removes fewer
 * rows than a batch; returns the rows removed. Each statement autocommits. */
static long long rv_prune(rv_req_t *q, const char *sql, const char **args, int nargs)
{
    long long total = 0;
    int i;
    for (i = 0; i < RV_PRUNE_BATCHES; i++) {
        int n = 0;
        if (rv_db_exec(q->db, q->r->pool, &n, sql, args, nargs) || n <= 0)
            break;
        total += n;
        if (n < RV_PRUNE_BATCH)
            break;
    }
    return total;
}

static json_object *rv_cron_housekeeping(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *out = json_object_new_object();
    long long days = rv_setting_log_retention_days(q->settings), n = 0;
    const char *latest_run;
    if (q->db->in_txn) {
        /* each DELETE must commit on its own, or its locks would last as long
         * as the transaction a step above left open: skip this cycle */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r,
                      RVLOGNO(0041) "housekeeping skipped: a transaction is still open");
        json_object_object_add(out, "log_rows", json_object_new_int64(0));
        json_object_object_add(out, "jobs", json_object_new_int64(0));
        json_object_object_add(out, "webhooks", json_object_new_int64(0));
        return out;
    }
    /* sync_log.created: the range below is read from the index */
    if (days > 0)
        n = rv_prune(q, "DELETE FROM {P}reverb_sync_log WHERE created_at < NOW(3) - INTERVAL %s DAY"
                     " LIMIT " APR_STRINGIFY(RV_PRUNE_BATCH), RV_ARGS(rv_i64(p, days)));
    json_object_object_add(out, "log_rows", json_object_new_int64(n));
    /* job.finished (state, updated_at); the latest full sync's jobs stay, its
     * progress (GET admin/sync) is counted from them */
    latest_run = rv_db_value(q->db, p, "SELECT COALESCE(MAX(run_id), 0) FROM {P}reverb_sync_run"
                             " WHERE kind = 'full'",
                             RV_NOARGS);
    n = rv_prune(q, "DELETE FROM {P}reverb_job WHERE state IN ('done', 'failed')"
                 " AND updated_at < NOW(3) - INTERVAL " RV_JOB_KEEP_DAYS " DAY"
                 " AND (run_id IS NULL OR run_id < %s) LIMIT " APR_STRINGIFY(RV_PRUNE_BATCH),
                 RV_ARGS(latest_run ? latest_run : "0"));
    json_object_object_add(out, "jobs", json_object_new_int64(n));
    n = rv_prune(q, "DELETE FROM {P}reverb_webhook WHERE received_at < NOW(3) - INTERVAL "
                 RV_WEBHOOK_KEEP_DAYS " DAY LIMIT " APR_STRINGIFY(RV_PRUNE_BATCH), RV_NOARGS);
    json_object_object_add(out, "webhooks", json_object_new_int64(n));
    return out;
}

static json_object *rv_skipped(const char *reason)
{
    json_object *out = json_object_new_object();
    json_object_object_add(out, "skipped", json_object_new_boolean(1));
    json_object_object_add(out, "reason", json_object_new_string(reason));
    return out;
}

/* Runs queued jobs here when no worker does. The worker's heartbeat row is
 * put back afterwards, so this request never passes for a live worker. */
static int rv_cron_drain(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    rv_rows_t *rows;
    const char *holder = NULL, *until = NULL;
    int alive = 0, ran;
    if (rv_db_query(q->db, p, &rows,
            "SELECT holder, `until`, (`until` > NOW(3) - INTERVAL " APR_STRINGIFY(RV_WORKER_ALIVE_S)
            " SECOND) AS alive FROM {P}reverb_lock WHERE name = 'worker'", RV_NOARGS) == 0
        && rows->nrows) {
        holder = rv_row_get(rows, 0, "holder");
        until = rv_row_get(rows, 0, "until");
        alive = rv_row_int(rows, 0, "alive", 0) == 1;
    }
    if (q->conf->worker && alive)
        return 0;
    ran = rv_worker_drain(p, q->r->server, RV_CRON_DRAIN_MS);
    rv_db_exec(q->db, p, NULL,
               "UPDATE {P}reverb_lock SET holder = %s, `until` = %s WHERE name = 'worker'",
               RV_ARGS(holder, until));
    return ran < 0 ? 0 : ran;
}

int rv_route_cron(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const char *holder = apr_psprintf(p, "cron:%d:%" APR_TIME_T_FMT, (int)getpid(), apr_time_now());
    json_object *out, *orders, *pruned;
    const char *last;
    rv_ctx_t *c;
    int got, ran = 0, pulls = 0, requeued = 0, orders_ok = 0, pull_ok = 1, reconcile, import_on = 1;
    rv_order_counts_t counts = { 0, 0, 0, 0 };
    apr_time_t detect_start, detect_time;
    rv_detect_counts_t detect;
    rv_detect_info_t scan;

    if (!rv_setting_int(q->settings, "status", 0))
        return rv_http_json(q->r, HTTP_OK, rv_skipped("module_disabled"));
    got = rv_cron_take(q, holder);
    if (got < 0)
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The shop database cannot be reached. Try again shortly.");
    if (!got)
        return rv_http_json(q->r, HTTP_OK, rv_skipped("cycle_running"));

    c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    if (c->api) {
        if ((import_on = rv_orders_import_on(q->db, q->r->server, q->settings, q->conf->store_id,
                                             p, 1))) {
            requeued = rv_orders_requeue(c, p, 0);
            orders_ok = rv_orders_poll(c, p, &counts) == 0;
        }
        if (rv_pull_poll(c, p, &pulls)) {
            pull_ok = 0;
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, RVLOGNO(0008) "listing poll failed");
        }
    }
    detect_start = apr_time_now();
    if (rv_detect_cycle(c, p, &detect, &scan))
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, RVLOGNO(0009) "change detection failed");
    detect_time = apr_time_now() - detect_start;
    reconcile = rv_reconcile_cron(q->db, p, c->api != NULL);   /* the weekly pass */
    pruned = rv_cron_housekeeping(q);
    ran = rv_cron_drain(q);
    rv_cron_release(q, holder);

    out = json_object_new_object();
    orders = json_object_new_object();
    json_object_object_add(orders, "imported", json_object_new_int(counts.imported));
    json_object_object_add(orders, "updated", json_object_new_int(counts.updated));
    json_object_object_add(orders, "skipped", json_object_new_int(counts.skipped));
    json_object_object_add(orders, "failed", json_object_new_int(counts.failed));
    json_object_object_add(orders, "requeued", json_object_new_int(requeued < 0 ? 0 : requeued));
    json_object_object_add(out, "skipped", json_object_new_boolean(0));
    json_object_object_add(out, "orders_polled", json_object_new_boolean(orders_ok));
    json_object_object_add(out, "orders", orders);
    json_object_object_add(out, "order_import", json_object_new_boolean(import_on));
    last = rv_db_value(q->db, p, "SELECT value FROM {P}setting WHERE store_id = %s"
                       " AND `key` = 'module_reverb_order_last_sync'",
                       RV_ARGS(apr_itoa(p, q->conf->store_id)));
    json_object_object_add(out, "order_last_sync", json_object_new_string(last ? last : ""));
    json_object_object_add(out, "listings_polled", json_object_new_boolean(c->api && pull_ok));
    json_object_object_add(out, "listings_to_pull", json_object_new_int(pulls));
    json_object_object_add(out, "products_queued", json_object_new_int(detect.queued));
    json_object_object_add(out, "listings_to_end", json_object_new_int(detect.ended));
    json_object_object_add(out, "jobs_run", json_object_new_int(ran));
    /* how long comparing the catalogue with what was pushed took: the part
     * of a cycle that grows with the shop */
    json_object_object_add(out, "products_checked", json_object_new_int(detect.checked));
    json_object_object_add(out, "detect_ms", json_object_new_int64(apr_time_as_msec(detect_time)));
    /* "incremental", or why the whole catalogue was read ("first",
     * "settings", "due"); products_candidates: what the incremental check
     * looked at (-1 on a full scan) */
    json_object_object_add(out, "detect_scan", json_object_new_string(scan.scan));
    json_object_object_add(out, "products_candidates", json_object_new_int(scan.looked_at));
    /* full scan: id ranges read, of which found unchanged by their rows'
     * digest (their products not read one by one) */
    json_object_object_add(out, "scan_ranges", json_object_new_int(scan.ranges));
    json_object_object_add(out, "scan_ranges_unchanged", json_object_new_int(scan.ranges_skipped));
    /* rows deleted by housekeeping in this cycle */
    json_object_object_add(out, "pruned", pruned);
    json_object_object_add(out, "reconcile_started", json_object_new_boolean(reconcile == 1));
    if (!c->api)
        json_object_object_add(out, "warning", json_object_new_string(
            "No Reverb token is set: orders and listings were not polled."));
    return rv_http_json(q->r, HTTP_OK, out);
}
