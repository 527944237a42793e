/* rv_scan_plan.c: see rv_scan_plan.h. */
#include "rv_scan_plan.h"

#include <string.h>

rv_scan_kind_t rv_scan_plan(const char *last_fp, const char *fp, long long since_full_s,
                            long long every_s)
{
    if (!last_fp || !*last_fp)
        return RV_SCAN_FULL_FIRST;
    if (!fp || strcmp(last_fp, fp))
        return RV_SCAN_FULL_SETTINGS;
    if (every_s <= 0 || since_full_s < 0 || since_full_s >= every_s)
        return RV_SCAN_FULL_DUE;
    return RV_SCAN_INCREMENTAL;
}

const char *rv_scan_kind_name(rv_scan_kind_t k)
{
    switch (k) {
    case RV_SCAN_INCREMENTAL: return "incremental";
    case RV_SCAN_FULL_FIRST: return "first";
    case RV_SCAN_FULL_SETTINGS: return "settings";
    case RV_SCAN_FULL_DUE: return "due";
    }
    return "due";
}
