/* fuzz_listing.c: one listing answer (GET /listings/{id}, the create and
 * update answers {"listing": {...}}): rv_shape_listing and the readers
 * the push and pull engines use on it. */
#include "fuzz_shape_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_object *o, *l;
    const char *err = NULL;
    apr_pool_create(&p, NULL);
    o = fuzz_json(data, size);
    l = rv_shape_listing(o, &err);
    FUZZ_CHECK(l || err, "a refusal carries a reason");
    if (l)
        fuzz_read_listing(p, l);
    fuzz_read_listing(p, rv_json_object_at(o, "listing"));
    json_object_put(o);
    apr_pool_destroy(p);
    return 0;
}
