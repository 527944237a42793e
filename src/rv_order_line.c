/* rv_order_line.c: see rv_order_line.h. */
#include "rv_order_line.h"

#include <string.h>

const char *rv_order_line_model(rv_db_t *db, apr_pool_t *p, const char *product_id,
                                const char *fallback)
{
    const char *model;
    if (!product_id || !strcmp(product_id, "0"))
        return fallback;
    model = rv_db_value(db, p, "SELECT model FROM {P}product WHERE product_id = %s",
                        RV_ARGS(product_id));
    return model && *model ? model : fallback;
}
