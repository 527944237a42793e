/* rv_synclog.h: the sync log (reverb_sync_log), the admin's record of what
 * was sent to and read from Reverb. The only module that writes the table:
 * entries, the housekeeping delete; and the one read the status page makes.
 * The log page (routes/log.c) reads it with its own filters. */
#ifndef RV_SYNCLOG_H
#define RV_SYNCLOG_H

#include "rv_db.h"
#include "rv_api.h"

typedef struct {
    long long product_id;          /* 0: none */
    const char *direction;         /* "push" | "pull" */
    int ok;
    const char *action;            /* create, update, end, lookup, order, ... */
    const char *message;
    const char *sku, *listing_id, *order_number;
    const char *errors_json;       /* Reverb's errors object */
    long http_status;
} rv_log_entry_t;

/* Writes one entry (a failure is logged at WARNING and returned). */
int rv_log_write(rv_db_t *db, apr_pool_t *p, const rv_log_entry_t *e);

/* A log entry from an API result (message/errors/status copied). */
void rv_log_from_result(rv_log_entry_t *e, const rv_api_result_t *res);

/* The common entry about one API call: direction and action, success from
 * the result, the message given (the result's own when NULL). */
int rv_log_api_call(rv_db_t *db, apr_pool_t *p, const char *direction, const char *action,
                    const rv_api_result_t *res, const char *message);

/* The common entry about something done without an API call. */
int rv_log_note(rv_db_t *db, apr_pool_t *p, const char *direction, const char *action,
                int ok, const char *message);

/* The newest error entry's message, or NULL. */
const char *rv_synclog_last_error(rv_db_t *db, apr_pool_t *p);

/* One housekeeping statement: deletes at most `batch` entries older than
 * `days` days. Returns 0 and sets *deleted, or the database error. */
int rv_synclog_prune_batch(rv_db_t *db, apr_pool_t *p, long long days, int batch, int *deleted);

#endif
