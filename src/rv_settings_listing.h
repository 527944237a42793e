/* rv_settings_listing.h: the listing settings (shipping,
 * offers, stock buffer, order import): their validation and their place in
 * GET admin/settings. Keys (module_reverb_*):
 *   local_pickup      0/1  listings without a profile offer local pickup
 *   shipping_rate_au  ""   or an amount in the shop currency: Australia ("AU")
 *   shipping_rate_xx  ""   or an amount: everywhere else ("XX")
 *   offers_enabled    0/1  "Accept offers" (never set: Reverb's default)
 *   stock_buffer      0..RV_STOCK_BUFFER_MAX  list at most N units fewer
 *   order_import      0/1  import Reverb orders (default 1)
 * shipping_profile_id stays in rv_settings.c. */
#ifndef RV_SETTINGS_LISTING_H
#define RV_SETTINGS_LISTING_H

#include "rv_settings.h"

#define RV_STOCK_BUFFER_MAX 100000

/* 1 when key is one of the above (then *out is the value to store, or *err
 * a plain-words refusal naming the field), 0 when it is not. */
int rv_listing_setting_check(apr_pool_t *p, const char *key, json_object *v, const char **out,
                             const char **err);

/* Adds the settings above to GET admin/settings' "settings" object. */
void rv_listing_settings_json(json_object *s, const rv_settings_t *st);

/* The stock buffer as a number (0 when unset or out of range). */
long long rv_setting_stock_buffer(const rv_settings_t *st);

/* Whether Reverb orders are imported (order_import, default on). */
int rv_setting_order_import(const rv_settings_t *st);

/* The listing options these settings set (rv_push_env), and every one of
 * them in one text for the settings fingerprint of change detection. */
#include "rv_product.h"
void rv_listing_opts_fill(rv_push_opts_t *o, const rv_settings_t *st);
const char *rv_listing_settings_fp(apr_pool_t *p, const rv_settings_t *st);

#endif
