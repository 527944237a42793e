/* rv_detect.h: a cron cycle's change detection: the incremental check of
 * what changed since the last cycle, or the periodic full scan (rv_detect.c). */
#ifndef RV_DETECT_H
#define RV_DETECT_H

#include "rv_change.h"

typedef struct {
    const char *scan;   /* "incremental", or why the full scan ran: "first", "settings", "due" */
    int looked_at;      /* incremental: the products it compared; -1 on a full scan */
    int ranges, ranges_skipped; /* full scan: id ranges, of which unchanged (rv_scan_range.c) */
    int ranges_at_once;         /* of those, found unchanged by the one-pass read */
} rv_detect_info_t;

/* Queues what changed (as rv_change_detect_all does), reading only what
 * can have changed since the last cycle unless a full scan is due; moves
 * the watermarks when it finished. 0 or -1 (database). */
int rv_detect_cycle(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out, rv_detect_info_t *info);

#endif
