/* fuzz_shop.c: GET /shop, the seller's shipping profiles (rv_shape_shipping_profiles). */
#include "fuzz_shape_util.h"
#include "rv_shipping.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_object *o, *list;
    const char *err = NULL;
    size_t i;
    apr_pool_create(&p, NULL);
    o = fuzz_json(data, size);
    list = rv_shape_shipping_profiles(o, &err);
    FUZZ_CHECK(list || err, "a refusal carries a reason");
    for (i = 0; i < rv_json_len(list); i++) {
        json_object *e = rv_json_idx(list, i);
        FUZZ_CHECK(rv_shipping_profile_id_ok(rv_json_str(e, "id")), "ids are digits only");
        FUZZ_CHECK(rv_json_str(e, "name") && *rv_json_str(e, "name"), "every profile has a name");
    }
    (void)rv_json_dump(p, list);
    json_object_put(list);
    json_object_put(o);
    apr_pool_destroy(p);
    return 0;
}
