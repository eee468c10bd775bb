/* A scripted HTTP peer for transport tests; see peer.h. */
#define _DEFAULT_SOURCE 1
#include "tests/aws/peer.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/common.h"
#include "util/buf.h"
#include "util/xalloc.h"

static int listen_loopback(int *out_port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0, "socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    cr_assert(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0, "bind");
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *out_port = ntohs(a.sin_port);
    return fd;
}

int peer_closed_port(void)
{
    int port = 0;
    int fd = listen_loopback(&port);
    close(fd);
    return port;
}

/* Reads one request (head + Content-Length body) into b; false on EOF. */
static bool read_request(int fd, struct buf *b)
{
    char chunk[65536];
    size_t head_end = 0;
    size_t want = 0;
    for (;;) {
        if (head_end == 0) {
            const char *e = b->data ? strstr(b->data, "\r\n\r\n") : NULL;
            if (e) {
                head_end = (size_t)(e - b->data) + 4;
                size_t clen = 0;
                const char *p = b->data;
                while (p < b->data + head_end) {
                    const char *eol = strstr(p, "\r\n");
                    if (strncasecmp(p, "Content-Length:", 15) == 0) {
                        clen = strtoul(p + 15, NULL, 10);
                    }
                    p = eol + 2;
                }
                want = head_end + clen;
            }
        }
        if (head_end && b->len >= want) {
            return true;
        }
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0) {
            return false;
        }
        buf_add(b, chunk, (size_t)n);
    }
}

static void serve(int lfd, const struct peer_step *steps, size_t n,
                  const char *capture)
{
    alarm(20); /* never outlive a broken test */
    for (size_t i = 0; i < n; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            _exit(1);
        }
        struct buf req = BUF_INIT;
        bool got = read_request(fd, &req);
        FILE *f = fopen(capture, "a");
        if (f) {
            fprintf(f, "=== request %zu\n", i + 1);
            fwrite(req.data ? req.data : "", 1, req.len, f);
            fputc('\n', f);
            fclose(f);
        }
        buf_release(&req);
        if (!got) {
            close(fd);
            continue;
        }
        switch (steps[i].action) {
        case PEER_REPLY: {
            size_t len = strlen(steps[i].raw);
            if (write(fd, steps[i].raw, len) != (ssize_t)len) {
                _exit(1);
            }
            shutdown(fd, SHUT_WR);
            break;
        }
        case PEER_RESET: {
            struct linger lg = { 1, 0 }; /* close sends RST */
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
            break;
        }
        case PEER_HANG:
            sleep(15);
            break;
        }
        close(fd);
    }
    _exit(0);
}

void peer_start(struct peer *p, const struct peer_step *steps, size_t n)
{
    int lfd = listen_loopback(&p->port);
    cr_assert(listen(lfd, 16) == 0, "listen");
    p->capture_path = test_write_temp("", 0, ".http");
    cr_assert(p->capture_path != NULL);
    fflush(NULL);
    p->pid = fork();
    cr_assert(p->pid >= 0, "fork");
    if (p->pid == 0) {
        serve(lfd, steps, n, p->capture_path);
    }
    close(lfd);
}

char *peer_finish(struct peer *p)
{
    int status;
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
    char *text = test_read_file(p->capture_path, NULL);
    unlink(p->capture_path);
    free(p->capture_path);
    p->capture_path = NULL;
    return text ? text : xstrdup("");
}
