/* rv_admin.c: admin routes for settings, status, lookups, the product panel
 * and the sync log (contract §5). Sync, orders and webhooks routes live with
 * their engines (rv_push.c, rv_orders.c, rv_webhook.c). */
#include "rv_route.h"
#include "rv_queue.h"
#include "rv_ratelimit.h"
#include "rv_reverb.h"
#include "rv_migrate.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_query.h"
#include "rv_text.h"
#include "rv_settings.h"
#include "rv_settings_form.h"
#include "routes/rv_listing_routes.h"

#include "http_log.h"
#include "http_protocol.h"
#include "apr_strings.h"
#include "apr_lib.h"

#include "gen/rv_assets.h"

APLOG_USE_MODULE(reverb);

static const char *lld(apr_pool_t *p, long long v)
{
    return rv_i64(p, v);
}

/* OpenCart stores names HTML-escaped; the UI sets text, not HTML. */
static const char *rv_decoded(apr_pool_t *p, const char *v)
{
    return v ? rv_entity_decode(p, v) : NULL;
}

static void add_str(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

/* ---- status ---- */

int rv_route_status(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *top = json_object_new_object(), *queue = json_object_new_object(),
                *rate = json_object_new_object(), *worker = json_object_new_object();
    long long pending = 0, running = 0, failed = 0;
    rv_rows_t *rows;

    add_str(top, "engine", q->conf->engine ? "on" : "off");
    add_str(top, "version", RV_VERSION);
    rv_queue_counts(q->db, p, &pending, &running, &failed);
    json_object_object_add(queue, "pending", json_object_new_int64(pending));
    json_object_object_add(queue, "running", json_object_new_int64(running));
    json_object_object_add(queue, "failed", json_object_new_int64(failed));
    json_object_object_add(top, "queue", queue);
    json_object_object_add(rate, "limit", json_object_new_int(q->conf->rate_limit));
    json_object_object_add(rate, "used_last_minute", json_object_new_int64(rv_rate_used(q->db, p)));
    json_object_object_add(top, "rate", rate);
    if (rv_db_query(q->db, p, &rows,
            "SELECT holder, DATE_FORMAT(`until`, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS heartbeat,"
            " TIMESTAMPDIFF(SECOND, `until`, NOW(3)) AS age FROM {P}reverb_lock"
            " WHERE name = 'worker'", RV_NOARGS) == 0 && rows->nrows) {
        add_str(worker, "heartbeat", rv_row_get(rows, 0, "heartbeat"));
        add_str(worker, "holder", rv_row_get(rows, 0, "holder"));
        if (rv_row_get(rows, 0, "age"))
            json_object_object_add(worker, "age_seconds",
                                   json_object_new_int64(rv_row_int(rows, 0, "age", 0)));
        else
            json_object_object_add(worker, "age_seconds", NULL);
    }
    json_object_object_add(worker, "enabled", json_object_new_boolean(q->conf->worker));
    json_object_object_add(top, "worker", worker);
    add_str(top, "last_error", rv_db_value(q->db, p,
        "SELECT message FROM {P}reverb_sync_log WHERE status = 'error'"
        " ORDER BY log_id DESC LIMIT 1", RV_NOARGS));
    add_str(top, "schema_version", RV_SCHEMA_VERSION);
    json_object_object_add(top, "module_status",
                           json_object_new_int(rv_setting_int(q->settings, "status", 0) ? 1 : 0));
    return rv_http_json(q->r, HTTP_OK, top);
}

/* ---- settings ---- */

int rv_route_settings(rv_req_t *q)
{
    if (q->r->method_number == M_POST) {
        json_object *in;
        const char *err, *field;
        if (rv_http_read_json_object(q->r, &in))
            return OK;
        err = rv_settings_apply_field(q->db, q->r->pool, q->conf->store_id, in, &field);
        if (err)
            return rv_http_error_field(q->r, HTTP_BAD_REQUEST, "invalid_request", err, field);
        q->settings = rv_settings_load(q->db, q->r->pool, q->conf->store_id);
        if (!q->settings)
            return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The shop database cannot be reached. Try again shortly.");
    }
    if (!*rv_setting(q->settings, "webhook_key", "") || !*rv_setting(q->settings, "cron_key", "")) {
        /* deleted since Apache started (OpenCart's module uninstall deletes
         * every module_reverb_* row): make new ones rather than show URLs
         * ending in "key=" that Reverb and cron would be refused with */
        rv_settings_t *st;
        if (!rv_settings_ensure_keys(q->db, q->r->pool, q->conf->store_id)
            && (st = rv_settings_load(q->db, q->r->pool, q->conf->store_id)))
            q->settings = st;
    }
    {
        const char *pub = rv_public_route_base(q->r->pool,
                                               rv_shop_address(q->db, q->r->pool, q->settings),
                                               q->base_path);
        return rv_http_json(q->r, HTTP_OK,
                            rv_settings_to_json(q->db, q->r->pool, q->settings,
                                                pub ? pub : q->base_url, q->can_modify));
    }
}

/* Plain-words answer for a failed Reverb call made on the admin's behalf. */
static int rv_admin_api_error(rv_req_t *q, const rv_api_result_t *res)
{
    switch (res->kind) {
    case RV_API_UNAUTHORIZED:
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_unauthorized",
            "Reverb did not accept the token. Check that it is a valid personal "
            "token with the read_listings, write_listings, read_orders and "
            "write_orders scopes.");
    case RV_API_RATE_LIMITED:
        return rv_http_error(q->r, HTTP_TOO_MANY_REQUESTS, "rate_limited",
            "Reverb's request limit is reached for this minute. Try again shortly.");
    case RV_API_NETWORK:
    case RV_API_TIMEOUT:
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_unreachable",
            apr_pstrcat(q->r->pool, "Reverb could not be reached from this server (",
                        res->kind == RV_API_TIMEOUT ? "no answer in time"
                        : res->message ? res->message : "no connection",
                        "). Check the server's internet connection and ReverbApiUrl, "
                        "or try again in a few minutes.", NULL));
    case RV_API_SERVER_ERROR:
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_unavailable",
            apr_psprintf(q->r->pool, "Reverb answered with a server error (HTTP %ld): it "
                         "may be down for a moment. Try again in a few minutes.",
                         res->http_status));
    default:
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_error",
            apr_pstrcat(q->r->pool, "Reverb refused the request: ",
                        res->message ? res->message : "unknown error", NULL));
    }
}

int rv_route_test_connection(rv_req_t *q)
{
    json_object *in, *out;
    const char *token = NULL, *shop, *bad = NULL;
    rv_api_result_t res;
    rv_ctx_t *c;
    int rc;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    token = rv_json_str(in, "token");
    if (token && (!*token || strlen(token) > 255))
        token = NULL;
    c = rv_ctx_create(q->r->pool, q->r->server, q->db, q->settings, token);
    if (!c->api)    /* none typed and none saved: nothing to ask Reverb */
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token first, then test the connection.");
    c->inline_attempts = 1;
    if (rv_reverb_call(c, q->r->pool, "GET", "my/account", NULL, &res) != RV_API_OK) {
        rc = rv_admin_api_error(q, &res);
        rv_api_result_clear(&res);
        return rc;
    }
    if (!(shop = rv_shape_shop_name(res.json, &bad))) {
        rv_api_result_clear(&res);
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_bad_answer", bad);
    }
    shop = apr_pstrdup(q->r->pool, shop);
    out = json_object_new_object();
    json_object_object_add(out, "ok", json_object_new_boolean(1));
    add_str(out, "shop_name", shop ? shop : "");
    rv_api_result_clear(&res);
    return rv_http_json(q->r, HTTP_OK, out);
}

/* ---- cached lookups (categories, conditions): 24 h in {P}reverb_cache ----
 * An answer is cached only when its shape is right, and a cached answer of
 * the wrong shape (written by an older version) is fetched again. */

typedef json_object *(*rv_shape_fn)(json_object *answer, const char **err);

static json_object *rv_cached_lookup(rv_req_t *q, const char *name, const char *path,
                                     rv_shape_fn shape, rv_api_result_t *res, int *failed,
                                     const char **bad)
{
    apr_pool_t *p = q->r->pool;
    const char *cached = rv_db_value(q->db, p,
        "SELECT value FROM {P}reverb_cache WHERE name = %s AND expires_at > NOW()",
        RV_ARGS(name));
    rv_ctx_t *c;
    json_object *o, *out;

    *failed = 0;
    *bad = NULL;
    if (cached && (o = rv_json_parse(cached, strlen(cached), NULL))) {
        out = shape(o, bad);
        json_object_put(o);
        if (out)
            return out;
        *bad = NULL;
    }
    c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    if (!c->api) {
        *failed = 2;            /* no token yet: nothing was asked of Reverb */
        return NULL;
    }
    if (rv_reverb_call(c, p, "GET", path, NULL, res) != RV_API_OK) {
        *failed = 1;
        return NULL;
    }
    out = shape(res->json, bad);
    if (out)
        rv_db_exec(q->db, p, NULL,
            "REPLACE INTO {P}reverb_cache (name, value, expires_at)"
            " VALUES (%s, %s, NOW() + INTERVAL 24 HOUR)",
            RV_ARGS(name, rv_json_dump(p, res->json)));
    else
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, RVLOGNO(0007) "GET %s: %s", path, *bad);
    rv_api_result_clear(res);
    return out;
}

static int rv_lookup_route(rv_req_t *q, const char *name, const char *path, rv_shape_fn shape,
                           const char *key)
{
    rv_api_result_t res;
    int failed, rc;
    const char *bad;
    json_object *list = rv_cached_lookup(q, name, path, shape, &res, &failed, &bad), *out;
    if (failed == 2)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token in the settings first.");
    if (failed) {
        rc = rv_admin_api_error(q, &res);
        rv_api_result_clear(&res);
        return rc;
    }
    if (!list)
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_bad_answer",
                             apr_pstrcat(q->r->pool, bad, ". Try again later; if it persists, "
                                         "Reverb's API may have changed.", NULL));
    out = json_object_new_object();
    json_object_object_add(out, key, list);
    return rv_http_json(q->r, HTTP_OK, out);
}

int rv_route_categories(rv_req_t *q)
{
    return rv_lookup_route(q, "categories", "categories/flat", rv_shape_category_groups, "groups");
}

int rv_route_conditions(rv_req_t *q)
{
    return rv_lookup_route(q, "conditions", "listing_conditions", rv_shape_conditions, "conditions");
}

/* ---- category map ---- */

int rv_route_category_map(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *map, *out, *cats, *allowed;
    size_t i, n;

    if (q->r->method_number == M_POST) {
        json_object *in, *given, *clean = json_object_new_object();
        if (rv_http_read_json_object(q->r, &in)) {
            json_object_put(clean);
            return OK;
        }
        if (!json_object_object_get_ex(in, "map", &given)
            || !json_object_is_type(given, json_type_object)) {
            json_object_put(clean);
            return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                                 "'map' must be an object of category id to Reverb category.");
        }
        json_object_object_foreach(given, key, val) {
            const char *uuid = json_object_is_type(val, json_type_string)
                             ? json_object_get_string(val) : NULL;
            char *end;
            long long id = strtoll(key, &end, 10);
            if (*end || id <= 0 || (uuid && *uuid && !rv_uuid_valid(uuid)) || (!uuid && val)) {
                json_object_put(clean);
                return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                    apr_psprintf(p, "Category %s: not a valid Reverb category.", key));
            }
            if (uuid && *uuid)
                json_object_object_add(clean, key, json_object_new_string(uuid));
        }
        if (rv_setting_save(q->db, p, q->conf->store_id, "category_map",
                            rv_json_dump(p, clean), 1)) {
            json_object_put(clean);
            return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The category map could not be saved.");
        }
        json_object_put(clean);
        q->settings = rv_settings_load(q->db, p, q->conf->store_id);
    }
    map = rv_setting_json(q->settings, "category_map");
    if (!map || !json_object_is_type(map, json_type_object)) {
        if (map)
            json_object_put(map);
        map = json_object_new_object();
    }
    allowed = rv_setting_json(q->settings, "categories");
    cats = json_object_new_array();
    n = allowed && json_object_is_type(allowed, json_type_array)
      ? json_object_array_length(allowed) : 0;
    for (i = 0; i < n; i++) {
        const char *id = json_object_get_string(json_object_array_get_idx(allowed, i));
        json_object *o = json_object_new_object(), *uuid;
        json_object_object_add(o, "category_id", json_object_new_int64(apr_atoi64(id)));
        add_str(o, "name", rv_decoded(p, rv_db_value(q->db, p,
            "SELECT GROUP_CONCAT(cd.name ORDER BY cp.level SEPARATOR ' > ')"
            " FROM {P}category_path cp JOIN {P}category_description cd"
            "  ON cd.category_id = cp.path_id AND cd.language_id = 1"
            " WHERE cp.category_id = %s", RV_ARGS(id))));
        add_str(o, "reverb_uuid", json_object_object_get_ex(map, id, &uuid)
                                  ? json_object_get_string(uuid) : NULL);
        json_object_array_add(cats, o);
    }
    if (allowed)
        json_object_put(allowed);
    out = json_object_new_object();
    json_object_object_add(out, "map", map);
    json_object_object_add(out, "categories", cats);
    return rv_http_json(q->r, HTTP_OK, out);
}

/* ---- product panel ---- */

static json_object *rv_product_panel(rv_req_t *q, const char *pid)
{
    rv_rows_t *rows;
    json_object *o;
    if (rv_db_query(q->db, q->r->pool, &rows,
            "SELECT p.product_id, pd.name, p.sku, COALESCE(m.sync_enabled, 0) AS sync_enabled,"
            " m.condition_uuid, m.reverb_category_uuid, COALESCE(m.handmade, 0) AS handmade,"
            " COALESCE(m.upc_does_not_apply, 1) AS upc_does_not_apply, m.reverb_listing_id,"
            " m.listing_state, m.listing_url,"
            " DATE_FORMAT(m.last_synced_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS last_synced_at,"
            " m.last_error FROM {P}product p"
            " LEFT JOIN {P}product_description pd ON pd.product_id = p.product_id"
            "  AND pd.language_id = 1"
            " LEFT JOIN {P}reverb_product_map m ON m.product_id = p.product_id"
            " WHERE p.product_id = %s", RV_ARGS(pid)) || rows->nrows == 0)
        return NULL;
    o = json_object_new_object();
    json_object_object_add(o, "product_id", json_object_new_int64(rv_row_int(rows, 0, "product_id", 0)));
    add_str(o, "name", rv_decoded(q->r->pool, rv_row_get(rows, 0, "name")));
    add_str(o, "sku", rv_row_get(rows, 0, "sku"));
    json_object_object_add(o, "sync_enabled", json_object_new_int((int)rv_row_int(rows, 0, "sync_enabled", 0)));
    add_str(o, "condition_uuid", rv_row_get(rows, 0, "condition_uuid"));
    add_str(o, "category_uuid", rv_row_get(rows, 0, "reverb_category_uuid"));
    json_object_object_add(o, "handmade", json_object_new_int((int)rv_row_int(rows, 0, "handmade", 0)));
    json_object_object_add(o, "upc_does_not_apply",
                           json_object_new_int((int)rv_row_int(rows, 0, "upc_does_not_apply", 1)));
    add_str(o, "listing_id", rv_row_get(rows, 0, "reverb_listing_id"));
    add_str(o, "listing_state", rv_row_get(rows, 0, "listing_state"));
    add_str(o, "listing_url", rv_listing_link(q->r->pool, rv_row_get(rows, 0, "listing_url"),
                                              rv_row_get(rows, 0, "reverb_listing_id")));
    add_str(o, "last_synced_at", rv_row_get(rows, 0, "last_synced_at"));
    add_str(o, "last_error", rv_row_get(rows, 0, "last_error"));
    rv_product_options_json(q, pid, o);     /* shipping profile, local pickup, offers */
    return o;
}

static const char *rv_flag_field(json_object *in, const char *key, const char *dflt, int *bad)
{
    json_object *v;
    if (!json_object_object_get_ex(in, key, &v))
        return dflt;
    if (json_object_is_type(v, json_type_boolean))
        return json_object_get_boolean(v) ? "1" : "0";
    if (json_object_is_type(v, json_type_int) && (json_object_get_int(v) == 0 || json_object_get_int(v) == 1))
        return json_object_get_int(v) ? "1" : "0";
    if (json_object_is_type(v, json_type_string)
        && (!strcmp(json_object_get_string(v), "0") || !strcmp(json_object_get_string(v), "1")))
        return json_object_get_string(v);
    *bad = 1;
    return dflt;
}

static const char *rv_uuid_field(json_object *in, const char *key, const char *dflt, int *bad)
{
    json_object *v;
    const char *s;
    if (!json_object_object_get_ex(in, key, &v))
        return dflt;
    if (!v)
        return "";
    if (!json_object_is_type(v, json_type_string)) {
        *bad = 1;
        return dflt;
    }
    s = json_object_get_string(v);
    if (*s && !rv_uuid_valid(s))
        *bad = 1;
    return s;
}

static int rv_product_save(rv_req_t *q, const char *pid, json_object *in, json_object *cur)
{
    int bad = 0;
    const char *sync = rv_flag_field(in, "sync_enabled",
        json_object_get_string(json_object_object_get(cur, "sync_enabled")), &bad);
    const char *hand = rv_flag_field(in, "handmade",
        json_object_get_string(json_object_object_get(cur, "handmade")), &bad);
    const char *upc = rv_flag_field(in, "upc_does_not_apply",
        json_object_get_string(json_object_object_get(cur, "upc_does_not_apply")), &bad);
    const char *cond = rv_uuid_field(in, "condition_uuid",
        rv_json_str(cur, "condition_uuid"), &bad);
    const char *cat = rv_uuid_field(in, "category_uuid", rv_json_str(cur, "category_uuid"), &bad);
    rv_product_options_t opts;
    const char *why = rv_product_options_parse(q->r->pool, in, &opts);
    if (why)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request", why);
    if (bad)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
            "sync_enabled, handmade and upc_does_not_apply must be 0 or 1; "
            "condition_uuid and category_uuid must be Reverb ids.");
    if (rv_db_exec(q->db, q->r->pool, NULL,
            "INSERT INTO {P}reverb_product_map (product_id, sync_enabled, handmade,"
            " upc_does_not_apply, condition_uuid, reverb_category_uuid)"
            " VALUES (%s, %s, %s, %s, NULLIF(%s, ''), NULLIF(%s, ''))"
            " ON DUPLICATE KEY UPDATE sync_enabled = VALUES(sync_enabled),"
            " handmade = VALUES(handmade), upc_does_not_apply = VALUES(upc_does_not_apply),"
            " condition_uuid = VALUES(condition_uuid),"
            " reverb_category_uuid = VALUES(reverb_category_uuid)",
            RV_ARGS(pid, sync, hand, upc, cond ? cond : "", cat ? cat : ""))
        || rv_product_options_save(q, pid, &opts))
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The product settings could not be saved.");
    /* the worker decides: create/update when on, end the listing when off */
    rv_queue_add(q->db, q->r->pool, "push", pid, RV_PRIO_NORMAL, 0);
    return DECLINED;
}

int rv_route_product(rv_req_t *q)
{
    const char *pid = lld(q->r->pool, q->id);
    json_object *cur = rv_product_panel(q, pid), *out;
    if (!cur)
        return rv_http_error(q->r, HTTP_NOT_FOUND, "not_found", "No such product.");
    if (q->r->method_number == M_POST) {
        json_object *in;
        int rc;
        if (rv_http_read_json_object(q->r, &in)) {
            json_object_put(cur);
            return OK;
        }
        rc = rv_product_save(q, pid, in, cur);
        json_object_put(cur);
        if (rc != DECLINED)
            return rc;
        cur = rv_product_panel(q, pid);
    }
    out = json_object_new_object();
    json_object_object_add(out, "product", cur);
    {   /* the tab shows the last sync in the shop's time zone, as the grid does */
        const char *tz = rv_oc_config(q->db, q->r->pool, q->conf->store_id, "config_timezone");
        json_object_object_add(out, "timezone", tz && *tz ? json_object_new_string(tz) : NULL);
    }
    return rv_http_json(q->r, HTTP_OK, out);
}

/* ---- static assets (the admin UI's JS and CSS, embedded at build) ---- */

int rv_route_asset(rv_req_t *q)
{
    request_rec *r = q->r;
    const char *body, *type, *etag;
    int rc;
    if (!strcmp(q->tail, "reverb-admin.js")) {
        body = rv_asset_js;
        type = "application/javascript; charset=utf-8";
        etag = rv_asset_js_etag;
    }
    else if (!strcmp(q->tail, "reverb-admin.css")) {
        body = rv_asset_css;
        type = "text/css; charset=utf-8";
        etag = rv_asset_css_etag;
    }
    else {
        return rv_http_error(r, HTTP_NOT_FOUND, "not_found", "No such asset.");
    }
    ap_set_content_type(r, type);
    /* Revalidated on every page (a 304 while unchanged): the entity tag is the
     * file's hash, so a new build is never served stale. It was the version with
     * a day's max-age: after an update that kept 0.1.0, a real OpenCart 3 admin
     * ran yesterday's CSS. */
    apr_table_setn(r->headers_out, "Cache-Control", "no-cache");
    apr_table_setn(r->headers_out, "ETag", etag);
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    if ((rc = ap_meets_conditions(r)) != OK)
        return rc;
    ap_set_content_length(r, strlen(body));
    if (!r->header_only)
        ap_rwrite(body, (int)strlen(body), r);
    return OK;
}
