/* rv_lookup_cache.c: the lookup lists' rows of reverb_cache (see
 * rv_lookup_cache.h). */
#include "rv_lookup_cache.h"
#include "rv_reverb.h"
#include "rv_json.h"

#include "http_log.h"

APLOG_USE_MODULE(reverb);

json_object *rv_lookup_cached(request_rec *r, rv_db_t *db, rv_settings_t *st, const char *name,
                              const char *path, rv_shape_fn shape, rv_api_result_t *res,
                              rv_lookup_status_t *status, const char **bad)
{
    apr_pool_t *p = r->pool;
    const char *cached = rv_db_value(db, p,
        "SELECT value FROM {P}reverb_cache WHERE name = %s AND expires_at > NOW()",
        RV_ARGS(name));
    rv_ctx_t *c;
    json_object *o, *out;

    *status = RV_LOOKUP_OK;
    *bad = NULL;
    if (cached && (o = rv_json_parse(cached, strlen(cached), NULL))) {
        out = shape(o, bad);
        json_object_put(o);
        if (out)
            return out;
        *bad = NULL;
    }
    c = rv_ctx_create(p, r->server, db, st, NULL);
    if (!c->api) {
        *status = RV_LOOKUP_NO_TOKEN;
        return NULL;
    }
    if (rv_reverb_call(c, p, "GET", path, NULL, res) != RV_API_OK) {
        *status = RV_LOOKUP_API_FAILED;
        return NULL;
    }
    out = shape(res->json, bad);
    if (out)
        rv_db_exec(db, p, NULL,
            "REPLACE INTO {P}reverb_cache (name, value, expires_at)"
            " VALUES (%s, %s, NOW() + INTERVAL 24 HOUR)",
            RV_ARGS(name, rv_json_dump(p, res->json)));
    else
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, RVLOGNO(0007) "GET %s: %s", path, *bad);
    rv_api_result_clear(res);
    return out;
}
