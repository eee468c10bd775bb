/*
 * Base paths, as API Gateway's import reads them
 * (the basepath-mode oracle files under ../shared/testdata/external/localstack show
 * the three modes on real AWS):
 *   Swagger 2.0: `basePath`.
 *   OpenAPI 3:   a server variable `basePath` (its default) when one is
 *                declared, else the path of the first server's URL with its
 *                variables replaced by their defaults.
 * ignore keeps the document path; prepend puts the base path in front;
 * split drops the base path's first segment and prepends the rest.
 */
#include "convert/convert_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

int conv_basepath_parse(const char *s, enum conv_basepath *out,
                        struct oag_error *err)
{
    if (strcmp(s, "ignore") == 0) {
        *out = CONV_BASEPATH_IGNORE;
    } else if (strcmp(s, "prepend") == 0) {
        *out = CONV_BASEPATH_PREPEND;
    } else if (strcmp(s, "split") == 0) {
        *out = CONV_BASEPATH_SPLIT;
    } else {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "unknown basepath mode '%s' (expected ignore, "
                             "prepend or split)",
                             s);
    }
    return 0;
}

/* "/a/b/" -> "/a/b"; "" and "/" -> "". */
static char *normalise(const char *p)
{
    struct buf b = BUF_INIT;
    if (p[0] != '/') {
        buf_addch(&b, '/');
    }
    buf_adds(&b, p);
    while (b.len > 0 && b.data[b.len - 1] == '/') {
        buf_truncate(&b, b.len - 1);
    }
    return buf_detach(&b, NULL);
}

static char *server_url_path(json_t *server)
{
    const char *url = json_string_value(json_object_get(server, "url"));
    if (!url) {
        return xstrdup("");
    }
    json_t *vars = json_object_get(server, "variables");
    /* substitute {var} with its default */
    struct buf b = BUF_INIT;
    for (const char *p = url; *p; p++) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close) {
            char *name = xstrndup(p + 1, (size_t)(close - p - 1));
            const char *def = json_string_value(
                json_object_get(json_object_get(vars, name), "default"));
            buf_adds(&b, def ? def : "");
            free(name);
            p = close;
        } else {
            buf_addch(&b, *p);
        }
    }
    const char *s = buf_str(&b);
    const char *path = s;
    const char *scheme = strstr(s, "://");
    if (scheme) {
        path = strchr(scheme + 3, '/');
        if (!path) {
            path = "";
        }
    } else if (s[0] != '/') {
        path = "";
    }
    /* drop a query or fragment */
    char *out = xstrndup(path, strcspn(path, "?#"));
    buf_release(&b);
    return out;
}

char *conv_base_path(const struct conv_root *root)
{
    if (root->version == CONV_VERSION_SWAGGER_2 || root->base_path) {
        return normalise(root->base_path ? root->base_path : "");
    }
    json_t *servers = root->servers;
    if (!json_is_array(servers) || json_array_size(servers) == 0) {
        return xstrdup("");
    }
    size_t i;
    json_t *s;
    json_array_foreach (servers, i, s) {
        const char *def = json_string_value(json_object_get(
            json_object_get(json_object_get(s, "variables"), "basePath"),
            "default"));
        if (def) {
            return normalise(def);
        }
    }
    char *path = server_url_path(json_array_get(servers, 0));
    char *n = normalise(path);
    free(path);
    return n;
}

char *conv_resource_path(const struct conv_root *root, const char *doc_path,
                         enum conv_basepath mode)
{
    if (mode == CONV_BASEPATH_IGNORE) {
        return xstrdup(doc_path);
    }
    char *base = conv_base_path(root);
    const char *prefix = base;
    if (mode == CONV_BASEPATH_SPLIT) {
        const char *second = base[0] ? strchr(base + 1, '/') : NULL;
        prefix = second ? second : "";
    }
    char *out;
    if (!prefix[0]) {
        out = xstrdup(doc_path);
    } else if (strcmp(doc_path, "/") == 0 || doc_path[0] == '\0') {
        out = xstrdup(prefix);
    } else {
        out =
            xstrfmt("%s%s%s", prefix, doc_path[0] == '/' ? "" : "/", doc_path);
    }
    free(base);
    return out;
}
