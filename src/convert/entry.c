/*
 * One entry of an x-amazon-apigateway-integration.responses map -> one
 * record, with the model's equivalences (apigateway.md 2.3-2.4): the keys
 * `default`, "" and "-" are the catch-all (no selection pattern); an
 * integer statusCode is its decimal text; a null template is ""; absent,
 * null and {} maps are empty.
 */
#include "convert/convert_internal.h"

#include <stdlib.h>
#include <string.h>

#include "doc/pointer.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

bool conv_key_is_default(const char *key)
{
    return strcmp(key, "default") == 0 || key[0] == '\0' ||
           strcmp(key, "-") == 0;
}

/*
 * Where the node at rel of tree is (the deepest node found): a member's
 * key when rel itself is found, else a value's start; 0:0 when none is.
 */
static void tree_locate(const struct doc_tree *tree, const char *rel,
                        unsigned long *out_line, unsigned long *out_col)
{
    char *probe = xstrdup(rel);
    for (;;) {
        const struct doc_pos *p = doc_tree_find(tree, probe);
        if (p) {
            /* members point at their key, which is where people look */
            const struct doc_mark *m =
                p->is_member && strcmp(probe, rel) == 0 ? &p->key : &p->start;
            *out_line = m->line;
            *out_col = m->column;
            break;
        }
        char *slash = strrchr(probe, '/');
        if (!slash) {
            break;
        }
        *slash = '\0';
    }
    free(probe);
}

void conv_op_locate(const struct conv_op *op, const struct doc_tree *tree,
                    const char *rel, const char *base_suffix,
                    unsigned long *out_line, unsigned long *out_col,
                    char **out_pointer)
{
    *out_line = 0;
    *out_col = 0;
    if (op && op->fast_block && tree == &op->responses) {
        /* read from events (validate): the kept events say where */
        struct doc_mark m = conv_fast_block_locate(op->fast_block, rel);
        *out_line = m.line;
        *out_col = m.column;
    } else {
        tree_locate(tree, rel, out_line, out_col);
    }
    if (*out_line == 0 && op) {
        *out_line = op->integration_mark.line;
        *out_col = op->integration_mark.column;
    }
    *out_pointer = xstrfmt("%s%s%s", op ? op->pointer : "", base_suffix, rel);
}

static void entry_error(const struct conv_op *op, const char *file,
                        struct oag_error_list *diags, const char *rel,
                        const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void entry_error(const struct conv_op *op, const char *file,
                        struct oag_error_list *diags, const char *rel,
                        const char *fmt, ...)
{
    if (!diags) {
        return;
    }
    unsigned long line;
    unsigned long col;
    char *ptr;
    conv_op_locate(op, &op->responses, rel,
                   "/x-amazon-apigateway-integration/responses", &line, &col,
                   &ptr);
    struct oag_error e = OAG_ERROR_INIT;
    va_list ap;
    va_start(ap, fmt);
    oag_error_vset(&e, OAG_ERR_INVALID, fmt, ap);
    va_end(ap);
    oag_error_set_where(&e, file, line, col, ptr);
    free(ptr);
    oag_error_list_take(diags, OAG_SEV_ERROR, &e);
}

static int read_map(const struct conv_op *op, const char *file,
                    struct oag_error_list *diags, const char *entry_ptr,
                    const char *field, json_t *v, bool null_is_empty,
                    struct igr_map *out)
{
    if (!v || json_is_null(v)) {
        return 0;
    }
    struct buf rel = BUF_INIT;
    buf_adds(&rel, entry_ptr);
    jptr_append(&rel, field, strlen(field));
    int rc = 0;
    if (!json_is_object(v)) {
        entry_error(op, file, diags, buf_str(&rel), "'%s' must be a mapping",
                    field);
        buf_release(&rel);
        return -1;
    }
    const char *k;
    json_t *m;
    json_object_foreach (v, k, m) {
        if (json_is_string(m)) {
            igr_map_set(out, k, json_string_value(m));
        } else if (json_is_null(m) && null_is_empty) {
            igr_map_set(out, k, "");
        } else {
            size_t len = rel.len;
            jptr_append(&rel, k, strlen(k));
            entry_error(op, file, diags, buf_str(&rel),
                        "value of '%s' in '%s' must be a string", k, field);
            buf_truncate(&rel, len);
            rc = -1;
        }
    }
    buf_release(&rel);
    return rc;
}

int conv_entry_to_record(const struct conv_op *op, const char *resource_path,
                         const char *key, json_t *value, const char *file,
                         struct igr_record *out, struct oag_error_list *diags)
{
    igr_record_release(out);
    struct buf rel = BUF_INIT;
    jptr_append(&rel, key, strlen(key));
    int rc = -1;
    if (!json_is_object(value)) {
        entry_error(op, file, diags, buf_str(&rel),
                    "integration response '%s' is not a mapping", key);
        goto out;
    }
    json_t *status = json_object_get(value, "statusCode");
    if (json_is_string(status)) {
        out->status_code = xstrdup(json_string_value(status));
    } else if (json_is_integer(status)) {
        out->status_code =
            xstrfmt("%" JSON_INTEGER_FORMAT, json_integer_value(status));
    } else {
        char *p = xstrfmt("%s/statusCode", buf_str(&rel));
        entry_error(op, file, diags, status ? p : buf_str(&rel),
                    status ? "statusCode of '%s' must be a string such as "
                             "\"200\""
                           : "integration response '%s' has no statusCode",
                    key);
        free(p);
        goto out;
    }
    out->path = xstrdup(resource_path);
    out->http_method = xstrdup(op->http_method);
    out->selection_pattern = conv_key_is_default(key) ? NULL : xstrdup(key);
    int bad = 0;
    bad |= read_map(op, file, diags, buf_str(&rel), "responseParameters",
                    json_object_get(value, "responseParameters"), false,
                    &out->response_parameters);
    bad |= read_map(op, file, diags, buf_str(&rel), "responseTemplates",
                    json_object_get(value, "responseTemplates"), true,
                    &out->response_templates);
    json_t *ch = json_object_get(value, "contentHandling");
    if (json_is_string(ch)) {
        out->content_handling = xstrdup(json_string_value(ch));
    } else if (ch && !json_is_null(ch)) {
        char *p = xstrfmt("%s/contentHandling", buf_str(&rel));
        entry_error(op, file, diags, p, "contentHandling must be a string");
        free(p);
        bad = -1;
    }
    if (bad) {
        goto out;
    }
    rc = 0;
out:
    if (rc != 0) {
        igr_record_release(out);
    }
    buf_release(&rel);
    return rc;
}
