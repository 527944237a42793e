/* GET admin/categories: Reverb's category groups (cached 24 h). */
#include "rv_route.h"
#include "rv_shape.h"
#include "routes/rv_admin_answer.h"

int rv_route_categories(rv_req_t *q)
{
    return rv_lookup_route(q, "categories", "categories/flat", rv_shape_category_groups, "groups");
}
