/* GET admin/assets/<name>: the admin UI's JS and CSS, embedded at build. */
#include "rv_route.h"

#include "http_protocol.h"
#include "apr_strings.h"

#include "gen/rv_assets.h"

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
