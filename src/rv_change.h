/* rv_change.h: change detection (rv_change.c): which products' listings
 * differ from what was last pushed, matching new products in a batch,
 * refreshing the pushed hash, queueing one product's push. */
#ifndef RV_CHANGE_H
#define RV_CHANGE_H

#include "rv_reverb.h"

/* Queues every eligible product whose mapped listing differs from what was
 * last pushed, and every listed product that is no longer eligible (to end
 * its listing). Unchanged products cost nothing. 0 or -1 (database). */
typedef struct {
    int checked;     /* mapped and compared (the rest were skipped unchanged) */
    int queued;      /* push jobs queued (to create, update or end) */
    int ended;       /* of which listings to end */
} rv_detect_counts_t;
int rv_change_detect_all(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out);
/* The same in parts (rv_detect.c): begin, any number of parts (ids in
 * (after, upto], upto 0 = no bound; ids_json: only those ids, a JSON array
 * of at most 1,000), end (ok: match the new products found in all parts). */
typedef struct rv_detect_pass rv_detect_pass_t;
rv_detect_pass_t *rv_change_detect_begin(rv_ctx_t *c, apr_pool_t *p, rv_detect_counts_t *out);
const char *rv_change_detect_fingerprint(const rv_detect_pass_t *pass);
/* the language, customer group and attribute ids ("3,7", "" none) it maps with */
void rv_change_detect_inputs(const rv_detect_pass_t *pass, const char **language_id,
                           const char **customer_group_id, const char **attr_ids);
int rv_change_detect_part(rv_detect_pass_t *pass, long long after, long long upto,
                        const char *ids_json);
void rv_change_detect_end(rv_detect_pass_t *pass, int ok);
/* The parts that follow read in the caller's transaction (rv_detect.c: one
 * consistent snapshot per id range) and write nothing: the pushes they
 * decide and the digests they keep wait in p until rv_change_detect_write
 * writes them, in a transaction of their own (so no lock is held while the
 * parts read), or rv_change_detect_drop forgets them. 0 or a database error. */
void rv_change_detect_defer(rv_detect_pass_t *pass, apr_pool_t *p);
int rv_change_detect_write(rv_detect_pass_t *pass);
void rv_change_detect_drop(rv_detect_pass_t *pass);
/* Push jobs of new products (no listing id yet; a JSON array of product ids
 * as strings), queued held for RV_CHANGE_MATCH_HOLD_S: matched with one
 * prefetch of the seller's listings when that costs fewer requests than one
 * SKU lookup each, else released to look up one by one. */
#define RV_CHANGE_MATCH_HOLD_S 600
void rv_change_match_new(rv_db_t *db, server_rec *s, apr_pool_t *p, json_object *fresh);
/* After a pull made OpenCart equal to Reverb: remember that as pushed, so
 * the pulled values are not pushed back. */
int rv_change_refresh_hash(rv_ctx_t *c, apr_pool_t *p, long long product_id);
int rv_change_enqueue_product(rv_db_t *db, apr_pool_t *p, long long product_id, int priority);

#endif
