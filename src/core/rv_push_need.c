/* rv_push_need.c: the push-needed predicate of change detection. */
#include "rv_push_need.h"

#include <string.h>

/* NULL `was` (never pushed) differs from any value */
static int rv_moved(const char *now, const char *was)
{
    return !was || strcmp(now, was) != 0;
}

rv_push_need_t rv_push_need(const rv_push_need_in_t *in)
{
    int want;
    if (!in->eligible)
        return in->listed ? RV_NEED_END : RV_NEED_NONE;
    /* cannot be mapped (no SKU, no make, ...): its push logs why, once for
     * these inputs; it is looked at again when one of them moves */
    if (!in->hash)
        return RV_NEED_UNMAPPABLE;
    if (!in->listed)
        /* never pushed, or ended: a changed product relists it when in
         * stock (e.g. a one-of-a-kind item ended at 0, restocked); unlisted
         * and never pushed: push once */
        want = !in->pushed_hash || rv_moved(in->hash, in->pushed_hash);
    else
        want = rv_moved(in->hash, in->pushed_hash)
            || (in->sync_images && in->photos_now && rv_moved(in->photos_now, in->photos_pushed))
            || in->end_sold_out;
    return want ? RV_NEED_PUSH : RV_NEED_NONE;
}

int rv_push_unchanged(int listed, const char *hash, const char *pushed_hash,
                      const char *photos_now, const char *photos_pushed)
{
    return pushed_hash && hash && !strcmp(hash, pushed_hash) && photos_pushed && photos_now
        && !strcmp(photos_now, photos_pushed) && listed;
}
