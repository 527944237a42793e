/* rv_push.h: OpenCart -> Reverb. Loads product rows, maps them, and creates,
 * updates or ends listings; finds changed products by content. */
#ifndef RV_PUSH_H
#define RV_PUSH_H

#include "rv_reverb.h"

/* Queues every eligible product whose mapped listing differs from what was
 * last pushed, and every listed product that is no longer eligible (to end
 * its listing). Unchanged products cost nothing. 0 or -1 (database). */
int rv_push_detect_changes(rv_ctx_t *c, apr_pool_t *p, int *queued, int *ended);
int rv_push_enqueue_product(rv_db_t *db, apr_pool_t *p, long long product_id, int priority);

#endif
