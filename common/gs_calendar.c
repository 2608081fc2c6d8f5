/* gs_calendar.c -- holidays and 调休 days over the Monday-to-Friday rule.
 *
 * The dates that differ from the rule are few (about 40 a year), so they are kept sorted
 * and looked up by binary search; counting working days over a range is the closed-form
 * count of Mondays to Fridays plus one correction per listed date in the range, so the
 * cost does not depend on the length of the range. */
#include "gs_calendar.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAL_YEARS (GS_CALENDAR_YEAR_MAX - GS_CALENDAR_YEAR_MIN + 1)
/* Day number (since 1970-01-01) of a Monday, the origin of the weekday count. */
#define CAL_MONDAY 4

/* A date that differs from (or restates) the Monday-to-Friday rule. */
struct cal_day {
    int64_t day;                     /* days since 1970-01-01 */
    size_t seq;                      /* order read, across files: the later wins */
    int work;                        /* 1 = working day (调休), 0 = day off (放假) */
    char name[GS_CALENDAR_NAME_MAX]; /* holiday name as written, truncated to fit */
};

struct gs_calendar {
    struct cal_day *d;            /* sorted by day, one per day */
    size_t n, cap;                /* used, allocated */
    size_t seq;                   /* next sequence number */
    unsigned char cov[CAL_YEARS]; /* 1 when the year's schedule is held in full */
};

/* Weekday of a day number: 0 = Sunday .. 6 = Saturday. */
static int cal_weekday(int64_t day)
{
    int64_t w = (day + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

static int cal_rule(int64_t day)
{
    int w = cal_weekday(day);
    return w >= 1 && w <= 5;
}

/* Mondays to Fridays up to and including day, counted from an arbitrary origin: only
 * differences of two values mean anything. */
static int64_t cal_rule_count(int64_t day)
{
    int64_t k = day - CAL_MONDAY;
    int64_t q = k >= 0 ? k / 7 : -((-k + 6) / 7);
    int64_t r = k - 7 * q; /* 0 = Monday .. 6 = Sunday */
    return 5 * q + (r + 1 < 5 ? r + 1 : 5);
}

/* The listed date for day, or NULL. */
static const struct cal_day *cal_find(const gs_calendar_t *cal, int64_t day)
{
    size_t lo = 0, hi = cal->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->d[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < cal->n && cal->d[lo].day == day ? &cal->d[lo] : NULL;
}

/* Index of the first listed date > day. */
static size_t cal_upper(const gs_calendar_t *cal, int64_t day)
{
    size_t lo = 0, hi = cal->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->d[mid].day <= day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int gs_calendar_covers(const gs_calendar_t *cal, int year)
{
    if (year < GS_CALENDAR_YEAR_MIN || year > GS_CALENDAR_YEAR_MAX)
        return 0;
    return cal->cov[year - GS_CALENDAR_YEAR_MIN];
}

static int cal_day_work(const gs_calendar_t *cal, int64_t day)
{
    const struct cal_day *e = cal_find(cal, day);
    return e ? e->work : cal_rule(day);
}

/* Parse "YYYY-MM-DD" exactly. */
static int cal_parse_date(const char *s, gs_ymd_t *d)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return GS_EPARSE;
    int v[3] = {0, 0, 0}, pos[3] = {0, 5, 8}, w[3] = {4, 2, 2};
    for (int f = 0; f < 3; f++) {
        for (int i = 0; i < w[f]; i++) {
            char c = s[pos[f] + i];
            if (c < '0' || c > '9')
                return GS_EPARSE;
            v[f] = v[f] * 10 + (c - '0');
        }
    }
    if (!gs_ymd_valid(v[0], v[1], v[2]))
        return GS_EPARSE;
    d->y = v[0], d->m = v[1], d->d = v[2];
    return 0;
}

static int cal_cmp(const void *a, const void *b)
{
    const struct cal_day *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Split at tabs into at most max fields; the number found (max + 1 when more). */
static int cal_split(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        char *tab = strchr(s, '\t');
        if (tab)
            *tab = '\0';
        if (n == max)
            return max + 1;
        f[n++] = s;
        if (!tab)
            return n;
        s = tab + 1;
    }
}

/* Read one file into new (appended after the existing dates, unsorted) and cov. */
static int cal_read(gs_calendar_t *cal, const char *path, struct cal_day **nd, size_t *nn,
                    size_t *ncap, unsigned char *cov, gs_err_t *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    char line[GS_CALENDAR_LINE_MAX + 2];
    int lineno = 0, rc = 0;
    size_t seq = cal->seq;
    while (rc == 0 && fgets(line, sizeof(line), fp)) {
        lineno++;
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] != '\n' && !feof(fp)) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: line longer than %d bytes", path, lineno,
                            GS_CALENDAR_LINE_MAX);
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (line[strspn(line, " \t")] == '\0' || line[0] == '#')
            continue;
        char *f[3];
        int nf = cal_split(line, f, 3);
        if (strcmp(f[0], "year") == 0) {
            char *end = NULL;
            errno = 0;
            long y = nf >= 2 ? strtol(f[1], &end, 10) : 0;
            if (nf < 2 || errno || end == f[1] || *end || y < GS_CALENDAR_YEAR_MIN ||
                y > GS_CALENDAR_YEAR_MAX) {
                rc = gs_err_set(err, GS_EPARSE, "%s:%d: expected year<TAB>%d..%d[<TAB>source]",
                                path, lineno, GS_CALENDAR_YEAR_MIN, GS_CALENDAR_YEAR_MAX);
                break;
            }
            cov[y - GS_CALENDAR_YEAR_MIN] = 1;
            continue;
        }
        gs_ymd_t d;
        if (nf < 2 || nf > 3 || cal_parse_date(f[0], &d) < 0 ||
            (strcmp(f[1], "off") != 0 && strcmp(f[1], "work") != 0)) {
            rc = gs_err_set(err, GS_EPARSE, "%s:%d: expected YYYY-MM-DD<TAB>off|work[<TAB>name]",
                            path, lineno);
            break;
        }
        if (d.y < GS_CALENDAR_YEAR_MIN || d.y > GS_CALENDAR_YEAR_MAX) {
            rc = gs_err_set(err, GS_EPARSE, "%s:%d: year outside %d..%d", path, lineno,
                            GS_CALENDAR_YEAR_MIN, GS_CALENDAR_YEAR_MAX);
            break;
        }
        if (cal->n + *nn >= GS_CALENDAR_ENTRIES_MAX) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: more than %d dates", path, lineno,
                            GS_CALENDAR_ENTRIES_MAX);
            break;
        }
        if (*nn == *ncap) {
            size_t c = *ncap ? *ncap * 2 : 128;
            struct cal_day *p = realloc(*nd, c * sizeof(*p));
            if (!p) {
                rc = gs_err_set(err, GS_ENOMEM, "out of memory");
                break;
            }
            *nd = p;
            *ncap = c;
        }
        struct cal_day *e = &(*nd)[(*nn)++];
        memset(e, 0, sizeof(*e));
        e->day = gs_days_from_civil(d.y, d.m, d.d);
        e->seq = seq++;
        e->work = strcmp(f[1], "work") == 0;
        if (nf == 3) {
            /* Keep the name whole-character: cut before a UTF-8 continuation byte. */
            size_t n = strlen(f[2]);
            if (n >= sizeof(e->name)) {
                n = sizeof(e->name) - 1;
                while (n > 0 && ((unsigned char)f[2][n] & 0xc0) == 0x80)
                    n--;
            }
            memcpy(e->name, f[2], n);
            e->name[n] = '\0';
        }
    }
    if (rc == 0 && ferror(fp))
        rc = gs_err_set(err, GS_EIO, "%s: read error", path);
    fclose(fp);
    if (rc == 0)
        cal->seq = seq;
    return rc;
}

int gs_calendar_load_more(gs_calendar_t *cal, const char *path, gs_err_t *err)
{
    unsigned char cov[CAL_YEARS];
    memcpy(cov, cal->cov, sizeof(cov));
    struct cal_day *nd = NULL;
    size_t nn = 0, ncap = 0;
    int rc = cal_read(cal, path, &nd, &nn, &ncap, cov, err);
    if (rc < 0) {
        free(nd);
        return rc;
    }
    struct cal_day *all = realloc(cal->d, (cal->n + nn + 1) * sizeof(*all));
    if (!all) {
        free(nd);
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    }
    if (nn)
        memcpy(all + cal->n, nd, nn * sizeof(*all));
    free(nd);
    size_t total = cal->n + nn;
    qsort(all, total, sizeof(*all), cal_cmp);
    /* One date per day: the last read wins. */
    size_t o = 0;
    for (size_t i = 0; i < total; i++) {
        if (o > 0 && all[o - 1].day == all[i].day)
            all[o - 1] = all[i];
        else
            all[o++] = all[i];
    }
    cal->d = all;
    cal->n = o;
    cal->cap = total + 1;
    memcpy(cal->cov, cov, sizeof(cov));
    return 0;
}

gs_calendar_t *gs_calendar_load(const char *path, gs_err_t *err)
{
    gs_calendar_t *cal = calloc(1, sizeof(*cal));
    if (!cal) {
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    if (gs_calendar_load_more(cal, path, err) < 0)
        gs_calendar_destroy(&cal);
    return cal;
}

void gs_calendar_destroy(gs_calendar_t **calp)
{
    if (!calp || !*calp)
        return;
    free((*calp)->d);
    free(*calp);
    *calp = NULL;
}

/* Set *assumed when a year of first..last (inclusive) is not covered. */
static void cal_assumed(const gs_calendar_t *cal, int first, int last, int *assumed)
{
    if (!assumed)
        return;
    *assumed = 0;
    for (int y = first; y <= last; y++) {
        if (!gs_calendar_covers(cal, y)) {
            *assumed = 1;
            return;
        }
    }
}

int gs_calendar_is_workday(const gs_calendar_t *cal, gs_ymd_t d, int *assumed)
{
    if (!gs_ymd_valid(d.y, d.m, d.d))
        return GS_EINVAL;
    cal_assumed(cal, d.y, d.y, assumed);
    return cal_day_work(cal, gs_days_from_civil(d.y, d.m, d.d));
}

int gs_calendar_workdays_between(const gs_calendar_t *cal, gs_ymd_t from, gs_ymd_t to, int *assumed)
{
    if (!gs_ymd_valid(from.y, from.m, from.d) || !gs_ymd_valid(to.y, to.m, to.d))
        return GS_EINVAL;
    int64_t a = gs_days_from_civil(from.y, from.m, from.d);
    int64_t b = gs_days_from_civil(to.y, to.m, to.d);
    if (assumed)
        *assumed = 0;
    if (b <= a)
        return 0;
    gs_ymd_t next = gs_civil_from_days(a + 1);
    cal_assumed(cal, next.y, to.y, assumed);
    int64_t n = cal_rule_count(b) - cal_rule_count(a);
    for (size_t i = cal_upper(cal, a); i < cal->n && cal->d[i].day <= b; i++)
        n += cal->d[i].work - cal_rule(cal->d[i].day);
    return n > INT32_MAX ? INT32_MAX : (int)n;
}

int gs_calendar_add_workdays(const gs_calendar_t *cal, gs_ymd_t from, int n, gs_ymd_t *out,
                             int *assumed)
{
    if (!gs_ymd_valid(from.y, from.m, from.d) || n < 0 || n > GS_CALENDAR_ADD_MAX)
        return GS_EINVAL;
    int64_t day = gs_days_from_civil(from.y, from.m, from.d);
    for (int k = 0; k < n;) {
        day++;
        if (cal_day_work(cal, day))
            k++;
    }
    *out = gs_civil_from_days(day);
    if (assumed) {
        gs_ymd_t next =
            n > 0 ? gs_civil_from_days(gs_days_from_civil(from.y, from.m, from.d) + 1) : from;
        cal_assumed(cal, next.y, out->y, assumed);
    }
    return 0;
}

const char *gs_calendar_name(const gs_calendar_t *cal, gs_ymd_t d)
{
    if (!gs_ymd_valid(d.y, d.m, d.d))
        return NULL;
    const struct cal_day *e = cal_find(cal, gs_days_from_civil(d.y, d.m, d.d));
    return e && e->name[0] ? e->name : NULL;
}
