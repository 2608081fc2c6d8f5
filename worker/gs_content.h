/* gs_content.h -- the text checks both websites and accounts run: the dictionaries
 * (wording errors, spam terms) and personal data (身份证号 with a valid checksum, mobile
 * numbers in bulk), adding what they find to gs_hits_t lists. Pure functions of their
 * inputs and the shared, read-only check data; thread-safe. Limit: GS_CONTENT_HITS
 * distinct dictionary entries read from one text. */
#ifndef GS_CONTENT_H
#define GS_CONTENT_H

#include "gs_checks.h"
#include "gs_dict.h"
#include "gs_hits.h"

#include <stdint.h>

#define GS_CONTENT_HITS 64

/* Spam terms of a text into out (up to max): the distinct terms found when together they
 * weigh enough to be evidence (one term of full weight, or several lighter ones;
 * docs/dictionaries.md), else none. Returns how many, or a negative code. */
int gs_content_spam_terms(const gs_check_env_t *env, const char *text, size_t len,
                          gs_dict_spam_t *out, size_t max);

/* Wording errors into wording (extra = "RIGHT\tserious|normal") and spam terms into spam
 * (extra = the category), each with a snippet and the page url. When terms is not NULL,
 * the spam terms found are appended to it, one per line (the cloaking probe compares).
 * 0, or a negative code (GS_ENOMEM): some of what the text holds may be missing. */
int gs_content_dict(const gs_check_env_t *env, const char *text, size_t len, const char *url,
                    gs_hits_t *wording, gs_hits_t *spam, char **terms);

/* 身份证号 (checksum-valid, a plausible birth date not after ref_day) and mobile numbers
 * in text: each ID number a hit (masked, extra "id-number"); the mobiles one hit (the
 * first masked, extra "mobile", context the count) when at least min_mobiles distinct
 * ones are there. The evidence masks the middle of each number: the report must not
 * spread what the page exposed. Returns 1 when mobiles were in bulk, else 0; GS_ENOMEM
 * when a hit could not be kept. */
int gs_content_privacy(const char *text, size_t len, int32_t ref_day, uint32_t min_mobiles,
                       const char *url, gs_hits_t *privacy);

#endif
