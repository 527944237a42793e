/* rv_catalogue.h: the catalogue as the engine sees it: an OpenCart product
 * with its description, special, images, categories and mapped attributes,
 * joined with its reverb_product_map row, loaded set-wise into the core's
 * rv_product_t (rv_product.h) together with the settings it is mapped with.
 * Read-only: nothing here writes a table. Used by the push job (rv_push.c),
 * change detection (rv_change.c), the full sync (rv_full_sync.c) and the
 * read-only views (rv_catalogue_view.c). */
#ifndef RV_CATALOGUE_H
#define RV_CATALOGUE_H

#include "rv_reverb.h"
#include "rv_product.h"
#include "rv_attrs.h"

#include "apr_hash.h"

/* One product as the engine sees it: the core's input plus map-row state. */
typedef struct {
    rv_product_t prod;
    int has_product, sync_enabled, in_category;
    const char *listing_id, *listing_state, *pushed_hash, *photos_hash;
    const char *source_fp, *source_hash; /* inputs now / when last found unchanged */
    const char *hash_memo, *photos_memo; /* the listing's and photos' hash, when computed
                                          * ahead (rv_catalogue_each_part); NULL: not yet */
    apr_array_header_t *images;      /* const char * */
    apr_array_header_t *categories;  /* const char * category ids */
} rv_item_t;

typedef struct {
    rv_push_opts_t opts;
    json_object *allowed;            /* array of category ids */
    json_object *category_map;       /* id -> uuid */
    const char *language_id, *customer_group_id;
    const rv_attrs_t *attrs;         /* the field mapping (rv_attrs.c) */
    const char *fingerprint;         /* of everything above, and the mapping's version */
    long long stock_buffer;
    const char *zone;                /* OpenCart's config_timezone (specials' dates) */
} rv_push_env_t;

/* How long a context reuses the environment it built (a worker round runs
 * for at most 10 s with the settings it read at its start). */
#define RV_ENV_REUSE_S 5

/* Whole-catalogue passes read this many products at a time, each batch in
 * a pool of its own: a 100,000-product shop never sits in memory at once. */
#define RV_LOAD_BATCH 1000

/* The settings every listing is mapped with: built once and reused by its
 * context for RV_ENV_REUSE_S (in the context's pool; `p` only when the
 * context has none). */
rv_push_env_t *rv_catalogue_env(rv_ctx_t *c, apr_pool_t *p);

/* A part of the catalogue: ids in (after, upto] (upto 0: no bound), and
 * when ids_json is set only those ids (a JSON array); in_txn: the batches
 * are read in the caller's transaction (rv_catalogue_each_part opens none). */
typedef struct {
    long long upto;
    const char *ids_json;
    int in_txn;
} rv_load_part_t;

/* product_id 0: the next batch of mapped products after `after` (by id),
 * within `part` (NULL: the whole map), else that one product;
 * `changed_only`: only products whose inputs moved since they were last
 * found unchanged. Returns a hash of id -> rv_item_t (NULL: database
 * error); *count is the number of products read and *last the highest id. */
apr_hash_t *rv_catalogue_load_part(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                                   long long product_id, long long after, int changed_only,
                                   const rv_load_part_t *part, int *count, long long *last);
apr_hash_t *rv_catalogue_load_batch(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                                    long long product_id, long long after, int changed_only,
                                    int *count, long long *last);
/* One mapped product, not resolved (NULL: not mapped, or a database error). */
rv_item_t *rv_catalogue_load_one(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                                 long long product_id);
int rv_catalogue_load_any(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                          long long product_id, rv_item_t **out);

typedef void (*rv_item_fn)(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, rv_item_t *it,
                           void *baton);
typedef void (*rv_batch_end_fn)(rv_ctx_t *c, apr_pool_t *p, void *baton);
/* Calls fn for every mapped product (resolved), a batch at a time, each
 * batch in one transaction (fn's writes commit together, not one by one;
 * none with part->in_txn); changed_only: see rv_catalogue_load_part. 0 or
 * -1 (database). */
int rv_catalogue_each_part(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, int changed_only,
                           const rv_load_part_t *part, long long after,
                           rv_item_fn fn, rv_batch_end_fn batch_end, void *baton);
int rv_catalogue_each(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, int changed_only,
                      rv_item_fn fn, rv_batch_end_fn batch_end, void *baton);

/* Eligibility, the category to list under, and the image array. */
void rv_item_resolve(rv_item_t *it, const rv_push_env_t *e);
/* in the shop, sync on, in an allowed category, enabled */
int rv_item_eligible(const rv_item_t *it);
/* has a listing id whose listing is not ended */
int rv_item_listed(const rv_item_t *it);
/* the condition the listing is sent with: the product's, else the default */
const char *rv_item_condition(const rv_item_t *it, const rv_push_env_t *e);
/* a one-of-a-kind item with no stock left (and its stock synced) */
int rv_item_sold_out_one_off(const rv_item_t *it, const rv_push_env_t *e);
/* live, or a state not known yet: it may be for sale */
int rv_state_for_sale(const char *state);
/* listed, maybe for sale, and a sold-out one-of-a-kind item: to be ended */
int rv_item_end_sold_out(const rv_item_t *it, const rv_push_env_t *e);
/* The hash of the update body stored after a push; NULL when the product
 * cannot be mapped. */
const char *rv_item_hash(apr_pool_t *p, const rv_item_t *it, const rv_push_env_t *e);
/* The SHA-256 of the product's photo list (rv_photos_hash), computed ahead when it was. */
const char *rv_item_photos_hash(apr_pool_t *p, const rv_item_t *it, const rv_push_env_t *e);

#endif
