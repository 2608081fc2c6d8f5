/* gs_registry.h -- the target registry (TARGETS.csv): reading, validating, looking up.
 *
 * A registry is a CSV with a header row (RFC 4180 quoting), UTF-8 with or without BOM,
 * or GB18030/GBK as Excel writes it in China (detected and converted to UTF-8). Columns
 * are found by name in any order; unknown columns are kept as extras. Loading validates
 * every row and collects *every* problem with its line number; a registry with problems
 * is refused as a whole (gs_registry_load_* returns GS_EPARSE) but the problems stay
 * readable for the error report.
 *
 * Ownership: gs_registry_new allocates, gs_registry_destroy frees everything, including
 * the targets and strings it hands out (all borrowed: `const`). Not thread-safe.
 * Limits: file 64 MiB, 200,000 rows, 64 columns, 4 KiB per field, 10,000 problems kept. */
#ifndef GS_REGISTRY_H
#define GS_REGISTRY_H

#include "gs_err.h"

#include <stddef.h>

#define GS_REGISTRY_MAX_BYTES (64u * 1024 * 1024)
#define GS_REGISTRY_MAX_ROWS 200000
#define GS_REGISTRY_MAX_COLS 64
#define GS_REGISTRY_MAX_FIELD 4096
#define GS_REGISTRY_MAX_PROBLEMS 10000

typedef enum { GS_KIND_SITE = 1, GS_KIND_ACCOUNT = 2 } gs_kind_t;

/* One registry row. Every string is UTF-8, NUL-terminated, never NULL ("" if absent). */
typedef struct gs_target {
    gs_kind_t kind;
    const char *id;       /* 网站标识码 (10) or 新媒体标识码 (16) */
    const char *name;     /* 网站名称 / 账号名称 */
    const char *region;   /* reporting group */
    const char *url;      /* home page, or feed / profile URL */
    const char *owner;    /* 主办单位 / 开设主体 */
    const char *platform; /* accounts: 微信订阅号, 新浪微博, ... */
    const char *menu_url; /* accounts: menu list URL */
    int line;             /* 1-based line in the file where the record starts */
    size_t nextra;        /* unknown columns, in file order */
    const char *const *extra_keys;
    const char *const *extra_vals;
} gs_target_t;

typedef struct gs_registry gs_registry_t;

gs_registry_t *gs_registry_new(void);
void gs_registry_destroy(gs_registry_t **self_p);

/* Read and validate a file. Returns 0, GS_EPARSE when any row has a problem (see
 * gs_registry_problem), GS_EIO / GS_ETOOBIG / GS_ENOMEM otherwise; err says why. */
int gs_registry_load_file(gs_registry_t *r, const char *path, gs_err_t *err);
/* The same on bytes in memory. */
int gs_registry_load_mem(gs_registry_t *r, const char *data, size_t len, gs_err_t *err);

size_t gs_registry_count(const gs_registry_t *r);
const gs_target_t *gs_registry_get(const gs_registry_t *r, size_t i);
/* Look a target up by id; NULL when absent. O(1) on average. */
const gs_target_t *gs_registry_find(const gs_registry_t *r, const char *id);

/* Index (for gs_registry_get) of a target id; (size_t)-1 when absent. O(1) on average. */
size_t gs_registry_index(const gs_registry_t *r, const char *id);

/* Problems found while loading, each "line N: what is wrong" (or "file: ..."). */
size_t gs_registry_nproblems(const gs_registry_t *r);
const char *gs_registry_problem(const gs_registry_t *r, size_t i);

/* Regions in order of first appearance. */
size_t gs_registry_nregions(const gs_registry_t *r);
const char *gs_registry_region(const gs_registry_t *r, size_t i);

/* "UTF-8" or "GB18030": the encoding the file was read as. */
const char *gs_registry_encoding(const gs_registry_t *r);

/* "site" / "account". */
const char *gs_kind_name(gs_kind_t kind);

#endif
