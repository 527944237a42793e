/* test_order_status.c: what a Reverb order status means (classify, the
 * cancelled list in C and in SQL), the OpenCart status it becomes by
 * default, OpenCart's default committed set. */
#include "rv_test.h"
#include "rv_order_status.h"

static void test_cancelled_list_is_one(void **state)
{
    (void)state;
    /* the SQL form is built from the same list classify uses */
    assert_string_equal(RV_ORDER_CANCELLED_SQL, "('cancelled', 'canceled', 'refunded')");
    assert_int_equal(rv_order_classify("cancelled"), RV_ORDER_CANCELLED);
    assert_int_equal(rv_order_classify("canceled"), RV_ORDER_CANCELLED);
    assert_int_equal(rv_order_classify("refunded"), RV_ORDER_CANCELLED);
    assert_int_equal(rv_order_classify("Cancelled"), RV_ORDER_UNKNOWN);
    assert_int_equal(rv_order_classify(NULL), RV_ORDER_UNKNOWN);
    assert_int_equal(rv_order_classify(""), RV_ORDER_UNKNOWN);
}

static void test_shipped(void **state)
{
    (void)state;
    assert_true(rv_order_is_shipped("shipped"));
    assert_true(rv_order_is_shipped("picked_up"));
    assert_true(rv_order_is_shipped("received"));
    assert_false(rv_order_is_shipped("paid"));
    assert_false(rv_order_is_shipped("refunded"));
    assert_false(rv_order_is_shipped(""));
    assert_false(rv_order_is_shipped(NULL));
}

static void test_status_words(void **state)
{
    (void)state;
    assert_string_equal(rv_order_status_words("paid"), "paid, waiting to be shipped");
    assert_string_equal(rv_order_status_words("picked_up"), "picked up");
    assert_string_equal(rv_order_status_words("canceled"), "cancelled");
    assert_string_equal(rv_order_status_words("layaway"), "layaway");
    assert_string_equal(rv_order_status_words(NULL), "unknown");
}

static void test_default_status(void **state)
{
    (void)state;
    assert_string_equal(rv_order_default_status("shipped"), "3");
    assert_string_equal(rv_order_default_status("picked_up"), "3");
    assert_string_equal(rv_order_default_status("received"), "5");
    assert_string_equal(rv_order_default_status("refunded"), "11");
    assert_string_equal(rv_order_default_status("cancelled"), "7");
    assert_string_equal(rv_order_default_status("canceled"), "7");
    assert_string_equal(rv_order_default_status("paid"), RV_OC_PAID_STATUS);
    assert_string_equal(rv_order_default_status("partially_paid"), "2");
    assert_null(rv_order_default_status("unpaid"));
    assert_null(rv_order_default_status("payment_pending"));
    assert_null(rv_order_default_status("something_new"));
    assert_null(rv_order_default_status(NULL));
}

static void test_committed_default(void **state)
{
    static const char *const yes[] = { "1", "2", "3", "5", "12" };
    static const char *const no[] = { "0", "4", "7", "11", "13", "", "21" };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(rv_oc_status_committed_default(yes[i]));
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        assert_false(rv_oc_status_committed_default(no[i]));
    assert_false(rv_oc_status_committed_default(NULL));
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_cancelled_list_is_one),
    RV_TEST(test_shipped),
    RV_TEST(test_status_words),
    RV_TEST(test_default_status),
    RV_TEST(test_committed_default),
};
RV_TEST_MAIN("rv_order_status", tests)
