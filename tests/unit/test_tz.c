/* test_tz.c: UTC offsets of named zones (OpenCart's config_timezone), checked
 * against Python's zoneinfo on the same zone files, and POSIX TZ rules. */
#include "rv_test.h"
#include "rv_tz.h"

static const struct { const char *zone; long long t; long off; } cases[] = {
    { "Australia/Sydney", 0LL, 36000 },
    { "Australia/Sydney", 1700000000LL, 39600 },
    { "Australia/Sydney", 1711810800LL, 39600 },
    { "Australia/Sydney", 1711814400LL, 39600 },
    { "Australia/Sydney", 1711818000LL, 39600 },
    { "Australia/Sydney", 1728143999LL, 36000 },
    { "Australia/Sydney", 1728144000LL, 39600 },
    { "Australia/Sydney", 1735689600LL, 39600 },
    { "Australia/Sydney", 1798761600LL, 39600 },
    { "Australia/Sydney", 2100000000LL, 36000 },
    { "Australia/Sydney", 2200000000LL, 36000 },
    { "Australia/Sydney", 4102444800LL, 39600 },
    { "Australia/Perth", 0LL, 28800 },
    { "Australia/Perth", 1700000000LL, 28800 },
    { "Australia/Perth", 1711810800LL, 28800 },
    { "Australia/Perth", 1711814400LL, 28800 },
    { "Australia/Perth", 1711818000LL, 28800 },
    { "Australia/Perth", 1728143999LL, 28800 },
    { "Australia/Perth", 1728144000LL, 28800 },
    { "Australia/Perth", 1735689600LL, 28800 },
    { "Australia/Perth", 1798761600LL, 28800 },
    { "Australia/Perth", 2100000000LL, 28800 },
    { "Australia/Perth", 2200000000LL, 28800 },
    { "Australia/Perth", 4102444800LL, 28800 },
    { "Australia/Adelaide", 0LL, 34200 },
    { "Australia/Adelaide", 1700000000LL, 37800 },
    { "Australia/Adelaide", 1711810800LL, 37800 },
    { "Australia/Adelaide", 1711814400LL, 37800 },
    { "Australia/Adelaide", 1711818000LL, 37800 },
    { "Australia/Adelaide", 1728143999LL, 34200 },
    { "Australia/Adelaide", 1728144000LL, 34200 },
    { "Australia/Adelaide", 1735689600LL, 37800 },
    { "Australia/Adelaide", 1798761600LL, 37800 },
    { "Australia/Adelaide", 2100000000LL, 34200 },
    { "Australia/Adelaide", 2200000000LL, 34200 },
    { "Australia/Adelaide", 4102444800LL, 37800 },
    { "America/New_York", 0LL, -18000 },
    { "America/New_York", 1700000000LL, -18000 },
    { "America/New_York", 1711810800LL, -14400 },
    { "America/New_York", 1711814400LL, -14400 },
    { "America/New_York", 1711818000LL, -14400 },
    { "America/New_York", 1728143999LL, -14400 },
    { "America/New_York", 1728144000LL, -14400 },
    { "America/New_York", 1735689600LL, -18000 },
    { "America/New_York", 1798761600LL, -18000 },
    { "America/New_York", 2100000000LL, -14400 },
    { "America/New_York", 2200000000LL, -14400 },
    { "America/New_York", 4102444800LL, -18000 },
    { "Europe/London", 0LL, 3600 },
    { "Europe/London", 1700000000LL, 0 },
    { "Europe/London", 1711810800LL, 0 },
    { "Europe/London", 1711814400LL, 0 },
    { "Europe/London", 1711818000LL, 0 },
    { "Europe/London", 1728143999LL, 3600 },
    { "Europe/London", 1728144000LL, 3600 },
    { "Europe/London", 1735689600LL, 0 },
    { "Europe/London", 1798761600LL, 0 },
    { "Europe/London", 2100000000LL, 3600 },
    { "Europe/London", 2200000000LL, 3600 },
    { "Europe/London", 4102444800LL, 0 },
    { "Asia/Kolkata", 0LL, 19800 },
    { "Asia/Kolkata", 1700000000LL, 19800 },
    { "Asia/Kolkata", 1711810800LL, 19800 },
    { "Asia/Kolkata", 1711814400LL, 19800 },
    { "Asia/Kolkata", 1711818000LL, 19800 },
    { "Asia/Kolkata", 1728143999LL, 19800 },
    { "Asia/Kolkata", 1728144000LL, 19800 },
    { "Asia/Kolkata", 1735689600LL, 19800 },
    { "Asia/Kolkata", 1798761600LL, 19800 },
    { "Asia/Kolkata", 2100000000LL, 19800 },
    { "Asia/Kolkata", 2200000000LL, 19800 },
    { "Asia/Kolkata", 4102444800LL, 19800 },
    { "Pacific/Chatham", 0LL, 45900 },
    { "Pacific/Chatham", 1700000000LL, 49500 },
    { "Pacific/Chatham", 1711810800LL, 49500 },
    { "Pacific/Chatham", 1711814400LL, 49500 },
    { "Pacific/Chatham", 1711818000LL, 49500 },
    { "Pacific/Chatham", 1728143999LL, 49500 },
    { "Pacific/Chatham", 1728144000LL, 49500 },
    { "Pacific/Chatham", 1735689600LL, 49500 },
    { "Pacific/Chatham", 1798761600LL, 49500 },
    { "Pacific/Chatham", 2100000000LL, 45900 },
    { "Pacific/Chatham", 2200000000LL, 45900 },
    { "Pacific/Chatham", 4102444800LL, 49500 },
    { "UTC", 0LL, 0 },
    { "UTC", 1700000000LL, 0 },
    { "UTC", 1711810800LL, 0 },
    { "UTC", 1711814400LL, 0 },
    { "UTC", 1711818000LL, 0 },
    { "UTC", 1728143999LL, 0 },
    { "UTC", 1728144000LL, 0 },
    { "UTC", 1735689600LL, 0 },
    { "UTC", 1798761600LL, 0 },
    { "UTC", 2100000000LL, 0 },
    { "UTC", 2200000000LL, 0 },
    { "UTC", 4102444800LL, 0 },
    { "America/Sao_Paulo", 0LL, -10800 },
    { "America/Sao_Paulo", 1700000000LL, -10800 },
    { "America/Sao_Paulo", 1711810800LL, -10800 },
    { "America/Sao_Paulo", 1711814400LL, -10800 },
    { "America/Sao_Paulo", 1711818000LL, -10800 },
    { "America/Sao_Paulo", 1728143999LL, -10800 },
    { "America/Sao_Paulo", 1728144000LL, -10800 },
    { "America/Sao_Paulo", 1735689600LL, -10800 },
    { "America/Sao_Paulo", 1798761600LL, -10800 },
    { "America/Sao_Paulo", 2100000000LL, -10800 },
    { "America/Sao_Paulo", 2200000000LL, -10800 },
    { "America/Sao_Paulo", 4102444800LL, -10800 },
    { "Pacific/Auckland", 0LL, 43200 },
    { "Pacific/Auckland", 1700000000LL, 46800 },
    { "Pacific/Auckland", 1711810800LL, 46800 },
    { "Pacific/Auckland", 1711814400LL, 46800 },
    { "Pacific/Auckland", 1711818000LL, 46800 },
    { "Pacific/Auckland", 1728143999LL, 46800 },
    { "Pacific/Auckland", 1728144000LL, 46800 },
    { "Pacific/Auckland", 1735689600LL, 46800 },
    { "Pacific/Auckland", 1798761600LL, 46800 },
    { "Pacific/Auckland", 2100000000LL, 43200 },
    { "Pacific/Auckland", 2200000000LL, 43200 },
    { "Pacific/Auckland", 4102444800LL, 46800 },
};

static void test_zone_files(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long off = 99999;
        assert_int_equal(rv_tz_offset(NULL, cases[i].zone, cases[i].t, &off), 0);
        if (off != cases[i].off)
            fail_msg("%s at %lld: %ld, want %ld", cases[i].zone, cases[i].t, off, cases[i].off);
    }
}

static void test_posix_rules(void **state)
{
    long off = 0;
    (void)state;
    /* Sydney: DST from the first Sunday of October 02:00 to the first Sunday of April 03:00 */
    assert_int_equal(rv_tz_offset_posix("AEST-10AEDT,M10.1.0,M4.1.0/3", 2240611200LL, &off), 0);
    assert_int_equal(off, 11 * 3600);   /* 2041-01-01 */
    assert_int_equal(rv_tz_offset_posix("AEST-10AEDT,M10.1.0,M4.1.0/3", 2256508800LL, &off), 0);
    assert_int_equal(off, 10 * 3600);   /* 2041-07-04 */
    assert_int_equal(rv_tz_offset_posix("EST5EDT,M3.2.0,M11.1.0", 2256508800LL, &off), 0);
    assert_int_equal(off, -4 * 3600);
    assert_int_equal(rv_tz_offset_posix("<+0530>-5:30", 0, &off), 0);
    assert_int_equal(off, 5 * 3600 + 1800);
    assert_int_equal(rv_tz_offset_posix("AWST-8", 0, &off), 0);
    assert_int_equal(off, 8 * 3600);
    assert_int_equal(rv_tz_offset_posix("", 0, &off), -1);
    assert_int_equal(rv_tz_offset_posix("X", 0, &off), -1);
    assert_int_equal(rv_tz_offset_posix("AEST-10AEDT,M13.1.0,M4.1.0", 0, &off), -1);
}

static void test_names(void **state)
{
    long off = 0;
    (void)state;
    assert_int_equal(rv_tz_offset(NULL, "+10:00", 0, &off), 0);
    assert_int_equal(off, 36000);
    assert_int_equal(rv_tz_offset(NULL, "-03:30", 0, &off), 0);
    assert_int_equal(off, -12600);
    assert_int_equal(rv_tz_offset(NULL, "../../etc/passwd", 0, &off), -1);
    assert_int_equal(rv_tz_offset(NULL, "/etc/passwd", 0, &off), -1);
    assert_int_equal(rv_tz_offset(NULL, "No/Such_Zone", 0, &off), -1);
    assert_int_equal(rv_tz_offset(NULL, "", 0, &off), -1);
    assert_int_equal(rv_tz_offset(NULL, NULL, 0, &off), -1);
    assert_int_equal(rv_tz_offset_tzif((const unsigned char *)"TZif2", 5, 0, &off), -1);
}

static void test_format(void **state)
{
    char out[RV_TZ_BUF];
    (void)state;
    rv_tz_format(1764572400LL, 11 * 3600, out);     /* 2025-12-01 07:00 UTC */
    assert_string_equal(out, "2025-12-01 18:00:00");
    rv_tz_format(1764572400LL, -8 * 3600, out);
    assert_string_equal(out, "2025-11-30 23:00:00");
    rv_tz_format(0, -3600, out);
    assert_string_equal(out, "1969-12-31 23:00:00");
}

static const struct CMUnitTest tests[] = {
    RV_TEST(test_zone_files),
    RV_TEST(test_posix_rules),
    RV_TEST(test_names),
    RV_TEST(test_format),
};
RV_TEST_MAIN("rv_tz", tests)
