/* rv_conf.h: mod_reverb's per-server configuration (the Reverb* directives). */
#ifndef RV_CONF_H
#define RV_CONF_H

#include "httpd.h"
#include "http_config.h"
#include "apr_atomic.h"

#define RV_VERSION "0.1.0"
#define RV_DEFAULT_API_URL "https://api.reverb.com/api/"
/* Every message the module writes to Apache's error log starts with a
 * stable id, in the style of httpd's APLOGNO ("AH00000: "), so that a
 * sysadmin can grep for it and the tests can expect it by id. Ids are never
 * reused; docs/LOG-MESSAGES.md lists them (scripts/log-ids.py keeps it). */
#define RVLOGNO(n) "RV" #n ": "

#define RV_BODY_LIMIT (1024 * 1024)   /* request bodies over 1 MiB are refused (413) */

typedef struct {
    int engine;              /* ReverbEngine On|Off */
    const char *prefix;      /* ReverbTablePrefix, validated [A-Za-z0-9_]{0,32} */
    int store_id;            /* ReverbStoreId */
    const char *api_url;     /* ReverbApiUrl */
    int rate_limit;          /* ReverbRateLimit, requests per minute */
    int worker;              /* ReverbWorker On|Off */
    int http_timeout;        /* ReverbHttpTimeout, seconds */
    int worker_interval_ms;  /* ReverbWorkerInterval (tests use short ones) */
    int full_scan_s;         /* ReverbFullScanInterval: cron's full catalogue scan, seconds */
    const char *ca_file;     /* ReverbCAFile, optional */
    int opencart;            /* ReverbOpenCart 3|4|auto (0) */
    volatile apr_uint32_t opencart_found;  /* auto: the version detected (rv_oc.c) */
    /* "set" flags for merging a virtual host over the main server */
    unsigned int engine_set : 1, prefix_set : 1, store_set : 1, url_set : 1,
                 rate_set : 1, worker_set : 1, timeout_set : 1,
                 interval_set : 1, ca_set : 1, opencart_set : 1, full_scan_set : 1;
} rv_conf_t;

extern module AP_MODULE_DECLARE_DATA reverb_module;

static inline rv_conf_t *rv_conf_get(server_rec *s)
{
    return ap_get_module_config(s->module_config, &reverb_module);
}

#endif
