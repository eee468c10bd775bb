/* Helpers of the libFuzzer targets; see fuzz_common.h. */
#include "fuzz_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

void fuzz_limits(struct doc_limits *out)
{
    memset(out, 0, sizeof(*out));
    out->max_depth = 64;
    out->max_token_bytes = 1 << 16;
    out->max_alias_nodes = 2000;
}

void fuzz_setup(void)
{
    static bool done;
    if (!done) {
        xalloc_setup();
        done = true;
    }
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz property failed: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

void fuzz_diags_text(struct buf *b, const struct oag_error_list *diags)
{
    for (size_t i = 0; i < diags->len; i++) {
        const struct oag_error *e = &diags->items[i].error;
        buf_addf(b, "%d %lu:%lu %s %s\n", (int)diags->items[i].severity,
                 e->line, e->column, e->pointer ? e->pointer : "",
                 e->message ? e->message : "");
    }
}

char *fuzz_result_text(int rc, const struct oag_error *err,
                       const struct oag_error_list *diags,
                       const struct igr_list *recs)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "rc %d code %d %lu:%lu %s\n", rc, (int)err->code, err->line,
             err->column, err->message ? err->message : "");
    fuzz_diags_text(&b, diags);
    json_t *arr = conv_records_to_json(recs);
    char *j = json_dumps(arr, JSON_COMPACT);
    buf_adds(&b, j ? j : "");
    free(j);
    json_decref(arr);
    return buf_detach(&b, NULL);
}

size_t fuzz_check_diags(const struct oag_error_list *diags)
{
    size_t errors = 0;
    size_t warnings = 0;
    for (size_t i = 0; i < diags->len; i++) {
        const struct oag_diag *d = &diags->items[i];
        if (!d->error.message || !d->error.message[0]) {
            fuzz_fail("diagnostic %zu has no message", i);
        }
        if (d->error.code == OAG_ERR_NONE) {
            fuzz_fail("diagnostic '%s' has no code", d->error.message);
        }
        char *s = oag_error_format(&d->error, d->severity);
        if (!s) {
            fuzz_fail("diagnostic %zu does not format", i);
        }
        free(s);
        errors += d->severity == OAG_SEV_ERROR;
        warnings += d->severity == OAG_SEV_WARNING;
    }
    if (errors != diags->n_errors || warnings != diags->n_warnings) {
        fuzz_fail("diagnostic counts %zu/%zu do not match the entries %zu/%zu",
                  diags->n_errors, diags->n_warnings, errors, warnings);
    }
    return errors;
}

void fuzz_split(const uint8_t *data, size_t len, size_t *out_doc_len,
                const uint8_t **out_tail, size_t *out_tail_len)
{
    static const char sep[] = FUZZ_SEPARATOR;
    size_t n = sizeof(sep) - 1;
    *out_doc_len = len;
    *out_tail = NULL;
    *out_tail_len = 0;
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(data + i, sep, n) == 0) {
            *out_doc_len = i;
            *out_tail = data + i + n;
            *out_tail_len = len - i - n;
            return;
        }
    }
}

const struct igr_record *fuzz_find_target(const struct igr_list *list,
                                          const struct igr_record *rec)
{
    for (size_t i = 0; i < list->len; i++) {
        if (igr_record_same_target(&list->items[i], rec)) {
            return &list->items[i];
        }
    }
    return NULL;
}
