/* rv_stock_ledger.h: the stock an imported Reverb order moves in OpenCart,
 * moved exactly once and put back once.
 *
 * OpenCart's tables are MyISAM, so no transaction spans our flag
 * and its stock. One multi-table UPDATE flips the stock_taken flag in our
 * row (guarded: ... AND stock_taken = 0) and, in the same statement, moves
 * oc_product.quantity relatively, only where subtract = 1, exactly as
 * OpenCart's own addOrderHistory does: nothing moves unless the flag flips,
 * and a killed process cannot split the two. A cancelled or refunded order flips it back and
 * puts the stock back once - unless staff already cancelled the OpenCart
 * order (its status left OpenCart's processing/complete set), because
 * OpenCart restocked it then. A sale moves the product's three-way merge
 * base (reverb_product_map.synced_quantity) by the same amount: Reverb's
 * inventory moved with the sale, so a later pull sees no Reverb-side
 * change and the sale is never subtracted twice.
 *
 * A move that one statement cannot make safe across engines is written
 * down first in reverb_stock_move and settled by the next attempt.
 * Writes reverb_order_map.stock_taken, oc_product.quantity,
 * reverb_product_map.synced_quantity and reverb_stock_move. Callers hold
 * the checkout lock. */
#ifndef RV_STOCK_LEDGER_H
#define RV_STOCK_LEDGER_H

#include "rv_reverb.h"
#include "rv_order_parse.h"

/* Moves the stock of order `number` once: the guarded flag flip decides
 * who does it. take = 1: the order entered a paid status; 0: it was
 * cancelled or refunded. With move_oc = 0 the flag (and the merge base)
 * move but OpenCart's quantity does not, because OpenCart itself already
 * restocked. 1 when this call flipped the flag, 0 when it was already in
 * that state, -1 on error. */
int rv_stock_ledger_move(rv_ctx_t *c, apr_pool_t *p, const char *number, const char *product_id,
                         long long qty, int take, int move_oc);

/* The stock as o's Reverb status wants it: taken while paid, back once
 * cancelled or refunded - unless staff already cancelled the OpenCart order
 * (its status `cur` left OpenCart's committed set: OpenCart restocked).
 * When the stock is already right this changes nothing. */
void rv_stock_ledger_follow(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o,
                            const char *product_id, const char *cur);

#endif
