/* fuzz_query.c: query-string parsing. */
#include "fuzz_util.h"
#include "rv_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *s, *v;
    long long n = 0;
    apr_pool_create(&p, NULL);
    s = fuzz_cstr(p, data, size);
    v = rv_query_get(p, s, "user_token");
    if (v)
        FUZZ_CHECK(strlen(v) <= strlen(s), "decoding never grows");
    (void)rv_query_get(p, s, "key");
    (void)rv_query_get(p, s, "");
    if (rv_query_int(p, s, "page", 1, 1000, 1, &n) == 0)
        FUZZ_CHECK(n >= 1 && n <= 1000, "query_int respects its range");
    else
        FUZZ_CHECK(n == 1, "failure leaves the default");
    if (rv_parse_ll(s, -5, 5, &n) == 0)
        FUZZ_CHECK(n >= -5 && n <= 5, "parse_ll respects its range");
    apr_pool_destroy(p);
    return 0;
}
