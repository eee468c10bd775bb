/* Plans as text and JSON; see plan_print.h. */
#include "cli/plan_print.h"

#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "util/buf.h"
#include "util/xalloc.h"

static const char *action_word(enum igr_plan_action a)
{
    switch (a) {
    case IGR_PLAN_PUT_METHOD_RESPONSE:
        return "put-method-response";
    case IGR_PLAN_UPDATE_METHOD_RESPONSE:
        return "update-method-response";
    case IGR_PLAN_ADD:
        return "add";
    case IGR_PLAN_CHANGE:
        return "change";
    case IGR_PLAN_DELETE:
        return "delete";
    }
    return "?";
}

char *cli_plan_item_line(const struct igr_plan_item *it)
{
    const struct igr_record *r = &it->record;
    struct buf b = BUF_INIT;
    switch (it->action) {
    case IGR_PLAN_PUT_METHOD_RESPONSE:
    case IGR_PLAN_UPDATE_METHOD_RESPONSE:
        buf_addf(&b, "%c method-response  %s %s %s",
                 it->action == IGR_PLAN_PUT_METHOD_RESPONSE ? '+' : '~',
                 r->http_method, r->path, r->status_code);
        if (it->n_headers) {
            buf_adds(&b, " (");
            for (size_t i = 0; i < it->n_headers; i++) {
                const char *h =
                    it->headers[i] + strlen("method.response.header.");
                buf_addf(&b, "%s%s", i ? ", " : "", h);
            }
            buf_addch(&b, ')');
        }
        break;
    default: {
        char sign = it->action == IGR_PLAN_ADD      ? '+'
                    : it->action == IGR_PLAN_CHANGE ? '~'
                                                    : '-';
        buf_addf(&b, "%c %-16s %s %s %s ", sign, action_word(it->action),
                 r->http_method, r->path, r->status_code);
        if (r->selection_pattern) {
            buf_addf(&b, "'%s'", r->selection_pattern);
        } else {
            buf_adds(&b, "default");
        }
        if (it->action == IGR_PLAN_CHANGE) {
            char *f = igr_plan_fields_describe(it->fields);
            buf_addf(&b, ": %s", f);
            free(f);
        }
    }
    }
    return buf_detach(&b, NULL);
}

void cli_plan_print_text(FILE *f, const struct igr_plan *plan,
                         const struct cli_method_change *mc, size_t n_mc,
                         bool with_method_responses, bool summary)
{
    for (size_t i = 0; i < n_mc; i++) {
        fprintf(f, "%c %-16s %s %s\n", mc[i].action,
                mc[i].action == '+' ? "create-method" : "delete-method",
                mc[i].method, mc[i].path);
    }
    for (size_t i = 0; i < plan->len; i++) {
        const struct igr_plan_item *it = &plan->items[i];
        if (!with_method_responses &&
            (it->action == IGR_PLAN_PUT_METHOD_RESPONSE ||
             it->action == IGR_PLAN_UPDATE_METHOD_RESPONSE)) {
            continue;
        }
        char *line = cli_plan_item_line(it);
        fprintf(f, "%s\n", line);
        free(line);
    }
    for (size_t i = 0; i < plan->kept.len; i++) {
        const struct igr_record *r = &plan->kept.items[i];
        fprintf(f,
                "  %-16s %s %s %s (not in the document; kept, --prune "
                "deletes it)\n",
                "keep", r->http_method, r->path, r->status_code);
    }
    if (summary) {
        size_t a;
        size_t c;
        size_t d;
        igr_plan_count(plan, &a, &c, &d);
        fprintf(f,
                "%zu to add, %zu to change, %zu to delete, %zu "
                "unchanged.\n",
                a, c, d, plan->n_unchanged);
    }
}

json_t *cli_plan_to_json(const struct igr_plan *plan, const char *api_id,
                         const char *mode, const struct cli_method_change *mc,
                         size_t n_mc, bool with_method_responses)
{
    json_t *changes = json_array();
    for (size_t i = 0; i < n_mc; i++) {
        json_array_append_new(
            changes,
            json_pack("{s:s, s:s, s:s}", "action",
                      mc[i].action == '+' ? "create-method" : "delete-method",
                      "path", mc[i].path, "httpMethod", mc[i].method));
    }
    for (size_t i = 0; i < plan->len; i++) {
        const struct igr_plan_item *it = &plan->items[i];
        if (!with_method_responses &&
            (it->action == IGR_PLAN_PUT_METHOD_RESPONSE ||
             it->action == IGR_PLAN_UPDATE_METHOD_RESPONSE)) {
            continue;
        }
        json_t *c = json_pack("{s:s, s:s, s:s, s:s}", "action",
                              action_word(it->action), "path", it->record.path,
                              "httpMethod", it->record.http_method,
                              "statusCode", it->record.status_code);
        if (it->record.selection_pattern) {
            json_object_set_new(c, "selectionPattern",
                                json_string(it->record.selection_pattern));
        }
        if (it->action == IGR_PLAN_CHANGE) {
            char *f = igr_plan_fields_describe(it->fields);
            json_t *fields = json_array();
            for (char *tok = f; *tok;) {
                size_t n = strcspn(tok, ",");
                json_array_append_new(fields, json_stringn(tok, n));
                tok += n;
                while (*tok == ',' || *tok == ' ') {
                    tok++;
                }
            }
            free(f);
            json_object_set_new(c, "fields", fields);
        }
        if (it->n_headers) {
            json_t *h = json_array();
            for (size_t k = 0; k < it->n_headers; k++) {
                json_array_append_new(h, json_string(it->headers[k]));
            }
            json_object_set_new(c, "headers", h);
        }
        if (it->action == IGR_PLAN_ADD || it->action == IGR_PLAN_CHANGE) {
            json_object_set_new(c, "record", conv_record_to_json(&it->record));
        }
        json_array_append_new(changes, c);
    }
    size_t a;
    size_t ch;
    size_t d;
    igr_plan_count(plan, &a, &ch, &d);
    return json_pack("{s:s, s:s, s:o, s:{s:i, s:i, s:i, s:i, s:i}}",
                     "restApiId", api_id ? api_id : "", "mode", mode, "changes",
                     changes, "summary", "add", (int)a, "change", (int)ch,
                     "delete", (int)d, "unchanged", (int)plan->n_unchanged,
                     "kept", (int)plan->n_kept);
}
