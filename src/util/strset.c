/* Hash set of strings (FNV-1a, linear probing); see strset.h. */
#include "util/strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void strset_release(struct strset *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->cap; i++) {
        free(s->keys[i]);
    }
    free(s->keys);
    free(s->values);
    memset(s, 0, sizeof(*s));
}

static size_t slot_of(const struct strset *s, const char *key, bool *found)
{
    size_t mask = s->cap - 1;
    size_t i = (size_t)hash(key) & mask;
    while (s->keys[i]) {
        if (strcmp(s->keys[i], key) == 0) {
            *found = true;
            return i;
        }
        i = (i + 1) & mask;
    }
    *found = false;
    return i;
}

static void grow(struct strset *s)
{
    struct strset bigger = { 0 };
    bigger.cap = s->cap ? s->cap * 2 : 64;
    bigger.keys = xcalloc(bigger.cap, sizeof(*bigger.keys));
    bigger.values = xcalloc(bigger.cap, sizeof(*bigger.values));
    for (size_t i = 0; i < s->cap; i++) {
        if (s->keys[i]) {
            bool found;
            size_t j = slot_of(&bigger, s->keys[i], &found);
            bigger.keys[j] = s->keys[i];
            bigger.values[j] = s->values[i];
            bigger.len++;
        }
    }
    free(s->keys);
    free(s->values);
    *s = bigger;
}

bool strset_add(struct strset *s, const char *key, size_t value)
{
    if ((s->len + 1) * 4 > s->cap * 3) {
        grow(s);
    }
    bool found;
    size_t i = slot_of(s, key, &found);
    if (found) {
        return false;
    }
    s->keys[i] = xstrdup(key);
    s->values[i] = value;
    s->len++;
    return true;
}

bool strset_find(const struct strset *s, const char *key, size_t *out_value)
{
    if (!s->cap) {
        return false;
    }
    bool found;
    size_t i = slot_of(s, key, &found);
    if (found && out_value) {
        *out_value = s->values[i];
    }
    return found;
}
