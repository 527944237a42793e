/* rv_admin_auth.c: the admin's own OpenCart session authorises admin calls. */
#include "rv_admin_auth.h"
#include "rv_auth.h"
#include "rv_query.h"

#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

#define RV_PERMISSION_ROUTE "extension/module/reverb"

static const char *rv_request_token(request_rec *r)
{
    const char *t = r->args ? rv_query_get(r->pool, r->args, "user_token") : NULL;
    return t ? t : apr_table_get(r->headers_in, "X-OC-User-Token");
}

static const char *rv_request_session(request_rec *r)
{
    const char *sid = rv_cookie_get(r->pool, apr_table_get(r->headers_in, "Cookie"), "OCSESSID");
    return sid && rv_session_id_valid(sid) ? sid : NULL;
}

int rv_admin_precheck(request_rec *r, const char **why)
{
    const char *t;
    if (!rv_request_session(r)) {
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

rv_auth_result_t rv_admin_authenticate(request_rec *r, rv_db_t *db, long long *user_id,
                                       int *can_modify, const char **why)
{
    const char *sid, *data, *session_token = NULL, *given, *kind;
    rv_rows_t *rows;
    long long uid = 0;

    *can_modify = 0;
    sid = rv_request_session(r);
    if (!sid) {
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
    if (rv_session_parse(r->pool, data, &uid, &session_token) != 0 || uid <= 0
        || !session_token || !*session_token) {
        *why = "session has no logged-in user";
        return RV_AUTH_UNAUTHENTICATED;
    }
    given = rv_request_token(r);
    if (!given || !rv_consttime_eq(given, session_token)) {
        *why = "user_token does not match the session";
        return RV_AUTH_UNAUTHENTICATED;
    }
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
    kind = (r->method_number == M_GET) ? "access" : "modify";
    if (!rows->rows[0][0] || !rv_permission_has(rows->rows[0][0], kind, RV_PERMISSION_ROUTE)) {
        *why = apr_psprintf(r->pool, "user group lacks %s permission for " RV_PERMISSION_ROUTE, kind);
        return RV_AUTH_FORBIDDEN;
    }
    *user_id = uid;
    *can_modify = rv_permission_has(rows->rows[0][0], "modify", RV_PERMISSION_ROUTE);
    return RV_AUTH_OK;
}
