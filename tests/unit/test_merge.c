/* test_merge.c: three-way merge rules. */
#include "rv_test.h"
#include "rv_merge.h"

static void test_value(void **state)
{
    (void)state;
    assert_int_equal(rv_merge_value("a", "a", "a"), RV_MERGE_NONE);
    assert_int_equal(rv_merge_value("a", "b", "a"), RV_MERGE_TO_REVERB);
    assert_int_equal(rv_merge_value("a", "a", "b"), RV_MERGE_TO_OPENCART);
    assert_int_equal(rv_merge_value("a", "b", "c"), RV_MERGE_CONFLICT);
    assert_int_equal(rv_merge_value("a", "b", "b"), RV_MERGE_NONE);       /* same edit both sides */
    assert_int_equal(rv_merge_value(NULL, "b", "c"), RV_MERGE_TO_REVERB); /* first sync */
    assert_int_equal(rv_merge_value(NULL, "b", "b"), RV_MERGE_NONE);
    assert_int_equal(rv_merge_value("a", NULL, ""), RV_MERGE_NONE);       /* NULL counts as "" */
    assert_int_equal(rv_merge_value("", "", "x"), RV_MERGE_TO_OPENCART);
    assert_int_equal(rv_merge_value("a", "A", "a"), RV_MERGE_TO_REVERB);  /* exact comparison */
}

static void test_price(void **state)
{
    (void)state;
    assert_int_equal(rv_merge_price("10.5", "10.5000", "10.50"), RV_MERGE_NONE);
    assert_int_equal(rv_merge_price("10.5000", "11.0000", "10.50"), RV_MERGE_TO_REVERB);
    assert_int_equal(rv_merge_price("10.5000", "10.5", "12.00"), RV_MERGE_TO_OPENCART);
    assert_int_equal(rv_merge_price("10.5000", "11", "12.00"), RV_MERGE_CONFLICT);
    assert_int_equal(rv_merge_price(NULL, "11.0000", "12.00"), RV_MERGE_TO_REVERB);
    assert_int_equal(rv_merge_price("10", "10", "junk"), RV_MERGE_TO_OPENCART);  /* text fallback */
    assert_int_equal(rv_merge_value("10.5", "10.5000", "10.50"), RV_MERGE_CONFLICT); /* strings differ */
}

static void check_stock(long long base, long long oc, long long rv, long long sold,
                        long long want_oc, long long want_rv)
{
    long long got_oc = -999, got_rv = -999;
    rv_merge_stock(base, oc, rv, sold, &got_oc, &got_rv);
    if (got_oc != want_oc || got_rv != want_rv)
        fail_msg("stock(%lld,%lld,%lld,%lld) = %lld/%lld, want %lld/%lld", base, oc, rv, sold,
                 got_oc, got_rv, want_oc, want_rv);
}

static void test_stock(void **state)
{
    (void)state;
    check_stock(5, 5, 5, 0, 5, 5);      /* nothing happened */
    check_stock(5, 4, 5, 0, 4, 4);      /* shop sale flows to Reverb */
    check_stock(5, 5, 10, 0, 10, 10);   /* seller restocked on Reverb */
    check_stock(5, 4, 3, 0, 2, 2);      /* shop sale + Reverb sale not yet imported */
    check_stock(5, 2, 3, 2, 2, 2);      /* shop sale + Reverb sale of 2 already imported */
    check_stock(5, 3, 3, 2, 3, 3);      /* only the imported Reverb sale: nothing to do twice */
    check_stock(1, 0, 0, 1, 0, 0);
    check_stock(1, -1, 0, 0, -2, 0);    /* oversold: OpenCart shows it, Reverb clamps at 0 */
    check_stock(0, 10, 0, 0, 10, 10);   /* first stock */
}

static void test_stock_extremes(void **state)
{
    long long o, r;
    (void)state;
    rv_merge_stock(-9223372036854775807LL - 1, 0, 9223372036854775807LL, 9223372036854775807LL, &o, &r);
    assert_true(o > 0);                 /* saturates instead of wrapping */
    rv_merge_stock(0, 1, 1, 0, NULL, NULL);
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_value),
    RV_TEST(test_price),
    RV_TEST(test_stock),
    RV_TEST(test_stock_extremes),
};
RV_TEST_MAIN("rv_merge", tests)
