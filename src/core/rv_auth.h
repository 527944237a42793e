/* rv_auth.h: parsing for OpenCart admin authentication (OpenCart's
 * session and user group rows). No I/O here: the engine reads the rows. */
#ifndef RV_AUTH_H
#define RV_AUTH_H

#include <apr_pools.h>

/* OpenCart's own session id check: /^[a-zA-Z0-9,\-]{22,52}$/. */
int rv_session_id_valid(const char *id);

/* The value of cookie `name` in a Cookie header ("a=1; OCSESSID=x"), the
 * first one when repeated (as PHP does), surrounding double quotes removed,
 * not URL-decoded. NULL when absent or either argument is NULL. */
const char *rv_cookie_get(apr_pool_t *p, const char *cookie_header, const char *name);
/* The same for the nth (0-based) cookie of that name. A browser holding
 * OpenCart 4's admin cookie (path /admin/) and its storefront cookie
 * (path /) sends both to /admin/..., the longer path first. */
const char *rv_cookie_get_nth(apr_pool_t *p, const char *cookie_header, const char *name, int nth);

/* oc_session.data (JSON written by PHP json_encode): an object, or "[]"
 * for an empty session (OpenCart 3), or "" (OpenCart 4). user_id may be a string ("1", mysqli) or a number.
 * Returns 0 with *user_id > 0 and *user_token (NULL when absent or not a
 * string); 1 when there is no logged-in user (empty data, an array, no
 * user_id, user_id 0); -1 when the data is not valid JSON or user_id is
 * malformed or negative. */
int rv_session_parse(apr_pool_t *p, const char *data, long long *user_id, const char **user_token);

/* oc_user_group.permission JSON {"access":[...],"modify":[...]}: whether
 * `route` is listed under `kind`. json-c decodes PHP's "\/" escapes.
 * Empty string, invalid JSON, other shapes: 0. */
int rv_permission_has(const char *permission_json, const char *kind, const char *route);

/* Compares a caller-supplied value with the expected secret in time that
 * depends only on the secret's length: no early exit on the first
 * difference or on a length mismatch. An empty or NULL expected secret
 * never matches. */
int rv_consttime_eq(const char *given, const char *expected);

#endif
