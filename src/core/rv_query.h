/* rv_query.h: query-string and path parsing. */
#ifndef RV_QUERY_H
#define RV_QUERY_H

#include <apr_pools.h>

/* The value of `name` in args ("a=1&b=x+y"): percent-decoded, '+' as a
 * space, the first occurrence; "" for "name" or "name=". Pairs are split
 * at '&' only. Malformed escapes ("%zz", "%4") are kept literally, like
 * PHP's urldecode. NULL when missing, when either argument is NULL, or when
 * the decoded value contains a NUL byte (%00). */
const char *rv_query_get(apr_pool_t *p, const char *args, const char *name);

/* Integer parameter. Missing or empty -> dflt (returns 0). Otherwise the
 * value must be an optional '-' and decimal digits within [min, max]:
 * returns 0 with *out, or -1 (garbage, overflow, out of range) with *out
 * set to dflt. */
int rv_query_int(apr_pool_t *p, const char *args, const char *name, long long min, long long max,
                 long long dflt, long long *out);

/* Strict integer: optional '-' then 1..19 digits, no spaces, within
 * [min, max]. For path segments such as product/{id}. 0 ok, -1 not. */
int rv_parse_ll(const char *s, long long min, long long max, long long *out);

/* Percent-decodes s ('+' -> space when plus_is_space); NULL when the result
 * would contain a NUL byte. */
char *rv_url_decode(apr_pool_t *p, const char *s, size_t len, int plus_is_space);

/* 1 when s looks like a Reverb UUID (condition, category): 1-64 hex digits
 * and dashes; it is then safe to store and to send back. */
int rv_uuid_valid(const char *s);

#endif
