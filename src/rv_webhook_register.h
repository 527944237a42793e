/* rv_webhook_register.h: this shop's webhook registrations at Reverb: read
 * them, register the missing topics under the current key, remove the ones
 * left under an old key. */
#ifndef RV_WEBHOOK_REGISTER_H
#define RV_WEBHOOK_REGISTER_H

#include "httpd.h"
#include "rv_db.h"
#include "rv_settings.h"
#include <json-c/json.h>

typedef struct {
    apr_pool_t *p;
    server_rec *s;
    rv_db_t *db;
    rv_settings_t *settings;
    const char *base_path;      /* path of the <Location>, no trailing slash */
    int can_modify;             /* the admin may see the key in URLs */
} rv_hooks_ctx_t;

/* Lists what Reverb has; with do_register, first registers every topic that
 * is missing for this shop's URL (a second call adds nothing) and removes
 * registrations of this route with an old key, then lists what Reverb
 * reports afterwards. Returns the HTTP status for the answer; *out is the
 * answer body (HTTP_OK), else *code and *msg say what went wrong. */
int rv_webhooks_sync(const rv_hooks_ctx_t *h, int do_register, json_object **out,
                     const char **code, const char **msg);

#endif
