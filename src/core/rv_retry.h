/* rv_retry.h: when a failed Reverb call is tried again, and after how long.
 *
 * Two places retry. A queued job that failed is put back in the queue
 * (rv_retry_job: the worker's backoff, minutes apart at most), and one call
 * inside a request or a job is repeated on the spot a few times
 * (rv_retry_inline_ms: short pauses, idempotent methods only). Both are
 * pure decisions over the result's kind; nothing here sleeps or logs. */
#ifndef RV_RETRY_H
#define RV_RETRY_H

#include "rv_api.h"

/* A job is given up after this many attempts. */
#define RV_JOB_MAX_ATTEMPTS 10

typedef enum {
    RV_RETRY_NO,        /* give up: the failure is final */
    RV_RETRY_LATER,     /* try again after delay_ms, counted as an attempt */
    RV_RETRY_DEFER      /* nothing was sent (our own limiter held it back):
                         * again after delay_ms, not counted */
} rv_retry_verdict_t;

typedef struct {
    rv_retry_verdict_t verdict;
    int delay_ms;
} rv_retry_t;

/* The queue's policy for a job on its `attempts`th attempt (job_id seeds
 * the jitter, so two jobs failing together do not come back together):
 *  - held back by our own limiter (RATE_LIMITED, no HTTP status): DEFER
 *    after Retry-After or 1 s;
 *  - Reverb's 429: LATER after Retry-After or 30 s;
 *  - a retryable kind below RV_JOB_MAX_ATTEMPTS: LATER after an exponential
 *    backoff with full jitter, 1 s base, 60 s cap;
 *  - anything else: NO. */
/* A failure its caller already judged worth another try (an order that
 * could not be imported yet, an API failure among others): LATER after
 * Reverb's Retry-After when it sent one with a 429, else the backoff above;
 * NO from RV_JOB_MAX_ATTEMPTS on. */
rv_retry_t rv_retry_again(rv_api_kind_t kind, int retry_after_s, long long job_id, int attempts);

rv_retry_t rv_retry_job(rv_api_kind_t kind, long http_status, int retry_after_s,
                        long long job_id, int attempts);

/* The on-the-spot policy for one call after attempt `attempt` (1-based)
 * of at most `max_attempts`: the pause in ms before the next attempt
 * (backoff with jitter, 200 ms base, 2 s cap), or -1 when there is none
 * (a final kind, a 429, a POST - never repeated blindly - or no attempts
 * left). */
int rv_retry_inline_ms(rv_api_kind_t kind, int idempotent, int attempt, int max_attempts,
                       unsigned int *seed);

#endif
