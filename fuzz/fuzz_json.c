/* fuzz_json.c: rv_json_parse and the helpers on whatever it accepts. */
#include "fuzz_util.h"
#include "rv_json.h"

static void exercise_getters(json_object *o)
{
    long long n;
    int b;
    static const char *const keys[] = { "a", "user_id", "0", "" };
    size_t i;
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        (void)rv_json_str(o, keys[i]);
        (void)rv_json_int(o, keys[i], &n);
        (void)rv_json_bool(o, keys[i], &b);
    }
    (void)rv_json_as_int(o, &n);
    (void)rv_json_path(o, "a.b");
    (void)rv_json_path(o, "0.a.1");
    (void)rv_json_path(o, "shipping_address.region");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *err = NULL, *dump, *canon;
    json_object *o, *again;
    apr_pool_create(&p, NULL);
    o = rv_json_parse((const char *)data, size, &err);
    FUZZ_CHECK(o || err, "a rejection carries a reason");
    if (o) {
        exercise_getters(o);
        dump = rv_json_dump(p, o);
        canon = rv_json_canonical(p, o);
        /* what we serialise must parse again, to the same content */
        again = rv_json_parse(dump, strlen(dump), &err);
        FUZZ_CHECK(again != NULL, "dump re-parses");
        FUZZ_CHECK(!strcmp(canon, rv_json_canonical(p, again)), "canonical form is stable");
        json_object_put(again);
        json_object_put(o);
    }
    apr_pool_destroy(p);
    return 0;
}
