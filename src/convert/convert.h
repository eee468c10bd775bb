/*
 * OpenAPI (Swagger 2.0, OpenAPI 3.0 and 3.1; YAML or JSON) <-> the
 * integration-response model.
 *
 * The extension (../shared/reference/apigateway.md section 1): an Operation
 * object (get, put, post, delete, patch, head, options under a Path Item, or
 * x-amazon-apigateway-any-method for method ANY) may carry
 * x-amazon-apigateway-integration, whose `responses` maps a selection
 * pattern (a Java regex, or `default` for the catch-all) to
 *   { statusCode, responseParameters, responseTemplates, contentHandling }.
 * The operation's own `responses` declares the method responses (status
 * codes and `headers`) that integration responses and header mappings need.
 *
 * Documents are read as streams (doc/reader.h): extract and validate keep
 * one path item at a time, so memory does not grow with the document.
 */
#ifndef OAG_CONVERT_CONVERT_H
#define OAG_CONVERT_CONVERT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "doc/reader.h"

struct buf;
struct igr_list;
struct igr_record;
struct oag_error;
struct oag_error_list;

/* How document paths become resource paths (PutRestApi `basepath`). */
enum conv_basepath {
    CONV_BASEPATH_IGNORE = 0, /* AWS's default: the base path is dropped */
    CONV_BASEPATH_PREPEND,    /* its segments become resources */
    CONV_BASEPATH_SPLIT,      /* its first segment is dropped */
};

enum conv_version {
    CONV_VERSION_UNKNOWN = 0,
    CONV_VERSION_SWAGGER_2,
    CONV_VERSION_OAS_30,
    CONV_VERSION_OAS_31,
};

struct conv_options {
    enum conv_basepath basepath;
    struct doc_limits limits; /* zero = defaults */
    bool merge_skip_missing;  /* merge: records for operations the document
                                 lacks are warnings and skipped, not errors */
    bool tree_only; /* extract, validate: build every responses block as a
                       tree, no event fast path (tests compare) */
};

/* Parses "ignore" / "prepend" / "split"; -1 with err for anything else. */
int conv_basepath_parse(const char *s, enum conv_basepath *out,
                        struct oag_error *err);

/* Called once per record, in document order; non-zero stops the walk. */
typedef int (*conv_record_fn)(void *ctx, const struct igr_record *rec,
                              struct oag_error *err);

/*
 * Extracts the records of the document at path ("-" = stdin), streaming.
 * Problems in the document (structure, values that cannot become records)
 * go to diags; the call then returns -1 with err summarising them.
 * Warnings (duplicate keys ...) go to diags too.
 */
int conv_extract_file(const char *path, const char *name,
                      const struct conv_options *opts, conv_record_fn fn,
                      void *ctx, struct oag_error_list *diags,
                      struct oag_error *err);
int conv_extract_memory(const char *data, size_t len, const char *name,
                        const struct conv_options *opts, conv_record_fn fn,
                        void *ctx, struct oag_error_list *diags,
                        struct oag_error *err);
/* Convenience: all records into out. */
int conv_extract_list(const char *data, size_t len, const char *name,
                      const struct conv_options *opts, struct igr_list *out,
                      struct oag_error_list *diags, struct oag_error *err);

/*
 * Validates the document at path: every problem goes to diags (errors and
 * warnings, compiler-style locations and JSON pointers).  Returns 0 when
 * the document could be read to the end (even with problems), -1 only when
 * reading stopped early (syntax error, limit), also recorded in diags.
 */
int conv_validate_file(const char *path, const char *name,
                       const struct conv_options *opts,
                       struct oag_error_list *diags);
int conv_validate_memory(const char *data, size_t len, const char *name,
                         const struct conv_options *opts,
                         struct oag_error_list *diags);

/* What import needs to know of a document besides its records. */
struct conv_operation_ref {
    char *path;        /* owned: resource path (after --basepath) */
    char *http_method; /* owned */
};

struct conv_summary {
    enum conv_version version;
    char *title;                    /* owned: info.title or NULL */
    struct conv_operation_ref *ops; /* owned: every operation */
    size_t n_ops;
    size_t version_start; /* byte span of the version scalar */
    size_t version_end;
    bool has_webhooks;
};

void conv_summary_release(struct conv_summary *s);

/*
 * conv_validate_memory that also fills out (released first) with the
 * summary above.  Same return value.
 */
int conv_inspect_memory(const char *data, size_t len, const char *name,
                        const struct conv_options *opts,
                        struct conv_summary *out, struct oag_error_list *diags);

/*
 * API Gateway does not import OpenAPI 3.1 (apigateway.md section 5): writes
 * data with its version rewritten to 3.0.3 into out, and notes what 3.1
 * features the document uses that AWS will read differently or reject.
 */
void conv_downlevel_31(const char *data, size_t len,
                       const struct conv_summary *s, const char *name,
                       struct buf *out, struct oag_error_list *notes);

struct conv_merge_stats {
    size_t operations_changed; /* responses blocks touched */
    size_t entries_written;    /* entries rewritten or added */
    size_t entries_removed;
};

/*
 * Rewrites the document data[0..len) so that its extract equals records:
 * entries are replaced, added and removed in the responses blocks; every
 * byte outside the blocks that change stays as it was.  The result is
 * appended to out.  A record whose operation does not exist, or has no
 * x-amazon-apigateway-integration, is an error naming it.
 */
int conv_merge(const char *data, size_t len, const char *name,
               const struct igr_list *records, const struct conv_options *opts,
               struct buf *out, struct conv_merge_stats *stats,
               struct oag_error_list *diags, struct oag_error *err);
/*
 * conv_merge without building the result: the edits (doc/splice.h,
 * checked) that turn data into it, for writing it out with
 * doc_splice_write.  *edits is released first; the caller owns it.
 */
struct doc_splice;
int conv_merge_edits(const char *data, size_t len, const char *name,
                     const struct igr_list *records,
                     const struct conv_options *opts, struct doc_splice *edits,
                     struct conv_merge_stats *stats,
                     struct oag_error_list *diags, struct oag_error *err);

/* Records <-> their JSON form (schemas/records.schema.json). */
/*
 * Appends rec as pretty JSON (2-space steps, the object's lines indented by
 * indent spaces, no trailing newline): the same text as json_dumps of
 * conv_record_to_json with JSON_INDENT(2), without building the object.
 */
void conv_record_format(struct buf *out, const struct igr_record *rec,
                        unsigned indent);
json_t *conv_record_to_json(const struct igr_record *rec);
json_t *conv_records_to_json(const struct igr_list *list);
/*
 * Reads an array of records, applying the model's equivalences.  Every
 * problem goes to diags (pointer /N/field, file name as given); returns -1
 * when there was any.
 */
int conv_records_from_json(json_t *array, const char *name,
                           struct igr_list *out, struct oag_error_list *diags);
/*
 * Loads a records file (JSON, or YAML) and reads it as above: the same
 * records, diagnostics and error as building it as one tree and reading
 * that, without the tree (member by member).
 */
int conv_records_load(const char *path, struct igr_list *out,
                      struct oag_error_list *diags, struct oag_error *err);
/* The same for a records document in memory, named name. */
int conv_records_load_memory(const char *data, size_t len, const char *name,
                             struct igr_list *out, struct oag_error_list *diags,
                             struct oag_error *err);
/*
 * The reference the loader is checked against (tests, fuzzing): the
 * document built as one tree, then read as above.
 */
int conv_records_load_tree(const char *data, size_t len, const char *name,
                           struct igr_list *out, struct oag_error_list *diags,
                           struct oag_error *err);

#endif
