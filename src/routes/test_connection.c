/* POST admin/test-connection: asks Reverb for the account of the typed (or
 * saved) token and answers the shop name. */
#include "rv_route.h"
#include "rv_reverb.h"
#include "rv_shape.h"
#include "rv_json.h"
#include "routes/rv_admin_answer.h"

#include "http_protocol.h"
#include "apr_strings.h"

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
    rv_json_set_str(out, "shop_name", shop ? shop : "");
    rv_api_result_clear(&res);
    return rv_http_json(q->r, HTTP_OK, out);
}
