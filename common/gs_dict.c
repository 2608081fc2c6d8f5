/* gs_dict.c -- loading the wording, spam and placeholder files, and matching them with the
 * exception and longest-term rules of gs_dict.h.
 *
 * The automaton reports every occurrence as it ends. Whether an occurrence counts depends
 * on what else covers it: an exception of its entry, or a longer term. Anything that
 * covers an occurrence starting at s ends by s + cover (the longest term or exception), so
 * an occurrence waits in a small queue until the scan has passed that point, and is then
 * reported or dropped: one pass, memory bounded by the queue, whatever the text. */
#include "gs_dict.h"
#include "gs_utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set in a matcher id when the pattern is an exception of entry (id & ~DICT_EXC). */
#define DICT_EXC 0x80000000u
/* Set in a matcher id when the pattern belongs to spam.tsv rather than wording.tsv. */
#define DICT_SPAM 0x40000000u
/* Occurrences waiting for their cover window to pass; a denser text reports early. */
#define DICT_PENDING_MAX 256
/* Occurrences ending at the current byte, that may cover a shorter one ending there too. */
#define DICT_RECENT_MAX 64
/* Placeholder occurrences kept for one column text (at most 1 KiB of text). */
#define DICT_PH_HITS_MAX 128
/* Fields of a line: wording has 6 (wrong, right, severity, category, exceptions, note). */
#define DICT_FIELDS_MAX 6
#define DICT_PATH_MAX 1024

static const char *const dict_wording_categories[] = {"phrase",      "political", "leader",
                                                      "institution", "place",     NULL};
static const char *const dict_spam_categories[] = {"porn",  "gambling", "fraud",
                                                   "drugs", "other",    NULL};

/* One entry of wording.tsv or spam.tsv. */
struct dict_entry {
    char *term;           /* the wrong form or the spam term */
    char *right;          /* wording: the right form; NULL for spam */
    const char *category; /* one of the static category names above */
    int severity;         /* wording: GS_DICT_SERIOUS / GS_DICT_NORMAL */
    int weight;           /* spam: 1..GS_DICT_SPAM_WEIGHT_ALONE */
    int line;             /* line in its file, for messages */
};

/* The entries of one file and their automaton. */
struct dict_set {
    struct dict_entry *e; /* entries in file order */
    size_t n, cap;        /* used, allocated */
    gs_match_t *m;        /* the dictionary's matcher (borrowed): id = index | tag, and
                             DICT_EXC for exceptions */
    uint32_t tag;         /* 0 for wording, DICT_SPAM for spam */
    int words;            /* ASCII terms match whole words only (spam) */
    size_t cover;         /* longest term or exception in bytes */
};

/* One line of placeholders.txt. */
struct dict_placeholder {
    char *text; /* as written, without the trailing * */
    int star;   /* 1 when anything may follow it */
};

struct gs_dict {
    gs_match_t *m;               /* wording and spam terms in one automaton: one pass */
    struct dict_set wording;     /* wording.tsv */
    struct dict_set spam;        /* spam.tsv */
    struct dict_placeholder *ph; /* placeholders.txt in file order */
    size_t nph;                  /* placeholders loaded */
    gs_match_t *phm;             /* placeholders, ASCII case-insensitive, id = index */
};

/* ---- reading the files ---- */

/* A data file being read line by line. */
struct dict_reader {
    FILE *fp;
    char path[DICT_PATH_MAX];
    int line;                       /* number of the line in buf */
    char buf[GS_DICT_LINE_MAX + 2]; /* the line, without its end of line */
};

static int dict_open(struct dict_reader *r, const char *dir, const char *name, gs_err_t *err)
{
    memset(r, 0, sizeof(*r));
    int n = snprintf(r->path, sizeof(r->path), "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(r->path))
        return gs_err_set(err, GS_ETOOBIG, "data directory path too long: %s", dir);
    r->fp = fopen(r->path, "r");
    if (!r->fp)
        return gs_err_set(err, GS_EIO, "%s: %s", r->path, strerror(errno));
    return 0;
}

/* Read the next line that is not blank and not a # comment: 1, 0 at the end, or an error
 * with file:line. */
static int dict_next(struct dict_reader *r, gs_err_t *err)
{
    while (fgets(r->buf, sizeof(r->buf), r->fp)) {
        r->line++;
        size_t n = strlen(r->buf);
        if (n > 0 && r->buf[n - 1] != '\n' && !feof(r->fp))
            return gs_err_set(err, GS_ETOOBIG, "%s:%d: line longer than %d bytes", r->path, r->line,
                              GS_DICT_LINE_MAX);
        while (n > 0 && (r->buf[n - 1] == '\n' || r->buf[n - 1] == '\r'))
            r->buf[--n] = '\0';
        if (!gs_utf8_valid(r->buf, n))
            return gs_err_set(err, GS_EPARSE, "%s:%d: not valid UTF-8", r->path, r->line);
        size_t i = strspn(r->buf, " \t");
        if (r->buf[i] == '\0' || r->buf[i] == '#')
            continue;
        return 1;
    }
    if (ferror(r->fp))
        return gs_err_set(err, GS_EIO, "%s: read error", r->path);
    return 0;
}

/* Trim ASCII spaces at both ends of s in place. */
static char *dict_trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        s[--n] = '\0';
    return s;
}

/* Split the line at tabs into at most max trimmed fields; returns the number of fields,
 * or max + 1 when there are more. */
static int dict_split(char *s, char **f, int max)
{
    int n = 0;
    for (;;) {
        char *tab = strchr(s, '\t');
        if (tab)
            *tab = '\0';
        if (n == max)
            return max + 1;
        f[n++] = dict_trim(s);
        if (!tab)
            return n;
        s = tab + 1;
    }
}

/* ASCII lower case of c when folding. */
static unsigned char dict_fold(int fold, unsigned char c)
{
    return fold && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* 1 when needle occurs in hay (ASCII case-insensitively when folding). */
static int dict_contains(const char *hay, const char *needle, int fold)
{
    size_t h = strlen(hay), n = strlen(needle);
    for (size_t i = 0; n <= h && i <= h - n; i++) {
        size_t k = 0;
        while (k < n && dict_fold(fold, (unsigned char)hay[i + k]) ==
                            dict_fold(fold, (unsigned char)needle[k]))
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

/* Compare two strings, ASCII case-insensitively when folding. */
static int dict_cmp(const char *a, const char *b, int fold)
{
    for (;; a++, b++) {
        unsigned char x = dict_fold(fold, (unsigned char)*a);
        unsigned char y = dict_fold(fold, (unsigned char)*b);
        if (x != y || !x)
            return (int)x - (int)y;
    }
}

/* Index of name in the NULL-terminated list, or -1. */
static int dict_lookup(const char *const *list, const char *name)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return i;
    return -1;
}

/* Check a term or exception field: not empty, at most GS_DICT_TERM_MAX bytes. */
static int dict_check_term(const struct dict_reader *r, const char *what, const char *s,
                           gs_err_t *err)
{
    if (!*s)
        return gs_err_set(err, GS_EPARSE, "%s:%d: empty %s", r->path, r->line, what);
    if (strlen(s) > GS_DICT_TERM_MAX)
        return gs_err_set(err, GS_ETOOBIG, "%s:%d: %s longer than %d bytes", r->path, r->line, what,
                          GS_DICT_TERM_MAX);
    return 0;
}

/* Add a pattern to the set's matcher, keeping the cover length up to date. */
static int dict_add_pattern(struct dict_set *set, const char *s, uint32_t id,
                            const struct dict_reader *r, gs_err_t *err)
{
    size_t n = strlen(s);
    int rc = gs_match_add(set->m, s, n, id | set->tag);
    if (rc < 0)
        return gs_err_set(err, rc, "%s:%d: %s", r->path, r->line, gs_strerror(rc));
    if (n > set->cover)
        set->cover = n;
    return 0;
}

/* Parse the exceptions field ("-", empty, or texts separated by |) of the entry just
 * appended, and add them to the matcher. */
static int dict_exceptions(struct dict_set *set, char *field, const struct dict_reader *r,
                           gs_err_t *err)
{
    uint32_t idx = (uint32_t)(set->n - 1);
    const char *term = set->e[idx].term;
    if (!*field || strcmp(field, "-") == 0)
        return 0;
    int count = 0;
    char *s = field;
    for (;;) {
        char *bar = strchr(s, '|');
        if (bar)
            *bar = '\0';
        char *x = dict_trim(s);
        int rc = dict_check_term(r, "exception", x, err);
        if (rc < 0)
            return rc;
        if (++count > GS_DICT_EXCEPTIONS_MAX)
            return gs_err_set(err, GS_ETOOBIG, "%s:%d: more than %d exceptions", r->path, r->line,
                              GS_DICT_EXCEPTIONS_MAX);
        if (strlen(x) <= strlen(term) || !dict_contains(x, term, 1))
            return gs_err_set(err, GS_EPARSE,
                              "%s:%d: exception '%s' must be longer than '%s' and contain it",
                              r->path, r->line, x, term);
        rc = dict_add_pattern(set, x, idx | DICT_EXC, r, err);
        if (rc < 0)
            return rc;
        if (!bar)
            return 0;
        s = bar + 1;
    }
}

/* Append an entry with its term, and add the term to the matcher. */
static int dict_append(struct dict_set *set, const char *term, const struct dict_reader *r,
                       gs_err_t *err)
{
    if (set->n >= GS_DICT_ENTRIES_MAX)
        return gs_err_set(err, GS_ETOOBIG, "%s:%d: more than %d entries", r->path, r->line,
                          GS_DICT_ENTRIES_MAX);
    if (set->n == set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 256;
        struct dict_entry *ne = realloc(set->e, ncap * sizeof(*ne));
        if (!ne)
            return gs_err_set(err, GS_ENOMEM, "out of memory");
        set->e = ne;
        set->cap = ncap;
    }
    struct dict_entry *e = &set->e[set->n];
    memset(e, 0, sizeof(*e));
    e->line = r->line;
    e->term = strdup(term);
    if (!e->term)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    set->n++;
    return dict_add_pattern(set, term, (uint32_t)(set->n - 1), r, err);
}

/* Entries in term order (ASCII case folded), for finding duplicates. */
static int dict_sort_cmp(const void *a, const void *b)
{
    const struct dict_entry *x = *(const struct dict_entry *const *)a;
    const struct dict_entry *y = *(const struct dict_entry *const *)b;
    return dict_cmp(x->term, y->term, 1);
}

/* Refuse a file that lists the same term twice (which right form would win?); terms
 * differing only in ASCII case are the same term, since matching ignores it. */
static int dict_finish(struct dict_set *set, const char *path, gs_err_t *err)
{
    const struct dict_entry **v = malloc((set->n ? set->n : 1) * sizeof(*v));
    if (!v)
        return gs_err_set(err, GS_ENOMEM, "out of memory");
    for (size_t i = 0; i < set->n; i++)
        v[i] = &set->e[i];
    qsort(v, set->n, sizeof(*v), dict_sort_cmp);
    int rc = 0;
    for (size_t i = 1; i < set->n && rc == 0; i++) {
        const struct dict_entry *a = v[i - 1], *b = v[i];
        if (dict_cmp(a->term, b->term, 1) == 0) {
            const struct dict_entry *later = a->line > b->line ? a : b;
            const struct dict_entry *earlier = a->line > b->line ? b : a;
            rc = gs_err_set(err, GS_EEXIST, "%s:%d: '%s' is already on line %d", path, later->line,
                            later->term, earlier->line);
        }
    }
    free(v);
    return rc;
}

static int dict_load_wording(struct dict_set *set, const char *dir, gs_err_t *err)
{
    struct dict_reader r;
    int rc = dict_open(&r, dir, "wording.tsv", err);
    if (rc < 0)
        return rc;
    while ((rc = dict_next(&r, err)) > 0) {
        char *f[DICT_FIELDS_MAX];
        int nf = dict_split(r.buf, f, DICT_FIELDS_MAX);
        if (nf < 4 || nf > DICT_FIELDS_MAX) {
            rc = gs_err_set(err, GS_EPARSE,
                            "%s:%d: expected wrong, right, severity, category[, exceptions"
                            "[, note]] separated by tabs",
                            r.path, r.line);
            break;
        }
        if ((rc = dict_check_term(&r, "wrong form", f[0], err)) < 0 ||
            (rc = dict_check_term(&r, "right form", f[1], err)) < 0)
            break;
        if (strcmp(f[0], f[1]) == 0) {
            rc = gs_err_set(err, GS_EPARSE, "%s:%d: right form equals wrong form", r.path, r.line);
            break;
        }
        int sev = strcmp(f[2], "serious") == 0  ? GS_DICT_SERIOUS
                  : strcmp(f[2], "normal") == 0 ? GS_DICT_NORMAL
                                                : 0;
        if (!sev) {
            rc = gs_err_set(err, GS_EPARSE, "%s:%d: unknown severity '%s' (serious|normal)", r.path,
                            r.line, f[2]);
            break;
        }
        int cat = dict_lookup(dict_wording_categories, f[3]);
        if (cat < 0) {
            rc = gs_err_set(err, GS_EPARSE,
                            "%s:%d: unknown category '%s' "
                            "(phrase|political|leader|institution|place)",
                            r.path, r.line, f[3]);
            break;
        }
        if ((rc = dict_append(set, f[0], &r, err)) < 0)
            break;
        struct dict_entry *e = &set->e[set->n - 1];
        e->severity = sev;
        e->category = dict_wording_categories[cat];
        if (!(e->right = strdup(f[1]))) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        /* The right form is correct text by definition: when it contains the wrong form
         * (a missing character), it is an exception of its own entry. */
        if (dict_contains(f[1], f[0], 1) &&
            (rc = dict_add_pattern(set, f[1], (uint32_t)(set->n - 1) | DICT_EXC, &r, err)) < 0)
            break;
        if (nf >= 5 && (rc = dict_exceptions(set, f[4], &r, err)) < 0)
            break;
    }
    fclose(r.fp);
    if (rc == 0)
        rc = dict_finish(set, r.path, err);
    return rc;
}

/* Quotation marks around a spam term: a page that puts “百家乐” in quotes is talking about
 * it (a police warning, a court report), not advertising it. */
static const char *const dict_quotes[][2] = {
    {"\xe2\x80\x9c", "\xe2\x80\x9d"}, /* “ ” */
    {"\xe2\x80\x98", "\xe2\x80\x99"}, /* ‘ ’ */
    {"\xe3\x80\x8c", "\xe3\x80\x8d"}, /* 「 」 */
};

/* Add the quoted forms of the entry just appended as its exceptions. */
static int dict_quoted(struct dict_set *set, const char *term, const struct dict_reader *r,
                       gs_err_t *err)
{
    char q[GS_DICT_TERM_MAX + 8];
    for (size_t i = 0; i < sizeof(dict_quotes) / sizeof(dict_quotes[0]); i++) {
        int n = snprintf(q, sizeof(q), "%s%s%s", dict_quotes[i][0], term, dict_quotes[i][1]);
        if (n < 0 || (size_t)n >= sizeof(q) || n > GS_DICT_TERM_MAX)
            continue; /* a term this long is never quoted in news anyway */
        int rc = dict_add_pattern(set, q, (uint32_t)(set->n - 1) | DICT_EXC, r, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int dict_load_spam(struct dict_set *set, const char *dir, gs_err_t *err)
{
    struct dict_reader r;
    int rc = dict_open(&r, dir, "spam.tsv", err);
    if (rc < 0)
        return rc;
    while ((rc = dict_next(&r, err)) > 0) {
        char *f[DICT_FIELDS_MAX];
        int nf = dict_split(r.buf, f, 5);
        if (nf < 3 || nf > 5) {
            rc = gs_err_set(err, GS_EPARSE,
                            "%s:%d: expected term, category, weight[, exceptions[, note]] "
                            "separated by tabs",
                            r.path, r.line);
            break;
        }
        if ((rc = dict_check_term(&r, "term", f[0], err)) < 0)
            break;
        int cat = dict_lookup(dict_spam_categories, f[1]);
        if (cat < 0) {
            rc = gs_err_set(err, GS_EPARSE,
                            "%s:%d: unknown category '%s' (porn|gambling|fraud|drugs|other)",
                            r.path, r.line, f[1]);
            break;
        }
        char *end = NULL;
        errno = 0;
        long w = strtol(f[2], &end, 10);
        if (errno || end == f[2] || *end || w < 1 || w > GS_DICT_SPAM_WEIGHT_ALONE) {
            rc = gs_err_set(err, GS_EPARSE, "%s:%d: weight '%s' is not a number from 1 to %d",
                            r.path, r.line, f[2], GS_DICT_SPAM_WEIGHT_ALONE);
            break;
        }
        if ((rc = dict_append(set, f[0], &r, err)) < 0)
            break;
        struct dict_entry *e = &set->e[set->n - 1];
        e->category = dict_spam_categories[cat];
        e->weight = (int)w;
        if (nf >= 4 && (rc = dict_exceptions(set, f[3], &r, err)) < 0)
            break;
        if ((rc = dict_quoted(set, f[0], &r, err)) < 0)
            break;
    }
    fclose(r.fp);
    if (rc == 0)
        rc = dict_finish(set, r.path, err);
    return rc;
}

static int dict_load_placeholders(gs_dict_t *d, const char *dir, gs_err_t *err)
{
    struct dict_reader r;
    int rc = dict_open(&r, dir, "placeholders.txt", err);
    if (rc < 0)
        return rc;
    size_t cap = 0;
    while ((rc = dict_next(&r, err)) > 0) {
        char *s = r.buf;
        while (*s == ' ' || *s == '\t')
            s++;
        s = dict_trim(s);
        size_t n = strlen(s);
        int star = n > 0 && s[n - 1] == '*';
        if (star) {
            s[--n] = '\0';
            s = dict_trim(s);
        }
        if ((rc = dict_check_term(&r, "placeholder", s, err)) < 0)
            break;
        if (d->nph >= GS_DICT_ENTRIES_MAX) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: more than %d entries", r.path, r.line,
                            GS_DICT_ENTRIES_MAX);
            break;
        }
        if (d->nph == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct dict_placeholder *np = realloc(d->ph, ncap * sizeof(*np));
            if (!np) {
                rc = gs_err_set(err, GS_ENOMEM, "out of memory");
                break;
            }
            d->ph = np;
            cap = ncap;
        }
        d->ph[d->nph].star = star;
        if (!(d->ph[d->nph].text = strdup(s))) {
            rc = gs_err_set(err, GS_ENOMEM, "out of memory");
            break;
        }
        d->nph++;
        if ((rc = gs_match_add(d->phm, s, strlen(s), (uint32_t)(d->nph - 1))) < 0) {
            gs_err_set(err, rc, "%s:%d: %s", r.path, r.line, gs_strerror(rc));
            break;
        }
    }
    fclose(r.fp);
    if (rc == 0)
        rc = gs_match_build(d->phm, err);
    return rc;
}

gs_dict_t *gs_dict_load(const char *data_dir, gs_err_t *err)
{
    gs_dict_t *d = calloc(1, sizeof(*d));
    if (!d) {
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    d->m = gs_match_new(GS_MATCH_FOLD_ASCII);
    d->wording.m = d->spam.m = d->m;
    d->spam.tag = DICT_SPAM;
    d->spam.words = 1;
    d->phm = gs_match_new(GS_MATCH_FOLD_ASCII);
    int rc;
    if (!d->m || !d->phm)
        rc = gs_err_set(err, GS_ENOMEM, "out of memory");
    else if ((rc = dict_load_wording(&d->wording, data_dir, err)) == 0 &&
             (rc = dict_load_spam(&d->spam, data_dir, err)) == 0 &&
             (rc = gs_match_build(d->m, err)) == 0)
        rc = dict_load_placeholders(d, data_dir, err);
    if (rc < 0)
        gs_dict_destroy(&d);
    return d;
}

static void dict_set_cleanup(struct dict_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->e[i].term);
        free(set->e[i].right);
    }
    free(set->e);
    set->m = NULL;
}

void gs_dict_destroy(gs_dict_t **dp)
{
    if (!dp || !*dp)
        return;
    gs_dict_t *d = *dp;
    dict_set_cleanup(&d->wording);
    dict_set_cleanup(&d->spam);
    gs_match_destroy(&d->m);
    for (size_t i = 0; i < d->nph; i++)
        free(d->ph[i].text);
    free(d->ph);
    gs_match_destroy(&d->phm);
    free(d);
    *dp = NULL;
}

size_t gs_dict_wording_count(const gs_dict_t *d)
{
    return d->wording.n;
}

size_t gs_dict_spam_count(const gs_dict_t *d)
{
    return d->spam.n;
}

size_t gs_dict_placeholder_count(const gs_dict_t *d)
{
    return d->nph;
}

/* ---- matching with exceptions and longest terms ---- */

/* An entry found: its first occurrence and how often it occurs. */
struct dict_found {
    uint32_t entry;
    size_t off, len, count;
};

/* An occurrence waiting until nothing can cover it any more. */
struct dict_pending {
    uint32_t entry;
    size_t start, end;
    int dead; /* covered: will not be reported */
};

/* An occurrence (term or exception) that ends at the current end position. */
struct dict_recent {
    uint32_t entry;
    int exc;
    size_t start;
};

/* The state of one scan. */
struct dict_scan {
    const struct dict_set *set;
    const unsigned char *text;
    size_t len;
    struct dict_pending pend[DICT_PENDING_MAX]; /* ring, oldest at phead */
    size_t phead, pn;
    struct dict_recent recent[DICT_RECENT_MAX];
    size_t nrecent, recent_end;
    /* What was found: distinct entries in order, a hash from entry to slot, a bitmap of
     * entries seen so that entries past max are still counted once. */
    struct dict_found *found;
    size_t nfound, max;
    uint32_t *hkey; /* entry + 1, 0 = empty */
    uint32_t *hval; /* index into found */
    size_t hmask;
    uint8_t *seen;
    size_t distinct;
};

static int dict_is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Count an occurrence that stands: a new slot the first time, else one more. */
static void dict_report(struct dict_scan *sc, uint32_t entry, size_t start, size_t len)
{
    uint8_t bit = (uint8_t)(1u << (entry & 7));
    int first = !(sc->seen[entry >> 3] & bit);
    sc->seen[entry >> 3] |= bit;
    if (first)
        sc->distinct++;
    if (sc->max == 0)
        return;
    /* Knuth's multiplicative hash, in 32 bits on purpose. */
    size_t h = (size_t)(uint32_t)(entry * 2654435761u) & sc->hmask;
    while (sc->hkey[h] && sc->hkey[h] != entry + 1)
        h = (h + 1) & sc->hmask;
    if (sc->hkey[h]) {
        sc->found[sc->hval[h]].count++;
        return;
    }
    if (sc->nfound == sc->max)
        return;
    sc->hkey[h] = entry + 1;
    sc->hval[h] = (uint32_t)sc->nfound;
    sc->found[sc->nfound++] = (struct dict_found){entry, start, len, 1};
}

/* Report or drop the oldest pending occurrence. */
static void dict_pop(struct dict_scan *sc)
{
    struct dict_pending *p = &sc->pend[sc->phead];
    if (!p->dead)
        dict_report(sc, p->entry, p->start, p->end - p->start);
    sc->phead = (sc->phead + 1) % DICT_PENDING_MAX;
    sc->pn--;
}

static int dict_on_hit(void *ud, uint32_t id, size_t off, size_t len)
{
    struct dict_scan *sc = ud;
    uint32_t entry = id & ~DICT_EXC;
    int exc = (id & DICT_EXC) != 0;
    size_t end = off + len;
    if (sc->set->words) {
        if (dict_is_alnum(sc->text[off]) && off > 0 && dict_is_alnum(sc->text[off - 1]))
            return 0;
        if (dict_is_alnum(sc->text[end - 1]) && end < sc->len && dict_is_alnum(sc->text[end]))
            return 0;
    }
    /* Whatever waits and can no longer be covered by anything ending here or later. */
    while (sc->pn > 0 && sc->pend[sc->phead].start + sc->set->cover < end)
        dict_pop(sc);
    if (end != sc->recent_end) {
        sc->nrecent = 0;
        sc->recent_end = end;
    }
    /* This occurrence covers the waiting ones it contains (they all end here or before). */
    for (size_t k = 0; k < sc->pn; k++) {
        struct dict_pending *p = &sc->pend[(sc->phead + k) % DICT_PENDING_MAX];
        if (p->dead || p->start < off)
            continue;
        if (exc ? p->entry == entry : (p->entry != entry && p->end - p->start < len))
            p->dead = 1;
    }
    if (!exc) {
        /* Occurrences ending at the same byte came first when longer: they cover this. */
        int dead = 0;
        for (size_t k = 0; k < sc->nrecent && !dead; k++) {
            const struct dict_recent *r = &sc->recent[k];
            dead = r->exc ? r->entry == entry && r->start <= off : r->start < off;
        }
        if (sc->pn == DICT_PENDING_MAX)
            dict_pop(sc);
        sc->pend[(sc->phead + sc->pn) % DICT_PENDING_MAX] =
            (struct dict_pending){entry, off, end, dead};
        sc->pn++;
    }
    if (sc->nrecent < DICT_RECENT_MAX)
        sc->recent[sc->nrecent++] = (struct dict_recent){entry, exc, off};
    return 0;
}

/* Prepare a scan of text for one set, keeping up to max distinct entries. */
static int dict_scan_init(struct dict_scan *sc, const struct dict_set *set, const char *text,
                          size_t len, size_t max)
{
    memset(sc, 0, sizeof(*sc));
    sc->set = set;
    sc->text = (const unsigned char *)text;
    sc->len = len;
    sc->max = max;
    sc->recent_end = (size_t)-1;
    sc->seen = calloc(set->n / 8 + 1, 1);
    if (!sc->seen)
        return GS_ENOMEM;
    if (max > 0) {
        size_t hsize = 16;
        while (hsize < 2 * max)
            hsize *= 2;
        sc->hmask = hsize - 1;
        sc->found = malloc(max * sizeof(*sc->found));
        sc->hkey = calloc(hsize, sizeof(*sc->hkey));
        sc->hval = malloc(hsize * sizeof(*sc->hval));
        if (!sc->found || !sc->hkey || !sc->hval)
            return GS_ENOMEM;
    }
    return 0;
}

/* The scans of one pass over a text: either may be NULL when its set is not wanted. */
struct dict_pass {
    struct dict_scan *wording, *spam;
};

static int dict_pass_on_hit(void *ud, uint32_t id, size_t off, size_t len)
{
    struct dict_pass *p = ud;
    struct dict_scan *sc = (id & DICT_SPAM) ? p->spam : p->wording;
    if (sc)
        dict_on_hit(sc, id & ~DICT_SPAM, off, len);
    return 0;
}

/* Scan text once for the wanted sets, then settle what still waits. */
static void dict_pass_run(const gs_dict_t *d, const char *text, size_t len, struct dict_pass *p)
{
    if (len > 0 && text)
        gs_match_scan(d->m, text, len, dict_pass_on_hit, p);
    struct dict_scan *both[2] = {p->wording, p->spam};
    for (int i = 0; i < 2; i++)
        while (both[i] && both[i]->pn > 0)
            dict_pop(both[i]);
}

/* Distinct entries found, as an int. */
static int dict_distinct(const struct dict_scan *sc)
{
    return sc->distinct > (size_t)INT32_MAX ? INT32_MAX : (int)sc->distinct;
}

static void dict_scan_free(struct dict_scan *sc)
{
    free(sc->found);
    free(sc->hkey);
    free(sc->hval);
    free(sc->seen);
}

static void dict_fill_wording(const gs_dict_t *d, const struct dict_scan *sc,
                              gs_dict_wording_t *out)
{
    for (size_t i = 0; i < sc->nfound; i++) {
        const struct dict_entry *e = &d->wording.e[sc->found[i].entry];
        out[i] = (gs_dict_wording_t){sc->found[i].entry, e->term,           e->right,
                                     e->category,        e->severity,       sc->found[i].off,
                                     sc->found[i].len,   sc->found[i].count};
    }
}

static void dict_fill_spam(const gs_dict_t *d, const struct dict_scan *sc, gs_dict_spam_t *out)
{
    for (size_t i = 0; i < sc->nfound; i++) {
        const struct dict_entry *e = &d->spam.e[sc->found[i].entry];
        out[i] =
            (gs_dict_spam_t){sc->found[i].entry, e->term,          e->category,       e->weight,
                             sc->found[i].off,   sc->found[i].len, sc->found[i].count};
    }
}

int gs_dict_wording(const gs_dict_t *d, const char *text, size_t len, gs_dict_wording_t *out,
                    size_t max)
{
    struct dict_scan sc;
    int rc = dict_scan_init(&sc, &d->wording, text, len, max);
    if (rc == 0) {
        struct dict_pass p = {&sc, NULL};
        dict_pass_run(d, text, len, &p);
        dict_fill_wording(d, &sc, out);
        rc = dict_distinct(&sc);
    }
    dict_scan_free(&sc);
    return rc;
}

int gs_dict_spam(const gs_dict_t *d, const char *text, size_t len, gs_dict_spam_t *out, size_t max)
{
    struct dict_scan sc;
    int rc = dict_scan_init(&sc, &d->spam, text, len, max);
    if (rc == 0) {
        struct dict_pass p = {NULL, &sc};
        dict_pass_run(d, text, len, &p);
        dict_fill_spam(d, &sc, out);
        rc = dict_distinct(&sc);
    }
    dict_scan_free(&sc);
    return rc;
}

int gs_dict_scan(const gs_dict_t *d, const char *text, size_t len, gs_dict_wording_t *wout,
                 size_t wmax, int *nwording, gs_dict_spam_t *sout, size_t smax, int *nspam)
{
    struct dict_scan w, s;
    int rc = dict_scan_init(&w, &d->wording, text, len, wmax);
    int rc2 = dict_scan_init(&s, &d->spam, text, len, smax);
    if (rc == 0 && rc2 == 0) {
        struct dict_pass p = {&w, &s};
        dict_pass_run(d, text, len, &p);
        dict_fill_wording(d, &w, wout);
        dict_fill_spam(d, &s, sout);
        *nwording = dict_distinct(&w);
        *nspam = dict_distinct(&s);
    }
    dict_scan_free(&w);
    dict_scan_free(&s);
    return rc < 0 ? rc : rc2;
}

/* ---- placeholders ---- */

/* A placeholder occurrence in a column text. */
struct dict_ph_hit {
    uint32_t id;
    size_t off, len;
};

struct dict_ph_scan {
    struct dict_ph_hit hit[DICT_PH_HITS_MAX];
    size_t n;
};

static int dict_ph_on_hit(void *ud, uint32_t id, size_t off, size_t len)
{
    struct dict_ph_scan *ps = ud;
    if (ps->n == DICT_PH_HITS_MAX)
        return 1;
    ps->hit[ps->n++] = (struct dict_ph_hit){id, off, len};
    return 0;
}

/* 1 for the characters that carry nothing around a placeholder: white space, ASCII and
 * CJK punctuation (、。《》【】…), full-width punctuation (！，：), general punctuation. */
static int dict_is_filler(uint32_t cp)
{
    if (cp < 0x80)
        return cp <= 0x20 || cp == 0x7f || (cp >= 0x21 && cp <= 0x2f) ||
               (cp >= 0x3a && cp <= 0x40) || (cp >= 0x5b && cp <= 0x60) ||
               (cp >= 0x7b && cp <= 0x7e);
    return cp == 0xa0 || cp == 0xb7 || (cp >= 0x2000 && cp <= 0x206f) ||
           (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xff01 && cp <= 0xff0f) ||
           (cp >= 0xff1a && cp <= 0xff20) || (cp >= 0xff3b && cp <= 0xff40) ||
           (cp >= 0xff5b && cp <= 0xff65);
}

const char *gs_dict_placeholder(const gs_dict_t *d, const char *text, size_t len)
{
    if (!text || len == 0 || len > GS_DICT_PLACEHOLDER_TEXT_MAX || d->nph == 0)
        return NULL;
    struct dict_ph_scan ps;
    ps.n = 0;
    if (gs_match_scan(d->phm, text, len, dict_ph_on_hit, &ps) != 0)
        return NULL;
    const char *first = NULL;
    size_t pos = 0;
    while (pos < len) {
        uint32_t cp;
        size_t k = gs_utf8_decode(text + pos, len - pos, &cp);
        if (k && dict_is_filler(cp)) {
            pos += k;
            continue;
        }
        /* The longest placeholder that starts here, or the text says something else. */
        const struct dict_ph_hit *best = NULL;
        for (size_t i = 0; i < ps.n; i++)
            if (ps.hit[i].off == pos && (!best || ps.hit[i].len > best->len))
                best = &ps.hit[i];
        if (!best)
            return NULL;
        if (!first)
            first = d->ph[best->id].text;
        if (d->ph[best->id].star)
            return first;
        pos += best->len;
    }
    return first;
}
