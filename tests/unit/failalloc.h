/* failalloc.h -- a test-only allocation hook that makes the n-th allocation fail
 * (reliability.md O1), for tests linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
 * (tests/CMakeLists.txt does it for test_worker_failalloc). No LD_PRELOAD, so it works
 * under AddressSanitizer: the wrappers call the real functions, which ASan intercepts.
 *
 * What it reaches: every allocation of the code linked statically into the test (the
 * gs_common, gs_worker and gs_report libraries, the test itself), and -- through their own
 * allocator hooks, once failalloc_hook_libs() ran -- jansson (json_set_alloc_funcs),
 * libcurl (curl_global_init_mem, so CURLU's URL parsing) and, on request, libxml2
 * (xmlMemSetup; see below). What it does not reach: shared libraries without such a
 * hook, whose calls to malloc were bound at their own link time -- msgpack-c's zone and
 * unpacker, hiredis 0.14, uchardet and OpenCC (C++ new), libxlsxwriter, and libc's own
 * (iconv, stdio buffers, getline, asprintf). Memory those allocate is still checked for
 * leaks by LeakSanitizer.
 *
 * Not thread-safe: arm it only while one thread allocates. */
#ifndef GS_FAILALLOC_H
#define GS_FAILALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Whose allocation failed (the byte failalloc_report_to writes). */
enum {
    FAILALLOC_OURS = 'o',
    FAILALLOC_JANSSON = 'j',
    FAILALLOC_CURL = 'c',
    FAILALLOC_LIBXML2 = 'x'
};

/* Fail the n-th allocation counted from now (1-based), once; the others succeed.
 * n = 0 disarms. */
void failalloc_arm(long n);
/* Disarm; returns the allocations counted since failalloc_arm. */
long failalloc_disarm(void);
/* When the armed allocation fails, write one byte saying whose it was to fd (-1: none),
 * at once: a test running each try in a child learns it even if the child then crashes. */
void failalloc_report_to(int fd);
/* Stop (true) and resume (false) counting, for setup a run does that is not under test. */
void failalloc_pause(bool paused);
/* The armed failure has happened (an allocation returned NULL because of it). */
bool failalloc_failed(void);
/* Route jansson and libcurl -- and libxml2 when asked -- through the hook. Call once,
 * first thing in main() (libcurl's hook replaces curl_global_init; call
 * curl_global_cleanup at the end). libxml2 is left out by default: Debian 12's libxml2
 * 2.9.14 itself crashes when one of its allocations fails (xmlParseDocument goes on
 * with what it could not allocate and dereferences NULL, found by this test), so with it
 * hooked a run tests libxml2, not us. */
void failalloc_hook_libs(bool libxml2);

#endif
