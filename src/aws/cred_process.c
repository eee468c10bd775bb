/*
 * credential_process (aws-conventions.md 2.5).
 *
 * The setting is split into words with POSIX shell quoting (botocore uses
 * shlex.split) and run without a shell (posix_spawnp, PATH lookup as
 * Python's subprocess does).  The process inherits the environment and
 * standard input; its standard output must be
 *   {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...,
 *    "SessionToken": ... (optional), "Expiration": ISO 8601 (optional)}
 * A non-zero exit is a failure whose message is the process's standard
 * error.  Standard output carries secrets: it is wiped after parsing and
 * never quoted in a message.
 */
#include "aws/cred_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

extern char **environ;

/* Output caps: a credential document is well under 64 KiB. */
#define STDOUT_MAX (1024u * 1024u)
#define STDERR_MAX (16u * 1024u)
/* Longest stderr excerpt put into a message. */
#define STDERR_IN_MESSAGE 1000

void cred_argv_free(char **argv)
{
    if (!argv) {
        return;
    }
    for (char **a = argv; *a; a++) {
        free(*a);
    }
    free(argv);
}

static void argv_push(char ***argv, size_t *argc, size_t *cap, char *word)
{
    if (*argc + 2 > *cap) {
        *cap = *cap ? 2 * *cap : 8;
        *argv = xreallocarray(*argv, *cap, sizeof(**argv));
    }
    (*argv)[(*argc)++] = word;
    (*argv)[*argc] = NULL;
}

int cred_shell_split(const char *cmd, char ***out_argv, size_t *out_argc,
                     struct oag_error *err)
{
    char **argv = NULL;
    size_t argc = 0;
    size_t cap = 0;
    struct buf word = BUF_INIT;
    bool in_word = false;
    const char *p = cmd;

    while (*p) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (in_word) {
                argv_push(&argv, &argc, &cap, buf_detach(&word, NULL));
                in_word = false;
            }
            p++;
            continue;
        }
        in_word = true;
        if (c == '\'') {
            const char *q = strchr(p + 1, '\'');
            if (!q) {
                goto unterminated;
            }
            buf_add(&word, p + 1, (size_t)(q - p - 1));
            p = q + 1;
        } else if (c == '"') {
            p++;
            for (;;) {
                if (!*p) {
                    goto unterminated;
                }
                if (*p == '"') {
                    p++;
                    break;
                }
                if (*p == '\\' && p[1] && strchr("\\\"$`\n", p[1])) {
                    if (p[1] != '\n') {
                        buf_addch(&word, p[1]);
                    }
                    p += 2;
                    continue;
                }
                buf_addch(&word, *p++);
            }
        } else if (c == '\\') {
            if (!p[1]) {
                /* a trailing backslash escapes nothing (shlex: error) */
                buf_release(&word);
                cred_argv_free(argv);
                return oag_error_set(err, OAG_ERR_USAGE,
                                     "credential_process ends with a "
                                     "backslash");
            }
            if (p[1] != '\n') {
                buf_addch(&word, p[1]);
            }
            p += 2;
        } else {
            buf_addch(&word, c);
            p++;
        }
    }
    if (in_word) {
        argv_push(&argv, &argc, &cap, buf_detach(&word, NULL));
    }
    buf_release(&word);
    if (argc == 0) {
        cred_argv_free(argv);
        return oag_error_set(err, OAG_ERR_USAGE, "credential_process is empty");
    }
    *out_argv = argv;
    if (out_argc) {
        *out_argc = argc;
    }
    return 0;

unterminated:
    buf_release(&word);
    cred_argv_free(argv);
    return oag_error_set(err, OAG_ERR_USAGE,
                         "credential_process has an unterminated quote");
}

static const char *json_str(json_t *doc, const char *key)
{
    json_t *v = json_object_get(doc, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int cred_process_parse(const char *json, size_t len, const char *source,
                       struct cred *out, struct oag_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(json, len, 0, &jerr);
    if (!doc || !json_is_object(doc)) {
        /* position only: the text holds secrets */
        if (doc) {
            json_decref(doc);
            return oag_error_set(err, OAG_ERR_AUTH,
                                 "%s: output is not a JSON object", source);
        }
        return oag_error_set(err, OAG_ERR_AUTH,
                             "%s: output is not JSON (line %d, column %d)",
                             source, jerr.line, jerr.column);
    }
    int rc = -1;
    json_t *version = json_object_get(doc, "Version");
    const char *id = json_str(doc, "AccessKeyId");
    const char *secret = json_str(doc, "SecretAccessKey");
    const char *token = json_str(doc, "SessionToken");
    const char *exp = json_str(doc, "Expiration");
    time_t expires = 0;
    if (!json_is_integer(version) || json_integer_value(version) != 1) {
        oag_error_set(err, OAG_ERR_AUTH, "%s: output has no \"Version\": 1",
                      source);
    } else if (!id || !*id) {
        oag_error_set(err, OAG_ERR_AUTH,
                      "%s: output has no \"AccessKeyId\" string", source);
    } else if (!secret || !*secret) {
        oag_error_set(err, OAG_ERR_AUTH,
                      "%s: output has no \"SecretAccessKey\" string", source);
    } else if (json_object_get(doc, "Expiration") &&
               !json_is_null(json_object_get(doc, "Expiration")) &&
               (!exp || cred_time_parse(exp, &expires) != 0)) {
        oag_error_set(err, OAG_ERR_AUTH,
                      "%s: \"Expiration\" is not an ISO 8601 time", source);
    } else {
        cred_release(out);
        out->access_key_id = xstrdup(id);
        out->secret_access_key = xstrdup(secret);
        out->session_token = (token && *token) ? xstrdup(token) : NULL;
        out->expires_at = expires;
        out->source = xstrdup(source);
        rc = 0;
    }
    json_decref(doc);
    return rc;
}

static void set_cloexec(int fd)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) {
        fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

/* Appends what fd has to b (up to max; the rest is read and dropped). */
static bool drain(int fd, struct buf *b, size_t max, bool *overflow)
{
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n < 0) {
        return errno == EINTR || errno == EAGAIN;
    }
    if (n == 0) {
        return false;
    }
    size_t room = b->len < max ? max - b->len : 0;
    size_t take = (size_t)n < room ? (size_t)n : room;
    if (take < (size_t)n) {
        *overflow = true;
    }
    buf_add(b, chunk, take);
    secure_zero(chunk, sizeof(chunk));
    return true;
}

/* Last line-ish part of stderr, trimmed, for a message. */
static char *stderr_excerpt(const struct buf *e)
{
    const char *s = buf_str(e);
    size_t n = e->len;
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) {
        n--;
    }
    if (n == 0) {
        return xstrdup("(no output on standard error)");
    }
    if (n > STDERR_IN_MESSAGE) {
        return xstrfmt("...%.*s", STDERR_IN_MESSAGE, s + n - STDERR_IN_MESSAGE);
    }
    return xstrndup(s, n);
}

int cred_process_run(const char *command, const char *source, struct cred *out,
                     struct oag_error *err)
{
    char **argv = NULL;
    if (cred_shell_split(command, &argv, NULL, err) != 0) {
        return oag_error_wrap(err, "%s", source);
    }
    int out_pipe[2] = { -1, -1 };
    int err_pipe[2] = { -1, -1 };
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (out_pipe[i] >= 0) {
                close(out_pipe[i]);
            }
        }
        cred_argv_free(argv);
        return oag_error_set(err, OAG_ERR_IO, "%s: cannot create a pipe: %s",
                             source, strerror(e));
    }
    set_cloexec(out_pipe[0]);
    set_cloexec(err_pipe[0]);
    set_cloexec(out_pipe[1]);
    set_cloexec(err_pipe[1]);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO);
    pid_t pid;
    int src = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (src != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        oag_error_set(err, OAG_ERR_AUTH, "%s: cannot run '%s': %s", source,
                      argv[0], strerror(src));
        cred_argv_free(argv);
        return -1;
    }

    struct buf so = BUF_INIT;
    struct buf se = BUF_INIT;
    bool so_over = false;
    bool se_over = false;
    /* one allocation for any usual document: no realloc copies of secrets */
    buf_grow(&so, 64 * 1024);
    struct pollfd fds[2] = {
        { .fd = out_pipe[0], .events = POLLIN },
        { .fd = err_pipe[0], .events = POLLIN },
    };
    int open_fds = 2;
    while (open_fds > 0) {
        int n = poll(fds, 2, -1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd >= 0 &&
                (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                bool more = i == 0
                                ? drain(fds[i].fd, &so, STDOUT_MAX, &so_over)
                                : drain(fds[i].fd, &se, STDERR_MAX, &se_over);
                if (!more) {
                    close(fds[i].fd);
                    fds[i].fd = -1;
                    open_fds--;
                }
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        if (fds[i].fd >= 0) {
            close(fds[i].fd);
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            status = -1;
            break;
        }
    }

    int rc = -1;
    if (status == -1) {
        oag_error_set(err, OAG_ERR_AUTH, "%s: lost track of '%s'", source,
                      argv[0]);
    } else if (WIFSIGNALED(status)) {
        char *ex = stderr_excerpt(&se);
        oag_error_set(err, OAG_ERR_AUTH, "%s: '%s' was killed by signal %d: %s",
                      source, argv[0], WTERMSIG(status), ex);
        free(ex);
    } else if (WEXITSTATUS(status) != 0) {
        char *ex = stderr_excerpt(&se);
        oag_error_set(err, OAG_ERR_AUTH, "%s: '%s' exited with status %d: %s",
                      source, argv[0], WEXITSTATUS(status), ex);
        free(ex);
    } else if (so_over) {
        oag_error_set(err, OAG_ERR_AUTH, "%s: output is larger than %u bytes",
                      source, STDOUT_MAX);
    } else {
        rc = cred_process_parse(buf_str(&so), so.len, source, out, err);
    }
    if (so.data) {
        secure_zero(so.data, so.cap);
    }
    buf_release(&so);
    buf_release(&se);
    cred_argv_free(argv);
    return rc;
}
