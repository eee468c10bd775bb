/*
 * The API Gateway client (client.h): build, pace, sign, send, judge, retry.
 *
 * One call = up to N attempts.  Each attempt
 *   1. waits for the pacer (apigateway.md 9.3 quotas),
 *   2. fetches the current credentials (they may have been refreshed),
 *   3. signs afresh - new X-Amz-Date, new Authorization - because a retry
 *      must never resend an old signature (aws-conventions.md 5.1),
 *   4. sends, and on a non-2xx answer parses the AWS error
 *      (aws-conventions.md 5.3, apigateway.md 9.1),
 *   5. asks retry_decide() whether and how long to wait.
 * The request is built once per call (aws_call_prepare); only the signing
 * headers change between attempts.
 */
#include "aws/client.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "aws/client_internal.h"
#include "aws/sigv4.h"
#include "oag_config.h"
#include "util/error.h"
#include "util/xalloc.h"

#define SIGNING_SERVICE "apigateway"
#define APP_ID_MAX 50

struct aws_client {
    struct http_client *http;   /* owned */
    struct cred_provider *cred; /* owned */
    struct pace *pace;          /* owned; NULL = no pacing */
    struct aws_endpoint endpoint;
    struct retry_policy retry; /* resolved */
    retry_random_fn random;
    void *random_ctx;
    pace_clock_fn clock;
    pace_sleep_fn sleep;
    void *clock_ctx;
    aws_time_fn now;
    void *now_ctx;
    uint64_t rng_state; /* the internal generator's */
    FILE *trace;        /* borrowed */
    struct aws_client_stats stats;
};

/* ---- defaults for time and randomness ---- */

static time_t wall_clock(void *ctx)
{
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

/* splitmix64: jitter needs spread, not secrecy */
static double internal_random(void *ctx)
{
    uint64_t *state = ctx;
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0; /* [0, 1) */
}

static uint64_t seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t s = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32);
    s ^= (uint64_t)getpid() << 16;
    return s;
}

/* ---- endpoint ---- */

void aws_endpoint_release(struct aws_endpoint *ep)
{
    if (!ep) {
        return;
    }
    free(ep->scheme);
    free(ep->host);
    free(ep->base_path);
    free(ep->origin);
    free(ep->host_header);
    memset(ep, 0, sizeof(*ep));
}

/* The URL for messages: user-info (a password, perhaps) elided. */
static char *url_for_message(const char *url)
{
    const char *sep = strstr(url, "://");
    if (!sep) {
        return xstrdup(url);
    }
    const char *auth = sep + 3;
    size_t auth_len = strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + auth_len; p++) {
        if (*p == '@') {
            at = p;
        }
    }
    if (!at) {
        return xstrdup(url);
    }
    return xstrfmt("%.*s[redacted]%s", (int)(auth - url), url, at);
}

static int endpoint_fail(const char *url, const char *why,
                         struct aws_endpoint *out, struct oag_error *err)
{
    char *shown = url_for_message(url);
    oag_error_set(err, OAG_ERR_USAGE, "endpoint URL '%s' %s", shown, why);
    free(shown);
    aws_endpoint_release(out);
    return -1;
}

int aws_endpoint_parse(const char *url, struct aws_endpoint *out,
                       struct oag_error *err)
{
    memset(out, 0, sizeof(*out));
    long default_port;
    const char *p;
    if (strncasecmp(url, "https://", 8) == 0) {
        out->scheme = xstrdup("https");
        default_port = 443;
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        out->scheme = xstrdup("http");
        default_port = 80;
        p = url + 7;
    } else {
        return endpoint_fail(url, "does not start with http:// or https://",
                             out, err);
    }
    size_t auth_len = strcspn(p, "/?#");
    const char *auth_end = p + auth_len;
    for (const char *q = p; q < auth_end; q++) {
        if (*q == '@') {
            p = q + 1; /* user-info is never sent */
        }
    }
    const char *host_end;
    const char *port_start = NULL;
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(auth_end - p));
        if (!close) {
            return endpoint_fail(url, "has an unterminated IPv6 address", out,
                                 err);
        }
        host_end = close + 1;
        if (host_end < auth_end) {
            if (*host_end != ':') {
                return endpoint_fail(url, "has a malformed host", out, err);
            }
            port_start = host_end + 1;
        }
    } else {
        const char *colon = memchr(p, ':', (size_t)(auth_end - p));
        host_end = colon ? colon : auth_end;
        port_start = colon ? colon + 1 : NULL;
    }
    if (host_end == p) {
        return endpoint_fail(url, "has no host", out, err);
    }
    out->host = xstrndup(p, (size_t)(host_end - p));
    for (char *c = out->host; *c; c++) {
        *c = (char)tolower((unsigned char)*c);
        if ((unsigned char)*c <= ' ' || *c == '%' || *c == '\\') {
            return endpoint_fail(url, "has a malformed host", out, err);
        }
    }
    if (port_start) {
        long port = 0;
        const char *q = port_start;
        if (q == auth_end) {
            return endpoint_fail(url, "has an empty port", out, err);
        }
        for (; q < auth_end; q++) {
            if (*q < '0' || *q > '9' || port > 65535) {
                return endpoint_fail(url, "has an invalid port", out, err);
            }
            port = port * 10 + (*q - '0');
        }
        if (port < 1 || port > 65535) {
            return endpoint_fail(url, "has an invalid port", out, err);
        }
        out->port = port;
    }
    const char *path = auth_end;
    if (strpbrk(path, "?#")) {
        return endpoint_fail(url, "has a query or fragment", out, err);
    }
    size_t path_len = strlen(path);
    while (path_len > 0 && path[path_len - 1] == '/') {
        path_len--;
    }
    out->base_path = xstrndup(path, path_len);
    for (char *c = out->base_path; *c; c++) {
        if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f) {
            return endpoint_fail(url, "has a path that is not encoded", out,
                                 err);
        }
    }
    if (out->port) {
        out->origin = xstrfmt("%s://%s:%ld", out->scheme, out->host, out->port);
    } else {
        out->origin = xstrfmt("%s://%s", out->scheme, out->host);
    }
    /* aws-conventions.md 6.8: ":port" only when not the scheme's default */
    if (out->port && out->port != default_port) {
        out->host_header = xstrfmt("%s:%ld", out->host, out->port);
    } else {
        out->host_header = xstrdup(out->host);
    }
    return 0;
}

/* ---- building the request ---- */

void aws_query_format(const struct aws_query_param *query, size_t n,
                      struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            buf_addch(out, '&');
        }
        const char *name = query[i].name ? query[i].name : "";
        const char *value = query[i].value ? query[i].value : "";
        sigv4_uri_encode(out, name, strlen(name), true);
        buf_addch(out, '=');
        sigv4_uri_encode(out, value, strlen(value), true);
    }
}

/* aws-conventions.md 7: SDK UA token characters */
static bool ua_char_ok(unsigned char c)
{
    return isalnum(c) || (c != '\0' && strchr("!$%&'*+-.^_`|~", c));
}

void aws_user_agent_format(const char *app_id, struct buf *out)
{
    buf_adds(out, "oas2apigw/" OAG_VERSION);
    if (!app_id || !*app_id) {
        return;
    }
    buf_adds(out, " app/");
    for (size_t i = 0; app_id[i] && i < APP_ID_MAX; i++) {
        unsigned char c = (unsigned char)app_id[i];
        buf_addch(out, ua_char_ok(c) ? (char)c : '_');
    }
}

void aws_prepared_release(struct aws_prepared *p)
{
    if (!p) {
        return;
    }
    buf_release(&p->url);
    buf_release(&p->path);
    buf_release(&p->query);
    for (size_t i = 0; i < p->n_headers; i++) {
        free(p->headers[i].name);
        free(p->headers[i].value);
    }
    free(p->headers);
    memset(p, 0, sizeof(*p));
}

static void add_header(struct aws_prepared *p, const char *name,
                       const char *value)
{
    p->headers =
        xreallocarray(p->headers, p->n_headers + 1, sizeof(*p->headers));
    p->headers[p->n_headers].name = xstrdup(name);
    p->headers[p->n_headers].value = xstrdup(value);
    p->n_headers++;
}

static bool call_has_header(const struct aws_call *call, const char *name)
{
    for (size_t i = 0; i < call->n_headers; i++) {
        if (strcasecmp(call->headers[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

static bool client_owned_header(const char *name)
{
    return strcasecmp(name, "Host") == 0 ||
           strcasecmp(name, "Authorization") == 0 ||
           strcasecmp(name, "X-Amz-Date") == 0 ||
           strcasecmp(name, "X-Amz-Security-Token") == 0;
}

int aws_call_prepare(const struct aws_endpoint *ep, const struct aws_call *call,
                     struct aws_prepared *out, struct oag_error *err)
{
    memset(out, 0, sizeof(*out));
    const char *op = call->operation ? call->operation : "call";
    if (!call->method || !call->path || call->path[0] != '/') {
        return oag_error_set(err, OAG_ERR_INTERNAL,
                             "'%s' has no method or a path not starting "
                             "with '/'",
                             op);
    }
    for (const char *c = call->path; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch <= ' ' || ch >= 0x7f || ch == '?' || ch == '#') {
            return oag_error_set(err, OAG_ERR_INTERNAL,
                                 "'%s' path '%s' is not percent-encoded", op,
                                 call->path);
        }
    }
    for (size_t i = 0; i < call->n_headers; i++) {
        if (client_owned_header(call->headers[i].name)) {
            return oag_error_set(err, OAG_ERR_INTERNAL,
                                 "'%s' sets header '%s', which the client "
                                 "sets itself",
                                 op, call->headers[i].name);
        }
    }

    buf_adds(&out->path, ep->base_path);
    buf_adds(&out->path, call->path);
    aws_query_format(call->query, call->n_query, &out->query);
    buf_adds(&out->url, ep->origin);
    buf_adds(&out->url, buf_str(&out->path));
    if (out->query.len > 0) {
        buf_addch(&out->url, '?');
        buf_adds(&out->url, buf_str(&out->query));
    }

    /* aws-conventions.md 6.8: one Host value, signed and sent */
    add_header(out, "Host", ep->host_header);
    /* 6.9: JSON, not HAL, unless the operation chooses (GetExport) */
    if (!call_has_header(call, "Accept")) {
        add_header(out, "Accept", "application/json");
    }
    if (!call_has_header(call, "Content-Type")) {
        if (call->body_kind == AWS_BODY_JSON) {
            add_header(out, "Content-Type", "application/json");
        } else if (call->body_kind == AWS_BODY_RAW && call->content_type) {
            add_header(out, "Content-Type", call->content_type);
        }
    }
    for (size_t i = 0; i < call->n_headers; i++) {
        add_header(out, call->headers[i].name, call->headers[i].value);
    }

    switch (call->body_kind) {
    case AWS_BODY_NONE:
        out->body = NULL;
        out->body_len = 0;
        break;
    case AWS_BODY_JSON:
        /* apigateway.md 6.1: always an object, "{}" without members */
        if (call->body && call->body_len > 0) {
            out->body = call->body;
            out->body_len = call->body_len;
        } else {
            out->body = "{}";
            out->body_len = 2;
        }
        break;
    case AWS_BODY_RAW:
        out->body = call->body ? call->body : "";
        out->body_len = call->body ? call->body_len : 0;
        break;
    }
    return 0;
}

/* ---- errors ---- */

static const char *const auth_codes[] = {
    "AccessDeniedException",
    "ExpiredToken",
    "ExpiredTokenException",
    "IncompleteSignatureException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "MissingAuthenticationTokenException",
    "SignatureDoesNotMatch",
    "UnauthorizedException",
    "UnrecognizedClientException",
};

static bool is_auth_code(const char *code)
{
    for (size_t i = 0; i < sizeof(auth_codes) / sizeof(auth_codes[0]); i++) {
        if (strcmp(code, auth_codes[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* "Name:http://internal..." -> "Name"; "ns#Name" -> "Name" */
static char *code_from_type(const char *type)
{
    size_t len = strcspn(type, ":");
    while (len > 0 && (type[len - 1] == ' ' || type[len - 1] == '\t')) {
        len--;
    }
    const char *start = type;
    for (const char *p = type; p < type + len; p++) {
        if (*p == '#') {
            start = p + 1;
        }
    }
    while (start < type + len && (*start == ' ' || *start == '\t')) {
        start++;
    }
    if (start == type + len) {
        return NULL;
    }
    return xstrndup(start, (size_t)(type + len - start));
}

static const char *json_string_member(json_t *obj, const char *a, const char *b)
{
    json_t *v = json_object_get(obj, a);
    if (!json_is_string(v) && b) {
        v = json_object_get(obj, b);
    }
    return json_is_string(v) ? json_string_value(v) : NULL;
}

#define SNIPPET_MAX 300

/* A non-JSON body (moto's HTML 500s) as one short line of text. */
static void body_snippet(const struct buf *body, struct buf *out)
{
    bool in_tag = false;
    bool space = false;
    size_t i;
    for (i = 0; i < body->len && out->len < SNIPPET_MAX; i++) {
        unsigned char c = (unsigned char)body->data[i];
        if (c == '<') {
            in_tag = true;
            space = out->len > 0;
            continue;
        }
        if (in_tag) {
            in_tag = c != '>';
            continue;
        }
        if (c <= ' ' || c >= 0x7f) {
            space = out->len > 0;
            continue;
        }
        if (space) {
            buf_addch(out, ' ');
            space = false;
        }
        buf_addch(out, (char)c);
    }
    if (i < body->len && out->len >= SNIPPET_MAX) {
        buf_adds(out, "...");
    }
}

int aws_error_from_response(const char *operation,
                            const struct http_response *resp,
                            struct oag_error *err)
{
    char *code = NULL;
    char *message = NULL;
    json_t *body = NULL;
    struct buf text = BUF_INIT;
    const char *op = operation ? operation : "call";

    const char *type = http_response_header(resp, "x-amzn-ErrorType");
    if (type) {
        code = code_from_type(type);
    }
    if (resp->body.len > 0) {
        body = json_loadb(resp->body.data, resp->body.len, 0, NULL);
    }
    if (json_is_object(body)) {
        const char *s;
        if (!code && (s = json_string_member(body, "code", "Code"))) {
            code = code_from_type(s);
        }
        if (!code && (s = json_string_member(body, "__type", NULL))) {
            code = code_from_type(s);
        }
        if ((s = json_string_member(body, "message", "Message"))) {
            message = xstrdup(s);
        }
    } else if (resp->body.len > 0) {
        body_snippet(&resp->body, &text);
        if (text.len > 0) {
            message = buf_detach(&text, NULL);
        }
    }

    long status = resp->status;
    struct buf msg = BUF_INIT;
    buf_addf(&msg, "'%s' failed: ", op);
    if (code) {
        buf_addf(&msg, "%s (HTTP %ld)", code, status);
    } else {
        buf_addf(&msg, "HTTP %ld", status);
    }
    if (message && *message) {
        buf_addf(&msg, ": %s", message);
    }
    if (message && strstr(message, "Signature expired")) {
        buf_adds(&msg, " (check that the system clock is correct: a "
                       "signature is valid for 5 minutes)");
    }

    bool auth = status == 401 || status == 403 || (code && is_auth_code(code));
    oag_error_set(err, auth ? OAG_ERR_AUTH : OAG_ERR_AWS, "%s", buf_str(&msg));
    if (err) {
        err->http_status = status;
        err->aws_code = code ? xstrdup(code) : NULL;
        const char *rid = http_response_header(resp, "x-amzn-RequestId");
        if (!rid) {
            rid = http_response_header(resp, "x-amz-request-id");
        }
        err->request_id = rid && *rid ? xstrdup(rid) : NULL;
        long retry_after_ms = -1;
        const char *ra = http_response_header(resp, "Retry-After");
        if (ra && !retry_parse_retry_after(ra, &retry_after_ms)) {
            retry_after_ms = -1;
        }
        struct retry_input in = { 1,     status, code, message, retry_after_ms,
                                  false, false };
        err->retryable = retry_classify(&in) != RETRY_CLASS_NONE;
    }
    buf_release(&msg);
    buf_release(&text);
    json_decref(body);
    free(code);
    free(message);
    return -1;
}

/* ---- the client ---- */

struct aws_client *aws_client_new(const struct aws_client_options *opts,
                                  struct oag_error *err)
{
    static const struct aws_client_options none = { 0 };
    if (!opts) {
        opts = &none;
    }
    struct aws_client *c = xcalloc(1, sizeof(*c));
    struct buf ua = BUF_INIT;

    c->cred = cred_provider_new(&opts->cred, err);
    if (!c->cred) {
        goto fail;
    }
    const char *endpoint = cred_provider_endpoint(c->cred);
    if (!endpoint || !*endpoint) {
        oag_error_set(err, OAG_ERR_USAGE,
                      "no API Gateway endpoint is known "
                      "(set a region or --endpoint-url)");
        goto fail;
    }
    if (aws_endpoint_parse(endpoint, &c->endpoint, err) != 0) {
        goto fail;
    }
    const char *app_id =
        opts->app_id ? opts->app_id : getenv("AWS_SDK_UA_APP_ID");
    aws_user_agent_format(app_id, &ua);
    struct http_options http = opts->http;
    http.user_agent = buf_str(&ua);
    c->http = http_client_new(&http, err);
    if (!c->http) {
        goto fail;
    }
    c->trace = opts->http.trace;
    retry_policy_resolve(&opts->retry, &c->retry);
    c->rng_state = seed();
    c->random = opts->random ? opts->random : internal_random;
    c->random_ctx = opts->random ? opts->random_ctx : &c->rng_state;
    c->clock = opts->clock ? opts->clock : pace_clock_monotonic_ms;
    c->sleep = opts->sleep ? opts->sleep : pace_sleep_real;
    c->clock_ctx = opts->clock_ctx;
    c->now = opts->now ? opts->now : wall_clock;
    c->now_ctx = opts->now_ctx;
    if (!opts->no_pacing) {
        const struct pace_limit *limits = opts->pace_limits;
        size_t n = opts->n_pace_limits;
        if (!limits) {
            limits = pace_apigw_limits;
            n = pace_apigw_limits_len;
        }
        c->pace = pace_new(limits, n, c->clock, c->sleep, c->clock_ctx);
    }
    buf_release(&ua);
    return c;
fail:
    buf_release(&ua);
    aws_client_free(c);
    return NULL;
}

void aws_client_free(struct aws_client *client)
{
    if (!client) {
        return;
    }
    http_client_free(client->http);
    cred_provider_free(client->cred);
    pace_free(client->pace);
    aws_endpoint_release(&client->endpoint);
    free(client);
}

const struct aws_client_stats *aws_client_stats(const struct aws_client *client)
{
    return &client->stats;
}

void aws_client_stats_reset(struct aws_client *client)
{
    memset(&client->stats, 0, sizeof(client->stats));
}

struct cred_provider *aws_client_cred_provider(struct aws_client *client)
{
    return client->cred;
}

static void trace_note(struct aws_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void trace_note(struct aws_client *c, const char *fmt, ...)
{
    if (!c->trace) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("* oas2apigw: ", c->trace);
    vfprintf(c->trace, fmt, ap);
    fputc('\n', c->trace);
    va_end(ap);
}

/*
 * One attempt: sign prep with the current credentials and send.
 * 0 = a response (any status) is in out; -1 = err (credentials, signing
 * or transport).
 */
static int attempt_once(struct aws_client *c, const struct aws_call *call,
                        const struct aws_prepared *prep,
                        struct http_response *out, const struct cred **cred,
                        struct oag_error *err)
{
    struct sigv4_signature sig = { 0 };
    struct http_header *headers = NULL;
    int rc = -1;
    time_t now = c->now(c->now_ctx);

    if (cred_provider_get(c->cred, now, cred, err) != 0) {
        return -1;
    }
    const char *region = cred_provider_region(c->cred);
    if (!region || !*region) {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "no region is set (use --region or "
                             "AWS_REGION)");
    }
    struct sigv4_credentials keys = { (*cred)->access_key_id,
                                      (*cred)->secret_access_key,
                                      (*cred)->session_token };
    struct sigv4_request sreq = { call->method,          buf_str(&prep->path),
                                  buf_str(&prep->query), prep->headers,
                                  prep->n_headers,       prep->body,
                                  prep->body_len };
    if (sigv4_sign(&sreq, &keys, region, SIGNING_SERVICE, now, &sig, err) !=
        0) {
        goto out;
    }

    size_t n = 0;
    headers = xcalloc(prep->n_headers + 3, sizeof(*headers));
    for (size_t i = 0; i < prep->n_headers; i++) {
        headers[n++] = prep->headers[i];
    }
    headers[n].name = "X-Amz-Date";
    headers[n++].value = sig.amz_date;
    if (sig.security_token) {
        headers[n].name = "X-Amz-Security-Token";
        headers[n++].value = sig.security_token;
    }
    headers[n].name = "Authorization";
    headers[n++].value = sig.authorization;

    struct http_request req = { call->method,    buf_str(&prep->url),
                                headers,         n,
                                prep->body,      prep->body_len,
                                call->timeout_ms };
    rc = http_client_send(c->http, &req, out, err);
out:
    free(headers);
    sigv4_signature_release(&sig);
    return rc;
}

int aws_client_call(struct aws_client *client, const struct aws_call *call,
                    struct http_response *out, struct oag_error *err)
{
    struct aws_prepared prep;
    struct oag_error last = OAG_ERROR_INIT;
    const char *op = call->operation ? call->operation : "call";
    int rc = -1;
    unsigned attempt = 0;

    http_response_release(out);
    client->stats.calls++;
    if (aws_call_prepare(&client->endpoint, call, &prep, err) != 0) {
        return -1;
    }
    for (;;) {
        const struct cred *cred = NULL;
        attempt++;
        if (client->pace) {
            long long waited = pace_acquire(client->pace, op);
            client->stats.pace_sleep_ms += waited;
            client->stats.sleep_ms += waited;
            if (waited > 0) {
                trace_note(client, "%s: paced %lld ms", op, waited);
            }
        }
        client->stats.attempts++;
        if (attempt > 1) {
            client->stats.retries++;
        }
        trace_note(client, "%s attempt %u", op, attempt);
        oag_error_release(&last);

        struct retry_input in = { attempt, 0, NULL, NULL, -1, false, false };
        if (attempt_once(client, call, &prep, out, &cred, &last) != 0) {
            if (last.code != OAG_ERR_NETWORK) {
                break; /* credentials, signing, size cap: not retried */
            }
            in.network_error = true;
            in.network_retryable = last.retryable;
        } else if (out->status >= 200 && out->status <= 299) {
            rc = 0;
            break;
        } else {
            aws_error_from_response(op, out, &last);
            if (last.code == OAG_ERR_AUTH && cred && cred->source) {
                char *m = xstrfmt("%s (credentials from %s)", last.message,
                                  cred->source);
                free(last.message);
                last.message = m;
            }
            const char *ra = http_response_header(out, "Retry-After");
            in.http_status = out->status;
            in.aws_code = last.aws_code;
            in.message = last.message;
            if (!ra || !retry_parse_retry_after(ra, &in.retry_after_ms)) {
                in.retry_after_ms = -1;
            }
        }
        struct retry_decision d;
        retry_decide(&client->retry, &in, client->random, client->random_ctx,
                     &d);
        if (d.class == RETRY_CLASS_THROTTLE || d.class == RETRY_CLASS_LIMIT) {
            client->stats.throttled++;
        }
        if (!d.retry) {
            break;
        }
        trace_note(client, "%s: retrying in %ld ms (%s)", op, d.delay_ms,
                   retry_class_name(d.class));
        if (d.delay_ms > 0) {
            client->sleep(client->clock_ctx, d.delay_ms);
        }
        client->stats.retry_sleep_ms += d.delay_ms;
        client->stats.sleep_ms += d.delay_ms;
    }
    if (rc != 0) {
        http_response_release(out);
        if (attempt > 1) {
            struct buf m = BUF_INIT;
            buf_addf(&m, "%s (after %u attempts)", last.message, attempt);
            free(last.message);
            last.message = buf_detach(&m, NULL);
        }
        if (err) {
            oag_error_move(err, &last);
        }
    }
    oag_error_release(&last);
    aws_prepared_release(&prep);
    return rc;
}
