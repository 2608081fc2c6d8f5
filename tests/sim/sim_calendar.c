/* sim_calendar.c -- the working-day calendar of the simulated province: Monday to Friday,
 * corrected by the official 放假/调休 dates of data/holidays.tsv, so that the message boards
 * can plant replies on either side of "5 working days" across 春节, 国庆 and the working
 * Saturdays and Sundays (调休), and their truth counts working days as govsweep must.
 *
 * The file is the one govsweep's calendar reads (YYYY-MM-DD<TAB>off|work<TAB>name lines,
 * `year<TAB>YYYY<TAB>source` lines for the years it covers, '#' comments); it is read once
 * at plan time from --data-dir. When it is missing the calendar
 * is plain Monday-Friday and the boards plant only cases that no holiday can move across a
 * threshold (sim_board.c). Dates outside the years the file covers follow Monday-Friday.
 * Read-only once loaded; lookups are binary searches. */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ceiling of the file: a line per special date of a few decades is a few KB. */
#define CAL_MAX_LINES 20000

static int cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* One dated line of the file. */
struct entry {
    int64_t day;   /* days since 1970-01-01 */
    uint8_t work;  /* 1: work, 0: off */
    unsigned line; /* line number, so that a later line for a day wins */
};

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

int sim_cal_load(sim_cal_t *c, const char *dir, gs_err_t *err)
{
    memset(c, 0, sizeof *c);
    if (!dir)
        return 0;
    snprintf(c->path, sizeof c->path, "%s/holidays.tsv", dir);
    FILE *f = fopen(c->path, "r");
    if (!f)
        return errno == ENOENT ? 0 : gs_err_set(err, GS_EIO, "cannot read %s", c->path);
    /* Parse into a (day, work) array first, sorted afterwards: the file is sorted by
     * convention only, and a later line for the same day wins (an operator's correction). */
    struct entry *e = calloc(CAL_MAX_LINES, sizeof *e);
    if (!e) {
        fclose(f);
        return gs_err_set(err, GS_ENOMEM, "out of memory reading %s", c->path);
    }
    size_t n = 0;
    unsigned lineno = 0;
    char line[512];
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '#' || *s == '\n' || *s == '\r' || *s == '\0')
            continue;
        int y, m, d, used = 0;
        char kind[8];
        if (strncmp(s, "year\t", 5) == 0) {
            char *end;
            long yy = strtol(s + 5, &end, 10);
            if (end == s + 5 || yy < 1900 || yy > 2200) {
                rc = gs_err_set(err, GS_EPARSE, "%s:%u: want year<TAB>YYYY<TAB>source", c->path,
                                lineno);
                break;
            }
            if (c->first_year == 0 || yy < c->first_year)
                c->first_year = (int)yy;
            if (yy > c->last_year)
                c->last_year = (int)yy;
            continue;
        }
        if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || !gs_ymd_valid(y, m, d) ||
            s[used] != '\t' || sscanf(s + used + 1, "%7[a-z]", kind) != 1 ||
            (strcmp(kind, "off") != 0 && strcmp(kind, "work") != 0)) {
            rc = gs_err_set(err, GS_EPARSE, "%s:%u: want YYYY-MM-DD<TAB>off|work<TAB>name", c->path,
                            lineno);
            break;
        }
        if (n == CAL_MAX_LINES) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s: more than %d dates", c->path, CAL_MAX_LINES);
            break;
        }
        e[n].day = gs_days_from_civil(y, m, d);
        e[n].work = kind[0] == 'w';
        e[n].line = lineno;
        n++;
    }
    fclose(f);
    if (rc == 0 && n > 0) {
        /* By day, then by line: the last line of a day is kept below. */
        qsort(e, n, sizeof *e, cmp_entry);
        c->days = malloc(n * sizeof *c->days);
        c->work = malloc(n);
        if (!c->days || !c->work) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory reading %s", c->path);
        } else {
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                if (k > 0 && c->days[k - 1] == e[i].day)
                    k--;
                c->days[k] = e[i].day;
                c->work[k] = e[i].work;
                k++;
            }
            c->n = k;
            c->loaded = true;
        }
    }
    free(e);
    if (rc < 0)
        sim_cal_cleanup(c);
    return rc;
}

void sim_cal_cleanup(sim_cal_t *c)
{
    free(c->days);
    free(c->work);
    c->days = NULL;
    c->work = NULL;
    c->n = 0;
    c->loaded = false;
}

bool sim_cal_workday(const sim_cal_t *c, int64_t day)
{
    if (c->n) {
        int64_t *hit = bsearch(&day, c->days, c->n, sizeof *c->days, cmp_day);
        if (hit)
            return c->work[hit - c->days] != 0;
    }
    int wd = (int)(((day % 7) + 7 + 4) % 7); /* 0 = Sunday; 1970-01-01 was a Thursday */
    return wd != 0 && wd != 6;
}

/* Monday-Friday days in (from, to]. */
static int64_t weekdays_upto(int64_t day)
{
    /* Weekdays in [epoch Monday, day], counted by whole weeks: 1970-01-05 was a Monday. */
    int64_t d = day - 4; /* days since Monday 1970-01-05, counting it as 1 */
    int64_t weeks = d >= 0 ? d / 7 : (d - 6) / 7;
    int64_t rest = d - weeks * 7; /* 0 = Monday ... 6 = Sunday */
    return weeks * 5 + (rest < 5 ? rest + 1 : 5);
}

/* Index of the first special day after `day`. */
static size_t first_after(const sim_cal_t *c, int64_t day)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->days[mid] <= day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int sim_cal_workdays_between(const sim_cal_t *c, int64_t from, int64_t to)
{
    if (to <= from)
        return 0;
    /* Monday-Friday, corrected by the special days in the span (a few dozen a year), so
     * that the truth of a large province is quick to write. */
    int64_t n = weekdays_upto(to) - weekdays_upto(from);
    for (size_t i = first_after(c, from); i < c->n && c->days[i] <= to; i++) {
        int wd = (int)(((c->days[i] % 7) + 7 + 4) % 7);
        bool weekday = wd != 0 && wd != 6;
        if (weekday && !c->work[i])
            n--;
        else if (!weekday && c->work[i])
            n++;
    }
    return (int)n;
}

int64_t sim_cal_add_workdays(const sim_cal_t *c, int64_t from, int n)
{
    int64_t d = from;
    while (n > 0) {
        d++;
        if (sim_cal_workday(c, d))
            n--;
    }
    return d;
}
