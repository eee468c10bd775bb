/* A hash set of strings mapping each to a size_t (open addressing). */
#ifndef OAG_UTIL_STRSET_H
#define OAG_UTIL_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
    char **keys; /* owned; NULL = empty slot */
    size_t *values;
    size_t cap; /* power of two, 0 while empty */
    size_t len;
};

#define STRSET_INIT \
    {               \
        0           \
    }

void strset_release(struct strset *s);
/* Adds key (copied) with value; returns false if it was already there. */
bool strset_add(struct strset *s, const char *key, size_t value);
/* True and *out_value set when key is present (out_value may be NULL). */
bool strset_find(const struct strset *s, const char *key, size_t *out_value);

#endif
