/* rv_order_rows.c: see rv_order_rows.h. */
#include "rv_order_rows.h"
#include "rv_settings.h"
#include "rv_language.h"
#include "rv_oc.h"
#include "rv_json.h"
#include "rv_text.h"
#include "rv_shoptime.h"

#include "apr_strings.h"
#include <stdlib.h>
#include <string.h>

/* The OpenCart order status for a Reverb status: order_status_map, else
 * OpenCart's defaults; NULL for a status we do not know (keep the
 * OpenCart order's status). */
const char *rv_order_rows_status_for(rv_ctx_t *c, apr_pool_t *p, const char *reverb_status)
{
    json_object *map = rv_setting_json(c->settings, "order_status_map"), *v;
    const char *out = NULL;
    if (map && json_object_object_get_ex(map, reverb_status, &v))
        out = apr_pstrdup(p, json_object_get_string(v));
    if (map)
        json_object_put(map);
    if (out && *out && strcmp(out, "0"))
        return out;
    return rv_order_default_status(reverb_status);
}

/* Is the status in OpenCart's "committed" set (config_processing_status
 * plus config_complete_status), where an order's stock is taken? */
int rv_order_rows_committed(rv_ctx_t *c, apr_pool_t *p, const char *status_id)
{
    static const char *const keys[] = { "config_processing_status", "config_complete_status" };
    apr_table_t *cf;
    int found_setting = 0, hit = 0;
    size_t k, i;
    if (!status_id)
        return 0;
    cf = rv_oc_configs(c->db, p, c->conf->store_id, keys, 2);
    for (k = 0; k < 2 && !hit; k++) {
        const char *v = apr_table_get(cf, keys[k]);
        json_object *arr = v ? rv_json_parse(v, strlen(v), NULL) : NULL;
        if (arr && json_object_is_type(arr, json_type_array)) {
            found_setting = 1;
            for (i = 0; i < json_object_array_length(arr); i++)
                if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), status_id))
                    hit = 1;
        }
        if (arr)
            json_object_put(arr);
    }
    if (!found_setting)     /* OpenCart's install defaults */
        return rv_oc_status_committed_default(status_id);
    return hit;
}

const char *rv_order_rows_status(rv_ctx_t *c, apr_pool_t *p, const char *order_id)
{
    return rv_db_value(c->db, p, "SELECT order_status_id FROM {P}order WHERE order_id = %s",
                       RV_ARGS(order_id));
}

typedef struct {
    const char *country, *country_id, *format, *zone, *zone_id;
} rv_address_t;

/* Country by ISO code; zone by code (case-insensitive), then by name;
 * otherwise zone_id 0 and the region as written. */
static void rv_address(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const rv_order_oc_t *s,
                       rv_address_t *a)
{
    rv_rows_t *rows;
    a->country = o->country_code;
    a->country_id = "0";
    a->format = "";
    a->zone = s->zone;
    a->zone_id = "0";
    if (!*o->country_code)
        return;
    if (rv_db_query(c->db, p, &rows, rv_oc_sql(c->db, p, RV_OC_COUNTRY),
                    RV_ARGS(o->country_code)) == 0 && rows->nrows) {
        a->country_id = rv_row_get(rows, 0, "country_id");
        a->country = rv_row_get(rows, 0, "name") ? rv_row_get(rows, 0, "name") : o->country_code;
        a->format = rv_row_get(rows, 0, "address_format") ? rv_row_get(rows, 0, "address_format") : "";
        if (*o->region && rv_db_query(c->db, p, &rows,
                "SELECT zone_id, name FROM {P}zone WHERE country_id = %s AND status = 1"
                " AND code <> '' AND UPPER(code) = UPPER(%s) ORDER BY zone_id LIMIT 1",
                RV_ARGS(a->country_id, o->region)) == 0 && !rows->nrows)
            rv_db_query(c->db, p, &rows,
                "SELECT zone_id, name FROM {P}zone WHERE country_id = %s AND status = 1"
                " AND UPPER(name) = UPPER(%s) ORDER BY zone_id LIMIT 1",
                RV_ARGS(a->country_id, rv_oc_escape(p, o->region)));
        if (*o->region && rows && rows->nrows && rv_row_get(rows, 0, "zone_id")) {
            a->zone_id = rv_row_get(rows, 0, "zone_id");
            a->zone = rv_row_get(rows, 0, "name");
        }
    }
}

/* Shops before OpenCart 3.0.5 have 3-byte utf8 tables: emoji must go. */
int rv_order_rows_utf8mb3(rv_ctx_t *c, apr_pool_t *p)
{
    const char *cs = rv_db_value(c->db, p,
        "SELECT CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
        " AND TABLE_NAME = %s AND COLUMN_NAME = 'firstname'",
        RV_ARGS(apr_pstrcat(p, c->db->prefix, "order", NULL)));
    return cs && strncmp(cs, "utf8mb4", 7) != 0;
}

static const char *rv_comment_for(apr_pool_t *p, const rv_order_t *o)
{
    return apr_psprintf(p, "Reverb order #%s (checkout %s) - https://reverb.com/my/selling/orders/%s",
                        o->order_number, rv_order_bundle(o), o->order_number);
}

/* LIKE pattern text: ids are [A-Za-z0-9_-], and '_' is a LIKE wildcard.
 * The escape character is '|' (ESCAPE '|'): a backslash would depend on
 * NO_BACKSLASH_ESCAPES. */
static const char *rv_like_escape(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) * 2 + 1), *q = out;
    for (; *s; s++) {
        if (*s == '_' || *s == '%' || *s == '|')
            *q++ = '|';
        *q++ = *s;
    }
    *q = '\0';
    return out;
}

/* The OpenCart order of this checkout: through the map, or (repair after a
 * crash) through the comment every order of ours carries. */
const char *rv_order_rows_find(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, int repair)
{
    const char *id = rv_db_value(c->db, p, "SELECT order_id FROM {P}reverb_order_map"
                                 " WHERE order_bundle_id = %s AND order_id > 0"
                                 " ORDER BY order_id LIMIT 1", RV_ARGS(rv_order_bundle(o)));
    if (id || !repair)
        return id;
    return rv_db_value(c->db, p, "SELECT order_id FROM {P}order WHERE user_agent = 'mod_reverb'"
                       " AND store_id = %s AND comment LIKE CONCAT('Reverb order #%% (checkout ', %s,"
                       " ') - %%') ESCAPE '|' ORDER BY order_id LIMIT 1",
                       RV_ARGS(apr_itoa(p, c->conf->store_id), rv_like_escape(p, rv_order_bundle(o))));
}

int rv_order_rows_history(rv_ctx_t *c, apr_pool_t *p, const char *order_id, const char *status_id,
                          const char *text)
{
    return rv_db_exec(c->db, p, NULL,
        "INSERT INTO {P}order_history (order_id, order_status_id, notify, comment, date_added)"
        " VALUES (%s, %s, 0, %s, %s)", RV_ARGS(order_id, status_id, rv_oc_escape(p, text),
                                            rv_shop_now(c->db, p, c->conf->store_id)));
}

/* The OpenCart order, in a status OpenCart counts as committed (as its own
 * checkout ends up), with every column that has no default set, so strict
 * sql_mode accepts it. Returns the new order_id or NULL (nothing written). */
const char *rv_order_rows_create(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o,
                                      const rv_order_oc_t *s, const char *currency_id,
                                      const char *currency_value, const char *status_id)
{
    static const char *const keys[] = { "config_language", "config_invoice_prefix",
        "config_customer_group_id", "config_name", "config_url", "config_timezone" };
    apr_table_t *cf = rv_oc_configs(c->db, p, c->conf->store_id, keys, 6);
    rv_address_t a;
    const char *lang_code = apr_table_get(cf, "config_language");
    const char *lang = rv_language_store(c->db, p, c->conf->store_id);
    const char *prefix = apr_table_get(cf, "config_invoice_prefix");
    const char *group = apr_table_get(cf, "config_customer_group_id");
    const char *name = apr_table_get(cf, "config_name");
    const char *url = rv_setting(c->settings, "store_url", "");
    const char *method = o->local_pickup ? "Local pickup (Reverb)" : "Shipping (Reverb)";
    /* OpenCart's dates: shop time */
    const char *now = rv_shop_now_in(p, apr_table_get(cf, "config_timezone"));

    if (!*url && !(url = apr_table_get(cf, "config_url")))
        url = "";
    rv_address(c, p, o, s, &a);
    {
        /* the statement is OpenCart-version specific (rv_oc.c); 4.0's takes
         * the last RV_OC_ORDER_INSERT_EXTRA arguments as well */
        const char *args[] = {
            prefix ? prefix : "", apr_itoa(p, c->conf->store_id), name ? name : "", url,
            group && *group ? group : "1",
            s->firstname, s->lastname, s->email, s->telephone,
            s->firstname, s->lastname, s->address_1, s->address_2, s->city, s->postcode,
            a.country, a.country_id, a.zone, a.zone_id, a.format,
            s->shipping_firstname, s->shipping_lastname, s->address_1, s->address_2,
            s->city, s->postcode, a.country, a.country_id, a.zone, a.zone_id, a.format,
            method, rv_oc_escape(p, rv_comment_for(p, o)), status_id, lang ? lang : "1",
            currency_id, o->currency, currency_value, now, now,
            o->order_number, lang_code ? lang_code : "en-gb" };
        int v = rv_oc_version(c->db, p), n = (int)(sizeof(args) / sizeof(*args));
        if (v < 0 || rv_db_exec(c->db, p, NULL, rv_oc_sql_for(v, RV_OC_ORDER_INSERT), args,
                                v == 4 ? n : n - RV_OC_ORDER_INSERT_EXTRA))
            return NULL;
    }
    return rv_db_last_id(c->db, p);
}

/* The product this Reverb line sells: by listing id, then by SKU; "0". */
const char *rv_order_rows_match_product(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o)
{
    const char *id = NULL;
    if (*o->listing_id)
        id = rv_db_value(c->db, p, "SELECT m.product_id FROM {P}reverb_product_map m"
                         " JOIN {P}product pr ON pr.product_id = m.product_id"
                         " WHERE m.reverb_listing_id = %s ORDER BY m.product_id LIMIT 1",
                         RV_ARGS(o->listing_id));
    if (!id && *o->sku)
        id = rv_db_value(c->db, p, "SELECT product_id FROM {P}product WHERE sku = %s AND sku <> ''"
                         " ORDER BY status DESC, product_id LIMIT 1",
                         RV_ARGS(rv_oc_escape(p, o->sku)));
    return id ? id : "0";
}

/* The OpenCart order's totals are the sums of its Reverb orders (each kept
 * in the map in the shop's default currency). */
int rv_order_rows_totals(rv_ctx_t *c, apr_pool_t *p, const char *order_id, const rv_order_t *o)
{
    rv_rows_t *rows;
    const char *sub, *ship, *tax, *total;
    int rv;
    if (rv_db_query(c->db, p, &rows,
            "SELECT SUM(amount_subtotal) AS sub, SUM(amount_shipping) AS ship,"
            " SUM(amount_tax) AS tax, SUM(amount_total) AS total FROM {P}reverb_order_map"
            " WHERE order_id = %s", RV_ARGS(order_id)) || !rows->nrows)
        return -1;
    sub = rv_row_get(rows, 0, "sub") ? rv_row_get(rows, 0, "sub") : "0";
    ship = rv_row_get(rows, 0, "ship") ? rv_row_get(rows, 0, "ship") : "0";
    tax = rv_row_get(rows, 0, "tax") ? rv_row_get(rows, 0, "tax") : "0";
    total = rv_row_get(rows, 0, "total") ? rv_row_get(rows, 0, "total") : "0";
    if ((rv = rv_db_exec(c->db, p, NULL, "DELETE FROM {P}order_total WHERE order_id = %s",
                         RV_ARGS(order_id)))
        || (rv = rv_db_exec(c->db, p, NULL, rv_oc_sql(c->db, p, RV_OC_ORDER_TOTALS),
            RV_ARGS(order_id, sub, order_id,
                    o->local_pickup ? "Local pickup (Reverb)" : "Shipping (Reverb)", ship))))
        return rv;
    /* like OpenCart, a tax line only when there is tax */
    if (strtod(tax, NULL) != 0.0
        && (rv = rv_db_exec(c->db, p, NULL, rv_oc_sql(c->db, p, RV_OC_ORDER_TOTAL_TAX),
            RV_ARGS(order_id, strcmp(o->tax_responsible_party, "reverb") ? "Tax"
                                                                      : "Tax (collected by Reverb)",
                    tax))))
        return rv;
    if ((rv = rv_db_exec(c->db, p, NULL, rv_oc_sql(c->db, p, RV_OC_ORDER_TOTAL_SUM),
                         RV_ARGS(order_id, total))))
        return rv;
    return rv_db_exec(c->db, p, NULL,
        "UPDATE {P}order SET total = %s, date_modified = %s WHERE order_id = %s",
        RV_ARGS(total, rv_shop_now(c->db, p, c->conf->store_id), order_id));
}

int rv_order_rows_set_status(rv_ctx_t *c, apr_pool_t *p, const char *order_id,
                             const char *status_id)
{
    return rv_db_exec(c->db, p, NULL, "UPDATE {P}order SET order_status_id = %s,"
                      " date_modified = %s WHERE order_id = %s",
                      RV_ARGS(status_id, rv_shop_now(c->db, p, c->conf->store_id), order_id));
}

/* oc_order_product.model for a line that sells product_id: the product's
 * own OpenCart model, as OpenCart's checkout writes it (neither 3.0 nor
 * 4.0.2 has a SKU column in order_product; the SKU stays on the product).
 * For a line that matched no product ("0"), or a product without a model,
 * `fallback` (the Reverb SKU, fitted to the column). */
static const char *rv_order_line_model(rv_db_t *db, apr_pool_t *p, const char *product_id,
                                       const char *fallback)
{
    const char *model;
    if (!product_id || !strcmp(product_id, "0"))
        return fallback;
    model = rv_db_value(db, p, "SELECT model FROM {P}product WHERE product_id = %s",
                        RV_ARGS(product_id));
    return model && *model ? model : fallback;
}

int rv_order_rows_line(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const rv_order_oc_t *s,
                       const char *order_id, const char *product_id, const char *unit,
                       const char *sub, int created)
{
    /* lines have no order number, so count lines of this product and
     * quantity against the other Reverb orders of the OpenCart order that
     * explain them */
    if (!created && rv_db_value(c->db, p,
            "SELECT 1 FROM DUAL WHERE"
            " (SELECT COUNT(*) FROM {P}order_product WHERE order_id = %s AND product_id = %s"
            "   AND quantity = %s)"
            " > (SELECT COUNT(*) FROM {P}reverb_order_map WHERE order_id = %s"
            "   AND reverb_order_number <> %s AND product_id = %s AND quantity = %s)",
            RV_ARGS(order_id, product_id, rv_i64(p, o->quantity), order_id, o->order_number,
                    product_id, rv_i64(p, o->quantity))))
        return 0;
    return rv_db_exec(c->db, p, NULL, rv_oc_sql(c->db, p, RV_OC_ORDER_PRODUCT),
                      RV_ARGS(order_id, product_id, s->product_name,
                              rv_order_line_model(c->db, p, product_id, s->model),
                              rv_i64(p, o->quantity), unit, sub));
}
