/*
 * A growable byte buffer, always NUL-terminated (data is never NULL once
 * anything was added; a zeroed buf reads as "").  Modelled on git's strbuf.
 */
#ifndef OAG_UTIL_BUF_H
#define OAG_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct buf {
    char *data; /* owned, NUL-terminated; NULL while empty and unallocated */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
};

#define BUF_INIT \
    {            \
        0        \
    }

void buf_release(struct buf *b);
/* Keeps the allocation, sets len to 0. */
void buf_reset(struct buf *b);
/* Ensures room for extra more bytes plus the NUL. */
void buf_grow(struct buf *b, size_t extra);

/*
 * The appends are inline: they run for every byte of the output that
 * extract formats and of every pointer a kept subtree records.
 */
static inline void buf_add(struct buf *b, const void *data, size_t len)
{
    if (len >= b->cap - b->len) { /* also when nothing is allocated yet */
        buf_grow(b, len);
    }
    if (len) {
        memcpy(b->data + b->len, data, len);
    }
    b->len += len;
    b->data[b->len] = '\0';
}

static inline void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static inline void buf_addch(struct buf *b, char c)
{
    if (b->cap - b->len < 2) {
        buf_grow(b, 1);
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
void buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Shortens to len bytes (no-op when already shorter). */
void buf_truncate(struct buf *b, size_t len);
/* The string, or "" for an empty buffer; borrowed. */
const char *buf_str(const struct buf *b);
/* Hands the string to the caller (never NULL) and re-inits b. */
char *buf_detach(struct buf *b, size_t *out_len);

/* Reads a whole file ("-" = stdin) into b; max_bytes 0 = no limit. */
struct oag_error;
int buf_read_file(struct buf *b, const char *path, size_t max_bytes,
                  struct oag_error *err);
/* Writes b to path atomically (temp file + rename); "-" = stdout. */
int buf_write_file(const struct buf *b, const char *path,
                   struct oag_error *err);

/*
 * Writes to path what fn writes to the stream it is given, as
 * buf_write_file writes a buffer: atomically for regular files, in place
 * for devices and FIFOs, "-" = stdout.  fn returns 0, or -1 with errno set
 * by the failed write (nothing of a failed atomic write stays behind).
 */
typedef int (*buf_writer_fn)(void *ctx, FILE *f);
int buf_write_file_with(const char *path, buf_writer_fn fn, void *ctx,
                        struct oag_error *err);

/*
 * The temporary file buf_write_file_with is writing while fn runs, or
 * NULL: for a fatal-signal handler to remove (async-signal-safe).
 */
const char *buf_write_file_temp(void);

#endif
