/* rv_row_json.h: one database result row to JSON members, driven by a
 * column table (core/rv_json.h: rv_col_t, rv_json_set_cols). */
#ifndef RV_ROW_JSON_H
#define RV_ROW_JSON_H

#include "rv_db.h"
#include "rv_json.h"

/* Adds to o one member per cols[0..n) from row i of rows. */
void rv_row_json(apr_pool_t *p, json_object *o, const rv_rows_t *rows, int i,
                 const rv_col_t *cols, size_t n);

#define RV_NCOLS(cols) (sizeof(cols) / sizeof(*(cols)))

#endif
