/* rv_reconcile.h: the reconcile view's engine: is every
 * mapped product what its Reverb listing shows, and is every listing of
 * the seller that carries a shop SKU known to the shop?
 *
 * A run ({P}reverb_reconcile_run) is one queue job, kind "reconcile", ref
 * the run id. It pages through GET my/listings?state=all (50 a page,
 * following _links.next) within the shared rate limit, storing each page
 * and the next page's address (the cursor) in one transaction, so a run
 * whose process died is taken over by the lease mechanism and goes on from
 * the last stored page. It gives the queue back after a few pages, so other
 * work runs in between. Then it compares every mapped product, through the
 * push's own listing builder (rv_catalogue_view_each), with what Reverb has, and
 * writes the findings ({P}reverb_reconcile_finding).
 * Fixes: "push" (the product is pushed again), "link" (the listing becomes
 * the product's, by SKU), "end" (job kind "reconcile_end", ref the finding
 * id: the listing is ended on Reverb). */
#ifndef RV_RECONCILE_ENGINE_H
#define RV_RECONCILE_ENGINE_H

#include "rv_jobs.h"
#include <json-c/json.h>

/* Starts a run: 0 started (*run_id set), 1 one is running already, -1 on
 * database error. started_by: "admin" | "cron". */
int rv_reconcile_start(rv_db_t *db, apr_pool_t *p, const char *started_by, long long *run_id);

/* The weekly pass, from cron: starts a run when the last one finished more
 * than 7 days ago (oc_reverb_meta 'reconcile_last_finished'; a shop that
 * never ran one counts from its first cron). 1 started, 0 not due, -1 error. */
int rv_reconcile_cron(rv_db_t *db, apr_pool_t *p, int has_token);

/* The latest run as JSON for the admin (NULL: none). */
json_object *rv_reconcile_run_json(rv_db_t *db, apr_pool_t *p, long long run_id);

rv_job_result_t rv_reconcile_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);      /* "reconcile"     */
rv_job_result_t rv_reconcile_end_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job);  /* "reconcile_end" */

#define RV_RECONCILE_EVERY_DAYS 7

#endif
