/* rv_order_log.c: see rv_order_log.h. */
#include "rv_order_log.h"

#include <string.h>

void rv_order_log(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *number,
                         long long product_id, int ok, const char *msg,
                         const rv_api_result_t *res)
{
    rv_log_entry_t le;
    memset(&le, 0, sizeof(le));
    le.direction = "pull";
    le.action = "order";
    le.product_id = product_id;
    le.order_number = number ? number : (o ? o->order_number : NULL);
    le.sku = o ? o->sku : NULL;
    le.listing_id = o ? o->listing_id : NULL;
    if (res)
        rv_log_from_result(&le, res);
    le.ok = ok;
    le.message = msg;
    rv_log_write(c->db, p, &le);
}
