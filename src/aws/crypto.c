/*
 * SHA-256, HMAC-SHA-256 and hex for SigV4: the only file that includes
 * OpenSSL headers.  OpenSSL failures (possible only with a broken provider
 * configuration or no memory) become OAG_ERR_INTERNAL here, with the error
 * queue drained into the message; keys and data never reach it.
 */
#include "aws/sigv4_internal.h"

#include <limits.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/buf.h"
#include "util/error.h"

/* Sets err to what, followed by every entry of OpenSSL's error queue. */
static int openssl_fail(struct oag_error *err, const char *what)
{
    struct buf msg = BUF_INIT;
    unsigned long code;
    char text[256];

    buf_adds(&msg, what);
    while ((code = ERR_get_error()) != 0) {
        ERR_error_string_n(code, text, sizeof(text));
        buf_addf(&msg, ": %s", text);
    }
    oag_error_set(err, OAG_ERR_INTERNAL, "%s", buf_str(&msg));
    buf_release(&msg);
    return -1;
}

int sigv4_sha256(const void *data, size_t len,
                 unsigned char out[SIGV4_SHA256_LEN], struct oag_error *err)
{
    unsigned int out_len = 0;
    static const unsigned char empty[1] = { 0 };

    if (!data) {
        data = empty;
        len = 0;
    }
    if (EVP_Digest(data, len, out, &out_len, EVP_sha256(), NULL) != 1 ||
        out_len != SIGV4_SHA256_LEN) {
        return openssl_fail(err, "sha-256 failed");
    }
    return 0;
}

int sigv4_hmac_sha256(const void *key, size_t key_len, const void *data,
                      size_t len, unsigned char out[SIGV4_SHA256_LEN],
                      struct oag_error *err)
{
    unsigned int out_len = 0;
    static const unsigned char empty[1] = { 0 };

    if (key_len > (size_t)INT_MAX) {
        return oag_error_set(err, OAG_ERR_INTERNAL, "hmac key too long");
    }
    if (!data) {
        data = empty;
        len = 0;
    }
    if (!key) {
        key = empty;
        key_len = 0;
    }
    if (!HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len) ||
        out_len != SIGV4_SHA256_LEN) {
        return openssl_fail(err, "hmac-sha-256 failed");
    }
    return 0;
}

void sigv4_hex(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 0x0f];
    }
    out[2 * len] = '\0';
}
