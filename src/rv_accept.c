/* rv_accept.c: see rv_accept.h.
 *
 * Per accepted delivery (a job for that ref already waiting): START,
 * one INSERT ... SELECT (the delivery row, only when the key matches), one
 * job upsert, COMMIT; the per-minute COUNT only when the upsert created a
 * job. The former path also read every module setting and counted the
 * minute's order jobs for each delivery. */
#include "rv_accept.h"
#include "rv_queue.h"

#include "apr_strings.h"

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
