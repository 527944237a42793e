/* rv_product.c: see rv_product.h. */
#include "rv_product.h"
#include "rv_decimal.h"
#include "rv_json.h"
#include "rv_sha256.h"
#include "rv_shipping.h"
#include "rv_text.h"

#include <string.h>
#include <strings.h>
#include <apr_escape.h>
#include <apr_strings.h>

static int rv_has(const char *s)
{
    return s && *s;
}

/* A stored OpenCart text field as plain one-line text. */
static const char *rv_plain(apr_pool_t *p, const char *stored)
{
    return rv_text_oneline(p, rv_entity_decode(p, stored));
}

const char *rv_product_sku(apr_pool_t *p, const rv_product_t *prod)
{
    return rv_plain(p, prod ? prod->sku : NULL);
}

static int rv_positive_price(const char *s, rv_dec_t *v)
{
    return rv_has(s) && rv_dec_parse(s, v) == 0 && *v > 0;
}

const char *rv_product_price(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o)
{
    char buf[RV_DEC_BUF];
    rv_dec_t v;
    if (!prod)
        return NULL;
    if (!(o && o->use_special && rv_positive_price(prod->special_price, &v))
        && !rv_positive_price(prod->price, &v))
        return NULL;
    rv_dec_format(v, 2, buf);
    return apr_pstrdup(p, buf);
}

int rv_condition_multi_quantity(const char *uuid)
{
    return uuid && (!strcasecmp(uuid, RV_COND_BRAND_NEW) || !strcasecmp(uuid, RV_COND_B_STOCK)
                    || !strcasecmp(uuid, RV_COND_MINT_INVENTORY));
}

long long rv_product_inventory(const rv_product_t *prod, const char *condition_uuid)
{
    long long q = prod && prod->quantity > 0 ? prod->quantity : 0;
    if (prod && prod->stock_buffer > 0)
        q = q > prod->stock_buffer ? q - prod->stock_buffer : 0;
    if (rv_condition_multi_quantity(condition_uuid))
        return q;
    return q > 0 ? 1 : 0;          /* one of a kind */
}

static const char *rv_condition_of(const rv_product_t *prod, const rv_push_opts_t *o)
{
    if (rv_has(prod->condition_uuid))
        return prod->condition_uuid;
    return rv_has(o->default_condition_uuid) ? o->default_condition_uuid : NULL;
}

static const char *rv_title_of(apr_pool_t *p, const rv_product_t *prod)
{
    /* truncating may leave a trailing space: tidy once more */
    return rv_text_oneline(p, rv_utf8_truncate(p, rv_plain(p, prod->name), RV_TITLE_MAX));
}

/* ----------------------------------------------------------------- photos */

static int rv_url_safe(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
}

static const char *rv_photo_url(apr_pool_t *p, const char *base, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t blen = strlen(base), i = 0;
    char *url, *w;
    while (*path == '/')
        path++;
    if (!*path)
        return NULL;
    url = apr_palloc(p, blen + 1 + strlen("image/") + 3 * strlen(path) + 1);
    memcpy(url, base, blen);
    w = url + blen;
    if (blen == 0 || base[blen - 1] != '/')
        *w++ = '/';
    memcpy(w, "image/", 6);
    w += 6;
    for (; path[i]; i++) {
        unsigned char c = (unsigned char)path[i];
        if (rv_url_safe(c)) {
            *w++ = (char)c;
        } else {
            *w++ = '%';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        }
    }
    *w = '\0';
    return url;
}

static int rv_array_has_string(json_object *arr, const char *s)
{
    size_t i, n = json_object_array_length(arr);
    for (i = 0; i < n; i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), s))
            return 1;
    return 0;
}

static void rv_add_photo(apr_pool_t *p, json_object *arr, const char *base, const char *path)
{
    const char *url;
    if (!rv_has(path) || !(url = rv_photo_url(p, base, path)) || rv_array_has_string(arr, url))
        return;
    json_object_array_add(arr, json_object_new_string(url));
}

json_object *rv_listing_photos(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o)
{
    json_object *arr = json_object_new_array();
    int i;
    if (!prod || !o || !rv_has(o->store_url))
        return arr;
    rv_add_photo(p, arr, o->store_url, prod->image);
    for (i = 0; prod->images && i < prod->n_images; i++)
        rv_add_photo(p, arr, o->store_url, prod->images[i]);
    return arr;
}

const char *rv_photos_hash(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o)
{
    json_object *arr = rv_listing_photos(p, prod, o);
    size_t i, n = json_object_array_length(arr);
    rv_sha256_ctx c;
    unsigned char d[32];
    rv_sha256_init(&c);
    for (i = 0; i < n; i++) {
        const char *url = json_object_get_string(json_object_array_get_idx(arr, i));
        rv_sha256_update(&c, url, strlen(url));
        rv_sha256_update(&c, "\n", 1);
    }
    rv_sha256_final(&c, d);
    json_object_put(arr);
    return apr_pescape_hex(p, d, sizeof(d), 0);
}

int rv_listing_attach_photos(apr_pool_t *p, json_object *body, const rv_product_t *prod,
                             const rv_push_opts_t *o)
{
    json_object *arr = rv_listing_photos(p, prod, o);
    int n = (int)json_object_array_length(arr);
    if (n == 0 || !body) {
        json_object_put(arr);
        return 0;
    }
    json_object_object_add(body, "photos", arr);
    json_object_object_add(body, "photo_upload_method", json_object_new_string("override_position"));
    return n;
}

/* ------------------------------------------------------------------- body */

static void rv_add_str(json_object *o, const char *key, const char *val)
{
    json_object_object_add(o, key, json_object_new_string(val));
}

static json_object *rv_uuid_object(const char *uuid)
{
    json_object *o = json_object_new_object();
    rv_add_str(o, "uuid", uuid);
    return o;
}

static void rv_add_price(json_object *body, const char *amount, const char *currency)
{
    json_object *price = json_object_new_object();
    rv_add_str(price, "amount", amount);
    rv_add_str(price, "currency", currency);
    json_object_object_add(body, "price", price);
}

/* ---------------------------------------------------------- field mapping */

static const rv_fieldmap_t *rv_map_of(const rv_push_opts_t *o)
{
    /* rv_fieldmap_default(), as a constant */
    static const rv_fieldmap_t dflt = {
        { RV_SRC_MANUFACTURER, RV_SRC_MODEL, RV_SRC_NONE, RV_SRC_NONE, RV_SRC_NONE, RV_SRC_NONE },
        { NULL, NULL, NULL, NULL, NULL, NULL }
    };
    return o && o->fieldmap ? o->fieldmap : &dflt;
}

const char *rv_product_field(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o,
                             rv_fm_field_t field)
{
    const rv_fieldmap_t *m = rv_map_of(o);
    const char *v;
    if (!prod || (int)field < 0 || field >= RV_FM_N)
        return "";
    switch (m->source[field]) {
    case RV_SRC_MANUFACTURER: return rv_plain(p, prod->manufacturer);
    case RV_SRC_MPN:          return rv_plain(p, prod->mpn);
    case RV_SRC_SKU:          return rv_plain(p, prod->sku);
    case RV_SRC_ATTRIBUTE:    return rv_plain(p, prod->attr[field]);
    case RV_SRC_MODEL:
        v = rv_plain(p, prod->model);
        return *v ? v : rv_plain(p, prod->mpn);     /* OpenCart requires a model */
    default:
        return "";
    }
}

/* "Fender Strat" has no make: what to do, for the sync log and last_error. */
static const char *rv_no_make(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o)
{
    const rv_fieldmap_t *m = rv_map_of(o);
    const char *name = rv_plain(p, prod->name);
    const char *who = *name ? apr_psprintf(p, "\"%s\"", rv_utf8_truncate(p, name, 80))
                            : apr_psprintf(p, "product %" APR_INT64_T_FMT, (apr_int64_t)prod->product_id);
    if (m->source[RV_FM_MAKE] == RV_SRC_ATTRIBUTE)
        return apr_psprintf(p, "%s has no make: its \"%s\" attribute is empty or missing. Fill "
                            "it in on the product's Attribute tab in OpenCart, or choose another "
                            "source for Make under Reverb > Settings > Field mapping.", who,
                            m->attribute[RV_FM_MAKE] ? m->attribute[RV_FM_MAKE] : "");
    return apr_psprintf(p, "%s has no make: it has no manufacturer. Choose its manufacturer on "
                        "the product's Links tab in OpenCart, or take Make from an attribute "
                        "under Reverb > Settings > Field mapping.", who);
}

/* finish, year, handedness, number_of_strings when mapped and valid. */
static void rv_add_mapped(apr_pool_t *p, json_object *body, const rv_product_t *prod,
                          const rv_push_opts_t *o)
{
    const char *finish = rv_product_field(p, prod, o, RV_FM_FINISH);
    const char *year = rv_fm_year(p, rv_product_field(p, prod, o, RV_FM_YEAR));
    const char *hand = rv_product_field(p, prod, o, RV_FM_HANDEDNESS);
    int strings = rv_fm_strings(rv_product_field(p, prod, o, RV_FM_STRINGS));
    if (*finish)
        rv_add_str(body, "finish", finish);
    if (year)
        rv_add_str(body, "year", year);
    if (*hand)
        rv_add_str(body, "handedness", hand);
    if (strings > 0)
        json_object_object_add(body, "number_of_strings", json_object_new_int(strings));
}

static void rv_add_identity(apr_pool_t *p, json_object *body, const rv_product_t *prod,
                            const rv_push_opts_t *o, const char *sku)
{
    const char *make = rv_product_field(p, prod, o, RV_FM_MAKE);
    const char *model = rv_product_field(p, prod, o, RV_FM_MODEL);
    const char *upc = rv_plain(p, prod->upc);
    if (!*upc)
        upc = rv_plain(p, prod->ean);
    rv_add_str(body, "make", make);     /* never empty: see rv_listing_problem */
    if (*model)
        rv_add_str(body, "model", model);
    rv_add_mapped(p, body, prod, o);
    rv_add_str(body, "sku", sku);
    if (*upc) {
        rv_add_str(body, "upc", upc);
        json_object_object_add(body, "upc_does_not_apply", json_object_new_boolean(0));
    } else {
        json_object_object_add(body, "upc_does_not_apply",
                               json_object_new_boolean(prod->upc_does_not_apply ? 1 : 0));
    }
    json_object_object_add(body, "handmade", json_object_new_boolean(prod->handmade ? 1 : 0));
}

static void rv_add_inventory(json_object *body, const rv_product_t *prod, const char *condition)
{
    json_object_object_add(body, "has_inventory",
                           json_object_new_boolean(rv_condition_multi_quantity(condition)));
    json_object_object_add(body, "inventory",
                           json_object_new_int64(rv_product_inventory(prod, condition)));
}

/* See rv_shipping.h; offers_enabled: the product's, else the shop's. */
static int rv_add_shipping(apr_pool_t *p, json_object *body, const rv_product_t *prod,
                           const rv_push_opts_t *o, const char **err)
{
    const char *offers = prod->offers_enabled && (!strcmp(prod->offers_enabled, "0")
                                                  || !strcmp(prod->offers_enabled, "1"))
                       ? prod->offers_enabled : o->offers_enabled;
    if (offers && (!strcmp(offers, "0") || !strcmp(offers, "1")))
        json_object_object_add(body, "offers_enabled", json_object_new_boolean(*offers == '1'));
    return rv_shipping_add(p, body, prod->shipping_profile_id, prod->local_pickup,
                           o->shipping_profile_id, o->local_pickup, o->shipping_rate_au,
                           o->shipping_rate_xx, o->shipping_rates_json, o->currency, err);
}

/* Everything that makes a product unlistable, checked before any JSON. */
static const char *rv_listing_problem(apr_pool_t *p, const rv_product_t *prod,
                                      const rv_push_opts_t *o, int for_create)
{
    if (!*rv_product_sku(p, prod))
        return "the product has no SKU (Reverb matches listings by SKU)";
    if (!rv_product_price(p, prod, o))
        return "the product has no price above 0";
    if (!rv_has(o->currency))
        return "no store currency is configured";
    if (!rv_condition_of(prod, o))
        return "no condition: set one on the product or a default condition";
    if (!*rv_product_field(p, prod, o, RV_FM_MAKE))
        return rv_no_make(p, prod, o);
    if ((for_create || o->sync_title) && !*rv_title_of(p, prod))
        return "the product has no name";
    return NULL;
}

static void rv_add_create_only(apr_pool_t *p, json_object *body, const rv_product_t *prod,
                               const rv_push_opts_t *o, const char *condition)
{
    json_object *photos = rv_listing_photos(p, prod, o);
    int publish = o->auto_publish && prod->status == 1
                  && rv_product_inventory(prod, condition) > 0;
    if (json_object_array_length(photos) > 0)
        json_object_object_add(body, "photos", photos);
    else
        json_object_put(photos);
    json_object_object_add(body, "publish", json_object_new_boolean(publish));
}

json_object *rv_listing_build(apr_pool_t *p, const rv_product_t *prod, const rv_push_opts_t *o,
                              int for_create, const char **err)
{
    const char *problem, *condition, *dummy;
    json_object *body, *cats;
    if (!err)
        err = &dummy;
    *err = NULL;
    if (!prod || !o) {
        *err = "no product or options";
        return NULL;
    }
    if ((problem = rv_listing_problem(p, prod, o, for_create))) {
        *err = problem;
        return NULL;
    }
    condition = rv_condition_of(prod, o);
    body = json_object_new_object();
    if (for_create || o->sync_title)
        rv_add_str(body, "title", rv_title_of(p, prod));
    if (for_create || o->sync_description)
        rv_add_str(body, "description", rv_html_to_text(p, prod->description));
    if (for_create || o->sync_price)
        rv_add_price(body, rv_product_price(p, prod, o), o->currency);
    json_object_object_add(body, "condition", rv_uuid_object(condition));
    if (rv_has(prod->category_uuid)) {
        cats = json_object_new_array();
        json_object_array_add(cats, rv_uuid_object(prod->category_uuid));
        json_object_object_add(body, "categories", cats);
    }
    rv_add_identity(p, body, prod, o, rv_product_sku(p, prod));
    if (for_create || o->sync_stock)
        rv_add_inventory(body, prod, condition);
    if (rv_add_shipping(p, body, prod, o, err)) {
        json_object_put(body);
        return NULL;
    }
    if (for_create)
        rv_add_create_only(p, body, prod, o, condition);
    return body;
}

const char *rv_listing_hash(apr_pool_t *p, json_object *body)
{
    const char *canon = rv_json_canonical(p, body);
    char *hex = apr_palloc(p, 65);
    rv_sha256_hex(canon, strlen(canon), hex);
    return hex;
}
