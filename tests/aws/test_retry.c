/*
 * The retry policy (aws/retry.h): the decision table in
 * testdata/aws/retry/policy.tsv, exact full-jitter delays with a fixed
 * random function, the LimitExceededException and conflict-message rules.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "aws/retry.h"
#include "tests/common.h"
#include "util/xalloc.h"

static double half(void *ctx)
{
    (void)ctx;
    return 0.5;
}

/* Returns the doubles of ctx (a struct seq) in turn. */
struct seq {
    const double *values;
    size_t n;
    size_t next;
};

static double from_seq(void *ctx)
{
    struct seq *s = ctx;
    cr_assert(s->next < s->n, "random called more often than expected");
    return s->values[s->next++];
}

/* Splits line at tabs into at most max fields (modifies line). */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab) {
            break;
        }
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static const char *or_null(const char *s)
{
    return strcmp(s, "-") == 0 ? NULL : s;
}

Test(retry, policy_table_decides_every_case)
{
    char *path = test_source_path("testdata/aws/retry/policy.tsv");
    char *text = test_read_file(path, NULL);
    cr_assert(text != NULL, "cannot read %s", path);
    size_t rows = 0;
    char *line = text;
    while (line && *line) {
        char *eol = strchr(line, '\n');
        if (eol) {
            *eol = '\0';
        }
        if (line[0] != '#' && line[0] != '\0') {
            char *f[10];
            size_t n = split_tabs(line, f, 10);
            cr_assert(eq(sz, n, 10), "row %zu has %zu fields", rows + 1, n);
            struct retry_input in = {
                .attempt = (unsigned)strtoul(f[0], NULL, 10),
                .http_status = strtol(f[1], NULL, 10),
                .aws_code = or_null(f[2]),
                .message = or_null(f[3]),
                .retry_after_ms =
                    strcmp(f[4], "-") == 0 ? -1 : strtol(f[4], NULL, 10),
                .network_error = strcmp(f[5], "-") != 0,
                .network_retryable = strcmp(f[5], "retryable") == 0,
            };
            struct retry_decision d;
            retry_decide(NULL, &in, half, NULL, &d);
            cr_expect(eq(str, d.retry ? "yes" : "no", f[6]), "%s", f[9]);
            cr_expect(eq(str, (char *)retry_class_name(d.class), f[7]), "%s",
                      f[9]);
            cr_expect(eq(long, d.delay_ms, strtol(f[8], NULL, 10)), "%s", f[9]);
            rows++;
        }
        line = eol ? eol + 1 : NULL;
    }
    cr_assert(ge(sz, rows, 38), "only %zu rows read", rows);
    free(text);
    free(path);
}

Test(retry, throttling_backs_off_with_full_jitter)
{
    /* random values chosen so every product is exact in binary */
    static const double r[] = { 0.25, 0.75, 1.0, 0.0, 0.5 };
    struct seq s = { r, 5, 0 };
    static const long want[] = {
        250,  /* 0.25 * min(1000 * 1, 20000) */
        1500, /* 0.75 * 2000 */
        4000, /* 1.0 * 4000 */
        0,    /* 0.0 * 8000 */
        8000, /* 0.5 * 16000 */
    };
    for (unsigned attempt = 1; attempt <= 5; attempt++) {
        struct retry_input in = { attempt, 429, "TooManyRequestsException",
                                  NULL,    -1,  false,
                                  false };
        struct retry_decision d;
        retry_decide(NULL, &in, from_seq, &s, &d);
        cr_assert(d.retry);
        cr_assert(eq(long, d.delay_ms, want[attempt - 1]), "attempt %u",
                  attempt);
    }
    cr_assert(eq(sz, s.next, 5));
}

Test(retry, backoff_is_capped_and_never_overflows)
{
    struct retry_policy p = { .base_delay_ms = 100, .max_backoff_ms = 1000 };
    cr_assert(eq(long, retry_backoff_ms(&p, 1, 1.0), 100));
    cr_assert(eq(long, retry_backoff_ms(&p, 4, 1.0), 800));
    cr_assert(eq(long, retry_backoff_ms(&p, 5, 1.0), 1000));
    cr_assert(eq(long, retry_backoff_ms(&p, 4000000000u, 1.0), 1000));
    cr_assert(eq(long, retry_backoff_ms(&p, 5, 0.3333), 333));
    cr_assert(eq(long, retry_backoff_ms(NULL, 30, 1.0), 20000));
}

Test(retry, settable_attempts_and_caps_are_honoured)
{
    struct retry_policy p = {
        .max_attempts = 2,
        .max_throttle_attempts = 3,
        .base_delay_ms = 10,
        .max_backoff_ms = 40,
        .max_retry_after_ms = 50,
        .max_limit_retry_after_ms = 30,
    };
    struct retry_decision d;
    struct retry_input in = { 2, 500, NULL, NULL, -1, false, false };
    retry_decide(&p, &in, half, NULL, &d);
    cr_assert(not(d.retry), "max_attempts 2 allows one retry");

    in = (struct retry_input){ 2,    429,  "TooManyRequestsException",
                               NULL, 1000, false,
                               false };
    retry_decide(&p, &in, half, NULL, &d);
    cr_assert(d.retry);
    cr_assert(eq(long, d.delay_ms, 50), "Retry-After capped at 50");
    in.attempt = 3;
    retry_decide(&p, &in, half, NULL, &d);
    cr_assert(not(d.retry));

    in =
        (struct retry_input){ 1,     429,  "LimitExceededException", NULL, 1000,
                              false, false };
    retry_decide(&p, &in, half, NULL, &d);
    cr_assert(d.retry);
    cr_assert(eq(long, d.delay_ms, 30));

    in = (struct retry_input){ 3, 500, NULL, NULL, -1, false, false };
    p.max_attempts = 5;
    retry_decide(&p, &in, half, NULL, &d);
    cr_assert(eq(long, d.delay_ms, 20), "0.5 * min(10 * 4, 40)");
}

Test(retry, limit_exceeded_is_retried_only_with_retry_after)
{
    struct retry_decision d;
    struct retry_input in = {
        1,
        429,
        "LimitExceededException",
        "Maximum number of Resources for this API has been reached.",
        -1,
        false,
        false,
    };
    for (unsigned a = 1; a <= 10; a++) {
        in.attempt = a;
        retry_decide(NULL, &in, half, NULL, &d);
        cr_assert(not(d.retry), "attempt %u", a);
        cr_assert(eq(int, d.class, RETRY_CLASS_NONE));
    }
    in.attempt = 1;
    in.retry_after_ms = 0;
    retry_decide(NULL, &in, half, NULL, &d);
    cr_assert(d.retry);
    cr_assert(eq(int, d.class, RETRY_CLASS_LIMIT));
    cr_assert(eq(long, d.delay_ms, 500));
}

Test(retry, only_the_concurrent_modification_conflict_is_retried)
{
    cr_assert(retry_is_concurrent_modification(
        "Unable to complete operation due to concurrent modification. "
        "Please try again later."));
    cr_assert(retry_is_concurrent_modification("Concurrent Modification"));
    cr_assert(not(retry_is_concurrent_modification(
        "Method already exists for this resource")));
    cr_assert(not(retry_is_concurrent_modification(
        "Response already exists for this resource")));
    cr_assert(not(retry_is_concurrent_modification("concurrent")));
    cr_assert(not(retry_is_concurrent_modification(NULL)));
}

Test(retry, random_is_not_called_when_not_retrying)
{
    struct seq s = { NULL, 0, 0 };
    struct retry_decision d;
    struct retry_input in = { 1,     404,  "NotFoundException", NULL, -1,
                              false, false };
    retry_decide(NULL, &in, from_seq, &s, &d);
    cr_assert(not(d.retry));
    in = (struct retry_input){ 3, 500, NULL, NULL, -1, false, false };
    retry_decide(NULL, &in, from_seq, &s, &d);
    cr_assert(not(d.retry));
    cr_assert(eq(sz, s.next, 0));
}

Test(retry, retry_after_parses_delay_seconds_only)
{
    long ms = -1;
    cr_assert(retry_parse_retry_after("3", &ms));
    cr_assert(eq(long, ms, 3000));
    cr_assert(retry_parse_retry_after(" 0 ", &ms));
    cr_assert(eq(long, ms, 0));
    cr_assert(retry_parse_retry_after("1.5", &ms));
    cr_assert(eq(long, ms, 1500));
    cr_assert(retry_parse_retry_after("99999999999999", &ms));
    cr_assert(eq(long, ms, 2147483647L));
    cr_assert(not(retry_parse_retry_after("", &ms)));
    cr_assert(not(retry_parse_retry_after("-1", &ms)));
    cr_assert(
        not(retry_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", &ms)));
    cr_assert(not(retry_parse_retry_after("null", &ms)));
    cr_assert(not(retry_parse_retry_after(NULL, &ms)));
}

Test(retry, zero_policy_resolves_to_defaults)
{
    struct retry_policy zero = { 0 };
    struct retry_policy out;
    retry_policy_resolve(&zero, &out);
    cr_assert(eq(u32, out.max_attempts, 3));
    cr_assert(eq(u32, out.max_throttle_attempts, 6));
    cr_assert(eq(long, out.base_delay_ms, 1000));
    cr_assert(eq(long, out.max_backoff_ms, 20000));
    cr_assert(eq(long, out.max_retry_after_ms, 20000));
    cr_assert(eq(long, out.max_limit_retry_after_ms, 5000));
}
