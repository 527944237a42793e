/* rv_ratelimit.h: ReverbRateLimit requests per minute for every process and
 * every server that shares the database.
 *
 * A sliding window: one row per granted request in {P}reverb_rate; grants
 * are serialised by locking the 'rate' row of {P}reverb_lock, so two
 * servers can never both take the last slot. The window is 61 s, one second
 * longer than Reverb's minute, to absorb network delay between the grant
 * and the request's arrival. A 429 from Reverb pauses everyone: the pause
 * end is stored in the same lock row. Times come from the database clock. */
#ifndef RV_RATELIMIT_H
#define RV_RATELIMIT_H

#include "rv_db.h"
#include "apr_atomic.h"

#define RV_RATE_WINDOW_S 61

/* Waits for a slot, at most max_wait_ms, and not once *stop is raised (the
 * context's stop flag: the child is exiting; NULL never stops). 0 granted,
 * 1 still no slot (*wait_ms says how long until one frees), -1 database
 * error. */
int rv_rate_acquire(rv_db_t *db, apr_pool_t *p, int limit, int max_wait_ms, int *wait_ms,
                    volatile apr_uint32_t *stop);
/* Reverb said 429: nobody sends for `seconds`. */
int rv_rate_pause(rv_db_t *db, apr_pool_t *p, int seconds);
/* How long until a slot may be free (0: one is free now, -1: database
 * error), read without taking the lock: the worker waits this long before
 * it claims a job, instead of claiming jobs only to defer them. */
int rv_rate_wait_ms(rv_db_t *db, apr_pool_t *p, int limit);
/* Requests granted in the last 60 s. */
long long rv_rate_used(rv_db_t *db, apr_pool_t *p);

#endif
