/* test_scan_plan.c: when a cron cycle reads the whole catalogue. */
#include "rv_test.h"
#include "rv_scan_plan.h"

static void test_first(void **state)
{
    (void)state;
    assert_int_equal(rv_scan_plan(NULL, "abc", 10, 3600), RV_SCAN_FULL_FIRST);
    assert_int_equal(rv_scan_plan("", "abc", 10, 3600), RV_SCAN_FULL_FIRST);
}

static void test_settings(void **state)
{
    (void)state;
    assert_int_equal(rv_scan_plan("abc", "abd", 10, 3600), RV_SCAN_FULL_SETTINGS);
    assert_int_equal(rv_scan_plan("abc", NULL, 10, 3600), RV_SCAN_FULL_SETTINGS);
    /* a settings change wins over a scan that is not due */
    assert_int_equal(rv_scan_plan("abc", "ABC", 0, 3600), RV_SCAN_FULL_SETTINGS);
}

static void test_due(void **state)
{
    (void)state;
    assert_int_equal(rv_scan_plan("abc", "abc", 10, 3600), RV_SCAN_INCREMENTAL);
    assert_int_equal(rv_scan_plan("abc", "abc", 3599, 3600), RV_SCAN_INCREMENTAL);
    assert_int_equal(rv_scan_plan("abc", "abc", 3600, 3600), RV_SCAN_FULL_DUE);
    assert_int_equal(rv_scan_plan("abc", "abc", 90000, 3600), RV_SCAN_FULL_DUE);
    assert_int_equal(rv_scan_plan("abc", "abc", -5, 3600), RV_SCAN_FULL_DUE);   /* clock went back */
    assert_int_equal(rv_scan_plan("abc", "abc", 0, 0), RV_SCAN_FULL_DUE);       /* every cycle */
    assert_int_equal(rv_scan_plan("abc", "abc", 0, -1), RV_SCAN_FULL_DUE);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(rv_scan_kind_name(RV_SCAN_INCREMENTAL), "incremental");
    assert_string_equal(rv_scan_kind_name(RV_SCAN_FULL_FIRST), "first");
    assert_string_equal(rv_scan_kind_name(RV_SCAN_FULL_SETTINGS), "settings");
    assert_string_equal(rv_scan_kind_name(RV_SCAN_FULL_DUE), "due");
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_first),
    RV_TEST(test_settings),
    RV_TEST(test_due),
    RV_TEST(test_names),
};
RV_TEST_MAIN("rv_scan_plan", tests)
