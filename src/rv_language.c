/* rv_language.c: the store's language id (see rv_language.h). */
#include "rv_language.h"
#include "rv_settings.h"

static const char *rv_language_of(rv_db_t *db, apr_pool_t *p, const char *code)
{
    const char *id = rv_db_value(db, p, "SELECT language_id FROM {P}language WHERE code = %s",
                                 RV_ARGS(code ? code : "en-gb"));
    return id ? id : "1";
}

const char *rv_language_store(rv_db_t *db, apr_pool_t *p, int store_id)
{
    return rv_language_of(db, p, rv_oc_config(db, p, store_id, "config_language"));
}

const char *rv_language_admin(rv_db_t *db, apr_pool_t *p, int store_id)
{
    const char *code = rv_oc_config(db, p, store_id, "config_admin_language");  /* 3.0 */
    if (!code)
        code = rv_oc_config(db, p, store_id, "config_language_admin");        /* 4.0 */
    if (!code)
        code = rv_oc_config(db, p, store_id, "config_language");
    return rv_language_of(db, p, code);
}
