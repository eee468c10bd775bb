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
static bool copy_subst(const char *case_dir, const char *tmp, const char *name)
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

static void check_contains(const char *what, const char *msg, const char *want)
{
    cr_assert(msg != NULL && strstr(msg, want) != NULL,
              "%s: message '%s' lacks '%s'", what, msg ? msg : "(none)", want);
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
        cr_assert(
            eq(str, (char *)oag_error_code_name(err->code), (char *)code));
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

    struct fake_env fe = { 0 };
    fake_set(&fe, "AWS_EC2_METADATA_DISABLED", "true");
    fake_set(&fe, "HOME", tmp);
    char *p =
        xstrfmt("%s/%s", tmp,
                copy_subst(case_dir, tmp, "config") ? "config" : "no-config");
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
    struct cred_env env = { .getenv = fake_getenv, .ctx = &fe };
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

/* ------------------------------------------------------------------ */
/* Parsers and helpers                                                 */
/* ------------------------------------------------------------------ */

Test(cred, parses_iso8601_times)
{
    static const struct {
        const char *text;
        long long want;
    } ok[] = {
        { "1970-01-01T00:00:00Z", 0 },
        { "2023-11-14T22:13:20Z", 1700000000 },
        { "2030-01-01T00:00:00Z", 1893456000 },
        { "2024-02-29T12:00:00.123456Z", 1709208000 },
        { "2023-11-14T23:13:20+01:00", 1700000000 },
        { "2023-11-14T21:43:20-00:30", 1700000000 },
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        time_t t = 0;
        cr_assert(eq(int, cred_time_parse(ok[i].text, &t), 0), "%s",
                  ok[i].text);
        cr_assert(eq(i64, (long long)t, ok[i].want), "%s", ok[i].text);
    }
    static const char *const bad[] = {
        "",
        "2023-11-14",
        "2023-11-14T22:13:20",
        "2023-13-01T00:00:00Z",
        "2023-11-14T22:13:20Zjunk",
        "2023-11-14T22:13:20.Z",
        "2023-11-14 22:13:20+0100",
        "tomorrow",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        time_t t = 0;
        cr_assert(eq(int, cred_time_parse(bad[i], &t), -1), "%s", bad[i]);
    }
}

static void split_is(const char *cmd, const char *const *want, size_t n)
{
    char **argv = NULL;
    size_t argc = 0;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_shell_split(cmd, &argv, &argc, &err), 0), "%s: %s",
              cmd, err.message);
    cr_assert(eq(sz, argc, n), "%s", cmd);
    for (size_t i = 0; i < n; i++) {
        cr_assert(eq(str, argv[i], (char *)want[i]), "%s word %zu", cmd, i);
    }
    cr_assert(argv[n] == NULL);
    cred_argv_free(argv);
}

Test(cred, splits_commands_like_a_posix_shell)
{
    split_is("aws  configure\texport-credentials",
             (const char *const[]){ "aws", "configure", "export-credentials" },
             3);
    split_is("\"/opt/my tools/cred\" --profile 'a b'",
             (const char *const[]){ "/opt/my tools/cred", "--profile", "a b" },
             3);
    split_is("a\\ b 'it''s' \"x\\\"y\\\\z\\n\"",
             (const char *const[]){ "a b", "its", "x\"y\\z\\n" }, 3);
    split_is("pre\"mid\"'post' ''", (const char *const[]){ "premidpost", "" },
             2);
    split_is(
        "echo $HOME `id` ; ls | wc",
        (const char *const[]){ "echo", "$HOME", "`id`", ";", "ls", "|", "wc" },
        7);
    static const char *const bad[] = { "'open", "\"open", "x\\", "   " };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char **argv = NULL;
        struct oag_error err = OAG_ERROR_INIT;
        cr_assert(eq(int, cred_shell_split(bad[i], &argv, NULL, &err), -1),
                  "%s", bad[i]);
        oag_error_release(&err);
    }
}

static const char *const STS_OK =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <AssumeRoleResult>\n"
    "    <SourceIdentity>x</SourceIdentity>\n"
    "    <AssumedRoleUser>\n"
    "      <AssumedRoleId>AROA:s</AssumedRoleId>\n"
    "      <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>\n"
    "    </AssumedRoleUser>\n"
    "    <Credentials>\n"
    "      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>\n"
    "      <SecretAccessKey>wJal/K7+&amp;&lt;x&#62;&#x41;</SecretAccessKey>\n"
    "      <SessionToken>\n   FwoG/tok+en==\n   </SessionToken>\n"
    "      <Expiration>2023-11-14T23:13:20.000Z</Expiration>\n"
    "    </Credentials>\n"
    "  </AssumeRoleResult>\n"
    "  <ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>\n"
    "</AssumeRoleResponse>\n";

Test(cred, reads_sts_credentials_from_xml)
{
    struct cred c = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(
        eq(int,
           cred_sts_parse(200, STS_OK, strlen(STS_OK), NULL, "t", &c, &err), 0),
        "%s", err.message);
    cr_assert(eq(str, c.access_key_id, "ASIAEXAMPLE"));
    cr_assert(eq(str, c.secret_access_key, "wJal/K7+&<x>A"));
    cr_assert(eq(str, c.session_token, "FwoG/tok+en=="));
    cr_assert(eq(i64, (long long)c.expires_at, 1700003600LL));
    cr_assert(eq(str, c.source, "t"));
    cred_release(&c);
    cr_assert(c.access_key_id == NULL && c.source == NULL);
}

Test(cred, turns_sts_errors_into_aws_errors)
{
    const char *body =
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        "<Error><Type>Sender</Type><Code>AccessDenied</Code>"
        "<Message>User x is not authorized &amp; denied</Message></Error>"
        "<RequestId>rid-9</RequestId></ErrorResponse>";
    struct cred c = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(
        int,
        cred_sts_parse(403, body, strlen(body), "hdr-rid", "assume", &c, &err),
        -1));
    cr_assert(eq(int, err.code, OAG_ERR_AUTH));
    cr_assert(eq(str, err.message,
                 "assume: STS answered HTTP 403: "
                 "AccessDenied: User x is not authorized "
                 "& denied"));
    cr_assert(eq(str, err.aws_code, "AccessDenied"));
    cr_assert(eq(str, err.request_id, "rid-9"));
    cr_assert(eq(long, err.http_status, 403));
    cr_assert(not(err.retryable));
    oag_error_release(&err);

    const char *throttled = "<ErrorResponse><Error><Code>Throttling</Code>"
                            "</Error></ErrorResponse>";
    cr_assert(eq(int,
                 cred_sts_parse(400, throttled, strlen(throttled), "hdr-rid",
                                "a", &c, &err),
                 -1));
    cr_assert(eq(int, err.code, OAG_ERR_AWS));
    cr_assert(err.retryable);
    cr_assert(eq(str, err.request_id, "hdr-rid"));
    oag_error_release(&err);

    cr_assert(eq(int, cred_sts_parse(200, "<x/>", 4, NULL, "a", &c, &err), -1));
    cr_assert(eq(str, err.message, "a: STS answer has no Credentials element"));
    oag_error_release(&err);
}

Test(cred, reads_container_and_imds_json)
{
    const char *doc = "{\"Code\": \"Success\", \"AccessKeyId\": \"ASIAMD\","
                      " \"SecretAccessKey\": \"sec\", \"Token\": \"tok\","
                      " \"Expiration\": \"2023-11-14T23:13:20Z\"}";
    struct cred c = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(
        eq(int, cred_metadata_parse(doc, strlen(doc), "md", &c, &err), 0));
    cr_assert(eq(str, c.access_key_id, "ASIAMD"));
    cr_assert(eq(str, c.session_token, "tok"));
    cr_assert(eq(i64, (long long)c.expires_at, 1700003600LL));
    cred_release(&c);

    const char *bad = "{\"AccessKeyId\": \"A\", \"Token\": \"sec-tok\"}";
    cr_assert(
        eq(int, cred_metadata_parse(bad, strlen(bad), "md", &c, &err), -1));
    cr_assert(strstr(err.message, "sec-tok") == NULL);
    oag_error_release(&err);
}

Test(cred, process_json_secrets_never_reach_messages)
{
    static const char *const docs[] = {
        "{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
        "\"s3cr3t\", \"Expiration\": \"soon s3cr3t\"}",
        "{\"Version\": 1, \"SecretAccessKey\": \"s3cr3t\"}",
        "{\"Version\": \"1\", \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
        "\"s3cr3t\"}",
        "[\"s3cr3t\"]",
        "{\"SecretAccessKey\": \"s3cr3t\"",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        struct cred c = { 0 };
        struct oag_error err = OAG_ERROR_INIT;
        cr_assert(
            eq(int, cred_process_parse(docs[i], strlen(docs[i]), "p", &c, &err),
               -1),
            "doc %zu", i);
        cr_assert(strstr(err.message, "s3cr3t") == NULL, "doc %zu: %s", i,
                  err.message);
        oag_error_release(&err);
    }
}

Test(cred, container_full_uri_allow_list)
{
    static const char *const yes[] = {
        "https://creds.example.com/v1", "http://127.0.0.1:8080/c",
        "http://127.1.2.3/c",           "http://localhost:9/c",
        "http://169.254.170.2/c",       "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/c",      "http://[::1]:80/c",
    };
    static const char *const no[] = {
        "http://198.51.100.7/c",
        "http://169.254.169.254/c",
        "http://127.0.0.1.evil.com/c",
        "http://localhost.evil.com/c",
        "file:///etc/passwd",
        "http://[fd00:ec2::24]/c",
        "ftp://127.0.0.1/",
        "http://1270.0.0.1/",
    };
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        cr_assert(cred_container_url_is_allowed(yes[i]), "%s", yes[i]);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        cr_assert(not(cred_container_url_is_allowed(no[i])), "%s", no[i]);
    }
}

/* ------------------------------------------------------------------ */
/* Expiry and refresh with an injected clock                           */
/* ------------------------------------------------------------------ */

/*
 * testdata/aws/counter-process.sh counts its runs in the file named by its
 * first argument and prints key id AKIDRUN<n>, expiring at 1700003600.
 */
Test(cred, refreshes_credentials_within_five_minutes_of_expiry)
{
    char tmpl[] = "/tmp/oagcredXXXXXX";
    char *tmp = mkdtemp(tmpl);
    cr_assert(tmp != NULL);
    char *script = test_source_path("testdata/aws/counter-process.sh");
    char *cfg = xstrfmt("[default]\ncredential_process = \"%s\" "
                        "\"%s/count\"\n",
                        script, tmp);
    char *cfg_path = xstrfmt("%s/config", tmp);
    FILE *f = fopen(cfg_path, "w");
    cr_assert(f != NULL);
    fputs(cfg, f);
    fclose(f);

    struct fake_env fe = { 0 };
    fake_set(&fe, "AWS_CONFIG_FILE", cfg_path);
    fake_set(&fe, "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c");
    fake_set(&fe, "AWS_REGION", "us-east-1");
    fake_set(&fe, "AWS_EC2_METADATA_DISABLED", "true");
    struct cred_env env = { .getenv = fake_getenv, .ctx = &fe };
    struct oag_error err = OAG_ERROR_INIT;
    struct cred_provider *p = cred_provider_new_env(NULL, &env, &err);
    cr_assert(p != NULL, "%s", err.message);

    const time_t expiry = 1700003600;
    const struct cred *c = NULL;
    cr_assert(eq(int, cred_provider_get(p, expiry - 3600, &c, &err), 0), "%s",
              err.message);
    cr_assert(eq(str, c->access_key_id, "AKIDRUN1"));
    cr_assert(eq(i64, (long long)c->expires_at, (long long)expiry));
    /* still more than 5 minutes left: the cached set, no new run */
    cr_assert(eq(int, cred_provider_get(p, expiry - 301, &c, &err), 0));
    cr_assert(eq(str, c->access_key_id, "AKIDRUN1"));
    /* exactly 5 minutes left: refreshed */
    cr_assert(eq(int, cred_provider_get(p, expiry - 300, &c, &err), 0));
    cr_assert(eq(str, c->access_key_id, "AKIDRUN2"));
    /* after expiry: refreshed again */
    cr_assert(eq(int, cred_provider_get(p, expiry + 10, &c, &err), 0));
    cr_assert(eq(str, c->access_key_id, "AKIDRUN3"));

    cred_provider_free(p);
    fake_release(&fe);
    char *cmd = xstrfmt("rm -rf '%s'", tmp);
    cr_assert(system(cmd) == 0);
    free(cmd);
    free(cfg_path);
    free(cfg);
    free(script);
}

Test(cred, static_credentials_are_not_fetched_twice)
{
    char tmpl[] = "/tmp/oagcredXXXXXX";
    char *tmp = mkdtemp(tmpl);
    cr_assert(tmp != NULL);
    char *cred_path = xstrfmt("%s/credentials", tmp);
    FILE *f = fopen(cred_path, "w");
    cr_assert(f != NULL);
    fputs("[default]\naws_access_key_id = AKIDONE\n"
          "aws_secret_access_key = s\n",
          f);
    fclose(f);
    struct fake_env fe = { 0 };
    fake_set(&fe, "AWS_CONFIG_FILE", "/nonexistent/c");
    fake_set(&fe, "AWS_SHARED_CREDENTIALS_FILE", cred_path);
    struct cred_env env = { .getenv = fake_getenv, .ctx = &fe };
    struct cred_options opts = { .region = "eu-west-1" };
    struct oag_error err = OAG_ERROR_INIT;
    struct cred_provider *p = cred_provider_new_env(&opts, &env, &err);
    cr_assert(p != NULL, "%s", err.message);
    const struct cred *c1 = NULL;
    const struct cred *c2 = NULL;
    cr_assert(eq(int, cred_provider_get(p, 1, &c1, &err), 0));
    /* the file disappears: the loaded keys stay valid (no expiry) */
    unlink(cred_path);
    cr_assert(eq(int, cred_provider_get(p, 4000000000, &c2, &err), 0));
    cr_assert(eq(ptr, (void *)c1, (void *)c2));
    cr_assert(eq(str, c2->access_key_id, "AKIDONE"));
    cred_provider_free(p);
    fake_release(&fe);
    rmdir(tmp);
    free(cred_path);
}

Test(cred, provider_lifecycle_and_null_release)
{
    cred_provider_free(NULL);
    cred_release(NULL);
    struct cred zero = { 0 };
    cred_release(&zero);
    const char *none[] = { NULL };
    (void)none;
    struct fake_env fe = { 0 };
    fake_set(&fe, "AWS_CONFIG_FILE", "/nonexistent/c");
    fake_set(&fe, "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/d");
    struct cred_env env = { .getenv = fake_getenv, .ctx = &fe };
    struct cred_options opts = { .region = "us-east-1",
                                 .endpoint_url = "http://127.0.0.1:1/" };
    struct oag_error err = OAG_ERROR_INIT;
    struct cred_provider *p = cred_provider_new_env(&opts, &env, &err);
    cr_assert(p != NULL, "%s", err.message);
    cr_assert(eq(str, (char *)cred_provider_region(p), "us-east-1"));
    cr_assert(eq(str, (char *)cred_provider_endpoint(p), "http://127.0.0.1:1"));
    cred_provider_set_container_base(p, "http://127.0.0.1:2");
    cred_provider_set_container_base(p, NULL);
    cred_provider_free(p);
    fake_release(&fe);
}
