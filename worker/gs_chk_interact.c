/* gs_chk_interact.c -- W-INTERACT (互动回应差: no working consultation channel, or a
 * message of the past year unanswered or answered after more than 90 days) and
 * W-INTERACT-SLOW (留言答复不及时: more than 5 working days), with the messages the crawl
 * read from the site's message boards. Working days come from the holiday calendar when it
 * is loaded, Monday to Friday otherwise. */
#include "gs_calendar.h"
#include "gs_site.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Working days strictly after `from`, up to and including `to` (0 when to <= from), by the
 * holiday calendar when loaded (Monday to Friday otherwise): a message asked on a Friday
 * and answered the next Friday took 5 working days. *assumed says the calendar did not
 * cover a year involved. */
static int workdays_between(const gs_site_t *s, int32_t from, int32_t to, bool *assumed)
{
    if (to <= from)
        return 0;
    if (s->env->calendar) {
        int a = 0;
        int n = gs_calendar_workdays_between(s->env->calendar, gs_civil_from_days(from),
                                             gs_civil_from_days(to), &a);
        if (a)
            *assumed = true;
        if (n >= 0)
            return n;
    }
    int n = 0;
    for (int32_t d = from + 1; d <= to && n < 100000; d++) {
        /* 1970-01-01 was a Thursday: weekday (Monday = 1) of day d */
        int wd = (int)(((d % 7) + 7 + 3) % 7) + 1;
        n += wd <= 5;
    }
    return n;
}

static void ymd(int32_t day, char *out, size_t outlen)
{
    gs_ymd_format(gs_civil_from_days(day), out, outlen);
}

/* One finding of W-INTERACT for messages past 90 days of one kind. */
static int late(gs_site_t *s, gs_findings_t *out, bool unanswered_kind)
{
    const gs_config_t *cfg = s->cfg;
    json_t *ex = json_array();
    int n = 0;
    const gs_sitemsg_t *first = NULL;
    for (size_t i = 0; i < s->nmsgs; i++) {
        const gs_sitemsg_t *m = &s->msgs[i];
        if (m->asked > s->ref_day || s->ref_day - m->asked > (int)cfg->interact_window_days)
            continue;
        bool open = m->unanswered || m->replied == GS_NO_DAY;
        if (open != unanswered_kind)
            continue;
        int days = (open ? s->ref_day : m->replied) - m->asked;
        if (days <= (int)cfg->interact_reply_days)
            continue;
        if (!first)
            first = m;
        if (n < 10) {
            char a[16], r[16] = "";
            ymd(m->asked, a, sizeof(a));
            if (!open)
                ymd(m->replied, r, sizeof(r));
            gs_chk_append(&ex, json_pack("{s:s, s:s, s:s, s:i, s:s}", "title", m->title, "asked", a,
                                         "replied", r, "days", days, "url", m->url));
        }
        n++;
    }
    if (!n) {
        json_decref(ex);
        return 0;
    }
    char ev[600], a[16];
    ymd(first->asked, a, sizeof(a));
    if (unanswered_kind)
        snprintf(ev, sizeof(ev), "有 %d 条留言超过 %u 天未答复（如 %s 的留言“%s”）", n,
                 cfg->interact_reply_days, a, first->title);
    else
        snprintf(ev, sizeof(ev), "有 %d 条留言超过 %u 天才答复（如 %s 的留言“%s”）", n,
                 cfg->interact_reply_days, a, first->title);
    return gs_chk_add(out, "W-INTERACT", true, first->url, ev,
                      json_pack("{s:s, s:i, s:i, s:o}", "cause",
                                unanswered_kind ? "unanswered-90" : "late-90", "count", n,
                                "threshold_days", (int)cfg->interact_reply_days, "examples", ex));
}

/* Messages by the day asked, then title and page: examples and the first one named in
 * the evidence do not depend on the order the pages arrived in. */
static int msg_cmp(const void *a, const void *b)
{
    const gs_sitemsg_t *x = a, *y = b;
    if (x->asked != y->asked)
        return x->asked < y->asked ? -1 : 1;
    int c = strcmp(x->title, y->title);
    return c ? c : strcmp(x->url, y->url);
}

int gs_chk_interact(gs_site_t *s, gs_findings_t *out)
{
    if (s->nmsgs > 1)
        qsort(s->msgs, s->nmsgs, sizeof(s->msgs[0]), msg_cmp);
    const gs_config_t *cfg = s->cfg;
    int rc = 0;
    if (!s->channel) {
        rc = gs_chk_add(out, "W-INTERACT", true, s->home_final ? s->home_final : s->home_url,
                        "未发现可用的咨询、留言或信箱渠道",
                        json_pack("{s:s}", "cause", "no-channel"));
        if (rc < 0)
            return rc;
    }
    if ((rc = late(s, out, true)) < 0 || (rc = late(s, out, false)) < 0)
        return rc;
    /* W-INTERACT-SLOW: more than interact_slow_workdays working days */
    int slow = 0, within1 = 0, judged = 0;
    bool assumed = false;
    const gs_sitemsg_t *first = NULL;
    json_t *ex = json_array();
    for (size_t i = 0; i < s->nmsgs; i++) {
        const gs_sitemsg_t *m = &s->msgs[i];
        if (m->asked > s->ref_day || s->ref_day - m->asked > (int)cfg->interact_window_days)
            continue;
        judged++;
        bool open = m->unanswered || m->replied == GS_NO_DAY;
        int wd = workdays_between(s, m->asked, open ? s->ref_day : m->replied, &assumed);
        if (!open && wd <= 1)
            within1++;
        if (wd <= (int)cfg->interact_slow_workdays)
            continue;
        if (!first)
            first = m;
        if (slow < 10) {
            char a[16], r[16] = "";
            ymd(m->asked, a, sizeof(a));
            if (!open)
                ymd(m->replied, r, sizeof(r));
            gs_chk_append(&ex, json_pack("{s:s, s:s, s:s, s:i, s:s}", "title", m->title, "asked", a,
                                         "replied", r, "workdays", wd, "url", m->url));
        }
        slow++;
    }
    if (!slow) {
        json_decref(ex);
        return 0;
    }
    char ev[600], a[16];
    ymd(first->asked, a, sizeof(a));
    snprintf(ev, sizeof(ev),
             "有 %d 条留言超过 %u 个工作日未答复或答复（共 %d 条，1 个工作日内答复 %d 条；如 %s "
             "的留言“%s”）",
             slow, cfg->interact_slow_workdays, judged, within1, a, first->title);
    return gs_chk_add(out, "W-INTERACT-SLOW", false, first->url, ev,
                      json_pack("{s:i, s:i, s:i, s:i, s:b, s:b, s:o}", "count", slow, "messages",
                                judged, "within_1_workday", within1, "threshold_workdays",
                                (int)cfg->interact_slow_workdays, "holiday_calendar",
                                s->env->calendar != NULL, "calendar_assumed", assumed, "examples",
                                ex));
}
