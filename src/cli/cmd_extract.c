/* oas2apigw extract FILE: the records of a document, as JSON on stdout. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/doc_options.h"
#include "convert/convert.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"

struct printer {
    size_t count;
    struct buf line;
};

/* Records are printed as they come: "[" before the first, "]" at the end. */
static int print_record(void *ctx, const struct igr_record *rec,
                        struct oag_error *err)
{
    struct printer *p = ctx;
    struct buf *b = &p->line;
    buf_reset(b);
    buf_adds(b, p->count == 0 ? "[\n  " : ",\n  ");
    conv_record_format(b, rec, 2);
    p->count++;
    if (fwrite(b->data, 1, b->len, stdout) != b->len) {
        return oag_error_set(err, OAG_ERR_IO, "cannot write output");
    }
    return 0;
}

int cmd_extract(int argc, char **argv)
{
    struct cli_doc_options dopts = { 0 };
    const struct cli_option opts[] = { CLI_DOC_OPTIONS(dopts) };
    const char *usage = "oas2apigw extract [options] FILE";
    const char *about =
        "Prints the integration responses of an OpenAPI document (Swagger "
        "2.0,\nOpenAPI 3.0 or 3.1; YAML or JSON; '-' reads stdin) as a JSON "
        "array of\nrecords (schemas/records.schema.json), in document order.";
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    char **args = NULL;
    size_t n = 0;
    bool help = false;
    struct printer p = { 0 };
    int code = CLI_EXIT_OK;
    if (cli_parse(argc, argv, opts, sizeof(opts) / sizeof(opts[0]), usage,
                  about, &args, &n, &help, &err) != 0) {
        goto fail;
    }
    if (help) {
        return CLI_EXIT_OK;
    }
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
    if (n != 1) {
        oag_error_set(&err, OAG_ERR_USAGE,
                      "extract takes one FILE (see "
                      "'oas2apigw extract --help')");
        goto fail;
    }
    struct conv_options copts;
    if (cli_doc_options_apply(&dopts, &copts, &err) != 0) {
        goto fail;
    }
    int rc = conv_extract_file(args[0], NULL, &copts, print_record, &p, &diags,
                               &err);
    cli_print_diags(&diags);
    if (rc != 0) {
        goto fail;
    }
    fputs(p.count ? "\n]\n" : "[]\n", stdout);
    if (cli_finish_stdout(&err) != 0) {
        goto fail;
    }
    goto out;
fail:
    /*
     * records already streamed stay a valid JSON array (the exit status
     * says the document had problems)
     */
    if (p.count > 0) {
        fputs("\n]\n", stdout);
        fflush(stdout);
    }
    if (err.code != OAG_ERR_INVALID || diags.n_errors == 0) {
        cli_print_error(&err);
    }
    code = cli_exit_code(&err);
out:
    buf_release(&p.line);
    free(args);
    oag_error_list_release(&diags);
    oag_error_release(&err);
    return code;
}
