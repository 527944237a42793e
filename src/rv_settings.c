/* rv_settings.c: module_reverb_* settings, read and written the way
 * OpenCart's own model does (one row per key, JSON with serialized=1). */
#include "rv_settings.h"
#include "apr_uri.h"
#include "rv_json.h"
#include "rv_api.h"
#include "rv_text.h"

#include "http_log.h"
#include "apr_escape.h"
#include "apr_strings.h"
#include "apr_lib.h"

APLOG_USE_MODULE(reverb);

#define RV_CODE "module_reverb"
#define RV_KEY_PREFIX "module_reverb_"

const char *rv_random_hex(apr_pool_t *p, int nbytes)
{
    unsigned char raw[64];
    if (nbytes > 64)
        nbytes = 64;
    if (apr_generate_random_bytes(raw, nbytes) != APR_SUCCESS)
        return NULL;
    return apr_pescape_hex(p, raw, nbytes, 0);
}

int rv_setting_save(rv_db_t *db, apr_pool_t *p, int store_id, const char *name,
                    const char *value, int serialized)
{
    const char *store = apr_itoa(p, store_id);
    const char *key = apr_pstrcat(p, RV_KEY_PREFIX, name, NULL);
    int rv = rv_db_exec(db, p, NULL,
        "DELETE FROM {P}setting WHERE store_id = %s AND code = '" RV_CODE "' AND `key` = %s",
        RV_ARGS(store, key));
    if (rv)
        return rv;
    return rv_db_exec(db, p, NULL,
        "INSERT INTO {P}setting (store_id, code, `key`, value, serialized)"
        " VALUES (%s, '" RV_CODE "', %s, %s, %s)",
        RV_ARGS(store, key, value ? value : "", serialized ? "1" : "0"));
}

static int rv_settings_ensure_key(rv_db_t *db, apr_pool_t *p, rv_settings_t *st,
                                  const char *name)
{
    const char *v = apr_table_get(st->values, name);
    if (v && *v)
        return 0;
    v = rv_random_hex(p, 16);
    if (!v || rv_setting_save(db, p, st->store_id, name, v, 0))
        return -1;
    apr_table_set(st->values, name, v);
    return 0;
}

int rv_settings_new_keys(rv_db_t *db, apr_pool_t *p, int store_id)
{
    const char *w = rv_random_hex(p, 16), *c = rv_random_hex(p, 16);
    if (!w || !c)
        return -1;
    return rv_setting_save(db, p, store_id, "webhook_key", w, 0)
        || rv_setting_save(db, p, store_id, "cron_key", c, 0);
}

/* Every Apache child of every server makes sure the keys exist when it
 * first reaches the database, so on a fresh install several do it at once.
 * A save is a DELETE and an INSERT and oc_setting has no unique key on
 * (store_id, key): without a lock two children could both find no key and
 * both insert one, leaving two rows, and each process would then accept a
 * different key. Under a server-wide named lock (per database, prefix and
 * store) the second child reads the first one's keys and makes none. */
int rv_settings_ensure_keys(rv_db_t *db, apr_pool_t *p, int store_id)
{
    const char *store = apr_itoa(p, store_id), *got;
    rv_settings_t *st = rv_settings_load(db, p, store_id);
    int rv;
    if (!st)
        return -1;
    if (*rv_setting(st, "webhook_key", "") && *rv_setting(st, "cron_key", ""))
        return 0;                       /* the usual case: no lock needed */
    got = rv_db_value(db, p, "SELECT GET_LOCK(CONCAT('rvk:', MD5(CONCAT(DATABASE(), '|', %s,"
                      " '|', %s))), 10)", RV_ARGS(db->prefix, store));
    if (!got || strcmp(got, "1"))
        return -1;
    st = rv_settings_load(db, p, store_id);   /* again, under the lock */
    rv = !st || rv_settings_ensure_key(db, p, st, "webhook_key")
        || rv_settings_ensure_key(db, p, st, "cron_key");
    rv_db_value(db, p, "SELECT RELEASE_LOCK(CONCAT('rvk:', MD5(CONCAT(DATABASE(), '|', %s,"
                " '|', %s))))", RV_ARGS(db->prefix, store));
    return rv ? -1 : 0;
}

rv_settings_t *rv_settings_load(rv_db_t *db, apr_pool_t *p, int store_id)
{
    rv_rows_t *rows;
    rv_settings_t *st;
    int i;
    if (rv_db_query(db, p, &rows,
            "SELECT `key`, value FROM {P}setting WHERE store_id = %s AND code = '" RV_CODE "'",
            RV_ARGS(apr_itoa(p, store_id))))
        return NULL;
    st = apr_pcalloc(p, sizeof(*st));
    st->store_id = store_id;
    st->values = apr_table_make(p, 24);
    for (i = 0; i < rows->nrows; i++) {
        const char *k = rows->rows[i][0], *v = rows->rows[i][1];
        if (k && !strncmp(k, RV_KEY_PREFIX, strlen(RV_KEY_PREFIX)))
            apr_table_set(st->values, k + strlen(RV_KEY_PREFIX), v ? v : "");
    }
    return st;
}

const char *rv_setting_read(rv_db_t *db, apr_pool_t *p, int store_id, const char *name)
{
    return rv_db_value(db, p, "SELECT value FROM {P}setting WHERE store_id = %s AND `key` = %s",
                       RV_ARGS(apr_itoa(p, store_id), apr_pstrcat(p, RV_KEY_PREFIX, name, NULL)));
}

const char *rv_setting(const rv_settings_t *st, const char *name, const char *dflt)
{
    const char *v = apr_table_get(st->values, name);
    return (v && *v) ? v : dflt;
}

long long rv_setting_int(const rv_settings_t *st, const char *name, long long dflt)
{
    const char *v = rv_setting(st, name, NULL);
    return v ? apr_atoi64(v) : dflt;
}

json_object *rv_setting_json(const rv_settings_t *st, const char *name)
{
    const char *v = rv_setting(st, name, NULL);
    return v ? rv_json_parse(v, strlen(v), NULL) : NULL;
}

int rv_setting_field_on(const rv_settings_t *st, const char *field)
{
    json_object *f = rv_setting_json(st, "sync_fields"), *v;
    int on = 1;
    if (f && json_object_object_get_ex(f, field, &v))
        on = json_object_get_boolean(v);
    if (f)
        json_object_put(f);
    return on;
}

const char *rv_oc_config(rv_db_t *db, apr_pool_t *p, int store_id, const char *key)
{
    /* the store's own row before store 0's, in one statement */
    return rv_db_value(db, p,
        "SELECT value FROM {P}setting WHERE code = 'config' AND store_id IN (0, %s)"
        " AND `key` = %s ORDER BY store_id DESC LIMIT 1",
        RV_ARGS(apr_itoa(p, store_id), key));
}

apr_table_t *rv_oc_configs(rv_db_t *db, apr_pool_t *p, int store_id, const char *const *keys,
                           int n)
{
    apr_table_t *t = apr_table_make(p, n);
    const char **args = apr_palloc(p, sizeof(*args) * (size_t)(n + 1));
    const char *in = "%s";
    rv_rows_t *rows;
    int i;
    if (n < 1 || n > RV_OC_CONFIGS_MAX)
        return t;
    args[0] = apr_itoa(p, store_id);
    for (i = 0; i < n; i++) {
        args[i + 1] = keys[i];
        if (i)
            in = apr_pstrcat(p, in, ", %s", NULL);
    }
    /* store 0's rows first, so the store's own replace them */
    if (rv_db_query(db, p, &rows, apr_pstrcat(p, "SELECT `key`, value FROM {P}setting"
                    " WHERE code = 'config' AND store_id IN (0, %s) AND `key` IN (", in, ")"
                    " ORDER BY store_id", NULL), args, n + 1) == 0)
        for (i = 0; i < rows->nrows; i++)
            if (rows->rows[i][0] && rows->rows[i][1])
                apr_table_set(t, rows->rows[i][0], rows->rows[i][1]);
    return t;
}

/* ---- the shop's public address ---- */

const char *rv_shop_address(rv_db_t *db, apr_pool_t *p, const rv_settings_t *st)
{
    const char *v = rv_setting(st, "store_url", NULL);
    if (v && *v)
        return v;
    if (st->store_id != 0) {
        v = rv_db_value(db, p, "SELECT IF(`ssl` <> '', `ssl`, url) FROM {P}store WHERE store_id = %s",
                        RV_ARGS(apr_itoa(p, st->store_id)));
        if (v && *v)
            return v;
    }
    /* store 0 has these rows only when something wrote them (its address
     * normally lives in OpenCart's config.php) */
    v = rv_oc_config(db, p, st->store_id, "config_ssl");
    if (v && *v)
        return v;
    v = rv_oc_config(db, p, st->store_id, "config_url");
    return v && *v ? v : NULL;
}

const char *rv_public_route_base(apr_pool_t *p, const char *address, const char *base_path)
{
    apr_uri_t u;
    if (!address || apr_uri_parse(p, address, &u) != APR_SUCCESS || !u.scheme || !u.hostname
        || (strcmp(u.scheme, "https") && strcmp(u.scheme, "http")))
        return NULL;
    return apr_pstrcat(p, u.scheme, "://", u.hostname, u.port_str ? ":" : "",
                       u.port_str ? u.port_str : "", base_path, NULL);
}

long long rv_setting_log_retention_days(const rv_settings_t *st)
{
    long long n = rv_setting_int(st, "log_retention_days", RV_LOG_RETENTION_DEFAULT);
    return n < 0 ? RV_LOG_RETENTION_DEFAULT : n > RV_LOG_RETENTION_MAX ? RV_LOG_RETENTION_MAX : n;
}
