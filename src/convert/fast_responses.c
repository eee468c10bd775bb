/*
 * Responses blocks read straight from the events (convert_internal.h,
 * conv_fast_read): an integration's `responses` of the common shape (a
 * mapping of keys to mappings of statusCode, responseParameters,
 * responseTemplates and contentHandling, with scalar values) becomes
 * records with no tree.  Anything else (anchors, aliases, tags, merge keys,
 * sequences, other fields, duplicate keys, values of the wrong type, NUL
 * bytes) makes it hand the events it read back to the reader, and the tree
 * path reads the block as before, with its diagnostics and its
 * last-one-wins rules.  extract uses it for every block; merge for blocks
 * whose records are unchanged.
 */
#include "convert/convert_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/igr.h"
#include "util/buf.h"
#include "util/xalloc.h"

struct fast_event {
    struct doc_event ev;
    size_t value; /* offsets in fast_reader.text, SIZE_MAX = NULL */
    size_t anchor;
    size_t tag;
};

/* The keys of a mapping being read (offsets in conv_fast.text). */
struct fast_keys {
    size_t *offs;
    size_t n;
    size_t cap;
};

struct conv_fast {
    struct fast_event *evs; /* the events read, for a replay */
    size_t n;
    size_t cap;
    struct doc_event *replay;
    size_t replay_cap;
    struct buf text;             /* their strings, NUL-terminated */
    struct fast_keys entry_keys; /* of the responses block */
    struct fast_keys map_keys;   /* of a parameters or templates map */
};

static void fast_reader_release(struct conv_fast *f)
{
    free(f->evs);
    free(f->replay);
    buf_release(&f->text);
    free(f->entry_keys.offs);
    free(f->map_keys.offs);
}

static size_t fast_keep(struct conv_fast *f, const char *s, size_t len)
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
static int fast_next(struct conv_fast *f, struct doc_reader *r,
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

static const char *fast_text(const struct conv_fast *f, size_t off)
{
    return off == SIZE_MAX ? NULL : f->text.data + off;
}

/* A scalar the fast path can take: no anchor, no tag, no NUL byte. */
static bool fast_plain_node(const struct fast_event *fe)
{
    return fe->ev.type == DOC_EV_SCALAR && !fe->ev.anchor && !fe->ev.tag &&
           (fe->ev.len == 0 || !memchr(fe->ev.value, '\0', fe->ev.len));
}

/*
 * A key the fast path can take: a plain node, not a merge key, not in keys
 * yet (then added).
 */
static bool fast_key(struct conv_fast *f, struct fast_keys *keys,
                     const struct fast_event *fe)
{
    if (!fast_plain_node(fe) ||
        (fe->ev.style == DOC_SCALAR_PLAIN && fe->ev.len == 2 &&
         memcmp(fe->ev.value, "<<", 2) == 0)) {
        return false;
    }
    for (size_t i = 0; i < keys->n; i++) {
        const char *k = fast_text(f, keys->offs[i]);
        if (strlen(k) == fe->ev.len &&
            memcmp(k, fe->ev.value, fe->ev.len) == 0) {
            return false;
        }
    }
    if (keys->n == keys->cap) {
        keys->cap = keys->cap ? keys->cap * 2 : 16;
        keys->offs = xreallocarray(keys->offs, keys->cap, sizeof(*keys->offs));
    }
    keys->offs[keys->n++] = fe->value;
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
    if (doc_scalar_surely_string(v, n, fe->ev.style)) {
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
static int fast_map(struct conv_fast *f, struct doc_reader *r,
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
    f->map_keys.n = 0;
    for (;;) {
        struct fast_event *k;
        struct fast_event *v;
        if (fast_next(f, r, &k, err) != 0) {
            return -1;
        }
        if (k->ev.type == DOC_EV_MAPPING_END) {
            return 1;
        }
        if (!fast_key(f, &f->map_keys, k)) {
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
static int fast_entry(struct conv_fast *f, struct doc_reader *r,
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

static int fast_read(struct conv_fast *f, struct doc_reader *r,
                     struct conv_op *op, const struct doc_event *first,
                     struct oag_error *err)
{
    if (first->type != DOC_EV_MAPPING_START || first->anchor || first->tag) {
        return 0;
    }
    f->entry_keys.n = 0;
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
        if (!fast_key(f, &f->entry_keys, k)) {
            break;
        }
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
    return rc;
}

void conv_fast_replay(struct conv_fast *f, struct doc_reader *r)
{
    /* the block's first event stays with the caller; the rest come again */
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
}

int conv_fast_read(struct conv_fast *f, struct doc_reader *r,
                   struct conv_op *op, const struct doc_event *first,
                   struct oag_error *err)
{
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
    conv_fast_replay(f, r);
    return 0;
}

/* A block read by conv_fast_read, kept to locate its nodes. */
struct conv_fast_block {
    struct doc_mark start;  /* of the block's first event */
    struct fast_event *evs; /* the others, in order */
    size_t n;
    char *text;   /* their strings */
    size_t *keys; /* the entries' keys (offsets in text) */
    size_t n_keys;
};

struct conv_fast_block *conv_fast_take(const struct conv_fast *f,
                                       const struct doc_event *first)
{
    struct conv_fast_block *b = xcalloc(1, sizeof(*b));
    b->start = first->start;
    b->n = f->n;
    b->n_keys = f->entry_keys.n;
    b->evs = xreallocarray(NULL, f->n ? f->n : 1, sizeof(*b->evs));
    b->text = xmalloc(f->text.len ? f->text.len : 1);
    b->keys = xreallocarray(NULL, b->n_keys ? b->n_keys : 1, sizeof(*b->keys));
    if (f->n) { /* an empty block has no events, strings or keys */
        memcpy(b->evs, f->evs, f->n * sizeof(*b->evs));
    }
    if (f->text.len) {
        memcpy(b->text, f->text.data, f->text.len);
    }
    if (b->n_keys) {
        memcpy(b->keys, f->entry_keys.offs, b->n_keys * sizeof(*b->keys));
    }
    return b;
}

void conv_fast_block_free(struct conv_fast_block *b)
{
    if (b) {
        free(b->evs);
        free(b->text);
        free(b->keys);
        free(b);
    }
}

const char *conv_fast_block_key(const struct conv_fast_block *b, size_t i)
{
    return i < b->n_keys ? b->text + b->keys[i] : NULL;
}

/* The index just past the node whose first event is evs[i]. */
static size_t block_skip(const struct conv_fast_block *b, size_t i)
{
    size_t depth = 0;
    do {
        enum doc_event_type t = b->evs[i].ev.type;
        if (t == DOC_EV_MAPPING_START || t == DOC_EV_SEQUENCE_START) {
            depth++;
        } else if (t == DOC_EV_MAPPING_END || t == DOC_EV_SEQUENCE_END) {
            depth--;
        }
        i++;
    } while (depth > 0 && i < b->n);
    return i;
}

/* Unescapes the pointer token at *p (after its '/') into tok; advances. */
static void next_token(const char **p, struct buf *tok)
{
    buf_reset(tok);
    const char *s = *p + 1;
    for (; *s && *s != '/'; s++) {
        if (s[0] == '~' && (s[1] == '0' || s[1] == '1')) {
            buf_addch(tok, s[1] == '0' ? '~' : '/');
            s++;
        } else {
            buf_addch(tok, *s);
        }
    }
    *p = s;
}

struct doc_mark conv_fast_block_locate(const struct conv_fast_block *b,
                                       const char *rel)
{
    struct doc_mark start = b->start; /* of the deepest node found */
    struct doc_mark key = b->start;   /* of its key */
    bool whole = true;                /* every token of rel was found */
    struct buf tok = BUF_INIT;
    size_t i = 0; /* the first member event of the mapping searched */
    const char *p = rel;
    while (*p == '/') {
        next_token(&p, &tok);
        bool found = false;
        while (i < b->n && b->evs[i].ev.type == DOC_EV_SCALAR) {
            const struct fast_event *k = &b->evs[i];
            if (i + 1 < b->n && k->ev.len == tok.len &&
                memcmp(b->text + k->value, buf_str(&tok), tok.len) == 0) {
                found = true;
                key = k->ev.start;
                start = b->evs[i + 1].ev.start;
                i++;
                break;
            }
            i = i + 1 < b->n ? block_skip(b, i + 1) : b->n;
        }
        if (!found) {
            whole = false;
            break;
        }
        if (b->evs[i].ev.type != DOC_EV_MAPPING_START) {
            whole = *p == '\0';
            break;
        }
        i++;
    }
    buf_release(&tok);
    /* members point at their key, which is where people look */
    return whole && rel[0] ? key : start;
}

struct conv_fast *conv_fast_new(void)
{
    return xcalloc(1, sizeof(struct conv_fast));
}

void conv_fast_free(struct conv_fast *f)
{
    if (f) {
        fast_reader_release(f);
        free(f);
    }
}
