/*
 * The command line: declarative option tables (parsed and turned into
 * --help from the same data), the printing of diagnostics, and the mapping
 * of errors to exit statuses.  Library code never prints; this does.
 */
#ifndef OAG_CLI_CLI_H
#define OAG_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct oag_error;
struct oag_error_list;

/* Exit statuses (README "Exit codes"). */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_INPUT = 1,       /* problems in the input documents */
    CLI_EXIT_USAGE = 2,       /* bad command line */
    CLI_EXIT_CHANGES = 2,     /* plan / --dry-run: changes pending */
    CLI_EXIT_IO = 3,          /* local files and streams */
    CLI_EXIT_AWS = 4,         /* AWS, network, credentials */
    CLI_EXIT_PARTIAL = 5,     /* partially applied */
    CLI_EXIT_PLAN_USAGE = 64, /* usage error of plan / --dry-run */
};

enum cli_opt_kind {
    CLI_OPT_BOOL,   /* bool *target = true */
    CLI_OPT_STRING, /* const char **target */
    CLI_OPT_UINT,   /* unsigned long *target */
    CLI_OPT_SIZE,   /* size_t *target, with K/M/G suffixes */
};

struct cli_option {
    char short_name; /* 0 = none */
    const char *long_name;
    const char *arg_name; /* NULL for booleans */
    const char *help;
    enum cli_opt_kind kind;
    void *target;
};

struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

/*
 * Parses argv[1..] (argv[0] is the command name) against opts; positional
 * arguments are collected into out_args (argv pointers, caller frees the
 * array).  "-h"/"--help" prints help to stdout and sets *out_help.
 */
int cli_parse(int argc, char **argv, const struct cli_option *opts,
              size_t n_opts, const char *usage, const char *about,
              char ***out_args, size_t *out_n_args, bool *out_help,
              struct oag_error *err);
void cli_print_help(FILE *f, const char *usage, const char *about,
                    const struct cli_option *opts, size_t n_opts);

/* Prints err to stderr ("oas2apigw: error: ..." or compiler style). */
void cli_print_error(const struct oag_error *err);
/* Prints every diagnostic to stderr, compiler-style, sorted. */
void cli_print_diags(struct oag_error_list *diags);
/* The exit status for err. */
int cli_exit_code(const struct oag_error *err);
/* Flushes and checks stdout; a write error is an I/O failure. */
int cli_finish_stdout(struct oag_error *err);

/* Commands (cli/cmd_<name>.c). */
int cmd_export(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_validate(int argc, char **argv);

/* The sorted command table (main.c). */
extern const struct cli_command cli_commands[];
extern const size_t cli_commands_len;

#endif
