/*
 * merge: round trips over every testdata/convert case and every document
 * under ../shared/testdata/external (merge of a document's own extract is
 * byte-identical; editing one record changes only that operation's
 * responses block, and extract of the result equals the edited records),
 * and specific merges.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "convert/convert_internal.h"
#include "doc/splice.h"
#include "model/igr.h"
#include "tests/common.h"
#include "tests/convert/cases.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

static bool is(bool x)
{
    return x;
}

/* ---- where an operation's responses block is ---- */

struct span_find {
    const char *data;
    size_t len;
    char *doc_path;
    const char *method;
    enum conv_basepath mode;
    struct conv_op found;
    bool have;
};

static int on_op(void *ctx, struct conv_op *op, const struct conv_root *root,
                 struct oag_error *err)
{
    struct span_find *f = ctx;
    (void)root;
    (void)err;
    if (f->doc_path && !f->have && strcmp(op->doc_path, f->doc_path) == 0 &&
        strcmp(op->http_method, f->method) == 0) {
        f->found = *op;
        memset(op, 0, sizeof(*op));
        f->have = true;
    }
    return 0;
}

/*
 * Byte range [start, end) that may change when rec's operation changes:
 * whole lines for block style, the exact value for flow style.
 */
static void block_range(const char *data, size_t len, const char *name,
                        const struct conv_options *opts,
                        const struct igr_record *rec, size_t *out_start,
                        size_t *out_end)
{
    /* find the document path whose resource path is rec->path */
    struct doc_reader *r = doc_reader_new_memory(data, len, name, NULL, NULL);
    struct conv_walk_options wo = { .tree_flags = DOC_TREE_POSITIONS };
    struct conv_root root;
    struct span_find f = { .data = data,
                           .len = len,
                           .method = rec->http_method,
                           .mode = opts->basepath };
    /* first pass: the root (base path) */
    cr_assert(eq(int, conv_walk(r, &wo, on_op, &f, &root, NULL), 0));
    doc_reader_free(r);
    char *base = conv_base_path(&root);
    /* the document path: try the resource path with the prefix removed */
    struct igr_record probe = { 0 };
    (void)probe;
    char *candidates[3] = { xstrdup(rec->path), NULL, NULL };
    size_t blen = strlen(base);
    const char *second = blen ? strchr(base + 1, '/') : NULL;
    const char *prefixes[2] = { base, second ? second : "" };
    for (int i = 0; i < 2; i++) {
        size_t pl = strlen(prefixes[i]);
        if (pl && strncmp(rec->path, prefixes[i], pl) == 0) {
            candidates[i + 1] = xstrdup(rec->path[pl] ? rec->path + pl : "/");
        }
    }
    for (int i = 0; i < 3 && !f.have; i++) {
        if (!candidates[i]) {
            continue;
        }
        char *rp = conv_resource_path(&root, candidates[i], opts->basepath);
        if (strcmp(rp, rec->path) == 0) {
            f.doc_path = candidates[i];
            r = doc_reader_new_memory(data, len, name, NULL, NULL);
            struct conv_root again;
            cr_assert(eq(int, conv_walk(r, &wo, on_op, &f, &again, NULL), 0));
            conv_root_release(&again);
            doc_reader_free(r);
        }
        free(rp);
    }
    cr_assert(is(f.have), "no operation for %s %s", rec->http_method,
              rec->path);
    const struct conv_op *op = &f.found;
    cr_assert(is(op->span.has_responses && op->responses.n_pos > 0));
    const struct doc_pos *rp = &op->responses.pos[0];
    if (!op->span.integ_flow && !rp->flow) {
        *out_start = doc_line_start(data, op->span.resp_key.offset);
        *out_end = doc_line_after_content(data, len, rp->end.offset);
    } else {
        *out_start = op->span.resp_key.offset;
        *out_end = rp->end.offset;
    }
    for (int i = 0; i < 3; i++) {
        free(candidates[i]);
    }
    free(base);
    conv_root_release(&root);
    /* release the op the callback kept */
    free(f.found.doc_path);
    free(f.found.method_key);
    free(f.found.pointer);
    doc_tree_release(&f.found.declared);
    free(f.found.integration_type);
    free(f.found.integration_uri);
    doc_tree_release(&f.found.responses);
}

/* ---- the round trip ---- */

enum edit {
    EDIT_TEMPLATE,
    EDIT_STATUS,
    EDIT_HEADER,
    EDIT_COUNT,
};

static const char *edit_name(enum edit e)
{
    return e == EDIT_TEMPLATE ? "template"
           : e == EDIT_STATUS ? "status code"
                              : "header";
}

static void apply_edit(struct igr_list *l, size_t k, enum edit e)
{
    struct igr_record *r = &l->items[k];
    if (e == EDIT_TEMPLATE) {
        igr_map_set(&r->response_templates, "application/json",
                    "#set($x = 1)\n{\"edited\": \"$x\", \"q\": 'it''s'}\n");
    } else if (e == EDIT_HEADER) {
        igr_map_set(&r->response_parameters,
                    "method.response.header.X-Oag-Edit", "'edited'");
    } else {
        /* a status code no other record of the operation uses */
        for (int code = 299; code > 200; code--) {
            char s[8];
            snprintf(s, sizeof(s), "%d", code);
            bool used = false;
            for (size_t i = 0; i < l->len; i++) {
                used = used ||
                       (strcmp(l->items[i].path, r->path) == 0 &&
                        strcmp(l->items[i].http_method, r->http_method) == 0 &&
                        strcmp(l->items[i].status_code, s) == 0);
            }
            if (!used) {
                free(r->status_code);
                r->status_code = xstrdup(s);
                return;
            }
        }
    }
}

/* Round trip and one-record edits of one document; returns false when the
 * document has no records to work on. */
static bool check_document(const char *label, const char *data, size_t len,
                           const char *name, const struct conv_options *opts)
{
    struct igr_list recs = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    cr_assert(eq(int,
                 conv_extract_list(data, len, name, opts, &recs, &diags, &err),
                 0),
              "%s: %s", label, err.message ? err.message : "");
    oag_error_list_release(&diags);

    /* merge of the document's own extract gives it back byte for byte */
    struct buf out = BUF_INIT;
    struct conv_merge_stats stats;
    cr_assert(
        eq(int,
           conv_merge(data, len, name, &recs, opts, &out, &stats, NULL, &err),
           0),
        "%s: merge: %s", label, err.message ? err.message : "");
    cr_expect(eq(sz, out.len, len), "%s: round trip changed the size", label);
    cr_expect(is(out.len == len && memcmp(out.data, data, len) == 0),
              "%s: round trip is not byte-identical:\n%s", label, out.data);
    cr_expect(eq(sz, stats.operations_changed, 0), "%s", label);
    buf_release(&out);

    /* edit one record (first and last), each edit on its own */
    size_t picks[2] = { 0, recs.len ? recs.len - 1 : 0 };
    for (size_t pi = 0; pi < (recs.len > 1 ? 2u : recs.len); pi++) {
        size_t k = picks[pi];
        size_t start;
        size_t end;
        block_range(data, len, name, opts, &recs.items[k], &start, &end);
        for (int e = 0; e < EDIT_COUNT; e++) {
            struct igr_list edited = { 0 };
            for (size_t i = 0; i < recs.len; i++) {
                igr_record_copy(igr_list_add(&edited), &recs.items[i]);
            }
            apply_edit(&edited, k, (enum edit)e);
            struct buf o = BUF_INIT;
            struct oag_error_list md = OAG_ERROR_LIST_INIT;
            int rc = conv_merge(data, len, name, &edited, opts, &o, &stats, &md,
                                &err);
            char *mdt = tc_format_diags(&md);
            cr_assert(eq(int, rc, 0), "%s: %s edit of record %zu: %s\n%s",
                      label, edit_name((enum edit)e), k,
                      err.message ? err.message : "", mdt);
            free(mdt);
            oag_error_list_release(&md);
            cr_expect(eq(sz, stats.operations_changed, 1), "%s", label);
            /* bytes before and after the block are unchanged */
            size_t tail = len - end;
            cr_expect(is(o.len >= start + tail &&
                         memcmp(o.data, data, start) == 0 &&
                         memcmp(o.data + o.len - tail, data + end, tail) == 0),
                      "%s: %s edit of record %zu changed bytes outside "
                      "[%zu, %zu):\n%s",
                      label, edit_name((enum edit)e), k, start, end, o.data);
            /* extract of the result equals the edited records */
            struct igr_list back = { 0 };
            struct oag_error_list bd = OAG_ERROR_LIST_INIT;
            rc = conv_extract_list(o.data, o.len, name, opts, &back, &bd, &err);
            char *bdt = tc_format_diags(&bd);
            cr_expect(eq(int, rc, 0),
                      "%s: %s edit: result does not extract: "
                      "%s\n%s\n%s",
                      label, edit_name((enum edit)e),
                      err.message ? err.message : "", bdt, o.data);
            if (rc == 0) {
                json_t *a = conv_records_to_json(&back);
                json_t *b = conv_records_to_json(&edited);
                char *as = tc_show(a);
                char *bs = tc_show(b);
                cr_expect(is(json_equal(a, b)),
                          "%s: %s edit of record %zu:\n got %s\nwant %s\n%s",
                          label, edit_name((enum edit)e), k, as, bs, o.data);
                free(as);
                free(bs);
                json_decref(a);
                json_decref(b);
            }
            free(bdt);
            oag_error_list_release(&bd);
            oag_error_release(&err);
            igr_list_release(&back);
            igr_list_release(&edited);
            buf_release(&o);
        }
    }
    bool any = recs.len > 0;
    igr_list_release(&recs);
    return any;
}

ParameterizedTestParameters(merge, case_round_trips_and_edits_stay_local)
{
    return tc_case_params("testdata/convert");
}

ParameterizedTest(struct tc_case *c, merge,
                  case_round_trips_and_edits_stay_local)
{
    cr_assert(is(c->name != NULL));
    char *root = test_source_path("testdata/convert");
    char *dir = xstrfmt("%s/%s", root, c->name);
    char *name = NULL;
    char *data = NULL;
    size_t len = 0;
    tc_input(dir, &name, &data, &len);
    struct conv_options opts;
    tc_options(dir, &opts);
    check_document(c->name, data, len, name, &opts);
    free(data);
    free(name);
    free(dir);
    free(root);
}

static bool is_document(const char *name)
{
    size_t n = strlen(name);
    bool ext = (n > 5 && strcmp(name + n - 5, ".json") == 0) ||
               (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
               (n > 4 && strcmp(name + n - 4, ".yml") == 0);
    return ext && !strstr(name, ".expected.json");
}

Test(merge, every_external_document_round_trips_and_edits_stay_local,
     .timeout = 120)
{
    char *root = test_shared_path("testdata/external");
    if (!root) {
        cr_skip_test("../shared is absent: external documents not checked");
    }
    size_t nd = 0;
    char **dirs = tc_list(root, &nd);
    size_t documents = 0;
    size_t with_records = 0;
    for (size_t i = 0; i < nd; i++) {
        char *dir = xstrfmt("%s/%s", root, dirs[i]);
        size_t nf = 0;
        char **files = tc_list(dir, &nf);
        for (size_t j = 0; j < nf; j++) {
            if (!is_document(files[j])) {
                continue;
            }
            size_t len = 0;
            char *data = tc_read(dir, files[j], &len);
            char *label = xstrfmt("%s/%s", dirs[i], files[j]);
            for (int mode = CONV_BASEPATH_IGNORE; mode <= CONV_BASEPATH_SPLIT;
                 mode++) {
                struct conv_options opts = { .basepath = mode };
                with_records +=
                    check_document(label, data, len, files[j], &opts) &&
                    mode == 0;
            }
            documents++;
            free(label);
            free(data);
        }
        tc_list_free(files, nf);
        free(dir);
    }
    cr_log_info("external documents: %zu, with records: %zu", documents,
                with_records);
    cr_expect(is(documents >= 25), "only %zu documents under %s", documents,
              root);
    tc_list_free(dirs, nd);
    free(root);
}

/* ---- specific merges ---- */

/* Merges records (JSON text) into doc; checks extract(result) == records. */
static char *merge_ok(const char *doc, const char *records_json)
{
    json_t *rj = json_loads(records_json, 0, NULL);
    cr_assert(is(rj != NULL), "bad records %s", records_json);
    struct igr_list recs = { 0 };
    cr_assert(eq(int, conv_records_from_json(rj, "r.json", &recs, NULL), 0));
    struct conv_options opts = { 0 };
    struct buf out = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    cr_assert(eq(int,
                 conv_merge(doc, strlen(doc), "d.yaml", &recs, &opts, &out,
                            NULL, &diags, &err),
                 0),
              "%s", err.message ? err.message : "");
    json_t *back = tc_extract(out.data, out.len, "d.yaml", &opts, NULL, &err);
    cr_assert(is(back != NULL), "result does not extract: %s\n%s",
              err.message ? err.message : "", out.data);
    json_t *want = conv_records_to_json(&recs);
    char *g = tc_show(back);
    char *w = tc_show(want);
    cr_expect(is(json_equal(back, want)), "got %s\nwant %s\n%s", g, w,
              out.data);
    free(g);
    free(w);
    json_decref(back);
    json_decref(want);
    json_decref(rj);
    igr_list_release(&recs);
    oag_error_list_release(&diags);
    return buf_detach(&out, NULL);
}

static char *merge_fails(const char *doc, const char *records_json)
{
    json_t *rj = json_loads(records_json, 0, NULL);
    struct igr_list recs = { 0 };
    cr_assert(eq(int, conv_records_from_json(rj, "r.json", &recs, NULL), 0));
    struct conv_options opts = { 0 };
    struct buf out = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    cr_expect(eq(int,
                 conv_merge(doc, strlen(doc), "d.yaml", &recs, &opts, &out,
                            NULL, &diags, &err),
                 -1));
    cr_expect(eq(sz, out.len, 0), "something was written on failure");
    char *d = tc_format_diags(&diags);
    struct buf b = BUF_INIT;
    buf_adds(&b, d);
    buf_adds(&b, err.message ? err.message : "");
    free(d);
    buf_release(&out);
    oag_error_release(&err);
    oag_error_list_release(&diags);
    igr_list_release(&recs);
    json_decref(rj);
    return buf_detach(&b, NULL);
}

static const char *yaml_doc = "swagger: '2.0'\n"
                              "info: {title: t, version: '1'}\n"
                              "paths:\n"
                              "  /p:\n"
                              "    get:\n"
                              "      responses:\n"
                              "        '200': {description: ok}\n"
                              "      x-amazon-apigateway-integration:\n"
                              "        type: http\n"
                              "        responses:\n"
                              "          default:\n"
                              "            statusCode: '200'\n"
                              "          '4\\d{2}':\n"
                              "            statusCode: '400'\n"
                              "    post:\n"
                              "      x-amazon-apigateway-integration:\n"
                              "        type: http\n"
                              "        requestTemplates: &rt\n"
                              "          application/json: x\n"
                              "        # comment after the integration\n"
                              "    put:\n"
                              "      summary: no integration\n"
                              "# end\n";

Test(merge, adding_an_entry_to_a_flow_map_under_a_block_integration)
{
    const char *doc =
        "swagger: '2.0'\npaths:\n  /p:\n    get:\n"
        "      x-amazon-apigateway-integration:\n        type: http\n"
        "        responses: {default: {statusCode: '200'}}\n"
        "        uri: https://x\n";
    char *out =
        merge_ok(doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", "
                      "\"statusCode\": \"200\"}, {\"path\": \"/p\", "
                      "\"httpMethod\": \"GET\", \"statusCode\": \"400\", "
                      "\"selectionPattern\": \"4\\\\d{2}\"}]");
    cr_expect(
        is(strstr(out, "        type: http\n        responses: {") != NULL),
        "%s", out);
    cr_expect(is(strstr(out, "}\n        uri: https://x\n") != NULL), "%s",
              out);
    free(out);
}

Test(merge, responses_added_after_an_anchored_last_key_stay_outside_it)
{
    char *out =
        merge_ok(yaml_doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", "
                           "\"statusCode\": \"200\"}, {\"path\": \"/p\", "
                           "\"httpMethod\": \"GET\", \"statusCode\": \"400\", "
                           "\"selectionPattern\": \"4\\\\d{2}\"}, {\"path\": "
                           "\"/p\", \"httpMethod\": \"POST\", \"statusCode\": "
                           "\"201\"}]");
    cr_expect(
        is(strstr(out, "        requestTemplates: &rt\n"
                       "          application/json: x\n"
                       "        responses:\n"
                       "          default:\n"
                       "            statusCode: '201'\n"
                       "        # comment after the integration\n") != NULL),
        "%s", out);
    free(out);
}

Test(merge, removing_every_record_of_an_operation_removes_its_entries)
{
    char *out = merge_ok(yaml_doc, "[]");
    cr_expect(is(strstr(out, "'4\\d{2}'") == NULL), "%s", out);
    cr_expect(is(strstr(out, "        type: http\n    post:\n") != NULL), "%s",
              out);
    free(out);
}

Test(merge, new_entries_follow_the_documents_quotes_and_indentation)
{
    char *out =
        merge_ok(yaml_doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", "
                           "\"statusCode\": \"200\", \"responseTemplates\": "
                           "{\"application/json\": \"a\\nb\\n\"}}, {\"path\": "
                           "\"/p\", \"httpMethod\": \"GET\", \"statusCode\": "
                           "\"400\", \"selectionPattern\": \"4\\\\d{2}\"}, "
                           "{\"path\": \"/p\", \"httpMethod\": \"GET\", "
                           "\"statusCode\": \"500\", \"selectionPattern\": "
                           "\"5\\\\d{2}\"}]");
    cr_expect(is(strstr(out, "          default:\n"
                             "            statusCode: '200'\n"
                             "            responseTemplates:\n"
                             "              application/json: |\n"
                             "                a\n"
                             "                b\n"
                             "          '4\\d{2}':\n"
                             "            statusCode: '400'\n"
                             "          '5\\d{2}':\n"
                             "            statusCode: '500'\n") != NULL),
              "%s", out);
    free(out);
}

Test(merge, crlf_documents_get_crlf_in_new_text)
{
    struct buf doc = BUF_INIT;
    for (const char *p = yaml_doc; *p; p++) {
        if (*p == '\n') {
            buf_addch(&doc, '\r');
        }
        buf_addch(&doc, *p);
    }
    char *out =
        merge_ok(doc.data, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", "
                           "\"statusCode\": \"200\", \"responseParameters\": "
                           "{\"method.response.header.A\": \"'a'\"}}]");
    for (char *p = strchr(out, '\n'); p; p = strchr(p + 1, '\n')) {
        cr_expect(eq(chr, p[-1], '\r'), "bare LF at %zu", (size_t)(p - out));
    }
    free(out);
    buf_release(&doc);
}

Test(merge, json_documents_stay_json)
{
    const char *doc =
        "{\n  \"openapi\": \"3.0.1\",\n  \"paths\": {\n    \"/j\": {\n"
        "      \"get\": {\n        \"x-amazon-apigateway-integration\": {\n"
        "          \"type\": \"mock\",\n          \"responses\": {\n"
        "            \"default\": {\n              \"statusCode\": \"200\"\n"
        "            }\n          }\n        }\n      },\n"
        "      \"post\": {\n        \"x-amazon-apigateway-integration\": {\n"
        "          \"type\": \"mock\"\n        }\n      }\n    }\n  }\n}\n";
    char *out =
        merge_ok(doc, "[{\"path\": \"/j\", \"httpMethod\": \"GET\", "
                      "\"statusCode\": \"200\"}, {\"path\": \"/j\", "
                      "\"httpMethod\": \"GET\", \"statusCode\": \"404\", "
                      "\"selectionPattern\": \"404\"}, {\"path\": \"/j\", "
                      "\"httpMethod\": \"POST\", \"statusCode\": \"201\", "
                      "\"responseTemplates\": {\"application/json\": "
                      "\"a\\nb\"}}]");
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    cr_expect(is(j != NULL), "not JSON (%s): %s", je.text, out);
    json_decref(j);
    free(out);
}

Test(merge, a_record_for_a_missing_operation_is_an_error_naming_it)
{
    char *msg =
        merge_fails(yaml_doc, "[{\"path\": \"/nope\", \"httpMethod\": \"GET\", "
                              "\"statusCode\": \"200\"}]");
    cr_expect(is(strstr(msg, "no operation GET /nope in the document for "
                             "record 0 (status 200)") != NULL),
              "%s", msg);
    free(msg);
}

Test(merge, a_record_for_an_operation_without_integration_is_an_error)
{
    char *msg =
        merge_fails(yaml_doc, "[{\"path\": \"/p\", \"httpMethod\": \"PUT\", "
                              "\"statusCode\": \"200\"}]");
    cr_expect(is(strstr(msg, "d.yaml:21:5: error: records for PUT /p (first: "
                             "status 200) but the operation has no "
                             "x-amazon-apigateway-integration (at "
                             "/paths/~1p/put)") != NULL),
              "%s", msg);
    free(msg);
}

Test(merge, two_records_for_one_status_code_are_an_error)
{
    char *msg =
        merge_fails(yaml_doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", "
                              "\"statusCode\": \"200\"}, {\"path\": \"/p\", "
                              "\"httpMethod\": \"GET\", \"statusCode\": "
                              "\"200\", \"selectionPattern\": \"x\"}]");
    cr_expect(is(strstr(msg, "two records for GET /p 200") != NULL), "%s", msg);
    free(msg);
}

/* Documents whose last line, inside a block scalar, has no line break. */
static const char *eof_doc_head = "swagger: '2.0'\npaths:\n  /p:\n    get:\n"
                                  "      x-amazon-apigateway-integration:\n"
                                  "        type: mock\n";

Test(merge, an_entry_added_after_a_block_scalar_ending_the_file_keeps_it)
{
    char doc[512];
    snprintf(doc, sizeof(doc),
             "%s        responses:\n          default:\n"
             "            statusCode: '200'\n"
             "            responseTemplates:\n"
             "              text/html: >\n                folded\n"
             "                text",
             eof_doc_head);
    char *out = merge_ok(
        doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", \"statusCode\": "
             "\"200\", \"responseTemplates\": {\"text/html\": \"folded "
             "text\"}}, {\"path\": \"/p\", \"httpMethod\": \"GET\", "
             "\"statusCode\": \"400\", \"selectionPattern\": \"4\\\\d{2}\"}]");
    cr_expect(is(strstr(out, "              text/html: >-\n"
                             "                folded\n"
                             "                text\n"
                             "          '4\\d{2}':\n") != NULL),
              "%s", out);
    free(out);
}

/* The value of the last literal block scalar of doc (new reference). */
static json_t *last_literal(const char *doc)
{
    json_t *t = NULL;
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r =
        doc_reader_new_memory(doc, strlen(doc), "o.yaml", NULL, &err);
    cr_assert(is(r != NULL));
    struct doc_event ev;
    while (doc_reader_next(r, &ev, &err) == 0 && ev.type != DOC_EV_STREAM_END) {
        if (ev.type == DOC_EV_SCALAR && ev.style == DOC_SCALAR_LITERAL) {
            json_decref(t);
            t = json_stringn(ev.value, ev.len);
        }
    }
    doc_reader_free(r);
    oag_error_release(&err);
    cr_assert(is(t != NULL), "%s", doc);
    return t;
}

Test(merge, responses_added_after_a_request_template_ending_the_file_keep_it)
{
    char doc[512];
    snprintf(doc, sizeof(doc),
             "%s        requestTemplates:\n"
             "          application/json: &t |2+\n            {}\n"
             "            x",
             eof_doc_head);
    char *out = merge_ok(doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", "
                              "\"statusCode\": \"200\"}]");
    cr_expect(is(strstr(out, "          application/json: &t |2-\n"
                             "            {}\n"
                             "            x\n"
                             "        responses:\n") != NULL),
              "%s", out);
    json_t *t = last_literal(out);
    cr_expect(eq(str, (char *)json_string_value(t), "{}\nx"));
    json_decref(t);
    free(out);
}

Test(merge, responses_go_before_a_keep_scalars_last_spaces_only_line)
{
    char doc[512];
    snprintf(doc, sizeof(doc),
             "%s        requestTemplates:\n"
             "          application/json: |+\n            x\n   ",
             eof_doc_head);
    char *out = merge_ok(doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", "
                              "\"statusCode\": \"200\"}]");
    json_t *t = last_literal(out);
    cr_expect(eq(str, (char *)json_string_value(t), "x\n"));
    json_decref(t);
    free(out);
}

/*
 * Blank lines after new text (with spaces, maybe more than a literal
 * block's indentation) would be read into a literal block the text ends
 * with: as content past its indentation, and all of them under keep
 * chomping.  The text that ends there is written without literal blocks.
 */
static const char *blank_after_head =
    "swagger: '2.0'\npaths:\n  /p:\n    get:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: mock\n"
    "        requestTemplates:\n"
    "          application/json: |\n"
    "            req\n";
static const char *blank_tail = "                                        \n"
                                "\n"
                                "  /q:\n"
                                "    get: {}\n";

Test(merge, blank_lines_after_a_changed_entry_stay_out_of_its_templates)
{
    char doc[1024];
    snprintf(doc, sizeof(doc),
             "%s        responses:\n          default:\n"
             "            statusCode: '200'\n%s",
             blank_after_head, blank_tail);
    char *out = merge_ok(
        doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", \"statusCode\": "
             "\"200\", \"responseTemplates\": {\"a/b\": \"x\\ny\\n\", "
             "\"c/d\": \"keep\\n\\n\\n\"}}]");
    cr_expect(is(strstr(out, blank_tail) != NULL), "%s", out);
    free(out);
}

Test(merge, blank_lines_after_a_rewritten_block_stay_out_of_its_last_entry)
{
    char doc[1024];
    snprintf(doc, sizeof(doc),
             "%s        responses:\n"
             "          default:\n"
             "            statusCode: '200'\n"
             "            responseTemplates:\n"
             "              a/b: |+\n"
             "                keep\n"
             "\n"
             "              c/d: |\n"
             "                x\n"
             "          '4\\d{2}':\n"
             "            statusCode: '400'\n%s",
             blank_after_head, blank_tail);
    /* a new order: the unchanged 'default' entry, whose templates were
       followed by a key, becomes the last one */
    char *out = merge_ok(
        doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", \"statusCode\": "
             "\"400\", \"selectionPattern\": \"5\\\\d{2}\"}, {\"path\": "
             "\"/p\", \"httpMethod\": \"GET\", \"statusCode\": \"200\", "
             "\"responseTemplates\": {\"a/b\": \"keep\\n\\n\", \"c/d\": "
             "\"x\\n\"}}]");
    cr_expect(is(strstr(out, blank_tail) != NULL), "%s", out);
    free(out);
}

Test(merge, removing_responses_before_blank_lines_leaves_the_key_before_whole)
{
    char doc[1024];
    snprintf(doc, sizeof(doc),
             "%s        responses:\n          default:\n"
             "            statusCode: '200'\n%s",
             blank_after_head, blank_tail);
    char *out = merge_ok(doc, "[]");
    cr_expect(is(strstr(out, "        responses: {}\n") != NULL), "%s", out);
    json_t *t = last_literal(out);
    cr_expect(eq(str, (char *)json_string_value(t), "req\n"));
    json_decref(t);
    cr_expect(is(strstr(out, blank_tail) != NULL), "%s", out);
    free(out);
}

Test(merge, a_comment_after_a_changed_entry_stays_out_of_its_templates)
{
    static const char *tail =
        "                    # a comment deeper than a template would be\n"
        "  /q:\n    get: {}\n";
    char doc[1024];
    snprintf(doc, sizeof(doc),
             "%s        responses:\n          default:\n"
             "            statusCode: '200'\n%s",
             blank_after_head, tail);
    char *out = merge_ok(
        doc, "[{\"path\": \"/p\", \"httpMethod\": \"GET\", \"statusCode\": "
             "\"200\", \"responseTemplates\": {\"a/b\": \"x\\ny\\n\"}}]");
    cr_expect(is(strstr(out, tail) != NULL), "%s", out);
    free(out);
}
