/* rv_oc.c: see rv_oc.h. */
#include "rv_oc.h"
#include "rv_conf.h"

#include "http_log.h"
#include "apr_atomic.h"
#include "apr_strings.h"
#include "apr_lib.h"

APLOG_USE_MODULE(reverb);

/* ---- the per-version statement table ([0] = 3.0.x, [1] = 4.0.2.x) ---- */

/* oc_order columns both versions share, with every column that has no
 * default given (mod_reverb's session is strict). The arguments are the
 * same for both up to the 4.0-only tail. */
#define RV_ORDER_COMMON \
    "INSERT INTO {P}order SET invoice_no = 0, invoice_prefix = LEFT(%s, 26), store_id = %s," \
    " store_name = LEFT(%s, 64), store_url = LEFT(%s, 255), customer_id = 0," \
    " customer_group_id = %s, firstname = %s, lastname = %s, email = %s, telephone = %s," \
    " custom_field = '[]'," \
    " payment_firstname = %s, payment_lastname = %s, payment_company = ''," \
    " payment_address_1 = %s, payment_address_2 = %s, payment_city = %s," \
    " payment_postcode = %s, payment_country = LEFT(%s, 128), payment_country_id = %s," \
    " payment_zone = LEFT(%s, 128), payment_zone_id = %s, payment_address_format = %s," \
    " payment_custom_field = '[]'," \
    " shipping_firstname = %s, shipping_lastname = %s, shipping_company = ''," \
    " shipping_address_1 = %s, shipping_address_2 = %s, shipping_city = %s," \
    " shipping_postcode = %s, shipping_country = LEFT(%s, 128), shipping_country_id = %s," \
    " shipping_zone = LEFT(%s, 128), shipping_zone_id = %s, shipping_address_format = %s," \
    " shipping_custom_field = '[]',"

#define RV_ORDER_TAIL \
    " comment = %s, total = 0, order_status_id = %s, affiliate_id = 0, commission = 0," \
    " marketing_id = 0, tracking = '', language_id = %s, currency_id = %s," \
    " currency_code = %s, currency_value = %s, ip = '', forwarded_ip = ''," \
    " user_agent = 'mod_reverb', accept_language = '', date_added = %s, date_modified = %s"

static const char *const rv_oc_stmts[RV_OC_NSTMT][2] = {
    [RV_OC_COUNTRY] = {
        "SELECT country_id, name, address_format FROM {P}country"
        " WHERE iso_code_2 = %s ORDER BY status DESC, country_id LIMIT 1",
        /* 4.0: the format text moved to oc_address_format */
        "SELECT c.country_id, c.name, af.address_format FROM {P}country c"
        " LEFT JOIN {P}address_format af ON af.address_format_id = c.address_format_id"
        " WHERE c.iso_code_2 = %s ORDER BY c.status DESC, c.country_id LIMIT 1",
    },
    [RV_OC_ORDER_INSERT] = {
        RV_ORDER_COMMON
        " fax = '', payment_method = 'Reverb', payment_code = 'reverb',"
        " shipping_method = %s, shipping_code = 'reverb.reverb',"
        RV_ORDER_TAIL,
        /* 4.0: no fax/payment_code/shipping_code; the methods are JSON
         * objects the admin reads name and code from; five new columns
         * without defaults */
        RV_ORDER_COMMON
        " payment_method = '{\"name\":\"Reverb\",\"code\":\"reverb.reverb\"}',"
        " shipping_method = JSON_OBJECT('name', %s, 'code', 'reverb.reverb'),"
        RV_ORDER_TAIL ","
        " subscription_id = 0, payment_address_id = 0, shipping_address_id = 0,"
        " transaction_id = LEFT(%s, 100), language_code = LEFT(%s, 5)",
    },
    [RV_OC_ORDER_PRODUCT] = {
        "INSERT INTO {P}order_product (order_id, product_id, name, model, quantity, price,"
        " total, tax, reward) VALUES (%s, %s, %s, %s, %s, %s, %s, 0, 0)",
        /* 4.0: master_id 0, so that OpenCart's own restock (which also
         * restocks master_id) mirrors mod_reverb's decrement of the sold row */
        "INSERT INTO {P}order_product (order_id, product_id, master_id, name, model, quantity,"
        " price, total, tax, reward) VALUES (%s, %s, 0, %s, %s, %s, %s, %s, 0, 0)",
    },
    /* 4.0: every total names its extension; addHistory loads
     * extension/<extension>/total/<code> and throws (after restocking!) when
     * it does not exist, so these are OpenCart's own totals */
    [RV_OC_ORDER_TOTALS] = {
        "INSERT INTO {P}order_total (order_id, code, title, value, sort_order) VALUES"
        " (%s, 'sub_total', 'Sub-Total', %s, 1), (%s, 'shipping', %s, %s, 3)",
        "INSERT INTO {P}order_total (order_id, extension, code, title, value, sort_order) VALUES"
        " (%s, 'opencart', 'sub_total', 'Sub-Total', %s, 1), (%s, 'opencart', 'shipping', %s, %s, 3)",
    },
    [RV_OC_ORDER_TOTAL_TAX] = {
        "INSERT INTO {P}order_total (order_id, code, title, value, sort_order)"
        " VALUES (%s, 'tax', %s, %s, 5)",
        "INSERT INTO {P}order_total (order_id, extension, code, title, value, sort_order)"
        " VALUES (%s, 'opencart', 'tax', %s, %s, 5)",
    },
    [RV_OC_ORDER_TOTAL_SUM] = {
        "INSERT INTO {P}order_total (order_id, code, title, value, sort_order)"
        " VALUES (%s, 'total', 'Total', %s, 9)",
        "INSERT INTO {P}order_total (order_id, extension, code, title, value, sort_order)"
        " VALUES (%s, 'opencart', 'total', 'Total', %s, 9)",
    },
};

const char *rv_oc_sql_for(int version, rv_oc_stmt_t which)
{
    if ((version != 3 && version != 4) || which < 0 || which >= RV_OC_NSTMT)
        return NULL;
    return rv_oc_stmts[which][version == 4];
}

/* ---- version ---- */

int rv_oc_version(rv_db_t *db, apr_pool_t *p)
{
    rv_conf_t *conf = rv_conf_get(db->s);
    apr_uint32_t found;
    const char *n;
    int v;

    if (conf->opencart == 3 || conf->opencart == 4)
        return conf->opencart;
    if ((found = apr_atomic_read32(&conf->opencart_found)) != 0)
        return (int)found;
    n = rv_db_value(db, p,
        "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE()"
        " AND table_name = %s AND column_name = 'master_id'",
        RV_ARGS(apr_pstrcat(p, db->prefix, "product", NULL)));
    if (!n)
        return -1;
    v = strcmp(n, "0") ? 4 : 3;
    if (apr_atomic_cas32(&conf->opencart_found, (apr_uint32_t)v, 0) == 0)
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, db->s,
                     RVLOGNO(0030) "this database is OpenCart %s (detected; set"
                     " ReverbOpenCart 3 or 4 to fix it)", v == 4 ? "4.0" : "3.0");
    return v;
}

const char *rv_oc_sql(rv_db_t *db, apr_pool_t *p, rv_oc_stmt_t which)
{
    int v = rv_oc_version(db, p);
    return v < 0 ? NULL : rv_oc_sql_for(v, which);
}

/* ---- names ---- */

static int rv_name_ok(const char *s, size_t max)
{
    size_t n = 0;
    if (!s || !*s)
        return 0;
    for (; s[n]; n++)
        if (n >= max || !(apr_isalnum(s[n]) || s[n] == '_'))
            return 0;
    return 1;
}

const char *rv_oc_permission_route(rv_db_t *db, apr_pool_t *p)
{
    rv_rows_t *rows;
    const char *folder = "reverb";
    int v = rv_oc_version(db, p);
    if (v < 0)
        return NULL;
    if (v == 3)
        return "extension/module/reverb";
    if (rv_db_query(db, p, &rows, "SELECT extension FROM {P}extension WHERE type = 'module'"
                    " AND code = 'reverb' ORDER BY extension_id LIMIT 1", RV_NOARGS))
        return NULL;
    /* OpenCart's routes allow [A-Za-z0-9_|/.]; the installer's folder is the
     * zip's name, so anything else could not have been installed */
    if (rows->nrows && rv_name_ok(rows->rows[0][0], 128))
        folder = rows->rows[0][0];
    return apr_pstrcat(p, "extension/", folder, "/module/reverb", NULL);
}

/* ---- collation ---- */

int rv_oc_match_collation(rv_db_t *db, apr_pool_t *p)
{
    rv_rows_t *rows;
    const char *coll, *lock;
    int i, rv = 0;

    coll = rv_db_value(db, p, "SELECT table_collation FROM information_schema.tables"
                       " WHERE table_schema = DATABASE() AND table_name = %s",
                       RV_ARGS(apr_pstrcat(p, db->prefix, "product", NULL)));
    if (!coll || strncmp(coll, "utf8mb4_", 8) || !rv_name_ok(coll, 64))
        return 0;       /* no OpenCart here, or a 3-byte shop: joins convert */
    if (rv_db_query(db, p, &rows, "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = DATABASE() AND table_name LIKE CONCAT(%s, 'reverb|_%%')"
                    " ESCAPE '|' AND table_collation <> %s ORDER BY table_name",
                    RV_ARGS(apr_pstrcat(p, db->prefix, NULL), coll)))
        return -1;
    if (!rows->nrows)
        return 0;
    lock = apr_pstrcat(p, db->prefix, "reverb_migrate", NULL);
    if (!(rv_db_value(db, p, "SELECT GET_LOCK(%s, 30)", RV_ARGS(lock))))
        return -1;
    for (i = 0; i < rows->nrows && !rv; i++) {
        const char *t = rows->rows[i][0];
        if (!rv_name_ok(t, 64) || strncmp(t, db->prefix, strlen(db->prefix)))
            continue;
        rv = rv_db_plain(db, apr_pstrcat(p, "ALTER TABLE `", t, "` CONVERT TO CHARACTER SET"
                                         " utf8mb4 COLLATE ", coll, NULL));
        if (rv)
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, db->s,
                         RVLOGNO(0031) "could not give table %s OpenCart's collation %s: %s",
                         t, coll, rv_db_error(db, rv));
        else
            ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, db->s,
                         RVLOGNO(0032) "table %s now uses OpenCart's collation %s", t, coll);
    }
    rv_db_value(db, p, "SELECT RELEASE_LOCK(%s)", RV_ARGS(lock));
    return rv;
}
