/*
 * The integration-response model: one record per integration response,
 * addressed as API Gateway addresses it (path, method, status code), with
 * the selection pattern as data (NULL = the catch-all, key 'default').
 *
 * Equivalences (../shared/reference/apigateway.md 2.3-2.4) are applied when
 * records are made, so equal records mean "no change" for API Gateway:
 * status codes are strings; '', '-' and 'default' are the catch-all (no
 * pattern); a null template is ''; absent, null and empty maps are empty.
 *
 * This module knows nothing of YAML, JSON or HTTP.
 */
#ifndef OAG_MODEL_IGR_H
#define OAG_MODEL_IGR_H

#include <stdbool.h>
#include <stddef.h>

struct oag_error;

/* An ordered string map with unique keys. */
struct igr_pair {
    char *key;   /* owned */
    char *value; /* owned; never NULL */
};

struct igr_map {
    struct igr_pair *items; /* owned */
    size_t len;
    size_t cap;
};

struct igr_record {
    char *path;              /* owned: resource path, e.g. "/pets/{id}" */
    char *http_method;       /* owned: "GET" ... "ANY" */
    char *status_code;       /* owned: "200" */
    char *selection_pattern; /* owned or NULL for the catch-all */
    struct igr_map response_parameters; /* method.response.header.X -> src */
    struct igr_map response_templates;  /* media type -> template */
    char *content_handling;             /* owned or NULL */
    char *rest_api_id; /* owned or NULL: known from a live API */
    char *resource_id; /* owned or NULL */
};

struct igr_list {
    struct igr_record *items; /* owned */
    size_t len;
    size_t cap;
};

void igr_map_release(struct igr_map *m);
/* Sets key to value (both copied); an existing key keeps its place. */
void igr_map_set(struct igr_map *m, const char *key, const char *value);
/* igr_map_set taking key and value (both owned by m afterwards). */
void igr_map_take(struct igr_map *m, char *key, char *value);
/* Borrowed value or NULL. */
const char *igr_map_get(const struct igr_map *m, const char *key);
/* Same keys and values, in any order. */
bool igr_map_equal(const struct igr_map *a, const struct igr_map *b);
void igr_map_copy(struct igr_map *dst, const struct igr_map *src);

void igr_record_release(struct igr_record *r);
void igr_record_copy(struct igr_record *dst, const struct igr_record *src);
/* Same target: path, method and status code. */
bool igr_record_same_target(const struct igr_record *a,
                            const struct igr_record *b);
/* Same content: pattern, parameters, templates, content handling. */
bool igr_record_same_content(const struct igr_record *a,
                             const struct igr_record *b);
/* Same target and content (ids are ignored). */
bool igr_record_equal(const struct igr_record *a, const struct igr_record *b);
/* "GET /pets 200" into a new string (caller frees). */
char *igr_record_describe(const struct igr_record *r);

void igr_list_release(struct igr_list *l);
/* Appends a zeroed record and returns it (owned by the list). */
struct igr_record *igr_list_add(struct igr_list *l);

/* Tables generated from schemas/ by tools/gen_tables.py. */
extern const char *const igr_content_handling_values[];
extern const size_t igr_content_handling_values_len;
extern const char *const igr_http_method_values[];
extern const size_t igr_http_method_values_len;

bool igr_content_handling_is_valid(const char *s);
bool igr_http_method_is_valid(const char *s);
/* [1-5]\d\d */
bool igr_status_code_is_valid(const char *s);

/*
 * Checks of single values.  Each returns 0, or -1 with err's message set
 * (no location: the caller knows where the value is).
 */
/* A selection pattern API Gateway's Java regex engine would accept. */
int igr_check_selection_pattern(const char *pattern, struct oag_error *err);
/* True when the pattern uses '.' outside a class without (?s). */
bool igr_pattern_dot_misses_newlines(const char *pattern);
/* A response parameter source: integration.response.*, context.*, '...' */
int igr_check_source_expression(const char *value, struct oag_error *err);
/* "method.response.header.NAME": NAME (borrowed from key) into out. */
int igr_check_header_key(const char *key, const char **out_name,
                         struct oag_error *err);
/* "type/subtype" media type as a template key. */
int igr_check_media_type(const char *key, struct oag_error *err);

#endif
