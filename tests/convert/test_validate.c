/*
 * validate: every case under testdata/validate gives exactly the
 * diagnostics in its expected.txt (the binary is checked on the same cases
 * by tests/cli/test_cli.c).
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "tests/common.h"
#include "tests/convert/cases.h"
#include "util/error.h"
#include "util/xalloc.h"

static bool is(bool x)
{
    return x;
}

ParameterizedTestParameters(validate, case_gives_the_expected_diagnostics)
{
    return tc_case_params("testdata/validate");
}

ParameterizedTest(struct tc_case *c, validate,
                  case_gives_the_expected_diagnostics)
{
    cr_assert(is(c->name != NULL), "no cases under testdata/validate");
    char *root = test_source_path("testdata/validate");
    char *dir = xstrfmt("%s/%s", root, c->name);
    char *name = NULL;
    char *data = NULL;
    size_t len = 0;
    tc_input(dir, &name, &data, &len);
    struct conv_options opts;
    tc_options(dir, &opts);
    char *want = tc_read(dir, "expected.txt", NULL);
    cr_assert(is(want != NULL), "%s: no expected.txt", c->name);

    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    conv_validate_memory(data, len, name, &opts, &diags);
    char *got = tc_format_diags(&diags);
    cr_expect(eq(str, got, want), "%s", c->name);
    /* errors and warnings are counted as the lines say */
    size_t errors = 0;
    for (const char *p = want; (p = strstr(p, ": error: ")) != NULL; p++) {
        errors++;
    }
    cr_expect(eq(sz, diags.n_errors, errors), "%s", c->name);

    /* the file reader says the same */
    char *path = xstrfmt("%s/%s", dir, name);
    struct oag_error_list fd = OAG_ERROR_LIST_INIT;
    conv_validate_file(path, name, &opts, &fd);
    char *fgot = tc_format_diags(&fd);
    cr_expect(eq(str, fgot, want), "%s (file reader)", c->name);

    free(fgot);
    oag_error_list_release(&fd);
    free(path);
    free(got);
    oag_error_list_release(&diags);
    free(want);
    free(data);
    free(name);
    free(dir);
    free(root);
}

Test(validate, every_convert_case_validates_without_errors)
{
    /* the golden extract cases are documents API Gateway accepts */
    char *root = test_source_path("testdata/convert");
    size_t n = 0;
    char **names = tc_list(root, &n);
    for (size_t i = 0; i < n; i++) {
        char *dir = xstrfmt("%s/%s", root, names[i]);
        char *desc = tc_read(dir, "description", NULL);
        char *why = tc_read(dir, "not-valid-for-aws", NULL);
        if (desc && !why) {
            char *name = NULL;
            char *data = NULL;
            size_t len = 0;
            tc_input(dir, &name, &data, &len);
            struct conv_options opts;
            tc_options(dir, &opts);
            struct oag_error_list diags = OAG_ERROR_LIST_INIT;
            conv_validate_memory(data, len, name, &opts, &diags);
            char *got = tc_format_diags(&diags);
            cr_expect(eq(sz, diags.n_errors, 0), "%s:\n%s", names[i], got);
            free(got);
            oag_error_list_release(&diags);
            free(data);
            free(name);
        }
        free(why);
        free(desc);
        free(dir);
    }
    tc_list_free(names, n);
    free(root);
}

/*
 * validate reads an integration's responses block of the common shape from
 * the events and locates what it reports with the events it kept; anything
 * else becomes a tree with positions.  Both must give the same diagnostics
 * (text, severity, file:line:column, pointer) on every document we have,
 * in every base-path mode.
 */
static size_t validate_parity_failures;

static char *validate_text(const char *data, size_t len,
                           const struct conv_options *opts)
{
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    int rc = conv_validate_memory(data, len, "doc", opts, &diags);
    char *d = tc_format_diags(&diags);
    char *out = xstrfmt("rc %d errors %zu\n%s", rc, diags.n_errors, d);
    free(d);
    oag_error_list_release(&diags);
    return out;
}

static void validate_parity_visit(const char *path, const char *data,
                                  size_t len, void *ctx)
{
    (void)ctx;
    for (int mode = 0; mode < 3; mode++) {
        struct conv_options fast = { .basepath = (enum conv_basepath)mode };
        struct conv_options tree = fast;
        tree.tree_only = true;
        char *a = validate_text(data, len, &fast);
        char *b = validate_text(data, len, &tree);
        if (strcmp(a, b) != 0) {
            validate_parity_failures++;
            cr_log_error("%s (base path mode %d):\nfast: %.3000s\ntree: "
                         "%.3000s",
                         path, mode, a, b);
        }
        free(a);
        free(b);
    }
}

Test(validate, the_event_path_agrees_with_the_tree_path_on_every_document,
     .timeout = 300)
{
    validate_parity_failures = 0;
    size_t docs = tc_each_document(validate_parity_visit, NULL);
    cr_expect(gt(sz, docs, 100), "only %zu documents found", docs);
    cr_expect(eq(sz, validate_parity_failures, 0));
}
