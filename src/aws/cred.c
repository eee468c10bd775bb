/*
 * The credential provider chain (aws-conventions.md 2.1-2.8), in botocore's
 * order (credentials.create_credential_resolver):
 *
 *   1. environment      AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
 *                       [+ AWS_SESSION_TOKEN]; left out when --profile is
 *                       given; one key without the other is an error
 *   2. assume-role      profile role_arn + source_profile or
 *                       credential_source: STS AssumeRole signed with the
 *                       source's credentials
 *   3. web identity     AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the
 *                       profile's web_identity_token_file + role_arn:
 *                       STS AssumeRoleWithWebIdentity (unsigned)
 *   4. credentials file the profile's static keys there
 *   5. credential_process
 *   6. config file      the profile's static keys there
 *   7. container        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / FULL_URI
 *   8. IMDSv2           unless AWS_EC2_METADATA_DISABLED
 *
 * The first source that yields keys wins; a half-configured source stops
 * the chain with an error instead of falling through.  Profiles that need a
 * provider this tool lacks (SSO, console login, MFA) fail with a message
 * naming the key and suggesting credential_process.  Expiring credentials
 * are fetched again when they expire within 5 minutes of the caller's now.
 */
#include "aws/cred.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/cred_internal.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

/* Refresh this long before expiry (the brief's 5 minutes). */
#define REFRESH_BEFORE_S 300
/* Longest source_profile chain followed. */
#define MAX_PROFILE_DEPTH 10

struct cred_provider {
    struct cred_env env;
    struct cred_config cfg;
    char *region;         /* owned */
    char *endpoint;       /* owned: API Gateway endpoint */
    bool use_fips;        /* --use-fips-endpoint */
    long imds_timeout_ms; /* from the options; 0 = setting or 1000 */
    char *container_base; /* owned; NULL = http://169.254.170.2 */
    struct cred current;
    bool have_current;
};

/* ---- struct cred ---- */

void cred_release(struct cred *c)
{
    if (!c) {
        return;
    }
    free(c->access_key_id);
    free_secret(c->secret_access_key);
    free_secret(c->session_token);
    free(c->source);
    memset(c, 0, sizeof(*c));
}

void cred_move(struct cred *dst, struct cred *src)
{
    cred_release(dst);
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

/* ---- time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int cred_time_parse(const char *s, time_t *out)
{
    int y;
    int mo;
    int d;
    int h;
    int mi;
    int se;
    if (!s || strlen(s) < 19 || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
        s[16] != ':' || !digits(s + 17, 2, &se)) {
        return -1;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
        return -1;
    }
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') {
            return -1;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    long long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh;
        int om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
            oh > 23 || om > 59) {
            return -1;
        }
        offset = (oh * 3600LL + om * 60LL) * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0') {
        return -1;
    }
    long long t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL +
                  h * 3600LL + mi * 60LL + se - offset;
    *out = (time_t)t;
    return 0;
}

/* ---- provider lifecycle ---- */

struct cred_provider *cred_provider_new_env(const struct cred_options *opts,
                                            const struct cred_env *env,
                                            struct oag_error *err)
{
    static const struct cred_options none = { 0 };
    if (!opts) {
        opts = &none;
    }
    struct cred_provider *p = xcalloc(1, sizeof(*p));
    if (env) {
        p->env = *env;
    }
    p->use_fips = opts->use_fips_endpoint;
    p->imds_timeout_ms = opts->imds_timeout_ms;
    if (cred_config_load(&p->cfg, opts->profile, &p->env, err) != 0 ||
        endpoint_region_resolve(opts->region, &p->cfg, &p->env, &p->region,
                                err) != 0 ||
        endpoint_resolve(&endpoint_apigateway, opts->endpoint_url,
                         opts->use_fips_endpoint, p->region, &p->cfg, &p->env,
                         &p->endpoint, err) != 0) {
        cred_provider_free(p);
        return NULL;
    }
    return p;
}

struct cred_provider *cred_provider_new(const struct cred_options *opts,
                                        struct oag_error *err)
{
    return cred_provider_new_env(opts, NULL, err);
}

void cred_provider_free(struct cred_provider *p)
{
    if (!p) {
        return;
    }
    cred_config_release(&p->cfg);
    cred_release(&p->current);
    free(p->region);
    free(p->endpoint);
    free(p->container_base);
    free(p);
}

void cred_provider_set_container_base(struct cred_provider *p,
                                      const char *base_url)
{
    free(p->container_base);
    p->container_base = base_url ? xstrdup(base_url) : NULL;
}

const char *cred_provider_region(const struct cred_provider *p)
{
    return p->region;
}

const char *cred_provider_endpoint(const struct cred_provider *p)
{
    return p->endpoint;
}

/* ---- sources ---- */

/*
 * Each source returns 1 when it filled out, 0 when it does not apply (and
 * appends what it looked at to tried), -1 with err set.
 */

static void tried_add(struct buf *tried, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tried_add(struct buf *tried, const char *fmt, ...)
{
    if (!tried) {
        return;
    }
    if (tried->len) {
        buf_adds(tried, "; ");
    }
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(tried, fmt, ap);
    va_end(ap);
}

static int from_environment(struct cred_provider *p, struct cred *out,
                            struct buf *tried, struct oag_error *err)
{
    const char *id = cred_env_get(&p->env, "AWS_ACCESS_KEY_ID");
    const char *secret = cred_env_get(&p->env, "AWS_SECRET_ACCESS_KEY");
    if (!id && !secret) {
        tried_add(tried, "environment variables");
        return 0;
    }
    if (!id || !secret) {
        return oag_error_set(err, OAG_ERR_AUTH,
                             "partial credentials in the environment: %s is "
                             "set but %s is not",
                             id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                             id ? "AWS_SECRET_ACCESS_KEY"
                                : "AWS_ACCESS_KEY_ID");
    }
    const char *token = cred_env_get(&p->env, "AWS_SESSION_TOKEN");
    if (!token) {
        token = cred_env_get(&p->env, "AWS_SECURITY_TOKEN");
    }
    time_t expires = 0;
    const char *exp = cred_env_get(&p->env, "AWS_CREDENTIAL_EXPIRATION");
    if (exp && cred_time_parse(exp, &expires) != 0) {
        return oag_error_set(err, OAG_ERR_AUTH,
                             "AWS_CREDENTIAL_EXPIRATION '%s' is not an "
                             "ISO 8601 time",
                             exp);
    }
    cred_release(out);
    out->access_key_id = xstrdup(id);
    out->secret_access_key = xstrdup(secret);
    out->session_token = token ? xstrdup(token) : NULL;
    out->expires_at = expires;
    out->source = xstrdup("environment");
    return 1;
}

/* Static keys of profile name in one of the two files. */
static int from_static(struct cred_provider *p, const char *name,
                       bool in_credentials, struct cred *out, struct buf *tried,
                       struct oag_error *err)
{
    const char *path =
        in_credentials ? p->cfg.credentials_path : p->cfg.config_path;
    const char *what =
        in_credentials ? "shared credentials file" : "config file";
    const struct cred_ini_section *s =
        cred_config_section(&p->cfg, name, in_credentials);
    const char *id = cred_ini_get(s, "aws_access_key_id");
    const char *secret = cred_ini_get(s, "aws_secret_access_key");
    if (id && !*id) {
        id = NULL;
    }
    if (secret && !*secret) {
        secret = NULL;
    }
    if (!id && !secret) {
        tried_add(tried, "%s '%s' (profile '%s')", what, path, name);
        return 0;
    }
    if (!id || !secret) {
        return oag_error_set(
            err, OAG_ERR_AUTH, "profile '%s' in '%s' has %s but no %s", name,
            path, id ? "aws_access_key_id" : "aws_secret_access_key",
            id ? "aws_secret_access_key" : "aws_access_key_id");
    }
    const char *token = cred_ini_get(s, "aws_session_token");
    if (!token || !*token) {
        token = cred_ini_get(s, "aws_security_token");
    }
    cred_release(out);
    out->access_key_id = xstrdup(id);
    out->secret_access_key = xstrdup(secret);
    out->session_token = (token && *token) ? xstrdup(token) : NULL;
    out->source = xstrfmt("%s profile '%s'", what, name);
    return 1;
}

static int from_process(struct cred_provider *p, const char *name,
                        struct cred *out, struct buf *tried,
                        struct oag_error *err)
{
    const char *cmd = cred_config_get(&p->cfg, name, "credential_process");
    if (!cmd || !*cmd) {
        tried_add(tried, "credential_process (profile '%s')", name);
        return 0;
    }
    char *label = xstrfmt("credential_process of profile '%s'", name);
    int rc = cred_process_run(cmd, label, out, err);
    free(label);
    return rc == 0 ? 1 : -1;
}

static char *sts_endpoint(struct cred_provider *p, struct oag_error *err)
{
    char *url = NULL;
    if (endpoint_resolve(&endpoint_sts, NULL, p->use_fips, p->region, &p->cfg,
                         &p->env, &url, err) != 0) {
        return NULL;
    }
    return url;
}

/* Reads a web identity token file (the token is a secret). */
static char *read_token_file(const char *path, const char *what,
                             struct oag_error *err)
{
    struct buf b = BUF_INIT;
    if (buf_read_file(&b, path, 1024 * 1024, err) != 0) {
        if (b.data) {
            secure_zero(b.data, b.cap);
        }
        buf_release(&b);
        oag_error_wrap(err, "%s", what);
        return NULL;
    }
    /* trailing newlines are not part of a JWT */
    while (b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r')) {
        b.data[--b.len] = '\0';
    }
    return buf_detach(&b, NULL);
}

static int web_identity(struct cred_provider *p, const char *token_file,
                        const char *role_arn, const char *session,
                        const char *from, time_t now, struct cred *out,
                        struct oag_error *err)
{
    char *what = xstrfmt("web identity token file (from %s)", from);
    char *token = read_token_file(token_file, what, err);
    free(what);
    if (!token) {
        return -1;
    }
    char *endpoint = sts_endpoint(p, err);
    if (!endpoint) {
        free_secret(token);
        return -1;
    }
    char *default_session = xstrfmt("oas2apigw-session-%lld", (long long)now);
    char *label = xstrfmt("web identity role '%s'", role_arn);
    struct cred_sts_request req = {
        .endpoint = endpoint,
        .region = p->region,
        .role_arn = role_arn,
        .session_name = session ? session : default_session,
        .web_identity_token = token,
        .label = label,
    };
    int rc = cred_sts_call(&req, now, out, err);
    free(label);
    free(default_session);
    free(endpoint);
    free_secret(token);
    return rc == 0 ? 1 : -1;
}

static int from_web_identity_env(struct cred_provider *p, time_t now,
                                 struct cred *out, struct buf *tried,
                                 struct oag_error *err)
{
    const char *file = cred_env_get(&p->env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    const char *arn = cred_env_get(&p->env, "AWS_ROLE_ARN");
    const char *name = p->cfg.profile;
    const char *from = "AWS_WEB_IDENTITY_TOKEN_FILE";
    if (!file) {
        file = cred_config_get(&p->cfg, name, "web_identity_token_file");
        from = "profile web_identity_token_file";
        if (file && !*file) {
            file = NULL;
        }
    }
    if (!arn) {
        arn = cred_config_get(&p->cfg, name, "role_arn");
    }
    if (!file) {
        tried_add(tried, "web identity");
        return 0;
    }
    if (!arn || !*arn) {
        return oag_error_set(err, OAG_ERR_AUTH,
                             "web identity token file is set (%s) but no "
                             "role: set AWS_ROLE_ARN or role_arn",
                             from);
    }
    const char *session = cred_env_get(&p->env, "AWS_ROLE_SESSION_NAME");
    if (!session) {
        session = cred_config_get(&p->cfg, name, "role_session_name");
    }
    return web_identity(p, file, arn, session, from, now, out, err);
}

static int from_container(struct cred_provider *p, struct cred *out,
                          struct buf *tried, struct oag_error *err);
static int from_imds(struct cred_provider *p, struct cred *out,
                     struct buf *tried, struct oag_error *err);
static int profile_source(struct cred_provider *p, const char *name, time_t now,
                          const char **visited, int depth, struct cred *out,
                          struct oag_error *err);

/* Keys of providers this tool does not implement. */
static const char *const unsupported_keys[] = {
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "sso_region",
    "login_session",
    NULL,
};

static int unsupported_error(const char *name, const char *key,
                             struct oag_error *err)
{
    return oag_error_set(err, OAG_ERR_UNSUPPORTED,
                         "profile '%s' uses '%s', which oas2apigw does not "
                         "support; add 'credential_process = aws configure "
                         "export-credentials --profile %s --format process' "
                         "to a profile and use that one",
                         name, key, name);
}

/* Credentials of the source of an assume-role profile. */
static int credential_source(struct cred_provider *p, const char *name,
                             const char *source, struct cred *out,
                             struct oag_error *err)
{
    int rc;
    if (strcmp(source, "Environment") == 0) {
        rc = from_environment(p, out, NULL, err);
    } else if (strcmp(source, "EcsContainer") == 0) {
        rc = from_container(p, out, NULL, err);
    } else if (strcmp(source, "Ec2InstanceMetadata") == 0) {
        struct buf why = BUF_INIT;
        rc = from_imds(p, out, &why, err);
        if (rc == 0) {
            oag_error_set(err, OAG_ERR_AUTH, "%s", buf_str(&why));
            rc = -1;
        }
        buf_release(&why);
        return rc < 0 ? -1 : 0;
    } else {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "profile '%s' has credential_source '%s'; "
                             "expected Environment, EcsContainer or "
                             "Ec2InstanceMetadata",
                             name, source);
    }
    if (rc == 0) {
        return oag_error_set(err, OAG_ERR_AUTH,
                             "credential_source '%s' of profile '%s' yielded "
                             "no credentials",
                             source, name);
    }
    return rc < 0 ? -1 : 0;
}

/* AssumeRole for profile name (which has role_arn). */
static int assume_role(struct cred_provider *p, const char *name, time_t now,
                       const char **visited, int depth, struct cred *out,
                       struct oag_error *err)
{
    const char *arn = cred_config_get(&p->cfg, name, "role_arn");
    const char *src = cred_config_get(&p->cfg, name, "source_profile");
    const char *csrc = cred_config_get(&p->cfg, name, "credential_source");
    const char *mfa = cred_config_get(&p->cfg, name, "mfa_serial");
    if (src && !*src) {
        src = NULL;
    }
    if (csrc && !*csrc) {
        csrc = NULL;
    }
    if (mfa && *mfa) {
        return unsupported_error(name, "mfa_serial", err);
    }
    if (src && csrc) {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "profile '%s' has both source_profile and "
                             "credential_source",
                             name);
    }
    if (!src && !csrc) {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "profile '%s' has role_arn but neither "
                             "source_profile nor credential_source",
                             name);
    }

    struct cred source = { 0 };
    int rc;
    if (csrc) {
        rc = credential_source(p, name, csrc, &source, err);
    } else if (strcmp(src, name) == 0) {
        /* a profile may name itself to use its own static keys */
        rc = from_static(p, name, true, &source, NULL, err);
        if (rc == 0) {
            rc = from_static(p, name, false, &source, NULL, err);
        }
        if (rc == 0) {
            rc = oag_error_set(err, OAG_ERR_AUTH,
                               "profile '%s' is its own source_profile but "
                               "has no static keys",
                               name);
        }
        rc = rc < 0 ? -1 : 0;
    } else {
        if (!cred_config_has_profile(&p->cfg, src)) {
            return oag_error_set(err, OAG_ERR_USAGE,
                                 "source_profile '%s' of profile '%s' not "
                                 "found",
                                 src, name);
        }
        rc = profile_source(p, src, now, visited, depth + 1, &source, err);
    }
    if (rc != 0) {
        cred_release(&source);
        return oag_error_wrap(err, "assuming role of profile '%s'", name);
    }

    char *endpoint = sts_endpoint(p, err);
    if (!endpoint) {
        cred_release(&source);
        return -1;
    }
    const char *session = cred_config_get(&p->cfg, name, "role_session_name");
    char *default_session = xstrfmt("oas2apigw-session-%lld", (long long)now);
    char *label = xstrfmt("assume-role profile '%s'", name);
    struct cred_sts_request req = {
        .endpoint = endpoint,
        .region = p->region,
        .role_arn = arn,
        .session_name = (session && *session) ? session : default_session,
        .external_id = cred_config_get(&p->cfg, name, "external_id"),
        .duration_s = cred_config_get(&p->cfg, name, "duration_seconds"),
        .signer = &source,
        .label = label,
    };
    rc = cred_sts_call(&req, now, out, err);
    free(label);
    free(default_session);
    free(endpoint);
    cred_release(&source);
    return rc;
}

/*
 * Credentials of profile name used as a source_profile (botocore
 * AssumeRoleProvider._resolve_credentials_from_profile): its own role,
 * its web identity, its static keys, its credential_process.
 */
static int profile_source(struct cred_provider *p, const char *name, time_t now,
                          const char **visited, int depth, struct cred *out,
                          struct oag_error *err)
{
    if (depth >= MAX_PROFILE_DEPTH) {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "source_profile chain is longer than %d "
                             "profiles",
                             MAX_PROFILE_DEPTH);
    }
    for (int i = 0; i < depth; i++) {
        if (strcmp(visited[i], name) == 0) {
            return oag_error_set(err, OAG_ERR_USAGE,
                                 "source_profile chain loops back to "
                                 "profile '%s'",
                                 name);
        }
    }
    visited[depth] = name;
    const char *arn = cred_config_get(&p->cfg, name, "role_arn");
    const char *wif = cred_config_get(&p->cfg, name, "web_identity_token_file");
    if (arn && *arn && !(wif && *wif)) {
        return assume_role(p, name, now, visited, depth, out, err);
    }
    if (arn && *arn && wif && *wif) {
        const char *session =
            cred_config_get(&p->cfg, name, "role_session_name");
        return web_identity(p, wif, arn, session,
                            "profile web_identity_token_file", now, out,
                            err) < 0
                   ? -1
                   : 0;
    }
    int rc = from_static(p, name, true, out, NULL, err);
    if (rc == 0) {
        rc = from_static(p, name, false, out, NULL, err);
    }
    if (rc == 0) {
        rc = from_process(p, name, out, NULL, err);
    }
    if (rc == 0) {
        return oag_error_set(err, OAG_ERR_AUTH,
                             "source_profile '%s' has no credentials", name);
    }
    return rc < 0 ? -1 : 0;
}

static int from_assume_role(struct cred_provider *p, time_t now,
                            struct cred *out, struct buf *tried,
                            struct oag_error *err)
{
    const char *name = p->cfg.profile;
    const char *arn = cred_config_get(&p->cfg, name, "role_arn");
    const char *wif = cred_config_get(&p->cfg, name, "web_identity_token_file");
    if (!arn || !*arn || (wif && *wif)) {
        tried_add(tried, "assume-role profile");
        return 0;
    }
    const char *visited[MAX_PROFILE_DEPTH];
    visited[0] = name;
    return assume_role(p, name, now, visited, 0, out, err) == 0 ? 1 : -1;
}

static int auth_token(struct cred_provider *p, char **out,
                      struct oag_error *err)
{
    *out = NULL;
    const char *file =
        cred_env_get(&p->env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    char *token = NULL;
    const char *from;
    if (file) {
        struct buf b = BUF_INIT;
        if (buf_read_file(&b, file, 64 * 1024, err) != 0) {
            if (b.data) {
                secure_zero(b.data, b.cap);
            }
            buf_release(&b);
            return oag_error_wrap(err,
                                  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
        }
        token = buf_detach(&b, NULL);
        from = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
    } else {
        const char *v =
            cred_env_get(&p->env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
        if (!v) {
            return 0;
        }
        token = xstrdup(v);
        from = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    }
    /* a header value must not smuggle header lines in (botocore) */
    if (strpbrk(token, "\r\n")) {
        free_secret(token);
        return oag_error_set(err, OAG_ERR_AUTH,
                             "the authorization token from %s contains a "
                             "line break",
                             from);
    }
    *out = token;
    return 0;
}

static int from_container(struct cred_provider *p, struct cred *out,
                          struct buf *tried, struct oag_error *err)
{
    const char *rel =
        cred_env_get(&p->env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full =
        cred_env_get(&p->env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    char *url;
    if (rel) {
        url = xstrfmt("%s%s%s",
                      p->container_base ? p->container_base
                                        : "http://169.254.170.2",
                      rel[0] == '/' ? "" : "/", rel);
    } else if (full) {
        if (!cred_container_url_is_allowed(full)) {
            return oag_error_set(err, OAG_ERR_AUTH,
                                 "AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' is "
                                 "not allowed: it must be https, or http to "
                                 "a loopback address, 169.254.170.2, "
                                 "169.254.170.23 or fd00:ec2::23",
                                 full);
        }
        url = xstrdup(full);
    } else {
        tried_add(tried, "container provider (AWS_CONTAINER_CREDENTIALS_"
                         "RELATIVE_URI and _FULL_URI unset)");
        return 0;
    }
    char *token = NULL;
    if (auth_token(p, &token, err) != 0) {
        free(url);
        return -1;
    }
    int rc = cred_container_fetch(url, token, out, err);
    if (rc != 0) {
        oag_error_wrap(err, "container credentials from '%s'", url);
    }
    free_secret(token);
    free(url);
    return rc == 0 ? 1 : -1;
}

static long imds_timeout(struct cred_provider *p)
{
    if (p->imds_timeout_ms > 0) {
        return p->imds_timeout_ms;
    }
    const char *v = cred_env_get(&p->env, "AWS_METADATA_SERVICE_TIMEOUT");
    if (!v) {
        v = cred_config_get(&p->cfg, p->cfg.profile,
                            "metadata_service_timeout");
    }
    if (v) {
        char *end;
        errno = 0;
        double s = strtod(v, &end);
        if (errno == 0 && end != v && *end == '\0' && s > 0 && s <= 3600) {
            return (long)(s * 1000.0);
        }
    }
    return 1000;
}

static int from_imds(struct cred_provider *p, struct cred *out,
                     struct buf *tried, struct oag_error *err)
{
    const char *name = p->cfg.profile;
    const char *off = cred_env_get(&p->env, "AWS_EC2_METADATA_DISABLED");
    if (cred_is_true(off)) {
        tried_add(tried, "instance metadata (disabled by "
                         "AWS_EC2_METADATA_DISABLED)");
        return 0;
    }
    const char *base =
        cred_env_get(&p->env, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (!base) {
        base = cred_config_get(&p->cfg, name, "ec2_metadata_service_endpoint");
    }
    if (!base || !*base) {
        const char *mode =
            cred_env_get(&p->env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
        if (!mode) {
            mode = cred_config_get(&p->cfg, name,
                                   "ec2_metadata_service_endpoint_mode");
        }
        base = (mode && strcasecmp(mode, "IPv6") == 0)
                   ? "http://[fd00:ec2::254]"
                   : "http://169.254.169.254";
    }
    const char *v1 = cred_env_get(&p->env, "AWS_EC2_METADATA_V1_DISABLED");
    bool v1_disabled = v1 ? cred_is_true(v1)
                          : cred_is_true(cred_config_get(
                                &p->cfg, name, "ec2_metadata_v1_disabled"));
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/') {
        n--;
    }
    char *url = xstrndup(base, n);
    char *reason = NULL;
    int rc =
        cred_imds_fetch(url, imds_timeout(p), v1_disabled, out, &reason, err);
    if (rc == 0) {
        tried_add(tried, "instance metadata at '%s' (%s)", url,
                  reason ? reason : "unavailable");
    } else if (rc < 0) {
        oag_error_wrap(err, "instance metadata at '%s'", url);
    }
    free(reason);
    free(url);
    return rc;
}

/* Stops the chain when the profile needs a provider this tool lacks. */
static int check_unsupported(struct cred_provider *p, struct oag_error *err)
{
    const char *name = p->cfg.profile;
    for (const char *const *k = unsupported_keys; *k; k++) {
        const char *v = cred_config_get(&p->cfg, name, *k);
        if (v && *v) {
            return unsupported_error(name, *k, err);
        }
    }
    return 0;
}

/* The chain; 1 = found, 0 = nothing (tried says what was looked at). */
static int resolve_chain(struct cred_provider *p, time_t now, struct cred *out,
                         struct buf *tried, struct oag_error *err)
{
    const char *name = p->cfg.profile;
    int rc = 0;
    if (p->cfg.profile_explicit) {
        tried_add(tried, "environment variables (skipped: --profile given)");
    } else {
        rc = from_environment(p, out, tried, err);
    }
    if (rc == 0) {
        rc = from_assume_role(p, now, out, tried, err);
    }
    if (rc == 0) {
        rc = from_web_identity_env(p, now, out, tried, err);
    }
    if (rc == 0) {
        rc = from_static(p, name, true, out, tried, err);
    }
    if (rc == 0) {
        rc = from_process(p, name, out, tried, err);
    }
    if (rc == 0) {
        rc = from_static(p, name, false, out, tried, err);
    }
    if (rc == 0 && check_unsupported(p, err) != 0) {
        return -1;
    }
    if (rc == 0) {
        rc = from_container(p, out, tried, err);
    }
    if (rc == 0) {
        rc = from_imds(p, out, tried, err);
    }
    return rc;
}

static bool is_fresh(const struct cred *c, time_t now)
{
    return c->expires_at == 0 || c->expires_at - now > REFRESH_BEFORE_S;
}

int cred_provider_get(struct cred_provider *p, time_t now,
                      const struct cred **out, struct oag_error *err)
{
    if (p->have_current && is_fresh(&p->current, now)) {
        *out = &p->current;
        return 0;
    }
    struct cred fresh = { 0 };
    struct buf tried = BUF_INIT;
    int rc = resolve_chain(p, now, &fresh, &tried, err);
    if (rc == 0) {
        oag_error_set(err, OAG_ERR_AUTH,
                      "no credentials found for profile '%s'; tried: %s",
                      p->cfg.profile, buf_str(&tried));
    }
    buf_release(&tried);
    if (rc <= 0) {
        cred_release(&fresh);
        return -1;
    }
    cred_move(&p->current, &fresh);
    p->have_current = true;
    *out = &p->current;
    return 0;
}
