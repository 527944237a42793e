/* rv_order_log.c: see rv_order_log.h. */
#include "rv_order_log.h"

#include <string.h>

void rv_order_log(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *number,
                         long long product_id, int ok, const char *msg,
                         const rv_api_result_t *res)
{
    rv_log_about_t about;
    about.product_id = product_id;
    about.order_number = number ? number : (o ? o->order_number : NULL);
    about.sku = o ? o->sku : NULL;
    about.listing_id = o ? o->listing_id : NULL;
    rv_log_note_about(c->db, p, &about, "pull", "order", ok, msg, res);
}
