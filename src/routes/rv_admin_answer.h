/* rv_admin_answer.h: answers shared by the admin routes that ask Reverb on
 * the admin's behalf. */
#ifndef RV_ADMIN_ANSWER_H
#define RV_ADMIN_ANSWER_H

#include "rv_route.h"
#include "rv_api.h"
#include "rv_lookup_cache.h"

/* Plain-words answer for a failed Reverb call made on the admin's behalf. */
int rv_admin_api_error(rv_req_t *q, const rv_api_result_t *res);

/* A cached lookup list answered as {key: list}. */
int rv_lookup_route(rv_req_t *q, const char *name, const char *path, rv_shape_fn shape,
                    const char *key);

#endif
