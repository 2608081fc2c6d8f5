/* sim_feed.c -- the feed bridge of the simulated province: every new-media account as an
 * RSS 2.0, Atom or JSON Feed 1.1 document under http://feeds.sim-bridge.gov.cn/, the way
 * self-hosted bridges for 微信/微博/抖音/头条 publish them, plus a profile page and a
 * page per post.
 *
 * URLs: /<platform>/<id>.xml (RSS), .atom (Atom), .json (JSON Feed); /<platform>/<id>/
 * (post list); /<platform>/<id>/<n>.html (post n, 0 = newest); /profile/<id>.html (the
 * platform's profile page: account name, type 订阅号/服务号 for WeChat, 认证主体, the menu);
 * /menu/<id>.json (a WeChat account's menu, the registry's menu_url: a JSON list of
 * {"name","url"}) and /m/<id>/<n>.html (the pages its entries lead to, served whatever
 * became of the account, as a bridge caches them). Times are exact: RSS
 * pubDate in RFC 822 with +0800 or, for some accounts, GMT (the same instant); Atom and
 * JSON Feed in RFC 3339 with +08:00. RSS lastBuildDate is the reference time (a bridge
 * rebuilds its feeds whether or not the account posted), so a checker must date an
 * account by its posts. Closed accounts are answered by their defect row (feed, posts and
 * profile). The grouped rows put spam, a wrong form or personal data into the newest posts,
 * break or thin the menu, and make the profile show another type, name or owner. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_MAX (1u << 20)

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* RFC 822 date of Unix time u, in CST (+0800) or in GMT. */
static void rfc822(int64_t u, bool gmt, char *out, size_t n)
{
    int64_t local = gmt ? u : u + GS_TZ_CST;
    int64_t days = floor_div(local, 86400);
    int64_t sec = local - days * 86400;
    gs_ymd_t d = gs_civil_from_days(days);
    int wd = (int)(((days % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d %s", wdays[wd], d.d, months[d.m - 1], d.y,
             (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), gmt ? "GMT" : "+0800");
}

/* RFC 3339 in CST. */
static void rfc3339(int64_t u, char *out, size_t n)
{
    int64_t local = u + GS_TZ_CST;
    int64_t days = floor_div(local, 86400);
    int64_t sec = local - days * 86400;
    gs_ymd_t d = gs_civil_from_days(days);
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", d.y, d.m, d.d, (int)(sec / 3600),
             (int)(sec / 60 % 60), (int)(sec % 60));
}

typedef struct post {
    gs_buf_t title; /* plain text */
    gs_buf_t html;  /* content as HTML paragraphs */
    int64_t when;   /* Unix time */
    char url[192];  /* post page */
} post_t;

/* What the grouped rows add to post i (the newest ones): spam, a wrong form, numbers. */
static void post_inject(const sim_target_t *t, unsigned i, post_t *po)
{
    const sim_account_t *a = &t->u.acct;
    sim_rng_t rng;
    sim_rng_init(&rng, t->seed, SIM_STREAM_ITEM, 1000 + i);
    if (i == 0 && a->security == 1) {
        gs_buf_reset(&po->title);
        gs_buf_puts(&po->title, sim_spams[3].text);
    }
    if (i == 0 && a->security == 2)
        gs_buf_printf(&po->html, "<p>%s</p>", sim_spams[4].text);
    if (a->wording && i == (a->n_posts > 1 ? 1u : 0u))
        gs_buf_printf(&po->html, "<p>%s</p>",
                      sim_wrongs[(a->wording - 1u) % sim_n_wrongs].sentence);
    if (i == 0 && a->privacy == SIM_PRIV_ID) {
        gs_buf_puts(&po->html, "<p>拟表彰人员名单：");
        for (unsigned k = 0; k < SIM_PRIV_POST_IDS; k++) {
            char id[20];
            sim_text_id_number(&rng, t, false, id);
            sim_text_person(&po->html, &rng);
            gs_buf_printf(&po->html, "（身份证号：%s）%s", id,
                          k + 1 < SIM_PRIV_POST_IDS ? "、" : "");
        }
        gs_buf_puts(&po->html, "</p>");
    }
    if (i == 0 && a->privacy == SIM_PRIV_MOBILE) {
        char mob[SIM_PRIV_POST_MOBILES][12];
        sim_text_mobiles(&rng, SIM_PRIV_POST_MOBILES, mob);
        gs_buf_puts(&po->html, "<p>各社区联系人：");
        for (unsigned k = 0; k < SIM_PRIV_POST_MOBILES; k++) {
            sim_text_person(&po->html, &rng);
            gs_buf_printf(&po->html, " %s%s", mob[k], k + 1 < SIM_PRIV_POST_MOBILES ? "，" : "");
        }
        gs_buf_puts(&po->html, "</p>");
    }
}

static void post_make(const sim_plan_t *p, const sim_target_t *t, unsigned i, post_t *po)
{
    const sim_account_t *a = &t->u.acct;
    gs_buf_init(&po->title, 1024);
    gs_buf_init(&po->html, 16384);
    sim_rng_t rng;
    sim_rng_init(&rng, t->seed, SIM_STREAM_ITEM, i);
    unsigned topic = sim_text_post_title(&po->title, &rng, t);
    sim_text_body(&po->html, &rng, sim_rng_range(&rng, 1, 3), "<p>", "</p>", t, topic);
    post_inject(t, i, po);
    po->when = sim_plan_unix(p, a->ages[i], a->tods[i]);
    snprintf(po->url, sizeof po->url, "http://%s/%s/%s/%u.html", SIM_FEEDS_HOST,
             sim_platforms[a->platform].slug, t->id, i);
}

static void post_free(post_t *po)
{
    gs_buf_cleanup(&po->title);
    gs_buf_cleanup(&po->html);
}

static void profile_url(const sim_target_t *t, char *out, size_t n)
{
    snprintf(out, n, "http://%s/profile/%s.html", SIM_FEEDS_HOST, t->id);
}

/* The name and owner the platform shows (another than the registry's with M-FILING). */
static const char *shown_name(const sim_target_t *t)
{
    return t->u.acct.filing == SIM_FILING_NAME ? t->u.acct.shown : t->name;
}

static const char *shown_owner(const sim_target_t *t)
{
    return t->u.acct.filing == SIM_FILING_OWNER ? t->u.acct.shown : t->owner;
}

/* 订阅号 / 服务号 as the platform shows it (WeChat only). */
static const char *shown_type(const sim_target_t *t)
{
    if (t->u.acct.filing == SIM_FILING_TYPE)
        return t->u.acct.shown;
    return t->u.acct.platform == 1 ? "服务号" : "订阅号";
}

static void feed_description(const sim_target_t *t, char *out, size_t n)
{
    snprintf(out, n, "%s（%s）%s官方账号", shown_name(t), sim_platforms[t->u.acct.platform].name,
             shown_owner(t));
}

static void render_rss(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *b)
{
    char prof[256], desc[512], when[64];
    profile_url(t, prof, sizeof prof);
    feed_description(t, desc, sizeof desc);
    rfc822(p->opts.ref_unix, t->u.acct.gmt, when, sizeof when);
    gs_buf_printf(b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n"
                  "<title><![CDATA[%s]]></title>\n<link>%s</link>\n"
                  "<atom:link href=\"%s\" rel=\"self\" type=\"application/rss+xml\"/>\n"
                  "<description><![CDATA[%s]]></description>\n"
                  "<generator>sim-bridge</generator>\n<language>zh-cn</language>\n"
                  "<lastBuildDate>%s</lastBuildDate>\n<ttl>60</ttl>\n",
                  shown_name(t), prof, t->url, desc, when);
    for (unsigned i = 0; i < t->u.acct.n_posts; i++) {
        post_t po;
        post_make(p, t, i, &po);
        rfc822(po.when, t->u.acct.gmt, when, sizeof when);
        gs_buf_printf(b,
                      "<item>\n<title><![CDATA[%s]]></title>\n"
                      "<description><![CDATA[%s]]></description>\n<pubDate>%s</pubDate>\n"
                      "<guid isPermaLink=\"false\">%s-%u</guid>\n<link>%s</link>\n"
                      "<author><![CDATA[%s]]></author>\n</item>\n",
                      gs_buf_str(&po.title), gs_buf_str(&po.html), when, t->id, i, po.url,
                      shown_name(t));
        post_free(&po);
    }
    gs_buf_puts(b, "</channel>\n</rss>\n");
}

static void render_atom(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *b)
{
    char prof[256], when[64];
    profile_url(t, prof, sizeof prof);
    /* A feed is updated when its newest entry is. */
    rfc3339(sim_plan_unix(p, t->u.acct.ages[0], t->u.acct.tods[0]), when, sizeof when);
    gs_buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                   "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n<title>");
    sim_html_escape(b, shown_name(t), strlen(shown_name(t)));
    gs_buf_printf(b,
                  "</title>\n<subtitle>%s</subtitle>\n<id>urn:sim-bridge:%s</id>\n"
                  "<link href=\"%s\" rel=\"self\" type=\"application/atom+xml\"/>\n"
                  "<link href=\"%s\" rel=\"alternate\" type=\"text/html\"/>\n"
                  "<updated>%s</updated>\n<author><name>%s</name></author>\n"
                  "<generator>sim-bridge</generator>\n",
                  sim_platforms[t->u.acct.platform].name, t->id, t->url, prof, when, shown_name(t));
    for (unsigned i = 0; i < t->u.acct.n_posts; i++) {
        post_t po;
        post_make(p, t, i, &po);
        rfc3339(po.when, when, sizeof when);
        gs_buf_puts(b, "<entry>\n<title>");
        sim_html_escape(b, po.title.data, po.title.len);
        gs_buf_printf(b,
                      "</title>\n<id>urn:sim-bridge:%s:%u</id>\n"
                      "<link href=\"%s\" rel=\"alternate\" type=\"text/html\"/>\n"
                      "<published>%s</published>\n<updated>%s</updated>\n"
                      "<content type=\"html\"><![CDATA[%s]]></content>\n</entry>\n",
                      t->id, i, po.url, when, when, gs_buf_str(&po.html));
        post_free(&po);
    }
    gs_buf_puts(b, "</feed>\n");
}

static int render_json(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *b)
{
    char prof[256], desc[512], when[64];
    profile_url(t, prof, sizeof prof);
    feed_description(t, desc, sizeof desc);
    json_t *root = json_object();
    json_t *items = json_array();
    json_t *author = json_object();
    json_t *authors = json_array();
    int rc = GS_ENOMEM;
    if (!root || !items || !author || !authors) {
        json_decref(items);
        json_decref(author);
        json_decref(authors);
        goto out;
    }
    json_object_set_new(root, "version", json_string("https://jsonfeed.org/version/1.1"));
    json_object_set_new(root, "title", json_string(shown_name(t)));
    json_object_set_new(root, "home_page_url", json_string(prof));
    json_object_set_new(root, "feed_url", json_string(t->url));
    json_object_set_new(root, "description", json_string(desc));
    json_object_set_new(root, "language", json_string("zh-CN"));
    json_object_set_new(author, "name", json_string(shown_owner(t)));
    json_array_append_new(authors, author);
    json_object_set_new(root, "authors", authors);
    for (unsigned i = 0; i < t->u.acct.n_posts; i++) {
        post_t po;
        post_make(p, t, i, &po);
        rfc3339(po.when, when, sizeof when);
        char id[64];
        snprintf(id, sizeof id, "%s-%u", t->id, i);
        json_t *it = json_object();
        if (it) {
            json_object_set_new(it, "id", json_string(id));
            json_object_set_new(it, "url", json_string(po.url));
            json_object_set_new(it, "title", json_string(gs_buf_str(&po.title)));
            json_object_set_new(it, "content_html", json_string(gs_buf_str(&po.html)));
            json_object_set_new(it, "date_published", json_string(when));
            json_array_append_new(items, it);
        }
        post_free(&po);
    }
    json_object_set_new(root, "items", items);
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        rc = gs_buf_puts(b, s);
        gs_buf_putc(b, '\n');
        free(s);
    }
out:
    json_decref(root);
    return rc;
}

/* ---------------------------------------------------------------- menus */

void sim_feed_menu_url(const sim_target_t *t, char *out, size_t n)
{
    if (t->kind == SIM_ACCOUNT && t->u.acct.menu != SIM_MENU_NONE)
        snprintf(out, n, "http://%s/menu/%s.json", SIM_FEEDS_HOST, t->id);
    else if (n)
        out[0] = 0;
}

/* Pages /m/<id>/<n>.html the menus lead to (1-3 exist). */
static const char *const menu_pages[] = {"最新发布", "办事服务", "互动留言"};

static void entry(sim_menu_entry_t *e, const char *name, const sim_target_t *t, unsigned page,
                  const char *broken)
{
    snprintf(e->name, sizeof e->name, "%s", name);
    if (broken && strcmp(broken, "refused") == 0)
        snprintf(e->url, sizeof e->url, "http://%s/%s/", SIM_DEAD_HOST, t->id);
    else
        snprintf(e->url, sizeof e->url, "http://%s/m/%s/%u.html", SIM_FEEDS_HOST, t->id, page);
    e->broken = broken;
}

size_t sim_feed_menu(const sim_target_t *t, sim_menu_entry_t *out, size_t max)
{
    if (t->kind != SIM_ACCOUNT || max < 4)
        return 0;
    switch ((sim_menu_t)t->u.acct.menu) {
    case SIM_MENU_OK:
        entry(&out[0], menu_pages[0], t, 1, NULL);
        entry(&out[1], menu_pages[1], t, 2, NULL);
        entry(&out[2], menu_pages[2], t, 3, NULL);
        return 3;
    case SIM_MENU_NO_INTERACT:
        /* Nothing to ask through: no 咨询/互动/留言 entry (M-INTERACT). */
        entry(&out[0], menu_pages[0], t, 1, NULL);
        entry(&out[1], menu_pages[1], t, 2, NULL);
        entry(&out[2], "关于我们", t, 1, NULL);
        return 3;
    case SIM_MENU_BROKEN:
        entry(&out[0], menu_pages[0], t, 1, NULL);
        entry(&out[1], menu_pages[1], t, 9, "http-404");
        entry(&out[2], menu_pages[2], t, 3, NULL);
        entry(&out[3], "便民查询", t, 0, "refused");
        return 4;
    default:
        return 0;
    }
}

static int render_menu(const sim_target_t *t, gs_buf_t *b)
{
    sim_menu_entry_t m[SIM_MENU_MAX];
    size_t n = sim_feed_menu(t, m, SIM_MENU_MAX);
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_object();
        if (!o)
            break;
        json_object_set_new(o, "name", json_string(m[i].name));
        json_object_set_new(o, "url", json_string(m[i].url));
        json_array_append_new(a, o);
    }
    char *s = a ? json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(a);
    if (!s)
        return GS_ENOMEM;
    int rc = gs_buf_puts(b, s);
    free(s);
    return rc;
}

static void render_menu_page(const sim_target_t *t, unsigned page, gs_buf_t *b)
{
    const char *name = menu_pages[(page - 1) % 3];
    gs_buf_printf(b,
                  "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>%s - %s"
                  "</title>\n</head>\n<body>\n<h1>%s</h1>\n",
                  name, shown_name(t), name);
    if (page == 3)
        gs_buf_puts(b, "<p>欢迎留言咨询，我们将在5个工作日内答复。</p>\n"
                       "<form method=\"post\" action=\"#\"><textarea name=\"q\"></textarea>"
                       "<button type=\"submit\">提交</button></form>\n");
    else
        gs_buf_printf(b, "<p>%s为您提供%s。</p>\n", shown_owner(t), name);
    gs_buf_puts(b, "</body>\n</html>\n");
}

/* ---------------------------------------------------------------- pages */

static void post_list(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *b)
{
    gs_buf_puts(b, "<ul class=\"posts\">\n");
    for (unsigned i = 0; i < t->u.acct.n_posts; i++) {
        post_t po;
        post_make(p, t, i, &po);
        char when[64];
        rfc3339(po.when, when, sizeof when);
        gs_buf_printf(b, "<li><a href=\"%s\">", po.url);
        sim_html_escape(b, po.title.data, po.title.len);
        /* The same instant as the feed, shown as the platform shows it. */
        gs_buf_printf(b, "</a> <time datetime=\"%s\">%.10s %.5s</time></li>\n", when, when,
                      when + 11);
        post_free(&po);
    }
    gs_buf_puts(b, "</ul>\n");
}

/* /<platform>/<id>/: the bridge's list of posts. */
static void render_posts_page(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *b)
{
    gs_buf_printf(b,
                  "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>%s - %s"
                  "</title>\n</head>\n<body>\n<h1>%s</h1>\n<p>%s · %s</p>\n",
                  shown_name(t), sim_platforms[t->u.acct.platform].name, shown_name(t),
                  sim_platforms[t->u.acct.platform].name, shown_owner(t));
    post_list(p, t, b);
    gs_buf_puts(b, "</body>\n</html>\n");
}

/* /profile/<id>.html: what the platform shows of the account (M-FILING reads it). */
static void render_profile(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *b)
{
    const sim_account_t *a = &t->u.acct;
    /* WeChat's profile names the platform, not the kind of account: that is the type. */
    const char *platform = a->platform <= 1 ? "微信公众平台" : sim_platforms[a->platform].name;
    gs_buf_puts(b, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>");
    sim_html_escape(b, shown_name(t), strlen(shown_name(t)));
    gs_buf_printf(b,
                  " - %s</title>\n</head>\n<body>\n<div class=\"profile\">\n"
                  "<h1 class=\"account-name\">",
                  platform);
    sim_html_escape(b, shown_name(t), strlen(shown_name(t)));
    gs_buf_printf(b, "</h1>\n<p class=\"account-platform\">平台：%s</p>\n", platform);
    if (a->platform <= 1)
        gs_buf_printf(b, "<p class=\"account-type\">账号类型：%s</p>\n", shown_type(t));
    gs_buf_puts(b, "<p class=\"account-owner\">认证主体：");
    sim_html_escape(b, shown_owner(t), strlen(shown_owner(t)));
    gs_buf_puts(b, "</p>\n");
    sim_menu_entry_t m[SIM_MENU_MAX];
    size_t n = sim_feed_menu(t, m, SIM_MENU_MAX);
    if (n) {
        gs_buf_puts(b, "<div class=\"menu\"><ul>\n");
        for (size_t i = 0; i < n; i++)
            gs_buf_printf(b, "<li><a href=\"%s\">%s</a></li>\n", m[i].url, m[i].name);
        gs_buf_puts(b, "</ul></div>\n");
    }
    post_list(p, t, b);
    gs_buf_puts(b, "</div>\n</body>\n</html>\n");
}

static void render_post(const sim_plan_t *p, const sim_target_t *t, unsigned i, gs_buf_t *b)
{
    post_t po;
    post_make(p, t, i, &po);
    char when[64];
    rfc3339(po.when, when, sizeof when);
    gs_buf_puts(b, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>");
    sim_html_escape(b, po.title.data, po.title.len);
    gs_buf_printf(b, "</title>\n</head>\n<body>\n<article>\n<h1>");
    sim_html_escape(b, po.title.data, po.title.len);
    gs_buf_printf(b,
                  "</h1>\n<p class=\"meta\">%s　<time datetime=\"%s\">%.10s %.5s</time></p>\n"
                  "<div class=\"rich_media_content\">%s</div>\n</article>\n</body>\n</html>\n",
                  shown_name(t), when, when, when + 11, gs_buf_str(&po.html));
    post_free(&po);
}

static const char *feed_ext(sim_feedfmt_t f)
{
    return f == SIM_FEED_ATOM ? ".atom" : f == SIM_FEED_JSON ? ".json" : ".xml";
}

/* /profile/<id>.html, /menu/<id>.json, /m/<id>/<n>.html. */
static enum MHD_Result serve_account_pages(sim_req_t *rq)
{
    const char *path = rq->path;
    const char *id = path[1] == 'p'                     ? path + 9
                     : path[1] == 'm' && path[2] == 'e' ? path + 6
                                                        : path + 3;
    size_t idlen = strcspn(id, "./");
    const sim_target_t *t = sim_plan_find_account(rq->plan, id, idlen);
    if (!t)
        return sim_reply_error(rq, 404);
    rq->target = t;
    const char *rest = id + idlen;
    gs_buf_t b;
    gs_buf_init(&b, FEED_MAX);
    if (path[1] == 'p' && strcmp(rest, ".html") == 0) {
        enum MHD_Result res;
        if (sim_defect_respond(rq, &res)) { /* a closed account's profile is gone too */
            gs_buf_cleanup(&b);
            return res;
        }
        render_profile(rq->plan, t, &b);
    } else if (path[1] == 'm' && path[2] == 'e' && strcmp(rest, ".json") == 0 &&
               t->u.acct.menu != SIM_MENU_NONE) {
        if (render_menu(t, &b) < 0) {
            gs_buf_cleanup(&b);
            return MHD_NO;
        }
        size_t len = b.len;
        char *body = gs_buf_steal(&b);
        return body ? sim_reply_take(rq, 200, "application/json; charset=utf-8", body, len)
                    : MHD_NO;
    } else if (path[1] == 'm' && path[2] == '/' && t->u.acct.menu != SIM_MENU_NONE &&
               (strcmp(rest, "/1.html") == 0 || strcmp(rest, "/2.html") == 0 ||
                strcmp(rest, "/3.html") == 0)) {
        render_menu_page(t, (unsigned)(rest[1] - '0'), &b);
    } else {
        gs_buf_cleanup(&b);
        return sim_reply_error(rq, 404);
    }
    size_t len = b.len;
    char *body = gs_buf_steal(&b);
    return body ? sim_reply_take(rq, 200, "text/html; charset=utf-8", body, len) : MHD_NO;
}

enum MHD_Result sim_feed_serve(const sim_req_t *rq0)
{
    sim_req_t rq = *rq0;
    const char *path = rq.path;
    if (strcmp(path, "/robots.txt") == 0)
        return sim_reply_static(&rq, 200, "text/plain", "User-agent: *\nDisallow:\n", 24);
    if (strncmp(path, "/profile/", 9) == 0 || strncmp(path, "/menu/", 6) == 0 ||
        strncmp(path, "/m/", 3) == 0)
        return serve_account_pages(&rq);
    /* /<platform>/<id>(.ext | / | /<n>.html) */
    if (path[0] != '/')
        return sim_reply_error(&rq, 404);
    const char *slug = path + 1;
    const char *slash = strchr(slug, '/');
    if (!slash)
        return sim_reply_error(&rq, 404);
    const char *id = slash + 1;
    size_t idlen = strcspn(id, "./");
    const sim_target_t *t = sim_plan_find_account(rq.plan, id, idlen);
    if (!t)
        return sim_reply_error(&rq, 404);
    const sim_platform_t *pl = &sim_platforms[t->u.acct.platform];
    if (strlen(pl->slug) != (size_t)(slash - slug) || memcmp(pl->slug, slug, strlen(pl->slug)))
        return sim_reply_error(&rq, 404);
    rq.target = t;
    enum MHD_Result res;
    if (sim_defect_respond(&rq, &res))
        return res;

    const char *rest = id + idlen;
    gs_buf_t b;
    gs_buf_init(&b, FEED_MAX);
    const sim_account_t *a = &t->u.acct;
    const char *ctype = "text/html; charset=utf-8";
    if (strcmp(rest, feed_ext((sim_feedfmt_t)a->format)) == 0) {
        if (a->format == SIM_FEED_RSS) {
            render_rss(rq.plan, t, &b);
            /* Bridges differ in what they call RSS. */
            ctype =
                (t->seed & 1) ? "application/rss+xml; charset=utf-8" : "text/xml; charset=utf-8";
        } else if (a->format == SIM_FEED_ATOM) {
            render_atom(rq.plan, t, &b);
            ctype = "application/atom+xml; charset=utf-8";
        } else {
            render_json(rq.plan, t, &b);
            ctype = "application/feed+json; charset=utf-8";
        }
    } else if (strcmp(rest, "/") == 0) {
        render_posts_page(rq.plan, t, &b);
    } else if (rest[0] == '/') {
        char *end;
        long n = strtol(rest + 1, &end, 10);
        if (end == rest + 1 || strcmp(end, ".html") != 0 || n < 0 || n >= a->n_posts) {
            gs_buf_cleanup(&b);
            return sim_reply_error(&rq, 404);
        }
        render_post(rq.plan, t, (unsigned)n, &b);
    } else {
        gs_buf_cleanup(&b);
        return sim_reply_error(&rq, 404);
    }
    size_t len = b.len;
    char *body = gs_buf_steal(&b);
    if (!body)
        return MHD_NO;
    return sim_reply_take(&rq, 200, ctype, body, len);
}
