/* rv_row_json.c: the database side of core/rv_json.c's column tables. */
#include "rv_row_json.h"

typedef struct {
    const rv_rows_t *rows;
    int i;
} rv_row_at_t;

static const char *rv_row_at_get(const void *row, const char *col)
{
    const rv_row_at_t *at = row;
    return rv_row_get(at->rows, at->i, col);
}

void rv_row_json(apr_pool_t *p, json_object *o, const rv_rows_t *rows, int i,
                 const rv_col_t *cols, size_t n)
{
    rv_row_at_t at = { rows, i };
    rv_json_set_cols(p, o, cols, n, rv_row_at_get, &at);
}
