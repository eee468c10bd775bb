/*
 * doc/json_reader.c: the JSON scanner gives libyaml's events (types,
 * values, styles, flow flags, byte offsets, lines, columns, depth) for the
 * same JSON text; where libyaml is wrong about JSON it follows JSON; its
 * errors, limits, streaming across chunks, and the fallback to libyaml.
 *
 * The equivalence property compares the scanner against libyaml reading
 * the same bytes (DOC_SYNTAX_YAML), so the expected side is libyaml's
 * output, not the code under test.  Cases where they must differ state
 * the expected events by hand.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/reader_internal.h"
#include "tests/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

static bool is(bool x)
{
    return x;
}

/* The chunk size of json_reader.c's stream sources. */
#define CHUNK ((size_t)256 << 10)

/* ---- recording events ---- */

struct rec {
    enum doc_event_type type;
    struct doc_mark start;
    struct doc_mark end;
    char *value; /* owned copy, NUL-terminated */
    size_t len;
    enum doc_scalar_style style;
    bool flow;
    unsigned depth;
    bool has_anchor_or_tag;
};

struct recs {
    struct rec *items;
    size_t n;
    size_t cap;
    int rc; /* 0, or -1 when reading stopped on an error */
    struct oag_error err;
    enum doc_syntax syntax; /* the reader's parser at the end */
};

static void recs_release(struct recs *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        free(rs->items[i].value);
    }
    free(rs->items);
    oag_error_release(&rs->err);
    memset(rs, 0, sizeof(*rs));
}

static void read_events(struct doc_reader *r, struct recs *out)
{
    memset(out, 0, sizeof(*out));
    for (;;) {
        struct doc_event ev;
        if (doc_reader_next(r, &ev, &out->err) != 0) {
            out->rc = -1;
            break;
        }
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 64;
            out->items =
                xreallocarray(out->items, out->cap, sizeof(*out->items));
        }
        struct rec *e = &out->items[out->n++];
        e->type = ev.type;
        e->start = ev.start;
        e->end = ev.end;
        e->len = ev.len;
        e->value = xmalloc(ev.len + 1);
        if (ev.len) {
            memcpy(e->value, ev.value, ev.len);
        }
        e->value[ev.len] = '\0';
        e->style = ev.style;
        e->flow = ev.flow;
        e->depth = ev.depth;
        e->has_anchor_or_tag = ev.anchor || ev.tag;
        if (ev.type == DOC_EV_STREAM_END) {
            break;
        }
    }
    out->syntax = doc_reader_syntax(r);
}

static void read_memory(const char *data, size_t len,
                        const struct doc_limits *lim, enum doc_syntax syn,
                        struct recs *out)
{
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r =
        doc_reader_new_memory_as(data, len, "t.json", lim, syn, &err);
    cr_assert(is(r != NULL), "%s", err.message ? err.message : "");
    read_events(r, out);
    doc_reader_free(r);
}

static void read_file(const char *path, const struct doc_limits *lim,
                      enum doc_syntax syn, struct recs *out)
{
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r =
        doc_reader_new_file_as(path, "t.json", lim, syn, &err);
    cr_assert(is(r != NULL), "%s", err.message ? err.message : "");
    read_events(r, out);
    doc_reader_free(r);
}

static const char *type_name(enum doc_event_type t)
{
    static const char *names[] = {
        "NONE",         "STREAM_START",  "STREAM_END",  "DOCUMENT_START",
        "DOCUMENT_END", "ALIAS",         "SCALAR",      "SEQUENCE_START",
        "SEQUENCE_END", "MAPPING_START", "MAPPING_END",
    };
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

/*
 * Index of the first event where a and b differ (what differs in *why),
 * or SIZE_MAX when the sequences are equal.  Offsets are compared when
 * with_offsets.
 */
static size_t first_difference(const struct recs *a, const struct recs *b,
                               bool with_offsets, const char **why)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        const struct rec *x = &a->items[i];
        const struct rec *y = &b->items[i];
        *why = NULL;
        if (x->type != y->type) {
            *why = "type";
        } else if (x->len != y->len ||
                   memcmp(x->value, y->value, x->len) != 0) {
            *why = "value";
        } else if (x->style != y->style) {
            *why = "style";
        } else if (x->flow != y->flow) {
            *why = "flow";
        } else if (x->depth != y->depth) {
            *why = "depth";
        } else if (x->has_anchor_or_tag != y->has_anchor_or_tag) {
            *why = "anchor/tag";
        } else if (x->start.line != y->start.line ||
                   x->start.column != y->start.column) {
            *why = "start line:column";
        } else if (x->end.line != y->end.line ||
                   x->end.column != y->end.column) {
            *why = "end line:column";
        } else if (with_offsets && (x->start.offset != y->start.offset ||
                                    x->end.offset != y->end.offset)) {
            *why = "offsets";
        }
        if (*why) {
            return i;
        }
    }
    if (a->n != b->n) {
        *why = "number of events";
        return n;
    }
    return SIZE_MAX;
}

static void describe(const struct recs *rs, size_t i, struct buf *out)
{
    if (i >= rs->n) {
        buf_addf(out, "(none%s%s)", rs->rc ? ": " : "",
                 rs->rc ? rs->err.message : "");
        return;
    }
    const struct rec *e = &rs->items[i];
    buf_addf(out,
             "%s [%zu %lu:%lu]-[%zu %lu:%lu] depth=%u flow=%d "
             "style=%d '%.40s'",
             type_name(e->type), e->start.offset, e->start.line,
             e->start.column, e->end.offset, e->end.line, e->end.column,
             e->depth, (int)e->flow, (int)e->style, e->value);
}

/* Fails (cr_expect) when the two readings differ; label names the case. */
static void expect_same(const struct recs *json, const struct recs *ref,
                        bool with_offsets, const char *label)
{
    const char *why = NULL;
    size_t i = first_difference(json, ref, with_offsets, &why);
    if (i != SIZE_MAX) {
        struct buf a = BUF_INIT;
        struct buf b = BUF_INIT;
        describe(json, i, &a);
        describe(ref, i, &b);
        cr_expect(is(false),
                  "%s: event %zu differs in %s:\n  json: %s\n"
                  "  ref:  %s",
                  label, i, why, buf_str(&a), buf_str(&b));
        buf_release(&a);
        buf_release(&b);
    }
}

/*
 * The property: the scanner reads data without an error and gives
 * exactly libyaml's events, from memory and from a file.
 */
static void expect_like_libyaml(const char *data, size_t len, const char *label)
{
    struct recs json;
    struct recs yaml;
    read_memory(data, len, NULL, DOC_SYNTAX_JSON, &json);
    read_memory(data, len, NULL, DOC_SYNTAX_YAML, &yaml);
    cr_expect(eq(int, json.rc, 0), "%s: json: %s", label,
              json.err.message ? json.err.message : "");
    cr_expect(eq(int, yaml.rc, 0), "%s: libyaml: %s", label,
              yaml.err.message ? yaml.err.message : "");
    expect_same(&json, &yaml, true, label);

    /* the same bytes from a file: the same events, exact offsets */
    char *path = test_write_temp(data, len, ".json");
    struct recs file;
    read_file(path, NULL, DOC_SYNTAX_JSON, &file);
    cr_expect(eq(int, file.rc, 0), "%s (file): %s", label,
              file.err.message ? file.err.message : "");
    expect_same(&file, &json, true, label);
    /* and what the default (sniffing) reader gives */
    struct recs sniffed;
    read_file(path, NULL, DOC_SYNTAX_SNIFF, &sniffed);
    cr_expect(eq(int, (int)sniffed.syntax, DOC_SYNTAX_JSON), "%s", label);
    expect_same(&sniffed, &json, true, label);
    remove(path);
    free(path);
    recs_release(&sniffed);
    recs_release(&file);
    recs_release(&json);
    recs_release(&yaml);
}

static void expect_like_libyaml_s(const char *doc)
{
    expect_like_libyaml(doc, strlen(doc), doc);
}

/* ---- the corpus: every *.json of the test data ---- */

static void collect_json_files(const char *dir, char ***files, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char *path = xstrfmt("%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0) {
            free(path);
            continue;
        }
        size_t nl = strlen(de->d_name);
        if (S_ISDIR(st.st_mode)) {
            collect_json_files(path, files, n);
            free(path);
        } else if (nl > 5 && strcmp(de->d_name + nl - 5, ".json") == 0) {
            *files = xreallocarray(*files, *n + 1, sizeof(**files));
            (*files)[(*n)++] = path;
        } else {
            free(path);
        }
    }
    closedir(d);
}

/*
 * Every strict JSON file under dir reads like libyaml reads it; files
 * that are not strict JSON are left to the error tests.  Returns the
 * number of files compared.
 */
static size_t check_corpus(const char *dir)
{
    char **files = NULL;
    size_t n = 0;
    size_t compared = 0;
    collect_json_files(dir, &files, &n);
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        char *data = test_read_file(files[i], &len);
        cr_assert(is(data != NULL), "%s", files[i]);
        struct recs json;
        read_memory(data, len, NULL, DOC_SYNTAX_JSON, &json);
        if (json.rc == 0) {
            expect_like_libyaml(data, len, files[i]);
            compared++;
        } else {
            cr_log_info("not strict JSON, skipped: %s: %s", files[i],
                        json.err.message);
        }
        recs_release(&json);
        free(data);
        free(files[i]);
    }
    free(files);
    return compared;
}

Test(json_reader, every_json_file_of_the_test_data_reads_like_libyaml)
{
    char *dir = test_source_path("testdata");
    size_t n = check_corpus(dir);
    cr_expect(gt(sz, n, 10), "only %zu files compared", n);
    free(dir);
}

Test(json_reader, every_external_json_document_reads_like_libyaml)
{
    char *dir = test_shared_path("testdata/external");
    if (!dir || !test_file_exists(dir)) {
        free(dir);
        cr_skip("../shared/testdata/external is absent");
    }
    size_t n = check_corpus(dir);
    cr_expect(gt(sz, n, 10), "only %zu files compared", n);
    free(dir);
}

/* ---- generated documents ---- */

Test(json_reader, small_documents_of_every_shape_read_like_libyaml)
{
    static const char *docs[] = {
        "{}",
        "[]",
        "{}\n",
        "[]\n\n",
        "{ }",
        "[ ]",
        "[{}]",
        "[[]]",
        "{\"a\":{}}",
        "{\"a\":[]}",
        "[[[[[[[[[[1]]]]]]]]]]",
        "{\"a\": {\"b\": {\"c\": [1, [2, [3, {\"d\": null}]]]}}}",
        "[\"\"]",
        "{\"\": \"\"}",
        "[true, false, null]",
        "[0, -0, 1, -1, 10, 1234567890123456789012345678901234567890]",
        "[0.0, -0.5, 1.25, 3.14159, 1e0, 1E5, 1e+5, 1e-5, -1.5E-10]",
        "[0e0, 0E+1, 0.0e-0, 123.456e789, -9.99E+999]",
        "[\"\\\"\", \"\\\\\", \"\\/\", \"\\b\", \"\\f\", \"\\n\", \"\\r\", "
        "\"\\t\"]",
        "[\"\\u0041\", \"\\u00e9\", \"\\u20AC\", \"\\uffFD\", \"\\u0000\", "
        "\"a\\u0000b\", \"\\u001f\", \"\\u007f\", \"\\u0080\"]",
        "[\"caf\xc3\xa9\", \"\xe2\x82\xac\", \"\xf0\x9f\x98\x80\", "
        "\"\xe4\xb8\xad\xe6\x96\x87\", \"\xef\xbf\xbd\"]",
        "{\"\xc3\xa9t\xc3\xa9\": \"\xf0\x9f\x98\x80 x\", \"k\": [\"\xc3\xa9\","
        " 1]}",
        "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    \"x\"\n  ]\n}\n",
        "{\r\n  \"a\": 1,\r\n  \"b\": [true]\r\n}\r\n",
        "[1,\r2,\r3]\r",
        "{\"a\":\t1,\t\"b\" :\t[ 2 ,3 ] }",
        "  \n\n  {\"a\": 1}  \n  ",
        "[1]  ",
        "[1]\n\n\n",
        "{\"a\":1,\"b\":2,\"a\":3}",
        "{\"key with spaces\": \"value: with # chars & *stars* !tags\"}",
        "[\"- dash\", \"? q\", \": c\", \"%pct\", \"@at\", \"`tick\", "
        "\"'single'\", \"{brace}\", \"[bracket]\", \"|pipe\", \">gt\"]",
        "[\"trailing space \", \" leading\", \"  \", \"tab\\tin\"]",
        "[\"line\\nbreaks\\r\\nand\\u2028LS\"]",
        "{\"a\":\"b\",\"c\":[1,2,{\"d\":\"e\"}],\"f\":{\"g\":[[]]}}",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        expect_like_libyaml_s(docs[i]);
    }
}

Test(json_reader, a_utf8_bom_is_skipped_and_not_counted)
{
    const char *doc = "\xef\xbb\xbf{\"a\": [1, \"\xc3\xa9\"]}\n";
    expect_like_libyaml(doc, strlen(doc), "bom");
    struct recs json;
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_SNIFF, &json);
    cr_assert(eq(int, json.rc, 0));
    cr_expect(eq(int, (int)json.syntax, DOC_SYNTAX_JSON));
    cr_expect(eq(sz, json.items[0].start.offset, 3));    /* STREAM_START */
    cr_expect(eq(ulong, json.items[2].start.column, 1)); /* '{' */
    recs_release(&json);
}

/* Deterministic pseudo-random numbers (a fixed LCG, not rand()). */
static uint32_t next_random(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static void random_string(struct buf *b, uint32_t *s)
{
    static const char *pieces[] = {
        "a",
        "Z",
        "0",
        " ",
        "\\n",
        "\\t",
        "\\\"",
        "\\\\",
        "\\/",
        "\\u00e9",
        "\\u20ac",
        "\\uD83D\\uDE00" /* libyaml refuses: replaced below */,
        "\xc3\xa9",
        "\xe2\x82\xac",
        "\xf0\x9f\x8e\x89",
        "#",
        ":",
        ",",
        "{",
        "]",
        "'",
        "\\b",
        "\\f",
        "\\r",
        "\\u0000",
        "-",
        "?",
    };
    size_t n = next_random(s) % 12;
    buf_addch(b, '"');
    for (size_t i = 0; i < n; i++) {
        size_t k = next_random(s) % (sizeof(pieces) / sizeof(pieces[0]));
        if (k == 11) {
            k = 0;
        }
        buf_adds(b, pieces[k]);
    }
    buf_addch(b, '"');
}

static void random_number(struct buf *b, uint32_t *s)
{
    static const char *forms[] = {
        "0",
        "-0",
        "7",
        "-12",
        "123456789",
        "0.5",
        "-3.25",
        "1e9",
        "2E-3",
        "6.02e+23",
        "-1.0E+0",
        "9007199254740993",
        "1.7976931348623157e308",
    };
    buf_adds(b, forms[next_random(s) % (sizeof(forms) / sizeof(forms[0]))]);
}

/* Blanks on one line: libyaml wants a key's ':' on the key's line. */
static void random_blank(struct buf *b, uint32_t *s)
{
    static const char *ws[] = { "", " ", "\t", "  " };
    buf_adds(b, ws[next_random(s) % (sizeof(ws) / sizeof(ws[0]))]);
}

/* Around the root: no tabs (libyaml refuses them at a line start). */
static void random_root_ws(struct buf *b, uint32_t *s)
{
    static const char *ws[] = { "", " ", "\n", "\r\n", "  \n ", "\r" };
    buf_adds(b, ws[next_random(s) % (sizeof(ws) / sizeof(ws[0]))]);
}

static void random_ws(struct buf *b, uint32_t *s, bool pretty)
{
    static const char *ws[] = { "", " ", "\n", "\r\n", "\t", "  ", "\n    " };
    if (pretty || next_random(s) % 3 == 0) {
        buf_adds(b, ws[next_random(s) % (sizeof(ws) / sizeof(ws[0]))]);
    }
}

static void random_value(struct buf *b, uint32_t *s, int depth, bool pretty)
{
    uint32_t k = next_random(s) % (depth > 6 ? 5 : 8);
    switch (k) {
    case 0:
        random_string(b, s);
        break;
    case 1:
        random_number(b, s);
        break;
    case 2:
        buf_adds(b, "true");
        break;
    case 3:
        buf_adds(b, next_random(s) % 2 ? "false" : "null");
        break;
    case 4:
        random_string(b, s);
        break;
    case 5:
    case 6: {
        size_t n = next_random(s) % 5;
        buf_addch(b, '{');
        for (size_t i = 0; i < n; i++) {
            if (i) {
                buf_addch(b, ',');
            }
            random_ws(b, s, pretty);
            random_string(b, s);
            random_blank(b, s);
            buf_addch(b, ':');
            random_ws(b, s, pretty);
            random_value(b, s, depth + 1, pretty);
            random_ws(b, s, false);
        }
        buf_addch(b, '}');
        break;
    }
    default: {
        size_t n = next_random(s) % 5;
        buf_addch(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i) {
                buf_addch(b, ',');
            }
            random_ws(b, s, pretty);
            random_value(b, s, depth + 1, pretty);
            random_ws(b, s, false);
        }
        buf_addch(b, ']');
        break;
    }
    }
}

Test(json_reader, generated_documents_read_like_libyaml)
{
    uint32_t s = 20240501;
    for (int round = 0; round < 300; round++) {
        struct buf b = BUF_INIT;
        random_root_ws(&b, &s);
        buf_addch(&b, round % 2 ? '{' : '[');
        size_t n = 1 + next_random(&s) % 6;
        for (size_t i = 0; i < n; i++) {
            if (i) {
                buf_addch(&b, ',');
            }
            random_ws(&b, &s, round % 3 == 0);
            if (round % 2) {
                random_string(&b, &s);
                buf_addch(&b, ':');
                random_ws(&b, &s, false);
            }
            random_value(&b, &s, 1, round % 3 == 0);
        }
        random_ws(&b, &s, false);
        buf_addch(&b, round % 2 ? '}' : ']');
        random_root_ws(&b, &s);
        char label[32];
        snprintf(label, sizeof(label), "generated #%d", round);
        expect_like_libyaml(b.data, b.len, label);
        buf_release(&b);
    }
}

Test(json_reader, long_strings_and_many_tokens_across_chunks_read_like_libyaml)
{
    /* a 600 KiB string, then many small tokens over two chunk borders */
    struct buf b = BUF_INIT;
    buf_adds(&b, "{\"long\": \"");
    for (size_t i = 0; i < 600 * 1024 / 16; i++) {
        buf_adds(&b, i % 7 ? "abcdefghijklmno "
                           : "\\u00e9\xc3\xa9\\n\xe2\x82\xac ");
    }
    buf_adds(&b, "\",\n \"list\": [");
    for (int i = 0; i < 40000; i++) {
        buf_addf(&b, "%s%d, \"s%d\xc3\xa9\", true, null, -%d.5e-3",
                 i ? ", " : "", i, i, i);
    }
    buf_adds(&b, "]}\n");
    expect_like_libyaml(b.data, b.len, "long");
    buf_release(&b);
}

/*
 * A token of each kind placed so that every one of its bytes in turn is
 * the first byte of the second chunk: the file source must give the same
 * events as memory (libyaml agrees for those it can read).
 */
Test(json_reader, a_token_split_at_any_byte_by_a_chunk_border_reads_the_same)
{
    static const char *tokens[] = {
        "\"\\uD83D\\uDE00\"",
        "\"\\u00e9x\"",
        "\"\xf0\x9f\x98\x80\"",
        "\"\xe2\x82\xac\xc3\xa9\"",
        "-123.456e+78",
        "false",
        "null",
        "\"a\\\"b\\\\c\\/d\"",
    };
    for (size_t t = 0; t < sizeof(tokens) / sizeof(tokens[0]); t++) {
        size_t tl = strlen(tokens[t]);
        for (size_t k = 0; k <= tl; k++) {
            /* [ pad , token ] with the border k bytes into the token */
            struct buf b = BUF_INIT;
            buf_adds(&b, "[\"");
            size_t pad = CHUNK - k - 6;
            buf_grow(&b, pad);
            memset(b.data + b.len, 'p', pad);
            b.len += pad;
            b.data[b.len] = '\0';
            buf_adds(&b, "\",\r\n");
            cr_assert(eq(sz, b.len, CHUNK - k));
            buf_adds(&b, tokens[t]);
            buf_adds(&b, "\r\n]");
            struct recs mem;
            struct recs file;
            read_memory(b.data, b.len, NULL, DOC_SYNTAX_JSON, &mem);
            char *path = test_write_temp(b.data, b.len, ".json");
            read_file(path, NULL, DOC_SYNTAX_JSON, &file);
            char label[64];
            snprintf(label, sizeof(label), "token %zu split at %zu", t, k);
            cr_expect(eq(int, mem.rc, 0), "%s: %s", label, mem.err.message);
            expect_same(&file, &mem, true, label);
            remove(path);
            free(path);
            recs_release(&mem);
            recs_release(&file);
            buf_release(&b);
        }
    }
}

Test(json_reader, a_crlf_split_by_a_chunk_border_is_one_line_break)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "[\"");
    size_t pad = CHUNK - 5;
    buf_grow(&b, pad);
    memset(b.data + b.len, 'p', pad);
    b.len += pad;
    b.data[b.len] = '\0';
    buf_adds(&b, "\",\r\n1]"); /* the CR ends the first chunk */
    cr_assert(eq(int, b.data[CHUNK - 1], '\r'));
    expect_like_libyaml(b.data, b.len, "crlf at border");
    struct recs file;
    char *path = test_write_temp(b.data, b.len, ".json");
    read_file(path, NULL, DOC_SYNTAX_JSON, &file);
    cr_assert(eq(int, file.rc, 0));
    cr_expect(eq(ulong, file.items[4].start.line, 2)); /* 1 */
    cr_expect(eq(ulong, file.items[4].start.column, 1));
    remove(path);
    free(path);
    recs_release(&file);
    buf_release(&b);
}

/* ---- where libyaml is wrong about JSON ---- */

Test(json_reader, a_key_of_1500_characters_is_read_where_libyaml_fails)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "{\"");
    for (int i = 0; i < 1500; i++) {
        buf_addch(&b, (char)('a' + i % 26));
    }
    buf_adds(&b, "\": [1]}");
    struct recs yaml;
    read_memory(b.data, b.len, NULL, DOC_SYNTAX_YAML, &yaml);
    cr_expect(eq(int, yaml.rc, -1), "libyaml read it after all");
    struct recs json;
    read_memory(b.data, b.len, NULL, DOC_SYNTAX_SNIFF, &json);
    cr_assert(eq(int, json.rc, 0), "%s", json.err.message);
    cr_assert(eq(sz, json.n, 10));
    const struct rec *key = &json.items[3];
    cr_expect(eq(int, (int)key->type, DOC_EV_SCALAR));
    cr_expect(eq(sz, key->len, 1500));
    cr_expect(eq(int, memcmp(key->value, b.data + 2, 1500), 0));
    cr_expect(eq(int, (int)key->style, DOC_SCALAR_DOUBLE));
    cr_expect(eq(sz, key->start.offset, 1));
    cr_expect(eq(sz, key->end.offset, 1503));
    cr_expect(eq(ulong, key->end.column, 1504));
    cr_expect(eq(sz, json.items[5].start.offset, 1506)); /* 1 */
    cr_expect(eq(ulong, json.items[5].start.column, 1507));
    cr_expect(eq(str, json.items[5].value, "1"));
    recs_release(&yaml);
    recs_release(&json);
    buf_release(&b);
}

/* The expected events of a document where libyaml cannot be the oracle. */
struct want {
    enum doc_event_type type;
    const char *value;
    size_t start;
    unsigned long line;
    unsigned long column;
    size_t end;
};

static void expect_events(const char *doc, const struct want *w, size_t n)
{
    struct recs json;
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_SNIFF, &json);
    cr_assert(eq(int, json.rc, 0), "%s", json.err.message);
    cr_assert(eq(sz, json.n, n), "%s", doc);
    for (size_t i = 0; i < n; i++) {
        const struct rec *e = &json.items[i];
        cr_expect(eq(int, (int)e->type, (int)w[i].type), "event %zu", i);
        if (w[i].value) {
            cr_expect(eq(str, e->value, (char *)w[i].value), "event %zu", i);
        }
        cr_expect(eq(sz, e->start.offset, w[i].start), "event %zu", i);
        cr_expect(eq(ulong, e->start.line, w[i].line), "event %zu", i);
        cr_expect(eq(ulong, e->start.column, w[i].column), "event %zu", i);
        cr_expect(eq(sz, e->end.offset, w[i].end), "event %zu", i);
    }
    recs_release(&json);
}

Test(json_reader, surrogate_pair_escapes_decode_where_libyaml_fails)
{
    const char *doc = "[\"\\ud83d\\ude00 \\uD834\\uDD1E\"]";
    struct recs yaml;
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_YAML, &yaml);
    cr_expect(eq(int, yaml.rc, -1));
    recs_release(&yaml);
    static const struct want w[] = {
        { DOC_EV_STREAM_START, NULL, 0, 1, 1, 0 },
        { DOC_EV_DOCUMENT_START, NULL, 0, 1, 1, 0 },
        { DOC_EV_SEQUENCE_START, NULL, 0, 1, 1, 1 },
        { DOC_EV_SCALAR, "\xf0\x9f\x98\x80 \xf0\x9d\x84\x9e", 1, 1, 2, 28 },
        { DOC_EV_SEQUENCE_END, NULL, 28, 1, 29, 29 },
        { DOC_EV_DOCUMENT_END, NULL, 29, 2, 1, 29 },
        { DOC_EV_STREAM_END, NULL, 29, 2, 1, 29 },
    };
    expect_events(doc, w, sizeof(w) / sizeof(w[0]));
}

Test(json_reader, a_colon_on_the_line_after_its_key_is_json)
{
    /* libyaml: "did not find expected ',' or '}'" */
    const char *doc = "{\"a\"\n  : 1, \"b\"\t:\n2}";
    struct recs yaml;
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_YAML, &yaml);
    cr_expect(eq(int, yaml.rc, -1));
    recs_release(&yaml);
    static const struct want w[] = {
        { DOC_EV_STREAM_START, NULL, 0, 1, 1, 0 },
        { DOC_EV_DOCUMENT_START, NULL, 0, 1, 1, 0 },
        { DOC_EV_MAPPING_START, NULL, 0, 1, 1, 1 },
        { DOC_EV_SCALAR, "a", 1, 1, 2, 4 },
        { DOC_EV_SCALAR, "1", 9, 2, 5, 10 },
        { DOC_EV_SCALAR, "b", 12, 2, 8, 15 },
        { DOC_EV_SCALAR, "2", 18, 3, 1, 19 },
        { DOC_EV_MAPPING_END, NULL, 19, 3, 2, 20 },
        { DOC_EV_DOCUMENT_END, NULL, 20, 4, 1, 20 },
        { DOC_EV_STREAM_END, NULL, 20, 4, 1, 20 },
    };
    expect_events(doc, w, sizeof(w) / sizeof(w[0]));
}

Test(json_reader, a_tab_before_the_root_is_json_whitespace)
{
    const char *doc = "\t[1]";
    static const struct want w[] = {
        { DOC_EV_STREAM_START, NULL, 0, 1, 1, 0 },
        { DOC_EV_DOCUMENT_START, NULL, 1, 1, 2, 1 },
        { DOC_EV_SEQUENCE_START, NULL, 1, 1, 2, 2 },
        { DOC_EV_SCALAR, "1", 2, 1, 3, 3 },
        { DOC_EV_SEQUENCE_END, NULL, 3, 1, 4, 4 },
        { DOC_EV_DOCUMENT_END, NULL, 4, 2, 1, 4 },
        { DOC_EV_STREAM_END, NULL, 4, 2, 1, 4 },
    };
    expect_events(doc, w, sizeof(w) / sizeof(w[0]));
}

Test(json_reader, unicode_line_separators_in_strings_are_characters)
{
    /* raw U+2028, U+0085 and U+0080: one column each, no line break */
    const char *doc = "[\"a\xe2\x80\xa8"
                      "b\xc2\x85\xc2\x80\", 1]";
    static const struct want w[] = {
        { DOC_EV_STREAM_START, NULL, 0, 1, 1, 0 },
        { DOC_EV_DOCUMENT_START, NULL, 0, 1, 1, 0 },
        { DOC_EV_SEQUENCE_START, NULL, 0, 1, 1, 1 },
        { DOC_EV_SCALAR,
          "a\xe2\x80\xa8"
          "b\xc2\x85\xc2\x80",
          1, 1, 2, 12 },
        { DOC_EV_SCALAR, "1", 14, 1, 11, 15 },
        { DOC_EV_SEQUENCE_END, NULL, 15, 1, 12, 16 },
        { DOC_EV_DOCUMENT_END, NULL, 16, 2, 1, 16 },
        { DOC_EV_STREAM_END, NULL, 16, 2, 1, 16 },
    };
    expect_events(doc, w, sizeof(w) / sizeof(w[0]));
}

Test(json_reader, nul_escapes_keep_their_length)
{
    const char *doc = "{\"a\\u0000b\": \"\\u0000\"}";
    struct recs json;
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_JSON, &json);
    cr_assert(eq(int, json.rc, 0));
    cr_expect(eq(sz, json.items[3].len, 3));
    cr_expect(eq(int, memcmp(json.items[3].value, "a\0b", 3), 0));
    cr_expect(eq(sz, json.items[4].len, 1));
    cr_expect(eq(int, json.items[4].value[0], 0));
    recs_release(&json);
}

/* ---- errors ---- */

struct bad {
    const char *doc;
    const char *message;
    unsigned long line;
    unsigned long column;
};

static void expect_error(const char *doc, size_t len, enum doc_syntax syn,
                         enum oag_error_code code, const char *message,
                         unsigned long line, unsigned long column)
{
    struct recs json;
    read_memory(doc, len, NULL, syn, &json);
    cr_expect(eq(int, json.rc, -1), "no error for %s", doc);
    if (json.rc == -1) {
        cr_expect(eq(int, (int)json.err.code, (int)code), "%s", doc);
        cr_expect(eq(str, json.err.message, (char *)message), "%s", doc);
        cr_expect(eq(ulong, json.err.line, line), "%s: %s", doc, message);
        cr_expect(eq(ulong, json.err.column, column), "%s: %s", doc, message);
        cr_expect(eq(str, json.err.file, "t.json"));
    }
    recs_release(&json);
}

Test(json_reader, syntax_errors_have_clear_messages_and_exact_positions)
{
    static const struct bad cases[] = {
        { "{\"a\": 1 \"b\": 2}", "expected ',' or '}' after an object member",
          1, 9 },
        { "[1 2]", "expected ',' or ']' after an array element", 1, 4 },
        { "[1}", "expected ',' or ']' after an array element", 1, 3 },
        { "{\"a\" 1}", "expected ':' after an object key", 1, 6 },
        { "{\"a\": 1,}", "trailing comma before '}'", 1, 9 },
        { "[1,]", "trailing comma before ']'", 1, 4 },
        { "{a: 1}", "expected a string key or '}'", 1, 2 },
        { "{'a': 1}", "expected a string key or '}'", 1, 2 },
        { "{\"a\": 1, b: 2}", "expected a string key after ','", 1, 10 },
        { "{\"a\":}", "expected a value", 1, 6 },
        { "[,1]", "expected a value", 1, 2 },
        { "[1,,2]", "expected a value", 1, 4 },
        { "[1, # c\n2]", "expected a value", 1, 5 },
        { "[True]", "invalid literal 'True' (expected true, false or null)", 1,
          2 },
        { "[nul]", "invalid literal 'nul' (expected true, false or null)", 1,
          2 },
        { "[NaN]", "invalid literal 'NaN' (expected true, false or null)", 1,
          2 },
        { "[01]", "leading zeros are not allowed", 1, 2 },
        { "[-01]", "leading zeros are not allowed", 1, 2 },
        { "[-]", "expected a digit after '-'", 1, 3 },
        { "[-a]", "expected a digit after '-'", 1, 3 },
        { "[1.]", "expected a digit after the decimal point", 1, 4 },
        { "[1.e5]", "expected a digit after the decimal point", 1, 4 },
        { "[1e]", "expected a digit in the exponent", 1, 4 },
        { "[1e+]", "expected a digit in the exponent", 1, 5 },
        { "[1.5.3]", "unexpected '.' in a number", 1, 5 },
        { "[1-2]", "unexpected '-' in a number", 1, 3 },
        { "[+1]", "expected a value", 1, 2 },
        { "[.5]", "expected a value", 1, 2 },
        { "[\"a\\x\"]", "invalid escape '\\x'", 1, 4 },
        { "[\"a\\'\"]", "invalid escape '\\''", 1, 4 },
        { "[\"\\u12G4\"]", "invalid escape '\\u12G' (expected 4 hex digits)", 1,
          3 },
        { "[\"\\u\"]", "invalid escape '\\u' (expected 4 hex digits)", 1, 3 },
        { "[\"\\ud800\"]",
          "unpaired surrogate '\\ud800' in a string (a high "
          "surrogate needs a low one after it)",
          1, 3 },
        { "[\"\\ud800\\u0041\"]",
          "unpaired surrogate '\\ud800' in a string "
          "(a high surrogate needs a low one after it)",
          1, 3 },
        { "[\"x\\uDC00\"]",
          "unpaired surrogate '\\uDC00' in a string (a low "
          "surrogate without a high one before it)",
          1, 4 },
        { "[\"a\tb\"]", "control character in a string", 1, 4 },
        { "[\"a\nb\"]", "control character in a string", 1, 4 },
        { "[\"\xc3\xa9\xc3(\"]", "invalid UTF-8 byte 0xC3", 1, 4 },
        { "[\"\x80\"]", "invalid UTF-8 byte 0x80", 1, 3 },
        { "[\"\xc0\xaf\"]", "invalid UTF-8 byte 0xC0", 1, 3 },
        { "[\"\xe0\x80\xaf\"]", "invalid UTF-8 byte 0xE0", 1, 3 },
        { "[\"\xed\xa0\x80\"]", "invalid UTF-8 byte 0xED", 1, 3 },
        { "[\"\xf4\x90\x80\x80\"]", "invalid UTF-8 byte 0xF4", 1, 3 },
        { "[\"\xf5\x80\x80\x80\"]", "invalid UTF-8 byte 0xF5", 1, 3 },
        { "[\"\xff\"]", "invalid UTF-8 byte 0xFF", 1, 3 },
        { "{\"a\": [1, 2]", "unexpected end of document", 1, 13 },
        { "{\"a\": [1, 2", "unexpected end of document", 1, 12 },
        { "{\"a\": ", "unexpected end of document", 1, 7 },
        { "{\"a\"", "unexpected end of document", 1, 5 },
        { "{\"a", "unexpected end of document", 1, 4 },
        { "[\"a\\", "unexpected end of document", 1, 5 },
        { "[\"\\u00", "unexpected end of document", 1, 7 },
        { "[\n\"\xc3\xa9\xc3\xa9", "unexpected end of document", 2, 4 },
        { "[tru", "invalid literal 'tru' (expected true, false or null)", 1,
          2 },
        { "{} {}", "trailing content after the document", 1, 4 },
        { "[1]\n]", "trailing content after the document", 2, 1 },
        { "[1] # c", "trailing content after the document", 1, 5 },
        { "{\n  \"\xc3\xa9\xc3\xa9\": 1\n  \"b\": 2\n}",
          "expected ',' or '}' after an object member", 3, 3 },
        { "{\"\xc3\xa9\xc3\xa9\" 1}", "expected ':' after an object key", 1,
          7 },
        { "{\"a\":1,\r\n\"b\"}", "expected ':' after an object key", 2, 4 },
        { "{\"a\":1,\r\"b\"}", "expected ':' after an object key", 2, 4 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        expect_error(cases[i].doc, strlen(cases[i].doc), DOC_SYNTAX_JSON,
                     OAG_ERR_SYNTAX, cases[i].message, cases[i].line,
                     cases[i].column);
    }
    /* forced JSON: a top-level scalar is JSON, nothing at all is not */
    expect_error("", 0, DOC_SYNTAX_JSON, OAG_ERR_SYNTAX,
                 "unexpected end of document", 1, 1);
    expect_error("\"a\" 1", 5, DOC_SYNTAX_JSON, OAG_ERR_SYNTAX,
                 "trailing content after the document", 1, 5);
    expect_error("[\"a\0\"]", 6, DOC_SYNTAX_JSON, OAG_ERR_SYNTAX,
                 "control character in a string", 1, 4);
}

Test(json_reader, a_failed_scanner_repeats_its_error)
{
    const char *doc = "[1 2]";
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r = doc_reader_new_memory_as(
        doc, strlen(doc), NULL, NULL, DOC_SYNTAX_JSON, &err);
    struct doc_event ev;
    int rc = 0;
    for (int i = 0; i < 5 && rc == 0; i++) {
        rc = doc_reader_next(r, &ev, &err);
    }
    cr_assert(eq(int, rc, -1));
    oag_error_release(&err);
    cr_expect(eq(int, doc_reader_next(r, &ev, &err), -1));
    cr_expect(
        eq(str, err.message, "expected ',' or ']' after an array element"));
    cr_expect(eq(int, doc_reader_next(r, &ev, NULL), -1));
    oag_error_release(&err);
    doc_reader_free(r);
}

Test(json_reader, stream_end_repeats_after_the_end)
{
    struct recs json;
    read_memory("[]", 2, NULL, DOC_SYNTAX_JSON, &json);
    recs_release(&json);
    struct doc_reader *r = doc_reader_new_memory("[]", 2, NULL, NULL, NULL);
    struct doc_event ev;
    for (int i = 0; i < 8; i++) {
        cr_assert(eq(int, doc_reader_next(r, &ev, NULL), 0));
    }
    cr_expect(eq(int, (int)ev.type, DOC_EV_STREAM_END));
    doc_reader_free(r);
}

Test(json_reader, file_errors_are_placed_as_in_memory)
{
    /* an invalid byte after a chunk of multi-byte text */
    struct buf b = BUF_INIT;
    buf_adds(&b, "{\"k\":\n\"");
    while (b.len < CHUNK + 1000) {
        buf_adds(&b, "\xc3\xa9");
    }
    size_t chars = (b.len - 7) / 2;
    buf_adds(&b, "\x01\"}");
    struct recs mem;
    read_memory(b.data, b.len, NULL, DOC_SYNTAX_SNIFF, &mem);
    char *path = test_write_temp(b.data, b.len, ".json");
    struct recs file;
    read_file(path, NULL, DOC_SYNTAX_SNIFF, &file);
    cr_assert(eq(int, mem.rc, -1));
    cr_assert(eq(int, file.rc, -1));
    cr_expect(eq(str, mem.err.message, "control character in a string"));
    cr_expect(eq(str, file.err.message, mem.err.message));
    cr_expect(eq(ulong, mem.err.line, 2));
    cr_expect(eq(ulong, mem.err.column, 2 + chars));
    cr_expect(eq(ulong, file.err.line, mem.err.line));
    cr_expect(eq(ulong, file.err.column, mem.err.column));
    remove(path);
    free(path);
    recs_release(&mem);
    recs_release(&file);
    buf_release(&b);
}

Test(json_reader, damaged_documents_fail_cleanly_and_alike_from_files)
{
    /* seeded byte changes and truncations of one document */
    static const char base[] =
        "{\"a\": [1, -2.5e+3, true, null, \"x\\u00e9\\ud83d\\ude00\\n\"],\n"
        " \"\xc3\xa9t\xc3\xa9\": {\"k\": \"v\", \"e\": {}, \"l\": [[]]}}\n";
    static const char junk[] = "{}[]\",:\\u0aZ \n\t\r\x80\xc3\xff#-.e0";
    uint32_t s = 7;
    for (int round = 0; round < 400; round++) {
        char doc[sizeof(base)];
        memcpy(doc, base, sizeof(base));
        size_t len = sizeof(base) - 1;
        int changes = 1 + (int)(next_random(&s) % 3);
        for (int c = 0; c < changes; c++) {
            size_t at = 1 + next_random(&s) % (len - 1);
            doc[at] = junk[next_random(&s) % (sizeof(junk) - 1)];
        }
        if (round % 4 == 0) {
            len = 1 + next_random(&s) % len;
        }
        struct recs mem;
        struct recs file;
        read_memory(doc, len, NULL, DOC_SYNTAX_SNIFF, &mem);
        char *path = test_write_temp(doc, len, ".json");
        read_file(path, NULL, DOC_SYNTAX_SNIFF, &file);
        char label[32];
        snprintf(label, sizeof(label), "damaged #%d", round);
        cr_expect(eq(int, file.rc, mem.rc), "%s", label);
        if (mem.rc == 0) {
            /* files count libyaml's offsets in characters */
            expect_same(&file, &mem, mem.syntax == DOC_SYNTAX_JSON, label);
        } else if (file.rc != 0) {
            cr_expect(eq(str, file.err.message, mem.err.message), "%s", label);
            cr_expect(eq(ulong, file.err.line, mem.err.line), "%s", label);
            cr_expect(eq(ulong, file.err.column, mem.err.column), "%s", label);
        }
        remove(path);
        free(path);
        recs_release(&mem);
        recs_release(&file);
    }
}

/* ---- limits ---- */

Test(json_reader, nesting_deeper_than_max_depth_is_a_limit_error)
{
    struct doc_limits lim = { .max_depth = 3 };
    struct recs json;
    read_memory("[[[1]]]", 7, &lim, DOC_SYNTAX_JSON, &json);
    cr_expect(eq(int, json.rc, 0));
    recs_release(&json);
    read_memory("{\"a\": [[[1]]]}", 14, &lim, DOC_SYNTAX_JSON, &json);
    cr_expect(eq(int, json.rc, -1));
    cr_expect(eq(int, (int)json.err.code, OAG_ERR_LIMIT));
    cr_expect(eq(str, json.err.message, "nesting deeper than 3 levels"));
    cr_expect(eq(ulong, json.err.column, 9));
    recs_release(&json);
    /* the default: 512, heap only */
    size_t n = 100000;
    char *deep = xmalloc(2 * n);
    memset(deep, '[', n);
    memset(deep + n, ']', n);
    read_memory(deep, 2 * n, NULL, DOC_SYNTAX_SNIFF, &json);
    cr_expect(eq(int, json.rc, -1));
    cr_expect(eq(str, json.err.message, "nesting deeper than 512 levels"));
    cr_expect(eq(ulong, json.err.column, 513));
    recs_release(&json);
    free(deep);
}

Test(json_reader, a_value_larger_than_max_token_bytes_is_a_limit_error)
{
    struct doc_limits lim = { .max_token_bytes = 10 };
    static const char *ok[] = {
        "[\"0123456789\"]",
        "[1234567890]",
        "[\"\\u00e9\\u00e9\\u00e9"
        "\\u00e9\\u00e9\"]",
    };
    static const char *big[] = {
        "[\"0123456789x\"]",
        "[12345678901]",
        "[\"\\u00e9\\u00e9\\u00e9"
        "\\u00e9\\u00e9x\"]",
        "{\"0123456789x\": 1}",
    };
    struct recs json;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        read_memory(ok[i], strlen(ok[i]), &lim, DOC_SYNTAX_JSON, &json);
        cr_expect(eq(int, json.rc, 0), "%s: %s", ok[i], json.err.message);
        recs_release(&json);
    }
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
        read_memory(big[i], strlen(big[i]), &lim, DOC_SYNTAX_JSON, &json);
        cr_expect(eq(int, json.rc, -1), "%s", big[i]);
        cr_expect(eq(int, (int)json.err.code, OAG_ERR_LIMIT));
        cr_expect(eq(str, json.err.message,
                     "a single value is larger than the limit of 10 bytes"));
        cr_expect(eq(ulong, json.err.column, 2));
        recs_release(&json);
    }
}

Test(json_reader, a_file_reads_in_constant_memory_past_the_limit)
{
    /* a 2 MiB string in a file: refused at its start under a 1 MiB limit */
    struct doc_limits lim = { .max_token_bytes = (size_t)1 << 20 };
    size_t n = (size_t)2 << 20;
    char *doc = xmalloc(n + 5);
    memcpy(doc, "[\"", 2);
    memset(doc + 2, 'x', n);
    memcpy(doc + 2 + n, "\"]\n", 3);
    char *path = test_write_temp(doc, n + 5, ".json");
    struct recs file;
    read_file(path, &lim, DOC_SYNTAX_SNIFF, &file);
    cr_expect(eq(int, file.rc, -1));
    cr_expect(eq(int, (int)file.err.code, OAG_ERR_LIMIT));
    cr_expect(eq(ulong, file.err.column, 2));
    recs_release(&file);
    read_file(path, NULL, DOC_SYNTAX_SNIFF, &file);
    cr_expect(eq(int, file.rc, 0));
    cr_expect(eq(sz, file.items[3].len, n));
    recs_release(&file);
    remove(path);
    free(path);
    free(doc);
}

/* ---- choosing the parser, and the fallback to libyaml ---- */

Test(json_reader, the_first_byte_chooses_the_parser)
{
    static const struct {
        const char *doc;
        enum doc_syntax syntax;
    } cases[] = {
        { "{}", DOC_SYNTAX_JSON },        { "[1]", DOC_SYNTAX_JSON },
        { " \r\n\t{}", DOC_SYNTAX_JSON }, { "\xef\xbb\xbf[]", DOC_SYNTAX_JSON },
        { "a: 1", DOC_SYNTAX_YAML },      { "", DOC_SYNTAX_YAML },
        { "# {}\n{}", DOC_SYNTAX_YAML },  { "\"a\"", DOC_SYNTAX_YAML },
        { "--- {}", DOC_SYNTAX_YAML },    { "  \n", DOC_SYNTAX_YAML },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *d = cases[i].doc;
        struct doc_reader *m =
            doc_reader_new_memory(d, strlen(d), NULL, NULL, NULL);
        cr_expect(eq(int, (int)doc_reader_syntax(m), (int)cases[i].syntax),
                  "memory '%s'", d);
        doc_reader_free(m);
        char *path = test_write_temp(d, strlen(d), ".txt");
        struct doc_reader *f = doc_reader_new_file(path, NULL, NULL, NULL);
        cr_expect(eq(int, (int)doc_reader_syntax(f), (int)cases[i].syntax),
                  "file '%s'", d);
        doc_reader_free(f);
        remove(path);
        free(path);
    }
}

Test(json_reader, whitespace_before_the_root_of_a_file_is_fed_to_libyaml)
{
    /* 6000 bytes of blank lines (more than the sniff keeps), then YAML */
    struct buf b = BUF_INIT;
    for (int i = 0; i < 3000; i++) {
        buf_adds(&b, " \n");
    }
    buf_adds(&b, "a: [1]\n");
    char *path = test_write_temp(b.data, b.len, ".yaml");
    struct recs file;
    read_file(path, NULL, DOC_SYNTAX_SNIFF, &file);
    cr_assert(eq(int, file.rc, 0), "%s", file.err.message);
    cr_expect(eq(int, (int)file.syntax, DOC_SYNTAX_YAML));
    cr_expect(eq(str, file.items[3].value, "a"));
    cr_expect(eq(ulong, file.items[3].start.line, 3001));
    recs_release(&file);
    remove(path);
    free(path);
    buf_release(&b);
}

/* The sniffing reader gives libyaml's events for YAML flow documents. */
static void expect_fallback(const char *doc)
{
    struct recs yaml;
    struct recs mem;
    struct recs file;
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_YAML, &yaml);
    cr_assert(eq(int, yaml.rc, 0), "%s", doc);
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_SNIFF, &mem);
    cr_expect(eq(int, mem.rc, 0), "%s: %s", doc, mem.err.message);
    cr_expect(eq(int, (int)mem.syntax, DOC_SYNTAX_YAML), "%s", doc);
    expect_same(&mem, &yaml, true, doc);
    char *path = test_write_temp(doc, strlen(doc), ".yaml");
    read_file(path, NULL, DOC_SYNTAX_SNIFF, &file);
    cr_expect(eq(int, file.rc, 0), "%s: %s", doc, file.err.message);
    expect_same(&file, &yaml, false, doc);
    remove(path);
    free(path);
    recs_release(&yaml);
    recs_release(&mem);
    recs_release(&file);
}

Test(json_reader, yaml_flow_documents_fall_back_to_libyaml)
{
    expect_fallback("{a: 1}");
    expect_fallback("{\"a\": 1, # a comment\n \"b\": [2]}\n");
    expect_fallback("{\"a\": [1, 2,], 'b': !!str 3, c: &x y, d: *x}");
    expect_fallback("[1, 2, {\"k\": \"\\x41\"}, ~]");
    expect_fallback("\xef\xbb\xbf{\"\xc3\xa9\": 1, \xc3\xa9t\xc3\xa9: "
                    "\"\xe2\x82\xac\"}");
    expect_fallback("{\"a\": \"tab\tinside\"}");
    /*
     * what follows a scalar makes libyaml read it otherwise: the scanner
     * must not have delivered it (fuzz_merge found the first)
     */
    expect_fallback("{\"a\": false', \"b\": 1}");
    expect_fallback("{\"a\": 1x, \"b\": null y}");
    expect_fallback("{\"a\": 12\n   more\n   lines, \"b\": 1}");
    expect_fallback("[1 2, true \"q\"]");
    expect_fallback("[\"a\": 1]");
    expect_fallback("[\"a\" : [1], 2: 3]");
    /* the switch happens late: many events first, across chunks */
    struct buf b = BUF_INIT;
    buf_adds(&b, "{\"list\": [");
    for (int i = 0; i < 60000; i++) {
        buf_addf(&b, "%s\"item %d\"", i ? ", " : "", i);
    }
    buf_adds(&b, "], last: yes}\n");
    expect_fallback(b.data);
    /* and a plain scalar continued after many events */
    buf_reset(&b);
    buf_adds(&b, "[");
    for (int i = 0; i < 60000; i++) {
        buf_addf(&b, "%s%d", i ? ", " : "", i);
    }
    buf_adds(&b, " and more]\n");
    expect_fallback(b.data);
    buf_release(&b);
}

Test(json_reader, a_json_error_is_kept_when_libyaml_reads_it_differently)
{
    /*
     * libyaml reads [{"a": 1}: 2] as a sequence holding a mapping whose
     * key is a mapping: its MAPPING_START comes before the one the scanner
     * delivered (collections are not held back, they may be any size)
     */
    expect_error("[{\"a\": 1}: 2]", 13, DOC_SYNTAX_SNIFF, OAG_ERR_SYNTAX,
                 "expected ',' or ']' after an array element", 1, 10);
    /*
     * libyaml reads `1 "b"` as one scalar and fails at the ':' after it,
     * on the line the scanner failed on: the JSON message names it
     */
    expect_error("{\"a\": 1 \"b\": 2}", 15, DOC_SYNTAX_SNIFF, OAG_ERR_SYNTAX,
                 "expected ',' or '}' after an object member", 1, 9);
    expect_error("[\"\\q\"]", 6, DOC_SYNTAX_SNIFF, OAG_ERR_SYNTAX,
                 "invalid escape '\\q'", 1, 3);
    expect_error("[\"\xc3(\"]", 6, DOC_SYNTAX_SNIFF, OAG_ERR_SYNTAX,
                 "invalid UTF-8 byte 0xC3", 1, 3);
}

/*
 * The sniffing reader fails on doc with libyaml's message and position,
 * on the given line.
 */
static void expect_libyaml_error(const char *doc, unsigned long line)
{
    struct recs yaml;
    struct recs mem;
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_YAML, &yaml);
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_SNIFF, &mem);
    cr_assert(eq(int, yaml.rc, -1), "%s", doc);
    cr_assert(eq(int, mem.rc, -1), "%s", doc);
    cr_expect(eq(str, mem.err.message, yaml.err.message), "%s", doc);
    cr_expect(eq(ulong, mem.err.line, line), "%s", doc);
    cr_expect(eq(ulong, mem.err.line, yaml.err.line), "%s", doc);
    cr_expect(eq(ulong, mem.err.column, yaml.err.column), "%s", doc);
    recs_release(&yaml);
    recs_release(&mem);
}

Test(json_reader, libyaml_names_the_problem_when_it_got_further)
{
    /* libyaml fails right after the replayed events, further on */
    expect_libyaml_error("[\"a\" # a comment\n x]", 2);
    /*
     * a scalar continued over lines (the scanner fails at x, 2:2), libyaml
     * failing on a later line: its message
     */
    expect_libyaml_error("{\"a\": 1\n x\n y: [}\n", 3);
    /* YAML flow failing on its first line: libyaml's message all the same */
    expect_libyaml_error("{a: 1, b: [}", 1);
    /* YAML flow with an error later on: libyaml's message and position */
    expect_libyaml_error("{a: 1,\n b: [1, }\n", 2);
}

Test(json_reader, input_read_once_must_be_strict_json)
{
    /* a pipe: the bytes cannot be read a second time */
    int fds[2];
    cr_assert(eq(int, pipe(fds), 0));
    const char *doc = "{a: 1}";
    cr_assert(eq(sz, (size_t)write(fds[1], doc, strlen(doc)), strlen(doc)));
    close(fds[1]);
    char path[64];
    snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
    struct recs file;
    read_file(path, NULL, DOC_SYNTAX_SNIFF, &file);
    close(fds[0]);
    cr_expect(eq(int, file.rc, -1));
    cr_expect(eq(str, file.err.message,
                 "expected a string key or '}' (input read only once must "
                 "be strict JSON when it starts with '{' or '[')"));
    cr_expect(eq(ulong, file.err.column, 2));
    recs_release(&file);

    /* strict JSON through a pipe reads as from a file */
    cr_assert(eq(int, pipe(fds), 0));
    doc = "{\"a\": [1, \"\xc3\xa9\"]}";
    cr_assert(eq(sz, (size_t)write(fds[1], doc, strlen(doc)), strlen(doc)));
    close(fds[1]);
    snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
    read_file(path, NULL, DOC_SYNTAX_SNIFF, &file);
    close(fds[0]);
    struct recs mem;
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_YAML, &mem);
    cr_expect(eq(int, file.rc, 0));
    expect_same(&file, &mem, true, "pipe");
    recs_release(&file);
    recs_release(&mem);
}

Test(json_reader, stdin_redirected_from_a_file_falls_back_from_where_it_is)
{
    /* stdin is a regular file, positioned after a first line */
    const char *content = "skipped\n{a: [1, \"\xc3\xa9\"]}\n";
    const char *doc = content + 8;
    char *path = test_write_temp(content, strlen(content), ".yaml");
    cr_assert(is(freopen(path, "rb", stdin) != NULL));
    cr_assert(eq(int, fseek(stdin, 8, SEEK_SET), 0));
    struct recs in;
    read_file("-", NULL, DOC_SYNTAX_SNIFF, &in);
    struct recs yaml;
    read_memory(doc, strlen(doc), NULL, DOC_SYNTAX_YAML, &yaml);
    cr_expect(eq(int, in.rc, 0), "%s", in.err.message);
    cr_expect(eq(int, (int)in.syntax, DOC_SYNTAX_YAML));
    expect_same(&in, &yaml, false, "stdin");
    recs_release(&in);
    recs_release(&yaml);
    remove(path);
    free(path);
}

Test(json_reader, free_accepts_null)
{
    doc_json_free(NULL);
    struct doc_limits lim = { .max_depth = 4, .max_token_bytes = 64 };
    struct doc_json *j = doc_json_new_memory("[1", 2, 0, "x", &lim);
    struct doc_event ev;
    cr_expect(eq(int, doc_json_next(j, &ev, NULL), 0));
    cr_expect(eq(sz, doc_json_event_count(j), 1));
    doc_json_free(j);
}
