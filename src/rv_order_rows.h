/* rv_order_rows.h: the OpenCart rows of an imported Reverb order - oc_order
 * (created in a committed status, its status moved later), oc_order_product,
 * oc_order_total, oc_order_history - and the OpenCart settings they follow
 * (order_status_map, the committed statuses). Every checkout
 * (order_bundle_id) is one OpenCart order; its comment names the checkout,
 * so a repair after a crash finds it again. Reads reverb_order_map (the
 * checkout's OpenCart order, its amounts) but writes only OpenCart's
 * tables. Callers hold the checkout lock (rv_order_import.c). */
#ifndef RV_ORDER_ROWS_H
#define RV_ORDER_ROWS_H

#include "rv_reverb.h"
#include "rv_order_parse.h"

/* The OpenCart order status for a Reverb status: order_status_map, else
 * OpenCart's defaults (rv_order_default_status); NULL for a status we do
 * not know (the OpenCart order keeps its status). */
const char *rv_order_rows_status_for(rv_ctx_t *c, apr_pool_t *p, const char *reverb_status);

/* 1 when status_id is in OpenCart's committed set (config_processing_status
 * plus config_complete_status, else the install defaults), where an
 * order's stock is taken; 0 otherwise and for NULL. */
int rv_order_rows_committed(rv_ctx_t *c, apr_pool_t *p, const char *status_id);

/* The OpenCart order's order_status_id; NULL when it was deleted. */
const char *rv_order_rows_status(rv_ctx_t *c, apr_pool_t *p, const char *order_id);

/* 1 for shops before OpenCart 3.0.5, whose 3-byte utf8 tables cannot hold
 * emoji. */
int rv_order_rows_utf8mb3(rv_ctx_t *c, apr_pool_t *p);

/* The OpenCart order of o's checkout: through reverb_order_map, or with
 * repair through the comment every order of ours carries; NULL for none. */
const char *rv_order_rows_find(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, int repair);

/* A new oc_order for o in status_id, every column without a default set
 * (strict sql_mode). Its order_id, or NULL (nothing written). */
const char *rv_order_rows_create(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o,
                                 const rv_order_oc_t *s, const char *currency_id,
                                 const char *currency_value, const char *status_id);

/* One oc_order_history row (not notified), dated in shop time. 0 or error. */
int rv_order_rows_history(rv_ctx_t *c, apr_pool_t *p, const char *order_id,
                          const char *status_id, const char *text);

/* Moves the OpenCart order to status_id (and date_modified). 0 or error. */
int rv_order_rows_set_status(rv_ctx_t *c, apr_pool_t *p, const char *order_id,
                             const char *status_id);

/* The OpenCart product o's line sells: by listing id, then by SKU; "0". */
const char *rv_order_rows_match_product(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o);

/* o's oc_order_product line (unit price and line total in the default
 * currency; model: the product's own OpenCart model, else the Reverb
 * SKU), unless a dead predecessor of the import already wrote it
 * (`created`: the OpenCart order is new, so it cannot have). 0 or error. */
int rv_order_rows_line(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const rv_order_oc_t *s,
                       const char *order_id, const char *product_id, const char *unit,
                       const char *sub, int created);

/* Rewrites the order's oc_order_total rows and total as the sums of its
 * Reverb orders (kept in reverb_order_map in the default currency). 0 or
 * error. */
int rv_order_rows_totals(rv_ctx_t *c, apr_pool_t *p, const char *order_id, const rv_order_t *o);

#endif
