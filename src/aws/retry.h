/*
 * When to retry an API Gateway call, and how long to wait first.
 *
 * The policy (../shared/reference/aws-conventions.md 5.1-5.2,
 * apigateway.md 9.2), decided by one pure function, retry_decide():
 *
 *   throttling   TooManyRequestsException, the standard throttling codes,
 *                and any HTTP 429 except LimitExceededException: retried
 *                up to max_throttle_attempts; a Retry-After header is
 *                honoured (capped at max_retry_after_ms) as a minimum wait.
 *   limit        LimitExceededException: retried only when Retry-After is
 *                present (capped at max_limit_retry_after_ms), never
 *                without - the same code reports exhausted quotas such as
 *                "Maximum number of Resources for this API has been
 *                reached", where retrying loops forever.
 *   conflict     ConflictException or BadRequestException whose message
 *                says "concurrent modification": retried up to
 *                max_attempts.  Every other conflict ("already exists") is
 *                permanent.
 *   transient    HTTP 500/502/503/504, RequestTimeout(Exception),
 *                PriorRequestNotComplete, ServiceUnavailableException, and
 *                network failures flagged retryable (reset, timeout,
 *                refused): retried up to max_attempts.
 *   permanent    everything else (400, 401, 403, 404, other 409s, DNS and
 *                TLS failures): never retried.
 *
 * The wait before attempt n+1, after attempt n failed, is full-jitter
 * exponential backoff
 *     backoff = random(0,1) * min(base_delay_ms * 2^(n-1), max_backoff_ms)
 * truncated to whole milliseconds; with an honoured Retry-After the wait
 * is max(backoff, capped Retry-After).  Randomness is a parameter
 * (retry_random_fn) so tests see exact delays.
 */
#ifndef OAG_AWS_RETRY_H
#define OAG_AWS_RETRY_H

#include <stdbool.h>

/* Returns a number in [0, 1); ctx is the caller's. */
typedef double (*retry_random_fn)(void *ctx);

/* Zero in any field means its default. */
struct retry_policy {
    unsigned max_attempts;          /* transient/conflict, first try
                                       included; 0 = 3 */
    unsigned max_throttle_attempts; /* throttling and limit; 0 = 6 */
    long base_delay_ms;             /* 0 = 1000 */
    long max_backoff_ms;            /* cap of the exponential; 0 = 20000 */
    long max_retry_after_ms;        /* cap of an honoured Retry-After on
                                       throttling; 0 = 20000 */
    long max_limit_retry_after_ms;  /* cap of Retry-After on
                                       LimitExceededException; 0 = 5000 */
};

/* Why a failure is (not) retried. */
enum retry_class {
    RETRY_CLASS_NONE = 0,  /* permanent: not retried */
    RETRY_CLASS_THROTTLE,  /* throttling (429 and throttling codes) */
    RETRY_CLASS_LIMIT,     /* LimitExceededException with Retry-After */
    RETRY_CLASS_CONFLICT,  /* "concurrent modification" */
    RETRY_CLASS_TRANSIENT, /* 5xx, request timeouts, network */
};

/* One failed attempt, as the caller saw it. */
struct retry_input {
    unsigned attempt;       /* 1-based number of the attempt that failed */
    long http_status;       /* 0 = no HTTP response */
    const char *aws_code;   /* "TooManyRequestsException" or NULL */
    const char *message;    /* the error message or NULL */
    long retry_after_ms;    /* Retry-After in ms; -1 = header absent */
    bool network_error;     /* no response arrived */
    bool network_retryable; /* ... and it was a reset/timeout/refusal */
};

struct retry_decision {
    bool retry;             /* true: wait delay_ms, then try again */
    long delay_ms;          /* 0 when !retry */
    enum retry_class class; /* the failure's class, also when !retry
                                because attempts ran out */
};

/* The policy's defaults (3, 6, 1000, 20000, 20000, 5000). */
#define RETRY_POLICY_DEFAULT           \
    {                                  \
        3, 6, 1000, 20000, 20000, 5000 \
    }

/* Copies policy (NULL = all defaults) with every zero replaced by its
 * default into out. */
void retry_policy_resolve(const struct retry_policy *policy,
                          struct retry_policy *out);

/* The class of a failure, attempts aside. */
enum retry_class retry_classify(const struct retry_input *in);

/*
 * Decides whether to retry after in->attempt failed and how long to wait.
 * Pure: calls rnd(random_ctx) at most once, only for a retry; reads
 * nothing else.  policy NULL = defaults.
 */
void retry_decide(const struct retry_policy *policy,
                  const struct retry_input *in, retry_random_fn rnd,
                  void *random_ctx, struct retry_decision *out);

/* random(0,1) * min(base * 2^(attempt-1), cap) in ms, truncated. */
long retry_backoff_ms(const struct retry_policy *policy, unsigned attempt,
                      double random01);

/*
 * Parses a Retry-After value in delay-seconds form ("3", "0", "1.5") into
 * milliseconds.  HTTP-date values and garbage give false.
 */
bool retry_parse_retry_after(const char *value, long *out_ms);

/* True when message contains "concurrent modification" (any case). */
bool retry_is_concurrent_modification(const char *message);

/* Name of a class for traces and tests ("throttle", "none", ...). */
const char *retry_class_name(enum retry_class class);

#endif
