/* rv_scan_plan.h: which kind of change detection a cron cycle runs.
 *
 * A cycle either checks only what changed since the last one (the
 * incremental check: product.date_modified, order activity, specials that
 * start or end, map rows changed) or reads the whole catalogue by content
 * (the full scan, the safety net for changes made with no trace: imports,
 * other extensions, direct SQL). The full scan runs on the first cycle, when
 * the settings the listings are built from changed since the last one (their
 * fingerprint differs), and when the last one is older than its interval. */
#ifndef RV_SCAN_PLAN_H
#define RV_SCAN_PLAN_H

typedef enum {
    RV_SCAN_INCREMENTAL = 0,
    RV_SCAN_FULL_FIRST,        /* no full scan recorded yet */
    RV_SCAN_FULL_SETTINGS,     /* the listing inputs' settings changed */
    RV_SCAN_FULL_DUE           /* the last full scan is older than the interval */
} rv_scan_kind_t;

/* last_fp: the fingerprint the last full scan ran with (NULL: none ran);
 * fp: the fingerprint now; since_full_s: seconds since the last full scan
 * began (negative: unknown, e.g. the clock went back); every_s: the
 * interval (0 or less: every cycle is a full scan). */
rv_scan_kind_t rv_scan_plan(const char *last_fp, const char *fp, long long since_full_s,
                            long long every_s);

/* "incremental", "first", "settings", "due": for the cron summary. */
const char *rv_scan_kind_name(rv_scan_kind_t k);

#endif
