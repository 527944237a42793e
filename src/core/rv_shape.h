/* rv_shape.h: reading Reverb's answers without trusting their shape.
 *
 * json-c aborts the process when an array call meets an object (and
 * json_object_get_string turns any value into text), so every Reverb answer
 * the module reads goes through these functions: a value of the wrong type
 * is treated as absent, and an answer whose overall shape is wrong is
 * refused with *err in plain words for the store owner. Shapes: the
 * answers Reverb's v3 API really sends, as tests/fake_reverb/README.md lists.
 *
 * Borrowed references point into the answer and live as long as it does.
 */
#ifndef RV_SHAPE_H
#define RV_SHAPE_H

#include <apr_pools.h>
#include <json-c/json.h>

#define RV_LISTING_ID_MAX 19        /* digits (fits a signed 64-bit integer) */

/* o[key] when o is an object and the value an array / an object; else NULL. */
json_object *rv_json_array_at(json_object *o, const char *key);
json_object *rv_json_object_at(json_object *o, const char *key);

/* Element i of an array, or NULL (not an array, out of range). */
json_object *rv_json_idx(json_object *arr, size_t i);

/* Length of an array; 0 for anything else (json-c would abort). */
size_t rv_json_len(json_object *arr);

/* 1 when s is 1..19 decimal digits, not all zeros: the only listing ids
 * that go into an API path or a link. */
int rv_listing_id_ok(const char *s);

/* listing.id (Reverb sends an integer; a string of digits is accepted) as
 * digits in the pool, or NULL for anything else. */
const char *rv_shape_listing_id(apr_pool_t *p, json_object *listing);

/* listing.state.slug, or a plain string state; NULL otherwise. */
const char *rv_shape_listing_state(json_object *listing);

/* url when it is https://reverb.com/<path> with nothing but URL-safe
 * printable ASCII (no quotes, angle brackets, spaces or backslashes) and at
 * most 512 bytes; else NULL. The only links stored or shown. */
const char *rv_reverb_link(const char *url);

/* The link to show for a listing: a safe stored/sent link, else
 * https://reverb.com/item/<id> when the id is valid, else NULL. */
const char *rv_listing_link(apr_pool_t *p, const char *url, const char *listing_id);

/* The listing's _links.web.href when rv_reverb_link accepts it, else the
 * link built from its id (NULL when neither is usable). */
const char *rv_shape_listing_web(apr_pool_t *p, json_object *listing);

/* A single listing answer: {"listing": {...}} or the bare object. Returns
 * the listing, or NULL with *err when it is not an object. */
json_object *rv_shape_listing(json_object *answer, const char **err);

/* One page of a collection (/my/listings, /my/orders/selling/all):
 * answer must be an object whose `key` is an array; _links.next.href, when
 * present, must be a string. items: borrowed array; next: the href copied
 * into the pool, or NULL on the last page. Returns 0, or -1 with *err. */
int rv_shape_page(apr_pool_t *p, json_object *answer, const char *key,
                  json_object **items, const char **next, const char **err);

/* /categories/flat -> the admin's picker groups (new reference):
 *   [{"root": <root's name>, "root_uuid": uuid,
 *     "categories": [{"uuid", "name", "full_name"}]}]
 * Grouped by root_uuid (a root has root_uuid == uuid), groups in the order
 * their first member appears, labelled with the root's name (its entry's
 * name, else full_name; without a root entry, the part of a member's
 * full_name before " / "). Entries without a uuid are skipped; an entry
 * without a root_uuid is its own root. NULL with *err when the answer has
 * no "categories" array. */
json_object *rv_shape_category_groups(json_object *answer, const char **err);

/* /listing_conditions -> [{"uuid", "display_name"}] (new reference), only
 * entries with a string uuid. NULL with *err when there is no
 * "conditions" array. */
json_object *rv_shape_conditions(json_object *answer, const char **err);

/* /my/account -> the shop's name (shop.name, else shop_name, else name);
 * "" when none. NULL with *err when the answer is not an object. */
const char *rv_shape_shop_name(json_object *answer, const char **err);

/* GET /webhooks/registrations (shape undocumented: {"registrations": [...]},
 * {"webhook_registrations": [...]}, a bare array, or an empty body, which
 * is no registrations). New reference to the array, or NULL with *err when
 * the list is of another type. Elements are not checked. */
json_object *rv_shape_registrations(json_object *answer, const char **err);

/* GET /shipping/providers (shape undocumented by Reverb: the names of
 * the carriers Reverb accepts for tracking). Read from {"shipping_providers":
 * [...]}, {"providers": [...]} or a bare array; an element is a name string
 * or an object with a string "name" (else "display_name"). Only names of
 * 1..RV_PROVIDER_MAX bytes without control characters are kept (what the
 * ship route accepts), each once, in Reverb's order. New reference to an
 * array of strings, or NULL with *err when there is no list. */
#define RV_PROVIDER_MAX 64
json_object *rv_shape_shipping_providers(json_object *answer, const char **err);
/* GET /shop -> the seller's shipping profiles [{"id": digits, "name"}]
 * (new reference), in Reverb's order. id: an integer or a string of 1..20
 * digits, else the entry is skipped (ids go into listing bodies); name: a
 * string, else "Profile <id>". An answer without "shipping_profiles" (or
 * with null) has none: an empty array. NULL with *err when the answer is
 * not an object or shipping_profiles is neither an array nor null. */
json_object *rv_shape_shipping_profiles(json_object *answer, const char **err);

#endif
