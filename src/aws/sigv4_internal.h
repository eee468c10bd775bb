/*
 * Shared by the SigV4 files (sigv4.c, crypto.c) and their tests only: the
 * OpenSSL seam and the canonical-form helpers behind sigv4_canonical_request.
 * No other module includes this header.
 */
#ifndef OAG_AWS_SIGV4_INTERNAL_H
#define OAG_AWS_SIGV4_INTERNAL_H

#include <stddef.h>

#include "util/buf.h"

struct oag_error;

#define SIGV4_SHA256_LEN 32

/*
 * SHA-256 of len bytes at data (data may be NULL when len is 0) into out.
 * -1 with OAG_ERR_INTERNAL and OpenSSL's error queue in err on failure.
 */
int sigv4_sha256(const void *data, size_t len,
                 unsigned char out[SIGV4_SHA256_LEN], struct oag_error *err);

/*
 * HMAC-SHA-256 of data under key (raw bytes) into out.  The key is not
 * copied anywhere that outlives the call; errors never include key or data.
 */
int sigv4_hmac_sha256(const void *key, size_t key_len, const void *data,
                      size_t len, unsigned char out[SIGV4_SHA256_LEN],
                      struct oag_error *err);

/* Lower-case hex of len bytes into out (2 * len + 1 bytes, NUL-terminated). */
void sigv4_hex(const unsigned char *in, size_t len, char *out);

/*
 * Canonical URI of a wire path (already percent-encoded once), appended to
 * out: dot and empty segments removed (not for S3, which we never sign),
 * trailing '/' kept, "" = "/", then every byte percent-encoded again except
 * the unreserved set and '/'.  -1 (OAG_ERR_INVALID) when path does not start
 * with '/'.
 */
int sigv4_canonical_uri(struct buf *out, const char *path,
                        struct oag_error *err);

/*
 * Canonical query of a wire query (without '?'; "" = none), appended to out:
 * pairs split on '&' (empty pieces dropped) and at the first '=' (none = empty
 * value), percent-decoded ('+' stays '+', a '%' not followed by two hex
 * digits stays a literal '%'), re-encoded with the strict unreserved set and
 * sorted by name, then value, comparing bytes.
 */
void sigv4_canonical_query(struct buf *out, const char *query);

#endif
