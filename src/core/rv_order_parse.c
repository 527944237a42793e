/* rv_order_parse.c: see rv_order_parse.h. */
#include "rv_order_parse.h"
#include "rv_decimal.h"
#include "rv_json.h"
#include "rv_text.h"

#include <stdio.h>
#include <string.h>
#include <apr_strings.h>

#define RV_QTY_MAX 1000000

/* ----------------------------------------------------------------- values */

/* A string member as one trimmed line in the pool; "" when absent. */
static const char *rv_text_of(apr_pool_t *p, json_object *o, const char *key)
{
    return rv_text_oneline(p, rv_json_str(o, key));
}

static int rv_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '-' || c == '_';
}

/* Ids Reverb sends as strings (sometimes numbers). 0: ok ("" when absent),
 * -1: present but not [A-Za-z0-9_-]{1,64}. */
static int rv_id_of(apr_pool_t *p, json_object *o, const char *key, const char **out)
{
    json_object *v = rv_json_path(o, key);
    const char *s;
    long long n;
    size_t i;
    *out = "";
    if (!v)
        return 0;
    if (json_object_is_type(v, json_type_int)) {
        if (rv_json_as_int(v, &n) || n < 0)
            return -1;
        *out = rv_i64(p, n);
        return 0;
    }
    if (!(s = rv_json_str(o, key)) || !*s || strlen(s) > 64)
        return -1;
    for (i = 0; s[i]; i++)
        if (!rv_id_char(s[i]))
            return -1;
    *out = apr_pstrdup(p, s);
    return 0;
}

static int rv_currency_code(const char *s)
{
    return s && strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
           && s[2] >= 'A' && s[2] <= 'Z';
}

/* ------------------------------------------------------------------ money */

typedef struct {
    int present;
    rv_dec_t value;
    const char *currency;   /* "" when the object has none */
} rv_amount_t;

/* 0: ok or absent (present = 0), -1: malformed or negative. */
static int rv_amount_of(json_object *o, const char *key, rv_amount_t *a)
{
    json_object *m = rv_json_path(o, key), *amount;
    long long cents;
    const char *cur;
    a->present = 0;
    a->value = 0;
    a->currency = "";
    if (!m)
        return 0;
    if (!json_object_is_type(m, json_type_object))
        return -1;
    amount = rv_json_path(m, "amount");
    if (amount && json_object_is_type(amount, json_type_string)) {
        if (rv_dec_parse(json_object_get_string(amount), &a->value))
            return -1;
    } else if (amount && (json_object_is_type(amount, json_type_int)
                          || json_object_is_type(amount, json_type_double))) {
        if (rv_dec_parse(json_object_get_string(amount), &a->value))
            return -1;
    } else if (rv_json_int(m, "amount_cents", &cents) == 0) {
        if (rv_dec_from_cents(cents, &a->value))
            return -1;
    } else {
        return -1;
    }
    if (a->value < 0)
        return -1;
    cur = rv_json_str(m, "currency");
    if (cur && *cur && !rv_currency_code(cur))
        return -1;
    a->currency = cur ? cur : "";
    a->present = 1;
    return 0;
}

static rv_money_t rv_money_of(apr_pool_t *p, rv_dec_t v, const char *currency, int places)
{
    char buf[RV_DEC_BUF];
    rv_money_t m;
    rv_dec_format(v, places, buf);
    m.amount = apr_pstrdup(p, buf);
    m.cents = rv_dec_to_cents(v);
    m.currency = currency;
    return m;
}

typedef struct {
    rv_amount_t product, subtotal, shipping, tax, total;
} rv_amounts_t;

static const char *rv_read_amounts(json_object *o, rv_amounts_t *a)
{
    if (rv_amount_of(o, "amount_product", &a->product)
        || rv_amount_of(o, "amount_product_subtotal", &a->subtotal)
        || rv_amount_of(o, "shipping", &a->shipping)
        || rv_amount_of(o, "amount_tax", &a->tax)
        || rv_amount_of(o, "total", &a->total))
        return "a money field is malformed or negative";
    if (!a->product.present && !a->subtotal.present)
        return "the order has no product amount";
    return NULL;
}

static const char *rv_order_currency(const rv_amounts_t *a, const char **currency)
{
    const rv_amount_t *all[5] = { &a->product, &a->subtotal, &a->total, &a->shipping, &a->tax };
    int i;
    *currency = NULL;
    for (i = 0; i < 5; i++)
        if (all[i]->present && *all[i]->currency) {
            if (!*currency)
                *currency = all[i]->currency;
            else if (strcmp(*currency, all[i]->currency))
                return "the order mixes currencies";
        }
    return *currency ? NULL : "the order has no currency";
}

/* Unit price and subtotal from whatever of the two Reverb sent. */
static const char *rv_line_amounts(apr_pool_t *p, const rv_amounts_t *a, long long qty,
                                   const char *cur, rv_order_t *out, rv_dec_t *subtotal)
{
    rv_dec_t unit;
    int divide = !a->product.present
                 || (qty > 1 && a->subtotal.present && a->product.value == a->subtotal.value);
    if (divide) {
        *subtotal = a->subtotal.present ? a->subtotal.value : a->product.value;
        if (rv_dec_muldiv(*subtotal, RV_DEC_SCALE, qty * RV_DEC_SCALE, 4, &unit))
            return "the product amount is out of range";
    } else {
        unit = a->product.value;
        if (a->subtotal.present)
            *subtotal = a->subtotal.value;
        else if (rv_dec_muldiv(unit, qty * RV_DEC_SCALE, RV_DEC_SCALE, 8, subtotal))
            return "the product amount is out of range";
    }
    out->unit_price = rv_money_of(p, unit, cur, rv_dec_round(unit, 2) == unit ? 2 : 4);
    out->subtotal = rv_money_of(p, *subtotal, cur, 2);
    return NULL;
}

static const char *rv_order_money(apr_pool_t *p, json_object *o, long long qty, rv_order_t *out)
{
    rv_amounts_t a;
    const char *why, *cur;
    rv_dec_t subtotal, total;
    if ((why = rv_read_amounts(o, &a)) || (why = rv_order_currency(&a, &cur)))
        return why;
    cur = apr_pstrdup(p, cur);
    out->currency = cur;
    if ((why = rv_line_amounts(p, &a, qty, cur, out, &subtotal)))
        return why;
    out->shipping = rv_money_of(p, a.shipping.value, cur, 2);
    out->tax = rv_money_of(p, a.tax.value, cur, 2);
    /* all three are below 10^10, so the sum cannot overflow */
    total = a.total.present ? a.total.value
            : rv_dec_round(subtotal, 2) + rv_dec_round(a.shipping.value, 2)
              + rv_dec_round(a.tax.value, 2);
    out->total = rv_money_of(p, total, cur, 2);
    return NULL;
}

/* ------------------------------------------------------------------ names */

/* "Mr Ian J Duncan" -> "Mr Ian J" + "Duncan"; one word -> first name only. */
static void rv_split_name(apr_pool_t *p, const char *full, const char **first, const char **last)
{
    const char *sp = strrchr(full, ' ');
    if (!sp) {
        *first = full;
        *last = "";
        return;
    }
    *first = apr_pstrndup(p, full, (size_t)(sp - full));
    *last = apr_pstrdup(p, sp + 1);
}

static void rv_order_names(apr_pool_t *p, json_object *o, rv_order_t *out)
{
    const char *first = rv_text_of(p, o, "buyer_first_name");
    const char *last = rv_text_of(p, o, "buyer_last_name");
    const char *ship = rv_text_oneline(p, rv_json_str(rv_json_path(o, "shipping_address"), "name"));
    if (!*first && !*last) {
        const char *full = rv_text_of(p, o, "buyer_name");
        rv_split_name(p, *full ? full : ship, &first, &last);
    }
    out->first_name = first;
    out->last_name = last;
    if (*ship) {
        rv_split_name(p, ship, &out->ship_first_name, &out->ship_last_name);
    } else {
        out->ship_first_name = first;
        out->ship_last_name = last;
    }
}

static void rv_order_address(apr_pool_t *p, json_object *o, rv_order_t *out)
{
    json_object *a = rv_json_path(o, "shipping_address");
    const char *cc = rv_text_oneline(p, rv_json_str(a, "country_code"));
    out->street = rv_text_of(p, a, "street_address");
    out->extended = rv_text_of(p, a, "extended_address");
    out->city = rv_text_of(p, a, "locality");
    out->region = rv_text_of(p, a, "region");
    out->postcode = rv_text_of(p, a, "postal_code");
    out->phone = rv_text_of(p, a, "phone");
    if (!*out->phone)
        out->phone = rv_text_of(p, a, "unformatted_phone");
    out->country_code = "";
    if (strlen(cc) == 2) {
        char *up = apr_pstrdup(p, cc);
        up[0] = (char)((up[0] >= 'a' && up[0] <= 'z') ? up[0] - 32 : up[0]);
        up[1] = (char)((up[1] >= 'a' && up[1] <= 'z') ? up[1] - 32 : up[1]);
        if (up[0] >= 'A' && up[0] <= 'Z' && up[1] >= 'A' && up[1] <= 'Z')
            out->country_code = up;
    }
}

/* ------------------------------------------------------------------ parse */

static const char *rv_order_ids(apr_pool_t *p, json_object *o, rv_order_t *out)
{
    if (rv_id_of(p, o, "order_number", &out->order_number) || !*out->order_number)
        return "order_number is missing or malformed";
    if (rv_id_of(p, o, "order_bundle_id", &out->bundle_id))
        return "order_bundle_id is malformed";
    if (rv_id_of(p, o, "product_id", &out->listing_id))
        return "product_id (the listing id) is malformed";
    return NULL;
}

static void rv_order_misc(apr_pool_t *p, json_object *o, rv_order_t *out)
{
    long long n;
    int b;
    out->sku = rv_text_of(p, o, "sku");
    out->title = rv_text_of(p, o, "title");
    out->status = rv_text_of(p, o, "status");
    out->email = rv_text_of(p, o, "buyer_email");
    out->created_at = rv_text_of(p, o, "created_at");
    out->paid_at = rv_text_of(p, o, "paid_at");
    out->updated_at = rv_text_of(p, o, "updated_at");
    out->tax_responsible_party = rv_text_of(p, o, "tax_responsible_party");
    out->shipping_method = rv_text_of(p, o, "shipping_method");
    out->local_pickup = rv_json_bool(o, "local_pickup", &b) == 0 && b;
    out->remaining_listing_inventory =
        rv_json_int(o, "remaining_listing_inventory", &n) == 0 && n >= 0 ? n : -1;
}

int rv_order_parse(apr_pool_t *p, json_object *o, rv_order_t *out, const char **err)
{
    const char *why, *dummy;
    json_object *inner;
    if (!err)
        err = &dummy;
    *err = NULL;
    if (!out)
        return -1;
    memset(out, 0, sizeof(*out));
    if (o && !rv_json_path(o, "order_number") && (inner = rv_json_path(o, "order"))
        && json_object_is_type(inner, json_type_object))
        o = inner;
    if (!o || !json_object_is_type(o, json_type_object))
        why = "the order is not a JSON object";
    else if (!(why = rv_order_ids(p, o, out))
             && (rv_json_int(o, "quantity", &out->quantity) || out->quantity < 1
                 || out->quantity > RV_QTY_MAX))
        why = "quantity is missing or not between 1 and 1000000";
    if (!why)
        why = rv_order_money(p, o, out->quantity, out);
    if (why) {
        *err = why;
        return -1;
    }
    rv_order_misc(p, o, out);
    rv_order_names(p, o, out);
    rv_order_address(p, o, out);
    return 0;
}

/* ---------------------------------------------------------- OpenCart form */

static const char *rv_fit(apr_pool_t *p, const char *s, int strip, size_t max)
{
    return rv_oc_escape_fit(p, strip ? rv_strip_4byte(p, s) : s, max);
}

void rv_order_oc_strings(apr_pool_t *p, const rv_order_t *o, int strip_4byte, rv_order_oc_t *out)
{
    int s = strip_4byte;
    out->firstname = rv_fit(p, o->first_name, s, RV_OC_NAME_MAX);
    out->lastname = rv_fit(p, o->last_name, s, RV_OC_NAME_MAX);
    out->shipping_firstname = rv_fit(p, o->ship_first_name, s, RV_OC_NAME_MAX);
    out->shipping_lastname = rv_fit(p, o->ship_last_name, s, RV_OC_NAME_MAX);
    out->email = rv_fit(p, o->email, s, RV_OC_EMAIL_MAX);
    out->telephone = rv_fit(p, o->phone, s, RV_OC_PHONE_MAX);
    out->company = "";
    out->address_1 = rv_fit(p, o->street, s, RV_OC_ADDRESS_MAX);
    out->address_2 = rv_fit(p, o->extended, s, RV_OC_ADDRESS_MAX);
    out->city = rv_fit(p, o->city, s, RV_OC_ADDRESS_MAX);
    out->postcode = rv_fit(p, o->postcode, s, RV_OC_POSTCODE_MAX);
    out->zone = rv_fit(p, o->region, s, RV_OC_ADDRESS_MAX);
    out->product_name = rv_fit(p, o->title, s, RV_OC_PRODUCT_NAME_MAX);
    out->model = rv_fit(p, o->sku, s, RV_OC_MODEL_MAX);
}

/* --------------------------------------------------------------- currency */

int rv_money_convert(const char *amount, const char *from_value, const char *to_value, char out[32])
{
    rv_dec_t a, from, to, r;
    char buf[RV_DEC_BUF];
    if (rv_dec_parse(amount, &a) || rv_dec_parse(from_value, &from) || rv_dec_parse(to_value, &to)
        || from <= 0 || to <= 0 || rv_dec_muldiv(a, to, from, 4, &r))
        return -1;
    rv_dec_format(r, 4, buf);
    if (strlen(buf) >= 32)
        return -1;
    memcpy(out, buf, strlen(buf) + 1);
    return 0;
}
