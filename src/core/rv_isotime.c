/* rv_isotime.c: see rv_isotime.h. */
#include "rv_isotime.h"

#include <string.h>
#include "apr_lib.h"
#include "apr_strings.h"
#include "apr_time.h"

static int rv_digits(const char *s, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (!apr_isdigit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* "2026-11-25T04:00:00-06:00" (fraction, Z, +hhmm, no zone = UTC) -> epoch. */
int rv_iso_epoch(const char *s, long long *out)
{
    int Y, M, D, h, mi, sec, oh = 0, om = 0;
    const char *t;
    long long off = 0;
    if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ')
        || s[13] != ':' || s[16] != ':' || rv_digits(s, 4, &Y) || rv_digits(s + 5, 2, &M)
        || rv_digits(s + 8, 2, &D) || rv_digits(s + 11, 2, &h) || rv_digits(s + 14, 2, &mi)
        || rv_digits(s + 17, 2, &sec) || M < 1 || M > 12 || D < 1 || D > 31 || h > 23
        || mi > 59 || sec > 60)
        return -1;
    t = s + 19;
    if (*t == '.')
        for (t++; apr_isdigit(*t); t++)
            ;
    if (*t == '+' || *t == '-') {
        int sign = *t == '-' ? -1 : 1;
        if (rv_digits(t + 1, 2, &oh))
            return -1;
        t += 3;
        if (*t == ':')
            t++;
        if (*t && rv_digits(t, 2, &om))
            return -1;
        off = sign * (oh * 3600LL + om * 60LL);
    }
    else if (*t && strcmp(t, "Z"))
        return -1;
    {
        /* APR's calendar arithmetic, not a hand-written one */
        apr_time_exp_t x;
        apr_time_t at;
        memset(&x, 0, sizeof(x));
        x.tm_year = Y - 1900;
        x.tm_mon = M - 1;
        x.tm_mday = D;
        x.tm_hour = h;
        x.tm_min = mi;
        x.tm_sec = sec;
        if (apr_time_exp_gmt_get(&at, &x) != APR_SUCCESS)
            return -1;
        *out = (long long)apr_time_sec(at) - off;
    }
    return 0;
}

const char *rv_iso_format(apr_pool_t *p, long long epoch)
{
    apr_time_exp_t tm;
    apr_time_exp_gmt(&tm, apr_time_from_sec(epoch));
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d+00:00", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}
