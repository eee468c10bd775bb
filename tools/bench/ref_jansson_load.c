/*
 * Benchmark floor for JSON: json_load_file() only (builds jansson's tree, then
 * frees it).  Built by tools/bench/run.sh with `cc -O2`; not part of the meson
 * build.
 * Usage: ref_jansson_load FILE
 * Prints "ok" on stdout; on an error prints jansson's message and position
 * on stderr and exits 1.
 */
#include <stdio.h>
#include <jansson.h>

int main(int argc, char **argv)
{
    json_error_t error;
    json_t *root;

    if (argc != 2) {
        fprintf(stderr, "usage: ref_jansson_load FILE\n");
        return 2;
    }
    root = json_load_file(argv[1], 0, &error);
    if (root == NULL) {
        fprintf(stderr, "%s: jansson error: %s at line %d column %d\n", argv[1],
                error.text, error.line, error.column);
        return 1;
    }
    json_decref(root);
    printf("ok\n");
    return 0;
}
