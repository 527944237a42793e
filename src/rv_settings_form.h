/* rv_settings_form.h: the settings as the admin page shows and posts them. */
#ifndef RV_SETTINGS_FORM_H
#define RV_SETTINGS_FORM_H

#include "rv_settings.h"

/* GET/POST settings (admin routes). URLs holding the webhook and cron keys
 * are included only when show_secrets. */
json_object *rv_settings_to_json(rv_db_t *db, apr_pool_t *p, const rv_settings_t *st,
                                 const char *base_url, int show_secrets);
/* Validates every field first; writes only when all are valid. Returns NULL
 * on success or a plain-words error. */
const char *rv_settings_apply(rv_db_t *db, apr_pool_t *p, int store_id, json_object *in);
/* The same; *field (when not NULL) is set to the key of the refused setting. */
const char *rv_settings_apply_field(rv_db_t *db, apr_pool_t *p, int store_id, json_object *in,
                                    const char **field);

#endif
