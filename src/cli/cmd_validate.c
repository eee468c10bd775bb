/* oas2apigw validate FILE...: every problem at once, compiler-style. */
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/doc_options.h"
#include "convert/convert.h"
#include "util/error.h"

int cmd_validate(int argc, char **argv)
{
    struct cli_doc_options dopts = { 0 };
    bool quiet = false;
    const struct cli_option opts[] = {
        CLI_DOC_OPTIONS(dopts),
        { 'q', "quiet", NULL, "print errors only, not warnings or notes",
          CLI_OPT_BOOL, &quiet },
    };
    const char *usage = "oas2apigw validate [options] FILE...";
    const char *about =
        "Checks OpenAPI documents for what API Gateway would reject: syntax,\n"
        "version, selection patterns (Java regex), status codes and their\n"
        "method responses, header mappings and their declarations, mapping\n"
        "expressions, content handling, template media types.  Prints every\n"
        "problem as FILE:LINE:COL: error|warning: MESSAGE (at POINTER) and\n"
        "exits 1 if there is any error.";
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    char **args = NULL;
    size_t n = 0;
    bool help = false;
    int code = CLI_EXIT_OK;
    if (cli_parse(argc, argv, opts, sizeof(opts) / sizeof(opts[0]), usage,
                  about, &args, &n, &help, &err) != 0) {
        goto fail;
    }
    if (help) {
        return CLI_EXIT_OK;
    }
    if (n == 0) {
        oag_error_set(&err, OAG_ERR_USAGE,
                      "validate needs at least one FILE "
                      "(see 'oas2apigw validate --help')");
        goto fail;
    }
    struct conv_options copts;
    if (cli_doc_options_apply(&dopts, &copts, &err) != 0) {
        goto fail;
    }
    bool io_failed = false;
    for (size_t i = 0; i < n; i++) {
        struct oag_error_list one = OAG_ERROR_LIST_INIT;
        conv_validate_file(args[i], NULL, &copts, &one);
        for (size_t j = 0; j < one.len; j++) {
            if (one.items[j].error.code == OAG_ERR_IO) {
                io_failed = true;
            }
            if (quiet && one.items[j].severity != OAG_SEV_ERROR) {
                continue;
            }
            oag_error_list_take(&diags, one.items[j].severity,
                                &one.items[j].error);
        }
        oag_error_list_release(&one);
    }
    cli_print_diags(&diags);
    if (diags.n_errors || diags.n_warnings) {
        fprintf(stderr, "%zu error%s, %zu warning%s\n", diags.n_errors,
                diags.n_errors == 1 ? "" : "s", diags.n_warnings,
                diags.n_warnings == 1 ? "" : "s");
    }
    code = io_failed        ? CLI_EXIT_IO
           : diags.n_errors ? CLI_EXIT_INPUT
                            : CLI_EXIT_OK;
    goto out;
fail:
    cli_print_error(&err);
    code = cli_exit_code(&err);
out:
    free(args);
    oag_error_list_release(&diags);
    oag_error_release(&err);
    return code;
}
