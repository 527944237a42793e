/* rv_test.h: shared set-up for the cmocka unit tests. */
#ifndef RV_TEST_H
#define RV_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <apr_general.h>
#include <apr_pools.h>

/* One pool per test, destroyed afterwards (valgrind then sees no leak). */
static int rv_test_pool_setup(void **state)
{
    apr_pool_t *p = NULL;
    if (apr_pool_create(&p, NULL) != APR_SUCCESS)
        return -1;
    *state = p;
    return 0;
}

static int rv_test_pool_teardown(void **state)
{
    apr_pool_destroy((apr_pool_t *)*state);
    return 0;
}

#define RV_TEST(fn) cmocka_unit_test_setup_teardown(fn, rv_test_pool_setup, rv_test_pool_teardown)
#define RV_POOL ((apr_pool_t *)*state)

/* main() of every test file: APR up, line-buffered stdout so cmocka's
 * stdout and stderr lines interleave in order, APR down. */
#define RV_TEST_MAIN(name, tests)                                        \
    int main(void)                                                       \
    {                                                                    \
        int failed;                                                      \
        setvbuf(stdout, NULL, _IOLBF, 0);                                \
        apr_initialize();                                                \
        failed = cmocka_run_group_tests_name(name, tests, NULL, NULL);   \
        apr_terminate();                                                 \
        return failed ? 1 : 0;                                           \
    }

#endif
