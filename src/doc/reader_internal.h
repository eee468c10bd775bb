/*
 * doc/reader internals shared by reader.c, json_reader.c and their tests;
 * no other module includes this header.
 *
 * A reader delivers the events of one of two parsers: libyaml, or the
 * native JSON scanner of json_reader.c, chosen by the first byte of the
 * document (see reader.c).  The scanner produces the events libyaml
 * produces for the same JSON text, so consumers cannot tell them apart.
 */
#ifndef OAG_DOC_READER_INTERNAL_H
#define OAG_DOC_READER_INTERNAL_H

#include <stddef.h>

#include "doc/reader.h"

struct oag_error;

/* Which parser reads a document. */
enum doc_syntax {
    DOC_SYNTAX_SNIFF = 0, /* JSON when it starts with '{' or '[', else YAML */
    DOC_SYNTAX_YAML,      /* libyaml only */
    DOC_SYNTAX_JSON,      /* the JSON scanner only: no fallback to libyaml */
};

/*
 * As doc_reader_new_memory and doc_reader_new_file, with the parser chosen
 * by syntax (tests compare the two parsers over the same bytes).
 */
struct doc_reader *doc_reader_new_memory_as(const char *data, size_t len,
                                            const char *name,
                                            const struct doc_limits *limits,
                                            enum doc_syntax syntax,
                                            struct oag_error *err);
struct doc_reader *doc_reader_new_file_as(const char *path, const char *name,
                                          const struct doc_limits *limits,
                                          enum doc_syntax syntax,
                                          struct oag_error *err);

/*
 * The parser delivering r's events now: DOC_SYNTAX_JSON or DOC_SYNTAX_YAML
 * (YAML also after a fallback from JSON).
 */
enum doc_syntax doc_reader_syntax(const struct doc_reader *r);

/*
 * Reads up to cap bytes into buf, *out_n = 0 at the end of the input.
 * Returns 0, or -1 with err set (OAG_ERR_IO).
 */
typedef int doc_read_fn(void *ctx, unsigned char *buf, size_t cap,
                        size_t *out_n, struct oag_error *err);

/*
 * For skipping (doc_reader_skip, doc_skip_node in tree.c): as
 * doc_reader_next, but out->start and out->end may be left zero (libyaml's
 * marks are converted only when asked for).  doc_reader_marks fills them
 * in for the last event read; doc_reader_pin_end keeps the end of the last
 * event and doc_reader_pinned_end gives it, converted, later.
 */
int doc_reader_next_light(struct doc_reader *r, struct doc_event *out,
                          struct oag_error *err);
void doc_reader_marks(struct doc_reader *r, struct doc_event *ev);
void doc_reader_pin_end(struct doc_reader *r, const struct doc_event *ev);
void doc_reader_pinned_end(struct doc_reader *r, struct doc_mark *out);

/*
 * True when the last scalar read so far is a block scalar (| or >) and no
 * alias or flow collection came after it: out_start receives the mark of its
 * header (the indicator), out_end the end of the scalar.  Merge needs it to
 * add text after a document whose last line has no line break.
 */
bool doc_reader_last_block_scalar(struct doc_reader *r,
                                  struct doc_mark *out_start,
                                  struct doc_mark *out_end);

/* The JSON scanner of json_reader.c (RFC 8259, strict). */
struct doc_json;

/*
 * A scanner over data[start..len) (borrowed, must outlive the scanner);
 * start skips a byte order mark and is the offset of the first mark.
 * name (borrowed, must outlive the scanner) locates errors; limits are
 * used as given (zero fields are not replaced by defaults here).
 */
struct doc_json *doc_json_new_memory(const char *data, size_t len, size_t start,
                                     const char *name,
                                     const struct doc_limits *limits);

/*
 * A scanner over the bytes read(ctx, ...) returns, which are the document
 * from offset start on; constant memory (one chunk plus the current
 * value).  read and ctx must outlive the scanner.
 */
struct doc_json *doc_json_new_stream(doc_read_fn *read, void *ctx, size_t start,
                                     const char *name,
                                     const struct doc_limits *limits);

void doc_json_free(struct doc_json *j);

/*
 * The next event into *out, exactly as doc_reader_next describes (strings
 * borrowed until the next call).  Returns 0, or -1 with err set:
 * OAG_ERR_SYNTAX (with line and column), OAG_ERR_LIMIT or OAG_ERR_IO.
 * After a failure every call fails again with the same error; after
 * STREAM_END every call returns STREAM_END.
 */
int doc_json_next(struct doc_json *j, struct doc_event *out,
                  struct oag_error *err);

/* Events delivered so far (failed calls not counted). */
size_t doc_json_event_count(const struct doc_json *j);

/*
 * Whether the scanner failed right after a scalar it held back because
 * libyaml reads it with what follows (json_reader.c, continues_in_yaml).
 */
bool doc_json_held_back(const struct doc_json *j);

/*
 * True when libyaml decodes its input with this program's
 * yaml_parser_update_buffer (doc/yaml_input.c) rather than its own.
 */
bool doc_yaml_input_is_fast(void);

#endif
