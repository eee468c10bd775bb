/*
 * The retry policy of retry.h: classify a failed attempt, then decide
 * whether and how long to wait.  The throttling and transient code lists
 * are botocore 1.43.11's retries/standard.py (aws-conventions.md 5.1),
 * less LimitExceededException, which API Gateway also uses for exhausted
 * quotas (apigateway.md 9.2) and which gets its own rule here.
 */
#include "aws/retry.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct retry_policy defaults = RETRY_POLICY_DEFAULT;

/* botocore standard.py _THROTTLED_ERROR_CODES minus LimitExceededException */
static const char *const throttle_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

/* botocore standard.py _TRANSIENT_ERROR_CODES, plus API Gateway's 503 */
static const char *const transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "ServiceUnavailableException",
};

static bool in_list(const char *code, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(code, list[i]) == 0) {
            return true;
        }
    }
    return false;
}

void retry_policy_resolve(const struct retry_policy *policy,
                          struct retry_policy *out)
{
    *out = policy ? *policy : defaults;
    if (out->max_attempts == 0) {
        out->max_attempts = defaults.max_attempts;
    }
    if (out->max_throttle_attempts == 0) {
        out->max_throttle_attempts = defaults.max_throttle_attempts;
    }
    if (out->base_delay_ms <= 0) {
        out->base_delay_ms = defaults.base_delay_ms;
    }
    if (out->max_backoff_ms <= 0) {
        out->max_backoff_ms = defaults.max_backoff_ms;
    }
    if (out->max_retry_after_ms <= 0) {
        out->max_retry_after_ms = defaults.max_retry_after_ms;
    }
    if (out->max_limit_retry_after_ms <= 0) {
        out->max_limit_retry_after_ms = defaults.max_limit_retry_after_ms;
    }
}

bool retry_is_concurrent_modification(const char *message)
{
    static const char needle[] = "concurrent modification";
    if (!message) {
        return false;
    }
    size_t n = sizeof(needle) - 1;
    for (const char *p = message; *p; p++) {
        if (strncasecmp(p, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

enum retry_class retry_classify(const struct retry_input *in)
{
    if (in->network_error) {
        return in->network_retryable ? RETRY_CLASS_TRANSIENT : RETRY_CLASS_NONE;
    }
    const char *code = in->aws_code ? in->aws_code : "";
    long status = in->http_status;

    /* apigateway.md 9.2: without Retry-After it is a hard quota */
    if (strcmp(code, "LimitExceededException") == 0) {
        return in->retry_after_ms >= 0 ? RETRY_CLASS_LIMIT : RETRY_CLASS_NONE;
    }
    if (in_list(code, throttle_codes,
                sizeof(throttle_codes) / sizeof(throttle_codes[0]))) {
        return RETRY_CLASS_THROTTLE;
    }
    /* aws-conventions.md 5.2: a 429 is throttling whatever its code */
    if (status == 429) {
        return RETRY_CLASS_THROTTLE;
    }
    /*
     * "Unable to complete operation due to concurrent modification.
     * Please try again later." comes as ConflictException (409) and,
     * historically, as BadRequestException (400); other conflicts such as
     * "already exists" are permanent.
     */
    bool conflictish = strcmp(code, "ConflictException") == 0 ||
                       strcmp(code, "BadRequestException") == 0 ||
                       (code[0] == '\0' && (status == 409 || status == 400));
    if (conflictish && retry_is_concurrent_modification(in->message)) {
        return RETRY_CLASS_CONFLICT;
    }
    if (in_list(code, transient_codes,
                sizeof(transient_codes) / sizeof(transient_codes[0]))) {
        return RETRY_CLASS_TRANSIENT;
    }
    if (status == 500 || status == 502 || status == 503 || status == 504) {
        return RETRY_CLASS_TRANSIENT;
    }
    return RETRY_CLASS_NONE;
}

long retry_backoff_ms(const struct retry_policy *policy, unsigned attempt,
                      double random01)
{
    struct retry_policy p;
    retry_policy_resolve(policy, &p);
    if (attempt == 0) {
        attempt = 1;
    }
    /* min(base * 2^(n-1), cap), computed without overflowing */
    double ceiling = (double)p.base_delay_ms;
    for (unsigned i = 1; i < attempt && ceiling < (double)p.max_backoff_ms;
         i++) {
        ceiling *= 2.0;
    }
    if (ceiling > (double)p.max_backoff_ms) {
        ceiling = (double)p.max_backoff_ms;
    }
    if (!(random01 >= 0.0)) {
        random01 = 0.0; /* also catches NaN */
    }
    if (random01 > 1.0) {
        random01 = 1.0;
    }
    return (long)(random01 * ceiling);
}

static long min_long(long a, long b)
{
    return a < b ? a : b;
}

static long max_long(long a, long b)
{
    return a > b ? a : b;
}

void retry_decide(const struct retry_policy *policy,
                  const struct retry_input *in, retry_random_fn rnd,
                  void *random_ctx, struct retry_decision *out)
{
    struct retry_policy p;
    retry_policy_resolve(policy, &p);

    out->retry = false;
    out->delay_ms = 0;
    out->class = retry_classify(in);
    if (out->class == RETRY_CLASS_NONE) {
        return;
    }
    unsigned limit =
        out->class == RETRY_CLASS_THROTTLE || out->class == RETRY_CLASS_LIMIT
            ? p.max_throttle_attempts
            : p.max_attempts;
    if (in->attempt >= limit) {
        return;
    }
    double r = rnd ? rnd(random_ctx) : 0.5;
    long delay = retry_backoff_ms(&p, in->attempt, r);
    if (out->class == RETRY_CLASS_THROTTLE && in->retry_after_ms >= 0) {
        /* at least what the service asked for, within reason */
        delay =
            max_long(delay, min_long(in->retry_after_ms, p.max_retry_after_ms));
    } else if (out->class == RETRY_CLASS_LIMIT) {
        delay = min_long(max_long(delay, in->retry_after_ms),
                         p.max_limit_retry_after_ms);
    }
    out->retry = true;
    out->delay_ms = delay;
}

bool retry_parse_retry_after(const char *value, long *out_ms)
{
    if (!value) {
        return false;
    }
    while (*value == ' ' || *value == '\t') {
        value++;
    }
    const char *p = value;
    long long ms = 0;
    bool digits = false;
    while (*p >= '0' && *p <= '9') {
        if (ms < 1000000000LL) {
            ms = ms * 10 + (*p - '0');
        }
        digits = true;
        p++;
    }
    ms *= 1000;
    if (*p == '.') {
        p++;
        long long scale = 100;
        while (*p >= '0' && *p <= '9') {
            ms += (*p - '0') * scale;
            scale /= 10;
            digits = true;
            p++;
        }
    }
    while (*p == ' ' || *p == '\t') {
        p++;
    }
    if (!digits || *p != '\0') {
        return false;
    }
    if (ms > 2147483647LL) {
        ms = 2147483647LL;
    }
    *out_ms = (long)ms;
    return true;
}

const char *retry_class_name(enum retry_class class)
{
    switch (class) {
    case RETRY_CLASS_NONE:
        return "none";
    case RETRY_CLASS_THROTTLE:
        return "throttle";
    case RETRY_CLASS_LIMIT:
        return "limit";
    case RETRY_CLASS_CONFLICT:
        return "conflict";
    case RETRY_CLASS_TRANSIENT:
        return "transient";
    }
    return "none";
}
