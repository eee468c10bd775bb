/*
 * A faster input decoder for libyaml: yaml_parser_update_buffer.
 *
 * libyaml's scanner asks yaml_parser_update_buffer (reader.c) for the next
 * characters.  Stock libyaml decodes its raw input one character at a
 * time, validating and re-encoding each; on our benchmark documents that is
 * a fifth of libyaml's whole parse time.  libyaml has no hook for it, but
 * its own calls go through the PLT, so a definition in the program
 * interposes on them.  This one keeps the documented contract and the
 * state libyaml keeps in yaml_parser_t (yaml.h) exactly: it fills the
 * buffer from the raw buffer until `length` characters are unread, reads
 * more through the read handler, appends the NUL at end of input, and
 * reports the same reader errors (problem, offset, value) as libyaml.  It
 * differs only in speed: runs of printable ASCII are copied at once, and
 * other characters are checked and copied as they are (valid UTF-8 is its
 * own re-encoding).
 *
 * Only UTF-8 input is decoded here; before the encoding is known (the
 * first call looks for a byte order mark) and for UTF-16 the call goes to
 * libyaml's own function (dlsym RTLD_NEXT).  Where the interposition does
 * not take (a libyaml linked statically, or bound at build time), libyaml
 * keeps using its own reader and nothing changes but the speed.
 *
 * tests/doc/test_yaml_input.c compares both decoders on the same inputs.
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include "doc/reader_internal.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>

typedef int (*update_buffer_fn)(yaml_parser_t *parser, size_t length);

/* libyaml's function (the next definition after this program's). */
static update_buffer_fn stock(void)
{
    static update_buffer_fn fn;
    if (!fn) {
        fn = (update_buffer_fn)(uintptr_t)dlsym(RTLD_NEXT,
                                                "yaml_parser_update_buffer");
    }
    return fn;
}

/*
 * YAML's printable ASCII, with tab, LF and CR: copied as they are.  One
 * character per byte value, '1' for these (a table: this test runs on every
 * byte of the input).
 */
static const char plain_table[257] =
    "0000000001100100000000000000000011111111111111111111111111111111"
    "1111111111111111111111111111111111111111111111111111111111111110"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000";

static inline bool plain_ascii(unsigned char c)
{
    return plain_table[c] == '1';
}

static int reader_error(yaml_parser_t *parser, const char *problem,
                        size_t offset, int value)
{
    parser->error = YAML_READER_ERROR;
    parser->problem = problem;
    parser->problem_offset = offset;
    parser->problem_value = value;
    return 0;
}

/* Refills the raw buffer through the read handler (libyaml's rules). */
static int read_raw(yaml_parser_t *parser)
{
    if (parser->raw_buffer.start == parser->raw_buffer.pointer &&
        parser->raw_buffer.last == parser->raw_buffer.end) {
        return 1; /* full */
    }
    if (parser->eof) {
        return 1;
    }
    size_t keep =
        (size_t)(parser->raw_buffer.last - parser->raw_buffer.pointer);
    if (parser->raw_buffer.start < parser->raw_buffer.pointer && keep > 0) {
        memmove(parser->raw_buffer.start, parser->raw_buffer.pointer, keep);
    }
    parser->raw_buffer.pointer = parser->raw_buffer.start;
    parser->raw_buffer.last = parser->raw_buffer.start + keep;
    size_t n = 0;
    if (!parser->read_handler(
            parser->read_handler_data, parser->raw_buffer.last,
            (size_t)(parser->raw_buffer.end - parser->raw_buffer.last), &n)) {
        return reader_error(parser, "input error", parser->offset, -1);
    }
    parser->raw_buffer.last += n;
    if (n == 0) {
        parser->eof = 1;
    }
    return 1;
}

/* The characters YAML allows (libyaml's reader check). */
static bool allowed(uint32_t v)
{
    return v == 0x09 || v == 0x0A || v == 0x0D || (v >= 0x20 && v <= 0x7E) ||
           v == 0x85 || (v >= 0xA0 && v <= 0xD7FF) ||
           (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF);
}

/*
 * Decodes every complete character of the raw buffer into the buffer.
 * Returns 0 with the reader error set, else 1.
 */
static int decode_raw(yaml_parser_t *parser)
{
    const unsigned char *p = parser->raw_buffer.pointer;
    const unsigned char *end = parser->raw_buffer.last;
    unsigned char *out = parser->buffer.last;
    size_t unread = parser->unread;
    size_t offset = parser->offset;
    int rc = 1;
    while (p < end) {
        if (plain_ascii(*p)) {
            const unsigned char *q = p + 1;
            while (q < end && plain_ascii(*q)) {
                q++;
            }
            size_t n = (size_t)(q - p);
            memcpy(out, p, n);
            out += n;
            p = q;
            unread += n;
            offset += n;
            continue;
        }
        unsigned char lead = *p;
        size_t width = lead < 0x80             ? 1
                       : (lead & 0xE0) == 0xC0 ? 2
                       : (lead & 0xF0) == 0xE0 ? 3
                       : (lead & 0xF8) == 0xF0 ? 4
                                               : 0;
        if (width == 0) {
            rc = reader_error(parser, "invalid leading UTF-8 octet", offset,
                              lead);
            break;
        }
        if (width > (size_t)(end - p)) {
            if (parser->eof) {
                rc = reader_error(parser, "incomplete UTF-8 octet sequence",
                                  offset, -1);
            }
            break; /* the rest comes with the next read */
        }
        uint32_t v = width == 1   ? lead
                     : width == 2 ? lead & 0x1Fu
                     : width == 3 ? lead & 0x0Fu
                                  : lead & 0x07u;
        bool bad = false;
        for (size_t k = 1; k < width; k++) {
            if ((p[k] & 0xC0) != 0x80) {
                rc = reader_error(parser, "invalid trailing UTF-8 octet",
                                  offset + k, p[k]);
                bad = true;
                break;
            }
            v = (v << 6) | (p[k] & 0x3Fu);
        }
        if (bad) {
            break;
        }
        if ((width == 2 && v < 0x80) || (width == 3 && v < 0x800) ||
            (width == 4 && v < 0x10000)) {
            rc = reader_error(parser, "invalid length of a UTF-8 sequence",
                              offset, -1);
            break;
        }
        if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) {
            rc = reader_error(parser, "invalid Unicode character", offset,
                              (int)v);
            break;
        }
        if (!allowed(v)) {
            rc = reader_error(parser, "control characters are not allowed",
                              offset, (int)v);
            break;
        }
        memcpy(out, p, width); /* valid UTF-8 is its own encoding */
        out += width;
        p += width;
        unread++;
        offset += width;
    }
    parser->raw_buffer.pointer = (unsigned char *)p;
    parser->buffer.last = out;
    parser->unread = unread;
    parser->offset = offset;
    return rc;
}

int yaml_parser_update_buffer(yaml_parser_t *parser, size_t length);

int yaml_parser_update_buffer(yaml_parser_t *parser, size_t length)
{
    if (parser->encoding != YAML_UTF8_ENCODING) {
        /* the first call (byte order mark), UTF-16: libyaml's own */
        update_buffer_fn fn = stock();
        if (!fn) {
            return reader_error(parser, "input error", parser->offset, -1);
        }
        return fn(parser, length);
    }
    if (parser->eof && parser->raw_buffer.pointer == parser->raw_buffer.last) {
        return 1;
    }
    if (parser->unread >= length) {
        return 1;
    }
    /* the unread characters move to the start of the buffer */
    if (parser->buffer.start < parser->buffer.pointer &&
        parser->buffer.pointer < parser->buffer.last) {
        size_t size = (size_t)(parser->buffer.last - parser->buffer.pointer);
        memmove(parser->buffer.start, parser->buffer.pointer, size);
        parser->buffer.pointer = parser->buffer.start;
        parser->buffer.last = parser->buffer.start + size;
    } else if (parser->buffer.pointer == parser->buffer.last) {
        parser->buffer.pointer = parser->buffer.start;
        parser->buffer.last = parser->buffer.start;
    }
    bool first = true;
    while (parser->unread < length) {
        if (!first || parser->raw_buffer.pointer == parser->raw_buffer.last) {
            if (!read_raw(parser)) {
                return 0;
            }
        }
        first = false;
        if (!decode_raw(parser)) {
            return 0;
        }
        if (parser->eof) {
            *parser->buffer.last++ = '\0';
            parser->unread++;
            return 1;
        }
    }
    if (parser->offset >= SIZE_MAX / 2) {
        return reader_error(parser, "input is too long", parser->offset, -1);
    }
    return 1;
}

bool doc_yaml_input_is_fast(void)
{
    /* the program's definition is the one libyaml's calls reach */
    void *used = dlsym(RTLD_DEFAULT, "yaml_parser_update_buffer");
    return used == (void *)(uintptr_t)yaml_parser_update_buffer &&
           stock() != NULL;
}
