/*
 * GetResources pages (embed=methods) as API Gateway, or anything posing as
 * it, answers them: apigw_page_parse and apigw_resources_from_items
 * (aws/apigw_internal.h), then what import and export make of the
 * resources: sync_live_from_resources and sync_export_document
 * (sync/sync.h).
 *
 * Input: the first byte picks the position the page was asked for (even:
 * the first page; odd: "p2") and the export's OpenAPI version; the rest is
 * the page's body.
 *
 * Properties: a refused page or item list fails with a message and code
 * OAG_ERR_AWS; every live record has a path, a method and a status code;
 * export either refuses what a document cannot hold, with a message, or
 * renders YAML and JSON that extract reads back to exactly the live
 * records (ids aside).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/apigw.h"
#include "aws/apigw_internal.h"
#include "convert/convert.h"
#include "fuzz_common.h"
#include "model/igr.h"
#include "model/plan.h"
#include "sync/sync.h"
#include "util/buf.h"
#include "util/error.h"

static void check_refusal(const struct oag_error *err)
{
    if (!err->message || err->code != OAG_ERR_AWS) {
        fuzz_fail("a refused page has no message or the wrong code");
    }
}

/* extract of an exported document: the live records, each equal. */
static void check_round_trip(const struct buf *doc, const char *name,
                             const struct igr_list *live,
                             struct oag_error_list *diags)
{
    struct conv_options opts = { 0 };
    fuzz_limits(&opts.limits);
    struct igr_list got = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    if (conv_extract_list(doc->data, doc->len, name, &opts, &got, diags,
                          &err) != 0) {
        fprintf(stderr, "%s: %s\n%.*s\n", name, err.message, (int)doc->len,
                doc->data);
        fuzz_fail("extract refuses the exported document");
    }
    if (got.len != live->len) {
        fuzz_fail("extract of the export does not give the live records");
    }
    for (size_t i = 0; i < live->len; i++) {
        bool found = false;
        for (size_t j = 0; j < got.len && !found; j++) {
            found = igr_record_equal(&live->items[i], &got.items[j]);
        }
        if (!found) {
            fuzz_fail("a live record comes back changed from the export");
        }
    }
    igr_list_release(&got);
    oag_error_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    if (size < 1) {
        return 0;
    }
    const char *position = (data[0] & 1) ? "p2" : NULL;
    enum sync_oas oas = (data[0] & 2) ? SYNC_OAS_2 : SYNC_OAS_3;
    json_t *items = json_array();
    char *next = NULL;
    struct apigw_resources res = { 0 };
    struct igr_live live = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    json_t *doc = NULL;
    struct buf yaml = BUF_INIT;
    struct buf json = BUF_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    if (apigw_page_parse("GetResources", (const char *)data + 1, size - 1,
                         position, items, &next, &err) != 0) {
        check_refusal(&err);
        goto out;
    }
    if (next && (!*next || (position && strcmp(next, position) == 0))) {
        fuzz_fail("an empty or repeated position is given as the next one");
    }
    if (apigw_resources_from_items(items, &res, &err) != 0) {
        check_refusal(&err);
        goto out;
    }
    if (sync_live_from_resources(&res, &live, &err) != 0) {
        if (!err.message) {
            fuzz_fail("live state refused without a message");
        }
        goto out;
    }
    for (size_t i = 0; i < live.records.len; i++) {
        const struct igr_record *r = &live.records.items[i];
        if (!r->path || !r->http_method || !r->status_code) {
            fuzz_fail("live record without path, method or status code");
        }
    }
    if (sync_export_document(&res, NULL, oas, &doc, &err) != 0) {
        if (!err.message) {
            fuzz_fail("export refused without a message");
        }
        goto out;
    }
    sync_document_format(doc, true, &yaml);
    sync_document_format(doc, false, &json);
    check_round_trip(&yaml, "export.yaml", &live.records, &diags);
    check_round_trip(&json, "export.json", &live.records, &diags);
out:
    json_decref(doc);
    buf_release(&yaml);
    buf_release(&json);
    oag_error_list_release(&diags);
    igr_live_release(&live);
    apigw_resources_release(&res);
    free(next);
    json_decref(items);
    oag_error_release(&err);
    return 0;
}
