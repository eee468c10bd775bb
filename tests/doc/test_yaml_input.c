/*
 * doc/yaml_input.c against libyaml's own yaml_parser_update_buffer: two
 * parsers over the same input, read in the same chunks, asked for the same
 * numbers of characters; after every call both must hold the same state
 * (result, error, problem, offsets, unread characters, buffer bytes).
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "doc/reader_internal.h"

int yaml_parser_update_buffer(yaml_parser_t *parser, size_t length);

typedef int (*update_fn)(yaml_parser_t *parser, size_t length);

static update_fn stock(void)
{
    return (update_fn)(uintptr_t)dlsym(RTLD_NEXT, "yaml_parser_update_buffer");
}

struct source {
    const unsigned char *data;
    size_t len;
    size_t pos;
    size_t chunk; /* bytes per read */
};

static int read_chunk(void *ctx, unsigned char *buf, size_t size,
                      size_t *size_read)
{
    struct source *s = ctx;
    size_t n = s->len - s->pos;
    if (n > s->chunk) {
        n = s->chunk;
    }
    if (n > size) {
        n = size;
    }
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    *size_read = n;
    return 1;
}

static bool same_state(const yaml_parser_t *a, const yaml_parser_t *b,
                       char *why, size_t why_len)
{
    if (a->error != b->error || a->problem_offset != b->problem_offset ||
        a->problem_value != b->problem_value ||
        (a->problem != b->problem &&
         (!a->problem || !b->problem || strcmp(a->problem, b->problem) != 0))) {
        snprintf(why, why_len,
                 "error %d '%s' at %zu (%d) vs %d '%s' at %zu (%d)", a->error,
                 a->problem ? a->problem : "", a->problem_offset,
                 a->problem_value, b->error, b->problem ? b->problem : "",
                 b->problem_offset, b->problem_value);
        return false;
    }
    if (a->error != YAML_NO_ERROR) {
        return true; /* the buffers after an error are not part of it */
    }
    size_t la = (size_t)(a->buffer.last - a->buffer.pointer);
    size_t lb = (size_t)(b->buffer.last - b->buffer.pointer);
    if (a->unread != b->unread || a->offset != b->offset || a->eof != b->eof ||
        la != lb || memcmp(a->buffer.pointer, b->buffer.pointer, la) != 0) {
        snprintf(why, why_len,
                 "unread %zu/%zu offset %zu/%zu eof %d/%d bytes %zu/%zu",
                 a->unread, b->unread, a->offset, b->offset, a->eof, b->eof, la,
                 lb);
        return false;
    }
    return true;
}

/* Consumes n characters from the front of the buffer. */
static void consume(yaml_parser_t *p, size_t n)
{
    while (n-- > 0 && p->unread > 0) {
        unsigned char c = *p->buffer.pointer;
        size_t w = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                                        : 4;
        p->buffer.pointer += w;
        p->unread--;
    }
}

/* Runs both decoders over data read chunk bytes at a time. */
static void compare(const char *label, const void *data, size_t len,
                    size_t chunk)
{
    update_fn theirs = stock();
    cr_assert(theirs != NULL, "libyaml's yaml_parser_update_buffer not found");
    yaml_parser_t a;
    yaml_parser_t b;
    struct source sa = { data, len, 0, chunk };
    struct source sb = { data, len, 0, chunk };
    cr_assert(yaml_parser_initialize(&a));
    cr_assert(yaml_parser_initialize(&b));
    yaml_parser_set_input(&a, read_chunk, &sa);
    yaml_parser_set_input(&b, read_chunk, &sb);
    static const size_t asks[] = { 1, 4, 2, 1024, 3, 1, 16, 5 };
    char why[256];
    for (size_t step = 0; step < 100000; step++) {
        size_t ask = asks[step % (sizeof(asks) / sizeof(asks[0]))];
        int ra = yaml_parser_update_buffer(&a, ask);
        int rb = theirs(&b, ask);
        cr_assert(eq(int, ra, rb), "%s (chunk %zu, step %zu): result", label,
                  chunk, step);
        cr_assert(same_state(&a, &b, why, sizeof(why)),
                  "%s (chunk %zu, step %zu): %s", label, chunk, step, why);
        if (!ra || (a.eof && a.unread == 0)) {
            break;
        }
        size_t take = (step % 3) + 1;
        if (a.eof && a.raw_buffer.pointer == a.raw_buffer.last &&
            a.unread <= take) {
            break; /* only the final NUL is left */
        }
        consume(&a, take);
        consume(&b, take);
    }
    yaml_parser_delete(&a);
    yaml_parser_delete(&b);
}

static void compare_all_chunks(const char *label, const void *data, size_t len)
{
    static const size_t chunks[] = { 1, 2, 3, 5, 7, 64, 16384 };
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        compare(label, data, len, chunks[i]);
    }
}

Test(yaml_input, libyaml_takes_this_programs_decoder)
{
    cr_expect(doc_yaml_input_is_fast(),
              "libyaml still decodes its input itself (interposition did "
              "not take)");
}

Test(yaml_input, valid_text_decodes_as_libyaml_does)
{
    static const char *const docs[] = {
        "",
        "a: b\n",
        "key: value\r\nother: \"x\ty\"\n",
        "\xef\xbb\xbf"
        "bom: 1\n",
        "caf\xc3\xa9: na\xc3\xafve\n\xe6\x9d\xb1\xe4\xba\xac: "
        "\xf0\x9f\x9a\x80\n",
        "nel\xc2\x85line\n\xc2\xa0nbsp\n\xee\x80\x80private\n",
        "\xef\xbf\xbd replacement\n\xf4\x8f\xbf\xbf max\n",
        "no final newline",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        char label[32];
        snprintf(label, sizeof(label), "doc %zu", i);
        compare_all_chunks(label, docs[i], strlen(docs[i]));
    }
}

Test(yaml_input, bad_bytes_fail_as_libyaml_fails)
{
    static const struct {
        const char *data;
        size_t len;
    } docs[] = {
        { "a: \x80\n", 5 },                 /* stray continuation */
        { "a: \xc3\n", 5 },                 /* bad trailing octet */
        { "a: \xc3", 4 },                   /* incomplete at the end */
        { "a: \xe2\x82", 5 },               /* incomplete, 3 bytes */
        { "a: \xc0\x80\n", 6 },             /* overlong */
        { "a: \xe0\x80\x80\n", 7 },         /* overlong, 3 bytes */
        { "a: \xed\xa0\x80\n", 7 },         /* surrogate */
        { "a: \xf4\x90\x80\x80\n", 8 },     /* above U+10FFFF */
        { "a: \xf8\x88\x80\x80\x80\n", 9 }, /* 5-byte lead */
        { "a: \xff\n", 5 },                 /* invalid lead */
        { "a: b\x01\n", 6 },                /* control character */
        { "a: b\x7f\n", 6 },                /* DEL */
        { "a: \0b\n", 6 },                  /* NUL */
        { "a: \xc2\x80\n", 6 },             /* C1 control (U+0080) */
        { "a: \xef\xbf\xbe\n", 7 },         /* U+FFFE */
        { "abc\xe2\x82\xacx\xe2", 9 },      /* fine, then incomplete */
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        char label[32];
        snprintf(label, sizeof(label), "bad %zu", i);
        compare_all_chunks(label, docs[i].data, docs[i].len);
    }
}

Test(yaml_input, utf16_goes_to_libyaml)
{
    static const char le[] = "\xff\xfe"
                             "a\0:\0 \0b\0\n\0";
    static const char be[] = "\xfe\xff"
                             "\0a\0:\0 \0b\0\n";
    compare_all_chunks("utf-16le", le, sizeof(le) - 1);
    compare_all_chunks("utf-16be", be, sizeof(be) - 1);
}

Test(yaml_input, random_bytes_agree)
{
    unsigned char data[4096];
    uint32_t x = 2463534242u;
    for (int round = 0; round < 200; round++) {
        size_t len = (size_t)(round * 37 % 4096);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            /* mostly text, some high bytes, a few controls */
            unsigned r = x % 100;
            data[i] = r < 70   ? (unsigned char)(0x20 + x % 95)
                      : r < 97 ? (unsigned char)(0x80 + (x >> 8) % 0x78)
                               : (unsigned char)((x >> 8) % 0x20);
        }
        char label[32];
        snprintf(label, sizeof(label), "random %d", round);
        compare(label, data, len, 1 + (size_t)round % 9);
        compare(label, data, len, 16384);
    }
}
