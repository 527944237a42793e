/* rv_settings.h: module_reverb_* settings in OpenCart's oc_setting (one row per key, as OpenCart's own model writes them). */
#ifndef RV_SETTINGS_H
#define RV_SETTINGS_H

#include "rv_db.h"
#include <json-c/json.h>

typedef struct {
    apr_table_t *values;     /* name (without "module_reverb_") -> raw value */
    int store_id;
} rv_settings_t;

/* Creates webhook_key and cron_key when missing (once, at schema check). */
int rv_settings_ensure_keys(rv_db_t *db, apr_pool_t *p, int store_id);
/* Replaces webhook_key and cron_key with new random ones. */
int rv_settings_new_keys(rv_db_t *db, apr_pool_t *p, int store_id);
/* Loads the settings; NULL on database error. */
rv_settings_t *rv_settings_load(rv_db_t *db, apr_pool_t *p, int store_id);
/* One setting read fresh from the database (not the loaded copy): its
 * value, or NULL (no row or error). */
const char *rv_setting_read(rv_db_t *db, apr_pool_t *p, int store_id, const char *name);
const char *rv_setting(const rv_settings_t *st, const char *name, const char *dflt);
long long rv_setting_int(const rv_settings_t *st, const char *name, long long dflt);
/* Parsed JSON value of a serialized setting, or NULL; caller puts it. */
json_object *rv_setting_json(const rv_settings_t *st, const char *name);
/* Writes one setting (replaces the row), serialized=1 for JSON values. */
int rv_setting_save(rv_db_t *db, apr_pool_t *p, int store_id, const char *name,
                    const char *value, int serialized);
/* How long the sync log is kept (log_retention_days): days, 0 = forever. */
#define RV_LOG_RETENTION_DEFAULT 90
#define RV_LOG_RETENTION_MAX 3650
long long rv_setting_log_retention_days(const rv_settings_t *st);
/* A per-field sync toggle from sync_fields (default on). */
int rv_setting_field_on(const rv_settings_t *st, const char *field);

/* An OpenCart config value (code 'config') of the store, e.g. config_currency. */
const char *rv_oc_config(rv_db_t *db, apr_pool_t *p, int store_id, const char *key);
/* Several of them in one statement: key -> value, the store's own before
 * store 0's; a key with no row is absent (so is every key on a database
 * error). At most RV_OC_CONFIGS_MAX keys. */
#define RV_OC_CONFIGS_MAX 16
apr_table_t *rv_oc_configs(rv_db_t *db, apr_pool_t *p, int store_id, const char *const *keys,
                           int n);
/* Random hex string of 2*nbytes characters. */
const char *rv_random_hex(apr_pool_t *p, int nbytes);

/* The shop's configured public address: the store_url setting, else the
 * store's https/http address in OpenCart (oc_store for a store other than 0,
 * config_ssl / config_url rows); NULL when none is configured. */
const char *rv_shop_address(rv_db_t *db, apr_pool_t *p, const rv_settings_t *st);
/* scheme://host[:port] of `address` followed by `base_path` (the module's
 * <Location>), or NULL when the address is not an http(s) URL. */
const char *rv_public_route_base(apr_pool_t *p, const char *address, const char *base_path);

#endif
