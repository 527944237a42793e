/* rv_isotime.h: ISO 8601 times as Reverb writes them (updated_at, and the
 * order poll's watermark order_last_sync) to and from epoch seconds. */
#ifndef RV_ISOTIME_H
#define RV_ISOTIME_H

#include <apr_pools.h>

/* "2026-11-25T04:00:00-06:00" -> epoch seconds. A space may stand for the
 * 'T'; a fraction of a second is ignored; the zone is Z, +hh:mm, +hhmm,
 * +hh, or absent (UTC). 0, or -1 (nothing written) for anything else,
 * including out-of-range fields and NULL. */
int rv_iso_epoch(const char *s, long long *out);

/* Epoch seconds -> "YYYY-MM-DDTHH:MM:SS+00:00" (UTC), in the pool. */
const char *rv_iso_format(apr_pool_t *p, long long epoch);

#endif
