/*
 * validate (convert/convert.h) over arbitrary documents.
 *
 * Properties: every diagnostic has a message; validate returns -1 only with
 * an error diagnostic; when validate finds no error, extract of the same
 * bytes succeeds (what extract refuses, validate reports); the event path
 * of responses blocks and the tree path (tree_only) give the same result
 * and diagnostics, locations included.
 */
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "fuzz_common.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"

static int on_record(void *ctx, const struct igr_record *rec,
                     struct oag_error *err)
{
    (void)ctx;
    (void)rec;
    (void)err;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    fuzz_setup();
    struct conv_options opts = { 0 };
    fuzz_limits(&opts.limits);
    opts.basepath = (enum conv_basepath)(len % 3);
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    int rc = conv_validate_memory((const char *)data, len, "fuzz.yaml", &opts,
                                  &diags);
    size_t errors = fuzz_check_diags(&diags);
    if (rc != 0 && errors == 0) {
        fuzz_fail("validate stopped without an error diagnostic");
    }
    if (errors == 0) {
        struct oag_error_list ed = OAG_ERROR_LIST_INIT;
        struct oag_error err = OAG_ERROR_INIT;
        if (conv_extract_memory((const char *)data, len, "fuzz.yaml", &opts,
                                on_record, NULL, &ed, &err) != 0) {
            fuzz_fail("validate found no error but extract failed: %s",
                      err.message ? err.message : "(no message)");
        }
        oag_error_list_release(&ed);
        oag_error_release(&err);
    }
    /* the same document through the tree path only */
    struct conv_options tree = opts;
    tree.tree_only = true;
    struct oag_error_list tdiags = OAG_ERROR_LIST_INIT;
    int trc = conv_validate_memory((const char *)data, len, "fuzz.yaml", &tree,
                                   &tdiags);
    struct buf fast = BUF_INIT;
    struct buf slow = BUF_INIT;
    buf_addf(&fast, "rc %d\n", rc);
    fuzz_diags_text(&fast, &diags);
    buf_addf(&slow, "rc %d\n", trc);
    fuzz_diags_text(&slow, &tdiags);
    if (strcmp(buf_str(&fast), buf_str(&slow)) != 0) {
        fuzz_fail("the event path and the tree path disagree:\n%s\n---\n%s",
                  buf_str(&fast), buf_str(&slow));
    }
    buf_release(&fast);
    buf_release(&slow);
    oag_error_list_release(&tdiags);
    oag_error_list_release(&diags);
    return 0;
}
