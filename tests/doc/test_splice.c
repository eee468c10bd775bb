/*
 * doc/splice.h: byte-range edits, line arithmetic, style detection and the
 * YAML/JSON emitters.  The YAML scalar emitter is checked as a property:
 * every string it writes must read back identically through
 * doc_tree_build, whatever the style, indentation, newline or position.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "doc/reader.h"
#include "doc/splice.h"
#include "doc/tree.h"
#include "tests/common.h"

static bool is(bool x)
{
    return x;
}
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

Test(splice, edits_apply_in_any_order_and_keep_the_rest)
{
    const char *data = "0123456789";
    struct doc_splice s = { 0 };
    doc_splice_add(&s, 7, 9, "X", 1);
    doc_splice_add(&s, 1, 3, "abc", 3);
    doc_splice_add(&s, 5, 5, "<>", 2); /* insertion */
    struct buf out = BUF_INIT;
    cr_assert(eq(int, doc_splice_apply(&s, data, 10, &out, NULL), 0));
    cr_expect(eq(str, (char *)buf_str(&out), "0abc34<>56X9"));
    buf_release(&out);
    doc_splice_release(&s);
}

Test(splice, writing_gives_the_applied_text_and_changes_are_seen)
{
    const char *data = "0123456789";
    struct doc_splice s = { 0 };
    doc_splice_add(&s, 7, 9, "X", 1);
    doc_splice_add(&s, 1, 3, "abc", 3);
    doc_splice_add(&s, 5, 5, "<>", 2);
    cr_assert(eq(int, doc_splice_check(&s, 10, NULL), 0));
    cr_expect(is(doc_splice_changes(&s, data)));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert(is(f != NULL));
    cr_expect(eq(int, doc_splice_write(&s, data, 10, f), 0));
    fclose(f);
    cr_expect(eq(str, text, "0abc34<>56X9"));
    free(text);
    doc_splice_release(&s);
    /* edits that put back what is there change nothing */
    doc_splice_add(&s, 2, 4, "23", 2);
    doc_splice_add(&s, 6, 6, "", 0);
    cr_assert(eq(int, doc_splice_check(&s, 10, NULL), 0));
    cr_expect(not(doc_splice_changes(&s, data)));
    doc_splice_release(&s);
}

Test(splice, no_edits_give_the_input_back)
{
    struct doc_splice s = { 0 };
    struct buf out = BUF_INIT;
    cr_assert(eq(int, doc_splice_apply(&s, "abc\0d", 5, &out, NULL), 0));
    cr_expect(eq(sz, out.len, 5));
    cr_expect(is(memcmp(out.data, "abc\0d", 5) == 0));
    buf_release(&out);
    doc_splice_release(&s);
    doc_splice_release(NULL);
}

Test(splice, overlapping_or_out_of_range_edits_are_an_internal_error)
{
    struct doc_splice s = { 0 };
    struct buf out = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    doc_splice_add(&s, 1, 5, "", 0);
    doc_splice_add(&s, 4, 6, "", 0);
    cr_expect(eq(int, doc_splice_apply(&s, "0123456789", 10, &out, &err), -1));
    cr_expect(eq(int, (int)err.code, OAG_ERR_INTERNAL));
    oag_error_release(&err);
    doc_splice_release(&s);
    doc_splice_add(&s, 8, 12, "", 0);
    buf_reset(&out);
    cr_expect(eq(int, doc_splice_apply(&s, "0123456789", 10, &out, &err), -1));
    oag_error_release(&err);
    doc_splice_release(&s);
    buf_release(&out);
}

Test(splice, line_arithmetic)
{
    const char *d = "ab\n  cd: x\n\n  # c\n\nef\n";
    size_t len = strlen(d);
    cr_expect(eq(sz, doc_line_start(d, 0), 0));
    cr_expect(eq(sz, doc_line_start(d, 7), 3));
    cr_expect(eq(sz, doc_line_start(d, 3), 3));
    cr_expect(eq(sz, doc_column_of(d, 5), 2));
    /* from inside trailing blank lines back to the line with content */
    cr_expect(eq(sz, doc_line_after_content(d, len, 12), 11));
    cr_expect(eq(sz, doc_line_after_content(d, len, 10), 11));
    cr_expect(eq(sz, doc_line_after_content(d, len, len + 5), len));
    cr_expect(eq(sz, doc_line_after_content("ab", 2, 2), 2));
    cr_expect(eq(sz, doc_line_after_content("a\r\n\r\nb", 6, 5), 3));
}

Test(splice, style_detection_finds_newline_step_and_quotes)
{
    struct doc_style st;
    const char *y1 = "a:\r\n    b: \"x\"\r\n    c: \"y\"\r\n";
    doc_style_detect(y1, strlen(y1), false, &st);
    cr_expect(eq(str, (char *)st.newline, "\r\n"));
    cr_expect(eq(uint, st.step, 4));
    cr_expect(eq(chr, st.quote, '"'));
    cr_expect(is(!st.json));
    const char *y2 = "a:\n  # c\n  b: 'x'\n";
    doc_style_detect(y2, strlen(y2), false, &st);
    cr_expect(eq(str, (char *)st.newline, "\n"));
    cr_expect(eq(uint, st.step, 2));
    cr_expect(eq(chr, st.quote, '\''));
    doc_style_detect("", 0, true, &st);
    cr_expect(eq(uint, st.step, 2));
    cr_expect(is(st.json));
    cr_expect(is(!st.compact));
    struct buf b = BUF_INIT;
    buf_adds(&b, "{\"openapi\": \"3.0.1\", \"paths\": {");
    for (int i = 0; i < 20; i++) {
        buf_addf(&b, "%s\"/p%d\": {}", i ? ", " : "", i);
    }
    buf_adds(&b, "}}");
    doc_style_detect(b.data, b.len, true, &st);
    cr_expect(is(st.compact));
    buf_release(&b);
}

/* ---- the YAML scalar emitter, property style ---- */

static const char *const tricky[] = {
    "200",
    "404",
    "yes",
    "no",
    "Yes",
    "ON",
    "off",
    "y",
    "n",
    "null",
    "Null",
    "NULL",
    "~",
    "",
    " x",
    "x ",
    " ",
    "  ",
    "a: b",
    "a:b",
    "x:",
    ":x",
    "#x",
    "x #y",
    "x#y",
    "'",
    "''",
    "\"",
    "\"\"",
    "'\"",
    "\\",
    "a\\b",
    "\\d{2}",
    "5\\d{2}",
    "2\\d{2}",
    "\\\\",
    "\\\"",
    "tab\there",
    "\t",
    "\tx",
    "x\t",
    "\n",
    "\n\n",
    "\nx",
    "x\n",
    "x\n\n",
    "x\n\n\n",
    "a\nb",
    "a\n\nb",
    "a\n \nb",
    "a\n\t\nb",
    " a\nb",
    "\ta\nb",
    "a\n b\n",
    "a\n\tb\n",
    "a\r\nb",
    "\r",
    "x\r",
    "line1\nline2\n",
    "#c\nx",
    "x\n#c",
    "- x",
    "-",
    "--",
    "---",
    "--- x",
    "...",
    "x\n---\ny",
    "x\n...\n",
    "? x",
    "?",
    ": x",
    "&a",
    "*a",
    "!tag",
    "!",
    "%x",
    "@x",
    "`x",
    "{a}",
    "[a]",
    "{",
    "}",
    "]",
    "a,b",
    ",",
    "|",
    "|-",
    ">",
    ">+",
    "=",
    "<<",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "1:30",
    "190:20:30",
    ".inf",
    "-.inf",
    ".nan",
    ".NaN",
    "1e3",
    "1E3",
    "+1",
    "-1",
    "0",
    "00",
    "007",
    "1.",
    ".5",
    "1.5e-3",
    "+.5",
    "true",
    "True",
    "FALSE",
    "default",
    "application/json",
    "text/html",
    "\xC3\xA9",
    "\xE2\x82\xAC x",
    "\xF0\x9F\x98\x80",
    "\xE2\x80\xA8",
    "a\xE2\x80\xA8"
    "b",
    "a\xE2\x80\xA9"
    "b",
    "\xC2\x85",
    "a\xC2\x85"
    "b",
    "\xEF\xBB\xBF"
    "x",
    "x\xEF\xBB\xBF",
    "\xC2\x80",
    "\xC2\x9F",
    "\xC2\xA0",
    "a\xC2\x9B"
    "b",
    "\xEF\xBF\xBE",
    "\xEF\xBF\xBF",
    "\x7F",
    "\x01",
    "\x1B[0m",
    "a\x08"
    "b",
    "\x1F",
    "$input.json('$')",
    "$input.path('$').errorMessage",
    "#set($x = 1)\n{\"a\": \"$x\"}\n",
    "{\"error\": \"upstream\"}",
    "'*'",
    "'GET,OPTIONS'",
    "method.response.header.X-Trace",
    "integration.response.body.a.b",
    "(\\n|.)*",
    ".*Error.*",
    "(?s).*",
    "[\\s\\S]*",
    "^4\\d{2}$",
    "x{2,}",
    "a|b",
    "a | b",
    "a > b",
    "a |",
    "trailing spaces  \nx",
    "x  \n",
    "  indented\nx",
    "x\n  indented\n",
    "x\n\n  y\n",
    "/pets/{id}",
    "{proxy+}",
    "$ref",
    "%",
    "100%",
    "a%b",
    "\"quoted\" and 'single'",
    "it's",
    "say \"hi\"",
    "a\\nb",
    "C:\\path\\to",
    "\\x41",
    "\\u0041",
    "\\N",
    "\\L",
};

struct variant {
    char quote;
    const char *newline;
    unsigned step;
    unsigned indent; /* column of the owning key */
};

static const struct variant variants[] = {
    { '\'', "\n", 2, 0 }, { '"', "\n", 2, 0 },  { '\'', "\r\n", 4, 4 },
    { '"', "\n", 4, 6 },  { '\'', "\n", 1, 2 }, { '"', "\r\n", 3, 3 },
};

static void add_spaces(struct buf *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        buf_addch(b, ' ');
    }
}

/* Reads doc back; returns the member at "o/k" (indent > 0) or "k". */
static json_t *read_back(const char *doc, size_t len, unsigned indent,
                         struct oag_error *err)
{
    struct doc_reader *r =
        doc_reader_new_memory(doc, len, "emit.yaml", NULL, err);
    if (!r) {
        return NULL;
    }
    struct doc_event ev;
    struct doc_tree t = { 0 };
    json_t *out = NULL;
    do {
        if (doc_reader_next(r, &ev, err) != 0) {
            goto done;
        }
    } while (ev.type == DOC_EV_STREAM_START ||
             ev.type == DOC_EV_DOCUMENT_START);
    if (doc_tree_build(r, &ev, NULL, 0, "", NULL, &t, err) != 0) {
        goto done;
    }
    do {
        if (doc_reader_next(r, &ev, err) != 0) {
            goto done;
        }
    } while (ev.type != DOC_EV_STREAM_END);
    out = json_incref(indent ? json_object_get(t.root, "o") : t.root);
done:
    doc_tree_release(&t);
    doc_reader_free(r);
    return out;
}

static char *show(const char *s, size_t n)
{
    if (n > 60) {
        n = 60; /* enough to recognise the case; may cut a character */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    json_t *j = json_stringn(s, n);
    char *d = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_ENSURE_ASCII)
                : xstrdup("(not UTF-8)");
    json_decref(j);
    return d;
}

/* Emits s as a value of "k" (and as a key) and checks it reads back. */
static void check_round_trip(const char *s, size_t n, const struct variant *v)
{
    struct doc_style st = {
        .json = false,
        .step = v->step,
        .quote = v->quote,
        .newline = v->newline,
    };
    /*
     * libyaml cannot read an implicit key longer than 1024 characters, in
     * block or flow context, so long keys are not a property of the emitter
     */
    int key_rounds = n <= 1000 ? 2 : 1;
    for (int as_key = 0; as_key < key_rounds; as_key++) {
        struct buf doc = BUF_INIT;
        if (v->indent) {
            buf_adds(&doc, "o:");
            buf_adds(&doc, v->newline);
        }
        add_spaces(&doc, v->indent);
        if (as_key) {
            doc_emit_yaml_string(&doc, s, n, &st, v->indent, true);
            buf_adds(&doc, ": v");
        } else {
            buf_adds(&doc, "k: ");
            doc_emit_yaml_string(&doc, s, n, &st, v->indent, false);
        }
        buf_adds(&doc, v->newline);
        add_spaces(&doc, v->indent);
        buf_adds(&doc, "z: 1");
        buf_adds(&doc, v->newline);
        if (v->indent) {
            buf_adds(&doc, "y: 2");
            buf_adds(&doc, v->newline);
        }
        struct oag_error err = OAG_ERROR_INIT;
        json_t *m = read_back(doc.data, doc.len, v->indent, &err);
        char *want = show(s, n);
        char *text = show(doc.data, doc.len);
        cr_expect(is(m != NULL), "%s (%s, indent %u): %s in %s", want,
                  as_key ? "key" : "value", v->indent,
                  err.message ? err.message : "", text);
        if (m) {
            const char *got = NULL;
            size_t got_len = 0;
            if (as_key) {
                void *it = json_object_iter(m);
                got = it ? json_object_iter_key(it) : NULL;
                got_len = it ? json_object_iter_key_len(it) : 0;
            } else {
                json_t *k = json_object_get(m, "k");
                got = json_string_value(k);
                got_len = json_string_length(k);
            }
            char *gs = got ? show(got, got_len) : xstrdup("(none)");
            cr_expect(is(got && got_len == n && memcmp(got, s, n) == 0),
                      "%s (%s, quote %c, indent %u) read back as %s from %s",
                      want, as_key ? "key" : "value", v->quote, v->indent, gs,
                      text);
            cr_expect(
                eq(int, (int)json_integer_value(json_object_get(m, "z")), 1),
                "%s: the next key was swallowed in %s", want, text);
            free(gs);
        }
        free(want);
        free(text);
        json_decref(m);
        oag_error_release(&err);
        buf_release(&doc);
    }
}

Test(emit, every_tricky_string_reads_back_identically)
{
    for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
        for (size_t j = 0; j < sizeof(variants) / sizeof(variants[0]); j++) {
            check_round_trip(tricky[i], strlen(tricky[i]), &variants[j]);
        }
    }
}

Test(emit, strings_with_nul_bytes_read_back)
{
    check_round_trip("a\0b", 3, &variants[0]);
    check_round_trip("\0", 1, &variants[1]);
}

Test(emit, very_long_strings_read_back)
{
    static const char *const pieces[] = {
        "a", "ab ", "x: ", "'\"", "line\n", "\\d{2}|", "\xC3\xA9",
    };
    for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
        struct buf b = BUF_INIT;
        while (b.len < 5000) {
            buf_adds(&b, pieces[p]);
        }
        for (size_t j = 0; j < 2; j++) {
            check_round_trip(b.data, b.len, &variants[j]);
        }
        buf_release(&b);
    }
}

Test(emit, every_concatenation_of_two_tricky_strings_reads_back)
{
    static const char *const parts[] = {
        "",         " ",    "\n", "\t", "'",   "\"",   "\\",
        "#",        ": ",   "- ", "x",  "200", "\r\n", "\xE2\x80\xA8",
        "\xC2\x85", "null", "{",
    };
    size_t np = sizeof(parts) / sizeof(parts[0]);
    for (size_t i = 0; i < np; i++) {
        for (size_t j = 0; j < np; j++) {
            for (size_t k = 0; k < np; k++) {
                char *s = xstrfmt("%s%s%s", parts[i], parts[j], parts[k]);
                check_round_trip(s, strlen(s), &variants[(i + j + k) % 6]);
                free(s);
            }
        }
    }
}

static void expect_emitted(const char *s, char quote, bool is_key,
                           const char *want)
{
    struct doc_style st = { .step = 2, .quote = quote, .newline = "\n" };
    struct buf b = BUF_INIT;
    doc_emit_yaml_string(&b, s, strlen(s), &st, 0, is_key);
    cr_expect(eq(str, (char *)buf_str(&b), (char *)want), "emitting %s", s);
    buf_release(&b);
}

Test(emit, styles_follow_the_document)
{
    expect_emitted("application/json", '\'', false, "application/json");
    expect_emitted("200", '\'', false, "'200'");
    expect_emitted("200", '"', false, "\"200\"");
    expect_emitted("5\\d{2}", '\'', true, "'5\\d{2}'");
    expect_emitted("it's", '\'', false, "\"it's\"");
    expect_emitted("'*'", '"', false, "\"'*'\"");
    expect_emitted("a\nb\n", '\'', false, "|\n  a\n  b");
    expect_emitted("a\nb", '\'', false, "|-\n  a\n  b");
    expect_emitted("a\nb\n\n", '\'', false, "|+\n  a\n  b\n");
    expect_emitted("a\nb", '\'', true, "\"a\\nb\"");
    expect_emitted(" a\nb", '\'', false, "\" a\\nb\"");
}

/* ---- whole values ---- */

static json_t *parse_yaml(const char *doc, size_t len)
{
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r = doc_reader_new_memory(doc, len, NULL, NULL, &err);
    struct doc_event ev;
    do {
        cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0), "%s in %s",
                  err.message ? err.message : "", doc);
    } while (ev.type == DOC_EV_STREAM_START ||
             ev.type == DOC_EV_DOCUMENT_START);
    struct doc_tree t = { 0 };
    cr_assert(eq(int, doc_tree_build(r, &ev, NULL, 0, "", NULL, &t, &err), 0),
              "%s in %s", err.message ? err.message : "", doc);
    json_t *v = json_incref(t.root);
    doc_tree_release(&t);
    doc_reader_free(r);
    return v;
}

static const char *sample_value =
    "{\"default\": {\"statusCode\": \"200\", \"responseTemplates\": "
    "{\"application/json\": \"#set($a = 1)\\n{\\\"a\\\": $a}\\n\", "
    "\"text/plain\": \"\"}, \"responseParameters\": "
    "{\"method.response.header.X-A\": \"'*'\"}}, \"5\\\\d{2}\": "
    "{\"statusCode\": \"502\", \"contentHandling\": \"CONVERT_TO_TEXT\", "
    "\"list\": [1, \"two\", {\"three\": [true, null]}, [], {}]}, "
    "\"yes\": {\"n\": 1.5, \"e\": {}, \"a\": []}, "
    /* line breaks for YAML 1.1, not for JSON: NEL, LS, PS */
    "\"nel\\u0085ls\\u2028\": \"a\\u2028b\\u2029c\\u0085d\"}";

Test(emit, no_literal_double_quotes_multi_line_strings)
{
    struct doc_style st = { .step = 2, .quote = '\'', .newline = "\n" };
    struct buf b = BUF_INIT;
    doc_emit_yaml_string(&b, "a\nb\n\n", 5, &st, 0, false);
    cr_expect(eq(str, b.data, "|+\n  a\n  b\n"));
    buf_reset(&b);
    st.no_literal = true;
    doc_emit_yaml_string(&b, "a\nb\n\n", 5, &st, 0, false);
    cr_expect(eq(str, b.data, "\"a\\nb\\n\\n\""));
    buf_release(&b);
}

Test(emit, yaml_members_read_back_as_the_same_value)
{
    json_t *v = json_loads(sample_value, 0, NULL);
    cr_assert(is(v != NULL));
    for (size_t j = 0; j < sizeof(variants) / sizeof(variants[0]); j++) {
        struct doc_style st = { .step = variants[j].step,
                                .quote = variants[j].quote,
                                .newline = variants[j].newline };
        struct buf b = BUF_INIT;
        doc_emit_yaml_members(&b, v, &st, 0);
        json_t *got = parse_yaml(b.data, b.len);
        cr_expect(is(json_equal(got, v)), "variant %zu:\n%s", j, b.data);
        json_decref(got);
        buf_release(&b);
    }
    json_decref(v);
}

Test(emit, yaml_flow_and_json_read_back_as_the_same_value)
{
    json_t *v = json_loads(sample_value, 0, NULL);
    struct doc_style st = { .step = 2, .quote = '\'', .newline = "\n" };
    struct buf b = BUF_INIT;
    doc_emit_yaml_flow(&b, v, &st);
    cr_expect(is(strchr(b.data, '\n') == NULL));
    json_t *got = parse_yaml(b.data, b.len);
    cr_expect(is(json_equal(got, v)), "%s", b.data);
    json_decref(got);
    for (int compact = 0; compact < 2; compact++) {
        st.json = true;
        st.compact = compact;
        st.newline = compact ? "\n" : "\r\n";
        buf_reset(&b);
        doc_emit_json(&b, v, &st, 4);
        json_error_t je;
        got = json_loadb(b.data, b.len, 0, &je);
        cr_expect(is(json_equal(got, v)), "%s: %s", je.text, b.data);
        cr_expect(eq(int, strchr(b.data, '\n') == NULL, compact));
        json_decref(got);
        /* JSON is YAML flow syntax too */
        got = parse_yaml(b.data, b.len);
        cr_expect(is(json_equal(got, v)), "%s", b.data);
        json_decref(got);
    }
    buf_reset(&b);
    st.compact = false;
    st.newline = "\n";
    doc_emit_json(&b, v, &st, 2);
    /* nested lines at indent + k * step, the closing bracket at indent */
    cr_expect(is(strncmp(b.data, "{\n    \"default\": {\n      \"statusCode\"",
                         36) == 0),
              "%s", b.data);
    cr_expect(is(b.len > 3 && strcmp(b.data + b.len - 4, "\n  }") == 0));
    buf_release(&b);
    json_decref(v);
}
