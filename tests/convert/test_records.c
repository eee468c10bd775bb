/*
 * The records' JSON form (schemas/records.schema.json): reading applies the
 * model's equivalences, writing leaves out what is empty, problems come
 * with /N/field pointers.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "model/igr.h"
#include "tests/common.h"
#include "tests/convert/cases.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

static bool is(bool x)
{
    return x;
}

static int read_text(const char *text, struct igr_list *out,
                     struct oag_error_list *diags)
{
    json_t *j = json_loads(text, 0, NULL);
    cr_assert(is(j != NULL), "bad JSON %s", text);
    int rc = conv_records_from_json(j, "r.json", out, diags);
    json_decref(j);
    return rc;
}

Test(records, equivalences_are_applied_on_reading)
{
    struct igr_list l = { 0 };
    cr_assert(eq(
        int,
        read_text(
            "[{\"path\": \"/a\", \"httpMethod\": \"GET\", \"statusCode\": 200,"
            "  \"selectionPattern\": \"\", \"responseTemplates\": "
            "  {\"application/json\": null}, \"responseParameters\": null,"
            "  \"contentHandling\": null},"
            " {\"path\": \"/a\", \"httpMethod\": \"GET\", \"statusCode\": "
            "\"400\","
            "  \"selectionPattern\": \"-\", \"responseTemplates\": {}},"
            " {\"path\": \"/a\", \"httpMethod\": \"ANY\", \"statusCode\": "
            "\"500\","
            "  \"selectionPattern\": null, \"restApiId\": \"x1\","
            "  \"resourceId\": \"r1\"}]",
            &l, NULL),
        0));
    cr_assert(eq(sz, l.len, 3));
    cr_expect(eq(str, l.items[0].status_code, "200"));
    cr_expect(is(l.items[0].selection_pattern == NULL));
    cr_expect(eq(
        str,
        (char *)igr_map_get(&l.items[0].response_templates, "application/json"),
        ""));
    cr_expect(is(l.items[0].content_handling == NULL));
    cr_expect(is(l.items[1].selection_pattern == NULL));
    cr_expect(eq(sz, l.items[1].response_templates.len, 0));
    cr_expect(eq(str, l.items[2].rest_api_id, "x1"));
    cr_expect(eq(str, l.items[2].resource_id, "r1"));
    igr_list_release(&l);
}

Test(records, writing_leaves_out_empty_maps_and_the_catch_all_pattern)
{
    struct igr_list l = { 0 };
    struct igr_record *r = igr_list_add(&l);
    r->path = strdup("/a");
    r->http_method = strdup("GET");
    r->status_code = strdup("200");
    r = igr_list_add(&l);
    r->path = strdup("/a");
    r->http_method = strdup("GET");
    r->status_code = strdup("400");
    r->selection_pattern = strdup("4\\d{2}");
    igr_map_set(&r->response_templates, "application/json", "");
    igr_map_set(&r->response_parameters, "method.response.header.A", "'a'");
    r->content_handling = strdup("CONVERT_TO_TEXT");
    json_t *j = conv_records_to_json(&l);
    char *s = json_dumps(j, JSON_COMPACT);
    cr_expect(eq(str, s,
                 "[{\"path\":\"/a\",\"httpMethod\":\"GET\",\"statusCode\":"
                 "\"200\"},{\"path\":\"/a\",\"httpMethod\":\"GET\","
                 "\"statusCode\":\"400\",\"selectionPattern\":\"4\\\\d{2}\","
                 "\"responseParameters\":{\"method.response.header.A\":"
                 "\"'a'\"},\"responseTemplates\":{\"application/json\":\"\"},"
                 "\"contentHandling\":\"CONVERT_TO_TEXT\"}]"));
    /* and back */
    struct igr_list back = { 0 };
    cr_assert(eq(int, conv_records_from_json(j, "r.json", &back, NULL), 0));
    cr_assert(eq(sz, back.len, 2));
    for (size_t i = 0; i < 2; i++) {
        cr_expect(is(igr_record_equal(&l.items[i], &back.items[i])));
    }
    free(s);
    json_decref(j);
    igr_list_release(&back);
    igr_list_release(&l);
}

Test(records, every_problem_is_reported_with_its_pointer)
{
    struct igr_list l = { 0 };
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    cr_expect(eq(
        int,
        read_text(
            "[{\"path\": \"a\", \"httpMethod\": \"get\", \"statusCode\": "
            "\"2xx\"},"
            " {\"httpMethod\": \"GET\", \"statusCode\": \"200\", \"extra\": 1,"
            "  \"selectionPattern\": \"default\"},"
            " 7,"
            " {\"path\": \"/a\", \"httpMethod\": \"GET\", \"statusCode\": "
            "\"200\","
            "  \"responseTemplates\": {\"application/json\": 1},"
            "  \"responseParameters\": {\"method.response.header.A\": null},"
            "  \"contentHandling\": 5, \"selectionPattern\": 3}]",
            &l, &diags),
        -1));
    char *d = tc_format_diags(&diags);
    cr_expect(
        eq(str, d,
           "r.json: error: path 'a' must start with '/' (at /0/path)\n"
           "r.json: error: httpMethod 'get' is not one of GET, PUT, POST, "
           "DELETE, PATCH, HEAD, OPTIONS, ANY (at /0/httpMethod)\n"
           "r.json: error: status code '2xx' does not match [1-5]\\d\\d "
           "(at /0/statusCode)\n"
           "r.json: error: unknown field 'extra' in record (at /1/extra)\n"
           "r.json: error: record has no 'path' (at /1/path)\n"
           "r.json: error: selectionPattern 'default' cannot be written as a "
           "responses key (the key 'default' is the catch-all); leave "
           "selectionPattern out for the catch-all (at /1/selectionPattern)\n"
           "r.json: error: record 2 is not an object (at /2)\n"
           "r.json: error: 'selectionPattern' must be a string "
           "(at /3/selectionPattern)\n"
           "r.json: error: value of 'method.response.header.A' in "
           "'responseParameters' must be a string (at /3/responseParameters)\n"
           "r.json: error: value of 'application/json' in 'responseTemplates' "
           "must be a string (at /3/responseTemplates)\n"
           "r.json: error: 'contentHandling' must be a string "
           "(at /3/contentHandling)\n"));
    free(d);
    oag_error_list_release(&diags);
    igr_list_release(&l);
    cr_expect(eq(int, read_text("{\"path\": \"/a\"}", &l, NULL), -1));
    igr_list_release(&l);
}

Test(records, files_load_as_json_or_yaml)
{
    const char *yaml = "- path: /a\n  httpMethod: GET\n  statusCode: 200\n"
                       "  responseTemplates: {application/json: }\n";
    char *path = test_write_temp(yaml, strlen(yaml), ".yaml");
    struct igr_list l = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, conv_records_load(path, &l, NULL, &err), 0), "%s",
              err.message ? err.message : "");
    cr_assert(eq(sz, l.len, 1));
    cr_expect(eq(str, l.items[0].status_code, "200"));
    cr_expect(eq(
        str,
        (char *)igr_map_get(&l.items[0].response_templates, "application/json"),
        ""));
    igr_list_release(&l);
    remove(path);
    free(path);
    path = test_write_temp("", 0, ".json");
    cr_expect(eq(int, conv_records_load(path, &l, NULL, &err), -1));
    cr_expect(is(strstr(err.message, "is empty") != NULL), "%s", err.message);
    oag_error_release(&err);
    remove(path);
    free(path);
    cr_expect(
        eq(int, conv_records_load("/nonexistent.json", &l, NULL, &err), -1));
    cr_expect(eq(int, (int)err.code, OAG_ERR_IO));
    oag_error_release(&err);
}

/*
 * A records file is read member by member (no tree per record): the same
 * warnings and errors as building each record's tree, checked here against
 * what that loader reported for the same file (repeats at every level,
 * merge keys, wrong types, a key holding NUL, records that are no objects).
 */
Test(records, a_file_reports_repeats_types_and_merge_keys_in_order)
{
    const char *text =
        "[{\"path\": \"/a\", \"path\": \"/a\", \"httpMethod\": \"GET\", "
        "\"statusCode\": \"200\", \"responseTemplates\": {\"a/b\": \"1\", "
        "\"a/b\": \"2\", \"n\": null, \"x\": [1, {\"q\": 1, \"q\": 2}]}, "
        "\"responseParameters\": {\"x\": {\"y\": 1, \"y\": 2}, \"<<\": "
        "\"z\"}, \"extra\": {\"k\": 1, \"k\": 2}, \"<<\": 1, "
        "\"sel\\u0000x\": 1},\n [1, {\"a\": 1, \"a\": 2}], \"str\", "
        "{\"path\": \"/a\", \"httpMethod\": \"GET\", \"statusCode\": 200, "
        "\"responseParameters\": \"notamap\", \"responseTemplates\": {}}]";
    char *path = test_write_temp(text, strlen(text), ".json");
    struct igr_list l = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    cr_expect(eq(int, conv_records_load(path, &l, &diags, &err), -1));
    char *d = tc_format_diags(&diags);
    char want[4096];
    cr_assert(
        is(snprintf(want, sizeof(want),
                    "%1$s: error: unknown field 'extra' in record (at "
                    "/0/extra)\n"
                    "%1$s: error: unknown field '<<' in record (at /0/<<)\n"
                    "%1$s: error: unknown field 'sel' in record (at /0/sel)\n"
                    "%1$s: error: value of 'x' in 'responseParameters' must "
                    "be a string (at /0/responseParameters)\n"
                    "%1$s: error: value of 'x' in 'responseTemplates' must "
                    "be a string (at /0/responseTemplates)\n"
                    "%1$s: error: record 1 is not an object (at /1)\n"
                    "%1$s: error: record 2 is not an object (at /2)\n"
                    "%1$s: error: 'responseParameters' must be an object (at "
                    "/3/responseParameters)\n"
                    "%1$s:1:17: warning: duplicate key 'path' (API Gateway "
                    "uses the last one) (at /0/path)\n"
                    "%1$s:1:107: warning: duplicate key 'a/b' (API Gateway "
                    "uses the last one) (at /0/responseTemplates/a~1b)\n"
                    "%1$s:1:148: warning: duplicate key 'q' (API Gateway "
                    "uses the last one) (at /0/responseTemplates/x/1/q)\n"
                    "%1$s:1:196: warning: duplicate key 'y' (API Gateway "
                    "uses the last one) (at /0/responseParameters/x/y)\n"
                    "%1$s:1:235: warning: duplicate key 'k' (API Gateway "
                    "uses the last one) (at /0/extra/k)\n"
                    "%1$s:2:15: warning: duplicate key 'a' (API Gateway "
                    "uses the last one) (at /1/1/a)\n",
                    path) > 0));
    cr_expect(eq(str, d, want));
    free(d);
    oag_error_release(&err);
    oag_error_list_release(&diags);
    igr_list_release(&l);
    remove(path);
    free(path);
}

/*
 * The records loader reads a file member by member; the reference
 * (conv_records_load_tree) reads it as one tree and converts that: the
 * same records, diagnostics (in order) and error on every document we
 * have.
 */
static char *outcome(int rc, const struct oag_error *err,
                     const struct oag_error_list *diags,
                     const struct igr_list *recs)
{
    struct buf b = BUF_INIT;
    buf_addf(&b, "rc %d code %d %lu:%lu %s\n", rc, (int)err->code, err->line,
             err->column, err->message ? err->message : "");
    for (size_t i = 0; i < diags->len; i++) {
        const struct oag_error *e = &diags->items[i].error;
        buf_addf(&b, "%d %lu:%lu %s %s\n", (int)diags->items[i].severity,
                 e->line, e->column, e->pointer ? e->pointer : "",
                 e->message ? e->message : "");
    }
    json_t *arr = conv_records_to_json(recs);
    char *j = json_dumps(arr, JSON_COMPACT);
    buf_adds(&b, j ? j : "");
    free(j);
    json_decref(arr);
    return buf_detach(&b, NULL);
}

static char *reference_load(const char *name, const char *data, size_t len)
{
    struct igr_list recs = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    int rc = conv_records_load_tree(data, len, name, &recs, &diags, &err);
    char *o = outcome(rc, &err, &diags, &recs);
    igr_list_release(&recs);
    oag_error_list_release(&diags);
    oag_error_release(&err);
    return o;
}

static size_t loader_failures;

static void loader_visit(const char *path, const char *data, size_t len,
                         void *ctx)
{
    (void)ctx;
    struct igr_list recs = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    int rc = conv_records_load(path, &recs, &diags, &err);
    char *got = outcome(rc, &err, &diags, &recs);
    char *want = reference_load(path, data, len);
    if (strcmp(got, want) != 0) {
        loader_failures++;
        cr_log_error("%s:\nloader:    %.2000s\nreference: %.2000s", path, got,
                     want);
    }
    free(got);
    free(want);
    igr_list_release(&recs);
    oag_error_list_release(&diags);
    oag_error_release(&err);
}

Test(records, the_file_loader_agrees_with_a_tree_on_every_document,
     .timeout = 300)
{
    loader_failures = 0;
    size_t docs = tc_each_document(loader_visit, NULL);
    cr_expect(gt(sz, docs, 100), "only %zu documents found", docs);
    cr_expect(eq(sz, loader_failures, 0));
}

/* Scalars of every kind where records hold strings, maps and nulls. */
Test(records, the_loader_resolves_scalars_as_a_tree_does)
{
    static const char *const texts[] = {
        "- {path: /a, httpMethod: GET, statusCode: 200, responseTemplates: "
        "{a/b: null, c/d: ~, e/f: , g/h: 'null', i/j: true, k/l: 1.5}}\n"
        "- {path: /b, httpMethod: GET, statusCode: '201', contentHandling: "
        "null, selectionPattern: ~, responseParameters: {x: 0x1F}}\n"
        "- {path: /c, httpMethod: GET, statusCode: 202, contentHandling: "
        "false, selectionPattern: 404, restApiId: 12, resourceId: null}\n"
        "- {path: /d, httpMethod: get, statusCode: !!str 203, "
        "responseTemplates: !!map {a/b: !!str 1}, responseParameters: null}\n"
        "- {path: /e, httpMethod: PUT, statusCode: +204, responseTemplates: "
        "{NaN: .nan, Null: Null, TRUE: TRUE, x: No}}\n",
        "[{\"path\": \"/a\", \"httpMethod\": \"GET\", \"statusCode\": 200, "
        "\"responseTemplates\": {\"a/b\": null, \"g/h\": \"null\", \"i/j\": "
        "false, \"k/l\": -0.5e3}, \"selectionPattern\": null, "
        "\"contentHandling\": \"CONVERT_TO_TEXT\"}, {\"path\": \"/b\", "
        "\"httpMethod\": \"POST\", \"statusCode\": \"201\", "
        "\"responseParameters\": {\"h\": \"'v'\", \"n\": null}}]",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        const char *t = texts[i];
        struct igr_list a = { 0 };
        struct igr_list b = { 0 };
        struct oag_error ea = OAG_ERROR_INIT;
        struct oag_error eb = OAG_ERROR_INIT;
        struct oag_error_list da = OAG_ERROR_LIST_INIT;
        struct oag_error_list db = OAG_ERROR_LIST_INIT;
        int ra = conv_records_load_memory(t, strlen(t), "r", &a, &da, &ea);
        int rb = conv_records_load_tree(t, strlen(t), "r", &b, &db, &eb);
        char *got = outcome(ra, &ea, &da, &a);
        char *want = outcome(rb, &eb, &db, &b);
        cr_expect(eq(str, got, want), "text %zu", i);
        /* the tree's reading, spelled out for the first record */
        cr_expect(eq(int, rb, -1), "text %zu: some records are invalid", i);
        cr_assert(gt(sz, b.len, 0));
        cr_expect(eq(str, b.items[0].status_code, "200"));
        cr_expect(eq(str,
                     (char *)igr_map_get(&b.items[0].response_templates, "g/h"),
                     "null"));
        cr_expect(eq(str,
                     (char *)igr_map_get(&b.items[0].response_templates, "a/b"),
                     ""));
        free(got);
        free(want);
        igr_list_release(&a);
        igr_list_release(&b);
        oag_error_release(&ea);
        oag_error_release(&eb);
        oag_error_list_release(&da);
        oag_error_list_release(&db);
    }
}
