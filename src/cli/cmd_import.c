/*
 * oas2apigw import SPEC / oas2apigw plan SPEC: make a REST API's
 * integration responses match a document, per item (default) or with one
 * PutRestApi (merge / overwrite).  The decisions live in the library
 * (model/plan.h, sync/sync.h); this file wires options to them and prints.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aws/apigw.h"
#include "aws/client.h"
#include "cli/aws_options.h"
#include "cli/cli.h"
#include "cli/doc_options.h"
#include "cli/plan_print.h"
#include "convert/convert.h"
#include "model/plan.h"
#include "sync/sync.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xalloc.h"

#define PUT_REST_API_MAX_BYTES ((size_t)6 * 1000 * 1000)

struct import_opts {
    struct cli_doc_options doc;
    struct cli_aws_options aws;
    const char *rest_api_id;
    const char *rest_api_name;
    const char *mode;
    const char *output;
    const char *deploy;
    const char *backup;
    bool create;
    bool prune;
    bool dry_run;
    bool fail_on_warnings;
    bool progress;
};

struct run {
    struct import_opts o;
    const char *spec;
    bool dry_run;
    bool json;
    struct buf doc;
    struct conv_options copts;
    struct conv_summary summary;
    struct aws_client *client;
    char *api_id;
    struct apigw_resources resources;
    struct igr_live live;
    struct igr_list desired;
    struct igr_plan plan;
    struct cli_method_change *mc;
    size_t n_mc;
    bool progress;
};

static void progress_cb(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    double eta_s = (double)(total - done) / 10.0; /* paced at 10 calls/s */
    fprintf(stderr, "\r[%zu/%zu] %3zu%%  ETA %.0fs ", done, total,
            total ? done * 100 / total : 100, eta_s);
    if (done == total) {
        fputc('\n', stderr);
    }
}

static bool has_method(const struct igr_live *live, const char *path,
                       const char *method)
{
    for (size_t i = 0; i < live->n_methods; i++) {
        if (strcmp(live->methods[i].path, path) == 0 &&
            strcmp(live->methods[i].http_method, method) == 0) {
            return true;
        }
    }
    return false;
}

static bool doc_has_op(const struct conv_summary *s, const char *path,
                       const char *method)
{
    for (size_t i = 0; i < s->n_ops; i++) {
        if (strcmp(s->ops[i].path, path) == 0 &&
            strcmp(s->ops[i].http_method, method) == 0) {
            return true;
        }
    }
    return false;
}

static void add_mc(struct run *r, char action, const char *path,
                   const char *method)
{
    r->mc = xreallocarray(r->mc, r->n_mc + 1, sizeof(*r->mc));
    r->mc[r->n_mc].action = action;
    r->mc[r->n_mc].path = path;
    r->mc[r->n_mc].method = method;
    r->n_mc++;
}

static int read_live(struct run *r, struct oag_error *err)
{
    if (apigw_get_resources(r->client, r->api_id, &r->resources, err) != 0) {
        return oag_error_wrap(err, "reading REST API '%s'", r->api_id);
    }
    return sync_live_from_resources(&r->resources, &r->live, err);
}

/* The plan of a PutRestApi: method-level creates/deletes + record diff. */
static int plan_put_rest_api(struct run *r, bool overwrite,
                             struct oag_error *err)
{
    struct igr_live aug = { 0 };
    igr_list_release(&aug.records);
    for (size_t i = 0; i < r->live.records.len; i++) {
        igr_record_copy(igr_list_add(&aug.records), &r->live.records.items[i]);
    }
    for (size_t i = 0; i < r->live.n_methods; i++) {
        const struct igr_live_method *m = &r->live.methods[i];
        struct igr_live_method *c = igr_live_add_method(&aug);
        c->path = xstrdup(m->path);
        c->http_method = xstrdup(m->http_method);
        c->resource_id = xstrdup(m->resource_id ? m->resource_id : "");
        c->has_integration = true;
        if (overwrite && !doc_has_op(&r->summary, m->path, m->http_method)) {
            add_mc(r, '-', m->path, m->http_method);
        }
    }
    for (size_t i = 0; i < r->summary.n_ops; i++) {
        const struct conv_operation_ref *op = &r->summary.ops[i];
        if (!has_method(&r->live, op->path, op->http_method)) {
            add_mc(r, '+', op->path, op->http_method);
            struct igr_live_method *c = igr_live_add_method(&aug);
            c->path = xstrdup(op->path);
            c->http_method = xstrdup(op->http_method);
            c->resource_id = xstrdup("");
            c->has_integration = true;
        }
    }
    /* merge replaces a method as a whole: records of documented methods
     * that the document lacks go; overwrite also drops other methods */
    struct igr_list desired = { 0 };
    for (size_t i = 0; i < r->desired.len; i++) {
        igr_record_copy(igr_list_add(&desired), &r->desired.items[i]);
    }
    struct igr_list keep = { 0 };
    for (size_t i = 0; i < aug.records.len; i++) {
        const struct igr_record *lr = &aug.records.items[i];
        if (!overwrite && !doc_has_op(&r->summary, lr->path, lr->http_method)) {
            igr_record_copy(igr_list_add(&keep), lr);
        }
    }
    for (size_t i = 0; i < keep.len; i++) {
        igr_record_copy(igr_list_add(&desired), &keep.items[i]);
    }
    struct oag_error_list problems = OAG_ERROR_LIST_INIT;
    int rc = igr_plan_build(&desired, &aug, true, &r->plan, &problems);
    if (rc != 0) {
        oag_error_set(err, OAG_ERR_INTERNAL, "cannot plan the import");
    }
    oag_error_list_release(&problems);
    igr_list_release(&keep);
    igr_list_release(&desired);
    igr_live_release(&aug);
    return rc;
}

static bool plan_has_changes(const struct run *r)
{
    return r->plan.len > 0 || r->n_mc > 0;
}

static void print_plan(struct run *r, bool summary)
{
    bool items = strcmp(r->o.mode, "items") == 0;
    if (r->json) {
        json_t *j = cli_plan_to_json(&r->plan, r->api_id, r->o.mode, r->mc,
                                     r->n_mc, items);
        char *s = json_dumps(j, JSON_INDENT(2));
        printf("%s\n", s);
        free(s);
        json_decref(j);
        return;
    }
    cli_plan_print_text(stdout, &r->plan, r->mc, r->n_mc, items, summary);
}

static void print_partial(const struct run *r, const struct sync_report *rep)
{
    fprintf(stderr, "applied (%zu):\n", rep->applied);
    for (size_t i = 0; i < rep->applied; i++) {
        char *line = cli_plan_item_line(&r->plan.items[i]);
        fprintf(stderr, "  %s\n", line);
        free(line);
    }
    if (rep->failed) {
        char *line = cli_plan_item_line(&r->plan.items[rep->applied]);
        char *why = oag_error_format(&rep->failure, OAG_SEV_ERROR);
        fprintf(stderr, "failed:\n  %s\n    %s\n", line, why);
        free(why);
        free(line);
    }
    fprintf(stderr, "not attempted (%zu):\n", rep->not_attempted);
    for (size_t i = rep->applied + 1; i < r->plan.len; i++) {
        char *line = cli_plan_item_line(&r->plan.items[i]);
        fprintf(stderr, "  %s\n", line);
        free(line);
    }
    fprintf(stderr, "run the same command again to finish: it re-reads the "
                    "API and applies only what is still missing\n");
}

static int deploy(struct run *r, struct oag_error *err)
{
    if (!r->o.deploy) {
        return 0;
    }
    json_t *dep = NULL;
    if (apigw_create_deployment(r->client, r->api_id, r->o.deploy,
                                "oas2apigw import", &dep, err) != 0) {
        return oag_error_wrap(err, "deploying to stage '%s'", r->o.deploy);
    }
    const char *id = json_string_value(json_object_get(dep, "id"));
    printf("deployed to stage '%s' (deployment %s)\n", r->o.deploy,
           id ? id : "?");
    json_decref(dep);
    return 0;
}

static char *default_backup_path(const struct run *r)
{
    const char *spec = r->spec;
    const char *slash = strrchr(spec, '/');
    const char *base = slash ? slash + 1 : spec;
    size_t dir_len = slash ? (size_t)(slash - spec) + 1 : 0;
    const char *dot = strrchr(base, '.');
    size_t stem_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    return xstrfmt("%.*s%.*s.%s.%s.backup.json", (int)dir_len, spec,
                   (int)stem_len, base, r->api_id, stamp);
}

static int write_backup(struct run *r, struct oag_error *err)
{
    json_t *api = NULL;
    if (apigw_get_rest_api(r->client, r->api_id, &api, err) != 0) {
        return oag_error_wrap(err, "backing up REST API '%s'", r->api_id);
    }
    json_t *doc = NULL;
    sync_export_document(&r->resources, api, SYNC_OAS_3, &doc, err);
    json_decref(api);
    struct buf text = BUF_INIT;
    sync_document_format(doc, false, &text);
    json_decref(doc);
    char *path = r->o.backup ? xstrdup(r->o.backup) : default_backup_path(r);
    int rc = buf_write_file(&text, path, err);
    if (rc == 0) {
        fprintf(stderr,
                "oas2apigw: backup of REST API %s written to %s "
                "(restore: oas2apigw import --mode overwrite "
                "--rest-api-id %s %s)\n",
                r->api_id, path, r->api_id, path);
    }
    free(path);
    buf_release(&text);
    return rc;
}

static int put_rest_api(struct run *r, struct oag_error *err)
{
    bool overwrite = strcmp(r->o.mode, "overwrite") == 0;
    struct buf body = BUF_INIT;
    struct oag_error_list notes = OAG_ERROR_LIST_INIT;
    int rc = -1;
    if (r->summary.version == CONV_VERSION_OAS_31) {
        conv_downlevel_31(buf_str(&r->doc), r->doc.len, &r->summary, r->spec,
                          &body, &notes);
        cli_print_diags(&notes);
    } else {
        buf_add(&body, buf_str(&r->doc), r->doc.len);
    }
    if (body.len > PUT_REST_API_MAX_BYTES) {
        oag_error_set(err, OAG_ERR_INVALID,
                      "'%s' is %zu bytes; PutRestApi takes at most 6 MB: use "
                      "--mode items",
                      r->spec, body.len);
        goto out;
    }
    if (overwrite && write_backup(r, err) != 0) {
        goto out;
    }
    struct apigw_import_options io = {
        .mode = overwrite ? APIGW_PUT_OVERWRITE : APIGW_PUT_MERGE,
        .fail_on_warnings = r->o.fail_on_warnings,
        .basepath = r->o.doc.basepath,
    };
    json_t *res = NULL;
    if (apigw_put_rest_api(r->client, r->api_id, buf_str(&body), body.len, &io,
                           &res, err) != 0) {
        oag_error_wrap(err, "PutRestApi (%s) of '%s'", r->o.mode, r->spec);
        goto out;
    }
    size_t i;
    json_t *w;
    json_array_foreach (json_object_get(res, "warnings"), i, w) {
        fprintf(stderr, "oas2apigw: warning: API Gateway: %s\n",
                json_string_value(w) ? json_string_value(w) : "?");
    }
    json_decref(res);
    rc = 0;
out:
    buf_release(&body);
    oag_error_list_release(&notes);
    return rc;
}

static int create_api(struct run *r, struct oag_error *err)
{
    struct buf body = BUF_INIT;
    struct oag_error_list notes = OAG_ERROR_LIST_INIT;
    if (r->summary.version == CONV_VERSION_OAS_31) {
        conv_downlevel_31(buf_str(&r->doc), r->doc.len, &r->summary, r->spec,
                          &body, &notes);
        cli_print_diags(&notes);
    } else {
        buf_add(&body, buf_str(&r->doc), r->doc.len);
    }
    struct apigw_import_options io = {
        .fail_on_warnings = r->o.fail_on_warnings,
        .basepath = r->o.doc.basepath,
    };
    json_t *api = NULL;
    int rc = apigw_import_rest_api(r->client, buf_str(&body), body.len, &io,
                                   &api, err);
    buf_release(&body);
    oag_error_list_release(&notes);
    if (rc != 0) {
        return oag_error_wrap(err, "creating a REST API from '%s'", r->spec);
    }
    const char *id = json_string_value(json_object_get(api, "id"));
    free(r->api_id);
    r->api_id = xstrdup(id ? id : "");
    fprintf(stderr, "oas2apigw: created REST API %s from %s\n", r->api_id,
            r->spec);
    json_decref(api);
    return 0;
}

static int run_import(struct run *r, struct oag_error *err)
{
    struct oag_error_list diags = OAG_ERROR_LIST_INIT;
    int code = CLI_EXIT_OK;
    if (buf_read_file(&r->doc, r->spec, 0, err) != 0) {
        return cli_exit_code(err);
    }
    /* validation first: an invalid document sends nothing */
    conv_inspect_memory(buf_str(&r->doc), r->doc.len, r->spec, &r->copts,
                        &r->summary, &diags);
    cli_print_diags(&diags);
    if (diags.n_errors) {
        oag_error_set(err, OAG_ERR_INVALID,
                      "'%s' is not valid: nothing was "
                      "sent",
                      r->spec);
        oag_error_list_release(&diags);
        return CLI_EXIT_INPUT;
    }
    oag_error_list_release(&diags);
    if (conv_extract_list(buf_str(&r->doc), r->doc.len, r->spec, &r->copts,
                          &r->desired, &diags, err) != 0) {
        cli_print_diags(&diags);
        oag_error_list_release(&diags);
        return CLI_EXIT_INPUT;
    }
    oag_error_list_release(&diags);

    r->client = cli_aws_client_new(&r->o.aws, err);
    if (!r->client) {
        return cli_exit_code(err);
    }
    const char *env_id = getenv("OAS2APIGW_REST_API_ID");
    struct sync_target t = {
        .rest_api_id = r->o.rest_api_id ? r->o.rest_api_id
                                        : (env_id && env_id[0] ? env_id : NULL),
        .rest_api_name = r->o.rest_api_name,
        .title = r->summary.title,
    };
    bool not_found = false;
    if (sync_resolve_api(r->client, &t, &r->api_id, &not_found, err) != 0) {
        if (!(not_found && r->o.create)) {
            return cli_exit_code(err);
        }
        oag_error_release(err);
        if (r->dry_run) {
            printf("+ create-api       '%s' (ImportRestApi of %s)\n",
                   t.rest_api_name ? t.rest_api_name : r->summary.title,
                   r->spec);
            return CLI_EXIT_CHANGES;
        }
        if (create_api(r, err) != 0) {
            return cli_exit_code(err);
        }
    }
    if (read_live(r, err) != 0) {
        return cli_exit_code(err);
    }
    bool items = strcmp(r->o.mode, "items") == 0;
    if (items) {
        struct oag_error_list problems = OAG_ERROR_LIST_INIT;
        if (igr_plan_build(&r->desired, &r->live, r->o.prune, &r->plan,
                           &problems) != 0) {
            for (size_t i = 0; i < problems.len; i++) {
                oag_error_set_where(&problems.items[i].error, r->spec, 0, 0,
                                    NULL);
            }
            cli_print_diags(&problems);
            oag_error_list_release(&problems);
            oag_error_set(err, OAG_ERR_INVALID,
                          "REST API %s lacks methods "
                          "the document configures: nothing was sent",
                          r->api_id);
            return CLI_EXIT_INPUT;
        }
        oag_error_list_release(&problems);
    } else if (plan_put_rest_api(r, strcmp(r->o.mode, "overwrite") == 0, err) !=
               0) {
        return cli_exit_code(err);
    }
    if (r->dry_run) {
        print_plan(r, true);
        return plan_has_changes(r) ? CLI_EXIT_CHANGES : CLI_EXIT_OK;
    }
    if (!plan_has_changes(r)) {
        if (!r->json) {
            printf("no changes (%zu unchanged)\n", r->plan.n_unchanged);
        }
        return deploy(r, err) == 0 ? CLI_EXIT_OK : cli_exit_code(err);
    }
    if (!r->json) {
        print_plan(r, false);
    }
    if (!items) {
        if (put_rest_api(r, err) != 0) {
            return cli_exit_code(err);
        }
        if (!r->json) {
            printf("applied with PutRestApi (mode %s)\n", r->o.mode);
        }
    } else {
        struct sync_report rep = { 0 };
        if (sync_apply(r->client, r->api_id, &r->plan,
                       r->progress ? progress_cb : NULL, NULL, &rep,
                       err) != 0) {
            if (r->progress) {
                fputc('\n', stderr);
            }
            print_partial(r, &rep);
            code = rep.applied ? CLI_EXIT_PARTIAL : cli_exit_code(err);
            sync_report_release(&rep);
            return code;
        }
        sync_report_release(&rep);
        if (!r->json) {
            printf("applied %zu change(s)\n", r->plan.len);
        }
    }
    if (r->json) {
        print_plan(r, true);
    }
    if (deploy(r, err) != 0) {
        return cli_exit_code(err);
    }
    return code;
}

static int import_main(int argc, char **argv, bool plan_cmd)
{
    struct run r;
    memset(&r, 0, sizeof(r));
    struct import_opts *o = &r.o;
    o->mode = "items";
    o->output = "text";
    const struct cli_option opts[] = {
        { 0, "backup", "FILE",
          "overwrite: where the backup of the live API "
          "goes",
          CLI_OPT_STRING, &o->backup },
        CLI_DOC_OPTIONS(o->doc),
        { 0, "create", NULL,
          "create the API (ImportRestApi) when none "
          "matches",
          CLI_OPT_BOOL, &o->create },
        CLI_AWS_OPTIONS(o->aws),
        { 0, "deploy", "STAGE", "deploy to STAGE after a successful import",
          CLI_OPT_STRING, &o->deploy },
        { 'n', "dry-run", NULL,
          "print the plan, change nothing (exit 2 when "
          "there are changes)",
          CLI_OPT_BOOL, &o->dry_run },
        { 0, "fail-on-warnings", NULL,
          "merge/overwrite: roll back on "
          "warnings",
          CLI_OPT_BOOL, &o->fail_on_warnings },
        { 0, "mode", "MODE", "items (default), merge or overwrite",
          CLI_OPT_STRING, &o->mode },
        { 0, "output", "FORMAT", "plan format: text (default) or json",
          CLI_OPT_STRING, &o->output },
        { 0, "progress", NULL,
          "show progress even when stderr is not a "
          "terminal",
          CLI_OPT_BOOL, &o->progress },
        { 0, "prune", NULL,
          "items: delete integration responses the "
          "document no longer has",
          CLI_OPT_BOOL, &o->prune },
        { 0, "rest-api-id", "ID",
          "the REST API (default: "
          "$OAS2APIGW_REST_API_ID, else info.title)",
          CLI_OPT_STRING, &o->rest_api_id },
        { 0, "rest-api-name", "NAME", "find the REST API by name",
          CLI_OPT_STRING, &o->rest_api_name },
    };
    const char *usage = plan_cmd ? "oas2apigw plan [options] SPEC"
                                 : "oas2apigw import [options] SPEC";
    const char *about =
        plan_cmd ? "Prints what 'oas2apigw import' would change, changing "
                   "nothing.  Exit 0: nothing\nto change; 2: changes "
                   "pending; other codes: errors (64: usage)."
                 : "Makes a REST API's integration responses match SPEC.  "
                   "--mode items (default)\nreads the API once and applies "
                   "only the differences; merge and overwrite send\nthe "
                   "document with one PutRestApi (overwrite backs up the API "
                   "first).";
    struct oag_error err = OAG_ERROR_INIT;
    char **args = NULL;
    size_t n = 0;
    bool help = false;
    int code;
    bool dry_arg = plan_cmd;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0) {
            dry_arg = true;
        }
    }
    int usage_code = dry_arg ? CLI_EXIT_PLAN_USAGE : CLI_EXIT_USAGE;
    if (cli_parse(argc, argv, opts, sizeof(opts) / sizeof(opts[0]), usage,
                  about, &args, &n, &help, &err) != 0) {
        cli_print_error(&err);
        code = usage_code;
        goto out;
    }
    if (help) {
        code = CLI_EXIT_OK;
        goto out;
    }
    r.dry_run = plan_cmd || o->dry_run;
    r.json = strcmp(o->output, "json") == 0;
    if (n != 1 ||
        (strcmp(o->output, "json") != 0 && strcmp(o->output, "text") != 0) ||
        (strcmp(o->mode, "items") != 0 && strcmp(o->mode, "merge") != 0 &&
         strcmp(o->mode, "overwrite") != 0) ||
        (o->prune && strcmp(o->mode, "items") != 0)) {
        oag_error_set(&err, OAG_ERR_USAGE,
                      n != 1 ? "%s takes one SPEC (see --help)"
                      : (o->prune && strcmp(o->mode, "items") != 0)
                          ? "%s: --prune goes with --mode items (overwrite "
                            "deletes what the document lacks)"
                          : "%s: --mode is items, merge or overwrite; "
                            "--output is text or json",
                      plan_cmd ? "plan" : "import");
        cli_print_error(&err);
        code = usage_code;
        goto out;
    }
    if (cli_doc_options_apply(&o->doc, &r.copts, &err) != 0) {
        cli_print_error(&err);
        code = usage_code;
        goto out;
    }
    r.spec = args[0];
    r.progress = o->progress || isatty(STDERR_FILENO);
    code = run_import(&r, &err);
    if (code != CLI_EXIT_OK && code != CLI_EXIT_CHANGES) {
        if (err.code != OAG_ERR_NONE) {
            cli_print_error(&err);
        }
    } else if (code == CLI_EXIT_CHANGES && !r.dry_run) {
        code = CLI_EXIT_OK;
    }
    if ((code == CLI_EXIT_OK || code == CLI_EXIT_CHANGES) &&
        cli_finish_stdout(&err) != 0) {
        cli_print_error(&err);
        code = CLI_EXIT_IO;
    }
out:
    free(args);
    buf_release(&r.doc);
    conv_summary_release(&r.summary);
    aws_client_free(r.client);
    free(r.api_id);
    apigw_resources_release(&r.resources);
    igr_live_release(&r.live);
    igr_list_release(&r.desired);
    igr_plan_release(&r.plan);
    free(r.mc);
    oag_error_release(&err);
    return code;
}

int cmd_import(int argc, char **argv)
{
    return import_main(argc, argv, false);
}

int cmd_plan(int argc, char **argv)
{
    return import_main(argc, argv, true);
}
