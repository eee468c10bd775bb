/*
 * extract: the golden cases under testdata/convert (records written by
 * hand from the rules), the real-AWS oracle files under
 * ../shared/testdata/external/localstack, and bad input.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "model/igr.h"
#include "tests/common.h"
#include "tests/convert/cases.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

static bool is(bool x)
{
    return x;
}

ParameterizedTestParameters(extract, case_gives_the_expected_records)
{
    return tc_case_params("testdata/convert");
}

ParameterizedTest(struct tc_case *c, extract, case_gives_the_expected_records)
{
    cr_assert(is(c->name != NULL), "no cases under testdata/convert");
    char *root = test_source_path("testdata/convert");
    char *dir = xstrfmt("%s/%s", root, c->name);
    char *name = NULL;
    char *data = NULL;
    size_t len = 0;
    tc_input(dir, &name, &data, &len);
    struct conv_options opts;
    tc_options(dir, &opts);
    char *want_text = tc_read(dir, "expected.json", NULL);
    cr_assert(is(want_text != NULL), "%s: no expected.json", c->name);
    json_error_t je;
    json_t *want = json_loads(want_text, 0, &je);
    cr_assert(is(want != NULL), "%s/expected.json: %s", c->name, je.text);

    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    json_t *got = tc_extract(data, len, name, &opts, &diags, &err);
    char *dtext = tc_format_diags(&diags);
    cr_assert(is(got != NULL), "%s: %s\n%s", c->name,
              err.message ? err.message : "", dtext);
    char *g = tc_show(got);
    char *w = tc_show(want);
    cr_expect(is(json_equal(got, want)), "%s:\n got %s\nwant %s", c->name, g,
              w);
    char *want_diags = tc_read(dir, "diagnostics", NULL);
    cr_expect(eq(str, dtext, want_diags ? want_diags : ""), "%s diagnostics",
              c->name);

    free(want_diags);
    free(g);
    free(w);
    free(dtext);
    json_decref(got);
    json_decref(want);
    free(want_text);
    oag_error_release(&err);
    oag_error_list_release(&diags);
    free(data);
    free(name);
    free(dir);
    free(root);
}

static int collect(void *ctx, const struct igr_record *rec,
                   struct oag_error *err)
{
    (void)err;
    igr_record_copy(igr_list_add(ctx), rec);
    return 0;
}

ParameterizedTestParameters(extract, file_reader_agrees_with_memory_reader)
{
    return tc_case_params("testdata/convert");
}

ParameterizedTest(struct tc_case *c, extract,
                  file_reader_agrees_with_memory_reader)
{
    cr_assert(is(c->name != NULL));
    char *root = test_source_path("testdata/convert");
    char *dir = xstrfmt("%s/%s", root, c->name);
    char *name = NULL;
    char *data = NULL;
    size_t len = 0;
    tc_input(dir, &name, &data, &len);
    struct conv_options opts;
    tc_options(dir, &opts);
    char *path = xstrfmt("%s/%s", dir, name);
    struct igr_list a = { 0 };
    struct igr_list b = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int,
                 conv_extract_file(path, name, &opts, collect, &a, NULL, &err),
                 0),
              "%s: %s", c->name, err.message ? err.message : "");
    cr_assert(
        eq(int, conv_extract_list(data, len, name, &opts, &b, NULL, &err), 0));
    cr_assert(eq(sz, a.len, b.len));
    for (size_t i = 0; i < a.len; i++) {
        cr_expect(is(igr_record_equal(&a.items[i], &b.items[i])),
                  "%s record %zu", c->name, i);
    }
    igr_list_release(&a);
    igr_list_release(&b);
    free(path);
    free(data);
    free(name);
    free(dir);
    free(root);
}

/* ---- the oracle: what real API Gateway stored after importing ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s);
    size_t m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* An oracle record in our form: null template = "", decoded JSON kept. */
static json_t *normalise_oracle(json_t *rec, json_t **out_decoded)
{
    json_t *r = json_deep_copy(rec);
    *out_decoded =
        json_incref(json_object_get(r, "_snapshotDecodedJsonTemplates"));
    json_object_del(r, "_snapshotDecodedJsonTemplates");
    json_t *t = json_object_get(r, "responseTemplates");
    const char *k;
    json_t *v;
    json_object_foreach (t, k, v) {
        if (json_is_null(v)) {
            json_object_set_new(t, k, json_string(""));
        }
    }
    if (json_is_object(t) && json_object_size(t) == 0) {
        json_object_del(r, "responseTemplates");
    }
    json_t *p = json_object_get(r, "responseParameters");
    if (json_is_object(p) && json_object_size(p) == 0) {
        json_object_del(r, "responseParameters");
    }
    json_t *sp = json_object_get(r, "selectionPattern");
    if (json_is_null(sp) || (json_is_string(sp) && !*json_string_value(sp))) {
        json_object_del(r, "selectionPattern");
    }
    return r;
}

/* Our record vs an oracle record, templates in decoded compared parsed. */
static bool record_matches(json_t *ours, json_t *oracle, json_t *decoded)
{
    if (!json_is_array(decoded) || json_array_size(decoded) == 0) {
        return json_equal(ours, oracle);
    }
    json_t *a = json_deep_copy(ours);
    json_t *ta = json_object_get(a, "responseTemplates");
    size_t i;
    json_t *ct;
    json_array_foreach (decoded, i, ct) {
        const char *type = json_string_value(ct);
        const char *text = json_string_value(json_object_get(ta, type));
        json_t *parsed = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
        if (parsed) {
            json_object_set_new(ta, type, parsed);
        }
    }
    bool eq = json_equal(a, oracle);
    json_decref(a);
    return eq;
}

static void compare_with_oracle(const char *dir, const char *oracle_name,
                                size_t *failures)
{
    /* X.basepath-MODE.expected.json or X.expected.json (mode ignore) */
    char *doc_name = xstrdup(oracle_name);
    doc_name[strlen(doc_name) - strlen(".expected.json")] = '\0';
    struct conv_options opts = { 0 };
    char *bp = strstr(doc_name, ".basepath-");
    if (bp) {
        cr_assert(
            eq(int, conv_basepath_parse(bp + 10, &opts.basepath, NULL), 0),
            "%s: mode", oracle_name);
        *bp = '\0';
    }
    size_t len = 0;
    char *data = tc_read(dir, doc_name, &len);
    cr_assert(is(data != NULL), "%s: no document %s", oracle_name, doc_name);
    char *otext = tc_read(dir, oracle_name, NULL);
    json_t *oracle = json_loads(otext, 0, NULL);
    cr_assert(is(json_is_array(oracle)), "%s is not an array", oracle_name);
    struct oag_error err = OAG_ERROR_INIT;
    json_t *ours = tc_extract(data, len, doc_name, &opts, NULL, &err);
    cr_assert(is(ours != NULL), "%s: %s", doc_name,
              err.message ? err.message : "");
    /* order-insensitive: every oracle record matches one of ours, 1:1 */
    size_t n = json_array_size(oracle);
    bool ok = n == json_array_size(ours);
    bool *used = xcalloc(json_array_size(ours) + 1, sizeof(*used));
    size_t i;
    json_t *o;
    json_array_foreach (oracle, i, o) {
        json_t *decoded = NULL;
        json_t *norm = normalise_oracle(o, &decoded);
        bool found = false;
        for (size_t j = 0; j < json_array_size(ours) && !found; j++) {
            if (!used[j] &&
                record_matches(json_array_get(ours, j), norm, decoded)) {
                used[j] = true;
                found = true;
            }
        }
        if (!found) {
            char *s = tc_show(norm);
            cr_log_error("%s: no record of ours matches %s", oracle_name, s);
            free(s);
            ok = false;
        }
        json_decref(norm);
        json_decref(decoded);
    }
    if (!ok) {
        char *s = tc_show(ours);
        cr_log_error("%s: ours: %s", oracle_name, s);
        free(s);
        (*failures)++;
    }
    free(used);
    json_decref(ours);
    json_decref(oracle);
    free(otext);
    free(data);
    free(doc_name);
}

Test(oracle, extract_matches_what_real_api_gateway_stored)
{
    char *dir = test_shared_path("testdata/external/localstack");
    if (!dir) {
        cr_skip_test("../shared is absent: oracle files not compared");
    }
    size_t n = 0;
    char **names = tc_list(dir, &n);
    size_t compared = 0;
    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ends_with(names[i], ".expected.json") ||
            strstr(names[i], ".export-")) {
            continue;
        }
        compare_with_oracle(dir, names[i], &failures);
        compared++;
    }
    cr_log_info("oracle files compared: %zu, mismatches: %zu", compared,
                failures);
    cr_expect(eq(sz, failures, 0));
    cr_expect(is(compared >= 11), "only %zu oracle files found in %s", compared,
              dir);
    tc_list_free(names, n);
    free(dir);
}

/* ---- bad input: an error with a location, never a crash ---- */

static void expect_problem(const char *doc, size_t len, const char *want)
{
    struct conv_options opts = { 0 };
    opts.limits.max_depth = 64;
    opts.limits.max_token_bytes = 4096;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    json_t *got = tc_extract(doc, len, "bad.yaml", &opts, &diags, &err);
    cr_expect(is(got == NULL), "extract succeeded on %s", want);
    char *d = tc_format_diags(&diags);
    char *e = oag_error_format(&err, OAG_SEV_ERROR);
    cr_expect(is(strstr(d, want) != NULL || strstr(e, want) != NULL),
              "want '%s' in\n%s\n%s", want, d, e);
    free(d);
    free(e);
    json_decref(got);
    oag_error_release(&err);
    oag_error_list_release(&diags);
}

Test(extract, bad_documents_give_located_errors)
{
    expect_problem("- a\n- b\n", 8,
                   "bad.yaml:1:1: error: document root is not a mapping");
    expect_problem("swagger: '2.0'\npaths: [1]\n", 26,
                   "bad.yaml:2:8: error: 'paths' is not a mapping");
    expect_problem("", 0, "document is empty");
    expect_problem("a: 1\n", 5, "no 'swagger' or 'openapi' key");
    expect_problem("swagger: '2.0'\npaths: {/a: {get: {\n", 35,
                   "bad.yaml:3:1: error:");
    expect_problem(
        "swagger: '2.0'\nx: \"\xC3\x28\"\n", 21,
        "bad.yaml:2:6: error: invalid trailing UTF-8 octet (byte 0x28)");
    expect_problem("openapi: 4.0.0\npaths: {}\n", 25,
                   "unsupported openapi version '4.0.0'");
    expect_problem("swagger: '2.0'\nx: &a [1, 2]\n---\ny: 1\n", 36,
                   "more than one YAML document");
}

Test(extract, hostile_documents_stop_at_their_limits)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "swagger: '2.0'\npaths:\n  /a:\n    get:\n      x: ");
    for (int i = 0; i < 100000; i++) {
        buf_addch(&b, '[');
    }
    expect_problem(b.data, b.len, "nesting deeper than 64 levels");
    buf_reset(&b);
    buf_adds(&b, "swagger: '2.0'\nx: '");
    for (int i = 0; i < 200000; i++) {
        buf_addch(&b, 'x');
    }
    buf_adds(&b, "'\n");
    expect_problem(b.data, b.len, "larger than the limit of 4096 bytes");
    buf_reset(&b);
    buf_adds(&b, "swagger: '2.0'\nx: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'k'; c++) {
        buf_addf(&b, "%c: &%c [", c, c);
        for (int i = 0; i < 10; i++) {
            buf_addf(&b, "%s*%c", i ? ", " : "", c == 'b' ? 'a' : c - 1);
        }
        buf_adds(&b, "]\n");
    }
    buf_adds(&b, "paths:\n  /p:\n    get:\n      x-amazon-apigateway-"
                 "integration:\n        responses: *k\n");
    expect_problem(b.data, b.len, "alias bomb");
    buf_release(&b);
}

Test(extract, binary_junk_never_crashes)
{
    unsigned s = 7;
    for (int round = 0; round < 300; round++) {
        size_t n = (size_t)(round * 13 % 700);
        char *doc = xmalloc(n + 1);
        for (size_t i = 0; i < n; i++) {
            s = s * 1103515245u + 12345u;
            doc[i] = (char)(s >> 16);
        }
        struct oag_error_list diags = OAG_ERROR_LIST_INIT;
        struct oag_error err = OAG_ERROR_INIT;
        struct conv_options opts = { 0 };
        json_t *got = tc_extract(doc, n, "junk", &opts, &diags, &err);
        cr_expect(is(got == NULL));
        json_decref(got);
        oag_error_release(&err);
        oag_error_list_release(&diags);
        free(doc);
    }
}

static int stop_after_one(void *ctx, const struct igr_record *rec,
                          struct oag_error *err)
{
    size_t *count = ctx;
    (*count)++;
    (void)rec;
    return oag_error_set(err, OAG_ERR_IO, "stop");
}

Test(extract, a_failing_callback_stops_the_walk_with_its_error)
{
    const char *doc =
        "swagger: '2.0'\npaths:\n  /a:\n    get:\n"
        "      x-amazon-apigateway-integration:\n        responses:\n"
        "          default: {statusCode: '200'}\n"
        "          '4\\d{2}': {statusCode: '400'}\n";
    size_t count = 0;
    struct oag_error err = OAG_ERROR_INIT;
    struct conv_options opts = { 0 };
    cr_expect(eq(int,
                 conv_extract_memory(doc, strlen(doc), "a.yaml", &opts,
                                     stop_after_one, &count, NULL, &err),
                 -1));
    cr_expect(eq(sz, count, 1));
    cr_expect(eq(int, (int)err.code, OAG_ERR_IO));
    oag_error_release(&err);
}

Test(extract, entries_that_cannot_become_records_are_errors_with_pointers)
{
    const char *doc =
        "swagger: '2.0'\npaths:\n  /a:\n    get:\n"
        "      x-amazon-apigateway-integration:\n        responses:\n"
        "          default: {responseTemplates: {}}\n"
        "          '4\\d{2}': {statusCode: [400]}\n"
        "          '5\\d{2}': {statusCode: '500', responseTemplates: "
        "{application/json: 1}}\n"
        "          '3\\d{2}': 7\n";
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    struct conv_options opts = { 0 };
    json_t *got = tc_extract(doc, strlen(doc), "a.yaml", &opts, &diags, &err);
    cr_expect(is(got == NULL));
    /*
     * extract keeps no positions inside responses blocks (speed), so its
     * locations are the integration's; validate gives the entries' own.
     * The messages and pointers are exact.
     */
    oag_error_list_sort(&diags);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < diags.len; i++) {
        struct oag_error *e = &diags.items[i].error;
        cr_expect(eq(str, e->file, "a.yaml"));
        cr_expect(is(e->line > 0 && e->column > 0));
        buf_addf(&b, "%s (at %s)\n", e->message, e->pointer);
    }
    char *d = buf_detach(&b, NULL);
    cr_expect(eq(str, d,
                 "integration response 'default' has "
                 "no statusCode (at /paths/~1a/get/x-amazon-apigateway-"
                 "integration/responses/default)\n"
                 "statusCode of '4\\d{2}' must be a "
                 "string such as \"200\" (at /paths/~1a/get/x-amazon-"
                 "apigateway-integration/responses/4\\d{2}/statusCode)\n"
                 "value of 'application/json' in "
                 "'responseTemplates' must be a string (at /paths/~1a/get/"
                 "x-amazon-apigateway-integration/responses/5\\d{2}/"
                 "responseTemplates/application~1json)\n"
                 "integration response '3\\d{2}' is "
                 "not a mapping (at /paths/~1a/get/x-amazon-apigateway-"
                 "integration/responses/3\\d{2})\n"));
    cr_expect(eq(str, err.message, "4 problems in 'a.yaml'"));
    free(d);
    oag_error_release(&err);
    oag_error_list_release(&diags);
}

/*
 * extract reads an integration's responses block of the common shape
 * straight from the events (no tree) and hands anything else to the tree
 * path: both must give the same records, diagnostics and errors on every
 * document we have, in every base-path mode.
 */
static size_t parity_failures;

static char *extract_text(const char *data, size_t len, const char *name,
                          const struct conv_options *opts)
{
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    json_t *recs = tc_extract(data, len, name, opts, &diags, &err);
    char *d = tc_format_diags(&diags);
    char *r = recs ? json_dumps(recs, JSON_COMPACT) : NULL;
    char *out = xstrfmt("rc %d code %d %lu:%lu %s\n%s%s", recs ? 0 : -1,
                        (int)err.code, err.line, err.column,
                        err.message ? err.message : "", d, r ? r : "");
    free(r);
    free(d);
    json_decref(recs);
    oag_error_list_release(&diags);
    oag_error_release(&err);
    return out;
}

static void parity_visit(const char *path, const char *data, size_t len,
                         void *ctx)
{
    (void)ctx;
    for (int mode = 0; mode < 3; mode++) {
        struct conv_options fast = { .basepath = (enum conv_basepath)mode };
        struct conv_options tree = fast;
        tree.tree_only = true;
        char *a = extract_text(data, len, "doc", &fast);
        char *b = extract_text(data, len, "doc", &tree);
        if (strcmp(a, b) != 0) {
            parity_failures++;
            cr_log_error("%s (base path mode %d):\nfast: %.2000s\ntree: "
                         "%.2000s",
                         path, mode, a, b);
        }
        free(a);
        free(b);
    }
}

Test(extract, the_event_path_agrees_with_the_tree_path_on_every_document,
     .timeout = 300)
{
    parity_failures = 0;
    size_t parity_docs = tc_each_document(parity_visit, NULL);
    cr_expect(gt(sz, parity_docs, 100), "only %zu documents found",
              parity_docs);
    cr_expect(eq(sz, parity_failures, 0));
}
