/*
 * Credentials, profile settings, region and endpoint, resolved as the AWS
 * CLI resolves them (../shared/reference/aws-conventions.md):
 *
 * credentials: explicit (--profile removes the environment provider) >
 *   environment > assume-role profile (role_arn + source_profile, STS) >
 *   web identity > shared credentials file > credential_process > config
 *   file > container provider > IMDSv2.  Temporary credentials are
 *   refreshed before they expire.
 * region: --region > AWS_REGION > AWS_DEFAULT_REGION > profile region.
 * endpoint: --endpoint-url > AWS_ENDPOINT_URL_API_GATEWAY > AWS_ENDPOINT_URL
 *   > [services] api_gateway endpoint_url > profile endpoint_url > the
 *   partition's host (FIPS with use_fips_endpoint).
 */
#ifndef OAG_AWS_CRED_H
#define OAG_AWS_CRED_H

#include <stdbool.h>
#include <time.h>

struct oag_error;
struct cred_provider;

/* A resolved credential set; secrets wiped on release. */
struct cred {
    char *access_key_id;     /* owned */
    char *secret_access_key; /* owned, secret */
    char *session_token;     /* owned, secret; NULL = none */
    time_t expires_at;       /* 0 = does not expire */
    char *source;            /* owned: "environment", "profile dev", ... */
};

void cred_release(struct cred *c);

/* What the command line said; NULL/false = not given. */
struct cred_options {
    const char *profile;      /* --profile */
    const char *region;       /* --region */
    const char *endpoint_url; /* --endpoint-url */
    bool use_fips_endpoint;   /* --use-fips-endpoint */
    long imds_timeout_ms;     /* 0 = 1000 */
};

/*
 * Resolves profile, region and endpoint now and prepares the credential
 * chain (credentials themselves are fetched lazily by cred_provider_get).
 * NULL + err (naming what is missing) on failure.
 */
struct cred_provider *cred_provider_new(const struct cred_options *opts,
                                        struct oag_error *err);
void cred_provider_free(struct cred_provider *p);

/* Borrowed strings, valid while p lives. */
const char *cred_provider_region(const struct cred_provider *p);
const char *cred_provider_endpoint(const struct cred_provider *p);

/*
 * Current credentials, fetching or refreshing them when they are missing or
 * expire within 5 minutes of now.  out is a borrowed view valid until the
 * next call.  The error names every source tried when none yields keys.
 */
int cred_provider_get(struct cred_provider *p, time_t now,
                      const struct cred **out, struct oag_error *err);

#endif
