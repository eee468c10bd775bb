#define _DEFAULT_SOURCE 1
/* Helpers shared by the criterion suites; see common.h. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xalloc.h"

static char *join(const char *root, const char *rel)
{
    return xstrfmt("%s/%s", root, rel);
}

char *test_source_path(const char *rel)
{
    const char *root = getenv("OAG_SOURCE_ROOT");
    return join(root ? root : ".", rel);
}

char *test_shared_path(const char *rel)
{
    const char *root = getenv("OAG_SHARED_ROOT");
    if (!root || !test_file_exists(root)) {
        return NULL;
    }
    return join(root, rel);
}

char *test_read_file(const char *path, size_t *out_len)
{
    struct buf b = BUF_INIT;
    if (buf_read_file(&b, path, 0, NULL) != 0) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, out_len);
}

char *test_write_temp(const char *data, size_t len, const char *suffix)
{
    const char *dir = getenv("TMPDIR");
    char *path =
        xstrfmt("%s/oagtestXXXXXX%s", dir ? dir : "/tmp", suffix ? suffix : "");
    int fd = mkstemps(path, suffix ? (int)strlen(suffix) : 0);
    if (fd < 0) {
        free(path);
        return NULL;
    }
    if (write(fd, data, len) != (ssize_t)len) {
        close(fd);
        free(path);
        return NULL;
    }
    close(fd);
    return path;
}

bool test_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}
