/* rv_stock_ledger.c: see rv_stock_ledger.h. */
#include "rv_stock_ledger.h"
#include "rv_order_rows.h"
#include "rv_order_log.h"

#include "apr_strings.h"
#include <stdlib.h>

/* The flag and the merge base moved as if the stock had, without touching
 * OpenCart's quantity (it moved already, or OpenCart moved it itself). */
static int rv_stock_flag_only(rv_ctx_t *c, apr_pool_t *p, const char *number,
                              const char *product_id, long long qty, int take, int *n)
{
    const char *q = rv_i64(p, qty), *pid = product_id ? product_id : "0";
    return rv_db_exec(c->db, p, n, take
        ? "UPDATE {P}reverb_order_map om"
          " LEFT JOIN {P}reverb_product_map rm ON rm.product_id = %s"
          "   AND rm.synced_quantity IS NOT NULL"
          " SET om.stock_taken = 1, rm.synced_quantity = GREATEST(rm.synced_quantity - %s, 0)"
          " WHERE om.reverb_order_number = %s AND om.stock_taken = 0"
        : "UPDATE {P}reverb_order_map om"
          " LEFT JOIN {P}reverb_product_map rm ON rm.product_id = %s"
          "   AND rm.synced_quantity IS NOT NULL"
          " SET om.stock_taken = 0, rm.synced_quantity = rm.synced_quantity + %s"
          " WHERE om.reverb_order_number = %s AND om.stock_taken = 1",
        RV_ARGS(pid, q, number));
}

/* A move of this order's stock that was written down and never finished
 * (the statement failed late, or the server died in it). OpenCart's
 * quantity tells what happened, unless other sales moved it meanwhile:
 *  - the flag moved: the statement ran; nothing to settle;
 *  - the quantity is as before: nothing ran; the move is made normally;
 *  - the quantity is as after: only OpenCart's (MyISAM) part ran: the flag
 *    and the merge base are recorded now and the stock is not moved again;
 *  - anything else cannot be told apart from other sales: the module takes
 *    the side of less stock (a sale counts as not applied and is made, a
 *    restock as applied and is not), and asks the owner to check, in the
 *    sync log.
 * Returns 1 when the settle recorded the move, 0 when the caller should
 * make it (or it is a no-op), -1 on a database error. */
static int rv_stock_settle(rv_ctx_t *c, apr_pool_t *p, const char *number, int take)
{
    rv_rows_t *rows;
    const char *flag, *now_s, *move_id, *pid;
    long long qty, before, now, after;
    int n = 0;

    if (rv_db_query(c->db, p, &rows,
            "SELECT move_id, product_id, quantity, quantity_before FROM {P}reverb_stock_move"
            " WHERE reverb_order_number = %s AND take = %s AND state = 'pending'"
            " ORDER BY move_id DESC LIMIT 1", RV_ARGS(number, take ? "1" : "0")))
        return -1;
    if (!rows->nrows)
        return 0;
    move_id = rv_row_get(rows, 0, "move_id");
    pid = rv_row_get(rows, 0, "product_id");
    qty = rv_row_int(rows, 0, "quantity", 0);
    before = rv_row_int(rows, 0, "quantity_before", 0);
    after = take ? before - qty : before + qty;
    flag = rv_db_value(c->db, p, "SELECT stock_taken FROM {P}reverb_order_map"
                       " WHERE reverb_order_number = %s", RV_ARGS(number));
    now_s = rv_db_value(c->db, p, "SELECT quantity FROM {P}product WHERE product_id = %s",
                        RV_ARGS(pid));
    if (!flag || !now_s)
        return -1;
    now = apr_atoi64(now_s);
    if (atoi(flag) == take || now == before) {
        /* ran whole, or not at all: the normal (guarded) move decides */
        return rv_db_exec(c->db, p, NULL, "DELETE FROM {P}reverb_stock_move WHERE move_id = %s",
                          RV_ARGS(move_id)) ? -1 : 0;
    }
    if (now == after || !take) {
        if (rv_stock_flag_only(c, p, number, pid, qty, take, &n)
            || rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_stock_move SET state = %s"
                          " WHERE move_id = %s",
                          RV_ARGS(now == after ? "reconciled" : "unclear", move_id)))
            return -1;
        rv_order_log(c, p, NULL, number, apr_atoi64(pid), now == after, now == after
            ? apr_psprintf(p, "Reverb order #%s: an interrupted stock change had already reached "
                           "OpenCart (product %s: %lld -> %lld) but was not recorded; it is "
                           "recorded now and not applied again.", number, pid, before, now)
            : apr_psprintf(p, "Check the stock of product %s: a restock for Reverb order #%s was "
                           "interrupted (%lld before, %lld expected, %lld now, other sales "
                           "moved it meanwhile). mod_reverb counted it as done and did not add "
                           "the stock again.", pid, number, before, after, now), NULL);
        return 1;
    }
    /* a sale, and the quantity tells nothing: make it, and say so */
    if (rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_stock_move SET state = 'unclear'"
                   " WHERE move_id = %s", RV_ARGS(move_id)))
        return -1;
    rv_order_log(c, p, NULL, number, apr_atoi64(pid), 0, apr_psprintf(p,
        "Check the stock of product %s: a sale for Reverb order #%s was interrupted (%lld before, "
        "%lld expected, %lld now, other sales moved it meanwhile). mod_reverb takes the stock "
        "now, so that the item is not sold twice; add it back if it had been taken already.",
        pid, number, before, after, now), NULL);
    return 0;
}

/* Moves stock once: the guarded flag flip decides who does it. take = 1:
 * the order entered a paid status; 0: it was cancelled or refunded. With
 * move_oc = 0 the flag (and the merge base) move but OpenCart's quantity
 * does not, because OpenCart itself already restocked. Returns 1 when this
 * call flipped the flag, 0 when it was already in that state, -1 on error. */
int rv_stock_ledger_move(rv_ctx_t *c, apr_pool_t *p, const char *number, const char *product_id,
                         long long qty, int take, int move_oc)
{
    /* One statement moves the flag, OpenCart's stock (MyISAM) and the merge
     * base together: a process killed now cannot leave the flag moved and
     * the stock not (the server finishes a statement it has begun). Only
     * the statement that flips the flag moves anything: exactly once.
     * What one statement cannot promise across engines - a late failure or
     * a server crash after OpenCart's MyISAM row changed and before our
     * InnoDB flag committed - is written down first (reverb_stock_move) and
     * settled by the next attempt (rv_stock_settle). */
    int n = 0, settled;
    const char *q = rv_i64(p, qty), *pid = product_id ? product_id : "0", *before = NULL;
    const char *move_id = NULL, *warnings;
    if (move_oc && strcmp(pid, "0")) {
        if ((settled = rv_stock_settle(c, p, number, take)) != 0)
            return settled;
        before = rv_db_value(c->db, p, "SELECT quantity FROM {P}product WHERE product_id = %s"
                             " AND subtract = 1 AND %s = (SELECT 1 - stock_taken FROM"
                             " {P}reverb_order_map WHERE reverb_order_number = %s)",
                             RV_ARGS(pid, take ? "1" : "0", number));
        if (before && (rv_db_exec(c->db, p, NULL,
                "INSERT INTO {P}reverb_stock_move (reverb_order_number, product_id, take,"
                " quantity, quantity_before) VALUES (%s, %s, %s, %s, %s)",
                RV_ARGS(number, pid, take ? "1" : "0", q, before))
                       || !(move_id = rv_db_last_id(c->db, p))))
            return -1;
    }
    if (rv_db_exec(c->db, p, &n, take
            ? "UPDATE {P}reverb_order_map om"
              " LEFT JOIN {P}product pr ON pr.product_id = %s AND pr.subtract = 1 AND %s = '1'"
              " LEFT JOIN {P}reverb_product_map rm ON rm.product_id = %s"
              "   AND rm.synced_quantity IS NOT NULL"
              " SET om.stock_taken = 1, pr.quantity = pr.quantity - %s,"
              "  rm.synced_quantity = GREATEST(rm.synced_quantity - %s, 0)"
              " WHERE om.reverb_order_number = %s AND om.stock_taken = 0"
            : "UPDATE {P}reverb_order_map om"
              " LEFT JOIN {P}product pr ON pr.product_id = %s AND pr.subtract = 1 AND %s = '1'"
              " LEFT JOIN {P}reverb_product_map rm ON rm.product_id = %s"
              "   AND rm.synced_quantity IS NOT NULL"
              " SET om.stock_taken = 0, pr.quantity = pr.quantity + %s,"
              "  rm.synced_quantity = rm.synced_quantity + %s"
              " WHERE om.reverb_order_number = %s AND om.stock_taken = 1",
            RV_ARGS(pid, move_oc ? "1" : "0", pid, q, q, number)))
        return -1;      /* the written-down move stays pending: the next attempt settles it */
    /* the statement finished: anything MariaDB had to adjust is said */
    warnings = rv_db_value(c->db, p, "SELECT @@warning_count", RV_NOARGS);
    if (warnings && strcmp(warnings, "0"))
        rv_order_log(c, p, NULL, number, apr_atoi64(pid), 0, apr_psprintf(p,
            "Reverb order #%s: the database reported %s warning(s) while moving the stock of "
            "product %s; check that product's stock.", number, warnings, pid), NULL);
    if (move_id)
        rv_db_exec(c->db, p, NULL, "DELETE FROM {P}reverb_stock_move WHERE move_id = %s",
                   RV_ARGS(move_id));
    return n > 0;
}

/* The stock as the Reverb status wants it: taken while paid, back once
 * cancelled or refunded - unless staff already cancelled the OpenCart order
 * (its status `cur` left OpenCart's committed set: OpenCart restocked). The
 * flag makes each move happen once; when the stock is already right this
 * changes nothing. */
void rv_stock_ledger_follow(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o,
                            const char *product_id, const char *cur)
{
    rv_order_class_t cls = rv_order_classify(o->status);
    if (cls == RV_ORDER_CANCELLED)
        rv_stock_ledger_move(c, p, o->order_number, product_id, o->quantity, 0,
                      cur && rv_order_rows_committed(c, p, cur));
    else if (cls == RV_ORDER_PAID)
        rv_stock_ledger_move(c, p, o->order_number, product_id, o->quantity, 1, 1);
}
