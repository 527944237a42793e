/* fuzz_auth.c: session data, permission JSON, cookies, constant-time eq. */
#include "fuzz_util.h"
#include "rv_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    const char *s, *tok = NULL, *sid, *f[2];
    long long uid = 0;
    int rc;
    apr_pool_create(&p, NULL);
    s = fuzz_cstr(p, data, size);

    rc = rv_session_parse(p, s, &uid, &tok);
    FUZZ_CHECK(rc >= -1 && rc <= 1, "session result in range");
    FUZZ_CHECK(rc == 0 ? uid > 0 : uid == 0, "user id only with a user");
    FUZZ_CHECK(rc == 0 || tok == NULL, "token only with a user");

    (void)rv_permission_has(s, "access", "extension/module/reverb");
    (void)rv_permission_has(s, "modify", "extension/module/reverb");

    sid = rv_cookie_get(p, s, "OCSESSID");
    if (sid && rv_session_id_valid(sid))
        FUZZ_CHECK(strlen(sid) >= 22 && strlen(sid) <= 52, "valid ids have a valid length");

    fuzz_fields(p, s, f, 2);
    FUZZ_CHECK(rv_consttime_eq(f[0], f[1]) == (*f[1] && !strcmp(f[0], f[1])),
               "consttime_eq agrees with strcmp");
    apr_pool_destroy(p);
    return 0;
}
