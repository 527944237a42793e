/* test_reconcile.c: the reconcile view's comparisons (core/rv_reconcile.c). */
#include "rv_test.h"
#include "rv_reconcile.h"
#include "rv_product.h"

static json_object *parse(const char *s)
{
    json_object *o = json_tokener_parse(s);
    assert_non_null(o);
    return o;
}

/* the shop's side is the push's update body, built by rv_listing_build */
static void test_expected_is_the_push_body(void **state)
{
    apr_pool_t *p = *state;
    const char *err = NULL;
    rv_product_t prod;
    rv_push_opts_t o;
    rv_rc_values_t want;
    json_object *body;
    memset(&prod, 0, sizeof(prod));
    memset(&o, 0, sizeof(o));
    prod.product_id = 1;
    prod.name = "Fender &amp; Co  Strat";
    prod.sku = "S-1";
    prod.manufacturer = "Fender";              /* a listing needs a make */
    prod.price = "1299.0000";
    prod.special_price = "999.5000";
    prod.quantity = 4;
    prod.status = 1;
    o.currency = "AUD";
    o.default_condition_uuid = RV_COND_BRAND_NEW;
    o.use_special = 1;
    o.sync_title = o.sync_price = o.sync_stock = 1;
    body = rv_listing_build(p, &prod, &o, 0, &err);
    assert_non_null(body);
    rv_rc_expected(body, &want);
    assert_string_equal(want.title, "Fender & Co Strat");      /* decoded, one line */
    assert_string_equal(want.price, "999.50");                 /* the special */
    assert_true(want.inventory_set);
    assert_int_equal(want.inventory, 4);
    json_object_put(body);

    /* toggles off: those fields are not compared */
    o.sync_title = o.sync_price = o.sync_stock = 0;
    body = rv_listing_build(p, &prod, &o, 0, &err);
    assert_non_null(body);
    rv_rc_expected(body, &want);
    assert_null(want.title);
    assert_null(want.price);
    assert_false(want.inventory_set);
    json_object_put(body);

    /* one of a kind: what the push sends is min(quantity, 1) */
    o.sync_stock = 1;
    prod.condition_uuid = RV_COND_GOOD;
    body = rv_listing_build(p, &prod, &o, 0, &err);
    rv_rc_expected(body, &want);
    assert_int_equal(want.inventory, 1);
    json_object_put(body);
}

static void test_diff(void **state)
{
    apr_pool_t *p = *state;
    rv_rc_values_t shop = { "Strat", "1299.00", 4, 1 }, rv;
    rv_rc_diff_t d[RV_RC_MAX_DIFFS];
    json_object *l = parse("{\"title\":\"Strat\",\"price\":{\"amount\":\"1299.0\",\"currency\":\"AUD\"},"
                           "\"inventory\":4,\"state\":{\"slug\":\"live\"}}");
    rv_rc_actual(l, &rv);
    assert_int_equal(rv_rc_diff(p, &shop, &rv, d), 0);          /* 1299.0 == 1299.00 */
    json_object_put(l);

    l = parse("{\"title\":\"Strat (edited)\",\"price\":{\"amount\":\"1100.00\"},\"inventory\":2}");
    rv_rc_actual(l, &rv);
    assert_int_equal(rv_rc_diff(p, &shop, &rv, d), 3);
    assert_string_equal(d[0].field, "title");
    assert_string_equal(d[0].shop, "Strat");
    assert_string_equal(d[0].reverb, "Strat (edited)");
    assert_string_equal(d[1].field, "price");
    assert_string_equal(d[1].shop, "1299.00");
    assert_string_equal(d[1].reverb, "1100.00");
    assert_string_equal(d[2].field, "stock");
    assert_string_equal(d[2].shop, "4");
    assert_string_equal(d[2].reverb, "2");
    json_object_put(l);

    /* wrong types on Reverb's side are absent: different, shown as "" */
    l = parse("{\"title\":5,\"price\":\"1299.00\",\"inventory\":\"many\"}");
    rv_rc_actual(l, &rv);
    assert_null(rv.title);
    assert_null(rv.price);
    assert_false(rv.inventory_set);
    assert_int_equal(rv_rc_diff(p, &shop, &rv, d), 3);
    assert_string_equal(d[0].reverb, "");
    assert_string_equal(d[2].reverb, "");
    json_object_put(l);

    /* fields the shop does not send are never compared */
    {
        rv_rc_values_t none = { NULL, NULL, 0, 0 };
        assert_int_equal(rv_rc_diff(p, &none, &rv, d), 0);
    }
    rv_rc_actual(NULL, &rv);
    assert_null(rv.title);
}

static void test_unsellable(void **state)
{
    rv_rc_product_t ok = { 1, 3, 1, 1 }, off = { 0, 3, 1, 1 }, unsynced = { 1, 3, 0, 1 },
                    empty = { 1, 0, 1, 1 }, empty_nostock = { 1, 0, 1, 0 }, neg = { 1, -2, 1, 1 };
    (void)state;
    assert_null(rv_rc_unsellable("live", &ok));
    assert_string_equal(rv_rc_unsellable("live", &off), "disabled");
    assert_string_equal(rv_rc_unsellable("live", &unsynced), "not_synced");
    assert_string_equal(rv_rc_unsellable("live", &empty), "out_of_stock");
    assert_string_equal(rv_rc_unsellable("live", &neg), "out_of_stock");
    assert_null(rv_rc_unsellable("live", &empty_nostock));      /* stock is the owner's business */
    assert_null(rv_rc_unsellable("draft", &off));               /* only live listings sell */
    assert_null(rv_rc_unsellable("ended", &empty));
    assert_null(rv_rc_unsellable(NULL, &off));
}

static void test_state(void **state)
{
    (void)state;
    assert_false(rv_rc_state_differs("live", "live"));
    assert_true(rv_rc_state_differs("live", "ended"));
    assert_true(rv_rc_state_differs("draft", "live"));
    assert_true(rv_rc_state_differs(NULL, "live"));
    assert_true(rv_rc_state_differs("creating", "draft"));
    assert_false(rv_rc_state_differs("live", NULL));
    assert_false(rv_rc_state_differs("live", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_expected_is_the_push_body, rv_test_pool_setup, rv_test_pool_teardown),
        cmocka_unit_test_setup_teardown(test_diff, rv_test_pool_setup, rv_test_pool_teardown),
        cmocka_unit_test(test_unsellable),
        cmocka_unit_test(test_state),
    };
    apr_initialize();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
