/* gs_util.h -- small helpers every component needs: clocks, hashing, sweep ids.
 * Pure functions or reads of the clock; thread-safe. */
#ifndef GS_UTIL_H
#define GS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Monotonic milliseconds (for deadlines and leases; never goes back). */
int64_t gs_now_ms(void);
/* Wall-clock Unix seconds. */
int64_t gs_wall_s(void);
/* 64-bit FNV-1a of bytes, continuing from h (start with GS_FNV_INIT). */
#define GS_FNV_INIT 0xcbf29ce484222325ULL
uint64_t gs_fnv1a(uint64_t h, const void *p, size_t n);
/* The default sweep id for a reference time: "2021Q2-20210615" (CST). */
void gs_sweep_id_default(int64_t ref_unix, char *out, size_t outlen);
/* 1 when s is a usable sweep or worker id: 1..39 bytes of [A-Za-z0-9._:-]. */
int gs_id_valid(const char *s);

#endif
