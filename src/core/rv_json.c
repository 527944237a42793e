/* rv_json.c: see rv_json.h. */
#include "rv_json.h"
#include "rv_text.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>

static int rv_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int rv_all_space(const char *s, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (!rv_json_space(s[i]))
            return 0;
    return 1;
}

/* What json-c lets through but JSON or our limits do not: NaN and Infinity
 * (accepted even in strict mode), and containers nested deeper than
 * RV_JSON_MAX_DEPTH (json-c's own depth also counts the scalar leaves). */
static const char *rv_json_check(json_object *o, int depth)
{
    const char *why = NULL;
    size_t i, n;
    switch (json_object_get_type(o)) {
    case json_type_double:
        return isfinite(json_object_get_double(o)) ? NULL : "invalid JSON (non-finite number)";
    case json_type_array:
        if (depth > RV_JSON_MAX_DEPTH)
            return "nesting deeper than 32 levels";
        n = json_object_array_length(o);
        for (i = 0; i < n && !why; i++)
            why = rv_json_check(json_object_array_get_idx(o, i), depth + 1);
        return why;
    case json_type_object: {
        if (depth > RV_JSON_MAX_DEPTH)
            return "nesting deeper than 32 levels";
        json_object_object_foreach(o, key, val) {
            (void)key;
            if ((why = rv_json_check(val, depth + 1)))
                break;
        }
        return why;
    }
    default:
        return NULL;
    }
}

static const char *rv_tokener_message(enum json_tokener_error e)
{
    switch (e) {
    case json_tokener_error_depth:
        return "nesting deeper than 32 levels";
    case json_tokener_continue:
    case json_tokener_error_parse_eof:
        return "truncated JSON document";
    default:
        return "invalid JSON";
    }
}

/* Runs the tokener over the whole buffer; a top-level number is only
 * complete once the tokener sees the end, so a NUL terminator is fed. */
static json_object *rv_tokenize(const char *buf, size_t len, const char **why)
{
    struct json_tokener *tok = json_tokener_new_ex(RV_JSON_MAX_DEPTH + 2);
    json_object *o;
    enum json_tokener_error e;
    size_t end;

    if (!tok) {
        *why = "out of memory";
        return NULL;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    o = json_tokener_parse_ex(tok, buf, (int)len);
    e = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    if (!o && e == json_tokener_continue) {
        o = json_tokener_parse_ex(tok, "", 1);
        e = json_tokener_get_error(tok);
        end = len;
    }
    json_tokener_free(tok);
    if (!o) {
        *why = rv_tokener_message(e);
        return NULL;
    }
    if (end < len && !rv_all_space(buf + end, len - end)) {
        json_object_put(o);
        *why = "unexpected characters after the JSON value";
        return NULL;
    }
    return o;
}

json_object *rv_json_parse(const char *buf, size_t len, const char **err)
{
    const char *why = NULL;
    json_object *o = NULL;

    if (!buf || rv_all_space(buf, len))
        why = "empty JSON document";
    else if (len > RV_JSON_MAX_LEN)
        why = "JSON document larger than 16 MiB";
    else if (memchr(buf, '\0', len))
        why = "invalid JSON (NUL byte)";
    else if ((o = rv_tokenize(buf, len, &why)) && (why = rv_json_check(o, 1))) {
        json_object_put(o);
        o = NULL;
    }
    if (err)
        *err = o ? NULL : why;
    return o;
}

static json_object *rv_json_member(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!o || !key || !json_object_is_type(o, json_type_object))
        return NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

static const char *rv_string_value(json_object *v)
{
    const char *s;
    if (!v || !json_object_is_type(v, json_type_string))
        return NULL;
    s = json_object_get_string(v);
    /* "\u0000" inside a string would silently cut it short in C */
    if ((size_t)json_object_get_string_len(v) != strlen(s))
        return NULL;
    return s;
}

const char *rv_json_str(json_object *o, const char *key)
{
    return rv_string_value(rv_json_member(o, key));
}

static int rv_digits_to_ll(const char *s, long long *out)
{
    const char *d = (*s == '-') ? s + 1 : s;
    char *end;
    long long v;
    if (*d < '0' || *d > '9')
        return -1;
    for (; *d; d++)
        if (*d < '0' || *d > '9')
            return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end)
        return -1;
    *out = v;
    return 0;
}

static int rv_int_value(json_object *v, long long *out)
{
    int64_t i;
    if (json_object_get_int64(v) == INT64_MAX && json_object_get_uint64(v) > INT64_MAX)
        return -1;                      /* json-c saturates huge values */
    i = json_object_get_int64(v);
    if (i == INT64_MIN)
        return -1;                      /* may be saturated as well */
    *out = (long long)i;
    return 0;
}

static int rv_double_value(json_object *v, long long *out)
{
    double d = json_object_get_double(v);
    if (!isfinite(d) || d != floor(d) || d >= 9.2e18 || d <= -9.2e18)
        return -1;
    *out = (long long)d;
    return 0;
}

int rv_json_as_int(json_object *v, long long *out)
{
    const char *s;
    if (!v || !out)
        return -1;
    switch (json_object_get_type(v)) {
    case json_type_int:
        return rv_int_value(v, out);
    case json_type_double:
        return rv_double_value(v, out);
    case json_type_string:
        s = rv_string_value(v);
        return s ? rv_digits_to_ll(s, out) : -1;
    default:
        return -1;
    }
}

int rv_json_int(json_object *o, const char *key, long long *out)
{
    return rv_json_as_int(rv_json_member(o, key), out);
}

int rv_json_bool(json_object *o, const char *key, int *out)
{
    json_object *v = rv_json_member(o, key);
    const char *s;
    long long n;
    if (!v || !out)
        return -1;
    if (json_object_is_type(v, json_type_boolean)) {
        *out = json_object_get_boolean(v) ? 1 : 0;
        return 0;
    }
    s = rv_string_value(v);
    if (s && (!strcmp(s, "true") || !strcmp(s, "false"))) {
        *out = (s[0] == 't');
        return 0;
    }
    if (rv_json_as_int(v, &n) == 0 && (n == 0 || n == 1)) {
        *out = (int)n;
        return 0;
    }
    return -1;
}

static json_object *rv_json_step(json_object *cur, const char *seg, size_t n)
{
    char key[256];
    if (n == 0 || n >= sizeof(key))
        return NULL;
    memcpy(key, seg, n);
    key[n] = '\0';
    if (json_object_is_type(cur, json_type_array)) {
        long long idx;
        if (key[0] == '-' || rv_digits_to_ll(key, &idx) || (size_t)idx >= json_object_array_length(cur))
            return NULL;
        return json_object_array_get_idx(cur, (size_t)idx);
    }
    return rv_json_member(cur, key);
}

json_object *rv_json_path(json_object *o, const char *dotted)
{
    const char *seg = dotted;
    if (!o || !dotted)
        return NULL;
    while (o) {
        const char *dot = strchr(seg, '.');
        size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
        o = rv_json_step(o, seg, n);
        if (!dot)
            break;
        seg = dot + 1;
    }
    return o;
}

const char *rv_json_dump(apr_pool_t *p, json_object *o)
{
    if (!o)
        return "null";
    return apr_pstrdup(p, json_object_to_json_string_ext(o,
                          JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

const char *rv_json_id_list(apr_pool_t *p, json_object *ids)
{
    json_object *clean;
    const char *text;
    size_t i, n;
    if (!ids || !json_object_is_type(ids, json_type_array))
        return NULL;
    n = json_object_array_length(ids);
    clean = json_object_new_array();
    for (i = 0; i < n; i++) {
        long long id;
        if (rv_json_as_int(json_object_array_get_idx(ids, i), &id) || id <= 0
            || id > 2147483647LL) {
            json_object_put(clean);
            return NULL;
        }
        json_object_array_add(clean, json_object_new_int64(id));
    }
    text = rv_json_dump(p, clean);
    json_object_put(clean);
    return text;
}

static int rv_cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_object *rv_sorted_copy(json_object *o);

static json_object *rv_sorted_object(json_object *o)
{
    size_t n = (size_t)json_object_object_length(o), i = 0;
    const char **keys = malloc((n ? n : 1) * sizeof(*keys));
    json_object *copy = json_object_new_object();
    if (!keys || !copy) {
        free(keys);
        json_object_put(copy);
        return NULL;
    }
    {
        json_object_object_foreach(o, key, val) {
            (void)val;
            keys[i++] = key;
        }
    }
    qsort(keys, n, sizeof(*keys), rv_cmp_keys);
    for (i = 0; i < n; i++)
        json_object_object_add(copy, keys[i], rv_sorted_copy(json_object_object_get(o, keys[i])));
    free(keys);
    return copy;
}

/* A deep copy of containers (keys sorted) sharing the scalar leaves. */
static json_object *rv_sorted_copy(json_object *o)
{
    json_object *copy;
    size_t i, n;
    if (!o)
        return NULL;
    if (json_object_is_type(o, json_type_object))
        return rv_sorted_object(o);
    if (!json_object_is_type(o, json_type_array))
        return json_object_get(o);
    n = json_object_array_length(o);
    copy = json_object_new_array_ext((int)n);
    for (i = 0; copy && i < n; i++)
        json_object_array_add(copy, rv_sorted_copy(json_object_array_get_idx(o, i)));
    return copy;
}

const char *rv_json_canonical(apr_pool_t *p, json_object *o)
{
    json_object *copy = rv_sorted_copy(o);
    const char *s = rv_json_dump(p, copy);
    json_object_put(copy);
    return s;
}

/* ---- builders ---- */

void rv_json_set_str(json_object *o, const char *key, const char *v)
{
    json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

void rv_json_set_int(json_object *o, const char *key, long long v)
{
    json_object_object_add(o, key, json_object_new_int64(v));
}

void rv_json_set_bool(json_object *o, const char *key, int v)
{
    json_object_object_add(o, key, json_object_new_boolean(v != 0));
}

void rv_json_set_null(json_object *o, const char *key)
{
    json_object_object_add(o, key, NULL);
}

void rv_json_set_int_text(json_object *o, const char *key, const char *v)
{
    json_object_object_add(o, key, v ? json_object_new_int64(strtoll(v, NULL, 10)) : NULL);
}

void rv_json_set_cols(apr_pool_t *p, json_object *o, const rv_col_t *cols, size_t n,
                      rv_col_get_fn get, const void *row)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const char *v = get(row, cols[i].column ? cols[i].column : cols[i].key);
        switch (cols[i].kind & 0xff) {
        case RV_COL_INT:
            rv_json_set_int_text(o, cols[i].key, v);
            break;
        case RV_COL_BOOL:
            if (v)
                rv_json_set_bool(o, cols[i].key, strtoll(v, NULL, 10) != 0);
            else
                rv_json_set_null(o, cols[i].key);
            break;
        default:            /* RV_COL_STR, RV_COL_TIME */
            rv_json_set_str(o, cols[i].key, v && (cols[i].kind & RV_COL_DECODE)
                                            ? rv_entity_decode(p, v) : v);
            break;
        }
    }
}
