/*
 * AWS Signature Version 4 for non-S3 services (API Gateway), after the AWS
 * General Reference ("Create a signed AWS API request") and the AWS SigV4
 * test suite kept in testdata/sigv4; reference/aws-conventions.md section 6
 * lists the traps.  The four steps:
 *
 *   1. CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n
 *                         CanonicalHeaders \n SignedHeaders \n
 *                         hex(SHA256(body))
 *      (every canonical header line ends in \n, hence an empty line)
 *   2. StringToSign     = "AWS4-HMAC-SHA256" \n X-Amz-Date \n Scope \n
 *                         hex(SHA256(CanonicalRequest))
 *      Scope            = date8/region/service/aws4_request
 *   3. kSigning         = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date8),
 *                         region), service), "aws4_request")
 *   4. Signature        = hex(HMAC(kSigning, StringToSign)), sent as
 *      Authorization: AWS4-HMAC-SHA256 Credential=AKID/Scope,
 *                     SignedHeaders=a;b;c, Signature=hex
 *
 * Stage functions append to the caller's buffers.  Secrets ("AWS4" + secret,
 * every key of the HMAC chain, the session token inside the canonical
 * request) are wiped before their memory is released and never appear in an
 * error message.  Nothing here reads the clock: the time is a parameter.
 */
#include "aws/sigv4.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sigv4_internal.h"
#include "util/error.h"
#include "util/xalloc.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"

/* RFC 3986 section 2.3 unreserved: the only bytes SigV4 leaves as they are. */
static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

/* RFC 7230 section 3.2.6 tchar: header names and methods. */
static bool is_tchar(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_token(const char *s)
{
    if (!s || !*s) {
        return false;
    }
    for (; *s; s++) {
        if (!is_tchar((unsigned char)*s)) {
            return false;
        }
    }
    return true;
}

/* Linear white space, including the CR LF of an obsolete folded line. */
static bool is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

void sigv4_uri_encode(struct buf *out, const char *s, size_t len,
                      bool encode_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    if (len == 0) {
        return; /* buf_grow alone would leave a fresh buffer unterminated */
    }
    buf_grow(out, len);
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (c == '/' && !encode_slash)) {
            buf_addch(out, (char)c);
        } else {
            buf_addch(out, '%');
            buf_addch(out, hex[c >> 4]);
            buf_addch(out, hex[c & 0x0f]);
        }
    }
}

/*
 * X-Amz-Date is four-digit-year UTC (section 6.5 of aws-conventions.md);
 * false for a time that has no such form (before 1970 or after 9999).
 */
static bool format_amz_date(time_t t, char out[17])
{
    struct tm tm;

    if (!gmtime_r(&t, &tm) || tm.tm_year < 70 || tm.tm_year > 9999 - 1900) {
        return false;
    }
    return strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) == 16;
}

void sigv4_format_amz_date(time_t t, char out[17])
{
    /* No error channel here: an unrepresentable time gives all zeros. */
    if (!format_amz_date(t, out)) {
        memcpy(out, "00000000T000000Z", 17);
    }
}

/* "YYYYMMDDTHHMMSSZ" with digits where digits belong. */
static bool is_amz_date(const char *s)
{
    size_t i;

    if (!s || strlen(s) != 16) {
        return false;
    }
    for (i = 0; i < 16; i++) {
        if (i == 8) {
            if (s[i] != 'T') {
                return false;
            }
        } else if (i == 15) {
            if (s[i] != 'Z') {
                return false;
            }
        } else if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

struct path_segment {
    const char *start;
    size_t len;
};

/*
 * Step 1, canonical URI.  Dot and empty segments are removed the way
 * botocore's remove_dot_segments does (RFC 3986 section 5.2.4 plus the
 * removal of empty segments AWS requires); the suite's normalize-path
 * cases are the reference.  A trailing '/' is kept unless nothing is left.
 */
int sigv4_canonical_uri(struct buf *out, const char *path,
                        struct oag_error *err)
{
    struct path_segment *segs;
    size_t n_slashes = 0;
    size_t n_segs = 0;
    size_t path_len;
    const char *p;
    size_t i;

    if (!path || !*path) {
        buf_addch(out, '/');
        return 0;
    }
    if (path[0] != '/') {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "request path '%s' does not start with '/'", path);
    }
    path_len = strlen(path);
    for (p = path; *p; p++) {
        n_slashes += *p == '/';
    }
    segs = xcalloc(n_slashes, sizeof(*segs));
    p = path + 1;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len == 0 || (len == 1 && p[0] == '.')) {
            /* empty segment ("//") or "." */
        } else if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (n_segs > 0) {
                n_segs--;
            }
        } else {
            segs[n_segs].start = p;
            segs[n_segs].len = len;
            n_segs++;
        }
        if (!end) {
            break;
        }
        p = end + 1;
    }

    /* The wire path is already encoded: encoding again turns '%' into %25. */
    buf_addch(out, '/');
    for (i = 0; i < n_segs; i++) {
        if (i > 0) {
            buf_addch(out, '/');
        }
        sigv4_uri_encode(out, segs[i].start, segs[i].len, true);
    }
    if (n_segs > 0 && path[path_len - 1] == '/') {
        buf_addch(out, '/');
    }
    free(segs);
    return 0;
}

struct query_pair {
    char *name;  /* owned, strictly encoded */
    char *value; /* owned, strictly encoded */
};

/* Percent-decodes s[0..len) into tmp, then strictly encodes it into out. */
static void recode_component(struct buf *out, const char *s, size_t len,
                             struct buf *tmp)
{
    size_t i;

    buf_reset(tmp);
    for (i = 0; i < len; i++) {
        int hi;
        int lo;

        if (s[i] == '%' && i + 2 < len) {
            hi = hex_value(s[i + 1]);
            lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                buf_addch(tmp, (char)(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        /* '+' is a plus, not a space: SigV4 query values are %20-encoded. */
        buf_addch(tmp, s[i]);
    }
    sigv4_uri_encode(out, buf_str(tmp), tmp->len, true);
}

static int compare_query_pairs(const void *a, const void *b)
{
    const struct query_pair *pa = a;
    const struct query_pair *pb = b;
    int c = strcmp(pa->name, pb->name);

    return c != 0 ? c : strcmp(pa->value, pb->value);
}

/*
 * Step 1, canonical query (aws-conventions.md 6.3).  Pairs are sorted, not
 * the joined "name=value" strings: that would put "Param-3=" before
 * "Param=" ('-' < '='), which get-vanilla-query-order-encoded catches.
 */
void sigv4_canonical_query(struct buf *out, const char *query)
{
    struct query_pair *pairs = NULL;
    struct buf tmp = BUF_INIT;
    struct buf enc = BUF_INIT;
    size_t n_pairs = 0;
    size_t cap = 0;
    const char *p = query ? query : "";
    size_t i;

    while (*p) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq ? (size_t)(eq - p) : len;

        if (len > 0) {
            if (n_pairs == cap) {
                cap = cap ? 2 * cap : 8;
                pairs = xreallocarray(pairs, cap, sizeof(*pairs));
            }
            recode_component(&enc, p, name_len, &tmp);
            pairs[n_pairs].name = buf_detach(&enc, NULL);
            if (eq) {
                recode_component(&enc, eq + 1, len - name_len - 1, &tmp);
            }
            pairs[n_pairs].value = buf_detach(&enc, NULL);
            n_pairs++;
        }
        if (!end) {
            break;
        }
        p = end + 1;
    }
    if (n_pairs > 1) {
        qsort(pairs, n_pairs, sizeof(*pairs), compare_query_pairs);
    }
    for (i = 0; i < n_pairs; i++) {
        if (i > 0) {
            buf_addch(out, '&');
        }
        buf_adds(out, pairs[i].name);
        buf_addch(out, '=');
        buf_adds(out, pairs[i].value);
        free(pairs[i].name);
        free(pairs[i].value);
    }
    free(pairs);
    buf_release(&tmp);
    buf_release(&enc);
}

struct canon_header {
    char *name;   /* owned, lower-case */
    char *value;  /* owned, trimmed, whitespace runs collapsed */
    size_t index; /* position in the request: keeps duplicates in order */
};

/* Value trimmed, each run of white space (folds included) one space. */
static char *canonical_value(const char *v)
{
    struct buf out = BUF_INIT;
    bool pending_space = false;

    for (; v && *v; v++) {
        if (is_lws(*v)) {
            pending_space = out.len > 0;
            continue;
        }
        if (pending_space) {
            buf_addch(&out, ' ');
            pending_space = false;
        }
        buf_addch(&out, *v);
    }
    return buf_detach(&out, NULL);
}

static char *lower_dup(const char *s)
{
    char *copy = xstrdup(s);
    char *p;

    for (p = copy; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') {
            *p = (char)(*p - 'A' + 'a');
        }
    }
    return copy;
}

static int compare_headers(const void *a, const void *b)
{
    const struct canon_header *ha = a;
    const struct canon_header *hb = b;
    int c = strcmp(ha->name, hb->name);

    if (c != 0) {
        return c;
    }
    return ha->index < hb->index ? -1 : ha->index > hb->index;
}

static void free_headers(struct canon_header *hs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(hs[i].name);
        free_secret(hs[i].value); /* may be the session token */
    }
    free(hs);
}

/*
 * Step 1, canonical headers and signed headers (aws-conventions.md 6.4):
 * names lower-cased, values trimmed and collapsed, duplicates joined with ','
 * in request order, lines sorted by name.  X-Amz-Date and the token come
 * from the signer and must not also be in the request.
 */
static int add_canonical_headers(struct buf *out, struct buf *out_signed,
                                 const struct sigv4_request *req,
                                 const char *amz_date,
                                 const char *session_token,
                                 struct oag_error *err)
{
    size_t n = req->n_headers + 2;
    struct canon_header *hs = xcalloc(n, sizeof(*hs));
    size_t used = 0;
    size_t i;
    int ret = -1;

    for (i = 0; i < req->n_headers; i++) {
        const struct http_header *h = &req->headers[i];

        if (!is_token(h->name)) {
            oag_error_set(err, OAG_ERR_INVALID,
                          "header name '%s' is not a valid HTTP token",
                          h->name ? h->name : "");
            goto out;
        }
        hs[used].name = lower_dup(h->name);
        hs[used].value = canonical_value(h->value);
        hs[used].index = used;
        used++;
        if (strcmp(hs[used - 1].name, "x-amz-date") == 0 ||
            (session_token &&
             strcmp(hs[used - 1].name, "x-amz-security-token") == 0)) {
            oag_error_set(err, OAG_ERR_INVALID,
                          "header '%s' is added by the signer and must not "
                          "be in the request",
                          h->name);
            goto out;
        }
    }
    hs[used].name = xstrdup("x-amz-date");
    hs[used].value = canonical_value(amz_date);
    hs[used].index = used;
    used++;
    if (session_token) {
        hs[used].name = xstrdup("x-amz-security-token");
        hs[used].value = canonical_value(session_token);
        hs[used].index = used;
        used++;
    }
    qsort(hs, used, sizeof(*hs), compare_headers);

    for (i = 0; i < used; i++) {
        if (i > 0 && strcmp(hs[i].name, hs[i - 1].name) == 0) {
            /* a repeated header: one line, values in request order */
            buf_addch(out, ',');
            buf_adds(out, hs[i].value);
            continue;
        }
        if (i > 0) {
            buf_addch(out, '\n');
            buf_addch(out_signed, ';');
        }
        buf_adds(out, hs[i].name);
        buf_addch(out, ':');
        buf_adds(out, hs[i].value);
        buf_adds(out_signed, hs[i].name);
    }
    buf_addch(out, '\n');
    ret = 0;
out:
    free_headers(hs, used);
    return ret;
}

int sigv4_canonical_request(const struct sigv4_request *req,
                            const char *amz_date, const char *session_token,
                            struct buf *out, struct buf *out_signed_headers,
                            struct oag_error *err)
{
    size_t out_len0 = out->len;
    size_t signed_len0 = out_signed_headers->len;
    unsigned char digest[SIGV4_SHA256_LEN];
    char digest_hex[2 * SIGV4_SHA256_LEN + 1];

    if (session_token && !*session_token) {
        session_token = NULL;
    }
    if (!req || !is_token(req->method)) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "request method '%s' is not a valid HTTP token",
                             req && req->method ? req->method : "");
    }
    if (!req->path) {
        return oag_error_set(err, OAG_ERR_INVALID, "request has no path");
    }
    if (!is_amz_date(amz_date)) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "'%s' is not an X-Amz-Date (YYYYMMDDTHHMMSSZ)",
                             amz_date ? amz_date : "");
    }
    if ((req->n_headers > 0 && !req->headers) ||
        (req->body_len > 0 && !req->body)) {
        return oag_error_set(err, OAG_ERR_INTERNAL,
                             "request has a length but no data");
    }
    if (session_token && strpbrk(session_token, "\r\n")) {
        return oag_error_set(err, OAG_ERR_AUTH,
                             "session token contains a line break");
    }

    /* Method */
    buf_adds(out, req->method);
    buf_addch(out, '\n');
    /* CanonicalURI */
    if (sigv4_canonical_uri(out, req->path, err) != 0) {
        goto fail;
    }
    buf_addch(out, '\n');
    /* CanonicalQuery */
    sigv4_canonical_query(out, req->query);
    buf_addch(out, '\n');
    /* CanonicalHeaders, each line ending in \n */
    if (add_canonical_headers(out, out_signed_headers, req, amz_date,
                              session_token, err) != 0) {
        goto fail;
    }
    buf_addch(out, '\n');
    /* SignedHeaders */
    buf_add(out, out_signed_headers->data + signed_len0,
            out_signed_headers->len - signed_len0);
    buf_addch(out, '\n');
    /* HashedPayload: the exact body bytes */
    if (sigv4_sha256(req->body, req->body_len, digest, err) != 0) {
        goto fail;
    }
    sigv4_hex(digest, sizeof(digest), digest_hex);
    buf_adds(out, digest_hex);
    return 0;

fail:
    if (out->len > out_len0) {
        secure_zero(out->data + out_len0, out->len - out_len0);
    }
    buf_truncate(out, out_len0);
    buf_truncate(out_signed_headers, signed_len0);
    return -1;
}

void sigv4_scope(const char *date8, const char *region, const char *service,
                 struct buf *out)
{
    buf_addf(out, "%s/%s/%s/" SIGV4_TERMINATOR, date8, region, service);
}

static int string_to_sign(const char *amz_date, const char *scope,
                          const char *canonical_request, struct buf *out,
                          struct oag_error *err)
{
    unsigned char digest[SIGV4_SHA256_LEN];
    char digest_hex[2 * SIGV4_SHA256_LEN + 1];

    if (sigv4_sha256(canonical_request, strlen(canonical_request), digest,
                     err) != 0) {
        return -1;
    }
    sigv4_hex(digest, sizeof(digest), digest_hex);
    buf_addf(out, SIGV4_ALGORITHM "\n%s\n%s\n%s", amz_date, scope, digest_hex);
    return 0;
}

void sigv4_string_to_sign(const char *amz_date, const char *scope,
                          const char *canonical_request, struct buf *out)
{
    struct oag_error err = OAG_ERROR_INIT;

    if (string_to_sign(amz_date, scope, canonical_request, out, &err) != 0) {
        OAG_BUG("%s", err.message);
    }
}

static int signing_key(const char *secret, const char *date8,
                       const char *region, const char *service,
                       unsigned char out[SIGV4_SHA256_LEN],
                       struct oag_error *err)
{
    struct buf k_secret = BUF_INIT;
    unsigned char k_date[SIGV4_SHA256_LEN];
    unsigned char k_region[SIGV4_SHA256_LEN];
    unsigned char k_service[SIGV4_SHA256_LEN];
    size_t secret_len = strlen(secret);
    int ret = -1;

    /* One allocation, so no reallocation leaves a copy of the secret. */
    buf_grow(&k_secret, 4 + secret_len);
    buf_add(&k_secret, "AWS4", 4);
    buf_add(&k_secret, secret, secret_len);
    if (sigv4_hmac_sha256(k_secret.data, k_secret.len, date8, strlen(date8),
                          k_date, err) != 0 ||
        sigv4_hmac_sha256(k_date, sizeof(k_date), region, strlen(region),
                          k_region, err) != 0 ||
        sigv4_hmac_sha256(k_region, sizeof(k_region), service, strlen(service),
                          k_service, err) != 0 ||
        sigv4_hmac_sha256(k_service, sizeof(k_service), SIGV4_TERMINATOR,
                          strlen(SIGV4_TERMINATOR), out, err) != 0) {
        secure_zero(out, SIGV4_SHA256_LEN);
        goto out;
    }
    ret = 0;
out:
    secure_zero(k_secret.data, k_secret.len);
    buf_release(&k_secret);
    secure_zero(k_date, sizeof(k_date));
    secure_zero(k_region, sizeof(k_region));
    secure_zero(k_service, sizeof(k_service));
    return ret;
}

void sigv4_signing_key(const char *secret, const char *date8,
                       const char *region, const char *service,
                       unsigned char out[32])
{
    struct oag_error err = OAG_ERROR_INIT;

    if (signing_key(secret, date8, region, service, out, &err) != 0) {
        OAG_BUG("%s", err.message);
    }
}

/* Printable ASCII without the separators of the Credential= field. */
static bool is_access_key_id(const char *s)
{
    if (!s || !*s) {
        return false;
    }
    for (; *s; s++) {
        if (*s <= ' ' || *s > '~' || *s == '/' || *s == ',') {
            return false;
        }
    }
    return true;
}

/* Region and service name: the parts of the scope between the '/'s. */
static bool is_scope_part(const char *s)
{
    if (!s || !*s) {
        return false;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!is_unreserved(c)) {
            return false;
        }
    }
    return true;
}

int sigv4_sign(const struct sigv4_request *req,
               const struct sigv4_credentials *cred, const char *region,
               const char *service, time_t now, struct sigv4_signature *out,
               struct oag_error *err)
{
    struct buf creq = BUF_INIT;
    struct buf signed_headers = BUF_INIT;
    struct buf scope = BUF_INIT;
    struct buf sts = BUF_INIT;
    unsigned char key[SIGV4_SHA256_LEN];
    unsigned char sig[SIGV4_SHA256_LEN];
    char sig_hex[2 * SIGV4_SHA256_LEN + 1];
    char amz_date[17];
    char date8[9];
    const char *token;
    int ret = -1;

    sigv4_signature_release(out);
    if (!cred || !is_access_key_id(cred->access_key_id)) {
        /* the id is not named: some treat it as sensitive */
        return oag_error_set(err, OAG_ERR_AUTH,
                             "access key id is empty or contains characters "
                             "not allowed in a credential");
    }
    if (!cred->secret_access_key || !*cred->secret_access_key) {
        return oag_error_set(err, OAG_ERR_AUTH, "secret access key is empty");
    }
    if (!is_scope_part(region)) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "region '%s' is not valid in a signature scope",
                             region ? region : "");
    }
    if (!is_scope_part(service)) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "service '%s' is not valid in a signature scope",
                             service ? service : "");
    }
    if (!format_amz_date(now, amz_date)) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "time %lld is outside the years 1970 to 9999",
                             (long long)now);
    }
    token = cred->session_token && *cred->session_token ? cred->session_token
                                                        : NULL;

    /* The scope date is the date of the same X-Amz-Date (section 6.5). */
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';

    if (sigv4_canonical_request(req, amz_date, token, &creq, &signed_headers,
                                err) != 0) {
        goto out;
    }
    sigv4_scope(date8, region, service, &scope);
    if (string_to_sign(amz_date, buf_str(&scope), buf_str(&creq), &sts, err) !=
            0 ||
        signing_key(cred->secret_access_key, date8, region, service, key,
                    err) != 0 ||
        sigv4_hmac_sha256(key, sizeof(key), sts.data, sts.len, sig, err) != 0) {
        goto out;
    }
    sigv4_hex(sig, sizeof(sig), sig_hex);

    memcpy(out->amz_date, amz_date, sizeof(out->amz_date));
    out->authorization =
        xstrfmt(SIGV4_ALGORITHM " Credential=%s/%s, "
                                "SignedHeaders=%s, Signature=%s",
                cred->access_key_id, buf_str(&scope), buf_str(&signed_headers),
                sig_hex);
    out->security_token = token ? xstrdup(token) : NULL;
    out->signed_headers = buf_detach(&signed_headers, NULL);
    ret = 0;
out:
    secure_zero(key, sizeof(key));
    if (creq.data) {
        secure_zero(creq.data, creq.len); /* holds the session token */
    }
    buf_release(&creq);
    buf_release(&signed_headers);
    buf_release(&scope);
    buf_release(&sts);
    return ret;
}

void sigv4_signature_release(struct sigv4_signature *sig)
{
    if (!sig) {
        return;
    }
    free(sig->authorization);
    free_secret(sig->security_token);
    free(sig->signed_headers);
    memset(sig, 0, sizeof(*sig));
}
