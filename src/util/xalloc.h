/*
 * Allocation wrappers: out of memory is fatal (message on stderr, exit 3),
 * so callers need no failure branch.  jansson is pointed at them by
 * xalloc_setup().
 */
#ifndef OAG_UTIL_XALLOC_H
#define OAG_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of nmemb elements of size bytes; checks for overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Heap-formatted string. */
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Makes jansson allocate through xmalloc; call once at start-up. */
void xalloc_setup(void);

/* Overwrites n bytes at p in a way the compiler will not elide. */
void secure_zero(void *p, size_t n);
/* secure_zero of a NUL-terminated string, then free(); accepts NULL. */
void free_secret(char *s);

#endif
