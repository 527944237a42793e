/* GET/POST admin/settings: the module's settings (a POST saves one field
 * at a time through the settings module), keys made again when missing. */
#include "rv_route.h"
#include "rv_settings_form.h"
#include "rv_json.h"

#include "http_protocol.h"

int rv_route_settings(rv_req_t *q)
{
    if (q->r->method_number == M_POST) {
        json_object *in;
        const char *err, *field;
        if (rv_http_read_json_object(q->r, &in))
            return OK;
        err = rv_settings_apply_field(q->db, q->r->pool, q->conf->store_id, in, &field);
        if (err)
            return rv_http_error_field(q->r, HTTP_BAD_REQUEST, "invalid_request", err, field);
        q->settings = rv_settings_load(q->db, q->r->pool, q->conf->store_id);
        if (!q->settings)
            return rv_http_error(q->r, HTTP_SERVICE_UNAVAILABLE, "database_unavailable",
                                 "The shop database cannot be reached. Try again shortly.");
    }
    if (!*rv_setting(q->settings, "webhook_key", "") || !*rv_setting(q->settings, "cron_key", "")) {
        /* deleted since Apache started (OpenCart's module uninstall deletes
         * every module_reverb_* row): make new ones rather than show URLs
         * ending in "key=" that Reverb and cron would be refused with */
        rv_settings_t *st;
        if (!rv_settings_ensure_keys(q->db, q->r->pool, q->conf->store_id)
            && (st = rv_settings_load(q->db, q->r->pool, q->conf->store_id)))
            q->settings = st;
    }
    {
        const char *pub = rv_public_route_base(q->r->pool,
                                               rv_shop_address(q->db, q->r->pool, q->settings),
                                               q->base_path);
        return rv_http_json(q->r, HTTP_OK,
                            rv_settings_to_json(q->db, q->r->pool, q->settings,
                                                pub ? pub : q->base_url, q->can_modify));
    }
}
