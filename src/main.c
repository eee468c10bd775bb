/*
 * oas2apigw: the command table, global options and the exit status.
 * Everything else lives in the library (src/) and cli/.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "oag_config.h"
#include "util/xalloc.h"

/* Sorted by name. */
const struct cli_command cli_commands[] = {
    { "export", cmd_export,
      "pull a live REST API back into OpenAPI (or into a document)" },
    { "extract", cmd_extract,
      "print a document's integration responses as JSON records" },
    { "import", cmd_import,
      "make a REST API's integration responses match a document" },
    { "merge", cmd_merge,
      "write records into a document's integration responses" },
    { "plan", cmd_plan,
      "show what import would change (exit 2 when something would)" },
    { "validate", cmd_validate,
      "check documents for what API Gateway would reject" },
};
const size_t cli_commands_len = sizeof(cli_commands) / sizeof(cli_commands[0]);

static void usage(FILE *f)
{
    fprintf(f, "usage: oas2apigw [--version] [--help] <command> [<args>]\n\n"
               "Keeps Amazon API Gateway integration responses and OpenAPI "
               "documents in step.\n\ncommands:\n");
    for (size_t i = 0; i < cli_commands_len; i++) {
        fprintf(f, "  %-10s %s\n", cli_commands[i].name,
                cli_commands[i].summary);
    }
    fprintf(f, "\n'oas2apigw <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    xalloc_setup();
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("oas2apigw %s\n", OAG_VERSION);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_IO;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
        strcmp(name, "help") == 0) {
        usage(stdout);
        return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_IO;
    }
    for (size_t i = 0; i < cli_commands_len; i++) {
        if (strcmp(cli_commands[i].name, name) == 0) {
            return cli_commands[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "oas2apigw: error: unknown command '%s'\n\n", name);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
