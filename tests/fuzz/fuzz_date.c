/* fuzz_date.c -- libFuzzer target: the date readers on arbitrary bytes. gs_date_scan
 * (publication dates in page text) on the input as text, and gs_time_parse_any and
 * gs_time_parse_reference on it as one NUL-terminated value (feeds' and meta tags' dates,
 * the command line's reference time). Every date found must be a valid calendar date
 * not after the reference day, inside the text it was found in. */
#include "fuzz.h"
#include "gs_date.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FOUND 16

static int64_t ref_unix;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gs_err_t err;
    if (gs_time_parse_reference("2021-06-15T10:00", &ref_unix, &err) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > GS_FUZZ_MAX_INPUT)
        size = GS_FUZZ_MAX_INPUT;
    gs_date_found_t found[MAX_FOUND];
    size_t n = gs_date_scan((const char *)data, size, ref_unix, found, MAX_FOUND);
    gs_ymd_t refday = gs_ymd_from_unix_cst(ref_unix);
    for (size_t i = 0; i < n && i < MAX_FOUND; i++) {
        const gs_date_found_t *f = &found[i];
        if (!gs_ymd_valid(f->date.y, f->date.m, f->date.d) || f->offset > size ||
            f->len > size - f->offset || gs_ymd_days_between(f->date, refday) < 0)
            abort();
    }
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t t;
    (void)gs_time_parse_any(s, &t);
    gs_err_t err;
    (void)gs_time_parse_reference(s, &t, &err);
    free(s);
    return 0;
}
