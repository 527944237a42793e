/* rv_migrate.c: applies sql/install.sql under a database-wide lock. */
#include "rv_migrate.h"
#include "rv_db.h"
#include "rv_conf.h"
#include "rv_settings.h"
#include "rv_oc.h"

#include "http_log.h"
#include "apr_atomic.h"
#include "apr_strings.h"
#include "apr_tables.h"

#include "gen/rv_schema.h"

APLOG_USE_MODULE(reverb);

/* The servers (one per virtual host: each may name its own
 * database and table prefix) whose schema is known current in this
 * process. Set with compare-and-swap: request threads and the worker read
 * them without a lock. A config past the last slot is simply checked again
 * on every connection (one cheap query). */
#define RV_READY_SLOTS 256
static volatile void *schema_ready[RV_READY_SLOTS];

static int rv_schema_is_ready(const void *key)
{
    int i;
    for (i = 0; i < RV_READY_SLOTS; i++) {
        void *v = apr_atomic_casptr(&schema_ready[i], NULL, NULL);
        if (v == key)
            return 1;
        if (!v)
            return 0;
    }
    return 0;
}

static void rv_schema_mark_ready(void *key)
{
    int i;
    for (i = 0; i < RV_READY_SLOTS; i++) {
        void *v = apr_atomic_casptr(&schema_ready[i], key, NULL);
        if (!v || v == key)
            return;
    }
}

/* Splits install.sql into statements (";" at the end of a line), drops
 * comment lines, and points `oc_ at the configured prefix. */
apr_array_header_t *rv_migrate_statements(apr_pool_t *p, const char *prefix)
{
    apr_array_header_t *out = apr_array_make(p, 16, sizeof(char *));
    char *copy = apr_pstrdup(p, rv_schema_sql), *line, *state = NULL;
    char *stmt = "";
    for (line = apr_strtok(copy, "\n", &state); line;
         line = apr_strtok(NULL, "\n", &state)) {
        size_t n;
        if (!strncmp(line, "--", 2))
            continue;
        stmt = apr_pstrcat(p, stmt, line, "\n", NULL);
        n = strlen(line);
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\r'))
            n--;
        if (n && line[n - 1] == ';') {
            const char *s = stmt, *hit;
            char *fixed = "";
            while ((hit = strstr(s, "`oc_")) != NULL) {
                fixed = apr_pstrcat(p, fixed, apr_pstrmemdup(p, s, hit - s),
                                    "`", prefix, NULL);
                s = hit + 4;
            }
            APR_ARRAY_PUSH(out, char *) = apr_pstrcat(p, fixed, s, NULL);
            stmt = "";
        }
    }
    return out;
}

static const char *rv_schema_version(rv_db_t *db, apr_pool_t *p)
{
    const char *table = apr_pstrcat(p, db->prefix, "reverb_meta", NULL);
    const char *have = rv_db_value(db, p,
        "SELECT COUNT(*) FROM information_schema.tables"
        " WHERE table_schema = DATABASE() AND table_name = %s", RV_ARGS(table));
    if (!have || strcmp(have, "1"))
        return NULL;
    return rv_db_value(db, p,
        "SELECT value FROM {P}reverb_meta WHERE name = 'schema_version'", RV_NOARGS);
}

static int rv_migrate_apply(rv_db_t *db, apr_pool_t *p)
{
    apr_array_header_t *stmts = rv_migrate_statements(p, db->prefix);
    int i, rv;
    for (i = 0; i < stmts->nelts; i++) {
        rv = rv_db_plain(db, APR_ARRAY_IDX(stmts, i, char *));
        if (rv) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, db->s,
                         RVLOGNO(0014) "schema statement %d failed: %s", i + 1,
                         rv_db_error(db, rv));
            return rv;
        }
    }
    rv = rv_db_exec(db, p, NULL,
        "INSERT INTO {P}reverb_meta (name, value) VALUES ('schema_version', %s)"
        " ON DUPLICATE KEY UPDATE value = VALUES(value)",
        RV_ARGS(RV_SCHEMA_VERSION));
    if (rv == 0)
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, db->s,
                     RVLOGNO(0015) "database schema version %s applied (prefix '%s')",
                     RV_SCHEMA_VERSION, db->prefix);
    return rv;
}

/* Schema current: make sure the secret keys exist, then remember it. */
static int rv_migrate_done(rv_db_t *db, apr_pool_t *p)
{
    if (rv_settings_ensure_keys(db, p, rv_conf_get(db->s)->store_id))
        return -1;
    rv_oc_match_collation(db, p);   /* failure logged; joins on text may fail until fixed */
    rv_schema_mark_ready(db->s);
    return 0;
}

int rv_migrate_ensure(rv_db_t *db, apr_pool_t *p)
{
    const char *have, *lock;
    int rv = 0;

    if (rv_schema_is_ready(db->s))
        return 0;
    have = rv_schema_version(db, p);
    if (have && !strcmp(have, RV_SCHEMA_VERSION))
        return rv_migrate_done(db, p);
    /* Several processes and servers start together: one applies. */
    lock = apr_pstrcat(p, db->prefix, "reverb_migrate", NULL);
    have = rv_db_value(db, p, "SELECT GET_LOCK(%s, 30)", RV_ARGS(lock));
    if (!have || strcmp(have, "1")) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, db->s,
                     RVLOGNO(0016) "could not take the schema lock; will retry");
        return -1;
    }
    have = rv_schema_version(db, p);
    if (!have || strcmp(have, RV_SCHEMA_VERSION))
        rv = rv_migrate_apply(db, p);
    rv_db_value(db, p, "SELECT RELEASE_LOCK(%s)", RV_ARGS(lock));
    return rv ? rv : rv_migrate_done(db, p);
}
