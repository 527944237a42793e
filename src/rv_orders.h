/* rv_orders.h: Reverb -> OpenCart orders, exactly once (contract §6). */
#ifndef RV_ORDERS_H
#define RV_ORDERS_H

#include "rv_reverb.h"

typedef struct { int imported, updated, skipped, failed; } rv_order_counts_t;

/* Reads the order from the API (the truth; webhook bodies are only hints)
 * and imports it or applies its status change. 0 done (including "nothing
 * to do"), 1 retry later, -1 failed for good; *why in plain words. */
int rv_order_sync(rv_ctx_t *c, apr_pool_t *p, const char *order_number, rv_order_counts_t *n,
                  const char **why, rv_api_result_t *last);

/* Polls my/orders/selling/all since order_last_sync (with pagination) and
 * syncs each order. */
int rv_orders_poll(rv_ctx_t *c, apr_pool_t *p, rv_order_counts_t *n);

#endif
