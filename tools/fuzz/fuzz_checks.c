/*
 * The single-value checkers of model/igr.h: selection patterns (PCRE2 with
 * the Java pre-scan), mapping expressions, header keys, media types, status
 * codes, content handling.  The first byte picks the checker, the rest is
 * the value (cut at its first NUL, as C strings are).
 *
 * Properties: a check that fails sets a message and leaves the code set; a
 * check that passes leaves err untouched; a header key's name points into
 * the key, after "method.response.header.".
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "model/igr.h"
#include "util/error.h"
#include "util/xalloc.h"

static void expect(int rc, struct oag_error *err, const char *what,
                   const char *s)
{
    if (rc == 0 && oag_error_is_set(err)) {
        fuzz_fail("%s passed '%s' but set an error", what, s);
    }
    if (rc != 0 &&
        (!err->message || !err->message[0] || err->code == OAG_ERR_NONE)) {
        fuzz_fail("%s refused '%s' without a message", what, s);
    }
    if (rc != 0 && rc != -1) {
        fuzz_fail("%s returned %d", what, rc);
    }
    oag_error_release(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    fuzz_setup();
    if (len == 0) {
        return 0;
    }
    char *s = xstrndup((const char *)data + 1, len - 1);
    struct oag_error err = OAG_ERROR_INIT;
    const char *name = NULL;
    int rc;
    switch (data[0] % 6) {
    case 0:
        rc = igr_check_selection_pattern(s, &err);
        expect(rc, &err, "selection pattern", s);
        (void)igr_pattern_dot_misses_newlines(s);
        break;
    case 1:
        rc = igr_check_source_expression(s, &err);
        expect(rc, &err, "source expression", s);
        break;
    case 2:
        rc = igr_check_header_key(s, &name, &err);
        if (rc == 0 &&
            (name != s + strlen("method.response.header.") || !*name)) {
            fuzz_fail("header key '%s' gave a name outside it", s);
        }
        expect(rc, &err, "header key", s);
        break;
    case 3:
        rc = igr_check_media_type(s, &err);
        expect(rc, &err, "media type", s);
        break;
    case 4:
        if (igr_status_code_is_valid(s) !=
            (strlen(s) == 3 && s[0] >= '1' && s[0] <= '5' && s[1] >= '0' &&
             s[1] <= '9' && s[2] >= '0' && s[2] <= '9')) {
            fuzz_fail("status code check disagrees with [1-5]\\d\\d on '%s'",
                      s);
        }
        break;
    default: {
        bool want = strcmp(s, "CONVERT_TO_TEXT") == 0 ||
                    strcmp(s, "CONVERT_TO_BINARY") == 0;
        if (igr_content_handling_is_valid(s) != want) {
            fuzz_fail("content handling check wrong on '%s'", s);
        }
        bool method = false;
        for (size_t i = 0; i < igr_http_method_values_len; i++) {
            method = method || strcmp(igr_http_method_values[i], s) == 0;
        }
        if (igr_http_method_is_valid(s) != method) {
            fuzz_fail("method check disagrees with the table on '%s'", s);
        }
        break;
    }
    }
    free(s);
    return 0;
}
