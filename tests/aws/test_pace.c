/*
 * Client-side pacing (aws/pace.h) with an injected clock: every wait is
 * exact.  Expected waits follow from the quotas of apigateway.md 9.3.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "aws/pace.h"

/* A fake monotonic clock; sleeping advances it (unless frozen). */
struct fake_clock {
    long long now_ms;
    long long slept_ms;
    unsigned sleeps;
    bool frozen;
};

static long long fake_now(void *ctx)
{
    return ((struct fake_clock *)ctx)->now_ms;
}

static void fake_sleep(void *ctx, long long ms)
{
    struct fake_clock *c = ctx;
    cr_assert(gt(llong, ms, 0));
    c->slept_ms += ms;
    c->sleeps++;
    if (!c->frozen) {
        c->now_ms += ms;
    }
}

static struct pace *apigw_pace(struct fake_clock *c)
{
    return pace_new(pace_apigw_limits, pace_apigw_limits_len, fake_now,
                    fake_sleep, c);
}

Test(pace, account_wide_burst_of_40_then_10_per_second)
{
    struct fake_clock c = { 1000000, 0, 0, false };
    struct pace *p = apigw_pace(&c);
    for (int i = 0; i < 40; i++) {
        cr_assert(eq(llong, pace_acquire(p, "GetMethod"), 0), "call %d", i);
    }
    /* the bucket is empty: one token per 100 ms */
    cr_assert(eq(llong, pace_acquire(p, "GetMethod"), 100));
    cr_assert(eq(llong, pace_acquire(p, "PutIntegrationResponse"), 100));
    cr_assert(eq(llong, c.now_ms, 1000200));
    pace_free(p);
}

Test(pace, put_rest_api_is_one_per_second)
{
    struct fake_clock c = { 0, 0, 0, false };
    struct pace *p = apigw_pace(&c);
    cr_assert(eq(llong, pace_acquire(p, "PutRestApi"), 0));
    cr_assert(eq(llong, pace_acquire(p, "PutRestApi"), 1000));
    c.now_ms += 400; /* 400 ms of other work */
    cr_assert(eq(llong, pace_acquire(p, "PutRestApi"), 600));
    pace_free(p);
}

Test(pace, get_resources_is_five_per_two_seconds)
{
    struct fake_clock c = { 0, 0, 0, false };
    struct pace *p = apigw_pace(&c);
    for (int i = 0; i < 5; i++) {
        cr_assert(eq(llong, pace_acquire(p, "GetResources"), 0));
    }
    /* 5 tokens per 2000 ms: one every 400 ms */
    cr_assert(eq(llong, pace_acquire(p, "GetResources"), 400));
    cr_assert(eq(llong, pace_acquire(p, "GetResources"), 400));
    /* other operations are not held back by GetResources' bucket */
    cr_assert(eq(llong, pace_acquire(p, "GetMethod"), 0));
    pace_free(p);
}

Test(pace, create_deployment_is_one_per_five_seconds)
{
    struct fake_clock c = { 0, 0, 0, false };
    struct pace *p = apigw_pace(&c);
    cr_assert(eq(llong, pace_acquire(p, "CreateDeployment"), 0));
    cr_assert(eq(llong, pace_acquire(p, "CreateDeployment"), 5000));
    cr_assert(eq(llong, c.slept_ms, 5000));
    cr_assert(eq(u32, c.sleeps, 1));
    pace_free(p);
}

Test(pace, import_rest_api_is_one_per_three_seconds)
{
    struct fake_clock c = { 0, 0, 0, false };
    struct pace *p = apigw_pace(&c);
    cr_assert(eq(llong, pace_acquire(p, "ImportRestApi"), 0));
    cr_assert(eq(llong, pace_wait_ms(p, "ImportRestApi"), 3000));
    c.now_ms += 2999;
    cr_assert(eq(llong, pace_wait_ms(p, "ImportRestApi"), 1));
    c.now_ms += 1;
    cr_assert(eq(llong, pace_acquire(p, "ImportRestApi"), 0));
    pace_free(p);
}

Test(pace, operation_calls_also_spend_the_account_bucket)
{
    struct fake_clock c = { 0, 0, 0, false };
    struct pace *p = apigw_pace(&c);
    for (int i = 0; i < 39; i++) {
        pace_acquire(p, "GetMethod");
    }
    /* the 40th token of the account goes to PutRestApi ... */
    cr_assert(eq(llong, pace_acquire(p, "PutRestApi"), 0));
    /* ... so the next call of any operation waits for a refill */
    cr_assert(eq(llong, pace_wait_ms(p, "GetMethod"), 100));
    pace_free(p);
}

Test(pace, idle_time_refills_up_to_the_burst_only)
{
    struct fake_clock c = { 0, 0, 0, false };
    struct pace *p = apigw_pace(&c);
    for (int i = 0; i < 40; i++) {
        pace_acquire(p, NULL);
    }
    c.now_ms += 50; /* half a token */
    cr_assert(eq(llong, pace_wait_ms(p, NULL), 50));
    c.now_ms += 1000000000; /* a long idle must not overflow the bucket */
    for (int i = 0; i < 40; i++) {
        cr_assert(eq(llong, pace_acquire(p, NULL), 0));
    }
    cr_assert(eq(llong, pace_acquire(p, NULL), 100));
    pace_free(p);
}

Test(pace, wait_does_not_take_a_token)
{
    struct fake_clock c = { 0, 0, 0, false };
    struct pace *p = apigw_pace(&c);
    cr_assert(eq(llong, pace_wait_ms(p, "PutRestApi"), 0));
    cr_assert(eq(llong, pace_wait_ms(p, "PutRestApi"), 0));
    cr_assert(eq(llong, pace_acquire(p, "PutRestApi"), 0));
    cr_assert(eq(llong, pace_wait_ms(p, "PutRestApi"), 1000));
    pace_free(p);
}

Test(pace, limits_are_settable)
{
    static const struct pace_limit limits[] = {
        { NULL, 3, 30, 2 },       /* 3 per 30 ms, burst 2 */
        { "Slow", 1, 70, 0 },     /* burst 0 = count */
        { "Ignored", 0, 100, 1 }, /* count 0: not a limit */
    };
    struct fake_clock c = { 0, 0, 0, false };
    struct pace *p = pace_new(limits, 3, fake_now, fake_sleep, &c);
    cr_assert(eq(llong, pace_acquire(p, "X"), 0));
    cr_assert(eq(llong, pace_acquire(p, "X"), 0));
    cr_assert(eq(llong, pace_acquire(p, "X"), 10));
    cr_assert(eq(llong, pace_acquire(p, "Slow"), 10));
    cr_assert(eq(llong, pace_acquire(p, "Slow"), 70));
    cr_assert(eq(llong, pace_acquire(p, "Ignored"), 0));
    pace_free(p);
}

Test(pace, a_frozen_clock_does_not_spin)
{
    struct fake_clock c = { 0, 0, 0, true };
    struct pace *p = apigw_pace(&c);
    cr_assert(eq(llong, pace_acquire(p, "CreateDeployment"), 0));
    cr_assert(eq(llong, pace_acquire(p, "CreateDeployment"), 5000));
    cr_assert(eq(u32, c.sleeps, 1));
    cr_assert(eq(llong, pace_acquire(p, "CreateDeployment"), 5000));
    cr_assert(eq(u32, c.sleeps, 2));
    pace_free(p);
}

Test(pace, new_and_free_with_real_clock_and_no_limits)
{
    struct pace *p = pace_new(NULL, 0, NULL, NULL, NULL);
    cr_assert(eq(llong, pace_acquire(p, "GetMethod"), 0));
    pace_free(p);
    pace_free(NULL);
    cr_assert(ge(llong, pace_clock_monotonic_ms(NULL), 0));
}
