/*
 * model/igr.h: maps, records, lists (lifecycles under ASan), and the
 * generated tables, checked against schemas/ so code and schema agree.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "model/igr.h"
#include "tests/common.h"
#include "util/xalloc.h"

static bool is(bool x)
{
    return x;
}

static void fill(struct igr_record *r, const char *status)
{
    r->path = strdup("/pets/{id}");
    r->http_method = strdup("GET");
    r->status_code = strdup(status);
    r->selection_pattern = strdup("4\\d{2}");
    igr_map_set(&r->response_parameters, "method.response.header.A", "'a'");
    igr_map_set(&r->response_templates, "application/json", "");
    r->content_handling = strdup("CONVERT_TO_TEXT");
}

Test(igr, map_set_keeps_the_first_position_and_replaces_the_value)
{
    struct igr_map m = { 0 };
    igr_map_set(&m, "b", "1");
    igr_map_set(&m, "a", "2");
    igr_map_set(&m, "b", "3");
    cr_assert(eq(sz, m.len, 2));
    cr_expect(eq(str, m.items[0].key, "b"));
    cr_expect(eq(str, m.items[0].value, "3"));
    cr_expect(eq(str, (char *)igr_map_get(&m, "a"), "2"));
    cr_expect(is(igr_map_get(&m, "c") == NULL));
    igr_map_release(&m);
    cr_expect(eq(sz, m.len, 0));
    igr_map_release(&m);
    igr_map_release(NULL);
}

Test(igr, maps_are_equal_in_any_order_and_unequal_on_any_difference)
{
    struct igr_map a = { 0 };
    struct igr_map b = { 0 };
    cr_expect(is(igr_map_equal(&a, &b)));
    igr_map_set(&a, "x", "1");
    igr_map_set(&a, "y", "2");
    igr_map_set(&b, "y", "2");
    cr_expect(is(!igr_map_equal(&a, &b)));
    igr_map_set(&b, "x", "1");
    cr_expect(is(igr_map_equal(&a, &b)));
    igr_map_set(&b, "x", "");
    cr_expect(is(!igr_map_equal(&a, &b)));
    struct igr_map c = { 0 };
    igr_map_copy(&c, &a);
    cr_expect(is(igr_map_equal(&a, &c)));
    cr_expect(is(c.items[0].key != a.items[0].key));
    igr_map_release(&a);
    igr_map_release(&b);
    igr_map_release(&c);
}

Test(igr, record_copy_is_deep_and_equal)
{
    struct igr_record a = { 0 };
    struct igr_record b = { 0 };
    fill(&a, "404");
    a.rest_api_id = strdup("abc");
    igr_record_copy(&b, &a);
    cr_expect(is(igr_record_equal(&a, &b)));
    cr_expect(is(b.path != a.path));
    cr_expect(eq(str, b.rest_api_id, "abc"));
    /* copying over a filled record releases what it held */
    igr_record_copy(&b, &a);
    igr_record_release(&a);
    cr_expect(eq(str, b.selection_pattern, "4\\d{2}"));
    igr_record_release(&b);
    igr_record_release(&b);
    igr_record_release(NULL);
}

Test(igr, target_and_content_are_compared_separately)
{
    struct igr_record a = { 0 };
    struct igr_record b = { 0 };
    fill(&a, "404");
    fill(&b, "404");
    free(b.rest_api_id);
    b.resource_id = strdup("r1"); /* ids do not take part */
    cr_expect(is(igr_record_equal(&a, &b)));
    free(b.selection_pattern);
    b.selection_pattern = NULL;
    cr_expect(is(igr_record_same_target(&a, &b)));
    cr_expect(is(!igr_record_same_content(&a, &b)));
    free(b.status_code);
    b.status_code = strdup("400");
    cr_expect(is(!igr_record_same_target(&a, &b)));
    igr_record_release(&b);
    fill(&b, "404");
    free(b.content_handling);
    b.content_handling = NULL;
    cr_expect(is(!igr_record_same_content(&a, &b)));
    igr_record_release(&b);
    fill(&b, "404");
    igr_map_set(&b.response_templates, "application/json", "x");
    cr_expect(is(!igr_record_equal(&a, &b)));
    igr_record_release(&a);
    igr_record_release(&b);
}

Test(igr, describe_names_method_path_and_status)
{
    struct igr_record a = { 0 };
    fill(&a, "502");
    char *d = igr_record_describe(&a);
    cr_expect(eq(str, d, "GET /pets/{id} 502"));
    free(d);
    igr_record_release(&a);
    struct igr_record z = { 0 };
    d = igr_record_describe(&z);
    cr_expect(eq(str, d, "? ? ?"));
    free(d);
}

Test(igr, list_add_gives_zeroed_records_and_release_frees_them)
{
    struct igr_list l = { 0 };
    for (int i = 0; i < 100; i++) {
        struct igr_record *r = igr_list_add(&l);
        cr_assert(is(r->path == NULL && r->response_templates.len == 0));
        fill(r, "200");
    }
    cr_expect(eq(sz, l.len, 100));
    igr_list_release(&l);
    cr_expect(eq(sz, l.len, 0));
    igr_list_release(&l);
    igr_list_release(NULL);
}

Test(igr, status_codes_match_1_to_5_then_two_digits)
{
    static const char *const good[] = { "100", "200", "404", "599", "500" };
    static const char *const bad[] = {
        "600", "099",  "000",  "20",  "2000", "2xx",
        "",    " 200", "200 ", "-20", "1e2",  "٢٠٠",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        cr_expect(is(igr_status_code_is_valid(good[i])), "%s", good[i]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect(is(!igr_status_code_is_valid(bad[i])), "%s", bad[i]);
    }
    cr_expect(is(!igr_status_code_is_valid(NULL)));
}

static json_t *schema(const char *name)
{
    char *rel = xstrfmt("schemas/%s", name);
    char *path = test_source_path(rel);
    json_error_t je;
    json_t *s = json_load_file(path, 0, &je);
    cr_assert(is(s != NULL), "%s: %s", path, je.text);
    free(path);
    free(rel);
    return s;
}

static void expect_table(json_t *enumeration, const char *const *values,
                         size_t len, bool (*valid)(const char *))
{
    cr_assert(eq(sz, json_array_size(enumeration), len));
    size_t i;
    json_t *v;
    json_array_foreach (enumeration, i, v) {
        cr_expect(eq(str, (char *)values[i], (char *)json_string_value(v)));
        cr_expect(is(valid(json_string_value(v))));
    }
}

Test(igr, generated_tables_agree_with_the_schemas)
{
    json_t *ir = schema("integration-responses.schema.json");
    json_t *rec = schema("records.schema.json");
    json_t *handling = json_object_get(
        json_object_get(json_object_get(ir, "$defs"), "contentHandling"),
        "enum");
    json_t *methods = json_object_get(
        json_object_get(json_object_get(rec, "$defs"), "httpMethod"), "enum");
    expect_table(handling, igr_content_handling_values,
                 igr_content_handling_values_len,
                 igr_content_handling_is_valid);
    expect_table(methods, igr_http_method_values, igr_http_method_values_len,
                 igr_http_method_is_valid);
    cr_expect(is(!igr_content_handling_is_valid("convert_to_text")));
    cr_expect(is(!igr_content_handling_is_valid("BOGUS")));
    cr_expect(is(!igr_content_handling_is_valid(NULL)));
    cr_expect(is(!igr_http_method_is_valid("get")));
    cr_expect(is(!igr_http_method_is_valid("X-AMAZON-APIGATEWAY-ANY-METHOD")));
    /* the status pattern the C check implements */
    cr_expect(
        eq(str,
           (char *)json_string_value(json_object_get(
               json_object_get(json_object_get(ir, "$defs"), "statusCode"),
               "pattern")),
           "^[1-5]\\d\\d$"));
    json_decref(ir);
    json_decref(rec);
}
