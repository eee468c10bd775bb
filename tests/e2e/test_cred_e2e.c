/*
 * End-to-end tests of the credential providers that make network calls:
 *   - STS AssumeRole (source_profile, chained) and AssumeRoleWithWebIdentity
 *     against moto (tools/with-moto exports OAG_MOTO_ENDPOINT; without it
 *     these tests fail, they never skip);
 *   - the container provider and IMDSv2 against tools/metadata_responder.py,
 *     started by each test on a free loopback port, including the short
 *     IMDS timeout when nothing answers.
 * The provider sees a fake environment built per test; only the loopback
 * addresses of moto and the responder are contacted.  The tests read the
 * clock to pass "now" (moto stamps Expiration with its real time).
 * Every test has the same .timeout: criterion 2.4 leaks in its runner
 * (LeakSanitizer fails the run) when parallel tests have different ones.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/cred.h"
#include "aws/cred_internal.h"
#include "tests/common.h"
#include "util/error.h"
#include "util/xalloc.h"

extern char **environ;

/* Responder defaults (tools/metadata_responder.py). */
#define MD_KEY_ID "ASIAMETADATAEXAMPLE"
#define MD_SECRET "metadata-secret-example"
#define MD_TOKEN "metadata-session-token"
#define MD_EXPIRES 1893456000 /* 2030-01-01T00:00:00Z */
#define MD_CONTAINER_PATH "/v2/credentials/oag"
#define MD_ROLE "oag-test-role"

/* ------------------------------------------------------------------ */
/* Fake environment and temp files                                     */
/* ------------------------------------------------------------------ */

struct fake_env {
    const char *names[32];
    char *values[32];
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
    cr_assert(fe->n < 32);
    fe->names[fe->n] = name;
    fe->values[fe->n] = xstrdup(value);
    fe->n++;
}

static void fake_release(struct fake_env *fe)
{
    for (size_t i = 0; i < fe->n; i++) {
        free(fe->values[i]);
    }
    fe->n = 0;
}

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/oagcrede2eXXXXXX");
    cr_assert(mkdtemp(tmpdir) != NULL);
}

static void remove_tmpdir(void)
{
    char *cmd = xstrfmt("rm -rf '%s'", tmpdir);
    cr_assert(system(cmd) == 0);
    free(cmd);
}

/* Writes tmpdir/name; returns the path (caller frees). */
static char *write_tmp(const char *name, const char *text)
{
    char *path = xstrfmt("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A fake environment with the usual isolation settings. */
static void base_env(struct fake_env *fe, const char *config,
                     const char *credentials)
{
    char *none = xstrfmt("%s/absent", tmpdir);
    fake_set(fe, "AWS_CONFIG_FILE", config ? config : none);
    fake_set(fe, "AWS_SHARED_CREDENTIALS_FILE",
             credentials ? credentials : none);
    fake_set(fe, "AWS_REGION", "us-east-1");
    fake_set(fe, "HOME", tmpdir);
    free(none);
}

static const char *moto_endpoint(void)
{
    const char *e = getenv("OAG_MOTO_ENDPOINT");
    cr_assert(e != NULL && *e,
              "OAG_MOTO_ENDPOINT is not set: run under tools/with-moto");
    return e;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* The metadata responder                                              */
/* ------------------------------------------------------------------ */

struct responder {
    pid_t pid;
    int port;
    char base[64];  /* http://127.0.0.1:PORT */
    char *log_path; /* owned */
};

/* Starts tools/metadata_responder.py with extra (NULL-terminated) args. */
static void responder_start(struct responder *r, const char *const *extra)
{
    char *script = test_source_path("tools/metadata_responder.py");
    char *port_file = xstrfmt("%s/responder.port", tmpdir);
    r->log_path = xstrfmt("%s/responder.log", tmpdir);
    const char *argv[32];
    size_t n = 0;
    argv[n++] = "python3";
    argv[n++] = script;
    argv[n++] = "--port-file";
    argv[n++] = port_file;
    argv[n++] = "--log";
    argv[n++] = r->log_path;
    argv[n++] = "--lifetime";
    argv[n++] = "60";
    for (; extra && *extra && n < 31; extra++) {
        argv[n++] = *extra;
    }
    argv[n] = NULL;
    int rc =
        posix_spawnp(&r->pid, "python3", NULL, NULL, (char **)argv, environ);
    cr_assert(rc == 0, "cannot start the responder: %s", strerror(rc));
    /* wait for the port file (written once the socket listens) */
    r->port = 0;
    for (int i = 0; i < 400 && r->port == 0; i++) {
        char *text = test_read_file(port_file, NULL);
        if (text) {
            char *end;
            long p = strtol(text, &end, 10);
            if (end != text && p > 0 && p < 65536) {
                r->port = (int)p;
            }
            free(text);
        }
        if (r->port == 0) {
            struct timespec ts = { 0, 25 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
    }
    cr_assert(r->port > 0, "the responder did not start");
    snprintf(r->base, sizeof(r->base), "http://127.0.0.1:%d", r->port);
    free(port_file);
    free(script);
}

static void responder_stop(struct responder *r)
{
    if (r->pid > 0) {
        kill(r->pid, SIGTERM);
        waitpid(r->pid, NULL, 0);
        r->pid = 0;
    }
    free(r->log_path);
    r->log_path = NULL;
}

static char *responder_log(const struct responder *r)
{
    char *text = test_read_file(r->log_path, NULL);
    return text ? text : xstrdup("");
}

/* ------------------------------------------------------------------ */
/* Helpers to run the chain                                            */
/* ------------------------------------------------------------------ */

static struct cred_provider *provider(struct fake_env *fe,
                                      const struct cred_options *opts)
{
    struct cred_env env = { .getenv = fake_getenv, .ctx = fe };
    struct oag_error err = OAG_ERROR_INIT;
    struct cred_provider *p = cred_provider_new_env(opts, &env, &err);
    cr_assert(p != NULL, "cred_provider_new: %s", err.message);
    return p;
}

static void expect_sts_cred(const struct cred *c, time_t now,
                            const char *source)
{
    /* moto's temporary keys: ASIA..., a session token, about an hour */
    cr_assert(eq(int, strncmp(c->access_key_id, "ASIA", 4), 0),
              "access key id '%s'", c->access_key_id);
    cr_assert(strcmp(c->access_key_id, "testing") != 0);
    cr_assert(c->secret_access_key != NULL &&
              strlen(c->secret_access_key) > 10);
    cr_assert(c->session_token != NULL && strlen(c->session_token) > 10);
    cr_assert(c->expires_at > now + 600, "expires_at %lld, now %lld",
              (long long)c->expires_at, (long long)now);
    cr_assert(c->expires_at < now + 48 * 3600);
    cr_assert(eq(str, c->source, (char *)source));
}

/* ------------------------------------------------------------------ */
/* STS against moto                                                    */
/* ------------------------------------------------------------------ */

Test(cred_e2e, assume_role_via_source_profile_returns_temporary_keys,
     .timeout = 60)
{
    make_tmpdir();
    char *config = write_tmp(
        "config",
        "[profile base]\nregion = us-east-1\n\n"
        "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\n"
        "source_profile = base\nrole_session_name = oag-e2e\n");
    char *creds = write_tmp("credentials",
                            "[base]\naws_access_key_id = AKIDBASEEXAMPLE\n"
                            "aws_secret_access_key = base-secret-example\n");
    struct fake_env fe = { 0 };
    base_env(&fe, config, creds);
    fake_set(&fe, "AWS_ENDPOINT_URL_STS", moto_endpoint());
    /* environment keys are ignored: --profile removes that provider */
    fake_set(&fe, "AWS_ACCESS_KEY_ID", "AKIDENVIGNORED");
    fake_set(&fe, "AWS_SECRET_ACCESS_KEY", "env-secret-ignored");
    struct cred_options opts = { .profile = "deploy" };
    struct cred_provider *p = provider(&fe, &opts);

    time_t now = time(NULL);
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_provider_get(p, now, &c, &err), 0), "%s",
              err.message);
    expect_sts_cred(c, now, "assume-role profile 'deploy'");
    /* cached: the same set comes back without another call */
    char *first = xstrdup(c->access_key_id);
    cr_assert(eq(int, cred_provider_get(p, now + 60, &c, &err), 0));
    cr_assert(eq(str, c->access_key_id, first));
    /* near expiry: a new AssumeRole gives new keys */
    time_t later = c->expires_at - 120;
    cr_assert(eq(int, cred_provider_get(p, later, &c, &err), 0), "%s",
              err.message);
    cr_assert(strcmp(c->access_key_id, first) != 0, "not refreshed");
    free(first);
    cred_provider_free(p);
    fake_release(&fe);
    free(config);
    free(creds);
    remove_tmpdir();
}

Test(cred_e2e, chained_assume_role_uses_the_global_endpoint_variable,
     .timeout = 60)
{
    make_tmpdir();
    char *config = write_tmp(
        "config",
        "[profile first]\nrole_arn = arn:aws:iam::123456789012:role/first\n"
        "source_profile = base\n\n"
        "[profile second]\nrole_arn = arn:aws:iam::123456789012:role/second\n"
        "source_profile = first\nexternal_id = ext-1\n"
        "duration_seconds = 900\n\n"
        "[profile base]\naws_access_key_id = AKIDBASEEXAMPLE\n"
        "aws_secret_access_key = base-secret-example\n");
    struct fake_env fe = { 0 };
    base_env(&fe, config, NULL);
    fake_set(&fe, "AWS_ENDPOINT_URL", moto_endpoint());
    fake_set(&fe, "AWS_PROFILE", "second");
    struct cred_provider *p = provider(&fe, NULL);
    time_t now = time(NULL);
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_provider_get(p, now, &c, &err), 0), "%s",
              err.message);
    expect_sts_cred(c, now, "assume-role profile 'second'");
    /* DurationSeconds = 900 reached moto */
    cr_assert(c->expires_at <= now + 900 + 60, "duration_seconds ignored");
    /* the API Gateway endpoint follows the same variable */
    cr_assert(
        eq(str, (char *)cred_provider_endpoint(p), (char *)moto_endpoint()));
    cred_provider_free(p);
    fake_release(&fe);
    free(config);
    remove_tmpdir();
}

Test(cred_e2e, web_identity_from_environment_returns_temporary_keys,
     .timeout = 60)
{
    make_tmpdir();
    char *token =
        write_tmp("token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n");
    struct fake_env fe = { 0 };
    base_env(&fe, NULL, NULL);
    fake_set(&fe, "AWS_ENDPOINT_URL_STS", moto_endpoint());
    fake_set(&fe, "AWS_WEB_IDENTITY_TOKEN_FILE", token);
    fake_set(&fe, "AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web");
    fake_set(&fe, "AWS_ROLE_SESSION_NAME", "oag-web");
    struct cred_provider *p = provider(&fe, NULL);
    time_t now = time(NULL);
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_provider_get(p, now, &c, &err), 0), "%s",
              err.message);
    expect_sts_cred(c, now,
                    "web identity role 'arn:aws:iam::123456789012:role/web'");
    cred_provider_free(p);
    fake_release(&fe);
    free(token);
    remove_tmpdir();
}

Test(cred_e2e, web_identity_from_profile_keys_and_services_endpoint,
     .timeout = 60)
{
    make_tmpdir();
    char *token = write_tmp("token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    char *text =
        xstrfmt("[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\n"
                "web_identity_token_file = %s\nservices = moto\n\n"
                "[services moto]\nsts =\n  endpoint_url = %s\n",
                token, moto_endpoint());
    char *config = write_tmp("config", text);
    struct fake_env fe = { 0 };
    base_env(&fe, config, NULL);
    struct cred_options opts = { .profile = "ci" };
    struct cred_provider *p = provider(&fe, &opts);
    time_t now = time(NULL);
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_provider_get(p, now, &c, &err), 0), "%s",
              err.message);
    expect_sts_cred(c, now,
                    "web identity role 'arn:aws:iam::123456789012:role/ci'");
    /* [services moto] has no api_gateway entry: the default host */
    cr_assert(eq(str, (char *)cred_provider_endpoint(p),
                 "https://apigateway.us-east-1.amazonaws.com"));
    cred_provider_free(p);
    fake_release(&fe);
    free(text);
    free(config);
    free(token);
    remove_tmpdir();
}

Test(cred_e2e, web_identity_with_a_missing_token_file_is_an_error,
     .timeout = 60)
{
    make_tmpdir();
    struct fake_env fe = { 0 };
    base_env(&fe, NULL, NULL);
    fake_set(&fe, "AWS_ENDPOINT_URL_STS", moto_endpoint());
    char *missing = xstrfmt("%s/no-token", tmpdir);
    fake_set(&fe, "AWS_WEB_IDENTITY_TOKEN_FILE", missing);
    fake_set(&fe, "AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web");
    struct cred_provider *p = provider(&fe, NULL);
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_provider_get(p, time(NULL), &c, &err), -1));
    cr_assert(strstr(err.message, "web identity token file") != NULL, "%s",
              err.message);
    cr_assert(strstr(err.message, missing) != NULL, "%s", err.message);
    oag_error_release(&err);
    cred_provider_free(p);
    fake_release(&fe);
    free(missing);
    remove_tmpdir();
}

/* ------------------------------------------------------------------ */
/* Container provider                                                  */
/* ------------------------------------------------------------------ */

static void expect_md_cred(const struct cred *c, const char *source)
{
    cr_assert(eq(str, c->access_key_id, MD_KEY_ID));
    cr_assert(eq(str, c->secret_access_key, MD_SECRET));
    cr_assert(eq(str, c->session_token, MD_TOKEN));
    cr_assert(eq(i64, (long long)c->expires_at, (long long)MD_EXPIRES));
    cr_assert(eq(str, c->source, (char *)source));
}

Test(cred_e2e, container_relative_uri, .timeout = 60)
{
    make_tmpdir();
    struct responder r = { 0 };
    responder_start(&r, NULL);
    struct fake_env fe = { 0 };
    base_env(&fe, NULL, NULL);
    fake_set(&fe, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", MD_CONTAINER_PATH);
    fake_set(&fe, "AWS_EC2_METADATA_DISABLED", "true");
    struct cred_provider *p = provider(&fe, NULL);
    cred_provider_set_container_base(p, r.base);
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_provider_get(p, 1700000000, &c, &err), 0), "%s",
              err.message);
    expect_md_cred(c, "container provider");
    char *log = responder_log(&r);
    cr_assert(eq(str, log, "GET " MD_CONTAINER_PATH " \n"));
    free(log);
    cred_provider_free(p);
    responder_stop(&r);
    fake_release(&fe);
    remove_tmpdir();
}

Test(cred_e2e, container_full_uri_with_token_file, .timeout = 60)
{
    make_tmpdir();
    struct responder r = { 0 };
    const char *args[] = { "--container-auth", "Bearer pod-identity-token",
                           NULL };
    responder_start(&r, args);
    char *token = write_tmp("auth", "Bearer pod-identity-token");
    char *url = xstrfmt("%s%s", r.base, MD_CONTAINER_PATH);
    struct fake_env fe = { 0 };
    base_env(&fe, NULL, NULL);
    fake_set(&fe, "AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    fake_set(&fe, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token);
    /* the file wins over the variable */
    fake_set(&fe, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong");
    struct cred_provider *p = provider(&fe, NULL);
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_provider_get(p, 1700000000, &c, &err), 0), "%s",
              err.message);
    expect_md_cred(c, "container provider");
    char *log = responder_log(&r);
    cr_assert(
        eq(str, log, "GET " MD_CONTAINER_PATH " authorization=len25,match\n"));
    free(log);
    cred_provider_free(p);
    responder_stop(&r);
    fake_release(&fe);
    free(url);
    free(token);
    remove_tmpdir();
}

Test(cred_e2e, container_rejected_token_is_an_error_without_the_token,
     .timeout = 60)
{
    make_tmpdir();
    struct responder r = { 0 };
    const char *args[] = { "--container-auth", "Bearer right", NULL };
    responder_start(&r, args);
    char *url = xstrfmt("%s%s", r.base, MD_CONTAINER_PATH);
    struct fake_env fe = { 0 };
    base_env(&fe, NULL, NULL);
    fake_set(&fe, "AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    fake_set(&fe, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer s3cr3t-wrong");
    struct cred_provider *p = provider(&fe, NULL);
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_provider_get(p, 1700000000, &c, &err), -1));
    cr_assert(strstr(err.message, "answered HTTP 401") != NULL, "%s",
              err.message);
    cr_assert(strstr(err.message, "s3cr3t") == NULL, "%s", err.message);
    cr_assert(eq(long, err.http_status, 401));
    oag_error_release(&err);
    cred_provider_free(p);
    responder_stop(&r);
    fake_release(&fe);
    free(url);
    remove_tmpdir();
}

/* ------------------------------------------------------------------ */
/* IMDSv2                                                              */
/* ------------------------------------------------------------------ */

static int imds_get(struct responder *r, const char *const *args,
                    const char *const *env_extra, const struct cred **out,
                    struct oag_error *err, struct cred_provider **out_p,
                    struct fake_env *fe)
{
    responder_start(r, args);
    base_env(fe, NULL, NULL);
    fake_set(fe, "AWS_EC2_METADATA_SERVICE_ENDPOINT", r->base);
    for (; env_extra && env_extra[0]; env_extra += 2) {
        fake_set(fe, env_extra[0], env_extra[1]);
    }
    *out_p = provider(fe, NULL);
    return cred_provider_get(*out_p, 1700000000, out, err);
}

Test(cred_e2e, imds_v2_token_role_and_credentials, .timeout = 60)
{
    make_tmpdir();
    struct responder r = { 0 };
    struct fake_env fe = { 0 };
    struct cred_provider *p = NULL;
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, imds_get(&r, NULL, NULL, &c, &err, &p, &fe), 0), "%s",
              err.message);
    expect_md_cred(c, "instance metadata role '" MD_ROLE "'");
    char *log = responder_log(&r);
    cr_assert(
        eq(str, log,
           "PUT /latest/api/token x-aws-ec2-metadata-token-ttl-seconds=21600\n"
           "GET /latest/meta-data/iam/security-credentials/ "
           "x-aws-ec2-metadata-token=len29,match\n"
           "GET /latest/meta-data/iam/security-credentials/" MD_ROLE " "
           "x-aws-ec2-metadata-token=len29,match\n"));
    free(log);
    cred_provider_free(p);
    responder_stop(&r);
    fake_release(&fe);
    remove_tmpdir();
}

Test(cred_e2e, imds_falls_back_to_v1_when_the_token_put_is_refused,
     .timeout = 60)
{
    make_tmpdir();
    struct responder r = { 0 };
    struct fake_env fe = { 0 };
    struct cred_provider *p = NULL;
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    const char *args[] = { "--v1-only", NULL };
    cr_assert(eq(int, imds_get(&r, args, NULL, &c, &err, &p, &fe), 0), "%s",
              err.message);
    expect_md_cred(c, "instance metadata role '" MD_ROLE "'");
    char *log = responder_log(&r);
    cr_assert(
        eq(str, log,
           "PUT /latest/api/token x-aws-ec2-metadata-token-ttl-seconds=21600\n"
           "GET /latest/meta-data/iam/security-credentials/ \n"
           "GET /latest/meta-data/iam/security-credentials/" MD_ROLE " \n"));
    free(log);
    cred_provider_free(p);
    responder_stop(&r);
    fake_release(&fe);
    remove_tmpdir();
}

Test(cred_e2e, imds_v1_disabled_means_no_credentials_with_the_reason,
     .timeout = 60)
{
    make_tmpdir();
    struct responder r = { 0 };
    struct fake_env fe = { 0 };
    struct cred_provider *p = NULL;
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    const char *args[] = { "--v1-only", NULL };
    const char *env[] = { "AWS_EC2_METADATA_V1_DISABLED", "true", NULL, NULL };
    cr_assert(eq(int, imds_get(&r, args, env, &c, &err, &p, &fe), -1));
    char *want = xstrfmt("instance metadata at '%s' (token request answered "
                         "HTTP 403 and IMDSv1 is disabled)",
                         r.base);
    cr_assert(strstr(err.message, want) != NULL, "%s", err.message);
    cr_assert(strstr(err.message, "no credentials found for profile "
                                  "'default'; tried: ") != NULL);
    free(want);
    oag_error_release(&err);
    cred_provider_free(p);
    responder_stop(&r);
    fake_release(&fe);
    remove_tmpdir();
}

Test(cred_e2e, imds_without_a_role_means_no_credentials, .timeout = 60)
{
    make_tmpdir();
    struct responder r = { 0 };
    struct fake_env fe = { 0 };
    struct cred_provider *p = NULL;
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    const char *args[] = { "--no-role", NULL };
    cr_assert(eq(int, imds_get(&r, args, NULL, &c, &err, &p, &fe), -1));
    cr_assert(strstr(err.message, "(no IAM role attached to the instance)") !=
                  NULL,
              "%s", err.message);
    cr_assert(eq(int, err.code, OAG_ERR_AUTH));
    oag_error_release(&err);
    cred_provider_free(p);
    responder_stop(&r);
    fake_release(&fe);
    remove_tmpdir();
}

Test(cred_e2e, imds_that_never_answers_fails_within_the_short_timeout,
     .timeout = 60)
{
    make_tmpdir();
    struct responder r = { 0 };
    struct fake_env fe = { 0 };
    struct cred_provider *p = NULL;
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    const char *args[] = { "--hang", NULL };
    responder_start(&r, args);
    base_env(&fe, NULL, NULL);
    fake_set(&fe, "AWS_EC2_METADATA_SERVICE_ENDPOINT", r.base);

    /* default 1 s timeout, single attempt */
    p = provider(&fe, NULL);
    double t0 = now_s();
    int rc = cred_provider_get(p, 1700000000, &c, &err);
    double elapsed = now_s() - t0;
    cr_assert(eq(int, rc, -1));
    cr_assert(elapsed >= 0.9 && elapsed < 2.5, "took %.2f s", elapsed);
    char *want = xstrfmt("instance metadata at '%s' (", r.base);
    cr_assert(strstr(err.message, want) != NULL, "%s", err.message);
    free(want);
    oag_error_release(&err);
    cred_provider_free(p);

    /* --imds-timeout style option: 250 ms */
    struct cred_options opts = { .imds_timeout_ms = 250 };
    p = provider(&fe, &opts);
    t0 = now_s();
    rc = cred_provider_get(p, 1700000000, &c, &err);
    elapsed = now_s() - t0;
    cr_assert(eq(int, rc, -1));
    cr_assert(elapsed < 1.0, "took %.2f s", elapsed);
    oag_error_release(&err);
    cred_provider_free(p);

    responder_stop(&r);
    fake_release(&fe);
    remove_tmpdir();
}

Test(cred_e2e, imds_comes_after_every_local_source, .timeout = 60)
{
    make_tmpdir();
    struct responder r = { 0 };
    responder_start(&r, NULL);
    char *creds =
        write_tmp("credentials", "[default]\naws_access_key_id = AKIDLOCAL\n"
                                 "aws_secret_access_key = local-secret\n");
    struct fake_env fe = { 0 };
    base_env(&fe, NULL, creds);
    fake_set(&fe, "AWS_EC2_METADATA_SERVICE_ENDPOINT", r.base);
    struct cred_provider *p = provider(&fe, NULL);
    const struct cred *c = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_provider_get(p, 1700000000, &c, &err), 0));
    cr_assert(eq(str, c->access_key_id, "AKIDLOCAL"));
    char *log = responder_log(&r);
    cr_assert(eq(str, log, ""), "IMDS was asked: %s", log);
    free(log);
    cred_provider_free(p);
    responder_stop(&r);
    fake_release(&fe);
    free(creds);
    remove_tmpdir();
}
