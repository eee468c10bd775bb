/*
 * Tests of the shared-file parser (src/aws/config.c) and of the URL and
 * partition helpers in src/aws/endpoint.c.  The profile/region/endpoint
 * precedence itself is covered by the testdata/aws/cred cases in
 * test_cred.c.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/cred_internal.h"
#include "tests/common.h"
#include "util/error.h"
#include "util/xalloc.h"

static void parse_ok(struct cred_ini *ini, const char *text)
{
    struct oag_error err = OAG_ERROR_INIT;
    int rc = cred_ini_parse(ini, text, strlen(text), "t.ini", &err);
    cr_assert(eq(int, rc, 0), "parse failed: %s", err.message);
    oag_error_release(&err);
}

static void parse_fails(const char *text, unsigned long line, const char *msg)
{
    struct cred_ini ini = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    int rc = cred_ini_parse(&ini, text, strlen(text), "t.ini", &err);
    cr_assert(eq(int, rc, -1));
    cr_assert(eq(int, err.code, OAG_ERR_SYNTAX));
    cr_assert(eq(str, err.file, "t.ini"));
    cr_assert(eq(u64, err.line, line));
    cr_assert(eq(str, err.message, (char *)msg));
    oag_error_release(&err);
    cred_ini_release(&ini);
}

static const char *get(const struct cred_ini *ini, const char *section,
                       const char *key)
{
    return cred_ini_get(cred_ini_find(ini, section), key);
}

Test(config, parses_sections_keys_and_trimmed_values)
{
    struct cred_ini ini = { 0 };
    parse_ok(&ini, "[default]\n  region   =  us-east-1  \n"
                   "output: json\n\n[profile dev]\nregion=eu-west-1\n");
    cr_assert(eq(sz, ini.n_sections, 2));
    cr_assert(eq(str, (char *)get(&ini, "default", "region"), "us-east-1"));
    cr_assert(eq(str, (char *)get(&ini, "default", "output"), "json"));
    cr_assert(eq(str, (char *)get(&ini, "profile dev", "region"), "eu-west-1"));
    cr_assert(get(&ini, "dev", "region") == NULL);
    cred_ini_release(&ini);
}

Test(config, lowercases_keys_and_keeps_value_case)
{
    struct cred_ini ini = { 0 };
    parse_ok(&ini, "[Default]\nAWS_Access_Key_ID = AbC\n");
    cr_assert(cred_ini_find(&ini, "default") == NULL);
    const struct cred_ini_section *s = cred_ini_find(&ini, "Default");
    cr_assert(s != NULL);
    cr_assert(eq(str, s->pairs[0].key, "aws_access_key_id"));
    cr_assert(eq(str, (char *)cred_ini_get(s, "AWS_ACCESS_KEY_ID"), "AbC"));
    cred_ini_release(&ini);
}

Test(config, keeps_inline_comment_text_in_values)
{
    struct cred_ini ini = { 0 };
    parse_ok(&ini, "# c1\n; c2\n[a]\n   ; indented comment\n"
                   "k = v # not a comment\nj = x ; neither\n");
    cr_assert(eq(str, (char *)get(&ini, "a", "k"), "v # not a comment"));
    cr_assert(eq(str, (char *)get(&ini, "a", "j"), "x ; neither"));
    cred_ini_release(&ini);
}

Test(config, reads_indented_sub_sections)
{
    struct cred_ini ini = { 0 };
    parse_ok(&ini, "[services local]\napi_gateway =\n"
                   "  endpoint_url = http://127.0.0.1:5055\n"
                   "  Other = x = y\nsts =\n\tendpoint_url = http://h:1\n"
                   "top = 1\n");
    const struct cred_ini_section *s = cred_ini_find(&ini, "services local");
    cr_assert(s != NULL);
    cr_assert(eq(str,
                 (char *)cred_ini_get_sub(s, "api_gateway", "endpoint_url"),
                 "http://127.0.0.1:5055"));
    cr_assert(
        eq(str, (char *)cred_ini_get_sub(s, "api_gateway", "other"), "x = y"));
    cr_assert(eq(str, (char *)cred_ini_get_sub(s, "sts", "endpoint_url"),
                 "http://h:1"));
    cr_assert(eq(str, (char *)cred_ini_get(s, "api_gateway"), ""));
    cr_assert(eq(str, (char *)cred_ini_get(s, "top"), "1"));
    cr_assert(cred_ini_get(s, "endpoint_url") == NULL);
    cred_ini_release(&ini);
}

Test(config, continues_a_non_empty_value_on_indented_lines)
{
    struct cred_ini ini = { 0 };
    parse_ok(&ini, "[a]\nk = first\n   second\nj = 2\n");
    cr_assert(eq(str, (char *)get(&ini, "a", "k"), "first\nsecond"));
    cr_assert(eq(str, (char *)get(&ini, "a", "j"), "2"));
    cred_ini_release(&ini);
}

Test(config, merges_repeated_sections_later_key_wins)
{
    struct cred_ini ini = { 0 };
    parse_ok(&ini, "[a]\nk = 1\nx = keep\n[b]\nk = 9\n[a]\nk = 2\n");
    cr_assert(eq(sz, ini.n_sections, 2));
    cr_assert(eq(str, (char *)get(&ini, "a", "k"), "2"));
    cr_assert(eq(str, (char *)get(&ini, "a", "x"), "keep"));
    cred_ini_release(&ini);
}

Test(config, accepts_crlf_line_ends_and_no_final_newline)
{
    struct cred_ini ini = { 0 };
    parse_ok(&ini, "[a]\r\nk = v\r\nj = w");
    cr_assert(eq(str, (char *)get(&ini, "a", "k"), "v"));
    cr_assert(eq(str, (char *)get(&ini, "a", "j"), "w"));
    cred_ini_release(&ini);
}

Test(config, reports_syntax_errors_with_their_line)
{
    parse_fails("k = v\n", 1,
                "setting outside of a section; expected '[name]' first");
    parse_fails("[a]\n\n[b\n", 3, "section header without closing ']'");
    parse_fails("[a]\n[  ]\n", 2, "empty section name");
    parse_fails("[a]\nk = v\nno delimiter\n", 3,
                "expected 'key = value' or '[section]'");
    parse_fails("[a]\n = v\n", 2, "missing key before '='");
    parse_fails("[a]\nsvc =\n  no delimiter\n", 3,
                "expected 'key = value' in the indented block");
}

Test(config, missing_file_reads_as_empty)
{
    struct cred_ini ini = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_ini_load(&ini, "/nonexistent/oag/config", &err), 0));
    cr_assert(eq(sz, ini.n_sections, 0));
    cr_assert(eq(int, cred_ini_load(&ini, "/dev/null", &err), 0));
    cr_assert(eq(sz, ini.n_sections, 0));
    cred_ini_release(&ini);
}

Test(config, unreadable_path_is_an_io_error)
{
    struct cred_ini ini = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    /* a directory opens but cannot be read */
    cr_assert(eq(int, cred_ini_load(&ini, "/", &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_IO));
    oag_error_release(&err);
    cred_ini_release(&ini);
}

Test(config, loads_a_file_and_names_it_in_errors)
{
    const char *text = "[default]\nregion = x\n[broken\n";
    char *path = test_write_temp(text, strlen(text), ".ini");
    cr_assert(path != NULL);
    struct cred_ini ini = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_ini_load(&ini, path, &err), -1));
    cr_assert(eq(str, err.file, path));
    cr_assert(eq(u64, err.line, 3));
    unlink(path);
    free(path);
    oag_error_release(&err);
    cred_ini_release(&ini);
}

/* ---- profile sections ---- */

static const char *fixed_env(void *ctx, const char *name)
{
    const char *const *kv = ctx;
    for (; kv[0]; kv += 2) {
        if (strcmp(kv[0], name) == 0) {
            return kv[1];
        }
    }
    return NULL;
}

Test(config, finds_profiles_by_file_convention)
{
    const char *cfg_text = "[default]\nregion = r0\n[profile   dev]\n"
                           "region = r1\n[services s]\n[sso-session x]\n";
    const char *cred_text = "[dev]\nregion = r2\n[profile odd]\nk = v\n";
    char *cfg = test_write_temp(cfg_text, strlen(cfg_text), ".cfg");
    char *cred = test_write_temp(cred_text, strlen(cred_text), ".cred");
    const char *kv[] = {
        "AWS_CONFIG_FILE", cfg, "AWS_SHARED_CREDENTIALS_FILE", cred, NULL, NULL
    };
    struct cred_env env = { .getenv = fixed_env, .ctx = kv };
    struct cred_config c = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_config_load(&c, NULL, &env, &err), 0));
    cr_assert(eq(str, c.profile, "default"));
    cr_assert(not(c.profile_explicit));
    cr_assert(eq(str, (char *)cred_config_get(&c, "default", "region"), "r0"));
    /* the credentials file's value wins over the config file's */
    cr_assert(eq(str, (char *)cred_config_get(&c, "dev", "region"), "r2"));
    cr_assert(eq(
        str,
        (char *)cred_ini_get(cred_config_section(&c, "dev", false), "region"),
        "r1"));
    cr_assert(cred_config_has_profile(&c, "profile odd"));
    cr_assert(not(cred_config_has_profile(&c, "odd")));
    cr_assert(not(cred_config_has_profile(&c, "s")));
    cr_assert(cred_config_services(&c, "s") != NULL);
    cr_assert(cred_config_services(&c, "x") == NULL);
    cred_config_release(&c);

    cr_assert(eq(int, cred_config_load(&c, "dev", &env, &err), 0));
    cr_assert(c.profile_explicit);
    cred_config_release(&c);
    unlink(cfg);
    unlink(cred);
    free(cfg);
    free(cred);
}

Test(config, expands_home_in_default_paths)
{
    const char *kv[] = { "HOME", "/nonexistent-home", NULL, NULL };
    struct cred_env env = { .getenv = fixed_env, .ctx = kv };
    struct cred_config c = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, cred_config_load(&c, NULL, &env, &err), 0));
    cr_assert(eq(str, c.config_path, "/nonexistent-home/.aws/config"));
    cr_assert(
        eq(str, c.credentials_path, "/nonexistent-home/.aws/credentials"));
    cred_config_release(&c);
}

/* ---- endpoint helpers ---- */

static void split_ok(const char *url, const char *host, const char *path)
{
    char *h = NULL;
    char *p = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, endpoint_url_split(url, &h, &p, &err), 0), "%s: %s", url,
              err.message);
    cr_assert(eq(str, h, (char *)host), "host of %s", url);
    cr_assert(eq(str, p, (char *)path), "path of %s", url);
    free(h);
    free(p);
}

static void split_fails(const char *url)
{
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, endpoint_url_split(url, NULL, NULL, &err), -1), "%s",
              url);
    cr_assert(eq(int, err.code, OAG_ERR_USAGE));
    oag_error_release(&err);
}

Test(endpoint, host_header_drops_default_ports_and_user_info)
{
    /* aws-conventions.md 6.8 */
    split_ok("http://127.0.0.1:5055", "127.0.0.1:5055", "/");
    split_ok("https://apigateway.us-east-1.amazonaws.com:443/restapis",
             "apigateway.us-east-1.amazonaws.com", "/restapis");
    split_ok("http://h:80/a?b=c", "h", "/a?b=c");
    split_ok("https://h:80", "h:80", "/");
    split_ok("HTTP://User:pw@Example.COM:8080/base", "example.com:8080",
             "/base");
    split_ok("http://[::1]:9000/x", "[::1]:9000", "/x");
    split_ok("https://[fd00:ec2::23]", "[fd00:ec2::23]", "/");
}

Test(endpoint, rejects_malformed_urls)
{
    split_fails("ftp://h");
    split_fails("h:80");
    split_fails("http://");
    split_fails("http://:80/");
    split_fails("http://h:8x0");
    split_fails("http://h:");
    split_fails("http://[::1");
    split_fails("http://h#frag");
    split_fails("http://a b/");
}

static void default_url(const char *region, bool fips, const char *want)
{
    char *url = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(
        eq(int,
           endpoint_default_url(&endpoint_apigateway, region, fips, &url, &err),
           0),
        "%s: %s", region, err.message);
    cr_assert(eq(str, url, (char *)want));
    free(url);
}

Test(endpoint, partition_hosts_follow_apigateway_md_6_1)
{
    default_url("us-east-1", false,
                "https://apigateway.us-east-1.amazonaws.com");
    default_url("cn-northwest-1", false,
                "https://apigateway.cn-northwest-1.amazonaws.com.cn");
    default_url("us-gov-east-1", false,
                "https://apigateway.us-gov-east-1.amazonaws.com");
    default_url("us-iso-east-1", false,
                "https://apigateway.us-iso-east-1.c2s.ic.gov");
    default_url("us-isob-east-1", false,
                "https://apigateway.us-isob-east-1.sc2s.sgov.gov");
    default_url("eu-isoe-west-1", false,
                "https://apigateway.eu-isoe-west-1.cloud.adc-e.uk");
    default_url("eusc-de-east-1", false,
                "https://apigateway.eusc-de-east-1.amazonaws.eu");
    const char *fips[] = { "us-east-1", "us-east-2",    "us-west-1",
                           "us-west-2", "ca-central-1", "ca-west-1" };
    for (size_t i = 0; i < sizeof(fips) / sizeof(fips[0]); i++) {
        char *want =
            xstrfmt("https://apigateway-fips.%s.amazonaws.com", fips[i]);
        default_url(fips[i], true, want);
        free(want);
    }
}

Test(endpoint, fips_is_an_error_outside_the_listed_regions)
{
    const char *no[] = { "eu-west-1", "cn-north-1", "ap-southeast-2" };
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        char *url = NULL;
        struct oag_error err = OAG_ERROR_INIT;
        cr_assert(eq(
            int,
            endpoint_default_url(&endpoint_apigateway, no[i], true, &url, &err),
            -1));
        cr_assert(url == NULL);
        oag_error_release(&err);
    }
}

Test(endpoint, sts_uses_its_own_host_and_variable)
{
    const char *kv[] = { "AWS_ENDPOINT_URL_STS",
                         "http://127.0.0.1:7000/",
                         "AWS_ENDPOINT_URL_API_GATEWAY",
                         "http://127.0.0.1:7001",
                         NULL,
                         NULL };
    struct cred_env env = { .getenv = fixed_env, .ctx = kv };
    char *url = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int,
                 endpoint_resolve(&endpoint_sts, NULL, false, "us-east-1", NULL,
                                  &env, &url, &err),
                 0));
    cr_assert(eq(str, url, "http://127.0.0.1:7000"));
    free(url);
    const char *none[] = { NULL, NULL };
    env.ctx = none;
    cr_assert(eq(int,
                 endpoint_resolve(&endpoint_sts, NULL, false, "eu-west-1", NULL,
                                  &env, &url, &err),
                 0));
    cr_assert(eq(str, url, "https://sts.eu-west-1.amazonaws.com"));
    free(url);
}

Test(endpoint, rejects_region_names_that_are_not_regions)
{
    const char *bad[] = { "US-EAST-1", "us east 1", "-us-east-1", "us-east-1/",
                          "us-east-1." };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *r = NULL;
        struct oag_error err = OAG_ERROR_INIT;
        cr_assert(
            eq(int, endpoint_region_resolve(bad[i], NULL, NULL, &r, &err), -1),
            "%s", bad[i]);
        cr_assert(eq(int, err.code, OAG_ERR_USAGE));
        oag_error_release(&err);
    }
}
