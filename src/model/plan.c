/* The per-item import plan; see plan.h. */
#include "model/plan.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

static void method_response_release(struct igr_method_response *r)
{
    free(r->status_code);
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->headers[i]);
    }
    free(r->headers);
}

void igr_live_release(struct igr_live *live)
{
    if (!live) {
        return;
    }
    igr_list_release(&live->records);
    for (size_t i = 0; i < live->n_methods; i++) {
        struct igr_live_method *m = &live->methods[i];
        free(m->path);
        free(m->http_method);
        free(m->resource_id);
        for (size_t j = 0; j < m->n_responses; j++) {
            method_response_release(&m->responses[j]);
        }
        free(m->responses);
    }
    free(live->methods);
    memset(live, 0, sizeof(*live));
}

struct igr_live_method *igr_live_add_method(struct igr_live *live)
{
    live->methods = xreallocarray(live->methods, live->n_methods + 1,
                                  sizeof(*live->methods));
    struct igr_live_method *m = &live->methods[live->n_methods++];
    memset(m, 0, sizeof(*m));
    return m;
}

struct igr_method_response *
igr_live_method_add_response(struct igr_live_method *m, const char *status_code)
{
    m->responses =
        xreallocarray(m->responses, m->n_responses + 1, sizeof(*m->responses));
    struct igr_method_response *r = &m->responses[m->n_responses++];
    memset(r, 0, sizeof(*r));
    r->status_code = xstrdup(status_code);
    return r;
}

void igr_method_response_add_header(struct igr_method_response *r,
                                    const char *header)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        if (strcmp(r->headers[i], header) == 0) {
            return;
        }
    }
    r->headers =
        xreallocarray(r->headers, r->n_headers + 1, sizeof(*r->headers));
    r->headers[r->n_headers++] = xstrdup(header);
}

static void item_release(struct igr_plan_item *it)
{
    igr_record_release(&it->record);
    for (size_t i = 0; i < it->n_headers; i++) {
        free(it->headers[i]);
    }
    free(it->headers);
    free(it->resource_id);
}

void igr_plan_release(struct igr_plan *plan)
{
    if (!plan) {
        return;
    }
    for (size_t i = 0; i < plan->len; i++) {
        item_release(&plan->items[i]);
    }
    free(plan->items);
    igr_list_release(&plan->kept);
    memset(plan, 0, sizeof(*plan));
}

static struct igr_plan_item *plan_add(struct igr_plan *p,
                                      enum igr_plan_action action,
                                      const struct igr_record *rec,
                                      const char *resource_id)
{
    if (p->len == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->items = xreallocarray(p->items, p->cap, sizeof(*p->items));
    }
    struct igr_plan_item *it = &p->items[p->len++];
    memset(it, 0, sizeof(*it));
    it->action = action;
    igr_record_copy(&it->record, rec);
    it->resource_id = resource_id ? xstrdup(resource_id) : NULL;
    return it;
}

static void item_add_header(struct igr_plan_item *it, const char *h)
{
    for (size_t i = 0; i < it->n_headers; i++) {
        if (strcmp(it->headers[i], h) == 0) {
            return;
        }
    }
    it->headers =
        xreallocarray(it->headers, it->n_headers + 1, sizeof(*it->headers));
    it->headers[it->n_headers++] = xstrdup(h);
}

static const struct igr_live_method *
find_method(const struct igr_live *live, const char *path, const char *method)
{
    for (size_t i = 0; i < live->n_methods; i++) {
        if (strcmp(live->methods[i].path, path) == 0 &&
            strcmp(live->methods[i].http_method, method) == 0) {
            return &live->methods[i];
        }
    }
    return NULL;
}

static const struct igr_method_response *
find_response(const struct igr_live_method *m, const char *status)
{
    for (size_t i = 0; i < m->n_responses; i++) {
        if (strcmp(m->responses[i].status_code, status) == 0) {
            return &m->responses[i];
        }
    }
    return NULL;
}

static bool has_header(const struct igr_method_response *r, const char *h)
{
    for (size_t i = 0; r && i < r->n_headers; i++) {
        if (strcmp(r->headers[i], h) == 0) {
            return true;
        }
    }
    return false;
}

static unsigned diff_fields(const struct igr_record *a,
                            const struct igr_record *b)
{
    unsigned f = 0;
    bool pa = a->selection_pattern != NULL;
    bool pb = b->selection_pattern != NULL;
    if (pa != pb ||
        (pa && strcmp(a->selection_pattern, b->selection_pattern) != 0)) {
        f |= IGR_FIELD_SELECTION_PATTERN;
    }
    if (!igr_map_equal(&a->response_parameters, &b->response_parameters)) {
        f |= IGR_FIELD_RESPONSE_PARAMETERS;
    }
    if (!igr_map_equal(&a->response_templates, &b->response_templates)) {
        f |= IGR_FIELD_RESPONSE_TEMPLATES;
    }
    bool ca = a->content_handling != NULL;
    bool cb = b->content_handling != NULL;
    if (ca != cb ||
        (ca && strcmp(a->content_handling, b->content_handling) != 0)) {
        f |= IGR_FIELD_CONTENT_HANDLING;
    }
    return f;
}

static const struct igr_record *find_record(const struct igr_list *l,
                                            const struct igr_record *target)
{
    for (size_t i = 0; i < l->len; i++) {
        if (igr_record_same_target(&l->items[i], target)) {
            return &l->items[i];
        }
    }
    return NULL;
}

static const char *header_of(const char *key)
{
    static const char prefix[] = "method.response.header.";
    return strncmp(key, prefix, sizeof(prefix) - 1) == 0 ? key : NULL;
}

int igr_plan_build(const struct igr_list *desired, const struct igr_live *live,
                   bool prune, struct igr_plan *out,
                   struct oag_error_list *problems)
{
    igr_plan_release(out);
    size_t errors = 0;
    bool *done = xcalloc(desired->len + 1, sizeof(*done));
    for (size_t i = 0; i < desired->len; i++) {
        if (done[i]) {
            continue;
        }
        const struct igr_record *first = &desired->items[i];
        const struct igr_live_method *m =
            find_method(live, first->path, first->http_method);
        if (!m || !m->has_integration) {
            errors++;
            if (problems) {
                oag_error_list_add(
                    problems, OAG_SEV_ERROR, OAG_ERR_INVALID, NULL, 0, 0, NULL,
                    m ? "method %s %s has no integration in the API: use "
                        "--mode merge to create it from the document"
                      : "method %s %s does not exist in the API: use --mode "
                        "merge to create it from the document",
                    first->http_method, first->path);
            }
            for (size_t j = i; j < desired->len; j++) {
                if (igr_record_same_target(&desired->items[j], first) ||
                    (strcmp(desired->items[j].path, first->path) == 0 &&
                     strcmp(desired->items[j].http_method,
                            first->http_method) == 0)) {
                    done[j] = true;
                }
            }
            continue;
        }
        /* method responses first: one item per status code */
        size_t method_start = out->len;
        for (size_t j = i; j < desired->len; j++) {
            const struct igr_record *r = &desired->items[j];
            if (strcmp(r->path, first->path) != 0 ||
                strcmp(r->http_method, first->http_method) != 0) {
                continue;
            }
            const struct igr_method_response *mr =
                find_response(m, r->status_code);
            struct igr_plan_item *it = NULL;
            for (size_t k = method_start; k < out->len; k++) {
                if (strcmp(out->items[k].record.status_code, r->status_code) ==
                    0) {
                    it = &out->items[k];
                }
            }
            if (!mr && !it) {
                struct igr_record key = { 0 };
                key.path = r->path;
                key.http_method = r->http_method;
                key.status_code = r->status_code;
                it = plan_add(out, IGR_PLAN_PUT_METHOD_RESPONSE, &key,
                              m->resource_id);
            }
            for (size_t k = 0; k < r->response_parameters.len; k++) {
                const char *h = header_of(r->response_parameters.items[k].key);
                if (!h || has_header(mr, h)) {
                    continue;
                }
                if (!it) {
                    struct igr_record key = { 0 };
                    key.path = r->path;
                    key.http_method = r->http_method;
                    key.status_code = r->status_code;
                    it = plan_add(out, IGR_PLAN_UPDATE_METHOD_RESPONSE, &key,
                                  m->resource_id);
                }
                item_add_header(it, h);
            }
        }
        /* then the integration responses, in record order */
        for (size_t j = i; j < desired->len; j++) {
            const struct igr_record *r = &desired->items[j];
            if (strcmp(r->path, first->path) != 0 ||
                strcmp(r->http_method, first->http_method) != 0) {
                continue;
            }
            done[j] = true;
            const struct igr_record *have = find_record(&live->records, r);
            if (!have) {
                plan_add(out, IGR_PLAN_ADD, r, m->resource_id);
            } else if (!igr_record_same_content(r, have)) {
                struct igr_plan_item *it =
                    plan_add(out, IGR_PLAN_CHANGE, r, m->resource_id);
                it->fields = diff_fields(have, r);
            } else {
                out->n_unchanged++;
            }
        }
    }
    free(done);
    /* live records the document does not have */
    for (size_t i = 0; i < live->records.len; i++) {
        const struct igr_record *r = &live->records.items[i];
        if (find_record(desired, r)) {
            continue;
        }
        if (prune) {
            const struct igr_live_method *m =
                find_method(live, r->path, r->http_method);
            plan_add(out, IGR_PLAN_DELETE, r,
                     m ? m->resource_id : r->resource_id);
        } else {
            out->n_kept++;
            igr_record_copy(igr_list_add(&out->kept), r);
        }
    }
    return errors ? -1 : 0;
}

void igr_plan_count(const struct igr_plan *plan, size_t *out_add,
                    size_t *out_change, size_t *out_delete)
{
    size_t a = 0;
    size_t c = 0;
    size_t d = 0;
    for (size_t i = 0; i < plan->len; i++) {
        switch (plan->items[i].action) {
        case IGR_PLAN_ADD:
            a++;
            break;
        case IGR_PLAN_CHANGE:
            c++;
            break;
        case IGR_PLAN_DELETE:
            d++;
            break;
        default:
            break;
        }
    }
    *out_add = a;
    *out_change = c;
    *out_delete = d;
}

char *igr_plan_fields_describe(unsigned fields)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        { IGR_FIELD_SELECTION_PATTERN, "selectionPattern" },
        { IGR_FIELD_RESPONSE_PARAMETERS, "responseParameters" },
        { IGR_FIELD_RESPONSE_TEMPLATES, "responseTemplates" },
        { IGR_FIELD_CONTENT_HANDLING, "contentHandling" },
    };
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (fields & names[i].bit) {
            if (b.len) {
                buf_adds(&b, ", ");
            }
            buf_adds(&b, names[i].name);
        }
    }
    return buf_detach(&b, NULL);
}
