/* rv_http.c: bounded body reading and JSON answers. */
#include "rv_http.h"
#include "rv_conf.h"
#include "rv_json.h"

#include "http_protocol.h"
#include "http_log.h"
#include "apr_strings.h"

APLOG_USE_MODULE(reverb);

int rv_http_json(request_rec *r, int status, json_object *obj)
{
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN
                                                      | JSON_C_TO_STRING_NOSLASHESCAPE);
    r->status = status;
    ap_set_content_type(r, "application/json; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "X-Content-Type-Options", "nosniff");
    ap_rputs(text, r);
    ap_rputs("\n", r);
    json_object_put(obj);
    return OK;
}

int rv_http_error(request_rec *r, int status, const char *code, const char *message)
{
    return rv_http_error_field(r, status, code, message, NULL);
}

int rv_http_error_field(request_rec *r, int status, const char *code, const char *message,
                        const char *field)
{
    json_object *err = json_object_new_object(), *top = json_object_new_object();
    json_object_object_add(err, "code", json_object_new_string(code));
    json_object_object_add(err, "message", json_object_new_string(message));
    if (field)
        json_object_object_add(err, "field", json_object_new_string(field));
    json_object_object_add(top, "error", err);
    ap_log_rerror(APLOG_MARK, status >= 500 ? APLOG_WARNING : APLOG_DEBUG, 0, r,
                  RVLOGNO(0013) "%d %s: %s", status, code, message);
    return rv_http_json(r, status, top);
}

int rv_http_read_body(request_rec *r, char **buf, apr_size_t *len)
{
    apr_size_t cap = 8192, got_total = 0;
    const char *clen = apr_table_get(r->headers_in, "Content-Length");
    char *data;
    long got;
    int rc;

    if (clen && apr_atoi64(clen) > RV_BODY_LIMIT) {
        rv_http_error(r, HTTP_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                      "The request body is larger than 1 MiB.");
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK) {
        rv_http_error(r, HTTP_BAD_REQUEST, "bad_request", "The request body could not be read.");
        return HTTP_BAD_REQUEST;
    }
    data = apr_palloc(r->pool, cap + 1);
    if (ap_should_client_block(r)) {
        for (;;) {
            if (got_total == cap) {
                char *bigger;
                if (cap > RV_BODY_LIMIT) {
                    rv_http_error(r, HTTP_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                                  "The request body is larger than 1 MiB.");
                    return HTTP_REQUEST_ENTITY_TOO_LARGE;
                }
                bigger = apr_palloc(r->pool, cap * 2 + 1);
                memcpy(bigger, data, got_total);
                data = bigger;
                cap *= 2;
            }
            got = ap_get_client_block(r, data + got_total, cap - got_total);
            if (got == 0)
                break;
            if (got < 0) {
                rv_http_error(r, HTTP_BAD_REQUEST, "bad_request",
                              "The request body could not be read.");
                return HTTP_BAD_REQUEST;
            }
            got_total += (apr_size_t)got;
            if (got_total > RV_BODY_LIMIT) {
                rv_http_error(r, HTTP_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                              "The request body is larger than 1 MiB.");
                return HTTP_REQUEST_ENTITY_TOO_LARGE;
            }
        }
    }
    data[got_total] = '\0';
    *buf = data;
    *len = got_total;
    return 0;
}

static int rv_json_blank(const char *s, apr_size_t len)
{
    apr_size_t i;
    for (i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

/* JSON's null (json-c parses it to a NULL object, indistinguishable from
 * an error): "null" with optional surrounding white space. */
static int rv_json_is_null(const char *s, apr_size_t len)
{
    while (len && rv_json_blank(s, 1))
        s++, len--;
    while (len && rv_json_blank(s + len - 1, 1))
        len--;
    return len == 4 && !memcmp(s, "null", 4);
}

int rv_http_parse_object(request_rec *r, const char *buf, apr_size_t len, json_object **obj,
                         const char **code, const char **message)
{
    const char *err = NULL;
    *obj = NULL;
    *code = "invalid_request";
    /* an empty body is not an empty object: nothing to act on (400) */
    if (len == 0 || rv_json_blank(buf, len)) {
        *message = "The request body is empty: send a JSON object.";
        return HTTP_BAD_REQUEST;
    }
    *obj = rv_json_parse(buf, len, &err);
    if (!*obj && rv_json_is_null(buf, len)) {
        *message = "The request body must be a JSON object, not null.";
        return HTTP_BAD_REQUEST;
    }
    if (!*obj) {
        *code = "invalid_json";
        *message = apr_psprintf(r->pool, "The request body is not valid JSON: %s.",
                                err ? err : "parse error");
        return HTTP_BAD_REQUEST;
    }
    if (!json_object_is_type(*obj, json_type_object)) {
        json_object_put(*obj);
        *obj = NULL;
        *message = "The request body must be a JSON object.";
        return HTTP_BAD_REQUEST;
    }
    /* the handler owns it now; make sure it is released with the request */
    apr_pool_cleanup_register(r->pool, *obj, (apr_status_t (*)(void *))json_object_put,
                              apr_pool_cleanup_null);
    return 0;
}

int rv_http_read_json_object(request_rec *r, json_object **obj)
{
    char *buf;
    apr_size_t len;
    const char *code, *message;
    int rc = rv_http_read_body(r, &buf, &len);
    *obj = NULL;
    if (rc)
        return rc;
    if ((rc = rv_http_parse_object(r, buf, len, obj, &code, &message)))
        rv_http_error(r, rc, code, message);
    return rc;
}
