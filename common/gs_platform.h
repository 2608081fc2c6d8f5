/* gs_platform.h -- the new-media platforms of the registry, normalized.
 *
 * Inspection offices write a platform many ways (微信订阅号, 订阅号, 微信公众号; 微博, 新浪微博;
 * 今日头条, 头条号). data/platforms.tsv maps each name to the platform the notice names
 * (账号平台), the account type it implies (订阅号/服务号) and whether the platform's
 * accounts have custom menus. The dispatcher normalizes the registry with it at plan time
 * (M-DUPLICATE groups by the normalized platform and type), the worker reads the type for
 * M-FILING, the report shows the normalized name.
 *
 * gs_platforms_load allocates the table, gs_platforms_destroy frees it; read-only after
 * loading (shareable between threads). Limits: 1,024 names of at most 63 bytes. */
#ifndef GS_PLATFORM_H
#define GS_PLATFORM_H

#include "gs_err.h"

#include <stdbool.h>

typedef struct gs_platforms gs_platforms_t;

/* What a registry name means. */
typedef struct gs_platform {
    const char *platform; /* normalized: 微信公众号, 新浪微博, 头条号 ... */
    const char *type;     /* 订阅号, 服务号, or "" */
    bool menu;            /* accounts have a custom menu */
    bool known;           /* the name is in the table (else platform is the name itself) */
} gs_platform_t;

/* Load data_dir/platforms.tsv. NULL on failure, err naming the file and line. */
gs_platforms_t *gs_platforms_load(const char *data_dir, gs_err_t *err);
void gs_platforms_destroy(gs_platforms_t **self_p);

/* Normalize a registry name (spaces ignored). For an unknown name, platform is the name
 * as written (trimmed) in buf, and known is false. Strings are borrowed from the table
 * or from buf (at least 64 bytes). */
gs_platform_t gs_platform_normalize(const gs_platforms_t *t, const char *name, char *buf,
                                    size_t buflen);

#endif
