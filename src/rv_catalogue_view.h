/* rv_catalogue_view.h: read-only views of the catalogue as the push sees
 * it (rv_catalogue_view.c): the reconcile view, the listing preview. */
#ifndef RV_CATALOGUE_VIEW_H
#define RV_CATALOGUE_VIEW_H

#include "rv_reverb.h"
#include "rv_fieldmap.h"

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
} rv_catalogue_view_t;
typedef void (*rv_catalogue_view_fn)(rv_ctx_t *c, apr_pool_t *p, const rv_catalogue_view_t *v, void *baton);
int rv_catalogue_view_each(rv_ctx_t *c, apr_pool_t *p, rv_catalogue_view_fn fn,
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
} rv_catalogue_preview_t;
/* 0 (found or not) or -1 (database). */
int rv_catalogue_preview(rv_ctx_t *c, apr_pool_t *p, long long product_id, rv_catalogue_preview_t *out);

#endif
