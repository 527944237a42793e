/* rv_reverb.c: rate-limited Reverb calls and the sync log. */
#include "rv_reverb.h"
#include "rv_ratelimit.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

/* A claim's first request going out this soon after the claim does not
 * renew the lease: it has at least its length (4 x ReverbHttpTimeout +
 * 10 s) less this left. Every later request renews it. */
#define RV_LEASE_FRESH_MS 1000

rv_ctx_t *rv_ctx_create(apr_pool_t *p, server_rec *s, rv_db_t *db, rv_settings_t *st,
                        const char *token_override)
{
    rv_ctx_t *c = apr_pcalloc(p, sizeof(*c));
    const char *token = token_override ? token_override : rv_setting(st, "token", NULL);
    c->s = s;
    c->conf = rv_conf_get(s);
    c->db = db;
    c->settings = st;
    c->max_wait_ms = 5000;
    c->inline_attempts = 3;
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

rv_api_kind_t rv_reverb_call(rv_ctx_t *c, apr_pool_t *p, const char *method,
                             const char *path, json_object *body, rv_api_result_t *res)
{
    int attempt, wait_ms = 0, idempotent = strcmp(method, "POST") != 0;
    unsigned int seed = (unsigned int)apr_time_now();

    if (!c->api) {
        rv_result_set(p, res, RV_API_UNAUTHORIZED,
                      "No Reverb token is set. Enter your personal token in the settings.");
        return res->kind;
    }
    for (attempt = 1;; attempt++) {
        int rv = rv_rate_acquire(c->db, p, c->conf->rate_limit, c->max_wait_ms, &wait_ms);
        if (rv != 0) {
            rv_result_set(p, res, RV_API_RATE_LIMITED, rv < 0
                ? "The rate limiter's database state could not be read."
                : "Waiting for the Reverb rate limit (requests per minute).");
            res->retry_after_s = rv < 0 ? 5 : (wait_ms + 999) / 1000;
            return res->kind;
        }
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
        if (c->job && c->lease_lost) {
            rv_result_set(p, res, RV_API_RATE_LIMITED,
                          "This process no longer holds this job; nothing was sent.");
            res->retry_after_s = 1;
            return res->kind;
        }
        rv_api_request(c->api, p, method, path, body, res);
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, c->s, RVLOGNO(0020) "%s %s -> %ld %s (%.3f s)",
                     method, path, res->http_status, rv_api_kind_name(res->kind),
                     res->elapsed_s);
        if (res->kind == RV_API_RATE_LIMITED) {
            int pause = res->retry_after_s > 0 ? res->retry_after_s : 30;
            rv_rate_pause(c->db, p, pause);
            ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s,
                         RVLOGNO(0021) "Reverb answered 429; pausing all requests for %d s", pause);
            return res->kind;
        }
        if (!rv_api_retryable(res->kind) || !idempotent || attempt >= c->inline_attempts)
            return res->kind;
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0022) "%s %s failed (%s); retrying",
                     method, path, res->message ? res->message : rv_api_kind_name(res->kind));
        rv_api_result_clear(res);
        apr_sleep(apr_time_from_msec(rv_api_backoff_ms(attempt, 200, 2000, &seed)));
    }
}
