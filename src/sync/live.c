/*
 * GetResources (embed=methods) -> the model.  What AWS returns and the
 * model's equivalences (apigateway.md 2.3-2.4, 6.3): integrationResponses
 * is a map keyed by status code; selectionPattern absent, null, "" (and the
 * legacy "-") mean the catch-all; a null template is ""; moto returns a
 * numeric statusCode for documents imported with integer codes.
 */
#include "sync/sync.h"

#include <stdlib.h>
#include <string.h>

#include "model/igr.h"
#include "util/xalloc.h"

static char *status_text(json_t *key_or_value, const char *fallback)
{
    if (json_is_string(key_or_value)) {
        return xstrdup(json_string_value(key_or_value));
    }
    if (json_is_integer(key_or_value)) {
        return xstrfmt("%" JSON_INTEGER_FORMAT,
                       json_integer_value(key_or_value));
    }
    return xstrdup(fallback);
}

static void read_map(json_t *o, bool null_is_empty, struct igr_map *out)
{
    const char *k;
    json_t *v;
    json_object_foreach (o, k, v) {
        if (json_is_string(v)) {
            igr_map_set(out, k, json_string_value(v));
        } else if (json_is_null(v) && null_is_empty) {
            igr_map_set(out, k, "");
        }
    }
}

static int cmp_status(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sync_live_from_resources(const struct apigw_resources *res,
                             struct igr_live *out, struct oag_error *err)
{
    igr_live_release(out);
    for (size_t i = 0; i < res->len; i++) {
        const struct apigw_resource *r = &res->items[i];
        const char *verb;
        json_t *method;
        json_object_foreach (r->resource_methods, verb, method) {
            struct igr_live_method *m = igr_live_add_method(out);
            m->path = xstrdup(r->path);
            m->http_method = xstrdup(verb);
            m->resource_id = xstrdup(r->id);
            const char *code;
            json_t *mr;
            json_object_foreach (json_object_get(method, "methodResponses"),
                                 code, mr) {
                struct igr_method_response *resp =
                    igr_live_method_add_response(m, code);
                const char *h;
                json_t *req;
                json_object_foreach (json_object_get(mr, "responseParameters"),
                                     h, req) {
                    igr_method_response_add_header(resp, h);
                }
            }
            json_t *integ = json_object_get(method, "methodIntegration");
            m->has_integration = json_is_object(integ) &&
                                 json_object_size(integ) > 0 &&
                                 !json_is_null(json_object_get(integ, "type"));
            json_t *irs = json_object_get(integ, "integrationResponses");
            if (!json_is_object(irs)) {
                continue;
            }
            /* status-code order, as AWS lists them */
            size_t n = json_object_size(irs);
            const char **keys = xcalloc(n + 1, sizeof(*keys));
            size_t k = 0;
            const char *key;
            json_t *ir;
            json_object_foreach (irs, key, ir) {
                keys[k++] = key;
            }
            qsort(keys, n, sizeof(*keys), cmp_status);
            for (k = 0; k < n; k++) {
                ir = json_object_get(irs, keys[k]);
                struct igr_record *rec = igr_list_add(&out->records);
                rec->path = xstrdup(r->path);
                rec->http_method = xstrdup(verb);
                rec->status_code =
                    status_text(json_object_get(ir, "statusCode"), keys[k]);
                if (!json_is_object(ir) || !igr_status_code_is_valid(keys[k]) ||
                    strcmp(rec->status_code, keys[k]) != 0) {
                    /* AWS keys them by status code: never seen, not guessed */
                    oag_error_set(err, OAG_ERR_AWS,
                                  "the answer to 'GetResources' has the "
                                  "integration response '%s' of %s %s, not "
                                  "an object keyed by its statusCode ('%s')",
                                  keys[k], verb, r->path, rec->status_code);
                    free(keys);
                    igr_live_release(out);
                    return -1;
                }
                const char *sp =
                    json_string_value(json_object_get(ir, "selectionPattern"));
                if (sp && sp[0] && strcmp(sp, "-") != 0) {
                    rec->selection_pattern = xstrdup(sp);
                }
                read_map(json_object_get(ir, "responseParameters"), false,
                         &rec->response_parameters);
                read_map(json_object_get(ir, "responseTemplates"), true,
                         &rec->response_templates);
                const char *ch =
                    json_string_value(json_object_get(ir, "contentHandling"));
                rec->content_handling = ch ? xstrdup(ch) : NULL;
                rec->resource_id = xstrdup(r->id);
            }
            free(keys);
        }
    }
    return 0;
}
