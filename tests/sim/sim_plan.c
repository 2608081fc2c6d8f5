/* sim_plan.c -- plan the simulated province once at start: who the targets are, which
 * defects they carry, how each site is laid out and when every item and post was
 * published, all relative to the reference date.
 *
 * Every decision draws from its own stream (sim.h: SIM_STREAM_*), so that adding a style
 * choice does not reshuffle the defects of an existing seed. The defects come in two
 * passes: the rows of the first release exactly as they always were (so existing
 * arguments keep their truth), then the grouped rows onto the targets left clean. The plan
 * is about a kilobyte per target plus two bytes per item; it is read-only once built. */
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
    {SIM_FAULT_RESET, "湖南省机关事务管理局", "reset"},
    {SIM_FAULT_TIMEOUT, "湖南省人民防空办公室", "timeout"},
    {SIM_FAULT_BAD_GATEWAY, "湖南省供销合作总社", "badgateway"},
    {SIM_FAULT_REFUSED, "湖南省国防科技工业局", "refused"},
    {SIM_FAULT_FLAP, "湖南省监狱管理局", "flap"},
};
/* The flapping site is the last row; --flap-sites adds more of it (flap2, flap3...). */
#define N_FAULT_ROWS (sizeof fault_sites / sizeof fault_sites[0])

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
    } else if (age == 14 || age == 183 || age == 365) {
        /* The borderlines: exactly 14 (183, 365) calendar days, and not more than that many
         * times 24 hours either, so that a checker counting hours agrees with one counting
         * days. */
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
    unsigned row = f < N_FAULT_ROWS ? f : (unsigned)N_FAULT_ROWS - 1;
    unsigned extra = f - row; /* the second, third ... flapping site */
    t->kind = SIM_SITE;
    t->region = 0;
    snprintf(t->owner, sizeof t->owner, "%s", fault_sites[row].owner);
    snprintf(t->place, sizeof t->place, "%s", fault_sites[row].owner);
    if (extra)
        snprintf(t->name, sizeof t->name, "%s网站%u", fault_sites[row].owner, extra + 1);
    else
        snprintf(t->name, sizeof t->name, "%s网站", fault_sites[row].owner);
    snprintf(t->id, sizeof t->id, "%s%04u", sim_regions[0].code, 9001 + f);
    if (extra)
        snprintf(t->host, sizeof t->host, "www.sim-fault-%s%u.gov.cn", fault_sites[row].slug,
                 extra + 1);
    else
        snprintf(t->host, sizeof t->host, "www.sim-fault-%s.gov.cn", fault_sites[row].slug);
    snprintf(t->url, sizeof t->url, "http://%s/", t->host);
    t->u.site.fault = (uint8_t)fault_sites[row].fault;
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
        if (def->kind == kind && def->fault == SIM_FAULT_NONE && def->weight > 0 &&
            def->group == SIM_G_FIRST) {
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

/* ---------------------------------------------------------------- grouped defects */

static bool has_group(const sim_target_t *t, sim_group_t g)
{
    for (unsigned i = 0; i < t->n_defects; i++)
        if (sim_defects[t->defects[i]].group == g)
            return true;
    return false;
}

static bool can_take(const sim_plan_t *p, const sim_target_t *t, unsigned row)
{
    const sim_defect_t *d = &sim_defects[row];
    if (t->n_defects >= SIM_MAX_DEFECTS || has_group(t, d->group))
        return false;
    /* M-DUPLICATE re-identifies the account (platform, owner): it stands alone, so that no
     * other row depends on what it changes. */
    if (d->group == SIM_G_M_DUP && t->n_defects > 0)
        return false;
    if (t->n_defects > 0 && has_group(t, SIM_G_M_DUP))
        return false;
    return !d->eligible || d->eligible(t, p);
}

/* The second pass: the grouped rows of a kind onto targets [first, first+n) that the first
 * pass left clean (the borderline 14-day target excluded, and one more kept clean). Enough
 * targets for the largest group are used when the province has 6 or more of the kind, so
 * that every row is planted at least once; each row goes to the used target with the fewest
 * rows that can take it (one row per group), and a used target that got none takes a
 * weighted random row. Rows no target can take are counted in p->uncovered. */
static int assign_grouped(sim_plan_t *p, size_t first, size_t n, sim_kind_t kind)
{
    if (n == 0 || !(p->opts.defect_rate > 0))
        return 0;
    unsigned rows[128], n_rows = 0, per_group[SIM_G_COUNT] = {0}, max_group = 0;
    for (size_t d = 0; d < sim_n_defects && n_rows < 128; d++) {
        const sim_defect_t *def = &sim_defects[d];
        if (def->kind == kind && def->group != SIM_G_FIRST && def->weight > 0) {
            rows[n_rows++] = (unsigned)d;
            if (++per_group[def->group] > max_group)
                max_group = per_group[def->group];
        }
    }
    sim_rng_t rng;
    sim_rng_init(&rng, p->opts.seed, SIM_STREAM_GROUPED, kind);
    uint32_t *perm = permutation(n, &rng);
    uint32_t *cand = malloc((n ? n : 1) * sizeof *cand);
    if (!perm || !cand) {
        free(perm);
        free(cand);
        return GS_ENOMEM;
    }
    size_t n_free = 0;
    for (size_t i = 0; i < n; i++) {
        const sim_target_t *t = &p->targets[first + perm[i]];
        if (t->n_defects == 0 && t->newest_age != 14)
            cand[n_free++] = (uint32_t)(first + perm[i]);
    }
    size_t keep = p->opts.defect_rate < 1.0 && n_free >= 2 ? 1 : 0;
    size_t limit = n_free - keep;
    size_t m = (size_t)(p->opts.defect_rate * (double)n_free + 0.5);
    if (n >= 6 && m < max_group)
        m = max_group;
    if (m > limit)
        m = limit;
    /* The rows that only some targets can take go first, while every used target is free:
     * M-DUPLICATE (a target of its own, with another account in its region), then the
     * ones that want a WeChat account. */
    unsigned order[128], n_order = 0;
    for (int pass = 0; pass < 3; pass++)
        for (unsigned r = 0; r < n_rows; r++) {
            const sim_defect_t *def = &sim_defects[rows[r]];
            int rank = def->group == SIM_G_M_DUP ? 0 : def->eligible ? 1 : 2;
            if (rank == pass)
                order[n_order++] = rows[r];
        }
    if (n >= 6) {
        for (unsigned o = 0; o < n_order; o++) {
            unsigned row = order[o];
            size_t best = SIZE_MAX;
            for (size_t i = 0; i < m; i++) {
                const sim_target_t *t = &p->targets[cand[i]];
                if (can_take(p, t, row) &&
                    (best == SIZE_MAX || t->n_defects < p->targets[cand[best]].n_defects))
                    best = i;
            }
            /* None of the used targets can take it (a menu row and no WeChat account among
             * them): use one more target, if there is one that can. */
            for (size_t i = m; best == SIZE_MAX && i < limit; i++)
                if (can_take(p, &p->targets[cand[i]], row)) {
                    uint32_t tmp = cand[m];
                    cand[m] = cand[i];
                    cand[i] = tmp;
                    best = m++;
                }
            if (best == SIZE_MAX) {
                if (p->uncovered < sizeof p->uncovered_rows)
                    p->uncovered_rows[p->uncovered] = (uint8_t)row;
                p->uncovered++;
                continue;
            }
            sim_target_t *t = &p->targets[cand[best]];
            t->defects[t->n_defects++] = (uint8_t)row;
        }
    }
    for (size_t i = 0; i < m; i++) {
        sim_target_t *t = &p->targets[cand[i]];
        if (t->n_defects > 0)
            continue;
        unsigned total = 0;
        for (unsigned r = 0; r < n_rows; r++)
            total += can_take(p, t, rows[r]) ? sim_defects[rows[r]].weight : 0;
        if (total == 0)
            continue;
        unsigned w = sim_rng_below(&rng, total);
        for (unsigned r = 0; r < n_rows; r++) {
            unsigned wr = can_take(p, t, rows[r]) ? sim_defects[rows[r]].weight : 0;
            if (w < wr) {
                t->defects[t->n_defects++] = (uint8_t)rows[r];
                break;
            }
            w -= wr;
        }
    }
    free(perm);
    free(cand);
    return 0;
}

bool sim_target_has(const sim_target_t *t, unsigned row)
{
    for (unsigned i = 0; i < t->n_defects; i++)
        if (t->defects[i] == row)
            return true;
    return false;
}

bool sim_plan_site_reachable(const sim_target_t *t)
{
    if (t->kind != SIM_SITE || t->u.site.fault != SIM_FAULT_NONE)
        return false;
    for (unsigned i = 0; i < t->n_defects; i++) {
        const sim_defect_t *d = &sim_defects[t->defects[i]];
        if (d->code && strcmp(d->code, "W-UNREACHABLE") == 0)
            return false;
    }
    return true;
}

/* --fix-targets: ids (comma-separated) served as clean -- a province whose inspected
 * targets fixed their defects. Set by sim_main.c before sim_plan_build; NULL: none. */
static const char *fix_ids;

int sim_plan_fix_targets(const char *ids)
{
    fix_ids = ids && *ids ? ids : NULL;
    return 0;
}

/* Whether id is in the --fix-targets list. */
static bool fixed(const char *id)
{
    size_t n = strlen(id);
    for (const char *q = fix_ids; q && *q;) {
        size_t len = strcspn(q, ",");
        if (len == n && strncmp(q, id, n) == 0)
            return true;
        q += len + (q[len] == ',');
    }
    return false;
}

/* Every --fix-targets id names a target: 0, or GS_EINVAL with the first that does not. */
static int check_fixed(const sim_plan_t *p, gs_err_t *err)
{
    for (const char *q = fix_ids; q && *q;) {
        size_t len = strcspn(q, ",");
        bool found = len == 0;
        for (size_t i = 0; i < p->n_targets && !found; i++)
            found = strlen(p->targets[i].id) == len && !strncmp(p->targets[i].id, q, len);
        if (!found)
            return gs_err_set(err, GS_EINVAL, "--fix-targets: no target %.*s", (int)len, q);
        q += len + (q[len] == ',');
    }
    return 0;
}

/* Run the plan hooks of every defect, in registry order, counting per row. A fixed target
 * keeps its place in the counts (so that every other target is planned exactly as without
 * --fix-targets: the first target of a row gets the borderline case) but none of its
 * hooks run and it loses its defects and its fault: it is served, and its truth written,
 * as a clean target. */
static void run_plan_hooks(sim_plan_t *p, unsigned *nth)
{
    for (size_t i = 0; i < p->n_targets; i++) {
        sim_target_t *t = &p->targets[i];
        if (fix_ids && fixed(t->id)) {
            for (unsigned j = 0; j < t->n_defects; j++)
                nth[t->defects[j]]++;
            t->n_defects = 0;
            if (t->kind == SIM_SITE)
                t->u.site.fault = SIM_FAULT_NONE;
            continue;
        }
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

/* The columns of a site with the 政务公开 section: eleven in the nav, fourteen under
 * 政务公开 (level 2). */
static const char *const extended_l1[] = {"zwdt", "yw",   "bmdt", "jcdt", "tzgg", "zcwj",
                                          "zcjd", "zwgk", "hdjl", "bsfw", "ztzl"};
static const char *const extended_l2[] = {"gzdt", "gggs", "rsxx", "rsrm", "zkly",   "ghjh", "fzgh",
                                          "tjxx", "jgzn", "czzj", "zdxm", "ggzypz", "yjgl", "tjsj"};
/* Columns of the nav of an ordinary site: 7 to 11. */
#define NAV_MAX_COLS 11

static bool itemized(const sim_column_t *c)
{
    return !c->blank && sim_coldefs[c->def].cls != SIM_CC_PARENT;
}

/* Choose the columns of an ordinary site: the must-have ones, then others, in nav order.
 * Returns how many. */
static int choose_columns(sim_target_t *t, sim_rng_t *rng, int budget, uint8_t *chosen)
{
    int n_cols = sim_rng_range(rng, 7, NAV_MAX_COLS);
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
    for (size_t d = 0; d <= 12; d++) {
        bool in = false;
        for (size_t i = 0; i < sizeof must; i++)
            in = in || must[i] == d;
        if (!in)
            others[n_others++] = (uint8_t)d;
    }
    for (size_t i = n_others; i > 1; i--) {
        size_t j = sim_rng_below(rng, (uint32_t)i);
        uint8_t tmp = others[i - 1];
        others[i - 1] = others[j];
        others[j] = tmp;
    }
    for (size_t i = 0; i < n_others; i++)
        pick[n_pick++] = others[i];
    /* A site without a board has no 互动交流 column either (W-INTERACT no-channel). */
    int k = 0;
    for (size_t i = 0; i < n_pick && k < n_cols; i++)
        if (!(pick[i] == 10 && t->u.site.interact == SIM_IA_NO_CHANNEL))
            chosen[k++] = pick[i];
    n_cols = k;
    /* A 政策文件 column always comes with its 政策解读: a tiny site with room for only one of
     * them keeps the interpretations. */
    bool policy = false, interp = false;
    for (int i = 0; i < n_cols; i++) {
        policy = policy || chosen[i] == 5;
        interp = interp || chosen[i] == 6;
    }
    for (int i = 0; policy && !interp && i < n_cols; i++)
        if (chosen[i] == 5)
            chosen[i] = 6;
    /* Nav order (column 0 = 政务动态 first). */
    for (int i = 1; i < n_cols; i++)
        for (int j = i; j > 0 && chosen[j - 1] > chosen[j]; j--) {
            uint8_t tmp = chosen[j];
            chosen[j] = chosen[j - 1];
            chosen[j - 1] = tmp;
        }
    return n_cols;
}

/* The columns of a site with the 政务公开 section; their levels into levels. */
static int choose_extended(const sim_target_t *t, uint8_t *chosen, uint8_t *levels)
{
    int n = 0;
    for (size_t i = 0; i < sizeof extended_l1 / sizeof extended_l1[0]; i++) {
        int d = sim_coldef_find(extended_l1[i]);
        if (d < 0 || (d == 10 && t->u.site.interact == SIM_IA_NO_CHANNEL))
            continue;
        chosen[n] = (uint8_t)d;
        levels[n++] = 1;
    }
    for (size_t i = 0; i < sizeof extended_l2 / sizeof extended_l2[0]; i++) {
        int d = sim_coldef_find(extended_l2[i]);
        if (d < 0)
            continue;
        chosen[n] = (uint8_t)d;
        levels[n++] = 2;
    }
    return n;
}

static int col_of_def(const sim_site_t *s, int def)
{
    for (unsigned i = 0; i < s->n_cols; i++)
        if (s->cols[i].def == def)
            return (int)i;
    return -1;
}

/* Spread n_items over the itemized columns by class weight, then make the 政策解读 column
 * one interpretation per 政策文件 item (but the dropped one), the difference going to
 * column 0; paginate. Returns whether the pagination changed. */
static bool spread_items(sim_site_t *s, int n_items, int per_page)
{
    int n_itemized = 0, wsum = 0;
    for (unsigned i = 0; i < s->n_cols; i++)
        if (itemized(&s->cols[i])) {
            n_itemized++;
            wsum += class_weight(sim_coldefs[s->cols[i].def].cls);
        }
    if (n_itemized == 0)
        n_itemized = 1;
    int min_each = n_items >= 2 * n_itemized ? 2 : 1;
    if (n_items < n_itemized * min_each)
        n_items = n_itemized * min_each;
    int left = n_items - n_itemized * min_each;
    int given = 0;
    for (unsigned i = 0; i < s->n_cols; i++) {
        sim_column_t *c = &s->cols[i];
        if (!itemized(c)) {
            c->n_items = 0;
            continue;
        }
        int extra = wsum ? left * class_weight(sim_coldefs[c->def].cls) / wsum : 0;
        c->n_items = (uint32_t)(min_each + extra);
        given += min_each + extra;
    }
    s->cols[0].n_items += (uint32_t)(n_items - given);
    int pol = col_of_def(s, 5), itp = col_of_def(s, 6);
    if (pol > 0 && itp > 0) {
        sim_column_t *cp = &s->cols[pol], *ci = &s->cols[itp];
        /* Two policy documents at least when one goes without its interpretation, so that
         * the 政策解读 column is never left blank. */
        uint32_t want_p = s->policy_drop && cp->n_items < 2 ? 2 : cp->n_items;
        uint32_t want_i = want_p - (s->policy_drop ? 1 : 0);
        int64_t delta = (int64_t)want_p + want_i - cp->n_items - ci->n_items;
        if ((int64_t)s->cols[0].n_items - delta >= 1) {
            s->cols[0].n_items = (uint32_t)((int64_t)s->cols[0].n_items - delta);
            cp->n_items = want_p;
            ci->n_items = want_i;
        }
    }
    bool same = true;
    for (unsigned i = 0; i < s->n_cols; i++) {
        sim_column_t *c = &s->cols[i];
        uint16_t np = (uint16_t)((c->n_items + (uint32_t)per_page - 1) / (uint32_t)per_page);
        np = np ? np : 1;
        same = same && np == c->n_pages;
        c->n_pages = np;
    }
    return !same;
}

/* Choose the columns, spread the page budget, date every item. */
static int layout_site(sim_plan_t *p, sim_target_t *t, uint16_t **pool)
{
    sim_site_t *s = &t->u.site;
    sim_rng_t rng;
    sim_rng_init(&rng, t->seed, SIM_STREAM_TARGET, 0);
    int budget = (int)p->opts.pages_per_site - 1; /* the home page */
    uint8_t chosen[SIM_MAX_COLS], levels[SIM_MAX_COLS];
    int n_cols = choose_columns(t, &rng, budget, chosen);
    memset(levels, 1, sizeof levels);
    if (s->extended) {
        n_cols = choose_extended(t, chosen, levels);
        if (budget < SIM_EXTENDED_MIN_PAGES - 1)
            budget = SIM_EXTENDED_MIN_PAGES - 1;
    }
    s->n_cols = (uint8_t)n_cols;
    sim_datefmt_t primary = (sim_datefmt_t)s->cols[0].fmt;
    uint16_t base_num = (uint16_t)sim_rng_range(&rng, 1000, 8000);
    int per_page = sim_rng_range(&rng, 15, 20);
    for (int i = 0; i < n_cols; i++) {
        sim_column_t *c = &s->cols[i];
        c->def = chosen[i];
        c->level = levels[i];
        c->blank = (s->blank_defs & (1u << c->def)) ? 1 : 0;
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
    /* Blank columns alternate between an empty list and the placeholder text. */
    unsigned nb = 0;
    for (int i = 0; i < n_cols; i++)
        if (s->cols[i].blank)
            s->cols[i].blank = (uint8_t)(1 + nb++ % 2);
    /* Titles of one class are split between its columns (sim_text_title). */
    for (int i = 0; i < n_cols; i++) {
        sim_colclass_t cls = sim_coldefs[s->cols[i].def].cls;
        unsigned rank = 0, count = 0;
        for (int j = 0; j < n_cols; j++)
            if (sim_coldefs[s->cols[j].def].cls == cls) {
                rank += j < i;
                count++;
            }
        s->cols[i].cls_rank = (uint8_t)rank;
        s->cols[i].cls_count = (uint8_t)count;
    }

    /* Items: what the budget leaves after the list pages; paginating costs pages too, so
     * settle in a few rounds. */
    int n_items = 0;
    for (int round = 0; round < 6; round++) {
        int pages = 0;
        for (int i = 0; i < n_cols; i++)
            pages += s->cols[i].n_pages;
        n_items = budget - pages;
        if (!spread_items(s, n_items, per_page))
            break;
    }
    n_items = 0;
    for (int i = 0; i < n_cols; i++)
        n_items += (int)s->cols[i].n_items;

    s->ages = *pool;
    s->n_items = (uint32_t)n_items;
    uint32_t at = 0;
    int pol = col_of_def(s, 5);
    for (int i = 0; i < n_cols; i++) {
        sim_column_t *c = &s->cols[i];
        sim_colclass_t cls = sim_coldefs[c->def].cls;
        c->first = at;
        int forced = c->def < SIM_MAX_COLDEFS ? s->force_age[c->def] : 0;
        int age = i == 0   ? t->newest_age
                  : forced ? forced
                           : column_newest(cls, t->newest_age, &rng);
        if (cls == SIM_CC_INTERP && pol >= 0 && pol < i) {
            /* An interpretation is published the day of its document. */
            const sim_column_t *cp = &s->cols[pol];
            uint32_t skip = s->policy_drop ? 1 : 0;
            for (uint32_t k = 0; k < c->n_items; k++) {
                uint32_t pk = k + skip < cp->n_items ? k + skip : cp->n_items - 1;
                s->ages[at++] = s->ages[cp->first + pk];
            }
            continue;
        }
        for (uint32_t k = 0; k < c->n_items; k++) {
            s->ages[at++] = (uint16_t)(age > 9999 ? 9999 : age);
            age += class_gap(cls, &rng);
        }
    }
    *pool += at;

    /* Home lists: the dated columns of the nav in nav order, 政务动态 first (it has the
     * newest). */
    s->n_blocks = 0;
    for (int i = 0; i < n_cols && s->n_blocks < SIM_MAX_BLOCKS; i++) {
        sim_colclass_t cls = sim_coldefs[s->cols[i].def].cls;
        if (cls > SIM_CC_INTERP || s->cols[i].level != 1 || s->cols[i].n_items == 0)
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

    /* The article exposing personal data: the newest notice (a 公示), else the newest news. */
    if (s->privacy) {
        int c = col_of_def(s, 4);
        s->privacy_col = (uint8_t)(c > 0 && s->cols[c].n_items > 0 ? c : 0);
    }
    /* The duplicated item: the newest of column 0, copied as the newest item of other
     * dated columns that are not aged by a defect (so their staleness is unchanged). */
    s->n_dup_dst = 0;
    if (s->dup_cols > 1 && !(s->privacy && s->privacy_col == 0) && s->cols[0].n_items > 0) {
        for (int i = 1; i < n_cols && s->n_dup_dst + 1 < s->dup_cols; i++) {
            sim_column_t *c = &s->cols[i];
            sim_colclass_t cls = sim_coldefs[c->def].cls;
            bool kind_ok = cls == SIM_CC_NEWS || cls == SIM_CC_NOTICE || cls == SIM_CC_PERSONNEL ||
                           cls == SIM_CC_PLAN || cls == SIM_CC_SPECIAL || cls == SIM_CC_OPEN;
            if (!kind_ok || c->n_items == 0 || s->force_age[c->def] ||
                (s->privacy && i == s->privacy_col))
                continue;
            s->ages[c->first] = s->ages[s->cols[0].first];
            s->dup_dst[s->n_dup_dst++] = (uint8_t)i;
        }
    }
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

    size_t n_fault = o->faults ? N_FAULT_ROWS - 1 + (o->flap_sites ? o->flap_sites : 1) : 0;
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
    /* The grouped rows, onto what the first pass left clean. */
    rc = assign_grouped(p, 0, o->sites, SIM_SITE);
    if (rc == 0)
        rc = assign_grouped(p, p->n_sites, o->accounts, SIM_ACCOUNT);
    if (rc < 0) {
        rc = gs_err_set(err, rc, "out of memory assigning defects");
        goto out;
    }
    rc = check_fixed(p, err);
    if (rc < 0)
        goto out;
    run_plan_hooks(p, nth);
    /* WeChat accounts have a menu (registry menu_url) unless a row planted another. */
    for (size_t i = p->n_sites; i < p->n_targets; i++) {
        sim_account_t *a = &p->targets[i].u.acct;
        if (a->platform <= 1 && a->menu == SIM_MENU_NONE)
            a->menu = SIM_MENU_OK;
    }
    rc = sim_cal_load(&p->cal, o->data_dir, err);
    if (rc < 0)
        goto out;

    /* Layouts: sites take at most pages_per_site items each (a site with the 政务公开
     * section at least SIM_EXTENDED_MIN_PAGES). */
    size_t per_site =
        o->pages_per_site > SIM_EXTENDED_MIN_PAGES ? o->pages_per_site : SIM_EXTENDED_MIN_PAGES;
    p->ages_pool = calloc(p->n_sites * per_site + 1, sizeof *p->ages_pool);
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
    for (size_t i = 0; i < p->n_sites; i++)
        if (p->targets[i].u.site.fault == SIM_FAULT_NONE)
            sim_board_plan(p, &p->targets[i]);
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
    sim_cal_cleanup(&p->cal);
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
