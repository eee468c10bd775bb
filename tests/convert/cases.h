/*
 * Helpers for the convert tests: case directories under testdata/ and
 * ../shared/testdata/external, their files and arguments, and the records
 * and diagnostics of the converter in comparable forms.
 */
#ifndef OAG_TESTS_CONVERT_CASES_H
#define OAG_TESTS_CONVERT_CASES_H

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "convert/convert.h"

struct oag_error_list;

/* One case for a parameterized test: its directory name (cr_malloc'd). */
struct tc_case {
    char *name;
};

/* The directories under $OAG_SOURCE_ROOT/rel, sorted, as test params. */
struct criterion_test_params tc_case_params(const char *rel);

/* Sorted names of entries under dir (files and directories). */
char **tc_list(const char *dir, size_t *out_n);
void tc_list_free(char **names, size_t n);

/* dir/file, or NULL when it does not exist (caller frees). */
char *tc_read(const char *dir, const char *file, size_t *out_len);

/* The case's input: input.yaml or input.json (name and text, owned). */
void tc_input(const char *dir, char **out_name, char **out_data,
              size_t *out_len);

/* Options from the case's optional `args` file (--basepath MODE). */
void tc_options(const char *dir, struct conv_options *out);

/* "input.yaml:1:2: warning: ..." lines, sorted, one per line (owned). */
char *tc_format_diags(struct oag_error_list *diags);

/* Records of data as their JSON array, or NULL with err set. */
json_t *tc_extract(const char *data, size_t len, const char *name,
                   const struct conv_options *opts,
                   struct oag_error_list *diags, struct oag_error *err);

/*
 * Calls fn for every document (input, *.yaml, *.yml, *.json up to 4 MiB)
 * under our testdata and the shared real documents; returns how many.
 */
typedef void (*tc_document_fn)(const char *path, const char *data, size_t len,
                               void *ctx);
size_t tc_each_document(tc_document_fn fn, void *ctx);

/* Compact text of v with sorted keys, for messages (owned). */
char *tc_show(json_t *v);

#endif
