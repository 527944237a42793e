/* GET /reverb/admin/products: every product of the shop, a page at a time,
 * with its Reverb state.
 *
 * One statement counts the matches and one reads the page; the filter is
 * shared with products/bulk (rv_products.h). Dates are UTC ISO 8601 with a
 * Z; the answer carries the shop's time zone (config_timezone) so the admin
 * UI shows them in the shop's local time, as OpenCart does. */
#include "rv_products.h"
#include "rv_row_json.h"
#include "rv_settings.h"
#include "rv_queue.h"
#include "rv_language.h"
#include "rv_query.h"
#include "rv_text.h"

#include "http_log.h"
#include "http_protocol.h"
#include "apr_strings.h"
#include "apr_lib.h"

APLOG_USE_MODULE(reverb);

const char *const rv_pstates[] = {
    "not_enabled", "enabled", "queued", "draft", "live", "ended", "sold", "error", NULL
};

/* A product's state, first match wins:
 *   queued       a push job is pending or running for it (live_key set)
 *   error        the last push failed for good (last_error) and the product
 *                is synced or still has a listing
 *   sold         listing state sold_out / sold / ordered / out_of_stock
 *   ended        listing state ended / suspended / seller_unavailable
 *   live, draft  listing state live / draft
 *   enabled      sync on, not listed yet
 *   not_enabled  everything else (no map row, or sync off and no listing) */
#define RV_LISTED "(m.reverb_listing_id IS NOT NULL AND m.reverb_listing_id <> '')"
const char *const rv_pstate_sql =
    "(CASE WHEN j.job_id IS NOT NULL THEN 'queued'"
    " WHEN m.last_error IS NOT NULL AND (m.sync_enabled = 1 OR " RV_LISTED ") THEN 'error'"
    " WHEN " RV_LISTED " AND m.listing_state IN ('sold_out', 'sold', 'ordered', 'out_of_stock')"
    "  THEN 'sold'"
    " WHEN " RV_LISTED " AND m.listing_state IN ('ended', 'suspended', 'seller_unavailable')"
    "  THEN 'ended'"
    " WHEN " RV_LISTED " AND m.listing_state = 'live' THEN 'live'"
    " WHEN " RV_LISTED " AND m.listing_state = 'draft' THEN 'draft'"
    " WHEN m.sync_enabled = 1 THEN 'enabled'"
    " ELSE 'not_enabled' END)";

static int rv_digits(const char *s, size_t max)
{
    size_t n = 0;
    if (!s || !*s)
        return 0;
    for (; s[n]; n++)
        if (!apr_isdigit(s[n]) || n >= max)
            return 0;
    return 1;
}

const char *rv_pfilter_set(apr_pool_t *p, rv_pfilter_t *f, const char *key, const char *val)
{
    int i;
    if (!strcmp(key, "page") || !strcmp(key, "per_page"))
        return NULL;            /* paging, not a filter: the callers check it */
    if (!val || !*val)
        val = NULL;
    if (!strcmp(key, "category_id") || !strcmp(key, "manufacturer_id")) {
        if (val && (!rv_digits(val, 10) || apr_atoi64(val) > 2147483647LL
                    || (key[0] == 'c' && apr_atoi64(val) == 0)))
            return key[0] == 'c' ? "The category filter must be a category id."
                                 : "The manufacturer filter must be a manufacturer id "
                                   "(0 for products without one).";
        if (key[0] == 'c')
            f->category_id = val;
        else
            f->manufacturer_id = val;
        return NULL;
    }
    if (!strcmp(key, "q")) {
        if (val && strlen(val) > 255)
            return "The search text is too long (at most 255 characters).";
        f->q = val;
        return NULL;
    }
    if (!strcmp(key, "state")) {
        if (val) {
            for (i = 0; rv_pstates[i] && strcmp(rv_pstates[i], val); i++)
                ;
            if (!rv_pstates[i])
                return "The Reverb state filter must be one of not_enabled, enabled, queued, "
                       "draft, live, ended, sold or error.";
        }
        f->state = val;
        return NULL;
    }
    if (!strcmp(key, "in_stock") || !strcmp(key, "status")) {
        if (val && strcmp(val, "0") && strcmp(val, "1"))
            return key[0] == 'i' ? "The stock filter must be 1 (in stock) or 0 (out of stock)."
                                 : "The status filter must be 1 (enabled) or 0 (disabled).";
        if (key[0] == 'i')
            f->in_stock = val;
        else
            f->status = val;
        return NULL;
    }
    return apr_psprintf(p, "'%s' is not a product filter (use category_id, manufacturer_id, "
                           "q, state, in_stock or status).", key);
}

const char *rv_pfilter_from_args(apr_pool_t *p, rv_pfilter_t *f, const char *args)
{
    static const char *const keys[] = { "category_id", "manufacturer_id", "q", "state",
                                        "in_stock", "status", NULL };
    int i;
    memset(f, 0, sizeof(*f));
    for (i = 0; keys[i]; i++) {
        const char *v = args ? rv_query_get(p, args, keys[i]) : NULL, *err;
        if (v && (err = rv_pfilter_set(p, f, keys[i], v)))
            return err;
    }
    return NULL;
}

const char *rv_pfilter_from_json(apr_pool_t *p, rv_pfilter_t *f, json_object *o)
{
    memset(f, 0, sizeof(*f));
    if (!o || !json_object_is_type(o, json_type_object))
        return "'filter' must be an object of the product list's filters.";
    json_object_object_foreach(o, key, val) {
        const char *s, *err;
        if (!val)
            s = "";
        else if (json_object_is_type(val, json_type_string))
            s = json_object_get_string(val);
        else if (json_object_is_type(val, json_type_int))
            s = json_object_get_int64(val) < 0 ? "-" : rv_i64(p, json_object_get_int64(val));
        else
            return apr_psprintf(p, "The filter '%s' must be text or a number.", key);
        if (val && json_object_is_type(val, json_type_string)
            && strlen(s) != (size_t)json_object_get_string_len(val))
            return apr_psprintf(p, "The filter '%s' contains a NUL character.", key);
        if ((!strcmp(key, "page") || !strcmp(key, "per_page")) && *s && !rv_digits(s, 7))
            return apr_psprintf(p, "'%s' must be a positive number.", key);
        if ((err = rv_pfilter_set(p, f, key, s)))
            return err;
    }
    return NULL;
}

/* LIKE pattern: the text anywhere, with % _ and \ taken literally. */
static const char *rv_like(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) * 2 + 3), *o = out;
    *o++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            *o++ = '\\';
        *o++ = *s;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

/* OpenCart stores names through htmlspecialchars: search that form too. */
static const char *rv_html_escaped(apr_pool_t *p, const char *s)
{
    const char *out = "";
    for (; *s; s++) {
        switch (*s) {
        case '&': out = apr_pstrcat(p, out, "&amp;", NULL); break;
        case '"': out = apr_pstrcat(p, out, "&quot;", NULL); break;
        case '\'': out = apr_pstrcat(p, out, "&#039;", NULL); break;
        case '<': out = apr_pstrcat(p, out, "&lt;", NULL); break;
        case '>': out = apr_pstrcat(p, out, "&gt;", NULL); break;
        default: out = apr_pstrcat(p, out, apr_pstrndup(p, s, 1), NULL); break;
        }
    }
    return out;
}

#define ARG(v) (APR_ARRAY_PUSH(args, const char *) = (v))

const char *rv_pfilter_sql(apr_pool_t *p, const rv_pfilter_t *f, const char *language_id,
                           apr_array_header_t *args)
{
    const char *sql =
        " FROM {P}product p"
        " LEFT JOIN {P}product_description pd ON pd.product_id = p.product_id"
        "  AND pd.language_id = %s"
        " LEFT JOIN {P}reverb_product_map m ON m.product_id = p.product_id"
        RV_QUEUE_PUSH_JOIN("j", "p.product_id")
        " WHERE 1 = 1";
    ARG(language_id);
    if (f->category_id) {
        sql = apr_pstrcat(p, sql, " AND EXISTS (SELECT 1 FROM {P}product_to_category pc"
                          " JOIN {P}category_path cp ON cp.category_id = pc.category_id"
                          " WHERE pc.product_id = p.product_id AND cp.path_id = %s)", NULL);
        ARG(f->category_id);
    }
    if (f->manufacturer_id) {
        sql = apr_pstrcat(p, sql, " AND p.manufacturer_id = %s", NULL);
        ARG(f->manufacturer_id);
    }
    if (f->q) {
        const char *like = rv_like(p, f->q);
        sql = apr_pstrcat(p, sql, " AND (pd.name LIKE %s OR pd.name LIKE %s OR p.sku LIKE %s"
                          " OR p.model LIKE %s)", NULL);
        ARG(like);
        ARG(rv_like(p, rv_html_escaped(p, f->q)));
        ARG(like);
        ARG(like);
    }
    if (f->state) {
        sql = apr_pstrcat(p, sql, " AND ", rv_pstate_sql, " = %s", NULL);
        ARG(f->state);
    }
    if (f->in_stock)
        sql = apr_pstrcat(p, sql, *f->in_stock == '1' ? " AND p.quantity > 0"
                                                      : " AND p.quantity <= 0", NULL);
    if (f->status) {
        sql = apr_pstrcat(p, sql, " AND p.status = %s", NULL);
        ARG(f->status);
    }
    return sql;
}

const char *rv_products_language(rv_req_t *q)
{
    return rv_language_admin(q->db, q->r->pool, q->conf->store_id);
}


/* Listing links shown anywhere are https://reverb.com/... only: a stored
 * address from elsewhere is never offered as a link. */
static const char *rv_safe_listing_url(apr_pool_t *p, const char *url, const char *lid)
{
    size_t i;
    if (url && !strncmp(url, "https://reverb.com/", 19))
        return url;
    if (!lid || !*lid)
        return NULL;
    for (i = 0; lid[i]; i++)
        if (!apr_isalnum(lid[i]) && lid[i] != '-')
            return NULL;
    return apr_pstrcat(p, "https://reverb.com/item/", lid, NULL);
}

/* ?lookups=1: the filters' choices too (every category with its path, every
 * manufacturer), so the Products tab needs one request to start. */
/* [{<idcol>, name}] from rows of an id and an OpenCart name (stored
 * HTML-escaped; the UI sets text). */
static json_object *rv_id_name_list(apr_pool_t *p, rv_rows_t *rows, const char *idcol)
{
    json_object *list = json_object_new_array();
    int i;
    for (i = 0; i < rows->nrows; i++) {
        json_object *o = json_object_new_object();
        const char *name = rv_row_get(rows, i, "name");
        json_object_object_add(o, idcol, json_object_new_int64(rv_row_int(rows, i, idcol, 0)));
        rv_json_set_str(o, "name", rv_entity_decode(p, name ? name : ""));
        json_object_array_add(list, o);
    }
    return list;
}

static int rv_products_lookups(rv_req_t *q, json_object *out)
{
    apr_pool_t *p = q->r->pool;
    rv_rows_t *rows;
    if (rv_db_query(q->db, p, &rows,
            "SELECT cp.category_id, GROUP_CONCAT(cd.name ORDER BY cp.level SEPARATOR ' > ') AS name"
            " FROM {P}category_path cp JOIN {P}category_description cd"
            "  ON cd.category_id = cp.path_id AND cd.language_id = %s"
            " GROUP BY cp.category_id ORDER BY name", RV_ARGS(rv_products_language(q))))
        return -1;
    json_object_object_add(out, "categories", rv_id_name_list(p, rows, "category_id"));
    if (rv_db_query(q->db, p, &rows, "SELECT manufacturer_id, name FROM {P}manufacturer"
                    " ORDER BY name, manufacturer_id", RV_NOARGS))
        return -1;
    json_object_object_add(out, "manufacturers", rv_id_name_list(p, rows, "manufacturer_id"));
    return 0;
}

/* one product of the list: the stored columns (OpenCart escapes every field
 * it stores, the SKU and model too), then the safe listing address */
static const rv_col_t rv_product_row_cols[] = {
    { "product_id", RV_COL_INT, NULL },
    { "name", RV_COL_STR | RV_COL_DECODE, NULL },
    { "sku", RV_COL_STR | RV_COL_DECODE, NULL },
    { "model", RV_COL_STR | RV_COL_DECODE, NULL },
    { "quantity", RV_COL_INT, NULL },
    { "status", RV_COL_INT, NULL },
    { "sync_enabled", RV_COL_INT, NULL },
    { "condition_uuid", RV_COL_STR, NULL },
    { "reverb_category_uuid", RV_COL_STR, NULL },
    { "handmade", RV_COL_INT, NULL },
    { "upc_does_not_apply", RV_COL_INT, NULL },
    { "offers_enabled", RV_COL_INT, NULL },     /* null: the shop's setting */
    { "listing_id", RV_COL_STR, "reverb_listing_id" },
    { "listing_state", RV_COL_STR, "state" },
    { "reverb_state", RV_COL_STR, NULL },
    { "last_error", RV_COL_STR, NULL },
    { "last_synced_at", RV_COL_TIME, NULL },
};

static json_object *rv_product_rows_json(apr_pool_t *p, rv_rows_t *rows)
{
    json_object *list = json_object_new_array();
    int i;
    for (i = 0; i < rows->nrows; i++) {
        json_object *o = json_object_new_object();
        rv_row_json(p, o, rows, i, rv_product_row_cols, RV_NCOLS(rv_product_row_cols));
        rv_json_set_str(o, "listing_url", rv_safe_listing_url(p, rv_row_get(rows, i, "listing_url"),
                                                              rv_row_get(rows, i, "reverb_listing_id")));
        json_object_array_add(list, o);
    }
    return list;
}

/* The page's products under the filter's FROM and arguments. */
static int rv_products_page(rv_req_t *q, const char *from, apr_array_header_t *fargs,
                            long long page, long long per_page, rv_rows_t **rows)
{
    apr_pool_t *p = q->r->pool;
    apr_array_header_t *pargs = apr_array_copy(p, fargs);
    APR_ARRAY_PUSH(pargs, const char *) = rv_i64(p, per_page);
    APR_ARRAY_PUSH(pargs, const char *) = rv_i64(p, (page - 1) * per_page);
    return rv_db_query(q->db, p, rows, apr_pstrcat(p,
            "SELECT p.product_id, pd.name, p.sku, p.model, p.quantity, p.status,"
            " COALESCE(m.sync_enabled, 0) AS sync_enabled, m.condition_uuid,"
            " m.reverb_category_uuid, COALESCE(m.handmade, 0) AS handmade,"
            " COALESCE(m.upc_does_not_apply, 1) AS upc_does_not_apply, m.offers_enabled,"
            " m.reverb_listing_id, m.listing_state AS reverb_state, m.listing_url, m.last_error,"
            " DATE_FORMAT(m.last_synced_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS last_synced_at, ",
            rv_pstate_sql, " AS state", from,
            " ORDER BY pd.name, p.product_id LIMIT %s OFFSET %s", NULL),
            (const char **)pargs->elts, pargs->nelts);
}

int rv_route_products(rv_req_t *q)
{
    request_rec *r = q->r;
    apr_pool_t *p = r->pool;
    const char *args = r->args ? r->args : "", *err, *from, *total, *tz;
    apr_array_header_t *fargs = apr_array_make(p, 12, sizeof(const char *));
    long long page, per_page;
    rv_pfilter_t f;
    rv_rows_t *rows;
    json_object *out;

    if (rv_query_int(p, args, "page", 1, 1000000, 1, &page)
        || rv_query_int(p, args, "per_page", 1, 200, 25, &per_page))
        return rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request",
                             "page and per_page must be positive numbers (per_page at most 200).");
    if ((err = rv_pfilter_from_args(p, &f, args)))
        return rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request", err);
    from = rv_pfilter_sql(p, &f, rv_products_language(q), fargs);
    total = rv_db_value(q->db, p, apr_pstrcat(p, "SELECT COUNT(*)", from, NULL),
                        (const char **)fargs->elts, fargs->nelts);
    if (!total || rv_products_page(q, from, fargs, page, per_page, &rows))
        return rv_http_error(r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The product list could not be read (database error).");
    out = json_object_new_object();
    json_object_object_add(out, "products", rv_product_rows_json(p, rows));
    json_object_object_add(out, "total", json_object_new_int64(apr_atoi64(total)));
    json_object_object_add(out, "page", json_object_new_int64(page));
    json_object_object_add(out, "per_page", json_object_new_int64(per_page));
    if (rv_query_get(p, args, "lookups") && !strcmp(rv_query_get(p, args, "lookups"), "1")
        && rv_products_lookups(q, out)) {
        json_object_put(out);
        return rv_http_error(r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The product list could not be read (database error).");
    }
    tz = rv_oc_config(q->db, p, q->conf->store_id, "config_timezone");
    rv_json_set_str(out, "timezone", tz && *tz ? tz : NULL);
    return rv_http_json(r, HTTP_OK, out);
}
