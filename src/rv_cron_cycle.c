/* rv_cron_cycle.c: one polling cycle (see rv_cron_cycle.h).
 *
 * One cycle at a time for every process and server: the 'cron' lease row
 * in reverb_lock decides (a guarded UPDATE; the lease outlives a cycle, and
 * the holder of a cycle that died is replaced when it expires).
 *
 * A cycle, in this order:
 *  0. webhook deliveries recorded but not queued yet become jobs (the
 *     worker does this every second; here for a shop without one);
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
 *     heartbeat is old), due jobs are run for a few seconds in this request. */
#include "rv_cron_cycle.h"
#include "rv_pull.h"
#include "rv_orders.h"
#include "rv_order_switch.h"
#include "rv_worker.h"
#include "rv_reconcile.h"
#include "rv_synclog.h"
#include "rv_lock.h"
#include "rv_queue.h"
#include "rv_accept.h"

#include "http_log.h"
#include "apr_strings.h"
#include <unistd.h>

APLOG_USE_MODULE(reverb);

#define RV_CRON_LEASE_S 300
#define RV_CRON_DRAIN_MS 8000
#define RV_WORKER_ALIVE_S 30

#define RV_PRUNE_BATCH 1000
#define RV_PRUNE_BATCHES 50
#define RV_JOB_KEEP_DAYS 7
#define RV_WEBHOOK_KEEP_DAYS 30
/* Webhook deliveries queued per cycle at most (RV_ACCEPT_BATCH each); the rest wait. */
#define RV_CRON_INBOX_BATCHES 200

/* One bounded DELETE (... LIMIT batch) by the module that owns the table:
 * the sync log (rv_synclog.c), finished jobs (rv_queue.c), old deliveries
 * (rv_accept.c). */
typedef int (*rv_prune_fn)(rv_db_t *db, apr_pool_t *p, const void *arg, int batch, int *n);

static int rv_prune_log(rv_db_t *db, apr_pool_t *p, const void *arg, int batch, int *n)
{
    return rv_synclog_prune_batch(db, p, *(const long long *)arg, batch, n);
}

static int rv_prune_jobs(rv_db_t *db, apr_pool_t *p, const void *arg, int batch, int *n)
{
    return rv_queue_prune_batch(db, p, RV_JOB_KEEP_DAYS, arg, batch, n);
}

static int rv_prune_hooks(rv_db_t *db, apr_pool_t *p, const void *arg, int batch, int *n)
{
    (void)arg;
    return rv_accept_prune_batch(db, p, RV_WEBHOOK_KEEP_DAYS, batch, n);
}

/* Runs the DELETE until it removes fewer rows than a batch; returns the
 * rows removed. Each statement autocommits. */
static long long rv_prune(rv_db_t *db, apr_pool_t *p, rv_prune_fn step, const void *arg)
{
    long long total = 0;
    int i;
    for (i = 0; i < RV_PRUNE_BATCHES; i++) {
        int n = 0;
        if (step(db, p, arg, RV_PRUNE_BATCH, &n) || n <= 0)
            break;
        total += n;
        if (n < RV_PRUNE_BATCH)
            break;
    }
    return total;
}

static void rv_cron_housekeeping(request_rec *r, rv_db_t *db, rv_settings_t *st,
                                 rv_cron_result_t *res)
{
    apr_pool_t *p = r->pool;
    long long days = rv_setting_log_retention_days(st);
    const char *latest_run;
    if (db->in_txn) {
        /* each DELETE must commit on its own, or its locks would last as long
         * as the transaction a step above left open: skip this cycle */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      RVLOGNO(0041) "housekeeping skipped: a transaction is still open");
        return;
    }
    if (days > 0)
        res->pruned_log = rv_prune(db, p, rv_prune_log, &days);
    /* job.finished (state, updated_at); the latest full sync's jobs stay, its
     * progress (GET admin/sync) is counted from them */
    latest_run = rv_db_value(db, p, "SELECT COALESCE(MAX(run_id), 0) FROM {P}reverb_sync_run"
                             " WHERE kind = 'full'", RV_NOARGS);
    res->pruned_jobs = rv_prune(db, p, rv_prune_jobs, latest_run ? latest_run : "0");
    res->pruned_webhooks = rv_prune(db, p, rv_prune_hooks, NULL);
}

/* Runs queued jobs here when no worker does. The worker's heartbeat row is
 * put back afterwards, so this request never passes for a live worker. */
static int rv_cron_drain(request_rec *r, rv_db_t *db, int worker_here)
{
    apr_pool_t *p = r->pool;
    const char *holder = NULL, *until = NULL;
    int alive = 0, ran;
    if (rv_lock_worker_state(db, p, RV_WORKER_ALIVE_S, &holder, &until, &alive))
        holder = until = NULL, alive = 0;
    if (worker_here && alive)
        return 0;
    ran = rv_worker_drain(p, r->server, RV_CRON_DRAIN_MS);
    rv_lock_worker_restore(db, p, holder, until);
    return ran < 0 ? 0 : ran;
}

/* Steps 1-3: what Reverb says changed (only with a token). */
static void rv_cron_poll_reverb(request_rec *r, rv_ctx_t *c, rv_settings_t *st, int store_id,
                                rv_cron_result_t *res)
{
    apr_pool_t *p = r->pool;
    if ((res->import_on = rv_orders_import_on(c->db, r->server, st, store_id, p, 1))) {
        res->requeued = rv_orders_requeue(c, p, 0);
        res->orders_ok = rv_orders_poll(c, p, &res->orders) == 0;
    }
    if (rv_pull_poll(c, p, &res->pulls)) {
        res->pull_ok = 0;
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, RVLOGNO(0008) "listing poll failed");
    }
}

rv_cron_status_t rv_cron_cycle(request_rec *r, rv_db_t *db, rv_settings_t *st, int store_id,
                               int worker_here, rv_cron_result_t *res)
{
    apr_pool_t *p = r->pool;
    const char *holder = apr_psprintf(p, "cron:%d:%" APR_TIME_T_FMT, (int)getpid(), apr_time_now());
    apr_time_t detect_start;
    rv_ctx_t *c;
    int got;

    memset(res, 0, sizeof(*res));
    res->import_on = 1;
    res->pull_ok = 1;
    got = rv_lock_cron_take(db, p, holder, RV_CRON_LEASE_S);
    if (got < 0)
        return RV_CRON_DB_ERROR;
    if (!got)
        return RV_CRON_BUSY;

    c = rv_ctx_create(p, r->server, db, st, NULL);
    res->api = c->api != NULL;
    /* webhook deliveries not queued yet (no worker runs, or it is behind) */
    if (rv_accept_queue_waiting(db, p, r->server, RV_CRON_INBOX_BATCHES))
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, RVLOGNO(0247)
                      "webhook deliveries could not be queued; the next cycle tries again");
    if (c->api)
        rv_cron_poll_reverb(r, c, st, store_id, res);
    detect_start = apr_time_now();
    if (rv_detect_cycle(c, p, &res->detect, &res->scan))
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, RVLOGNO(0009) "change detection failed");
    res->detect_time = apr_time_now() - detect_start;
    res->reconcile = rv_reconcile_cron(db, p, c->api != NULL);   /* the weekly pass */
    rv_cron_housekeeping(r, db, st, res);
    res->jobs_run = rv_cron_drain(r, db, worker_here);
    rv_lock_cron_release(db, p, holder);
    res->order_last_sync = rv_db_value(db, p, "SELECT value FROM {P}setting WHERE store_id = %s"
                                       " AND `key` = 'module_reverb_order_last_sync'",
                                       RV_ARGS(apr_itoa(p, store_id)));
    return RV_CRON_RAN;
}
