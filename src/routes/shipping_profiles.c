/* GET /reverb/admin/shipping-profiles: the seller's Reverb shipping
 * profiles for the settings' and the product tab's picker.
 *
 *   -> {"profiles": [{"id": "15655", "name": "Standard"}], "currency": "AUD"}
 *
 * Read live from GET /shop (shipping_profiles[{id,name}])
 * through rv_shape_shipping_profiles, so a profile added on Reverb shows at
 * once. "profiles" is empty when the account has none: the admin then asks
 * for the per-region rates, in "currency" (the shop's). Without a token:
 * 400 no_token and nothing is asked of Reverb. */
#include "rv_listing_routes.h"
#include "rv_reverb.h"
#include "rv_shape.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

static int rv_profiles_error(rv_req_t *q, const rv_api_result_t *res)
{
    const char *why = res->message ? res->message : "no answer";
    switch (res->kind) {
    case RV_API_UNAUTHORIZED:
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_unauthorized",
            "Reverb did not accept the token, so your shipping profiles cannot be shown. "
            "Check the token in the settings.");
    case RV_API_RATE_LIMITED:
        return rv_http_error(q->r, HTTP_TOO_MANY_REQUESTS, "rate_limited",
            "Reverb's request limit is reached for this minute. Try again shortly.");
    case RV_API_NETWORK:
    case RV_API_TIMEOUT:
    case RV_API_SERVER_ERROR:
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_unreachable",
            apr_pstrcat(q->r->pool, "Reverb could not be reached to read your shipping "
                        "profiles: ", why, NULL));
    default:
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_error",
            apr_pstrcat(q->r->pool, "Reverb refused to show your shipping profiles: ", why,
                        NULL));
    }
}

int rv_route_shipping_profiles(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    rv_ctx_t *c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    rv_api_result_t res;
    json_object *list, *out;
    const char *bad = NULL, *currency;
    int rc;

    if (!c->api)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token in the settings first; your shipping "
                             "profiles are read from your Reverb account.");
    c->inline_attempts = 1;             /* the admin is waiting */
    if (rv_reverb_call(c, p, "GET", "shop", NULL, &res) != RV_API_OK) {
        rc = rv_profiles_error(q, &res);
        rv_api_result_clear(&res);
        return rc;
    }
    list = rv_shape_shipping_profiles(res.json, &bad);
    rv_api_result_clear(&res);
    if (!list) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, q->r, RVLOGNO(0160) "GET shop: %s", bad);
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_bad_answer",
                             apr_pstrcat(p, bad, ". Try again later; if it persists, Reverb's "
                                         "API may have changed.", NULL));
    }
    currency = rv_oc_config(q->db, p, q->conf->store_id, "config_currency");
    out = json_object_new_object();
    json_object_object_add(out, "profiles", list);
    json_object_object_add(out, "currency", json_object_new_string(currency ? currency : ""));
    return rv_http_json(q->r, HTTP_OK, out);
}
