/* GET/POST admin/product/#: the product tab (the product's Reverb settings
 * and listing state); a POST saves them and queues a push. */
#include "rv_route.h"
#include "rv_language.h"
#include "rv_queue.h"
#include "rv_map.h"
#include "rv_json.h"
#include "rv_row_json.h"
#include "rv_shape.h"
#include "rv_query.h"
#include "rv_text.h"
#include "routes/rv_listing_routes.h"

#include "http_protocol.h"
#include "apr_strings.h"

/* the panel's members, in the order the tab has always received them (the
 * three flags are never NULL: COALESCE gives the defaults) */
static const rv_col_t rv_panel_cols[] = {
    { "product_id", RV_COL_INT, NULL },
    { "name", RV_COL_STR | RV_COL_DECODE, NULL },     /* OpenCart stores names HTML-escaped */
    { "sku", RV_COL_STR, NULL },
    { "sync_enabled", RV_COL_INT, NULL },
    { "condition_uuid", RV_COL_STR, NULL },
    { "category_uuid", RV_COL_STR, "reverb_category_uuid" },
    { "handmade", RV_COL_INT, NULL },
    { "upc_does_not_apply", RV_COL_INT, NULL },
    { "listing_id", RV_COL_STR, "reverb_listing_id" },
    { "listing_state", RV_COL_STR, NULL },
};
static const rv_col_t rv_panel_cols_after[] = {        /* after listing_url */
    { "last_synced_at", RV_COL_TIME, NULL },
    { "last_error", RV_COL_STR, NULL },
};

static json_object *rv_product_panel(rv_req_t *q, const char *pid)
{
    rv_rows_t *rows;
    json_object *o;
    if (rv_db_query(q->db, q->r->pool, &rows,
            "SELECT p.product_id, pd.name, p.sku, COALESCE(m.sync_enabled, 0) AS sync_enabled,"
            " m.condition_uuid, m.reverb_category_uuid, COALESCE(m.handmade, 0) AS handmade,"
            " COALESCE(m.upc_does_not_apply, 1) AS upc_does_not_apply, m.reverb_listing_id,"
            " m.listing_state, m.listing_url,"
            " DATE_FORMAT(m.last_synced_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS last_synced_at,"
            " m.last_error FROM {P}product p"
            " LEFT JOIN {P}product_description pd ON pd.product_id = p.product_id"
            "  AND pd.language_id = %s"
            " LEFT JOIN {P}reverb_product_map m ON m.product_id = p.product_id"
            " WHERE p.product_id = %s",
            RV_ARGS(rv_language_admin(q->db, q->r->pool, q->conf->store_id), pid)) || rows->nrows == 0)
        return NULL;
    o = json_object_new_object();
    rv_row_json(q->r->pool, o, rows, 0, rv_panel_cols, RV_NCOLS(rv_panel_cols));
    rv_json_set_str(o, "listing_url", rv_listing_link(q->r->pool, rv_row_get(rows, 0, "listing_url"),
                                                      rv_row_get(rows, 0, "reverb_listing_id")));
    rv_row_json(q->r->pool, o, rows, 0, rv_panel_cols_after, RV_NCOLS(rv_panel_cols_after));
    rv_product_options_json(q, pid, o);     /* shipping profile, local pickup, offers */
    return o;
}

static const char *rv_flag_field(json_object *in, const char *key, const char *dflt, int *bad)
{
    json_object *v;
    if (!json_object_object_get_ex(in, key, &v))
        return dflt;
    if (json_object_is_type(v, json_type_boolean))
        return json_object_get_boolean(v) ? "1" : "0";
    if (json_object_is_type(v, json_type_int) && (json_object_get_int(v) == 0 || json_object_get_int(v) == 1))
        return json_object_get_int(v) ? "1" : "0";
    if (json_object_is_type(v, json_type_string)
        && (!strcmp(json_object_get_string(v), "0") || !strcmp(json_object_get_string(v), "1")))
        return json_object_get_string(v);
    *bad = 1;
    return dflt;
}

static const char *rv_uuid_field(json_object *in, const char *key, const char *dflt, int *bad)
{
    json_object *v;
    const char *s;
    if (!json_object_object_get_ex(in, key, &v))
        return dflt;
    if (!v)
        return "";
    if (!json_object_is_type(v, json_type_string)) {
        *bad = 1;
        return dflt;
    }
    s = json_object_get_string(v);
    if (*s && !rv_uuid_valid(s))
        *bad = 1;
    return s;
}

static int rv_product_save(rv_req_t *q, const char *pid, json_object *in, json_object *cur)
{
    int bad = 0;
    const char *sync = rv_flag_field(in, "sync_enabled",
        json_object_get_string(json_object_object_get(cur, "sync_enabled")), &bad);
    const char *hand = rv_flag_field(in, "handmade",
        json_object_get_string(json_object_object_get(cur, "handmade")), &bad);
    const char *upc = rv_flag_field(in, "upc_does_not_apply",
        json_object_get_string(json_object_object_get(cur, "upc_does_not_apply")), &bad);
    const char *cond = rv_uuid_field(in, "condition_uuid",
        rv_json_str(cur, "condition_uuid"), &bad);
    const char *cat = rv_uuid_field(in, "category_uuid", rv_json_str(cur, "category_uuid"), &bad);
    rv_product_options_t opts;
    const char *why = rv_product_options_parse(q->r->pool, in, &opts);
    if (why)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request", why);
    if (bad)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
            "sync_enabled, handmade and upc_does_not_apply must be 0 or 1; "
            "condition_uuid and category_uuid must be Reverb ids.");
    {
        static const char *const keys[] = { "sync_enabled", "handmade", "upc_does_not_apply",
                                             "condition_uuid", "reverb_category_uuid" };
        const char *vals[] = { sync, hand, upc, cond && *cond ? cond : NULL,
                               cat && *cat ? cat : NULL };
        if (rv_map_set_flags_many(q->db, q->r->pool, apr_pstrcat(q->r->pool, "[", pid, "]", NULL),
                                  keys, vals, 5)
            || rv_product_options_save(q, pid, &opts))
            return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The product settings could not be saved.");
    }
    /* the worker decides: create/update when on, end the listing when off */
    rv_queue_add(q->db, q->r->pool, "push", pid, RV_PRIO_NORMAL, 0);
    return DECLINED;
}

int rv_route_product(rv_req_t *q)
{
    const char *pid = rv_i64(q->r->pool, q->id);
    json_object *cur = rv_product_panel(q, pid), *out;
    if (!cur)
        return rv_http_error(q->r, HTTP_NOT_FOUND, "not_found", "No such product.");
    if (q->r->method_number == M_POST) {
        json_object *in;
        int rc;
        if (rv_http_read_json_object(q->r, &in)) {
            json_object_put(cur);
            return OK;
        }
        rc = rv_product_save(q, pid, in, cur);
        json_object_put(cur);
        if (rc != DECLINED)
            return rc;
        cur = rv_product_panel(q, pid);
    }
    out = json_object_new_object();
    json_object_object_add(out, "product", cur);
    {   /* the tab shows the last sync in the shop's time zone, as the grid does */
        const char *tz = rv_oc_config(q->db, q->r->pool, q->conf->store_id, "config_timezone");
        rv_json_set_str(out, "timezone", tz && *tz ? tz : NULL);
    }
    return rv_http_json(q->r, HTTP_OK, out);
}
