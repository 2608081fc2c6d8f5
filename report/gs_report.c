/* gs_report.c -- the report model loaded from Redis, and the writers that read it.
 *
 * The first half loads: the sweep's meta and lists, then the registry rows and results in
 * pipelined batches (three commands per target, then the findings of the batch in
 * sub-batches bounded by bytes), every string copied into an arena after it is made valid
 * UTF-8, so the model owns nothing from hiredis or jansson once loaded. The second half
 * writes: findings.jsonl, targets.csv and report.md through a temporary file and a rename,
 * and the terminal tables. Writers see the model only through the public accessors, as the
 * later HTML and XLSX writers will. */
#include "gs_report.h"
#include "gs_buf.h"
#include "gs_msg.h"
#include "gs_util.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef GS_DATA_DIR_DEFAULT
#define GS_DATA_DIR_DEFAULT "data"
#endif

/* Targets per pipelined batch: 3 commands each, replies of a few KiB per target. */
#define BATCH 512
/* Findings fetched in one pipelined round trip: at most this many bytes of replies
 * buffered at once (one larger reply alone is allowed, up to GS_REPORT_MAX_FINDINGS_JSON). */
#define FINDINGS_BATCH_BYTES (64u * 1024 * 1024)
/* Target ids read per LRANGE. */
#define LRANGE_CHUNK 10000
/* Arena block size; larger strings get a block of their own. */
#define ARENA_BLOCK (256u * 1024)
/* Catalogue entries read from codes.tsv, and distinct codes kept in all. */
#define CODES_MAX 1024
/* Distinct veto codes named in one problem cell. */
#define CELL_CODES_MAX 64
/* Evidence sentences of one code in one problem cell before "等N项". */
#define CELL_ITEMS_MAX 10
/* Bytes of one problem cell. */
#define CELL_MAX (64u * 1024)
/* Problem targets listed on the terminal before "另有 N 家". */
#define PRINT_LIST_MAX 50

#define REASON_NO_RESULT "未完成检查"

/* ---- arena: every string and array of the model, freed at once --------------------- */

typedef struct ablock {
    struct ablock *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} ablock_t;

typedef struct arena {
    ablock_t *head;
    uint64_t total; /* bytes allocated in blocks, against GS_REPORT_MAX_BYTES */
} arena_t;

/* n bytes, 16-aligned; NULL when out of memory or past the ceiling. */
static void *arena_alloc(arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        if (a->total + cap > GS_REPORT_MAX_BYTES)
            return NULL;
        ablock_t *b = malloc(sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
        a->total += cap;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

static void arena_free(arena_t *a)
{
    while (a->head) {
        ablock_t *n = a->head->next;
        free(a->head);
        a->head = n;
    }
    a->total = 0;
}

/* ---- UTF-8 ------------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (of n bytes), 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

/* Decode the code point at *p (valid UTF-8 assumed, as every model string is). */
static unsigned utf8_next(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    size_t n = utf8_len(s, 4);
    unsigned cp;
    if (n == 0) {
        *p += 1;
        return 0xFFFD;
    }
    if (n == 1)
        cp = s[0];
    else if (n == 2)
        cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    else if (n == 3)
        cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    else
        cp = ((s[0] & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
             (s[3] & 0x3Fu);
    *p += n;
    return cp;
}

/* Terminal columns of a code point: East Asian wide and fullwidth ones take two. */
static int cp_width(unsigned cp)
{
    if (cp < 0x20)
        return 1; /* printed as a space by print_cell */
    if (cp >= 0x7F && cp < 0xA0)
        return 0;
    if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
        (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
        (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
        return 2;
    return 1;
}

static size_t text_width(const char *s)
{
    size_t w = 0;
    while (*s)
        w += (size_t)cp_width(utf8_next(&s));
    return w;
}

/* ---- string map: name -> index, for regions and codes ------------------------------ */

typedef struct strmap {
    const char **keys; /* borrowed from the arena */
    size_t *vals;
    size_t cap, len; /* cap a power of two, or 0 */
} strmap_t;

static size_t strmap_slot(const strmap_t *m, const char *key)
{
    size_t i = (size_t)gs_fnv1a(GS_FNV_INIT, key, strlen(key)) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static size_t strmap_get(const strmap_t *m, const char *key)
{
    if (!m->cap)
        return SIZE_MAX;
    size_t i = strmap_slot(m, key);
    return m->keys[i] ? m->vals[i] : SIZE_MAX;
}

static int strmap_put(strmap_t *m, const char *key, size_t val)
{
    if (2 * (m->len + 1) > m->cap) {
        strmap_t n = {NULL, NULL, m->cap ? 2 * m->cap : 64, 0};
        n.keys = calloc(n.cap, sizeof(*n.keys));
        n.vals = calloc(n.cap, sizeof(*n.vals));
        if (!n.keys || !n.vals) {
            free(n.keys);
            free(n.vals);
            return GS_ENOMEM;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                size_t s = strmap_slot(&n, m->keys[i]);
                n.keys[s] = m->keys[i];
                n.vals[s] = m->vals[i];
                n.len++;
            }
        free(m->keys);
        free(m->vals);
        *m = n;
    }
    size_t s = strmap_slot(m, key);
    if (!m->keys[s])
        m->len++;
    m->keys[s] = key;
    m->vals[s] = val;
    return 0;
}

static void strmap_free(strmap_t *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* ---- the model --------------------------------------------------------------------- */

struct gs_report {
    arena_t arena;
    char sweep[GS_ID_MAX];
    const char *reference_time;
    bool complete;
    gs_report_row_t *rows;
    size_t nrows;
    gs_report_region_t *regions;
    size_t nregions, capregions;
    strmap_t region_map;                          /* registry region text -> index */
    const char *extra_keys[GS_REPORT_MAX_EXTRA];  /* as in the registry's extra JSON */
    const char *extra_names[GS_REPORT_MAX_EXTRA]; /* the targets.csv column names */
    size_t nextra;
    const char **extra_cells; /* nrows * nextra, row-major */
    gs_report_code_t *codes;
    size_t ncodes;
    size_t *code_last_row; /* per code: last row counted in other_targets, +1 (0: none) */
    strmap_t code_map;
};

/* Scratch of one row while loading: its unknown columns, before the union is known. */
typedef struct rowtmp {
    size_t nextra;
    uint16_t *col;
    const char **val;
} rowtmp_t;

/* Copy len bytes of s into the arena as valid UTF-8: invalid sequences, NUL and other
 * control characters (tab and newlines excepted) become U+FFFD, and the copy stops at
 * GS_REPORT_MAX_FIELD bytes on a character boundary. NULL when out of memory. */
static const char *text(gs_report_t *r, const char *s, size_t len)
{
    if (!s || !len)
        return "";
    const unsigned char *p = (const unsigned char *)s;
    if (len > GS_REPORT_MAX_FIELD) {
        len = GS_REPORT_MAX_FIELD;
        while (len > 0 && (p[len] & 0xC0) == 0x80)
            len--; /* do not cut a character in two */
    }
    /* Two passes: the size first, so the arena holds exactly the copy. */
    size_t need = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *out = NULL;
        if (pass == 1 && !(out = arena_alloc(&r->arena, need + 1)))
            return NULL;
        size_t i = 0, o = 0;
        while (i < len) {
            size_t n = utf8_len(p + i, len - i);
            int ctl = n == 1 && (p[i] < 0x20 || p[i] == 0x7F) && p[i] != '\t' && p[i] != '\n' &&
                      p[i] != '\r';
            const unsigned char *src = p + i;
            if (n == 0 || ctl) {
                src = (const unsigned char *)"\xEF\xBF\xBD";
                i += 1;
                n = 3;
            } else {
                i += n;
            }
            if (out)
                memcpy(out + o, src, n);
            o += n;
        }
        if (out) {
            out[o] = '\0';
            return out;
        }
        need = o;
    }
    return NULL;
}

/* An exact copy into the arena (for text already known to be valid, e.g. JSON that
 * jansson wrote), without the field ceiling. */
static const char *dup_raw(gs_report_t *r, const char *s)
{
    size_t len = strlen(s);
    char *out = arena_alloc(&r->arena, len + 1);
    if (out)
        memcpy(out, s, len + 1);
    return out;
}

static const char *textz(gs_report_t *r, const char *s)
{
    return text(r, s, s ? strlen(s) : 0);
}

/* The string of a reply element, or NULL when it is not a string. */
static const char *rstr(const redisReply *e, size_t *len)
{
    if (!e || (e->type != REDIS_REPLY_STRING && e->type != REDIS_REPLY_STATUS)) {
        *len = 0;
        return NULL;
    }
    *len = e->len;
    return e->str;
}

/* A non-negative decimal count, -1 when absent or not one. */
static long long parse_count(const char *s, size_t len)
{
    if (!s || len == 0 || len > 18)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* 1 when s[0..len) consists only of bytes in the set. */
static int only_chars(const char *s, size_t len, const char *set)
{
    for (size_t i = 0; i < len; i++)
        if (!s[i] || !strchr(set, s[i]))
            return 0;
    return 1;
}

static int region_index(gs_report_t *r, const char *key, size_t *out, gs_err_t *err)
{
    size_t i = strmap_get(&r->region_map, key);
    if (i != SIZE_MAX) {
        *out = i;
        return 0;
    }
    if (r->nregions >= GS_REGISTRY_MAX_ROWS)
        return gs_err_set(err, GS_ETOOBIG, "sweep %s: more than %d regions", r->sweep,
                          GS_REGISTRY_MAX_ROWS);
    if (r->nregions == r->capregions) {
        size_t ncap = r->capregions ? 2 * r->capregions : 32;
        gs_report_region_t *n = realloc(r->regions, ncap * sizeof(*n));
        if (!n)
            return gs_err_set(err, GS_ENOMEM, "out of memory");
        r->regions = n;
        r->capregions = ncap;
    }
    gs_report_region_t *g = &r->regions[r->nregions];
    memset(g, 0, sizeof(*g));
    /* A row without a region still belongs to a table row, so the counts add up. */
    g->name = key[0] ? key : "（未登记地区）";
    if (strmap_put(&r->region_map, key, r->nregions) < 0)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    *out = r->nregions++;
    return 0;
}

/* The code's index, adding it (named after itself) when the catalogue lacks it;
 * SIZE_MAX when the table is full or out of memory. */
static size_t code_index(gs_report_t *r, const char *code, const char *name, const char *kind)
{
    size_t i = strmap_get(&r->code_map, code);
    if (i != SIZE_MAX || r->ncodes >= CODES_MAX)
        return i;
    if (strmap_put(&r->code_map, code, r->ncodes) < 0)
        return SIZE_MAX;
    gs_report_code_t *c = &r->codes[r->ncodes];
    memset(c, 0, sizeof(*c));
    c->code = code;
    c->name = name && name[0] ? name : code;
    c->kind = kind ? kind : "";
    r->code_last_row[r->ncodes] = 0;
    return r->ncodes++;
}

/* The catalogue of code names. A missing or unreadable file is not an error: the codes
 * are then shown as themselves. */
static int load_codes(gs_report_t *r, gs_err_t *err)
{
    r->codes = calloc(CODES_MAX, sizeof(*r->codes));
    r->code_last_row = calloc(CODES_MAX, sizeof(*r->code_last_row));
    if (!r->codes || !r->code_last_row)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    const char *dir = getenv("GS_DATA_DIR");
    if (!dir || !*dir)
        dir = GS_DATA_DIR_DEFAULT;
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof(path), "%s/codes.tsv", dir) >= sizeof(path))
        return 0;
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    char line[1024];
    int rc = 0;
    while (fgets(line, sizeof(line), fp) && r->ncodes < CODES_MAX) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *name = strchr(line, '\t');
        if (!name)
            continue;
        *name++ = '\0';
        char *kind = strchr(name, '\t');
        if (kind)
            *kind++ = '\0';
        const char *c = textz(r, line), *n = textz(r, name), *k = textz(r, kind ? kind : "");
        if (!c || !n || !k) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        if (c[0] && code_index(r, c, n, k) == SIZE_MAX && r->ncodes < CODES_MAX) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
    }
    fclose(fp);
    return rc;
}

/* Read n pipelined replies into reps. On a connection failure every reply read is freed
 * and GS_EREDIS returned: the context is unusable after that (hiredis's rule). */
static int read_replies(redisContext *ctx, redisReply **reps, size_t n, gs_err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        void *p = NULL;
        if (redisGetReply(ctx, &p) != REDIS_OK || !p) {
            for (size_t j = 0; j < i; j++)
                freeReplyObject(reps[j]);
            return gs_err_set(err, GS_EREDIS, "redis: %s",
                              ctx->errstr[0] ? ctx->errstr : "connection lost");
        }
        reps[i] = p;
    }
    return 0;
}

static void free_replies(redisReply **reps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (reps[i])
            freeReplyObject(reps[i]);
}

/* After a failed redisAppendCommand, take back the replies of the commands already
 * queued so the connection stays in step, and report the failure. */
static int append_failed(redisContext *ctx, redisReply **reps, size_t queued, gs_err_t *err)
{
    if (read_replies(ctx, reps, queued, NULL) == 0)
        free_replies(reps, queued);
    return gs_err_set(err, GS_ENOMEM, "redis: cannot queue a command: %s",
                      ctx->errstr[0] ? ctx->errstr : "out of memory");
}

/* The meta hash, the number of targets, and the regions list. */
static int load_plan(gs_report_t *r, redisContext *ctx, size_t *ntargets, gs_err_t *err)
{
    const char *s = r->sweep;
    redisReply *rep[3] = {NULL, NULL, NULL};
    if (redisAppendCommand(ctx, "HGETALL gs:sweep:%s:meta", s) != REDIS_OK)
        return append_failed(ctx, rep, 0, err);
    if (redisAppendCommand(ctx, "LLEN gs:sweep:%s:targets", s) != REDIS_OK)
        return append_failed(ctx, rep, 1, err);
    if (redisAppendCommand(ctx, "LRANGE gs:sweep:%s:regions 0 %d", s, GS_REGISTRY_MAX_ROWS - 1) !=
        REDIS_OK)
        return append_failed(ctx, rep, 2, err);
    int rc = read_replies(ctx, rep, 3, err);
    if (rc < 0)
        return rc;
    if (rep[0]->type == REDIS_REPLY_ERROR) {
        rc = gs_err_set(err, GS_EREDIS, "redis: gs:sweep:%s:meta: %s", s, rep[0]->str);
        goto out;
    }
    if (rep[0]->type != REDIS_REPLY_ARRAY || rep[0]->elements == 0) {
        rc = gs_err_set(err, GS_ENOTFOUND, "sweep %s not found in Redis (no gs:sweep:%s:meta)", s,
                        s);
        goto out;
    }
    r->reference_time = "";
    for (size_t i = 0; i + 1 < rep[0]->elements; i += 2) {
        size_t kl, vl;
        const char *k = rstr(rep[0]->element[i], &kl), *v = rstr(rep[0]->element[i + 1], &vl);
        if (!k || !v)
            continue;
        if (kl == 14 && memcmp(k, "reference_time", 14) == 0) {
            if (!(r->reference_time = text(r, v, vl)))
                goto oom;
        } else if (kl == 6 && memcmp(k, "status", 6) == 0) {
            r->complete = vl == 8 && memcmp(v, "complete", 8) == 0;
        }
    }
    if (rep[1]->type != REDIS_REPLY_INTEGER) {
        rc = gs_err_set(err, GS_EREDIS, "redis: gs:sweep:%s:targets: %s", s,
                        rep[1]->type == REDIS_REPLY_ERROR ? rep[1]->str : "not a list");
        goto out;
    }
    if (rep[1]->integer > GS_REGISTRY_MAX_ROWS) {
        rc = gs_err_set(err, GS_ETOOBIG, "sweep %s has %lld targets, more than the %d allowed", s,
                        rep[1]->integer, GS_REGISTRY_MAX_ROWS);
        goto out;
    }
    *ntargets = (size_t)rep[1]->integer;
    /* The regions list may be absent or garbled: regions are then taken from the rows. */
    for (size_t i = 0; rep[2]->type == REDIS_REPLY_ARRAY && i < rep[2]->elements; i++) {
        size_t len, idx;
        const char *v = rstr(rep[2]->element[i], &len);
        const char *name = v ? text(r, v, len) : NULL;
        if (!v)
            continue;
        if (!name)
            goto oom;
        if ((rc = region_index(r, name, &idx, err)) < 0)
            goto out;
    }
    rc = 0;
    goto out;
oom:
    rc = gs_err_set(err, GS_ENOMEM, "out of memory");
out:
    free_replies(rep, 3);
    return rc;
}

/* The target ids, in registry order, in LRANGE chunks sent in one pipeline. */
static int load_ids(gs_report_t *r, redisContext *ctx, size_t n, gs_err_t *err)
{
    r->rows = calloc(n ? n : 1, sizeof(*r->rows));
    if (!r->rows)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    size_t nchunks = (n + LRANGE_CHUNK - 1) / LRANGE_CHUNK;
    redisReply **reps = calloc(nchunks ? nchunks : 1, sizeof(*reps));
    if (!reps)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t c = 0; c < nchunks; c++)
        if (redisAppendCommand(ctx, "LRANGE gs:sweep:%s:targets %llu %llu", r->sweep,
                               (unsigned long long)c * LRANGE_CHUNK,
                               (unsigned long long)(c + 1) * LRANGE_CHUNK - 1) != REDIS_OK) {
            rc = append_failed(ctx, reps, c, err);
            free(reps);
            return rc;
        }
    if ((rc = read_replies(ctx, reps, nchunks, err)) < 0) {
        free(reps);
        return rc;
    }
    for (size_t c = 0; c < nchunks && rc == 0; c++) {
        if (reps[c]->type != REDIS_REPLY_ARRAY) {
            rc = gs_err_set(err, GS_EREDIS, "redis: gs:sweep:%s:targets: %s", r->sweep,
                            reps[c]->type == REDIS_REPLY_ERROR ? reps[c]->str : "not a list");
            break;
        }
        /* The list can only have shrunk since LLEN if someone deleted the sweep under us;
         * the rows read are reported, nothing more is invented. */
        for (size_t i = 0; i < reps[c]->elements && r->nrows < n; i++) {
            size_t len;
            const char *v = rstr(reps[c]->element[i], &len);
            gs_report_row_t *row = &r->rows[r->nrows];
            if (!(row->id = text(r, v, len))) {
                rc = gs_err_set(err, GS_ENOMEM, "out of memory");
                break;
            }
            r->nrows++;
        }
    }
    free_replies(reps, nchunks);
    free(reps);
    return rc;
}

/* Positions in the two HMGET replies of load_batch, in the order the fields are asked. */
enum {
    TF_ID,
    TF_KIND,
    TF_NAME,
    TF_REGION,
    TF_URL,
    TF_OWNER,
    TF_PLATFORM,
    TF_MENU,
    TF_LINE,
    TF_EXTRA,
    TF_N
};
enum { RF_STATUS, RF_REASON, RF_VETO, RF_NFINDINGS, RF_PAGES, RF_NEWEST, RF_LEDGER, RF_N };

/* The row's unknown columns from the registry's extra JSON object. */
static int row_extra(gs_report_t *r, rowtmp_t *tmp, const char *s, size_t len)
{
    if (!s || !len)
        return 0;
    json_t *o = json_loadb(s, len, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return 0; /* garbled: the row simply has no extra columns */
    }
    size_t n = json_object_size(o);
    if (n > GS_REPORT_MAX_EXTRA)
        n = GS_REPORT_MAX_EXTRA;
    tmp->col = arena_alloc(&r->arena, n * sizeof(*tmp->col) + 1);
    tmp->val = arena_alloc(&r->arena, n * sizeof(*tmp->val) + 1);
    if (!tmp->col || !tmp->val) {
        json_decref(o);
        return GS_ENOMEM;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (tmp->nextra >= n)
            break;
        size_t c = 0;
        while (c < r->nextra && strcmp(r->extra_keys[c], key) != 0)
            c++;
        if (c == r->nextra) {
            if (r->nextra >= GS_REPORT_MAX_EXTRA)
                continue;
            if (!(r->extra_keys[c] = textz(r, key))) {
                json_decref(o);
                return GS_ENOMEM;
            }
            r->nextra++;
        }
        const char *val;
        if (json_is_string(v)) {
            val = text(r, json_string_value(v), json_string_length(v));
        } else if (json_is_null(v)) {
            val = "";
        } else {
            char *d = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
            val = d ? textz(r, d) : "";
            free(d);
        }
        if (!val) {
            json_decref(o);
            return GS_ENOMEM;
        }
        tmp->col[tmp->nextra] = (uint16_t)c;
        tmp->val[tmp->nextra] = val;
        tmp->nextra++;
    }
    json_decref(o);
    return 0;
}

/* Fill a row's registry fields from its HMGET reply. */
static int row_registry(gs_report_t *r, gs_report_row_t *row, rowtmp_t *tmp, const redisReply *rep,
                        gs_err_t *err)
{
    const char *f[TF_N];
    size_t l[TF_N];
    int any = 0;
    for (int i = 0; i < TF_N; i++) {
        f[i] = rep->type == REDIS_REPLY_ARRAY && (size_t)i < rep->elements
                   ? rstr(rep->element[i], &l[i])
                   : rstr(NULL, &l[i]);
        any |= f[i] != NULL;
    }
    row->region_index = SIZE_MAX;
    const char **dst[] = {NULL,      &row->kind_name, &row->name,     &row->region,
                          &row->url, &row->owner,     &row->platform, &row->menu_url};
    for (int i = TF_KIND; i <= TF_MENU; i++)
        if (!(*dst[i] = text(r, f[i], l[i])))
            return gs_err_set(err, GS_ENOMEM, "out of memory");
    if (!any)
        return 0; /* no registry row: row_result marks it */
    if (f[TF_KIND] && l[TF_KIND] == 4 && memcmp(f[TF_KIND], "site", 4) == 0)
        row->kind = GS_KIND_SITE;
    else if (f[TF_KIND] && l[TF_KIND] == 7 && memcmp(f[TF_KIND], "account", 7) == 0)
        row->kind = GS_KIND_ACCOUNT;
    if (row->kind) {
        int rc = region_index(r, row->region, &row->region_index, err);
        if (rc < 0)
            return rc;
    }
    if (row_extra(r, tmp, f[TF_EXTRA], l[TF_EXTRA]) < 0)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    return 0;
}

/* Fill a row's verdict from its result HMGET reply. */
static int row_result(gs_report_t *r, gs_report_row_t *row, const redisReply *rep,
                      bool registry_not_hash, gs_err_t *err)
{
    const char *f[RF_N];
    size_t l[RF_N];
    int any = 0;
    for (int i = 0; i < RF_N; i++) {
        f[i] = rep->type == REDIS_REPLY_ARRAY && (size_t)i < rep->elements
                   ? rstr(rep->element[i], &l[i])
                   : rstr(NULL, &l[i]);
        any |= f[i] != NULL;
    }
    row->status = GS_REPORT_UNCHECKED;
    row->reason = "";
    row->veto_codes = "";
    row->newest = "";
    row->ledger = "";
    row->nfindings = row->pages = -1;
    row->pages_planned = row->pages_failed = row->pages_skipped = -1;
    row->has_result = any || rep->type == REDIS_REPLY_ERROR;
    if (!row->has_result) {
        row->reason = REASON_NO_RESULT;
    } else if (rep->type == REDIS_REPLY_ERROR) {
        row->reason = "结果记录无效（不是哈希）";
    } else {
        if (f[RF_STATUS] && l[RF_STATUS] == strlen("合格") &&
            !memcmp(f[RF_STATUS], "合格", l[RF_STATUS]))
            row->status = GS_REPORT_PASS;
        else if (f[RF_STATUS] && l[RF_STATUS] == strlen("不合格") &&
                 !memcmp(f[RF_STATUS], "不合格", l[RF_STATUS]))
            row->status = GS_REPORT_FAIL;
        int unchecked = f[RF_STATUS] && l[RF_STATUS] == strlen("未检查") &&
                        !memcmp(f[RF_STATUS], "未检查", l[RF_STATUS]);
        if (!(row->reason = text(r, f[RF_REASON], l[RF_REASON])))
            return gs_err_set(err, GS_ENOMEM, "out of memory");
        if (unchecked && !row->reason[0])
            row->reason = "未说明原因";
        else if (row->status == GS_REPORT_UNCHECKED && !unchecked)
            row->reason = "结果记录无效（status 不是 合格、不合格 或 未检查）";
        if (f[RF_VETO] &&
            only_chars(f[RF_VETO], l[RF_VETO],
                       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                       "abcdefghijklmnopqrstuvwxyz"
                       "0123456789,_-") &&
            !(row->veto_codes = text(r, f[RF_VETO], l[RF_VETO])))
            return gs_err_set(err, GS_ENOMEM, "out of memory");
        row->nfindings = parse_count(f[RF_NFINDINGS], l[RF_NFINDINGS]);
        row->pages = parse_count(f[RF_PAGES], l[RF_PAGES]);
        if (f[RF_NEWEST] && l[RF_NEWEST] == 10 && only_chars(f[RF_NEWEST], 10, "0123456789-") &&
            !(row->newest = text(r, f[RF_NEWEST], 10)))
            return gs_err_set(err, GS_ENOMEM, "out of memory");
        if (f[RF_LEDGER] && l[RF_LEDGER] < 64 * 1024) {
            /* a ledger that is not an object of counters is left out, not trusted */
            json_t *lo = json_loadb(f[RF_LEDGER], l[RF_LEDGER], 0, NULL);
            if (json_is_object(lo)) {
                long long planned = 0, failed = 0, skipped = 0;
                const char *k;
                json_t *v;
                bool ok = true;
                json_object_foreach(lo, k, v)
                {
                    if (!json_is_integer(v) || json_integer_value(v) < 0) {
                        ok = false;
                        break;
                    }
                    long long n = (long long)json_integer_value(v);
                    if (!strcmp(k, "planned"))
                        planned += n;
                    else if (!strncmp(k, "failed.", 7))
                        failed += n;
                    else if (!strncmp(k, "skipped.", 8))
                        skipped += n;
                }
                char *canon = ok ? json_dumps(lo, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
                if (canon) {
                    row->ledger = text(r, canon, strlen(canon));
                    free(canon);
                    if (!row->ledger) {
                        json_decref(lo);
                        return gs_err_set(err, GS_ENOMEM, "out of memory");
                    }
                    row->pages_planned = planned;
                    row->pages_failed = failed;
                    row->pages_skipped = skipped;
                }
            }
            json_decref(lo);
        }
    }
    if (!row->kind) {
        /* A result without a usable registry row cannot be placed in any table: listed
         * as 未检查 so that it is seen, not dropped. */
        row->status = GS_REPORT_UNCHECKED;
        row->reason = registry_not_hash   ? "登记信息无效（target 记录不是哈希）"
                      : row->kind_name[0] ? "登记信息无效（kind 不是 site 或 account）"
                                          : "登记信息缺失（无 target 记录）";
    }
    static const char *const names[] = {"未检查", "合格", "不合格"};
    row->status_name = names[row->status];
    return 0;
}

/* A string member of a finding object, as model text ("" when absent). */
static const char *member(gs_report_t *r, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v))
        return "";
    return text(r, json_string_value(v), json_string_length(v));
}

/* Parse one target's stored findings array into the row and count the codes. */
static int row_findings(gs_report_t *r, size_t ri, const char *s, size_t len, gs_err_t *err)
{
    gs_report_row_t *row = &r->rows[ri];
    json_t *arr = json_loadb(s, len, 0, NULL);
    if (!json_is_array(arr)) {
        json_decref(arr);
        return 0; /* findings_ok stays false */
    }
    size_t n = json_array_size(arr);
    if (n > GS_REPORT_MAX_FINDINGS)
        n = GS_REPORT_MAX_FINDINGS;
    gs_report_finding_t *fs = arena_alloc(&r->arena, n * sizeof(*fs) + 1);
    int rc = 0;
    if (!fs)
        goto oom;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        if (!json_is_object(o))
            continue; /* not a finding: nothing to export */
        gs_report_finding_t *f = &fs[k];
        char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        f->json = line ? dup_raw(r, line) : NULL;
        free(line);
        f->code = member(r, o, "code");
        f->url = member(r, o, "url");
        f->evidence = member(r, o, "evidence");
        f->veto = json_is_true(json_object_get(o, "veto"));
        if (!f->json || !f->code || !f->url || !f->evidence)
            goto oom;
        k++;
        if (!f->code[0])
            continue;
        const char *code = f->code;
        size_t ci = code_index(r, code, NULL, NULL);
        if (ci == SIZE_MAX)
            continue; /* more than CODES_MAX distinct codes: not counted */
        gs_report_code_t *c = &r->codes[ci];
        if (f->veto) {
            c->veto++;
        } else {
            c->other++;
            if (r->code_last_row[ci] != ri + 1) {
                r->code_last_row[ci] = ri + 1;
                c->other_targets++;
            }
        }
    }
    row->findings = fs;
    row->findings_len = k;
    row->findings_ok = true;
    goto out;
oom:
    rc = gs_err_set(err, GS_ENOMEM, "out of memory (or the report's %llu-byte ceiling) at %s",
                    (unsigned long long)GS_REPORT_MAX_BYTES, row->id);
out:
    json_decref(arr);
    return rc;
}

/* Fetch and parse the findings of rows [b, e) whose lengths are in flen (0: none to
 * read), in pipelines of at most FINDINGS_BATCH_BYTES of replies. */
static int load_findings(gs_report_t *r, redisContext *ctx, size_t b, size_t e,
                         const long long *flen, gs_err_t *err)
{
    size_t idx[BATCH];
    redisReply *reps[BATCH];
    size_t i = b;
    while (i < e) {
        size_t n = 0;
        uint64_t bytes = 0;
        for (; i < e; i++) {
            long long fl = flen[i - b];
            if (fl <= 0)
                continue;
            if (n > 0 && bytes + (uint64_t)fl > FINDINGS_BATCH_BYTES)
                break;
            if (redisAppendCommand(ctx, "HGET gs:sweep:%s:result:%s findings", r->sweep,
                                   r->rows[i].id) != REDIS_OK)
                return append_failed(ctx, reps, n, err);
            idx[n++] = i;
            bytes += (uint64_t)fl;
        }
        int rc = read_replies(ctx, reps, n, err);
        if (rc < 0)
            return rc;
        for (size_t k = 0; k < n && rc == 0; k++) {
            size_t len;
            const char *s = rstr(reps[k], &len);
            if (s && len <= GS_REPORT_MAX_FINDINGS_JSON)
                rc = row_findings(r, idx[k], s, len, err);
        }
        free_replies(reps, n);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Registry rows, results and findings of rows [b, e): one pipeline of three commands per
 * row, then the findings. */
static int load_batch(gs_report_t *r, redisContext *ctx, rowtmp_t *tmp, size_t b, size_t e,
                      gs_err_t *err)
{
    redisReply *reps[3 * BATCH];
    long long flen[BATCH] = {0};
    size_t q = 0;
    for (size_t i = b; i < e; i++) {
        const char *id = r->rows[i].id;
        if (redisAppendCommand(ctx,
                               "HMGET gs:sweep:%s:target:%s id kind name region url owner "
                               "platform menu_url line extra",
                               r->sweep, id) != REDIS_OK)
            return append_failed(ctx, reps, q, err);
        q++;
        if (redisAppendCommand(ctx,
                               "HMGET gs:sweep:%s:result:%s status reason veto_codes "
                               "nfindings pages newest ledger",
                               r->sweep, id) != REDIS_OK)
            return append_failed(ctx, reps, q, err);
        q++;
        if (redisAppendCommand(ctx, "HSTRLEN gs:sweep:%s:result:%s findings", r->sweep, id) !=
            REDIS_OK)
            return append_failed(ctx, reps, q, err);
        q++;
    }
    int rc = read_replies(ctx, reps, q, err);
    if (rc < 0)
        return rc;
    for (size_t i = b; i < e && rc == 0; i++) {
        redisReply **rp = &reps[3 * (i - b)];
        gs_report_row_t *row = &r->rows[i];
        if ((rc = row_registry(r, row, &tmp[i], rp[0], err)) < 0)
            break;
        if ((rc = row_result(r, row, rp[1], rp[0]->type == REDIS_REPLY_ERROR, err)) < 0)
            break;
        /* Only a result hash has findings to read; a too big one is not read at all. */
        long long fl = rp[2]->type == REDIS_REPLY_INTEGER ? rp[2]->integer : 0;
        flen[i - b] = row->has_result && fl <= (long long)GS_REPORT_MAX_FINDINGS_JSON ? fl : 0;
    }
    free_replies(reps, q);
    if (rc < 0)
        return rc;
    return load_findings(r, ctx, b, e, flen, err);
}

/* The dense table of unknown columns and their csv names. */
static int finish_extra(gs_report_t *r, rowtmp_t *tmp, gs_err_t *err)
{
    static const char *const fixed[] = {
        "id",     "name",          "region",       "kind",          "owner",    "platform",
        "url",    "status",        "reason",       "veto_codes",    "findings", "pages",
        "newest", "pages_planned", "pages_failed", "pages_skipped", "ledger"};
    for (size_t c = 0; c < r->nextra; c++) {
        const char *name = r->extra_keys[c];
        /* A registry column called e.g. "status" must not shadow ours: csv readers keep the
         * last column of a name. */
        for (int round = 0; round < 4; round++) {
            int clash = 0;
            for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
                clash |= strcmp(name, fixed[k]) == 0;
            for (size_t k = 0; k < r->nextra; k++)
                clash |= k != c && strcmp(name, k < c ? r->extra_names[k] : r->extra_keys[k]) == 0;
            if (!clash)
                break;
            size_t len = strlen(name) + sizeof("registry_");
            char *p = arena_alloc(&r->arena, len);
            if (!p)
                return gs_err_set(err, GS_ENOMEM, "out of memory");
            snprintf(p, len, "registry_%s", name);
            name = p;
        }
        r->extra_names[c] = name;
    }
    if (!r->nextra)
        return 0;
    r->extra_cells = calloc(r->nrows * r->nextra + 1, sizeof(*r->extra_cells));
    if (!r->extra_cells)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->nrows; i++) {
        const char **cells = &r->extra_cells[i * r->nextra];
        for (size_t c = 0; c < r->nextra; c++)
            cells[c] = "";
        for (size_t k = 0; k < tmp[i].nextra; k++)
            cells[tmp[i].col[k]] = tmp[i].val[k];
        r->rows[i].extra = cells;
    }
    return 0;
}

/* Per-region counts from the rows' verdicts. */
static void count_regions(gs_report_t *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        const gs_report_row_t *row = &r->rows[i];
        if (!row->kind || row->region_index == SIZE_MAX)
            continue;
        gs_report_region_t *g = &r->regions[row->region_index];
        gs_report_count_t *c = row->kind == GS_KIND_SITE ? &g->site : &g->account;
        c->actual++;
        if (row->status == GS_REPORT_UNCHECKED) {
            c->unchecked++;
        } else {
            c->checked++;
            c->problem += row->status == GS_REPORT_FAIL;
        }
    }
}

int gs_report_load(redisContext *ctx, const char *sweep, gs_report_t **out, gs_err_t *err)
{
    if (!out)
        return gs_err_set(err, GS_EINVAL, "gs_report_load: no output pointer");
    *out = NULL;
    if (!ctx || ctx->err)
        return gs_err_set(err, GS_EREDIS, "redis: %s", ctx ? ctx->errstr : "not connected");
    if (!sweep || !gs_id_valid(sweep))
        return gs_err_set(err, GS_EINVAL,
                          "sweep id '%s': use 1-39 letters, digits, '.', '_', ':', '-'",
                          sweep ? sweep : "");
    gs_report_t *r = calloc(1, sizeof(*r));
    if (!r)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    snprintf(r->sweep, sizeof(r->sweep), "%s", sweep);
    rowtmp_t *tmp = NULL;
    size_t n = 0;
    int rc = load_plan(r, ctx, &n, err);
    if (rc < 0)
        goto out;
    if ((rc = load_codes(r, err)) < 0)
        goto out;
    if ((rc = load_ids(r, ctx, n, err)) < 0)
        goto out;
    if (!(tmp = calloc(r->nrows ? r->nrows : 1, sizeof(*tmp)))) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t b = 0; b < r->nrows; b += BATCH) {
        size_t e = b + BATCH < r->nrows ? b + BATCH : r->nrows;
        if ((rc = load_batch(r, ctx, tmp, b, e, err)) < 0)
            goto out;
    }
    if ((rc = finish_extra(r, tmp, err)) < 0)
        goto out;
    count_regions(r);
    *out = r;
    r = NULL;
out:
    free(tmp);
    gs_report_destroy(&r);
    return rc;
}

void gs_report_destroy(gs_report_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_report_t *r = *self_p;
    arena_free(&r->arena);
    free(r->rows);
    free(r->regions);
    strmap_free(&r->region_map);
    strmap_free(&r->code_map);
    free(r->extra_cells);
    free(r->codes);
    free(r->code_last_row);
    free(r);
    *self_p = NULL;
}

/* ---- accessors --------------------------------------------------------------------- */

const char *gs_report_sweep(const gs_report_t *rep)
{
    return rep->sweep;
}

const char *gs_report_reference_time(const gs_report_t *rep)
{
    return rep->reference_time ? rep->reference_time : "";
}

bool gs_report_complete(const gs_report_t *rep)
{
    return rep->complete;
}

size_t gs_report_nrows(const gs_report_t *rep)
{
    return rep->nrows;
}

const gs_report_row_t *gs_report_row(const gs_report_t *rep, size_t i)
{
    return i < rep->nrows ? &rep->rows[i] : NULL;
}

size_t gs_report_nregions(const gs_report_t *rep)
{
    return rep->nregions;
}

const gs_report_region_t *gs_report_region(const gs_report_t *rep, size_t i)
{
    return i < rep->nregions ? &rep->regions[i] : NULL;
}

gs_report_count_t gs_report_total(const gs_report_t *rep, gs_kind_t kind)
{
    gs_report_count_t t = {0, 0, 0, 0};
    for (size_t i = 0; i < rep->nregions; i++) {
        const gs_report_count_t *c =
            kind == GS_KIND_SITE ? &rep->regions[i].site : &rep->regions[i].account;
        t.actual += c->actual;
        t.checked += c->checked;
        t.problem += c->problem;
        t.unchecked += c->unchecked;
    }
    return t;
}

size_t gs_report_nextra(const gs_report_t *rep)
{
    return rep->nextra;
}

const char *gs_report_extra_name(const gs_report_t *rep, size_t i)
{
    return i < rep->nextra ? rep->extra_names[i] : NULL;
}

size_t gs_report_ncodes(const gs_report_t *rep)
{
    return rep->ncodes;
}

const gs_report_code_t *gs_report_code(const gs_report_t *rep, size_t i)
{
    return i < rep->ncodes ? &rep->codes[i] : NULL;
}

const char *gs_report_code_name(const gs_report_t *rep, const char *code)
{
    size_t i = strmap_get(&rep->code_map, code);
    return i == SIZE_MAX ? code : rep->codes[i].name;
}

/* ---- numbers ----------------------------------------------------------------------- */

void gs_report_percent(uint64_t num, uint64_t den, char *out, size_t outlen)
{
    if (den == 0) {
        snprintf(out, outlen, "—");
        return;
    }
    /* Counts are at most a registry's rows; scale anything larger down so the integer
     * arithmetic below cannot overflow. */
    while (num > UINT32_MAX || den > UINT32_MAX) {
        num >>= 1;
        den >>= 1;
    }
    if (den == 0)
        den = 1;
    /* Hundredths of a percent, rounded half up: floor(num * 10000 / den + 1/2). */
    uint64_t h = (num * 20000 + den) / (2 * den);
    snprintf(out, outlen, "%llu.%02llu%%", (unsigned long long)(h / 100),
             (unsigned long long)(h % 100));
}

void gs_report_pass_rate(uint64_t checked, uint64_t problem, char *out, size_t outlen)
{
    gs_report_percent(problem < checked ? checked - problem : 0, checked, out, outlen);
}

/* ---- shared by the writers --------------------------------------------------------- */

/* Where json_dump_callback writes: the bytes, and the first failure of an append. */
typedef struct dump_sink {
    gs_buf_t buf;
    int rc;
} dump_sink_t;

static int dump_put(const char *p, size_t n, void *data)
{
    dump_sink_t *d = data;
    int rc = gs_buf_append(&d->buf, p, n);
    if (rc < 0 && !d->rc)
        d->rc = rc;
    return rc < 0 ? -1 : 0;
}

/* v as JSON text (jansson's dump flags) into *out, which the caller frees: 0 or GS_ENOMEM.
 * Not json_dumps: jansson 2.14's can lose a failed append of its own buffer and return the
 * text with a piece missing; through our own sink no failure passes unseen. The bytes are
 * json_dumps's, which writes through the same dumper. No ceiling of its own: the text of a
 * parsed value is as long as the input it came from, and that input had one. */
static int dump_json(const json_t *v, size_t flags, char **out)
{
    dump_sink_t d;
    gs_buf_init(&d.buf, SIZE_MAX / 2);
    d.rc = 0;
    int rc = json_dump_callback(v, dump_put, &d, flags);
    *out = rc == 0 && d.rc == 0 ? gs_buf_steal(&d.buf) : NULL;
    gs_buf_cleanup(&d.buf);
    return *out ? 0 : GS_ENOMEM;
}

int gs__report_detail_json(const gs_report_finding_t *f, char **out)
{
    /* f->json is the loader's own dump of a parsed object, so reading it back fails only
     * for memory (jansson 2.14's parser does not always say so: an allocation failing
     * inside it returns NULL with no error, or with a syntax error) */
    json_t *o = json_loads(f->json, 0, NULL);
    if (!o) {
        *out = NULL;
        return GS_ENOMEM;
    }
    json_t *d = json_object_get(o, "detail");
    int rc = 0;
    if (d)
        rc = dump_json(d, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY, out);
    else if (!(*out = strdup("{}")))
        rc = GS_ENOMEM;
    json_decref(o);
    return rc;
}

/* The state of a problem text after one append returned r: the first GS_ENOMEM sticks;
 * GS_ETOOBIG (the ceiling) and success leave it as it was. */
static int cell_put(int rc, int r)
{
    return rc < 0 ? rc : r == GS_ENOMEM ? r : 0;
}

/* The 存在的突出问题 text of a 不合格 row. Long form: each veto code's name with its
 * evidence sentences, "站点无法访问（首页无法访问：……）；栏目不更新（栏目“A”……；栏目“B”……）";
 * short form: the names only, "站点无法访问、栏目不更新". When the stored findings are
 * unreadable the names come from veto_codes. */
static int problem_text(const gs_report_t *rep, const gs_report_row_t *row, int longform,
                        gs_buf_t *b)
{
    const char *codes[CELL_CODES_MAX];
    size_t nc = 0;
    for (size_t i = 0; i < row->findings_len && nc < CELL_CODES_MAX; i++) {
        const gs_report_finding_t *f = &row->findings[i];
        if (!f->veto || !f->code[0])
            continue;
        size_t k = 0;
        while (k < nc && strcmp(codes[k], f->code) != 0)
            k++;
        if (k == nc)
            codes[nc++] = f->code;
    }
    /* A piece past the cell's ceiling is left out by design (the cell stays readable);
     * one that memory refused is a loss, so it fails the text. */
    int rc = 0;
    const char *sep = longform ? "；" : "、";
    for (size_t k = 0; k < nc && rc == 0; k++) {
        rc = cell_put(rc,
                      gs_buf_printf(b, "%s%s", k ? sep : "", gs_report_code_name(rep, codes[k])));
        if (!longform)
            continue;
        size_t shown = 0, total = 0;
        for (size_t i = 0; i < row->findings_len; i++) {
            const gs_report_finding_t *f = &row->findings[i];
            if (!f->veto || strcmp(f->code, codes[k]) != 0 || !f->evidence[0])
                continue;
            total++;
            if (shown < CELL_ITEMS_MAX)
                rc = cell_put(rc, gs_buf_printf(b, "%s%s", shown++ ? "；" : "（", f->evidence));
        }
        if (total > shown)
            rc = cell_put(rc, gs_buf_printf(b, "等%zu项", total));
        if (shown)
            rc = cell_put(rc, gs_buf_puts(b, "）"));
    }
    if (nc)
        return rc;
    /* veto_codes is "A,B,C" */
    const char *p = row->veto_codes;
    while (*p && rc == 0) {
        size_t len = strcspn(p, ",");
        char code[GS_CODE_MAX * 2];
        if (len > 0 && len < sizeof(code)) {
            memcpy(code, p, len);
            code[len] = '\0';
            rc = cell_put(
                rc, gs_buf_printf(b, "%s%s", nc++ ? sep : "", gs_report_code_name(rep, code)));
        }
        p += len + (p[len] == ',');
    }
    if (!nc && rc == 0)
        rc = cell_put(rc, gs_buf_puts(b, "未记录具体问题"));
    return rc;
}

int gs_report_problem_text(const gs_report_t *rep, const gs_report_row_t *row, bool longform,
                           gs_buf_t *b)
{
    return problem_text(rep, row, longform ? 1 : 0, b);
}

size_t gs_report_text_width(const char *s)
{
    return text_width(s);
}

const char *gs__report_kind_label(gs_kind_t k)
{
    return k == GS_KIND_SITE ? "政府网站" : k == GS_KIND_ACCOUNT ? "政务新媒体" : "—";
}

/* ---- findings.jsonl ---------------------------------------------------------------- */

/* the same lines as `govsweep export --format jsonl` (gs_report_export.c) */
static int write_jsonl(const gs_report_t *rep, FILE *fp)
{
    return gs_report_write_findings(rep, GS_REPORT_FINDINGS_JSONL, fp);
}

/* ---- targets.csv ------------------------------------------------------------------- */

/* One RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
void gs__report_csv_field(FILE *fp, const char *s, int first)
{
    if (!first)
        fputc(',', fp);
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static void csv_count(FILE *fp, long long v)
{
    if (v >= 0)
        fprintf(fp, ",%lld", v);
    else
        fputc(',', fp);
}

static int write_csv(const gs_report_t *rep, FILE *fp)
{
    /* The BOM makes Excel, as used in China, read the file as UTF-8 rather than GBK. */
    fputs("\xEF\xBB\xBF"
          "id,name,region,kind,owner,platform,url,status,reason,veto_codes,findings,pages,newest,"
          "pages_planned,pages_failed,pages_skipped,ledger",
          fp);
    for (size_t c = 0; c < gs_report_nextra(rep); c++)
        gs__report_csv_field(fp, gs_report_extra_name(rep, c), 0);
    fputs("\r\n", fp);
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        const char *f[] = {row->id,     row->name,      row->region, row->kind_name,
                           row->owner,  row->platform,  row->url,    row->status_name,
                           row->reason, row->veto_codes};
        for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
            gs__report_csv_field(fp, f[k], k == 0);
        csv_count(fp, row->nfindings);
        csv_count(fp, row->pages);
        gs__report_csv_field(fp, row->newest, 0);
        csv_count(fp, row->pages_planned);
        csv_count(fp, row->pages_failed);
        csv_count(fp, row->pages_skipped);
        gs__report_csv_field(fp, row->ledger, 0);
        for (size_t c = 0; c < gs_report_nextra(rep); c++)
            gs__report_csv_field(fp, row->extra[c], 0);
        fputs("\r\n", fp);
    }
    return 0;
}

/* ---- report.md --------------------------------------------------------------------- */

/* Text as one Markdown table cell: '|' and '\' escaped, line breaks as <br>, '<' as an
 * entity so that page text cannot turn into markup. */
void gs__report_md_cell(FILE *fp, const char *s)
{
    fputc(' ', fp);
    for (; *s; s++) {
        switch (*s) {
        case '|':
            fputs("\\|", fp);
            break;
        case '\\':
            fputs("\\\\", fp);
            break;
        case '<':
            fputs("&lt;", fp);
            break;
        case '\t':
            fputc(' ', fp);
            break;
        case '\r':
            if (s[1] == '\n')
                s++;
            fputs("<br>", fp);
            break;
        case '\n':
            fputs("<br>", fp);
            break;
        default:
            fputc(*s, fp);
        }
    }
    fputs(" |", fp);
}

static void md_num(FILE *fp, size_t v)
{
    fprintf(fp, " %zu |", v);
}

/* 一、总体情况's sentence for one kind. */
static void md_summary(FILE *fp, gs_report_count_t t, const char *noun, const char *problem_noun)
{
    char rate[24];
    if (t.actual == 0) {
        fprintf(fp, "本次检查未包含%s。\n\n", noun);
        return;
    }
    gs_report_pass_rate(t.checked, t.problem, rate, sizeof(rate));
    fprintf(fp, "对全省正常运行的%zu家%s进行检查，共检查%s%zu家", t.actual, noun, noun, t.checked);
    if (t.unchecked)
        fprintf(fp, "（%zu家未检查，见附件5）", t.unchecked);
    if (t.problem)
        fprintf(fp, "，发现存在突出问题%s%zu家", problem_noun, t.problem);
    else
        fprintf(fp, "，未发现存在突出问题%s", problem_noun);
    fprintf(fp, "，总体合格率%s。\n\n", rate);
}

/* 附件1 / 附件2: per region, with the 合计 row. */
static void md_region_table(const gs_report_t *rep, FILE *fp, gs_kind_t kind, const char *title,
                            const char *noun)
{
    char pct[24];
    fprintf(fp, "## %s\n\n", title);
    fprintf(fp,
            "| 序号 | 单位 | 实际运行%s数 | 检查%s数 | 发现存在突出问题的%s数 | 占检查数比例 |\n",
            noun, noun, noun);
    fputs("| ---: | --- | ---: | ---: | ---: | ---: |\n", fp);
    for (size_t i = 0; i < gs_report_nregions(rep); i++) {
        const gs_report_region_t *g = gs_report_region(rep, i);
        const gs_report_count_t *c = kind == GS_KIND_SITE ? &g->site : &g->account;
        gs_report_percent(c->problem, c->checked, pct, sizeof(pct));
        fprintf(fp, "| %zu |", i + 1);
        gs__report_md_cell(fp, g->name);
        md_num(fp, c->actual);
        md_num(fp, c->checked);
        md_num(fp, c->problem);
        fprintf(fp, " %s |\n", pct);
    }
    gs_report_count_t t = gs_report_total(rep, kind);
    gs_report_percent(t.problem, t.checked, pct, sizeof(pct));
    fprintf(fp, "| 合计 | |");
    md_num(fp, t.actual);
    md_num(fp, t.checked);
    md_num(fp, t.problem);
    fprintf(fp, " %s |\n\n", pct);
    gs_report_pass_rate(t.checked, t.problem, pct, sizeof(pct));
    fprintf(fp,
            "注：检查%s数为已完成检查（合格或不合格）的%s数；合格率 = （检查数 − "
            "存在突出问题数）/ 检查数 = %s。\n\n",
            noun, noun, pct);
}

/* 附件3 / 附件4: the 不合格 targets of one kind. 0 or GS_ENOMEM. */
static int md_problem_list(const gs_report_t *rep, FILE *fp, gs_kind_t kind, const char *title)
{
    fprintf(fp, "## %s\n\n", title);
    gs_buf_t b;
    gs_buf_init(&b, CELL_MAX);
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < gs_report_nrows(rep) && rc == 0; i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        if (row->kind != kind || row->status != GS_REPORT_FAIL)
            continue;
        if (n++ == 0) {
            if (kind == GS_KIND_SITE)
                fputs("| 序号 | 地区/部门 | 网站名称 | 网站标识码 | 存在的突出问题 |\n"
                      "| ---: | --- | --- | --- | --- |\n",
                      fp);
            else
                fputs("| 序号 | 市州/部门 | 账号名称 | 存在的突出问题 | 开设主体名称 | 账号平台 | "
                      "新媒体标识码 |\n"
                      "| ---: | --- | --- | --- | --- | --- | --- |\n",
                      fp);
        }
        gs_buf_reset(&b);
        if ((rc = problem_text(rep, row, 1, &b)) < 0)
            break;
        fprintf(fp, "| %zu |", n);
        gs__report_md_cell(fp, row->region);
        gs__report_md_cell(fp, row->name);
        if (kind == GS_KIND_SITE) {
            gs__report_md_cell(fp, row->id);
            gs__report_md_cell(fp, gs_buf_str(&b));
        } else {
            gs__report_md_cell(fp, gs_buf_str(&b));
            gs__report_md_cell(fp, row->owner);
            gs__report_md_cell(fp, row->platform);
            gs__report_md_cell(fp, row->id);
        }
        fputc('\n', fp);
    }
    gs_buf_cleanup(&b);
    if (rc == 0)
        fputs(n ? "\n" : "无。\n\n", fp);
    return rc;
}

/* 附件5: every 未检查 target with its reason, so that nothing is silently dropped. */
static void md_unchecked(const gs_report_t *rep, FILE *fp)
{
    fputs("## 附件5 未检查的政府网站和政务新媒体名单\n\n", fp);
    size_t n = 0;
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        if (row->status != GS_REPORT_UNCHECKED)
            continue;
        if (n++ == 0)
            fputs("| 序号 | 地区/部门 | 类别 | 名称 | 标识码 | 未检查原因 |\n"
                  "| ---: | --- | --- | --- | --- | --- |\n",
                  fp);
        fprintf(fp, "| %zu |", n);
        gs__report_md_cell(fp, row->region);
        gs__report_md_cell(fp, gs__report_kind_label(row->kind));
        gs__report_md_cell(fp, row->name);
        gs__report_md_cell(fp, row->id);
        gs__report_md_cell(fp, row->reason);
        fputc('\n', fp);
    }
    fputs(n ? "\n" : "无。\n\n", fp);
}

/* 二、其他问题: findings without veto, per code in catalogue order. */
static void md_other(const gs_report_t *rep, FILE *fp)
{
    fputs("## 二、其他问题\n\n", fp);
    size_t n = 0;
    for (size_t i = 0; i < gs_report_ncodes(rep); i++) {
        const gs_report_code_t *c = gs_report_code(rep, i);
        if (!c->other)
            continue;
        if (n++ == 0)
            fputs("检查还发现以下不构成单项否决的问题（逐条见 findings.jsonl）：\n\n"
                  "| 序号 | 问题代码 | 问题 | 发现数 | 涉及对象数 |\n"
                  "| ---: | --- | --- | ---: | ---: |\n",
                  fp);
        fprintf(fp, "| %zu |", n);
        gs__report_md_cell(fp, c->code);
        gs__report_md_cell(fp, c->name);
        md_num(fp, c->other);
        md_num(fp, c->other_targets);
        fputc('\n', fp);
    }
    fputs(n ? "\n" : "未发现其他问题。\n\n", fp);
}

static int write_md(const gs_report_t *rep, FILE *fp)
{
    size_t pending = 0;
    for (size_t i = 0; i < gs_report_nrows(rep); i++)
        pending += !gs_report_row(rep, i)->has_result;
    const char *ref = gs_report_reference_time(rep);
    fprintf(fp, "# 全省政府网站与政务新媒体检查情况（%s）\n\n", gs_report_sweep(rep));
    fprintf(fp, "- 检查批次：%s\n", gs_report_sweep(rep));
    fprintf(fp, "- 监测时间点：%s\n", ref[0] ? ref : "未记录");
    if (gs_report_complete(rep))
        fputs("- 检查状态：已完成\n\n", fp);
    else
        fprintf(fp, "- 检查状态：未完成（%zu个对象尚无检查结果，列入附件5）\n\n", pending);
    fputs("## 一、总体情况\n\n", fp);
    md_summary(fp, gs_report_total(rep, GS_KIND_SITE), "政府网站", "网站");
    md_summary(fp, gs_report_total(rep, GS_KIND_ACCOUNT), "政务新媒体", "政务新媒体");
    md_other(rep, fp);
    fputs("## 附件\n\n"
          "1. 全省政府网站检查情况\n"
          "2. 全省政务新媒体检查情况\n"
          "3. 检查发现存在突出问题的政府网站名单\n"
          "4. 检查发现存在突出问题的政务新媒体名单\n"
          "5. 未检查的政府网站和政务新媒体名单\n\n",
          fp);
    md_region_table(rep, fp, GS_KIND_SITE, "附件1 全省政府网站检查情况", "网站");
    md_region_table(rep, fp, GS_KIND_ACCOUNT, "附件2 全省政务新媒体检查情况", "政务新媒体");
    int rc = md_problem_list(rep, fp, GS_KIND_SITE, "附件3 检查发现存在突出问题的政府网站名单");
    if (rc == 0)
        rc =
            md_problem_list(rep, fp, GS_KIND_ACCOUNT, "附件4 检查发现存在突出问题的政务新媒体名单");
    if (rc == 0)
        md_unchecked(rep, fp);
    return rc;
}

/* ---- files ------------------------------------------------------------------------- */

/* mkdir -p: the directory and its missing parents. */
int gs__report_mkdir_p(const char *dir, gs_err_t *err)
{
    char tmp[PATH_MAX];
    if (!dir || !*dir)
        return gs_err_set(err, GS_EINVAL, "no output directory given");
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s", dir) >= sizeof(tmp))
        return gs_err_set(err, GS_EINVAL, "output directory name too long: %.100s...", dir);
    for (char *p = tmp + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
            return gs_err_set(err, GS_EIO, "cannot create directory %s: %s", tmp, strerror(errno));
        *p = c;
        if (!c)
            break;
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return gs_err_set(err, GS_EIO, "%s is not a directory", dir);
    return 0;
}

typedef int (*writer_fn)(const gs_report_t *rep, FILE *fp);

/* Write dir/name through dir/name.tmp: written, flushed to disk, then renamed over the
 * old file, so a reader sees the old file or the new one, never a mix. */
static int write_atomic(const gs_report_t *rep, const char *dir, const char *name, writer_fn fn,
                        gs_err_t *err)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s/%s.tmp", dir, name) >= sizeof(tmp))
        return gs_err_set(err, GS_EINVAL, "output path too long in %.100s", dir);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return gs_err_set(err, GS_EIO, "cannot write %s: %s", tmp, strerror(errno));
    int rc = fn(rep, fp);
    int bad = ferror(fp) || fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    int saved = errno;
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    /* a writer that saw the stream's error itself (GS_EIO) is told why as well */
    if ((rc == 0 || rc == GS_EIO) && bad)
        rc = gs_err_set(err, GS_EIO, "cannot write %s: %s", tmp, strerror(saved));
    else if (rc < 0)
        gs_err_set(err, rc, "cannot write %s: %s", tmp, gs_strerror(rc));
    if (rc == 0 && rename(tmp, path) < 0)
        rc = gs_err_set(err, GS_EIO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (rc < 0)
        unlink(tmp);
    return rc;
}

int gs_report_write_dir(const gs_report_t *rep, const char *dir, gs_err_t *err)
{
    if (!rep)
        return gs_err_set(err, GS_EINVAL, "no report loaded");
    int rc = gs__report_mkdir_p(dir, err);
    if (rc == 0)
        rc = write_atomic(rep, dir, "findings.jsonl", write_jsonl, err);
    if (rc == 0)
        rc = write_atomic(rep, dir, "targets.csv", write_csv, err);
    if (rc == 0)
        rc = write_atomic(rep, dir, "report.md", write_md, err);
    if (rc == 0)
        rc = write_atomic(rep, dir, "report.html", gs_report_write_html, err);
    if (rc == 0) {
        char path[PATH_MAX];
        if ((size_t)snprintf(path, sizeof(path), "%s/report.xlsx", dir) >= sizeof(path))
            return gs_err_set(err, GS_EINVAL, "output path too long in %.100s", dir);
        rc = gs_report_write_xlsx(rep, path, err);
    }
    return rc;
}

/* ---- terminal tables --------------------------------------------------------------- */

/* Print s padded to width columns, left or right aligned; control characters (a line
 * break in a name) print as spaces so the table stays one line per row. */
static void print_cell(FILE *fp, const char *s, size_t width, int right)
{
    size_t w = text_width(s);
    size_t pad = width > w ? width - w : 0;
    if (right)
        for (size_t i = 0; i < pad; i++)
            fputc(' ', fp);
    for (const char *p = s; *p; p++)
        fputc((unsigned char)*p < 0x20 ? ' ' : *p, fp);
    if (!right)
        for (size_t i = 0; i < pad; i++)
            fputc(' ', fp);
}

/* A table of nrows x 6 cells, columns two spaces apart, numbers right-aligned. */
static void print_grid(FILE *fp, char **cells, size_t nrows)
{
    enum { NC = 6 };
    size_t width[NC] = {0};
    for (size_t r = 0; r < nrows; r++)
        for (size_t c = 0; c < NC; c++) {
            size_t w = text_width(cells[r * NC + c]);
            if (w > width[c])
                width[c] = w;
        }
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < NC; c++) {
            if (c)
                fputs("  ", fp);
            /* Headings are left-aligned, the last one unpadded (no trailing blanks); in
             * the rows only the 单位 column is text, the others are numbers. */
            if (r == 0)
                print_cell(fp, cells[c], c == NC - 1 ? 0 : width[c], 0);
            else
                print_cell(fp, cells[r * NC + c], width[c], c != 1);
        }
        fputc('\n', fp);
    }
}

static char *dup_count(size_t v)
{
    char b[32];
    snprintf(b, sizeof(b), "%zu", v);
    return strdup(b);
}

/* One region table; 0, or GS_ENOMEM with nothing printed (a table with cells missing would
 * misstate the counts). */
static int print_region_table(const gs_report_t *rep, FILE *fp, gs_kind_t kind, const char *noun)
{
    enum { NC = 6 };
    size_t nr = gs_report_nregions(rep) + 2;
    char **cells = calloc(nr * NC, sizeof(*cells));
    if (!cells)
        return GS_ENOMEM;
    char h2[64], h3[64], h4[80], pct[24];
    snprintf(h2, sizeof(h2), "实际运行%s数", noun);
    snprintf(h3, sizeof(h3), "检查%s数", noun);
    snprintf(h4, sizeof(h4), "存在突出问题%s数", noun);
    const char *head[NC] = {"序号", "单位", h2, h3, h4, "占检查数比例"};
    for (size_t c = 0; c < NC; c++)
        cells[c] = strdup(head[c]);
    for (size_t i = 0; i < nr - 1; i++) {
        char **row = &cells[(i + 1) * NC];
        gs_report_count_t t;
        if (i < gs_report_nregions(rep)) {
            const gs_report_region_t *g = gs_report_region(rep, i);
            t = kind == GS_KIND_SITE ? g->site : g->account;
            row[0] = dup_count(i + 1);
            row[1] = strdup(g->name);
        } else {
            t = gs_report_total(rep, kind);
            row[0] = strdup("合计");
            row[1] = strdup("");
        }
        gs_report_percent(t.problem, t.checked, pct, sizeof(pct));
        row[2] = dup_count(t.actual);
        row[3] = dup_count(t.checked);
        row[4] = dup_count(t.problem);
        row[5] = strdup(pct);
    }
    int ok = 1;
    for (size_t i = 0; i < nr * NC; i++)
        ok &= cells[i] != NULL;
    if (ok)
        print_grid(fp, cells, nr);
    for (size_t i = 0; i < nr * NC; i++)
        free(cells[i]);
    free(cells);
    return ok ? 0 : GS_ENOMEM;
}

/* The first PRINT_LIST_MAX 不合格 targets of one kind; 0 or GS_ENOMEM. */
static int print_problems(const gs_report_t *rep, FILE *fp, gs_kind_t kind, const char *noun,
                          size_t nproblem)
{
    if (!nproblem)
        return 0;
    fprintf(fp, "存在突出问题的%s（%zu家）：\n", noun, nproblem);
    gs_buf_t b;
    gs_buf_init(&b, CELL_MAX);
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; i < gs_report_nrows(rep) && n < PRINT_LIST_MAX; i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        if (row->kind != kind || row->status != GS_REPORT_FAIL)
            continue;
        gs_buf_reset(&b);
        if ((rc = problem_text(rep, row, 0, &b)) < 0)
            break;
        fprintf(fp, "  %zu. ", ++n);
        print_cell(fp, row->region, 0, 0);
        fputs("  ", fp);
        print_cell(fp, row->name, 0, 0);
        fprintf(fp, "（%s）：", row->id);
        print_cell(fp, gs_buf_str(&b), 0, 0);
        fputc('\n', fp);
    }
    gs_buf_cleanup(&b);
    if (rc == 0 && nproblem > n)
        fprintf(fp, "  ……另有%zu家，见 report.md\n", nproblem - n);
    return rc;
}

int gs_report_print_tables(const gs_report_t *rep, FILE *fp)
{
    if (!rep || !fp)
        return GS_EINVAL;
    const char *ref = gs_report_reference_time(rep);
    static const struct {
        gs_kind_t kind;
        const char *title, *noun, *short_noun;
    } kinds[] = {{GS_KIND_SITE, "全省政府网站检查情况", "政府网站", "网站"},
                 {GS_KIND_ACCOUNT, "全省政务新媒体检查情况", "政务新媒体", "政务新媒体"}};
    fprintf(fp, "检查批次 %s，监测时间点 %s%s\n\n", gs_report_sweep(rep), ref[0] ? ref : "未记录",
            gs_report_complete(rep) ? "" : "（检查未完成）");
    for (size_t k = 0; k < 2; k++) {
        gs_report_count_t t = gs_report_total(rep, kinds[k].kind);
        char rate[24];
        gs_report_pass_rate(t.checked, t.problem, rate, sizeof(rate));
        fprintf(fp, "%s\n", kinds[k].title);
        int rc = print_region_table(rep, fp, kinds[k].kind, kinds[k].short_noun);
        if (rc < 0)
            return rc;
        fprintf(fp, "共检查%s%zu家，发现存在突出问题%s%zu家，合格率%s", kinds[k].noun, t.checked,
                kinds[k].short_noun, t.problem, rate);
        if (t.unchecked)
            fprintf(fp, "；未检查%zu家", t.unchecked);
        fputs("\n", fp);
        if ((rc = print_problems(rep, fp, kinds[k].kind, kinds[k].noun, t.problem)) < 0)
            return rc;
        fputc('\n', fp);
    }
    fflush(fp);
    return ferror(fp) ? GS_EIO : 0;
}
