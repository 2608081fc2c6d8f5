/* failalloc.c -- the allocation hook of failalloc.h: __wrap_ functions for the linker's
 * --wrap, counting allocations while armed and returning NULL for the n-th, and the same
 * counting functions handed to libxml2, jansson and libcurl as their allocators. */
#include "failalloc.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/xmlmemory.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* The sanitizers' stack printer, when the build has one. */
void __sanitizer_print_stack_trace(void) __attribute__((weak));

static long armed_at;               /* fail when count reaches this; 0: disarmed */
static int origin = FAILALLOC_OURS; /* whose allocation is being made */
static int report_fd = -1;
static long count;
static bool failed;
static bool paused;

void failalloc_arm(long n)
{
    armed_at = n;
    count = 0;
    failed = false;
}

long failalloc_disarm(void)
{
    armed_at = 0;
    return count;
}

void failalloc_report_to(int fd)
{
    report_fd = fd;
}

void failalloc_pause(bool on)
{
    paused = on;
}

bool failalloc_failed(void)
{
    return failed;
}

/* 1 when this allocation is the one to fail. */
static int fail_now(void)
{
    if (!armed_at || paused)
        return 0;
    if (++count != armed_at)
        return 0;
    failed = true;
    /* Said at once: if the run then crashes, the parent still learns whose it was. */
    if (report_fd >= 0) {
        char o = (char)origin;
        ssize_t w = write(report_fd, &o, 1);
        (void)w;
    }
    /* GS_FAILALLOC_TRACE=1: where the failing allocation was made (ASan builds) */
    const char *t = getenv("GS_FAILALLOC_TRACE");
    if (t && t[0] == '1' && __sanitizer_print_stack_trace)
        __sanitizer_print_stack_trace();
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
    return fail_now() ? NULL : __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
    /* realloc(p, 0) frees: not an allocation that can fail */
    if (p && n == 0)
        return __real_realloc(p, n);
    return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fail_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fail_now() ? NULL : __real_strndup(s, n);
}

/* The libraries' allocators, counted the same way (free is the plain one: the memory
 * comes from the real allocator either way), each marking the allocation as its own. */
#define LIB_ALLOCATOR(lib, tag)                                                                    \
    __attribute__((unused)) static void *lib##_malloc(size_t n)                                    \
    {                                                                                              \
        origin = tag;                                                                              \
        void *p = __wrap_malloc(n);                                                                \
        origin = FAILALLOC_OURS;                                                                   \
        return p;                                                                                  \
    }                                                                                              \
    __attribute__((unused)) static void *lib##_calloc(size_t n, size_t m)                          \
    {                                                                                              \
        origin = tag;                                                                              \
        void *p = __wrap_calloc(n, m);                                                             \
        origin = FAILALLOC_OURS;                                                                   \
        return p;                                                                                  \
    }                                                                                              \
    __attribute__((unused)) static void *lib##_realloc(void *q, size_t n)                          \
    {                                                                                              \
        origin = tag;                                                                              \
        void *p = __wrap_realloc(q, n);                                                            \
        origin = FAILALLOC_OURS;                                                                   \
        return p;                                                                                  \
    }                                                                                              \
    __attribute__((unused)) static char *lib##_strdup(const char *s)                               \
    {                                                                                              \
        origin = tag;                                                                              \
        char *p = __wrap_strdup(s);                                                                \
        origin = FAILALLOC_OURS;                                                                   \
        return p;                                                                                  \
    }

LIB_ALLOCATOR(xml, FAILALLOC_LIBXML2)
LIB_ALLOCATOR(jansson, FAILALLOC_JANSSON)
LIB_ALLOCATOR(curl, FAILALLOC_CURL)

static void lib_free(void *p)
{
    free(p);
}

void failalloc_hook_libs(bool libxml2)
{
    if (libxml2)
        xmlMemSetup(lib_free, xml_malloc, xml_realloc, xml_strdup);
    json_set_alloc_funcs(jansson_malloc, lib_free);
    curl_global_init_mem(CURL_GLOBAL_DEFAULT, curl_malloc, lib_free, curl_realloc, curl_strdup,
                         curl_calloc);
}
