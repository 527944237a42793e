/* product_options.c: the product tab's shipping profile, local pickup and
 * "accept offers" choices; see rv_listing_routes.h.
 * Called from the product panel route (routes/product.c). */
#include "rv_listing_routes.h"
#include "rv_json.h"
#include "rv_shipping.h"
#include "rv_map.h"

#include "apr_strings.h"

static void rv_add_or_null(json_object *o, const char *key, const char *v, int as_int)
{
    if (!v)
        json_object_object_add(o, key, NULL);
    else if (as_int)
        json_object_object_add(o, key, json_object_new_int(atoi(v)));
    else
        json_object_object_add(o, key, json_object_new_string(v));
}

void rv_product_options_json(rv_req_t *q, const char *pid, json_object *panel)
{
    rv_rows_t *rows;
    const char *offers = NULL, *profile = NULL, *local = NULL;
    if (rv_db_query(q->db, q->r->pool, &rows,
            "SELECT offers_enabled, shipping_profile_id, local_pickup"
            " FROM {P}reverb_product_map WHERE product_id = %s", RV_ARGS(pid)) == 0
        && rows->nrows == 1) {
        offers = rv_row_get(rows, 0, "offers_enabled");
        profile = rv_row_get(rows, 0, "shipping_profile_id");
        local = rv_row_get(rows, 0, "local_pickup");
    }
    rv_add_or_null(panel, "offers_enabled", offers, 1);
    rv_add_or_null(panel, "shipping_profile_id", profile, 0);
    rv_add_or_null(panel, "local_pickup", local, 1);
}

/* null, "" or absent-as-follow -> NULL; 0/1 (number, boolean or text) -> "0"/"1" */
static int rv_tristate(json_object *v, const char **out)
{
    long long n;
    if (!v || (json_object_is_type(v, json_type_string) && !*json_object_get_string(v))) {
        *out = NULL;
        return 0;
    }
    if (json_object_is_type(v, json_type_boolean)) {
        *out = json_object_get_boolean(v) ? "1" : "0";
        return 0;
    }
    if ((json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_string))
        && rv_json_as_int(v, &n) == 0 && (n == 0 || n == 1)) {
        *out = n ? "1" : "0";
        return 0;
    }
    return -1;
}

const char *rv_product_options_parse(apr_pool_t *p, json_object *in, rv_product_options_t *o)
{
    json_object *v;
    memset(o, 0, sizeof(*o));
    if (json_object_object_get_ex(in, "offers_enabled", &v)) {
        o->given_offers = 1;
        if (rv_tristate(v, &o->offers))
            return "Accept offers (offers_enabled) must be on, off or the shop's setting "
                   "(1, 0 or null).";
    }
    if (json_object_object_get_ex(in, "local_pickup", &v)) {
        o->given_local = 1;
        if (rv_tristate(v, &o->local))
            return "Local pickup (local_pickup) must be on, off or the shop's setting "
                   "(1, 0 or null).";
    }
    if (json_object_object_get_ex(in, "shipping_profile_id", &v)) {
        const char *s = !v ? "" : json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                      : json_object_is_type(v, json_type_int) ? json_object_to_json_string(v) : NULL;
        o->given_profile = 1;
        if (!s || (*s && !rv_shipping_profile_id_ok(s)))
            return "Shipping profile (shipping_profile_id) must be one of your Reverb shipping "
                   "profiles, or the shop's setting.";
        o->profile = *s ? apr_pstrdup(p, s) : NULL;
    }
    return NULL;
}

int rv_product_options_save(rv_req_t *q, const char *pid, const rv_product_options_t *o)
{
    const char *keys[3], *vals[3];
    int n = 0;
    if (o->given_offers) {
        keys[n] = "offers_enabled";
        vals[n++] = o->offers;
    }
    if (o->given_local) {
        keys[n] = "local_pickup";
        vals[n++] = o->local;
    }
    if (o->given_profile) {
        keys[n] = "shipping_profile_id";
        vals[n++] = o->profile;
    }
    if (!n)
        return 0;
    return rv_map_set_flags_many(q->db, q->r->pool, apr_pstrcat(q->r->pool, "[", pid, "]", NULL),
                                 keys, vals, n);
}
