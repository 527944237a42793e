/* rv_lookup_cache.h: Reverb's lookup lists (categories, conditions) kept
 * 24 h in reverb_cache. An answer is cached only when its shape is right,
 * and a cached answer of the wrong shape (written by an older version) is
 * fetched again. */
#ifndef RV_LOOKUP_CACHE_H
#define RV_LOOKUP_CACHE_H

#include "httpd.h"
#include "rv_db.h"
#include "rv_settings.h"
#include "rv_api.h"
#include <json-c/json.h>

typedef json_object *(*rv_shape_fn)(json_object *answer, const char **err);

typedef enum {
    RV_LOOKUP_OK = 0,           /* the list, or NULL with *bad: Reverb's answer had the wrong shape */
    RV_LOOKUP_API_FAILED = 1,   /* *res says why */
    RV_LOOKUP_NO_TOKEN = 2      /* nothing was asked of Reverb */
} rv_lookup_status_t;

/* The shaped list named `name`, from the cache or from GET `path` (r: for
 * the server and the log). A new reference or NULL, *status says which. */
json_object *rv_lookup_cached(request_rec *r, rv_db_t *db, rv_settings_t *st, const char *name,
                              const char *path, rv_shape_fn shape, rv_api_result_t *res,
                              rv_lookup_status_t *status, const char **bad);

#endif
