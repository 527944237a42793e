/* rv_full_sync.c: the full sync's prefetch job: reads every seller listing
 * into reverb_listing_seen (SKU -> id), then queues every product it may
 * have to push or end as part of the run (reverb_sync_run); for a 'match'
 * run (rv_change_match_new) it releases the held pushes instead. */
#include "rv_change.h"
#include "rv_catalogue.h"
#include "rv_listing_read.h"
#include "rv_push_job.h"
#include "rv_jobs.h"
#include "rv_queue.h"
#include "rv_json.h"
#include "rv_shape.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

/* Pages through every seller listing (all states) and remembers SKU -> id,
 * then queues every eligible product as part of the run. */
typedef struct {
    long long run_id;
    int total;
} rv_run_queue_t;

/* A run's pushes wait until its total is written (then released at once),
 * or this long if the prefetch job dies first: they then look their SKU up. */
#define RV_RUN_HOLD_S 120

/* Queueing a big catalogue takes a while: the lease is renewed per batch. */
static void rv_run_batch_end(rv_ctx_t *c, apr_pool_t *p, void *baton)
{
    (void)baton;
    if (c->job && !c->lease_lost && rv_queue_extend(c->db, p, c->job, c->lease_s)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, c->s,
                     RVLOGNO(0033) "the full sync %s was taken over by another process (its lease "
                     "had run out, or the database could not confirm it); stopped queueing",
                     c->job->ref);
        c->lease_lost = 1;
    }
}

/* A full sync queues every product it may have to push or end. */
static void rv_queue_for_run(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, rv_item_t *it,
                             void *baton)
{
    rv_run_queue_t *run = baton;
    (void)e;
    if (c->lease_lost)
        return;
    if (rv_item_eligible(it) || rv_item_listed(it)) {
        rv_queue_add_for_run(c->db, p, "push", rv_i64(p, it->prod.product_id), RV_PRIO_BULK,
                             run->run_id, RV_RUN_HOLD_S);
        run->total++;
    }
}

/* A 'match' run (rv_change_match_new) only releases its held pushes; the
 * total tells those pushes to trust the prefetch ("absent means absent"). */
static rv_job_result_t rv_match_release(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    int released = rv_queue_release_run(c->db, p, "push", apr_atoi64(job->ref));
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_sync_run SET total = %s, state = 'finished',"
               " finished_at = NOW(3) WHERE run_id = %s",
               RV_ARGS(apr_itoa(p, released > 0 ? released : 1), job->ref));
    return rv_push_done();
}

rv_job_result_t rv_prefetch_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_api_result_t res;
    rv_run_queue_t run = { 0, 0 };
    int total = 0, pages = 0;

    if (rv_listing_read_all(c, p, job->ref, &pages, &res)) {
        rv_item_t none;
        memset(&none, 0, sizeof(none));
        return rv_push_fail(c, p, job, &none, "prefetch", NULL, &res);
    }
    run.run_id = apr_atoi64(job->ref);
    if (rv_db_value(c->db, p, "SELECT 1 FROM {P}reverb_sync_run WHERE run_id = %s"
                    " AND kind = 'match'", RV_ARGS(job->ref)))
        return rv_match_release(c, p, job);
    if (rv_catalogue_each(c, p, rv_catalogue_env(c, p), 0, rv_queue_for_run, rv_run_batch_end, &run)) {
        rv_job_result_t r = { RV_JOB_RETRY, 5000, "database error" };
        return r;
    }
    if (c->lease_lost) {
        rv_job_result_t r = { RV_JOB_DEFER, 1000, "taken over by another process" };
        return r;               /* the job row is no longer ours: leave it alone */
    }
    total = run.total;
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_sync_run SET total = %s WHERE run_id = %s",
               RV_ARGS(apr_itoa(p, total ? total : -1), job->ref));
    rv_queue_release_run(c->db, p, "push", run.run_id);   /* they trust the total now */
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s,
                 RVLOGNO(0019) "full sync %s: %d listings pages read, %d products queued",
                 job->ref, pages, total);
    return rv_push_done();
}
