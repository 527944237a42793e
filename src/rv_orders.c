/* rv_orders.c: Reverb orders become real OpenCart orders, once each.
 *
 * Exactly once. Every Reverb order number is claimed in reverb_order_map
 * (InnoDB, primary key) by an INSERT that commits on its own before any
 * OpenCart row is written; the insert that wins the key does the work.
 * Orders of one checkout (order_bundle_id) become one OpenCart order, and a
 * server-wide named lock per checkout (GET_LOCK, held for the whole import
 * or status change) keeps two of its orders, or two deliveries of one
 * order, from working at once. The lock dies with its connection, so a
 * process that dies mid-import leaves only its claim: after
 * RV_CLAIM_LEASE_S the next attempt takes the claim over and repairs the
 * import (the OpenCart order is found through the map or through its
 * comment, a line already written is not written again, totals are
 * rewritten, the stock flag decides whether stock still has to move).
 * Anything that fails after the first OpenCart write leaves the claim for
 * that repair, marked stale at once; nothing is ever deleted and redone.
 *
 * import_state: 'claimed' (being imported, or left by a failure/crash),
 * 'imported', 'waiting' (the order cannot be imported yet, e.g. its
 * currency is unknown; nothing was written; retried by cron and by the
 * admin's "Import now").
 *
 * Stock. OpenCart's tables are MyISAM, so no transaction spans our flag
 * and its stock. One multi-table UPDATE flips the stock_taken flag in our
 * row (guarded: ... AND stock_taken = 0) and, in the same statement, moves
 * oc_product.quantity relatively, only where subtract = 1, exactly as
 * OpenCart's own addOrderHistory does: nothing moves unless the flag flips,
 * and a killed process cannot split the two. A cancelled or refunded order flips it back and
 * puts the stock back once - unless staff already cancelled the OpenCart
 * order (its status left OpenCart's processing/complete set), because
 * OpenCart restocked it then. A sale moves the product's three-way merge
 * base (reverb_product_map.synced_quantity) by the same amount: Reverb's
 * inventory moved with the sale, so a later pull sees no Reverb-side
 * change and the sale is never subtracted twice. */
#include "rv_orders.h"
#include "rv_order_switch.h"
#include "rv_settings_listing.h"
#include "rv_oc.h"
#include "rv_route.h"
#include "rv_jobs.h"
#include "rv_queue.h"
#include "rv_order.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_text.h"
#include "rv_shoptime.h"
#include "rv_fault.h"
#include "rv_order_line.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_lib.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

APLOG_USE_MODULE(reverb);

#define RV_CLAIM_LEASE_S 60
#define RV_BUNDLE_LOCK_WAIT_S "10"
#define RV_WAIT_RETRY_S 300
#define RV_WAIT_GIVE_UP_DAYS 30
#define RV_POLL_MAX_PAGES 200
#define RV_DEFAULT_PAID_STATUS "2"        /* Processing */
#define RV_STALE_TIME "'2000-01-01 00:00:00'"

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
    le.order_number = number ? number : (o ? o->order_number : NULL);
    le.sku = o ? o->sku : NULL;
    le.listing_id = o ? o->listing_id : NULL;
    if (res)
        rv_log_from_result(&le, res);
    le.ok = ok;
    le.message = msg;
    rv_log_write(c->db, p, &le);
}

static const char *rv_bundle_of(const rv_order_t *o)
{
    return o->bundle_id && *o->bundle_id ? o->bundle_id : o->order_number;
}

/* The OpenCart order status for a Reverb status: order_status_map, else
 * OpenCart's defaults; NULL for a status we do not know (keep the
 * OpenCart order's status). */
static const char *rv_status_for(rv_ctx_t *c, apr_pool_t *p, const char *reverb_status)
{
    json_object *map = rv_setting_json(c->settings, "order_status_map"), *v;
    const char *out = NULL;
    rv_order_class_t cls = rv_order_classify(reverb_status);
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
    if (cls == RV_ORDER_CANCELLED)
        return "7";     /* Canceled */
    if (cls == RV_ORDER_PAID)
        return RV_DEFAULT_PAID_STATUS;
    return NULL;
}

/* Is the status in OpenCart's "committed" set (config_processing_status
 * plus config_complete_status), where an order's stock is taken? */
static int rv_oc_status_committed(rv_ctx_t *c, apr_pool_t *p, const char *status_id)
{
    static const char *const keys[] = { "config_processing_status", "config_complete_status" };
    int found_setting = 0, hit = 0;
    size_t k, i;
    if (!status_id)
        return 0;
    for (k = 0; k < 2 && !hit; k++) {
        const char *v = rv_oc_config(c->db, p, c->conf->store_id, keys[k]);
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
        return !strcmp(status_id, "1") || !strcmp(status_id, "2") || !strcmp(status_id, "3")
            || !strcmp(status_id, "5") || !strcmp(status_id, "12");
    return hit;
}

/* Amount in the shop's default currency; NULL when it cannot be converted. */
static const char *rv_to_default(apr_pool_t *p, const char *amount, const char *currency_value)
{
    char out[32];
    if (!amount || !currency_value || rv_money_convert(amount, currency_value, "1", out))
        return NULL;
    return apr_pstrdup(p, out);
}

/* ---- ISO 8601 times (order_last_sync) ---- */

static int rv_digits(const char *s, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (!apr_isdigit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "2026-11-25T04:00:00-06:00" (fraction, Z, +hhmm, no zone = UTC) -> epoch. */
static int rv_iso_epoch(const char *s, long long *out)
{
    int Y, M, D, h, mi, sec, oh = 0, om = 0;
    const char *t;
    long long off = 0;
    if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ')
        || s[13] != ':' || s[16] != ':' || rv_digits(s, 4, &Y) || rv_digits(s + 5, 2, &M)
        || rv_digits(s + 8, 2, &D) || rv_digits(s + 11, 2, &h) || rv_digits(s + 14, 2, &mi)
        || rv_digits(s + 17, 2, &sec) || M < 1 || M > 12 || D < 1 || D > 31 || h > 23
        || mi > 59 || sec > 60)
        return -1;
    t = s + 19;
    if (*t == '.')
        for (t++; apr_isdigit(*t); t++)
            ;
    if (*t == '+' || *t == '-') {
        int sign = *t == '-' ? -1 : 1;
        if (rv_digits(t + 1, 2, &oh))
            return -1;
        t += 3;
        if (*t == ':')
            t++;
        if (*t && rv_digits(t, 2, &om))
            return -1;
        off = sign * (oh * 3600LL + om * 60LL);
    }
    else if (*t && strcmp(t, "Z"))
        return -1;
    {
        /* APR's calendar arithmetic, not a hand-written one */
        apr_time_exp_t x;
        apr_time_t at;
        memset(&x, 0, sizeof(x));
        x.tm_year = Y - 1900;
        x.tm_mon = M - 1;
        x.tm_mday = D;
        x.tm_hour = h;
        x.tm_min = mi;
        x.tm_sec = sec;
        if (apr_time_exp_gmt_get(&at, &x) != APR_SUCCESS)
            return -1;
        *out = (long long)apr_time_sec(at) - off;
    }
    return 0;
}

static const char *rv_iso_format(apr_pool_t *p, long long epoch)
{
    apr_time_exp_t tm;
    apr_time_exp_gmt(&tm, apr_time_from_sec(epoch));
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- the checkout lock and the claim ---- */

/* Named locks are server-wide: the database name and the table prefix keep
 * two shops on one MariaDB apart; MD5 keeps the name under 64 characters. */
static int rv_bundle_lock(rv_ctx_t *c, apr_pool_t *p, const char *bundle, int take)
{
    const char *v = rv_db_value(c->db, p, take
        ? "SELECT GET_LOCK(CONCAT('rvb:', MD5(CONCAT(DATABASE(), '|', %s, '|', %s))), "
          RV_BUNDLE_LOCK_WAIT_S ")"
        : "SELECT RELEASE_LOCK(CONCAT('rvb:', MD5(CONCAT(DATABASE(), '|', %s, '|', %s))))",
        RV_ARGS(c->db->prefix, bundle));
    return v && !strcmp(v, "1");
}

/* Is the checkout lock still ours? It belongs to the database session that
 * took it: a connection killed or dropped and reconnected by libmariadb
 * (DBDParams reconnect=1) has lost it silently, and another process may be
 * working on the checkout now. `at` is the handle's reconnect count when
 * the lock was taken (rv_db_t.resets): any reconnect since means lost; else
 * the server says whether this session holds it. Checked before writing. */
static int rv_bundle_lock_held(rv_ctx_t *c, apr_pool_t *p, const char *bundle, unsigned at)
{
    const char *v;
    if (c->db->resets != at)
        return 0;
    v = rv_db_value(c->db, p,
        "SELECT IS_USED_LOCK(CONCAT('rvb:', MD5(CONCAT(DATABASE(), '|', %s, '|', %s))))"
        " = CONNECTION_ID()", RV_ARGS(c->db->prefix, bundle));
    return v && !strcmp(v, "1") && c->db->resets == at;
}

typedef enum { RV_CLAIM_NEW, RV_CLAIM_TAKEOVER, RV_CLAIM_BUSY, RV_CLAIM_DB } rv_claim_t;

/* Called with the checkout lock held. */
static rv_claim_t rv_claim(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o)
{
    int n = 0;
    if (rv_db_exec(c->db, p, &n,
            "INSERT IGNORE INTO {P}reverb_order_map (reverb_order_number, order_bundle_id,"
            " reverb_status, quantity, import_state, claimed_at)"
            " VALUES (%s, %s, %s, %s, 'claimed', NOW(3))",
            RV_ARGS(o->order_number, rv_bundle_of(o), o->status, rv_i64(p, o->quantity))))
        return RV_CLAIM_DB;
    if (n == 1)
        return RV_CLAIM_NEW;
    /* the row exists: take it over if it waits for a retry or its claimer
     * died (the statement that changes the row is the one winner) */
    if (rv_db_exec(c->db, p, &n,
            "UPDATE {P}reverb_order_map SET import_state = 'claimed', claimed_at = NOW(3)"
            " WHERE reverb_order_number = %s AND (import_state = 'waiting'"
            "  OR (import_state = 'claimed' AND (claimed_at IS NULL OR claimed_at < NOW(3) - INTERVAL "
            APR_STRINGIFY(RV_CLAIM_LEASE_S) " SECOND)))", RV_ARGS(o->order_number)))
        return RV_CLAIM_DB;
    return n == 1 ? RV_CLAIM_TAKEOVER : RV_CLAIM_BUSY;
}

/* A failure after OpenCart rows may exist: keep the claim, but let the very
 * next attempt take it over and repair (we hold the checkout lock, so no
 * one else is working on it). */
static void rv_claim_stale(rv_ctx_t *c, apr_pool_t *p, const char *number)
{
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET claimed_at = " RV_STALE_TIME
               " WHERE reverb_order_number = %s AND import_state = 'claimed'", RV_ARGS(number));
}

/* Nothing was written to OpenCart: keep the order for a later retry. Its
 * product is remembered, so a both-ways pull knows Reverb already counted
 * this sale (see rv_pull.c). */
static void rv_claim_wait(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *product_id)
{
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET import_state = 'waiting',"
               " claimed_at = NOW(3), product_id = %s, quantity = %s, reverb_status = %s"
               " WHERE reverb_order_number = %s AND import_state = 'claimed' AND order_id = 0",
               RV_ARGS(product_id, rv_i64(p, o->quantity), o->status, o->order_number));
}

/* ---- OpenCart rows ---- */

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
static int rv_shop_is_utf8mb3(rv_ctx_t *c, apr_pool_t *p)
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
                        o->order_number, rv_bundle_of(o), o->order_number);
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
static const char *rv_find_oc_order(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, int repair)
{
    const char *id = rv_db_value(c->db, p, "SELECT order_id FROM {P}reverb_order_map"
                                 " WHERE order_bundle_id = %s AND order_id > 0"
                                 " ORDER BY order_id LIMIT 1", RV_ARGS(rv_bundle_of(o)));
    if (id || !repair)
        return id;
    return rv_db_value(c->db, p, "SELECT order_id FROM {P}order WHERE user_agent = 'mod_reverb'"
                       " AND store_id = %s AND comment LIKE CONCAT('Reverb order #%% (checkout ', %s,"
                       " ') - %%') ESCAPE '|' ORDER BY order_id LIMIT 1",
                       RV_ARGS(apr_itoa(p, c->conf->store_id), rv_like_escape(p, rv_bundle_of(o))));
}

static int rv_add_history(rv_ctx_t *c, apr_pool_t *p, const char *order_id, const char *status_id,
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
static const char *rv_create_oc_order(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o,
                                      const rv_order_oc_t *s, const char *currency_id,
                                      const char *currency_value, const char *status_id)
{
    rv_address_t a;
    const char *lang_code = rv_oc_config(c->db, p, c->conf->store_id, "config_language");
    const char *lang = rv_db_value(c->db, p, "SELECT language_id FROM {P}language WHERE code = %s",
                                   RV_ARGS(lang_code ? lang_code : "en-gb"));
    const char *prefix = rv_oc_config(c->db, p, c->conf->store_id, "config_invoice_prefix");
    const char *group = rv_oc_config(c->db, p, c->conf->store_id, "config_customer_group_id");
    const char *name = rv_oc_config(c->db, p, c->conf->store_id, "config_name");
    const char *url = rv_setting(c->settings, "store_url", "");
    const char *method = o->local_pickup ? "Local pickup (Reverb)" : "Shipping (Reverb)";
    const char *now = rv_shop_now(c->db, p, c->conf->store_id);   /* OpenCart's dates: shop time */

    if (!*url && !(url = rv_oc_config(c->db, p, c->conf->store_id, "config_url")))
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
static const char *rv_match_product(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o)
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
static int rv_write_totals(rv_ctx_t *c, apr_pool_t *p, const char *order_id, const rv_order_t *o)
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

/* The flag and the merge base moved as if the stock had, without touching
 * OpenCart's quantity (it moved already, or OpenCart moved it itself). */
static int rv_stock_flag_only(rv_ctx_t *c, apr_pool_t *p, const char *number,
                              const char *product_id, long long qty, int take, int *n)
{
    const char *q = rv_i64(p, qty), *pid = product_id ? product_id : "0";
    return rv_db_exec(c->db, p, n, take
        ? "UPDATE {P}reverb_order_map om"
          " LEFT JOIN {P}reverb_product_map rm ON rm.product_id = %s"
          "   AND rm.synced_quantity IS NOT NULL"
          " SET om.stock_taken = 1, rm.synced_quantity = GREATEST(rm.synced_quantity - %s, 0)"
          " WHERE om.reverb_order_number = %s AND om.stock_taken = 0"
        : "UPDATE {P}reverb_order_map om"
          " LEFT JOIN {P}reverb_product_map rm ON rm.product_id = %s"
          "   AND rm.synced_quantity IS NOT NULL"
          " SET om.stock_taken = 0, rm.synced_quantity = rm.synced_quantity + %s"
          " WHERE om.reverb_order_number = %s AND om.stock_taken = 1",
        RV_ARGS(pid, q, number));
}

/* A move of this order's stock that was written down and never finished
 * (the statement failed late, or the server died in it). OpenCart's
 * quantity tells what happened, unless other sales moved it meanwhile:
 *  - the flag moved: the statement ran; nothing to settle;
 *  - the quantity is as before: nothing ran; the move is made normally;
 *  - the quantity is as after: only OpenCart's (MyISAM) part ran: the flag
 *    and the merge base are recorded now and the stock is not moved again;
 *  - anything else cannot be told apart from other sales: the module takes
 *    the side of less stock (a sale counts as not applied and is made, a
 *    restock as applied and is not), and asks the owner to check, in the
 *    sync log.
 * Returns 1 when the settle recorded the move, 0 when the caller should
 * make it (or it is a no-op), -1 on a database error. */
static int rv_stock_settle(rv_ctx_t *c, apr_pool_t *p, const char *number, int take)
{
    rv_rows_t *rows;
    const char *flag, *now_s, *move_id, *pid;
    long long qty, before, now, after;
    int n = 0;

    if (rv_db_query(c->db, p, &rows,
            "SELECT move_id, product_id, quantity, quantity_before FROM {P}reverb_stock_move"
            " WHERE reverb_order_number = %s AND take = %s AND state = 'pending'"
            " ORDER BY move_id DESC LIMIT 1", RV_ARGS(number, take ? "1" : "0")))
        return -1;
    if (!rows->nrows)
        return 0;
    move_id = rv_row_get(rows, 0, "move_id");
    pid = rv_row_get(rows, 0, "product_id");
    qty = rv_row_int(rows, 0, "quantity", 0);
    before = rv_row_int(rows, 0, "quantity_before", 0);
    after = take ? before - qty : before + qty;
    flag = rv_db_value(c->db, p, "SELECT stock_taken FROM {P}reverb_order_map"
                       " WHERE reverb_order_number = %s", RV_ARGS(number));
    now_s = rv_db_value(c->db, p, "SELECT quantity FROM {P}product WHERE product_id = %s",
                        RV_ARGS(pid));
    if (!flag || !now_s)
        return -1;
    now = apr_atoi64(now_s);
    if (atoi(flag) == take || now == before) {
        /* ran whole, or not at all: the normal (guarded) move decides */
        return rv_db_exec(c->db, p, NULL, "DELETE FROM {P}reverb_stock_move WHERE move_id = %s",
                          RV_ARGS(move_id)) ? -1 : 0;
    }
    if (now == after || !take) {
        if (rv_stock_flag_only(c, p, number, pid, qty, take, &n)
            || rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_stock_move SET state = %s"
                          " WHERE move_id = %s",
                          RV_ARGS(now == after ? "reconciled" : "unclear", move_id)))
            return -1;
        rv_order_log(c, p, NULL, number, apr_atoi64(pid), now == after, now == after
            ? apr_psprintf(p, "Reverb order #%s: an interrupted stock change had already reached "
                           "OpenCart (product %s: %lld -> %lld) but was not recorded; it is "
                           "recorded now and not applied again.", number, pid, before, now)
            : apr_psprintf(p, "Check the stock of product %s: a restock for Reverb order #%s was "
                           "interrupted (%lld before, %lld expected, %lld now, other sales "
                           "moved it meanwhile). mod_reverb counted it as done and did not add "
                           "the stock again.", pid, number, before, after, now), NULL);
        return 1;
    }
    /* a sale, and the quantity tells nothing: make it, and say so */
    if (rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_stock_move SET state = 'unclear'"
                   " WHERE move_id = %s", RV_ARGS(move_id)))
        return -1;
    rv_order_log(c, p, NULL, number, apr_atoi64(pid), 0, apr_psprintf(p,
        "Check the stock of product %s: a sale for Reverb order #%s was interrupted (%lld before, "
        "%lld expected, %lld now, other sales moved it meanwhile). mod_reverb takes the stock "
        "now, so that the item is not sold twice; add it back if it had been taken already.",
        pid, number, before, after, now), NULL);
    return 0;
}

/* Moves stock once: the guarded flag flip decides who does it. take = 1:
 * the order entered a paid status; 0: it was cancelled or refunded. With
 * move_oc = 0 the flag (and the merge base) move but OpenCart's quantity
 * does not, because OpenCart itself already restocked. Returns 1 when this
 * call flipped the flag, 0 when it was already in that state, -1 on error. */
static int rv_stock_move(rv_ctx_t *c, apr_pool_t *p, const char *number, const char *product_id,
                         long long qty, int take, int move_oc)
{
    /* One statement moves the flag, OpenCart's stock (MyISAM) and the merge
     * base together: a process killed now cannot leave the flag moved and
     * the stock not (the server finishes a statement it has begun). Only
     * the statement that flips the flag moves anything: exactly once.
     * What one statement cannot promise across engines - a late failure or
     * a server crash after OpenCart's MyISAM row changed and before our
     * InnoDB flag committed - is written down first (reverb_stock_move) and
     * settled by the next attempt (rv_stock_settle). */
    int n = 0, settled;
    const char *q = rv_i64(p, qty), *pid = product_id ? product_id : "0", *before = NULL;
    const char *move_id = NULL, *warnings;
    if (move_oc && strcmp(pid, "0")) {
        if ((settled = rv_stock_settle(c, p, number, take)) != 0)
            return settled;
        before = rv_db_value(c->db, p, "SELECT quantity FROM {P}product WHERE product_id = %s"
                             " AND subtract = 1 AND %s = (SELECT 1 - stock_taken FROM"
                             " {P}reverb_order_map WHERE reverb_order_number = %s)",
                             RV_ARGS(pid, take ? "1" : "0", number));
        if (before && (rv_db_exec(c->db, p, NULL,
                "INSERT INTO {P}reverb_stock_move (reverb_order_number, product_id, take,"
                " quantity, quantity_before) VALUES (%s, %s, %s, %s, %s)",
                RV_ARGS(number, pid, take ? "1" : "0", q, before))
                       || !(move_id = rv_db_last_id(c->db, p))))
            return -1;
    }
    if (rv_db_exec(c->db, p, &n, take
            ? "UPDATE {P}reverb_order_map om"
              " LEFT JOIN {P}product pr ON pr.product_id = %s AND pr.subtract = 1 AND %s = '1'"
              " LEFT JOIN {P}reverb_product_map rm ON rm.product_id = %s"
              "   AND rm.synced_quantity IS NOT NULL"
              " SET om.stock_taken = 1, pr.quantity = pr.quantity - %s,"
              "  rm.synced_quantity = GREATEST(rm.synced_quantity - %s, 0)"
              " WHERE om.reverb_order_number = %s AND om.stock_taken = 0"
            : "UPDATE {P}reverb_order_map om"
              " LEFT JOIN {P}product pr ON pr.product_id = %s AND pr.subtract = 1 AND %s = '1'"
              " LEFT JOIN {P}reverb_product_map rm ON rm.product_id = %s"
              "   AND rm.synced_quantity IS NOT NULL"
              " SET om.stock_taken = 0, pr.quantity = pr.quantity + %s,"
              "  rm.synced_quantity = rm.synced_quantity + %s"
              " WHERE om.reverb_order_number = %s AND om.stock_taken = 1",
            RV_ARGS(pid, move_oc ? "1" : "0", pid, q, q, number)))
        return -1;      /* the written-down move stays pending: the next attempt settles it */
    /* the statement finished: anything MariaDB had to adjust is said */
    warnings = rv_db_value(c->db, p, "SELECT @@warning_count", RV_NOARGS);
    if (warnings && strcmp(warnings, "0"))
        rv_order_log(c, p, NULL, number, apr_atoi64(pid), 0, apr_psprintf(p,
            "Reverb order #%s: the database reported %s warning(s) while moving the stock of "
            "product %s; check that product's stock.", number, warnings, pid), NULL);
    if (move_id)
        rv_db_exec(c->db, p, NULL, "DELETE FROM {P}reverb_stock_move WHERE move_id = %s",
                   RV_ARGS(move_id));
    return n > 0;
}

/* ---- import ---- */

/* 0 imported; -1 cannot be imported now, nothing written to OpenCart
 * (kept as 'waiting'); 1 database failure, OpenCart rows may exist (claim
 * kept for repair). */
static int rv_import(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, int repair,
                     unsigned lock_at, const char **why, const char **pid_out)
{
    rv_order_oc_t s;
    rv_rows_t *rows;
    rv_order_class_t cls = rv_order_classify(o->status);
    const char *cur_id, *cur_value, *sub, *ship, *tax, *total, *unit, *order_id, *product_id;
    const char *status_id = rv_status_for(c, p, o->status);
    int created = 0, others;

    if (!status_id)
        status_id = RV_DEFAULT_PAID_STATUS;
    product_id = rv_match_product(c, p, o);
    *pid_out = product_id;
    if (rv_db_query(c->db, p, &rows, "SELECT currency_id, value FROM {P}currency WHERE code = %s",
                    RV_ARGS(o->currency)) || !rows->nrows) {
        *why = apr_psprintf(p, "Reverb order #%s is in %s, which is not a currency of this shop. "
                            "Add %s under System > Localisation > Currencies; the order is kept "
                            "and imported on a later cycle.", o->order_number, o->currency, o->currency);
        return -1;
    }
    cur_id = rv_row_get(rows, 0, "currency_id");
    cur_value = rv_row_get(rows, 0, "value");
    unit = rv_to_default(p, o->unit_price.amount, cur_value);
    sub = rv_to_default(p, o->subtotal.amount, cur_value);
    ship = rv_to_default(p, o->shipping.amount, cur_value);
    tax = rv_to_default(p, o->tax.amount, cur_value);
    total = rv_to_default(p, o->total.amount, cur_value);
    if (!unit || !sub || !ship || !tax || !total) {
        *why = apr_psprintf(p, "Reverb order #%s: its amounts could not be converted from %s "
                            "(check the currency's value in OpenCart); the order is kept and "
                            "retried.", o->order_number, o->currency);
        return -1;
    }
    rv_order_oc_strings(p, o, rv_shop_is_utf8mb3(c, p), &s);

    rv_fault_point("orders:before-write");
    if (!rv_bundle_lock_held(c, p, rv_bundle_of(o), lock_at)) {
        *why = apr_psprintf(p, "Reverb order #%s: the database connection was lost during the "
                            "import; nothing was written, it is imported on the next attempt.",
                            o->order_number);
        return 1;
    }
    /* a dead predecessor of this checkout may have written orders: look */
    others = rv_db_value(c->db, p, "SELECT 1 FROM {P}reverb_order_map WHERE order_bundle_id = %s"
                         " AND reverb_order_number <> %s LIMIT 1",
                         RV_ARGS(rv_bundle_of(o), o->order_number)) != NULL;
    order_id = rv_find_oc_order(c, p, o, repair || others);
    if (!order_id) {
        if (!(order_id = rv_create_oc_order(c, p, o, &s, cur_id, cur_value, status_id))) {
            *why = "The OpenCart order could not be written (database error); retried.";
            return -1;      /* the INSERT failed: nothing exists */
        }
        created = 1;
    }
    /* from here on the claim is kept on failure: the repair finds the order */
    if (rv_db_exec(c->db, p, NULL,
            "UPDATE {P}reverb_order_map SET order_id = %s, order_bundle_id = %s,"
            " product_id = %s, line_product_id = %s, quantity = %s, amount_subtotal = %s,"
            " amount_shipping = %s, amount_tax = %s, amount_total = %s WHERE reverb_order_number = %s",
            RV_ARGS(order_id, rv_bundle_of(o), product_id, product_id, rv_i64(p, o->quantity), sub,
                    ship, tax, total, o->order_number)))
        goto db_error;
    if ((created || !rv_db_value(c->db, p, "SELECT 1 FROM {P}order_history WHERE order_id = %s"
                                 " LIMIT 1", RV_ARGS(order_id)))
        && rv_add_history(c, p, order_id, status_id, apr_psprintf(p,
               "Imported from Reverb order #%s (%s): https://reverb.com/my/selling/orders/%s",
               o->order_number, o->status, o->order_number)))
        goto db_error;
    /* the line, unless a dead predecessor already wrote it: lines have no
     * order number, so count lines of this product and quantity against
     * the other Reverb orders of the OpenCart order that explain them */
    if (created || !rv_db_value(c->db, p,
            "SELECT 1 FROM DUAL WHERE"
            " (SELECT COUNT(*) FROM {P}order_product WHERE order_id = %s AND product_id = %s"
            "   AND quantity = %s)"
            " > (SELECT COUNT(*) FROM {P}reverb_order_map WHERE order_id = %s"
            "   AND reverb_order_number <> %s AND product_id = %s AND quantity = %s)",
            RV_ARGS(order_id, product_id, rv_i64(p, o->quantity), order_id, o->order_number,
                    product_id, rv_i64(p, o->quantity)))) {
        if (rv_db_exec(c->db, p, NULL, rv_oc_sql(c->db, p, RV_OC_ORDER_PRODUCT),
                RV_ARGS(order_id, product_id, s.product_name,
                        rv_order_line_model(c->db, p, product_id, s.model), rv_i64(p, o->quantity),
                        unit, sub)))
            goto db_error;
    }
    if (rv_write_totals(c, p, order_id, o))
        goto db_error;
    /* the stock moves only under the lock (a repair finishes the rest) */
    if (!rv_bundle_lock_held(c, p, rv_bundle_of(o), lock_at))
        goto db_error;
    if (cls == RV_ORDER_PAID) {
        if (rv_stock_move(c, p, o->order_number, product_id, o->quantity, 1, 1) < 0)
            goto db_error;
    }
    else if (cls == RV_ORDER_CANCELLED) {
        /* repairing an order cancelled since its import began: stock back if
         * the dead import took it, and the order shows the cancellation */
        const char *cur = rv_db_value(c->db, p, "SELECT order_status_id FROM {P}order"
                                      " WHERE order_id = %s", RV_ARGS(order_id));
        if (rv_stock_move(c, p, o->order_number, product_id, o->quantity, 0,
                          rv_oc_status_committed(c, p, cur)) < 0)
            goto db_error;
        if (!created && cur && strcmp(cur, status_id)
            && !rv_db_value(c->db, p, "SELECT 1 FROM {P}reverb_order_map WHERE order_id = %s"
                            " AND reverb_order_number <> %s LIMIT 1", RV_ARGS(order_id, o->order_number))) {
            rv_db_exec(c->db, p, NULL, "UPDATE {P}order SET order_status_id = %s,"
                       " date_modified = %s WHERE order_id = %s",
                       RV_ARGS(status_id, rv_shop_now(c->db, p, c->conf->store_id), order_id));
            rv_add_history(c, p, order_id, status_id, apr_psprintf(p,
                "Reverb order #%s is now %s", o->order_number, o->status));
        }
    }
    if (rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET import_state = 'imported',"
                   " reverb_status = %s WHERE reverb_order_number = %s",
                   RV_ARGS(o->status, o->order_number)))
        goto db_error;
    *why = apr_psprintf(p, "Reverb order #%s imported as OpenCart order %s%s%s", o->order_number,
                        order_id, created ? "" : " (same checkout)",
                        strcmp(product_id, "0") ? "" : "; no product matched (stock not changed)");
    return 0;

db_error:
    *why = apr_psprintf(p, "Reverb order #%s: a database error interrupted the import; it is "
                        "completed on the next attempt, never duplicated.", o->order_number);
    return 1;
}

/* ---- status changes of imported orders ---- */

/* History, OpenCart status and stock. One Reverb order of a checkout that
 * is cancelled while the others stand only adds history (and its stock). */
/* The stock as the Reverb status wants it: taken while paid, back once
 * cancelled or refunded - unless staff already cancelled the OpenCart order
 * (its status `cur` left OpenCart's committed set: OpenCart restocked). The
 * flag makes each move happen once; when the stock is already right this
 * changes nothing. */
static void rv_stock_follow(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o,
                            const char *product_id, const char *cur)
{
    rv_order_class_t cls = rv_order_classify(o->status);
    if (cls == RV_ORDER_CANCELLED)
        rv_stock_move(c, p, o->order_number, product_id, o->quantity, 0,
                      cur && rv_oc_status_committed(c, p, cur));
    else if (cls == RV_ORDER_PAID)
        rv_stock_move(c, p, o->order_number, product_id, o->quantity, 1, 1);
}

static const char *rv_oc_order_status(rv_ctx_t *c, apr_pool_t *p, const char *order_id)
{
    return rv_db_value(c->db, p, "SELECT order_status_id FROM {P}order WHERE order_id = %s",
                       RV_ARGS(order_id));
}

static int rv_status_change(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *old,
                            const char *order_id, const char *product_id, unsigned lock_at,
                            const char **why)
{
    rv_order_class_t cls = rv_order_classify(o->status);
    const char *status_id = rv_status_for(c, p, o->status), *cur;
    int n = 0, partial = 0;

    if (!rv_bundle_lock_held(c, p, rv_bundle_of(o), lock_at)) {
        *why = apr_psprintf(p, "Reverb order #%s: the database connection was lost; its status "
                            "change is applied on the next attempt.", o->order_number);
        return 1;
    }
    if (old && !strcmp(old, o->status)) {
        /* nothing new - but a process that died right after recording the
         * status may not have moved the stock: the flag says, and moves
         * it now if so (a no-op otherwise) */
        rv_stock_follow(c, p, o, product_id,
                        cls == RV_ORDER_CANCELLED ? rv_oc_order_status(c, p, order_id) : NULL);
        *why = NULL;
        return 0;
    }
    if (rv_db_exec(c->db, p, &n, "UPDATE {P}reverb_order_map SET reverb_status = %s"
                   " WHERE reverb_order_number = %s AND reverb_status = %s",
                   RV_ARGS(o->status, o->order_number, old ? old : "")))
        return 1;
    if (n != 1) {
        *why = NULL;
        return 0;       /* someone else applied it */
    }
    cur = rv_oc_order_status(c, p, order_id);
    rv_stock_follow(c, p, o, product_id, cur);
    if (cls == RV_ORDER_CANCELLED) {
        partial = rv_db_value(c->db, p,
            "SELECT 1 FROM {P}reverb_order_map WHERE order_id = %s AND reverb_order_number <> %s"
            " AND import_state = 'imported' AND reverb_status NOT IN ('cancelled', 'canceled', 'refunded')"
            " LIMIT 1", RV_ARGS(order_id, o->order_number)) != NULL;
    }
    if (!cur) {
        *why = apr_psprintf(p, "Reverb order #%s: %s -> %s (its OpenCart order %s was deleted)",
                            o->order_number, old ? old : "?", o->status, order_id);
        return 0;
    }
    if (partial || !status_id)
        status_id = cur;        /* history only */
    else if (strcmp(cur, status_id))
        rv_db_exec(c->db, p, NULL, "UPDATE {P}order SET order_status_id = %s, date_modified = %s"
                   " WHERE order_id = %s",
                   RV_ARGS(status_id, rv_shop_now(c->db, p, c->conf->store_id), order_id));
    rv_add_history(c, p, order_id, status_id, apr_psprintf(p,
        partial ? "Reverb order #%s (one item of this checkout) is now %s; its stock was put back"
                : "Reverb order #%s is now %s", o->order_number, o->status));
    *why = apr_psprintf(p, "Reverb order #%s: %s -> %s", o->order_number, old ? old : "?", o->status);
    return 0;
}

/* ---- one order, from API truth ---- */

/* Imports or updates one order the API returned. Same return as
 * rv_order_sync. */
static int rv_order_apply(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, rv_order_counts_t *n,
                          const char **why)
{
    rv_order_class_t cls = rv_order_classify(o->status);
    const char *state = NULL, *pid = "0";
    rv_rows_t *rows;
    int stale = 0, rc = 0;
    rv_claim_t claim = RV_CLAIM_BUSY;
    unsigned lock_at;

    *why = NULL;
    lock_at = c->db->resets;
    if (!rv_bundle_lock(c, p, rv_bundle_of(o), 1) || c->db->resets != lock_at) {
        if (c->db->resets != lock_at)       /* taken on a new session, maybe: let it go */
            rv_bundle_lock(c, p, rv_bundle_of(o), 0);
        *why = apr_psprintf(p, "Reverb order #%s: another process is importing this checkout; "
                            "retried shortly.", o->order_number);
        rv_order_log(c, p, o, NULL, 0, 0, *why, NULL);
        n->skipped++;
        return 1;
    }
    if (rv_db_query(c->db, p, &rows,
            "SELECT import_state, order_id, product_id, reverb_status,"
            " (claimed_at IS NULL OR claimed_at < NOW(3) - INTERVAL "
            APR_STRINGIFY(RV_CLAIM_LEASE_S) " SECOND) AS stale"
            " FROM {P}reverb_order_map WHERE reverb_order_number = %s",
            RV_ARGS(o->order_number))) {
        rv_bundle_lock(c, p, rv_bundle_of(o), 0);
        *why = "database error";
        n->failed++;
        return 1;
    }
    if (rows->nrows) {
        state = rv_row_get(rows, 0, "import_state");
        stale = rv_row_int(rows, 0, "stale", 0) == 1;
    }
    if (state && !strcmp(state, "imported")) {
        rc = rv_status_change(c, p, o, rv_row_get(rows, 0, "reverb_status"),
                              rv_row_get(rows, 0, "order_id"), rv_row_get(rows, 0, "product_id"),
                              lock_at, why);
        if (rc == 0 && *why) {
            n->updated++;
            rv_order_log(c, p, o, NULL, rv_row_int(rows, 0, "product_id", 0), 1, *why, NULL);
        }
        else if (rc == 0)
            n->skipped++;
        else
            n->failed++;
    }
    else if (state && !strcmp(state, "waiting") && cls != RV_ORDER_PAID) {
        /* kept for retry, but no longer to be imported: nothing was written */
        rv_db_exec(c->db, p, NULL, "DELETE FROM {P}reverb_order_map WHERE reverb_order_number = %s"
                   " AND import_state = 'waiting' AND order_id = 0", RV_ARGS(o->order_number));
        n->skipped++;
    }
    else if (cls == RV_ORDER_PAID || (state && stale)) {
        /* new and paid, or a half-done import to repair (whatever the
         * status is now: the repair applies it) */
        claim = rv_claim(c, p, o);
        if (claim == RV_CLAIM_NEW || claim == RV_CLAIM_TAKEOVER) {
            rc = rv_import(c, p, o, claim == RV_CLAIM_TAKEOVER, lock_at, why, &pid);
            if (rc == 0) {
                n->imported++;
                rv_order_log(c, p, o, NULL, apr_atoi64(pid), 1, *why, NULL);
                if (!strcmp(pid, "0"))
                    rv_order_log(c, p, o, NULL, 0, 0, apr_psprintf(p,
                        "Reverb order #%s was imported, but no OpenCart product matches its listing %s "
                        "or SKU '%s': the line has product id 0 and no stock was changed. Link the "
                        "product to the listing, or give it that SKU.", o->order_number,
                        *o->listing_id ? o->listing_id : "-", o->sku), NULL);
            }
            else if (rc < 0) {
                rv_claim_wait(c, p, o, pid);
                n->failed++;
                /* the store owner was told when it first had to wait; every
                 * retry saying the same again would bury the log */
                if (state && !strcmp(state, "waiting")) {
                    ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0017) "%s", *why);
                    *why = NULL;
                }
            }
            else {
                rv_claim_stale(c, p, o->order_number);
                n->failed++;
            }
        }
        else if (claim == RV_CLAIM_BUSY) {
            *why = apr_psprintf(p, "Reverb order #%s is being imported by another process.",
                                o->order_number);
            n->skipped++;
            rc = 1;
        }
        else {
            *why = "database error";
            n->failed++;
            rc = 1;
        }
    }
    else {
        /* unpaid, payment pending, in review, blocked: imported once paid;
         * cancelled before it was ever imported: nothing to do */
        n->skipped++;
    }
    rv_bundle_lock(c, p, rv_bundle_of(o), 0);
    if (rc != 0 && *why)
        rv_order_log(c, p, o, NULL, apr_atoi64(pid), 0, *why, NULL);
    return rc;
}

int rv_order_sync(rv_ctx_t *c, apr_pool_t *p, const char *number, rv_order_counts_t *n,
                  const char **why, rv_api_result_t *last)
{
    rv_api_result_t res;
    rv_order_t o;
    const char *err = NULL;
    int rc;

    *why = NULL;
    if (rv_reverb_call(c, p, "GET", apr_pstrcat(p, "my/orders/selling/", rv_url_escape(p, number),
                                                NULL), NULL, &res) != RV_API_OK) {
        rc = res.kind == RV_API_NOT_FOUND ? -1 : rv_api_retryable(res.kind) ? 1 : -1;
        *why = res.kind == RV_API_NOT_FOUND
             ? apr_psprintf(p, "Reverb has no order #%s; nothing imported", number)
             : apr_psprintf(p, "Reverb order #%s could not be read: %s", number,
                            res.message ? res.message : "Reverb request failed");
        if (!rv_api_deferred(&res))
            rv_order_log(c, p, NULL, number, 0, 0, *why, &res);
        if (last)
            *last = res;
        else
            rv_api_result_clear(&res);
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
    if (strcmp(o.order_number, number)) {
        *why = apr_psprintf(p, "Reverb answered order #%s when asked for #%s; nothing imported",
                            o.order_number, number);
        rv_order_log(c, p, NULL, number, 0, 0, *why, NULL);
        n->failed++;
        return -1;
    }
    return rv_order_apply(c, p, &o, n, why);
}

/* ---- polling ---- */

/* An order in the list that could not be read: kept as 'waiting' (nothing
 * written to OpenCart), so cron and "Import now" retry it by its number
 * (rv_orders_requeue). 1 kept (or already kept for a retry), 0 not: its
 * number is unusable, or it is an imported order whose update cannot be
 * read - then the caller holds the watermark before it. */
static int rv_order_keep_unreadable(rv_ctx_t *c, apr_pool_t *p, const char *num)
{
    const char *state;
    size_t i;
    int n = 0;
    if (!num || !*num || strlen(num) > 64)
        return 0;
    for (i = 0; num[i]; i++)
        if (!(apr_isalnum(num[i]) || num[i] == '-' || num[i] == '_'))
            return 0;
    if (rv_db_exec(c->db, p, &n,
            "INSERT IGNORE INTO {P}reverb_order_map (reverb_order_number, order_bundle_id,"
            " reverb_status, quantity, import_state, claimed_at)"
            " VALUES (%s, %s, '', 0, 'waiting', NOW(3))", RV_ARGS(num, num)))
        return 0;
    if (n == 1)
        return 1;
    state = rv_db_value(c->db, p, "SELECT import_state FROM {P}reverb_order_map"
                        " WHERE reverb_order_number = %s", RV_ARGS(num));
    return state && strcmp(state, "imported") != 0;
}

/* The poll's progress between cycles, when one cycle's page cap (or an
 * error) stopped it before the end of Reverb's list: "END NEWEST HOLD"
 * (epochs; -1 for none). The next cycle reads the rest, the orders updated
 * at or before END (updated_end_date); the watermark moves only once the
 * whole list was read, to NEWEST (of the first pass) minus the overlap, and
 * never past HOLD, an order that was seen but could not be handled. */
#define RV_RESUME_KEY "order_poll_resume"

int rv_orders_poll(rv_ctx_t *c, apr_pool_t *p, rv_order_counts_t *n)
{
    const char *since = rv_setting(c->settings, "order_last_sync", NULL), *path;
    const char *resume = rv_setting(c->settings, RV_RESUME_KEY, "");
    long long since_epoch = 0, newest = -1, oldest = -1, hold = -1, end = -1;
    long long now = (long long)apr_time_sec(apr_time_now());
    rv_api_result_t res;
    int pages = 0, blocked = 0;

    if (!since || !*since || rv_iso_epoch(since, &since_epoch)) {
        since_epoch = now - RV_ORDERS_FIRST_WINDOW_S;
        since = rv_iso_format(p, since_epoch);
    }
    if (resume && *resume && sscanf(resume, "%lld %lld %lld", &end, &newest, &hold) != 3)
        end = newest = hold = -1;
    path = apr_pstrcat(p, "my/orders/selling/all?updated_start_date=", rv_url_escape(p, since),
                       end >= 0 ? "&updated_end_date=" : "",
                       /* one second on: whether Reverb's end is inclusive or
                        * not, the orders of that very second are read again */
                       end >= 0 ? rv_url_escape(p, rv_iso_format(p, end + 1)) : "",
                       "&per_page=50", NULL);
    if (end >= 0)
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0036) "order poll continues with the "
                     "orders updated up to %s", rv_iso_format(p, end));
    while (path && pages < RV_POLL_MAX_PAGES) {
        json_object *orders;
        const char *next, *bad = NULL;
        size_t i, cnt;
        apr_pool_t *pp;
        pages++;
        if (rv_reverb_call(c, p, "GET", path, NULL, &res) == RV_API_OK
            && rv_shape_page(p, res.json, "orders", &orders, &next, &bad)) {
            rv_order_log(c, p, NULL, NULL, 0, 0, apr_pstrcat(p,
                         "Reverb's order list could not be read: ", bad, NULL), NULL);
            rv_api_result_clear(&res);
            return -1;
        }
        if (res.kind != RV_API_OK) {
            int deferred = rv_api_deferred(&res);
            if (deferred)       /* not an error: the next cycle polls */
                ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0018) "order poll held back by "
                             "the rate limit (ReverbRateLimit); the next cycle polls");
            else
                rv_order_log(c, p, NULL, NULL, 0, 0, apr_pstrcat(p,
                             "Reverb's order list could not be read: ",
                             res.message ? res.message : "request failed", NULL), &res);
            rv_api_result_clear(&res);
            return deferred ? 1 : -1;
        }
        cnt = rv_json_len(orders);
        apr_pool_create(&pp, p);
        for (i = 0; i < cnt; i++) {
            json_object *oj = rv_json_idx(orders, i);
            const char *err = NULL, *why = NULL, *num = rv_json_str(oj, "order_number");
            rv_order_t o;
            long long t = -1;
            int handled = 1;
            apr_pool_clear(pp);
            if (!rv_json_str(oj, "updated_at") || rv_iso_epoch(rv_json_str(oj, "updated_at"), &t))
                t = -1;
            if (t >= 0 && end < 0 && t > newest)
                newest = t;     /* a continued pass keeps its first pass's */
            if (t >= 0 && (oldest < 0 || t < oldest))
                oldest = t;
            if (rv_order_parse(pp, oj, &o, &err)) {
                handled = rv_order_keep_unreadable(c, pp, num);
                rv_order_log(c, pp, NULL, num && strlen(num) <= 64 ? num : NULL, 0, 0,
                             apr_psprintf(pp, "An order in Reverb's list could not be read: %s%s",
                                          err, handled ? "; it is kept and retried"
                                                       : "; the order poll reads it again next time"),
                             NULL);
                n->failed++;
            }
            /* unchanged since it was applied: nothing to do, no lock */
            else if (rv_db_value(c->db, pp, "SELECT 1 FROM {P}reverb_order_map"
                                 " WHERE reverb_order_number = %s"
                                 " AND import_state = 'imported' AND reverb_status = %s",
                                 RV_ARGS(o.order_number, o.status))) {
                n->skipped++;
            }
            else if (rv_order_apply(c, pp, &o, n, &why) > 0)
                /* retried as a job; if even that cannot be recorded, the
                 * poll must come back for it */
                handled = rv_queue_add(c->db, pp, "order", o.order_number, RV_PRIO_ORDER, 0) == 0;
            if (!handled) {
                if (t < 0)
                    blocked = 1;
                else if (hold < 0 || t < hold)
                    hold = t;
            }
        }
        apr_pool_destroy(pp);
        path = next;
        rv_api_result_clear(&res);
    }
    if (path) {
        /* the page cap stopped this cycle: the next one reads on from the
         * oldest order seen (newest first), the watermark stays */
        if (oldest < 0 || blocked) {
            rv_order_log(c, p, NULL, NULL, 0, 0, "Reverb's order list is too long to read in one "
                         "cycle and its dates could not be read; the next cycle reads it again "
                         "from the start.", NULL);
            rv_setting_save(c->db, p, c->conf->store_id, RV_RESUME_KEY, "", 0);
            return 0;
        }
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0038) "order poll read %d pages; the next "
                     "cycle reads the orders updated up to %s", pages, rv_iso_format(p, oldest));
        rv_setting_save(c->db, p, c->conf->store_id, RV_RESUME_KEY,
                        apr_pstrcat(p, rv_i64(p, oldest), " ", rv_i64(p, newest), " ",
                                    rv_i64(p, hold), NULL), 0);
        return 0;
    }
    if (*resume)
        rv_setting_save(c->db, p, c->conf->store_id, RV_RESUME_KEY, "", 0);
    /* Reverb's clock, not ours: the newest change seen, minus an overlap
     * for changes committed late; orders are idempotent, so overlap is
     * harmless. Never past an order that was not handled (it is read
     * again), never backwards. */
    if (!blocked) {
        long long to = newest - RV_ORDERS_OVERLAP_S;
        if (hold >= 0 && hold - 1 < to)
            to = hold - 1;
        if (newest >= 0 && to > since_epoch)
            since_epoch = to;
    }
    rv_setting_save(c->db, p, c->conf->store_id, "order_last_sync", rv_iso_format(p, since_epoch), 0);
    return 0;
}

int rv_orders_requeue(rv_ctx_t *c, apr_pool_t *p, int force)
{
    rv_rows_t *rows;
    int i;
    if (rv_db_query(c->db, p, &rows,
            "SELECT reverb_order_number FROM {P}reverb_order_map"
            " WHERE (import_state = 'claimed' AND (claimed_at IS NULL OR claimed_at < NOW(3) - INTERVAL "
            APR_STRINGIFY(RV_CLAIM_LEASE_S) " SECOND))"
            "  OR (import_state = 'waiting' AND (%s = '1' OR (claimed_at < NOW(3) - INTERVAL "
            APR_STRINGIFY(RV_WAIT_RETRY_S) " SECOND AND created_at > NOW() - INTERVAL "
            APR_STRINGIFY(RV_WAIT_GIVE_UP_DAYS) " DAY)))"
            " ORDER BY claimed_at LIMIT 50", RV_ARGS(force ? "1" : "0")))
        return -1;
    for (i = 0; i < rows->nrows; i++) {
        const char *num = rows->rows[i][0];
        rv_queue_add(c->db, p, "order", num, RV_PRIO_ORDER, 0);
        /* the next automatic retry of a waiting order is in RV_WAIT_RETRY_S */
        rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET claimed_at = NOW(3)"
                   " WHERE reverb_order_number = %s AND import_state = 'waiting'", RV_ARGS(num));
    }
    return rows->nrows;
}

rv_job_result_t rv_order_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_order_counts_t n = { 0, 0, 0, 0 };
    const char *why = NULL;
    rv_api_result_t last;
    rv_job_result_t r = { RV_JOB_DONE, 0, NULL };
    int rc;
    if (!rv_orders_import_on(c->db, c->s, c->settings, c->conf->store_id, p, 0))
        return r;               /* queued before the switch went off: nothing imported */
    memset(&last, 0, sizeof(last));
    last.retry_after_s = -1;
    rc = rv_order_sync(c, p, job->ref, &n, &why, &last);
    if (rc > 0 && rv_api_deferred(&last)) {
        r.outcome = RV_JOB_DEFER;
        r.delay_ms = (last.retry_after_s > 0 ? last.retry_after_s : 1) * 1000;
        r.error = why;
    }
    else if (rc > 0) {
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
    rv_ctx_t *c;
    rv_order_counts_t n = { 0, 0, 0, 0 };
    json_object *in, *out;
    const char *owner = apr_psprintf(p, "admin-import:%d:%" APR_TIME_T_FMT, (int)getpid(),
                                     apr_time_now());
    rv_job_t job;
    int guard = 0;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    if (!c->api)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token in the settings first.");
    if (!rv_setting_order_import(q->settings))
        return rv_http_error(q->r, HTTP_CONFLICT, "order_import_off",
                             "Order import is off in the settings. Turn it on to import Reverb "
                             "orders.");
    /* orders kept for retry (e.g. a currency added since) go now */
    rv_orders_requeue(c, p, 1);
    switch (rv_orders_poll(c, p, &n)) {
    case 0:
        break;
    case 1:
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "rate_limited",
                             "The Reverb request limit for this minute is used up by the "
                             "running sync. Try again in a minute.");
    default:
        return rv_http_error(q->r, HTTP_BAD_GATEWAY, "reverb_unreachable",
                             "Reverb's order list could not be read. See the sync log.");
    }
    /* and whatever webhooks or earlier attempts queued, in this request */
    while (guard++ < 200) {
        apr_pool_t *jp;
        int got;
        apr_pool_create(&jp, p);
        got = rv_queue_claim_kind(q->db, jp, owner, 60, "order", &job);
        if (got == 1) {
            const char *why = NULL;
            int rc;
            rv_job_note_takeover(q->db, jp, &job);
            rc = rv_order_sync(c, jp, job.ref, &n, &why, NULL);
            if (rc == 0)
                rv_queue_done(q->db, jp, &job);
            else if (rc > 0 && job.attempts < RV_JOB_MAX_ATTEMPTS)
                rv_queue_retry(q->db, jp, &job, 2000, why);
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

/* The order panel's routes (GET admin/orders/#, POST admin/orders/#/ship) are in
 * src/routes/orders.c. */
