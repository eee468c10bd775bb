/* Shared document options; see doc_options.h. */
#include "cli/doc_options.h"

#include <limits.h>
#include <string.h>

#include "util/error.h"

int cli_doc_options_apply(const struct cli_doc_options *o,
                          struct conv_options *out, struct oag_error *err)
{
    memset(out, 0, sizeof(*out));
    if (o->basepath &&
        conv_basepath_parse(o->basepath, &out->basepath, err) != 0) {
        return -1;
    }
    if (o->max_depth > UINT_MAX) {
        return oag_error_set(err, OAG_ERR_USAGE, "--max-depth is too large");
    }
    out->limits.max_depth = (unsigned)o->max_depth;
    out->limits.max_token_bytes = o->max_value_size;
    out->limits.max_alias_nodes = o->max_alias_nodes;
    return 0;
}
