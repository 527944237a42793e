/* rv_orders.c: Reverb -> OpenCart order import (stub, being written). */
#include "rv_route.h"
#include "rv_jobs.h"

int rv_route_orders_import(rv_req_t *q)
{
    return rv_http_error(q->r, HTTP_NOT_IMPLEMENTED, "not_implemented", "Not implemented yet.");
}

int rv_route_order_info(rv_req_t *q)
{
    return rv_http_error(q->r, HTTP_NOT_IMPLEMENTED, "not_implemented", "Not implemented yet.");
}

int rv_route_order_ship(rv_req_t *q)
{
    return rv_http_error(q->r, HTTP_NOT_IMPLEMENTED, "not_implemented", "Not implemented yet.");
}

rv_job_result_t rv_order_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_job_result_t r = { RV_JOB_FAIL, 0, "not implemented" };
    (void)c; (void)p; (void)job;
    return r;
}
