/* rv_http.h: request bodies and JSON answers for every route. */
#ifndef RV_HTTP_H
#define RV_HTTP_H

#include "httpd.h"
#include <json-c/json.h>

/* The contract's error body {"error":{"code","message"}} with `status`.
 * Returns OK: the handler has answered. */
int rv_http_error(request_rec *r, int status, const char *code, const char *message);
/* The same with "field": the request key the error is about (the UI shows it there). */
int rv_http_error_field(request_rec *r, int status, const char *code, const char *message,
                        const char *field);
/* Sends `obj` (consumed: json_object_put) with `status`. Returns OK. */
int rv_http_json(request_rec *r, int status, json_object *obj);

/* Reads the body (at most RV_BODY_LIMIT bytes). On failure answers the
 * request itself (413/400) and returns that status; 0 on success. */
int rv_http_read_body(request_rec *r, char **buf, apr_size_t *len);
/* Reads and parses a JSON object body. An empty body gives an empty
 * object. On failure answers 400/413 and returns non-zero. */
int rv_http_read_json_object(request_rec *r, json_object **obj);
/* The parsing half of rv_http_read_json_object: 0 with *obj (released with
 * the request), or HTTP_BAD_REQUEST with the error's code and message, for
 * a caller that must decide something else before it answers. */
int rv_http_parse_object(request_rec *r, const char *buf, apr_size_t len, json_object **obj,
                         const char **code, const char **message);

#endif
