/* rv_admin_answer.c: answers shared by the admin routes that ask Reverb on
 * the admin's behalf: a failed call in plain words, and a cached lookup. */
#include "routes/rv_admin_answer.h"
#include "rv_lookup_cache.h"

#include "http_protocol.h"
#include "apr_strings.h"

/* Plain-words answer for a failed Reverb call made on the admin's behalf. */
int rv_admin_api_error(rv_req_t *q, const rv_api_result_t *res)
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

int rv_lookup_route(rv_req_t *q, const char *name, const char *path, rv_shape_fn shape,
                    const char *key)
{
    rv_api_result_t res;
    rv_lookup_status_t status;
    int rc;
    const char *bad;
    json_object *list = rv_lookup_cached(q->r, q->db, q->settings, name, path, shape, &res,
                                         &status, &bad), *out;
    if (status == RV_LOOKUP_NO_TOKEN)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token in the settings first.");
    if (status == RV_LOOKUP_API_FAILED) {
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
