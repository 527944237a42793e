/* GET /reverb/cron?key=…: one polling cycle (rv_cron_cycle.c), answered as
 * a JSON summary. A call made while a cycle runs answers 200 {"skipped":
 * true, "reason": "cycle_running"}: a scheduler that overlaps is not an
 * error, and the running cycle does the work. */
#include "rv_route.h"
#include "rv_cron_cycle.h"
#include "rv_json.h"

#include "http_protocol.h"

static json_object *rv_skipped(const char *reason)
{
    json_object *out = json_object_new_object();
    json_object_object_add(out, "skipped", json_object_new_boolean(1));
    json_object_object_add(out, "reason", json_object_new_string(reason));
    return out;
}

static json_object *rv_cron_orders_json(const rv_cron_result_t *res)
{
    json_object *orders = json_object_new_object();
    json_object_object_add(orders, "imported", json_object_new_int(res->orders.imported));
    json_object_object_add(orders, "updated", json_object_new_int(res->orders.updated));
    json_object_object_add(orders, "skipped", json_object_new_int(res->orders.skipped));
    json_object_object_add(orders, "failed", json_object_new_int(res->orders.failed));
    json_object_object_add(orders, "requeued",
                           json_object_new_int(res->requeued < 0 ? 0 : res->requeued));
    return orders;
}

/* rows deleted by housekeeping in this cycle */
static json_object *rv_cron_pruned_json(const rv_cron_result_t *res)
{
    json_object *out = json_object_new_object();
    rv_json_set_int(out, "log_rows", res->pruned_log);
    rv_json_set_int(out, "jobs", res->pruned_jobs);
    rv_json_set_int(out, "webhooks", res->pruned_webhooks);
    return out;
}

/* change detection: how many products, how long (the part of a cycle that
 * grows with the shop), and how the catalogue was read */
static void rv_cron_detect_json(json_object *out, const rv_cron_result_t *res)
{
    json_object_object_add(out, "products_queued", json_object_new_int(res->detect.queued));
    json_object_object_add(out, "listings_to_end", json_object_new_int(res->detect.ended));
    json_object_object_add(out, "jobs_run", json_object_new_int(res->jobs_run));
    json_object_object_add(out, "products_checked", json_object_new_int(res->detect.checked));
    rv_json_set_int(out, "detect_ms", apr_time_as_msec(res->detect_time));
    /* "incremental", or why the whole catalogue was read ("first",
     * "settings", "due"); products_candidates: what the incremental check
     * looked at (-1 on a full scan) */
    json_object_object_add(out, "detect_scan", json_object_new_string(res->scan.scan));
    json_object_object_add(out, "products_candidates", json_object_new_int(res->scan.looked_at));
    /* full scan: id ranges read, of which found unchanged by their rows'
     * digest (their products not read one by one) */
    json_object_object_add(out, "scan_ranges", json_object_new_int(res->scan.ranges));
    json_object_object_add(out, "scan_ranges_unchanged",
                           json_object_new_int(res->scan.ranges_skipped));
    /* of those, found unchanged by the one-pass read of every range's digest */
    json_object_object_add(out, "scan_ranges_unchanged_at_once",
                           json_object_new_int(res->scan.ranges_at_once));
}

static json_object *rv_cron_summary(const rv_cron_result_t *res)
{
    json_object *out = json_object_new_object();
    rv_json_set_bool(out, "skipped", 0);
    rv_json_set_bool(out, "orders_polled", res->orders_ok);
    json_object_object_add(out, "orders", rv_cron_orders_json(res));
    rv_json_set_bool(out, "order_import", res->import_on);
    rv_json_set_str(out, "order_last_sync", res->order_last_sync ? res->order_last_sync : "");
    rv_json_set_bool(out, "listings_polled", res->api && res->pull_ok);
    json_object_object_add(out, "listings_to_pull", json_object_new_int(res->pulls));
    rv_cron_detect_json(out, res);
    json_object_object_add(out, "pruned", rv_cron_pruned_json(res));
    rv_json_set_bool(out, "reconcile_started", res->reconcile == 1);
    if (!res->api)
        rv_json_set_str(out, "warning",
                        "No Reverb token is set: orders and listings were not polled.");
    return out;
}

int rv_route_cron(rv_req_t *q)
{
    rv_cron_result_t res;
    if (!rv_setting_int(q->settings, "status", 0))
        return rv_http_json(q->r, HTTP_OK, rv_skipped("module_disabled"));
    switch (rv_cron_cycle(q->r, q->db, q->settings, q->conf->store_id, q->conf->worker, &res)) {
    case RV_CRON_DB_ERROR:
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The shop database cannot be reached. Try again shortly.");
    case RV_CRON_BUSY:
        return rv_http_json(q->r, HTTP_OK, rv_skipped("cycle_running"));
    default:
        return rv_http_json(q->r, HTTP_OK, rv_cron_summary(&res));
    }
}
