/* rv_listing_read.h: reading the seller's listings on Reverb. */
#ifndef RV_LISTING_READ_H
#define RV_LISTING_READ_H

#include "rv_catalogue.h"
#include "rv_jobs.h"

/* The listing id of the item's SKU (*lid NULL: none): the full sync's
 * prefetch first (when the job is part of a run), else one lookup over all
 * states. 0, or -1 with res set (the request failed). */
int rv_listing_find_by_sku(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                           const rv_item_t *it, const char **lid, rv_api_result_t *res);
/* Every seller listing, all states, into reverb_listing_seen under the run
 * (run_ref); *pages: the pages read. 0, or -1 with res set. */
int rv_listing_read_all(rv_ctx_t *c, apr_pool_t *p, const char *run_ref, int *pages,
                        rv_api_result_t *res);

#endif
