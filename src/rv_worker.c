/* rv_worker.c: mod_watchdog callback that claims and runs queued jobs.
 *
 * mod_watchdog runs the callback in one thread of one child (singleton);
 * several servers on one database each run one, and the queue's
 * SKIP LOCKED claims plus the shared limiter keep them apart. Nothing here
 * relies on the STOPPING state (it is not delivered on Debian's build):
 * a job left running by a dead process is reclaimed when its lease ends. */
#include "rv_worker.h"
#include "rv_conf.h"
#include "rv_db.h"
#include "rv_jobs.h"
#include "rv_reconcile.h"
#include "rv_settings.h"
#include "rv_ratelimit.h"
#include "rv_lock.h"
#include "rv_job.h"
#include "rv_accept.h"

#include "http_log.h"
#include "mod_watchdog.h"
#include "apr_optional.h"
#include "apr_strings.h"
#include "apr_atomic.h"
#include "apr_allocator.h"
#include "apr_thread_proc.h"
#include <unistd.h>

APLOG_USE_MODULE(reverb);

#define RV_WD_NAME "reverb-worker"
/* A claim's lease is renewed just before every request a job sends (and
 * every batch a full sync queues), so it only has to outlive one request
 * and the waits around it (the rate limiter, backoff): four HTTP timeouts
 * plus 10 s leave room to spare. A job that stops renewing (its process
 * died) is claimed again once this has passed. */
#define RV_LEASE_S(conf) ((conf)->http_timeout * 4 + 10)
#define RV_ROUND_BUDGET_MS 10000
/* Webhook deliveries wait in reverb_webhook until a process queues them:
 * the worker looks at least this often (and before a round's first claim),
 * so a Reverb order reaches the queue within about a second. */
#define RV_INBOX_LOOK_S 1
#define RV_INBOX_BATCHES 40

/* Child shutdown and the worker thread: Debian's mod_watchdog does not
 * stop its thread before the child exits, and exit() while the thread is
 * inside libmariadb or libcurl can abort the process. The child's pool
 * cleanup raises the stop flag every rv_ctx_t points at (rv_ctx_stop_flag)
 * and waits (bounded) until no callback runs. */
static volatile apr_uint32_t in_callback;
#define RV_EXIT_WAIT_MS 10000

/* Waits inside a job (the rate limiter) read the same flag through their
 * rv_ctx_t. */
static int rv_worker_stopping(void)
{
    return apr_atomic_read32(rv_ctx_stop_flag()) != 0;
}

static APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *wd_get_instance;
static APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *wd_register_callback;

static rv_job_result_t rv_job_dispatch(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_job_result_t unknown = { RV_JOB_FAIL, 0, "unknown job kind" };
    if (!strcmp(job->kind, "push"))
        return rv_push_job(c, p, job);
    if (!strcmp(job->kind, "prefetch"))
        return rv_prefetch_job(c, p, job);
    if (!strcmp(job->kind, "order"))
        return rv_order_job(c, p, job);
    if (!strcmp(job->kind, "pull"))
        return rv_pull_job(c, p, job);
    if (!strcmp(job->kind, "reconcile"))
        return rv_reconcile_job(c, p, job);
    if (!strcmp(job->kind, "reconcile_end"))
        return rv_reconcile_end_job(c, p, job);
    return unknown;
}

/* rv_job_step's run: the job in the context while it runs (its lease is
 * renewed before every Reverb call). */
static rv_job_result_t rv_worker_run(void *baton, apr_pool_t *p, const rv_job_t *job)
{
    rv_ctx_t *ctx = baton;
    rv_job_result_t res;
    ctx->job = job;
    ctx->lease_lost = 0;
    res = rv_job_dispatch(ctx, p, job);
    ctx->job = NULL;
    return res;
}

static void rv_worker_heartbeat(rv_db_t *db, apr_pool_t *p, const char *owner)
{
    rv_lock_worker_beat(db, p, owner);
}

/* "host:pid": who is draining (the worker heartbeat's holder). */
static const char *rv_worker_owner(apr_pool_t *p)
{
    char host[128] = "";
    gethostname(host, sizeof(host) - 1);
    host[64] = '\0';    /* the owner column holds 128 characters, with the claim's suffix */
    return apr_psprintf(p, "%s:%d", host, (int)getpid());
}

/* A job's lease owner: "host:pid:<random>", unique per claim. host:pid
 * alone is shared by cron's drain and the watchdog thread of one child,
 * and containers repeat it; a claim that lost its lease must never pass
 * for the claim that took the job over. */
static const char *rv_claim_owner(apr_pool_t *p, const char *drainer)
{
    static volatile apr_uint32_t seq;
    const char *r = rv_random_hex(p, 8);
    return apr_psprintf(p, "%s:%s%x", drainer, r ? r : "",
                        (unsigned)apr_atomic_inc32(&seq));
}

/* The shared rate window is full: sleep until a slot frees (at most until
 * `end`, in short steps so a stopping child is not held up) rather than
 * claim jobs only to defer them, and claim as soon as one is free. A
 * deferral waits whole seconds and a watchdog interval more; this waits to
 * the millisecond. Returns 1 when it slept, 2 when there is nothing to
 * wait for in this round (no job due, or no slot before it ends). */
#define RV_RATE_NAP_MS 250
#define RV_RATE_ROOM_MIN 3
static int rv_worker_rate_wait(rv_ctx_t *ctx, rv_db_t *db, apr_pool_t *p, int limit,
                               apr_time_t end)
{
    int wait;
    apr_time_t now;
    apr_interval_time_t nap;
    /* the last grant left room: a slot is free unless others took them all,
     * and then the claim's own acquire decides (one statement less a job) */
    if (ctx->rate_room >= RV_RATE_ROOM_MIN) {
        ctx->rate_room--;
        return 0;
    }
    wait = rv_rate_wait_ms(db, p, limit);
    now = apr_time_now();
    if (wait <= 0)
        return 0;   /* free (or unknown: the claim's own acquire decides) */
    /* no slot before this round ends (a cron drain's few seconds): the next
     * round looks again; nothing is claimed only to be deferred */
    if (now + apr_time_from_msec(wait) > end)
        return 2;
    /* nothing due: no reason to wait here (a cron drain answers at once) */
    if (rv_queue_any_due(db, p) != 1)
        return 2;
    nap = apr_time_from_msec(wait > RV_RATE_NAP_MS ? RV_RATE_NAP_MS : wait);
    if (now + nap > end)
        nap = end > now ? end - now : 0;
    rv_ctx_settle(ctx, p);      /* the last answer's slot, before the wait */
    if (nap > 0)
        apr_sleep(nap);
    return 1;
}

/* A second drain while the queue is long. One drain is a chain of round
 * trips (claim, load, rate slot, request, record): it keeps neither the
 * database nor this process busy, and at a high ReverbRateLimit the
 * window would let requests out faster than it sends them. When a round's
 * first job leaves at least RV_HELPER_DEPTH due, the watchdog's drain
 * starts one more in a thread of its own, with its own database
 * connection, curl handle and pool, until the queue has nothing due or
 * the round ends; the round joins it before it returns (so the child's
 * exit waits for both). Claims (SKIP LOCKED) and the shared limiter keep
 * the two apart, as they keep cron's drain and the worker apart. */
#define RV_HELPER_DEPTH 20

typedef struct {
    server_rec *s;
    apr_pool_t *pool;           /* unmanaged, with an allocator of its own */
    int budget_ms;
} rv_helper_t;

static int rv_worker_drain_ex(apr_pool_t *p, server_rec *s, int budget_ms, int may_help);

static void *APR_THREAD_FUNC rv_helper_main(apr_thread_t *t, void *data)
{
    rv_helper_t *h = data;
    rv_worker_drain_ex(h->pool, h->s, h->budget_ms, 0);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static apr_thread_t *rv_helper_start(rv_helper_t *h, server_rec *s, int budget_ms)
{
    apr_allocator_t *a = NULL;
    apr_thread_t *t = NULL;
    h->s = s;
    h->budget_ms = budget_ms;
    h->pool = NULL;
    if (budget_ms <= 0 || apr_allocator_create(&a) != APR_SUCCESS)
        return NULL;
    if (apr_pool_create_unmanaged_ex(&h->pool, NULL, a) != APR_SUCCESS) {
        apr_allocator_destroy(a);
        return NULL;
    }
    apr_allocator_owner_set(a, h->pool);
    if (apr_thread_create(&t, NULL, rv_helper_main, h, h->pool) != APR_SUCCESS) {
        apr_pool_destroy(h->pool);
        h->pool = NULL;
        return NULL;
    }
    return t;
}

static void rv_helper_join(rv_helper_t *h, apr_thread_t *t)
{
    apr_status_t st;
    if (!t)
        return;
    apr_thread_join(&st, t);
    apr_pool_destroy(h->pool);
}

int rv_worker_drain(apr_pool_t *p, server_rec *s, int budget_ms)
{
    return rv_worker_drain_ex(p, s, budget_ms, 0);
}

static int rv_worker_drain_ex(apr_pool_t *p, server_rec *s, int budget_ms, int may_help)
{
    rv_conf_t *conf = rv_conf_get(s);
    apr_time_t end = apr_time_now() + apr_time_from_msec(budget_ms);
    const char *owner = rv_worker_owner(p);
    rv_settings_t *st;
    rv_ctx_t *ctx;
    rv_db_t *db = rv_db_open(p, s);
    apr_time_t looked = 0;
    int ran = 0;
    rv_helper_t helper;
    apr_thread_t *helper_t = NULL;

    if (!db)
        return -1;
    rv_worker_heartbeat(db, p, owner);
    st = rv_settings_load(db, p, conf->store_id);
    if (!st || !rv_setting_int(st, "status", 0)) {
        rv_db_close(db);
        return 0;
    }
    ctx = rv_ctx_create(p, s, db, st, NULL);
    ctx->rate_defer = 1;        /* request after request: each grant records the last answer */
    while (apr_time_now() < end && !rv_worker_stopping()) {
        apr_pool_t *jp;
        int got;
        apr_pool_create(&jp, p);
        if (apr_time_now() - looked >= apr_time_from_sec(RV_INBOX_LOOK_S)) {
            /* on error the deliveries wait for the next look */
            rv_accept_queue_waiting(db, jp, s, RV_INBOX_BATCHES);
            looked = apr_time_now();
        }
        if ((got = rv_worker_rate_wait(ctx, db, jp, conf->rate_limit, end))) {
            apr_pool_destroy(jp);
            if (got == 2)
                break;
            continue;       /* a slot is free now, or the round is over */
        }
        ctx->claimed_at = apr_time_now();   /* before the claim sets the lease: conservative */
        ctx->lease_s = RV_LEASE_S(conf);
        got = rv_job_step(db, jp, rv_claim_owner(jp, owner), ctx->lease_s, "",
                          rv_worker_run, ctx);
        if (got == 1)
            ran++;
        if (got == 1 && ran == 1 && may_help
            && rv_queue_due_at_least(db, jp, RV_HELPER_DEPTH) == 1)
        {
            helper_t = rv_helper_start(&helper, s,
                                       (int)apr_time_as_msec(end - apr_time_now()));
            ap_log_error(APLOG_MARK, helper_t ? APLOG_DEBUG : APLOG_WARNING, 0, s,
                         RVLOGNO(0249) "at least %d jobs are due: %s", RV_HELPER_DEPTH,
                         helper_t ? "a second drain runs beside this one for this round"
                                  : "a second drain could not be started (thread or memory);"
                                    " this one goes on alone");
        }
        apr_pool_destroy(jp);
        if (got != 1)
            break;
        if (ran % 10 == 0)
            rv_worker_heartbeat(db, p, owner);
    }
    rv_ctx_settle(ctx, p);
    rv_db_close(db);
    rv_helper_join(&helper, helper_t);
    return ran;
}

/* One worker per shop. Every virtual host with the engine and the worker
 * on registers a callback on the one singleton watchdog, so all of them
 * run in one thread of one child; a virtual host whose database, table
 * prefix and store are those of a host already served (it inherited the
 * main server's, or it is the same shop on another port) stands aside.
 * Only that thread touches this table. */
#define RV_WORKER_SHOPS 64
typedef struct {
    server_rec *s;
    const char *identity;      /* database@host:port/prefix/store, NULL until known */
    int duplicate_of;          /* slot + 1 of the host that serves the same shop */
} rv_worker_shop_t;
static rv_worker_shop_t rv_shops[RV_WORKER_SHOPS];
static int rv_nshops;

/* 1 when this host's worker should run (it serves its own shop), 0 when
 * another host already serves that shop, -1 when it is not known yet (no
 * database). */
static int rv_worker_owns_shop(server_rec *s, apr_pool_t *p)
{
    rv_conf_t *conf = rv_conf_get(s);
    rv_worker_shop_t *me = NULL;
    const char *id;
    rv_db_t *db;
    int i;

    for (i = 0; i < rv_nshops; i++)
        if (rv_shops[i].s == s)
            me = &rv_shops[i];
    if (!me) {
        if (rv_nshops == RV_WORKER_SHOPS)
            return 1;
        me = &rv_shops[rv_nshops++];
        me->s = s;
    }
    if (me->identity)
        return me->duplicate_of == 0;
    if (!(db = rv_db_open(p, s)))
        return -1;
    id = rv_db_value(db, p, "SELECT CONCAT(DATABASE(), '@', @@hostname, ':', @@port)", RV_NOARGS);
    rv_db_close(db);
    if (!id)
        return -1;
    me->identity = apr_psprintf(s->process->pool, "%s/%s/%d", id, conf->prefix, conf->store_id);
    for (i = 0; i < rv_nshops; i++) {
        if (&rv_shops[i] != me && rv_shops[i].identity && !rv_shops[i].duplicate_of
            && !strcmp(rv_shops[i].identity, me->identity)) {
            me->duplicate_of = i + 1;
            ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                         RVLOGNO(0025) "%s:%d serves the same shop as %s:%d (%s); one worker runs for both",
                         s->server_hostname ? s->server_hostname : "?", (int)s->port,
                         rv_shops[i].s->server_hostname ? rv_shops[i].s->server_hostname : "?",
                         (int)rv_shops[i].s->port, me->identity);
            return 0;
        }
    }
    return 1;
}

static apr_status_t rv_worker_callback(int state, void *data, apr_pool_t *pool)
{
    server_rec *s = data;
    rv_conf_t *conf = rv_conf_get(s);
    apr_pool_t *round;

    if (state != AP_WATCHDOG_STATE_RUNNING || !conf->engine || !conf->worker)
        return APR_SUCCESS;
    apr_atomic_inc32(&in_callback);
    apr_pool_create(&round, pool);
    if (!rv_worker_stopping() && rv_worker_owns_shop(s, round) == 0) {
        apr_pool_destroy(round);
        apr_atomic_dec32(&in_callback);
        return APR_SUCCESS;
    }
    apr_pool_destroy(round);
    if (!rv_worker_stopping()) {
        apr_pool_create(&round, pool);
        if (rv_worker_drain_ex(round, s, RV_ROUND_BUDGET_MS, 1) < 0)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                         RVLOGNO(0026) "worker cannot reach the database; will retry");
        apr_pool_destroy(round);
    }
    apr_atomic_dec32(&in_callback);
    /* anything but APR_SUCCESS would stop the callback for good */
    return APR_SUCCESS;
}

int rv_worker_post_config(apr_pool_t *pconf, server_rec *s)
{
    ap_watchdog_t *wd;
    apr_status_t rv;
    server_rec *sv;
    int wanted = 0;

    for (sv = s; sv; sv = sv->next)
        wanted |= rv_conf_get(sv)->worker && rv_conf_get(sv)->engine;
    if (!wanted)
        return OK;
    wd_get_instance = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    wd_register_callback = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    if (!wd_get_instance || !wd_register_callback) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     RVLOGNO(0027) "mod_watchdog is not available; the worker needs it");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* child watchdog (parent = 0), singleton = 1 */
    rv = wd_get_instance(&wd, RV_WD_NAME, 0, 1, pconf);
    /* one callback per virtual host; rv_worker_owns_shop() keeps one per shop */
    for (sv = s; sv && rv == APR_SUCCESS; sv = sv->next) {
        rv_conf_t *conf = rv_conf_get(sv);
        if (conf->worker && conf->engine)
            rv = wd_register_callback(wd, apr_time_from_msec(conf->worker_interval_ms), sv,
                                      rv_worker_callback);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, RVLOGNO(0028) "cannot start the worker");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static apr_status_t rv_worker_child_exit(void *data)
{
    int waited = 0;
    (void)data;
    apr_atomic_set32(rv_ctx_stop_flag(), 1);
    while (apr_atomic_read32(&in_callback) && waited < RV_EXIT_WAIT_MS) {
        apr_sleep(apr_time_from_msec(10));
        waited += 10;
    }
    return APR_SUCCESS;
}

void rv_worker_child_init(apr_pool_t *p, server_rec *s)
{
    (void)s;
    /* A pre-cleanup: it must run before pchild's subpools go, mod_dbd's
     * connection pool among them (apr_reslist asserts that no connection is
     * out when it is destroyed, and the worker may be holding one). */
    apr_pool_pre_cleanup_register(p, NULL, rv_worker_child_exit);
}
