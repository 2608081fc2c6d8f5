/* gs_utf8.h -- UTF-8 character boundaries, validation and evidence snippets.
 *
 * The checks that quote page text (a wrong form, a spam term) need a short excerpt around
 * the match that is valid UTF-8 and never cuts a character in half, whatever the page
 * holds: gs_utf8_snippet takes `radius` characters on each side of a byte range. The other
 * helpers decode one sequence strictly (no overlong forms, no surrogates, nothing above
 * U+10FFFF) and copy text with invalid bytes replaced by U+FFFD, so that libraries which
 * trust their input (OpenCC) are only ever handed well-formed text.
 *
 * Pure functions on caller memory; no allocation except gs_utf8_sanitize, which appends to
 * the caller's gs_buf_t (its ceiling applies). Thread-safe. */
#ifndef GS_UTF8_H
#define GS_UTF8_H

#include "gs_buf.h"

#include <stddef.h>
#include <stdint.h>

/* Longest snippet radius accepted, in characters: evidence is a sentence, not a page. */
#define GS_UTF8_SNIPPET_RADIUS_MAX 200

/* Decode the sequence at s (n bytes available). Returns its length (1..4) and sets *cp,
 * or 0 when the bytes do not start a valid sequence (cp untouched). */
size_t gs_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* 1 when all n bytes are valid UTF-8. */
int gs_utf8_valid(const char *s, size_t n);

/* Append s to out with every invalid byte replaced by U+FFFD (EF BF BD). Returns 0 or
 * GS_ETOOBIG / GS_ENOMEM from the buffer, which then holds a prefix. */
int gs_utf8_sanitize(const char *s, size_t n, gs_buf_t *out);

/* Number of characters in n bytes (an invalid byte counts as one character). */
size_t gs_utf8_chars(const char *s, size_t n);

/* The match text[off, off+mlen) with up to `radius` characters before and after it, cut on
 * character boundaries, written NUL-terminated into buf. Control characters and runs of
 * white space become one space (the snippet is one line of evidence) and invalid bytes
 * become U+FFFD. When buf is too small the snippet is cut at the last whole character that
 * fits. Returns the byte length written (excluding the NUL), or GS_EINVAL when the range
 * lies outside the text, radius exceeds GS_UTF8_SNIPPET_RADIUS_MAX or buflen is 0. */
int gs_utf8_snippet(const char *text, size_t len, size_t off, size_t mlen, size_t radius, char *buf,
                    size_t buflen);

#endif
