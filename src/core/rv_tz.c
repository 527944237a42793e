/* rv_tz.c: see rv_tz.h. */
#include "rv_tz.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RV_TZ_MAX_FILE (256 * 1024)

/* Days from civil date and back (Howard Hinnant's algorithms), kept instead
 * of apr_time_exp_gmt_get / apr_time_exp_gmt: apr_time_exp_gmt_get answers
 * APR_EBADDATE for any date before 1970, and the POSIX rules look at the
 * year before the one asked for (1969 for a time in 1970; the log formats
 * 1969 too, see test_format); apr_time_t counts microseconds, so a far time
 * from a zone file would overflow on the way in. Both stay as one exact pair. */
static long long rv_days_civil(long long y, int m, int d)
{
    long long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void rv_civil(long long days, long long *y, int *m, int *d)
{
    long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static long long rv_floordiv(long long a, long long b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

void rv_tz_format(long long utc, long offset, char out[RV_TZ_BUF])
{
    long long t = utc + offset, days = rv_floordiv(t, 86400), secs = t - days * 86400, y;
    int m, d;
    rv_civil(days, &y, &m, &d);
    snprintf(out, RV_TZ_BUF, "%04lld-%02d-%02d %02d:%02d:%02d", y, m, d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

/* ---- POSIX TZ rules ---- */

static const char *rv_posix_name(const char *s)
{
    if (*s == '<') {
        const char *e = strchr(s, '>');
        return e ? e + 1 : NULL;
    }
    while (isalpha((unsigned char)*s))
        s++;
    return s;
}

/* [+-]hh[:mm[:ss]] -> seconds; max_h bounds the hours. */
static const char *rv_posix_time(const char *s, long *out, int max_h)
{
    long sign = 1, h = 0, m = 0, sec = 0;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*s))
        return NULL;
    while (isdigit((unsigned char)*s))
        h = h * 10 + (*s++ - '0');
    if (*s == ':') {
        s++;
        if (!isdigit((unsigned char)*s))
            return NULL;
        while (isdigit((unsigned char)*s))
            m = m * 10 + (*s++ - '0');
        if (*s == ':') {
            s++;
            while (isdigit((unsigned char)*s))
                sec = sec * 10 + (*s++ - '0');
        }
    }
    if (h > max_h || m > 59 || sec > 59)
        return NULL;
    *out = sign * (h * 3600 + m * 60 + sec);
    return s;
}

typedef struct {
    char kind;      /* 'M', 'J' (1..365, no Feb 29) or 'N' (0..365) */
    int a, b, c;    /* M: month, week, weekday */
    long time;      /* local seconds after midnight (default 02:00) */
} rv_posix_date_t;

static const char *rv_posix_date(const char *s, rv_posix_date_t *d)
{
    d->time = 7200;
    if (*s == 'M') {
        if (sscanf(s + 1, "%d.%d.%d", &d->a, &d->b, &d->c) != 3 || d->a < 1 || d->a > 12
            || d->b < 1 || d->b > 5 || d->c < 0 || d->c > 6)
            return NULL;
        d->kind = 'M';
        s++;
        while (isdigit((unsigned char)*s) || *s == '.')
            s++;
    }
    else {
        d->kind = 'N';
        if (*s == 'J') {
            d->kind = 'J';
            s++;
        }
        if (!isdigit((unsigned char)*s))
            return NULL;
        d->a = 0;
        while (isdigit((unsigned char)*s))
            d->a = d->a * 10 + (*s++ - '0');
        if (d->a > 365 || (d->kind == 'J' && d->a < 1))
            return NULL;
    }
    if (*s == '/' && !(s = rv_posix_time(s + 1, &d->time, 167)))
        return NULL;
    return s;
}

static int rv_leap(long long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The day (days since the epoch) a rule date falls on in year y. */
static long long rv_posix_day(const rv_posix_date_t *d, long long y)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    long long first, day;
    int wd, len;
    if (d->kind == 'J')
        return rv_days_civil(y, 1, 1) + d->a - 1 + (rv_leap(y) && d->a >= 60);
    if (d->kind == 'N')
        return rv_days_civil(y, 1, 1) + d->a;
    first = rv_days_civil(y, d->a, 1);
    wd = (int)(((first % 7) + 11) % 7);          /* 1970-01-01 was a Thursday (4) */
    len = mdays[d->a - 1] + (d->a == 2 && rv_leap(y));
    day = 1 + (d->c - wd + 7) % 7 + 7 * (d->b - 1);
    while (day > len)
        day -= 7;
    return first + day - 1;
}

int rv_tz_offset_posix(const char *rule, long long utc, long *offset)
{
    const char *s = rule;
    long std, dst;
    rv_posix_date_t start, end;
    long long y, t0, t1;
    int m, d, i;

    if (!s || !(s = rv_posix_name(s)) || s == rule || !(s = rv_posix_time(s, &std, 24)))
        return -1;
    std = -std;                                   /* POSIX counts west of UTC */
    if (!*s) {
        *offset = std;
        return 0;
    }
    {
        const char *n = rv_posix_name(s);
        if (!n || n == s)
            return -1;
        s = n;
    }
    dst = std + 3600;
    if (*s && *s != ',') {
        if (!(s = rv_posix_time(s, &dst, 24)))
            return -1;
        dst = -dst;
    }
    if (!*s) {      /* no rule: the US rules of old POSIX; not in real zone files */
        *offset = std;
        return 0;
    }
    if (*s != ',' || !(s = rv_posix_date(s + 1, &start)) || *s != ','
        || !(s = rv_posix_date(s + 1, &end)) || *s)
        return -1;
    rv_civil(rv_floordiv(utc + std, 86400), &y, &m, &d);
    /* check last year's, this year's and next year's rule: the right one
     * is the latest transition at or before utc */
    {
        long long best = -1;
        long best_off = std;
        int found = 0;
        for (i = -1; i <= 1; i++) {
            t0 = rv_posix_day(&start, y + i) * 86400 + start.time - std;  /* to DST */
            t1 = rv_posix_day(&end, y + i) * 86400 + end.time - dst;      /* to std */
            if (t0 <= utc && (!found || t0 > best)) {
                best = t0;
                best_off = dst;
                found = 1;
            }
            if (t1 <= utc && (!found || t1 > best)) {
                best = t1;
                best_off = std;
                found = 1;
            }
        }
        *offset = best_off;
    }
    return 0;
}

/* ---- TZif ---- */

static long long rv_be(const unsigned char *p, int n)
{
    unsigned long long v = 0;
    int i;
    for (i = 0; i < n; i++)
        v = (v << 8) | p[i];
    if (n == 4)
        return (long long)(int)(unsigned int)v;
    return (long long)v;
}

int rv_tz_offset_tzif(const unsigned char *data, size_t len, long long utc, long *offset)
{
    const unsigned char *h = data, *q;
    unsigned long isut, isstd, leap, timecnt, typecnt, charcnt;
    int tsz = 4;
    size_t block;
    long long lo, hi;

    if (len < 44 || memcmp(h, "TZif", 4))
        return -1;
    for (;;) {
        isut = (unsigned long)rv_be(h + 20, 4);
        isstd = (unsigned long)rv_be(h + 24, 4);
        leap = (unsigned long)rv_be(h + 28, 4);
        timecnt = (unsigned long)rv_be(h + 32, 4);
        typecnt = (unsigned long)rv_be(h + 36, 4);
        charcnt = (unsigned long)rv_be(h + 40, 4);
        if (typecnt == 0 || typecnt > 256 || timecnt > 100000 || leap > 100000 || charcnt > 100000
            || isut > 256 || isstd > 256)
            return -1;
        block = timecnt * tsz + timecnt + typecnt * 6 + charcnt + leap * (tsz + 4) + isstd + isut;
        if ((size_t)(h - data) + 44 + block > len)
            return -1;
        if (tsz == 4 && h[4] >= '2') {            /* skip to the 64-bit data */
            h += 44 + block;
            if ((size_t)(h - data) + 44 > len || memcmp(h, "TZif", 4))
                return -1;
            tsz = 8;
            continue;
        }
        break;
    }
    q = h + 44;
    {
        const unsigned char *times = q, *idx = q + timecnt * tsz, *types = idx + timecnt;
        const unsigned char *footer = types + typecnt * 6 + charcnt + leap * (tsz + 4) + isstd + isut;
        unsigned long i;
        if (timecnt == 0 || utc < rv_be(times, tsz)) {
            /* before the first transition (or none): type 0; a zone with no
             * transitions at all may still have a rule in its footer */
            if (timecnt == 0 && tsz == 8 && footer < data + len && *footer == '\n') {
                char rule[128];
                const unsigned char *e = memchr(footer + 1, '\n', (data + len) - (footer + 1));
                if (e && e - footer - 1 > 0 && e - footer - 1 < (long)sizeof(rule)) {
                    memcpy(rule, footer + 1, e - footer - 1);
                    rule[e - footer - 1] = '\0';
                    if (rv_tz_offset_posix(rule, utc, offset) == 0)
                        return 0;
                }
            }
            *offset = (long)rv_be(types, 4);
            return 0;
        }
        if (utc >= rv_be(times + (timecnt - 1) * tsz, tsz) && tsz == 8 && footer < data + len
            && *footer == '\n') {
            char rule[128];
            const unsigned char *e = memchr(footer + 1, '\n', (data + len) - (footer + 1));
            if (e && e - footer - 1 > 0 && e - footer - 1 < (long)sizeof(rule)) {
                memcpy(rule, footer + 1, e - footer - 1);
                rule[e - footer - 1] = '\0';
                if (rv_tz_offset_posix(rule, utc, offset) == 0)
                    return 0;
            }
        }
        /* the last transition at or before utc */
        lo = 0;
        hi = (long long)timecnt - 1;
        while (lo < hi) {
            long long mid = (lo + hi + 1) / 2;
            if (rv_be(times + mid * tsz, tsz) <= utc)
                lo = mid;
            else
                hi = mid - 1;
        }
        i = idx[lo];
        if (i >= typecnt)
            return -1;
        *offset = (long)rv_be(types + i * 6, 4);
    }
    return 0;
}

static int rv_tz_name_safe(const char *name)
{
    size_t i, n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '/' || strstr(name, ".."))
        return 0;
    for (i = 0; i < n; i++)
        if (!(isalnum((unsigned char)name[i]) || name[i] == '/' || name[i] == '_'
              || name[i] == '-' || name[i] == '+'))
            return 0;
    return 1;
}

int rv_tz_offset(const char *dir, const char *name, long long utc, long *offset)
{
    char path[512];
    unsigned char *buf;
    size_t got;
    FILE *f;
    int rc;

    if (!name)
        return -1;
    if ((name[0] == '+' || name[0] == '-') && isdigit((unsigned char)name[1])) {
        long v;
        const char *end = rv_posix_time(name, &v, 14);
        if (!end || *end)
            return -1;
        *offset = v;
        return 0;
    }
    if (!rv_tz_name_safe(name))
        return -1;
    snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/usr/share/zoneinfo", name);
    if (!(f = fopen(path, "rb")))
        return -1;
    buf = malloc(RV_TZ_MAX_FILE);
    if (!buf) {
        fclose(f);
        return -1;
    }
    got = fread(buf, 1, RV_TZ_MAX_FILE, f);
    fclose(f);
    rc = rv_tz_offset_tzif(buf, got, utc, offset);
    free(buf);
    return rc;
}
