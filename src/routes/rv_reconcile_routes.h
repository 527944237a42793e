/* rv_reconcile_routes.h: what the reconcile report and fix routes share. */
#ifndef RV_RECONCILE_ROUTES_H
#define RV_RECONCILE_ROUTES_H

#include "rv_route.h"
#include "http_protocol.h"

/* The transaction rolled back, answered 503. */
static inline int rv_rc_db_failed(rv_req_t *q)
{
    rv_db_rollback(q->db);
    return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                         "The shop database cannot be reached. Try again shortly.");
}

#endif
