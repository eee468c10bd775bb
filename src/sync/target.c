/* Choosing the REST API: an id, or a unique name (default: info.title). */
#include "sync/sync.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

int sync_resolve_api(struct aws_client *client, const struct sync_target *t,
                     char **out_id, bool *out_not_found, struct oag_error *err)
{
    *out_id = NULL;
    if (out_not_found) {
        *out_not_found = false;
    }
    if (t->rest_api_id && t->rest_api_id[0]) {
        *out_id = xstrdup(t->rest_api_id);
        return 0;
    }
    const char *name = t->rest_api_name ? t->rest_api_name : t->title;
    if (!name || !name[0]) {
        return oag_error_set(err, OAG_ERR_USAGE,
                             "no REST API given: use --rest-api-id, "
                             "--rest-api-name or OAS2APIGW_REST_API_ID (the "
                             "document has no info.title to look up)");
    }
    json_t *found = NULL;
    if (apigw_find_rest_apis_by_name(client, name, &found, err) != 0) {
        return oag_error_wrap(err, "looking up REST API '%s'", name);
    }
    size_t n = json_array_size(found);
    int rc = 0;
    if (n == 1) {
        const char *id =
            json_string_value(json_object_get(json_array_get(found, 0), "id"));
        *out_id = xstrdup(id ? id : "");
    } else if (n == 0) {
        if (out_not_found) {
            *out_not_found = true;
        }
        rc = oag_error_set(err, OAG_ERR_AWS,
                           "no REST API named '%s' (use --create to import "
                           "the document as a new API, or --rest-api-id)",
                           name);
    } else {
        struct buf ids = BUF_INIT;
        size_t i;
        json_t *api;
        json_array_foreach (found, i, api) {
            const char *id = json_string_value(json_object_get(api, "id"));
            buf_addf(&ids, "%s%s", i ? ", " : "", id ? id : "?");
        }
        rc = oag_error_set(err, OAG_ERR_AWS,
                           "%zu REST APIs are named '%s' (%s): choose one "
                           "with --rest-api-id",
                           n, name, buf_str(&ids));
        buf_release(&ids);
    }
    json_decref(found);
    return rc;
}
