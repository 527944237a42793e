/* The Reverb panel of an OpenCart order:
 *
 *   GET  admin/orders/#       -> {"reverb": null | {order_numbers, links, status,
 *                                 orders[{order_number, status, link, tracking_number}],
 *                                 shipped{provider, tracking_number, shipped_at} | null,
 *                                 shipped_on_reverb}}
 *   POST admin/orders/#/ship  {provider, tracking_number}
 *                             -> {"shipped": [numbers], "status_refreshed", "reverb": {...}}
 *
 * shipped_on_reverb is true once every Reverb order of the OpenCart order is
 * shipped, picked up or received on Reverb: the panel then hides its form
 * (and offers to send the tracking again). After the tracking is sent, each
 * order is read back from Reverb (rv_order_sync: its status, and the
 * OpenCart status mapped to it, as a webhook would bring them), so the
 * answer carries the status Reverb has now. */
#include "rv_route.h"
#include "rv_orders.h"
#include "rv_json.h"
#include "rv_row_json.h"
#include "rv_order_status.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

/* One Reverb order of the panel, and the last shipment: column tables
 * (core/rv_json.c's rule: SQL NULL is JSON null). */
static const rv_col_t rv_order_cols[] = {
    { "order_number", RV_COL_STR, "reverb_order_number" },
    { "status", RV_COL_STR, "reverb_status" },
    { "tracking_number", RV_COL_STR, "shipped_tracking" },
};
static const rv_col_t rv_shipped_cols[] = {
    { "provider", RV_COL_STR, "shipped_provider" },
    { "tracking_number", RV_COL_STR, "shipped_tracking" },
    { "shipped_at", RV_COL_TIME, NULL },
};

/* The panel's data: 0 with *info (NULL when the order is not from Reverb),
 * -1 on a database error. */
static int rv_order_panel(rv_db_t *db, apr_pool_t *p, long long order_id, json_object **info)
{
    rv_rows_t *rows;
    json_object *nums, *links, *orders;
    int i, last_shipped = -1, all_shipped = 1;
    *info = NULL;
    if (rv_db_query(db, p, &rows,
            "SELECT reverb_order_number, reverb_status, import_state, shipped_provider,"
            " shipped_tracking, DATE_FORMAT(shipped_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS shipped_at"
            " FROM {P}reverb_order_map WHERE order_id > 0 AND order_id = %s"
            " ORDER BY reverb_order_number", RV_ARGS(rv_i64(p, order_id))))
        return -1;
    if (rows->nrows == 0)
        return 0;
    *info = json_object_new_object();
    nums = json_object_new_array();
    links = json_object_new_array();
    orders = json_object_new_array();
    for (i = 0; i < rows->nrows; i++) {
        const char *num = rv_row_get(rows, i, "reverb_order_number");
        const char *link = apr_pstrcat(p, "https://reverb.com/my/selling/orders/", num, NULL);
        json_object *one = json_object_new_object();
        json_object_array_add(nums, json_object_new_string(num));
        json_object_array_add(links, json_object_new_string(link));
        rv_row_json(p, one, rows, i, rv_order_cols, RV_NCOLS(rv_order_cols));
        rv_json_set_str(one, "link", link);
        json_object_array_add(orders, one);
        if (rv_row_get(rows, i, "shipped_tracking"))
            last_shipped = i;
        all_shipped &= rv_order_is_shipped(rv_row_get(rows, i, "reverb_status"));
    }
    json_object_object_add(*info, "order_numbers", nums);
    json_object_object_add(*info, "links", links);
    json_object_object_add(*info, "status", json_object_new_string(
        rv_row_get(rows, 0, "reverb_status") ? rv_row_get(rows, 0, "reverb_status") : ""));
    json_object_object_add(*info, "orders", orders);
    if (last_shipped >= 0) {
        json_object *sh = json_object_new_object();
        rv_row_json(p, sh, rows, last_shipped, rv_shipped_cols, RV_NCOLS(rv_shipped_cols));
        json_object_object_add(*info, "shipped", sh);
    }
    else {
        json_object_object_add(*info, "shipped", NULL);
    }
    json_object_object_add(*info, "shipped_on_reverb", json_object_new_boolean(all_shipped));
    return 0;
}

int rv_route_order_info(rv_req_t *q)
{
    json_object *out, *info;
    if (rv_order_panel(q->db, q->r->pool, q->id, &info))
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The order could not be read.");
    out = json_object_new_object();
    json_object_object_add(out, "reverb", info);
    return rv_http_json(q->r, HTTP_OK, out);
}

static int rv_short_text(json_object *in, const char *key, size_t max, const char **out)
{
    json_object *v;
    size_t i;
    if (!json_object_object_get_ex(in, key, &v) || !json_object_is_type(v, json_type_string))
        return 0;
    *out = json_object_get_string(v);
    if (!**out || strlen(*out) > max)
        return 0;
    for (i = 0; (*out)[i]; i++)
        if ((unsigned char)(*out)[i] < 0x20)
            return 0;
    return 1;
}

/* Reads each shipped order back from Reverb; 1 when every one was read. */
static int rv_order_refresh(rv_ctx_t *c, apr_pool_t *p, json_object *shipped)
{
    size_t i, n = json_object_array_length(shipped);
    int all = 1;
    for (i = 0; i < n; i++) {
        const char *num = json_object_get_string(json_object_array_get_idx(shipped, i));
        rv_order_counts_t counts = { 0, 0, 0, 0 };
        const char *why = NULL;
        if (rv_order_sync(c, p, num, &counts, &why, NULL) != 0) {
            all = 0;
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, c->s, RVLOGNO(0240)
                         "Reverb order #%s: tracking sent, but its new status could not be "
                         "read back: %s", num, why ? why : "unknown reason");
        }
    }
    return all;
}

/* Sends the tracking of Reverb order num (and logs it). 0 sent; else the
 * error answer already given. */
static int rv_ship_one(rv_req_t *q, rv_ctx_t *c, const char *num, const char *provider,
                       const char *tracking, int *answer)
{
    apr_pool_t *p = q->r->pool;
    json_object *body = json_object_new_object();
    rv_api_result_t res;
    rv_log_about_t about = { 0, NULL, NULL, NULL };
    json_object_object_add(body, "provider", json_object_new_string(provider));
    json_object_object_add(body, "tracking_number", json_object_new_string(tracking));
    json_object_object_add(body, "send_notification", json_object_new_boolean(1));
    rv_reverb_call(c, p, "POST", apr_pstrcat(p, "my/orders/selling/", rv_url_escape(p, num),
                                             "/ship", NULL), body, &res);
    json_object_put(body);
    about.order_number = num;
    rv_log_api_call_about(q->db, p, &about, "push", "ship", &res, res.kind != RV_API_OK ? NULL
        : apr_psprintf(p, "Tracking sent for Reverb order #%s: %s %s", num, provider, tracking));
    if (res.kind != RV_API_OK) {
        *answer = rv_http_error(q->r, res.kind == RV_API_RATE_LIMITED ? HTTP_TOO_MANY_REQUESTS
                                                                      : HTTP_BAD_GATEWAY,
            "reverb_error",
            apr_pstrcat(p, "Reverb did not accept the tracking for order #", num, ": ",
                        res.message ? res.message : "error", NULL));
        rv_api_result_clear(&res);
        return -1;
    }
    rv_api_result_clear(&res);
    rv_db_exec(q->db, p, NULL, "UPDATE {P}reverb_order_map SET shipped_provider = %s,"
               " shipped_tracking = %s, shipped_at = NOW() WHERE reverb_order_number = %s",
               RV_ARGS(provider, tracking, num));
    return 0;
}

int rv_route_order_ship(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *out, *shipped, *info;
    const char *provider, *tracking;
    rv_rows_t *rows;
    rv_ctx_t *c;
    int i, refreshed, answer;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (!rv_short_text(in, "provider", 64, &provider) || !rv_short_text(in, "tracking_number", 128, &tracking))
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                             "Give the carrier (provider) and the tracking number.");
    if (rv_db_query(q->db, p, &rows, "SELECT reverb_order_number FROM {P}reverb_order_map"
                    " WHERE order_id > 0 AND order_id = %s ORDER BY reverb_order_number",
                    RV_ARGS(rv_i64(p, q->id))))
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The order could not be read.");
    if (rows->nrows == 0)
        return rv_http_error(q->r, HTTP_NOT_FOUND, "not_found",
                             "This order did not come from Reverb.");
    c = rv_ctx_create(p, q->r->server, q->db, q->settings, NULL);
    if (!c->api)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token in the settings first.");
    shipped = json_object_new_array();
    for (i = 0; i < rows->nrows; i++) {
        if (rv_ship_one(q, c, rows->rows[i][0], provider, tracking, &answer)) {
            json_object_put(shipped);
            return answer;
        }
        json_object_array_add(shipped, json_object_new_string(rows->rows[i][0]));
    }
    refreshed = rv_order_refresh(c, p, shipped);
    out = json_object_new_object();
    json_object_object_add(out, "shipped", shipped);
    json_object_object_add(out, "status_refreshed", json_object_new_boolean(refreshed));
    if (rv_order_panel(q->db, p, q->id, &info) == 0)
        json_object_object_add(out, "reverb", info);
    return rv_http_json(q->r, HTTP_OK, out);
}
