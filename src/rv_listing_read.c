/* rv_listing_read.c: reading the seller's listings on Reverb: one SKU's
 * listing (from the full sync's prefetch, else one lookup), and the pages
 * of every listing the prefetch remembers in reverb_listing_seen. */
#include "rv_listing_read.h"
#include "rv_pager.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_text.h"

#include "apr_strings.h"

#define RV_LISTING_READ_MAX_PAGES 10000

/* SKU match: the full sync's prefetch first, else one lookup over all states. */
int rv_listing_find_by_sku(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job,
                               const rv_item_t *it, const char **lid, rv_api_result_t *res)
{
    const char *sku = rv_product_sku(p, &it->prod);
    *lid = NULL;
    /* 'creating': a create was sent before and its outcome is unknown (the
     * answer was lost, or it failed): Reverb may have the listing although
     * the prefetch, older than that create, did not. Always look it up. */
    if (job->run_id && job->attempts == 1
        && !(it->listing_state && !strcmp(it->listing_state, "creating"))) {
        rv_rows_t *rows = NULL;
        int prefetched = 0;
        /* one statement: the SKU's row (a later prefetch that saw the SKU
         * took the row over: the listing exists all the same), and whether
         * this run's prefetch finished */
        if (rv_db_query(c->db, p, &rows,
                "SELECT (SELECT listing_id FROM {P}reverb_listing_seen"
                "         WHERE sku = %s AND run_id >= %s) AS listing_id,"
                " EXISTS (SELECT 1 FROM {P}reverb_sync_run"
                "         WHERE run_id = %s AND total > 0) AS prefetched",
                RV_ARGS(sku, rv_i64(p, job->run_id), rv_i64(p, job->run_id))) == 0) {
            *lid = rv_row_get(rows, 0, "listing_id");
            prefetched = rv_row_int(rows, 0, "prefetched", 0) == 1;
        }
        if (*lid || prefetched)
            return 0;   /* the prefetch saw every listing: absent means absent */
    }
    {
        rv_page_t pg;
        size_t i;
        rv_api_kind_t k = rv_page_get(c, p, apr_pstrcat(p, "my/listings?state=all&sku=",
                                                        rv_url_escape(p, sku), NULL),
                                      "listings", &pg);
        *res = pg.res;
        if (k != RV_API_OK)
            return -1;      /* a 2xx of the wrong shape: res->message says why */
        for (i = 0; i < rv_json_len(pg.items); i++) {
            json_object *l = rv_json_idx(pg.items, i);
            const char *s = rv_json_str(l, "sku");
            if (s && !strcmp(s, sku)) {
                *lid = rv_shape_listing_id(p, l);
                break;
            }
        }
    }
    rv_api_result_clear(res);
    return 0;
}


/* One page's listings into reverb_listing_seen (SKU -> id, state). */
typedef struct { rv_ctx_t *c; const char *run_ref; } rv_remember_t;

static int rv_listing_remember(void *baton, apr_pool_t *p, rv_page_t *pg)
{
    rv_remember_t *b = baton;
    size_t i, n = rv_json_len(pg->items);
    for (i = 0; i < n; i++) {
        json_object *l = rv_json_idx(pg->items, i);
        const char *sku = rv_json_str(l, "sku"), *id = rv_shape_listing_id(p, l);
        const char *state = rv_shape_listing_state(l);
        if (sku && *sku && id)
            rv_db_exec(b->c->db, p, NULL,
                "REPLACE INTO {P}reverb_listing_seen (sku, listing_id, state, run_id)"
                " VALUES (%s, %s, %s, %s)",
                RV_ARGS(sku, id, state ? state : "", b->run_ref));
    }
    return 0;
}

int rv_listing_read_all(rv_ctx_t *c, apr_pool_t *p, const char *run_ref, int *pages,
                        rv_api_result_t *res)
{
    rv_remember_t b = { c, run_ref };
    rv_page_t last;
    rv_pages_why_t why = rv_pages_each(c, p, "my/listings?state=all&per_page=50", "listings",
                                       RV_LISTING_READ_MAX_PAGES, rv_listing_remember, &b,
                                       pages, &last);
    *res = last.res;
    if (why != RV_PAGES_FAILED)
        return 0;
    if (last.bad)                       /* a 2xx of the wrong shape */
        res->message = apr_pstrcat(p, "The full sync stopped: ", last.bad, NULL);
    return -1;
}
