/* test_retry.c: the retry policy of jobs and of single calls (core/rv_retry.c). */
#include "rv_test.h"
#include "rv_retry.h"

/* our own limiter held the request back: DEFER, not an attempt */
static void test_job_defer(void **state)
{
    rv_retry_t r;
    (void)state;
    r = rv_retry_job(RV_API_RATE_LIMITED, 0, -1, 7, 1);
    assert_int_equal(r.verdict, RV_RETRY_DEFER);
    assert_int_equal(r.delay_ms, 1000);
    r = rv_retry_job(RV_API_RATE_LIMITED, 0, 12, 7, RV_JOB_MAX_ATTEMPTS + 5);
    assert_int_equal(r.verdict, RV_RETRY_DEFER);
    assert_int_equal(r.delay_ms, 12000);
}

/* Reverb's 429: LATER after Retry-After (30 s without one), at any attempt */
static void test_job_429(void **state)
{
    rv_retry_t r;
    (void)state;
    r = rv_retry_job(RV_API_RATE_LIMITED, 429, -1, 7, 1);
    assert_int_equal(r.verdict, RV_RETRY_LATER);
    assert_int_equal(r.delay_ms, 30000);
    r = rv_retry_job(RV_API_RATE_LIMITED, 429, 4, 7, RV_JOB_MAX_ATTEMPTS);
    assert_int_equal(r.verdict, RV_RETRY_LATER);
    assert_int_equal(r.delay_ms, 4000);
}

/* retryable kinds back off (1 s base, 60 s cap, the same for the same job
 * and attempt) until the last attempt; final kinds never come back */
static void test_job_backoff(void **state)
{
    rv_retry_t r, again;
    int n;
    (void)state;
    for (n = 1; n < RV_JOB_MAX_ATTEMPTS; n++) {
        r = rv_retry_job(RV_API_SERVER_ERROR, 503, -1, 42, n);
        again = rv_retry_job(RV_API_SERVER_ERROR, 503, -1, 42, n);
        assert_int_equal(r.verdict, RV_RETRY_LATER);
        assert_in_range(r.delay_ms, 0, 60000);
        assert_int_equal(r.delay_ms, again.delay_ms);
    }
    assert_int_equal(rv_retry_job(RV_API_SERVER_ERROR, 503, -1, 42, RV_JOB_MAX_ATTEMPTS).verdict,
                     RV_RETRY_NO);
    assert_int_equal(rv_retry_job(RV_API_NETWORK, 0, -1, 1, 1).verdict, RV_RETRY_LATER);
    assert_int_equal(rv_retry_job(RV_API_TIMEOUT, 0, -1, 1, 1).verdict, RV_RETRY_LATER);
    assert_int_equal(rv_retry_job(RV_API_CLIENT_ERROR, 422, -1, 1, 1).verdict, RV_RETRY_NO);
    assert_int_equal(rv_retry_job(RV_API_UNAUTHORIZED, 401, -1, 1, 1).verdict, RV_RETRY_NO);
    assert_int_equal(rv_retry_job(RV_API_NOT_FOUND, 404, -1, 1, 1).verdict, RV_RETRY_NO);
    assert_int_equal(rv_retry_job(RV_API_OK, 200, -1, 1, 1).verdict, RV_RETRY_NO);
}

/* one call: idempotent methods only, retryable kinds only, 429 never,
 * at most max_attempts; pauses within 2 s */
/* a failure the caller judged retryable (an order not importable yet):
 * Retry-After of a 429 when given, else the jobs' backoff; none from the
 * last attempt on, whatever the kind */
static void test_again(void **state)
{
    rv_retry_t r, same;
    (void)state;
    r = rv_retry_again(RV_API_RATE_LIMITED, 5, 3, 2);
    assert_int_equal(r.verdict, RV_RETRY_LATER);
    assert_int_equal(r.delay_ms, 5000);
    r = rv_retry_again(RV_API_OK, -1, 3, 4);           /* not an API failure */
    same = rv_retry_job(RV_API_SERVER_ERROR, 503, -1, 3, 4);
    assert_int_equal(r.verdict, RV_RETRY_LATER);
    assert_int_equal(r.delay_ms, same.delay_ms);
    assert_true(r.delay_ms >= 0 && r.delay_ms <= 8000);
    r = rv_retry_again(RV_API_RATE_LIMITED, 5, 3, RV_JOB_MAX_ATTEMPTS);
    assert_int_equal(r.verdict, RV_RETRY_NO);
}

static void test_inline(void **state)
{
    unsigned int seed = 5;
    int ms;
    (void)state;
    ms = rv_retry_inline_ms(RV_API_SERVER_ERROR, 1, 1, 3, &seed);
    assert_in_range(ms, 0, 2000);
    ms = rv_retry_inline_ms(RV_API_NETWORK, 1, 2, 3, &seed);
    assert_in_range(ms, 0, 2000);
    assert_int_equal(rv_retry_inline_ms(RV_API_NETWORK, 1, 3, 3, &seed), -1);
    assert_int_equal(rv_retry_inline_ms(RV_API_SERVER_ERROR, 0, 1, 3, &seed), -1);
    assert_int_equal(rv_retry_inline_ms(RV_API_RATE_LIMITED, 1, 1, 3, &seed), -1);
    assert_int_equal(rv_retry_inline_ms(RV_API_CLIENT_ERROR, 1, 1, 3, &seed), -1);
    assert_int_equal(rv_retry_inline_ms(RV_API_OK, 1, 1, 3, &seed), -1);
    assert_int_equal(rv_retry_inline_ms(RV_API_TIMEOUT, 1, 1, 1, &seed), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_job_defer, rv_test_pool_setup, rv_test_pool_teardown),
        cmocka_unit_test_setup_teardown(test_job_429, rv_test_pool_setup, rv_test_pool_teardown),
        cmocka_unit_test_setup_teardown(test_job_backoff, rv_test_pool_setup, rv_test_pool_teardown),
        cmocka_unit_test_setup_teardown(test_again, rv_test_pool_setup, rv_test_pool_teardown),
        cmocka_unit_test_setup_teardown(test_inline, rv_test_pool_setup, rv_test_pool_teardown),
    };
    apr_initialize();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
