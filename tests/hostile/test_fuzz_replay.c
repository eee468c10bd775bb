/*
 * Replays every fuzz regression input (testdata/fuzz/<case>/input) through
 * the entry point of the target that found it (testdata/fuzz/<case>/target).
 * A property that fails aborts the test's process, which criterion reports.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common.h"
#include "util/xalloc.h"

int oag_fuzz_aws_pages(const uint8_t *data, size_t len);
int oag_fuzz_aws_responses(const uint8_t *data, size_t len);
int oag_fuzz_checks(const uint8_t *data, size_t len);
int oag_fuzz_extract(const uint8_t *data, size_t len);
int oag_fuzz_load(const uint8_t *data, size_t len);
int oag_fuzz_merge(const uint8_t *data, size_t len);
int oag_fuzz_sigv4(const uint8_t *data, size_t len);
int oag_fuzz_validate(const uint8_t *data, size_t len);

static const struct {
    const char *name;
    int (*fn)(const uint8_t *data, size_t len);
} targets[] = {
    { "fuzz_aws_pages", oag_fuzz_aws_pages },
    { "fuzz_aws_responses", oag_fuzz_aws_responses },
    { "fuzz_checks", oag_fuzz_checks },
    { "fuzz_extract", oag_fuzz_extract },
    { "fuzz_load", oag_fuzz_load },
    { "fuzz_merge", oag_fuzz_merge },
    { "fuzz_sigv4", oag_fuzz_sigv4 },
    { "fuzz_validate", oag_fuzz_validate },
};

struct replay_case {
    char *name;
};

static char *cr_strdup_(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cr_malloc(n);
    memcpy(p, s, n);
    return p;
}

static void free_cases(struct criterion_test_params *ctp)
{
    struct replay_case *c = ctp->params;
    for (size_t i = 0; i < ctp->length; i++) {
        cr_free(c[i].name);
    }
    cr_free(ctp->params);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct replay_case *)a)->name,
                  ((const struct replay_case *)b)->name);
}

ParameterizedTestParameters(fuzz, regression_input_passes_its_target)
{
    char *dir = test_source_path("testdata/fuzz");
    DIR *d = opendir(dir);
    free(dir);
    size_t n = 0;
    size_t cap = 64;
    struct replay_case *cases = cr_malloc(cap * sizeof(*cases));
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strchr(e->d_name, '.')) {
            continue; /* ".", "..", README.md */
        }
        if (n == cap) {
            cap *= 2;
            cases = cr_realloc(cases, cap * sizeof(*cases));
        }
        cases[n++].name = cr_strdup_(e->d_name);
    }
    if (d) {
        closedir(d);
    }
    qsort(cases, n, sizeof(*cases), by_name);
    return cr_make_param_array(struct replay_case, cases, n, free_cases);
}

ParameterizedTest(struct replay_case *c, fuzz,
                  regression_input_passes_its_target, .timeout = 60)
{
    char *rel = xstrfmt("testdata/fuzz/%s/target", c->name);
    char *path = test_source_path(rel);
    size_t tlen = 0;
    char *target = test_read_file(path, &tlen);
    cr_assert(target, "%s: cannot read %s", c->name, path);
    while (tlen > 0 && (target[tlen - 1] == '\n' || target[tlen - 1] == ' ')) {
        target[--tlen] = '\0';
    }
    free(path);
    free(rel);
    rel = xstrfmt("testdata/fuzz/%s/input", c->name);
    path = test_source_path(rel);
    size_t len = 0;
    char *input = test_read_file(path, &len);
    cr_assert(input, "%s: cannot read %s", c->name, path);
    int (*fn)(const uint8_t *, size_t) = NULL;
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        if (strcmp(targets[i].name, target) == 0) {
            fn = targets[i].fn;
        }
    }
    cr_assert(fn, "%s: unknown target '%s'", c->name, target);
    cr_assert_eq(fn((const uint8_t *)input, len), 0, "%s", c->name);
    free(input);
    free(path);
    free(target);
    free(rel);
}
