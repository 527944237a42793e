/* rv_scan_range.h: the full scan's shortcut for an id range whose rows did
 * not move since it was last found unchanged (rv_scan_range.c). */
#ifndef RV_SCAN_RANGE_H
#define RV_SCAN_RANGE_H

#include "rv_db.h"
#include "apr_hash.h"

/* What the products' detection digest depends on besides their rows (the
 * settings' fingerprint, the language, customer group and attribute ids
 * the mapping reads: see rv_change_detect_inputs). */
typedef struct {
    int store_id;
    const char *fingerprint, *language_id, *customer_group_id, *attr_ids;
    const char *shop_now;       /* the shop's time the specials are judged at (once a scan) */
    apr_hash_t *stored;         /* rv_scan_range_load: range name -> digest */
} rv_scan_range_in_t;

/* Reads the stored digests of the store's ranges into in->stored (empty
 * on a database error) and sets in->shop_now. */
void rv_scan_range_load(rv_db_t *db, apr_pool_t *p, rv_scan_range_in_t *in);

/* A digest of every row in product ids (after, upto] that a product's
 * detection inputs come from (product, description, specials with whether
 * each is active at the shop's time, images, categories, mapped
 * attributes, every manufacturer), read table by table by index, no join;
 * NULL on a database error. */
const char *rv_scan_range_digest(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in,
                                 long long after, long long upto);

/* The same digest for each of the n ranges (bounds[r], bounds[r + 1]]
 * (bounds holds n + 1 ids, rising), every table read once in id order:
 * n digests, or NULL on a database error. */
const char **rv_scan_range_all(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in,
                               const long long *bounds, int n);

/* 1 when the digest stored for this range equals `digest`, else 0. */
int rv_scan_range_same(const rv_scan_range_in_t *in, apr_pool_t *p, long long after,
                       long long upto, const char *digest);

/* Stores `digest` for the range: every product in it was found unchanged. */
int rv_scan_range_store(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in,
                        long long after, long long upto, const char *digest);

/* Forgets the ranges not stored again for a week (their bounds moved). */
void rv_scan_range_prune(rv_db_t *db, apr_pool_t *p, const rv_scan_range_in_t *in);

#endif
