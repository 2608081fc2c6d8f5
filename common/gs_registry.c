/* gs_registry.c -- reading the target registry (TARGETS.csv): bytes are decoded to UTF-8
 * (UTF-8 with or without BOM, else GB18030 through iconv), split into RFC 4180 records,
 * the header is mapped to columns by name (English or the Chinese names an Excel user
 * writes), and every row is checked; every problem is kept with its physical line so that
 * `govsweep validate` can list them all at once instead of one per run. Strings live in
 * one arena owned by the registry; ids and regions are indexed by small hash tables. */
#include "gs_registry.h"
#include "gs_buf.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- arena ---------------------------------------------------------------------------- */

/* A registry holds up to 200,000 rows of 8+ strings each: one malloc per string would
 * cost more in headers than in text, so strings are carved from 64 KiB blocks and freed
 * together by destroy. Blocks never move, so pointers into them stay valid. */
#define ARENA_BLOCK ((size_t)64 * 1024)

typedef struct arena_blk {
    struct arena_blk *next; /* older block */
    size_t used;            /* bytes handed out from data */
    size_t cap;             /* bytes in data */
    max_align_t data[];     /* max_align_t so that any object may start at offset 0 */
} arena_blk_t;

typedef struct arena {
    arena_blk_t *head; /* the block being filled; big strings get blocks behind it */
} arena_t;

static void arena_free(arena_t *a)
{
    arena_blk_t *b = a->head;
    while (b) {
        arena_blk_t *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* n bytes aligned to align (a power of two no larger than max_align_t); NULL when out of
 * memory. */
static void *arena_alloc(arena_t *a, size_t n, size_t align)
{
    arena_blk_t *h = a->head;
    if (h) {
        size_t at = (h->used + align - 1) & ~(align - 1);
        if (at <= h->cap && h->cap - at >= n) {
            h->used = at + n;
            return (unsigned char *)h->data + at;
        }
    }
    /* Something larger than a quarter block gets a block of its own, linked behind the
     * current one, so that the space left in the current block is not wasted. */
    int own = n > ARENA_BLOCK / 4;
    size_t cap = own ? n : ARENA_BLOCK;
    arena_blk_t *b = malloc(sizeof(*b) + cap);
    if (!b)
        return NULL;
    b->cap = cap;
    b->used = n;
    if (own && h) {
        b->next = h->next;
        h->next = b;
    } else {
        b->next = h;
        a->head = b;
    }
    return b->data;
}

static char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1, 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ---- string → index hash table ---------------------------------------------------------- */

/* Open addressing with linear probing, written here rather than hsearch_r: hsearch_r has
 * a fixed capacity chosen up front, is a GNU extension, and wants a mutable ENTRY per key;
 * this one grows, costs 16 bytes a slot, and never frees keys (they live in the arena). */
typedef struct smap_slot {
    const char *key; /* NULL = empty slot */
    uint32_t hash;   /* FNV-1a of key, to skip most strcmp calls */
    uint32_t val;    /* index into the owner's array */
} smap_slot_t;

typedef struct smap {
    smap_slot_t *slots; /* cap slots, cap a power of two or 0 */
    size_t cap;
    size_t n; /* keys stored; kept at most cap / 2 */
} smap_t;

/* 32-bit FNV-1a. (gs_fnv1a would do, but would tie this module to gs_util.o and through
 * it to the date code; the registry only needs common/gs_buf and gs_err.) */
static uint32_t smap_hash(const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return h;
}

static void smap_free(smap_t *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->n = 0;
}

/* Value stored for key, or -1 when absent. */
static long smap_get(const smap_t *m, const char *key)
{
    if (!m->cap)
        return -1;
    uint32_t h = smap_hash(key);
    for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        const smap_slot_t *s = &m->slots[i];
        if (!s->key)
            return -1;
        if (s->hash == h && strcmp(s->key, key) == 0)
            return (long)s->val;
    }
}

static void smap_place(smap_slot_t *slots, size_t cap, const smap_slot_t *e)
{
    size_t i = e->hash & (cap - 1);
    while (slots[i].key)
        i = (i + 1) & (cap - 1);
    slots[i] = *e;
}

/* Store key → val; key must be absent and must outlive the map. */
static int smap_put(smap_t *m, const char *key, uint32_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        smap_slot_t *ns = calloc(ncap, sizeof(*ns));
        if (!ns)
            return GS_ENOMEM;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key)
                smap_place(ns, ncap, &m->slots[i]);
        free(m->slots);
        m->slots = ns;
        m->cap = ncap;
    }
    smap_slot_t e = {key, smap_hash(key), val};
    smap_place(m->slots, m->cap, &e);
    m->n++;
    return 0;
}

/* ---- the registry ----------------------------------------------------------------------- */

struct gs_registry {
    arena_t arena;           /* every string, extras array and problem text */
    gs_target_t *targets;    /* rows that parsed (valid or not), in file order */
    size_t ntargets;         /* used */
    size_t captargets;       /* allocated */
    smap_t ids;              /* id → index of the first target with that id */
    const char **regions;    /* distinct regions, first appearance first */
    size_t nregions;         /* used */
    size_t capregions;       /* allocated */
    smap_t regmap;           /* region → index in regions */
    const char **problems;   /* "line N: ..." texts, at most GS_REGISTRY_MAX_PROBLEMS + 1 */
    size_t nproblems;        /* stored */
    size_t capproblems;      /* allocated */
    size_t nmore;            /* problems found past the ceiling, counted but not kept */
    const char **extra_keys; /* header names of the unknown columns, in file order */
    size_t nextra;           /* number of unknown columns */
    const char *encoding;    /* "UTF-8" or "GB18030" */
};

gs_registry_t *gs_registry_new(void)
{
    gs_registry_t *r = calloc(1, sizeof(*r));
    if (r)
        r->encoding = "UTF-8";
    return r;
}

/* Back to the state of gs_registry_new, so that a registry can be loaded again. */
static void registry_reset(gs_registry_t *r)
{
    arena_free(&r->arena);
    free(r->targets);
    free(r->regions);
    free(r->problems);
    smap_free(&r->ids);
    smap_free(&r->regmap);
    memset(r, 0, sizeof(*r));
    r->encoding = "UTF-8";
}

void gs_registry_destroy(gs_registry_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    registry_reset(*self_p);
    free(*self_p);
    *self_p = NULL;
}

size_t gs_registry_count(const gs_registry_t *r)
{
    return r ? r->ntargets : 0;
}

const gs_target_t *gs_registry_get(const gs_registry_t *r, size_t i)
{
    return r && i < r->ntargets ? &r->targets[i] : NULL;
}

size_t gs_registry_index(const gs_registry_t *r, const char *id)
{
    if (!r || !id)
        return (size_t)-1;
    long v = smap_get(&r->ids, id);
    return v < 0 ? (size_t)-1 : (size_t)v;
}

const gs_target_t *gs_registry_find(const gs_registry_t *r, const char *id)
{
    size_t i = gs_registry_index(r, id);
    return i == (size_t)-1 ? NULL : &r->targets[i];
}

size_t gs_registry_nproblems(const gs_registry_t *r)
{
    return r ? r->nproblems : 0;
}

const char *gs_registry_problem(const gs_registry_t *r, size_t i)
{
    return r && i < r->nproblems ? r->problems[i] : NULL;
}

size_t gs_registry_nregions(const gs_registry_t *r)
{
    return r ? r->nregions : 0;
}

const char *gs_registry_region(const gs_registry_t *r, size_t i)
{
    return r && i < r->nregions ? r->regions[i] : NULL;
}

const char *gs_registry_encoding(const gs_registry_t *r)
{
    return r ? r->encoding : "UTF-8";
}

const char *gs_kind_name(gs_kind_t kind)
{
    switch (kind) {
    case GS_KIND_SITE:
        return "site";
    case GS_KIND_ACCOUNT:
        return "account";
    }
    return "unknown";
}

/* ---- problems ----------------------------------------------------------------------------- */

/* Longest value quoted in a problem: enough to recognise it, short enough for a terminal. */
#define SHOW_MAX 80

/* A value fit for a one-line message: control characters (an embedded newline) become
 * '?', and it is cut at a UTF-8 boundary after SHOW_MAX bytes with "...". */
static const char *show(const char *v, char *out, size_t outlen)
{
    size_t n = 0, i = 0;
    size_t lim = outlen - 4 < SHOW_MAX ? outlen - 4 : SHOW_MAX;
    for (; v[i] && n < lim; i++) {
        unsigned char c = (unsigned char)v[i];
        out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (v[i]) {
        while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
            n--; /* drop continuation bytes of a cut character ... */
        if (n > 0 && (unsigned char)out[n - 1] >= 0xc0)
            n--; /* ... and its lead byte */
        memcpy(out + n, "...", 4);
    } else {
        out[n] = '\0';
    }
    return out;
}

/* Keep one problem text (copied into the arena). */
static int problem_store(gs_registry_t *r, const char *msg)
{
    if (r->nproblems == r->capproblems) {
        size_t ncap = r->capproblems ? r->capproblems * 2 : 16;
        const char **np = realloc(r->problems, ncap * sizeof(*np));
        if (!np)
            return GS_ENOMEM;
        r->problems = np;
        r->capproblems = ncap;
    }
    char *p = arena_strndup(&r->arena, msg, strlen(msg));
    if (!p)
        return GS_ENOMEM;
    r->problems[r->nproblems++] = p;
    return 0;
}

/* Record one problem (printf-style). Past GS_REGISTRY_MAX_PROBLEMS only counts it: a
 * file of garbage must not cost a message per line. */
static int problem(gs_registry_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int problem(gs_registry_t *r, const char *fmt, ...)
{
    if (r->nproblems >= GS_REGISTRY_MAX_PROBLEMS) {
        r->nmore++;
        return 0;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        return GS_EINVAL;
    return problem_store(r, msg);
}

/* ---- decoding ------------------------------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF), or 0 when the byte there starts none. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t i)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0)
            lo = 0xa0;
        else if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0)
            lo = 0x90;
        else if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[i + k] & 0xc0) != 0x80)
            return 0;
    return len;
}

/* Physical line (1-based) of byte offset off: LF, CRLF and a lone CR each end a line. */
static int line_of(const char *s, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= off || s[i + 1] != '\n')))
            line++;
    return line;
}

/* A file with invalid UTF-8 is read as GB18030 only if it does not look like UTF-8 with a
 * few damaged bytes. In GBK text only the odd pair of bytes happens to form a valid UTF-8
 * sequence, so invalid bytes outnumber valid sequences; a UTF-8 file with a stray byte has
 * many valid sequences per bad byte. GB18030 accepts most UTF-8 byte pairs, so reading the
 * latter as GB18030 could succeed and silently turn every name into mojibake: from this
 * ratio of valid sequences per bad byte on, the bad bytes are reported instead. */
#define UTF8_DAMAGED_RATIO 10

/* Report each line holding invalid UTF-8 (one problem per line). */
static int report_bad_utf8(gs_registry_t *r, const unsigned char *s, size_t n)
{
    int line = 1, last = 0;
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(s, n, i);
        if (k == 0) {
            if (line != last) {
                int rc = problem(r, "line %d: invalid UTF-8 (byte 0x%02X)", line, s[i]);
                if (rc < 0)
                    return rc;
                last = line;
            }
            k = 1;
        } else if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n'))) {
            line++;
        }
        i += k;
    }
    return 0;
}

/* GB18030 (a superset of GBK and GB2312) to UTF-8, strictly: an invalid or truncated
 * sequence is a problem naming its line, never a silent U+FFFD. *out is malloc'd. */
static int gb18030_to_utf8(gs_registry_t *r, const char *in, size_t len, char **out,
                           size_t *out_len, int *bad)
{
    *out = NULL;
    *bad = 0;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return GS_ECHARSET;
    /* A 2-byte GB18030 character becomes at most 3 UTF-8 bytes and a 4-byte one at most 4,
     * so 1.5 times the input nearly always fits; the loop grows it if not. */
    size_t cap = len + len / 2 + 16;
    int rc = 0;
    char *buf = malloc(cap);
    if (!buf) {
        rc = GS_ENOMEM;
        goto out;
    }
    char *ip = (char *)in; /* iconv's prototype is not const-correct */
    size_t ileft = len, used = 0;
    while (ileft > 0) {
        char *op = buf + used;
        size_t oleft = cap - used - 1;
        size_t k = iconv(cd, &ip, &ileft, &op, &oleft);
        used = (size_t)(op - buf);
        if (k != (size_t)-1)
            break;
        if (errno == E2BIG) {
            if (cap >= 3 * len + 16) { /* cannot happen for GB18030; a ceiling anyway */
                rc = GS_ETOOBIG;
                goto out;
            }
            size_t ncap = cap * 2 < 3 * len + 16 ? cap * 2 : 3 * len + 16;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                rc = GS_ENOMEM;
                goto out;
            }
            buf = nb;
            cap = ncap;
            continue;
        }
        /* EILSEQ or EINVAL (truncated at the end): ip points at the offending byte. */
        size_t off = (size_t)(ip - in);
        *bad = 1;
        rc = problem(r,
                     "line %d: neither UTF-8 nor GB18030 text (byte 0x%02X); save the sheet "
                     "as CSV UTF-8",
                     line_of(in, off), (unsigned char)in[off]);
        goto out;
    }
    buf[used] = '\0';
    *out = buf;
    *out_len = used;
    buf = NULL;
out:
    free(buf);
    iconv_close(cd);
    return rc;
}

/* Decide the encoding and produce UTF-8 text (*text, *tlen; *conv is what to free).
 * Sets *stop when the bytes cannot be read as text at all (the problem says why). */
static int decode(gs_registry_t *r, const char *data, size_t len, const char **text, size_t *tlen,
                  char **conv, int *stop)
{
    const unsigned char *u = (const unsigned char *)data;
    *conv = NULL;
    *stop = 0;
    if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) {
        *stop = 1;
        return problem(r, "file: UTF-16 text; save the sheet as CSV UTF-8 (or CSV)");
    }
    int bom = len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf;
    if (bom) {
        data += 3;
        len -= 3;
        u += 3;
    }
    size_t nbad = 0, nmulti = 0;
    for (size_t i = 0; i < len;) {
        size_t k = utf8_seq(u, len, i);
        if (k == 0) {
            nbad++;
            k = 1;
        } else if (k > 1) {
            nmulti++;
        }
        i += k;
    }
    r->encoding = "UTF-8";
    if (nbad == 0) {
        *text = data;
        *tlen = len;
        return 0;
    }
    if (bom || nmulti >= UTF8_DAMAGED_RATIO * nbad) {
        *stop = 1;
        return report_bad_utf8(r, u, len);
    }
    int bad = 0;
    size_t n = 0;
    int rc = gb18030_to_utf8(r, data, len, conv, &n, &bad);
    if (rc < 0 || bad) {
        *stop = 1;
        return rc;
    }
    r->encoding = "GB18030";
    *text = *conv;
    *tlen = n;
    if (n >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) { /* GB18030's own BOM, 84 31 95 33 */
        *text += 3;
        *tlen -= 3;
    }
    return 0;
}

/* ---- CSV records ----------------------------------------------------------------------------- */

/* Room for every field of a record at its ceiling, plus each field's NUL. */
#define REC_MAX ((size_t)GS_REGISTRY_MAX_COLS * (GS_REGISTRY_MAX_FIELD + 1))

/* One CSV record as read, before trimming. Fields past GS_REGISTRY_MAX_COLS are counted
 * but not stored; bytes past GS_REGISTRY_MAX_FIELD in a field are dropped and flagged. */
typedef struct rec {
    gs_buf_t bytes;                    /* the stored fields, each followed by a NUL */
    size_t off[GS_REGISTRY_MAX_COLS];  /* start of field i in bytes */
    size_t flen[GS_REGISTRY_MAX_COLS]; /* length of field i */
    size_t nfields;                    /* fields in the record, stored or not */
    int line;                          /* physical line where the record starts */
    int nonempty_beyond;               /* a non-empty field past the stored ones */
    long too_long;                     /* first field over the ceiling, or -1 */
    int has_nul;                       /* a NUL byte in some field */
    int bad_quote;                     /* text between a closing quote and the comma */
    int unterminated;                  /* line of a quote never closed, or 0 */
    int oom;                           /* an append failed for want of memory */
} rec_t;

/* Reading position in the decoded text. */
typedef struct cursor {
    const char *s; /* UTF-8 text */
    size_t n;      /* its length */
    size_t pos;    /* next byte to read */
    int line;      /* physical line of s[pos] */
} cursor_t;

static void rec_clear(rec_t *rec, int line)
{
    gs_buf_reset(&rec->bytes);
    rec->nfields = 0;
    rec->line = line;
    rec->nonempty_beyond = 0;
    rec->too_long = -1;
    rec->has_nul = rec->bad_quote = rec->unterminated = rec->oom = 0;
    rec->off[0] = 0;
}

/* Append bytes to the field being read. */
static void rec_put(rec_t *rec, const char *p, size_t n)
{
    size_t f = rec->nfields;
    if (n == 0)
        return;
    if (memchr(p, '\0', n))
        rec->has_nul = 1;
    if (f >= GS_REGISTRY_MAX_COLS) {
        rec->nonempty_beyond = 1;
        return;
    }
    size_t have = rec->bytes.len - rec->off[f];
    if (have + n > GS_REGISTRY_MAX_FIELD) {
        if (rec->too_long < 0)
            rec->too_long = (long)f;
        n = GS_REGISTRY_MAX_FIELD - have;
    }
    if (n && gs_buf_append(&rec->bytes, p, n) < 0)
        rec->oom = 1;
}

static void rec_end_field(rec_t *rec)
{
    size_t f = rec->nfields;
    if (f < GS_REGISTRY_MAX_COLS) {
        rec->flen[f] = rec->bytes.len - rec->off[f];
        if (gs_buf_putc(&rec->bytes, '\0') < 0)
            rec->oom = 1;
        if (f + 1 < GS_REGISTRY_MAX_COLS)
            rec->off[f + 1] = rec->bytes.len;
    }
    rec->nfields++;
}

/* Read one record at the cursor (RFC 4180, leniently: spaces around a quoted field are
 * allowed, a quote inside an unquoted field is taken literally, a lone CR ends a line as
 * old Mac Excel writes it). Returns 0 at the end of the text, 1 when a record was read. */
static int read_record(cursor_t *c, rec_t *rec)
{
    rec_clear(rec, c->line);
    if (c->pos >= c->n)
        return 0;
    const char *s = c->s;
    size_t n = c->n, i = c->pos;
    for (;;) {
        size_t j = i;
        while (j < n && (s[j] == ' ' || s[j] == '\t'))
            j++;
        if (j < n && s[j] == '"') {
            int qline = c->line, closed = 0;
            for (i = j + 1; i < n;) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        rec_put(rec, "\"", 1);
                        i += 2;
                        continue;
                    }
                    i++;
                    closed = 1;
                    break;
                }
                if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= n || s[i + 1] != '\n')))
                    c->line++;
                rec_put(rec, &s[i], 1);
                i++;
            }
            if (!closed) {
                rec->unterminated = qline;
                rec_end_field(rec);
                break;
            }
            while (i < n && (s[i] == ' ' || s[i] == '\t'))
                i++;
            if (i < n && s[i] != ',' && s[i] != '\r' && s[i] != '\n')
                rec->bad_quote = 1; /* the rest up to the comma is kept as text */
        }
        size_t start = i;
        while (i < n && s[i] != ',' && s[i] != '\r' && s[i] != '\n')
            i++;
        rec_put(rec, s + start, i - start);
        rec_end_field(rec);
        if (i >= n)
            break;
        if (s[i] == ',') {
            i++;
            continue;
        }
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
            i++;
        i++;
        c->line++;
        break;
    }
    c->pos = i;
    return 1;
}

/* Whitespace trimmed from every field: ASCII space and controls, and the no-break space
 * (U+00A0), ideographic space (U+3000) and stray BOM (U+FEFF) that pasted Chinese text
 * carries. The text is valid UTF-8 here, so matching the byte patterns is safe. */
static size_t ws_prefix(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r')))
        return 1;
    if (n >= 2 && p[0] == 0xc2 && p[1] == 0xa0)
        return 2;
    if (n >= 3 && ((p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) ||
                   (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)))
        return 3;
    return 0;
}

static size_t ws_suffix(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[n - 1] == ' ' || (p[n - 1] >= '\t' && p[n - 1] <= '\r')))
        return 1;
    if (n >= 2 && p[n - 2] == 0xc2 && p[n - 1] == 0xa0)
        return 2;
    if (n >= 3 && ((p[n - 3] == 0xe3 && p[n - 2] == 0x80 && p[n - 1] == 0x80) ||
                   (p[n - 3] == 0xef && p[n - 2] == 0xbb && p[n - 1] == 0xbf)))
        return 3;
    return 0;
}

/* Field i of rec with surrounding whitespace removed (not NUL-terminated: *len says). An
 * absent field reads as empty. */
static const char *rec_field(const rec_t *rec, size_t i, size_t *len)
{
    if (i >= rec->nfields || i >= GS_REGISTRY_MAX_COLS) {
        *len = 0;
        return "";
    }
    const unsigned char *p = (const unsigned char *)rec->bytes.data + rec->off[i];
    size_t n = rec->flen[i], k;
    while ((k = ws_prefix(p, n)) > 0) {
        p += k;
        n -= k;
    }
    while ((k = ws_suffix(p, n)) > 0)
        n -= k;
    *len = n;
    return (const char *)p;
}

static int rec_field_empty(const rec_t *rec, size_t i)
{
    size_t len;
    rec_field(rec, i, &len);
    return len == 0;
}

/* ---- header ---------------------------------------------------------------------------------- */

enum { COL_KIND, COL_ID, COL_NAME, COL_REGION, COL_URL, COL_OWNER, COL_PLATFORM, COL_MENU, NCOLS };

/* The canonical names, as problems call them. */
static const char *const col_names[NCOLS] = {"kind", "id",    "name",     "region",
                                             "url",  "owner", "platform", "menu_url"};
static const int col_required[NCOLS] = {1, 1, 1, 1, 1, 0, 0, 0};

/* Header names accepted for each column: the English name (any case) and what a Chinese
 * Excel sheet calls it. `weak` marks a name used only when no other column means the same:
 * 部门 ("department") is ambiguous. Alone it is read as the reporting group (省直部门, the
 * cities); beside a 地区 or 市州 column it more likely names the owning department, so it
 * is then kept as an extra column rather than refused as a second region column. */
typedef struct alias {
    const char *name; /* as written in the header, trimmed */
    int col;          /* COL_* */
    int weak;         /* used only when the column is otherwise absent */
} alias_t;

static const alias_t aliases[] = {
    {"kind", COL_KIND, 0},       {"类型", COL_KIND, 0},          {"id", COL_ID, 0},
    {"标识码", COL_ID, 0},       {"网站标识码", COL_ID, 0},      {"新媒体标识码", COL_ID, 0},
    {"name", COL_NAME, 0},       {"名称", COL_NAME, 0},          {"网站名称", COL_NAME, 0},
    {"账号名称", COL_NAME, 0},   {"region", COL_REGION, 0},      {"地区", COL_REGION, 0},
    {"地区部门", COL_REGION, 0}, {"市州", COL_REGION, 0},        {"部门", COL_REGION, 1},
    {"url", COL_URL, 0},         {"网址", COL_URL, 0},           {"首页地址", COL_URL, 0},
    {"链接", COL_URL, 0},        {"owner", COL_OWNER, 0},        {"主办单位", COL_OWNER, 0},
    {"开设主体", COL_OWNER, 0},  {"开设主体名称", COL_OWNER, 0}, {"platform", COL_PLATFORM, 0},
    {"平台", COL_PLATFORM, 0},   {"账号平台", COL_PLATFORM, 0},  {"menu_url", COL_MENU, 0},
    {"菜单", COL_MENU, 0},
};

static const alias_t *find_alias(const char *name)
{
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcasecmp(aliases[i].name, name) == 0)
            return &aliases[i];
    return NULL;
}

/* Loading state shared by the header and the rows. */
typedef struct loader {
    gs_registry_t *r;
    int colidx[NCOLS];                       /* header column of each COL_*, or -1 */
    int extra_of[GS_REGISTRY_MAX_COLS];      /* extra index of a header column, or -1 */
    const char *hname[GS_REGISTRY_MAX_COLS]; /* header names (trimmed), for problems */
    size_t width;                            /* header columns up to the last named one */
    size_t nrows;                            /* data records seen (not blank) */
    int stop;                                /* a problem that ends reading */
    int toobig;                              /* stopped at GS_REGISTRY_MAX_ROWS */
} loader_t;

/* The first record: column names to roles. Problems here stop reading, except a
 * duplicate or nameless column (rows can still be checked against the rest). */
static int take_header(loader_t *ld, const rec_t *h)
{
    gs_registry_t *r = ld->r;
    int line = h->line;
    if (h->unterminated) {
        ld->stop = 1;
        return problem(r, "line %d: quoted field never closed (the file ends inside it)",
                       h->unterminated);
    }
    if (h->has_nul) {
        ld->stop = 1;
        return problem(r, "line %d: NUL byte in the header", line);
    }
    if (h->too_long >= 0) {
        ld->stop = 1;
        return problem(r, "line %d: column %ld name is longer than %d bytes", line, h->too_long + 1,
                       GS_REGISTRY_MAX_FIELD);
    }
    size_t width = 0, len;
    for (size_t i = 0; i < h->nfields && i < GS_REGISTRY_MAX_COLS; i++)
        if (!rec_field_empty(h, i))
            width = i + 1;
    if (h->nonempty_beyond) {
        ld->stop = 1;
        return problem(r, "line %d: more than %d columns", line, GS_REGISTRY_MAX_COLS);
    }
    ld->width = width;
    for (int c = 0; c < NCOLS; c++)
        ld->colidx[c] = -1;

    int rc = 0;
    if (h->bad_quote)
        rc = problem(r,
                     "line %d: text after a closing quote (a quote inside a quoted field "
                     "is written \"\")",
                     line);
    const alias_t *al[GS_REGISTRY_MAX_COLS];
    for (size_t i = 0; i < width && rc == 0; i++) {
        const char *p = rec_field(h, i, &len);
        ld->hname[i] = arena_strndup(&r->arena, p, len);
        if (!ld->hname[i])
            return GS_ENOMEM;
        ld->extra_of[i] = -1;
        al[i] = len ? find_alias(ld->hname[i]) : NULL;
        if (!len)
            rc = problem(r, "line %d: column %zu has no name", line, i + 1);
    }
    if (rc < 0)
        return rc;
    /* Strong names first, so that a weak one never takes a column a strong one names. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < width; i++) {
            if (!al[i] || al[i]->weak != pass)
                continue;
            int c = al[i]->col;
            if (ld->colidx[c] < 0) {
                ld->colidx[c] = (int)i;
                continue;
            }
            if (al[i]->weak) {
                al[i] = NULL; /* kept as an extra */
                continue;
            }
            size_t first = (size_t)ld->colidx[c];
            if (strcasecmp(ld->hname[first], ld->hname[i]) == 0)
                rc = problem(r, "line %d: column '%s' appears twice (columns %zu and %zu)", line,
                             ld->hname[i], first + 1, i + 1);
            else
                rc = problem(r, "line %d: columns %zu '%s' and %zu '%s' both mean '%s'", line,
                             first + 1, ld->hname[first], i + 1, ld->hname[i], col_names[c]);
            if (rc < 0)
                return rc;
        }
    }
    /* Unknown names become extras; a repeated one is a problem (the report keys them by
     * name) and its later column is ignored. */
    r->extra_keys = arena_alloc(&r->arena, (width ? width : 1) * sizeof(char *), sizeof(char *));
    if (!r->extra_keys)
        return GS_ENOMEM;
    for (size_t i = 0; i < width; i++) {
        if (al[i] || !ld->hname[i][0])
            continue;
        int dup = -1;
        for (size_t k = 0; k < i && dup < 0; k++)
            if (ld->extra_of[k] >= 0 && strcasecmp(ld->hname[k], ld->hname[i]) == 0)
                dup = (int)k;
        if (dup >= 0) {
            rc = problem(r, "line %d: column '%s' appears twice (columns %d and %zu)", line,
                         ld->hname[i], dup + 1, i + 1);
            if (rc < 0)
                return rc;
            continue;
        }
        ld->extra_of[i] = (int)r->nextra;
        r->extra_keys[r->nextra++] = ld->hname[i];
    }

    char missing[256] = "";
    int nmissing = 0;
    for (int c = 0; c < NCOLS; c++) {
        if (!col_required[c] || ld->colidx[c] >= 0)
            continue;
        size_t at = strlen(missing);
        snprintf(missing + at, sizeof(missing) - at, "%s'%s'", nmissing ? ", " : "", col_names[c]);
        nmissing++;
    }
    if (nmissing) {
        ld->stop = 1;
        return problem(r, "file: missing required column%s %s", nmissing > 1 ? "s" : "", missing);
    }
    return 0;
}

/* ---- rows ------------------------------------------------------------------------------------ */

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* 网站标识码: [0-9]{10} or bm[0-9]{8}. */
static int site_id_ok(const char *s, size_t n)
{
    return n == 10 && (is_digits(s, 10) || (s[0] == 'b' && s[1] == 'm' && is_digits(s + 2, 8)));
}

/* 新媒体标识码: 16 characters of [A-Z0-9], e.g. 430000M022XL0001. Only that shape is
 * checked: the layout inside is not something this reader can vouch for, and refusing a
 * real registry over it would be worse than letting an odd id through. */
static int account_id_ok(const char *s, size_t n)
{
    if (n != 16)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return 0;
    return 1;
}

enum { URL_OK, URL_BAD, URL_SPACE };

/* An http(s) URL with a host (and a numeric port, if any) and no whitespace or control
 * characters. Only the shape is checked here; what the host resolves to is the fetcher's
 * business. */
static int url_check(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return URL_SPACE;
    const char *rest;
    if (strncasecmp(s, "http://", 7) == 0)
        rest = s + 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        rest = s + 8;
    else
        return URL_BAD;
    /* The authority, minus any userinfo: host[:port] or [v6]:port, offsets into rest. */
    size_t end = strcspn(rest, "/?#"), h = 0;
    for (size_t i = 0; i < end; i++)
        if (rest[i] == '@')
            h = i + 1;
    size_t port; /* offset of the ':' before the port, or end */
    if (h < end && rest[h] == '[') {
        size_t rb = h + 1;
        while (rb < end && rest[rb] != ']')
            rb++;
        if (rb >= end || rb == h + 1)
            return URL_BAD;
        port = rb + 1;
        if (port < end && rest[port] != ':')
            return URL_BAD;
    } else {
        port = h;
        while (port < end && rest[port] != ':')
            port++;
        if (port == h)
            return URL_BAD;
    }
    if (port < end) {
        size_t plen = end - port - 1;
        if (plen > 5 || !is_digits(rest + port + 1, plen))
            return URL_BAD;
        if (plen && strtol(rest + port + 1, NULL, 10) > 65535)
            return URL_BAD;
    }
    return URL_OK;
}

static int check_url(gs_registry_t *r, int line, const char *col, const char *v)
{
    char buf[SHOW_MAX + 8];
    switch (url_check(v)) {
    case URL_SPACE:
        return problem(r, "line %d: %s '%s' contains a space or control character", line, col,
                       show(v, buf, sizeof(buf)));
    case URL_BAD:
        return problem(r, "line %d: %s '%s' is not an http:// or https:// URL with a host", line,
                       col, show(v, buf, sizeof(buf)));
    }
    return 0;
}

/* kind values: the English names (any case) and the Chinese ones a sheet may use; 0 when
 * unknown. */
static gs_kind_t parse_kind(const char *v)
{
    static const struct {
        const char *name;
        gs_kind_t kind;
    } kinds[] = {
        {"site", GS_KIND_SITE},       {"网站", GS_KIND_SITE},          {"政府网站", GS_KIND_SITE},
        {"account", GS_KIND_ACCOUNT}, {"政务新媒体", GS_KIND_ACCOUNT}, {"新媒体", GS_KIND_ACCOUNT},
        {"账号", GS_KIND_ACCOUNT},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcasecmp(kinds[i].name, v) == 0)
            return kinds[i].kind;
    return (gs_kind_t)0;
}

/* Problems of a record's shape. Returns 1 when there were any (the row is then not read
 * further: its fields cannot be trusted to be in their columns), 0, or < 0. */
static int check_shape(loader_t *ld, const rec_t *rec)
{
    gs_registry_t *r = ld->r;
    int line = rec->line, bad = 0, rc = 0;
    if (rec->has_nul) {
        bad = 1;
        if ((rc = problem(r, "line %d: NUL byte in the record", line)) < 0)
            return rc;
    }
    if (rec->too_long >= 0) {
        size_t f = (size_t)rec->too_long;
        bad = 1;
        if (f < ld->width && ld->hname[f][0])
            rc = problem(r, "line %d: field '%s' is longer than %d bytes", line, ld->hname[f],
                         GS_REGISTRY_MAX_FIELD);
        else
            rc = problem(r, "line %d: field %zu is longer than %d bytes", line, f + 1,
                         GS_REGISTRY_MAX_FIELD);
        if (rc < 0)
            return rc;
    }
    if (rec->bad_quote) {
        bad = 1;
        rc = problem(r,
                     "line %d: text after a closing quote (a quote inside a quoted field "
                     "is written \"\")",
                     line);
        if (rc < 0)
            return rc;
    }
    /* Excel pads every row with empty fields up to the widest row of the sheet, so empty
     * fields past the header's last named column are fine; a missing field is not. */
    int ragged = rec->nfields < ld->width || rec->nonempty_beyond;
    for (size_t i = ld->width; i < rec->nfields && i < GS_REGISTRY_MAX_COLS && !ragged; i++)
        if (rec->flen[i] > 0)
            ragged = 1;
    if (ragged) {
        bad = 1;
        if ((rc = problem(r, "line %d: %zu fields, the header has %zu", line, rec->nfields,
                          ld->width)) < 0)
            return rc;
    }
    return bad;
}

static int add_region(gs_registry_t *r, const char *region)
{
    if (!region[0] || smap_get(&r->regmap, region) >= 0)
        return 0;
    if (r->nregions == r->capregions) {
        size_t ncap = r->capregions ? r->capregions * 2 : 16;
        const char **nr = realloc(r->regions, ncap * sizeof(*nr));
        if (!nr)
            return GS_ENOMEM;
        r->regions = nr;
        r->capregions = ncap;
    }
    int rc = smap_put(&r->regmap, region, (uint32_t)r->nregions);
    if (rc < 0)
        return rc;
    r->regions[r->nregions++] = region;
    return 0;
}

/* A data record: check its shape, make a target of it, check every field. */
static int take_row(loader_t *ld, const rec_t *rec)
{
    gs_registry_t *r = ld->r;
    int line = rec->line, rc;
    char buf[SHOW_MAX + 8];
    int bad = check_shape(ld, rec);
    if (bad != 0)
        return bad < 0 ? bad : 0;
    if (r->ntargets >= GS_REGISTRY_MAX_ROWS) {
        ld->stop = ld->toobig = 1;
        return problem(r, "line %d: more than %d targets", line, GS_REGISTRY_MAX_ROWS);
    }
    if (r->ntargets == r->captargets) {
        size_t ncap = r->captargets ? r->captargets * 2 : 64;
        gs_target_t *nt = realloc(r->targets, ncap * sizeof(*nt));
        if (!nt)
            return GS_ENOMEM;
        r->targets = nt;
        r->captargets = ncap;
    }

    const char *v[NCOLS];
    size_t len;
    for (int c = 0; c < NCOLS; c++) {
        v[c] = "";
        if (ld->colidx[c] < 0)
            continue;
        const char *p = rec_field(rec, (size_t)ld->colidx[c], &len);
        if (len && !(v[c] = arena_strndup(&r->arena, p, len)))
            return GS_ENOMEM;
    }
    gs_target_t *t = &r->targets[r->ntargets];
    memset(t, 0, sizeof(*t));
    t->kind = parse_kind(v[COL_KIND]);
    t->id = v[COL_ID];
    t->name = v[COL_NAME];
    t->region = v[COL_REGION];
    t->url = v[COL_URL];
    t->owner = v[COL_OWNER];
    t->platform = v[COL_PLATFORM];
    t->menu_url = v[COL_MENU];
    t->line = line;
    t->nextra = r->nextra;
    t->extra_keys = r->extra_keys;
    if (r->nextra) {
        const char **ev = arena_alloc(&r->arena, r->nextra * sizeof(char *), sizeof(char *));
        if (!ev)
            return GS_ENOMEM;
        for (size_t i = 0; i < ld->width; i++) {
            if (ld->extra_of[i] < 0)
                continue;
            const char *p = rec_field(rec, i, &len);
            ev[ld->extra_of[i]] = len ? arena_strndup(&r->arena, p, len) : "";
            if (!ev[ld->extra_of[i]])
                return GS_ENOMEM;
        }
        t->extra_vals = ev;
    }
    size_t idx = r->ntargets++;

    /* Every check runs, so that one pass lists everything wrong with the row. */
    if (!t->kind && !v[COL_KIND][0])
        rc = problem(r, "line %d: kind is empty (site or account)", line);
    else if (!t->kind)
        rc = problem(r, "line %d: kind '%s' is not site or account", line,
                     show(v[COL_KIND], buf, sizeof(buf)));
    else
        rc = 0;
    if (rc < 0)
        return rc;

    size_t idlen = strlen(t->id);
    if (idlen == 0)
        rc = problem(r, "line %d: id is empty", line);
    else if (t->kind == GS_KIND_SITE && !site_id_ok(t->id, idlen))
        rc = problem(r,
                     "line %d: id '%s' is not a 网站标识码 (10 characters: 10 digits or bm + 8 "
                     "digits)",
                     line, show(t->id, buf, sizeof(buf)));
    else if (t->kind == GS_KIND_ACCOUNT && !account_id_ok(t->id, idlen))
        rc = problem(r,
                     "line %d: id '%s' is not a 新媒体标识码 (16 characters: upper-case letters "
                     "and digits)",
                     line, show(t->id, buf, sizeof(buf)));
    else if (!t->kind && !site_id_ok(t->id, idlen) && !account_id_ok(t->id, idlen))
        rc = problem(r, "line %d: id '%s' is neither a 网站标识码 nor a 新媒体标识码", line,
                     show(t->id, buf, sizeof(buf)));
    if (rc < 0)
        return rc;
    if (!t->name[0] && (rc = problem(r, "line %d: name is empty", line)) < 0)
        return rc;
    if (!t->region[0] && (rc = problem(r, "line %d: region is empty", line)) < 0)
        return rc;
    if (!t->url[0])
        rc = problem(r, "line %d: url is empty", line);
    else
        rc = check_url(r, line, "url", t->url);
    if (rc < 0)
        return rc;
    if (t->kind == GS_KIND_ACCOUNT && !t->platform[0] &&
        (rc = problem(r, "line %d: platform is empty (required for accounts)", line)) < 0)
        return rc;
    if (t->menu_url[0] && (rc = check_url(r, line, "menu_url", t->menu_url)) < 0)
        return rc;

    if (idlen) {
        long first = smap_get(&r->ids, t->id);
        if (first >= 0)
            rc = problem(r, "line %d: duplicate id %s (first on line %d)", line,
                         show(t->id, buf, sizeof(buf)), r->targets[first].line);
        else
            rc = smap_put(&r->ids, t->id, (uint32_t)idx);
        if (rc < 0)
            return rc;
    }
    return add_region(r, t->region);
}

/* 1 when every field of the record is empty after trimming: a blank line, or a row of
 * bare commas as Excel writes for an empty sheet row. */
static int rec_blank(const rec_t *rec)
{
    if (rec->has_nul || rec->nonempty_beyond || rec->unterminated || rec->bad_quote)
        return 0;
    for (size_t i = 0; i < rec->nfields && i < GS_REGISTRY_MAX_COLS; i++)
        if (!rec_field_empty(rec, i))
            return 0;
    return 1;
}

/* ---- loading ------------------------------------------------------------------------------- */

static int load(gs_registry_t *r, const char *src, const char *data, size_t len, gs_err_t *err)
{
    registry_reset(r);
    if (len > (size_t)GS_REGISTRY_MAX_BYTES)
        return gs_err_set(err, GS_ETOOBIG, "%s: larger than %u MiB", src,
                          GS_REGISTRY_MAX_BYTES / (1024 * 1024));
    loader_t ld;
    memset(&ld, 0, sizeof(ld));
    ld.r = r;
    rec_t rec;
    gs_buf_init(&rec.bytes, REC_MAX);
    char *conv = NULL;
    const char *text = NULL;
    size_t tlen = 0;
    int rc = decode(r, data, len, &text, &tlen, &conv, &ld.stop);
    if (rc < 0 || ld.stop)
        goto done;

    cursor_t cur = {text, tlen, 0, 1};
    int have_header = 0;
    while (!ld.stop && read_record(&cur, &rec)) {
        if (rec.oom) {
            rc = GS_ENOMEM;
            goto done;
        }
        if (rec.unterminated) {
            /* The quote swallowed the rest of the file: nothing after it can be read. */
            ld.stop = 1;
            rc = problem(r, "line %d: quoted field never closed (the file ends inside it)",
                         rec.unterminated);
            goto done;
        }
        if (rec_blank(&rec))
            continue;
        if (!have_header) {
            have_header = 1;
            rc = take_header(&ld, &rec);
        } else {
            ld.nrows++;
            rc = take_row(&ld, &rec);
        }
        if (rc < 0)
            goto done;
    }
    if (!have_header)
        rc = problem(r, "file: empty (no header row)");
    else if (!ld.stop && ld.nrows == 0)
        rc = problem(r, "file: no targets");

done:
    gs_buf_cleanup(&rec.bytes);
    free(conv);
    if (rc == 0 && r->nmore) {
        /* The one entry past the ceiling: how many more there were. */
        char msg[96];
        snprintf(msg, sizeof(msg), "file: %zu more problems not listed", r->nmore);
        rc = problem_store(r, msg);
    }
    if (rc < 0)
        return gs_err_set(err, rc, "%s: %s", src, gs_strerror(rc));
    size_t total = r->nproblems + r->nmore - (r->nmore ? 1 : 0);
    if (ld.toobig)
        return gs_err_set(err, GS_ETOOBIG, "%s: more than %d targets", src, GS_REGISTRY_MAX_ROWS);
    if (total)
        return gs_err_set(err, GS_EPARSE, "%s: %zu problem%s", src, total, total > 1 ? "s" : "");
    return 0;
}

int gs_registry_load_mem(gs_registry_t *r, const char *data, size_t len, gs_err_t *err)
{
    if (!r || (!data && len))
        return gs_err_set(err, GS_EINVAL, "registry: no data");
    return load(r, "registry", data ? data : "", len, err);
}

int gs_registry_load_file(gs_registry_t *r, const char *path, gs_err_t *err)
{
    if (!r || !path)
        return gs_err_set(err, GS_EINVAL, "registry: no file given");
    registry_reset(r);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    /* Read through a bounded buffer rather than trusting the size from stat: a pipe or a
     * growing file has none, and the ceiling must hold either way. */
    gs_buf_t b;
    gs_buf_init(&b, (size_t)GS_REGISTRY_MAX_BYTES);
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        rc = gs_buf_append(&b, chunk, n);
        if (rc < 0)
            break;
    }
    if (rc == 0 && ferror(fp))
        rc = gs_err_set(err, GS_EIO, "%s: read failed: %s", path, strerror(errno));
    else if (rc == GS_ETOOBIG)
        gs_err_set(err, rc, "%s: larger than %u MiB", path, GS_REGISTRY_MAX_BYTES / (1024 * 1024));
    else if (rc < 0)
        gs_err_set(err, rc, "%s: %s", path, gs_strerror(rc));
    fclose(fp);
    if (rc == 0)
        rc = load(r, path, b.data ? b.data : "", b.len, err);
    gs_buf_cleanup(&b);
    return rc;
}
