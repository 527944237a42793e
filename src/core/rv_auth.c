/* rv_auth.c: see rv_auth.h. */
#include "rv_auth.h"
#include "rv_json.h"

#include <string.h>
#include <apr_crypto.h>
#include <apr_strings.h>

static int rv_session_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == ',' || c == '-';
}

int rv_session_id_valid(const char *id)
{
    size_t n = 0;
    if (!id)
        return 0;
    for (; id[n]; n++)
        if (n >= 52 || !rv_session_id_char(id[n]))
            return 0;
    return n >= 22;
}

static const char *rv_skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Trims spaces and one pair of surrounding double quotes. */
static const char *rv_cookie_value(apr_pool_t *p, const char *v, size_t n)
{
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v++;
        n -= 2;
    }
    return apr_pstrndup(p, v, n);
}

const char *rv_cookie_get(apr_pool_t *p, const char *header, const char *name)
{
    return rv_cookie_get_nth(p, header, name, 0);
}

const char *rv_cookie_get_nth(apr_pool_t *p, const char *header, const char *name, int nth)
{
    size_t name_len;
    const char *s = header;
    if (!header || !name || !*name)
        return NULL;
    name_len = strlen(name);
    while (*s) {
        const char *pair = rv_skip_ows(s), *end = strchr(pair, ';');
        const char *eq;
        size_t pair_len = end ? (size_t)(end - pair) : strlen(pair);
        eq = memchr(pair, '=', pair_len);
        if (eq) {
            size_t key_len = (size_t)(eq - pair);
            while (key_len && (pair[key_len - 1] == ' ' || pair[key_len - 1] == '\t'))
                key_len--;
            if (key_len == name_len && !memcmp(pair, name, name_len) && nth-- == 0) {
                const char *v = rv_skip_ows(eq + 1);
                return rv_cookie_value(p, v, pair_len - (size_t)(v - pair));
            }
        }
        if (!end)
            break;
        s = end + 1;
    }
    return NULL;
}

/* 0 with *id, 1 no user, -1 malformed. */
static int rv_session_user_id(json_object *data, long long *id)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(data, "user_id", &v) || !v)
        return 1;
    if (rv_json_as_int(v, id) || *id < 0)
        return -1;
    return *id == 0 ? 1 : 0;
}

int rv_session_parse(apr_pool_t *p, const char *data, long long *user_id, const char **user_token)
{
    json_object *o;
    const char *tok;
    long long id = 0;
    int rc;
    if (user_id)
        *user_id = 0;
    if (user_token)
        *user_token = NULL;
    if (!data || !*data)
        return 1;
    if (!(o = rv_json_parse(data, strlen(data), NULL)))
        return -1;
    if (json_object_is_type(o, json_type_array)) {
        rc = 1;                         /* PHP encodes an empty session as [] */
    } else if (!json_object_is_type(o, json_type_object)) {
        rc = -1;
    } else if ((rc = rv_session_user_id(o, &id)) == 0) {
        tok = rv_json_str(o, "user_token");
        if (user_id)
            *user_id = id;
        if (user_token)
            *user_token = tok ? apr_pstrdup(p, tok) : NULL;
    }
    json_object_put(o);
    return rc;
}

static int rv_list_has(json_object *list, const char *route)
{
    size_t i, n;
    if (!list || !json_object_is_type(list, json_type_array))
        return 0;
    n = json_object_array_length(list);
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        if (e && json_object_is_type(e, json_type_string)
            && (size_t)json_object_get_string_len(e) == strlen(route)
            && !strcmp(json_object_get_string(e), route))
            return 1;
    }
    return 0;
}

int rv_permission_has(const char *permission_json, const char *kind, const char *route)
{
    json_object *o, *list = NULL;
    int found;
    if (!permission_json || !*permission_json || !kind || !route || !*route)
        return 0;
    if (!(o = rv_json_parse(permission_json, strlen(permission_json), NULL)))
        return 0;
    found = json_object_is_type(o, json_type_object)
            && json_object_object_get_ex(o, kind, &list) && rv_list_has(list, route);
    json_object_put(o);
    return found;
}

int rv_consttime_eq(const char *given, const char *expected)
{
    size_t want_len;
    if (!given || !expected || !*expected)
        return 0;
    want_len = strlen(expected);
    /* A length mismatch still walks the whole secret (against itself), so
     * the time depends on the secret's length only. */
    if (strlen(given) != want_len) {
        apr_crypto_equals(expected, expected, want_len);
        return 0;
    }
    return apr_crypto_equals(given, expected, want_len);
}
