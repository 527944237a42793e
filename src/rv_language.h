/* rv_language.h: which OpenCart language the module reads and writes
 * product texts in. */
#ifndef RV_LANGUAGE_H
#define RV_LANGUAGE_H

#include "rv_db.h"

/* The store's language id (config_language's code -> oc_language; "en-gb"
 * when the setting is missing, "1" when no language has that code). */
const char *rv_language_store(rv_db_t *db, apr_pool_t *p, int store_id);

/* The admin's language id, for texts shown in the admin (product and
 * category names): config_admin_language, else the store's config_language,
 * then as rv_language_store. */
const char *rv_language_admin(rv_db_t *db, apr_pool_t *p, int store_id);

#endif
