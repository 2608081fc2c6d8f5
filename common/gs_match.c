/* gs_match.c -- a hand-written Aho-Corasick automaton over UTF-8 bytes.
 *
 * Why not Hyperscan or vectorscan: they are the fast multi-literal engines, but Debian
 * ships them for amd64 and arm64 only, and the servers of the provincial data centers this
 * runs in are LoongArch machines where neither builds. A plain automaton in C builds
 * everywhere, is linear in the text and is fast enough for page text (see bench/match.sh).
 *
 * Layout: a double-array trie. Every state is a 16-byte cell at some position of one
 * array; the child of state s on byte c is at position base(s) + c, and it is a child of s
 * exactly when its cell's check field holds s. A transition is therefore one addition and
 * one comparison, whatever the dictionary: no per-state 256-wide table (1 KiB a state), and
 * no search through a state's edges (a sorted-edge layout, tried first, scanned 1.5 to 2
 * times slower; bench/match.sh). The cell also holds the failure link
 * (the longest proper suffix that is a state) and the output link (the group of patterns
 * ending at the state, or at its nearest suffix state that has any), so a step touches one
 * cache line and reporting costs one step per occurrence.
 *
 * Building: the patterns are sorted bytewise and inserted into a temporary trie, whose
 * children are then created in increasing byte order; states are placed breadth first,
 * each state's children at the first base where all their positions are free (darts-style
 * first fit, with a search start that moves past crowded positions), then the links are
 * computed breadth first, since a failure target is always shallower. */
#include "gs_match.h"

#include <stdlib.h>
#include <string.h>

/* check of a free cell, and of the root's cell (no state is the parent of either). */
#define MATCH_EMPTY UINT32_MAX
#define MATCH_ROOT_CHECK (UINT32_MAX - 1)
/* End of the free list. */
#define MATCH_NIL UINT32_MAX
/* A free position that failed this often as the first child of a multi-child state is
 * skipped by later multi-child searches. */
#define MATCH_FAILS_MAX 16
/* Most positions the array may have (cell indices must stay below MATCH_ROOT_CHECK). */
#define MATCH_POS_MAX (UINT32_MAX / 2)

/* A state of the automaton. */
struct match_cell {
    uint32_t base;  /* children at base + byte */
    uint32_t check; /* position of the parent; MATCH_EMPTY when free */
    uint32_t fail;  /* failure link (position) */
    uint32_t hit;   /* 1 + output group of the state or its nearest suffix state; 0 none */
};

/* The patterns that end at one state. */
struct match_group {
    uint32_t start; /* first id in out_id */
    uint32_t count; /* ids */
    uint32_t next;  /* 1 + group of the nearest proper suffix state with patterns; 0 none */
    uint32_t len;   /* length of these patterns */
};

struct gs_match {
    unsigned flags; /* GS_MATCH_FOLD_ASCII */
    int built;      /* 1 once gs_match_build succeeded */

    /* The patterns, kept until the build (folded already when folding). */
    uint8_t *bytes;    /* all pattern bytes, back to back */
    size_t nbytes;     /* bytes used */
    size_t capbytes;   /* bytes allocated */
    uint32_t *pat_off; /* offset of each pattern in bytes */
    uint16_t *pat_len; /* length of each pattern */
    uint32_t *pat_id;  /* id of each pattern */
    size_t npat;       /* patterns added */
    size_t cappat;     /* patterns allocated */

    /* The automaton. */
    uint32_t nstates;          /* states (distinct pattern prefixes, and the root) */
    uint32_t npos;             /* positions in use; cells has npos + 256 */
    struct match_cell *cells;  /* the double array; the root is at 0 */
    struct match_group *group; /* output groups */
    uint32_t ngroup;
    uint32_t *out_id; /* ids, grouped */
};

/* The byte as the automaton sees it: A-Z folded to a-z when folding. */
static inline uint8_t match_fold(unsigned flags, uint8_t c)
{
    if ((flags & GS_MATCH_FOLD_ASCII) && c >= 'A' && c <= 'Z')
        return (uint8_t)(c + ('a' - 'A'));
    return c;
}

gs_match_t *gs_match_new(unsigned flags)
{
    gs_match_t *m = calloc(1, sizeof(*m));
    if (m)
        m->flags = flags;
    return m;
}

/* Grow an array of `size`-byte elements so it holds `need`; 0 or GS_ENOMEM. */
static int match_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < need)
        ncap *= 2;
    void *n = realloc(*p, ncap * size);
    if (!n)
        return GS_ENOMEM;
    *p = n;
    *cap = ncap;
    return 0;
}

int gs_match_add(gs_match_t *m, const void *bytes, size_t len, uint32_t id)
{
    if (m->built)
        return GS_ESTATE;
    if (len == 0 || !bytes)
        return GS_EINVAL;
    if (len > GS_MATCH_PATTERN_MAX || m->npat >= GS_MATCH_PATTERNS_MAX ||
        m->nbytes + len > GS_MATCH_BYTES_MAX)
        return GS_ETOOBIG;
    if (m->npat == m->cappat) {
        /* The three per-pattern arrays grow together to the same capacity. */
        size_t ncap = m->cappat ? m->cappat * 2 : 256;
        uint32_t *off = realloc(m->pat_off, ncap * sizeof(*off));
        if (!off)
            return GS_ENOMEM;
        m->pat_off = off;
        uint16_t *plen = realloc(m->pat_len, ncap * sizeof(*plen));
        if (!plen)
            return GS_ENOMEM;
        m->pat_len = plen;
        uint32_t *pid = realloc(m->pat_id, ncap * sizeof(*pid));
        if (!pid)
            return GS_ENOMEM;
        m->pat_id = pid;
        m->cappat = ncap;
    }
    if (match_grow((void **)&m->bytes, &m->capbytes, m->nbytes + len, 1) < 0)
        return GS_ENOMEM;
    const uint8_t *src = bytes;
    for (size_t i = 0; i < len; i++)
        m->bytes[m->nbytes + i] = match_fold(m->flags, src[i]);
    m->pat_off[m->npat] = (uint32_t)m->nbytes;
    m->pat_len[m->npat] = (uint16_t)len;
    m->pat_id[m->npat] = id;
    m->npat++;
    m->nbytes += len;
    return 0;
}

/* A pattern in sorting order: its bytes, then the order it was added in. */
struct match_sorted {
    const uint8_t *p;
    uint32_t len;
    uint32_t idx;
};

static int match_cmp(const void *a, const void *b)
{
    const struct match_sorted *x = a, *y = b;
    uint32_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

/* The trie while it is being built, in creation order (node 0 is the root). */
struct match_trie {
    uint32_t *child; /* first child, 0 = none */
    uint32_t *next;  /* next sibling, 0 = none */
    uint32_t *last;  /* last child, where the next (larger) byte is appended */
    uint8_t *byte;   /* byte on the edge into the node */
    uint32_t n;      /* nodes used */
};

static void match_trie_free(struct match_trie *t)
{
    free(t->child);
    free(t->next);
    free(t->last);
    free(t->byte);
    memset(t, 0, sizeof(*t));
}

/* Insert the sorted patterns; term[i] receives the node where sorted pattern i ends.
 * Sorted input means a new pattern shares only its common prefix with the previous one,
 * and the node it branches from has no child with a larger byte yet. */
static int match_trie_build(struct match_trie *t, const struct match_sorted *s, size_t n,
                            size_t nbytes, uint32_t *term)
{
    size_t cap = nbytes + 1;
    t->child = calloc(cap, sizeof(*t->child));
    t->next = calloc(cap, sizeof(*t->next));
    t->last = calloc(cap, sizeof(*t->last));
    t->byte = calloc(cap, 1);
    if (!t->child || !t->next || !t->last || !t->byte)
        return GS_ENOMEM;
    t->n = 1;
    uint32_t path[GS_MATCH_PATTERN_MAX + 1];
    path[0] = 0;
    uint32_t prev_len = 0;
    const uint8_t *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        uint32_t lcp = 0;
        while (prev && lcp < prev_len && lcp < s[i].len && prev[lcp] == s[i].p[lcp])
            lcp++;
        for (uint32_t d = lcp; d < s[i].len; d++) {
            uint32_t parent = path[d], node = t->n++;
            t->byte[node] = s[i].p[d];
            if (t->last[parent])
                t->next[t->last[parent]] = node;
            else
                t->child[parent] = node;
            t->last[parent] = node;
            path[d + 1] = node;
        }
        term[i] = path[s[i].len];
        prev = s[i].p;
        prev_len = s[i].len;
    }
    return 0;
}

static void match_free_states(gs_match_t *m)
{
    free(m->cells);
    free(m->group);
    free(m->out_id);
    m->cells = NULL;
    m->group = NULL;
    m->out_id = NULL;
    m->nstates = m->npos = m->ngroup = 0;
}

static void match_free_patterns(gs_match_t *m)
{
    free(m->bytes);
    free(m->pat_off);
    free(m->pat_len);
    free(m->pat_id);
    m->bytes = NULL;
    m->pat_off = m->pat_id = NULL;
    m->pat_len = NULL;
    m->nbytes = m->capbytes = m->cappat = 0;
}

/* The double array while states are being placed: cells and a free list of positions. */
struct match_place {
    struct match_cell *cells;
    uint32_t *fnext, *fprev; /* free list, MATCH_NIL at the ends */
    uint8_t *fails;          /* failed placements of a free position */
    uint32_t cap;            /* positions allocated */
    uint32_t head, tail;     /* first and last free position */
    uint32_t mstart;         /* where multi-child searches start */
    uint32_t used;           /* highest position used + 1 */
};

/* Grow to at least need positions, the new ones free at the end of the free list. */
static int place_grow(struct match_place *pl, uint64_t need)
{
    if (need <= pl->cap)
        return 0;
    uint64_t ncap = pl->cap ? (uint64_t)pl->cap * 2 : 1024;
    while (ncap < need)
        ncap *= 2;
    if (ncap > MATCH_POS_MAX)
        ncap = MATCH_POS_MAX;
    if (ncap < need)
        return GS_ETOOBIG;
    struct match_cell *c = realloc(pl->cells, ncap * sizeof(*c));
    if (!c)
        return GS_ENOMEM;
    pl->cells = c;
    uint32_t *n = realloc(pl->fnext, ncap * sizeof(*n));
    if (!n)
        return GS_ENOMEM;
    pl->fnext = n;
    uint32_t *p = realloc(pl->fprev, ncap * sizeof(*p));
    if (!p)
        return GS_ENOMEM;
    pl->fprev = p;
    uint8_t *f = realloc(pl->fails, ncap);
    if (!f)
        return GS_ENOMEM;
    pl->fails = f;
    for (uint32_t i = pl->cap; i < ncap; i++) {
        pl->cells[i] = (struct match_cell){0, MATCH_EMPTY, 0, 0};
        pl->fails[i] = 0;
        pl->fprev[i] = i == pl->cap ? pl->tail : i - 1;
        pl->fnext[i] = i + 1 < ncap ? i + 1 : MATCH_NIL;
    }
    if (pl->tail == MATCH_NIL)
        pl->head = pl->cap;
    else
        pl->fnext[pl->tail] = pl->cap;
    if (pl->mstart == MATCH_NIL)
        pl->mstart = pl->cap;
    pl->tail = (uint32_t)ncap - 1;
    pl->cap = (uint32_t)ncap;
    return 0;
}

/* Take free position q for a child of parent. */
static void place_take(struct match_place *pl, uint32_t q, uint32_t parent)
{
    uint32_t n = pl->fnext[q], p = pl->fprev[q];
    if (p == MATCH_NIL)
        pl->head = n;
    else
        pl->fnext[p] = n;
    if (n == MATCH_NIL)
        pl->tail = p;
    else
        pl->fprev[n] = p;
    if (pl->mstart == q)
        pl->mstart = n;
    pl->cells[q].check = parent;
    if (q + 1 > pl->used)
        pl->used = q + 1;
}

/* Find a base for children with the sorted labels lab[0..k) (k >= 1): every base + lab[i]
 * free, and base >= 1 so that no child lands on the root's position. */
static int place_find(struct match_place *pl, const uint8_t *lab, uint32_t k, uint32_t *base)
{
    int rc;
    uint32_t p = k == 1 ? pl->head : pl->mstart;
    for (;;) {
        if (p == MATCH_NIL) {
            uint32_t old = pl->cap;
            if ((rc = place_grow(pl, (uint64_t)pl->cap + 1)) < 0)
                return rc;
            p = old;
        }
        if (p > lab[0]) {
            uint32_t b = p - lab[0];
            if ((rc = place_grow(pl, (uint64_t)b + lab[k - 1] + 1)) < 0)
                return rc;
            uint32_t i = 1;
            while (i < k && pl->cells[b + lab[i]].check == MATCH_EMPTY)
                i++;
            if (i == k) {
                *base = b;
                return 0;
            }
            if (pl->fails[p] < MATCH_FAILS_MAX)
                pl->fails[p]++;
            else if (p == pl->mstart)
                pl->mstart = pl->fnext[p];
        }
        p = pl->fnext[p];
    }
}

/* Place the trie's nodes breadth first: pos[node] receives each node's position, order
 * the nodes in breadth-first order. */
static int match_place(struct match_place *pl, const struct match_trie *t, uint32_t *pos,
                       uint32_t *order)
{
    pl->head = pl->tail = pl->mstart = MATCH_NIL;
    int rc = place_grow(pl, 1024);
    if (rc < 0)
        return rc;
    place_take(pl, 0, MATCH_ROOT_CHECK);
    pos[0] = 0;
    uint32_t head = 0, tail = 0;
    order[tail++] = 0;
    uint8_t lab[256];
    while (head < tail) {
        uint32_t node = order[head++], k = 0;
        for (uint32_t c = t->child[node]; c; c = t->next[c])
            lab[k++] = t->byte[c];
        if (k == 0)
            continue;
        uint32_t b;
        if ((rc = place_find(pl, lab, k, &b)) < 0)
            return rc;
        pl->cells[pos[node]].base = b;
        for (uint32_t c = t->child[node]; c; c = t->next[c]) {
            pos[c] = b + t->byte[c];
            place_take(pl, pos[c], pos[node]);
            order[tail++] = c;
        }
    }
    return 0;
}

/* The child of position s on byte c, or MATCH_NIL. */
static inline uint32_t match_go(const struct match_cell *cells, uint32_t s, uint8_t c)
{
    uint32_t t = cells[s].base + c;
    return cells[t].check == s ? t : MATCH_NIL;
}

int gs_match_build(gs_match_t *m, gs_err_t *err)
{
    if (m->built)
        return gs_err_set(err, GS_ESTATE, "matcher already built");
    int rc = GS_ENOMEM;
    struct match_trie t = {0};
    struct match_place pl = {0};
    uint32_t *term = NULL, *pos = NULL, *order = NULL, *grp_of = NULL;
    size_t np1 = m->npat ? m->npat : 1;
    struct match_sorted *s = malloc(np1 * sizeof(*s));
    if (!s)
        goto out;
    for (size_t i = 0; i < m->npat; i++) {
        s[i].p = m->bytes + m->pat_off[i];
        s[i].len = m->pat_len[i];
        s[i].idx = (uint32_t)i;
    }
    qsort(s, m->npat, sizeof(*s), match_cmp);
    term = malloc(np1 * sizeof(*term));
    if (!term || match_trie_build(&t, s, m->npat, m->nbytes, term) < 0)
        goto out;
    pos = malloc((size_t)t.n * sizeof(*pos));
    order = malloc((size_t)t.n * sizeof(*order));
    grp_of = calloc(t.n, sizeof(*grp_of));
    m->group = malloc(np1 * sizeof(*m->group));
    m->out_id = malloc(np1 * sizeof(*m->out_id));
    if (!pos || !order || !grp_of || !m->group || !m->out_id)
        goto out;
    if ((rc = match_place(&pl, &t, pos, order)) < 0)
        goto out;

    /* Output groups in sorted order: duplicates are adjacent, so each group is one run of
     * ids in the order the patterns were added. */
    m->ngroup = 0;
    for (size_t i = 0; i < m->npat; i++) {
        uint32_t node = term[i];
        if (!grp_of[node]) {
            m->group[m->ngroup] = (struct match_group){(uint32_t)i, 0, 0, s[i].len};
            grp_of[node] = ++m->ngroup;
        }
        m->group[grp_of[node] - 1].count++;
        m->out_id[i] = m->pat_id[s[i].idx];
    }

    struct match_group *gfit = realloc(m->group, (m->ngroup ? m->ngroup : 1) * sizeof(*gfit));
    if (gfit)
        m->group = gfit;

    /* Failure and output links in breadth-first order. */
    struct match_cell *cells = pl.cells;
    for (uint32_t q = 0; q < t.n; q++) {
        uint32_t node = order[q], ps = pos[node];
        for (uint32_t c = t.child[node]; c; c = t.next[c]) {
            uint32_t pc = pos[c], f = 0;
            if (node != 0) {
                for (uint32_t g = cells[ps].fail;; g = cells[g].fail) {
                    uint32_t to = match_go(cells, g, t.byte[c]);
                    if (to != MATCH_NIL) {
                        f = to;
                        break;
                    }
                    if (g == 0)
                        break;
                }
            }
            cells[pc].fail = f;
            if (grp_of[c]) {
                cells[pc].hit = grp_of[c];
                m->group[grp_of[c] - 1].next = cells[f].hit;
            } else {
                cells[pc].hit = cells[f].hit;
            }
        }
    }

    /* Keep the used positions and 256 free ones past them, so base + byte is always a
     * cell: a base is at most the last used position. */
    m->npos = pl.used;
    if ((rc = place_grow(&pl, (uint64_t)pl.used + 256)) < 0)
        goto out;
    struct match_cell *fit = realloc(pl.cells, ((size_t)m->npos + 256) * sizeof(*fit));
    if (fit)
        pl.cells = fit;
    m->cells = pl.cells;
    pl.cells = NULL;
    m->nstates = t.n;
    m->built = 1;
    match_free_patterns(m);
    rc = 0;
out:
    if (rc < 0) {
        match_free_states(m);
        gs_err_set(err, rc, "building the matcher of %zu patterns: %s", m->npat, gs_strerror(rc));
    }
    match_trie_free(&t);
    free(pl.cells);
    free(pl.fnext);
    free(pl.fprev);
    free(pl.fails);
    free(s);
    free(term);
    free(pos);
    free(order);
    free(grp_of);
    return rc;
}

int gs_match_scan(const gs_match_t *m, const void *text, size_t len, gs_match_cb cb, void *ud)
{
    if (!m->built)
        return GS_ESTATE;
    if (!text && len)
        return GS_EINVAL;
    const uint8_t *p = text;
    const struct match_cell *cells = m->cells;
    unsigned flags = m->flags;
    uint32_t s = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = match_fold(flags, p[i]);
        for (;;) {
            uint32_t t = cells[s].base + c;
            if (cells[t].check == s) {
                s = t;
                break;
            }
            if (s == 0)
                break;
            s = cells[s].fail;
        }
        for (uint32_t g = cells[s].hit; g; g = m->group[g - 1].next) {
            const struct match_group *gr = &m->group[g - 1];
            for (uint32_t o = gr->start; o < gr->start + gr->count; o++)
                if (cb(ud, m->out_id[o], i + 1 - gr->len, gr->len))
                    return 1;
        }
    }
    return 0;
}

size_t gs_match_patterns(const gs_match_t *m)
{
    return m->npat;
}

size_t gs_match_states(const gs_match_t *m)
{
    return m->nstates;
}

size_t gs_match_memory(const gs_match_t *m)
{
    size_t n = sizeof(*m);
    if (!m->built)
        return n + m->capbytes +
               m->cappat * (sizeof(*m->pat_off) + sizeof(*m->pat_len) + sizeof(*m->pat_id));
    return n + ((size_t)m->npos + 256) * sizeof(*m->cells) +
           (m->ngroup ? m->ngroup : 1) * sizeof(*m->group) +
           (m->npat ? m->npat : 1) * sizeof(*m->out_id);
}

void gs_match_destroy(gs_match_t **mp)
{
    if (!mp || !*mp)
        return;
    gs_match_t *m = *mp;
    match_free_states(m);
    match_free_patterns(m);
    free(m);
    *mp = NULL;
}
