/*
 * Splicing: a list of byte-range replacements applied to the original text,
 * so everything outside the edited ranges stays byte for byte as it was.
 * Also the line arithmetic that decides a block's range, and text emitters
 * that write new YAML or JSON in the style of the surrounding document.
 */
#ifndef OAG_DOC_SPLICE_H
#define OAG_DOC_SPLICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct buf;
struct oag_error;

struct doc_edit {
    size_t start; /* byte offset of the first replaced byte */
    size_t end;   /* byte offset just past the replaced range */
    char *text;   /* owned replacement */
    size_t len;
};

struct doc_splice {
    struct doc_edit *edits; /* owned */
    size_t len;
    size_t cap;
};

void doc_splice_release(struct doc_splice *s);
/* Adds a replacement of [start, end) by text[0..len) (copied). */
void doc_splice_add(struct doc_splice *s, size_t start, size_t end,
                    const char *text, size_t len);
/*
 * Writes data with every edit applied into out (appended).  Edits may come
 * in any order; overlapping edits are an error (OAG_ERR_INTERNAL).
 */
int doc_splice_apply(struct doc_splice *s, const char *data, size_t len,
                     struct buf *out, struct oag_error *err);
/*
 * The same text written to f, without building it in memory.  Returns 0,
 * or -1 with errno set by the failed write; the edits must have passed
 * doc_splice_check.
 */
int doc_splice_write(const struct doc_splice *s, const char *data, size_t len,
                     FILE *f);
/*
 * Sorts the edits and checks they lie in data and do not overlap
 * (OAG_ERR_INTERNAL otherwise).
 */
int doc_splice_check(struct doc_splice *s, size_t len, struct oag_error *err);
/* True when applying the (checked) edits changes data. */
bool doc_splice_changes(const struct doc_splice *s, const char *data);

/* Offset of the start of the line holding offset. */
size_t doc_line_start(const char *data, size_t offset);
/*
 * For a block node ending at offset (libyaml's end may lie after trailing
 * blank lines): the offset just past the line break of the last line with
 * content at or before offset (or the end of data).
 */
size_t doc_line_after_content(const char *data, size_t len, size_t offset);
/*
 * Where a block node ending at offset (libyaml's end mark) really ends: a
 * block scalar's end lies at the start of the next line (possibly among
 * its indentation), after trailing blank lines that may be content (the
 * keep indicator |+), so that position is kept; any other node ends
 * within a line, which doc_line_after_content completes.
 */
size_t doc_line_after_node(const char *data, size_t len, size_t offset);
/* Column (0-based, in bytes) of offset within its line. */
size_t doc_column_of(const char *data, size_t offset);

/* How new text should look. */
struct doc_style {
    bool json;           /* JSON document (flow syntax everywhere) */
    unsigned step;       /* indentation step (spaces) */
    char quote;          /* YAML: preferred quote, '\'' or '"' */
    const char *newline; /* "\n" or "\r\n" */
    bool compact;        /* JSON: write on one line */
    bool no_literal;     /* YAML: no literal blocks, multi-line strings are
                            double-quoted (for text that blank lines may
                            follow: a literal block would take them in) */
};

/* Detects newline, indentation step and quote preference from data. */
void doc_style_detect(const char *data, size_t len, bool json,
                      struct doc_style *out);

/*
 * Appends a YAML scalar for the string s (plain when it is safe and reads
 * back as the same string, otherwise quoted in the preferred style; a
 * multi-line string as a literal block when that reads back exactly).
 * indent is the column of the owning key (for literal block lines).
 */
void doc_emit_yaml_string(struct buf *out, const char *s, size_t len,
                          const struct doc_style *st, unsigned indent,
                          bool is_key);
/*
 * Appends the members of object v as YAML block mapping lines, each line
 * starting with indent spaces and ending with the style's newline.
 */
void doc_emit_yaml_members(struct buf *out, json_t *v,
                           const struct doc_style *st, unsigned indent);
/*
 * Appends v as JSON.  Multi-line unless st->compact: nested lines are
 * indented by indent + k * step, the closing bracket by indent.
 */
void doc_emit_json(struct buf *out, json_t *v, const struct doc_style *st,
                   unsigned indent);
/* Appends a YAML flow value (JSON-like, one line) for v. */
void doc_emit_yaml_flow(struct buf *out, json_t *v, const struct doc_style *st);

#endif
