/* test_unlisted.c: why a product with sync on is not sent (rv_unlisted). */
#include "rv_test.h"
#include "rv_unlisted.h"

static void test_nothing_to_tell(void **state)
{
    (void)state;
    assert_null(rv_unlisted_reason(0, 1, 0, 0));     /* the product is gone */
    assert_null(rv_unlisted_reason(1, 0, 0, 0));     /* sync off: nothing was asked */
    assert_null(rv_unlisted_reason(1, 1, 1, 1));     /* eligible */
}

static void test_reasons(void **state)
{
    (void)state;
    assert_non_null(strstr(rv_unlisted_reason(1, 1, 0, 1), "Categories allowed to sync"));
    assert_non_null(strstr(rv_unlisted_reason(1, 1, 0, 0), "Categories allowed to sync"));   /* the first thing to fix */
    assert_non_null(strstr(rv_unlisted_reason(1, 1, 1, 0), "Disabled in OpenCart"));
}

int main(void);
static const struct CMUnitTest tests[] = {
    RV_TEST(test_nothing_to_tell),
    RV_TEST(test_reasons),
};
RV_TEST_MAIN("rv_unlisted", tests)
