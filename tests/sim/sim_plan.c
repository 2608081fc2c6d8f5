/* sim_plan.c -- plan the simulated province once at start: who the targets are, which
 * defects they carry, how each site is laid out and when every item and post was
 * published, all relative to the reference date.
 *
 * Every decision draws from its own stream (sim.h: SIM_STREAM_*), so that adding a style
 * choice does not reshuffle the defects of an existing seed. The plan is a few hundred
 * bytes per target plus two bytes per item; it is read-only once built. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DAY 86400

/* The --faults sites: realistic names, descriptive hosts. */
static const struct {
    sim_fault_t fault;
    const char *owner;
    const char *slug;
} fault_sites[] = {
    {SIM_FAULT_LOOP, "湖南省地方志编纂院", "loop"},
    {SIM_FAULT_CHAIN, "湖南省档案馆", "chain"},
    {SIM_FAULT_HUGE, "湖南省气象局", "huge"},
    {SIM_FAULT_HUGE_CHUNKED, "湖南省地震局", "hugechunked"},
    {SIM_FAULT_BOMB, "湖南省通信管理局", "bomb"},
    {SIM_FAULT_SLOW, "湖南省邮政管理局", "slow"},
    {SIM_FAULT_MALFORMED, "湖南省测绘地理信息局", "malformed"},
};
#define N_FAULT_SITES (sizeof fault_sites / sizeof fault_sites[0])

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

gs_ymd_t sim_plan_date(const sim_plan_t *p, int age)
{
    return gs_civil_from_days(p->ref_days - age);
}

int64_t sim_plan_unix(const sim_plan_t *p, int age, int32_t tod)
{
    return (p->ref_days - age) * DAY + tod - GS_TZ_CST;
}

int32_t sim_plan_tod(const sim_plan_t *p, sim_rng_t *rng, int age)
{
    int32_t lo = 7 * 3600 + 30 * 60, hi = 21 * 3600;
    if (age <= 0) {
        /* Today: never after the reference time. */
        hi = p->ref_tod;
        lo = lo < hi ? lo : 0;
    } else if (age == 14) {
        /* The borderline: exactly 14 calendar days, and not more than 14 x 24 hours either,
         * so that a checker counting hours agrees with one counting days. */
        lo = lo > p->ref_tod ? lo : p->ref_tod;
        hi = hi > lo ? hi : DAY - 1;
    }
    return sim_rng_range(rng, lo, hi);
}

/* ---------------------------------------------------------------- index */

static uint64_t hash_mem_ci(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static const char *index_key(const sim_target_t *t)
{
    return t->kind == SIM_SITE ? t->host : t->id;
}

static int index_build(sim_plan_t *p)
{
    size_t slots = 64;
    while (slots < p->n_targets * 2)
        slots *= 2;
    p->host_slots = calloc(slots, sizeof *p->host_slots);
    if (!p->host_slots)
        return GS_ENOMEM;
    p->host_mask = slots - 1;
    for (size_t i = 0; i < p->n_targets; i++) {
        const char *k = index_key(&p->targets[i]);
        /* Sites and accounts share the table; the kind is checked on lookup. */
        size_t h = (size_t)hash_mem_ci(k, strlen(k)) & p->host_mask;
        while (p->host_slots[h])
            h = (h + 1) & p->host_mask;
        p->host_slots[h] = (uint32_t)(i + 1);
    }
    return 0;
}

static const sim_target_t *index_find(const sim_plan_t *p, const char *key, size_t len,
                                      sim_kind_t kind)
{
    if (!p->host_slots || len == 0)
        return NULL;
    size_t h = (size_t)hash_mem_ci(key, len) & p->host_mask;
    for (; p->host_slots[h]; h = (h + 1) & p->host_mask) {
        const sim_target_t *t = &p->targets[p->host_slots[h] - 1];
        const char *k = index_key(t);
        if (t->kind == kind && strlen(k) == len && strncasecmp(k, key, len) == 0)
            return t;
    }
    return NULL;
}

const sim_target_t *sim_plan_find_host(const sim_plan_t *p, const char *host, size_t len)
{
    return index_find(p, host, len, SIM_SITE);
}

const sim_target_t *sim_plan_find_account(const sim_plan_t *p, const char *id, size_t len)
{
    return index_find(p, id, len, SIM_ACCOUNT);
}

/* ---------------------------------------------------------------- helpers */

/* A permutation of 0..n-1 drawn from rng (Fisher-Yates); NULL when out of memory. */
static uint32_t *permutation(size_t n, sim_rng_t *rng)
{
    uint32_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = (uint32_t)i;
    for (size_t i = n; i > 1; i--) {
        size_t j = sim_rng_below(rng, (uint32_t)i);
        uint32_t tmp = v[i - 1];
        v[i - 1] = v[j];
        v[j] = tmp;
    }
    return v;
}

/* How many of n targets go to each region: about share_pct% to 省直部门 (at least one),
 * the rest round-robin over the cities in order. */
static void spread(size_t n, unsigned share_pct, size_t *per_region)
{
    memset(per_region, 0, sim_n_regions * sizeof *per_region);
    if (n == 0)
        return;
    size_t prov = n * share_pct / 100;
    if (prov == 0)
        prov = 1;
    per_region[0] = prov;
    size_t rest = n - prov, cities = sim_n_regions - 1;
    for (size_t c = 0; c < cities; c++)
        per_region[c + 1] = rest / cities + (c < rest % cities ? 1 : 0);
}

/* The clean newest age: most sites and accounts update every day or two. */
static int clean_age(sim_rng_t *rng)
{
    unsigned r = sim_rng_below(rng, 100);
    if (r < 60)
        return sim_rng_range(rng, 0, 2);
    if (r < 90)
        return sim_rng_range(rng, 3, 7);
    return sim_rng_range(rng, 8, 13);
}

/* ---------------------------------------------------------------- identities */

static void site_identity(sim_target_t *t, unsigned region, unsigned k)
{
    const sim_region_t *r = &sim_regions[region];
    t->kind = SIM_SITE;
    t->region = (uint16_t)region;
    sim_text_site_identity(r, k, t);
    /* A few province departments carry the bm + 8 digits form of the site code. */
    if (!r->counties && k % 4 == 3)
        snprintf(t->id, sizeof t->id, "bm%.4s%04u", r->code, (k + 1) % 10000);
    else
        snprintf(t->id, sizeof t->id, "%s%04u", r->code, (k + 1) % 10000);
    snprintf(t->host, sizeof t->host, "www.sim-%s%04u.gov.cn", r->abbr, (k + 1) % 10000);
    snprintf(t->url, sizeof t->url, "http://%s/", t->host);
}

static void fault_identity(sim_target_t *t, unsigned f)
{
    t->kind = SIM_SITE;
    t->region = 0;
    snprintf(t->owner, sizeof t->owner, "%s", fault_sites[f].owner);
    snprintf(t->place, sizeof t->place, "%s", fault_sites[f].owner);
    snprintf(t->name, sizeof t->name, "%s网站", fault_sites[f].owner);
    snprintf(t->id, sizeof t->id, "%s%04u", sim_regions[0].code, 9001 + f);
    snprintf(t->host, sizeof t->host, "www.sim-fault-%s.gov.cn", fault_sites[f].slug);
    snprintf(t->url, sizeof t->url, "http://%s/", t->host);
    t->u.site.fault = (uint8_t)fault_sites[f].fault;
}

static const char *feed_ext(sim_feedfmt_t f)
{
    return f == SIM_FEED_ATOM ? "atom" : f == SIM_FEED_JSON ? "json" : "xml";
}

/* ---------------------------------------------------------------- styles */

static sim_charset_t random_charset(sim_rng_t *rng)
{
    unsigned r = sim_rng_below(rng, 100);
    if (r < 72)
        return SIM_CS_UTF8;
    if (r < 82)
        return SIM_CS_GBK;
    if (r < 88)
        return SIM_CS_GBK_GB2312;
    if (r < 92)
        return SIM_CS_GBK_NODECL;
    if (r < 96)
        return SIM_CS_GB18030;
    return SIM_CS_BIG5;
}

/* Date style of a site: the format of its column pages, and of its first home list. */
typedef struct style {
    sim_datefmt_t primary;
    sim_datefmt_t home0;
} style_t;

static style_t random_style(sim_rng_t *rng)
{
    style_t s;
    unsigned r = sim_rng_below(rng, 100);
    s.primary = r < 50 ? SIM_DF_ISO : r < 65 ? SIM_DF_SLASH : r < 75 ? SIM_DF_DOT : SIM_DF_CN;
    r = sim_rng_below(rng, 100);
    s.home0 = r < 10 ? SIM_DF_BRACKET_MD : r < 20 ? SIM_DF_MD : s.primary;
    return s;
}

static void assign_styles(sim_plan_t *p, size_t n_ordinary, size_t first_acct)
{
    sim_rng_t rng;
    sim_rng_init(&rng, p->opts.seed, SIM_STREAM_STYLE, 1);
    uint32_t *perm = permutation(n_ordinary, &rng);
    /* With a province of 6 or more, the first ranks force every encoding and date style
     * to appear; the rest are drawn with realistic frequencies (most sites UTF-8). */
    static const sim_charset_t forced_cs[] = {SIM_CS_GBK, SIM_CS_BIG5, SIM_CS_GBK_NODECL,
                                              SIM_CS_GB18030, SIM_CS_GBK_GB2312};
    static const style_t forced_style[] = {{SIM_DF_ISO, SIM_DF_BRACKET_MD},
                                           {SIM_DF_CN, SIM_DF_MD},
                                           {SIM_DF_SLASH, SIM_DF_SLASH},
                                           {SIM_DF_DOT, SIM_DF_DOT},
                                           {SIM_DF_CN, SIM_DF_CN}};
    size_t n_forced_cs = n_ordinary < 6 ? 0 : n_ordinary < 10 ? 3 : n_ordinary < 14 ? 4 : 5;
    size_t n_forced_style = n_ordinary < 6 ? 0 : 5;
    for (size_t rank = 0; perm && rank < n_ordinary; rank++) {
        sim_target_t *t = &p->targets[perm[rank]];
        sim_rng_t r;
        sim_rng_init(&r, t->seed, SIM_STREAM_STYLE, 0);
        t->u.site.charset = (uint8_t)(rank < n_forced_cs ? forced_cs[rank] : random_charset(&r));
        /* Styles rank from the other end so that the GBK site is not also the [06-28] one. */
        size_t srank = n_ordinary - 1 - rank;
        style_t st = srank < n_forced_style ? forced_style[srank] : random_style(&r);
        t->u.site.block_fmt[0] = (uint8_t)st.home0;
        t->u.site.cols[0].fmt = (uint8_t)st.primary;
    }
    free(perm);

    size_t n_acct = p->n_targets - first_acct;
    perm = permutation(n_acct, &rng);
    for (size_t rank = 0; perm && rank < n_acct; rank++) {
        sim_target_t *t = &p->targets[first_acct + perm[rank]];
        sim_rng_t r;
        sim_rng_init(&r, t->seed, SIM_STREAM_STYLE, 0);
        sim_account_t *a = &t->u.acct;
        if (rank < 4) {
            static const uint8_t fmts[] = {SIM_FEED_RSS, SIM_FEED_ATOM, SIM_FEED_JSON,
                                           SIM_FEED_RSS};
            a->format = fmts[rank];
            a->gmt = rank == 3;
        } else {
            unsigned x = sim_rng_below(&r, 100);
            a->format = x < 50 ? SIM_FEED_RSS : x < 75 ? SIM_FEED_ATOM : SIM_FEED_JSON;
            a->gmt = a->format == SIM_FEED_RSS && sim_rng_chance(&r, 30);
        }
        snprintf(t->url, sizeof t->url, "http://%s/%s/%s.%s", SIM_FEEDS_HOST,
                 sim_platforms[a->platform].slug, t->id, feed_ext(a->format));
    }
    free(perm);
}

/* ---------------------------------------------------------------- defects */

/* Give `n_def` of the targets [first, first+n) a defect of their kind, and the first
 * clean one the borderline newest age of 14 days. */
static int assign_defects(sim_plan_t *p, size_t first, size_t n, sim_kind_t kind)
{
    sim_rng_t rng;
    sim_rng_init(&rng, p->opts.seed, SIM_STREAM_DEFECT, kind);
    unsigned rows[64], n_rows = 0, total_weight = 0;
    for (size_t d = 0; d < sim_n_defects && n_rows < 64; d++) {
        const sim_defect_t *def = &sim_defects[d];
        if (def->kind == kind && def->fault == SIM_FAULT_NONE && def->weight > 0) {
            rows[n_rows++] = (unsigned)d;
            total_weight += def->weight;
        }
    }
    size_t n_def = (size_t)(p->opts.defect_rate * (double)n + 0.5);
    if (n >= 6 && p->opts.defect_rate > 0) {
        /* Small test provinces still cover every defect, and keep a clean target for the
         * borderline 14 days unless every target is meant to be defective. */
        if (n_def < n_rows)
            n_def = n_rows;
        if (p->opts.defect_rate < 1.0 && n_def > n - 1)
            n_def = n - 1;
    }
    if (n_def > n)
        n_def = n;
    uint32_t *perm = permutation(n, &rng);
    if (!perm)
        return GS_ENOMEM;
    bool borderline_done = false;
    for (size_t rank = 0; rank < n; rank++) {
        sim_target_t *t = &p->targets[first + perm[rank]];
        if (rank >= n_def) {
            if (!borderline_done && n >= 6) {
                t->newest_age = 14;
                borderline_done = true;
            }
            continue;
        }
        unsigned row;
        if (rank < n_rows) {
            row = rows[rank];
        } else {
            unsigned w = sim_rng_below(&rng, total_weight), i = 0;
            while (w >= sim_defects[rows[i]].weight) {
                w -= sim_defects[rows[i]].weight;
                i++;
            }
            row = rows[i];
        }
        t->defects[t->n_defects++] = (uint8_t)row;
    }
    free(perm);
    return 0;
}

/* Run the plan hooks of every defect, in registry order, counting per row. */
static void run_plan_hooks(sim_plan_t *p, unsigned *nth)
{
    for (size_t i = 0; i < p->n_targets; i++) {
        sim_target_t *t = &p->targets[i];
        for (unsigned j = 0; j < t->n_defects; j++) {
            const sim_defect_t *def = &sim_defects[t->defects[j]];
            sim_rng_t rng;
            sim_rng_init(&rng, t->seed, SIM_STREAM_DEFECT, t->defects[j]);
            if (def->plan)
                def->plan(t, p, &rng, nth[t->defects[j]]);
            nth[t->defects[j]]++;
        }
    }
}

/* ---------------------------------------------------------------- site layout */

static int class_weight(sim_colclass_t c)
{
    switch (c) {
    case SIM_CC_NEWS:
        return 4;
    case SIM_CC_NOTICE:
        return 3;
    case SIM_CC_POLICY:
    case SIM_CC_INTERP:
        return 2;
    default:
        return 1;
    }
}

/* Days between consecutive items of a column. */
static int class_gap(sim_colclass_t c, sim_rng_t *rng)
{
    switch (c) {
    case SIM_CC_NEWS:
        return sim_rng_range(rng, 0, 4);
    case SIM_CC_NOTICE:
    case SIM_CC_INTERACT:
        return sim_rng_range(rng, 2, 15);
    case SIM_CC_POLICY:
    case SIM_CC_INTERP:
        return sim_rng_range(rng, 5, 30);
    case SIM_CC_PERSONNEL:
        return sim_rng_range(rng, 10, 45);
    default:
        return sim_rng_range(rng, 15, 60);
    }
}

/* Newest age of a column other than the first. A clean site keeps every column within
 * what the column checks allow (news 14 days, notices and policy 183, the rest a year),
 * so that only planted defects are found. */
static int column_newest(sim_colclass_t c, int site_newest, sim_rng_t *rng)
{
    int cap, extra;
    switch (c) {
    case SIM_CC_NEWS:
        extra = sim_rng_range(rng, 0, 6);
        cap = site_newest <= 14 ? 14 : site_newest + 10;
        break;
    case SIM_CC_NOTICE:
    case SIM_CC_POLICY:
    case SIM_CC_INTERP:
    case SIM_CC_INTERACT:
        extra = sim_rng_range(rng, 0, 40);
        cap = 150;
        break;
    default:
        extra = sim_rng_range(rng, 0, 120);
        cap = 300;
    }
    int age = site_newest + extra;
    if (age > cap)
        age = cap;
    return age < site_newest ? site_newest : age;
}

/* Choose the columns, spread the page budget, date every item. */
static int layout_site(sim_plan_t *p, sim_target_t *t, uint16_t **pool)
{
    sim_site_t *s = &t->u.site;
    sim_rng_t rng;
    sim_rng_init(&rng, t->seed, SIM_STREAM_TARGET, 0);
    int budget = (int)p->opts.pages_per_site - 1; /* the home page */
    int n_cols = sim_rng_range(&rng, 7, SIM_MAX_COLS);
    /* Every column needs its list page and at least two items. */
    if (n_cols > budget / 3)
        n_cols = budget / 3;
    if (n_cols < 1)
        n_cols = 1;

    /* Always: news, notices, policy, interpretation, interaction, services; then others. */
    static const uint8_t must[] = {0, 4, 5, 6, 10, 11};
    uint8_t pick[16];
    size_t n_pick = 0;
    for (size_t i = 0; i < sizeof must; i++)
        pick[n_pick++] = must[i];
    uint8_t others[16];
    size_t n_others = 0;
    for (size_t d = 0; d < sim_n_coldefs; d++) {
        bool in = false;
        for (size_t i = 0; i < sizeof must; i++)
            in = in || must[i] == d;
        if (!in)
            others[n_others++] = (uint8_t)d;
    }
    for (size_t i = n_others; i > 1; i--) {
        size_t j = sim_rng_below(&rng, (uint32_t)i);
        uint8_t tmp = others[i - 1];
        others[i - 1] = others[j];
        others[j] = tmp;
    }
    for (size_t i = 0; i < n_others; i++)
        pick[n_pick++] = others[i];
    /* Keep the first n_cols, in nav order (column 0 = 政务动态 first). */
    uint8_t chosen[SIM_MAX_COLS];
    for (int i = 0; i < n_cols; i++)
        chosen[i] = pick[i];
    for (int i = 1; i < n_cols; i++)
        for (int j = i; j > 0 && chosen[j - 1] > chosen[j]; j--) {
            uint8_t tmp = chosen[j];
            chosen[j] = chosen[j - 1];
            chosen[j - 1] = tmp;
        }
    s->n_cols = (uint8_t)n_cols;
    sim_datefmt_t primary = (sim_datefmt_t)s->cols[0].fmt;
    uint16_t base_num = (uint16_t)sim_rng_range(&rng, 1000, 8000);
    int per_page = sim_rng_range(&rng, 15, 20);
    for (int i = 0; i < n_cols; i++) {
        sim_column_t *c = &s->cols[i];
        c->def = chosen[i];
        /* Strictly increasing: the number identifies the column in article URLs. */
        base_num = (uint16_t)(base_num + sim_rng_range(&rng, 1, 9));
        c->num = base_num;
        c->per_page = (uint16_t)per_page;
        /* Column 0 keeps the primary format: it is the fallback of year-less lists. */
        c->fmt =
            (uint8_t)(i > 0 && sim_rng_chance(&rng, 20) ? sim_rng_below(&rng, SIM_DF_BRACKET_MD)
                                                        : primary);
        c->n_pages = 1;
    }

    /* Items: what the budget leaves after the list pages; paginating costs pages too, so
     * settle in a few rounds. */
    int n_items = 0;
    for (int round = 0; round < 6; round++) {
        int pages = 0;
        for (int i = 0; i < n_cols; i++)
            pages += s->cols[i].n_pages;
        n_items = budget - pages;
        int min_each = n_items >= 2 * n_cols ? 2 : 1;
        if (n_items < n_cols * min_each)
            n_items = n_cols * min_each;
        int wsum = 0;
        for (int i = 0; i < n_cols; i++)
            wsum += class_weight(sim_coldefs[s->cols[i].def].cls);
        int left = n_items - n_cols * min_each;
        int given = 0;
        for (int i = 0; i < n_cols; i++) {
            int w = class_weight(sim_coldefs[s->cols[i].def].cls);
            int extra = left * w / wsum;
            s->cols[i].n_items = (uint32_t)(min_each + extra);
            given += min_each + extra;
        }
        s->cols[0].n_items += (uint32_t)(n_items - given);
        bool same = true;
        for (int i = 0; i < n_cols; i++) {
            uint16_t np = (uint16_t)((s->cols[i].n_items + per_page - 1) / per_page);
            same = same && np == s->cols[i].n_pages;
            s->cols[i].n_pages = np ? np : 1;
        }
        if (same)
            break;
    }

    s->ages = *pool;
    s->n_items = (uint32_t)n_items;
    uint32_t at = 0;
    for (int i = 0; i < n_cols; i++) {
        sim_column_t *c = &s->cols[i];
        sim_colclass_t cls = sim_coldefs[c->def].cls;
        c->first = at;
        int age = i == 0 ? t->newest_age : column_newest(cls, t->newest_age, &rng);
        for (uint32_t k = 0; k < c->n_items; k++) {
            s->ages[at++] = (uint16_t)(age > 9999 ? 9999 : age);
            age += class_gap(cls, &rng);
        }
    }
    *pool += at;

    /* Home lists: the dated columns in nav order, 政务动态 first (it has the newest). */
    s->n_blocks = 0;
    for (int i = 0; i < n_cols && s->n_blocks < SIM_MAX_BLOCKS; i++) {
        sim_colclass_t cls = sim_coldefs[s->cols[i].def].cls;
        if (cls > SIM_CC_INTERP)
            continue;
        uint8_t b = s->n_blocks++;
        s->blocks[b] = (uint8_t)i;
        if (b > 0)
            s->block_fmt[b] =
                (uint8_t)(sim_rng_chance(&rng, 30) ? sim_rng_below(&rng, SIM_DF_COUNT) : primary);
    }

    /* Footer facts. */
    const sim_region_t *r = &sim_regions[t->region];
    snprintf(s->phone, sizeof s->phone, "%s-%08d", r->area,
             sim_rng_range(&rng, 22000000, 89999999));
    snprintf(s->icp, sizeof s->icp, "湘ICP备%08d号", sim_rng_range(&rng, 5000000, 19999999));
    snprintf(s->psb, sizeof s->psb, "湘公网安备 %.6s%08d号", r->code,
             sim_rng_range(&rng, 2000000, 2999999));
    for (int i = 0; i < 32; i++)
        s->conac_id[i] = "0123456789ABCDEF"[sim_rng_below(&rng, 16)];
    s->conac_id[32] = 0;
    s->conac_https = sim_rng_chance(&rng, 50);
    s->since = (uint32_t)sim_rng_range(&rng, 2003, 2015);
    s->theme = (uint8_t)sim_rng_below(&rng, 4);
    return 0;
}

static void layout_account(sim_plan_t *p, sim_target_t *t)
{
    sim_account_t *a = &t->u.acct;
    sim_rng_t rng;
    sim_rng_init(&rng, t->seed, SIM_STREAM_TARGET, 0);
    a->n_posts = (uint8_t)sim_rng_range(&rng, 10, SIM_MAX_POSTS);
    int age = t->newest_age;
    bool stale = t->newest_age > 14;
    for (unsigned i = 0; i < a->n_posts; i++) {
        a->ages[i] = (uint16_t)(age > 9999 ? 9999 : age);
        a->tods[i] = sim_plan_tod(p, &rng, age);
        age += stale ? sim_rng_range(&rng, 1, 12) : sim_rng_range(&rng, 0, 3);
    }
    /* Two posts on one day are newest first. */
    for (unsigned i = 1; i < a->n_posts; i++)
        if (a->ages[i] == a->ages[i - 1] && a->tods[i] > a->tods[i - 1]) {
            int32_t tmp = a->tods[i];
            a->tods[i] = a->tods[i - 1];
            a->tods[i - 1] = tmp;
        }
}

/* ---------------------------------------------------------------- build */

int sim_plan_build(sim_plan_t *p, const sim_opts_t *o, gs_err_t *err)
{
    memset(p, 0, sizeof *p);
    p->opts = *o;
    int64_t cst = o->ref_unix + GS_TZ_CST;
    p->ref_days = floor_div(cst, DAY);
    p->ref_tod = (int32_t)(cst - p->ref_days * DAY);

    size_t n_fault = o->faults ? N_FAULT_SITES : 0;
    p->n_sites = o->sites + n_fault;
    p->n_targets = p->n_sites + o->accounts;
    p->targets = calloc(p->n_targets ? p->n_targets : 1, sizeof *p->targets);
    unsigned *nth = calloc(sim_n_defects, sizeof *nth);
    int rc = 0;
    if (!p->targets || !nth) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory planning %zu targets", p->n_targets);
        goto out;
    }

    /* Identities, region by region. */
    size_t per_region[64];
    size_t at = 0;
    spread(o->sites, 10, per_region);
    for (size_t r = 0; r < sim_n_regions; r++)
        for (size_t k = 0; k < per_region[r]; k++)
            site_identity(&p->targets[at++], (unsigned)r, (unsigned)k);
    for (size_t f = 0; f < n_fault; f++)
        fault_identity(&p->targets[at++], (unsigned)f);
    spread(o->accounts, 20, per_region);
    for (size_t r = 0; r < sim_n_regions; r++)
        for (size_t q = 0; q < per_region[r]; q++) {
            sim_target_t *t = &p->targets[at++];
            t->kind = SIM_ACCOUNT;
            t->region = (uint16_t)r;
            sim_text_account_identity(&sim_regions[r], (unsigned)q, t);
        }
    for (size_t i = 0; i < p->n_targets; i++) {
        sim_target_t *t = &p->targets[i];
        t->seed = sim_mix64(o->seed ^ sim_hash_str(t->id));
        sim_rng_t rng;
        sim_rng_init(&rng, t->seed, SIM_STREAM_TARGET, 1);
        t->newest_age = clean_age(&rng);
    }

    assign_styles(p, o->sites, p->n_sites);
    rc = assign_defects(p, 0, o->sites, SIM_SITE);
    if (rc == 0)
        rc = assign_defects(p, p->n_sites, o->accounts, SIM_ACCOUNT);
    if (rc < 0) {
        rc = gs_err_set(err, rc, "out of memory assigning defects");
        goto out;
    }
    /* The fault sites carry their fault's row. */
    for (size_t f = 0; f < n_fault; f++) {
        sim_target_t *t = &p->targets[o->sites + f];
        t->u.site.charset = SIM_CS_UTF8;
        for (size_t d = 0; d < sim_n_defects; d++)
            if (sim_defects[d].fault == t->u.site.fault && t->n_defects < SIM_MAX_DEFECTS)
                t->defects[t->n_defects++] = (uint8_t)d;
    }
    run_plan_hooks(p, nth);

    /* Layouts: sites take at most pages_per_site items each. */
    p->ages_pool = calloc(p->n_sites * (size_t)o->pages_per_site + 1, sizeof *p->ages_pool);
    if (!p->ages_pool) {
        rc = gs_err_set(err, GS_ENOMEM, "out of memory for %zu sites x %u pages", p->n_sites,
                        o->pages_per_site);
        goto out;
    }
    uint16_t *pool = p->ages_pool;
    for (size_t i = 0; i < p->n_targets; i++) {
        if (p->targets[i].kind == SIM_SITE)
            layout_site(p, &p->targets[i], &pool);
        else
            layout_account(p, &p->targets[i]);
    }
    rc = index_build(p);
    if (rc < 0) {
        rc = gs_err_set(err, rc, "out of memory indexing hosts");
        goto out;
    }
    if (o->faults)
        rc = sim_fault_build_bomb(p, err);
out:
    free(nth);
    if (rc < 0)
        sim_plan_cleanup(p);
    return rc;
}

void sim_plan_cleanup(sim_plan_t *p)
{
    free(p->targets);
    free(p->ages_pool);
    free(p->host_slots);
    free(p->bomb);
    p->targets = NULL;
    p->ages_pool = NULL;
    p->host_slots = NULL;
    p->bomb = NULL;
    p->n_targets = p->n_sites = 0;
}
