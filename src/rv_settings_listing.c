/* rv_settings_listing.c: see rv_settings_listing.h. */
#include "rv_settings_listing.h"
#include "rv_json.h"
#include "rv_shipping.h"
#include "rv_text.h"

#include "apr_strings.h"
#include "apr_lib.h"

static const char *const rv_flags[][2] = {
    { "local_pickup",   "Local pickup" },
    { "offers_enabled", "Accept offers" },
    { "order_import",   "Import Reverb orders" },
};
static const char *const rv_rates[][2] = {
    { "shipping_rate_au", "Shipping rate, Australia" },
    { "shipping_rate_xx", "Shipping rate, everywhere else" },
};

static int rv_flag_value(json_object *v, const char **out)
{
    long long n;
    if (v && json_object_is_type(v, json_type_boolean)) {
        *out = json_object_get_boolean(v) ? "1" : "0";
        return 1;
    }
    if (v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_string))
        && rv_json_as_int(v, &n) == 0 && (n == 0 || n == 1)) {
        *out = n ? "1" : "0";
        return 1;
    }
    return 0;
}

/* A whole number 0..RV_STOCK_BUFFER_MAX, as a number or as digits. */
static int rv_buffer_value(apr_pool_t *p, json_object *v, const char **out)
{
    long long n = 0;
    const char *s;
    if (v && json_object_is_type(v, json_type_string)) {
        s = json_object_get_string(v);
        if (!*s || strlen(s) > 6)
            return 0;
        for (; *s; s++) {
            if (!apr_isdigit(*s))
                return 0;
            n = n * 10 + (*s - '0');
        }
    }
    else if (!v || !json_object_is_type(v, json_type_int) || rv_json_as_int(v, &n))
        return 0;
    if (n < 0 || n > RV_STOCK_BUFFER_MAX)
        return 0;
    *out = rv_i64(p, n);
    return 1;
}

int rv_listing_setting_check(apr_pool_t *p, const char *key, json_object *v, const char **out,
                             const char **err)
{
    size_t i;
    *err = NULL;
    for (i = 0; i < sizeof(rv_flags) / sizeof(*rv_flags); i++)
        if (!strcmp(key, rv_flags[i][0])) {
            if (!rv_flag_value(v, out))
                *err = apr_psprintf(p, "%s (%s) must be on or off (1 or 0).", rv_flags[i][1], key);
            return 1;
        }
    for (i = 0; i < sizeof(rv_rates) / sizeof(*rv_rates); i++)
        if (!strcmp(key, rv_rates[i][0])) {
            if (!v || !json_object_is_type(v, json_type_string)
                || rv_shipping_rate_parse(p, json_object_get_string(v), out))
                *err = apr_psprintf(p, "%s (%s) must be an amount in the shop's currency such as "
                                    "12.50 (0 to 100000, at most 2 decimals), or empty.",
                                    rv_rates[i][1], key);
            return 1;
        }
    if (!strcmp(key, "stock_buffer")) {
        if (!rv_buffer_value(p, v, out))
            *err = apr_psprintf(p, "Stock buffer (stock_buffer) must be a whole number of units "
                                "from 0 to %d.", RV_STOCK_BUFFER_MAX);
        return 1;
    }
    return 0;
}

long long rv_setting_stock_buffer(const rv_settings_t *st)
{
    long long n = rv_setting_int(st, "stock_buffer", 0);
    return n < 0 || n > RV_STOCK_BUFFER_MAX ? 0 : n;
}

int rv_setting_order_import(const rv_settings_t *st)
{
    return strcmp(rv_setting(st, "order_import", "1"), "0") != 0;
}

void rv_listing_settings_json(json_object *s, const rv_settings_t *st)
{
    const char *offers = rv_setting(st, "offers_enabled", "1");
    json_object_object_add(s, "local_pickup",
                           json_object_new_int(!strcmp(rv_setting(st, "local_pickup", "0"), "1")));
    json_object_object_add(s, "shipping_rate_au",
                           json_object_new_string(rv_setting(st, "shipping_rate_au", "")));
    json_object_object_add(s, "shipping_rate_xx",
                           json_object_new_string(rv_setting(st, "shipping_rate_xx", "")));
    json_object_object_add(s, "offers_enabled", json_object_new_int(strcmp(offers, "0") != 0));
    json_object_object_add(s, "stock_buffer", json_object_new_int64(rv_setting_stock_buffer(st)));
    json_object_object_add(s, "order_import", json_object_new_int(rv_setting_order_import(st)));
}

void rv_listing_opts_fill(rv_push_opts_t *o, const rv_settings_t *st)
{
    o->offers_enabled = rv_setting(st, "offers_enabled", NULL);
    o->local_pickup = rv_setting(st, "local_pickup", NULL);
    o->shipping_rate_au = rv_setting(st, "shipping_rate_au", NULL);
    o->shipping_rate_xx = rv_setting(st, "shipping_rate_xx", NULL);
}

const char *rv_listing_settings_fp(apr_pool_t *p, const rv_settings_t *st)
{
    static const char *const keys[] = { "offers_enabled", "local_pickup", "shipping_rate_au",
                                        "shipping_rate_xx", "stock_buffer" };
    const char *all = "";
    size_t i;
    for (i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
        const char *v = rv_setting(st, keys[i], NULL);
        all = apr_pstrcat(p, all, keys[i], "=", v ? v : "\x01", "\x1e", NULL);
    }
    return all;
}
