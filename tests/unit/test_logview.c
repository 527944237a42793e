/* test_logview.c: a sync log row's kind and Reverb's errors as lines. */
#include "rv_test.h"
#include "rv_logview.h"

static void test_kind(void **state)
{
    (void)state;
    assert_string_equal(rv_log_kind("push", "webhook"), "webhook");
    assert_string_equal(rv_log_kind("push", "ship"), "tracking");
    assert_string_equal(rv_log_kind("pull", "order"), "order");
    assert_string_equal(rv_log_kind("pull", "listing"), "pull");
    assert_string_equal(rv_log_kind("pull", "pull"), "pull");
    assert_string_equal(rv_log_kind("push", "create"), "listing");
    assert_string_equal(rv_log_kind("push", "end"), "listing");
    assert_string_equal(rv_log_kind("push", ""), "listing");
    assert_string_equal(rv_log_kind(NULL, NULL), "listing");
}

static const char *lines(json_object *errors)
{
    static char buf[512];
    json_object *out = rv_log_error_lines(errors);
    size_t i;
    buf[0] = 0;
    if (!out) {
        json_object_put(errors);
        return NULL;
    }
    for (i = 0; i < json_object_array_length(out); i++) {
        if (i)
            strcat(buf, "|");
        strcat(buf, json_object_get_string(json_object_array_get_idx(out, i)));
    }
    json_object_put(out);
    json_object_put(errors);
    return buf;
}

static void test_error_lines(void **state)
{
    (void)state;
    assert_string_equal(lines(json_tokener_parse(
        "{\"price\":[\"must be greater than 0\",\"is not a number\"],\"make\":[\"can't be blank\"]}")),
        "price: must be greater than 0|price: is not a number|make: can't be blank");
    assert_string_equal(lines(json_tokener_parse("{\"title\":\"is invalid\"}")), "title: is invalid");
    assert_string_equal(lines(json_tokener_parse("[\"Something went wrong\", 3]")), "Something went wrong");
    assert_string_equal(lines(json_tokener_parse("\"plain text\"")), "plain text");
    /* wrong types are skipped, never read as strings */
    assert_string_equal(lines(json_tokener_parse("{\"a\":[1,{\"x\":1}],\"b\":\"ok\",\"c\":null}")), "b: ok");
    assert_null(lines(json_tokener_parse("{\"a\":[],\"b\":\"\"}")));
    assert_null(lines(json_tokener_parse("42")));
    assert_null(rv_log_error_lines(NULL));
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_kind),
    RV_TEST(test_error_lines),
};
RV_TEST_MAIN("rv_logview", tests)
