/* rv_reconcile.c: see rv_reconcile.h. */
#include "rv_reconcile.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_decimal.h"
#include "rv_text.h"

#include <string.h>
#include <apr_strings.h>

static const char *rv_rc_price_of(json_object *o)
{
    json_object *price = rv_json_object_at(o, "price");
    return price ? rv_json_str(price, "amount") : NULL;
}

void rv_rc_expected(json_object *body, rv_rc_values_t *out)
{
    memset(out, 0, sizeof(*out));
    if (!body || !json_object_is_type(body, json_type_object))
        return;
    out->title = rv_json_str(body, "title");
    out->price = rv_rc_price_of(body);
    out->inventory_set = rv_json_int(body, "inventory", &out->inventory) == 0;
}

void rv_rc_actual(json_object *listing, rv_rc_values_t *out)
{
    rv_rc_expected(listing, out);
}

static int rv_rc_same_price(const char *a, const char *b)
{
    rv_dec_t x, y;
    if (!a || !b)
        return 0;
    if (rv_dec_parse(a, &x) == 0 && rv_dec_parse(b, &y) == 0)
        return x == y;
    return strcmp(a, b) == 0;
}

int rv_rc_diff(apr_pool_t *p, const rv_rc_values_t *shop, const rv_rc_values_t *reverb,
               rv_rc_diff_t out[RV_RC_MAX_DIFFS])
{
    int n = 0;
    if (shop->title && (!reverb->title || strcmp(shop->title, reverb->title))) {
        out[n].field = "title";
        out[n].shop = apr_pstrdup(p, shop->title);
        out[n++].reverb = apr_pstrdup(p, reverb->title ? reverb->title : "");
    }
    if (shop->price && !rv_rc_same_price(shop->price, reverb->price)) {
        out[n].field = "price";
        out[n].shop = apr_pstrdup(p, shop->price);
        out[n++].reverb = apr_pstrdup(p, reverb->price ? reverb->price : "");
    }
    if (shop->inventory_set
        && (!reverb->inventory_set || shop->inventory != reverb->inventory)) {
        out[n].field = "stock";
        out[n].shop = rv_i64(p, shop->inventory);
        out[n++].reverb = reverb->inventory_set ? rv_i64(p, reverb->inventory) : "";
    }
    return n;
}

const char *rv_rc_unsellable(const char *state, const rv_rc_product_t *prod)
{
    if (!state || strcmp(state, "live"))
        return NULL;
    if (prod->status != 1)
        return "disabled";
    if (!prod->synced)
        return "not_synced";
    if (prod->sync_stock && prod->quantity <= 0)
        return "out_of_stock";
    return NULL;
}

int rv_rc_state_differs(const char *recorded, const char *actual)
{
    if (!actual || !*actual)
        return 0;                 /* Reverb told nothing: nothing to compare */
    if (!recorded || !*recorded || !strcmp(recorded, "creating"))
        return 1;
    return strcmp(recorded, actual) != 0;
}
