/* fuzz_webhook_regs.c: GET /webhooks/registrations (rv_shape_registrations)
 * and the reads rv_webhook_register.c makes of each registration. */
#include "fuzz_shape_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_object *o = fuzz_json(data, size), *regs;
    const char *err = NULL;
    size_t i;
    regs = rv_shape_registrations(o, &err);
    FUZZ_CHECK(regs || err, "a refusal carries a reason");
    FUZZ_CHECK(!regs || json_object_is_type(regs, json_type_array), "the list is an array");
    for (i = 0; i < rv_json_len(regs); i++) {
        json_object *r = rv_json_idx(regs, i);
        long long id;
        const char *u = rv_json_str(r, "url"), *t = rv_json_str(r, "topic");
        (void)(u && t && strcmp(u, t));
        (void)rv_json_int(r, "id", &id);
        (void)rv_json_path(r, "id");
    }
    json_object_put(regs);
    json_object_put(o);
    return 0;
}
