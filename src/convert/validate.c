/*
 * validate: every problem API Gateway would reject, and warnings for what
 * it accepts but surprises users (apigateway.md sections 1-5).  The walk is
 * streaming; checks that need a shared response definition
 * (`$ref: '#/components/responses/X'`, Swagger's '#/responses/X') wait for
 * the end of the document, where those definitions are known.
 */
#include "convert/convert_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc/pointer.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strset.h"
#include "util/xalloc.h"

/* A header mapping whose declared response is a $ref. */
struct pending_ref {
    char *ref;    /* "#/components/responses/X" */
    char *header; /* header name */
    char *status;
    char *file;
    unsigned long line;
    unsigned long col;
    char *pointer;
};

struct validate_ctx {
    struct conv_summary *summary; /* NULL unless inspecting */
    struct strset good_patterns;  /* patterns already compiled fine */
    const char *file;
    struct oag_error_list *diags;
    struct pending_ref *pending;
    size_t n_pending;
    size_t cap_pending;
    struct conv_fast *fast; /* reads responses blocks from events */
};

static void add(struct validate_ctx *v, enum oag_severity sev,
                const struct conv_op *op, const struct doc_tree *tree,
                const char *rel, const char *suffix, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void add(struct validate_ctx *v, enum oag_severity sev,
                const struct conv_op *op, const struct doc_tree *tree,
                const char *rel, const char *suffix, const char *fmt, ...)
{
    unsigned long line;
    unsigned long col;
    char *ptr;
    conv_op_locate(op, tree, rel, suffix, &line, &col, &ptr);
    struct oag_error e = OAG_ERROR_INIT;
    va_list ap;
    va_start(ap, fmt);
    oag_error_vset(&e, OAG_ERR_INVALID, fmt, ap);
    va_end(ap);
    oag_error_set_where(&e, v->file, line, col, ptr);
    free(ptr);
    oag_error_list_take(v->diags, sev, &e);
}

#define RESP_SUFFIX "/x-amazon-apigateway-integration/responses"

/* The declared method response for status (string or integer key). */
static json_t *declared_response(const struct conv_op *op, const char *status)
{
    json_t *resp = op->declared.root;
    if (!json_is_object(resp)) {
        return NULL;
    }
    return json_object_get(resp, status);
}

static json_t *resolve_ref(const struct conv_root *root, const char *ref)
{
    static const char oas3[] = "#/components/responses/";
    static const char sw2[] = "#/responses/";
    if (strncmp(ref, oas3, sizeof(oas3) - 1) == 0) {
        return json_object_get(root->components_responses.root,
                               ref + sizeof(oas3) - 1);
    }
    if (strncmp(ref, sw2, sizeof(sw2) - 1) == 0) {
        return json_object_get(root->swagger_responses.root,
                               ref + sizeof(sw2) - 1);
    }
    return NULL;
}

static const char *find_header_ci(json_t *headers, const char *name)
{
    const char *k;
    json_t *m;
    json_object_foreach (headers, k, m) {
        if (strcasecmp(k, name) == 0) {
            return k;
        }
    }
    return NULL;
}

/* "<entry>/<field>/<key>" for a member of a map field of an entry. */
static char *param_rel(const struct buf *entry_rel, const char *field,
                       const char *key)
{
    struct buf b = BUF_INIT;
    buf_add(&b, entry_rel->data, entry_rel->len);
    jptr_append(&b, field, strlen(field));
    jptr_append(&b, key, strlen(key));
    return buf_detach(&b, NULL);
}

/*
 * Header (of parameter param_key of the entry at entry_rel) against the
 * declared response; the parameter's pointer is spelled out only when
 * there is something to say or to check later.
 */
static void check_header_declared(struct validate_ctx *v,
                                  const struct conv_op *op, json_t *declared,
                                  const char *status, const char *header,
                                  const struct buf *entry_rel,
                                  const char *param_key)
{
    json_t *ref = json_object_get(declared, "$ref");
    json_t *headers = json_object_get(declared, "headers");
    if (!json_is_string(ref) && json_object_get(headers, header)) {
        return;
    }
    char *rel = param_rel(entry_rel, "responseParameters", param_key);
    if (json_is_string(ref)) {
        if (v->n_pending == v->cap_pending) {
            v->cap_pending = v->cap_pending ? v->cap_pending * 2 : 8;
            v->pending =
                xreallocarray(v->pending, v->cap_pending, sizeof(*v->pending));
        }
        struct pending_ref *p = &v->pending[v->n_pending++];
        memset(p, 0, sizeof(*p));
        p->ref = xstrdup(json_string_value(ref));
        p->header = xstrdup(header);
        p->status = xstrdup(status);
        conv_op_locate(op, &op->responses, rel, RESP_SUFFIX, &p->line, &p->col,
                       &p->pointer);
        free(rel);
        return;
    }
    const char *near =
        json_is_object(headers) ? find_header_ci(headers, header) : NULL;
    if (near) {
        add(v, OAG_SEV_ERROR, op, &op->responses, rel, RESP_SUFFIX,
            "header '%s' is not declared in the '%s' response's headers "
            "(header names are case-sensitive: it declares '%s')",
            header, status, near);
    } else {
        add(v, OAG_SEV_ERROR, op, &op->responses, rel, RESP_SUFFIX,
            "header '%s' is mapped but not declared in the '%s' response's "
            "headers of %s %s: API Gateway answers 'Invalid mapping "
            "expression parameter specified: method.response.header.%s'",
            header, status, op->http_method, op->doc_path, header);
    }
    free(rel);
}

/* Large documents repeat a few patterns: compile each once. */
static int check_pattern(struct validate_ctx *v, const char *key,
                         struct oag_error *e)
{
    if (strset_find(&v->good_patterns, key, NULL)) {
        return 0;
    }
    if (igr_check_selection_pattern(key, e) != 0) {
        return -1;
    }
    strset_add(&v->good_patterns, key, 0);
    return 0;
}

/*
 * The checks of one entry (key, rec) of op's responses block.  value is
 * the entry as a tree (for fields that are not an integration response's),
 * or NULL when the block was read from events, which hold no others.
 */
static void check_entry(struct validate_ctx *v, const struct conv_op *op,
                        const char *key, const struct igr_record *rec,
                        json_t *value, bool lambda)
{
    struct buf rel = BUF_INIT;
    jptr_append(&rel, key, strlen(key));
    struct oag_error e = OAG_ERROR_INIT;
    if (!conv_key_is_default(key) && check_pattern(v, key, &e) != 0) {
        add(v, OAG_SEV_ERROR, op, &op->responses, buf_str(&rel), RESP_SUFFIX,
            "%s", e.message);
        oag_error_release(&e);
    } else if (!conv_key_is_default(key) && lambda &&
               igr_pattern_dot_misses_newlines(key)) {
        add(v, OAG_SEV_WARNING, op, &op->responses, buf_str(&rel), RESP_SUFFIX,
            "selection pattern '%s' uses '.', which does not match line "
            "breaks in Lambda error messages; use (\\n|.)* or (?s) if "
            "messages can span lines",
            key);
    }
    if (strcmp(key, "-") == 0 || key[0] == '\0') {
        add(v, OAG_SEV_WARNING, op, &op->responses, buf_str(&rel), RESP_SUFFIX,
            "key '%s' is read as the catch-all; write 'default' instead", key);
    }
    const char *k;
    json_t *m;
    json_object_foreach (value, k, m) {
        if (strcmp(k, "statusCode") != 0 &&
            strcmp(k, "responseParameters") != 0 &&
            strcmp(k, "responseTemplates") != 0 &&
            strcmp(k, "contentHandling") != 0) {
            char *p = jptr_join(buf_str(&rel), k);
            add(v, OAG_SEV_WARNING, op, &op->responses, p, RESP_SUFFIX,
                "'%s' is not a field of an integration response%s; API "
                "Gateway ignores it",
                k,
                strcmp(k, "selectionPattern") == 0
                    ? " (the selection pattern is the key)"
                    : "");
            free(p);
        }
    }
    const char *code = rec->status_code;
    json_t *declared = NULL;
    if (code && !igr_status_code_is_valid(code)) {
        char *p = jptr_join(buf_str(&rel), "statusCode");
        add(v, OAG_SEV_ERROR, op, &op->responses, p, RESP_SUFFIX,
            "status code '%s' does not match [1-5]\\d\\d", code);
        free(p);
    } else if (code) {
        declared = declared_response(op, code);
        if (!declared) {
            char *p = jptr_join(buf_str(&rel), "statusCode");
            add(v, OAG_SEV_ERROR, op, &op->responses, p, RESP_SUFFIX,
                "status code '%s' has no method response: add '%s' to the "
                "responses of %s %s",
                code, code, op->http_method, op->doc_path);
            free(p);
        }
    }
    const struct igr_map *params = &rec->response_parameters;
    for (size_t i = 0; i < params->len; i++) {
        const char *pk = params->items[i].key;
        const char *header = NULL;
        char *p = NULL;
        if (igr_check_header_key(pk, &header, &e) != 0) {
            p = param_rel(&rel, "responseParameters", pk);
            add(v, OAG_SEV_ERROR, op, &op->responses, p, RESP_SUFFIX, "%s",
                e.message);
            oag_error_release(&e);
        } else if (declared && json_is_object(declared)) {
            check_header_declared(v, op, declared, code, header, &rel, pk);
        }
        if (igr_check_source_expression(params->items[i].value, &e) != 0) {
            if (!p) {
                p = param_rel(&rel, "responseParameters", pk);
            }
            add(v, OAG_SEV_ERROR, op, &op->responses, p, RESP_SUFFIX, "%s",
                e.message);
            oag_error_release(&e);
        }
        free(p);
    }
    const struct igr_map *templates = &rec->response_templates;
    for (size_t i = 0; i < templates->len; i++) {
        const char *tk = templates->items[i].key;
        if (igr_check_media_type(tk, &e) != 0) {
            char *p = param_rel(&rel, "responseTemplates", tk);
            add(v, OAG_SEV_ERROR, op, &op->responses, p, RESP_SUFFIX, "%s",
                e.message);
            oag_error_release(&e);
            free(p);
        }
    }
    const char *ch = rec->content_handling;
    if (ch && !igr_content_handling_is_valid(ch)) {
        char *p = jptr_join(buf_str(&rel), "contentHandling");
        add(v, OAG_SEV_ERROR, op, &op->responses, p, RESP_SUFFIX,
            "contentHandling '%s' is not CONVERT_TO_BINARY or "
            "CONVERT_TO_TEXT",
            ch);
        free(p);
    }
    buf_release(&rel);
}

static bool is_lambda(const struct conv_op *op)
{
    return op->integration_type &&
           strcasecmp(op->integration_type, "aws") == 0 &&
           op->integration_uri && strstr(op->integration_uri, ":lambda:");
}

static bool is_proxy(const struct conv_op *op)
{
    return op->integration_type &&
           (strcasecmp(op->integration_type, "aws_proxy") == 0 ||
            strcasecmp(op->integration_type, "http_proxy") == 0);
}

static int on_op(void *vctx, struct conv_op *op, const struct conv_root *root,
                 struct oag_error *err)
{
    struct validate_ctx *v = vctx;
    if (v->summary) {
        struct conv_summary *s = v->summary;
        s->ops = xreallocarray(s->ops, s->n_ops + 1, sizeof(*s->ops));
        s->ops[s->n_ops].path = xstrdup(op->doc_path);
        s->ops[s->n_ops].http_method = xstrdup(op->http_method);
        s->n_ops++;
    }
    json_t *resp = op->responses.root;
    if (!op->has_responses || (!op->fast && (!resp || json_is_null(resp)))) {
        return 0;
    }
    if (!op->fast && !json_is_object(resp)) {
        add(v, OAG_SEV_ERROR, op, &op->responses, "", RESP_SUFFIX,
            "x-amazon-apigateway-integration.responses must be a mapping of "
            "selection patterns to responses");
        return 0;
    }
    /* the entries: their keys, records (as extract sees them) and trees */
    struct igr_list recs = { 0 };
    const char **keys = NULL;
    json_t **values = NULL;
    size_t n = 0;
    if (op->fast) {
        recs = op->fast_records;
        memset(&op->fast_records, 0, sizeof(op->fast_records));
        n = recs.len;
        keys = xreallocarray(NULL, n ? n : 1, sizeof(*keys));
        for (size_t i = 0; i < n; i++) {
            keys[i] = conv_fast_block_key(op->fast_block, i);
        }
    } else {
        size_t size = json_object_size(resp);
        keys = xreallocarray(NULL, size ? size : 1, sizeof(*keys));
        values = xreallocarray(NULL, size ? size : 1, sizeof(*values));
        const char *key;
        json_t *value;
        json_object_foreach (resp, key, value) {
            struct igr_record rec = { 0 };
            if (conv_entry_to_record(op, op->doc_path, key, value, v->file,
                                     &rec, v->diags) != 0) {
                continue;
            }
            *igr_list_add(&recs) = rec;
            keys[n] = key;
            values[n] = value;
            n++;
        }
    }
    if (is_proxy(op) && (op->fast ? recs.len : json_object_size(resp)) > 0) {
        add(v, OAG_SEV_WARNING, op, &op->responses, "", RESP_SUFFIX,
            "integration responses on this %s integration are not used: API "
            "Gateway passes the backend's response through",
            op->integration_type);
    }
    const char *default_key = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *key = keys[i];
        if (conv_key_is_default(key)) {
            if (default_key) {
                char *rel = jptr_join("", key);
                add(v, OAG_SEV_ERROR, op, &op->responses, rel, RESP_SUFFIX,
                    "more than one catch-all response ('%s' and '%s'): API "
                    "Gateway allows one integration response without a "
                    "selection pattern",
                    default_key, key);
                free(rel);
            }
            default_key = key;
        }
        check_entry(v, op, key, &recs.items[i], values ? values[i] : NULL,
                    is_lambda(op));
    }
    /* two entries with one status code: AWS keeps one per status code */
    for (size_t i = 0; i < n; i++) {
        const char *a = recs.items[i].status_code;
        for (size_t j = i + 1; j < n; j++) {
            if (a && recs.items[j].status_code &&
                strcmp(a, recs.items[j].status_code) == 0) {
                char *rel = jptr_join("", keys[j]);
                add(v, OAG_SEV_ERROR, op, &op->responses, rel, RESP_SUFFIX,
                    "status code '%s' is used by '%s' and '%s': API Gateway "
                    "keeps one integration response per status code (the "
                    "last one)",
                    a, keys[i], keys[j]);
                free(rel);
                break;
            }
        }
    }
    igr_list_release(&recs);
    free(keys);
    free(values);
    (void)root;
    (void)err;
    return 0;
}

/*
 * A responses block of the common shape is read from events, and its
 * events are kept so that a problem found later has its exact place; any
 * other block becomes a tree with positions (conv_walk).
 */
static int read_responses(void *vctx, struct doc_reader *r, struct conv_op *op,
                          struct doc_event *first, struct oag_error *err)
{
    struct validate_ctx *v = vctx;
    int rc = conv_fast_read(v->fast, r, op, first, err);
    if (rc == 1) {
        op->fast_block = conv_fast_take(v->fast, first);
    }
    return rc;
}

static void finish_pending(struct validate_ctx *v, const struct conv_root *root,
                           bool report)
{
    for (size_t i = 0; i < v->n_pending; i++) {
        struct pending_ref *p = &v->pending[i];
        json_t *resp = report ? resolve_ref(root, p->ref) : NULL;
        if (!report) {
            /* the walk stopped early: nothing to say about these */
        } else if (!resp) {
            oag_error_list_add(v->diags, OAG_SEV_WARNING, OAG_ERR_INVALID,
                               v->file, p->line, p->col, p->pointer,
                               "cannot check header '%s': the '%s' response "
                               "refers to '%s', which is not in this "
                               "document",
                               p->header, p->status, p->ref);
        } else if (!json_object_get(json_object_get(resp, "headers"),
                                    p->header)) {
            oag_error_list_add(v->diags, OAG_SEV_ERROR, OAG_ERR_INVALID,
                               v->file, p->line, p->col, p->pointer,
                               "header '%s' is mapped but not declared in "
                               "the headers of '%s' (the '%s' response)",
                               p->header, p->ref, p->status);
        }
        free(p->ref);
        free(p->header);
        free(p->status);
        free(p->file);
        free(p->pointer);
    }
    free(v->pending);
    v->pending = NULL;
    v->n_pending = 0;
}

static int validate_reader(struct doc_reader *r,
                           const struct conv_options *opts,
                           struct conv_summary *summary,
                           struct oag_error_list *diags)
{
    struct validate_ctx v = {
        .file = doc_reader_name(r),
        .diags = diags,
        .summary = summary,
        .fast = opts->tree_only ? NULL : conv_fast_new(),
    };
    struct conv_walk_options wo = {
        .tree_flags = DOC_TREE_POSITIONS,
        .diags = diags,
        .read_responses = v.fast ? read_responses : NULL,
        .read_ctx = &v,
    };
    struct conv_root root;
    struct oag_error err = OAG_ERROR_INIT;
    int rc = conv_walk(r, &wo, on_op, &v, &root, &err);
    if (rc != 0) {
        oag_error_list_take(diags, OAG_SEV_ERROR, &err);
    } else {
        if (root.version == CONV_VERSION_OAS_31) {
            oag_error_list_add(diags, OAG_SEV_NOTE, OAG_ERR_UNSUPPORTED, v.file,
                               root.version_mark.line, root.version_mark.column,
                               "/openapi",
                               "API Gateway does not import OpenAPI 3.1; "
                               "'oas2apigw import' converts the document to "
                               "3.0 for PutRestApi");
        }
    }
    finish_pending(&v, &root, rc == 0);
    strset_release(&v.good_patterns);
    conv_fast_free(v.fast);
    if (summary && rc == 0) {
        summary->version = root.version;
        summary->title = root.title ? xstrdup(root.title) : NULL;
        summary->version_start = root.version_mark.offset;
        summary->version_end = root.version_end.offset;
        summary->has_webhooks = root.has_webhooks;
        for (size_t i = 0; i < summary->n_ops; i++) {
            char *p =
                conv_resource_path(&root, summary->ops[i].path, opts->basepath);
            free(summary->ops[i].path);
            summary->ops[i].path = p;
        }
    }
    conv_root_release(&root);
    oag_error_release(&err);
    return rc;
}

int conv_validate_file(const char *path, const char *name,
                       const struct conv_options *opts,
                       struct oag_error_list *diags)
{
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r = doc_reader_new_file(path, name, &opts->limits, &err);
    if (!r) {
        oag_error_list_take(diags, OAG_SEV_ERROR, &err);
        return -1;
    }
    int rc = validate_reader(r, opts, NULL, diags);
    doc_reader_free(r);
    return rc;
}

int conv_validate_memory(const char *data, size_t len, const char *name,
                         const struct conv_options *opts,
                         struct oag_error_list *diags)
{
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r =
        doc_reader_new_memory(data, len, name, &opts->limits, &err);
    if (!r) {
        oag_error_list_take(diags, OAG_SEV_ERROR, &err);
        return -1;
    }
    int rc = validate_reader(r, opts, NULL, diags);
    doc_reader_free(r);
    return rc;
}

void conv_summary_release(struct conv_summary *s)
{
    if (!s) {
        return;
    }
    free(s->title);
    for (size_t i = 0; i < s->n_ops; i++) {
        free(s->ops[i].path);
        free(s->ops[i].http_method);
    }
    free(s->ops);
    memset(s, 0, sizeof(*s));
}

int conv_inspect_memory(const char *data, size_t len, const char *name,
                        const struct conv_options *opts,
                        struct conv_summary *out, struct oag_error_list *diags)
{
    conv_summary_release(out);
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r =
        doc_reader_new_memory(data, len, name, &opts->limits, &err);
    if (!r) {
        oag_error_list_take(diags, OAG_SEV_ERROR, &err);
        return -1;
    }
    int rc = validate_reader(r, opts, out, diags);
    doc_reader_free(r);
    return rc;
}

void conv_downlevel_31(const char *data, size_t len,
                       const struct conv_summary *s, const char *name,
                       struct buf *out, struct oag_error_list *notes)
{
    size_t a = s->version_start;
    size_t b = s->version_end;
    if (b <= a || b > len) {
        buf_add(out, data, len);
        return;
    }
    char q = data[a] == '"' || data[a] == '\'' ? data[a] : 0;
    buf_add(out, data, a);
    if (q) {
        buf_addch(out, q);
    }
    buf_adds(out, "3.0.3");
    if (q) {
        buf_addch(out, q);
    }
    buf_add(out, data + b, len - b);
    oag_error_list_add(notes, OAG_SEV_NOTE, OAG_ERR_UNSUPPORTED, name, 0, 0,
                       "/openapi",
                       "API Gateway does not import OpenAPI 3.1: the "
                       "document is sent as 3.0.3 (only the version "
                       "changes; 3.1-only schema keywords such as type "
                       "arrays and const are sent as written)");
    if (s->has_webhooks) {
        oag_error_list_add(notes, OAG_SEV_NOTE, OAG_ERR_UNSUPPORTED, name, 0, 0,
                           "/webhooks",
                           "'webhooks' has no meaning for API Gateway and is "
                           "ignored by it");
    }
}
