/*
 * Credentials fetched over HTTP: STS (AssumeRole, AssumeRoleWithWebIdentity)
 * and the container and instance-metadata endpoints (aws-conventions.md
 * 2.6, 2.7).
 *
 * STS speaks the Query protocol: a form-encoded POST to the endpoint's "/"
 *   Action=AssumeRole&Version=2011-06-15&RoleArn=...&RoleSessionName=...
 * signed with SigV4 for service "sts" (AssumeRoleWithWebIdentity is sent
 * unsigned: the token is the proof).  The answer is XML; this file reads the
 * few elements it needs: Credentials/{AccessKeyId, SecretAccessKey,
 * SessionToken, Expiration} on success, Error/{Code, Message} and RequestId
 * on failure.
 *
 * Container: GET the URL, optionally with an Authorization header.  IMDSv2:
 * PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds: 21600), GET
 * /latest/meta-data/iam/security-credentials/ for the role name, GET that
 * path + role for the JSON.  Both answer {AccessKeyId, SecretAccessKey,
 * Token, Expiration}.
 */
#include "aws/cred_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "aws/http.h"
#include "aws/sigv4.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

#define METADATA_MAX_BYTES (1024u * 1024u)
#define CONTAINER_TIMEOUT_MS 2000
#define CONTAINER_ATTEMPTS 3
#define IMDS_TOKEN_TTL "21600"

/* ---- a minimal XML reader for STS answers ---- */

/*
 * Content of the first element named tag in [s, e) (a name match, with or
 * without attributes), as [*cs, *ce).  Namespace prefixes are not used by
 * STS and are not handled.
 */
static bool xml_element(const char *s, const char *e, const char *tag,
                        const char **cs, const char **ce)
{
    size_t tn = strlen(tag);
    const char *p = s;
    while (p < e) {
        const char *lt = memchr(p, '<', (size_t)(e - p));
        if (!lt || (size_t)(e - lt) < tn + 2) {
            return false;
        }
        p = lt + 1;
        if (memcmp(p, tag, tn) != 0) {
            continue;
        }
        char after = p[tn];
        if (after != '>' && after != ' ' && after != '\t' && after != '\n' &&
            after != '\r' && after != '/') {
            continue;
        }
        const char *gt = memchr(p, '>', (size_t)(e - p));
        if (!gt) {
            return false;
        }
        if (gt[-1] == '/') {
            *cs = gt;
            *ce = gt; /* <Tag/> is empty */
            return true;
        }
        const char *body = gt + 1;
        /* find "</tag>" */
        const char *q = body;
        while (q < e) {
            const char *close = memchr(q, '<', (size_t)(e - q));
            if (!close || (size_t)(e - close) < tn + 3) {
                return false;
            }
            if (close[1] == '/' && memcmp(close + 2, tag, tn) == 0 &&
                (close[2 + tn] == '>' || close[2 + tn] == ' ')) {
                *cs = body;
                *ce = close;
                return true;
            }
            q = close + 1;
        }
        return false;
    }
    return false;
}

/* Decodes character data (entities, CDATA) of [s, e), trimmed; owned. */
static char *xml_text(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')) {
        s++;
    }
    while (e > s &&
           (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t')) {
        e--;
    }
    struct buf b = BUF_INIT;
    buf_grow(&b, (size_t)(e - s));
    const char *p = s;
    while (p < e) {
        if (*p == '<' && (size_t)(e - p) >= 12 &&
            memcmp(p, "<![CDATA[", 9) == 0) {
            const char *end = p + 9;
            while (end + 3 <= e && memcmp(end, "]]>", 3) != 0) {
                end++;
            }
            buf_add(&b, p + 9, (size_t)(end - p - 9));
            p = end + 3 <= e ? end + 3 : e;
            continue;
        }
        if (*p != '&') {
            buf_addch(&b, *p++);
            continue;
        }
        const char *semi = memchr(p, ';', (size_t)(e - p));
        if (!semi || semi - p > 10) {
            buf_addch(&b, *p++);
            continue;
        }
        size_t n = (size_t)(semi - p - 1);
        const char *name = p + 1;
        if (n == 3 && memcmp(name, "amp", 3) == 0) {
            buf_addch(&b, '&');
        } else if (n == 2 && memcmp(name, "lt", 2) == 0) {
            buf_addch(&b, '<');
        } else if (n == 2 && memcmp(name, "gt", 2) == 0) {
            buf_addch(&b, '>');
        } else if (n == 4 && memcmp(name, "quot", 4) == 0) {
            buf_addch(&b, '"');
        } else if (n == 4 && memcmp(name, "apos", 4) == 0) {
            buf_addch(&b, '\'');
        } else if (n >= 2 && name[0] == '#') {
            char digits[12];
            memcpy(digits, name + 1, n - 1);
            digits[n - 1] = '\0';
            char *end;
            unsigned long cp = digits[0] == 'x' || digits[0] == 'X'
                                   ? strtoul(digits + 1, &end, 16)
                                   : strtoul(digits, &end, 10);
            if (*end != '\0' || cp == 0 || cp > 0x10FFFF) {
                buf_add(&b, p, (size_t)(semi - p + 1));
            } else if (cp < 0x80) {
                buf_addch(&b, (char)cp);
            } else if (cp < 0x800) {
                buf_addch(&b, (char)(0xC0 | (cp >> 6)));
                buf_addch(&b, (char)(0x80 | (cp & 0x3F)));
            } else if (cp < 0x10000) {
                buf_addch(&b, (char)(0xE0 | (cp >> 12)));
                buf_addch(&b, (char)(0x80 | ((cp >> 6) & 0x3F)));
                buf_addch(&b, (char)(0x80 | (cp & 0x3F)));
            } else {
                buf_addch(&b, (char)(0xF0 | (cp >> 18)));
                buf_addch(&b, (char)(0x80 | ((cp >> 12) & 0x3F)));
                buf_addch(&b, (char)(0x80 | ((cp >> 6) & 0x3F)));
                buf_addch(&b, (char)(0x80 | (cp & 0x3F)));
            }
        } else {
            buf_add(&b, p, (size_t)(semi - p + 1));
        }
        p = semi + 1;
    }
    return buf_detach(&b, NULL);
}

static char *xml_child_text(const char *s, const char *e, const char *tag)
{
    const char *cs;
    const char *ce;
    if (!xml_element(s, e, tag, &cs, &ce)) {
        return NULL;
    }
    return xml_text(cs, ce);
}

static bool sts_code_is_retryable(const char *code, long status)
{
    return status >= 500 ||
           (code && (strcmp(code, "Throttling") == 0 ||
                     strcmp(code, "ThrottlingException") == 0 ||
                     strcmp(code, "RequestLimitExceeded") == 0 ||
                     strcmp(code, "IDPCommunicationError") == 0));
}

int cred_sts_parse(long status, const char *body, size_t len,
                   const char *request_id, const char *source, struct cred *out,
                   struct oag_error *err)
{
    const char *s = body ? body : "";
    const char *e = s + (body ? len : 0);
    if (status != 200) {
        const char *es = s;
        const char *ee = e;
        char *code = NULL;
        char *msg = NULL;
        if (xml_element(s, e, "Error", &es, &ee)) {
            code = xml_child_text(es, ee, "Code");
            msg = xml_child_text(es, ee, "Message");
        }
        char *rid = xml_child_text(s, e, "RequestId");
        bool auth =
            status == 403 || (code && (strcmp(code, "AccessDenied") == 0 ||
                                       strstr(code, "Token") != NULL ||
                                       strstr(code, "Signature") != NULL));
        oag_error_set(err, auth ? OAG_ERR_AUTH : OAG_ERR_AWS,
                      "%s: STS answered HTTP %ld%s%s%s%s", source, status,
                      code ? ": " : "", code ? code : "",
                      msg && *msg ? ": " : "", msg && *msg ? msg : "");
        if (err) {
            err->http_status = status;
            err->aws_code = code;
            code = NULL;
            if (rid && *rid) {
                err->request_id = rid;
                rid = NULL;
            } else if (request_id) {
                err->request_id = xstrdup(request_id);
            }
            err->retryable = sts_code_is_retryable(err->aws_code, status);
        }
        free(code);
        free(msg);
        free(rid);
        return -1;
    }
    const char *cs;
    const char *ce;
    if (!xml_element(s, e, "Credentials", &cs, &ce)) {
        return oag_error_set(err, OAG_ERR_AWS,
                             "%s: STS answer has no Credentials element",
                             source);
    }
    char *id = xml_child_text(cs, ce, "AccessKeyId");
    char *secret = xml_child_text(cs, ce, "SecretAccessKey");
    char *token = xml_child_text(cs, ce, "SessionToken");
    char *exp = xml_child_text(cs, ce, "Expiration");
    time_t expires = 0;
    int rc = -1;
    if (!id || !*id || !secret || !*secret) {
        oag_error_set(err, OAG_ERR_AWS,
                      "%s: STS answer lacks AccessKeyId or SecretAccessKey",
                      source);
    } else if (exp && cred_time_parse(exp, &expires) != 0) {
        oag_error_set(err, OAG_ERR_AWS,
                      "%s: STS Expiration '%s' is not an ISO 8601 time", source,
                      exp);
    } else {
        cred_release(out);
        out->access_key_id = id;
        out->secret_access_key = secret;
        out->session_token = (token && *token) ? token : NULL;
        out->expires_at = expires;
        out->source = xstrdup(source);
        if (!out->session_token) {
            free(token);
        }
        id = NULL;
        secret = NULL;
        token = NULL;
        rc = 0;
    }
    free(id);
    free_secret(secret);
    free_secret(token);
    free(exp);
    return rc;
}

static void form_add(struct buf *b, const char *name, const char *value)
{
    if (b->len) {
        buf_addch(b, '&');
    }
    buf_adds(b, name);
    buf_addch(b, '=');
    sigv4_uri_encode(b, value, strlen(value), true);
}

int cred_sts_call(const struct cred_sts_request *req, time_t now,
                  struct cred *out, struct oag_error *err)
{
    char *host = NULL;
    char *path = NULL;
    if (endpoint_url_split(req->endpoint, &host, &path, err) != 0) {
        return oag_error_wrap(err, "%s", req->label);
    }
    /* the endpoint has no trailing '/': the operation path is "/" */
    char *url = xstrfmt("%s/", req->endpoint);
    char *wire_path =
        strcmp(path, "/") == 0 ? xstrdup("/") : xstrfmt("%s/", path);

    bool web = req->web_identity_token != NULL;
    struct buf body = BUF_INIT;
    /* one allocation: the body may hold the token */
    buf_grow(&body, 256 + (web ? 3 * strlen(req->web_identity_token) : 0) +
                        3 * strlen(req->role_arn) +
                        3 * strlen(req->session_name));
    form_add(&body, "Action", web ? "AssumeRoleWithWebIdentity" : "AssumeRole");
    form_add(&body, "Version", "2011-06-15");
    form_add(&body, "RoleArn", req->role_arn);
    form_add(&body, "RoleSessionName", req->session_name);
    if (req->external_id && *req->external_id) {
        form_add(&body, "ExternalId", req->external_id);
    }
    if (req->duration_s && *req->duration_s) {
        form_add(&body, "DurationSeconds", req->duration_s);
    }
    if (web) {
        form_add(&body, "WebIdentityToken", req->web_identity_token);
    }

    struct http_header headers[6];
    size_t nh = 0;
    headers[nh++] = (struct http_header){ "Host", host };
    headers[nh++] = (struct http_header){
        "Content-Type", "application/x-www-form-urlencoded; charset=utf-8"
    };
    struct sigv4_signature sig = { 0 };
    int rc = -1;
    struct http_client *client = NULL;
    struct http_response resp = { 0 };

    if (!web) {
        if (!req->signer) {
            OAG_BUG("AssumeRole without signing credentials");
        }
        struct sigv4_request sreq = {
            .method = "POST",
            .path = wire_path,
            .query = "",
            .headers = headers,
            .n_headers = nh,
            .body = body.data,
            .body_len = body.len,
        };
        struct sigv4_credentials sc = {
            .access_key_id = req->signer->access_key_id,
            .secret_access_key = req->signer->secret_access_key,
            .session_token = req->signer->session_token,
        };
        if (sigv4_sign(&sreq, &sc, req->region, "sts", now, &sig, err) != 0) {
            oag_error_wrap(err, "%s", req->label);
            goto out;
        }
        headers[nh++] = (struct http_header){ "X-Amz-Date", sig.amz_date };
        if (sig.security_token) {
            headers[nh++] = (struct http_header){ "X-Amz-Security-Token",
                                                  sig.security_token };
        }
        headers[nh++] =
            (struct http_header){ "Authorization", sig.authorization };
    }

    struct http_options hopts = { .max_response_bytes = METADATA_MAX_BYTES };
    client = http_client_new(&hopts, err);
    if (!client) {
        oag_error_wrap(err, "%s", req->label);
        goto out;
    }
    struct http_request hreq = {
        .method = "POST",
        .url = url,
        .headers = headers,
        .n_headers = nh,
        .body = body.data,
        .body_len = body.len,
    };
    if (http_client_send(client, &hreq, &resp, err) != 0) {
        oag_error_wrap(err, "%s: calling STS at '%s'", req->label,
                       req->endpoint);
        goto out;
    }
    rc = cred_sts_parse(resp.status, resp.body.data, resp.body.len,
                        http_response_header(&resp, "x-amzn-RequestId"),
                        req->label, out, err);

out:
    if (resp.body.data) {
        secure_zero(resp.body.data, resp.body.len);
    }
    http_response_release(&resp);
    http_client_free(client);
    sigv4_signature_release(&sig);
    if (body.data) {
        secure_zero(body.data, body.cap);
    }
    buf_release(&body);
    free(wire_path);
    free(url);
    free(path);
    free(host);
    return rc;
}

/* ---- container and IMDS ---- */

int cred_metadata_parse(const char *json, size_t len, const char *source,
                        struct cred *out, struct oag_error *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(json, len, 0, &jerr);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return oag_error_set(err, OAG_ERR_AUTH,
                             "%s: answer is not a JSON object", source);
    }
    int rc = -1;
    json_t *jid = json_object_get(doc, "AccessKeyId");
    json_t *jsecret = json_object_get(doc, "SecretAccessKey");
    json_t *jtoken = json_object_get(doc, "Token");
    json_t *jexp = json_object_get(doc, "Expiration");
    time_t expires = 0;
    if (!json_is_string(jid) || !*json_string_value(jid) ||
        !json_is_string(jsecret) || !*json_string_value(jsecret)) {
        json_t *code = json_object_get(doc, "Code");
        json_t *msg = json_object_get(doc, "Message");
        oag_error_set(err, OAG_ERR_AUTH,
                      "%s: answer lacks AccessKeyId or SecretAccessKey%s%s%s%s",
                      source, json_is_string(code) ? ": " : "",
                      json_is_string(code) ? json_string_value(code) : "",
                      json_is_string(msg) ? ": " : "",
                      json_is_string(msg) ? json_string_value(msg) : "");
    } else if (json_is_string(jexp) &&
               cred_time_parse(json_string_value(jexp), &expires) != 0) {
        oag_error_set(err, OAG_ERR_AUTH,
                      "%s: Expiration '%s' is not an ISO 8601 time", source,
                      json_string_value(jexp));
    } else {
        cred_release(out);
        out->access_key_id = xstrdup(json_string_value(jid));
        out->secret_access_key = xstrdup(json_string_value(jsecret));
        out->session_token =
            json_is_string(jtoken) && *json_string_value(jtoken)
                ? xstrdup(json_string_value(jtoken))
                : NULL;
        out->expires_at = expires;
        out->source = xstrdup(source);
        rc = 0;
    }
    json_decref(doc);
    return rc;
}

/* Host of an http(s) URL without brackets and port (owned), or NULL. */
static char *url_bare_host(const char *url)
{
    char *host = NULL;
    if (endpoint_url_split(url, &host, NULL, NULL) != 0) {
        return NULL;
    }
    if (host[0] == '[') {
        char *rb = strchr(host, ']');
        char *bare = xstrndup(host + 1, (size_t)(rb - host - 1));
        free(host);
        return bare;
    }
    char *colon = strchr(host, ':');
    if (colon) {
        *colon = '\0';
    }
    return host;
}

static bool is_ipv4_loopback(const char *h)
{
    /* 127.0.0.0/8 as four decimal octets */
    if (strncmp(h, "127.", 4) != 0) {
        return false;
    }
    int dots = 0;
    int digits = 0;
    for (const char *p = h + 4; *p; p++) {
        if (*p == '.') {
            if (digits == 0) {
                return false;
            }
            dots++;
            digits = 0;
        } else if (*p >= '0' && *p <= '9' && digits < 3) {
            digits++;
        } else {
            return false;
        }
    }
    return dots == 2 && digits > 0;
}

bool cred_container_url_is_allowed(const char *url)
{
    if (strncasecmp(url, "https://", 8) == 0) {
        char *h = url_bare_host(url);
        bool ok = h != NULL;
        free(h);
        return ok;
    }
    if (strncasecmp(url, "http://", 7) != 0) {
        return false;
    }
    char *h = url_bare_host(url);
    if (!h) {
        return false;
    }
    static const char *const allowed[] = {
        "localhost",    "169.254.170.2", "169.254.170.23",
        "fd00:ec2::23", "::1",           NULL,
    };
    bool ok = is_ipv4_loopback(h);
    for (const char *const *a = allowed; !ok && *a; a++) {
        ok = strcmp(h, *a) == 0;
    }
    free(h);
    return ok;
}

int cred_container_fetch(const char *url, const char *auth_token,
                         struct cred *out, struct oag_error *err)
{
    struct http_options hopts = {
        .timeout_ms = CONTAINER_TIMEOUT_MS,
        .connect_timeout_ms = CONTAINER_TIMEOUT_MS,
        .max_response_bytes = METADATA_MAX_BYTES,
    };
    struct http_client *client = http_client_new(&hopts, err);
    if (!client) {
        return -1;
    }
    struct http_header headers[2];
    size_t nh = 0;
    headers[nh++] = (struct http_header){ "Accept", "application/json" };
    if (auth_token) {
        headers[nh++] =
            (struct http_header){ "Authorization", (char *)auth_token };
    }
    struct http_request req = {
        .method = "GET",
        .url = url,
        .headers = headers,
        .n_headers = nh,
    };
    struct http_response resp = { 0 };
    int rc = -1;
    for (int attempt = 1; attempt <= CONTAINER_ATTEMPTS; attempt++) {
        struct oag_error e = OAG_ERROR_INIT;
        if (http_client_send(client, &req, &resp, &e) == 0) {
            oag_error_release(&e);
            rc = 0;
            break;
        }
        if (!e.retryable || attempt == CONTAINER_ATTEMPTS) {
            oag_error_move(err, &e);
            break;
        }
        oag_error_release(&e);
    }
    if (rc == 0) {
        if (resp.status != 200) {
            rc = oag_error_set(err, OAG_ERR_AUTH,
                               "container credentials endpoint answered "
                               "HTTP %ld",
                               resp.status);
            if (err) {
                err->http_status = resp.status;
            }
        } else {
            rc = cred_metadata_parse(resp.body.data, resp.body.len,
                                     "container provider", out, err);
        }
    }
    if (resp.body.data) {
        secure_zero(resp.body.data, resp.body.len);
    }
    http_response_release(&resp);
    http_client_free(client);
    return rc;
}

/* One IMDS request; -1 with *out_reason when no answer came. */
static int imds_send(struct http_client *client, const char *method,
                     const char *url, const char *token,
                     struct http_response *resp, char **out_reason)
{
    struct http_header headers[1];
    size_t nh = 0;
    if (token && strcmp(method, "PUT") == 0) {
        headers[nh++] =
            (struct http_header){ "X-aws-ec2-metadata-token-ttl-seconds",
                                  IMDS_TOKEN_TTL };
    } else if (token) {
        headers[nh++] =
            (struct http_header){ "X-aws-ec2-metadata-token", (char *)token };
    }
    struct http_request req = {
        .method = method,
        .url = url,
        .headers = headers,
        .n_headers = nh,
    };
    struct oag_error e = OAG_ERROR_INIT;
    if (http_client_send(client, &req, resp, &e) != 0) {
        *out_reason = xstrfmt("%s", e.message ? e.message : "no answer");
        oag_error_release(&e);
        return -1;
    }
    return 0;
}

int cred_imds_fetch(const char *base_url, long timeout_ms, bool v1_disabled,
                    struct cred *out, char **out_reason, struct oag_error *err)
{
    *out_reason = NULL;
    struct http_options hopts = {
        .timeout_ms = timeout_ms,
        .connect_timeout_ms = timeout_ms,
        .max_response_bytes = METADATA_MAX_BYTES,
    };
    struct http_client *client = http_client_new(&hopts, err);
    if (!client) {
        return -1;
    }
    struct http_response resp = { 0 };
    char *token = NULL;
    char *url = NULL;
    char *role = NULL;
    int rc = 0;

    /* 1. session token (IMDSv2) */
    url = xstrfmt("%s/latest/api/token", base_url);
    if (imds_send(client, "PUT", url, "", &resp, out_reason) != 0) {
        goto out;
    }
    if (resp.status == 200) {
        token = xstrndup(buf_str(&resp.body), resp.body.len);
    } else if ((resp.status == 403 || resp.status == 404 ||
                resp.status == 405) &&
               !v1_disabled) {
        token = NULL; /* IMDSv1 fallback (botocore) */
    } else {
        *out_reason = xstrfmt("token request answered HTTP %ld%s", resp.status,
                              v1_disabled ? " and IMDSv1 is disabled" : "");
        goto out;
    }
    if (token && (!*token || strpbrk(token, "\r\n"))) {
        rc = oag_error_set(err, OAG_ERR_AUTH,
                           "the metadata token is empty or malformed");
        goto out;
    }

    /* 2. role name */
    free(url);
    url = xstrfmt("%s/latest/meta-data/iam/security-credentials/", base_url);
    if (imds_send(client, "GET", url, token, &resp, out_reason) != 0) {
        goto out;
    }
    if (resp.status == 404) {
        *out_reason = xstrdup("no IAM role attached to the instance");
        goto out;
    }
    if (resp.status != 200) {
        *out_reason = xstrfmt("role request answered HTTP %ld", resp.status);
        goto out;
    }
    const char *r = buf_str(&resp.body);
    size_t rl = strcspn(r, "\r\n");
    while (rl > 0 && (r[rl - 1] == ' ' || r[rl - 1] == '\t')) {
        rl--;
    }
    if (rl == 0) {
        *out_reason = xstrdup("no IAM role attached to the instance");
        goto out;
    }
    role = xstrndup(r, rl);
    if (strpbrk(role, "/?#%") || strchr(role, ' ')) {
        rc = oag_error_set(err, OAG_ERR_AUTH,
                           "the instance's role name '%s' is malformed", role);
        goto out;
    }

    /* 3. credentials of the role */
    free(url);
    url = xstrfmt("%s/latest/meta-data/iam/security-credentials/%s", base_url,
                  role);
    if (imds_send(client, "GET", url, token, &resp, out_reason) != 0) {
        goto out;
    }
    if (resp.status != 200) {
        *out_reason = xstrfmt("credentials request for role '%s' answered "
                              "HTTP %ld",
                              role, resp.status);
        goto out;
    }
    char *label = xstrfmt("instance metadata role '%s'", role);
    rc = cred_metadata_parse(resp.body.data, resp.body.len, label, out, err);
    free(label);
    if (rc == 0) {
        rc = 1;
    }

out:
    if (resp.body.data) {
        secure_zero(resp.body.data, resp.body.len);
    }
    http_response_release(&resp);
    http_client_free(client);
    free_secret(token);
    free(role);
    free(url);
    return rc;
}
