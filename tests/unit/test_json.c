/* test_json.c: rv_json helpers. */
#include "rv_test.h"
#include "rv_json.h"

static json_object *parse(const char *s, const char **err)
{
    return rv_json_parse(s, strlen(s), err);
}

static void parse_rejects(const char *s, const char *err_part)
{
    const char *err = NULL;
    json_object *o = parse(s, &err);
    if (o)
        fail_msg("accepted: %s", s);
    assert_non_null(err);
    if (!strstr(err, err_part))
        fail_msg("'%s': error '%s' lacks '%s'", s, err, err_part);
}

static void test_parse_valid(void **state)
{
    const char *err = "unset";
    json_object *o = parse(" {\"a\": [1, 2, {\"b\": null}], \"c\": \"\\u00e9\"}\n", &err);
    (void)state;
    assert_non_null(o);
    assert_null(err);
    assert_string_equal(rv_json_str(o, "c"), "\xC3\xA9");
    json_object_put(o);
    o = parse("42", &err);                /* a bare number needs the end of input */
    assert_non_null(o);
    assert_int_equal(json_object_get_int(o), 42);
    json_object_put(o);
    o = parse("\"x\"  \r\n\t", NULL);     /* err may be NULL */
    assert_non_null(o);
    json_object_put(o);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    parse_rejects("", "empty");
    parse_rejects("   \n", "empty");
    parse_rejects("{\"a\": [1, 2", "truncated");
    parse_rejects("\"abc", "truncated");
    parse_rejects("{\"a\":1} x", "invalid");   /* json-c's strict mode catches this one */
    parse_rejects("[1] [2]", "");
    parse_rejects("{\"a\" 1}", "invalid");
    parse_rejects("[1,]", "invalid");
    parse_rejects("NaN", "non-finite");
    parse_rejects("[Infinity]", "");
    parse_rejects("TRUE", "invalid");
    assert_null(rv_json_parse(NULL, 0, NULL));
}

static void test_parse_trailing_and_nul(void **state)
{
    const char buf[] = "{}\0{}";
    const char *err = NULL;
    (void)state;
    assert_null(rv_json_parse(buf, sizeof(buf) - 1, &err));
    assert_non_null(err);
    /* the length is honoured: garbage after len is not read */
    {
        json_object *o = rv_json_parse("[1]garbage", 3, &err);
        assert_non_null(o);
        json_object_put(o);
    }
    parse_rejects("1 2", "");
}

static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 1);
    int i;
    for (i = 0; i < depth; i++) {
        s[i] = '[';
        s[depth * 2 - 1 - i] = ']';
    }
    s[depth * 2] = '\0';
    return s;
}

static void test_parse_depth(void **state)
{
    const char *err = NULL;
    char *ok = nested(32), *deep = nested(33), *deeper = nested(200);
    json_object *o = parse(ok, &err);
    (void)state;
    assert_non_null(o);
    json_object_put(o);
    o = parse("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", &err); /* 32 + a value */
    assert_non_null(o);
    json_object_put(o);
    assert_null(parse(deep, &err));
    assert_non_null(strstr(err, "nesting"));
    assert_null(parse("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", &err));
    assert_non_null(strstr(err, "nesting"));
    assert_null(parse(deeper, &err));
    assert_non_null(strstr(err, "nesting"));
    free(ok);
    free(deep);
    free(deeper);
}

static void test_typed_getters(void **state)
{
    json_object *o = parse("{\"s\":\"x\",\"n\":5,\"ns\":\"1\",\"neg\":\"-3\",\"big\":99999999999999999999,"
                           "\"d\":3.0,\"frac\":3.5,\"bad\":\"1a\",\"sp\":\" 1\",\"t\":true,\"f\":\"false\","
                           "\"one\":1,\"two\":2,\"nul\":\"a\\u0000b\",\"null\":null,\"empty\":\"\"}", NULL);
    long long n = 0;
    int b = -1;
    (void)state;
    assert_non_null(o);
    assert_string_equal(rv_json_str(o, "s"), "x");
    assert_null(rv_json_str(o, "n"));
    assert_null(rv_json_str(o, "missing"));
    assert_null(rv_json_str(o, "nul"));        /* embedded NUL would truncate */
    assert_null(rv_json_str(o, "null"));
    assert_string_equal(rv_json_str(o, "empty"), "");
    assert_null(rv_json_str(NULL, "s"));

    assert_int_equal(rv_json_int(o, "n", &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(rv_json_int(o, "ns", &n), 0);   /* PHP sends "1" */
    assert_int_equal(n, 1);
    assert_int_equal(rv_json_int(o, "neg", &n), 0);
    assert_int_equal(n, -3);
    assert_int_equal(rv_json_int(o, "d", &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(rv_json_int(o, "big", &n), -1);  /* json-c saturates: refuse */
    assert_int_equal(rv_json_int(o, "frac", &n), -1);
    assert_int_equal(rv_json_int(o, "bad", &n), -1);
    assert_int_equal(rv_json_int(o, "sp", &n), -1);
    assert_int_equal(rv_json_int(o, "empty", &n), -1);
    assert_int_equal(rv_json_int(o, "t", &n), -1);
    assert_int_equal(rv_json_int(o, "missing", &n), -1);

    assert_int_equal(rv_json_bool(o, "t", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(rv_json_bool(o, "f", &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(rv_json_bool(o, "one", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(rv_json_bool(o, "ns", &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(rv_json_bool(o, "two", &b), -1);
    assert_int_equal(rv_json_bool(o, "s", &b), -1);
    json_object_put(o);
}

static void test_path(void **state)
{
    json_object *o = parse("{\"shipping_address\":{\"region\":\"NSW\"},"
                           "\"amount_product\":{\"amount\":\"12.00\"},"
                           "\"orders\":[{\"order_number\":\"7\"}]}", NULL);
    (void)state;
    assert_string_equal(json_object_get_string(rv_json_path(o, "shipping_address.region")), "NSW");
    assert_string_equal(json_object_get_string(rv_json_path(o, "amount_product.amount")), "12.00");
    assert_string_equal(json_object_get_string(rv_json_path(o, "orders.0.order_number")), "7");
    assert_null(rv_json_path(o, "orders.1.order_number"));
    assert_null(rv_json_path(o, "orders.-1"));
    assert_null(rv_json_path(o, "shipping_address.region.x"));
    assert_null(rv_json_path(o, "shipping_address..region"));
    assert_null(rv_json_path(o, "nope"));
    assert_ptr_equal(rv_json_path(o, "shipping_address"), json_object_object_get(o, "shipping_address"));
    json_object_put(o);
}

static void test_dump_and_canonical(void **state)
{
    apr_pool_t *p = RV_POOL;
    json_object *a = parse("{\"b\":1,\"a\":{\"y\":[3,{\"k\":2,\"j\":1}],\"x\":\"https://h/p\"}}", NULL);
    json_object *b = parse("{\"a\":{\"x\":\"https://h/p\",\"y\":[3,{\"j\":1,\"k\":2}]},\"b\":1}", NULL);
    assert_string_equal(rv_json_dump(p, a),
                        "{\"b\":1,\"a\":{\"y\":[3,{\"k\":2,\"j\":1}],\"x\":\"https://h/p\"}}");
    assert_string_equal(rv_json_canonical(p, a),
                        "{\"a\":{\"x\":\"https://h/p\",\"y\":[3,{\"j\":1,\"k\":2}]},\"b\":1}");
    assert_string_equal(rv_json_canonical(p, a), rv_json_canonical(p, b));
    assert_string_equal(rv_json_dump(p, NULL), "null");
    /* the canonical copy must not change the original */
    assert_string_equal(rv_json_dump(p, a),
                        "{\"b\":1,\"a\":{\"y\":[3,{\"k\":2,\"j\":1}],\"x\":\"https://h/p\"}}");
    json_object_put(a);
    json_object_put(b);
}

static void test_canonical_with_null_member(void **state)
{
    json_object *o = parse("{\"z\":null,\"a\":[null]}", NULL);
    assert_string_equal(rv_json_canonical(RV_POOL, o), "{\"a\":[null],\"z\":null}");
    json_object_put(o);
}

static void test_id_list(void **state)
{
    apr_pool_t *p = RV_POOL;
    static const char *bad[] = { "[0]", "[-1]", "[2147483648]", "[1.5]", "[\"x\"]", "[null]",
                                 "[[1]]", "{\"a\":1}", "7" };
    size_t i;
    json_object *o = parse("[1, \"22\", 2147483647]", NULL);
    assert_string_equal(rv_json_id_list(p, o), "[1,22,2147483647]");
    json_object_put(o);
    o = parse("[]", NULL);
    assert_string_equal(rv_json_id_list(p, o), "[]");
    json_object_put(o);
    assert_null(rv_json_id_list(p, NULL));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o = parse(bad[i], NULL);
        assert_null(rv_json_id_list(p, o));
        json_object_put(o);
    }
}

static void test_setters_null_rule(void **state)
{
    json_object *o = json_object_new_object();
    apr_pool_t *p;
    (void)state;
    apr_pool_create(&p, NULL);
    rv_json_set_str(o, "s", "x");
    rv_json_set_str(o, "none", NULL);
    rv_json_set_int(o, "i", -5000000000LL);
    rv_json_set_bool(o, "b", 7);
    rv_json_set_bool(o, "f", 0);
    rv_json_set_null(o, "n");
    rv_json_set_int_text(o, "it", "42");
    rv_json_set_int_text(o, "inull", NULL);
    assert_string_equal(rv_json_dump(p, o),
        "{\"s\":\"x\",\"none\":null,\"i\":-5000000000,\"b\":true,\"f\":false,"
        "\"n\":null,\"it\":42,\"inull\":null}");
    json_object_put(o);
    apr_pool_destroy(p);
}

/* a row: "name=value" pairs, a missing name is SQL NULL */
static const char *row_get(const void *row, const char *col)
{
    const char *const *kv = row;
    size_t n = strlen(col);
    for (; *kv; kv++)
        if (!strncmp(*kv, col, n) && (*kv)[n] == '=')
            return *kv + n + 1;
    return NULL;
}

static void test_set_cols(void **state)
{
    static const rv_col_t cols[] = {
        { "id", RV_COL_INT, "product_id" }, { "name", RV_COL_STR | RV_COL_DECODE, NULL },
        { "sku", RV_COL_STR, NULL }, { "on", RV_COL_BOOL, NULL }, { "off", RV_COL_BOOL, NULL },
        { "at", RV_COL_TIME, NULL }, { "gone", RV_COL_INT, NULL }, { "nob", RV_COL_BOOL, NULL },
        { "raw", RV_COL_STR, NULL },
    };
    const char *row[] = { "product_id=12", "name=A &amp; B", "on=1", "off=0",
                          "at=2026-01-02T03:04:05Z", "raw=A &amp; B", NULL };
    json_object *o = json_object_new_object();
    apr_pool_t *p;
    (void)state;
    apr_pool_create(&p, NULL);
    rv_json_set_cols(p, o, cols, sizeof(cols) / sizeof(*cols), row_get, row);
    assert_string_equal(rv_json_dump(p, o),
        "{\"id\":12,\"name\":\"A & B\",\"sku\":null,\"on\":true,\"off\":false,"
        "\"at\":\"2026-01-02T03:04:05Z\",\"gone\":null,\"nob\":null,\"raw\":\"A &amp; B\"}");
    json_object_put(o);
    apr_pool_destroy(p);
}

int main(void);
static const struct CMUnitTest tests[] = {
    RV_TEST(test_id_list),
    RV_TEST(test_parse_valid),
    RV_TEST(test_parse_rejects),
    RV_TEST(test_parse_trailing_and_nul),
    RV_TEST(test_parse_depth),
    RV_TEST(test_typed_getters),
    RV_TEST(test_path),
    RV_TEST(test_dump_and_canonical),
    RV_TEST(test_canonical_with_null_member),
    RV_TEST(test_setters_null_rule),
    RV_TEST(test_set_cols),
};
RV_TEST_MAIN("rv_json", tests)
