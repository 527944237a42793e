/* rv_synclog.h: the sync log (reverb_sync_log), the admin's record of what
 * was sent to and read from Reverb. The only module that writes the table:
 * entries, the housekeeping delete; and the one read the status page makes.
 * The log page (routes/log.c) reads it with its own filters. */
#ifndef RV_SYNCLOG_H
#define RV_SYNCLOG_H

#include "rv_db.h"
#include "rv_api.h"

/* What an entry is about: each field may be 0 / NULL (the column stays
 * empty). */
typedef struct {
    long long product_id;
    const char *sku, *listing_id, *order_number;
} rv_log_about_t;

/* Entries are built only here: every writer of the table calls one of
 * these four. Each writes one entry (direction "push" | "pull"; action
 * create, update, end, lookup, order, ...); a failure is logged at
 * WARNING and returned. */

/* The entry about one API call: success from the result, the message
 * given (the result's own when NULL), Reverb's status and errors. */
int rv_log_api_call(rv_db_t *db, apr_pool_t *p, const char *direction, const char *action,
                    const rv_api_result_t *res, const char *message);
int rv_log_api_call_about(rv_db_t *db, apr_pool_t *p, const rv_log_about_t *about,
                          const char *direction, const char *action,
                          const rv_api_result_t *res, const char *message);

/* The entry about something done without an API call. */
int rv_log_note(rv_db_t *db, apr_pool_t *p, const char *direction, const char *action,
                int ok, const char *message);
/* The same with its subject (NULL: none) and, when res is given, the
 * HTTP status and errors of the call it followed; ok and message are
 * the caller's (a call's outcome judged otherwise, e.g. a 404 on a
 * delete counts as done). */
int rv_log_note_about(rv_db_t *db, apr_pool_t *p, const rv_log_about_t *about,
                      const char *direction, const char *action, int ok, const char *message,
                      const rv_api_result_t *res);

/* The newest error entry's message, or NULL. */
const char *rv_synclog_last_error(rv_db_t *db, apr_pool_t *p);

/* One housekeeping statement: deletes at most `batch` entries older than
 * `days` days. Returns 0 and sets *deleted, or the database error. */
int rv_synclog_prune_batch(rv_db_t *db, apr_pool_t *p, long long days, int batch, int *deleted);

#endif
