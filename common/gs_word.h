/* gs_word.h -- eight bytes tested at once, in portable C: the "has a zero byte" family of
 * idioms, for the scans over page bytes (charset runs, raw text, CSS, scripts) that would
 * otherwise test a byte at a time. No intrinsics: the same code on x86, ARM and LoongArch.
 *
 * Header-only (static inline). A word is eight bytes loaded with gs_word_load (memcpy:
 * any alignment, the host's byte order; the answers below do not depend on it). */
#ifndef GS_WORD_H
#define GS_WORD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define GS_WORD_ONES ((uint64_t)0x0101010101010101u)
#define GS_WORD_HIGHS ((uint64_t)0x8080808080808080u)

static inline uint64_t gs_word_load(const void *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof(w));
    return w;
}

/* Whether a byte of w is >= 0x80. */
static inline bool gs_word_has_high(uint64_t w)
{
    return (w & GS_WORD_HIGHS) != 0;
}

/* Whether a byte of w is below n (1 <= n <= 128). Exact for "any"; which byte it flags is
 * not (a borrow can flag a byte above a true one), so callers look at the bytes then. */
static inline bool gs_word_has_below(uint64_t w, unsigned n)
{
    return ((w - GS_WORD_ONES * n) & ~w & GS_WORD_HIGHS) != 0;
}

/* Whether a byte of w equals b. */
static inline bool gs_word_has_byte(uint64_t w, unsigned char b)
{
    return gs_word_has_below(w ^ (GS_WORD_ONES * b), 1);
}

/* 0x80 in each byte of w that is an ASCII upper-case letter, 0 elsewhere (exact per byte:
 * the sums below never carry from one byte into the next). */
static inline uint64_t gs_word_upper(uint64_t w)
{
    uint64_t h = w & ~GS_WORD_HIGHS;                    /* each byte's low seven bits */
    uint64_t above_z = h + GS_WORD_ONES * (0x7f - 'Z'); /* top bit: above 'Z' */
    uint64_t from_a = h + GS_WORD_ONES * (0x80 - 'A');  /* top bit: 'A' or above */
    return (from_a ^ above_z) & ~w & GS_WORD_HIGHS;
}

/* w with its ASCII upper-case letters in lower case. */
static inline uint64_t gs_word_lower(uint64_t w)
{
    return w | (gs_word_upper(w) >> 2); /* 0x80 >> 2 is the case bit */
}

#endif
