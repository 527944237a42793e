/* fuzz_categories.c: GET /categories/flat -> the admin's picker groups
 * (rv_shape_category_groups, as rv_lookup_cache.c uses it, cached or fresh). */
#include "fuzz_shape_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_object *o, *groups;
    const char *err = NULL;
    size_t i, j;
    apr_pool_create(&p, NULL);
    o = fuzz_json(data, size);
    groups = rv_shape_category_groups(o, &err);
    FUZZ_CHECK(groups || err, "a refusal carries a reason");
    for (i = 0; i < rv_json_len(groups); i++) {
        json_object *g = rv_json_idx(groups, i), *cats = rv_json_array_at(g, "categories");
        FUZZ_CHECK(rv_json_str(g, "root") && rv_json_str(g, "root_uuid"), "group labelled");
        FUZZ_CHECK(rv_json_len(cats) > 0, "no empty group");
        for (j = 0; j < rv_json_len(cats); j++) {
            json_object *c = rv_json_idx(cats, j);
            FUZZ_CHECK(rv_json_str(c, "uuid") && rv_json_str(c, "name") && rv_json_str(c, "full_name"),
                       "every option has a uuid, name and full name");
        }
    }
    (void)rv_json_dump(p, groups);
    json_object_put(groups);
    json_object_put(o);
    apr_pool_destroy(p);
    return 0;
}
