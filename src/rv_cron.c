/* rv_cron.c: /reverb/cron?key=…: one polling cycle. One cycle at a time for
 * every process and server: the 'cron' lease row in reverb_lock decides; a
 * concurrent call answers 200 with "skipped": "cycle_running". */
#include "rv_route.h"
#include "rv_push.h"
#include "rv_orders.h"
#include "rv_worker.h"

#include "http_log.h"
#include "apr_strings.h"
#include <unistd.h>

APLOG_USE_MODULE(reverb);

#define RV_CRON_LEASE_S 120
#define RV_CRON_DRAIN_MS 20000

static int rv_cron_take(rv_req_t *q, const char *holder)
{
    int n = 0;
    if (rv_db_exec(q->db, q->r->pool, &n,
            "UPDATE {P}reverb_lock SET holder = %s, `until` = NOW(3) + INTERVAL "
            APR_STRINGIFY(RV_CRON_LEASE_S) " SECOND"
            " WHERE name = 'cron' AND (`until` IS NULL OR `until` < NOW(3))", RV_ARGS(holder)))
        return -1;
    return n == 1;
}

static void rv_cron_release(rv_req_t *q, const char *holder)
{
    rv_db_exec(q->db, q->r->pool, NULL,
               "UPDATE {P}reverb_lock SET `until` = NULL WHERE name = 'cron' AND holder = %s",
               RV_ARGS(holder));
}

int rv_route_cron(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const char *holder = apr_psprintf(p, "cron:%d:%ld", (int)getpid(), (long)apr_time_now());
    json_object *out = json_object_new_object();
    rv_ctx_t *c;
    int got, queued = 0, ended = 0, ran = 0, orders_ok, pulls = 0;
    rv_order_counts_t counts = { 0, 0, 0, 0 };

    if (!rv_setting_int(q->settings, "status", 0)) {
        json_object_object_add(out, "skipped", json_object_new_string("module_disabled"));
        return rv_http_json(q->r, HTTP_OK, out);
    }
    got = rv_cron_take(q, holder);
    if (got < 0) {
        json_object_put(out);
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The shop database cannot be reached. Try again shortly.");
    }
    if (!got) {
        json_object_object_add(out, "skipped", json_object_new_string("cycle_running"));
        return rv_http_json(q->r, HTTP_OK, out);
    }
    c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    /* Reverb-side edits first: their pull jobs run before the pushes, so a
     * field changed on both sides is seen (and logged) as a conflict */
    if (c->api && rv_pull_poll(c, p, &pulls))
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, "reverb: listing poll failed");
    if (rv_push_detect_changes(c, p, &queued, &ended))
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, "reverb: change detection failed");
    /* orders since the last poll: queued as jobs, so webhook, cron and the
     * admin's import button never import one twice */
    orders_ok = c->api && rv_orders_poll(c, p, &counts) == 0;
    /* a server without a worker still makes progress from cron alone */
    if (!q->conf->worker)
        ran = rv_worker_drain(p, q->r->server, RV_CRON_DRAIN_MS);
    rv_cron_release(q, holder);
    json_object_object_add(out, "products_queued", json_object_new_int(queued));
    json_object_object_add(out, "listings_to_end", json_object_new_int(ended));
    json_object_object_add(out, "jobs_run", json_object_new_int(ran < 0 ? 0 : ran));
    json_object_object_add(out, "orders_polled", json_object_new_boolean(orders_ok));
    json_object_object_add(out, "listings_to_pull", json_object_new_int(pulls));
    return rv_http_json(q->r, HTTP_OK, out);
}
