/* rv_order_poll.c: the order poll - Reverb's order list
 * (my/orders/selling/all) read since the watermark order_last_sync, page by
 * page, each order applied straight from the list (rv_order_apply), and the
 * watermark moved once the whole list was read. Writes the settings
 * order_last_sync and order_poll_resume, and 'waiting' rows of
 * reverb_order_map for orders of the list that could not be read. */
#include "rv_orders.h"
#include "rv_order_import.h"
#include "rv_order_log.h"
#include "rv_settings.h"
#include "rv_jobs.h"
#include "rv_queue.h"
#include "rv_json.h"
#include "rv_shape.h"
#include "rv_pager.h"
#include "rv_isotime.h"

#include "http_log.h"
#include "apr_strings.h"
#include "apr_lib.h"
#include <stdio.h>

APLOG_USE_MODULE(reverb);

#define RV_POLL_MAX_PAGES 200

/* An order in the list that could not be read: kept as 'waiting' (nothing
 * written to OpenCart), so cron and "Import now" retry it by its number
 * (rv_orders_requeue). 1 kept (or already kept for a retry), 0 not: its
 * number is unusable, or it is an imported order whose update cannot be
 * read - then the caller holds the watermark before it. */
static int rv_order_keep_unreadable(rv_ctx_t *c, apr_pool_t *p, const char *num)
{
    const char *state;
    size_t i;
    int n = 0;
    if (!num || !*num || strlen(num) > 64)
        return 0;
    for (i = 0; num[i]; i++)
        if (!(apr_isalnum(num[i]) || num[i] == '-' || num[i] == '_'))
            return 0;
    if (rv_db_exec(c->db, p, &n,
            "INSERT IGNORE INTO {P}reverb_order_map (reverb_order_number, order_bundle_id,"
            " reverb_status, quantity, import_state, claimed_at)"
            " VALUES (%s, %s, '', 0, 'waiting', NOW(3))", RV_ARGS(num, num)))
        return 0;
    if (n == 1)
        return 1;
    state = rv_db_value(c->db, p, "SELECT import_state FROM {P}reverb_order_map"
                        " WHERE reverb_order_number = %s", RV_ARGS(num));
    return state && strcmp(state, "imported") != 0;
}

/* The poll's progress between cycles, when one cycle's page cap (or an
 * error) stopped it before the end of Reverb's list: "END NEWEST HOLD"
 * (epochs; -1 for none). The next cycle reads the rest, the orders updated
 * at or before END (updated_end_date); the watermark moves only once the
 * whole list was read, to NEWEST (of the first pass) minus the overlap, and
 * never past HOLD, an order that was seen but could not be handled. */
#define RV_RESUME_KEY "order_poll_resume"

/* One poll's view of the list: the watermark it started from, the newest
 * and oldest updated_at seen, the oldest order it could not handle (hold),
 * the end of a continued pass, and whether an unhandled order had no date
 * (blocked: the watermark cannot move at all). */
typedef struct {
    long long since, newest, oldest, hold, end;
    int blocked;
} rv_poll_t;

/* The first page's path, from the watermark and a saved resume point. */
static const char *rv_poll_start(rv_ctx_t *c, apr_pool_t *p, const char *resume, rv_poll_t *w)
{
    const char *since = rv_setting(c->settings, "order_last_sync", NULL), *path;
    long long now = (long long)apr_time_sec(apr_time_now());

    w->since = 0;
    w->newest = w->oldest = w->hold = w->end = -1;
    w->blocked = 0;
    if (!since || !*since || rv_iso_epoch(since, &w->since)) {
        w->since = now - RV_ORDERS_FIRST_WINDOW_S;
        since = rv_iso_format(p, w->since);
    }
    if (resume && *resume && sscanf(resume, "%lld %lld %lld", &w->end, &w->newest, &w->hold) != 3)
        w->end = w->newest = w->hold = -1;
    path = apr_pstrcat(p, "my/orders/selling/all?updated_start_date=", rv_url_escape(p, since),
                       w->end >= 0 ? "&updated_end_date=" : "",
                       /* one second on: whether Reverb's end is inclusive or
                        * not, the orders of that very second are read again */
                       w->end >= 0 ? rv_url_escape(p, rv_iso_format(p, w->end + 1)) : "",
                       "&per_page=50", NULL);
    if (w->end >= 0)
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0036) "order poll continues with the "
                     "orders updated up to %s", rv_iso_format(p, w->end));
    return path;
}

/* One order of the list: applied, skipped when unchanged since it was
 * applied, queued as a job when it must be retried, or kept when it
 * cannot be read; an order not handled holds the watermark before it. */
static void rv_poll_order(rv_ctx_t *c, apr_pool_t *pp, json_object *oj, rv_poll_t *w,
                          rv_order_counts_t *n)
{
    const char *err = NULL, *why = NULL, *num = rv_json_str(oj, "order_number");
    rv_order_t o;
    long long t = -1;
    int handled = 1;
    if (!rv_json_str(oj, "updated_at") || rv_iso_epoch(rv_json_str(oj, "updated_at"), &t))
        t = -1;
    if (t >= 0 && w->end < 0 && t > w->newest)
        w->newest = t;      /* a continued pass keeps its first pass's */
    if (t >= 0 && (w->oldest < 0 || t < w->oldest))
        w->oldest = t;
    if (rv_order_parse(pp, oj, &o, &err)) {
        handled = rv_order_keep_unreadable(c, pp, num);
        rv_order_log(c, pp, NULL, num && strlen(num) <= 64 ? num : NULL, 0, 0,
                     apr_psprintf(pp, "An order in Reverb's list could not be read: %s%s",
                                  err, handled ? "; it is kept and retried"
                                               : "; the order poll reads it again next time"),
                     NULL);
        n->failed++;
    }
    /* unchanged since it was applied: nothing to do, no lock */
    else if (rv_db_value(c->db, pp, "SELECT 1 FROM {P}reverb_order_map"
                         " WHERE reverb_order_number = %s"
                         " AND import_state = 'imported' AND reverb_status = %s",
                         RV_ARGS(o.order_number, o.status))) {
        n->skipped++;
    }
    else if (rv_order_apply(c, pp, &o, n, &why) > 0)
        /* retried as a job; if even that cannot be recorded, the
         * poll must come back for it */
        handled = rv_queue_add(c->db, pp, "order", o.order_number, RV_PRIO_ORDER, 0) == 0;
    if (!handled) {
        if (t < 0)
            w->blocked = 1;
        else if (w->hold < 0 || t < w->hold)
            w->hold = t;
    }
}

/* Each order of the list, in a pool of its own. */
typedef struct { rv_ctx_t *c; rv_poll_t *w; rv_order_counts_t *n; } rv_poll_baton_t;

static void rv_poll_item(void *baton, apr_pool_t *p, json_object *oj)
{
    rv_poll_baton_t *b = baton;
    rv_poll_order(b->c, p, oj, b->w, b->n);
}

/* A page could not be read: -1 logged as an error, 1 held back by the
 * shared rate limit (not an error: the next cycle polls). */
static int rv_poll_failed(rv_ctx_t *c, apr_pool_t *p, rv_page_t *pg)
{
    int deferred = !pg->bad && rv_api_deferred(&pg->res);
    if (pg->bad)
        rv_order_log(c, p, NULL, NULL, 0, 0, apr_pstrcat(p,
                     "Reverb's order list could not be read: ", pg->bad, NULL), NULL);
    else if (deferred)
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0018) "order poll held back by "
                     "the rate limit (ReverbRateLimit); the next cycle polls");
    else
        rv_order_log(c, p, NULL, NULL, 0, 0, apr_pstrcat(p,
                     "Reverb's order list could not be read: ",
                     pg->res.message ? pg->res.message : "request failed", NULL), &pg->res);
    rv_api_result_clear(&pg->res);
    return deferred ? 1 : -1;
}

/* The page cap stopped this cycle: the next one reads on from the oldest
 * order seen (newest first), the watermark stays. */
static void rv_poll_cut(rv_ctx_t *c, apr_pool_t *p, const rv_poll_t *w, int pages)
{
    if (w->oldest < 0 || w->blocked) {
        rv_order_log(c, p, NULL, NULL, 0, 0, "Reverb's order list is too long to read in one "
                     "cycle and its dates could not be read; the next cycle reads it again "
                     "from the start.", NULL);
        rv_setting_save(c->db, p, c->conf->store_id, RV_RESUME_KEY, "", 0);
        return;
    }
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, c->s, RVLOGNO(0038) "order poll read %d pages; the next "
                 "cycle reads the orders updated up to %s", pages, rv_iso_format(p, w->oldest));
    rv_setting_save(c->db, p, c->conf->store_id, RV_RESUME_KEY,
                    apr_pstrcat(p, rv_i64(p, w->oldest), " ", rv_i64(p, w->newest), " ",
                                rv_i64(p, w->hold), NULL), 0);
}

/* The whole list was read: the watermark moves. Reverb's clock, not ours:
 * the newest change seen, minus an overlap for changes committed late;
 * orders are idempotent, so overlap is harmless. Never past an order that
 * was not handled (it is read again), never backwards. */
static void rv_poll_finish(rv_ctx_t *c, apr_pool_t *p, const rv_poll_t *w, const char *resume)
{
    long long since = w->since;
    if (*resume)
        rv_setting_save(c->db, p, c->conf->store_id, RV_RESUME_KEY, "", 0);
    if (!w->blocked) {
        long long to = w->newest - RV_ORDERS_OVERLAP_S;
        if (w->hold >= 0 && w->hold - 1 < to)
            to = w->hold - 1;
        if (w->newest >= 0 && to > since)
            since = to;
    }
    rv_setting_save(c->db, p, c->conf->store_id, "order_last_sync", rv_iso_format(p, since), 0);
}

int rv_orders_poll(rv_ctx_t *c, apr_pool_t *p, rv_order_counts_t *n)
{
    const char *resume = rv_setting(c->settings, RV_RESUME_KEY, "");
    rv_poll_t w;
    const char *path = rv_poll_start(c, p, resume, &w);
    rv_poll_baton_t b = { c, &w, n };
    rv_page_t last;
    int pages;

    switch (rv_pages_each_item(c, p, path, "orders", RV_POLL_MAX_PAGES, rv_poll_item, &b,
                               &pages, &last)) {
    case RV_PAGES_FAILED:
        return rv_poll_failed(c, p, &last);
    case RV_PAGES_CAP:
        rv_poll_cut(c, p, &w, pages);
        break;
    default:
        rv_poll_finish(c, p, &w, resume);
        break;
    }
    return 0;
}
