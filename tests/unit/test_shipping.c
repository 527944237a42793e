/* test_shipping.c: shipping, offers and the stock buffer in the listing body
 * (rv_shipping.c, rv_product.c) and the seller's shipping profiles
 * (rv_shape_shipping_profiles). */
#include "rv_test.h"
#include "rv_json.h"
#include "rv_product.h"
#include "rv_shape.h"
#include "rv_shipping.h"

static json_object *js(const char *s)
{
    json_object *o = rv_json_parse(s, strlen(s), NULL);
    if (!o)
        fail_msg("bad test JSON: %s", s);
    return o;
}

static rv_product_t product(void)
{
    rv_product_t p;
    memset(&p, 0, sizeof(p));
    p.product_id = 7;
    p.name = "Maton EBG808";
    p.model = "EBG808";
    p.sku = "MAT-808";
    p.manufacturer = "Maton";
    p.price = "2499.0000";
    p.quantity = 3;
    p.status = 1;
    p.condition_uuid = RV_COND_BRAND_NEW;
    return p;
}

static rv_push_opts_t options(void)
{
    rv_push_opts_t o;
    memset(&o, 0, sizeof(o));
    o.currency = "AUD";
    o.default_condition_uuid = RV_COND_EXCELLENT;
    o.sync_title = o.sync_description = o.sync_price = o.sync_stock = 1;
    return o;
}

static const char *dump(json_object *b, const char *path)
{
    json_object *v = rv_json_path(b, path);
    return v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : NULL;
}

static json_object *build(void **state, const rv_product_t *p, const rv_push_opts_t *o, int create)
{
    const char *err = NULL;
    json_object *b = rv_listing_build(RV_POOL, p, o, create, &err);
    if (!b)
        fail_msg("not built: %s", err);
    return b;
}

static void test_profile_setting_and_override(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b;
    (void)state;
    o.shipping_profile_id = "15655";
    o.shipping_rate_au = "12.50";
    o.local_pickup = "1";
    b = build(state, &p, &o, 1);
    assert_string_equal(dump(b, "shipping_profile_id"), "\"15655\"");
    assert_null(rv_json_path(b, "shipping"));          /* the profile holds rates and pickup */
    json_object_put(b);
    p.shipping_profile_id = "777";
    b = build(state, &p, &o, 0);
    assert_string_equal(dump(b, "shipping_profile_id"), "\"777\"");
    json_object_put(b);
    p.shipping_profile_id = "";                          /* "" follows the shop */
    b = build(state, &p, &o, 0);
    assert_string_equal(dump(b, "shipping_profile_id"), "\"15655\"");
    json_object_put(b);
}

static void test_rates_without_profile(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b;
    (void)state;
    o.shipping_rate_au = "12.5";
    o.shipping_rate_xx = "60";
    b = build(state, &p, &o, 1);
    assert_null(rv_json_path(b, "shipping_profile_id"));
    assert_string_equal(dump(b, "shipping"),
        "{\"rates\":[{\"rate\":{\"amount\":\"12.50\",\"currency\":\"AUD\"},\"region_code\":\"AU\"},"
        "{\"rate\":{\"amount\":\"60.00\",\"currency\":\"AUD\"},\"region_code\":\"XX\"}]}");
    json_object_put(b);
    /* only Australia; local pickup from the setting, the product overrides it */
    o.shipping_rate_xx = "";
    o.local_pickup = "1";
    b = build(state, &p, &o, 0);
    assert_string_equal(dump(b, "shipping"),
        "{\"rates\":[{\"rate\":{\"amount\":\"12.50\",\"currency\":\"AUD\"},\"region_code\":\"AU\"}],"
        "\"local\":true}");
    json_object_put(b);
    p.local_pickup = "0";
    b = build(state, &p, &o, 0);
    assert_string_equal(dump(b, "shipping.local"), "false");
    json_object_put(b);
    /* nothing set: no shipping at all */
    p.local_pickup = NULL;
    o.local_pickup = NULL;
    o.shipping_rate_au = NULL;
    b = build(state, &p, &o, 0);
    assert_null(rv_json_path(b, "shipping"));
    json_object_put(b);
    /* a rate that is not an amount refuses the body in plain words */
    {
        const char *err = NULL;
        o.shipping_rate_xx = "ten";
        assert_null(rv_listing_build(RV_POOL, &p, &o, 0, &err));
        assert_string_equal(err, "a shipping rate in the settings is not an amount");
    }
}

static void test_offers(void **state)
{
    rv_product_t p = product();
    rv_push_opts_t o = options();
    json_object *b;
    (void)state;
    b = build(state, &p, &o, 1);
    assert_null(rv_json_path(b, "offers_enabled"));     /* never set: Reverb's own default */
    json_object_put(b);
    o.offers_enabled = "0";
    b = build(state, &p, &o, 0);
    assert_string_equal(dump(b, "offers_enabled"), "false");
    json_object_put(b);
    p.offers_enabled = "1";
    b = build(state, &p, &o, 0);
    assert_string_equal(dump(b, "offers_enabled"), "true");
    json_object_put(b);
    o.offers_enabled = "1";
    p.offers_enabled = "0";
    b = build(state, &p, &o, 1);
    assert_string_equal(dump(b, "offers_enabled"), "false");
    json_object_put(b);
}

static void test_stock_buffer(void **state)
{
    rv_product_t p = product();
    (void)state;
    p.quantity = 5;
    p.stock_buffer = 2;
    assert_int_equal(rv_product_inventory(&p, RV_COND_BRAND_NEW), 3);
    p.stock_buffer = 5;
    assert_int_equal(rv_product_inventory(&p, RV_COND_BRAND_NEW), 0);
    p.stock_buffer = 9;                                  /* never below 0 */
    assert_int_equal(rv_product_inventory(&p, RV_COND_BRAND_NEW), 0);
    assert_int_equal(rv_product_inventory(&p, RV_COND_GOOD), 0);   /* a one-off: sold out */
    p.stock_buffer = 4;
    assert_int_equal(rv_product_inventory(&p, RV_COND_GOOD), 1);
    p.quantity = -3;
    p.stock_buffer = 1;
    assert_int_equal(rv_product_inventory(&p, RV_COND_BRAND_NEW), 0);
}

static void test_rate_parse(void **state)
{
    const char *ok[][2] = { { "12", "12.00" }, { "12.5", "12.50" }, { "0", "0.00" },
                            { "100000", "100000.00" }, { "", "" }, { "9.99", "9.99" } };
    const char *bad[] = { "-1", "+2", "1.234", "abc", "1e3", "100000.01", " 5", "5 ", "1,50",
                          "12345678901234567" };
    const char *n;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
        assert_int_equal(rv_shipping_rate_parse(RV_POOL, ok[i][0], &n), 0);
        assert_string_equal(n, ok[i][1]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(rv_shipping_rate_parse(RV_POOL, bad[i], &n), -1);
    assert_int_equal(rv_shipping_rate_parse(RV_POOL, NULL, &n), -1);
    assert_true(rv_shipping_profile_id_ok("15655"));
    assert_false(rv_shipping_profile_id_ok(""));
    assert_false(rv_shipping_profile_id_ok("12a"));
    assert_false(rv_shipping_profile_id_ok("123456789012345678901"));
}

static void test_shop_profiles(void **state)
{
    const char *err = NULL;
    json_object *o, *l;
    (void)state;
    o = js("{\"id\":42,\"shipping_profiles\":[{\"id\":\"15655\",\"name\":\"Standard\"},"
           "{\"id\":7},{\"id\":\"x1\",\"name\":\"bad\"},{\"id\":-3},{\"name\":\"no id\"},3,"
           "{\"id\":{\"a\":1}},{\"id\":\"123456789012345678901\"}]}");
    l = rv_shape_shipping_profiles(o, &err);
    assert_non_null(l);
    assert_string_equal(json_object_to_json_string_ext(l, JSON_C_TO_STRING_PLAIN),
                        "[{\"id\":\"15655\",\"name\":\"Standard\"},{\"id\":\"7\",\"name\":\"Profile 7\"}]");
    json_object_put(l);
    json_object_put(o);
    o = js("{\"id\":42}");                              /* none on the account */
    l = rv_shape_shipping_profiles(o, &err);
    assert_int_equal(rv_json_len(l), 0);
    json_object_put(l);
    json_object_put(o);
    o = js("{\"shipping_profiles\":null}");
    l = rv_shape_shipping_profiles(o, &err);
    assert_non_null(l);
    json_object_put(l);
    json_object_put(o);
    err = NULL;
    o = js("{\"shipping_profiles\":{\"id\":1}}");
    assert_null(rv_shape_shipping_profiles(o, &err));
    assert_non_null(err);
    json_object_put(o);
    err = NULL;
    o = js("[1,2]");
    assert_null(rv_shape_shipping_profiles(o, &err));
    assert_non_null(err);
    json_object_put(o);
    assert_null(rv_shape_shipping_profiles(NULL, &err));
}

int main(void);
static const struct CMUnitTest tests[] = {
    RV_TEST(test_profile_setting_and_override),
    RV_TEST(test_rates_without_profile),
    RV_TEST(test_offers),
    RV_TEST(test_stock_buffer),
    RV_TEST(test_rate_parse),
    RV_TEST(test_shop_profiles),
};
RV_TEST_MAIN("rv_shipping", tests)
