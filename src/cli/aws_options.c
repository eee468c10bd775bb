/* The AWS client from the command line; see aws_options.h. */
#include "cli/aws_options.h"

#include <stdio.h>
#include <string.h>

#include "aws/client.h"
#include "util/error.h"

struct aws_client *cli_aws_client_new(const struct cli_aws_options *o,
                                      struct oag_error *err)
{
    struct aws_client_options opts;
    memset(&opts, 0, sizeof(opts));
    opts.cred.profile = o->profile;
    opts.cred.region = o->region;
    opts.cred.endpoint_url = o->endpoint_url;
    opts.cred.use_fips_endpoint = o->use_fips;
    opts.http.insecure = o->no_verify_ssl;
    opts.http.trace = o->debug ? stderr : NULL;
    opts.no_pacing = o->no_pacing;
    if (o->max_attempts) {
        opts.retry.max_attempts = (unsigned)o->max_attempts;
        opts.retry.max_throttle_attempts = (unsigned)o->max_attempts;
    }
    if (o->no_verify_ssl) {
        fprintf(stderr, "oas2apigw: warning: TLS certificate verification "
                        "is OFF (--no-verify-ssl): anyone on the network "
                        "path can read and change these calls\n");
    }
    return aws_client_new(&opts, err);
}
