/* oas2apigw merge RECORDS FILE: write records into a document, in place. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/doc_file.h"
#include "cli/doc_options.h"
#include "convert/convert.h"
#include "doc/splice.h"
#include "model/igr.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

/* The merged document, written from the original and the edits. */
struct result {
    const struct doc_splice *edits;
    const struct cli_doc_file *doc;
};

static int write_result(void *ctx, FILE *f)
{
    const struct result *r = ctx;
    return doc_splice_write(r->edits, r->doc->data, r->doc->len, f);
}

/* The original as it is (the backup of --in-place). */
static int write_original(void *ctx, FILE *f)
{
    const struct cli_doc_file *doc = ctx;
    return fwrite(doc->data, 1, doc->len, f) == doc->len ? 0 : -1;
}

int cmd_merge(int argc, char **argv)
{
    struct cli_doc_options dopts = { 0 };
    const char *output = NULL;
    bool in_place = false;
    bool no_backup = false;
    const char *suffix = ".bak";
    const struct cli_option opts[] = {
        { 0, "backup-suffix", "SUFFIX",
          "with --in-place, keep the original as FILE+SUFFIX (default .bak)",
          CLI_OPT_STRING, &suffix },
        CLI_DOC_OPTIONS(dopts),
        { 'i', "in-place", NULL, "rewrite FILE (atomically)", CLI_OPT_BOOL,
          &in_place },
        { 0, "no-backup", NULL, "with --in-place, keep no copy of the original",
          CLI_OPT_BOOL, &no_backup },
        { 'o', "output", "OUT",
          "write the result to OUT ('-' = stdout, the "
          "default)",
          CLI_OPT_STRING, &output },
    };
    const char *usage = "oas2apigw merge [options] RECORDS FILE";
    const char *about =
        "Writes the records in RECORDS (JSON, as 'extract' prints them; '-'\n"
        "reads stdin) into the x-amazon-apigateway-integration.responses\n"
        "blocks of FILE, replacing, adding and removing entries so that\n"
        "'extract' of the result equals RECORDS.  Every byte outside the\n"
        "blocks that change stays as it was (comments, order, quoting).";
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    struct igr_list records = { 0 };
    struct cli_doc_file doc = CLI_DOC_FILE_INIT;
    struct doc_splice edits = { 0 };
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
    if (n != 2) {
        oag_error_set(&err, OAG_ERR_USAGE,
                      "merge takes RECORDS and FILE "
                      "(see 'oas2apigw merge --help')");
        goto fail;
    }
    if (in_place && output) {
        oag_error_set(&err, OAG_ERR_USAGE,
                      "--in-place and --output exclude "
                      "each other");
        goto fail;
    }
    if (in_place && strcmp(args[1], "-") == 0) {
        oag_error_set(&err, OAG_ERR_USAGE,
                      "--in-place needs a FILE, not "
                      "stdin");
        goto fail;
    }
    if (strcmp(args[0], "-") == 0 && strcmp(args[1], "-") == 0) {
        oag_error_set(&err, OAG_ERR_USAGE,
                      "RECORDS and FILE cannot both be "
                      "stdin");
        goto fail;
    }
    struct conv_options copts;
    if (cli_doc_options_apply(&dopts, &copts, &err) != 0) {
        goto fail;
    }
    /* the records file is mapped (or read) only while it is read */
    struct cli_doc_file rfile = CLI_DOC_FILE_INIT;
    if (cli_doc_file_open(&rfile, args[0], &err) != 0) {
        goto fail;
    }
    int lrc = conv_records_load_memory(rfile.data, rfile.len, rfile.name,
                                       &records, &diags, &err);
    cli_doc_file_close(&rfile);
    if (lrc != 0) {
        cli_print_diags(&diags);
        goto fail;
    }
    if (cli_doc_file_open(&doc, args[1], &err) != 0) {
        goto fail;
    }
    struct conv_merge_stats stats;
    struct result result = { &edits, &doc };
    /* the result goes straight to the file: never a second copy in memory */
    int rc = conv_merge_edits(doc.data, doc.len, doc.name, &records, &copts,
                              &edits, &stats, &diags, &err);
    cli_print_diags(&diags);
    if (rc != 0) {
        goto fail;
    }
    if (in_place) {
        if (!doc_splice_changes(&edits, doc.data)) {
            goto out;
        }
        if (!no_backup) {
            char *bak = xstrfmt("%s%s", args[1], suffix);
            int brc = buf_write_file_with(bak, write_original, &doc, &err);
            free(bak);
            if (brc != 0) {
                goto fail;
            }
        }
        if (buf_write_file_with(args[1], write_result, &result, &err) != 0) {
            goto fail;
        }
    } else if (buf_write_file_with(output ? output : "-", write_result, &result,
                                   &err) != 0) {
        goto fail;
    }
    if (cli_finish_stdout(&err) != 0) {
        goto fail;
    }
    goto out;
fail:
    cli_print_error(&err);
    code = cli_exit_code(&err);
out:
    free(args);
    igr_list_release(&records);
    cli_doc_file_close(&doc);
    doc_splice_release(&edits);
    oag_error_list_release(&diags);
    oag_error_release(&err);
    return code;
}
