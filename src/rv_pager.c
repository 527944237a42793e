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

typedef struct {
    rv_ctx_t *c;
    apr_pool_t *p;
    const char *key;
    rv_page_fn fn;
    void *baton;
    rv_page_t *last;
} rv_pager_t;

/* rv_pages_walk's step: one page read and handed to the reader. */
static int rv_pager_step(void *baton, const char *path, const char **next)
{
    rv_pager_t *g = baton;
    int stop;
    if (rv_page_get(g->c, g->p, path, g->key, g->last) != RV_API_OK)
        return RV_PAGES_FAILED;         /* g->last keeps why, for the caller */
    stop = g->fn(g->baton, g->p, g->last);
    rv_api_result_clear(&g->last->res);
    *next = g->last->next;
    return stop ? RV_PAGES_STOPPED : 0;
}

rv_pages_why_t rv_pages_each(rv_ctx_t *c, apr_pool_t *p, const char *first, const char *key,
                             int max_pages, rv_page_fn fn, void *baton, int *pages,
                             rv_page_t *last)
{
    rv_pager_t g = { c, p, key, fn, baton, last };
    const char *left;
    rv_pages_why_t why;
    memset(last, 0, sizeof(*last));
    why = rv_pages_walk(first, max_pages, rv_pager_step, &g, pages, &left);
    if (why == RV_PAGES_CAP)
        last->next = left;
    return why;
}

/* rv_pages_each_item: the page callback that hands out the items. */
typedef struct { rv_page_item_fn fn; void *baton; } rv_items_t;

static int rv_items_page(void *baton, apr_pool_t *p, rv_page_t *pg)
{
    rv_items_t *it = baton;
    size_t i, n = rv_json_len(pg->items);
    apr_pool_t *ip;
    apr_pool_create(&ip, p);
    for (i = 0; i < n; i++) {
        apr_pool_clear(ip);
        it->fn(it->baton, ip, rv_json_idx(pg->items, i));
    }
    apr_pool_destroy(ip);
    return 0;
}

rv_pages_why_t rv_pages_each_item(rv_ctx_t *c, apr_pool_t *p, const char *first,
                                  const char *key, int max_pages, rv_page_item_fn fn, void *baton,
                                  int *pages, rv_page_t *last)
{
    rv_items_t it = { fn, baton };
    return rv_pages_each(c, p, first, key, max_pages, rv_items_page, &it, pages, last);
}
