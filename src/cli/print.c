/* Printing of errors and diagnostics; exit statuses. */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

void cli_print_error(const struct oag_error *err)
{
    char *s = oag_error_format(err, OAG_SEV_ERROR);
    if (err->file) {
        fprintf(stderr, "%s\n", s);
    } else {
        fprintf(stderr, "oas2apigw: %s\n", s);
    }
    free(s);
}

void cli_print_diags(struct oag_error_list *diags)
{
    oag_error_list_sort(diags);
    for (size_t i = 0; i < diags->len; i++) {
        char *s =
            oag_error_format(&diags->items[i].error, diags->items[i].severity);
        fprintf(stderr, "%s\n", s);
        free(s);
    }
}

int cli_exit_code(const struct oag_error *err)
{
    switch (err->code) {
    case OAG_ERR_NONE:
        return CLI_EXIT_OK;
    case OAG_ERR_USAGE:
        return CLI_EXIT_USAGE;
    case OAG_ERR_IO:
        return CLI_EXIT_IO;
    case OAG_ERR_AUTH:
    case OAG_ERR_NETWORK:
    case OAG_ERR_AWS:
        return CLI_EXIT_AWS;
    case OAG_ERR_PARTIAL:
        return CLI_EXIT_PARTIAL;
    case OAG_ERR_SYNTAX:
    case OAG_ERR_INVALID:
    case OAG_ERR_UNSUPPORTED:
    case OAG_ERR_LIMIT:
    case OAG_ERR_INTERNAL:
        return CLI_EXIT_INPUT;
    }
    return CLI_EXIT_INPUT;
}

int cli_finish_stdout(struct oag_error *err)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        return oag_error_set(err, OAG_ERR_IO, "cannot write output: %s",
                             strerror(errno));
    }
    return 0;
}
