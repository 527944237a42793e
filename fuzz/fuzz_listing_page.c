/* fuzz_listing_page.c: one page of GET /my/listings (the SKU lookup, the
 * full sync's prefetch, the both-ways poll): rv_shape_page and the
 * per-listing readers. */
#include "fuzz_shape_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_object *o, *items = NULL;
    const char *err = NULL, *next = NULL;
    size_t i;
    apr_pool_create(&p, NULL);
    o = fuzz_json(data, size);
    if (rv_shape_page(p, o, "listings", &items, &next, &err) == 0) {
        FUZZ_CHECK(items && json_object_is_type(items, json_type_array), "items are an array");
        FUZZ_CHECK(!next || *next, "next is a non-empty href");
        for (i = 0; i < rv_json_len(items); i++)
            fuzz_read_listing(p, rv_json_idx(items, i));
    } else {
        FUZZ_CHECK(err && !items && !next, "a refusal carries a reason and nothing else");
    }
    json_object_put(o);
    apr_pool_destroy(p);
    return 0;
}
