/*
 * Internals of aws/apigw.c shared with its tests only: the operation table
 * and the expansion of the model's URI templates.
 */
#ifndef OAG_AWS_APIGW_INTERNAL_H
#define OAG_AWS_APIGW_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

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

#endif
