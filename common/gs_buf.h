/* gs_buf.h -- a growable byte buffer with a hard ceiling (curl's dynbuf idea).
 *
 * Embedded in place: gs_buf_init(&b, max) / gs_buf_cleanup(&b). Appends past `max`
 * bytes fail with GS_ETOOBIG and leave the buffer unchanged, so a hostile input costs
 * at most `max` bytes. The data is always NUL-terminated (the NUL is not counted in
 * len and not in max). Not thread-safe; the owner frees with gs_buf_cleanup. */
#ifndef GS_BUF_H
#define GS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct gs_buf {
    char *data; /* NULL until the first append; NUL-terminated after */
    size_t len; /* bytes used, excluding the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* ceiling on len */
} gs_buf_t;

void gs_buf_init(gs_buf_t *b, size_t max);
void gs_buf_cleanup(gs_buf_t *b);
/* Forget the contents but keep the allocation. */
void gs_buf_reset(gs_buf_t *b);
int gs_buf_append(gs_buf_t *b, const void *p, size_t n);
int gs_buf_puts(gs_buf_t *b, const char *s);
int gs_buf_putc(gs_buf_t *b, char c);
int gs_buf_printf(gs_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int gs_buf_vprintf(gs_buf_t *b, const char *fmt, va_list ap);
/* Hand the data to the caller (who frees it) and reset b to empty. Never NULL unless
 * out of memory: an empty buffer yields "". */
char *gs_buf_steal(gs_buf_t *b);
/* The contents as a C string; "" when empty. Borrowed. */
const char *gs_buf_str(const gs_buf_t *b);

#endif
