/* test_carriers.c: the order panel's carrier list (rv_carriers). */
#include "rv_test.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_carriers.h"

static void test_australian_shop(void **state)
{
    (void)state;
    assert_true(rv_shop_is_australian("AU", "USD"));      /* the country decides */
    assert_true(rv_shop_is_australian("au", NULL));
    assert_false(rv_shop_is_australian("GB", "AUD"));
    assert_true(rv_shop_is_australian("", "AUD"));         /* no country: the currency */
    assert_true(rv_shop_is_australian(NULL, "AUD"));
    assert_false(rv_shop_is_australian(NULL, "GBP"));
    assert_false(rv_shop_is_australian(NULL, NULL));
}

static void test_australia_post_first(void **state)
{
    const char *s = "[\"UPS\",\"FedEx\",\"Australia Post\",7,\"Other\"]";
    json_object *in = rv_json_parse(s, strlen(s), NULL), *out;
    (void)state;
    out = rv_carriers_for_shop(in, 1);
    assert_string_equal(rv_json_dump(RV_POOL, out), "[\"Australia Post\",\"UPS\",\"FedEx\",\"Other\"]");
    json_object_put(out);
    out = rv_carriers_for_shop(in, 0);                     /* elsewhere: Reverb's order */
    assert_string_equal(rv_json_dump(RV_POOL, out), "[\"UPS\",\"FedEx\",\"Australia Post\",\"Other\"]");
    json_object_put(out);
    json_object_put(in);
    s = "[\"UPS\"]";
    in = rv_json_parse(s, strlen(s), NULL);
    out = rv_carriers_for_shop(in, 1);                     /* not in the list: not added */
    assert_string_equal(rv_json_dump(RV_POOL, out), "[\"UPS\"]");
    json_object_put(out);
    json_object_put(in);
    out = rv_carriers_for_shop(NULL, 1);
    assert_int_equal(rv_json_len(out), 0);
    json_object_put(out);
}

static void test_builtin_list(void **state)
{
    json_object *b = rv_carriers_builtin(), *ok;
    const char *err = NULL;
    (void)state;
    assert_int_equal(rv_json_len(b), 27);
    ok = rv_shape_shipping_providers(b, &err);             /* every name passes the reader */
    assert_int_equal(rv_json_len(ok), 27);
    json_object_put(ok);
    json_object_put(b);
}

int main(void);
static const struct CMUnitTest tests[] = {
    RV_TEST(test_australian_shop),
    RV_TEST(test_australia_post_first),
    RV_TEST(test_builtin_list),
};
RV_TEST_MAIN("rv_carriers", tests)
