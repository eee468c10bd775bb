/* Printing import plans: the short human table and the JSON form. */
#ifndef OAG_CLI_PLAN_PRINT_H
#define OAG_CLI_PLAN_PRINT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "model/plan.h"

/* Method-level changes of PutRestApi modes (create / delete a method). */
struct cli_method_change {
    char action; /* '+' create, '-' delete */
    const char *path;
    const char *method;
};

/* One line for item, without newline (caller frees). */
char *cli_plan_item_line(const struct igr_plan_item *it);
/* Prints the plan; summary adds the counts line. */
void cli_plan_print_text(FILE *f, const struct igr_plan *plan,
                         const struct cli_method_change *mc, size_t n_mc,
                         bool with_method_responses, bool summary);
/* The JSON form (schemas/plan.schema.json); new reference. */
json_t *cli_plan_to_json(const struct igr_plan *plan, const char *api_id,
                         const char *mode, const struct cli_method_change *mc,
                         size_t n_mc, bool with_method_responses);

#endif
