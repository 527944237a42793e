/* rv_merge.c: see rv_merge.h. */
#include "rv_merge.h"
#include "rv_decimal.h"

#include <limits.h>
#include <string.h>

/* The decision once "equal" is known for each pair. */
static rv_merge_t rv_decide(int has_base, int oc_eq_reverb, int oc_eq_base, int reverb_eq_base)
{
    if (oc_eq_reverb)
        return RV_MERGE_NONE;
    if (!has_base)
        return RV_MERGE_TO_REVERB;
    if (oc_eq_base)
        return RV_MERGE_TO_OPENCART;
    if (reverb_eq_base)
        return RV_MERGE_TO_REVERB;
    return RV_MERGE_CONFLICT;
}

static int rv_str_eq(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

rv_merge_t rv_merge_value(const char *base, const char *oc, const char *reverb)
{
    return rv_decide(base != NULL, rv_str_eq(oc, reverb), rv_str_eq(oc, base),
                     rv_str_eq(reverb, base));
}

static int rv_price_eq(const char *a, const char *b)
{
    rv_dec_t x, y;
    if (a && b && rv_dec_parse(a, &x) == 0 && rv_dec_parse(b, &y) == 0)
        return x == y;
    return rv_str_eq(a, b);
}

rv_merge_t rv_merge_price(const char *base, const char *oc, const char *reverb)
{
    return rv_decide(base != NULL, rv_price_eq(oc, reverb), rv_price_eq(oc, base),
                     rv_price_eq(reverb, base));
}

/* Saturating arithmetic: absurd inputs must not wrap into nonsense. */
static long long rv_add_sat(long long a, long long b)
{
    long long r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? LLONG_MAX : LLONG_MIN;
    return r;
}

static long long rv_sub_sat(long long a, long long b)
{
    long long r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? LLONG_MAX : LLONG_MIN;
    return r;
}

void rv_merge_stock(long long base, long long oc, long long reverb, long long reverb_sold_imported,
                    long long *new_oc, long long *new_reverb)
{
    /* new = oc + (reverb - base + sold_imported), written to avoid overflow */
    long long reverb_delta = rv_add_sat(rv_sub_sat(reverb, base), reverb_sold_imported);
    long long merged = rv_add_sat(oc, reverb_delta);
    if (new_oc)
        *new_oc = merged;
    if (new_reverb)
        *new_reverb = merged < 0 ? 0 : merged;
}
