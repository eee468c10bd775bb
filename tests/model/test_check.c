/*
 * model/check.c: response parameter sources and destinations, template
 * media types, status codes and content handling
 * (../shared/reference/apigateway.md sections 2-4).
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "model/igr.h"
#include "util/error.h"

static bool is(bool x)
{
    return x;
}

static const char *const good_sources[] = {
    "integration.response.header.X-Trace",
    "integration.response.header.Content-Type",
    "integration.response.multivalueheader.Set-Cookie",
    "integration.response.body",
    "integration.response.body.redirect.url",
    "integration.response.body.items[0].id",
    "stageVariables.origin",
    "stageVariables.my_var-2",
    "context.requestId",
    "context.identity.sourceIp",
    "context.authorizer.principalId",
    "'*'",
    "'application/json'",
    "'GET,OPTIONS'",
    "''",
    "'a b'",
    "'it''s'",
};

static const char *const bad_sources[] = {
    "",
    "*",
    "application/json",
    "GET,OPTIONS",
    "true",
    "'unterminated",
    "'",
    "integration.response.header.",
    "integration.response.header.A B",
    "integration.response.header.A:B",
    "integration.response.multivalueheader.",
    "integration.response.body.",
    "integration.response.body.$.a",
    "integration.response.body..a",
    "integration.response.body.a b",
    "integration.response.bodyx",
    "stageVariables.",
    "stageVariables.a.b",
    "context.",
    "context.a/b",
    "method.request.header.X",
    "integration.request.path.id",
    "method.response.header.X",
    "integration.response.headers.X",
    "Integration.response.body",
    "request.body",
    "$context.requestId",
    "\"*\"",
};

Test(check, valid_sources_pass)
{
    for (size_t i = 0; i < sizeof(good_sources) / sizeof(good_sources[0]);
         i++) {
        struct oag_error err = OAG_ERROR_INIT;
        cr_expect(
            eq(int, igr_check_source_expression(good_sources[i], &err), 0),
            "'%s': %s", good_sources[i], err.message ? err.message : "");
        oag_error_release(&err);
    }
}

Test(check, invalid_sources_fail_with_a_message_naming_them)
{
    for (size_t i = 0; i < sizeof(bad_sources) / sizeof(bad_sources[0]); i++) {
        struct oag_error err = OAG_ERROR_INIT;
        cr_expect(
            eq(int, igr_check_source_expression(bad_sources[i], &err), -1),
            "'%s' accepted", bad_sources[i]);
        if (err.message && bad_sources[i][0]) {
            cr_expect(is(strstr(err.message, bad_sources[i]) != NULL), "%s",
                      err.message);
            cr_expect(eq(int, (int)err.code, OAG_ERR_INVALID));
        }
        oag_error_release(&err);
    }
}

Test(check, unquoted_star_says_what_is_wrong_and_shows_the_fix)
{
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, igr_check_source_expression("*", &err), -1));
    cr_expect(eq(str, err.message,
                 "invalid mapping expression '*': a static value must be "
                 "enclosed in single quotes, as \"'*'\""));
    oag_error_release(&err);
    cr_assert(
        eq(int, igr_check_source_expression("application/json", &err), -1));
    cr_expect(is(strstr(err.message, "\"'application/json'\"") != NULL), "%s",
              err.message);
    oag_error_release(&err);
}

Test(check, json_path_with_a_dollar_shows_the_form_without_it)
{
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(
        int,
        igr_check_source_expression("integration.response.body.$.error", &err),
        -1));
    cr_expect(
        is(strstr(err.message, "(integration.response.body.error)") != NULL),
        "%s", err.message);
    oag_error_release(&err);
}

Test(check, header_keys_must_be_method_response_headers)
{
    const char *name = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(
        eq(int,
           igr_check_header_key("method.response.header.X-Trace", &name, &err),
           0));
    cr_expect(eq(str, (char *)name, "X-Trace"));
    cr_expect(eq(
        int,
        igr_check_header_key(
            "method.response.header.Access-Control-Allow-Origin", NULL, &err),
        0));
    static const char *const bad[] = {
        "method.response.header.",
        "method.response.header.A B",
        "method.response.body",
        "method.request.header.X",
        "integration.response.header.X",
        "Method.Response.Header.X",
        "X-Trace",
        "",
        "method.response.header.A:B",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect(eq(int, igr_check_header_key(bad[i], &name, &err), -1),
                  "'%s' accepted", bad[i]);
        oag_error_release(&err);
    }
    igr_check_header_key("method.request.header.X", NULL, &err);
    cr_expect(eq(str, err.message,
                 "response parameter 'method.request.header.X' is not of "
                 "the form method.response.header.NAME (only method "
                 "response headers can be mapped)"));
    oag_error_release(&err);
}

Test(check, template_keys_must_be_media_types)
{
    static const char *const good[] = {
        "application/json",
        "text/html",
        "application/xml",
        "application/vnd.api+json",
        "text/plain",
        "image/png",
        "*/*",
        "application/x-www-form-urlencoded",
    };
    static const char *const bad[] = {
        "json",
        "",
        "/json",
        "application/",
        "application/json/x",
        "application json",
        "text/html; charset=utf-8",
        "default",
        "application/json ",
    };
    struct oag_error err = OAG_ERROR_INIT;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        cr_expect(eq(int, igr_check_media_type(good[i], &err), 0), "'%s'",
                  good[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect(eq(int, igr_check_media_type(bad[i], &err), -1),
                  "'%s' accepted", bad[i]);
        oag_error_release(&err);
    }
    igr_check_media_type("json", &err);
    cr_expect(eq(str, err.message,
                 "response template key 'json' is not a media type "
                 "(type/subtype, e.g. application/json)"));
    oag_error_release(&err);
}

Test(check, content_handling_is_one_of_two_strategies)
{
    cr_expect(is(igr_content_handling_is_valid("CONVERT_TO_BINARY")));
    cr_expect(is(igr_content_handling_is_valid("CONVERT_TO_TEXT")));
    cr_expect(is(!igr_content_handling_is_valid("PASSTHROUGH")));
    cr_expect(is(!igr_content_handling_is_valid("")));
    cr_expect(is(!igr_content_handling_is_valid("CONVERT_TO_TEXT ")));
}
