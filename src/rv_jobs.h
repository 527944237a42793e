/* rv_jobs.h: what the worker runs for each job kind. */
#ifndef RV_JOBS_H
#define RV_JOBS_H

#include "rv_reverb.h"
#include "rv_queue.h"

/* DEFER: nothing was sent (our own shared rate limit is used up): run it
 * again after delay_ms without counting an attempt or logging an error. */
typedef enum { RV_JOB_DONE, RV_JOB_RETRY, RV_JOB_FAIL, RV_JOB_DEFER } rv_job_outcome_t;

typedef struct {
    rv_job_outcome_t outcome;
    int delay_ms;            /* RETRY: at least this long (e.g. Retry-After) */
    const char *error;       /* RETRY/FAIL: plain words for the log */
} rv_job_result_t;

/* a retryable API failure → RETRY with backoff for attempt n, else FAIL;
 * a request our own limiter held back → DEFER */
rv_job_result_t rv_job_from_api(const rv_job_t *job, const rv_api_result_t *res);
/* Held back by our own limiter: no request went out. */
int rv_api_deferred(const rv_api_result_t *res);

rv_job_result_t rv_push_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);      /* "push"     */
rv_job_result_t rv_prefetch_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);  /* "prefetch" */
rv_job_result_t rv_order_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);     /* "order"    */
rv_job_result_t rv_pull_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);      /* "pull"     */

#define RV_JOB_MAX_ATTEMPTS 10

#endif
