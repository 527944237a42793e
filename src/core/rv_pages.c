/* rv_pages.c: the walk over a paged collection (see rv_pages.h). */
#include "rv_pages.h"

#include <stddef.h>

rv_pages_why_t rv_pages_walk(const char *first, int max_pages, rv_pages_step_fn step,
                             void *baton, int *pages, const char **left)
{
    const char *path = first;
    *pages = 0;
    *left = NULL;
    while (path) {
        const char *next = NULL;
        int rc;
        if (*pages >= max_pages) {
            *left = path;
            return RV_PAGES_CAP;
        }
        (*pages)++;
        if ((rc = step(baton, path, &next)) != 0)
            return rc == RV_PAGES_STOPPED ? RV_PAGES_STOPPED : RV_PAGES_FAILED;
        path = next;
    }
    return RV_PAGES_END;
}
