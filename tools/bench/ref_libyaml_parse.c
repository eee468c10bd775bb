/*
 * Benchmark floor: parse a file with libyaml's event parser and do nothing
 * with the events but count them.  Any tool that builds a tree and extracts
 * records from a YAML (or JSON) document through libyaml cannot be faster.
 *
 * Built by tools/bench/run.sh with `cc -O2`; not part of the meson build.
 * Usage: ref_libyaml_parse FILE
 * Prints "events=N" on stdout; on a parse error prints libyaml's message with
 * its position on stderr and exits 1.
 */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv)
{
    FILE *f;
    yaml_parser_t parser;
    yaml_event_t event;
    unsigned long events = 0;
    int done = 0;
    int rc = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: ref_libyaml_parse FILE\n");
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "yaml_parser_initialize failed\n");
        fclose(f);
        return 2;
    }
    yaml_parser_set_input_file(&parser, f);
    while (!done) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s: libyaml error: %s at line %lu column %lu",
                    argv[1], parser.problem ? parser.problem : "(unknown)",
                    (unsigned long)parser.problem_mark.line + 1,
                    (unsigned long)parser.problem_mark.column + 1);
            if (parser.context != NULL) {
                fprintf(stderr, " (%s at line %lu column %lu)", parser.context,
                        (unsigned long)parser.context_mark.line + 1,
                        (unsigned long)parser.context_mark.column + 1);
            }
            fprintf(stderr, "\n");
            rc = 1;
            break;
        }
        events++;
        done = (event.type == YAML_STREAM_END_EVENT);
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc == 0) {
        printf("events=%lu\n", events);
    }
    return rc;
}
