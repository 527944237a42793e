/* GET admin/status: engine switch, version, queue counts, the rate
 * limiter's last minute, the worker's heartbeat, the newest sync-log error
 * and the schema version. */
#include "rv_route.h"
#include "rv_queue.h"
#include "rv_ratelimit.h"
#include "rv_lock.h"
#include "rv_migrate.h"
#include "rv_synclog.h"
#include "rv_json.h"
#include "rv_accept.h"

#include "http_protocol.h"

int rv_route_status(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *top = json_object_new_object(), *queue = json_object_new_object(),
                *rate = json_object_new_object(), *worker = json_object_new_object();
    long long pending = 0, running = 0, failed = 0, waiting;
    const char *heartbeat = NULL, *holder = NULL;
    long long age = -1;

    rv_json_set_str(top, "engine", q->conf->engine ? "on" : "off");
    rv_json_set_str(top, "version", RV_VERSION);
    rv_queue_counts(q->db, p, &pending, &running, &failed);
    /* a webhook delivery recorded but not queued yet is work waiting too */
    waiting = rv_accept_waiting_count(q->db, p);
    if (waiting > 0)
        pending += waiting;
    json_object_object_add(queue, "pending", json_object_new_int64(pending));
    json_object_object_add(queue, "deliveries_waiting",
                           json_object_new_int64(waiting > 0 ? waiting : 0));
    json_object_object_add(queue, "running", json_object_new_int64(running));
    json_object_object_add(queue, "failed", json_object_new_int64(failed));
    json_object_object_add(top, "queue", queue);
    json_object_object_add(rate, "limit", json_object_new_int(q->conf->rate_limit));
    json_object_object_add(rate, "used_last_minute", json_object_new_int64(rv_rate_used(q->db, p)));
    json_object_object_add(top, "rate", rate);
    if (rv_lock_worker_view(q->db, p, &heartbeat, &holder, &age) == 0) {
        rv_json_set_str(worker, "heartbeat", heartbeat);
        rv_json_set_str(worker, "holder", holder);
        json_object_object_add(worker, "age_seconds", age >= 0 ? json_object_new_int64(age) : NULL);
    }
    json_object_object_add(worker, "enabled", json_object_new_boolean(q->conf->worker));
    json_object_object_add(top, "worker", worker);
    rv_json_set_str(top, "last_error", rv_synclog_last_error(q->db, p));
    rv_json_set_str(top, "schema_version", RV_SCHEMA_VERSION);
    json_object_object_add(top, "module_status",
                           json_object_new_int(rv_setting_int(q->settings, "status", 0) ? 1 : 0));
    return rv_http_json(q->r, HTTP_OK, top);
}
