/* rv_order_switch.c: see rv_order_switch.h. */
#include "rv_order_switch.h"
#include "rv_settings_listing.h"
#include "rv_isotime.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

/* a row of reverb_cache that never expires: "the line was written" */
#define RV_NOTED "order_import_off_noted"

int rv_orders_import_on(rv_db_t *db, server_rec *s, const rv_settings_t *st, int store_id,
                        apr_pool_t *p, int from_cron)
{
    int n = 0;
    if (rv_setting_order_import(st)) {
        if (from_cron)
            rv_db_exec(db, p, NULL, "DELETE FROM {P}reverb_cache WHERE name = '" RV_NOTED "'",
                       RV_NOARGS);
        return 1;
    }
    if (from_cron) {
        rv_setting_save(db, p, store_id, "order_last_sync",
                        rv_iso_format(p, (long long)apr_time_sec(apr_time_now())), 0);
        rv_setting_save(db, p, store_id, "order_poll_resume", "", 0);
    }
    /* only the first process to get here writes the line */
    if (rv_db_exec(db, p, &n, "INSERT IGNORE INTO {P}reverb_cache (name, value, expires_at)"
                   " VALUES ('" RV_NOTED "', '1', '2999-12-31 00:00:00')", RV_NOARGS) == 0
        && n == 1) {
        rv_log_note(db, p, "pull", "order", 1, "Order import is off in the settings: Reverb orders are not imported into "
                     "OpenCart (this is said once, not for every order). Stock sold on Reverb "
                     "still reaches OpenCart through the listings in both-ways mode.");
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, RVLOGNO(0161) "order import is off in the "
                     "settings: Reverb orders are not imported");
    }
    return 0;
}
