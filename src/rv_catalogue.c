/* rv_catalogue.c: loading the catalogue (see rv_catalogue.h).
 *
 * Products are loaded set-wise (one query for one product or for a batch
 * of the whole catalogue) and mapped by the core (rv_product.c). In
 * detection mode each row's digest of everything its listing is built from
 * is taken here (rv_item_fp), so change detection (rv_change.c) skips
 * unchanged products without mapping them. */
#include "rv_catalogue.h"
#include "rv_json.h"
#include "rv_language.h"
#include "rv_shoptime.h"
#include "rv_sha256.h"
#include "rv_migrate.h"
#include "rv_settings_listing.h"

#include "apr_strings.h"
#include "apr_thread_proc.h"
#include "apr_allocator.h"
#include "apr_escape.h"

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
 * Whatever rv_catalogue_env reads must be in here. */
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

rv_push_env_t *rv_catalogue_env(rv_ctx_t *c, apr_pool_t *p)
{
    rv_push_env_t *e;
    const rv_settings_t *st = c->settings;
    int store = c->conf->store_id;

    /* one worker round (or request) runs many jobs with the same settings:
     * OpenCart's config rows are read again only after RV_ENV_REUSE_S */
    if (c->env && apr_time_now() - c->env_at < apr_time_from_sec(RV_ENV_REUSE_S))
        return c->env;
    if (c->pool)
        p = c->pool;        /* it outlives the job that asked first */
    e = apr_pcalloc(p, sizeof(*e));
    e->zone = rv_oc_config(c->db, p, store, "config_timezone");
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
    e->language_id = rv_language_store(c->db, p, store);
    e->customer_group_id = rv_oc_config(c->db, p, store, "config_customer_group_id");
    if (!e->customer_group_id)
        e->customer_group_id = "1";
    e->attrs = rv_attrs_load(c->db, p, st);
    e->opts.fieldmap = &e->attrs->map;
    e->fingerprint = rv_env_fingerprint(p, e, st);
    apr_pool_cleanup_register(p, e, rv_env_cleanup, apr_pool_cleanup_null);
    if (c->pool) {
        c->env = e;
        c->env_at = apr_time_now();
    }
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

/* One row per mapped product with everything its listing is built from
 * (images and category ids as lists). Each subquery appears once in the
 * select list and nothing refers to its column again, so MariaDB runs it
 * once per row (a digest over the columns in SQL ran every subquery twice:
 * half of a detection pass). The inputs' digest is taken here in C from
 * the columns read (rv_item_fp); in detection mode a product whose digest
 * equals the source_hash stored when it was last found unchanged is not
 * mapped or hashed. Parameters: customer group, the shop's time twice,
 * attribute ids, language, attribute ids (RV_ATTRS_COLUMN), (rv_load_ids_sql:
 * the ids), language, product id (0: all) twice, after-id, up-to-id. */
/* The columns, over rm (the map row), p, pd and m, for the product whose id
 * is the SQL expression ID. Parameters: customer group, the shop's time
 * twice, then RV_ATTRS_COLUMN's three. */
#define RV_LOAD_COLS(ID) \
    " " ID " AS product_id, rm.reverb_listing_id, rm.sync_enabled, rm.condition_uuid," \
    " rm.reverb_category_uuid, rm.handmade, rm.upc_does_not_apply, rm.pushed_hash," \
    " rm.photos_hash, rm.listing_state, rs.source_hash, rm.offers_enabled," \
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
    "SELECT" RV_LOAD_COLS("rm.product_id")
    " FROM {P}reverb_product_map rm"
    " LEFT JOIN {P}reverb_source rs ON rs.product_id = rm.product_id"
    " LEFT JOIN {P}product p ON p.product_id = rm.product_id"
    " LEFT JOIN {P}product_description pd ON pd.product_id = rm.product_id AND pd.language_id = %s"
    " LEFT JOIN {P}manufacturer m ON m.manufacturer_id = p.manufacturer_id"
    " WHERE (%s = '0' OR rm.product_id = %s) AND rm.product_id > %s AND rm.product_id <= %s"
    "   AND (rm.sync_enabled = 1 OR rm.reverb_listing_id IS NOT NULL)"
    " ORDER BY rm.product_id LIMIT " APR_STRINGIFY(RV_LOAD_BATCH);
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
    " LEFT JOIN {P}reverb_source rs ON rs.product_id = p.product_id"
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

/* The columns an item is built from, found once per result (a name
 * lookup per column and row was a tenth of detection's time in C). */
#define RV_ITEM_COLS(X) \
    X(PRODUCT_ID, "product_id") X(PID, "pid") X(SYNC_ENABLED, "sync_enabled") \
    X(REVERB_LISTING_ID, "reverb_listing_id") X(LISTING_STATE, "listing_state") \
    X(PUSHED_HASH, "pushed_hash") X(PHOTOS_HASH, "photos_hash") X(SOURCE_HASH, "source_hash") \
    X(NAME, "name") X(DESCRIPTION, "description") X(MODEL, "model") X(SKU, "sku") \
    X(UPC, "upc") X(EAN, "ean") X(MPN, "mpn") X(MANUFACTURER, "manufacturer") \
    X(PRICE, "price") X(SPECIAL, "special") X(QUANTITY, "quantity") X(STATUS, "status") \
    X(IMAGE, "image") X(CONDITION_UUID, "condition_uuid") \
    X(REVERB_CATEGORY_UUID, "reverb_category_uuid") X(HANDMADE, "handmade") \
    X(UPC_DOES_NOT_APPLY, "upc_does_not_apply") X(OFFERS_ENABLED, "offers_enabled") \
    X(SHIPPING_PROFILE_ID, "shipping_profile_id") X(LOCAL_PICKUP, "local_pickup") \
    X(ATTRS, "attrs") X(IMAGES, "images") X(CATEGORIES, "categories")
#define RV_C_ENUM(id, name) RV_C_##id,
#define RV_C_NAME(id, name) name,
enum { RV_ITEM_COLS(RV_C_ENUM) RV_C_N };
static const char *const rv_item_col_names[RV_C_N] = { RV_ITEM_COLS(RV_C_NAME) };
typedef struct {
    int j[RV_C_N];
} rv_item_cols_t;

static void rv_item_cols_find(const rv_rows_t *r, rv_item_cols_t *c)
{
    int k;
    for (k = 0; k < RV_C_N; k++)
        c->j[k] = rv_row_col(r, rv_item_col_names[k]);
}

static const char *rv_col(const rv_rows_t *r, int i, const rv_item_cols_t *c, int k)
{
    return c->j[k] < 0 ? NULL : r->rows[i][c->j[k]];
}

static long long rv_col_int(const rv_rows_t *r, int i, const rv_item_cols_t *c, int k,
                            long long dflt)
{
    const char *v = rv_col(r, i, c, k);
    return v ? apr_atoi64(v) : dflt;
}

static void rv_item_fill(rv_item_t *it, const rv_rows_t *r, int i, const rv_item_cols_t *c)
{
    rv_product_t *pr = &it->prod;
    pr->product_id = rv_col_int(r, i, c, RV_C_PRODUCT_ID, 0);
    it->has_product = rv_col(r, i, c, RV_C_PID) != NULL;
    it->sync_enabled = (int)rv_col_int(r, i, c, RV_C_SYNC_ENABLED, 0);
    it->listing_id = rv_col(r, i, c, RV_C_REVERB_LISTING_ID);
    it->listing_state = rv_col(r, i, c, RV_C_LISTING_STATE);
    it->pushed_hash = rv_col(r, i, c, RV_C_PUSHED_HASH);
    it->photos_hash = rv_col(r, i, c, RV_C_PHOTOS_HASH);
    it->source_hash = rv_col(r, i, c, RV_C_SOURCE_HASH);
    pr->name = rv_col(r, i, c, RV_C_NAME);
    pr->description = rv_col(r, i, c, RV_C_DESCRIPTION);
    pr->model = rv_col(r, i, c, RV_C_MODEL);
    pr->sku = rv_col(r, i, c, RV_C_SKU);
    pr->upc = rv_col(r, i, c, RV_C_UPC);
    pr->ean = rv_col(r, i, c, RV_C_EAN);
    pr->mpn = rv_col(r, i, c, RV_C_MPN);
    pr->manufacturer = rv_col(r, i, c, RV_C_MANUFACTURER);
    pr->price = rv_col(r, i, c, RV_C_PRICE);
    pr->special_price = rv_col(r, i, c, RV_C_SPECIAL);
    pr->quantity = rv_col_int(r, i, c, RV_C_QUANTITY, 0);
    pr->status = (int)rv_col_int(r, i, c, RV_C_STATUS, 0);
    pr->image = rv_col(r, i, c, RV_C_IMAGE);
    pr->condition_uuid = rv_col(r, i, c, RV_C_CONDITION_UUID);
    pr->category_uuid = rv_col(r, i, c, RV_C_REVERB_CATEGORY_UUID);
    pr->handmade = (int)rv_col_int(r, i, c, RV_C_HANDMADE, 0);
    pr->upc_does_not_apply = (int)rv_col_int(r, i, c, RV_C_UPC_DOES_NOT_APPLY, 1);
    pr->offers_enabled = rv_col(r, i, c, RV_C_OFFERS_ENABLED);
    pr->shipping_profile_id = rv_col(r, i, c, RV_C_SHIPPING_PROFILE_ID);
    pr->local_pickup = rv_col(r, i, c, RV_C_LOCAL_PICKUP);
}

/* The inputs' digest of row i (32 hex digits): the settings' fingerprint
 * and every column read but column `skip` (source_hash itself), each as its length and
 * bytes (SQL NULL: a length no text has), so no two rows collide by how
 * their values are cut. */
static const char *rv_item_fp(apr_pool_t *p, const rv_push_env_t *e, const rv_rows_t *rows,
                              int i, int skip)
{
    rv_sha256_ctx c;
    unsigned char d[32];
    int j;
    rv_sha256_init(&c);
    rv_sha256_update(&c, e->fingerprint, strlen(e->fingerprint) + 1);
    for (j = 0; j < rows->ncols; j++) {
        const char *v = rows->rows[i][j];
        unsigned long long len = v ? (unsigned long long)strlen(v) : ~0ULL;
        if (j == skip)
            continue;
        rv_sha256_update(&c, &len, sizeof(len));
        if (v)
            rv_sha256_update(&c, v, (size_t)len);
    }
    rv_sha256_final(&c, d);
    return apr_pescape_hex(p, d, 16, 0);
}

static rv_item_t *rv_item_of_row(apr_pool_t *p, const rv_push_env_t *e, const rv_rows_t *rows,
                                 int i, const rv_item_cols_t *c)
{
    rv_item_t *it = apr_pcalloc(p, sizeof(*it));
    rv_item_fill(it, rows, i, c);
    rv_attrs_fill(p, e->attrs, &it->prod, rv_col(rows, i, c, RV_C_ATTRS));
    it->prod.stock_buffer = e->stock_buffer;
    it->images = apr_array_make(p, 4, sizeof(char *));
    it->categories = apr_array_make(p, 2, sizeof(char *));
    rv_split_into(p, it->images, rv_col(rows, i, c, RV_C_IMAGES), "\x1e");
    rv_split_into(p, it->categories, rv_col(rows, i, c, RV_C_CATEGORIES), ",");
    return it;
}


/* product_id 0: the next batch of mapped products after `after` (by id),
 * within `part` (NULL: the whole map), else that one product;
 * `changed_only`: only products whose inputs moved since they were last
 * found unchanged. Returns a hash of id -> rv_item_t; *count is the number
 * of products read and *last the highest id. */
apr_hash_t *rv_catalogue_load_part(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                                     long long product_id, long long after, int changed_only,
                                     const rv_load_part_t *part, int *count, long long *last)
{
    const char *pid = rv_i64(p, product_id), *shop_now, *upto;
    apr_hash_t *items = apr_hash_make(p);
    rv_rows_t *rows;
    rv_item_cols_t cols;
    int i, j, rv;

    *count = 0;
    *last = after;
    shop_now = rv_shop_now_in(p, e->zone);
    upto = part && part->upto > 0 ? rv_i64(p, part->upto) : RV_ID_MAX;
    if (part && part->ids_json)
        rv = rv_db_query(c->db, p, &rows, rv_load_ids_sql(p),
                         RV_ARGS(e->customer_group_id, shop_now, shop_now,
                                 e->attrs->ids, e->language_id, e->attrs->ids,
                                 part->ids_json, e->language_id, pid, pid,
                                 rv_i64(p, after), upto));
    else
        rv = rv_db_query(c->db, p, &rows, rv_load_sql,
                         RV_ARGS(e->customer_group_id, shop_now, shop_now,
                                 e->attrs->ids, e->language_id, e->attrs->ids,
                                 e->language_id, pid, pid,
                                 rv_i64(p, after), upto));
    if (rv)
        return NULL;
    rv_item_cols_find(rows, &cols);
    j = cols.j[RV_C_SOURCE_HASH] < 0 ? rows->ncols : cols.j[RV_C_SOURCE_HASH];
    for (i = 0; i < rows->nrows; i++) {
        const char *fp = changed_only ? rv_item_fp(p, e, rows, i, j) : NULL;
        const char *was = rv_col(rows, i, &cols, RV_C_SOURCE_HASH);
        rv_item_t *it;
        *last = rv_col_int(rows, i, &cols, RV_C_PRODUCT_ID, 0);
        if (fp && was && !strcmp(fp, was))
            continue;           /* nothing it is built from moved since it was found unchanged */
        it = rv_item_of_row(p, e, rows, i, &cols);
        it->source_fp = fp;
        apr_hash_set(items, rv_i64(p, it->prod.product_id), APR_HASH_KEY_STRING, it);
    }
    *count = rows->nrows;
    return items;
}

apr_hash_t *rv_catalogue_load_batch(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                                      long long product_id, long long after, int changed_only,
                                      int *count, long long *last)
{
    return rv_catalogue_load_part(c, p, e, product_id, after, changed_only, NULL, count, last);
}

/* One mapped product (NULL: not mapped, or a database error). */
rv_item_t *rv_catalogue_load_one(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                                   long long product_id)
{
    int count;
    long long last;
    apr_hash_t *items = rv_catalogue_load_batch(c, p, e, product_id, 0, 0, &count, &last);
    return items ? apr_hash_get(items, rv_i64(p, product_id), APR_HASH_KEY_STRING) : NULL;
}


/* A batch read ahead: its own pool, with an allocator of its own, so a
 * thread may work in it while the caller's thread reads the next batch. */
typedef struct {
    apr_pool_t *bp;
    apr_hash_t *items;
    int count;
    const rv_push_env_t *e;
} rv_batch_t;

static int rv_batch_read(rv_ctx_t *c, const rv_push_env_t *e, int changed_only,
                         const rv_load_part_t *part, long long *after, rv_batch_t *b,
                         apr_allocator_t *a)
{
    apr_hash_index_t *hi;
    b->e = e;
    if (apr_pool_create_unmanaged_ex(&b->bp, NULL, a) != APR_SUCCESS)
        return -1;
    b->items = rv_catalogue_load_part(c, b->bp, e, 0, *after, changed_only, part, &b->count,
                                      after);
    if (!b->items) {
        apr_pool_destroy(b->bp);
        b->bp = NULL;
        return -1;
    }
    for (hi = apr_hash_first(b->bp, b->items); hi; hi = apr_hash_next(hi))
        rv_item_resolve(apr_hash_this_val(hi), e);
    return 0;
}

/* The listing and photo hashes of every eligible product in the batch
 * (pure computation on the batch's rows, in the batch's pool: the env is
 * only read). */
static void *APR_THREAD_FUNC rv_batch_hash(apr_thread_t *t, void *data)
{
    rv_batch_t *b = data;
    apr_hash_index_t *hi;
    for (hi = apr_hash_first(b->bp, b->items); hi; hi = apr_hash_next(hi)) {
        rv_item_t *it = apr_hash_this_val(hi);
        if (!rv_item_eligible(it))
            continue;
        it->hash_memo = rv_item_hash(b->bp, it, b->e);
        it->photos_memo = rv_item_photos_hash(b->bp, it, b->e);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static int rv_batch_more(const rv_load_part_t *part, const rv_batch_t *b, long long after)
{
    /* a full batch ending at the part's bound: nothing after it to read */
    return b->count == RV_LOAD_BATCH && !(part && part->upto > 0 && after >= part->upto);
}

/* Calls fn for every mapped product (resolved), a batch at a time, each
 * batch in one transaction (fn's writes commit together, not one by one);
 * changed_only: see rv_catalogue_load_part. In the caller's transaction
 * (part->in_txn: fn writes nothing, it decides; the caller writes later),
 * the listing hashes of one batch are computed in a thread of their own
 * while the next batch is read: the database and the mapping in C, which
 * took turns, overlap. */
int rv_catalogue_each_part(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, int changed_only,
                             const rv_load_part_t *part, long long after,
                             rv_item_fn fn, rv_batch_end_fn batch_end, void *baton)
{
    int own = !(part && part->in_txn), more, rv = 0, k = 0;
    rv_batch_t cur, next;
    /* two allocators, a batch's and the next one's, each batch pool's
     * blocks going back to its allocator for the batch after next (not to
     * the system: a fresh allocator per batch was a page fault per block) */
    apr_allocator_t *alloc[2] = { NULL, NULL };
    (void)p;
    if (apr_allocator_create(&alloc[0]) != APR_SUCCESS
        || apr_allocator_create(&alloc[1]) != APR_SUCCESS
        || rv_batch_read(c, e, changed_only, part, &after, &cur, alloc[0])) {
        rv = -1;
        goto done;
    }
    for (;;) {
        apr_thread_t *t = NULL;
        apr_hash_index_t *hi;
        int ahead;
        more = rv_batch_more(part, &cur, after);
        ahead = !own && more;
        next.bp = NULL;
        if (ahead) {
            /* the hashes in a thread while this one reads the next batch */
            if (apr_thread_create(&t, NULL, rv_batch_hash, &cur, cur.bp) != APR_SUCCESS)
                t = NULL;
            rv = rv_batch_read(c, e, changed_only, part, &after, &next, alloc[++k % 2]);
            if (t) {
                apr_status_t st;
                apr_thread_join(&st, t);
            }
        }
        if (rv == 0) {
            if (own)
                rv_db_begin(c->db);
            for (hi = apr_hash_first(cur.bp, cur.items); hi; hi = apr_hash_next(hi))
                fn(c, cur.bp, e, apr_hash_this_val(hi), baton);
            if (batch_end)
                batch_end(c, cur.bp, baton);
            if (own && rv_db_commit(c->db))
                rv_db_rollback(c->db);
        }
        apr_pool_destroy(cur.bp);
        if (rv || !more)
            break;
        if (!ahead && rv_batch_read(c, e, changed_only, part, &after, &next, alloc[++k % 2])) {
            rv = -1;
            break;
        }
        cur = next;
    }
done:
    if (alloc[0])
        apr_allocator_destroy(alloc[0]);
    if (alloc[1])
        apr_allocator_destroy(alloc[1]);
    return rv;
}

int rv_catalogue_each(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e, int changed_only,
                        rv_item_fn fn, rv_batch_end_fn batch_end, void *baton)
{
    return rv_catalogue_each_part(c, p, e, changed_only, NULL, 0, fn, batch_end, baton);
}

/* Eligibility, the category to list under, and the image array. */
void rv_item_resolve(rv_item_t *it, const rv_push_env_t *e)
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

int rv_item_eligible(const rv_item_t *it)
{
    return it->has_product && it->sync_enabled && it->in_category && it->prod.status == 1;
}

int rv_item_listed(const rv_item_t *it)
{
    return it->listing_id && *it->listing_id
        && !(it->listing_state && !strcmp(it->listing_state, "ended"));
}

/* The condition the listing is sent with: the product's, else the default. */
const char *rv_item_condition(const rv_item_t *it, const rv_push_env_t *e)
{
    return it->prod.condition_uuid && *it->prod.condition_uuid ? it->prod.condition_uuid
                                                               : e->opts.default_condition_uuid;
}

/* One of a kind (every condition but Brand New, B-Stock and Mint with
 * inventory): Reverb ignores `inventory`, so a listing sent inventory 0
 * stays for sale. Such an item with no stock left in OpenCart (and its
 * stock synced) must have its listing ended; a draft stays a draft. */
int rv_item_sold_out_one_off(const rv_item_t *it, const rv_push_env_t *e)
{
    const char *cond = rv_item_condition(it, e);
    return e->opts.sync_stock && !rv_condition_multi_quantity(cond)
        && rv_product_inventory(&it->prod, cond) == 0;
}

/* Live, or a state not known yet: it may be for sale. */
int rv_state_for_sale(const char *state)
{
    return !state || !*state || !strcmp(state, "live") || !strcmp(state, "creating");
}

int rv_item_end_sold_out(const rv_item_t *it, const rv_push_env_t *e)
{
    return rv_item_listed(it) && rv_state_for_sale(it->listing_state)
        && rv_item_sold_out_one_off(it, e);
}


/* The hash pair stored after a push; NULL when the product cannot be mapped. */
const char *rv_item_hash(apr_pool_t *p, const rv_item_t *it, const rv_push_env_t *e)
{
    const char *err = NULL;
    json_object *body;
    const char *h;
    if (it->hash_memo)
        return it->hash_memo;
    body = rv_listing_build(p, &it->prod, &e->opts, 0, &err);
    if (!body)
        return NULL;
    h = rv_listing_hash(p, body);
    json_object_put(body);
    return h;
}

const char *rv_item_photos_hash(apr_pool_t *p, const rv_item_t *it, const rv_push_env_t *e)
{
    return it->photos_memo ? it->photos_memo : rv_photos_hash(p, &it->prod, &e->opts);
}

/* One product of the shop, mapped or not (the admin's preview), resolved:
 * 1 and *out set, 0 no such product, -1 database error. */
int rv_catalogue_load_any(rv_ctx_t *c, apr_pool_t *p, const rv_push_env_t *e,
                          long long product_id, rv_item_t **out)
{
    const char *shop_now = rv_shop_now_in(p, e->zone);
    rv_rows_t *rows;
    rv_item_cols_t cols;
    *out = NULL;
    if (rv_db_query(c->db, p, &rows, rv_preview_sql,
                    RV_ARGS(e->customer_group_id, shop_now, shop_now, e->attrs->ids,
                            e->language_id, e->attrs->ids, e->language_id,
                            rv_i64(p, product_id))))
        return -1;
    if (rows->nrows == 0)
        return 0;
    rv_item_cols_find(rows, &cols);
    *out = rv_item_of_row(p, e, rows, 0, &cols);
    rv_item_resolve(*out, e);
    return 1;
}
