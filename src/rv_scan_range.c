/* rv_scan_range.c: the full scan's shortcut (docs/ARCHITECTURE.md, "Change
 * detection"). Per id range of the map (rv_detect.c: 5,000 map rows a
 * range) a digest of every row the products' detection digest (rv_catalogue.c)
 * is computed from, each table read alone by its product_id index: no
 * per-product lookup into another table, which is what makes the
 * per-product digest cost several times a plain read. A range whose digest
 * equals the one stored when every product in it was last found unchanged
 * holds no change: its products are not read one by one.
 *
 * Each row is hashed (MD5, cut to 32 bits by CRC32) and the hashes XORed
 * per table, so a change in any row moves the digest (a change missed only
 * when 32 bits collide: about 1 in 4 billion). Everything is covered that
 * the per-product digest covers: the map row's columns (not its own notes:
 * source_hash, updated_at), the product's, its description in the
 * language, the specials of the customer group (and whether each is
 * active now, in the shop's time: one starting or ending moves it), its
 * images, categories and mapped attributes, every manufacturer's name, and
 * the settings' fingerprint. Digests live in {P}reverb_cache, a row per
 * range ("scan:<store>:<after>:<upto>"). */
#include "rv_scan_range.h"
#include "rv_shoptime.h"

#include "apr_strings.h"

#define RV_ROWHASH(cols) "BIT_XOR(CRC32(MD5(CONCAT_WS(0x1f, " cols "))))"
#define RV_N(x) "IFNULL(" x ", 0x00)"

static const char *rv_scan_range_sql =
    "SELECT CONCAT_WS(',', MD5(%s),"
    " (SELECT " RV_ROWHASH("rm.product_id, " RV_N("rm.reverb_listing_id") ", rm.sync_enabled, "
        RV_N("rm.condition_uuid") ", " RV_N("rm.reverb_category_uuid") ", rm.handmade,"
        " rm.upc_does_not_apply, " RV_N("rm.pushed_hash") ", " RV_N("rm.photos_hash") ", "
        RV_N("rm.listing_state") ", " RV_N("rm.offers_enabled") ", "
        RV_N("rm.shipping_profile_id") ", " RV_N("rm.local_pickup"))
    "   FROM {P}reverb_product_map rm WHERE rm.product_id > %s AND rm.product_id <= %s),"
    " (SELECT " RV_ROWHASH("p.product_id, " RV_N("p.model") ", " RV_N("p.sku") ", "
        RV_N("p.upc") ", " RV_N("p.ean") ", " RV_N("p.mpn") ", " RV_N("p.quantity") ", "
        RV_N("p.price") ", " RV_N("p.status") ", " RV_N("p.image") ", "
        RV_N("p.manufacturer_id"))
    "   FROM {P}product p WHERE p.product_id > %s AND p.product_id <= %s),"
    " (SELECT " RV_ROWHASH("pd.product_id, " RV_N("pd.name") ", " RV_N("pd.description"))
    "   FROM {P}product_description pd WHERE pd.product_id > %s AND pd.product_id <= %s"
    "   AND pd.language_id = %s),"
    " (SELECT " RV_ROWHASH("ps.product_id, ps.product_special_id, " RV_N("ps.priority") ", "
        RV_N("ps.price") ", (ps.date_start = '0000-00-00' OR ps.date_start < %s)"
        " AND (ps.date_end = '0000-00-00' OR ps.date_end > %s)")
    "   FROM {P}product_special ps WHERE ps.product_id > %s AND ps.product_id <= %s"
    "   AND ps.customer_group_id = %s),"
    " (SELECT " RV_ROWHASH("pi.product_id, pi.product_image_id, " RV_N("pi.image") ", "
        RV_N("pi.sort_order"))
    "   FROM {P}product_image pi WHERE pi.product_id > %s AND pi.product_id <= %s),"
    " (SELECT " RV_ROWHASH("pc.product_id, pc.category_id")
    "   FROM {P}product_to_category pc WHERE pc.product_id > %s AND pc.product_id <= %s),"
    " (SELECT " RV_ROWHASH("pa.product_id, pa.attribute_id, " RV_N("pa.text"))
    "   FROM {P}product_attribute pa WHERE %s <> '' AND pa.product_id > %s"
    "   AND pa.product_id <= %s AND pa.language_id = %s AND FIND_IN_SET(pa.attribute_id, %s)),"
    " (SELECT " RV_ROWHASH("m.manufacturer_id, " RV_N("m.name")) " FROM {P}manufacturer m))";

const char *rv_scan_range_digest(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in,
                                 long long after, long long upto)
{
    const char *lo = rv_i64(p, after), *hi = rv_i64(p, upto);
    const char *now = in->shop_now;
    rv_rows_t *rows;
    if (!now || rv_db_query(db, p, &rows, rv_scan_range_sql,
                            RV_ARGS(in->fingerprint, lo, hi, lo, hi, lo, hi, in->language_id,
                                    now, now, lo, hi, in->customer_group_id, lo, hi, lo, hi,
                                    in->attr_ids, lo, hi, in->language_id, in->attr_ids))
        || rows->nrows != 1)
        return NULL;
    return rows->ncols == 1 ? rows->rows[0][0] : NULL;
}

static const char *rv_scan_range_name(apr_pool_t *p, const rv_scan_range_in_t *in,
                                      long long after, long long upto)
{
    return apr_pstrcat(p, "scan:", apr_itoa(p, in->store_id), ":", rv_i64(p, after), ":",
                       rv_i64(p, upto), NULL);
}

void rv_scan_range_load(rv_db_t *db, apr_pool_t *p, rv_scan_range_in_t *in)
{
    rv_rows_t *rows;
    int i;
    in->stored = apr_hash_make(p);
    in->shop_now = rv_shop_now(db, p, in->store_id);
    if (rv_db_query(db, p, &rows, "SELECT name, value FROM {P}reverb_cache WHERE name LIKE %s"
                    " AND expires_at > NOW()",
                    RV_ARGS(apr_pstrcat(p, "scan:", apr_itoa(p, in->store_id), ":%", NULL))))
        return;
    for (i = 0; i < rows->nrows; i++)
        if (rows->rows[i][0] && rows->rows[i][1])
            apr_hash_set(in->stored, rows->rows[i][0], APR_HASH_KEY_STRING, rows->rows[i][1]);
}

int rv_scan_range_same(const rv_scan_range_in_t *in, apr_pool_t *p, long long after,
                       long long upto, const char *digest)
{
    const char *was = in->stored ? apr_hash_get(in->stored, rv_scan_range_name(p, in, after, upto),
                                                APR_HASH_KEY_STRING) : NULL;
    return was && digest && !strcmp(was, digest);
}

int rv_scan_range_store(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in,
                        long long after, long long upto, const char *digest)
{
    return rv_db_exec(db, p, NULL, "REPLACE INTO {P}reverb_cache (name, value, expires_at)"
                      " VALUES (%s, %s, NOW() + INTERVAL 7 DAY)",
                      RV_ARGS(rv_scan_range_name(p, in, after, upto), digest));
}

void rv_scan_range_prune(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in)
{
    rv_db_exec(db, p, NULL, "DELETE FROM {P}reverb_cache WHERE name LIKE %s"
               " AND expires_at <= NOW()",
               RV_ARGS(apr_pstrcat(p, "scan:", apr_itoa(p, in->store_id), ":%", NULL)));
}
