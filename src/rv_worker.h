/* rv_worker.h: the background worker, a mod_watchdog singleton per server
 * (one thread in one child), draining the database queue. */
#ifndef RV_WORKER_H
#define RV_WORKER_H

#include "httpd.h"

int rv_worker_post_config(apr_pool_t *pconf, server_rec *s);
void rv_worker_child_init(apr_pool_t *p, server_rec *s);
/* Runs due jobs for up to budget_ms (also used by cron when no worker). */
int rv_worker_drain(apr_pool_t *p, server_rec *s, int budget_ms);

#endif
