/* rv_synclog.c: writes to reverb_sync_log (see rv_synclog.h). */
#include "rv_synclog.h"
#include "rv_conf.h"

#include "httpd.h"
#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

int rv_log_note_about(rv_db_t *db, apr_pool_t *p, const rv_log_about_t *about,
                      const char *direction, const char *action, int ok, const char *message,
                      const rv_api_result_t *res)
{
    static const rv_log_about_t none = { 0, NULL, NULL, NULL };
    const rv_log_about_t *e = about ? about : &none;
    int rv = rv_db_exec(db, p, NULL,
        "INSERT INTO {P}reverb_sync_log (product_id, direction, status, action, message, sku,"
        " reverb_listing_id, reverb_order_number, http_status, errors, created_at)"
        " VALUES (NULLIF(%s, '0'), %s, %s, %s, %s, NULLIF(%s, ''), NULLIF(%s, ''),"
        " NULLIF(%s, ''), NULLIF(%s, '0'), NULLIF(%s, ''), NOW(3))",
        RV_ARGS(rv_i64(p, e->product_id), direction, ok ? "success" : "error",
                action ? action : "", message ? message : "", e->sku ? e->sku : "",
                e->listing_id ? e->listing_id : "", e->order_number ? e->order_number : "",
                apr_psprintf(p, "%ld", res ? res->http_status : 0L),
                res && res->errors_json ? res->errors_json : ""));
    if (rv)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, db->s,
                     RVLOGNO(0023) "could not write the sync log: %s", rv_db_error(db, rv));
    return rv;
}

int rv_log_api_call_about(rv_db_t *db, apr_pool_t *p, const rv_log_about_t *about,
                          const char *direction, const char *action,
                          const rv_api_result_t *res, const char *message)
{
    return rv_log_note_about(db, p, about, direction, action, res->kind == RV_API_OK,
                             message ? message : res->message, res);
}

int rv_log_api_call(rv_db_t *db, apr_pool_t *p, const char *direction, const char *action,
                    const rv_api_result_t *res, const char *message)
{
    return rv_log_api_call_about(db, p, NULL, direction, action, res, message);
}

int rv_log_note(rv_db_t *db, apr_pool_t *p, const char *direction, const char *action,
                int ok, const char *message)
{
    return rv_log_note_about(db, p, NULL, direction, action, ok, message, NULL);
}

const char *rv_synclog_last_error(rv_db_t *db, apr_pool_t *p)
{
    return rv_db_value(db, p,
        "SELECT message FROM {P}reverb_sync_log WHERE status = 'error'"
        " ORDER BY log_id DESC LIMIT 1", RV_NOARGS);
}

/* the range is read from the created index */
int rv_synclog_prune_batch(rv_db_t *db, apr_pool_t *p, long long days, int batch, int *deleted)
{
    *deleted = 0;
    return rv_db_exec(db, p, deleted,
        "DELETE FROM {P}reverb_sync_log WHERE created_at < NOW(3) - INTERVAL %s DAY LIMIT %s",
        RV_ARGS(rv_i64(p, days), apr_itoa(p, batch)));
}
