/* The reconcile view: is everything in sync?
 *
 *   POST admin/reconcile              start a run (202; 409 while one runs;
 *                                     400 without a token)
 *   GET  admin/reconcile?kind=&page=&per_page=
 *        -> {"run": {...} | null, "counts": {kind: n}, "findings": [...],
 *            "total", "page", "per_page"}   (the latest run)
 *   POST admin/reconcile/fix          routes/reconcile_fix.c
 *
 * Kinds: price, stock, title, state (the shop's record and Reverb differ),
 * unlinked (a listing with a shop SKU no product is linked to), unsellable
 * (live on Reverb while the product is disabled, not synced or out of
 * stock). Fixes apply the shop's rule: "push" (price, stock, title, state:
 * the product is pushed again, Reverb's state recorded first), "end"
 * (unsellable: the listing is ended on Reverb by a queued job), "link"
 * (unlinked: the product is linked to the listing and synced, then pushed).
 * POSTs need modify permission (the dispatcher checks it); bad input is 400
 * with nothing written. Outcomes are codes; the admin shows them in words
 * from the language file. */
#include "routes/rv_reconcile_routes.h"
#include "rv_products.h"
#include "rv_reconcile.h"
#include "rv_queue.h"
#include "rv_json.h"
#include "rv_row_json.h"
#include "rv_query.h"
#include "rv_shape.h"
#include "rv_oc.h"

#include "http_log.h"
#include "http_protocol.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

#define RV_RC_PER_PAGE_MAX 200

static const char *const rv_rc_kinds[] = { "price", "stock", "title", "state", "unlinked",
                                           "unsellable" };
#define RV_RC_NKINDS (sizeof(rv_rc_kinds) / sizeof(*rv_rc_kinds))

static int rv_rc_start(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *out;
    long long run;
    const char *token = rv_setting(q->settings, "token", NULL);
    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (!token || !*token)
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "no_token",
                             "Enter your Reverb token in the settings first.");
    if (!rv_setting_int(q->settings, "status", 0))    /* the worker would never run it */
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "module_disabled",
                             "The Reverb module is switched off. Switch it on in the settings "
                             "first.");
    switch (rv_reconcile_start(q->db, p, "admin", &run)) {
    case 1:
        return rv_http_error(q->r, HTTP_CONFLICT, "reconcile_running",
                             "A comparison with Reverb is already running. Watch its progress, "
                             "or wait until it ends.");
    case 0:
        break;
    default:
        return rv_rc_db_failed(q);
    }
    out = json_object_new_object();
    json_object_object_add(out, "run", rv_reconcile_run_json(q->db, p, run));
    return rv_http_json(q->r, HTTP_ACCEPTED, out);
}

/* 'kind' (one of rv_rc_kinds, "" for all), 'page' and 'per_page'; NULL
 * when accepted, else the plain-words reason. */
static const char *rv_rc_report_args(rv_req_t *q, const char **kind, long long *page,
                                     long long *per_page)
{
    apr_pool_t *p = q->r->pool;
    const char *args = q->r->args;
    size_t k;
    *kind = args ? rv_query_get(p, args, "kind") : NULL;
    if (*kind && **kind) {
        for (k = 0; k < RV_RC_NKINDS && strcmp(rv_rc_kinds[k], *kind); k++)
            ;
        if (k == RV_RC_NKINDS)
            return "'kind' must be one of price, stock, title, state, unlinked, unsellable.";
    }
    else
        *kind = "";
    if (rv_query_int(p, args, "page", 1, 100000, 1, page)
        || rv_query_int(p, args, "per_page", 1, RV_RC_PER_PAGE_MAX, 50, per_page))
        return "'page' must be a whole number from 1, and 'per_page' from 1 to 200.";
    return NULL;
}

/* The run's findings per kind into counts; *total: those of `kind` ("" all). */
static int rv_rc_counts(rv_req_t *q, const char *run_id, const char *kind, json_object *counts,
                        long long *total)
{
    rv_rows_t *rows;
    int i;
    *total = 0;
    if (rv_db_query(q->db, q->r->pool, &rows, "SELECT kind, COUNT(*) AS n"
                    " FROM {P}reverb_reconcile_finding WHERE run_id = %s GROUP BY kind",
                    RV_ARGS(run_id)))
        return -1;
    for (i = 0; i < rows->nrows; i++) {
        long long n = rv_row_int(rows, i, "n", 0);
        json_object_object_add(counts, rv_row_get(rows, i, "kind"), json_object_new_int64(n));
        if (!*kind || !strcmp(kind, rv_row_get(rows, i, "kind")))
            *total += n;
    }
    return 0;
}

/* a queued push is done when its job is; the product's last error tells how it went */
static int rv_rc_findings_query(rv_req_t *q, const char *run_id, const char *kind,
                                long long page, long long per_page, rv_rows_t **rows)
{
    apr_pool_t *p = q->r->pool;
    return rv_db_query(q->db, p, rows,
            "SELECT f.finding_id, f.kind, f.reason, f.product_id, f.listing_id, f.sku, f.shop_value,"
            " f.reverb_value, f.listing_url, f.fix, f.fix_message, m.last_error,"
            " (SELECT pd.name FROM {P}product_description pd WHERE pd.product_id = f.product_id"
            "   ORDER BY pd.language_id = %s DESC, pd.language_id LIMIT 1) AS product_name,"
            " CASE WHEN f.fix_state = 'queued' AND f.fix IN ('push', 'link') THEN"
            "   IF(" RV_QUEUE_PUSH_LIVE("f.product_id") ", 'queued',"
            "     IF(m.last_error IS NULL, 'done', 'failed'))"
            "  ELSE f.fix_state END AS fix_state"
            " FROM {P}reverb_reconcile_finding f"
            " LEFT JOIN {P}reverb_product_map m ON m.product_id = f.product_id"
            " WHERE f.run_id = %s AND (%s = '' OR f.kind = %s)"
            " ORDER BY FIELD(f.kind, 'unsellable', 'state', 'price', 'stock', 'title', 'unlinked'),"
            " f.finding_id LIMIT %s OFFSET %s",
            RV_ARGS(rv_products_language(q), run_id, kind, kind, rv_i64(p, per_page),
                    rv_i64(p, (page - 1) * per_page)));
}

static const rv_col_t rv_rc_finding_cols[] = {
    { "finding_id", RV_COL_INT, NULL },
    { "kind", RV_COL_STR, NULL },
    { "reason", RV_COL_STR, NULL },
    { "product_id", RV_COL_INT, NULL },
    { "product_name", RV_COL_STR, NULL },
    { "sku", RV_COL_STR, NULL },
    { "listing_id", RV_COL_STR, NULL },
    { "shop_value", RV_COL_STR, NULL },
    { "reverb_value", RV_COL_STR, NULL },
    { "fix", RV_COL_STR, NULL },
    { "fix_state", RV_COL_STR, NULL },
};

static json_object *rv_rc_finding_json(apr_pool_t *p, rv_rows_t *rows, int i)
{
    json_object *f = json_object_new_object();
    const char *state = rv_row_get(rows, i, "fix_state");
    rv_row_json(p, f, rows, i, rv_rc_finding_cols, RV_NCOLS(rv_rc_finding_cols));
    rv_json_set_str(f, "listing_url", rv_listing_link(p, rv_row_get(rows, i, "listing_url"),
                                                      rv_row_get(rows, i, "listing_id")));
    rv_json_set_str(f, "fix_message", state && !strcmp(state, "failed")
                    ? (rv_row_get(rows, i, "fix_message") ? rv_row_get(rows, i, "fix_message")
                                                           : rv_row_get(rows, i, "last_error"))
                    : NULL);
    return f;
}

static int rv_rc_report(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const char *kind, *why, *run_id, *tz;
    long long page, per_page, total = 0;
    json_object *out, *run, *counts, *list;
    rv_rows_t *rows;
    size_t k;
    int i;

    if ((why = rv_rc_report_args(q, &kind, &page, &per_page)))
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "bad_request", why);
    out = json_object_new_object();
    run = rv_reconcile_run_json(q->db, p, 0);
    json_object_object_add(out, "run", run);
    /* times are UTC ("Z"); the admin shows them in the shop's zone */
    tz = rv_oc_config(q->db, p, q->conf->store_id, "config_timezone");
    rv_json_set_str(out, "timezone", tz && *tz ? tz : NULL);
    counts = json_object_new_object();
    list = json_object_new_array();
    json_object_object_add(out, "counts", counts);
    json_object_object_add(out, "findings", list);
    json_object_object_add(out, "page", json_object_new_int64(page));
    json_object_object_add(out, "per_page", json_object_new_int64(per_page));
    for (k = 0; k < RV_RC_NKINDS; k++)
        json_object_object_add(counts, rv_rc_kinds[k], json_object_new_int(0));
    if (!run) {
        json_object_object_add(out, "total", json_object_new_int(0));
        return rv_http_json(q->r, HTTP_OK, out);
    }
    run_id = rv_i64(p, json_object_get_int64(json_object_object_get(run, "run_id")));
    if (rv_rc_counts(q, run_id, kind, counts, &total)) {
        json_object_put(out);
        return rv_rc_db_failed(q);
    }
    json_object_object_add(out, "total", json_object_new_int64(total));
    if (rv_rc_findings_query(q, run_id, kind, page, per_page, &rows)) {
        json_object_put(out);
        return rv_rc_db_failed(q);
    }
    for (i = 0; i < rows->nrows; i++)
        json_object_array_add(list, rv_rc_finding_json(p, rows, i));
    return rv_http_json(q->r, HTTP_OK, out);
}

int rv_route_reconcile(rv_req_t *q)
{
    return q->r->method_number == M_POST ? rv_rc_start(q) : rv_rc_report(q);
}
