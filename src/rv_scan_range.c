/* rv_scan_range.c: the full scan's shortcut (docs/ARCHITECTURE.md, "Change
 * detection"). Per id range of the map (rv_detect.c: 5,000 map rows a
 * range) a digest of every OpenCart row the products' detection digest
 * (rv_catalogue.c) is computed from, each table read alone: no per-product
 * lookup into another table, which is what makes the per-product digest
 * cost several times a plain read. A range whose digest equals the one
 * stored when every product in it was last found unchanged holds no
 * change: its products are not read one by one.
 *
 * Two ways to the same digests: one range at a time (rv_scan_range_digest,
 * by the tables' product_id indexes, inside the range's snapshot), and
 * every range at once (rv_scan_range_all: each table read once in order, a
 * GROUP BY on the range an id falls in; on MyISAM, OpenCart 3's engine, a
 * read in order costs about a quarter of reading the same rows by index).
 *
 * Each row is hashed (MD5, cut to 32 bits by CRC32) and the hashes XORed
 * per table, so a change in any row moves the digest (a change missed only
 * when 32 bits collide: about 1 in 4 billion). Everything is covered that
 * the per-product digest covers and that can change without a trace: the
 * product's row, its description in the language, the specials of the
 * customer group (and whether each is active now, in the shop's time: one
 * starting or ending moves it), its images, categories and mapped
 * attributes, every manufacturer's name, and the settings' fingerprint.
 * Not the map rows: every write to one moves its updated_at (ON UPDATE),
 * which the per-minute check reads (rv_detect.c). Digests live in
 * {P}reverb_cache, a row per range ("scan:<store>:<after>:<upto>"). */
#include "rv_scan_range.h"
#include "rv_shoptime.h"

#include "apr_strings.h"

#define RV_ROWHASH(cols) "BIT_XOR(CRC32(MD5(CONCAT_WS(0x1f, " cols "))))"
#define RV_N(x) "IFNULL(" x ", 0x00)"

/* Each table's part: its rows' hash and where they are read from, with the
 * id range's two placeholders first in `where` (after those of `hash`). The
 * range query and the one-pass query below are built from the same text, so
 * their digests of the same rows are equal. */
typedef enum {
    RV_SCAN_ARGS_RANGE,     /* the range's two */
    RV_SCAN_ARGS_LANGUAGE,  /* and the language */
    RV_SCAN_ARGS_SPECIAL,   /* the shop's time twice (in hash), the range's, the customer group */
    RV_SCAN_ARGS_ATTRS      /* the range's, attribute ids, language, attribute ids */
} rv_scan_args_t;

typedef struct {
    const char *id;         /* the table's product_id column */
    const char *hash, *where;
    rv_scan_args_t args;
} rv_scan_part_t;

static const rv_scan_part_t rv_scan_parts[] = {
    { "p.product_id",
      RV_ROWHASH("p.product_id, " RV_N("p.model") ", " RV_N("p.sku") ", " RV_N("p.upc") ", "
                 RV_N("p.ean") ", " RV_N("p.mpn") ", " RV_N("p.quantity") ", " RV_N("p.price")
                 ", " RV_N("p.status") ", " RV_N("p.image") ", " RV_N("p.manufacturer_id")),
      " FROM {P}product p WHERE p.product_id > %s AND p.product_id <= %s", RV_SCAN_ARGS_RANGE },
    { "pd.product_id",
      RV_ROWHASH("pd.product_id, " RV_N("pd.name") ", " RV_N("pd.description")),
      " FROM {P}product_description pd WHERE pd.product_id > %s AND pd.product_id <= %s"
      " AND pd.language_id = %s", RV_SCAN_ARGS_LANGUAGE },
    { "ps.product_id",
      RV_ROWHASH("ps.product_id, ps.product_special_id, " RV_N("ps.priority") ", "
                 RV_N("ps.price") ", (ps.date_start = '0000-00-00' OR ps.date_start < %s)"
                 " AND (ps.date_end = '0000-00-00' OR ps.date_end > %s)"),
      " FROM {P}product_special ps WHERE ps.product_id > %s AND ps.product_id <= %s"
      " AND ps.customer_group_id = %s", RV_SCAN_ARGS_SPECIAL },
    { "pi.product_id",
      RV_ROWHASH("pi.product_id, pi.product_image_id, " RV_N("pi.image") ", "
                 RV_N("pi.sort_order")),
      " FROM {P}product_image pi WHERE pi.product_id > %s AND pi.product_id <= %s",
      RV_SCAN_ARGS_RANGE },
    { "pc.product_id",
      RV_ROWHASH("pc.product_id, pc.category_id"),
      " FROM {P}product_to_category pc WHERE pc.product_id > %s AND pc.product_id <= %s",
      RV_SCAN_ARGS_RANGE },
    { "pa.product_id",
      RV_ROWHASH("pa.product_id, pa.attribute_id, " RV_N("pa.text")),
      " FROM {P}product_attribute pa WHERE pa.product_id > %s AND pa.product_id <= %s"
      " AND %s <> '' AND pa.language_id = %s AND FIND_IN_SET(pa.attribute_id, %s)",
      RV_SCAN_ARGS_ATTRS },
};
#define RV_SCAN_PARTS (int)(sizeof(rv_scan_parts) / sizeof(rv_scan_parts[0]))

/* Every manufacturer's name (a product's make is read through it) and the
 * settings' fingerprint: the same for every range. */
#define RV_SCAN_MAKERS_HASH RV_ROWHASH("m.manufacturer_id, " RV_N("m.name"))
static const char rv_scan_common_sql[] =
    "SELECT MD5(%s), (SELECT " RV_SCAN_MAKERS_HASH " FROM {P}manufacturer m)";

/* Part k's arguments, in the order of its placeholders. */
static int rv_scan_part_args(const rv_scan_range_in_t *in, int k, const char *lo,
                             const char *hi, const char **out)
{
    rv_scan_args_t kind = rv_scan_parts[k].args;
    int n = 0;
    if (kind == RV_SCAN_ARGS_SPECIAL) {
        out[n++] = in->shop_now;
        out[n++] = in->shop_now;
    }
    out[n++] = lo;
    out[n++] = hi;
    if (kind == RV_SCAN_ARGS_LANGUAGE)
        out[n++] = in->language_id;
    else if (kind == RV_SCAN_ARGS_SPECIAL)
        out[n++] = in->customer_group_id;
    else if (kind == RV_SCAN_ARGS_ATTRS) {
        out[n++] = in->attr_ids;
        out[n++] = in->language_id;
        out[n++] = in->attr_ids;
    }
    return n;
}
#define RV_SCAN_PART_ARGS 5

/* "md5,x1,...,x6": the fingerprint's MD5, each part's XOR, the
 * manufacturers' (the order the range query gives them). */
static const char *rv_scan_join(apr_pool_t *p, const char *md5, const char *const *xs,
                                const char *m)
{
    const char *d = md5;
    int k;
    for (k = 0; k < RV_SCAN_PARTS; k++)
        d = apr_pstrcat(p, d, ",", xs[k] ? xs[k] : "0", NULL);
    return apr_pstrcat(p, d, ",", m ? m : "0", NULL);
}

static int rv_scan_common(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in,
                          const char **md5, const char **m)
{
    rv_rows_t *rows;
    if (rv_db_query(db, p, &rows, rv_scan_common_sql, RV_ARGS(in->fingerprint))
        || rows->nrows != 1 || rows->ncols != 2 || !rows->rows[0][0])
        return -1;
    *md5 = rows->rows[0][0];
    *m = rows->rows[0][1];
    return 0;
}

const char *rv_scan_range_digest(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in,
                                 long long after, long long upto)
{
    const char *lo = rv_i64(p, after), *hi = rv_i64(p, upto);
    const char *args[1 + RV_SCAN_PARTS * RV_SCAN_PART_ARGS + 1], *sql = "SELECT CONCAT_WS(',', MD5(%s)";
    rv_rows_t *rows;
    int k, n = 0;
    if (!in->shop_now)
        return NULL;
    args[n++] = in->fingerprint;
    /* each table alone, by its product_id index: a range is a short read */
    for (k = 0; k < RV_SCAN_PARTS; k++) {
        sql = apr_pstrcat(p, sql, ", (SELECT ", rv_scan_parts[k].hash, rv_scan_parts[k].where, ")",
                          NULL);
        n += rv_scan_part_args(in, k, lo, hi, args + n);
    }
    sql = apr_pstrcat(p, sql, ", (SELECT " RV_SCAN_MAKERS_HASH " FROM {P}manufacturer m))", NULL);
    if (rv_db_query(db, p, &rows, sql, args, n) || rows->nrows != 1 || rows->ncols != 1)
        return NULL;
    return rows->rows[0][0];
}

const char **rv_scan_range_all(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in,
                               const long long *bounds, int n)
{
    const char ***xs, **out, *md5, *m;
    const char *lo, *hi;
    int k, r;
    if (n < 1 || !in->shop_now || rv_scan_common(db, p, in, &md5, &m))
        return NULL;
    lo = rv_i64(p, bounds[0]);
    hi = rv_i64(p, bounds[n]);
    xs = apr_pcalloc(p, sizeof(*xs) * (size_t)n);
    for (r = 0; r < n; r++)
        xs[r] = apr_pcalloc(p, sizeof(**xs) * RV_SCAN_PARTS);
    for (k = 0; k < RV_SCAN_PARTS; k++) {
        /* INTERVAL(id, upto_0 + 1, ...): the index of the range an id is in */
        const char **args = apr_palloc(p, sizeof(*args) * (size_t)(n + RV_SCAN_PART_ARGS + 2));
        const char *bucket = n == 1 ? "0" : apr_pstrcat(p, "INTERVAL(", rv_scan_parts[k].id, NULL);
        rv_rows_t *rows;
        int nargs = 0, i;
        for (r = 1; r < n; r++) {
            bucket = apr_pstrcat(p, bucket, ", %s", NULL);
            args[nargs++] = rv_i64(p, bounds[r] + 1);
        }
        if (n > 1)
            bucket = apr_pstrcat(p, bucket, ")", NULL);
        nargs += rv_scan_part_args(in, k, lo, hi, args + nargs);
        if (rv_db_query(db, p, &rows, apr_pstrcat(p, "SELECT ", bucket, " AS r, ",
                                                   rv_scan_parts[k].hash, " AS x",
                                                   rv_scan_parts[k].where, " GROUP BY 1", NULL),
                        args, nargs))
            return NULL;
        for (i = 0; i < rows->nrows; i++) {
            long long b = rows->rows[i][0] ? apr_atoi64(rows->rows[i][0]) : -1;
            if (b >= 0 && b < n)
                xs[b][k] = rows->rows[i][1];
        }
    }
    out = apr_palloc(p, sizeof(*out) * (size_t)n);
    for (r = 0; r < n; r++)
        out[r] = rv_scan_join(p, md5, xs[r], m);
    return out;
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
