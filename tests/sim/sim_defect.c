/* sim_defect.c -- the table of defects the simulated province can plant, and the truth
 * record of each.
 *
 * One row per defect variant. The plan chooses rows for targets (sim_plan.c: about
 * --defect-rate of the targets, every row with a weight at least once in a province of 6
 * or more); the row's hooks then shape the target and its pages:
 *   plan     runs before the target's items are dated: set newest_age, omit bits, ...
 *   detail   fills the truth record's detail (cause is already there when the row has one)
 *   respond  takes over whole responses (503, closed account, fault behaviours)
 *   render   adds bytes at a named slot of every page (hidden links, wrong words, ...)
 * Adding a defect of checks.md is adding a row and whatever hook it needs; rows with a
 * NULL code plant a behaviour that a sensible checker reports with no finding of its own.
 *
 * Choices for the --faults sites (what a sensible checker reports, see checks.md):
 *   redirect-loop, redirect-chain (50 hops, beyond the 20 a browser follows) and slow (a
 *   byte a second, so the home page never arrives within the 15 s deadline) are
 *   W-UNREACHABLE: the home page cannot be opened.
 *   huge-body (100 MB, with and without Content-Length), gzip-bomb (1 GiB once inflated)
 *   and malformed-html are reachable: each starts with a complete, fresh home page, so a
 *   checker that keeps what fits under its ceilings (and parses leniently) finds the
 *   site up to date. They are in no truth line and not in clean.txt: a checker may add
 *   non-veto findings of its own about them, but no veto. */
#include "sim.h"

#include <stdio.h>
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
