/* rv_shipping.h: how a listing ships, and the shipping setting values.
 *
 * Decisions (from Reverb's listing API and the answers it sends):
 *  - A shipping profile of the seller's Reverb account wins: the product's
 *    own profile (map row), else the shop's setting. The body then carries
 *    only "shipping_profile_id" (as text); the profile holds the rates and
 *    whether local pickup is offered, on Reverb.
 *  - Without a profile: "shipping": {"rates": [...], "local": bool}. Rates
 *    are the settings' Australia ("AU") and everywhere else ("XX") amounts
 *    in the shop's currency, each only when set; with neither, the legacy
 *    shipping_rates JSON array (when set). "local" is the product's
 *    local-pickup choice, else the setting's; absent when neither is set
 *    (Reverb keeps what it has). No rates and no local: no "shipping".
 */
#ifndef RV_SHIPPING_H
#define RV_SHIPPING_H

#include <apr_pools.h>
#include <json-c/json.h>

#define RV_REGION_AU "AU"        /* Australia */
#define RV_REGION_XX "XX"        /* everywhere else */

/* A shipping rate as a setting holds it: "" (none), or a decimal amount
 * from 0 to 100000 with at most 2 decimals ("12", "12.5", "12.50"). On
 * success *norm is the amount with 2 decimals ("12.50") or ""; returns 0,
 * or -1 for anything else. */
int rv_shipping_rate_parse(apr_pool_t *p, const char *s, const char **norm);

/* A shipping profile id: 1..20 digits. */
int rv_shipping_profile_id_ok(const char *s);

/* Adds shipping_profile_id or shipping{rates,local} to body (see above).
 * product_profile / product_local: the product's own choices (NULL or ""
 * follow the shop; local "0"/"1"); the rest are the shop's settings.
 * Returns 0, or -1 with *err in plain words (a stored rate that is not an
 * amount, a legacy rates setting that is not a JSON array). */
int rv_shipping_add(apr_pool_t *p, json_object *body, const char *product_profile,
                    const char *product_local, const char *profile, const char *local,
                    const char *rate_au, const char *rate_xx, const char *rates_json,
                    const char *currency, const char **err);

#endif
