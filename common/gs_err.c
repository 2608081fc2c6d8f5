/* gs_err.c -- error codes to text and the error-context helper. */
#include "gs_err.h"

#include <stdarg.h>
#include <stdio.h>

const char *gs_strerror(int rc)
{
    switch (rc) {
    case GS_OK:
        return "success";
    case GS_ENOMEM:
        return "out of memory";
    case GS_EINVAL:
        return "invalid argument or input";
    case GS_EIO:
        return "input/output error";
    case GS_ETOOBIG:
        return "limit exceeded";
    case GS_EPARSE:
        return "parse error";
    case GS_ENOTFOUND:
        return "not found";
    case GS_ETIMEOUT:
        return "timed out";
    case GS_EREDIS:
        return "redis error";
    case GS_EZMQ:
        return "zeromq error";
    case GS_ECURL:
        return "libcurl error";
    case GS_ECHARSET:
        return "charset conversion error";
    case GS_EDENIED:
        return "refused by policy";
    case GS_ESTATE:
        return "invalid state";
    case GS_EEXIST:
        return "already exists";
    case GS_ESTALE:
        return "stale lease or sweep";
    default:
        return "unknown error";
    }
}

int gs_err_set(gs_err_t *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

void gs_err_clear(gs_err_t *err)
{
    if (err) {
        err->code = 0;
        err->msg[0] = '\0';
    }
}
