/*
 * Kept subtrees; see tree.h.  The builder is iterative (an explicit stack)
 * so nesting costs heap, not C stack; the reader bounds the depth.
 */
#include "doc/tree.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "doc/pointer.h"
#include "doc/reader_internal.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

struct frame {
    json_t *container; /* object or array being filled */
    bool is_map;
    bool have_key; /* maps: a key is waiting for its value */
    char *key;     /* owned pending key */
    size_t key_len;
    struct doc_mark key_start;
    struct doc_mark key_end;
    size_t ptr_len;   /* pointer length before this node's segment */
    size_t pos_index; /* this node's doc_pos, or SIZE_MAX */
    struct doc_mark content_end;
    size_t nodes; /* nodes inside, for the alias budget */
    char *anchor; /* owned anchor name of this node, or NULL */
    size_t index; /* arrays: next index */
};

void doc_anchors_release(struct doc_anchors *a)
{
    if (!a) {
        return;
    }
    for (size_t i = 0; i < a->len; i++) {
        free(a->names[i]);
        json_decref(a->values[i]);
    }
    free(a->names);
    free(a->values);
    free(a->sizes);
    memset(a, 0, sizeof(*a));
}

void doc_tree_release(struct doc_tree *t)
{
    if (!t) {
        return;
    }
    json_decref(t->root);
    free(t->pos);
    buf_release(&t->pointer_text);
    memset(t, 0, sizeof(*t));
}

static void anchors_add(struct doc_anchors *a, const char *name, json_t *v,
                        size_t nodes)
{
    a->defined++;
    for (size_t i = 0; i < a->len; i++) {
        if (strcmp(a->names[i], name) == 0) {
            json_decref(a->values[i]);
            a->values[i] = json_incref(v);
            a->sizes[i] = nodes;
            return;
        }
    }
    if (a->len == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->names = xreallocarray(a->names, a->cap, sizeof(*a->names));
        a->values = xreallocarray(a->values, a->cap, sizeof(*a->values));
        a->sizes = xreallocarray(a->sizes, a->cap, sizeof(*a->sizes));
    }
    a->names[a->len] = xstrdup(name);
    a->values[a->len] = json_incref(v);
    a->sizes[a->len] = nodes;
    a->len++;
}

static bool anchors_find(const struct doc_anchors *a, const char *name,
                         json_t **out_v, size_t *out_nodes)
{
    if (!a) {
        return false;
    }
    for (size_t i = a->len; i-- > 0;) {
        if (strcmp(a->names[i], name) == 0) {
            *out_v = a->values[i];
            *out_nodes = a->sizes[i];
            return true;
        }
    }
    return false;
}

static bool is_tag(const char *tag, const char *short_name)
{
    if (!tag) {
        return false;
    }
    static const char prefix[] = "tag:yaml.org,2002:";
    if (strncmp(tag, prefix, sizeof(prefix) - 1) == 0) {
        return strcmp(tag + sizeof(prefix) - 1, short_name) == 0;
    }
    return false;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool is_float_text(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        i++;
    }
    size_t digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) {
            i++;
        }
        size_t exp = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
            exp++;
        }
        if (exp == 0) {
            return false;
        }
    }
    return i == n;
}

/* libyaml has checked the UTF-8 already: no second pass in jansson */
bool doc_scalar_surely_string(const char *v, size_t n,
                              enum doc_scalar_style style)
{
    if (style != DOC_SCALAR_PLAIN) {
        return true;
    }
    return n > 0 &&
           ((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')) &&
           !strchr("nNtTfF", v[0]);
}

json_t *doc_scalar_resolve(const char *v, size_t n, enum doc_scalar_style style,
                           const char *tag)
{
    if (style != DOC_SCALAR_PLAIN || is_tag(tag, "str") ||
        (tag && strcmp(tag, "!") == 0)) {
        return json_stringn_nocheck(v, n);
    }
    if (n == 0 || (n == 1 && v[0] == '~') ||
        (n == 4 && (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 ||
                    memcmp(v, "NULL", 4) == 0))) {
        return json_null();
    }
    if ((n == 4 && (memcmp(v, "true", 4) == 0 || memcmp(v, "True", 4) == 0 ||
                    memcmp(v, "TRUE", 4) == 0))) {
        return json_true();
    }
    if ((n == 5 && (memcmp(v, "false", 5) == 0 || memcmp(v, "False", 5) == 0 ||
                    memcmp(v, "FALSE", 5) == 0))) {
        return json_false();
    }
    const char *digits = v;
    size_t dn = n;
    if (dn > 1 && (v[0] == '-' || v[0] == '+')) {
        digits++;
        dn--;
    }
    if (all_digits(digits, dn) && n < 64) {
        char tmp[64];
        memcpy(tmp, v, n);
        tmp[n] = '\0';
        errno = 0;
        char *end = NULL;
        long long x = strtoll(tmp, &end, 10);
        if (errno == 0 && end && *end == '\0') {
            return json_integer((json_int_t)x);
        }
    }
    if (is_float_text(v, n) && n < 64) {
        char tmp[64];
        memcpy(tmp, v, n);
        tmp[n] = '\0';
        double d = strtod(tmp, NULL);
        if (isfinite(d)) {
            return json_real(d);
        }
    }
    return json_stringn_nocheck(v, n);
}

static struct doc_pos *pos_push(struct doc_tree *t, const struct buf *ptr)
{
    if (t->n_pos == t->cap_pos) {
        t->cap_pos = t->cap_pos ? t->cap_pos * 2 : 16;
        t->pos = xreallocarray(t->pos, t->cap_pos, sizeof(*t->pos));
    }
    struct doc_pos *p = &t->pos[t->n_pos++];
    memset(p, 0, sizeof(*p));
    /* one text for all pointers: set p->pointer when the tree is built */
    p->pointer_at = t->pointer_text.len;
    buf_add(&t->pointer_text, buf_str(ptr), ptr->len);
    buf_addch(&t->pointer_text, '\0');
    return p;
}

static void frame_release(struct frame *f)
{
    json_decref(f->container);
    free(f->key);
    free(f->anchor);
}

static void update_end(struct frame *stack, size_t depth,
                       const struct doc_mark *end)
{
    if (depth > 0) {
        stack[depth - 1].content_end = *end;
    }
}

/* Prepares the pointer and position for a value about to start. */
static size_t value_begin(struct doc_tree *t, unsigned flags,
                          struct frame *stack, size_t depth, struct buf *ptr,
                          const struct doc_event *ev, size_t *out_ptr_len)
{
    *out_ptr_len = ptr->len;
    struct frame *parent = depth ? &stack[depth - 1] : NULL;
    if (parent && (flags & DOC_TREE_POSITIONS)) {
        if (parent->is_map) {
            jptr_append(ptr, parent->key, parent->key_len);
        } else {
            jptr_append_index(ptr, parent->index);
        }
    }
    if (!(flags & DOC_TREE_POSITIONS)) {
        return (size_t)-1;
    }
    struct doc_pos *p = pos_push(t, ptr);
    p->start = ev->start;
    p->end = ev->end;
    p->flow = ev->flow;
    p->style = ev->style;
    if (parent && parent->is_map) {
        p->is_member = true;
        p->key = parent->key_start;
        p->key_end = parent->key_end;
    }
    return t->n_pos - 1;
}

/* Attaches v (reference taken) to the parent frame, or makes it the root. */
static void attach(struct frame *stack, size_t depth, json_t *v, json_t **root,
                   struct oag_error_list *diags, const char *file,
                   const char *base, struct buf *ptr, size_t ptr_len)
{
    buf_truncate(ptr, ptr_len);
    if (depth == 0) {
        *root = v;
        return;
    }
    struct frame *p = &stack[depth - 1];
    if (p->is_map) {
        char *key = p->key;
        if (json_object_getn(p->container, key, p->key_len) && diags) {
            /* the ancestors still hold the keys that lead here */
            struct buf where = BUF_INIT;
            buf_adds(&where, base ? base : "");
            for (size_t i = 0; i + 1 < depth; i++) {
                if (stack[i].is_map) {
                    jptr_append(&where, stack[i].key, stack[i].key_len);
                } else {
                    jptr_append_index(&where, stack[i].index);
                }
            }
            jptr_append(&where, key, p->key_len);
            oag_error_list_add(diags, OAG_SEV_WARNING, OAG_ERR_INVALID, file,
                               p->key_start.line, p->key_start.column,
                               buf_str(&where),
                               "duplicate key '%s' (API Gateway uses the "
                               "last one)",
                               key);
            buf_release(&where);
        }
        json_object_setn_new(p->container, key, p->key_len, v);
        free(p->key);
        p->key = NULL;
        p->have_key = false;
    } else {
        json_array_append_new(p->container, v);
        p->index++;
    }
}

int doc_tree_build(struct doc_reader *r, const struct doc_event *first,
                   struct doc_anchors *anchors, unsigned flags,
                   const char *base_pointer, struct oag_error_list *diags,
                   struct doc_tree *out, struct oag_error *err)
{
    doc_tree_release(out);
    struct frame *stack = NULL;
    size_t depth = 0;
    size_t cap = 0;
    struct buf ptr = BUF_INIT;
    json_t *root = NULL;
    struct doc_event ev = *first;
    const char *file = doc_reader_name(r);
    size_t max_alias = doc_reader_limits(r)->max_alias_nodes;
    int rc = -1;
    bool need_next = false;

    for (;;) {
        if (need_next && doc_reader_next(r, &ev, err) != 0) {
            goto out;
        }
        need_next = true;
        struct frame *top = depth ? &stack[depth - 1] : NULL;

        /* a key in a mapping */
        if (top && top->is_map && !top->have_key &&
            ev.type != DOC_EV_MAPPING_END) {
            if (ev.type == DOC_EV_SCALAR) {
                top->key = xstrndup(ev.value, ev.len);
                top->key_len = ev.len;
            } else if (ev.type == DOC_EV_ALIAS) {
                json_t *v = NULL;
                size_t n = 0;
                if (!anchors_find(anchors, ev.value, &v, &n) ||
                    !json_is_string(v)) {
                    oag_error_set(err, OAG_ERR_UNSUPPORTED,
                                  "alias '*%s' used as a key does not name "
                                  "a string",
                                  ev.value);
                    doc_reader_locate(r, &ev.start, NULL, err);
                    goto out;
                }
                top->key =
                    xstrndup(json_string_value(v), json_string_length(v));
                top->key_len = json_string_length(v);
            } else {
                oag_error_set(err, OAG_ERR_UNSUPPORTED,
                              "complex mapping keys are not supported");
                doc_reader_locate(r, &ev.start, NULL, err);
                goto out;
            }
            if (ev.type == DOC_EV_SCALAR && ev.style == DOC_SCALAR_PLAIN &&
                ev.len == 2 && memcmp(ev.value, "<<", 2) == 0 && diags) {
                oag_error_list_add(diags, OAG_SEV_WARNING, OAG_ERR_UNSUPPORTED,
                                   file, ev.start.line, ev.start.column, NULL,
                                   "YAML merge key '<<' is not applied: "
                                   "API Gateway reads it as an ordinary key");
            }
            top->have_key = true;
            top->key_start = ev.start;
            top->key_end = ev.end;
            continue;
        }

        size_t ptr_len = 0;
        switch (ev.type) {
        case DOC_EV_SCALAR: {
            size_t pi =
                value_begin(out, flags, stack, depth, &ptr, &ev, &ptr_len);
            (void)pi;
            json_t *v = doc_scalar_resolve(ev.value, ev.len, ev.style, ev.tag);
            if (ev.anchor && anchors) {
                anchors_add(anchors, ev.anchor, v, 1);
            }
            update_end(stack, depth, &ev.end);
            if (depth) {
                stack[depth - 1].nodes++;
            }
            attach(stack, depth, v, &root, diags, file, base_pointer, &ptr,
                   ptr_len);
            break;
        }
        case DOC_EV_ALIAS: {
            json_t *v = NULL;
            size_t n = 0;
            if (!anchors_find(anchors, ev.value, &v, &n)) {
                oag_error_set(err, OAG_ERR_INVALID,
                              "alias '*%s' refers to an unknown anchor",
                              ev.value);
                doc_reader_locate(r, &ev.start, NULL, err);
                goto out;
            }
            anchors->expanded += n;
            if (anchors->expanded > max_alias) {
                oag_error_set(err, OAG_ERR_LIMIT,
                              "aliases expand to more than %zu nodes "
                              "(alias bomb?)",
                              max_alias);
                doc_reader_locate(r, &ev.start, NULL, err);
                goto out;
            }
            value_begin(out, flags, stack, depth, &ptr, &ev, &ptr_len);
            update_end(stack, depth, &ev.end);
            if (depth) {
                stack[depth - 1].nodes += n;
            }
            attach(stack, depth, json_incref(v), &root, diags, file,
                   base_pointer, &ptr, ptr_len);
            break;
        }
        case DOC_EV_MAPPING_START:
        case DOC_EV_SEQUENCE_START: {
            size_t pi =
                value_begin(out, flags, stack, depth, &ptr, &ev, &ptr_len);
            if (depth == cap) {
                cap = cap ? cap * 2 : 8;
                stack = xreallocarray(stack, cap, sizeof(*stack));
            }
            struct frame *f = &stack[depth++];
            memset(f, 0, sizeof(*f));
            f->is_map = ev.type == DOC_EV_MAPPING_START;
            f->container = f->is_map ? json_object() : json_array();
            f->ptr_len = ptr_len;
            f->pos_index = pi;
            f->content_end = ev.end;
            f->anchor = ev.anchor ? xstrdup(ev.anchor) : NULL;
            break;
        }
        case DOC_EV_MAPPING_END:
        case DOC_EV_SEQUENCE_END: {
            struct frame f = stack[--depth];
            struct doc_mark end = ev.flow ? ev.end : f.content_end;
            if (f.pos_index != (size_t)-1) {
                out->pos[f.pos_index].end = end;
            }
            update_end(stack, depth, &end);
            if (depth) {
                stack[depth - 1].nodes += f.nodes + 1;
            }
            if (f.anchor && anchors) {
                anchors_add(anchors, f.anchor, f.container, f.nodes + 1);
            }
            free(f.anchor);
            free(f.key);
            attach(stack, depth, f.container, &root, diags, file, base_pointer,
                   &ptr, f.ptr_len);
            break;
        }
        default:
            OAG_BUG("unexpected event %d inside a node", (int)ev.type);
        }
        if (depth == 0) {
            break;
        }
    }
    out->root = root;
    root = NULL;
    for (size_t i = 0; i < out->n_pos; i++) {
        out->pos[i].pointer = out->pointer_text.data + out->pos[i].pointer_at;
    }
    rc = 0;
out:
    for (size_t i = 0; i < depth; i++) {
        frame_release(&stack[i]);
    }
    free(stack);
    json_decref(root);
    buf_release(&ptr);
    if (rc != 0) {
        doc_tree_release(out);
    }
    return rc;
}

const struct doc_pos *doc_tree_find(const struct doc_tree *t,
                                    const char *pointer)
{
    for (size_t i = 0; i < t->n_pos; i++) {
        if (strcmp(t->pos[i].pointer, pointer) == 0) {
            return &t->pos[i];
        }
    }
    return NULL;
}

int doc_skip_node(struct doc_reader *r, const struct doc_event *ev,
                  struct doc_anchors *anchors, struct doc_mark *out_end,
                  struct oag_error *err)
{
    if (!anchors || ev->anchor || ev->type == DOC_EV_SCALAR ||
        ev->type == DOC_EV_ALIAS) {
        if (ev->anchor && anchors) {
            /* positions: the end of a block collection is its content's */
            struct doc_tree t = { 0 };
            if (doc_tree_build(r, ev, anchors, DOC_TREE_POSITIONS, NULL, NULL,
                               &t, err) != 0) {
                return -1;
            }
            if (out_end) {
                *out_end = t.n_pos ? t.pos[0].end : ev->end;
            }
            doc_tree_release(&t);
            return 0;
        }
        return doc_reader_skip(r, ev, out_end, err);
    }
    /* a collection: walk it, building only anchored children */
    struct doc_mark end = ev->end;
    bool pinned = false; /* end is doc_reader_pinned_end */
    unsigned level = 1;
    struct doc_event e;
    while (level > 0) {
        if (doc_reader_next_light(r, &e, err) != 0) {
            return -1;
        }
        if (e.anchor) {
            struct doc_tree t = { 0 };
            doc_reader_marks(r, &e);
            if (doc_tree_build(r, &e, anchors, DOC_TREE_POSITIONS, NULL, NULL,
                               &t, err) != 0) {
                return -1;
            }
            if (t.n_pos) {
                end = t.pos[0].end;
                pinned = false;
            }
            doc_tree_release(&t);
            continue;
        }
        switch (e.type) {
        case DOC_EV_SEQUENCE_START:
        case DOC_EV_MAPPING_START:
            level++;
            break;
        case DOC_EV_SEQUENCE_END:
        case DOC_EV_MAPPING_END:
            level--;
            if (e.flow) {
                doc_reader_pin_end(r, &e);
                pinned = true;
            }
            break;
        case DOC_EV_SCALAR:
        case DOC_EV_ALIAS:
            doc_reader_pin_end(r, &e);
            pinned = true;
            break;
        default:
            break;
        }
    }
    if (out_end) {
        if (pinned) {
            doc_reader_pinned_end(r, &end);
        }
        *out_end = end;
    }
    return 0;
}
