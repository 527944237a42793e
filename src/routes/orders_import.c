/* POST admin/orders/import - the admin's "Import now":
 *
 *   -> {"imported", "updated", "skipped", "failed"}   (counts)
 *
 * Orders kept for a retry are queued at once, Reverb's order list is
 * polled, and every queued order job is run in this request (not left for
 * the worker), so the answer counts them all. 400 no_token, 409
 * order_import_off, 503 rate_limited (the shared limit is used up), 502
 * reverb_unreachable. */
#include "rv_route.h"
#include "rv_orders.h"
#include "rv_settings_listing.h"
#include "rv_jobs.h"
#include "rv_job.h"

#include "apr_strings.h"
#include <unistd.h>

#define RV_IMPORT_MAX_JOBS 200

typedef struct { rv_ctx_t *c; rv_order_counts_t *n; } rv_import_t;

/* One claimed order job: synced, and the queue told DONE, RETRY (a
 * retryable failure before the last attempt, in 2 s) or FAIL. */
static rv_job_result_t rv_import_run(void *baton, apr_pool_t *p, const rv_job_t *job)
{
    rv_import_t *b = baton;
    const char *why = NULL;
    int rc = rv_order_sync(b->c, p, job->ref, b->n, &why, NULL);
    rv_job_result_t r = { RV_JOB_DONE, 0, NULL };
    if (rc == 0)
        return r;
    r.outcome = rc > 0 && job->attempts < RV_JOB_MAX_ATTEMPTS ? RV_JOB_RETRY : RV_JOB_FAIL;
    r.delay_ms = r.outcome == RV_JOB_RETRY ? 2000 : 0;
    r.error = why;
    return r;
}

/* Runs the queued order jobs (whatever webhooks or earlier attempts
 * queued), at most RV_IMPORT_MAX_JOBS, each claimed for 60 s in a pool of
 * its own. */
static void rv_orders_import_drain(rv_ctx_t *c, rv_db_t *db, apr_pool_t *p, rv_order_counts_t *n)
{
    const char *owner = apr_psprintf(p, "admin-import:%d:%" APR_TIME_T_FMT, (int)getpid(),
                                     apr_time_now());
    rv_import_t b = { c, n };
    int guard = 0;
    while (guard++ < RV_IMPORT_MAX_JOBS) {
        apr_pool_t *jp;
        int got;
        apr_pool_create(&jp, p);
        got = rv_job_step(db, jp, owner, 60, "order", rv_import_run, &b);
        apr_pool_destroy(jp);
        if (got != 1)
            break;
    }
}

int rv_route_orders_import(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    rv_ctx_t *c;
    rv_order_counts_t n = { 0, 0, 0, 0 };
    json_object *in, *out;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    if (!c->api)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token in the settings first.");
    if (!rv_setting_order_import(q->settings))
        return rv_http_error(q->r, HTTP_CONFLICT, "order_import_off",
                             "Order import is off in the settings. Turn it on to import Reverb "
                             "orders.");
    /* orders kept for retry (e.g. a currency added since) go now */
    rv_orders_requeue(c, p, 1);
    switch (rv_orders_poll(c, p, &n)) {
    case 0:
        break;
    case 1:
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "rate_limited",
                             "The Reverb request limit for this minute is used up by the "
                             "running sync. Try again in a minute.");
    default:
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_unreachable",
                             "Reverb's order list could not be read. See the sync log.");
    }
    rv_orders_import_drain(c, q->db, p, &n);
    out = json_object_new_object();
    json_object_object_add(out, "imported", json_object_new_int(n.imported));
    json_object_object_add(out, "updated", json_object_new_int(n.updated));
    json_object_object_add(out, "skipped", json_object_new_int(n.skipped));
    json_object_object_add(out, "failed", json_object_new_int(n.failed));
    return rv_http_json(q->r, HTTP_OK, out);
}
