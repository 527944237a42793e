/* rv_job.h: the vocabulary shared by the worker and every job kind: a
 * job's outcome, the outcome of a failed Reverb call (the retry policy of
 * core/rv_retry.h), the sync log note for a job taken over from a dead
 * process, and one claim/run/finish step of the queue (the worker's drain
 * and the admin's order import both loop over it). Below the worker and
 * the job files: it includes neither. */
#ifndef RV_JOB_H
#define RV_JOB_H

#include "rv_db.h"
#include "rv_queue.h"
#include "rv_api.h"
#include "rv_retry.h"

/* DEFER: nothing was sent (our own shared rate limit is used up): run it
 * again after delay_ms without counting an attempt or logging an error. */
typedef enum { RV_JOB_DONE, RV_JOB_RETRY, RV_JOB_FAIL, RV_JOB_DEFER } rv_job_outcome_t;

typedef struct {
    rv_job_outcome_t outcome;
    int delay_ms;            /* RETRY: at least this long (e.g. Retry-After) */
    const char *error;       /* RETRY/FAIL: plain words for the log */
} rv_job_result_t;

/* a retryable API failure → RETRY with backoff for attempt n, else FAIL;
 * a request our own limiter held back → DEFER (rv_retry_job decides) */
rv_job_result_t rv_job_from_api(const rv_job_t *job, const rv_api_result_t *res);
/* Held back by our own limiter: no request went out. */
int rv_api_deferred(const rv_api_result_t *res);

/* A claimed job whose previous claimer died: say so in the sync log, so
 * every extra attempt has its explanation there. */
void rv_job_note_takeover(rv_db_t *db, apr_pool_t *p, const rv_job_t *job);

/* The queue row after a run: done, back to pending (retry or defer), or
 * failed. Guarded by the claim's owner: a no-op once the lease was lost. */
void rv_job_finish(rv_db_t *db, apr_pool_t *p, const rv_job_t *job, rv_job_result_t res);

typedef rv_job_result_t (*rv_job_run_fn)(void *baton, apr_pool_t *p, const rv_job_t *job);

/* One step of a drain: claims one due job (of `kind`, "" any) for `owner`
 * with a lease of lease_s, notes a takeover, runs it and finishes it with
 * the result. 1 ran one, 0 nothing due, -1 database error (as
 * rv_queue_claim). */
int rv_job_step(rv_db_t *db, apr_pool_t *p, const char *owner, int lease_s, const char *kind,
                rv_job_run_fn run, void *baton);

#endif
