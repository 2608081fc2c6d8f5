/* fuzz_url.c -- libFuzzer target: the crawler's URL handling on arbitrary bytes. The input
 * is "BASE\nHREF" (no newline: HREF against a fixed base). gs_url_resolve must give NULL or
 * an http/https URL no longer than GS_URL_MAX (that resolves to itself: see below); the
 * fast path of gs_urlbase_resolve must give exactly what gs_url_resolve gives (gs_url.h
 * promises it); gs_url_host and gs_url_same_host must agree on the result. */
#include "fuzz.h"
#include "gs_url.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_BASE "http://www.sim-test.gov.cn/col/col123/index.html?page=2"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

/* The fixed-point property (a URL gs_url_resolve gave resolves to itself) is checked only
 * with GS_FUZZ_URL_FIXPOINT=1: it fails today on two known quirks of common/gs_url.c
 * (tests/fuzz/README.md, "Found"), neither a crash nor a memory error, and the fuzzer stops
 * at its first failure, so by default it looks for the rest. */
static int fixpoint_checked = -1;

/* 1 when a and b are both NULL or equal strings. */
static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_resolved(const char *base, const char *href)
{
    char *u = gs_url_resolve(base, href);
    gs_urlbase_t *b = gs_urlbase_new(base);
    if (b) {
        char *fast = gs_urlbase_resolve(b, href);
        if (!same(u, fast))
            abort(); /* the fast path and the parser disagree */
        free(fast);
        gs_urlbase_destroy(&b);
        if (b)
            abort();
    }
    if (u) {
        if (strlen(u) > GS_URL_MAX || (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)))
            abort();
        char *again = gs_url_resolve(u, u);
        if (fixpoint_checked < 0) {
            const char *v = getenv("GS_FUZZ_URL_FIXPOINT");
            fixpoint_checked = v && v[0] == '1';
        }
        if (fixpoint_checked && !same(u, again))
            abort(); /* a normalized URL must be a fixed point */
        free(again);
        char *host = gs_url_host(u);
        if (host && !gs_url_same_host(u, u))
            abort();
        free(host);
    }
    free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > GS_URL_MAX * 2 + 2)
        size = GS_URL_MAX * 2 + 2; /* longer is refused by length alone */
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    char *nl = memchr(s, '\n', size);
    if (nl) {
        *nl = '\0';
        check_resolved(s, nl + 1);
    } else {
        check_resolved(DEFAULT_BASE, s);
    }
    free(s);
    return 0;
}
