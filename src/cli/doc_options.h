/* Options every document command shares: base path mode and limits. */
#ifndef OAG_CLI_DOC_OPTIONS_H
#define OAG_CLI_DOC_OPTIONS_H

#include "cli/cli.h"
#include "convert/convert.h"

struct cli_doc_options {
    const char *basepath;          /* --basepath */
    unsigned long max_depth;       /* --max-depth */
    size_t max_value_size;         /* --max-value-size */
    unsigned long max_alias_nodes; /* --max-alias-nodes */
};

#define CLI_DOC_OPTIONS(o)                                             \
    { 0,                                                               \
      "basepath",                                                      \
      "MODE",                                                          \
      "resource paths: ignore (default, as AWS), prepend or split",    \
      CLI_OPT_STRING,                                                  \
      &(o).basepath },                                                 \
        { 0,                                                           \
          "max-alias-nodes",                                           \
          "N",                                                         \
          "limit on nodes YAML aliases may expand to (default 10000)", \
          CLI_OPT_UINT,                                                \
          &(o).max_alias_nodes },                                      \
        { 0,                                                           \
          "max-depth",                                                 \
          "N",                                                         \
          "limit on nesting depth (default 512)",                      \
          CLI_OPT_UINT,                                                \
          &(o).max_depth },                                            \
    {                                                                  \
        0, "max-value-size", "SIZE",                                   \
            "limit on one scalar value (default 16M)", CLI_OPT_SIZE,   \
            &(o).max_value_size                                        \
    }

/* Fills conv options from the command line values. */
int cli_doc_options_apply(const struct cli_doc_options *o,
                          struct conv_options *out, struct oag_error *err);

#endif
