/* rv_listing_routes.h: the listing choices on the admin side: the
 * shipping profile picker (GET admin/shipping-profiles) and the product
 * tab's own shipping / offers choices (admin/product/#). */
#ifndef RV_LISTING_ROUTES_H
#define RV_LISTING_ROUTES_H

#include "rv_route.h"

/* The product's choices, as posted to admin/product/# (NULL: follow the
 * shop; "keep": not posted, leave as stored). */
typedef struct {
    int given_profile, given_local, given_offers;
    const char *profile, *local, *offers;
} rv_product_options_t;

/* Adds offers_enabled, shipping_profile_id and local_pickup (null = the
 * shop's setting) to the product panel object. */
void rv_product_options_json(rv_req_t *q, const char *pid, json_object *panel);

/* Validates the posted choices; NULL when accepted, else a plain-words
 * reason naming the field (nothing is written then). */
const char *rv_product_options_parse(apr_pool_t *p, json_object *in, rv_product_options_t *o);

/* Writes the posted choices into the product's map row (which exists). */
int rv_product_options_save(rv_req_t *q, const char *pid, const rv_product_options_t *o);

#endif
