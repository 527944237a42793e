/* rv_db.h: database access through mod_dbd's pooled connections.
 *
 * Every statement is an apr_dbd prepared statement, cached per connection.
 * SQL text names tables as {P}table; {P} becomes the validated
 * ReverbTablePrefix when the statement is prepared. Placeholders are
 * apr_dbd's printf-style %s. Values are never part of the SQL text. */
#ifndef RV_DB_H
#define RV_DB_H

#include "httpd.h"
#include "apr_dbd.h"
#include "mod_dbd.h"
#include "rv_text.h"

typedef struct {
    server_rec *s;
    ap_dbd_t *dbd;
    const char *prefix;
    int owned;          /* opened with ap_dbd_open: close with ap_dbd_close */
    int in_txn;
    int txn_lost;       /* the session (and its transaction) went away mid-transaction:
                         * every statement fails until rollback/commit */
    unsigned resets;    /* times the session was found replaced (reconnect) since
                         * this handle was made: named locks etc. are gone then */
} rv_db_t;

typedef struct {
    int ncols, nrows;
    const char **names;
    const char ***rows;     /* rows[i][j], NULL for SQL NULL */
} rv_rows_t;

/* Arguments as an array literal: rv_db_exec(db, p, &n, sql, RV_ARGS(a, b)). */
#define RV_ARGS(...) (const char *[]){__VA_ARGS__}, \
    (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *))
#define RV_NOARGS NULL, 0

void rv_db_init_optional_fns(void);
/* A check every connection passes before it is handed out (rv_db_open,
 * rv_db_for_request): nonzero refuses the connection. Set once at startup. */
typedef int (*rv_db_connect_fn)(rv_db_t *db, apr_pool_t *p);
void rv_db_on_connect(rv_db_connect_fn fn);
int rv_db_available(void);

/* The request's pooled connection (released by mod_dbd with the request);
 * NULL when the database cannot be reached. */
rv_db_t *rv_db_for_request(request_rec *r);
/* A connection for background work; give it back with rv_db_close. */
rv_db_t *rv_db_open(apr_pool_t *p, server_rec *s);
void rv_db_close(rv_db_t *db);

/* 0 on success, else an apr_dbd error code (logged at the caller's level),
 * or -1 when nargs is not the text's placeholder count (logged at ERROR). */
int rv_db_exec(rv_db_t *db, apr_pool_t *p, int *affected, const char *sql,
               const char **args, int nargs);
int rv_db_query(rv_db_t *db, apr_pool_t *p, rv_rows_t **out, const char *sql,
                const char **args, int nargs);
/* First column of the first row, or NULL (no row, NULL value or error). */
const char *rv_db_value(rv_db_t *db, apr_pool_t *p, const char *sql,
                        const char **args, int nargs);
/* Plain statement without values (DDL, transaction control). */
int rv_db_plain(rv_db_t *db, const char *sql);
/* Refused (-1, logged) while a transaction is open: no nesting. */
int rv_db_begin(rv_db_t *db);
int rv_db_commit(rv_db_t *db);
void rv_db_rollback(rv_db_t *db);
const char *rv_db_error(rv_db_t *db, int rv);
/* InnoDB's transient refusals, as the calls above return them. */
#define RV_ER_LOCK_WAIT_TIMEOUT 1205
#define RV_ER_LOCK_DEADLOCK 1213
/* 1 when `rv` is a deadlock outside a transaction: InnoDB undid only that
 * statement at once, and running it again is safe. (A lock wait timeout
 * has already waited innodb_lock_wait_timeout: not worth a second wait.) */
int rv_db_retryable(const rv_db_t *db, int rv);
/* The server's id of the session now (CONNECTION_ID()), "" if unknown.
 * After a reconnect it changes; named locks belong to one session. */
const char *rv_db_session(rv_db_t *db, apr_pool_t *p);
/* last AUTO_INCREMENT id on this connection */
const char *rv_db_last_id(rv_db_t *db, apr_pool_t *p);

/* Row helpers: column by name, "" never substituted for NULL. */
int rv_row_col(const rv_rows_t *rows, const char *col);   /* its index, -1: no such column */
const char *rv_row_get(const rv_rows_t *rows, int i, const char *col);
long long rv_row_int(const rv_rows_t *rows, int i, const char *col, long long dflt);

/* rv_i64 (a 64-bit integer as text for a statement argument) is in rv_text.h. */

/* "[A-Za-z0-9_]{0,32}" */
int rv_prefix_valid(const char *prefix);
/* Replace {P} with the prefix. */
const char *rv_sql_expand(apr_pool_t *p, const char *sql, const char *prefix);

#endif
