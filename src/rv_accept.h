/* rv_accept.h: a webhook delivery recorded with the least work a durable
 * answer allows, and queued as a job soon after.
 *
 * The route's one statement records the delivery, autocommitted, and
 * checks the key in the same statement (so no settings are read and a key
 * changed in any process is refused by the very next delivery): nothing is
 * cached that could let an old key in. What it names waits in
 * {P}reverb_webhook (queued = 0) until rv_accept_queue_waiting turns it
 * into a job: the worker does that before it claims a job, at least once a
 * second, and cron at the start of its cycle. A delivery recorded is never
 * lost: it stays waiting until a process queues it. */
#ifndef RV_ACCEPT_H
#define RV_ACCEPT_H

#include "httpd.h"
#include "rv_db.h"

typedef enum {
    RV_ACCEPT_STORED = 0,   /* recorded (durably: the statement autocommitted) */
    RV_ACCEPT_WRONG_KEY,    /* the database holds another key (or none): nothing written */
    RV_ACCEPT_NOT_TAKEN,    /* with `orders_only_if_on`: the key is wrong or order import
                             * is switched off; nothing written, the caller finds out which */
    RV_ACCEPT_DB_ERROR      /* nothing written */
} rv_accept_t;

/* Records the delivery (topic label, job kind "order" or "pull", ref) when
 * `key` equals the stored module_reverb_webhook_key of `store_id` byte for
 * byte, in one autocommitted statement. `orders_only_if_on`: the same
 * statement also requires the "Import Reverb orders" setting not to be off
 * (else RV_ACCEPT_NOT_TAKEN instead of RV_ACCEPT_WRONG_KEY), so a shop that
 * only lists stores no order deliveries and the usual delivery still reads
 * no setting. */
rv_accept_t rv_accept_delivery(rv_db_t *db, apr_pool_t *p, int store_id, const char *key,
                               const char *label, const char *kind, const char *ref,
                               int orders_only_if_on);

/* Deliveries naming orders this shop has never seen: at most
 * RV_UNKNOWN_ORDERS_PER_MIN new order jobs a minute, so that a flood (a
 * leaked key, a replaying client) cannot grow the queue without bound or
 * spend Reverb's rate limit on order numbers that do not exist. A delivery
 * for an order already imported or already queued always passes (the
 * queue keeps the first delivery's job); one past the cap is recorded but
 * not queued, and the cron poll still finds every real order. */
#define RV_UNKNOWN_ORDERS_PER_MIN 300
/* Deliveries queued per transaction. */
#define RV_ACCEPT_BATCH 50

/* Turns waiting deliveries into jobs (order: RV_PRIO_ORDER, pull:
 * RV_PRIO_PULL; one job per (kind, ref) as always), RV_ACCEPT_BATCH per
 * transaction, oldest first, skipping rows another process is queueing,
 * until none wait (at most `max_batches`). When none wait, one read and no
 * transaction. 0, or -1 on a database error (the batch is rolled back and
 * waits for the next look; a failed first read looks like none waiting). */
int rv_accept_queue_waiting(rv_db_t *db, apr_pool_t *p, server_rec *s, int max_batches);
/* Deliveries recorded but not queued yet; -1 on database error. */
long long rv_accept_waiting_count(rv_db_t *db, apr_pool_t *p);

/* Housekeeping: deletes at most `batch` deliveries older than keep_days. */
int rv_accept_prune_batch(rv_db_t *db, apr_pool_t *p, int keep_days, int batch, int *deleted);

#endif
