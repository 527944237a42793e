/* rv_api.h: the Reverb API client (libcurl, json-c, APR pools).
 *
 * One rv_api_t per thread: it owns one CURL easy handle, whose connection
 * cache gives keep-alive reuse between requests. No global state;
 * curl_global_init() is the caller's job (the module's post_config, or a
 * test's main). Every call makes exactly one attempt: retries, backoff and
 * the shared rate limit belong to the caller, which must count every
 * attempt.
 *
 * The token goes out only in the Authorization header, only to the
 * scheme://host:port of the base URL, and never appears in any string
 * this client returns (messages are scrubbed; CURLOPT_VERBOSE stays off).
 */
#ifndef RV_API_H
#define RV_API_H

#include <apr_pools.h>
#include <json-c/json.h>

#define RV_API_VERSION "0.1.0"                         /* default User-Agent: mod_reverb/0.1.0 */
#define RV_API_MAX_RESPONSE (8u * 1024u * 1024u)        /* bytes; larger answers are refused */
#define RV_API_DEFAULT_TIMEOUT 30                       /* seconds, when timeout_s <= 0 */
#define RV_API_CONNECT_TIMEOUT 10                       /* seconds (or the timeout, if lower) */
#define RV_API_DEFAULT_RETRY_AFTER 60                   /* seconds, for a 429 without Retry-After */

typedef enum {
    RV_API_OK = 0,        /* 2xx */
    RV_API_INVALID,       /* 412 or 422: validation; message + errors set */
    RV_API_NOT_FOUND,     /* 404 */
    RV_API_UNAUTHORIZED,  /* 401/403: token wrong or lacks scope */
    RV_API_RATE_LIMITED,  /* 429: retry_after_s set (default 60 if no header) */
    RV_API_CLIENT_ERROR,  /* other 4xx, 3xx (redirects are not followed), bad URL or method */
    RV_API_SERVER_ERROR,  /* 5xx: retryable */
    RV_API_NETWORK,       /* connect failure, reset, dropped connection, bad/truncated body: retryable */
    RV_API_TIMEOUT        /* timed out: retryable, and a POST that timed out may have happened */
} rv_api_kind_t;

typedef struct {
    rv_api_kind_t kind;
    long http_status;          /* 0 if no response */
    json_object *json;         /* parsed body or NULL; owned by the result, freed by rv_api_result_clear.
                                * Kept on error statuses too (a 412/422 may carry listing.id). */
    const char *message;       /* Reverb's "message" or a plain-words description of the failure
                                * (never contains the token); NULL on success without a message */
    const char *errors_json;   /* Reverb's "errors" serialised, or NULL */
    int retry_after_s;         /* from Retry-After (seconds or HTTP-date), -1 if absent;
                                * 60 on a 429 without the header */
    double elapsed_s;
} rv_api_result_t;

typedef struct rv_api_t rv_api_t;

/* base_url like "https://api.reverb.com/api/" (trailing slash optional);
 * token is the personal token; timeout_s <= 0 means 30. The strings are
 * copied. Returns NULL only when base_url or token is NULL; a base URL
 * that is not http(s) makes every request fail with RV_API_CLIENT_ERROR.
 * rv_api_destroy is registered as a cleanup of p. */
rv_api_t *rv_api_create(apr_pool_t *p, const char *base_url, const char *token, int timeout_s);

/* Default "mod_reverb/" RV_API_VERSION. NULL restores the default. */
void rv_api_set_user_agent(rv_api_t *a, const char *ua);

/* PEM bundle used instead of the system's CAs (verification stays on).
 * NULL or "" restores the system default. */
void rv_api_set_ca_file(rv_api_t *a, const char *path);

/* One attempt. method: "GET", "POST", "PUT" or "DELETE". path: relative
 * to the base URL ("my/listings?sku=X&state=all"; a leading '/' is
 * dropped) or an absolute http(s) URL such as _links.next.href, accepted
 * only when its scheme://host:port equals the base URL's (otherwise
 * RV_API_CLIENT_ERROR and nothing is sent). body: sent as JSON when not
 * NULL. res is always fully overwritten (clear a previous result first,
 * or its JSON leaks); message and errors_json live in p (the handle's pool
 * when p is NULL); release the JSON with rv_api_result_clear. Headers sent:
 * Authorization: Bearer, Accept-Version: 3.0, Accept and (with a body)
 * Content-Type application/hal+json, Accept-Language: en,
 * X-Reverb-App: mod_reverb. A POST always goes out on a new connection,
 * closed afterwards: libcurl never re-sends it by itself, and a POST that
 * fails without a complete answer (RV_API_NETWORK, RV_API_TIMEOUT) may or
 * may not have taken effect. Returns res->kind. */
rv_api_kind_t rv_api_request(rv_api_t *a, apr_pool_t *p, const char *method, const char *path,
                             json_object *body, rv_api_result_t *res);

/* json_object_put(res->json); res->json = NULL. The other fields stay
 * readable (they live in the request pool). NULL-safe. */
void rv_api_result_clear(rv_api_result_t *res);

/* Closes the connection and wipes the stored token. Also runs as a pool
 * cleanup; calling it explicitly first is fine. NULL-safe. */
void rv_api_destroy(rv_api_t *a);

/* "ok", "invalid", "not_found", "unauthorized", "rate_limited",
 * "client_error", "server_error", "network", "timeout" ("unknown" else). */
const char *rv_api_kind_name(rv_api_kind_t k);

/* 1 for RV_API_RATE_LIMITED, RV_API_SERVER_ERROR, RV_API_NETWORK, RV_API_TIMEOUT. */
int rv_api_retryable(rv_api_kind_t k);

/* Backoff before attempt n+1 after failed attempt n (1-based): a uniform
 * random value in [0, min(cap, base * 2^(n-1))] ("full jitter"). With a
 * seed the sequence is deterministic (the seed is advanced); with NULL it
 * is seeded from the clock. Never negative, never above cap_ms. */
int rv_api_backoff_ms(int attempt, int base_ms, int cap_ms, unsigned int *seed);

/* "••••abcd": bullets and the last 4 characters only when the token is at
 * least 8 ASCII characters long, otherwise bullets only; "" for NULL/"". */
const char *rv_mask_token(apr_pool_t *p, const char *token);

/* Percent-encodes everything except RFC 3986 unreserved characters
 * (A-Z a-z 0-9 - . _ ~), so '+' becomes %2B and ' ' %20. NULL gives "". */
char *rv_url_escape(apr_pool_t *p, const char *s);

#endif
