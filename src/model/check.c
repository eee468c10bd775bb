/*
 * Checks of single values of an integration response, as API Gateway's
 * PutIntegrationResponse and import apply them
 * (../shared/reference/apigateway.md section 3).
 */
#include "model/igr.h"

#include <string.h>

#include "util/error.h"

/* RFC 9110 token characters (header names, media type parts). */
static bool is_tchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool all_tchar(const char *s, size_t n)
{
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (!is_tchar(s[i])) {
            return false;
        }
    }
    return true;
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ident_path(const char *s, bool dots)
{
    if (!*s) {
        return false;
    }
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                  (c >= 'A' && c <= 'Z') || c == '_' || c == '-' ||
                  (dots && c == '.');
        if (!ok) {
            return false;
        }
    }
    return true;
}

int igr_check_source_expression(const char *v, struct oag_error *err)
{
    size_t n = strlen(v);
    if (n == 0) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "empty mapping expression: use "
                             "integration.response.header.NAME, "
                             "integration.response.body[.PATH], "
                             "context.NAME, stageVariables.NAME or a "
                             "quoted literal like \"'value'\"");
    }
    if (v[0] == '\'') {
        if (n >= 2 && v[n - 1] == '\'') {
            return 0;
        }
        return oag_error_set(err, OAG_ERR_INVALID,
                             "unterminated static value %s: a literal must "
                             "start and end with a single quote",
                             v);
    }
    if (has_prefix(v, "integration.response.header.")) {
        const char *h = v + strlen("integration.response.header.");
        if (all_tchar(h, strlen(h))) {
            return 0;
        }
    } else if (has_prefix(v, "integration.response.multivalueheader.")) {
        const char *h = v + strlen("integration.response.multivalueheader.");
        if (all_tchar(h, strlen(h))) {
            return 0;
        }
    } else if (strcmp(v, "integration.response.body") == 0) {
        return 0;
    } else if (has_prefix(v, "integration.response.body.")) {
        const char *path = v + strlen("integration.response.body.");
        if (path[0] == '$') {
            return oag_error_set(err, OAG_ERR_INVALID,
                                 "invalid mapping expression '%s': the JSON "
                                 "path is written without the leading '$' "
                                 "(integration.response.body.%s)",
                                 v, path[1] == '.' ? path + 2 : path + 1);
        }
        if (path[0] && path[0] != '.' && !strchr(path, ' ')) {
            return 0;
        }
    } else if (has_prefix(v, "stageVariables.")) {
        if (ident_path(v + strlen("stageVariables."), false)) {
            return 0;
        }
    } else if (has_prefix(v, "context.")) {
        if (ident_path(v + strlen("context."), true)) {
            return 0;
        }
    } else if (!strchr(v, '.') || has_prefix(v, "application/") ||
               has_prefix(v, "text/")) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "invalid mapping expression '%s': a static "
                             "value must be enclosed in single quotes, as "
                             "\"'%s'\"",
                             v, v);
    } else if (has_prefix(v, "method.request.") ||
               has_prefix(v, "integration.request.") ||
               has_prefix(v, "method.response.")) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "invalid mapping expression '%s': a response "
                             "parameter's source must be "
                             "integration.response.header.NAME, "
                             "integration.response.multivalueheader.NAME, "
                             "integration.response.body[.PATH], "
                             "context.NAME, stageVariables.NAME or a quoted "
                             "literal",
                             v);
    }
    return oag_error_set(err, OAG_ERR_INVALID,
                         "invalid mapping expression '%s': expected "
                         "integration.response.header.NAME, "
                         "integration.response.multivalueheader.NAME, "
                         "integration.response.body[.PATH], context.NAME, "
                         "stageVariables.NAME or a quoted literal such as "
                         "\"'value'\"",
                         v);
}

int igr_check_header_key(const char *key, const char **out_name,
                         struct oag_error *err)
{
    static const char prefix[] = "method.response.header.";
    if (!has_prefix(key, prefix)) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "response parameter '%s' is not of the form "
                             "method.response.header.NAME (only method "
                             "response headers can be mapped)",
                             key);
    }
    const char *name = key + sizeof(prefix) - 1;
    if (!all_tchar(name, strlen(name))) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "response parameter '%s' has an invalid header "
                             "name",
                             key);
    }
    if (out_name) {
        *out_name = name;
    }
    return 0;
}

int igr_check_media_type(const char *key, struct oag_error *err)
{
    const char *slash = strchr(key, '/');
    if (!slash || !all_tchar(key, (size_t)(slash - key)) ||
        !all_tchar(slash + 1, strlen(slash + 1)) || strchr(slash + 1, '/')) {
        return oag_error_set(err, OAG_ERR_INVALID,
                             "response template key '%s' is not a media "
                             "type (type/subtype, e.g. application/json)",
                             key);
    }
    return 0;
}
