/* rv_catalogue_view.c: read-only views of the catalogue as the push sees
 * it: every mapped product with the body the push would send (for the
 * reconcile view) and one product's listing preview (for the admin). Nothing
 * is sent or written. */
#include "rv_catalogue_view.h"
#include "rv_catalogue.h"
#include "rv_text.h"

/* ---- the reconcile view reads the catalogue as the push does ---- */

typedef struct {
    rv_catalogue_view_fn fn;
    void (*batch_end)(rv_ctx_t *c, apr_pool_t *p, void *baton);
    void *baton;
} rv_view_baton_t;

static void rv_view_one(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, rv_item_t *it,
                        void *baton)
{
    rv_view_baton_t *b = baton;
    const char *err = NULL;
    rv_catalogue_view_t v = { it->prod.product_id, rv_product_sku(p, &it->prod), it->prod.name,
                         it->listing_id, it->listing_state, it->prod.quantity, it->prod.status,
                         it->has_product, rv_item_eligible(it), e->opts.sync_stock,
                         rv_listing_build(p, &it->prod, &e->opts, 0, &err) };
    b->fn(c, p, &v, b->baton);
    if (v.body)
        json_object_put(v.body);
}

static void rv_view_batch_end(rv_ctx_t *c, apr_pool_t *p, void *baton)
{
    rv_view_baton_t *b = baton;
    if (b->batch_end)
        b->batch_end(c, p, b->baton);
}

int rv_catalogue_view_each(rv_ctx_t *c, apr_pool_t *p, rv_catalogue_view_fn fn,
                      void (*batch_end)(rv_ctx_t *c, apr_pool_t *p, void *baton), void *baton)
{
    rv_view_baton_t b = { fn, batch_end, baton };
    return rv_catalogue_each(c, p, rv_catalogue_env(c, p), 0, rv_view_one, rv_view_batch_end, &b);
}

/* ---- the admin's preview ---- */

int rv_catalogue_preview(rv_ctx_t *c, apr_pool_t *p, long long product_id, rv_catalogue_preview_t *out)
{
    rv_push_env_t *e = rv_catalogue_env(c, p);
    rv_item_t *it;
    int f, rv;
    memset(out, 0, sizeof(*out));
    rv = rv_catalogue_load_any(c, p, e, product_id, &it);
    if (rv <= 0)
        return rv;
    out->found = 1;
    out->sync_enabled = it->sync_enabled;
    out->in_category = it->in_category;
    out->oc_enabled = it->prod.status == 1;
    out->listing_id = it->listing_id && *it->listing_id ? it->listing_id : NULL;
    out->create = out->listing_id == NULL;
    out->name = rv_text_oneline(p, rv_entity_decode(p, it->prod.name ? it->prod.name : ""));
    out->sku = rv_product_sku(p, &it->prod);
    out->body = rv_listing_build(p, &it->prod, &e->opts, out->create, &out->error);
    for (f = 0; f < RV_FM_N; f++)
        out->fields[f] = rv_product_field(p, &it->prod, &e->opts, (rv_fm_field_t)f);
    return 0;
}
