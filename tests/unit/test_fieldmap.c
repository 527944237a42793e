/* test_fieldmap.c: the field mapping (core/rv_fieldmap.c) and its use in the
 * listing body (core/rv_product.c). */
#include "rv_test.h"
#include "rv_fieldmap.h"
#include "rv_product.h"
#include "rv_json.h"

static json_object *parse(const char *s)
{
    json_object *o = rv_json_parse(s, strlen(s), NULL);
    assert_non_null(o);
    return o;
}

static const char *map_err(apr_pool_t *p, const char *s, rv_fieldmap_t *m)
{
    json_object *o = parse(s);
    const char *err = rv_fieldmap_parse(p, o, m);
    json_object_put(o);
    return err;
}

static void test_defaults_and_normal_form(void **state)
{
    rv_fieldmap_t m;
    json_object *o;
    assert_null(map_err(RV_POOL, "{}", &m));
    assert_int_equal(m.source[RV_FM_MAKE], RV_SRC_MANUFACTURER);
    assert_int_equal(m.source[RV_FM_MODEL], RV_SRC_MODEL);
    assert_int_equal(m.source[RV_FM_YEAR], RV_SRC_NONE);
    assert_null(map_err(RV_POOL, "{\"make\":{\"source\":\"attribute\",\"attribute\":\"  Brand \"},"
                        "\"model\":{\"source\":\"sku\",\"attribute\":\"ignored\"},"
                        "\"year\":{\"source\":\"attribute\",\"attribute\":\"Year\"}}", &m));
    assert_int_equal(m.source[RV_FM_MAKE], RV_SRC_ATTRIBUTE);
    assert_string_equal(m.attribute[RV_FM_MAKE], "Brand");
    assert_int_equal(m.source[RV_FM_MODEL], RV_SRC_SKU);
    assert_null(m.attribute[RV_FM_MODEL]);
    o = rv_fieldmap_json(&m);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
        "{\"make\":{\"source\":\"attribute\",\"attribute\":\"Brand\"},\"model\":{\"source\":\"sku\"},"
        "\"finish\":{\"source\":\"none\"},\"year\":{\"source\":\"attribute\",\"attribute\":\"Year\"},"
        "\"handedness\":{\"source\":\"none\"},\"number_of_strings\":{\"source\":\"none\"}}");
    json_object_put(o);
    assert_int_equal(rv_fm_field("number_of_strings"), RV_FM_STRINGS);
    assert_int_equal(rv_fm_field("colour"), -1);
}

static void test_refusals_name_the_field(void **state)
{
    rv_fieldmap_t m;
    const char *err;
    err = map_err(RV_POOL, "{\"make\":{\"source\":\"sku\"}}", &m);       /* not for make */
    assert_non_null(err);
    assert_non_null(strstr(err, "field_map.make"));
    assert_non_null(strstr(err, "manufacturer, attribute"));
    err = map_err(RV_POOL, "{\"model\":{\"source\":\"colour\"}}", &m);
    assert_non_null(strstr(err, "field_map.model"));
    err = map_err(RV_POOL, "{\"finish\":{\"source\":\"manufacturer\"}}", &m);
    assert_non_null(strstr(err, "field_map.finish"));
    err = map_err(RV_POOL, "{\"year\":{\"source\":\"attribute\"}}", &m);   /* no name */
    assert_non_null(strstr(err, "field_map.year.attribute"));
    err = map_err(RV_POOL, "{\"year\":{\"source\":\"attribute\",\"attribute\":\"  \"}}", &m);
    assert_non_null(strstr(err, "field_map.year.attribute"));
    err = map_err(RV_POOL, "{\"year\":{\"source\":\"attribute\",\"attribute\":\"a\\nb\"}}", &m);
    assert_non_null(err);
    err = map_err(RV_POOL, "{\"year\":{\"source\":\"attribute\",\"attribute\":"
                  "\"0123456789012345678901234567890123456789012345678901234567890123456789\"}}", &m);
    assert_non_null(err);
    err = map_err(RV_POOL, "{\"year\":{\"source\":\"attribute\",\"attribute\":7}}", &m);
    assert_non_null(err);
    err = map_err(RV_POOL, "{\"handedness\":\"attribute\"}", &m);         /* not an object */
    assert_non_null(strstr(err, "field_map.handedness"));
    err = map_err(RV_POOL, "{\"number_of_strings\":{\"source\":1}}", &m);
    assert_non_null(strstr(err, "field_map.number_of_strings"));
    err = map_err(RV_POOL, "{\"colour\":{\"source\":\"none\"}}", &m);
    assert_non_null(strstr(err, "colour"));
    err = map_err(RV_POOL, "[]", &m);
    assert_non_null(err);
    assert_non_null(rv_fieldmap_parse(RV_POOL, NULL, &m));
}

static void test_year_and_strings(void **state)
{
    assert_string_equal(rv_fm_year(RV_POOL, "1984"), "1984");
    assert_string_equal(rv_fm_year(RV_POOL, " 2021 "), "2021");
    assert_null(rv_fm_year(RV_POOL, "84"));
    assert_null(rv_fm_year(RV_POOL, "c. 1984"));
    assert_null(rv_fm_year(RV_POOL, "19845"));
    assert_null(rv_fm_year(RV_POOL, "198x"));
    assert_null(rv_fm_year(RV_POOL, ""));
    assert_null(rv_fm_year(RV_POOL, NULL));
    assert_int_equal(rv_fm_strings("6"), 6);
    assert_int_equal(rv_fm_strings(" 12 "), 12);
    assert_int_equal(rv_fm_strings("0"), 0);
    assert_int_equal(rv_fm_strings("six"), 0);
    assert_int_equal(rv_fm_strings("100"), 0);
    assert_int_equal(rv_fm_strings(NULL), 0);
}

static rv_product_t product(void)
{
    rv_product_t p;
    memset(&p, 0, sizeof(p));
    p.product_id = 7;
    p.name = "Strat &amp; Case";
    p.model = "Stratocaster";
    p.sku = "FEN-1";
    p.mpn = "MPN-1";
    p.manufacturer = "Fender";
    p.price = "100.0000";
    p.quantity = 1;
    p.status = 1;
    p.condition_uuid = RV_COND_BRAND_NEW;
    return p;
}

static rv_push_opts_t options(const rv_fieldmap_t *m)
{
    rv_push_opts_t o;
    memset(&o, 0, sizeof(o));
    o.currency = "AUD";
    o.sync_title = o.sync_description = o.sync_price = o.sync_stock = 1;
    o.fieldmap = m;
    return o;
}

static const char *str_at(json_object *o, const char *path)
{
    json_object *v = rv_json_path(o, path);
    return v ? json_object_get_string(v) : NULL;
}

static void test_sources_reach_the_body(void **state)
{
    rv_fieldmap_t m;
    rv_product_t p = product();
    rv_push_opts_t o;
    json_object *b;
    const char *err;
    /* defaults: manufacturer and model, nothing else */
    o = options(NULL);
    b = rv_listing_build(RV_POOL, &p, &o, 1, &err);
    assert_non_null(b);
    assert_string_equal(str_at(b, "make"), "Fender");
    assert_string_equal(str_at(b, "model"), "Stratocaster");
    assert_null(rv_json_path(b, "finish"));
    assert_null(rv_json_path(b, "year"));
    json_object_put(b);
    /* every field from an attribute */
    assert_null(map_err(RV_POOL, "{\"make\":{\"source\":\"attribute\",\"attribute\":\"Brand\"},"
                        "\"model\":{\"source\":\"attribute\",\"attribute\":\"Model\"},"
                        "\"finish\":{\"source\":\"attribute\",\"attribute\":\"Finish\"},"
                        "\"year\":{\"source\":\"attribute\",\"attribute\":\"Year\"},"
                        "\"handedness\":{\"source\":\"attribute\",\"attribute\":\"Hand\"},"
                        "\"number_of_strings\":{\"source\":\"attribute\",\"attribute\":\"S\"}}", &m));
    p.attr[RV_FM_MAKE] = " G&amp;L ";
    p.attr[RV_FM_MODEL] = "ASAT";
    p.attr[RV_FM_FINISH] = "Sunburst &quot;3-tone&quot;";
    p.attr[RV_FM_YEAR] = "1984";
    p.attr[RV_FM_HANDEDNESS] = "Left";
    p.attr[RV_FM_STRINGS] = "6";
    o = options(&m);
    b = rv_listing_build(RV_POOL, &p, &o, 0, &err);       /* update too */
    assert_non_null(b);
    assert_string_equal(str_at(b, "make"), "G&L");
    assert_string_equal(str_at(b, "model"), "ASAT");
    assert_string_equal(str_at(b, "finish"), "Sunburst \"3-tone\"");
    assert_string_equal(str_at(b, "year"), "1984");
    assert_string_equal(str_at(b, "handedness"), "Left");
    assert_true(json_object_is_type(rv_json_path(b, "number_of_strings"), json_type_int));
    assert_int_equal(json_object_get_int(rv_json_path(b, "number_of_strings")), 6);
    json_object_put(b);
    /* a year that is not 4 digits and a non-number of strings are left out */
    p.attr[RV_FM_YEAR] = "early 80s";
    p.attr[RV_FM_STRINGS] = "six";
    p.attr[RV_FM_FINISH] = NULL;
    b = rv_listing_build(RV_POOL, &p, &o, 1, &err);
    assert_non_null(b);
    assert_null(rv_json_path(b, "year"));
    assert_null(rv_json_path(b, "number_of_strings"));
    assert_null(rv_json_path(b, "finish"));
    json_object_put(b);
    /* model from MPN / SKU */
    m.source[RV_FM_MODEL] = RV_SRC_MPN;
    b = rv_listing_build(RV_POOL, &p, &o, 1, &err);
    assert_string_equal(str_at(b, "model"), "MPN-1");
    json_object_put(b);
    m.source[RV_FM_MODEL] = RV_SRC_SKU;
    b = rv_listing_build(RV_POOL, &p, &o, 1, &err);
    assert_string_equal(str_at(b, "model"), "FEN-1");
    json_object_put(b);
    assert_string_equal(rv_product_field(RV_POOL, &p, &o, RV_FM_MAKE), "G&L");
}

static void test_no_make_is_a_plain_error(void **state)
{
    rv_fieldmap_t m;
    rv_product_t p = product();
    rv_push_opts_t o = options(NULL);
    const char *err = NULL;
    p.manufacturer = " ";
    assert_null(rv_listing_build(RV_POOL, &p, &o, 1, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "\"Strat & Case\" has no make"));
    assert_non_null(strstr(err, "manufacturer"));
    assert_non_null(strstr(err, "Field mapping"));
    assert_null(rv_listing_build(RV_POOL, &p, &o, 0, &err));    /* update as well */
    assert_null(map_err(RV_POOL, "{\"make\":{\"source\":\"attribute\",\"attribute\":\"Brand\"}}", &m));
    o = options(&m);
    p.manufacturer = "Fender";                 /* not the source any more */
    p.name = "";
    assert_null(rv_listing_build(RV_POOL, &p, &o, 0, &err));
    assert_non_null(strstr(err, "product 7 has no make"));
    assert_non_null(strstr(err, "\"Brand\" attribute"));
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_defaults_and_normal_form),
    RV_TEST(test_refusals_name_the_field),
    RV_TEST(test_year_and_strings),
    RV_TEST(test_sources_reach_the_body),
    RV_TEST(test_no_make_is_a_plain_error),
};
RV_TEST_MAIN("rv_fieldmap", tests)
