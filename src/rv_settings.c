/* rv_settings.c: module_reverb_* settings, read and written the way
 * OpenCart's own model does (one row per key, JSON with serialized=1). */
#include "rv_settings.h"
#include "rv_settings_listing.h"
#include "apr_uri.h"
#include "rv_json.h"
#include "rv_api.h"
#include "rv_text.h"
#include "rv_attrs.h"

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
    const char *v = rv_db_value(db, p,
        "SELECT value FROM {P}setting WHERE store_id = %s AND code = 'config' AND `key` = %s",
        RV_ARGS(apr_itoa(p, store_id), key));
    if (!v && store_id != 0)
        return rv_oc_config(db, p, 0, key);
    return v;
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

/* ---- JSON view for the admin page ---- */

static void add_str(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void add_json_setting(json_object *o, const rv_settings_t *st, const char *name,
                             json_type want)
{
    json_object *v = rv_setting_json(st, name);
    if (!v || !json_object_is_type(v, want)) {
        if (v)
            json_object_put(v);
        v = want == json_type_array ? json_object_new_array() : json_object_new_object();
    }
    json_object_object_add(o, name, v);
}

static json_object *rv_sync_fields_json(const rv_settings_t *st)
{
    static const char *fields[] = { "title", "description", "price", "stock", "images" };
    json_object *o = json_object_new_object();
    size_t i;
    for (i = 0; i < sizeof(fields) / sizeof(*fields); i++)
        json_object_object_add(o, fields[i],
                               json_object_new_boolean(rv_setting_field_on(st, fields[i])));
    return o;
}

static json_object *rv_oc_list(rv_db_t *db, apr_pool_t *p, const char *sql,
                               const char *idcol)
{
    json_object *arr = json_object_new_array();
    rv_rows_t *rows;
    int i;
    if (rv_db_query(db, p, &rows, sql, RV_NOARGS))
        return arr;
    for (i = 0; i < rows->nrows; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, idcol, json_object_new_int64(rv_row_int(rows, i, idcol, 0)));
        /* OpenCart stores names HTML-escaped; the UI sets text, not HTML */
        add_str(o, "name", rv_entity_decode(p, rv_row_get(rows, i, "name")));
        json_object_array_add(arr, o);
    }
    return arr;
}

static json_object *rv_field_map_json(apr_pool_t *p, const rv_settings_t *st);

json_object *rv_settings_to_json(rv_db_t *db, apr_pool_t *p, const rv_settings_t *st,
                                 const char *base_url, int show_secrets)
{
    json_object *top = json_object_new_object(), *s = json_object_new_object();
    const char *token = rv_setting(st, "token", NULL);

    json_object_object_add(s, "status", json_object_new_int(rv_setting_int(st, "status", 0) ? 1 : 0));
    add_str(s, "token_masked", token ? rv_mask_token(p, token) : "");
    json_object_object_add(s, "token_set", json_object_new_boolean(token != NULL));
    add_str(s, "sync_mode", rv_setting(st, "sync_mode", "one_way"));
    add_json_setting(s, st, "categories", json_type_array);
    json_object_object_add(s, "auto_publish", json_object_new_int(rv_setting_int(st, "auto_publish", 0) ? 1 : 0));
    json_object_object_add(s, "sync_fields", rv_sync_fields_json(st));
    add_str(s, "default_condition", rv_setting(st, "default_condition", ""));
    add_str(s, "shipping_profile_id", rv_setting(st, "shipping_profile_id", ""));
    add_str(s, "store_url", rv_setting(st, "store_url", ""));
    json_object_object_add(s, "use_special", json_object_new_int(rv_setting_int(st, "use_special", 0) ? 1 : 0));
    add_json_setting(s, st, "order_status_map", json_type_object);
    json_object_object_add(s, "log_retention_days",
                           json_object_new_int64(rv_setting_log_retention_days(st)));
    /* the keys (and URLs holding them) only for users who may change
     * settings; others learn that they exist */
    json_object_object_add(s, "keys_visible", json_object_new_boolean(show_secrets));
    json_object_object_add(s, "webhook_key_set",
                           json_object_new_boolean(*rv_setting(st, "webhook_key", "") != '\0'));
    json_object_object_add(s, "cron_key_set",
                           json_object_new_boolean(*rv_setting(st, "cron_key", "") != '\0'));
    if (show_secrets) {
        add_str(s, "cron_url", apr_pstrcat(p, base_url, "/cron?key=", rv_setting(st, "cron_key", ""), NULL));
        add_str(s, "webhook_url", apr_pstrcat(p, base_url, "/webhook?key=", rv_setting(st, "webhook_key", ""), NULL));
    }
    else {
        json_object_object_add(s, "cron_url", NULL);
        json_object_object_add(s, "webhook_url", NULL);
    }
    add_str(s, "order_last_sync", rv_setting(st, "order_last_sync", ""));
    rv_listing_settings_json(s, st);                /* shipping, offers, buffer, order import */
    json_object_object_add(s, "field_map", rv_field_map_json(p, st));
    json_object_object_add(top, "settings", s);
    json_object_object_add(top, "oc_attributes", rv_attrs_names(db, p));
    json_object_object_add(top, "oc_categories", rv_oc_list(db, p,
        "SELECT c.category_id, GROUP_CONCAT(cd.name ORDER BY cp.level SEPARATOR ' > ') AS name"
        " FROM {P}category c"
        " JOIN {P}category_path cp ON cp.category_id = c.category_id"
        " JOIN {P}category_description cd ON cd.category_id = cp.path_id"
        "  AND cd.language_id = (SELECT language_id FROM {P}language WHERE code ="
        "   (SELECT value FROM {P}setting WHERE store_id = 0 AND `key` IN ('config_admin_language', 'config_language_admin') LIMIT 1) LIMIT 1)"
        " GROUP BY c.category_id ORDER BY name", "category_id"));
    json_object_object_add(top, "oc_order_statuses", rv_oc_list(db, p,
        "SELECT order_status_id, name FROM {P}order_status WHERE language_id ="
        " (SELECT language_id FROM {P}language WHERE code ="
        "  (SELECT value FROM {P}setting WHERE store_id = 0 AND `key` IN ('config_admin_language', 'config_language_admin') LIMIT 1) LIMIT 1)"
        " ORDER BY name", "order_status_id"));
    return top;
}

/* ---- validation and writing ---- */

typedef struct { const char *name, *value; int serialized; } rv_pending_t;

static int is_flag(json_object *v, const char **out)
{
    long long n;
    if (json_object_is_type(v, json_type_boolean)) {
        *out = json_object_get_boolean(v) ? "1" : "0";
        return 1;
    }
    if (rv_json_as_int(v, &n) == 0 && (n == 0 || n == 1)) {
        *out = n ? "1" : "0";
        return 1;
    }
    return 0;
}

static int is_short_text(json_object *v, size_t max, const char **out)
{
    const char *s;
    size_t i;
    if (!json_object_is_type(v, json_type_string))
        return 0;
    s = json_object_get_string(v);
    if (strlen(s) > max)
        return 0;
    for (i = 0; s[i]; i++)
        if ((unsigned char)s[i] < 0x20)
            return 0;
    *out = s;
    return 1;
}

static int is_id_array(json_object *v, apr_pool_t *p, const char **out)
{
    json_object *arr;
    size_t i, n;
    long long id;
    if (!json_object_is_type(v, json_type_array))
        return 0;
    n = json_object_array_length(v);
    if (n > 10000)
        return 0;
    arr = json_object_new_array();
    for (i = 0; i < n; i++) {
        if (rv_json_as_int(json_object_array_get_idx(v, i), &id) || id <= 0) {
            json_object_put(arr);
            return 0;
        }
        json_object_array_add(arr, json_object_new_int64(id));
    }
    *out = rv_json_dump(p, arr);
    json_object_put(arr);
    return 1;
}

static int is_sync_fields(json_object *v, apr_pool_t *p, const char **out)
{
    static const char *fields[] = { "title", "description", "price", "stock", "images" };
    json_object *o, *f;
    size_t i;
    if (!json_object_is_type(v, json_type_object))
        return 0;
    o = json_object_new_object();
    for (i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
        const char *flag = "1";
        if (json_object_object_get_ex(v, fields[i], &f) && !is_flag(f, &flag)) {
            json_object_put(o);
            return 0;
        }
        json_object_object_add(o, fields[i], json_object_new_boolean(*flag == '1'));
    }
    *out = rv_json_dump(p, o);
    json_object_put(o);
    return 1;
}

static int is_status_map(json_object *v, apr_pool_t *p, const char **out)
{
    json_object *o;
    long long id;
    if (!json_object_is_type(v, json_type_object))
        return 0;
    o = json_object_new_object();
    json_object_object_foreach(v, key, val) {
        if (strlen(key) > 32 || rv_json_as_int(val, &id) || id < 0 || id > 1000000) {
            json_object_put(o);
            return 0;
        }
        json_object_object_add(o, key, json_object_new_int64(id));
    }
    *out = rv_json_dump(p, o);
    json_object_put(o);
    return 1;
}

static int is_url_or_empty(json_object *v, const char **out)
{
    if (!is_short_text(v, 255, out))
        return 0;
    return !**out || !strncmp(*out, "http://", 7) || !strncmp(*out, "https://", 8);
}

static int is_digits_or_empty(json_object *v, const char **out)
{
    const char *s;
    long long n;
    if (json_object_is_type(v, json_type_int) && rv_json_as_int(v, &n) == 0 && n >= 0) {
        *out = json_object_get_string(v);
        return 1;
    }
    if (!is_short_text(v, 32, &s))
        return 0;
    for (*out = s; *s; s++)
        if (!apr_isdigit(*s))
            return 0;
    return 1;
}

/* A whole number of days in 0..RV_LOG_RETENTION_MAX (0: keep forever). */
static int is_retention_days(json_object *v, apr_pool_t *p, const char **out)
{
    long long n;
    const char *s;
    if (json_object_is_type(v, json_type_string)) {
        if (!is_short_text(v, 8, &s) || !*s)
            return 0;
        for (n = 0; *s; s++) {
            if (!apr_isdigit(*s))
                return 0;
            n = n * 10 + (*s - '0');
        }
    }
    else if (!json_object_is_type(v, json_type_int) || rv_json_as_int(v, &n))
        return 0;
    if (n < 0 || n > RV_LOG_RETENTION_MAX)
        return 0;
    *out = rv_i64(p, n);
    return 1;
}

long long rv_setting_log_retention_days(const rv_settings_t *st)
{
    long long n = rv_setting_int(st, "log_retention_days", RV_LOG_RETENTION_DEFAULT);
    return n < 0 ? RV_LOG_RETENTION_DEFAULT : n > RV_LOG_RETENTION_MAX ? RV_LOG_RETENTION_MAX : n;
}

/* ---- field mapping (issue 11 item 2) ---- */

/* field_map: validated by the core, stored in its normal form. */
static const char *rv_field_map_check(apr_pool_t *p, json_object *v, const char **out)
{
    rv_fieldmap_t m;
    json_object *norm;
    const char *err = rv_fieldmap_parse(p, v, &m);
    if (err)
        return err;
    norm = rv_fieldmap_json(&m);
    *out = rv_json_dump(p, norm);
    json_object_put(norm);
    return NULL;
}

static json_object *rv_field_map_json(apr_pool_t *p, const rv_settings_t *st)
{
    rv_fieldmap_t m;
    json_object *in = rv_setting_json(st, "field_map");
    if (!in || rv_fieldmap_parse(p, in, &m))
        rv_fieldmap_default(&m);
    if (in)
        json_object_put(in);
    return rv_fieldmap_json(&m);
}

/* One rule per writable setting. */
static const char *rv_check_field(apr_pool_t *p, const char *key, json_object *v,
                                  rv_pending_t *pend)
{
    const char *out = NULL, *err = NULL;
    pend->name = key;
    pend->serialized = 0;
    if (!strcmp(key, "status") || !strcmp(key, "auto_publish") || !strcmp(key, "use_special")) {
        if (!is_flag(v, &out))
            return apr_psprintf(p, "'%s' must be 0 or 1.", key);
    }
    else if (!strcmp(key, "token")) {
        if (!is_short_text(v, 255, &out) || strchr(out, ' '))
            return "The token must be text without spaces.";
    }
    else if (!strcmp(key, "sync_mode")) {
        if (!is_short_text(v, 16, &out) || (strcmp(out, "one_way") && strcmp(out, "both_ways")))
            return "'sync_mode' must be one_way or both_ways.";
    }
    else if (!strcmp(key, "categories")) {
        if (!is_id_array(v, p, &out))
            return "'categories' must be a list of category ids.";
        pend->serialized = 1;
    }
    else if (!strcmp(key, "sync_fields")) {
        if (!is_sync_fields(v, p, &out))
            return "'sync_fields' must be an object of on/off flags.";
        pend->serialized = 1;
    }
    else if (!strcmp(key, "order_status_map")) {
        if (!is_status_map(v, p, &out))
            return "'order_status_map' must map Reverb statuses to order status ids.";
        pend->serialized = 1;
    }
    else if (!strcmp(key, "default_condition")) {
        if (!is_short_text(v, 64, &out))
            return "'default_condition' must be a condition id.";
    }
    else if (!strcmp(key, "shipping_profile_id")) {
        if (!is_digits_or_empty(v, &out))
            return "'shipping_profile_id' must be a number or empty.";
    }
    else if (!strcmp(key, "log_retention_days")) {
        if (!is_retention_days(v, p, &out))
            return apr_psprintf(p, "'log_retention_days' must be a whole number of days from 0"
                                " (keep forever) to %d.", RV_LOG_RETENTION_MAX);
    }
    else if (!strcmp(key, "field_map")) {          /* field mapping (issue 11 item 2) */
        const char *err = rv_field_map_check(p, v, &out);
        if (err)
            return err;
        pend->serialized = 1;
    }
    else if (!strcmp(key, "store_url")) {
        if (!is_url_or_empty(v, &out))
            return "'store_url' must start with http:// or https://.";
        if (*out && out[strlen(out) - 1] != '/')
            out = apr_pstrcat(p, out, "/", NULL);
    }
    else if (rv_listing_setting_check(p, key, v, &out, &err)) {
        if (err)                /* shipping, offers, buffer, order import */
            return err;
    }
    else {
        return NULL; /* read-only or unknown keys are ignored (e.g. token_masked) */
    }
    pend->value = out;
    return NULL;
}

const char *rv_settings_apply(rv_db_t *db, apr_pool_t *p, int store_id, json_object *in)
{
    return rv_settings_apply_field(db, p, store_id, in, NULL);
}

const char *rv_settings_apply_field(rv_db_t *db, apr_pool_t *p, int store_id, json_object *in,
                                    const char **field)
{
    rv_pending_t pend[64];
    int n = 0, i;
    if (field)
        *field = NULL;
    json_object_object_foreach(in, key, val) {
        const char *err;
        if (n == (int)(sizeof(pend) / sizeof(*pend)))
            return "Too many settings in one request.";
        pend[n].value = NULL;
        err = rv_check_field(p, key, val, &pend[n]);
        if (err) {
            if (field)
                *field = apr_pstrdup(p, key);
            return err;
        }
        if (pend[n].value)
            n++;
    }
    for (i = 0; i < n; i++) {
        int rv = rv_setting_save(db, p, store_id, pend[i].name, pend[i].value,
                                 pend[i].serialized);
        if (rv)
            return "The settings could not be saved (database error).";
    }
    return NULL;
}
