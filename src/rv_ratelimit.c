/* rv_ratelimit.c: shared sliding-window limiter in the database. */
#include "rv_ratelimit.h"
#include "apr_atomic.h"
#include "rv_text.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_time.h"

APLOG_USE_MODULE(reverb);

/* One attempt under the lock: 0 granted, 1 full (*wait_ms set), -1 error. */
static int rv_rate_try(rv_db_t *db, apr_pool_t *p, int limit, int inflight_s, int *wait_ms,
                       long long *finish, rv_rate_grant_t *grant)
{
    rv_rows_t *rows;
    long long used, pause_ms, free_ms;
    int i;

    if (rv_db_begin(db))
        return -1;
    if (rv_db_query(db, p, &rows,
            "SELECT GREATEST(0, COALESCE(TIMESTAMPDIFF(MICROSECOND, NOW(6), `until`), 0)) DIV 1000"
            " AS pause_ms FROM {P}reverb_lock WHERE name = 'rate' FOR UPDATE", RV_NOARGS)
        || rows->nrows == 0)
        goto fail;
    pause_ms = rv_row_int(rows, 0, "pause_ms", 0);
    if (pause_ms > 0) {
        rv_db_commit(db);
        *wait_ms = (int)pause_ms;
        return 1;
    }
    if (rv_db_query(db, p, &rows,
            "SELECT COUNT(*) AS used,"
            " COALESCE(TIMESTAMPDIFF(MICROSECOND, NOW(6), MIN(LEAST(ts, NOW(6))) + INTERVAL "
            APR_STRINGIFY(RV_RATE_WINDOW_S) " SECOND), 0) DIV 1000 AS free_ms"
            " FROM {P}reverb_rate WHERE ts > NOW(6) - INTERVAL "
            APR_STRINGIFY(RV_RATE_WINDOW_S) " SECOND", RV_NOARGS))
        goto fail;
    used = rv_row_int(rows, 0, "used", 0);
    free_ms = rv_row_int(rows, 0, "free_ms", 0);
    if (used >= limit) {
        rv_db_commit(db);
        *wait_ms = (int)(free_ms > 0 ? free_ms : 50);
        return 1;
    }
    /* in flight until rv_rate_done: counted for the whole window meanwhile;
     * RETURNING gives the slot's id in the same round trip. A slot answered
     * since (*finish) is moved back to now in the same statement, as
     * rv_rate_done would: its row exists, so its line is an update. */
    if (finish && *finish > 0) {
        if (rv_db_query(db, p, &rows,
                "INSERT INTO {P}reverb_rate (id, ts) VALUES (%s, NOW(6)),"
                " (NULL, NOW(6) + INTERVAL %s SECOND)"
                " ON DUPLICATE KEY UPDATE ts = LEAST(ts, VALUES(ts)) RETURNING id",
                RV_ARGS(rv_i64(p, *finish), apr_itoa(p, inflight_s))))
            goto fail;
    }
    else if (rv_db_query(db, p, &rows,
            "INSERT INTO {P}reverb_rate (ts) VALUES (NOW(6) + INTERVAL %s SECOND) RETURNING id",
            RV_ARGS(apr_itoa(p, inflight_s))))
        goto fail;
    grant->slot = 0;
    for (i = 0; i < rows->nrows; i++) {
        long long id = rv_row_int(rows, i, "id", 0);
        if (id > 0 && !(finish && id == *finish))
            grant->slot = id;
    }
    grant->room = (int)(limit - used - 1);
    /* prune now and then; the window only needs the last minute */
    if (grant->slot > 0 && grant->slot % 200 == 0)
        rv_db_exec(db, p, NULL,
                   "DELETE FROM {P}reverb_rate WHERE ts < NOW(6) - INTERVAL 10 MINUTE", RV_NOARGS);
    if (rv_db_commit(db))
        return -1;
    if (finish)
        *finish = 0;
    return 0;
fail:
    rv_db_rollback(db);
    return -1;
}

int rv_rate_acquire(rv_db_t *db, apr_pool_t *p, int limit, int inflight_s, int max_wait_ms,
                    int *wait_ms, volatile apr_uint32_t *stop, long long *finish,
                    rv_rate_grant_t *grant)
{
    apr_time_t deadline = apr_time_now() + apr_time_from_msec(max_wait_ms);
    grant->slot = 0;
    grant->room = 0;
    for (;;) {
        apr_pool_t *sub;
        int rv, wait = 0;
        apr_pool_create(&sub, p);
        rv = rv_rate_try(db, sub, limit, inflight_s, &wait, finish, grant);
        if (rv != 0)
            rv_rate_finish(db, sub, finish);   /* no grant carried it: now, on its own */
        apr_pool_destroy(sub);
        if (rv != 1)
            return rv;
        if (wait_ms)
            *wait_ms = wait;
        if (apr_time_now() + apr_time_from_msec(wait) > deadline
            || (stop && apr_atomic_read32(stop)))
            return 1;
        apr_sleep(apr_time_from_msec(wait > 1000 ? 1000 : wait) + 1000);
    }
}

int rv_rate_done(rv_db_t *db, apr_pool_t *p, long long slot, int sent)
{
    if (slot <= 0)
        return 0;
    if (sent)
        return rv_db_exec(db, p, NULL,
            "UPDATE {P}reverb_rate SET ts = LEAST(ts, NOW(6)) WHERE id = %s",
            RV_ARGS(rv_i64(p, slot)));
    return rv_db_exec(db, p, NULL, "DELETE FROM {P}reverb_rate WHERE id = %s",
                      RV_ARGS(rv_i64(p, slot)));
}

void rv_rate_finish(rv_db_t *db, apr_pool_t *p, long long *finish)
{
    if (finish && *finish > 0) {
        rv_rate_done(db, p, *finish, 1);
        *finish = 0;
    }
}

int rv_rate_pause(rv_db_t *db, apr_pool_t *p, int seconds)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_lock SET `until` = GREATEST(COALESCE(`until`, NOW(3)),"
        " NOW(3) + INTERVAL %s SECOND) WHERE name = 'rate'",
        RV_ARGS(apr_itoa(p, seconds)));
}

int rv_rate_wait_ms(rv_db_t *db, apr_pool_t *p, int limit)
{
    rv_rows_t *rows;
    long long pause_ms, used, free_ms;
    /* no lock: a look, not a grant (rv_rate_acquire still decides) */
    if (rv_db_query(db, p, &rows,
            "SELECT (SELECT GREATEST(0, COALESCE(TIMESTAMPDIFF(MICROSECOND, NOW(6), `until`), 0))"
            "   FROM {P}reverb_lock WHERE name = 'rate') DIV 1000 AS pause_ms,"
            " COUNT(*) AS used,"
            " COALESCE(TIMESTAMPDIFF(MICROSECOND, NOW(6), MIN(LEAST(ts, NOW(6))) + INTERVAL "
            APR_STRINGIFY(RV_RATE_WINDOW_S) " SECOND), 0) AS free_us"
            " FROM {P}reverb_rate WHERE ts > NOW(6) - INTERVAL "
            APR_STRINGIFY(RV_RATE_WINDOW_S) " SECOND", RV_NOARGS)
        || rows->nrows == 0)
        return -1;
    pause_ms = rv_row_int(rows, 0, "pause_ms", 0);
    used = rv_row_int(rows, 0, "used", 0);
    /* rounded up: a wait that ends a little early only finds the window full again */
    free_ms = (rv_row_int(rows, 0, "free_us", 0) + 999) / 1000;
    if (pause_ms > 0)
        return (int)pause_ms;
    if (used < limit)
        return 0;
    return (int)(free_ms > 0 ? free_ms : 1);
}

long long rv_rate_used(rv_db_t *db, apr_pool_t *p)
{
    const char *v = rv_db_value(db, p,
        "SELECT COUNT(*) FROM {P}reverb_rate WHERE ts > NOW(6) - INTERVAL 60 SECOND", RV_NOARGS);
    return v ? apr_atoi64(v) : -1;
}
