/*
 * The error type and diagnostic lists; see error.h.  Messages follow git's
 * CodingGuidelines: lower-case, no full stop, subject in single quotes.
 */
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

void oag_error_release(struct oag_error *err)
{
    if (!err) {
        return;
    }
    free(err->message);
    free(err->file);
    free(err->pointer);
    free(err->aws_code);
    free(err->request_id);
    memset(err, 0, sizeof(*err));
}

bool oag_error_is_set(const struct oag_error *err)
{
    return err && err->code != OAG_ERR_NONE;
}

int oag_error_vset(struct oag_error *err, enum oag_error_code code,
                   const char *fmt, va_list ap)
{
    if (!err) {
        return -1;
    }
    oag_error_release(err);
    struct buf b = BUF_INIT;
    buf_vaddf(&b, fmt, ap);
    err->code = code == OAG_ERR_NONE ? OAG_ERR_INTERNAL : code;
    err->message = buf_detach(&b, NULL);
    return -1;
}

int oag_error_set(struct oag_error *err, enum oag_error_code code,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    oag_error_vset(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

void oag_error_set_where(struct oag_error *err, const char *file,
                         unsigned long line, unsigned long column,
                         const char *pointer)
{
    if (!err) {
        return;
    }
    free(err->file);
    free(err->pointer);
    err->file = file ? xstrdup(file) : NULL;
    err->line = line;
    err->column = column;
    err->pointer = pointer ? xstrdup(pointer) : NULL;
}

int oag_error_wrap(struct oag_error *err, const char *fmt, ...)
{
    if (!err) {
        return -1;
    }
    struct buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    buf_adds(&b, ": ");
    buf_adds(&b, err->message ? err->message : "unknown error");
    free(err->message);
    err->message = buf_detach(&b, NULL);
    if (err->code == OAG_ERR_NONE) {
        err->code = OAG_ERR_INTERNAL;
    }
    return -1;
}

void oag_error_move(struct oag_error *dst, struct oag_error *src)
{
    if (dst == src) {
        return;
    }
    oag_error_release(dst);
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void oag_error_copy(struct oag_error *dst, const struct oag_error *src)
{
    if (dst == src) {
        return;
    }
    oag_error_release(dst);
    *dst = *src;
    dst->message = dup_or_null(src->message);
    dst->file = dup_or_null(src->file);
    dst->pointer = dup_or_null(src->pointer);
    dst->aws_code = dup_or_null(src->aws_code);
    dst->request_id = dup_or_null(src->request_id);
}

static const char *severity_word(enum oag_severity sev)
{
    switch (sev) {
    case OAG_SEV_ERROR:
        return "error";
    case OAG_SEV_WARNING:
        return "warning";
    case OAG_SEV_NOTE:
        return "note";
    }
    return "error";
}

char *oag_error_format(const struct oag_error *err, enum oag_severity sev)
{
    struct buf b = BUF_INIT;
    if (err->file) {
        buf_adds(&b, err->file);
        if (err->line) {
            buf_addf(&b, ":%lu", err->line);
            if (err->column) {
                buf_addf(&b, ":%lu", err->column);
            }
        }
        buf_adds(&b, ": ");
    }
    buf_addf(&b, "%s: %s", severity_word(sev),
             err->message ? err->message : "unknown error");
    if (err->pointer) {
        buf_addf(&b, " (at %s)", err->pointer[0] ? err->pointer : "/");
    }
    if (err->request_id) {
        buf_addf(&b, " [request id %s]", err->request_id);
    }
    return buf_detach(&b, NULL);
}

void oag_error_list_release(struct oag_error_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->len; i++) {
        oag_error_release(&list->items[i].error);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

static struct oag_diag *list_push(struct oag_error_list *list,
                                  enum oag_severity sev)
{
    if (list->len == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 8;
        list->items =
            xreallocarray(list->items, list->cap, sizeof(*list->items));
    }
    struct oag_diag *d = &list->items[list->len++];
    memset(d, 0, sizeof(*d));
    d->severity = sev;
    if (sev == OAG_SEV_ERROR) {
        list->n_errors++;
    } else if (sev == OAG_SEV_WARNING) {
        list->n_warnings++;
    }
    return d;
}

void oag_error_list_add(struct oag_error_list *list, enum oag_severity sev,
                        enum oag_error_code code, const char *file,
                        unsigned long line, unsigned long column,
                        const char *pointer, const char *fmt, ...)
{
    struct oag_diag *d = list_push(list, sev);
    va_list ap;
    va_start(ap, fmt);
    oag_error_vset(&d->error, code, fmt, ap);
    va_end(ap);
    oag_error_set_where(&d->error, file, line, column, pointer);
}

void oag_error_list_take(struct oag_error_list *list, enum oag_severity sev,
                         struct oag_error *err)
{
    struct oag_diag *d = list_push(list, sev);
    oag_error_move(&d->error, err);
}

static int diag_cmp(const struct oag_diag *a, const struct oag_diag *b)
{
    int c = strcmp(a->error.file ? a->error.file : "",
                   b->error.file ? b->error.file : "");
    if (c) {
        return c;
    }
    if (a->error.line != b->error.line) {
        return a->error.line < b->error.line ? -1 : 1;
    }
    if (a->error.column != b->error.column) {
        return a->error.column < b->error.column ? -1 : 1;
    }
    return 0;
}

void oag_error_list_sort(struct oag_error_list *list)
{
    /* insertion sort: stable, and lists are short */
    for (size_t i = 1; i < list->len; i++) {
        struct oag_diag d = list->items[i];
        size_t j = i;
        while (j > 0 && diag_cmp(&list->items[j - 1], &d) > 0) {
            list->items[j] = list->items[j - 1];
            j--;
        }
        list->items[j] = d;
    }
}

const char *oag_error_code_name(enum oag_error_code code)
{
    static const char *const names[] = {
        [OAG_ERR_NONE] = "none",       [OAG_ERR_USAGE] = "usage",
        [OAG_ERR_IO] = "io",           [OAG_ERR_SYNTAX] = "syntax",
        [OAG_ERR_INVALID] = "invalid", [OAG_ERR_UNSUPPORTED] = "unsupported",
        [OAG_ERR_LIMIT] = "limit",     [OAG_ERR_AUTH] = "auth",
        [OAG_ERR_NETWORK] = "network", [OAG_ERR_AWS] = "aws",
        [OAG_ERR_PARTIAL] = "partial", [OAG_ERR_INTERNAL] = "internal",
    };
    if ((size_t)code < sizeof(names) / sizeof(names[0])) {
        return names[code];
    }
    return "internal";
}

_Noreturn void oag_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "oas2apigw: BUG: %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
