/* Options every AWS command shares, and the client they configure. */
#ifndef OAG_CLI_AWS_OPTIONS_H
#define OAG_CLI_AWS_OPTIONS_H

#include <stdbool.h>

#include "cli/cli.h"

struct aws_client;
struct oag_error;

struct cli_aws_options {
    bool debug;
    const char *endpoint_url;
    unsigned long max_attempts;
    bool no_pacing;
    bool no_verify_ssl;
    const char *profile;
    const char *region;
    bool use_fips;
};

#define CLI_AWS_OPTIONS(o)                                                    \
    { 0,                                                                      \
      "debug",                                                                \
      NULL,                                                                   \
      "trace requests and responses on stderr (secrets "                      \
      "redacted)",                                                            \
      CLI_OPT_BOOL,                                                           \
      &(o).debug },                                                           \
        { 0,                                                                  \
          "endpoint-url",                                                     \
          "URL",                                                              \
          "API Gateway endpoint (e.g. a local "                               \
          "emulator)",                                                        \
          CLI_OPT_STRING,                                                     \
          &(o).endpoint_url },                                                \
        { 0,                                                                  \
          "max-attempts",                                                     \
          "N",                                                                \
          "attempts per call on throttling and "                              \
          "transient faults",                                                 \
          CLI_OPT_UINT,                                                       \
          &(o).max_attempts },                                                \
        { 0,                                                                  \
          "no-pacing",                                                        \
          NULL,                                                               \
          "do not pace calls to API Gateway's quotas",                        \
          CLI_OPT_BOOL,                                                       \
          &(o).no_pacing },                                                   \
        { 0,                                                                  \
          "no-verify-ssl",                                                    \
          NULL,                                                               \
          "do not verify TLS certificates (unsafe)",                          \
          CLI_OPT_BOOL,                                                       \
          &(o).no_verify_ssl },                                               \
        { 0,                                                                  \
          "profile",                                                          \
          "NAME",                                                             \
          "AWS profile of the shared config files",                           \
          CLI_OPT_STRING,                                                     \
          &(o).profile },                                                     \
        { 0, "region", "REGION", "AWS region", CLI_OPT_STRING, &(o).region }, \
    {                                                                         \
        0, "use-fips-endpoint", NULL, "use the FIPS endpoint", CLI_OPT_BOOL,  \
            &(o).use_fips                                                     \
    }

/* Makes the client (NULL + err on failure); warns about --no-verify-ssl. */
struct aws_client *cli_aws_client_new(const struct cli_aws_options *o,
                                      struct oag_error *err);

#endif
