/* gs_t2s.c -- Traditional to Simplified conversion through OpenCC's C API, in bounded
 * pieces, with invalid UTF-8 and NUL bytes kept away from OpenCC.
 *
 * Deciding whether a page is Traditional must cost far less than converting it: it runs on
 * every page, and OpenCC converts at a few MB/s (half a millisecond for a 4 KiB sample).
 * So the converter learns once, when it opens, which characters of the main Han blocks
 * conversion changes (each converted on its own line, so no phrase applies), and the test
 * counts those characters in the sample: a table lookup per character. */
#include "gs_t2s.h"
#include "gs_utf8.h"

#include <opencc.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The Han blocks whose characters are looked up: Extension A and the Unified block. */
#define T2S_HAN_FIRST 0x3400
#define T2S_HAN_LAST 0x9fff
#define T2S_HAN_COUNT (T2S_HAN_LAST - T2S_HAN_FIRST + 1)

struct gs_t2s {
    opencc_t cc;                            /* the OpenCC converter; only read after opening */
    uint8_t changes[T2S_HAN_COUNT / 8 + 1]; /* bit set: conversion changes the character */
};

static int t2s_convert_valid(const gs_t2s_t *t, const char *s, size_t n, gs_buf_t *out);

/* Fill t->changes: convert every character of the blocks, one a line, and compare. */
static int t2s_learn(gs_t2s_t *t)
{
    gs_buf_t in, out;
    gs_buf_init(&in, (size_t)T2S_HAN_COUNT * 4);
    gs_buf_init(&out, (size_t)T2S_HAN_COUNT * 16);
    int rc = 0;
    for (uint32_t cp = T2S_HAN_FIRST; cp <= T2S_HAN_LAST && rc == 0; cp++) {
        char ch[4] = {(char)(0xe0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)),
                      (char)(0x80 | (cp & 0x3f)), '\n'};
        rc = gs_buf_append(&in, ch, sizeof(ch));
    }
    if (rc == 0)
        rc = t2s_convert_valid(t, in.data, in.len, &out);
    /* Walk both texts line by line: line k holds character T2S_HAN_FIRST + k. */
    const char *a = in.data, *b = out.data;
    for (uint32_t k = 0; rc == 0 && k < T2S_HAN_COUNT; k++) {
        const char *nb = b ? memchr(b, '\n', (size_t)(out.data + out.len - b)) : NULL;
        if (!nb) {
            rc = GS_ECHARSET; /* OpenCC changed the line structure: not expected */
            break;
        }
        if ((size_t)(nb - b) != 3 || memcmp(a, b, 3) != 0)
            t->changes[k >> 3] |= (uint8_t)(1u << (k & 7));
        a += 4;
        b = nb + 1;
    }
    gs_buf_cleanup(&in);
    gs_buf_cleanup(&out);
    return rc;
}

gs_t2s_t *gs_t2s_new(const char *config, gs_err_t *err)
{
    const char *cfg = config ? config : GS_T2S_CONFIG_DEFAULT;
    gs_t2s_t *t = calloc(1, sizeof(*t));
    if (!t) {
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    t->cc = opencc_open(cfg);
    if (t->cc == (opencc_t)-1) {
        const char *why = opencc_error();
        gs_err_set(err, GS_ENOTFOUND, "OpenCC configuration %s: %s", cfg,
                   why && *why ? why : "cannot be opened");
        free(t);
        return NULL;
    }
    int rc = t2s_learn(t);
    if (rc < 0) {
        gs_err_set(err, rc, "OpenCC configuration %s: cannot list the characters it changes", cfg);
        gs_t2s_destroy(&t);
    }
    return t;
}

void gs_t2s_destroy(gs_t2s_t **tp)
{
    if (!tp || !*tp)
        return;
    opencc_close((*tp)->cc);
    free(*tp);
    *tp = NULL;
}

#define T2S_ASCII_RUN 8 /* ASCII bytes in a row that are copied rather than converted */

/* 1 when the 3 bytes at p are U+3002 (。) or U+FF0C (，): a phrase never spans them. */
static int t2s_is_stop(const unsigned char *p)
{
    return (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x82) ||
           (p[0] == 0xef && p[1] == 0xbc && p[2] == 0x8c);
}

/* Length of the next piece of valid, NUL-free text s[0..n): all of it when it fits in
 * GS_T2S_CHUNK, else cut just after the last ASCII byte or 。/， in the window, else at the
 * last character boundary. */
static size_t t2s_piece(const char *s, size_t n)
{
    if (n <= GS_T2S_CHUNK)
        return n;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = GS_T2S_CHUNK; i > GS_T2S_CHUNK / 2; i--) {
        if (p[i - 1] < 0x80)
            return i;
        if (i >= 3 && t2s_is_stop(p + i - 3))
            return i;
    }
    size_t i = GS_T2S_CHUNK;
    while (i > 0 && (p[i] & 0xc0) == 0x80)
        i--;
    return i;
}

/* Convert valid UTF-8 without NUL bytes through OpenCC, piece by piece, appending to out. */
static int t2s_convert_text(const gs_t2s_t *t, const char *s, size_t n, gs_buf_t *out)
{
    while (n > 0) {
        size_t k = t2s_piece(s, n);
        char *conv = opencc_convert_utf8(t->cc, s, k);
        if (!conv)
            return GS_ECHARSET;
        int rc = gs_buf_puts(out, conv);
        opencc_convert_utf8_free(conv);
        if (rc < 0)
            return rc;
        s += k;
        n -= k;
    }
    return 0;
}

/* Convert valid UTF-8 without NUL bytes. Runs of at least T2S_ASCII_RUN ASCII bytes are
 * copied, not converted: no entry of OpenCC's dictionaries holds an ASCII byte, so a phrase
 * never spans one (t2s_piece cuts there for the same reason) and the result is the same --
 * but a page is mostly ASCII markup, and OpenCC's segmentation costs the same per byte of
 * markup as per character of text (on the simulated province's Big5 pages this took the
 * conversion from ~56 % of a page's whole parse to a fraction of it; bench/page.sh). Short
 * ASCII runs stay inside the text so that OpenCC is called a few times per page, not once
 * per word. */
static int t2s_convert_valid(const gs_t2s_t *t, const char *s, size_t n, gs_buf_t *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t start = 0, i = 0;
    while (i < n) {
        if (p[i] >= 0x80) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && p[j] < 0x80)
            j++;
        if (j - i >= T2S_ASCII_RUN || j == n) {
            int rc = i > start ? t2s_convert_text(t, s + start, i - start, out) : 0;
            if (rc == 0)
                rc = gs_buf_append(out, s + i, j - i);
            if (rc < 0)
                return rc;
            start = j;
        }
        i = j;
    }
    return start < n ? t2s_convert_text(t, s + start, n - start, out) : 0;
}

int gs_t2s_append(const gs_t2s_t *t, const char *in, size_t len, gs_buf_t *out)
{
    if (!in && len)
        return GS_EINVAL;
    size_t i = 0;
    while (i < len) {
        if (in[i] == '\0') {
            int rc = gs_buf_putc(out, '\0');
            if (rc < 0)
                return rc;
            i++;
            continue;
        }
        const char *nul = memchr(in + i, '\0', len - i);
        size_t run = nul ? (size_t)(nul - (in + i)) : len - i;
        int rc;
        if (gs_utf8_valid(in + i, run)) {
            rc = t2s_convert_valid(t, in + i, run, out);
        } else {
            /* The sanitized copy may be up to three times longer; bound it by the output
             * ceiling, since conversion does not shrink it much. */
            gs_buf_t clean;
            gs_buf_init(&clean, out->max);
            rc = gs_utf8_sanitize(in + i, run, &clean);
            if (rc == 0)
                rc = t2s_convert_valid(t, clean.data ? clean.data : "", clean.len, out);
            gs_buf_cleanup(&clean);
        }
        if (rc < 0)
            return rc;
        i += run;
    }
    return 0;
}

int gs_t2s_convert(const gs_t2s_t *t, const char *in, size_t len, size_t max_out, char **out,
                   size_t *out_len)
{
    gs_buf_t b;
    gs_buf_init(&b, max_out);
    int rc = gs_t2s_append(t, in, len, &b);
    if (rc < 0) {
        gs_buf_cleanup(&b);
        return rc;
    }
    size_t n = b.len;
    char *s = gs_buf_steal(&b);
    if (!s)
        return GS_ENOMEM;
    *out = s;
    if (out_len)
        *out_len = n;
    return 0;
}

/* 1 for the Han ideographs (CJK Unified, Extension A, compatibility, supplementary). */
static int t2s_is_han(uint32_t cp)
{
    return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
           (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x2ffff);
}

int gs_t2s_sample(const gs_t2s_t *t, const char *text, size_t len, size_t *han, size_t *changed)
{
    if (!text && len)
        return GS_EINVAL;
    size_t n = len < GS_T2S_SAMPLE ? len : GS_T2S_SAMPLE;
    size_t nhan = 0, nchanged = 0;
    for (size_t i = 0; i < n;) {
        if ((unsigned char)text[i] < 0x80) { /* markup: no call a byte */
            i++;
            continue;
        }
        uint32_t cp = 0;
        size_t k = gs_utf8_decode(text + i, len - i, &cp);
        if (k == 0) {
            i++;
            continue;
        }
        i += k;
        if (!t2s_is_han(cp))
            continue;
        nhan++;
        if (cp >= T2S_HAN_FIRST && cp <= T2S_HAN_LAST) {
            uint32_t b = cp - T2S_HAN_FIRST;
            nchanged += (t->changes[b >> 3] >> (b & 7)) & 1u;
        }
    }
    if (han)
        *han = nhan;
    if (changed)
        *changed = nchanged;
    return 0;
}

int gs_t2s_looks_traditional(const gs_t2s_t *t, const char *text, size_t len)
{
    size_t han = 0, changed = 0;
    int rc = gs_t2s_sample(t, text, len, &han, &changed);
    if (rc < 0)
        return rc;
    return changed >= GS_T2S_MIN_CHANGED && changed * GS_T2S_RATIO >= han;
}
