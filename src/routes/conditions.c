/* GET admin/conditions: Reverb's listing conditions (cached 24 h). */
#include "rv_route.h"
#include "rv_shape.h"
#include "routes/rv_admin_answer.h"

int rv_route_conditions(rv_req_t *q)
{
    return rv_lookup_route(q, "conditions", "listing_conditions", rv_shape_conditions, "conditions");
}
