/* rv_orders.h: the orders service - Reverb orders become OpenCart orders,
 * exactly once. What the rest of the module calls: one order by number
 * (rv_order_sync) and the requeue of kept orders, in rv_order_import.c; the
 * poll of Reverb's order list, in rv_order_poll.c. The order job
 * (rv_order_job, rv_jobs.h) is in rv_order_import.c too. */
#ifndef RV_ORDERS_H
#define RV_ORDERS_H

#include "rv_reverb.h"

typedef struct { int imported, updated, skipped, failed; } rv_order_counts_t;

/* Reads the order from the API (the truth; webhook bodies are only hints)
 * and imports it or applies its status change. 0 done (including "nothing
 * to do"), 1 retry later, -1 failed for good (an order that cannot be
 * imported yet, e.g. in an unknown currency, is kept and retried by the
 * next cron cycle or manual import); *why in plain words. */
int rv_order_sync(rv_ctx_t *c, apr_pool_t *p, const char *order_number, rv_order_counts_t *n,
                  const char **why, rv_api_result_t *last);

/* Polls my/orders/selling/all since order_last_sync (updated_start_date,
 * pagination) and applies each order straight from the list (the list is
 * API truth too, so no second request per order). Orders that must be
 * retried are queued as "order" jobs. The watermark saved afterwards is the
 * newest updated_at seen minus a small overlap; the very first poll looks
 * back RV_ORDERS_FIRST_WINDOW_S only, so installing the module does not
 * import the shop's whole Reverb history. 0; -1 when Reverb could not be
 * read; 1 when the shared rate limit held the poll back (nothing was sent).
 * The watermark stays unless 0. */
#define RV_ORDERS_FIRST_WINDOW_S (24 * 3600)
#define RV_ORDERS_OVERLAP_S 120
int rv_orders_poll(rv_ctx_t *c, apr_pool_t *p, rv_order_counts_t *n);

/* Queues order jobs for imports a dead process left half done (claims past
 * their lease) and for orders kept for retry ('waiting': e.g. an unknown
 * currency). Without force, a waiting order is retried every 5 minutes for
 * 30 days; with force (the admin's "Import now"), at once. Returns how many
 * were queued, -1 on a database error. */
int rv_orders_requeue(rv_ctx_t *c, apr_pool_t *p, int force);

#endif
