/* rv_webhook.c: Reverb webhook deliveries and their registration.
 *
 * Reverb does not sign webhooks: the secret key is in the URL (checked by
 * the statement that records the delivery, rv_accept.c: wrong or missing
 * -> 403, nothing written; no settings are read) and the body is only
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
#include "rv_order_switch.h"
#include "rv_reverb.h"
#include "rv_settings_form.h"
#include "rv_json.h"
#include "rv_keycache.h"
#include "rv_shape.h"
#include "rv_accept.h"
#include "rv_auth.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_lib.h"
#include "apr_atomic.h"

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

/* Deliveries naming orders this shop has never seen: at most
 * RV_UNKNOWN_ORDERS_PER_MIN new order jobs a minute, so that a flood (a
 * leaked key, a replaying client) cannot grow the queue without bound or
 * spend Reverb's rate limit on order numbers that do not exist. A delivery
 * for an order already imported or already queued always passes (the
 * queue keeps the first delivery's job); one past the cap is answered but
 * not queued, and the cron poll still finds every real order. */
#define RV_UNKNOWN_ORDERS_PER_MIN 300

static int rv_unknown_order_capped(rv_req_t *q, const char *ref)
{
    apr_pool_t *p = q->r->pool;
    const char *known;
    long long recent = rv_queue_created_recently(q->db, p, "order", 60);
    int live;
    /* only reached when rv_accept_delivery found the minute's count at the cap */
    if (recent < RV_UNKNOWN_ORDERS_PER_MIN)
        return 0;
    live = rv_queue_is_live(q->db, p, "order", ref);
    if (live != 0)
        return 0;           /* queued already (or the database will tell) */
    known = rv_db_value(q->db, p, "SELECT COUNT(*) FROM {P}reverb_order_map"
                        " WHERE reverb_order_number = %s", RV_ARGS(ref));
    if (!known || strcmp(known, "0"))
        return 0;
    {
        /* once a minute per process, not once per refused delivery */
        static volatile apr_uint32_t last_minute;
        apr_uint32_t now = (apr_uint32_t)(apr_time_sec(apr_time_now()) / 60), was = last_minute;
        if (was == now || apr_atomic_cas32(&last_minute, now, was) != was)
            return 1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r,
                  RVLOGNO(0024) "webhook for unknown order %s not queued: %lld order jobs were "
                  "created in the last minute (cap %d); the cron poll finds real orders",
                  ref, recent, RV_UNKNOWN_ORDERS_PER_MIN);
    return 1;
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

int rv_route_webhook(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *body, *out;
    const char *topic = apr_table_get(q->r->headers_in, "X-Reverb-Topic");
    const char *kind = NULL, *ref = NULL, *label;

    char *buf;
    apr_size_t len;
    const char *code, *message;

    if (rv_http_read_body(q->r, &buf, &len))
        return OK;
    /* a bad body is refused only once the key is known to be right: a
     * caller without the key learns nothing but 403 */
    if (rv_http_parse_object(q->r, buf, len, &body, &code, &message))
        return rv_webhook_key_right(q, p) ? rv_http_error(q->r, HTTP_BAD_REQUEST, code, message)
                                          : rv_webhook_refused(q);
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
        return rv_webhook_key_right(q, p)
            ? rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                            "The delivery names no valid order_number or listing id.")
            : rv_webhook_refused(q);
    label = topic ? apr_pstrndup(p, topic, 64) : (!strcmp(kind, "order") ? "orders/?" : "listings/?");
    /* the usual case: one transaction whose first statement checks the key */
    switch (rv_accept_delivery(q->db, p, q->conf->store_id, q->key, label, kind, ref,
                               !strcmp(kind, "order") ? RV_PRIO_ORDER : RV_PRIO_PULL,
                               !strcmp(kind, "order") ? RV_UNKNOWN_ORDERS_PER_MIN : 0,
                               !strcmp(kind, "order"))) {
    case RV_ACCEPT_STORED:
        rv_keycache_store_slot(q->r->server, RV_KEY_WEBHOOK_SLOT, q->key);
        out = json_object_new_object();
        json_object_object_add(out, "accepted", json_object_new_boolean(1));
        return rv_http_json(q->r, HTTP_ACCEPTED, out);
    case RV_ACCEPT_NOT_TAKEN:           /* an order: a wrong key, or order import is off */
        return rv_webhook_order_not_taken(q, p);
    case RV_ACCEPT_WRONG_KEY:
        return rv_http_error(q->r, HTTP_FORBIDDEN, "forbidden", "The key is missing or wrong.");
    case RV_ACCEPT_DB_ERROR:
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The delivery could not be recorded; Reverb will retry.");
    case RV_ACCEPT_AT_CAP:
        break;          /* the key was right; the cap decides, as below */
    }
    rv_keycache_store_slot(q->r->server, RV_KEY_WEBHOOK_SLOT, q->key);
    if (!strcmp(kind, "order") && rv_unknown_order_capped(q, ref)) {
        out = json_object_new_object();
        json_object_object_add(out, "accepted", json_object_new_boolean(1));
        json_object_object_add(out, "queued", json_object_new_boolean(0));
        return rv_http_json(q->r, HTTP_ACCEPTED, out);
    }
    switch (rv_accept_delivery(q->db, p, q->conf->store_id, q->key, label, kind, ref,
                               RV_PRIO_ORDER, 0, 0)) {
    case RV_ACCEPT_STORED:
        break;
    case RV_ACCEPT_WRONG_KEY:       /* changed meanwhile */
        return rv_http_error(q->r, HTTP_FORBIDDEN, "forbidden", "The key is missing or wrong.");
    default:
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

/* The URL given to Reverb, built from the shop's configured public address
 * (never from the Host header of whoever opened the admin page). NULL with
 * *err when no usable address is configured. */
static const char *rv_hook_url(rv_req_t *q, const char **base, const char **err)
{
    apr_pool_t *p = q->r->pool;
    const char *addr = rv_shop_address(q->db, p, q->settings);
    *base = NULL;
    if (!addr) {
        *err = "Enter the shop's public address (Store URL on the Settings tab) first: "
               "Reverb must deliver webhooks to the address your customers use.";
        return NULL;
    }
    *base = rv_public_route_base(p, addr, q->base_path);
    if (!*base) {
        *err = apr_pstrcat(p, "The shop's address ", addr, " is not an https:// address that "
                           "Reverb could deliver webhooks to.", NULL);
        return NULL;
    }
    *base = apr_pstrcat(p, *base, "/webhook?key=", NULL);
    return apr_pstrcat(p, *base, rv_setting(q->settings, "webhook_key", ""), NULL);
}

/* A registration's URL as a user without modify permission may see it. */
static json_object *rv_url_for_viewer(rv_req_t *q, json_object *url)
{
    const char *u = url && json_object_is_type(url, json_type_string)
                    ? json_object_get_string(url) : NULL, *k;
    if (q->can_modify || !u)
        return json_object_get(url);
    k = strstr(u, "key=");
    return json_object_new_string(k ? apr_pstrcat(q->r->pool, apr_pstrmemdup(q->r->pool, u,
                                                  (apr_size_t)(k - u) + 4), "(hidden)", NULL)
                                    : u);
}

/* GET lists what Reverb has; POST (and a key change) first registers every
 * topic that is missing for this shop's URL (a second click adds nothing)
 * and removes registrations of this route with an old key, then lists what
 * Reverb reports afterwards. Returns the HTTP status; *out is the answer
 * body, or the error code and message. */
static int rv_webhooks_do(rv_req_t *q, int do_register, json_object **out,
                          const char **code, const char **msg)
{
    apr_pool_t *p = q->r->pool;
    const char *base = NULL, *url_err = NULL;
    const char *url = rv_hook_url(q, &base, &url_err);
    rv_ctx_t *c;
    const char *err = NULL, *refused = NULL;
    json_object *regs, *list, *missing;
    size_t i, n;
    int posted = 0;

    *out = NULL;
    if (do_register && !url) {
        *code = "no_shop_address";
        *msg = url_err;
        return HTTP_CONFLICT;
    }
    c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    if (!c->api) {
        *code = "no_token";
        *msg = "Enter your Reverb token in the settings first.";
        return HTTP_BAD_REQUEST;
    }
    c->inline_attempts = 2;
    if (rv_regs_read(c, p, &regs, &err)) {
        *code = "reverb_error";
        *msg = err;
        return HTTP_BAD_GATEWAY;
    }
    if (do_register) {
        posted = rv_regs_remove_stale(c, p, regs, base, url) > 0;
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
    list = json_object_new_array();
    missing = json_object_new_array();
    n = json_object_array_length(regs);
    for (i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(regs, i), *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_get(rv_json_path(r, "id")));
        json_object_object_add(o, "url", rv_url_for_viewer(q, rv_json_path(r, "url")));
        json_object_object_add(o, "topic", json_object_get(rv_json_path(r, "topic")));
        json_object_array_add(list, o);
    }
    for (i = 0; i < RV_NTOPICS; i++)
        if (!url || !rv_registered(regs, url, rv_topics[i]))
            json_object_array_add(missing, json_object_new_string(rv_topics[i]));
    json_object_put(regs);
    if (refused && json_object_array_length(missing) > 0) {
        json_object_put(list);
        json_object_put(missing);
        *code = "reverb_error";
        *msg = refused;
        return HTTP_BAD_GATEWAY;
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "webhook_url",
                           url && q->can_modify ? json_object_new_string(url) : NULL);
    if (!url)
        json_object_object_add(*out, "address_problem", json_object_new_string(url_err));
    else if (!strncmp(url, "http://", 7))
        json_object_object_add(*out, "warning", json_object_new_string(
            "The shop's address is http://, so Reverb delivers webhooks unencrypted. "
            "Use an https:// Store URL if the shop has one."));
    json_object_object_add(*out, "registrations", list);
    json_object_object_add(*out, "missing_topics", missing);
    return HTTP_OK;
}

int rv_route_webhooks_admin(rv_req_t *q)
{
    json_object *in, *out;
    const char *code = NULL, *msg = NULL;
    int status;
    if (q->r->method_number == M_POST && rv_http_read_json_object(q->r, &in))
        return OK;
    status = rv_webhooks_do(q, q->r->method_number == M_POST, &out, &code, &msg);
    if (status != HTTP_OK)
        return rv_http_error(q->r, status, code, msg);
    return rv_http_json(q->r, HTTP_OK, out);
}

/* POST keys/regenerate: new webhook and cron keys, refused-at-once old ones
 * (every accepted request checks its key against the database), and the
 * webhook registered again under the new key when a token is set. */
int rv_route_keys_regenerate(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *out, *hooks = NULL, *wh = json_object_new_object();
    const char *code = NULL, *msg = NULL, *pub;
    rv_settings_t *st;
    rv_log_entry_t le;
    int status;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (rv_settings_new_keys(q->db, p, q->conf->store_id)
        || !(st = rv_settings_load(q->db, p, q->conf->store_id))) {
        json_object_put(wh);
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The new keys could not be saved (database error). "
                             "The old keys still work.");
    }
    q->settings = st;
    rv_keycache_forget(q->r->server);
    rv_keycache_store(q->r->server, rv_setting(st, "webhook_key", NULL), rv_setting(st, "cron_key", NULL));
    memset(&le, 0, sizeof(le));
    le.direction = "push";
    le.action = "webhook";
    le.ok = 1;
    le.message = "New webhook and cron keys were made; the old ones are refused from now on.";
    rv_log_write(q->db, p, &le);

    if (!rv_setting(st, "token", NULL) || !*rv_setting(st, "token", "")) {
        json_object_object_add(wh, "registered", json_object_new_boolean(0));
        json_object_object_add(wh, "message", json_object_new_string(
            "No Reverb token is set yet, so no webhook was registered. Register webhooks "
            "after entering the token."));
    }
    else if ((status = rv_webhooks_do(q, 1, &hooks, &code, &msg)) == HTTP_OK) {
        json_object *miss = rv_json_path(hooks, "missing_topics");
        int all = miss && json_object_is_type(miss, json_type_array)
                  && json_object_array_length(miss) == 0;
        json_object_object_add(wh, "registered", json_object_new_boolean(all));
        json_object_object_add(wh, "message", json_object_new_string(all
            ? "The webhook is registered with Reverb under the new key."
            : "Some webhook topics could not be registered; press Register webhooks to try again."));
        json_object_put(hooks);
    }
    else {
        json_object_object_add(wh, "registered", json_object_new_boolean(0));
        json_object_object_add(wh, "message", json_object_new_string(apr_pstrcat(p,
            "The keys were changed, but the webhook could not be registered under the new key: ",
            msg, " Press Register webhooks to try again: until then Reverb's deliveries are "
            "refused and orders arrive by the cron poll.", NULL)));
    }
    pub = rv_public_route_base(p, rv_shop_address(q->db, p, st), q->base_path);
    out = rv_settings_to_json(q->db, p, st, pub ? pub : q->base_url, 1);
    json_object_object_add(out, "webhooks", wh);
    return rv_http_json(q->r, HTTP_OK, out);
}
