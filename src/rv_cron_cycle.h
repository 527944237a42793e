/* rv_cron_cycle.h: one polling cycle (what /reverb/cron runs), under the
 * 'cron' lease in reverb_lock so that one cycle runs at a time for every
 * process and server. */
#ifndef RV_CRON_CYCLE_H
#define RV_CRON_CYCLE_H

#include "httpd.h"
#include "rv_db.h"
#include "rv_settings.h"
#include "rv_orders.h"
#include "rv_detect.h"

typedef struct {
    int api;                    /* a token was set: orders and listings were polled */
    int import_on;              /* the "Import Reverb orders" switch */
    int requeued;               /* orders queued again (retry, half-done imports) */
    int orders_ok, pull_ok;     /* the order poll / listing poll succeeded */
    int pulls;                  /* listings given pull jobs */
    rv_order_counts_t orders;
    rv_detect_counts_t detect;
    rv_detect_info_t scan;
    apr_time_t detect_time;     /* how long change detection took */
    int reconcile;              /* 1: the weekly reconcile pass was started */
    long long pruned_log, pruned_jobs, pruned_webhooks;   /* housekeeping */
    int jobs_run;               /* jobs run in this request (no live worker) */
    const char *order_last_sync;
} rv_cron_result_t;

typedef enum {
    RV_CRON_RAN = 0,
    RV_CRON_BUSY,               /* another cycle holds the lease */
    RV_CRON_DB_ERROR            /* the lease could not be taken */
} rv_cron_status_t;

/* Runs one cycle (r: the request, for the server, the pool and the log;
 * worker_here: a worker is configured in this server). */
rv_cron_status_t rv_cron_cycle(request_rec *r, rv_db_t *db, rv_settings_t *st, int store_id,
                               int worker_here, rv_cron_result_t *res);

#endif
