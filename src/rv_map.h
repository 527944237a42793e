/* rv_map.h: the one writer of reverb_product_map (one row per OpenCart
 * product the module knows: its sync flags, its Reverb listing, what was
 * last pushed and agreed on, its last error). Every INSERT, UPDATE and
 * DELETE on that table goes through here; reads stay with their queries.
 * One co-writer on purpose: the stock ledger (rv_stock_ledger.c) sets
 * synced_quantity in the same statement that records the order's stock
 * in reverb_order_map and moves oc_product.quantity, so the three move
 * together or not at all (split up, a crash between them would count a
 * sale twice or lose it).
 * Each returns rv_db_exec's 0 or -1 (database). */
#ifndef RV_MAP_H
#define RV_MAP_H

#include "rv_db.h"

/* A row for the product (defaults), if it has none yet. */
int rv_map_ensure(rv_db_t *db, apr_pool_t *p, long long product_id);
/* The sync flags of many products (ids_json: a JSON array of ids), a row
 * created where none is: keys are map columns, values NULL = SQL NULL. */
int rv_map_set_flags_many(rv_db_t *db, apr_pool_t *p, const char *ids_json,
                          const char *const *keys, const char *const *values, int n);

/* ---- the reconcile report's fixes ---- */
/* Pushed again from scratch: the last push's hash forgotten; state (NULL
 * or "": keep) is the listing state Reverb was found in. */
int rv_map_forget_push(rv_db_t *db, apr_pool_t *p, long long product_id, const char *state);
/* The product linked to Reverb's listing_id and synced, in the given
 * state and url (NULL: SQL NULL), a row created where none is; the last
 * push and error forgotten. */
int rv_map_link_listing(rv_db_t *db, apr_pool_t *p, long long product_id, const char *listing_id,
                        const char *state, const char *url);
/* The listing listing_id was ended (or found gone) on Reverb, whichever
 * product has it. */
int rv_map_set_ended_by_listing(rv_db_t *db, apr_pool_t *p, const char *listing_id);

/* ---- the push ---- */
/* A failed push: its message as the product's last error. */
int rv_map_set_error(rv_db_t *db, apr_pool_t *p, long long product_id, const char *msg);
/* What a successful create or update sent: everything the next change
 * detection and a later pull compare against; clears the last error. */
typedef struct {
    const char *listing_id;
    const char *state, *url;         /* Reverb's answer (NULL: keep) */
    const char *hash, *photos_hash;  /* photos_hash NULL: keep */
    const char *title, *description, *price;   /* as agreed (plain text) */
    long long quantity;
} rv_map_pushed_t;
int rv_map_set_pushed(rv_db_t *db, apr_pool_t *p, long long product_id, const rv_map_pushed_t *v);
/* The listing ended because the product is no longer sold here. */
int rv_map_set_ended(rv_db_t *db, apr_pool_t *p, long long product_id);
/* A sold-out one-of-a-kind item's listing ended (state: 'ended' or the
 * state Reverb has it in); hash: the update body as it is now. */
int rv_map_set_sold_out(rv_db_t *db, apr_pool_t *p, long long product_id, const char *state,
                        const char *hash);
/* A create is about to be sent (its outcome may stay unknown) / was held
 * back by our own limiter (back to the state before, NULL none). */
int rv_map_set_creating(rv_db_t *db, apr_pool_t *p, long long product_id);
int rv_map_undo_creating(rv_db_t *db, apr_pool_t *p, long long product_id, const char *before);
/* The listing vanished on Reverb: forget it (matched by SKU again). */
int rv_map_forget_listing(rv_db_t *db, apr_pool_t *p, long long product_id);
/* The update body's hash as pushed (after a pull made both sides equal). */
int rv_map_set_pushed_hash(rv_db_t *db, apr_pool_t *p, long long product_id, const char *hash);

/* ---- change detection ---- */
/* The inputs' digest of products found up to date: pairs_json is
 * [[id, "digest"], ...]; updated_at is left as it was. */
int rv_map_set_sources(rv_db_t *db, apr_pool_t *p, const char *pairs_json);

/* ---- the pull ---- */
/* The listing state Reverb reports. */
int rv_map_set_state(rv_db_t *db, apr_pool_t *p, long long product_id, const char *state);
/* The values both sides now agree on (NULL: keep). */
int rv_map_set_agreed(rv_db_t *db, apr_pool_t *p, long long product_id, const char *price,
                      const char *title, const char *description);
/* OpenCart's stock moved by oc_delta and the stock's merge base set to
 * base_now, in one statement, only while the base is still base_was;
 * *affected: 0 when another writer moved the base first. */
int rv_map_move_stock(rv_db_t *db, apr_pool_t *p, int *affected, long long product_id,
                      long long oc_delta, long long base_now, long long base_was);

#endif
