/* rv_change.c: change detection. Every mapped product is compared by
 * content with what was last pushed: the SHA-256 of the update body and of
 * the photo list are kept in reverb_product_map, so a storefront sale that
 * only changes stock is seen and an unchanged product costs no request;
 * products whose inputs have not moved since they were last found
 * unchanged are not even mapped (source_hash, rv_catalogue.c). Queues the
 * push jobs; new products are matched with one prefetch when cheaper. */
#include "rv_change.h"
#include "rv_catalogue.h"
#include "rv_jobs.h"
#include "rv_queue.h"
#include "rv_json.h"
#include "rv_push_need.h"
#include "rv_map.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

int rv_change_enqueue_product(rv_db_t *db, apr_pool_t *p, long long product_id, int priority)
{
    return rv_queue_add(db, p, "push", rv_i64(p, product_id), priority, 0);
}


/* Products found up to date get their inputs' digest stored, this many
 * per statement (a load batch: one statement each). */
#define RV_HASH_CHUNK RV_LOAD_BATCH

/* A push decided while the writes wait (rv_change_detect_defer). */
typedef struct {
    long long product_id;
    int fresh;                  /* new on Reverb: held for the match */
} rv_detect_push_t;

typedef struct {
    rv_detect_counts_t *counts;
    const char *ids[RV_HASH_CHUNK], *fps[RV_HASH_CHUNK];
    int n;
    json_object *fresh;         /* queued products with no listing id yet */
    apr_pool_t *defer;          /* set: writes wait in these two, allocated there */
    apr_array_header_t *keeps;  /* const char * id, fp, id, fp, ... */
    apr_array_header_t *pushes; /* rv_detect_push_t */
} rv_detect_t;

/* see rv_change_match_new */
#define RV_MATCH_MIN 3
#define RV_MATCH_HOLD_S RV_CHANGE_MATCH_HOLD_S

static void rv_detect_flush(rv_ctx_t *c, apr_pool_t *p, void *baton)
{
    rv_detect_t *d = baton;
    char *json, *at;
    int i;
    if (!d->n || d->defer)
        return;
    /* one statement for the batch: [[id, "digest"], ...] as one JSON value
     * (ids are digits, digests hex: nothing to escape, checked anyway);
     * updated_at stays: detection's own note is no change for the next
     * cycle's incremental check (rv_detect.c) */
    at = json = apr_palloc(p, (apr_size_t)d->n * 64 + 3);
    *at++ = '[';
    for (i = 0; i < d->n; i++) {
        if (strspn(d->ids[i], "0123456789") != strlen(d->ids[i]) || strlen(d->ids[i]) > 20
            || strspn(d->fps[i], "0123456789abcdef") != strlen(d->fps[i]) || strlen(d->fps[i]) > 32)
            continue;
        at += sprintf(at, "%s[%s,\"%s\"]", at == json + 1 ? "" : ",", d->ids[i], d->fps[i]);
    }
    *at++ = ']';
    *at = '\0';
    rv_map_set_sources(c->db, p, json);
    d->n = 0;
}

/* Products found with nothing to send get their inputs' digest stored:
 * skipped until one of their inputs moves. */
static void rv_detect_keep(rv_ctx_t *c, apr_pool_t *p, rv_detect_t *d, const rv_item_t *it)
{
    if (!it->source_fp || (it->source_hash && !strcmp(it->source_fp, it->source_hash)))
        return;
    if (d->defer) {
        APR_ARRAY_PUSH(d->keeps, const char *) = rv_i64(d->defer, it->prod.product_id);
        APR_ARRAY_PUSH(d->keeps, const char *) = apr_pstrdup(d->defer, it->source_fp);
        return;
    }
    d->ids[d->n] = rv_i64(p, it->prod.product_id);
    d->fps[d->n++] = it->source_fp;
    if (d->n == RV_HASH_CHUNK)
        rv_detect_flush(c, p, d);
}

/* What change detection knows of the product, to the core's decision
 * (rv_push_need.c); the listing is mapped only for an eligible product. */
static rv_push_need_t rv_detect_need(apr_pool_t *p, const rv_push_env_t *e, const rv_item_t *it)
{
    rv_push_need_in_t in;
    memset(&in, 0, sizeof(in));
    in.eligible = rv_item_eligible(it);
    in.listed = rv_item_listed(it);
    if (in.eligible) {
        in.hash = rv_item_hash(p, it, e);
        in.pushed_hash = it->pushed_hash;
        in.photos_now = rv_item_photos_hash(p, it, e);
        in.photos_pushed = it->photos_hash;
        in.sync_images = e->opts.sync_images;
        in.end_sold_out = rv_item_end_sold_out(it, e);
    }
    return rv_push_need(&in);
}

/* Queues one product's push: a new one (no listing yet) held until the
 * pass decides how to match them all. */
static void rv_detect_push(rv_ctx_t *c, apr_pool_t *p, rv_detect_t *d, long long product_id,
                           int fresh)
{
    if (d->defer) {
        rv_detect_push_t *q = apr_array_push(d->pushes);
        q->product_id = product_id;
        q->fresh = fresh;
    }
    else if (!fresh)
        rv_change_enqueue_product(c->db, p, product_id, RV_PRIO_NORMAL);
    /* a job already live (e.g. a bulk enable waiting for its own match)
     * is left to whoever queued it */
    else if (rv_queue_add_held(c->db, p, "push", rv_i64(p, product_id), RV_PRIO_NORMAL,
                               RV_MATCH_HOLD_S) == 1)
        json_object_array_add(d->fresh, json_object_new_string(rv_i64(p, product_id)));
}

static void rv_detect_one(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, rv_item_t *it,
                          void *baton)
{
    rv_detect_t *d = baton;
    rv_push_need_t need = rv_detect_need(p, e, it);
    int want = need != RV_NEED_NONE, unmappable = need == RV_NEED_UNMAPPABLE;
    d->counts->checked++;
    if (need == RV_NEED_END)
        d->counts->ended++;
    if (want) {
        rv_detect_push(c, p, d, it->prod.product_id,
                       !it->listing_id && rv_item_eligible(it) && !unmappable);
        d->counts->queued++;
    }
    if (!want || unmappable)
        rv_detect_keep(c, p, d, it);    /* up to date, or nothing to send until it changes */
}

/* Several new products found at once (cron, a bulk enable): match them
 * with one prefetch of the seller's listings (ceil(listings / 50) requests)
 * instead of one SKU lookup each, when that is fewer requests. Their push
 * jobs join a 'match' run and wait for its prefetch, which releases them;
 * if it never does (it failed), they run after RV_MATCH_HOLD_S and look
 * their SKU up as usual. */
void rv_change_match_new(rv_db_t *db, server_rec *s, apr_pool_t *p, json_object *fresh)
{
    size_t n = json_object_array_length(fresh);
    const char *known, *run, *refs = rv_json_dump(p, fresh);
    long long pages;
    if (n == 0)
        return;
    /* the seller's listing count as the last prefetch saw it */
    known = rv_db_value(db, p, "SELECT COUNT(*) FROM {P}reverb_listing_seen", RV_NOARGS);
    pages = (known ? apr_atoi64(known) : 0) / 50 + 1;
    if (n < RV_MATCH_MIN || pages >= (long long)n || rv_db_begin(db)) {
        /* one lookup each is as cheap: they run now */
        rv_queue_hold_for_run(db, p, "push", refs, 0, 0);
        return;
    }
    if (rv_db_exec(db, p, NULL, "INSERT INTO {P}reverb_sync_run (state, kind)"
                   " VALUES ('running', 'match')", RV_NOARGS)
        || !(run = rv_db_last_id(db, p))
        || rv_queue_hold_for_run(db, p, "push", refs, apr_atoi64(run), RV_MATCH_HOLD_S) < 0
        || rv_queue_add(db, p, "prefetch", run, RV_PRIO_NORMAL - 1, apr_atoi64(run))
        || rv_db_commit(db)) {
        rv_db_rollback(db);      /* no run: one lookup each, now */
        rv_queue_hold_for_run(db, p, "push", refs, 0, 0);
        return;
    }
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, RVLOGNO(0039) "%d new products are matched "
                 "with one prefetch of the seller's listings (run %s) instead of %d SKU lookups",
                 (int)n, run, (int)n);
}

struct rv_detect_pass {
    rv_ctx_t *c;
    apr_pool_t *p;
    rv_push_env_t *e;
    rv_detect_t d;
};

rv_detect_pass_t *rv_change_detect_begin(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out)
{
    rv_detect_pass_t *pass = apr_pcalloc(p, sizeof(*pass));
    memset(out, 0, sizeof(*out));
    pass->c = c;
    pass->p = p;
    pass->e = rv_catalogue_env(c, p);
    pass->d.counts = out;
    pass->d.fresh = json_object_new_array();
    return pass;
}

const char *rv_change_detect_fingerprint(const rv_detect_pass_t *pass)
{
    return pass->e->fingerprint;
}

void rv_change_detect_inputs(const rv_detect_pass_t *pass, const char **language_id,
                           const char **customer_group_id, const char **attr_ids)
{
    *language_id = pass->e->language_id;
    *customer_group_id = pass->e->customer_group_id;
    *attr_ids = pass->e->attrs->ids;
}

void rv_change_detect_defer(rv_detect_pass_t *pass, apr_pool_t *p)
{
    rv_detect_t *d = &pass->d;
    d->defer = p;
    d->keeps = apr_array_make(p, RV_HASH_CHUNK * 2, sizeof(const char *));
    d->pushes = apr_array_make(p, 16, sizeof(rv_detect_push_t));
}

int rv_change_detect_write(rv_detect_pass_t *pass)
{
    rv_detect_t *d = &pass->d;
    apr_pool_t *p = d->defer;
    int i, rv;
    if (!p)
        return 0;
    d->defer = NULL;
    if ((rv = rv_db_begin(pass->c->db)))
        return rv;
    for (i = 0; i < d->pushes->nelts; i++) {
        rv_detect_push_t *q = &APR_ARRAY_IDX(d->pushes, i, rv_detect_push_t);
        rv_detect_push(pass->c, p, d, q->product_id, q->fresh);
    }
    for (i = 0; i + 1 < d->keeps->nelts; i += 2) {
        d->ids[d->n] = APR_ARRAY_IDX(d->keeps, i, const char *);
        d->fps[d->n++] = APR_ARRAY_IDX(d->keeps, i + 1, const char *);
        if (d->n == RV_HASH_CHUNK)
            rv_detect_flush(pass->c, p, d);
    }
    rv_detect_flush(pass->c, p, d);
    if ((rv = rv_db_commit(pass->c->db)))
        rv_db_rollback(pass->c->db);
    return rv;
}

void rv_change_detect_drop(rv_detect_pass_t *pass)
{
    pass->d.defer = NULL;
}

int rv_change_detect_part(rv_detect_pass_t *pass, long long after, long long upto,
                        const char *ids_json)
{
    rv_load_part_t part = { upto, ids_json, pass->d.defer != NULL };
    return rv_catalogue_each_part(pass->c, pass->p, pass->e, 1, &part, after, rv_detect_one,
                             rv_detect_flush, &pass->d);
}

void rv_change_detect_end(rv_detect_pass_t *pass, int ok)
{
    if (ok)
        rv_change_match_new(pass->c->db, pass->c->s, pass->p, pass->d.fresh);
    json_object_put(pass->d.fresh);
    pass->d.fresh = NULL;
}

int rv_change_detect_all(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out)
{
    rv_detect_pass_t *pass = rv_change_detect_begin(c, p, out);
    int rv = rv_change_detect_part(pass, 0, 0, NULL);
    rv_change_detect_end(pass, rv == 0);
    return rv;
}

int rv_change_refresh_hash(rv_ctx_t *c, apr_pool_t *p, long long product_id)
{
    rv_push_env_t *e = rv_catalogue_env(c, p);
    rv_item_t *it = rv_catalogue_load_one(c, p, e, product_id);
    const char *h;
    if (!it)
        return -1;
    rv_item_resolve(it, e);
    h = rv_item_hash(p, it, e);
    if (!h)
        return -1;
    return rv_map_set_pushed_hash(c->db, p, product_id, h);
}

