/* rv_unlisted.c: why a product with sync on is not sent to Reverb (see rv_unlisted.h). */
#include <stddef.h>
#include "rv_unlisted.h"

const char *rv_unlisted_reason(int has_product, int sync_enabled, int in_category, int oc_enabled)
{
    if (!has_product || !sync_enabled)
        return NULL;
    if (!in_category)
        return "Not listed: none of its categories is ticked in \"Categories allowed to sync\" (Settings tab)";
    if (!oc_enabled)
        return "Not listed: the product's status is Disabled in OpenCart";
    return NULL;
}
