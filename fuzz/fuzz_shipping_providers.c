/* fuzz_shipping_providers.c: GET /shipping/providers (rv_shape_shipping_providers)
 * and the order panel's ordering of it (rv_carriers_for_shop). */
#include "fuzz_shape_util.h"
#include "rv_carriers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_object *o, *list, *au;
    const char *err = NULL;
    size_t i;
    apr_pool_create(&p, NULL);
    o = fuzz_json(data, size);
    list = rv_shape_shipping_providers(o, &err);
    FUZZ_CHECK(list || err, "a refusal carries a reason");
    for (i = 0; i < rv_json_len(list); i++) {
        json_object *e = rv_json_idx(list, i);
        const char *s;
        size_t k;
        FUZZ_CHECK(e && json_object_is_type(e, json_type_string), "names are strings");
        s = json_object_get_string(e);
        FUZZ_CHECK(*s && strlen(s) <= RV_PROVIDER_MAX, "name length");
        for (k = 0; s[k]; k++)
            FUZZ_CHECK((unsigned char)s[k] >= 0x20 && s[k] != 0x7f, "no control characters");
    }
    au = rv_carriers_for_shop(list, 1);
    FUZZ_CHECK(rv_json_len(au) == rv_json_len(list), "reordering keeps every name");
    (void)rv_json_dump(p, au);
    json_object_put(au);
    json_object_put(list);
    json_object_put(o);
    apr_pool_destroy(p);
    return 0;
}
