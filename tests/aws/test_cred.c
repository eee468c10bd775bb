/*
 * Tests of the credential chain, profile selection, region and endpoint
 * (src/aws/cred.c, cred_process.c, cred_remote.c's parsers).
 *
 * Data-driven: every directory under testdata/aws/cred/ is a case
 * (testdata/aws/README.md describes the files):
 *   description  one line
 *   args         "profile = x", "region = x", "endpoint_url = x", "fips = true"
 *   env          NAME=VALUE lines: the whole environment the code sees
 *   config, credentials   copied to a temp dir with $CASE and $TMP replaced;
 *                AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE point there
 *   expected     "key = value" lines checked against the result
 * The environment is a function over the case's env file, so nothing
 * depends on the environment of the test process, and
 * AWS_EC2_METADATA_DISABLED=true keeps the chain off the network unless
 * the case says otherwise.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/cred.h"
#include "aws/cred_internal.h"
#include "tests/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

#define CASES_DIR "testdata/aws/cred"
#define MIN_CASES 40
#define DEFAULT_NOW 1700000000

/* ------------------------------------------------------------------ */
/* A fake environment                                                  */
/* ------------------------------------------------------------------ */

struct fake_env {
    char *names[64];
    char *values[64];
    size_t n;
};

static const char *fake_getenv(void *ctx, const char *name)
{
    struct fake_env *fe = ctx;
    for (size_t i = 0; i < fe->n; i++) {
        if (strcmp(fe->names[i], name) == 0) {
            return fe->values[i];
        }
    }
    return NULL;
}

static void fake_set(struct fake_env *fe, const char *name, const char *value)
{
    for (size_t i = 0; i < fe->n; i++) {
        if (strcmp(fe->names[i], name) == 0) {
            free(fe->values[i]);
            fe->values[i] = xstrdup(value);
            return;
        }
    }
    cr_assert(fe->n < 64);
    fe->names[fe->n] = xstrdup(name);
    fe->values[fe->n] = xstrdup(value);
    fe->n++;
}

static void fake_release(struct fake_env *fe)
{
    for (size_t i = 0; i < fe->n; i++) {
        free(fe->names[i]);
        free(fe->values[i]);
    }
    fe->n = 0;
}

/* ------------------------------------------------------------------ */
/* Case files                                                          */
/* ------------------------------------------------------------------ */

/* s with every $CASE and $TMP replaced (caller frees). */
static char *subst(const char *s, const char *case_dir, const char *tmp)
{
    struct buf b = BUF_INIT;
    while (*s) {
        if (strncmp(s, "$CASE", 5) == 0) {
            buf_adds(&b, case_dir);
            s += 5;
        } else if (strncmp(s, "$TMP", 4) == 0) {
            buf_adds(&b, tmp);
            s += 4;
        } else {
            buf_addch(&b, *s++);
        }
    }
    return buf_detach(&b, NULL);
}

static char *case_file(const char *case_dir, const char *name)
{
    char *path = xstrfmt("%s/%s", case_dir, name);
    char *text = test_read_file(path, NULL);
    free(path);
    return text;
}

/* Copies case_dir/name to tmp/name with substitution; false if absent. */
static bool copy_subst(const char *case_dir, const char *tmp,
                       const char *name)
{
    char *text = case_file(case_dir, name);
    if (!text) {
        return false;
    }
    char *out = subst(text, case_dir, tmp);
    char *path = xstrfmt("%s/%s", tmp, name);
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL, "cannot write %s", path);
    fputs(out, f);
    fclose(f);
    free(path);
    free(out);
    free(text);
    return true;
}

struct kv {
    char *key;
    char *value;
};

/* "key = value" lines (split at the first " = "; "key =" is empty). */
static size_t read_kv(const char *text, struct kv *out, size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (p && *p && n < max) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = xstrndup(p, len);
        p = nl ? nl + 1 : NULL;
        if (!line[0] || line[0] == '#') {
            free(line);
            continue;
        }
        char *sep = strstr(line, " =");
        cr_assert(sep != NULL, "malformed line '%s'", line);
        *sep = '\0';
        const char *v = sep + 2;
        if (*v == ' ') {
            v++;
        }
        out[n].key = xstrdup(line);
        out[n].value = xstrdup(v);
        n++;
        free(line);
    }
    return n;
}

static const char *kv_get(const struct kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(kv[i].key, key) == 0) {
            return kv[i].value;
        }
    }
    return NULL;
}

static void kv_release(struct kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
}

/* ------------------------------------------------------------------ */
/* The parameterized case runner                                       */
/* ------------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t list_cases(char ***out)
{
    char *root = test_source_path(CASES_DIR);
    DIR *d = opendir(root);
    char **names = NULL;
    size_t n = 0;
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.') {
                continue;
            }
            names = xreallocarray(names, n + 1, sizeof(*names));
            names[n++] = xstrdup(de->d_name);
        }
        closedir(d);
    }
    free(root);
    if (n) {
        qsort(names, n, sizeof(*names), cmp_str);
    }
    *out = names;
    return n;
}

struct case_param {
    char *name;
};

static void free_params(struct criterion_test_params *crp)
{
    struct case_param *ps = crp->params;
    for (size_t i = 0; i < crp->length; i++) {
        cr_free(ps[i].name);
    }
    cr_free(ps);
}

ParameterizedTestParameters(cred, resolves_each_testdata_case)
{
    char **names;
    size_t n = list_cases(&names);
    struct case_param *ps = cr_malloc(sizeof(*ps) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        ps[i].name = cr_malloc(strlen(names[i]) + 1);
        memcpy(ps[i].name, names[i], strlen(names[i]) + 1);
        free(names[i]);
    }
    free(names);
    return cr_make_param_array(struct case_param, ps, n, free_params);
}

static void check_contains(const char *what, const char *msg,
                           const char *want)
{
    cr_assert(msg != NULL && strstr(msg, want) != NULL, "%s: message '%s' lacks '%s'", what,
              msg ? msg : "(none)", want);
}

static void check_errors(const char *phase, const struct kv *exp, size_t ne,
                         const struct oag_error *err)
{
    char key[32];
    snprintf(key, sizeof(key), "error_%s", phase);
    for (size_t i = 0; i < ne; i++) {
        if (strcmp(exp[i].key, key) == 0) {
            check_contains(phase, err->message, exp[i].value);
        }
        if (strcmp(exp[i].key, "error_absent") == 0) {
            cr_assert(strstr(err->message, exp[i].value) == NULL,
                      "message '%s' must not contain '%s'", err->message,
                      exp[i].value);
        }
    }
    const char *code = kv_get(exp, ne, "error_code");
    if (code) {
        cr_assert(eq(str, (char *)oag_error_code_name(err->code),
                      (char *)code));
    }
}

ParameterizedTest(struct case_param *cp, cred, resolves_each_testdata_case,
                  .timeout = 20)
{
    char *rel = xstrfmt("%s/%s", CASES_DIR, cp->name);
    char *case_dir = test_source_path(rel);
    free(rel);
    char tmpl[] = "/tmp/oagcredXXXXXX";
    char *tmp = mkdtemp(tmpl);
    cr_assert(tmp != NULL);

    struct fake_env fe = {0};
    fake_set(&fe, "AWS_EC2_METADATA_DISABLED", "true");
    fake_set(&fe, "HOME", tmp);
    char *p = xstrfmt("%s/%s", tmp,
                      copy_subst(case_dir, tmp, "config") ? "config"
                                                         : "no-config");
    fake_set(&fe, "AWS_CONFIG_FILE", p);
    free(p);
    p = xstrfmt("%s/%s", tmp,
                copy_subst(case_dir, tmp, "credentials") ? "credentials"
                                                         : "no-credentials");
    fake_set(&fe, "AWS_SHARED_CREDENTIALS_FILE", p);
    free(p);
    char *env_text = case_file(case_dir, "env");
    if (env_text) {
        char *s = subst(env_text, case_dir, tmp);
        for (char *line = s; line && *line;) {
            char *nl = strchr(line, '\n');
            if (nl) {
                *nl = '\0';
            }
            char *sep = strchr(line, '=');
            if (line[0] && line[0] != '#') {
                cr_assert(sep != NULL, "env line '%s' has no '='", line);
                *sep = '\0';
                fake_set(&fe, line, sep + 1);
            }
            line = nl ? nl + 1 : NULL;
        }
        free(s);
        free(env_text);
    }

    struct kv args[8];
    size_t na = 0;
    char *args_text = case_file(case_dir, "args");
    if (args_text) {
        char *s = subst(args_text, case_dir, tmp);
        na = read_kv(s, args, 8);
        free(s);
        free(args_text);
    }
    struct kv exp[32];
    char *exp_text = case_file(case_dir, "expected");
    cr_assert(exp_text != NULL, "case %s has no expected file", cp->name);
    char *exp_s = subst(exp_text, case_dir, tmp);
    size_t ne = read_kv(exp_s, exp, 32);
    free(exp_s);
    free(exp_text);

    struct cred_options opts = {
        .profile = kv_get(args, na, "profile"),
        .region = kv_get(args, na, "region"),
        .endpoint_url = kv_get(args, na, "endpoint_url"),
        .use_fips_endpoint = kv_get(args, na, "fips") != NULL,
    };
    struct cred_env env = {.getenv = fake_getenv, .ctx = &fe};
    struct oag_error err = OAG_ERROR_INIT;
    struct cred_provider *prov = cred_provider_new_env(&opts, &env, &err);

    if (kv_get(exp, ne, "error_new")) {
        cr_assert(prov == NULL, "%s: expected an error from new", cp->name);
        check_errors("new", exp, ne, &err);
        goto done;
    }
    cr_assert(prov != NULL, "%s: new failed: %s", cp->name, err.message);
    const char *want = kv_get(exp, ne, "region");
    if (want) {
        cr_assert(eq(str, (char *)cred_provider_region(prov), (char *)want));
    }
    want = kv_get(exp, ne, "endpoint");
    if (want) {
        cr_assert(eq(str, (char *)cred_provider_endpoint(prov), (char *)want));
    }
    if (kv_get(exp, ne, "skip_get")) {
        goto done;
    }
    const char *now_s = kv_get(exp, ne, "now");
    time_t now = now_s ? (time_t)strtoll(now_s, NULL, 10) : DEFAULT_NOW;
    const struct cred *c = NULL;
    int rc = cred_provider_get(prov, now, &c, &err);
    if (kv_get(exp, ne, "error_get")) {
        cr_assert(rc == -1, "%s: expected an error from get", cp->name);
        check_errors("get", exp, ne, &err);
        goto done;
    }
    cr_assert(rc == 0, "%s: get failed: %s", cp->name, err.message);
    want = kv_get(exp, ne, "access_key_id");
    if (want) {
        cr_assert(eq(str, c->access_key_id, (char *)want));
    }
    want = kv_get(exp, ne, "secret_access_key");
    if (want) {
        cr_assert(eq(str, c->secret_access_key, (char *)want));
    }
    want = kv_get(exp, ne, "session_token");
    if (want && strcmp(want, "-") == 0) {
        cr_assert(c->session_token == NULL, "unexpected session token");
    } else if (want) {
        cr_assert(c->session_token != NULL, "no session token");
        cr_assert(eq(str, c->session_token, (char *)want));
    }
    want = kv_get(exp, ne, "source");
    if (want) {
        cr_assert(eq(str, c->source, (char *)want));
    }
    want = kv_get(exp, ne, "expires_at");
    if (want) {
        cr_assert(eq(i64, (long long)c->expires_at, strtoll(want, NULL, 10)));
    }

done:
    cred_provider_free(prov);
    oag_error_release(&err);
    kv_release(args, na);
    kv_release(exp, ne);
    fake_release(&fe);
    free(case_dir);
    char *cmd = xstrfmt("rm -rf '%s'", tmp);
    cr_assert(system(cmd) == 0);
    free(cmd);
}

Test(cred, testdata_has_the_expected_number_of_cases)
{
    char **names;
    size_t n = list_cases(&names);
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
    cr_assert(n >= MIN_CASES, "only %zu cases under %s", n, CASES_DIR);
}
