/* rv_api.c: see rv_api.h. */
#include "rv_api.h"
#include "rv_json.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_crypto.h>
#include <apr_date.h>
#include <apr_strings.h>
#include <apr_time.h>
#include <curl/curl.h>

#define RV_API_MAX_MESSAGE 2048          /* bytes of Reverb's message kept */
#define RV_API_MAX_RETRY_AFTER 86400     /* seconds */
#define RV_BULLETS "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"   /* "••••" */

struct rv_api_t {
    apr_pool_t *pool;
    CURL *curl;              /* created on the first request */
    char *base;              /* always ends with '/' */
    char *origin;            /* "scheme://host:port" of base, NULL when base is unusable */
    char *token;
    char *auth;              /* "Authorization: Bearer <token>" */
    const char *ua;
    const char *ca_file;     /* NULL: system default */
    int timeout_s;
};

/* Response body, grown with realloc and freed after parsing. */
typedef struct {
    char *buf;
    size_t len, cap;
    int too_large, no_memory;
} rv_body_t;

/* Headers of the final response (interim 1xx headers are forgotten). */
typedef struct {
    char retry_after[64];
} rv_heads_t;

/* ---- small helpers ---- */

/* apr_crypto_memzero is a zeroing the compiler may not drop as a dead store. */
static void rv_wipe(char *s)
{
    if (s)
        apr_crypto_memzero(s, strlen(s));
}

/* Replaces every occurrence of the token by bullets. */
static const char *rv_scrub(apr_pool_t *p, const char *s, const char *token)
{
    size_t tlen = token ? strlen(token) : 0;
    const char *hit;
    char *out;
    if (!s || !tlen || !(hit = strstr(s, token)))
        return s;
    out = "";
    while (hit) {
        out = apr_pstrcat(p, out, apr_pstrmemdup(p, s, (apr_size_t)(hit - s)), RV_BULLETS, NULL);
        s = hit + tlen;
        hit = strstr(s, token);
    }
    return apr_pstrcat(p, out, s, NULL);
}

/* At most RV_API_MAX_MESSAGE bytes, cut on a UTF-8 character boundary. */
static const char *rv_cap_message(apr_pool_t *p, const char *s)
{
    size_t n;
    if (!s || strlen(s) <= RV_API_MAX_MESSAGE)
        return s;
    n = RV_API_MAX_MESSAGE;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return apr_pstrcat(p, apr_pstrmemdup(p, s, n), "\xe2\x80\xa6", NULL);
}

static int rv_is_absolute(const char *path)
{
    const char *c = path;
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
        return 0;
    while ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
           || *c == '+' || *c == '-' || *c == '.')
        c++;
    return c[0] == ':' && c[1] == '/' && c[2] == '/';
}

static int rv_sendable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
            return 0;
    return 1;
}

/* "scheme://host:port" (lower case, default port filled in) of an http or
 * https URL without user info; NULL otherwise. */
static char *rv_origin(apr_pool_t *p, const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *out = NULL;
    if (!u)
        return NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK
        && curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK
        && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK
        && curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK
        && curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_NO_USER
        && (!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https")) && *host) {
        char *c;
        out = apr_pstrcat(p, scheme, "://", host, ":", port, NULL);
        for (c = out; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(user);
    curl_url_cleanup(u);
    return out;
}

/* ---- create / destroy ---- */

static apr_status_t rv_api_cleanup(void *data)
{
    rv_api_t *a = data;
    if (a->curl) {
        curl_easy_cleanup(a->curl);
        a->curl = NULL;
    }
    rv_wipe(a->token);
    rv_wipe(a->auth);
    return APR_SUCCESS;
}

rv_api_t *rv_api_create(apr_pool_t *p, const char *base_url, const char *token, int timeout_s)
{
    rv_api_t *a;
    size_t n;
    if (!p || !base_url || !token)
        return NULL;
    a = apr_pcalloc(p, sizeof(*a));
    a->pool = p;
    n = strlen(base_url);
    a->base = (n && base_url[n - 1] == '/') ? apr_pstrdup(p, base_url)
                                            : apr_pstrcat(p, base_url, "/", NULL);
    a->origin = rv_sendable(a->base) && rv_is_absolute(a->base) ? rv_origin(p, a->base) : NULL;
    a->token = apr_pstrdup(p, token);
    a->auth = apr_pstrcat(p, "Authorization: Bearer ", token, NULL);
    a->ua = "mod_reverb/" RV_API_VERSION;
    a->timeout_s = timeout_s > 0 ? timeout_s : RV_API_DEFAULT_TIMEOUT;
    apr_pool_cleanup_register(p, a, rv_api_cleanup, apr_pool_cleanup_null);
    return a;
}

void rv_api_set_user_agent(rv_api_t *a, const char *ua)
{
    if (a)
        a->ua = ua && *ua ? apr_pstrdup(a->pool, ua) : "mod_reverb/" RV_API_VERSION;
}

void rv_api_set_ca_file(rv_api_t *a, const char *path)
{
    if (a)
        a->ca_file = path && *path ? apr_pstrdup(a->pool, path) : NULL;
}

void rv_api_destroy(rv_api_t *a)
{
    if (!a)
        return;
    apr_pool_cleanup_kill(a->pool, a, rv_api_cleanup);
    rv_api_cleanup(a);
}

void rv_api_result_clear(rv_api_result_t *res)
{
    if (res && res->json) {
        json_object_put(res->json);
        res->json = NULL;
    }
}

/* ---- libcurl callbacks ---- */

static size_t rv_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
    rv_body_t *b = ud;
    size_t n = size * nmemb;
    if (n > RV_API_MAX_RESPONSE - b->len) {
        b->too_large = 1;
        return 0;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 16384;
        char *nb;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > RV_API_MAX_RESPONSE + 1)
            cap = RV_API_MAX_RESPONSE + 1;
        if (!(nb = realloc(b->buf, cap))) {
            b->no_memory = 1;
            return 0;
        }
        b->buf = nb;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, ptr, n);
    b->len += n;
    b->buf[b->len] = '\0';
    return n;
}

static size_t rv_header_cb(char *line, size_t size, size_t nitems, void *ud)
{
    rv_heads_t *h = ud;
    size_t n = size * nitems, i;
    static const char name[] = "retry-after:";
    if (n >= 5 && !strncmp(line, "HTTP/", 5)) {
        h->retry_after[0] = '\0';   /* a new response (after a 1xx) */
    }
    else if (n > sizeof(name) - 1 && !strncasecmp(line, name, sizeof(name) - 1)) {
        const char *v = line + sizeof(name) - 1, *end = line + n;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
            end--;
        for (i = 0; v + i < end && i < sizeof(h->retry_after) - 1; i++)
            h->retry_after[i] = v[i];
        h->retry_after[i] = '\0';
    }
    return n;
}

/* Seconds from a Retry-After value (delta-seconds or HTTP-date), clamped
 * to 0..RV_API_MAX_RETRY_AFTER; -1 when absent or unreadable. */
static int rv_retry_after(const char *v)
{
    const char *c;
    if (!*v)
        return -1;
    for (c = v; *c >= '0' && *c <= '9'; c++)
        ;
    if (!*c) {
        long long s = 0;
        for (c = v; *c && s <= RV_API_MAX_RETRY_AFTER; c++)
            s = s * 10 + (*c - '0');
        return s > RV_API_MAX_RETRY_AFTER ? RV_API_MAX_RETRY_AFTER : (int)s;
    }
    else {
        apr_time_t t = apr_date_parse_http(v), now = apr_time_now();
        apr_time_t d;
        if (t == APR_DATE_BAD)
            return -1;
        if (t <= now)
            return 0;
        d = (t - now + APR_USEC_PER_SEC - 1) / APR_USEC_PER_SEC;
        return d > RV_API_MAX_RETRY_AFTER ? RV_API_MAX_RETRY_AFTER : (int)d;
    }
}

/* ---- classification ---- */

static rv_api_kind_t rv_kind_of_status(long status)
{
    if (status >= 200 && status < 300)
        return RV_API_OK;
    if (status == 412 || status == 422)
        return RV_API_INVALID;
    if (status == 404)
        return RV_API_NOT_FOUND;
    if (status == 401 || status == 403)
        return RV_API_UNAUTHORIZED;
    if (status == 429)
        return RV_API_RATE_LIMITED;
    if (status >= 500 && status < 600)
        return RV_API_SERVER_ERROR;
    return RV_API_CLIENT_ERROR;   /* other 4xx, 1xx/3xx (no redirects are followed) */
}

static rv_api_kind_t rv_fail(rv_api_result_t *res, rv_api_kind_t kind, const char *message)
{
    res->kind = kind;
    res->message = message;
    return kind;
}

/* The failures whose words need nothing but the code (NULL for the rest). */
static const char *rv_curl_plain_message(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return "Could not reach Reverb (host name not found)";
    case CURLE_COULDNT_RESOLVE_PROXY:
        return "Could not reach Reverb (proxy host name not found)";
    case CURLE_PEER_FAILED_VERIFICATION:
        return "Could not reach Reverb securely (its TLS certificate could not be verified)";
    case CURLE_SSL_CACERT_BADFILE:
        return "Could not reach Reverb securely (the CA certificate file could not be read)";
    case CURLE_SSL_CONNECT_ERROR:
        return "Could not reach Reverb securely (TLS handshake failed)";
    case CURLE_GOT_NOTHING:
        return "Reverb closed the connection without answering";
    case CURLE_SEND_ERROR:
        return "The connection to Reverb was lost while sending the request";
    case CURLE_RECV_ERROR:
        return "The connection to Reverb was reset while reading the answer";
    case CURLE_PARTIAL_FILE:
        return "Reverb's answer was cut off (the connection closed early)";
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_BAD_CONTENT_ENCODING:
        return "Reverb's answer could not be read (not valid HTTP)";
    case CURLE_OUT_OF_MEMORY:
        return "Out of memory while talking to Reverb";
    default:
        return NULL;
    }
}

/* A failed transfer (no complete response) in plain words. */
static rv_api_kind_t rv_curl_failure(rv_api_t *a, apr_pool_t *p, CURLcode rc,
                                     const rv_body_t *body, rv_api_result_t *res)
{
    long os_errno = 0, request_size = 0;
    const char *why = rv_curl_plain_message(rc);

    if (body->too_large || rc == CURLE_FILESIZE_EXCEEDED)
        return rv_fail(res, RV_API_NETWORK,
                       "Reverb sent a response too large to accept (over 8 MiB)");
    if (why)
        return rv_fail(res, RV_API_NETWORK, why);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        curl_easy_getinfo(a->curl, CURLINFO_REQUEST_SIZE, &request_size);
        if (request_size > 0)
            return rv_fail(res, RV_API_TIMEOUT,
                           apr_psprintf(p, "Reverb did not answer within %d s", a->timeout_s));
        return rv_fail(res, RV_API_NETWORK, apr_psprintf(p,
            "Could not reach Reverb (no connection within %d s)",
            a->timeout_s < RV_API_CONNECT_TIMEOUT ? a->timeout_s : RV_API_CONNECT_TIMEOUT));
    case CURLE_COULDNT_CONNECT:
        curl_easy_getinfo(a->curl, CURLINFO_OS_ERRNO, &os_errno);
        why = os_errno == ECONNREFUSED ? "connection refused"
            : os_errno == ENETUNREACH ? "network unreachable"
            : os_errno == EHOSTUNREACH ? "host unreachable"
            : "connection failed";
        return rv_fail(res, RV_API_NETWORK, apr_pstrcat(p, "Could not reach Reverb (", why, ")", NULL));
    case CURLE_WRITE_ERROR:
        return rv_fail(res, RV_API_NETWORK, body->no_memory
                       ? "Out of memory while reading Reverb's answer"
                       : "Reverb's answer could not be stored");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return rv_fail(res, RV_API_CLIENT_ERROR,
                       "The Reverb API URL is not valid (it must start with https://)");
    default:
        return rv_fail(res, RV_API_NETWORK,
                       apr_pstrcat(p, "Could not reach Reverb (", curl_easy_strerror(rc), ")", NULL));
    }
}

/* A complete response: status, JSON body, Reverb's message and errors. */
static rv_api_kind_t rv_response(apr_pool_t *p, long status, const rv_body_t *body,
                                 const rv_heads_t *heads, rv_api_result_t *res)
{
    const char *perr = NULL, *msg = NULL;
    json_object *errors = NULL;
    int has_body = 0;
    size_t i;

    for (i = 0; i < body->len && !has_body; i++)
        has_body = !(body->buf[i] == ' ' || body->buf[i] == '\t' || body->buf[i] == '\r'
                     || body->buf[i] == '\n');
    if (has_body)
        res->json = rv_json_parse(body->buf, body->len, &perr);
    res->kind = rv_kind_of_status(status);
    res->retry_after_s = rv_retry_after(heads->retry_after);
    if (res->kind == RV_API_RATE_LIMITED && res->retry_after_s < 0)
        res->retry_after_s = RV_API_DEFAULT_RETRY_AFTER;

    if (json_object_is_type(res->json, json_type_object)) {
        msg = rv_json_str(res->json, "message");
        if (!msg || !*msg)
            msg = rv_json_str(res->json, "error");
        if (!msg || !*msg)
            msg = NULL;
        if (json_object_object_get_ex(res->json, "errors", &errors)
            && !json_object_is_type(errors, json_type_null))
            res->errors_json = rv_json_dump(p, errors);
    }
    if (res->kind == RV_API_OK) {
        if (has_body && !res->json)
            return rv_fail(res, RV_API_NETWORK,
                           apr_pstrcat(p, "Reverb's answer could not be read (", perr, ")", NULL));
        res->message = msg ? apr_pstrdup(p, msg) : NULL;
        return res->kind;
    }
    res->message = msg ? apr_pstrdup(p, msg) : apr_psprintf(p, "Reverb answered HTTP %ld", status);
    return res->kind;
}

/* ---- the request ---- */

static const char *rv_build_url(rv_api_t *a, apr_pool_t *p, const char *path, const char **err)
{
    const char *url, *o;
    if (!a->origin) {
        *err = "The Reverb API URL is not valid (it must start with https://)";
        return NULL;
    }
    if (!rv_sendable(path)) {
        *err = "The request path contains spaces or control characters";
        return NULL;
    }
    if (rv_is_absolute(path)) {
        o = rv_origin(p, path);
        if (!o || strcmp(o, a->origin)) {
            *err = "Refused to follow a link to another host than the Reverb API URL";
            return NULL;
        }
        return path;
    }
    url = apr_pstrcat(p, a->base, path[0] == '/' ? path + 1 : path, NULL);
    /* belt and braces: the joined URL must still point at the base's origin */
    o = rv_origin(p, url);
    if (!o || strcmp(o, a->origin)) {
        *err = "The request path is not valid";
        return NULL;
    }
    return url;
}

#define RV_SETOPT(opt, val) \
    do { if (curl_easy_setopt(a->curl, opt, val) != CURLE_OK) setopt_failed = #opt; } while (0)

/* The request refused before anything is set up (arguments, method, token,
 * URL): its kind, or RV_API_OK with *url to send to. */
static rv_api_kind_t rv_request_check(rv_api_t *a, apr_pool_t *p, const char *method,
                                      const char *path, rv_api_result_t *res, const char **url)
{
    const char *err = NULL;
    if (strcmp(method, "GET") && strcmp(method, "POST") && strcmp(method, "PUT")
        && strcmp(method, "DELETE"))
        return rv_fail(res, RV_API_CLIENT_ERROR, "Internal error: unsupported HTTP method");
    if (!*a->token)
        return rv_fail(res, RV_API_UNAUTHORIZED, "No Reverb token is set");
    if (!rv_sendable(a->token))
        return rv_fail(res, RV_API_UNAUTHORIZED,
                       "The Reverb token contains spaces or line breaks; paste it again");
    if (!(*url = rv_build_url(a, p, path, &err)))
        return rv_fail(res, RV_API_CLIENT_ERROR, err);
    return RV_API_OK;
}

/* The transfer's options (URL, TLS, timeouts, limits, callbacks): NULL, or
 * the name of the option libcurl refused. */
static const char *rv_set_transfer(rv_api_t *a, const char *url, rv_body_t *resp,
                                   rv_heads_t *heads)
{
    const char *setopt_failed = NULL;
    long connect_s = a->timeout_s < RV_API_CONNECT_TIMEOUT ? a->timeout_s : RV_API_CONNECT_TIMEOUT;
    RV_SETOPT(CURLOPT_URL, url);
    RV_SETOPT(CURLOPT_NOSIGNAL, 1L);
    RV_SETOPT(CURLOPT_VERBOSE, 0L);
    RV_SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    RV_SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    RV_SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    RV_SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    RV_SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    if (a->ca_file)
        RV_SETOPT(CURLOPT_CAINFO, a->ca_file);
    RV_SETOPT(CURLOPT_CONNECTTIMEOUT, connect_s);
    RV_SETOPT(CURLOPT_TIMEOUT, (long)a->timeout_s);
    RV_SETOPT(CURLOPT_LOW_SPEED_LIMIT, 1L);
    RV_SETOPT(CURLOPT_LOW_SPEED_TIME, (long)a->timeout_s);
    RV_SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    RV_SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)RV_API_MAX_RESPONSE);
    RV_SETOPT(CURLOPT_USERAGENT, a->ua);
    RV_SETOPT(CURLOPT_WRITEFUNCTION, rv_write_cb);
    RV_SETOPT(CURLOPT_WRITEDATA, resp);
    RV_SETOPT(CURLOPT_HEADERFUNCTION, rv_header_cb);
    RV_SETOPT(CURLOPT_HEADERDATA, heads);
    curl_easy_setopt(a->curl, CURLOPT_ACCEPT_ENCODING, "");   /* gzip when built in */
    return setopt_failed;
}

/* The method and its body: NULL, or the option libcurl refused. */
static const char *rv_set_method(rv_api_t *a, const char *method, const char *payload)
{
    const char *setopt_failed = NULL;
    if (!strcmp(method, "GET")) {
        RV_SETOPT(CURLOPT_HTTPGET, 1L);
    }
    else if (!strcmp(method, "POST")) {
        RV_SETOPT(CURLOPT_POST, 1L);
        /* A POST is not idempotent (a create). On a reused keep-alive
         * connection that dies before the first byte of the answer, libcurl
         * silently sends the request again on a new connection ("Connection
         * died, retrying a fresh connect"), although the server may have
         * acted on the first one: a duplicate listing. On a connection of its
         * own that retry never happens (libcurl retries only reused ones), so
         * a lost answer comes back as a failure whose outcome is unknown. */
        RV_SETOPT(CURLOPT_FRESH_CONNECT, 1L);
        RV_SETOPT(CURLOPT_FORBID_REUSE, 1L);
    }
    else {
        RV_SETOPT(CURLOPT_CUSTOMREQUEST, method);
    }
    if (payload || !strcmp(method, "POST") || !strcmp(method, "PUT")) {
        RV_SETOPT(CURLOPT_POSTFIELDS, payload ? payload : "");
        RV_SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(payload ? strlen(payload) : 0));
    }
    return setopt_failed;
}

/* The request headers into *hdrs (freed by the caller, also on failure):
 * 0, or -1 when one could not be added. */
static int rv_request_headers(rv_api_t *a, const char *method, const char *payload,
                              struct curl_slist **hdrs)
{
    struct curl_slist *h;
    *hdrs = curl_slist_append(NULL, a->auth);
    if (*hdrs && (h = curl_slist_append(*hdrs, "Accept-Version: 3.0")))
        h = curl_slist_append(h, "Accept: application/hal+json");
    else
        h = NULL;
    if (h)
        h = curl_slist_append(h, "Accept-Language: en");
    if (h)
        h = curl_slist_append(h, "X-Reverb-App: mod_reverb");
    if (h)
        h = curl_slist_append(h, "Expect:");
    if (h && payload)
        h = curl_slist_append(h, "Content-Type: application/hal+json");
    else if (h && (!strcmp(method, "POST") || !strcmp(method, "PUT")))
        h = curl_slist_append(h, "Content-Type:");   /* no form-encoded default */
    return h ? 0 : -1;
}

/* The transfer itself, and its outcome into res. */
static void rv_perform(rv_api_t *a, apr_pool_t *p, const rv_body_t *resp, const rv_heads_t *heads,
                       rv_api_result_t *res)
{
    long status = 0;
    CURLcode rc = curl_easy_perform(a->curl);
    curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &status);
    res->http_status = status;
    if (rc != CURLE_OK)
        rv_curl_failure(a, p, rc, resp, res);
    else
        rv_response(p, status, resp, heads, res);
}

/* The token never leaves in a message; the message is capped; the time
 * the request took. */
static rv_api_kind_t rv_request_done(rv_api_t *a, apr_pool_t *p, rv_api_result_t *res,
                                     apr_time_t t0)
{
    res->message = rv_cap_message(p, rv_scrub(p, res->message, a->token));
    res->errors_json = rv_scrub(p, res->errors_json, a->token);
    res->elapsed_s = (double)(apr_time_now() - t0) / (double)APR_USEC_PER_SEC;
    return res->kind;
}

rv_api_kind_t rv_api_request(rv_api_t *a, apr_pool_t *p, const char *method, const char *path,
                             json_object *body, rv_api_result_t *res)
{
    apr_time_t t0 = apr_time_now();
    const char *url = NULL, *payload = NULL, *setopt_failed = NULL, *err;
    struct curl_slist *hdrs = NULL;
    rv_body_t resp = { NULL, 0, 0, 0, 0 };
    rv_heads_t heads;

    if (!res)
        return RV_API_CLIENT_ERROR;
    memset(res, 0, sizeof(*res));
    res->retry_after_s = -1;
    if (!a || !method || !path) {
        res->kind = RV_API_CLIENT_ERROR;
        res->message = "Internal error: missing request arguments";
        return res->kind;
    }
    if (!p)
        p = a->pool;
    if (rv_request_check(a, p, method, path, res, &url) != RV_API_OK)
        return res->kind;
    if (body)
        payload = apr_pstrdup(p, json_object_to_json_string_ext(body,
                              JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    if (!a->curl && !(a->curl = curl_easy_init()))
        return rv_fail(res, RV_API_NETWORK, "Could not set up the connection to Reverb (libcurl)");
    curl_easy_reset(a->curl);   /* keeps the live connection for keep-alive */

    memset(&heads, 0, sizeof(heads));
    setopt_failed = rv_set_transfer(a, url, &resp, &heads);
    if ((err = rv_set_method(a, method, payload)))
        setopt_failed = err;    /* the last refused option is named */
    if (rv_request_headers(a, method, payload, &hdrs))
        setopt_failed = "headers";
    else
        RV_SETOPT(CURLOPT_HTTPHEADER, hdrs);

    if (setopt_failed) {
        rv_fail(res, RV_API_CLIENT_ERROR,
                apr_pstrcat(p, "Could not set up the request to Reverb (libcurl: ",
                            setopt_failed, ")", NULL));
    }
    else
        rv_perform(a, p, &resp, &heads, res);
    curl_easy_setopt(a->curl, CURLOPT_HTTPHEADER, NULL);
    if (hdrs)
        rv_wipe(hdrs->data);   /* the Authorization line */
    curl_slist_free_all(hdrs);
    free(resp.buf);

    return rv_request_done(a, p, res, t0);
}

/* ---- small pure functions ---- */

const char *rv_api_kind_name(rv_api_kind_t k)
{
    switch (k) {
    case RV_API_OK:           return "ok";
    case RV_API_INVALID:      return "invalid";
    case RV_API_NOT_FOUND:    return "not_found";
    case RV_API_UNAUTHORIZED: return "unauthorized";
    case RV_API_RATE_LIMITED: return "rate_limited";
    case RV_API_CLIENT_ERROR: return "client_error";
    case RV_API_SERVER_ERROR: return "server_error";
    case RV_API_NETWORK:      return "network";
    case RV_API_TIMEOUT:      return "timeout";
    }
    return "unknown";
}

int rv_api_retryable(rv_api_kind_t k)
{
    return k == RV_API_RATE_LIMITED || k == RV_API_SERVER_ERROR || k == RV_API_NETWORK
           || k == RV_API_TIMEOUT;
}

/* splitmix32-style step: any seed (0 included) gives a well-mixed value. */
static uint32_t rv_rand_next(unsigned int *state)
{
    uint32_t z = (uint32_t)(*state += 0x9E3779B9u);
    z = (z ^ (z >> 16)) * 0x85EBCA6Bu;
    z = (z ^ (z >> 13)) * 0xC2B2AE35u;
    return z ^ (z >> 16);
}

int rv_api_backoff_ms(int attempt, int base_ms, int cap_ms, unsigned int *seed)
{
    long long d;
    unsigned int local;
    int i;
    if (cap_ms <= 0 || base_ms <= 0)
        return 0;
    if (attempt < 1)
        attempt = 1;
    d = base_ms;
    for (i = 1; i < attempt && d < cap_ms; i++)
        d *= 2;
    if (d > cap_ms)
        d = cap_ms;
    if (!seed) {
        local = (unsigned int)apr_time_now() ^ (unsigned int)(uintptr_t)&local;
        seed = &local;
    }
    return (int)(rv_rand_next(seed) % (uint32_t)(d + 1));
}

const char *rv_mask_token(apr_pool_t *p, const char *token)
{
    size_t n = token ? strlen(token) : 0, i;
    if (!n)
        return "";
    if (n < 8)
        return RV_BULLETS;
    for (i = n - 4; i < n; i++)
        if ((unsigned char)token[i] < 0x21 || (unsigned char)token[i] > 0x7e)
            return RV_BULLETS;
    return apr_pstrcat(p, RV_BULLETS, token + n - 4, NULL);
}

char *rv_url_escape(apr_pool_t *p, const char *s)
{
    char *esc, *out;
    if (!s || !*s)
        return apr_pstrdup(p, "");
    /* the handle may be NULL since curl 7.82; NULL back means no memory */
    esc = curl_easy_escape(NULL, s, 0);
    if (!esc)
        abort();
    out = apr_pstrdup(p, esc);
    curl_free(esc);
    return out;
}
