/* rv_order_log.h: the sync-log line of an order (direction pull, action
 * order), the one place such entries are built. */
#ifndef RV_ORDER_LOG_H
#define RV_ORDER_LOG_H

#include "rv_reverb.h"
#include "rv_order_parse.h"

/* One reverb_sync_log row about an order: number (else o's), o's SKU and
 * listing when o is given, the API result's details when res is given. */
void rv_order_log(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *number,
                  long long product_id, int ok, const char *msg, const rv_api_result_t *res);

#endif
