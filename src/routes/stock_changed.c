/* POST /reverb/stock-changed: OpenCart says that these products' stock just
 * moved (a storefront checkout, an admin order, a status change that
 * subtracts or restocks). Sent by the module's catalog-side PHP event,
 * server to server, with the cron key (X-Reverb-Cron-Key header).
 *
 * Body: {"product_ids": [positive integers, at most RV_STOCK_EVENT_MAX]}.
 * Every listed product that is mapped with sync on gets a push at order
 * priority, without waiting for cron; whether Reverb needs a request is
 * still decided by the push itself (content hashes), so a hint for an
 * unchanged product costs no Reverb request. Unknown or disabled products
 * are ignored (cron's content scan stays the safety net for every other
 * way stock can change). */
#include "rv_route.h"
#include "rv_change.h"
#include "rv_queue.h"
#include "rv_json.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

#define RV_STOCK_EVENT_MAX 1000

int rv_route_stock_changed(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *ids, *clean, *out;
    rv_rows_t *rows;
    size_t i, n;
    int queued = 0;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (!json_object_object_get_ex(in, "product_ids", &ids)
        || !json_object_is_type(ids, json_type_array))
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                             "'product_ids' must be a list of product ids.");
    n = json_object_array_length(ids);
    if (n > RV_STOCK_EVENT_MAX)
        return rv_http_error(q->r, HTTP_REQUEST_ENTITY_TOO_LARGE, "too_many_products",
                             apr_psprintf(p, "At most %d products per call.", RV_STOCK_EVENT_MAX));
    clean = json_object_new_array();
    for (i = 0; i < n; i++) {
        long long id;
        if (rv_json_as_int(json_object_array_get_idx(ids, i), &id) || id <= 0 || id > 2147483647LL) {
            json_object_put(clean);
            return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                                 "'product_ids' must be a list of product ids.");
        }
        json_object_array_add(clean, json_object_new_int64(id));
    }
    /* one statement for the whole list: the ids travel as one JSON value */
    if (rv_db_query(q->db, p, &rows,
            "SELECT m.product_id FROM {P}reverb_product_map m"
            " JOIN JSON_TABLE(%s, '$[*]' COLUMNS (id BIGINT PATH '$')) j ON j.id = m.product_id"
            " WHERE m.sync_enabled = 1 GROUP BY m.product_id",
            RV_ARGS(rv_json_dump(p, clean)))) {
        json_object_put(clean);
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The products could not be queued (database error).");
    }
    json_object_put(clean);
    for (i = 0; i < (size_t)rows->nrows; i++) {
        if (rv_change_enqueue_product(q->db, p, rv_row_int(rows, (int)i, "product_id", 0),
                                    RV_PRIO_ORDER))
            return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The products could not be queued (database error).");
        queued++;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, q->r,
                  RVLOGNO(0029) "stock changed for %d product(s); %d queued", (int)n, queued);
    out = json_object_new_object();
    json_object_object_add(out, "received", json_object_new_int((int)n));
    json_object_object_add(out, "queued", json_object_new_int(queued));
    return rv_http_json(q->r, HTTP_ACCEPTED, out);
}
