/* test_api.c: rv_api against a scripted local HTTP server (mini_http.h). */
#include "rv_test.h"
#include "mini_http.h"
#include "rv_api.h"
#include "rv_json.h"

#include <apr_date.h>
#include <apr_strings.h>
#include <curl/curl.h>

#define TOKEN "SeCrEtToKeN-0123456789abcdef-wxyz"

/* ---- helpers ---- */

static rv_api_t *api_for(apr_pool_t *p, mh_server_t *s, int timeout_s)
{
    rv_api_t *a = rv_api_create(p, apr_psprintf(p, "http://127.0.0.1:%d/api", s->port),
                                TOKEN, timeout_s);
    assert_non_null(a);
    return a;
}

/* Every string the client hands back is free of the token. */
static void assert_clean(const rv_api_result_t *res)
{
    if (res->message)
        assert_null(strstr(res->message, TOKEN));
    if (res->errors_json)
        assert_null(strstr(res->errors_json, TOKEN));
}

/* One request against a one-entry script; returns the kind. */
static rv_api_kind_t one(apr_pool_t *p, const mh_resp_t *r, const char *method, const char *path,
                         json_object *body, rv_api_result_t *res, mh_server_t **out)
{
    mh_server_t *s = mh_start(r, 1);
    rv_api_t *a;
    rv_api_kind_t k;
    assert_non_null(s);
    a = api_for(p, s, 5);
    k = rv_api_request(a, p, method, path, body, res);
    assert_int_equal(k, res->kind);
    assert_clean(res);
    assert_true(res->elapsed_s >= 0.0);
    if (out)
        *out = s;
    else
        mh_stop(s);
    return k;
}

/* ---- requests: headers, bodies, methods ---- */

static void test_get_headers_and_json(void **state)
{
    static const mh_resp_t r[] = {
        { 200, "Content-Type: application/hal+json\r\n",
          "{\"total\":1,\"listings\":[{\"id\":42,\"sku\":\"A+B\"}]}", 0, 0, 0, 0, 0, 0 } };
    rv_api_result_t res;
    mh_server_t *s;
    char v[512];
    long long id;

    assert_int_equal(one(RV_POOL, r, "GET", "my/listings?sku=A%2BB&state=all", NULL, &res, &s),
                     RV_API_OK);
    assert_int_equal(res.http_status, 200);
    assert_null(res.message);
    assert_null(res.errors_json);
    assert_int_equal(res.retry_after_s, -1);
    assert_non_null(res.json);
    assert_int_equal(rv_json_int(rv_json_path(res.json, "listings.0"), "id", &id), 0);
    assert_int_equal(id, 42);

    mh_last_request_line(s, v, sizeof(v));
    assert_string_equal(v, "GET /api/my/listings?sku=A%2BB&state=all HTTP/1.1");
    assert_true(mh_last_header(s, "Authorization", v, sizeof(v)));
    assert_string_equal(v, "Bearer " TOKEN);
    assert_true(mh_last_header(s, "Accept-Version", v, sizeof(v)));
    assert_string_equal(v, "3.0");
    assert_true(mh_last_header(s, "Accept", v, sizeof(v)));
    assert_string_equal(v, "application/hal+json");
    assert_true(mh_last_header(s, "Accept-Language", v, sizeof(v)));
    assert_string_equal(v, "en");
    assert_true(mh_last_header(s, "X-Reverb-App", v, sizeof(v)));
    assert_string_equal(v, "mod_reverb");
    assert_true(mh_last_header(s, "User-Agent", v, sizeof(v)));
    assert_string_equal(v, "mod_reverb/" RV_API_VERSION);
    assert_false(mh_last_header(s, "Content-Type", v, sizeof(v)));
    assert_false(mh_last_header(s, "Expect", v, sizeof(v)));
    rv_api_result_clear(&res);
    assert_null(res.json);
    rv_api_result_clear(&res);   /* twice is harmless */
    mh_stop(s);
}

static void test_post_json_body_201(void **state)
{
    static const mh_resp_t r[] = {
        { 201, NULL, "{\"message\":\"Listing created\",\"listing\":{\"id\":\"9001\"}}", 0, 0, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 1);
    rv_api_t *a;
    rv_api_result_t res;
    json_object *body = json_object_new_object(), *price = json_object_new_object();
    char v[512], b[512];

    assert_non_null(s);
    a = api_for(RV_POOL, s, 5);
    rv_api_set_user_agent(a, "mod_reverb/test (OpenCart 3)");
    json_object_object_add(price, "amount", json_object_new_string("1299.00"));
    json_object_object_add(price, "currency", json_object_new_string("AUD"));
    json_object_object_add(body, "sku", json_object_new_string("GTR/01"));
    json_object_object_add(body, "price", price);
    assert_int_equal(rv_api_request(a, RV_POOL, "POST", "/listings", body, &res), RV_API_OK);
    json_object_put(body);
    assert_int_equal(res.http_status, 201);
    assert_string_equal(res.message, "Listing created");
    assert_string_equal(rv_json_str(rv_json_path(res.json, "listing"), "id"), "9001");

    mh_last_request_line(s, v, sizeof(v));
    assert_string_equal(v, "POST /api/listings HTTP/1.1");
    assert_true(mh_last_header(s, "Content-Type", v, sizeof(v)));
    assert_string_equal(v, "application/hal+json");
    assert_true(mh_last_header(s, "User-Agent", v, sizeof(v)));
    assert_string_equal(v, "mod_reverb/test (OpenCart 3)");
    mh_last_body(s, b, sizeof(b));
    assert_string_equal(b, "{\"sku\":\"GTR/01\",\"price\":{\"amount\":\"1299.00\",\"currency\":\"AUD\"}}");
    assert_true(mh_last_header(s, "Content-Length", v, sizeof(v)));
    assert_int_equal(atoi(v), (int)strlen(b));
    rv_api_result_clear(&res);
    mh_stop(s);
}

static void test_put_and_delete(void **state)
{
    static const mh_resp_t r[] = {
        { 200, NULL, "{\"listing\":{\"id\":7}}", 0, 0, 0, 0, 0, 0 },
        { 204, NULL, NULL, 0, 0, 0, 0, 0, 0 },
        { 200, NULL, "{}", 0, 0, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 3);
    rv_api_t *a;
    rv_api_result_t res;
    json_object *body = json_object_new_object();
    char v[512], b[512];

    assert_non_null(s);
    a = api_for(RV_POOL, s, 5);
    json_object_object_add(body, "reason", json_object_new_string("not_sold"));
    assert_int_equal(rv_api_request(a, RV_POOL, "PUT", "my/listings/7/state/end", body, &res),
                     RV_API_OK);
    json_object_put(body);
    mh_last_request_line(s, v, sizeof(v));
    assert_string_equal(v, "PUT /api/my/listings/7/state/end HTTP/1.1");
    mh_last_body(s, b, sizeof(b));
    assert_string_equal(b, "{\"reason\":\"not_sold\"}");
    rv_api_result_clear(&res);

    /* 204 without a body: OK, no JSON */
    assert_int_equal(rv_api_request(a, RV_POOL, "DELETE", "listings/7", NULL, &res), RV_API_OK);
    assert_int_equal(res.http_status, 204);
    assert_null(res.json);
    mh_last_request_line(s, v, sizeof(v));
    assert_string_equal(v, "DELETE /api/listings/7 HTTP/1.1");
    assert_false(mh_last_header(s, "Content-Type", v, sizeof(v)));

    /* PUT without a body: empty, no form content type */
    assert_int_equal(rv_api_request(a, RV_POOL, "PUT", "listings/7", NULL, &res), RV_API_OK);
    mh_last_request_line(s, v, sizeof(v));
    assert_string_equal(v, "PUT /api/listings/7 HTTP/1.1");
    assert_true(mh_last_header(s, "Content-Length", v, sizeof(v)));
    assert_string_equal(v, "0");
    assert_false(mh_last_header(s, "Content-Type", v, sizeof(v)));
    rv_api_result_clear(&res);
    assert_int_equal(mh_connections(s), 1);
    mh_stop(s);
}

/* ---- status classes ---- */

static void test_412_validation(void **state)
{
    static const mh_resp_t r[] = {
        { 412, NULL,
          "{\"message\":\"This is the human readable summary of problems\","
          "\"errors\":{\"price\":[\"must be greater than 0\"]},\"listing\":{\"id\":555}}",
          0, 0, 0, 0, 0, 0 } };
    rv_api_result_t res;
    long long id;

    assert_int_equal(one(RV_POOL, r, "POST", "listings", NULL, &res, NULL), RV_API_INVALID);
    assert_int_equal(res.http_status, 412);
    assert_string_equal(res.message, "This is the human readable summary of problems");
    assert_non_null(res.errors_json);
    assert_non_null(strstr(res.errors_json, "\"price\""));
    assert_non_null(strstr(res.errors_json, "must be greater than 0"));
    /* a partial create keeps its id visible */
    assert_int_equal(rv_json_int(rv_json_path(res.json, "listing"), "id", &id), 0);
    assert_int_equal(id, 555);
    assert_false(rv_api_retryable(res.kind));
    rv_api_result_clear(&res);
}

static void test_422_and_null_errors(void **state)
{
    static const mh_resp_t r[] = {
        { 422, NULL, "{\"message\":\"Unprocessable\",\"errors\":null}", 0, 0, 0, 0, 0, 0 } };
    rv_api_result_t res;
    assert_int_equal(one(RV_POOL, r, "PUT", "listings/1", NULL, &res, NULL), RV_API_INVALID);
    assert_string_equal(res.message, "Unprocessable");
    assert_null(res.errors_json);
    rv_api_result_clear(&res);
}

static void test_404_401_403_400(void **state)
{
    static const mh_resp_t r404[] = { { 404, NULL, "{\"message\":\"Not found\"}", 0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t r401[] = { { 401, NULL, "{\"message\":\"Unauthorized\"}", 0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t r403[] = {
        { 403, NULL, "{\"message\":\"You are not authorized to perform this action.\",\"error_type\":null}",
          0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t r400[] = { { 400, NULL, "", 0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t r301[] = {
        { 301, "Location: http://127.0.0.1:1/elsewhere\r\n", "", 0, 0, 0, 0, 0, 0 } };
    rv_api_result_t res;
    mh_server_t *s;

    assert_int_equal(one(RV_POOL, r404, "GET", "listings/1", NULL, &res, NULL), RV_API_NOT_FOUND);
    assert_string_equal(res.message, "Not found");
    rv_api_result_clear(&res);
    assert_int_equal(one(RV_POOL, r401, "GET", "my/account", NULL, &res, NULL), RV_API_UNAUTHORIZED);
    assert_int_equal(res.http_status, 401);
    rv_api_result_clear(&res);
    assert_int_equal(one(RV_POOL, r403, "GET", "my/account", NULL, &res, NULL), RV_API_UNAUTHORIZED);
    assert_string_equal(res.message, "You are not authorized to perform this action.");
    rv_api_result_clear(&res);
    assert_int_equal(one(RV_POOL, r400, "GET", "x", NULL, &res, NULL), RV_API_CLIENT_ERROR);
    assert_string_equal(res.message, "Reverb answered HTTP 400");
    assert_null(res.json);
    rv_api_result_clear(&res);
    /* redirects are not followed */
    assert_int_equal(one(RV_POOL, r301, "GET", "x", NULL, &res, &s), RV_API_CLIENT_ERROR);
    assert_int_equal(res.http_status, 301);
    assert_int_equal(mh_requests(s), 1);
    mh_stop(s);
    rv_api_result_clear(&res);
}

static void test_429_retry_after(void **state)
{
    static const mh_resp_t r7[] = { { 429, "Retry-After: 7\r\n", "{\"message\":\"Slow down\"}", 0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t rnone[] = { { 429, NULL, "", 0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t rbad[] = { { 429, "retry-after: soon\r\n", "", 0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t rhuge[] = { { 429, "Retry-After: 99999999999999999999\r\n", "", 0, 0, 0, 0, 0, 0 } };
    mh_resp_t rdate[1];
    char date[APR_RFC822_DATE_LEN], hdr[128];
    rv_api_result_t res;

    assert_int_equal(one(RV_POOL, r7, "GET", "x", NULL, &res, NULL), RV_API_RATE_LIMITED);
    assert_int_equal(res.retry_after_s, 7);
    assert_string_equal(res.message, "Slow down");
    assert_true(rv_api_retryable(res.kind));
    rv_api_result_clear(&res);

    assert_int_equal(one(RV_POOL, rnone, "GET", "x", NULL, &res, NULL), RV_API_RATE_LIMITED);
    assert_int_equal(res.retry_after_s, 60);
    assert_string_equal(res.message, "Reverb answered HTTP 429");
    rv_api_result_clear(&res);

    assert_int_equal(one(RV_POOL, rbad, "GET", "x", NULL, &res, NULL), RV_API_RATE_LIMITED);
    assert_int_equal(res.retry_after_s, 60);
    rv_api_result_clear(&res);

    assert_int_equal(one(RV_POOL, rhuge, "GET", "x", NULL, &res, NULL), RV_API_RATE_LIMITED);
    assert_int_equal(res.retry_after_s, 86400);
    rv_api_result_clear(&res);

    /* HTTP-date two minutes ahead */
    assert_int_equal(apr_rfc822_date(date, apr_time_now() + apr_time_from_sec(120)), APR_SUCCESS);
    snprintf(hdr, sizeof(hdr), "Retry-After: %s\r\n", date);
    memset(rdate, 0, sizeof(rdate));
    rdate[0].status = 429;
    rdate[0].headers = hdr;
    assert_int_equal(one(RV_POOL, rdate, "GET", "x", NULL, &res, NULL), RV_API_RATE_LIMITED);
    assert_in_range(res.retry_after_s, 110, 121);
    rv_api_result_clear(&res);

    /* a date in the past: retry now */
    assert_int_equal(apr_rfc822_date(date, apr_time_now() - apr_time_from_sec(120)), APR_SUCCESS);
    snprintf(hdr, sizeof(hdr), "Retry-After: %s\r\n", date);
    assert_int_equal(one(RV_POOL, rdate, "GET", "x", NULL, &res, NULL), RV_API_RATE_LIMITED);
    assert_int_equal(res.retry_after_s, 0);
    rv_api_result_clear(&res);
}

static void test_5xx(void **state)
{
    static const mh_resp_t r503[] = {
        { 503, "Retry-After: 5\r\nContent-Type: text/html\r\n",
          "<html><body>Service Unavailable</body></html>", 0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t r500[] = { { 500, NULL, "Internal Server Error", 0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t r502[] = { { 502, NULL, "{\"message\":\"Bad gateway\"}", 0, 0, 0, 0, 0, 0 } };
    rv_api_result_t res;

    assert_int_equal(one(RV_POOL, r503, "GET", "x", NULL, &res, NULL), RV_API_SERVER_ERROR);
    assert_int_equal(res.http_status, 503);
    assert_string_equal(res.message, "Reverb answered HTTP 503");
    assert_int_equal(res.retry_after_s, 5);
    assert_null(res.json);
    assert_true(rv_api_retryable(res.kind));
    rv_api_result_clear(&res);

    assert_int_equal(one(RV_POOL, r500, "POST", "listings", NULL, &res, NULL), RV_API_SERVER_ERROR);
    assert_string_equal(res.message, "Reverb answered HTTP 500");
    assert_null(res.json);
    rv_api_result_clear(&res);

    assert_int_equal(one(RV_POOL, r502, "GET", "x", NULL, &res, NULL), RV_API_SERVER_ERROR);
    assert_string_equal(res.message, "Bad gateway");
    rv_api_result_clear(&res);
}

/* ---- transport failures ---- */

static void test_dropped_connection(void **state)
{
    static const mh_resp_t r[] = { { 0, NULL, NULL, 0, 0, 0, 0, 0, 0 } };
    rv_api_result_t res;
    assert_int_equal(one(RV_POOL, r, "POST", "listings", NULL, &res, NULL), RV_API_NETWORK);
    assert_int_equal(res.http_status, 0);
    assert_null(res.json);
    assert_string_equal(res.message, "Reverb closed the connection without answering");
    assert_true(rv_api_retryable(res.kind));
    rv_api_result_clear(&res);
}

static void test_truncated_and_bad_bodies(void **state)
{
    static const mh_resp_t rcut[] = { { 200, NULL, "{\"listings\":[", 0, 0, 0, 500, 0, 0 } };
    static const mh_resp_t rhtml[] = { { 200, NULL, "<html>maintenance</html>", 0, 0, 0, 0, 0, 0 } };
    static const mh_resp_t rhalf[] = { { 200, NULL, "{\"listings\":[", 0, 0, 0, 0, 0, 0 } };
    rv_api_result_t res;

    /* Content-Length promises more than arrives */
    assert_int_equal(one(RV_POOL, rcut, "GET", "x", NULL, &res, NULL), RV_API_NETWORK);
    assert_null(res.json);
    assert_non_null(strstr(res.message, "cut off"));
    rv_api_result_clear(&res);
    /* complete HTTP, body not JSON */
    assert_int_equal(one(RV_POOL, rhtml, "GET", "x", NULL, &res, NULL), RV_API_NETWORK);
    assert_int_equal(res.http_status, 200);
    assert_string_equal(res.message, "Reverb's answer could not be read (invalid JSON)");
    rv_api_result_clear(&res);
    /* complete HTTP, JSON cut short */
    assert_int_equal(one(RV_POOL, rhalf, "GET", "x", NULL, &res, NULL), RV_API_NETWORK);
    assert_non_null(strstr(res.message, "truncated"));
    rv_api_result_clear(&res);
}

static void test_timeout(void **state)
{
    static const mh_resp_t r[] = { { 200, NULL, "{}", 0, 2500, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 1);
    rv_api_t *a;
    rv_api_result_t res;
    assert_non_null(s);
    a = api_for(RV_POOL, s, 1);
    assert_int_equal(rv_api_request(a, RV_POOL, "POST", "listings", NULL, &res), RV_API_TIMEOUT);
    assert_string_equal(res.message, "Reverb did not answer within 1 s");
    assert_int_equal(res.http_status, 0);
    assert_true(res.elapsed_s >= 0.9 && res.elapsed_s < 2.4);
    assert_true(rv_api_retryable(res.kind));
    assert_clean(&res);
    rv_api_result_clear(&res);
    mh_stop(s);
}

static void test_slow_trickle(void **state)
{
    static const mh_resp_t r[] = { { 200, NULL, "{\"a\":\"0123456789\"}", 0, 0, 300, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 1);
    rv_api_t *a;
    rv_api_result_t res;
    assert_non_null(s);
    a = api_for(RV_POOL, s, 1);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", "x", NULL, &res), RV_API_TIMEOUT);
    assert_int_equal(res.http_status, 200);   /* the status line did arrive */
    assert_null(res.json);
    assert_true(res.elapsed_s < 3.0);
    rv_api_result_clear(&res);
    mh_stop(s);
}

static void test_oversized_body(void **state)
{
    size_t n = RV_API_MAX_RESPONSE + 1024, i;
    char *big = malloc(n);
    mh_resp_t r[1];
    rv_api_result_t res;
    assert_non_null(big);
    big[0] = '"';
    for (i = 1; i < n - 1; i++)
        big[i] = 'x';
    big[n - 1] = '"';
    memset(r, 0, sizeof(r));
    r[0].status = 200;
    r[0].body = big;
    r[0].body_len = n;

    /* Content-Length announces it */
    assert_int_equal(one(RV_POOL, r, "GET", "x", NULL, &res, NULL), RV_API_NETWORK);
    assert_non_null(strstr(res.message, "response too large"));
    assert_null(res.json);
    rv_api_result_clear(&res);
    /* no length: stopped while reading */
    r[0].no_length = 1;
    assert_int_equal(one(RV_POOL, r, "GET", "x", NULL, &res, NULL), RV_API_NETWORK);
    assert_non_null(strstr(res.message, "response too large"));
    rv_api_result_clear(&res);
    /* just under the cap is fine */
    r[0].body_len = RV_API_MAX_RESPONSE;
    big[RV_API_MAX_RESPONSE - 1] = '"';
    r[0].no_length = 0;
    assert_int_equal(one(RV_POOL, r, "GET", "x", NULL, &res, NULL), RV_API_OK);
    assert_true(json_object_is_type(res.json, json_type_string));
    assert_int_equal(json_object_get_string_len(res.json), RV_API_MAX_RESPONSE - 2);
    rv_api_result_clear(&res);
    free(big);
}

static void test_connection_refused(void **state)
{
    int port = mh_closed_port();
    rv_api_t *a;
    rv_api_result_t res;
    assert_true(port > 0);
    a = rv_api_create(RV_POOL, apr_psprintf(RV_POOL, "http://127.0.0.1:%d/api/", port), TOKEN, 2);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", "my/account", NULL, &res), RV_API_NETWORK);
    assert_string_equal(res.message, "Could not reach Reverb (connection refused)");
    assert_int_equal(res.http_status, 0);
    assert_clean(&res);
    rv_api_result_clear(&res);
}

/* A listener whose accept queue is full: connects hang (Linux drops SYNs). */
static void test_connect_timeout(void **state)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int l = socket(AF_INET, SOCK_STREAM, 0), c[4], i;
    rv_api_t *a;
    rv_api_result_t res;
    assert_true(l >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(l, 0), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &sl), 0);
    for (i = 0; i < 4; i++) {
        c[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assert_true(c[i] >= 0);
        (void)!connect(c[i], (struct sockaddr *)&sa, sizeof(sa));
    }
    usleep(100000);
    a = rv_api_create(RV_POOL, apr_psprintf(RV_POOL, "http://127.0.0.1:%d/api/", ntohs(sa.sin_port)),
                      TOKEN, 1);
    /* never connected, so nothing was sent: a network fault, not a timeout */
    assert_int_equal(rv_api_request(a, RV_POOL, "POST", "listings", NULL, &res), RV_API_NETWORK);
    assert_string_equal(res.message, "Could not reach Reverb (no connection within 1 s)");
    assert_true(res.elapsed_s < 2.5);
    rv_api_result_clear(&res);
    for (i = 0; i < 4; i++)
        close(c[i]);
    close(l);
}

/* ---- connection reuse, URLs ---- */

static void test_keep_alive(void **state)
{
    static const mh_resp_t r[] = { { 200, NULL, "{\"n\":1}", 0, 0, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 1);
    rv_api_t *a;
    rv_api_result_t res;
    int i;
    assert_non_null(s);
    a = api_for(RV_POOL, s, 5);
    static const char *const methods[] = { "GET", "PUT", "POST", "GET" };
    for (i = 0; i < 4; i++) {
        assert_int_equal(rv_api_request(a, RV_POOL, methods[i], "my/listings",
                                        NULL, &res), RV_API_OK);
        rv_api_result_clear(&res);
    }
    assert_int_equal(mh_requests(s), 4);
    /* GET and PUT share one connection; a POST always has one of its own */
    assert_int_equal(mh_connections(s), 2);
    mh_stop(s);
}

/* A reused keep-alive connection that dies before any byte of the answer:
 * libcurl would re-send the request by itself on a new connection, so a
 * create could be made twice. A POST never goes out on a reused
 * connection; its lost answer is a failure of unknown outcome. */
static void test_post_never_resent(void **state)
{
    static const mh_resp_t r[] = {
        { 200, NULL, "{}", 0, 0, 0, 0, 0, 0 },
        { 0, NULL, NULL, 0, 0, 0, 0, 0, 0 },               /* the effect, then silence */
        { 201, NULL, "{\"listing\":{\"id\":2}}", 0, 0, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 3);
    rv_api_t *a;
    rv_api_result_t res;
    assert_non_null(s);
    a = api_for(RV_POOL, s, 5);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", "my/listings", NULL, &res), RV_API_OK);
    rv_api_result_clear(&res);
    assert_int_equal(rv_api_request(a, RV_POOL, "POST", "listings", NULL, &res), RV_API_NETWORK);
    rv_api_result_clear(&res);
    assert_int_equal(mh_requests(s), 2);       /* sent once, not re-sent */
    mh_stop(s);
}

static void test_reconnect_after_close(void **state)
{
    static const mh_resp_t r[] = {
        { 200, NULL, "{}", 0, 0, 0, 0, 0, 1 },
        { 0, NULL, NULL, 0, 0, 0, 0, 0, 0 },
        { 200, NULL, "{}", 0, 0, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 3);
    rv_api_t *a;
    rv_api_result_t res;
    assert_non_null(s);
    a = api_for(RV_POOL, s, 5);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", "a", NULL, &res), RV_API_OK);
    rv_api_result_clear(&res);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", "b", NULL, &res), RV_API_NETWORK);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", "c", NULL, &res), RV_API_OK);
    assert_int_equal(mh_requests(s), 3);
    assert_int_equal(mh_connections(s), 3);
    rv_api_result_clear(&res);
    mh_stop(s);
}

static void test_absolute_href_same_origin(void **state)
{
    static const mh_resp_t r[] = { { 200, NULL, "{\"listings\":[]}", 0, 0, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 1);
    rv_api_t *a;
    rv_api_result_t res;
    char v[512];
    assert_non_null(s);
    a = api_for(RV_POOL, s, 5);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET",
        apr_psprintf(RV_POOL, "http://127.0.0.1:%d/api/my/listings?page=2&per_page=50", s->port),
        NULL, &res), RV_API_OK);
    mh_last_request_line(s, v, sizeof(v));
    assert_string_equal(v, "GET /api/my/listings?page=2&per_page=50 HTTP/1.1");
    assert_true(mh_last_header(s, "Authorization", v, sizeof(v)));
    rv_api_result_clear(&res);
    /* scheme and host compare without regard to case */
    assert_int_equal(rv_api_request(a, RV_POOL, "GET",
        apr_psprintf(RV_POOL, "HTTP://127.0.0.1:%d/api/my/listings?page=3", s->port),
        NULL, &res), RV_API_OK);
    rv_api_result_clear(&res);
    assert_int_equal(mh_requests(s), 2);
    mh_stop(s);
}

static void test_absolute_href_other_origin_refused(void **state)
{
    static const mh_resp_t r[] = { { 200, NULL, "{}", 0, 0, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 1), *other = mh_start(r, 1);
    rv_api_t *a;
    rv_api_result_t res;
    const char *bad[7];
    size_t i;
    assert_non_null(s);
    assert_non_null(other);
    a = api_for(RV_POOL, s, 5);
    bad[0] = apr_psprintf(RV_POOL, "http://127.0.0.1:%d/api/my/listings?page=2", other->port);
    bad[1] = apr_psprintf(RV_POOL, "http://localhost:%d/api/x", s->port);
    bad[2] = apr_psprintf(RV_POOL, "https://127.0.0.1:%d/api/x", s->port);
    bad[3] = apr_psprintf(RV_POOL, "http://127.0.0.1:%d@127.0.0.1:%d/api/x", s->port, other->port);
    bad[4] = apr_psprintf(RV_POOL, "http://user:pw@127.0.0.1:%d/api/x", s->port);
    bad[5] = apr_psprintf(RV_POOL, "ftp://127.0.0.1:%d/api/x", s->port);
    bad[6] = apr_psprintf(RV_POOL, "http://127.0.0.1/api/x");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(rv_api_request(a, RV_POOL, "GET", bad[i], NULL, &res), RV_API_CLIENT_ERROR);
        assert_int_equal(res.http_status, 0);
        assert_null(res.json);
        assert_non_null(res.message);
        assert_clean(&res);
    }
    assert_int_equal(mh_requests(s), 0);
    assert_int_equal(mh_requests(other), 0);
    assert_int_equal(mh_connections(other), 0);
    mh_stop(s);
    mh_stop(other);
}

static void test_refused_without_request(void **state)
{
    static const mh_resp_t r[] = { { 200, NULL, "{}", 0, 0, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 1);
    rv_api_t *a, *bad_base, *bad_token;
    rv_api_result_t res;
    assert_non_null(s);
    a = api_for(RV_POOL, s, 5);
    assert_int_equal(rv_api_request(a, RV_POOL, "PATCH", "x", NULL, &res), RV_API_CLIENT_ERROR);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", "my listings", NULL, &res), RV_API_CLIENT_ERROR);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", "x\r\nX-Evil: 1", NULL, &res), RV_API_CLIENT_ERROR);
    assert_int_equal(rv_api_request(NULL, RV_POOL, "GET", "x", NULL, &res), RV_API_CLIENT_ERROR);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", NULL, NULL, &res), RV_API_CLIENT_ERROR);

    bad_base = rv_api_create(RV_POOL, "ftp://127.0.0.1/api/", TOKEN, 5);
    assert_non_null(bad_base);
    assert_int_equal(rv_api_request(bad_base, RV_POOL, "GET", "x", NULL, &res), RV_API_CLIENT_ERROR);
    assert_non_null(strstr(res.message, "API URL"));

    bad_token = rv_api_create(RV_POOL, apr_psprintf(RV_POOL, "http://127.0.0.1:%d/api", s->port),
                              "abc\r\nX-Evil: 1", 5);
    assert_int_equal(rv_api_request(bad_token, RV_POOL, "GET", "x", NULL, &res), RV_API_UNAUTHORIZED);
    bad_token = rv_api_create(RV_POOL, apr_psprintf(RV_POOL, "http://127.0.0.1:%d/api", s->port), "", 5);
    assert_int_equal(rv_api_request(bad_token, RV_POOL, "GET", "x", NULL, &res), RV_API_UNAUTHORIZED);
    assert_null(rv_api_create(RV_POOL, NULL, TOKEN, 5));
    assert_null(rv_api_create(RV_POOL, "https://api.reverb.com/api/", NULL, 5));

    assert_int_equal(mh_requests(s), 0);
    assert_int_equal(mh_connections(s), 0);
    mh_stop(s);
}

/* ---- the token never leaks ---- */

static void test_token_scrubbed(void **state)
{
    static const mh_resp_t r[] = {
        { 401, NULL,
          "{\"message\":\"Token " TOKEN " is not valid\","
          "\"errors\":{\"token\":[\"" TOKEN " revoked\"]}}", 0, 0, 0, 0, 0, 0 } };
    rv_api_result_t res;
    assert_int_equal(one(RV_POOL, r, "GET", "my/account", NULL, &res, NULL), RV_API_UNAUTHORIZED);
    assert_string_equal(res.message, "Token \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2 is not valid");
    assert_non_null(strstr(res.errors_json, "revoked"));
    assert_null(strstr(res.errors_json, TOKEN));
    rv_api_result_clear(&res);
}

static void test_long_message_capped(void **state)
{
    size_t n = 10000, i;
    char *body = malloc(n + 32);
    mh_resp_t r[1];
    rv_api_result_t res;
    assert_non_null(body);
    strcpy(body, "{\"message\":\"");
    for (i = 0; i < n; i++)
        body[12 + i] = (i % 2) ? '\xa9' : '\xc2';   /* "©" repeated */
    strcpy(body + 12 + n, "\"}");
    memset(r, 0, sizeof(r));
    r[0].status = 412;
    r[0].body = body;
    assert_int_equal(one(RV_POOL, r, "POST", "listings", NULL, &res, NULL), RV_API_INVALID);
    assert_true(strlen(res.message) <= 2048 + 3);
    assert_string_equal(res.message + strlen(res.message) - 5, "\xc2\xa9\xe2\x80\xa6");
    rv_api_result_clear(&res);
    free(body);
}

/* ---- lifetime ---- */

static void test_destroy_explicit(void **state)
{
    static const mh_resp_t r[] = { { 200, NULL, "{}", 0, 0, 0, 0, 0, 0 } };
    mh_server_t *s = mh_start(r, 1);
    apr_pool_t *sub;
    rv_api_t *a;
    rv_api_result_t res;
    assert_non_null(s);
    assert_int_equal(apr_pool_create(&sub, RV_POOL), APR_SUCCESS);
    a = api_for(sub, s, 5);
    assert_int_equal(rv_api_request(a, RV_POOL, "GET", "x", NULL, &res), RV_API_OK);
    rv_api_result_clear(&res);
    rv_api_destroy(a);        /* then the pool cleanup must not run it again */
    rv_api_destroy(NULL);
    rv_api_result_clear(NULL);
    apr_pool_destroy(sub);
    /* a handle left to its pool is cleaned up there (valgrind checks) */
    a = api_for(RV_POOL, s, 5);
    rv_api_set_ca_file(a, "/nonexistent/ca.pem");   /* irrelevant for http:// */
    rv_api_set_ca_file(a, NULL);
    rv_api_set_user_agent(a, NULL);
    assert_int_equal(rv_api_request(a, NULL, "GET", "x", NULL, &res), RV_API_OK);
    rv_api_result_clear(&res);
    mh_stop(s);
}

/* ---- pure functions ---- */

static void test_mask_token(void **state)
{
    assert_string_equal(rv_mask_token(RV_POOL, "0123456789abcd"), "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2" "abcd");
    assert_string_equal(rv_mask_token(RV_POOL, "12345678"), "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2" "5678");
    assert_string_equal(rv_mask_token(RV_POOL, "short"), "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2");
    assert_string_equal(rv_mask_token(RV_POOL, ""), "");
    assert_string_equal(rv_mask_token(RV_POOL, NULL), "");
    assert_null(strstr(rv_mask_token(RV_POOL, TOKEN), "0123"));
}

static void test_url_escape(void **state)
{
    assert_string_equal(rv_url_escape(RV_POOL, "a+b c/\xc3\xa9"), "a%2Bb%20c%2F%C3%A9");
    assert_string_equal(rv_url_escape(RV_POOL, "2024-05-01T10:00:00+10:00"),
                        "2024-05-01T10%3A00%3A00%2B10%3A00");
    assert_string_equal(rv_url_escape(RV_POOL, "AZaz09-._~"), "AZaz09-._~");
    assert_string_equal(rv_url_escape(RV_POOL, "&=?#%"), "%26%3D%3F%23%25");
    assert_string_equal(rv_url_escape(RV_POOL, ""), "");
    assert_string_equal(rv_url_escape(RV_POOL, NULL), "");
}

static void test_backoff(void **state)
{
    unsigned int seed = 12345, seed2 = 12345;
    double prev_mean = -1;
    int n, i;
    (void)state;
    for (n = 1; n <= 12; n++) {
        long long bound = 1000LL << (n - 1), sum = 0;
        int max = 0;
        if (bound > 60000)
            bound = 60000;
        for (i = 0; i < 2000; i++) {
            int v = rv_api_backoff_ms(n, 1000, 60000, &seed);
            assert_in_range(v, 0, bound);
            sum += v;
            if (v > max)
                max = v;
        }
        /* full jitter: the mean is about half the bound and grows until the cap */
        assert_true((double)sum / 2000 > bound * 0.4 && (double)sum / 2000 < bound * 0.6);
        assert_true(max > bound * 0.9);
        if (bound < 60000)
            assert_true((double)sum / 2000 > prev_mean);
        prev_mean = (double)sum / 2000;
    }
    /* deterministic for a given seed */
    seed = 7;
    seed2 = 7;
    for (i = 0; i < 50; i++)
        assert_int_equal(rv_api_backoff_ms(5, 200, 2000, &seed), rv_api_backoff_ms(5, 200, 2000, &seed2));
    /* odd inputs */
    for (i = 0; i < 200; i++) {
        assert_in_range(rv_api_backoff_ms(1000000, 1000, 60000, NULL), 0, 60000);
        assert_in_range(rv_api_backoff_ms(INT32_MAX, INT32_MAX, INT32_MAX, &seed), 0, INT32_MAX);
        assert_in_range(rv_api_backoff_ms(0, 500, 2000, &seed), 0, 500);
        assert_in_range(rv_api_backoff_ms(-3, 500, 2000, &seed), 0, 500);
        assert_in_range(rv_api_backoff_ms(3, 5000, 2000, &seed), 0, 2000);
    }
    assert_int_equal(rv_api_backoff_ms(3, 0, 2000, &seed), 0);
    assert_int_equal(rv_api_backoff_ms(3, 100, 0, &seed), 0);
    assert_int_equal(rv_api_backoff_ms(3, 100, -5, NULL), 0);
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(rv_api_kind_name(RV_API_OK), "ok");
    assert_string_equal(rv_api_kind_name(RV_API_INVALID), "invalid");
    assert_string_equal(rv_api_kind_name(RV_API_NOT_FOUND), "not_found");
    assert_string_equal(rv_api_kind_name(RV_API_UNAUTHORIZED), "unauthorized");
    assert_string_equal(rv_api_kind_name(RV_API_RATE_LIMITED), "rate_limited");
    assert_string_equal(rv_api_kind_name(RV_API_CLIENT_ERROR), "client_error");
    assert_string_equal(rv_api_kind_name(RV_API_SERVER_ERROR), "server_error");
    assert_string_equal(rv_api_kind_name(RV_API_NETWORK), "network");
    assert_string_equal(rv_api_kind_name(RV_API_TIMEOUT), "timeout");
    assert_string_equal(rv_api_kind_name((rv_api_kind_t)99), "unknown");
    assert_false(rv_api_retryable(RV_API_OK));
    assert_false(rv_api_retryable(RV_API_INVALID));
    assert_false(rv_api_retryable(RV_API_NOT_FOUND));
    assert_false(rv_api_retryable(RV_API_UNAUTHORIZED));
    assert_false(rv_api_retryable(RV_API_CLIENT_ERROR));
    assert_true(rv_api_retryable(RV_API_RATE_LIMITED));
    assert_true(rv_api_retryable(RV_API_SERVER_ERROR));
    assert_true(rv_api_retryable(RV_API_NETWORK));
    assert_true(rv_api_retryable(RV_API_TIMEOUT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        RV_TEST(test_get_headers_and_json),
        RV_TEST(test_post_json_body_201),
        RV_TEST(test_put_and_delete),
        RV_TEST(test_412_validation),
        RV_TEST(test_422_and_null_errors),
        RV_TEST(test_404_401_403_400),
        RV_TEST(test_429_retry_after),
        RV_TEST(test_5xx),
        RV_TEST(test_dropped_connection),
        RV_TEST(test_truncated_and_bad_bodies),
        RV_TEST(test_timeout),
        RV_TEST(test_slow_trickle),
        RV_TEST(test_oversized_body),
        RV_TEST(test_connection_refused),
        RV_TEST(test_connect_timeout),
        RV_TEST(test_keep_alive),
        RV_TEST(test_post_never_resent),
        RV_TEST(test_reconnect_after_close),
        RV_TEST(test_absolute_href_same_origin),
        RV_TEST(test_absolute_href_other_origin_refused),
        RV_TEST(test_refused_without_request),
        RV_TEST(test_token_scrubbed),
        RV_TEST(test_long_message_capped),
        RV_TEST(test_destroy_explicit),
        RV_TEST(test_mask_token),
        RV_TEST(test_url_escape),
        RV_TEST(test_backoff),
        RV_TEST(test_kind_names),
    };
    int failed;
    setvbuf(stdout, NULL, _IOLBF, 0);
    apr_initialize();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    failed = cmocka_run_group_tests_name("rv_api", tests, NULL, NULL);
    curl_global_cleanup();
    apr_terminate();
    return failed ? 1 : 0;
}
