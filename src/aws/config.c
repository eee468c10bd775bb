/*
 * The shared config and credentials files (aws-conventions.md 2.2, 2.3).
 *
 * Both files use the INI dialect botocore reads with Python's configparser
 * (botocore/configloader.py):
 *   - "[name]" opens a section; in the config file profiles are
 *     "[profile NAME]" and "[default]", other kinds are "[services NAME]"
 *     and "[sso-session NAME]"; in the credentials file a profile is
 *     "[NAME]" (so "[profile x]" there is a profile called "profile x");
 *   - "key = value" (or "key: value"); keys are case-insensitive, values are
 *     trimmed and keep everything else, '#' or ';' included (no inline
 *     comments);
 *   - lines whose first non-blank character is '#' or ';' are comments;
 *   - a key with an empty value followed by indented "k = v" lines is a
 *     one-level sub-section (_parse_nested in configloader.py).
 * A file that does not exist reads as empty; profiles do not inherit from
 * [default].
 */
#include "aws/cred_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/xalloc.h"

/* Largest shared file read (far above anything hand-written). */
#define INI_MAX_BYTES (16u * 1024u * 1024u)

const char *cred_env_get(const struct cred_env *env, const char *name)
{
    const char *v;
    if (env && env->getenv) {
        v = env->getenv(env->ctx, name);
    } else {
        v = getenv(name);
    }
    if (!v || !*v) {
        return NULL;
    }
    return v;
}

bool cred_is_true(const char *value)
{
    return value && strcasecmp(value, "true") == 0;
}

/* ---- INI ---- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && (is_blank(**s) || **s == '\r' || **s == '\n')) {
        (*s)++;
    }
    while (*e > *s &&
           (is_blank((*e)[-1]) || (*e)[-1] == '\r' || (*e)[-1] == '\n')) {
        (*e)--;
    }
}

static char *lower_dup(const char *s, size_t n)
{
    char *out = xstrndup(s, n);
    for (char *p = out; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    return out;
}

static void section_release(struct cred_ini_section *s)
{
    for (size_t i = 0; i < s->n_pairs; i++) {
        free(s->pairs[i].key);
        free_secret(s->pairs[i].value);
        free(s->pairs[i].parent);
    }
    free(s->pairs);
    free(s->name);
}

void cred_ini_release(struct cred_ini *ini)
{
    if (!ini) {
        return;
    }
    for (size_t i = 0; i < ini->n_sections; i++) {
        section_release(&ini->sections[i]);
    }
    free(ini->sections);
    free(ini->file);
    memset(ini, 0, sizeof(*ini));
}

static struct cred_ini_section *find_section(struct cred_ini *ini,
                                             const char *name, size_t len)
{
    for (size_t i = 0; i < ini->n_sections; i++) {
        struct cred_ini_section *s = &ini->sections[i];
        if (strlen(s->name) == len && memcmp(s->name, name, len) == 0) {
            return s;
        }
    }
    return NULL;
}

static struct cred_ini_pair *find_pair(struct cred_ini_section *s,
                                       const char *parent, const char *key)
{
    for (size_t i = 0; i < s->n_pairs; i++) {
        struct cred_ini_pair *p = &s->pairs[i];
        bool same_parent =
            (!parent && !p->parent) ||
            (parent && p->parent && strcmp(parent, p->parent) == 0);
        if (same_parent && strcmp(p->key, key) == 0) {
            return p;
        }
    }
    return NULL;
}

/* Sets key (owned, lower-cased) to value in s; a repeated key replaces. */
static struct cred_ini_pair *section_set(struct cred_ini_section *s,
                                         const char *parent, char *key,
                                         char *value, unsigned long line)
{
    struct cred_ini_pair *p = find_pair(s, parent, key);
    if (p) {
        free(key);
        free_secret(p->value);
        p->value = value;
        p->line = line;
        return p;
    }
    if (s->n_pairs == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->pairs = xreallocarray(s->pairs, s->cap, sizeof(*s->pairs));
    }
    p = &s->pairs[s->n_pairs++];
    p->key = key;
    p->value = value;
    p->parent = parent ? xstrdup(parent) : NULL;
    p->line = line;
    return p;
}

static int syntax_error(struct oag_error *err, const char *file,
                        unsigned long line, const char *msg)
{
    oag_error_set(err, OAG_ERR_SYNTAX, "%s", msg);
    oag_error_set_where(err, file, line, 0, NULL);
    return -1;
}

/* Position of the first '=' or ':' in [s, e), or NULL. */
static const char *find_delim(const char *s, const char *e)
{
    for (const char *p = s; p < e; p++) {
        if (*p == '=' || *p == ':') {
            return p;
        }
    }
    return NULL;
}

int cred_ini_parse(struct cred_ini *ini, const char *text, size_t len,
                   const char *file, struct oag_error *err)
{
    cred_ini_release(ini);
    ini->file = file ? xstrdup(file) : NULL;

    size_t cur = (size_t)-1;       /* index of the current section */
    size_t last_pair = (size_t)-1; /* index of the last top-level pair */
    unsigned long line_no = 0;
    const char *end = text + len;
    const char *line = text;

    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *le = nl ? nl : end;
        const char *s = line;
        const char *e = le;
        line = nl ? nl + 1 : end;
        line_no++;

        bool indented = s < e && is_blank(*s);
        trim(&s, &e);
        if (s == e || *s == '#' || *s == ';') {
            continue;
        }

        if (indented && cur != (size_t)-1 && last_pair != (size_t)-1) {
            struct cred_ini_section *sec = &ini->sections[cur];
            struct cred_ini_pair *owner = &sec->pairs[last_pair];
            if (owner->value[0] == '\0') {
                /* sub-section pair: "  endpoint_url = http://..." */
                const char *d = find_delim(s, e);
                if (!d || *d != '=') {
                    return syntax_error(err, file, line_no,
                                        "expected 'key = value' in the "
                                        "indented block");
                }
                const char *ks = s;
                const char *ke = d;
                const char *vs = d + 1;
                const char *ve = e;
                trim(&ks, &ke);
                trim(&vs, &ve);
                if (ks == ke) {
                    return syntax_error(err, file, line_no,
                                        "missing key before '='");
                }
                char *parent = xstrdup(owner->key);
                section_set(sec, parent, lower_dup(ks, (size_t)(ke - ks)),
                            xstrndup(vs, (size_t)(ve - vs)), line_no);
                free(parent);
                continue;
            }
            /* continuation of a multi-line value */
            char *joined = xstrfmt("%s\n%.*s", owner->value, (int)(e - s), s);
            free_secret(owner->value);
            owner->value = joined;
            continue;
        }

        if (*s == '[') {
            if (e[-1] != ']') {
                return syntax_error(err, file, line_no,
                                    "section header without closing ']'");
            }
            const char *ns = s + 1;
            const char *ne = e - 1;
            trim(&ns, &ne);
            if (ns == ne) {
                return syntax_error(err, file, line_no, "empty section name");
            }
            struct cred_ini_section *sec =
                find_section(ini, ns, (size_t)(ne - ns));
            if (sec) {
                cur = (size_t)(sec - ini->sections);
            } else {
                if (ini->n_sections == ini->cap) {
                    ini->cap = ini->cap ? 2 * ini->cap : 8;
                    ini->sections = xreallocarray(ini->sections, ini->cap,
                                                  sizeof(*ini->sections));
                }
                sec = &ini->sections[ini->n_sections];
                memset(sec, 0, sizeof(*sec));
                sec->name = xstrndup(ns, (size_t)(ne - ns));
                sec->line = line_no;
                cur = ini->n_sections++;
            }
            last_pair = (size_t)-1;
            continue;
        }

        if (cur == (size_t)-1) {
            return syntax_error(err, file, line_no,
                                "setting outside of a section; expected "
                                "'[name]' first");
        }
        const char *d = find_delim(s, e);
        if (!d) {
            return syntax_error(err, file, line_no,
                                "expected 'key = value' or '[section]'");
        }
        const char *ks = s;
        const char *ke = d;
        const char *vs = d + 1;
        const char *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        if (ks == ke) {
            return syntax_error(err, file, line_no, "missing key before '='");
        }
        struct cred_ini_section *sec = &ini->sections[cur];
        struct cred_ini_pair *p =
            section_set(sec, NULL, lower_dup(ks, (size_t)(ke - ks)),
                        xstrndup(vs, (size_t)(ve - vs)), line_no);
        last_pair = (size_t)(p - sec->pairs);
    }
    return 0;
}

int cred_ini_load(struct cred_ini *ini, const char *path, struct oag_error *err)
{
    cred_ini_release(ini);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            ini->file = xstrdup(path);
            return 0;
        }
        return oag_error_set(err, OAG_ERR_IO, "cannot open '%s': %s", path,
                             strerror(errno));
    }
    /*
     * One allocation of the final size, so no realloc leaves copies of the
     * secrets the credentials file holds; wiped after parsing.
     */
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return oag_error_set(err, OAG_ERR_IO, "cannot read '%s': %s", path,
                             strerror(e));
    }
    if (st.st_size > (off_t)INI_MAX_BYTES) {
        close(fd);
        return oag_error_set(err, OAG_ERR_LIMIT,
                             "'%s' is larger than the limit of %u bytes", path,
                             INI_MAX_BYTES);
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    char *data = xmalloc(cap);
    size_t len = 0;
    int rc = 0;
    for (;;) {
        if (len + 1 == cap) {
            if (cap > INI_MAX_BYTES) {
                rc = oag_error_set(err, OAG_ERR_LIMIT,
                                   "'%s' is larger than the limit of %u "
                                   "bytes",
                                   path, INI_MAX_BYTES);
                break;
            }
            char *bigger = xmalloc(cap * 2);
            memcpy(bigger, data, len);
            secure_zero(data, cap);
            free(data);
            data = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, data + len, cap - len - 1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            rc = oag_error_set(err, OAG_ERR_IO, "cannot read '%s': %s", path,
                               strerror(errno));
            break;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    data[len] = '\0';
    if (rc == 0) {
        rc = cred_ini_parse(ini, data, len, path, err);
    }
    secure_zero(data, cap);
    free(data);
    return rc;
}

const struct cred_ini_section *cred_ini_find(const struct cred_ini *ini,
                                             const char *name)
{
    for (size_t i = 0; i < ini->n_sections; i++) {
        if (strcmp(ini->sections[i].name, name) == 0) {
            return &ini->sections[i];
        }
    }
    return NULL;
}

const char *cred_ini_get_sub(const struct cred_ini_section *s,
                             const char *parent, const char *key)
{
    if (!s) {
        return NULL;
    }
    for (size_t i = 0; i < s->n_pairs; i++) {
        const struct cred_ini_pair *p = &s->pairs[i];
        bool same_parent =
            (!parent && !p->parent) ||
            (parent && p->parent && strcasecmp(parent, p->parent) == 0);
        if (same_parent && strcasecmp(p->key, key) == 0) {
            return p->value;
        }
    }
    return NULL;
}

const char *cred_ini_get(const struct cred_ini_section *s, const char *key)
{
    return cred_ini_get_sub(s, NULL, key);
}

/* ---- profiles ---- */

/*
 * When section is "<kind> NAME" (kind followed by blanks), the trimmed
 * NAME; otherwise NULL.  Borrowed from section.
 */
static const char *kind_name(const char *section, const char *kind)
{
    size_t n = strlen(kind);
    if (strncmp(section, kind, n) != 0 || !is_blank(section[n])) {
        return NULL;
    }
    const char *p = section + n;
    while (is_blank(*p)) {
        p++;
    }
    return p;
}

const struct cred_ini_section *
cred_config_section(const struct cred_config *cfg, const char *name,
                    bool in_credentials)
{
    if (in_credentials) {
        return cred_ini_find(&cfg->credentials, name);
    }
    const struct cred_ini_section *bare = NULL;
    for (size_t i = 0; i < cfg->config.n_sections; i++) {
        const struct cred_ini_section *s = &cfg->config.sections[i];
        const char *pn = kind_name(s->name, "profile");
        if (pn && strcmp(pn, name) == 0) {
            /* "[profile default]" wins over "[default]" (botocore) */
            return s;
        }
        if (strcmp(name, "default") == 0 && strcmp(s->name, "default") == 0) {
            bare = s;
        }
    }
    return bare;
}

bool cred_config_has_profile(const struct cred_config *cfg, const char *name)
{
    return cred_config_section(cfg, name, true) ||
           cred_config_section(cfg, name, false);
}

const char *cred_config_get(const struct cred_config *cfg, const char *name,
                            const char *key)
{
    const char *v = cred_ini_get(cred_config_section(cfg, name, true), key);
    if (!v) {
        v = cred_ini_get(cred_config_section(cfg, name, false), key);
    }
    return v;
}

const struct cred_ini_section *
cred_config_services(const struct cred_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->config.n_sections; i++) {
        const struct cred_ini_section *s = &cfg->config.sections[i];
        const char *sn = kind_name(s->name, "services");
        if (sn && strcmp(sn, name) == 0) {
            return s;
        }
    }
    return NULL;
}

/* path with a leading "~/" replaced by $HOME; owned. */
static char *expand_home(const char *path, const struct cred_env *env)
{
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
        const char *home = cred_env_get(env, "HOME");
        if (home) {
            return xstrfmt("%s%s", home, path + 1);
        }
    }
    return xstrdup(path);
}

void cred_config_release(struct cred_config *cfg)
{
    if (!cfg) {
        return;
    }
    cred_ini_release(&cfg->config);
    cred_ini_release(&cfg->credentials);
    free(cfg->config_path);
    free(cfg->credentials_path);
    free(cfg->profile);
    memset(cfg, 0, sizeof(*cfg));
}

int cred_config_load(struct cred_config *cfg, const char *explicit_profile,
                     const struct cred_env *env, struct oag_error *err)
{
    cred_config_release(cfg);
    const char *cp = cred_env_get(env, "AWS_CONFIG_FILE");
    const char *sp = cred_env_get(env, "AWS_SHARED_CREDENTIALS_FILE");
    cfg->config_path = expand_home(cp ? cp : "~/.aws/config", env);
    cfg->credentials_path = expand_home(sp ? sp : "~/.aws/credentials", env);

    if (cred_ini_load(&cfg->config, cfg->config_path, err) != 0 ||
        cred_ini_load(&cfg->credentials, cfg->credentials_path, err) != 0) {
        cred_config_release(cfg);
        return -1;
    }

    const char *from = NULL;
    const char *name = NULL;
    if (explicit_profile && *explicit_profile) {
        name = explicit_profile;
        from = "--profile";
        cfg->profile_explicit = true;
    } else if ((name = cred_env_get(env, "AWS_PROFILE")) != NULL) {
        from = "AWS_PROFILE";
    } else if ((name = cred_env_get(env, "AWS_DEFAULT_PROFILE")) != NULL) {
        from = "AWS_DEFAULT_PROFILE";
    } else {
        name = "default";
    }
    cfg->profile = xstrdup(name);
    if (from && !cred_config_has_profile(cfg, name)) {
        oag_error_set(err, OAG_ERR_USAGE,
                      "profile '%s' (from %s) not found in '%s' or '%s'", name,
                      from, cfg->config_path, cfg->credentials_path);
        cred_config_release(cfg);
        return -1;
    }
    return 0;
}
