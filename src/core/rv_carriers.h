/* rv_carriers.h: which carriers the order panel offers, and in what order.
 *
 * The names come from Reverb (GET shipping/providers, read by
 * rv_shape_shipping_providers); when Reverb's list cannot be read and none
 * is cached, the names of the provider enum in Reverb's v3 API spec are
 * offered. A shop in Australia sees Australia Post first. */
#ifndef RV_CARRIERS_H
#define RV_CARRIERS_H

#include <json-c/json.h>

#define RV_CARRIER_AU "Australia Post"

/* 1 when the shop is in Australia: its country's ISO code (OpenCart's
 * config_country_id -> oc_country.iso_code_2) is AU; with no country
 * known, when its currency (config_currency) is AUD. */
int rv_shop_is_australian(const char *country_iso2, const char *currency);

/* A new array of the names in `names` (strings only, others skipped), in
 * their order, except that for an Australian shop Australia Post comes
 * first (when it is in the list). */
json_object *rv_carriers_for_shop(json_object *names, int australian);

/* A new array of the v3 spec's provider names. */
json_object *rv_carriers_builtin(void);

#endif
