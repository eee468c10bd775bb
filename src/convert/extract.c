/*
 * extract: document -> records, streaming.  Records go to the caller's
 * function as each path item ends, except when the resource paths depend on
 * a base path that the document declares after `paths` (prepend/split with
 * servers or basePath later in the file): those records wait for the end.
 */
#include "convert/convert_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

struct extract_ctx {
    const struct conv_options *opts;
    conv_record_fn fn;
    void *fn_ctx;
    const char *file;
    struct oag_error_list *diags;
    struct igr_list pending; /* records whose path waits for the base path */
    bool defer;
};

static int read_responses(void *vctx, struct doc_reader *r, struct conv_op *op,
                          struct doc_event *first, struct oag_error *err)
{
    return conv_fast_read(vctx, r, op, first, err);
}

static int on_op(void *vctx, struct conv_op *op, const struct conv_root *root,
                 struct oag_error *err)
{
    struct extract_ctx *x = vctx;
    json_t *resp = op->responses.root;
    if (!op->has_responses || (!op->fast && (!resp || json_is_null(resp)))) {
        return 0;
    }
    if (!op->fast && !json_is_object(resp)) {
        if (x->diags) {
            unsigned long line = op->span.resp_key.line;
            unsigned long col = op->span.resp_key.column;
            char *p = xstrfmt("%s/x-amazon-apigateway-integration/responses",
                              op->pointer);
            oag_error_list_add(x->diags, OAG_SEV_ERROR, OAG_ERR_INVALID,
                               x->file, line, col, p,
                               "x-amazon-apigateway-integration.responses "
                               "must be a mapping of selection patterns to "
                               "responses");
            free(p);
        }
        return 0;
    }
    x->defer =
        x->opts->basepath != CONV_BASEPATH_IGNORE && !root->base_known_at_paths;
    char *rpath =
        x->defer ? xstrdup(op->doc_path)
                 : conv_resource_path(root, op->doc_path, x->opts->basepath);
    int rc = 0;
    const char *key;
    json_t *value;
    /* entries sharing a status code: API Gateway keeps the last one */
    struct igr_list recs = { 0 };
    if (op->fast) {
        recs = op->fast_records;
        memset(&op->fast_records, 0, sizeof(op->fast_records));
        for (size_t i = 0; i < recs.len; i++) {
            struct igr_record *r = &recs.items[i];
            r->path = xstrdup(rpath);
            r->http_method = xstrdup(op->http_method);
            for (size_t j = 0; j < i; j++) {
                if (recs.items[j].status_code &&
                    strcmp(recs.items[j].status_code, r->status_code) == 0) {
                    igr_record_release(&recs.items[j]);
                }
            }
        }
        resp = NULL;
    }
    json_object_foreach (resp, key, value) {
        struct igr_record rec = { 0 };
        if (conv_entry_to_record(op, rpath, key, value, x->file, &rec,
                                 x->diags) != 0) {
            continue;
        }
        for (size_t i = 0; i < recs.len; i++) {
            if (recs.items[i].status_code &&
                strcmp(recs.items[i].status_code, rec.status_code) == 0) {
                igr_record_release(&recs.items[i]);
            }
        }
        *igr_list_add(&recs) = rec;
    }
    for (size_t i = 0; i < recs.len && rc == 0; i++) {
        struct igr_record *r = &recs.items[i];
        if (!r->status_code) {
            continue;
        }
        if (x->defer) {
            struct igr_record *p = igr_list_add(&x->pending);
            *p = *r;
            memset(r, 0, sizeof(*r));
        } else {
            rc = x->fn(x->fn_ctx, r, err);
        }
    }
    igr_list_release(&recs);
    free(rpath);
    return rc;
}

static int extract_reader(struct doc_reader *r, const struct conv_options *opts,
                          conv_record_fn fn, void *ctx,
                          struct oag_error_list *diags, struct oag_error *err)
{
    struct oag_error_list local = OAG_ERROR_LIST_INIT;
    struct oag_error_list *d = diags ? diags : &local;
    size_t errors_before = d->n_errors;
    struct extract_ctx x = {
        .opts = opts,
        .fn = fn,
        .fn_ctx = ctx,
        .file = doc_reader_name(r),
        .diags = d,
    };
    struct conv_fast *fast = conv_fast_new();
    struct conv_walk_options wo = {
        .tree_flags = 0,
        .skip_declared = true,
        .diags = d,
        .read_responses = opts->tree_only ? NULL : read_responses,
        .read_ctx = fast,
    };
    struct conv_root root;
    int rc = conv_walk(r, &wo, on_op, &x, &root, err);
    for (size_t i = 0; rc == 0 && i < x.pending.len; i++) {
        struct igr_record *rec = &x.pending.items[i];
        char *p = conv_resource_path(&root, rec->path, opts->basepath);
        free(rec->path);
        rec->path = p;
        rc = fn(ctx, rec, err);
    }
    if (rc == 0 && d->n_errors > errors_before) {
        size_t n = d->n_errors - errors_before;
        rc = oag_error_set(err, OAG_ERR_INVALID, "%zu problem%s in '%s'", n,
                           n == 1 ? "" : "s", doc_reader_name(r));
    }
    igr_list_release(&x.pending);
    conv_fast_free(fast);
    conv_root_release(&root);
    oag_error_list_release(&local);
    return rc;
}

int conv_extract_file(const char *path, const char *name,
                      const struct conv_options *opts, conv_record_fn fn,
                      void *ctx, struct oag_error_list *diags,
                      struct oag_error *err)
{
    struct doc_reader *r = doc_reader_new_file(path, name, &opts->limits, err);
    if (!r) {
        return -1;
    }
    int rc = extract_reader(r, opts, fn, ctx, diags, err);
    doc_reader_free(r);
    return rc;
}

int conv_extract_memory(const char *data, size_t len, const char *name,
                        const struct conv_options *opts, conv_record_fn fn,
                        void *ctx, struct oag_error_list *diags,
                        struct oag_error *err)
{
    struct doc_reader *r =
        doc_reader_new_memory(data, len, name, &opts->limits, err);
    if (!r) {
        return -1;
    }
    int rc = extract_reader(r, opts, fn, ctx, diags, err);
    doc_reader_free(r);
    return rc;
}

static int collect(void *ctx, const struct igr_record *rec,
                   struct oag_error *err)
{
    igr_record_copy(igr_list_add(ctx), rec);
    return 0;
}

int conv_extract_list(const char *data, size_t len, const char *name,
                      const struct conv_options *opts, struct igr_list *out,
                      struct oag_error_list *diags, struct oag_error *err)
{
    return conv_extract_memory(data, len, name, opts, collect, out, diags, err);
}
