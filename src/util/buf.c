/* Growable NUL-terminated byte buffer; see buf.h. */
#define _XOPEN_SOURCE 700 /* realpath(3) */
#include "util/buf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"

void buf_release(struct buf *b)
{
    if (b) {
        free(b->data);
        b->data = NULL;
        b->len = 0;
        b->cap = 0;
    }
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

void buf_grow(struct buf *b, size_t extra)
{
    if (extra >= (size_t)-1 - b->len - 1) {
        OAG_BUG("buffer size overflow");
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap = cap + cap / 2 + 16;
    }
    bool fresh = b->data == NULL;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    if (fresh) {
        b->data[b->len] = '\0';
    }
}

void buf_vaddf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    buf_grow(b, 64);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        OAG_BUG("vsnprintf failed");
    }
    if ((size_t)n >= b->cap - b->len) {
        buf_grow(b, (size_t)n);
        vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
    }
    va_end(ap2);
    b->len += (size_t)n;
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

const char *buf_str(const struct buf *b)
{
    return b->data ? b->data : "";
}

char *buf_detach(struct buf *b, size_t *out_len)
{
    if (!b->data) {
        buf_grow(b, 0);
        b->data[0] = '\0';
    }
    char *s = b->data;
    if (out_len) {
        *out_len = b->len;
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return s;
}

int buf_read_file(struct buf *b, const char *path, size_t max_bytes,
                  struct oag_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        return oag_error_set(err, OAG_ERR_IO, "cannot open '%s': %s", path,
                             strerror(errno));
    }
    int rc = 0;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (max_bytes == 0 || (size_t)st.st_size <= max_bytes)) {
        /* a regular file's size is known: read it into one allocation */
        buf_grow(b, (size_t)st.st_size + 4096);
    }
    for (;;) {
        if (b->cap - b->len < 4096) { /* cap 0: nothing allocated yet */
            buf_grow(b, 65536);
        }
        size_t n = fread(b->data + b->len, 1, b->cap - b->len - 1, f);
        b->len += n;
        b->data[b->len] = '\0';
        if (max_bytes && b->len > max_bytes) {
            rc = oag_error_set(err, OAG_ERR_LIMIT,
                               "'%s' is larger than the limit of %zu bytes",
                               path, max_bytes);
            break;
        }
        if (n == 0) {
            if (ferror(f)) {
                rc = oag_error_set(err, OAG_ERR_IO, "cannot read '%s': %s",
                                   path, strerror(errno));
            }
            break;
        }
    }
    if (!is_stdin) {
        fclose(f);
    }
    return rc;
}

static int write_stream(buf_writer_fn fn, void *ctx, FILE *f, const char *path,
                        struct oag_error *err)
{
    if (fn(ctx, f) != 0 || fflush(f) != 0) {
        return oag_error_set(err, OAG_ERR_IO, "cannot write '%s': %s", path,
                             strerror(errno));
    }
    return 0;
}

static int write_buf(void *ctx, FILE *f)
{
    const struct buf *b = ctx;
    return fwrite(buf_str(b), 1, b->len, f) == b->len ? 0 : -1;
}

int buf_write_file(const struct buf *b, const char *path, struct oag_error *err)
{
    return buf_write_file_with(path, write_buf, (void *)b, err);
}

/* The temporary file being written, for buf_write_file_temp. */
static char writing_temp[4096];

const char *buf_write_file_temp(void)
{
    return writing_temp[0] ? writing_temp : NULL;
}

/*
 * Regular files are replaced atomically (a temp file beside them, fsync,
 * rename), keeping their permissions; a symbolic link is followed so the
 * link stays a link.  Anything else that exists (/dev/null, a FIFO, a
 * terminal) is written in place: renaming over it would replace a device
 * with a regular file.
 */
int buf_write_file_with(const char *path, buf_writer_fn fn, void *ctx,
                        struct oag_error *err)
{
    if (strcmp(path, "-") == 0) {
        return write_stream(fn, ctx, stdout, "stdout", err);
    }
    char *real = NULL;
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        FILE *f = fopen(path, "wb");
        if (!f) {
            return oag_error_set(err, OAG_ERR_IO, "cannot open '%s': %s", path,
                                 strerror(errno));
        }
        int rc = write_stream(fn, ctx, f, path, err);
        if (fclose(f) != 0 && rc == 0) {
            rc = oag_error_set(err, OAG_ERR_IO, "cannot write '%s': %s", path,
                               strerror(errno));
        }
        return rc;
    }
    struct stat lst;
    if (exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        real = realpath(path, NULL);
    }
    const char *target = real ? real : path;
    char *tmp = xstrfmt("%s.tmp.%ld", target, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL,
                  exists ? st.st_mode & 07777 : 0666);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        free(real);
        return oag_error_set(err, OAG_ERR_IO, "cannot create '%s': %s", path,
                             strerror(e));
    }
    if (exists) {
        fchmod(fd, st.st_mode & 07777);
    }
    if (strlen(tmp) < sizeof(writing_temp)) {
        memcpy(writing_temp, tmp, strlen(tmp) + 1);
    }
    errno = 0;
    bool ok = fn(ctx, f) == 0 && fflush(f) == 0 && fsync(fileno(f)) == 0;
    int e = errno;
    writing_temp[0] = '\0';
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok || rename(tmp, target) != 0) {
        e = ok ? errno : e != 0 ? e : EIO;
        unlink(tmp);
        free(tmp);
        free(real);
        return oag_error_set(err, OAG_ERR_IO, "cannot write '%s': %s", path,
                             strerror(e));
    }
    free(tmp);
    free(real);
    return 0;
}
