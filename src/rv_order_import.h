/* rv_order_import.h: the import state machine's entry for an order already
 * read from the API (the order poll applies the orders of Reverb's list
 * through it, without a second request per order). rv_order_sync,
 * rv_orders_requeue and rv_order_job (rv_orders.h, rv_jobs.h) are its other
 * entries. */
#ifndef RV_ORDER_IMPORT_H
#define RV_ORDER_IMPORT_H

#include "rv_orders.h"
#include "rv_order_parse.h"

/* Imports o, or applies its status change, under its checkout's lock.
 * Same return as rv_order_sync; counted in *n, *why in plain words. */
int rv_order_apply(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, rv_order_counts_t *n,
                   const char **why);

#endif
