/* rv_carriers.c: see rv_carriers.h. */
#include "rv_carriers.h"

#include <string.h>
#include <strings.h>

/* the provider enum of Reverb's v3 API (POST my/orders/selling/{id}/ship) */
static const char *const rv_spec_carriers[] = {
    "UPS", "USPS", "FedEx", "DHL Deutschland", "DHLExpress", "DHLGlobalMail", "DHL",
    "Canada Post", "CanPar", "Royal Mail", "PostNL", "Australia Post", "EMS",
    "La Poste - Colissimo", "China Post", "GLS", "Parcelforce", "Purolator", "Interlogistica",
    "Correos Espa\u00f1a", "Ukraine Post", "DPD Germany", "DPD UK", "DPD France", "Hermes",
    "TNT", "Other",
};

int rv_shop_is_australian(const char *country_iso2, const char *currency)
{
    if (country_iso2 && *country_iso2)
        return strcasecmp(country_iso2, "AU") == 0;
    return currency && strcasecmp(currency, "AUD") == 0;
}

json_object *rv_carriers_for_shop(json_object *names, int australian)
{
    json_object *out = json_object_new_array();
    size_t i, n = names && json_object_is_type(names, json_type_array)
                      ? json_object_array_length(names) : 0;
    int first = -1;
    if (australian)
        for (i = 0; i < n && first < 0; i++) {
            json_object *e = json_object_array_get_idx(names, i);
            if (json_object_is_type(e, json_type_string)
                && !strcmp(json_object_get_string(e), RV_CARRIER_AU))
                first = (int)i;
        }
    if (first >= 0)
        json_object_array_add(out, json_object_new_string(RV_CARRIER_AU));
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(names, i);
        if ((int)i == first || !json_object_is_type(e, json_type_string))
            continue;
        json_object_array_add(out, json_object_new_string(json_object_get_string(e)));
    }
    return out;
}

json_object *rv_carriers_builtin(void)
{
    json_object *out = json_object_new_array();
    size_t i;
    for (i = 0; i < sizeof(rv_spec_carriers) / sizeof(*rv_spec_carriers); i++)
        json_object_array_add(out, json_object_new_string(rv_spec_carriers[i]));
    return out;
}
