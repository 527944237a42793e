/* rv_order_line.h: what an imported Reverb line writes into OpenCart's
 * oc_order_product besides its amounts. */
#ifndef RV_ORDER_LINE_H
#define RV_ORDER_LINE_H

#include "rv_db.h"

/* oc_order_product.model for a line that sells product_id: the product's
 * own OpenCart model, as OpenCart's checkout writes it (neither 3.0 nor
 * 4.0.2 has a SKU column in order_product; the SKU stays on the product).
 * For a line that matched no product ("0"), or a product without a model,
 * `fallback` (the Reverb SKU, fitted to the column) is returned. */
const char *rv_order_line_model(rv_db_t *db, apr_pool_t *p, const char *product_id,
                                const char *fallback);

#endif
