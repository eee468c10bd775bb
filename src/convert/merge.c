/*
 * merge: records -> document, by splicing (doc/splice.h), so every byte
 * outside the responses blocks that change stays as it was.
 *
 * Per operation, the document's entries are read as extract reads them and
 * compared with the records for that operation (path and method):
 *   - equal (same keys in the same order, same content): nothing is written;
 *   - same keys in the same order: only the entries whose content differs
 *     are rewritten, each keeping its key's original text;
 *   - otherwise the block is written anew from the records, reusing the
 *     original text of every entry that did not change;
 *   - no records: the responses key is removed (block style) or becomes {}.
 * New text follows the document's style: indentation step, quotes, CRLF,
 * block or flow, literal blocks for multi-line templates (but not at the
 * end of text that a blank or comment line follows: a literal block would
 * take that line in, so there they are double-quoted).
 */
#include "convert/convert_internal.h"

#include <stdlib.h>
#include <string.h>

#include "doc/pointer.h"
#include "doc/reader_internal.h"
#include "doc/splice.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/strset.h"
#include "util/xalloc.h"

struct merge_entry {
    char *key; /* as written */
    bool is_default;
    json_t *value; /* reference */
    struct doc_mark key_start;
    struct doc_mark key_end;
    struct doc_mark value_start;
    struct doc_mark value_end;
    bool value_flow;
    bool value_is_map;
    struct igr_record rec; /* zeroed when the entry is not valid */
    bool valid;
};

struct merge_group {
    size_t *idx; /* indices into the records list */
    size_t len;
    size_t cap;
    bool matched;
};

struct merge_ctx {
    const char *data;
    size_t len;
    struct doc_reader *reader; /* borrowed; the document being walked */
    const char *file;
    const struct igr_list *records;
    const struct conv_options *opts;
    struct doc_style style;
    struct strset group_of; /* "path\nMETHOD" -> group index */
    struct merge_group *groups;
    size_t n_groups;
    struct doc_splice splice;
    struct conv_merge_stats *stats;
    struct oag_error_list *diags;
    size_t errors;
    bool dup_keys; /* this op's responses repeat a key, or
                                  write one as '? key' (explicit): the
                                  entries' text cannot be reused */
};

static char *group_key(const char *path, const char *method)
{
    size_t p = strlen(path);
    size_t n = strlen(method);
    char *k = xmalloc(p + n + 2);
    memcpy(k, path, p);
    k[p] = '\n';
    memcpy(k + p + 1, method, n + 1);
    return k;
}

static void report(struct merge_ctx *m, const struct doc_mark *at,
                   const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(struct merge_ctx *m, const struct doc_mark *at,
                   const char *pointer, const char *fmt, ...)
{
    m->errors++;
    if (!m->diags) {
        return;
    }
    struct oag_error e = OAG_ERROR_INIT;
    va_list ap;
    va_start(ap, fmt);
    oag_error_vset(&e, OAG_ERR_INVALID, fmt, ap);
    va_end(ap);
    oag_error_set_where(&e, m->file, at ? at->line : 0, at ? at->column : 0,
                        pointer);
    oag_error_list_take(m->diags, OAG_SEV_ERROR, &e);
}

/* The value of an entry for rec, keeping the field order of orig. */
static json_t *entry_value(const struct igr_record *rec, json_t *orig)
{
    static const char *const fields[] = {
        "statusCode",
        "responseParameters",
        "responseTemplates",
        "contentHandling",
    };
    json_t *want = json_object();
    json_object_set_new(want, "statusCode", json_string(rec->status_code));
    const struct igr_map *maps[2] = { &rec->response_parameters,
                                      &rec->response_templates };
    for (int i = 0; i < 2; i++) {
        if (maps[i]->len == 0) {
            continue;
        }
        json_t *o = json_object();
        /* original key order first, then new keys */
        json_t *old = json_object_get(orig, fields[i + 1]);
        const char *k;
        json_t *v;
        if (json_is_object(old)) {
            json_object_foreach (old, k, v) {
                const char *nv = igr_map_get(maps[i], k);
                if (nv) {
                    json_object_set_new(o, k, json_string(nv));
                }
            }
        }
        for (size_t j = 0; j < maps[i]->len; j++) {
            if (!json_object_get(o, maps[i]->items[j].key)) {
                json_object_set_new(o, maps[i]->items[j].key,
                                    json_string(maps[i]->items[j].value));
            }
        }
        json_object_set_new(want, fields[i + 1], o);
    }
    if (rec->content_handling) {
        json_object_set_new(want, "contentHandling",
                            json_string(rec->content_handling));
    }
    if (!json_is_object(orig)) {
        return want;
    }
    json_t *ordered = json_object();
    const char *k;
    json_t *v;
    json_object_foreach (orig, k, v) {
        json_t *w = json_object_get(want, k);
        if (w) {
            json_object_set(ordered, k, w);
        }
    }
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        json_t *w = json_object_get(want, fields[i]);
        if (w && !json_object_get(ordered, fields[i])) {
            json_object_set(ordered, fields[i], w);
        }
    }
    json_decref(want);
    return ordered;
}

static unsigned line_indent(const char *data, size_t offset)
{
    size_t s = doc_line_start(data, offset);
    unsigned n = 0;
    while (data[s + n] == ' ') {
        n++;
    }
    return n;
}

static const char *record_key(const struct igr_record *r)
{
    return r->selection_pattern ? r->selection_pattern : "default";
}

/* The original text of a block-style entry: whole lines. */
static void block_entry_span(const struct merge_ctx *m,
                             const struct merge_entry *e, size_t *out_start,
                             size_t *out_end)
{
    *out_start = doc_line_start(m->data, e->key_start.offset);
    *out_end = doc_line_after_node(m->data, m->len, e->value_end.offset);
}

enum eof_fix {
    EOF_FIX_NONE,       /* a line break can follow the last line as it is */
    EOF_FIX_CHOMP,      /* replace [at, at + del) by the strip indicator */
    EOF_FIX_IMPOSSIBLE, /* no edit keeps the value */
};

/*
 * Text is about to follow the end of a document whose last line has no
 * line break, so a line break is added first.  When the document ends
 * inside a block scalar (| or >) with clip or keep chomping, that line break
 * would join the value; the strip indicator ('-') reads the same value with
 * it.  A keep scalar whose last line is only spaces cannot be kept that way.
 */
static enum eof_fix eof_chomp_fix(const struct merge_ctx *m, size_t *at,
                                  size_t *del, struct doc_mark *where)
{
    struct doc_mark start;
    struct doc_mark end;
    if (!m->reader || !doc_reader_last_block_scalar(m->reader, &start, &end) ||
        end.offset < m->len) {
        return EOF_FIX_NONE;
    }
    *where = start;
    const char *d = m->data;
    size_t h = start.offset;
    /* the event starts at the node's properties (&anchor, !tag), if any */
    while (h < m->len && d[h] != '|' && d[h] != '>') {
        if (d[h] == '&' || d[h] == '!') {
            while (h < m->len && d[h] != ' ' && d[h] != '\t' && d[h] != '\n' &&
                   d[h] != '\r') {
                h++;
            }
        } else if (d[h] == '#') {
            while (h < m->len && d[h] != '\n' && d[h] != '\r') {
                h++;
            }
        } else if (d[h] == ' ' || d[h] == '\t' || d[h] == '\n' ||
                   d[h] == '\r') {
            h++;
        } else {
            return EOF_FIX_IMPOSSIBLE;
        }
    }
    if (h >= m->len) {
        return EOF_FIX_IMPOSSIBLE;
    }
    size_t p = h + 1;
    size_t plus = 0;
    for (int i = 0; i < 2 && p < m->len; i++, p++) {
        if (d[p] == '-') {
            return EOF_FIX_NONE;
        }
        if (d[p] == '+') {
            plus = p;
        } else if (d[p] < '1' || d[p] > '9') {
            break;
        }
    }
    size_t ls = m->len;
    while (ls > 0 && d[ls - 1] != '\n' && d[ls - 1] != '\r') {
        ls--;
    }
    bool blank = true;
    for (size_t k = ls; k < m->len; k++) {
        if (d[k] != ' ' && d[k] != '\t') {
            blank = false;
        }
    }
    if (blank) {
        /* clip drops the new trailing break again; keep would take it */
        return plus ? EOF_FIX_IMPOSSIBLE : EOF_FIX_NONE;
    }
    *at = plus ? plus : p;
    *del = plus ? 1 : 0;
    return EOF_FIX_CHOMP;
}

static void report_eof_fix(struct merge_ctx *m, const struct doc_mark *where)
{
    report(m, where, NULL,
           "cannot add text after the block scalar that ends the document "
           "without a line break: the line break would change its value; "
           "end the document with a line break and merge again");
}

/*
 * Writes a block-style entry: indent, key, value, newline; no_literal when
 * a line that a literal block would take in follows it (loose_line_at).
 */
static void emit_block_entry(struct merge_ctx *m, struct buf *out,
                             const struct merge_entry *orig,
                             const struct igr_record *rec, unsigned indent,
                             unsigned step, bool no_literal)
{
    json_t *value = entry_value(rec, orig ? orig->value : NULL);
    if (orig) {
        /* the key exactly as written */
        size_t ls = doc_line_start(m->data, orig->key_start.offset);
        buf_add(out, m->data + ls, orig->key_end.offset - ls);
    } else {
        for (unsigned i = 0; i < indent; i++) {
            buf_addch(out, ' ');
        }
        const char *k = record_key(rec);
        doc_emit_yaml_string(out, k, strlen(k), &m->style, indent, true);
    }
    buf_addch(out, ':');
    if (orig && orig->value_flow) {
        buf_addch(out, ' ');
        doc_emit_yaml_flow(out, value, &m->style);
        buf_adds(out, m->style.newline);
    } else {
        buf_adds(out, m->style.newline);
        struct doc_style st = m->style;
        st.step = step;
        st.no_literal = no_literal;
        doc_emit_yaml_members(out, value, &st, indent + step);
    }
    json_decref(value);
}

static void emit_flow_value(struct merge_ctx *m, struct buf *out, json_t *value,
                            unsigned indent, bool compact)
{
    struct doc_style st = m->style;
    st.compact = compact;
    doc_emit_json(out, value, &st, indent);
}

/* The record of item i, or NULL for an entry that gives none. */
typedef const struct igr_record *(*record_at_fn)(const void *items, size_t i);

static const struct igr_record *entry_record(const void *items, size_t i)
{
    const struct merge_entry *e = items;
    return e[i].valid ? &e[i].rec : NULL;
}

static const struct igr_record *list_record(const void *items, size_t i)
{
    return &((const struct igr_record *)items)[i];
}

/*
 * Whether n records in document order (at(items, i)) give, as extract
 * gives them, the records of group g: entries sharing a status code
 * collapse to the last one; any entry that gives no record means no.
 */
static bool existing_equals(const void *items, size_t n, record_at_fn at,
                            const struct igr_list *recs,
                            const struct merge_group *g)
{
    size_t kept = 0;
    size_t gi = 0;
    for (size_t i = 0; i < n; i++) {
        const struct igr_record *rec = at(items, i);
        if (!rec) {
            return false;
        }
        bool later = false;
        for (size_t j = i + 1; j < n && !later; j++) {
            const struct igr_record *o = at(items, j);
            later = o && strcmp(o->status_code, rec->status_code) == 0;
        }
        if (later) {
            continue;
        }
        kept++;
        if (!g || gi >= g->len) {
            return false;
        }
        const struct igr_record *want = &recs->items[g->idx[gi++]];
        if (strcmp(want->status_code, rec->status_code) != 0 ||
            !igr_record_same_content(want, rec)) {
            return false;
        }
    }
    return kept == (g ? g->len : 0);
}

/*
 * Where the block text that rewrite_block writes in block style ends in
 * the document (the end of its splice).
 */
static size_t block_text_end(const struct merge_ctx *m,
                             const struct conv_span *sp,
                             const struct doc_pos *rp, bool resp_is_map,
                             size_t n)
{
    if (sp->has_responses && resp_is_map && n > 0) {
        return doc_line_after_node(m->data, m->len, rp->end.offset);
    }
    if (sp->has_responses) {
        size_t after = rp ? rp->end.offset : sp->resp_key_end.offset;
        if (after < sp->resp_key_end.offset) {
            after = sp->resp_key_end.offset;
        }
        return doc_line_after_content(m->data, m->len, after);
    }
    return doc_line_after_node(m->data, m->len, sp->integ_end.offset);
}

/*
 * Whether the line at offset at could be read into a literal block that
 * ends just before it: a blank line (spaces allowed) or a comment line
 * (past the block's indentation, both are its content).
 */
static bool loose_line_at(const char *d, size_t len, size_t at)
{
    if (at >= len) {
        return false; /* the end of the document: no line follows */
    }
    size_t i = at;
    while (i < len && (d[i] == ' ' || d[i] == '\t')) {
        i++;
    }
    return i == len || d[i] == '\n' || d[i] == '\r' || d[i] == '#';
}

static void rewrite_block(struct merge_ctx *m, const struct conv_op *op,
                          struct merge_entry *e, size_t n,
                          const struct merge_group *g, bool resp_flow)
{
    const struct igr_list *recs = m->records;
    size_t ng = g ? g->len : 0;
    const struct conv_span *sp = &op->span;
    unsigned step = m->style.step;
    struct buf text = BUF_INIT;
    json_t *resp_root = op->responses.root;
    bool resp_is_map = json_is_object(resp_root);
    const struct doc_pos *rp =
        op->responses.n_pos ? &op->responses.pos[0] : NULL;

    /*
     * A flow map under a block integration ("responses: {...}") is
     * rewritten as a flow map in its place: the block writer below works
     * in whole lines and would overwrite the "responses:" key's line.
     */
    bool flow_in_block = !sp->integ_flow && sp->has_responses && resp_is_map &&
                         resp_flow && n > 0;
    if ((!sp->integ_flow && !flow_in_block) ||
        (sp->has_responses && resp_is_map && !resp_flow)) {
        /* block style */
        unsigned indent;
        if (n > 0) {
            indent = (unsigned)(e[0].key_start.column - 1);
            if (rp && !rp->flow) {
                /* the mapping starts at its first key or '?' indicator */
                indent = (unsigned)(rp->start.column - 1);
            }
            if (e[0].value_is_map && !e[0].value_flow &&
                e[0].value_start.column > e[0].key_start.column) {
                step =
                    (unsigned)(e[0].value_start.column - e[0].key_start.column);
            }
        } else if (sp->has_responses) {
            indent = line_indent(m->data, sp->resp_key.offset) + step;
        } else {
            indent = (unsigned)(sp->integ_key_col - 1) + step;
        }
        /*
         * Blank or comment lines after the new text would be read into a
         * literal block it ends with: as content when indented past the
         * block, and blank ones all under keep chomping (|+).  Its last
         * entry is then written afresh with no literal blocks.
         */
        size_t end = block_text_end(m, sp, rp, resp_is_map, n);
        bool blank_after = loose_line_at(m->data, m->len, end);
        for (size_t i = 0; i < ng; i++) {
            const struct igr_record *want = &recs->items[g->idx[i]];
            const struct merge_entry *orig = NULL;
            for (size_t j = 0; j < n; j++) {
                if (e[j].valid &&
                    strcmp(record_key(want),
                           e[j].is_default ? "default" : e[j].key) == 0) {
                    orig = &e[j];
                }
            }
            bool safe_tail = blank_after && i + 1 == ng;
            if (orig && orig->valid && !m->dup_keys && !safe_tail &&
                igr_record_same_content(want, &orig->rec) &&
                strcmp(want->status_code, orig->rec.status_code) == 0) {
                size_t s;
                size_t t;
                block_entry_span(m, orig, &s, &t);
                size_t at = 0;
                size_t del = 0;
                struct doc_mark where;
                enum eof_fix fix = EOF_FIX_NONE;
                if (t == m->len && t > 0 && m->data[t - 1] != '\n' &&
                    m->data[t - 1] != '\r') {
                    fix = eof_chomp_fix(m, &at, &del, &where);
                }
                if (fix == EOF_FIX_CHOMP && at >= s && at + del <= t) {
                    buf_add(&text, m->data + s, at - s);
                    buf_addch(&text, '-');
                    buf_add(&text, m->data + at + del, t - at - del);
                } else {
                    if (fix != EOF_FIX_NONE) {
                        report_eof_fix(m, &where);
                    }
                    buf_add(&text, m->data + s, t - s);
                }
                if (t == m->len && (t == 0 || m->data[t - 1] != '\n')) {
                    buf_adds(&text, m->style.newline);
                }
            } else {
                emit_block_entry(m, &text, m->dup_keys ? NULL : orig, want,
                                 indent, step, safe_tail);
                m->stats->entries_written++;
            }
        }
        size_t start;
        if (sp->has_responses && resp_is_map && n > 0) {
            start = doc_line_start(m->data, e[0].key_start.offset);
            if (ng == 0) {
                /*
                 * remove the key too, unless it is the only one, or an
                 * earlier 'responses' key would come back to life, or
                 * blank or comment lines follow (the key before would
                 * then meet them, and a literal block it ends with take
                 * them in)
                 */
                if (sp->n_integ_keys > 1 && !sp->resp_repeated &&
                    !blank_after) {
                    start = doc_line_start(m->data, sp->resp_key.offset);
                } else {
                    start = sp->resp_key_end.offset;
                    buf_reset(&text);
                    buf_adds(&text, ": {}");
                    buf_adds(&text, m->style.newline);
                }
            }
        } else if (sp->has_responses) {
            /* responses: (null, {} or a scalar) */
            start = sp->resp_key_end.offset;
            struct buf head = BUF_INIT;
            buf_addch(&head, ':');
            if (ng == 0) {
                buf_adds(&head, " {}");
            }
            buf_adds(&head, m->style.newline);
            buf_add(&head, buf_str(&text), text.len);
            buf_release(&text);
            text = head;
        } else {
            if (ng == 0) {
                buf_release(&text);
                return;
            }
            start = end;
            struct buf head = BUF_INIT;
            if (start == m->len && start > 0 && m->data[start - 1] != '\n') {
                size_t at = 0;
                size_t del = 0;
                struct doc_mark where;
                enum eof_fix fix = m->data[start - 1] == '\r'
                                       ? EOF_FIX_NONE
                                       : eof_chomp_fix(m, &at, &del, &where);
                if (fix == EOF_FIX_CHOMP) {
                    doc_splice_add(&m->splice, at, at + del, "-", 1);
                } else if (fix == EOF_FIX_IMPOSSIBLE) {
                    report_eof_fix(m, &where);
                }
                buf_adds(&head, m->style.newline);
            }
            for (unsigned i = 0; i < sp->integ_key_col - 1; i++) {
                buf_addch(&head, ' ');
            }
            buf_adds(&head, "responses:");
            buf_adds(&head, m->style.newline);
            buf_add(&head, buf_str(&text), text.len);
            buf_release(&text);
            text = head;
        }
        doc_splice_add(&m->splice, start, end, buf_str(&text), text.len);
        buf_release(&text);
        return;
    }

    /* flow style (JSON documents, or {...} in YAML) */
    unsigned indent =
        sp->has_responses
            ? line_indent(m->data, sp->resp_key.offset)
            : (unsigned)(sp->integ_key_col > 0 ? sp->integ_key_col - 1 : 0);
    bool compact = m->style.compact;
    if (sp->has_responses && rp) {
        compact = compact || rp->start.line == rp->end.line;
    }
    json_t *obj = json_object();
    for (size_t i = 0; i < ng; i++) {
        const struct igr_record *want = &recs->items[g->idx[i]];
        const struct merge_entry *orig = NULL;
        for (size_t j = 0; j < n; j++) {
            if (e[j].valid &&
                strcmp(record_key(want),
                       e[j].is_default ? "default" : e[j].key) == 0) {
                orig = &e[j];
            }
        }
        json_object_set_new(obj, orig ? orig->key : record_key(want),
                            entry_value(want, orig ? orig->value : NULL));
        if (!orig || !igr_record_same_content(want, &orig->rec)) {
            m->stats->entries_written++;
        }
    }
    emit_flow_value(m, &text, obj, indent, compact);
    json_decref(obj);
    if (sp->has_responses && rp) {
        doc_splice_add(&m->splice, rp->start.offset, rp->end.offset,
                       buf_str(&text), text.len);
    } else if (ng > 0) {
        /* insert "responses" before the integration's closing brace */
        size_t close = sp->integ_end.offset - 1;
        size_t p = close;
        while (p > 0 && (m->data[p - 1] == ' ' || m->data[p - 1] == '\n' ||
                         m->data[p - 1] == '\r' || m->data[p - 1] == '\t')) {
            p--;
        }
        struct buf ins = BUF_INIT;
        if (sp->n_integ_keys > 0) {
            buf_addch(&ins, ',');
        }
        if (compact) {
            buf_adds(&ins, sp->n_integ_keys > 0 ? " " : "");
        } else {
            buf_adds(&ins, m->style.newline);
            for (unsigned i = 0; i < indent; i++) {
                buf_addch(&ins, ' ');
            }
        }
        buf_adds(&ins, "\"responses\": ");
        buf_add(&ins, buf_str(&text), text.len);
        doc_splice_add(&m->splice, p, p, buf_str(&ins), ins.len);
        buf_release(&ins);
    }
    buf_release(&text);
}

static void merge_op(struct merge_ctx *m, const struct conv_op *op,
                     const char *rpath)
{
    char *gk = group_key(rpath, op->http_method);
    size_t gi = 0;
    struct merge_group *g =
        strset_find(&m->group_of, gk, &gi) ? &m->groups[gi] : NULL;
    free(gk);
    if (g) {
        g->matched = true;
    }
    if (!op->has_integration || !op->integration_ok) {
        if (g && m->opts->merge_skip_missing && m->diags) {
            oag_error_list_add(m->diags, OAG_SEV_WARNING, OAG_ERR_INVALID,
                               m->file, op->method_mark.line,
                               op->method_mark.column, op->pointer,
                               "%s %s has no x-amazon-apigateway-integration "
                               "in the document: its live integration "
                               "responses are not written",
                               op->http_method, op->doc_path);
        } else if (g) {
            const struct igr_record *r = &m->records->items[g->idx[0]];
            report(m, &op->method_mark, op->pointer,
                   "records for %s %s (first: status %s) but the operation "
                   "has no x-amazon-apigateway-integration%s",
                   r->http_method, r->path, r->status_code,
                   op->has_integration ? " mapping" : "");
        }
        return;
    }
    if (op->fast) {
        return; /* read from events and unchanged (read_responses) */
    }
    json_t *resp = op->responses.root;
    size_t n = 0;
    struct merge_entry *e = NULL;
    bool resp_flow = false;
    if (json_is_object(resp)) {
        resp_flow = op->responses.n_pos && op->responses.pos[0].flow;
        e = xcalloc(json_object_size(resp) + 1, sizeof(*e));
        const char *k;
        json_t *v;
        json_object_foreach (resp, k, v) {
            struct merge_entry *me = &e[n++];
            me->key = xstrdup(k);
            me->is_default = conv_key_is_default(k);
            me->value = json_incref(v);
            me->value_is_map = json_is_object(v);
            char *p = jptr_join("", k);
            const struct doc_pos *pos = doc_tree_find(&op->responses, p);
            free(p);
            if (pos) {
                me->key_start = pos->key;
                me->key_end = pos->key_end;
                me->value_start = pos->start;
                me->value_end = pos->end;
                me->value_flow = pos->flow;
            }
            me->valid = conv_entry_to_record(op, rpath, k, v, m->file, &me->rec,
                                             m->diags) == 0;
            if (!me->valid) {
                m->errors++;
            }
        }
    } else if (resp && !json_is_null(resp)) {
        report(m, &op->span.resp_key, op->pointer,
               "x-amazon-apigateway-integration.responses must be a mapping");
        return;
    }
    /*
     * A repeated key: the tree holds the last value (API Gateway's reading)
     * but positions name the first occurrence, so neither that entry's text
     * nor its range is the live one.  Rewrite the whole block instead.
     */
    m->dup_keys = false;
    for (size_t i = 0, members = 0; i < op->responses.n_pos; i++) {
        const char *p = op->responses.pos[i].pointer;
        members += p[0] == '/' && !strchr(p + 1, '/');
        m->dup_keys = m->dup_keys || members > n;
    }
    for (size_t i = 0; i < n && !m->dup_keys; i++) {
        /* an explicit key: '?' before the key on its line */
        size_t ls = doc_line_start(m->data, e[i].key_start.offset);
        m->dup_keys =
            memchr(m->data + ls, '?', e[i].key_start.offset - ls) != NULL;
    }
    bool unchanged = existing_equals(e, n, entry_record, m->records, g);
    if (!unchanged && op->span.resp_anchors) {
        /* new text would drop an anchor that aliases after it may name */
        report(m, &op->span.resp_key, op->pointer,
               "cannot rewrite the responses of %s %s: they define a YAML "
               "anchor (&name) that aliases elsewhere may use; write copies "
               "instead of the aliases first",
               op->http_method, op->doc_path);
    } else if (!unchanged) {
        bool same_keys = g && n == g->len && n > 0 && !m->dup_keys;
        for (size_t i = 0; same_keys && i < n; i++) {
            const struct igr_record *want = &m->records->items[g->idx[i]];
            same_keys = e[i].valid &&
                        strcmp(record_key(want),
                               e[i].is_default ? "default" : e[i].key) == 0;
            /* two entries for one status code collapse: rewrite all */
            for (size_t j = i + 1; same_keys && j < n; j++) {
                same_keys = e[j].valid && strcmp(e[i].rec.status_code,
                                                 e[j].rec.status_code) != 0;
            }
        }
        m->stats->operations_changed++;
        if (same_keys) {
            for (size_t i = 0; i < n; i++) {
                const struct igr_record *want = &m->records->items[g->idx[i]];
                if (igr_record_same_content(want, &e[i].rec) &&
                    strcmp(want->status_code, e[i].rec.status_code) == 0) {
                    continue;
                }
                m->stats->entries_written++;
                struct buf text = BUF_INIT;
                if (!e[i].value_flow && !resp_flow) {
                    unsigned indent = (unsigned)(e[i].key_start.column - 1);
                    unsigned step = m->style.step;
                    if (e[i].value_is_map &&
                        e[i].value_start.column > e[i].key_start.column) {
                        step = (unsigned)(e[i].value_start.column -
                                          e[i].key_start.column);
                    }
                    size_t s;
                    size_t t;
                    block_entry_span(m, &e[i], &s, &t);
                    emit_block_entry(m, &text, &e[i], want, indent, step,
                                     loose_line_at(m->data, m->len, t));
                    doc_splice_add(&m->splice, s, t, buf_str(&text), text.len);
                } else {
                    json_t *v = entry_value(want, e[i].value);
                    unsigned indent =
                        line_indent(m->data, e[i].key_start.offset);
                    bool compact = m->style.compact ||
                                   e[i].value_start.line == e[i].value_end.line;
                    emit_flow_value(m, &text, v, indent, compact);
                    json_decref(v);
                    doc_splice_add(&m->splice, e[i].value_start.offset,
                                   e[i].value_end.offset, buf_str(&text),
                                   text.len);
                }
                buf_release(&text);
            }
        } else {
            size_t removed = 0;
            for (size_t i = 0; i < n; i++) {
                bool kept = false;
                for (size_t j = 0; g && j < g->len; j++) {
                    kept = kept ||
                           strcmp(record_key(&m->records->items[g->idx[j]]),
                                  e[i].is_default ? "default" : e[i].key) == 0;
                }
                removed += !kept;
            }
            m->stats->entries_removed += removed;
            rewrite_block(m, op, e, n, g, resp_flow);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(e[i].key);
        json_decref(e[i].value);
        igr_record_release(&e[i].rec);
    }
    free(e);
}

/* Operations seen before a late base path wait here (prepend/split). */
struct deferred {
    struct conv_op *ops;
    size_t len;
    size_t cap;
};

struct walk_ctx {
    struct merge_ctx *m;
    struct deferred deferred;
    struct conv_fast *fast;
};

/*
 * Whether the records read straight from an operation's responses block
 * (op->fast_records, document order) are what its group wants.
 */
static bool fast_unchanged(const struct merge_ctx *m, const struct conv_op *op)
{
    char *gk = group_key(op->doc_path, op->http_method);
    size_t gi = 0;
    const struct merge_group *g =
        strset_find(&m->group_of, gk, &gi) ? &m->groups[gi] : NULL;
    free(gk);
    return existing_equals(op->fast_records.items, op->fast_records.len,
                           list_record, m->records, g);
}

/*
 * Responses blocks read straight from the events: an operation whose
 * records are unchanged needs no tree (most of them, when one record of a
 * large document changes); any other is handed back and built with
 * positions for splicing.  Only where resource paths are the document's
 * paths (--basepath ignore); otherwise every block is built.
 */
static int read_responses(void *vctx, struct doc_reader *r, struct conv_op *op,
                          struct doc_event *first, struct oag_error *err)
{
    struct walk_ctx *w = vctx;
    int rc = conv_fast_read(w->fast, r, op, first, err);
    if (rc != 1) {
        return rc;
    }
    if (fast_unchanged(w->m, op)) {
        return 1;
    }
    conv_fast_replay(w->fast, r);
    igr_list_release(&op->fast_records);
    op->fast = false;
    return 0;
}

static int on_op(void *vctx, struct conv_op *op, const struct conv_root *root,
                 struct oag_error *err)
{
    struct walk_ctx *w = vctx;
    if (w->m->opts->basepath != CONV_BASEPATH_IGNORE &&
        !root->base_known_at_paths) {
        struct deferred *d = &w->deferred;
        if (d->len == d->cap) {
            d->cap = d->cap ? d->cap * 2 : 16;
            d->ops = xreallocarray(d->ops, d->cap, sizeof(*d->ops));
        }
        d->ops[d->len++] = *op;
        memset(op, 0, sizeof(*op)); /* the walker frees a zeroed op */
        return 0;
    }
    char *rpath = conv_resource_path(root, op->doc_path, w->m->opts->basepath);
    merge_op(w->m, op, rpath);
    free(rpath);
    (void)err;
    return 0;
}

static bool looks_like_json(const char *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && (unsigned char)data[0] == 0xEF) {
        i = 3;
    }
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' ||
                       data[i] == '\t')) {
        i++;
    }
    return i < len && (data[i] == '{' || data[i] == '[');
}

int conv_merge(const char *data, size_t len, const char *name,
               const struct igr_list *records, const struct conv_options *opts,
               struct buf *out, struct conv_merge_stats *stats,
               struct oag_error_list *diags, struct oag_error *err)
{
    struct doc_splice edits = { 0 };
    int rc = conv_merge_edits(data, len, name, records, opts, &edits, stats,
                              diags, err);
    if (rc == 0) {
        rc = doc_splice_apply(&edits, data, len, out, err);
    }
    doc_splice_release(&edits);
    return rc;
}

int conv_merge_edits(const char *data, size_t len, const char *name,
                     const struct igr_list *records,
                     const struct conv_options *opts, struct doc_splice *edits,
                     struct conv_merge_stats *stats,
                     struct oag_error_list *diags, struct oag_error *err)
{
    doc_splice_release(edits);
    struct conv_merge_stats local_stats = { 0 };
    struct merge_ctx m = {
        .data = data,
        .len = len,
        .file = name ? name : "<memory>",
        .records = records,
        .opts = opts,
        .stats = stats ? stats : &local_stats,
        .diags = diags,
    };
    memset(m.stats, 0, sizeof(*m.stats));
    doc_style_detect(data, len, looks_like_json(data, len), &m.style);
    int rc = -1;
    struct walk_ctx w = { .m = &m };
    struct conv_root root;
    memset(&root, 0, sizeof(root));
    struct doc_reader *r = NULL;

    /* group the records by operation, keeping their order */
    size_t cap_groups = 0;
    for (size_t i = 0; i < records->len; i++) {
        const struct igr_record *rec = &records->items[i];
        char *gk = group_key(rec->path, rec->http_method);
        size_t gi;
        if (!strset_find(&m.group_of, gk, &gi)) {
            if (m.n_groups == cap_groups) {
                cap_groups = cap_groups ? cap_groups * 2 : 64;
                m.groups =
                    xreallocarray(m.groups, cap_groups, sizeof(*m.groups));
            }
            gi = m.n_groups++;
            memset(&m.groups[gi], 0, sizeof(m.groups[gi]));
            strset_add(&m.group_of, gk, gi);
        }
        free(gk);
        struct merge_group *g = &m.groups[gi];
        for (size_t j = 0; j < g->len; j++) {
            if (strcmp(records->items[g->idx[j]].status_code,
                       rec->status_code) == 0) {
                char *d = igr_record_describe(rec);
                report(&m, NULL, NULL, "two records for %s", d);
                free(d);
            } else if (strcmp(record_key(&records->items[g->idx[j]]),
                              record_key(rec)) == 0) {
                /* the block is keyed by pattern: one entry per pattern */
                report(&m, NULL, NULL,
                       "records for %s %s (status %s and %s) share the "
                       "selection pattern '%s'",
                       rec->http_method, rec->path,
                       records->items[g->idx[j]].status_code, rec->status_code,
                       record_key(rec));
            }
        }
        if (g->len == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 4;
            g->idx = xreallocarray(g->idx, g->cap, sizeof(*g->idx));
        }
        g->idx[g->len++] = i;
    }
    if (m.errors) {
        oag_error_set(err, OAG_ERR_INVALID, "invalid records");
        goto out;
    }

    r = doc_reader_new_memory(data, len, m.file, &opts->limits, err);
    if (!r) {
        goto out;
    }
    m.reader = r;
    w.fast = conv_fast_new();
    struct conv_walk_options wo = {
        .tree_flags = DOC_TREE_POSITIONS,
        .skip_declared = true,
        .diags = diags,
        .read_responses =
            opts->basepath == CONV_BASEPATH_IGNORE ? read_responses : NULL,
        .read_ctx = &w,
    };
    size_t diag_errors = diags ? diags->n_errors : 0;
    if (conv_walk(r, &wo, on_op, &w, &root, err) != 0) {
        goto out;
    }
    for (size_t i = 0; i < w.deferred.len; i++) {
        struct conv_op *op = &w.deferred.ops[i];
        char *rpath = conv_resource_path(&root, op->doc_path, opts->basepath);
        merge_op(&m, op, rpath);
        free(rpath);
    }
    for (size_t i = 0; i < m.n_groups; i++) {
        if (!m.groups[i].matched && opts->merge_skip_missing) {
            const struct igr_record *rec = &records->items[m.groups[i].idx[0]];
            if (diags) {
                oag_error_list_add(
                    diags, OAG_SEV_WARNING, OAG_ERR_INVALID, m.file, 0, 0, NULL,
                    "%s %s is not in the document: its %zu "
                    "integration response(s) are not written",
                    rec->http_method, rec->path, m.groups[i].len);
            }
        } else if (!m.groups[i].matched) {
            const struct igr_record *rec = &records->items[m.groups[i].idx[0]];
            report(&m, NULL, NULL,
                   "no operation %s %s in the document for record %zu "
                   "(status %s)",
                   rec->http_method, rec->path, m.groups[i].idx[0],
                   rec->status_code);
        }
    }
    if (m.errors || (diags && diags->n_errors > diag_errors)) {
        oag_error_set(err, OAG_ERR_INVALID,
                      "nothing written: %s cannot "
                      "take these records",
                      m.file);
        goto out;
    }
    if (doc_splice_check(&m.splice, len, err) != 0) {
        goto out;
    }
    *edits = m.splice;
    memset(&m.splice, 0, sizeof(m.splice));
    rc = 0;
out:
    for (size_t i = 0; i < w.deferred.len; i++) {
        struct conv_op *op = &w.deferred.ops[i];
        free(op->doc_path);
        free(op->method_key);
        free(op->pointer);
        doc_tree_release(&op->declared);
        free(op->integration_type);
        free(op->integration_uri);
        doc_tree_release(&op->responses);
        igr_list_release(&op->fast_records);
    }
    free(w.deferred.ops);
    conv_fast_free(w.fast);
    conv_root_release(&root);
    doc_reader_free(r);
    for (size_t i = 0; i < m.n_groups; i++) {
        free(m.groups[i].idx);
    }
    free(m.groups);
    strset_release(&m.group_of);
    doc_splice_release(&m.splice);
    return rc;
}
