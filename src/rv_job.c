/* rv_job.c: job outcomes, takeover notes and the claim/run/finish step
 * (see rv_job.h). */
#include "rv_job.h"
#include "rv_reverb.h"

#include "apr_strings.h"

int rv_api_deferred(const rv_api_result_t *res)
{
    return res->kind == RV_API_RATE_LIMITED && res->http_status == 0;
}

rv_job_result_t rv_job_from_api(const rv_job_t *job, const rv_api_result_t *res)
{
    rv_job_result_t out = { RV_JOB_FAIL, 0, res->message };
    rv_retry_t r = rv_retry_job(res->kind, res->http_status, res->retry_after_s,
                                job->job_id, job->attempts);
    switch (r.verdict) {
    case RV_RETRY_DEFER:
        out.outcome = RV_JOB_DEFER;
        break;
    case RV_RETRY_LATER:
        out.outcome = RV_JOB_RETRY;
        break;
    default:
        return out;
    }
    out.delay_ms = r.delay_ms;
    return out;
}

void rv_job_note_takeover(rv_db_t *db, apr_pool_t *p, const rv_job_t *job)
{
    rv_log_about_t about = { 0, NULL, NULL, NULL };
    int order = !strcmp(job->kind, "order");
    if (!job->taken_over)
        return;
    about.product_id = !strcmp(job->kind, "push") ? apr_atoi64(job->ref) : 0;
    about.order_number = order ? job->ref : NULL;
    rv_log_note_about(db, p, &about, order || !strcmp(job->kind, "pull") ? "pull" : "push",
        job->kind, 0, apr_psprintf(p, "The process working on this %s job stopped before it "
                                   "finished (Apache restarted or a process died); it is being "
                                   "run again (attempt %d).", job->kind, job->attempts), NULL);
}

void rv_job_finish(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, rv_job_result_t res)
{
    switch (res.outcome) {
    case RV_JOB_DONE:
        rv_queue_done(db, p, job);
        break;
    case RV_JOB_RETRY:
        rv_queue_retry(db, p, job, res.delay_ms, res.error);
        break;
    case RV_JOB_DEFER:
        rv_queue_defer(db, p, job, res.delay_ms, res.error);
        break;
    default:
        rv_queue_fail(db, p, job, res.error);
        break;
    }
}

int rv_job_step(rv_db_t *db, apr_pool_t *p, const char *owner, int lease_s, const char *kind,
                rv_job_run_fn run, void *baton)
{
    rv_job_t job;
    int got = rv_queue_claim_kind(db, p, owner, lease_s, kind, &job);
    if (got == 1) {
        rv_job_note_takeover(db, p, &job);
        rv_job_finish(db, p, &job, run(baton, p, &job));
    }
    return got;
}
