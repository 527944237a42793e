/* test_query.c: query strings. */
#include "rv_test.h"
#include "rv_query.h"

static void test_get(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_query_get(p, "key=abc&user_token=t0k", "user_token"), "t0k");
    assert_string_equal(rv_query_get(p, "q=a+b%20c%2Bd", "q"), "a b c+d");
    assert_string_equal(rv_query_get(p, "a=1&a=2", "a"), "1");                 /* first occurrence */
    assert_string_equal(rv_query_get(p, "flag&x=1", "flag"), "");
    assert_string_equal(rv_query_get(p, "flag=&x=1", "flag"), "");
    assert_string_equal(rv_query_get(p, "us%65r=x", "user"), "x");             /* decoded key */
    assert_string_equal(rv_query_get(p, "v=%zz%4%", "v"), "%zz%4%");          /* kept like PHP */
    assert_string_equal(rv_query_get(p, "v=caf%C3%A9", "v"), "caf\xC3\xA9");
    assert_string_equal(rv_query_get(p, "&&v=1&", "v"), "1");
    assert_string_equal(rv_query_get(p, "v=a=b", "v"), "a=b");
    assert_null(rv_query_get(p, "key=abc", "ke"));
    assert_null(rv_query_get(p, "key=abc", "keys"));
    assert_null(rv_query_get(p, "xkey=abc", "key"));
    assert_null(rv_query_get(p, "key=ab%00c", "key"));                        /* embedded NUL */
    assert_null(rv_query_get(p, "", "key"));
    assert_null(rv_query_get(p, NULL, "key"));
    assert_null(rv_query_get(p, "key=1", NULL));
    assert_null(rv_query_get(p, "=1", ""));
}

static void test_int(void **state)
{
    apr_pool_t *p = RV_POOL;
    long long v = 0;
    assert_int_equal(rv_query_int(p, "page=3&per_page=20", "page", 1, 1000, 1, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(rv_query_int(p, "page=3", "per_page", 1, 100, 20, &v), 0);  /* missing */
    assert_int_equal(v, 20);
    assert_int_equal(rv_query_int(p, "page=", "page", 1, 100, 7, &v), 0);        /* empty */
    assert_int_equal(v, 7);
    assert_int_equal(rv_query_int(p, "n=-5", "n", -10, 10, 0, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(rv_query_int(p, "page=0", "page", 1, 100, 1, &v), -1);      /* out of range */
    assert_int_equal(v, 1);
    assert_int_equal(rv_query_int(p, "page=101", "page", 1, 100, 1, &v), -1);
    assert_int_equal(rv_query_int(p, "page=3x", "page", 1, 100, 1, &v), -1);
    assert_int_equal(rv_query_int(p, "page=+3", "page", 1, 100, 1, &v), -1);
    assert_int_equal(rv_query_int(p, "page=%203", "page", 1, 100, 1, &v), -1);
    assert_int_equal(rv_query_int(p, "page=99999999999999999999", "page", 1, 100, 1, &v), -1);
    assert_int_equal(rv_query_int(p, "page=3%00", "page", 1, 100, 1, &v), -1);
    assert_int_equal(rv_query_int(p, "page=-", "page", -5, 100, 1, &v), -1);
}

static void test_parse_ll(void **state)
{
    long long v = 0;
    (void)state;
    assert_int_equal(rv_parse_ll("42", 1, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(rv_parse_ll("9223372036854775807", 0, 9223372036854775807LL, &v), 0);
    assert_int_equal(rv_parse_ll("9223372036854775808", 0, 9223372036854775807LL, &v), -1);
    assert_int_equal(rv_parse_ll("", 0, 10, &v), -1);
    assert_int_equal(rv_parse_ll(" 1", 0, 10, &v), -1);
    assert_int_equal(rv_parse_ll("0x1", 0, 10, &v), -1);
    assert_int_equal(rv_parse_ll(NULL, 0, 10, &v), -1);
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_get),
    RV_TEST(test_int),
    RV_TEST(test_parse_ll),
};
RV_TEST_MAIN("rv_query", tests)
