/* rv_accept.c: see rv_accept.h.
 *
 * Per accepted delivery: one autocommitted INSERT ... SELECT (the delivery
 * row, only when the key matches). The former path ran START, that INSERT,
 * the job upsert and COMMIT for every delivery, and before that also read
 * every module setting and counted the minute's order jobs. The jobs are
 * made here in batches: per batch START, one SELECT ... FOR UPDATE SKIP
 * LOCKED, one upsert per kind for every distinct ref, one UPDATE, COMMIT;
 * the minute's new order jobs are counted once per batch that names
 * orders. */
#include "rv_accept.h"
#include "rv_queue.h"
#include "rv_conf.h"

#include "apr_strings.h"
#include "apr_hash.h"
#include "apr_atomic.h"
#include "http_log.h"
#include <json-c/json.h>

APLOG_USE_MODULE(reverb);

#define RV_ACCEPT_TRIES 3

rv_accept_t rv_accept_delivery(rv_db_t *db, apr_pool_t *p, int store_id, const char *key,
                               const char *label, const char *kind, const char *ref,
                               int orders_only_if_on)
{
    int stored = 0, rv, tries = 0;

    if (!key || !*key)
        return RV_ACCEPT_WRONG_KEY;
    /* the key is compared as bytes (the column's collation ignores case);
     * a wrong key inserts no row. Outside a transaction: it autocommits, so
     * a deadlock with a queueing batch (its locking read of the waiting
     * rows) undid nothing but this row: it runs again at once */
again:
    if ((rv = rv_db_exec(db, p, &stored,
            "INSERT INTO {P}reverb_webhook (topic, kind, ref, queued)"
            " SELECT %s, %s, %s, 0 FROM {P}setting"
            " WHERE store_id = %s AND `key` = 'module_reverb_webhook_key'"
            "   AND code = 'module_reverb' AND CAST(value AS BINARY) = CAST(%s AS BINARY)"
            "   AND (%s = '0' OR NOT EXISTS (SELECT 1 FROM {P}setting oi WHERE oi.store_id = %s"
            "     AND oi.`key` = 'module_reverb_order_import' AND oi.code = 'module_reverb'"
            "     AND oi.value = '0')) LIMIT 1",
            RV_ARGS(label, kind, ref, apr_itoa(p, store_id), key,
                    orders_only_if_on ? "1" : "0", apr_itoa(p, store_id))))) {
        if (rv_db_retryable(db, rv) && ++tries < RV_ACCEPT_TRIES)
            goto again;
        return RV_ACCEPT_DB_ERROR;
    }
    if (stored != 1)
        return orders_only_if_on ? RV_ACCEPT_NOT_TAKEN : RV_ACCEPT_WRONG_KEY;
    return RV_ACCEPT_STORED;
}

/* Whether an order delivery may make a job although the minute's count of
 * new order jobs is at the cap: only when its order is known already (a
 * live job, or imported). 1 yes, 0 no, -1 database error. */
static int rv_accept_order_known(rv_db_t *db, apr_pool_t *p, const char *ref)
{
    const char *known;
    int live = rv_queue_is_live(db, p, "order", ref);
    if (live != 0)
        return live;
    known = rv_db_value(db, p, "SELECT COUNT(*) FROM {P}reverb_order_map"
                        " WHERE reverb_order_number = %s", RV_ARGS(ref));
    if (!known)
        return -1;
    return strcmp(known, "0") != 0;
}

/* Once a minute per process, not once per refused delivery. */
static void rv_accept_log_capped(server_rec *s, const char *ref, long long recent)
{
    static volatile apr_uint32_t last_minute;
    apr_uint32_t now = (apr_uint32_t)(apr_time_sec(apr_time_now()) / 60), was = last_minute;
    if (was == now || apr_atomic_cas32(&last_minute, now, was) != was)
        return;
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                 RVLOGNO(0024) "webhook for unknown order %s not queued: %lld order jobs were "
                 "created in the last minute (cap %d); the cron poll finds real orders",
                 ref, recent, RV_UNKNOWN_ORDERS_PER_MIN);
}

/* The order refs of a batch that may make jobs: all of them while the
 * minute's count leaves room; past the cap only those already known.
 * `orders` (distinct refs) is replaced by the refs to queue. 0 or -1. */
static int rv_accept_order_cap(rv_db_t *db, apr_pool_t *p, server_rec *s, json_object **orders)
{
    size_t i, n = json_object_array_length(*orders);
    long long recent;
    json_object *keep;

    if (n == 0)
        return 0;
    if ((recent = rv_queue_created_recently(db, p, "order", 60)) < 0)
        return -1;
    if (recent + (long long)n <= RV_UNKNOWN_ORDERS_PER_MIN)
        return 0;
    keep = json_object_new_array();
    for (i = 0; i < n; i++) {
        json_object *ref = json_object_array_get_idx(*orders, i);
        int known = rv_accept_order_known(db, p, json_object_get_string(ref));
        if (known < 0) {
            json_object_put(keep);
            return -1;
        }
        if (known || recent < RV_UNKNOWN_ORDERS_PER_MIN) {
            if (!known)
                recent++;
            json_object_array_add(keep, json_object_get(ref));
        } else {
            rv_accept_log_capped(s, json_object_get_string(ref), recent);
        }
    }
    json_object_put(*orders);
    *orders = keep;
    return 0;
}

/* One batch: 1 when it queued rows (another may wait), 0 none waited, -1. */
static int rv_accept_queue_batch(rv_db_t *db, apr_pool_t *p, server_rec *s)
{
    rv_rows_t *rows;
    json_object *ids = NULL, *orders = NULL, *pulls = NULL;
    apr_hash_t *seen = apr_hash_make(p);
    int i, rv = -1;

    if (rv_db_begin(db))
        return -1;
    if (rv_db_query(db, p, &rows,
            "SELECT webhook_id, kind, ref FROM {P}reverb_webhook WHERE queued = 0"
            " ORDER BY webhook_id LIMIT " APR_STRINGIFY(RV_ACCEPT_BATCH)
            " FOR UPDATE SKIP LOCKED", RV_NOARGS))
        goto done;
    if (rows->nrows == 0) {
        rv = rv_db_commit(db) ? -1 : 0;
        return rv;
    }
    ids = json_object_new_array();
    orders = json_object_new_array();
    pulls = json_object_new_array();
    for (i = 0; i < rows->nrows; i++) {
        const char *id = rv_row_get(rows, i, "webhook_id"), *kind = rv_row_get(rows, i, "kind"),
                   *ref = rv_row_get(rows, i, "ref"), *key;
        json_object_array_add(ids, json_object_new_int64(apr_atoi64(id)));
        if (!kind || !ref || !*ref)
            continue;
        key = apr_pstrcat(p, kind, ":", ref, NULL);
        if (apr_hash_get(seen, key, APR_HASH_KEY_STRING))
            continue;   /* the same order or listing twice in one batch: one job */
        apr_hash_set(seen, key, APR_HASH_KEY_STRING, "");
        if (!strcmp(kind, "order"))
            json_object_array_add(orders, json_object_new_string(ref));
        else if (!strcmp(kind, "pull"))
            json_object_array_add(pulls, json_object_new_string(ref));
    }
    if (rv_accept_order_cap(db, p, s, &orders))
        goto done;
    if (json_object_array_length(orders) > 0
        && rv_queue_add_many(db, p, "order", json_object_to_json_string(orders), RV_PRIO_ORDER))
        goto done;
    if (json_object_array_length(pulls) > 0
        && rv_queue_add_many(db, p, "pull", json_object_to_json_string(pulls), RV_PRIO_PULL))
        goto done;
    if (rv_db_exec(db, p, NULL,
            "UPDATE {P}reverb_webhook w"
            " JOIN JSON_TABLE(%s, '$[*]' COLUMNS (id BIGINT PATH '$')) j ON w.webhook_id = j.id"
            " SET w.queued = 1", RV_ARGS(json_object_to_json_string(ids))))
        goto done;
    if (rv_db_commit(db) == 0) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s,
                     RVLOGNO(0246) "queued %d webhook deliveries (%d orders, %d listings)",
                     rows->nrows, (int)json_object_array_length(orders),
                     (int)json_object_array_length(pulls));
        rv = rows->nrows == RV_ACCEPT_BATCH;
    }
done:
    if (rv < 0)
        rv_db_rollback(db);
    if (ids)
        json_object_put(ids);
    if (orders)
        json_object_put(orders);
    if (pulls)
        json_object_put(pulls);
    return rv;
}

int rv_accept_queue_waiting(rv_db_t *db, apr_pool_t *p, server_rec *s, int max_batches)
{
    int b, rv = 0;
    /* the usual look finds nothing: one read by the `waiting` index, no
     * transaction (the worker looks every second) */
    if (!rv_db_value(db, p, "SELECT 1 FROM {P}reverb_webhook WHERE queued = 0 LIMIT 1",
                     RV_NOARGS))
        return 0;
    for (b = 0; b < max_batches; b++) {
        apr_pool_t *sub;
        apr_pool_create(&sub, p);
        rv = rv_accept_queue_batch(db, sub, s);
        apr_pool_destroy(sub);
        if (rv <= 0)
            break;
    }
    return rv < 0 ? -1 : 0;
}

long long rv_accept_waiting_count(rv_db_t *db, apr_pool_t *p)
{
    const char *v = rv_db_value(db, p, "SELECT COUNT(*) FROM {P}reverb_webhook WHERE queued = 0",
                                RV_NOARGS);
    return v ? apr_atoi64(v) : -1;
}

int rv_accept_prune_batch(rv_db_t *db, apr_pool_t *p, int keep_days, int batch, int *deleted)
{
    *deleted = 0;
    return rv_db_exec(db, p, deleted,
        "DELETE FROM {P}reverb_webhook WHERE received_at < NOW(3) - INTERVAL %s DAY LIMIT %s",
        RV_ARGS(apr_itoa(p, keep_days), apr_itoa(p, batch)));
}
