/*
 * Shared by the files of convert/: the streaming OpenAPI walker and the
 * conversion of one responses-map entry into a record.
 */
#ifndef OAG_CONVERT_CONVERT_INTERNAL_H
#define OAG_CONVERT_CONVERT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "convert/convert.h"
#include "doc/reader.h"
#include "doc/tree.h"
#include "model/igr.h"

struct igr_record;
struct oag_error_list;

/* Where an operation's integration and its responses block are (merge). */
struct conv_span {
    bool integ_flow;             /* the integration mapping is {...} */
    struct doc_mark integ_start; /* its first key (block) or '{' (flow) */
    struct doc_mark integ_end;   /* end of its last content ('}' for flow) */
    unsigned long integ_key_col; /* 1-based column of its keys (block) */
    unsigned n_integ_keys;
    bool has_responses;       /* the integration has a responses key */
    bool resp_repeated;       /* ... more than once (the last counts) */
    bool resp_anchors;        /* the (last) responses defines anchors */
    struct doc_mark resp_key; /* start of the responses key */
    struct doc_mark resp_key_end;
};

/* One operation as the walker delivers it; owned by the walker. */
struct conv_op {
    char *doc_path;          /* the paths key */
    char *method_key;        /* as written: "get", "x-amazon-...-any-method" */
    const char *http_method; /* "GET" ... "ANY" (static) */
    char *pointer;           /* "/paths/~1pets/get" */
    struct doc_mark method_mark;
    bool has_declared; /* the operation has `responses` */
    struct doc_tree declared;
    bool has_integration;
    bool integration_ok; /* it is a mapping */
    struct doc_mark integration_mark;
    char *integration_type; /* owned or NULL */
    char *integration_uri;  /* owned or NULL */
    bool has_responses;
    struct doc_tree responses;          /* root NULL when absent */
    bool fast;                          /* read_responses read the block: */
    struct igr_list fast_records;       /* its entries' records, path and method
                                     not set, in document order */
    struct conv_fast_block *fast_block; /* owned or NULL: the block's events
                                           (validate, to locate problems) */
    struct conv_span span;
};

/* What the walker learns at the root. */
struct conv_root {
    bool has_version;
    enum conv_version version;
    char *version_text; /* owned */
    struct doc_mark version_mark;
    struct doc_mark version_end;
    bool has_webhooks;        /* OpenAPI 3.1 root `webhooks` */
    char *title;              /* owned: info.title or NULL */
    char *base_path;          /* owned: Swagger basePath or NULL */
    json_t *servers;          /* owned: OAS3 servers or NULL */
    bool base_known_at_paths; /* basePath/servers came before paths */
    bool has_paths;
    struct doc_tree components_responses; /* OAS3 components.responses */
    struct doc_tree swagger_responses;    /* Swagger root responses */
};

void conv_root_release(struct conv_root *root);

typedef int (*conv_op_fn)(void *ctx, struct conv_op *op,
                          const struct conv_root *root, struct oag_error *err);

/*
 * Reads the value of an integration's `responses` whose first event is
 * *first: returns 1 when it has read the whole value into op->fast_records
 * (op->fast set), 0 when it gave up and handed the events it read back to
 * the reader (doc_reader_replay) with *first the value's first event again
 * (the walker builds the tree), -1 on reading errors.
 */
typedef int (*conv_responses_fn)(void *ctx, struct doc_reader *r,
                                 struct conv_op *op, struct doc_event *first,
                                 struct oag_error *err);

/*
 * Reading responses blocks straight from events (fast_responses.c).
 * conv_fast_read reads the block whose first event is *first: 1 when it
 * read the whole block into op->fast_records (path and method not set;
 * op->fast set), 0 when the block is not of the common shape and the
 * events it read were handed back to the reader (doc_reader_replay), -1 on
 * reading errors.  After a 1, conv_fast_replay hands the block's events
 * back all the same (for a caller that needs the tree after all).
 */
struct conv_fast;
struct conv_fast *conv_fast_new(void);
void conv_fast_free(struct conv_fast *f);
int conv_fast_read(struct conv_fast *f, struct doc_reader *r,
                   struct conv_op *op, const struct doc_event *first,
                   struct oag_error *err);
void conv_fast_replay(struct conv_fast *f, struct doc_reader *r);

/*
 * The block conv_fast_read last read (1), kept for locating its nodes once
 * the reader has moved on: first is the block's first event.
 */
struct conv_fast_block;
struct conv_fast_block *conv_fast_take(const struct conv_fast *f,
                                       const struct doc_event *first);
void conv_fast_block_free(struct conv_fast_block *b);
/* The key of entry i as written ("default", "-", a pattern), or NULL. */
const char *conv_fast_block_key(const struct conv_fast_block *b, size_t i);
/*
 * Where the node at rel (a JSON pointer within the block) is, as the
 * tree's positions give it: a member's key, the block's start for "", the
 * deepest node found when rel goes further.
 */
struct doc_mark conv_fast_block_locate(const struct conv_fast_block *b,
                                       const char *rel);

struct conv_walk_options {
    unsigned tree_flags;          /* DOC_TREE_POSITIONS for validate/merge */
    bool skip_declared;           /* do not build operations' `responses` */
    struct oag_error_list *diags; /* structural problems and warnings */
    conv_responses_fn read_responses; /* NULL: always build the tree */
    void *read_ctx;
};

/*
 * Walks the document: fn for every operation (path item by path item;
 * duplicate method keys: the last one), root info into out_root.
 * Structural problems go to diags as errors and the walk goes on; -1 only
 * for reading errors (syntax, limits) or when fn fails.
 */
int conv_walk(struct doc_reader *r, const struct conv_walk_options *o,
              conv_op_fn fn, void *ctx, struct conv_root *out_root,
              struct oag_error *err);

/* The resource path of a document path under the root's base path. */
char *conv_resource_path(const struct conv_root *root, const char *doc_path,
                         enum conv_basepath mode);
/* The base path a document declares ("" when none). */
char *conv_base_path(const struct conv_root *root);

/* True for the catch-all keys: "default", "" and "-". */
bool conv_key_is_default(const char *key);

/*
 * Turns entry (key, value) of op's responses block into out (released
 * first) with the equivalences applied.  Structural problems go to diags
 * (error) with the entry's location and the call returns -1.
 */
int conv_entry_to_record(const struct conv_op *op, const char *resource_path,
                         const char *key, json_t *value, const char *file,
                         struct igr_record *out, struct oag_error_list *diags);

/* Location of a node of op's responses block, for diagnostics. */
void conv_op_locate(const struct conv_op *op, const struct doc_tree *tree,
                    const char *rel_pointer, const char *base_suffix,
                    unsigned long *out_line, unsigned long *out_col,
                    char **out_pointer);

#endif
