/* rv_order_import.c: the import state machine - a Reverb order becomes a
 * real OpenCart order, once; its later status changes follow.
 *
 * Exactly once. Every Reverb order number is claimed in reverb_order_map
 * (InnoDB, primary key) by an INSERT that commits on its own before any
 * OpenCart row is written; the insert that wins the key does the work.
 * Orders of one checkout (order_bundle_id) become one OpenCart order, and a
 * server-wide named lock per checkout (GET_LOCK, held for the whole import
 * or status change) keeps two of its orders, or two deliveries of one
 * order, from working at once. The lock dies with its connection, so a
 * process that dies mid-import leaves only its claim: after
 * RV_CLAIM_LEASE_S the next attempt takes the claim over and repairs the
 * import (the OpenCart order is found through the map or through its
 * comment, a line already written is not written again, totals are
 * rewritten, the stock flag decides whether stock still has to move).
 * Anything that fails after the first OpenCart write leaves the claim for
 * that repair, marked stale at once; nothing is ever deleted and redone.
 *
 * import_state: 'claimed' (being imported, or left by a failure/crash),
 * 'imported', 'waiting' (the order cannot be imported yet, e.g. its
 * currency is unknown; nothing was written; retried by cron and by the
 * admin's "Import now").
 *
 * Writes reverb_order_map (claims, states, amounts); the OpenCart rows are
 * written through rv_order_rows.c, the stock through rv_stock_ledger.c. */
#include "rv_orders.h"
#include "rv_order_import.h"
#include "rv_order_rows.h"
#include "rv_order_log.h"
#include "rv_order_switch.h"
#include "rv_stock_ledger.h"
#include "rv_settings_listing.h"
#include "rv_jobs.h"
#include "rv_queue.h"
#include "rv_fault.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

#define RV_CLAIM_LEASE_S 60
#define RV_BUNDLE_LOCK_WAIT_S "10"
#define RV_WAIT_RETRY_S 300
#define RV_WAIT_GIVE_UP_DAYS 30
#define RV_STALE_TIME "'2000-01-01 00:00:00'"

/* ---- the checkout lock and the claim ---- */

/* Named locks are server-wide: the database name and the table prefix keep
 * two shops on one MariaDB apart; MD5 keeps the name under 64 characters. */
static int rv_bundle_lock(rv_ctx_t *c, apr_pool_t *p, const char *bundle, int take)
{
    const char *v = rv_db_value(c->db, p, take
        ? "SELECT GET_LOCK(CONCAT('rvb:', MD5(CONCAT(DATABASE(), '|', %s, '|', %s))), "
          RV_BUNDLE_LOCK_WAIT_S ")"
        : "SELECT RELEASE_LOCK(CONCAT('rvb:', MD5(CONCAT(DATABASE(), '|', %s, '|', %s))))",
        RV_ARGS(c->db->prefix, bundle));
    return v && !strcmp(v, "1");
}

/* Is the checkout lock still ours? It belongs to the database session that
 * took it: a connection killed or dropped and reconnected by libmariadb
 * (DBDParams reconnect=1) has lost it silently, and another process may be
 * working on the checkout now. `at` is the handle's reconnect count when
 * the lock was taken (rv_db_t.resets): any reconnect since means lost; else
 * the server says whether this session holds it. Checked before writing. */
static int rv_bundle_lock_held(rv_ctx_t *c, apr_pool_t *p, const char *bundle, unsigned at)
{
    const char *v;
    if (c->db->resets != at)
        return 0;
    v = rv_db_value(c->db, p,
        "SELECT IS_USED_LOCK(CONCAT('rvb:', MD5(CONCAT(DATABASE(), '|', %s, '|', %s))))"
        " = CONNECTION_ID()", RV_ARGS(c->db->prefix, bundle));
    return v && !strcmp(v, "1") && c->db->resets == at;
}

typedef enum { RV_CLAIM_NEW, RV_CLAIM_TAKEOVER, RV_CLAIM_BUSY, RV_CLAIM_DB } rv_claim_t;

/* Called with the checkout lock held. */
static rv_claim_t rv_claim(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o)
{
    int n = 0;
    if (rv_db_exec(c->db, p, &n,
            "INSERT IGNORE INTO {P}reverb_order_map (reverb_order_number, order_bundle_id,"
            " reverb_status, quantity, import_state, claimed_at)"
            " VALUES (%s, %s, %s, %s, 'claimed', NOW(3))",
            RV_ARGS(o->order_number, rv_order_bundle(o), o->status, rv_i64(p, o->quantity))))
        return RV_CLAIM_DB;
    if (n == 1)
        return RV_CLAIM_NEW;
    /* the row exists: take it over if it waits for a retry or its claimer
     * died (the statement that changes the row is the one winner) */
    if (rv_db_exec(c->db, p, &n,
            "UPDATE {P}reverb_order_map SET import_state = 'claimed', claimed_at = NOW(3)"
            " WHERE reverb_order_number = %s AND (import_state = 'waiting'"
            "  OR (import_state = 'claimed' AND (claimed_at IS NULL OR claimed_at < NOW(3) - INTERVAL "
            APR_STRINGIFY(RV_CLAIM_LEASE_S) " SECOND)))", RV_ARGS(o->order_number)))
        return RV_CLAIM_DB;
    return n == 1 ? RV_CLAIM_TAKEOVER : RV_CLAIM_BUSY;
}

/* A failure after OpenCart rows may exist: keep the claim, but let the very
 * next attempt take it over and repair (we hold the checkout lock, so no
 * one else is working on it). */
static void rv_claim_stale(rv_ctx_t *c, apr_pool_t *p, const char *number)
{
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET claimed_at = " RV_STALE_TIME
               " WHERE reverb_order_number = %s AND import_state = 'claimed'", RV_ARGS(number));
}

/* Nothing was written to OpenCart: keep the order for a later retry. Its
 * product is remembered, so a both-ways pull knows Reverb already counted
 * this sale (see rv_pull.c). */
static void rv_claim_wait(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *product_id)
{
    rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET import_state = 'waiting',"
               " claimed_at = NOW(3), product_id = %s, quantity = %s, reverb_status = %s"
               " WHERE reverb_order_number = %s AND import_state = 'claimed' AND order_id = 0",
               RV_ARGS(product_id, rv_i64(p, o->quantity), o->status, o->order_number));
}

/* Amount in the shop's default currency; NULL when it cannot be converted. */
static const char *rv_to_default(apr_pool_t *p, const char *amount, const char *currency_value)
{
    char out[32];
    if (!amount || !currency_value || rv_money_convert(amount, currency_value, "1", out))
        return NULL;
    return apr_pstrdup(p, out);
}

/* ---- import ---- */

/* The order's currency in this shop and its amounts in the default
 * currency (as reverb_order_map and OpenCart's totals keep them). */
typedef struct {
    const char *cur_id, *cur_value, *unit, *sub, *ship, *tax, *total;
} rv_amounts_t;

/* 0, or -1 with *why: the currency is not the shop's, or an amount cannot
 * be converted (the order waits; nothing was written). */
static int rv_import_amounts(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, rv_amounts_t *a,
                             const char **why)
{
    rv_rows_t *rows;
    if (rv_db_query(c->db, p, &rows, "SELECT currency_id, value FROM {P}currency WHERE code = %s",
                    RV_ARGS(o->currency)) || !rows->nrows) {
        *why = apr_psprintf(p, "Reverb order #%s is in %s, which is not a currency of this shop. "
                            "Add %s under System > Localisation > Currencies; the order is kept "
                            "and imported on a later cycle.", o->order_number, o->currency, o->currency);
        return -1;
    }
    a->cur_id = rv_row_get(rows, 0, "currency_id");
    a->cur_value = rv_row_get(rows, 0, "value");
    a->unit = rv_to_default(p, o->unit_price.amount, a->cur_value);
    a->sub = rv_to_default(p, o->subtotal.amount, a->cur_value);
    a->ship = rv_to_default(p, o->shipping.amount, a->cur_value);
    a->tax = rv_to_default(p, o->tax.amount, a->cur_value);
    a->total = rv_to_default(p, o->total.amount, a->cur_value);
    if (!a->unit || !a->sub || !a->ship || !a->tax || !a->total) {
        *why = apr_psprintf(p, "Reverb order #%s: its amounts could not be converted from %s "
                            "(check the currency's value in OpenCart); the order is kept and "
                            "retried.", o->order_number, o->currency);
        return -1;
    }
    return 0;
}

/* The checkout's OpenCart order: found (a dead predecessor of this
 * checkout may have written it) or created. NULL when the INSERT failed
 * (nothing exists). */
static const char *rv_import_oc_order(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o,
                                      const rv_order_oc_t *s, const rv_amounts_t *a,
                                      const char *status_id, int repair, int *created)
{
    const char *order_id;
    int others = rv_db_value(c->db, p, "SELECT 1 FROM {P}reverb_order_map WHERE order_bundle_id = %s"
                             " AND reverb_order_number <> %s LIMIT 1",
                             RV_ARGS(rv_order_bundle(o), o->order_number)) != NULL;
    *created = 0;
    if ((order_id = rv_order_rows_find(c, p, o, repair || others)))
        return order_id;
    if ((order_id = rv_order_rows_create(c, p, o, s, a->cur_id, a->cur_value, status_id)))
        *created = 1;
    return order_id;
}

/* The map row, the first history line, the order line and the totals;
 * anything already written by a dead predecessor is not written again.
 * 0, or non-zero on a database error. */
static int rv_import_write(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o,
                           const rv_order_oc_t *s, const rv_amounts_t *a, const char *order_id,
                           const char *product_id, const char *status_id, int created)
{
    if (rv_db_exec(c->db, p, NULL,
            "UPDATE {P}reverb_order_map SET order_id = %s, order_bundle_id = %s,"
            " product_id = %s, line_product_id = %s, quantity = %s, amount_subtotal = %s,"
            " amount_shipping = %s, amount_tax = %s, amount_total = %s WHERE reverb_order_number = %s",
            RV_ARGS(order_id, rv_order_bundle(o), product_id, product_id, rv_i64(p, o->quantity),
                    a->sub, a->ship, a->tax, a->total, o->order_number)))
        return -1;
    if ((created || !rv_db_value(c->db, p, "SELECT 1 FROM {P}order_history WHERE order_id = %s"
                                 " LIMIT 1", RV_ARGS(order_id)))
        && rv_order_rows_history(c, p, order_id, status_id, apr_psprintf(p,
               "Imported from Reverb order #%s (%s): https://reverb.com/my/selling/orders/%s",
               o->order_number, o->status, o->order_number)))
        return -1;
    if (rv_order_rows_line(c, p, o, s, order_id, product_id, a->unit, a->sub, created))
        return -1;
    return rv_order_rows_totals(c, p, order_id, o);
}

/* The stock, under the lock only (a repair finishes the rest): taken for a
 * paid order; for an order cancelled since its (dead) import began, back
 * if that import took it, and the OpenCart order shows the cancellation.
 * 0, or non-zero when the lock was lost or on a database error. */
static int rv_import_stock(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *order_id,
                           const char *product_id, const char *status_id, int created,
                           unsigned lock_at)
{
    rv_order_class_t cls = rv_order_classify(o->status);
    const char *cur;
    if (!rv_bundle_lock_held(c, p, rv_order_bundle(o), lock_at))
        return -1;
    if (cls == RV_ORDER_PAID)
        return rv_stock_ledger_move(c, p, o->order_number, product_id, o->quantity, 1, 1) < 0;
    if (cls != RV_ORDER_CANCELLED)
        return 0;
    cur = rv_order_rows_status(c, p, order_id);
    if (rv_stock_ledger_move(c, p, o->order_number, product_id, o->quantity, 0,
                             rv_order_rows_committed(c, p, cur)) < 0)
        return -1;
    if (!created && cur && strcmp(cur, status_id)
        && !rv_db_value(c->db, p, "SELECT 1 FROM {P}reverb_order_map WHERE order_id = %s"
                        " AND reverb_order_number <> %s LIMIT 1", RV_ARGS(order_id, o->order_number))) {
        rv_order_rows_set_status(c, p, order_id, status_id);
        rv_order_rows_history(c, p, order_id, status_id, apr_psprintf(p,
            "Reverb order #%s is now %s", o->order_number, rv_order_status_words(o->status)));
    }
    return 0;
}

/* 0 imported; -1 cannot be imported now, nothing written to OpenCart
 * (kept as 'waiting'); 1 database failure, OpenCart rows may exist (claim
 * kept for repair). */
static int rv_import(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, int repair,
                     unsigned lock_at, const char **why, const char **pid_out)
{
    rv_order_oc_t s;
    rv_amounts_t a;
    const char *order_id, *product_id;
    const char *status_id = rv_order_rows_status_for(c, p, o->status);
    int created = 0;

    if (!status_id)
        status_id = RV_OC_PAID_STATUS;
    product_id = rv_order_rows_match_product(c, p, o);
    *pid_out = product_id;
    if (rv_import_amounts(c, p, o, &a, why))
        return -1;
    rv_order_oc_strings(p, o, rv_order_rows_utf8mb3(c, p), &s);

    rv_fault_point("orders:before-write");
    if (!rv_bundle_lock_held(c, p, rv_order_bundle(o), lock_at)) {
        *why = apr_psprintf(p, "Reverb order #%s: the database connection was lost during the "
                            "import; nothing was written, it is imported on the next attempt.",
                            o->order_number);
        return 1;
    }
    if (!(order_id = rv_import_oc_order(c, p, o, &s, &a, status_id, repair, &created))) {
        *why = "The OpenCart order could not be written (database error); retried.";
        return -1;      /* the INSERT failed: nothing exists */
    }
    /* from here on the claim is kept on failure: the repair finds the order */
    if (rv_import_write(c, p, o, &s, &a, order_id, product_id, status_id, created)
        || rv_import_stock(c, p, o, order_id, product_id, status_id, created, lock_at)
        || rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET import_state = 'imported',"
                      " reverb_status = %s WHERE reverb_order_number = %s",
                      RV_ARGS(o->status, o->order_number))) {
        *why = apr_psprintf(p, "Reverb order #%s: a database error interrupted the import; it is "
                            "completed on the next attempt, never duplicated.", o->order_number);
        return 1;
    }
    *why = apr_psprintf(p, "Reverb order #%s imported as OpenCart order %s%s%s", o->order_number,
                        order_id, created ? "" : " (same checkout)",
                        strcmp(product_id, "0") ? "" : "; no product matched (stock not changed)");
    return 0;
}

/* ---- status changes of imported orders ---- */

/* History, OpenCart status and stock. One Reverb order of a checkout that
 * is cancelled while the others stand only adds history (and its stock). */
static int rv_status_change(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *old,
                            const char *order_id, const char *product_id, unsigned lock_at,
                            const char **why)
{
    rv_order_class_t cls = rv_order_classify(o->status);
    const char *status_id = rv_order_rows_status_for(c, p, o->status), *cur;
    int n = 0, partial = 0;

    if (!rv_bundle_lock_held(c, p, rv_order_bundle(o), lock_at)) {
        *why = apr_psprintf(p, "Reverb order #%s: the database connection was lost; its status "
                            "change is applied on the next attempt.", o->order_number);
        return 1;
    }
    if (old && !strcmp(old, o->status)) {
        /* nothing new - but a process that died right after recording the
         * status may not have moved the stock: the flag says, and moves
         * it now if so (a no-op otherwise) */
        rv_stock_ledger_follow(c, p, o, product_id,
                        cls == RV_ORDER_CANCELLED ? rv_order_rows_status(c, p, order_id) : NULL);
        *why = NULL;
        return 0;
    }
    if (rv_db_exec(c->db, p, &n, "UPDATE {P}reverb_order_map SET reverb_status = %s"
                   " WHERE reverb_order_number = %s AND reverb_status = %s",
                   RV_ARGS(o->status, o->order_number, old ? old : "")))
        return 1;
    if (n != 1) {
        *why = NULL;
        return 0;       /* someone else applied it */
    }
    cur = rv_order_rows_status(c, p, order_id);
    rv_stock_ledger_follow(c, p, o, product_id, cur);
    if (cls == RV_ORDER_CANCELLED) {
        partial = rv_db_value(c->db, p,
            "SELECT 1 FROM {P}reverb_order_map WHERE order_id = %s AND reverb_order_number <> %s"
            " AND import_state = 'imported' AND reverb_status NOT IN " RV_ORDER_CANCELLED_SQL
            " LIMIT 1", RV_ARGS(order_id, o->order_number)) != NULL;
    }
    if (!cur) {
        *why = apr_psprintf(p, "Reverb order #%s: %s -> %s (its OpenCart order %s was deleted)",
                            o->order_number, old ? old : "?", o->status, order_id);
        return 0;
    }
    if (partial || !status_id)
        status_id = cur;        /* history only */
    else if (strcmp(cur, status_id))
        rv_order_rows_set_status(c, p, order_id, status_id);
    rv_order_rows_history(c, p, order_id, status_id, apr_psprintf(p,
        partial ? "Reverb order #%s (one item of this checkout) is now %s; its stock was put back"
                : "Reverb order #%s is now %s", o->order_number,
        rv_order_status_words(o->status)));
    *why = apr_psprintf(p, "Reverb order #%s: %s -> %s", o->order_number, old ? old : "?", o->status);
    return 0;
}

/* ---- one order, from API truth ---- */

/* The checkout lock, taken on the session it is checked on: 1 taken (at
 * the handle's reconnect count *lock_at), 0 not (another process holds it,
 * or the connection was renewed while taking it). */
static int rv_apply_lock(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, unsigned *lock_at)
{
    *lock_at = c->db->resets;
    if (rv_bundle_lock(c, p, rv_order_bundle(o), 1) && c->db->resets == *lock_at)
        return 1;
    if (c->db->resets != *lock_at)       /* taken on a new session, maybe: let it go */
        rv_bundle_lock(c, p, rv_order_bundle(o), 0);
    return 0;
}

/* An imported order: its status change, counted and logged. */
static int rv_apply_imported(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, rv_rows_t *rows,
                             unsigned lock_at, rv_order_counts_t *n, const char **why)
{
    int rc = rv_status_change(c, p, o, rv_row_get(rows, 0, "reverb_status"),
                              rv_row_get(rows, 0, "order_id"), rv_row_get(rows, 0, "product_id"),
                              lock_at, why);
    if (rc == 0 && *why) {
        n->updated++;
        rv_order_log(c, p, o, NULL, rv_row_int(rows, 0, "product_id", 0), 1, *why, NULL);
    }
    else if (rc == 0)
        n->skipped++;
    else
        n->failed++;
    return rc;
}

/* The claimed import's outcome: counted, logged, and the claim left as the
 * outcome wants it (imported; waiting, nothing written; stale, for the
 * repair). */
static int rv_apply_import(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *state,
                           int takeover, unsigned lock_at, rv_order_counts_t *n,
                           const char **why, const char **pid)
{
    int rc = rv_import(c, p, o, takeover, lock_at, why, pid);
    if (rc == 0) {
        n->imported++;
        rv_order_log(c, p, o, NULL, apr_atoi64(*pid), 1, *why, NULL);
        if (!strcmp(*pid, "0"))
            rv_order_log(c, p, o, NULL, 0, 0, apr_psprintf(p,
                "Reverb order #%s was imported, but no OpenCart product matches its listing %s "
                "or SKU '%s': the line has product id 0 and no stock was changed. Link the "
                "product to the listing, or give it that SKU.", o->order_number,
                *o->listing_id ? o->listing_id : "-", o->sku), NULL);
    }
    else if (rc < 0) {
        rv_claim_wait(c, p, o, *pid);
        n->failed++;
        /* the store owner was told when it first had to wait; every
         * retry saying the same again would bury the log */
        if (state && !strcmp(state, "waiting")) {
            ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0017) "%s", *why);
            *why = NULL;
        }
    }
    else {
        rv_claim_stale(c, p, o->order_number);
        n->failed++;
    }
    return rc;
}

/* New and paid, or a half-done import to repair (whatever the status is
 * now: the repair applies it): claim, then import. */
static int rv_apply_claim(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, const char *state,
                          unsigned lock_at, rv_order_counts_t *n, const char **why,
                          const char **pid)
{
    rv_claim_t claim = rv_claim(c, p, o);
    if (claim == RV_CLAIM_NEW || claim == RV_CLAIM_TAKEOVER)
        return rv_apply_import(c, p, o, state, claim == RV_CLAIM_TAKEOVER, lock_at, n, why, pid);
    if (claim == RV_CLAIM_BUSY) {
        *why = apr_psprintf(p, "Reverb order #%s is being imported by another process.",
                            o->order_number);
        n->skipped++;
        return 1;
    }
    *why = "database error";
    n->failed++;
    return 1;
}

/* Imports or updates one order the API returned. Same return as
 * rv_order_sync. */
int rv_order_apply(rv_ctx_t *c, apr_pool_t *p, const rv_order_t *o, rv_order_counts_t *n,
                   const char **why)
{
    rv_order_class_t cls = rv_order_classify(o->status);
    const char *state = NULL, *pid = "0";
    rv_rows_t *rows;
    int stale = 0, rc = 0;
    unsigned lock_at;

    *why = NULL;
    if (!rv_apply_lock(c, p, o, &lock_at)) {
        *why = apr_psprintf(p, "Reverb order #%s: another process is importing this checkout; "
                            "retried shortly.", o->order_number);
        rv_order_log(c, p, o, NULL, 0, 0, *why, NULL);
        n->skipped++;
        return 1;
    }
    if (rv_db_query(c->db, p, &rows,
            "SELECT import_state, order_id, product_id, reverb_status,"
            " (claimed_at IS NULL OR claimed_at < NOW(3) - INTERVAL "
            APR_STRINGIFY(RV_CLAIM_LEASE_S) " SECOND) AS stale"
            " FROM {P}reverb_order_map WHERE reverb_order_number = %s",
            RV_ARGS(o->order_number))) {
        rv_bundle_lock(c, p, rv_order_bundle(o), 0);
        *why = "database error";
        n->failed++;
        return 1;
    }
    if (rows->nrows) {
        state = rv_row_get(rows, 0, "import_state");
        stale = rv_row_int(rows, 0, "stale", 0) == 1;
    }
    if (state && !strcmp(state, "imported"))
        rc = rv_apply_imported(c, p, o, rows, lock_at, n, why);
    else if (state && !strcmp(state, "waiting") && cls != RV_ORDER_PAID) {
        /* kept for retry, but no longer to be imported: nothing was written */
        rv_db_exec(c->db, p, NULL, "DELETE FROM {P}reverb_order_map WHERE reverb_order_number = %s"
                   " AND import_state = 'waiting' AND order_id = 0", RV_ARGS(o->order_number));
        n->skipped++;
    }
    else if (cls == RV_ORDER_PAID || (state && stale))
        rc = rv_apply_claim(c, p, o, state, lock_at, n, why, &pid);
    else {
        /* unpaid, payment pending, in review, blocked: imported once paid;
         * cancelled before it was ever imported: nothing to do */
        n->skipped++;
    }
    rv_bundle_lock(c, p, rv_order_bundle(o), 0);
    if (rc != 0 && *why)
        rv_order_log(c, p, o, NULL, apr_atoi64(pid), 0, *why, NULL);
    return rc;
}

int rv_order_sync(rv_ctx_t *c, apr_pool_t *p, const char *number, rv_order_counts_t *n,
                  const char **why, rv_api_result_t *last)
{
    rv_api_result_t res;
    rv_order_t o;
    const char *err = NULL;
    int rc;

    *why = NULL;
    if (rv_reverb_call(c, p, "GET", apr_pstrcat(p, "my/orders/selling/", rv_url_escape(p, number),
                                                NULL), NULL, &res) != RV_API_OK) {
        rc = res.kind == RV_API_NOT_FOUND ? -1 : rv_api_retryable(res.kind) ? 1 : -1;
        *why = res.kind == RV_API_NOT_FOUND
             ? apr_psprintf(p, "Reverb has no order #%s; nothing imported", number)
             : apr_psprintf(p, "Reverb order #%s could not be read: %s", number,
                            res.message ? res.message : "Reverb request failed");
        if (!rv_api_deferred(&res))
            rv_order_log(c, p, NULL, number, 0, 0, *why, &res);
        if (last)
            *last = res;
        else
            rv_api_result_clear(&res);
        n->failed++;
        return rc;
    }
    if (rv_order_parse(p, res.json, &o, &err)) {
        rv_api_result_clear(&res);
        *why = apr_pstrcat(p, "Reverb's order #", number, " could not be read: ", err, NULL);
        rv_order_log(c, p, NULL, number, 0, 0, *why, NULL);
        n->failed++;
        return -1;
    }
    rv_api_result_clear(&res);
    if (strcmp(o.order_number, number)) {
        *why = apr_psprintf(p, "Reverb answered order #%s when asked for #%s; nothing imported",
                            o.order_number, number);
        rv_order_log(c, p, NULL, number, 0, 0, *why, NULL);
        n->failed++;
        return -1;
    }
    return rv_order_apply(c, p, &o, n, why);
}

int rv_orders_requeue(rv_ctx_t *c, apr_pool_t *p, int force)
{
    rv_rows_t *rows;
    int i;
    if (rv_db_query(c->db, p, &rows,
            "SELECT reverb_order_number FROM {P}reverb_order_map"
            " WHERE (import_state = 'claimed' AND (claimed_at IS NULL OR claimed_at < NOW(3) - INTERVAL "
            APR_STRINGIFY(RV_CLAIM_LEASE_S) " SECOND))"
            "  OR (import_state = 'waiting' AND (%s = '1' OR (claimed_at < NOW(3) - INTERVAL "
            APR_STRINGIFY(RV_WAIT_RETRY_S) " SECOND AND created_at > NOW() - INTERVAL "
            APR_STRINGIFY(RV_WAIT_GIVE_UP_DAYS) " DAY)))"
            " ORDER BY claimed_at LIMIT 50", RV_ARGS(force ? "1" : "0")))
        return -1;
    for (i = 0; i < rows->nrows; i++) {
        const char *num = rows->rows[i][0];
        rv_queue_add(c->db, p, "order", num, RV_PRIO_ORDER, 0);
        /* the next automatic retry of a waiting order is in RV_WAIT_RETRY_S */
        rv_db_exec(c->db, p, NULL, "UPDATE {P}reverb_order_map SET claimed_at = NOW(3)"
                   " WHERE reverb_order_number = %s AND import_state = 'waiting'", RV_ARGS(num));
    }
    return rows->nrows;
}

rv_job_result_t rv_order_job(rv_ctx_t *c, apr_pool_t *p, const rv_job_t *job)
{
    rv_order_counts_t n = { 0, 0, 0, 0 };
    const char *why = NULL;
    rv_api_result_t last;
    rv_job_result_t r = { RV_JOB_DONE, 0, NULL };
    int rc;
    if (!rv_orders_import_on(c->db, c->s, c->settings, c->conf->store_id, p, 0))
        return r;               /* queued before the switch went off: nothing imported */
    memset(&last, 0, sizeof(last));
    last.retry_after_s = -1;
    rc = rv_order_sync(c, p, job->ref, &n, &why, &last);
    if (rc > 0 && rv_api_deferred(&last)) {
        r.outcome = RV_JOB_DEFER;
        r.delay_ms = (last.retry_after_s > 0 ? last.retry_after_s : 1) * 1000;
        r.error = why;
    }
    else if (rc > 0) {
        rv_retry_t again = rv_retry_again(last.kind, last.retry_after_s, job->job_id,
                                          job->attempts);
        r.outcome = again.verdict == RV_RETRY_LATER ? RV_JOB_RETRY : RV_JOB_FAIL;
        r.delay_ms = again.delay_ms;
        r.error = why;
    }
    else if (rc < 0) {
        r.outcome = RV_JOB_FAIL;
        r.error = why;
    }
    rv_api_result_clear(&last);
    return r;
}
