/* POST /reverb/webhook?key=…: a Reverb webhook delivery.
 *
 * Reverb does not sign webhooks: the secret key is in the URL (checked by
 * the statement that records the delivery, rv_accept.c: wrong or missing
 * -> 403, nothing written; no settings are read) and the body is only
 * a hint. A delivery is recorded (reverb_webhook) by one autocommitted
 * statement and answered 202 {"accepted": true} at once; the worker turns
 * it into a job within a second (rv_accept_queue_waiting); the job re-reads
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
#include "rv_order_switch.h"
#include "rv_reverb.h"
#include "rv_json.h"
#include "rv_keycache.h"
#include "rv_shape.h"
#include "rv_accept.h"
#include "rv_auth.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_lib.h"

APLOG_USE_MODULE(reverb);

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

/* Whether the request's key is the stored webhook key (the settings read:
 * only for deliveries the accept statement never sees). */
static int rv_webhook_key_right(rv_req_t *q, apr_pool_t *p)
{
    rv_settings_t *st = rv_settings_load(q->db, p, q->conf->store_id);
    const char *stored = st ? rv_setting(st, "webhook_key", "") : "";
    if (st)     /* the process remembers the keys: the next wrong ones need no database */
        rv_keycache_store(q->r->server, stored, rv_setting(st, "cron_key", NULL));
    return *stored && q->key && rv_consttime_eq(q->key, stored);
}

static int rv_webhook_refused(rv_req_t *q)
{
    return rv_http_error(q->r, HTTP_FORBIDDEN, "forbidden", "The key is missing or wrong.");
}

/* An order delivery the accept statement did not take: the key is wrong,
 * or the "Import Reverb orders" switch is off (a shop that only lists).
 * Only then are the settings read, to tell which. */
static int rv_webhook_order_not_taken(rv_req_t *q, apr_pool_t *p)
{
    json_object *out;
    rv_settings_t *st = rv_settings_load(q->db, p, q->conf->store_id);
    const char *stored = st ? rv_setting(st, "webhook_key", "") : "";
    if (!st)
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The delivery could not be recorded; Reverb will retry.");
    /* the process remembers the keys: the next wrong ones need no database */
    rv_keycache_store(q->r->server, stored, rv_setting(st, "cron_key", NULL));
    if (!*stored || !q->key || !rv_consttime_eq(q->key, stored))
        return rv_http_error(q->r, HTTP_FORBIDDEN, "forbidden", "The key is missing or wrong.");
    rv_orders_import_on(q->db, q->r->server, st, q->conf->store_id, p, 0);  /* notes it once */
    out = json_object_new_object();       /* order import is off: nothing queued */
    json_object_object_add(out, "accepted", json_object_new_boolean(1));
    json_object_object_add(out, "queued", json_object_new_boolean(0));
    return rv_http_json(q->r, HTTP_ACCEPTED, out);
}

/* {"accepted": true}, with "queued": false when nothing was queued. */
static int rv_webhook_accepted(rv_req_t *q, int queued)
{
    json_object *out = json_object_new_object();
    json_object_object_add(out, "accepted", json_object_new_boolean(1));
    if (!queued)
        json_object_object_add(out, "queued", json_object_new_boolean(0));
    return rv_http_json(q->r, HTTP_ACCEPTED, out);
}

static int rv_webhook_unrecorded(rv_req_t *q)
{
    return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                         "The delivery could not be recorded; Reverb will retry.");
}

/* What the delivery names: the kind of job ("order" or "pull") from the
 * topic header or else the payload's shape, and its ref (NULL: none). */
static const char *rv_webhook_names(apr_pool_t *p, const char *topic, json_object *body,
                                    const char **kind)
{
    *kind = NULL;
    if (topic && !strncmp(topic, "orders/", 7))
        *kind = "order";
    else if (topic && !strncmp(topic, "listings/", 9))
        *kind = "pull";
    else if (json_object_object_get_ex(body, "order", NULL)
             || json_object_object_get_ex(body, "order_number", NULL))
        *kind = "order";
    else if (json_object_object_get_ex(body, "listing", NULL)
             || json_object_object_get_ex(body, "id", NULL))
        *kind = "pull";
    if (!*kind)
        return NULL;
    return !strcmp(*kind, "order") ? rv_id_of(p, rv_unwrap(body, "order"), "order_number")
                                   : rv_id_of(p, rv_unwrap(body, "listing"), "id");
}

int rv_route_webhook(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *body;
    const char *topic = apr_table_get(q->r->headers_in, "X-Reverb-Topic");
    const char *kind, *ref, *label, *code, *message;
    char *buf;
    apr_size_t len;
    int order;

    if (rv_http_read_body(q->r, &buf, &len))
        return OK;
    /* a bad body is refused only once the key is known to be right: a
     * caller without the key learns nothing but 403 */
    if (rv_http_parse_object(q->r, buf, len, &body, &code, &message))
        return rv_webhook_key_right(q, p) ? rv_http_error(q->r, HTTP_BAD_REQUEST, code, message)
                                          : rv_webhook_refused(q);
    ref = rv_webhook_names(p, topic, body, &kind);
    if (!rv_ref_ok(ref) || (!strcmp(kind, "pull") && !rv_listing_id_ok(ref)))
        return rv_webhook_key_right(q, p)
            ? rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                            "The delivery names no valid order_number or listing id.")
            : rv_webhook_refused(q);
    order = !strcmp(kind, "order");
    label = topic ? apr_pstrndup(p, topic, 64) : (order ? "orders/?" : "listings/?");
    /* the usual case: one autocommitted statement that checks the key and
     * records the delivery; the worker queues it within a second */
    switch (rv_accept_delivery(q->db, p, q->conf->store_id, q->key, label, kind, ref, order)) {
    case RV_ACCEPT_STORED:
        rv_keycache_store_slot(q->r->server, RV_KEY_WEBHOOK_SLOT, q->key);
        return rv_webhook_accepted(q, 1);
    case RV_ACCEPT_NOT_TAKEN:           /* an order: a wrong key, or order import is off */
        return rv_webhook_order_not_taken(q, p);
    case RV_ACCEPT_WRONG_KEY:
        return rv_webhook_refused(q);
    case RV_ACCEPT_DB_ERROR:
    default:
        return rv_webhook_unrecorded(q);
    }
}
