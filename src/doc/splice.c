/*
 * Splicing and style-aware emitters; see splice.h.
 *
 * A YAML scalar is written plain only when it reads back as the same string
 * under both YAML 1.1 and 1.2 resolution (so "200", "yes", "null" and
 * anything with indicators are quoted), and as a literal block only when
 * the text has no characters a literal block cannot carry.
 */
#include "doc/splice.h"

#include <stdlib.h>
#include <string.h>

#include "doc/tree.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

void doc_splice_release(struct doc_splice *s)
{
    if (!s) {
        return;
    }
    for (size_t i = 0; i < s->len; i++) {
        free(s->edits[i].text);
    }
    free(s->edits);
    memset(s, 0, sizeof(*s));
}

void doc_splice_add(struct doc_splice *s, size_t start, size_t end,
                    const char *text, size_t len)
{
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->edits = xreallocarray(s->edits, s->cap, sizeof(*s->edits));
    }
    struct doc_edit *e = &s->edits[s->len++];
    e->start = start;
    e->end = end;
    e->text = xstrndup(text, len);
    e->len = len;
}

static int edit_cmp(const void *a, const void *b)
{
    const struct doc_edit *x = a;
    const struct doc_edit *y = b;
    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    if (x->end != y->end) {
        return x->end < y->end ? -1 : 1;
    }
    return 0;
}

int doc_splice_check(struct doc_splice *s, size_t len, struct oag_error *err)
{
    if (s->len > 1) {
        /* qsort's base must not be NULL, even for no elements */
        qsort(s->edits, s->len, sizeof(*s->edits), edit_cmp);
    }
    size_t at = 0;
    for (size_t i = 0; i < s->len; i++) {
        const struct doc_edit *e = &s->edits[i];
        if (e->start < at || e->end < e->start || e->end > len) {
            return oag_error_set(err, OAG_ERR_INTERNAL,
                                 "overlapping edits at bytes %zu-%zu", e->start,
                                 e->end);
        }
        at = e->end;
    }
    return 0;
}

int doc_splice_apply(struct doc_splice *s, const char *data, size_t len,
                     struct buf *out, struct oag_error *err)
{
    if (doc_splice_check(s, len, err) != 0) {
        return -1;
    }
    /* one allocation for the whole result (documents may be 100s of MB) */
    size_t total = len;
    for (size_t i = 0; i < s->len; i++) {
        total = total - (s->edits[i].end - s->edits[i].start) + s->edits[i].len;
    }
    buf_grow(out, total);
    size_t at = 0;
    for (size_t i = 0; i < s->len; i++) {
        const struct doc_edit *e = &s->edits[i];
        buf_add(out, data + at, e->start - at);
        buf_add(out, e->text, e->len);
        at = e->end;
    }
    buf_add(out, data + at, len - at);
    return 0;
}

int doc_splice_write(const struct doc_splice *s, const char *data, size_t len,
                     FILE *f)
{
    size_t at = 0;
    for (size_t i = 0; i < s->len; i++) {
        const struct doc_edit *e = &s->edits[i];
        if (fwrite(data + at, 1, e->start - at, f) != e->start - at ||
            fwrite(e->text, 1, e->len, f) != e->len) {
            return -1;
        }
        at = e->end;
    }
    return fwrite(data + at, 1, len - at, f) == len - at ? 0 : -1;
}

bool doc_splice_changes(const struct doc_splice *s, const char *data)
{
    for (size_t i = 0; i < s->len; i++) {
        const struct doc_edit *e = &s->edits[i];
        if (e->len != e->end - e->start ||
            (e->len && memcmp(e->text, data + e->start, e->len) != 0)) {
            return true;
        }
    }
    return false;
}

/*
 * Length of the line break ending at data[end - 1] (0 = none): LF, a lone
 * CR, or NEL, LS, PS in UTF-8; libyaml breaks lines at all of them (YAML
 * 1.1), so splicing must too.  A CR followed by LF is not a break here: the
 * LF after it is.
 */
static size_t break_before(const unsigned char *d, size_t end, size_t len)
{
    if (end == 0) {
        return 0;
    }
    unsigned char c = d[end - 1];
    if (c == '\n' || (c == '\r' && (end >= len || d[end] != '\n'))) {
        return 1;
    }
    if (c == 0x85 && end >= 2 && d[end - 2] == 0xC2) {
        return 2;
    }
    if ((c == 0xA8 || c == 0xA9) && end >= 3 && d[end - 2] == 0x80 &&
        d[end - 3] == 0xE2) {
        return 3;
    }
    return 0;
}

size_t doc_line_start(const char *data, size_t offset)
{
    const unsigned char *d = (const unsigned char *)data;
    /* offset is inside a line: a CR just before it is a lone CR */
    while (offset > 0 && !break_before(d, offset, offset + 1) &&
           d[offset - 1] != '\r') {
        offset--;
    }
    return offset;
}

size_t doc_line_after_content(const char *data, size_t len, size_t offset)
{
    const unsigned char *d = (const unsigned char *)data;
    if (offset > len) {
        offset = len;
    }
    /* back over whitespace and line breaks to the last content byte */
    size_t p = offset;
    for (;;) {
        size_t b = break_before(d, p, len);
        if (b == 0 && p > 0 &&
            (d[p - 1] == ' ' || d[p - 1] == '\t' || d[p - 1] == '\r')) {
            b = 1;
        }
        if (b == 0) {
            break;
        }
        p -= b;
    }
    /* forward to the end of that line, line break included */
    while (p < len) {
        p++;
        if (break_before(d, p, len)) {
            break;
        }
    }
    return p;
}

size_t doc_line_after_node(const char *data, size_t len, size_t offset)
{
    if (offset > len) {
        offset = len;
    }
    size_t p = offset;
    while (p > 0 && data[p - 1] == ' ') {
        p--;
    }
    if (p == 0 || data[p - 1] == '\n') {
        return p;
    }
    return doc_line_after_content(data, len, offset);
}

size_t doc_column_of(const char *data, size_t offset)
{
    return offset - doc_line_start(data, offset);
}

void doc_style_detect(const char *data, size_t len, bool json,
                      struct doc_style *out)
{
    memset(out, 0, sizeof(*out));
    out->json = json;
    out->newline = "\n";
    const char *nl = memchr(data, '\n', len);
    if (nl && nl > data && nl[-1] == '\r') {
        out->newline = "\r\n";
    }
    /* smallest positive indentation of a line with content */
    unsigned step = 0;
    size_t singles = 0;
    size_t doubles = 0;
    size_t i = 0;
    size_t scanned = 0;
    while (i < len && scanned < 4000) {
        size_t j = i;
        while (j < len && data[j] == ' ') {
            j++;
        }
        if (j < len && data[j] != '\n' && data[j] != '\r' && data[j] != '#' &&
            j > i && (step == 0 || j - i < step)) {
            step = (unsigned)(j - i);
        }
        while (j < len && data[j] != '\n') {
            if (data[j] == '\'') {
                singles++;
            } else if (data[j] == '"') {
                doubles++;
            }
            j++;
        }
        i = j + 1;
        scanned++;
    }
    out->step = step ? step : 2;
    if (out->step > 8) {
        out->step = 2;
    }
    out->quote = doubles > singles ? '"' : '\'';
    out->compact = json && scanned <= 1 && len > 200;
}

static void add_indent(struct buf *out, unsigned n)
{
    buf_grow(out, n);
    for (unsigned i = 0; i < n; i++) {
        buf_addch(out, ' ');
    }
}

static bool yaml11_special(const char *s, size_t n)
{
    static const char *const words[] = {
        "y",     "Y",    "yes",  "Yes",  "YES",  "n",     "N",
        "no",    "No",   "NO",   "on",   "On",   "ON",    "off",
        "Off",   "OFF",  ".inf", ".Inf", ".INF", "-.inf", "-.Inf",
        "-.INF", ".nan", ".NaN", ".NAN", "=",
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0) {
            return true;
        }
    }
    return false;
}

static bool plain_safe(const char *s, size_t n, bool is_key)
{
    if (n == 0 || n > 200) {
        return false;
    }
    unsigned char c0 = (unsigned char)s[0];
    if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') ||
          (c0 >= '0' && c0 <= '9') || c0 == '/' || c0 == '_' || c0 == '$' ||
          c0 == '(' || c0 == '.')) {
        return false;
    }
    if (s[n - 1] == ' ' || s[n - 1] == ':') {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || strchr("_./$()-+;=^~", c) ||
                  (c == ' ' && !is_key) || (c == ',' && !is_key);
        if (!ok || c == '\0') {
            return false;
        }
        if (c == ' ' && i + 1 < n && s[i + 1] == '#') {
            return false;
        }
    }
    if (yaml11_special(s, n)) {
        return false;
    }
    json_t *v = doc_scalar_resolve(s, n, DOC_SCALAR_PLAIN, NULL);
    bool str = json_is_string(v);
    json_decref(v);
    /* YAML 1.1 also reads 0x1F, 1_000, 1:30 and 0o7 as numbers */
    if (str && c0 >= '0' && c0 <= '9') {
        for (size_t i = 0; i < n; i++) {
            if (!strchr("0123456789._:xXoObBeE+-abcdefABCDEF", s[i])) {
                return true;
            }
        }
        return false;
    }
    return str;
}

/* Characters that YAML treats as line breaks or that need escaping. */
static size_t special_utf8(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0x85) {
        return 2; /* NEL */
    }
    if (n >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
        (p[2] == 0xA8 || p[2] == 0xA9)) {
        return 3; /* LS, PS */
    }
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        return 3; /* BOM */
    }
    return 0;
}

/*
 * Characters outside YAML's printable set that libyaml refuses even inside
 * quotes (C1 controls other than NEL, U+FFFE, U+FFFF): they must be
 * escaped in a double-quoted scalar.  Returns their length in bytes.
 */
static size_t unprintable_utf8(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F &&
        p[1] != 0x85) {
        return 2;
    }
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBF &&
        (p[2] == 0xBE || p[2] == 0xBF)) {
        return 3;
    }
    return 0;
}

static bool needs_escape(const char *s, size_t n, bool allow_newline)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n' && allow_newline) {
            continue;
        }
        if (p[i] < 0x20 && p[i] != '\t') {
            return true;
        }
        if (p[i] == 0x7F || special_utf8(p + i, n - i) ||
            unprintable_utf8(p + i, n - i)) {
            return true;
        }
    }
    return false;
}

static void emit_double(struct buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    buf_addch(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        size_t up = unprintable_utf8(p + i, n - i);
        if (up == 2) {
            buf_addf(out, "\\x%02X", (unsigned)p[i + 1]);
            i++;
            continue;
        } else if (up == 3) {
            buf_adds(out, p[i + 2] == 0xBE ? "\\uFFFE" : "\\uFFFF");
            i += 2;
            continue;
        }
        size_t sp = special_utf8(p + i, n - i);
        if (sp) {
            if (sp == 2) {
                buf_adds(out, "\\N");
            } else if (p[i] == 0xEF) {
                buf_adds(out, "\\uFEFF");
            } else {
                buf_adds(out, p[i + 2] == 0xA8 ? "\\L" : "\\P");
            }
            i += sp - 1;
            continue;
        }
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
        case '\r':
            buf_adds(out, "\\r");
            break;
        case '\t':
            buf_adds(out, "\\t");
            break;
        default:
            if (c < 0x20 || c == 0x7F) {
                buf_addf(out, "\\x%02X", c);
            } else {
                buf_addch(out, (char)c);
            }
        }
    }
    buf_addch(out, '"');
}

static void emit_single(struct buf *out, const char *s, size_t n)
{
    buf_addch(out, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'') {
            buf_addch(out, '\'');
        }
        buf_addch(out, s[i]);
    }
    buf_addch(out, '\'');
}

static bool literal_safe(const char *s, size_t n)
{
    if (n == 0 || s[0] == ' ' || s[0] == '\t' || s[0] == '\n') {
        return false;
    }
    if (needs_escape(s, n, true)) {
        return false;
    }
    /* a line that is only spaces/tabs before content would be ambiguous */
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '\n') {
            j++;
        }
        bool blank = true;
        for (size_t k = i; k < j; k++) {
            if (s[k] != ' ' && s[k] != '\t') {
                blank = false;
            }
        }
        if (blank && j > i) {
            return false;
        }
        i = j + 1;
    }
    return true;
}

static void emit_literal(struct buf *out, const char *s, size_t n,
                         const struct doc_style *st, unsigned indent)
{
    size_t trailing = 0;
    while (trailing < n && s[n - 1 - trailing] == '\n') {
        trailing++;
    }
    buf_adds(out, trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+");
    size_t body = n - trailing;
    size_t i = 0;
    while (i < body) {
        size_t j = i;
        while (j < body && s[j] != '\n') {
            j++;
        }
        buf_adds(out, st->newline);
        if (j > i) {
            add_indent(out, indent + st->step);
            buf_add(out, s + i, j - i);
        }
        i = j + 1;
    }
    /* kept trailing breaks beyond the first are written as empty lines */
    for (size_t k = 1; k < trailing; k++) {
        buf_adds(out, st->newline);
    }
    /* the caller adds the line break that ends the last line */
}

void doc_emit_yaml_string(struct buf *out, const char *s, size_t len,
                          const struct doc_style *st, unsigned indent,
                          bool is_key)
{
    if (plain_safe(s, len, is_key)) {
        buf_add(out, s, len);
        return;
    }
    bool multiline = memchr(s, '\n', len) != NULL;
    if (multiline && !is_key && !st->no_literal && literal_safe(s, len)) {
        emit_literal(out, s, len, st, indent);
        return;
    }
    if (multiline || needs_escape(s, len, false)) {
        emit_double(out, s, len);
        return;
    }
    bool has_single = memchr(s, '\'', len) != NULL;
    bool double_clean = !memchr(s, '"', len) && !memchr(s, '\\', len);
    if (st->quote == '"') {
        if (double_clean) {
            emit_double(out, s, len);
        } else if (!has_single) {
            emit_single(out, s, len);
        } else {
            emit_double(out, s, len);
        }
    } else {
        if (!has_single) {
            emit_single(out, s, len);
        } else if (double_clean) {
            emit_double(out, s, len);
        } else {
            emit_single(out, s, len);
        }
    }
}

/*
 * A JSON scalar as jansson writes it, with U+0085, U+2028 and U+2029
 * escaped: raw, they are valid JSON, but YAML 1.1 reads them as line
 * breaks, and a document that is JSON plus YAML (a comment after it, flow
 * syntax) is read by libyaml, which would fold them (found by fuzz_merge).
 * In jansson's output those bytes can only be inside strings.
 */
static void emit_json_scalar(struct buf *out, json_t *v)
{
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    if (!text) {
        buf_adds(out, "null");
        return;
    }
    const unsigned char *p = (const unsigned char *)text;
    size_t n = strlen(text);
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = NULL;
        size_t w = 0;
        if (p[i] == 0xC2 && i + 1 < n && p[i + 1] == 0x85) {
            esc = "\\u0085";
            w = 2;
        } else if (p[i] == 0xE2 && i + 2 < n && p[i + 1] == 0x80 &&
                   (p[i + 2] == 0xA8 || p[i + 2] == 0xA9)) {
            esc = p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            w = 3;
        }
        if (esc) {
            buf_add(out, text + from, i - from);
            buf_adds(out, esc);
            i += w - 1;
            from = i + 1;
        }
    }
    buf_add(out, text + from, n - from);
    free(text);
}

void doc_emit_yaml_flow(struct buf *out, json_t *v, const struct doc_style *st)
{
    if (json_is_object(v)) {
        buf_addch(out, '{');
        const char *k;
        json_t *m;
        bool first = true;
        json_object_foreach (v, k, m) {
            if (!first) {
                buf_adds(out, ", ");
            }
            first = false;
            json_t *ks = json_string(k);
            emit_json_scalar(out, ks);
            json_decref(ks);
            buf_adds(out, ": ");
            doc_emit_yaml_flow(out, m, st);
        }
        buf_addch(out, '}');
    } else if (json_is_array(v)) {
        buf_addch(out, '[');
        size_t i;
        json_t *m;
        json_array_foreach (v, i, m) {
            if (i) {
                buf_adds(out, ", ");
            }
            doc_emit_yaml_flow(out, m, st);
        }
        buf_addch(out, ']');
    } else {
        emit_json_scalar(out, v);
    }
}

static void emit_yaml_value(struct buf *out, json_t *v,
                            const struct doc_style *st, unsigned indent);

/*
 * YAML limits an implicit key to 1024 characters (libyaml counts them from
 * the key's start to its ':'); longer keys are written as explicit ones.
 */
#define YAML_SIMPLE_KEY_MAX 1000

void doc_emit_yaml_members(struct buf *out, json_t *v,
                           const struct doc_style *st, unsigned indent)
{
    const char *k;
    json_t *m;
    struct buf key = BUF_INIT;
    json_object_foreach (v, k, m) {
        size_t klen = json_object_iter_key_len(json_object_key_to_iter(k));
        buf_reset(&key);
        doc_emit_yaml_string(&key, k, klen, st, indent, true);
        add_indent(out, indent);
        if (key.len > YAML_SIMPLE_KEY_MAX) {
            /* too long for an implicit key: "? key" then ": value" */
            buf_adds(out, "? ");
            buf_add(out, key.data, key.len);
            buf_adds(out, st->newline);
            add_indent(out, indent);
        } else {
            buf_add(out, key.data, key.len);
        }
        buf_addch(out, ':');
        emit_yaml_value(out, m, st, indent);
    }
    buf_release(&key);
}

/* Writes " value" + newline, or newline + nested lines. */
static void emit_yaml_value(struct buf *out, json_t *v,
                            const struct doc_style *st, unsigned indent)
{
    if (json_is_object(v) && json_object_size(v) > 0) {
        buf_adds(out, st->newline);
        doc_emit_yaml_members(out, v, st, indent + st->step);
    } else if (json_is_array(v) && json_array_size(v) > 0) {
        buf_adds(out, st->newline);
        size_t i;
        json_t *m;
        json_array_foreach (v, i, m) {
            add_indent(out, indent + st->step);
            buf_addch(out, '-');
            if (json_is_object(m) && json_object_size(m) > 0) {
                /* first member on the dash line */
                struct buf inner = BUF_INIT;
                doc_emit_yaml_members(&inner, m, st, indent + 2 * st->step);
                buf_addch(out, ' ');
                buf_adds(out, inner.data + indent + 2 * st->step);
                buf_release(&inner);
            } else {
                emit_yaml_value(out, m, st, indent + st->step);
            }
        }
    } else if (json_is_string(v)) {
        buf_addch(out, ' ');
        doc_emit_yaml_string(out, json_string_value(v), json_string_length(v),
                             st, indent, false);
        buf_adds(out, st->newline);
    } else if (json_is_object(v)) {
        buf_adds(out, " {}");
        buf_adds(out, st->newline);
    } else if (json_is_array(v)) {
        buf_adds(out, " []");
        buf_adds(out, st->newline);
    } else {
        buf_addch(out, ' ');
        emit_json_scalar(out, v);
        buf_adds(out, st->newline);
    }
}

void doc_emit_json(struct buf *out, json_t *v, const struct doc_style *st,
                   unsigned indent)
{
    bool obj = json_is_object(v);
    bool arr = json_is_array(v);
    if ((!obj && !arr) || (obj && json_object_size(v) == 0) ||
        (arr && json_array_size(v) == 0)) {
        if (obj) {
            buf_adds(out, "{}");
        } else if (arr) {
            buf_adds(out, "[]");
        } else {
            emit_json_scalar(out, v);
        }
        return;
    }
    buf_addch(out, obj ? '{' : '[');
    bool first = true;
    const char *k;
    json_t *m;
    void *iter = obj ? json_object_iter(v) : NULL;
    size_t i = 0;
    for (;;) {
        if (obj) {
            if (!iter) {
                break;
            }
            k = json_object_iter_key(iter);
            m = json_object_iter_value(iter);
            iter = json_object_iter_next(v, iter);
        } else {
            if (i >= json_array_size(v)) {
                break;
            }
            k = NULL;
            m = json_array_get(v, i++);
        }
        if (!first) {
            buf_addch(out, ',');
        }
        first = false;
        if (st->compact) {
            if (out->len && out->data[out->len - 1] == ',') {
                buf_addch(out, ' ');
            }
        } else {
            buf_adds(out, st->newline);
            add_indent(out, indent + st->step);
        }
        if (k) {
            json_t *ks = json_string(k);
            emit_json_scalar(out, ks);
            json_decref(ks);
            buf_adds(out, ": ");
        }
        doc_emit_json(out, m, st, indent + st->step);
    }
    if (!st->compact) {
        buf_adds(out, st->newline);
        add_indent(out, indent);
    }
    buf_addch(out, obj ? '}' : ']');
}
