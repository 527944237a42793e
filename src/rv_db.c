/* rv_db.c: prepared statements over mod_dbd connections. */
#include "rv_db.h"
#include "rv_conf.h"
#include "rv_sqltext.h"

#include "http_log.h"
#include "apr_optional.h"
#include "apr_strings.h"
#include "apr_lib.h"
#include <dlfcn.h>
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

/* Which server session the connection is on. apr_dbd's MySQL driver lets
 * libmariadb reconnect a dropped connection by itself (DBDParams
 * reconnect=1, apr_dbd's default): in mod_dbd's ping when the connection
 * is acquired, or inside any later statement. The new session has none of
 * the old one's settings, prepared statements, named locks or transaction,
 * and nothing tells the caller. libmariadb's mysql_thread_id() (looked up
 * at run time: the driver loads libmariadb, mod_reverb does not link it)
 * is the server's CONNECTION_ID() and changes with every reconnect, at no
 * cost; other drivers ask the server. */
typedef unsigned long (*rv_thread_id_fn)(void *);
static rv_thread_id_fn rv_thread_id;
static int rv_thread_id_looked;

static unsigned long rv_db_thread_id(rv_db_t *db, int *known)
{
    const char *name = apr_dbd_name(db->dbd->driver);
    *known = 0;
    if (!name || strcmp(name, "mysql"))
        return 0;
    if (!rv_thread_id_looked) {
        rv_thread_id = (rv_thread_id_fn)dlsym(RTLD_DEFAULT, "mysql_thread_id");
        rv_thread_id_looked = 1;
    }
    if (!rv_thread_id)
        return 0;
    *known = 1;
    return rv_thread_id(apr_dbd_native_handle(db->dbd->driver, db->dbd->handle));
}

const char *rv_db_session(rv_db_t *db, apr_pool_t *p)
{
    int n, known;
    unsigned long id = rv_db_thread_id(db, &known);
    apr_dbd_results_t *res = NULL;
    apr_dbd_row_t *row = NULL;
    const char *v = NULL;
    if (known)
        return apr_psprintf(p, "%lu", id);
    (void)n;
    if (apr_dbd_select(db->dbd->driver, p, db->dbd->handle, &res, "SELECT CONNECTION_ID()", 0))
        return "";
    while (apr_dbd_get_row(db->dbd->driver, p, res, &row, -1) == 0)
        if (!v)
            v = apr_pstrdup(p, apr_dbd_get_entry(db->dbd->driver, row, 0));
    return v ? v : "";
}

/* Per server session: utf8mb4 and UTC, so that every server sharing the
 * database agrees on times (OpenCart's own dates are written as values in
 * the shop's time, see rv_shoptime.h). The session it was done for is
 * remembered in the connection's statement cache; a new session (a
 * reconnect) empties the cache (its statements died with the old session)
 * and is set up again before any statement runs on it. */
/* The session id into buf (the connection's pool lives long: nothing is
 * allocated there unless the session changed). */
static void rv_db_session_buf(rv_db_t *db, char buf[32])
{
    apr_pool_t *tmp;
    int known;
    unsigned long id = rv_db_thread_id(db, &known);
    if (known) {
        snprintf(buf, 32, "%lu", id);
        return;
    }
    apr_pool_create(&tmp, db->dbd->pool);
    apr_cpystrn(buf, rv_db_session(db, tmp), 32);
    apr_pool_destroy(tmp);
}

static int rv_db_session_setup(rv_db_t *db)
{
    int n, rv;
    const char *done = apr_hash_get(db->dbd->prepared, "rv:setup", APR_HASH_KEY_STRING);
    char now[32];
    rv_db_session_buf(db, now);
    if (done && !strcmp(done, now) && *now)
        return 0;
    if (done) {
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, db->s, RVLOGNO(0037) "the database connection was "
                     "replaced (session %s, now %s); setting it up again", done, now);
        apr_hash_clear(db->dbd->prepared);
        db->resets++;
        if (db->in_txn)
            db->txn_lost = 1;
    }
    rv = apr_dbd_query(db->dbd->driver, db->dbd->handle, &n,
                       "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci, time_zone = '+00:00'");
    if (rv)
        return rv;
    /* the id again: the SET itself may have been what reconnected */
    rv_db_session_buf(db, now);
    apr_hash_set(db->dbd->prepared, "rv:setup", APR_HASH_KEY_STRING,
                 apr_pstrdup(db->dbd->pool, now));
    return 0;
}

/* Before every statement: still on the session that was set up? Free for
 * libmariadb (no round trip); elsewhere only checked when acquired. */
static int rv_db_same_session(rv_db_t *db)
{
    int known;
    unsigned long id = rv_db_thread_id(db, &known);
    const char *done = apr_hash_get(db->dbd->prepared, "rv:setup", APR_HASH_KEY_STRING);
    char buf[32];
    if (!known)
        return 0;
    snprintf(buf, sizeof(buf), "%lu", id);
    if (done && !strcmp(done, buf))
        return 0;
    return rv_db_session_setup(db);
}

/* Run on every wrapped connection after its session is set up (the
 * schema check, registered by the module's glue: rv_migrate sits above
 * this file, which knows nothing of it). */
static rv_db_connect_fn rv_db_on_connect_fn;

void rv_db_on_connect(rv_db_connect_fn fn)
{
    rv_db_on_connect_fn = fn;
}

static rv_db_t *rv_db_wrap(apr_pool_t *p, server_rec *s, ap_dbd_t *dbd, int owned)
{
    rv_db_t *db = apr_pcalloc(p, sizeof(*db));
    db->s = s;
    db->dbd = dbd;
    db->prefix = rv_conf_get(s)->prefix;
    db->owned = owned;
    if (rv_db_session_setup(db) != 0 || (rv_db_on_connect_fn && rv_db_on_connect_fn(db, p) != 0)) {
        if (owned)
            dbd_close_fn(s, dbd);
        return NULL;
    }
    return db;
}

/* With DBDParams reconnect=0 (conf/reverb.conf says why) a pooled
 * connection that died (database restarted, connection killed) fails
 * mod_dbd's check when acquired; mod_dbd then drops it and answers NULL.
 * Asking again takes the next pooled connection or opens a new one, so a
 * restart costs no request a 503 - only a database that stays down does.
 * Bounded: a few more than mod_dbd's default DBDMax. */
#define RV_DB_ACQUIRE_TRIES 12

rv_db_t *rv_db_for_request(request_rec *r)
{
    ap_dbd_t *dbd = NULL;
    int i;
    if (!dbd_acquire_fn)
        return NULL;
    for (i = 0; i < RV_DB_ACQUIRE_TRIES && !dbd; i++)
        dbd = dbd_acquire_fn(r);
    if (!dbd)
        return NULL;
    return rv_db_wrap(r->pool, r->server, dbd, 0);
}

rv_db_t *rv_db_open(apr_pool_t *p, server_rec *s)
{
    ap_dbd_t *dbd = NULL;
    int i;
    if (!dbd_open_fn)
        return NULL;
    for (i = 0; i < RV_DB_ACQUIRE_TRIES && !dbd; i++)
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
    unsigned before;
    *rv = 0;
    if (!sql) {         /* a version-specific statement whose version is unknown (rv_oc.c) */
        *rv = -1;
        return NULL;
    }
    text = rv_sql_expand(p, sql, db->prefix);
    if (db->txn_lost) {
        *rv = -1;       /* the transaction is gone: nothing more runs in it */
        return NULL;
    }
    if ((*rv = rv_db_same_session(db)))
        return NULL;
    if (db->txn_lost) {
        *rv = -1;
        return NULL;
    }
    stmt = apr_hash_get(db->dbd->prepared, text, APR_HASH_KEY_STRING);
    if (stmt)
        return stmt;
    text = apr_pstrdup(db->dbd->pool, text);
    before = db->resets;
    *rv = apr_dbd_prepare(db->dbd->driver, db->dbd->pool, db->dbd->handle,
                          text, NULL, &stmt);
    /* preparing may itself have reconnected: then set the new session up
     * and prepare on it again */
    if (*rv == 0 && (*rv = rv_db_same_session(db)) == 0 && db->resets != before) {
        if (db->txn_lost) {
            *rv = -1;
            return NULL;
        }
        *rv = apr_dbd_prepare(db->dbd->driver, db->dbd->pool, db->dbd->handle,
                              text, NULL, &stmt);
    }
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
    {
        /* the statements are gone; the marker stays, so the setup below
         * sees whether the session was replaced */
        const char *done = apr_hash_get(db->dbd->prepared, "rv:setup", APR_HASH_KEY_STRING);
        apr_hash_clear(db->dbd->prepared);
        if (done)
            apr_hash_set(db->dbd->prepared, "rv:setup", APR_HASH_KEY_STRING, done);
    }
    /* the new session gets its settings before the statement runs again */
    if (rv_db_session_setup(db) != 0)
        return 0;
    /* a transaction lost with the session: its caller fails (txn_lost) */
    return !db->in_txn;
}

/* RV_ARGS must match the text's placeholders: apr_dbd would read past a
 * short argument array. A mismatch is refused (and logged at ERROR with the
 * statement's start) before anything is prepared. NULL text (a version-
 * specific statement of an unknown version) is left to rv_db_prepare. */
static int rv_db_args_match(rv_db_t *db, const char *sql, int nargs)
{
    int want = rv_sql_placeholders(sql);
    if (!sql || want == nargs)
        return 1;
    ap_log_error(APLOG_MARK, APLOG_ERR, 0, db->s, RVLOGNO(0280)
                 "statement refused (%d arguments for %d placeholders): %.60s",
                 nargs, want, sql);
    return 0;
}

int rv_db_retryable(const rv_db_t *db, int rv)
{
    return rv == RV_ER_LOCK_DEADLOCK && !db->in_txn;
}

/* A statement that failed for good is logged at ERROR under its label: the
 * statement's first words (verb and table, never a value: values travel as
 * arguments and are not logged). */
static void rv_db_failed(rv_db_t *db, apr_pool_t *p, const char *sql, int rv)
{
    char label[61];
    apr_size_t i = 0, o = 0;
    int space = 0;
    while (sql[i] == ' ')
        i++;
    for (; sql[i] && o < sizeof(label) - 1; i++) {
        if (sql[i] == ' ' || sql[i] == '\n') {
            space = o > 0;
            continue;
        }
        if (space && o < sizeof(label) - 2)
            label[o++] = ' ';
        space = 0;
        label[o++] = sql[i];
    }
    label[o] = '\0';
    /* InnoDB's transient refusals (a deadlock, a lock wait timeout) are the
     * caller's to retry - a claim tries again next round - so a warning */
    ap_log_error(APLOG_MARK, rv == RV_ER_LOCK_DEADLOCK || rv == RV_ER_LOCK_WAIT_TIMEOUT
                 ? APLOG_WARNING : APLOG_ERR, 0, db->s,
                 RVLOGNO(0245) "statement failed (%s...): %s", label, rv_db_error(db, rv));
    (void)p;
}

/* apr_dbd's binary-argument calls carry SQL NULL for a NULL pointer. */
int rv_db_exec(rv_db_t *db, apr_pool_t *p, int *affected, const char *sql,
               const char **args, int nargs)
{
    int rv = 0, n = 0, again = 1;
    apr_dbd_prepared_t *stmt;
    if (!rv_db_args_match(db, sql, nargs))
        return -1;
    do {
        if (!(stmt = rv_db_prepare(db, p, sql, &rv)))
            return rv ? rv : -1;
        rv = apr_dbd_pbquery(db->dbd->driver, p, db->dbd->handle, &n, stmt,
                             (const void **)args);
    } while (rv && again-- && rv_db_session_lost(db, rv));
    if (rv)
        rv_db_failed(db, p, sql, rv);
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
    *out = NULL;
    if (!rv_db_args_match(db, sql, nargs))
        return -1;
    do {
        if (!(stmt = rv_db_prepare(db, p, sql, &rv)))
            return rv ? rv : -1;
        rv = apr_dbd_pbselect(db->dbd->driver, p, db->dbd->handle, &res, stmt, 0,
                              (const void **)args);
    } while (rv && again-- && rv_db_session_lost(db, rv));
    if (rv) {
        rv_db_failed(db, p, sql, rv);
        return rv;
    }
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
    int n, rv;
    if (db->txn_lost)
        return -1;
    if ((rv = rv_db_same_session(db)) || db->txn_lost)
        return rv ? rv : -1;
    rv = apr_dbd_query(db->dbd->driver, db->dbd->handle, &n, sql);
    /* a reconnect inside this very statement: it ran on a session without
     * our settings (or outside the transaction) */
    if (rv_db_same_session(db) == 0 && db->txn_lost)
        return -1;
    return rv;
}

int rv_db_begin(rv_db_t *db)
{
    int rv;
    if (db->in_txn) {
        /* START TRANSACTION would commit the open one silently */
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, db->s, RVLOGNO(0281)
                     "a transaction is already open on this connection; nested begin refused");
        return -1;
    }
    db->txn_lost = 0;
    rv = rv_db_plain(db, "START TRANSACTION");
    db->in_txn = (rv == 0);
    return rv;
}

int rv_db_commit(rv_db_t *db)
{
    int lost = db->txn_lost, rv;
    db->txn_lost = 0;
    if (lost) {
        db->in_txn = 0;
        return -1;      /* nothing to commit: the session and its work are gone */
    }
    rv = rv_db_plain(db, "COMMIT");
    db->in_txn = 0;
    db->txn_lost = 0;
    return rv;
}

void rv_db_rollback(rv_db_t *db)
{
    int n;
    db->in_txn = 0;
    db->txn_lost = 0;
    apr_dbd_query(db->dbd->driver, db->dbd->handle, &n, "ROLLBACK");
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

int rv_row_col(const rv_rows_t *rows, const char *col)
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
