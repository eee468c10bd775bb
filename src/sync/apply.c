/*
 * Applying a plan: one call per item, in plan order, stopping at the first
 * failure so that a re-run (which re-reads the live state) finishes the job
 * without doing anything twice.  PutIntegrationResponse always sends the
 * whole entry: PUT replaces it (apigateway.md 2.4).  New header
 * declarations are optional (false): the document cannot say otherwise.
 */
#include "sync/sync.h"

#include <stdlib.h>
#include <string.h>

#include "doc/pointer.h"
#include "util/buf.h"
#include "util/xalloc.h"

void sync_report_release(struct sync_report *r)
{
    if (r) {
        oag_error_release(&r->failure);
        memset(r, 0, sizeof(*r));
    }
}

static json_t *map_json(const struct igr_map *m)
{
    if (m->len == 0) {
        return NULL;
    }
    json_t *o = json_object();
    for (size_t i = 0; i < m->len; i++) {
        json_object_set_new(o, m->items[i].key, json_string(m->items[i].value));
    }
    return o;
}

static int apply_item(struct aws_client *c, const char *api,
                      const struct igr_plan_item *it, struct oag_error *err)
{
    const struct igr_record *r = &it->record;
    int rc = -1;
    switch (it->action) {
    case IGR_PLAN_PUT_METHOD_RESPONSE: {
        json_t *params = NULL;
        if (it->n_headers) {
            params = json_object();
            for (size_t i = 0; i < it->n_headers; i++) {
                json_object_set_new(params, it->headers[i], json_false());
            }
        }
        rc = apigw_put_method_response(c, api, it->resource_id, r->http_method,
                                       r->status_code, params, NULL, NULL, err);
        json_decref(params);
        break;
    }
    case IGR_PLAN_UPDATE_METHOD_RESPONSE: {
        json_t *ops = json_array();
        for (size_t i = 0; i < it->n_headers; i++) {
            struct buf path = BUF_INIT;
            buf_adds(&path, "/responseParameters");
            jptr_append(&path, it->headers[i], strlen(it->headers[i]));
            json_array_append_new(ops, json_pack("{s:s, s:s, s:s}", "op", "add",
                                                 "path", buf_str(&path),
                                                 "value", "false"));
            buf_release(&path);
        }
        rc = apigw_update_method_response(c, api, it->resource_id,
                                          r->http_method, r->status_code, ops,
                                          NULL, err);
        json_decref(ops);
        break;
    }
    case IGR_PLAN_ADD:
    case IGR_PLAN_CHANGE: {
        json_t *params = map_json(&r->response_parameters);
        json_t *templates = map_json(&r->response_templates);
        rc = apigw_put_integration_response(
            c, api, it->resource_id, r->http_method, r->status_code,
            r->selection_pattern, params, templates, r->content_handling, NULL,
            err);
        json_decref(params);
        json_decref(templates);
        break;
    }
    case IGR_PLAN_DELETE:
        rc = apigw_delete_integration_response(
            c, api, it->resource_id, r->http_method, r->status_code, err);
        break;
    }
    return rc;
}

int sync_apply(struct aws_client *client, const char *rest_api_id,
               const struct igr_plan *plan, sync_progress_fn progress,
               void *progress_ctx, struct sync_report *report,
               struct oag_error *err)
{
    sync_report_release(report);
    for (size_t i = 0; i < plan->len; i++) {
        struct oag_error e = OAG_ERROR_INIT;
        if (apply_item(client, rest_api_id, &plan->items[i], &e) != 0) {
            report->failed = true;
            report->not_attempted = plan->len - i - 1;
            oag_error_copy(&report->failure, &e);
            if (report->applied > 0) {
                oag_error_set(err, OAG_ERR_PARTIAL,
                              "applied %zu of %zu changes; the next one "
                              "failed: %s",
                              report->applied, plan->len,
                              e.message ? e.message : "unknown error");
                err->http_status = e.http_status;
            } else {
                oag_error_move(err, &e);
            }
            oag_error_release(&e);
            return -1;
        }
        report->applied++;
        if (progress) {
            progress(progress_ctx, i + 1, plan->len);
        }
    }
    return 0;
}
