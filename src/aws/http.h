/*
 * HTTP over libcurl (the only file that includes curl.h is aws/http.c).
 *
 * One struct http_client owns one curl easy handle, so the connection is
 * reused across calls.  TLS is verified unless opts->insecure.  libcurl is
 * given the URL as it is (already percent-encoded, CURLOPT_PATH_AS_IS) so the
 * path that was signed is the path that is sent; redirects are never
 * followed; proxies come from the environment as curl's do.  Every handle
 * sets CURLOPT_ERRORBUFFER and translates failures into struct oag_error
 * (OAG_ERR_NETWORK, err->retryable for resets, timeouts and refused
 * connections) in exactly one place.
 */
#ifndef OAG_AWS_HTTP_H
#define OAG_AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/buf.h"

struct oag_error;
struct http_client;

struct http_header {
    char *name;  /* request: borrowed; response: owned */
    char *value; /* request: borrowed; response: owned */
};

struct http_options {
    bool insecure;             /* skip TLS verification (caller warns) */
    long timeout_ms;           /* whole transfer; 0 = 60000 */
    long connect_timeout_ms;   /* 0 = 10000 */
    size_t max_response_bytes; /* 0 = 64 MiB; larger bodies are an error */
    const char *user_agent;    /* NULL = "oas2apigw/VERSION" */
    FILE *trace;               /* non-NULL: --debug trace, secrets redacted */
};

struct http_request {
    const char *method;                /* "GET", "PUT", ... */
    const char *url;                   /* complete, already percent-encoded */
    const struct http_header *headers; /* sent exactly as given */
    size_t n_headers;
    const void *body; /* may be NULL */
    size_t body_len;
    long timeout_ms; /* 0 = the client's */
};

struct http_response {
    long status;                 /* HTTP status */
    struct http_header *headers; /* owned, in received order */
    size_t n_headers;
    struct buf body; /* owned */
};

/* NULL + err on failure.  opts may be NULL (all defaults). */
struct http_client *http_client_new(const struct http_options *opts,
                                    struct oag_error *err);
void http_client_free(struct http_client *client);

/*
 * Sends req and fills out (released first).  A response of any HTTP status is
 * success here (0); -1 only when no response arrived or it exceeded the size
 * cap.  libcurl adds no Content-Type, Accept or Expect of its own.
 */
int http_client_send(struct http_client *client, const struct http_request *req,
                     struct http_response *out, struct oag_error *err);

void http_response_release(struct http_response *resp);
/* First header named name (case-insensitive), borrowed, or NULL. */
const char *http_response_header(const struct http_response *resp,
                                 const char *name);

#endif
