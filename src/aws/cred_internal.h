/*
 * What the credential module's files (cred.c, cred_process.c, cred_remote.c,
 * config.c, endpoint.c) and their tests share beyond aws/cred.h.  No other
 * module includes this header.
 *
 * Every resolution step takes a struct cred_env, so tests supply the
 * environment as a function instead of changing the process's own.
 */
#ifndef OAG_AWS_CRED_INTERNAL_H
#define OAG_AWS_CRED_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/cred.h"

struct oag_error;

/* ---- environment ---- */

/* Returns the value of name or NULL when unset; the result is borrowed. */
typedef const char *(*cred_getenv_fn)(void *ctx, const char *name);

struct cred_env {
    cred_getenv_fn getenv; /* NULL = the process environment */
    void *ctx;             /* passed to getenv */
};

/* Value of name, or NULL when unset or empty (empty counts as unset). */
const char *cred_env_get(const struct cred_env *env, const char *name);
/* True when the value is "true" in any case. */
bool cred_is_true(const char *value);

/* ---- the INI dialect of ~/.aws/config and ~/.aws/credentials ---- */

struct cred_ini_pair {
    char *key;          /* owned, lower-cased */
    char *value;        /* owned, trimmed, wiped on release */
    char *parent;       /* owned key of the enclosing sub-section or NULL */
    unsigned long line; /* 1-based */
};

struct cred_ini_section {
    char *name;                  /* owned: text between the brackets, trimmed */
    unsigned long line;          /* of the (first) header */
    struct cred_ini_pair *pairs; /* owned */
    size_t n_pairs;
    size_t cap;
};

struct cred_ini {
    char *file;                        /* owned name for messages, or NULL */
    struct cred_ini_section *sections; /* owned */
    size_t n_sections;
    size_t cap;
};

/*
 * Parses text into ini (released first).  Sections repeated in one file are
 * merged, a later key replacing an earlier one.  Full-line '#' and ';'
 * comments; "key = value" or "key: value"; an indented line after a key
 * with an empty value is a "sub = value" pair of that key (one level, as in
 * "[services x]" sections); an indented line after a non-empty value
 * continues it.  Inline comments are kept as part of the value.  file names
 * the input in errors (OAG_ERR_SYNTAX with the line).
 */
int cred_ini_parse(struct cred_ini *ini, const char *text, size_t len,
                   const char *file, struct oag_error *err);
/* Reads and parses path; a file that does not exist is an empty ini. */
int cred_ini_load(struct cred_ini *ini, const char *path,
                  struct oag_error *err);
void cred_ini_release(struct cred_ini *ini);
/* Section with exactly this name, or NULL. */
const struct cred_ini_section *cred_ini_find(const struct cred_ini *ini,
                                             const char *name);
/* Top-level value of key (case-insensitive) in s, or NULL; s may be NULL. */
const char *cred_ini_get(const struct cred_ini_section *s, const char *key);
/* Value of key inside sub-section parent, or NULL. */
const char *cred_ini_get_sub(const struct cred_ini_section *s,
                             const char *parent, const char *key);

/* ---- profiles ---- */

struct cred_config {
    struct cred_ini config;      /* the shared config file */
    struct cred_ini credentials; /* the shared credentials file */
    char *config_path;           /* owned, after ~ expansion */
    char *credentials_path;      /* owned */
    char *profile;               /* owned: the selected profile */
    bool profile_explicit;       /* chosen by --profile */
};

/*
 * Loads both files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, default
 * ~/.aws/config and ~/.aws/credentials) and selects the profile:
 * explicit_profile > AWS_PROFILE > AWS_DEFAULT_PROFILE > "default".  A
 * profile named by the option or the environment that is in neither file is
 * an error (OAG_ERR_USAGE); only the implicit "default" may be absent.
 */
int cred_config_load(struct cred_config *cfg, const char *explicit_profile,
                     const struct cred_env *env, struct oag_error *err);
void cred_config_release(struct cred_config *cfg);
/*
 * The section of profile name: in the config file "[profile name]" (or
 * "[default]" for default, "[profile default]" preferred), in the
 * credentials file "[name]".  NULL when absent.
 */
const struct cred_ini_section *
cred_config_section(const struct cred_config *cfg, const char *name,
                    bool in_credentials);
bool cred_config_has_profile(const struct cred_config *cfg, const char *name);
/* Setting key of profile name: credentials file first, then config file. */
const char *cred_config_get(const struct cred_config *cfg, const char *name,
                            const char *key);
/* "[services name]" of the config file, or NULL. */
const struct cred_ini_section *
cred_config_services(const struct cred_config *cfg, const char *name);

/* ---- region and endpoint (endpoint.c) ---- */

/* The services this tool calls, for endpoint resolution. */
struct endpoint_service {
    const char *id;          /* "api_gateway": [services] sub-section */
    const char *env_suffix;  /* "API_GATEWAY": AWS_ENDPOINT_URL_<suffix> */
    const char *host_prefix; /* "apigateway": <prefix>.<region>.<suffix> */
    const char *const *fips_regions; /* NULL-terminated */
};

extern const struct endpoint_service endpoint_apigateway;
extern const struct endpoint_service endpoint_sts;

/*
 * Region: opt_region > AWS_REGION > AWS_DEFAULT_REGION > the profile's
 * region.  *out is owned by the caller.  OAG_ERR_USAGE when none is set or
 * the name is not a region name.
 */
int endpoint_region_resolve(const char *opt_region,
                            const struct cred_config *cfg,
                            const struct cred_env *env, char **out,
                            struct oag_error *err);

/*
 * Endpoint of svc: opt_url > AWS_ENDPOINT_URL_<SUFFIX> > AWS_ENDPOINT_URL >
 * [services] <id> endpoint_url > profile endpoint_url > default host.
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls
 * skip the configured ones.  FIPS (opt_fips, AWS_USE_FIPS_ENDPOINT,
 * use_fips_endpoint) changes only the default host.  The result has no
 * trailing '/'; *out is owned by the caller.
 */
int endpoint_resolve(const struct endpoint_service *svc, const char *opt_url,
                     bool opt_fips, const char *region,
                     const struct cred_config *cfg, const struct cred_env *env,
                     char **out, struct oag_error *err);

/* The partition's default URL for svc in region (FIPS if asked). */
int endpoint_default_url(const struct endpoint_service *svc, const char *region,
                         bool fips, char **out, struct oag_error *err);

/*
 * Splits an http(s) URL: the Host header value (lower-case host, ":port"
 * only when not the scheme's default) and the path with query ("/" when
 * empty).  Either out pointer may be NULL.
 */
int endpoint_url_split(const char *url, char **out_host, char **out_path,
                       struct oag_error *err);

/* ---- credentials ---- */

/* ISO 8601 / RFC 3339 UTC time ("2024-05-27T09:30:15Z", fraction and
 * numeric offsets accepted) to time_t; -1 when malformed. */
int cred_time_parse(const char *s, time_t *out);

/* Moves src into dst (dst released first); src is zeroed. */
void cred_move(struct cred *dst, struct cred *src);

/*
 * Splits a command line with POSIX shell quoting (no expansions): blanks
 * separate words, '...' is literal, "..." honours \\ \" \$ \` and
 * backslash-newline, a backslash outside quotes escapes the next character.
 * *out_argv is a NULL-terminated owned array (cred_argv_free).
 */
int cred_shell_split(const char *cmd, char ***out_argv, size_t *out_argc,
                     struct oag_error *err);
void cred_argv_free(char **argv);

/*
 * Parses the JSON a credential_process prints (Version 1).  The message of
 * an error never quotes the document.
 */
int cred_process_parse(const char *json, size_t len, const char *source,
                       struct cred *out, struct oag_error *err);
/* Runs command without a shell and parses its output into out. */
int cred_process_run(const char *command, const char *source, struct cred *out,
                     struct oag_error *err);

/*
 * Parses an STS AssumeRole / AssumeRoleWithWebIdentity answer: on status
 * 200 the Credentials element, otherwise the Error element
 * (OAG_ERR_AWS/OAG_ERR_AUTH with http_status, aws_code, request_id).
 */
int cred_sts_parse(long status, const char *body, size_t len,
                   const char *request_id, const char *source, struct cred *out,
                   struct oag_error *err);

/* Parses container / IMDS JSON (AccessKeyId, SecretAccessKey, Token,
 * Expiration). */
int cred_metadata_parse(const char *json, size_t len, const char *source,
                        struct cred *out, struct oag_error *err);

/* True when url may serve container credentials: https, or http to a
 * loopback address, localhost, 169.254.170.2, 169.254.170.23 or
 * fd00:ec2::23. */
bool cred_container_url_is_allowed(const char *url);

/* ---- calls to STS and the metadata services (cred_remote.c) ---- */

struct cred_sts_request {
    const char *endpoint; /* STS endpoint URL, no trailing '/' */
    const char *region;   /* signing region */
    const char *role_arn;
    const char *session_name;
    const char *external_id;        /* NULL = none */
    const char *duration_s;         /* NULL = the role's default */
    const struct cred *signer;      /* AssumeRole: credentials that sign */
    const char *web_identity_token; /* non-NULL: AssumeRoleWithWebIdentity,
                                       unsigned; secret */
    const char *label;              /* becomes out->source */
};

/* POSTs AssumeRole or AssumeRoleWithWebIdentity (Query protocol). */
int cred_sts_call(const struct cred_sts_request *req, time_t now,
                  struct cred *out, struct oag_error *err);

/*
 * GETs container credentials from url (already checked), sending
 * auth_token (NULL = none) as Authorization.  2 s timeout, 3 attempts on
 * connection failures.
 */
int cred_container_fetch(const char *url, const char *auth_token,
                         struct cred *out, struct oag_error *err);

/*
 * IMDSv2 at base_url: PUT token, GET role, GET role credentials, each with
 * timeout_ms and a single attempt; falls back to IMDSv1 on 403/404/405
 * from the token PUT unless v1_disabled.  Returns 1 with *out filled, 0
 * when the service is not there or has no role (*out_reason owned, says
 * why), -1 on a malformed answer.
 */
int cred_imds_fetch(const char *base_url, long timeout_ms, bool v1_disabled,
                    struct cred *out, char **out_reason, struct oag_error *err);

/* ---- the provider with an explicit environment ---- */

/* As cred_provider_new with env (copied; env->ctx must outlive p). */
struct cred_provider *cred_provider_new_env(const struct cred_options *opts,
                                            const struct cred_env *env,
                                            struct oag_error *err);
/* Tests: replaces http://169.254.170.2 for
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (copied). */
void cred_provider_set_container_base(struct cred_provider *p,
                                      const char *base_url);

#endif
