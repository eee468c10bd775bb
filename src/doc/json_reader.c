/*
 * The native JSON event source of doc/reader (RFC 8259, strict).
 *
 * Why not libyaml: it reads JSON as YAML 1.1 flow syntax, which refuses
 * real JSON (a key longer than 1024 characters: "did not find expected ','
 * or '}'"; a surrogate pair escape such as "\ud83d\ude00"; a key whose ':'
 * is on the next line; a tab before the root) and is slow on JSON.
 *
 * Events: exactly those libyaml produces for the same text, so doc/tree.c,
 * convert/walk.c and convert/merge.c cannot tell the parsers apart:
 *   STREAM_START, DOCUMENT_START (implicit), MAPPING_START/END and
 *   SEQUENCE_START/END with flow = true, SCALAR with style DOUBLE for
 *   strings (value: the decoded text, NUL-terminated, len explicit since
 *   "\u0000" is allowed) and PLAIN for numbers, true, false and null
 *   (value: the literal text), DOCUMENT_END, STREAM_END.
 * Marks: start at the first byte of the token, end just past it (a
 * string's marks include its quotes); offsets are exact bytes for memory
 * and file sources alike; lines are 1-based, LF, CR and CRLF each end one;
 * columns are 1-based and count characters (UTF-8 sequences count one),
 * as libyaml's do.  STREAM_START is at the first byte after a UTF-8 BOM;
 * DOCUMENT_START is at the root's first token; DOCUMENT_END and STREAM_END
 * are at the end of the input, moved to column 1 of the next line unless
 * the input ends at a line start (libyaml's "force new line").
 * depth is the nesting of collections around the event.
 *
 * Where libyaml and JSON disagree, this file follows JSON (each case is in
 * tests/doc/test_json_reader.c): the cases above; raw U+0085, U+2028 and
 * U+2029 in strings are characters, not line breaks; C1 controls and
 * other characters libyaml calls non-printable are accepted in strings.
 * Lone surrogate escapes ("\ud800") are refused, as libyaml and jansson
 * refuse them: the value would not be Unicode text.
 *
 * Streaming: a stream source is read in chunks of CHUNK bytes into one
 * buffer; a token may span chunks (its value is decoded into tok as the
 * scan goes, and at most 12 bytes of an escape are carried over), so
 * memory is one chunk plus the largest value, bounded by max_token_bytes.
 * Memory sources are scanned in place.
 *
 * Errors are OAG_ERR_SYNTAX at the offending byte ("expected ',' or '}'
 * after an object member" at the byte that is neither), OAG_ERR_LIMIT for
 * max_depth (at the opening bracket) and max_token_bytes (at the start of
 * the value; the bound is on the decoded value), OAG_ERR_IO from the
 * source.  What happens after a syntax error (falling back to libyaml for
 * YAML flow documents such as {a: 1}) is decided in reader.c.  For that
 * fall-back every event delivered must be the one libyaml gives for the
 * same text, so a scalar goes out only once the byte after it shows that
 * libyaml would not read it otherwise (continues_in_yaml).
 */
#include "doc/reader_internal.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"

#define CHUNK ((size_t)256 << 10)

enum state {
    ST_STREAM_START,
    ST_DOCUMENT_START,
    ST_VALUE,        /* a value: the root, after ':', after ',' in arrays */
    ST_ARRAY_FIRST,  /* after '[': a value or ']' */
    ST_OBJECT_FIRST, /* after '{': a key or '}' */
    ST_KEY,          /* after ',' in an object: a key */
    ST_COLON,        /* after a key: ':' then a value */
    ST_AFTER_VALUE,  /* ',' or the closing bracket; the end after the root */
    ST_STREAM_END,
    ST_DONE,
    ST_FAILED,
};

struct doc_json {
    const char *name; /* borrowed */
    size_t max_token_bytes;
    unsigned max_depth;

    /* input: buf[0..len) holds stream bytes base..base+len */
    const unsigned char *buf;
    size_t len;
    size_t pos; /* cursor in buf */
    size_t base;
    unsigned char *chunk; /* owned buffer of stream sources */
    doc_read_fn *read;    /* NULL for memory sources */
    void *read_ctx;
    bool eof;

    /* where the cursor is */
    unsigned long line;
    size_t line_start; /* offset of the line's first byte */
    size_t line_cont;  /* UTF-8 continuation bytes on the line */
    size_t cr_end;     /* offset just past the last CR */

    /* nesting: '{' or '[' per open collection */
    unsigned char *stack;
    size_t stack_cap;
    unsigned depth;

    enum state state;
    bool after_comma; /* ST_VALUE/ST_KEY reached through ',' */
    bool held_back;   /* failed after a scalar (doc_json_held_back) */

    char *tok; /* value of the current scalar, owned */
    size_t tok_len;
    size_t tok_cap;

    size_t events;
    struct oag_error failure; /* repeated after a failure */
};

static struct doc_json *json_alloc(size_t start, const char *name,
                                   const struct doc_limits *limits)
{
    struct doc_json *j = xcalloc(1, sizeof(*j));
    j->name = name;
    j->max_token_bytes = limits->max_token_bytes;
    j->max_depth = limits->max_depth;
    j->base = start;
    j->line = 1;
    j->line_start = start;
    j->cr_end = (size_t)-1;
    j->tok_cap = 256;
    j->tok = xmalloc(j->tok_cap);
    return j;
}

struct doc_json *doc_json_new_memory(const char *data, size_t len, size_t start,
                                     const char *name,
                                     const struct doc_limits *limits)
{
    struct doc_json *j = json_alloc(start, name, limits);
    j->buf = (const unsigned char *)data + start;
    j->len = len - start;
    j->eof = true;
    return j;
}

struct doc_json *doc_json_new_stream(doc_read_fn *read, void *ctx, size_t start,
                                     const char *name,
                                     const struct doc_limits *limits)
{
    struct doc_json *j = json_alloc(start, name, limits);
    j->chunk = xmalloc(CHUNK);
    j->buf = j->chunk;
    j->read = read;
    j->read_ctx = ctx;
    return j;
}

void doc_json_free(struct doc_json *j)
{
    if (!j) {
        return;
    }
    free(j->chunk);
    free(j->stack);
    free(j->tok);
    oag_error_release(&j->failure);
    free(j);
}

size_t doc_json_event_count(const struct doc_json *j)
{
    return j->events;
}

bool doc_json_held_back(const struct doc_json *j)
{
    return j->held_back;
}

/* ---- position and errors ---- */

static void mark_at(const struct doc_json *j, size_t pos, struct doc_mark *out)
{
    out->offset = j->base + pos;
    out->line = j->line;
    out->column =
        (unsigned long)(out->offset - j->line_start - j->line_cont + 1);
}

/* Records the failure at mark (NULL: the cursor); returns -1. */
static int fail_at(struct doc_json *j, const struct doc_mark *mark,
                   enum oag_error_code code, struct oag_error *err,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(struct doc_json *j, const struct doc_mark *mark,
                   enum oag_error_code code, struct oag_error *err,
                   const char *fmt, ...)
{
    struct doc_mark here;
    if (!mark) {
        mark_at(j, j->pos, &here);
        mark = &here;
    }
    va_list ap;
    va_start(ap, fmt);
    oag_error_vset(&j->failure, code, fmt, ap);
    va_end(ap);
    oag_error_set_where(&j->failure, j->name, mark->line, mark->column, NULL);
    j->state = ST_FAILED;
    if (err) {
        oag_error_copy(err, &j->failure);
    }
    return -1;
}

/* A read error of the source (in j->failure, see fill()). */
static int fail_io(struct doc_json *j, struct oag_error *err)
{
    if (!oag_error_is_set(&j->failure)) {
        oag_error_set(&j->failure, OAG_ERR_IO, "cannot read '%s'", j->name);
    }
    j->state = ST_FAILED;
    if (err) {
        oag_error_copy(err, &j->failure);
    }
    return -1;
}

/* ---- input ---- */

/*
 * Makes need bytes available at the cursor (need <= 12).  Returns 1, 0
 * when the input ends first (what is left stays available), -1 on a read
 * error (in j->failure: report it with fail_io).  Moves the unread tail to the start of the chunk, so
 * indexes into buf are invalid afterwards: callers re-read j->pos.
 */
static int fill(struct doc_json *j, size_t need)
{
    if (j->len - j->pos >= need) {
        return 1;
    }
    if (j->eof) {
        return 0;
    }
    size_t keep = j->len - j->pos;
    if (j->pos > 0) {
        memmove(j->chunk, j->chunk + j->pos, keep);
        j->base += j->pos;
        j->len = keep;
        j->pos = 0;
    }
    while (j->len < need) {
        size_t got = 0;
        if (j->read(j->read_ctx, j->chunk + j->len, CHUNK - j->len, &got,
                    &j->failure) != 0) {
            return -1;
        }
        if (got == 0) {
            j->eof = true;
            return 0;
        }
        j->len += got;
    }
    return 1;
}

/*
 * Skips JSON whitespace (RFC 8259 section 2: space, tab, LF, CR) keeping
 * the line count.  Returns the next byte, EOF_CH at the end, IO_CH on a
 * read error (then fail_io).
 */
#define EOF_CH (-1)
#define IO_CH (-2)

static int skip_ws(struct doc_json *j)
{
    for (;;) {
        const unsigned char *b = j->buf;
        size_t p = j->pos;
        size_t n = j->len;
        while (p < n) {
            unsigned char c = b[p];
            if (c == ' ' || c == '\t') {
                p++;
            } else if (c == '\n') {
                /* CRLF is one line break */
                if (j->base + p != j->cr_end) {
                    j->line++;
                }
                p++;
                j->line_start = j->base + p;
                j->line_cont = 0;
            } else if (c == '\r') {
                j->line++;
                p++;
                j->line_start = j->base + p;
                j->cr_end = j->line_start;
                j->line_cont = 0;
            } else {
                j->pos = p;
                return c;
            }
        }
        j->pos = p;
        int f = fill(j, 1);
        if (f < 0) {
            return IO_CH;
        }
        if (f == 0) {
            return EOF_CH;
        }
    }
}

/* ---- the value buffer ---- */

static int tok_add(struct doc_json *j, const void *p, size_t n,
                   const struct doc_mark *start, struct oag_error *err)
{
    if (n > j->max_token_bytes - j->tok_len) {
        return fail_at(j, start, OAG_ERR_LIMIT, err,
                       "a single value is larger than the limit of "
                       "%zu bytes",
                       j->max_token_bytes);
    }
    if (j->tok_len + n + 1 > j->tok_cap) {
        while (j->tok_len + n + 1 > j->tok_cap) {
            j->tok_cap *= 2;
        }
        j->tok = xrealloc(j->tok, j->tok_cap);
    }
    memcpy(j->tok + j->tok_len, p, n);
    j->tok_len += n;
    return 0;
}

static void scalar_out(struct doc_json *j, struct doc_event *out,
                       enum doc_scalar_style style)
{
    j->tok[j->tok_len] = '\0';
    out->type = DOC_EV_SCALAR;
    out->value = j->tok;
    out->len = j->tok_len;
    out->style = style;
}

/* ---- strings (RFC 8259 section 7) ---- */

static bool is_plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* True when none of 8 bytes is a quote, backslash, control or non-ASCII. */
static bool is_plain_word(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u;
    const uint64_t high = 0x8080808080808080u;
    uint64_t quote = w ^ (ones * '"');
    uint64_t bslash = w ^ (ones * '\\');
    uint64_t found = ((w - ones * 0x20) & ~w) |       /* < 0x20 */
                     ((quote - ones) & ~quote) |      /* == '"' */
                     ((bslash - ones) & ~bslash) | w; /* '\\', >= 0x80 */
    return (found & high) == 0;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* The 4 hex digits at p, or -1 (*out_good: how many were valid). */
static long hex4(const unsigned char *p, size_t avail, size_t *out_good)
{
    long v = 0;
    for (size_t i = 0; i < 4; i++) {
        int h = i < avail ? hex_value(p[i]) : -1;
        if (h < 0) {
            *out_good = i;
            return -1;
        }
        v = v * 16 + h;
    }
    *out_good = 4;
    return v;
}

static size_t utf8_encode(unsigned long cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* "\uXXXX" at the cursor (the backslash), a surrogate pair included. */
static int scan_unicode_escape(struct doc_json *j, const struct doc_mark *start,
                               struct oag_error *err)
{
    int f = fill(j, 12);
    if (f < 0) {
        return fail_io(j, err);
    }
    const unsigned char *p = j->buf + j->pos;
    size_t avail = j->len - j->pos;
    size_t good = 0;
    long cp = hex4(p + 2, avail - 2, &good);
    if (cp < 0) {
        if (2 + good == avail) {
            j->pos = j->len;
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "unexpected end of document");
        }
        /* show the escape up to the offending character when printable */
        unsigned char bad = p[2 + good];
        int shown =
            (int)good +
            (bad > 0x20 && bad < 0x7F && bad != '"' && bad != '\\' ? 1 : 0);
        return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                       "invalid escape '\\u%.*s' (expected 4 hex digits)",
                       shown, (const char *)p + 2);
    }
    size_t used = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        long lo = -1;
        size_t good_lo = 0;
        if (avail >= 12 && p[6] == '\\' && p[7] == 'u') {
            lo = hex4(p + 8, avail - 8, &good_lo);
        }
        if (lo < 0xDC00 || lo > 0xDFFF) {
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "unpaired surrogate '\\u%.4s' in a string "
                           "(a high surrogate needs a low one after it)",
                           (const char *)p + 2);
        }
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        used = 12;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                       "unpaired surrogate '\\u%.4s' in a string (a low "
                       "surrogate without a high one before it)",
                       (const char *)p + 2);
    }
    unsigned char utf8[4];
    size_t n = utf8_encode((unsigned long)cp, utf8);
    if (tok_add(j, utf8, n, start, err) != 0) {
        return -1;
    }
    j->pos += used;
    return 0;
}

/* An escape at the cursor (the backslash). */
static int scan_escape(struct doc_json *j, const struct doc_mark *start,
                       struct oag_error *err)
{
    int f = fill(j, 2);
    if (f < 0) {
        return fail_io(j, err);
    }
    if (f == 0) {
        j->pos = j->len;
        return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                       "unexpected end of document");
    }
    unsigned char c = j->buf[j->pos + 1];
    char v;
    switch (c) {
    case '"':
    case '\\':
    case '/':
        v = (char)c;
        break;
    case 'b':
        v = '\b';
        break;
    case 'f':
        v = '\f';
        break;
    case 'n':
        v = '\n';
        break;
    case 'r':
        v = '\r';
        break;
    case 't':
        v = '\t';
        break;
    case 'u':
        return scan_unicode_escape(j, start, err);
    default:
        if (c > 0x20 && c < 0x7F) {
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "invalid escape '\\%c'", c);
        }
        return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                       "invalid escape: '\\' followed by byte 0x%02X", c);
    }
    if (tok_add(j, &v, 1, start, err) != 0) {
        return -1;
    }
    j->pos += 2;
    return 0;
}

/*
 * A UTF-8 sequence at the cursor, checked as RFC 3629 section 4 says (no
 * overlong forms, no surrogates, nothing above U+10FFFF).
 */
static int scan_utf8(struct doc_json *j, const struct doc_mark *start,
                     struct oag_error *err)
{
    unsigned char c = j->buf[j->pos];
    size_t n;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) {
            lo = 0xA0;
        } else if (c == 0xED) {
            hi = 0x9F;
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) {
            lo = 0x90;
        } else if (c == 0xF4) {
            hi = 0x8F;
        }
    } else {
        return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                       "invalid UTF-8 byte 0x%02X", c);
    }
    int f = fill(j, n);
    if (f < 0) {
        return fail_io(j, err);
    }
    const unsigned char *p = j->buf + j->pos;
    size_t avail = j->len - j->pos;
    bool ok = avail >= n && p[1] >= lo && p[1] <= hi;
    for (size_t i = 2; ok && i < n; i++) {
        ok = p[i] >= 0x80 && p[i] <= 0xBF;
    }
    if (!ok) {
        return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                       "invalid UTF-8 byte 0x%02X", c);
    }
    if (tok_add(j, p, n, start, err) != 0) {
        return -1;
    }
    j->pos += n;
    j->line_cont += n - 1;
    return 0;
}

/* A string at the cursor (the opening quote). */
static int scan_string(struct doc_json *j, struct doc_event *out,
                       struct oag_error *err)
{
    mark_at(j, j->pos, &out->start);
    j->pos++;
    j->tok_len = 0;
    for (;;) {
        const unsigned char *b = j->buf;
        size_t p = j->pos;
        size_t n = j->len;
        size_t run = p;
        while (n - run >= 8) {
            uint64_t w;
            memcpy(&w, b + run, 8);
            if (!is_plain_word(w)) {
                break;
            }
            run += 8;
        }
        while (run < n && is_plain_byte(b[run])) {
            run++;
        }
        if (run > p) {
            if (tok_add(j, b + p, run - p, &out->start, err) != 0) {
                return -1;
            }
            j->pos = run;
        }
        if (run == n) {
            int f = fill(j, 1);
            if (f < 0) {
                return fail_io(j, err);
            }
            if (f == 0) {
                return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                               "unexpected end of document");
            }
            continue;
        }
        unsigned char c = b[run];
        if (c == '"') {
            j->pos++;
            break;
        }
        int rc;
        if (c == '\\') {
            rc = scan_escape(j, &out->start, err);
        } else if (c < 0x20) {
            rc = fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                         "control character in a string");
        } else {
            rc = scan_utf8(j, &out->start, err);
        }
        if (rc != 0) {
            return -1;
        }
    }
    mark_at(j, j->pos, &out->end);
    scalar_out(j, out, DOC_SCALAR_DOUBLE);
    return 0;
}

/* ---- numbers (RFC 8259 section 6) and literals (section 3) ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_number_byte(unsigned char c)
{
    return is_digit((char)c) || c == '-' || c == '+' || c == '.' || c == 'e' ||
           c == 'E';
}

static bool is_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           is_digit((char)c) || c == '_';
}

/* Consumes the bytes at the cursor for which pred holds into tok. */
static int collect(struct doc_json *j, bool (*pred)(unsigned char),
                   const struct doc_mark *start, struct oag_error *err)
{
    j->tok_len = 0;
    for (;;) {
        const unsigned char *b = j->buf;
        size_t p = j->pos;
        size_t run = p;
        while (run < j->len && pred(b[run])) {
            run++;
        }
        if (run > p) {
            if (tok_add(j, b + p, run - p, start, err) != 0) {
                return -1;
            }
            j->pos = run;
        }
        if (run < j->len) {
            return 0;
        }
        int f = fill(j, 1);
        if (f < 0) {
            return fail_io(j, err);
        }
        if (f == 0) {
            return 0;
        }
    }
}

/* Fails at byte i of the current token (a number: one line, ASCII). */
static int number_error(struct doc_json *j, const struct doc_mark *start,
                        size_t i, const char *message, struct oag_error *err)
{
    struct doc_mark m = *start;
    m.offset += i;
    m.column += i;
    return fail_at(j, &m, OAG_ERR_SYNTAX, err, "%s", message);
}

static int scan_number(struct doc_json *j, struct doc_event *out,
                       struct oag_error *err)
{
    mark_at(j, j->pos, &out->start);
    if (collect(j, is_number_byte, &out->start, err) != 0) {
        return -1;
    }
    const char *s = j->tok;
    size_t n = j->tok_len;
    size_t i = 0;
    if (s[i] == '-') {
        i++;
    }
    if (i == n || !is_digit(s[i])) {
        return number_error(
            j, &out->start, i,
            i ? "expected a digit after '-'" : "expected a value", err);
    }
    if (s[i] == '0') {
        i++;
        if (i < n && is_digit(s[i])) {
            return number_error(j, &out->start, 0,
                                "leading zeros are not allowed", err);
        }
    } else {
        while (i < n && is_digit(s[i])) {
            i++;
        }
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i == n || !is_digit(s[i])) {
            return number_error(j, &out->start, i,
                                "expected a digit after the decimal point",
                                err);
        }
        while (i < n && is_digit(s[i])) {
            i++;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        if (i == n || !is_digit(s[i])) {
            return number_error(j, &out->start, i,
                                "expected a digit in the exponent", err);
        }
        while (i < n && is_digit(s[i])) {
            i++;
        }
    }
    if (i < n) {
        char msg[64];
        snprintf(msg, sizeof(msg), "unexpected '%c' in a number", s[i]);
        return number_error(j, &out->start, i, msg, err);
    }
    mark_at(j, j->pos, &out->end);
    scalar_out(j, out, DOC_SCALAR_PLAIN);
    return 0;
}

static int scan_literal(struct doc_json *j, struct doc_event *out,
                        struct oag_error *err)
{
    mark_at(j, j->pos, &out->start);
    if (collect(j, is_word_byte, &out->start, err) != 0) {
        return -1;
    }
    const char *s = j->tok;
    size_t n = j->tok_len;
    if ((n == 4 && (memcmp(s, "true", 4) == 0 || memcmp(s, "null", 4) == 0)) ||
        (n == 5 && memcmp(s, "false", 5) == 0)) {
        mark_at(j, j->pos, &out->end);
        scalar_out(j, out, DOC_SCALAR_PLAIN);
        return 0;
    }
    return fail_at(j, &out->start, OAG_ERR_SYNTAX, err,
                   "invalid literal '%.*s%s' (expected true, false or null)",
                   n > 32 ? 32 : (int)n, s, n > 32 ? "..." : "");
}

/* ---- structure ---- */

static int open_collection(struct doc_json *j, unsigned char c,
                           struct doc_event *out, struct oag_error *err)
{
    mark_at(j, j->pos, &out->start);
    if (j->depth >= j->max_depth) {
        return fail_at(j, &out->start, OAG_ERR_LIMIT, err,
                       "nesting deeper than %u levels", j->max_depth);
    }
    if (j->depth == j->stack_cap) {
        j->stack_cap = j->stack_cap ? j->stack_cap * 2 : 64;
        j->stack = xrealloc(j->stack, j->stack_cap);
    }
    j->stack[j->depth++] = c;
    j->pos++;
    mark_at(j, j->pos, &out->end);
    out->type = c == '{' ? DOC_EV_MAPPING_START : DOC_EV_SEQUENCE_START;
    out->flow = true;
    j->state = c == '{' ? ST_OBJECT_FIRST : ST_ARRAY_FIRST;
    return 0;
}

static void close_collection(struct doc_json *j, struct doc_event *out)
{
    mark_at(j, j->pos, &out->start);
    j->pos++;
    mark_at(j, j->pos, &out->end);
    out->type =
        j->stack[--j->depth] == '{' ? DOC_EV_MAPPING_END : DOC_EV_SEQUENCE_END;
    out->depth = j->depth;
    out->flow = true;
    j->state = ST_AFTER_VALUE;
}

/*
 * Fails unless c (the next byte after a value, past whitespace) may follow
 * it: ',' or the closing bracket of the collection around it, the end of
 * the input after the root.
 */
static int after_value_error(struct doc_json *j, int c, struct oag_error *err)
{
    if (c == IO_CH) {
        return fail_io(j, err);
    }
    if (j->depth == 0) {
        return c == EOF_CH ? 0
                           : fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                                     "trailing content after the document");
    }
    bool object = j->stack[j->depth - 1] == '{';
    if (c == ',' || c == (object ? '}' : ']')) {
        return 0;
    }
    if (c == EOF_CH) {
        return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                       "unexpected end of document");
    }
    return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                   object ? "expected ',' or '}' after an object member"
                          : "expected ',' or ']' after an array element");
}

/*
 * Whether libyaml would read the scalar just scanned (plain: a number,
 * true, false or null; else a string) differently because of what follows
 * it: next is the byte after it past whitespace (spaced: there was some).
 * libyaml reads `false'`, `1 x` (over lines too) as one plain scalar and
 * `["a": 1]` as a mapping in the sequence.  Such a scalar must not be
 * delivered: the fall-back to libyaml (reader.c) would find different
 * events and refuse YAML that libyaml reads.  Anything else that follows
 * (',', a bracket, the end, a comment) leaves libyaml's scalar as ours.
 */
static bool continues_in_yaml(const struct doc_json *j, bool plain, int next,
                              bool spaced)
{
    if (next == ':') {
        return j->depth == 0 || j->stack[j->depth - 1] == '[';
    }
    if (!plain || next == EOF_CH) {
        return false;
    }
    return !(next == ',' || next == '[' || next == ']' || next == '{' ||
             next == '}' || (next == '#' && spaced));
}

/* The value starting with byte c at the cursor. */
static int scan_value(struct doc_json *j, int c, struct doc_event *out,
                      struct oag_error *err)
{
    int rc;
    switch (c) {
    case '{':
    case '[':
        return open_collection(j, (unsigned char)c, out, err);
    case '"':
        rc = scan_string(j, out, err);
        break;
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        rc = scan_number(j, out, err);
        break;
    default:
        if (c >= 0 && is_word_byte((unsigned char)c)) {
            rc = scan_literal(j, out, err);
            break;
        }
        if (c == EOF_CH) {
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "unexpected end of document");
        }
        if (j->after_comma && (c == ']' || c == '}')) {
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "trailing comma before '%c'", c);
        }
        return fail_at(j, NULL, OAG_ERR_SYNTAX, err, "expected a value");
    }
    if (rc != 0) {
        return -1;
    }
    size_t end = j->base + j->pos; /* skip_ws may move the chunk */
    int next = skip_ws(j);
    if (next == IO_CH) {
        return fail_io(j, err);
    }
    if (continues_in_yaml(j, c != '"', next, j->base + j->pos > end)) {
        j->held_back = true;
        return after_value_error(j, next, err);
    }
    j->state = ST_AFTER_VALUE;
    return 0;
}

/* At the end of the input: libyaml's implicit document end. */
static void end_mark(const struct doc_json *j, struct doc_mark *m)
{
    mark_at(j, j->pos, m);
    if (m->column != 1) {
        m->line++;
        m->column = 1;
    }
}

static int step(struct doc_json *j, struct doc_event *out,
                struct oag_error *err)
{
    int c;
    switch (j->state) {
    case ST_STREAM_START:
        mark_at(j, j->pos, &out->start);
        out->end = out->start;
        out->type = DOC_EV_STREAM_START;
        j->state = ST_DOCUMENT_START;
        return 0;
    case ST_DOCUMENT_START:
        c = skip_ws(j);
        if (c == IO_CH) {
            return fail_io(j, err);
        }
        if (c == EOF_CH) {
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "unexpected end of document");
        }
        mark_at(j, j->pos, &out->start);
        out->end = out->start;
        out->type = DOC_EV_DOCUMENT_START;
        j->state = ST_VALUE;
        return 0;
    case ST_ARRAY_FIRST:
        c = skip_ws(j);
        if (c == ']') {
            close_collection(j, out);
            return 0;
        }
        j->after_comma = false;
        break;
    case ST_OBJECT_FIRST:
    case ST_KEY:
        c = skip_ws(j);
        if (c == '"') {
            if (scan_string(j, out, err) != 0) {
                return -1;
            }
            j->state = ST_COLON;
            return 0;
        }
        if (c == IO_CH) {
            return fail_io(j, err);
        }
        if (c == EOF_CH) {
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "unexpected end of document");
        }
        if (j->state == ST_OBJECT_FIRST) {
            if (c == '}') {
                close_collection(j, out);
                return 0;
            }
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "expected a string key or '}'");
        }
        if (c == '}') {
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "trailing comma before '}'");
        }
        return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                       "expected a string key after ','");
    case ST_COLON:
        c = skip_ws(j);
        if (c != ':') {
            if (c == IO_CH) {
                return fail_io(j, err);
            }
            if (c == EOF_CH) {
                return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                               "unexpected end of document");
            }
            return fail_at(j, NULL, OAG_ERR_SYNTAX, err,
                           "expected ':' after an object key");
        }
        j->pos++;
        j->after_comma = false;
        c = skip_ws(j);
        break;
    case ST_VALUE:
        c = skip_ws(j);
        break;
    case ST_AFTER_VALUE:
        c = skip_ws(j);
        if (after_value_error(j, c, err) != 0) {
            return -1;
        }
        if (j->depth == 0) {
            end_mark(j, &out->start);
            out->end = out->start;
            out->type = DOC_EV_DOCUMENT_END;
            j->state = ST_STREAM_END;
            return 0;
        }
        if (c == ',' && j->stack[j->depth - 1] == '{') {
            j->pos++;
            j->state = ST_KEY;
            return step(j, out, err);
        }
        if (c == ',') {
            j->pos++;
            j->after_comma = true;
            c = skip_ws(j);
            break;
        }
        close_collection(j, out);
        return 0;
    case ST_STREAM_END:
        end_mark(j, &out->start);
        out->end = out->start;
        out->type = DOC_EV_STREAM_END;
        j->state = ST_DONE;
        return 0;
    case ST_DONE:
        end_mark(j, &out->start);
        out->end = out->start;
        out->type = DOC_EV_STREAM_END;
        return 0;
    case ST_FAILED:
    default:
        if (err) {
            oag_error_copy(err, &j->failure);
        }
        return -1;
    }
    /* a value is expected, its first byte is c */
    if (c == IO_CH) {
        return fail_io(j, err);
    }
    return scan_value(j, c, out, err);
}

int doc_json_next(struct doc_json *j, struct doc_event *out,
                  struct oag_error *err)
{
    memset(out, 0, sizeof(*out));
    out->depth = j->depth;
    if (step(j, out, err) != 0) {
        return -1;
    }
    j->events++;
    return 0;
}
