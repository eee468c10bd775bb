/*
 * aws_error_from_response over recorded and transcribed AWS/moto error
 * responses: one case per directory under testdata/aws/errors (see its
 * README.md), so a new case needs no C.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "aws/http.h"
#include "tests/common.h"
#include "util/error.h"
#include "util/xalloc.h"

#define ERRORS_DIR "testdata/aws/errors"

struct error_case {
    char *name; /* cr_malloc'd */
};

static void free_cases(struct criterion_test_params *crp)
{
    struct error_case *cases = crp->params;
    for (size_t i = 0; i < crp->length; i++) {
        cr_free(cases[i].name);
    }
    cr_free(cases);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

ParameterizedTestParameters(errors, case_parses_as_expected)
{
    char *root = test_source_path(ERRORS_DIR);
    DIR *d = opendir(root);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strchr(e->d_name, '.')) {
            continue; /* ".", "..", README.md */
        }
        names = xreallocarray(names, n + 1, sizeof(*names));
        names[n++] = xstrdup(e->d_name);
    }
    if (d) {
        closedir(d);
    }
    free(root);
    qsort(names, n, sizeof(*names), compare_names);
    size_t count = n > 0 ? n : 1;
    struct error_case *cases = cr_malloc(count * sizeof(*cases));
    cases[0].name = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]) + 1;
        cases[i].name = cr_malloc(len);
        memcpy(cases[i].name, names[i], len);
        free(names[i]);
    }
    free(names);
    return cr_make_param_array(struct error_case, cases, count, free_cases);
}

static char *case_file(const char *name, const char *file)
{
    char *rel = xstrfmt(ERRORS_DIR "/%s/%s", name, file);
    char *path = test_source_path(rel);
    char *text = test_read_file(path, NULL);
    cr_assert(text != NULL, "cannot read %s", path);
    free(rel);
    free(path);
    return text;
}

/* Parses a raw HTTP response (CRLF) into resp, as libcurl would give it. */
static void parse_http(const char *text, struct http_response *resp)
{
    const char *p = text;
    const char *eol = strstr(p, "\r\n");
    cr_assert(eol && strncmp(p, "HTTP/1.1 ", 9) == 0, "bad status line");
    resp->status = strtol(p + 9, NULL, 10);
    p = eol + 2;
    while ((eol = strstr(p, "\r\n")) != NULL && eol != p) {
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        cr_assert(colon != NULL, "bad header line");
        const char *v = colon + 1;
        while (*v == ' ') {
            v++;
        }
        resp->headers = xreallocarray(resp->headers, resp->n_headers + 1,
                                      sizeof(*resp->headers));
        resp->headers[resp->n_headers].name = xstrndup(p, (size_t)(colon - p));
        resp->headers[resp->n_headers].value = xstrndup(v, (size_t)(eol - v));
        resp->n_headers++;
        p = eol + 2;
    }
    cr_assert(eol != NULL, "no end of headers");
    buf_adds(&resp->body, eol + 2);
}

/* The value of "key: value" in expected, or fails. */
static char *expected_value(const char *expected, const char *key)
{
    size_t klen = strlen(key);
    const char *p = expected;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > klen + 1 && strncmp(p, key, klen) == 0 && p[klen] == ':') {
            const char *v = p + klen + 1;
            while (*v == ' ') {
                v++;
            }
            return xstrndup(v, (size_t)(p + len - v));
        }
        p += len + (eol ? 1 : 0);
    }
    cr_assert(false, "expected has no '%s'", key);
    return NULL;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) {
        s[--n] = '\0';
    }
}

ParameterizedTest(struct error_case *c, errors, case_parses_as_expected)
{
    cr_assert(c->name != NULL, "no cases under " ERRORS_DIR);
    char *raw = case_file(c->name, "response.http");
    char *operation = case_file(c->name, "operation");
    char *expected = case_file(c->name, "expected");
    trim(operation);
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    parse_http(raw, &resp);

    cr_assert(eq(int, aws_error_from_response(operation, &resp, &err), -1));

    char *want = expected_value(expected, "code");
    cr_expect(eq(str, (char *)oag_error_code_name(err.code), want), "%s: code",
              c->name);
    free(want);
    want = expected_value(expected, "http_status");
    cr_expect(eq(long, err.http_status, strtol(want, NULL, 10)),
              "%s: http_status", c->name);
    free(want);
    want = expected_value(expected, "aws_code");
    cr_expect(eq(str, err.aws_code ? err.aws_code : "-", want), "%s: aws_code",
              c->name);
    free(want);
    want = expected_value(expected, "request_id");
    cr_expect(eq(str, err.request_id ? err.request_id : "-", want),
              "%s: request_id", c->name);
    free(want);
    want = expected_value(expected, "retryable");
    cr_expect(eq(str, err.retryable ? "true" : "false", want), "%s: retryable",
              c->name);
    free(want);
    want = expected_value(expected, "message");
    cr_expect(eq(str, err.message, want), "%s: message", c->name);
    free(want);

    oag_error_release(&err);
    http_response_release(&resp);
    free(raw);
    free(operation);
    free(expected);
}

Test(errors, recorded_cases_are_all_present)
{
    /* guards against the directory scan silently finding nothing */
    static const char *const names[] = {
        "aws-limit-exceeded-no-retry-after",
        "moto-500-html",
        "moto-not-found",
        "aws-signature-expired",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *rel = xstrfmt(ERRORS_DIR "/%s/response.http", names[i]);
        char *path = test_source_path(rel);
        cr_expect(test_file_exists(path), "%s missing", path);
        free(rel);
        free(path);
    }
}

Test(errors, unknown_status_without_body_names_the_status)
{
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    resp.status = 418;
    aws_error_from_response("GetRestApis", &resp, &err);
    cr_assert(eq(str, err.message, "'GetRestApis' failed: HTTP 418"));
    cr_assert(eq(int, err.code, OAG_ERR_AWS));
    cr_assert(eq(ptr, err.aws_code, NULL));
    cr_assert(not(err.retryable));
    oag_error_release(&err);
}

Test(errors, error_type_header_wins_over_body_and_keeps_text_after_hash)
{
    struct http_response resp = { 0 };
    struct http_header h[1] = {
        { xstrdup("X-Amzn-ErrorType"),
          xstrdup("aws.protocoltests#TooManyRequestsException:http://x/") },
    };
    struct oag_error err = OAG_ERROR_INIT;
    resp.status = 429;
    resp.headers = xmalloc(sizeof(h));
    memcpy(resp.headers, h, sizeof(h));
    resp.n_headers = 1;
    buf_adds(&resp.body, "{\"code\":\"Other\",\"Message\":\"slow down\"}");
    aws_error_from_response("GetResources", &resp, &err);
    cr_assert(eq(str, err.aws_code, "TooManyRequestsException"));
    cr_assert(eq(str, err.message,
                 "'GetResources' failed: "
                 "TooManyRequestsException (HTTP 429): "
                 "slow down"));
    cr_assert(err.retryable);
    oag_error_release(&err);
    http_response_release(&resp);
}

Test(errors, a_null_error_is_accepted)
{
    struct http_response resp = { 0 };
    resp.status = 500;
    cr_assert(eq(int, aws_error_from_response("GetRestApis", &resp, NULL), -1));
}
