/* Allocation wrappers; see xalloc.h.  Out of memory ends the process. */
#include "util/xalloc.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void die_oom(size_t size)
{
    fprintf(stderr, "oas2apigw: fatal: out of memory allocating %zu bytes\n",
            size);
    exit(3);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        die_oom(size);
    }
    return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p) {
        die_oom(nmemb * size);
    }
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p) {
        die_oom(size);
    }
    return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size) {
        die_oom(SIZE_MAX);
    }
    return xrealloc(ptr, nmemb * size);
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrfmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        va_end(ap2);
        return xstrdup("");
    }
    if ((size_t)n < sizeof(small)) {
        va_end(ap2);
        return xstrndup(small, (size_t)n);
    }
    char *p = xmalloc((size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

static void *json_xmalloc(size_t size)
{
    return xmalloc(size);
}

void xalloc_setup(void)
{
    json_set_alloc_funcs(json_xmalloc, free);
}

void secure_zero(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--) {
        *v++ = 0;
    }
}

void free_secret(char *s)
{
    if (s) {
        secure_zero(s, strlen(s));
        free(s);
    }
}
