/* rv_merge.h: three-way merge for both-ways sync.
 *
 * base   = the value both sides agreed on at the last sync (stored by
 *          mod_reverb), NULL when the product was never synced;
 * oc     = OpenCart's value now; reverb = Reverb's value now.
 *
 * Rules:
 *  - both sides equal                  -> RV_MERGE_NONE
 *  - never synced (base NULL), differ  -> RV_MERGE_TO_REVERB (OpenCart is
 *    the catalogue of record on the first sync)
 *  - only OpenCart changed since base  -> RV_MERGE_TO_REVERB
 *  - only Reverb changed since base    -> RV_MERGE_TO_OPENCART
 *  - both changed, to different values -> RV_MERGE_CONFLICT: OpenCart wins
 *    (the caller pushes the OpenCart value and logs the conflict)
 * After acting, the caller stores the winning value as the new base, so a
 * push never comes back as a pull.
 * NULL oc/reverb count as "". Compare descriptions in
 * rv_text_normalize() form so markup-only edits do not count.
 */
#ifndef RV_MERGE_H
#define RV_MERGE_H

typedef enum { RV_MERGE_NONE, RV_MERGE_TO_REVERB, RV_MERGE_TO_OPENCART, RV_MERGE_CONFLICT } rv_merge_t;

/* Strings compared exactly. */
rv_merge_t rv_merge_value(const char *base, const char *oc, const char *reverb);

/* Prices compared as decimals: "10.5" == "10.5000" == "10.50". A value that
 * does not parse is compared as text. */
rv_merge_t rv_merge_price(const char *base, const char *oc, const char *reverb);

/* Stock merges as deltas, so changes on both sides add up:
 *   new = base + (oc - base) + (reverb - base + reverb_sold_imported)
 * reverb_sold_imported = units of Reverb sales since base that were already
 * imported as OpenCart orders: those orders lowered OpenCart's stock
 * already, and Reverb lowered its own inventory too, so they must not be
 * subtracted twice.
 * Example: base 5; a shop sale (oc 4) and a Reverb sale of 2, imported
 * (oc 2, reverb 3, sold_imported 2) -> new 2 on both sides.
 * *new_oc may go negative (OpenCart allows overselling and shows it);
 * *new_reverb is clamped at 0. For one-of-a-kind listings pass reverb as
 * base + (Reverb inventory - inventory last sent). */
void rv_merge_stock(long long base, long long oc, long long reverb, long long reverb_sold_imported,
                    long long *new_oc, long long *new_reverb);

#endif
