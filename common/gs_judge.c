/* gs_judge.c -- the settings that decide a sweep's findings, fixed when it is planned. */
#include "gs_judge.h"
#include "gs_config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gs_judge_from_config(gs_judge_t *j, const gs_config_t *cfg)
{
    memset(j, 0, sizeof(*j));
    j->set = true;
#define U_(name, max) j->name = cfg->name;
#define B_(name) j->name = cfg->name;
    GS_JUDGE_UINTS(U_)
    GS_JUDGE_BOOLS(B_)
#undef U_
#undef B_
}

void gs_judge_apply(const gs_judge_t *j, gs_config_t *cfg)
{
    if (!j->set)
        return;
#define U_(name, max) cfg->name = j->name;
#define B_(name) cfg->name = j->name;
    GS_JUDGE_UINTS(U_)
    GS_JUDGE_BOOLS(B_)
#undef U_
#undef B_
}

char *gs_judge_to_json(const gs_judge_t *j)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int bad = 0;
#define U_(name, max) bad |= json_object_set_new(o, #name, json_integer(j->name));
#define B_(name) bad |= json_object_set_new(o, #name, json_boolean(j->name));
    GS_JUDGE_UINTS(U_)
    GS_JUDGE_BOOLS(B_)
#undef U_
#undef B_
    char *s = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

int gs_judge_from_json(gs_judge_t *j, const char *json, gs_err_t *err)
{
    memset(j, 0, sizeof(*j));
    json_error_t je;
    json_t *o = json_loads(json, 0, &je);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return gs_err_set(err, GS_EPARSE, "judge: not a JSON object (%s)", o ? "" : je.text);
    }
    json_t *v;
    int rc = 0;
#define U_(name, max)                                                                              \
    if (rc == 0) {                                                                                 \
        v = json_object_get(o, #name);                                                             \
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > (max))     \
            rc = gs_err_set(err, GS_EPARSE, "judge: %s missing or not an integer 0..%d", #name,    \
                            (int)(max));                                                           \
        else                                                                                       \
            j->name = (uint32_t)json_integer_value(v);                                             \
    }
#define B_(name)                                                                                   \
    if (rc == 0) {                                                                                 \
        v = json_object_get(o, #name);                                                             \
        if (!json_is_boolean(v))                                                                   \
            rc = gs_err_set(err, GS_EPARSE, "judge: %s missing or not true/false", #name);         \
        else                                                                                       \
            j->name = json_is_true(v);                                                             \
    }
    GS_JUDGE_UINTS(U_)
    GS_JUDGE_BOOLS(B_)
#undef U_
#undef B_
    json_decref(o);
    j->set = rc == 0;
    return rc;
}

size_t gs_judge_diff(const gs_judge_t *a, const gs_judge_t *b, char *out, size_t len)
{
    size_t n = 0, at = 0;
    if (len)
        out[0] = '\0';
#define ADD_(fmt, name, x, y)                                                                      \
    do {                                                                                           \
        n++;                                                                                       \
        if (at < len) {                                                                            \
            int w = snprintf(out + at, len - at, "%s" fmt, at ? ", " : "", #name, x, y);           \
            at += w > 0 ? (size_t)w : 0;                                                           \
        }                                                                                          \
    } while (0)
#define U_(name, max)                                                                              \
    if (a->name != b->name)                                                                        \
        ADD_("%s %u (now %u)", name, (unsigned)a->name, (unsigned)b->name);
#define B_(name)                                                                                   \
    if (a->name != b->name)                                                                        \
        ADD_("%s %s (now %s)", name, a->name ? "true" : "false", b->name ? "true" : "false");
    GS_JUDGE_UINTS(U_)
    GS_JUDGE_BOOLS(B_)
#undef U_
#undef B_
#undef ADD_
    return n;
}
