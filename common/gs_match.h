/* gs_match.h -- multi-pattern literal matching: one Aho-Corasick automaton over bytes.
 *
 * The wording and spam checks look for thousands of terms in every page; their cost must
 * not grow with the dictionary (performance.md: 100,000 terms cost about what 100 do). An
 * Aho-Corasick automaton reads the text once, left to right, whatever the number of
 * patterns. It works on raw bytes, so UTF-8 patterns match UTF-8 text and a pattern can
 * only match at a character boundary of valid text; invalid bytes in the text are just
 * bytes that match nothing.
 *
 * Lifecycle: gs_match_new, then gs_match_add for each pattern, then gs_match_build once;
 * after that the matcher is read-only. Building is not thread-safe; a built matcher may be
 * scanned from any number of threads at once (gs_match_scan only reads it). The matcher
 * copies the patterns; the caller keeps ownership of its own buffers. gs_match_destroy
 * frees everything.
 *
 * Limits: a pattern is 1..GS_MATCH_PATTERN_MAX bytes; at most GS_MATCH_PATTERNS_MAX
 * patterns and GS_MATCH_BYTES_MAX pattern bytes in all (beyond: GS_ETOOBIG). Duplicate
 * patterns are allowed and every id is reported. With GS_MATCH_FOLD_ASCII, A-Z and a-z
 * are the same letter in patterns and text (non-ASCII bytes are never folded).
 *
 * Memory: a 16-byte cell per automaton state (a state per distinct pattern prefix; the
 * double array leaves few holes) and 20 bytes per pattern: about 13 MiB for 100,000
 * Chinese terms. gs_match_memory says how much. */
#ifndef GS_MATCH_H
#define GS_MATCH_H

#include "gs_err.h"

#include <stddef.h>
#include <stdint.h>

#define GS_MATCH_PATTERN_MAX 256
#define GS_MATCH_PATTERNS_MAX 1000000
/* 32 MiB of pattern bytes: a million ten-character Chinese terms. */
#define GS_MATCH_BYTES_MAX ((size_t)32 * 1024 * 1024)

/* Flags of gs_match_new. */
#define GS_MATCH_FOLD_ASCII 1u

typedef struct gs_match gs_match_t;

/* Called for every occurrence, in order of where it ends; at one end position the longer
 * pattern comes first, duplicates in the order they were added. off and len are bytes of
 * the scanned text. Return 0 to go on, anything else to stop the scan. */
typedef int (*gs_match_cb)(void *ud, uint32_t id, size_t off, size_t len);

/* An empty matcher; NULL when out of memory. */
gs_match_t *gs_match_new(unsigned flags);

/* Add a pattern of len bytes reported as id. GS_EINVAL for an empty pattern, GS_ETOOBIG
 * past a limit, GS_ESTATE once built, GS_ENOMEM. */
int gs_match_add(gs_match_t *m, const void *bytes, size_t len, uint32_t id);

/* Build the automaton. Returns 0, GS_ENOMEM, or GS_ESTATE when already built. The added
 * patterns' copies are released: only the automaton is kept. */
int gs_match_build(gs_match_t *m, gs_err_t *err);

/* Report every occurrence of every pattern in text. Returns 0 when the whole text was
 * read, 1 when the callback stopped the scan, GS_ESTATE when the matcher is not built,
 * GS_EINVAL when text is NULL and len is not 0. */
int gs_match_scan(const gs_match_t *m, const void *text, size_t len, gs_match_cb cb, void *ud);

/* Patterns added; states of the built automaton (0 before building); bytes the matcher
 * holds (the automaton once built, the pattern copies before). */
size_t gs_match_patterns(const gs_match_t *m);
size_t gs_match_states(const gs_match_t *m);
size_t gs_match_memory(const gs_match_t *m);

/* Free the matcher and set *m to NULL; NULL-safe and idempotent. */
void gs_match_destroy(gs_match_t **m);

#endif
