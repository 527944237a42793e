/* rv_retry.c: the retry policy (see rv_retry.h). */
#include "rv_retry.h"

#define RV_RETRY_DEFER_DEFAULT_S 1
#define RV_RETRY_429_DEFAULT_S   30
#define RV_RETRY_JOB_BASE_MS     1000
#define RV_RETRY_JOB_CAP_MS      60000
#define RV_RETRY_CALL_BASE_MS    200
#define RV_RETRY_CALL_CAP_MS     2000

rv_retry_t rv_retry_again(rv_api_kind_t kind, int retry_after_s, long long job_id, int attempts)
{
    rv_retry_t out = { RV_RETRY_NO, 0 };
    unsigned int seed = (unsigned int)(job_id * 7919 + attempts);
    if (attempts >= RV_JOB_MAX_ATTEMPTS)
        return out;
    out.verdict = RV_RETRY_LATER;
    out.delay_ms = kind == RV_API_RATE_LIMITED && retry_after_s > 0
                 ? retry_after_s * 1000
                 : rv_api_backoff_ms(attempts, RV_RETRY_JOB_BASE_MS, RV_RETRY_JOB_CAP_MS, &seed);
    return out;
}

rv_retry_t rv_retry_job(rv_api_kind_t kind, long http_status, int retry_after_s,
                        long long job_id, int attempts)
{
    rv_retry_t out = { RV_RETRY_NO, 0 };
    if (kind == RV_API_RATE_LIMITED && http_status == 0) {
        out.verdict = RV_RETRY_DEFER;
        out.delay_ms = (retry_after_s > 0 ? retry_after_s : RV_RETRY_DEFER_DEFAULT_S) * 1000;
    }
    else if (kind == RV_API_RATE_LIMITED) {
        out.verdict = RV_RETRY_LATER;
        out.delay_ms = (retry_after_s > 0 ? retry_after_s : RV_RETRY_429_DEFAULT_S) * 1000;
    }
    else if (rv_api_retryable(kind))
        out = rv_retry_again(kind, -1, job_id, attempts);
    return out;
}

int rv_retry_inline_ms(rv_api_kind_t kind, int idempotent, int attempt, int max_attempts,
                       unsigned int *seed)
{
    if (kind == RV_API_RATE_LIMITED || !rv_api_retryable(kind) || !idempotent
        || attempt >= max_attempts)
        return -1;
    return rv_api_backoff_ms(attempt, RV_RETRY_CALL_BASE_MS, RV_RETRY_CALL_CAP_MS, seed);
}
