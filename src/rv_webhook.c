/* rv_webhook.c: Reverb webhook deliveries (stub, being written). */
#include "rv_route.h"

int rv_route_webhook(rv_req_t *q)
{
    json_object *body;
    if (rv_http_read_json_object(q->r, &body))
        return OK;
    return rv_http_error(q->r, HTTP_NOT_IMPLEMENTED, "not_implemented", "Not implemented yet.");
}

int rv_route_webhooks_admin(rv_req_t *q)
{
    return rv_http_error(q->r, HTTP_NOT_IMPLEMENTED, "not_implemented", "Not implemented yet.");
}
