/*
 * Positioned events over libyaml; see reader.h.
 *
 * libyaml's marks count characters, not bytes (a CRLF counts two, a UTF-8
 * BOM is skipped and not counted).  For memory sources we turn a character
 * index into a byte offset with a cursor that walks the UTF-8 text; marks
 * arrive in nearly increasing order, so the walk is linear overall, and a
 * pure-ASCII document skips it entirely.
 *
 * The size of one token is bounded in the read handler: libyaml buffers a
 * whole scalar before it produces the event, so we count the bytes fed to
 * it since the last event and stop feeding past the limit.
 *
 * JSON: a document whose first byte after whitespace (and a UTF-8 BOM) is
 * '{' or '[' is read by the JSON scanner of json_reader.c, which produces
 * the events libyaml would, faster and without YAML 1.1's limits on JSON.
 * YAML in flow style ({a: 1}, comments, single quotes) starts the same
 * way.  So when the scanner meets a syntax error and the input can be
 * read again (memory; a regular file, on stdin too, by seeking), libyaml
 * reads it from
 * the start: its first N events must equal the N the scanner delivered (a
 * second scanner replays them in step, so nothing is kept), and its later
 * events carry on from there, one consistent stream for the consumer.
 * When the events differ or libyaml fails right away, the JSON error is
 * reported, unless libyaml failed further into the document (its error
 * then names the problem).  After a hand-over at a scalar the scanner held
 * back because libyaml reads it with what follows, a libyaml error on the
 * line of the JSON error is reported as the JSON error (parser_error).
 * Input read only once (pipes, terminals) must be strict JSON when it
 * starts with '{' or '['; its errors say so.
 */
#include "doc/reader.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "doc/reader_internal.h"
#include "util/error.h"
#include "util/xalloc.h"

/* A chunk of a file as fed to libyaml, kept to locate reader errors. */
struct fed_chunk {
    size_t start;       /* offset in the bytes fed */
    unsigned long line; /* 1-based line and column of its first byte */
    unsigned long column;
    unsigned char *bytes; /* owned copy */
    size_t len;
    size_t cap;
};

struct doc_reader {
    yaml_parser_t parser;
    const struct doc_event *replay; /* doc_reader_replay: borrowed */
    size_t replay_len;
    size_t replay_pos;
    yaml_event_t event;
    bool have_event;
    bool done;
    bool seen_document;
    char *name;
    struct doc_limits limits;
    unsigned depth;

    /* input */
    unsigned char prefix[4096]; /* bytes peeked: encoding, JSON sniff */
    size_t prefix_len;
    size_t prefix_pos;
    FILE *file;
    bool own_file;
    const char *data;
    size_t data_len;
    size_t data_pos;
    size_t bom_len;
    size_t fed;          /* bytes handed to libyaml */
    size_t fed_at_event; /* fed when the last event was produced */
    bool token_too_large;
    bool io_error;
    int io_errno;

    /*
     * file sources: libyaml checks the UTF-8 of each chunk as it is read,
     * ahead of the parser, and reports the byte offset of a bad byte; the
     * last chunks (a sequence of up to 4 bytes may straddle them) and the
     * position after everything fed turn that offset into a line and column
     */
    struct fed_chunk chunks[4];
    unsigned long fed_line;
    unsigned long fed_column;

    /* character index -> byte offset cursor (memory sources) */
    bool ascii;
    size_t cur_index;
    size_t cur_offset;
    size_t next_high; /* first byte >= 0x80 at or after cur_offset, or len */

    /* JSON (see the top of this file) */
    struct doc_json *json; /* delivers the events while not NULL */
    bool may_fall_back;    /* a JSON syntax error may hand over to libyaml */
    /* after a hand-over at a held-back scalar: the JSON error (parser_error) */
    struct oag_error json_error;
    bool read_once;   /* sniffed JSON from input that cannot rewind */
    off_t file_start; /* regular files: offset of the first byte read */

    /* doc_reader_next_light: the last event's marks not converted yet */
    bool marks_pending;
    bool pin_raw; /* doc_reader_pin_end kept pin_yaml, else pin_mark */
    yaml_mark_t pin_yaml;
    struct doc_mark pin_mark;

    /* memory sources: the size of a file source's peeked bytes */
    size_t first_chunk;

    /* the last scalar read was a block scalar (| or >): its marks */
    bool last_block;
    yaml_mark_t last_block_start;
    yaml_mark_t last_block_end;
};

/*
 * doc/yaml_input.c (libyaml's input decoding, faster) is linked wherever
 * the reader is: this reference pulls it out of the library archive.
 */
bool (*const doc_yaml_input_probe)(void) = doc_yaml_input_is_fast;

static void attach_json(struct doc_reader *r, enum doc_syntax syntax);
static int starts_like_json(const unsigned char *p, size_t n);
static size_t next_high_byte(const unsigned char *d, size_t from, size_t len);
static int yaml_next(struct doc_reader *r, struct doc_event *out, bool marks,
                     struct oag_error *err);

/*
 * Moves (line, column) over n bytes: the rule of offset_to_line_col.  Runs
 * on every chunk fed from a file, so the line breaks are found with memchr
 * and only the bytes after the last one are counted as columns.
 */
static void advance_line_col(const unsigned char *d, size_t n,
                             unsigned long *line, unsigned long *col)
{
    const unsigned char *end = d + n;
    const unsigned char *tail = d;
    const unsigned char *nl;
    while (tail < end &&
           (nl = memchr(tail, '\n', (size_t)(end - tail))) != NULL) {
        (*line)++;
        *col = 1;
        tail = nl + 1;
    }
    for (; tail < end; tail++) {
        if ((*tail & 0xC0) != 0x80 && *tail != '\r') {
            (*col)++;
        }
    }
}

/* Keeps a copy of the chunk just read from a file (see chunks). */
static void track_chunk(struct doc_reader *r, const unsigned char *b, size_t n)
{
    const size_t last = sizeof(r->chunks) / sizeof(r->chunks[0]) - 1;
    if (n == 0) {
        return; /* end of file: keep what holds the last bytes */
    }
    struct fed_chunk oldest = r->chunks[0];
    memmove(&r->chunks[0], &r->chunks[1], last * sizeof(r->chunks[0]));
    r->chunks[last] = oldest;
    struct fed_chunk *c = &r->chunks[last];
    if (c->cap < n) {
        c->bytes = xrealloc(c->bytes, n);
        c->cap = n;
    }
    if (n) {
        memcpy(c->bytes, b, n);
    }
    c->len = n;
    c->start = r->fed;
    c->line = r->fed_line;
    c->column = r->fed_column;
    advance_line_col(b, n, &r->fed_line, &r->fed_column);
}

static int read_handler(void *ctx, unsigned char *buffer, size_t size,
                        size_t *size_read)
{
    struct doc_reader *r = ctx;
    size_t n;
    if (r->fed - r->fed_at_event > r->limits.max_token_bytes + 65536) {
        r->token_too_large = true;
        *size_read = 0;
        return 0;
    }
    if (r->file && r->prefix_pos < r->prefix_len) {
        n = r->prefix_len - r->prefix_pos;
        if (n > size) {
            n = size;
        }
        memcpy(buffer, r->prefix + r->prefix_pos, n);
        r->prefix_pos += n;
    } else if (r->file) {
        n = fread(buffer, 1, size, r->file);
        if (n == 0 && ferror(r->file)) {
            r->io_error = true;
            r->io_errno = errno;
            *size_read = 0;
            return 0;
        }
    } else {
        n = r->data_len - r->data_pos;
        if (n > size) {
            n = size;
        }
        /*
         * The first read gives what a file source's first read gives (its
         * peeked bytes): libyaml checks the UTF-8 of all it is handed
         * before parsing it, so the same chunks make both sources report
         * the same first problem.
         */
        if (r->data_pos == r->bom_len && r->first_chunk > 0 &&
            n > r->first_chunk) {
            n = r->first_chunk;
        }
        memcpy(buffer, r->data + r->data_pos, n);
        r->data_pos += n;
    }
    if (r->file) {
        track_chunk(r, buffer, n);
    }
    r->fed += n;
    *size_read = n;
    return 1;
}

static void apply_limits(struct doc_limits *dst, const struct doc_limits *src)
{
    if (src) {
        *dst = *src;
    }
    if (!dst->max_depth) {
        dst->max_depth = DOC_DEFAULT_MAX_DEPTH;
    }
    if (!dst->max_token_bytes) {
        dst->max_token_bytes = DOC_DEFAULT_MAX_TOKEN_BYTES;
    }
    if (!dst->max_alias_nodes) {
        dst->max_alias_nodes = DOC_DEFAULT_MAX_ALIAS_NODES;
    }
}

/* UTF-16 and UTF-32 (with or without BOM) are refused: offsets and AWS. */
static int check_encoding(const unsigned char *p, size_t n, const char *name,
                          struct oag_error *err)
{
    bool wide = false;
    if (n >= 2 &&
        ((p[0] == 0xFE && p[1] == 0xFF) || (p[0] == 0xFF && p[1] == 0xFE))) {
        wide = true;
    } else if (n >= 2 && (p[0] == 0 || p[1] == 0)) {
        wide = true;
    }
    if (wide) {
        oag_error_set(err, OAG_ERR_UNSUPPORTED,
                      "document is not UTF-8 (UTF-16 or UTF-32 detected); "
                      "convert it to UTF-8");
        oag_error_set_where(err, name, 1, 1, NULL);
        return -1;
    }
    return 0;
}

static struct doc_reader *reader_alloc(const char *name,
                                       const struct doc_limits *limits)
{
    struct doc_reader *r = xcalloc(1, sizeof(*r));
    r->name = xstrdup(name);
    r->fed_line = 1;
    r->fed_column = 1;
    apply_limits(&r->limits, limits);
    if (!yaml_parser_initialize(&r->parser)) {
        OAG_BUG("yaml_parser_initialize failed");
    }
    yaml_parser_set_encoding(&r->parser, YAML_UTF8_ENCODING);
    yaml_parser_set_input(&r->parser, read_handler, r);
    return r;
}

struct doc_reader *doc_reader_new_file(const char *path, const char *name,
                                       const struct doc_limits *limits,
                                       struct oag_error *err)
{
    return doc_reader_new_file_as(path, name, limits, DOC_SYNTAX_SNIFF, err);
}

struct doc_reader *doc_reader_new_file_as(const char *path, const char *name,
                                          const struct doc_limits *limits,
                                          enum doc_syntax syntax,
                                          struct oag_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        oag_error_set(err, OAG_ERR_IO, "cannot open '%s': %s", path,
                      strerror(errno));
        return NULL;
    }
    /* peek for the encoding; stdio keeps the bytes for libyaml */
    unsigned char head[4] = { 0 };
    size_t n = fread(head, 1, sizeof(head), f);
    const char *shown = name ? name : (is_stdin ? "<stdin>" : path);
    if (check_encoding(head, n, shown, err) != 0) {
        if (!is_stdin) {
            fclose(f);
        }
        return NULL;
    }
    struct doc_reader *r = reader_alloc(shown, limits);
    r->file = f;
    r->own_file = !is_stdin;
    r->ascii = false;
    memcpy(r->prefix, head, n);
    r->prefix_len = n;
    if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) {
        /* not fed to libyaml: see skip_bom() */
        r->bom_len = 3;
        r->prefix_pos = 3;
    }
    if (syntax != DOC_SYNTAX_YAML) {
        attach_json(r, syntax);
    }
    return r;
}

struct doc_reader *doc_reader_new_memory(const char *data, size_t len,
                                         const char *name,
                                         const struct doc_limits *limits,
                                         struct oag_error *err)
{
    return doc_reader_new_memory_as(data, len, name, limits, DOC_SYNTAX_SNIFF,
                                    err);
}

struct doc_reader *doc_reader_new_memory_as(const char *data, size_t len,
                                            const char *name,
                                            const struct doc_limits *limits,
                                            enum doc_syntax syntax,
                                            struct oag_error *err)
{
    const char *shown = name ? name : "<memory>";
    if (check_encoding((const unsigned char *)data, len, shown, err) != 0) {
        return NULL;
    }
    struct doc_reader *r = reader_alloc(shown, limits);
    r->data = data;
    r->data_len = len;
    if (len >= 3 && (unsigned char)data[0] == 0xEF &&
        (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF) {
        r->bom_len = 3;
    }
    /*
     * The BOM is not fed to libyaml: with the encoding set, libyaml skips
     * a BOM as a character of column 0, which makes the first line one
     * column deeper than the next ("did not find expected <document
     * start>" on every multi-line document with a BOM).
     */
    r->data_pos = r->bom_len;
    r->cur_offset = r->bom_len;
    r->next_high = next_high_byte((const unsigned char *)data, r->bom_len, len);
    r->ascii = r->next_high == len;
    /*
     * What a file source peeks: 4 bytes, and when JSON is possible and
     * they hold only whitespace, the rest of its prefix buffer (see
     * doc_reader_new_file_as and file_starts_like_json).
     */
    size_t peek = len < 4 ? len : 4;
    if (syntax != DOC_SYNTAX_YAML && peek < len &&
        starts_like_json((const unsigned char *)data + r->bom_len,
                         peek - r->bom_len) < 0) {
        peek = len < sizeof(r->prefix) ? len : sizeof(r->prefix);
    }
    r->first_chunk = peek - r->bom_len;
    if (syntax != DOC_SYNTAX_YAML) {
        attach_json(r, syntax);
    }
    return r;
}

void doc_reader_free(struct doc_reader *r)
{
    if (!r) {
        return;
    }
    if (r->have_event) {
        yaml_event_delete(&r->event);
    }
    yaml_parser_delete(&r->parser);
    doc_json_free(r->json);
    oag_error_release(&r->json_error);
    if (r->file && r->own_file) {
        fclose(r->file);
    }
    for (size_t i = 0; i < sizeof(r->chunks) / sizeof(r->chunks[0]); i++) {
        free(r->chunks[i].bytes);
    }
    free(r->name);
    free(r);
}

const char *doc_reader_name(const struct doc_reader *r)
{
    return r->name;
}

const struct doc_limits *doc_reader_limits(const struct doc_reader *r)
{
    return &r->limits;
}

/* Offset of the first byte >= 0x80 in d[from..len), or len. */
static size_t next_high_byte(const unsigned char *d, size_t from, size_t len)
{
    while (len - from >= 8) {
        uint64_t w;
        memcpy(&w, d + from, sizeof(w));
        if (w & UINT64_C(0x8080808080808080)) {
            break;
        }
        from += 8;
    }
    while (from < len && d[from] < 0x80) {
        from++;
    }
    return from;
}

/*
 * libyaml character index -> byte offset (memory sources only).  A cursor
 * moves from the last position; bytes before next_high are ASCII (one
 * character each), so most moves are one addition.
 */
static size_t index_to_offset(struct doc_reader *r, size_t index)
{
    if (r->ascii || r->file) {
        return index + r->bom_len;
    }
    const unsigned char *d = (const unsigned char *)r->data;
    while (r->cur_index < index && r->cur_offset < r->data_len) {
        size_t ascii = r->next_high - r->cur_offset;
        if (ascii > 0) {
            if (ascii > index - r->cur_index) {
                ascii = index - r->cur_index;
            }
            r->cur_offset += ascii;
            r->cur_index += ascii;
            continue;
        }
        /* at a byte >= 0x80: over its character, then find the next */
        r->cur_offset++;
        while (r->cur_offset < r->data_len &&
               (d[r->cur_offset] & 0xC0) == 0x80) {
            r->cur_offset++;
        }
        r->cur_index++;
        r->next_high = next_high_byte(d, r->cur_offset, r->data_len);
    }
    while (r->cur_index > index && r->cur_offset > r->bom_len) {
        size_t was = r->cur_offset;
        r->cur_offset--;
        while (r->cur_offset > r->bom_len &&
               (d[r->cur_offset] & 0xC0) == 0x80) {
            r->cur_offset--;
        }
        r->cur_index--;
        for (size_t k = r->cur_offset; k < was; k++) {
            if (d[k] >= 0x80) {
                r->next_high = k;
                break;
            }
        }
    }
    return r->cur_offset;
}

static void to_mark(struct doc_reader *r, const yaml_mark_t *m,
                    struct doc_mark *out)
{
    out->offset = index_to_offset(r, m->index);
    out->line = (unsigned long)m->line + 1;
    out->column = (unsigned long)m->column + 1;
}

void doc_reader_locate(const struct doc_reader *r, const struct doc_mark *mark,
                       const char *pointer, struct oag_error *err)
{
    oag_error_set_where(err, r->name, mark ? mark->line : 0,
                        mark ? mark->column : 0, pointer);
}

/* 1-based line and column (in characters) of a byte offset (memory). */
static void offset_to_line_col(const struct doc_reader *r, size_t offset,
                               unsigned long *out_line, unsigned long *out_col)
{
    const unsigned char *d = (const unsigned char *)r->data;
    unsigned long line = 1;
    unsigned long col = 1;
    if (offset > r->data_len) {
        offset = r->data_len;
    }
    for (size_t i = r->bom_len; i < offset; i++) {
        if (d[i] == '\n') {
            line++;
            col = 1;
        } else if ((d[i] & 0xC0) != 0x80 && d[i] != '\r') {
            col++;
        }
    }
    *out_line = line;
    *out_col = col;
}

/* Line and column of fed offset (file sources); false if not kept. */
static bool fed_offset_to_line_col(const struct doc_reader *r, size_t offset,
                                   unsigned long *out_line,
                                   unsigned long *out_col)
{
    for (size_t i = 0; i < sizeof(r->chunks) / sizeof(r->chunks[0]); i++) {
        const struct fed_chunk *c = &r->chunks[i];
        if (c->bytes && offset >= c->start && offset <= c->start + c->len) {
            *out_line = c->line;
            *out_col = c->column;
            advance_line_col(c->bytes, offset - c->start, out_line, out_col);
            return true;
        }
    }
    return false;
}

static int parser_error(struct doc_reader *r, struct oag_error *err)
{
    yaml_parser_t *p = &r->parser;
    unsigned long line = (unsigned long)p->problem_mark.line + 1;
    unsigned long col = (unsigned long)p->problem_mark.column + 1;
    if (r->token_too_large) {
        oag_error_set(err, OAG_ERR_LIMIT,
                      "a single value is larger than the limit of %zu bytes",
                      r->limits.max_token_bytes);
        line = (unsigned long)p->mark.line + 1;
        col = (unsigned long)p->mark.column + 1;
    } else if (r->io_error) {
        oag_error_set(err, OAG_ERR_IO, "cannot read '%s': %s", r->name,
                      strerror(r->io_errno));
        line = 0;
        col = 0;
    } else if (p->error == YAML_MEMORY_ERROR) {
        oag_error_set(err, OAG_ERR_INTERNAL, "out of memory while parsing");
        line = 0;
        col = 0;
    } else {
        const char *problem = p->problem ? p->problem : "syntax error";
        if (p->error == YAML_READER_ERROR) {
            /*
             * reader errors carry a byte offset, not a mark (libyaml's mark
             * is where the scanner is, which may be lines earlier)
             */
            line = (unsigned long)p->mark.line + 1;
            col = (unsigned long)p->mark.column + 1;
            if (r->data) {
                offset_to_line_col(r, r->bom_len + p->problem_offset, &line,
                                   &col);
            } else if (r->file) {
                fed_offset_to_line_col(r, p->problem_offset, &line, &col);
            }
            oag_error_set(err, OAG_ERR_SYNTAX, "%s (byte 0x%02x)", problem,
                          (unsigned)(p->problem_value & 0xff));
        } else if (p->context) {
            oag_error_set(err, OAG_ERR_SYNTAX, "%s %s (line %lu)", problem,
                          p->context, (unsigned long)p->context_mark.line + 1);
        } else {
            oag_error_set(err, OAG_ERR_SYNTAX, "%s", problem);
        }
    }
    oag_error_set_where(err, r->name, line, col, NULL);
    /*
     * libyaml failing on the line where the JSON scanner failed is most
     * likely the JSON author's mistake, which the JSON message names
     * better: {"a": 1 "b": 2} is missing a comma at 1:9, not "did not
     * find expected ',' or '}'" at 1:12 (libyaml read `1 "b"` as one
     * plain scalar).  Further lines are YAML's to name.
     */
    if (err && err->code == OAG_ERR_SYNTAX && r->json_error.message &&
        r->json_error.line == line) {
        oag_error_copy(err, &r->json_error);
    }
    return -1;
}

static int depth_error(struct doc_reader *r, const struct doc_event *ev,
                       struct oag_error *err)
{
    oag_error_set(err, OAG_ERR_LIMIT, "nesting deeper than %u levels",
                  r->limits.max_depth);
    oag_error_set_where(err, r->name, ev->start.line, ev->start.column, NULL);
    return -1;
}

/*
 * The next libyaml event into *out; with marks false, out->start and
 * out->end stay zero (doc_reader_next_light) unless the event fails.
 */
static int yaml_next(struct doc_reader *r, struct doc_event *out, bool marks,
                     struct oag_error *err)
{
    memset(out, 0, sizeof(*out));
    if (r->have_event) {
        yaml_event_delete(&r->event);
        r->have_event = false;
    }
    if (r->done) {
        out->type = DOC_EV_STREAM_END;
        return 0;
    }
    if (!yaml_parser_parse(&r->parser, &r->event)) {
        return parser_error(r, err);
    }
    r->have_event = true;
    r->fed_at_event = r->fed;
    yaml_event_t *e = &r->event;
    r->marks_pending = !marks;
    if (marks) {
        to_mark(r, &e->start_mark, &out->start);
        to_mark(r, &e->end_mark, &out->end);
    }
    out->depth = r->depth;
    switch (e->type) {
    case YAML_STREAM_START_EVENT:
        out->type = DOC_EV_STREAM_START;
        break;
    case YAML_STREAM_END_EVENT:
        out->type = DOC_EV_STREAM_END;
        r->done = true;
        break;
    case YAML_DOCUMENT_START_EVENT:
        if (r->seen_document) {
            to_mark(r, &e->start_mark, &out->start);
            oag_error_set(err, OAG_ERR_UNSUPPORTED,
                          "more than one YAML document in the stream");
            oag_error_set_where(err, r->name, out->start.line,
                                out->start.column, NULL);
            return -1;
        }
        r->seen_document = true;
        out->type = DOC_EV_DOCUMENT_START;
        break;
    case YAML_DOCUMENT_END_EVENT:
        out->type = DOC_EV_DOCUMENT_END;
        break;
    case YAML_ALIAS_EVENT:
        r->last_block = false;
        out->type = DOC_EV_ALIAS;
        out->value = (const char *)e->data.alias.anchor;
        out->len = strlen(out->value);
        break;
    case YAML_SCALAR_EVENT:
        out->type = DOC_EV_SCALAR;
        out->value = (const char *)e->data.scalar.value;
        out->len = e->data.scalar.length;
        out->anchor = (const char *)e->data.scalar.anchor;
        out->tag = (const char *)e->data.scalar.tag;
        switch (e->data.scalar.style) {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE:
            out->style = DOC_SCALAR_SINGLE;
            break;
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
            out->style = DOC_SCALAR_DOUBLE;
            break;
        case YAML_LITERAL_SCALAR_STYLE:
            out->style = DOC_SCALAR_LITERAL;
            break;
        case YAML_FOLDED_SCALAR_STYLE:
            out->style = DOC_SCALAR_FOLDED;
            break;
        default:
            out->style = DOC_SCALAR_PLAIN;
            break;
        }
        r->last_block =
            out->style == DOC_SCALAR_LITERAL || out->style == DOC_SCALAR_FOLDED;
        if (r->last_block) {
            r->last_block_start = e->start_mark;
            r->last_block_end = e->end_mark;
        }
        break;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (r->depth >= r->limits.max_depth) {
            to_mark(r, &e->start_mark, &out->start);
            return depth_error(r, out, err);
        }
        r->depth++;
        if (e->type == YAML_SEQUENCE_START_EVENT) {
            out->type = DOC_EV_SEQUENCE_START;
            out->flow =
                e->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
            out->anchor = (const char *)e->data.sequence_start.anchor;
            out->tag = (const char *)e->data.sequence_start.tag;
        } else {
            out->type = DOC_EV_MAPPING_START;
            out->flow = e->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
            out->anchor = (const char *)e->data.mapping_start.anchor;
            out->tag = (const char *)e->data.mapping_start.tag;
        }
        break;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        r->depth--;
        out->depth = r->depth;
        out->type = e->type == YAML_SEQUENCE_END_EVENT ? DOC_EV_SEQUENCE_END
                                                       : DOC_EV_MAPPING_END;
        /* flow collections end at their closing bracket */
        out->flow = e->start_mark.index + 1 == e->end_mark.index;
        if (out->flow) {
            r->last_block = false;
        }
        break;
    default:
        out->type = DOC_EV_NONE;
        break;
    }
    return 0;
}

/* ---- JSON (see the top of this file) ---- */

/* doc_read_fn of the JSON scanner over a file: the peeked bytes, then f. */
static int json_read(void *ctx, unsigned char *buf, size_t cap, size_t *out_n,
                     struct oag_error *err)
{
    struct doc_reader *r = ctx;
    size_t n;
    if (r->prefix_pos < r->prefix_len) {
        n = r->prefix_len - r->prefix_pos;
        if (n > cap) {
            n = cap;
        }
        memcpy(buf, r->prefix + r->prefix_pos, n);
        r->prefix_pos += n;
    } else {
        n = 0;
    }
    /* whole chunks: a token is split at a chunk border only */
    n += fread(buf + n, 1, cap - n, r->file);
    if (n == 0 && ferror(r->file)) {
        return oag_error_set(err, OAG_ERR_IO, "cannot read '%s': %s", r->name,
                             strerror(errno));
    }
    *out_n = n;
    return 0;
}

/* A second reading of a regular file, beside stdio's (see fall_back()). */
struct pread_source {
    int fd;
    off_t pos;
    const char *name;
};

static int pread_read(void *ctx, unsigned char *buf, size_t cap, size_t *out_n,
                      struct oag_error *err)
{
    struct pread_source *ps = ctx;
    ssize_t got;
    do {
        got = pread(ps->fd, buf, cap, ps->pos);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        return oag_error_set(err, OAG_ERR_IO, "cannot read '%s': %s", ps->name,
                             strerror(errno));
    }
    ps->pos += got;
    *out_n = (size_t)got;
    return 0;
}

/*
 * 1 when the first byte after JSON whitespace in p[0..n) is '{' or '[',
 * 0 when it is another byte, -1 when p holds whitespace only.
 */
static int starts_like_json(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '{' || p[i] == '[') {
            return 1;
        }
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') {
            return 0;
        }
    }
    return -1;
}

/*
 * Whether a file starts like JSON: peeks into prefix (libyaml is fed the
 * peeked bytes first) while it holds only whitespace.  Whitespace beyond
 * the prefix, or a read error (libyaml meets it again), means YAML.
 */
static bool file_starts_like_json(struct doc_reader *r)
{
    for (;;) {
        int json = starts_like_json(r->prefix + r->bom_len,
                                    r->prefix_len - r->bom_len);
        if (json >= 0) {
            return json == 1;
        }
        if (r->prefix_len == sizeof(r->prefix) || feof(r->file)) {
            return false;
        }
        size_t n = fread(r->prefix + r->prefix_len, 1,
                         sizeof(r->prefix) - r->prefix_len, r->file);
        if (n == 0) {
            return false;
        }
        r->prefix_len += n;
    }
}

/* Lets the JSON scanner deliver r's events when syntax asks for it. */
static void attach_json(struct doc_reader *r, enum doc_syntax syntax)
{
    bool json;
    bool rewinds;
    if (r->file) {
        /* stdin may be a regular file, and not read from its start */
        struct stat st;
        json = file_starts_like_json(r);
        off_t at = ftello(r->file);
        rewinds = fstat(fileno(r->file), &st) == 0 && S_ISREG(st.st_mode) &&
                  at >= (off_t)r->prefix_len;
        r->file_start = rewinds ? at - (off_t)r->prefix_len : 0;
    } else {
        json = starts_like_json((const unsigned char *)r->data + r->bom_len,
                                r->data_len - r->bom_len) == 1;
        rewinds = true;
    }
    if (!json && syntax != DOC_SYNTAX_JSON) {
        return;
    }
    if (r->file) {
        r->json =
            doc_json_new_stream(json_read, r, r->bom_len, r->name, &r->limits);
    } else {
        r->json = doc_json_new_memory(r->data, r->data_len, r->bom_len, r->name,
                                      &r->limits);
    }
    r->may_fall_back = syntax == DOC_SYNTAX_SNIFF && rewinds;
    r->read_once = syntax == DOC_SYNTAX_SNIFF && !rewinds;
}

enum doc_syntax doc_reader_syntax(const struct doc_reader *r)
{
    return r->json ? DOC_SYNTAX_JSON : DOC_SYNTAX_YAML;
}

/* Whether libyaml's event a is the JSON scanner's b (see fall_back()). */
static bool same_event(const struct doc_reader *r, const struct doc_event *a,
                       const struct doc_event *b)
{
    if (a->type != b->type || a->style != b->style || a->flow != b->flow ||
        a->depth != b->depth || a->len != b->len || a->anchor || a->tag ||
        a->start.line != b->start.line || a->start.column != b->start.column ||
        a->end.line != b->end.line || a->end.column != b->end.column) {
        return false;
    }
    /* libyaml's offsets in files count characters (see reader.h) */
    if (r->data && (a->start.offset != b->start.offset ||
                    a->end.offset != b->end.offset)) {
        return false;
    }
    return a->len == 0 || memcmp(a->value, b->value, a->len) == 0;
}

/* Whether error a is further into the document than b. */
static bool is_after(const struct oag_error *a, const struct oag_error *b)
{
    return a->line > b->line || (a->line == b->line && a->column > b->column);
}

/*
 * After the JSON syntax error jerr, libyaml reads the input again from
 * the start (see the top of this file).  Returns 0 with libyaml's next
 * event in *out and libyaml in charge, or -1 with the error to report
 * moved into *report.
 */
static int fall_back(struct doc_reader *r, struct doc_event *out,
                     struct oag_error *jerr, struct oag_error *report)
{
    size_t n = doc_json_event_count(r->json);
    struct pread_source ps = { 0 };
    struct doc_json *replay;
    if (r->data) {
        r->data_pos = r->bom_len;
        replay = doc_json_new_memory(r->data, r->data_len, r->bom_len, r->name,
                                     &r->limits);
    } else {
        /* libyaml: the peeked bytes, then the file after them */
        if (fseeko(r->file, r->file_start + (off_t)r->prefix_len, SEEK_SET) !=
            0) {
            oag_error_move(report, jerr);
            return -1;
        }
        r->prefix_pos = r->bom_len;
        ps.fd = fileno(r->file);
        ps.pos = r->file_start + (off_t)r->bom_len;
        ps.name = r->name;
        replay = doc_json_new_stream(pread_read, &ps, r->bom_len, r->name,
                                     &r->limits);
    }
    struct oag_error yerr = OAG_ERROR_INIT;
    bool same = true;
    for (size_t i = 0; i < n && same; i++) {
        struct doc_event a;
        struct doc_event b;
        same = yaml_next(r, &a, true, &yerr) == 0 &&
               doc_json_next(replay, &b, NULL) == 0 && same_event(r, &a, &b);
    }
    doc_json_free(replay);
    int rc = -1;
    if (!same) {
        oag_error_move(report, jerr);
    } else if (yaml_next(r, out, true, &yerr) == 0) {
        bool held_back = doc_json_held_back(r->json);
        doc_json_free(r->json);
        r->json = NULL;
        if (held_back) {
            oag_error_move(&r->json_error, jerr);
        }
        rc = 0;
    } else if (yerr.code == OAG_ERR_SYNTAX && is_after(&yerr, jerr)) {
        /* the reading that got further names the problem */
        oag_error_move(report, &yerr);
        doc_json_free(r->json);
        r->json = NULL;
    } else {
        oag_error_move(report, jerr);
    }
    oag_error_release(&yerr);
    return rc;
}

/* The JSON scanner failed: report its error, or hand over to libyaml. */
static int json_failed(struct doc_reader *r, struct doc_event *out,
                       struct oag_error *err)
{
    struct oag_error jerr = OAG_ERROR_INIT;
    struct oag_error report = OAG_ERROR_INIT;
    doc_json_next(r->json, out, &jerr); /* the failure again */
    int rc = -1;
    if (jerr.code == OAG_ERR_SYNTAX && r->may_fall_back) {
        r->may_fall_back = false;
        rc = fall_back(r, out, &jerr, &report);
    } else {
        if (jerr.code == OAG_ERR_SYNTAX && r->read_once) {
            char *m = xstrfmt("%s (input read only once must be strict "
                              "JSON when it starts with '{' or '[')",
                              jerr.message);
            free(jerr.message);
            jerr.message = m;
        }
        oag_error_move(&report, &jerr);
    }
    if (rc != 0) {
        memset(out, 0, sizeof(*out));
        if (err) {
            oag_error_move(err, &report);
        }
    }
    oag_error_release(&report);
    oag_error_release(&jerr);
    return rc;
}

void doc_reader_replay(struct doc_reader *r, const struct doc_event *events,
                       size_t n)
{
    r->replay = events;
    r->replay_len = n;
    r->replay_pos = 0;
}

int doc_reader_next(struct doc_reader *r, struct doc_event *out,
                    struct oag_error *err)
{
    if (r->replay_pos < r->replay_len) {
        *out = r->replay[r->replay_pos++];
        return 0;
    }
    if (r->json) {
        /* no err here: json_failed may still succeed through libyaml */
        if (doc_json_next(r->json, out, NULL) == 0) {
            return 0;
        }
        return json_failed(r, out, err);
    }
    return yaml_next(r, out, true, err);
}

int doc_reader_next_light(struct doc_reader *r, struct doc_event *out,
                          struct oag_error *err)
{
    if (r->json || r->replay_pos < r->replay_len) {
        r->marks_pending = false;
        return doc_reader_next(r, out, err);
    }
    return yaml_next(r, out, false, err);
}

void doc_reader_marks(struct doc_reader *r, struct doc_event *ev)
{
    if (r->marks_pending && r->have_event) {
        to_mark(r, &r->event.start_mark, &ev->start);
        to_mark(r, &r->event.end_mark, &ev->end);
        r->marks_pending = false;
    }
}

void doc_reader_pin_end(struct doc_reader *r, const struct doc_event *ev)
{
    r->pin_raw = r->marks_pending && r->have_event;
    if (r->pin_raw) {
        r->pin_yaml = r->event.end_mark;
    } else {
        r->pin_mark = ev->end;
    }
}

void doc_reader_pinned_end(struct doc_reader *r, struct doc_mark *out)
{
    if (r->pin_raw) {
        to_mark(r, &r->pin_yaml, out);
    } else {
        *out = r->pin_mark;
    }
}

int doc_reader_skip(struct doc_reader *r, const struct doc_event *ev,
                    struct doc_mark *out_end, struct oag_error *err)
{
    struct doc_mark end = ev->end;
    bool pinned = false;
    if (ev->type == DOC_EV_SEQUENCE_START || ev->type == DOC_EV_MAPPING_START) {
        unsigned level = 1;
        struct doc_event e;
        while (level > 0) {
            if (doc_reader_next_light(r, &e, err) != 0) {
                return -1;
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
            case DOC_EV_STREAM_END:
                OAG_BUG("stream ended inside a collection");
            default:
                break;
            }
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

bool doc_reader_last_block_scalar(struct doc_reader *r,
                                  struct doc_mark *out_start,
                                  struct doc_mark *out_end)
{
    if (r->json || !r->last_block) {
        return false;
    }
    to_mark(r, &r->last_block_start, out_start);
    to_mark(r, &r->last_block_end, out_end);
    return true;
}
