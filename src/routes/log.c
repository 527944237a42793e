/* GET /reverb/admin/log: the sync log, newest first, paged and filtered
 * (status, direction, product_id). Each entry says what it is about
 * ("kind": listing, pull, order, tracking, webhook; core/rv_logview.c), when
 * in the shop's local time ("created_local", config_timezone, as OpenCart
 * shows its own dates; "created_at" stays UTC), Reverb's validation errors
 * as "field: message" lines ("error_lines"), and for an order row the
 * OpenCart order it became ("order_id"). */
#include "rv_route.h"
#include "rv_products.h"
#include "rv_json.h"
#include "rv_row_json.h"
#include "rv_shape.h"
#include "rv_query.h"
#include "rv_text.h"
#include "rv_tz.h"
#include "rv_logview.h"

#include "http_log.h"
#include "http_protocol.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

#define RV_LOG_COUNT_CAP 10000
#define RV_LOG_COUNT_READ "10001"   /* the cap + 1: LIMIT takes no expression */

/* The index that gives each filter's entries in log_id order (secondary
 * indexes end with the primary key). Left to itself MariaDB may intersect
 * two indexes and sort every match to show 20 of them. */
static const char *rv_log_index(const char *status, const char *direction, long long product_id)
{
    if (product_id)
        return " FORCE INDEX (`product`)";
    if (*status && *direction)
        return " FORCE INDEX (`status_direction`)";
    if (*status)
        return " FORCE INDEX (`status`)";
    return *direction ? " FORCE INDEX (`direction`)" : "";
}

static const char *rv_filter(request_rec *r, const char *name, const char *a, const char *b,
                             int *bad)
{
    const char *v = r->args ? rv_query_get(r->pool, r->args, name) : NULL;
    if (!v || !*v)
        return "";
    if (strcmp(v, a) && strcmp(v, b))
        *bad = 1;
    return v;
}

/* "YYYY-MM-DD HH:MM:SS" in the shop's zone for a stored UTC time (Unix
 * seconds); the offset is the one in force then (summer time included).
 * UTC when the zone is unset or unknown, as PHP falls back to UTC. */
static const char *rv_log_local(apr_pool_t *p, const char *zone, const char *unix_s)
{
    long long t;
    long off = 0;
    char buf[RV_TZ_BUF];
    if (!unix_s)
        return NULL;
    t = apr_atoi64(unix_s);
    if (!zone || !*zone || rv_tz_offset(NULL, zone, t, &off))
        off = 0;
    rv_tz_format(t, off, buf);
    return apr_pstrdup(p, buf);
}

/* the entry's stored columns; kind, listing_url, order_id, error_lines,
 * errors and created_local are worked out from them below */
static const rv_col_t rv_log_cols[] = {
    { "log_id", RV_COL_INT, NULL },
    { "product_id", RV_COL_INT, NULL },
    { "product_name", RV_COL_STR | RV_COL_DECODE, NULL },
    { "direction", RV_COL_STR, NULL },
    { "status", RV_COL_STR, NULL },
    { "action", RV_COL_STR, NULL },
    { "message", RV_COL_STR, NULL },
    { "sku", RV_COL_STR, NULL },
    { "reverb_listing_id", RV_COL_STR, NULL },
    { "reverb_order_number", RV_COL_STR, NULL },
    { "http_status", RV_COL_INT, NULL },
    { "created_at", RV_COL_TIME, NULL },
};

static json_object *rv_log_entry(apr_pool_t *p, rv_rows_t *rows, int i, const char *zone)
{
    json_object *e = json_object_new_object(), *errs = NULL;
    const char *errors = rv_row_get(rows, i, "errors"), *mlid;
    const char *lid = rv_row_get(rows, i, "reverb_listing_id");
    rv_row_json(p, e, rows, i, rv_log_cols, RV_NCOLS(rv_log_cols));
    rv_json_set_str(e, "kind", rv_log_kind(rv_row_get(rows, i, "direction"),
                                           rv_row_get(rows, i, "action")));
    /* the entry's own listing: none for a push refused before any listing existed (it
     * linked the product's later listing), the map's address only for the same listing */
    mlid = rv_row_get(rows, i, "map_listing_id");
    rv_json_set_str(e, "listing_url", !lid || !*lid ? NULL
            : rv_listing_link(p, mlid && !strcmp(mlid, lid) ? rv_row_get(rows, i, "listing_url") : NULL, lid));
    json_object_object_add(e, "order_id", rv_row_int(rows, i, "order_id", 0) > 0
        ? json_object_new_int64(rv_row_int(rows, i, "order_id", 0)) : NULL);
    if (errors)
        errs = rv_json_parse(errors, strlen(errors), NULL);
    json_object_object_add(e, "error_lines", rv_log_error_lines(errs));
    json_object_object_add(e, "errors", errs);
    rv_json_set_str(e, "created_local", rv_log_local(p, zone, rv_row_get(rows, i, "created_unix")));
    return e;
}

/* the filters of one page view */
typedef struct {
    const char *status, *direction;     /* "" when not filtered */
    long long page, per_page, product_id;
    const char *pidv, *index;
} rv_log_query_t;

#define RV_LOG_WHERE " WHERE (%s = '' OR l.status = %s) AND (%s = '' OR l.direction = %s)" \
                     " AND (%s = '0' OR l.product_id = %s)"

/* Counted on an index (MariaDB folds the unset filters away) and at most
 * RV_LOG_COUNT_CAP + 1 entries: a page view never reads a million-row log;
 * "total_capped": there are more than "total". */
static void rv_log_total(rv_req_t *q, const rv_log_query_t *f, json_object *out)
{
    apr_pool_t *p = q->r->pool;
    const char *total = rv_db_value(q->db, p,
        apr_pstrcat(p, "SELECT COUNT(*) FROM (SELECT 1 FROM {P}reverb_sync_log l", f->index,
                    RV_LOG_WHERE, " LIMIT " RV_LOG_COUNT_READ ") c", NULL),
        RV_ARGS(f->status, f->status, f->direction, f->direction, f->pidv, f->pidv));
    long long n = total ? apr_atoi64(total) : 0;
    json_object_object_add(out, "total", json_object_new_int64(n > RV_LOG_COUNT_CAP
                                                               ? RV_LOG_COUNT_CAP : n));
    json_object_object_add(out, "total_capped", json_object_new_boolean(n > RV_LOG_COUNT_CAP));
}

static int rv_log_page(rv_req_t *q, const rv_log_query_t *f, rv_rows_t **rows)
{
    apr_pool_t *p = q->r->pool;
    return rv_db_query(q->db, p, rows, apr_pstrcat(p,
        "SELECT l.log_id, l.product_id, pd.name AS product_name, l.direction, l.status,"
        " l.action, l.message, l.sku, l.reverb_listing_id, m.listing_url,"
        " m.reverb_listing_id AS map_listing_id,"
        " l.reverb_order_number, om.order_id, l.http_status, l.errors,"
        " DATE_FORMAT(l.created_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS created_at,"
        " FLOOR(UNIX_TIMESTAMP(l.created_at)) AS created_unix"
        " FROM {P}reverb_sync_log l", f->index,
        " LEFT JOIN {P}product_description pd ON pd.product_id = l.product_id"
        "  AND pd.language_id = %s"
        " LEFT JOIN {P}reverb_product_map m ON m.product_id = l.product_id"
        " LEFT JOIN {P}reverb_order_map om"
        "  ON om.reverb_order_number = l.reverb_order_number",
        RV_LOG_WHERE, " ORDER BY l.log_id DESC LIMIT %s OFFSET %s", NULL),
        RV_ARGS(rv_products_language(q), f->status, f->status, f->direction, f->direction,
                f->pidv, f->pidv, rv_i64(p, f->per_page), rv_i64(p, (f->page - 1) * f->per_page)));
}

int rv_route_log(rv_req_t *q)
{
    request_rec *r = q->r;
    apr_pool_t *p = r->pool;
    int bad = 0, i;
    const char *args = r->args ? r->args : "";
    const char *zone;
    rv_log_query_t f;
    rv_rows_t *rows;
    json_object *out, *entries;

    f.status = rv_filter(r, "status", "success", "error", &bad);
    f.direction = rv_filter(r, "direction", "push", "pull", &bad);
    if (rv_query_int(p, args, "page", 1, 1000000, 1, &f.page)
        || rv_query_int(p, args, "per_page", 1, 200, 25, &f.per_page)
        || rv_query_int(p, args, "product_id", 0, 1LL << 40, 0, &f.product_id) || bad)
        return rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request",
            "page and per_page must be positive numbers (per_page at most 200); status is "
            "success or error; direction is push or pull.");
    f.pidv = rv_i64(p, f.product_id);
    f.index = rv_log_index(f.status, f.direction, f.product_id);
    out = json_object_new_object();
    rv_log_total(q, &f, out);
    if (rv_log_page(q, &f, &rows)) {
        json_object_put(out);
        return rv_http_error(r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The sync log could not be read.");
    }
    zone = rv_oc_config(q->db, p, q->conf->store_id, "config_timezone");
    rv_json_set_str(out, "timezone", zone && *zone ? zone : NULL);
    json_object_object_add(out, "page", json_object_new_int64(f.page));
    json_object_object_add(out, "per_page", json_object_new_int64(f.per_page));
    entries = json_object_new_array();
    for (i = 0; i < rows->nrows; i++)
        json_object_array_add(entries, rv_log_entry(p, rows, i, zone));
    json_object_object_add(out, "entries", entries);
    return rv_http_json(r, HTTP_OK, out);
}
