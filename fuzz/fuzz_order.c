/* fuzz_order.c: rv_order_parse on JSON input, plus rv_money_convert on
 * three newline-separated decimals. */
#include "fuzz_util.h"
#include "rv_json.h"
#include "rv_order_parse.h"
#include "rv_text.h"

static void check_order(apr_pool_t *p, const rv_order_t *o)
{
    rv_order_oc_t oc;
    FUZZ_CHECK(o->order_number && *o->order_number, "order number set");
    FUZZ_CHECK(o->quantity >= 1, "quantity >= 1");
    FUZZ_CHECK(o->unit_price.cents >= 0 && o->total.cents >= 0, "amounts are not negative");
    FUZZ_CHECK(o->currency && strlen(o->currency) == 3, "currency is an ISO code");
    FUZZ_CHECK(o->first_name && o->last_name && o->email && o->street && o->paid_at,
               "strings are never NULL");
    (void)rv_order_classify(o->status);
    rv_order_oc_strings(p, o, 0, &oc);
    FUZZ_CHECK(rv_utf8_length(oc.firstname) <= RV_OC_NAME_MAX, "firstname fits");
    FUZZ_CHECK(rv_utf8_length(oc.postcode) <= RV_OC_POSTCODE_MAX, "postcode fits");
    FUZZ_CHECK(!strchr(oc.product_name, '<') && !strchr(oc.product_name, '"'), "escaped");
    rv_order_oc_strings(p, o, 1, &oc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_object *o;
    rv_order_t ord;
    const char *err = NULL, *f[3];
    char out[32];
    apr_pool_create(&p, NULL);
    o = rv_json_parse((const char *)data, size, NULL);
    if (o) {
        if (rv_order_parse(p, o, &ord, &err) == 0)
            check_order(p, &ord);
        else
            FUZZ_CHECK(err != NULL, "a rejection carries a reason");
        json_object_put(o);
    }
    fuzz_fields(p, fuzz_cstr(p, data, size), f, 3);
    if (rv_money_convert(f[0], f[1], f[2], out) == 0)
        FUZZ_CHECK(strlen(out) < 32 && strchr(out, '.'), "4-decimal output");
    apr_pool_destroy(p);
    return 0;
}
