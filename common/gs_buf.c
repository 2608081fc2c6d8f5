/* gs_buf.c -- growable byte buffer with a ceiling. */
#include "gs_buf.h"
#include "gs_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gs_buf_init(gs_buf_t *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void gs_buf_cleanup(gs_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void gs_buf_reset(gs_buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int buf_reserve(gs_buf_t *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return GS_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need)
        ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
    char *p = realloc(b->data, ncap);
    if (!p)
        return GS_ENOMEM;
    b->data = p;
    b->cap = ncap;
    return 0;
}

int gs_buf_append(gs_buf_t *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc < 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int gs_buf_puts(gs_buf_t *b, const char *s)
{
    return gs_buf_append(b, s, strlen(s));
}

int gs_buf_putc(gs_buf_t *b, char c)
{
    return gs_buf_append(b, &c, 1);
}

int gs_buf_vprintf(gs_buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return GS_EINVAL;
    int rc = buf_reserve(b, (size_t)n);
    if (rc < 0)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int gs_buf_printf(gs_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = gs_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *gs_buf_steal(gs_buf_t *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *gs_buf_str(const gs_buf_t *b)
{
    return b->data ? b->data : "";
}
