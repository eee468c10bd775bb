/*
 * Region and endpoint resolution (aws-conventions.md sections 3 and 4,
 * apigateway.md 6.1).
 *
 * Region: --region > AWS_REGION > AWS_DEFAULT_REGION > profile region; no
 * default.
 *
 * Endpoint, first hit wins (botocore configprovider.ConfiguredEndpointProvider):
 *   1. --endpoint-url
 *   2. AWS_ENDPOINT_URL_<SERVICE>          (API_GATEWAY, STS)
 *   3. AWS_ENDPOINT_URL
 *   4. profile "services = NAME" -> [services NAME] <id> endpoint_url
 *   5. profile endpoint_url
 *   6. the partition's host: https://<prefix>.<region>.<dns suffix>, or
 *      https://<prefix>-fips.<region>.amazonaws.com with FIPS in the regions
 *      that have it.
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
 * ignore_configured_endpoint_urls) skips 2-5.
 */
#include "aws/cred_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

static const char *const apigateway_fips[] = {
    "us-east-1",    "us-east-2", "us-west-1", "us-west-2",
    "ca-central-1", "ca-west-1", NULL,
};

static const char *const sts_fips[] = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", NULL,
};

const struct endpoint_service endpoint_apigateway = {
    .id = "api_gateway",
    .env_suffix = "API_GATEWAY",
    .host_prefix = "apigateway",
    .fips_regions = apigateway_fips,
};

const struct endpoint_service endpoint_sts = {
    .id = "sts",
    .env_suffix = "STS",
    .host_prefix = "sts",
    .fips_regions = sts_fips,
};

/* Region prefix -> DNS suffix of its partition (endpoints.json). */
static const struct {
    const char *prefix;
    const char *suffix;
} partitions[] = {
    { "cn-", "amazonaws.com.cn" },    /* aws-cn */
    { "us-gov-", "amazonaws.com" },   /* aws-us-gov */
    { "us-isob-", "sc2s.sgov.gov" },  /* aws-iso-b */
    { "us-isof-", "csp.hci.ic.gov" }, /* aws-iso-f */
    { "us-iso-", "c2s.ic.gov" },      /* aws-iso */
    { "eu-isoe-", "cloud.adc-e.uk" }, /* aws-iso-e */
    { "eusc-", "amazonaws.eu" },      /* aws-eusc */
};

static bool region_is_valid(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > 64 || r[0] == '-' || r[n - 1] == '-') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)r[i];
        if (!(islower(c) || isdigit(c) || c == '-')) {
            return false;
        }
    }
    return true;
}

int endpoint_region_resolve(const char *opt_region,
                            const struct cred_config *cfg,
                            const struct cred_env *env, char **out,
                            struct oag_error *err)
{
    const char *from = "--region";
    const char *r = (opt_region && *opt_region) ? opt_region : NULL;
    if (!r && (r = cred_env_get(env, "AWS_REGION")) != NULL) {
        from = "AWS_REGION";
    }
    if (!r && (r = cred_env_get(env, "AWS_DEFAULT_REGION")) != NULL) {
        from = "AWS_DEFAULT_REGION";
    }
    if (!r && cfg && cfg->profile) {
        r = cred_config_get(cfg, cfg->profile, "region");
        if (r && !*r) {
            r = NULL;
        }
        from = "profile region";
    }
    if (!r) {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "no region configured; use --region or set "
                             "AWS_REGION");
    }
    if (!region_is_valid(r)) {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "region '%s' (from %s) is not a region name", r,
                             from);
    }
    *out = xstrdup(r);
    return 0;
}

int endpoint_default_url(const struct endpoint_service *svc, const char *region,
                         bool fips, char **out, struct oag_error *err)
{
    const char *suffix = "amazonaws.com";
    for (size_t i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++) {
        size_t n = strlen(partitions[i].prefix);
        if (strncmp(region, partitions[i].prefix, n) == 0) {
            suffix = partitions[i].suffix;
            break;
        }
    }
    if (!fips) {
        *out = xstrfmt("https://%s.%s.%s", svc->host_prefix, region, suffix);
        return 0;
    }
    for (const char *const *f = svc->fips_regions; *f; f++) {
        if (strcmp(*f, region) == 0) {
            *out = xstrfmt("https://%s-fips.%s.amazonaws.com", svc->host_prefix,
                           region);
            return 0;
        }
    }
    return oag_error_set(err, OAG_ERR_USAGE,
                         "no FIPS endpoint for '%s' in region '%s'; drop "
                         "--use-fips-endpoint (or use_fips_endpoint) or "
                         "give --endpoint-url",
                         svc->host_prefix, region);
}

int endpoint_url_split(const char *url, char **out_host, char **out_path,
                       struct oag_error *err)
{
    const char *p;
    const char *default_port;
    if (strncasecmp(url, "https://", 8) == 0) {
        p = url + 8;
        default_port = "443";
    } else if (strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
        default_port = "80";
    } else {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "endpoint '%s' is not an http or https URL", url);
    }
    size_t auth_len = strcspn(p, "/?#");
    const char *rest = p + auth_len;
    if (*rest == '#') {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "endpoint '%s' must not have a fragment", url);
    }
    /* user-info is dropped (6.8) */
    const char *at = memchr(p, '@', auth_len);
    if (at) {
        auth_len -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    const char *host_end = p + auth_len;
    const char *port = NULL;
    if (*p == '[') {
        const char *rb = memchr(p, ']', auth_len);
        if (!rb) {
            return oag_error_set(err, OAG_ERR_USAGE,
                                 "endpoint '%s' has an unterminated IPv6 "
                                 "address",
                                 url);
        }
        if (rb + 1 < p + auth_len) {
            if (rb[1] != ':') {
                return oag_error_set(err, OAG_ERR_USAGE,
                                     "endpoint '%s' has a malformed host", url);
            }
            port = rb + 2;
        }
        host_end = rb + 1;
    } else {
        const char *colon = memchr(p, ':', auth_len);
        if (colon) {
            host_end = colon;
            port = colon + 1;
        }
    }
    if (host_end == p) {
        return oag_error_set(err, OAG_ERR_USAGE, "endpoint '%s' has no host",
                             url);
    }
    for (const char *c = p; c < p + auth_len; c++) {
        if (isspace((unsigned char)*c) || (unsigned char)*c < 0x20) {
            return oag_error_set(err, OAG_ERR_USAGE,
                                 "endpoint '%s' has a malformed host", url);
        }
    }
    size_t port_len = port ? (size_t)(p + auth_len - port) : 0;
    if (port) {
        if (port_len == 0 || port_len > 5) {
            return oag_error_set(err, OAG_ERR_USAGE,
                                 "endpoint '%s' has a malformed port", url);
        }
        for (size_t i = 0; i < port_len; i++) {
            if (!isdigit((unsigned char)port[i])) {
                return oag_error_set(err, OAG_ERR_USAGE,
                                     "endpoint '%s' has a malformed port", url);
            }
        }
    }
    if (out_host) {
        struct buf h = BUF_INIT;
        for (const char *c = p; c < host_end; c++) {
            buf_addch(&h, (char)tolower((unsigned char)*c));
        }
        if (port && !(port_len == strlen(default_port) &&
                      memcmp(port, default_port, port_len) == 0)) {
            buf_addch(&h, ':');
            buf_add(&h, port, port_len);
        }
        *out_host = buf_detach(&h, NULL);
    }
    if (out_path) {
        *out_path = xstrfmt("%s%s", *rest == '/' ? "" : "/", rest);
    }
    return 0;
}

/*
 * A boolean setting: the environment variable when set (even to "false"),
 * else the profile's key.
 */
static bool setting_is_true(const struct cred_config *cfg,
                            const struct cred_env *env, const char *var,
                            const char *key)
{
    const char *v = cred_env_get(env, var);
    if (v) {
        return cred_is_true(v);
    }
    if (cfg && cfg->profile) {
        return cred_is_true(cred_config_get(cfg, cfg->profile, key));
    }
    return false;
}

/* Checks url and stores it without trailing '/' in *out. */
static int take_url(const char *url, const char *from, char **out,
                    struct oag_error *err)
{
    if (endpoint_url_split(url, NULL, NULL, err) != 0) {
        return oag_error_wrap(err, "%s", from);
    }
    if (strchr(url, '?')) {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "%s: endpoint '%s' must not have a query", from,
                             url);
    }
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/') {
        n--;
    }
    *out = xstrndup(url, n);
    return 0;
}

int endpoint_resolve(const struct endpoint_service *svc, const char *opt_url,
                     bool opt_fips, const char *region,
                     const struct cred_config *cfg, const struct cred_env *env,
                     char **out, struct oag_error *err)
{
    if (opt_url && *opt_url) {
        return take_url(opt_url, "--endpoint-url", out, err);
    }
    const char *profile = cfg ? cfg->profile : NULL;
    bool ignore =
        setting_is_true(cfg, env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                        "ignore_configured_endpoint_urls");
    if (!ignore) {
        char name[64];
        snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", svc->env_suffix);
        const char *v = cred_env_get(env, name);
        if (v) {
            return take_url(v, name, out, err);
        }
        v = cred_env_get(env, "AWS_ENDPOINT_URL");
        if (v) {
            return take_url(v, "AWS_ENDPOINT_URL", out, err);
        }
        const char *services =
            profile ? cred_config_get(cfg, profile, "services") : NULL;
        if (services && *services) {
            const struct cred_ini_section *s =
                cred_config_services(cfg, services);
            if (!s) {
                return oag_error_set(err, OAG_ERR_USAGE,
                                     "profile '%s' refers to services '%s' "
                                     "but '%s' has no [services %s] section",
                                     profile, services, cfg->config_path,
                                     services);
            }
            v = cred_ini_get_sub(s, svc->id, "endpoint_url");
            if (v && *v) {
                char *from =
                    xstrfmt("[services %s] %s endpoint_url", services, svc->id);
                int rc = take_url(v, from, out, err);
                free(from);
                return rc;
            }
        }
        v = profile ? cred_config_get(cfg, profile, "endpoint_url") : NULL;
        if (v && *v) {
            char *from = xstrfmt("profile '%s' endpoint_url", profile);
            int rc = take_url(v, from, out, err);
            free(from);
            return rc;
        }
    }
    bool fips = opt_fips || setting_is_true(cfg, env, "AWS_USE_FIPS_ENDPOINT",
                                            "use_fips_endpoint");
    return endpoint_default_url(svc, region, fips, out, err);
}
