/* rv_reconcile.h: is a Reverb listing what the shop's rules make it?
 * (the reconcile view). Pure decisions, no database.
 *
 *  - The shop's side is what the push would send: the update body built by
 *    rv_listing_build (for_create 0), so price (with the active special when
 *    the setting says so), stock (Reverb's one-of-a-kind rule) and the
 *    decoded title are exactly the push's, and a field whose sync toggle is
 *    off (absent from the body) is never reported.
 *  - Prices are compared as decimals ("1299.0" equals "1299.00").
 *  - A live listing is not for sale in the shop's eyes when the product is
 *    disabled in OpenCart, no longer synced (sync off, or outside the
 *    synced categories), or out of stock (stock sync on).
 *  - A state differs when what the shop recorded for the listing (the map
 *    row's listing_state) is not what Reverb says ('creating' and an
 *    unknown record never match a real state). */
#ifndef RV_RECONCILE_H
#define RV_RECONCILE_H

#include <apr_pools.h>
#include <json-c/json.h>

typedef struct {
    const char *title;       /* NULL: not compared */
    const char *price;       /* decimal string; NULL: not compared (or Reverb sent none) */
    long long inventory;
    int inventory_set;       /* 0: not compared (or Reverb sent none) */
} rv_rc_values_t;

typedef struct {
    const char *field;       /* "title" | "price" | "stock" */
    const char *shop;        /* the shop's value as text */
    const char *reverb;      /* Reverb's value as text ("" when it has none) */
} rv_rc_diff_t;

#define RV_RC_MAX_DIFFS 3

/* What an update body sends: title, price.amount, inventory. */
void rv_rc_expected(json_object *body, rv_rc_values_t *out);

/* What a listing on Reverb has (a /my/listings item): title, price.amount,
 * inventory; a value of the wrong type is absent. Strings borrowed. */
void rv_rc_actual(json_object *listing, rv_rc_values_t *out);

/* The differences, in the order title, price, stock; only fields the shop's
 * side sets are compared, and a value Reverb lacks counts as different.
 * Returns how many (0..RV_RC_MAX_DIFFS). Texts in the pool. */
int rv_rc_diff(apr_pool_t *p, const rv_rc_values_t *shop, const rv_rc_values_t *reverb,
               rv_rc_diff_t out[RV_RC_MAX_DIFFS]);

/* Why a listing in `state` should not be live, or NULL when it may be (or
 * is not live): "disabled" (OpenCart status off), "not_synced" (sync off or
 * outside the synced categories: the push would end it), "out_of_stock"
 * (stock 0 or less while stock is synced). */
typedef struct {
    int status;              /* oc_product.status */
    long long quantity;
    int synced;              /* the push considers the product (eligible) */
    int sync_stock;          /* the stock sync toggle */
} rv_rc_product_t;
const char *rv_rc_unsellable(const char *state, const rv_rc_product_t *prod);

/* 1 when the recorded state and Reverb's differ. */
int rv_rc_state_differs(const char *recorded, const char *actual);

#endif
