/* rv_pager.c: one page of a Reverb collection, and the loop over its
 * _links.next (see rv_pager.h). */
#include "rv_pager.h"
#include "rv_shape.h"

#include <string.h>

rv_api_kind_t rv_page_get(rv_ctx_t *c, apr_pool_t *p, const char *path, const char *key,
                          rv_page_t *pg)
{
    memset(pg, 0, sizeof(*pg));
    if (rv_reverb_call(c, p, "GET", path, NULL, &pg->res) == RV_API_OK
        && rv_shape_page(p, pg->res.json, key, &pg->items, &pg->next, &pg->bad)) {
        rv_api_result_clear(&pg->res);
        pg->items = NULL;
        pg->next = NULL;
        pg->res.kind = RV_API_NETWORK;      /* a 2xx of the wrong shape: as a lost answer */
        pg->res.message = pg->bad;
    }
    return pg->res.kind;
}

rv_pages_why_t rv_pages_each(rv_ctx_t *c, apr_pool_t *p, const char *first, const char *key,
                             int max_pages, rv_page_fn fn, void *baton, int *pages,
                             rv_page_t *last)
{
    const char *path = first;
    *pages = 0;
    memset(last, 0, sizeof(*last));
    while (path) {
        if (*pages >= max_pages) {
            last->next = path;
            return RV_PAGES_CAP;
        }
        (*pages)++;
        if (rv_page_get(c, p, path, key, last) != RV_API_OK)
            return RV_PAGES_FAILED;
        if (fn(baton, p, last)) {
            rv_api_result_clear(&last->res);
            return RV_PAGES_STOPPED;
        }
        rv_api_result_clear(&last->res);
        path = last->next;
    }
    return RV_PAGES_END;
}
