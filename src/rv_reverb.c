/* rv_reverb.c: rate-limited Reverb calls and the sync log. */
#include "rv_reverb.h"
#include "rv_ratelimit.h"
#include "rv_retry.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

/* A claim's first request going out this soon after the claim does not
 * renew the lease: it has at least its length (4 x ReverbHttpTimeout +
 * 10 s) less this left. Every later request renews it. */
#define RV_LEASE_FRESH_MS 1000

static volatile apr_uint32_t rv_stop;

volatile apr_uint32_t *rv_ctx_stop_flag(void)
{
    return &rv_stop;
}

rv_ctx_t *rv_ctx_create(apr_pool_t *p, server_rec *s, rv_db_t *db, rv_settings_t *st,
                        const char *token_override)
{
    rv_ctx_t *c = apr_pcalloc(p, sizeof(*c));
    const char *token = token_override ? token_override : rv_setting(st, "token", NULL);
    c->s = s;
    c->pool = p;
    c->conf = rv_conf_get(s);
    c->db = db;
    c->settings = st;
    c->max_wait_ms = 5000;
    c->inline_attempts = 3;
    c->stop = &rv_stop;
    if (token && *token) {
        c->api = rv_api_create(p, c->conf->api_url, token, c->conf->http_timeout);
        if (c->api && c->conf->ca_file)
            rv_api_set_ca_file(c->api, c->conf->ca_file);
    }
    return c;
}

static void rv_result_set(apr_pool_t *p, rv_api_result_t *res, rv_api_kind_t kind,
                          const char *message)
{
    memset(res, 0, sizeof(*res));
    res->kind = kind;
    res->retry_after_s = -1;
    res->message = apr_pstrdup(p, message);
}

/* A slot from the shared rate limiter: 0, or res says why not (nothing
 * was sent; the caller treats it as DEFER). */
static int rv_reverb_slot(rv_ctx_t *c, apr_pool_t *p, rv_api_result_t *res, long long *slot)
{
    int wait_ms = 0;
    rv_rate_grant_t grant;
    int rv = rv_rate_acquire(c->db, p, c->conf->rate_limit,
                             c->conf->http_timeout + RV_RATE_INFLIGHT_EXTRA_S, c->max_wait_ms,
                             &wait_ms, c->stop, &c->rate_unfinished, &grant);
    *slot = grant.slot;
    c->rate_room = grant.room;
    if (rv == 0)
        return 0;
    rv_result_set(p, res, RV_API_RATE_LIMITED, rv < 0
        ? "The rate limiter's database state could not be read."
        : "Waiting for the Reverb rate limit (requests per minute).");
    res->retry_after_s = rv < 0 ? 5 : (wait_ms + 999) / 1000;
    return 1;
}

/* Inside a job: renew its lease before the request goes out (but not for
 * the claim's first request just after the claim). 0 the job is still
 * ours, else res says that nothing was sent. */
static int rv_reverb_lease(rv_ctx_t *c, apr_pool_t *p, const char *method, const char *path,
                           rv_api_result_t *res)
{
    int rv;
    if (c->job && c->claimed_at
        && apr_time_now() - c->claimed_at < apr_time_from_msec(RV_LEASE_FRESH_MS))
        c->claimed_at = 0;  /* the claim's first request, just after it: one commit less */
    else if (c->job && !c->lease_lost
             && (rv = rv_queue_extend(c->db, p, c->job, c->lease_s))) {
        if (rv > 0)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, c->s, RVLOGNO(0034)
                         "the %s job for %s was taken over by another process "
                         "(its lease had run out); stopped before %s %s",
                         c->job->kind, c->job->ref, method, path);
        else
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, c->s, RVLOGNO(0035)
                         "the %s job for %s stopped before %s %s: the database "
                         "could not confirm that this process still holds the job",
                         c->job->kind, c->job->ref, method, path);
        c->lease_lost = 1;
    }
    c->claimed_at = 0;
    if (!(c->job && c->lease_lost))
        return 0;
    rv_result_set(p, res, RV_API_RATE_LIMITED,
                  "This process no longer holds this job; nothing was sent.");
    res->retry_after_s = 1;
    return 1;
}

/* Reverb's 429 pauses every process (Retry-After honoured, else 30 s). */
static void rv_reverb_pause(rv_ctx_t *c, apr_pool_t *p, const rv_api_result_t *res)
{
    int pause = res->retry_after_s > 0 ? res->retry_after_s : 30;
    rv_rate_pause(c->db, p, pause);
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s,
                 RVLOGNO(0021) "Reverb answered 429; pausing all requests for %d s", pause);
}

rv_api_kind_t rv_reverb_call(rv_ctx_t *c, apr_pool_t *p, const char *method,
                             const char *path, json_object *body, rv_api_result_t *res)
{
    int attempt, idempotent = strcmp(method, "POST") != 0;
    unsigned int seed = (unsigned int)apr_time_now();

    if (!c->api) {
        rv_result_set(p, res, RV_API_UNAUTHORIZED,
                      "No Reverb token is set. Enter your personal token in the settings.");
        return res->kind;
    }
    for (attempt = 1;; attempt++) {
        int pause_ms;
        long long slot = 0;
        if (rv_reverb_slot(c, p, res, &slot))
            return res->kind;
        if (rv_reverb_lease(c, p, method, path, res)) {
            rv_rate_done(c->db, p, slot, 0);  /* nothing went out: the slot is given back */
            return res->kind;
        }
        rv_api_request(c->api, p, method, path, body, res);
        if (c->rate_defer)
            c->rate_unfinished = slot;    /* the next grant records the answer */
        else
            rv_rate_done(c->db, p, slot, 1);  /* the window counts from the answer */
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, c->s, RVLOGNO(0020) "%s %s -> %ld %s (%.3f s)",
                     method, path, res->http_status, rv_api_kind_name(res->kind),
                     res->elapsed_s);
        if (res->kind == RV_API_RATE_LIMITED) {
            rv_reverb_pause(c, p, res);
            return res->kind;
        }
        pause_ms = rv_retry_inline_ms(res->kind, idempotent, attempt, c->inline_attempts, &seed);
        if (pause_ms < 0)
            return res->kind;
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0022) "%s %s failed (%s); retrying",
                     method, path, res->message ? res->message : rv_api_kind_name(res->kind));
        rv_api_result_clear(res);
        apr_sleep(apr_time_from_msec(pause_ms));
    }
}

void rv_ctx_settle(rv_ctx_t *c, apr_pool_t *p)
{
    rv_rate_finish(c->db, p, &c->rate_unfinished);
}
