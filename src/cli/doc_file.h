/*
 * A document's bytes for a command that needs them all at once (merge).
 * A large regular file is mapped rather than read: no copy and no page
 * faults on fresh memory, a tenth of the time read() takes for 100 MB.
 * Anything else (stdin, pipes, small files) is read into memory.
 *
 * A mapped file that another process shortens while it is mapped makes
 * reading past its new end fault (SIGBUS).  The guard installed with the
 * first mapping turns that into an error: it names the file, removes the
 * output being written (buf_write_file_with's temporary file, so the
 * target is untouched) and exits with CLI_EXIT_IO.
 */
#ifndef OAG_CLI_DOC_FILE_H
#define OAG_CLI_DOC_FILE_H

#include <stddef.h>

#include "util/buf.h"

struct oag_error;

struct cli_doc_file {
    const char *name; /* for messages: the path, or "<stdin>" for "-" */
    const char *data; /* the bytes, NUL-terminated; borrowed from map/copy */
    size_t len;
    void *map; /* the mapping, or NULL when read */
    size_t map_len;
    struct buf copy; /* the bytes when read */
};

#define CLI_DOC_FILE_INIT \
    {                     \
        .data = ""        \
    }

/* Opens path ("-" = stdin; borrowed by f->name) into f; -1 with err set. */
int cli_doc_file_open(struct cli_doc_file *f, const char *path,
                      struct oag_error *err);
void cli_doc_file_close(struct cli_doc_file *f);

#endif
