/*
 * merge (convert/convert.h) with records derived from the document.
 *
 * The input is a document, optionally followed by FUZZ_SEPARATOR and a
 * script of 3-byte edits (operation, record index, argument) applied to the
 * document's own records (extract), so the records stay close to the
 * document and merge gets past "no such operation".  The edited records go
 * through their JSON form (conv_records_from_json), as the CLI reads them.
 *
 * Properties: without edits merge gives back the input byte for byte;
 * otherwise merge fails with an error (and a message), or its output
 * extracts to exactly the records: the same targets, each equal.  And the
 * whole input read as a records file (conv_records_load_memory, member by
 * member) gives the same records, diagnostics and error as reading it as
 * one tree (conv_records_load_tree); the two differ only for a sequence at
 * the root, so only such inputs are compared.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "doc/reader.h"
#include "fuzz_common.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

/* Values that stress quoting, block scalars and flow syntax. */
static const char *const patterns[] = {
    "4\\d{2}",
    ".*[Ee]rror.*",
    "a: b",
    "'quoted'",
    "\"dq\"",
    "#hash",
    "*",
    "&anchor",
    "!tag",
    "? q",
    "[x]",
    "{x}",
    " lead",
    "trail ",
    "tab\there",
    "\xc3\xa9t\xc3\xa9",
    "null",
    "true",
    "123",
    "~",
    "multi\nline",
    "back\\slash",
    "5\\d\\d|4\\d\\d",
    "-x",
    "@at",
    "%pct",
    "`tick`",
    "|",
    ">",
    "x #y",
};
static const char *const media[] = {
    "application/json",
    "text/html",
    "application/xml",
    "text/plain",
    "application/x-www-form-urlencoded",
};
static const char *const templates[] = {
    "",
    "$input.path('$')",
    "#set($a = 1)\n$a\n",
    "line1\nline2",
    "trailing\n",
    "  leading spaces\n",
    "crlf\r\nline",
    "\ttab",
    "'single' \"double\"",
    "\xe2\x82\xac uro",
    "{\"a\": 1}",
    "null",
    "- item",
    "key: value",
    "#comment",
    "\n\nblank first",
    "end with blanks\n\n\n",
    "x\n  indented\ny",
    "\\u0041",
    "|",
    ("very long template text that goes on and on to pass eighty columns"),
};
static const char *const params[] = {
    "'*'",
    "integration.response.header.X-Id",
    "integration.response.body",
    "'a: b'",
    "context.requestId",
    "''",
    "'multi\nline'",
};
static const char *const headers[] = {
    "method.response.header.X-Id",
    ("method.response.header.Access-Control-Allow-Origin"),
    "method.response.header.x",
    "method.response.header.Y",
};

#define PICK(table, b) (table[(b) % (sizeof(table) / sizeof(table[0]))])

static void set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = v ? xstrdup(v) : NULL;
}

static void map_remove(struct igr_map *m, size_t i)
{
    if (m->len == 0) {
        return;
    }
    i %= m->len;
    free(m->items[i].key);
    free(m->items[i].value);
    memmove(&m->items[i], &m->items[i + 1],
            (m->len - i - 1) * sizeof(m->items[0]));
    m->len--;
}

static void edit(struct igr_list *l, uint8_t op, uint8_t idx, uint8_t arg)
{
    if (l->len == 0) {
        return;
    }
    struct igr_record *r = &l->items[idx % l->len];
    char code[8];
    switch (op % 11) {
    case 0: /* remove the record */
        igr_record_release(r);
        memmove(r, r + 1, (size_t)(&l->items[l->len] - r - 1) * sizeof(*r));
        l->len--;
        break;
    case 1:
        snprintf(code, sizeof(code), "%d", 100 + (arg * 7) % 500);
        set_str(&r->status_code, code);
        break;
    case 2:
        set_str(&r->selection_pattern,
                arg % 8 == 0 ? NULL : PICK(patterns, arg));
        break;
    case 3:
        igr_map_set(&r->response_templates, PICK(media, arg),
                    PICK(templates, arg / 5));
        break;
    case 4:
        map_remove(&r->response_templates, arg);
        break;
    case 5:
        igr_map_set(&r->response_parameters, PICK(headers, arg),
                    PICK(params, arg / 4));
        break;
    case 6:
        map_remove(&r->response_parameters, arg);
        break;
    case 7:
        set_str(&r->content_handling, arg % 3 == 0   ? NULL
                                      : arg % 3 == 1 ? "CONVERT_TO_TEXT"
                                                     : "CONVERT_TO_BINARY");
        break;
    case 8: { /* a new record for the same operation */
        struct igr_record copy = { 0 };
        igr_record_copy(&copy, r);
        snprintf(code, sizeof(code), "%d", 100 + (arg * 13) % 500);
        set_str(&copy.status_code, code);
        set_str(&copy.selection_pattern, PICK(patterns, arg));
        *igr_list_add(l) = copy;
        break;
    }
    case 9: { /* swap two records */
        struct igr_record *o = &l->items[arg % l->len];
        struct igr_record t = *r;
        *r = *o;
        *o = t;
        break;
    }
    default: /* drop every record of the operation */
        for (size_t i = l->len; i-- > 0;) {
            if (&l->items[i] != r && strcmp(l->items[i].path, r->path) == 0 &&
                strcmp(l->items[i].http_method, r->http_method) == 0) {
                igr_record_release(&l->items[i]);
                memmove(&l->items[i], &l->items[i + 1],
                        (l->len - i - 1) * sizeof(l->items[0]));
                l->len--;
                if (i < (size_t)(r - l->items)) {
                    r--;
                }
            }
        }
        igr_record_release(r);
        memmove(r, r + 1, (size_t)(&l->items[l->len] - r - 1) * sizeof(*r));
        l->len--;
        break;
    }
}

/*
 * True when two records of one operation share a selection pattern (two
 * catch-alls included): a responses block cannot hold them, merge refuses.
 */
static bool shares_pattern(const struct igr_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        const struct igr_record *a = &l->items[i];
        for (size_t j = i + 1; j < l->len; j++) {
            const struct igr_record *b = &l->items[j];
            if (strcmp(a->path, b->path) == 0 &&
                strcmp(a->http_method, b->http_method) == 0 &&
                strcmp(a->selection_pattern ? a->selection_pattern : "",
                       b->selection_pattern ? b->selection_pattern : "") == 0) {
                return true;
            }
        }
    }
    return false;
}

/*
 * Whether data's root node is a sequence: only then does the loader read
 * member by member; any other root takes the reference's own path.
 */
static bool root_is_sequence(const char *data, size_t len)
{
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r =
        doc_reader_new_memory(data, len, "records", NULL, &err);
    bool seq = false;
    struct doc_event ev;
    while (r && doc_reader_next(r, &ev, &err) == 0) {
        if (ev.type != DOC_EV_STREAM_START &&
            ev.type != DOC_EV_DOCUMENT_START) {
            seq = ev.type == DOC_EV_SEQUENCE_START;
            break;
        }
    }
    doc_reader_free(r);
    oag_error_release(&err);
    return seq;
}

static void check_records_loader(const char *data, size_t len)
{
    if (!root_is_sequence(data, len)) {
        return;
    }
    struct igr_list recs = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    int rc =
        conv_records_load_memory(data, len, "records", &recs, &diags, &err);
    fuzz_check_diags(&diags);
    char *got = fuzz_result_text(rc, &err, &diags, &recs);
    struct igr_list trecs = { 0 };
    struct oag_error terr = OAG_ERROR_INIT;
    struct oag_error_list tdiags = OAG_ERROR_LIST_INIT;
    int trc =
        conv_records_load_tree(data, len, "records", &trecs, &tdiags, &terr);
    char *want = fuzz_result_text(trc, &terr, &tdiags, &trecs);
    igr_list_release(&trecs);
    oag_error_list_release(&tdiags);
    oag_error_release(&terr);
    if (strcmp(got, want) != 0) {
        fuzz_fail("the records loader and the tree disagree:\n%s\n---\n%s", got,
                  want);
    }
    free(got);
    free(want);
    igr_list_release(&recs);
    oag_error_list_release(&diags);
    oag_error_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    size_t len;
    const uint8_t *script;
    size_t script_len;
    fuzz_split(data, size, &len, &script, &script_len);
    const char *doc = (const char *)data;
    check_records_loader(doc, size);
    struct conv_options opts = { 0 };
    fuzz_limits(&opts.limits);
    opts.basepath = (enum conv_basepath)(script_len % 3);

    struct igr_list recs = { 0 };
    struct igr_list want = { 0 };
    struct igr_list got = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    struct buf out = BUF_INIT;
    json_t *arr = NULL;
    if (conv_extract_list(doc, len, "fuzz.yaml", &opts, &recs, NULL, &err) !=
        0) {
        goto out;
    }
    for (size_t i = 0; i + 2 < script_len; i += 3) {
        edit(&recs, script[i], script[i + 1], script[i + 2]);
    }
    arr = conv_records_to_json(&recs);
    if (conv_records_from_json(arr, "records", &want, NULL) != 0) {
        goto out; /* the CLI would refuse these records */
    }
    int rc = conv_merge(doc, len, "fuzz.yaml", &want, &opts, &out, NULL, &diags,
                        &err);
    fuzz_check_diags(&diags);
    if (rc != 0) {
        if (!err.message || err.code == OAG_ERR_NONE) {
            fuzz_fail("merge failed without an error");
        }
        if (script_len < 3 && err.code != OAG_ERR_LIMIT &&
            !shares_pattern(&want)) {
            fuzz_fail("merge of the document's own records failed: %s",
                      err.message);
        }
        goto out;
    }
    if (script_len < 3 &&
        (out.len != len || (len && memcmp(out.data, doc, len) != 0))) {
        fuzz_fail("merge of the document's own records changed it");
    }
    oag_error_release(&err);
    if (getenv("FUZZ_VERBOSE")) {
        char *j = json_dumps(arr, JSON_INDENT(1));
        fprintf(stderr, "--- records\n%s\n--- merged\n%s\n---\n", j,
                buf_str(&out));
        free(j);
    }
    struct oag_error_list md = OAG_ERROR_LIST_INIT;
    int xrc = conv_extract_list(buf_str(&out), out.len, "merged.yaml", &opts,
                                &got, &md, &err);
    if (xrc != 0 && getenv("FUZZ_VERBOSE")) {
        for (size_t i = 0; i < md.len; i++) {
            char *f =
                oag_error_format(&md.items[i].error, md.items[i].severity);
            fprintf(stderr, "%s\n", f);
            free(f);
        }
    }
    oag_error_list_release(&md);
    if (xrc != 0) {
        fuzz_fail("the merged document does not extract: %s%s%s", err.message,
                  err.pointer ? " at " : "", err.pointer ? err.pointer : "");
    }
    if (got.len != want.len) {
        fuzz_fail("merged document has %zu records, want %zu", got.len,
                  want.len);
    }
    for (size_t i = 0; i < want.len; i++) {
        const struct igr_record *g = fuzz_find_target(&got, &want.items[i]);
        if (!g || !igr_record_equal(g, &want.items[i])) {
            char *d = igr_record_describe(&want.items[i]);
            fuzz_fail("record %s %s after merge", d,
                      g ? "differs" : "is missing");
        }
    }
out:
    json_decref(arr);
    igr_list_release(&recs);
    igr_list_release(&want);
    igr_list_release(&got);
    oag_error_release(&err);
    oag_error_list_release(&diags);
    buf_release(&out);
    return 0;
}
