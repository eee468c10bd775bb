/*
 * model/pattern.c: selection patterns are java.util.regex.Pattern syntax.
 * The tables hold what Java 8+ accepts and rejects (checked against the
 * Pattern documentation and its parser); PCRE2 compiles what it can and a
 * pre-scan decides where the dialects differ.
 */
#define _DEFAULT_SOURCE 1
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>

#include "model/igr.h"
#include "util/error.h"

static bool is(bool x)
{
    return x;
}

static const char *const java_accepts[] = {
    "5\\d{2}",
    ".*Error.*",
    "(\\n|.)*",
    "(?s).*",
    "a*+",
    "(?>a)",
    "\\p{Lower}",
    "\\p{javaLowerCase}",
    "\\p{IsLatin}",
    "\\p{InGreek}",
    "(?<name>x)\\k<name>",
    "\\Q{\\E",
    "x{2,}",
    "(?<=ab)c",
    "(?i)abc",
    /* more of the same families */
    "2\\d{2}",
    "4\\d\\d",
    "[45]\\d{2}",
    "^$",
    ".*",
    "a{0}",
    "a{1,3}?",
    "a{2}+",
    "\\x41",
    "\\x{41}",
    "\\u0041",
    "\\0101",
    "\\t\\n\\r\\f\\a\\e",
    "\\cA",
    "\\h",
    "\\R",
    "\\G\\A\\z\\Z\\b\\B",
    "(?<!a)b",
    "(?=a)",
    "(?!a)",
    "(?:a|b)",
    "(?i:a)",
    "(?-i)a",
    "(?im-sx:a)",
    "(?U)\\w",
    "(?d).",
    "(?u)a",
    "(?d:a)",
    "(?-d)a",
    "(?iu-d)a",
    "((?d)a)",
    "\\w+@\\w+",
    "[\\]]",
    "[^\\]]",
    "[a-z&&[^x]]",
    "\\p{L}",
    "\\pL",
    "\\P{Digit}",
    "\\p{Lu}",
    "\\p{IsAlphabetic}",
    "\\p{sc=Latin}",
    "[\\p{Alpha}\\d]",
    "(?<a1>x)",
    "\\Qabc",
    "\\Q(\\E(a)",
    "}",
    "a}",
    "(?<=a|bc)d",
    "(?<=a{1,3})b",
    "Invalid.*",
    "(?s)Error: .*",
    ".*\"errorType\":\"NotFound\".*",
    "-",
    "[-]",
    "a\\-b",
    "\\.",
    "\\$",
    "\\{",
    "\\}",
    "\\\\",
};

static const char *const java_rejects[] = {
    "5\\d{2",
    "{",
    "a{x}",
    "x{3,2}",
    "(?|a)",
    "(?R)",
    "(?P<n>x)",
    "(*FAIL)",
    "(?#c)",
    "\\K",
    "\\p{Foo}",
    "(",
    "[a",
    "*a",
    "\\",
    /* more of the same families */
    ")",
    "a)",
    "[z-a]",
    "x{,3}",
    "a{1,2",
    "(?1)",
    "(?&n)",
    "(?(1)a|b)",
    "\\g1",
    "(?C)",
    "+a",
    "?a",
    "\\p{}",
    "\\pX",
    "\\y",
    "\\i",
    "(?<n>x)(?<n>y)",
    "\\k<nope>",
    "(*UTF)a",
    "(?<=a+)b",
    "(?<=x*)y",
    "(?<=a{2,})b",
    "\\u12",
    "\\U",
    "\\x4",
    "(?<a_b>x)",
    "(?z)a",
    "a{99999999999}",
};

Test(pattern, java_accepts_these_and_so_do_we)
{
    for (size_t i = 0; i < sizeof(java_accepts) / sizeof(java_accepts[0]);
         i++) {
        struct oag_error err = OAG_ERROR_INIT;
        cr_expect(
            eq(int, igr_check_selection_pattern(java_accepts[i], &err), 0),
            "'%s' rejected: %s", java_accepts[i],
            err.message ? err.message : "");
        oag_error_release(&err);
    }
}

Test(pattern, java_rejects_these_and_so_do_we)
{
    for (size_t i = 0; i < sizeof(java_rejects) / sizeof(java_rejects[0]);
         i++) {
        struct oag_error err = OAG_ERROR_INIT;
        cr_expect(
            eq(int, igr_check_selection_pattern(java_rejects[i], &err), -1),
            "'%s' accepted", java_rejects[i]);
        if (err.message) {
            cr_expect(eq(int, (int)err.code, OAG_ERR_INVALID));
            cr_expect(is(strstr(err.message, java_rejects[i]) != NULL),
                      "message does not name the pattern: %s", err.message);
            cr_expect(is(strstr(err.message, "Java") != NULL));
        }
        oag_error_release(&err);
    }
}

Test(pattern, message_names_the_pattern_the_problem_and_the_offset)
{
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(eq(int, igr_check_selection_pattern("5\\d{2", &err), -1));
    cr_expect(eq(str, err.message,
                 "selection pattern '5\\d{2' is not a valid regular "
                 "expression: unclosed counted closure (at offset 3; API "
                 "Gateway uses Java regex syntax)"));
    cr_expect(is(err.file == NULL && err.line == 0));
    oag_error_release(&err);
}

Test(pattern, dot_outside_classes_misses_newlines_unless_dotall)
{
    static const struct {
        const char *p;
        bool misses;
    } cases[] = {
        { ".*Error.*", true }, { "a.b", true },     { "(?s).*", false },
        { "(\\n|.)*", false }, { "[.]", false },    { "\\.", false },
        { "4\\d{2}", false },  { "[a.]x", false },  { "\\\\.", true },
        { "(?s:.*)", false },  { "[\\].]", false }, { "", false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_expect(eq(int, igr_pattern_dot_misses_newlines(cases[i].p),
                     cases[i].misses),
                  "'%s'", cases[i].p);
    }
}
