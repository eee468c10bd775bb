/*
 * API Gateway (REST, v1) control-plane operations over struct aws_client
 * (aws/client.h), as C functions returning parsed results.
 *
 * URIs, query members and body members are the service model's
 * (../shared/reference/apigateway-service-2.json, apigateway.md 6.2).
 * Every path parameter is percent-encoded as one segment
 * (sigv4_uri_encode with '/' encoded; "." and ".." as %2E), so an id or a
 * status code can never change the shape of the URL; an empty one is an
 * error (OAG_ERR_INVALID).
 *
 * Ownership: every json_t * returned through an out parameter is a new
 * reference owned by the caller (json_decref it); out may be NULL when the
 * result is not wanted.  json_t * arguments are borrowed: their reference
 * counts are the same after the call.  On failure *out is left NULL and
 * err says why (aws/client.h: aws_client_call).
 */
#ifndef OAG_AWS_APIGW_H
#define OAG_AWS_APIGW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct aws_client;
struct oag_error;

/* One resource of GetResources (embed=methods). */
struct apigw_resource {
    char *id;                 /* owned */
    char *parent_id;          /* owned; NULL for the root */
    char *path_part;          /* owned; NULL for the root */
    char *path;               /* owned: "/pets/{id}" */
    json_t *resource_methods; /* owned reference: "resourceMethods" as
                                 returned (method -> Method with
                                 methodResponses and methodIntegration);
                                 NULL when absent */
};

struct apigw_resources {
    struct apigw_resource *items; /* owned, in the order received */
    size_t len;
};

void apigw_resources_release(struct apigw_resources *res);

/* GetRestApis, all pages: a JSON array of RestApi objects. */
int apigw_get_rest_apis(struct aws_client *client, json_t **out,
                        struct oag_error *err);

/* GetRestApis, all pages, keeping the APIs whose "name" equals name: a
 * JSON array, empty when none matches (names are not unique). */
int apigw_find_rest_apis_by_name(struct aws_client *client, const char *name,
                                 json_t **out, struct oag_error *err);

/* GetRestApi: the RestApi object. */
int apigw_get_rest_api(struct aws_client *client, const char *rest_api_id,
                       json_t **out, struct oag_error *err);

/*
 * GetResources with embed=methods and limit=500, following "position"
 * through every page.  out is released first; on failure it stays empty.
 */
int apigw_get_resources(struct aws_client *client, const char *rest_api_id,
                        struct apigw_resources *out, struct oag_error *err);

/* GetMethod: the Method object. */
int apigw_get_method(struct aws_client *client, const char *rest_api_id,
                     const char *resource_id, const char *http_method,
                     json_t **out, struct oag_error *err);

/*
 * PutMethodResponse.  response_parameters ("method.response.header.X" ->
 * true/false) and response_models (media type -> model name) are sent only
 * when non-NULL.  out: the MethodResponse.
 */
int apigw_put_method_response(struct aws_client *client,
                              const char *rest_api_id, const char *resource_id,
                              const char *http_method, const char *status_code,
                              json_t *response_parameters,
                              json_t *response_models, json_t **out,
                              struct oag_error *err);

/* UpdateMethodResponse: patch_operations is a JSON array of
 * {op, path, value, from} objects.  out: the MethodResponse. */
int apigw_update_method_response(
    struct aws_client *client, const char *rest_api_id, const char *resource_id,
    const char *http_method, const char *status_code, json_t *patch_operations,
    json_t **out, struct oag_error *err);

/*
 * PutIntegrationResponse (replaces the whole entry, apigateway.md 2.4).
 * Body members only when given: selection_pattern NULL = the default
 * response (no "selectionPattern"), response_parameters /
 * response_templates NULL = absent, content_handling NULL = absent.
 * out: the IntegrationResponse.
 */
int apigw_put_integration_response(
    struct aws_client *client, const char *rest_api_id, const char *resource_id,
    const char *http_method, const char *status_code,
    const char *selection_pattern, json_t *response_parameters,
    json_t *response_templates, const char *content_handling, json_t **out,
    struct oag_error *err);

/* GetIntegrationResponse: the IntegrationResponse object. */
int apigw_get_integration_response(struct aws_client *client,
                                   const char *rest_api_id,
                                   const char *resource_id,
                                   const char *http_method,
                                   const char *status_code, json_t **out,
                                   struct oag_error *err);

/* DeleteIntegrationResponse. */
int apigw_delete_integration_response(
    struct aws_client *client, const char *rest_api_id, const char *resource_id,
    const char *http_method, const char *status_code, struct oag_error *err);

enum apigw_put_mode {
    APIGW_PUT_MERGE = 0, /* mode=merge */
    APIGW_PUT_OVERWRITE, /* mode=overwrite */
};

/* Query parameters of PutRestApi and ImportRestApi; zero = defaults. */
struct apigw_import_options {
    enum apigw_put_mode mode;  /* PutRestApi only */
    bool fail_on_warnings;     /* failonwarnings=true (false is sent too) */
    bool ignore_documentation; /* ignore=documentation */
    const char *basepath;      /* basepath=ignore|prepend|split; NULL = not
                                  sent */
    const char *endpoint_type; /* ImportRestApi only:
                                  endpointConfigurationTypes=EDGE|REGIONAL|
                                  PRIVATE; NULL = not sent */
    const char *content_type;  /* of the document; NULL = none sent (as
                                  botocore) */
};

/*
 * PutRestApi: document (len bytes of OpenAPI JSON or YAML) is the whole raw
 * body.  opts may be NULL.  out: the RestApi, including "warnings" when
 * AWS reports any.
 */
int apigw_put_rest_api(struct aws_client *client, const char *rest_api_id,
                       const void *document, size_t len,
                       const struct apigw_import_options *opts, json_t **out,
                       struct oag_error *err);

/* ImportRestApi (POST /restapis?mode=import): out: the new RestApi. */
int apigw_import_rest_api(struct aws_client *client, const void *document,
                          size_t len, const struct apigw_import_options *opts,
                          json_t **out, struct oag_error *err);

/*
 * GetExport of a deployed stage: export_type "swagger" or "oas30";
 * extensions ("integrations", "apigateway", ...) or NULL; yaml selects
 * Accept: application/yaml instead of application/json.  out (released
 * first) receives the raw bytes as returned.
 */
int apigw_get_export(struct aws_client *client, const char *rest_api_id,
                     const char *stage_name, const char *export_type,
                     const char *extensions, bool yaml, struct buf *out,
                     struct oag_error *err);

/* CreateDeployment; stage_name and description NULL = not sent.  out: the
 * Deployment. */
int apigw_create_deployment(struct aws_client *client, const char *rest_api_id,
                            const char *stage_name, const char *description,
                            json_t **out, struct oag_error *err);

#endif
