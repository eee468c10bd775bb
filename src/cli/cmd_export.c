/*
 * oas2apigw export: the live API as an OpenAPI document (default: the
 * working configuration from GetResources, no stage needed), or GetExport
 * of a stage, or --into SPEC: the live integration responses spliced into
 * an existing document.
 */
#include <stdlib.h>
#include <string.h>

#include "aws/apigw.h"
#include "aws/client.h"
#include "cli/aws_options.h"
#include "cli/cli.h"
#include "cli/doc_options.h"
#include "convert/convert.h"
#include "model/igr.h"
#include "model/plan.h"
#include "sync/sync.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

int cmd_export(int argc, char **argv)
{
    struct cli_doc_options dopts = { 0 };
    struct cli_aws_options aopts = { 0 };
    const char *rest_api_id = NULL;
    const char *rest_api_name = NULL;
    const char *stage = NULL;
    const char *oas = "3";
    const char *format = "yaml";
    const char *output = NULL;
    const char *into = NULL;
    bool no_backup = false;
    const struct cli_option opts[] = {
        CLI_AWS_OPTIONS(aopts),
        CLI_DOC_OPTIONS(dopts),
        { 0, "format", "FORMAT", "yaml (default) or json", CLI_OPT_STRING,
          &format },
        { 0, "into", "SPEC",
          "update the integration responses of SPEC in "
          "place instead",
          CLI_OPT_STRING, &into },
        { 0, "no-backup", NULL, "with --into, keep no SPEC.bak", CLI_OPT_BOOL,
          &no_backup },
        { 0, "oas", "VERSION", "3 (OpenAPI 3.0, default) or 2 (Swagger 2.0)",
          CLI_OPT_STRING, &oas },
        { 'o', "output", "FILE", "write to FILE (default stdout)",
          CLI_OPT_STRING, &output },
        { 0, "rest-api-id", "ID",
          "the REST API (default: "
          "$OAS2APIGW_REST_API_ID)",
          CLI_OPT_STRING, &rest_api_id },
        { 0, "rest-api-name", "NAME", "find the REST API by name",
          CLI_OPT_STRING, &rest_api_name },
        { 0, "stage", "NAME",
          "export a deployed stage with GetExport "
          "instead",
          CLI_OPT_STRING, &stage },
    };
    const char *usage = "oas2apigw export [options]";
    const char *about =
        "Pulls a live REST API back into OpenAPI, with its integration "
        "responses:\nby default the working configuration (no deployment "
        "needed).  What\nthe extension cannot hold (two integration responses "
        "of a method with\none selection pattern, the pattern 'default') is "
        "refused, naming them.";
    struct oag_error err = OAG_ERROR_INIT;
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    struct aws_client *client = NULL;
    struct apigw_resources res = { 0 };
    struct igr_live live = { 0 };
    struct buf out = BUF_INIT;
    struct buf spec = BUF_INIT;
    json_t *api = NULL;
    json_t *doc = NULL;
    char *api_id = NULL;
    char **args = NULL;
    size_t n = 0;
    bool help = false;
    int code = CLI_EXIT_OK;
    if (cli_parse(argc, argv, opts, sizeof(opts) / sizeof(opts[0]), usage,
                  about, &args, &n, &help, &err) != 0) {
        goto fail;
    }
    if (help) {
        goto out;
    }
    bool yaml = strcmp(format, "yaml") == 0;
    if (n != 0 || (!yaml && strcmp(format, "json") != 0) ||
        (strcmp(oas, "3") != 0 && strcmp(oas, "2") != 0) ||
        (into && (stage || output))) {
        oag_error_set(&err, OAG_ERR_USAGE,
                      n      ? "export takes no arguments (see --help)"
                      : into ? "--into goes without --stage and --output"
                             : "--format is yaml or json; --oas is 3 or 2");
        goto fail;
    }
    struct conv_options copts;
    if (cli_doc_options_apply(&dopts, &copts, &err) != 0) {
        goto fail;
    }
    client = cli_aws_client_new(&aopts, &err);
    if (!client) {
        goto fail;
    }
    const char *env_id = getenv("OAS2APIGW_REST_API_ID");
    struct sync_target t = {
        .rest_api_id =
            rest_api_id ? rest_api_id : (env_id && env_id[0] ? env_id : NULL),
        .rest_api_name = rest_api_name,
    };
    if (sync_resolve_api(client, &t, &api_id, NULL, &err) != 0) {
        goto fail;
    }
    if (stage) {
        if (apigw_get_export(client, api_id, stage,
                             strcmp(oas, "3") == 0 ? "oas30" : "swagger",
                             "integrations", yaml, &out, &err) != 0) {
            oag_error_wrap(&err, "exporting stage '%s'", stage);
            goto fail;
        }
    } else {
        if (apigw_get_resources(client, api_id, &res, &err) != 0 ||
            apigw_get_rest_api(client, api_id, &api, &err) != 0) {
            oag_error_wrap(&err, "reading REST API '%s'", api_id);
            goto fail;
        }
        if (into) {
            if (sync_live_from_resources(&res, &live, &err) != 0 ||
                buf_read_file(&spec, into, 0, &err) != 0) {
                goto fail;
            }
            copts.merge_skip_missing = true;
            struct conv_merge_stats stats;
            int rc = conv_merge(buf_str(&spec), spec.len, into, &live.records,
                                &copts, &out, &stats, &diags, &err);
            cli_print_diags(&diags);
            if (rc != 0) {
                goto fail;
            }
            if (out.len == spec.len &&
                memcmp(out.data, spec.data, spec.len) == 0) {
                fprintf(stderr, "oas2apigw: %s is up to date\n", into);
                goto out;
            }
            if (!no_backup) {
                char *bak = xstrfmt("%s.bak", into);
                int brc = buf_write_file(&spec, bak, &err);
                free(bak);
                if (brc != 0) {
                    goto fail;
                }
            }
            if (buf_write_file(&out, into, &err) != 0) {
                goto fail;
            }
            fprintf(stderr,
                    "oas2apigw: %s: %zu operation(s) updated, %zu "
                    "entries written, %zu removed\n",
                    into, stats.operations_changed, stats.entries_written,
                    stats.entries_removed);
            goto out;
        }
        if (sync_export_document(
                &res, api, strcmp(oas, "3") == 0 ? SYNC_OAS_3 : SYNC_OAS_2,
                &doc, &err) != 0) {
            goto fail;
        }
        sync_document_format(doc, yaml, &out);
    }
    if (buf_write_file(&out, output ? output : "-", &err) != 0 ||
        cli_finish_stdout(&err) != 0) {
        goto fail;
    }
    goto out;
fail:
    cli_print_error(&err);
    code = cli_exit_code(&err);
out:
    free(args);
    free(api_id);
    json_decref(api);
    json_decref(doc);
    apigw_resources_release(&res);
    igr_live_release(&live);
    buf_release(&out);
    buf_release(&spec);
    aws_client_free(client);
    oag_error_list_release(&diags);
    oag_error_release(&err);
    return code;
}
