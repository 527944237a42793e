/* rv_fieldmap.c: see rv_fieldmap.h. */
#include "rv_fieldmap.h"

#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>

const char *const rv_fm_keys[RV_FM_N] = {
    "make", "model", "finish", "year", "handedness", "number_of_strings"
};

/* The labels the settings page shows, for messages. */
static const char *const rv_fm_labels[RV_FM_N] = {
    "Make", "Model", "Finish", "Year", "Handedness", "Number of strings"
};

static const char *const rv_src_names[] = {
    "none", "manufacturer", "model", "mpn", "sku", "attribute"
};

void rv_fieldmap_default(rv_fieldmap_t *m)
{
    int i;
    for (i = 0; i < RV_FM_N; i++) {
        m->source[i] = RV_SRC_NONE;
        m->attribute[i] = NULL;
    }
    m->source[RV_FM_MAKE] = RV_SRC_MANUFACTURER;
    m->source[RV_FM_MODEL] = RV_SRC_MODEL;
}

int rv_fm_field(const char *key)
{
    int i;
    for (i = 0; key && i < RV_FM_N; i++)
        if (!strcmp(key, rv_fm_keys[i]))
            return i;
    return -1;
}

/* Whether the field may take the source. */
static int rv_src_allowed(int field, rv_fm_source_t src)
{
    switch (field) {
    case RV_FM_MAKE:
        return src == RV_SRC_MANUFACTURER || src == RV_SRC_ATTRIBUTE;
    case RV_FM_MODEL:
        return src == RV_SRC_MODEL || src == RV_SRC_MPN || src == RV_SRC_SKU
            || src == RV_SRC_ATTRIBUTE;
    default:
        return src == RV_SRC_NONE || src == RV_SRC_ATTRIBUTE;
    }
}

static const char *rv_src_choices(apr_pool_t *p, int field)
{
    const char *out = NULL;
    size_t s;
    for (s = 0; s < sizeof(rv_src_names) / sizeof(*rv_src_names); s++)
        if (rv_src_allowed(field, (rv_fm_source_t)s))
            out = out ? apr_pstrcat(p, out, ", ", rv_src_names[s], NULL) : rv_src_names[s];
    return out;
}

/* Trimmed copy, or NULL when empty, too long or holding control characters. */
static const char *rv_attr_name(apr_pool_t *p, const char *s)
{
    size_t n, i;
    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n > RV_FM_ATTR_MAX)
        return NULL;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return NULL;
    return apr_pstrmemdup(p, s, n);
}

static const char *rv_rule_parse(apr_pool_t *p, int field, json_object *v, rv_fieldmap_t *m)
{
    json_object *src, *attr;
    const char *name;
    size_t s;
    if (!json_object_is_type(v, json_type_object)
        || !json_object_object_get_ex(v, "source", &src)
        || !json_object_is_type(src, json_type_string))
        return apr_psprintf(p, "Field mapping: choose where %s comes from (field_map.%s needs a "
                            "\"source\": one of %s).", rv_fm_labels[field], rv_fm_keys[field],
                            rv_src_choices(p, field));
    name = json_object_get_string(src);
    for (s = 0; s < sizeof(rv_src_names) / sizeof(*rv_src_names); s++)
        if (!strcmp(name, rv_src_names[s]))
            break;
    if (s == sizeof(rv_src_names) / sizeof(*rv_src_names)
        || !rv_src_allowed(field, (rv_fm_source_t)s))
        return apr_psprintf(p, "Field mapping: %s cannot come from \"%.40s\" (field_map.%s): "
                            "choose one of %s.", rv_fm_labels[field], name, rv_fm_keys[field],
                            rv_src_choices(p, field));
    m->source[field] = (rv_fm_source_t)s;
    m->attribute[field] = NULL;
    if (s != RV_SRC_ATTRIBUTE)
        return NULL;
    if (!json_object_object_get_ex(v, "attribute", &attr)
        || !json_object_is_type(attr, json_type_string)
        || !(m->attribute[field] = rv_attr_name(p, json_object_get_string(attr))))
        return apr_psprintf(p, "Field mapping: choose the attribute %s comes from "
                            "(field_map.%s.attribute: a name of at most %d characters).",
                            rv_fm_labels[field], rv_fm_keys[field], RV_FM_ATTR_MAX);
    return NULL;
}

const char *rv_fieldmap_parse(apr_pool_t *p, json_object *in, rv_fieldmap_t *m)
{
    rv_fieldmap_default(m);
    if (!in || !json_object_is_type(in, json_type_object))
        return "Field mapping (field_map) must be an object of fields and their sources.";
    json_object_object_foreach(in, key, val) {
        int f = rv_fm_field(key);
        const char *err;
        if (f < 0)
            return apr_psprintf(p, "Field mapping: there is no listing field \"%.40s\" "
                                "(fields: make, model, finish, year, handedness, "
                                "number_of_strings).", key);
        if ((err = rv_rule_parse(p, f, val, m)))
            return err;
    }
    return NULL;
}

json_object *rv_fieldmap_json(const rv_fieldmap_t *m)
{
    json_object *o = json_object_new_object();
    int i;
    for (i = 0; i < RV_FM_N; i++) {
        json_object *r = json_object_new_object();
        json_object_object_add(r, "source", json_object_new_string(rv_src_names[m->source[i]]));
        if (m->source[i] == RV_SRC_ATTRIBUTE && m->attribute[i])
            json_object_object_add(r, "attribute", json_object_new_string(m->attribute[i]));
        json_object_object_add(o, rv_fm_keys[i], r);
    }
    return o;
}

/* [s, s+n) without surrounding spaces. */
static void rv_span(const char *s, const char **b, size_t *n)
{
    size_t len;
    while (*s == ' ' || *s == '\t')
        s++;
    len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    *b = s;
    *n = len;
}

const char *rv_fm_year(apr_pool_t *p, const char *plain)
{
    const char *b;
    size_t n, i;
    if (!plain)
        return NULL;
    rv_span(plain, &b, &n);
    if (n != 4)
        return NULL;
    for (i = 0; i < 4; i++)
        if (!apr_isdigit(b[i]))
            return NULL;
    return apr_pstrmemdup(p, b, 4);
}

int rv_fm_strings(const char *plain)
{
    const char *b;
    size_t n, i;
    int v = 0;
    if (!plain)
        return 0;
    rv_span(plain, &b, &n);
    if (n == 0 || n > 2)
        return 0;
    for (i = 0; i < n; i++) {
        if (!apr_isdigit(b[i]))
            return 0;
        v = v * 10 + (b[i] - '0');
    }
    return v;
}
