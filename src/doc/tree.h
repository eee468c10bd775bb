/*
 * Kept subtrees: a node of the event stream turned into a jansson value,
 * with, on request, the position of every node (for error locations and for
 * splicing).  Only the parts of a document that matter are built; the rest
 * is skipped by the reader.
 *
 * Scalars resolve as YAML 1.2's core schema does (JSON documents agree):
 * quoted scalars are strings; plain null/~/empty is null, true/false are
 * booleans, integers and floats are numbers, anything else a string.  An
 * explicit !!str tag forces a string; other tags (CloudFormation's !Sub ...)
 * keep the plain resolution.  Duplicate keys: the last one wins, with a
 * warning.  Aliases expand to their anchor's value, within a budget of
 * nodes (billion-laughs documents stop with an error).
 */
#ifndef OAG_DOC_TREE_H
#define OAG_DOC_TREE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "doc/reader.h"
#include "util/buf.h"

struct oag_error;
struct oag_error_list;

/* Where one node of a kept subtree is. */
struct doc_pos {
    char *pointer;           /* into the tree's pointer text; relative to the
                            subtree root ("" = root) */
    size_t pointer_at;       /* offset of pointer in that text */
    struct doc_mark key;     /* start of the member's key (objects only) */
    struct doc_mark key_end; /* end of the key */
    struct doc_mark start;   /* start of the value */
    struct doc_mark end;     /* end of the value's last content */
    bool flow;               /* collections: flow style */
    bool is_member;          /* the node is an object member (key valid) */
    enum doc_scalar_style style; /* scalars */
};

/* Anchors seen so far in a document: name -> value. */
struct doc_anchors {
    char **names;    /* owned */
    json_t **values; /* owned references */
    size_t *sizes;   /* nodes in each value, for the alias budget */
    size_t len;
    size_t cap;
    size_t expanded; /* nodes produced by aliases so far */
    size_t defined;  /* anchors recorded so far, redefinitions included */
};

struct doc_tree {
    json_t *root;        /* owned reference */
    struct doc_pos *pos; /* owned; NULL unless positions were asked for */
    size_t n_pos;
    size_t cap_pos;
    struct buf pointer_text; /* owned: every pos pointer, NUL-separated */
};

enum doc_tree_flags {
    DOC_TREE_POSITIONS = 1 << 0, /* record a doc_pos per node */
};

void doc_anchors_release(struct doc_anchors *a);
void doc_tree_release(struct doc_tree *t);

/*
 * Builds the node whose first event is first (already read from r) into
 * out (released first).  anchors (may be NULL) resolves aliases and
 * receives anchors defined inside; warnings (duplicate keys, merge keys)
 * go to diags (may be NULL) with pointers prefixed by base_pointer.
 */
int doc_tree_build(struct doc_reader *r, const struct doc_event *first,
                   struct doc_anchors *anchors, unsigned flags,
                   const char *base_pointer, struct oag_error_list *diags,
                   struct doc_tree *out, struct oag_error *err);

/* Position of the node at relative pointer, or NULL. */
const struct doc_pos *doc_tree_find(const struct doc_tree *t,
                                    const char *pointer);

/* Resolves a plain scalar as the core schema does (new reference). */
json_t *doc_scalar_resolve(const char *value, size_t len,
                           enum doc_scalar_style style, const char *tag);

/*
 * True when doc_scalar_resolve, with no tag, surely gives a string, known
 * without resolving: a quoted scalar, or a plain one starting with a letter
 * that starts no null, boolean or number.  False says nothing.
 */
bool doc_scalar_surely_string(const char *value, size_t len,
                              enum doc_scalar_style style);

/*
 * Skips the node starting with ev, but builds and records any anchored
 * node inside it so later aliases resolve.  out_end as doc_reader_skip.
 */
int doc_skip_node(struct doc_reader *r, const struct doc_event *ev,
                  struct doc_anchors *anchors, struct doc_mark *out_end,
                  struct oag_error *err);

#endif
