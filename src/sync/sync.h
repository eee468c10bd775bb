/*
 * Keeping a live REST API and a document in step: reading the live state
 * (GetResources, all pages, methods embedded) into the model, applying a
 * plan (model/plan.h) one call at a time, choosing the API, and rendering
 * the live state as an OpenAPI document for export.
 *
 * Writes to one API are sequential (parallel writes provoke 409 concurrent
 * modification); pacing and retries are the AWS client's.
 */
#ifndef OAG_SYNC_SYNC_H
#define OAG_SYNC_SYNC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/apigw.h"
#include "model/plan.h"
#include "util/error.h"

struct aws_client;
struct buf;

/* The live state in model terms, from GetResources (embed=methods). */
int sync_live_from_resources(const struct apigw_resources *res,
                             struct igr_live *out, struct oag_error *err);

/* How the API is chosen. */
struct sync_target {
    const char *rest_api_id;   /* --rest-api-id or OAS2APIGW_REST_API_ID */
    const char *rest_api_name; /* --rest-api-name */
    const char *title;         /* the document's info.title, the default */
};

/*
 * Resolves the API id: the id as given, else the only API named name (or
 * title).  No match: -1 with err code OAG_ERR_AWS and *out_not_found set;
 * several: -1 listing their ids.  *out_id is owned by the caller.
 */
int sync_resolve_api(struct aws_client *client, const struct sync_target *t,
                     char **out_id, bool *out_not_found, struct oag_error *err);

/* Progress after each call: done of total. */
typedef void (*sync_progress_fn)(void *ctx, size_t done, size_t total);

/* What apply did. */
struct sync_report {
    size_t applied;           /* items applied, in plan order: 0..applied-1 */
    bool failed;              /* item `applied` failed */
    struct oag_error failure; /* why (owned) */
    size_t not_attempted;     /* items after the failed one */
};

void sync_report_release(struct sync_report *r);

/*
 * Applies plan's items in order, stopping at the first failure (the client
 * has retried what may pass on retry).  Returns 0 when all were applied;
 * -1 with report filled and err (OAG_ERR_PARTIAL when some were applied,
 * else the failure's own code) otherwise.
 */
int sync_apply(struct aws_client *client, const char *rest_api_id,
               const struct igr_plan *plan, sync_progress_fn progress,
               void *progress_ctx, struct sync_report *report,
               struct oag_error *err);

enum sync_oas {
    SYNC_OAS_3 = 3, /* OpenAPI 3.0.1 */
    SYNC_OAS_2 = 2, /* Swagger 2.0 */
};

/*
 * Renders the live API (rest_api: the RestApi object, may be NULL) as an
 * OpenAPI document: every method with its parameters, responses (declared
 * headers) and x-amazon-apigateway-integration with its integration
 * responses ('default' for no pattern).  *out is a new reference.
 */
int sync_export_document(const struct apigw_resources *res, json_t *rest_api,
                         enum sync_oas oas, json_t **out,
                         struct oag_error *err);

/* Appends doc as YAML (block style, 2 spaces) or as JSON to out. */
void sync_document_format(json_t *doc, bool yaml, struct buf *out);

#endif
