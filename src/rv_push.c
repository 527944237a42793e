/* rv_push.c: the push engine (contract §6).
 *
 * Products are loaded set-wise (three queries for one product or for the
 * whole catalogue), mapped by the core (rv_product.c), and compared by
 * content: the SHA-256 of the update body and of the photo list are kept in
 * reverb_product_map, so a storefront sale that only changes stock is seen
 * and an unchanged product costs no request.
 *
 * Create vs update: listing id known -> PUT; else the full sync's prefetch
 * (reverb_listing_seen) or GET my/listings?sku=&state=all -> adopt and PUT;
 * else POST. A POST that failed or timed out is retried as a new job, which
 * looks the SKU up first: Reverb may have kept the draft (the map row says
 * 'creating' until an id is stored, so even a first attempt does).
 *
 * One-of-a-kind items (Reverb ignores their inventory) sold out in OpenCart
 * have their live listing ended and, back in stock, relisted: the same
 * listing, publish: true (rv_push_sold_out). */
#include "rv_push.h"
#include "rv_route.h"
#include "rv_jobs.h"
#include "rv_queue.h"
#include "rv_product.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_text.h"
#include "rv_shoptime.h"
#include "rv_attrs.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_hash.h"
#include "rv_sha256.h"
#include "rv_migrate.h"
#include "rv_settings_listing.h"
#include "rv_unlisted.h"

APLOG_USE_MODULE(reverb);

/* One product as the engine sees it: the core's input plus map-row state. */
typedef struct {
    rv_product_t prod;
    int has_product, sync_enabled, in_category;
    const char *listing_id, *listing_state, *pushed_hash, *photos_hash;
    const char *source_fp, *source_hash; /* inputs now / when last found unchanged */
    apr_array_header_t *images;      /* const char * */
    apr_array_header_t *categories;  /* const char * category ids */
} rv_item_t;

typedef struct {
    rv_push_opts_t opts;
    json_object *allowed;            /* array of category ids */
    json_object *category_map;       /* id -> uuid */
    const char *language_id, *customer_group_id;
    const rv_attrs_t *attrs;         /* the field mapping (rv_attrs.c) */
    const char *fingerprint;         /* of everything above, and the mapping's version */
    long long stock_buffer;
} rv_push_env_t;

/* ---- settings into mapping options ---- */

static void rv_env_clear(void *v)
{
    rv_push_env_t *e = v;
    if (e->allowed)
        json_object_put(e->allowed);
    if (e->category_map)
        json_object_put(e->category_map);
}

static apr_status_t rv_env_cleanup(void *v)
{
    rv_env_clear(v);
    return APR_SUCCESS;
}

/* Everything besides the product's own rows that the listing depends on.
 * A product whose rows and this fingerprint are as they were when it was
 * last found unchanged is skipped without mapping it (see rv_load_sql).
 * Whatever rv_push_env reads must be in here. */
static const char *rv_env_fingerprint(apr_pool_t *p, const rv_push_env_t *e,
                                      const rv_settings_t *st)
{
    const char *parts[] = {
        RV_VERSION, RV_SCHEMA_VERSION, e->opts.currency, e->opts.store_url,
        e->opts.default_condition_uuid, e->opts.shipping_profile_id, e->opts.shipping_rates_json,
        rv_setting(st, "use_special", ""), rv_setting(st, "auto_publish", ""),
        rv_setting(st, "sync_fields", ""), rv_setting(st, "categories", ""),
        rv_setting(st, "category_map", ""), e->language_id, e->customer_group_id,
        rv_listing_settings_fp(p, st),          /* shipping, offers, stock buffer */
        e->attrs->fingerprint
    };
    const char *all = "";
    char *hex = apr_palloc(p, 65);
    size_t i;
    for (i = 0; i < sizeof(parts) / sizeof(*parts); i++)       /* 0x1f between, 0x01 for unset */
        all = apr_pstrcat(p, all, parts[i] ? parts[i] : "\x01", "\x1f", NULL);
    rv_sha256_hex(all, strlen(all), hex);
    return hex;
}

static rv_push_env_t *rv_push_env(rv_ctx_t *c, apr_pool_t *p)
{
    rv_push_env_t *e = apr_pcalloc(p, sizeof(*e));
    const rv_settings_t *st = c->settings;
    int store = c->conf->store_id;
    const char *lang = rv_oc_config(c->db, p, store, "config_language");

    e->opts.currency = rv_oc_config(c->db, p, store, "config_currency");
    e->opts.store_url = rv_setting(st, "store_url", NULL);
    e->opts.default_condition_uuid = rv_setting(st, "default_condition", NULL);
    e->opts.shipping_profile_id = rv_setting(st, "shipping_profile_id", NULL);
    e->opts.shipping_rates_json = rv_setting(st, "shipping_rates", NULL);
    e->opts.use_special = (int)rv_setting_int(st, "use_special", 0);
    e->opts.auto_publish = (int)rv_setting_int(st, "auto_publish", 0);
    e->opts.sync_title = rv_setting_field_on(st, "title");
    e->opts.sync_description = rv_setting_field_on(st, "description");
    e->opts.sync_price = rv_setting_field_on(st, "price");
    e->opts.sync_stock = rv_setting_field_on(st, "stock");
    e->opts.sync_images = rv_setting_field_on(st, "images");
    rv_listing_opts_fill(&e->opts, st);         /* offers, local pickup, rates */
    e->stock_buffer = rv_setting_stock_buffer(st);
    e->allowed = rv_setting_json(st, "categories");
    e->category_map = rv_setting_json(st, "category_map");
    e->language_id = rv_db_value(c->db, p, "SELECT language_id FROM {P}language WHERE code = %s",
                                 RV_ARGS(lang ? lang : "en-gb"));
    if (!e->language_id)
        e->language_id = "1";
    e->customer_group_id = rv_oc_config(c->db, p, store, "config_customer_group_id");
    if (!e->customer_group_id)
        e->customer_group_id = "1";
    e->attrs = rv_attrs_load(c->db, p, st);
    e->opts.fieldmap = &e->attrs->map;
    e->fingerprint = rv_env_fingerprint(p, e, st);
    apr_pool_cleanup_register(p, e, rv_env_cleanup, apr_pool_cleanup_null);
    return e;
}

static int rv_category_allowed(const rv_push_env_t *e, const char *category_id)
{
    size_t i, n = e->allowed && json_object_is_type(e->allowed, json_type_array)
                ? json_object_array_length(e->allowed) : 0;
    for (i = 0; i < n; i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(e->allowed, i)), category_id))
            return 1;
    return 0;
}

/* ---- loading ---- */

/* Whole-catalogue passes read this many products at a time, each batch in
 * a pool of its own: a 100,000-product shop never sits in memory at once. */
#define RV_LOAD_BATCH 1000

/* One row per mapped product with everything its listing is built from
 * (images and category ids as lists), and `fp`, a digest of all of it plus
 * the settings' fingerprint. In detection mode only products whose fp
 * differs from the source_hash stored when they were last found unchanged
 * come back: an unchanged catalogue costs one pass inside MariaDB, no
 * mapping or hashing here. Parameters: settings fingerprint, customer
 * group, the shop's time twice, attribute ids, language, attribute ids
 * (RV_ATTRS_COLUMN), (rv_load_ids_sql: the ids), language, product id
 * (0: all) twice, after-id, up-to-id, detection flag. */
#define RV_NUL(x) "IFNULL(" x ", 0x00)"
/* The columns, over rm (the map row), p, pd and m, for the product whose id
 * is the SQL expression ID. Parameters: customer group, the shop's time
 * twice, then RV_ATTRS_COLUMN's three. */
#define RV_LOAD_COLS(ID) \
    " " ID " AS product_id, rm.reverb_listing_id, rm.sync_enabled, rm.condition_uuid," \
    " rm.reverb_category_uuid, rm.handmade, rm.upc_does_not_apply, rm.pushed_hash," \
    " rm.photos_hash, rm.listing_state, rm.source_hash, rm.offers_enabled," \
    " rm.shipping_profile_id, rm.local_pickup, p.product_id AS pid, p.model, p.sku," \
    " p.upc, p.ean, p.mpn, p.quantity, p.price, p.status, p.image, pd.name, pd.description," \
    " m.name AS manufacturer," \
    " (SELECT ps.price FROM {P}product_special ps WHERE ps.product_id = p.product_id" \
    "   AND ps.customer_group_id = %s" \
    "   AND (ps.date_start = '0000-00-00' OR ps.date_start < %s)"   /* the shop's time, */ \
    "   AND (ps.date_end = '0000-00-00' OR ps.date_end > %s)"       /* as OpenCart compares */ \
    "   ORDER BY ps.priority ASC, ps.price ASC LIMIT 1) AS special," \
    " (SELECT GROUP_CONCAT(pi.image ORDER BY pi.sort_order, pi.product_image_id SEPARATOR 0x1e)" \
    "   FROM {P}product_image pi WHERE pi.product_id = " ID ") AS images," \
    " (SELECT GROUP_CONCAT(pc.category_id ORDER BY pc.category_id)" \
    "   FROM {P}product_to_category pc WHERE pc.product_id = " ID ") AS categories," \
    RV_ATTRS_COLUMN(ID)
static const char *rv_load_sql =
    "SELECT t.*, MD5(CONCAT_WS(0x1f, %s, " RV_NUL("t.reverb_listing_id") ", t.sync_enabled,"
    "   " RV_NUL("t.condition_uuid") ", " RV_NUL("t.reverb_category_uuid") ", t.handmade,"
    "   t.upc_does_not_apply, " RV_NUL("t.pushed_hash") ", " RV_NUL("t.photos_hash") ","
    "   " RV_NUL("t.listing_state") ", " RV_NUL("t.pid") ", " RV_NUL("t.model") ", " RV_NUL("t.sku") ","
    "   " RV_NUL("t.upc") ", " RV_NUL("t.ean") ", " RV_NUL("t.mpn") ", " RV_NUL("t.quantity") ","
    "   " RV_NUL("t.price") ", " RV_NUL("t.status") ", " RV_NUL("t.image") ", " RV_NUL("t.name") ","
    "   " RV_NUL("t.description") ", " RV_NUL("t.manufacturer") ", " RV_NUL("t.special") ","
    "   " RV_NUL("t.images") ", " RV_NUL("t.categories") ", " RV_NUL("t.offers_enabled") ","
    "   " RV_NUL("t.shipping_profile_id") ", " RV_NUL("t.local_pickup") ", " RV_NUL("t.attrs") ")) AS fp"
    " FROM (SELECT" RV_LOAD_COLS("rm.product_id")
    " FROM {P}reverb_product_map rm"
    " LEFT JOIN {P}product p ON p.product_id = rm.product_id"
    " LEFT JOIN {P}product_description pd ON pd.product_id = rm.product_id AND pd.language_id = %s"
    " LEFT JOIN {P}manufacturer m ON m.manufacturer_id = p.manufacturer_id"
    " WHERE (%s = '0' OR rm.product_id = %s) AND rm.product_id > %s AND rm.product_id <= %s"
    "   AND (rm.sync_enabled = 1 OR rm.reverb_listing_id IS NOT NULL)) t"
    " HAVING %s = '0' OR t.source_hash IS NULL OR t.source_hash <> fp"
    " ORDER BY t.product_id LIMIT " APR_STRINGIFY(RV_LOAD_BATCH);
#define RV_ID_MAX "2147483647"

/* rv_load_sql for the products in a JSON array of ids (its placeholder
 * comes after the shop's time): the ids drive the join */
static const char *rv_load_ids_sql(apr_pool_t *p)
{
    static const char from[] = " FROM {P}reverb_product_map rm";
    const char *at = strstr(rv_load_sql, from);
    return apr_pstrcat(p, apr_pstrmemdup(p, rv_load_sql, (apr_size_t)(at - rv_load_sql)),
                       " FROM JSON_TABLE(%s, '$[*]' COLUMNS (id INT PATH '$')) j"
                       " JOIN {P}reverb_product_map rm ON rm.product_id = j.id",
                       at + sizeof(from) - 1, NULL);
}

/* One product of the shop, mapped or not, for the admin's preview. */
static const char *rv_preview_sql =
    "SELECT" RV_LOAD_COLS("p.product_id")
    " FROM {P}product p"
    " LEFT JOIN {P}reverb_product_map rm ON rm.product_id = p.product_id"
    " LEFT JOIN {P}product_description pd ON pd.product_id = p.product_id AND pd.language_id = %s"
    " LEFT JOIN {P}manufacturer m ON m.manufacturer_id = p.manufacturer_id"
    " WHERE p.product_id = %s";

/* "a<sep>b<sep>c" into the array (NULL or empty: nothing). */
static void rv_split_into(apr_pool_t *p, apr_array_header_t *out, const char *list, const char *sep)
{
    char *copy, *tok, *state = NULL;
    if (!list || !*list)
        return;
    copy = apr_pstrdup(p, list);
    for (tok = apr_strtok(copy, sep, &state); tok; tok = apr_strtok(NULL, sep, &state))
        APR_ARRAY_PUSH(out, const char *) = tok;
}

static void rv_item_fill(rv_item_t *it, const rv_rows_t *r, int i)
{
    rv_product_t *pr = &it->prod;
    pr->product_id = rv_row_int(r, i, "product_id", 0);
    it->has_product = rv_row_get(r, i, "pid") != NULL;
    it->sync_enabled = (int)rv_row_int(r, i, "sync_enabled", 0);
    it->listing_id = rv_row_get(r, i, "reverb_listing_id");
    it->listing_state = rv_row_get(r, i, "listing_state");
    it->pushed_hash = rv_row_get(r, i, "pushed_hash");
    it->photos_hash = rv_row_get(r, i, "photos_hash");
    it->source_fp = rv_row_get(r, i, "fp");
    it->source_hash = rv_row_get(r, i, "source_hash");
    pr->name = rv_row_get(r, i, "name");
    pr->description = rv_row_get(r, i, "description");
    pr->model = rv_row_get(r, i, "model");
    pr->sku = rv_row_get(r, i, "sku");
    pr->upc = rv_row_get(r, i, "upc");
    pr->ean = rv_row_get(r, i, "ean");
    pr->mpn = rv_row_get(r, i, "mpn");
    pr->manufacturer = rv_row_get(r, i, "manufacturer");
    pr->price = rv_row_get(r, i, "price");
    pr->special_price = rv_row_get(r, i, "special");
    pr->quantity = rv_row_int(r, i, "quantity", 0);
    pr->status = (int)rv_row_int(r, i, "status", 0);
    pr->image = rv_row_get(r, i, "image");
    pr->condition_uuid = rv_row_get(r, i, "condition_uuid");
    pr->category_uuid = rv_row_get(r, i, "reverb_category_uuid");
    pr->handmade = (int)rv_row_int(r, i, "handmade", 0);
    pr->upc_does_not_apply = (int)rv_row_int(r, i, "upc_does_not_apply", 1);
    pr->offers_enabled = rv_row_get(r, i, "offers_enabled");
    pr->shipping_profile_id = rv_row_get(r, i, "shipping_profile_id");
    pr->local_pickup = rv_row_get(r, i, "local_pickup");
}

static rv_item_t *rv_item_of_row(apr_pool_t *p, const rv_push_env_t *e, const rv_rows_t *rows,
                                 int i)
{
    rv_item_t *it = apr_pcalloc(p, sizeof(*it));
    rv_item_fill(it, rows, i);
    rv_attrs_fill(p, e->attrs, &it->prod, rv_row_get(rows, i, "attrs"));
    it->prod.stock_buffer = e->stock_buffer;
    it->images = apr_array_make(p, 4, sizeof(char *));
    it->categories = apr_array_make(p, 2, sizeof(char *));
    rv_split_into(p, it->images, rv_row_get(rows, i, "images"), "\x1e");
    rv_split_into(p, it->categories, rv_row_get(rows, i, "categories"), ",");
    return it;
}

/* A part of the catalogue: ids in (after, upto] (upto 0: no bound), and
 * when ids_json is set only those ids (a JSON array). */
typedef struct {
    long long upto;
    const char *ids_json;
} rv_load_part_t;

/* product_id 0: the next batch of mapped products after `after` (by id),
 * within `part` (NULL: the whole map), else that one product;
 * `changed_only`: only products whose inputs moved since they were last
 * found unchanged. Returns a hash of id -> rv_item_t; *count is the number
 * of products read and *last the highest id. */
static apr_hash_t *rv_push_load_part(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                                     long long product_id, long long after, int changed_only,
                                     const rv_load_part_t *part, int *count, long long *last)
{
    const char *pid = rv_i64(p, product_id), *shop_now, *upto;
    apr_hash_t *items = apr_hash_make(p);
    rv_rows_t *rows;
    int i, rv;

    *count = 0;
    *last = after;
    shop_now = rv_shop_now(c->db, p, c->conf->store_id);
    upto = part && part->upto > 0 ? rv_i64(p, part->upto) : RV_ID_MAX;
    if (part && part->ids_json)
        rv = rv_db_query(c->db, p, &rows, rv_load_ids_sql(p),
                         RV_ARGS(e->fingerprint, e->customer_group_id, shop_now, shop_now,
                                 e->attrs->ids, e->language_id, e->attrs->ids,
                                 part->ids_json, e->language_id, pid, pid,
                                 rv_i64(p, after), upto, changed_only ? "1" : "0"));
    else
        rv = rv_db_query(c->db, p, &rows, rv_load_sql,
                         RV_ARGS(e->fingerprint, e->customer_group_id, shop_now, shop_now,
                                 e->attrs->ids, e->language_id, e->attrs->ids,
                                 e->language_id, pid, pid,
                                 rv_i64(p, after), upto, changed_only ? "1" : "0"));
    if (rv)
        return NULL;
    for (i = 0; i < rows->nrows; i++) {
        rv_item_t *it = rv_item_of_row(p, e, rows, i);
        apr_hash_set(items, rv_i64(p, it->prod.product_id), APR_HASH_KEY_STRING, it);
        *last = it->prod.product_id;
    }
    *count = rows->nrows;
    return items;
}

static apr_hash_t *rv_push_load_batch(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                                      long long product_id, long long after, int changed_only,
                                      int *count, long long *last)
{
    return rv_push_load_part(c, p, e, product_id, after, changed_only, NULL, count, last);
}

/* One mapped product (NULL: not mapped, or a database error). */
static rv_item_t *rv_push_load_one(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                                   long long product_id)
{
    int count;
    long long last;
    apr_hash_t *items = rv_push_load_batch(c, p, e, product_id, 0, 0, &count, &last);
    return items ? apr_hash_get(items, rv_i64(p, product_id), APR_HASH_KEY_STRING) : NULL;
}

static void rv_item_resolve(rv_item_t *it, const rv_push_env_t *e);

typedef void (*rv_item_fn)(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, rv_item_t *it,
                           void *baton);
typedef void (*rv_batch_end_fn)(rv_ctx_t *c, apr_pool_t *p, void *baton);

/* Calls fn for every mapped product (resolved), a batch at a time, each
 * batch in one transaction (fn's writes commit together, not one by one);
 * changed_only: see rv_push_load_batch. */
static int rv_push_each_part(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, int changed_only,
                             const rv_load_part_t *part, long long after,
                             rv_item_fn fn, rv_batch_end_fn batch_end, void *baton)
{
    int count;
    do {
        apr_pool_t *bp;
        apr_hash_t *items;
        apr_hash_index_t *hi;
        apr_pool_create(&bp, p);
        items = rv_push_load_part(c, bp, e, 0, after, changed_only, part, &count, &after);
        if (!items) {
            apr_pool_destroy(bp);
            return -1;
        }
        rv_db_begin(c->db);
        for (hi = apr_hash_first(bp, items); hi; hi = apr_hash_next(hi)) {
            rv_item_t *it = apr_hash_this_val(hi);
            rv_item_resolve(it, e);
            fn(c, bp, e, it, baton);
        }
        if (batch_end)
            batch_end(c, bp, baton);
        if (rv_db_commit(c->db))
            rv_db_rollback(c->db);
        apr_pool_destroy(bp);
    } while (count == RV_LOAD_BATCH);
    return 0;
}

static int rv_push_each(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, int changed_only,
                        rv_item_fn fn, rv_batch_end_fn batch_end, void *baton)
{
    return rv_push_each_part(c, p, e, changed_only, NULL, 0, fn, batch_end, baton);
}

/* Eligibility, the category to list under, and the image array. */
static void rv_item_resolve(rv_item_t *it, const rv_push_env_t *e)
{
    int i;
    json_object *uuid;
    it->prod.images = (const char **)it->images->elts;
    it->prod.n_images = it->images->nelts;
    for (i = 0; i < it->categories->nelts; i++) {
        const char *cat = APR_ARRAY_IDX(it->categories, i, const char *);
        if (!rv_category_allowed(e, cat))
            continue;
        if (!it->in_category && (!it->prod.category_uuid || !*it->prod.category_uuid)
            && e->category_map && json_object_object_get_ex(e->category_map, cat, &uuid))
            it->prod.category_uuid = json_object_get_string(uuid);
        it->in_category = 1;
    }
}

static int rv_item_eligible(const rv_item_t *it)
{
    return it->has_product && it->sync_enabled && it->in_category && it->prod.status == 1;
}

static int rv_item_listed(const rv_item_t *it)
{
    return it->listing_id && *it->listing_id
        && !(it->listing_state && !strcmp(it->listing_state, "ended"));
}

/* The condition the listing is sent with: the product's, else the default. */
static const char *rv_item_condition(const rv_item_t *it, const rv_push_env_t *e)
{
    return it->prod.condition_uuid && *it->prod.condition_uuid ? it->prod.condition_uuid
                                                               : e->opts.default_condition_uuid;
}

/* One of a kind (every condition but Brand New, B-Stock and Mint with
 * inventory): Reverb ignores `inventory`, so a listing sent inventory 0
 * stays for sale. Such an item with no stock left in OpenCart (and its
 * stock synced) must have its listing ended; a draft stays a draft. */
static int rv_item_sold_out_one_off(const rv_item_t *it, const rv_push_env_t *e)
{
    const char *cond = rv_item_condition(it, e);
    return e->opts.sync_stock && !rv_condition_multi_quantity(cond)
        && rv_product_inventory(&it->prod, cond) == 0;
}

/* Live, or a state not known yet: it may be for sale. */
static int rv_state_for_sale(const char *state)
{
    return !state || !*state || !strcmp(state, "live") || !strcmp(state, "creating");
}

static int rv_item_end_sold_out(const rv_item_t *it, const rv_push_env_t *e)
{
    return rv_item_listed(it) && rv_state_for_sale(it->listing_state)
        && rv_item_sold_out_one_off(it, e);
}

/* ---- change detection ---- */

int rv_push_enqueue_product(rv_db_t *db, apr_pool_t *p, long long product_id, int priority)
{
    return rv_queue_add(db, p, "push", rv_i64(p, product_id), priority, 0);
}

/* The hash pair stored after a push; NULL when the product cannot be mapped. */
static const char *rv_item_hash(apr_pool_t *p, const rv_item_t *it, const rv_push_env_t *e)
{
    const char *err = NULL;
    json_object *body = rv_listing_build(p, &it->prod, &e->opts, 0, &err);
    const char *h;
    if (!body)
        return NULL;
    h = rv_listing_hash(p, body);
    json_object_put(body);
    return h;
}

/* Products found up to date get their inputs' digest stored, this many
 * per statement (a load batch: one statement each). */
#define RV_HASH_CHUNK RV_LOAD_BATCH

typedef struct {
    rv_detect_counts_t *counts;
    const char *ids[RV_HASH_CHUNK], *fps[RV_HASH_CHUNK];
    int n;
    json_object *fresh;         /* queued products with no listing id yet */
} rv_detect_t;

/* see rv_push_match_new */
#define RV_MATCH_MIN 3
#define RV_MATCH_HOLD_S RV_PUSH_MATCH_HOLD_S

static void rv_detect_flush(rv_ctx_t *c, apr_pool_t *p, void *baton)
{
    rv_detect_t *d = baton;
    char *json, *at;
    int i;
    if (!d->n)
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
    rv_db_exec(c->db, p, NULL,
               "UPDATE {P}reverb_product_map m JOIN JSON_TABLE(%s, '$[*]' COLUMNS"
               " (id INT PATH '$[0]', fp CHAR(32) PATH '$[1]')) j ON m.product_id = j.id"
               " SET m.source_hash = j.fp, m.updated_at = m.updated_at", RV_ARGS(json));
    d->n = 0;
}

/* Products found with nothing to send get their inputs' digest stored:
 * skipped until one of their inputs moves. */
static void rv_detect_keep(rv_ctx_t *c, apr_pool_t *p, rv_detect_t *d, const rv_item_t *it)
{
    if (!it->source_fp || (it->source_hash && !strcmp(it->source_fp, it->source_hash)))
        return;
    d->ids[d->n] = rv_i64(p, it->prod.product_id);
    d->fps[d->n++] = it->source_fp;
    if (d->n == RV_HASH_CHUNK)
        rv_detect_flush(c, p, d);
}

static void rv_detect_one(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, rv_item_t *it,
                          void *baton)
{
    rv_detect_t *d = baton;
    int want = 0, unmappable = 0;
    d->counts->checked++;
    if (rv_item_eligible(it)) {
        const char *h = rv_item_hash(p, it, e);
        const char *ph = rv_photos_hash(p, &it->prod, &e->opts);
        /* not listed: never pushed, or ended (a changed product relists it
         * when in stock, e.g. a one-of-a-kind item ended at 0 restocked) */
        want = !rv_item_listed(it) ? (h != NULL && (!it->pushed_hash || strcmp(h, it->pushed_hash)))
             : (h && (!it->pushed_hash || strcmp(h, it->pushed_hash)))
               || (e->opts.sync_images && ph && (!it->photos_hash || strcmp(ph, it->photos_hash)))
               || rv_item_end_sold_out(it, e);
        /* unlisted but eligible: push once (a failed mapping is logged then) */
        if (!rv_item_listed(it) && !it->pushed_hash)
            want = 1;
        /* cannot be mapped (no SKU, no make, ...): its push logs why, once
         * for these inputs; it is looked at again when one of them moves */
        if (!h)
            want = unmappable = 1;
    }
    else if (rv_item_listed(it)) {
        want = 1;
        d->counts->ended++;
    }
    if (want && !it->listing_id && rv_item_eligible(it) && !unmappable) {
        /* new on Reverb: held until the pass decides how to match them all */
        /* a job already live (e.g. a bulk enable waiting for its own
         * match) is left to whoever queued it */
        if (rv_queue_add_held(c->db, p, "push", rv_i64(p, it->prod.product_id), RV_PRIO_NORMAL,
                              RV_MATCH_HOLD_S) == 1)
            json_object_array_add(d->fresh,
                                  json_object_new_string(rv_i64(p, it->prod.product_id)));
        d->counts->queued++;
    }
    else if (want) {
        rv_push_enqueue_product(c->db, p, it->prod.product_id, RV_PRIO_NORMAL);
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
void rv_push_match_new(rv_db_t *db, server_rec *s, apr_pool_t *p, json_object *fresh)
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

rv_detect_pass_t *rv_push_detect_begin(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out)
{
    rv_detect_pass_t *pass = apr_pcalloc(p, sizeof(*pass));
    memset(out, 0, sizeof(*out));
    pass->c = c;
    pass->p = p;
    pass->e = rv_push_env(c, p);
    pass->d.counts = out;
    pass->d.fresh = json_object_new_array();
    return pass;
}

const char *rv_push_detect_fingerprint(const rv_detect_pass_t *pass)
{
    return pass->e->fingerprint;
}

void rv_push_detect_inputs(const rv_detect_pass_t *pass, const char **language_id,
                           const char **customer_group_id, const char **attr_ids)
{
    *language_id = pass->e->language_id;
    *customer_group_id = pass->e->customer_group_id;
    *attr_ids = pass->e->attrs->ids;
}

int rv_push_detect_part(rv_detect_pass_t *pass, long long after, long long upto,
                        const char *ids_json)
{
    rv_load_part_t part = { upto, ids_json };
    return rv_push_each_part(pass->c, pass->p, pass->e, 1, &part, after, rv_detect_one,
                             rv_detect_flush, &pass->d);
}

void rv_push_detect_end(rv_detect_pass_t *pass, int ok)
{
    if (ok)
        rv_push_match_new(pass->c->db, pass->c->s, pass->p, pass->d.fresh);
    json_object_put(pass->d.fresh);
    pass->d.fresh = NULL;
}

int rv_push_detect_changes(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out)
{
    rv_detect_pass_t *pass = rv_push_detect_begin(c, p, out);
    int rv = rv_push_detect_part(pass, 0, 0, NULL);
    rv_push_detect_end(pass, rv == 0);
    return rv;
}

int rv_push_refresh_hash(rv_ctx_t *c, apr_pool_t *p, long long product_id)
{
    rv_push_env_t *e = rv_push_env(c, p);
    rv_item_t *it = rv_push_load_one(c, p, e, product_id);
    const char *h;
    if (!it)
        return -1;
    rv_item_resolve(it, e);
    h = rv_item_hash(p, it, e);
    if (!h)
        return -1;
    return rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_product_map SET pushed_hash = %s"
                      " WHERE product_id = %s", RV_ARGS(h, rv_i64(p, product_id)));
}

/* ---- the reconcile view reads the catalogue as the push does ---- */

typedef struct {
    rv_push_view_fn fn;
    void (*batch_end)(rv_ctx_t *c, apr_pool_t *p, void *baton);
    void *baton;
} rv_view_baton_t;

static void rv_view_one(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, rv_item_t *it,
                        void *baton)
{
    rv_view_baton_t *b = baton;
    const char *err = NULL;
    rv_push_view_t v = { it->prod.product_id, rv_product_sku(p, &it->prod), it->prod.name,
                         it->listing_id, it->listing_state, it->prod.quantity, it->prod.status,
                         it->has_product, rv_item_eligible(it), e->opts.sync_stock,
                         rv_listing_build(p, &it->prod, &e->opts, 0, &err) };
    b->fn(c, p, &v, b->baton);
    if (v.body)
        json_object_put(v.body);
}

static void rv_view_batch_end(rv_ctx_t *c, apr_pool_t *p, void *baton)
{
    rv_view_baton_t *b = baton;
    if (b->batch_end)
        b->batch_end(c, p, b->baton);
}

int rv_push_view_each(rv_ctx_t *c, apr_pool_t *p, rv_push_view_fn fn,
                      void (*batch_end)(rv_ctx_t *c, apr_pool_t *p, void *baton), void *baton)
{
    rv_view_baton_t b = { fn, batch_end, baton };
    return rv_push_each(c, p, rv_push_env(c, p), 0, rv_view_one, rv_view_batch_end, &b);
}

/* ---- the admin's preview ---- */

int rv_push_preview(rv_ctx_t *c, apr_pool_t *p, long long product_id, rv_push_preview_t *out)
{
    rv_push_env_t *e = rv_push_env(c, p);
    const char *shop_now = rv_shop_now(c->db, p, c->conf->store_id);
    rv_rows_t *rows;
    rv_item_t *it;
    int f;
    memset(out, 0, sizeof(*out));
    if (rv_db_query(c->db, p, &rows, rv_preview_sql,
                    RV_ARGS(e->customer_group_id, shop_now, shop_now, e->attrs->ids,
                            e->language_id, e->attrs->ids, e->language_id,
                            rv_i64(p, product_id))))
        return -1;
    if (rows->nrows == 0)
        return 0;
    it = rv_item_of_row(p, e, rows, 0);
    rv_item_resolve(it, e);
    out->found = 1;
    out->sync_enabled = it->sync_enabled;
    out->in_category = it->in_category;
    out->oc_enabled = it->prod.status == 1;
    out->listing_id = it->listing_id && *it->listing_id ? it->listing_id : NULL;
    out->create = out->listing_id == NULL;
    out->name = rv_text_oneline(p, rv_entity_decode(p, it->prod.name ? it->prod.name : ""));
    out->sku = rv_product_sku(p, &it->prod);
    out->body = rv_listing_build(p, &it->prod, &e->opts, out->create, &out->error);
    for (f = 0; f < RV_FM_N; f++)
        out->fields[f] = rv_product_field(p, &it->prod, &e->opts, (rv_fm_field_t)f);
    return 0;
}

/* ---- one push ---- */

static void rv_push_log(rv_ctx_t *c, apr_pool_t *p, const rv_item_t *it, const char *action,
                        const char *listing_id, const rv_api_result_t *res, const char *message)
{
    rv_log_entry_t le;
    memset(&le, 0, sizeof(le));
    le.product_id = it->prod.product_id;
    le.direction = "push";
    le.action = action;
    le.sku = rv_product_sku(p, &it->prod);
    le.listing_id = listing_id;
    if (res)
        rv_log_from_result(&le, res);
    else
        le.ok = 1;
    if (message)
        le.message = message;
    rv_log_write(c->db, p, &le);
}

static void rv_push_error(rv_ctx_t *c, apr_pool_t *p, const rv_item_t *it, const char *msg)
{
    rv_db_exec(c->db, p, NULL,
        "UPDATE {P}reverb_product_map SET last_error = %s, last_error_at = NOW() WHERE product_id = %s",
        RV_ARGS(msg ? msg : "unknown error", rv_i64(p, it->prod.product_id)));
}

static const char *rv_listing_state_of(json_object *listing)
{
    return rv_shape_listing_state(listing);
}

/* digits only: it goes into API paths and links */
static const char *rv_listing_id_of(apr_pool_t *p, json_object *listing)
{
    return rv_shape_listing_id(p, listing);
}

/* Everything the next change detection and a later pull compare against. */
static void rv_push_record(rv_ctx_t *c, apr_pool_t *p, const rv_item_t *it,
                           const rv_push_env_t *e, const char *listing_id, json_object *listing,
                           const char *hash, const char *photos_hash)
{
    const char *state = listing ? rv_listing_state_of(listing) : NULL;
    const char *url = listing ? rv_shape_listing_web(p, listing) : NULL;   /* https://reverb.com/ only */
    const char *price = rv_product_price(p, &it->prod, &e->opts);
    long long inv = rv_product_inventory(&it->prod, it->prod.condition_uuid && *it->prod.condition_uuid
                                          ? it->prod.condition_uuid : e->opts.default_condition_uuid);
    rv_db_exec(c->db, p, NULL,
        "UPDATE {P}reverb_product_map SET reverb_listing_id = %s,"
        " listing_state = COALESCE(NULLIF(%s, ''), NULLIF(listing_state, 'creating')),"
        " listing_url = COALESCE(NULLIF(%s, ''), listing_url, CONCAT('https://reverb.com/item/', %s)),"
        " pushed_hash = %s, photos_hash = COALESCE(NULLIF(%s, ''), photos_hash),"
        " synced_title = %s, synced_description = %s, synced_price = NULLIF(%s, ''),"
        " synced_quantity = %s, last_synced_at = NOW(), last_error = NULL, last_error_at = NULL"
        " WHERE product_id = %s",
        RV_ARGS(listing_id, state ? state : "", url ? url : "", listing_id, hash ? hash : "",
                photos_hash ? photos_hash : "",
                rv_text_oneline(p, rv_entity_decode(p, it->prod.name ? it->prod.name : "")),
                rv_html_to_text(p, it->prod.description ? it->prod.description : ""),
                price ? price : "", rv_i64(p, inv), rv_i64(p, it->prod.product_id)));
}

static rv_job_result_t rv_done(void)
{
    rv_job_result_t r = { RV_JOB_DONE, 0, NULL };
    return r;
}

static rv_job_result_t rv_fail(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
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
        return rv_fail(c, p, job, it, "end", NULL, &res);
    }
    rv_reverb_call(c, p, "PUT", path, body, &res);
    json_object_put(body);
    if (res.kind != RV_API_OK && res.kind != RV_API_NOT_FOUND)
        return rv_fail(c, p, job, it, "end", it->listing_id, &res);
    rv_db_exec(c->db, p, NULL,
        "UPDATE {P}reverb_product_map SET listing_state = 'ended', pushed_hash = NULL,"
        " last_synced_at = NOW(), last_error = NULL WHERE product_id = %s",
        RV_ARGS(rv_i64(p, it->prod.product_id)));
    rv_push_log(c, p, it, "end", it->listing_id, NULL,
                res.kind == RV_API_OK ? "Listing ended (no longer sold here)"
                                      : "Listing already gone on Reverb");
    rv_api_result_clear(&res);
    return rv_done();
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
            return rv_fail(c, p, job, it, "end", lid, &res);      /* retry (or defer) */
        rv_reverb_call(c, p, "GET", apr_pstrcat(p, "listings/", lid, NULL), NULL, &get);
        if (rv_api_deferred(&get)) {
            rv_api_result_clear(&res);
            return rv_fail(c, p, job, it, "end", lid, &get);      /* nothing was sent */
        }
        if (get.kind == RV_API_OK) {
            json_object *l = rv_json_path(get.json, "listing");
            now = rv_listing_state_of(l ? l : get.json);
            now = now ? apr_pstrdup(p, now) : NULL;
        }
        rv_api_result_clear(&get);
        if (!now || rv_state_for_sale(now))
            return rv_fail(c, p, job, it, "end", lid, &res);
        state = now;
        msg = apr_pstrcat(p, "Sold out in the shop; the listing is no longer for sale on Reverb"
                          " (state: ", now, ")", NULL);
    }
    rv_db_exec(c->db, p, NULL,
        "UPDATE {P}reverb_product_map SET listing_state = %s, pushed_hash = NULLIF(%s, ''),"
        " last_synced_at = NOW(), last_error = NULL, last_error_at = NULL WHERE product_id = %s",
        RV_ARGS(state, hash ? hash : "", rv_i64(p, it->prod.product_id)));
    rv_push_log(c, p, it, "end", lid, NULL, msg);
    rv_api_result_clear(&res);
    return rv_done();
}

/* SKU match: the full sync's prefetch first, else one lookup over all states. */
static int rv_push_find_by_sku(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                               const rv_item_t *it, const char **lid, rv_api_result_t *res)
{
    const char *sku = rv_product_sku(p, &it->prod), *next, *bad = NULL;
    json_object *listings;
    *lid = NULL;
    /* 'creating': a create was sent before and its outcome is unknown (the
     * answer was lost, or it failed): Reverb may have the listing although
     * the prefetch, older than that create, did not. Always look it up. */
    if (job->run_id && job->attempts == 1
        && !(it->listing_state && !strcmp(it->listing_state, "creating"))) {
        *lid = rv_db_value(c->db, p,
            /* a later prefetch that saw the SKU took the row over: the
             * listing exists all the same */
            "SELECT listing_id FROM {P}reverb_listing_seen WHERE sku = %s AND run_id >= %s",
            RV_ARGS(sku, rv_i64(p, job->run_id)));
        if (*lid || rv_db_value(c->db, p,
                "SELECT 1 FROM {P}reverb_sync_run WHERE run_id = %s AND total > 0",
                RV_ARGS(rv_i64(p, job->run_id))))
            return 0;   /* the prefetch saw every listing: absent means absent */
    }
    if (rv_reverb_call(c, p, "GET", apr_pstrcat(p, "my/listings?state=all&sku=",
                                                rv_url_escape(p, sku), NULL), NULL, res)
        != RV_API_OK)
        return -1;
    if (rv_shape_page(p, res->json, "listings", &listings, &next, &bad)) {
        rv_api_result_clear(res);
        res->kind = RV_API_NETWORK;
        res->message = bad;
        return -1;
    }
    {
        size_t i;
        for (i = 0; i < rv_json_len(listings); i++) {
            json_object *l = rv_json_idx(listings, i);
            const char *s = rv_json_str(l, "sku");
            if (s && !strcmp(s, sku)) {
                *lid = rv_listing_id_of(p, l);
                break;
            }
        }
    }
    rv_api_result_clear(res);
    return 0;
}

/* A push that is not made, with the reason in Last error and the sync log. */
static rv_job_result_t rv_push_refused(rv_ctx_t *c, apr_pool_t *p, const rv_item_t *it, const char *why)
{
    rv_job_result_t r = { RV_JOB_FAIL, 0, why };
    rv_api_result_t res;
    if (!why)
        return rv_done();
    memset(&res, 0, sizeof(res));
    res.kind = RV_API_INVALID;
    res.message = why;
    rv_push_log(c, p, it, "map", NULL, &res, NULL);
    rv_push_error(c, p, it, why);
    return r;
}

static rv_job_result_t rv_push_one(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                                   rv_item_t *it, const rv_push_env_t *e)
{
    const char *err = NULL, *lid = it->listing_id, *hash, *photos_hash, *action;
    json_object *body;
    rv_api_result_t res;
    int create;

    body = rv_listing_build(p, &it->prod, &e->opts, 0, &err);
    if (!body) {
        rv_job_result_t r = { RV_JOB_FAIL, 0, err };
        rv_api_result_t why;
        memset(&why, 0, sizeof(why));
        why.kind = RV_API_INVALID;
        why.message = apr_pstrcat(p, "Cannot list this product: ", err, NULL);
        rv_push_log(c, p, it, "map", lid, &why, NULL);
        rv_push_error(c, p, it, why.message);
        return r;
    }
    hash = rv_listing_hash(p, body);
    photos_hash = rv_photos_hash(p, &it->prod, &e->opts);
    json_object_put(body);

    if (lid && *lid && !rv_listing_id_ok(lid))
        lid = NULL;             /* not a Reverb id: never into a path; match by SKU */
    if (!lid || !*lid) {
        if (rv_push_find_by_sku(c, p, job, it, &lid, &res))
            return rv_fail(c, p, job, it, "lookup", NULL, &res);
    }
    else if (it->pushed_hash && !strcmp(hash, it->pushed_hash) && it->photos_hash
             && photos_hash && !strcmp(photos_hash, it->photos_hash)
             && rv_item_listed(it)) {
        return rv_done();   /* nothing changed: no request */
    }
    create = !lid;
    body = rv_listing_build(p, &it->prod, &e->opts, create, &err);
    if (!create && e->opts.sync_images
        && (!it->photos_hash || !photos_hash || strcmp(photos_hash, it->photos_hash)))
        rv_listing_attach_photos(p, body, &it->prod, &e->opts);
    if (!create && it->listing_state && !strcmp(it->listing_state, "ended")
        && rv_product_inventory(&it->prod, rv_item_condition(it, e)) > 0)
        json_object_object_add(body, "publish", json_object_new_boolean(1));   /* relist */
    action = create ? "create" : "update";
    if (create) {
        /* from here until an id is stored the outcome of a create may be
         * unknown: every later attempt looks the SKU up first */
        rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_product_map SET listing_state = 'creating'"
                   " WHERE product_id = %s AND reverb_listing_id IS NULL",
                   RV_ARGS(rv_i64(p, it->prod.product_id)));
    }
    rv_reverb_call(c, p, create ? "POST" : "PUT",
                   create ? "listings" : apr_pstrcat(p, "listings/", lid, NULL), body, &res);
    json_object_put(body);
    if (create && rv_api_deferred(&res) && !c->lease_lost
        && !(it->listing_state && !strcmp(it->listing_state, "creating")))
        /* our own limiter held the POST back: nothing was sent, so the next
         * attempt need not look the SKU up */
        rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_product_map SET listing_state = NULLIF(%s, '')"
                   " WHERE product_id = %s AND reverb_listing_id IS NULL AND listing_state = 'creating'",
                   RV_ARGS(it->listing_state ? it->listing_state : "",
                           rv_i64(p, it->prod.product_id)));
    if (res.kind == RV_API_NOT_FOUND && !create) {
        /* deleted on Reverb: forget it and match by SKU again */
        rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_product_map SET reverb_listing_id = NULL,"
                   " listing_state = NULL, pushed_hash = NULL WHERE product_id = %s",
                   RV_ARGS(rv_i64(p, it->prod.product_id)));
        rv_api_result_clear(&res);
        {
            rv_job_result_t r = { RV_JOB_RETRY, 0, "listing vanished on Reverb" };
            return r;
        }
    }
    if (res.kind != RV_API_OK)
        return rv_fail(c, p, job, it, action, lid, &res);
    {
        json_object *listing = rv_json_object_at(res.json, "listing");
        if (create)
            lid = rv_listing_id_of(p, listing);
        if (!lid) {
            rv_api_result_clear(&res);
            res.kind = RV_API_NETWORK;
            res.message = "Reverb's answer carried no listing id";
            return rv_fail(c, p, job, it, action, NULL, &res);
        }
        int txn = rv_db_begin(c->db) == 0;     /* the map row and its log line: one commit */
        rv_push_record(c, p, it, e, lid, listing, hash,
                       (create || e->opts.sync_images) ? photos_hash : NULL);
        rv_push_log(c, p, it, action, lid, NULL,
                    create ? (listing && rv_listing_state_of(listing)
                              && !strcmp(rv_listing_state_of(listing), "live")
                              ? "Listing created and published" : "Listing created as a draft")
                           : "Listing updated");
        if (txn && rv_db_commit(c->db))
            rv_db_rollback(c->db);
        /* an adopted listing still live although the one-of-a-kind item is sold out */
        if (!create && rv_item_sold_out_one_off(it, e) && listing && rv_listing_state_of(listing)
            && !strcmp(rv_listing_state_of(listing), "live")) {
            rv_api_result_clear(&res);
            return rv_push_sold_out(c, p, job, it, e, lid);
        }
    }
    rv_api_result_clear(&res);
    return rv_done();
}

rv_job_result_t rv_push_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_push_env_t *e = rv_push_env(c, p);
    long long product_id = apr_atoi64(job->ref), last;
    int count;
    apr_hash_t *items = rv_push_load_batch(c, p, e, product_id, 0, 0, &count, &last);
    rv_item_t *it;
    rv_job_result_t dberr = { RV_JOB_RETRY, 5000, "database error while loading the product" };

    if (!items)
        return dberr;
    it = apr_hash_get(items, rv_i64(p, product_id), APR_HASH_KEY_STRING);
    if (!it)
        return rv_done();           /* not mapped (or toggled off without a listing) */
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

/* ---- full sync ---- */

/* Pages through every seller listing (all states) and remembers SKU -> id,
 * then queues every eligible product as part of the run. */
typedef struct {
    long long run_id;
    int total;
} rv_run_queue_t;

/* Queueing a big catalogue takes a while: the lease is renewed per batch. */
static void rv_run_batch_end(rv_ctx_t *c, apr_pool_t *p, void *baton)
{
    (void)baton;
    if (c->job && !c->lease_lost && rv_queue_extend(c->db, p, c->job, c->lease_s)) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, c->s,
                     RVLOGNO(0033) "the full sync %s was taken over by another process (its lease "
                     "had run out, or the database could not confirm it); stopped queueing",
                     c->job->ref);
        c->lease_lost = 1;
    }
}

/* A full sync queues every product it may have to push or end. */
static void rv_queue_for_run(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, rv_item_t *it,
                             void *baton)
{
    rv_run_queue_t *run = baton;
    (void)e;
    if (c->lease_lost)
        return;
    if (rv_item_eligible(it) || rv_item_listed(it)) {
        rv_queue_add(c->db, p, "push", rv_i64(p, it->prod.product_id), RV_PRIO_BULK, run->run_id);
        run->total++;
    }
}

rv_job_result_t rv_prefetch_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    const char *path = "my/listings?state=all&per_page=50";
    rv_api_result_t res;
    rv_run_queue_t run = { 0, 0 };
    int total = 0, pages = 0;

    while (path && pages++ < 10000) {
        json_object *ls;
        const char *next, *bad = NULL;
        size_t i, n;
        if (rv_reverb_call(c, p, "GET", path, NULL, &res) != RV_API_OK
            || rv_shape_page(p, res.json, "listings", &ls, &next, &bad)) {
            rv_item_t none;
            memset(&none, 0, sizeof(none));
            if (bad) {                  /* a 2xx of the wrong shape */
                rv_api_result_clear(&res);
                res.kind = RV_API_NETWORK;
                res.message = apr_pstrcat(p, "The full sync stopped: ", bad, NULL);
            }
            return rv_fail(c, p, job, &none, "prefetch", NULL, &res);
        }
        n = rv_json_len(ls);
        for (i = 0; i < n; i++) {
            json_object *l = rv_json_idx(ls, i);
            const char *sku = rv_json_str(l, "sku"), *id = rv_listing_id_of(p, l);
            const char *state = rv_listing_state_of(l);
            if (sku && *sku && id)
                rv_db_exec(c->db, p, NULL,
                    "REPLACE INTO {P}reverb_listing_seen (sku, listing_id, state, run_id)"
                    " VALUES (%s, %s, %s, %s)",
                    RV_ARGS(sku, id, state ? state : "", job->ref));
        }
        path = next;
        rv_api_result_clear(&res);
    }
    run.run_id = apr_atoi64(job->ref);
    if (rv_db_value(c->db, p, "SELECT 1 FROM {P}reverb_sync_run WHERE run_id = %s"
                    " AND kind = 'match'", RV_ARGS(job->ref))) {
        int released = rv_queue_release_run(c->db, p, "push", run.run_id);
        /* total > 0: the pushes trust the prefetch ("absent means absent") */
        rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_sync_run SET total = %s, state = 'finished',"
                   " finished_at = NOW(3) WHERE run_id = %s",
                   RV_ARGS(apr_itoa(p, released > 0 ? released : 1), job->ref));
        return rv_done();
    }
    if (rv_push_each(c, p, rv_push_env(c, p), 0, rv_queue_for_run, rv_run_batch_end, &run)) {
        rv_job_result_t r = { RV_JOB_RETRY, 5000, "database error" };
        return r;
    }
    if (c->lease_lost) {
        rv_job_result_t r = { RV_JOB_DEFER, 1000, "taken over by another process" };
        return r;               /* the job row is no longer ours: leave it alone */
    }
    total = run.total;
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_sync_run SET total = %s WHERE run_id = %s",
               RV_ARGS(apr_itoa(p, total ? total : -1), job->ref));
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s,
                 RVLOGNO(0019) "full sync %s: %d listings pages read, %d products queued",
                 job->ref, pages, total);
    return rv_done();
}

static json_object *rv_run_json(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    rv_rows_t *rows;
    json_object *o;
    long long total, done, failed, open, elapsed;
    if (rv_db_query(q->db, p, &rows,
            "SELECT r.run_id, r.state, r.total,"
            " DATE_FORMAT(r.started_at, '%%Y-%%m-%%dT%%H:%%i:%%sZ') AS started_at,"
            " TIMESTAMPDIFF(SECOND, r.started_at, NOW(3)) AS elapsed,"
            " (SELECT COUNT(*) FROM {P}reverb_job j WHERE j.run_id = r.run_id AND j.kind = 'push'"
            "   AND j.state = 'done') AS done,"
            " (SELECT COUNT(*) FROM {P}reverb_job j WHERE j.run_id = r.run_id AND j.kind = 'push'"
            "   AND j.state = 'failed') AS failed,"
            " (SELECT COUNT(*) FROM {P}reverb_job j WHERE j.run_id = r.run_id"
            "   AND j.state IN ('pending', 'running')) AS open"
            " FROM {P}reverb_sync_run r WHERE r.kind = 'full' ORDER BY r.run_id DESC LIMIT 1",
            RV_NOARGS)
        || rows->nrows == 0)
        return NULL;
    total = rv_row_int(rows, 0, "total", 0);
    done = rv_row_int(rows, 0, "done", 0);
    failed = rv_row_int(rows, 0, "failed", 0);
    open = rv_row_int(rows, 0, "open", 0);
    elapsed = rv_row_int(rows, 0, "elapsed", 0);
    if (total < 0)
        total = 0;       /* prefetch found nothing to sync */
    if (!strcmp(rv_row_get(rows, 0, "state"), "running") && open == 0
        && rv_row_int(rows, 0, "total", 0) != 0) {
        rv_db_exec(q->db, p, NULL, "UPDATE {P}reverb_sync_run SET state = 'finished',"
                   " finished_at = NOW(3) WHERE run_id = %s AND state = 'running'",
                   RV_ARGS(rv_row_get(rows, 0, "run_id")));
        rows->rows[0][1] = "finished";
    }
    o = json_object_new_object();
    json_object_object_add(o, "run_id", json_object_new_int64(rv_row_int(rows, 0, "run_id", 0)));
    json_object_object_add(o, "state", json_object_new_string(rv_row_get(rows, 0, "state")));
    json_object_object_add(o, "total", json_object_new_int64(total));
    json_object_object_add(o, "done", json_object_new_int64(done));
    json_object_object_add(o, "failed", json_object_new_int64(failed));
    json_object_object_add(o, "eta_seconds", done + failed > 0 && total > done + failed
        ? json_object_new_int64(elapsed * (total - done - failed) / (done + failed)) : NULL);
    json_object_object_add(o, "started_at", json_object_new_string(rv_row_get(rows, 0, "started_at")));
    return o;
}

/* POST: start a run (409 while one runs); GET: its progress. */
int rv_route_sync(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *out = json_object_new_object(), *run;
    if (q->r->method_number == M_POST) {
        json_object *in;
        const char *running, *id;
        if (rv_http_read_json_object(q->r, &in)) {
            json_object_put(out);
            return OK;
        }
        /* the 'sync' lock row serialises starts across processes and servers */
        if (rv_db_begin(q->db)
            || !rv_db_value(q->db, p, "SELECT name FROM {P}reverb_lock WHERE name = 'sync' FOR UPDATE",
                            RV_NOARGS)) {
            rv_db_rollback(q->db);
            json_object_put(out);
            return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The sync could not be started (database error).");
        }
        run = rv_run_json(q);   /* also closes a finished run */
        running = run ? json_object_get_string(json_object_object_get(run, "state")) : NULL;
        if (running && !strcmp(running, "running")) {
            rv_db_rollback(q->db);
            json_object_put(run);
            json_object_put(out);
            return rv_http_error(q->r, HTTP_CONFLICT, "sync_running",
                                 "A full sync is already running. Watch its progress, or wait until it ends.");
        }
        if (run)
            json_object_put(run);
        if (rv_db_exec(q->db, p, NULL, "INSERT INTO {P}reverb_sync_run (state) VALUES ('running')",
                       RV_NOARGS)
            || !(id = rv_db_last_id(q->db, p))
            || rv_queue_add(q->db, p, "prefetch", id, RV_PRIO_BULK - 1, apr_atoi64(id))
            || rv_db_commit(q->db)) {
            rv_db_rollback(q->db);
            json_object_put(out);
            return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The sync could not be started (database error).");
        }
        json_object_object_add(out, "run", rv_run_json(q));
        return rv_http_json(q->r, HTTP_ACCEPTED, out);
    }
    json_object_object_add(out, "run", rv_run_json(q));
    return rv_http_json(q->r, HTTP_OK, out);
}

int rv_route_product_sync(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *out;
    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (!rv_db_value(q->db, p, "SELECT product_id FROM {P}product WHERE product_id = %s",
                     RV_ARGS(rv_i64(p, q->id))))
        return rv_http_error(q->r, HTTP_NOT_FOUND, "not_found", "No such product.");
    /* a product never toggled gets its map row, so the push can report why it is skipped */
    rv_db_exec(q->db, p, NULL, "INSERT IGNORE INTO {P}reverb_product_map (product_id) VALUES (%s)",
               RV_ARGS(rv_i64(p, q->id)));
    if (rv_push_enqueue_product(q->db, p, q->id, RV_PRIO_NOW))
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The product could not be queued (database error).");
    out = json_object_new_object();
    json_object_object_add(out, "queued", json_object_new_boolean(1));
    return rv_http_json(q->r, HTTP_ACCEPTED, out);
}
