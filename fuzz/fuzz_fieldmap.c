/* fuzz_fieldmap.c: the field_map setting (rv_fieldmap_parse) on JSON input,
 * its normal form read back, and a listing built with it from a product
 * whose attribute texts are the input's lines. */
#include "fuzz_util.h"
#include "rv_json.h"
#include "rv_fieldmap.h"
#include "rv_product.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    json_object *o, *norm, *back;
    rv_fieldmap_t m, m2;
    rv_product_t prod;
    rv_push_opts_t opts;
    const char *err, *f[RV_FM_N];
    int i;
    apr_pool_create(&p, NULL);
    o = rv_json_parse((const char *)data, size, NULL);
    if (o) {
        if ((err = rv_fieldmap_parse(p, o, &m)) == NULL) {
            norm = rv_fieldmap_json(&m);
            back = rv_json_parse(rv_json_dump(p, norm), strlen(rv_json_dump(p, norm)), NULL);
            FUZZ_CHECK(back != NULL, "the normal form is JSON");
            FUZZ_CHECK(rv_fieldmap_parse(p, back, &m2) == NULL, "the normal form is accepted");
            for (i = 0; i < RV_FM_N; i++) {
                FUZZ_CHECK(m.source[i] == m2.source[i], "the normal form keeps the sources");
                FUZZ_CHECK((m.source[i] == RV_SRC_ATTRIBUTE) == (m.attribute[i] != NULL),
                           "an attribute source has a name, others none");
            }
            json_object_put(back);
            json_object_put(norm);
            memset(&prod, 0, sizeof(prod));
            memset(&opts, 0, sizeof(opts));
            fuzz_fields(p, fuzz_cstr(p, data, size), f, RV_FM_N);
            prod.name = f[0];
            prod.manufacturer = f[1];
            prod.model = f[2];
            prod.sku = "SKU-1";
            prod.price = "10.00";
            prod.condition_uuid = RV_COND_BRAND_NEW;
            for (i = 0; i < RV_FM_N; i++)
                prod.attr[i] = f[i];
            opts.currency = "AUD";
            opts.fieldmap = &m;
            {
                json_object *b = rv_listing_build(p, &prod, &opts, 1, &err);
                json_object *y;
                if (b) {
                    FUZZ_CHECK(rv_json_str(b, "make") && *rv_json_str(b, "make"), "a listing always has a make");
                    if (json_object_object_get_ex(b, "year", &y))
                        FUZZ_CHECK(strlen(json_object_get_string(y)) == 4, "the year is 4 digits");
                    json_object_put(b);
                } else {
                    FUZZ_CHECK(err && *err, "a refusal carries a reason");
                }
            }
        } else {
            FUZZ_CHECK(*err, "a rejection carries a reason");
        }
        json_object_put(o);
    }
    apr_pool_destroy(p);
    return 0;
}
