/*
 * Tests of src/aws/sigv4.c.
 *
 * Data-driven over the two reference sets in ../shared/testdata (they skip
 * visibly when ../shared is absent):
 *   - sigv4/: the AWS SigV4 test suite, one folder per case (nested one
 *     level in normalize-path/ and post-sts-token/), service "service",
 *     region us-east-1;
 *   - sigv4-apigateway/: API-Gateway-shaped vectors made with botocore.
 * Every stage is checked on its own against the files, each stage fed the
 * expected output of the one before: canonical request, string to sign,
 * signing key, signature, Authorization, signed request.  Count tests make
 * a broken directory walk fail instead of passing with no cases.
 */
#define _DEFAULT_SOURCE 1 /* timegm */

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "aws/sigv4.h"
#include "aws/sigv4_internal.h"
#include "tests/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

#define SUITE_DIR "testdata/sigv4"
#define APIGW_DIR "testdata/sigv4-apigateway"
#define SUITE_MIN_CASES 34
#define APIGW_MIN_VECTORS 15

/* testdata/sigv4/README.md, "Common parameters". */
#define SUITE_AKID "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_REGION "us-east-1"
#define SUITE_SERVICE "service"
#define SUITE_SCOPE "20150830/us-east-1/service/aws4_request"
#define SUITE_KEY_HEX \
    "938127b5336810ddb6a5d6af445fcac9e371f9ed418ed386b022aed82901be75"
/* The README's "Session tokens" and post-sts-token/readme.txt. */
#define SUITE_TOKEN_VANILLA \
    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
#define SUITE_TOKEN_STS                                                      \
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWs" \
    "KWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGd"  \
    "eehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd"  \
    "8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm"  \
    "8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
/* README "Known erratum": the .sreq of this case carries get-vanilla's. */
#define SUITE_ERRATUM_CASE "get-vanilla-with-session-token"
#define SUITE_ERRATUM_SIGNATURE \
    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"

/*
 * How a case of the suite uses a session token (README "Session tokens";
 * post-sts-token/readme.txt).  Cases not listed use none, and
 * post-sts-header-before carries the header in its .req, signed as given.
 */
struct suite_token_rule {
    const char *name;        /* case folder name */
    const char *cred_token;  /* given to the signer in the credentials */
    const char *after_token; /* added to the request after signing */
};

static const struct suite_token_rule suite_token_rules[] = {
    { "get-vanilla-with-session-token", SUITE_TOKEN_VANILLA, NULL },
    { "post-sts-header-after", NULL, SUITE_TOKEN_STS },
};

/* ------------------------------------------------------------------ */
/* Finding the cases                                                   */
/* ------------------------------------------------------------------ */

struct name_list {
    char **items;
    size_t len;
    size_t cap;
};

static void name_list_add(struct name_list *l, char *item)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->items = xreallocarray(l->items, l->cap, sizeof(*l->items));
    }
    l->items[l->len++] = item;
}

static void name_list_release(struct name_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        free(l->items[i]);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *base_name(const char *rel)
{
    const char *slash = strrchr(rel, '/');
    return slash ? slash + 1 : rel;
}

/*
 * Case folders under root/rel: a folder NAME holding NAME.req is a case,
 * any other folder is searched (the suite nests one level).
 */
static void find_suite_cases(const char *root, const char *rel, int depth,
                             struct name_list *out)
{
    char *dir_path = rel[0] ? xstrfmt("%s/%s", root, rel) : xstrdup(root);
    DIR *dir = opendir(dir_path);
    struct dirent *de;

    if (!dir) {
        free(dir_path);
        return;
    }
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        char *child_rel =
            rel[0] ? xstrfmt("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
        char *child = xstrfmt("%s/%s", root, child_rel);
        char *req = xstrfmt("%s/%s.req", child, de->d_name);
        if (is_dir(child)) {
            if (test_file_exists(req)) {
                name_list_add(out, child_rel);
                child_rel = NULL;
            } else if (depth < 3) {
                find_suite_cases(root, child_rel, depth + 1, out);
            }
        }
        free(req);
        free(child);
        free(child_rel);
    }
    closedir(dir);
    free(dir_path);
    qsort(out->items, out->len, sizeof(*out->items), compare_names);
}

static void find_apigw_vectors(const char *root, struct name_list *out)
{
    DIR *dir = opendir(root);
    struct dirent *de;

    if (!dir) {
        return;
    }
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] != '.' && len > 5 &&
            strcmp(de->d_name + len - 5, ".json") == 0) {
            name_list_add(out, xstrdup(de->d_name));
        }
    }
    closedir(dir);
    qsort(out->items, out->len, sizeof(*out->items), compare_names);
}

/* The cases of one set; false when ../shared is absent. */
static bool list_cases(const char *set, struct name_list *out)
{
    char *root = test_shared_path(set);

    if (!root) {
        return false;
    }
    if (strcmp(set, SUITE_DIR) == 0) {
        find_suite_cases(root, "", 0, out);
    } else {
        find_apigw_vectors(root, out);
    }
    free(root);
    return true;
}

/* A parameter: a case path relative to its set, NULL when ../shared is gone. */
struct case_param {
    char *rel; /* cr_malloc'd */
};

static void free_case_params(struct criterion_test_params *crp)
{
    struct case_param *params = crp->params;
    for (size_t i = 0; i < crp->length; i++) {
        cr_free(params[i].rel);
    }
    cr_free(params);
}

static char *cr_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = cr_malloc(len);
    memcpy(copy, s, len);
    return copy;
}

static struct criterion_test_params make_case_params(const char *set)
{
    struct name_list names = { 0 };
    size_t n;
    struct case_param *params;

    list_cases(set, &names);
    /* at least one parameter, so an absent set shows up as a skip */
    n = names.len > 0 ? names.len : 1;
    params = cr_malloc(n * sizeof(*params));
    params[0].rel = NULL;
    for (size_t i = 0; i < names.len; i++) {
        params[i].rel = cr_strdup(names.items[i]);
    }
    name_list_release(&names);
    return cr_make_param_array(struct case_param, params, n, free_case_params);
}

Test(sigv4, aws_suite_has_all_34_cases)
{
    struct name_list names = { 0 };

    if (!list_cases(SUITE_DIR, &names)) {
        cr_skip_test("../shared is absent");
    }
    cr_assert(ge(sz, names.len, SUITE_MIN_CASES),
              "found %zu suite cases, expected at least %d", names.len,
              SUITE_MIN_CASES);
    /* the nested folders are walked too */
    bool nested_path = false;
    bool nested_sts = false;
    for (size_t i = 0; i < names.len; i++) {
        nested_path |= strcmp(names.items[i], "normalize-path/get-space") == 0;
        nested_sts |=
            strcmp(names.items[i], "post-sts-token/post-sts-header-after") == 0;
    }
    cr_assert(nested_path && nested_sts);
    name_list_release(&names);
}

Test(sigv4, apigateway_set_has_all_15_vectors)
{
    struct name_list names = { 0 };

    if (!list_cases(APIGW_DIR, &names)) {
        cr_skip_test("../shared is absent");
    }
    cr_assert(ge(sz, names.len, APIGW_MIN_VECTORS),
              "found %zu API Gateway vectors, expected at least %d", names.len,
              APIGW_MIN_VECTORS);
    name_list_release(&names);
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* "YYYYMMDDTHHMMSSZ" to time_t through timegm (the signer's input). */
static time_t parse_amz_date(const char *s)
{
    struct tm tm = { 0 };
    int fields[6] = { 0 };
    static const int widths[6] = { 4, 2, 2, 2, 2, 2 };
    static const int offsets[6] = { 0, 4, 6, 9, 11, 13 };

    cr_assert(eq(sz, strlen(s), 16), "bad amz date '%s'", s);
    for (int f = 0; f < 6; f++) {
        for (int i = 0; i < widths[f]; i++) {
            char c = s[offsets[f] + i];
            cr_assert(c >= '0' && c <= '9', "bad amz date '%s'", s);
            fields[f] = fields[f] * 10 + (c - '0');
        }
    }
    tm.tm_year = fields[0] - 1900;
    tm.tm_mon = fields[1] - 1;
    tm.tm_mday = fields[2];
    tm.tm_hour = fields[3];
    tm.tm_min = fields[4];
    tm.tm_sec = fields[5];
    return timegm(&tm);
}

static void hex_decode(const char *hex, unsigned char *out, size_t out_len)
{
    cr_assert(eq(sz, strlen(hex), 2 * out_len));
    for (size_t i = 0; i < out_len; i++) {
        unsigned int byte = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + (size_t)k];
            unsigned int v = 16;
            if (c >= '0' && c <= '9') {
                v = (unsigned int)(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                v = (unsigned int)(c - 'a' + 10);
            }
            cr_assert(v < 16, "bad hex '%s'", hex);
            byte = byte * 16 + v;
        }
        out[i] = (unsigned char)byte;
    }
}

static char *read_shared(const char *rel, size_t *out_len)
{
    char *path = test_shared_path(rel);
    cr_assert(path != NULL);
    char *text = test_read_file(path, out_len);
    cr_assert(text != NULL, "cannot read %s", path);
    free(path);
    return text;
}

/* Stage 4 on its own: hex HMAC of the expected string to sign. */
static void signature_of(const char *key_hex, const char *sts, char out[65])
{
    unsigned char key[32];
    unsigned char sig[32];
    struct oag_error err = OAG_ERROR_INIT;

    hex_decode(key_hex, key, sizeof(key));
    cr_assert(eq(
        int, sigv4_hmac_sha256(key, sizeof(key), sts, strlen(sts), sig, &err),
        0));
    sigv4_hex(sig, sizeof(sig), out);
}

/* The text between "SignedHeaders=" and ", " of an Authorization value. */
static char *authz_field(const char *authz, const char *field)
{
    const char *start = strstr(authz, field);
    cr_assert(start != NULL, "no %s in '%s'", field, authz);
    start += strlen(field);
    const char *end = strchr(start, ',');
    return end ? xstrndup(start, (size_t)(end - start)) : xstrdup(start);
}

/* ------------------------------------------------------------------ */
/* The AWS suite                                                       */
/* ------------------------------------------------------------------ */

/* A .req file: "METHOD target HTTP/1.1", header lines, blank line, body. */
struct suite_request {
    char *head; /* request line and header lines, raw */
    char *method;
    char *path;
    char *query;
    struct http_header *headers; /* all headers, folds joined, owned */
    size_t n_headers;
    char *body;
    size_t body_len;
};

static void suite_request_release(struct suite_request *r)
{
    free(r->head);
    free(r->method);
    free(r->path);
    free(r->query);
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

/* Parsing as testdata/sigv4/README.md, "Parsing notes for a harness". */
static void suite_request_parse(const char *text, size_t len,
                                struct suite_request *out)
{
    const char *blank = strstr(text, "\n\n");
    size_t head_len = len;

    memset(out, 0, sizeof(*out));
    if (blank) {
        head_len = (size_t)(blank - text);
        out->body_len = len - head_len - 2;
        out->body = xstrndup(blank + 2, out->body_len);
    } else if (head_len > 0 && text[head_len - 1] == '\n') {
        head_len--; /* a final newline after the last header, no body */
    }
    out->head = xstrndup(text, head_len);

    /* request line: split at the first and the last space only */
    const char *line_end = strchr(out->head, '\n');
    size_t line_len = line_end ? (size_t)(line_end - out->head) : head_len;
    char *line = xstrndup(out->head, line_len);
    char *first = strchr(line, ' ');
    char *last = strrchr(line, ' ');
    cr_assert(first && last && first < last, "bad request line '%s'", line);
    out->method = xstrndup(line, (size_t)(first - line));
    char *target = xstrndup(first + 1, (size_t)(last - first - 1));
    char *qmark = strchr(target, '?');
    if (qmark) {
        out->query = xstrdup(qmark + 1);
        *qmark = '\0';
    } else {
        out->query = xstrdup("");
    }
    out->path = target;
    free(line);

    /* header lines; a line starting with white space continues the last */
    const char *p = line_end ? line_end + 1 : out->head + head_len;
    size_t cap = 0;
    while (line_end && *p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        if (p[0] == ' ' || p[0] == '\t') {
            cr_assert(out->n_headers > 0, "continuation before any header");
            struct http_header *h = &out->headers[out->n_headers - 1];
            char *joined = xstrfmt("%s %.*s", h->value, (int)n, p);
            free(h->value);
            h->value = joined;
        } else {
            const char *colon = memchr(p, ':', n);
            cr_assert(colon != NULL, "header line without ':'");
            if (out->n_headers == cap) {
                cap = cap ? 2 * cap : 8;
                out->headers =
                    xreallocarray(out->headers, cap, sizeof(*out->headers));
            }
            out->headers[out->n_headers].name =
                xstrndup(p, (size_t)(colon - p));
            out->headers[out->n_headers].value =
                xstrndup(colon + 1, n - (size_t)(colon - p) - 1);
            out->n_headers++;
        }
        if (!eol) {
            break;
        }
        p = eol + 1;
    }
}

static const struct suite_token_rule *suite_rule(const char *name)
{
    for (size_t i = 0;
         i < sizeof(suite_token_rules) / sizeof(suite_token_rules[0]); i++) {
        if (strcmp(suite_token_rules[i].name, name) == 0) {
            return &suite_token_rules[i];
        }
    }
    return NULL;
}

ParameterizedTestParameters(sigv4, aws_suite_case_matches_every_stage)
{
    return make_case_params(SUITE_DIR);
}

ParameterizedTest(struct case_param *param, sigv4,
                  aws_suite_case_matches_every_stage)
{
    if (!param->rel) {
        cr_skip_test("../shared is absent");
    }
    const char *name = base_name(param->rel);
    const struct suite_token_rule *rule = suite_rule(name);
    const char *cred_token = rule ? rule->cred_token : NULL;
    const char *after_token = rule ? rule->after_token : NULL;
    char *files[5];
    static const char *const exts[5] = { "req", "creq", "sts", "authz",
                                         "sreq" };
    size_t req_len = 0;

    for (int i = 0; i < 5; i++) {
        char *rel = xstrfmt(SUITE_DIR "/%s/%s.%s", param->rel, name, exts[i]);
        files[i] = read_shared(rel, i == 0 ? &req_len : NULL);
        free(rel);
    }
    const char *want_creq = files[1];
    const char *want_sts = files[2];
    const char *want_authz = files[3];
    const char *want_sreq = files[4];

    struct suite_request parsed;
    suite_request_parse(files[0], req_len, &parsed);

    /* X-Amz-Date is in every .req; the signer adds it, so take it out */
    struct http_header *to_sign =
        xcalloc(parsed.n_headers + 1, sizeof(*to_sign));
    size_t n_to_sign = 0;
    const char *amz_date = NULL;
    for (size_t i = 0; i < parsed.n_headers; i++) {
        if (strcasecmp(parsed.headers[i].name, "X-Amz-Date") == 0) {
            amz_date = parsed.headers[i].value;
        } else {
            to_sign[n_to_sign++] = parsed.headers[i];
        }
    }
    cr_assert(amz_date != NULL, "%s: no X-Amz-Date in .req", name);
    time_t now = parse_amz_date(amz_date);
    char formatted[17];
    sigv4_format_amz_date(now, formatted);
    cr_assert(eq(str, formatted, (char *)amz_date));

    struct sigv4_request req = {
        .method = parsed.method,
        .path = parsed.path,
        .query = parsed.query,
        .headers = to_sign,
        .n_headers = n_to_sign,
        .body = parsed.body,
        .body_len = parsed.body_len,
    };
    struct oag_error err = OAG_ERROR_INIT;

    /* Stage 1: canonical request and signed headers (.creq) */
    struct buf creq = BUF_INIT;
    struct buf signed_headers = BUF_INIT;
    cr_assert(eq(int,
                 sigv4_canonical_request(&req, amz_date, cred_token, &creq,
                                         &signed_headers, &err),
                 0),
              "%s: %s", name, err.message ? err.message : "");
    cr_assert(eq(str, (char *)buf_str(&creq), (char *)want_creq),
              "%s: canonical request", name);
    const char *sh_line = strrchr(want_creq, '\n');
    cr_assert(sh_line != NULL);
    char *want_signed = NULL;
    {
        const char *end = sh_line;
        const char *start = end;
        while (start > want_creq && start[-1] != '\n') {
            start--;
        }
        want_signed = xstrndup(start, (size_t)(end - start));
    }
    cr_assert(eq(str, (char *)buf_str(&signed_headers), want_signed),
              "%s: signed headers", name);

    /* Stage 2: string to sign from the expected canonical request (.sts) */
    struct buf scope = BUF_INIT;
    struct buf sts = BUF_INIT;
    char date8[9];
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';
    sigv4_scope(date8, SUITE_REGION, SUITE_SERVICE, &scope);
    cr_assert(eq(str, (char *)buf_str(&scope), SUITE_SCOPE));
    sigv4_string_to_sign(amz_date, SUITE_SCOPE, want_creq, &sts);
    cr_assert(eq(str, (char *)buf_str(&sts), (char *)want_sts),
              "%s: string to sign", name);

    /* Stage 3: signing key (README constant) */
    unsigned char key[32];
    char key_hex[65];
    sigv4_signing_key(SUITE_SECRET, date8, SUITE_REGION, SUITE_SERVICE, key);
    sigv4_hex(key, sizeof(key), key_hex);
    cr_assert(eq(str, key_hex, SUITE_KEY_HEX), "%s: signing key", name);

    /* Stage 4: signature of the expected string to sign (.authz) */
    char sig_hex[65];
    signature_of(SUITE_KEY_HEX, want_sts, sig_hex);
    char *want_sig = authz_field(want_authz, "Signature=");
    cr_assert(eq(str, sig_hex, want_sig), "%s: signature", name);
    char *authz_signed = authz_field(want_authz, "SignedHeaders=");
    cr_assert(eq(str, authz_signed, want_signed));

    /* All steps through sigv4_sign: the Authorization value (.authz) */
    struct sigv4_credentials cred = {
        .access_key_id = SUITE_AKID,
        .secret_access_key = SUITE_SECRET,
        .session_token = cred_token,
    };
    struct sigv4_signature sig = { 0 };
    cr_assert(eq(int,
                 sigv4_sign(&req, &cred, SUITE_REGION, SUITE_SERVICE, now, &sig,
                            &err),
                 0),
              "%s: %s", name, err.message ? err.message : "");
    cr_assert(eq(str, sig.authorization, (char *)want_authz),
              "%s: authorization", name);
    cr_assert(eq(str, sig.amz_date, (char *)amz_date));
    cr_assert(eq(str, sig.signed_headers, want_signed));
    if (cred_token) {
        cr_assert(eq(str, sig.security_token, (char *)cred_token));
    } else {
        cr_assert(eq(ptr, sig.security_token, NULL));
    }

    /*
     * Signed request (.sreq): the .req with the token the signer added, a
     * token added after signing (post-sts-header-after) and Authorization
     * after the other headers, then the body.
     */
    struct buf sreq = BUF_INIT;
    buf_adds(&sreq, parsed.head);
    buf_addch(&sreq, '\n');
    if (sig.security_token) {
        buf_addf(&sreq, "X-Amz-Security-Token:%s\n", sig.security_token);
    }
    if (after_token) {
        buf_addf(&sreq, "X-Amz-Security-Token:%s\n", after_token);
    }
    size_t authz_at = sreq.len;
    buf_addf(&sreq, "Authorization: %s", sig.authorization);
    if (parsed.body_len > 0) {
        buf_adds(&sreq, "\n\n");
        buf_add(&sreq, parsed.body, parsed.body_len);
    }
    if (strcmp(name, SUITE_ERRATUM_CASE) == 0) {
        /* the file's Authorization line is get-vanilla's (README erratum) */
        cr_assert(strstr(want_sreq, "Signature=" SUITE_ERRATUM_SIGNATURE) !=
                  NULL);
        cr_assert(eq(int, strncmp(buf_str(&sreq), want_sreq, authz_at), 0),
                  "%s: signed request headers", name);
        cr_assert(
            eq(int, strncmp(want_sreq + authz_at, "Authorization: ", 15), 0));
    } else {
        cr_assert(eq(str, (char *)buf_str(&sreq), (char *)want_sreq),
                  "%s: signed request", name);
    }

    buf_release(&sreq);
    sigv4_signature_release(&sig);
    free(authz_signed);
    free(want_sig);
    buf_release(&sts);
    buf_release(&scope);
    free(want_signed);
    buf_release(&signed_headers);
    buf_release(&creq);
    free(to_sign);
    suite_request_release(&parsed);
    for (int i = 0; i < 5; i++) {
        free(files[i]);
    }
}

/* post-sts-header-before again, the token given through the credentials. */
Test(sigv4, token_from_credentials_signs_like_token_header)
{
    char *creq_want = NULL;
    char *authz_want = NULL;
    char *probe = test_shared_path(SUITE_DIR);

    if (!probe) {
        cr_skip_test("../shared is absent");
    }
    free(probe);
    creq_want = read_shared(SUITE_DIR "/post-sts-token/post-sts-header-before/"
                                      "post-sts-header-before.creq",
                            NULL);
    authz_want = read_shared(SUITE_DIR "/post-sts-token/"
                                       "post-sts-header-before/"
                                       "post-sts-header-before.authz",
                             NULL);
    struct http_header headers[] = {
        { .name = "Host", .value = "example.amazonaws.com" },
    };
    struct sigv4_request req = {
        .method = "POST",
        .path = "/",
        .query = "",
        .headers = headers,
        .n_headers = 1,
    };
    struct sigv4_credentials cred = {
        .access_key_id = SUITE_AKID,
        .secret_access_key = SUITE_SECRET,
        .session_token = SUITE_TOKEN_STS,
    };
    struct buf creq = BUF_INIT;
    struct buf sh = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    struct sigv4_signature sig = { 0 };

    cr_assert(eq(int,
                 sigv4_canonical_request(&req, "20150830T123600Z",
                                         SUITE_TOKEN_STS, &creq, &sh, &err),
                 0));
    cr_assert(eq(str, (char *)buf_str(&creq), creq_want));
    cr_assert(eq(int,
                 sigv4_sign(&req, &cred, SUITE_REGION, SUITE_SERVICE,
                            parse_amz_date("20150830T123600Z"), &sig, &err),
                 0));
    cr_assert(eq(str, sig.authorization, authz_want));
    cr_assert(eq(str, sig.security_token, SUITE_TOKEN_STS));
    sigv4_signature_release(&sig);
    buf_release(&creq);
    buf_release(&sh);
    free(creq_want);
    free(authz_want);
}

/* ------------------------------------------------------------------ */
/* The API Gateway vectors                                             */
/* ------------------------------------------------------------------ */

static const char *json_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    bool ok = json_is_string(v);
    cr_assert(ok, "field '%s' is not a string", key);
    return json_string_value(v);
}

/* RFC 4648 base64 (no line breaks); the vectors' authoritative body. */
static unsigned char *base64_decode(const char *in, size_t *out_len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = strlen(in);
    unsigned char *out = xmalloc(len / 4 * 3 + 1);
    size_t n = 0;
    unsigned int acc = 0;
    int bits = 0;

    cr_assert(eq(sz, len % 4, 0), "base64 length");
    for (size_t i = 0; i < len && in[i] != '='; i++) {
        const char *pos = strchr(alphabet, in[i]);
        cr_assert(pos != NULL && in[i] != '\0', "base64 character");
        acc = (acc << 6) | (unsigned int)(pos - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    *out_len = n;
    return out;
}

ParameterizedTestParameters(sigv4, apigateway_vector_matches_every_stage)
{
    return make_case_params(APIGW_DIR);
}

ParameterizedTest(struct case_param *param, sigv4,
                  apigateway_vector_matches_every_stage)
{
    if (!param->rel) {
        cr_skip_test("../shared is absent");
    }
    char *rel = xstrfmt(APIGW_DIR "/%s", param->rel);
    char *path = test_shared_path(rel);
    json_error_t jerr;
    json_t *v = json_load_file(path, 0, &jerr);
    cr_assert(v != NULL, "%s:%d: %s", path, jerr.line, jerr.text);
    const char *name = json_str(v, "name");

    json_t *request = json_object_get(v, "request");
    json_t *cred_json = json_object_get(v, "credentials");
    json_t *headers_json = json_object_get(request, "headers");
    json_t *token_json = json_object_get(cred_json, "session_token");
    bool ok = json_is_array(headers_json);
    cr_assert(ok, "%s: request.headers is not an array", param->rel);
    ok = json_is_string(token_json) || json_is_null(token_json);
    cr_assert(ok, "%s: session_token is neither string nor null", param->rel);
    const char *token = json_string_value(token_json);
    const char *amz_date = json_str(v, "amz_date");
    const char *region = json_str(v, "region");
    const char *service = json_str(v, "service");

    size_t n_headers = json_array_size(headers_json);
    struct http_header *headers = xcalloc(n_headers + 1, sizeof(*headers));
    for (size_t i = 0; i < n_headers; i++) {
        json_t *pair = json_array_get(headers_json, i);
        ok = json_is_array(pair) && json_array_size(pair) == 2;
        cr_assert(ok, "%s: header %zu is not a pair", param->rel, i);
        headers[i].name = (char *)json_string_value(json_array_get(pair, 0));
        headers[i].value = (char *)json_string_value(json_array_get(pair, 1));
        cr_assert(headers[i].name && headers[i].value);
    }
    size_t body_len = 0;
    unsigned char *body =
        base64_decode(json_str(request, "body_base64"), &body_len);
    cr_assert(eq(sz, body_len, strlen(json_str(request, "body"))),
              "%s: body and body_base64 disagree", name);

    time_t now = parse_amz_date(amz_date);
    char formatted[17];
    sigv4_format_amz_date(now, formatted);
    cr_assert(eq(str, formatted, (char *)amz_date));

    struct sigv4_request req = {
        .method = json_str(request, "method"),
        .path = json_str(request, "path"),
        .query = json_str(request, "query"),
        .headers = headers,
        .n_headers = n_headers,
        .body = body,
        .body_len = body_len,
    };
    struct oag_error err = OAG_ERROR_INIT;

    /* Stage 1 */
    struct buf creq = BUF_INIT;
    struct buf sh = BUF_INIT;
    cr_assert(
        eq(int,
           sigv4_canonical_request(&req, amz_date, token, &creq, &sh, &err), 0),
        "%s: %s", name, err.message ? err.message : "");
    cr_assert(eq(str, (char *)buf_str(&creq),
                 (char *)json_str(v, "canonical_request")),
              "%s: canonical request", name);
    cr_assert(
        eq(str, (char *)buf_str(&sh), (char *)json_str(v, "signed_headers")),
        "%s: signed headers", name);

    /* Stage 2, from the expected canonical request and scope */
    char date8[9];
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';
    struct buf scope = BUF_INIT;
    struct buf sts = BUF_INIT;
    sigv4_scope(date8, region, service, &scope);
    cr_assert(eq(str, (char *)buf_str(&scope),
                 (char *)json_str(v, "credential_scope")),
              "%s: scope", name);
    sigv4_string_to_sign(amz_date, json_str(v, "credential_scope"),
                         json_str(v, "canonical_request"), &sts);
    cr_assert(
        eq(str, (char *)buf_str(&sts), (char *)json_str(v, "string_to_sign")),
        "%s: string to sign", name);

    /* Stage 3 */
    unsigned char key[32];
    char key_hex[65];
    sigv4_signing_key(json_str(cred_json, "secret_access_key"), date8, region,
                      service, key);
    sigv4_hex(key, sizeof(key), key_hex);
    cr_assert(eq(str, key_hex, (char *)json_str(v, "signing_key_hex")),
              "%s: signing key", name);

    /* Stage 4, from the expected key and string to sign */
    char sig_hex[65];
    signature_of(json_str(v, "signing_key_hex"), json_str(v, "string_to_sign"),
                 sig_hex);
    cr_assert(eq(str, sig_hex, (char *)json_str(v, "signature")),
              "%s: signature", name);

    /* All steps */
    struct sigv4_credentials cred = {
        .access_key_id = json_str(cred_json, "access_key_id"),
        .secret_access_key = json_str(cred_json, "secret_access_key"),
        .session_token = token,
    };
    struct sigv4_signature sig = { 0 };
    cr_assert(
        eq(int, sigv4_sign(&req, &cred, region, service, now, &sig, &err), 0),
        "%s: %s", name, err.message ? err.message : "");
    cr_assert(eq(str, sig.authorization, (char *)json_str(v, "authorization")),
              "%s: authorization", name);
    cr_assert(
        eq(str, sig.signed_headers, (char *)json_str(v, "signed_headers")));
    cr_assert(eq(str, sig.amz_date, (char *)amz_date));

    /* The headers after signing, in the order the README gives */
    json_t *after = json_object_get(v, "signed_request_headers");
    size_t n_after = n_headers + 2 + (sig.security_token ? 1 : 0);
    cr_assert(eq(sz, json_array_size(after), n_after), "%s", name);
    for (size_t i = 0; i < n_after; i++) {
        const char *want_name =
            json_string_value(json_array_get(json_array_get(after, i), 0));
        const char *want_value =
            json_string_value(json_array_get(json_array_get(after, i), 1));
        const char *got_name;
        const char *got_value;
        if (i < n_headers) {
            got_name = headers[i].name;
            got_value = headers[i].value;
        } else if (i == n_headers) {
            got_name = "X-Amz-Date";
            got_value = sig.amz_date;
        } else if (i == n_after - 1) {
            got_name = "Authorization";
            got_value = sig.authorization;
        } else {
            got_name = "X-Amz-Security-Token";
            got_value = sig.security_token;
        }
        cr_assert(eq(str, (char *)got_name, (char *)want_name), "%s", name);
        cr_assert(eq(str, (char *)got_value, (char *)want_value), "%s", name);
    }

    sigv4_signature_release(&sig);
    buf_release(&sts);
    buf_release(&scope);
    buf_release(&sh);
    buf_release(&creq);
    free(body);
    free(headers);
    json_decref(v);
    free(path);
    free(rel);
}

/* ------------------------------------------------------------------ */
/* Unit tests                                                          */
/* ------------------------------------------------------------------ */

static void check_encode(const char *in, size_t len, bool encode_slash,
                         const char *want)
{
    struct buf out = BUF_INIT;
    sigv4_uri_encode(&out, in, len, encode_slash);
    cr_assert(eq(str, (char *)buf_str(&out), (char *)want));
    buf_release(&out);
}

Test(sigv4, uri_encode_escapes_an_arn_label_completely)
{
    /* the label of get-tags-arn-in-path, as its wire path carries it */
    static const char label[] =
        "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod";
    check_encode(label, sizeof(label) - 1, true,
                 "arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2F"
                 "a1b2c3d4e5%2Fstages%2Fprod");
}

Test(sigv4, uri_encode_escapes_parentheses_space_and_utf8)
{
    check_encode("(none)", 6, true, "%28none%29");
    check_encode("v1 beta", 7, true, "v1%20beta");
    check_encode("\xe1\x88\xb4", 3, true, "%E1%88%B4");
    check_encode("+,;=!*'@:%", 10, true, "%2B%2C%3B%3D%21%2A%27%40%3A%25");
}

Test(sigv4, uri_encode_leaves_unreserved_and_optionally_slash)
{
    check_encode("AZaz09-_.~", 10, true, "AZaz09-_.~");
    check_encode("/a b/c", 6, false, "/a%20b/c");
    check_encode("/a b/c", 6, true, "%2Fa%20b%2Fc");
    /* embedded NUL: len counts, not the terminator */
    check_encode("a\0b", 3, true, "a%00b");
}

Test(sigv4, uri_encode_appends_to_existing_content)
{
    struct buf out = BUF_INIT;
    buf_adds(&out, "x=");
    sigv4_uri_encode(&out, "a b", 3, true);
    cr_assert(eq(str, (char *)buf_str(&out), "x=a%20b"));
    buf_release(&out);
}

static void check_query(const char *query, const char *want)
{
    struct buf out = BUF_INIT;
    sigv4_canonical_query(&out, query);
    cr_assert(eq(str, (char *)buf_str(&out), (char *)want), "query '%s'",
              query);
    buf_release(&out);
}

Test(sigv4, query_pair_splits_at_the_first_equals_sign)
{
    check_query("a=b=c", "a=b%3Dc");
    check_query("token=abc==", "token=abc%3D%3D");
}

Test(sigv4, query_encoded_plus_slash_equals_stay_single_encoded)
{
    check_query("position=ab%2Bc%2Fd%3D", "position=ab%2Bc%2Fd%3D");
    /* raw ones are escaped; '+' is a plus sign, not a space */
    check_query("v=a+b/c=", "v=a%2Bb%2Fc%3D");
}

Test(sigv4, query_parameter_without_equals_has_empty_value)
{
    check_query("flag", "flag=");
    check_query("flag&a=1", "a=1&flag=");
    check_query("empty=", "empty=");
}

Test(sigv4, query_space_is_percent_20_never_plus)
{
    check_query("name=my%20key&includeValues=true",
                "includeValues=true&name=my%20key");
    check_query("q=a b", "q=a%20b");
}

Test(sigv4, query_sorts_pairs_by_name_then_value_bytewise)
{
    check_query("Param-3=Value3&Param=Value2", "Param=Value2&Param-3=Value3");
    check_query("b=2&a=2&a=10", "a=10&a=2&b=2");
    check_query("Param1=value2&Param1=Value1", "Param1=Value1&Param1=value2");
}

Test(sigv4, query_decodes_and_reencodes_with_uppercase_hex)
{
    check_query("%7e=%41", "~=A");
    check_query("%e1%88%b4=x", "%E1%88%B4=x");
    /* a '%' without two hex digits is a literal '%' */
    check_query("a=%zz%4", "a=%25zz%254");
    check_query("", "");
    check_query("a=1&&b=2", "a=1&b=2");
}

static void check_uri(const char *path, const char *want)
{
    struct buf out = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, sigv4_canonical_uri(&out, path, &err), 0));
    cr_assert(eq(str, (char *)buf_str(&out), (char *)want), "path '%s'", path);
    buf_release(&out);
}

Test(sigv4, canonical_uri_normalises_then_double_encodes)
{
    check_uri("", "/");
    check_uri("/", "/");
    check_uri("/a/b/../c/./d//", "/a/c/d/");
    check_uri("/a/b/..", "/a");
    check_uri("/..", "/");
    check_uri("/%2E%2E/x", "/%252E%252E/x");
    check_uri("/domainnames/api.example.com/basepathmappings/%28none%29",
              "/domainnames/api.example.com/basepathmappings/%2528none%2529");
}

Test(sigv4, canonical_uri_rejects_a_relative_path)
{
    struct buf out = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, sigv4_canonical_uri(&out, "restapis", &err), -1));
    cr_assert(eq(int, err.code, OAG_ERR_INVALID));
    cr_assert(eq(sz, out.len, 0));
    oag_error_release(&err);
    buf_release(&out);
}

#define TEST_DATE "20150830T123600Z"
#define TEST_TOKEN "sEcReT/ToKeN+=="

Test(sigv4, header_values_fold_and_collapse)
{
    struct http_header headers[] = {
        { .name = "Host", .value = "example.amazonaws.com" },
        { .name = "My-Header", .value = "  a\r\n   b\t\tc  " },
        { .name = "my-header", .value = "" },
        { .name = "MY-HEADER", .value = "d" },
    };
    struct sigv4_request req = {
        .method = "GET",
        .path = "/",
        .query = "",
        .headers = headers,
        .n_headers = 4,
    };
    struct buf creq = BUF_INIT;
    struct buf sh = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;

    cr_assert(eq(
        int, sigv4_canonical_request(&req, TEST_DATE, NULL, &creq, &sh, &err),
        0));
    cr_assert(eq(str, (char *)buf_str(&creq),
                 "GET\n/\n\n"
                 "host:example.amazonaws.com\n"
                 "my-header:a b c,,d\n"
                 "x-amz-date:" TEST_DATE "\n"
                 "\n"
                 "host;my-header;x-amz-date\n"
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
                 "7852b855"));
    cr_assert(eq(str, (char *)buf_str(&sh), "host;my-header;x-amz-date"));
    buf_release(&creq);
    buf_release(&sh);
}

static void check_request_error(const struct sigv4_request *req,
                                const char *amz_date, const char *token,
                                enum oag_error_code code)
{
    struct buf creq = BUF_INIT;
    struct buf sh = BUF_INIT;
    struct oag_error err = OAG_ERROR_INIT;

    buf_adds(&creq, "keep");
    buf_adds(&sh, "keep");
    cr_assert(
        eq(int, sigv4_canonical_request(req, amz_date, token, &creq, &sh, &err),
           -1));
    cr_assert(eq(int, err.code, code));
    cr_assert(err.message != NULL);
    cr_assert(strstr(err.message, TEST_TOKEN) == NULL);
    /* nothing half-built is left behind */
    cr_assert(eq(str, (char *)buf_str(&creq), "keep"));
    cr_assert(eq(str, (char *)buf_str(&sh), "keep"));
    oag_error_release(&err);
    buf_release(&creq);
    buf_release(&sh);
}

Test(sigv4, signer_headers_must_not_be_in_the_request)
{
    struct http_header with_date[] = {
        { .name = "Host", .value = "example.amazonaws.com" },
        { .name = "X-Amz-Date", .value = TEST_DATE },
    };
    struct http_header with_token[] = {
        { .name = "Host", .value = "example.amazonaws.com" },
        { .name = "X-Amz-Security-Token", .value = TEST_TOKEN },
    };
    struct sigv4_request req = {
        .method = "GET",
        .path = "/",
        .query = "",
        .headers = with_date,
        .n_headers = 2,
    };

    check_request_error(&req, TEST_DATE, NULL, OAG_ERR_INVALID);
    req.headers = with_token;
    check_request_error(&req, TEST_DATE, TEST_TOKEN, OAG_ERR_INVALID);
}

Test(sigv4, bad_request_parts_are_reported)
{
    struct http_header bad_name[] = {
        { .name = "Bad Name", .value = "x" },
    };
    struct sigv4_request req = {
        .method = "GET",
        .path = "/",
        .query = "",
    };

    check_request_error(&req, "2015-08-30", NULL, OAG_ERR_INVALID);
    check_request_error(&req, TEST_DATE, "line\nbreak", OAG_ERR_AUTH);
    req.headers = bad_name;
    req.n_headers = 1;
    check_request_error(&req, TEST_DATE, NULL, OAG_ERR_INVALID);
    req.n_headers = 0;
    req.path = "relative";
    check_request_error(&req, TEST_DATE, NULL, OAG_ERR_INVALID);
    req.path = "/";
    req.method = "G ET";
    check_request_error(&req, TEST_DATE, NULL, OAG_ERR_INVALID);
}

Test(sigv4, format_amz_date_is_utc)
{
    char out[17];

    sigv4_format_amz_date(0, out);
    cr_assert(eq(str, out, "19700101T000000Z"));
    /* 2015-08-30 12:36:00 UTC, the suite's time */
    sigv4_format_amz_date((time_t)1440938160, out);
    cr_assert(eq(str, out, "20150830T123600Z"));
    /* 2024-05-27 08:30:15 UTC, the API Gateway vectors' time */
    sigv4_format_amz_date((time_t)1716798615, out);
    cr_assert(eq(str, out, "20240527T083015Z"));
    sigv4_format_amz_date((time_t)-1, out);
    cr_assert(eq(str, out, "00000000T000000Z"));
}

Test(sigv4, signing_key_matches_the_published_example)
{
    /* AWS General Reference example: 20120215, us-east-1, iam */
    unsigned char key[32];
    char hex[65];

    sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                      "us-east-1", "iam", key);
    sigv4_hex(key, sizeof(key), hex);
    cr_assert(eq(str, hex,
                 "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db"
                 "404d"));
}

static const struct http_header lifecycle_headers[] = {
    { .name = "Host", .value = "127.0.0.1:5055" },
    { .name = "Accept", .value = "application/json" },
};

static const struct sigv4_request lifecycle_req = {
    .method = "GET",
    .path = "/restapis",
    .query = "limit=25",
    .headers = lifecycle_headers,
    .n_headers = 2,
};

Test(sigv4, signature_sign_and_release_lifecycle)
{
    struct sigv4_credentials cred = {
        .access_key_id = "AKIDEXAMPLE",
        .secret_access_key = "secret-never-printed",
        .session_token = TEST_TOKEN,
    };
    struct sigv4_signature sig = { 0 };
    struct oag_error err = OAG_ERROR_INIT;

    sigv4_signature_release(NULL);
    sigv4_signature_release(&sig);
    cr_assert(eq(int,
                 sigv4_sign(&lifecycle_req, &cred, "us-east-1", "apigateway",
                            (time_t)1716798615, &sig, &err),
                 0));
    cr_assert(eq(str, sig.amz_date, "20240527T083015Z"));
    cr_assert(eq(str, sig.security_token, TEST_TOKEN));
    cr_assert(sig.security_token != cred.session_token);
    cr_assert(eq(str, sig.signed_headers,
                 "accept;host;x-amz-date;x-amz-security-token"));
    static const char prefix[] =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240527/us-east-1/"
        "apigateway/aws4_request, SignedHeaders=accept;host;x-amz-date;"
        "x-amz-security-token, Signature=";
    cr_assert(
        eq(int, strncmp(sig.authorization, prefix, sizeof(prefix) - 1), 0));
    cr_assert(eq(sz, strlen(sig.authorization), sizeof(prefix) - 1 + 64));
    cr_assert(strstr(sig.authorization, "secret") == NULL);

    /* signing again into the same struct releases the old result first */
    cred.session_token = NULL;
    cr_assert(eq(int,
                 sigv4_sign(&lifecycle_req, &cred, "us-east-1", "apigateway",
                            (time_t)1716798616, &sig, &err),
                 0));
    cr_assert(eq(ptr, sig.security_token, NULL));
    cr_assert(eq(str, sig.amz_date, "20240527T083016Z"));
    sigv4_signature_release(&sig);
    cr_assert(eq(ptr, sig.authorization, NULL));
    cr_assert(eq(ptr, sig.signed_headers, NULL));
    sigv4_signature_release(&sig);
}

Test(sigv4, failed_sign_leaves_signature_zeroed_and_hides_secrets)
{
    struct sigv4_credentials cred = {
        .access_key_id = "AKIDEXAMPLE",
        .secret_access_key = "secret-never-printed",
        .session_token = TEST_TOKEN,
    };
    struct sigv4_signature sig = { 0 };
    struct oag_error err = OAG_ERROR_INIT;
    struct sigv4_request bad = lifecycle_req;
    static const struct sigv4_signature zero = { 0 };

    cr_assert(eq(int,
                 sigv4_sign(&lifecycle_req, &cred, "us-east-1", "apigateway",
                            (time_t)1716798615, &sig, &err),
                 0));
    bad.path = "no-slash";
    cr_assert(eq(int,
                 sigv4_sign(&bad, &cred, "us-east-1", "apigateway",
                            (time_t)1716798615, &sig, &err),
                 -1));
    cr_assert(eq(int, memcmp(&sig, &zero, sizeof(sig)), 0));
    cr_assert(strstr(err.message, "secret-never-printed") == NULL);
    cr_assert(strstr(err.message, TEST_TOKEN) == NULL);

    const struct {
        const char *akid;
        const char *secret;
        const char *region;
        const char *service;
        time_t now;
        enum oag_error_code code;
    } cases[] = {
        { "", "secret-never-printed", "us-east-1", "apigateway", 0,
          OAG_ERR_AUTH },
        { "AKID/X", "secret-never-printed", "us-east-1", "apigateway", 0,
          OAG_ERR_AUTH },
        { "AKIDEXAMPLE", "", "us-east-1", "apigateway", 0, OAG_ERR_AUTH },
        { "AKIDEXAMPLE", "secret-never-printed", "us/east", "apigateway", 0,
          OAG_ERR_INVALID },
        { "AKIDEXAMPLE", "secret-never-printed", "us-east-1", "", 0,
          OAG_ERR_INVALID },
        { "AKIDEXAMPLE", "secret-never-printed", "us-east-1", "apigateway",
          (time_t)-1, OAG_ERR_INVALID },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cred.access_key_id = cases[i].akid;
        cred.secret_access_key = cases[i].secret;
        cr_assert(eq(int,
                     sigv4_sign(&lifecycle_req, &cred, cases[i].region,
                                cases[i].service, cases[i].now, &sig, &err),
                     -1),
                  "case %zu", i);
        cr_assert(eq(int, err.code, cases[i].code), "case %zu", i);
        cr_assert(eq(int, memcmp(&sig, &zero, sizeof(sig)), 0));
        cr_assert(strstr(err.message, "secret-never-printed") == NULL);
        cr_assert(strstr(err.message, TEST_TOKEN) == NULL);
    }
    oag_error_release(&err);
}
