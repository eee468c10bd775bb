/*
 * extract (convert/convert.h) over arbitrary documents, with the base path
 * mode chosen by the input's length.
 *
 * Properties: extract succeeds, or fails with an error that has a message
 * and either error diagnostics or a location of its own; every
 * record has a path, a method from the table and a status code; a record
 * that conv_records_from_json accepts comes back equal from its JSON form
 * (conv_record_to_json -> conv_records_from_json); the event path of
 * responses blocks and the tree path (tree_only) give the same
 * result, diagnostics and records.
 */
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "fuzz_common.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"

struct seen {
    size_t n;
    struct igr_list recs; /* copies, for the comparison with the tree path */
};

static int on_record(void *ctx, const struct igr_record *rec,
                     struct oag_error *err)
{
    struct seen *s = ctx;
    s->n++;
    igr_record_copy(igr_list_add(&s->recs), rec);
    if (!rec->path || !rec->http_method || !rec->status_code) {
        fuzz_fail("record without path, method or status code");
    }
    if (!igr_http_method_is_valid(rec->http_method)) {
        fuzz_fail("record with method '%s'", rec->http_method);
    }
    if (rec->selection_pattern &&
        (strcmp(rec->selection_pattern, "default") == 0 ||
         strcmp(rec->selection_pattern, "-") == 0 ||
         rec->selection_pattern[0] == '\0')) {
        fuzz_fail("catch-all key '%s' kept as a pattern",
                  rec->selection_pattern);
    }
    json_t *arr = json_array();
    json_array_append_new(arr, conv_record_to_json(rec));
    struct igr_list back = { 0 };
    if (conv_records_from_json(arr, "records", &back, NULL) == 0) {
        if (back.len != 1 || !igr_record_equal(&back.items[0], rec)) {
            fuzz_fail("record %s %s %s does not survive its JSON form",
                      rec->http_method, rec->path, rec->status_code);
        }
    }
    igr_list_release(&back);
    json_decref(arr);
    (void)err;
    return 0;
}

/* The result of one extract (rc, error, diagnostics, records) as text. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    fuzz_setup();
    struct conv_options opts = { 0 };
    fuzz_limits(&opts.limits);
    opts.basepath = (enum conv_basepath)(len % 3);
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    struct seen s = { 0 };
    int rc = conv_extract_memory((const char *)data, len, "fuzz.yaml", &opts,
                                 on_record, &s, &diags, &err);
    size_t errors = fuzz_check_diags(&diags);
    if (rc != 0) {
        if (!err.message || err.code == OAG_ERR_NONE) {
            fuzz_fail("extract failed without an error");
        }
        if (errors == 0 && err.line == 0) {
            fuzz_fail("extract reported '%s' without diagnostics or a "
                      "location",
                      err.message);
        }
    } else if (oag_error_is_set(&err)) {
        fuzz_fail("extract succeeded but set '%s'", err.message);
    } else if (errors != 0) {
        fuzz_fail("extract succeeded with %zu error diagnostics", errors);
    }
    /* the same document through the tree path only */
    char *fast = fuzz_result_text(rc, &err, &diags, &s.recs);
    struct conv_options tree = opts;
    tree.tree_only = true;
    struct seen t = { 0 };
    struct oag_error_list tdiags = OAG_ERROR_LIST_INIT;
    struct oag_error terr = OAG_ERROR_INIT;
    int trc = conv_extract_memory((const char *)data, len, "fuzz.yaml", &tree,
                                  on_record, &t, &tdiags, &terr);
    char *slow = fuzz_result_text(trc, &terr, &tdiags, &t.recs);
    if (strcmp(fast, slow) != 0) {
        fuzz_fail("the event path and the tree path disagree:\n%s\n---\n%s",
                  fast, slow);
    }
    free(fast);
    free(slow);
    igr_list_release(&t.recs);
    oag_error_list_release(&tdiags);
    oag_error_release(&terr);
    igr_list_release(&s.recs);
    oag_error_list_release(&diags);
    oag_error_release(&err);
    return 0;
}
