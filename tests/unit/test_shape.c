/* test_shape.c: rv_shape, reading Reverb's answers without trusting them. */
#include "rv_test.h"
#include "rv_json.h"
#include "rv_shape.h"

static json_object *js(const char *s)
{
    json_object *o = rv_json_parse(s, strlen(s), NULL);
    if (!o)
        fail_msg("bad test JSON: %s", s);
    return o;
}

static void test_wrong_types_are_absent(void **state)
{
    json_object *o = js("{\"a\":{\"x\":1},\"b\":[1,2],\"s\":\"t\"}");
    (void)state;
    assert_null(rv_json_array_at(o, "a"));
    assert_non_null(rv_json_array_at(o, "b"));
    assert_null(rv_json_object_at(o, "b"));
    assert_int_equal(rv_json_len(rv_json_object_at(o, "a")), 0);   /* json-c would abort */
    assert_int_equal(rv_json_len(rv_json_array_at(o, "b")), 2);
    assert_null(rv_json_idx(rv_json_object_at(o, "a"), 0));
    assert_null(rv_json_idx(rv_json_array_at(o, "b"), 2));
    assert_null(rv_json_array_at(NULL, "b"));
    json_object_put(o);
}

static void test_listing_ids(void **state)
{
    const char *ok[] = { "{\"id\":91978727}", "{\"id\":\"1000\"}" };
    const char *bad[] = { "{\"id\":\"1/../x\"}", "{\"id\":\"12-slug\"}", "{\"id\":0}", "{\"id\":-5}",
                          "{\"id\":2.5}", "{\"id\":{\"a\":1}}", "{\"id\":[1]}", "{\"id\":\"\"}",
                          "{\"id\":\"00\"}", "{\"id\":\"12345678901234567890\"}", "[1]", "{}" };
    size_t i;
    for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
        json_object *o = js(ok[i]);
        assert_non_null(rv_shape_listing_id(RV_POOL, o));
        json_object_put(o);
    }
    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        json_object *o = js(bad[i]);
        if (rv_shape_listing_id(RV_POOL, o))
            fail_msg("accepted %s", bad[i]);
        json_object_put(o);
    }
    assert_true(rv_listing_id_ok("1"));
    assert_false(rv_listing_id_ok(NULL));
    assert_false(rv_listing_id_ok("1 "));
}

static void test_links(void **state)
{
    json_object *o = js("{\"id\":7,\"_links\":{\"web\":{\"href\":\"https://reverb.com/au/item/7-x\"}}}");
    assert_string_equal(rv_shape_listing_web(RV_POOL, o), "https://reverb.com/au/item/7-x");
    json_object_put(o);
    o = js("{\"id\":7,\"_links\":{\"web\":{\"href\":\"javascript:alert(1)\"}}}");
    assert_string_equal(rv_shape_listing_web(RV_POOL, o), "https://reverb.com/item/7");
    json_object_put(o);
    o = js("{\"id\":\"x\",\"_links\":{\"web\":\"https://reverb.com/item/1\"}}");
    assert_null(rv_shape_listing_web(RV_POOL, o));
    json_object_put(o);
    assert_null(rv_reverb_link("https://reverb.com.evil/x"));
    assert_null(rv_reverb_link("https://reverb.com/x\"><b>"));
    assert_null(rv_reverb_link("https://reverb.com/"));
    assert_null(rv_reverb_link("http://reverb.com/item/1"));
    assert_string_equal(rv_listing_link(RV_POOL, "bad", "42"), "https://reverb.com/item/42");
    assert_null(rv_listing_link(RV_POOL, NULL, "4 2"));
}

static void test_pages(void **state)
{
    json_object *items, *o = js("{\"listings\":[{\"id\":1}],\"_links\":{\"next\":{\"href\":\"https://x/p2\"}}}");
    const char *next, *err = NULL;
    assert_int_equal(rv_shape_page(RV_POOL, o, "listings", &items, &next, &err), 0);
    assert_int_equal(rv_json_len(items), 1);
    assert_string_equal(next, "https://x/p2");
    json_object_put(o);
    o = js("{\"orders\":[],\"_links\":{}}");
    assert_int_equal(rv_shape_page(RV_POOL, o, "orders", &items, &next, &err), 0);
    assert_null(next);
    json_object_put(o);
    {
        const char *bad[] = { "{\"listings\":\"x\"}", "{\"listings\":{}}", "[]", "\"listings\"",
                              "{\"listings\":[],\"_links\":{\"next\":{\"href\":5}}}",
                              "{\"listings\":[],\"_links\":[]}", "{\"listings\":[],\"_links\":2}",
                              "{}" };
        size_t i;
        for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
            o = js(bad[i]);
            err = NULL;
            if (rv_shape_page(RV_POOL, o, "listings", &items, &next, &err) == 0)
                fail_msg("accepted %s", bad[i]);
            assert_non_null(err);
            /* a refusal hands out no list to read on (found by fuzz_listing_page) */
            assert_null(items);
            assert_null(next);
            json_object_put(o);
        }
    }
    err = NULL;
    assert_int_equal(rv_shape_page(RV_POOL, NULL, "orders", &items, &next, &err), -1);
    assert_non_null(err);
}

static void test_category_groups(void **state)
{
    const char *err = NULL;
    json_object *o = js("{\"categories\":["
        "{\"uuid\":\"s1\",\"name\":\"Solid Body\",\"full_name\":\"Electric Guitars / Solid Body\",\"root_uuid\":\"r1\"},"
        "{\"uuid\":\"r1\",\"name\":\"Electric Guitars\",\"full_name\":\"Electric Guitars\",\"root_uuid\":\"r1\"},"
        "{\"uuid\":\"r2\",\"full_name\":\"Amps\",\"root_uuid\":\"r2\"},"
        "{\"uuid\":\"s3\",\"full_name\":\"Drums / Snares\",\"root_uuid\":\"r3\"},"
        "1, null, {\"name\":\"no uuid\"}]}");
    json_object *g = rv_shape_category_groups(o, &err);
    (void)state;
    assert_non_null(g);
    assert_string_equal(rv_json_dump(RV_POOL, g),
        "[{\"root\":\"Electric Guitars\",\"root_uuid\":\"r1\",\"categories\":["
        "{\"uuid\":\"s1\",\"name\":\"Solid Body\",\"full_name\":\"Electric Guitars / Solid Body\"},"
        "{\"uuid\":\"r1\",\"name\":\"Electric Guitars\",\"full_name\":\"Electric Guitars\"}]},"
        "{\"root\":\"Amps\",\"root_uuid\":\"r2\",\"categories\":[{\"uuid\":\"r2\",\"name\":\"Amps\",\"full_name\":\"Amps\"}]},"
        "{\"root\":\"Drums\",\"root_uuid\":\"r3\",\"categories\":[{\"uuid\":\"s3\",\"name\":\"Drums / Snares\",\"full_name\":\"Drums / Snares\"}]}]");
    json_object_put(g);
    json_object_put(o);
    o = js("{\"categories\":{\"uuid\":\"x\"}}");
    assert_null(rv_shape_category_groups(o, &err));
    assert_non_null(strstr(err, "unexpected shape"));
    json_object_put(o);
    assert_null(rv_shape_category_groups(NULL, &err));
}

static void test_lookups_account_and_registrations(void **state)
{
    const char *err = NULL;
    json_object *o = js("{\"conditions\":[{\"uuid\":\"u\",\"display_name\":\"Mint\"},{\"uuid\":3},\"x\"]}");
    json_object *l = rv_shape_conditions(o, &err);
    assert_string_equal(rv_json_dump(RV_POOL, l), "[{\"uuid\":\"u\",\"display_name\":\"Mint\"}]");
    json_object_put(l);
    json_object_put(o);
    o = js("{\"conditions\":\"Mint\"}");
    assert_null(rv_shape_conditions(o, &err));
    json_object_put(o);

    o = js("{\"shop\":{\"name\":\"My Shop\"}}");
    assert_string_equal(rv_shape_shop_name(o, &err), "My Shop");
    json_object_put(o);
    o = js("{\"shop\":\"x\"}");
    assert_string_equal(rv_shape_shop_name(o, &err), "");
    json_object_put(o);
    o = js("[\"shop\"]");
    assert_null(rv_shape_shop_name(o, &err));
    json_object_put(o);

    l = rv_shape_registrations(NULL, &err);
    assert_int_equal(rv_json_len(l), 0);
    json_object_put(l);
    o = js("[{\"id\":1}]");
    l = rv_shape_registrations(o, &err);
    assert_int_equal(rv_json_len(l), 1);
    json_object_put(l);
    json_object_put(o);
    o = js("{\"webhook_registrations\":[{},{}]}");
    l = rv_shape_registrations(o, &err);
    assert_int_equal(rv_json_len(l), 2);
    json_object_put(l);
    json_object_put(o);
    o = js("{\"registrations\":{\"id\":1}}");
    assert_null(rv_shape_registrations(o, &err));
    json_object_put(o);
    o = js("\"x\"");
    assert_null(rv_shape_registrations(o, &err));
    json_object_put(o);
}

static void test_single_listing(void **state)
{
    const char *err = NULL;
    json_object *o = js("{\"listing\":{\"id\":1,\"state\":{\"slug\":\"live\"}}}");
    (void)state;
    assert_string_equal(rv_shape_listing_state(rv_shape_listing(o, &err)), "live");
    json_object_put(o);
    o = js("{\"id\":1,\"state\":\"ended\"}");
    assert_string_equal(rv_shape_listing_state(rv_shape_listing(o, &err)), "ended");
    json_object_put(o);
    o = js("{\"listing\":[1]}");
    assert_null(rv_shape_listing(o, &err));
    json_object_put(o);
    o = js("[{\"id\":1}]");
    assert_null(rv_shape_listing(o, &err));
    json_object_put(o);
}

static void test_shipping_providers(void **state)
{
    const char *err = NULL;
    json_object *o, *l;
    (void)state;
    o = js("{\"shipping_providers\":[{\"name\":\"UPS\"},{\"name\":\"Australia Post\"},"
           "{\"name\":3},{\"display_name\":\"TNT\"},\"DHL\",{\"name\":\"UPS\"},[1],null,"
           "{\"name\":\"\"},{\"name\":\"a\\nb\"},"
           "{\"name\":\"12345678901234567890123456789012345678901234567890123456789012345\"}]}");
    l = rv_shape_shipping_providers(o, &err);
    assert_string_equal(rv_json_dump(RV_POOL, l), "[\"UPS\",\"Australia Post\",\"TNT\",\"DHL\"]");
    json_object_put(l);
    json_object_put(o);
    o = js("[\"Other\"]");                                        /* a bare list */
    l = rv_shape_shipping_providers(o, &err);
    assert_int_equal(rv_json_len(l), 1);
    json_object_put(l);
    json_object_put(o);
    o = js("{\"providers\":[\"EMS\",\"a\\u0000b\"]}");
    l = rv_shape_shipping_providers(o, &err);
    assert_string_equal(rv_json_dump(RV_POOL, l), "[\"EMS\"]");
    json_object_put(l);
    json_object_put(o);
    err = NULL;
    o = js("{\"shipping_providers\":{\"name\":\"UPS\"}}");
    assert_null(rv_shape_shipping_providers(o, &err));
    assert_non_null(strstr(err, "unexpected shape"));
    json_object_put(o);
    o = js("\"UPS\"");
    assert_null(rv_shape_shipping_providers(o, &err));
    json_object_put(o);
    assert_null(rv_shape_shipping_providers(NULL, &err));
}

int main(void);
static const struct CMUnitTest tests[] = {
    RV_TEST(test_wrong_types_are_absent),
    RV_TEST(test_listing_ids),
    RV_TEST(test_links),
    RV_TEST(test_pages),
    RV_TEST(test_category_groups),
    RV_TEST(test_lookups_account_and_registrations),
    RV_TEST(test_single_listing),
    RV_TEST(test_shipping_providers),
};
RV_TEST_MAIN("rv_shape", tests)
