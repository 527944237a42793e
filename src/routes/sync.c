/* routes/sync.c: POST/GET admin/sync: start a full sync (reverb_sync_run
 * plus its prefetch job, rv_full_sync.c) and report its progress. */
#include "rv_route.h"
#include "rv_queue.h"
#include "rv_lock.h"
#include "rv_http.h"

#include "apr_strings.h"


static json_object *rv_run_json(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    rv_rows_t *rows;
    json_object *o;
    long long total, done, failed, open, elapsed;
    if (rv_db_query(q->db, p, &rows,
            "SELECT r.run_id, r.state, r.total,"
            " DATE_FORMAT(r.started_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS started_at,"
            " TIMESTAMPDIFF(SECOND, r.started_at, NOW(3)) AS elapsed"
            " FROM {P}reverb_sync_run r WHERE r.kind = 'full' ORDER BY r.run_id DESC LIMIT 1",
            RV_NOARGS)
        || rows->nrows == 0)
        return NULL;
    total = rv_row_int(rows, 0, "total", 0);
    if (rv_queue_run_counts(q->db, p, rv_row_get(rows, 0, "run_id"), &done, &failed, &open))
        return NULL;
    elapsed = rv_row_int(rows, 0, "elapsed", 0);
    if (total < 0)
        total = 0;       /* prefetch found nothing to sync */
    if (!strcmp(rv_row_get(rows, 0, "state"), "running") && open == 0
        && rv_row_int(rows, 0, "total", 0) != 0) {
        rv_db_exec(q->db, p, NULL, "UPDATE {P}reverb_sync_run SET state = 'finished',"
                   " finished_at = NOW(3) WHERE run_id = %s AND state = 'running'",
                   RV_ARGS(rv_row_get(rows, 0, "run_id")));
        rows->rows[0][1] = "finished";
    }
    o = json_object_new_object();
    json_object_object_add(o, "run_id", json_object_new_int64(rv_row_int(rows, 0, "run_id", 0)));
    json_object_object_add(o, "state", json_object_new_string(rv_row_get(rows, 0, "state")));
    json_object_object_add(o, "total", json_object_new_int64(total));
    json_object_object_add(o, "done", json_object_new_int64(done));
    json_object_object_add(o, "failed", json_object_new_int64(failed));
    json_object_object_add(o, "eta_seconds", done + failed > 0 && total > done + failed
        ? json_object_new_int64(elapsed * (total - done - failed) / (done + failed)) : NULL);
    json_object_object_add(o, "started_at", json_object_new_string(rv_row_get(rows, 0, "started_at")));
    return o;
}

/* POST: start a run (409 while one runs); GET: its progress. */
int rv_route_sync(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *out = json_object_new_object(), *run;
    if (q->r->method_number == M_POST) {
        json_object *in;
        const char *running, *id;
        if (rv_http_read_json_object(q->r, &in)) {
            json_object_put(out);
            return OK;
        }
        /* the 'sync' lock row serialises starts across processes and servers */
        if (rv_db_begin(q->db)
            || !rv_lock_sync_hold(q->db, p)) {
            rv_db_rollback(q->db);
            json_object_put(out);
            return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The sync could not be started (database error).");
        }
        run = rv_run_json(q);   /* also closes a finished run */
        running = run ? json_object_get_string(json_object_object_get(run, "state")) : NULL;
        if (running && !strcmp(running, "running")) {
            rv_db_rollback(q->db);
            json_object_put(run);
            json_object_put(out);
            return rv_http_error(q->r, HTTP_CONFLICT, "sync_running",
                                 "A full sync is already running. Watch its progress, or wait until it ends.");
        }
        if (run)
            json_object_put(run);
        if (rv_db_exec(q->db, p, NULL, "INSERT INTO {P}reverb_sync_run (state) VALUES ('running')",
                       RV_NOARGS)
            || !(id = rv_db_last_id(q->db, p))
            || rv_queue_add(q->db, p, "prefetch", id, RV_PRIO_BULK - 1, apr_atoi64(id))
            || rv_db_commit(q->db)) {
            rv_db_rollback(q->db);
            json_object_put(out);
            return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The sync could not be started (database error).");
        }
        json_object_object_add(out, "run", rv_run_json(q));
        return rv_http_json(q->r, HTTP_ACCEPTED, out);
    }
    json_object_object_add(out, "run", rv_run_json(q));
    return rv_http_json(q->r, HTTP_OK, out);
}
