/* test_push_need.c: whether change detection queues a push (rv_push_need). */
#include "rv_test.h"
#include "rv_push_need.h"

/* eligible, listed, pushed as it is now */
static rv_push_need_in_t rv_up_to_date(void)
{
    rv_push_need_in_t in = { 1, 1, "h1", "h1", "ph1", "ph1", 1, 0 };
    return in;
}

static void test_up_to_date_sends_nothing(void **state)
{
    rv_push_need_in_t in = rv_up_to_date();
    (void)state;
    assert_int_equal(rv_push_need(&in), RV_NEED_NONE);
    in.photos_now = NULL;                       /* no photos: nothing to compare */
    assert_int_equal(rv_push_need(&in), RV_NEED_NONE);
}

static void test_listed_changes(void **state)
{
    rv_push_need_in_t in = rv_up_to_date();
    (void)state;
    in.hash = "h2";
    assert_int_equal(rv_push_need(&in), RV_NEED_PUSH);
    in = rv_up_to_date();
    in.pushed_hash = NULL;                      /* forgotten (e.g. after a fix) */
    assert_int_equal(rv_push_need(&in), RV_NEED_PUSH);
    in = rv_up_to_date();
    in.photos_now = "ph2";
    assert_int_equal(rv_push_need(&in), RV_NEED_PUSH);
    in.sync_images = 0;                         /* photos not synced: not a change */
    assert_int_equal(rv_push_need(&in), RV_NEED_NONE);
    in = rv_up_to_date();
    in.photos_pushed = NULL;
    assert_int_equal(rv_push_need(&in), RV_NEED_PUSH);
    in = rv_up_to_date();
    in.end_sold_out = 1;                        /* one of a kind sold out: end it */
    assert_int_equal(rv_push_need(&in), RV_NEED_PUSH);
}

static void test_unlisted(void **state)
{
    rv_push_need_in_t in = rv_up_to_date();
    (void)state;
    in.listed = 0;                              /* ended, nothing moved since */
    assert_int_equal(rv_push_need(&in), RV_NEED_NONE);
    in.photos_now = "ph2";                      /* photos alone do not relist */
    in.end_sold_out = 1;
    assert_int_equal(rv_push_need(&in), RV_NEED_NONE);
    in.hash = "h2";                             /* changed: relist */
    assert_int_equal(rv_push_need(&in), RV_NEED_PUSH);
    in = rv_up_to_date();
    in.listed = 0;
    in.pushed_hash = NULL;                      /* never pushed: push once */
    assert_int_equal(rv_push_need(&in), RV_NEED_PUSH);
}

static void test_unmappable_and_ended(void **state)
{
    rv_push_need_in_t in = rv_up_to_date();
    (void)state;
    in.hash = NULL;
    assert_int_equal(rv_push_need(&in), RV_NEED_UNMAPPABLE);
    in.listed = 0;
    assert_int_equal(rv_push_need(&in), RV_NEED_UNMAPPABLE);
    in = rv_up_to_date();
    in.eligible = 0;                            /* sync off, out of category ... */
    assert_int_equal(rv_push_need(&in), RV_NEED_END);
    in.listed = 0;
    assert_int_equal(rv_push_need(&in), RV_NEED_NONE);
    in.hash = NULL;                             /* not eligible: mapping is not asked */
    assert_int_equal(rv_push_need(&in), RV_NEED_NONE);
}

static void test_unchanged(void **state)
{
    (void)state;
    assert_true(rv_push_unchanged(1, "h", "h", "p", "p"));
    assert_false(rv_push_unchanged(0, "h", "h", "p", "p"));     /* ended: relist */
    assert_false(rv_push_unchanged(1, "h", "g", "p", "p"));
    assert_false(rv_push_unchanged(1, "h", NULL, "p", "p"));
    assert_false(rv_push_unchanged(1, "h", "h", "p", "q"));
    assert_false(rv_push_unchanged(1, "h", "h", NULL, "p"));
    assert_false(rv_push_unchanged(1, "h", "h", "p", NULL));
}

int main(void);
static const struct CMUnitTest tests[] = {
    RV_TEST(test_up_to_date_sends_nothing),
    RV_TEST(test_listed_changes),
    RV_TEST(test_unlisted),
    RV_TEST(test_unmappable_and_ended),
    RV_TEST(test_unchanged),
};
RV_TEST_MAIN("rv_push_need", tests)
