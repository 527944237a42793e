/* rv_webhook.c: Reverb webhook deliveries and their registration.
 *
 * Reverb does not sign webhooks: the secret key is in the URL (checked by
 * the router: wrong or missing -> 403, nothing written) and the body is only
 * a hint. A delivery is recorded (reverb_webhook) and queued in one
 * transaction and answered 202 {"accepted": true} at once; the job re-reads
 * the order or listing from the API before it writes anything, so a forged
 * body cannot create an order, alter its amounts or move stock. The queue
 * keeps one live job per (kind, ref), and the import itself is exactly
 * once, so duplicate and concurrent deliveries have the effect of one.
 *
 * What a delivery names:
 *  - the topic: the X-Reverb-Topic header when present ("orders/..." ->
 *    an order, "listings/..." -> a listing), otherwise the payload's shape;
 *  - the ref: order_number of the order object, or id of the listing
 *    object; both accepted bare or wrapped ({"order": {...}},
 *    {"listing": {...}}), as a string [A-Za-z0-9_-]{1,64} or a
 *    non-negative integer; a listing id must be 1..19 digits (it goes into
 *    an API path). Anything else: 400 invalid_request. */
#include "rv_route.h"
#include "rv_queue.h"
#include "rv_reverb.h"
#include "rv_json.h"
#include "rv_shape.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_lib.h"

APLOG_USE_MODULE(reverb);

static const char *const rv_topics[] = { "orders/create", "orders/update", "listings/update" };
#define RV_NTOPICS (sizeof(rv_topics) / sizeof(*rv_topics))

/* order_number / listing id: what goes into API paths later */
static int rv_ref_ok(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!(apr_isalnum(s[i]) || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

/* A JSON string or non-negative integer id as text, or NULL. */
static const char *rv_id_of(apr_pool_t *p, json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
        return NULL;
    if (json_object_is_type(v, json_type_string))
        return apr_pstrdup(p, json_object_get_string(v));
    if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0)
        return rv_i64(p, json_object_get_int64(v));
    return NULL;
}

/* body.<wrapper> when it is an object, else the body itself */
static json_object *rv_unwrap(json_object *body, const char *wrapper)
{
    json_object *inner;
    if (json_object_object_get_ex(body, wrapper, &inner) && json_object_is_type(inner, json_type_object))
        return inner;
    return body;
}

int rv_route_webhook(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *body, *out;
    const char *topic = apr_table_get(q->r->headers_in, "X-Reverb-Topic");
    const char *kind = NULL, *ref = NULL, *label;

    if (rv_http_read_json_object(q->r, &body))
        return OK;
    if (topic && !strncmp(topic, "orders/", 7))
        kind = "order";
    else if (topic && !strncmp(topic, "listings/", 9))
        kind = "pull";
    else if (json_object_object_get_ex(body, "order", NULL)
             || json_object_object_get_ex(body, "order_number", NULL))
        kind = "order";
    else if (json_object_object_get_ex(body, "listing", NULL)
             || json_object_object_get_ex(body, "id", NULL))
        kind = "pull";
    if (kind)
        ref = !strcmp(kind, "order") ? rv_id_of(p, rv_unwrap(body, "order"), "order_number")
                                     : rv_id_of(p, rv_unwrap(body, "listing"), "id");
    if (!rv_ref_ok(ref) || (!strcmp(kind, "pull") && !rv_listing_id_ok(ref)))
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                             "The delivery names no valid order_number or listing id.");
    label = topic ? apr_pstrndup(p, topic, 64) : (!strcmp(kind, "order") ? "orders/?" : "listings/?");
    if (rv_db_begin(q->db)
        || rv_db_exec(q->db, p, NULL, "INSERT INTO {P}reverb_webhook (topic, ref) VALUES (%s, %s)",
                      RV_ARGS(label, ref))
        || rv_queue_add(q->db, p, kind, ref, !strcmp(kind, "order") ? RV_PRIO_ORDER : RV_PRIO_PULL, 0)
        || rv_db_commit(q->db)) {
        rv_db_rollback(q->db);
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The delivery could not be recorded; Reverb will retry.");
    }
    out = json_object_new_object();
    json_object_object_add(out, "accepted", json_object_new_boolean(1));
    return rv_http_json(q->r, HTTP_ACCEPTED, out);
}

/* ---- registration (admin) ---- */

static int rv_registered(json_object *regs, const char *url, const char *topic)
{
    size_t i, n = rv_json_len(regs);
    for (i = 0; i < n; i++) {
        json_object *r = rv_json_idx(regs, i);
        const char *u = rv_json_str(r, "url"), *t = rv_json_str(r, "topic");
        if (u && t && !strcmp(u, url) && !strcmp(t, topic))
            return 1;
    }
    return 0;
}

static int rv_regs_read(rv_ctx_t *c, apr_pool_t *p, json_object **regs, const char **err)
{
    rv_api_result_t res;
    *regs = NULL;
    if (rv_reverb_call(c, p, "GET", "webhooks/registrations", NULL, &res) != RV_API_OK) {
        *err = apr_pstrcat(p, "Reverb's webhook list could not be read: ",
                           res.message ? res.message : rv_api_kind_name(res.kind), NULL);
        rv_api_result_clear(&res);
        return -1;
    }
    /* the shape is undocumented: see rv_shape_registrations */
    *regs = rv_shape_registrations(res.json, err);
    rv_api_result_clear(&res);
    return *regs ? 0 : -1;
}

/* Registrations of this shop's webhook route with another key (the key was
 * made again, e.g. after the module was reinstalled): Reverb would keep
 * delivering to them and get 403s. Removes them; returns how many. */
static int rv_regs_remove_stale(rv_ctx_t *c, apr_pool_t *p, json_object *regs,
                                const char *base, const char *url)
{
    size_t i, n = json_object_array_length(regs);
    int removed = 0;
    for (i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(regs, i);
        const char *u = rv_json_str(r, "url"), *id;
        long long num;
        rv_api_result_t res;
        rv_log_entry_t le;
        if (!u || strncmp(u, base, strlen(base)) || !strcmp(u, url)
            || rv_json_int(r, "id", &num) || num <= 0)
            continue;
        id = rv_i64(p, num);
        rv_reverb_call(c, p, "DELETE", apr_pstrcat(p, "webhooks/registrations/", id, NULL),
                       NULL, &res);
        memset(&le, 0, sizeof(le));
        le.direction = "push";
        le.action = "webhook";
        rv_log_from_result(&le, &res);
        le.message = res.kind == RV_API_OK || res.kind == RV_API_NOT_FOUND
            ? apr_pstrcat(p, "Removed an old webhook registration for ",
                          rv_json_str(r, "topic") ? rv_json_str(r, "topic") : "?",
                          " (its secret key had been replaced)", NULL)
            : apr_pstrcat(p, "An old webhook registration could not be removed: ",
                          res.message ? res.message : rv_api_kind_name(res.kind), NULL);
        le.ok = res.kind == RV_API_OK || res.kind == RV_API_NOT_FOUND;
        rv_log_write(c->db, p, &le);
        removed += le.ok;
        rv_api_result_clear(&res);
    }
    return removed;
}

/* GET lists what Reverb has; POST first registers every topic that is
 * missing for this shop's URL (a second click adds nothing) and removes
 * registrations of this route with an old key, then lists what Reverb
 * reports afterwards. */
int rv_route_webhooks_admin(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const char *url = apr_pstrcat(p, q->base_url, "/webhook?key=",
                                  rv_setting(q->settings, "webhook_key", ""), NULL);
    rv_ctx_t *c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    const char *err = NULL, *refused = NULL;
    json_object *in, *regs, *out, *list, *missing;
    size_t i, n;
    int posted = 0;

    if (q->r->method_number == M_POST && rv_http_read_json_object(q->r, &in))
        return OK;
    if (!c->api)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token in the settings first.");
    c->inline_attempts = 2;
    if (rv_regs_read(c, p, &regs, &err))
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_error", err);
    if (q->r->method_number == M_POST) {
        posted = rv_regs_remove_stale(c, p, regs, apr_pstrcat(p, q->base_url, "/webhook?key=",
                                                              NULL), url) > 0;
        for (i = 0; i < RV_NTOPICS; i++) {
            json_object *body;
            rv_api_result_t res;
            rv_log_entry_t le;
            if (rv_registered(regs, url, rv_topics[i]))
                continue;       /* idempotent */
            body = json_object_new_object();
            json_object_object_add(body, "url", json_object_new_string(url));
            json_object_object_add(body, "topic", json_object_new_string(rv_topics[i]));
            rv_reverb_call(c, p, "POST", "webhooks/registrations", body, &res);
            json_object_put(body);
            posted = 1;
            memset(&le, 0, sizeof(le));
            le.direction = "push";
            le.action = "webhook";
            rv_log_from_result(&le, &res);
            if (res.kind == RV_API_OK)
                le.message = apr_pstrcat(p, "Webhook registered for ", rv_topics[i], NULL);
            else
                le.message = apr_pstrcat(p, "Reverb refused the webhook for ", rv_topics[i], ": ",
                                         res.message ? res.message : rv_api_kind_name(res.kind), NULL);
            rv_log_write(q->db, p, &le);
            /* a refusal may be a concurrent click that registered it first:
             * the list read below decides */
            if (res.kind != RV_API_OK && !refused)
                refused = le.message;
            rv_api_result_clear(&res);
        }
        if (posted) {
            json_object *after;
            if (rv_regs_read(c, p, &after, &err) == 0) {
                json_object_put(regs);
                regs = after;
            }
        }
    }
    out = json_object_new_object();
    list = json_object_new_array();
    missing = json_object_new_array();
    n = json_object_array_length(regs);
    for (i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(regs, i), *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_get(rv_json_path(r, "id")));
        json_object_object_add(o, "url", json_object_get(rv_json_path(r, "url")));
        json_object_object_add(o, "topic", json_object_get(rv_json_path(r, "topic")));
        json_object_array_add(list, o);
    }
    for (i = 0; i < RV_NTOPICS; i++)
        if (!rv_registered(regs, url, rv_topics[i]))
            json_object_array_add(missing, json_object_new_string(rv_topics[i]));
    json_object_put(regs);
    if (refused && json_object_array_length(missing) > 0) {
        json_object_put(list);
        json_object_put(missing);
        json_object_put(out);
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_error", refused);
    }
    json_object_object_add(out, "webhook_url", json_object_new_string(url));
    json_object_object_add(out, "registrations", list);
    json_object_object_add(out, "missing_topics", missing);
    return rv_http_json(q->r, HTTP_OK, out);
}
