/* rv_lock.c: the named rows of {P}reverb_lock (see rv_lock.h). */
#include "rv_lock.h"

#include "apr_strings.h"

int rv_lock_worker_beat(rv_db_t *db, apr_pool_t *p, const char *holder)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_lock SET holder = %s, `until` = NOW(3) WHERE name = 'worker'",
        RV_ARGS(holder));
}

int rv_lock_worker_state(rv_db_t *db, apr_pool_t *p, int alive_s, const char **holder,
                         const char **until, int *alive)
{
    rv_rows_t *rows;
    if (rv_db_query(db, p, &rows,
            "SELECT holder, `until`, (`until` > NOW(3) - INTERVAL %s SECOND) AS alive"
            " FROM {P}reverb_lock WHERE name = 'worker'", RV_ARGS(apr_itoa(p, alive_s)))
        || !rows->nrows)
        return -1;
    *holder = rv_row_get(rows, 0, "holder");
    *until = rv_row_get(rows, 0, "until");
    *alive = rv_row_int(rows, 0, "alive", 0) == 1;
    return 0;
}

int rv_lock_worker_restore(rv_db_t *db, apr_pool_t *p, const char *holder, const char *until)
{
    return rv_db_exec(db, p, NULL,
                      "UPDATE {P}reverb_lock SET holder = %s, `until` = %s WHERE name = 'worker'",
                      RV_ARGS(holder, until));
}

int rv_lock_cron_take(rv_db_t *db, apr_pool_t *p, const char *holder, int lease_s)
{
    const char *lease = apr_itoa(p, lease_s);
    int n = 0;
    if (rv_db_exec(db, p, &n,
            "UPDATE {P}reverb_lock SET holder = %s, `until` = NOW(3) + INTERVAL %s SECOND"
            " WHERE name = 'cron' AND (`until` IS NULL OR `until` < NOW(3))",
            RV_ARGS(holder, lease)))
        return -1;
    if (n == 1)
        return 1;
    /* the row may be missing (tables emptied by hand): recreate it */
    if (!rv_db_value(db, p, "SELECT name FROM {P}reverb_lock WHERE name = 'cron'", RV_NOARGS)) {
        if (rv_db_exec(db, p, &n,
                "INSERT IGNORE INTO {P}reverb_lock (name, holder, `until`) VALUES ('cron', %s,"
                " NOW(3) + INTERVAL %s SECOND)", RV_ARGS(holder, lease)))
            return -1;
        return n == 1;
    }
    return 0;
}

int rv_lock_cron_release(rv_db_t *db, apr_pool_t *p, const char *holder)
{
    return rv_db_exec(db, p, NULL,
                      "UPDATE {P}reverb_lock SET `until` = NULL WHERE name = 'cron' AND holder = %s",
                      RV_ARGS(holder));
}

int rv_lock_sync_hold(rv_db_t *db, apr_pool_t *p)
{
    return rv_db_value(db, p, "SELECT name FROM {P}reverb_lock WHERE name = 'sync' FOR UPDATE",
                       RV_NOARGS) != NULL;
}

int rv_lock_worker_view(rv_db_t *db, apr_pool_t *p, const char **heartbeat,
                        const char **holder, long long *age)
{
    rv_rows_t *rows;
    if (rv_db_query(db, p, &rows,
            "SELECT holder, DATE_FORMAT(`until`, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS heartbeat,"
            " TIMESTAMPDIFF(SECOND, `until`, NOW(3)) AS age FROM {P}reverb_lock"
            " WHERE name = 'worker'", RV_NOARGS) || !rows->nrows)
        return -1;
    *heartbeat = rv_row_get(rows, 0, "heartbeat");
    *holder = rv_row_get(rows, 0, "holder");
    *age = rv_row_get(rows, 0, "age") ? rv_row_int(rows, 0, "age", 0) : -1;
    return 0;
}
