/*
 * Parsing of what API Gateway (or anything posing as it) answers.
 *
 * Input: the first byte picks the parser.
 *   even: an error response for aws_error_from_response (aws/client.h):
 *         two bytes of HTTP status, header lines "Name: value" up to an
 *         empty line, then the body;
 *   odd:  an endpoint URL for aws_endpoint_parse (aws/client_internal.h).
 * GetResources pages have their own target, fuzz_aws_pages.
 *
 * Properties: aws_error_from_response always returns -1 with a message
 * starting "'Op' failed: ", the status kept, code AUTH or AWS; a parsed
 * endpoint has scheme http(s), a non-empty host and a consistent origin.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/client_internal.h"
#include "aws/http.h"
#include "fuzz_common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

#define MAX_HEADERS 16

static void error_response(const uint8_t *data, size_t len)
{
    if (len < 2) {
        return;
    }
    struct http_response resp = { 0 };
    resp.status = 100 + (long)((data[0] << 8 | data[1]) % 500);
    const char *p = (const char *)data + 2;
    const char *end = (const char *)data + len;
    struct http_header hs[MAX_HEADERS];
    while (p < end && resp.n_headers < MAX_HEADERS) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *line = p;
        p = nl ? nl + 1 : end;
        if (n == 0) {
            break;
        }
        const char *colon = memchr(line, ':', n);
        size_t name_len = colon ? (size_t)(colon - line) : n;
        hs[resp.n_headers].name = xstrndup(line, name_len);
        hs[resp.n_headers].value =
            colon ? xstrndup(colon + 1, n - name_len - 1) : xstrdup("");
        resp.n_headers++;
    }
    resp.headers =
        resp.n_headers ? xmalloc(resp.n_headers * sizeof(*hs)) : NULL;
    if (resp.n_headers) {
        memcpy(resp.headers, hs, resp.n_headers * sizeof(*hs));
    }
    buf_add(&resp.body, p, (size_t)(end - p));

    struct oag_error err = OAG_ERROR_INIT;
    int rc = aws_error_from_response("GetResources", &resp, &err);
    if (rc != -1 || !err.message) {
        fuzz_fail("aws_error_from_response returned %d", rc);
    }
    if (strncmp(err.message, "'GetResources' failed: ", 23) != 0) {
        fuzz_fail("error message '%s' does not name the operation",
                  err.message);
    }
    if (err.http_status != resp.status) {
        fuzz_fail("status %ld became %ld", resp.status, err.http_status);
    }
    if (err.code != OAG_ERR_AWS && err.code != OAG_ERR_AUTH) {
        fuzz_fail("error code %d for an AWS answer", (int)err.code);
    }
    oag_error_release(&err);
    http_response_release(&resp);
}

static void endpoint(const uint8_t *data, size_t len)
{
    char *url = xstrndup((const char *)data, len);
    struct aws_endpoint ep = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    if (aws_endpoint_parse(url, &ep, &err) == 0) {
        if (!ep.scheme || (strcmp(ep.scheme, "http") != 0 &&
                           strcmp(ep.scheme, "https") != 0)) {
            fuzz_fail("endpoint '%s' parsed with scheme '%s'", url,
                      ep.scheme ? ep.scheme : "(null)");
        }
        if (!ep.host || !ep.host[0] || !ep.origin || !ep.host_header ||
            !ep.base_path) {
            fuzz_fail("endpoint '%s' parsed without a host", url);
        }
        if (strncmp(ep.origin, ep.scheme, strlen(ep.scheme)) != 0 ||
            !strstr(ep.origin, ep.host)) {
            fuzz_fail("origin '%s' does not hold scheme and host", ep.origin);
        }
        if (ep.base_path[0] &&
            (ep.base_path[0] != '/' ||
             ep.base_path[strlen(ep.base_path) - 1] == '/')) {
            fuzz_fail("base path '%s' of '%s' malformed", ep.base_path, url);
        }
        if (oag_error_is_set(&err)) {
            fuzz_fail("endpoint parsed but error set");
        }
    } else if (!err.message) {
        fuzz_fail("endpoint refused without a message");
    }
    aws_endpoint_release(&ep);
    oag_error_release(&err);
    free(url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    fuzz_setup();
    if (len == 0) {
        return 0;
    }
    if (data[0] % 2 == 0) {
        error_response(data + 1, len - 1);
    } else {
        endpoint(data + 1, len - 1);
    }
    return 0;
}
