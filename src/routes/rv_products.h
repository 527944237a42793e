/* rv_products.h: the catalogue filter shared by GET admin/products and
 * POST admin/products/bulk.
 *
 * A filter is parsed and validated completely before any statement runs;
 * rv_pfilter_sql() then gives the FROM/WHERE text and its arguments, the
 * same for the grid and for a bulk change "by filter". */
#ifndef RV_PRODUCTS_H
#define RV_PRODUCTS_H

#include "rv_route.h"
#include "apr_tables.h"

/* At most this many products per bulk call (413 beyond). */
#define RV_BULK_MAX 10000

typedef struct {
    const char *category_id;        /* NULL: any; else digits (subcategories included) */
    const char *manufacturer_id;    /* digits; "0" = products without a manufacturer */
    const char *q;                  /* text over name, SKU and model */
    const char *state;              /* one of rv_pstates */
    const char *in_stock;           /* "1" in stock, "0" out of stock */
    const char *status;             /* OpenCart status "1" / "0" */
} rv_pfilter_t;

/* NULL-terminated: not_enabled, enabled, queued, draft, live, ended, sold, error. */
extern const char *const rv_pstates[];

/* Validates one filter key (val "" = no filter on it). NULL when accepted,
 * else a plain-words reason; an unknown key is refused too. */
const char *rv_pfilter_set(apr_pool_t *p, rv_pfilter_t *f, const char *key, const char *val);

/* The filter from a query string; NULL or a reason. */
const char *rv_pfilter_from_args(apr_pool_t *p, rv_pfilter_t *f, const char *args);
/* The filter from a JSON object (strings, integers or null; page and
 * per_page allowed and ignored: a bulk change covers every match). */
const char *rv_pfilter_from_json(apr_pool_t *p, rv_pfilter_t *f, json_object *o);

/* " FROM ... WHERE ..." over {P}product p, pd (description in the shop's
 * language), m (reverb_product_map, may be NULL) and j (the product's live
 * push job, may be NULL); its arguments are appended to args (const char *). */
const char *rv_pfilter_sql(apr_pool_t *p, const rv_pfilter_t *f, const char *language_id,
                           apr_array_header_t *args);

/* The SQL expression of a product's Reverb state over m and j (see products.c). */
extern const char *const rv_pstate_sql;

/* The shop's admin language id (config_language), "1" when unknown. */
const char *rv_products_language(rv_req_t *q);

#endif
