/* rv_admin_auth.h: OpenCart admin session check for /reverb/admin/ routes
 * (every admin route: a logged-in OpenCart user with the module permission). */
#ifndef RV_ADMIN_AUTH_H
#define RV_ADMIN_AUTH_H

#include "rv_db.h"

typedef enum { RV_AUTH_OK = 0, RV_AUTH_UNAUTHENTICATED, RV_AUTH_FORBIDDEN, RV_AUTH_DB } rv_auth_result_t;

/* Checks cookie OCSESSID (each one sent, up to 4) -> oc_session (not
 * expired, UTC) -> user_id and user_token, the request's token (query
 * user_token or X-OC-User-Token, in constant time), on OpenCart 4 the
 * `authorize` cookie when config_security is on, the user active, and the
 * group's permission for the module's route (3.0 extension/module/reverb,
 * 4.0 extension/<folder>/module/reverb): `access` for GET/HEAD, `modify`
 * otherwise.
 * On success *user_id is set, and *can_modify tells whether the group may
 * also change things (secrets are shown only to such users). */
rv_auth_result_t rv_admin_authenticate(request_rec *r, rv_db_t *db, long long *user_id,
                                       int *can_modify, const char **why);
/* The checks that need no database (a well-formed session cookie and a
 * user_token present): 0 with *why set when the request cannot be an
 * admin's, so that unauthenticated floods cost no pooled connection. */
int rv_admin_precheck(request_rec *r, const char **why);

#endif
