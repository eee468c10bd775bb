/* JSON Pointer (RFC 6901 section 3: '~' is "~0", '/' is "~1"). */
#include "doc/pointer.h"

#include <string.h>

#include "util/buf.h"

void jptr_append(struct buf *ptr, const char *key, size_t len)
{
    buf_addch(ptr, '/');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        if (key[i] == '~' || key[i] == '/') {
            buf_add(ptr, key + run, i - run);
            buf_add(ptr, key[i] == '~' ? "~0" : "~1", 2);
            run = i + 1;
        }
    }
    buf_add(ptr, key + run, len - run);
}

void jptr_append_index(struct buf *ptr, size_t index)
{
    char digits[24];
    size_t n = sizeof(digits);
    do {
        digits[--n] = (char)('0' + index % 10);
        index /= 10;
    } while (index > 0);
    digits[--n] = '/';
    buf_add(ptr, digits + n, sizeof(digits) - n);
}

char *jptr_join(const char *base, const char *key)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, base ? base : "");
    jptr_append(&b, key, strlen(key));
    return buf_detach(&b, NULL);
}
