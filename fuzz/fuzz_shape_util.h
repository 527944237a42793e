/* fuzz_shape_util.h: checks shared by the targets for Reverb's answers
 * (src/core/rv_shape.c, the functions the module reads them with). */
#ifndef FUZZ_SHAPE_UTIL_H
#define FUZZ_SHAPE_UTIL_H

#include "fuzz_util.h"
#include "rv_json.h"
#include "rv_shape.h"

/* A listing id that can go into a path: digits only. */
static inline void fuzz_check_listing_id(const char *id)
{
    size_t i;
    if (!id)
        return;
    FUZZ_CHECK(*id && strlen(id) <= RV_LISTING_ID_MAX, "listing id length");
    for (i = 0; id[i]; i++)
        FUZZ_CHECK(id[i] >= '0' && id[i] <= '9', "listing id is digits");
}

/* A link that can go into a page: https://reverb.com/ and no markup. */
static inline void fuzz_check_link(const char *url)
{
    if (!url)
        return;
    FUZZ_CHECK(!strncmp(url, "https://reverb.com/", 19), "link is on reverb.com");
    FUZZ_CHECK(!strpbrk(url, "\"'<> \\`"), "link has no markup characters");
}

/* What the engines read from one listing (rv_push.c, rv_pull.c). */
static inline void fuzz_read_listing(apr_pool_t *p, json_object *l)
{
    long long inv;
    int b;
    const char *s;
    fuzz_check_listing_id(rv_shape_listing_id(p, l));
    fuzz_check_link(rv_shape_listing_web(p, l));
    s = rv_shape_listing_state(l);
    (void)(s && strlen(s));
    s = rv_json_str(rv_json_object_at(l, "price"), "amount");
    (void)(s && strlen(s));
    s = rv_json_str(l, "sku");
    (void)(s && strlen(s));
    s = rv_json_str(l, "description");
    (void)(s && strlen(s));
    (void)rv_json_int(l, "inventory", &inv);
    (void)rv_json_bool(l, "has_inventory", &b);
}

/* Parses the input as JSON (NULL when it is not). */
static inline json_object *fuzz_json(const uint8_t *data, size_t size)
{
    return rv_json_parse((const char *)data, size, NULL);
}

#endif
