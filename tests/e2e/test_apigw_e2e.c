/*
 * End-to-end tests of the API Gateway client (aws/apigw.h over
 * aws/client.h) against moto, through tools/chaos_proxy.py.
 *
 * tools/with-moto exports OAG_MOTO_ENDPOINT; without it every test fails
 * (never skips).  Each test starts its own chaos proxy in front of that
 * moto (its counters and fault rules are per test; criterion runs tests in
 * parallel) and points the client at the proxy, which verifies every
 * SigV4 signature, paginates GetResources and injects the faults a test
 * asks for.  APIs are created with ImportRestApi under a name unique to
 * the test, so tests sharing one moto never see each other's state.
 *
 * Retries are fast and exact: the client's sleep is a counter (no real
 * wait), its random function returns 0.5, and delays are capped at tens
 * of milliseconds.  Only the pacing test waits for real.  Every test has
 * the same .timeout (criterion 2.4 leaks in its runner when parallel tests
 * differ).
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/apigw.h"
#include "aws/client.h"
#include "aws/http.h"
#include "tests/common.h"
#include "util/error.h"
#include "util/xalloc.h"

#define E2E_TIMEOUT 90

static bool has(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

/* ------------------------------------------------------------------ */
/* The chaos proxy                                                     */
/* ------------------------------------------------------------------ */

struct proxy {
    pid_t pid;
    int port;
    char *endpoint; /* owned: http://127.0.0.1:port */
};

static const char *moto_endpoint(void)
{
    const char *e = getenv("OAG_MOTO_ENDPOINT");
    cr_assert(e && *e, "OAG_MOTO_ENDPOINT is not set: run under "
                       "tools/with-moto");
    return e;
}

/* Starts tools/chaos_proxy.py with config (JSON) and reads "PORT=n". */
static void proxy_start(struct proxy *p, const char *config)
{
    char *script = test_source_path("tools/chaos_proxy.py");
    const char *upstream = moto_endpoint();
    int fds[2];
    cr_assert(pipe(fds) == 0);
    fflush(NULL);
    p->pid = fork();
    cr_assert(p->pid >= 0);
    if (p->pid == 0) {
        /* the proxy must not outlive a test killed by its timeout */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execlp("python3", "python3", script, "--upstream", upstream, "--config",
               config ? config : "{}", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[64] = { 0 };
    size_t n = 0;
    while (n + 1 < sizeof(line)) {
        ssize_t r = read(fds[0], line + n, 1);
        if (r <= 0 || line[n] == '\n') {
            break;
        }
        n++;
    }
    line[n] = '\0';
    close(fds[0]);
    cr_assert(strncmp(line, "PORT=", 5) == 0, "chaos proxy said '%s'", line);
    p->port = (int)strtol(line + 5, NULL, 10);
    p->endpoint = xstrfmt("http://127.0.0.1:%d", p->port);
    free(script);
}

static void proxy_stop(struct proxy *p)
{
    int status;
    kill(p->pid, SIGTERM);
    waitpid(p->pid, &status, 0);
    free(p->endpoint);
}

/* GET /__chaos/stats as JSON (caller decrefs). */
static json_t *proxy_stats(struct proxy *p)
{
    struct http_client *h = http_client_new(NULL, NULL);
    char *url = xstrfmt("%s/__chaos/stats", p->endpoint);
    struct http_request req = { "GET", url, NULL, 0, NULL, 0, 5000 };
    struct http_response resp = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, http_client_send(h, &req, &resp, &err), 0), "%s",
              err.message);
    cr_assert(eq(long, resp.status, 200));
    json_t *stats = json_loadb(resp.body.data, resp.body.len, 0, NULL);
    cr_assert(stats != NULL);
    http_response_release(&resp);
    http_client_free(h);
    free(url);
    return stats;
}

static long long stat_int(json_t *stats, const char *group, const char *key)
{
    json_t *v = group ? json_object_get(json_object_get(stats, group), key)
                      : json_object_get(stats, key);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* ------------------------------------------------------------------ */
/* The client                                                          */
/* ------------------------------------------------------------------ */

struct counted_sleep {
    long long slept_ms;
    unsigned sleeps;
};

static long long no_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

static void count_sleep(void *ctx, long long ms)
{
    struct counted_sleep *s = ctx;
    s->slept_ms += ms;
    s->sleeps++;
}

static double half(void *ctx)
{
    (void)ctx;
    return 0.5;
}

static time_t wall(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec; /* the proxy checks the skew against its clock */
}

/* Caps that keep failing tests fast (moto answers many errors with 500). */
static const struct retry_policy fast_policy = {
    .max_attempts = 3,
    .max_throttle_attempts = 6,
    .base_delay_ms = 10,
    .max_backoff_ms = 50,
    .max_retry_after_ms = 40,
    .max_limit_retry_after_ms = 20,
};

struct e2e {
    struct proxy proxy;
    struct aws_client *client;
    struct counted_sleep sleep;
};

static struct aws_client *make_client(struct e2e *e, bool pacing, FILE *trace)
{
    struct aws_client_options o = {
        .cred = { .endpoint_url = e->proxy.endpoint, .region = "us-east-1" },
        .http = { .timeout_ms = 30000, .trace = trace },
        .retry = fast_policy,
        .no_pacing = !pacing,
        .random = half,
        .now = wall,
    };
    if (!pacing) {
        o.clock = no_clock;
        o.sleep = count_sleep;
        o.clock_ctx = &e->sleep;
    }
    struct oag_error err = OAG_ERROR_INIT;
    struct aws_client *c = aws_client_new(&o, &err);
    cr_assert(c != NULL, "%s", err.message);
    return c;
}

static void e2e_start(struct e2e *e, const char *config)
{
    memset(e, 0, sizeof(*e));
    moto_endpoint();
    proxy_start(&e->proxy, config);
    e->client = make_client(e, false, NULL);
}

static void e2e_stop(struct e2e *e)
{
    aws_client_free(e->client);
    proxy_stop(&e->proxy);
}

/* ------------------------------------------------------------------ */
/* Test APIs                                                           */
/* ------------------------------------------------------------------ */

/* An operation with a mock integration and two integration responses. */
static json_t *mock_get(void)
{
    return json_pack(
        "{s:{s:{s:s}, s:{s:s}}, s:{s:s, s:s, s:s, s:{s:s}, s:{s:{s:s}, "
        "s:{s:s, s:{s:s}}}}}",
        "responses", "200", "description", "ok", "400", "description", "bad",
        "x-amazon-apigateway-integration", "type", "mock", "uri", "",
        "httpMethod", "GET", "requestTemplates", "application/json",
        "{\"statusCode\": 200}", "responses", "default", "statusCode", "200",
        "4\\d{2}", "statusCode", "400", "responseTemplates", "application/json",
        "{\"error\": true}");
}

/* An OpenAPI 3 document titled name with /pets and n_extra more paths. */
static char *openapi_doc(const char *name, int n_extra)
{
    json_t *paths = json_object();
    json_object_set_new(paths, "/pets", json_pack("{s:o}", "get", mock_get()));
    for (int i = 0; i < n_extra; i++) {
        char key[32];
        snprintf(key, sizeof(key), "/r%03d", i);
        json_object_set_new(paths, key, json_pack("{s:o}", "get", mock_get()));
    }
    json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:o}", "openapi", "3.0.1",
                            "info", "title", name, "description",
                            "oas2apigw e2e", "version", "1", "paths", paths);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

static char *unique_name(const char *what)
{
    return xstrfmt("oag-e2e-%s-%d", what, (int)getpid());
}

/* ImportRestApi of openapi_doc(name, n_extra); returns the new id. */
static char *import_api(struct e2e *e, const char *name, int n_extra)
{
    char *doc = openapi_doc(name, n_extra);
    json_t *api = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    int rc =
        apigw_import_rest_api(e->client, doc, strlen(doc), NULL, &api, &err);
    cr_assert(eq(int, rc, 0), "%s", err.message);
    const char *id = json_string_value(json_object_get(api, "id"));
    cr_assert(id != NULL);
    cr_assert(eq(str, (char *)json_string_value(json_object_get(api, "name")),
                 (char *)name));
    char *out = xstrdup(id);
    json_decref(api);
    free(doc);
    return out;
}

/* The id of the resource at path (caller frees). */
static char *resource_id(struct e2e *e, const char *api, const char *path)
{
    struct apigw_resources res = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, apigw_get_resources(e->client, api, &res, &err), 0), "%s",
              err.message);
    char *id = NULL;
    for (size_t i = 0; i < res.len; i++) {
        if (res.items[i].path && strcmp(res.items[i].path, path) == 0) {
            id = xstrdup(res.items[i].id);
        }
    }
    cr_assert(id != NULL, "no resource '%s'", path);
    apigw_resources_release(&res);
    return id;
}

/* ------------------------------------------------------------------ */
/* Every operation                                                     */
/* ------------------------------------------------------------------ */

Test(apigw_e2e, import_list_find_and_get_rest_apis, .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    e2e_start(&e, NULL);
    char *name = unique_name("list");
    char *api = import_api(&e, name, 0);
    struct oag_error err = OAG_ERROR_INIT;

    json_t *all = NULL;
    cr_assert(eq(int, apigw_get_rest_apis(e.client, &all, &err), 0), "%s",
              err.message);
    cr_assert(json_array_size(all) > 0);
    bool seen = false;
    size_t i;
    json_t *v;
    json_array_foreach (all, i, v) {
        seen |= strcmp(json_string_value(json_object_get(v, "id")), api) == 0;
    }
    cr_assert(seen, "GetRestApis does not list %s", api);
    json_decref(all);

    /* a second API of the same name: find returns both */
    char *api2 = import_api(&e, name, 0);
    json_t *found = NULL;
    cr_assert(
        eq(int, apigw_find_rest_apis_by_name(e.client, name, &found, &err), 0));
    cr_assert(eq(sz, json_array_size(found), 2));
    json_decref(found);
    cr_assert(
        eq(int,
           apigw_find_rest_apis_by_name(e.client, "no-such-api", &found, &err),
           0));
    cr_assert(eq(sz, json_array_size(found), 0));
    json_decref(found);

    json_t *one = NULL;
    cr_assert(eq(int, apigw_get_rest_api(e.client, api, &one, &err), 0));
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(one, "name")), name));
    json_decref(one);

    /*
     * a hostile id stays one segment: moto (werkzeug) decodes %2F and
     * finds no route (HTML 404), where an unencoded "../restapis" would
     * have been normalised to GetRestApis and answered 200
     */
    cr_assert(
        eq(int, apigw_get_rest_api(e.client, "../restapis", &one, &err), -1));
    cr_assert(eq(long, err.http_status, 404), "%s", err.message);
    cr_assert(eq(ptr, one, NULL));
    oag_error_release(&err);

    json_t *stats = proxy_stats(&e.proxy);
    cr_assert(eq(llong, stat_int(stats, NULL, "signature_failures"), 0));
    json_decref(stats);
    free(api);
    free(api2);
    free(name);
    e2e_stop(&e);
}

Test(apigw_e2e, resources_come_with_embedded_methods, .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    e2e_start(&e, NULL);
    char *name = unique_name("resources");
    char *api = import_api(&e, name, 2);
    struct apigw_resources res = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, apigw_get_resources(e.client, api, &res, &err), 0), "%s",
              err.message);
    cr_assert(eq(sz, res.len, 4), "/, /pets, /r000, /r001");
    const struct apigw_resource *pets = NULL;
    const struct apigw_resource *root = NULL;
    for (size_t i = 0; i < res.len; i++) {
        if (strcmp(res.items[i].path, "/pets") == 0) {
            pets = &res.items[i];
        }
        if (strcmp(res.items[i].path, "/") == 0) {
            root = &res.items[i];
        }
    }
    cr_assert(pets && root);
    cr_assert(eq(ptr, root->parent_id, NULL));
    cr_assert(eq(str, pets->parent_id, root->id));
    cr_assert(eq(str, pets->path_part, "pets"));
    json_t *get = json_object_get(pets->resource_methods, "GET");
    json_t *irs = json_object_get(json_object_get(get, "methodIntegration"),
                                  "integrationResponses");
    cr_assert(json_object_size(irs) > 0, "methods are embedded");
    cr_assert(eq(sz, json_object_size(irs), 2));

    json_t *method = NULL;
    cr_assert(
        eq(int, apigw_get_method(e.client, api, pets->id, "GET", &method, &err),
           0));
    cr_assert(eq(
        str, (char *)json_string_value(json_object_get(method, "httpMethod")),
        "GET"));
    json_decref(method);
    apigw_resources_release(&res);
    free(api);
    free(name);
    e2e_stop(&e);
}

Test(apigw_e2e, method_and_integration_responses_round_trip,
     .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    e2e_start(&e, NULL);
    char *name = unique_name("responses");
    char *api = import_api(&e, name, 0);
    char *res = resource_id(&e, api, "/pets");
    struct oag_error err = OAG_ERROR_INIT;

    json_t *params = json_pack("{s:b}", "method.response.header.X-Req", 0);
    json_t *mr = NULL;
    cr_assert(eq(int,
                 apigw_put_method_response(e.client, api, res, "GET", "201",
                                           params, NULL, &mr, &err),
                 0),
              "%s", err.message);
    cr_assert(eq(str,
                 (char *)json_string_value(json_object_get(mr, "statusCode")),
                 "201"));
    json_decref(mr);
    json_decref(params);

    json_t *rp = json_pack("{s:s}", "method.response.header.X-Req", "'v'");
    json_t *rt = json_pack("{s:s}", "application/json", "#set($x = 1)");
    json_t *ir = NULL;
    cr_assert(eq(int,
                 apigw_put_integration_response(e.client, api, res, "GET",
                                                "201", "2\\d{2}", rp, rt,
                                                "CONVERT_TO_TEXT", &ir, &err),
                 0),
              "%s", err.message);
    json_decref(ir);
    cr_assert(eq(sz, (size_t)rp->refcount, 1), "borrowed, not kept");

    cr_assert(eq(int,
                 apigw_get_integration_response(e.client, api, res, "GET",
                                                "201", &ir, &err),
                 0));
    cr_assert(eq(
        str, (char *)json_string_value(json_object_get(ir, "selectionPattern")),
        "2\\d{2}"));
    cr_assert(eq(
        str, (char *)json_string_value(json_object_get(ir, "contentHandling")),
        "CONVERT_TO_TEXT"));
    cr_assert(json_equal(json_object_get(ir, "responseParameters"), rp));
    cr_assert(json_equal(json_object_get(ir, "responseTemplates"), rt));
    json_decref(ir);

    /* the default response: no selectionPattern member is sent */
    cr_assert(
        eq(int,
           apigw_put_integration_response(e.client, api, res, "GET", "201",
                                          NULL, NULL, NULL, NULL, &ir, &err),
           0));
    cr_assert(eq(ptr, json_object_get(ir, "selectionPattern"), NULL));
    json_decref(ir);

    cr_assert(eq(int,
                 apigw_delete_integration_response(e.client, api, res, "GET",
                                                   "201", &err),
                 0),
              "%s", err.message);
    cr_assert(eq(int,
                 apigw_get_integration_response(e.client, api, res, "GET",
                                                "201", &ir, &err),
                 -1));
    cr_assert(eq(long, err.http_status, 404), "%s", err.message);
    oag_error_release(&err);

    /* UpdateMethodResponse: moto 5.2.1 does not implement PATCH (500,
     * apigateway.md 10); the request itself must reach moto signed */
    json_t *ops = json_pack("[{s:s, s:s, s:s}]", "op", "replace", "path",
                            "/responseParameters/method.response.header."
                            "X-Req",
                            "value", "true");
    int rc = apigw_update_method_response(e.client, api, res, "GET", "201", ops,
                                          &mr, &err);
    if (rc != 0) {
        cr_assert(eq(long, err.http_status, 500), "%s", err.message);
    }
    json_decref(mr);
    json_decref(ops);
    oag_error_release(&err);
    json_t *stats = proxy_stats(&e.proxy);
    cr_assert(
        ge(llong, stat_int(stats, "forwarded", "UpdateMethodResponse"), 1));
    cr_assert(eq(llong, stat_int(stats, NULL, "signature_failures"), 0));
    json_decref(stats);

    json_decref(rp);
    json_decref(rt);
    free(res);
    free(api);
    free(name);
    e2e_stop(&e);
}

Test(apigw_e2e, put_rest_api_deploy_and_export, .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    e2e_start(&e, NULL);
    char *name = unique_name("put");
    char *api = import_api(&e, name, 0);
    struct oag_error err = OAG_ERROR_INIT;

    char *doc = openapi_doc(name, 3);
    struct apigw_import_options o = { .mode = APIGW_PUT_OVERWRITE,
                                      .ignore_documentation = true,
                                      .basepath = "ignore" };
    json_t *out = NULL;
    cr_assert(
        eq(int,
           apigw_put_rest_api(e.client, api, doc, strlen(doc), &o, &out, &err),
           0),
        "%s", err.message);
    cr_assert(
        eq(str, (char *)json_string_value(json_object_get(out, "id")), api));
    json_decref(out);
    free(doc);
    char *r2 = resource_id(&e, api, "/r002");
    free(r2);

    json_t *dep = NULL;
    cr_assert(eq(int,
                 apigw_create_deployment(e.client, api, "test",
                                         "e2e deployment", &dep, &err),
                 0),
              "%s", err.message);
    cr_assert(json_string_value(json_object_get(dep, "id")) != NULL);
    json_decref(dep);

    struct buf exported = BUF_INIT;
    cr_assert(eq(int,
                 apigw_get_export(e.client, api, "test", "oas30",
                                  "integrations", false, &exported, &err),
                 0),
              "%s", err.message);
    json_t *x = json_loadb(exported.data, exported.len, 0, NULL);
    cr_assert(x != NULL, "export is JSON");
    cr_assert(json_object_get(x, "paths") != NULL);
    json_decref(x);
    cr_assert(eq(int,
                 apigw_get_export(e.client, api, "test", "swagger", NULL, true,
                                  &exported, &err),
                 0));
    cr_assert(gt(sz, exported.len, 0));
    buf_release(&exported);

    /* an unknown export type is the service's error, reported as such */
    cr_assert(eq(int,
                 apigw_get_export(e.client, api, "test", "bogus", NULL, false,
                                  &exported, &err),
                 -1));
    cr_assert(eq(str, err.aws_code, "BadRequestException"));
    cr_assert(eq(ulong, aws_client_stats(e.client)->retries, 0));
    oag_error_release(&err);
    free(api);
    free(name);
    e2e_stop(&e);
}

/* ------------------------------------------------------------------ */
/* Pagination                                                          */
/* ------------------------------------------------------------------ */

Test(apigw_e2e, get_resources_follows_position_across_pages,
     .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    /* limit=500 is what the client asks for: 520 paths need two pages */
    e2e_start(&e, NULL);
    char *name = unique_name("pages");
    char *api = import_api(&e, name, 519);
    json_t *before = proxy_stats(&e.proxy);
    long long pages0 = stat_int(before, "operations", "GetResources");
    json_decref(before);

    struct apigw_resources res = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, apigw_get_resources(e.client, api, &res, &err), 0), "%s",
              err.message);
    cr_assert(eq(sz, res.len, 521), "root, /pets and 519 more");
    for (size_t i = 1; i < res.len; i++) {
        for (size_t j = 0; j < i; j++) {
            cr_assert(strcmp(res.items[i].id, res.items[j].id) != 0,
                      "resource %s twice", res.items[i].id);
        }
    }
    json_t *stats = proxy_stats(&e.proxy);
    /* two signed pages; the position token (with + / =) was encoded */
    cr_assert(
        eq(llong, stat_int(stats, "operations", "GetResources") - pages0, 2));
    cr_assert(eq(llong, stat_int(stats, NULL, "signature_failures"), 0));
    json_decref(stats);
    apigw_resources_release(&res);
    free(api);
    free(name);
    e2e_stop(&e);
}

/* ------------------------------------------------------------------ */
/* Faults and retries                                                  */
/* ------------------------------------------------------------------ */

Test(apigw_e2e, throttling_storm_ends_in_success_after_the_policy_attempts,
     .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    /* GetRestApi matches 1, 2, 4, 7, 8, 9, 10 are throttled (Retry-After 1) */
    e2e_start(&e, "{\"faults\": [{\"operation\": \"GetRestApi\", "
                  "\"action\": \"throttle\", "
                  "\"nth\": [1, 2, 4, 7, 8, 9, 10]}]}");
    char *name = unique_name("storm");
    char *api = import_api(&e, name, 0);
    aws_client_stats_reset(e.client);
    e.sleep = (struct counted_sleep){ 0, 0 };
    struct oag_error err = OAG_ERROR_INIT;
    for (int call = 0; call < 4; call++) {
        json_t *v = NULL;
        cr_assert(eq(int, apigw_get_rest_api(e.client, api, &v, &err), 0),
                  "call %d: %s", call, err.message);
        json_decref(v);
    }
    /*
     * call 1: T T ok (3 attempts), call 2: T ok (2), call 3: ok (1),
     * call 4: T T T T ok (5) - within max_throttle_attempts 6.
     */
    const struct aws_client_stats *s = aws_client_stats(e.client);
    cr_assert(eq(ulong, s->calls, 4));
    cr_assert(eq(ulong, s->attempts, 11));
    cr_assert(eq(ulong, s->retries, 7));
    cr_assert(eq(ulong, s->throttled, 7));
    /*
     * each wait is max(0.5 * min(10 * 2^(n-1), 50), min(1000, 40)) = 40
     * until the backoff passes 40: never with a cap of 50 * 0.5 = 25.
     */
    cr_assert(eq(llong, s->retry_sleep_ms, 7 * 40));
    cr_assert(eq(llong, e.sleep.slept_ms, 7 * 40));
    json_t *stats = proxy_stats(&e.proxy);
    cr_assert(eq(llong, stat_int(stats, "operations", "GetRestApi"), 11));
    cr_assert(eq(llong, stat_int(stats, NULL, "status_429"), 7));
    json_decref(stats);
    free(api);
    free(name);
    e2e_stop(&e);
}

Test(apigw_e2e, endless_throttling_gives_up_after_max_throttle_attempts,
     .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    e2e_start(&e, "{\"faults\": [{\"operation\": \"GetRestApi\", "
                  "\"action\": \"throttle\"}]}");
    struct oag_error err = OAG_ERROR_INIT;
    json_t *v = NULL;
    cr_assert(eq(int, apigw_get_rest_api(e.client, "abc", &v, &err), -1));
    cr_assert(eq(str, err.aws_code, "TooManyRequestsException"));
    cr_assert(has(err.message, "(after 6 attempts)"), "%s", err.message);
    cr_assert(err.retryable);
    json_t *stats = proxy_stats(&e.proxy);
    cr_assert(eq(llong, stat_int(stats, "operations", "GetRestApi"), 6));
    json_decref(stats);
    oag_error_release(&err);
    e2e_stop(&e);
}

Test(apigw_e2e, hard_limit_exceeded_is_not_retried, .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    e2e_start(&e, "{\"faults\": [{\"operation\": \"PutRestApi\", "
                  "\"action\": \"limit\"}]}");
    char *name = unique_name("limit");
    char *api = import_api(&e, name, 0);
    char *doc = openapi_doc(name, 1);
    struct oag_error err = OAG_ERROR_INIT;
    aws_client_stats_reset(e.client);
    cr_assert(eq(
        int,
        apigw_put_rest_api(e.client, api, doc, strlen(doc), NULL, NULL, &err),
        -1));
    cr_assert(eq(int, err.code, OAG_ERR_AWS));
    cr_assert(eq(str, err.aws_code, "LimitExceededException"));
    cr_assert(eq(long, err.http_status, 429));
    cr_assert(not(err.retryable));
    cr_assert(not(has(err.message, "attempts")), "%s", err.message);
    cr_assert(eq(ulong, aws_client_stats(e.client)->attempts, 1));
    json_t *stats = proxy_stats(&e.proxy);
    cr_assert(eq(llong, stat_int(stats, "operations", "PutRestApi"), 1));
    cr_assert(eq(llong, stat_int(stats, "forwarded", "PutRestApi"), 0));
    json_decref(stats);
    oag_error_release(&err);
    free(doc);
    free(api);
    free(name);
    e2e_stop(&e);
}

Test(apigw_e2e, limit_exceeded_with_retry_after_is_retried,
     .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    e2e_start(&e, "{\"faults\": [{\"operation\": \"PutRestApi\", "
                  "\"action\": \"limit\", \"retry_after\": 1, "
                  "\"count\": 1}]}");
    char *name = unique_name("limitra");
    char *api = import_api(&e, name, 0);
    char *doc = openapi_doc(name, 1);
    struct oag_error err = OAG_ERROR_INIT;
    aws_client_stats_reset(e.client);
    e.sleep = (struct counted_sleep){ 0, 0 };
    cr_assert(eq(int,
                 apigw_put_rest_api(e.client, api, doc, strlen(doc), NULL, NULL,
                                    &err),
                 0),
              "%s", err.message);
    cr_assert(eq(ulong, aws_client_stats(e.client)->attempts, 2));
    /* min(max(5, 1000), 20): the small LimitExceeded cap */
    cr_assert(eq(llong, e.sleep.slept_ms, 20));
    free(doc);
    free(api);
    free(name);
    e2e_stop(&e);
}

Test(apigw_e2e, concurrent_modification_is_retried_already_exists_is_not,
     .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    e2e_start(&e, "{\"faults\": ["
                  "{\"name\": \"cm\", \"operation\": "
                  "\"PutIntegrationResponse\", \"action\": \"conflict\", "
                  "\"nth\": [1]},"
                  "{\"name\": \"exists\", \"operation\": "
                  "\"PutIntegrationResponse\", \"action\": \"status\", "
                  "\"status\": 409, \"error_type\": \"ConflictException\", "
                  "\"message\": \"Integration response with selection "
                  "pattern default already exists\", \"nth\": [3]}]}");
    char *name = unique_name("conflict");
    char *api = import_api(&e, name, 0);
    char *res = resource_id(&e, api, "/pets");
    struct oag_error err = OAG_ERROR_INIT;
    aws_client_stats_reset(e.client);

    /* matches 1 (409, retried) and 2 (201) */
    cr_assert(
        eq(int,
           apigw_put_integration_response(e.client, api, res, "GET", "200",
                                          NULL, NULL, NULL, NULL, NULL, &err),
           0),
        "%s", err.message);
    cr_assert(eq(ulong, aws_client_stats(e.client)->attempts, 2));
    /* match 3: permanent */
    cr_assert(
        eq(int,
           apigw_put_integration_response(e.client, api, res, "GET", "200",
                                          NULL, NULL, NULL, NULL, NULL, &err),
           -1));
    cr_assert(eq(str, err.aws_code, "ConflictException"));
    cr_assert(has(err.message, "already exists"), "%s", err.message);
    cr_assert(not(err.retryable));
    cr_assert(eq(ulong, aws_client_stats(e.client)->attempts, 3));

    json_t *stats = proxy_stats(&e.proxy);
    cr_assert(
        eq(llong, stat_int(stats, "operations", "PutIntegrationResponse"), 3));
    cr_assert(
        eq(llong, stat_int(stats, "forwarded", "PutIntegrationResponse"), 1));
    json_decref(stats);
    oag_error_release(&err);
    free(res);
    free(api);
    free(name);
    e2e_stop(&e);
}

Test(apigw_e2e, reset_connections_are_retried, .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    /* a reset before moto sees GetResources, and one after moto applied a
     * PutIntegrationResponse (PUT is idempotent: the retry converges) */
    e2e_start(&e, "{\"faults\": ["
                  "{\"operation\": \"GetResources\", \"action\": \"reset\", "
                  "\"nth\": [1]},"
                  "{\"operation\": \"PutIntegrationResponse\", "
                  "\"action\": \"reset\", \"phase\": \"after\", "
                  "\"nth\": [1]}]}");
    char *name = unique_name("reset");
    char *api = import_api(&e, name, 0);
    aws_client_stats_reset(e.client);
    char *res = resource_id(&e, api, "/pets");
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(
        eq(int,
           apigw_put_integration_response(e.client, api, res, "GET", "200",
                                          "2..", NULL, NULL, NULL, NULL, &err),
           0),
        "%s", err.message);
    json_t *stats = proxy_stats(&e.proxy);
    cr_assert(eq(llong, stat_int(stats, NULL, "resets"), 2));
    cr_assert(eq(llong, stat_int(stats, "operations", "GetResources"), 2));
    cr_assert(
        eq(llong, stat_int(stats, "operations", "PutIntegrationResponse"), 2));
    cr_assert(
        eq(llong, stat_int(stats, "forwarded", "PutIntegrationResponse"), 2));
    /*
     * A reset on a reused keep-alive connection before any answer byte is
     * retried once by libcurl itself on a fresh connection (it cannot be
     * turned off), so the client may count fewer attempts than the proxy
     * saw requests; never more.
     */
    const struct aws_client_stats *s = aws_client_stats(e.client);
    cr_assert(ge(ulong, s->attempts, 2));
    cr_assert(le(ulong, s->attempts, 4));
    json_decref(stats);
    free(res);
    free(api);
    free(name);
    e2e_stop(&e);
}

/* ------------------------------------------------------------------ */
/* Credentials, signatures and the trace                               */
/* ------------------------------------------------------------------ */

Test(apigw_e2e, a_wrong_secret_is_a_clear_auth_error, .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    setenv("AWS_ACCESS_KEY_ID", "testing", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "not-the-right-secret-value", 1);
    unsetenv("AWS_SESSION_TOKEN");
    e2e_start(&e, NULL);
    struct oag_error err = OAG_ERROR_INIT;
    json_t *v = NULL;
    cr_assert(eq(int, apigw_get_rest_apis(e.client, &v, &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_AUTH), "%s", err.message);
    cr_assert(eq(long, err.http_status, 403));
    cr_assert(eq(str, err.aws_code, "InvalidSignatureException"));
    cr_assert(has(err.message, "'GetRestApis' failed: "
                               "InvalidSignatureException (HTTP 403): The "
                               "request signature we calculated does not "
                               "match"),
              "%s", err.message);
    cr_assert(has(err.message, "(credentials from "), "%s", err.message);
    cr_assert(not(has(err.message, "not-the-right-secret-value")));
    cr_assert(eq(ulong, aws_client_stats(e.client)->attempts, 1));
    json_t *stats = proxy_stats(&e.proxy);
    cr_assert(eq(llong, stat_int(stats, NULL, "signature_failures"), 1));
    json_decref(stats);
    oag_error_release(&err);
    e2e_stop(&e);
}

Test(apigw_e2e, debug_trace_contains_no_secret, .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    setenv("AWS_ACCESS_KEY_ID", "AKIDTRACEEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "TraceSecretValue0123456789", 1);
    setenv("AWS_SESSION_TOKEN", "TraceSessionTokenValue9876", 1);
    memset(&e, 0, sizeof(e));
    proxy_start(&e.proxy, "{\"credentials\": {\"AKIDTRACEEXAMPLE\": "
                          "\"TraceSecretValue0123456789\"}}");
    char *trace_path = test_write_temp("", 0, ".trace");
    FILE *trace = fopen(trace_path, "w");
    e.client = make_client(&e, false, trace);
    char *name = unique_name("trace");
    char *api = import_api(&e, name, 0);
    char *res = resource_id(&e, api, "/pets");
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(
        eq(int,
           apigw_put_integration_response(e.client, api, res, "GET", "200",
                                          NULL, NULL, NULL, NULL, NULL, &err),
           0),
        "%s", err.message);
    aws_client_free(e.client);
    e.client = NULL;
    fclose(trace);

    char *t = test_read_file(trace_path, NULL);
    cr_assert(t != NULL);
    cr_assert(has(t, "> Authorization: [redacted]"), "%s", t);
    cr_assert(has(t, "> X-Amz-Security-Token: [redacted]"), "%s", t);
    cr_assert(has(t, "> PUT /restapis/"), "%s", t);
    cr_assert(has(t, "* oas2apigw: PutIntegrationResponse attempt 1"));
    /* one easy handle: later calls reuse the keep-alive connection */
    cr_assert(has(t, "Re-using existing connection"), "%s", t);
    cr_assert(not(has(t, "TraceSecretValue0123456789")));
    cr_assert(not(has(t, "TraceSessionTokenValue9876")));
    cr_assert(not(has(t, "Signature=")));
    free(t);
    unlink(trace_path);
    free(trace_path);
    free(res);
    free(api);
    free(name);
    proxy_stop(&e.proxy);
}

static void proxy_post(struct proxy *p, const char *what, const char *json)
{
    struct http_client *h = http_client_new(NULL, NULL);
    char *url = xstrfmt("%s/__chaos/%s", p->endpoint, what);
    struct http_request req = {
        "POST", url, NULL, 0, json, strlen(json), 5000
    };
    struct http_response resp = { 0 };
    cr_assert(eq(int, http_client_send(h, &req, &resp, NULL), 0));
    cr_assert(eq(long, resp.status, 200), "%s", resp.body.data);
    http_response_release(&resp);
    http_client_free(h);
    free(url);
}

Test(apigw_e2e, client_pacing_keeps_under_aws_quotas, .timeout = E2E_TIMEOUT)
{
    struct e2e e;
    e2e_start(&e, NULL);
    char *name = unique_name("pacing");
    char *api = import_api(&e, name, 0);
    struct oag_error err = OAG_ERROR_INIT;

    /*
     * GetResources at AWS's 5 per 2 s, with one token of slack for the
     * latency of the first request (the proxy's bucket starts when it sees
     * a request, the client's when it sends it).
     */
    proxy_post(&e.proxy, "config",
               "{\"throttle\": {\"retry_after\": 1, \"operations\": "
               "{\"GetResources\": {\"rate\": 2.5, \"burst\": 6}}}}");

    /* without pacing, 8 calls in a row get throttled */
    for (int i = 0; i < 8; i++) {
        struct apigw_resources res = { 0 };
        apigw_get_resources(e.client, api, &res, &err);
        apigw_resources_release(&res);
        oag_error_release(&err);
    }
    json_t *stats = proxy_stats(&e.proxy);
    cr_assert(gt(llong, stat_int(stats, NULL, "throttled"), 0));
    json_decref(stats);
    aws_client_free(e.client);

    /* with the client's default pacing (real clock and sleep), none are */
    proxy_post(&e.proxy, "reset", "{}");
    struct timespec t0;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    e.client = make_client(&e, true, NULL);
    for (int i = 0; i < 8; i++) {
        struct apigw_resources res = { 0 };
        cr_assert(eq(int, apigw_get_resources(e.client, api, &res, &err), 0),
                  "%s", err.message);
        apigw_resources_release(&res);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const struct aws_client_stats *s = aws_client_stats(e.client);
    cr_assert(eq(ulong, s->retries, 0));
    /* calls 6 to 8 had to wait for tokens: 3 * 400 ms after the start */
    long long elapsed_ms =
        (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    cr_assert(ge(llong, elapsed_ms, 1199), "8 calls took %lld ms", elapsed_ms);
    stats = proxy_stats(&e.proxy);
    cr_assert(eq(llong, stat_int(stats, NULL, "throttled"), 0));
    json_decref(stats);
    free(api);
    free(name);
    e2e_stop(&e);
}
