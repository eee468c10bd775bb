/*
 * doc/tree.h: kept subtrees (core-schema scalars, positions, duplicate keys,
 * anchors and the alias budget) and doc/pointer.h.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "doc/pointer.h"
#include "doc/reader.h"
#include "doc/tree.h"
#include "tests/common.h"

static bool is(bool x)
{
    return x;
}
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

/* Builds the root node of doc (positions on); returns -1 on error. */
static int build_root(const char *doc, const struct doc_limits *lim,
                      struct doc_tree *out, struct oag_error_list *diags,
                      struct oag_error *err)
{
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), "t.yaml", lim, err);
    if (!r) {
        return -1;
    }
    struct doc_anchors anchors = { 0 };
    struct doc_event ev;
    int rc = -1;
    do {
        if (doc_reader_next(r, &ev, err) != 0) {
            goto out;
        }
    } while (ev.type == DOC_EV_STREAM_START ||
             ev.type == DOC_EV_DOCUMENT_START);
    rc = doc_tree_build(r, &ev, &anchors, DOC_TREE_POSITIONS, "/base", diags,
                        out, err);
out:
    doc_anchors_release(&anchors);
    doc_reader_free(r);
    return rc;
}

static json_t *load(const char *doc)
{
    struct doc_tree t = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, build_root(doc, NULL, &t, NULL, &err), 0), "%s: %s", doc,
              err.message ? err.message : "");
    json_t *v = json_incref(t.root);
    doc_tree_release(&t);
    return v;
}

static void expect_json(const char *doc, const char *want_json)
{
    json_t *got = load(doc);
    json_t *want = json_loads(want_json, JSON_DECODE_ANY, NULL);
    cr_assert(is(want != NULL), "bad expectation %s", want_json);
    char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_SORT_KEYS);
    cr_expect(is(json_equal(got, want)), "%s: got %s, want %s", doc, g,
              want_json);
    free(g);
    json_decref(got);
    json_decref(want);
}

Test(tree, plain_scalars_resolve_as_the_yaml_1_2_core_schema)
{
    static const struct {
        const char *yaml;
        const char *json;
    } cases[] = {
        { "v: 200", "{\"v\": 200}" },
        { "v: -7", "{\"v\": -7}" },
        { "v: +7", "{\"v\": 7}" },
        { "v: 1.5", "{\"v\": 1.5}" },
        { "v: 1e3", "{\"v\": 1000.0}" },
        { "v: true", "{\"v\": true}" },
        { "v: False", "{\"v\": false}" },
        { "v: null", "{\"v\": null}" },
        { "v: ~", "{\"v\": null}" },
        { "v:", "{\"v\": null}" },
        { "v: yes", "{\"v\": \"yes\"}" },
        { "v: on", "{\"v\": \"on\"}" },
        { "v: 1e", "{\"v\": \"1e\"}" },
        { "v: -x", "{\"v\": \"-x\"}" },
        { "v: 2xx", "{\"v\": \"2xx\"}" },
        { "v: '200'", "{\"v\": \"200\"}" },
        { "v: \"null\"", "{\"v\": \"null\"}" },
        { "v: !!str 200", "{\"v\": \"200\"}" },
        { "v: ! 200", "{\"v\": \"200\"}" },
        { "v: !Sub 200", "{\"v\": 200}" },
        { "v: !Ref x", "{\"v\": \"x\"}" },
        { "v: ''", "{\"v\": \"\"}" },
        { "{\"v\": [1, \"2\", null]}", "{\"v\": [1, \"2\", null]}" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        expect_json(cases[i].yaml, cases[i].json);
    }
}

Test(tree, scalar_resolve_is_callable_on_its_own)
{
    json_t *v = doc_scalar_resolve("404", 3, DOC_SCALAR_PLAIN, NULL);
    cr_expect(is(json_is_integer(v) && json_integer_value(v) == 404));
    json_decref(v);
    v = doc_scalar_resolve("404", 3, DOC_SCALAR_SINGLE, NULL);
    cr_expect(is(json_is_string(v)));
    json_decref(v);
    v = doc_scalar_resolve("a\0b", 3, DOC_SCALAR_DOUBLE, NULL);
    cr_expect(eq(sz, json_string_length(v), 3));
    json_decref(v);
}

Test(tree, positions_point_at_keys_and_values)
{
    const char *doc = "a:\n  b: 1\n  'c/d': [x, y]\n";
    struct doc_tree t = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, build_root(doc, NULL, &t, NULL, &err), 0));
    const struct doc_pos *p = doc_tree_find(&t, "");
    cr_assert(is(p != NULL));
    cr_expect(is(!p->is_member));
    p = doc_tree_find(&t, "/a/b");
    cr_assert(is(p != NULL));
    cr_expect(is(p->is_member));
    cr_expect(eq(ulong, p->key.line, 2));
    cr_expect(eq(ulong, p->key.column, 3));
    cr_expect(eq(sz, p->start.offset, 8));
    p = doc_tree_find(&t, "/a/c~1d");
    cr_assert(is(p != NULL));
    cr_expect(is(p->flow));
    cr_expect(eq(int, (int)p->style, DOC_SCALAR_PLAIN));
    cr_expect(eq(chr, doc[p->key.offset], '\''));
    cr_expect(eq(chr, doc[p->key_end.offset - 1], '\''));
    cr_expect(eq(chr, doc[p->end.offset - 1], ']'));
    p = doc_tree_find(&t, "/a/c~1d/1");
    cr_assert(is(p != NULL));
    cr_expect(eq(chr, doc[p->start.offset], 'y'));
    /* a block mapping ends at its last content, not at what follows */
    p = doc_tree_find(&t, "/a");
    cr_expect(eq(sz, p->end.offset, strlen(doc) - 1));
    cr_expect(is(doc_tree_find(&t, "/nope") == NULL));
    doc_tree_release(&t);
}

Test(tree, block_mapping_end_skips_trailing_comments_and_blank_lines)
{
    const char *doc = "a:\n  b: 1\n\n  # note\n\nz: 2\n";
    struct doc_tree t = { 0 };
    cr_assert(eq(int, build_root(doc, NULL, &t, NULL, NULL), 0));
    const struct doc_pos *p = doc_tree_find(&t, "/a");
    cr_expect(eq(sz, p->end.offset, strlen("a:\n  b: 1")));
    doc_tree_release(&t);
}

Test(tree, duplicate_keys_keep_the_last_value_and_warn_with_a_location)
{
    const char *doc = "m:\n  k: 1\n  k: 2\n";
    struct doc_tree t = { 0 };
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    cr_assert(eq(int, build_root(doc, NULL, &t, &diags, NULL), 0));
    cr_expect(eq(int,
                 (int)json_integer_value(
                     json_object_get(json_object_get(t.root, "m"), "k")),
                 2));
    cr_assert(eq(sz, diags.len, 1));
    cr_expect(eq(int, (int)diags.items[0].severity, OAG_SEV_WARNING));
    char *s = oag_error_format(&diags.items[0].error, OAG_SEV_WARNING);
    cr_expect(eq(str, s,
                 "t.yaml:3:3: warning: duplicate key 'k' (API "
                 "Gateway uses the last one) (at /base/m/k)"));
    free(s);
    oag_error_list_release(&diags);
    doc_tree_release(&t);
}

Test(tree, aliases_expand_to_their_anchor)
{
    expect_json("a: &x {k: [1, 2]}\nb: *x\nc: &s str\nd: *s\n",
                "{\"a\": {\"k\": [1, 2]}, \"b\": {\"k\": [1, 2]}, "
                "\"c\": \"str\", \"d\": \"str\"}");
    expect_json("a: &k key\n*k : v\n", "{\"a\": \"key\", \"key\": \"v\"}");
}

Test(tree, alias_bomb_stops_at_the_budget)
{
    const char *doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                      "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    struct doc_tree t = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(eq(int, build_root(doc, NULL, &t, NULL, &err), -1));
    cr_expect(eq(int, (int)err.code, OAG_ERR_LIMIT));
    cr_expect(is(strstr(err.message, "10000") != NULL), "%s", err.message);
    cr_expect(eq(ulong, err.line, 4));
    cr_expect(is(t.root == NULL));
    oag_error_release(&err);
    /* a lower budget stops earlier; a higher one lets three levels pass */
    struct doc_limits small = { .max_alias_nodes = 50 };
    cr_expect(eq(int, build_root(doc, &small, &t, NULL, &err), -1));
    cr_expect(eq(ulong, err.line, 2));
    oag_error_release(&err);
}

Test(tree, unknown_alias_is_an_error_with_its_location)
{
    struct doc_tree t = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(
        eq(int, build_root("a: 1\nb: *nope\n", NULL, &t, NULL, &err), -1));
    cr_expect(is(strstr(err.message, "nope") != NULL));
    cr_expect(eq(ulong, err.line, 2));
    cr_expect(eq(ulong, err.column, 4));
    oag_error_release(&err);
}

Test(tree, complex_keys_are_refused)
{
    struct doc_tree t = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_expect(eq(int, build_root("? [a, b]\n: c\n", NULL, &t, NULL, &err), -1));
    cr_expect(eq(int, (int)err.code, OAG_ERR_UNSUPPORTED));
    oag_error_release(&err);
}

Test(tree, merge_keys_are_kept_as_keys_with_a_warning)
{
    const char *doc = "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n";
    struct doc_tree t = { 0 };
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    cr_assert(eq(int, build_root(doc, NULL, &t, &diags, NULL), 0));
    json_t *m = json_object_get(t.root, "m");
    cr_expect(is(json_object_get(m, "<<") != NULL));
    cr_expect(is(json_object_get(m, "x") == NULL));
    cr_expect(eq(sz, diags.n_warnings, 1));
    oag_error_list_release(&diags);
    doc_tree_release(&t);
}

Test(tree, anchors_in_skipped_nodes_still_resolve_later_aliases)
{
    const char *doc = "skip:\n  deep: [1, &t {a: b}]\nkeep: *t\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct doc_anchors anchors = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_event ev;
    do {
        cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
    } while (ev.type != DOC_EV_MAPPING_START);
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0)); /* skip */
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0)); /* its value */
    struct doc_mark end;
    cr_assert(eq(int, doc_skip_node(r, &ev, &anchors, &end, &err), 0));
    cr_expect(eq(sz, end.offset, strlen("skip:\n  deep: [1, &t {a: b}]")));
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0)); /* keep */
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0)); /* *t */
    struct doc_tree t = { 0 };
    cr_assert(
        eq(int, doc_tree_build(r, &ev, &anchors, 0, "", NULL, &t, &err), 0));
    cr_expect(
        eq(str, (char *)json_string_value(json_object_get(t.root, "a")), "b"));
    doc_tree_release(&t);
    doc_anchors_release(&anchors);
    doc_reader_free(r);
}

Test(tree, skipping_an_anchored_block_node_reports_its_real_end)
{
    /* the end of a skipped node is where merge inserts text after it */
    const char *doc = "a: &x\n  k: v\n  l: w\nb:\n  m: &y\n    n: o\n"
                      "  p: &z q\nc: 1\n";
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), NULL, NULL, NULL);
    struct doc_anchors anchors = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_event ev;
    struct doc_mark end;
    do {
        cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0));
    } while (ev.type != DOC_EV_MAPPING_START);
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0)); /* a */
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0)); /* &x {...} */
    cr_assert(eq(int, doc_skip_node(r, &ev, &anchors, &end, &err), 0));
    cr_expect(eq(sz, end.offset, strlen("a: &x\n  k: v\n  l: w")));
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0)); /* b */
    cr_assert(eq(int, doc_reader_next(r, &ev, &err), 0)); /* {...} */
    cr_assert(eq(int, doc_skip_node(r, &ev, &anchors, &end, &err), 0));
    cr_expect(eq(sz, end.offset,
                 strlen("a: &x\n  k: v\n  l: w\nb:\n  m: &y\n    n: o\n"
                        "  p: &z q")));
    doc_anchors_release(&anchors);
    doc_reader_free(r);
}

Test(tree, deep_nesting_is_built_without_recursion)
{
    size_t n = 400;
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        buf_adds(&b, "[");
    }
    for (size_t i = 0; i < n; i++) {
        buf_adds(&b, "]");
    }
    json_t *root = load(buf_str(&b));
    json_t *v = root;
    size_t depth = 0;
    while (json_is_array(v) && json_array_size(v) == 1) {
        v = json_array_get(v, 0);
        depth++;
    }
    cr_expect(eq(sz, depth, n - 1));
    json_decref(root);
    buf_release(&b);
}

Test(tree, release_accepts_zeroed_values)
{
    struct doc_tree t = { 0 };
    struct doc_anchors a = { 0 };
    doc_tree_release(&t);
    doc_tree_release(NULL);
    doc_anchors_release(&a);
    doc_anchors_release(NULL);
}

Test(pointer, keys_are_escaped_as_rfc_6901_says)
{
    struct buf b = BUF_INIT;
    jptr_append(&b, "a/b~c", 5);
    jptr_append_index(&b, 12);
    jptr_append(&b, "", 0);
    cr_expect(eq(str, (char *)buf_str(&b), "/a~1b~0c/12/"));
    buf_release(&b);
    char *j = jptr_join("/paths", "/pets/{id}");
    cr_expect(eq(str, j, "/paths/~1pets~1{id}"));
    free(j);
    j = jptr_join(NULL, "~1");
    cr_expect(eq(str, j, "/~01"));
    free(j);
}
