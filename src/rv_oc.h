/* rv_oc.h: which OpenCart this database belongs to (3.0.x or 4.0.2.x), and
 * the few statements and names that differ between the two
 * (../shared/notes/opencart4.md). Everything else is version-neutral SQL in
 * the files that use it. */
#ifndef RV_OC_H
#define RV_OC_H

#include "rv_db.h"

/* ReverbOpenCart: 0 = auto (default), 3, 4. */
#define RV_OC_AUTO 0

/* 3 or 4: the directive's value, else detected once per server from the
 * schema (4.0 added oc_product.master_id). -1 when the database could not
 * be asked (nothing cached; the caller treats it as a database error). */
int rv_oc_version(rv_db_t *db, apr_pool_t *p);

/* Statements whose text depends on the version. Each pair takes the same
 * arguments in the same order, except RV_OC_ORDER_INSERT: 4.0's takes
 * RV_OC_ORDER_INSERT_EXTRA more at the end (transaction_id, language_code). */
typedef enum {
    RV_OC_COUNTRY,          /* (iso_code_2) -> country_id, name, address_format */
    RV_OC_ORDER_INSERT,     /* the oc_order row; see rv_order_rows.c */
    RV_OC_ORDER_PRODUCT,    /* (order_id, product_id, name, model, quantity, price, total) */
    RV_OC_ORDER_TOTALS,     /* (order_id, sub_total, order_id, shipping title, shipping) */
    RV_OC_ORDER_TOTAL_TAX,  /* (order_id, title, value) */
    RV_OC_ORDER_TOTAL_SUM,  /* (order_id, value) */
    RV_OC_NSTMT
} rv_oc_stmt_t;
#define RV_OC_ORDER_INSERT_EXTRA 2

/* The statement for this database's version; NULL when the version is
 * unknown (database error). */
const char *rv_oc_sql(rv_db_t *db, apr_pool_t *p, rv_oc_stmt_t which);
/* The same for a known version (unit tests, callers that already asked). */
const char *rv_oc_sql_for(int version, rv_oc_stmt_t which);

/* The permission key OpenCart grants for the module's admin pages:
 * 3.0 "extension/module/reverb"; 4.0 "extension/<folder>/module/reverb",
 * the folder being the installed extension's (oc_extension.extension of the
 * module row with code reverb; "reverb" before it is installed). NULL on a
 * database error. */
const char *rv_oc_permission_route(rv_db_t *db, apr_pool_t *p);

/* Gives mod_reverb's own tables the collation of OpenCart's (4.0 is
 * utf8mb4_general_ci, 3.0.5 utf8mb4_unicode_ci) so joins on text columns
 * do not fail with "Illegal mix of collations". Only for a utf8mb4 shop;
 * a no-op when they already match. 0, or an apr_dbd error (logged). */
int rv_oc_match_collation(rv_db_t *db, apr_pool_t *p);

#endif
