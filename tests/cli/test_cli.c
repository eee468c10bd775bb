/*
 * CLI transcripts: every testdata/cli/<case>/ holds `args` (one argument
 * per line), optional `stdin`, and the expected `stdout`, `stderr` and
 * `status` (absent = empty / 0), and optionally `expected-files/` (files
 * the command must leave in its directory).  The case runs in a scratch
 * copy of its directory, in a fixed environment (LC_ALL=C, no AWS config).
 * Every testdata/validate case also runs through `oas2apigw validate`.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common.h"
#include "util/buf.h"
#include "util/xalloc.h"

static bool is(bool x)
{
    return x;
}

struct cli_case {
    char *name; /* cr_malloc'd */
};

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *dir, size_t *out_n)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            names = xreallocarray(names, n + 1, sizeof(*names));
            names[n++] = xstrdup(e->d_name);
        }
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

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

static void free_cases(struct criterion_test_params *crp)
{
    struct cli_case *cases = crp->params;
    for (size_t i = 0; i < crp->length; i++) {
        cr_free(cases[i].name);
    }
    cr_free(cases);
}

static struct criterion_test_params case_params(const char *rel)
{
    char *root = test_source_path(rel);
    size_t n = 0;
    char **names = list_dir(root, &n);
    size_t count = 0;
    struct cli_case *cases = cr_malloc((n ? n : 1) * sizeof(*cases));
    cases[0].name = NULL;
    for (size_t i = 0; i < n; i++) {
        char *desc = xstrfmt("%s/%s/description", root, names[i]);
        if (test_file_exists(desc)) {
            size_t len = strlen(names[i]) + 1;
            cases[count].name = cr_malloc(len);
            memcpy(cases[count].name, names[i], len);
            count++;
        }
        free(desc);
    }
    free_list(names, n);
    free(root);
    return cr_make_param_array(struct cli_case, cases, count ? count : 1,
                               free_cases);
}

static char *read_or_empty(const char *dir, const char *file)
{
    char *path = xstrfmt("%s/%s", dir, file);
    char *text = test_file_exists(path) ? test_read_file(path, NULL) : NULL;
    free(path);
    return text ? text : xstrdup("");
}

static void copy_file(const char *from, const char *to)
{
    size_t len = 0;
    char *data = test_read_file(from, &len);
    cr_assert(is(data != NULL), "cannot read %s", from);
    FILE *f = fopen(to, "wb");
    cr_assert(is(f != NULL), "cannot write %s", to);
    cr_assert(eq(sz, fwrite(data, 1, len, f), len));
    fclose(f);
    free(data);
}

/* A scratch copy of the case's regular files; returns its path. */
static char *scratch_copy(const char *dir)
{
    const char *tmp = getenv("TMPDIR");
    char *scratch = xstrfmt("%s/oagcliXXXXXX", tmp ? tmp : "/tmp");
    cr_assert(is(mkdtemp(scratch) != NULL));
    size_t n = 0;
    char **names = list_dir(dir, &n);
    for (size_t i = 0; i < n; i++) {
        char *from = xstrfmt("%s/%s", dir, names[i]);
        struct stat st;
        if (stat(from, &st) == 0 && S_ISREG(st.st_mode)) {
            char *to = xstrfmt("%s/%s", scratch, names[i]);
            copy_file(from, to);
            free(to);
        }
        free(from);
    }
    free_list(names, n);
    return scratch;
}

static void remove_tree(const char *dir)
{
    size_t n = 0;
    char **names = list_dir(dir, &n);
    for (size_t i = 0; i < n; i++) {
        char *p = xstrfmt("%s/%s", dir, names[i]);
        remove(p);
        free(p);
    }
    free_list(names, n);
    rmdir(dir);
}

/* Splits text into lines: argv for the binary (text is modified). */
static char **split_args(char *text, const char *binary)
{
    size_t n = 1;
    char **argv = xcalloc(2, sizeof(*argv));
    argv[0] = (char *)binary;
    for (char *p = text; *p;) {
        char *eol = strchr(p, '\n');
        if (eol) {
            *eol = '\0';
        }
        argv = xreallocarray(argv, n + 2, sizeof(*argv));
        argv[n++] = p;
        argv[n] = NULL;
        p = eol ? eol + 1 : p + strlen(p);
    }
    return argv;
}

struct run {
    char *out;
    char *err;
    int status;
};

/* Runs argv in cwd with stdin from in_path, in a fixed environment. */
static void run_binary(char **argv, const char *cwd, const char *in_path,
                       struct run *r)
{
    char *out_path = xstrfmt("%s/.stdout", cwd);
    char *err_path = xstrfmt("%s/.stderr", cwd);
    const char *asan = getenv("ASAN_OPTIONS");
    const char *ubsan = getenv("UBSAN_OPTIONS");
    char *asan_env = xstrfmt("ASAN_OPTIONS=%s", asan ? asan : "");
    char *ubsan_env = xstrfmt("UBSAN_OPTIONS=%s", ubsan ? ubsan : "");
    char *env[] = {
        "LC_ALL=C",
        "TERM=dumb",
        "PATH=/usr/bin:/bin",
        "AWS_CONFIG_FILE=/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
        "HOME=/nonexistent",
        asan_env,
        ubsan_env,
        NULL,
    };
    pid_t pid = fork();
    cr_assert(is(pid >= 0), "fork");
    if (pid == 0) {
        int in = open(in_path, O_RDONLY);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0 || chdir(cwd) != 0 ||
            dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
            _exit(127);
        }
        execve(argv[0], argv, env);
        _exit(127);
    }
    int ws = 0;
    cr_assert(eq(int, (int)waitpid(pid, &ws, 0), (int)pid));
    cr_assert(is(WIFEXITED(ws)),
              "the binary did not exit normally "
              "(signal %d)",
              WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    r->status = WEXITSTATUS(ws);
    r->out = test_read_file(out_path, NULL);
    r->err = test_read_file(err_path, NULL);
    remove(out_path);
    remove(err_path);
    free(out_path);
    free(err_path);
    free(asan_env);
    free(ubsan_env);
}

static const char *binary(void)
{
    const char *b = getenv("OAG_BINARY");
    cr_assert(is(b != NULL), "OAG_BINARY is not set");
    return b;
}

ParameterizedTestParameters(cli, transcript_matches)
{
    return case_params("testdata/cli");
}

ParameterizedTest(struct cli_case *c, cli, transcript_matches, .timeout = 60)
{
    cr_assert(is(c->name != NULL), "no cases under testdata/cli");
    char *root = test_source_path("testdata/cli");
    char *dir = xstrfmt("%s/%s", root, c->name);
    char *scratch = scratch_copy(dir);
    char *args = read_or_empty(dir, "args");
    char **argv = split_args(args, binary());
    char *in = xstrfmt("%s/stdin", dir);
    struct run r = { 0 };
    run_binary(argv, scratch, test_file_exists(in) ? in : "/dev/null", &r);

    char *want_out = read_or_empty(dir, "stdout");
    char *want_err = read_or_empty(dir, "stderr");
    char *want_status = read_or_empty(dir, "status");
    cr_expect(eq(str, r.out, want_out), "%s: stdout", c->name);
    cr_expect(eq(str, r.err, want_err), "%s: stderr", c->name);
    cr_expect(eq(int, r.status, (int)strtol(want_status, NULL, 10)),
              "%s: exit status", c->name);

    /* files the command must have left */
    char *expected_dir = xstrfmt("%s/expected-files", dir);
    size_t n = 0;
    char **names = list_dir(expected_dir, &n);
    for (size_t i = 0; i < n; i++) {
        char *want = read_or_empty(expected_dir, names[i]);
        char *path = xstrfmt("%s/%s", scratch, names[i]);
        cr_expect(is(test_file_exists(path)), "%s: %s was not written", c->name,
                  names[i]);
        char *got = read_or_empty(scratch, names[i]);
        cr_expect(eq(str, got, want), "%s: %s", c->name, names[i]);
        free(got);
        free(path);
        free(want);
    }
    free_list(names, n);
    free(expected_dir);

    free(want_out);
    free(want_err);
    free(want_status);
    free(r.out);
    free(r.err);
    free(in);
    free(argv);
    free(args);
    remove_tree(scratch);
    free(scratch);
    free(dir);
    free(root);
}

ParameterizedTestParameters(cli, validate_case_prints_its_expected_lines)
{
    return case_params("testdata/validate");
}

ParameterizedTest(struct cli_case *c, cli,
                  validate_case_prints_its_expected_lines, .timeout = 60)
{
    cr_assert(is(c->name != NULL), "no cases under testdata/validate");
    char *root = test_source_path("testdata/validate");
    char *dir = xstrfmt("%s/%s", root, c->name);
    char *scratch = scratch_copy(dir);
    char *yaml = xstrfmt("%s/input.yaml", dir);
    const char *input = test_file_exists(yaml) ? "input.yaml" : "input.json";
    char *argv[] = { (char *)binary(), "validate", (char *)input, NULL };
    struct run r = { 0 };
    run_binary(argv, scratch, "/dev/null", &r);

    char *want = read_or_empty(dir, "expected.txt");
    size_t errors = 0;
    size_t warnings = 0;
    for (const char *p = want; (p = strstr(p, ": error: ")) != NULL; p++) {
        errors++;
    }
    for (const char *p = want; (p = strstr(p, ": warning: ")) != NULL; p++) {
        warnings++;
    }
    struct buf w = BUF_INIT;
    buf_adds(&w, want);
    if (errors || warnings) {
        buf_addf(&w, "%zu error%s, %zu warning%s\n", errors,
                 errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    }
    cr_expect(eq(str, r.err, (char *)buf_str(&w)), "%s", c->name);
    cr_expect(eq(str, r.out, ""), "%s: stdout", c->name);
    cr_expect(eq(int, r.status, errors ? 1 : 0), "%s: exit status", c->name);

    buf_release(&w);
    free(want);
    free(r.out);
    free(r.err);
    free(yaml);
    remove_tree(scratch);
    free(scratch);
    free(dir);
    free(root);
}
