/* rv_attrs.h: the field mapping's OpenCart side: the
 * `field_map` setting read and its attribute names resolved to attribute
 * ids (oc_attribute_description, admin language), the product attribute
 * texts (oc_product_attribute, the listing's language) loaded with the
 * product rows, and the shop's attribute names for the settings page.
 *
 * The catalogue loader (rv_catalogue.c) selects RV_ATTRS_COLUMN(id) next to the
 * product's own columns, so change detection's digest covers the mapped
 * attributes' texts, and puts the settings' part (rv_attrs_t.fingerprint)
 * into its settings fingerprint: an attribute edit, a mapping change and a
 * renamed attribute all make the product be looked at again. */
#ifndef RV_ATTRS_H
#define RV_ATTRS_H

#include "rv_db.h"
#include "rv_settings.h"
#include "rv_fieldmap.h"
#include "rv_product.h"

typedef struct {
    rv_fieldmap_t map;              /* the setting, over the defaults */
    const char *ids;                /* "3,7": every attribute id a field reads ("" none) */
    const char *field_ids[RV_FM_N]; /* per field ",3,7," (NULL: not from an attribute) */
    const char *fingerprint;        /* the normalised map and the resolved ids */
} rv_attrs_t;

/* The mapping as the settings say (defaults when unset or unreadable) with
 * its attribute names resolved; never NULL. */
rv_attrs_t *rv_attrs_load(rv_db_t *db, apr_pool_t *p, const rv_settings_t *st);

/* One column, "attrs": the texts of the mapped attributes of the product
 * whose id is the SQL expression ID, as "id<0x1d>text" joined by 0x1e in
 * attribute id order (NULL, and no lookup at all, when no field reads an
 * attribute). Three parameters: rv_attrs_t.ids, the language id, ids again. */
#define RV_ATTRS_COLUMN(ID) \
    " (SELECT GROUP_CONCAT(CONCAT(pa.attribute_id, 0x1d, pa.text)" \
    "   ORDER BY pa.attribute_id SEPARATOR 0x1e) FROM {P}product_attribute pa" \
    "   WHERE %s <> '' AND pa.product_id = " ID " AND pa.language_id = %s" \
    "   AND FIND_IN_SET(pa.attribute_id, %s)) AS attrs"

/* Sets prod->attr[] from an "attrs" value: per field, the first non-empty
 * text of an attribute it reads. */
void rv_attrs_fill(apr_pool_t *p, const rv_attrs_t *a, rv_product_t *prod, const char *packed);

/* The shop's attribute names in the admin language, decoded, distinct and
 * sorted: a new array of strings (empty on a database error). */
json_object *rv_attrs_names(rv_db_t *db, apr_pool_t *p);

#endif
