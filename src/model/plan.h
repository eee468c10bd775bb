/*
 * The plan of a per-item import: what must change in a live API so that
 * its integration responses equal the document's records.
 *
 * A record is identified as API Gateway identifies it (path, method, status
 * code).  Same target and same content (model equivalences) = unchanged;
 * same target, other content = change (PutIntegrationResponse replaces the
 * whole entry); in the document only = add; live only = delete, applied
 * only with prune.  Before an integration response can be written, its
 * method response must exist and declare every mapped header
 * (apigateway.md section 3): missing ones are planned first, per method.
 */
#ifndef OAG_MODEL_PLAN_H
#define OAG_MODEL_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "model/igr.h"

struct oag_error_list;

/* One live method response: its status code and declared headers. */
struct igr_method_response {
    char *status_code; /* owned */
    char **headers;    /* owned header names (method.response.header.X) */
    size_t n_headers;
};

/* One live method. */
struct igr_live_method {
    char *path;        /* owned resource path */
    char *http_method; /* owned */
    char *resource_id; /* owned */
    bool has_integration;
    struct igr_method_response *responses; /* owned */
    size_t n_responses;
};

/* The live state of an API as the plan needs it. */
struct igr_live {
    struct igr_list records;         /* live integration responses */
    struct igr_live_method *methods; /* owned */
    size_t n_methods;
};

void igr_live_release(struct igr_live *live);
/* Appends a method (zeroed, owned by live) and returns it. */
struct igr_live_method *igr_live_add_method(struct igr_live *live);
/* Appends a method response to m and returns it. */
struct igr_method_response *
igr_live_method_add_response(struct igr_live_method *m,
                             const char *status_code);
void igr_method_response_add_header(struct igr_method_response *r,
                                    const char *header);

enum igr_plan_action {
    IGR_PLAN_PUT_METHOD_RESPONSE,    /* new method response (+ headers) */
    IGR_PLAN_UPDATE_METHOD_RESPONSE, /* declare more headers */
    IGR_PLAN_ADD,                    /* new integration response */
    IGR_PLAN_CHANGE,                 /* replace an integration response */
    IGR_PLAN_DELETE,                 /* delete (prune) */
};

/* Which fields a change touches (bit set). */
enum igr_plan_fields {
    IGR_FIELD_SELECTION_PATTERN = 1 << 0,
    IGR_FIELD_RESPONSE_PARAMETERS = 1 << 1,
    IGR_FIELD_RESPONSE_TEMPLATES = 1 << 2,
    IGR_FIELD_CONTENT_HANDLING = 1 << 3,
};

struct igr_plan_item {
    enum igr_plan_action action;
    struct igr_record record; /* desired (add/change), live (delete); for
                                  method responses: path, method, status */
    unsigned fields;          /* change: enum igr_plan_fields */
    char **headers;           /* method responses: header names to declare */
    size_t n_headers;
    char *resource_id; /* owned: where to apply */
};

struct igr_plan {
    struct igr_plan_item *items; /* owned, in the order to apply */
    size_t len;
    size_t cap;
    size_t n_unchanged;
    size_t n_kept;        /* live-only records kept (no prune) */
    struct igr_list kept; /* those records, for the report */
};

void igr_plan_release(struct igr_plan *plan);

/*
 * Builds the plan turning live into desired.  Records for a method that is
 * not live, or has no integration, go to problems (errors naming them) and
 * the call returns -1 (nothing should be sent).  Order: per method in
 * document order, method responses first, then integration responses in
 * record order; deletes (prune) last, in live order.
 */
int igr_plan_build(const struct igr_list *desired, const struct igr_live *live,
                   bool prune, struct igr_plan *out,
                   struct oag_error_list *problems);

/* Counts by action (add, change, delete; method responses not counted). */
void igr_plan_count(const struct igr_plan *plan, size_t *out_add,
                    size_t *out_change, size_t *out_delete);

/* "responseTemplates, contentHandling" (caller frees); "" for none. */
char *igr_plan_fields_describe(unsigned fields);

#endif
