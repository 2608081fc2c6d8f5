/* gs_date.c -- calendar arithmetic in China Standard Time, the sweep's reference time,
 * the date/time values of meta tags and feeds, and the scanner that finds publication
 * dates in page text. Everything here is pure: no allocation, no global state, no
 * locale, so any thread may call it on any input, and every loop is bounded by the input
 * length so that a hostile page costs linear time. */
#include "gs_date.h"

#include <stdio.h>
#include <string.h>

/* Years a publication date on a government site can carry: nothing was published on the
 * web before 1990, and a year past 2100 is a typo or a number that is not a date. */
#define GS_DATE_YEAR_MIN 1990
#define GS_DATE_YEAR_MAX 2100

#define GS_DATE_DAY_SECS 86400
/* GS_TZ_CST as a 64-bit quantity, for arithmetic on Unix times. */
#define GS_DATE_CST_SECS ((int64_t)GS_TZ_CST)

/* Days from 0000-03-01 to 1970-01-01 in Hinnant's era arithmetic. */
#define GS_DATE_EPOCH_SHIFT 719468

/* Day counts beyond this are clamped so that the era arithmetic cannot overflow; it is
 * still a billion years either way, far past anything a page or a clock can carry. */
#define GS_DATE_DAYS_LIMIT ((int64_t)1 << 38)

/* ---- calendar ---------------------------------------------------------------------- */

/* Floor division of a by b (b > 0), the quotient in *q and the remainder (0..b-1) in *r,
 * without the overflow that adding an offset first would risk. */
static void floor_divmod(int64_t a, int64_t b, int64_t *q, int64_t *r)
{
    *q = a / b;
    *r = a % b;
    if (*r < 0) {
        (*q)--;
        *r += b;
    }
}

/* Days since the epoch of y-m-d: Hinnant's days_from_civil, in 64 bits throughout. */
int64_t gs_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                          /* [0, 399] */
    int64_t doy = (153 * ((int64_t)m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                   /* [0, 146096] */
    return era * 146097 + doe - GS_DATE_EPOCH_SHIFT;
}

/* The date of a day count: Hinnant's civil_from_days. */
gs_ymd_t gs_civil_from_days(int64_t days)
{
    if (days > GS_DATE_DAYS_LIMIT)
        days = GS_DATE_DAYS_LIMIT;
    if (days < -GS_DATE_DAYS_LIMIT)
        days = -GS_DATE_DAYS_LIMIT;
    int64_t z = days + GS_DATE_EPOCH_SHIFT;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    gs_ymd_t r;
    r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
    r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
    r.y = (int)(yoe + era * 400 + (r.m <= 2));
    return r;
}

/* 1 in a Gregorian leap year. */
static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in month m (1..12) of year y. */
static int month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* 1 for a real date of years 1..9999. */
int gs_ymd_valid(int y, int m, int d)
{
    /* Years are the four digits every format here writes; year 0 and below are not
     * calendar years anyone writes on a page. */
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
        return 0;
    return d <= month_days(y, m);
}

/* The CST date of t: the day of t, plus one when t is at or after 16:00 UTC. */
gs_ymd_t gs_ymd_from_unix_cst(int64_t t)
{
    int64_t days, secs;
    floor_divmod(t, GS_DATE_DAY_SECS, &days, &secs);
    if (secs + GS_DATE_CST_SECS >= GS_DATE_DAY_SECS)
        days++;
    return gs_civil_from_days(days);
}

/* b - a in days. */
int gs_ymd_days_between(gs_ymd_t a, gs_ymd_t b)
{
    return (int)(gs_days_from_civil(b.y, b.m, b.d) - gs_days_from_civil(a.y, a.m, a.d));
}

/* YYYY-MM-DD into out, truncated to outlen. */
void gs_ymd_format(gs_ymd_t d, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    snprintf(out, outlen, "%04d-%02d-%02d", d.y, d.m, d.d);
}

/* t as CST wall-clock time with its +08:00 offset, truncated to outlen. */
void gs_time_format_cst(int64_t t, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    int64_t days, secs;
    floor_divmod(t, GS_DATE_DAY_SECS, &days, &secs);
    secs += GS_DATE_CST_SECS;
    if (secs >= GS_DATE_DAY_SECS) {
        secs -= GS_DATE_DAY_SECS;
        days++;
    }
    gs_ymd_t d = gs_civil_from_days(days);
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", d.y, d.m, d.d, (int)(secs / 3600),
             (int)(secs / 60 % 60), (int)(secs % 60));
}

/* Unix time of the wall-clock time y-m-d h:mi:s at UTC offset off (seconds). */
static int64_t unix_of(int y, int m, int d, int h, int mi, int s, int off)
{
    return gs_days_from_civil(y, m, d) * GS_DATE_DAY_SECS + (int64_t)h * 3600 + (int64_t)mi * 60 +
           s - off;
}

/* ---- the reference time ------------------------------------------------------------ */

/* Read exactly n ASCII digits at *p into *val; 0 on success, -1 otherwise. */
static int fixed_digits(const char **p, int n, int *val)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *val = v;
    return 0;
}

/* The reference time is typed by an operator on the command line or in a configuration
 * file, so the grammar is strict and every refusal says which part is wrong. */
int gs_time_parse_reference(const char *s, int64_t *out_unix, gs_err_t *err)
{
    if (!s)
        return gs_err_set(err, GS_EINVAL, "reference time missing");
    const char *p = s;
    int y, m, d, h = 0, mi = 0, sec = 0, off = GS_TZ_CST;
    if (fixed_digits(&p, 4, &y) < 0 || *p++ != '-' || fixed_digits(&p, 2, &m) < 0 || *p++ != '-' ||
        fixed_digits(&p, 2, &d) < 0)
        return gs_err_set(err, GS_EINVAL,
                          "reference time \"%.64s\": expected YYYY-MM-DD[THH:MM[:SS]][Z|+HH:MM]",
                          s);
    if (!gs_ymd_valid(y, m, d))
        return gs_err_set(err, GS_EINVAL, "reference time \"%.64s\": %04d-%02d-%02d is not a date",
                          s, y, m, d);
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (fixed_digits(&p, 2, &h) < 0 || *p++ != ':' || fixed_digits(&p, 2, &mi) < 0)
            return gs_err_set(err, GS_EINVAL,
                              "reference time \"%.64s\": expected HH:MM after the date", s);
        if (*p == ':') {
            p++;
            if (fixed_digits(&p, 2, &sec) < 0)
                return gs_err_set(err, GS_EINVAL,
                                  "reference time \"%.64s\": expected two digits of seconds", s);
        }
        if (h > 23 || mi > 59 || sec > 59)
            return gs_err_set(err, GS_EINVAL,
                              "reference time \"%.64s\": %02d:%02d:%02d is not a time of day", s, h,
                              mi, sec);
    }
    if (*p == 'Z' || *p == 'z') {
        off = 0;
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (fixed_digits(&p, 2, &oh) < 0 || *p++ != ':' || fixed_digits(&p, 2, &om) < 0)
            return gs_err_set(err, GS_EINVAL,
                              "reference time \"%.64s\": expected a UTC offset as +HH:MM", s);
        if (oh > 23 || om > 59)
            return gs_err_set(err, GS_EINVAL,
                              "reference time \"%.64s\": UTC offset %02d:%02d out of range", s, oh,
                              om);
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p != '\0')
        return gs_err_set(err, GS_EINVAL,
                          "reference time \"%.64s\": unexpected \"%.16s\" at position %d", s, p,
                          (int)(p - s));
    if (out_unix)
        *out_unix = unix_of(y, m, d, h, mi, sec, off);
    return 0;
}

/* ---- date/time values of meta tags and feeds ---------------------------------------- */

/* A cursor over a value being parsed; p never passes end. */
typedef struct cursor {
    const char *p;
    const char *end;
} cursor_t;

/* 1 when c is an ASCII digit. */
static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* 1 when c is an ASCII letter. */
static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 when c is ASCII white space. */
static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Skip white space; returns how much was skipped. */
static size_t cur_skip_ws(cursor_t *c)
{
    const char *start = c->p;
    while (c->p < c->end && is_space((unsigned char)*c->p))
        c->p++;
    return (size_t)(c->p - start);
}

/* Consume the literal lit (a byte string, UTF-8 for Chinese) when it comes next. */
static int cur_lit(cursor_t *c, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

/* Read a run of min..max ASCII digits into *val; the run must end there (no further
 * digit), so "2021" never reads as a two-digit field. 0 on success, -1 otherwise. */
static int cur_num(cursor_t *c, int min, int max, int *val)
{
    int n = 0, v = 0;
    while (c->p + n < c->end && is_digit((unsigned char)c->p[n])) {
        if (n == max)
            return -1;
        v = v * 10 + (c->p[n] - '0');
        n++;
    }
    if (n < min)
        return -1;
    c->p += n;
    *val = v;
    return 0;
}

/* Read an ASCII word of letters into buf, lower-cased. 1 when the word has 1..cap-1
 * letters, 0 when there is none or it is longer (no zone or month name is). */
static int cur_word(cursor_t *c, char *buf, size_t cap)
{
    size_t n = 0;
    while (c->p < c->end && is_alpha((unsigned char)*c->p)) {
        if (n + 1 >= cap)
            return 0;
        buf[n++] = (char)(*c->p | 0x20);
        c->p++;
    }
    buf[n] = '\0';
    return n > 0;
}

/* Month 1..12 of an English month name or its abbreviation ("jun", "june", "sept"), or
 * 0. The word is lower-case. */
static int month_of_name(const char *w)
{
    static const char *const names[12] = {"january",   "february", "march",    "april",
                                          "may",       "june",     "july",     "august",
                                          "september", "october",  "november", "december"};
    size_t n = strlen(w);
    if (n < 3)
        return 0;
    for (int i = 0; i < 12; i++) {
        if (strncmp(w, names[i], n) == 0 && n <= strlen(names[i]))
            return i + 1;
    }
    return 0;
}

/* 1 when w (lower-case) is an English day name or its abbreviation ("mon", "tues"). */
static int is_day_name(const char *w)
{
    static const char *const names[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                         "friday", "saturday", "sunday"};
    size_t n = strlen(w);
    if (n < 3)
        return 0;
    for (int i = 0; i < 7; i++) {
        if (strncmp(w, names[i], n) == 0 && n <= strlen(names[i]))
            return 1;
    }
    return 0;
}

/* UTC offset in seconds of a zone abbreviation (lower-case), or -1 when unknown. "cst"
 * is China Standard Time: these feeds are Chinese, and a Chinese server that says CST
 * means +0800, not US Central. */
static int zone_of_name(const char *w, int *off)
{
    static const struct {
        const char *name;
        int hours;
    } zones[] = {{"z", 0},    {"ut", 0},   {"utc", 0},  {"gmt", 0},  {"cst", 8},
                 {"bjt", 8},  {"hkt", 8},  {"est", -5}, {"edt", -4}, {"cdt", -5},
                 {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}, {"jst", 9}};
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        if (strcmp(w, zones[i].name) == 0) {
            *off = zones[i].hours * 3600;
            return 0;
        }
    }
    return -1;
}

/* A numeric UTC offset: +HH:MM, +HHMM, +HH or +H, the sign already next. */
static int cur_offset(cursor_t *c, int *off)
{
    if (c->p >= c->end || (*c->p != '+' && *c->p != '-'))
        return -1;
    int sign = *c->p++ == '-' ? -1 : 1, h, m = 0;
    int n = 0;
    while (c->p + n < c->end && is_digit((unsigned char)c->p[n]))
        n++;
    if (n == 4) {
        if (cur_num(c, 4, 4, &h) < 0)
            return -1;
        m = h % 100;
        h /= 100;
    } else {
        if (cur_num(c, 1, 2, &h) < 0)
            return -1;
        if (c->p < c->end && *c->p == ':') {
            c->p++;
            if (cur_num(c, 2, 2, &m) < 0)
                return -1;
        }
    }
    if (h > 23 || m > 59)
        return -1;
    *off = sign * (h * 3600 + m * 60);
    return 0;
}

/* An optional time zone followed by the end of the value: "Z", "+08:00", "+0800",
 * "GMT", "GMT+0800", "CST", and an RFC 822 comment "(中国标准时间)" after it. *off keeps
 * its value (CST) when no zone is given. */
static int cur_zone_end(cursor_t *c, int *off)
{
    cur_skip_ws(c);
    if (c->p < c->end && (*c->p == '+' || *c->p == '-')) {
        if (cur_offset(c, off) < 0)
            return -1;
    } else if (c->p < c->end && is_alpha((unsigned char)*c->p)) {
        char w[8];
        if (!cur_word(c, w, sizeof(w)) || zone_of_name(w, off) < 0)
            return -1;
        /* "GMT+0800" and "UTC+8" as JavaScript and some feeds write them. */
        if (*off == 0 && w[0] != 'z' && c->p < c->end && (*c->p == '+' || *c->p == '-') &&
            cur_offset(c, off) < 0)
            return -1;
    }
    cur_skip_ws(c);
    if (c->p < c->end && *c->p == '(') {
        while (c->p < c->end && *c->p != ')')
            c->p++;
        if (c->p == c->end)
            return -1;
        c->p++;
        cur_skip_ws(c);
    }
    return c->p == c->end ? 0 : -1;
}

/* The end of a value: with a time, an optional zone (cur_zone_end); a bare date takes
 * no zone, since "2021-06-28-5" is a serial number, not a date at UTC-5. */
static int cur_end(cursor_t *c, int has_time, int *off)
{
    if (has_time)
        return cur_zone_end(c, off);
    cur_skip_ws(c);
    return c->p == c->end ? 0 : -1;
}

/* A time of day: H:MM[:SS[.frac]] or the Chinese 10时30分[15秒] / 10点30分. Fractions of
 * a second are dropped; a leap second 60 counts as 59. */
static int cur_time(cursor_t *c, int *h, int *mi, int *s)
{
    *s = 0;
    if (cur_num(c, 1, 2, h) < 0)
        return -1;
    if (cur_lit(c, "时") || cur_lit(c, "点")) {
        if (cur_num(c, 1, 2, mi) < 0 || !cur_lit(c, "分"))
            return -1;
        if (c->p < c->end && is_digit((unsigned char)*c->p) &&
            (cur_num(c, 1, 2, s) < 0 || !cur_lit(c, "秒")))
            return -1;
    } else {
        if (c->p >= c->end || *c->p != ':')
            return -1;
        c->p++;
        if (cur_num(c, 2, 2, mi) < 0)
            return -1;
        if (c->p < c->end && *c->p == ':') {
            c->p++;
            if (cur_num(c, 2, 2, s) < 0)
                return -1;
            if (c->p < c->end && (*c->p == '.' || *c->p == ',')) {
                c->p++;
                if (c->p >= c->end || !is_digit((unsigned char)*c->p))
                    return -1;
                while (c->p < c->end && is_digit((unsigned char)*c->p))
                    c->p++;
            }
        }
    }
    if (*h > 23 || *mi > 59 || *s > 60)
        return -1;
    if (*s == 60)
        *s = 59;
    return 0;
}

/* RFC 3339 / ISO 8601 with '-', '/' or '.' between the fields, and the Chinese
 * 2021年06月28日 form, each with an optional time and zone. */
static int parse_iso_or_chinese(cursor_t *c, int64_t *out)
{
    int y, m, d, h = 0, mi = 0, s = 0, off = GS_TZ_CST;
    if (cur_num(c, 4, 4, &y) < 0)
        return -1;
    int chinese = 0;
    char sep = 0;
    cur_skip_ws(c);
    if (cur_lit(c, "年")) {
        chinese = 1;
    } else if (c->p < c->end && (*c->p == '-' || *c->p == '/' || *c->p == '.')) {
        sep = *c->p++;
    } else {
        return -1;
    }
    cur_skip_ws(c);
    if (cur_num(c, 1, 2, &m) < 0)
        return -1;
    cur_skip_ws(c);
    if (chinese ? !cur_lit(c, "月") : (c->p >= c->end || *c->p++ != sep))
        return -1;
    cur_skip_ws(c);
    if (cur_num(c, 1, 2, &d) < 0)
        return -1;
    if (chinese) {
        cur_skip_ws(c);
        if (!cur_lit(c, "日"))
            (void)cur_lit(c, "号");
    }
    if (!gs_ymd_valid(y, m, d))
        return -1;
    int ws = (int)cur_skip_ws(c), has_time = 0;
    if (c->p < c->end && (*c->p == 'T' || *c->p == 't') && !ws) {
        c->p++;
        if (cur_time(c, &h, &mi, &s) < 0)
            return -1;
        has_time = 1;
    } else if (c->p < c->end && is_digit((unsigned char)*c->p) && (ws || chinese)) {
        if (cur_time(c, &h, &mi, &s) < 0)
            return -1;
        has_time = 1;
    }
    if (cur_end(c, has_time, &off) < 0)
        return -1;
    *out = unix_of(y, m, d, h, mi, s, off);
    return 0;
}

/* A year of an RFC 822 date: four digits, or two (RFC 5322: 00-49 is 20xx). */
static int cur_year(cursor_t *c, int *y)
{
    const char *start = c->p;
    if (cur_num(c, 2, 4, y) < 0 || c->p - start == 3)
        return -1;
    if (c->p - start == 2)
        *y += *y < 50 ? 2000 : 1900;
    return 0;
}

/* RFC 822/1123 ("Mon, 28 Jun 2021 10:00:00 +0800", day name and seconds optional), and
 * the two forms programs print without a standard: C's ctime and Java's Date.toString
 * ("Mon Jun 28 10:00:00 CST 2021") and JavaScript's ("Mon Jun 28 2021 10:00:00
 * GMT+0800 (中国标准时间)"). */
static int parse_rfc822(cursor_t *c, int64_t *out)
{
    int y, m, d, h = 0, mi = 0, s = 0, off = GS_TZ_CST, has_time = 0;
    char w[16];
    if (c->p < c->end && is_alpha((unsigned char)*c->p)) {
        const char *save = c->p;
        if (!cur_word(c, w, sizeof(w)))
            return -1;
        if (is_day_name(w)) {
            if (c->p < c->end && *c->p == ',')
                c->p++;
            cur_skip_ws(c);
        } else {
            c->p = save;
        }
    }
    if (c->p < c->end && is_digit((unsigned char)*c->p)) {
        /* RFC 822: day month year [time] [zone]; '-' as in "28-Jun-2021" is RFC 850. */
        if (cur_num(c, 1, 2, &d) < 0)
            return -1;
        if (c->p < c->end && *c->p == '-')
            c->p++;
        else if (!cur_skip_ws(c))
            return -1;
        if (!cur_word(c, w, sizeof(w)) || !(m = month_of_name(w)))
            return -1;
        if (c->p < c->end && *c->p == '-')
            c->p++;
        else if (!cur_skip_ws(c))
            return -1;
        if (cur_year(c, &y) < 0)
            return -1;
        if (cur_skip_ws(c) && c->p < c->end && is_digit((unsigned char)*c->p)) {
            if (cur_time(c, &h, &mi, &s) < 0)
                return -1;
            has_time = 1;
        }
    } else {
        /* ctime / Java / JavaScript: month day, then the year before or after the time. */
        if (!cur_word(c, w, sizeof(w)) || !(m = month_of_name(w)))
            return -1;
        if (!cur_skip_ws(c) || cur_num(c, 1, 2, &d) < 0 || !cur_skip_ws(c))
            return -1;
        const char *save = c->p;
        if (cur_num(c, 4, 4, &y) == 0) {
            if (cur_skip_ws(c) && c->p < c->end && is_digit((unsigned char)*c->p)) {
                if (cur_time(c, &h, &mi, &s) < 0)
                    return -1;
                has_time = 1;
            }
        } else {
            c->p = save;
            if (cur_time(c, &h, &mi, &s) < 0 || !cur_skip_ws(c))
                return -1;
            if (c->p < c->end && is_alpha((unsigned char)*c->p)) {
                if (!cur_word(c, w, sizeof(w)) || zone_of_name(w, &off) < 0)
                    return -1;
                if (!cur_skip_ws(c))
                    return -1;
            }
            if (cur_num(c, 4, 4, &y) < 0)
                return -1;
            has_time = 1;
        }
    }
    if (!gs_ymd_valid(y, m, d))
        return -1;
    if (cur_end(c, has_time, &off) < 0)
        return -1;
    *out = unix_of(y, m, d, h, mi, s, off);
    return 0;
}

/* Bare digits first (a timestamp), then the forms that start with a year, then RFC 822. */
int gs_time_parse_any(const char *s, int64_t *out_unix)
{
    if (!s || !out_unix)
        return GS_EPARSE;
    cursor_t c = {s, s + strlen(s)};
    cur_skip_ws(&c);
    while (c.end > c.p && is_space((unsigned char)c.end[-1]))
        c.end--;
    size_t n = (size_t)(c.end - c.p), digits = 0;
    while (digits < n && is_digit((unsigned char)c.p[digits]))
        digits++;
    if (n > 0 && digits == n) {
        /* Unix seconds (10 digits) or milliseconds (13 digits), as JSON feeds and
         * JavaScript write them; any other length of bare digits is not a time. */
        if (n != 10 && n != 13)
            return GS_EPARSE;
        int64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v = v * 10 + (c.p[i] - '0');
        *out_unix = n == 13 ? v / 1000 : v;
        return 0;
    }
    int64_t t;
    cursor_t iso = c;
    if (digits == 4 && parse_iso_or_chinese(&iso, &t) == 0) {
        *out_unix = t;
        return 0;
    }
    cursor_t rfc = c;
    if (parse_rfc822(&rfc, &t) == 0) {
        *out_unix = t;
        return 0;
    }
    return GS_EPARSE;
}

/* ---- publication dates in page text ------------------------------------------------- */

/* The scanner is written by hand rather than with regular expressions: no regex library
 * matches the Chinese forms (二〇二一年六月二十八日 needs a little arithmetic, and the
 * year of [06-28] depends on the reference date), libc's regex is slow, locale-bound and
 * not UTF-8 aware, and the rules that make a digit run *not* a date (part of a longer
 * number, a copyright year, a document number) look at the text around a match, which a
 * pattern cannot express. Every match below reads a bounded number of characters from
 * its start (digit runs are read to at most one past their longest field, spaces to at
 * most GS_DATE_SCAN_GAP), so scanning costs time linear in the text whatever it holds. */

/* Spaces allowed between the parts of a date ("2021 年 6 月 28 日", "3 天前"). */
#define GS_DATE_SCAN_GAP 3
/* Digits of the N in "N天前"; more is not a relative date. */
#define GS_DATE_SCAN_REL_DIGITS 6
/* How far back a [MM-DD] may go to find a year where it is a date: 02-29 needs up to 8
 * years across 2100. */
#define GS_DATE_SCAN_INFER_YEARS 8
/* Bytes after ICP/公网安备 searched for the registration number. */
#define GS_DATE_SCAN_ICP_WINDOW 24
/* Longest registration number covered after ICP/公网安备. */
#define GS_DATE_SCAN_ICP_DIGITS 32

/* One scan of one text. */
typedef struct scan {
    const unsigned char *s; /* the text */
    size_t len;             /* its length in bytes */
    int64_t ref_unix;       /* the reference time */
    gs_ymd_t ref;           /* its CST calendar date */
    int64_t ref_days;       /* the same as days since the epoch */
    size_t guard_end;       /* no date may start before this: a copyright year, ICP number */
    size_t last_end;        /* end of the previous date-shaped match, for ranges */
} scan_t;

/* A date-shaped match, before the checks that may still refuse it. */
typedef struct cand {
    gs_ymd_t date; /* y is 0 when no year makes the text a date */
    size_t start;  /* byte offset of the first character */
    size_t end;    /* byte offset just past the last character */
} cand_t;

/* The code point at byte i and its length in *nb (0 at the end of the text). A malformed
 * byte reads as one U+FFFD, so the scanner always advances and never reads past len. */
static uint32_t cp_at(const scan_t *sc, size_t i, size_t *nb)
{
    if (i >= sc->len) {
        *nb = 0;
        return 0;
    }
    const unsigned char *b = sc->s + i;
    size_t rem = sc->len - i, n;
    uint32_t cp, min;
    if (b[0] < 0x80) {
        *nb = 1;
        return b[0];
    } else if (b[0] >= 0xC2 && b[0] <= 0xDF) {
        n = 2, cp = b[0] & 0x1Fu, min = 0x80;
    } else if (b[0] >= 0xE0 && b[0] <= 0xEF) {
        n = 3, cp = b[0] & 0x0Fu, min = 0x800;
    } else if (b[0] >= 0xF0 && b[0] <= 0xF4) {
        n = 4, cp = b[0] & 0x07u, min = 0x10000;
    } else {
        *nb = 1;
        return 0xFFFD;
    }
    if (rem < n) {
        *nb = 1;
        return 0xFFFD;
    }
    for (size_t k = 1; k < n; k++) {
        if ((b[k] & 0xC0) != 0x80) {
            *nb = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b[k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF) {
        *nb = 1;
        return 0xFFFD;
    }
    *nb = n;
    return cp;
}

/* The code point that ends just before byte i, its first byte in *start; 0 at the
 * start of the text. */
static uint32_t cp_before(const scan_t *sc, size_t i, size_t *start)
{
    if (i == 0) {
        *start = 0;
        return 0;
    }
    size_t j = i - 1, nb;
    for (int k = 0; k < 3 && j > 0 && (sc->s[j] & 0xC0) == 0x80; k++)
        j--;
    uint32_t cp = cp_at(sc, j, &nb);
    if (j + nb != i) {
        *start = i - 1;
        return 0xFFFD;
    }
    *start = j;
    return cp;
}

/* Value of an ASCII or full-width digit, or -1. */
static int digit_val(uint32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return (int)(cp - '0');
    if (cp >= 0xFF10 && cp <= 0xFF19)
        return (int)(cp - 0xFF10);
    return -1;
}

/* Value of a Chinese digit as years are written (二〇二一), or -1. ○ (U+25CB) is not
 * a digit but is what many editors type for 〇. */
static int cn_digit(uint32_t cp)
{
    switch (cp) {
    case 0x3007: /* 〇 */
    case 0x25CB: /* ○ */
    case 0x96F6: /* 零 */
        return 0;
    case 0x4E00: /* 一 */
        return 1;
    case 0x4E8C: /* 二 */
        return 2;
    case 0x4E09: /* 三 */
        return 3;
    case 0x56DB: /* 四 */
        return 4;
    case 0x4E94: /* 五 */
        return 5;
    case 0x516D: /* 六 */
        return 6;
    case 0x4E03: /* 七 */
        return 7;
    case 0x516B: /* 八 */
        return 8;
    case 0x4E5D: /* 九 */
        return 9;
    default:
        return -1;
    }
}

#define CP_TEN 0x5341    /* 十 */
#define CP_TWENTY 0x5EFF /* 廿 */
#define CP_THIRTY 0x5345 /* 卅 */
#define CP_NIAN 0x5E74   /* 年 */
#define CP_YUE 0x6708    /* 月 */
#define CP_RI 0x65E5     /* 日 */
#define CP_HAO 0x53F7    /* 号 */
#define CP_TIAN 0x5929   /* 天 */

/* 1 for any character of a Chinese number, so that a match never starts or ends inside
 * one. */
static int is_cn_numeral(uint32_t cp)
{
    return cn_digit(cp) >= 0 || cp == CP_TEN || cp == CP_TWENTY || cp == CP_THIRTY ||
           cp == 0x767E /* 百 */ || cp == 0x5343 /* 千 */ || cp == 0x4E24 /* 两 */;
}

/* Separator class of a date separator ('-', '/' or '.', ASCII or full-width), or 0. */
static int sep_class(uint32_t cp)
{
    if (cp == '-' || cp == 0xFF0D)
        return '-';
    if (cp == '/' || cp == 0xFF0F)
        return '/';
    if (cp == '.' || cp == 0xFF0E)
        return '.';
    return 0;
}

/* 1 for the spaces allowed inside a date: ASCII space and tab, no-break space (what
 * &nbsp; becomes) and the ideographic space. */
static int is_gap(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x3000;
}

/* Skip at most GS_DATE_SCAN_GAP spaces from i. */
static size_t skip_gap(const scan_t *sc, size_t i)
{
    size_t nb;
    for (int k = 0; k < GS_DATE_SCAN_GAP && is_gap(cp_at(sc, i, &nb)); k++)
        i += nb;
    return i;
}

/* 1 when the UTF-8 literal lit is at byte i; *end is set past it. */
static int lit_at(const scan_t *sc, size_t i, const char *lit, size_t *end)
{
    size_t n = strlen(lit);
    if (i > sc->len || sc->len - i < n || memcmp(sc->s + i, lit, n) != 0)
        return 0;
    *end = i + n;
    return 1;
}

/* 1 when the ASCII word w is at byte i in any case. */
static int word_at_ci(const scan_t *sc, size_t i, const char *w)
{
    size_t n = strlen(w);
    if (i > sc->len || sc->len - i < n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        if ((sc->s[i + k] | 0x20) != w[k])
            return 0;
    }
    return 1;
}

/* Read the digit run at *pi (ASCII or full-width) when it has at most maxd digits (9 at
 * most, so that the value fits an int); the run must end there, so "2021" never reads as
 * a two-digit month. Returns the number of digits and advances *pi, or returns 0 (a
 * longer run, or no digit). */
static int read_run(const scan_t *sc, size_t *pi, int maxd, int *val)
{
    size_t i = *pi, nb;
    int n = 0, v = 0, dv;
    while ((dv = digit_val(cp_at(sc, i, &nb))) >= 0) {
        if (n == maxd)
            return 0;
        v = v * 10 + dv;
        n++;
        i += nb;
    }
    if (n > 0) {
        *pi = i;
        *val = v;
    }
    return n;
}

/* Skip at most max digits from i (a serial or registration number, not read as a value
 * since it may be longer than an int). */
static size_t skip_digits(const scan_t *sc, size_t i, int max)
{
    size_t nb;
    for (int k = 0; k < max && digit_val(cp_at(sc, i, &nb)) >= 0; k++)
        i += nb;
    return i;
}

/* A Chinese month or day number 1..39 at *pi: 六, 十, 十二, 二十, 二十八, 三十一, 廿八.
 * 0 on success (advancing *pi), -1 otherwise. */
static int read_cn_small(const scan_t *sc, size_t *pi, int *val)
{
    size_t i = *pi, nb;
    uint32_t cp = cp_at(sc, i, &nb);
    int tens = cp == CP_TEN ? 1 : cp == CP_TWENTY ? 2 : cp == CP_THIRTY ? 3 : 0, v = 0;
    if (tens) {
        i += nb;
    } else {
        int dv = cn_digit(cp);
        if (dv < 1)
            return -1;
        i += nb;
        if (dv <= 3 && cp_at(sc, i, &nb) == CP_TEN) {
            tens = dv; /* 二十, 三十 */
            i += nb;
        } else {
            v = dv;
        }
    }
    if (tens) {
        v = tens * 10;
        int u = cn_digit(cp_at(sc, i, &nb));
        if (u >= 1) {
            v += u;
            i += nb;
        }
    }
    if (is_cn_numeral(cp_at(sc, i, &nb)))
        return -1; /* part of a longer number (一二三四, 二十一万) */
    *pi = i;
    *val = v;
    return 0;
}

/* A month or day after 年/月: ASCII or full-width digits, or a Chinese number. */
static int read_field(const scan_t *sc, size_t *pi, int *val)
{
    size_t nb;
    if (digit_val(cp_at(sc, *pi, &nb)) >= 0)
        return read_run(sc, pi, 2, val) > 0 ? 0 : -1;
    return read_cn_small(sc, pi, val);
}

/* The rest of a Chinese date after the year, from *pi: 年 M 月 D 日 (or 号), spaces
 * allowed between the parts. 0 on success with *pi past the 日. */
static int read_cn_tail(const scan_t *sc, size_t *pi, int *m, int *d)
{
    size_t i = skip_gap(sc, *pi), nb;
    if (cp_at(sc, i, &nb) != CP_NIAN)
        return -1;
    i = skip_gap(sc, i + nb);
    if (read_field(sc, &i, m) < 0)
        return -1;
    i = skip_gap(sc, i);
    if (cp_at(sc, i, &nb) != CP_YUE)
        return -1;
    i = skip_gap(sc, i + nb);
    if (read_field(sc, &i, d) < 0)
        return -1;
    i = skip_gap(sc, i);
    uint32_t cp = cp_at(sc, i, &nb);
    if (cp != CP_RI && cp != CP_HAO)
        return -1;
    *pi = i + nb;
    return 0;
}

/* 1 when a date starting at i would be part of a longer number: it follows a digit, or
 * a separator that follows a digit ("0731-2021-06-28", "1.2021.6.28"). With allow_range
 * the separator may follow the previous date ("2021-06-01-2021-06-30" is a range). */
static int chained_before(const scan_t *sc, size_t i, int allow_range)
{
    size_t ps, pps;
    uint32_t prev = cp_before(sc, i, &ps);
    if (digit_val(prev) >= 0)
        return 1;
    if (!sep_class(prev) || digit_val(cp_before(sc, ps, &pps)) < 0)
        return 0;
    return !(allow_range && sc->last_end == ps);
}

/* A date with a four-digit year at i: 2021-06-28, 2021/6/28, 2021.06.28 (one separator
 * kind throughout) or 2021年6月28日. With check_tail, a numeric date followed by a
 * separator and a digit is part of a longer number (2021.06.28.1, 2021-06-28-5) unless
 * another such date follows (a range). */
static int match_year_first(const scan_t *sc, size_t i, cand_t *c, int check_tail)
{
    size_t j = i, nb;
    int y, m, d;
    if (read_run(sc, &j, 4, &y) != 4)
        return 0;
    if (read_cn_tail(sc, &j, &m, &d) == 0)
        goto found;
    int sep = sep_class(cp_at(sc, j, &nb));
    if (!sep)
        return 0;
    j += nb;
    if (read_run(sc, &j, 2, &m) == 0 || sep_class(cp_at(sc, j, &nb)) != sep)
        return 0;
    j += nb;
    if (read_run(sc, &j, 2, &d) == 0)
        return 0;
    if (check_tail && sep_class(cp_at(sc, j, &nb))) {
        size_t nb2;
        cand_t next;
        if (digit_val(cp_at(sc, j + nb, &nb2)) >= 0 && !match_year_first(sc, j + nb, &next, 0))
            return 0;
    }
found:
    c->date = (gs_ymd_t){y, m, d};
    c->start = i;
    c->end = j;
    return 1;
}

/* A date with a Chinese year at i: 二〇二一年六月二十八日 (the month and day may also be
 * digits). */
static int match_cn_year(const scan_t *sc, size_t i, cand_t *c)
{
    size_t j = i, nb;
    int y = 0, m, d;
    for (int k = 0; k < 4; k++) {
        int dv = cn_digit(cp_at(sc, j, &nb));
        if (dv < 0)
            return 0;
        y = y * 10 + dv;
        j += nb;
    }
    if (read_cn_tail(sc, &j, &m, &d) < 0)
        return 0;
    c->date = (gs_ymd_t){y, m, d};
    c->start = i;
    c->end = j;
    return 1;
}

/* 1 for the brackets that hold a list date ([06-28], 【6-28】, ［06-28］), where a
 * one-digit month or day is safe to read. */
static int is_list_open(uint32_t cp)
{
    return cp == '[' || cp == 0x3010 || cp == 0xFF3B;
}

/* The closing partner of is_list_open. */
static int is_list_close(uint32_t cp)
{
    return cp == ']' || cp == 0x3011 || cp == 0xFF3D;
}

/* 1 when the character at i may follow a bare MM-DD: the end, white space or
 * punctuation. A letter or a Chinese character after it means a range or a quantity
 * ("10-20万元", "每年10-12月", "第10-12条"), not a date. */
static int md_boundary_after(const scan_t *sc, size_t i)
{
    size_t nb, nb2;
    uint32_t cp = cp_at(sc, i, &nb);
    if (nb == 0)
        return 1;
    if (cp < 0x80) {
        if (is_alpha((int)cp) || is_digit((int)cp) || cp == '_')
            return 0;
        if (sep_class(cp) && digit_val(cp_at(sc, i + nb, &nb2)) >= 0)
            return 0; /* 06-28-2021, 06/28/21: a longer number or another order */
        return 1;
    }
    if (is_gap(cp) || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F))
        return 1; /* general and CJK punctuation: — … “ ” 、 。 】 〕 */
    if (cp >= 0xFF01 && cp <= 0xFF65 && digit_val(cp) < 0 && !(cp >= 0xFF21 && cp <= 0xFF3A) &&
        !(cp >= 0xFF41 && cp <= 0xFF5A))
        return sep_class(cp) == 0 || digit_val(cp_at(sc, i + nb, &nb2)) < 0;
    return 0;
}

/* The most recent date with month m and day d that is not after the reference date, or
 * year 0 when there is none (02-30). */
static gs_ymd_t infer_year(const scan_t *sc, int m, int d)
{
    for (int k = 0; k <= GS_DATE_SCAN_INFER_YEARS; k++) {
        gs_ymd_t t = {sc->ref.y - k, m, d};
        if (gs_ymd_valid(t.y, m, d) && gs_ymd_days_between(t, sc->ref) >= 0)
            return t;
    }
    return (gs_ymd_t){0, m, d};
}

/* A month-day date at i with the year inferred: [06-28], [6-28], 06-28, 06/28. Without
 * list brackets both fields must have two digits and the date must stand alone, since
 * bare "1-2" and "10-20人" are numbers far more often than dates. */
static int match_month_day(const scan_t *sc, size_t i, cand_t *c)
{
    size_t ps, j = i, nb;
    uint32_t prev = cp_before(sc, i, &ps);
    if ((prev < 0x80 && (is_alpha((int)prev) || prev == '_')) || chained_before(sc, i, 0))
        return 0;
    int m, d, nm, nd;
    if ((nm = read_run(sc, &j, 2, &m)) == 0)
        return 0;
    int sep = sep_class(cp_at(sc, j, &nb));
    if (sep != '-' && sep != '/')
        return 0;
    j += nb;
    if ((nd = read_run(sc, &j, 2, &d)) == 0)
        return 0;
    int listed = is_list_open(prev) && is_list_close(cp_at(sc, j, &nb));
    if (!listed && (nm != 2 || nd != 2 || !md_boundary_after(sc, j)))
        return 0;
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return 0; /* not date-shaped: leave it to the other readers */
    c->date = infer_year(sc, m, d);
    c->start = i;
    c->end = j;
    return 1;
}

/* "N天前", "N 天前", "N小时前", "N个小时前", "N分钟前", "N秒前" at i, relative to the
 * reference time. Hours, minutes and seconds are subtracted from the reference time
 * itself, so "3小时前" at 01:00 is the day before. */
static int match_relative_num(const scan_t *sc, size_t i, cand_t *c)
{
    size_t j = i, e;
    int n;
    if (read_run(sc, &j, GS_DATE_SCAN_REL_DIGITS, &n) == 0)
        return 0;
    j = skip_gap(sc, j);
    int64_t secs;
    if (lit_at(sc, j, "天前", &e)) {
        c->date = gs_civil_from_days(sc->ref_days - n);
        goto found;
    }
    if (lit_at(sc, j, "小时前", &e) || lit_at(sc, j, "个小时前", &e))
        secs = (int64_t)n * 3600;
    else if (lit_at(sc, j, "分钟前", &e) || lit_at(sc, j, "分前", &e))
        secs = (int64_t)n * 60;
    else if (lit_at(sc, j, "秒前", &e) || lit_at(sc, j, "秒钟前", &e))
        secs = n;
    else
        return 0;
    if (sc->ref_unix < INT64_MIN + secs)
        return 0; /* no such time; only a nonsensical reference gets here */
    c->date = gs_ymd_from_unix_cst(sc->ref_unix - secs);
found:
    c->start = i;
    c->end = e;
    return 1;
}

/* 1 when cp is one of the characters of the UTF-8 string list. */
static int cp_in(uint32_t cp, const char *list)
{
    scan_t l = {.s = (const unsigned char *)list, .len = strlen(list)};
    size_t nb;
    for (size_t i = 0; i < l.len; i += nb) {
        if (cp_at(&l, i, &nb) == cp)
            return 1;
    }
    return 0;
}

/* Characters that make the 天 of 今天/昨天/前天 the start of another word (天气, 天津,
 * 天然, 天空, ...), as in 以前天气. 下 is not among them: 今天下午 is "this afternoon". */
static const char word_after_tian[] = "气津然空地文堂河山府安门桥线窗花池坛使";

/* Characters that make the 前 of 前天 the end of another word (目前, 以前, 提前, 之前,
 * 当前, 眼前, ...), as in 目前天然气. */
static const char word_before_qian[] = "目以之此提当眼空跟面门生从先最向年月事会超阵战胸额史绝往届";

/* 今天, 昨天, 前天 and 大前天 at i, relative to the reference date. */
static int match_relative_word(const scan_t *sc, size_t i, cand_t *c)
{
    size_t e, ps, nb;
    int back;
    uint32_t prev = cp_before(sc, i, &ps);
    if (lit_at(sc, i, "今天", &e)) {
        if (prev == 0x5982 /* 如今天下 */)
            return 0;
        back = 0;
    } else if (lit_at(sc, i, "昨天", &e)) {
        back = 1;
    } else if (lit_at(sc, i, "前天", &e)) {
        if (cp_in(prev, word_before_qian))
            return 0;
        back = 2;
    } else if (lit_at(sc, i, "大前天", &e)) {
        back = 3;
    } else {
        return 0;
    }
    if (cp_in(cp_at(sc, e, &nb), word_after_tian))
        return 0;
    c->date = gs_civil_from_days(sc->ref_days - back);
    c->start = i;
    c->end = e;
    return 1;
}

/* Read a four-digit year at *pi (the run must end there). */
static int read_year4(const scan_t *sc, size_t *pi)
{
    int y;
    return read_run(sc, pi, 4, &y) == 4;
}

/* After a copyright mark at i (©, (c), Copyright, 版权所有) set the guard over the year
 * or year range that follows, "© 2005-2021" or "版权所有：2021", so that "© 2021-06-28"
 * is not read as an update. The guard ends with the years: a date after them counts. */
static void guard_copyright(scan_t *sc, size_t i)
{
    size_t nb, e, k = i;
    uint32_t cp = cp_at(sc, k, &nb);
    if (cp == 0xA9) {
        k += nb;
    } else if (lit_at(sc, k, "(c)", &e) || lit_at(sc, k, "(C)", &e) || lit_at(sc, k, "（c）", &e) ||
               lit_at(sc, k, "（C）", &e) || lit_at(sc, k, "版权", &e)) {
        k = e;
    } else if (word_at_ci(sc, k, "copyright")) {
        size_t ps;
        if (is_alpha((int)cp_before(sc, k, &ps)))
            return;
        k += 9;
    } else {
        return;
    }
    /* The marks combine: "版权所有 Copyright © 2021", "Copyright(C)2005-2021". */
    for (int round = 0; round < 8; round++) {
        k = skip_gap(sc, k);
        cp = cp_at(sc, k, &nb);
        if (cp == 0xA9 || cp == ':' || cp == 0xFF1A) {
            k += nb;
        } else if (lit_at(sc, k, "所有", &e) || lit_at(sc, k, "(c)", &e) ||
                   lit_at(sc, k, "(C)", &e) || lit_at(sc, k, "（c）", &e) ||
                   lit_at(sc, k, "（C）", &e)) {
            k = e;
        } else if (word_at_ci(sc, k, "copyright")) {
            k += 9;
        } else {
            break;
        }
    }
    if (!read_year4(sc, &k))
        return;
    size_t end = k;
    k = skip_gap(sc, k);
    cp = cp_at(sc, k, &nb);
    if (sep_class(cp) == '-' || cp == '~' || cp == 0xFF5E /* ～ */ || cp == 0x2013 ||
        cp == 0x2014 || cp == 0x81F3 /* 至 */) {
        k = skip_gap(sc, k + nb);
        if (read_year4(sc, &k))
            end = k;
    }
    if (end > sc->guard_end)
        sc->guard_end = end;
}

/* After ICP or 公网安备 at i set the guard over the registration number that follows
 * (湘ICP备05001234号, 湘公网安备 43010202000123号). */
static void guard_icp(scan_t *sc, size_t i)
{
    size_t nb, e, k, ps;
    if (word_at_ci(sc, i, "icp")) {
        if (is_alpha((int)cp_before(sc, i, &ps)))
            return;
        k = i + 3;
    } else if (lit_at(sc, i, "公网安备", &e)) {
        k = e;
    } else {
        return;
    }
    size_t limit = k + GS_DATE_SCAN_ICP_WINDOW;
    while (k < limit && k < sc->len && digit_val(cp_at(sc, k, &nb)) < 0 && nb > 0)
        k += nb;
    size_t end = skip_digits(sc, k, GS_DATE_SCAN_ICP_DIGITS);
    if (end > k && end > sc->guard_end)
        sc->guard_end = end;
}

/* 1 for the brackets around the year of a document number: 〔〕 as the standard
 * writes it, and the [] 【】 （） () 〖〗 ［］ ﹝﹞ that editors type instead. */
static int is_docnum_open(uint32_t cp)
{
    return cp == 0x3014 || cp == '[' || cp == 0x3010 || cp == 0xFF08 || cp == '(' || cp == 0x3016 ||
           cp == 0xFF3B || cp == 0xFE5D;
}

/* The closing partner of is_docnum_open. */
static int is_docnum_close(uint32_t cp)
{
    return cp == 0x3015 || cp == ']' || cp == 0x3011 || cp == 0xFF09 || cp == ')' || cp == 0x3017 ||
           cp == 0xFF3D || cp == 0xFE5E;
}

/* A document number's year at i (湘政发〔2021〕23号, [2021]23号, （2021）): a bracketed
 * four-digit year. Sets the guard over it and the serial number after it; 1 if found. */
static int guard_docnum(scan_t *sc, size_t i)
{
    size_t ps, nb, k = i;
    if (!is_docnum_open(cp_before(sc, i, &ps)) || !read_year4(sc, &k))
        return 0;
    if (!is_docnum_close(cp_at(sc, k, &nb)))
        return 0;
    k = skip_gap(sc, k + nb);
    k = skip_digits(sc, k, GS_DATE_SCAN_ICP_DIGITS);
    if (k > sc->guard_end)
        sc->guard_end = k;
    return 1;
}

/* 1 when a found date may be reported: a real date in GS_DATE_YEAR_MIN..MAX, not after
 * the reference date. */
static int date_ok(const scan_t *sc, gs_ymd_t d)
{
    return d.y >= GS_DATE_YEAR_MIN && d.y <= GS_DATE_YEAR_MAX && gs_ymd_valid(d.y, d.m, d.d) &&
           gs_days_from_civil(d.y, d.m, d.d) <= sc->ref_days;
}

/* Try every reader that can start at the character cp at i. */
static int match_at(scan_t *sc, size_t i, uint32_t cp, cand_t *c)
{
    size_t ps;
    if (digit_val(cp) >= 0) {
        if (digit_val(cp_before(sc, i, &ps)) >= 0)
            return 0; /* inside a digit run: nothing starts here */
        if (guard_docnum(sc, i))
            return 0;
        return (!chained_before(sc, i, 1) && match_year_first(sc, i, c, 1)) ||
               match_month_day(sc, i, c) || match_relative_num(sc, i, c);
    }
    if (cn_digit(cp) >= 0)
        return !is_cn_numeral(cp_before(sc, i, &ps)) && match_cn_year(sc, i, c);
    if (cp == 0x4ECA /* 今 */ || cp == 0x6628 /* 昨 */ || cp == 0x524D /* 前 */ ||
        cp == 0x5927 /* 大 */)
        return match_relative_word(sc, i, c);
    if (cp == 0xA9 || cp == '(' || cp == 0xFF08 || cp == 'C' || cp == 'c' || cp == 0x7248 /* 版 */)
        guard_copyright(sc, i);
    else if (cp == 'I' || cp == 'i' || cp == 0x516C /* 公 */)
        guard_icp(sc, i);
    return 0;
}

/* Walk the text once, character by character, trying the readers at each. */
size_t gs_date_scan(const char *text, size_t len, int64_t ref_unix, gs_date_found_t *out,
                    size_t max)
{
    if (!text)
        return 0;
    scan_t sc = {.s = (const unsigned char *)text,
                 .len = len,
                 .ref_unix = ref_unix,
                 .ref = gs_ymd_from_unix_cst(ref_unix),
                 .last_end = (size_t)-1};
    sc.ref_days = gs_days_from_civil(sc.ref.y, sc.ref.m, sc.ref.d);
    size_t found = 0, i = 0, nb;
    while (i < len) {
        uint32_t cp = cp_at(&sc, i, &nb);
        cand_t c;
        if (match_at(&sc, i, cp, &c)) {
            sc.last_end = c.end;
            if (c.start >= sc.guard_end && date_ok(&sc, c.date)) {
                if (out && found < max)
                    out[found] = (gs_date_found_t){c.date, c.start, c.end - c.start};
                found++;
            }
            /* Nothing inside a date-shaped match is another date, even when the match
             * was refused (a future 2031-06-28 holds no 06-28). */
            i = c.end;
            continue;
        }
        i += nb;
    }
    return found;
}
