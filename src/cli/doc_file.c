/* A document's bytes, mapped or read; see doc_file.h. */
#define _GNU_SOURCE 1 /* MAP_POPULATE */
#include "cli/doc_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/error.h"

/* Smaller files are read: mapping them saves nothing worth a guard. */
#define MAP_AT_LEAST ((size_t)1 << 20)

/* The mappings the guard watches, with what it says for each. */
#define GUARDED 4

static struct {
    const char *start; /* NULL: free slot */
    size_t len;
    char message[512];
    size_t message_len;
} guarded[GUARDED];

static void say(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0) {
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    const char *a = si->si_addr;
    for (size_t i = 0; i < GUARDED; i++) {
        const char *s = guarded[i].start;
        if (s && a >= s && a < s + guarded[i].len) {
            say(guarded[i].message, guarded[i].message_len);
            const char *tmp = buf_write_file_temp();
            if (tmp) {
                unlink(tmp);
                static const char kept[] =
                    "oas2apigw: note: nothing was written: the output file "
                    "is as it was\n";
                say(kept, sizeof(kept) - 1);
            } else {
                static const char part[] =
                    "oas2apigw: note: what was written to the output so far "
                    "is incomplete\n";
                say(part, sizeof(part) - 1);
            }
            _exit(CLI_EXIT_IO);
        }
    }
    /* not one of ours: the default action (a crash is a crash) */
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Watches a new mapping; false when every slot is taken (then read). */
static bool guard(const char *start, size_t len, const char *path)
{
    static bool installed = false;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGBUS, &sa, NULL);
        installed = true;
    }
    for (size_t i = 0; i < GUARDED; i++) {
        if (!guarded[i].start) {
            int n = snprintf(guarded[i].message, sizeof(guarded[i].message),
                             "oas2apigw: error: '%s' became shorter while it "
                             "was being read (another program changed it); "
                             "run again once it is complete\n",
                             path);
            guarded[i].message_len =
                n < 0 ? 0
                      : ((size_t)n < sizeof(guarded[i].message)
                             ? (size_t)n
                             : sizeof(guarded[i].message) - 1);
            guarded[i].len = len;
            guarded[i].start = start; /* last: the slot is complete */
            return true;
        }
    }
    return false;
}

static void unguard(const char *start)
{
    for (size_t i = 0; i < GUARDED; i++) {
        if (guarded[i].start == start) {
            guarded[i].start = NULL;
        }
    }
}

int cli_doc_file_open(struct cli_doc_file *f, const char *path,
                      struct oag_error *err)
{
    memset(f, 0, sizeof(*f));
    f->data = "";
    bool is_stdin = strcmp(path, "-") == 0;
    f->name = is_stdin ? "<stdin>" : path;
    if (!is_stdin) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return oag_error_set(err, OAG_ERR_IO, "cannot open '%s': %s", path,
                                 strerror(errno));
        }
        struct stat st;
        long page = sysconf(_SC_PAGESIZE);
        /* a size that is not a multiple of the page leaves zeros after the
           end in the last page: the bytes are NUL-terminated as read ones */
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            (uintmax_t)st.st_size >= MAP_AT_LEAST &&
            (uintmax_t)st.st_size <= SIZE_MAX && page > 0 &&
            (size_t)st.st_size % (size_t)page != 0) {
            size_t len = (size_t)st.st_size;
            int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
            flags |= MAP_POPULATE;
#endif
            void *m = mmap(NULL, len, PROT_READ, flags, fd, 0);
            if (m != MAP_FAILED && !guard(m, len, path)) {
                munmap(m, len); /* unguarded: read it instead */
                m = MAP_FAILED;
            }
            if (m != MAP_FAILED) {
                close(fd);
                f->map = m;
                f->map_len = len;
                f->data = m;
                f->len = len;
                return 0;
            }
        }
        close(fd);
    }
    if (buf_read_file(&f->copy, path, 0, err) != 0) {
        buf_release(&f->copy);
        return -1;
    }
    f->data = buf_str(&f->copy);
    f->len = f->copy.len;
    return 0;
}

void cli_doc_file_close(struct cli_doc_file *f)
{
    if (f->map) {
        unguard(f->map);
        munmap(f->map, f->map_len);
    }
    buf_release(&f->copy);
    memset(f, 0, sizeof(*f));
    f->data = "";
}
