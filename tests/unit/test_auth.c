/* test_auth.c: OpenCart session, cookie, permission parsing. */
#include "rv_test.h"
#include "rv_auth.h"

static void test_session_id(void **state)
{
    (void)state;
    assert_true(rv_session_id_valid("84348083f416ca8f45b14522c1"));          /* 26 hex, as OpenCart makes */
    assert_true(rv_session_id_valid("abcdefghijklmnopqrstuv"));              /* 22 */
    assert_true(rv_session_id_valid("a,b-cdefghijklmnopqrstu"));
    assert_true(rv_session_id_valid("0123456789012345678901234567890123456789012345678901"));  /* 52 */
    assert_false(rv_session_id_valid("0123456789012345678901234567890123456789012345678901x")); /* 53 */
    assert_false(rv_session_id_valid("abcdefghijklmnopqrstu"));              /* 21 */
    assert_false(rv_session_id_valid("abcdefghijklmnopqrstuv'"));
    assert_false(rv_session_id_valid("abcdefghijklmnop rstuvw"));
    assert_false(rv_session_id_valid("abcdefghijklmnopqrstuv\n"));
    assert_false(rv_session_id_valid(""));
    assert_false(rv_session_id_valid(NULL));
}

static void test_cookie(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_cookie_get(p, "a=1; OCSESSID=84348083f416ca8f45b14522c1; b=2", "OCSESSID"),
                        "84348083f416ca8f45b14522c1");
    assert_string_equal(rv_cookie_get(p, "OCSESSID=first;OCSESSID=second", "OCSESSID"), "first");
    assert_string_equal(rv_cookie_get(p, "  OCSESSID = \"quoted\"  ", "OCSESSID"), "quoted");
    assert_string_equal(rv_cookie_get(p, "OCSESSID=", "OCSESSID"), "");
    assert_null(rv_cookie_get(p, "XOCSESSID=1; OCSESSIDX=2", "OCSESSID"));
    assert_null(rv_cookie_get(p, "ocsessid=1", "OCSESSID"));                  /* names are case-sensitive */
    assert_null(rv_cookie_get(p, "OCSESSID", "OCSESSID"));
    assert_null(rv_cookie_get(p, "", "OCSESSID"));
    assert_null(rv_cookie_get(p, NULL, "OCSESSID"));
    assert_string_equal(rv_cookie_get(p, "a=b=c", "a"), "b=c");
}

/* OpenCart 4: the admin's cookie (path /admin/) and the storefront's (path
 * /) both reach /admin/reverb/..., the longer path first. */
static void test_cookie_nth(void **state)
{
    apr_pool_t *p = RV_POOL;
    const char *h = "OCSESSID=admin4958c32823906a19a03; x=1; OCSESSID=shop84348083f416ca8f45b1";
    assert_string_equal(rv_cookie_get_nth(p, h, "OCSESSID", 0), "admin4958c32823906a19a03");
    assert_string_equal(rv_cookie_get_nth(p, h, "OCSESSID", 1), "shop84348083f416ca8f45b1");
    assert_null(rv_cookie_get_nth(p, h, "OCSESSID", 2));
    assert_string_equal(rv_cookie_get_nth(p, h, "x", 0), "1");
    assert_null(rv_cookie_get_nth(p, h, "x", 1));
    assert_null(rv_cookie_get_nth(p, NULL, "OCSESSID", 0));
}

static void test_session_parse(void **state)
{
    apr_pool_t *p = RV_POOL;
    long long uid = -1;
    const char *tok = "unset";
    assert_int_equal(rv_session_parse(p, "{\"user_id\":\"1\",\"user_token\":\"x\"}", &uid, &tok), 0);
    assert_int_equal(uid, 1);
    assert_string_equal(tok, "x");
    assert_int_equal(rv_session_parse(p, "{\"user_token\":\"GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfY\",\"user_id\":7}",
                                      &uid, &tok), 0);
    assert_int_equal(uid, 7);
    assert_string_equal(tok, "GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfY");
    assert_int_equal(rv_session_parse(p, "{\"user_id\":\"3\"}", &uid, &tok), 0);
    assert_int_equal(uid, 3);
    assert_null(tok);
    assert_int_equal(rv_session_parse(p, "{\"user_id\":\"3\",\"user_token\":5}", &uid, &tok), 0);
    assert_null(tok);

    assert_int_equal(rv_session_parse(p, "[]", &uid, &tok), 1);              /* PHP's empty session */
    assert_int_equal(uid, 0);
    assert_null(tok);
    uid = -1;
    tok = "unset";
    assert_int_equal(rv_session_parse(p, "", &uid, &tok), 1);                /* OpenCart 4's empty session */
    assert_int_equal(uid, 0);
    assert_null(tok);
    assert_int_equal(rv_session_parse(p, "{\"language\":\"en-gb\",\"currency\":\"USD\"}", &uid, &tok), 1);
    assert_int_equal(rv_session_parse(p, "{\"user_id\":\"0\"}", &uid, &tok), 1);
    assert_int_equal(rv_session_parse(p, "{\"user_id\":null}", &uid, &tok), 1);
    assert_int_equal(rv_session_parse(p, "", &uid, &tok), 1);
    assert_int_equal(rv_session_parse(p, NULL, &uid, &tok), 1);

    assert_int_equal(rv_session_parse(p, "{\"user_id\":\"1 OR 1\"}", &uid, &tok), -1);
    assert_int_equal(rv_session_parse(p, "{\"user_id\":\"-1\"}", &uid, &tok), -1);
    assert_int_equal(rv_session_parse(p, "{\"user_id\":true}", &uid, &tok), -1);
    assert_int_equal(rv_session_parse(p, "{\"user_id\":1.5}", &uid, &tok), -1);
    assert_int_equal(rv_session_parse(p, "a:1:{s:7:\"user_id\";}", &uid, &tok), -1); /* PHP serialize */
    assert_int_equal(rv_session_parse(p, "\"str\"", &uid, &tok), -1);
    assert_int_equal(rv_session_parse(p, "{\"user_id\":\"1\"", &uid, &tok), -1);
    assert_int_equal(uid, 0);
}

static const char *admin_permission =
    "{\"access\":[\"catalog\\/product\",\"extension\\/module\\/reverb\"],"
    "\"modify\":[\"catalog\\/product\",\"extension\\/module\\/latest\"]}";

static void test_permission(void **state)
{
    (void)state;
    assert_true(rv_permission_has(admin_permission, "access", "extension/module/reverb"));
    assert_false(rv_permission_has(admin_permission, "modify", "extension/module/reverb"));
    assert_true(rv_permission_has(admin_permission, "modify", "extension/module/latest"));
    assert_false(rv_permission_has(admin_permission, "access", "extension/module"));   /* exact only */
    assert_false(rv_permission_has(admin_permission, "access", "extension/module/reverb/x"));
    assert_false(rv_permission_has(admin_permission, "delete", "catalog/product"));
    assert_false(rv_permission_has("", "access", "extension/module/reverb"));          /* Demonstration group */
    assert_false(rv_permission_has(NULL, "access", "extension/module/reverb"));
    assert_false(rv_permission_has("not json", "access", "extension/module/reverb"));
    assert_false(rv_permission_has("[\"extension/module/reverb\"]", "access", "extension/module/reverb"));
    assert_false(rv_permission_has("{\"access\":\"extension/module/reverb\"}", "access", "extension/module/reverb"));
    assert_false(rv_permission_has("{\"access\":[1,null,{}]}", "access", "1"));
    assert_true(rv_permission_has("{\"access\":[1,\"extension/module/reverb\"]}", "access", "extension/module/reverb"));
    assert_false(rv_permission_has("{\"access\":[\"extension/module/reverb\\u0000x\"]}", "access",
                                   "extension/module/reverb"));
}

static void test_consttime_eq(void **state)
{
    (void)state;
    assert_true(rv_consttime_eq("GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfY", "GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfY"));
    assert_false(rv_consttime_eq("GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfZ", "GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfY"));
    assert_false(rv_consttime_eq("GLeGhXcFAZYsJ0UVUPH96QNLNPrs3Ef", "GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfY"));
    assert_false(rv_consttime_eq("GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfYY", "GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfY"));
    assert_false(rv_consttime_eq("", "secret"));
    assert_false(rv_consttime_eq("", ""));          /* an empty secret never matches */
    assert_false(rv_consttime_eq(NULL, "x"));
    assert_false(rv_consttime_eq("x", NULL));
    assert_true(rv_consttime_eq("x", "x"));
    assert_false(rv_consttime_eq("Y", "x"));
    assert_false(rv_consttime_eq("xGLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfY", "GLeGhXcFAZYsJ0UVUPH96QNLNPrs3EfY"));
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_session_id),
    RV_TEST(test_cookie),
    RV_TEST(test_cookie_nth),
    RV_TEST(test_session_parse),
    RV_TEST(test_permission),
    RV_TEST(test_consttime_eq),
};
RV_TEST_MAIN("rv_auth", tests)
