/* Records, maps and lists of the model; see igr.h. */
#include "model/igr.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

void igr_map_release(struct igr_map *m)
{
    if (!m) {
        return;
    }
    for (size_t i = 0; i < m->len; i++) {
        free(m->items[i].key);
        free(m->items[i].value);
    }
    free(m->items);
    memset(m, 0, sizeof(*m));
}

void igr_map_set(struct igr_map *m, const char *key, const char *value)
{
    for (size_t i = 0; i < m->len; i++) {
        if (strcmp(m->items[i].key, key) == 0) {
            free(m->items[i].value);
            m->items[i].value = xstrdup(value);
            return;
        }
    }
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->items = xreallocarray(m->items, m->cap, sizeof(*m->items));
    }
    m->items[m->len].key = xstrdup(key);
    m->items[m->len].value = xstrdup(value);
    m->len++;
}

void igr_map_take(struct igr_map *m, char *key, char *value)
{
    for (size_t i = 0; i < m->len; i++) {
        if (strcmp(m->items[i].key, key) == 0) {
            free(m->items[i].value);
            m->items[i].value = value;
            free(key);
            return;
        }
    }
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->items = xreallocarray(m->items, m->cap, sizeof(*m->items));
    }
    m->items[m->len].key = key;
    m->items[m->len].value = value;
    m->len++;
}

const char *igr_map_get(const struct igr_map *m, const char *key)
{
    for (size_t i = 0; i < m->len; i++) {
        if (strcmp(m->items[i].key, key) == 0) {
            return m->items[i].value;
        }
    }
    return NULL;
}

bool igr_map_equal(const struct igr_map *a, const struct igr_map *b)
{
    if (a->len != b->len) {
        return false;
    }
    for (size_t i = 0; i < a->len; i++) {
        const char *v = igr_map_get(b, a->items[i].key);
        if (!v || strcmp(v, a->items[i].value) != 0) {
            return false;
        }
    }
    return true;
}

void igr_map_copy(struct igr_map *dst, const struct igr_map *src)
{
    igr_map_release(dst);
    for (size_t i = 0; i < src->len; i++) {
        igr_map_set(dst, src->items[i].key, src->items[i].value);
    }
}

void igr_record_release(struct igr_record *r)
{
    if (!r) {
        return;
    }
    free(r->path);
    free(r->http_method);
    free(r->status_code);
    free(r->selection_pattern);
    igr_map_release(&r->response_parameters);
    igr_map_release(&r->response_templates);
    free(r->content_handling);
    free(r->rest_api_id);
    free(r->resource_id);
    memset(r, 0, sizeof(*r));
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void igr_record_copy(struct igr_record *dst, const struct igr_record *src)
{
    igr_record_release(dst);
    dst->path = dup_or_null(src->path);
    dst->http_method = dup_or_null(src->http_method);
    dst->status_code = dup_or_null(src->status_code);
    dst->selection_pattern = dup_or_null(src->selection_pattern);
    igr_map_copy(&dst->response_parameters, &src->response_parameters);
    igr_map_copy(&dst->response_templates, &src->response_templates);
    dst->content_handling = dup_or_null(src->content_handling);
    dst->rest_api_id = dup_or_null(src->rest_api_id);
    dst->resource_id = dup_or_null(src->resource_id);
}

static bool str_eq(const char *a, const char *b)
{
    if (!a || !b) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

bool igr_record_same_target(const struct igr_record *a,
                            const struct igr_record *b)
{
    return str_eq(a->path, b->path) && str_eq(a->http_method, b->http_method) &&
           str_eq(a->status_code, b->status_code);
}

bool igr_record_same_content(const struct igr_record *a,
                             const struct igr_record *b)
{
    return str_eq(a->selection_pattern, b->selection_pattern) &&
           str_eq(a->content_handling, b->content_handling) &&
           igr_map_equal(&a->response_parameters, &b->response_parameters) &&
           igr_map_equal(&a->response_templates, &b->response_templates);
}

bool igr_record_equal(const struct igr_record *a, const struct igr_record *b)
{
    return igr_record_same_target(a, b) && igr_record_same_content(a, b);
}

char *igr_record_describe(const struct igr_record *r)
{
    return xstrfmt("%s %s %s", r->http_method ? r->http_method : "?",
                   r->path ? r->path : "?",
                   r->status_code ? r->status_code : "?");
}

void igr_list_release(struct igr_list *l)
{
    if (!l) {
        return;
    }
    for (size_t i = 0; i < l->len; i++) {
        igr_record_release(&l->items[i]);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

struct igr_record *igr_list_add(struct igr_list *l)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->items = xreallocarray(l->items, l->cap, sizeof(*l->items));
    }
    struct igr_record *r = &l->items[l->len++];
    memset(r, 0, sizeof(*r));
    return r;
}

static bool in_table(const char *const *table, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++) {
        if (strcmp(table[i], s) == 0) {
            return true;
        }
    }
    return false;
}

bool igr_content_handling_is_valid(const char *s)
{
    return in_table(igr_content_handling_values,
                    igr_content_handling_values_len, s);
}

bool igr_http_method_is_valid(const char *s)
{
    return in_table(igr_http_method_values, igr_http_method_values_len, s);
}

bool igr_status_code_is_valid(const char *s)
{
    return s && s[0] >= '1' && s[0] <= '5' && s[1] >= '0' && s[1] <= '9' &&
           s[2] >= '0' && s[2] <= '9' && s[3] == '\0';
}
