/* test_decimal.c: fixed-point decimals and SHA-256. */
#include "rv_test.h"
#include "rv_decimal.h"
#include "rv_sha256.h"

static const char *fmt(const char *in, int places)
{
    static char buf[RV_DEC_BUF];
    rv_dec_t v;
    if (rv_dec_parse(in, &v))
        return "ERR";
    rv_dec_format(v, places, buf);
    return buf;
}

static void test_parse_format(void **state)
{
    (void)state;
    assert_string_equal(fmt("1299.0000", 2), "1299.00");
    assert_string_equal(fmt("0.5", 2), "0.50");
    assert_string_equal(fmt(".5", 2), "0.50");
    assert_string_equal(fmt("5.", 0), "5");
    assert_string_equal(fmt("12.345", 2), "12.35");
    assert_string_equal(fmt("-12.345", 2), "-12.35");       /* half away from zero */
    assert_string_equal(fmt("12.3449", 2), "12.34");
    assert_string_equal(fmt("0.123456785", 8), "0.12345679");
    assert_string_equal(fmt("+007.10", 4), "7.1000");
    assert_string_equal(fmt("9999999999.99", 2), "9999999999.99");
    assert_string_equal(fmt("99999999999", 2), "ERR");     /* 11 integer digits */
    assert_string_equal(fmt("00000000000001", 2), "1.00"); /* leading zeros are free */
    assert_string_equal(fmt("", 2), "ERR");
    assert_string_equal(fmt(".", 2), "ERR");
    assert_string_equal(fmt("-", 2), "ERR");
    assert_string_equal(fmt("1e5", 2), "ERR");
    assert_string_equal(fmt(" 1", 2), "ERR");
    assert_string_equal(fmt("1,5", 2), "ERR");
    assert_string_equal(fmt("0x10", 2), "ERR");
}

static void test_muldiv_and_cents(void **state)
{
    rv_dec_t v, one = RV_DEC_SCALE;
    (void)state;
    assert_int_equal(rv_dec_muldiv(10 * one, one, 3 * one, 4, &v), 0);
    assert_int_equal(v, 333330000);                         /* 3.3333 */
    assert_int_equal(rv_dec_muldiv(one, one, 0, 4, &v), -1);
    assert_int_equal(rv_dec_to_cents(5999 * one), 599900);
    assert_int_equal(rv_dec_to_cents(59995000), 60);        /* 0.59995 -> 60 cents */
    assert_int_equal(rv_dec_from_cents(599900, &v), 0);
    assert_int_equal(v, 5999 * one);
    assert_int_equal(rv_dec_from_cents(9223372036854775807LL, &v), -1);
}

static void test_sha256_vectors(void **state)
{
    char hex[65];
    rv_sha256_ctx c;
    unsigned char d[32];
    int i;
    (void)state;
    rv_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    rv_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    rv_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in uneven pieces */
    rv_sha256_init(&c);
    for (i = 0; i < 1000000 / 1000; i++) {
        static char chunk[1000];
        memset(chunk, 'a', sizeof(chunk));
        rv_sha256_update(&c, chunk, 333);
        rv_sha256_update(&c, chunk, 667);
    }
    rv_sha256_final(&c, d);
    assert_int_equal(d[0], 0xcd);
    assert_int_equal(d[1], 0xc7);
    assert_int_equal(d[31], 0xd0);
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_parse_format),
    RV_TEST(test_muldiv_and_cents),
    RV_TEST(test_sha256_vectors),
};
RV_TEST_MAIN("rv_decimal", tests)
