/* gs_util.c -- clocks, hashing and sweep ids. */
#include "gs_util.h"
#include "gs_date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t gs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t gs_wall_s(void)
{
    return (int64_t)time(NULL);
}

uint64_t gs_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void gs_sweep_id_default(int64_t ref_unix, char *out, size_t outlen)
{
    gs_ymd_t d = gs_ymd_from_unix_cst(ref_unix);
    snprintf(out, outlen, "%04dQ%d-%04d%02d%02d", d.y, (d.m - 1) / 3 + 1, d.y, d.m, d.d);
}

int gs_id_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= 40)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}
