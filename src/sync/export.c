/*
 * The live API as an OpenAPI document, in the conventions of AWS's own
 * export (apigateway.md section 8): integration type and
 * passthroughBehavior lower-case, string status codes, the catch-all under
 * `default`, method ANY as x-amazon-apigateway-any-method, response headers
 * typed as strings.  Paths are sorted; methods follow OpenAPI's order.
 * Operations without method responses get OpenAPI's `default` response
 * (an operation needs one; API Gateway's import ignores it).
 */
#include "sync/sync.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "doc/splice.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/strset.h"
#include "util/xalloc.h"

static const char *const method_order[] = {
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "ANY",
};

static char *lower(const char *s)
{
    char *out = xstrdup(s);
    for (char *p = out; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    return out;
}

static void copy_if(json_t *dst, json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);
    if (v && !json_is_null(v) &&
        !(json_is_object(v) && json_object_size(v) == 0) &&
        !(json_is_array(v) && json_array_size(v) == 0)) {
        json_object_set(dst, key, v);
    }
}

static json_t *string_schema(enum sync_oas oas)
{
    return oas == SYNC_OAS_3
               ? json_pack("{s:{s:s}}", "schema", "type", "string")
               : json_pack("{s:s}", "type", "string");
}

/*
 * Adds parameter (name, in) unless params has it: seen holds "in\nname"
 * of those added (a path may hold many variables: no scan per add).
 */
static void add_parameter(json_t *params, struct strset *seen, const char *name,
                          const char *in, bool required, enum sync_oas oas)
{
    char *key = xstrfmt("%s\n%s", in, name);
    bool added = strset_add(seen, key, 0);
    free(key);
    if (!added) {
        return;
    }
    json_t *param = json_pack("{s:s, s:s, s:b}", "name", name, "in", in,
                              "required", required);
    if (oas == SYNC_OAS_3) {
        json_object_set_new(param, "schema",
                            json_pack("{s:s}", "type", "string"));
    } else {
        json_object_set_new(param, "type", json_string("string"));
    }
    json_array_append_new(params, param);
}

static json_t *parameters(const char *path, json_t *method, enum sync_oas oas)
{
    json_t *params = json_array();
    struct strset seen = STRSET_INIT;
    /* path template variables: {id}, {proxy+} */
    for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close) {
            break;
        }
        char *name = xstrndup(p + 1, (size_t)(close - p - 1));
        add_parameter(params, &seen, name, "path", true, oas);
        free(name);
    }
    const char *k;
    json_t *req;
    json_object_foreach (json_object_get(method, "requestParameters"), k, req) {
        static const struct {
            const char *prefix;
            const char *in;
        } kinds[] = {
            { "method.request.querystring.", "query" },
            { "method.request.header.", "header" },
        };
        for (size_t i = 0; i < 2; i++) {
            size_t n = strlen(kinds[i].prefix);
            if (strncmp(k, kinds[i].prefix, n) == 0 && k[n]) {
                add_parameter(params, &seen, k + n, kinds[i].in,
                              json_is_true(req), oas);
            }
        }
    }
    strset_release(&seen);
    return params;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *integration(json_t *integ)
{
    json_t *out = json_object();
    const char *type = json_string_value(json_object_get(integ, "type"));
    if (type) {
        char *t = lower(type);
        json_object_set_new(out, "type", json_string(t));
        free(t);
    }
    copy_if(out, integ, "httpMethod");
    copy_if(out, integ, "uri");
    copy_if(out, integ, "connectionType");
    copy_if(out, integ, "connectionId");
    copy_if(out, integ, "credentials");
    copy_if(out, integ, "requestParameters");
    copy_if(out, integ, "requestTemplates");
    const char *pt =
        json_string_value(json_object_get(integ, "passthroughBehavior"));
    if (pt) {
        char *l = lower(pt);
        json_object_set_new(out, "passthroughBehavior", json_string(l));
        free(l);
    }
    copy_if(out, integ, "contentHandling");
    copy_if(out, integ, "timeoutInMillis");
    copy_if(out, integ, "cacheNamespace");
    copy_if(out, integ, "cacheKeyParameters");
    copy_if(out, integ, "tlsConfig");
    json_t *irs = json_object_get(integ, "integrationResponses");
    if (json_is_object(irs) && json_object_size(irs) > 0) {
        size_t n = json_object_size(irs);
        const char **codes = xcalloc(n, sizeof(*codes));
        size_t i = 0;
        const char *code;
        json_t *ir;
        json_object_foreach (irs, code, ir) {
            codes[i++] = code;
        }
        qsort(codes, n, sizeof(*codes), cmp_keys);
        json_t *resp = json_object();
        for (i = 0; i < n; i++) {
            ir = json_object_get(irs, codes[i]);
            const char *sp =
                json_string_value(json_object_get(ir, "selectionPattern"));
            const char *key =
                sp && sp[0] && strcmp(sp, "-") != 0 ? sp : "default";
            json_t *e = json_object();
            json_t *st = json_object_get(ir, "statusCode");
            if (json_is_integer(st)) {
                char *s =
                    xstrfmt("%" JSON_INTEGER_FORMAT, json_integer_value(st));
                json_object_set_new(e, "statusCode", json_string(s));
                free(s);
            } else {
                json_object_set_new(e, "statusCode",
                                    json_string(json_is_string(st)
                                                    ? json_string_value(st)
                                                    : codes[i]));
            }
            copy_if(e, ir, "responseParameters");
            json_t *tpl = json_object_get(ir, "responseTemplates");
            if (json_is_object(tpl) && json_object_size(tpl) > 0) {
                json_t *t = json_object();
                const char *mt;
                json_t *v;
                json_object_foreach (tpl, mt, v) {
                    json_object_set_new(t, mt,
                                        json_string(json_is_string(v)
                                                        ? json_string_value(v)
                                                        : ""));
                }
                json_object_set_new(e, "responseTemplates", t);
            }
            copy_if(e, ir, "contentHandling");
            json_object_set_new(resp, key, e);
        }
        free(codes);
        json_object_set_new(out, "responses", resp);
    }
    return out;
}

static json_t *operation(const char *path, json_t *method, enum sync_oas oas)
{
    json_t *op = json_object();
    const char *id =
        json_string_value(json_object_get(method, "operationName"));
    if (id) {
        json_object_set_new(op, "operationId", json_string(id));
    }
    json_t *params = parameters(path, method, oas);
    if (json_array_size(params)) {
        json_object_set_new(op, "parameters", params);
    } else {
        json_decref(params);
    }
    json_t *responses = json_object();
    json_t *mrs = json_object_get(method, "methodResponses");
    size_t n = json_object_size(mrs);
    const char **codes = xcalloc(n + 1, sizeof(*codes));
    size_t i = 0;
    const char *code;
    json_t *mr;
    json_object_foreach (mrs, code, mr) {
        codes[i++] = code;
    }
    qsort(codes, n, sizeof(*codes), cmp_keys);
    for (i = 0; i < n; i++) {
        mr = json_object_get(mrs, codes[i]);
        char *desc = xstrfmt("%s response", codes[i]);
        json_t *r = json_pack("{s:s}", "description", desc);
        free(desc);
        json_t *headers = json_object();
        const char *h;
        json_t *req;
        json_object_foreach (json_object_get(mr, "responseParameters"), h,
                             req) {
            static const char prefix[] = "method.response.header.";
            if (strncmp(h, prefix, sizeof(prefix) - 1) == 0) {
                json_object_set_new(headers, h + sizeof(prefix) - 1,
                                    string_schema(oas));
            }
        }
        if (json_object_size(headers)) {
            json_object_set_new(r, "headers", headers);
        } else {
            json_decref(headers);
        }
        json_object_set_new(responses, codes[i], r);
    }
    free(codes);
    if (json_object_size(responses) == 0) {
        json_object_set_new(
            responses, "default",
            json_pack("{s:s}", "description", "Default response"));
    }
    json_object_set_new(op, "responses", responses);
    json_t *integ = json_object_get(method, "methodIntegration");
    if (json_is_object(integ) && json_object_get(integ, "type") &&
        !json_is_null(json_object_get(integ, "type"))) {
        json_object_set_new(op, "x-amazon-apigateway-integration",
                            integration(integ));
    }
    return op;
}

static int cmp_resources(const void *a, const void *b)
{
    const struct apigw_resource *x = *(const struct apigw_resource *const *)a;
    const struct apigw_resource *y = *(const struct apigw_resource *const *)b;
    return strcmp(x->path ? x->path : "", y->path ? y->path : "");
}

static bool known_method(const char *verb)
{
    for (size_t m = 0; m < sizeof(method_order) / sizeof(method_order[0]);
         m++) {
        if (strcmp(method_order[m], verb) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * What the document cannot hold is refused rather than dropped: two
 * resources with one path (one paths key), a method the extension has no
 * key for, integration responses without an integration type, and two
 * integration responses of a method with one selection pattern (one
 * responses key; two catch-alls included).
 */
static int check_exportable(const struct apigw_resources *res,
                            struct oag_error *err)
{
    for (size_t i = 0; i < res->len; i++) {
        const struct apigw_resource *r = &res->items[i];
        for (size_t j = i + 1; j < res->len; j++) {
            if (strcmp(r->path, res->items[j].path) == 0) {
                return oag_error_set(err, OAG_ERR_AWS,
                                     "cannot export: resources %s and %s "
                                     "share the path '%s'",
                                     r->id, res->items[j].id, r->path);
            }
        }
        const char *verb;
        json_t *method;
        json_object_foreach (r->resource_methods, verb, method) {
            if (!known_method(verb)) {
                return oag_error_set(err, OAG_ERR_AWS,
                                     "cannot export: %s has the unknown "
                                     "HTTP method '%s'",
                                     r->path, verb);
            }
            json_t *integ = json_object_get(method, "methodIntegration");
            json_t *irs = json_object_get(integ, "integrationResponses");
            if (!json_is_object(irs) || json_object_size(irs) == 0) {
                continue;
            }
            json_t *type = json_object_get(integ, "type");
            if (!type || json_is_null(type)) {
                return oag_error_set(err, OAG_ERR_AWS,
                                     "cannot export: %s %s has integration "
                                     "responses but no integration type",
                                     verb, r->path);
            }
            const char *a;
            json_t *ia;
            json_object_foreach (irs, a, ia) {
                json_t *st = json_object_get(ia, "statusCode");
                char *code =
                    json_is_integer(st)
                        ? xstrfmt("%" JSON_INTEGER_FORMAT,
                                  json_integer_value(st))
                        : xstrdup(json_is_string(st) ? json_string_value(st)
                                                     : a);
                bool same = json_is_object(ia) && igr_status_code_is_valid(a) &&
                            strcmp(code, a) == 0;
                free(code);
                if (!same) {
                    return oag_error_set(err, OAG_ERR_AWS,
                                         "cannot export: the integration "
                                         "response '%s' of %s %s is not an "
                                         "object keyed by its statusCode",
                                         a, verb, r->path);
                }
                const char *pa =
                    json_string_value(json_object_get(ia, "selectionPattern"));
                bool da = !pa || !pa[0] || strcmp(pa, "-") == 0;
                if (!da && strcmp(pa, "default") == 0) {
                    return oag_error_set(
                        err, OAG_ERR_AWS,
                        "cannot export: the integration response %s of %s %s "
                        "has the selection pattern 'default', which the "
                        "responses map reads as the catch-all",
                        a, verb, r->path);
                }
                const char *b;
                json_t *ib;
                bool after = false;
                json_object_foreach (irs, b, ib) {
                    if (ib == ia) {
                        after = true;
                        continue;
                    }
                    if (!after) {
                        continue;
                    }
                    const char *pb = json_string_value(
                        json_object_get(ib, "selectionPattern"));
                    bool db = !pb || !pb[0] || strcmp(pb, "-") == 0;
                    if ((da && db) || (!da && !db && strcmp(pa, pb) == 0)) {
                        return oag_error_set(
                            err, OAG_ERR_AWS,
                            "cannot export: integration responses %s and %s "
                            "of %s %s share the selection pattern '%s' (the "
                            "responses map has one key per pattern)",
                            a, b, verb, r->path, da ? "default" : pa);
                    }
                }
            }
        }
    }
    return 0;
}

int sync_export_document(const struct apigw_resources *res, json_t *rest_api,
                         enum sync_oas oas, json_t **out, struct oag_error *err)
{
    *out = NULL;
    if (check_exportable(res, err) != 0) {
        return -1;
    }
    json_t *doc = json_object();
    if (oas == SYNC_OAS_3) {
        json_object_set_new(doc, "openapi", json_string("3.0.1"));
    } else {
        json_object_set_new(doc, "swagger", json_string("2.0"));
    }
    json_t *info = json_object();
    const char *name = json_string_value(json_object_get(rest_api, "name"));
    json_object_set_new(info, "title", json_string(name ? name : "exported"));
    copy_if(info, rest_api, "description");
    const char *version =
        json_string_value(json_object_get(rest_api, "version"));
    json_object_set_new(info, "version",
                        json_string(version ? version : "1.0"));
    json_object_set_new(doc, "info", info);
    if (oas == SYNC_OAS_2) {
        json_object_set_new(doc, "basePath", json_string("/"));
    }
    const struct apigw_resource **sorted =
        xcalloc(res->len + 1, sizeof(*sorted));
    for (size_t i = 0; i < res->len; i++) {
        sorted[i] = &res->items[i];
    }
    qsort(sorted, res->len, sizeof(*sorted), cmp_resources);
    json_t *paths = json_object();
    for (size_t i = 0; i < res->len; i++) {
        const struct apigw_resource *r = sorted[i];
        json_t *item = NULL;
        for (size_t m = 0; m < sizeof(method_order) / sizeof(method_order[0]);
             m++) {
            json_t *method =
                json_object_get(r->resource_methods, method_order[m]);
            if (!method) {
                continue;
            }
            if (!item) {
                item = json_object();
            }
            char *key = strcmp(method_order[m], "ANY") == 0
                            ? xstrdup("x-amazon-apigateway-any-method")
                            : lower(method_order[m]);
            json_object_set_new(item, key, operation(r->path, method, oas));
            free(key);
        }
        if (item) {
            json_object_set_new(paths, r->path ? r->path : "/", item);
        }
    }
    free(sorted);
    json_object_set_new(doc, "paths", paths);
    *out = doc;
    return 0;
}

void sync_document_format(json_t *doc, bool yaml, struct buf *out)
{
    if (!yaml) {
        char *text = json_dumps(doc, JSON_INDENT(2));
        buf_adds(out, text ? text : "{}");
        buf_addch(out, '\n');
        free(text);
        return;
    }
    struct doc_style st = {
        .json = false,
        .step = 2,
        .quote = '\'',
        .newline = "\n",
    };
    doc_emit_yaml_members(out, doc, &st, 0);
}
