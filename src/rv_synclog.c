/* rv_synclog.c: writes to reverb_sync_log (see rv_synclog.h). */
#include "rv_synclog.h"
#include "rv_conf.h"

#include "httpd.h"
#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

void rv_log_from_result(rv_log_entry_t *e, const rv_api_result_t *res)
{
    e->ok = res->kind == RV_API_OK;
    e->message = res->message;
    e->errors_json = res->errors_json;
    e->http_status = res->http_status;
}

int rv_log_write(rv_db_t *db, apr_pool_t *p, const rv_log_entry_t *e)
{
    int rv = rv_db_exec(db, p, NULL,
        "INSERT INTO {P}reverb_sync_log (product_id, direction, status, action, message, sku,"
        " reverb_listing_id, reverb_order_number, http_status, errors, created_at)"
        " VALUES (NULLIF(%s, '0'), %s, %s, %s, %s, NULLIF(%s, ''), NULLIF(%s, ''),"
        " NULLIF(%s, ''), NULLIF(%s, '0'), NULLIF(%s, ''), NOW(3))",
        RV_ARGS(rv_i64(p, e->product_id), e->direction,
                e->ok ? "success" : "error", e->action ? e->action : "",
                e->message ? e->message : "", e->sku ? e->sku : "",
                e->listing_id ? e->listing_id : "", e->order_number ? e->order_number : "",
                apr_psprintf(p, "%ld", e->http_status), e->errors_json ? e->errors_json : ""));
    if (rv)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, db->s,
                     RVLOGNO(0023) "could not write the sync log: %s", rv_db_error(db, rv));
    return rv;
}

int rv_log_api_call(rv_db_t *db, apr_pool_t *p, const char *direction, const char *action,
                    const rv_api_result_t *res, const char *message)
{
    rv_log_entry_t le;
    memset(&le, 0, sizeof(le));
    le.direction = direction;
    le.action = action;
    rv_log_from_result(&le, res);
    if (message)
        le.message = message;
    return rv_log_write(db, p, &le);
}

int rv_log_note(rv_db_t *db, apr_pool_t *p, const char *direction, const char *action,
                int ok, const char *message)
{
    rv_log_entry_t le;
    memset(&le, 0, sizeof(le));
    le.direction = direction;
    le.action = action;
    le.ok = ok;
    le.message = message;
    return rv_log_write(db, p, &le);
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
