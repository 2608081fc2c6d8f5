/* gs_date.h -- dates and times as government pages and feeds write them.
 *
 * All calendar arithmetic is in China Standard Time (UTC+8, no DST) unless a time zone
 * is given in the input. Times are Unix seconds (int64_t); calendar dates are gs_ymd_t.
 *
 * gs_date_scan finds *publication* dates in page text: 2021-06-28, 2021/6/28, 2021.06.28,
 * 2021年6月28日, 二〇二一年六月二十八日, [06-28] / 06-28 with the year inferred from the
 * reference time, "3 天前"/"3天前"/"昨天"/"今天", 10/13-digit timestamps only where the
 * caller says so. It ignores what is not a publication date: copyright years
 * (©/Copyright/版权所有 2021), phone numbers, document numbers (〔2021〕23号, [2021]23号),
 * and any date after the reference date (a future date is never an update).
 *
 * Pure functions, no allocation, thread-safe. */
#ifndef GS_DATE_H
#define GS_DATE_H

#include "gs_err.h"

#include <stddef.h>
#include <stdint.h>

/* A calendar date. */
typedef struct gs_ymd {
    int y, m, d;
} gs_ymd_t;

/* A date found in text, with where it was found. */
typedef struct gs_date_found {
    gs_ymd_t date;
    size_t offset; /* byte offset of the match in the scanned text */
    size_t len;    /* byte length of the match */
} gs_date_found_t;

#define GS_TZ_CST (8 * 3600)

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
int64_t gs_days_from_civil(int y, int m, int d);
/* Inverse of gs_days_from_civil. */
gs_ymd_t gs_civil_from_days(int64_t days);
/* 1 when y-m-d is a real calendar date. */
int gs_ymd_valid(int y, int m, int d);
/* The CST calendar date of a Unix time. */
gs_ymd_t gs_ymd_from_unix_cst(int64_t t);
/* Calendar days from a to b (b - a); positive when b is later. */
int gs_ymd_days_between(gs_ymd_t a, gs_ymd_t b);
/* "YYYY-MM-DD" into out (at least 11 bytes). */
void gs_ymd_format(gs_ymd_t d, char *out, size_t outlen);

/* The sweep's reference time: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "YYYY-MM-DDTHH:MM:SS",
 * optionally followed by "Z" or "+HH:MM"/"-HH:MM" (default +08:00). A space may stand for
 * the T. Returns 0 or GS_EINVAL with err saying what is wrong. */
int gs_time_parse_reference(const char *s, int64_t *out_unix, gs_err_t *err);
/* Format t as "YYYY-MM-DDTHH:MM:SS+08:00" into out (at least 26 bytes). */
void gs_time_format_cst(int64_t t, char *out, size_t outlen);

/* Scan UTF-8 text for publication dates (see above). Writes up to max dates into out in
 * order of appearance and returns how many were found in all (may exceed max). */
size_t gs_date_scan(const char *text, size_t len, int64_t ref_unix, gs_date_found_t *out,
                    size_t max);

/* Parse one date/time value as meta tags and feeds write it: RFC 3339 / ISO 8601
 * ("2021-06-28T10:00:00+08:00", "2021-06-28 10:00:00", "2021-06-28"), RFC 822/1123
 * ("Mon, 28 Jun 2021 10:00:00 +0800", "GMT", "CST" = +0800 here), the Chinese forms
 * ("2021年06月28日 10:00"), and Unix timestamps of 10 or 13 digits. Values without a zone
 * are CST. Returns 0 and sets *out_unix, or GS_EPARSE. */
int gs_time_parse_any(const char *s, int64_t *out_unix);

#endif
