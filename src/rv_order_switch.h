/* rv_order_switch.h: the "Import Reverb orders" switch (the setting
 * order_import). Some sellers only list: with the switch off, order
 * webhooks queue nothing, cron's order poll and queued order jobs import
 * nothing, and the sync log says so once (the first time an order is
 * passed over after the switch went off), not once per order. Listing
 * pulls are unaffected: in both-ways mode a sale on Reverb still reaches
 * OpenCart's stock through the listing's inventory. */
#ifndef RV_ORDER_SWITCH_H
#define RV_ORDER_SWITCH_H

#include "rv_reverb.h"
#include "httpd.h"

/* 1 when orders are imported. 0 when the switch is off; then the one
 * sync-log line is written if it was not written since it went off.
 * from_cron: the cron cycle also forgets that line once the switch is on
 * again (so turning it off again says so again) and, while off, moves the
 * poll's watermark to now: orders of the time it was off are left alone
 * when it is turned on (their stock went through the listings). */
int rv_orders_import_on(rv_db_t *db, server_rec *s, const rv_settings_t *st, int store_id,
                        apr_pool_t *p, int from_cron);

#endif
