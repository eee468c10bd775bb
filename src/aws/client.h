/*
 * The API Gateway client: one signed, paced, retried call at a time.
 *
 * A struct aws_client owns an HTTP client (one connection, reused), a
 * credential provider (region and endpoint come from it), a pacer
 * (aws/pace.h: API Gateway's quotas) and the retry policy (aws/retry.h).
 * aws_client_call() turns a struct aws_call into a request:
 *
 *   URL      endpoint + call->path + "?" + query, each query name and value
 *            percent-encoded strictly (sigv4_uri_encode), so the query that
 *            is signed is the query that is sent;
 *   headers  Host (":port" only when not the scheme's default), Accept:
 *            application/json unless the call sets Accept, Content-Type:
 *            application/json for JSON bodies ("{}" when a JSON operation
 *            has no members), the call's own headers, then X-Amz-Date,
 *            X-Amz-Security-Token and Authorization from signing; User-Agent
 *            "oas2apigw/VERSION [app/ID]" (never signed);
 *   attempts each one paced, signed afresh with the current credentials
 *            (service "apigateway"), and judged by retry_decide(); a 2xx is
 *            success, anything else becomes a struct oag_error by
 *            aws_error_from_response().
 *
 * Wall time (for signing), the monotonic clock and sleep (pacing and
 * backoff) and randomness (jitter) are all options, so tests are exact.
 */
#ifndef OAG_AWS_CLIENT_H
#define OAG_AWS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/cred.h"
#include "aws/http.h"
#include "aws/pace.h"
#include "aws/retry.h"

struct oag_error;
struct aws_client;

/* Wall-clock seconds since the epoch, for signing. */
typedef time_t (*aws_time_fn)(void *ctx);

/* One query parameter, raw (not encoded); both strings borrowed. */
struct aws_query_param {
    const char *name;
    const char *value; /* "" for "name=" */
};

enum aws_body_kind {
    AWS_BODY_NONE = 0, /* no body (GET, DELETE) */
    AWS_BODY_JSON,     /* a JSON object; body NULL sends "{}" */
    AWS_BODY_RAW,      /* body as is, with content_type (NULL = none) */
};

/* One API Gateway operation call; every pointer is borrowed. */
struct aws_call {
    const char *operation; /* "GetResources": pacing, errors, trace */
    const char *method;    /* "GET", "PUT", ... */
    const char *path;      /* already encoded, starts with '/' */
    const struct aws_query_param *query;
    size_t n_query;
    const struct http_header *headers; /* extra headers, signed */
    size_t n_headers;
    enum aws_body_kind body_kind;
    const void *body;
    size_t body_len;
    const char *content_type; /* AWS_BODY_RAW only; NULL = none */
    long timeout_ms;          /* 0 = the client's */
};

/* Counters since the client was made (or last reset). */
struct aws_client_stats {
    unsigned long calls;      /* aws_client_call invocations */
    unsigned long attempts;   /* requests sent (or tried) */
    unsigned long retries;    /* attempts after the first of a call */
    unsigned long throttled;  /* failed attempts classed throttle/limit */
    long long sleep_ms;       /* retry_sleep_ms + pace_sleep_ms */
    long long retry_sleep_ms; /* waited between attempts */
    long long pace_sleep_ms;  /* waited for the pacer */
};

/* Zero is a valid value: every field has a default. */
struct aws_client_options {
    struct cred_options cred;  /* profile, region, endpoint, ... */
    struct http_options http;  /* user_agent is ignored: built here */
    struct retry_policy retry; /* zero fields = defaults */
    bool no_pacing;            /* true: no client-side pacing */
    const struct pace_limit *pace_limits; /* NULL = pace_apigw_limits */
    size_t n_pace_limits;
    const char *app_id;     /* NULL = $AWS_SDK_UA_APP_ID; "" = none */
    retry_random_fn random; /* NULL = internal generator */
    void *random_ctx;
    pace_clock_fn clock; /* NULL = monotonic clock */
    pace_sleep_fn sleep; /* NULL = nanosleep */
    void *clock_ctx;     /* for clock and sleep */
    aws_time_fn now;     /* NULL = the system's wall clock */
    void *now_ctx;
};

/*
 * Makes a client: resolves region and endpoint (cred_provider_new), opens
 * no connection yet.  opts may be NULL.  NULL + err on failure (the
 * provider's error, or an endpoint URL that cannot be used).
 */
struct aws_client *aws_client_new(const struct aws_client_options *opts,
                                  struct oag_error *err);
void aws_client_free(struct aws_client *client);

/*
 * Performs call with pacing, signing and retries.  On success (any 2xx)
 * returns 0 and out holds the response (released first; the caller
 * releases it).  On failure returns -1, out is released, and err holds the
 * last attempt's error: OAG_ERR_AWS (or OAG_ERR_AUTH for 401/403 and
 * signature/credential codes) with http_status, aws_code, request_id and
 * retryable set; OAG_ERR_NETWORK / OAG_ERR_LIMIT from the transport; or
 * the credential provider's error.  After retries the message says how
 * many attempts were made.
 */
int aws_client_call(struct aws_client *client, const struct aws_call *call,
                    struct http_response *out, struct oag_error *err);

/* Borrowed; valid while client lives. */
const struct aws_client_stats *
aws_client_stats(const struct aws_client *client);
void aws_client_stats_reset(struct aws_client *client);
/* The provider the client owns (region, endpoint); borrowed. */
struct cred_provider *aws_client_cred_provider(struct aws_client *client);

/*
 * Fills err from a non-2xx response to operation and returns -1:
 * the code from x-amzn-ErrorType up to the first ':' (after the last '#'),
 * else the body's "code"/"Code", else "__type" (after '#'); the message
 * from "message"/"Message"; the request id from x-amzn-RequestId (or
 * x-amz-request-id); err->code OAG_ERR_AUTH for 401/403 and the
 * signature/credential codes, else OAG_ERR_AWS; err->retryable as
 * retry_classify() says.  A "Signature expired" message gains a hint to
 * fix the system clock.
 */
int aws_error_from_response(const char *operation,
                            const struct http_response *resp,
                            struct oag_error *err);

#endif
