/* rv_shoptime.c: see rv_shoptime.h. */
#include "rv_shoptime.h"
#include "rv_settings.h"
#include "rv_tz.h"

#include "apr_strings.h"
#include "apr_time.h"

const char *rv_shop_now(rv_db_t *db, apr_pool_t *p, int store_id)
{
    return rv_shop_now_in(p, rv_oc_config(db, p, store_id, "config_timezone"));
}

const char *rv_shop_now_in(apr_pool_t *p, const char *zone)
{
    long long now = (long long)apr_time_sec(apr_time_now());
    long offset = 0;
    char buf[RV_TZ_BUF];
    if (!zone || !*zone || rv_tz_offset(NULL, zone, now, &offset))
        offset = 0;
    rv_tz_format(now, offset, buf);
    return apr_pstrdup(p, buf);
}
