/* rv_webhook_register.c: this shop's webhook registrations at Reverb (see
 * rv_webhook_register.h). Each registration or removal is one sync-log
 * entry. */
#include "rv_webhook_register.h"
#include "rv_reverb.h"
#include "rv_synclog.h"
#include "rv_json.h"
#include "rv_shape.h"

#include "httpd.h"
#include "apr_strings.h"

static const char *const rv_topics[] = { "orders/create", "orders/update", "listings/update" };
#define RV_NTOPICS (sizeof(rv_topics) / sizeof(*rv_topics))

static int rv_registered(json_object *regs, const char *url, const char *topic)
{
    size_t i, n = rv_json_len(regs);
    for (i = 0; i < n; i++) {
        json_object *r = rv_json_idx(regs, i);
        const char *u = rv_json_str(r, "url"), *t = rv_json_str(r, "topic");
        if (u && t && !strcmp(u, url) && !strcmp(t, topic))
            return 1;
    }
    return 0;
}

static int rv_regs_read(rv_ctx_t *c, apr_pool_t *p, json_object **regs, const char **err)
{
    rv_api_result_t res;
    *regs = NULL;
    if (rv_reverb_call(c, p, "GET", "webhooks/registrations", NULL, &res) != RV_API_OK) {
        *err = apr_pstrcat(p, "Reverb's webhook list could not be read: ",
                           res.message ? res.message : rv_api_kind_name(res.kind), NULL);
        rv_api_result_clear(&res);
        return -1;
    }
    /* the shape is undocumented: see rv_shape_registrations */
    *regs = rv_shape_registrations(res.json, err);
    rv_api_result_clear(&res);
    return *regs ? 0 : -1;
}

/* Registrations of this shop's webhook route with another key (the key was
 * made again, e.g. after the module was reinstalled): Reverb would keep
 * delivering to them and get 403s. Removes them; returns how many. */
static int rv_regs_remove_stale(rv_ctx_t *c, apr_pool_t *p, json_object *regs,
                                const char *base, const char *url)
{
    size_t i, n = json_object_array_length(regs);
    int removed = 0;
    for (i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(regs, i);
        const char *u = rv_json_str(r, "url"), *id;
        long long num;
        rv_api_result_t res;
        int gone;
        if (!u || strncmp(u, base, strlen(base)) || !strcmp(u, url)
            || rv_json_int(r, "id", &num) || num <= 0)
            continue;
        id = rv_i64(p, num);
        rv_reverb_call(c, p, "DELETE", apr_pstrcat(p, "webhooks/registrations/", id, NULL),
                       NULL, &res);
        gone = res.kind == RV_API_OK || res.kind == RV_API_NOT_FOUND;   /* gone either way */
        rv_log_note_about(c->db, p, NULL, "push", "webhook", gone, gone
            ? apr_pstrcat(p, "Removed an old webhook registration for ",
                          rv_json_str(r, "topic") ? rv_json_str(r, "topic") : "?",
                          " (its secret key had been replaced)", NULL)
            : apr_pstrcat(p, "An old webhook registration could not be removed: ",
                          res.message ? res.message : rv_api_kind_name(res.kind), NULL), &res);
        removed += gone;
        rv_api_result_clear(&res);
    }
    return removed;
}

/* Registers each topic missing for url. Returns whether anything was sent;
 * *refused: the first refusal's message (a refusal may be a concurrent
 * click that registered it first: the list read afterwards decides). */
static int rv_regs_add_missing(rv_ctx_t *c, apr_pool_t *p, json_object *regs, const char *url,
                               const char **refused)
{
    size_t i;
    int posted = 0;
    for (i = 0; i < RV_NTOPICS; i++) {
        json_object *body;
        rv_api_result_t res;
        const char *message;
        if (rv_registered(regs, url, rv_topics[i]))
            continue;       /* idempotent */
        body = json_object_new_object();
        json_object_object_add(body, "url", json_object_new_string(url));
        json_object_object_add(body, "topic", json_object_new_string(rv_topics[i]));
        rv_reverb_call(c, p, "POST", "webhooks/registrations", body, &res);
        json_object_put(body);
        posted = 1;
        message = res.kind == RV_API_OK
            ? apr_pstrcat(p, "Webhook registered for ", rv_topics[i], NULL)
            : apr_pstrcat(p, "Reverb refused the webhook for ", rv_topics[i], ": ",
                          res.message ? res.message : rv_api_kind_name(res.kind), NULL);
        rv_log_api_call(c->db, p, "push", "webhook", &res, message);
        if (res.kind != RV_API_OK && !*refused)
            *refused = message;
        rv_api_result_clear(&res);
    }
    return posted;
}

/* The URL given to Reverb, built from the shop's configured public address
 * (never from the Host header of whoever opened the admin page). NULL with
 * *err when no usable address is configured. */
static const char *rv_hook_url(const rv_hooks_ctx_t *h, const char **base, const char **err)
{
    const char *addr = rv_shop_address(h->db, h->p, h->settings);
    *base = NULL;
    if (!addr) {
        *err = "Enter the shop's public address (Store URL on the Settings tab) first: "
               "Reverb must deliver webhooks to the address your customers use.";
        return NULL;
    }
    *base = rv_public_route_base(h->p, addr, h->base_path);
    if (!*base) {
        *err = apr_pstrcat(h->p, "The shop's address ", addr, " is not an https:// address that "
                           "Reverb could deliver webhooks to.", NULL);
        return NULL;
    }
    *base = apr_pstrcat(h->p, *base, "/webhook?key=", NULL);
    return apr_pstrcat(h->p, *base, rv_setting(h->settings, "webhook_key", ""), NULL);
}

/* A registration's URL as a user without modify permission may see it. */
static json_object *rv_url_for_viewer(const rv_hooks_ctx_t *h, json_object *url)
{
    const char *u = url && json_object_is_type(url, json_type_string)
                    ? json_object_get_string(url) : NULL, *k;
    if (h->can_modify || !u)
        return json_object_get(url);
    k = strstr(u, "key=");
    return json_object_new_string(k ? apr_pstrcat(h->p, apr_pstrmemdup(h->p, u,
                                                  (apr_size_t)(k - u) + 4), "(hidden)", NULL)
                                    : u);
}

/* What Reverb has, as the admin may see it. */
static json_object *rv_regs_list(const rv_hooks_ctx_t *h, json_object *regs)
{
    json_object *list = json_object_new_array();
    size_t i, n = json_object_array_length(regs);
    for (i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(regs, i), *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_get(rv_json_path(r, "id")));
        json_object_object_add(o, "url", rv_url_for_viewer(h, rv_json_path(r, "url")));
        json_object_object_add(o, "topic", json_object_get(rv_json_path(r, "topic")));
        json_object_array_add(list, o);
    }
    return list;
}

static json_object *rv_regs_missing(json_object *regs, const char *url)
{
    json_object *missing = json_object_new_array();
    size_t i;
    for (i = 0; i < RV_NTOPICS; i++)
        if (!url || !rv_registered(regs, url, rv_topics[i]))
            json_object_array_add(missing, json_object_new_string(rv_topics[i]));
    return missing;
}

/* The answer: the URL (for those who may see the key), what is wrong with
 * the address, the registrations and the topics still missing. */
static json_object *rv_hooks_answer(const rv_hooks_ctx_t *h, const char *url, const char *url_err,
                                    json_object *list, json_object *missing)
{
    json_object *out = json_object_new_object();
    rv_json_set_str(out, "webhook_url", url && h->can_modify ? url : NULL);
    if (!url)
        json_object_object_add(out, "address_problem", json_object_new_string(url_err));
    else if (!strncmp(url, "http://", 7))
        json_object_object_add(out, "warning", json_object_new_string(
            "The shop's address is http://, so Reverb delivers webhooks unencrypted. "
            "Use an https:// Store URL if the shop has one."));
    json_object_object_add(out, "registrations", list);
    json_object_object_add(out, "missing_topics", missing);
    return out;
}

int rv_webhooks_sync(const rv_hooks_ctx_t *h, int do_register, json_object **out,
                     const char **code, const char **msg)
{
    apr_pool_t *p = h->p;
    const char *base = NULL, *url_err = NULL;
    const char *url = rv_hook_url(h, &base, &url_err);
    const char *err = NULL, *refused = NULL;
    json_object *regs, *list, *missing;
    rv_ctx_t *c;

    *out = NULL;
    if (do_register && !url) {
        *code = "no_shop_address";
        *msg = url_err;
        return HTTP_CONFLICT;
    }
    c = rv_ctx_create(p, h->s, h->db, h->settings, NULL);
    if (!c->api) {
        *code = "no_token";
        *msg = "Enter your Reverb token in the settings first.";
        return HTTP_BAD_REQUEST;
    }
    c->inline_attempts = 2;
    if (rv_regs_read(c, p, &regs, &err)) {
        *code = "reverb_error";
        *msg = err;
        return HTTP_BAD_GATEWAY;
    }
    if (do_register) {
        int posted = rv_regs_remove_stale(c, p, regs, base, url) > 0;
        posted |= rv_regs_add_missing(c, p, regs, url, &refused);
        if (posted) {
            json_object *after;
            if (rv_regs_read(c, p, &after, &err) == 0) {
                json_object_put(regs);
                regs = after;
            }
        }
    }
    list = rv_regs_list(h, regs);
    missing = rv_regs_missing(regs, url);
    json_object_put(regs);
    if (refused && json_object_array_length(missing) > 0) {
        json_object_put(list);
        json_object_put(missing);
        *code = "reverb_error";
        *msg = refused;
        return HTTP_BAD_GATEWAY;
    }
    *out = rv_hooks_answer(h, url, url_err, list, missing);
    return HTTP_OK;
}
