/* fuzz_registry.c -- libFuzzer target: gs_registry_load_mem (CSV with RFC 4180 quoting,
 * UTF-8 or GB18030, validation of every row) on arbitrary bytes. Whatever it returns, the
 * targets, problems and regions it holds must be readable: every string non-NULL, every
 * id found again by gs_registry_find. */
#include "fuzz.h"
#include "gs_registry.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > GS_FUZZ_MAX_INPUT)
        size = GS_FUZZ_MAX_INPUT;
    gs_registry_t *r = gs_registry_new();
    if (!r)
        return 0;
    gs_err_t err;
    int rc = gs_registry_load_mem(r, (const char *)data, size, &err);
    for (size_t i = 0; i < gs_registry_count(r); i++) {
        const gs_target_t *t = gs_registry_get(r, i);
        if (!t || !t->id || !t->name || !t->region || !t->url || !t->owner || !t->platform ||
            !t->menu_url)
            abort();
        for (size_t k = 0; k < t->nextra; k++)
            if (!t->extra_keys[k] || !t->extra_vals[k])
                abort();
        if (rc == 0 && gs_registry_find(r, t->id) == NULL)
            abort();
    }
    for (size_t i = 0; i < gs_registry_nproblems(r); i++)
        if (!gs_registry_problem(r, i))
            abort();
    for (size_t i = 0; i < gs_registry_nregions(r); i++)
        if (!gs_registry_region(r, i))
            abort();
    (void)gs_registry_encoding(r);
    gs_registry_destroy(&r);
    return 0;
}
