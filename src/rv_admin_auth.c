/* rv_admin_auth.c: the admin's own OpenCart session authorises admin calls. */
#include "rv_admin_auth.h"
#include "rv_auth.h"
#include "rv_query.h"
#include "rv_oc.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

/* How many OCSESSID cookies of one request are tried: on OpenCart 4 a
 * browser sends the admin's (path /admin/) and the storefront's (path /). */
#define RV_MAX_SESSION_COOKIES 4

static const char *rv_request_token(request_rec *r)
{
    const char *t = r->args ? rv_query_get(r->pool, r->args, "user_token") : NULL;
    return t ? t : apr_table_get(r->headers_in, "X-OC-User-Token");
}

int rv_admin_precheck(request_rec *r, const char **why)
{
    const char *cookies = apr_table_get(r->headers_in, "Cookie"), *sid, *t;
    int i, any = 0;
    for (i = 0; i < RV_MAX_SESSION_COOKIES
                && (sid = rv_cookie_get_nth(r->pool, cookies, "OCSESSID", i)); i++)
        any |= rv_session_id_valid(sid);
    if (!any) {
        *why = "no valid OpenCart session cookie";
        return 0;
    }
    t = rv_request_token(r);
    if (!t || !*t) {
        *why = "no user_token in the request";
        return 0;
    }
    return 1;
}

/* One OCSESSID: RV_AUTH_OK with *uid when it is a logged-in session whose
 * user_token the request carries. */
static rv_auth_result_t rv_try_session(request_rec *r, rv_db_t *db, const char *sid,
                                       long long *uid, const char **why)
{
    const char *data, *session_token = NULL, *given;
    rv_rows_t *rows;
    if (!rv_session_id_valid(sid)) {
        *why = "no valid OpenCart session cookie";
        return RV_AUTH_UNAUTHENTICATED;
    }
    if (rv_db_query(db, r->pool, &rows,
            "SELECT data FROM {P}session WHERE session_id = %s AND expire > UTC_TIMESTAMP()",
            RV_ARGS(sid)))
        return RV_AUTH_DB;
    if (rows->nrows == 0 || !(data = rows->rows[0][0])) {
        *why = "session unknown or expired";
        return RV_AUTH_UNAUTHENTICATED;
    }
    /* OpenCart 3 stores an empty session as [], 4 as '': both "no user" */
    if (rv_session_parse(r->pool, data, uid, &session_token) != 0 || *uid <= 0
        || !session_token || !*session_token) {
        *why = "session has no logged-in user";
        return RV_AUTH_UNAUTHENTICATED;
    }
    given = rv_request_token(r);
    if (!given || !rv_consttime_eq(given, session_token)) {
        *why = "user_token does not match the session";
        return RV_AUTH_UNAUTHENTICATED;
    }
    return RV_AUTH_OK;
}

/* OpenCart 4's optional second step (config_security): the admin also needs
 * the `authorize` cookie of an accepted oc_user_authorize row, as
 * admin/controller/startup/authorize.php asks. */
static rv_auth_result_t rv_check_authorize(request_rec *r, rv_db_t *db, long long uid,
                                           const char **why)
{
    const char *on = rv_db_value(db, r->pool, "SELECT value FROM {P}setting WHERE store_id = 0"
                                 " AND code = 'config' AND `key` = 'config_security'", RV_NOARGS);
    const char *token;
    rv_rows_t *rows;
    if (!on || !*on || !strcmp(on, "0"))
        return RV_AUTH_OK;
    token = rv_cookie_get(r->pool, apr_table_get(r->headers_in, "Cookie"), "authorize");
    if (!token || !*token) {
        *why = "OpenCart's login security is on and the browser has not been authorised";
        return RV_AUTH_UNAUTHENTICATED;
    }
    if (rv_db_query(db, r->pool, &rows, "SELECT 1 FROM {P}user_authorize WHERE user_id = %s"
                    " AND token = %s AND status = 1 LIMIT 1",
                    RV_ARGS(rv_i64(r->pool, uid), token)))
        return RV_AUTH_DB;
    if (!rows->nrows) {
        *why = "OpenCart's login security is on and this browser's authorisation is not accepted";
        return RV_AUTH_UNAUTHENTICATED;
    }
    return RV_AUTH_OK;
}

rv_auth_result_t rv_admin_authenticate(request_rec *r, rv_db_t *db, long long *user_id,
                                       int *can_modify, const char **why)
{
    const char *cookies = apr_table_get(r->headers_in, "Cookie"), *kind, *route, *sid;
    rv_auth_result_t res = RV_AUTH_UNAUTHENTICATED;
    rv_rows_t *rows;
    long long uid = 0;
    int i, version;

    *can_modify = 0;
    *why = "no valid OpenCart session cookie";
    for (i = 0; i < RV_MAX_SESSION_COOKIES
                && (sid = rv_cookie_get_nth(r->pool, cookies, "OCSESSID", i)); i++) {
        uid = 0;
        res = rv_try_session(r, db, sid, &uid, why);
        if (res == RV_AUTH_OK || res == RV_AUTH_DB)
            break;
    }
    if (res != RV_AUTH_OK)
        return res;
    if ((version = rv_oc_version(db, r->pool)) < 0)
        return RV_AUTH_DB;
    if (version == 4 && (res = rv_check_authorize(r, db, uid, why)) != RV_AUTH_OK)
        return res;
    if (rv_db_query(db, r->pool, &rows,
            "SELECT ug.permission FROM {P}user u"
            " JOIN {P}user_group ug ON ug.user_group_id = u.user_group_id"
            " WHERE u.user_id = %s AND u.status = 1",
            RV_ARGS(rv_i64(r->pool, uid))))
        return RV_AUTH_DB;
    if (rows->nrows == 0) {
        *why = "user unknown or disabled";
        return RV_AUTH_UNAUTHENTICATED;
    }
    if (!(route = rv_oc_permission_route(db, r->pool)))
        return RV_AUTH_DB;
    kind = (r->method_number == M_GET) ? "access" : "modify";
    if (!rows->rows[0][0] || !rv_permission_has(rows->rows[0][0], kind, route)) {
        *why = apr_psprintf(r->pool, "user group lacks %s permission for %s", kind, route);
        return RV_AUTH_FORBIDDEN;
    }
    *user_id = uid;
    *can_modify = rv_permission_has(rows->rows[0][0], "modify", route);
    return RV_AUTH_OK;
}
