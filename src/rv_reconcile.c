/* rv_reconcile.c: the reconcile run and its fixes (see rv_reconcile.h). */
#include "rv_reconcile.h"
#include "rv_catalogue_view.h"
#include "rv_map.h"
#include "rv_queue.h"
#include "rv_fault.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_pager.h"
#include "rv_text.h"
#include "core/rv_reconcile.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

#define RV_RC_FIRST_PAGE "my/listings?state=all&per_page=50"
/* pages read per claim of the job; then the queue is given back for a moment */
#define RV_RC_PAGES_PER_CLAIM 10
#define RV_RC_MAX_PAGES 10000
#define RV_RC_SKU_MAX 64
/* the watermark's format (UTC, as every session of the module) */
#define RV_RC_NOW "DATE_FORMAT(NOW(), '%%Y-%%m-%%d %%H:%%i:%%s')"

/* ---- starting ---- */

int rv_reconcile_start(rv_db_t *db, apr_pool_t *p, const char *started_by, long long *run_id)
{
    const char *id;
    *run_id = 0;
    if (rv_db_begin(db))
        return -1;
    /* the meta row serialises starts across processes and servers */
    rv_db_exec(db, p, NULL, "INSERT IGNORE INTO {P}reverb_meta (name, value)"
               " VALUES ('reconcile_last_finished', " RV_RC_NOW ")", RV_NOARGS);
    if (!rv_db_value(db, p, "SELECT name FROM {P}reverb_meta WHERE name = 'reconcile_last_finished'"
                     " FOR UPDATE", RV_NOARGS)) {
        rv_db_rollback(db);
        return -1;
    }
    if ((id = rv_db_value(db, p, "SELECT run_id FROM {P}reverb_reconcile_run WHERE state = 'running'"
                          " ORDER BY run_id DESC LIMIT 1", RV_NOARGS))) {
        int live = rv_queue_is_live(db, p, "reconcile", id);
        if (live != 0) {
            rv_db_rollback(db);
            *run_id = apr_atoi64(id);
            return live < 0 ? -1 : 1;
        }
        /* its job is gone (failed for good, or deleted): it will never finish */
        if (rv_db_exec(db, p, NULL, "UPDATE {P}reverb_reconcile_run SET state = 'failed',"
                       " error = 'It stopped before it finished.', finished_at = NOW(3)"
                       " WHERE run_id = %s", RV_ARGS(id))) {
            rv_db_rollback(db);
            return -1;
        }
    }
    if (rv_db_exec(db, p, NULL, "INSERT INTO {P}reverb_reconcile_run (started_by) VALUES (%s)",
                   RV_ARGS(started_by))
        || !(id = rv_db_last_id(db, p))
        || rv_queue_add(db, p, "reconcile", id, RV_PRIO_BULK, 0)
        || rv_db_commit(db)) {
        rv_db_rollback(db);
        return -1;
    }
    *run_id = apr_atoi64(id);
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, db->s, RVLOGNO(0180) "reconcile run %s started (%s)",
                 id, started_by);
    return 0;
}

int rv_reconcile_cron(rv_db_t *db, apr_pool_t *p, int has_token)
{
    const char *due;
    long long run;
    if (!has_token)
        return 0;
    /* a shop that never ran one counts from its first cron: the first pass
     * is the store owner's button, the weekly ones follow */
    rv_db_exec(db, p, NULL, "INSERT IGNORE INTO {P}reverb_meta (name, value)"
               " VALUES ('reconcile_last_finished', " RV_RC_NOW ")", RV_NOARGS);
    /* a run that failed is not tried again on every cycle: one a day at most */
    due = rv_db_value(db, p, "SELECT 1 FROM {P}reverb_meta WHERE name = 'reconcile_last_finished'"
                      " AND value < DATE_FORMAT(NOW() - INTERVAL "
                      APR_STRINGIFY(RV_RECONCILE_EVERY_DAYS) " DAY, '%%Y-%%m-%%d %%H:%%i:%%s')"
                      " AND NOT EXISTS (SELECT 1 FROM {P}reverb_reconcile_run"
                      "   WHERE started_at > NOW(3) - INTERVAL 1 DAY)", RV_NOARGS);
    if (!due)
        return 0;
    switch (rv_reconcile_start(db, p, "cron", &run)) {
    case 0:  return 1;
    case 1:  return 0;
    default: return -1;
    }
}

json_object *rv_reconcile_run_json(rv_db_t *db, apr_pool_t *p, long long run_id)
{
    rv_rows_t *rows;
    json_object *o;
    const char *total;
    if (rv_db_query(db, p, &rows,
            "SELECT run_id, state, started_by, phase, pages_read, listings_seen, listings_total,"
            " products_checked, findings, error,"
            " DATE_FORMAT(started_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS started_at,"
            " DATE_FORMAT(finished_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS finished_at"
            " FROM {P}reverb_reconcile_run WHERE (%s = '0' OR run_id = %s)"
            " ORDER BY run_id DESC LIMIT 1",
            RV_ARGS(rv_i64(p, run_id), rv_i64(p, run_id))) || rows->nrows == 0)
        return NULL;
    o = json_object_new_object();
    json_object_object_add(o, "run_id", json_object_new_int64(rv_row_int(rows, 0, "run_id", 0)));
    json_object_object_add(o, "state", json_object_new_string(rv_row_get(rows, 0, "state")));
    json_object_object_add(o, "started_by", json_object_new_string(rv_row_get(rows, 0, "started_by")));
    json_object_object_add(o, "phase", json_object_new_string(rv_row_get(rows, 0, "phase")));
    json_object_object_add(o, "pages_read", json_object_new_int64(rv_row_int(rows, 0, "pages_read", 0)));
    json_object_object_add(o, "listings_seen",
                           json_object_new_int64(rv_row_int(rows, 0, "listings_seen", 0)));
    total = rv_row_get(rows, 0, "listings_total");
    json_object_object_add(o, "listings_total", total ? json_object_new_int64(apr_atoi64(total)) : NULL);
    json_object_object_add(o, "products_checked",
                           json_object_new_int64(rv_row_int(rows, 0, "products_checked", 0)));
    json_object_object_add(o, "findings", json_object_new_int64(rv_row_int(rows, 0, "findings", 0)));
    rv_json_set_str(o, "error", rv_row_get(rows, 0, "error"));
    json_object_object_add(o, "started_at", json_object_new_string(rv_row_get(rows, 0, "started_at")));
    rv_json_set_str(o, "finished_at", rv_row_get(rows, 0, "finished_at"));
    return o;
}

/* ---- the run ---- */

static rv_job_result_t rv_rc_result(rv_job_outcome_t outcome, int delay_ms, const char *error)
{
    rv_job_result_t r = { outcome, delay_ms, error };
    return r;
}

static void rv_rc_fail_run(rv_ctx_t *c, apr_pool_t *p, const char *run, const char *why)
{
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_reconcile_run SET state = 'failed', error = %s,"
               " finished_at = NOW(3) WHERE run_id = %s AND state = 'running'", RV_ARGS(why, run));
    ap_log_error(APLOG_MARK, APLOG_WARNING, 0, c->s, RVLOGNO(0182) "reconcile run %s stopped: %s",
                 run, why);
}

/* One page into the run's listings, and the cursor moved, in one transaction. */
static int rv_rc_store_page(rv_ctx_t *c, apr_pool_t *p, const char *run, json_object *ls,
                            const char *next, long long total)
{
    size_t i, n = rv_json_len(ls);
    if (rv_db_begin(c->db))
        return -1;
    for (i = 0; i < n; i++) {
        json_object *l = rv_json_idx(ls, i);
        const char *id = rv_shape_listing_id(p, l), *sku = rv_json_str(l, "sku");
        const char *state = rv_shape_listing_state(l), *url = rv_shape_listing_web(p, l);
        rv_rc_values_t v;
        if (!id)
            continue;
        rv_rc_actual(l, &v);
        if (sku && (strlen(sku) > RV_RC_SKU_MAX || !*sku))
            sku = NULL;                 /* longer than any OpenCart SKU: matches none */
        if (rv_db_exec(c->db, p, NULL,
                "REPLACE INTO {P}reverb_reconcile_listing (run_id, listing_id, sku, state, title,"
                " price, inventory, url) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                RV_ARGS(run, id, sku, state, v.title,
                        v.price && strlen(v.price) <= 32 ? v.price : NULL,
                        v.inventory_set ? rv_i64(p, v.inventory) : NULL, url))) {
            rv_db_rollback(c->db);
            return -1;
        }
    }
    if (rv_db_exec(c->db, p, NULL,
            "UPDATE {P}reverb_reconcile_run SET next_page = %s, phase = IF(%s = '', 'compare', phase),"
            " pages_read = pages_read + 1, listings_total = COALESCE(listings_total, NULLIF(%s, '-1')),"
            " listings_seen = (SELECT COUNT(*) FROM {P}reverb_reconcile_listing WHERE run_id = %s)"
            " WHERE run_id = %s AND state = 'running'",
            RV_ARGS(next, next ? next : "", rv_i64(p, total), run, run))
        || rv_db_commit(c->db)) {
        rv_db_rollback(c->db);
        return -1;
    }
    return 0;
}

typedef struct {
    const char *run;
    long long checked, findings;
} rv_rc_pass_t;

static void rv_rc_add(rv_ctx_t *c, apr_pool_t *p, rv_rc_pass_t *pass, const char *kind,
                      const char *reason, const rv_catalogue_view_t *v, const char *lid,
                      const char *shop, const char *reverb, const char *url, const char *fix)
{
    if (rv_db_exec(c->db, p, NULL,
            "INSERT INTO {P}reverb_reconcile_finding (run_id, kind, reason, product_id, listing_id,"
            " sku, shop_value, reverb_value, listing_url, fix) VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s)",
            RV_ARGS(pass->run, kind, reason, rv_i64(p, v->product_id), lid,
                    v->sku && *v->sku && strlen(v->sku) <= RV_RC_SKU_MAX ? v->sku : NULL,
                    shop, reverb, rv_listing_link(p, url, lid), fix)) == 0)
        pass->findings++;
}

/* One mapped product against its listing. */
static void rv_rc_product(rv_ctx_t *c, apr_pool_t *p, const rv_catalogue_view_t *v, void *baton)
{
    rv_rc_pass_t *pass = baton;
    rv_rows_t *rows;
    const char *state, *why;
    rv_rc_product_t prod = { v->status, v->quantity, v->eligible, v->sync_stock };
    pass->checked++;
    if (!v->has_product || !v->listing_id || !rv_listing_id_ok(v->listing_id))
        return;             /* not on Reverb yet: the SKU pass below looks for it */
    if (rv_db_query(c->db, p, &rows,
            "SELECT state, title, price, inventory, url FROM {P}reverb_reconcile_listing"
            " WHERE run_id = %s AND listing_id = %s", RV_ARGS(pass->run, v->listing_id)))
        return;
    if (rows->nrows == 0) {
        /* ended long ago, deleted, or another seller's: the push finds out */
        if (!v->listing_state || strcmp(v->listing_state, "ended"))
            rv_rc_add(c, p, pass, "state", "missing", v, v->listing_id,
                      v->listing_state ? v->listing_state : "", "", NULL, "push");
        return;
    }
    state = rv_row_get(rows, 0, "state");
    if ((why = rv_rc_unsellable(state, &prod))) {
        rv_rc_add(c, p, pass, "unsellable", why, v, v->listing_id,
                  rv_i64(p, v->quantity), state, rv_row_get(rows, 0, "url"), "end");
        return;
    }
    if (rv_rc_state_differs(v->listing_state, state))
        rv_rc_add(c, p, pass, "state", NULL, v, v->listing_id,
                  v->listing_state ? v->listing_state : "", state, rv_row_get(rows, 0, "url"), "push");
    if (v->eligible && v->body && state && (!strcmp(state, "live") || !strcmp(state, "draft"))) {
        rv_rc_values_t want, have;
        rv_rc_diff_t d[RV_RC_MAX_DIFFS];
        int i, n;
        rv_rc_expected(v->body, &want);
        memset(&have, 0, sizeof(have));
        have.title = rv_row_get(rows, 0, "title");
        have.price = rv_row_get(rows, 0, "price");
        have.inventory_set = rv_row_get(rows, 0, "inventory") != NULL;
        have.inventory = rv_row_int(rows, 0, "inventory", 0);
        n = rv_rc_diff(p, &want, &have, d);
        for (i = 0; i < n; i++)
            rv_rc_add(c, p, pass, d[i].field, NULL, v, v->listing_id, d[i].shop, d[i].reverb,
                      rv_row_get(rows, 0, "url"), "push");
    }
}

/* The comparison takes a while on a big shop: the lease is renewed per batch. */
static void rv_rc_batch_end(rv_ctx_t *c, apr_pool_t *p, void *baton)
{
    rv_rc_pass_t *pass = baton;
    if (c->job && !c->lease_lost && rv_queue_extend(c->db, p, c->job, c->lease_s))
        c->lease_lost = 1;
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_reconcile_run SET products_checked = %s"
               " WHERE run_id = %s", RV_ARGS(rv_i64(p, pass->checked), pass->run));
}

/* Listings with a shop product's SKU that no product is linked to. */
static int rv_rc_unlinked(rv_ctx_t *c, apr_pool_t *p, rv_rc_pass_t *pass)
{
    rv_rows_t *rows;
    int i, sync_stock = rv_setting_field_on(c->settings, "stock");
    if (rv_db_query(c->db, p, &rows,
            "SELECT l.listing_id, l.sku, l.state, l.title, l.url, p.product_id, p.status, p.quantity"
            " FROM {P}reverb_reconcile_listing l"
            " JOIN {P}product p ON p.product_id = (SELECT MIN(p2.product_id) FROM {P}product p2"
            "   WHERE p2.sku = l.sku)"
            " LEFT JOIN {P}reverb_product_map m ON m.product_id = p.product_id"
            " WHERE l.run_id = %s AND l.sku IS NOT NULL AND l.sku <> ''"
            /* ended and sold listings are history: only what is or may go for sale */
            "   AND (l.state IS NULL OR l.state IN ('live', 'draft'))"
            "   AND (m.reverb_listing_id IS NULL OR m.reverb_listing_id = '')"
            "   AND NOT EXISTS (SELECT 1 FROM {P}reverb_product_map m2"
            "     WHERE m2.reverb_listing_id = l.listing_id)"
            " ORDER BY l.listing_id", RV_ARGS(pass->run)))
        return -1;
    for (i = 0; i < rows->nrows; i++) {
        rv_catalogue_view_t v;
        rv_rc_product_t prod;
        const char *why;
        memset(&v, 0, sizeof(v));
        v.product_id = rv_row_int(rows, i, "product_id", 0);
        v.sku = rv_row_get(rows, i, "sku");
        prod.status = (int)rv_row_int(rows, i, "status", 0);
        prod.quantity = rv_row_int(rows, i, "quantity", 0);
        prod.synced = 1;        /* not linked yet: only the shop's stock and status count */
        prod.sync_stock = sync_stock;
        why = rv_rc_unsellable(rv_row_get(rows, i, "state"), &prod);
        rv_rc_add(c, p, pass, why ? "unsellable" : "unlinked", why, &v,
                  rv_row_get(rows, i, "listing_id"), why ? rv_i64(p, prod.quantity) : v.sku,
                  why ? rv_row_get(rows, i, "state") : rv_row_get(rows, i, "title"),
                  rv_row_get(rows, i, "url"), why ? "end" : "link");
    }
    return 0;
}

static rv_job_result_t rv_rc_compare(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_rc_pass_t pass = { job->ref, 0, 0 };
    /* a comparison taken over from a dead process starts over */
    if (rv_db_exec(c->db, p, NULL, "DELETE FROM {P}reverb_reconcile_finding WHERE run_id = %s",
                   RV_ARGS(job->ref))
        || rv_catalogue_view_each(c, p, rv_rc_product, rv_rc_batch_end, &pass))
        return rv_rc_result(RV_JOB_RETRY, 5000, "database error while comparing the products");
    if (c->lease_lost)
        return rv_rc_result(RV_JOB_DEFER, 1000, "taken over by another process");
    if (rv_rc_unlinked(c, p, &pass))
        return rv_rc_result(RV_JOB_RETRY, 5000, "database error while matching SKUs");
    if (rv_db_begin(c->db)
        || rv_db_exec(c->db, p, NULL,
            "UPDATE {P}reverb_reconcile_run SET state = 'finished', phase = 'done',"
            " products_checked = %s, findings = %s, finished_at = NOW(3)"
            " WHERE run_id = %s AND state = 'running'",
            RV_ARGS(rv_i64(p, pass.checked), rv_i64(p, pass.findings), job->ref))
        || rv_db_exec(c->db, p, NULL,
            "INSERT INTO {P}reverb_meta (name, value) VALUES ('reconcile_last_finished', "
            RV_RC_NOW ")"
            " ON DUPLICATE KEY UPDATE value = VALUES(value)", RV_NOARGS)
        /* only the latest run's listings are kept (the findings stay) */
        || rv_db_exec(c->db, p, NULL, "DELETE FROM {P}reverb_reconcile_listing WHERE run_id < %s",
                      RV_ARGS(job->ref))
        || rv_db_commit(c->db)) {
        rv_db_rollback(c->db);
        return rv_rc_result(RV_JOB_RETRY, 5000, "database error while finishing the run");
    }
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0181) "reconcile run %s finished: "
                 "%" APR_INT64_T_FMT " products compared, %" APR_INT64_T_FMT " differences found", job->ref,
                 (apr_int64_t)pass.checked, (apr_int64_t)pass.findings);
    return rv_rc_result(RV_JOB_DONE, 0, NULL);
}

/* One page of the seller's listings read (the shared page step) and stored:
 * 0 (*next: the page after it, NULL at the end), or 1 with *out what the
 * job returns now. The run's own loop (rv_reconcile_job) keeps the cursor
 * in reverb_reconcile_run between claims, so it does not use rv_pages_each. */
static int rv_rc_read_page(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job, const char *path,
                           const char **next, rv_job_result_t *out)
{
    rv_page_t pg;
    long long total = -1;
    *next = NULL;
    if (rv_page_get(c, p, path, "listings", &pg) != RV_API_OK) {
        rv_job_result_t r;
        if (pg.bad)             /* a 2xx of the wrong shape: tried again */
            pg.res.message = apr_pstrcat(p, "Reverb's list of listings could not be read: ",
                                         pg.bad, NULL);
        r = rv_job_from_api(job, &pg.res);
        if (r.outcome == RV_JOB_FAIL)
            rv_rc_fail_run(c, p, job->ref, pg.res.message ? pg.res.message
                                                          : "Reverb did not answer.");
        else if (c->lease_lost)
            r = rv_rc_result(RV_JOB_DEFER, 1000, "taken over by another process");
        r.error = pg.res.message ? apr_pstrdup(p, pg.res.message) : "Reverb request failed";
        rv_api_result_clear(&pg.res);
        *out = r;
        return 1;
    }
    *next = pg.next;
    rv_json_int(pg.res.json, "total", &total);
    if (rv_rc_store_page(c, p, job->ref, pg.items, *next, total)) {
        rv_api_result_clear(&pg.res);
        *out = rv_rc_result(RV_JOB_RETRY, 5000, "database error while storing listings");
        return 1;
    }
    rv_api_result_clear(&pg.res);
    return 0;
}

rv_job_result_t rv_reconcile_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_rows_t *rows;
    const char *path, *phase;
    int pages = 0;

    if (rv_db_query(c->db, p, &rows, "SELECT state, phase, next_page, pages_read"
                    " FROM {P}reverb_reconcile_run WHERE run_id = %s", RV_ARGS(job->ref)))
        return rv_rc_result(RV_JOB_RETRY, 5000, "database error while reading the run");
    if (rows->nrows == 0 || strcmp(rv_row_get(rows, 0, "state"), "running"))
        return rv_rc_result(RV_JOB_DONE, 0, NULL);
    if (!c->api) {
        rv_rc_fail_run(c, p, job->ref, "No Reverb token is set.");
        return rv_rc_result(RV_JOB_DONE, 0, NULL);
    }
    phase = rv_row_get(rows, 0, "phase");
    /* the cursor: where the last stored page said to go on */
    path = rv_row_get(rows, 0, "next_page");
    if (!path && rv_row_int(rows, 0, "pages_read", 0) == 0)
        path = RV_RC_FIRST_PAGE;
    while (!strcmp(phase, "listings") && path) {
        const char *next;
        rv_job_result_t r;
        if (pages == RV_RC_PAGES_PER_CLAIM)     /* other work may run; this goes on after it */
            return rv_rc_result(RV_JOB_DEFER, 0, "reading the seller's listings (continues)");
        if (rv_row_int(rows, 0, "pages_read", 0) + pages >= RV_RC_MAX_PAGES) {
            rv_rc_fail_run(c, p, job->ref, "Reverb kept answering with more pages.");
            return rv_rc_result(RV_JOB_DONE, 0, NULL);
        }
        if (rv_rc_read_page(c, p, job, path, &next, &r))
            return r;
        rv_fault_point("reconcile:after-page");
        path = next;
        pages++;
        if (!path)
            phase = "compare";
    }
    if (!path && !strcmp(phase, "listings"))
        phase = "compare";  /* defensive: a cursor lost with pages read */
    return rv_rc_compare(c, p, job);
}

/* ---- the "end" fix ---- */

rv_job_result_t rv_reconcile_end_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_rows_t *rows;
    rv_api_result_t res;
    rv_log_about_t about = { 0, NULL, NULL, NULL };
    json_object *body;
    const char *lid, *pid, *msg;
    if (rv_db_query(c->db, p, &rows, "SELECT listing_id, product_id, sku FROM"
                    " {P}reverb_reconcile_finding WHERE finding_id = %s AND fix = 'end'",
                    RV_ARGS(job->ref)))
        return rv_rc_result(RV_JOB_RETRY, 5000, "database error while reading the finding");
    if (rows->nrows == 0 || !(lid = rv_row_get(rows, 0, "listing_id")) || !rv_listing_id_ok(lid))
        return rv_rc_result(RV_JOB_DONE, 0, NULL);
    pid = rv_row_get(rows, 0, "product_id");
    about.product_id = pid ? apr_atoi64(pid) : 0;
    about.sku = rv_row_get(rows, 0, "sku");
    about.listing_id = lid;
    body = json_object_new_object();
    json_object_object_add(body, "reason", json_object_new_string("not_sold"));
    rv_reverb_call(c, p, "PUT", apr_pstrcat(p, "my/listings/", lid, "/state/end", NULL), body, &res);
    json_object_put(body);
    if (res.kind != RV_API_OK && res.kind != RV_API_NOT_FOUND) {
        rv_job_result_t r = rv_job_from_api(job, &res);
        if (r.outcome != RV_JOB_DEFER)
            rv_log_api_call_about(c->db, p, &about, "push", "end", &res,
                apr_pstrcat(p, "Reconcile: the listing could not be ended: ",
                            res.message ? res.message : "Reverb request failed", NULL));
        if (r.outcome == RV_JOB_FAIL)
            rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_reconcile_finding SET fix_state = 'failed',"
                       " fix_message = %s WHERE finding_id = %s",
                       RV_ARGS(res.message ? res.message : "Reverb request failed", job->ref));
        r.error = res.message ? apr_pstrdup(p, res.message) : "Reverb request failed";
        rv_api_result_clear(&res);
        return r;
    }
    msg = res.kind == RV_API_OK ? "Reconcile: listing ended on Reverb"
                                : "Reconcile: the listing was already gone on Reverb";
    rv_api_result_clear(&res);
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_reconcile_finding SET fix_state = 'done',"
               " fix_message = NULL WHERE finding_id = %s", RV_ARGS(job->ref));
    rv_map_set_ended_by_listing(c->db, p, lid);
    rv_log_note_about(c->db, p, &about, "push", "end", 1, msg, NULL);
    return rv_rc_result(RV_JOB_DONE, 0, NULL);
}
