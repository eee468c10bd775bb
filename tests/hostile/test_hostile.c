/*
 * The hostile-input set: every testdata/hostile/<case>/ runs the binary
 * ($OAG_BINARY) with the case's `args`, in the case's directory (or, for a
 * case with a `generate` script, in a fresh directory under $TMPDIR where
 * `generate reduced` has written the input first), and compares its stderr
 * and exit status with `expected` ("exit N" on the first line, then the
 * exact stderr).
 *
 * Bounded: the child runs under RLIMIT_AS = 512 MiB (not for sanitizer
 * builds, whose shadow memory needs terabytes of address space) and its
 * peak RSS must stay under 512 MiB; it is killed after HANG_LIMIT_S
 * seconds, a limit for hangs that a loaded machine cannot reach (the
 * figures, < 1 s per case, are measured by tools/fuzz/hostile_full.sh).
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/common.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define MEMORY_CAP ((rlim_t)512 << 20)
#define HANG_LIMIT_S 60
#define GENERATE_LIMIT_S 5.0
#define MAX_ARGS 16

struct hostile_case {
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
    struct hostile_case *c = ctp->params;
    for (size_t i = 0; i < ctp->length; i++) {
        cr_free(c[i].name);
    }
    cr_free(ctp->params);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct hostile_case *)a)->name,
                  ((const struct hostile_case *)b)->name);
}

ParameterizedTestParameters(
    hostile, gives_the_expected_diagnostics_in_bounded_time_and_memory)
{
    char *dir = test_source_path("testdata/hostile");
    DIR *d = opendir(dir);
    free(dir);
    size_t n = 0;
    size_t cap = 64;
    struct hostile_case *cases = cr_malloc(cap * sizeof(*cases));
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
    return cr_make_param_array(struct hostile_case, cases, n, free_cases);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* True for an ASan/TSan binary: RLIMIT_AS would stop it at start-up. */
static bool binary_is_sanitized(const char *path)
{
    size_t len = 0;
    char *bin = test_read_file(path, &len);
    static const char mark[] = "__asan_init"; /* static or shared ASan */
    bool found = false;
    for (size_t i = 0; bin && i + sizeof(mark) - 1 <= len && !found; i++) {
        found = memcmp(bin + i, mark, sizeof(mark) - 1) == 0;
    }
    free(bin);
    return found;
}

struct run_result {
    int status; /* exit status, or -1 when killed or signalled */
    bool hung;
    double seconds;
    long max_rss_kb;
};

/*
 * Runs argv in dir with stdout to /dev/null and stderr to err_path, under
 * the memory cap (cap_memory) and the hang limit.
 */
static void run(char *const argv[], const char *dir, const char *err_path,
                bool cap_memory, double limit_s, struct run_result *out)
{
    memset(out, 0, sizeof(*out));
    double start = now_s();
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        if (chdir(dir) != 0) {
            _exit(126);
        }
        if (cap_memory) {
            struct rlimit rl = { MEMORY_CAP, MEMORY_CAP };
            setrlimit(RLIMIT_AS, &rl);
        }
        int devnull = open("/dev/null", O_RDWR);
        int errfd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (devnull < 0 || errfd < 0) {
            _exit(126);
        }
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(errfd, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int wstatus = 0;
    struct rusage ru;
    for (;;) {
        pid_t w = wait4(pid, &wstatus, WNOHANG, &ru);
        if (w == pid) {
            break;
        }
        if (now_s() - start > limit_s) {
            kill(pid, SIGKILL);
            wait4(pid, &wstatus, 0, &ru);
            out->hung = true;
            break;
        }
        struct timespec ts = { 0, 5 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    out->seconds = now_s() - start;
    out->max_rss_kb = ru.ru_maxrss;
    out->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
}

static char *case_file(const char *name, const char *file)
{
    char *rel = xstrfmt("testdata/hostile/%s/%s", name, file);
    char *p = test_source_path(rel);
    free(rel);
    return p;
}

ParameterizedTest(struct hostile_case *c, hostile,
                  gives_the_expected_diagnostics_in_bounded_time_and_memory,
                  .timeout = 300)
{
    const char *binary = getenv("OAG_BINARY");
    cr_assert(binary, "OAG_BINARY is not set");
    char *dir = case_file(c->name, "");
    char *gen = case_file(c->name, "generate");
    char *tmpdir = NULL;
    char *run_dir = dir;
    const char *tmp = getenv("TMPDIR");
    char *err_path =
        xstrfmt("%s/oag-hostile-%s-XXXXXX", tmp ? tmp : "/tmp", c->name);
    int fd = mkstemp(err_path);
    cr_assert(fd >= 0, "mkstemp: %s", strerror(errno));
    close(fd);

    if (test_file_exists(gen)) {
        tmpdir = xstrfmt("%s/oag-hostile-dir-XXXXXX", tmp ? tmp : "/tmp");
        cr_assert(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
        char *gargv[] = { gen, "reduced", NULL };
        struct run_result g;
        run(gargv, tmpdir, err_path, false, 60, &g);
        cr_assert_eq(g.status, 0, "%s: generate failed", c->name);
        if (g.seconds > GENERATE_LIMIT_S) {
            cr_log_warn("%s: generating the input took %.1f s", c->name,
                        g.seconds);
        }
        run_dir = tmpdir;
    }

    /* args: whitespace-separated, after the binary */
    char *args_path = case_file(c->name, "args");
    char *args = test_read_file(args_path, NULL);
    cr_assert(args, "%s: cannot read %s", c->name, args_path);
    char *argv[MAX_ARGS + 2] = { (char *)binary };
    size_t argc = 1;
    for (char *p = args; *p && argc <= MAX_ARGS;) {
        p += strspn(p, " \t\r\n");
        if (!*p) {
            break;
        }
        argv[argc++] = p;
        p += strcspn(p, " \t\r\n");
        if (*p) {
            *p++ = '\0';
        }
    }
    argv[argc] = NULL;

    struct run_result r;
    run(argv, run_dir, err_path, !binary_is_sanitized(binary), HANG_LIMIT_S,
        &r);
    cr_log_info("%s: %.3f s, peak RSS %ld KiB", c->name, r.seconds,
                r.max_rss_kb);
    cr_expect(!r.hung, "%s: still running after %d s (killed)", c->name,
              HANG_LIMIT_S);
    cr_expect(r.max_rss_kb < (long)(MEMORY_CAP >> 10), "%s: peak RSS %ld KiB",
              c->name, r.max_rss_kb);

    /* expected: "exit N" then the exact stderr */
    char *exp_path = case_file(c->name, "expected");
    char *expected = test_read_file(exp_path, NULL);
    cr_assert(expected, "%s: cannot read %s", c->name, exp_path);
    int want_status = -2;
    cr_assert_eq(sscanf(expected, "exit %d", &want_status), 1,
                 "%s: expected must start with 'exit N'", c->name);
    const char *want_err = strchr(expected, '\n');
    want_err = want_err ? want_err + 1 : "";
    char *got_err = test_read_file(err_path, NULL);
    cr_assert(got_err, "%s: no stderr file", c->name);
    cr_expect_str_eq(got_err, want_err, "%s: stderr differs", c->name);
    cr_expect_eq(r.status, want_status, "%s: exit status %d, want %d", c->name,
                 r.status, want_status);

    unlink(err_path);
    if (tmpdir) {
        char *input = xstrfmt("%s/input.yaml", tmpdir);
        unlink(input);
        free(input);
        rmdir(tmpdir);
    }
    free(got_err);
    free(expected);
    free(exp_path);
    free(args);
    free(args_path);
    free(err_path);
    free(tmpdir);
    free(gen);
    free(dir);
}
