/* rv_reverb.h: every Reverb call goes through here: the shared rate
 * limiter, retries for idempotent calls, and the sync log. */
#ifndef RV_REVERB_H
#define RV_REVERB_H

#include "rv_conf.h"
#include "rv_db.h"
#include "rv_settings.h"
#include "rv_api.h"
#include "rv_queue.h"
#include "rv_synclog.h"   /* rv_log_api_call, rv_log_note: the sync log's writer */

typedef struct {
    server_rec *s;
    rv_conf_t *conf;
    rv_db_t *db;
    rv_settings_t *settings;
    rv_api_t *api;             /* NULL when no token is set */
    int max_wait_ms;           /* how long a call may wait for a rate slot */
    int inline_attempts;       /* attempts per idempotent call (>= 1) */
    const rv_job_t *job;       /* the queued job being run, NULL outside one */
    int lease_s;               /* its lease, renewed before every call */
    int lease_lost;            /* set once another claim took the job over */
    apr_time_t claimed_at;     /* just before the claim set the lease; 0: no fresh claim */
    volatile apr_uint32_t *stop;   /* raised once the child exits: long waits give up */
    apr_pool_t *pool;          /* the context's own (a worker round, a request) */
    void *env;                 /* rv_catalogue_env's last answer, reused for a few seconds */
    apr_time_t env_at;
    int rate_room;             /* slots the last grant left free in the window */
    int rate_defer;            /* set by its owner: a slot's answer is recorded by the next grant */
    long long rate_unfinished; /* that slot, until then (rv_ctx_settle records it) */
} rv_ctx_t;

/* The process's stop flag, every context's `stop`: raised by the worker's
 * child-exit cleanup (Debian's mod_watchdog does not stop its thread). */
volatile apr_uint32_t *rv_ctx_stop_flag(void);

/* NULL api (and a log line) when the token is missing. */
rv_ctx_t *rv_ctx_create(apr_pool_t *p, server_rec *s, rv_db_t *db, rv_settings_t *st,
                        const char *token_override);

/* One logical call. GET/PUT/DELETE are retried here on 5xx and network
 * faults with backoff; POST is never repeated blindly (the caller looks the
 * SKU up first). A 429 pauses every process (Retry-After honoured) and is
 * returned to the caller. Inside a job (c->job), the job's lease is renewed
 * just before every attempt goes out (but the claim's first, when it goes
 * out less than RV_LEASE_FRESH_MS after the claim set the lease: it then
 * has all but that of its full length left, and no other claim can have
 * taken it); when it cannot be (another claim took
 * the job over, or the database is gone) nothing is sent, c->lease_lost is
 * set and the call returns like a request our own limiter held back
 * (RV_API_RATE_LIMITED, http_status 0: rv_job_from_api says DEFER, nothing
 * is logged as an error, and the job row, no longer ours, is left alone). */
rv_api_kind_t rv_reverb_call(rv_ctx_t *c, apr_pool_t *p, const char *method,
                             const char *path, json_object *body, rv_api_result_t *res);

/* With c->rate_defer set (the worker's drain, which sends request after
 * request), a request's answer moves its rate slot back to the answer's
 * time in the next grant's statement instead of a statement of its own
 * (rv_rate_acquire's finish). Until then the slot counts as in flight,
 * which errs on the safe side. The owner calls this before it waits or
 * lets the context go: the slot is recorded now. */
void rv_ctx_settle(rv_ctx_t *c, apr_pool_t *p);


#endif
