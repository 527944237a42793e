/* rv_jobs.h: what the worker runs for each job kind. The outcome types
 * and the retry policy they share are in rv_job.h. */
#ifndef RV_JOBS_H
#define RV_JOBS_H

#include "rv_job.h"
#include "rv_reverb.h"
#include "rv_queue.h"

rv_job_result_t rv_push_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);      /* "push"     */
rv_job_result_t rv_prefetch_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);  /* "prefetch" */
rv_job_result_t rv_order_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);     /* "order"    */
rv_job_result_t rv_pull_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);      /* "pull"     */

#endif
