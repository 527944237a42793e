/* rv_push.h: OpenCart -> Reverb, the interface the rest of the engine
 * uses. Implemented by rv_change.c (change detection, matching new
 * products, refreshing the pushed hash, queueing a push),
 * rv_catalogue_view.c (the reconcile view, the listing preview) and
 * rv_push.c / rv_full_sync.c (the push and prefetch jobs, in rv_jobs.h);
 * rv_pull_poll is rv_pull.c's. */
#ifndef RV_PUSH_H
#define RV_PUSH_H

#include "rv_reverb.h"
#include "rv_fieldmap.h"

/* Queues every eligible product whose mapped listing differs from what was
 * last pushed, and every listed product that is no longer eligible (to end
 * its listing). Unchanged products cost nothing. 0 or -1 (database). */
typedef struct {
    int checked;     /* mapped and compared (the rest were skipped unchanged) */
    int queued;      /* push jobs queued (to create, update or end) */
    int ended;       /* of which listings to end */
} rv_detect_counts_t;
int rv_push_detect_changes(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out);
/* The same in parts (rv_detect.c): begin, any number of parts (ids in
 * (after, upto], upto 0 = no bound; ids_json: only those ids, a JSON array
 * of at most 1,000), end (ok: match the new products found in all parts). */
typedef struct rv_detect_pass rv_detect_pass_t;
rv_detect_pass_t *rv_push_detect_begin(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out);
const char *rv_push_detect_fingerprint(const rv_detect_pass_t *pass);
/* the language, customer group and attribute ids ("3,7", "" none) it maps with */
void rv_push_detect_inputs(const rv_detect_pass_t *pass, const char **language_id,
                           const char **customer_group_id, const char **attr_ids);
int rv_push_detect_part(rv_detect_pass_t *pass, long long after, long long upto,
                        const char *ids_json);
void rv_push_detect_end(rv_detect_pass_t *pass, int ok);
/* Push jobs of new products (no listing id yet; a JSON array of product ids
 * as strings), queued held for RV_PUSH_MATCH_HOLD_S: matched with one
 * prefetch of the seller's listings when that costs fewer requests than one
 * SKU lookup each, else released to look up one by one. */
#define RV_PUSH_MATCH_HOLD_S 600
void rv_push_match_new(rv_db_t *db, server_rec *s, apr_pool_t *p, json_object *fresh);
/* After a pull made OpenCart equal to Reverb: remember that as pushed, so
 * the pulled values are not pushed back. */
int rv_push_refresh_hash(rv_ctx_t *c, apr_pool_t *p, long long product_id);
int rv_push_enqueue_product(rv_db_t *db, apr_pool_t *p, long long product_id, int priority);

/* For the reconcile view (rv_reconcile.c): every mapped product as the
 * push sees it, with the update body the push would send, a batch at a
 * time (each batch in one transaction; batch_end, when given, after each). */
typedef struct {
    long long product_id;
    const char *sku;              /* as sent to Reverb */
    const char *name;             /* as stored (entity-encoded) */
    const char *listing_id, *listing_state;   /* the map row's */
    long long quantity;
    int status, has_product, eligible, sync_stock;
    json_object *body;            /* borrowed; NULL when the product cannot be listed */
} rv_push_view_t;
typedef void (*rv_push_view_fn)(rv_ctx_t *c, apr_pool_t *p, const rv_push_view_t *v, void *baton);
int rv_push_view_each(rv_ctx_t *c, apr_pool_t *p, rv_push_view_fn fn,
                      void (*batch_end)(rv_ctx_t *c, apr_pool_t *p, void *baton), void *baton);
/* The listing body the push would send for one product now, mapped or
 * not (for GET admin/listing-preview; nothing is sent or written). */
typedef struct {
    int found;                   /* the product exists */
    int sync_enabled, in_category, oc_enabled;
    int create;                  /* no listing id yet: a create (unless its SKU matches) */
    const char *listing_id, *name, *sku;
    json_object *body;           /* the caller puts it; NULL: see error */
    const char *error;           /* why it cannot be listed, in plain words */
    const char *fields[RV_FM_N]; /* each mapped field's value from its source ("" none) */
} rv_push_preview_t;
/* 0 (found or not) or -1 (database). */
int rv_push_preview(rv_ctx_t *c, apr_pool_t *p, long long product_id, rv_push_preview_t *out);

/* rv_pull.c: both-ways mode, from cron: queue pulls for listings edited on Reverb. */
int rv_pull_poll(rv_ctx_t *c, apr_pool_t *p, int *queued);

#endif
