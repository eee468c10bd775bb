/*
 * A YAML or JSON document read as a stream of positioned events.
 *
 * libyaml does the parsing, except for documents that start with '{' or
 * '[': a strict JSON scanner reads those and gives the events libyaml would
 * (JSON is YAML flow syntax), falling back to libyaml for YAML flow
 * documents where it can.  This module adds what
 * libyaml lacks: byte offsets (libyaml counts characters), limits that keep
 * hostile input bounded (nesting depth, size of one token, one document per
 * stream, UTF-8 only), and translation of libyaml's errors into struct
 * oag_error with file:line:column.  Nothing is kept: an event's strings are
 * valid until the next call, so a 100 MB document is read in constant
 * memory.  Subtrees worth keeping are built with doc/tree.h.
 */
#ifndef OAG_DOC_READER_H
#define OAG_DOC_READER_H

#include <stdbool.h>
#include <stddef.h>

struct oag_error;
struct doc_reader;

/* A position: 1-based line and column (in characters), 0-based byte. */
struct doc_mark {
    size_t offset;        /* byte offset; exact for memory sources and JSON */
    unsigned long line;   /* 1-based */
    unsigned long column; /* 1-based, in characters */
};

enum doc_event_type {
    DOC_EV_NONE = 0,
    DOC_EV_STREAM_START,
    DOC_EV_STREAM_END,
    DOC_EV_DOCUMENT_START,
    DOC_EV_DOCUMENT_END,
    DOC_EV_ALIAS,
    DOC_EV_SCALAR,
    DOC_EV_SEQUENCE_START,
    DOC_EV_SEQUENCE_END,
    DOC_EV_MAPPING_START,
    DOC_EV_MAPPING_END,
};

enum doc_scalar_style {
    DOC_SCALAR_PLAIN = 0,
    DOC_SCALAR_SINGLE,
    DOC_SCALAR_DOUBLE,
    DOC_SCALAR_LITERAL,
    DOC_SCALAR_FOLDED,
};

struct doc_event {
    enum doc_event_type type;
    struct doc_mark start; /* where the event's text starts */
    struct doc_mark end;   /* just past it */
    const char *value;     /* scalar text (decoded) or alias name; borrowed */
    size_t len;            /* bytes in value */
    enum doc_scalar_style style; /* scalars */
    bool flow;                   /* collections: flow style ({} / []) */
    const char *anchor;          /* borrowed or NULL */
    const char *tag;             /* borrowed or NULL (explicit tags only) */
    unsigned depth;              /* nesting of collections around the event */
};

/* Limits; zero means the default given here. */
struct doc_limits {
    unsigned max_depth;     /* nesting of collections; default 512 */
    size_t max_token_bytes; /* one scalar or key; default 16 MiB */
    size_t max_alias_nodes; /* nodes produced by alias expansion; 10000 */
};

#define DOC_DEFAULT_MAX_DEPTH 512u
#define DOC_DEFAULT_MAX_TOKEN_BYTES ((size_t)16 << 20)
#define DOC_DEFAULT_MAX_ALIAS_NODES ((size_t)10000)

/*
 * Reads the file at path ("-" = stdin) as a stream: constant memory, byte
 * offsets not exact for non-ASCII YAML (use a memory source when offsets
 * matter).  Input that cannot be read twice (pipes, terminals) and starts
 * with '{' or '[' must be strict JSON.  name is used in error locations (NULL =
 * path).
 */
struct doc_reader *doc_reader_new_file(const char *path, const char *name,
                                       const struct doc_limits *limits,
                                       struct oag_error *err);

/* Reads data[0..len) (borrowed, must outlive the reader); exact offsets. */
struct doc_reader *doc_reader_new_memory(const char *data, size_t len,
                                         const char *name,
                                         const struct doc_limits *limits,
                                         struct oag_error *err);

void doc_reader_free(struct doc_reader *r);

/*
 * Next event into *out (valid until the next call).  Returns 0, or -1 with
 * err set (OAG_ERR_SYNTAX with the position, OAG_ERR_LIMIT, OAG_ERR_IO,
 * OAG_ERR_UNSUPPORTED for non-UTF-8 encodings and multi-document streams).
 * After STREAM_END further calls return STREAM_END again.
 */
int doc_reader_next(struct doc_reader *r, struct doc_event *out,
                    struct oag_error *err);

/*
 * Makes the next n calls of doc_reader_next deliver events[0..n) (borrowed,
 * with their strings: they must stay valid until delivered), then the
 * parser's events again.  For a consumer that read ahead and hands the
 * events it read to another one (doc_tree_build).
 */
void doc_reader_replay(struct doc_reader *r, const struct doc_event *events,
                       size_t n);

/* Sets err's location to mark in this reader's document. */
void doc_reader_locate(const struct doc_reader *r, const struct doc_mark *mark,
                       const char *pointer, struct oag_error *err);

/* The document name used in messages (borrowed). */
const char *doc_reader_name(const struct doc_reader *r);
const struct doc_limits *doc_reader_limits(const struct doc_reader *r);

/*
 * Skips the node whose first event is ev (a scalar, alias or collection
 * start): for collections reads through the matching end event.  out_end
 * (may be NULL) receives the end mark of the last event of the node.
 */
int doc_reader_skip(struct doc_reader *r, const struct doc_event *ev,
                    struct doc_mark *out_end, struct oag_error *err);

#endif
