/* rv_accept.c: see rv_accept.h.
 *
 * Per accepted delivery (a job for that ref already waiting): START,
 * one INSERT ... SELECT (the delivery row, only when the key matches), one
 * job upsert, COMMIT; the per-minute COUNT only when the upsert created a
 * job. The former path also read every module setting and counted the
 * minute's order jobs for each delivery. */
#include "rv_accept.h"
#include "rv_queue.h"
#include "rv_conf.h"

#include "apr_strings.h"
#include "apr_atomic.h"
#include "http_log.h"

APLOG_USE_MODULE(reverb);

rv_accept_t rv_accept_delivery(rv_db_t *db, apr_pool_t *p, int store_id, const char *key,
                               const char *label, const char *kind, const char *ref,
                               int priority, int order_cap, int orders_only_if_on)
{
    int stored = 0, queued = 0;

    if (!key || !*key)
        return RV_ACCEPT_WRONG_KEY;
    if (rv_db_begin(db))
        return RV_ACCEPT_DB_ERROR;
    /* the key is compared as bytes (the column's collation ignores case);
     * a wrong key inserts no row */
    if (rv_db_exec(db, p, &stored,
            "INSERT INTO {P}reverb_webhook (topic, ref)"
            " SELECT %s, %s FROM {P}setting"
            " WHERE store_id = %s AND code = 'module_reverb' AND `key` = 'module_reverb_webhook_key'"
            "   AND CAST(value AS BINARY) = CAST(%s AS BINARY)"
            "   AND (%s = '0' OR NOT EXISTS (SELECT 1 FROM {P}setting oi WHERE oi.store_id = %s"
            "     AND oi.code = 'module_reverb' AND oi.`key` = 'module_reverb_order_import'"
            "     AND oi.value = '0')) LIMIT 1",
            RV_ARGS(label, ref, apr_itoa(p, store_id), key, orders_only_if_on ? "1" : "0",
                    apr_itoa(p, store_id))))
        goto fail;
    if (stored != 1) {
        rv_db_rollback(db);
        return orders_only_if_on ? RV_ACCEPT_NOT_TAKEN : RV_ACCEPT_WRONG_KEY;
    }
    if (rv_queue_add_n(db, p, kind, ref, priority, 0, &queued))
        goto fail;
    /* MariaDB counts a new row 1, a changed duplicate 2, an unchanged one 0
     * (1 with CLIENT_FOUND_ROWS: then the count below runs for nothing) */
    if (order_cap > 0 && queued == 1) {
        long long recent = rv_queue_created_recently(db, p, kind, 60);
        if (recent < 0)
            goto fail;
        if (recent > order_cap) {
            rv_db_rollback(db);
            return RV_ACCEPT_AT_CAP;
        }
    }
    if (rv_db_commit(db))
        goto fail;
    return RV_ACCEPT_STORED;
fail:
    rv_db_rollback(db);
    return RV_ACCEPT_DB_ERROR;
}

int rv_accept_unknown_order_capped(request_rec *r, rv_db_t *db, const char *ref)
{
    apr_pool_t *p = r->pool;
    const char *known;
    long long recent = rv_queue_created_recently(db, p, "order", 60);
    int live;
    /* only reached when rv_accept_delivery found the minute's count at the cap */
    if (recent < RV_UNKNOWN_ORDERS_PER_MIN)
        return 0;
    live = rv_queue_is_live(db, p, "order", ref);
    if (live != 0)
        return 0;           /* queued already (or the database will tell) */
    known = rv_db_value(db, p, "SELECT COUNT(*) FROM {P}reverb_order_map"
                        " WHERE reverb_order_number = %s", RV_ARGS(ref));
    if (!known || strcmp(known, "0"))
        return 0;
    {
        /* once a minute per process, not once per refused delivery */
        static volatile apr_uint32_t last_minute;
        apr_uint32_t now = (apr_uint32_t)(apr_time_sec(apr_time_now()) / 60), was = last_minute;
        if (was == now || apr_atomic_cas32(&last_minute, now, was) != was)
            return 1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                  RVLOGNO(0024) "webhook for unknown order %s not queued: %lld order jobs were "
                  "created in the last minute (cap %d); the cron poll finds real orders",
                  ref, recent, RV_UNKNOWN_ORDERS_PER_MIN);
    return 1;
}


int rv_accept_prune_batch(rv_db_t *db, apr_pool_t *p, int keep_days, int batch, int *deleted)
{
    *deleted = 0;
    return rv_db_exec(db, p, deleted,
        "DELETE FROM {P}reverb_webhook WHERE received_at < NOW(3) - INTERVAL %s DAY LIMIT %s",
        RV_ARGS(apr_itoa(p, keep_days), apr_itoa(p, batch)));
}
