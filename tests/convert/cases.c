/* Helpers for the convert tests; see cases.h. */
#define _DEFAULT_SOURCE 1
#define _XOPEN_SOURCE 700 /* nftw */
#include "tests/convert/cases.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "model/igr.h"
#include "tests/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **tc_list(const char *dir, size_t *out_n)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        names = xreallocarray(names, n + 1, sizeof(*names));
        names[n++] = xstrdup(e->d_name);
    }
    if (d) {
        closedir(d);
    }
    if (n) {
        qsort(names, n, sizeof(*names), compare_names);
    }
    *out_n = n;
    return names;
}

void tc_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

static void free_cases(struct criterion_test_params *crp)
{
    struct tc_case *cases = crp->params;
    for (size_t i = 0; i < crp->length; i++) {
        cr_free(cases[i].name);
    }
    cr_free(cases);
}

struct criterion_test_params tc_case_params(const char *rel)
{
    char *root = test_source_path(rel);
    size_t n = 0;
    char **names = tc_list(root, &n);
    size_t count = 0;
    struct tc_case *cases = cr_malloc((n ? n : 1) * sizeof(*cases));
    cases[0].name = NULL;
    for (size_t i = 0; i < n; i++) {
        char *full = xstrfmt("%s/%s/description", root, names[i]);
        if (test_file_exists(full)) {
            size_t len = strlen(names[i]) + 1;
            cases[count].name = cr_malloc(len);
            memcpy(cases[count].name, names[i], len);
            count++;
        }
        free(full);
    }
    tc_list_free(names, n);
    free(root);
    return cr_make_param_array(struct tc_case, cases, count ? count : 1,
                               free_cases);
}

char *tc_read(const char *dir, const char *file, size_t *out_len)
{
    char *path = xstrfmt("%s/%s", dir, file);
    char *text = test_file_exists(path) ? test_read_file(path, out_len) : NULL;
    free(path);
    return text;
}

void tc_input(const char *dir, char **out_name, char **out_data,
              size_t *out_len)
{
    static const char *const names[] = { "input.yaml", "input.json" };
    for (size_t i = 0; i < 2; i++) {
        char *data = tc_read(dir, names[i], out_len);
        if (data) {
            *out_name = xstrdup(names[i]);
            *out_data = data;
            return;
        }
    }
    cr_assert_fail("%s has no input.yaml or input.json", dir);
}

void tc_options(const char *dir, struct conv_options *out)
{
    memset(out, 0, sizeof(*out));
    char *args = tc_read(dir, "args", NULL);
    if (!args) {
        return;
    }
    /* one argument per line */
    char *lines[16];
    size_t n = 0;
    for (char *p = args; *p && n < 16;) {
        char *eol = strchr(p, '\n');
        if (eol) {
            *eol = '\0';
        }
        lines[n++] = p;
        p = eol ? eol + 1 : p + strlen(p);
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(lines[i], "--basepath") == 0 && i + 1 < n) {
            cr_assert(conv_basepath_parse(lines[i + 1], &out->basepath, NULL) ==
                          0,
                      "%s/args: bad mode %s", dir, lines[i + 1]);
            i++;
        } else {
            cr_assert_fail("%s/args: unknown argument '%s'", dir, lines[i]);
        }
    }
    free(args);
}

char *tc_format_diags(struct oag_error_list *diags)
{
    oag_error_list_sort(diags);
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < diags->len; i++) {
        char *s =
            oag_error_format(&diags->items[i].error, diags->items[i].severity);
        buf_adds(&b, s);
        buf_addch(&b, '\n');
        free(s);
    }
    return buf_detach(&b, NULL);
}

json_t *tc_extract(const char *data, size_t len, const char *name,
                   const struct conv_options *opts,
                   struct oag_error_list *diags, struct oag_error *err)
{
    struct igr_list list = { 0 };
    json_t *out = NULL;
    if (conv_extract_list(data, len, name, opts, &list, diags, err) == 0) {
        out = conv_records_to_json(&list);
    }
    igr_list_release(&list);
    return out;
}

char *tc_show(json_t *v)
{
    char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;
    return s ? s : xstrdup("(null)");
}

/* nftw has no context argument: the walk in progress. */
static tc_document_fn each_fn;
static void *each_ctx;
static size_t each_n;

static int each_visit(const char *path, const struct stat *st, int type,
                      struct FTW *ftw)
{
    (void)ftw;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    bool doc = strcmp(base, "input") == 0 ||
               (n > 5 && strcmp(base + n - 5, ".yaml") == 0) ||
               (n > 4 && strcmp(base + n - 4, ".yml") == 0) ||
               (n > 5 && strcmp(base + n - 5, ".json") == 0);
    if (type != FTW_F || !doc || st->st_size > (4 << 20)) {
        return 0;
    }
    size_t len = 0;
    char *data = test_read_file(path, &len);
    if (data) {
        each_n++;
        each_fn(path, data, len, each_ctx);
        free(data);
    }
    return 0;
}

size_t tc_each_document(tc_document_fn fn, void *ctx)
{
    static const char *const roots[] = {
        "testdata/convert", "testdata/validate",   "testdata/cli",
        "testdata/fuzz",    "testdata/e2e-import", "testdata/sample"
    };
    each_fn = fn;
    each_ctx = ctx;
    each_n = 0;
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        char *p = test_source_path(roots[i]);
        nftw(p, each_visit, 16, FTW_PHYS);
        free(p);
    }
    char *shared = test_shared_path("testdata/external");
    if (shared) {
        nftw(shared, each_visit, 16, FTW_PHYS);
        free(shared);
    }
    return each_n;
}
