/* rv_push.c: the push job: one product, OpenCart -> Reverb.
 *
 * Create vs update: listing id known -> PUT; else the full sync's prefetch
 * (reverb_listing_seen) or GET my/listings?sku=&state=all -> adopt and PUT
 * (rv_listing_read.c); else POST. A POST that failed or timed out is
 * retried as a new job, which looks the SKU up first: Reverb may have kept
 * the draft (the map row says 'creating' until an id is stored, so even a
 * first attempt does).
 *
 * One-of-a-kind items (Reverb ignores their inventory) sold out in OpenCart
 * have their live listing ended and, back in stock, relisted: the same
 * listing, publish: true (rv_push_sold_out). */
#include "rv_catalogue.h"
#include "rv_listing_read.h"
#include "rv_push_job.h"
#include "rv_jobs.h"
#include "rv_json.h"
#include "rv_push_need.h"
#include "rv_map.h"
#include "rv_shape.h"
#include "rv_text.h"
#include "rv_unlisted.h"

#include "apr_strings.h"

static void rv_push_log(rv_ctx_t *c, apr_pool_t *p, const rv_item_t *it, const char *action,
                        const char *listing_id, const rv_api_result_t *res, const char *message)
{
    rv_log_about_t about = { 0, NULL, NULL, NULL };
    about.product_id = it->prod.product_id;
    about.sku = rv_product_sku(p, &it->prod);
    about.listing_id = listing_id;
    if (res)
        rv_log_api_call_about(c->db, p, &about, "push", action, res, message);
    else
        rv_log_note_about(c->db, p, &about, "push", action, 1, message, NULL);
}

static void rv_push_error(rv_ctx_t *c, apr_pool_t *p, const rv_item_t *it, const char *msg)
{
    rv_map_set_error(c->db, p, it->prod.product_id, msg);
}

/* Everything the next change detection and a later pull compare against. */
static void rv_push_record(rv_ctx_t *c, apr_pool_t *p, const rv_item_t *it,
                           const rv_push_env_t *e, const char *listing_id, json_object *listing,
                           const char *hash, const char *photos_hash)
{
    const char *state = listing ? rv_shape_listing_state(listing) : NULL;
    const char *url = listing ? rv_shape_listing_web(p, listing) : NULL;   /* https://reverb.com/ only */
    const char *price = rv_product_price(p, &it->prod, &e->opts);
    long long inv = rv_product_inventory(&it->prod, it->prod.condition_uuid && *it->prod.condition_uuid
                                          ? it->prod.condition_uuid : e->opts.default_condition_uuid);
    rv_map_pushed_t v = { listing_id, state, url, hash, photos_hash,
                          rv_text_oneline(p, rv_entity_decode(p, it->prod.name ? it->prod.name : "")),
                          rv_html_to_text(p, it->prod.description ? it->prod.description : ""),
                          price, inv };
    rv_map_set_pushed(c->db, p, it->prod.product_id, &v);
}

rv_job_result_t rv_push_done(void)
{
    rv_job_result_t r = { RV_JOB_DONE, 0, NULL };
    return r;
}

rv_job_result_t rv_push_fail(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                               const rv_item_t *it, const char *action, const char *lid,
                               rv_api_result_t *res)
{
    rv_job_result_t r = rv_job_from_api(job, res);
    const char *msg = res->message ? res->message : "Reverb request failed";
    if (r.outcome == RV_JOB_DEFER) {
        rv_api_result_clear(res);
        return r;               /* nothing was sent: nothing to report */
    }
    if (r.outcome == RV_JOB_RETRY)
        msg = apr_psprintf(p, "%s (attempt %d, will retry)", msg, job->attempts);
    rv_push_log(c, p, it, action, lid, res, msg);
    if (r.outcome == RV_JOB_FAIL)
        rv_push_error(c, p, it, res->message);
    rv_api_result_clear(res);
    return r;
}

static rv_job_result_t rv_push_end(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                                   const rv_item_t *it)
{
    rv_api_result_t res;
    json_object *body = json_object_new_object();
    const char *path = apr_pstrcat(p, "my/listings/", it->listing_id, "/state/end", NULL);
    json_object_object_add(body, "reason", json_object_new_string("not_sold"));
    if (!rv_listing_id_ok(it->listing_id)) {       /* never into a path */
        json_object_put(body);
        memset(&res, 0, sizeof(res));
        res.kind = RV_API_CLIENT_ERROR;
        res.message = "The stored Reverb listing id is not a number; the listing was not ended";
        return rv_push_fail(c, p, job, it, "end", NULL, &res);
    }
    rv_reverb_call(c, p, "PUT", path, body, &res);
    json_object_put(body);
    if (res.kind != RV_API_OK && res.kind != RV_API_NOT_FOUND)
        return rv_push_fail(c, p, job, it, "end", it->listing_id, &res);
    rv_map_set_ended(c->db, p, it->prod.product_id);
    rv_push_log(c, p, it, "end", it->listing_id, NULL,
                res.kind == RV_API_OK ? "Listing ended (no longer sold here)"
                                      : "Listing already gone on Reverb");
    rv_api_result_clear(&res);
    return rv_push_done();
}

/* A one-of-a-kind item sold out in OpenCart (rv_item_sold_out_one_off):
 * the listing is ended (not_sold) and keeps its id, so the stock coming
 * back relists that same listing (rv_push_one, publish: true). The update
 * body's hash is stored: nothing more is sent until the product changes.
 * If Reverb refuses (the item sold there meanwhile), the listing is read
 * back: when it is no longer for sale, its state is recorded and that is
 * all. */
static rv_job_result_t rv_push_sold_out(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                                        const rv_item_t *it, const rv_push_env_t *e,
                                        const char *lid)
{
    rv_api_result_t res;
    json_object *body = json_object_new_object();
    const char *state = "ended", *hash = rv_item_hash(p, it, e);
    const char *msg = "Listing ended: sold out in the shop (a one-of-a-kind item; "
                      "it is relisted when back in stock)";
    if (it->prod.quantity > 0)          /* the stock buffer leaves none to list */
        msg = apr_psprintf(p, "Listing ended: the stock buffer (%" APR_INT64_T_FMT ") leaves none "
                           "of the %" APR_INT64_T_FMT " in the shop to list (a one-of-a-kind "
                           "item; it is relisted when more is in stock)",
                           (apr_int64_t)it->prod.stock_buffer, (apr_int64_t)it->prod.quantity);
    json_object_object_add(body, "reason", json_object_new_string("not_sold"));
    rv_reverb_call(c, p, "PUT", apr_pstrcat(p, "my/listings/", lid, "/state/end", NULL), body,
                   &res);
    json_object_put(body);
    if (res.kind == RV_API_NOT_FOUND) {
        msg = "Sold out in the shop; the listing is already gone on Reverb";
    }
    else if (res.kind != RV_API_OK) {
        rv_api_result_t get;
        const char *now = NULL;
        if (rv_job_from_api(job, &res).outcome != RV_JOB_FAIL)
            return rv_push_fail(c, p, job, it, "end", lid, &res);      /* retry (or defer) */
        rv_reverb_call(c, p, "GET", apr_pstrcat(p, "listings/", lid, NULL), NULL, &get);
        if (rv_api_deferred(&get)) {
            rv_api_result_clear(&res);
            return rv_push_fail(c, p, job, it, "end", lid, &get);      /* nothing was sent */
        }
        if (get.kind == RV_API_OK) {
            json_object *l = rv_json_path(get.json, "listing");
            now = rv_shape_listing_state(l ? l : get.json);
            now = now ? apr_pstrdup(p, now) : NULL;
        }
        rv_api_result_clear(&get);
        if (!now || rv_state_for_sale(now))
            return rv_push_fail(c, p, job, it, "end", lid, &res);
        state = now;
        msg = apr_pstrcat(p, "Sold out in the shop; the listing is no longer for sale on Reverb"
                          " (state: ", now, ")", NULL);
    }
    rv_map_set_sold_out(c->db, p, it->prod.product_id, state, hash);
    rv_push_log(c, p, it, "end", lid, NULL, msg);
    rv_api_result_clear(&res);
    return rv_push_done();
}

/* A push that is not made, with the reason in Last error and the sync log. */
static rv_job_result_t rv_push_refused(rv_ctx_t *c, apr_pool_t *p, const rv_item_t *it, const char *why)
{
    rv_job_result_t r = { RV_JOB_FAIL, 0, why };
    rv_api_result_t res;
    if (!why)
        return rv_push_done();
    memset(&res, 0, sizeof(res));
    res.kind = RV_API_INVALID;
    res.message = why;
    rv_push_log(c, p, it, "map", NULL, &res, NULL);
    rv_push_error(c, p, it, why);
    return r;
}

/* The product cannot be mapped: why, in the sync log and as its last error. */
static rv_job_result_t rv_push_unmappable(rv_ctx_t *c, apr_pool_t *p, const rv_item_t *it,
                                          const char *lid, const char *err)
{
    rv_job_result_t r = { RV_JOB_FAIL, 0, err };
    rv_api_result_t why;
    memset(&why, 0, sizeof(why));
    why.kind = RV_API_INVALID;
    why.message = apr_pstrcat(p, "Cannot list this product: ", err, NULL);
    rv_push_log(c, p, it, "map", lid, &why, NULL);
    rv_push_error(c, p, it, why.message);
    return r;
}

/* The create or update body: photos when they changed, publish to relist. */
static json_object *rv_push_body(apr_pool_t *p, const rv_item_t *it, const rv_push_env_t *e,
                                 int create, const char *photos_hash)
{
    const char *err = NULL;
    json_object *body = rv_listing_build(p, &it->prod, &e->opts, create, &err);
    if (!create && e->opts.sync_images
        && (!it->photos_hash || !photos_hash || strcmp(photos_hash, it->photos_hash)))
        rv_listing_attach_photos(p, body, &it->prod, &e->opts);
    if (!create && it->listing_state && !strcmp(it->listing_state, "ended")
        && rv_product_inventory(&it->prod, rv_item_condition(it, e)) > 0)
        json_object_object_add(body, "publish", json_object_new_boolean(1));   /* relist */
    return body;
}

static int rv_listing_live(json_object *listing)
{
    const char *state = listing ? rv_shape_listing_state(listing) : NULL;
    return state && !strcmp(state, "live");
}

/* Reverb took the create or update: record it (the map row and its log
 * line in one commit); an adopted listing still live although the
 * one-of-a-kind item is sold out is ended next. Clears res. */
static rv_job_result_t rv_push_accepted(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                                        const rv_item_t *it, const rv_push_env_t *e, int create,
                                        const char *lid, const char *hash,
                                        const char *photos_hash, rv_api_result_t *res)
{
    const char *action = create ? "create" : "update";
    json_object *listing = rv_json_object_at(res->json, "listing");
    int txn;
    if (create)
        lid = rv_shape_listing_id(p, listing);
    if (!lid) {
        rv_api_result_clear(res);
        res->kind = RV_API_NETWORK;
        res->message = "Reverb's answer carried no listing id";
        return rv_push_fail(c, p, job, it, action, NULL, res);
    }
    txn = rv_db_begin(c->db) == 0;
    rv_push_record(c, p, it, e, lid, listing, hash,
                   (create || e->opts.sync_images) ? photos_hash : NULL);
    rv_push_log(c, p, it, action, lid, NULL,
                create ? (rv_listing_live(listing) ? "Listing created and published"
                                                   : "Listing created as a draft")
                       : "Listing updated");
    if (txn && rv_db_commit(c->db))
        rv_db_rollback(c->db);
    if (!create && rv_item_sold_out_one_off(it, e) && rv_listing_live(listing)) {
        rv_api_result_clear(res);
        return rv_push_sold_out(c, p, job, it, e, lid);
    }
    rv_api_result_clear(res);
    return rv_push_done();
}

static rv_job_result_t rv_push_one(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                                   rv_item_t *it, const rv_push_env_t *e)
{
    const char *err = NULL, *lid = it->listing_id, *hash, *photos_hash;
    json_object *body;
    rv_api_result_t res;
    int create;

    body = rv_listing_build(p, &it->prod, &e->opts, 0, &err);
    if (!body)
        return rv_push_unmappable(c, p, it, lid, err);
    hash = rv_listing_hash(p, body);
    photos_hash = rv_photos_hash(p, &it->prod, &e->opts);
    json_object_put(body);

    if (lid && *lid && !rv_listing_id_ok(lid))
        lid = NULL;             /* not a Reverb id: never into a path; match by SKU */
    if (!lid || !*lid) {
        if (rv_listing_find_by_sku(c, p, job, it, &lid, &res))
            return rv_push_fail(c, p, job, it, "lookup", NULL, &res);
    }
    else if (rv_push_unchanged(rv_item_listed(it), hash, it->pushed_hash, photos_hash,
                               it->photos_hash)) {
        return rv_push_done();   /* nothing changed: no request */
    }
    create = !lid;
    body = rv_push_body(p, it, e, create, photos_hash);
    if (create)
        /* from here until an id is stored the outcome of a create may be
         * unknown: every later attempt looks the SKU up first */
        rv_map_set_creating(c->db, p, it->prod.product_id);
    rv_reverb_call(c, p, create ? "POST" : "PUT",
                   create ? "listings" : apr_pstrcat(p, "listings/", lid, NULL), body, &res);
    json_object_put(body);
    if (create && rv_api_deferred(&res) && !c->lease_lost
        && !(it->listing_state && !strcmp(it->listing_state, "creating")))
        /* our own limiter held the POST back: nothing was sent, so the next
         * attempt need not look the SKU up */
        rv_map_undo_creating(c->db, p, it->prod.product_id, it->listing_state);
    if (res.kind == RV_API_NOT_FOUND && !create) {
        /* deleted on Reverb: forget it and match by SKU again */
        rv_job_result_t r = { RV_JOB_RETRY, 0, "listing vanished on Reverb" };
        rv_map_forget_listing(c->db, p, it->prod.product_id);
        rv_api_result_clear(&res);
        return r;
    }
    if (res.kind != RV_API_OK)
        return rv_push_fail(c, p, job, it, create ? "create" : "update", lid, &res);
    return rv_push_accepted(c, p, job, it, e, create, lid, hash, photos_hash, &res);
}

rv_job_result_t rv_push_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_push_env_t *e = rv_catalogue_env(c, p);
    long long product_id = apr_atoi64(job->ref), last;
    int count;
    apr_hash_t *items = rv_catalogue_load_batch(c, p, e, product_id, 0, 0, &count, &last);
    rv_item_t *it;
    rv_job_result_t dberr = { RV_JOB_RETRY, 5000, "database error while loading the product" };

    if (!items)
        return dberr;
    it = apr_hash_get(items, rv_i64(p, product_id), APR_HASH_KEY_STRING);
    if (!it)
        return rv_push_done();           /* not mapped (or toggled off without a listing) */
    rv_item_resolve(it, e);
    if (!rv_item_eligible(it) && rv_item_listed(it))
        return rv_push_end(c, p, job, it);
    if (!rv_item_eligible(it))      /* sync on but not sent: say why (rv_unlisted.c) */
        return rv_push_refused(c, p, it, rv_unlisted_reason(it->has_product, it->sync_enabled,
                                                            it->in_category, it->prod.status == 1));
    if (rv_item_end_sold_out(it, e))
        return rv_push_sold_out(c, p, job, it, e, it->listing_id);
    return rv_push_one(c, p, job, it, e);
}

