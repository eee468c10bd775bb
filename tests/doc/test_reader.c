/*
 * doc/reader.h: positioned events with byte offsets, limits, encodings,
 * multi-document streams and error translation.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "doc/reader.h"
#include "doc/reader_internal.h"
#include "util/buf.h"
#include "tests/common.h"

static bool is(bool x)
{
    return x;
}
#include "util/error.h"
#include "util/xalloc.h"

/* Reads events until the n-th scalar (0-based); fails if there is none. */
static void nth_scalar(struct doc_reader *r, int n, struct doc_event *out)
{
    struct oag_error err = OAG_ERROR_INIT;
    int seen = 0;
    for (;;) {
        cr_assert(eq(int, doc_reader_next(r, out, &err), 0), "%s",
                  err.message ? err.message : "");
        cr_assert(is(out->type != DOC_EV_STREAM_END), "no scalar %d", n);
        if (out->type == DOC_EV_SCALAR && seen++ == n) {
            return;
        }
    }
}

/* Reads every event; returns the error code of the first failure. */
static enum oag_error_code read_all(const char *data, size_t len,
                                    const struct doc_limits *lim,
                                    struct oag_error *err)
{
    struct doc_reader *r = doc_reader_new_memory(data, len, "t.yaml", lim, err);
    if (!r) {
        return err->code;
    }
    struct doc_event ev;
    enum oag_error_code code = OAG_ERR_NONE;
    for (int guard = 0; guard < 10000000; guard++) {
        if (doc_reader_next(r, &ev, err) != 0) {
            code = err->code;
            break;
        }
        if (ev.type == DOC_EV_STREAM_END) {
            break;
        }
    }
    doc_reader_free(r);
    return code;
}

Test(reader, ascii_offsets_lines_and_columns_are_exact)
{
    const char *doc = "a: b\nlist:\n  - x\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct doc_event ev;
    nth_scalar(r, 0, &ev);
    cr_expect(eq(sz, ev.start.offset, 0));
    cr_expect(eq(sz, ev.end.offset, 1));
    nth_scalar(r, 0, &ev); /* b */
    cr_expect(eq(str, (char *)ev.value, "b"));
    cr_expect(eq(sz, ev.start.offset, 3));
    cr_expect(eq(ulong, ev.start.line, 1));
    cr_expect(eq(ulong, ev.start.column, 4));
    nth_scalar(r, 1, &ev); /* x (after "list") */
    cr_expect(eq(str, (char *)ev.value, "x"));
    cr_expect(eq(sz, ev.start.offset, 15));
    cr_expect(eq(ulong, ev.start.line, 3));
    cr_expect(eq(ulong, ev.start.column, 5));
    cr_expect(eq(ulong, ev.depth, 2));
    doc_reader_free(r);
}

Test(reader, non_ascii_text_gives_byte_offsets_not_character_indexes)
{
    /* "é" is 2 bytes, "€" 3, "😀" 4: libyaml counts one character each */
    const char *doc = "k: \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\nx: y\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct doc_event ev;
    nth_scalar(r, 1, &ev);
    cr_expect(eq(sz, ev.end.offset, 12));
    nth_scalar(r, 0, &ev);
    cr_expect(eq(str, (char *)ev.value, "x"));
    cr_expect(eq(sz, ev.start.offset, 13));
    cr_expect(eq(ulong, ev.start.line, 2));
    cr_expect(eq(ulong, ev.start.column, 1));
    cr_expect(eq(chr, doc[ev.start.offset], 'x'));
    nth_scalar(r, 0, &ev);
    cr_expect(eq(chr, doc[ev.start.offset], 'y'));
    doc_reader_free(r);
}

Test(reader, utf8_bom_is_counted_in_byte_offsets)
{
    const char *doc = "\xEF\xBB\xBF"
                      "a: b\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct doc_event ev;
    nth_scalar(r, 0, &ev);
    cr_expect(eq(sz, ev.start.offset, 3));
    nth_scalar(r, 0, &ev);
    cr_expect(eq(sz, ev.start.offset, 6));
    cr_expect(eq(chr, doc[ev.start.offset], 'b'));
    doc_reader_free(r);
}

Test(reader, bom_with_non_ascii_text_keeps_offsets_exact)
{
    const char *doc = "\xEF\xBB\xBF"
                      "k: \xC3\xA9\nz: w\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct doc_event ev;
    nth_scalar(r, 2, &ev);
    cr_expect(eq(str, (char *)ev.value, "z"));
    cr_expect(eq(chr, doc[ev.start.offset], 'z'));
    doc_reader_free(r);
}

Test(reader, crlf_lines_count_once_and_offsets_stay_exact)
{
    const char *doc = "a: 1\r\nb: 2\r\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct doc_event ev;
    nth_scalar(r, 2, &ev);
    cr_expect(eq(str, (char *)ev.value, "b"));
    cr_expect(eq(sz, ev.start.offset, 6));
    cr_expect(eq(ulong, ev.start.line, 2));
    cr_expect(eq(ulong, ev.start.column, 1));
    doc_reader_free(r);
}

Test(reader, scalar_styles_and_flow_collections_are_reported)
{
    const char *doc = "a: 'x'\nb: \"y\"\nc: |\n  z\nd: >\n  w\ne: {f: [1]}\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_event ev;
    enum doc_scalar_style want[] = {
        DOC_SCALAR_PLAIN,  DOC_SCALAR_SINGLE, DOC_SCALAR_PLAIN,
        DOC_SCALAR_DOUBLE, DOC_SCALAR_PLAIN,  DOC_SCALAR_LITERAL,
        DOC_SCALAR_PLAIN,  DOC_SCALAR_FOLDED,
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        nth_scalar(r, 0, &ev);
        cr_expect(eq(int, (int)ev.style, (int)want[i]), "scalar %zu", i);
    }
    nth_scalar(r, 0, &ev); /* e */
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
    cr_expect(eq(int, (int)ev.type, DOC_EV_MAPPING_START));
    cr_expect(is(ev.flow));
    nth_scalar(r, 0, &ev); /* f */
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
    cr_expect(eq(int, (int)ev.type, DOC_EV_SEQUENCE_START));
    cr_expect(is(ev.flow));
    nth_scalar(r, 0, &ev); /* 1 */
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
    cr_expect(eq(int, (int)ev.type, DOC_EV_SEQUENCE_END));
    cr_expect(is(ev.flow));
    cr_expect(eq(chr, doc[ev.end.offset - 1], ']'));
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
    cr_expect(eq(int, (int)ev.type, DOC_EV_MAPPING_END));
    cr_expect(eq(chr, doc[ev.end.offset - 1], '}'));
    doc_reader_free(r);
}

Test(reader, anchors_tags_and_aliases_are_reported)
{
    const char *doc = "a: &x !!str 1\nb: *x\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_event ev;
    nth_scalar(r, 1, &ev);
    cr_expect(eq(str, (char *)ev.anchor, "x"));
    cr_expect(eq(str, (char *)ev.tag, "tag:yaml.org,2002:str"));
    nth_scalar(r, 0, &ev);
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
    cr_expect(eq(int, (int)ev.type, DOC_EV_ALIAS));
    cr_expect(eq(str, (char *)ev.value, "x"));
    doc_reader_free(r);
}

Test(reader, stream_end_repeats_after_the_end)
{
    struct doc_reader *r = doc_reader_new_memory("a", 1, NULL, NULL, NULL);
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_event ev;
    do {
        cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
    } while (ev.type != DOC_EV_STREAM_END);
    for (int i = 0; i < 3; i++) {
        cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
        cr_expect(eq(int, (int)ev.type, DOC_EV_STREAM_END));
    }
    doc_reader_free(r);
}

Test(reader, syntax_error_has_file_line_and_column)
{
    const char *doc = "a: b\nc: [1, 2\nd: e\n";
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(
        eq(int, (int)read_all(doc, strlen(doc), NULL, &err), OAG_ERR_SYNTAX));
    cr_expect(eq(str, err.file, "t.yaml"));
    cr_expect(eq(ulong, err.line, 3));
    cr_expect(is(err.column > 0));
    cr_expect(is(err.message && strlen(err.message) > 0));
    oag_error_release(&err);
}

Test(reader, invalid_utf8_is_a_syntax_error_with_the_byte)
{
    const char *doc = "a: b\nc: \xFF\xFE\n";
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(
        eq(int, (int)read_all(doc, strlen(doc), NULL, &err), OAG_ERR_SYNTAX));
    cr_expect(eq(ulong, err.line, 2));
    cr_expect(is(strstr(err.message, "0xff") != NULL), "%s", err.message);
    oag_error_release(&err);
}

Test(reader, utf16_documents_are_refused_as_unsupported)
{
    const char le[] = "\xFF\xFE"
                      "a\0:\0 \0b\0";
    const char be[] = "\0a\0:\0 \0b";
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(eq(int, (int)read_all(le, sizeof(le) - 1, NULL, &err),
                 OAG_ERR_UNSUPPORTED));
    cr_expect(is(strstr(err.message, "UTF-8") != NULL));
    oag_error_release(&err);
    cr_expect(eq(int, (int)read_all(be, sizeof(be) - 1, NULL, &err),
                 OAG_ERR_UNSUPPORTED));
    oag_error_release(&err);
}

Test(reader, a_second_document_is_refused)
{
    const char *doc = "a: 1\n---\nb: 2\n";
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(eq(int, (int)read_all(doc, strlen(doc), NULL, &err),
                 OAG_ERR_UNSUPPORTED));
    cr_expect(eq(ulong, err.line, 2));
    oag_error_release(&err);
}

Test(reader, nesting_beyond_the_depth_limit_stops_with_a_limit_error)
{
    struct doc_limits lim = { .max_depth = 10 };
    char doc[64];
    memset(doc, '[', 11);
    memset(doc + 11, ']', 11);
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(eq(int, (int)read_all(doc, 22, &lim, &err), OAG_ERR_LIMIT));
    cr_expect(eq(ulong, err.line, 1));
    cr_expect(eq(ulong, err.column, 11));
    oag_error_release(&err);
    cr_expect(eq(int, (int)read_all(doc + 1, 20, &lim, &err), OAG_ERR_NONE));
}

Test(reader, default_depth_limit_holds_against_a_million_brackets)
{
    size_t n = 1000000;
    char *doc = xmalloc(n);
    memset(doc, '[', n);
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(eq(int, (int)read_all(doc, n, NULL, &err), OAG_ERR_LIMIT));
    cr_expect(is(strstr(err.message, "512") != NULL), "%s", err.message);
    oag_error_release(&err);
    free(doc);
}

Test(reader, scalar_larger_than_the_token_limit_stops_with_a_limit_error)
{
    struct doc_limits lim = { .max_token_bytes = 1000 };
    size_t n = 300000;
    char *doc = xmalloc(n + 4);
    memcpy(doc, "a: ", 3);
    memset(doc + 3, 'x', n);
    doc[n + 3] = '\n';
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(eq(int, (int)read_all(doc, n + 4, &lim, &err), OAG_ERR_LIMIT));
    cr_expect(is(strstr(err.message, "1000") != NULL), "%s", err.message);
    oag_error_release(&err);
    /* the same scalar passes under the default limit */
    cr_expect(eq(int, (int)read_all(doc, n + 4, NULL, &err), OAG_ERR_NONE));
    free(doc);
}

Test(reader, binary_junk_ends_in_an_error_never_a_crash)
{
    /* deterministic pseudo-random bytes (fixed seed, LCG) */
    uint32_t s = 12345;
    for (int round = 0; round < 200; round++) {
        size_t n = 1 + (size_t)(round * 37 % 500);
        char *doc = xmalloc(n);
        for (size_t i = 0; i < n; i++) {
            s = s * 1103515245u + 12345u;
            doc[i] = (char)(s >> 16);
        }
        struct oag_error err = OAG_ERROR_INIT;
        read_all(doc, n, NULL, &err);
        oag_error_release(&err);
        free(doc);
    }
}

Test(reader, skip_reads_through_the_matching_end)
{
    const char *doc = "a:\n  b: [1, {c: 2}]\n  d: 3\ne: 4\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_event ev;
    nth_scalar(r, 0, &ev); /* a */
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
    cr_assert(eq(int, (int)ev.type, DOC_EV_MAPPING_START));
    struct doc_mark end;
    cr_assert(eq(int, doc_reader_skip(r, &ev, &end, &err), 0));
    cr_expect(eq(sz, end.offset, strlen("a:\n  b: [1, {c: 2}]\n  d: 3")));
    nth_scalar(r, 0, &ev);
    cr_expect(eq(str, (char *)ev.value, "e"));
    doc_reader_free(r);
}

Test(reader, file_source_gives_the_same_events_as_memory)
{
    const char *doc = "k: v\nlist: [a, 'b', \"c\"]\n";
    char *path = test_write_temp(doc, strlen(doc), ".yaml");
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *f = doc_reader_new_file(path, "shown.yaml", NULL, &err);
    struct doc_reader *m =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, &err);
    cr_assert(is(f && m));
    cr_expect(eq(str, (char *)doc_reader_name(f), "shown.yaml"));
    struct doc_event a;
    struct doc_event b;
    do {
        cr_assert(eq(int, doc_reader_next(f, &a, &err), 0));
        cr_assert(eq(int, doc_reader_next(m, &b, &err), 0));
        cr_expect(eq(int, (int)a.type, (int)b.type));
        cr_expect(eq(sz, a.start.offset, b.start.offset));
        cr_expect(eq(sz, a.end.offset, b.end.offset));
        if (a.type == DOC_EV_SCALAR) {
            cr_expect(eq(str, (char *)a.value, (char *)b.value));
        }
    } while (a.type != DOC_EV_STREAM_END);
    doc_reader_free(f);
    doc_reader_free(m);
    remove(path);
    free(path);
}

/* Reads r to its end or first error; the error's code and line. */
static void read_to_end(struct doc_reader *r, int *code, unsigned long *line)
{
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_event ev;
    while (doc_reader_next(r, &ev, &err) == 0 && ev.type != DOC_EV_STREAM_END) {
    }
    *code = (int)err.code;
    *line = err.line;
    oag_error_release(&err);
}

/*
 * libyaml checks the UTF-8 of all it is handed before parsing it: a file
 * and a memory source hand over the same chunks, so a document with a
 * syntax error early and a bad byte beyond the first 4 KiB gives the same
 * error from both (which one depends on the chunks, not on the source).
 * testdata/fuzz/load-utf8-error-ahead-of-a-json-fallback is the case where
 * the chunks used to differ.
 */
Test(reader, file_and_memory_sources_report_the_same_first_problem)
{
    static const char *const heads[] = {
        "a: b: c\n",
        "{\"a\": 1,, }\n",
        "    \n[1, 2,\n",
    };
    for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
        struct buf doc = BUF_INIT;
        buf_adds(&doc, heads[h]);
        while (doc.len < 6000) {
            buf_adds(&doc, "# padding padding padding padding\n");
        }
        buf_adds(&doc, "bad: \xb2\n");
        char *path = test_write_temp(doc.data, doc.len, ".yaml");
        struct oag_error err = OAG_ERROR_INIT;
        struct doc_reader *f = doc_reader_new_file(path, NULL, NULL, &err);
        struct doc_reader *m =
            doc_reader_new_memory(doc.data, doc.len, NULL, NULL, &err);
        cr_assert(is(f && m));
        int fc = 0;
        int mc = 0;
        unsigned long fl = 0;
        unsigned long ml = 0;
        read_to_end(f, &fc, &fl);
        read_to_end(m, &mc, &ml);
        cr_expect(eq(int, fc, mc), "head %zu: file %d, memory %d", h, fc, mc);
        cr_expect(eq(ulong, fl, ml), "head %zu: lines", h);
        cr_expect(ne(int, mc, 0), "head %zu: no error", h);
        doc_reader_free(f);
        doc_reader_free(m);
        remove(path);
        free(path);
        buf_release(&doc);
    }
}

/*
 * doc_reader_replay: a consumer that read ahead hands the events back; they
 * come again, in order, light or not, then the parser's next ones.
 */
Test(reader, replayed_events_come_again_then_the_parser_goes_on)
{
    static const char doc[] = "a: [1, 2]\nb: c\n";
    static const char *const json = "{\"a\": [1, 2], \"b\": \"c\"}";
    const char *const texts[] = { doc, json };
    for (int t = 0; t < 2; t++) {
        struct oag_error err = OAG_ERROR_INIT;
        struct doc_reader *r =
            doc_reader_new_memory(texts[t], strlen(texts[t]), NULL, NULL, &err);
        cr_assert(is(r != NULL));
        struct doc_event ev;
        /* stream, document, mapping starts, then "a" and the sequence */
        for (int i = 0; i < 3; i++) {
            cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
        }
        /* read ahead, keeping each value (borrowed until the next call) */
        struct doc_event ahead[3];
        char *values[3] = { NULL, NULL, NULL };
        for (int i = 0; i < 3; i++) {
            cr_assert(eq(int, doc_reader_next(r, &ahead[i], &err), 0));
            if (ahead[i].value) {
                values[i] = strndup(ahead[i].value, ahead[i].len);
                ahead[i].value = values[i];
            }
        }
        cr_assert(eq(int, (int)ahead[0].type, DOC_EV_SCALAR));
        doc_reader_replay(r, ahead, 3);
        cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
        cr_expect(eq(int, (int)ev.type, DOC_EV_SCALAR));
        cr_expect(eq(str, (char *)ev.value, "a"));
        cr_assert(eq(int, doc_reader_next_light(r, &ev, &err), 0));
        cr_expect(eq(int, (int)ev.type, DOC_EV_SEQUENCE_START));
        cr_expect(eq(ulong, ev.start.line, 1));
        cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
        cr_expect(eq(str, (char *)ev.value, "1"));
        /* then the parser's own events */
        cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
        cr_expect(eq(int, (int)ev.type, DOC_EV_SCALAR));
        cr_expect(eq(str, (char *)ev.value, "2"));
        cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
        cr_expect(eq(int, (int)ev.type, DOC_EV_SEQUENCE_END));
        for (int i = 0; i < 3; i++) {
            free(values[i]);
        }
        doc_reader_free(r);
    }
}

Test(reader, missing_file_is_an_io_error_naming_it)
{
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r =
        doc_reader_new_file("/nonexistent/x.yaml", NULL, NULL, &err);
    cr_expect(is(r == NULL));
    cr_expect(eq(int, (int)err.code, OAG_ERR_IO));
    cr_expect(is(strstr(err.message, "/nonexistent/x.yaml") != NULL));
    oag_error_release(&err);
}

Test(reader, free_accepts_null_and_an_unread_reader)
{
    doc_reader_free(NULL);
    doc_reader_free(doc_reader_new_memory("a: [", 4, NULL, NULL, NULL));
}

Test(reader, zero_limits_mean_the_documented_defaults)
{
    struct doc_limits zero = { 0 };
    struct doc_reader *r = doc_reader_new_memory("a", 1, NULL, &zero, NULL);
    const struct doc_limits *l = doc_reader_limits(r);
    cr_expect(eq(uint, l->max_depth, DOC_DEFAULT_MAX_DEPTH));
    cr_expect(eq(sz, l->max_token_bytes, DOC_DEFAULT_MAX_TOKEN_BYTES));
    cr_expect(eq(sz, l->max_alias_nodes, DOC_DEFAULT_MAX_ALIAS_NODES));
    cr_expect(eq(str, (char *)doc_reader_name(r), "<memory>"));
    doc_reader_free(r);
}
