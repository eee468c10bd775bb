/*
 * The streaming OpenAPI walker.
 *
 * Recursive descent over reader events, one function per level that matters
 * (root -> paths -> path item -> operation -> integration).  Everything
 * else is skipped without being built; only an operation's `responses`, its
 * integration's `responses`, the root's `servers` and the shared response
 * definitions (components.responses, Swagger's root responses) become
 * trees.  Operations are delivered when their path item ends, so duplicate
 * method keys resolve as API Gateway resolves them (the last one wins).
 * Duplicate paths cannot be resolved that way without holding the whole
 * document, so they are reported as errors.
 */
#include "convert/convert_internal.h"

#include <stdlib.h>
#include <string.h>

#include "doc/pointer.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strset.h"
#include "util/xalloc.h"

struct walker {
    struct doc_reader *r;
    const struct conv_walk_options *o;
    conv_op_fn fn;
    void *ctx;
    struct conv_root *root;
    struct doc_anchors anchors;
    struct strset paths_seen;
    const char *file;
    bool seen_base;
};

struct op_list {
    struct conv_op *items;
    size_t len;
    size_t cap;
};

static const struct {
    const char *key;
    const char *method;
} method_keys[] = {
    { "get", "GET" },         { "put", "PUT" },
    { "post", "POST" },       { "delete", "DELETE" },
    { "patch", "PATCH" },     { "head", "HEAD" },
    { "options", "OPTIONS" }, { "x-amazon-apigateway-any-method", "ANY" },
};

/* Forgets what read_responses read of op's responses block. */
static void forget_fast(struct conv_op *op)
{
    igr_list_release(&op->fast_records);
    conv_fast_block_free(op->fast_block);
    op->fast_block = NULL;
    op->fast = false;
}

static void op_release(struct conv_op *op)
{
    free(op->doc_path);
    free(op->method_key);
    free(op->pointer);
    doc_tree_release(&op->declared);
    free(op->integration_type);
    free(op->integration_uri);
    doc_tree_release(&op->responses);
    forget_fast(op);
    memset(op, 0, sizeof(*op));
}

void conv_root_release(struct conv_root *root)
{
    if (!root) {
        return;
    }
    free(root->version_text);
    free(root->title);
    free(root->base_path);
    json_decref(root->servers);
    doc_tree_release(&root->components_responses);
    doc_tree_release(&root->swagger_responses);
    memset(root, 0, sizeof(*root));
}

static void diag(struct walker *w, enum oag_severity sev,
                 const struct doc_mark *m, const char *pointer, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

static void diag(struct walker *w, enum oag_severity sev,
                 const struct doc_mark *m, const char *pointer, const char *fmt,
                 ...)
{
    if (!w->o->diags) {
        return;
    }
    struct oag_error e = OAG_ERROR_INIT;
    va_list ap;
    va_start(ap, fmt);
    oag_error_vset(&e, OAG_ERR_INVALID, fmt, ap);
    va_end(ap);
    oag_error_set_where(&e, w->file, m ? m->line : 0, m ? m->column : 0,
                        pointer);
    oag_error_list_take(w->o->diags, sev, &e);
}

static int next(struct walker *w, struct doc_event *ev, struct oag_error *err)
{
    return doc_reader_next(w->r, ev, err);
}

static int skip(struct walker *w, const struct doc_event *ev,
                struct doc_mark *out_end, struct oag_error *err)
{
    return doc_skip_node(w->r, ev, &w->anchors, out_end, err);
}

/*
 * Reads the next key of a mapping.  Returns 1 with the key in *out_key
 * (owned) and its event in *out_ev, 0 at the end of the mapping, -1 on
 * error.  Non-scalar keys are skipped with their values.
 */
static int next_key(struct walker *w, struct doc_event *out_ev, char **out_key,
                    struct oag_error *err)
{
    for (;;) {
        if (next(w, out_ev, err) != 0) {
            return -1;
        }
        if (out_ev->type == DOC_EV_MAPPING_END) {
            return 0;
        }
        if (out_ev->type == DOC_EV_SCALAR) {
            *out_key = xstrndup(out_ev->value, out_ev->len);
            return 1;
        }
        if (out_ev->type == DOC_EV_ALIAS) {
            *out_key = NULL;
            json_t *v = NULL;
            for (size_t i = 0; i < w->anchors.len; i++) {
                if (strcmp(w->anchors.names[i], out_ev->value) == 0) {
                    v = w->anchors.values[i];
                }
            }
            if (json_is_string(v)) {
                *out_key = xstrdup(json_string_value(v));
                return 1;
            }
        }
        diag(w, OAG_SEV_WARNING, &out_ev->start, NULL,
             "mapping key that is not a string is ignored");
        struct doc_event v;
        if (skip(w, out_ev, NULL, err) != 0 || next(w, &v, err) != 0 ||
            skip(w, &v, NULL, err) != 0) {
            return -1;
        }
    }
}

static char *scalar_text(const struct doc_event *ev)
{
    return ev->type == DOC_EV_SCALAR ? xstrndup(ev->value, ev->len) : NULL;
}

static int build(struct walker *w, const struct doc_event *ev, unsigned flags,
                 const char *pointer, struct doc_tree *out,
                 struct oag_error *err)
{
    return doc_tree_build(w->r, ev, &w->anchors, flags, pointer, w->o->diags,
                          out, err);
}

/* The warnings a kept subtree gives for a key: merge key, repeat. */
static void key_warnings(struct walker *w, const struct doc_event *kev,
                         const char *pointer, const char *key, bool repeated)
{
    if (kev->style == DOC_SCALAR_PLAIN && strcmp(key, "<<") == 0) {
        diag(w, OAG_SEV_WARNING, &kev->start, NULL,
             "YAML merge key '<<' is not applied: API Gateway reads it as an "
             "ordinary key");
    }
    if (repeated) {
        diag(w, OAG_SEV_WARNING, &kev->start, pointer,
             "duplicate key '%s' (API Gateway uses the last one)", key);
    }
}

/* A value built whole (aliases, anchored nodes, other shapes). */
static int build_value(struct walker *w, const struct doc_event *ev,
                       const char *pointer, json_t **out, struct oag_error *err)
{
    struct doc_tree t = { 0 };
    int rc = build(w, ev, 0, pointer, &t, err);
    *out = rc == 0 ? json_incref(t.root) : NULL;
    doc_tree_release(&t);
    return rc;
}

/*
 * Where a member of a declared response is: its parent's place and its
 * key.  The JSON pointer is only spelled out when something needs it (a
 * diagnostic, a value built whole), not for every member read.
 */
struct member_ptr {
    const struct member_ptr *parent; /* NULL: base is the whole pointer */
    const char *base;
    const char *key;
};

static void member_ptr_add(const struct member_ptr *p, struct buf *out)
{
    if (!p->parent) {
        buf_adds(out, p->base);
        return;
    }
    member_ptr_add(p->parent, out);
    jptr_append(out, p->key, strlen(p->key));
}

static char *member_ptr_str(const struct member_ptr *p)
{
    struct buf b = BUF_INIT;
    member_ptr_add(p, &b);
    return buf_detach(&b, NULL);
}

/*
 * How one member's value (first event v) is read: *out receives it, or
 * NULL when the value is skipped.
 */
typedef int (*member_fn)(struct walker *w, const char *key,
                         const struct doc_event *v,
                         const struct member_ptr *where, json_t **out,
                         struct oag_error *err);

/* A value built whole (aliases, anchored nodes, other shapes). */
static int build_member(struct walker *w, const struct doc_event *ev,
                        const struct member_ptr *where, json_t **out,
                        struct oag_error *err)
{
    char *p = member_ptr_str(where);
    int rc = build_value(w, ev, p, out, err);
    free(p);
    return rc;
}

/*
 * The keys of a mapping read so far, to tell repeats: a short list while
 * the mapping is small, a hash set once it is not.
 */
#define SEEN_LINEAR 16

struct seen_keys {
    char *list[SEEN_LINEAR]; /* owned */
    size_t n;
    struct strset set;
};

static bool seen_has(const struct seen_keys *s, const char *key)
{
    for (size_t i = 0; i < s->n && i < SEEN_LINEAR; i++) {
        if (strcmp(s->list[i], key) == 0) {
            return true;
        }
    }
    return s->n > SEEN_LINEAR && strset_find(&s->set, key, NULL);
}

/* Adds key (taken) that is not there yet. */
static void seen_add(struct seen_keys *s, char *key)
{
    if (s->n < SEEN_LINEAR) {
        s->list[s->n++] = key;
        return;
    }
    strset_add(&s->set, key, 0);
    s->n++;
    free(key);
}

static void seen_release(struct seen_keys *s)
{
    for (size_t i = 0; i < s->n && i < SEEN_LINEAR; i++) {
        free(s->list[i]);
    }
    strset_release(&s->set);
}

/*
 * A mapping whose start was just read, member by member: read decides how
 * each value is read; the object *out holds the values it kept.  Every
 * key, kept or not, gives the warnings a full tree gives (repeats, merge
 * keys); the last value of a repeated key wins.
 */
static int read_members(struct walker *w, const struct member_ptr *where,
                        member_fn read, json_t **out, struct oag_error *err)
{
    json_t *o = json_object();
    struct seen_keys seen = { .n = 0 };
    struct doc_event kev;
    char *key = NULL;
    int k;
    int rc = -1;
    while ((k = next_key(w, &kev, &key, err)) == 1) {
        struct doc_event v;
        struct member_ptr here = { .parent = where, .key = key };
        json_t *val = NULL;
        int vrc = next(w, &v, err);
        if (vrc == 0) {
            vrc = read(w, key, &v, &here, &val, err);
        }
        if (vrc != 0) {
            free(key);
            goto out;
        }
        if (val) {
            json_object_set_new(o, key, val);
        }
        bool repeated = seen_has(&seen, key);
        if (repeated ||
            (kev.style == DOC_SCALAR_PLAIN && strcmp(key, "<<") == 0)) {
            char *p = member_ptr_str(&here);
            key_warnings(w, &kev, p, key, repeated);
            free(p);
        }
        if (repeated) {
            free(key);
        } else {
            seen_add(&seen, key);
        }
        key = NULL;
    }
    if (k == 0) {
        *out = json_incref(o);
        rc = 0;
    }
out:
    json_decref(o);
    seen_release(&seen);
    return rc;
}

/* A `headers` member: its name is kept, its value skipped (null). */
static int header_name(struct walker *w, const char *key,
                       const struct doc_event *v,
                       const struct member_ptr *where, json_t **out,
                       struct oag_error *err)
{
    (void)key;
    (void)where;
    if (skip(w, v, NULL, err) != 0) {
        return -1;
    }
    *out = json_null();
    return 0;
}

/* A member of a declared response: its "$ref" and header names. */
static int response_member(struct walker *w, const char *key,
                           const struct doc_event *v,
                           const struct member_ptr *where, json_t **out,
                           struct oag_error *err)
{
    if (strcmp(key, "$ref") == 0) {
        if (v->type == DOC_EV_SCALAR && !v->anchor) {
            *out = doc_scalar_resolve(v->value, v->len, v->style, v->tag);
            return 0;
        }
        return build_member(w, v, where, out, err);
    }
    if (strcmp(key, "headers") == 0) {
        if (v->type == DOC_EV_MAPPING_START && !v->anchor) {
            return read_members(w, where, header_name, out, err);
        }
        return build_member(w, v, where, out, err);
    }
    return skip(w, v, NULL, err);
}

/* A status code of `responses`: its response, read by response_member. */
static int declared_response(struct walker *w, const char *key,
                             const struct doc_event *v,
                             const struct member_ptr *where, json_t **out,
                             struct oag_error *err)
{
    (void)key;
    if (v->type == DOC_EV_MAPPING_START && !v->anchor) {
        return read_members(w, where, response_member, out, err);
    }
    return build_member(w, v, where, out, err);
}

/*
 * An operation's `responses`, as validate reads it: for each status code
 * the "$ref" and the names of the "headers" of its response, everything
 * else skipped (a large document does not build trees of every schema and
 * description).  Anchored nodes and aliases are built whole: an anchor may
 * be used elsewhere.  The keys read give the warnings a full tree gives
 * (repeats, merge keys); skipped values give none.
 */
static int build_declared(struct walker *w, const struct doc_event *first,
                          const char *pointer, struct doc_tree *out,
                          struct oag_error *err)
{
    if (first->type != DOC_EV_MAPPING_START || first->anchor) {
        return build(w, first, 0, pointer, out, err);
    }
    doc_tree_release(out);
    struct member_ptr where = { .base = pointer };
    return read_members(w, &where, declared_response, &out->root, err);
}

static int walk_integration(struct walker *w, struct conv_op *op,
                            const struct doc_event *first,
                            struct oag_error *err)
{
    struct buf ptr = BUF_INIT;
    buf_adds(&ptr, op->pointer);
    jptr_append(&ptr, "x-amazon-apigateway-integration", 31);
    int rc = -1;
    if (first->type != DOC_EV_MAPPING_START) {
        diag(w, OAG_SEV_ERROR, &first->start, buf_str(&ptr),
             "x-amazon-apigateway-integration is not a mapping");
        rc = skip(w, first, NULL, err);
        goto out;
    }
    op->integration_ok = true;
    op->span.integ_flow = first->flow;
    op->span.integ_start = first->start;
    op->span.integ_end = first->end;
    struct doc_event kev;
    char *key = NULL;
    int k;
    while ((k = next_key(w, &kev, &key, err)) == 1) {
        if (op->span.n_integ_keys++ == 0) {
            op->span.integ_key_col = kev.start.column;
            if (!first->flow) {
                op->span.integ_start = kev.start;
            }
        }
        struct doc_mark key_start = kev.start;
        struct doc_mark key_end = kev.end;
        struct doc_event v;
        if (next(w, &v, err) != 0) {
            free(key);
            goto out;
        }
        struct doc_mark vend = v.end;
        if (strcmp(key, "responses") == 0) {
            size_t plen = ptr.len;
            jptr_append(&ptr, "responses", 9);
            doc_tree_release(&op->responses);
            forget_fast(op);
            if (op->has_responses) {
                diag(w, OAG_SEV_WARNING, &key_start, buf_str(&ptr),
                     "duplicate key 'responses' (API Gateway uses the last "
                     "one)");
                op->span.resp_repeated = true;
            }
            op->has_responses = true;
            op->span.has_responses = true;
            op->span.resp_key = key_start;
            op->span.resp_key_end = key_end;
            size_t anchors_before = w->anchors.defined;
            int fr = 0;
            struct doc_event vfirst = v;
            if (w->o->read_responses) {
                fr = w->o->read_responses(w->o->read_ctx, w->r, op, &vfirst,
                                          err);
            }
            if (fr < 0 ||
                (fr == 0 && build(w, &vfirst, w->o->tree_flags, buf_str(&ptr),
                                  &op->responses, err) != 0)) {
                free(key);
                goto out;
            }
            op->span.resp_anchors = w->anchors.defined != anchors_before;
            if (op->responses.n_pos) {
                vend = op->responses.pos[0].end;
            }
            buf_truncate(&ptr, plen);
        } else if (strcmp(key, "type") == 0 || strcmp(key, "uri") == 0) {
            char **slot =
                key[0] == 't' ? &op->integration_type : &op->integration_uri;
            free(*slot);
            *slot = scalar_text(&v);
            if (skip(w, &v, &vend, err) != 0) {
                free(key);
                goto out;
            }
        } else if (skip(w, &v, &vend, err) != 0) {
            free(key);
            goto out;
        }
        op->span.integ_end = vend;
        free(key);
        key = NULL;
    }
    if (k < 0) {
        goto out;
    }
    if (first->flow) {
        op->span.integ_end = kev.end;
    }
    rc = 0;
out:
    buf_release(&ptr);
    return rc;
}

static int walk_operation(struct walker *w, struct conv_op *op,
                          const struct doc_event *first, struct oag_error *err)
{
    if (first->type != DOC_EV_MAPPING_START) {
        if (!(first->type == DOC_EV_SCALAR && first->len == 0)) {
            diag(w, OAG_SEV_ERROR, &first->start, op->pointer,
                 "operation '%s' is not a mapping", op->method_key);
        }
        return skip(w, first, NULL, err);
    }
    struct doc_event kev;
    char *key = NULL;
    int k;
    while ((k = next_key(w, &kev, &key, err)) == 1) {
        struct doc_event v;
        if (next(w, &v, err) != 0) {
            free(key);
            return -1;
        }
        int rc = 0;
        if (strcmp(key, "responses") == 0 && !w->o->skip_declared) {
            char *p = jptr_join(op->pointer, "responses");
            op->has_declared = true;
            rc = build_declared(w, &v, p, &op->declared, err);
            free(p);
        } else if (strcmp(key, "x-amazon-apigateway-integration") == 0) {
            if (op->has_integration) {
                diag(w, OAG_SEV_WARNING, &kev.start, op->pointer,
                     "duplicate key 'x-amazon-apigateway-integration' (API "
                     "Gateway uses the last one)");
                free(op->integration_type);
                free(op->integration_uri);
                op->integration_type = NULL;
                op->integration_uri = NULL;
                doc_tree_release(&op->responses);
                forget_fast(op);
                op->has_responses = false;
                memset(&op->span, 0, sizeof(op->span));
            }
            op->has_integration = true;
            op->integration_mark = kev.start;
            rc = walk_integration(w, op, &v, err);
        } else {
            rc = skip(w, &v, NULL, err);
        }
        free(key);
        if (rc != 0) {
            return -1;
        }
    }
    return k < 0 ? -1 : 0;
}

static int deliver(struct walker *w, struct op_list *ops, struct oag_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < ops->len && rc == 0; i++) {
        bool later = false;
        for (size_t j = i + 1; j < ops->len; j++) {
            if (strcmp(ops->items[j].http_method, ops->items[i].http_method) ==
                0) {
                later = true;
            }
        }
        if (later) {
            diag(w, OAG_SEV_WARNING, &ops->items[i].method_mark,
                 ops->items[i].pointer,
                 "duplicate key '%s' (API Gateway uses the last one)",
                 ops->items[i].method_key);
            continue;
        }
        rc = w->fn(w->ctx, &ops->items[i], w->root, err);
    }
    for (size_t i = 0; i < ops->len; i++) {
        op_release(&ops->items[i]);
    }
    ops->len = 0;
    return rc;
}

static const char *method_of(const char *key)
{
    for (size_t i = 0; i < sizeof(method_keys) / sizeof(method_keys[0]); i++) {
        if (strcmp(key, method_keys[i].key) == 0) {
            return method_keys[i].method;
        }
    }
    return NULL;
}

static int walk_path_item(struct walker *w, const char *path,
                          const struct doc_event *first, struct oag_error *err)
{
    char *item_ptr = jptr_join("/paths", path);
    struct op_list ops = { 0 };
    int rc = -1;
    if (first->type != DOC_EV_MAPPING_START) {
        if (!(first->type == DOC_EV_SCALAR && first->len == 0)) {
            diag(w, OAG_SEV_ERROR, &first->start, item_ptr,
                 "path item '%s' is not a mapping", path);
        }
        rc = skip(w, first, NULL, err);
        goto out;
    }
    struct doc_event kev;
    char *key = NULL;
    int k;
    while ((k = next_key(w, &kev, &key, err)) == 1) {
        struct doc_event v;
        if (next(w, &v, err) != 0) {
            free(key);
            goto out;
        }
        const char *method = method_of(key);
        int r;
        if (method) {
            if (ops.len == ops.cap) {
                ops.cap = ops.cap ? ops.cap * 2 : 8;
                ops.items =
                    xreallocarray(ops.items, ops.cap, sizeof(*ops.items));
            }
            struct conv_op *op = &ops.items[ops.len++];
            memset(op, 0, sizeof(*op));
            op->doc_path = xstrdup(path);
            op->method_key = xstrdup(key);
            op->http_method = method;
            op->pointer = jptr_join(item_ptr, key);
            op->method_mark = kev.start;
            r = walk_operation(w, op, &v, err);
        } else {
            if (strcmp(key, "$ref") == 0) {
                diag(w, OAG_SEV_WARNING, &kev.start, item_ptr,
                     "path item $ref is not followed: its operations are "
                     "not read");
            }
            r = skip(w, &v, NULL, err);
        }
        free(key);
        if (r != 0) {
            goto out;
        }
    }
    if (k < 0) {
        goto out;
    }
    rc = deliver(w, &ops, err);
out:
    for (size_t i = 0; i < ops.len; i++) {
        op_release(&ops.items[i]);
    }
    free(ops.items);
    free(item_ptr);
    return rc;
}

static int walk_paths(struct walker *w, const struct doc_event *first,
                      struct oag_error *err)
{
    w->root->has_paths = true;
    w->root->base_known_at_paths = w->seen_base;
    if (first->type != DOC_EV_MAPPING_START) {
        if (!(first->type == DOC_EV_SCALAR && first->len == 0)) {
            diag(w, OAG_SEV_ERROR, &first->start, "/paths",
                 "'paths' is not a mapping");
        }
        return skip(w, first, NULL, err);
    }
    struct doc_event kev;
    char *key = NULL;
    int k;
    while ((k = next_key(w, &kev, &key, err)) == 1) {
        struct doc_event v;
        if (next(w, &v, err) != 0) {
            free(key);
            return -1;
        }
        int r;
        if (!strset_add(&w->paths_seen, key, 0)) {
            char *p = jptr_join("/paths", key);
            diag(w, OAG_SEV_ERROR, &kev.start, p,
                 "duplicate path '%s': API Gateway would keep only the last "
                 "one; merge the two path items",
                 key);
            free(p);
            r = skip(w, &v, NULL, err);
        } else {
            r = walk_path_item(w, key, &v, err);
        }
        free(key);
        if (r != 0) {
            return -1;
        }
    }
    return k < 0 ? -1 : 0;
}

static enum conv_version version_of(const char *key, const char *text)
{
    if (!text) {
        return CONV_VERSION_UNKNOWN;
    }
    if (strcmp(key, "swagger") == 0) {
        return strcmp(text, "2.0") == 0 ? CONV_VERSION_SWAGGER_2
                                        : CONV_VERSION_UNKNOWN;
    }
    if (strncmp(text, "3.0.", 4) == 0 || strcmp(text, "3.0") == 0) {
        return CONV_VERSION_OAS_30;
    }
    if (strncmp(text, "3.1.", 4) == 0 || strcmp(text, "3.1") == 0) {
        return CONV_VERSION_OAS_31;
    }
    return CONV_VERSION_UNKNOWN;
}

static int walk_components(struct walker *w, const struct doc_event *first,
                           struct oag_error *err)
{
    if (first->type != DOC_EV_MAPPING_START) {
        return skip(w, first, NULL, err);
    }
    struct doc_event kev;
    char *key = NULL;
    int k;
    while ((k = next_key(w, &kev, &key, err)) == 1) {
        struct doc_event v;
        if (next(w, &v, err) != 0) {
            free(key);
            return -1;
        }
        int r;
        if (strcmp(key, "responses") == 0) {
            r = build(w, &v, 0, "/components/responses",
                      &w->root->components_responses, err);
        } else {
            r = skip(w, &v, NULL, err);
        }
        free(key);
        if (r != 0) {
            return -1;
        }
    }
    return k < 0 ? -1 : 0;
}

static int walk_info(struct walker *w, const struct doc_event *first,
                     struct oag_error *err)
{
    if (first->type != DOC_EV_MAPPING_START) {
        return skip(w, first, NULL, err);
    }
    struct doc_event kev;
    char *key = NULL;
    int k;
    while ((k = next_key(w, &kev, &key, err)) == 1) {
        struct doc_event v;
        if (next(w, &v, err) != 0) {
            free(key);
            return -1;
        }
        if (strcmp(key, "title") == 0) {
            free(w->root->title);
            w->root->title = scalar_text(&v);
        }
        free(key);
        if (skip(w, &v, NULL, err) != 0) {
            return -1;
        }
    }
    return k < 0 ? -1 : 0;
}

static int walk_root_map(struct walker *w, struct oag_error *err)
{
    struct doc_event kev;
    char *key = NULL;
    int k;
    while ((k = next_key(w, &kev, &key, err)) == 1) {
        struct doc_event v;
        if (next(w, &v, err) != 0) {
            free(key);
            return -1;
        }
        int r = 0;
        if (strcmp(key, "swagger") == 0 || strcmp(key, "openapi") == 0) {
            struct conv_root *root = w->root;
            free(root->version_text);
            root->version_text = scalar_text(&v);
            root->has_version = true;
            root->version_mark = v.start;
            root->version_end = v.end;
            root->version = version_of(key, root->version_text);
            if (!root->version_text) {
                diag(w, OAG_SEV_ERROR, &v.start,
                     key[0] == 's' ? "/swagger" : "/openapi",
                     "'%s' must be a version string", key);
            } else if (root->version == CONV_VERSION_UNKNOWN) {
                diag(w, OAG_SEV_ERROR, &v.start,
                     key[0] == 's' ? "/swagger" : "/openapi",
                     "unsupported %s version '%s' (expected swagger 2.0 or "
                     "openapi 3.0.x/3.1.x)",
                     key, root->version_text);
            }
            r = skip(w, &v, NULL, err);
        } else if (strcmp(key, "basePath") == 0) {
            free(w->root->base_path);
            w->root->base_path = scalar_text(&v);
            w->seen_base = true;
            r = skip(w, &v, NULL, err);
        } else if (strcmp(key, "servers") == 0) {
            struct doc_tree t = { 0 };
            r = build(w, &v, 0, "/servers", &t, err);
            if (r == 0) {
                json_decref(w->root->servers);
                w->root->servers = json_incref(t.root);
                w->seen_base = true;
            }
            doc_tree_release(&t);
        } else if (strcmp(key, "paths") == 0) {
            r = walk_paths(w, &v, err);
        } else if (strcmp(key, "components") == 0) {
            r = walk_components(w, &v, err);
        } else if (strcmp(key, "webhooks") == 0) {
            w->root->has_webhooks = true;
            r = skip(w, &v, NULL, err);
        } else if (strcmp(key, "info") == 0) {
            r = walk_info(w, &v, err);
        } else if (strcmp(key, "responses") == 0) {
            r = build(w, &v, 0, "/responses", &w->root->swagger_responses, err);
        } else {
            r = skip(w, &v, NULL, err);
        }
        free(key);
        if (r != 0) {
            return -1;
        }
    }
    return k < 0 ? -1 : 0;
}

int conv_walk(struct doc_reader *r, const struct conv_walk_options *o,
              conv_op_fn fn, void *ctx, struct conv_root *out_root,
              struct oag_error *err)
{
    struct walker w = {
        .r = r,
        .o = o,
        .fn = fn,
        .ctx = ctx,
        .root = out_root,
        .file = doc_reader_name(r),
    };
    memset(out_root, 0, sizeof(*out_root));
    int rc = -1;
    struct doc_event ev;
    if (next(&w, &ev, err) != 0) { /* stream start */
        goto out;
    }
    if (next(&w, &ev, err) != 0) {
        goto out;
    }
    if (ev.type == DOC_EV_STREAM_END) {
        diag(&w, OAG_SEV_ERROR, &ev.start, "", "document is empty");
        rc = 0;
        goto out;
    }
    if (next(&w, &ev, err) != 0) { /* the root node */
        goto out;
    }
    bool root_is_map = ev.type == DOC_EV_MAPPING_START;
    if (!root_is_map) {
        diag(&w, OAG_SEV_ERROR, &ev.start, "",
             "document root is not a mapping: not an OpenAPI document");
        if (skip(&w, &ev, NULL, err) != 0) {
            goto out;
        }
    } else if (walk_root_map(&w, err) != 0) {
        goto out;
    }
    /* document end, then stream end (a second document is refused) */
    do {
        if (next(&w, &ev, err) != 0) {
            goto out;
        }
    } while (ev.type != DOC_EV_STREAM_END);
    /* a root that is not a mapping has been reported already */
    if (!out_root->has_version && root_is_map) {
        diag(&w, OAG_SEV_ERROR, NULL, "",
             "not an OpenAPI document: no 'swagger' or 'openapi' key at "
             "the root");
    }
    rc = 0;
out:
    doc_anchors_release(&w.anchors);
    strset_release(&w.paths_seen);
    return rc;
}
