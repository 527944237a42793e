/* rv_shape.c: see rv_shape.h. */
#include "rv_shape.h"
#include "rv_json.h"
#include "rv_text.h"

#include <stdio.h>
#include <string.h>
#include <apr_strings.h>

#define RV_LINK_MAX 512
#define RV_REVERB_WEB "https://reverb.com/"

static json_object *rv_member(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!o || !key || !json_object_is_type(o, json_type_object)
        || !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

json_object *rv_json_array_at(json_object *o, const char *key)
{
    json_object *v = rv_member(o, key);
    return v && json_object_is_type(v, json_type_array) ? v : NULL;
}

json_object *rv_json_object_at(json_object *o, const char *key)
{
    json_object *v = rv_member(o, key);
    return v && json_object_is_type(v, json_type_object) ? v : NULL;
}

size_t rv_json_len(json_object *arr)
{
    return arr && json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
}

json_object *rv_json_idx(json_object *arr, size_t i)
{
    return i < rv_json_len(arr) ? json_object_array_get_idx(arr, i) : NULL;
}

/* ---- listings ---- */

int rv_listing_id_ok(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;
    int nonzero = 0;
    if (n == 0 || n > RV_LISTING_ID_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        nonzero |= s[i] != '0';
    }
    return nonzero;
}

const char *rv_shape_listing_id(apr_pool_t *p, json_object *listing)
{
    json_object *v = rv_member(listing, "id");
    long long n;
    if (!v)
        return NULL;
    if (json_object_is_type(v, json_type_int)) {
        if (rv_json_as_int(v, &n) || n <= 0)
            return NULL;
        return rv_i64(p, n);
    }
    if (json_object_is_type(v, json_type_string)) {
        const char *s = rv_json_str(listing, "id");
        return rv_listing_id_ok(s) ? apr_pstrdup(p, s) : NULL;
    }
    return NULL;
}

const char *rv_shape_listing_state(json_object *listing)
{
    const char *s = rv_json_str(rv_json_object_at(listing, "state"), "slug");
    return s ? s : rv_json_str(listing, "state");
}

const char *rv_reverb_link(const char *url)
{
    size_t i, n = url ? strlen(url) : 0, pre = sizeof(RV_REVERB_WEB) - 1;
    if (n <= pre || n > RV_LINK_MAX || strncmp(url, RV_REVERB_WEB, pre))
        return NULL;
    for (i = pre; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>'
            || c == '\\' || c == '`' || c == '{' || c == '}' || c == '|' || c == '^')
            return NULL;
    }
    return url;
}

const char *rv_listing_link(apr_pool_t *p, const char *url, const char *listing_id)
{
    if (rv_reverb_link(url))
        return url;
    return rv_listing_id_ok(listing_id) ? apr_pstrcat(p, RV_REVERB_WEB "item/", listing_id, NULL)
                                        : NULL;
}

const char *rv_shape_listing_web(apr_pool_t *p, json_object *listing)
{
    const char *url = rv_json_str(rv_json_object_at(rv_json_object_at(listing, "_links"), "web"),
                                  "href");
    return rv_listing_link(p, url, rv_shape_listing_id(p, listing));
}

json_object *rv_shape_listing(json_object *answer, const char **err)
{
    json_object *l = rv_member(answer, "listing");
    if (!l)
        l = answer;
    if (!l || !json_object_is_type(l, json_type_object)) {
        *err = "Reverb's answer is not a listing (unexpected shape)";
        return NULL;
    }
    return l;
}

/* ---- collections ---- */

int rv_shape_page(apr_pool_t *p, json_object *answer, const char *key,
                  json_object **items, const char **next, const char **err)
{
    json_object *links, *nx, *href;
    *items = NULL;
    *next = NULL;
    if (!answer || !json_object_is_type(answer, json_type_object)) {
        *err = apr_psprintf(p, "Reverb's %s list is not a JSON object (unexpected shape)", key);
        return -1;
    }
    if (!(*items = rv_json_array_at(answer, key))) {
        *err = apr_psprintf(p, "Reverb's answer has no %s list (unexpected shape)", key);
        return -1;
    }
    links = rv_member(answer, "_links");
    nx = rv_member(links, "next");
    if (links && !json_object_is_type(links, json_type_object)) {
        *err = apr_psprintf(p, "Reverb's %s list has malformed page links", key);
        *items = NULL;          /* a refusal hands out nothing */
        return -1;
    }
    if (!nx || json_object_is_type(nx, json_type_null))
        return 0;
    href = rv_member(nx, "href");
    if (!href || !rv_json_str(nx, "href") || !*rv_json_str(nx, "href")) {
        *err = apr_psprintf(p, "Reverb's %s list has a malformed link to the next page", key);
        *items = NULL;
        return -1;
    }
    *next = apr_pstrdup(p, rv_json_str(nx, "href"));
    return 0;
}

/* ---- lookups ---- */

static const char *rv_cat_name(json_object *cat)
{
    const char *n = rv_json_str(cat, "name");
    if (n && *n)
        return n;
    n = rv_json_str(cat, "full_name");
    return n && *n ? n : NULL;
}

/* A label for a root that has no entry of its own: "Root" of "Root / Sub". */
static json_object *rv_root_label_from(json_object *cat, const char *fallback)
{
    const char *full = rv_json_str(cat, "full_name"), *sep;
    if (!full || !*full)
        return json_object_new_string(fallback);
    sep = strstr(full, " / ");
    return sep ? json_object_new_string_len(full, (int)(sep - full)) : json_object_new_string(full);
}

json_object *rv_shape_category_groups(json_object *answer, const char **err)
{
    json_object *cats = rv_json_array_at(answer, "categories");
    json_object *groups, *index, *names;
    size_t i, n;
    if (!cats) {
        *err = "Reverb's category list came in an unexpected shape (no categories list)";
        return NULL;
    }
    n = rv_json_len(cats);
    groups = json_object_new_array();
    index = json_object_new_object();       /* root_uuid -> members array */
    names = json_object_new_object();       /* root uuid -> root's name */
    for (i = 0; i < n; i++) {
        json_object *cat = rv_json_idx(cats, i);
        const char *uuid = rv_json_str(cat, "uuid"), *root = rv_json_str(cat, "root_uuid");
        if (uuid && *uuid && (!root || !*root || !strcmp(root, uuid)) && rv_cat_name(cat))
            json_object_object_add(names, uuid, json_object_new_string(rv_cat_name(cat)));
    }
    for (i = 0; i < n; i++) {
        json_object *cat = rv_json_idx(cats, i), *members, *item, *label;
        const char *uuid = rv_json_str(cat, "uuid"), *root = rv_json_str(cat, "root_uuid");
        const char *full = rv_json_str(cat, "full_name"), *name = rv_cat_name(cat);
        if (!uuid || !*uuid)
            continue;
        if (!root || !*root)
            root = uuid;
        if (!json_object_object_get_ex(index, root, &members)) {
            json_object *grp = json_object_new_object();
            members = json_object_new_array();
            if (json_object_object_get_ex(names, root, &label))
                label = json_object_get(label);
            else
                label = rv_root_label_from(cat, name ? name : root);
            json_object_object_add(grp, "root", label);
            json_object_object_add(grp, "root_uuid", json_object_new_string(root));
            json_object_object_add(grp, "categories", members);
            json_object_array_add(groups, grp);
            json_object_object_add(index, root, json_object_get(members));
        }
        item = json_object_new_object();
        json_object_object_add(item, "uuid", json_object_new_string(uuid));
        json_object_object_add(item, "name", json_object_new_string(name ? name : uuid));
        json_object_object_add(item, "full_name",
                               json_object_new_string(full && *full ? full : name ? name : uuid));
        json_object_array_add(members, item);
    }
    json_object_put(index);
    json_object_put(names);
    return groups;
}

json_object *rv_shape_conditions(json_object *answer, const char **err)
{
    json_object *list = rv_json_array_at(answer, "conditions"), *out;
    size_t i, n;
    if (!list) {
        *err = "Reverb's condition list came in an unexpected shape (no conditions list)";
        return NULL;
    }
    out = json_object_new_array();
    n = rv_json_len(list);
    for (i = 0; i < n; i++) {
        json_object *c = rv_json_idx(list, i), *o;
        const char *uuid = rv_json_str(c, "uuid"), *name = rv_json_str(c, "display_name");
        if (!uuid || !*uuid)
            continue;
        o = json_object_new_object();
        json_object_object_add(o, "uuid", json_object_new_string(uuid));
        json_object_object_add(o, "display_name", json_object_new_string(name ? name : uuid));
        json_object_array_add(out, o);
    }
    return out;
}

const char *rv_shape_shop_name(json_object *answer, const char **err)
{
    const char *s;
    if (!answer || !json_object_is_type(answer, json_type_object)) {
        *err = "Reverb's account answer came in an unexpected shape";
        return NULL;
    }
    s = rv_json_str(rv_json_object_at(answer, "shop"), "name");
    if (!s)
        s = rv_json_str(answer, "shop_name");
    if (!s)
        s = rv_json_str(answer, "name");
    return s ? s : "";
}

json_object *rv_shape_registrations(json_object *answer, const char **err)
{
    json_object *l;
    if (!answer)
        return json_object_new_array();             /* empty body: none */
    if (json_object_is_type(answer, json_type_array))
        return json_object_get(answer);
    if (!json_object_is_type(answer, json_type_object)) {
        *err = "Reverb's webhook list came in an unexpected shape";
        return NULL;
    }
    l = rv_member(answer, "registrations");
    if (!l)
        l = rv_member(answer, "webhook_registrations");
    if (!l || json_object_is_type(l, json_type_null))
        return json_object_new_array();
    if (!json_object_is_type(l, json_type_array)) {
        *err = "Reverb's webhook list came in an unexpected shape (the list is not an array)";
        return NULL;
    }
    return json_object_get(l);
}

/* ---- shipping providers ---- */

static int rv_provider_name_ok(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;
    if (n == 0 || n > RV_PROVIDER_MAX)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

json_object *rv_shape_shipping_providers(json_object *answer, const char **err)
{
    json_object *list = NULL, *out, *seen;
    size_t i, n;
    if (answer && json_object_is_type(answer, json_type_array))
        list = answer;
    else if (!(list = rv_json_array_at(answer, "shipping_providers")))
        list = rv_json_array_at(answer, "providers");
    if (!list) {
        *err = "Reverb's carrier list came in an unexpected shape (no list of providers)";
        return NULL;
    }
    out = json_object_new_array();
    seen = json_object_new_object();
    n = rv_json_len(list);
    for (i = 0; i < n; i++) {
        json_object *e = rv_json_idx(list, i);
        const char *name = NULL;
        if (e && json_object_is_type(e, json_type_string)) {
            name = json_object_get_string(e);
            if ((size_t)json_object_get_string_len(e) != strlen(name))
                name = NULL;                        /* an embedded NUL */
        }
        else if (!(name = rv_json_str(e, "name")))
            name = rv_json_str(e, "display_name");
        if (!rv_provider_name_ok(name) || json_object_object_get_ex(seen, name, NULL))
            continue;
        json_object_object_add(seen, name, NULL);
        json_object_array_add(out, json_object_new_string(name));
    }
    json_object_put(seen);
    return out;
}

/* ---- GET /shop: shipping profiles ---- */

static const char *rv_profile_id(char buf[24], json_object *v)
{
    const char *s;
    size_t i;
    if (v && json_object_is_type(v, json_type_int)) {
        int64_t n = json_object_get_int64(v);
        if (n <= 0)
            return NULL;
        snprintf(buf, 24, "%lld", (long long)n);
        return buf;
    }
    if (!v || !json_object_is_type(v, json_type_string))
        return NULL;
    s = json_object_get_string(v);
    if (!*s || strlen(s) > 20)
        return NULL;
    for (i = 0; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return NULL;
    return s;
}

json_object *rv_shape_shipping_profiles(json_object *answer, const char **err)
{
    json_object *list = NULL, *out;
    size_t i, n;
    if (!answer || !json_object_is_type(answer, json_type_object)) {
        *err = "Reverb's shop answer came in an unexpected shape";
        return NULL;
    }
    if (json_object_object_get_ex(answer, "shipping_profiles", &list) && list
        && !json_object_is_type(list, json_type_array)) {
        *err = "Reverb's shop answer came in an unexpected shape (the shipping profiles "
               "are not a list)";
        return NULL;
    }
    out = json_object_new_array();
    n = rv_json_len(list);
    for (i = 0; i < n; i++) {
        json_object *e = rv_json_idx(list, i), *idv = NULL, *o;
        const char *id, *name;
        char buf[24];
        if (!e || !json_object_is_type(e, json_type_object))
            continue;
        json_object_object_get_ex(e, "id", &idv);
        if (!(id = rv_profile_id(buf, idv)))
            continue;
        name = rv_json_str(e, "name");
        o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(id));
        if (name && *name) {
            json_object_object_add(o, "name", json_object_new_string(name));
        } else {
            char label[40];
            snprintf(label, sizeof(label), "Profile %s", id);
            json_object_object_add(o, "name", json_object_new_string(label));
        }
        json_object_array_add(out, o);
    }
    return out;
}
