/* rv_lock.h: the rows of {P}reverb_lock, each named, holder + `until`:
 *   worker  the worker's heartbeat (who drains, and when it last did)
 *   cron    cron's lease (one cron run at a time)
 *   sync    serialises starting a full sync (row lock)
 *   rate    the shared rate limiter's pause end (rv_ratelimit.c reads it
 *           inside its own statements)
 * Every statement on that table outside the rate limiter is here. */
#ifndef RV_LOCK_H
#define RV_LOCK_H

#include "rv_db.h"

/* The worker row says `holder` drained just now. */
int rv_lock_worker_beat(rv_db_t *db, apr_pool_t *p, const char *holder);
/* The worker row as it is: holder and `until` (NULL when unset), and
 * whether its heartbeat is younger than alive_s. 0, or -1 when the row
 * cannot be read (then nothing is set). */
int rv_lock_worker_state(rv_db_t *db, apr_pool_t *p, int alive_s, const char **holder,
                         const char **until, int *alive);
/* Puts back a worker row read with rv_lock_worker_state. */
int rv_lock_worker_restore(rv_db_t *db, apr_pool_t *p, const char *holder, const char *until);

/* Takes the `cron` lease for lease_s when it is free (or expired); makes
 * the row if it is missing. 1 taken, 0 held by another, -1 error. */
int rv_lock_cron_take(rv_db_t *db, apr_pool_t *p, const char *holder, int lease_s);
/* Ends `holder`'s cron lease (nothing when another holds it). */
int rv_lock_cron_release(rv_db_t *db, apr_pool_t *p, const char *holder);

/* Inside a transaction: locks the `sync` row until commit or rollback (a
 * full sync starts one at a time). 1 locked, 0 not (no row, or error). */
int rv_lock_sync_hold(rv_db_t *db, apr_pool_t *p);

/* The worker heartbeat for the status page: ISO time of the last beat,
 * holder, and its age in seconds (*age -1 when unknown). 0, or -1 when the
 * row cannot be read. */
int rv_lock_worker_view(rv_db_t *db, apr_pool_t *p, const char **heartbeat,
                        const char **holder, long long *age);

#endif
