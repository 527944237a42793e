/* test_escape.c: rv_url_escape (now curl_easy_escape) keeps exactly the
 * RFC 3986 unreserved characters and writes %XX in upper case for every
 * other byte, as the hand-written loop it replaced did: checked byte by byte
 * against that loop, kept here as the reference. */
#include "rv_test.h"
#include "rv_api.h"

static char *ref_escape(apr_pool_t *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = apr_palloc(p, strlen(s) * 3 + 1), *o = out;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~') {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

static void test_examples(void **state)
{
    apr_pool_t *p = RV_POOL;
    assert_string_equal(rv_url_escape(p, NULL), "");
    assert_string_equal(rv_url_escape(p, ""), "");
    assert_string_equal(rv_url_escape(p, "a+b c"), "a%2Bb%20c");
    assert_string_equal(rv_url_escape(p, "SKU-1.2_x~"), "SKU-1.2_x~");
    assert_string_equal(rv_url_escape(p, "2024-01-02T03:04:05+01:00"), "2024-01-02T03%3A04%3A05%2B01%3A00");
    assert_string_equal(rv_url_escape(p, "a/b?c=d&e#f"), "a%2Fb%3Fc%3Dd%26e%23f");
    assert_string_equal(rv_url_escape(p, "\xc3\xa9"), "%C3%A9");
}

static void test_every_byte_as_before(void **state)
{
    apr_pool_t *p = RV_POOL;
    char all[256];
    int c;
    for (c = 1; c < 256; c++) {
        char one[2] = { (char)c, '\0' };
        assert_string_equal(rv_url_escape(p, one), ref_escape(p, one));
        all[c - 1] = (char)c;
    }
    all[255] = '\0';
    assert_string_equal(rv_url_escape(p, all), ref_escape(p, all));
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_examples),
    RV_TEST(test_every_byte_as_before),
};

RV_TEST_MAIN("escape", tests)
