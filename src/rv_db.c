/* rv_db.c: prepared statements over mod_dbd connections. */
#include "rv_db.h"
#include "rv_conf.h"
#include "rv_migrate.h"

#include "http_log.h"
#include "apr_optional.h"
#include "apr_strings.h"
#include "apr_lib.h"
#include <stdio.h>

APLOG_USE_MODULE(reverb);

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire_fn;
static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *dbd_open_fn;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *dbd_close_fn;

/* mod_dbd is a separate shared module: reach it through optional functions. */
void rv_db_init_optional_fns(void)
{
    dbd_acquire_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
    dbd_open_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    dbd_close_fn = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
}

int rv_db_available(void)
{
    return dbd_acquire_fn && dbd_open_fn && dbd_close_fn;
}

const char *rv_i64(apr_pool_t *p, long long v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v);
    return apr_pstrdup(p, buf);
}

int rv_prefix_valid(const char *prefix)
{
    size_t n = 0;
    if (!prefix)
        return 0;
    for (; prefix[n]; n++)
        if (!(apr_isalnum(prefix[n]) || prefix[n] == '_'))
            return 0;
    return n <= 32;
}

const char *rv_sql_expand(apr_pool_t *p, const char *sql, const char *prefix)
{
    const char *hit = strstr(sql, "{P}");
    if (!hit)
        return sql;
    return apr_pstrcat(p, apr_pstrmemdup(p, sql, hit - sql), prefix,
                       rv_sql_expand(p, hit + 3, prefix), NULL);
}

/* Once per physical connection: utf8mb4 and UTC, so that every server
 * sharing the database agrees on times. The marker lives in the
 * connection's own statement cache, so a reconnect repeats it. */
static int rv_db_session_setup(rv_db_t *db)
{
    int n, rv;
    if (apr_hash_get(db->dbd->prepared, "rv:setup", APR_HASH_KEY_STRING))
        return 0;
    rv = apr_dbd_query(db->dbd->driver, db->dbd->handle, &n,
                       "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci, time_zone = '+00:00'");
    if (rv)
        return rv;
    apr_hash_set(db->dbd->prepared, "rv:setup", APR_HASH_KEY_STRING, "1");
    return 0;
}

static rv_db_t *rv_db_wrap(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd, int owned)
{
    rv_db_t *db = apr_pcalloc(p, sizeof(*db));
    db->s = s;
    db->dbd = dbd;
    db->prefix = rv_conf_get(s)->prefix;
    db->owned = owned;
    if (rv_db_session_setup(db) != 0 || rv_migrate_ensure(db, p) != 0) {
        if (owned)
            dbd_close_fn(s, dbd);
        return NULL;
    }
    return db;
}

rv_db_t *rv_db_for_request(request_rec *r)
{
    ap_dbd_t *dbd;
    if (!dbd_acquire_fn)
        return NULL;
    dbd = dbd_acquire_fn(r);
    if (!dbd)
        return NULL;
    return rv_db_wrap(r->pool, r->server, dbd, 0);
}

rv_db_t *rv_db_open(apr_pool_t *p, server_rec *s)
{
    ap_dbd_t *dbd;
    if (!dbd_open_fn)
        return NULL;
    dbd = dbd_open_fn(p, s);
    if (!dbd)
        return NULL;
    return rv_db_wrap(p, s, dbd, 1);
}

void rv_db_close(rv_db_t *db)
{
    if (db && db->owned && db->dbd) {
        if (db->in_txn)
            rv_db_rollback(db);
        dbd_close_fn(db->s, db->dbd);
        db->dbd = NULL;
    }
}

/* Prepared statements are cached in the connection's own hash (its pool
 * lives as long as the connection), keyed by the expanded SQL text. */
static apr_dbd_prepared_t *rv_db_prepare(rv_db_t *db, apr_pool_t *p,
                                         const char *sql, int *rv)
{
    const char *text;
    apr_dbd_prepared_t *stmt;
    if (!sql)           /* a version-specific statement whose version is unknown (rv_oc.c) */
        return NULL;
    text = rv_sql_expand(p, sql, db->prefix);
    stmt = apr_hash_get(db->dbd->prepared, text, APR_HASH_KEY_STRING);
    if (stmt)
        return stmt;
    text = apr_pstrdup(db->dbd->pool, text);
    *rv = apr_dbd_prepare(db->dbd->driver, db->dbd->pool, db->dbd->handle,
                          text, NULL, &stmt);
    if (*rv) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, db->s,
                     RVLOGNO(0010) "cannot prepare SQL (%s): %s", text,
                     apr_dbd_error(db->dbd->driver, db->dbd->handle, *rv));
        return NULL;
    }
    apr_hash_set(db->dbd->prepared, text, APR_HASH_KEY_STRING, stmt);
    return stmt;
}

/* apr_dbd's MySQL driver asks libmariadb to reconnect a dropped
 * connection; mod_dbd's check (a ping) then succeeds after a database
 * restart, but statements prepared on the old session are gone. Such an
 * error empties this connection's statement cache and, outside a
 * transaction, runs the statement once more, prepared anew. Only errors that mean
 * the statement never ran: a connection lost mid-statement (2013) is not
 * retried, since an INSERT into OpenCart's tables may have happened. */
#define RV_ER_UNKNOWN_STMT 1243        /* the server does not know the handle */
#define RV_CR_NO_PREPARE_STMT 2030     /* libmariadb, after its reconnect */
#define RV_CR_STMT_CLOSED 2056

static int rv_db_session_lost(rv_db_t *db, int rv)
{
    ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, db->s, RVLOGNO(0011) "SQL error %d: %s", rv,
                 apr_dbd_error(db->dbd->driver, db->dbd->handle, rv));
    if (rv != RV_ER_UNKNOWN_STMT && rv != RV_CR_NO_PREPARE_STMT && rv != RV_CR_STMT_CLOSED)
        return 0;
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, db->s, RVLOGNO(0012) "database session was reset "
                 "(error %d); preparing statements again", rv);
    apr_hash_clear(db->dbd->prepared);
    return !db->in_txn;     /* a transaction was lost with the session: its caller fails */
}

/* apr_dbd's binary-argument calls carry SQL NULL for a NULL pointer. */
int rv_db_exec(rv_db_t *db, apr_pool_t *p, int *affected, const char *sql,
               const char **args, int nargs)
{
    int rv = 0, n = 0, again = 1;
    apr_dbd_prepared_t *stmt;
    (void)nargs;
    do {
        if (!(stmt = rv_db_prepare(db, p, sql, &rv)))
            return rv ? rv : -1;
        rv = apr_dbd_pbquery(db->dbd->driver, p, db->dbd->handle, &n, stmt,
                             (const void **)args);
    } while (rv && again-- && rv_db_session_lost(db, rv));
    if (affected)
        *affected = n;
    return rv;
}

int rv_db_query(rv_db_t *db, apr_pool_t *p, rv_rows_t **out, const char *sql,
                const char **args, int nargs)
{
    int rv = 0, i, cap = 16;
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    rv_rows_t *rows;
    apr_dbd_prepared_t *stmt;
    int again = 1;
    (void)nargs;
    *out = NULL;
    do {
        if (!(stmt = rv_db_prepare(db, p, sql, &rv)))
            return rv ? rv : -1;
        rv = apr_dbd_pbselect(db->dbd->driver, p, db->dbd->handle, &res, stmt, 0,
                              (const void **)args);
    } while (rv && again-- && rv_db_session_lost(db, rv));
    if (rv)
        return rv;
    rows = apr_pcalloc(p, sizeof(*rows));
    rows->ncols = apr_dbd_num_cols(db->dbd->driver, res);
    rows->names = apr_palloc(p, sizeof(char *) * (rows->ncols + 1));
    for (i = 0; i < rows->ncols; i++)
        rows->names[i] = apr_pstrdup(p, apr_dbd_get_name(db->dbd->driver, res, i));
    rows->rows = apr_palloc(p, sizeof(char **) * cap);
    /* sequential results must be read to the end (-1) */
    while (apr_dbd_get_row(db->dbd->driver, p, res, &row, -1) == 0) {
        const char **vals = apr_palloc(p, sizeof(char *) * (rows->ncols + 1));
        for (i = 0; i < rows->ncols; i++) {
            const char *v = apr_dbd_get_entry(db->dbd->driver, row, i);
            vals[i] = v ? apr_pstrdup(p, v) : NULL;
        }
        if (rows->nrows == cap) {
            const char ***bigger = apr_palloc(p, sizeof(char **) * cap * 2);
            memcpy(bigger, rows->rows, sizeof(char **) * cap);
            rows->rows = bigger;
            cap *= 2;
        }
        rows->rows[rows->nrows++] = vals;
    }
    *out = rows;
    return 0;
}

const char *rv_db_value(rv_db_t *db, apr_pool_t *p, const char *sql,
                        const char **args, int nargs)
{
    rv_rows_t *rows;
    if (rv_db_query(db, p, &rows, sql, args, nargs) || rows->nrows == 0
        || rows->ncols == 0)
        return NULL;
    return rows->rows[0][0];
}

int rv_db_plain(rv_db_t *db, const char *sql)
{
    int n;
    return apr_dbd_query(db->dbd->driver, db->dbd->handle, &n, sql);
}

int rv_db_begin(rv_db_t *db)
{
    int rv = rv_db_plain(db, "START TRANSACTION");
    db->in_txn = (rv == 0);
    return rv;
}

int rv_db_commit(rv_db_t *db)
{
    db->in_txn = 0;
    return rv_db_plain(db, "COMMIT");
}

void rv_db_rollback(rv_db_t *db)
{
    db->in_txn = 0;
    rv_db_plain(db, "ROLLBACK");
}

const char *rv_db_error(rv_db_t *db, int rv)
{
    const char *e = apr_dbd_error(db->dbd->driver, db->dbd->handle, rv);
    return e ? e : "unknown database error";
}

const char *rv_db_last_id(rv_db_t *db, apr_pool_t *p)
{
    return rv_db_value(db, p, "SELECT LAST_INSERT_ID()", RV_NOARGS);
}

static int rv_row_col(const rv_rows_t *rows, const char *col)
{
    int j;
    for (j = 0; j < rows->ncols; j++)
        if (!strcmp(rows->names[j], col))
            return j;
    return -1;
}

const char *rv_row_get(const rv_rows_t *rows, int i, const char *col)
{
    int j = rv_row_col(rows, col);
    if (j < 0 || i < 0 || i >= rows->nrows)
        return NULL;
    return rows->rows[i][j];
}

long long rv_row_int(const rv_rows_t *rows, int i, const char *col, long long dflt)
{
    const char *v = rv_row_get(rows, i, col);
    return v ? apr_atoi64(v) : dflt;
}
