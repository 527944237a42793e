/* rv_queue.c: database job queue with leases. */
#include "rv_queue.h"
#include "rv_json.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

/* ER_LOCK_DEADLOCK: an upsert racing the worker's finishing UPDATE of the
 * same job (the unique live_key index and the row, locked in opposite
 * orders) may be chosen as the victim. Outside a transaction only that
 * statement was undone: it is run again. */
#define RV_DEADLOCK_TRIES 3

static int rv_queue_upsert(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                           int priority, long long run_id, int hold_s, int *affected);

int rv_queue_add(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                 int priority, long long run_id)
{
    return rv_queue_add_n(db, p, kind, ref, priority, run_id, NULL);
}

/* The upsert, run again when it was a deadlock's victim. */
static int rv_queue_add_retried(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                                int priority, long long run_id, int hold_s, int *affected)
{
    int rv, tries = 0;
    while ((rv = rv_queue_upsert(db, p, kind, ref, priority, run_id, hold_s, affected))
           && rv_db_retryable(db, rv) && ++tries < RV_DEADLOCK_TRIES)
        ;
    return rv;
}

int rv_queue_add_n(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                   int priority, long long run_id, int *affected)
{
    return rv_queue_add_retried(db, p, kind, ref, priority, run_id, 0, affected);
}

int rv_queue_add_for_run(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                         int priority, long long run_id, int hold_s)
{
    return rv_queue_add_retried(db, p, kind, ref, priority, run_id, hold_s, NULL);
}

static int rv_queue_upsert(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                           int priority, long long run_id, int hold_s, int *affected)
{
    /* ON DUPLICATE KEY UPDATE assigns left to right: run_after and again
     * must read the old priority/state before they change. A new job
     * waits hold_s seconds; a live one keeps its own time. */
    return rv_db_exec(db, p, affected,
        "INSERT INTO {P}reverb_job (kind, ref, live_key, priority, run_id, run_after)"
        " VALUES (%s, %s, CONCAT(%s, ':', %s), %s, NULLIF(%s, '0'),"
        "  NOW(3) + INTERVAL %s SECOND)"
        " ON DUPLICATE KEY UPDATE"
        "  run_after = IF(state = 'pending' AND VALUES(priority) < priority, NOW(3), run_after),"
        "  again = IF(state = 'running', 1, again),"
        "  priority = LEAST(priority, VALUES(priority)),"
        "  run_id = COALESCE(VALUES(run_id), run_id)",
        RV_ARGS(kind, ref, kind, ref, apr_itoa(p, priority),
                rv_i64(p, run_id), apr_itoa(p, hold_s)));
}

/* The same for many refs at once (a JSON array of ids or strings), in one
 * statement with the same merge rules as rv_queue_add. */
int rv_queue_add_many(rv_db_t *db, apr_pool_t *p, const char *kind, const char *refs_json,
                      int priority)
{
    return rv_db_exec(db, p, NULL,
        "INSERT INTO {P}reverb_job (kind, ref, live_key, priority, run_id, run_after)"
        " SELECT %s, j.ref, CONCAT(%s, ':', j.ref), %s, NULL, NOW(3)"
        " FROM JSON_TABLE(%s, '$[*]' COLUMNS (ref VARCHAR(64) PATH '$')) j"
        " WHERE j.ref IS NOT NULL GROUP BY j.ref"
        " ON DUPLICATE KEY UPDATE"
        "  run_after = IF(state = 'pending' AND VALUES(priority) < priority, NOW(3), run_after),"
        "  again = IF(state = 'running', 1, again),"
        "  priority = LEAST(priority, VALUES(priority)),"
        "  run_id = COALESCE(VALUES(run_id), run_id)",
        RV_ARGS(kind, kind, apr_itoa(p, priority), refs_json));
}

int rv_queue_due_at_least(rv_db_t *db, apr_pool_t *p, int n)
{
    const char *v = rv_db_value(db, p,
        "SELECT COUNT(*) FROM (SELECT 1 FROM {P}reverb_job"
        " WHERE state = 'pending' AND run_after <= NOW(3) LIMIT %s) d",
        RV_ARGS(apr_itoa(p, n)));
    return v ? apr_atoi64(v) >= n : -1;
}

int rv_queue_any_due(rv_db_t *db, apr_pool_t *p)
{
    return rv_queue_due_at_least(db, p, 1);
}

int rv_queue_kind_busy(rv_db_t *db, apr_pool_t *p, const char *kind)
{
    rv_rows_t *rows;
    if (rv_db_query(db, p, &rows, "SELECT 1 FROM {P}reverb_job WHERE kind = %s"
                    " AND state IN ('pending', 'running') LIMIT 1", RV_ARGS(kind)))
        return -1;
    return rows->nrows > 0;
}

int rv_queue_claim(rv_db_t *db, apr_pool_t *p, const char *owner, int lease_s, rv_job_t *job)
{
    return rv_queue_claim_kind(db, p, owner, lease_s, "", job);
}

/* One claim attempt: 1 claimed, 0 nothing due, 2 the job taken over went
 * to another claim meanwhile, -2 a deadlock's victim (both: try again),
 * -1 a database error. */
static int rv_claim_error(rv_db_t *db, int rv)
{
    return rv_db_retryable(db, rv) ? -2 : -1;
}

static int rv_queue_claim_once(rv_db_t *db, apr_pool_t *p, const char *owner, int lease_s,
                               const char *kind, rv_job_t *job)
{
    rv_rows_t *rows;
    int rv, n = 0;

    if (rv_db_begin(db))
        return -1;
    /* The first due job in priority order, or a running one whose lease
     * ran out, whichever comes first. Each half walks the `pick` index
     * (state, priority, job_id) in order and stops at its first row; one
     * condition with OR would read and sort every waiting job on each
     * claim (a 1,000-product sync's claims read half a million rows).
     * Only the due half locks (SKIP LOCKED: a row another claim holds is
     * passed over). The lapsed half is a plain read: a locking read there
     * would lock the gaps among running jobs, where every claim's own
     * UPDATE puts its job, and two drains claiming at once would deadlock;
     * its UPDATE below checks again that the lease has lapsed. */
    rv = rv_db_query(db, p, &rows,
        "(SELECT job_id, kind, ref, attempts, run_id, state, priority FROM {P}reverb_job"
        "  WHERE state = 'pending' AND run_after <= NOW(3) AND (%s = '' OR kind = %s)"
        "  ORDER BY priority, job_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
        " UNION ALL"
        " (SELECT job_id, kind, ref, attempts, run_id, state, priority FROM {P}reverb_job"
        "  WHERE state = 'running' AND lease_until < NOW(3) AND (%s = '' OR kind = %s)"
        "  ORDER BY priority, job_id LIMIT 1)"
        " ORDER BY priority, job_id LIMIT 1", RV_ARGS(kind, kind, kind, kind));
    if (rv || rows->nrows == 0) {
        rv_db_rollback(db);
        return rv ? rv_claim_error(db, rv) : 0;
    }
    job->job_id = rv_row_int(rows, 0, "job_id", 0);
    job->kind = rv_row_get(rows, 0, "kind");
    job->ref = rv_row_get(rows, 0, "ref");
    job->attempts = (int)rv_row_int(rows, 0, "attempts", 0) + 1;
    job->run_id = rv_row_int(rows, 0, "run_id", 0);
    job->owner = owner;
    job->taken_over = !strcmp(rv_row_get(rows, 0, "state"), "running");
    rv = rv_db_exec(db, p, &n,
        "UPDATE {P}reverb_job SET state = 'running', lease_owner = %s,"
        " lease_until = NOW(3) + INTERVAL %s SECOND, attempts = attempts + 1"
        " WHERE job_id = %s AND ((state = 'pending' AND run_after <= NOW(3))"
        "   OR (state = 'running' AND lease_until < NOW(3)))",
        RV_ARGS(owner, apr_itoa(p, lease_s), rv_i64(p, job->job_id)));
    if (rv || n != 1) {
        rv_db_rollback(db);
        return rv ? rv_claim_error(db, rv) : 2;
    }
    return rv_db_commit(db) ? -1 : 1;
}

/* A claim that lost its lapsed job to another, or was a deadlock's victim
 * (the whole transaction undone), tries again at once. */
#define RV_CLAIM_TRIES 3

int rv_queue_claim_kind(rv_db_t *db, apr_pool_t *p, const char *owner, int lease_s,
                        const char *kind, rv_job_t *job)
{
    int rv = 0, tries = 0;
    while (tries++ < RV_CLAIM_TRIES) {
        rv = rv_queue_claim_once(db, p, owner, lease_s, kind, job);
        if (rv != 2 && rv != -2)
            break;
    }
    if (rv == 2)
        return 0;
    return rv == -2 ? -1 : rv;
}

static const char *id_str(apr_pool_t *p, const rv_job_t *job)
{
    return rv_i64(p, job->job_id);
}

/* Every finishing update is guarded by the lease owner: a worker that lost
 * its lease (it was too slow, another took over) changes nothing. */
int rv_queue_done(rv_db_t *db, apr_pool_t *p, const rv_job_t *job)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_job SET"
        "  state = IF(again, 'pending', 'done'), live_key = IF(again, live_key, NULL),"
        "  attempts = IF(again, 0, attempts), again = 0, run_after = NOW(3),"
        "  lease_owner = NULL, lease_until = NULL, last_error = NULL"
        " WHERE job_id = %s AND lease_owner = %s",
        RV_ARGS(id_str(p, job), job->owner));
}

/* Back to pending after delay_ms; `counted`: whether this claim was an
 * attempt (a deferral, nothing sent, gives it back). */
static int rv_queue_pending_again(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, int delay_ms,
                                  const char *error, int counted)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_job SET state = 'pending', attempts = GREATEST(attempts - %s, 0),"
        "  run_after = NOW(3) + INTERVAL %s MICROSECOND,"
        "  lease_owner = NULL, lease_until = NULL, last_error = %s"
        " WHERE job_id = %s AND lease_owner = %s",
        RV_ARGS(counted ? "0" : "1", rv_i64(p, (long long)delay_ms * 1000), error ? error : "",
                id_str(p, job), job->owner));
}

int rv_queue_retry(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, int delay_ms,
                   const char *error)
{
    return rv_queue_pending_again(db, p, job, delay_ms, error, 1);
}

int rv_queue_defer(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, int delay_ms,
                   const char *why)
{
    return rv_queue_pending_again(db, p, job, delay_ms, why, 0);
}

int rv_queue_fail(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, const char *error)
{
    /* a change that came in meanwhile still gets its run */
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_job SET"
        "  state = IF(again, 'pending', 'failed'), live_key = IF(again, live_key, NULL),"
        "  attempts = IF(again, 0, attempts), again = 0, run_after = NOW(3),"
        "  lease_owner = NULL, lease_until = NULL, last_error = %s"
        " WHERE job_id = %s AND lease_owner = %s",
        RV_ARGS(error ? error : "", id_str(p, job), job->owner));
}

int rv_queue_extend(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, int lease_s)
{
    int affected = 0;
    if (!job->owner)
        return 1;
    if (rv_db_exec(db, p, &affected,
            "UPDATE {P}reverb_job SET lease_until = NOW(3) + INTERVAL %s SECOND"
            " WHERE job_id = %s AND lease_owner = %s AND state = 'running'",
            RV_ARGS(apr_itoa(p, lease_s), id_str(p, job), job->owner)))
        return -1;
    if (affected > 0)
        return 0;
    /* 0 rows changed also when lease_until already had that value (two
     * extensions within one millisecond): ask who holds it */
    if (rv_db_value(db, p, "SELECT 1 FROM {P}reverb_job WHERE job_id = %s AND lease_owner = %s"
                    " AND state = 'running'", RV_ARGS(id_str(p, job), job->owner)))
        return 0;
    return 1;
}

int rv_queue_counts(rv_db_t *db, apr_pool_t *p, long long *pending, long long *running,
                    long long *failed)
{
    rv_rows_t *rows;
    if (rv_db_query(db, p, &rows,
            "SELECT COALESCE(SUM(state = 'pending'), 0) AS pending,"
            " COALESCE(SUM(state = 'running'), 0) AS running,"
            " COALESCE(SUM(state = 'failed'), 0) AS failed"
            " FROM {P}reverb_job WHERE state IN ('pending', 'running', 'failed')", RV_NOARGS))
        return -1;
    *pending = rv_row_int(rows, 0, "pending", 0);
    *running = rv_row_int(rows, 0, "running", 0);
    *failed = rv_row_int(rows, 0, "failed", 0);
    return 0;
}

long long rv_queue_created_recently(rv_db_t *db, apr_pool_t *p, const char *kind, int seconds)
{
    const char *v = rv_db_value(db, p,
        "SELECT COUNT(*) FROM {P}reverb_job WHERE kind = %s"
        " AND created_at > NOW(3) - INTERVAL %s SECOND",
        RV_ARGS(kind, apr_itoa(p, seconds)));
    return v ? apr_atoi64(v) : -1;
}

int rv_queue_is_live(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref)
{
    const char *v = rv_db_value(db, p,
        "SELECT COUNT(*) FROM {P}reverb_job WHERE live_key = CONCAT(%s, ':', %s)",
        RV_ARGS(kind, ref));
    return v ? (apr_atoi64(v) > 0) : -1;
}

int rv_queue_add_held(rv_db_t *db, apr_pool_t *p, const char *kind, const char *ref,
                      int priority, int hold_s)
{
    int n = 0;
    /* a job already waiting keeps its own time; a new one waits */
    if (rv_db_exec(db, p, &n,
        "INSERT INTO {P}reverb_job (kind, ref, live_key, priority, run_after)"
        " VALUES (%s, %s, CONCAT(%s, ':', %s), %s, NOW(3) + INTERVAL %s SECOND)"
        " ON DUPLICATE KEY UPDATE"
        "  again = IF(state = 'running', 1, again),"
        "  priority = LEAST(priority, VALUES(priority))",
        RV_ARGS(kind, ref, kind, ref, apr_itoa(p, priority), apr_itoa(p, hold_s))))
        return -1;
    return n == 1;      /* MariaDB counts an insert 1, an update of a duplicate 2 */
}

#define RV_HOLD_CHUNK 50

int rv_queue_hold_for_run(rv_db_t *db, apr_pool_t *p, const char *kind, const char *refs_json,
                          long long run_id, int hold_s)
{
    /* the refs go in as bound parameters, 50 a statement (a JSON_TABLE
     * join would compare in the JSON column's collation, not the table's) */
    json_object *refs = rv_json_parse(refs_json, strlen(refs_json), NULL);
    size_t n = refs && json_object_is_type(refs, json_type_array) ? json_object_array_length(refs) : 0;
    size_t i, k;
    int total = 0;
    for (i = 0; i < n; i += RV_HOLD_CHUNK) {
        const char **args = apr_palloc(p, sizeof(*args) * (3 + RV_HOLD_CHUNK));
        const char *sql = "UPDATE {P}reverb_job SET run_id = NULLIF(%s, '0'),"
                          " run_after = NOW(3) + INTERVAL %s SECOND"
                          " WHERE state = 'pending' AND live_key IN (%s";
        int changed = 0;
        args[0] = rv_i64(p, run_id);
        args[1] = apr_itoa(p, hold_s);
        for (k = 0; k < RV_HOLD_CHUNK; k++) {
            size_t j = i + k < n ? i + k : n - 1;       /* pad with the last one */
            json_object *r = json_object_array_get_idx(refs, j);
            args[2 + k] = apr_pstrcat(p, kind, ":", r && json_object_is_type(r, json_type_string)
                                      ? json_object_get_string(r) : "", NULL);
            if (k)
                sql = apr_pstrcat(p, sql, ", %s", NULL);
        }
        sql = apr_pstrcat(p, sql, ")", NULL);
        if (rv_db_exec(db, p, &changed, sql, args, 2 + RV_HOLD_CHUNK)) {
            json_object_put(refs);
            return -1;
        }
        total += changed;
    }
    if (refs)
        json_object_put(refs);
    return total;
}

int rv_queue_release_run(rv_db_t *db, apr_pool_t *p, const char *kind, long long run_id)
{
    int n = 0;
    if (rv_db_exec(db, p, &n,
            "UPDATE {P}reverb_job SET run_after = NOW(3)"
            " WHERE run_id = %s AND kind = %s AND state = 'pending' AND run_after > NOW(3)",
            RV_ARGS(rv_i64(p, run_id), kind)))
        return -1;
    return n;
}

int rv_queue_prune_batch(rv_db_t *db, apr_pool_t *p, int keep_days, const char *keep_run,
                         int batch, int *deleted)
{
    *deleted = 0;
    return rv_db_exec(db, p, deleted,
        "DELETE FROM {P}reverb_job WHERE state IN ('done', 'failed')"
        " AND updated_at < NOW(3) - INTERVAL %s DAY"
        " AND (run_id IS NULL OR run_id < %s) LIMIT %s",
        RV_ARGS(apr_itoa(p, keep_days), keep_run, apr_itoa(p, batch)));
}

int rv_queue_run_counts(rv_db_t *db, apr_pool_t *p, const char *run_id, long long *done,
                        long long *failed, long long *open)
{
    rv_rows_t *rows;
    *done = *failed = *open = 0;
    if (rv_db_query(db, p, &rows,
            "SELECT COALESCE(SUM(kind = 'push' AND state = 'done'), 0) AS done,"
            " COALESCE(SUM(kind = 'push' AND state = 'failed'), 0) AS failed,"
            " COALESCE(SUM(state IN ('pending', 'running')), 0) AS open"
            " FROM {P}reverb_job WHERE run_id = %s", RV_ARGS(run_id)) || rows->nrows == 0)
        return -1;
    *done = rv_row_int(rows, 0, "done", 0);
    *failed = rv_row_int(rows, 0, "failed", 0);
    *open = rv_row_int(rows, 0, "open", 0);
    return 0;
}
