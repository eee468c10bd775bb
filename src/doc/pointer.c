/* JSON Pointer (RFC 6901 section 3: '~' is "~0", '/' is "~1"). */
#include "doc/pointer.h"

#include <string.h>

#include "util/buf.h"

void jptr_append(struct buf *ptr, const char *key, size_t len)
{
    buf_addch(ptr, '/');
    for (size_t i = 0; i < len; i++) {
        if (key[i] == '~') {
            buf_add(ptr, "~0", 2);
        } else if (key[i] == '/') {
            buf_add(ptr, "~1", 2);
        } else {
            buf_addch(ptr, key[i]);
        }
    }
}

void jptr_append_index(struct buf *ptr, size_t index)
{
    buf_addf(ptr, "/%zu", index);
}

char *jptr_join(const char *base, const char *key)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, base ? base : "");
    jptr_append(&b, key, strlen(key));
    return buf_detach(&b, NULL);
}
