/* test_sha256.c: the EVP-backed SHA-256 gives the FIPS 180-4 digests, in the
 * lower-case hex the database stores (listing and photo hashes written by the
 * hand-written hash it replaced must still compare equal). */
#include "rv_test.h"
#include "rv_sha256.h"

#include <apr_escape.h>

static void test_known_vectors(void **state)
{
    char hex[65];
    (void)state;
    rv_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    rv_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    rv_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* A million 'a' fed in uneven pieces: block boundaries inside updates. */
static void test_incremental_million_a(void **state)
{
    static char chunk[997];
    unsigned char d[32];
    rv_sha256_ctx c;
    size_t left = 1000000;
    memset(chunk, 'a', sizeof(chunk));
    rv_sha256_init(&c);
    rv_sha256_update(&c, chunk, 0);
    while (left) {
        size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        rv_sha256_update(&c, chunk, n);
        left -= n;
    }
    rv_sha256_final(&c, d);
    assert_null(c.md);
    assert_string_equal(apr_pescape_hex(RV_POOL, d, sizeof(d), 0),
                        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* The form of a stored listing hash: 64 lower-case hex digits, and the
 * incremental and one-shot paths agree (the photo hash is built piecewise). */
static void test_hex_form_and_paths_agree(void **state)
{
    const char *s = "{\"title\":\"Fender \xc3\xa9\"}\x1f\x01\x1f";
    unsigned char d[32];
    char hex[65];
    rv_sha256_ctx c;
    rv_sha256_hex(s, strlen(s), hex);
    assert_int_equal(strlen(hex), 64);
    assert_int_equal(strspn(hex, "0123456789abcdef"), 64);
    rv_sha256_init(&c);
    rv_sha256_update(&c, s, 5);
    rv_sha256_update(&c, s + 5, strlen(s) - 5);
    rv_sha256_final(&c, d);
    assert_string_equal(apr_pescape_hex(RV_POOL, d, sizeof(d), 0), hex);
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_known_vectors),
    RV_TEST(test_incremental_million_a),
    RV_TEST(test_hex_form_and_paths_agree),
};

RV_TEST_MAIN("sha256", tests)
