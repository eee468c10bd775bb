/*
 * Selection patterns are java.util.regex.Pattern syntax (API Gateway,
 * "x-amazon-apigateway-integration.responses").  PCRE2 compiles them: it is
 * the closest engine available in C (possessive quantifiers, atomic groups,
 * lookbehind, \Q..\E, named groups, \p{..}), which POSIX regcomp is not.
 *
 * Where the two dialects disagree a pre-scan decides as Java would:
 *   - Java rejects what PCRE2 accepts: a '{' that does not open a valid
 *     counted repetition ("5\d{2" -> "Unclosed counted closure"),
 *     PCRE-only groups ((?|, (?R), (?1), (?P<, (?(, (*VERB), (?#, (?C),
 *     inline flags other than idmsuxU, and \K \g \C \o \N (without {);
 *   - Java accepts what PCRE2 rejects: \p{Lower}, \p{javaLowerCase},
 *     \p{IsLatin}, \p{InGreek}... (rewritten to a class PCRE2 knows after
 *     the name is checked), and variable-length lookbehind (PCRE2's "not
 *     fixed length" is not reported as an error).
 */
#include "model/igr.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool name_in(const char *name, size_t n, const char *const *list)
{
    for (size_t i = 0; list[i]; i++) {
        if (strlen(list[i]) == n && memcmp(list[i], name, n) == 0) {
            return true;
        }
    }
    return false;
}

/* Property names java.util.regex.Pattern knows (Java 8+). */
static bool java_property_known(const char *name, size_t n)
{
    static const char *const posix[] = {
        "Lower", "Upper", "ASCII", "Alpha", "Digit",  "Alnum", "Punct",
        "Graph", "Print", "Blank", "Cntrl", "XDigit", "Space", NULL,
    };
    static const char *const java[] = {
        "javaLowerCase",
        "javaUpperCase",
        "javaWhitespace",
        "javaMirrored",
        "javaLetter",
        "javaDigit",
        "javaLetterOrDigit",
        "javaAlphabetic",
        "javaIdeographic",
        "javaTitleCase",
        "javaDefined",
        "javaIdentifierIgnorable",
        "javaISOControl",
        "javaJavaIdentifierPart",
        "javaJavaIdentifierStart",
        "javaSpaceChar",
        "javaUnicodeIdentifierPart",
        "javaUnicodeIdentifierStart",
        NULL,
    };
    static const char *const categories[] = {
        "L",  "Lu", "Ll", "Lt", "Lm", "Lo", "LC", "LD", "M",  "Mn",
        "Mc", "Me", "N",  "Nd", "Nl", "No", "P",  "Pc", "Pd", "Ps",
        "Pe", "Pi", "Pf", "Po", "S",  "Sm", "Sc", "Sk", "So", "Z",
        "Zs", "Zl", "Zp", "C",  "Cc", "Cf", "Cs", "Co", "Cn", NULL,
    };
    if (name_in(name, n, posix) || name_in(name, n, java) ||
        name_in(name, n, categories)) {
        return true;
    }
    /* IsXxx (script, category, binary property), InXxx (block), key=value */
    if (n > 2 && (memcmp(name, "Is", 2) == 0 || memcmp(name, "In", 2) == 0)) {
        for (size_t i = 2; i < n; i++) {
            if (!is_alnum(name[i]) && name[i] != '_' && name[i] != ' ' &&
                name[i] != '-') {
                return false;
            }
        }
        return true;
    }
    const char *eq = memchr(name, '=', n);
    if (eq) {
        size_t kn = (size_t)(eq - name);
        static const char *const keys[] = {
            "script", "sc", "block", "blk", "general_category", "gc", NULL,
        };
        return name_in(name, kn, keys) && kn + 1 < n;
    }
    return false;
}

static int java_error(struct oag_error *err, const char *pattern,
                      const char *why, size_t at)
{
    return oag_error_set(err, OAG_ERR_INVALID,
                         "selection pattern '%s' is not a valid regular "
                         "expression: %s (at offset %zu; API Gateway uses "
                         "Java regex syntax)",
                         pattern, why, at);
}

/*
 * Scans pattern as Java would, writing the PCRE2 form into out.  Returns 0
 * or -1 with err set for syntax Java rejects.
 */
static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Java's inline flags are idmsuxU; PCRE2 knows i, m, s, x (its U means
 * "ungreedy").  d (UNIX_LINES), u (UNICODE_CASE) and U
 * (UNICODE_CHARACTER_CLASS) change no syntax, so they are dropped from the
 * PCRE2 form.  flags[0..n) is what follows "(?", term is ')' or ':'.
 */
static void add_pcre_flags(struct buf *out, const char *flags, size_t n,
                           char term)
{
    struct buf on = BUF_INIT;
    struct buf off = BUF_INIT;
    bool negative = false;
    for (size_t i = 0; i < n; i++) {
        if (flags[i] == '-') {
            negative = true;
        } else if (strchr("imsx", flags[i])) {
            buf_addch(negative ? &off : &on, flags[i]);
        }
    }
    if (on.len || off.len) {
        buf_adds(out, "(?");
        buf_adds(out, buf_str(&on));
        if (off.len) {
            buf_addch(out, '-');
            buf_adds(out, buf_str(&off));
        }
        buf_addch(out, term);
    } else if (term == ':') {
        buf_adds(out, "(?:");
    }
    buf_release(&on);
    buf_release(&off);
}

static int java_prescan(const char *p, struct buf *out, struct oag_error *err)
{
    size_t n = strlen(p);
    int class_depth = 0;
    /*
     * Java needs an obvious maximum length for a lookbehind (bounded
     * repetition is fine, *, + and {n,} are not); PCRE2 10.42 wants fixed
     * lengths, so its own error is not the answer.  paren counts open
     * groups, lookbehind is the level of the innermost open lookbehind.
     */
    int paren = 0;
    int lookbehind = -1;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\\') {
            if (i + 1 >= n) {
                return java_error(err, p, "trailing backslash", i);
            }
            char e = p[i + 1];
            if (e == 'Q') {
                /* literal up to \E or the end */
                const char *end = strstr(p + i + 2, "\\E");
                size_t stop = end ? (size_t)(end - p) + 2 : n;
                buf_add(out, p + i, stop - i);
                i = stop - 1;
                continue;
            }
            if (e == 'p' || e == 'P') {
                const char *name = p + i + 2;
                size_t nl = 0;
                size_t consumed = 2;
                if (i + 2 < n && p[i + 2] == '{') {
                    const char *close = strchr(p + i + 3, '}');
                    if (!close) {
                        return java_error(err, p, "unclosed character family",
                                          i);
                    }
                    name = p + i + 3;
                    nl = (size_t)(close - name);
                    consumed = 3 + nl + 1;
                } else if (i + 2 < n) {
                    nl = 1;
                    consumed = 3;
                }
                if (nl == 0 || !java_property_known(name, nl)) {
                    return java_error(err, p, "unknown character property", i);
                }
                buf_adds(out, e == 'p' ? "\\w" : "\\W");
                i += consumed - 1;
                continue;
            }
            if (e == 'u') {
                for (size_t k = 2; k < 6; k++) {
                    if (i + k >= n || !is_hex(p[i + k])) {
                        return java_error(err, p,
                                          "illegal Unicode escape "
                                          "sequence",
                                          i);
                    }
                }
            }
            if (e == 'x') {
                bool ok = i + 3 < n && is_hex(p[i + 2]) && is_hex(p[i + 3]);
                if (i + 2 < n && p[i + 2] == '{') {
                    size_t k = i + 3;
                    while (k < n && is_hex(p[k])) {
                        k++;
                    }
                    ok = k > i + 3 && k < n && p[k] == '}';
                }
                if (!ok) {
                    return java_error(err, p,
                                      "illegal hexadecimal escape "
                                      "sequence",
                                      i);
                }
            }
            if (strchr("KgCoUlL", e)) {
                return java_error(err, p,
                                  "escape sequence not supported by "
                                  "Java",
                                  i);
            }
            if (e == 'N' && (i + 2 >= n || p[i + 2] != '{')) {
                return java_error(err, p,
                                  "escape sequence not supported by "
                                  "Java",
                                  i);
            }
            if (e == '0' && (i + 2 >= n || p[i + 2] < '0' || p[i + 2] > '7')) {
                return java_error(err, p, "illegal octal escape sequence", i);
            }
            buf_add(out, p + i, 2);
            i++;
            continue;
        }
        if (c == '[') {
            class_depth++;
            buf_addch(out, c);
            /* a ']' right after '[' or '[^' is literal in both dialects */
            if (i + 1 < n && p[i + 1] == '^') {
                buf_addch(out, '^');
                i++;
            }
            continue;
        }
        if (c == ']' && class_depth > 0) {
            class_depth--;
            buf_addch(out, c);
            continue;
        }
        if (class_depth > 0) {
            buf_addch(out, c);
            continue;
        }
        if (c == '{') {
            size_t j = i + 1;
            if (j >= n || !is_digit(p[j])) {
                return java_error(err, p, "illegal repetition", i);
            }
            unsigned long lo = strtoul(p + j, NULL, 10);
            while (j < n && is_digit(p[j])) {
                j++;
            }
            unsigned long hi = lo;
            bool open = false;
            if (j < n && p[j] == ',') {
                j++;
                if (j < n && is_digit(p[j])) {
                    hi = strtoul(p + j, NULL, 10);
                    while (j < n && is_digit(p[j])) {
                        j++;
                    }
                } else {
                    open = true;
                }
            }
            if (j >= n || p[j] != '}') {
                return java_error(err, p, "unclosed counted closure", i);
            }
            if (!open && hi < lo) {
                return java_error(err, p, "illegal repetition range", i);
            }
            if (open && lookbehind >= 0) {
                return java_error(err, p,
                                  "look-behind group does not have "
                                  "an obvious maximum length",
                                  i);
            }
            buf_add(out, p + i, j - i + 1);
            i = j;
            continue;
        }
        if (c == '(' && i + 1 < n && p[i + 1] == '*') {
            return java_error(err, p,
                              "backtracking verbs are not supported "
                              "by Java",
                              i);
        }
        if ((c == '*' || c == '+') && lookbehind >= 0) {
            return java_error(err, p,
                              "look-behind group does not have an "
                              "obvious maximum length",
                              i);
        }
        if (c == ')' && paren > 0) {
            if (paren == lookbehind) {
                lookbehind = -1;
            }
            paren--;
        }
        if (c == '(') {
            paren++;
        }
        if (c == '(' && i + 1 < n && p[i + 1] == '?') {
            char g = i + 2 < n ? p[i + 2] : '\0';
            bool ok = g == ':' || g == '=' || g == '!' || g == '>';
            if (g == '<') {
                char g2 = i + 3 < n ? p[i + 3] : '\0';
                ok = g2 == '=' || g2 == '!' || (g2 >= 'a' && g2 <= 'z') ||
                     (g2 >= 'A' && g2 <= 'Z');
                if ((g2 == '=' || g2 == '!') && lookbehind < 0) {
                    lookbehind = paren;
                } else if (ok) {
                    /* Java group names: a letter, then letters and digits */
                    size_t j = i + 3;
                    while (j < n && is_alnum(p[j])) {
                        j++;
                    }
                    if (j >= n || p[j] != '>') {
                        return java_error(err, p,
                                          "named capturing group "
                                          "name must be letters and "
                                          "digits",
                                          i);
                    }
                }
            } else if (!ok) {
                /* inline flags (?idmsuxU-idmsuxU) or (?flags:...) */
                size_t j = i + 2;
                while (j < n && (strchr("idmsuxU", p[j]) || p[j] == '-') &&
                       p[j] != '\0') {
                    j++;
                }
                ok = j > i + 2 && j < n && (p[j] == ')' || p[j] == ':');
                if (ok) {
                    add_pcre_flags(out, p + i + 2, j - i - 2, p[j]);
                    if (p[j] == ')') {
                        paren--;
                    }
                    i = j;
                    continue;
                }
            }
            if (!ok) {
                return java_error(err, p,
                                  "unknown group type or inline "
                                  "modifier",
                                  i);
            }
        }
        buf_addch(out, c);
    }
    return 0;
}

int igr_check_selection_pattern(const char *pattern, struct oag_error *err)
{
    struct buf pcre = BUF_INIT;
    if (java_prescan(pattern, &pcre, err) != 0) {
        buf_release(&pcre);
        return -1;
    }
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre2_compile_context *ctx = pcre2_compile_context_create(NULL);
    pcre2_set_compile_extra_options(ctx, PCRE2_EXTRA_ALT_BSUX);
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)buf_str(&pcre), pcre.len,
                      PCRE2_UTF | PCRE2_ALT_BSUX, &code, &offset, ctx);
    pcre2_compile_context_free(ctx);
    buf_release(&pcre);
    if (re) {
        pcre2_code_free(re);
        return 0;
    }
    /* Java allows bounded variable-length lookbehind; PCRE2 10.42 not */
    if (code == PCRE2_ERROR_LOOKBEHIND_NOT_FIXED_LENGTH) {
        return 0;
    }
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof(msg));
    return java_error(err, pattern, (const char *)msg, (size_t)offset);
}

bool igr_pattern_dot_misses_newlines(const char *p)
{
    if (strstr(p, "(?s") || strstr(p, "\\n")) {
        return false;
    }
    int class_depth = 0;
    for (size_t i = 0; p[i]; i++) {
        if (p[i] == '\\' && p[i + 1]) {
            i++;
        } else if (p[i] == '[') {
            class_depth++;
        } else if (p[i] == ']' && class_depth) {
            class_depth--;
        } else if (p[i] == '.' && class_depth == 0) {
            return true;
        }
    }
    return false;
}
