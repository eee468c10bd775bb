/*
 * The one error type of oas2apigw.
 *
 * A struct oag_error says what went wrong (an owned message, lower-case, no
 * full stop) and where: a file, a 1-based line and column (0 = unknown) and a
 * JSON Pointer (RFC 6901) into the document; for AWS failures also the HTTP
 * status, the AWS error code and the request id.  Fallible functions take it
 * as their last parameter and leave it untouched on success.
 *
 * Passes that report every problem at once (validation, conversion) append to
 * a struct oag_error_list, each entry with a severity, and carry on.
 */
#ifndef OAG_UTIL_ERROR_H
#define OAG_UTIL_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum oag_error_code {
    OAG_ERR_NONE = 0,
    OAG_ERR_USAGE,       /* bad command line */
    OAG_ERR_IO,          /* local file or stream */
    OAG_ERR_SYNTAX,      /* YAML/JSON syntax */
    OAG_ERR_INVALID,     /* well-formed but not acceptable input */
    OAG_ERR_UNSUPPORTED, /* valid but not handled by this tool */
    OAG_ERR_LIMIT,       /* input exceeds a configured limit */
    OAG_ERR_AUTH,        /* credentials, signature, permission */
    OAG_ERR_NETWORK,     /* connection, TLS, timeout */
    OAG_ERR_AWS,         /* the service answered with an error */
    OAG_ERR_PARTIAL,     /* some changes applied, some not */
    OAG_ERR_INTERNAL,    /* a bug */
};

enum oag_severity {
    OAG_SEV_ERROR = 0,
    OAG_SEV_WARNING,
    OAG_SEV_NOTE,
};

struct oag_error {
    enum oag_error_code code; /* OAG_ERR_NONE while no error is set */
    char *message;            /* owned; NULL while no error is set */
    char *file;               /* owned; document name or NULL */
    unsigned long line;       /* 1-based; 0 = unknown */
    unsigned long column;     /* 1-based; 0 = unknown */
    char *pointer;            /* owned JSON Pointer or NULL */
    long http_status;         /* AWS: HTTP status, 0 = none */
    char *aws_code;           /* AWS: error code such as NotFoundException */
    char *request_id;         /* AWS: x-amzn-RequestId */
    bool retryable;           /* AWS/network: the failure may pass on retry */
};

#define OAG_ERROR_INIT \
    {                  \
        0              \
    }

/* Frees what err owns and zeroes it; accepts NULL and zeroed values. */
void oag_error_release(struct oag_error *err);

/* True when an error has been set. */
bool oag_error_is_set(const struct oag_error *err);

/*
 * Sets err (releasing any previous content) to code and the formatted
 * message, without location.  Returns -1 so a failure is one line.
 * err may be NULL: the error is then dropped.
 */
int oag_error_set(struct oag_error *err, enum oag_error_code code,
                  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int oag_error_vset(struct oag_error *err, enum oag_error_code code,
                   const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Sets location fields; file and pointer are copied (either may be NULL). */
void oag_error_set_where(struct oag_error *err, const char *file,
                         unsigned long line, unsigned long column,
                         const char *pointer);

/* Prepends context to the message: "context: message".  Returns -1. */
int oag_error_wrap(struct oag_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Moves src into dst (dst released first); src is zeroed. */
void oag_error_move(struct oag_error *dst, struct oag_error *src);

/* Deep copy of src into dst (dst released first). */
void oag_error_copy(struct oag_error *dst, const struct oag_error *src);

/*
 * Formats err compiler-style into a new string (caller frees):
 * "file:line:col: error: message (at /pointer)"; parts that are unknown are
 * left out.  severity selects the word "error", "warning" or "note".
 */
char *oag_error_format(const struct oag_error *err, enum oag_severity sev);

/* A list of diagnostics, each with a severity.  Zero is an empty list. */
struct oag_error_list {
    struct oag_diag *items; /* owned array */
    size_t len;
    size_t cap;
    size_t n_errors;   /* entries with OAG_SEV_ERROR */
    size_t n_warnings; /* entries with OAG_SEV_WARNING */
};

struct oag_diag {
    enum oag_severity severity;
    struct oag_error error; /* owned */
};

#define OAG_ERROR_LIST_INIT \
    {                       \
        0                   \
    }

void oag_error_list_release(struct oag_error_list *list);

/* Appends a copy of the location and the formatted message. */
void oag_error_list_add(struct oag_error_list *list, enum oag_severity sev,
                        enum oag_error_code code, const char *file,
                        unsigned long line, unsigned long column,
                        const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

/* Appends err, taking ownership of its content (err is zeroed). */
void oag_error_list_take(struct oag_error_list *list, enum oag_severity sev,
                         struct oag_error *err);

/* Sorts entries by file, line, column, keeping insertion order for ties. */
void oag_error_list_sort(struct oag_error_list *list);

/* Name of a code for JSON renderings ("syntax", "invalid", ...). */
const char *oag_error_code_name(enum oag_error_code code);

/* Aborts with file and line: for conditions that cannot happen. */
#define OAG_BUG(...) oag_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void oag_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
