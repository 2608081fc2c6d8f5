/* gs_err.h -- error codes and error context shared by every govsweep module.
 *
 * Functions return int: 0 on success, a negative GS_E* code on failure (libuv style).
 * Where the caller needs to know *where* something went wrong (a registry line, a URL,
 * a Redis reply) the function also takes an optional gs_err_t, filled with the code and
 * a human-readable message. gs_err_t is a plain struct owned by the caller; it holds no
 * heap memory and needs no cleanup. Thread-safe: no shared state. */
#ifndef GS_ERR_H
#define GS_ERR_H

#include <stddef.h>

enum {
    GS_OK = 0,
    GS_ENOMEM = -1,    /* allocation failed */
    GS_EINVAL = -2,    /* bad argument or malformed input */
    GS_EIO = -3,       /* read/write/system call failed */
    GS_ETOOBIG = -4,   /* a ceiling was reached (buffer, message, page, count) */
    GS_EPARSE = -5,    /* input could not be parsed */
    GS_ENOTFOUND = -6, /* no such key, file, column or field */
    GS_ETIMEOUT = -7,  /* deadline passed */
    GS_EREDIS = -8,    /* Redis refused or is unreachable */
    GS_EZMQ = -9,      /* a ZeroMQ call failed */
    GS_ECURL = -10,    /* libcurl failed to set up a transfer */
    GS_ECHARSET = -11, /* text could not be converted between charsets */
    GS_EDENIED = -12,  /* refused by policy (private address, protocol, auth) */
    GS_ESTATE = -13,   /* operation not valid in the current state */
    GS_EEXIST = -14,   /* already exists / duplicate */
    GS_ESTALE = -15,   /* outdated lease epoch or sweep */
};

/* Size of the message buffer in gs_err_t: enough for a line number, a URL and a reason. */
#define GS_ERR_MSG_MAX 512

/* Error context: the code and a message saying where and why. */
typedef struct gs_err {
    int code;                 /* the GS_E* code, 0 when no error was recorded */
    char msg[GS_ERR_MSG_MAX]; /* NUL-terminated, truncated to fit */
} gs_err_t;

/* Static description of a GS_E* code ("out of memory", ...). Never NULL. */
const char *gs_strerror(int rc);

/* Record code and a printf-style message in err (NULL-safe). Returns code, so that
 * `return gs_err_set(err, GS_EINVAL, "line %d: ...", n);` reads naturally. */
int gs_err_set(gs_err_t *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reset err to "no error" (NULL-safe). */
void gs_err_clear(gs_err_t *err);

#endif
