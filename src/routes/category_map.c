/* GET/POST admin/category-map: which Reverb category each allowed OpenCart
 * category lists under. */
#include "rv_route.h"
#include "rv_language.h"
#include "rv_json.h"
#include "rv_query.h"
#include "rv_text.h"

#include "http_protocol.h"
#include "apr_strings.h"

/* The posted map checked entry by entry: category id to a Reverb category
 * uuid ("" or null: none). A new object, or NULL with *why set. */
static json_object *rv_category_map_parse(apr_pool_t *p, json_object *in, const char **why)
{
    json_object *given, *clean;
    if (!json_object_object_get_ex(in, "map", &given)
        || !json_object_is_type(given, json_type_object)) {
        *why = "'map' must be an object of category id to Reverb category.";
        return NULL;
    }
    clean = json_object_new_object();
    json_object_object_foreach(given, key, val) {
        const char *uuid = json_object_is_type(val, json_type_string)
                         ? json_object_get_string(val) : NULL;
        char *end;
        long long id = strtoll(key, &end, 10);
        if (*end || id <= 0 || (uuid && *uuid && !rv_uuid_valid(uuid)) || (!uuid && val)) {
            json_object_put(clean);
            *why = apr_psprintf(p, "Category %s: not a valid Reverb category.", key);
            return NULL;
        }
        if (uuid && *uuid)
            json_object_object_add(clean, key, json_object_new_string(uuid));
    }
    return clean;
}

/* POST: saves the posted map. OK when an answer was sent, DECLINED when
 * saved (the settings are read again). */
static int rv_category_map_save(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *clean;
    const char *why = NULL;
    int failed;
    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (!(clean = rv_category_map_parse(p, in, &why)))
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request", why);
    failed = rv_setting_save(q->db, p, q->conf->store_id, "category_map",
                             rv_json_dump(p, clean), 1) != 0;
    json_object_put(clean);
    if (failed)
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The category map could not be saved.");
    q->settings = rv_settings_load(q->db, p, q->conf->store_id);
    return DECLINED;
}

/* One allowed category: its id, its path of names, its Reverb category. */
static json_object *rv_category_entry(rv_req_t *q, const char *id, json_object *map,
                                      const char *language_id)
{
    apr_pool_t *p = q->r->pool;
    json_object *o = json_object_new_object(), *uuid;
    /* OpenCart stores names HTML-escaped; the UI sets text, not HTML */
    const char *name = rv_db_value(q->db, p,
        "SELECT GROUP_CONCAT(cd.name ORDER BY cp.level SEPARATOR ' > ')"
        " FROM {P}category_path cp JOIN {P}category_description cd"
        "  ON cd.category_id = cp.path_id AND cd.language_id = %s"
        " WHERE cp.category_id = %s", RV_ARGS(language_id, id));
    rv_json_set_int(o, "category_id", apr_atoi64(id));
    rv_json_set_str(o, "name", name ? rv_entity_decode(p, name) : NULL);
    rv_json_set_str(o, "reverb_uuid", json_object_object_get_ex(map, id, &uuid)
                                      ? json_object_get_string(uuid) : NULL);
    return o;
}

int rv_route_category_map(rv_req_t *q)
{
    json_object *map, *out, *cats, *allowed;
    const char *lang;
    size_t i, n;

    if (q->r->method_number == M_POST) {
        int rc = rv_category_map_save(q);
        if (rc != DECLINED)
            return rc;
    }
    map = rv_setting_json(q->settings, "category_map");
    if (!map || !json_object_is_type(map, json_type_object)) {
        if (map)
            json_object_put(map);
        map = json_object_new_object();
    }
    allowed = rv_setting_json(q->settings, "categories");
    cats = json_object_new_array();
    n = allowed && json_object_is_type(allowed, json_type_array)
      ? json_object_array_length(allowed) : 0;
    lang = n ? rv_language_admin(q->db, q->r->pool, q->conf->store_id) : NULL;
    for (i = 0; i < n; i++)
        json_object_array_add(cats, rv_category_entry(q,
            json_object_get_string(json_object_array_get_idx(allowed, i)), map, lang));
    if (allowed)
        json_object_put(allowed);
    out = json_object_new_object();
    json_object_object_add(out, "map", map);
    json_object_object_add(out, "categories", cats);
    return rv_http_json(q->r, HTTP_OK, out);
}
