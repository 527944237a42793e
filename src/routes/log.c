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

static void add_str(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

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

static json_object *rv_log_entry(apr_pool_t *p, rv_rows_t *rows, int i, const char *zone)
{
    json_object *e = json_object_new_object(), *errs = NULL;
    const char *errors = rv_row_get(rows, i, "errors"), *lid, *mlid, *name;
    const char *dir = rv_row_get(rows, i, "direction"), *act = rv_row_get(rows, i, "action");
    json_object_object_add(e, "log_id", json_object_new_int64(rv_row_int(rows, i, "log_id", 0)));
    if (rv_row_get(rows, i, "product_id"))
        json_object_object_add(e, "product_id",
                               json_object_new_int64(rv_row_int(rows, i, "product_id", 0)));
    else
        json_object_object_add(e, "product_id", NULL);
    name = rv_row_get(rows, i, "product_name");
    add_str(e, "product_name", name ? rv_entity_decode(p, name) : NULL);
    add_str(e, "direction", dir);
    add_str(e, "kind", rv_log_kind(dir, act));
    add_str(e, "status", rv_row_get(rows, i, "status"));
    add_str(e, "action", act);
    add_str(e, "message", rv_row_get(rows, i, "message"));
    add_str(e, "sku", rv_row_get(rows, i, "sku"));
    lid = rv_row_get(rows, i, "reverb_listing_id");
    add_str(e, "reverb_listing_id", lid);
    /* the entry's own listing: none for a push refused before any listing existed (it
     * linked the product's later listing), the map's address only for the same listing */
    mlid = rv_row_get(rows, i, "map_listing_id");
    add_str(e, "listing_url", !lid || !*lid ? NULL
            : rv_listing_link(p, mlid && !strcmp(mlid, lid) ? rv_row_get(rows, i, "listing_url") : NULL, lid));
    add_str(e, "reverb_order_number", rv_row_get(rows, i, "reverb_order_number"));
    json_object_object_add(e, "order_id", rv_row_int(rows, i, "order_id", 0) > 0
        ? json_object_new_int64(rv_row_int(rows, i, "order_id", 0)) : NULL);
    json_object_object_add(e, "http_status", rv_row_get(rows, i, "http_status")
        ? json_object_new_int64(rv_row_int(rows, i, "http_status", 0)) : NULL);
    if (errors)
        errs = rv_json_parse(errors, strlen(errors), NULL);
    json_object_object_add(e, "error_lines", rv_log_error_lines(errs));
    json_object_object_add(e, "errors", errs);
    add_str(e, "created_at", rv_row_get(rows, i, "created_at"));
    add_str(e, "created_local", rv_log_local(p, zone, rv_row_get(rows, i, "created_unix")));
    return e;
}

int rv_route_log(rv_req_t *q)
{
    request_rec *r = q->r;
    apr_pool_t *p = r->pool;
    long long page, per_page, product_id;
    int bad = 0, i;
    const char *status = rv_filter(r, "status", "success", "error", &bad);
    const char *direction = rv_filter(r, "direction", "push", "pull", &bad);
    const char *args = r->args ? r->args : "";
    const char *zone;
    rv_rows_t *rows;
    json_object *out, *entries;
    const char *where = " WHERE (%s = '' OR l.status = %s) AND (%s = '' OR l.direction = %s)"
                        " AND (%s = '0' OR l.product_id = %s)";

    if (rv_query_int(p, args, "page", 1, 1000000, 1, &page)
        || rv_query_int(p, args, "per_page", 1, 200, 25, &per_page)
        || rv_query_int(p, args, "product_id", 0, 1LL << 40, 0, &product_id) || bad)
        return rv_http_error(r, HTTP_BAD_REQUEST, "invalid_request",
            "page and per_page must be positive numbers (per_page at most 200); status is "
            "success or error; direction is push or pull.");
    out = json_object_new_object();
    {
        const char *pidv = rv_i64(p, product_id);
        const char *index = rv_log_index(status, direction, product_id);
        /* counted on an index (MariaDB folds the unset filters away) and
         * at most RV_LOG_COUNT_CAP + 1 entries: a page view never reads a
         * million-row log; "total_capped": there are more than "total" */
        const char *total = rv_db_value(q->db, p,
            apr_pstrcat(p, "SELECT COUNT(*) FROM (SELECT 1 FROM {P}reverb_sync_log l", index, where,
                        " LIMIT " RV_LOG_COUNT_READ ") c", NULL),
            RV_ARGS(status, status, direction, direction, pidv, pidv));
        long long n = total ? apr_atoi64(total) : 0;
        json_object_object_add(out, "total", json_object_new_int64(n > RV_LOG_COUNT_CAP
                                                                   ? RV_LOG_COUNT_CAP : n));
        json_object_object_add(out, "total_capped", json_object_new_boolean(n > RV_LOG_COUNT_CAP));
        if (rv_db_query(q->db, p, &rows, apr_pstrcat(p,
                "SELECT l.log_id, l.product_id, pd.name AS product_name, l.direction, l.status,"
                " l.action, l.message, l.sku, l.reverb_listing_id, m.listing_url,"
                " m.reverb_listing_id AS map_listing_id,"
                " l.reverb_order_number, om.order_id, l.http_status, l.errors,"
                " DATE_FORMAT(l.created_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS created_at,"
                " FLOOR(UNIX_TIMESTAMP(l.created_at)) AS created_unix"
                " FROM {P}reverb_sync_log l", index,
                " LEFT JOIN {P}product_description pd ON pd.product_id = l.product_id"
                "  AND pd.language_id = %s"
                " LEFT JOIN {P}reverb_product_map m ON m.product_id = l.product_id"
                " LEFT JOIN {P}reverb_order_map om"
                "  ON om.reverb_order_number = l.reverb_order_number",
                where, " ORDER BY l.log_id DESC LIMIT %s OFFSET %s", NULL),
                RV_ARGS(rv_products_language(q), status, status, direction, direction, pidv, pidv,
                        rv_i64(p, per_page), rv_i64(p, (page - 1) * per_page)))) {
            json_object_put(out);
            return rv_http_error(r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The sync log could not be read.");
        }
    }
    zone = rv_oc_config(q->db, p, q->conf->store_id, "config_timezone");
    add_str(out, "timezone", zone && *zone ? zone : NULL);
    json_object_object_add(out, "page", json_object_new_int64(page));
    json_object_object_add(out, "per_page", json_object_new_int64(per_page));
    entries = json_object_new_array();
    for (i = 0; i < rows->nrows; i++)
        json_object_array_add(entries, rv_log_entry(p, rows, i, zone));
    json_object_object_add(out, "entries", entries);
    return rv_http_json(r, HTTP_OK, out);
}
