/* rv_pages.h: the walk over a paged collection (Reverb's _links.next),
 * without the requests: which page comes next, and when the walk stops.
 * The engine's pager (rv_pager.c) supplies the step that reads one page;
 * each reader passes its own page cap. */
#ifndef RV_PAGES_H
#define RV_PAGES_H

typedef enum {
    RV_PAGES_END,       /* the last page was read (no next link) */
    RV_PAGES_CAP,       /* max_pages read and a next page remains */
    RV_PAGES_FAILED,    /* a page could not be read */
    RV_PAGES_STOPPED    /* the reader stopped the walk */
} rv_pages_why_t;

/* Reads the page at path: 0 read, *next set to the next page's path (NULL
 * on the last page); else RV_PAGES_FAILED or RV_PAGES_STOPPED, which end
 * the walk. */
typedef int (*rv_pages_step_fn)(void *baton, const char *path, const char **next);

/* From first, a step per page while there is a next one, at most
 * max_pages steps. *pages: the steps taken (a failed or stopping one
 * included); *left: on RV_PAGES_CAP the first path not read, else NULL. */
rv_pages_why_t rv_pages_walk(const char *first, int max_pages, rv_pages_step_fn step,
                             void *baton, int *pages, const char **left);

#endif
