/*
 * HTTP over libcurl; see http.h for the contract.  This is the only file
 * that includes curl.h, and the one place where libcurl's errors become
 * struct oag_error.
 *
 * One easy handle per client: curl_easy_reset() between requests clears
 * the options but keeps the connection cache, so the connection is reused.
 * The traps of aws-conventions.md 6.9 are closed here: libcurl's own
 * "Accept: *" + "/" + "*", "Content-Type: application/x-www-form-urlencoded"
 * and "Expect: 100-continue" are removed by sending those names with no
 * value, redirects are never followed, and the URL goes out as given
 * (CURLOPT_PATH_AS_IS) so the path that was signed is the path sent.
 */
#include "aws/http.h"

/* no type-checking macros: the calls below go through loaded pointers */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/http_internal.h"
#include "oag_config.h"
#include "util/error.h"
#include "util/xalloc.h"

/*
 * libcurl is loaded on first use, not linked: it pulls in some thirty
 * libraries (TLS, HTTP/2, LDAP, SSH, Kerberos ...) whose relocation alone
 * took ~10 ms of every start, while extract, merge and validate never make
 * a request.  The handful of entry points used here are resolved once.
 */
static struct {
    void *handle;
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *curl);
    CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *curl);
    void (*easy_reset)(CURL *curl);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
} curl_api;

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (*curl_api.global_init)
#define curl_easy_init (*curl_api.easy_init)
#define curl_easy_setopt (*curl_api.easy_setopt)
#define curl_easy_perform (*curl_api.easy_perform)
#define curl_easy_getinfo (*curl_api.easy_getinfo)
#define curl_easy_cleanup (*curl_api.easy_cleanup)
#define curl_easy_reset (*curl_api.easy_reset)
#define curl_easy_strerror (*curl_api.easy_strerror)
#define curl_slist_append (*curl_api.slist_append)
#define curl_slist_free_all (*curl_api.slist_free_all)

static int curl_load(struct oag_error *err)
{
    if (curl_api.handle) {
        return 0;
    }
    static const char *const names[] = { "libcurl.so.4", "libcurl.so" };
    void *h = NULL;
    for (size_t i = 0; !h && i < sizeof(names) / sizeof(names[0]); i++) {
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (!h) {
        const char *why = dlerror();
        return oag_error_set(err, OAG_ERR_NETWORK,
                             "cannot load libcurl (libcurl.so.4): %s; "
                             "install the libcurl4 package",
                             why ? why : "not found");
    }
    struct {
        const char *name;
        void **slot;
    } syms[] = {
        { "curl_global_init", (void **)&curl_api.global_init },
        { "curl_easy_init", (void **)&curl_api.easy_init },
        { "curl_easy_setopt", (void **)&curl_api.easy_setopt },
        { "curl_easy_perform", (void **)&curl_api.easy_perform },
        { "curl_easy_getinfo", (void **)&curl_api.easy_getinfo },
        { "curl_easy_cleanup", (void **)&curl_api.easy_cleanup },
        { "curl_easy_reset", (void **)&curl_api.easy_reset },
        { "curl_easy_strerror", (void **)&curl_api.easy_strerror },
        { "curl_slist_append", (void **)&curl_api.slist_append },
        { "curl_slist_free_all", (void **)&curl_api.slist_free_all },
    };
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
        *syms[i].slot = dlsym(h, syms[i].name);
        if (!*syms[i].slot) {
            dlclose(h);
            memset(&curl_api, 0, sizeof(curl_api));
            return oag_error_set(err, OAG_ERR_NETWORK, "libcurl lacks '%s'",
                                 syms[i].name);
        }
    }
    curl_api.handle = h;
    return 0;
}

#define DEFAULT_TIMEOUT_MS 60000L
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_MAX_RESPONSE_BYTES ((size_t)64 * 1024 * 1024)
#define TRACE_BODY_BYTES 2048

struct http_client {
    CURL *curl;
    bool insecure;
    long timeout_ms;
    long connect_timeout_ms;
    size_t max_response_bytes;
    char *user_agent; /* owned */
    FILE *trace;      /* borrowed */
    char errbuf[CURL_ERROR_SIZE];
};

/* State of one transfer, seen by the callbacks. */
struct transfer {
    struct http_client *client;
    struct http_response *resp;
    size_t header_cap;
    bool too_big;
};

static bool global_ready;

struct http_client *http_client_new(const struct http_options *opts,
                                    struct oag_error *err)
{
    static const struct http_options none = { 0 };
    if (!opts) {
        opts = &none;
    }
    if (curl_load(err) != 0) {
        return NULL;
    }
    if (!global_ready) {
        CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
        if (rc != CURLE_OK) {
            oag_error_set(err, OAG_ERR_NETWORK, "cannot initialise libcurl: %s",
                          curl_easy_strerror(rc));
            return NULL;
        }
        global_ready = true;
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        oag_error_set(err, OAG_ERR_NETWORK, "cannot create a libcurl handle");
        return NULL;
    }
    struct http_client *c = xcalloc(1, sizeof(*c));
    c->curl = curl;
    c->insecure = opts->insecure;
    c->timeout_ms =
        opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->connect_timeout_ms = opts->connect_timeout_ms > 0
                                ? opts->connect_timeout_ms
                                : DEFAULT_CONNECT_TIMEOUT_MS;
    c->max_response_bytes = opts->max_response_bytes
                                ? opts->max_response_bytes
                                : DEFAULT_MAX_RESPONSE_BYTES;
    c->user_agent =
        xstrdup(opts->user_agent ? opts->user_agent : "oas2apigw/" OAG_VERSION);
    c->trace = opts->trace;
    return c;
}

void http_client_free(struct http_client *client)
{
    if (!client) {
        return;
    }
    curl_easy_cleanup(client->curl);
    free(client->user_agent);
    free(client);
}

void http_response_release(struct http_response *resp)
{
    if (!resp) {
        return;
    }
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    free(resp->headers);
    buf_release(&resp->body);
    memset(resp, 0, sizeof(*resp));
}

const char *http_response_header(const struct http_response *resp,
                                 const char *name)
{
    for (size_t i = 0; i < resp->n_headers; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0) {
            return resp->headers[i].value;
        }
    }
    return NULL;
}

/* ---- redaction (http_internal.h) ---- */

static bool contains_ci(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++) {
        if (strncasecmp(s + i, needle, n) == 0) {
            return true;
        }
    }
    return false;
}

static bool equals_ci(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

bool http_header_is_secret(const char *name, size_t len)
{
    static const char *const exact[] = {
        "authorization", "proxy-authorization", "x-amz-security-token",
        "cookie",        "set-cookie",
    };
    static const char *const parts[] = {
        "token",      "secret",  "password", "passwd",
        "credential", "session", "api-key",  "apikey",
    };
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        if (equals_ci(name, len, exact[i])) {
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (contains_ci(name, len, parts[i])) {
            return true;
        }
    }
    return false;
}

void http_trace_add_header(struct buf *out, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    if (!colon) {
        /* a status line, or "Name;" (an empty header) */
        const char *semi = memchr(line, ';', len);
        if (semi && http_header_is_secret(line, (size_t)(semi - line))) {
            buf_add(out, line, (size_t)(semi - line));
            buf_adds(out, "; [redacted]");
            return;
        }
        http_trace_add_text(out, line, len);
        return;
    }
    size_t name_len = (size_t)(colon - line);
    if (http_header_is_secret(line, name_len)) {
        buf_add(out, line, name_len);
        buf_adds(out, ": [redacted]");
        return;
    }
    http_trace_add_text(out, line, len);
}

void http_trace_add_text(struct buf *out, const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* "://" starts an authority; user-info ends at '@' before '/' */
        if (i + 3 <= len && memcmp(text + i, "://", 3) == 0) {
            buf_add(out, "://", 3);
            i += 3;
            size_t j = i;
            size_t at = len;
            while (j < len && text[j] != '/' && text[j] != ' ' &&
                   text[j] != '\'' && text[j] != '"' && text[j] != '\n') {
                if (text[j] == '@') {
                    at = j;
                }
                j++;
            }
            if (at != len) {
                buf_adds(out, "[redacted]");
                i = at;
            }
            continue;
        }
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\r' || ch == '\n') {
            i++;
            continue;
        }
        if (ch < 0x20 && ch != '\t') {
            buf_addf(out, "\\x%02x", ch);
        } else {
            buf_addch(out, (char)ch);
        }
        i++;
    }
}

/* ---- the trace ---- */

static void trace_lines(FILE *f, const char *prefix, const char *data,
                        size_t size, bool headers)
{
    struct buf line = BUF_INIT;
    size_t start = 0;
    while (start < size) {
        size_t end = start;
        while (end < size && data[end] != '\n') {
            end++;
        }
        size_t len = end - start;
        if (len > 0 && data[start + len - 1] == '\r') {
            len--;
        }
        if (len > 0) {
            buf_reset(&line);
            buf_adds(&line, prefix);
            if (headers) {
                http_trace_add_header(&line, data + start, len);
            } else {
                http_trace_add_text(&line, data + start, len);
            }
            fprintf(f, "%s\n", buf_str(&line));
        }
        start = end + 1;
    }
    buf_release(&line);
}

static void trace_body(FILE *f, const char *prefix, const char *data,
                       size_t size)
{
    fprintf(f, "%s[%zu bytes of body]\n", prefix, size);
    size_t shown = size < TRACE_BODY_BYTES ? size : TRACE_BODY_BYTES;
    struct buf text = BUF_INIT;
    for (size_t i = 0; i < shown; i++) {
        unsigned char ch = (unsigned char)data[i];
        if (ch == '\n' || ch == '\t' || (ch >= 0x20 && ch < 0x7f)) {
            buf_addch(&text, (char)ch);
        } else if (ch != '\r') {
            buf_addch(&text, '.');
        }
    }
    trace_lines(f, prefix, text.data ? text.data : "", text.len, false);
    if (shown < size) {
        fprintf(f, "%s[... %zu more bytes]\n", prefix, size - shown);
    }
    buf_release(&text);
}

static int on_debug(CURL *curl, curl_infotype type, char *data, size_t size,
                    void *userp)
{
    struct http_client *c = userp;
    (void)curl;
    switch (type) {
    case CURLINFO_TEXT:
        trace_lines(c->trace, "* ", data, size, false);
        break;
    case CURLINFO_HEADER_OUT:
        trace_lines(c->trace, "> ", data, size, true);
        break;
    case CURLINFO_HEADER_IN:
        trace_lines(c->trace, "< ", data, size, true);
        break;
    case CURLINFO_DATA_OUT:
        trace_body(c->trace, "> ", data, size);
        break;
    case CURLINFO_DATA_IN:
        trace_body(c->trace, "< ", data, size);
        break;
    default:
        break; /* TLS records */
    }
    return 0;
}

/* ---- callbacks ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct transfer *t = userp;
    size_t n = size * nmemb;
    if (t->resp->body.len + n > t->client->max_response_bytes) {
        t->too_big = true;
        return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    buf_add(&t->resp->body, data, n);
    return n;
}

static void clear_headers(struct http_response *resp)
{
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    resp->n_headers = 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    struct transfer *t = userp;
    struct http_response *resp = t->resp;
    size_t n = size * nmemb;
    size_t len = n;
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r')) {
        len--;
    }
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* a new response (after 100 Continue or a proxy's CONNECT) */
        clear_headers(resp);
        return n;
    }
    if (len == 0) {
        return n;
    }
    if ((data[0] == ' ' || data[0] == '\t') && resp->n_headers > 0) {
        /* obsolete line folding: continue the previous value */
        struct http_header *h = &resp->headers[resp->n_headers - 1];
        char *v = xstrfmt("%s %.*s", h->value, (int)len - 1, data + 1);
        free(h->value);
        h->value = v;
        return n;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon) {
        return n;
    }
    size_t name_len = (size_t)(colon - data);
    const char *v = colon + 1;
    const char *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t')) {
        v++;
    }
    while (end > v && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    if (resp->n_headers == t->header_cap) {
        t->header_cap = t->header_cap ? 2 * t->header_cap : 16;
        resp->headers =
            xreallocarray(resp->headers, t->header_cap, sizeof(*resp->headers));
    }
    struct http_header *h = &resp->headers[resp->n_headers++];
    h->name = xstrndup(data, name_len);
    h->value = xstrndup(v, (size_t)(end - v));
    return n;
}

/* ---- sending ---- */

static bool has_header(const struct http_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0) {
            return true;
        }
    }
    return false;
}

static bool is_token_char(unsigned char ch)
{
    return ch > 0x20 && ch < 0x7f && ch != ':' && ch != ';';
}

/* Builds libcurl's header list; refuses CR/LF (header injection). */
static int build_header_list(const struct http_request *req,
                             struct curl_slist **out, struct oag_error *err)
{
    struct curl_slist *list = NULL;
    struct buf line = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < req->n_headers; i++) {
        const struct http_header *h = &req->headers[i];
        const char *bad = NULL;
        if (!h->name[0]) {
            bad = "empty name";
        }
        for (const char *p = h->name; !bad && *p; p++) {
            if (!is_token_char((unsigned char)*p)) {
                bad = "bad character in name";
            }
        }
        if (!bad && strpbrk(h->value, "\r\n")) {
            bad = "line break in value";
        }
        if (bad) {
            rc = oag_error_set(err, OAG_ERR_INTERNAL,
                               "cannot send header '%s': %s", h->name, bad);
            goto out;
        }
        buf_reset(&line);
        if (h->value[0]) {
            buf_addf(&line, "%s: %s", h->name, h->value);
        } else {
            /* "Name;" is libcurl's syntax for a header with no value */
            buf_addf(&line, "%s;", h->name);
        }
        list = curl_slist_append(list, buf_str(&line));
    }
    /* "Name:" removes a header libcurl would add on its own */
    list = curl_slist_append(list, "Expect:");
    if (!has_header(req, "Accept")) {
        list = curl_slist_append(list, "Accept:");
    }
    if (!has_header(req, "Content-Type")) {
        list = curl_slist_append(list, "Content-Type:");
    }
out:
    buf_release(&line);
    if (rc != 0) {
        curl_slist_free_all(list);
        list = NULL;
    }
    *out = list;
    return rc;
}

static bool sends_body(const struct http_request *req)
{
    return req->body != NULL || strcmp(req->method, "POST") == 0 ||
           strcmp(req->method, "PUT") == 0 || strcmp(req->method, "PATCH") == 0;
}

static void set_options(struct http_client *c, const struct http_request *req,
                        struct curl_slist *headers, struct transfer *t)
{
    CURL *h = c->curl;
    long timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : c->timeout_ms;
    c->errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS,
                     (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->insecure ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->insecure ? 0L : 2L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
    if (c->max_response_bytes <= (size_t)INT64_MAX) {
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
                         (curl_off_t)c->max_response_bytes);
    }
    if (c->trace) {
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, c);
    }
    if (strcmp(req->method, "GET") == 0 && !req->body) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(req->method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        if (sends_body(req)) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)req->body_len);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        }
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
    }
}

/* Failures after which the same request may well succeed. */
static bool curl_retryable(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:    /* refused */
    case CURLE_OPERATION_TIMEDOUT: /* connect or transfer timeout */
    case CURLE_SEND_ERROR:         /* reset while sending */
    case CURLE_RECV_ERROR:         /* reset while receiving */
    case CURLE_GOT_NOTHING:        /* closed without a response */
    case CURLE_PARTIAL_FILE:       /* closed mid-body */
        return true;
    default:
        return false;
    }
}

int http_client_send(struct http_client *client, const struct http_request *req,
                     struct http_response *out, struct oag_error *err)
{
    struct curl_slist *headers = NULL;
    struct transfer t = { client, out, 0, false };
    int rc = 0;

    http_response_release(out);
    if (build_header_list(req, &headers, err) != 0) {
        return -1;
    }
    curl_easy_reset(client->curl);
    set_options(client, req, headers, &t);
    CURLcode cc = curl_easy_perform(client->curl);
    if (cc == CURLE_OK) {
        curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &out->status);
        goto out;
    }
    if (t.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        rc = oag_error_set(err, OAG_ERR_LIMIT,
                           "response to '%s %s' exceeds %zu bytes", req->method,
                           req->url, client->max_response_bytes);
        goto out;
    }
    const char *why =
        client->errbuf[0] ? client->errbuf : curl_easy_strerror(cc);
    rc = oag_error_set(err, OAG_ERR_NETWORK, "cannot send '%s %s': %s",
                       req->method, req->url, why);
    if (err) {
        err->retryable = curl_retryable(cc);
    }
out:
    /* nothing may point into this call's stack after it returns */
    curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(client->curl, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(headers);
    if (rc != 0) {
        http_response_release(out);
    }
    return rc;
}
