/* rv_migrate.h: the module applies its own schema (sql/install.sql, embedded
 * at build time) when the stored version is older than the code's. */
#ifndef RV_MIGRATE_H
#define RV_MIGRATE_H

#include "rv_db.h"
#include "apr_tables.h"

/* Bump when sql/install.sql changes; statements there stay idempotent. */
#define RV_SCHEMA_VERSION "9"

/* 0 when the schema is current (after applying it if needed). Cheap after
 * the first success in a process. The module's glue registers it as the
 * connection check (rv_db_on_connect), so every connection handed out has
 * the current schema. */
int rv_migrate_ensure(rv_db_t *db, apr_pool_t *p);
/* The statements of install.sql with the prefix applied (for tests/tools). */
apr_array_header_t *rv_migrate_statements(apr_pool_t *p, const char *prefix);

#endif
