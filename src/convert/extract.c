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

/*
 * The fast path of extract: an integration's `responses` block of the
 * common shape (a mapping of keys to mappings of statusCode,
 * responseParameters, responseTemplates and contentHandling, with scalar
 * values) is turned into records straight from the reader's events, with
 * no tree.  Anything else (anchors, aliases, tags, merge keys, sequences,
 * other fields, duplicate keys, values of the wrong type, NUL bytes) makes
 * it hand the events it read back to the reader, and the tree path reads
 * the block as before, with its diagnostics and its last-one-wins rules.
 */
struct fast_event {
    struct doc_event ev;
    size_t value; /* offsets in fast_reader.text, SIZE_MAX = NULL */
    size_t anchor;
    size_t tag;
};

struct fast_reader {
    struct fast_event *evs; /* the events read, for a replay */
    size_t n;
    size_t cap;
    struct doc_event *replay;
    size_t replay_cap;
    struct buf text; /* their strings, NUL-terminated */
    size_t *keys;    /* offsets of the keys of the mapping being read */
    size_t n_keys;
    size_t cap_keys;
};

static void fast_reader_release(struct fast_reader *f)
{
    free(f->evs);
    free(f->replay);
    buf_release(&f->text);
    free(f->keys);
}

static size_t fast_keep(struct fast_reader *f, const char *s, size_t len)
{
    if (!s) {
        return SIZE_MAX;
    }
    size_t off = f->text.len;
    buf_add(&f->text, s, len);
    buf_addch(&f->text, '\0');
    return off;
}

/* Reads the next event and records it; *out_ev points at the copy. */
static int fast_next(struct fast_reader *f, struct doc_reader *r,
                     struct fast_event **out, struct oag_error *err)
{
    struct doc_event ev;
    if (doc_reader_next(r, &ev, err) != 0) {
        return -1;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->evs = xreallocarray(f->evs, f->cap, sizeof(*f->evs));
    }
    struct fast_event *fe = &f->evs[f->n++];
    fe->ev = ev;
    fe->value = ev.type == DOC_EV_SCALAR || ev.type == DOC_EV_ALIAS
                    ? fast_keep(f, ev.value ? ev.value : "", ev.len)
                    : SIZE_MAX;
    fe->anchor =
        ev.anchor ? fast_keep(f, ev.anchor, strlen(ev.anchor)) : SIZE_MAX;
    fe->tag = ev.tag ? fast_keep(f, ev.tag, strlen(ev.tag)) : SIZE_MAX;
    *out = fe;
    return 0;
}

static const char *fast_text(const struct fast_reader *f, size_t off)
{
    return off == SIZE_MAX ? NULL : f->text.data + off;
}

/* A scalar the fast path can take: no anchor, no tag, no NUL byte. */
static bool fast_plain_node(const struct fast_event *fe)
{
    return fe->ev.type == DOC_EV_SCALAR && !fe->ev.anchor && !fe->ev.tag &&
           (fe->ev.len == 0 || !memchr(fe->ev.value, '\0', fe->ev.len));
}

/* A key of the mapping being read, not a merge key nor seen before in it. */
static bool fast_key(struct fast_reader *f, const struct fast_event *fe)
{
    if (!fast_plain_node(fe) ||
        (fe->ev.style == DOC_SCALAR_PLAIN && fe->ev.len == 2 &&
         memcmp(fe->ev.value, "<<", 2) == 0)) {
        return false;
    }
    for (size_t i = 0; i < f->n_keys; i++) {
        const char *k = fast_text(f, f->keys[i]);
        if (strlen(k) == fe->ev.len &&
            memcmp(k, fe->ev.value, fe->ev.len) == 0) {
            return false;
        }
    }
    if (f->n_keys == f->cap_keys) {
        f->cap_keys = f->cap_keys ? f->cap_keys * 2 : 16;
        f->keys = xreallocarray(f->keys, f->cap_keys, sizeof(*f->keys));
    }
    f->keys[f->n_keys++] = fe->value;
    return true;
}

enum fast_kind {
    FAST_OTHER = 0,
    FAST_NULL,
    FAST_STRING,
    FAST_INTEGER,
};

/*
 * How the tree would resolve scalar fe: a string, null or an integer
 * (*out_int); FAST_OTHER for the rest.
 */
static enum fast_kind fast_resolve(const struct fast_event *fe,
                                   long long *out_int)
{
    const char *v = fe->ev.value;
    size_t n = fe->ev.len;
    if (fe->ev.style != DOC_SCALAR_PLAIN) {
        return FAST_STRING;
    }
    if (n > 0 &&
        ((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')) &&
        !strchr("nNtTfF", v[0])) {
        return FAST_STRING;
    }
    json_t *j = doc_scalar_resolve(v, n, fe->ev.style, NULL);
    enum fast_kind k = FAST_OTHER;
    if (json_is_string(j)) {
        k = FAST_STRING;
    } else if (json_is_null(j)) {
        k = FAST_NULL;
    } else if (json_is_integer(j)) {
        k = FAST_INTEGER;
        *out_int = (long long)json_integer_value(j);
    }
    json_decref(j);
    return k;
}

/* Reads a mapping of strings (value of responseParameters/Templates). */
static int fast_map(struct fast_reader *f, struct doc_reader *r,
                    const struct fast_event *first, bool null_is_empty,
                    struct igr_map *out, struct oag_error *err)
{
    if (first->ev.type == DOC_EV_SCALAR) {
        long long i;
        return fast_plain_node(first) && fast_resolve(first, &i) == FAST_NULL
                   ? 1
                   : 0;
    }
    if (first->ev.type != DOC_EV_MAPPING_START || first->ev.anchor ||
        first->ev.tag) {
        return 0;
    }
    f->n_keys = 0;
    for (;;) {
        struct fast_event *k;
        struct fast_event *v;
        if (fast_next(f, r, &k, err) != 0) {
            return -1;
        }
        if (k->ev.type == DOC_EV_MAPPING_END) {
            return 1;
        }
        if (!fast_key(f, k)) {
            return 0;
        }
        size_t koff = k->value;
        if (fast_next(f, r, &v, err) != 0) {
            return -1;
        }
        if (!fast_plain_node(v)) {
            return 0;
        }
        long long i;
        enum fast_kind kind = fast_resolve(v, &i);
        if (kind == FAST_STRING) {
            igr_map_set(out, fast_text(f, koff), fast_text(f, v->value));
        } else if (kind == FAST_NULL && null_is_empty) {
            igr_map_set(out, fast_text(f, koff), "");
        } else {
            return 0;
        }
    }
}

/* Reads one entry's mapping into rec: 1 done, 0 give up, -1 error. */
static int fast_entry(struct fast_reader *f, struct doc_reader *r,
                      struct igr_record *rec, struct oag_error *err)
{
    bool seen[4] = { false, false, false, false };
    static const char *const fields[4] = { "statusCode", "responseParameters",
                                           "responseTemplates",
                                           "contentHandling" };
    for (;;) {
        struct fast_event *k;
        struct fast_event *v;
        if (fast_next(f, r, &k, err) != 0) {
            return -1;
        }
        if (k->ev.type == DOC_EV_MAPPING_END) {
            return seen[0] ? 1 : 0;
        }
        if (!fast_plain_node(k)) {
            return 0;
        }
        int which = -1;
        for (int i = 0; i < 4; i++) {
            if (strlen(fields[i]) == k->ev.len &&
                memcmp(fields[i], k->ev.value, k->ev.len) == 0) {
                which = i;
            }
        }
        if (which < 0 || seen[which]) {
            return 0;
        }
        seen[which] = true;
        if (fast_next(f, r, &v, err) != 0) {
            return -1;
        }
        if (which == 1 || which == 2) {
            int rc = fast_map(f, r, v, which == 2,
                              which == 1 ? &rec->response_parameters
                                         : &rec->response_templates,
                              err);
            if (rc != 1) {
                return rc;
            }
            continue;
        }
        if (!fast_plain_node(v)) {
            return 0;
        }
        long long i = 0;
        enum fast_kind kind = fast_resolve(v, &i);
        if (which == 0) {
            if (kind == FAST_STRING) {
                rec->status_code = xstrdup(fast_text(f, v->value));
            } else if (kind == FAST_INTEGER) {
                rec->status_code = xstrfmt("%lld", i);
            } else {
                return 0;
            }
        } else if (kind == FAST_STRING) {
            rec->content_handling = xstrdup(fast_text(f, v->value));
        } else if (kind != FAST_NULL) {
            return 0;
        }
    }
}

static int fast_read(struct fast_reader *f, struct doc_reader *r,
                     struct conv_op *op, const struct doc_event *first,
                     struct oag_error *err)
{
    if (first->type != DOC_EV_MAPPING_START || first->anchor || first->tag) {
        return 0;
    }
    size_t *entry_keys = NULL; /* offsets: duplicate entry keys */
    size_t n_entry = 0;
    int rc = 0;
    for (;;) {
        struct fast_event *k;
        struct fast_event *v;
        if (fast_next(f, r, &k, err) != 0) {
            rc = -1;
            break;
        }
        if (k->ev.type == DOC_EV_MAPPING_END) {
            rc = 1;
            break;
        }
        if (!fast_plain_node(k) ||
            (k->ev.style == DOC_SCALAR_PLAIN && k->ev.len == 2 &&
             memcmp(k->ev.value, "<<", 2) == 0)) {
            break;
        }
        bool dup = false;
        for (size_t i = 0; i < n_entry && !dup; i++) {
            const char *e = fast_text(f, entry_keys[i]);
            dup = strlen(e) == k->ev.len &&
                  memcmp(e, k->ev.value, k->ev.len) == 0;
        }
        if (dup) {
            break;
        }
        entry_keys =
            xreallocarray(entry_keys, n_entry + 1, sizeof(*entry_keys));
        entry_keys[n_entry++] = k->value;
        size_t koff = k->value;
        if (fast_next(f, r, &v, err) != 0) {
            rc = -1;
            break;
        }
        if (v->ev.type != DOC_EV_MAPPING_START || v->ev.anchor || v->ev.tag) {
            break;
        }
        struct igr_record *rec = igr_list_add(&op->fast_records);
        rc = fast_entry(f, r, rec, err);
        if (rc != 1) {
            break;
        }
        rc = 0;
        const char *key = fast_text(f, koff);
        rec->selection_pattern = conv_key_is_default(key) ? NULL : xstrdup(key);
    }
    free(entry_keys);
    return rc;
}

static int read_responses(void *vctx, struct doc_reader *r, struct conv_op *op,
                          struct doc_event *first, struct oag_error *err)
{
    struct fast_reader *f = vctx;
    f->n = 0;
    buf_reset(&f->text);
    igr_list_release(&op->fast_records);
    op->fast = false;
    int rc = fast_read(f, r, op, first, err);
    if (rc == 1) {
        op->fast = true;
        return 1;
    }
    igr_list_release(&op->fast_records);
    if (rc < 0) {
        return -1;
    }
    /* hand back what was read: first stays, the rest is replayed */
    if (f->n > f->replay_cap) {
        f->replay_cap = f->n;
        f->replay = xreallocarray(f->replay, f->replay_cap, sizeof(*f->replay));
    }
    for (size_t i = 0; i < f->n; i++) {
        struct doc_event *e = &f->replay[i];
        *e = f->evs[i].ev;
        e->value = fast_text(f, f->evs[i].value);
        e->anchor = fast_text(f, f->evs[i].anchor);
        e->tag = fast_text(f, f->evs[i].tag);
    }
    doc_reader_replay(r, f->replay, f->n);
    return 0;
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
    struct fast_reader fast = { 0 };
    struct conv_walk_options wo = {
        .tree_flags = 0,
        .skip_declared = true,
        .diags = d,
        .read_responses = opts->extract_tree_only ? NULL : read_responses,
        .read_ctx = &fast,
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
    fast_reader_release(&fast);
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
