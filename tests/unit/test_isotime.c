/* test_isotime.c: ISO 8601 times as Reverb writes them (updated_at) and as
 * the order poll keeps its watermark (order_last_sync). */
#include "rv_test.h"
#include "rv_isotime.h"

static void test_parse_zones(void **state)
{
    long long t = -1;
    (void)state;
    assert_int_equal(rv_iso_epoch("2026-11-25T10:00:00+00:00", &t), 0);
    assert_int_equal(t, 1795600800LL);
    assert_int_equal(rv_iso_epoch("2026-11-25T04:00:00-06:00", &t), 0);
    assert_int_equal(t, 1795600800LL);
    assert_int_equal(rv_iso_epoch("2026-11-25T04:00:00-0600", &t), 0);
    assert_int_equal(t, 1795600800LL);
    assert_int_equal(rv_iso_epoch("2026-11-25T04:00:00-06", &t), 0);
    assert_int_equal(t, 1795600800LL);
    assert_int_equal(rv_iso_epoch("2026-11-25T10:00:00Z", &t), 0);
    assert_int_equal(t, 1795600800LL);
    assert_int_equal(rv_iso_epoch("2026-11-25T10:00:00", &t), 0);       /* no zone: UTC */
    assert_int_equal(t, 1795600800LL);
    assert_int_equal(rv_iso_epoch("2026-11-25 10:00:00", &t), 0);       /* space for T */
    assert_int_equal(t, 1795600800LL);
    assert_int_equal(rv_iso_epoch("2026-11-25T10:00:00.123456Z", &t), 0);  /* fraction */
    assert_int_equal(t, 1795600800LL);
    assert_int_equal(rv_iso_epoch("2026-01-01T05:30:00+05:30", &t), 0);
    assert_int_equal(t, 1767225600LL);
    assert_int_equal(rv_iso_epoch("1970-01-01T00:00:00+00:00", &t), 0);
    assert_int_equal(t, 0);
}

static void test_parse_rejects(void **state)
{
    static const char *const bad[] = {
        "", "2026-11-25", "2026-11-25T10:00", "2026/11/25T10:00:00Z", "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z", "2026-11-32T00:00:00Z", "2026-11-25T24:00:00Z",
        "2026-11-25T10:60:00Z", "2026-11-25T10:00:61Z", "2026-11-25X10:00:00Z",
        "2026-11-25T10:00:00 UTC", "2026-11-25T10:00:00+0x:00", "2026-11-25T10:00:00+05:3x",
        "2O26-11-25T10:00:00Z",
    };
    size_t i;
    long long t = 42;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(rv_iso_epoch(bad[i], &t), -1);
        assert_int_equal(t, 42);        /* nothing written */
    }
    assert_int_equal(rv_iso_epoch(NULL, &t), -1);
}

static void test_format_round_trip(void **state)
{
    long long t = -1;
    const char *s = rv_iso_format(RV_POOL, 1795600800LL);
    assert_string_equal(s, "2026-11-25T10:00:00+00:00");
    assert_string_equal(rv_iso_format(RV_POOL, 0), "1970-01-01T00:00:00+00:00");
    assert_int_equal(rv_iso_epoch(s, &t), 0);
    assert_int_equal(t, 1795600800LL);
    assert_int_equal(rv_iso_epoch(rv_iso_format(RV_POOL, 1709251199LL), &t), 0);
    assert_int_equal(t, 1709251199LL);          /* 2024-02-29, a leap day */
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_parse_zones),
    RV_TEST(test_parse_rejects),
    RV_TEST(test_format_round_trip),
};
RV_TEST_MAIN("rv_isotime", tests)
