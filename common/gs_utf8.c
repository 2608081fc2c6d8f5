/* gs_utf8.c -- strict UTF-8 decoding, sanitizing copies and evidence snippets. */
#include "gs_utf8.h"
#include "gs_err.h"

#include <string.h>

/* The replacement character, written where a byte is not valid UTF-8. */
static const char utf8_fffd[3] = {'\xef', '\xbf', '\xbd'};

size_t gs_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t len;
    uint32_t c, min;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        len = 2, c = p[0] & 0x1f, min = 0x80;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        len = 3, c = p[0] & 0x0f, min = 0x800;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        len = 4, c = p[0] & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    /* Overlong forms, UTF-16 surrogates and values past U+10FFFF are not characters. */
    if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
        return 0;
    *cp = c;
    return len;
}

int gs_utf8_valid(const char *s, size_t n)
{
    size_t i = 0;
    uint32_t cp;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = gs_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

int gs_utf8_sanitize(const char *s, size_t n, gs_buf_t *out)
{
    size_t i = 0, run = 0;
    uint32_t cp;
    while (i < n) {
        size_t k = (unsigned char)s[i] < 0x80 ? 1 : gs_utf8_decode(s + i, n - i, &cp);
        if (k) {
            i += k;
            continue;
        }
        /* Flush the valid run before the bad byte, then the replacement. */
        int rc = gs_buf_append(out, s + run, i - run);
        if (rc == 0)
            rc = gs_buf_append(out, utf8_fffd, sizeof(utf8_fffd));
        if (rc < 0)
            return rc;
        i++;
        run = i;
    }
    return gs_buf_append(out, s + run, n - run);
}

/* Byte length of the character at s: its sequence length, or 1 for an invalid byte. */
static size_t utf8_step(const char *s, size_t n)
{
    uint32_t cp;
    size_t k = gs_utf8_decode(s, n, &cp);
    return k ? k : 1;
}

size_t gs_utf8_chars(const char *s, size_t n)
{
    size_t i = 0, c = 0;
    while (i < n) {
        i += utf8_step(s + i, n - i);
        c++;
    }
    return c;
}

/* Start of the character that ends just before byte p (p > 0): back over at most three
 * continuation bytes, accepted only when they form one valid sequence ending at p. */
static size_t utf8_back(const char *s, size_t p)
{
    size_t q = p - 1;
    while (q > 0 && p - q < 4 && ((unsigned char)s[q] & 0xc0) == 0x80)
        q--;
    uint32_t cp;
    if (gs_utf8_decode(s + q, p - q, &cp) == p - q)
        return q;
    return p - 1;
}

/* 1 when the character cp is white space or a control character for snippet purposes. */
static int utf8_is_space(uint32_t cp)
{
    return cp <= 0x20 || cp == 0x7f || cp == 0xa0 || cp == 0x3000;
}

int gs_utf8_snippet(const char *text, size_t len, size_t off, size_t mlen, size_t radius, char *buf,
                    size_t buflen)
{
    if (!buf || buflen == 0 || off > len || mlen > len - off || radius > GS_UTF8_SNIPPET_RADIUS_MAX)
        return GS_EINVAL;
    if (buflen > (size_t)INT32_MAX)
        buflen = (size_t)INT32_MAX; /* the length is returned as an int */
    size_t start = off;
    for (size_t k = 0; k < radius && start > 0; k++)
        start = utf8_back(text, start);
    size_t end = off + mlen;
    for (size_t k = 0; k < radius && end < len; k++)
        end += utf8_step(text + end, len - end);

    size_t o = 0;
    int pending_space = 0;
    for (size_t i = start; i < end;) {
        uint32_t cp;
        size_t k = gs_utf8_decode(text + i, end - i, &cp);
        const char *src = text + i;
        size_t n = k;
        if (k == 0) {
            src = utf8_fffd, n = sizeof(utf8_fffd), k = 1, cp = 0xfffd;
        }
        i += k;
        if (utf8_is_space(cp)) {
            pending_space = o > 0;
            continue;
        }
        size_t need = n + (pending_space ? 1 : 0);
        if (need >= buflen - o)
            break;
        if (pending_space)
            buf[o++] = ' ';
        pending_space = 0;
        memcpy(buf + o, src, n);
        o += n;
    }
    buf[o] = '\0';
    return (int)o;
}
