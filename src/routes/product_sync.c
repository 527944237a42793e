/* routes/product_sync.c: POST admin/product/{id}/sync: queue one product's
 * push now. */
#include "rv_route.h"
#include "rv_change.h"
#include "rv_queue.h"
#include "rv_map.h"
#include "rv_http.h"


int rv_route_product_sync(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *out;
    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (!rv_db_value(q->db, p, "SELECT product_id FROM {P}product WHERE product_id = %s",
                     RV_ARGS(rv_i64(p, q->id))))
        return rv_http_error(q->r, HTTP_NOT_FOUND, "not_found", "No such product.");
    /* a product never toggled gets its map row, so the push can report why it is skipped */
    rv_map_ensure(q->db, p, q->id);
    if (rv_change_enqueue_product(q->db, p, q->id, RV_PRIO_NOW))
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The product could not be queued (database error).");
    out = json_object_new_object();
    json_object_object_add(out, "queued", json_object_new_boolean(1));
    return rv_http_json(q->r, HTTP_ACCEPTED, out);
}
