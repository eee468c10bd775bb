/*
 * Internals of aws/client.c shared with aws/apigw.c and the tests only:
 * the endpoint URL, the request built from a struct aws_call before it is
 * signed, and the user agent.
 */
#ifndef OAG_AWS_CLIENT_INTERNAL_H
#define OAG_AWS_CLIENT_INTERNAL_H

#include <stddef.h>

#include "aws/client.h"
#include "util/buf.h"

struct oag_error;

/* An endpoint URL taken apart (user-info dropped). */
struct aws_endpoint {
    char *scheme;      /* owned: "http" or "https" */
    char *host;        /* owned, lower-case; IPv6 literals keep [] */
    long port;         /* as written, 0 = none given */
    char *base_path;   /* owned: "" or "/prefix" without a trailing '/' */
    char *origin;      /* owned: "scheme://host[:port]" */
    char *host_header; /* owned: host, ":port" only when not the default */
};

/*
 * Parses an http(s) endpoint URL.  -1 with OAG_ERR_USAGE naming the URL
 * (user-info elided) when it has another scheme, no host, a bad port, a
 * query or a fragment.
 */
int aws_endpoint_parse(const char *url, struct aws_endpoint *out,
                       struct oag_error *err);
void aws_endpoint_release(struct aws_endpoint *ep);

/* "n1=v1&n2=v2" in the given order, names and values encoded strictly. */
void aws_query_format(const struct aws_query_param *query, size_t n,
                      struct buf *out);

/* "oas2apigw/VERSION" plus " app/ID" (sanitised, at most 50 bytes). */
void aws_user_agent_format(const char *app_id, struct buf *out);

/* The request of a call before signing. */
struct aws_prepared {
    struct buf url;              /* origin + path + ("?" + query) */
    struct buf path;             /* wire path: base path + call path */
    struct buf query;            /* wire query without '?' */
    struct http_header *headers; /* owned array, owned strings: to sign */
    size_t n_headers;
    const void *body; /* borrowed (the call's, or "{}") */
    size_t body_len;
};

/*
 * Builds the URL and the headers to sign (Host, Accept, Content-Type, the
 * call's headers, in that order) for call at ep.  -1 with OAG_ERR_INTERNAL
 * when the call is malformed: a path not starting with '/', holding '?',
 * '#', spaces or control bytes, or a header the client sets itself (Host,
 * Authorization, X-Amz-Date, X-Amz-Security-Token).
 */
int aws_call_prepare(const struct aws_endpoint *ep, const struct aws_call *call,
                     struct aws_prepared *out, struct oag_error *err);
void aws_prepared_release(struct aws_prepared *p);

#endif
