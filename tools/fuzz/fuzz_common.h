/*
 * Helpers shared by the libFuzzer targets of tools/fuzz/ (not part of the
 * library).  A property that fails calls fuzz_fail(), which prints what
 * broke and aborts, so libFuzzer saves the input as a crash.
 */
#ifndef OAG_FUZZ_COMMON_H
#define OAG_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc/reader.h"

struct igr_list;
struct oag_error_list;

/*
 * The entry point every target defines (libFuzzer's).  tests/hostile
 * compiles each target with this name changed (-DLLVMFuzzerTestOneInput=
 * oag_fuzz_<target>) to replay testdata/fuzz/ in the unit suite.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

/* Limits small enough to keep every execution fast. */
void fuzz_limits(struct doc_limits *out);

/* Calls xalloc_setup() once. */
void fuzz_setup(void);

_Noreturn void fuzz_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Every diagnostic has a message and formats; returns the error count. */
size_t fuzz_check_diags(const struct oag_error_list *diags);

/*
 * Appends one line per diagnostic (severity, line:column, pointer,
 * message) to b, for comparing two runs.
 */
struct buf;
void fuzz_diags_text(struct buf *b, const struct oag_error_list *diags);

/*
 * One run's outcome as text, for comparing two ways to the same result:
 * rc, the error (code, place, message), the diagnostics, the records as
 * JSON (owned).
 */
struct igr_list;
char *fuzz_result_text(int rc, const struct oag_error *err,
                       const struct oag_error_list *diags,
                       const struct igr_list *recs);

/*
 * Finds the separator "\n#%%FUZZ%%\n" in data: *out_doc_len is the part
 * before it, the tail (*out_tail, *out_tail_len) what follows (NULL/0 when absent).
 */
void fuzz_split(const uint8_t *data, size_t len, size_t *out_doc_len,
                const uint8_t **out_tail, size_t *out_tail_len);

#define FUZZ_SEPARATOR "\n#%%FUZZ%%\n"

/* Finds the record of list with the same target as rec, or NULL. */
const struct igr_record *fuzz_find_target(const struct igr_list *list,
                                          const struct igr_record *rec);

#endif
