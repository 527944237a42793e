/* test_sqltext.c: placeholder counting (core/rv_sqltext.c), which the
 * database layer checks against RV_ARGS before every statement. */
#include "rv_test.h"
#include "rv_sqltext.h"

static void test_counts(void **state)
{
    (void)state;
    assert_int_equal(rv_sql_placeholders(NULL), -1);
    assert_int_equal(rv_sql_placeholders(""), 0);
    assert_int_equal(rv_sql_placeholders("SELECT 1"), 0);
    assert_int_equal(rv_sql_placeholders("SELECT %s"), 1);
    assert_int_equal(rv_sql_placeholders("UPDATE t SET a = %s WHERE b = %s AND c = %d"), 3);
    assert_int_equal(rv_sql_placeholders("SELECT 'a%%b', %s"), 1);
    assert_int_equal(rv_sql_placeholders("SELECT 1 WHERE x LIKE 'a%' OR y = %s"), 1);
    assert_int_equal(rv_sql_placeholders("%s%s%s"), 3);
    assert_int_equal(rv_sql_placeholders("trailing %"), 0);
}

/* a mismatch the database layer refuses: the counts differ */
static void test_mismatch_is_seen(void **state)
{
    const char *args[] = { "1" };
    (void)state;
    assert_true(rv_sql_placeholders("SELECT %s, %s") != (int)(sizeof(args) / sizeof(*args)));
    assert_true(rv_sql_placeholders("SELECT %s") == (int)(sizeof(args) / sizeof(*args)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts, rv_test_pool_setup, rv_test_pool_teardown),
        cmocka_unit_test_setup_teardown(test_mismatch_is_seen, rv_test_pool_setup,
                                        rv_test_pool_teardown),
    };
    apr_initialize();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
