/*
 * AWS Signature Version 4 (OpenSSL for SHA-256 and HMAC).
 *
 * The four steps, each callable on its own so tests can check every stage:
 *   1. canonical request  = method, canonical URI (the wire path normalised
 *      and percent-encoded again: the double encoding of non-S3 services),
 *      canonical query (decoded, strictly re-encoded, sorted by name then
 *      value), canonical headers, signed headers, hex SHA-256 of the body;
 *   2. string to sign     = "AWS4-HMAC-SHA256", amz date, scope, hash of 1;
 *   3. signing key        = HMAC chain over date, region, service,
 *                           "aws4_request";
 *   4. signature / Authorization header.
 * Time is always a parameter: nothing here reads the clock.
 */
#ifndef OAG_AWS_SIGV4_H
#define OAG_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "aws/http.h"
#include "util/buf.h"

struct oag_error;

struct sigv4_credentials {
    const char *access_key_id;     /* borrowed */
    const char *secret_access_key; /* borrowed; never printed */
    const char *session_token;     /* borrowed; NULL = none */
};

struct sigv4_request {
    const char *method;                /* "GET" */
    const char *path;                  /* wire path, already encoded */
    const char *query;                 /* wire query without '?'; "" = none */
    const struct http_header *headers; /* headers to sign (Host included) */
    size_t n_headers;
    const void *body;
    size_t body_len;
};

/* The result of signing: the headers to add, in this order. */
struct sigv4_signature {
    char amz_date[17];    /* "YYYYMMDDTHHMMSSZ" */
    char *authorization;  /* owned: full Authorization value */
    char *security_token; /* owned copy of the token, or NULL */
    char *signed_headers; /* owned: "accept;host;x-amz-date" */
};

/* "YYYYMMDDTHHMMSSZ" for t (UTC) into out (17 bytes). */
void sigv4_format_amz_date(time_t t, char out[17]);

/*
 * Percent-encodes s with the strict unreserved set (A-Z a-z 0-9 - _ . ~),
 * upper-case hex, appending to out.  encode_slash false keeps '/' as is.
 */
void sigv4_uri_encode(struct buf *out, const char *s, size_t len,
                      bool encode_slash);

/*
 * Step 1.  extra_signed: headers added by the signer (X-Amz-Date and the
 * token) are taken from amz_date and token; they must not also be in req.
 */
int sigv4_canonical_request(const struct sigv4_request *req,
                            const char *amz_date, const char *session_token,
                            struct buf *out, struct buf *out_signed_headers,
                            struct oag_error *err);
/* Step 2. */
void sigv4_string_to_sign(const char *amz_date, const char *scope,
                          const char *canonical_request, struct buf *out);
/* Step 3: 32 raw bytes. */
void sigv4_signing_key(const char *secret, const char *date8,
                       const char *region, const char *service,
                       unsigned char out[32]);
/* Credential scope "date8/region/service/aws4_request". */
void sigv4_scope(const char *date8, const char *region, const char *service,
                 struct buf *out);

/* All steps.  out is released first; on failure it stays zeroed. */
int sigv4_sign(const struct sigv4_request *req,
               const struct sigv4_credentials *cred, const char *region,
               const char *service, time_t now, struct sigv4_signature *out,
               struct oag_error *err);
void sigv4_signature_release(struct sigv4_signature *sig);

#endif
