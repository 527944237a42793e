/* rv_order_status.h: what a Reverb order status means here - whether the
 * item is the buyer's (its stock taken), not yet (waiting for payment), or
 * given back (cancelled or refunded) - and which OpenCart order status it
 * becomes when the shop's order_status_map does not say. Pure decisions: no
 * database, no settings. */
#ifndef RV_ORDER_STATUS_H
#define RV_ORDER_STATUS_H

typedef enum { RV_ORDER_WAIT, RV_ORDER_PAID, RV_ORDER_CANCELLED, RV_ORDER_UNKNOWN } rv_order_class_t;

/* The statuses that give the item back, the one list: X(status) for each,
 * SEP between two. RV_ORDER_CANCELLED_SQL is the same list as an SQL
 * value list, for `reverb_status NOT IN ` RV_ORDER_CANCELLED_SQL. */
#define RV_ORDER_CANCELLED_LIST(X, SEP) X("cancelled") SEP X("canceled") SEP X("refunded")
#define RV_ORDER_SQL_QUOTE_(s) "'" s "'"
#define RV_ORDER_SQL_COMMA_ ", "
#define RV_ORDER_CANCELLED_SQL \
    "(" RV_ORDER_CANCELLED_LIST(RV_ORDER_SQL_QUOTE_, RV_ORDER_SQL_COMMA_) ")"

/* paid, shipped, picked_up, received, partially_paid -> PAID (the item is
 * the buyer's: partially_paid is a payment plan that already reserved it);
 * unpaid, payment_pending, pending_review, blocked -> WAIT (not imported
 * until paid); the cancelled list above -> CANCELLED; else (and NULL)
 * UNKNOWN. */
rv_order_class_t rv_order_classify(const char *status);

/* shipped, picked_up, received: the item left the seller (the order panel
 * hides its tracking form once every order of a checkout is there). */
int rv_order_is_shipped(const char *status);

/* A Reverb status in plain English words, for text written into OpenCart's
 * own tables (an order history comment): "paid" -> "paid, waiting to be
 * shipped", "picked_up" -> "picked up"; the admin's screens translate the
 * codes from the language file instead. An unknown status is returned as
 * it is (NULL -> "unknown"). */
const char *rv_order_status_words(const char *status);

/* OpenCart's install-default order_status_id for a Reverb status, when the
 * shop's order_status_map has none: shipped/picked_up -> 3 (Shipped),
 * received -> 5 (Complete), refunded -> 11 (Refunded), another cancelled
 * status -> 7 (Canceled), another paid status -> RV_OC_PAID_STATUS
 * (Processing); NULL for any other (the OpenCart order keeps its status). */
#define RV_OC_PAID_STATUS "2"
const char *rv_order_default_status(const char *reverb_status);

/* Whether an OpenCart status id is in OpenCart's install-default
 * "committed" set (config_processing_status + config_complete_status:
 * 1, 2, 3, 5, 12), where an order's stock is taken; for a shop whose
 * settings do not list them. 0 for NULL. */
int rv_oc_status_committed_default(const char *status_id);

#endif
