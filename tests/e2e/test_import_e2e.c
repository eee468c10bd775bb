/*
 * End-to-end tests of `oas2apigw import`, `plan` and `export` (issue 4)
 * against moto, through tools/chaos_proxy.py.
 *
 * tools/with-moto exports OAG_MOTO_ENDPOINT (without it these tests fail,
 * they never skip).  Each test:
 *   - builds its own REST API with tools/make_skeleton.py straight against
 *     moto (resources, methods, integrations; no integration responses), so
 *     the proxy sees only the binary's calls;
 *   - starts its own chaos proxy in front of moto (own counters and fault
 *     rules: criterion runs the tests in parallel);
 *   - runs $OAG_BINARY with --endpoint-url pointing at the proxy and the
 *     dummy credentials, capturing stdout, stderr and the exit status;
 *   - checks the live state with `export` and `extract`, comparing record
 *     sets with the model's equivalences (absent, null and {} maps are the
 *     same, a null template is the empty template; order does not matter),
 *     and the calls made with the proxy's counters (`writes`).
 * Expected records always come from `extract` of the document that was
 * imported, expected plans from testdata/e2e-import/ (written by hand from
 * the command-line contract).
 *
 * Where moto deviates from AWS (../shared/reference/apigateway.md 10) the
 * test says so next to the check.
 *
 * Every test has the same .timeout: criterion 2.4 leaks in its runner
 * (LeakSanitizer fails the run) when parallel tests have different ones.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/common.h"
#include "util/buf.h"
#include "util/xalloc.h"

extern char **environ;

#define E2E_TIMEOUT 240    /* every test (see above) */
#define RUN_DEADLINE_S 200 /* one child process */
#define MAX_ARGS 48

/* ------------------------------------------------------------------ */
/* A test's scratch directory, proxy and child processes               */
/* ------------------------------------------------------------------ */

struct proxy {
    pid_t pid;
    int port;
    char url[64]; /* http://127.0.0.1:PORT */
};

struct tcase {
    char dir[64]; /* private scratch directory */
    struct proxy px;
    unsigned seq;          /* numbers the captured outputs */
    const char *extra_env; /* one more NAME=value for the children, or NULL */
};

struct run {
    int status;    /* exit status; 128+N when killed by signal N */
    char *cmdline; /* for messages */
    char *out;
    char *err;
};

static const char *moto_endpoint(void)
{
    const char *e = getenv("OAG_MOTO_ENDPOINT");
    cr_assert(e != NULL && *e,
              "OAG_MOTO_ENDPOINT is not set: run under tools/with-moto");
    return e;
}

static const char *binary(void)
{
    const char *b = getenv("OAG_BINARY");
    cr_assert(b != NULL && *b, "OAG_BINARY is not set");
    return b;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The children's environment: ours without any AWS_* or OAS2APIGW_*
 * variable, plus the dummy credentials with-moto uses.  The AWS config
 * files are absent files of the test's directory, not /dev/null: a
 * program that writes "-o /dev/null" through rename() turns /dev/null
 * into a regular file for everyone on the machine (seen while these tests
 * were written).  Free the array and its last two entries.
 */
static char **child_env(const struct tcase *t)
{
    const char *fixed[] = {
        "AWS_ACCESS_KEY_ID=testing",
        "AWS_SECRET_ACCESS_KEY=testing",
        "AWS_REGION=us-east-1",
        "AWS_EC2_METADATA_DISABLED=true",
        NULL, /* the test's extra variable, if any */
        NULL, /* AWS_CONFIG_FILE */
        NULL, /* AWS_SHARED_CREDENTIALS_FILE */
    };
    char *config = xstrfmt("AWS_CONFIG_FILE=%s/no-aws-config", t->dir);
    char *creds =
        xstrfmt("AWS_SHARED_CREDENTIALS_FILE=%s/no-aws-credentials", t->dir);
    fixed[4] = t->extra_env ? t->extra_env : "OAG_E2E=1";
    fixed[5] = config;
    fixed[6] = creds;
    size_t n = 0;
    while (environ[n]) {
        n++;
    }
    size_t n_fixed = sizeof(fixed) / sizeof(fixed[0]);
    char **env = xcalloc(n + n_fixed + 1, sizeof(*env));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], "AWS_", 4) == 0 ||
            strncmp(environ[i], "OAS2APIGW_", 10) == 0) {
            continue;
        }
        env[k++] = environ[i];
    }
    for (size_t i = 0; i < n_fixed; i++) {
        env[k++] = (char *)fixed[i];
    }
    env[k] = NULL;
    return env;
}

/* Waits for pid, killing it after deadline_s; returns its status. */
static int wait_child(pid_t pid, const char *what)
{
    double deadline = now_s() + RUN_DEADLINE_S;
    long pause_ms = 1;
    for (;;) {
        int st = 0;
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) {
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        cr_assert(w == 0, "waitpid: %s", strerror(errno));
        if (now_s() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            cr_fatal("'%s' ran longer than %d s", what, RUN_DEADLINE_S);
        }
        sleep_ms(pause_ms);
        if (pause_ms < 20) {
            pause_ms *= 2;
        }
    }
}

/*
 * fork/exec of argv (argv[0] searched on PATH) with stdin from /dev/null
 * and stdout/stderr into files; env NULL keeps ours.  The child gets
 * SIGTERM when this worker dies (a timeout), so nothing outlives a test.
 */
static pid_t spawn(const char *const *argv, char **env, const char *out_path,
                   const char *err_path)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int in = open("/dev/null", O_RDONLY);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (getppid() != parent || in < 0 || out < 0 || err < 0 ||
            dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
            _exit(126);
        }
        close(in);
        close(out);
        close(err);
        if (env) {
            environ = env;
        }
        execvp(argv[0], (char *const *)argv);
        dprintf(2, "cannot run '%s': %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

static void run_release(struct run *r)
{
    free(r->cmdline);
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof(*r));
}

/* Runs argv (argv[0] searched on PATH), stdin from /dev/null. */
static void run_argv(struct tcase *t, const char *const *argv, struct run *r)
{
    run_release(r);
    struct buf cmd = BUF_INIT;
    for (size_t i = 0; argv[i]; i++) {
        buf_addf(&cmd, "%s%s", i ? " " : "", argv[i]);
    }
    r->cmdline = buf_detach(&cmd, NULL);
    t->seq++;
    char *out_path = xstrfmt("%s/run%u.out", t->dir, t->seq);
    char *err_path = xstrfmt("%s/run%u.err", t->dir, t->seq);
    char **env = child_env(t);
    pid_t pid = spawn(argv, env, out_path, err_path);
    size_t n_env = 0;
    while (env[n_env]) {
        n_env++;
    }
    free(env[n_env - 1]);
    free(env[n_env - 2]);
    free(env);
    r->status = wait_child(pid, r->cmdline);
    r->out = test_read_file(out_path, NULL);
    r->err = test_read_file(err_path, NULL);
    cr_assert(r->out && r->err, "cannot read the output of '%s'", r->cmdline);
    free(out_path);
    free(err_path);
}

static void collect_args(const char **argv, size_t n, va_list ap)
{
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL) {
        cr_assert(n < MAX_ARGS - 1);
        argv[n++] = a;
    }
    argv[n] = NULL;
}

/* oas2apigw ARGS... (NULL-terminated), no endpoint. */
static void tool(struct tcase *t, struct run *r, ...)
{
    const char *argv[MAX_ARGS];
    argv[0] = binary();
    va_list ap;
    va_start(ap, r);
    collect_args(argv, 1, ap);
    va_end(ap);
    run_argv(t, argv, r);
}

/* oas2apigw CMD --endpoint-url PROXY ARGS... (NULL-terminated). */
static void aws_tool(struct tcase *t, struct run *r, const char *cmd, ...)
{
    const char *argv[MAX_ARGS];
    argv[0] = binary();
    argv[1] = cmd;
    argv[2] = "--endpoint-url";
    argv[3] = t->px.url;
    va_list ap;
    va_start(ap, cmd);
    collect_args(argv, 4, ap);
    va_end(ap);
    run_argv(t, argv, r);
}

#define expect_status(r, want)                                                 \
    cr_assert(eq(int, (r)->status, (want)),                                    \
              "'%s': exit %d, want %d\n--- stderr:\n%s\n--- stdout:\n%.4000s", \
              (r)->cmdline, (r)->status, (want), (r)->err, (r)->out)

/* ------------------------------------------------------------------ */
/* The chaos proxy                                                     */
/* ------------------------------------------------------------------ */

/* Starts the test's proxy (config: inline JSON or NULL). */
static void proxy_start(struct tcase *t, const char *config)
{
    char *script = test_source_path("tools/chaos_proxy.py");
    char *out_path = xstrfmt("%s/proxy.out", t->dir);
    char *err_path = xstrfmt("%s/proxy.err", t->dir);
    char *log_path = xstrfmt("%s/proxy.log", t->dir);
    const char *argv[10];
    size_t n = 0;
    argv[n++] = "python3";
    argv[n++] = script;
    argv[n++] = "--upstream";
    argv[n++] = moto_endpoint();
    argv[n++] = "--log";
    argv[n++] = log_path;
    if (config) {
        argv[n++] = "--config";
        argv[n++] = config;
    }
    argv[n] = NULL;
    t->px.pid = spawn(argv, NULL, out_path, err_path);
    /* the first stdout line is PORT=<n> once it listens */
    t->px.port = 0;
    for (int i = 0; i < 750 && t->px.port == 0; i++) {
        char *text = test_read_file(out_path, NULL);
        if (text && strncmp(text, "PORT=", 5) == 0 && strchr(text, '\n')) {
            long p = strtol(text + 5, NULL, 10);
            if (p > 0 && p < 65536) {
                t->px.port = (int)p;
            }
        }
        free(text);
        if (t->px.port == 0) {
            int st;
            if (waitpid(t->px.pid, &st, WNOHANG) == t->px.pid) {
                char *log = test_read_file(err_path, NULL);
                t->px.pid = 0;
                cr_fatal("the chaos proxy exited: %s", log);
            }
            sleep_ms(20);
        }
    }
    cr_assert(t->px.port > 0, "the chaos proxy did not start");
    snprintf(t->px.url, sizeof(t->px.url), "http://127.0.0.1:%d", t->px.port);
    free(log_path);
    free(script);
    free(out_path);
    free(err_path);
}

static void proxy_stop(struct tcase *t)
{
    if (t->px.pid > 0) {
        kill(t->px.pid, SIGTERM);
        waitpid(t->px.pid, NULL, 0);
        t->px.pid = 0;
    }
}

/*
 * A control request (/__chaos/...; POST when body is given) over a plain
 * HTTP/1.0 connection to the proxy; returns the JSON answer.
 */
static json_t *control(struct tcase *t, const char *path, const char *body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0, "socket: %s", strerror(errno));
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)t->px.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0,
              "connect to the proxy: %s", strerror(errno));
    struct timeval tv = { 30, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct buf req = BUF_INIT;
    buf_addf(&req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n",
             body ? "POST" : "GET", path, t->px.port);
    if (body) {
        buf_addf(&req,
                 "Content-Type: application/json\r\n"
                 "Content-Length: %zu\r\n",
                 strlen(body));
    }
    buf_adds(&req, "\r\n");
    if (body) {
        buf_adds(&req, body);
    }
    for (size_t off = 0; off < req.len;) {
        ssize_t n = write(fd, req.data + off, req.len - off);
        cr_assert(n > 0, "write to the proxy: %s", strerror(errno));
        off += (size_t)n;
    }
    struct buf ans = BUF_INIT;
    char chunk[8192];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
        buf_add(&ans, chunk, (size_t)n);
    }
    cr_assert(n == 0, "read from the proxy: %s", strerror(errno));
    close(fd);
    const char *text = buf_str(&ans);
    int status = 0;
    cr_assert(sscanf(text, "HTTP/%*s %d", &status) == 1, "%s: '%.200s'", path,
              text);
    const char *payload = strstr(text, "\r\n\r\n");
    cr_assert(payload != NULL, "%s: no body", path);
    payload += 4;
    cr_assert(eq(int, status, 200), "%s: HTTP %d %s", path, status, payload);
    json_error_t je;
    json_t *j = json_loads(payload, 0, &je);
    cr_assert(j != NULL, "%s: %s", path, je.text);
    buf_release(&req);
    buf_release(&ans);
    return j;
}

static json_t *proxy_stats(struct tcase *t)
{
    return control(t, "/__chaos/stats", NULL);
}

static void proxy_reset(struct tcase *t)
{
    json_decref(control(t, "/__chaos/reset", "{}"));
}

static void proxy_config(struct tcase *t, const char *config)
{
    json_decref(control(t, "/__chaos/config", config));
}

static json_int_t stat_int(json_t *stats, const char *key)
{
    json_t *v = json_object_get(stats, key);
    cr_assert(0 != json_is_integer(v), "stats has no integer '%s'", key);
    return json_integer_value(v);
}

static json_t *writes_of(json_t *stats)
{
    json_t *w = json_object_get(stats, "writes");
    cr_assert(0 != json_is_array(w), "stats has no 'writes'");
    cr_assert(eq(int, (int)stat_int(stats, "writes_dropped"), 0));
    return w;
}

/* Writes of operation op (NULL: all), optionally only those moto ran. */
static size_t count_writes(json_t *stats, const char *op, bool forwarded)
{
    json_t *w = writes_of(stats);
    size_t i, n = 0;
    json_t *e;
    json_array_foreach (w, i, e) {
        const char *o = json_string_value(json_object_get(e, "operation"));
        if (op && (!o || strcmp(o, op) != 0)) {
            continue;
        }
        if (forwarded && !json_is_true(json_object_get(e, "forwarded"))) {
            continue;
        }
        n++;
    }
    return n;
}

/* "op path status" per write, for messages (caller frees). */
static char *writes_text(json_t *stats)
{
    struct buf b = BUF_INIT;
    size_t i;
    json_t *e;
    json_array_foreach (writes_of(stats), i, e) {
        char *s = json_dumps(json_object_get(e, "status"), JSON_ENCODE_ANY);
        buf_addf(&b, "  %s %s -> %s\n",
                 json_string_value(json_object_get(e, "operation")),
                 json_string_value(json_object_get(e, "path")), s);
        free(s);
    }
    if (b.len == 0) {
        buf_adds(&b, "  (none)\n");
    }
    return buf_detach(&b, NULL);
}

static void expect_no_writes(struct tcase *t, const char *when)
{
    json_t *stats = proxy_stats(t);
    char *text = writes_text(stats);
    cr_assert(eq(sz, count_writes(stats, NULL, false), 0),
              "%s: write calls were made:\n%s", when, text);
    free(text);
    json_decref(stats);
}

/* The proxy's log entries (--log) of operation op, after the fact. */
static json_t *log_entries(struct tcase *t, const char *op)
{
    /* a control request is logged after the calls it follows */
    json_decref(proxy_stats(t));
    char *path = xstrfmt("%s/proxy.log", t->dir);
    json_t *out = json_array();
    for (int attempt = 0; attempt < 50; attempt++) {
        char *text = test_read_file(path, NULL);
        json_array_clear(out);
        bool has_stats = false;
        for (char *line = text; line && *line;) {
            size_t len = strcspn(line, "\n");
            json_t *e = json_loadb(line, len, 0, NULL);
            const char *o = json_string_value(json_object_get(e, "op"));
            const char *p = json_string_value(json_object_get(e, "path"));
            if (o && strcmp(o, op) == 0) {
                json_array_append(out, e);
            }
            has_stats = has_stats || (p && strcmp(p, "/__chaos/stats") == 0);
            json_decref(e);
            line += len;
            if (*line) {
                line++;
            }
        }
        free(text);
        if (has_stats) {
            break;
        }
        sleep_ms(20);
    }
    free(path);
    return out;
}

/* ------------------------------------------------------------------ */
/* Set-up and tear-down of one test                                    */
/* ------------------------------------------------------------------ */

/*
 * The running test's case (one test per criterion worker process).  It is
 * static, not on the test's stack, so that teardown (the tests' .fini,
 * which criterion runs after a failed assertion too) can stop the proxy
 * and remove the directory.
 */
static struct tcase current_case;
static bool current_active;

static void teardown(void)
{
    if (!current_active) {
        return;
    }
    current_active = false;
    proxy_stop(&current_case);
    if (current_case.dir[0]) {
        char *cmd = xstrfmt("rm -rf '%s'", current_case.dir);
        int rc = system(cmd);
        free(cmd);
        cr_assert(eq(int, rc, 0), "cannot remove %s", current_case.dir);
    }
}

static struct tcase *tcase_begin(const char *proxy_config_json)
{
    struct tcase *t = &current_case;
    memset(t, 0, sizeof(*t));
    current_active = true;
    const char *tmp = getenv("TMPDIR");
    snprintf(t->dir, sizeof(t->dir), "%s/oagimpe2eXXXXXX",
             tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    cr_assert(mkdtemp(t->dir) != NULL, "mkdtemp: %s", strerror(errno));
    proxy_start(t, proxy_config_json);
    return t;
}

/* Writes dir/name; returns the path (caller frees). */
static char *write_file(struct tcase *t, const char *name, const char *text,
                        size_t len)
{
    char *path = xstrfmt("%s/%s", t->dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert(f != NULL, "cannot write %s", path);
    cr_assert(fwrite(text, 1, len, f) == len);
    cr_assert(fclose(f) == 0);
    return path;
}

/* Copies a file into dir/name; returns the new path (caller frees). */
static char *copy_file(struct tcase *t, const char *from, const char *name)
{
    size_t len = 0;
    char *text = test_read_file(from, &len);
    cr_assert(text != NULL, "cannot read %s", from);
    char *path = write_file(t, name, text, len);
    free(text);
    return path;
}

static char *data_path(const char *name)
{
    return xstrfmt("%s/testdata/e2e-import/%s", getenv("OAG_SOURCE_ROOT"),
                   name);
}

static char *petstore_path(void)
{
    return test_source_path("testdata/sample/petstore.yaml");
}

/*
 * A fresh REST API from doc, made by tools/make_skeleton.py straight
 * against moto (resources, methods, integrations; method responses only
 * with with_method_responses).  Returns its id (caller frees).
 */
static char *skeleton(struct tcase *t, const char *doc,
                      bool with_method_responses)
{
    char *script = test_source_path("tools/make_skeleton.py");
    const char *argv[] = { "python3",
                           script,
                           doc,
                           "--endpoint",
                           moto_endpoint(),
                           with_method_responses ? "--with-method-responses"
                                                 : NULL,
                           NULL };
    struct run r = { 0 };
    run_argv(t, argv, &r);
    expect_status(&r, 0);
    size_t len = strcspn(r.out, "\r\n");
    cr_assert(len > 0 && len < 32, "make_skeleton printed '%s'", r.out);
    char *id = xstrndup(r.out, len);
    run_release(&r);
    free(script);
    return id;
}

/* ------------------------------------------------------------------ */
/* Record sets                                                         */
/* ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * extract's JSON as a sorted array of canonical record strings, with the
 * model's equivalences: absent, null and {} maps are the same; a null
 * template is the empty template; restApiId/resourceId do not count.
 */
static json_t *records_canon(const char *text, const char *what)
{
    json_error_t je;
    json_t *a = json_loads(text, 0, &je);
    cr_assert(0 != json_is_array(a), "%s: not a JSON array (%s): %.300s", what,
              je.text, text);
    size_t n = json_array_size(a);
    char **items = xcalloc(n + 1, sizeof(*items));
    size_t i;
    json_t *rec;
    json_array_foreach (a, i, rec) {
        cr_assert(0 != json_is_object(rec), "%s: record %zu is not an object",
                  what, i);
        json_t *c = json_deep_copy(rec);
        json_object_del(c, "restApiId");
        json_object_del(c, "resourceId");
        static const char *const maps[] = { "responseParameters",
                                            "responseTemplates" };
        for (size_t m = 0; m < 2; m++) {
            json_t *v = json_object_get(c, maps[m]);
            if (v && (json_is_null(v) ||
                      (json_is_object(v) && json_object_size(v) == 0))) {
                json_object_del(c, maps[m]);
            } else if (m == 1 && json_is_object(v)) {
                const char *k;
                json_t *tv;
                json_object_foreach (v, k, tv) {
                    if (json_is_null(tv)) {
                        json_object_set_new(v, k, json_string(""));
                    }
                }
            }
        }
        items[i] = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT);
        json_decref(c);
    }
    qsort(items, n, sizeof(*items), cmp_str);
    json_t *out = json_array();
    for (i = 0; i < n; i++) {
        json_array_append_new(out, json_string(items[i]));
        free(items[i]);
    }
    free(items);
    json_decref(a);
    return out;
}

/* Fails listing what only one side has. */
static void expect_same_records(json_t *got, json_t *want, const char *what)
{
    if (json_equal(got, want)) {
        return;
    }
    struct buf b = BUF_INIT;
    size_t i = 0;
    size_t j = 0;
    size_t ng = json_array_size(got);
    size_t nw = json_array_size(want);
    while (i < ng || j < nw) {
        const char *g =
            i < ng ? json_string_value(json_array_get(got, i)) : NULL;
        const char *w =
            j < nw ? json_string_value(json_array_get(want, j)) : NULL;
        int c = !g ? 1 : !w ? -1 : strcmp(g, w);
        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            buf_addf(&b, "  only live/got: %s\n", g);
            i++;
        } else {
            buf_addf(&b, "  only expected: %s\n", w);
            j++;
        }
    }
    cr_fatal("%s: %zu records, %zu expected\n%s", what, ng, nw, buf_str(&b));
}

/* The canonical records of a document (`oas2apigw extract`). */
static json_t *extract_file(struct tcase *t, const char *path)
{
    struct run r = { 0 };
    tool(t, &r, "extract", path, NULL);
    expect_status(&r, 0);
    json_t *recs = records_canon(r.out, path);
    run_release(&r);
    return recs;
}

/* The live records: export --format json -o FILE, then extract FILE. */
static json_t *export_records(struct tcase *t, const char *api)
{
    char *out = xstrfmt("%s/export%u.json", t->dir, t->seq + 1);
    struct run r = { 0 };
    aws_tool(t, &r, "export", "--rest-api-id", api, "--format", "json", "-o",
             out, NULL);
    expect_status(&r, 0);
    run_release(&r);
    json_t *recs = extract_file(t, out);
    free(out);
    return recs;
}

static void expect_live_equals_doc(struct tcase *t, const char *api,
                                   const char *doc, const char *what)
{
    json_t *want = extract_file(t, doc);
    json_t *got = export_records(t, api);
    expect_same_records(got, want, what);
    json_decref(got);
    json_decref(want);
}

/* skeleton + import --mode items, checked. */
static char *api_from(struct tcase *t, const char *doc)
{
    char *api = skeleton(t, doc, false);
    struct run r = { 0 };
    aws_tool(t, &r, "import", "--mode", "items", "--rest-api-id", api, doc,
             NULL);
    expect_status(&r, 0);
    run_release(&r);
    return api;
}

/* A plan's change lines ("+ ", "~ ", "- "), blanks collapsed, sorted. */
static json_t *plan_lines(const char *text)
{
    json_t *out = json_array();
    char **items = xcalloc(strlen(text) + 1, sizeof(*items));
    size_t n = 0;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        if (len >= 2 && (p[0] == '+' || p[0] == '~' || p[0] == '-') &&
            p[1] == ' ') {
            struct buf b = BUF_INIT;
            bool blank = false;
            for (size_t k = 0; k < len; k++) {
                if (p[k] == ' ' || p[k] == '\t') {
                    blank = true;
                    continue;
                }
                if (blank && b.len) {
                    buf_addch(&b, ' ');
                }
                blank = false;
                buf_addch(&b, p[k]);
            }
            items[n++] = buf_detach(&b, NULL);
        }
        p += len;
        if (*p) {
            p++;
        }
    }
    qsort(items, n, sizeof(*items), cmp_str);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(out, json_string(items[i]));
        free(items[i]);
    }
    free(items);
    return out;
}

static void expect_plan_lines(const char *out, const char *expected_text,
                              const char *what)
{
    json_t *got = plan_lines(out);
    json_t *want = plan_lines(expected_text);
    char *g = json_dumps(got, JSON_INDENT(1));
    char *w = json_dumps(want, JSON_INDENT(1));
    cr_assert(json_equal(got, want),
              "%s: plan lines\n%s\nwant\n%s\n"
              "--- output:\n%s",
              what, g, w, out);
    free(g);
    free(w);
    json_decref(got);
    json_decref(want);
}

static void expect_contains(const char *text, const char *needle,
                            const char *what)
{
    cr_assert(strstr(text, needle) != NULL, "%s: '%s' not in:\n%s", what,
              needle, text);
}

/* ------------------------------------------------------------------ */
/* Round trip                                                          */
/* ------------------------------------------------------------------ */

/*
 * make_skeleton (no method responses), import --mode items, export,
 * extract: the live records equal the document's.  Then nothing is left
 * to do: plan exits 0 with an empty plan, and neither it nor a second
 * import makes a write call.
 */
static void round_trip(const char *doc)
{
    struct tcase *t = tcase_begin(NULL);
    char *api = api_from(t, doc);
    expect_live_equals_doc(t, api, doc, "export after import");

    proxy_reset(t);
    struct run r = { 0 };
    aws_tool(t, &r, "plan", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 0);
    expect_contains(r.out, "0 to add, 0 to change, 0 to delete", r.cmdline);
    aws_tool(t, &r, "import", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 0);
    expect_contains(r.out, "no changes", r.cmdline);
    expect_no_writes(t, "plan and import of an imported document");
    run_release(&r);
    free(api);
}

Test(import_e2e, round_trip_of_the_sample_petstore, .timeout = E2E_TIMEOUT,
     .fini = teardown)
{
    char *doc = petstore_path();
    round_trip(doc);
    free(doc);
}

#define ROUND_TRIP_EXTERNAL(name, rel)                                      \
    Test(import_e2e, round_trip_of_external_##name, .timeout = E2E_TIMEOUT, \
         .fini = teardown)                                                  \
    {                                                                       \
        char *doc = test_shared_path("testdata/external/" rel);             \
        if (!doc) {                                                         \
            cr_skip_test("../shared is absent: external document " rel      \
                         " not tested");                                    \
        }                                                                   \
        round_trip(doc);                                                    \
        free(doc);                                                          \
    }

/*
 * Every document of ../shared/testdata/external/ that moto can hold.  Left
 * out, and why:
 * - aws-apigateway-importer/apigateway.json: maps headers its method
 *   responses do not declare (validate refuses it, as AWS would), and its
 *   credentials name another account (moto: "Cross-account pass role").
 * - moto/test_api_integration.yaml: maps undeclared headers (validate
 *   refuses it; moto itself accepts it - see the invalid-document test).
 * - awsdocs-apigateway-guide/set-up-lambda-proxy-integrations.oas30.json:
 *   its integration response's status 200 has no method response
 *   (validate refuses it).
 * - localstack/openapi-http-method-integration.json: Terraform placeholder
 *   `${lambda_invocation_arn}` as uri (moto: "Invalid ARN").
 * - serverless-patterns (all seven): CloudFormation intrinsics as uri
 *   ({"Fn::Sub": ...}: apigw-cache-invalidation-eventbridge,
 *   apigw-ddb-openapi-crud, apigw-dynamodb-lambda-scheduler-ses-auto-
 *   deletion-sam, apigw-rest-apigw-rest) or `${AWS::Partition}` /
 *   `${AWS::Region}` inside the ARN (api-lambda-ses,
 *   apigw-lambda-sns-monitoring-sam, apigw-sns-sms; the last one also
 *   passes a role of another account): CloudFormation has to resolve them
 *   before API Gateway can hold the API.
 */
ROUND_TRIP_EXTERNAL(
    kinesis_proxy_swagger2,
    "awsdocs-apigateway-guide/"
    "api-as-kinesis-proxy-export-swagger-with-extensions.swagger2.json")
ROUND_TRIP_EXTERNAL(
    lambda_proxy_swagger2,
    "awsdocs-apigateway-guide/"
    "api-as-lambda-proxy-export-swagger-with-extensions.swagger2.json")
ROUND_TRIP_EXTERNAL(
    image_s3_oas30,
    "awsdocs-apigateway-guide/"
    "api-gateway-content-encodings-examples-image-s3.oas30.json")
ROUND_TRIP_EXTERNAL(
    image_s3_swagger2,
    "awsdocs-apigateway-guide/"
    "api-gateway-content-encodings-examples-image-s3.swagger2.json")
ROUND_TRIP_EXTERNAL(
    create_api_using_swagger,
    "awsdocs-apigateway-guide/create-api-using-swagger.swagger2.json")
ROUND_TRIP_EXTERNAL(localstack_basepath_server_variable,
                    "localstack/openapi-basepath-server-variable.yaml")
ROUND_TRIP_EXTERNAL(localstack_mock, "localstack/openapi-mock.json")
ROUND_TRIP_EXTERNAL(localstack_cognito_auth,
                    "localstack/openapi.cognito-auth.json")
ROUND_TRIP_EXTERNAL(localstack_circular_ref,
                    "localstack/openapi.spec.circular-ref.json")
ROUND_TRIP_EXTERNAL(localstack_spec_tf, "localstack/openapi.spec.tf.json")
ROUND_TRIP_EXTERNAL(localstack_pets, "localstack/pets.json")
ROUND_TRIP_EXTERNAL(localstack_swagger, "localstack/swagger.json")
ROUND_TRIP_EXTERNAL(modern_application_workshop,
                    "modern-application-workshop/api-swagger.json")
ROUND_TRIP_EXTERNAL(sam_swagger1, "serverless-application-model/swagger1.json")

/* ------------------------------------------------------------------ */
/* Plans: text, JSON, exit codes                                       */
/* ------------------------------------------------------------------ */

/* python3 -c: validates argv[3] against schemas/argv[2] (dir argv[1]). */
static const char *const schema_check_py =
    "import json, pathlib, sys\n"
    "from jsonschema import Draft202012Validator\n"
    "from referencing import Registry, Resource\n"
    "d = pathlib.Path(sys.argv[1])\n"
    "reg = Registry()\n"
    "for f in d.glob('*.schema.json'):\n"
    "    s = json.loads(f.read_text())\n"
    "    reg = reg.with_resource(s['$id'], Resource.from_contents(s))\n"
    "schema = json.loads((d / sys.argv[2]).read_text())\n"
    "v = Draft202012Validator(schema, registry=reg)\n"
    "errs = list(v.iter_errors(json.loads(pathlib.Path(sys.argv[3])"
    ".read_text())))\n"
    "for e in errs:\n"
    "    print('%s: %s' % (list(e.absolute_path), e.message))\n"
    "sys.exit(1 if errs else 0)\n";

static void expect_schema_valid(struct tcase *t, const char *schema,
                                const char *text)
{
    char *file = write_file(t, "instance.json", text, strlen(text));
    char *dir = test_source_path("schemas");
    const char *argv[] = { "python3", "-c", schema_check_py, dir, schema,
                           file,      NULL };
    struct run r = { 0 };
    run_argv(t, argv, &r);
    cr_assert(eq(int, r.status, 0), "not valid against schemas/%s:\n%s%s",
              schema, r.out, r.err);
    run_release(&r);
    free(dir);
    free(file);
}

/*
 * A plan's changes as a sorted array of canonical strings: the contract's
 * keys only ("record", which schemas/plan.schema.json adds, is checked
 * separately), empty lists as absent.
 */
static json_t *changes_canon(json_t *changes)
{
    size_t n = json_array_size(changes);
    char **items = xcalloc(n + 1, sizeof(*items));
    size_t i;
    json_t *c;
    json_array_foreach (changes, i, c) {
        json_t *k = json_deep_copy(c);
        json_object_del(k, "record");
        static const char *const lists[] = { "fields", "headers" };
        for (size_t l = 0; l < 2; l++) {
            json_t *v = json_object_get(k, lists[l]);
            if (json_is_array(v) && json_array_size(v) == 0) {
                json_object_del(k, lists[l]);
            }
        }
        items[i] = json_dumps(k, JSON_SORT_KEYS | JSON_COMPACT);
        json_decref(k);
    }
    qsort(items, n, sizeof(*items), cmp_str);
    json_t *out = json_array();
    for (i = 0; i < n; i++) {
        json_array_append_new(out, json_string(items[i]));
        free(items[i]);
    }
    free(items);
    return out;
}

/* Every add/change carries the document's record (schema's "record"). */
static void expect_change_records_in(json_t *changes, json_t *doc_records)
{
    size_t i;
    json_t *c;
    json_array_foreach (changes, i, c) {
        const char *a = json_string_value(json_object_get(c, "action"));
        if (!a || (strcmp(a, "add") != 0 && strcmp(a, "change") != 0)) {
            continue;
        }
        json_t *rec = json_object_get(c, "record");
        cr_assert(rec != NULL, "plan change %zu (%s) has no record", i, a);
        json_t *one = json_array();
        json_array_append(one, rec);
        char *text = json_dumps(one, 0);
        json_t *canon = records_canon(text, "plan record");
        const char *s = json_string_value(json_array_get(canon, 0));
        bool found = false;
        size_t j;
        json_t *d;
        json_array_foreach (doc_records, j, d) {
            found = found || strcmp(json_string_value(d), s) == 0;
        }
        cr_assert(found, "plan record %s is not the document's", s);
        json_decref(canon);
        free(text);
        json_decref(one);
    }
}

Test(import_e2e, plan_of_a_second_edit_lists_exactly_its_changes,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *base = petstore_path();
    char *edit = data_path("petstore-edit.yaml");
    char *want_txt_path = data_path("petstore-edit.plan.txt");
    char *want_json_path = data_path("petstore-edit.plan.json");
    char *api = api_from(t, base);
    proxy_reset(t);

    /* text: exit 2, exactly the expected change lines, the summary */
    struct run r = { 0 };
    aws_tool(t, &r, "plan", "--prune", "--rest-api-id", api, edit, NULL);
    expect_status(&r, 2);
    char *want_txt = test_read_file(want_txt_path, NULL);
    cr_assert(want_txt != NULL);
    expect_plan_lines(r.out, want_txt, r.cmdline);
    expect_contains(r.out, "1 to add, 1 to change, 1 to delete, 4 unchanged.",
                    r.cmdline);
    /* the method response comes before the integration response using it */
    const char *mr = strstr(r.out, "method-response  POST /pets 500");
    const char *add = strstr(r.out, "add              POST /pets 500");
    cr_assert(mr && add && mr < add, "order:\n%s", r.out);

    /* JSON: valid against the schema, the same changes and summary */
    aws_tool(t, &r, "plan", "--prune", "--output", "json", "--rest-api-id", api,
             edit, NULL);
    expect_status(&r, 2);
    expect_schema_valid(t, "plan.schema.json", r.out);
    json_error_t je;
    json_t *plan = json_loads(r.out, 0, &je);
    cr_assert(plan != NULL, "%s", je.text);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(plan, "restApiId")),
                 api));
    cr_assert(eq(str, (char *)json_string_value(json_object_get(plan, "mode")),
                 "items"));
    json_t *want_changes = json_load_file(want_json_path, 0, &je);
    cr_assert(want_changes != NULL, "%s", je.text);
    json_t *got_c = changes_canon(json_object_get(plan, "changes"));
    json_t *want_c = changes_canon(want_changes);
    char *g = json_dumps(got_c, JSON_INDENT(1));
    char *w = json_dumps(want_c, JSON_INDENT(1));
    cr_assert(json_equal(got_c, want_c), "changes\n%s\nwant\n%s", g, w);
    json_t *edit_records = extract_file(t, edit);
    expect_change_records_in(json_object_get(plan, "changes"), edit_records);
    json_t *summary = json_object_get(plan, "summary");
    json_t *want_summary =
        json_pack("{s:i,s:i,s:i,s:i,s:i}", "add", 1, "change", 1, "delete", 1,
                  "unchanged", 4, "kept", 0);
    cr_assert(json_equal(summary, want_summary), "summary %s",
              json_dumps(summary, JSON_COMPACT));
    /* import --dry-run is plan */
    char *plan_text = xstrdup(r.out);
    aws_tool(t, &r, "import", "--dry-run", "--prune", "--output", "json",
             "--rest-api-id", api, edit, NULL);
    expect_status(&r, 2);
    cr_assert(eq(str, r.out, plan_text));
    free(plan_text);
    expect_no_writes(t, "plan and import --dry-run");

    /* import applies exactly those, then nothing is left */
    aws_tool(t, &r, "import", "--prune", "--rest-api-id", api, edit, NULL);
    expect_status(&r, 0);
    expect_contains(r.out, "applied 4 change(s)", r.cmdline);
    json_t *stats = proxy_stats(t);
    char *wt = writes_text(stats);
    cr_assert(eq(sz, count_writes(stats, NULL, false), 4), "%s", wt);
    cr_assert(eq(sz, count_writes(stats, "PutMethodResponse", true), 1), "%s",
              wt);
    cr_assert(eq(sz, count_writes(stats, "PutIntegrationResponse", true), 2),
              "%s", wt);
    cr_assert(eq(sz, count_writes(stats, "DeleteIntegrationResponse", true), 1),
              "%s", wt);
    expect_live_equals_doc(t, api, edit, "export after the second edit");
    aws_tool(t, &r, "plan", "--prune", "--rest-api-id", api, edit, NULL);
    expect_status(&r, 0);
    expect_contains(r.out, "0 to add, 0 to change, 0 to delete", r.cmdline);

    free(wt);
    json_decref(stats);
    json_decref(want_summary);
    json_decref(edit_records);
    free(g);
    free(w);
    json_decref(got_c);
    json_decref(want_c);
    json_decref(want_changes);
    json_decref(plan);
    free(want_txt);
    run_release(&r);
    free(api);
    free(want_json_path);
    free(want_txt_path);
    free(edit);
    free(base);
}

/*
 * A header mapped on an existing method response that does not declare it
 * yet: the plan declares it first (UpdateMethodResponse), then changes the
 * integration response.  Plan only: moto does not implement
 * UpdateMethodResponse (PATCH answers 500), so it cannot be applied here.
 */
Test(import_e2e, plan_declares_a_newly_mapped_header_before_using_it,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *base = petstore_path();
    char *doc = data_path("petstore-header.yaml");
    char *api = api_from(t, base);
    proxy_reset(t);
    struct run r = { 0 };
    aws_tool(t, &r, "plan", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 2);
    expect_plan_lines(r.out,
                      "~ method-response GET /pets 200 (X-Cache)\n"
                      "~ change GET /pets 200 default: responseParameters\n",
                      r.cmdline);
    expect_contains(r.out, "0 to add, 1 to change, 0 to delete, 5 unchanged.",
                    r.cmdline);
    aws_tool(t, &r, "plan", "--output", "json", "--rest-api-id", api, doc,
             NULL);
    expect_status(&r, 2);
    expect_schema_valid(t, "plan.schema.json", r.out);
    json_t *plan = json_loads(r.out, 0, NULL);
    json_t *changes = json_object_get(plan, "changes");
    cr_assert(eq(sz, json_array_size(changes), 2), "%s", r.out);
    json_t *first = json_array_get(changes, 0);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(first, "action")),
                 "update-method-response"),
              "%s", r.out);
    json_t *headers = json_object_get(first, "headers");
    cr_assert(eq(sz, json_array_size(headers), 1), "%s", r.out);
    cr_assert(eq(str, (char *)json_string_value(json_array_get(headers, 0)),
                 "method.response.header.X-Cache"),
              "%s", r.out);
    expect_no_writes(t, "plan");
    json_decref(plan);
    run_release(&r);
    free(api);
    free(doc);
    free(base);
}

Test(import_e2e, usage_errors_exit_2_for_import_and_64_for_plan,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *doc = petstore_path();
    struct run r = { 0 };
    aws_tool(t, &r, "import", "--mode", "everything", "--rest-api-id", "abc",
             doc, NULL);
    expect_status(&r, 2);
    aws_tool(t, &r, "plan", "--mode", "everything", "--rest-api-id", "abc", doc,
             NULL);
    expect_status(&r, 64);
    aws_tool(t, &r, "import", "--dry-run", "--output", "xml", "--rest-api-id",
             "abc", doc, NULL);
    expect_status(&r, 64);
    /* a document that cannot be read: local I/O, before any call */
    char *missing = xstrfmt("%s/missing.yaml", t->dir);
    aws_tool(t, &r, "import", "--rest-api-id", "abc", missing, NULL);
    expect_status(&r, 3);
    aws_tool(t, &r, "plan", "--rest-api-id", "abc", missing, NULL);
    expect_status(&r, 3);
    free(missing);
    json_t *stats = proxy_stats(t);
    cr_assert(eq(int, (int)stat_int(stats, "requests"), 0));
    json_decref(stats);
    run_release(&r);
    free(doc);
}

/* ------------------------------------------------------------------ */
/* Prune                                                               */
/* ------------------------------------------------------------------ */

Test(import_e2e, a_removed_record_stays_live_unless_pruned,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *base = petstore_path();
    char *doc = data_path("petstore-pruned.yaml");
    char *api = api_from(t, base);
    proxy_reset(t);

    /* without --prune: nothing to do, the plan says the record is kept */
    struct run r = { 0 };
    aws_tool(t, &r, "plan", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 0);
    expect_contains(r.out, "0 to add, 0 to change, 0 to delete", r.cmdline);
    expect_contains(r.out, "GET /pets/{petId} 404", r.cmdline);
    expect_contains(r.out, "kept", r.cmdline);
    aws_tool(t, &r, "import", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 0);
    expect_no_writes(t, "import without --prune");
    expect_live_equals_doc(t, api, base,
                           "export after import without "
                           "--prune");

    /* with --prune: one DeleteIntegrationResponse */
    aws_tool(t, &r, "plan", "--prune", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 2);
    expect_plan_lines(r.out, "- delete GET /pets/{petId} 404 '404'\n",
                      r.cmdline);
    expect_contains(r.out, "0 to add, 0 to change, 1 to delete", r.cmdline);
    proxy_reset(t);
    aws_tool(t, &r, "import", "--prune", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 0);
    json_t *stats = proxy_stats(t);
    char *wt = writes_text(stats);
    cr_assert(eq(sz, count_writes(stats, NULL, false), 1), "%s", wt);
    cr_assert(eq(sz, count_writes(stats, "DeleteIntegrationResponse", true), 1),
              "%s", wt);
    const char *path = json_string_value(
        json_object_get(json_array_get(writes_of(stats), 0), "path"));
    size_t len = strlen(path);
    const char *suffix = "/methods/GET/integration/responses/404";
    cr_assert(len > strlen(suffix) &&
                  strcmp(path + len - strlen(suffix), suffix) == 0,
              "%s", path);
    expect_live_equals_doc(t, api, doc, "export after import --prune");
    free(wt);
    json_decref(stats);
    run_release(&r);
    free(api);
    free(doc);
    free(base);
}

/* ------------------------------------------------------------------ */
/* Refusals before any write                                           */
/* ------------------------------------------------------------------ */

Test(import_e2e, a_method_missing_in_the_api_is_named_and_nothing_is_sent,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *base = petstore_path();
    char *doc = data_path("petstore-extra-method.yaml");
    char *api = skeleton(t, base, false);
    struct run r = { 0 };
    /*
     * The document is valid; the API lacks DELETE /pets/{petId}.  The
     * implementation reports it as a problem of the input (exit 1) after
     * reading the API, and writes nothing, not even the other methods'
     * integration responses.
     */
    const char *cmds[] = { "plan", "import" };
    for (size_t i = 0; i < 2; i++) {
        proxy_reset(t);
        aws_tool(t, &r, cmds[i], "--rest-api-id", api, doc, NULL);
        expect_status(&r, 1);
        expect_contains(r.err, "DELETE /pets/{petId}", r.cmdline);
        expect_contains(r.err, "--mode merge", r.cmdline);
        expect_no_writes(t, r.cmdline);
    }
    free(api);

    /* the same with the method present but without an integration */
    char *bare = data_path("petstore-extra-method-bare.yaml");
    api = skeleton(t, bare, false);
    proxy_reset(t);
    aws_tool(t, &r, "import", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 1);
    expect_contains(r.err, "DELETE /pets/{petId}", r.cmdline);
    expect_contains(r.err, "integration", r.cmdline);
    expect_no_writes(t, r.cmdline);
    run_release(&r);
    free(bare);
    free(api);
    free(doc);
    free(base);
}

Test(import_e2e, an_invalid_document_sends_no_request_at_all,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *doc = data_path("petstore-invalid.yaml");
    struct run r = { 0 };
    /* with an id, by name and by info.title: validation comes first */
    const char *const forms[][3] = {
        { "import", "--rest-api-id", "abcdef1234" },
        { "plan", "--rest-api-id", "abcdef1234" },
        { "import", "--rest-api-name", "oas2apigw-sample-petstore" },
        { "import", "--mode", "merge" },
        { "import", "--mode", "overwrite" },
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        aws_tool(t, &r, forms[i][0], forms[i][1], forms[i][2], doc, NULL);
        expect_status(&r, 1);
        expect_contains(r.err, "X-Undeclared", r.cmdline);
    }
    aws_tool(t, &r, "import", doc, NULL);
    expect_status(&r, 1);

    /*
     * moto's own test document maps headers its method responses do not
     * declare.  moto accepts it (no header checks, reference 10); AWS
     * answers "Invalid mapping expression parameter specified", so the
     * tool refuses it before sending anything, in merge mode too.
     */
    char *moto_doc =
        test_shared_path("testdata/external/moto/test_api_integration.yaml");
    if (moto_doc) {
        aws_tool(t, &r, "import", "--mode", "merge", "--rest-api-id",
                 "abcdef1234", moto_doc, NULL);
        expect_status(&r, 1);
        expect_contains(r.err, "X-Frame-Options", r.cmdline);
    }
    json_t *stats = proxy_stats(t);
    cr_assert(eq(int, (int)stat_int(stats, "requests"), 0),
              "requests were sent for invalid documents");
    json_decref(stats);
    free(moto_doc);
    run_release(&r);
    free(doc);
}

/* ------------------------------------------------------------------ */
/* Throttling storm and a fault half-way                               */
/* ------------------------------------------------------------------ */

/* n_paths methods, 3 integration responses each (OpenAPI 3.0, YAML). */
static char *generate_doc(struct tcase *t, unsigned n_paths)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "openapi: 3.0.3\n"
                 "info:\n"
                 "  title: oas2apigw-e2e-storm\n"
                 "  description: generated by tests/e2e/test_import_e2e.c\n"
                 "  version: \"1\"\n"
                 "paths:\n");
    for (unsigned i = 0; i < n_paths; i++) {
        buf_addf(&b,
                 "  /items/i%03u:\n"
                 "    get:\n"
                 "      responses:\n"
                 "        \"200\":\n"
                 "          description: ok\n"
                 "          headers:\n"
                 "            X-Item:\n"
                 "              schema:\n"
                 "                type: string\n"
                 "        \"400\":\n"
                 "          description: bad request\n"
                 "        \"500\":\n"
                 "          description: failure\n"
                 "      x-amazon-apigateway-integration:\n"
                 "        type: http\n"
                 "        httpMethod: GET\n"
                 "        uri: https://backend.example.com/items/%u\n"
                 "        responses:\n"
                 "          default:\n"
                 "            statusCode: \"200\"\n"
                 "            responseParameters:\n"
                 "              method.response.header.X-Item: \"'%u'\"\n"
                 "            responseTemplates:\n"
                 "              application/json: '{\"item\": %u}'\n"
                 "          '4\\d{2}':\n"
                 "            statusCode: \"400\"\n"
                 "          '5\\d{2}':\n"
                 "            statusCode: \"500\"\n"
                 "            responseTemplates:\n"
                 "              application/json: '{\"failed\": %u}'\n",
                 i, i, i, i, i);
    }
    char *path = write_file(t, "generated.yaml", b.data, b.len);
    buf_release(&b);
    return path;
}

/*
 * 300 PutIntegrationResponse calls behind AWS-like quotas (10/s, burst 40,
 * Retry-After 1) with a fifth of them throttled at random on top (seeded,
 * so the run is reproducible): every item arrives, each exactly once.
 * The injected 429s carry no Retry-After (the client backs off with full
 * jitter, base 1 s) and stop after 40 (about the first two thirds of the
 * import): each costs the client about a second, and 60-80 of them would
 * blow the suite's time budget without testing more.
 */
Test(import_e2e, a_throttling_storm_during_a_300_item_import_loses_nothing,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t =
        tcase_begin("{\"throttle\": {\"rate\": 10, \"burst\": 40, "
                    "\"retry_after\": 1}, \"seed\": 4242, \"faults\": ["
                    "{\"name\": \"storm\", \"operation\": "
                    "\"PutIntegrationResponse\", \"action\": \"throttle\", "
                    "\"probability\": 0.2, \"max_fires\": 40, "
                    "\"retry_after\": null}]}");
    char *doc = generate_doc(t, 100);
    /* method responses exist: the import is exactly 300 integration
       responses */
    char *api = skeleton(t, doc, true);
    double start = now_s();
    struct run r = { 0 };
    aws_tool(t, &r, "import", "--progress", "--rest-api-id", api, doc, NULL);
    double took = now_s() - start;
    expect_status(&r, 0);
    expect_contains(r.out, "applied 300 change(s)", r.cmdline);
    /* --progress: shown although stderr is a file */
    expect_contains(r.err, "[300/300] 100%", r.cmdline);
    json_t *stats = proxy_stats(t);
    json_t *writes = writes_of(stats);
    /* every item reached moto once: no failure, no duplicate */
    json_t *seen = json_object();
    size_t i;
    json_t *e;
    json_array_foreach (writes, i, e) {
        cr_assert(eq(str,
                     (char *)json_string_value(json_object_get(e, "operation")),
                     "PutIntegrationResponse"));
        if (!json_is_true(json_object_get(e, "forwarded"))) {
            cr_assert(eq(int,
                         (int)json_integer_value(json_object_get(e, "status")),
                         429));
            continue;
        }
        const char *p = json_string_value(json_object_get(e, "path"));
        cr_assert(json_object_get(seen, p) == NULL, "written twice: %s", p);
        json_object_set_new(seen, p, json_true());
    }
    cr_assert(eq(sz, json_object_size(seen), 300));
    json_t *by_rule = json_object_get(stats, "faults_by_rule");
    json_int_t fired = json_integer_value(json_object_get(by_rule, "storm"));
    cr_assert(eq(int, (int)fired, 40), "the storm fired %lld times",
              (long long)fired);
    cr_assert(eq(int, (int)stat_int(stats, "signature_failures"), 0));
    cr_log_info("storm: %.1f s, %lld injected 429s, %lld from the buckets",
                took, (long long)fired,
                (long long)stat_int(stats, "throttled"));
    expect_live_equals_doc(t, api, doc, "export after the storm");
    json_decref(seen);
    json_decref(stats);
    run_release(&r);
    free(api);
    free(doc);
}

/* The paths of writes moto ran, as a set (object of path -> count). */
static json_t *applied_paths(json_t *stats)
{
    json_t *set = json_object();
    size_t i;
    json_t *e;
    json_array_foreach (writes_of(stats), i, e) {
        if (!json_is_true(json_object_get(e, "forwarded"))) {
            continue;
        }
        const char *p = json_string_value(json_object_get(e, "path"));
        json_t *n = json_object_get(set, p);
        json_object_set_new(set, p,
                            json_integer(n ? json_integer_value(n) + 1 : 1));
    }
    return set;
}

/*
 * The 3rd PutIntegrationResponse gets 400 BadRequest (not retried): exit 5
 * with the report; a re-run writes exactly what was not applied.
 */
Test(import_e2e, a_fault_half_way_exits_5_and_a_rerun_finishes_the_job,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t =
        tcase_begin("{\"faults\": [{\"name\": \"bad\", \"operation\": "
                    "\"PutIntegrationResponse\", \"action\": \"status\", "
                    "\"status\": 400, \"error_type\": \"BadRequestException\", "
                    "\"message\": \"injected failure\", \"nth\": [3]}]}");
    char *doc = petstore_path();
    /* no method responses: the import is 12 items, 6 PutMethodResponse and
       6 PutIntegrationResponse, method responses first per method */
    char *api = skeleton(t, doc, false);
    struct run r = { 0 };
    aws_tool(t, &r, "import", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 5);
    expect_contains(r.err, "applied", r.cmdline);
    expect_contains(r.err, "failed", r.cmdline);
    expect_contains(r.err, "not attempted", r.cmdline);
    expect_contains(r.err, "injected failure", r.cmdline);
    json_t *first = proxy_stats(t);
    json_t *w1 = writes_of(first);
    size_t n1 = json_array_size(w1);
    /* plan order is per method, method responses first: GET /pets (2 MR,
       2 PIR), POST /pets (2 MR, then its first PIR is the 3rd PIR) */
    cr_assert(eq(sz, n1, 7));
    /* it stopped at the failure: the last write is the failed one */
    json_t *failed = json_array_get(w1, n1 - 1);
    cr_assert(eq(
        int, (int)json_integer_value(json_object_get(failed, "status")), 400));
    cr_assert(false == json_is_true(json_object_get(failed, "forwarded")));
    const char *failed_path =
        json_string_value(json_object_get(failed, "path"));
    json_t *done1 = applied_paths(first);
    cr_assert(eq(sz, json_object_size(done1), n1 - 1));
    /* the report's counts: 6 applied (2 PIR + 4 method responses before
       the 3rd PIR in plan order), the failure, 5 not attempted of 12 */
    char *applied_line = xstrfmt("applied (%zu)", n1 - 1);
    expect_contains(r.err, applied_line, r.cmdline);
    char *left_line = xstrfmt("not attempted (%zu)", (size_t)12 - n1);
    expect_contains(r.err, left_line, r.cmdline);

    proxy_config(t, "{\"faults\": []}");
    proxy_reset(t);
    aws_tool(t, &r, "import", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 0);
    json_t *second = proxy_stats(t);
    char *wt = writes_text(second);
    json_t *done2 = applied_paths(second);
    /* every write of the re-run succeeded, none repeats the first run */
    cr_assert(
        eq(sz, json_object_size(done2), count_writes(second, NULL, false)),
        "%s", wt);
    const char *p;
    json_t *v;
    json_object_foreach (done2, p, v) {
        cr_assert(eq(int, (int)json_integer_value(v), 1), "twice: %s", p);
        cr_assert(json_object_get(done1, p) == NULL,
                  "already applied by the first run: %s", p);
    }
    /* together they are the whole plan, the failed item included */
    cr_assert(json_object_get(done2, failed_path) != NULL, "%s", wt);
    cr_assert(eq(sz, json_object_size(done1) + json_object_size(done2), 12),
              "%s", wt);
    expect_live_equals_doc(t, api, doc, "export after the re-run");
    free(wt);
    free(applied_line);
    free(left_line);
    json_decref(done1);
    json_decref(done2);
    json_decref(first);
    json_decref(second);
    run_release(&r);
    free(api);
    free(doc);
}

/* ------------------------------------------------------------------ */
/* merge and overwrite (PutRestApi)                                    */
/* ------------------------------------------------------------------ */

static char *empty_api(struct tcase *t)
{
    static const char empty[] = "openapi: 3.0.3\n"
                                "info:\n"
                                "  title: oas2apigw-e2e-empty\n"
                                "  version: \"1\"\n"
                                "paths: {}\n";
    char *doc = write_file(t, "empty.yaml", empty, strlen(empty));
    char *api = skeleton(t, doc, false);
    free(doc);
    return api;
}

/* The one write is a PutRestApi with mode=<mode>; returns its status. */
static int expect_one_put_rest_api(struct tcase *t, const char *mode)
{
    json_t *stats = proxy_stats(t);
    char *wt = writes_text(stats);
    cr_assert(eq(sz, count_writes(stats, NULL, false), 1), "%s", wt);
    json_t *w = json_array_get(writes_of(stats), 0);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(w, "operation")),
                 "PutRestApi"),
              "%s", wt);
    char *want = xstrfmt("mode=%s", mode);
    const char *query = json_string_value(json_object_get(w, "query"));
    cr_assert(query && strstr(query, want), "query '%s'", query);
    int status = (int)json_integer_value(json_object_get(w, "status"));
    free(want);
    free(wt);
    json_decref(stats);
    return status;
}

/*
 * merge into an empty API.  moto deviates from AWS here (reference 10):
 * its merge does not merge - every path of the document becomes a new
 * resource even where one exists - so the test merges into an empty API
 * only, where AWS and moto agree, and never merges twice.  moto also
 * creates method responses without their headers; AWS declares them.
 */
Test(import_e2e, merge_puts_the_document_in_one_call, .timeout = E2E_TIMEOUT,
     .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *doc = petstore_path();
    char *api = empty_api(t);
    struct run r = { 0 };
    aws_tool(t, &r, "import", "--mode", "merge", "--rest-api-id", api, doc,
             NULL);
    expect_status(&r, 0);
    cr_assert(eq(int, expect_one_put_rest_api(t, "merge"), 200));
    expect_live_equals_doc(t, api, doc, "export after merge");
    /*
     * Every record is in place.  The plan still declares the mapped
     * headers because moto's PutRestApi creates method responses without
     * their headers (AWS declares them, and the plan would be empty).
     */
    aws_tool(t, &r, "plan", "--rest-api-id", api, doc, NULL);
    expect_status(&r, 2);
    expect_plan_lines(r.out,
                      "~ method-response GET /pets 200 (X-Request-Id, "
                      "Access-Control-Allow-Origin)\n"
                      "~ method-response POST /pets 201 (Location)\n",
                      r.cmdline);
    expect_contains(r.out, "0 to add, 0 to change, 0 to delete, 6 unchanged.",
                    r.cmdline);
    free(api);

    /* a numeric statusCode: moto stores and returns a JSON number (AWS a
       string); the live records still read as the document's */
    size_t nlen = 0;
    char *ntext = test_read_file(doc, &nlen);
    char *q = strstr(ntext, "statusCode: \"201\"");
    cr_assert(q != NULL);
    memcpy(q, "statusCode:   201", 17);
    char *numeric = write_file(t, "numeric.yaml", ntext, nlen);
    api = empty_api(t);
    aws_tool(t, &r, "import", "--mode", "merge", "--rest-api-id", api, numeric,
             NULL);
    expect_status(&r, 0);
    expect_live_equals_doc(t, api, doc,
                           "export after merge of a numeric "
                           "statusCode");
    free(numeric);
    free(ntext);
    free(api);

    /* OpenAPI 3.1 is rewritten to 3.0 (AWS refuses 3.1; moto would take
       it, so only the note and the result can be checked) */
    size_t len = 0;
    char *text = test_read_file(doc, &len);
    char *v = strstr(text, "openapi: 3.0.3\n");
    cr_assert(v != NULL);
    memcpy(v, "openapi: 3.1.0\n", 15);
    char *doc31 = write_file(t, "petstore31.yaml", text, len);
    api = empty_api(t);
    proxy_reset(t);
    aws_tool(t, &r, "import", "--mode", "merge", "--rest-api-id", api, doc31,
             NULL);
    expect_status(&r, 0);
    expect_contains(r.err, "3.0", r.cmdline);
    cr_assert(eq(int, expect_one_put_rest_api(t, "merge"), 200));
    expect_live_equals_doc(t, api, doc, "export after merge of 3.1");
    free(api);

    /*
     * Swagger 2.0: AWS accepts it for PutRestApi, moto refuses it ("Only
     * OpenAPI 3.x.x are currently supported").  The tool sends it as it
     * is, once, and reports AWS's answer as an AWS error.
     */
    static const char swagger[] =
        "swagger: \"2.0\"\n"
        "info:\n"
        "  title: oas2apigw-e2e-swagger\n"
        "  version: \"1\"\n"
        "paths:\n"
        "  /ping:\n"
        "    get:\n"
        "      responses:\n"
        "        \"200\":\n"
        "          description: pong\n"
        "      x-amazon-apigateway-integration:\n"
        "        type: mock\n"
        "        httpMethod: GET\n"
        "        uri: https://backend.example.com/ping\n"
        "        responses:\n"
        "          default:\n"
        "            statusCode: \"200\"\n";
    char *sw = write_file(t, "swagger.yaml", swagger, strlen(swagger));
    api = empty_api(t);
    proxy_reset(t);
    aws_tool(t, &r, "import", "--mode", "merge", "--rest-api-id", api, sw,
             NULL);
    expect_status(&r, 4);
    expect_contains(r.err, "Only OpenAPI 3", r.cmdline);
    cr_assert(eq(int, expect_one_put_rest_api(t, "merge"), 400));
    free(sw);
    free(api);
    free(doc31);
    free(text);
    run_release(&r);
    free(doc);
}

/* dir/<prefix>*<suffix> (the one such file), or NULL; caller frees. */
static char *find_file(struct tcase *t, const char *prefix, const char *suffix)
{
    char *cmd = xstrfmt("cd '%s' && ls -1", t->dir);
    FILE *p = popen(cmd, "r");
    cr_assert(p != NULL);
    char line[512];
    char *found = NULL;
    size_t n = 0;
    while (fgets(line, sizeof(line), p)) {
        line[strcspn(line, "\n")] = '\0';
        size_t len = strlen(line);
        size_t pl = strlen(prefix);
        size_t sl = strlen(suffix);
        if (len > pl + sl && strncmp(line, prefix, pl) == 0 &&
            strcmp(line + len - sl, suffix) == 0) {
            free(found);
            found = xstrfmt("%s/%s", t->dir, line);
            n++;
        }
    }
    pclose(p);
    free(cmd);
    cr_assert(n <= 1, "several files %s*%s", prefix, suffix);
    return found;
}

/*
 * overwrite: the backup is written before the PutRestApi (a PutRestApi
 * that fails leaves it behind, complete), the plan names what overwrite
 * deletes, and importing the backup with overwrite restores the API.
 */
Test(import_e2e, overwrite_writes_a_restorable_backup_first,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t =
        tcase_begin("{\"faults\": [{\"name\": \"put-fails\", \"operation\": "
                    "\"PutRestApi\", \"action\": \"status\", \"status\": 400, "
                    "\"error_type\": \"BadRequestException\", \"message\": "
                    "\"injected failure\"}]}");
    char *base = petstore_path();
    char *edit_src = data_path("petstore-edit.yaml");
    char *spec = copy_file(t, edit_src, "spec-edit.yaml");
    char *api = api_from(t, base);
    json_t *before = export_records(t, api);
    json_t *want_before = extract_file(t, base);
    expect_same_records(before, want_before, "export before overwrite");

    /* the PutRestApi fails: exit 4, the backup is there and complete */
    char *backup = xstrfmt("%s/pre.backup.json", t->dir);
    proxy_reset(t);
    struct run r = { 0 };
    aws_tool(t, &r, "import", "--mode", "overwrite", "--backup", backup,
             "--rest-api-id", api, spec, NULL);
    expect_status(&r, 4);
    expect_contains(r.err, "injected failure", r.cmdline);
    cr_assert(eq(int, expect_one_put_rest_api(t, "overwrite"), 400));
    cr_assert(test_file_exists(backup), "no backup %s", backup);
    json_error_t je;
    json_t *bdoc = json_load_file(backup, 0, &je);
    cr_assert(bdoc != NULL, "backup is not JSON: %s", je.text);
    const char *oas = json_string_value(json_object_get(bdoc, "openapi"));
    cr_assert(oas && strncmp(oas, "3.0.", 4) == 0, "backup openapi '%s'",
              oas ? oas : "(none)");
    json_t *in_backup = extract_file(t, backup);
    expect_same_records(in_backup, before, "records of the backup");
    expect_live_equals_doc(t, api, base,
                           "export after the failed "
                           "overwrite");

    /* the plan lists what overwrite deletes */
    proxy_config(t, "{\"faults\": []}");
    proxy_reset(t);
    aws_tool(t, &r, "plan", "--mode", "overwrite", "--rest-api-id", api, spec,
             NULL);
    expect_status(&r, 2);
    expect_contains(r.out, "GET /pets/{petId} 404", r.cmdline);
    json_t *lines = plan_lines(r.out);
    char *lt = json_dumps(lines, 0);
    cr_assert(strstr(lt, "\"- delete GET /pets/{petId} 404 '404'\"") != NULL,
              "overwrite plan lacks the delete:\n%s", r.out);
    expect_no_writes(t, "plan --mode overwrite");

    /* the real overwrite, default backup name next to the document */
    aws_tool(t, &r, "import", "--mode", "overwrite", "--rest-api-id", api, spec,
             NULL);
    expect_status(&r, 0);
    cr_assert(eq(int, expect_one_put_rest_api(t, "overwrite"), 200));
    char *prefix = xstrfmt("spec-edit.%s.", api);
    char *auto_backup = find_file(t, prefix, ".backup.json");
    cr_assert(auto_backup != NULL, "no %s*.backup.json in %s", prefix, t->dir);
    json_t *in_auto = extract_file(t, auto_backup);
    expect_same_records(in_auto, before, "records of the default backup");
    expect_live_equals_doc(t, api, spec, "export after overwrite");

    /* restore: import the backup with overwrite (which backs up again) */
    char *backup2 = xstrfmt("%s/restore.backup.json", t->dir);
    proxy_reset(t);
    aws_tool(t, &r, "import", "--mode", "overwrite", "--backup", backup2,
             "--rest-api-id", api, backup, NULL);
    expect_status(&r, 0);
    json_t *after = export_records(t, api);
    expect_same_records(after, before, "export after restoring the backup");

    free(backup2);
    json_decref(after);
    json_decref(in_auto);
    free(auto_backup);
    free(prefix);
    free(lt);
    json_decref(lines);
    json_decref(in_backup);
    json_decref(bdoc);
    free(backup);
    json_decref(want_before);
    json_decref(before);
    run_release(&r);
    free(api);
    free(spec);
    free(edit_src);
    free(base);
}

/* ------------------------------------------------------------------ */
/* export                                                              */
/* ------------------------------------------------------------------ */

static const char *const spec_check_py =
    "import sys\n"
    "from openapi_spec_validator import validate\n"
    "from openapi_spec_validator.readers import read_from_filename\n"
    "for f in sys.argv[1:]:\n"
    "    d, _ = read_from_filename(f)\n"
    "    validate(d)\n";

static json_t *json_at(json_t *root, const char *const *keys)
{
    json_t *v = root;
    for (; *keys && v; keys++) {
        v = json_object_get(v, *keys);
    }
    return v;
}

Test(import_e2e, export_writes_valid_openapi_3_and_swagger_2,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *doc = petstore_path();
    char *api = api_from(t, doc);
    json_t *want = extract_file(t, doc);
    char *y3 = xstrfmt("%s/oas3.yaml", t->dir);
    char *j3 = xstrfmt("%s/oas3.json", t->dir);
    char *j2 = xstrfmt("%s/oas2.json", t->dir);
    struct run r = { 0 };
    aws_tool(t, &r, "export", "--rest-api-id", api, "-o", y3, NULL);
    expect_status(&r, 0);
    aws_tool(t, &r, "export", "--rest-api-id", api, "--oas", "3", "--format",
             "json", "-o", j3, NULL);
    expect_status(&r, 0);
    aws_tool(t, &r, "export", "--rest-api-id", api, "--oas", "2", "--format",
             "json", "-o", j2, NULL);
    expect_status(&r, 0);
    const char *argv[] = { "python3", "-c", spec_check_py, y3, j3, j2, NULL };
    run_argv(t, argv, &r);
    expect_status(&r, 0);
    const char *files[] = { y3, j3, j2 };
    for (size_t i = 0; i < 3; i++) {
        json_t *got = extract_file(t, files[i]);
        expect_same_records(got, want, files[i]);
        json_decref(got);
    }
    /* versions, and the declared headers of the method responses */
    json_t *d3 = json_load_file(j3, 0, NULL);
    json_t *d2 = json_load_file(j2, 0, NULL);
    cr_assert(d3 && d2);
    const char *v3 = json_string_value(json_object_get(d3, "openapi"));
    cr_assert(v3 && strncmp(v3, "3.0.", 4) == 0);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(d2, "swagger")),
                 "2.0"));
    json_t *docs[] = { d3, d2 };
    for (size_t i = 0; i < 2; i++) {
        const char *const h200[] = { "paths", "/pets",   "get", "responses",
                                     "200",   "headers", NULL };
        const char *const h201[] = { "paths", "/pets",   "post", "responses",
                                     "201",   "headers", NULL };
        json_t *h = json_at(docs[i], h200);
        bool ok200 = json_object_get(h, "X-Request-Id") &&
                     json_object_get(h, "Access-Control-Allow-Origin");
        bool ok201 = json_object_get(json_at(docs[i], h201), "Location");
        cr_assert(ok200, "%s: GET /pets 200 headers", files[i + 1]);
        cr_assert(ok201, "%s: POST /pets 201 headers", files[i + 1]);
    }
    /* an output file that cannot be written: local I/O */
    char *bad = xstrfmt("%s/no-such-dir/out.yaml", t->dir);
    aws_tool(t, &r, "export", "--rest-api-id", api, "-o", bad, NULL);
    expect_status(&r, 3);
    free(bad);
    /* stdout: the same YAML as -o */
    aws_tool(t, &r, "export", "--rest-api-id", api, NULL);
    expect_status(&r, 0);
    char *y3_text = test_read_file(y3, NULL);
    cr_assert(eq(str, r.out, y3_text));
    free(y3_text);
    json_decref(d3);
    json_decref(d2);
    run_release(&r);
    free(y3);
    free(j3);
    free(j2);
    json_decref(want);
    free(api);
    free(doc);
}

static bool has_prefix(const char *s, size_t len, const char *p, size_t plen)
{
    return len >= plen && memcmp(s, p, plen) == 0;
}

static bool has_suffix(const char *s, size_t len, const char *p, size_t plen)
{
    return len >= plen && memcmp(s + len - plen, p, plen) == 0;
}

/* The records of a canonical set whose method is not POST. */
static json_t *without_post(json_t *records)
{
    json_t *out = json_array();
    size_t i;
    json_t *v;
    json_array_foreach (records, i, v) {
        if (!strstr(json_string_value(v), "\"httpMethod\":\"POST\"")) {
            json_array_append(out, v);
        }
    }
    return out;
}

/*
 * export --into: the live API differs from the sample in one template of
 * GET /pets; only GET /pets's integration responses block of the spec may
 * change, every byte before and after it stays, and the spec then
 * extracts to the live records.
 */
Test(import_e2e, export_into_changes_only_the_responses_block,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *sample = petstore_path();
    char *live_doc = data_path("petstore-into.yaml");
    char *api = api_from(t, live_doc);
    json_t *live = export_records(t, api);
    size_t olen = 0;
    char *orig = test_read_file(sample, &olen);
    char *spec = write_file(t, "spec.yaml", orig, olen);

    /* the block: GET /pets's x-amazon-apigateway-integration.responses */
    const char *start = strstr(orig, "        passthroughBehavior: "
                                     "when_no_match\n        responses:\n");
    cr_assert(start != NULL);
    start = strstr(start, "        responses:\n");
    const char *end = strstr(start, "    post:\n");
    cr_assert(end != NULL);
    size_t pre = (size_t)(start - orig);
    size_t post = olen - (size_t)(end - orig);

    struct run r = { 0 };
    aws_tool(t, &r, "export", "--rest-api-id", api, "--into", spec, NULL);
    expect_status(&r, 0);
    size_t nlen = 0;
    char *now = test_read_file(spec, &nlen);
    cr_assert(strcmp(now, orig) != 0, "--into changed nothing");
    cr_assert(has_prefix(now, nlen, orig, pre),
              "bytes before the responses block changed:\n%s", now);
    cr_assert(has_suffix(now, nlen, end, post),
              "bytes after the responses block changed:\n%s", now);
    char *bak = xstrfmt("%s.bak", spec);
    size_t blen = 0;
    char *bak_text = test_read_file(bak, &blen);
    cr_assert(bak_text && blen == olen && memcmp(bak_text, orig, olen) == 0,
              "%s is not the original", bak);
    json_t *got = extract_file(t, spec);
    expect_same_records(got, live, "spec after export --into");
    json_t *want = extract_file(t, live_doc);
    expect_same_records(live, want, "live records");

    /* in step already: a second --into leaves every byte */
    aws_tool(t, &r, "export", "--rest-api-id", api, "--into", spec,
             "--no-backup", NULL);
    expect_status(&r, 0);
    char *again = test_read_file(spec, NULL);
    cr_assert(eq(str, again, now));

    /* a spec without POST /pets: a warning names it, the rest is done */
    const char *post_start = strstr(orig, "    post:\n");
    const char *post_end = strstr(orig, "  /pets/{petId}:\n");
    struct buf b = BUF_INIT;
    buf_add(&b, orig, (size_t)(post_start - orig));
    buf_adds(&b, post_end);
    char *nopost = write_file(t, "nopost.yaml", b.data, b.len);
    aws_tool(t, &r, "export", "--rest-api-id", api, "--into", nopost,
             "--no-backup", NULL);
    expect_status(&r, 0);
    expect_contains(r.err, "POST /pets", r.cmdline);
    expect_contains(r.err, "warning", r.cmdline);
    json_t *got_np = extract_file(t, nopost);
    json_t *want_np = without_post(live);
    expect_same_records(got_np, want_np, "spec without POST after --into");
    char *nopost_bak = xstrfmt("%s.bak", nopost);
    cr_assert(false == test_file_exists(nopost_bak), "--no-backup wrote %s",
              nopost_bak);

    free(nopost_bak);
    json_decref(got_np);
    json_decref(want_np);
    free(nopost);
    buf_release(&b);
    free(again);
    json_decref(want);
    json_decref(got);
    free(bak_text);
    free(bak);
    free(now);
    run_release(&r);
    free(spec);
    free(orig);
    json_decref(live);
    free(api);
    free(live_doc);
    free(sample);
}

/* ------------------------------------------------------------------ */
/* --deploy                                                            */
/* ------------------------------------------------------------------ */

static const char *const stages_py =
    "import sys, botocore.session\n"
    "c = botocore.session.get_session().create_client('apigateway',\n"
    "    region_name='us-east-1', endpoint_url=sys.argv[1])\n"
    "deps = c.get_deployments(restApiId=sys.argv[2])['items']\n"
    "ids = set(d['id'] for d in deps)\n"
    "for s in c.get_stages(restApiId=sys.argv[2])['item']:\n"
    "    print(s['stageName'], s.get('deploymentId') in ids)\n"
    "print('deployments', len(deps))\n";

Test(import_e2e, deploy_creates_a_deployment_after_the_import,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *doc = petstore_path();
    char *api = skeleton(t, doc, false);
    struct run r = { 0 };
    aws_tool(t, &r, "import", "--deploy", "dev", "--rest-api-id", api, doc,
             NULL);
    expect_status(&r, 0);
    json_t *stats = proxy_stats(t);
    json_t *writes = writes_of(stats);
    size_t n = json_array_size(writes);
    char *wt = writes_text(stats);
    cr_assert(eq(sz, count_writes(stats, "CreateDeployment", true), 1), "%s",
              wt);
    json_t *last = json_array_get(writes, n - 1);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(last, "operation")),
                 "CreateDeployment"),
              "CreateDeployment is not the last write:\n%s", wt);
    const char *argv[] = { "python3",       "-c", stages_py,
                           moto_endpoint(), api,  NULL };
    run_argv(t, argv, &r);
    expect_status(&r, 0);
    cr_assert(eq(str, r.out, "dev True\ndeployments 1\n"));
    expect_live_equals_doc(t, api, doc, "export after import --deploy");

    /*
     * export --stage: GetExport of the stage with extensions=integrations.
     * moto always answers Swagger 2.0 JSON without integrations
     * (reference 10), so only the request is checked here.
     */
    const char *oas[] = { "3", "2" };
    const char *type[] = { "/stages/dev/exports/oas30",
                           "/stages/dev/exports/swagger" };
    for (size_t i = 0; i < 2; i++) {
        aws_tool(t, &r, "export", "--stage", "dev", "--oas", oas[i],
                 "--rest-api-id", api, NULL);
        expect_status(&r, 0);
        cr_assert(strlen(r.out) > 0);
        json_t *ex = log_entries(t, "GetExport");
        cr_assert(eq(sz, json_array_size(ex), i + 1));
        json_t *e = json_array_get(ex, i);
        const char *path = json_string_value(json_object_get(e, "path"));
        const char *query = json_string_value(json_object_get(e, "query"));
        size_t pl = strlen(path);
        size_t tl = strlen(type[i]);
        cr_assert(pl > tl && strcmp(path + pl - tl, type[i]) == 0, "%s", path);
        cr_assert(query && strstr(query, "extensions=integrations"),
                  "query '%s'", query ? query : "");
        json_decref(ex);
    }
    free(wt);
    json_decref(stats);
    run_release(&r);
    free(api);
    free(doc);
}

/* ------------------------------------------------------------------ */
/* Choosing the API                                                    */
/* ------------------------------------------------------------------ */

/* A document like the sample but titled title and without headers. */
static char *titled_doc(struct tcase *t, const char *name, const char *title)
{
    char *text =
        xstrfmt("openapi: 3.0.3\n"
                "info:\n"
                "  title: %s\n"
                "  description: moto's ImportRestApi needs a description\n"
                "  version: \"1\"\n"
                "paths:\n"
                "  /ping:\n"
                "    get:\n"
                "      responses:\n"
                "        \"200\":\n"
                "          description: pong\n"
                "        \"500\":\n"
                "          description: failure\n"
                "      x-amazon-apigateway-integration:\n"
                "        type: http\n"
                "        httpMethod: GET\n"
                "        uri: https://backend.example.com/ping\n"
                "        responses:\n"
                "          default:\n"
                "            statusCode: \"200\"\n"
                "            responseTemplates:\n"
                "              application/json: '{\"pong\": true}'\n"
                "          '5\\d{2}':\n"
                "            statusCode: \"500\"\n",
                title);
    char *path = write_file(t, name, text, strlen(text));
    free(text);
    return path;
}

/*
 * --rest-api-id, --rest-api-name, OAS2APIGW_REST_API_ID, else info.title;
 * no match is exit 4 unless --create (ImportRestApi); several matches are
 * exit 4 listing them.  Titles are unique per run: moto is shared by the
 * tests of this executable.
 */
Test(import_e2e, the_api_is_chosen_by_id_name_environment_or_title,
     .timeout = E2E_TIMEOUT, .fini = teardown)
{
    struct tcase *t = tcase_begin(NULL);
    char *title = xstrfmt("oas2apigw-e2e-choose-%ld", (long)getpid());
    char *doc = titled_doc(t, "choose.yaml", title);
    struct run r = { 0 };

    /* nothing by that title: exit 4, pointing at --create, no write */
    aws_tool(t, &r, "plan", doc, NULL);
    expect_status(&r, 4);
    expect_contains(r.err, title, r.cmdline);
    expect_contains(r.err, "--create", r.cmdline);
    aws_tool(t, &r, "import", doc, NULL);
    expect_status(&r, 4);
    expect_no_writes(t, "import without a matching API");

    /* --create: one ImportRestApi; the API then holds the document */
    aws_tool(t, &r, "import", "--create", doc, NULL);
    expect_status(&r, 0);
    const char *created = strstr(r.err, "created REST API ");
    cr_assert(created != NULL, "%s", r.err);
    created += strlen("created REST API ");
    char *api1 = xstrndup(created, strcspn(created, " \n"));
    json_t *stats = proxy_stats(t);
    char *wt = writes_text(stats);
    cr_assert(eq(sz, count_writes(stats, "ImportRestApi", true), 1), "%s", wt);
    cr_assert(eq(sz, count_writes(stats, NULL, false), 1), "%s", wt);
    json_decref(stats);
    free(wt);

    /* found by title, by name, by the environment */
    aws_tool(t, &r, "plan", doc, NULL);
    expect_status(&r, 0);
    expect_contains(r.out, "0 to add, 0 to change, 0 to delete", r.cmdline);
    aws_tool(t, &r, "plan", "--rest-api-name", title, doc, NULL);
    expect_status(&r, 0);
    json_t *gets = log_entries(t, "GetRestApis");
    cr_assert(json_array_size(gets) >= 2);
    json_decref(gets);

    /* a second API of the same name: by title or name, exit 4 with both
       ids; by id (option or environment) it works */
    char *script = test_source_path("tools/make_skeleton.py");
    const char *argv[] = { "python3",    script,          doc,
                           "--endpoint", moto_endpoint(), NULL };
    run_argv(t, argv, &r);
    expect_status(&r, 0);
    char *api2 = xstrndup(r.out, strcspn(r.out, "\n"));
    aws_tool(t, &r, "plan", doc, NULL);
    expect_status(&r, 4);
    expect_contains(r.err, api1, r.cmdline);
    expect_contains(r.err, api2, r.cmdline);
    aws_tool(t, &r, "plan", "--rest-api-name", title, doc, NULL);
    expect_status(&r, 4);
    expect_contains(r.err, api1, r.cmdline);
    expect_contains(r.err, api2, r.cmdline);
    /* the skeleton has no integration responses: 2 to add */
    aws_tool(t, &r, "plan", "--rest-api-id", api2, doc, NULL);
    expect_status(&r, 2);
    expect_contains(r.out, "2 to add", r.cmdline);
    char *env_id = xstrfmt("OAS2APIGW_REST_API_ID=%s", api2);
    t->extra_env = env_id;
    aws_tool(t, &r, "plan", doc, NULL);
    expect_status(&r, 2);
    expect_contains(r.out, "2 to add", r.cmdline);
    /* the option wins over the environment */
    aws_tool(t, &r, "plan", "--rest-api-id", "nosuchapi", doc, NULL);
    expect_status(&r, 4);
    expect_contains(r.err, "nosuchapi", r.cmdline);
    t->extra_env = NULL;

    free(env_id);
    free(api1);
    free(api2);
    free(script);
    run_release(&r);
    free(doc);
    free(title);
}
