/*
 * The model's JSON form (schemas/records.schema.json): an array of records,
 * keys in the order path, httpMethod, statusCode, selectionPattern,
 * responseParameters, responseTemplates, contentHandling, restApiId,
 * resourceId; empty maps and the catch-all's pattern are left out.
 */
#include "convert/convert.h"

#include <stdlib.h>
#include <string.h>

#include "doc/pointer.h"
#include "doc/reader.h"
#include "doc/tree.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

static json_t *map_to_json(const struct igr_map *m)
{
    json_t *o = json_object();
    for (size_t i = 0; i < m->len; i++) {
        json_object_set_new(o, m->items[i].key, json_string(m->items[i].value));
    }
    return o;
}

json_t *conv_record_to_json(const struct igr_record *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(r->path ? r->path : ""));
    json_object_set_new(o, "httpMethod",
                        json_string(r->http_method ? r->http_method : ""));
    json_object_set_new(o, "statusCode",
                        json_string(r->status_code ? r->status_code : ""));
    if (r->selection_pattern) {
        json_object_set_new(o, "selectionPattern",
                            json_string(r->selection_pattern));
    }
    if (r->response_parameters.len) {
        json_object_set_new(o, "responseParameters",
                            map_to_json(&r->response_parameters));
    }
    if (r->response_templates.len) {
        json_object_set_new(o, "responseTemplates",
                            map_to_json(&r->response_templates));
    }
    if (r->content_handling) {
        json_object_set_new(o, "contentHandling",
                            json_string(r->content_handling));
    }
    if (r->rest_api_id) {
        json_object_set_new(o, "restApiId", json_string(r->rest_api_id));
    }
    if (r->resource_id) {
        json_object_set_new(o, "resourceId", json_string(r->resource_id));
    }
    return o;
}

/* JSON string escaping as jansson does it (UTF-8 kept, / not escaped). */
static void add_json_string(struct buf *out, const char *s)
{
    /* 1 for the bytes that end a run: NUL, controls, '"', '\\', DEL */
    static const unsigned char stop[256] = {
        [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1,
        [0x06] = 1, [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0A] = 1, [0x0B] = 1,
        [0x0C] = 1, [0x0D] = 1, [0x0E] = 1, [0x0F] = 1, [0x10] = 1, [0x11] = 1,
        [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1, [0x16] = 1, [0x17] = 1,
        [0x18] = 1, [0x19] = 1, [0x1A] = 1, [0x1B] = 1, [0x1C] = 1, [0x1D] = 1,
        [0x1E] = 1, [0x1F] = 1, ['"'] = 1,  ['\\'] = 1, [0x7F] = 1,
    };
    buf_addch(out, '"');
    const char *run = s;
    for (;; s++) {
        while (!stop[(unsigned char)*s]) {
            s++;
        }
        unsigned char c = (unsigned char)*s;
        if (c == 0) {
            break;
        }
        buf_add(out, run, (size_t)(s - run));
        switch (c) {
        case '"':
            buf_adds(out, "\\\"");
            break;
        case '\\':
            buf_adds(out, "\\\\");
            break;
        case '\n':
            buf_adds(out, "\\n");
            break;
        case '\t':
            buf_adds(out, "\\t");
            break;
        case '\r':
            buf_adds(out, "\\r");
            break;
        case '\b':
            buf_adds(out, "\\b");
            break;
        case '\f':
            buf_adds(out, "\\f");
            break;
        default:
            buf_addf(out, "\\u%04X", c);
            break;
        }
        run = s + 1;
    }
    buf_add(out, run, (size_t)(s - run));
    buf_addch(out, '"');
}

static void add_indent(struct buf *out, unsigned n)
{
    static const char spaces[] = "                                ";
    while (n > 0) {
        unsigned k = n < 32 ? n : 32;
        buf_add(out, spaces, k);
        n -= k;
    }
}

static void add_member(struct buf *out, bool *first, unsigned indent,
                       const char *key)
{
    buf_adds(out, *first ? "\n" : ",\n");
    *first = false;
    add_indent(out, indent);
    add_json_string(out, key);
    buf_adds(out, ": ");
}

static void add_map(struct buf *out, const struct igr_map *m, unsigned indent)
{
    buf_addch(out, '{');
    bool first = true;
    for (size_t i = 0; i < m->len; i++) {
        add_member(out, &first, indent + 2, m->items[i].key);
        add_json_string(out, m->items[i].value);
    }
    buf_addch(out, '\n');
    add_indent(out, indent);
    buf_addch(out, '}');
}

void conv_record_format(struct buf *out, const struct igr_record *r,
                        unsigned indent)
{
    bool first = true;
    buf_addch(out, '{');
    add_member(out, &first, indent + 2, "path");
    add_json_string(out, r->path ? r->path : "");
    add_member(out, &first, indent + 2, "httpMethod");
    add_json_string(out, r->http_method ? r->http_method : "");
    add_member(out, &first, indent + 2, "statusCode");
    add_json_string(out, r->status_code ? r->status_code : "");
    if (r->selection_pattern) {
        add_member(out, &first, indent + 2, "selectionPattern");
        add_json_string(out, r->selection_pattern);
    }
    if (r->response_parameters.len) {
        add_member(out, &first, indent + 2, "responseParameters");
        add_map(out, &r->response_parameters, indent + 2);
    }
    if (r->response_templates.len) {
        add_member(out, &first, indent + 2, "responseTemplates");
        add_map(out, &r->response_templates, indent + 2);
    }
    if (r->content_handling) {
        add_member(out, &first, indent + 2, "contentHandling");
        add_json_string(out, r->content_handling);
    }
    if (r->rest_api_id) {
        add_member(out, &first, indent + 2, "restApiId");
        add_json_string(out, r->rest_api_id);
    }
    if (r->resource_id) {
        add_member(out, &first, indent + 2, "resourceId");
        add_json_string(out, r->resource_id);
    }
    buf_addch(out, '\n');
    add_indent(out, indent);
    buf_addch(out, '}');
}

json_t *conv_records_to_json(const struct igr_list *list)
{
    json_t *a = json_array();
    for (size_t i = 0; i < list->len; i++) {
        json_array_append_new(a, conv_record_to_json(&list->items[i]));
    }
    return a;
}

struct reader_ctx {
    const char *name;
    struct oag_error_list *diags;
    size_t index;
    bool bad;
};

static void rec_error(struct reader_ctx *c, const char *field, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));

static void rec_error(struct reader_ctx *c, const char *field, const char *fmt,
                      ...)
{
    c->bad = true;
    if (!c->diags) {
        return;
    }
    struct oag_error e = OAG_ERROR_INIT;
    va_list ap;
    va_start(ap, fmt);
    oag_error_vset(&e, OAG_ERR_INVALID, fmt, ap);
    va_end(ap);
    char *ptr =
        field ? xstrfmt("/%zu/%s", c->index, field) : xstrfmt("/%zu", c->index);
    oag_error_set_where(&e, c->name, 0, 0, ptr);
    free(ptr);
    oag_error_list_take(c->diags, OAG_SEV_ERROR, &e);
}

/*
 * A record's members in document order, as JSON values: read from a json
 * object, or straight from the events of a records file (load_record).
 * Keys keep their length (a key may hold NUL); a repeated key keeps its
 * first place and its last value, as a JSON object does.
 */
struct members;

struct member {
    char *key; /* owned */
    size_t key_len;
    json_t *value;       /* owned reference, or NULL when str or sub is set */
    char *str;           /* owned: a scalar that resolves to a string */
    struct members *sub; /* owned: a mapping read member by member */
};

struct members {
    struct member *items;
    size_t len;
    size_t cap;
};

static void members_release(struct members *m);

/* Empties m, keeping its array for the next record. */
static void members_clear(struct members *m)
{
    for (size_t i = 0; i < m->len; i++) {
        free(m->items[i].key);
        json_decref(m->items[i].value);
        free(m->items[i].str);
        if (m->items[i].sub) {
            members_release(m->items[i].sub);
            free(m->items[i].sub);
        }
    }
    m->len = 0;
}

static void members_release(struct members *m)
{
    members_clear(m);
    free(m->items);
    memset(m, 0, sizeof(*m));
}

/* The member named key (exactly), or NULL. */
static struct member *members_find(const struct members *m, const char *key,
                                   size_t key_len)
{
    for (size_t i = 0; i < m->len; i++) {
        if (m->items[i].key_len == key_len &&
            memcmp(m->items[i].key, key, key_len) == 0) {
            return &m->items[i];
        }
    }
    return NULL;
}

/*
 * Sets key (taken) to value (reference taken), str (taken) or sub (taken):
 * one of them; true when the key was there (key is then freed).
 */
static bool members_take(struct members *m, char *key, size_t key_len,
                         json_t *value, char *str, struct members *sub)
{
    struct member *e = members_find(m, key, key_len);
    if (e) {
        free(key);
        json_decref(e->value);
        free(e->str);
        if (e->sub) {
            members_release(e->sub);
            free(e->sub);
        }
        e->value = value;
        e->str = str;
        e->sub = sub;
        return true;
    }
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->items = xreallocarray(m->items, m->cap, sizeof(*m->items));
    }
    e = &m->items[m->len++];
    e->key = key;
    e->key_len = key_len;
    e->value = value;
    e->str = str;
    e->sub = sub;
    return false;
}

static struct member *member_get(const struct members *m, const char *field)
{
    return members_find(m, field, strlen(field));
}

/* The member's string value, taken when it is its own (owned), or NULL. */
static char *member_take_str(struct member *e)
{
    if (e && e->str) {
        char *s = e->str;
        e->str = NULL;
        return s;
    }
    const char *s = e ? json_string_value(e->value) : NULL;
    return s ? xstrdup(s) : NULL;
}

/* The member's key, taken from it (a C string: text after a NUL is not
   read, as with a copy). */
static char *take_key(struct member *m)
{
    char *k = m->key;
    m->key = NULL;
    return k;
}

/* The member's value when it is a string, or NULL. */
static const char *member_str(const struct member *e)
{
    if (!e) {
        return NULL;
    }
    return e->str ? e->str : json_string_value(e->value);
}

/* A member that is there and null. */
static bool member_null(const struct member *e)
{
    return e && !e->str && !e->sub && json_is_null(e->value);
}

static void members_from_object(json_t *o, struct members *out)
{
    const char *k;
    json_t *v;
    json_object_foreach (o, k, v) {
        size_t n = json_object_iter_key_len(json_object_key_to_iter(k));
        members_take(out, xstrndup(k, n), n, json_incref(v), NULL, NULL);
    }
}

static char *req_string(struct reader_ctx *c, struct members *o,
                        const char *field)
{
    struct member *e = member_get(o, field);
    char *s = member_take_str(e);
    if (!s) {
        rec_error(c, field, e ? "'%s' must be a string" : "record has no '%s'",
                  field);
    }
    return s;
}

static void map_value(struct reader_ctx *c, const char *field, const char *k,
                      struct member *m, bool null_is_empty, struct igr_map *out)
{
    char *s = member_take_str(m);
    if (s) {
        igr_map_take(out, m->key ? take_key(m) : xstrdup(k), s);
    } else if (member_null(m) && null_is_empty) {
        igr_map_set(out, k, "");
    } else {
        rec_error(c, field, "value of '%s' in '%s' must be a string", k, field);
    }
}

static void read_map(struct reader_ctx *c, struct members *o, const char *field,
                     bool null_is_empty, struct igr_map *out)
{
    struct member *e = member_get(o, field);
    if (e && e->sub) {
        for (size_t i = 0; i < e->sub->len; i++) {
            struct member *s = &e->sub->items[i];
            map_value(c, field, s->key, s, null_is_empty, out);
        }
        return;
    }
    if (e && e->str) {
        rec_error(c, field, "'%s' must be an object", field);
        return;
    }
    json_t *v = e ? e->value : NULL;
    if (!v || json_is_null(v)) {
        return;
    }
    if (!json_is_object(v)) {
        rec_error(c, field, "'%s' must be an object", field);
        return;
    }
    const char *k;
    json_t *m;
    json_object_foreach (v, k, m) {
        struct member one = { .value = m };
        map_value(c, field, k, &one, null_is_empty, out);
    }
}

/* Reads record r from o, taking the strings o owns. */
static void read_record(struct reader_ctx *c, struct members *o,
                        struct igr_record *r)
{
    static const char *const known[] = {
        "path",
        "httpMethod",
        "statusCode",
        "selectionPattern",
        "responseParameters",
        "responseTemplates",
        "contentHandling",
        "restApiId",
        "resourceId",
        NULL,
    };
    for (size_t m = 0; m < o->len; m++) {
        const char *k = o->items[m].key; /* up to a NUL, as JSON objects */
        bool ok = false;
        for (size_t i = 0; known[i]; i++) {
            ok = ok || strcmp(known[i], k) == 0;
        }
        if (!ok) {
            rec_error(c, k, "unknown field '%s' in record", k);
        }
    }
    r->path = req_string(c, o, "path");
    if (r->path && r->path[0] != '/') {
        rec_error(c, "path", "path '%s' must start with '/'", r->path);
    }
    r->http_method = req_string(c, o, "httpMethod");
    if (r->http_method && !igr_http_method_is_valid(r->http_method)) {
        rec_error(c, "httpMethod",
                  "httpMethod '%s' is not one of GET, PUT, "
                  "POST, DELETE, PATCH, HEAD, OPTIONS, ANY",
                  r->http_method);
    }
    const struct member *st = member_get(o, "statusCode");
    if (st && json_is_integer(st->value)) {
        r->status_code =
            xstrfmt("%" JSON_INTEGER_FORMAT, json_integer_value(st->value));
    } else {
        r->status_code = req_string(c, o, "statusCode");
    }
    if (r->status_code && !igr_status_code_is_valid(r->status_code)) {
        rec_error(c, "statusCode",
                  "status code '%s' does not match "
                  "[1-5]\\d\\d",
                  r->status_code);
    }
    const struct member *sp = member_get(o, "selectionPattern");
    const char *s = member_str(sp);
    if (s) {
        if (strcmp(s, "default") == 0) {
            rec_error(c, "selectionPattern",
                      "selectionPattern 'default' "
                      "cannot be written as a responses key (the key "
                      "'default' is the catch-all); leave selectionPattern "
                      "out for the catch-all");
        } else if (s[0] != '\0' && strcmp(s, "-") != 0) {
            r->selection_pattern = xstrdup(s);
        }
    } else if (sp && !member_null(sp)) {
        rec_error(c, "selectionPattern",
                  "'selectionPattern' must be a "
                  "string");
    }
    read_map(c, o, "responseParameters", false, &r->response_parameters);
    read_map(c, o, "responseTemplates", true, &r->response_templates);
    struct member *ch = member_get(o, "contentHandling");
    if (member_str(ch)) {
        r->content_handling = member_take_str(ch);
    } else if (ch && !member_null(ch)) {
        rec_error(c, "contentHandling",
                  "'contentHandling' must be a "
                  "string");
    }
    r->rest_api_id = member_take_str(member_get(o, "restApiId"));
    r->resource_id = member_take_str(member_get(o, "resourceId"));
}

int conv_records_from_json(json_t *array, const char *name,
                           struct igr_list *out, struct oag_error_list *diags)
{
    struct reader_ctx c = { .name = name, .diags = diags };
    if (!json_is_array(array)) {
        c.index = 0;
        if (diags) {
            oag_error_list_add(diags, OAG_SEV_ERROR, OAG_ERR_INVALID, name, 0,
                               0, "", "records must be a JSON array");
        }
        return -1;
    }
    size_t i;
    json_t *o;
    json_array_foreach (array, i, o) {
        c.index = i;
        if (!json_is_object(o)) {
            rec_error(&c, NULL, "record %zu is not an object", i);
            continue;
        }
        struct members m = { 0 };
        members_from_object(o, &m);
        read_record(&c, &m, igr_list_add(out));
        members_release(&m);
    }
    return c.bad ? -1 : 0;
}

/*
 * The members of a mapping of a records file whose start was just read,
 * straight from the events (a tree and a JSON object per record cost as
 * much as reading the whole file).  ptr holds the mapping's pointer.  In a
 * record (nested false), responseParameters and responseTemplates mappings
 * are read the same way; other values that are not scalars are built as
 * trees.  Errors and warnings are those doc_tree_build gives for the same
 * record, with the same locations and pointers: repeated keys (the last
 * value wins, a warning once the value is read), merge keys, aliases and
 * complex keys.
 */
static int load_members(struct doc_reader *r, struct buf *ptr, bool nested,
                        struct oag_error_list *diags, struct members *out,
                        struct oag_error *err)
{
    const char *file = doc_reader_name(r);
    size_t base_len = ptr->len;
    struct doc_event ev;
    for (;;) {
        buf_truncate(ptr, base_len);
        if (doc_reader_next(r, &ev, err) != 0) {
            return -1;
        }
        if (ev.type == DOC_EV_MAPPING_END) {
            return 0;
        }
        if (ev.type == DOC_EV_ALIAS) {
            oag_error_set(err, OAG_ERR_UNSUPPORTED,
                          "alias '*%s' used as a key does not name a string",
                          ev.value);
            doc_reader_locate(r, &ev.start, NULL, err);
            return -1;
        }
        if (ev.type != DOC_EV_SCALAR) {
            oag_error_set(err, OAG_ERR_UNSUPPORTED,
                          "complex mapping keys are not supported");
            doc_reader_locate(r, &ev.start, NULL, err);
            return -1;
        }
        if (ev.style == DOC_SCALAR_PLAIN && ev.len == 2 &&
            memcmp(ev.value, "<<", 2) == 0 && diags) {
            oag_error_list_add(diags, OAG_SEV_WARNING, OAG_ERR_UNSUPPORTED,
                               file, ev.start.line, ev.start.column, NULL,
                               "YAML merge key '<<' is not applied: "
                               "API Gateway reads it as an ordinary key");
        }
        struct doc_mark key_start = ev.start;
        size_t key_len = ev.len;
        char *key = xstrndup(ev.value, ev.len);
        json_t *v = NULL;
        char *str = NULL;
        struct members *sub = NULL;
        if (doc_reader_next(r, &ev, err) != 0) {
            free(key);
            return -1;
        }
        if (ev.type == DOC_EV_SCALAR && !ev.tag &&
            doc_scalar_surely_string(ev.value, ev.len, ev.style)) {
            str = xstrndup(ev.value, ev.len);
        } else if (ev.type == DOC_EV_SCALAR) {
            v = doc_scalar_resolve(ev.value, ev.len, ev.style, ev.tag);
        } else if (ev.type == DOC_EV_MAPPING_START && !nested &&
                   (strcmp(key, "responseParameters") == 0 ||
                    strcmp(key, "responseTemplates") == 0) &&
                   key_len == strlen(key)) {
            sub = xcalloc(1, sizeof(*sub));
            jptr_append(ptr, key, key_len); /* its members' warnings */
            if (load_members(r, ptr, true, diags, sub, err) != 0) {
                members_release(sub);
                free(sub);
                free(key);
                return -1;
            }
            buf_truncate(ptr, base_len);
        } else {
            struct doc_tree t = { 0 };
            jptr_append(ptr, key, key_len); /* the subtree's warnings */
            if (doc_tree_build(r, &ev, NULL, 0, buf_str(ptr), diags, &t, err) !=
                0) {
                doc_tree_release(&t);
                free(key);
                return -1;
            }
            buf_truncate(ptr, base_len);
            v = json_incref(t.root);
            doc_tree_release(&t);
        }
        if (diags && members_find(out, key, key_len)) {
            jptr_append(ptr, key, key_len);
            oag_error_list_add(diags, OAG_SEV_WARNING, OAG_ERR_INVALID, file,
                               key_start.line, key_start.column, buf_str(ptr),
                               "duplicate key '%s' (API Gateway uses the "
                               "last one)",
                               key);
        }
        members_take(out, key, key_len, v, str, sub);
    }
}

/*
 * conv_records_load of a sequence whose start was just read: one record's
 * tree at a time (a whole document's records as one tree is several times
 * the size of the file).  The same diagnostics in the same order as
 * building the whole tree first: the tree's, then the records' (kept
 * aside meanwhile); out is left as it was when the document is broken.
 */
static int load_sequence(struct doc_reader *r, const char *name,
                         struct igr_list *out, struct oag_error_list *diags,
                         struct oag_error *err)
{
    struct oag_error_list rec_diags = OAG_ERROR_LIST_INIT;
    struct reader_ctx c = { .name = name, .diags = diags ? &rec_diags : NULL };
    size_t base = out->len;
    int rc = -1;
    struct doc_event ev;
    struct members m = { 0 }; /* one record's, reused */
    struct buf ptr = BUF_INIT;
    for (size_t i = 0;; i++) {
        if (doc_reader_next(r, &ev, err) != 0) {
            goto out;
        }
        if (ev.type == DOC_EV_SEQUENCE_END) {
            break;
        }
        c.index = i;
        if (ev.type == DOC_EV_MAPPING_START) {
            buf_reset(&ptr);
            jptr_append_index(&ptr, i);
            members_clear(&m);
            if (load_members(r, &ptr, false, diags, &m, err) != 0) {
                goto out;
            }
            read_record(&c, &m, igr_list_add(out));
            continue;
        }
        /* not a mapping: built (for its errors and warnings), then refused */
        struct doc_tree t = { 0 };
        buf_reset(&ptr);
        jptr_append_index(&ptr, i);
        int trc =
            doc_tree_build(r, &ev, NULL, 0, buf_str(&ptr), diags, &t, err);
        doc_tree_release(&t);
        if (trc != 0) {
            goto out;
        }
        rec_error(&c, NULL, "record %zu is not an object", i);
    }
    do {
        if (doc_reader_next(r, &ev, err) != 0) {
            goto out;
        }
    } while (ev.type != DOC_EV_STREAM_END);
    rc = 0;
out:
    members_release(&m);
    buf_release(&ptr);
    if (rc != 0) {
        for (size_t k = base; k < out->len; k++) {
            igr_record_release(&out->items[k]);
        }
        out->len = base;
    } else {
        for (size_t k = 0; k < rec_diags.len; k++) {
            oag_error_list_take(diags, rec_diags.items[k].severity,
                                &rec_diags.items[k].error);
        }
        if (c.bad) {
            oag_error_set(err, OAG_ERR_INVALID, "invalid records in '%s'",
                          name);
            rc = -1;
        }
    }
    oag_error_list_release(&rec_diags);
    return rc;
}

/* A records document: a sequence member by member, or as one tree. */
static int load_records(const char *data, size_t len, const char *name,
                        bool one_tree, struct igr_list *out,
                        struct oag_error_list *diags, struct oag_error *err)
{
    int rc = -1;
    struct doc_tree t = { 0 };
    struct doc_reader *r = doc_reader_new_memory(data, len, name, NULL, err);
    if (!r) {
        goto out;
    }
    struct doc_event ev;
    do {
        if (doc_reader_next(r, &ev, err) != 0) {
            goto out;
        }
    } while (ev.type == DOC_EV_STREAM_START ||
             ev.type == DOC_EV_DOCUMENT_START);
    if (ev.type == DOC_EV_STREAM_END) {
        oag_error_set(err, OAG_ERR_INVALID, "'%s' is empty", name);
        goto out;
    }
    if (ev.type == DOC_EV_SEQUENCE_START && !one_tree) {
        rc = load_sequence(r, name, out, diags, err);
        goto out;
    }
    if (doc_tree_build(r, &ev, NULL, 0, "", diags, &t, err) != 0) {
        goto out;
    }
    do {
        if (doc_reader_next(r, &ev, err) != 0) {
            goto out;
        }
    } while (ev.type != DOC_EV_STREAM_END);
    if (conv_records_from_json(t.root, name, out, diags) != 0) {
        oag_error_set(err, OAG_ERR_INVALID, "invalid records in '%s'", name);
        goto out;
    }
    rc = 0;
out:
    doc_tree_release(&t);
    doc_reader_free(r);
    return rc;
}

int conv_records_load_memory(const char *data, size_t len, const char *name,
                             struct igr_list *out, struct oag_error_list *diags,
                             struct oag_error *err)
{
    return load_records(data, len, name, false, out, diags, err);
}

int conv_records_load_tree(const char *data, size_t len, const char *name,
                           struct igr_list *out, struct oag_error_list *diags,
                           struct oag_error *err)
{
    return load_records(data, len, name, true, out, diags, err);
}

int conv_records_load(const char *path, struct igr_list *out,
                      struct oag_error_list *diags, struct oag_error *err)
{
    struct buf data = BUF_INIT;
    int rc = -1;
    if (buf_read_file(&data, path, 0, err) == 0) {
        const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
        rc = conv_records_load_memory(buf_str(&data), data.len, name, out,
                                      diags, err);
    }
    buf_release(&data);
    return rc;
}
