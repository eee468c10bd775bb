/*
 * Token buckets (pace.h).  A bucket stores tokens * period_ms as an integer
 * ("scaled"), so refilling count tokens per period_ms over elapsed ms adds
 * exactly elapsed * count, one token costs period_ms, and the wait for a
 * missing token is ceil(deficit / count) ms: no floating point, no drift.
 */
#include "aws/pace.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"

struct bucket {
    char *operation; /* owned; NULL = every call */
    long long count; /* tokens per period */
    long long period_ms;
    long long capacity;   /* burst * period_ms */
    long long scaled;     /* tokens * period_ms */
    long long updated_ms; /* clock reading of the last refill */
};

struct pace {
    struct bucket *buckets; /* owned */
    size_t n_buckets;
    pace_clock_fn clock;
    pace_sleep_fn sleep;
    void *ctx;
};

const struct pace_limit pace_apigw_limits[] = {
    { NULL, 10, 1000, 40 },          { "PutRestApi", 1, 1000, 1 },
    { "GetResources", 5, 2000, 5 },  { "CreateDeployment", 1, 5000, 1 },
    { "ImportRestApi", 1, 3000, 1 },
};
const size_t pace_apigw_limits_len =
    sizeof(pace_apigw_limits) / sizeof(pace_apigw_limits[0]);

long long pace_clock_monotonic_ms(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pace_sleep_real(void *ctx, long long ms)
{
    (void)ctx;
    if (ms <= 0) {
        return;
    }
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        /* resume with the remaining time */
    }
}

struct pace *pace_new(const struct pace_limit *limits, size_t n_limits,
                      pace_clock_fn clock, pace_sleep_fn sleep, void *ctx)
{
    struct pace *p = xcalloc(1, sizeof(*p));
    p->clock = clock ? clock : pace_clock_monotonic_ms;
    p->sleep = sleep ? sleep : pace_sleep_real;
    p->ctx = ctx;
    p->buckets = n_limits ? xcalloc(n_limits, sizeof(*p->buckets)) : NULL;
    long long now = p->clock(p->ctx);
    for (size_t i = 0; i < n_limits; i++) {
        const struct pace_limit *l = &limits[i];
        if (l->count == 0 || l->period_ms <= 0) {
            continue; /* not a limit */
        }
        struct bucket *b = &p->buckets[p->n_buckets++];
        b->operation = l->operation ? xstrdup(l->operation) : NULL;
        b->count = l->count;
        b->period_ms = l->period_ms;
        b->capacity =
            (long long)(l->burst ? l->burst : l->count) * l->period_ms;
        b->scaled = b->capacity;
        b->updated_ms = now;
    }
    return p;
}

void pace_free(struct pace *p)
{
    if (!p) {
        return;
    }
    for (size_t i = 0; i < p->n_buckets; i++) {
        free(p->buckets[i].operation);
    }
    free(p->buckets);
    free(p);
}

static bool applies(const struct bucket *b, const char *operation)
{
    return !b->operation || (operation && strcmp(b->operation, operation) == 0);
}

static void refill(struct bucket *b, long long now)
{
    if (now <= b->updated_ms) {
        return; /* a clock that stands still or steps back adds nothing */
    }
    long long elapsed = now - b->updated_ms;
    long long room = b->capacity - b->scaled;
    /* elapsed * count could overflow after a long idle: cap first */
    if (elapsed >= (room + b->count - 1) / b->count) {
        b->scaled = b->capacity;
    } else {
        b->scaled += elapsed * b->count;
    }
    b->updated_ms = now;
}

static long long bucket_wait(const struct bucket *b)
{
    if (b->scaled >= b->period_ms) {
        return 0;
    }
    long long deficit = b->period_ms - b->scaled;
    return (deficit + b->count - 1) / b->count;
}

long long pace_wait_ms(struct pace *p, const char *operation)
{
    long long now = p->clock(p->ctx);
    long long wait = 0;
    for (size_t i = 0; i < p->n_buckets; i++) {
        struct bucket *b = &p->buckets[i];
        if (!applies(b, operation)) {
            continue;
        }
        refill(b, now);
        long long w = bucket_wait(b);
        if (w > wait) {
            wait = w;
        }
    }
    return wait;
}

long long pace_acquire(struct pace *p, const char *operation)
{
    long long slept = 0;
    for (;;) {
        long long wait = pace_wait_ms(p, operation);
        if (wait == 0) {
            break;
        }
        p->sleep(p->ctx, wait);
        slept += wait;
        /*
         * A clock that did not move while we slept (a test's frozen clock)
         * would spin here; treat the sleep as having happened.
         */
        long long now = p->clock(p->ctx);
        for (size_t i = 0; i < p->n_buckets; i++) {
            struct bucket *b = &p->buckets[i];
            if (applies(b, operation) && now < b->updated_ms + wait) {
                refill(b, b->updated_ms + wait);
            }
        }
    }
    for (size_t i = 0; i < p->n_buckets; i++) {
        struct bucket *b = &p->buckets[i];
        if (applies(b, operation)) {
            b->scaled -= b->period_ms;
        }
    }
    return slept;
}
