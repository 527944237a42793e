/* rv_cron.c: one polling cycle per hit (stub, being written). */
#include "rv_route.h"

int rv_route_cron(rv_req_t *q)
{
    return rv_http_error(q->r, HTTP_NOT_IMPLEMENTED, "not_implemented", "Not implemented yet.");
}
