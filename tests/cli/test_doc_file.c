/*
 * cli/doc_file: a document's bytes mapped or read, and the guard that
 * turns a mapped file shortened underneath into an error (no crash, the
 * output being written removed).
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/doc_file.h"
#include "tests/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

static bool is(bool x)
{
    return x;
}

/* A file of n bytes of a repeating pattern (owned path). */
static char *pattern_file(size_t n, char **out_data)
{
    char *d = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        d[i] = (char)('a' + i % 26);
    }
    d[n] = '\0';
    char *path = test_write_temp(d, n, ".yaml");
    *out_data = d;
    return path;
}

static void opens(size_t n, bool mapped)
{
    char *want;
    char *path = pattern_file(n, &want);
    struct cli_doc_file f = CLI_DOC_FILE_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cli_doc_file_open(&f, path, &err), 0));
    cr_expect(eq(sz, f.len, n));
    cr_expect(is((f.map != NULL) == mapped), "size %zu: mapped %d", n,
              f.map != NULL);
    cr_expect(is(memcmp(f.data, want, n) == 0));
    cr_expect(eq(int, f.data[n], 0), "size %zu: not NUL-terminated", n);
    cli_doc_file_close(&f);
    cr_expect(eq(sz, f.len, 0));
    unlink(path);
    free(path);
    free(want);
}

Test(doc_file, small_files_are_read_large_ones_mapped)
{
    opens(0, false);
    opens(100, false);
    opens((1 << 20) - 1, false);
    opens((2 << 20) + 123, true);
}

Test(doc_file, a_size_of_whole_pages_is_read_to_stay_nul_terminated)
{
    opens((size_t)sysconf(_SC_PAGESIZE) * 512, false);
}

Test(doc_file, past_the_guarded_mappings_files_are_read)
{
    char *want;
    char *path = pattern_file((2 << 20) + 5, &want);
    struct cli_doc_file f[6];
    size_t mapped = 0;
    for (size_t i = 0; i < 6; i++) {
        struct oag_error err = OAG_ERROR_INIT;
        cr_assert(eq(int, cli_doc_file_open(&f[i], path, &err), 0));
        mapped += f[i].map != NULL;
        cr_expect(is(memcmp(f[i].data, want, f[i].len) == 0));
        cr_expect(eq(int, f[i].data[f[i].len], 0));
    }
    cr_expect(eq(sz, mapped, 4), "the guard watches four mappings");
    cli_doc_file_close(&f[0]); /* a slot comes free */
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cli_doc_file_open(&f[0], path, &err), 0));
    cr_expect(is(f[0].map != NULL));
    for (size_t i = 0; i < 6; i++) {
        cli_doc_file_close(&f[i]);
    }
    unlink(path);
    free(path);
    free(want);
}

Test(doc_file, a_missing_file_is_an_io_error)
{
    struct cli_doc_file f = CLI_DOC_FILE_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(
        eq(int, cli_doc_file_open(&f, "/nonexistent/doc.yaml", &err), -1));
    cr_expect(eq(int, err.code, OAG_ERR_IO));
    cr_expect(eq(str, err.message,
                 "cannot open '/nonexistent/doc.yaml': No such file or "
                 "directory"));
    cr_expect(eq(str, (char *)f.data, ""));
    oag_error_release(&err);
}

/* The writer of the guard test: shortens the source, then reads it. */
struct shorten {
    const char *path;
    const struct cli_doc_file *doc;
};

static int shorten_and_read(void *ctx, FILE *out)
{
    const struct shorten *s = ctx;
    fputs("partial output\n", out);
    fflush(out);
    if (truncate(s->path, 0) != 0) {
        return -1;
    }
    volatile char c = s->doc->data[s->doc->len - 1]; /* past the new end */
    return c == 0 ? -1 : 0;
}

Test(doc_file, a_mapped_file_shortened_underneath_is_an_error_not_a_crash)
{
    char *want;
    char *path = pattern_file((3 << 20) + 7, &want);
    char *out = test_write_temp("the output as it was\n", 21, ".yaml");
    char *errfile = test_write_temp("", 0, ".txt");
    pid_t pid = fork();
    cr_assert(is(pid >= 0));
    if (pid == 0) {
        int fd = open(errfile, O_WRONLY | O_TRUNC);
        dup2(fd, STDERR_FILENO);
        struct cli_doc_file f = CLI_DOC_FILE_INIT;
        struct oag_error err = OAG_ERROR_INIT;
        if (cli_doc_file_open(&f, path, &err) != 0 || !f.map) {
            _exit(99);
        }
        struct shorten s = { path, &f };
        buf_write_file_with(out, shorten_and_read, &s, &err);
        _exit(98); /* the read must not have succeeded */
    }
    int status = 0;
    cr_assert(eq(int, waitpid(pid, &status, 0), pid));
    cr_assert(is(WIFEXITED(status)), "the child did not exit (signal %d)",
              WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    cr_expect(eq(int, WEXITSTATUS(status), CLI_EXIT_IO));
    char *said = test_read_file(errfile, NULL);
    char *expected = xstrfmt(
        "oas2apigw: error: '%s' became shorter while it was being read "
        "(another program changed it); run again once it is complete\n"
        "oas2apigw: note: nothing was written: the output file is as it "
        "was\n",
        path);
    cr_expect(eq(str, said, expected));
    /* the output is untouched and its temporary file is gone */
    char *now = test_read_file(out, NULL);
    cr_expect(eq(str, now, "the output as it was\n"));
    char *tmp = xstrfmt("%s.tmp.%ld", out, (long)pid);
    cr_expect(is(!test_file_exists(tmp)), "%s was left behind", tmp);
    free(tmp);
    free(now);
    free(expected);
    free(said);
    unlink(errfile);
    unlink(out);
    unlink(path);
    free(errfile);
    free(out);
    free(path);
    free(want);
}

Test(doc_file, a_fault_outside_the_mappings_still_kills)
{
    char *want;
    char *path = pattern_file((2 << 20) + 1, &want);
    pid_t pid = fork();
    cr_assert(is(pid >= 0));
    if (pid == 0) {
        struct cli_doc_file f = CLI_DOC_FILE_INIT;
        struct oag_error err = OAG_ERROR_INIT;
        if (cli_doc_file_open(&f, path, &err) != 0 || !f.map) {
            _exit(99);
        }
        raise(SIGBUS); /* si_addr is not in the mapping */
        _exit(98);
    }
    int status = 0;
    cr_assert(eq(int, waitpid(pid, &status, 0), pid));
    cr_expect(is(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS),
              "status %d", status);
    unlink(path);
    free(path);
    free(want);
}
