/*
 * SigV4 canonicalisation (aws/sigv4.h) of arbitrary requests.
 *
 * Input: lines "METHOD\nPATH\nQUERY\n" then header lines "Name: value"
 * up to an empty line, then the body.  Properties: the canonical query is
 * idempotent (its pairs are already decoded, strictly encoded and sorted);
 * the canonical URI of a path starting with '/' exists and starts with
 * '/'; a canonical request that succeeds has the six parts (method, URI,
 * query, headers..., signed headers, hash) with a 64-hex hash last; signing
 * succeeds exactly when the canonical request does, and the Authorization
 * header names the signed headers.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/http.h"
#include "aws/sigv4.h"
#include "aws/sigv4_internal.h"
#include "fuzz_common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

#define MAX_HEADERS 16

/* Next line of [*p, end) as a new string; *p moves past its '\n'. */
static char *take_line(const char **p, const char *end)
{
    const char *s = *p;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
    *p = nl ? nl + 1 : end;
    return xstrndup(s, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    fuzz_setup();
    const char *p = (const char *)data;
    const char *end = p + len;
    char *method = take_line(&p, end);
    char *path = take_line(&p, end);
    char *query = take_line(&p, end);
    struct http_header headers[MAX_HEADERS];
    size_t n_headers = 0;
    while (p < end && n_headers < MAX_HEADERS) {
        char *line = take_line(&p, end);
        if (!line[0]) {
            free(line);
            break;
        }
        char *colon = strchr(line, ':');
        headers[n_headers].name = line;
        headers[n_headers].value = colon ? colon + 1 : line + strlen(line);
        if (colon) {
            *colon = '\0';
        }
        n_headers++;
    }
    const void *body = p;
    size_t body_len = (size_t)(end - p);

    /* canonical query: idempotent */
    struct buf q1 = BUF_INIT;
    struct buf q2 = BUF_INIT;
    sigv4_canonical_query(&q1, query);
    sigv4_canonical_query(&q2, buf_str(&q1));
    if (strcmp(buf_str(&q1), buf_str(&q2)) != 0) {
        fuzz_fail("canonical query not idempotent: '%s' -> '%s' -> '%s'", query,
                  buf_str(&q1), buf_str(&q2));
    }

    /* canonical URI */
    struct buf u = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    int urc = sigv4_canonical_uri(&u, path, &err);
    if ((path[0] == '/' || path[0] == '\0') != (urc == 0)) {
        fuzz_fail("canonical URI of '%s' returned %d", path, urc);
    }
    if (urc == 0 && buf_str(&u)[0] != '/') {
        fuzz_fail("canonical URI '%s' does not start with '/'", buf_str(&u));
    }
    oag_error_release(&err);

    /* the whole canonical request */
    struct sigv4_request req = {
        .method = method,
        .path = path,
        .query = query,
        .headers = headers,
        .n_headers = n_headers,
        .body = body,
        .body_len = body_len,
    };
    struct buf cr = BUF_INIT;
    struct buf sh = BUF_INIT;
    int crc =
        sigv4_canonical_request(&req, "20150830T123600Z", NULL, &cr, &sh, &err);
    if (crc == 0) {
        const char *s = buf_str(&cr);
        const char *last = strrchr(s, '\n');
        if (!last || strlen(last + 1) != 64 ||
            strspn(last + 1, "0123456789abcdef") != 64) {
            fuzz_fail("canonical request does not end with a hash");
        }
        if (strncmp(s, method, strlen(method)) != 0 ||
            s[strlen(method)] != '\n') {
            fuzz_fail("canonical request does not start with the method");
        }
        if (!strstr(buf_str(&sh), "x-amz-date")) {
            fuzz_fail("signed headers '%s' lack x-amz-date", buf_str(&sh));
        }
    } else if (!err.message) {
        fuzz_fail("canonical request failed without a message");
    }
    oag_error_release(&err);

    struct sigv4_credentials cred = {
        .access_key_id = "AKIDEXAMPLE",
        .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        .session_token = NULL,
    };
    struct sigv4_signature sig = { 0 };
    int src = sigv4_sign(&req, &cred, "us-east-1", "apigateway", 1440938160,
                         &sig, &err);
    if (src != crc) {
        fuzz_fail("sign returned %d, canonical request %d", src, crc);
    }
    if (src == 0) {
        if (strncmp(sig.authorization, "AWS4-HMAC-SHA256 Credential=", 28) !=
                0 ||
            !strstr(sig.authorization, buf_str(&sh))) {
            fuzz_fail("Authorization '%s' malformed", sig.authorization);
        }
    }
    sigv4_signature_release(&sig);
    oag_error_release(&err);
    buf_release(&cr);
    buf_release(&sh);
    buf_release(&u);
    buf_release(&q1);
    buf_release(&q2);
    for (size_t i = 0; i < n_headers; i++) {
        free(headers[i].name);
    }
    free(method);
    free(path);
    free(query);
    return 0;
}
