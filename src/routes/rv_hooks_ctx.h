/* rv_hooks_ctx.h: the webhook registration context of an admin request
 * (routes/webhooks_admin.c, routes/keys_regenerate.c). */
#ifndef RV_HOOKS_CTX_H
#define RV_HOOKS_CTX_H

#include "rv_route.h"
#include "rv_webhook_register.h"

static inline rv_hooks_ctx_t rv_hooks_ctx_of(rv_req_t *q)
{
    rv_hooks_ctx_t h = { q->r->pool, q->r->server, q->db, q->settings, q->base_path,
                         q->can_modify };
    return h;
}

#endif
