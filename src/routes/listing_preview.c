/* GET /reverb/admin/listing-preview?product_id=N: the listing body
 * mod_reverb would send to Reverb for one product now, built by the same
 * loader and mapping as the push (the field mapping's preview). Read permission is enough: nothing is sent to Reverb (the
 * context has no API client) and nothing is written.
 *
 * Answer:
 *   {"product": {product_id, name, sku, sync_enabled, listing_id},
 *    "action": "create" | "update",
 *    "fields": {make, model, finish, year, handedness, number_of_strings},
 *    "listing": {...the body...} | null,
 *    "error": "why it cannot be listed, in plain words" | null,
 *    "notes": ["sync_off", "not_in_category", "oc_disabled", "year_left_out",
 *              "strings_left_out"]}
 * `fields` are the mapped values as read from their sources (before the
 * year / number-of-strings checks); `notes` are codes the admin page words
 * from the language file. 400 for a missing or malformed product_id, 404
 * for a product the shop does not have. */
#include "rv_route.h"
#include "rv_json.h"
#include "rv_catalogue_view.h"
#include "rv_query.h"

#include "http_protocol.h"
#include "apr_strings.h"

static void rv_note(json_object *notes, const char *code)
{
    json_object_array_add(notes, json_object_new_string(code));
}

static json_object *rv_preview_json(const rv_catalogue_preview_t *pv, long long product_id)
{
    json_object *out = json_object_new_object(), *prod = json_object_new_object();
    json_object *fields = json_object_new_object(), *notes = json_object_new_array();
    int f;
    json_object_object_add(prod, "product_id", json_object_new_int64(product_id));
    json_object_object_add(prod, "name", json_object_new_string(pv->name ? pv->name : ""));
    json_object_object_add(prod, "sku", json_object_new_string(pv->sku ? pv->sku : ""));
    json_object_object_add(prod, "sync_enabled", json_object_new_boolean(pv->sync_enabled));
    rv_json_set_str(prod, "listing_id", pv->listing_id);
    json_object_object_add(out, "product", prod);
    json_object_object_add(out, "action", json_object_new_string(pv->create ? "create" : "update"));
    for (f = 0; f < RV_FM_N; f++)
        json_object_object_add(fields, rv_fm_keys[f],
                               json_object_new_string(pv->fields[f] ? pv->fields[f] : ""));
    json_object_object_add(out, "fields", fields);
    json_object_object_add(out, "listing", pv->body ? json_object_get(pv->body) : NULL);
    rv_json_set_str(out, "error", pv->error);
    if (!pv->sync_enabled)
        rv_note(notes, "sync_off");
    if (!pv->in_category)
        rv_note(notes, "not_in_category");
    if (!pv->oc_enabled)
        rv_note(notes, "oc_disabled");
    if (pv->body && pv->fields[RV_FM_YEAR] && *pv->fields[RV_FM_YEAR]
        && !json_object_object_get_ex(pv->body, "year", NULL))
        rv_note(notes, "year_left_out");
    if (pv->body && pv->fields[RV_FM_STRINGS] && *pv->fields[RV_FM_STRINGS]
        && !json_object_object_get_ex(pv->body, "number_of_strings", NULL))
        rv_note(notes, "strings_left_out");
    json_object_object_add(out, "notes", notes);
    return out;
}

int rv_route_listing_preview(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    const char *arg = rv_query_get(p, q->r->args, "product_id");
    rv_ctx_t *c = apr_pcalloc(p, sizeof(*c));     /* no API client: nothing is sent */
    rv_catalogue_preview_t pv;
    long long id;
    json_object *out;

    if (!arg || rv_parse_ll(arg, 1, 2147483647LL, &id))
        return rv_http_error(q->r, HTTP_BAD_REQUEST, "invalid_request",
                             "Choose a product to preview (product_id must be a product id).");
    c->s = q->r->server;
    c->conf = q->conf;
    c->db = q->db;
    c->settings = q->settings;
    if (rv_catalogue_preview(c, p, id, &pv))
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The preview could not be made (database error).");
    if (!pv.found)
        return rv_http_error(q->r, HTTP_NOT_FOUND, "not_found",
                             "The shop has no product with this id.");
    out = rv_preview_json(&pv, id);
    if (pv.body)
        json_object_put(pv.body);
    return rv_http_json(q->r, HTTP_OK, out);
}
