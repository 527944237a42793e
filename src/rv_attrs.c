/* rv_attrs.c: see rv_attrs.h. */
#include "rv_attrs.h"
#include "rv_json.h"
#include "rv_text.h"
#include "rv_language.h"

#include "apr_strings.h"
#include "apr_hash.h"
#include <strings.h>


/* An attribute name as the owner sees and types it: decoded, trimmed. */
static const char *rv_attr_plain(apr_pool_t *p, const char *stored)
{
    return rv_text_oneline(p, rv_entity_decode(p, stored ? stored : ""));
}

rv_attrs_t *rv_attrs_load(rv_db_t *db, apr_pool_t *p, const rv_settings_t *st)
{
    rv_attrs_t *a = apr_pcalloc(p, sizeof(*a));
    json_object *in = rv_setting_json(st, "field_map"), *norm;
    rv_rows_t *rows = NULL;
    int f, i, any = 0;

    if (!in || rv_fieldmap_parse(p, in, &a->map))
        rv_fieldmap_default(&a->map);     /* saved values are validated: unset */
    if (in)
        json_object_put(in);
    a->ids = "";
    for (f = 0; f < RV_FM_N; f++)
        any |= a->map.source[f] == RV_SRC_ATTRIBUTE;
    if (any && rv_db_query(db, p, &rows, "SELECT attribute_id, name FROM {P}attribute_description"
                           " WHERE language_id = %s ORDER BY attribute_id",
                           RV_ARGS(rv_language_admin(db, p, 0))))
        rows = NULL;
    for (f = 0; f < RV_FM_N; f++) {
        if (a->map.source[f] != RV_SRC_ATTRIBUTE)
            continue;
        a->field_ids[f] = ",";
        for (i = 0; rows && i < rows->nrows; i++) {
            const char *id = rv_row_get(rows, i, "attribute_id");
            if (!id || strcasecmp(rv_attr_plain(p, rv_row_get(rows, i, "name")),
                                  a->map.attribute[f]))
                continue;
            a->field_ids[f] = apr_pstrcat(p, a->field_ids[f], id, ",", NULL);
            if (!strstr(apr_pstrcat(p, ",", a->ids, ",", NULL),
                        apr_pstrcat(p, ",", id, ",", NULL)))
                a->ids = *a->ids ? apr_pstrcat(p, a->ids, ",", id, NULL) : id;
        }
    }
    norm = rv_fieldmap_json(&a->map);
    a->fingerprint = rv_json_dump(p, norm);
    json_object_put(norm);
    for (f = 0; f < RV_FM_N; f++)
        a->fingerprint = apr_pstrcat(p, a->fingerprint, "|",
                                     a->field_ids[f] ? a->field_ids[f] : "", NULL);
    return a;
}

void rv_attrs_fill(apr_pool_t *p, const rv_attrs_t *a, rv_product_t *prod, const char *packed)
{
    char *copy, *pair, *state = NULL;
    int f;
    for (f = 0; f < RV_FM_N; f++)
        prod->attr[f] = NULL;
    if (!a || !packed || !*packed)
        return;
    copy = apr_pstrdup(p, packed);
    for (pair = apr_strtok(copy, "\x1e", &state); pair; pair = apr_strtok(NULL, "\x1e", &state)) {
        char *text = strchr(pair, '\x1d');
        const char *key;
        if (!text)
            continue;
        *text++ = '\0';
        if (!*rv_attr_plain(p, text))
            continue;
        key = apr_pstrcat(p, ",", pair, ",", NULL);
        for (f = 0; f < RV_FM_N; f++)
            if (!prod->attr[f] && a->field_ids[f] && strstr(a->field_ids[f], key))
                prod->attr[f] = text;
    }
}

json_object *rv_attrs_names(rv_db_t *db, apr_pool_t *p)
{
    json_object *arr = json_object_new_array();
    apr_hash_t *seen = apr_hash_make(p);
    rv_rows_t *rows;
    int i;
    if (rv_db_query(db, p, &rows, "SELECT name FROM {P}attribute_description"
                    " WHERE language_id = %s ORDER BY name",
                    RV_ARGS(rv_language_admin(db, p, 0))))
        return arr;
    for (i = 0; i < rows->nrows; i++) {
        const char *n = rv_attr_plain(p, rv_row_get(rows, i, "name"));
        if (!*n || apr_hash_get(seen, n, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(seen, n, APR_HASH_KEY_STRING, n);
        json_object_array_add(arr, json_object_new_string(n));
    }
    return arr;
}
