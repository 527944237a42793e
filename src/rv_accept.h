/* rv_accept.h: a webhook delivery recorded and queued with the least work a
 * durable answer allows: the key is checked by the statement that records
 * the delivery (so no settings are read and a key changed in any process is
 * seen by the very next delivery), the job is upserted in the same
 * transaction, and the unknown-order cap is counted only when a new order
 * job was created. */
#ifndef RV_ACCEPT_H
#define RV_ACCEPT_H

#include "httpd.h"
#include "rv_db.h"

typedef enum {
    RV_ACCEPT_STORED = 0,   /* recorded and queued, committed */
    RV_ACCEPT_WRONG_KEY,    /* the database holds another key (or none): nothing written */
    RV_ACCEPT_NOT_TAKEN,    /* with `orders_only_if_on`: the key is wrong or order import
                             * is switched off; nothing written, the caller finds out which */
    RV_ACCEPT_AT_CAP,       /* a new order job while the minute's count is at the cap:
                             * rolled back, nothing written; the key was right */
    RV_ACCEPT_DB_ERROR      /* rolled back */
} rv_accept_t;

/* Records the delivery (topic label, ref) and upserts the (kind, ref) job
 * with `priority`, in one transaction, when `key` equals the stored
 * module_reverb_webhook_key of `store_id` byte for byte. `order_cap` > 0:
 * a delivery that creates a new job while more than `order_cap` jobs of
 * `kind` were created in the last minute (its own included) is rolled
 * back with RV_ACCEPT_AT_CAP, for the caller to decide as before.
 * `orders_only_if_on`: the same statement also requires the "Import Reverb
 * orders" setting not to be off (else RV_ACCEPT_NOT_TAKEN instead of
 * RV_ACCEPT_WRONG_KEY), so a shop that only lists stores no order jobs and
 * the usual delivery still reads no setting. */
rv_accept_t rv_accept_delivery(rv_db_t *db, apr_pool_t *p, int store_id, const char *key,
                               const char *label, const char *kind, const char *ref,
                               int priority, int order_cap, int orders_only_if_on);

/* Deliveries naming orders this shop has never seen: at most
 * RV_UNKNOWN_ORDERS_PER_MIN new order jobs a minute, so that a flood (a
 * leaked key, a replaying client) cannot grow the queue without bound or
 * spend Reverb's rate limit on order numbers that do not exist. A delivery
 * for an order already imported or already queued always passes (the
 * queue keeps the first delivery's job); one past the cap is answered but
 * not queued, and the cron poll still finds every real order. */
#define RV_UNKNOWN_ORDERS_PER_MIN 300

/* Only asked when rv_accept_delivery answered RV_ACCEPT_AT_CAP for an order:
 * whether the delivery is for an unknown order past the cap (not queued,
 * logged once a minute per process). */
int rv_accept_unknown_order_capped(request_rec *r, rv_db_t *db, const char *ref);

/* Housekeeping: deletes at most `batch` deliveries older than keep_days. */
int rv_accept_prune_batch(rv_db_t *db, apr_pool_t *p, int keep_days, int batch, int *deleted);

#endif
