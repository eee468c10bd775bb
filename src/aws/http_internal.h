/*
 * Internals of aws/http.c shared with its tests only: how the --debug
 * trace hides secrets.
 */
#ifndef OAG_AWS_HTTP_INTERNAL_H
#define OAG_AWS_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/*
 * True when a header of this name carries a secret: Authorization,
 * Proxy-Authorization, X-Amz-Security-Token, Cookie, Set-Cookie, and any
 * name containing "token", "secret", "password", "passwd", "credential",
 * "session", "api-key" or "apikey" (case-insensitive).
 */
bool http_header_is_secret(const char *name, size_t len);

/*
 * Appends one header line (without its CRLF) to out as the trace shows it:
 * "Name: [redacted]" for secret names, unchanged otherwise.
 */
void http_trace_add_header(struct buf *out, const char *line, size_t len);

/*
 * Appends free text (libcurl's informational lines) to out with the
 * user-info of any URL in it ("scheme://user:pass@") replaced by
 * "[redacted]@": libcurl names the proxy it takes from the environment.
 */
void http_trace_add_text(struct buf *out, const char *text, size_t len);

#endif
