/* rv_push_job.h: the push job's results, shared with the full sync's
 * prefetch (rv_full_sync.c), which reports its failures the same way. */
#ifndef RV_PUSH_JOB_H
#define RV_PUSH_JOB_H

#include "rv_catalogue.h"
#include "rv_jobs.h"

rv_job_result_t rv_push_done(void);
/* A failed request: the outcome for the job (rv_job_from_api), logged in
 * the sync log (not when deferred: nothing was sent) and, when final, kept
 * as the product's last error. Clears res. */
rv_job_result_t rv_push_fail(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                             const rv_item_t *it, const char *action, const char *lid,
                             rv_api_result_t *res);

#endif
