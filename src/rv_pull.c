/* rv_pull.c: both-ways listing pull (stub, being written). */
#include "rv_jobs.h"

rv_job_result_t rv_pull_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_job_result_t r = { RV_JOB_FAIL, 0, "not implemented" };
    (void)c; (void)p; (void)job;
    return r;
}
