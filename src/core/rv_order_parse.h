/* rv_order_parse.h: one Reverb order (GET /my/orders/selling/{n})
 * -> a plain struct the engine turns into OpenCart order rows.
 *
 * Strings are copied into the pool and never NULL after a successful parse
 * ("" when absent). They are plain text (not OpenCart-escaped), with
 * whitespace collapsed and trimmed; rv_order_oc_strings() gives the escaped
 * and column-fitted copies for the INSERTs.
 *
 * Money: the amount_* fields (seller currency), never presentment_*.
 * amount is normalised to two decimals ("5999.00"), cents derived from it
 * (amount_cents only when amount is missing). Every money field present
 * must be in the order's currency. Missing shipping/tax count as 0, a
 * missing subtotal is unit x quantity, a missing total (cancelled orders
 * have none) is subtotal + shipping + tax.
 * Unit price: amount_product; when it is missing, or equals the subtotal
 * while quantity > 1 (a line total, not a unit price), subtotal / quantity
 * (4 decimals when it does not divide evenly).
 */
#ifndef RV_ORDER_PARSE_H
#define RV_ORDER_PARSE_H

#include <apr_pools.h>
#include <json-c/json.h>

#include "rv_order_status.h"

typedef struct { const char *amount; long long cents; const char *currency; } rv_money_t;

typedef struct {
    const char *order_number, *bundle_id, *listing_id, *sku, *title, *status;
    long long quantity;
    rv_money_t unit_price, subtotal, shipping, tax, total;
    const char *first_name, *last_name, *email, *phone;
    const char *street, *extended, *city, *region, *postcode, *country_code;
    const char *created_at, *paid_at;
    /* additions */
    const char *ship_first_name, *ship_last_name; /* shipping_address.name split, else buyer */
    const char *currency;              /* the order's currency, e.g. "AUD" */
    const char *updated_at;
    const char *tax_responsible_party; /* "reverb" (marketplace collects) | "seller" | "" */
    const char *shipping_method;       /* "shipped" | "local" | "" */
    int local_pickup;
    long long remaining_listing_inventory; /* -1 when absent */
} rv_order_t;

/* Parses one order object (or {"order": {...}} as some webhook bodies are
 * wrapped). Returns 0, or -1 with *err in plain words: not an object,
 * order_number missing or not [A-Za-z0-9_-]{1,64} (it goes into API URLs),
 * bundle/listing id malformed, quantity missing or outside 1..1000000,
 * a money field malformed or negative, no product amount, no currency or
 * mixed currencies.
 * Names: buyer_first_name/buyer_last_name; else buyer_name, else
 * shipping_address.name, split at the last space. */
int rv_order_parse(apr_pool_t *p, json_object *o, rv_order_t *out, const char **err);

/* The checkout an order belongs to: its order_bundle_id, else (an order
 * bought alone) its own number. All orders of one checkout become one
 * OpenCart order. */
static inline const char *rv_order_bundle(const rv_order_t *o)
{
    return o->bundle_id && *o->bundle_id ? o->bundle_id : o->order_number;
}

/* The order's strings the way OpenCart stores them: rv_oc_escape'd and cut
 * to the column sizes (characters, entities never split); with strip_4byte
 * (utf8mb3 shops) emoji are removed first. */
#define RV_OC_NAME_MAX 32
#define RV_OC_EMAIL_MAX 96
#define RV_OC_PHONE_MAX 32
#define RV_OC_COMPANY_MAX 60
#define RV_OC_ADDRESS_MAX 128
#define RV_OC_POSTCODE_MAX 10
#define RV_OC_PRODUCT_NAME_MAX 255
#define RV_OC_MODEL_MAX 64

typedef struct {
    const char *firstname, *lastname;                   /* oc_order.firstname/lastname, payment_* */
    const char *shipping_firstname, *shipping_lastname;
    const char *email, *telephone;
    const char *company;                                /* always "" */
    const char *address_1, *address_2, *city, *postcode;
    const char *zone;                                   /* region text for *_zone */
    const char *product_name;                           /* oc_order_product.name (title) */
    const char *model;                                  /* oc_order_product.model (sku) */
} rv_order_oc_t;

void rv_order_oc_strings(apr_pool_t *p, const rv_order_t *o, int strip_4byte, rv_order_oc_t *out);

/* amount * to_value / from_value with OpenCart currency values
 * (oc_currency.value is relative to the default currency, whose value is
 * 1): to the default currency pass to_value "1". Exact decimal arithmetic
 * (fixed point, 128-bit intermediates), rounded half away from zero to 4
 * decimals as decimal(15,4) stores. Returns 0, or -1 on malformed input,
 * a value <= 0 or overflow. */
int rv_money_convert(const char *amount, const char *from_value, const char *to_value, char out[32]);

#endif
