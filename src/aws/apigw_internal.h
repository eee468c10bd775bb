/*
 * Internals of aws/apigw.c shared with its tests and fuzz targets: the
 * operation table, the expansion of the model's URI templates, and the
 * parsing of list pages (GetResources, GetRestApis) apart from the HTTP.
 */
#ifndef OAG_AWS_APIGW_INTERNAL_H
#define OAG_AWS_APIGW_INTERNAL_H

#include <stdbool.h>
#include <jansson.h>
#include <stddef.h>

#include "aws/apigw.h"
#include "util/buf.h"

struct oag_error;

/*
 * The HTTP method and URI template (the model's requestUri without its
 * query, e.g. "/restapis/{restapi_id}/resources") apigw.c uses for
 * operation; false for an operation it does not implement.
 */
bool apigw_operation_route(const char *operation, const char **out_method,
                           const char **out_uri);

/*
 * Expands tmpl's "{name}" placeholders with values, in order, appending to
 * out.  Each value becomes exactly one path segment: percent-encoded with
 * '/' encoded, "." and ".." written %2E and %2E%2E.  -1 with
 * OAG_ERR_INVALID naming the placeholder when a value is NULL or empty;
 * OAG_ERR_INTERNAL when the number of values does not match.
 */
int apigw_path_expand(const char *tmpl, const char *const *values,
                      size_t n_values, struct buf *out, struct oag_error *err);

/*
 * One page of a paged list operation: body[0..len) is the answer (an
 * empty body reads as {}).  Appends its "item" array to items and sets
 * *out_next to its "position" (owned) or NULL on the last page.  position
 * is the one this page was asked for (NULL for the first): a page that
 * gives it back is an error, as is an answer that is not a JSON object or
 * whose "item" is not an array (OAG_ERR_AWS naming operation).
 */
int apigw_page_parse(const char *operation, const char *body, size_t len,
                     const char *position, json_t *items, char **out_next,
                     struct oag_error *err);

/*
 * GetResources items (borrowed) -> out (released first): every item an
 * object with a string "id"; resourceMethods kept when it is an object.
 */
int apigw_resources_from_items(json_t *items, struct apigw_resources *out,
                               struct oag_error *err);

#endif
