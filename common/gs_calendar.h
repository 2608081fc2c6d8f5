/* gs_calendar.h -- the working-day calendar of mainland China: Monday to Friday, except the
 * official holidays (放假) and the weekend days worked in exchange (调休), as the State
 * Council announces them each year.
 *
 * The calendar is data (data/holidays.tsv, format in docs/dictionaries.md): a line per
 * date that differs from the Monday-to-Friday rule, and a `year` line per year whose
 * notice the file holds in full. Later lines win, across files too, so an operator adds
 * or corrects dates with gs_calendar_load_more(cal, override_file) without editing the
 * shipped file. A year with no `year` line is not covered: its dates fall back to the
 * Monday-to-Friday rule, and every query says so through its `assumed` flag.
 *
 * "Working days between" counts the working days strictly after the start date up to and
 * including the end date, whatever the hour: a message asked on Friday evening and answered
 * the next Friday took 5 working days; answered the same day, 0. A reply is within N
 * working days when gs_calendar_workdays_between(asked, answered) <= N, and a message still
 * unanswered at the reference date is late when gs_calendar_workdays_between(asked,
 * reference) > N. gs_calendar_add_workdays(asked, N) is the N-th working day after the
 * question (the deadline to show); a reply on a non-working day right after it has still
 * taken N working days.
 *
 * Ownership and threads: gs_calendar_load allocates, gs_calendar_destroy frees. Loading
 * more changes the calendar and must not run while it is queried; queries only read it
 * and are thread-safe. Limits: GS_CALENDAR_ENTRIES_MAX dates, years
 * GS_CALENDAR_YEAR_MIN..GS_CALENDAR_YEAR_MAX, lines of GS_CALENDAR_LINE_MAX bytes,
 * gs_calendar_add_workdays up to GS_CALENDAR_ADD_MAX days. */
#ifndef GS_CALENDAR_H
#define GS_CALENDAR_H

#include "gs_date.h"
#include "gs_err.h"

#include <stddef.h>

#define GS_CALENDAR_ENTRIES_MAX 100000
#define GS_CALENDAR_YEAR_MIN 1949
#define GS_CALENDAR_YEAR_MAX 2199
#define GS_CALENDAR_LINE_MAX 1024
#define GS_CALENDAR_NAME_MAX 64
#define GS_CALENDAR_ADD_MAX 36600

typedef struct gs_calendar gs_calendar_t;

/* Load a calendar file. NULL on failure with err naming the file and line. */
gs_calendar_t *gs_calendar_load(const char *path, gs_err_t *err);

/* Load another file over the calendar: its dates replace the same dates, its `year` lines
 * add coverage. On failure the calendar is unchanged. Returns 0 or a negative code. */
int gs_calendar_load_more(gs_calendar_t *cal, const char *path, gs_err_t *err);

/* Free the calendar and set *cal to NULL; NULL-safe and idempotent. */
void gs_calendar_destroy(gs_calendar_t **cal);

/* 1 when the calendar holds the whole official schedule of year. */
int gs_calendar_covers(const gs_calendar_t *cal, int year);

/* In the queries below, *assumed (when not NULL) is set to 1 when a date involved lies
 * in a year the calendar does not cover, so the Monday-to-Friday rule was assumed there,
 * and to 0 otherwise. */

/* 1 when d is a working day, 0 when not, GS_EINVAL for an invalid date. */
int gs_calendar_is_workday(const gs_calendar_t *cal, gs_ymd_t d, int *assumed);

/* Working days after from, up to and including to (0 when to <= from), or GS_EINVAL. */
int gs_calendar_workdays_between(const gs_calendar_t *cal, gs_ymd_t from, gs_ymd_t to,
                                 int *assumed);

/* The n-th working day after from into *out (from itself when n is 0). Returns 0, or
 * GS_EINVAL for an invalid date or n outside 0..GS_CALENDAR_ADD_MAX. */
int gs_calendar_add_workdays(const gs_calendar_t *cal, gs_ymd_t from, int n, gs_ymd_t *out,
                             int *assumed);

/* The name the file gives d (春节, 国庆节调休, ...), borrowed; NULL for an ordinary day. */
const char *gs_calendar_name(const gs_calendar_t *cal, gs_ymd_t d);

#endif
