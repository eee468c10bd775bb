/*
 * Document loading: every event of a YAML or JSON document (doc/reader.h),
 * then the root node built as a tree with positions (doc/tree.h).
 *
 * Properties: the reader ends with STREAM_END or an error that has a
 * message; every mark lies inside the input with start <= end; a built
 * tree has a root and positions inside the input; the same bytes read
 * through the file reader (a memfd) give the same events, lines and
 * columns as the memory reader (up to an error), and fail with the same
 * error code.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "doc/reader.h"
#include "doc/tree.h"
#include "fuzz_common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

struct ev_copy {
    enum doc_event_type type;
    unsigned long line;
    unsigned long column;
    char *value;
    size_t len;
};

struct ev_log {
    struct ev_copy *items;
    size_t len;
    size_t cap;
    enum oag_error_code code; /* OAG_ERR_NONE when the stream ended */
    unsigned long err_line;   /* where the error is */
    unsigned long err_column;
    char *err_message; /* owned */
};

static void log_release(struct ev_log *l)
{
    for (size_t i = 0; i < l->len; i++) {
        free(l->items[i].value);
    }
    free(l->items);
    free(l->err_message);
    memset(l, 0, sizeof(*l));
}

static void check_mark(const struct doc_mark *m, size_t len)
{
    if (m->offset > len) {
        fuzz_fail("mark offset %zu past the end %zu", m->offset, len);
    }
    if (m->line == 0 || m->column == 0) {
        fuzz_fail("mark line/column %lu:%lu not 1-based", m->line, m->column);
    }
}

/* Reads every event of r into log; exact: marks are checked too. */
static void read_all(struct doc_reader *r, size_t len, bool exact,
                     struct ev_log *log)
{
    struct oag_error err = OAG_ERROR_INIT;
    for (size_t guard = 0;; guard++) {
        struct doc_event ev;
        if (guard > 4 * len + 16) {
            fuzz_fail("more events (%zu) than the input can hold", guard);
        }
        if (doc_reader_next(r, &ev, &err) != 0) {
            if (!err.message || err.code == OAG_ERR_NONE) {
                fuzz_fail("reader failed without an error");
            }
            log->code = err.code;
            log->err_line = err.line;
            log->err_column = err.column;
            log->err_message = xstrdup(err.message);
            break;
        }
        if (exact) {
            check_mark(&ev.start, len);
            check_mark(&ev.end, len);
            if (ev.start.offset > ev.end.offset) {
                fuzz_fail("event starts at %zu after its end %zu",
                          ev.start.offset, ev.end.offset);
            }
        }
        if (log->len == log->cap) {
            log->cap = log->cap ? log->cap * 2 : 64;
            log->items =
                xreallocarray(log->items, log->cap, sizeof(*log->items));
        }
        struct ev_copy *c = &log->items[log->len++];
        c->type = ev.type;
        c->line = ev.start.line;
        c->column = ev.start.column;
        c->len = ev.len;
        c->value = NULL;
        if (ev.value) {
            c->value = xmalloc(ev.len + 1);
            memcpy(c->value, ev.value, ev.len); /* NULs included */
            c->value[ev.len] = '\0';
        }
        if (ev.type == DOC_EV_STREAM_END) {
            break;
        }
    }
    oag_error_release(&err);
}

static void compare_logs(const struct ev_log *a, const struct ev_log *b)
{
    if (a->code != b->code) {
        fuzz_fail("memory reader ended with code %d, file reader with %d",
                  (int)a->code, (int)b->code);
    }
    /*
     * the same syntax error (invalid UTF-8 included) is located alike; which
     * error comes first may depend on the chunks, as below
     */
    if (a->code == OAG_ERR_SYNTAX && b->err_message &&
        strcmp(a->err_message, b->err_message) == 0 &&
        (a->err_line != b->err_line || a->err_column != b->err_column)) {
        fuzz_fail("syntax error at %lu:%lu (memory) but %lu:%lu (file)",
                  a->err_line, a->err_column, b->err_line, b->err_column);
    }
    /*
     * libyaml decodes (and checks the UTF-8 of) whole chunks of input ahead
     * of the parser, so a reader error surfaces after a number of events
     * that depends on how the bytes were fed: compare the common prefix.
     */
    size_t n = a->len < b->len ? a->len : b->len;
    if (a->code == OAG_ERR_NONE && a->len != b->len) {
        fuzz_fail("memory reader gave %zu events, file reader %zu", a->len,
                  b->len);
    }
    for (size_t i = 0; i < n; i++) {
        const struct ev_copy *x = &a->items[i];
        const struct ev_copy *y = &b->items[i];
        if (x->type != y->type || x->line != y->line ||
            x->column != y->column || x->len != y->len ||
            (x->len && memcmp(x->value, y->value, x->len) != 0)) {
            fuzz_fail("event %zu differs: memory %d at %lu:%lu, file %d at "
                      "%lu:%lu",
                      i, (int)x->type, x->line, x->column, (int)y->type,
                      y->line, y->column);
        }
    }
}

static void build_root(const uint8_t *data, size_t len,
                       const struct doc_limits *lim)
{
    struct oag_error err = OAG_ERROR_INIT;
    struct doc_reader *r =
        doc_reader_new_memory((const char *)data, len, "fuzz.yaml", lim, &err);
    if (!r) {
        oag_error_release(&err);
        return;
    }
    struct doc_anchors anchors = { 0 };
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    struct doc_tree t = { 0 };
    struct doc_event ev;
    do {
        if (doc_reader_next(r, &ev, &err) != 0) {
            goto out;
        }
    } while (ev.type == DOC_EV_STREAM_START ||
             ev.type == DOC_EV_DOCUMENT_START);
    if (ev.type == DOC_EV_STREAM_END) {
        goto out;
    }
    if (doc_tree_build(r, &ev, &anchors, DOC_TREE_POSITIONS, "", &diags, &t,
                       &err) != 0) {
        if (!err.message) {
            fuzz_fail("tree build failed without an error");
        }
        goto out;
    }
    if (!t.root) {
        fuzz_fail("tree build succeeded without a root");
    }
    if (t.n_pos == 0) {
        fuzz_fail("tree built without positions");
    }
    for (size_t i = 0; i < t.n_pos; i++) {
        check_mark(&t.pos[i].start, len);
        check_mark(&t.pos[i].end, len);
        if (t.pos[i].start.offset > t.pos[i].end.offset) {
            fuzz_fail("node '%s' starts at %zu after its end %zu",
                      t.pos[i].pointer, t.pos[i].start.offset,
                      t.pos[i].end.offset);
        }
        if (t.pos[i].is_member) {
            check_mark(&t.pos[i].key, len);
            check_mark(&t.pos[i].key_end, len);
        }
    }
    if (!doc_tree_find(&t, "")) {
        fuzz_fail("the root has no position");
    }
    char *s = json_dumps(t.root, JSON_ENCODE_ANY | JSON_COMPACT);
    free(s);
    fuzz_check_diags(&diags);
out:
    doc_tree_release(&t);
    doc_anchors_release(&anchors);
    oag_error_list_release(&diags);
    doc_reader_free(r);
    oag_error_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    fuzz_setup();
    struct doc_limits lim;
    fuzz_limits(&lim);
    struct oag_error err = OAG_ERROR_INIT;
    struct ev_log mem = { 0 };
    struct ev_log file = { 0 };

    struct doc_reader *r =
        doc_reader_new_memory((const char *)data, len, "fuzz.yaml", &lim, &err);
    if (!r) {
        if (!err.message) {
            fuzz_fail("reader refused the input without an error");
        }
        oag_error_release(&err);
        return 0;
    }
    read_all(r, len, true, &mem);
    doc_reader_free(r);

    /* the same bytes through the streaming file reader */
    int fd = memfd_create("fuzz", 0);
    if (fd >= 0) {
        if (len == 0 || write(fd, data, len) == (ssize_t)len) {
            char path[64];
            snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
            r = doc_reader_new_file(path, "fuzz.yaml", &lim, &err);
            if (!r) {
                fuzz_fail("file reader refused what the memory reader read");
            }
            read_all(r, len, false, &file);
            doc_reader_free(r);
            compare_logs(&mem, &file);
        }
        close(fd);
    }
    log_release(&mem);
    log_release(&file);
    build_root(data, len, &lim);
    oag_error_release(&err);
    return 0;
}
