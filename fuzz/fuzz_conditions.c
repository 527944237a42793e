/* fuzz_conditions.c: GET /listing_conditions (rv_shape_conditions). */
#include "fuzz_shape_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_object *o, *list;
    const char *err = NULL;
    size_t i;
    apr_pool_create(&p, NULL);
    o = fuzz_json(data, size);
    list = rv_shape_conditions(o, &err);
    FUZZ_CHECK(list || err, "a refusal carries a reason");
    for (i = 0; i < rv_json_len(list); i++)
        FUZZ_CHECK(rv_json_str(rv_json_idx(list, i), "uuid")
                   && rv_json_str(rv_json_idx(list, i), "display_name"), "uuid and name");
    (void)rv_json_dump(p, list);
    json_object_put(list);
    json_object_put(o);
    apr_pool_destroy(p);
    return 0;
}
