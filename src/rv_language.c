/* rv_language.c: the store's language id (see rv_language.h). One
 * statement per lookup: the store's own setting before store 0's, the
 * first key that is set, the language with that code; "1" when none. */
#include "rv_language.h"
#include "rv_settings.h"

#include "apr_strings.h"

/* keys: an SQL list of setting keys, in order of preference */
#define RV_LANGUAGE_SQL(keys) \
    "SELECT l.language_id FROM {P}setting s JOIN {P}language l ON l.code = s.value" \
    " WHERE s.code = 'config' AND s.store_id IN (0, %s) AND s.`key` IN (" keys ")" \
    " ORDER BY s.store_id DESC, FIELD(s.`key`, " keys ") LIMIT 1"

static const char *rv_language_or_first(const char *id)
{
    return id ? id : "1";
}

const char *rv_language_store(rv_db_t *db, apr_pool_t *p, int store_id)
{
    return rv_language_or_first(rv_db_value(db, p, RV_LANGUAGE_SQL("'config_language'"),
                                            RV_ARGS(apr_itoa(p, store_id))));
}

const char *rv_language_admin(rv_db_t *db, apr_pool_t *p, int store_id)
{
    /* 3.0's key, 4.0's key, then the storefront's */
    return rv_language_or_first(rv_db_value(db, p,
        RV_LANGUAGE_SQL("'config_admin_language', 'config_language_admin', 'config_language'"),
        RV_ARGS(apr_itoa(p, store_id))));
}
