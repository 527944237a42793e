/* mod_reverb.c: Apache glue for mod_reverb: directives, hooks and the route
 * table. The work itself lives in src/ (see docs/ARCHITECTURE.md). */
#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "ap_config.h"
#include "apr_strings.h"
#include "apr_lib.h"

#include <curl/curl.h>

#include "rv_conf.h"
#include "rv_db.h"
#include "rv_http.h"
#include "rv_route.h"
#include "rv_settings.h"
#include "rv_admin_auth.h"
#include "rv_auth.h"
#include "rv_query.h"
#include "rv_worker.h"
#include "rv_migrate.h"
#include "rv_keycache.h"



/* ------------------------------------------------------------------ */
/* Configuration                                                       */

static void *rv_create_server_conf(apr_pool_t *p, server_rec *s)
{
    rv_conf_t *c = apr_pcalloc(p, sizeof(*c));
    (void)s;
    c->engine = 1;
    c->prefix = "oc_";
    c->store_id = 0;
    c->api_url = RV_DEFAULT_API_URL;
    c->rate_limit = 100;
    c->worker = 1;
    c->http_timeout = 30;
    c->worker_interval_ms = 1000;
    c->full_scan_s = 3600;
    return c;
}

#define RV_MERGE(field, flag) (add->flag ? add->field : base->field)
static void *rv_merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    rv_conf_t *base = basev, *add = addv, *c = apr_pcalloc(p, sizeof(*c));
    c->engine = RV_MERGE(engine, engine_set);
    c->prefix = RV_MERGE(prefix, prefix_set);
    c->store_id = RV_MERGE(store_id, store_set);
    c->api_url = RV_MERGE(api_url, url_set);
    c->rate_limit = RV_MERGE(rate_limit, rate_set);
    c->worker = RV_MERGE(worker, worker_set);
    c->http_timeout = RV_MERGE(http_timeout, timeout_set);
    c->worker_interval_ms = RV_MERGE(worker_interval_ms, interval_set);
    c->full_scan_s = RV_MERGE(full_scan_s, full_scan_set);
    c->ca_file = RV_MERGE(ca_file, ca_set);
    c->opencart = RV_MERGE(opencart, opencart_set);
    c->engine_set = base->engine_set | add->engine_set;
    c->prefix_set = base->prefix_set | add->prefix_set;
    c->store_set = base->store_set | add->store_set;
    c->url_set = base->url_set | add->url_set;
    c->rate_set = base->rate_set | add->rate_set;
    c->worker_set = base->worker_set | add->worker_set;
    c->timeout_set = base->timeout_set | add->timeout_set;
    c->interval_set = base->interval_set | add->interval_set;
    c->full_scan_set = base->full_scan_set | add->full_scan_set;
    c->ca_set = base->ca_set | add->ca_set;
    c->opencart_set = base->opencart_set | add->opencart_set;
    return c;
}

/* Per-directory config only remembers the <Location> path, so routes are
 * matched relative to wherever the admin put SetHandler reverb. */
typedef struct { const char *base; } rv_dir_conf_t;

static void *rv_create_dir_conf(apr_pool_t *p, char *dir)
{
    rv_dir_conf_t *d = apr_pcalloc(p, sizeof(*d));
    d->base = dir ? apr_pstrdup(p, dir) : NULL;
    return d;
}

static void *rv_merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    rv_dir_conf_t *base = basev, *add = addv, *d = apr_pcalloc(p, sizeof(*d));
    d->base = add->base ? add->base : base->base;
    return d;
}

static rv_conf_t *rv_cmd_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &reverb_module);
}

static const char *rv_bad(cmd_parms *cmd, const char *why)
{
    return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, why);
}

static int rv_parse_int(const char *arg, long lo, long hi, int *out)
{
    char *end;
    long v;
    if (!arg || !*arg)
        return -1;
    v = strtol(arg, &end, 10);
    if (*end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static const char *rv_set_engine(cmd_parms *cmd, void *d, int on)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    c->engine = on;
    c->engine_set = 1;
    return NULL;
}

static const char *rv_set_worker(cmd_parms *cmd, void *d, int on)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    c->worker = on;
    c->worker_set = 1;
    return NULL;
}

static const char *rv_set_prefix(cmd_parms *cmd, void *d, const char *arg)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    if (!rv_prefix_valid(arg))
        return rv_bad(cmd, "the table prefix may only contain letters, digits and '_' "
                           "(at most 32 characters)");
    c->prefix = arg;
    c->prefix_set = 1;
    return NULL;
}

static const char *rv_set_store(cmd_parms *cmd, void *d, const char *arg)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    if (rv_parse_int(arg, 0, 1000000, &c->store_id))
        return rv_bad(cmd, "must be a store id (0 or more)");
    c->store_set = 1;
    return NULL;
}

static const char *rv_set_url(cmd_parms *cmd, void *d, const char *arg)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    size_t n = strlen(arg);
    (void)d;
    if ((strncmp(arg, "https://", 8) && strncmp(arg, "http://", 7)) || n > 512)
        return rv_bad(cmd, "must be an http:// or https:// URL such as "
                           "https://api.reverb.com/api/");
    c->api_url = arg[n - 1] == '/' ? arg : apr_pstrcat(cmd->pool, arg, "/", NULL);
    c->url_set = 1;
    return NULL;
}

static const char *rv_set_rate(cmd_parms *cmd, void *d, const char *arg)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    if (rv_parse_int(arg, 1, 100000, &c->rate_limit))
        return rv_bad(cmd, "must be a number of requests per minute, 1 to 100000");
    c->rate_set = 1;
    return NULL;
}

static const char *rv_set_timeout(cmd_parms *cmd, void *d, const char *arg)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    if (rv_parse_int(arg, 1, 600, &c->http_timeout))
        return rv_bad(cmd, "must be a number of seconds, 1 to 600");
    c->timeout_set = 1;
    return NULL;
}

static const char *rv_set_interval(cmd_parms *cmd, void *d, const char *arg)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    if (rv_parse_int(arg, 100, 60000, &c->worker_interval_ms))
        return rv_bad(cmd, "must be milliseconds, 100 to 60000");
    c->interval_set = 1;
    return NULL;
}

static const char *rv_set_full_scan(cmd_parms *cmd, void *d, const char *arg)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    if (rv_parse_int(arg, 0, 604800, &c->full_scan_s))
        return rv_bad(cmd, "must be a number of seconds, 0 (every cron cycle) to 604800");
    c->full_scan_set = 1;
    return NULL;
}

static const char *rv_set_ca(cmd_parms *cmd, void *d, const char *arg)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    c->ca_file = ap_server_root_relative(cmd->pool, arg);
    c->ca_set = 1;
    return NULL;
}

static const char *rv_set_opencart(cmd_parms *cmd, void *d, const char *arg)
{
    rv_conf_t *c = rv_cmd_conf(cmd);
    (void)d;
    if (!strcmp(arg, "3"))
        c->opencart = 3;
    else if (!strcmp(arg, "4"))
        c->opencart = 4;
    else if (!ap_cstr_casecmp(arg, "auto"))
        c->opencart = 0;
    else
        return rv_bad(cmd, "must be 3 (OpenCart 3.0.x), 4 (OpenCart 4.0.2.x) or auto");
    c->opencart_set = 1;
    return NULL;
}

static const command_rec rv_cmds[] = {
    AP_INIT_FLAG("ReverbEngine", rv_set_engine, NULL, RSRC_CONF,
                 "On|Off: Off answers 503 on every route and idles the worker"),
    AP_INIT_TAKE1("ReverbTablePrefix", rv_set_prefix, NULL, RSRC_CONF,
                  "OpenCart's DB_PREFIX, e.g. oc_"),
    AP_INIT_TAKE1("ReverbStoreId", rv_set_store, NULL, RSRC_CONF,
                  "OpenCart store id whose settings apply (default 0)"),
    AP_INIT_TAKE1("ReverbApiUrl", rv_set_url, NULL, RSRC_CONF,
                  "Reverb API base URL (default https://api.reverb.com/api/)"),
    AP_INIT_TAKE1("ReverbRateLimit", rv_set_rate, NULL, RSRC_CONF,
                  "Reverb requests per minute, shared by all servers on this database"),
    AP_INIT_FLAG("ReverbWorker", rv_set_worker, NULL, RSRC_CONF,
                 "On|Off: run the background worker in this server"),
    AP_INIT_TAKE1("ReverbHttpTimeout", rv_set_timeout, NULL, RSRC_CONF,
                  "seconds allowed per Reverb request (default 30)"),
    AP_INIT_TAKE1("ReverbWorkerInterval", rv_set_interval, NULL, RSRC_CONF,
                  "milliseconds between worker rounds (default 1000)"),
    AP_INIT_TAKE1("ReverbFullScanInterval", rv_set_full_scan, NULL, RSRC_CONF,
                  "seconds between cron's full catalogue scans (default 3600; 0: every cycle)"),
    AP_INIT_TAKE1("ReverbCAFile", rv_set_ca, NULL, RSRC_CONF,
                  "CA bundle for verifying the Reverb API's certificate"),
    AP_INIT_TAKE1("ReverbOpenCart", rv_set_opencart, NULL, RSRC_CONF,
                  "3|4|auto: the OpenCart version of the database (default auto: detected)"),
    { NULL }
};

/* ------------------------------------------------------------------ */
/* Routes                                                              */

enum { RV_M_GET = 1, RV_M_POST = 2 };
/* RV_KEY_IN_SQL: the webhook key, checked by the handler's own statement
 * (src/rv_accept.c); no settings are loaded for such a route */
typedef enum { RV_OPEN, RV_ADMIN, RV_KEY_WEBHOOK, RV_KEY_CRON, RV_KEY_IN_SQL } rv_guard_t;

typedef struct {
    const char *pattern;    /* '#' = a numeric segment, '*' = the rest */
    int methods;
    rv_guard_t guard;
    int needs_db;
    rv_route_fn fn;
} rv_route_t;

/* Each handler rv_route_X is in src/routes/X.c (a path's '/' and '-' become
 * '_', the admin/ and numeric parts drop: admin/reconcile/fix ->
 * reconcile_fix.c, admin/product/#/sync -> product_sync.c); the order
 * panel's rv_route_order_info and rv_route_order_ship share routes/orders.c.
 * scripts/arch-metrics.py --check fails on a handler outside src/routes/. */
static const rv_route_t rv_routes[] = {
    { "webhook",               RV_M_POST,             RV_KEY_IN_SQL,  1, rv_route_webhook },
    { "cron",                  RV_M_GET | RV_M_POST,  RV_KEY_CRON,    1, rv_route_cron },
    { "stock-changed",         RV_M_POST,             RV_KEY_CRON,    1, rv_route_stock_changed },
    { "admin/assets/*",        RV_M_GET,              RV_OPEN,        0, rv_route_asset },
    { "admin/status",          RV_M_GET,              RV_ADMIN,       1, rv_route_status },
    { "admin/settings",        RV_M_GET | RV_M_POST,  RV_ADMIN,       1, rv_route_settings },
    { "admin/test-connection", RV_M_POST,             RV_ADMIN,       1, rv_route_test_connection },
    { "admin/categories",      RV_M_GET,              RV_ADMIN,       1, rv_route_categories },
    { "admin/conditions",      RV_M_GET,              RV_ADMIN,       1, rv_route_conditions },
    { "admin/category-map",    RV_M_GET | RV_M_POST,  RV_ADMIN,       1, rv_route_category_map },
    { "admin/product/#",       RV_M_GET | RV_M_POST,  RV_ADMIN,       1, rv_route_product },
    { "admin/product/#/sync",  RV_M_POST,             RV_ADMIN,       1, rv_route_product_sync },
    { "admin/products",        RV_M_GET,              RV_ADMIN,       1, rv_route_products },
    { "admin/products/bulk",   RV_M_POST,             RV_ADMIN,       1, rv_route_products_bulk },
    { "admin/shipping-profiles", RV_M_GET,            RV_ADMIN,       1, rv_route_shipping_profiles },
    { "admin/listing-preview", RV_M_GET,              RV_ADMIN,       1, rv_route_listing_preview },
    { "admin/sync",            RV_M_GET | RV_M_POST,  RV_ADMIN,       1, rv_route_sync },
    { "admin/reconcile",       RV_M_GET | RV_M_POST,  RV_ADMIN,       1, rv_route_reconcile },
    { "admin/reconcile/fix",   RV_M_POST,             RV_ADMIN,       1, rv_route_reconcile_fix },
    { "admin/orders/import",   RV_M_POST,             RV_ADMIN,       1, rv_route_orders_import },
    { "admin/orders/#",        RV_M_GET,              RV_ADMIN,       1, rv_route_order_info },
    { "admin/orders/#/ship",   RV_M_POST,             RV_ADMIN,       1, rv_route_order_ship },
    { "admin/shipping-providers", RV_M_GET,           RV_ADMIN,       1, rv_route_shipping_providers },
    { "admin/webhooks",        RV_M_GET | RV_M_POST,  RV_ADMIN,       1, rv_route_webhooks_admin },
    { "admin/log",             RV_M_GET,              RV_ADMIN,       1, rv_route_log },
    { "admin/keys/regenerate", RV_M_POST,             RV_ADMIN,       1, rv_route_keys_regenerate },
};

/* Matches `path` (relative to the Location, no leading '/') against a
 * pattern; fills the numeric parameter or the tail. */
static int rv_route_match(const char *pat, const char *path, rv_req_t *q)
{
    while (*pat) {
        if (*pat == '*') {
            if (!*path)
                return 0;
            q->tail = path;
            return 1;
        }
        if (*pat == '#') {
            long long v = 0;
            int digits = 0;
            while (apr_isdigit(*path) && digits < 12) {
                v = v * 10 + (*path++ - '0');
                digits++;
            }
            if (!digits || apr_isdigit(*path))
                return 0;
            q->id = v;
            pat++;
            continue;
        }
        if (*pat++ != *path++)
            return 0;
    }
    return *path == '\0';
}

static const rv_route_t *rv_route_find(const char *path, rv_req_t *q)
{
    size_t i;
    for (i = 0; i < sizeof(rv_routes) / sizeof(*rv_routes); i++)
        if (rv_route_match(rv_routes[i].pattern, path, q))
            return &rv_routes[i];
    return NULL;
}

/* The secret a webhook or cron caller brings: ?key=, or for cron the
 * X-Reverb-Cron-Key header, which keeps it out of access logs. */
static const char *rv_given_key(rv_req_t *q, rv_guard_t guard)
{
    const char *h = guard == RV_KEY_CRON ? apr_table_get(q->r->headers_in, "X-Reverb-Cron-Key")
                                         : NULL;
    if (h && *h)
        return h;
    return q->r->args ? rv_query_get(q->r->pool, q->r->args, "key") : NULL;
}

static int rv_key_refused(rv_req_t *q)
{
    return rv_http_error(q->r, HTTP_FORBIDDEN, "forbidden", "The key is missing or wrong.");
}

/* Webhook and cron callers prove themselves with a secret key; checked
 * against the database's value (just loaded) before anything is done. */
static int rv_check_key(rv_req_t *q, rv_guard_t guard)
{
    const char *given = rv_given_key(q, guard);
    const char *want = rv_setting(q->settings, guard == RV_KEY_CRON ? "cron_key" : "webhook_key",
                                  NULL);
    if (!given || !want || !rv_consttime_eq(given, want))
        return rv_key_refused(q);
    return DECLINED;
}

/* What can be refused before a pooled database connection is taken: a
 * missing key, a key that differs from the one this process read a moment
 * ago, an admin request without a session cookie or user_token. */
static int rv_precheck(rv_req_t *q, rv_guard_t guard)
{
    const char *why = "", *given;
    switch (guard) {
    case RV_KEY_WEBHOOK:
    case RV_KEY_IN_SQL:
    case RV_KEY_CRON:
        given = rv_given_key(q, guard);
        if (!given || !*given
            || rv_keycache_check(q->r->server, guard == RV_KEY_CRON ? RV_KEY_CRON_SLOT
                                                               : RV_KEY_WEBHOOK_SLOT,
                                 given) == RV_KEYCACHE_WRONG)
            return rv_key_refused(q);
        q->key = given;
        return DECLINED;
    case RV_ADMIN:
        if (rv_admin_precheck(q->r, &why))
            return DECLINED;
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, RVLOGNO(0001) "admin refused: %s", why);
        return rv_http_error(q->r, HTTP_UNAUTHORIZED, "not_authenticated",
                             "Your OpenCart session has expired. Please log in again.");
    default:
        return DECLINED;
    }
}

static int rv_check_admin(rv_req_t *q)
{
    const char *why = "";
    switch (rv_admin_authenticate(q->r, q->db, &q->user_id, &q->can_modify, &why)) {
    case RV_AUTH_OK:
        return DECLINED;
    case RV_AUTH_FORBIDDEN:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, RVLOGNO(0002) "admin refused: %s", why);
        return rv_http_error(q->r, HTTP_FORBIDDEN, "forbidden", q->r->method_number == M_GET
            ? "Your user group has no permission to see the Reverb module. "
              "Ask an administrator (System > Users > User Groups, Access Permission)."
            : "Your user group has no permission to change Reverb settings. "
              "Ask an administrator (System > Users > User Groups, Modify Permission).");
    case RV_AUTH_DB:
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The shop database cannot be reached. Try again shortly.");
    default:
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, RVLOGNO(0003) "admin refused: %s", why);
        return rv_http_error(q->r, HTTP_UNAUTHORIZED, "not_authenticated",
                             "Your OpenCart session has expired. Please log in again.");
    }
}

static const char *rv_base_url(request_rec *r, const char *base)
{
    return ap_construct_url(r->pool, base, r);
}

static int rv_dispatch(rv_req_t *q, const rv_route_t *route)
{
    request_rec *r = q->r;
    int method = r->method_number == M_GET ? RV_M_GET
               : r->method_number == M_POST ? RV_M_POST : 0;
    int rc;

    if (!(route->methods & method)) {
        apr_table_setn(r->headers_out, "Allow",
                       route->methods == RV_M_GET ? "GET" :
                       route->methods == RV_M_POST ? "POST" : "GET, POST");
        return rv_http_error(r, HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                             "This address does not accept that method.");
    }
    if ((rc = rv_precheck(q, route->guard)) != DECLINED)
        return rc;
    if (route->needs_db) {
        q->db = rv_db_for_request(r);
        if (!q->db || (route->guard != RV_KEY_IN_SQL
                       && !(q->settings = rv_settings_load(q->db, r->pool, q->conf->store_id))))
            return rv_http_error(r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The shop database cannot be reached. Try again shortly.");
        if (q->settings)
            rv_keycache_store(q->r->server, rv_setting(q->settings, "webhook_key", NULL),
                              rv_setting(q->settings, "cron_key", NULL));
    }
    switch (route->guard) {
    case RV_ADMIN:       rc = rv_check_admin(q); break;
    case RV_KEY_WEBHOOK:
    case RV_KEY_CRON:    rc = rv_check_key(q, route->guard); break;
    case RV_KEY_IN_SQL:  rc = DECLINED; break;      /* the handler's statement checks it */
    default:             rc = DECLINED; break;
    }
    if (rc != DECLINED)
        return rc;
    return route->fn(q);
}

static int rv_handler(request_rec *r)
{
    rv_dir_conf_t *d;
    rv_req_t q;
    const rv_route_t *route;
    const char *base, *path;
    size_t blen;

    if (!r->handler || strcmp(r->handler, "reverb"))
        return DECLINED;
    d = ap_get_module_config(r->per_dir_config, &reverb_module);
    base = (d && d->base) ? d->base : NULL;
    if (!base) {
        /* SetHandler is core's directive, so this module has no config of
         * its own in the <Location>: core's names the section's path
         * (e.g. /admin/reverb for OpenCart 4, whose admin cookie has path
         * /admin/) */
        core_dir_config *cd = ap_get_core_module_config(r->per_dir_config);
        base = (cd && cd->d && cd->d[0] == '/' && !strncmp(r->uri, cd->d, strlen(cd->d)))
               ? cd->d : "/reverb";
    }
    blen = strlen(base);
    while (blen && base[blen - 1] == '/')
        blen--;
    memset(&q, 0, sizeof(q));
    q.r = r;
    q.conf = rv_conf_get(r->server);
    q.base_path = apr_pstrmemdup(r->pool, base, blen);
    q.base_url = rv_base_url(r, q.base_path);

    path = r->uri;
    if (strncmp(path, base, blen) || (path[blen] != '/' && path[blen] != '\0'))
        return rv_http_error(r, HTTP_NOT_FOUND, "not_found", "No such Reverb address.");
    path += blen;
    while (*path == '/')
        path++;
    route = rv_route_find(path, &q);
    if (!route)
        return rv_http_error(r, HTTP_NOT_FOUND, "not_found", "No such Reverb address.");
    if (!q.conf->engine)
        return rv_http_error(r, HTTP_SERVICE_UNAVAILABLE, "engine_off",
                             "mod_reverb is switched off on this server (ReverbEngine Off).");
    return rv_dispatch(&q, route);
}

/* ------------------------------------------------------------------ */
/* Hooks                                                               */

static int rv_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                          server_rec *s)
{
    (void)plog;
    (void)ptemp;
    rv_db_init_optional_fns();
    rv_db_on_connect(rv_migrate_ensure);
    if (!rv_db_available()) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     RVLOGNO(0004) "mod_dbd is not loaded; add LoadModule dbd_module");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* the first of the two configuration passes only checks syntax */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;
    /* once, in the parent, before any thread exists */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, RVLOGNO(0005) "mod_reverb %s (%s)",
                 RV_VERSION, curl_version());
    {
        server_rec *sv;
        for (sv = s; sv; sv = sv->next) {
            rv_conf_t *c = rv_conf_get(sv);
            if (c->engine && c->api_url && !ap_cstr_casecmpn(c->api_url, "http://", 7))
                ap_log_error(APLOG_MARK, APLOG_WARNING, 0, sv,
                             RVLOGNO(0006) "ReverbApiUrl %s is not https: the Reverb token would "
                             "travel unencrypted (use it for a local test server only)",
                             c->api_url);
        }
    }
    return rv_worker_post_config(pconf, s);
}

static void rv_keycache_child_init_hook(apr_pool_t *p, server_rec *s)
{
    (void)s;
    rv_keycache_child_init(p);
}

static void rv_register_hooks(apr_pool_t *p)
{
    (void)p;
    /* before mod_watchdog's own post_config (APR_HOOK_LAST) */
    ap_hook_post_config(rv_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(rv_worker_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(rv_keycache_child_init_hook, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(rv_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(reverb) = {
    STANDARD20_MODULE_STUFF,
    rv_create_dir_conf,
    rv_merge_dir_conf,
    rv_create_server_conf,
    rv_merge_server_conf,
    rv_cmds,
    rv_register_hooks,
    /* every virtual host gets its own merged config (without the flag, a
     * host with no Reverb directive shares the main server's struct, and
     * what the module caches in it, e.g. the detected OpenCart version,
     * although it may name another database) */
    AP_MODULE_FLAG_ALWAYS_MERGE
};
