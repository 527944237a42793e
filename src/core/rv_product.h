/* rv_product.h: an OpenCart product (plain struct filled by the engine from
 * oc_product, oc_product_description, oc_product_image, oc_manufacturer and
 * the reverb_product_map row) -> the Reverb listing body.
 *
 * Decisions:
 *  - title: name entity-decoded, whitespace collapsed to one line, trimmed,
 *    at most 255 characters. description: rv_html_to_text().
 *  - make, model, finish, year, handedness, number_of_strings: from the
 *    sources the field mapping chooses (rv_fieldmap.h; by default make is
 *    oc_manufacturer.name and model oc_product.model, else mpn). Reverb
 *    needs a make to save even a draft: a product without one cannot be
 *    listed, and the error names it and says what to do (no made-up make).
 *    An empty model, finish, handedness, a year that is not 4 digits, a
 *    number of strings that is not 1..99 are left out.
 *  - sku/model/mpn/upc/ean are entity-decoded too (OpenCart stores every
 *    posted field htmlspecialchars-encoded). upc falls back to ean; with a
 *    code "upc_does_not_apply" is false, without one it is the map row's.
 *  - inventory (Reverb's rules): Brand New, B-Stock and Mint (with
 *    inventory) carry the real quantity with has_inventory true; every
 *    other condition is one of a kind: has_inventory false and inventory
 *    min(quantity, 1). Negative stock counts as 0. Reverb ignores inventory
 *    when has_inventory is false, so the engine ends one-of-a-kind listings
 *    itself when stock reaches 0.
 *  - price: the active special when use_special and it parses as > 0, else
 *    oc_product.price; "1299.0000" -> "1299.00" (half away from zero).
 *  - create: every field is sent (title and price are mandatory on Reverb),
 *    photos included, and "publish" is true only when auto_publish, status
 *    is 1 and inventory > 0 (publishing at 0 fails), else false (a draft).
 *    update: title/description/price/stock only when their sync toggle is
 *    on; never photos or publish (see rv_listing_attach_photos).
 *  - condition, categories, make, model, sku, upc, handmade and shipping are
 *    always sent; they come from the map row or are identifying data.
 *    Shipping: see rv_shipping.h. offers_enabled: the product's choice,
 *    else the shop's setting, else not sent (Reverb's default is on).
 *  - stock_buffer: the inventory is computed from quantity - stock_buffer
 *    (never below 0), so a buffer that leaves nothing makes a one-of-a-kind
 *    item "sold out" exactly as a sale does.
 */
#ifndef RV_PRODUCT_H
#define RV_PRODUCT_H

#include <apr_pools.h>
#include <json-c/json.h>
#include "rv_fieldmap.h"

#define RV_COND_BRAND_NEW   "7c3f45de-2ae0-4c81-8400-fdb6b1d74890"
#define RV_COND_B_STOCK     "9225283f-60c2-4413-ad18-1f5eba7a856f"
#define RV_COND_MINT_INVENTORY "6db7df88-293b-4017-a1c1-cdb5e599fa1a"  /* "Mint (with inventory)" */
#define RV_COND_MINT        "ac5b9c1e-dc78-466d-b0b3-7cf712967a48"  /* one of a kind */
#define RV_COND_EXCELLENT   "df268ad1-c462-4ba6-b6db-e007e23922ea"
#define RV_COND_VERY_GOOD   "ae4d9114-1bd7-4ec5-a4ba-6653af5ac84d"
#define RV_COND_GOOD        "f7a3f48c-972a-44c6-b01a-0cd27488d3f6"
#define RV_COND_FAIR        "98777886-76d0-44c8-865e-bb40e669e934"
#define RV_COND_POOR        "6a9dfcad-600b-46c8-9e08-ce6e5057921e"
#define RV_COND_NON_FUNCTIONING "fbf35668-96a0-4baa-bcde-ab18d6b1b329"

#define RV_TITLE_MAX 255

typedef struct {
    long long product_id;
    const char *name;            /* oc_product_description.name, entity-encoded as stored */
    const char *description;     /* entity-encoded HTML as stored */
    const char *model, *sku, *upc, *ean, *mpn;
    const char *manufacturer;    /* make; may be NULL/"" */
    const char *price;           /* oc_product.price decimal string e.g. "1299.0000" */
    const char *special_price;   /* active special or NULL */
    long long quantity;          /* may be 0 or negative */
    int status;                  /* oc_product.status */
    const char *image;           /* main image path relative to image/, may be NULL/"" */
    const char **images; int n_images; /* oc_product_image paths already ordered by sort_order */
    /* map row */
    const char *condition_uuid;  /* NULL: default condition */
    const char *category_uuid;   /* resolved: override, else mapped category, may be NULL */
    int handmade, upc_does_not_apply;
    /* the product's own shipping and offers choices, NULL follows the shop */
    const char *shipping_profile_id; /* digits, or NULL/"" */
    const char *local_pickup;        /* "0"/"1", or NULL */
    const char *offers_enabled;      /* "0"/"1", or NULL */
    long long stock_buffer;          /* the stock_buffer setting: list at most quantity - N, never below 0 */
    /* field mapping: per field, the text of the attribute it comes from
     * (as stored, entity-encoded), NULL when the product has none */
    const char *attr[RV_FM_N];
} rv_product_t;

typedef struct {
    const char *currency;        /* store currency, e.g. "AUD" */
    const char *store_url;       /* e.g. "https://shop.example.com/" (with or without trailing slash) */
    const char *default_condition_uuid;
    const char *shipping_profile_id; /* NULL/"" -> none */
    const char *shipping_rates_json; /* optional JSON array for shipping.rates, NULL -> none */
    int use_special;             /* push the active special as the price */
    int sync_title, sync_description, sync_price, sync_stock, sync_images; /* per-field toggles */
    int auto_publish;
    /* the shop's shipping and offers settings, NULL when never set */
    const char *offers_enabled;      /* "0"/"1": "offers_enabled" in every body; NULL: not sent */
    const char *local_pickup;        /* "0"/"1" (see rv_shipping.h) */
    const char *shipping_rate_au, *shipping_rate_xx; /* amounts in the shop currency, or NULL/"" */
    const rv_fieldmap_t *fieldmap; /* NULL: the defaults (rv_fieldmap_default) */
} rv_push_opts_t;

/* The listing body, a new json_object the caller puts; NULL with *err in
 * plain words when the product cannot be listed at all: no SKU, no valid
 * price (> 0), no make (the message names the product and what to do), no
 * condition (neither the product's nor the default), no
 * title (create), no currency, or shipping_rates_json not a JSON array. */
json_object *rv_listing_build(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o,
                              int for_create, const char **err);

/* SHA-256 hex of rv_json_canonical(body): same content, same hash. Store
 * the hash of the update body (for_create = 0) to detect changes. */
const char *rv_listing_hash(apr_pool_t *p, json_object *body);

/* Absolute photo URLs: store_url + "image/" + percent-encoded path (only
 * unreserved characters and '/' kept; a space is %20), main image first,
 * then the others in order, empty entries and duplicates dropped. A new
 * array (possibly empty; empty as well when store_url is NULL/""). */
json_object *rv_listing_photos(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o);

/* SHA-256 hex of the photo URL list (one per line): send photos on update
 * only when this changes. */
const char *rv_photos_hash(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o);

/* Adds "photos" to an update body, with photo_upload_method
 * "override_position" so the list replaces and orders the set instead of
 * appending. Returns the number of photos added (0: nothing added). */
int rv_listing_attach_photos(apr_pool_t *p, json_object *body, const rv_product_t *prod,
                             const rv_push_opts_t *o);

/* Whether the condition may carry inventory > 1. */
int rv_condition_multi_quantity(const char *condition_uuid);

/* The SKU as sent to Reverb (entity-decoded, trimmed), "" when none: use
 * the same value for /my/listings?sku= lookups. */
const char *rv_product_sku(apr_pool_t *p, const rv_product_t *prod);

/* The price as sent ("1299.00"), or NULL when there is no valid price. */
const char *rv_product_price(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o);

/* A mapped field's value from its source (entity-decoded, one line,
 * trimmed; "" when the source is empty or the field is not mapped), before
 * the year / number-of-strings checks. */
const char *rv_product_field(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o,
                             rv_fm_field_t field);

/* The inventory as sent (see the rules above). */
long long rv_product_inventory(const rv_product_t *prod, const char *condition_uuid);

#endif
