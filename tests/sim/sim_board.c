/* sim_board.c -- the message board of a simulated site (互动交流 > 留言选登): the plan of its
 * messages (when each was asked and answered) and its pages, a list and a page per message.
 *
 * Every site that has a consultation channel has the board at /hdjl/lyxd/index.html, linked
 * from the home page as 领导信箱 / 咨询投诉 / 留言选登 and from the 互动交流 column. The list is
 * a <table class="msg-list"> with the header row 序号 / 留言标题 / 留言时间 / 答复时间 / 状态
 * (已答复 / 办理中 / 未答复; 答复时间 empty when unanswered); each message page shows
 * 留言时间：YYYY-MM-DD HH:MM, then 答复单位：… and 答复时间：… when answered.
 *
 * A clean board answers within 0-2 working days. The W-INTERACT rows plant the cases on
 * either side of each threshold: unanswered 91 and 90 calendar days, answered after 91 and
 * after exactly 90 days (the times of day put both on the same side for a checker counting
 * hours), answered after 6 and 5 working days, unanswered for 6 and 5 working days, and --
 * when data/holidays.tsv is there -- a reply across a long holiday that is fast in working
 * days though slow in weekdays, and a reply across a 调休 working weekend day that is slow
 * though a Monday-Friday count says it is not. Without the calendar only cases no holiday
 * can move across a threshold are planted (15 working days, 2 working days). */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600
#define PAGE_MAX (1u << 20)
/* Messages are asked within this many days before the reference date ("of the past year"). */
#define BOARD_SPAN 330

/* ---------------------------------------------------------------- plan */

typedef struct board {
    const sim_plan_t *p;
    sim_site_t *s;
    sim_rng_t *rng;
} board_t;

static int64_t day_of(const sim_plan_t *p, int age)
{
    return p->ref_days - age;
}

static int age_of(const sim_plan_t *p, int64_t day)
{
    return (int)(p->ref_days - day);
}

/* Add a message; reply_age -1 for unanswered. Times that would be after the reference
 * time are moved before it. */
static void add(board_t *b, int ask_age, int32_t ask_tod, int reply_age, int32_t reply_tod)
{
    sim_site_t *s = b->s;
    if (s->n_msgs >= SIM_MAX_MSGS || ask_age < 0 || ask_age > 9999)
        return;
    if (ask_age == 0 && ask_tod > b->p->ref_tod)
        ask_tod = b->p->ref_tod > HOUR ? b->p->ref_tod - HOUR : 0;
    if (reply_age == 0 && reply_tod > b->p->ref_tod)
        reply_tod = b->p->ref_tod;
    sim_msg_t *m = &s->msgs[s->n_msgs++];
    m->ask_age = (uint16_t)ask_age;
    m->ask_tod = ask_tod;
    m->reply_age = (int16_t)reply_age;
    m->reply_tod = reply_tod;
    m->topic = (uint8_t)sim_rng_below(b->rng, 40);
}

/* A message asked at ask_age and answered `w` working days later (same day for 0), or
 * still 办理中 when that is after the reference time. */
static void add_after(board_t *b, int ask_age, int w)
{
    int32_t ask_tod = sim_rng_range(b->rng, 8 * HOUR, 18 * HOUR);
    int64_t reply = sim_cal_add_workdays(&b->p->cal, day_of(b->p, ask_age), w);
    int reply_age = age_of(b->p, reply);
    int32_t reply_tod = w == 0 ? ask_tod + sim_rng_range(b->rng, HOUR, 4 * HOUR)
                               : sim_rng_range(b->rng, 9 * HOUR, 17 * HOUR + 1800);
    if (reply_age < 0 || (reply_age == 0 && reply_tod > b->p->ref_tod))
        add(b, ask_age, ask_tod, -1, 0);
    else
        add(b, ask_age, ask_tod, reply_age, reply_tod);
}

/* A message asked so that exactly `w` working days have passed by the reference date, and
 * still unanswered. */
static void add_waiting(board_t *b, int w)
{
    for (int64_t d = b->p->ref_days - 1; d > b->p->ref_days - 120; d--)
        if (sim_cal_workdays_between(&b->p->cal, d, b->p->ref_days) == w) {
            add(b, age_of(b->p, d), sim_rng_range(b->rng, 9 * HOUR, 17 * HOUR), -1, 0);
            return;
        }
}

static int weekday(int64_t day)
{
    return (int)(((day % 7) + 7 + 4) % 7); /* 0 = Sunday */
}

static int weekdays_between(int64_t from, int64_t to)
{
    int n = 0;
    for (int64_t d = from + 1; d <= to; d++)
        n += weekday(d) != 0 && weekday(d) != 6;
    return n;
}

/* The holiday cases (with the calendar only): a reply 3 working days after the last working
 * day before the longest run of days off in the window (fast, though a weekday count says
 * more than 5), and a reply 6 working days after a day whose span holds a 调休 working
 * weekend day (slow, though a weekday count says 5). */
static void add_holiday_cases(board_t *b)
{
    const sim_cal_t *c = &b->p->cal;
    int64_t lo = b->p->ref_days - BOARD_SPAN, hi = b->p->ref_days - 30;
    int64_t best = 0, best_len = 0;
    for (int64_t d = lo; d <= hi; d++) {
        int64_t len = 0;
        while (d + len <= hi && !sim_cal_workday(c, d + len))
            len++;
        if (len >= 3 && len > best_len && sim_cal_workday(c, d - 1)) {
            best = d - 1;
            best_len = len;
        }
        d += len;
    }
    if (best_len >= 3) {
        int64_t reply = sim_cal_add_workdays(c, best, 3);
        if (weekdays_between(best, reply) > 5)
            add(b, age_of(b->p, best), 16 * HOUR, age_of(b->p, reply), 10 * HOUR);
    }
    for (int64_t d = lo; d <= hi; d++) {
        int wd = weekday(d);
        if ((wd != 0 && wd != 6) || !sim_cal_workday(c, d))
            continue;
        for (int64_t ask = d - 7; ask < d; ask++) {
            int64_t reply = sim_cal_add_workdays(c, ask, 6);
            if (reply < b->p->ref_days && weekdays_between(ask, reply) <= 5) {
                add(b, age_of(b->p, ask), 15 * HOUR, age_of(b->p, reply), 11 * HOUR);
                return;
            }
        }
    }
}

static int cmp_msg(const void *a, const void *b)
{
    const sim_msg_t *x = a, *y = b;
    if (x->ask_age != y->ask_age)
        return x->ask_age < y->ask_age ? -1 : 1;
    return x->ask_tod > y->ask_tod ? -1 : x->ask_tod < y->ask_tod;
}

void sim_board_plan(const sim_plan_t *p, sim_target_t *t)
{
    sim_site_t *s = &t->u.site;
    s->n_msgs = 0;
    if (s->interact == SIM_IA_NO_CHANNEL)
        return;
    sim_rng_t rng;
    sim_rng_init(&rng, t->seed, SIM_STREAM_BOARD, 0);
    board_t b = {p, s, &rng};
    bool cal = p->cal.loaded;
    switch ((sim_interact_t)s->interact) {
    case SIM_IA_UNANSWERED:
        /* 91 days and more than 91 x 24 hours; 90 days and less than 90 x 24 hours. */
        add(&b, 91, p->ref_tod > HOUR ? p->ref_tod - HOUR : 0, -1, 0);
        add(&b, 90, p->ref_tod + HOUR < 86400 ? p->ref_tod + HOUR : 86399, -1, 0);
        break;
    case SIM_IA_LATE: {
        int a1 = sim_rng_range(&rng, 150, 200), a2 = sim_rng_range(&rng, 100, 140);
        add(&b, a1, 9 * HOUR, a1 - 91, 10 * HOUR);
        add(&b, a2, 15 * HOUR, a2 - 90, 9 * HOUR);
        break;
    }
    case SIM_IA_SLOW:
        if (cal) {
            add_after(&b, sim_rng_range(&rng, 40, 80), 6);
            add_after(&b, sim_rng_range(&rng, 90, 130), 5);
            add_waiting(&b, 6);
            add_waiting(&b, 5);
            add_holiday_cases(&b);
        } else {
            add_after(&b, sim_rng_range(&rng, 60, 120), 15);
            add_waiting(&b, 15);
        }
        break;
    default:
        break;
    }
    /* The ordinary traffic of the board: answered within 0-2 working days, the newest
     * sometimes still 办理中. */
    int n = sim_rng_range(&rng, 10, 13), age = sim_rng_range(&rng, 0, 3);
    for (int i = 0; i < n && age <= BOARD_SPAN; i++) {
        add_after(&b, age, sim_rng_range(&rng, 0, 2));
        age += sim_rng_range(&rng, 6, 28);
    }
    qsort(s->msgs, s->n_msgs, sizeof s->msgs[0], cmp_msg);
}

void sim_board_wait(const sim_plan_t *p, const sim_msg_t *m, int *days, int *workdays)
{
    int64_t ask = day_of(p, m->ask_age);
    int64_t end = m->reply_age >= 0 ? day_of(p, m->reply_age) : p->ref_days;
    *days = (int)(end - ask);
    *workdays = sim_cal_workdays_between(&p->cal, ask, end);
}

/* ---------------------------------------------------------------- pages */

static const char *const msg_titles[] = {
    "关于%s相关政策的咨询", "咨询%s办理流程", "反映%s有关问题",
    "关于%s的建议",         "%s相关事项咨询", "请问%s如何办理",
};

static void msg_title(const sim_target_t *t, unsigned i, gs_buf_t *out)
{
    const sim_msg_t *m = &t->u.site.msgs[i];
    const char *tpl = msg_titles[(m->topic + i) % (sizeof msg_titles / sizeof msg_titles[0])];
    const char *topic = sim_text_topic(m->topic);
    const char *at = strstr(tpl, "%s");
    gs_buf_append(out, tpl, (size_t)(at - tpl));
    gs_buf_puts(out, topic);
    gs_buf_puts(out, at + 2);
}

static void when(const sim_plan_t *p, int age, int32_t tod, char *out, size_t n)
{
    gs_ymd_t d = sim_plan_date(p, age);
    snprintf(out, n, "%04d-%02d-%02d %02d:%02d", d.y, d.m, d.d, tod / HOUR, tod / 60 % 60);
}

/* 已答复, or for an unanswered message 办理中 while young and 未答复 after 5 working days. */
static const char *status_of(const sim_plan_t *p, const sim_msg_t *m)
{
    if (m->reply_age >= 0)
        return "已答复";
    int days, wd;
    sim_board_wait(p, m, &days, &wd);
    return wd > 5 ? "未答复" : "办理中";
}

static void crumb(sim_page_t *pg, const char *last)
{
    const sim_site_t *s = pg->s;
    int hd = -1;
    for (unsigned i = 0; i < s->n_cols; i++)
        if (s->cols[i].def == 10)
            hd = (int)i;
    gs_buf_puts(pg->b, "<div class=\"main w1200 clearfix\">\n<div class=\"crumb\">当前位置："
                       "<a href=\"/\">首页</a> &gt; ");
    if (hd >= 0)
        gs_buf_puts(pg->b, "<a href=\"/col/hdjl/index.html\">互动交流</a> &gt; ");
    gs_buf_puts(pg->b, last);
    gs_buf_puts(pg->b, "</div>\n");
}

static void list_page(const sim_req_t *rq, gs_buf_t *b)
{
    const sim_target_t *t = rq->target;
    const sim_site_t *s = &t->u.site;
    sim_page_t pg = {rq->plan, t, s, b, SIM_PAGE_COLUMN};
    char title[256];
    snprintf(title, sizeof title, "留言选登_%s", t->name);
    sim_page_head(&pg, title, "留言选登");
    sim_page_column_meta(&pg, "留言选登");
    sim_page_header(&pg);
    crumb(&pg, "留言选登");
    gs_buf_puts(
        b, "<div class=\"msg-form\">\n<h2>我要留言</h2>\n"
           "<form action=\"/hdjl/lyxd/submit\" method=\"post\">\n"
           "<p><label>留言标题：<input type=\"text\" name=\"title\" maxlength=\"50\"></label></p>\n"
           "<p><label>留言内容：<textarea name=\"content\" rows=\"6\"></textarea></label></p>\n"
           "<p><label>姓名：<input type=\"text\" name=\"name\"></label>"
           "<label>联系电话：<input type=\"text\" name=\"phone\"></label></p>\n"
           "<p><button type=\"submit\">提交留言</button></p>\n</form>\n"
           "<p class=\"tips\">留言须知：我们将在5个工作日内答复您的留言，答复后在本栏目公开。</p>\n"
           "</div>\n<table class=\"msg-list\">\n<tr><th>序号</th><th>留言标题</th>"
           "<th>留言时间</th><th>答复时间</th><th>状态</th></tr>\n");
    for (unsigned i = 0; i < s->n_msgs; i++) {
        const sim_msg_t *m = &s->msgs[i];
        char asked[16], replied[16] = "";
        gs_ymd_format(sim_plan_date(rq->plan, m->ask_age), asked, sizeof asked);
        if (m->reply_age >= 0)
            gs_ymd_format(sim_plan_date(rq->plan, m->reply_age), replied, sizeof replied);
        gs_buf_printf(b, "<tr><td>%u</td><td><a href=\"/hdjl/lyxd/msg_%u.html\">", i + 1, i + 1);
        gs_buf_t tt;
        gs_buf_init(&tt, 512);
        msg_title(t, i, &tt);
        sim_html_escape(b, tt.data, tt.len);
        gs_buf_cleanup(&tt);
        gs_buf_printf(b, "</a></td><td>%s</td><td>%s</td><td>%s</td></tr>\n", asked, replied,
                      status_of(rq->plan, m));
    }
    gs_buf_puts(b, "</table>\n</div>\n");
    sim_page_footer(&pg);
}

static void msg_page(const sim_req_t *rq, unsigned i, gs_buf_t *b)
{
    const sim_target_t *t = rq->target;
    const sim_site_t *s = &t->u.site;
    const sim_msg_t *m = &s->msgs[i];
    sim_page_t pg = {rq->plan, t, s, b, SIM_PAGE_ARTICLE};
    gs_buf_t tt;
    gs_buf_init(&tt, 512);
    msg_title(t, i, &tt);
    char title[512], asked[32], replied[32];
    snprintf(title, sizeof title, "%s_留言选登_%s", gs_buf_str(&tt), t->name);
    char short_title[400];
    snprintf(short_title, sizeof short_title, "%s_留言选登", gs_buf_str(&tt));
    when(rq->plan, m->ask_age, m->ask_tod, asked, sizeof asked);
    if (m->reply_age >= 0)
        when(rq->plan, m->reply_age, m->reply_tod, replied, sizeof replied);
    sim_page_head(&pg, title, short_title);
    sim_page_article_meta(&pg, gs_buf_str(&tt), m->reply_age >= 0 ? replied : asked, t->owner);
    sim_page_header(&pg);
    crumb(&pg, "<a href=\"/hdjl/lyxd/index.html\">留言选登</a> &gt; 正文");
    gs_buf_puts(b, "<div class=\"msg-detail\">\n<h1>");
    sim_html_escape(b, tt.data, tt.len);
    gs_buf_printf(b, "</h1>\n<p class=\"msg-info\">留言时间：%s　留言人：网友</p>\n", asked);
    sim_rng_t rng;
    sim_rng_init(&rng, t->seed, SIM_STREAM_BOARD, 1000 + i);
    gs_buf_puts(b, "<div class=\"msg-ask\"><p>您好！我想了解");
    gs_buf_puts(b, sim_text_topic(m->topic));
    gs_buf_puts(b, "方面的具体政策和办理要求，需要准备哪些材料，到哪里办理？谢谢！</p></div>\n");
    if (m->reply_age >= 0) {
        gs_buf_puts(b, "<p class=\"msg-info\">答复单位：");
        sim_html_escape(b, t->owner, strlen(t->owner));
        gs_buf_printf(b, "　答复时间：%s</p>\n<div class=\"msg-reply\">\n", replied);
        gs_buf_puts(b, "<p>网友您好！您反映的问题已收悉，现答复如下：</p>\n");
        sim_text_body(b, &rng, 1, "<p>", "</p>\n", t, m->topic);
        gs_buf_puts(b, "<p>感谢您对我们工作的关注和支持！</p>\n</div>\n");
    } else {
        gs_buf_printf(b, "<p class=\"msg-info\">办理状态：%s</p>\n", status_of(rq->plan, m));
    }
    gs_buf_puts(b, "</div>\n</div>\n");
    gs_buf_cleanup(&tt);
    sim_page_footer(&pg);
}

bool sim_board_serve(const sim_req_t *rq, enum MHD_Result *res)
{
    const char *path = rq->path;
    if (strncmp(path, "/hdjl/lyxd/", 11) != 0)
        return false;
    const sim_site_t *s = &rq->target->u.site;
    if (s->interact == SIM_IA_NO_CHANNEL)
        return false; /* no board: 404 like any unknown path */
    const char *rest = path + 11;
    gs_buf_t b;
    gs_buf_init(&b, PAGE_MAX);
    if (*rest == 0 || strcmp(rest, "index.html") == 0) {
        list_page(rq, &b);
        *res = sim_reply_page(rq, 200, &b);
        return true;
    }
    unsigned n;
    char tail[8];
    if (sscanf(rest, "msg_%u%7s", &n, tail) == 2 && strcmp(tail, ".html") == 0 && n >= 1 &&
        n <= s->n_msgs) {
        char canon[32];
        snprintf(canon, sizeof canon, "msg_%u.html", n);
        if (strcmp(canon, rest) == 0) {
            msg_page(rq, n - 1, &b);
            *res = sim_reply_page(rq, 200, &b);
            return true;
        }
    }
    gs_buf_cleanup(&b);
    return false;
}
