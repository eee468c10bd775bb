/*
 * API Gateway operations (apigw.h) over aws_client_call.
 *
 * Each operation is a row of the table below: its name (for pacing and
 * messages), method and URI template, copied from the service model
 * (apigateway-service-2.json "http" blocks; ImportRestApi's "?mode=import"
 * goes into the query).  Path parameters are expanded into single encoded
 * segments; JSON bodies are built with jansson and sent with
 * Content-Type: application/json ("{}" when empty); JSON answers are
 * parsed with jansson and handed to the caller.
 */
#include "aws/apigw.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "aws/apigw_internal.h"
#include "aws/client.h"
#include "aws/sigv4.h"
#include "model/igr.h"
#include "util/error.h"
#include "util/xalloc.h"

#define PAGE_LIMIT "500"
#define MAX_PAGES 10000

struct route {
    const char *operation;
    const char *method;
    const char *uri;
};

#define METHOD_URI                                   \
    "/restapis/{restapi_id}/resources/{resource_id}" \
    "/methods/{http_method}"

static const struct route routes[] = {
    { "CreateDeployment", "POST", "/restapis/{restapi_id}/deployments" },
    { "DeleteIntegrationResponse", "DELETE",
      METHOD_URI "/integration/responses/{status_code}" },
    { "GetExport", "GET",
      "/restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}" },
    { "GetIntegrationResponse", "GET",
      METHOD_URI "/integration/responses/{status_code}" },
    { "GetMethod", "GET", METHOD_URI },
    { "GetResources", "GET", "/restapis/{restapi_id}/resources" },
    { "GetRestApi", "GET", "/restapis/{restapi_id}" },
    { "GetRestApis", "GET", "/restapis" },
    { "ImportRestApi", "POST", "/restapis" },
    { "PutIntegrationResponse", "PUT",
      METHOD_URI "/integration/responses/{status_code}" },
    { "PutMethodResponse", "PUT", METHOD_URI "/responses/{status_code}" },
    { "PutRestApi", "PUT", "/restapis/{restapi_id}" },
    { "UpdateMethodResponse", "PATCH", METHOD_URI "/responses/{status_code}" },
};

static const struct route *find_route(const char *operation)
{
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (strcmp(routes[i].operation, operation) == 0) {
            return &routes[i];
        }
    }
    return NULL;
}

bool apigw_operation_route(const char *operation, const char **out_method,
                           const char **out_uri)
{
    const struct route *r = find_route(operation);
    if (!r) {
        return false;
    }
    *out_method = r->method;
    *out_uri = r->uri;
    return true;
}

int apigw_path_expand(const char *tmpl, const char *const *values,
                      size_t n_values, struct buf *out, struct oag_error *err)
{
    size_t used = 0;
    const char *p = tmpl;
    while (*p) {
        if (*p != '{') {
            buf_addch(out, *p++);
            continue;
        }
        const char *close = strchr(p, '}');
        if (!close) {
            return oag_error_set(err, OAG_ERR_INTERNAL,
                                 "URI template '%s' is malformed", tmpl);
        }
        int name_len = (int)(close - p - 1);
        if (used == n_values) {
            return oag_error_set(err, OAG_ERR_INTERNAL,
                                 "URI template '%s' needs more values", tmpl);
        }
        const char *v = values[used++];
        if (!v || !*v) {
            return oag_error_set(err, OAG_ERR_INVALID, "'%.*s' is empty",
                                 name_len, p + 1);
        }
        /*
         * One segment, whatever the value holds: '/' is encoded, and dot
         * segments, which a path normaliser (or SigV4's canonical URI)
         * would remove, are written with '.' encoded.
         */
        if (strcmp(v, ".") == 0) {
            buf_adds(out, "%2E");
        } else if (strcmp(v, "..") == 0) {
            buf_adds(out, "%2E%2E");
        } else {
            sigv4_uri_encode(out, v, strlen(v), true);
        }
        p = close + 1;
    }
    if (used != n_values) {
        return oag_error_set(err, OAG_ERR_INTERNAL,
                             "URI template '%s' takes %zu values, not %zu",
                             tmpl, used, n_values);
    }
    return 0;
}

/* ---- calling ---- */

struct request {
    const char *operation;
    const char *const *path_values;
    size_t n_path_values;
    const struct aws_query_param *query;
    size_t n_query;
    const struct http_header *headers;
    size_t n_headers;
    enum aws_body_kind body_kind;
    const void *body;
    size_t body_len;
    const char *content_type;
};

static int send_request(struct aws_client *client, const struct request *r,
                        struct http_response *resp, struct oag_error *err)
{
    const struct route *route = find_route(r->operation);
    struct buf path = BUF_INIT;
    int rc;
    if (!route) {
        OAG_BUG("no route for operation '%s'", r->operation);
    }
    rc = apigw_path_expand(route->uri, r->path_values, r->n_path_values, &path,
                           err);
    if (rc != 0) {
        oag_error_wrap(err, "%s", r->operation);
        goto out;
    }
    struct aws_call call = {
        .operation = r->operation,
        .method = route->method,
        .path = buf_str(&path),
        .query = r->query,
        .n_query = r->n_query,
        .headers = r->headers,
        .n_headers = r->n_headers,
        .body_kind = r->body_kind,
        .body = r->body,
        .body_len = r->body_len,
        .content_type = r->content_type,
    };
    rc = aws_client_call(client, &call, resp, err);
out:
    buf_release(&path);
    return rc;
}

/* Parses a 2xx body as JSON (an empty body reads as {}). */
static int parse_json(const char *operation, const struct http_response *resp,
                      json_t **out, struct oag_error *err)
{
    json_error_t jerr;
    json_t *v;
    if (resp->body.len == 0) {
        v = json_object();
    } else {
        v = json_loadb(resp->body.data, resp->body.len, 0, &jerr);
        if (!v) {
            return oag_error_set(err, OAG_ERR_AWS,
                                 "cannot parse the answer to '%s': %d:%d: %s",
                                 operation, jerr.line, jerr.column, jerr.text);
        }
    }
    *out = v;
    return 0;
}

/* Sends r and parses its answer into *out (when out is non-NULL). */
static int call_json(struct aws_client *client, const struct request *r,
                     json_t **out, struct oag_error *err)
{
    struct http_response resp = { 0 };
    json_t *v = NULL;
    int rc;
    if (out) {
        *out = NULL;
    }
    rc = send_request(client, r, &resp, err);
    if (rc == 0 && out) {
        rc = parse_json(r->operation, &resp, &v, err);
        if (rc == 0) {
            *out = v;
        }
    }
    http_response_release(&resp);
    return rc;
}

/* A JSON request body from obj (borrowed), for r. */
static void set_json_body(struct request *r, json_t *obj, char **owned)
{
    *owned = json_dumps(obj, JSON_COMPACT);
    r->body_kind = AWS_BODY_JSON;
    r->body = *owned;
    r->body_len = *owned ? strlen(*owned) : 0;
}

/* ---- RestApis ---- */

static int require_object(const char *operation, json_t *v, const char *what,
                          struct oag_error *err)
{
    if (!json_is_object(v)) {
        return oag_error_set(err, OAG_ERR_AWS,
                             "the answer to '%s' has no %s object", operation,
                             what);
    }
    return 0;
}

int apigw_page_parse(const char *operation, const char *body, size_t len,
                     const char *position, json_t *items, char **out_next,
                     struct oag_error *err)
{
    *out_next = NULL;
    json_t *doc = NULL;
    struct http_response resp = { 0 };
    resp.body.data = (char *)body; /* borrowed: parse_json only reads */
    resp.body.len = len;
    if (parse_json(operation, &resp, &doc, err) != 0) {
        return -1;
    }
    int rc = 0;
    json_t *page_items = json_object_get(doc, "item");
    if (!json_is_object(doc)) {
        rc =
            oag_error_set(err, OAG_ERR_AWS,
                          "the answer to '%s' is not a JSON object", operation);
    } else if (page_items && !json_is_array(page_items)) {
        rc = oag_error_set(err, OAG_ERR_AWS,
                           "the answer to '%s' has an 'item' member "
                           "that is not an array",
                           operation);
    } else {
        if (page_items) {
            json_array_extend(items, page_items);
        }
        const char *next = json_string_value(json_object_get(doc, "position"));
        if (next && *next && position && strcmp(position, next) == 0) {
            rc = oag_error_set(err, OAG_ERR_AWS,
                               "'%s' returned the same position twice",
                               operation);
        } else if (next && *next) {
            *out_next = xstrdup(next);
        }
    }
    json_decref(doc);
    return rc;
}

/*
 * Follows "position" for a paged list operation, appending each page's
 * "item" array to items.  extra are the operation's other query members.
 */
static int get_all_pages(struct aws_client *client, const char *operation,
                         const char *const *path_values, size_t n_path_values,
                         const struct aws_query_param *extra, size_t n_extra,
                         json_t *items, struct oag_error *err)
{
    char *position = NULL;
    int rc = 0;
    for (unsigned page = 0;; page++) {
        struct aws_query_param query[4];
        size_t n = 0;
        for (size_t i = 0; i < n_extra && n < 3; i++) {
            query[n++] = extra[i];
        }
        if (position) {
            query[n].name = "position";
            query[n++].value = position;
        }
        struct request r = { .operation = operation,
                             .path_values = path_values,
                             .n_path_values = n_path_values,
                             .query = query,
                             .n_query = n };
        struct http_response resp = { 0 };
        char *next = NULL;
        rc = send_request(client, &r, &resp, err);
        if (rc == 0) {
            rc = apigw_page_parse(operation, resp.body.data, resp.body.len,
                                  position, items, &next, err);
        }
        http_response_release(&resp);
        if (rc != 0 || !next) {
            break;
        }
        if (page + 1 >= MAX_PAGES) {
            free(next);
            rc = oag_error_set(err, OAG_ERR_AWS,
                               "'%s' returned more than %d pages", operation,
                               MAX_PAGES);
            break;
        }
        free(position);
        position = next;
    }
    free(position);
    return rc;
}

int apigw_get_rest_apis(struct aws_client *client, json_t **out,
                        struct oag_error *err)
{
    static const struct aws_query_param limit[] = { { "limit", PAGE_LIMIT } };
    json_t *items = json_array();
    *out = NULL;
    if (get_all_pages(client, "GetRestApis", NULL, 0, limit, 1, items, err) !=
        0) {
        json_decref(items);
        return -1;
    }
    *out = items;
    return 0;
}

int apigw_find_rest_apis_by_name(struct aws_client *client, const char *name,
                                 json_t **out, struct oag_error *err)
{
    json_t *all = NULL;
    *out = NULL;
    if (apigw_get_rest_apis(client, &all, err) != 0) {
        return -1;
    }
    json_t *matches = json_array();
    size_t i;
    json_t *api;
    json_array_foreach (all, i, api) {
        const char *n = json_string_value(json_object_get(api, "name"));
        if (n && strcmp(n, name) == 0) {
            json_array_append(matches, api);
        }
    }
    json_decref(all);
    *out = matches;
    return 0;
}

int apigw_get_rest_api(struct aws_client *client, const char *rest_api_id,
                       json_t **out, struct oag_error *err)
{
    const char *path[] = { rest_api_id };
    struct request r = { .operation = "GetRestApi",
                         .path_values = path,
                         .n_path_values = 1 };
    return call_json(client, &r, out, err);
}

/* ---- Resources ---- */

void apigw_resources_release(struct apigw_resources *res)
{
    if (!res) {
        return;
    }
    for (size_t i = 0; i < res->len; i++) {
        struct apigw_resource *r = &res->items[i];
        free(r->id);
        free(r->parent_id);
        free(r->path_part);
        free(r->path);
        json_decref(r->resource_methods);
    }
    free(res->items);
    memset(res, 0, sizeof(*res));
}

static char *string_member(json_t *obj, const char *name)
{
    const char *s = json_string_value(json_object_get(obj, name));
    return s ? xstrdup(s) : NULL;
}

/* A member that must be absent, null or of the given kind. */
static bool kind_ok(json_t *v, int (*is)(const json_t *))
{
    return !v || json_is_null(v) || is(v);
}

static int is_object(const json_t *v)
{
    return json_is_object(v);
}

static int is_string(const json_t *v)
{
    return json_is_string(v);
}

static int is_status(const json_t *v)
{
    return json_is_string(v) || json_is_integer(v);
}

/* Every value of map (absent or null: none) satisfies is. */
static bool values_ok(json_t *map, int (*is)(const json_t *), bool null_ok)
{
    if (!map || json_is_null(map)) {
        return true;
    }
    if (!json_is_object(map)) {
        return false;
    }
    const char *k;
    json_t *v;
    json_object_foreach (map, k, v) {
        if (!(is(v) || (null_ok && json_is_null(v)))) {
            return false;
        }
    }
    return true;
}

static int is_bool(const json_t *v)
{
    return json_is_boolean(v);
}

/*
 * The shape import and export rely on, of one method of a GetResources
 * item: what API Gateway always answers (status-code keys, strings where
 * strings belong).  Anything else is refused, not guessed at.
 */
static int check_method(const char *path, const char *verb, json_t *method,
                        struct oag_error *err)
{
    const char *what = NULL;
    json_t *integ = json_object_get(method, "methodIntegration");
    json_t *irs = json_object_get(integ, "integrationResponses");
    json_t *mrs = json_object_get(method, "methodResponses");
    if (!json_is_object(method)) {
        what = "is not an object";
    } else if (!kind_ok(integ, is_object)) {
        what = "has a methodIntegration that is not an object";
    } else if (!kind_ok(irs, is_object)) {
        what = "has integrationResponses that are not an object";
    } else if (!kind_ok(mrs, is_object)) {
        what = "has methodResponses that are not an object";
    }
    const char *code;
    json_t *v;
    json_object_foreach (json_is_object(irs) ? irs : NULL, code, v) {
        if (what) {
            break;
        }
        if (!igr_status_code_is_valid(code) || !json_is_object(v)) {
            what = "has an integration response that is not an object keyed "
                   "by a status code";
        } else if (!kind_ok(json_object_get(v, "statusCode"), is_status) ||
                   !kind_ok(json_object_get(v, "selectionPattern"),
                            is_string) ||
                   !kind_ok(json_object_get(v, "contentHandling"), is_string) ||
                   !values_ok(json_object_get(v, "responseParameters"),
                              is_string, false) ||
                   !values_ok(json_object_get(v, "responseTemplates"),
                              is_string, true)) {
            what = "has an integration response with a member of the wrong "
                   "type";
        }
    }
    json_object_foreach (json_is_object(mrs) ? mrs : NULL, code, v) {
        if (what) {
            break;
        }
        if (!igr_status_code_is_valid(code) || !json_is_object(v) ||
            !values_ok(json_object_get(v, "responseParameters"), is_bool,
                       true)) {
            what = "has a method response that is not an object keyed by a "
                   "status code, with boolean responseParameters";
        }
    }
    if (what) {
        return oag_error_set(err, OAG_ERR_AWS,
                             "the answer to 'GetResources': %s %s %s", verb,
                             path, what);
    }
    return 0;
}

int apigw_resources_from_items(json_t *items, struct apigw_resources *out,
                               struct oag_error *err)
{
    int rc = 0;
    apigw_resources_release(out);
    out->items = xcalloc(json_array_size(items) + 1, sizeof(*out->items));
    size_t i;
    json_t *item;
    json_array_foreach (items, i, item) {
        if (require_object("GetResources", item, "Resource", err) != 0) {
            rc = -1;
            goto out;
        }
        struct apigw_resource *r = &out->items[out->len];
        r->id = string_member(item, "id");
        if (!r->id) {
            rc = oag_error_set(err, OAG_ERR_AWS,
                               "the answer to 'GetResources' has a resource "
                               "without an id");
            goto out;
        }
        out->len++;
        r->parent_id = string_member(item, "parentId");
        r->path_part = string_member(item, "pathPart");
        r->path = string_member(item, "path");
        if (!r->path || r->path[0] != '/') {
            rc = oag_error_set(err, OAG_ERR_AWS,
                               "the answer to 'GetResources' has a resource "
                               "(%s) without a path starting with '/'",
                               r->id);
            goto out;
        }
        json_t *methods = json_object_get(item, "resourceMethods");
        if (!kind_ok(methods, is_object)) {
            rc = oag_error_set(err, OAG_ERR_AWS,
                               "the answer to 'GetResources': the "
                               "resourceMethods of %s are not an object",
                               r->path);
            goto out;
        }
        const char *verb;
        json_t *method;
        json_object_foreach (json_is_object(methods) ? methods : NULL, verb,
                             method) {
            if (check_method(r->path, verb, method, err) != 0) {
                rc = -1;
                goto out;
            }
        }
        r->resource_methods =
            json_is_object(methods) ? json_incref(methods) : NULL;
    }
out:
    if (rc != 0) {
        apigw_resources_release(out);
    }
    return rc;
}

int apigw_get_resources(struct aws_client *client, const char *rest_api_id,
                        struct apigw_resources *out, struct oag_error *err)
{
    static const struct aws_query_param query[] = {
        { "embed", "methods" },
        { "limit", PAGE_LIMIT },
    };
    const char *path[] = { rest_api_id };
    json_t *items = json_array();
    int rc;

    apigw_resources_release(out);
    rc = get_all_pages(client, "GetResources", path, 1, query, 2, items, err);
    if (rc != 0) {
        goto out;
    }
    rc = apigw_resources_from_items(items, out, err);
out:
    json_decref(items);
    if (rc != 0) {
        apigw_resources_release(out);
    }
    return rc;
}

int apigw_get_method(struct aws_client *client, const char *rest_api_id,
                     const char *resource_id, const char *http_method,
                     json_t **out, struct oag_error *err)
{
    const char *path[] = { rest_api_id, resource_id, http_method };
    struct request r = { .operation = "GetMethod",
                         .path_values = path,
                         .n_path_values = 3 };
    return call_json(client, &r, out, err);
}

/* ---- Method responses ---- */

/* Adds name: value unless value is NULL; -1 when it is not UTF-8. */
static int set_string(json_t *obj, const char *operation, const char *name,
                      const char *value, struct oag_error *err)
{
    if (!value) {
        return 0;
    }
    json_t *s = json_string(value);
    if (!s) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "%s: '%s' is not valid UTF-8", operation, name);
    }
    json_object_set_new(obj, name, s);
    return 0;
}

static void set_member(json_t *obj, const char *name, json_t *borrowed)
{
    if (borrowed) {
        json_object_set(obj, name, borrowed);
    }
}

int apigw_put_method_response(struct aws_client *client,
                              const char *rest_api_id, const char *resource_id,
                              const char *http_method, const char *status_code,
                              json_t *response_parameters,
                              json_t *response_models, json_t **out,
                              struct oag_error *err)
{
    const char *path[] = { rest_api_id, resource_id, http_method, status_code };
    json_t *body = json_object();
    char *text = NULL;
    set_member(body, "responseParameters", response_parameters);
    set_member(body, "responseModels", response_models);
    struct request r = { .operation = "PutMethodResponse",
                         .path_values = path,
                         .n_path_values = 4 };
    set_json_body(&r, body, &text);
    json_decref(body);
    int rc = call_json(client, &r, out, err);
    free(text);
    return rc;
}

int apigw_update_method_response(
    struct aws_client *client, const char *rest_api_id, const char *resource_id,
    const char *http_method, const char *status_code, json_t *patch_operations,
    json_t **out, struct oag_error *err)
{
    const char *path[] = { rest_api_id, resource_id, http_method, status_code };
    json_t *body = json_object();
    char *text = NULL;
    set_member(body, "patchOperations", patch_operations);
    struct request r = { .operation = "UpdateMethodResponse",
                         .path_values = path,
                         .n_path_values = 4 };
    set_json_body(&r, body, &text);
    json_decref(body);
    int rc = call_json(client, &r, out, err);
    free(text);
    return rc;
}

/* ---- Integration responses ---- */

int apigw_put_integration_response(
    struct aws_client *client, const char *rest_api_id, const char *resource_id,
    const char *http_method, const char *status_code,
    const char *selection_pattern, json_t *response_parameters,
    json_t *response_templates, const char *content_handling, json_t **out,
    struct oag_error *err)
{
    const char *path[] = { rest_api_id, resource_id, http_method, status_code };
    json_t *body = json_object();
    char *text = NULL;
    int rc;
    /* apigateway.md 2.3: the default response has no selectionPattern */
    if (set_string(body, "PutIntegrationResponse", "selectionPattern",
                   selection_pattern, err) != 0 ||
        set_string(body, "PutIntegrationResponse", "contentHandling",
                   content_handling, err) != 0) {
        json_decref(body);
        return -1;
    }
    set_member(body, "responseParameters", response_parameters);
    set_member(body, "responseTemplates", response_templates);
    struct request r = { .operation = "PutIntegrationResponse",
                         .path_values = path,
                         .n_path_values = 4 };
    set_json_body(&r, body, &text);
    json_decref(body);
    rc = call_json(client, &r, out, err);
    free(text);
    return rc;
}

int apigw_get_integration_response(struct aws_client *client,
                                   const char *rest_api_id,
                                   const char *resource_id,
                                   const char *http_method,
                                   const char *status_code, json_t **out,
                                   struct oag_error *err)
{
    const char *path[] = { rest_api_id, resource_id, http_method, status_code };
    struct request r = { .operation = "GetIntegrationResponse",
                         .path_values = path,
                         .n_path_values = 4 };
    return call_json(client, &r, out, err);
}

int apigw_delete_integration_response(
    struct aws_client *client, const char *rest_api_id, const char *resource_id,
    const char *http_method, const char *status_code, struct oag_error *err)
{
    const char *path[] = { rest_api_id, resource_id, http_method, status_code };
    struct request r = { .operation = "DeleteIntegrationResponse",
                         .path_values = path,
                         .n_path_values = 4 };
    return call_json(client, &r, NULL, err);
}

/* ---- PutRestApi / ImportRestApi ---- */

/* The flattened "parameters" map and failonwarnings (apigateway.md 7). */
static size_t import_query(const struct apigw_import_options *o,
                           struct aws_query_param *q)
{
    size_t n = 0;
    q[n].name = "failonwarnings";
    q[n++].value = o->fail_on_warnings ? "true" : "false";
    if (o->ignore_documentation) {
        q[n].name = "ignore";
        q[n++].value = "documentation";
    }
    if (o->basepath) {
        q[n].name = "basepath";
        q[n++].value = o->basepath;
    }
    return n;
}

int apigw_put_rest_api(struct aws_client *client, const char *rest_api_id,
                       const void *document, size_t len,
                       const struct apigw_import_options *opts, json_t **out,
                       struct oag_error *err)
{
    static const struct apigw_import_options none = { 0 };
    const struct apigw_import_options *o = opts ? opts : &none;
    const char *path[] = { rest_api_id };
    struct aws_query_param q[5];
    size_t n = 0;
    q[n].name = "mode";
    q[n++].value = o->mode == APIGW_PUT_OVERWRITE ? "overwrite" : "merge";
    n += import_query(o, q + n);
    struct request r = { .operation = "PutRestApi",
                         .path_values = path,
                         .n_path_values = 1,
                         .query = q,
                         .n_query = n,
                         .body_kind = AWS_BODY_RAW,
                         .body = document,
                         .body_len = len,
                         .content_type = o->content_type };
    return call_json(client, &r, out, err);
}

int apigw_import_rest_api(struct aws_client *client, const void *document,
                          size_t len, const struct apigw_import_options *opts,
                          json_t **out, struct oag_error *err)
{
    static const struct apigw_import_options none = { 0 };
    const struct apigw_import_options *o = opts ? opts : &none;
    struct aws_query_param q[5];
    size_t n = 0;
    q[n].name = "mode";
    q[n++].value = "import";
    n += import_query(o, q + n);
    if (o->endpoint_type) {
        q[n].name = "endpointConfigurationTypes";
        q[n++].value = o->endpoint_type;
    }
    struct request r = { .operation = "ImportRestApi",
                         .query = q,
                         .n_query = n,
                         .body_kind = AWS_BODY_RAW,
                         .body = document,
                         .body_len = len,
                         .content_type = o->content_type };
    return call_json(client, &r, out, err);
}

/* ---- GetExport ---- */

int apigw_get_export(struct aws_client *client, const char *rest_api_id,
                     const char *stage_name, const char *export_type,
                     const char *extensions, bool yaml, struct buf *out,
                     struct oag_error *err)
{
    const char *path[] = { rest_api_id, stage_name, export_type };
    struct aws_query_param q[1];
    size_t n = 0;
    if (extensions) {
        q[n].name = "extensions";
        q[n++].value = extensions;
    }
    /* apigateway.md 8: Accept chooses the format */
    struct http_header accept = { "Accept", yaml ? "application/yaml"
                                                 : "application/json" };
    struct request r = { .operation = "GetExport",
                         .path_values = path,
                         .n_path_values = 3,
                         .query = q,
                         .n_query = n,
                         .headers = &accept,
                         .n_headers = 1 };
    struct http_response resp = { 0 };
    buf_release(out);
    int rc = send_request(client, &r, &resp, err);
    if (rc == 0) {
        *out = resp.body;
        memset(&resp.body, 0, sizeof(resp.body));
    }
    http_response_release(&resp);
    return rc;
}

/* ---- CreateDeployment ---- */

int apigw_create_deployment(struct aws_client *client, const char *rest_api_id,
                            const char *stage_name, const char *description,
                            json_t **out, struct oag_error *err)
{
    const char *path[] = { rest_api_id };
    json_t *body = json_object();
    char *text = NULL;
    if (set_string(body, "CreateDeployment", "stageName", stage_name, err) !=
            0 ||
        set_string(body, "CreateDeployment", "description", description, err) !=
            0) {
        json_decref(body);
        return -1;
    }
    struct request r = { .operation = "CreateDeployment",
                         .path_values = path,
                         .n_path_values = 1 };
    set_json_body(&r, body, &text);
    json_decref(body);
    int rc = call_json(client, &r, out, err);
    free(text);
    return rc;
}
