/*
 * aws_client_call on the wire, against the scripted loopback peer
 * (tests/aws/peer.h): the headers it sends, re-signing on every attempt,
 * and the retry loop with an injected clock, sleep and random function,
 * so attempts and waits are exact.  API Gateway itself is exercised in
 * tests/e2e/test_apigw_e2e.c against moto.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "tests/common.h"
#include "oag_config.h"
#include "tests/aws/peer.h"
#include "util/error.h"
#include "util/xalloc.h"

static bool has(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

struct fake_time {
    time_t wall; /* advanced by one second per reading */
    long long mono_ms;
    long long slept_ms;
    unsigned sleeps;
};

static time_t fake_wall(void *ctx)
{
    struct fake_time *t = ctx;
    return t->wall++;
}

static long long fake_mono(void *ctx)
{
    return ((struct fake_time *)ctx)->mono_ms;
}

static void fake_sleep(void *ctx, long long ms)
{
    struct fake_time *t = ctx;
    t->mono_ms += ms;
    t->slept_ms += ms;
    t->sleeps++;
}

static double half(void *ctx)
{
    (void)ctx;
    return 0.5;
}

static void set_env_credentials(void)
{
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
           1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_API_GATEWAY");
    unsetenv("AWS_SDK_UA_APP_ID");
}

static struct aws_client *client_for(int port, struct fake_time *t,
                                     char **endpoint)
{
    set_env_credentials();
    *endpoint = xstrfmt("http://127.0.0.1:%d", port);
    struct aws_client_options o = {
        .cred = { .endpoint_url = *endpoint, .region = "us-east-1" },
        .http = { .timeout_ms = 5000 },
        .no_pacing = true,
        .app_id = "unit test",
        .random = half,
        .clock = fake_mono,
        .sleep = fake_sleep,
        .clock_ctx = t,
        .now = fake_wall,
        .now_ctx = t,
    };
    struct oag_error err = OAG_ERROR_INIT;
    struct aws_client *c = aws_client_new(&o, &err);
    cr_assert(c != NULL, "%s", err.message);
    return c;
}

#define REPLY(status, headers, body)                                       \
    "HTTP/1.1 " status "\r\n" headers "Content-Type: application/json\r\n" \
    "Connection: close\r\n"                                                \
    "\r\n" body

static const char ok_200[] = "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n"
                             "Connection: close\r\n\r\n{\"item\": []}\n";

static unsigned count(const char *hay, const char *needle)
{
    unsigned n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

Test(client, sends_host_accept_content_type_user_agent_and_signature,
     .timeout = 20)
{
    static const struct peer_step steps[] = { { PEER_REPLY, ok_200 } };
    struct peer peer;
    struct fake_time t = { 1440938160, 0, 0, 0 }; /* 20150830T123600Z */
    char *endpoint;
    peer_start(&peer, steps, 1);
    struct aws_client *c = client_for(peer.port, &t, &endpoint);
    struct aws_call call = { .operation = "CreateDeployment",
                             .method = "POST",
                             .path = "/restapis/abc/deployments",
                             .body_kind = AWS_BODY_JSON };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, aws_client_call(c, &call, &resp, &err), 0), "%s",
              err.message);
    char *wire = peer_finish(&peer);
    char *host = xstrfmt("\r\nHost: 127.0.0.1:%d\r\n", peer.port);
    cr_assert(has(wire, "=== request 1\nPOST /restapis/abc/deployments "
                        "HTTP/1.1\r\n"),
              "%s", wire);
    cr_assert(has(wire, host), "%s", wire);
    cr_assert(has(wire, "\r\nAccept: application/json\r\n"), "%s", wire);
    cr_assert(has(wire, "\r\nContent-Type: application/json\r\n"));
    cr_assert(has(wire, "\r\nUser-Agent: oas2apigw/" OAG_VERSION
                        " app/unit_test\r\n"),
              "%s", wire);
    cr_assert(has(wire, "\r\nX-Amz-Date: 20150830T123600Z\r\n"), "%s", wire);
    cr_assert(has(wire, "\r\nAuthorization: AWS4-HMAC-SHA256 "
                        "Credential=AKIDEXAMPLE/20150830/us-east-1/"
                        "apigateway/aws4_request, SignedHeaders=accept;"
                        "content-type;host;x-amz-date, Signature="),
              "%s", wire);
    cr_assert(has(wire, "\r\nContent-Length: 2\r\n\r\n{}\n"), "%s", wire);
    cr_assert(not(has(wire, "Expect:")));
    cr_assert(not(has(wire, "x-www-form-urlencoded")));
    const struct aws_client_stats *s = aws_client_stats(c);
    cr_assert(eq(ulong, s->calls, 1));
    cr_assert(eq(ulong, s->attempts, 1));
    cr_assert(eq(ulong, s->retries, 0));
    free(host);
    free(wire);
    free(endpoint);
    http_response_release(&resp);
    aws_client_free(c);
}

Test(client, throttling_then_5xx_then_success_waits_as_the_policy_says,
     .timeout = 20)
{
    static const struct peer_step steps[] = {
        { PEER_REPLY, REPLY("429 Too Many Requests",
                            "x-amzn-ErrorType: TooManyRequestsException\r\n"
                            "Retry-After: 1\r\nContent-Length: 32\r\n",
                            "{\"message\":\"Too Many Requests\"}\n") },
        { PEER_REPLY,
          REPLY("503 Service Unavailable", "Content-Length: 0\r\n", "") },
        { PEER_REPLY, ok_200 },
    };
    struct peer peer;
    struct fake_time t = { 1440938160, 0, 0, 0 };
    char *endpoint;
    peer_start(&peer, steps, 3);
    struct aws_client *c = client_for(peer.port, &t, &endpoint);
    struct aws_call call = { .operation = "GetRestApis",
                             .method = "GET",
                             .path = "/restapis" };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, aws_client_call(c, &call, &resp, &err), 0), "%s",
              err.message);
    cr_assert(eq(long, resp.status, 200));
    const struct aws_client_stats *s = aws_client_stats(c);
    cr_assert(eq(ulong, s->attempts, 3));
    cr_assert(eq(ulong, s->retries, 2));
    cr_assert(eq(ulong, s->throttled, 1));
    /* max(0.5 * 1000, Retry-After 1000) + 0.5 * 2000 */
    cr_assert(eq(llong, s->retry_sleep_ms, 2000));
    cr_assert(eq(llong, t.slept_ms, 2000));
    cr_assert(eq(u32, t.sleeps, 2));

    /* every attempt was signed afresh: three different dates */
    char *wire = peer_finish(&peer);
    cr_assert(has(wire, "X-Amz-Date: 20150830T123600Z\r\n"), "%s", wire);
    cr_assert(has(wire, "X-Amz-Date: 20150830T123601Z\r\n"), "%s", wire);
    cr_assert(has(wire, "X-Amz-Date: 20150830T123602Z\r\n"), "%s", wire);
    cr_assert(eq(u32, count(wire, "\r\nAuthorization: "), 3));
    free(wire);
    free(endpoint);
    http_response_release(&resp);
    aws_client_free(c);
}

Test(client, hard_limit_exceeded_is_one_attempt, .timeout = 20)
{
    static const struct peer_step steps[] = {
        { PEER_REPLY,
          REPLY("429 Too Many Requests",
                "x-amzn-ErrorType: LimitExceededException\r\n"
                "x-amzn-RequestId: rid-7\r\nContent-Length: 60\r\n",
                "{\"message\":\"Maximum number of Resources for this API\"}"
                "     \n") },
        { PEER_REPLY, ok_200 },
    };
    struct peer peer;
    struct fake_time t = { 1440938160, 0, 0, 0 };
    char *endpoint;
    peer_start(&peer, steps, 2);
    struct aws_client *c = client_for(peer.port, &t, &endpoint);
    struct aws_call call = { .operation = "ImportRestApi",
                             .method = "POST",
                             .path = "/restapis",
                             .body_kind = AWS_BODY_RAW,
                             .body = "{}",
                             .body_len = 2 };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, aws_client_call(c, &call, &resp, &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_AWS));
    cr_assert(eq(str, err.aws_code, "LimitExceededException"));
    cr_assert(eq(str, err.request_id, "rid-7"));
    cr_assert(eq(long, err.http_status, 429));
    cr_assert(not(err.retryable));
    cr_assert(eq(str, err.message,
                 "'ImportRestApi' failed: LimitExceededException (HTTP 429): "
                 "Maximum number of Resources for this API"));
    cr_assert(eq(ulong, aws_client_stats(c)->attempts, 1));
    cr_assert(eq(u32, t.sleeps, 0));
    char *wire = peer_finish(&peer);
    cr_assert(not(has(wire, "=== request 2")));
    free(wire);
    free(endpoint);
    oag_error_release(&err);
    aws_client_free(c);
}

Test(client, concurrent_modification_is_retried_but_already_exists_is_not,
     .timeout = 20)
{
    static const struct peer_step steps[] = {
        { PEER_REPLY,
          REPLY("409 Conflict",
                "x-amzn-ErrorType: ConflictException\r\n"
                "Content-Length: 99\r\n",
                "{\"message\":\"Unable to complete operation due to "
                "concurrent modification. Please try again later.\"}\n") },
        { PEER_REPLY, ok_200 },
        { PEER_REPLY,
          REPLY("409 Conflict",
                "x-amzn-ErrorType: ConflictException\r\n"
                "Content-Length: 81\r\n",
                "{\"message\":\"Integration response with selection pattern "
                "default already exists\"}\n") },
    };
    struct peer peer;
    struct fake_time t = { 1440938160, 0, 0, 0 };
    char *endpoint;
    peer_start(&peer, steps, 3);
    struct aws_client *c = client_for(peer.port, &t, &endpoint);
    struct aws_call call = { .operation = "PutIntegrationResponse",
                             .method = "PUT",
                             .path = "/restapis/a/resources/r/methods/GET/"
                                     "integration/responses/200",
                             .body_kind = AWS_BODY_JSON };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, aws_client_call(c, &call, &resp, &err), 0), "%s",
              err.message);
    cr_assert(eq(ulong, aws_client_stats(c)->attempts, 2));
    cr_assert(eq(llong, t.slept_ms, 500));
    cr_assert(eq(int, aws_client_call(c, &call, &resp, &err), -1));
    cr_assert(eq(ulong, aws_client_stats(c)->attempts, 3));
    cr_assert(eq(str, err.aws_code, "ConflictException"));
    cr_assert(not(err.retryable));
    free(peer_finish(&peer));
    free(endpoint);
    oag_error_release(&err);
    aws_client_free(c);
}

Test(client, reset_connection_is_retried, .timeout = 20)
{
    static const struct peer_step steps[] = {
        { PEER_RESET, NULL },
        { PEER_REPLY, ok_200 },
    };
    struct peer peer;
    struct fake_time t = { 1440938160, 0, 0, 0 };
    char *endpoint;
    peer_start(&peer, steps, 2);
    struct aws_client *c = client_for(peer.port, &t, &endpoint);
    struct aws_call call = { .operation = "GetRestApis",
                             .method = "GET",
                             .path = "/restapis" };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, aws_client_call(c, &call, &resp, &err), 0), "%s",
              err.message);
    cr_assert(eq(ulong, aws_client_stats(c)->attempts, 2));
    cr_assert(eq(llong, aws_client_stats(c)->retry_sleep_ms, 500));
    free(peer_finish(&peer));
    free(endpoint);
    http_response_release(&resp);
    aws_client_free(c);
}

Test(client, exhausted_retries_say_how_many_attempts, .timeout = 20)
{
    static const struct peer_step steps[] = {
        { PEER_REPLY,
          REPLY("500 Internal Server Error", "Content-Length: 0\r\n", "") },
        { PEER_REPLY, REPLY("502 Bad Gateway", "Content-Length: 0\r\n", "") },
        { PEER_REPLY,
          REPLY("504 Gateway Timeout", "Content-Length: 0\r\n", "") },
    };
    struct peer peer;
    struct fake_time t = { 1440938160, 0, 0, 0 };
    char *endpoint;
    peer_start(&peer, steps, 3);
    struct aws_client *c = client_for(peer.port, &t, &endpoint);
    struct aws_call call = { .operation = "GetRestApis",
                             .method = "GET",
                             .path = "/restapis" };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, aws_client_call(c, &call, &resp, &err), -1));
    cr_assert(eq(str, err.message,
                 "'GetRestApis' failed: HTTP 504 (after 3 attempts)"));
    cr_assert(err.retryable);
    cr_assert(eq(llong, t.slept_ms, 1500)); /* 500 + 1000 */
    free(peer_finish(&peer));
    free(endpoint);
    oag_error_release(&err);
    aws_client_free(c);
}

Test(client, auth_errors_name_the_credential_source, .timeout = 20)
{
    static const struct peer_step steps[] = {
        { PEER_REPLY,
          REPLY("403 Forbidden",
                "x-amzn-ErrorType: InvalidSignatureException\r\n"
                "Content-Length: 49\r\n",
                "{\"message\":\"The request signature is wrong\"}    \n") },
    };
    struct peer peer;
    struct fake_time t = { 1440938160, 0, 0, 0 };
    char *endpoint;
    peer_start(&peer, steps, 1);
    struct aws_client *c = client_for(peer.port, &t, &endpoint);
    struct aws_call call = { .operation = "GetRestApis",
                             .method = "GET",
                             .path = "/restapis" };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, aws_client_call(c, &call, &resp, &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_AUTH));
    static const char want[] = "'GetRestApis' failed: "
                               "InvalidSignatureException (HTTP 403): "
                               "The request signature is wrong "
                               "(credentials from ";
    cr_assert(eq(int, strncmp(err.message, want, strlen(want)), 0), "%s",
              err.message);
    cr_assert(not(has(err.message, "wJalrXUtnFEMI")));
    free(peer_finish(&peer));
    free(endpoint);
    oag_error_release(&err);
    aws_client_free(c);
}

Test(client, pacing_waits_are_counted, .timeout = 20)
{
    static const struct peer_step steps[] = {
        { PEER_REPLY, ok_200 },
        { PEER_REPLY, ok_200 },
    };
    struct peer peer;
    struct fake_time t = { 1440938160, 0, 0, 0 };
    char *endpoint;
    peer_start(&peer, steps, 2);
    set_env_credentials();
    endpoint = xstrfmt("http://127.0.0.1:%d", peer.port);
    struct aws_client_options o = {
        .cred = { .endpoint_url = endpoint, .region = "us-east-1" },
        .random = half,
        .clock = fake_mono,
        .sleep = fake_sleep,
        .clock_ctx = &t,
        .now = fake_wall,
        .now_ctx = &t,
    };
    struct aws_client *c = aws_client_new(&o, NULL);
    cr_assert(c != NULL);
    struct aws_call call = { .operation = "CreateDeployment",
                             .method = "POST",
                             .path = "/restapis/a/deployments",
                             .body_kind = AWS_BODY_JSON };
    struct http_response resp = { 0 };
    cr_assert(eq(int, aws_client_call(c, &call, &resp, NULL), 0));
    cr_assert(eq(int, aws_client_call(c, &call, &resp, NULL), 0));
    const struct aws_client_stats *s = aws_client_stats(c);
    cr_assert(eq(llong, s->pace_sleep_ms, 5000));
    cr_assert(eq(llong, s->sleep_ms, 5000));
    cr_assert(eq(llong, s->retry_sleep_ms, 0));
    aws_client_stats_reset(c);
    cr_assert(eq(ulong, aws_client_stats(c)->calls, 0));
    free(peer_finish(&peer));
    free(endpoint);
    http_response_release(&resp);
    aws_client_free(c);
}

Test(client, lifecycle_new_and_free)
{
    set_env_credentials();
    struct aws_client_options o = {
        .cred = { .endpoint_url = "http://127.0.0.1:9", .region = "us-east-1" },
    };
    struct aws_client *c = aws_client_new(&o, NULL);
    cr_assert(c != NULL);
    cr_assert(aws_client_cred_provider(c) != NULL);
    aws_client_free(c);
    aws_client_free(NULL);
}
