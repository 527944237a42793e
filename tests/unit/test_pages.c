/* test_pages.c: the walk over a paged collection (core/rv_pages.c): the
 * page cap, the end, and a failing or stopping step. */
#include "rv_test.h"
#include <stdlib.h>
#include "rv_pages.h"

/* A fake collection of `n` pages "p1".."pn"; the step at page fail_at
 * returns fail_rc. Records the paths read. */
typedef struct {
    int n, fail_at, fail_rc, calls;
    char seen[16][8];
    char paths[16][8];
} fake_t;

static int fake_step(void *baton, const char *path, const char **next)
{
    fake_t *f = baton;
    int page;
    assert_true(f->calls < 16);
    snprintf(f->seen[f->calls++], 8, "%s", path);
    page = atoi(path + 1);
    if (page == f->fail_at)
        return f->fail_rc;
    *next = page < f->n ? f->paths[page] : NULL;  /* paths[page] is "p<page+1>" */
    return 0;
}

static void fake_init(fake_t *f, int n)
{
    int i;
    memset(f, 0, sizeof(*f));
    f->n = n;
    f->fail_at = -1;
    for (i = 0; i < 16; i++)
        snprintf(f->paths[i], 8, "p%d", i + 1);
}

/* every page read in order, then END */
static void test_end(void **state)
{
    fake_t f;
    int pages;
    const char *left = "x";
    (void)state;
    fake_init(&f, 3);
    assert_int_equal(rv_pages_walk("p1", 10, fake_step, &f, &pages, &left), RV_PAGES_END);
    assert_int_equal(pages, 3);
    assert_null(left);
    assert_string_equal(f.seen[0], "p1");
    assert_string_equal(f.seen[2], "p3");
    /* exactly as many pages as the cap: END, not CAP */
    fake_init(&f, 3);
    assert_int_equal(rv_pages_walk("p1", 3, fake_step, &f, &pages, &left), RV_PAGES_END);
    assert_int_equal(pages, 3);
    /* no first page: nothing read */
    fake_init(&f, 3);
    assert_int_equal(rv_pages_walk(NULL, 3, fake_step, &f, &pages, &left), RV_PAGES_END);
    assert_int_equal(pages, 0);
    assert_int_equal(f.calls, 0);
}

/* the cap: max_pages requests, and the first path not read is handed back */
static void test_cap(void **state)
{
    fake_t f;
    int pages;
    const char *left = NULL;
    (void)state;
    fake_init(&f, 10);
    assert_int_equal(rv_pages_walk("p1", 4, fake_step, &f, &pages, &left), RV_PAGES_CAP);
    assert_int_equal(pages, 4);
    assert_int_equal(f.calls, 4);
    assert_string_equal(left, "p5");
}

/* a failing step ends the walk, counted; a stopping one too */
static void test_fail_stop(void **state)
{
    fake_t f;
    int pages;
    const char *left = "x";
    (void)state;
    fake_init(&f, 10);
    f.fail_at = 2;
    f.fail_rc = RV_PAGES_FAILED;
    assert_int_equal(rv_pages_walk("p1", 5, fake_step, &f, &pages, &left), RV_PAGES_FAILED);
    assert_int_equal(pages, 2);
    assert_null(left);
    fake_init(&f, 10);
    f.fail_at = 3;
    f.fail_rc = RV_PAGES_STOPPED;
    assert_int_equal(rv_pages_walk("p1", 5, fake_step, &f, &pages, &left), RV_PAGES_STOPPED);
    assert_int_equal(pages, 3);
    /* any other non-zero is a failure */
    fake_init(&f, 10);
    f.fail_at = 1;
    f.fail_rc = -1;
    assert_int_equal(rv_pages_walk("p1", 5, fake_step, &f, &pages, &left), RV_PAGES_FAILED);
    assert_int_equal(pages, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_end, rv_test_pool_setup, rv_test_pool_teardown),
        cmocka_unit_test_setup_teardown(test_cap, rv_test_pool_setup, rv_test_pool_teardown),
        cmocka_unit_test_setup_teardown(test_fail_stop, rv_test_pool_setup, rv_test_pool_teardown),
    };
    int rc;
    apr_initialize();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    apr_terminate();
    return rc;
}
