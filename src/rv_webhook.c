/* rv_webhook.c: Reverb webhook deliveries and their registration.
 *
 * Reverb does not sign webhooks: the secret key is in the URL (checked by
 * the router) and the body is only a hint. A delivery is recorded and
 * queued; the worker re-reads the order or listing from the API before it
 * writes anything, so a forged body cannot create an order or move stock.
 * The queue keeps one live job per order, so duplicate and concurrent
 * deliveries have the effect of one. */
#include "rv_route.h"
#include "rv_queue.h"
#include "rv_reverb.h"
#include "rv_json.h"

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

/* A JSON string or integer id as text, or NULL. */
static const char *rv_id_of(apr_pool_t *p, json_object *o, const char *key)
{
    json_object *v;
    if (!o || !json_object_object_get_ex(o, key, &v))
        return NULL;
    if (json_object_is_type(v, json_type_string))
        return apr_pstrdup(p, json_object_get_string(v));
    if (json_object_is_type(v, json_type_int))
        return rv_i64(p, json_object_get_int64(v));
    return NULL;
}

int rv_route_webhook(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *body, *inner, *out;
    const char *topic = apr_table_get(q->r->headers_in, "X-Reverb-Topic");
    const char *kind, *ref;

    if (rv_http_read_json_object(q->r, &body))
        return OK;
    /* bodies come as the object itself or wrapped: {"order": {...}} / {"listing": {...}} */
    if (json_object_object_get_ex(body, "order", &inner) && json_object_is_type(inner, json_type_object))
        ref = rv_id_of(p, inner, "order_number"), kind = "order";
    else if (json_object_object_get_ex(body, "listing", &inner)
             && json_object_is_type(inner, json_type_object))
        ref = rv_id_of(p, inner, "id"), kind = "pull";
    else if (json_object_object_get_ex(body, "order_number", &inner))
        ref = rv_id_of(p, body, "order_number"), kind = "order";
    else
        ref = rv_id_of(p, body, "id"), kind = "pull";
    if (topic && !strncmp(topic, "listings/", 9))
        kind = "pull";
    if (!rv_ref_ok(ref))
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                             "The delivery names no order_number or listing id.");
    if (rv_db_exec(q->db, p, NULL,
            "INSERT INTO {P}reverb_webhook (topic, ref) VALUES (%s, %s)",
            RV_ARGS(topic ? apr_pstrndup(p, topic, 64) : kind, ref))
        || rv_queue_add(q->db, p, kind, ref, !strcmp(kind, "order") ? RV_PRIO_ORDER : RV_PRIO_PULL, 0))
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The delivery could not be recorded; Reverb will retry.");
    out = json_object_new_object();
    json_object_object_add(out, "accepted", json_object_new_boolean(1));
    return rv_http_json(q->r, HTTP_ACCEPTED, out);
}

/* ---- registration (admin) ---- */

static int rv_registered(json_object *regs, const char *url, const char *topic)
{
    size_t i, n = regs && json_object_is_type(regs, json_type_array) ? json_object_array_length(regs) : 0;
    for (i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(regs, i);
        const char *u = rv_json_str(r, "url"), *t = rv_json_str(r, "topic");
        if (u && t && !strcmp(u, url) && !strcmp(t, topic))
            return 1;
    }
    return 0;
}

int rv_route_webhooks_admin(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const char *url = apr_pstrcat(p, q->base_url, "/webhook?key=",
                                  rv_setting(q->settings, "webhook_key", ""), NULL);
    rv_ctx_t *c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    rv_api_result_t res;
    json_object *in, *regs, *out, *list, *missing;
    size_t i, n;

    if (q->r->method_number == M_POST && rv_http_read_json_object(q->r, &in))
        return OK;
    c->inline_attempts = 2;
    if (rv_reverb_call(c, p, "GET", "webhooks/registrations", NULL, &res) != RV_API_OK) {
        int rc = rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_error",
            apr_pstrcat(p, "Reverb's webhook list could not be read: ",
                        res.message ? res.message : "error", NULL));
        rv_api_result_clear(&res);
        return rc;
    }
    regs = json_object_get(rv_json_path(res.json, "registrations"));
    rv_api_result_clear(&res);
    if (q->r->method_number == M_POST) {
        for (i = 0; i < RV_NTOPICS; i++) {
            json_object *body, *made;
            if (rv_registered(regs, url, rv_topics[i]))
                continue;       /* idempotent: a second click adds nothing */
            body = json_object_new_object();
            json_object_object_add(body, "url", json_object_new_string(url));
            json_object_object_add(body, "topic", json_object_new_string(rv_topics[i]));
            rv_reverb_call(c, p, "POST", "webhooks/registrations", body, &res);
            json_object_put(body);
            if (res.kind != RV_API_OK) {
                int rc = rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_error",
                    apr_pstrcat(p, "Reverb refused the webhook for ", rv_topics[i], ": ",
                                res.message ? res.message : "error", NULL));
                rv_api_result_clear(&res);
                if (regs)
                    json_object_put(regs);
                return rc;
            }
            made = json_object_new_object();
            json_object_object_add(made, "id", json_object_get(rv_json_path(res.json, "id")));
            json_object_object_add(made, "url", json_object_new_string(url));
            json_object_object_add(made, "topic", json_object_new_string(rv_topics[i]));
            if (!regs)
                regs = json_object_new_array();
            json_object_array_add(regs, made);
            rv_api_result_clear(&res);
        }
    }
    out = json_object_new_object();
    list = json_object_new_array();
    missing = json_object_new_array();
    n = regs && json_object_is_type(regs, json_type_array) ? json_object_array_length(regs) : 0;
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
    if (regs)
        json_object_put(regs);
    json_object_object_add(out, "webhook_url", json_object_new_string(url));
    json_object_object_add(out, "registrations", list);
    json_object_object_add(out, "missing_topics", missing);
    return rv_http_json(q->r, HTTP_OK, out);
}
