/* rv_pull.c: both-ways mode: title, price, stock and description edits made on
 * Reverb flow into OpenCart by a three-way merge against the values both
 * sides last agreed on (reverb_product_map.synced_*), see rv_merge.h.
 *
 * - One-way mode never writes product fields (only the listing state).
 * - A field changed on one side only flows to the other; changed on both
 *   sides: OpenCart's value is kept (pushed next) and the conflict logged.
 * - Stock merges as deltas. synced_quantity is Reverb's inventory at the
 *   last agreement. An imported Reverb sale lowers it together with
 *   OpenCart's stock (rv_stock_ledger.c), so the sale shows on neither side as a
 *   change and is never subtracted twice; a sale whose order is known but
 *   not imported yet (kept for retry, or being imported) is added back to
 *   Reverb's side until its import takes the stock. While order jobs are
 *   queued, a pull that sees Reverb's inventory drop waits for them.
 *   A listing in state "sold" has no inventory left.
 * - After a pull the agreed values become the new base. When OpenCart had
 *   nothing unpushed before the pull and Reverb now holds exactly what
 *   OpenCart holds, the push hash is refreshed as well, so the pulled
 *   change is not pushed back (no ping-pong); when OpenCart had its own
 *   unpushed edits, the next push sends them (with the pulled values, which
 *   Reverb already has).
 * - A description is only rewritten when its plain text really changed. */
#include "rv_jobs.h"
#include "rv_order_status.h"
#include "rv_change.h"
#include "rv_pull.h"
#include "rv_queue.h"
#include "rv_map.h"
#include "rv_catalogue.h"
#include "rv_merge.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_text.h"
#include "rv_decimal.h"
#include "rv_settings_listing.h"
#include "rv_fault.h"
#include "rv_shoptime.h"
#include "rv_pager.h"

#include "http_log.h"
#include "apr_strings.h"
#include <stdlib.h>

APLOG_USE_MODULE(reverb);

/* pages the both-ways poll reads per cycle at most (50 listings each) */
#define RV_PULL_MAX_PAGES 10000

#define RV_PULL_WAIT_FOR_ORDERS_MS 3000

/* Units of known Reverb sales of a product whose import has not taken the
 * stock yet (SQL fragment; PID is the product id expression). */
#define RV_PENDING_SALES(PID) \
    "(SELECT COALESCE(SUM(om.quantity), 0) FROM {P}reverb_order_map om" \
    "  WHERE om.product_id = " PID " AND om.product_id > 0 AND om.stock_taken = 0" \
    "  AND om.import_state IN ('claimed', 'waiting')" \
    "  AND om.reverb_status NOT IN " RV_ORDER_CANCELLED_SQL ")"

typedef struct {
    const char *product_id, *base_price, *base_desc, *price, *desc_html, *desc, *language_id;
    const char *base_title, *title;     /* title: OpenCart's name as plain text */
    const char *pushed_hash;
    long long base_qty, qty, pending;
    int has_base_qty, special;
} rv_pull_row_t;

/* The map row of the listing (the lowest product id of those that still
 * exist), and the product as the push loads it (rv_catalogue.c). */
static int rv_pull_load(rv_ctx_t *c, apr_pool_t *p, const char *listing_id, rv_pull_row_t *r)
{
    rv_rows_t *rows;
    rv_push_env_t *e;
    rv_item_t *it;
    const char *pending;
    const char *now = rv_shop_now(c->db, p, c->conf->store_id);   /* as OpenCart compares specials */
    if (rv_db_query(c->db, p, &rows,
            "SELECT m.product_id, m.synced_price, m.synced_quantity, m.synced_description,"
            " m.synced_title, m.pushed_hash,"
            " (SELECT COUNT(*) FROM {P}product_special ps WHERE ps.product_id = p.product_id"
            "   AND (ps.date_start = '0000-00-00' OR ps.date_start < %s)"
            "   AND (ps.date_end = '0000-00-00' OR ps.date_end > %s)) AS specials"
            " FROM {P}reverb_product_map m JOIN {P}product p ON p.product_id = m.product_id"
            " WHERE m.reverb_listing_id = %s ORDER BY m.product_id LIMIT 1",
            RV_ARGS(now, now, listing_id))
        || rows->nrows == 0)
        return -1;
    r->product_id = rv_row_get(rows, 0, "product_id");
    e = rv_catalogue_env(c, p);
    r->language_id = e->language_id;
    it = rv_catalogue_load_one(c, p, e, apr_atoi64(r->product_id));
    if (!it || !it->has_product)
        return -1;
    r->base_price = rv_row_get(rows, 0, "synced_price");
    r->base_desc = rv_row_get(rows, 0, "synced_description");
    r->base_title = rv_row_get(rows, 0, "synced_title");
    /* the same plain form the push stores as synced_title */
    r->title = rv_text_oneline(p, rv_entity_decode(p, it->prod.name ? it->prod.name : ""));
    r->pushed_hash = rv_row_get(rows, 0, "pushed_hash");
    r->has_base_qty = rv_row_get(rows, 0, "synced_quantity") != NULL;
    r->base_qty = rv_row_int(rows, 0, "synced_quantity", 0);
    r->price = it->prod.price;
    r->qty = it->prod.quantity;
    r->desc_html = it->prod.description ? it->prod.description : "";
    r->desc = rv_html_to_text(p, r->desc_html);
    /* a listing priced from an active special must not overwrite the regular
     * price (any customer group's special counts here) */
    r->special = rv_row_int(rows, 0, "specials", 0) && rv_setting_int(c->settings, "use_special", 0);
    pending = rv_db_value(c->db, p, "SELECT " RV_PENDING_SALES("%s"), RV_ARGS(r->product_id));
    r->pending = pending ? apr_atoi64(pending) : 0;
    return 0;
}

static void rv_pull_log(rv_ctx_t *c, apr_pool_t *p, const char *pid, const char *lid, int ok,
                        const char *msg)
{
    rv_log_about_t about = { 0, NULL, NULL, NULL };
    about.product_id = pid ? apr_atoi64(pid) : 0;
    about.listing_id = lid;
    rv_log_note_about(c->db, p, &about, "pull", "listing", ok, msg, NULL);
}

static const char *rv_price2(apr_pool_t *p, const char *v)
{
    rv_dec_t d;
    char buf[RV_DEC_BUF];
    if (!v || rv_dec_parse(v, &d))
        return v ? v : "?";
    rv_dec_format(d, 2, buf);
    return apr_pstrdup(p, buf);
}

/* Reverb's inventory for the merge: none left once the listing is sold. */
static int rv_listing_inventory(json_object *listing, long long *inv)
{
    const char *state = rv_json_str(rv_json_path(listing, "state"), "slug");
    if (!state)
        state = rv_json_str(listing, "state");
    if (state && !strcmp(state, "sold")) {
        *inv = 0;
        return 0;
    }
    return rv_json_int(listing, "inventory", inv);
}

/* Pulled values are checked before anything is written: a price must be a
 * decimal, not negative, in the shop's currency; an inventory a whole
 * number, not negative. NULL when the listing is fine, else why not. */
static const char *rv_pull_invalid(rv_ctx_t *c, apr_pool_t *p, json_object *listing,
                                   const char *lid)
{
    json_object *price = rv_json_path(listing, "price"), *v;
    if (rv_setting_field_on(c->settings, "price") && price) {
        const char *amount = rv_json_str(price, "amount"), *cur = rv_json_str(price, "currency");
        const char *shop = rv_oc_config(c->db, p, c->conf->store_id, "config_currency");
        rv_dec_t d;
        if (!json_object_is_type(price, json_type_object) || !amount || rv_dec_parse(amount, &d)
            || d < 0 || d >= (rv_dec_t)10000000000LL * 100000000LL)
            return apr_psprintf(p, "Reverb listing %s has a price that is not a valid amount "
                                "(\"%s\"): nothing was changed in OpenCart", lid,
                                amount ? rv_text_oneline(p, amount) : "missing");
        if (!cur || !shop || strcmp(cur, shop))
            return apr_psprintf(p, "Reverb listing %s is priced in %s, but this shop's currency "
                                "is %s: nothing was changed in OpenCart", lid,
                                cur ? rv_text_oneline(p, cur) : "no currency", shop ? shop : "unknown");
    }
    if (rv_setting_field_on(c->settings, "stock") && json_object_is_type(listing, json_type_object)
        && json_object_object_get_ex(listing, "inventory", &v) && v) {
        long long inv;
        if (rv_json_as_int(v, &inv) || inv < 0)
            return apr_psprintf(p, "Reverb listing %s has an inventory that is not a whole number "
                                "of 0 or more (%s): nothing was changed in OpenCart", lid,
                                rv_text_oneline(p, json_object_get_string(v)));
    }
    return NULL;
}

/* Is everything OpenCart holds already pushed? The current content hash is
 * computed by the push engine inside a transaction that is rolled back. */
static int rv_pull_nothing_unpushed(rv_ctx_t *c, apr_pool_t *p, const rv_pull_row_t *r)
{
    const char *now = NULL;
    if (!r->pushed_hash || rv_db_begin(c->db))
        return 0;
    if (rv_change_refresh_hash(c, p, apr_atoi64(r->product_id)) == 0)
        now = rv_db_value(c->db, p, "SELECT pushed_hash FROM {P}reverb_product_map"
                          " WHERE product_id = %s", RV_ARGS(r->product_id));
    rv_db_rollback(c->db);
    return now && !strcmp(now, r->pushed_hash);
}

typedef struct {
    int changed;             /* fields written to OpenCart */
    int conflicts;
    int reverb_differs;      /* fields where Reverb must still be updated (push) */
    const char *agreed_price, *agreed_desc, *agreed_title;   /* new base values, NULL: keep */
} rv_pull_out_t;

/* Each field merges on its own (rv_merge.h): written to OpenCart, kept as
 * agreed, or left for the push; a conflict keeps OpenCart's value. */
static void rv_pull_merge_price(rv_ctx_t *c, apr_pool_t *p, json_object *listing,
                                rv_pull_row_t *r, const char *lid, rv_pull_out_t *m)
{
    const char *rv_price = rv_json_str(rv_json_path(listing, "price"), "amount");
    if (rv_price && !r->special && rv_setting_field_on(c->settings, "price")) {
        switch (rv_merge_price(r->base_price, r->price, rv_price)) {
        case RV_MERGE_TO_OPENCART:
            if (rv_db_exec(c->db, p, NULL, "UPDATE {P}product SET price = %s WHERE product_id = %s",
                           RV_ARGS(rv_price, r->product_id)) == 0) {
                m->changed++;
                m->agreed_price = rv_price;
            }
            break;
        case RV_MERGE_CONFLICT:
            m->conflicts++;
            rv_pull_log(c, p, r->product_id, lid, 0, apr_psprintf(p,
                "Price changed on both sides (OpenCart %s, Reverb %s): OpenCart's price kept",
                rv_price2(p, r->price), rv_price2(p, rv_price)));
            /* fall through */
        case RV_MERGE_TO_REVERB:
            m->reverb_differs++;
            break;
        default:
            m->agreed_price = rv_price;     /* equal: remember it as agreed */
            break;
        }
    }
}

static void rv_pull_merge_stock(rv_ctx_t *c, apr_pool_t *p, json_object *listing,
                                rv_pull_row_t *r, rv_pull_out_t *m)
{
    long long rv_qty = 0, new_oc, new_rv;
    int multi = 1;
    if (rv_listing_inventory(listing, &rv_qty) == 0 && r->has_base_qty
        && rv_setting_field_on(c->settings, "stock")) {
        /* known sales not imported yet: Reverb counted them, OpenCart will */
        int n = 0;
        rv_merge_stock(r->base_qty, r->qty, rv_qty, r->pending, &new_oc, &new_rv);
        /* OpenCart's stock (relative: a storefront sale meanwhile is not
         * lost) and the merge base move in one statement, guarded by the
         * base this merge started from: a process that dies now cannot
         * leave the stock moved and the base not (the next pull would add
         * Reverb's change a second time), and a concurrent order import or
         * pull that moved the base first wins (this one is redone by the
         * next poll). */
        if (rv_map_move_stock(c->db, p, &n, apr_atoi64(r->product_id), new_oc - r->qty,
                              rv_qty + r->pending, r->base_qty) == 0
            && n > 0) {
            if (new_oc != r->qty)
                m->changed++;
            /* Reverb holds the stock buffer less (rv_settings_listing.h) */
            new_rv = new_rv > rv_setting_stock_buffer(c->settings)
                   ? new_rv - rv_setting_stock_buffer(c->settings) : 0;
            /* a one-of-a-kind listing only ever holds 1 (or 0): that is in sync */
            if (rv_json_bool(listing, "has_inventory", &multi) == 0 && !multi)
                new_rv = new_rv > 0 ? 1 : 0;
            if (new_rv != rv_qty + r->pending)
                m->reverb_differs++;
        }
    }
}

static void rv_pull_merge_title(rv_ctx_t *c, apr_pool_t *p, json_object *listing,
                                rv_pull_row_t *r, const char *lid, rv_pull_out_t *m)
{
    const char *rv_title = rv_json_str(listing, "title");
    if (rv_title && rv_setting_field_on(c->settings, "title")) {
        const char *rt = rv_text_oneline(p, rv_title);
        switch (*rt ? rv_merge_value(r->base_title, r->title, rt) : RV_MERGE_TO_REVERB) {
        case RV_MERGE_TO_OPENCART:
            /* stored the way OpenCart stores posted text (entity-encoded) */
            if (rv_db_exec(c->db, p, NULL, "UPDATE {P}product_description SET name = %s"
                           " WHERE product_id = %s AND language_id = %s",
                           RV_ARGS(rv_oc_escape_fit(p, rt, 255), r->product_id,
                                   r->language_id)) == 0) {
                m->changed++;
                m->agreed_title = rt;
            }
            break;
        case RV_MERGE_CONFLICT:
            m->conflicts++;
            rv_pull_log(c, p, r->product_id, lid, 0,
                        "Title changed on both sides: OpenCart's title kept");
            /* fall through */
        case RV_MERGE_TO_REVERB:
            m->reverb_differs++;
            break;
        default:
            m->agreed_title = rt;
            break;
        }
    }
}

static void rv_pull_merge_desc(rv_ctx_t *c, apr_pool_t *p, json_object *listing,
                               rv_pull_row_t *r, const char *lid, rv_pull_out_t *m)
{
    const char *rv_desc = rv_json_str(listing, "description");
    if (rv_desc && rv_setting_field_on(c->settings, "description")) {
        const char *base = r->base_desc ? rv_text_normalize(p, r->base_desc) : NULL;
        const char *oc = rv_text_normalize(p, r->desc), *rv = rv_text_normalize(p, rv_desc);
        switch (rv_merge_value(base, oc, rv)) {
        case RV_MERGE_TO_OPENCART:
            /* only when the plain text really changed (compared normalised) */
            if (rv_db_exec(c->db, p, NULL, "UPDATE {P}product_description SET description = %s"
                           " WHERE product_id = %s AND language_id = %s",
                           RV_ARGS(rv_text_to_html(p, rv), r->product_id, r->language_id)) == 0) {
                m->changed++;
                m->agreed_desc = rv;
            }
            break;
        case RV_MERGE_CONFLICT:
            m->conflicts++;
            rv_pull_log(c, p, r->product_id, lid, 0,
                        "Description changed on both sides: OpenCart's description kept");
            /* fall through */
        case RV_MERGE_TO_REVERB:
            m->reverb_differs++;
            break;
        default:
            m->agreed_desc = rv;
            break;
        }
    }
}

static void rv_pull_merge(rv_ctx_t *c, apr_pool_t *p, json_object *listing, rv_pull_row_t *r,
                          const char *lid, rv_pull_out_t *m)
{
    rv_pull_merge_price(c, p, listing, r, lid, m);
    rv_pull_merge_stock(c, p, listing, r, m);
    rv_pull_merge_title(c, p, listing, r, lid, m);
    rv_pull_merge_desc(c, p, listing, r, lid, m);
}

/* GET the listing. 0 with *listing set (res holds it), else 1 with *out
 * the job's result (res cleared). */
static int rv_pull_read(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job, const rv_pull_row_t *r,
                        rv_api_result_t *res, json_object **listing, rv_job_result_t *out)
{
    const char *state;
    out->outcome = RV_JOB_DONE;
    out->delay_ms = 0;
    out->error = NULL;
    if (rv_reverb_call(c, p, "GET", apr_pstrcat(p, "listings/", rv_url_escape(p, job->ref), NULL),
                       NULL, res) != RV_API_OK) {
        *out = rv_job_from_api(job, res);
        if (res->kind == RV_API_NOT_FOUND)
            out->outcome = RV_JOB_DONE;
        else if (out->outcome != RV_JOB_DEFER)
            rv_pull_log(c, p, r->product_id, job->ref, 0, apr_psprintf(p,
                "Reverb listing %s could not be read: %s%s", job->ref,
                res->message ? res->message : "Reverb request failed",
                out->outcome == RV_JOB_RETRY ? " (will retry)" : ""));
        rv_api_result_clear(res);
        return 1;
    }
    if (!(*listing = rv_shape_listing(res->json, &state))) {
        rv_pull_log(c, p, r->product_id, job->ref, 0, apr_psprintf(p,
            "Reverb listing %s could not be read: %s", job->ref, state));
        rv_api_result_clear(res);
        return 1;
    }
    return 0;
}

/* A sale whose order is still queued: let the order go first. */
static int rv_pull_wait_for_orders(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                                   json_object *listing, const rv_pull_row_t *r)
{
    long long inv;
    return r->has_base_qty && rv_listing_inventory(listing, &inv) == 0
        && inv + r->pending < r->base_qty && job->attempts < 5
        && rv_queue_kind_busy(c->db, p, "order") == 1;
}

/* Both ways: merge, record the agreed values, and push what Reverb lacks. */
static void rv_pull_apply(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job, json_object *listing,
                          rv_pull_row_t *r)
{
    rv_pull_out_t m;
    int clean;
    memset(&m, 0, sizeof(m));
    clean = rv_pull_nothing_unpushed(c, p, r);
    rv_pull_merge(c, p, listing, r, job->ref, &m);
    rv_fault_point("pull:after-merge");
    /* the values both sides now agree on are the next merge's base (the
     * stock's base moved with the stock, in rv_pull_merge) */
    rv_map_set_agreed(c->db, p, apr_atoi64(r->product_id), m.agreed_price, m.agreed_title,
                      m.agreed_desc);
    if (m.changed) {
        rv_pull_log(c, p, r->product_id, job->ref, 1, apr_psprintf(p,
            "%d change(s) made on Reverb applied to OpenCart", m.changed));
        /* OpenCart now equals Reverb and had nothing else to send: the
         * pulled values count as pushed (no ping-pong) */
        if (!m.reverb_differs && clean)
            rv_change_refresh_hash(c, p, apr_atoi64(r->product_id));
    }
    if (m.reverb_differs)
        rv_change_enqueue_product(c->db, p, apr_atoi64(r->product_id), RV_PRIO_NORMAL);
}

rv_job_result_t rv_pull_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_job_result_t done = { RV_JOB_DONE, 0, NULL }, out;
    rv_api_result_t res;
    rv_pull_row_t r;
    json_object *listing;
    const char *state, *mode = rv_setting(c->settings, "sync_mode", "one_way");

    memset(&r, 0, sizeof(r));
    if (!rv_listing_id_ok(job->ref) || rv_pull_load(c, p, job->ref, &r))
        return done;                /* not one of ours (a listing id is digits) */
    if (rv_pull_read(c, p, job, &r, &res, &listing, &out))
        return out;
    if (!strcmp(mode, "both_ways")) {
        const char *bad = rv_pull_invalid(c, p, listing, job->ref);
        if (bad) {
            rv_pull_log(c, p, r.product_id, job->ref, 0, bad);
            rv_api_result_clear(&res);
            return done;
        }
    }
    state = rv_json_str(rv_json_object_at(listing, "state"), "slug");
    if (state)
        rv_map_set_state(c->db, p, apr_atoi64(r.product_id), state);
    if (strcmp(mode, "both_ways")) {
        rv_api_result_clear(&res);
        return done;                /* one way: product fields are never written */
    }
    if (rv_pull_wait_for_orders(c, p, job, listing, &r)) {
        rv_job_result_t wait = { RV_JOB_RETRY, RV_PULL_WAIT_FOR_ORDERS_MS,
                                 "waiting for queued orders before merging stock" };
        rv_api_result_clear(&res);
        return wait;
    }
    rv_pull_apply(c, p, job, listing, &r);
    rv_api_result_clear(&res);
    return done;
}

/* One listing of the poll: a pull job when its values differ from the
 * last agreed ones (1 queued, else 0). */
static int rv_pull_poll_one(rv_ctx_t *c, apr_pool_t *lp, json_object *l)
{
    const char *id;
    const char *price = rv_json_str(rv_json_path(l, "price"), "amount");
    const char *desc = rv_json_str(l, "description");
    const char *title = rv_json_str(l, "title");
    const char *sp, *sd, *stt;
    long long inv = 0;
    int has_inv;
    rv_dec_t a, b;
    rv_rows_t *rows;
    id = rv_shape_listing_id(lp, l);    /* digits only */
    if (!id || rv_db_query(c->db, lp, &rows,
            "SELECT m.synced_price, m.synced_quantity, m.synced_description, m.synced_title,"
            " " RV_PENDING_SALES("m.product_id") " AS pending"
            " FROM {P}reverb_product_map m WHERE m.reverb_listing_id = %s"
            " ORDER BY m.product_id LIMIT 1", RV_ARGS(id))
        || rows->nrows == 0)
        return 0;
    has_inv = rv_listing_inventory(l, &inv) == 0;
    sp = rv_row_get(rows, 0, "synced_price");
    sd = rv_row_get(rows, 0, "synced_description");
    stt = rv_row_get(rows, 0, "synced_title");
    if ((price && (!sp || rv_dec_parse(price, &a) || rv_dec_parse(sp, &b) || a != b))
        || (has_inv && rv_row_get(rows, 0, "synced_quantity")
            && inv + rv_row_int(rows, 0, "pending", 0) != rv_row_int(rows, 0, "synced_quantity", 0))
        || (desc && strcmp(rv_text_normalize(lp, desc), rv_text_normalize(lp, sd ? sd : "")))
        || (title && rv_setting_field_on(c->settings, "title")
            && strcmp(rv_text_oneline(lp, title), stt ? stt : ""))) {
        rv_queue_add(c->db, lp, "pull", id, RV_PRIO_PULL, 0);
        return 1;
    }
    return 0;
}

/* Each listing of the poll, compared in a pool of its own. */
typedef struct { rv_ctx_t *c; int *queued; } rv_pull_poll_t;

static void rv_pull_poll_item(void *baton, apr_pool_t *p, json_object *l)
{
    rv_pull_poll_t *b = baton;
    if (rv_pull_poll_one(b->c, p, l))
        (*b->queued)++;
}

/* Cron, both-ways mode: listings/update webhooks only report state and
 * inventory, so price and description edits are found here. One request
 * per 50 listings; a listing whose values differ from the last agreed ones
 * gets a pull job (which reads it again and merges). */
int rv_pull_poll(rv_ctx_t *c, apr_pool_t *p, int *queued)
{
    rv_pull_poll_t b = { c, queued };
    rv_page_t last;
    int pages;
    *queued = 0;
    if (strcmp(rv_setting(c->settings, "sync_mode", "one_way"), "both_ways"))
        return 0;
    if (rv_pages_each_item(c, p, "my/listings?state=all&per_page=50", "listings",
                           RV_PULL_MAX_PAGES, rv_pull_poll_item, &b, &pages, &last)
        != RV_PAGES_FAILED)
        return 0;
    if (last.bad)
        rv_pull_log(c, p, NULL, NULL, 0, apr_pstrcat(p,
            "Reverb's listings could not be checked for changes: ", last.bad, NULL));
    rv_api_result_clear(&last.res);
    return -1;
}
