/* GET admin/shipping-providers: the carriers the order panel offers.
 *
 *   -> {"providers": ["Australia Post", "UPS", ...], "source": "reverb" | "builtin",
 *       "australia_first": bool}
 *
 * The names are Reverb's (GET shipping/providers, read by
 * rv_shape_shipping_providers), cached for a day in {P}reverb_cache
 * ("shipping_providers"): carriers rarely change, and opening an order must
 * not cost a Reverb request. When Reverb cannot be asked (no token) or does
 * not answer, an expired cached list is used, else the v3 spec's names
 * (source "builtin"). A shop in Australia (config_country_id, else
 * config_currency AUD) sees Australia Post first (core rv_carriers). */
#include "rv_route.h"
#include "rv_reverb.h"
#include "rv_settings.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_carriers.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

#define RV_PROVIDERS_CACHE "shipping_providers"

/* The cached list; fresh only when it has not expired. NULL when none. */
static json_object *rv_providers_cached(rv_req_t *q, int fresh)
{
    apr_pool_t *p = q->r->pool;
    const char *err = NULL, *v = rv_db_value(q->db, p, fresh
        ? "SELECT value FROM {P}reverb_cache WHERE name = %s AND expires_at > NOW()"
        : "SELECT value FROM {P}reverb_cache WHERE name = %s", RV_ARGS(RV_PROVIDERS_CACHE));
    json_object *o, *list;
    if (!v || !(o = rv_json_parse(v, strlen(v), NULL)))
        return NULL;
    list = rv_shape_shipping_providers(o, &err);
    json_object_put(o);
    if (list && rv_json_len(list) == 0) {
        json_object_put(list);
        return NULL;
    }
    return list;
}

/* Asks Reverb and caches a list of the right shape; NULL when it fails. */
static json_object *rv_providers_fetch(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    rv_ctx_t *c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    rv_api_result_t res;
    json_object *list;
    const char *err = NULL;
    if (!c->api)
        return NULL;                    /* no token: nothing is asked of Reverb */
    if (rv_reverb_call(c, p, "GET", "shipping/providers", NULL, &res) != RV_API_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, RVLOGNO(0241)
                      "GET shipping/providers failed (%s); the carrier list falls back to the "
                      "cached or built-in one", res.message ? res.message : "no answer");
        rv_api_result_clear(&res);
        return NULL;
    }
    list = rv_shape_shipping_providers(res.json, &err);
    if (list && rv_json_len(list) > 0) {
        json_object *keep = json_object_new_object();
        json_object_object_add(keep, "shipping_providers", json_object_get(list));
        rv_db_exec(q->db, p, NULL,
            "REPLACE INTO {P}reverb_cache (name, value, expires_at)"
            " VALUES (%s, %s, NOW() + INTERVAL 24 HOUR)",
            RV_ARGS(RV_PROVIDERS_CACHE, rv_json_dump(p, keep)));
        json_object_put(keep);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, RVLOGNO(0242)
                      "GET shipping/providers: %s", err ? err : "the list is empty");
        if (list)
            json_object_put(list);
        list = NULL;
    }
    rv_api_result_clear(&res);
    return list;
}

static int rv_shop_in_australia(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const char *country = rv_oc_config(q->db, p, q->conf->store_id, "config_country_id");
    const char *iso = country && *country
        ? rv_db_value(q->db, p, "SELECT iso_code_2 FROM {P}country WHERE country_id = %s",
                      RV_ARGS(country)) : NULL;
    return rv_shop_is_australian(iso, rv_oc_config(q->db, p, q->conf->store_id, "config_currency"));
}

int rv_route_shipping_providers(rv_req_t *q)
{
    json_object *list = rv_providers_cached(q, 1), *out;
    const char *source = "reverb";
    int au;
    if (!list)
        list = rv_providers_fetch(q);
    if (!list)
        list = rv_providers_cached(q, 0);
    if (!list) {
        list = rv_carriers_builtin();
        source = "builtin";
    }
    au = rv_shop_in_australia(q);
    out = json_object_new_object();
    json_object_object_add(out, "providers", rv_carriers_for_shop(list, au));
    json_object_object_add(out, "source", json_object_new_string(source));
    json_object_object_add(out, "australia_first", json_object_new_boolean(au));
    json_object_put(list);
    return rv_http_json(q->r, HTTP_OK, out);
}
