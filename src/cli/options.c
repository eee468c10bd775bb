/*
 * Option tables -> parsing and --help (git's parse-options, curl's
 * aliases[]): one table per command is the single source for both.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/xalloc.h"

static const struct cli_option *
find_long(const struct cli_option *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (opts[i].long_name && strlen(opts[i].long_name) == len &&
            strncmp(opts[i].long_name, name, len) == 0) {
            return &opts[i];
        }
    }
    return NULL;
}

static const struct cli_option *find_short(const struct cli_option *opts,
                                           size_t n, char c)
{
    for (size_t i = 0; i < n; i++) {
        if (opts[i].short_name == c) {
            return &opts[i];
        }
    }
    return NULL;
}

static int parse_size(const char *s, size_t *out, struct oag_error *err)
{
    errno = 0;
    char *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-') {
        return -1;
    }
    unsigned long long mult = 1;
    if (*end == 'K' || *end == 'k') {
        mult = 1024ULL;
        end++;
    } else if (*end == 'M' || *end == 'm') {
        mult = 1024ULL * 1024;
        end++;
    } else if (*end == 'G' || *end == 'g') {
        mult = 1024ULL * 1024 * 1024;
        end++;
    }
    if (*end != '\0' || v > (unsigned long long)SIZE_MAX / mult) {
        return -1;
    }
    *out = (size_t)(v * mult);
    return 0;
}

static int set_value(const struct cli_option *o, const char *value,
                     struct oag_error *err)
{
    switch (o->kind) {
    case CLI_OPT_BOOL:
        *(bool *)o->target = true;
        return 0;
    case CLI_OPT_STRING:
        *(const char **)o->target = value;
        return 0;
    case CLI_OPT_UINT: {
        errno = 0;
        char *end = NULL;
        unsigned long v = strtoul(value, &end, 10);
        if (errno || end == value || *end != '\0' || value[0] == '-') {
            return oag_error_set(err, OAG_ERR_USAGE,
                                 "option '--%s' expects a number, not '%s'",
                                 o->long_name, value);
        }
        *(unsigned long *)o->target = v;
        return 0;
    }
    case CLI_OPT_SIZE:
        if (parse_size(value, (size_t *)o->target, err) != 0) {
            return oag_error_set(err, OAG_ERR_USAGE,
                                 "option '--%s' expects a size such as 16M, "
                                 "not '%s'",
                                 o->long_name, value);
        }
        return 0;
    }
    return 0;
}

int cli_parse(int argc, char **argv, const struct cli_option *opts,
              size_t n_opts, const char *usage, const char *about,
              char ***out_args, size_t *out_n_args, bool *out_help,
              struct oag_error *err)
{
    char **args = xcalloc((size_t)argc + 1, sizeof(*args));
    size_t n = 0;
    bool only_args = false;
    *out_help = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
            args[n++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_print_help(stdout, usage, about, opts, n_opts);
            *out_help = true;
            free(args);
            return 0;
        }
        const struct cli_option *o;
        const char *value = NULL;
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            o = find_long(opts, n_opts, name, len);
            if (!o) {
                free(args);
                return oag_error_set(err, OAG_ERR_USAGE,
                                     "unknown option '--%.*s'", (int)len, name);
            }
            if (eq) {
                if (o->kind == CLI_OPT_BOOL) {
                    free(args);
                    return oag_error_set(err, OAG_ERR_USAGE,
                                         "option '--%s' takes no value",
                                         o->long_name);
                }
                value = eq + 1;
            }
        } else {
            o = find_short(opts, n_opts, a[1]);
            if (!o || a[2] != '\0') {
                free(args);
                return oag_error_set(err, OAG_ERR_USAGE, "unknown option '%s'",
                                     a);
            }
        }
        if (o->kind != CLI_OPT_BOOL && !value) {
            if (i + 1 >= argc) {
                free(args);
                return oag_error_set(err, OAG_ERR_USAGE,
                                     "option '--%s' needs a value (%s)",
                                     o->long_name, o->arg_name);
            }
            value = argv[++i];
        }
        if (set_value(o, value, err) != 0) {
            free(args);
            return -1;
        }
    }
    *out_args = args;
    *out_n_args = n;
    return 0;
}

void cli_print_help(FILE *f, const char *usage, const char *about,
                    const struct cli_option *opts, size_t n_opts)
{
    fprintf(f, "usage: %s\n\n%s\n", usage, about);
    if (n_opts == 0) {
        return;
    }
    fputs("\noptions:\n", f);
    for (size_t i = 0; i < n_opts; i++) {
        const struct cli_option *o = &opts[i];
        char left[64];
        if (o->short_name) {
            snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name,
                     o->long_name, o->arg_name ? " " : "",
                     o->arg_name ? o->arg_name : "");
        } else {
            snprintf(left, sizeof(left), "    --%s%s%s", o->long_name,
                     o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
        }
        fprintf(f, "  %-30s %s\n", left, o->help);
    }
    fprintf(f, "  %-30s %s\n", "-h, --help", "show this help");
}
