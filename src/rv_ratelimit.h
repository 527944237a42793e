/* rv_ratelimit.h: ReverbRateLimit requests per minute for every process and
 * every server that shares the database.
 *
 * A sliding window: one row per granted request in {P}reverb_rate; grants
 * are serialised by locking the 'rate' row of {P}reverb_lock, so two
 * servers can never both take the last slot. The window is Reverb's
 * minute, counted from the answer: a granted slot is stored with a time in
 * the future (the longest a request may take, ReverbHttpTimeout + 10 s), so
 * it counts for the whole window while the request is in flight, and
 * rv_rate_done moves it back to the moment the answer came (Reverb counted
 * the request when it arrived, which is earlier: never later than us). A
 * slot whose request was never sent is given back. A 429 from Reverb
 * pauses everyone: the pause end is stored in the same lock row. Times
 * come from the database clock. */
#ifndef RV_RATELIMIT_H
#define RV_RATELIMIT_H

#include "rv_db.h"
#include "apr_atomic.h"

#define RV_RATE_WINDOW_S 60
/* Added to ReverbHttpTimeout for a slot still in flight. */
#define RV_RATE_INFLIGHT_EXTRA_S 10

/* A granted slot: its row (for rv_rate_done) and how many slots the window
 * still had free after it (fewer by now if another process took some: the
 * worker looks at the window before a claim only when this is low). */
typedef struct {
    long long slot;
    int room;
} rv_rate_grant_t;

/* Waits for a slot, at most max_wait_ms, and not once *stop is raised (the
 * context's stop flag: the child is exiting; NULL never stops). 0 granted
 * (*grant filled; the slot counts as in flight for inflight_s seconds), 1
 * still no slot (*wait_ms says how long until one frees), -1 database
 * error. finish (NULL: none) names a slot whose request has had its answer
 * and whose rv_rate_done(sent) the caller left for later: the grant's own
 * statement does it (one round trip less a request), or, when nothing is
 * granted, rv_rate_finish before any wait; *finish is 0 afterwards. */
int rv_rate_acquire(rv_db_t *db, apr_pool_t *p, int limit, int inflight_s, int max_wait_ms,
                    int *wait_ms, volatile apr_uint32_t *stop, long long *finish,
                    rv_rate_grant_t *grant);
/* rv_rate_done(*finish, sent) when *finish names a slot; *finish is 0
 * afterwards. A slot left unfinished (a database error, a crash) stays in
 * flight until its time: the safe side. */
void rv_rate_finish(rv_db_t *db, apr_pool_t *p, long long *finish);
/* The granted slot's request got its answer (sent: the window counts from
 * now) or never went out (not sent: the slot is given back). 0 or a
 * database error; on error the slot simply stays in flight until its
 * time, which only errs on the safe side. */
int rv_rate_done(rv_db_t *db, apr_pool_t *p, long long slot, int sent);
/* Reverb said 429: nobody sends for `seconds`. */
int rv_rate_pause(rv_db_t *db, apr_pool_t *p, int seconds);
/* How long until a slot may be free (0: one is free now, -1: database
 * error), read without taking the lock: the worker waits this long before
 * it claims a job, instead of claiming jobs only to defer them. */
int rv_rate_wait_ms(rv_db_t *db, apr_pool_t *p, int limit);
/* Requests granted in the last 60 s. */
long long rv_rate_used(rv_db_t *db, apr_pool_t *p);

#endif
