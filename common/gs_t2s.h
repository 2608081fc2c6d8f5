/* gs_t2s.h -- Traditional Chinese to Simplified, with OpenCC.
 *
 * The wording dictionary is written in Simplified Chinese; a page in Traditional
 * characters (a 香港/臺灣-style page, an old Big5 site) is converted before it is
 * matched (checks.md, W-WORDING). OpenCC's t2s.json does phrase-aware conversion
 * (TSPhrases + TSCharacters, from the libopencc-data and libopencc1.1 packages).
 * gs_t2s_looks_traditional tells whether a page needs it, so Simplified pages, the great
 * majority, skip the conversion cost.
 *
 * Ownership: gs_t2s_new opens the converter (loading its dictionaries and learning which
 * characters conversion changes takes about 20 ms: once per process, not per page);
 * gs_t2s_destroy frees it. Converted text
 * is a new string the caller frees, or is appended to the caller's gs_buf_t.
 *
 * Threads: conversion only reads the converter, and OpenCC documents its C API as
 * thread-safe except opencc_error(), so one gs_t2s_t may be shared by all threads once
 * created. Create and destroy converters from one thread at a time: a failed open reads
 * OpenCC's global error message.
 *
 * Input: any bytes. Invalid UTF-8 is replaced by U+FFFD before OpenCC sees it (OpenCC
 * trusts sequence lengths and would read past a truncated one) and NUL bytes are passed
 * through unchanged (OpenCC stops at a NUL). Text is converted in pieces of at most
 * GS_T2S_CHUNK bytes cut after an ASCII byte or a Chinese full stop or comma where
 * possible, so no piece splits a phrase in ordinary text; the ceiling of the output
 * (max_out or the buffer's max) always holds. */
#ifndef GS_T2S_H
#define GS_T2S_H

#include "gs_buf.h"
#include "gs_err.h"

#include <stddef.h>

/* OpenCC's Traditional-to-Simplified configuration, looked up in OpenCC's data directory. */
#define GS_T2S_CONFIG_DEFAULT "t2s.json"
/* Largest piece handed to OpenCC at once. */
#define GS_T2S_CHUNK ((size_t)64 * 1024)
/* Bytes at the start of a text that gs_t2s_looks_traditional examines. */
#define GS_T2S_SAMPLE ((size_t)4096)

typedef struct gs_t2s gs_t2s_t;

/* Open the converter with an OpenCC configuration (a file name in OpenCC's data
 * directory, or a path); NULL means GS_T2S_CONFIG_DEFAULT. NULL on failure, with err
 * saying why (the configuration or its dictionaries not found: install libopencc-data). */
gs_t2s_t *gs_t2s_new(const char *config, gs_err_t *err);

/* Close the converter and set *t to NULL; NULL-safe and idempotent. */
void gs_t2s_destroy(gs_t2s_t **t);

/* Convert len bytes into a new NUL-terminated string (caller frees) of at most max_out
 * bytes. Returns 0, GS_ETOOBIG past max_out (nothing returned), GS_ECHARSET when OpenCC
 * fails, GS_ENOMEM. */
int gs_t2s_convert(const gs_t2s_t *t, const char *in, size_t len, size_t max_out, char **out,
                   size_t *out_len);

/* Append the conversion of len bytes to out (its ceiling applies). Same errors; on error
 * out holds a prefix of the conversion. */
int gs_t2s_append(const gs_t2s_t *t, const char *in, size_t len, gs_buf_t *out);

/* Statistics of the first GS_T2S_SAMPLE bytes of text: Han characters, and characters
 * that conversion changes on their own (臺, 灣, 關, 於 ...; looked up in a table the
 * converter builds when it opens, so this costs microseconds, not a conversion). Either
 * pointer may be NULL. Returns 0, or GS_EINVAL for NULL text with a length. */
int gs_t2s_sample(const gs_t2s_t *t, const char *text, size_t len, size_t *han, size_t *changed);

/* 1 when the text looks Traditional: in its first GS_T2S_SAMPLE bytes at least
 * GS_T2S_MIN_CHANGED characters change under conversion and they are at least 1 in
 * GS_T2S_RATIO of the Han characters (Simplified text has none, or a stray name); 0 when
 * not; a negative code on failure. */
#define GS_T2S_MIN_CHANGED 2
#define GS_T2S_RATIO 20
int gs_t2s_looks_traditional(const gs_t2s_t *t, const char *text, size_t len);

#endif
