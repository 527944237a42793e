/* rv_shoptime.h: the shop's local time, for dates written into (or compared
 * with) OpenCart's own tables. OpenCart 3 sets PHP's time zone to
 * config_timezone and gives its database session the same offset
 * (SET time_zone), so its NOW() - order and history dates, product special
 * comparisons - is shop-local. mod_reverb's sessions run in UTC (its own
 * tables, leases and logs), so OpenCart's dates are passed as values. */
#ifndef RV_SHOPTIME_H
#define RV_SHOPTIME_H

#include "rv_db.h"

/* "YYYY-MM-DD HH:MM:SS" now in config_timezone (UTC when it is unset or
 * unknown, as PHP falls back to UTC). */
const char *rv_shop_now(rv_db_t *db, apr_pool_t *p, int store_id);
/* The same for a config_timezone value already read (NULL: UTC). */
const char *rv_shop_now_in(apr_pool_t *p, const char *zone);

#endif
