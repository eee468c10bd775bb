/* Helpers shared by the criterion suites: data paths from meson, files. */
#ifndef OAG_TESTS_COMMON_H
#define OAG_TESTS_COMMON_H

#include <stdbool.h>
#include <stddef.h>

/* $OAG_SOURCE_ROOT/rel (caller frees). */
char *test_source_path(const char *rel);
/* $OAG_SHARED_ROOT/rel (caller frees); NULL when ../shared is absent. */
char *test_shared_path(const char *rel);
/* Whole file, NUL-terminated (caller frees); NULL if it cannot be read. */
char *test_read_file(const char *path, size_t *out_len);
/* Writes data to a fresh temp file; returns its path (caller frees). */
char *test_write_temp(const char *data, size_t len, const char *suffix);
bool test_file_exists(const char *path);

#endif
