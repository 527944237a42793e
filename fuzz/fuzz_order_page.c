/* fuzz_order_page.c: one page of GET /my/orders/selling/all (the order
 * poll): rv_shape_page, then rv_order_parse on every order. */
#include "fuzz_shape_util.h"
#include "rv_order_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_object *o, *items = NULL;
    const char *err = NULL, *next = NULL;
    size_t i;
    apr_pool_create(&p, NULL);
    o = fuzz_json(data, size);
    if (rv_shape_page(p, o, "orders", &items, &next, &err) == 0) {
        for (i = 0; i < rv_json_len(items); i++) {
            rv_order_t ord;
            const char *why = NULL, *u = rv_json_str(rv_json_idx(items, i), "updated_at");
            (void)(u && strlen(u));
            if (rv_order_parse(p, rv_json_idx(items, i), &ord, &why) == 0)
                FUZZ_CHECK(ord.order_number && *ord.order_number && ord.quantity >= 1, "parsed order");
            else
                FUZZ_CHECK(why != NULL, "a rejected order carries a reason");
        }
    } else {
        FUZZ_CHECK(err != NULL, "a refusal carries a reason");
    }
    json_object_put(o);
    apr_pool_destroy(p);
    return 0;
}
