/*
 * Client-side pacing: token buckets that keep calls under API Gateway's
 * control-plane quotas (apigateway.md 9.3), so throttling is the exception
 * rather than the rule.
 *
 * A struct pace_limit says "count calls per period_ms, burst at most
 * burst": a bucket holding up to burst tokens, refilled continuously at
 * count tokens per period_ms, one token per call.  The limit whose
 * operation is NULL applies to every call (the account-wide 10/s, burst
 * 40); a named one only to that operation.  A call waits until every
 * bucket that applies holds a token, then takes one from each.
 *
 * Time is a parameter: a clock returning monotonic milliseconds and a
 * sleep function, both given by the caller, so tests are exact.  All
 * arithmetic is in integers (tokens scaled by period_ms), so waits are
 * whole milliseconds with no rounding drift.
 */
#ifndef OAG_AWS_PACE_H
#define OAG_AWS_PACE_H

#include <stddef.h>

struct pace;

/* Monotonic milliseconds; ctx is the caller's. */
typedef long long (*pace_clock_fn)(void *ctx);
/* Sleeps ms milliseconds (ms > 0). */
typedef void (*pace_sleep_fn)(void *ctx, long long ms);

struct pace_limit {
    const char *operation; /* borrowed; NULL = every call */
    unsigned count;        /* calls per period (> 0) */
    long period_ms;        /* (> 0) */
    unsigned burst;        /* bucket size; 0 = count */
};

/*
 * API Gateway's quotas: every call 10/s burst 40; PutRestApi 1/s;
 * GetResources 5 per 2 s; CreateDeployment 1 per 5 s; ImportRestApi 1 per
 * 3 s (regional; edge-optimized APIs are limited to 1 per 30 s by AWS).
 */
extern const struct pace_limit pace_apigw_limits[];
extern const size_t pace_apigw_limits_len;

/*
 * A pacer over a copy of limits (operation names are copied too); buckets
 * start full at the clock's current time.  clock and sleep NULL = the
 * process's monotonic clock and nanosleep.  Never fails.
 */
struct pace *pace_new(const struct pace_limit *limits, size_t n_limits,
                      pace_clock_fn clock, pace_sleep_fn sleep, void *ctx);
void pace_free(struct pace *p);

/* How long a call of operation would have to wait now (0 = at once). */
long long pace_wait_ms(struct pace *p, const char *operation);

/*
 * Waits (through the sleep function) until a call of operation may go and
 * takes its tokens.  Returns the milliseconds slept.
 */
long long pace_acquire(struct pace *p, const char *operation);

/* The defaults used when NULL is given to pace_new. */
long long pace_clock_monotonic_ms(void *ctx);
void pace_sleep_real(void *ctx, long long ms);

#endif
