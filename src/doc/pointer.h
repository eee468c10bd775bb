/* JSON Pointer (RFC 6901): building and escaping. */
#ifndef OAG_DOC_POINTER_H
#define OAG_DOC_POINTER_H

#include <stddef.h>

struct buf;

/* Appends "/" and key escaped ('~' -> "~0", '/' -> "~1"). */
void jptr_append(struct buf *ptr, const char *key, size_t len);
/* Appends "/" and the decimal index. */
void jptr_append_index(struct buf *ptr, size_t index);
/* New string "base/escaped(key)" (caller frees). */
char *jptr_join(const char *base, const char *key);

#endif
