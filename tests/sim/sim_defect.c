/* sim_defect.c -- the table of defects the simulated province can plant, and the truth
 * record of each.
 *
 * One row per defect variant. The plan chooses rows for targets (sim_plan.c): the rows of
 * the first release (group SIM_G_FIRST) as they always were -- about --defect-rate of the
 * targets, every row with a weight at least once in a province of 6 or more -- and then the
 * grouped rows onto targets the first pass left clean, every one at least once when the
 * province is large enough (README.md gives the minimum), at most one row of a group per
 * target. The row's hooks then shape the target and its pages:
 *   plan     runs before the target's items are dated: set newest_age, omit bits, the
 *            columns to age or blank, the board's variant, the certificate...
 *   detail   fills the truth record's detail of a first-release row (cause already set)
 *   truth    writes the truth lines of a grouped row, once the layout is known (codes
 *            whose lines follow from the planted state -- W-COLUMN-STALE, W-COLUMN-BLANK,
 *            W-INTERACT, W-INTERACT-SLOW, W-DUP-POST, M-DUPLICATE -- are written by
 *            sim_truth.c from that state instead, so that combined defects add up)
 *   respond  takes over whole responses (503, closed account, fault behaviours)
 *   render   adds bytes at a named slot of every page
 *   eligible says whether a target can take a grouped row (menus are WeChat's...)
 * Adding a defect of checks.md is adding a row and whatever hook it needs; rows with a
 * NULL code plant a behaviour that a sensible checker reports with no finding of its own.
 *
 * Choices for the --faults sites (what a sensible checker reports, see checks.md):
 *   redirect-loop, redirect-chain (50 hops, beyond the 20 a browser follows), slow (a
 *   byte a second, so the home page never arrives within the 15 s deadline), reset (the
 *   connection reset after 4 KB of the body), timeout (nothing for 120 s), bad-gateway
 *   (502) and refused are W-UNREACHABLE: the home page cannot be opened.
 *   huge-body (100 MB, with and without Content-Length), gzip-bomb (1 GiB once inflated)
 *   and malformed-html are reachable: each starts with a complete, fresh home page, so a
 *   checker that keeps what fits under its ceilings (and parses leniently) finds the
 *   site up to date. They are in no truth line and not in clean.txt: a checker may add
 *   non-veto findings of its own about them, but no veto. So is flap: it fails
 *   --flap-rate of its requests, which a sweep's retries get past; the availability
 *   watch decides its veto (W-UNREACHABLE when the rate is 5 % or more).
 *
 * Truth of the grouped rows that is not obvious (README.md lists every row):
 *   a site whose home page cannot be opened gets no other line; W-HEADER also drops the
 *   SiteName tag (so a checker that accepts the tag as the name agrees), hence a W-META
 *   line with it; cloaking is one W-SECURITY line (cause cloaking), not also spam-title. */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- plan hooks */

/* Newest item at least 15 days old; the first such target exactly 15 (the borderline).
 * At most 120 days, so that notice and policy columns stay within their 183 days and the
 * only veto a checker should raise is the one planted. */
static void plan_site_stale(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p;
    t->newest_age = nth == 0 ? 15 : sim_rng_range(rng, 16, 120);
}

/* Newest post at least 15 days old, 15 for the first (the borderline). */
static void plan_account_stale(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p;
    t->newest_age = nth == 0 ? 15 : sim_rng_range(rng, 16, 90);
}

static void plan_closed_404(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.closed = 404;
}

static void plan_closed_410(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.closed = 410;
}

static void plan_closed_marker(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.closed = 200;
}

/* ---------------------------------------------------------------- detail hooks */

static void detail_newest(const sim_target_t *t, const sim_plan_t *p, json_t *detail)
{
    char d[16];
    gs_ymd_format(sim_plan_date(p, t->newest_age), d, sizeof d);
    json_object_set_new(detail, "newest", json_string(d));
    json_object_set_new(detail, "days", json_integer(t->newest_age));
}

static void detail_chain(const sim_target_t *t, const sim_plan_t *p, json_t *detail)
{
    (void)t, (void)p;
    json_object_set_new(detail, "hops", json_integer(SIM_CHAIN_HOPS));
}

/* ---------------------------------------------------------------- respond hooks */

/* Every path answers 503, as a site whose backend is down behind its proxy. (The refused
 * variant answers the same should a client reach it without connect-to.txt.) */
static bool respond_503(const sim_req_t *rq, enum MHD_Result *res)
{
    *res = sim_reply_error(rq, 503);
    return true;
}

static const char closed_page[] =
    "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
    "<title>账号异常</title>\n</head>\n<body>\n<div class=\"weui-msg\">\n"
    "<div class=\"weui-msg__icon-area\"><i class=\"weui-icon-warn\"></i></div>\n"
    "<h2 class=\"weui-msg__title\">该账号已注销</h2>\n"
    "<p class=\"weui-msg__desc\">该账号已注销，内容无法查看。</p>\n</div>\n</body>\n</html>\n";

/* A closed account: its feed and posts are gone (404/410) or the platform shows its
 * closed-account page with status 200. */
static bool respond_closed(const sim_req_t *rq, enum MHD_Result *res)
{
    unsigned c = rq->target->u.acct.closed;
    if (c == 200)
        *res = sim_reply_static(rq, 200, "text/html; charset=utf-8", closed_page,
                                sizeof closed_page - 1);
    else
        *res = sim_reply_error(rq, c);
    return true;
}

/* ---------------------------------------------------------------- the table */

/* ---------------------------------------------------------------- grouped rows: helpers */

/* snprintf into a fixed field: names are far shorter than the fields, and a cut name is
 * still a name, so truncation is accepted rather than reported. */
__attribute__((format(printf, 3, 4))) static void setf(char *dst, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, n, fmt, ap);
    va_end(ap);
}

/* Index in s->cols of the column with this slug, or -1. */
static int col_index(const sim_site_t *s, const char *slug)
{
    for (unsigned i = 0; i < s->n_cols; i++)
        if (strcmp(sim_coldefs[s->cols[i].def].slug, slug) == 0)
            return (int)i;
    return -1;
}

/* Give the column with this slug a newest item `age` days old (the layout honours it). */
static void force(sim_site_t *s, const char *slug, int age)
{
    int d = sim_coldef_find(slug);
    if (d >= 0 && d < SIM_MAX_COLDEFS)
        s->force_age[d] = (uint16_t)age;
}

/* A stale age past `limit` days: exactly limit + 1 for the first target given the row (the
 * borderline), further past it for the others. */
static int stale_age(int limit, unsigned nth, sim_rng_t *rng)
{
    return nth == 0 ? limit + 1 : limit + 1 + sim_rng_range(rng, 0, limit < 100 ? 40 : 100);
}

static bool is_wechat(const sim_target_t *t)
{
    return t->kind == SIM_ACCOUNT && t->u.acct.platform <= 1;
}

/* ---------------------------------------------------------------- columns */

/* 15/14 days for news, 184/183 for notices and policy, 366/365 for personnel and plans:
 * three stale columns (one of the first rule's news, the nav's 通知公告, 人事信息), each
 * beside a column exactly at its limit; no veto. */
static void plan_stale_border(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p;
    sim_site_t *s = &t->u.site;
    s->extended = true;
    force(s, "yw", stale_age(14, nth, rng));
    force(s, "bmdt", 14);
    force(s, "tzgg", stale_age(183, nth, rng));
    force(s, "zcwj", 183);
    force(s, "rsxx", stale_age(365, nth, rng));
    force(s, "ghjh", 365);
}

/* Four stale for the first rule (three news, the nav's 通知公告) and the second-level
 * 公告公示, which counts in the total only: 5 stale, no veto. */
static void plan_stale_first4(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p;
    sim_site_t *s = &t->u.site;
    s->extended = true;
    force(s, "yw", stale_age(14, nth, rng));
    force(s, "bmdt", stale_age(14, nth, rng));
    force(s, "jcdt", stale_age(14, nth, rng));
    force(s, "tzgg", stale_age(183, nth, rng));
    force(s, "gggs", stale_age(183, nth, rng));
}

/* Five for the first rule, one of them the second-level 工作动态 (news count at any
 * level): veto. */
static void plan_stale_first5(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p;
    sim_site_t *s = &t->u.site;
    s->extended = true;
    force(s, "yw", stale_age(14, nth, rng));
    force(s, "bmdt", stale_age(14, nth, rng));
    force(s, "jcdt", stale_age(14, nth, rng));
    force(s, "gzdt", stale_age(14, nth, rng));
    force(s, "tzgg", stale_age(183, nth, rng));
}

/* Four for the first rule and `others` of the total only (公告公示, 人事, 规划): 9 in all
 * is no veto, 10 is. */
static void stale_total(sim_target_t *t, sim_rng_t *rng, unsigned nth, unsigned others)
{
    static const struct {
        const char *slug;
        int limit;
    } rest[] = {{"gggs", 183}, {"rsxx", 365}, {"rsrm", 365},
                {"zkly", 365}, {"ghjh", 365}, {"fzgh", 365}};
    sim_site_t *s = &t->u.site;
    s->extended = true;
    force(s, "yw", stale_age(14, nth, rng));
    force(s, "bmdt", stale_age(14, nth, rng));
    force(s, "jcdt", stale_age(14, nth, rng));
    force(s, "zcwj", stale_age(183, nth, rng));
    for (unsigned i = 0; i < others && i < sizeof rest / sizeof rest[0]; i++)
        force(s, rest[i].slug, stale_age(rest[i].limit, nth, rng));
}

static void plan_stale_total9(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p;
    stale_total(t, rng, nth, 5);
}

static void plan_stale_total10(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p;
    stale_total(t, rng, nth, 6);
}

/* The second-level columns that need not be updated; the blank ones come from here, so
 * that a blank column is never also a stale one. */
static const char *const blank_slugs[] = {"jgzn", "czzj", "zdxm", "ggzypz", "yjgl", "tjsj"};

static void blank_n(sim_target_t *t, unsigned nth, unsigned n)
{
    sim_site_t *s = &t->u.site;
    s->extended = true;
    for (unsigned i = 0; i < n; i++) {
        int d = sim_coldef_find(blank_slugs[(nth + i) % 6]);
        if (d >= 0)
            s->blank_defs |= 1u << d;
    }
}

static void plan_blank4(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    blank_n(t, nth, 4);
}

static void plan_blank5(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    blank_n(t, nth, 5);
}

/* ---------------------------------------------------------------- interaction, services */

static void plan_no_channel(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.interact = SIM_IA_NO_CHANNEL;
}

static void plan_unanswered(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.interact = SIM_IA_UNANSWERED;
}

static void plan_late(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.interact = SIM_IA_LATE;
}

static void plan_slow(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.interact = SIM_IA_SLOW;
}

/* The newest guide lacks two elements (收费标准, 办理时间) or three (设定依据, 办理材料,
 * 联系电话), alternately. */
static void plan_service(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    t->u.site.svc_missing = nth % 2 == 0 ? (1u << 6 | 1u << 7) : (1u << 1 | 1u << 3 | 1u << 8);
}

static void truth_service(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    const sim_site_t *s = &t->u.site;
    int c = col_index(s, "bsfw");
    if (c < 0 || s->cols[c].n_items == 0)
        return; /* too small a site to have guides: nothing planted */
    json_t *d = sim_truth_add(out, t, "W-SERVICE", false, "missing");
    if (!d)
        return;
    char url[256];
    sim_site_item_url(p, t, (unsigned)c, 0, url, sizeof url);
    json_object_set_new(d, "url", json_string(url));
    json_t *missing = json_array();
    for (unsigned i = 0; i < SIM_GUIDE_ELEMENTS; i++)
        if (s->svc_missing & (1u << i))
            json_array_append_new(missing, json_string(sim_guide_elements[i]));
    json_object_set_new(d, "missing", missing);
}

static void plan_policy(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.policy_drop = true;
}

static void truth_policy(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    const sim_site_t *s = &t->u.site;
    int c = col_index(s, "zcwj");
    if (c < 0 || s->cols[c].n_items == 0)
        return;
    json_t *d = sim_truth_add(out, t, "W-POLICY-INTERP", false, "no-interp");
    if (!d)
        return;
    char url[256];
    sim_site_item_url(p, t, (unsigned)c, 0, url, sizeof url);
    json_object_set_new(d, "url", json_string(url));
    gs_buf_t title;
    gs_buf_init(&title, 1024);
    sim_site_item_title(p, t, (unsigned)c, 0, &title);
    json_object_set_new(d, "title", json_string(gs_buf_str(&title)));
    gs_buf_cleanup(&title);
}

/* ---------------------------------------------------------------- footer, identity */

static void plan_footer_one(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    t->u.site.omit |= 1u << (nth % SIM_FOOTER_ITEMS);
}

static void plan_footer_several(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    for (unsigned i = 0; i < 3; i++)
        t->u.site.omit |= 1u << ((nth + 2 * i) % SIM_FOOTER_ITEMS);
}

/* Another valid-looking code: the same form, the last four digits moved by 5000 (a code
 * copied from another site's template). */
static void plan_footer_code(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    sim_site_t *s = &t->u.site;
    size_t n = strlen(t->id);
    long serial = n >= 4 ? strtol(t->id + n - 4, NULL, 10) : 0;
    snprintf(s->shown_code, sizeof s->shown_code, "%.*s%04ld", (int)(n >= 4 ? n - 4 : 0), t->id,
             (serial + 5000) % 10000);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *sorted_strings(const char **v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_str);
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static void truth_footer(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    const sim_site_t *s = &t->u.site;
    const char *keys[SIM_FOOTER_ITEMS];
    size_t n = 0;
    for (unsigned i = 0; i < SIM_FOOTER_ITEMS; i++)
        if ((s->omit & (1u << i)) || (i == 3 && s->shown_code[0]))
            keys[n++] = sim_footer_keys[i];
    json_t *d =
        sim_truth_add(out, t, "W-FOOTER", false, s->shown_code[0] ? "wrong-sitecode" : "missing");
    if (!d)
        return;
    json_object_set_new(d, "missing", sorted_strings(keys, n));
    if (s->shown_code[0])
        json_object_set_new(d, "shown", json_string(s->shown_code));
}

static void plan_header(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.omit |= SIM_OMIT_HEADER_NAME | SIM_OMIT_META_SITENAME;
}

static void plan_meta_site(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.omit |= SIM_OMIT_META_SITE;
}

static void plan_meta_column(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.omit |= SIM_OMIT_META_COLUMN;
}

static void plan_meta_article(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.omit |= SIM_OMIT_META_ARTICLE;
}

/* W-HEADER and W-META of the identity rows: the tags missing, sorted by name. */
static void truth_identity(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    uint32_t o = t->u.site.omit;
    if (o & SIM_OMIT_HEADER_NAME) {
        json_t *d = sim_truth_add(out, t, "W-HEADER", false, "no-name");
        if (d)
            json_object_set_new(d, "name", json_string(t->name));
    }
    const char *tags[8];
    size_t n = 0;
    if (o & SIM_OMIT_META_SITE) {
        tags[n++] = "SiteName";
        tags[n++] = "SiteDomain";
        tags[n++] = "SiteIDCode";
    } else if (o & SIM_OMIT_META_SITENAME) {
        tags[n++] = "SiteName";
    }
    if (o & SIM_OMIT_META_COLUMN)
        tags[n++] = "ColumnName";
    if (o & SIM_OMIT_META_ARTICLE) {
        tags[n++] = "ArticleTitle";
        tags[n++] = "PubDate";
        tags[n++] = "ContentSource";
    }
    if (n == 0)
        return;
    json_t *d = sim_truth_add(out, t, "W-META", false, "missing");
    if (d)
        json_object_set_new(d, "missing", sorted_strings(tags, n));
}

/* ---------------------------------------------------------------- content */

static void plan_security(sim_target_t *t, sim_security_t v, unsigned styles, unsigned nth)
{
    t->u.site.security = (uint8_t)v;
    t->u.site.sec_style = (uint8_t)(styles ? nth % styles : 0);
}

static void plan_spam_title(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    plan_security(t, SIM_SEC_TITLE, 0, nth);
}

static void plan_spam_text(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    plan_security(t, SIM_SEC_TEXT, 0, nth);
}

static void plan_hidden_link(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    plan_security(t, SIM_SEC_HIDDEN, 5, nth);
}

static void plan_cloaking(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    plan_security(t, SIM_SEC_CLOAK, 0, nth);
}

static void plan_script(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    plan_security(t, SIM_SEC_SCRIPT, 2, nth);
}

/* The ways of hiding a link (sim_site.c renders them in this order). */
static const char *const hidden_styles[] = {"display:none", "off-screen", "visibility:hidden",
                                            "font-size:0", "marquee"};

static void truth_security(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    const sim_site_t *s = &t->u.site;
    static const char *const causes[] = {NULL,          "spam-title", "spam-text",
                                         "hidden-link", "cloaking",   "script-redirect"};
    if (s->security == SIM_SEC_NONE || s->security > SIM_SEC_SCRIPT)
        return;
    json_t *d = sim_truth_add(out, t, "W-SECURITY", true, causes[s->security]);
    if (!d)
        return;
    switch ((sim_security_t)s->security) {
    case SIM_SEC_TITLE:
        json_object_set_new(d, "term", json_string(sim_spams[0].term));
        break;
    case SIM_SEC_TEXT:
        json_object_set_new(d, "term", json_string(sim_spams[1].term));
        break;
    case SIM_SEC_CLOAK:
        json_object_set_new(d, "term", json_string(sim_spams[2].term));
        break;
    case SIM_SEC_HIDDEN:
        json_object_set_new(d, "host", json_string(sim_spam_hosts[0]));
        json_object_set_new(d, "style", json_string(hidden_styles[s->sec_style % 5]));
        break;
    case SIM_SEC_SCRIPT:
        json_object_set_new(d, "host", json_string(sim_spam_hosts[1]));
        json_object_set_new(
            d, "style", json_string(s->sec_style == 0 ? "referrer-redirect" : "document-write"));
        break;
    default:
        break;
    }
}

static void plan_wording1(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    t->u.site.wording = 1;
    t->u.site.wording_first = (uint8_t)(nth % sim_n_wrongs);
}

static void plan_wording2(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    t->u.site.wording = 2;
    t->u.site.wording_first = (uint8_t)((nth + 2) % sim_n_wrongs);
}

static void truth_wording(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    const sim_site_t *s = &t->u.site;
    for (unsigned i = 0; i < s->wording; i++) {
        const sim_wrong_t *w = &sim_wrongs[(s->wording_first + i) % sim_n_wrongs];
        json_t *d = sim_truth_add(out, t, "W-WORDING", true, NULL);
        if (!d)
            return;
        json_object_set_new(d, "wrong", json_string(w->wrong));
        json_object_set_new(d, "right", json_string(w->right));
    }
}

static void plan_links_home(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.links = SIM_LINKS_HOME;
}

static void plan_links_inner(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.links = SIM_LINKS_INNER;
}

static void link_line(const sim_target_t *t, sim_truth_t *out, const char *cause, const char *url,
                      bool on_home)
{
    json_t *d = sim_truth_add(out, t, "W-LINK-BROKEN", false, cause);
    if (!d)
        return;
    json_object_set_new(d, "url", json_string(url));
    json_object_set_new(d, "on_home", json_boolean(on_home));
}

static void truth_links(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    char url[512];
    if (t->u.site.links == SIM_LINKS_HOME) {
        snprintf(url, sizeof url, "http://%s/col/zt2019/index.html", t->host);
        link_line(t, out, "http-404", url, true);
        snprintf(url, sizeof url, "http://%s/", SIM_DEAD_HOST);
        link_line(t, out, "refused", url, true);
    } else if (t->u.site.links == SIM_LINKS_INNER && t->u.site.cols[0].n_items > 0) {
        /* On the newest article of the main column (sim_site.c). */
        unsigned num = t->u.site.cols[0].num;
        snprintf(url, sizeof url, "http://%s/uploadfiles/%u/fujian1.doc", t->host, num);
        link_line(t, out, "http-500", url, false);
        snprintf(url, sizeof url, "http://%s/art/2019/1/1/art_%u_1.html", t->host, num);
        link_line(t, out, "http-404", url, false);
    }
    (void)p;
}

static void plan_dup3(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.dup_cols = 3;
}

static void plan_dup2(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.dup_cols = 2;
}

static void plan_privacy_id(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.privacy = SIM_PRIV_ID;
}

static void plan_privacy_mobile(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.privacy = SIM_PRIV_MOBILE;
}

static void truth_privacy(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    const sim_site_t *s = &t->u.site;
    if (s->privacy_col >= s->n_cols || s->cols[s->privacy_col].n_items == 0)
        return;
    bool id = s->privacy == SIM_PRIV_ID;
    json_t *d = sim_truth_add(out, t, "W-PRIVACY", false, NULL);
    if (!d)
        return;
    char url[256];
    sim_site_item_url(p, t, s->privacy_col, 0, url, sizeof url);
    json_object_set_new(d, "kind", json_string(id ? "id-number" : "mobile"));
    json_object_set_new(d, "count", json_integer(id ? SIM_PRIV_SITE_IDS : SIM_PRIV_SITE_MOBILES));
    json_object_set_new(d, "url", json_string(url));
}

/* ---------------------------------------------------------------- transport */

static void plan_domain(sim_target_t *t, const char *suffix)
{
    /* www.sim-cs0003.gov.cn -> www.sim-cs0003.com.cn: the same name under another zone. */
    char *gov = strstr(t->host, ".gov.cn");
    if (!gov)
        return;
    *gov = 0;
    char base[64];
    snprintf(base, sizeof base, "%s", t->host);
    setf(t->host, sizeof t->host, "%s.%s", base, suffix);
    setf(t->url, sizeof t->url, "http://%s/", t->host);
}

static void plan_domain_com(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    plan_domain(t, "com.cn");
}

static void plan_domain_org(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    plan_domain(t, "org.cn");
}

static void truth_domain(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    json_t *d =
        sim_truth_add(out, t, "W-DOMAIN", false, strstr(t->host, ".com.cn") ? "com.cn" : "org.cn");
    if (d)
        json_object_set_new(d, "host", json_string(t->host));
}

static void plan_ipv6(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.site.no_ipv6 = true;
}

static void truth_ipv6(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    /* Without a ::1 listener every site is IPv4-only: nothing to tell this one apart. */
    if (p->opts.ipv6)
        sim_truth_add(out, t, "W-IPV6", false, "v4-only");
}

static void plan_tls(sim_target_t *t, sim_tlsvar_t v)
{
    t->u.site.tls = (uint8_t)v;
}

static void plan_tls_none(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    plan_tls(t, SIM_TLS_NONE);
}

static void plan_tls_expired(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    plan_tls(t, SIM_TLS_EXPIRED);
}

static void plan_tls_expiring(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    plan_tls(t, SIM_TLS_EXPIRING);
}

static void plan_tls_untrusted(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    plan_tls(t, SIM_TLS_UNTRUSTED);
}

static void plan_tls_wrong_host(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    plan_tls(t, SIM_TLS_WRONG_HOST);
}

static void truth_tls(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    static const char *const causes[SIM_TLS_COUNT] = {NULL,       "none",      "expired",
                                                      "expiring", "untrusted", "wrong-host"};
    unsigned v = t->u.site.tls;
    /* With --no-tls no site answers HTTPS: nothing to tell this one apart. */
    if (!p->opts.tls || v == SIM_TLS_OK || v >= SIM_TLS_COUNT)
        return;
    json_t *d = sim_truth_add(out, t, "W-HTTPS", false, causes[v]);
    if (d && v == SIM_TLS_WRONG_HOST)
        json_object_set_new(d, "cert_host", json_string(SIM_TLS_WRONG_NAME));
}

/* ---------------------------------------------------------------- accounts */

static void plan_m_spam_title(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.security = 1;
}

static void plan_m_spam_text(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.security = 2;
}

static void truth_m_security(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    bool title = t->u.acct.security == 1;
    json_t *d = sim_truth_add(out, t, "M-SECURITY", true, title ? "spam-title" : "spam-text");
    if (d)
        json_object_set_new(d, "term", json_string(sim_spams[title ? 3 : 4].term));
}

static void plan_m_wording(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng;
    t->u.acct.wording = (uint8_t)(1 + (nth + 1) % sim_n_wrongs);
}

static void truth_m_wording(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    const sim_wrong_t *w = &sim_wrongs[(t->u.acct.wording - 1u) % sim_n_wrongs];
    json_t *d = sim_truth_add(out, t, "M-WORDING", true, NULL);
    if (!d)
        return;
    json_object_set_new(d, "wrong", json_string(w->wrong));
    json_object_set_new(d, "right", json_string(w->right));
}

static void plan_m_privacy_id(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.privacy = SIM_PRIV_ID;
}

static void plan_m_privacy_mobile(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng,
                                  unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.privacy = SIM_PRIV_MOBILE;
}

static void truth_m_privacy(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    bool id = t->u.acct.privacy == SIM_PRIV_ID;
    json_t *d = sim_truth_add(out, t, "M-PRIVACY", false, NULL);
    if (!d)
        return;
    json_object_set_new(d, "kind", json_string(id ? "id-number" : "mobile"));
    json_object_set_new(d, "count", json_integer(id ? SIM_PRIV_POST_IDS : SIM_PRIV_POST_MOBILES));
}

static bool eligible_wechat(const sim_target_t *t, const sim_plan_t *p)
{
    (void)p;
    return is_wechat(t);
}

static void plan_m_menu_interact(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.menu = SIM_MENU_NO_INTERACT;
}

static void plan_m_menu_broken(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.menu = SIM_MENU_BROKEN;
}

static void truth_m_menu(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    if (t->u.acct.menu == SIM_MENU_NO_INTERACT) {
        sim_truth_add(out, t, "M-INTERACT", true, "no-interact-menu");
        return;
    }
    sim_menu_entry_t m[SIM_MENU_MAX];
    size_t n = sim_feed_menu(t, m, SIM_MENU_MAX);
    for (size_t i = 0; i < n; i++) {
        if (!m[i].broken)
            continue;
        json_t *d = sim_truth_add(out, t, "M-MENU-LINK", false, m[i].broken);
        if (!d)
            return;
        json_object_set_new(d, "url", json_string(m[i].url));
        json_object_set_new(d, "name", json_string(m[i].name));
    }
}

/* What the registry calls the account's type: 订阅号 or 服务号 (WeChat only). */
static const char *wechat_type(const sim_target_t *t, bool other)
{
    bool svc = t->u.acct.platform == 1;
    return svc != other ? "服务号" : "订阅号";
}

static void plan_m_filing_type(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.filing = SIM_FILING_TYPE;
    snprintf(t->u.acct.shown, sizeof t->u.acct.shown, "%s", wechat_type(t, true));
}

/* A name the account was renamed to without telling the registry. */
static void plan_m_filing_name(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    size_t n = strlen(t->name);
    bool fabu = n >= 6 && strcmp(t->name + n - 6, "发布") == 0;
    t->u.acct.filing = SIM_FILING_NAME;
    setf(t->u.acct.shown, sizeof t->u.acct.shown, "%s%s", t->name, fabu ? "在线" : "发布");
}

/* Certified to a subordinate unit rather than the registered owner. */
static void plan_m_filing_owner(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)p, (void)rng, (void)nth;
    t->u.acct.filing = SIM_FILING_OWNER;
    setf(t->u.acct.shown, sizeof t->u.acct.shown, "%s信息中心", t->owner);
}

static void truth_m_filing(const sim_target_t *t, const sim_plan_t *p, sim_truth_t *out)
{
    (void)p;
    static const char *const causes[] = {NULL, "type", "name", "owner"};
    const sim_account_t *a = &t->u.acct;
    if (a->filing == SIM_FILING_OK || a->filing > SIM_FILING_OWNER)
        return;
    json_t *d = sim_truth_add(out, t, "M-FILING", false, causes[a->filing]);
    if (!d)
        return;
    const char *reg = a->filing == SIM_FILING_TYPE   ? wechat_type(t, false)
                      : a->filing == SIM_FILING_NAME ? t->name
                                                     : t->owner;
    json_object_set_new(d, "registry", json_string(reg));
    json_object_set_new(d, "shown", json_string(a->shown));
}

/* Another account of t's region (the first in registry order that is not t), or NULL. */
static const sim_target_t *other_of_region(const sim_target_t *t, const sim_plan_t *p)
{
    for (const sim_target_t *o = p->targets + p->n_sites; o < p->targets + p->n_targets; o++)
        if (o != t && o->kind == SIM_ACCOUNT && o->region == t->region)
            return o;
    return NULL;
}

static bool eligible_dup(const sim_target_t *t, const sim_plan_t *p)
{
    return other_of_region(t, p) != NULL;
}

/* A second account of another account's owner (of the same region), on the same
 * platform: the registry lists them both. The truth goes to the later of the two in
 * registry order, as checks.md counts duplicates (sim_truth.c), whichever was changed. */
static void plan_m_dup(sim_target_t *t, const sim_plan_t *p, sim_rng_t *rng, unsigned nth)
{
    (void)rng, (void)nth;
    const sim_target_t *y = other_of_region(t, p);
    if (!y)
        return;
    unsigned dept = (unsigned)strtoul(y->id + 7, NULL, 10); /* 430000M022XL0001: 022 */
    size_t n = strlen(t->id);
    unsigned q = n >= 4 ? (unsigned)strtoul(t->id + n - 4, NULL, 10) : 1;
    size_t yn = strlen(y->name);
    bool fabu = yn >= 6 && strcmp(y->name + yn - 6, "发布") == 0;
    sim_text_account_identity_as(&sim_regions[t->region], q ? q - 1 : 0, dept ? dept - 1 : 0,
                                 y->u.acct.platform, fabu ? "服务" : "发布", t);
    static const char *const exts[] = {"xml", "atom", "json"};
    snprintf(t->url, sizeof t->url, "http://%s/%s/%s.%s", SIM_FEEDS_HOST,
             sim_platforms[t->u.acct.platform].slug, t->id, exts[t->u.acct.format % 3]);
}

/* ---------------------------------------------------------------- the table */

/* Shorthands for the grouped rows (designated initializers keep each row readable). */
#define SITE_ROW(c, v, g, w)                                                                       \
    .code = (c), .cause = (v), .kind = SIM_SITE, .group = (g), .weight = (w)
#define ACCT_ROW(c, v, g, w)                                                                       \
    .code = (c), .cause = (v), .kind = SIM_ACCOUNT, .group = (g), .weight = (w)

const sim_defect_t sim_defects[] = {
    /* Websites. */
    {.code = "W-HOME-STALE",
     .kind = SIM_SITE,
     .veto = true,
     .weight = 2,
     .plan = plan_site_stale,
     .detail = detail_newest},
    {.code = "W-UNREACHABLE",
     .cause = "refused",
     .kind = SIM_SITE,
     .veto = true,
     .weight = 1,
     .refuse = true,
     .respond = respond_503},
    {.code = "W-UNREACHABLE",
     .cause = "http-503",
     .kind = SIM_SITE,
     .veto = true,
     .weight = 1,
     .respond = respond_503},
    /* New-media accounts. A closed account's feed is gone, so it is never also M-STALE. */
    {.code = "M-STALE",
     .kind = SIM_ACCOUNT,
     .veto = true,
     .weight = 3,
     .plan = plan_account_stale,
     .detail = detail_newest},
    {.code = "M-CLOSED",
     .cause = "http-404",
     .kind = SIM_ACCOUNT,
     .veto = false,
     .weight = 1,
     .plan = plan_closed_404,
     .respond = respond_closed},
    {.code = "M-CLOSED",
     .cause = "http-410",
     .kind = SIM_ACCOUNT,
     .veto = false,
     .weight = 1,
     .plan = plan_closed_410,
     .respond = respond_closed},
    {.code = "M-CLOSED",
     .cause = "marker",
     .kind = SIM_ACCOUNT,
     .veto = false,
     .weight = 1,
     .plan = plan_closed_marker,
     .respond = respond_closed},
    /* The --faults sites (see the top of the file for the choice of truth). */
    {.code = "W-UNREACHABLE",
     .cause = "redirect-loop",
     .kind = SIM_SITE,
     .veto = true,
     .fault = SIM_FAULT_LOOP,
     .respond = sim_fault_respond},
    {.code = "W-UNREACHABLE",
     .cause = "redirect-chain",
     .kind = SIM_SITE,
     .veto = true,
     .fault = SIM_FAULT_CHAIN,
     .detail = detail_chain,
     .respond = sim_fault_respond},
    {.code = NULL,
     .cause = "huge-body",
     .kind = SIM_SITE,
     .fault = SIM_FAULT_HUGE,
     .respond = sim_fault_respond},
    {.code = NULL,
     .cause = "huge-body-chunked",
     .kind = SIM_SITE,
     .fault = SIM_FAULT_HUGE_CHUNKED,
     .respond = sim_fault_respond},
    {.code = NULL,
     .cause = "gzip-bomb",
     .kind = SIM_SITE,
     .fault = SIM_FAULT_BOMB,
     .respond = sim_fault_respond},
    {.code = "W-UNREACHABLE",
     .cause = "slow",
     .kind = SIM_SITE,
     .veto = true,
     .fault = SIM_FAULT_SLOW,
     .respond = sim_fault_respond},
    {.code = NULL,
     .cause = "malformed-html",
     .kind = SIM_SITE,
     .fault = SIM_FAULT_MALFORMED,
     .respond = sim_fault_respond},
    {.code = "W-UNREACHABLE",
     .cause = "reset",
     .kind = SIM_SITE,
     .veto = true,
     .fault = SIM_FAULT_RESET,
     .respond = sim_fault_respond},
    {.code = "W-UNREACHABLE",
     .cause = "timeout",
     .kind = SIM_SITE,
     .veto = true,
     .fault = SIM_FAULT_TIMEOUT,
     .respond = sim_fault_respond},
    {.code = "W-UNREACHABLE",
     .cause = "http-502",
     .kind = SIM_SITE,
     .veto = true,
     .fault = SIM_FAULT_BAD_GATEWAY,
     .respond = sim_fault_respond},
    {.code = "W-UNREACHABLE",
     .cause = "refused",
     .kind = SIM_SITE,
     .veto = true,
     .fault = SIM_FAULT_REFUSED,
     .refuse = true,
     .respond = respond_503},
    {.code = NULL,
     .cause = "flap",
     .kind = SIM_SITE,
     .fault = SIM_FAULT_FLAP,
     .respond = sim_fault_respond},

    /* Grouped website rows (second pass). */
    {SITE_ROW("W-COLUMN-STALE", "borderline", SIM_G_STALE, 2), .plan = plan_stale_border},
    {SITE_ROW("W-COLUMN-STALE", "first-4", SIM_G_STALE, 1), .plan = plan_stale_first4},
    {SITE_ROW("W-COLUMN-STALE", "first-5", SIM_G_STALE, 1), .veto = true,
     .plan = plan_stale_first5},
    {SITE_ROW("W-COLUMN-STALE", "total-9", SIM_G_STALE, 1), .plan = plan_stale_total9},
    {SITE_ROW("W-COLUMN-STALE", "total-10", SIM_G_STALE, 1), .veto = true,
     .plan = plan_stale_total10},
    {SITE_ROW("W-COLUMN-BLANK", "blank-4", SIM_G_BLANK, 1), .plan = plan_blank4},
    {SITE_ROW("W-COLUMN-BLANK", "blank-5", SIM_G_BLANK, 1), .veto = true, .plan = plan_blank5},
    {SITE_ROW("W-INTERACT", "no-channel", SIM_G_INTERACT, 1), .veto = true,
     .plan = plan_no_channel},
    {SITE_ROW("W-INTERACT", "unanswered-90", SIM_G_INTERACT, 1), .veto = true,
     .plan = plan_unanswered},
    {SITE_ROW("W-INTERACT", "late-90", SIM_G_INTERACT, 1), .veto = true, .plan = plan_late},
    {SITE_ROW("W-INTERACT-SLOW", "slow", SIM_G_INTERACT, 2), .plan = plan_slow},
    {SITE_ROW("W-SERVICE", "missing", SIM_G_SERVICE, 1), .plan = plan_service,
     .truth = truth_service},
    {SITE_ROW("W-POLICY-INTERP", "no-interp", SIM_G_POLICY, 1), .plan = plan_policy,
     .truth = truth_policy},
    {SITE_ROW("W-FOOTER", "missing", SIM_G_FOOTER, 2), .plan = plan_footer_one,
     .truth = truth_footer},
    {SITE_ROW("W-FOOTER", "missing-several", SIM_G_FOOTER, 1), .plan = plan_footer_several,
     .truth = truth_footer},
    {SITE_ROW("W-FOOTER", "wrong-sitecode", SIM_G_FOOTER, 1), .plan = plan_footer_code,
     .truth = truth_footer},
    {SITE_ROW("W-HEADER", "no-name", SIM_G_IDENTITY, 1), .plan = plan_header,
     .truth = truth_identity},
    {SITE_ROW("W-META", "site", SIM_G_IDENTITY, 1), .plan = plan_meta_site,
     .truth = truth_identity},
    {SITE_ROW("W-META", "column", SIM_G_IDENTITY, 1), .plan = plan_meta_column,
     .truth = truth_identity},
    {SITE_ROW("W-META", "article", SIM_G_IDENTITY, 1), .plan = plan_meta_article,
     .truth = truth_identity},
    {SITE_ROW("W-SECURITY", "spam-title", SIM_G_SECURITY, 1), .veto = true, .plan = plan_spam_title,
     .truth = truth_security},
    {SITE_ROW("W-SECURITY", "spam-text", SIM_G_SECURITY, 1), .veto = true, .plan = plan_spam_text,
     .truth = truth_security},
    {SITE_ROW("W-SECURITY", "hidden-link", SIM_G_SECURITY, 2), .veto = true,
     .plan = plan_hidden_link, .truth = truth_security},
    {SITE_ROW("W-SECURITY", "cloaking", SIM_G_SECURITY, 1), .veto = true, .plan = plan_cloaking,
     .truth = truth_security},
    {SITE_ROW("W-SECURITY", "script-redirect", SIM_G_SECURITY, 1), .veto = true,
     .plan = plan_script, .truth = truth_security},
    {SITE_ROW("W-WORDING", "one", SIM_G_WORDING, 2), .veto = true, .plan = plan_wording1,
     .truth = truth_wording},
    {SITE_ROW("W-WORDING", "two", SIM_G_WORDING, 1), .veto = true, .plan = plan_wording2,
     .truth = truth_wording},
    {SITE_ROW("W-LINK-BROKEN", "home", SIM_G_LINKS, 1), .plan = plan_links_home,
     .truth = truth_links},
    {SITE_ROW("W-LINK-BROKEN", "inner", SIM_G_LINKS, 1), .plan = plan_links_inner,
     .truth = truth_links},
    {SITE_ROW("W-DUP-POST", "3-columns", SIM_G_DUP, 1), .plan = plan_dup3},
    {SITE_ROW(NULL, "2-columns", SIM_G_DUP, 1), .plan = plan_dup2},
    {SITE_ROW("W-PRIVACY", "id-number", SIM_G_PRIVACY, 1), .plan = plan_privacy_id,
     .truth = truth_privacy},
    {SITE_ROW("W-PRIVACY", "mobile", SIM_G_PRIVACY, 1), .plan = plan_privacy_mobile,
     .truth = truth_privacy},
    {SITE_ROW("W-DOMAIN", "com.cn", SIM_G_DOMAIN, 1), .plan = plan_domain_com,
     .truth = truth_domain},
    {SITE_ROW("W-DOMAIN", "org.cn", SIM_G_DOMAIN, 1), .plan = plan_domain_org,
     .truth = truth_domain},
    {SITE_ROW("W-IPV6", "v4-only", SIM_G_IPV6, 1), .plan = plan_ipv6, .truth = truth_ipv6},
    {SITE_ROW("W-HTTPS", "none", SIM_G_HTTPS, 1), .plan = plan_tls_none, .truth = truth_tls},
    {SITE_ROW("W-HTTPS", "expired", SIM_G_HTTPS, 1), .plan = plan_tls_expired, .truth = truth_tls},
    {SITE_ROW("W-HTTPS", "expiring", SIM_G_HTTPS, 1), .plan = plan_tls_expiring,
     .truth = truth_tls},
    {SITE_ROW("W-HTTPS", "untrusted", SIM_G_HTTPS, 1), .plan = plan_tls_untrusted,
     .truth = truth_tls},
    {SITE_ROW("W-HTTPS", "wrong-host", SIM_G_HTTPS, 1), .plan = plan_tls_wrong_host,
     .truth = truth_tls},

    /* Grouped new-media rows (second pass). */
    {ACCT_ROW("M-SECURITY", "spam-title", SIM_G_M_SECURITY, 1), .veto = true,
     .plan = plan_m_spam_title, .truth = truth_m_security},
    {ACCT_ROW("M-SECURITY", "spam-text", SIM_G_M_SECURITY, 1), .veto = true,
     .plan = plan_m_spam_text, .truth = truth_m_security},
    {ACCT_ROW("M-WORDING", "wrong-form", SIM_G_M_WORDING, 1), .veto = true, .plan = plan_m_wording,
     .truth = truth_m_wording},
    {ACCT_ROW("M-PRIVACY", "id-number", SIM_G_M_PRIVACY, 1), .plan = plan_m_privacy_id,
     .truth = truth_m_privacy},
    {ACCT_ROW("M-PRIVACY", "mobile", SIM_G_M_PRIVACY, 1), .plan = plan_m_privacy_mobile,
     .truth = truth_m_privacy},
    {ACCT_ROW("M-INTERACT", "no-interact-menu", SIM_G_M_MENU, 1), .veto = true,
     .plan = plan_m_menu_interact, .eligible = eligible_wechat, .truth = truth_m_menu},
    {ACCT_ROW("M-MENU-LINK", "broken", SIM_G_M_MENU, 1), .plan = plan_m_menu_broken,
     .eligible = eligible_wechat, .truth = truth_m_menu},
    {ACCT_ROW("M-FILING", "type", SIM_G_M_FILING, 1), .plan = plan_m_filing_type,
     .eligible = eligible_wechat, .truth = truth_m_filing},
    {ACCT_ROW("M-FILING", "name", SIM_G_M_FILING, 1), .plan = plan_m_filing_name,
     .truth = truth_m_filing},
    {ACCT_ROW("M-FILING", "owner", SIM_G_M_FILING, 1), .plan = plan_m_filing_owner,
     .truth = truth_m_filing},
    {ACCT_ROW("M-DUPLICATE", "same-owner-platform", SIM_G_M_DUP, 1), .plan = plan_m_dup,
     .eligible = eligible_dup},
};
const size_t sim_n_defects = sizeof sim_defects / sizeof sim_defects[0];

bool sim_defect_respond(const sim_req_t *rq, enum MHD_Result *res)
{
    const sim_target_t *t = rq->target;
    for (unsigned i = 0; t && i < t->n_defects; i++) {
        const sim_defect_t *d = &sim_defects[t->defects[i]];
        if (d->respond && d->respond(rq, res))
            return true;
    }
    return false;
}

void sim_defect_render(const sim_target_t *t, const sim_plan_t *p, sim_pagekind_t page,
                       sim_slot_t slot, gs_buf_t *out)
{
    for (unsigned i = 0; t && i < t->n_defects; i++) {
        const sim_defect_t *d = &sim_defects[t->defects[i]];
        if (d->render)
            d->render(t, p, page, slot, out);
    }
}

json_t *sim_defect_truth(const sim_target_t *t, const sim_plan_t *p, unsigned row)
{
    const sim_defect_t *d = &sim_defects[row];
    if (!d->code)
        return NULL;
    json_t *o = json_object();
    json_t *detail = json_object();
    if (!o || !detail) {
        json_decref(o);
        json_decref(detail);
        return NULL;
    }
    json_object_set_new(o, "target", json_string(t->id));
    json_object_set_new(o, "code", json_string(d->code));
    json_object_set_new(o, "veto", json_boolean(d->veto));
    if (d->cause)
        json_object_set_new(detail, "cause", json_string(d->cause));
    if (d->detail)
        d->detail(t, p, detail);
    json_object_set_new(o, "detail", detail);
    return o;
}
