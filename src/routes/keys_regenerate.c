/* POST admin/keys/regenerate: new webhook and cron keys, and the webhook
 * registered again under the new key. */
#include "rv_route.h"
#include "rv_settings_form.h"
#include "rv_keycache.h"
#include "rv_synclog.h"
#include "routes/rv_hooks_ctx.h"
#include "rv_json.h"

#include "http_protocol.h"
#include "apr_strings.h"

/* POST keys/regenerate: new webhook and cron keys, refused-at-once old ones
 * (every accepted request checks its key against the database), and the
 * webhook registered again under the new key when a token is set. */
int rv_route_keys_regenerate(rv_req_t *q)
{
    apr_pool_t *p = q->r->pool;
    json_object *in, *out, *hooks = NULL, *wh = json_object_new_object();
    const char *code = NULL, *msg = NULL, *pub;
    rv_settings_t *st;
    rv_hooks_ctx_t h;
    int status;

    if (rv_http_read_json_object(q->r, &in))
        return OK;
    if (rv_settings_new_keys(q->db, p, q->conf->store_id)
        || !(st = rv_settings_load(q->db, p, q->conf->store_id))) {
        json_object_put(wh);
        return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                             "The new keys could not be saved (database error). "
                             "The old keys still work.");
    }
    q->settings = st;
    rv_keycache_forget(q->r->server);
    rv_keycache_store(q->r->server, rv_setting(st, "webhook_key", NULL), rv_setting(st, "cron_key", NULL));
    rv_log_note(q->db, p, "push", "webhook", 1,
                "New webhook and cron keys were made; the old ones are refused from now on.");

    if (!rv_setting(st, "token", NULL) || !*rv_setting(st, "token", "")) {
        json_object_object_add(wh, "registered", json_object_new_boolean(0));
        json_object_object_add(wh, "message", json_object_new_string(
            "No Reverb token is set yet, so no webhook was registered. Register webhooks "
            "after entering the token."));
    }
    else if ((h = rv_hooks_ctx_of(q), status = rv_webhooks_sync(&h, 1, &hooks, &code, &msg))
             == HTTP_OK) {
        json_object *miss = rv_json_path(hooks, "missing_topics");
        int all = miss && json_object_is_type(miss, json_type_array)
                  && json_object_array_length(miss) == 0;
        json_object_object_add(wh, "registered", json_object_new_boolean(all));
        json_object_object_add(wh, "message", json_object_new_string(all
            ? "The webhook is registered with Reverb under the new key."
            : "Some webhook topics could not be registered; press Register webhooks to try again."));
        json_object_put(hooks);
    }
    else {
        json_object_object_add(wh, "registered", json_object_new_boolean(0));
        json_object_object_add(wh, "message", json_object_new_string(apr_pstrcat(p,
            "The keys were changed, but the webhook could not be registered under the new key: ",
            msg, " Press Register webhooks to try again: until then Reverb's deliveries are "
            "refused and orders arrive by the cron poll.", NULL)));
    }
    pub = rv_public_route_base(p, rv_shop_address(q->db, p, st), q->base_path);
    out = rv_settings_to_json(q->db, p, st, pub ? pub : q->base_url, 1);
    json_object_object_add(out, "webhooks", wh);
    return rv_http_json(q->r, HTTP_OK, out);
}
