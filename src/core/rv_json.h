/* rv_json.h: small json-c helpers.
 *
 * Typed getters accept the shapes Reverb and PHP really send: PHP's mysqli
 * hands numbers over as strings ("1"), Reverb sends ids as strings.
 * Returned strings point into the json_object and live as long as it does.
 */
#ifndef RV_JSON_H
#define RV_JSON_H

#include <stddef.h>
#include <apr_pools.h>
#include <json-c/json.h>

#define RV_JSON_MAX_DEPTH 32                    /* nested arrays/objects */
#define RV_JSON_MAX_LEN (16u * 1024u * 1024u)   /* bytes */

/* Parses exactly one JSON value from buf[0..len). Returns a new reference
 * (release with json_object_put) or NULL with *err (when err is not NULL)
 * set to plain words: empty document, truncated document, invalid JSON,
 * trailing characters, nesting deeper than 32, document too large.
 * Non-finite numbers (NaN, Infinity) are rejected: they are not JSON. */
json_object *rv_json_parse(const char *buf, size_t len, const char **err);

/* o[key] when o is an object and the value a string without embedded NUL;
 * otherwise NULL. */
const char *rv_json_str(json_object *o, const char *key);

/* o[key] as an integer: a JSON integer, an integral JSON number, or a
 * string of decimal digits with an optional leading '-' ("1", "-3").
 * Returns 0 and sets *out, or -1 (missing, null, other shape, overflow). */
int rv_json_int(json_object *o, const char *key, long long *out);

/* Same rules for a value that is already at hand. */
int rv_json_as_int(json_object *v, long long *out);

/* o[key] as a boolean: true/false, 0/1, "0"/"1", "true"/"false".
 * Returns 0 and sets *out to 0 or 1, or -1. */
int rv_json_bool(json_object *o, const char *key, int *out);

/* Walks a dotted path through objects ("shipping_address.region"); a
 * segment of digits indexes an array ("orders.0.order_number").
 * Borrowed reference or NULL. */
json_object *rv_json_path(json_object *o, const char *dotted);

/* Compact serialisation ("/" not escaped) copied into the pool;
 * "null" for NULL. */
const char *rv_json_dump(apr_pool_t *p, json_object *o);

/* A JSON array of database ids (positive whole numbers up to 2^31-1, as
 * numbers or digit strings) as the compact text "[1,2,3]", for a
 * JSON_TABLE placeholder. NULL when ids is not an array or any element is
 * not such an id; the caller checks the length first. */
const char *rv_json_id_list(apr_pool_t *p, json_object *ids);

/* Canonical compact serialisation: object keys sorted bytewise at every
 * level, so equal content always gives the same text (for hashing). */
const char *rv_json_canonical(apr_pool_t *p, json_object *o);

/* ---- builders ----
 * One rule for NULL: a NULL C string becomes JSON null (never "" and never a
 * missing member), so every answer shows each field whether or not it is set. */
void rv_json_set_str(json_object *o, const char *key, const char *v);
void rv_json_set_int(json_object *o, const char *key, long long v);
void rv_json_set_bool(json_object *o, const char *key, int v);
void rv_json_set_null(json_object *o, const char *key);
/* A decimal integer given as text (a database column): its number, or null
 * when v is NULL. */
void rv_json_set_int_text(json_object *o, const char *key, const char *v);

/* Row to JSON from a column table. A column's value is text or NULL (SQL
 * NULL); each kind says what it becomes:
 *   RV_COL_STR   the text, null for NULL;
 *   RV_COL_INT   its decimal number, null for NULL;
 *   RV_COL_BOOL  true when its number is not 0, null for NULL;
 *   RV_COL_TIME  the text as the query formatted it (ISO 8601 UTC), null for NULL.
 * RV_COL_DECODE (or-ed into STR) decodes OpenCart's HTML escaping first. */
enum { RV_COL_STR = 1, RV_COL_INT = 2, RV_COL_BOOL = 3, RV_COL_TIME = 4, RV_COL_DECODE = 0x100 };
typedef struct {
    const char *key;        /* the JSON member */
    int kind;               /* RV_COL_* */
    const char *column;     /* the result column; NULL: the same as key */
} rv_col_t;

/* Reads column col of the row at hand: text, or NULL for SQL NULL. */
typedef const char *(*rv_col_get_fn)(const void *row, const char *col);

/* Adds one member per entry of cols[0..n) to o. */
void rv_json_set_cols(apr_pool_t *p, json_object *o, const rv_col_t *cols, size_t n,
                      rv_col_get_fn get, const void *row);

#endif
