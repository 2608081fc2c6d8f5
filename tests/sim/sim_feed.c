/* sim_feed.c -- the feed bridge of the simulated province: every new-media account as an
 * RSS 2.0, Atom or JSON Feed 1.1 document under http://feeds.sim-bridge.gov.cn/, the way
 * self-hosted bridges for 微信/微博/抖音/头条 publish them, plus a profile page and a
 * page per post.
 *
 * URLs: /<platform>/<id>.xml (RSS), .atom (Atom), .json (JSON Feed); /<platform>/<id>/
 * (profile); /<platform>/<id>/<n>.html (post n, 0 = newest). Times are exact: RSS
 * pubDate in RFC 822 with +0800 or, for some accounts, GMT (the same instant); Atom and
 * JSON Feed in RFC 3339 with +08:00. RSS lastBuildDate is the reference time (a bridge
 * rebuilds its feeds whether or not the account posted), so a checker must date an
 * account by its posts. Closed accounts are answered by their defect row. */
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

static void post_make(const sim_plan_t *p, const sim_target_t *t, unsigned i, post_t *po)
{
    const sim_account_t *a = &t->u.acct;
    gs_buf_init(&po->title, 1024);
    gs_buf_init(&po->html, 16384);
    sim_rng_t rng;
    sim_rng_init(&rng, t->seed, SIM_STREAM_ITEM, i);
    unsigned topic = sim_text_post_title(&po->title, &rng, t);
    sim_text_body(&po->html, &rng, sim_rng_range(&rng, 1, 3), "<p>", "</p>", t, topic);
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
    snprintf(out, n, "http://%s/%s/%s/", SIM_FEEDS_HOST, sim_platforms[t->u.acct.platform].slug,
             t->id);
}

static void feed_description(const sim_target_t *t, char *out, size_t n)
{
    snprintf(out, n, "%s（%s）%s官方账号", t->name, sim_platforms[t->u.acct.platform].name,
             t->owner);
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
                  t->name, prof, t->url, desc, when);
    for (unsigned i = 0; i < t->u.acct.n_posts; i++) {
        post_t po;
        post_make(p, t, i, &po);
        rfc822(po.when, t->u.acct.gmt, when, sizeof when);
        gs_buf_printf(b,
                      "<item>\n<title><![CDATA[%s]]></title>\n"
                      "<description><![CDATA[%s]]></description>\n<pubDate>%s</pubDate>\n"
                      "<guid isPermaLink=\"false\">%s-%u</guid>\n<link>%s</link>\n"
                      "<author><![CDATA[%s]]></author>\n</item>\n",
                      gs_buf_str(&po.title), gs_buf_str(&po.html), when, t->id, i, po.url, t->name);
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
    sim_html_escape(b, t->name, strlen(t->name));
    gs_buf_printf(b,
                  "</title>\n<subtitle>%s</subtitle>\n<id>urn:sim-bridge:%s</id>\n"
                  "<link href=\"%s\" rel=\"self\" type=\"application/atom+xml\"/>\n"
                  "<link href=\"%s\" rel=\"alternate\" type=\"text/html\"/>\n"
                  "<updated>%s</updated>\n<author><name>%s</name></author>\n"
                  "<generator>sim-bridge</generator>\n",
                  sim_platforms[t->u.acct.platform].name, t->id, t->url, prof, when, t->name);
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
    json_object_set_new(root, "title", json_string(t->name));
    json_object_set_new(root, "home_page_url", json_string(prof));
    json_object_set_new(root, "feed_url", json_string(t->url));
    json_object_set_new(root, "description", json_string(desc));
    json_object_set_new(root, "language", json_string("zh-CN"));
    json_object_set_new(author, "name", json_string(t->owner));
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

static void render_profile(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *b)
{
    gs_buf_printf(b,
                  "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>%s - %s"
                  "</title>\n</head>\n<body>\n<h1>%s</h1>\n<p>%s · %s</p>\n<ul>\n",
                  t->name, sim_platforms[t->u.acct.platform].name, t->name,
                  sim_platforms[t->u.acct.platform].name, t->owner);
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
    gs_buf_puts(b, "</ul>\n</body>\n</html>\n");
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
                  t->name, when, when, when + 11, gs_buf_str(&po.html));
    post_free(&po);
}

static const char *feed_ext(sim_feedfmt_t f)
{
    return f == SIM_FEED_ATOM ? ".atom" : f == SIM_FEED_JSON ? ".json" : ".xml";
}

enum MHD_Result sim_feed_serve(const sim_req_t *rq0)
{
    sim_req_t rq = *rq0;
    const char *path = rq.path;
    if (strcmp(path, "/robots.txt") == 0)
        return sim_reply_static(&rq, 200, "text/plain", "User-agent: *\nDisallow:\n", 24);
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
        render_profile(rq.plan, t, &b);
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
