/* rv_unlisted.h: why a product with sync on is not sent to Reverb.
 *
 * A push job for a product that is not eligible (not in a category allowed
 * to sync, or disabled in OpenCart) used to finish without a word: the bulk
 * bar said it was sent, the grid showed "Enabled, not listed yet" and no
 * error. This says why, in the store owner's words, for the product's
 * "Last error" and the sync log. */
#ifndef RV_UNLISTED_H
#define RV_UNLISTED_H

/* NULL when there is nothing to tell: the product is gone, its sync is off,
 * or it is eligible. Otherwise a sentence (a static string). */
const char *rv_unlisted_reason(int has_product, int sync_enabled, int in_category, int oc_enabled);

#endif
