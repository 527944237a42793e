/* rv_shipping.c: see rv_shipping.h. */
#include "rv_shipping.h"
#include "rv_decimal.h"
#include "rv_json.h"

#include <string.h>
#include <apr_strings.h>

#define RV_RATE_MAX (100000LL * RV_DEC_SCALE)

static int rv_has(const char *s)
{
    return s && *s;
}

int rv_shipping_rate_parse(apr_pool_t *p, const char *s, const char **norm)
{
    const char *dot;
    char buf[RV_DEC_BUF];
    rv_dec_t v;
    if (!s)
        return -1;
    if (!*s) {
        *norm = "";
        return 0;
    }
    if (*s == '+' || *s == '-' || strlen(s) > 16)
        return -1;
    if ((dot = strchr(s, '.')) && strlen(dot + 1) > 2)
        return -1;                      /* cents at most: nothing is rounded away */
    if (rv_dec_parse(s, &v) || v < 0 || v > RV_RATE_MAX)
        return -1;
    rv_dec_format(v, 2, buf);
    *norm = apr_pstrdup(p, buf);
    return 0;
}

int rv_shipping_profile_id_ok(const char *s)
{
    size_t i;
    if (!s || !*s || strlen(s) > 20)
        return 0;
    for (i = 0; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int rv_add_rate(apr_pool_t *p, json_object *rates, const char *amount, const char *region,
                       const char *currency)
{
    const char *norm;
    json_object *r, *money;
    if (!rv_has(amount))
        return 0;
    if (rv_shipping_rate_parse(p, amount, &norm))
        return -1;
    money = json_object_new_object();
    json_object_object_add(money, "amount", json_object_new_string(norm));
    json_object_object_add(money, "currency", json_object_new_string(currency ? currency : ""));
    r = json_object_new_object();
    json_object_object_add(r, "rate", money);
    json_object_object_add(r, "region_code", json_object_new_string(region));
    json_object_array_add(rates, r);
    return 0;
}

int rv_shipping_add(apr_pool_t *p, json_object *body, const char *product_profile,
                    const char *product_local, const char *profile, const char *local,
                    const char *rate_au, const char *rate_xx, const char *rates_json,
                    const char *currency, const char **err)
{
    json_object *rates, *shipping;
    const char *pick = rv_has(product_profile) ? product_profile : profile;
    const char *loc = rv_has(product_local) ? product_local : local;
    if (rv_has(pick)) {
        json_object_object_add(body, "shipping_profile_id", json_object_new_string(pick));
        return 0;
    }
    rates = json_object_new_array();
    if (rv_add_rate(p, rates, rate_au, RV_REGION_AU, currency)
        || rv_add_rate(p, rates, rate_xx, RV_REGION_XX, currency)) {
        json_object_put(rates);
        *err = "a shipping rate in the settings is not an amount";
        return -1;
    }
    if (json_object_array_length(rates) == 0 && rv_has(rates_json)) {
        json_object_put(rates);
        rates = rv_json_parse(rates_json, strlen(rates_json), NULL);
        if (!rates || !json_object_is_type(rates, json_type_array)) {
            json_object_put(rates);
            *err = "the shipping rates setting is not a JSON array";
            return -1;
        }
    }
    shipping = json_object_new_object();
    if (json_object_array_length(rates) > 0)
        json_object_object_add(shipping, "rates", rates);
    else
        json_object_put(rates);
    if (loc && (!strcmp(loc, "0") || !strcmp(loc, "1")))
        json_object_object_add(shipping, "local", json_object_new_boolean(*loc == '1'));
    if (json_object_object_length(shipping) > 0)
        json_object_object_add(body, "shipping", shipping);
    else
        json_object_put(shipping);
    return 0;
}
