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
#include "rv_queue.h"
#include "rv_job.h"
#include "rv_worker.h"

#include "apr_strings.h"
#include <unistd.h>

#define RV_IMPORT_MAX_JOBS 200

/* Runs the queued order jobs (whatever webhooks or earlier attempts
 * queued), at most RV_IMPORT_MAX_JOBS. */
static void rv_orders_import_drain(rv_ctx_t *c, rv_db_t *db, apr_pool_t *p, rv_order_counts_t *n)
{
    const char *owner = apr_psprintf(p, "admin-import:%d:%" APR_TIME_T_FMT, (int)getpid(),
                                     apr_time_now());
    rv_job_t job;
    int guard = 0;
    while (guard++ < RV_IMPORT_MAX_JOBS) {
        apr_pool_t *jp;
        int got;
        apr_pool_create(&jp, p);
        got = rv_queue_claim_kind(db, jp, owner, 60, "order", &job);
        if (got == 1) {
            const char *why = NULL;
            int rc;
            rv_job_note_takeover(db, jp, &job);
            rc = rv_order_sync(c, jp, job.ref, n, &why, NULL);
            if (rc == 0)
                rv_queue_done(db, jp, &job);
            else if (rc > 0 && job.attempts < RV_JOB_MAX_ATTEMPTS)
                rv_queue_retry(db, jp, &job, 2000, why);
            else
                rv_queue_fail(db, jp, &job, why);
        }
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
