/* fuzz_account.c: GET /my/account (the connection test): rv_shape_shop_name. */
#include "fuzz_shape_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_object *o = fuzz_json(data, size);
    const char *err = NULL, *name = rv_shape_shop_name(o, &err);
    FUZZ_CHECK(name || err, "a refusal carries a reason");
    (void)(name && strlen(name));
    json_object_put(o);
    return 0;
}
