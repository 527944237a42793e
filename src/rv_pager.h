/* rv_pager.h: reading a Reverb collection (my/listings, my/orders/...)
 * page by page, following each answer's _links.next up to a page cap. The
 * one page step (request, shape check, next link) is shared by every
 * reader; rv_pages_each is the loop for readers that go through the whole
 * list in one call (the reconcile run keeps its own resumable loop over
 * rv_page_get, with the cursor stored between claims). */
#ifndef RV_PAGER_H
#define RV_PAGER_H

#include "rv_reverb.h"
#include "rv_pages.h"

/* One page of a collection. */
typedef struct {
    rv_api_result_t res;    /* the answer; res.json owns items */
    json_object *items;     /* the page's `key` array (borrowed from res.json) */
    const char *next;       /* the next page's path, NULL on the last page */
    const char *bad;        /* a 2xx of the wrong shape: why, in plain words */
} rv_page_t;

/* GET path and read its `key` array and next link. RV_API_OK, or the
 * failure's kind with pg->res set; a 2xx of the wrong shape is
 * RV_API_NETWORK with pg->bad and res.message set to why (res.json freed,
 * http_status kept). The caller frees pg->res (rv_api_result_clear). */
rv_api_kind_t rv_page_get(rv_ctx_t *c, apr_pool_t *p, const char *path, const char *key,
                          rv_page_t *pg);

/* Called with every page read; 0 goes on, anything else stops the loop. */
typedef int (*rv_page_fn)(void *baton, apr_pool_t *p, rv_page_t *pg);

/* From `first`, every page while there is a next one, at most max_pages
 * requests (rv_pages_walk); fn with each page read. *pages: the requests
 * made (the failed one included). last: the last page's state, its res
 * freed except on RV_PAGES_FAILED (then it holds why: the caller clears
 * it); on RV_PAGES_CAP last->next is the first page not read. */
rv_pages_why_t rv_pages_each(rv_ctx_t *c, apr_pool_t *p, const char *first, const char *key,
                             int max_pages, rv_page_fn fn, void *baton, int *pages,
                             rv_page_t *last);

/* Called with every item of every page, in a pool of its own (cleared
 * between items). */
typedef void (*rv_page_item_fn)(void *baton, apr_pool_t *p, json_object *item);

/* rv_pages_each, with fn called per item of each page's `key` array. */
rv_pages_why_t rv_pages_each_item(rv_ctx_t *c, apr_pool_t *p, const char *first,
                                  const char *key, int max_pages, rv_page_item_fn fn, void *baton,
                                  int *pages, rv_page_t *last);

#endif
