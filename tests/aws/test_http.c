/*
 * The transport and request building: operation paths with hostile ids,
 * the query, the endpoint and Host header, the headers of a call, the user
 * agent, redaction of the --debug trace, and what http.c actually puts on
 * the wire (checked with a scripted loopback peer, tests/aws/peer.h).
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/apigw_internal.h"
#include "aws/client.h"
#include "aws/client_internal.h"
#include "aws/http.h"
#include "aws/http_internal.h"
#include "tests/common.h"
#include "oag_config.h"
#include "tests/aws/peer.h"
#include "util/error.h"
#include "util/xalloc.h"

static bool has(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++) {
        n++;
    }
    return n;
}

/* ---- operation paths ---- */

static char *expand1(const char *tmpl, const char *value)
{
    struct buf out = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    const char *values[] = { value };
    cr_assert(eq(int, apigw_path_expand(tmpl, values, 1, &out, &err), 0), "%s",
              err.message ? err.message : "");
    return buf_detach(&out, NULL);
}

Test(http, hostile_ids_stay_one_path_segment)
{
    static const struct {
        const char *id;
        const char *want;
    } cases[] = {
        { "a1b2c3", "/restapis/a1b2c3" },
        { "../x", "/restapis/..%2Fx" },
        { "a/b", "/restapis/a%2Fb" },
        { "200?x", "/restapis/200%3Fx" },
        { "..", "/restapis/%2E%2E" },
        { ".", "/restapis/%2E" },
        { "a#b", "/restapis/a%23b" },
        { "a b", "/restapis/a%20b" },
        { "%2F", "/restapis/%252F" },
        { "x&y=z", "/restapis/x%26y%3Dz" },
        { "\xc3\xa9", "/restapis/%C3%A9" },
        { "...", "/restapis/..." },
        { "a-b_c.d~e", "/restapis/a-b_c.d~e" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = expand1("/restapis/{restapi_id}", cases[i].id);
        cr_expect(eq(str, got, (char *)cases[i].want), "id '%s'", cases[i].id);
        free(got);
    }
}

Test(http, status_code_and_method_are_encoded_in_integration_paths)
{
    const char *method;
    const char *uri;
    cr_assert(apigw_operation_route("PutIntegrationResponse", &method, &uri));
    cr_assert(eq(str, (char *)method, "PUT"));
    const char *values[] = { "api1", "res/1", "GET", "200?x" };
    struct buf out = BUF_INIT;
    cr_assert(eq(int, apigw_path_expand(uri, values, 4, &out, NULL), 0));
    cr_assert(eq(str, out.data,
                 "/restapis/api1/resources/res%2F1/methods/GET/integration/"
                 "responses/200%3Fx"));
    buf_release(&out);
}

Test(http, empty_path_values_are_refused_by_name)
{
    struct buf out = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    const char *values[] = { "api", "" };
    cr_assert(eq(int,
                 apigw_path_expand("/restapis/{restapi_id}/resources/"
                                   "{resource_id}",
                                   values, 2, &out, &err),
                 -1));
    cr_assert(eq(int, err.code, OAG_ERR_INVALID));
    cr_assert(eq(str, err.message, "'resource_id' is empty"));
    oag_error_release(&err);
    buf_reset(&out);
    const char *null_value[] = { NULL };
    cr_assert(eq(
        int,
        apigw_path_expand("/restapis/{restapi_id}", null_value, 1, &out, &err),
        -1));
    cr_assert(eq(str, err.message, "'restapi_id' is empty"));
    oag_error_release(&err);
    buf_reset(&out);
    cr_assert(eq(
        int, apigw_path_expand("/restapis/{restapi_id}", values, 2, &out, &err),
        -1));
    cr_assert(eq(int, err.code, OAG_ERR_INTERNAL));
    oag_error_release(&err);
    buf_release(&out);
}

/* Every route apigw.c uses is the service model's method and requestUri. */
Test(http, operation_routes_match_the_service_model)
{
    static const char *const ops[] = {
        "CreateDeployment",
        "DeleteIntegrationResponse",
        "GetExport",
        "GetIntegrationResponse",
        "GetMethod",
        "GetResources",
        "GetRestApi",
        "GetRestApis",
        "ImportRestApi",
        "PutIntegrationResponse",
        "PutMethodResponse",
        "PutRestApi",
        "UpdateMethodResponse",
    };
    char *path = test_shared_path("reference/apigateway-service-2.json");
    if (!path || !test_file_exists(path)) {
        free(path);
        cr_skip_test("../shared is absent");
    }
    json_error_t jerr;
    json_t *model = json_load_file(path, 0, &jerr);
    cr_assert(model != NULL, "%s: %s", path, jerr.text);
    json_t *operations = json_object_get(model, "operations");
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        json_t *http =
            json_object_get(json_object_get(operations, ops[i]), "http");
        const char *want_method =
            json_string_value(json_object_get(http, "method"));
        const char *want_uri =
            json_string_value(json_object_get(http, "requestUri"));
        cr_assert(want_method && want_uri, "%s not in the model", ops[i]);
        const char *method;
        const char *uri;
        cr_assert(apigw_operation_route(ops[i], &method, &uri), "%s", ops[i]);
        cr_expect(eq(str, (char *)method, (char *)want_method), "%s", ops[i]);
        /* the model's query part ("?mode=import") is sent as a query */
        size_t n = strcspn(want_uri, "?");
        cr_expect(eq(sz, strlen(uri), n), "%s: %s vs %s", ops[i], uri,
                  want_uri);
        cr_expect(eq(int, strncmp(uri, want_uri, n), 0), "%s: %s vs %s", ops[i],
                  uri, want_uri);
    }
    json_decref(model);
    free(path);
}

/* ---- query ---- */

Test(http, query_is_encoded_strictly_in_the_given_order)
{
    static const struct aws_query_param q[] = {
        { "position", "a+b/c=" }, { "limit", "500" },
        { "embed", "methods" },   { "name with space", "x y&z" },
        { "empty", "" },          { "tilde~", "\xc3\xa9" },
    };
    struct buf out = BUF_INIT;
    aws_query_format(q, 6, &out);
    cr_assert(eq(str, out.data,
                 "position=a%2Bb%2Fc%3D&limit=500&embed=methods&"
                 "name%20with%20space=x%20y%26z&empty=&tilde~=%C3%A9"));
    buf_release(&out);
    aws_query_format(NULL, 0, &out);
    cr_assert(eq(str, (char *)buf_str(&out), ""));
}

/* ---- endpoint ---- */

Test(http, endpoint_host_header_has_port_only_when_not_default)
{
    static const struct {
        const char *url;
        const char *origin;
        const char *host_header;
        const char *base;
    } cases[] = {
        { "http://127.0.0.1:5055", "http://127.0.0.1:5055", "127.0.0.1:5055",
          "" },
        { "https://apigateway.us-east-1.amazonaws.com:443",
          "https://apigateway.us-east-1.amazonaws.com:443",
          "apigateway.us-east-1.amazonaws.com", "" },
        { "HTTPS://ApiGateway.EU-West-1.AmazonAWS.com/",
          "https://apigateway.eu-west-1.amazonaws.com",
          "apigateway.eu-west-1.amazonaws.com", "" },
        { "http://localhost:80/", "http://localhost:80", "localhost", "" },
        { "http://localhost:443", "http://localhost:443", "localhost:443", "" },
        { "https://user:pw@h.example:8443/base/path//",
          "https://h.example:8443", "h.example:8443", "/base/path" },
        { "http://[::1]:8080/x", "http://[::1]:8080", "[::1]:8080", "/x" },
        { "https://[::1]", "https://[::1]", "[::1]", "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct aws_endpoint ep;
        struct oag_error err = OAG_ERROR_INIT;
        cr_assert(eq(int, aws_endpoint_parse(cases[i].url, &ep, &err), 0),
                  "%s: %s", cases[i].url, err.message);
        cr_expect(eq(str, ep.origin, (char *)cases[i].origin), "%s",
                  cases[i].url);
        cr_expect(eq(str, ep.host_header, (char *)cases[i].host_header), "%s",
                  cases[i].url);
        cr_expect(eq(str, ep.base_path, (char *)cases[i].base), "%s",
                  cases[i].url);
        aws_endpoint_release(&ep);
    }
}

Test(http, bad_endpoints_are_refused_without_showing_a_password)
{
    static const char *const bad[] = {
        "ftp://h",        "http://",
        "http://h:99999", "http://h:",
        "http://h/?q=1",  "http://[::1",
        "h.example",      "https://user:hunter2@:80/",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct aws_endpoint ep;
        struct oag_error err = OAG_ERROR_INIT;
        cr_expect(eq(int, aws_endpoint_parse(bad[i], &ep, &err), -1), "%s",
                  bad[i]);
        cr_expect(eq(int, err.code, OAG_ERR_USAGE));
        cr_expect(err.message && !has(err.message, "hunter2"), "%s",
                  err.message);
        oag_error_release(&err);
    }
}

/* ---- the headers of a call ---- */

static struct aws_endpoint local_endpoint(void)
{
    struct aws_endpoint ep;
    cr_assert(
        eq(int, aws_endpoint_parse("http://127.0.0.1:5055/", &ep, NULL), 0));
    return ep;
}

static const char *header(const struct aws_prepared *p, size_t i,
                          const char *name)
{
    cr_assert(lt(sz, i, p->n_headers), "no header %zu (%s)", i, name);
    cr_assert(eq(str, p->headers[i].name, (char *)name));
    return p->headers[i].value;
}

Test(http, get_sends_host_and_accept_json_and_no_content_type)
{
    struct aws_endpoint ep = local_endpoint();
    static const struct aws_query_param q[] = { { "position", "p/q" } };
    struct aws_call call = { .operation = "GetResources",
                             .method = "GET",
                             .path = "/restapis/a%2Fb/resources",
                             .query = q,
                             .n_query = 1 };
    struct aws_prepared p;
    cr_assert(eq(int, aws_call_prepare(&ep, &call, &p, NULL), 0));
    cr_assert(eq(str, p.url.data,
                 "http://127.0.0.1:5055/restapis/a%2Fb/resources?"
                 "position=p%2Fq"));
    cr_assert(eq(str, p.path.data, "/restapis/a%2Fb/resources"));
    cr_assert(eq(str, p.query.data, "position=p%2Fq"));
    cr_assert(eq(sz, p.n_headers, 2));
    cr_assert(eq(str, (char *)header(&p, 0, "Host"), "127.0.0.1:5055"));
    cr_assert(eq(str, (char *)header(&p, 1, "Accept"), "application/json"));
    cr_assert(eq(ptr, (void *)p.body, NULL));
    aws_prepared_release(&p);
    aws_endpoint_release(&ep);
}

Test(http, json_operation_without_members_sends_an_empty_object)
{
    struct aws_endpoint ep = local_endpoint();
    struct aws_call call = { .operation = "CreateDeployment",
                             .method = "POST",
                             .path = "/restapis/x/deployments",
                             .body_kind = AWS_BODY_JSON };
    struct aws_prepared p;
    cr_assert(eq(int, aws_call_prepare(&ep, &call, &p, NULL), 0));
    cr_assert(eq(sz, p.n_headers, 3));
    cr_assert(
        eq(str, (char *)header(&p, 2, "Content-Type"), "application/json"));
    cr_assert(eq(sz, p.body_len, 2));
    cr_assert(eq(int, memcmp(p.body, "{}", 2), 0));
    aws_prepared_release(&p);
    aws_endpoint_release(&ep);
}

Test(http, call_accept_and_raw_content_type_are_kept)
{
    struct aws_endpoint ep = local_endpoint();
    struct http_header extra[] = { { "Accept", "application/yaml" } };
    struct aws_call call = { .operation = "GetExport",
                             .method = "GET",
                             .path = "/restapis/x/stages/s/exports/oas30",
                             .headers = extra,
                             .n_headers = 1 };
    struct aws_prepared p;
    cr_assert(eq(int, aws_call_prepare(&ep, &call, &p, NULL), 0));
    cr_assert(eq(sz, p.n_headers, 2));
    cr_assert(eq(str, (char *)header(&p, 1, "Accept"), "application/yaml"));
    aws_prepared_release(&p);

    struct aws_call raw = { .operation = "PutRestApi",
                            .method = "PUT",
                            .path = "/restapis/x",
                            .body_kind = AWS_BODY_RAW,
                            .body = "openapi: 3.0.1\n",
                            .body_len = 15 };
    cr_assert(eq(int, aws_call_prepare(&ep, &raw, &p, NULL), 0));
    cr_assert(eq(sz, p.n_headers, 2), "no Content-Type unless given");
    cr_assert(eq(sz, p.body_len, 15));
    aws_prepared_release(&p);
    raw.content_type = "application/yaml";
    cr_assert(eq(int, aws_call_prepare(&ep, &raw, &p, NULL), 0));
    cr_assert(
        eq(str, (char *)header(&p, 2, "Content-Type"), "application/yaml"));
    aws_prepared_release(&p);
    aws_endpoint_release(&ep);
}

Test(http, malformed_calls_are_refused)
{
    struct aws_endpoint ep = local_endpoint();
    struct aws_prepared p;
    struct oag_error err = OAG_ERROR_INIT;
    struct aws_call call = { .operation = "GetRestApi",
                             .method = "GET",
                             .path = "/restapis/x?y" };
    cr_assert(eq(int, aws_call_prepare(&ep, &call, &p, &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_INTERNAL));
    oag_error_release(&err);
    call.path = "restapis";
    cr_assert(eq(int, aws_call_prepare(&ep, &call, &p, &err), -1));
    oag_error_release(&err);
    call.path = "/restapis/a b";
    cr_assert(eq(int, aws_call_prepare(&ep, &call, &p, &err), -1));
    oag_error_release(&err);
    struct http_header own[] = { { "authorization", "x" } };
    call.path = "/restapis";
    call.headers = own;
    call.n_headers = 1;
    cr_assert(eq(int, aws_call_prepare(&ep, &call, &p, &err), -1));
    cr_assert(eq(str, err.message,
                 "'GetRestApi' sets header "
                 "'authorization', which the client sets "
                 "itself"));
    oag_error_release(&err);
    aws_endpoint_release(&ep);
}

Test(http, user_agent_names_the_tool_and_the_app)
{
    struct buf ua = BUF_INIT;
    aws_user_agent_format(NULL, &ua);
    cr_assert(eq(str, ua.data, "oas2apigw/" OAG_VERSION));
    buf_reset(&ua);
    aws_user_agent_format("my app/1.0", &ua);
    cr_assert(eq(str, ua.data, "oas2apigw/" OAG_VERSION " app/my_app_1.0"));
    buf_reset(&ua);
    aws_user_agent_format("0123456789012345678901234567890123456789"
                          "0123456789TOO-LONG",
                          &ua);
    cr_assert(eq(str, ua.data,
                 "oas2apigw/" OAG_VERSION " app/"
                 "0123456789012345678901234567890123456789"
                 "0123456789"));
    buf_release(&ua);
}

/* ---- trace redaction ---- */

static char *redact_header(const char *line)
{
    struct buf out = BUF_INIT;
    http_trace_add_header(&out, line, strlen(line));
    return buf_detach(&out, NULL);
}

Test(http, trace_redacts_secret_headers)
{
    static const struct {
        const char *in;
        const char *want;
    } cases[] = {
        { "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
          "us-east-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, "
          "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924"
          "a6f2b5d7",
          "Authorization: [redacted]" },
        { "x-amz-security-token: IQoJb3JpZ2luX2VjEJr", "x-amz-security-token:"
                                                       " [redacted]" },
        { "X-Api-Key: abc", "X-Api-Key: [redacted]" },
        { "Proxy-Authorization: Basic dXNlcjpwYXNz",
          "Proxy-Authorization: [redacted]" },
        { "Set-Cookie: s=1", "Set-Cookie: [redacted]" },
        { "X-Amz-Security-Token;", "X-Amz-Security-Token; [redacted]" },
        { "X-Amz-Date: 20150830T123600Z", "X-Amz-Date: 20150830T123600Z" },
        { "Host: 127.0.0.1:5055", "Host: 127.0.0.1:5055" },
        { "HTTP/1.1 200 OK", "HTTP/1.1 200 OK" },
        { "x-amzn-RequestId: 1d3c", "x-amzn-RequestId: 1d3c" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = redact_header(cases[i].in);
        cr_expect(eq(str, got, (char *)cases[i].want));
        free(got);
    }
}

Test(http, trace_text_hides_user_info_of_urls)
{
    const char *in = "Uses proxy env variable http_proxy == "
                     "'http://user:s3cret@127.0.0.1:3128'";
    struct buf out = BUF_INIT;
    http_trace_add_text(&out, in, strlen(in));
    cr_assert(eq(str, out.data,
                 "Uses proxy env variable http_proxy == "
                 "'http://[redacted]@127.0.0.1:3128'"));
    buf_release(&out);
    const char *plain = "Connected to 127.0.0.1 (127.0.0.1) port 5055 (#0)";
    http_trace_add_text(&out, plain, strlen(plain));
    cr_assert(eq(str, out.data, (char *)plain));
    buf_release(&out);
}

/* ---- the wire ---- */

static const char reply_201[] = "HTTP/1.1 201 Created\r\n"
                                "X-Amzn-RequestId: r-1\r\n"
                                "Content-Type: application/json\r\n"
                                "X-Folded: a\r\n"
                                " b\r\n"
                                "Content-Length: 2\r\n"
                                "Connection: close\r\n"
                                "\r\n"
                                "{}";

static struct http_client *client_with(long timeout_ms, size_t max_bytes,
                                       FILE *trace)
{
    struct http_options o = { .timeout_ms = timeout_ms,
                              .connect_timeout_ms = 2000,
                              .max_response_bytes = max_bytes,
                              .user_agent = "oas2apigw/test",
                              .trace = trace };
    struct http_client *c = http_client_new(&o, NULL);
    cr_assert(c != NULL);
    return c;
}

Test(http, sends_exactly_the_given_headers_and_nothing_libcurl_adds,
     .timeout = 20)
{
    static const struct peer_step steps[] = { { PEER_REPLY, reply_201 } };
    struct peer peer;
    peer_start(&peer, steps, 1);

    /* above libcurl's Expect: 100-continue threshold (1 MiB) */
    size_t body_len = 1536 * 1024;
    char *body = xmalloc(body_len);
    memset(body, 'x', body_len);
    char *trace_path = test_write_temp("", 0, ".trace");
    FILE *trace = fopen(trace_path, "w");
    struct http_client *c = client_with(5000, 0, trace);
    char *url =
        xstrfmt("http://127.0.0.1:%d/restapis/a%%2Fb/../x?y=%%2F", peer.port);
    char *host = xstrfmt("127.0.0.1:%d", peer.port);
    struct http_header h[] = {
        { "Host", host },
        { "X-Amz-Date", "20150830T123600Z" },
        { "X-Amz-Security-Token", "SESSIONTOKENVALUE" },
        { "Authorization",
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
          "apigateway/aws4_request, SignedHeaders=host;x-amz-date, "
          "Signature=0123456789abcdef0123456789abcdef" },
    };
    struct http_request req = { "PUT", url, h, 4, body, body_len, 0 };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;

    cr_assert(eq(int, http_client_send(c, &req, &resp, &err), 0), "%s",
              err.message);
    fclose(trace);
    char *wire = peer_finish(&peer);

    /* the response */
    cr_assert(eq(long, resp.status, 201));
    cr_assert(eq(str, (char *)http_response_header(&resp, "x-amzn-requestid"),
                 "r-1"));
    cr_assert(eq(str, (char *)http_response_header(&resp, "X-Folded"), "a b"));
    cr_assert(eq(str, resp.body.data, "{}"));

    /* the request: path as is, exact headers, the whole body */
    static const char line[] = "=== request 1\n"
                               "PUT /restapis/a%2Fb/../x?y=%2F HTTP/1.1\r\n";
    cr_assert(eq(int, strncmp(wire, line, strlen(line)), 0),
              "request head:\n%.400s", wire);
    char *host_line = xstrfmt("\r\nHost: 127.0.0.1:%d\r\n", peer.port);
    cr_assert(has(wire, host_line), "%.600s", wire);
    cr_assert(eq(int, (int)count_of(wire, "Host:"), 1));
    cr_assert(has(wire, "\r\nUser-Agent: oas2apigw/test\r\n"));
    cr_assert(not(has(wire, "Expect:")), "%.600s", wire);
    cr_assert(not(has(wire, "Accept:")), "%.600s", wire);
    cr_assert(not(has(wire, "Content-Type:")), "%.600s", wire);
    char *clen = xstrfmt("Content-Length: %zu\r\n", body_len);
    cr_assert(has(wire, clen));
    cr_assert(has(wire, "X-Amz-Security-Token: SESSIONTOKENVALUE\r\n"));
    cr_assert(eq(sz, strlen(strstr(wire, "\r\n\r\n") + 4), body_len + 1));

    /* the trace has the request but no secret */
    char *t = test_read_file(trace_path, NULL);
    cr_assert(t != NULL);
    cr_assert(has(t, "> PUT /restapis/a%2Fb/../x?y=%2F HTTP/1.1"), "%s", t);
    cr_assert(has(t, "> Authorization: [redacted]"), "%s", t);
    cr_assert(has(t, "> X-Amz-Security-Token: [redacted]"), "%s", t);
    cr_assert(has(t, "< HTTP/1.1 201 Created"), "%s", t);
    cr_assert(not(has(t, "SESSIONTOKENVALUE")));
    cr_assert(not(has(t, "0123456789abcdef0123456789abcdef")));
    cr_assert(not(has(t, "AKIDEXAMPLE")));

    free(t);
    free(clen);
    free(host_line);
    free(wire);
    http_response_release(&resp);
    http_client_free(c);
    unlink(trace_path);
    free(trace_path);
    free(url);
    free(host);
    free(body);
}

Test(http, redirects_are_not_followed, .timeout = 20)
{
    static const struct peer_step steps[] = {
        { PEER_REPLY, "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\n"
                      "Content-Length: 0\r\nConnection: close\r\n\r\n" },
        { PEER_REPLY, reply_201 },
    };
    struct peer peer;
    peer_start(&peer, steps, 2);
    struct http_client *c = client_with(5000, 0, NULL);
    char *url = xstrfmt("http://127.0.0.1:%d/restapis", peer.port);
    struct http_request req = { "GET", url, NULL, 0, NULL, 0, 0 };
    struct http_response resp = { 0 };
    cr_assert(eq(int, http_client_send(c, &req, &resp, NULL), 0));
    cr_assert(eq(long, resp.status, 302));
    char *wire = peer_finish(&peer);
    cr_assert(not(has(wire, "=== request 2")));
    cr_assert(not(has(wire, "Accept:")), "%s", wire);
    free(wire);
    free(url);
    http_response_release(&resp);
    http_client_free(c);
}

Test(http, a_reset_connection_is_a_retryable_network_error, .timeout = 20)
{
    static const struct peer_step steps[] = { { PEER_RESET, NULL } };
    struct peer peer;
    peer_start(&peer, steps, 1);
    struct http_client *c = client_with(5000, 0, NULL);
    char *url = xstrfmt("http://127.0.0.1:%d/restapis", peer.port);
    struct http_request req = { "GET", url, NULL, 0, NULL, 0, 0 };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, http_client_send(c, &req, &resp, &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_NETWORK));
    cr_assert(err.retryable, "%s", err.message);
    char *want = xstrfmt("cannot send 'GET %s': ", url);
    cr_assert(eq(int, strncmp(err.message, want, strlen(want)), 0), "%s",
              err.message);
    free(want);
    free(peer_finish(&peer));
    oag_error_release(&err);
    free(url);
    http_client_free(c);
}

Test(http, a_silent_server_times_out_retryably, .timeout = 20)
{
    static const struct peer_step steps[] = { { PEER_HANG, NULL } };
    struct peer peer;
    peer_start(&peer, steps, 1);
    struct http_client *c = client_with(300, 0, NULL);
    char *url = xstrfmt("http://127.0.0.1:%d/restapis", peer.port);
    struct http_request req = { "GET", url, NULL, 0, NULL, 0, 0 };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, http_client_send(c, &req, &resp, &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_NETWORK));
    cr_assert(err.retryable);
    cr_assert(has(err.message, "imed out"), "%s", err.message);
    free(peer_finish(&peer));
    oag_error_release(&err);
    free(url);
    http_client_free(c);
}

Test(http, a_refused_connection_is_retryable, .timeout = 20)
{
    struct http_client *c = client_with(2000, 0, NULL);
    char *url = xstrfmt("http://127.0.0.1:%d/restapis", peer_closed_port());
    struct http_request req = { "GET", url, NULL, 0, NULL, 0, 0 };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, http_client_send(c, &req, &resp, &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_NETWORK));
    cr_assert(err.retryable, "%s", err.message);
    oag_error_release(&err);
    free(url);
    http_client_free(c);
}

Test(http, a_response_over_the_size_cap_is_an_error, .timeout = 20)
{
    static const struct peer_step steps[] = {
        { PEER_REPLY, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
                      "0123456789abcdefghijklmnopqrstuvwxyz" },
    };
    struct peer peer;
    peer_start(&peer, steps, 1);
    struct http_client *c = client_with(5000, 16, NULL);
    char *url = xstrfmt("http://127.0.0.1:%d/restapis", peer.port);
    struct http_request req = { "GET", url, NULL, 0, NULL, 0, 0 };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, http_client_send(c, &req, &resp, &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_LIMIT));
    char *want = xstrfmt("response to 'GET %s' exceeds 16 bytes", url);
    cr_assert(eq(str, err.message, want));
    cr_assert(eq(sz, resp.body.len, 0));
    free(want);
    free(peer_finish(&peer));
    oag_error_release(&err);
    free(url);
    http_client_free(c);
}

Test(http, header_values_with_line_breaks_are_refused)
{
    struct http_client *c = client_with(2000, 0, NULL);
    struct http_header h[] = { { "X-Evil", "a\r\nInjected: 1" } };
    struct http_request req = {
        "GET", "http://127.0.0.1:9/", h, 1, NULL, 0, 0
    };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, http_client_send(c, &req, &resp, &err), -1));
    cr_assert(eq(str, err.message,
                 "cannot send header 'X-Evil': line break in value"));
    oag_error_release(&err);
    http_client_free(c);
}

Test(http, client_lifecycle_accepts_null_options_and_null_free)
{
    struct http_client *c = http_client_new(NULL, NULL);
    cr_assert(c != NULL);
    http_client_free(c);
    http_client_free(NULL);
    struct http_response resp = { 0 };
    http_response_release(&resp);
    http_response_release(NULL);
}
