/* rv_map.c: the writes of reverb_product_map (see rv_map.h). */
#include "rv_map.h"

#include "apr_strings.h"

int rv_map_ensure(rv_db_t *db, apr_pool_t *p, long long product_id)
{
    return rv_db_exec(db, p, NULL, "INSERT IGNORE INTO {P}reverb_product_map (product_id) VALUES (%s)",
                      RV_ARGS(rv_i64(p, product_id)));
}

#define RV_IDS(alias) " JSON_TABLE(%s, '$[*]' COLUMNS (id BIGINT PATH '$')) " alias

int rv_map_set_flags_many(rv_db_t *db, apr_pool_t *p, const char *ids_json,
                          const char *const *keys, const char *const *values, int n)
{
    const char *cols = "", *vals = "", *upd = "";
    apr_array_header_t *args = apr_array_make(p, n + 1, sizeof(const char *));
    int i;
    for (i = 0; i < n; i++) {
        cols = apr_pstrcat(p, cols, ", ", keys[i], NULL);
        vals = apr_pstrcat(p, vals, ", %s", NULL);
        APR_ARRAY_PUSH(args, const char *) = values[i];
        upd = apr_pstrcat(p, upd, *upd ? ", " : "", keys[i], " = VALUES(", keys[i], ")", NULL);
    }
    APR_ARRAY_PUSH(args, const char *) = ids_json;
    return rv_db_exec(db, p, NULL, apr_pstrcat(p,
                      "INSERT INTO {P}reverb_product_map (product_id", cols, ")"
                      " SELECT j.id", vals, " FROM" RV_IDS("j"),
                      " ON DUPLICATE KEY UPDATE ", upd, NULL),
                      (const char **)args->elts, args->nelts);
}

int rv_map_forget_push(rv_db_t *db, apr_pool_t *p, long long product_id, const char *state)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_product_map SET pushed_hash = NULL,"
        " listing_state = COALESCE(NULLIF(%s, ''), listing_state) WHERE product_id = %s",
        RV_ARGS(state ? state : "", rv_i64(p, product_id)));
}

int rv_map_link_listing(rv_db_t *db, apr_pool_t *p, long long product_id, const char *listing_id,
                        const char *state, const char *url)
{
    return rv_db_exec(db, p, NULL,
        "INSERT INTO {P}reverb_product_map (product_id, reverb_listing_id, sync_enabled,"
        " listing_state, listing_url) VALUES (%s, %s, 1, %s, %s)"
        " ON DUPLICATE KEY UPDATE reverb_listing_id = VALUES(reverb_listing_id),"
        " sync_enabled = 1, listing_state = VALUES(listing_state),"
        " listing_url = VALUES(listing_url), pushed_hash = NULL, last_error = NULL,"
        " last_error_at = NULL", RV_ARGS(rv_i64(p, product_id), listing_id, state, url));
}

int rv_map_set_ended_by_listing(rv_db_t *db, apr_pool_t *p, const char *listing_id)
{
    return rv_db_exec(db, p, NULL, "UPDATE {P}reverb_product_map SET listing_state = 'ended',"
                      " last_synced_at = NOW() WHERE reverb_listing_id = %s", RV_ARGS(listing_id));
}

int rv_map_set_error(rv_db_t *db, apr_pool_t *p, long long product_id, const char *msg)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_product_map SET last_error = %s, last_error_at = NOW() WHERE product_id = %s",
        RV_ARGS(msg ? msg : "unknown error", rv_i64(p, product_id)));
}

int rv_map_set_pushed(rv_db_t *db, apr_pool_t *p, long long product_id, const rv_map_pushed_t *v)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_product_map SET reverb_listing_id = %s,"
        " listing_state = COALESCE(NULLIF(%s, ''), NULLIF(listing_state, 'creating')),"
        " listing_url = COALESCE(NULLIF(%s, ''), listing_url, CONCAT('https://reverb.com/item/', %s)),"
        " pushed_hash = %s, photos_hash = COALESCE(NULLIF(%s, ''), photos_hash),"
        " synced_title = %s, synced_description = %s, synced_price = NULLIF(%s, ''),"
        " synced_quantity = %s, last_synced_at = NOW(), last_error = NULL, last_error_at = NULL"
        " WHERE product_id = %s",
        RV_ARGS(v->listing_id, v->state ? v->state : "", v->url ? v->url : "", v->listing_id,
                v->hash ? v->hash : "", v->photos_hash ? v->photos_hash : "", v->title,
                v->description, v->price ? v->price : "", rv_i64(p, v->quantity),
                rv_i64(p, product_id)));
}

int rv_map_set_ended(rv_db_t *db, apr_pool_t *p, long long product_id)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_product_map SET listing_state = 'ended', pushed_hash = NULL,"
        " last_synced_at = NOW(), last_error = NULL WHERE product_id = %s",
        RV_ARGS(rv_i64(p, product_id)));
}

int rv_map_set_sold_out(rv_db_t *db, apr_pool_t *p, long long product_id, const char *state,
                        const char *hash)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_product_map SET listing_state = %s, pushed_hash = NULLIF(%s, ''),"
        " last_synced_at = NOW(), last_error = NULL, last_error_at = NULL WHERE product_id = %s",
        RV_ARGS(state, hash ? hash : "", rv_i64(p, product_id)));
}

int rv_map_set_creating(rv_db_t *db, apr_pool_t *p, long long product_id)
{
    return rv_db_exec(db, p, NULL, "UPDATE {P}reverb_product_map SET listing_state = 'creating'"
                      " WHERE product_id = %s AND reverb_listing_id IS NULL",
                      RV_ARGS(rv_i64(p, product_id)));
}

int rv_map_undo_creating(rv_db_t *db, apr_pool_t *p, long long product_id, const char *before)
{
    return rv_db_exec(db, p, NULL, "UPDATE {P}reverb_product_map SET listing_state = NULLIF(%s, '')"
                      " WHERE product_id = %s AND reverb_listing_id IS NULL AND listing_state = 'creating'",
                      RV_ARGS(before ? before : "", rv_i64(p, product_id)));
}

int rv_map_forget_listing(rv_db_t *db, apr_pool_t *p, long long product_id)
{
    return rv_db_exec(db, p, NULL, "UPDATE {P}reverb_product_map SET reverb_listing_id = NULL,"
                      " listing_state = NULL, pushed_hash = NULL WHERE product_id = %s",
                      RV_ARGS(rv_i64(p, product_id)));
}

int rv_map_set_pushed_hash(rv_db_t *db, apr_pool_t *p, long long product_id, const char *hash)
{
    return rv_db_exec(db, p, NULL, "UPDATE {P}reverb_product_map SET pushed_hash = %s"
                      " WHERE product_id = %s", RV_ARGS(hash, rv_i64(p, product_id)));
}

int rv_map_set_sources(rv_db_t *db, apr_pool_t *p, const char *pairs_json)
{
    /* reverb_source: a narrow row per product (no write to the map row, so
     * its updated_at, which the per-minute check reads, stays) */
    return rv_db_exec(db, p, NULL,
                      "INSERT INTO {P}reverb_source (product_id, source_hash)"
                      " SELECT j.id, j.fp FROM JSON_TABLE(%s, '$[*]' COLUMNS"
                      " (id INT PATH '$[0]', fp CHAR(32) PATH '$[1]')) j"
                      " ON DUPLICATE KEY UPDATE source_hash = VALUES(source_hash)",
                      RV_ARGS(pairs_json));
}

int rv_map_set_state(rv_db_t *db, apr_pool_t *p, long long product_id, const char *state)
{
    return rv_db_exec(db, p, NULL, "UPDATE {P}reverb_product_map SET listing_state = %s"
                      " WHERE product_id = %s", RV_ARGS(state, rv_i64(p, product_id)));
}

int rv_map_set_agreed(rv_db_t *db, apr_pool_t *p, long long product_id, const char *price,
                      const char *title, const char *description)
{
    return rv_db_exec(db, p, NULL,
        "UPDATE {P}reverb_product_map SET synced_price = COALESCE(%s, synced_price),"
        " synced_title = COALESCE(%s, synced_title),"
        " synced_description = COALESCE(%s, synced_description), last_synced_at = NOW()"
        " WHERE product_id = %s",
        RV_ARGS(price, title, description, rv_i64(p, product_id)));
}

int rv_map_move_stock(rv_db_t *db, apr_pool_t *p, int *affected, long long product_id,
                      long long oc_delta, long long base_now, long long base_was)
{
    return rv_db_exec(db, p, affected,
        "UPDATE {P}reverb_product_map rm"
        " LEFT JOIN {P}product pr ON pr.product_id = rm.product_id AND %s <> 0"
        " SET pr.quantity = pr.quantity + %s, rm.synced_quantity = %s"
        " WHERE rm.product_id = %s AND rm.synced_quantity = %s",
        RV_ARGS(rv_i64(p, oc_delta), rv_i64(p, oc_delta), rv_i64(p, base_now),
                rv_i64(p, product_id), rv_i64(p, base_was)));
}
