/* POST admin/reconcile/fix {"finding_ids": [...]}
 *   -> {"results": [{"finding_id", "outcome"}], "queued", "linked"}
 * Applies the shop's rule to each chosen difference of the latest
 * comparison (routes/reconcile.c lists them): "push" (price, stock, title,
 * state: the product is pushed again, Reverb's state recorded first),
 * "end" (unsellable: the listing is ended on Reverb by a queued job),
 * "link" (unlinked: the product is linked to the listing and synced, then
 * pushed). Bad input is 400 with nothing written. */
#include "routes/rv_reconcile_routes.h"
#include "rv_products.h"
#include "rv_reconcile.h"
#include "rv_map.h"
#include "rv_queue.h"
#include "rv_change.h"
#include "rv_json.h"
#include "rv_row_json.h"
#include "rv_query.h"
#include "rv_shape.h"
#include "rv_oc.h"

#include "http_log.h"
#include "http_protocol.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

#define RV_RC_FIX_MAX 500

/* "[1,2,3]" from finding_ids, validated; NULL with *err. */
static const char *rv_rc_ids(apr_pool_t *p, json_object *in, size_t *count, const char **err)
{
    json_object *ids = json_object_is_type(in, json_type_object)
                     ? json_object_object_get(in, "finding_ids") : NULL;
    const char *text;
    size_t n;
    *err = "'finding_ids' must be a list of 1 to 500 finding ids.";
    if (!ids || !json_object_is_type(ids, json_type_array))
        return NULL;
    n = json_object_array_length(ids);
    if (n == 0 || n > RV_RC_FIX_MAX || !(text = rv_json_id_list(p, ids)))
        return NULL;
    *count = n;
    return text;
}

static const char *rv_rc_push(rv_req_t *q, apr_pool_t *p, rv_rows_t *rows, int i)
{
    const char *pid = rv_row_get(rows, i, "product_id");
    const char *kind = rv_row_get(rows, i, "kind"), *now = rv_row_get(rows, i, "reverb_value");
    if (!pid)
        return NULL;
    /* the push compares with what it last sent: forget that, so it sends
     * again; a state found on Reverb is recorded first, so the push relists
     * an ended listing or ends one the shop no longer sells */
    if (rv_map_forget_push(q->db, p, apr_atoi64(pid), kind && !strcmp(kind, "state") ? now : NULL)
        || rv_change_enqueue_product(q->db, p, apr_atoi64(pid), RV_PRIO_NOW))
        return NULL;
    return "push_queued";
}

static const char *rv_rc_link(rv_req_t *q, apr_pool_t *p, rv_rows_t *rows, int i,
                              const char **state)
{
    const char *pid = rv_row_get(rows, i, "product_id"), *lid = rv_row_get(rows, i, "listing_id");
    const char *lstate, *url;
    rv_rows_t *l;
    *state = "failed";
    if (!pid || !lid || !rv_listing_id_ok(lid))
        return "link_conflict";
    if (rv_db_value(q->db, p, "SELECT 1 FROM {P}reverb_product_map WHERE (product_id = %s"
                    " AND reverb_listing_id IS NOT NULL AND reverb_listing_id <> '')"
                    " OR reverb_listing_id = %s LIMIT 1", RV_ARGS(pid, lid)))
        return "link_conflict";     /* linked meanwhile, to this or another listing */
    if (rv_db_query(q->db, p, &l, "SELECT state, url FROM {P}reverb_reconcile_listing"
                    " WHERE listing_id = %s ORDER BY run_id DESC LIMIT 1", RV_ARGS(lid)))
        return NULL;
    lstate = l->nrows ? rv_row_get(l, 0, "state") : NULL;
    url = l->nrows ? rv_listing_link(p, rv_row_get(l, 0, "url"), lid) : NULL;
    if (rv_map_link_listing(q->db, p, apr_atoi64(pid), lid, lstate, url)
        || rv_change_enqueue_product(q->db, p, apr_atoi64(pid), RV_PRIO_NOW))
        return NULL;
    *state = "queued";
    return "linked";
}

/* Locks the findings named by ids. DECLINED with *rows when every id is a
 * finding (duplicates count once), else the answer sent. */
static int rv_rc_fix_lock(rv_req_t *q, const char *ids, rv_rows_t **rows)
{
    apr_pool_t *p = q->r->pool;
    const char *distinct;
    if (rv_db_begin(q->db))
        return rv_rc_db_failed(q);
    if (rv_db_query(q->db, p, rows,
            "SELECT f.finding_id, f.kind, f.fix, f.fix_state, f.product_id, f.listing_id,"
            " f.reverb_value FROM {P}reverb_reconcile_finding f"
            " WHERE f.finding_id IN (SELECT j.id FROM JSON_TABLE(%s, '$[*]'"
            "   COLUMNS (id BIGINT PATH '$')) j) ORDER BY f.finding_id FOR UPDATE", RV_ARGS(ids)))
        return rv_rc_db_failed(q);
    distinct = rv_db_value(q->db, p, "SELECT COUNT(DISTINCT j.id) FROM"
        " JSON_TABLE(%s, '$[*]' COLUMNS (id BIGINT PATH '$')) j", RV_ARGS(ids));
    if (!distinct)
        return rv_rc_db_failed(q);
    if (apr_atoi64(distinct) != (*rows)->nrows) {
        rv_db_rollback(q->db);
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "not_found",
                             "Some of these differences are not known (a newer comparison "
                             "may have replaced them). Reload the report and try again.");
    }
    return DECLINED;
}

/* Applies row i's fix; the outcome code, or NULL on a database error.
 * *state: the finding's new fix_state. */
static const char *rv_rc_fix_apply(rv_req_t *q, rv_rows_t *rows, int i, const char **state)
{
    apr_pool_t *p = q->r->pool;
    const char *fix = rv_row_get(rows, i, "fix"), *was = rv_row_get(rows, i, "fix_state");
    *state = "queued";
    if (was && (!strcmp(was, "queued") || !strcmp(was, "done")))
        return "already";
    if (!strcmp(fix, "push"))
        return rv_rc_push(q, p, rows, i);
    if (!strcmp(fix, "link"))
        return rv_rc_link(q, p, rows, i, state);
    if (!strcmp(fix, "end"))
        return rv_queue_add(q->db, p, "reconcile_end", rv_row_get(rows, i, "finding_id"),
                            RV_PRIO_NOW, 0) ? NULL : "end_queued";
    return "already";
}

/* Records the outcome on the finding (and, for a push, on the product's
 * other push findings of the run). 0, or -1 on a database error. */
static int rv_rc_fix_record(rv_req_t *q, const char *id, const char *outcome, const char *state)
{
    apr_pool_t *p = q->r->pool;
    if (rv_db_exec(q->db, p, NULL, "UPDATE {P}reverb_reconcile_finding SET fix_state = %s,"
                   " fix_message = %s, fixed_at = NOW(3) WHERE finding_id = %s",
                   RV_ARGS(state, strcmp(outcome, "link_conflict") ? NULL
                           : "The product or the listing is linked already.", id)))
        return -1;
    /* one push sends all the shop's values: the product's other differences of
     * this comparison that a push fixes are fixed by it too, not left offering it */
    if (!strcmp(outcome, "push_queued")
        && rv_db_exec(q->db, p, NULL, "UPDATE {P}reverb_reconcile_finding f"
                      " JOIN {P}reverb_reconcile_finding o ON o.finding_id = %s"
                      " SET f.fix_state = 'queued', f.fixed_at = NOW(3)"
                      " WHERE f.run_id = o.run_id AND f.product_id = o.product_id"
                      " AND f.fix = 'push' AND f.finding_id <> o.finding_id"
                      " AND (f.fix_state IS NULL OR f.fix_state NOT IN ('queued', 'done'))",
                      RV_ARGS(id)))
        return -1;
    return 0;
}

int rv_route_reconcile_fix(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *out, *results;
    const char *ids, *err;
    size_t n = 0;
    rv_rows_t *rows;
    int i, rc, queued = 0, linked = 0;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (!(ids = rv_rc_ids(p, in, &n, &err)))
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "bad_request", err);
    if ((rc = rv_rc_fix_lock(q, ids, &rows)) != DECLINED)
        return rc;
    results = json_object_new_array();
    for (i = 0; i < rows->nrows; i++) {
        const char *id = rv_row_get(rows, i, "finding_id"), *state;
        const char *outcome = rv_rc_fix_apply(q, rows, i, &state);
        json_object *r;
        if (!outcome || (strcmp(outcome, "already") && rv_rc_fix_record(q, id, outcome, state))) {
            json_object_put(results);
            return rv_rc_db_failed(q);
        }
        if (!strcmp(outcome, "linked"))
            linked++;
        else if (strcmp(outcome, "link_conflict") && strcmp(outcome, "already"))
            queued++;
        r = json_object_new_object();
        json_object_object_add(r, "finding_id", json_object_new_int64(apr_atoi64(id)));
        json_object_object_add(r, "outcome", json_object_new_string(outcome));
        json_object_array_add(results, r);
    }
    if (rv_db_commit(q->db)) {
        json_object_put(results);
        return rv_rc_db_failed(q);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, RVLOGNO(0184) "reconcile fixes by user %s: "
                  "%d findings, %d queued, %d linked", rv_i64(p, q->user_id), rows->nrows, queued,
                  linked);
    out = json_object_new_object();
    json_object_object_add(out, "results", results);
    json_object_object_add(out, "queued", json_object_new_int(queued));
    json_object_object_add(out, "linked", json_object_new_int(linked));
    return rv_http_json(q->r, HTTP_OK, out);
}
