/* rv_orders.c: Reverb orders become real OpenCart orders, once each.
 *
 * Exactly once: every Reverb order number is claimed in reverb_order_map
 * (InnoDB, primary key) before any OpenCart row is written; the insert that
 * wins the key does the work. Orders of one checkout (order_bundle_id)
 * become one OpenCart order; a database-wide named lock per bundle keeps
 * two of its orders from creating two OpenCart orders. A claim left by a
 * process that died is taken over after RV_CLAIM_LEASE_S, and the taker
 * first looks for the OpenCart order the dead process may have written.
 *
 * Stock: OpenCart's tables are MyISAM, so the stock_taken flag in our row
 * is flipped first by a guarded UPDATE; only the statement that flipped it
 * moves oc_product.quantity (relative UPDATE, subtract = 1). Cancelled and
 * refunded orders flip it back and restock once. */
#include "rv_orders.h"
#include "rv_route.h"
#include "rv_jobs.h"
#include "rv_queue.h"
#include "rv_order.h"
#include "rv_json.h"
#include "rv_text.h"

#include "http_log.h"
#include "apr_strings.h"
#include <stdlib.h>

APLOG_USE_MODULE(reverb);

#define RV_CLAIM_LEASE_S 60
#define RV_DEFAULT_PAID_STATUS "2"        /* Processing */

/* ---- small helpers ---- */

static void rv_order_log(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *number,
                         long long product_id, int ok, const char *msg,
                         const rv_api_result_t *res)
{
    rv_log_entry_t le;
    memset(&le, 0, sizeof(le));
    le.direction = "pull";
    le.action = "order";
    le.product_id = product_id;
    le.order_number = number;
    le.sku = o ? o->sku : NULL;
    le.listing_id = o ? o->listing_id : NULL;
    if (res)
        rv_log_from_result(&le, res);
    le.ok = ok;
    le.message = msg;
    rv_log_write(c->db, p, &le);
}

/* order_status_map setting, with sensible defaults per Reverb status. */
static const char *rv_status_for(rv_ctx_t *c, apr_pool_t *p, const char *reverb_status)
{
    json_object *map = rv_setting_json(c->settings, "order_status_map"), *v;
    const char *out = NULL;
    if (map && json_object_object_get_ex(map, reverb_status, &v))
        out = apr_pstrdup(p, json_object_get_string(v));
    if (map)
        json_object_put(map);
    if (out && *out && strcmp(out, "0"))
        return out;
    if (!strcmp(reverb_status, "shipped") || !strcmp(reverb_status, "picked_up"))
        return "3";     /* Shipped */
    if (!strcmp(reverb_status, "received"))
        return "5";     /* Complete */
    if (!strcmp(reverb_status, "refunded"))
        return "11";    /* Refunded */
    if (rv_order_classify(reverb_status) == RV_ORDER_CANCELLED)
        return "7";     /* Canceled */
    return RV_DEFAULT_PAID_STATUS;
}

/* Amount in the shop's default currency; NULL when the currency is unknown. */
static const char *rv_to_default(rv_ctx_t *c, apr_pool_t *p, const char *amount,
                                 const char *currency_value)
{
    char out[32];
    if (!currency_value || rv_money_convert(amount, currency_value, "1", out))
        return NULL;
    return apr_pstrdup(p, out);
}

/* ---- the claim ---- */

typedef enum { RV_CLAIM_NEW, RV_CLAIM_TAKEOVER, RV_CLAIM_IMPORTED, RV_CLAIM_BUSY, RV_CLAIM_DB } rv_claim_t;

static rv_claim_t rv_claim(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o)
{
    int n = 0;
    const char *state;
    if (rv_db_exec(c->db, p, &n,
            "INSERT IGNORE INTO {P}reverb_order_map (reverb_order_number, order_bundle_id,"
            " reverb_status, quantity, import_state, claimed_at)"
            " VALUES (%s, %s, %s, %s, 'claimed', NOW(3))",
            RV_ARGS(o->order_number, o->bundle_id && *o->bundle_id ? o->bundle_id : o->order_number,
                    o->status, rv_i64(p, o->quantity))))
        return RV_CLAIM_DB;
    if (n == 1)
        return RV_CLAIM_NEW;
    state = rv_db_value(c->db, p, "SELECT import_state FROM {P}reverb_order_map"
                        " WHERE reverb_order_number = %s", RV_ARGS(o->order_number));
    if (state && !strcmp(state, "imported"))
        return RV_CLAIM_IMPORTED;
    if (rv_db_exec(c->db, p, &n,
            "UPDATE {P}reverb_order_map SET claimed_at = NOW(3) WHERE reverb_order_number = %s"
            " AND import_state = 'claimed' AND claimed_at < NOW(3) - INTERVAL "
            APR_STRINGIFY(RV_CLAIM_LEASE_S) " SECOND", RV_ARGS(o->order_number)))
        return RV_CLAIM_DB;
    return n == 1 ? RV_CLAIM_TAKEOVER : RV_CLAIM_BUSY;
}

static void rv_unclaim(rv_ctx_t *c, apr_pool_t *p, const char *number)
{
    rv_db_exec(c->db, p, NULL, "DELETE FROM {P}reverb_order_map WHERE reverb_order_number = %s"
               " AND import_state = 'claimed' AND order_id = 0", RV_ARGS(number));
}

/* ---- OpenCart rows ---- */

typedef struct {
    const char *country, *country_id, *format, *zone, *zone_id;
} rv_address_t;

static void rv_address(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const rv_order_oc_t *s,
                       rv_address_t *a)
{
    rv_rows_t *rows;
    a->country = o->country_code;
    a->country_id = "0";
    a->format = "";
    a->zone = s->zone;
    a->zone_id = "0";
    if (rv_db_query(c->db, p, &rows, "SELECT country_id, name, address_format FROM {P}country"
                    " WHERE iso_code_2 = %s LIMIT 1", RV_ARGS(o->country_code)) == 0
        && rows->nrows) {
        a->country_id = rv_row_get(rows, 0, "country_id");
        a->country = rv_row_get(rows, 0, "name");
        a->format = rv_row_get(rows, 0, "address_format") ? rv_row_get(rows, 0, "address_format") : "";
        if (rv_db_query(c->db, p, &rows,
                "SELECT zone_id, name FROM {P}zone WHERE country_id = %s AND status = 1"
                " AND (UPPER(code) = UPPER(%s) OR UPPER(name) = UPPER(%s))"
                " ORDER BY UPPER(code) = UPPER(%s) DESC LIMIT 1",
                RV_ARGS(a->country_id, o->region, o->region, o->region)) == 0 && rows->nrows) {
            a->zone_id = rv_row_get(rows, 0, "zone_id");
            a->zone = rv_row_get(rows, 0, "name");
        }
    }
}

static const char *rv_store_name(rv_ctx_t *c, apr_pool_t *p)
{
    const char *n = rv_oc_config(c->db, p, c->conf->store_id, "config_name");
    return n ? n : "";
}

/* Creates the OpenCart order (status already in a "processing" status, as
 * OpenCart's own checkout ends up), its first history row; returns order_id. */
static const char *rv_create_oc_order(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o,
                                      const rv_order_oc_t *s, const char *currency_id,
                                      const char *currency_value, const char *status_id)
{
    rv_address_t a;
    const char *bundle = o->bundle_id && *o->bundle_id ? o->bundle_id : o->order_number;
    const char *comment = apr_psprintf(p, "Reverb order #%s (checkout %s) - "
                                       "https://reverb.com/my/selling/orders/%s",
                                       o->order_number, bundle, o->order_number);
    const char *lang = rv_db_value(c->db, p, "SELECT language_id FROM {P}language WHERE code = %s",
        RV_ARGS(rv_oc_config(c->db, p, c->conf->store_id, "config_language")
                ? rv_oc_config(c->db, p, c->conf->store_id, "config_language") : "en-gb"));
    const char *prefix = rv_oc_config(c->db, p, c->conf->store_id, "config_invoice_prefix");
    const char *group = rv_oc_config(c->db, p, c->conf->store_id, "config_customer_group_id");
    const char *store_url = rv_setting(c->settings, "store_url", "");
    const char *id;

    rv_address(c, p, o, s, &a);
    if (rv_db_exec(c->db, p, NULL,
            "INSERT INTO {P}order SET invoice_no = 0, invoice_prefix = %s, store_id = %s,"
            " store_name = %s, store_url = %s, customer_id = 0, customer_group_id = %s,"
            " firstname = %s, lastname = %s, email = %s, telephone = %s, fax = '', custom_field = '[]',"
            " payment_firstname = %s, payment_lastname = %s, payment_company = '',"
            " payment_address_1 = %s, payment_address_2 = %s, payment_city = %s,"
            " payment_postcode = %s, payment_country = %s, payment_country_id = %s,"
            " payment_zone = %s, payment_zone_id = %s, payment_address_format = %s,"
            " payment_custom_field = '[]', payment_method = 'Reverb', payment_code = 'reverb',"
            " shipping_firstname = %s, shipping_lastname = %s, shipping_company = '',"
            " shipping_address_1 = %s, shipping_address_2 = %s, shipping_city = %s,"
            " shipping_postcode = %s, shipping_country = %s, shipping_country_id = %s,"
            " shipping_zone = %s, shipping_zone_id = %s, shipping_address_format = %s,"
            " shipping_custom_field = '[]', shipping_method = %s, shipping_code = 'reverb.reverb',"
            " comment = %s, total = 0, order_status_id = %s, affiliate_id = 0, commission = 0,"
            " marketing_id = 0, tracking = '', language_id = %s, currency_id = %s,"
            " currency_code = %s, currency_value = %s, ip = '', forwarded_ip = '',"
            " user_agent = 'mod_reverb', accept_language = '', date_added = NOW(), date_modified = NOW()",
            RV_ARGS(prefix ? prefix : "", apr_itoa(p, c->conf->store_id), rv_store_name(c, p),
                    store_url, group ? group : "1",
                    s->firstname, s->lastname, s->email, s->telephone,
                    s->firstname, s->lastname, s->address_1, s->address_2, s->city, s->postcode,
                    a.country, a.country_id, a.zone, a.zone_id, a.format,
                    s->shipping_firstname, s->shipping_lastname, s->address_1, s->address_2,
                    s->city, s->postcode, a.country, a.country_id, a.zone, a.zone_id, a.format,
                    o->local_pickup ? "Local pickup (Reverb)" : "Shipping (Reverb)",
                    rv_oc_escape(p, comment), status_id, lang ? lang : "1", currency_id,
                    o->currency, currency_value)))
        return NULL;
    id = rv_db_last_id(c->db, p);
    rv_db_exec(c->db, p, NULL,
        "INSERT INTO {P}order_history (order_id, order_status_id, notify, comment, date_added)"
        " VALUES (%s, %s, 0, %s, NOW())",
        RV_ARGS(id, status_id, rv_oc_escape(p, apr_psprintf(p, "Imported from Reverb order #%s (%s)",
                                                          o->order_number, o->status))));
    return id;
}

/* The product this Reverb line sells: by listing id, then by SKU; 0 if none. */
static const char *rv_match_product(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o)
{
    const char *id = NULL;
    if (o->listing_id && *o->listing_id)
        id = rv_db_value(c->db, p, "SELECT product_id FROM {P}reverb_product_map"
                         " WHERE reverb_listing_id = %s LIMIT 1", RV_ARGS(o->listing_id));
    if (!id && o->sku && *o->sku)
        id = rv_db_value(c->db, p, "SELECT product_id FROM {P}product WHERE sku = %s LIMIT 1",
                         RV_ARGS(rv_oc_escape(p, o->sku)));
    return id ? id : "0";
}

/* Totals of the OpenCart order are the sums of its Reverb orders. */
static int rv_write_totals(rv_ctx_t *c, apr_pool_t *p, const char *order_id)
{
    rv_rows_t *rows;
    const char *sub, *ship, *tax, *total;
    if (rv_db_query(c->db, p, &rows,
            "SELECT SUM(amount_subtotal) AS sub, SUM(amount_shipping) AS ship,"
            " SUM(amount_tax) AS tax, SUM(amount_total) AS total FROM {P}reverb_order_map"
            " WHERE order_id = %s", RV_ARGS(order_id)) || !rows->nrows)
        return -1;
    sub = rv_row_get(rows, 0, "sub");
    ship = rv_row_get(rows, 0, "ship");
    tax = rv_row_get(rows, 0, "tax");
    total = rv_row_get(rows, 0, "total");
    rv_db_exec(c->db, p, NULL, "DELETE FROM {P}order_total WHERE order_id = %s", RV_ARGS(order_id));
    rv_db_exec(c->db, p, NULL,
        "INSERT INTO {P}order_total (order_id, code, title, value, sort_order) VALUES"
        " (%s, 'sub_total', 'Sub-Total', %s, 1), (%s, 'shipping', 'Shipping (Reverb)', %s, 3)",
        RV_ARGS(order_id, sub ? sub : "0", order_id, ship ? ship : "0"));
    if (tax && strtod(tax, NULL) != 0.0)
        rv_db_exec(c->db, p, NULL,
            "INSERT INTO {P}order_total (order_id, code, title, value, sort_order)"
            " VALUES (%s, 'tax', 'Tax (collected by Reverb)', %s, 5)", RV_ARGS(order_id, tax));
    rv_db_exec(c->db, p, NULL,
        "INSERT INTO {P}order_total (order_id, code, title, value, sort_order)"
        " VALUES (%s, 'total', 'Total', %s, 9)", RV_ARGS(order_id, total ? total : "0"));
    return rv_db_exec(c->db, p, NULL,
        "UPDATE {P}order SET total = %s, date_modified = NOW() WHERE order_id = %s",
        RV_ARGS(total ? total : "0", order_id));
}

/* Moves stock once: the guarded flag flip decides who does it. */
static void rv_stock_move(rv_ctx_t *c, apr_pool_t *p, const char *number, const char *product_id,
                          long long qty, int take)
{
    int n = 0;
    if (!strcmp(product_id, "0"))
        return;
    if (rv_db_exec(c->db, p, &n,
            take ? "UPDATE {P}reverb_order_map SET stock_taken = 1 WHERE reverb_order_number = %s"
                   " AND stock_taken = 0"
                 : "UPDATE {P}reverb_order_map SET stock_taken = 0 WHERE reverb_order_number = %s"
                   " AND stock_taken = 1", RV_ARGS(number)) || n != 1)
        return;
    rv_db_exec(c->db, p, NULL,
        take ? "UPDATE {P}product SET quantity = quantity - %s WHERE product_id = %s AND subtract = 1"
             : "UPDATE {P}product SET quantity = quantity + %s WHERE product_id = %s AND subtract = 1",
        RV_ARGS(rv_i64(p, qty), product_id));
}

/* ---- import and status changes ---- */

static int rv_import(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, rv_claim_t claim,
                     const char **why)
{
    rv_order_oc_t s;
    rv_rows_t *rows;
    const char *bundle = o->bundle_id && *o->bundle_id ? o->bundle_id : o->order_number;
    const char *cur_id, *cur_value, *sub, *ship, *tax, *total, *unit, *order_id, *product_id;
    const char *status_id = rv_status_for(c, p, o->status);

    if (rv_db_query(c->db, p, &rows, "SELECT currency_id, value FROM {P}currency WHERE code = %s",
                    RV_ARGS(o->currency)) || !rows->nrows) {
        *why = apr_psprintf(p, "The order is in %s, which is not a currency of this shop. Add %s "
                            "under System > Localisation > Currencies; the import is retried.",
                            o->currency, o->currency);
        return 1;
    }
    cur_id = rv_row_get(rows, 0, "currency_id");
    cur_value = rv_row_get(rows, 0, "value");
    unit = rv_to_default(c, p, o->unit_price.amount, cur_value);
    sub = rv_to_default(c, p, o->subtotal.amount, cur_value);
    ship = rv_to_default(c, p, o->shipping.amount, cur_value);
    tax = rv_to_default(c, p, o->tax.amount, cur_value);
    total = rv_to_default(c, p, o->total.amount, cur_value);
    if (!unit || !sub || !ship || !tax || !total) {
        *why = "The order's amounts could not be converted to the shop's currency.";
        return 1;
    }
    rv_order_oc_strings(p, o, 0, &s);
    product_id = rv_match_product(c, p, o);

    /* an OpenCart order of this checkout, ours or left by a process that died */
    order_id = rv_db_value(c->db, p, "SELECT order_id FROM {P}reverb_order_map"
                           " WHERE order_bundle_id = %s AND order_id > 0 LIMIT 1", RV_ARGS(bundle));
    if (!order_id && claim == RV_CLAIM_TAKEOVER)
        order_id = rv_db_value(c->db, p, "SELECT order_id FROM {P}order WHERE comment LIKE"
                               " CONCAT('Reverb order #', %s, ' (%%') LIMIT 1",
                               RV_ARGS(o->order_number));
    if (!order_id && !(order_id = rv_create_oc_order(c, p, o, &s, cur_id, cur_value, status_id))) {
        *why = "The OpenCart order could not be written (database error).";
        return 1;
    }
    /* the line, unless a dead predecessor already wrote it */
    if (!rv_db_value(c->db, p, "SELECT order_product_id FROM {P}order_product WHERE order_id = %s"
                     " AND model = %s AND name = %s AND quantity = %s LIMIT 1",
                     RV_ARGS(order_id, s.model, s.product_name, rv_i64(p, o->quantity)))
        || claim != RV_CLAIM_TAKEOVER)
        rv_db_exec(c->db, p, NULL,
            "INSERT INTO {P}order_product (order_id, product_id, name, model, quantity, price, total,"
            " tax, reward) VALUES (%s, %s, %s, %s, %s, %s, %s, 0, 0)",
            RV_ARGS(order_id, product_id, s.product_name, s.model, rv_i64(p, o->quantity), unit, sub));
    rv_db_exec(c->db, p, NULL,
        "UPDATE {P}reverb_order_map SET order_id = %s, order_bundle_id = %s, reverb_status = %s,"
        " product_id = %s, line_product_id = %s, quantity = %s, amount_subtotal = %s,"
        " amount_shipping = %s, amount_tax = %s, amount_total = %s WHERE reverb_order_number = %s",
        RV_ARGS(order_id, bundle, o->status, product_id, product_id, rv_i64(p, o->quantity), sub,
                ship, tax, total, o->order_number));
    rv_write_totals(c, p, order_id);
    rv_stock_move(c, p, o->order_number, product_id, o->quantity, 1);
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET import_state = 'imported'"
               " WHERE reverb_order_number = %s", RV_ARGS(o->order_number));
    *why = apr_psprintf(p, "Imported as OpenCart order %s%s", order_id,
                        strcmp(product_id, "0") ? ""
                        : " (no product matched this item: check its SKU; stock not changed)");
    return 0;
}

/* A known order whose Reverb status changed: history, status, stock back. */
static int rv_status_change(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char **why)
{
    rv_rows_t *rows;
    const char *old, *order_id, *product_id, *status_id;
    if (rv_db_query(c->db, p, &rows, "SELECT reverb_status, order_id, product_id FROM"
                    " {P}reverb_order_map WHERE reverb_order_number = %s",
                    RV_ARGS(o->order_number)) || !rows->nrows)
        return 1;
    old = rv_row_get(rows, 0, "reverb_status");
    order_id = rv_row_get(rows, 0, "order_id");
    product_id = rv_row_get(rows, 0, "product_id");
    if (old && !strcmp(old, o->status)) {
        *why = NULL;
        return 0;       /* nothing new */
    }
    status_id = rv_status_for(c, p, o->status);
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET reverb_status = %s"
               " WHERE reverb_order_number = %s", RV_ARGS(o->status, o->order_number));
    rv_db_exec(c->db, p, NULL, "UPDATE {P}order SET order_status_id = %s, date_modified = NOW()"
               " WHERE order_id = %s", RV_ARGS(status_id, order_id));
    rv_db_exec(c->db, p, NULL,
        "INSERT INTO {P}order_history (order_id, order_status_id, notify, comment, date_added)"
        " VALUES (%s, %s, 0, %s, NOW())",
        RV_ARGS(order_id, status_id, rv_oc_escape(p, apr_psprintf(p,
            "Reverb order #%s is now %s", o->order_number, o->status))));
    if (rv_order_classify(o->status) == RV_ORDER_CANCELLED)
        rv_stock_move(c, p, o->order_number, product_id ? product_id : "0", o->quantity, 0);
    else if (rv_order_classify(o->status) == RV_ORDER_PAID)
        rv_stock_move(c, p, o->order_number, product_id ? product_id : "0", o->quantity, 1);
    *why = apr_psprintf(p, "Reverb order #%s: %s -> %s", o->order_number, old ? old : "?", o->status);
    return 0;
}

static int rv_bundle_lock(rv_ctx_t *c, apr_pool_t *p, const char *bundle, int take)
{
    const char *name = apr_pstrcat(p, c->db->prefix, "reverb_bundle_", bundle, NULL);
    const char *v = rv_db_value(c->db, p, take ? "SELECT GET_LOCK(%s, 20)" : "SELECT RELEASE_LOCK(%s)",
                                RV_ARGS(name));
    return v && !strcmp(v, "1");
}

int rv_order_sync(rv_ctx_t *c, apr_pool_t *p, const char *number, rv_order_counts_t *n,
                  const char **why, rv_api_result_t *last)
{
    rv_api_result_t res;
    rv_order_t o;
    const char *err = NULL, *bundle;
    rv_order_class_t cls;
    rv_claim_t claim;
    int rc;

    *why = NULL;
    if (rv_reverb_call(c, p, "GET", apr_pstrcat(p, "my/orders/selling/", rv_url_escape(p, number),
                                                NULL), NULL, &res) != RV_API_OK) {
        rc = res.kind == RV_API_NOT_FOUND ? -1 : rv_api_retryable(res.kind) ? 1 : -1;
        *why = res.kind == RV_API_NOT_FOUND
             ? apr_psprintf(p, "Reverb has no order #%s; nothing imported", number)
             : apr_pstrdup(p, res.message ? res.message : "Reverb request failed");
        rv_order_log(c, p, NULL, number, 0, 0, *why, &res);
        if (last)
            *last = res;
        else
            rv_api_result_clear(&res);
        if (rc < 0)
            n->failed++;
        return rc;
    }
    if (rv_order_parse(p, res.json, &o, &err)) {
        rv_api_result_clear(&res);
        *why = apr_pstrcat(p, "Reverb's order #", number, " could not be read: ", err, NULL);
        rv_order_log(c, p, NULL, number, 0, 0, *why, NULL);
        n->failed++;
        return -1;
    }
    rv_api_result_clear(&res);
    cls = rv_order_classify(o.status);
    bundle = o.bundle_id && *o.bundle_id ? o.bundle_id : o.order_number;
    if (!rv_bundle_lock(c, p, bundle, 1)) {
        *why = "Another process is importing this checkout";
        return 1;
    }
    claim = rv_db_value(c->db, p, "SELECT import_state FROM {P}reverb_order_map"
                        " WHERE reverb_order_number = %s AND import_state = 'imported'",
                        RV_ARGS(o.order_number)) ? RV_CLAIM_IMPORTED
          : (cls == RV_ORDER_PAID ? rv_claim(c, p, &o) : RV_CLAIM_BUSY);
    rc = 0;
    switch (claim) {
    case RV_CLAIM_IMPORTED:
        rc = rv_status_change(c, p, &o, why);
        if (*why)
            n->updated++;
        else
            n->skipped++;
        break;
    case RV_CLAIM_NEW:
    case RV_CLAIM_TAKEOVER:
        rc = rv_import(c, p, &o, claim, why);
        if (rc == 0) {
            n->imported++;
            rv_order_log(c, p, &o, o.order_number, apr_atoi64(rv_match_product(c, p, &o)), 1, *why, NULL);
        }
        else {
            rv_unclaim(c, p, o.order_number);
            n->failed++;
        }
        break;
    case RV_CLAIM_BUSY:
        if (cls == RV_ORDER_PAID) {
            *why = "Another process is importing this order";
            rc = 1;
        }
        else {
            n->skipped++;     /* unpaid, pending review, cancelled before import: nothing to do */
        }
        break;
    default:
        *why = "database error";
        rc = 1;
    }
    rv_bundle_lock(c, p, bundle, 0);
    if (rc == 0 && claim == RV_CLAIM_IMPORTED && *why)
        rv_order_log(c, p, &o, o.order_number, 0, 1, *why, NULL);
    if (rc != 0 && *why)
        rv_order_log(c, p, &o, o.order_number, 0, 0, *why, NULL);
    return rc;
}

/* ---- polling ---- */

int rv_orders_poll(rv_ctx_t *c, apr_pool_t *p, rv_order_counts_t *n)
{
    const char *since = rv_setting(c->settings, "order_last_sync", NULL);
    const char *path, *newest = NULL;
    rv_api_result_t res;
    int pages = 0;

    path = since ? apr_pstrcat(p, "my/orders/selling/all?per_page=50&updated_start_date=",
                               rv_url_escape(p, since), NULL)
                 : "my/orders/selling/all?per_page=50";
    while (path && pages++ < 1000) {
        json_object *orders, *next;
        size_t i, cnt;
        if (rv_reverb_call(c, p, "GET", path, NULL, &res) != RV_API_OK) {
            rv_order_log(c, p, NULL, NULL, 0, 0, res.message ? res.message : "order poll failed", &res);
            rv_api_result_clear(&res);
            return -1;
        }
        orders = rv_json_path(res.json, "orders");
        cnt = orders && json_object_is_type(orders, json_type_array) ? json_object_array_length(orders) : 0;
        for (i = 0; i < cnt; i++) {
            json_object *o = json_object_array_get_idx(orders, i);
            const char *num = rv_json_str(o, "order_number"), *upd = rv_json_str(o, "updated_at");
            if (upd && (!newest || strcmp(upd, newest) > 0))
                newest = apr_pstrdup(p, upd);
            if (num)
                rv_queue_add(c->db, p, "order", num, RV_PRIO_ORDER, 0);
        }
        next = rv_json_path(res.json, "_links.next");
        path = next && rv_json_str(next, "href") ? apr_pstrdup(p, rv_json_str(next, "href")) : NULL;
        rv_api_result_clear(&res);
    }
    /* Reverb's times are second-precision: the same second is polled again
     * next time, which is harmless (orders are idempotent). */
    if (newest)
        rv_setting_save(c->db, p, c->conf->store_id, "order_last_sync", newest, 0);
    (void)n;
    return 0;
}

rv_job_result_t rv_order_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_order_counts_t n = { 0, 0, 0, 0 };
    const char *why = NULL;
    rv_api_result_t last;
    rv_job_result_t r = { RV_JOB_DONE, 0, NULL };
    int rc;
    memset(&last, 0, sizeof(last));
    rc = rv_order_sync(c, p, job->ref, &n, &why, &last);
    if (rc > 0) {
        r.outcome = job->attempts < RV_JOB_MAX_ATTEMPTS ? RV_JOB_RETRY : RV_JOB_FAIL;
        r.delay_ms = last.kind == RV_API_RATE_LIMITED && last.retry_after_s > 0
                   ? last.retry_after_s * 1000 : 2000 * job->attempts;
        r.error = why;
    }
    else if (rc < 0) {
        r.outcome = RV_JOB_FAIL;
        r.error = why;
    }
    rv_api_result_clear(&last);
    return r;
}

/* ---- admin routes ---- */

int rv_route_orders_import(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    rv_ctx_t *c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    rv_order_counts_t n = { 0, 0, 0, 0 };
    json_object *in, *out;
    rv_job_t job;
    int guard = 0;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (!c->api)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token in the settings first.");
    if (rv_orders_poll(c, p, &n))
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_unreachable",
                             "Reverb's order list could not be read. See the sync log.");
    /* run the queued order jobs now, in this request */
    while (guard++ < 500) {
        apr_pool_t *jp;
        int got;
        apr_pool_create(&jp, p);
        got = rv_queue_claim_kind(q->db, jp, "admin-import", 60, "order", &job);
        if (got == 1) {
            const char *why = NULL;
            int rc = rv_order_sync(c, jp, job.ref, &n, &why, NULL);
            if (rc == 0)
                rv_queue_done(q->db, jp, &job);
            else if (rc > 0)
                rv_queue_retry(q->db, jp, &job, 5000, why);
            else
                rv_queue_fail(q->db, jp, &job, why);
        }
        apr_pool_destroy(jp);
        if (got != 1)
            break;
    }
    out = json_object_new_object();
    json_object_object_add(out, "imported", json_object_new_int(n.imported));
    json_object_object_add(out, "updated", json_object_new_int(n.updated));
    json_object_object_add(out, "skipped", json_object_new_int(n.skipped));
    json_object_object_add(out, "failed", json_object_new_int(n.failed));
    return rv_http_json(q->r, HTTP_OK, out);
}

int rv_route_order_info(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    rv_rows_t *rows;
    json_object *out = json_object_new_object(), *info, *nums, *links;
    int i;
    if (rv_db_query(q->db, p, &rows,
            "SELECT reverb_order_number, reverb_status, shipped_provider, shipped_tracking,"
            " DATE_FORMAT(shipped_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS shipped_at"
            " FROM {P}reverb_order_map WHERE order_id = %s ORDER BY reverb_order_number",
            RV_ARGS(rv_i64(p, q->id)))) {
        json_object_put(out);
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The order could not be read.");
    }
    if (rows->nrows == 0) {
        json_object_object_add(out, "reverb", NULL);
        return rv_http_json(q->r, HTTP_OK, out);
    }
    info = json_object_new_object();
    nums = json_object_new_array();
    links = json_object_new_array();
    for (i = 0; i < rows->nrows; i++) {
        const char *num = rv_row_get(rows, i, "reverb_order_number");
        json_object_array_add(nums, json_object_new_string(num));
        json_object_array_add(links, json_object_new_string(
            apr_pstrcat(p, "https://reverb.com/my/selling/orders/", num, NULL)));
    }
    json_object_object_add(info, "order_numbers", nums);
    json_object_object_add(info, "links", links);
    json_object_object_add(info, "status", json_object_new_string(
        rv_row_get(rows, 0, "reverb_status") ? rv_row_get(rows, 0, "reverb_status") : ""));
    if (rv_row_get(rows, 0, "shipped_tracking")) {
        json_object *sh = json_object_new_object();
        json_object_object_add(sh, "provider", json_object_new_string(rv_row_get(rows, 0, "shipped_provider")));
        json_object_object_add(sh, "tracking_number", json_object_new_string(rv_row_get(rows, 0, "shipped_tracking")));
        json_object_object_add(sh, "shipped_at", json_object_new_string(rv_row_get(rows, 0, "shipped_at")));
        json_object_object_add(info, "shipped", sh);
    }
    else {
        json_object_object_add(info, "shipped", NULL);
    }
    json_object_object_add(out, "reverb", info);
    return rv_http_json(q->r, HTTP_OK, out);
}

static int rv_short_text(json_object *in, const char *key, size_t max, const char **out)
{
    json_object *v;
    size_t i;
    if (!json_object_object_get_ex(in, key, &v) || !json_object_is_type(v, json_type_string))
        return 0;
    *out = json_object_get_string(v);
    if (!**out || strlen(*out) > max)
        return 0;
    for (i = 0; (*out)[i]; i++)
        if ((unsigned char)(*out)[i] < 0x20)
            return 0;
    return 1;
}

int rv_route_order_ship(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *out, *body, *shipped;
    const char *provider, *tracking;
    rv_rows_t *rows;
    rv_ctx_t *c;
    int i;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (!rv_short_text(in, "provider", 64, &provider) || !rv_short_text(in, "tracking_number", 128, &tracking))
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                             "Give the carrier (provider) and the tracking number.");
    if (rv_db_query(q->db, p, &rows, "SELECT reverb_order_number FROM {P}reverb_order_map"
                    " WHERE order_id = %s", RV_ARGS(rv_i64(p, q->id))) || rows->nrows == 0)
        return rv_http_error(q->r, HTTP_NOT_FOUND, "not_found",
                             "This order did not come from Reverb.");
    c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    shipped = json_object_new_array();
    for (i = 0; i < rows->nrows; i++) {
        const char *num = rows->rows[i][0];
        rv_api_result_t res;
        rv_log_entry_t le;
        body = json_object_new_object();
        json_object_object_add(body, "provider", json_object_new_string(provider));
        json_object_object_add(body, "tracking_number", json_object_new_string(tracking));
        json_object_object_add(body, "send_notification", json_object_new_boolean(1));
        rv_reverb_call(c, p, "POST", apr_pstrcat(p, "my/orders/selling/", num, "/ship", NULL),
                       body, &res);
        json_object_put(body);
        memset(&le, 0, sizeof(le));
        le.direction = "push";
        le.action = "ship";
        le.order_number = num;
        rv_log_from_result(&le, &res);
        if (res.kind == RV_API_OK)
            le.message = apr_psprintf(p, "Tracking sent: %s %s", provider, tracking);
        rv_log_write(q->db, p, &le);
        if (res.kind != RV_API_OK) {
            int rc = rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_error",
                apr_pstrcat(p, "Reverb did not accept the tracking for order #", num, ": ",
                            res.message ? res.message : "error", NULL));
            rv_api_result_clear(&res);
            json_object_put(shipped);
            return rc;
        }
        rv_api_result_clear(&res);
        rv_db_exec(q->db, p, NULL, "UPDATE {P}reverb_order_map SET shipped_provider = %s,"
                   " shipped_tracking = %s, shipped_at = NOW() WHERE reverb_order_number = %s",
                   RV_ARGS(provider, tracking, num));
        json_object_array_add(shipped, json_object_new_string(num));
    }
    out = json_object_new_object();
    json_object_object_add(out, "shipped", shipped);
    return rv_http_json(q->r, HTTP_OK, out);
}
