/* rv_pull.c: both-ways mode: price, stock and description edits made on
 * Reverb flow into OpenCart by a three-way merge against the values both
 * sides last agreed on (reverb_product_map.synced_*), see rv_merge.h.
 *
 * - One-way mode never writes product fields (only the listing state).
 * - Stock merges as deltas; Reverb sales already imported as orders since
 *   the last sync are not subtracted twice.
 * - A conflict keeps OpenCart's value (pushed next) and is logged.
 * - After a pull the merged values become the new base, and when Reverb
 *   already holds them the push hash is refreshed too, so the pulled
 *   change never comes back as a push (no ping-pong).
 * - A description is only rewritten when its plain text really changed. */
#include "rv_jobs.h"
#include "rv_push.h"
#include "rv_queue.h"
#include "rv_merge.h"
#include "rv_json.h"
#include "rv_text.h"

#include "http_log.h"
#include "apr_strings.h"
#include <stdlib.h>

APLOG_USE_MODULE(reverb);

typedef struct {
    const char *product_id, *base_price, *base_desc, *price, *special, *desc, *language_id;
    long long base_qty, qty, sold_imported;
    int has_base_qty;
} rv_pull_row_t;

static int rv_pull_load(rv_ctx_t *c, apr_pool_t *p, const char *listing_id, rv_pull_row_t *r)
{
    rv_rows_t *rows;
    const char *lang = rv_oc_config(c->db, p, c->conf->store_id, "config_language");
    r->language_id = rv_db_value(c->db, p, "SELECT language_id FROM {P}language WHERE code = %s",
                                 RV_ARGS(lang ? lang : "en-gb"));
    if (!r->language_id)
        r->language_id = "1";
    if (rv_db_query(c->db, p, &rows,
            "SELECT m.product_id, m.synced_price, m.synced_quantity, m.synced_description,"
            " p.price, p.quantity, pd.description,"
            " (SELECT COUNT(*) FROM {P}product_special ps WHERE ps.product_id = p.product_id"
            "   AND (ps.date_start = '0000-00-00' OR ps.date_start < NOW())"
            "   AND (ps.date_end = '0000-00-00' OR ps.date_end > NOW())) AS specials,"
            " (SELECT COALESCE(SUM(om.quantity), 0) FROM {P}reverb_order_map om"
            "   WHERE om.product_id = m.product_id AND om.stock_taken = 1"
            "   AND om.created_at >= COALESCE(m.last_synced_at, '1970-01-01')) AS sold"
            " FROM {P}reverb_product_map m JOIN {P}product p ON p.product_id = m.product_id"
            " LEFT JOIN {P}product_description pd ON pd.product_id = m.product_id"
            "  AND pd.language_id = %s"
            " WHERE m.reverb_listing_id = %s LIMIT 1", RV_ARGS(r->language_id, listing_id))
        || rows->nrows == 0)
        return -1;
    r->product_id = rv_row_get(rows, 0, "product_id");
    r->base_price = rv_row_get(rows, 0, "synced_price");
    r->base_desc = rv_row_get(rows, 0, "synced_description");
    r->has_base_qty = rv_row_get(rows, 0, "synced_quantity") != NULL;
    r->base_qty = rv_row_int(rows, 0, "synced_quantity", 0);
    r->price = rv_row_get(rows, 0, "price");
    r->qty = rv_row_int(rows, 0, "quantity", 0);
    r->desc = rv_html_to_text(p, rv_row_get(rows, 0, "description") ? rv_row_get(rows, 0, "description") : "");
    r->sold_imported = rv_row_int(rows, 0, "sold", 0);
    /* a listing priced from an active special must not overwrite the regular price */
    r->special = rv_row_int(rows, 0, "specials", 0) && rv_setting_int(c->settings, "use_special", 0)
               ? "1" : NULL;
    return 0;
}

static void rv_pull_log(rv_ctx_t *c, apr_pool_t *p, const char *pid, const char *lid, int ok,
                        const char *msg)
{
    rv_log_entry_t le;
    memset(&le, 0, sizeof(le));
    le.product_id = pid ? apr_atoi64(pid) : 0;
    le.direction = "pull";
    le.action = "listing";
    le.listing_id = lid;
    le.ok = ok;
    le.message = msg;
    rv_log_write(c->db, p, &le);
}

/* Returns how many fields changed in OpenCart; *conflicts counts fields
 * where both sides changed (OpenCart kept). */
static int rv_pull_merge(rv_ctx_t *c, apr_pool_t *p, json_object *listing, rv_pull_row_t *r,
                         const char *lid, int *conflicts, int *reverb_differs)
{
    const char *rv_price = rv_json_str(rv_json_path(listing, "price"), "amount");
    const char *rv_desc = rv_json_str(listing, "description");
    long long rv_qty = 0, new_oc, new_rv;
    int changed = 0;
    char oc_price[32];

    snprintf(oc_price, sizeof(oc_price), "%.2f", r->price ? strtod(r->price, NULL) : 0.0);
    if (rv_price && !r->special && rv_setting_field_on(c->settings, "price")) {
        switch (rv_merge_price(r->base_price, oc_price, rv_price)) {
        case RV_MERGE_TO_OPENCART:
            rv_db_exec(c->db, p, NULL, "UPDATE {P}product SET price = %s WHERE product_id = %s",
                       RV_ARGS(rv_price, r->product_id));
            changed++;
            break;
        case RV_MERGE_CONFLICT:
            (*conflicts)++;
            rv_pull_log(c, p, r->product_id, lid, 0, apr_psprintf(p,
                "Price changed on both sides (OpenCart %s, Reverb %s): OpenCart's price kept",
                oc_price, rv_price));
            /* fall through */
        case RV_MERGE_TO_REVERB:
            (*reverb_differs)++;
            break;
        default:
            break;
        }
    }
    if (rv_json_int(listing, "inventory", &rv_qty) == 0 && r->has_base_qty
        && rv_setting_field_on(c->settings, "stock")) {
        rv_merge_stock(r->base_qty, r->qty, rv_qty, r->sold_imported, &new_oc, &new_rv);
        if (new_oc != r->qty) {
            rv_db_exec(c->db, p, NULL, "UPDATE {P}product SET quantity = quantity + %s"
                       " WHERE product_id = %s", RV_ARGS(rv_i64(p, new_oc - r->qty), r->product_id));
            changed++;
        }
        if (new_rv != rv_qty)
            (*reverb_differs)++;
        r->base_qty = new_oc;
    }
    if (rv_desc && rv_setting_field_on(c->settings, "description")) {
        const char *base = r->base_desc ? rv_text_normalize(p, r->base_desc) : NULL;
        const char *oc = rv_text_normalize(p, r->desc), *rv = rv_text_normalize(p, rv_desc);
        switch (rv_merge_value(base, oc, rv)) {
        case RV_MERGE_TO_OPENCART:
            rv_db_exec(c->db, p, NULL, "UPDATE {P}product_description SET description = %s"
                       " WHERE product_id = %s AND language_id = %s",
                       RV_ARGS(rv_text_to_html(p, rv), r->product_id, r->language_id));
            r->desc = rv;
            changed++;
            break;
        case RV_MERGE_CONFLICT:
            (*conflicts)++;
            rv_pull_log(c, p, r->product_id, lid, 0,
                        "Description changed on both sides: OpenCart's description kept");
            /* fall through */
        case RV_MERGE_TO_REVERB:
            (*reverb_differs)++;
            break;
        default:
            break;
        }
    }
    return changed;
}

rv_job_result_t rv_pull_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_job_result_t done = { RV_JOB_DONE, 0, NULL };
    rv_api_result_t res;
    rv_pull_row_t r;
    json_object *listing;
    const char *state, *mode = rv_setting(c->settings, "sync_mode", "one_way");
    int conflicts = 0, differs = 0, changed = 0;

    memset(&r, 0, sizeof(r));
    if (rv_pull_load(c, p, job->ref, &r))
        return done;                /* not one of ours */
    if (rv_reverb_call(c, p, "GET", apr_pstrcat(p, "listings/", job->ref, NULL), NULL, &res)
        != RV_API_OK) {
        rv_job_result_t out = rv_job_from_api(job, &res);
        if (res.kind == RV_API_NOT_FOUND)
            out.outcome = RV_JOB_DONE;
        rv_api_result_clear(&res);
        return out;
    }
    listing = rv_json_path(res.json, "listing") ? rv_json_path(res.json, "listing") : res.json;
    state = rv_json_str(rv_json_path(listing, "state"), "slug");
    if (state)
        rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_product_map SET listing_state = %s"
                   " WHERE product_id = %s", RV_ARGS(state, r.product_id));
    if (!strcmp(mode, "both_ways")) {
        changed = rv_pull_merge(c, p, listing, &r, job->ref, &conflicts, &differs);
        if (changed) {
            const char *price = rv_json_str(rv_json_path(listing, "price"), "amount");
            rv_db_exec(c->db, p, NULL,
                "UPDATE {P}reverb_product_map SET synced_price = COALESCE(%s, synced_price),"
                " synced_quantity = %s, synced_description = %s, last_synced_at = NOW()"
                " WHERE product_id = %s",
                RV_ARGS(differs ? NULL : price, rv_i64(p, r.base_qty), r.desc, r.product_id));
            rv_pull_log(c, p, r.product_id, job->ref, 1, apr_psprintf(p,
                "%d change(s) made on Reverb applied to OpenCart", changed));
            if (!differs)
                rv_push_refresh_hash(c, p, apr_atoi64(r.product_id));
        }
        if (differs)
            rv_push_enqueue_product(c->db, p, apr_atoi64(r.product_id), RV_PRIO_NORMAL);
    }
    rv_api_result_clear(&res);
    return done;
}

/* Cron, both-ways mode: listings/update webhooks only report state and
 * inventory, so price and description edits are found here. One request
 * per 50 listings; a listing whose values differ from the last agreed ones
 * gets a pull job (which reads it again and merges). */
int rv_pull_poll(rv_ctx_t *c, apr_pool_t *p, int *queued)
{
    const char *path = "my/listings?state=all&per_page=50";
    rv_api_result_t res;
    int pages = 0;
    *queued = 0;
    if (strcmp(rv_setting(c->settings, "sync_mode", "one_way"), "both_ways"))
        return 0;
    while (path && pages++ < 10000) {
        json_object *ls, *next;
        size_t i, n;
        if (rv_reverb_call(c, p, "GET", path, NULL, &res) != RV_API_OK) {
            rv_api_result_clear(&res);
            return -1;
        }
        ls = rv_json_path(res.json, "listings");
        n = ls && json_object_is_type(ls, json_type_array) ? json_object_array_length(ls) : 0;
        for (i = 0; i < n; i++) {
            json_object *l = json_object_array_get_idx(ls, i), *idv = rv_json_path(l, "id");
            const char *id = idv ? json_object_get_string(idv) : NULL;
            const char *price = rv_json_str(rv_json_path(l, "price"), "amount");
            const char *desc = rv_json_str(l, "description");
            long long inv = 0;
            const char *sp;
            rv_rows_t *rows;
            if (!id || rv_db_query(c->db, p, &rows,
                    "SELECT synced_price, synced_quantity, synced_description"
                    " FROM {P}reverb_product_map WHERE reverb_listing_id = %s", RV_ARGS(id))
                || rows->nrows == 0)
                continue;
            rv_json_int(l, "inventory", &inv);
            sp = rv_row_get(rows, 0, "synced_price");
            if ((price && (!sp || strtod(price, NULL) != strtod(sp, NULL)))
                || inv != rv_row_int(rows, 0, "synced_quantity", inv)
                || (desc && strcmp(rv_text_normalize(p, desc),
                                   rv_text_normalize(p, rv_row_get(rows, 0, "synced_description")
                                                     ? rv_row_get(rows, 0, "synced_description") : "")))) {
                rv_queue_add(c->db, p, "pull", id, RV_PRIO_PULL, 0);
                (*queued)++;
            }
        }
        next = rv_json_path(res.json, "_links.next");
        path = next && rv_json_str(next, "href") ? apr_pstrdup(p, rv_json_str(next, "href")) : NULL;
        rv_api_result_clear(&res);
    }
    return 0;
}
