/* rv_decimal.c: see rv_decimal.h. */
#include "rv_decimal.h"

#include <stdio.h>
#include <string.h>

__extension__ typedef __int128 rv_i128;

static const long long rv_pow10[] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL
};

static int rv_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Integer part: leading zeros do not count towards the digit limit. */
static int rv_parse_int_part(const char **sp, long long *out, int *ndigits)
{
    const char *s = *sp;
    long long v = 0;
    int significant = 0;
    *ndigits = 0;
    while (rv_is_digit(*s)) {
        if (v > 0 || *s != '0')
            significant++;
        if (significant > RV_DEC_MAX_INT_DIGITS)
            return -1;
        v = v * 10 + (*s - '0');
        s++;
        (*ndigits)++;
    }
    *sp = s;
    *out = v;
    return 0;
}

/* Fraction: first 8 digits kept, the 9th decides rounding, rest ignored. */
static long long rv_parse_frac_part(const char **sp, int *ndigits, int *round_up)
{
    const char *s = *sp;
    long long v = 0;
    int n = 0;
    *round_up = 0;
    while (rv_is_digit(*s)) {
        if (n < 8)
            v = v * 10 + (*s - '0');
        else if (n == 8)
            *round_up = (*s >= '5');
        n++;
        s++;
    }
    if (n < 8)
        v *= rv_pow10[8 - n];
    *ndigits = n;
    *sp = s;
    return v;
}

int rv_dec_parse(const char *s, rv_dec_t *out)
{
    int neg = 0, int_digits = 0, frac_digits = 0, round_up = 0;
    long long ip = 0, fp = 0;

    if (!s)
        return -1;
    if (*s == '+' || *s == '-')
        neg = (*s++ == '-');
    if (rv_parse_int_part(&s, &ip, &int_digits))
        return -1;
    if (*s == '.') {
        s++;
        fp = rv_parse_frac_part(&s, &frac_digits, &round_up);
    }
    if (*s != '\0' || int_digits + frac_digits == 0)
        return -1;
    *out = ip * RV_DEC_SCALE + fp + round_up;
    if (neg)
        *out = -*out;
    return 0;
}

rv_dec_t rv_dec_round(rv_dec_t v, int places)
{
    long long unit, rem;
    if (places < 0)
        places = 0;
    if (places >= 8)
        return v;
    unit = rv_pow10[8 - places];
    rem = v % unit;
    v -= rem;
    if (rem >= unit / 2)
        v += unit;
    else if (rem <= -(unit / 2))
        v -= unit;
    return v;
}

void rv_dec_format(rv_dec_t v, int places, char out[RV_DEC_BUF])
{
    unsigned long long mag;
    unsigned long long ip, fp;
    if (places < 0)
        places = 0;
    if (places > 8)
        places = 8;
    v = rv_dec_round(v, places);
    /* magnitude via unsigned arithmetic so LLONG_MIN cannot overflow */
    mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    ip = mag / (unsigned long long)RV_DEC_SCALE;
    fp = (mag % (unsigned long long)RV_DEC_SCALE) / (unsigned long long)rv_pow10[8 - places];
    if (places == 0)
        snprintf(out, RV_DEC_BUF, "%s%llu", (v < 0) ? "-" : "", ip);
    else
        snprintf(out, RV_DEC_BUF, "%s%llu.%0*llu", (v < 0) ? "-" : "", ip, places, fp);
}

/* round(num / den) half away from zero, den > 0 */
static rv_i128 rv_div_round(rv_i128 num, rv_i128 den)
{
    rv_i128 q = num / den, r = num % den;
    if (r < 0)
        r = -r;
    if (2 * r >= den)
        q += (num < 0) ? -1 : 1;
    return q;
}

int rv_dec_muldiv(rv_dec_t a, rv_dec_t mul, rv_dec_t div, int places, rv_dec_t *out)
{
    rv_i128 num, den, q;
    const rv_i128 limit = (rv_i128)RV_DEC_SCALE * 10000000000LL; /* 10^10 */
    if (div == 0)
        return -1;
    if (places < 0)
        places = 0;
    if (places > 8)
        places = 8;
    /* a and mul are < 10^18 in magnitude, so num < 10^36 < 2^127 */
    num = (rv_i128)a * mul;
    den = (rv_i128)div * rv_pow10[8 - places];
    if (den < 0) {
        den = -den;
        num = -num;
    }
    q = rv_div_round(num, den) * rv_pow10[8 - places];
    if (q >= limit || q <= -limit)
        return -1;
    *out = (rv_dec_t)q;
    return 0;
}

long long rv_dec_to_cents(rv_dec_t v)
{
    return rv_dec_round(v, 2) / (RV_DEC_SCALE / 100);
}

int rv_dec_from_cents(long long cents, rv_dec_t *out)
{
    if (cents >= 1000000000000LL || cents <= -1000000000000LL)
        return -1;
    *out = cents * (RV_DEC_SCALE / 100);
    return 0;
}
