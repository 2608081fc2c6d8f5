/* case_tsv.h -- reading the case tables of the dictionary, matcher and calendar tests
 * (tests/data/<module>/NAME.tsv): one case a line, fields separated by tabs, # comments,
 * and the escapes \t \n \r \\ \xHH inside fields so a case can hold any byte.
 *
 * Header-only (static functions) for the unit tests that include it; each test program is
 * one translation unit. Lines are at most CASE_LINE_MAX bytes. */
#ifndef CASE_TSV_H
#define CASE_TSV_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_LINE_MAX 16384
#define CASE_FIELDS_MAX 8

/* Value of a hex digit, or -1. */
static inline int case_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Undo the escapes in place; returns the byte length (the field may now hold NULs). */
static inline size_t case_unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] != '\\' || !p[1]) {
            *o++ = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 't':
            *o++ = '\t';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 'x':
            assert_true(case_hex(p[1]) >= 0 && case_hex(p[2]) >= 0);
            *o++ = (char)(case_hex(p[1]) * 16 + case_hex(p[2]));
            p += 2;
            break;
        default:
            *o++ = *p;
        }
    }
    *o = '\0';
    return (size_t)(o - s);
}

/* Path of GS_TEST_DATA/<dir>/<name> into out. */
static inline void case_path(const char *dir, const char *name, char *out, size_t outlen)
{
    const char *base = getenv("GS_TEST_DATA");
    snprintf(out, outlen, "%s/%s/%s", base ? base : "tests/data", dir, name);
}

/* Open GS_TEST_DATA/<dir>/<name>, failing the test when it is missing. */
static inline FILE *case_open(const char *dir, const char *name)
{
    char path[1024];
    case_path(dir, name, path, sizeof(path));
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    return f;
}

/* A case line split into fields (unescaped) with their byte lengths, and the fields as
 * written (raw), for fields that are split further before unescaping. */
typedef struct case_row {
    char line[CASE_LINE_MAX];
    char rawline[CASE_LINE_MAX];
    char *f[CASE_FIELDS_MAX];
    char *raw[CASE_FIELDS_MAX];
    size_t len[CASE_FIELDS_MAX];
    int n;      /* fields */
    int lineno; /* line number in the file */
} case_row_t;

/* Read the next case into r; 0 at the end of the file. */
static inline int case_next(FILE *fp, case_row_t *r)
{
    while (fgets(r->line, sizeof(r->line), fp)) {
        r->lineno++;
        size_t n = strlen(r->line);
        assert_true(n + 1 < sizeof(r->line));
        while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
            r->line[--n] = '\0';
        if (n == 0 || r->line[0] == '#')
            continue;
        r->n = 0;
        memcpy(r->rawline, r->line, n + 1);
        char *p = r->line;
        for (;;) {
            assert_true(r->n < CASE_FIELDS_MAX);
            r->raw[r->n] = r->rawline + (p - r->line);
            r->f[r->n++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        for (int i = 0; i < r->n; i++) {
            r->raw[i][strlen(r->f[i])] = '\0';
            r->len[i] = case_unescape(r->f[i]);
        }
        return 1;
    }
    return 0;
}

/* Read a whole file of GS_TEST_DATA into a new NUL-terminated buffer (caller frees). */
static inline char *case_slurp(const char *dir, const char *name, size_t *len)
{
    FILE *f = case_open(dir, name);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif
