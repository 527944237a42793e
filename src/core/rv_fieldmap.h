/* rv_fieldmap.h: where each identifying listing field comes from (the
 * "Field mapping" settings section).
 *
 * The setting `field_map` (serialized JSON) maps a Reverb field to a source:
 *   {"make": {"source": "manufacturer"},
 *    "model": {"source": "attribute", "attribute": "Model name"}, ...}
 * Sources per field:
 *   make                          manufacturer (default) | attribute
 *   model                         model (default; OpenCart's model, else the
 *                                 MPN, as before) | mpn | sku | attribute
 *   finish, year, handedness,
 *   number_of_strings             none (default) | attribute
 * An attribute is named as the shop names it (oc_attribute_description in
 * the admin language), compared without case and surrounding spaces.
 *
 * Values: entity-decoded, one line, trimmed. year is sent only when it is 4
 * digits (Reverb refuses anything else), number_of_strings only when it is
 * a whole number from 1 to 99 (sent as a number). */
#ifndef RV_FIELDMAP_H
#define RV_FIELDMAP_H

#include <apr_pools.h>
#include <json-c/json.h>

typedef enum {
    RV_FM_MAKE, RV_FM_MODEL, RV_FM_FINISH, RV_FM_YEAR, RV_FM_HANDEDNESS, RV_FM_STRINGS,
    RV_FM_N
} rv_fm_field_t;

typedef enum {
    RV_SRC_NONE, RV_SRC_MANUFACTURER, RV_SRC_MODEL, RV_SRC_MPN, RV_SRC_SKU, RV_SRC_ATTRIBUTE
} rv_fm_source_t;

#define RV_FM_ATTR_MAX 64          /* oc_attribute_description.name is varchar(64) */

typedef struct {
    rv_fm_source_t source[RV_FM_N];
    const char *attribute[RV_FM_N];    /* the attribute's name when source is attribute */
} rv_fieldmap_t;

/* The Reverb body key of each field ("make", ..., "number_of_strings"). */
extern const char *const rv_fm_keys[RV_FM_N];

/* make: manufacturer, model: model, the others: none. */
void rv_fieldmap_default(rv_fieldmap_t *m);

/* Reads a field_map value over the defaults. NULL when valid, else a
 * plain-words reason naming the field (nothing in *m is to be used then).
 * A field left out keeps its default; an unknown field or source, an
 * attribute source without a name (or a name over 64 characters, or with
 * control characters) is refused. */
const char *rv_fieldmap_parse(apr_pool_t *p, json_object *in, rv_fieldmap_t *m);

/* The normalised setting (every field, "attribute" only for attribute
 * sources): a new object the caller puts. */
json_object *rv_fieldmap_json(const rv_fieldmap_t *m);

/* Field index of a body key, or -1. */
int rv_fm_field(const char *key);

/* "1984" -> "1984"; anything but exactly 4 digits (after trimming) -> NULL. */
const char *rv_fm_year(apr_pool_t *p, const char *plain);
/* "6" -> 6; anything but a whole number 1..99 (after trimming) -> 0. */
int rv_fm_strings(const char *plain);

#endif
