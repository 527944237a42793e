/* GET/POST admin/webhooks: what Reverb has registered for this shop; a POST
 * registers the missing topics first (rv_webhook_register.c). */
#include "rv_route.h"
#include "routes/rv_hooks_ctx.h"

#include "http_protocol.h"

int rv_route_webhooks_admin(rv_req_t *q)
{
    json_object *in, *out;
    const char *code = NULL, *msg = NULL;
    rv_hooks_ctx_t h;
    int status;
    if (q->r->method_number == M_POST && rv_http_read_json_object(q->r, &in))
        return OK;
    h = rv_hooks_ctx_of(q);
    status = rv_webhooks_sync(&h, q->r->method_number == M_POST, &out, &code, &msg);
    if (status != HTTP_OK)
        return rv_http_error(q->r, status, code, msg);
    return rv_http_json(q->r, HTTP_OK, out);
}
