/* rv_query.c: see rv_query.h. */
#include "rv_query.h"
#include "apr_lib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>

static int rv_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Not apr_unescape_url: that one reads an escape's two digits past len (a
 * "%4" ending a key would take the next byte as its second digit), and this
 * decoder is handed slices of the query string, not terminated strings. */
char *rv_url_decode(apr_pool_t *p, const char *s, size_t len, int plus_is_space)
{
    char *out = apr_palloc(p, len + 1), *w = out;
    size_t i;
    for (i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < len && (hi = rv_hex(s[i + 1])) >= 0
            && (lo = rv_hex(s[i + 2])) >= 0) {
            if (hi == 0 && lo == 0)
                return NULL;
            *w++ = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            *w++ = ' ';
        } else {
            *w++ = s[i];
        }
    }
    *w = '\0';
    return out;
}

/* 0: found (*value set), 1: missing, -1: found but undecodable (%00). */
static int rv_query_lookup(apr_pool_t *p, const char *args, const char *name, const char **value)
{
    const char *s = args;
    size_t name_len = strlen(name);
    for (;;) {
        const char *amp = strchr(s, '&');
        size_t pair_len = amp ? (size_t)(amp - s) : strlen(s);
        const char *eq = memchr(s, '=', pair_len);
        size_t key_len = eq ? (size_t)(eq - s) : pair_len;
        const char *key = key_len ? rv_url_decode(p, s, key_len, 1) : NULL;
        if (key && strlen(key) == name_len && !strcmp(key, name)) {
            *value = eq ? rv_url_decode(p, eq + 1, pair_len - key_len - 1, 1) : "";
            return *value ? 0 : -1;
        }
        if (!amp)
            return 1;
        s = amp + 1;
    }
}

const char *rv_query_get(apr_pool_t *p, const char *args, const char *name)
{
    const char *v = NULL;
    if (!args || !name || !*name)
        return NULL;
    return rv_query_lookup(p, args, name, &v) == 0 ? v : NULL;
}

int rv_parse_ll(const char *s, long long min, long long max, long long *out)
{
    const char *d;
    char *end;
    long long v;
    if (!s)
        return -1;
    d = (*s == '-') ? s + 1 : s;
    if (!*d || strlen(d) > 19 || strspn(d, "0123456789") != strlen(d))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int rv_query_int(apr_pool_t *p, const char *args, const char *name, long long min, long long max,
                 long long dflt, long long *out)
{
    const char *v = NULL;
    long long n;
    int rc;
    *out = dflt;
    if (!args || !name || !*name)
        return 0;
    rc = rv_query_lookup(p, args, name, &v);
    if (rc == 1 || (rc == 0 && !*v))
        return 0;
    if (rc < 0 || rv_parse_ll(v, min, max, &n))
        return -1;
    *out = n;
    return 0;
}

int rv_uuid_valid(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!(apr_isxdigit(s[i]) || s[i] == '-'))
            return 0;
    return 1;
}
