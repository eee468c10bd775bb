#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdlib.h>

#include "util/error.h"

Test(error, set_returns_minus_one_and_formats_compiler_style)
{
    struct oag_error err = OAG_ERROR_INIT;
    cr_assert(
        eq(int, oag_error_set(&err, OAG_ERR_INVALID, "bad '%s'", "x"), -1));
    oag_error_set_where(&err, "api.yaml", 42, 11, "/paths/~1pets");
    char *s = oag_error_format(&err, OAG_SEV_ERROR);
    cr_assert(eq(str, s, "api.yaml:42:11: error: bad 'x' (at /paths/~1pets)"));
    free(s);
    oag_error_release(&err);
}

Test(error, wrap_prepends_context_and_keeps_root_cause)
{
    struct oag_error err = OAG_ERROR_INIT;
    oag_error_set(&err, OAG_ERR_IO, "cannot open 'x'");
    oag_error_wrap(&err, "importing '%s'", "GET /pets");
    cr_assert(eq(str, err.message, "importing 'GET /pets': cannot open 'x'"));
    cr_assert(eq(int, err.code, OAG_ERR_IO));
    oag_error_release(&err);
}

Test(error, list_counts_and_sorts_by_position)
{
    struct oag_error_list l = OAG_ERROR_LIST_INIT;
    oag_error_list_add(&l, OAG_SEV_WARNING, OAG_ERR_INVALID, "a", 9, 1, NULL,
                       "w");
    oag_error_list_add(&l, OAG_SEV_ERROR, OAG_ERR_INVALID, "a", 2, 5, NULL,
                       "e");
    oag_error_list_sort(&l);
    cr_assert(eq(sz, l.n_errors, 1));
    cr_assert(eq(sz, l.n_warnings, 1));
    cr_assert(eq(str, l.items[0].error.message, "e"));
    oag_error_list_release(&l);
}

Test(error, release_accepts_null_and_zeroed)
{
    struct oag_error err = OAG_ERROR_INIT;
    oag_error_release(&err);
    oag_error_release(NULL);
    struct oag_error_list l = OAG_ERROR_LIST_INIT;
    oag_error_list_release(&l);
}
