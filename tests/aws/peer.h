/*
 * A scripted HTTP peer on 127.0.0.1 for transport tests: a child process
 * that accepts connections, records every request it reads (head and body)
 * and answers each with the next scripted action.  It knows nothing of
 * AWS: it checks what goes on the wire and how the transport copes with
 * resets and silence.  API Gateway behaviour is tested against moto.
 */
#ifndef OAG_TESTS_AWS_PEER_H
#define OAG_TESTS_AWS_PEER_H

#include <stddef.h>
#include <sys/types.h>

enum peer_action {
    PEER_REPLY = 0, /* send raw, then close the connection */
    PEER_RESET,     /* read the request, then reset the connection (RST) */
    PEER_HANG,      /* read the request, then say nothing */
};

struct peer_step {
    enum peer_action action;
    const char *raw; /* PEER_REPLY: the whole response, bytes as sent */
};

struct peer {
    int port;
    pid_t pid;
    char *capture_path; /* owned: requests, each after "=== request N\n" */
};

/* Starts the peer; it serves steps in order, then stops accepting. */
void peer_start(struct peer *p, const struct peer_step *steps, size_t n);

/* Stops the peer and returns what it captured (caller frees). */
char *peer_finish(struct peer *p);

/* A loopback port nobody listens on (bound, then closed). */
int peer_closed_port(void);

#endif
