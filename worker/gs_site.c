/* gs_site.c -- feeding a site's pages into the facts its checks read.
 *
 * Each page is looked at once, here, while it is parsed; what the checks need of it is
 * copied into the gs_site_t (bounded) and the page is freed by the caller. The findings
 * are made at the end by the gs_chk_*.c files. */
#include "gs_site.h"
#include "gs_content.h"
#include "gs_dict.h"
#include "gs_log.h"
#include "gs_t2s.h"
#include "gs_utf8.h"
#include "gs_url.h"
#include "gs_util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const gs_meta_names[GS_META_COUNT] = {"SiteName",     "SiteDomain",   "SiteIDCode",
                                                  "ColumnName",   "ArticleTitle", "PubDate",
                                                  "ContentSource"};

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

/* Remember the first allocation failure of the feeding functions (which return nothing:
 * gs_job calls them as pages arrive); gs_site_check returns it instead of judging facts
 * that lost a part. */
static void site_fail(gs_site_t *s, int rc)
{
    if (rc < 0 && !s->err)
        s->err = rc;
}

/* Replace *dst by a copy of src (a shortage recorded in s). */
static void set_str(gs_site_t *s, char **dst, const char *src)
{
    char *n = dup_or_empty(src);
    if (!n) {
        site_fail(s, GS_ENOMEM);
        return;
    }
    free(*dst);
    *dst = n;
}

/* What the column checks read of a page. */
struct gs_colfacts {
    uint32_t items;          /* dated list items in the body */
    int32_t newest;          /* newest item day */
    uint32_t content_links;  /* body links that are not navigation or other columns */
    const char *placeholder; /* a placeholder line (borrowed: dict) */
};

static uint64_t url_key(const char *url)
{
    uint64_t h = gs_fnv1a(GS_FNV_INIT, url, strlen(url));
    return h ? h : 1;
}

gs_site_t *gs_site_new(const gs_check_env_t *env, const char *sitecode, const char *name,
                       const char *home_url, int64_t ref_unix)
{
    gs_site_t *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->env = env;
    s->cfg = env->cfg;
    s->sitecode = sitecode;
    s->name = name;
    s->home_url = home_url;
    s->host = gs_url_host(home_url);
    s->ref_unix = ref_unix;
    gs_ymd_t r = gs_ymd_from_unix_cst(ref_unix);
    s->ref_day = (int32_t)gs_days_from_civil(r.y, r.m, r.d);
    s->home_newest = s->second_newest = GS_NO_DAY;
    s->link_mask = 2 * GS_SITE_MAX_LINKS - 1; /* 2^14 slots: at most half full */
    s->link_slots = calloc(s->link_mask + 1, sizeof(*s->link_slots));
    s->links = calloc(GS_SITE_MAX_LINKS, sizeof(*s->links));
    s->msgs = calloc(GS_SITE_MAX_MSGS, sizeof(*s->msgs));
    s->posts = calloc(GS_SITE_MAX_POSTS, sizeof(*s->posts));
    s->item_mask = 2 * GS_SITE_MAX_POSTS - 1;
    s->item_keys = calloc(s->item_mask + 1, sizeof(*s->item_keys));
    s->item_cols = calloc(s->item_mask + 1, sizeof(*s->item_cols));
    s->pf_mask = 4095;
    s->pf_keys = calloc(s->pf_mask + 1, sizeof(*s->pf_keys));
    s->pf = calloc(s->pf_mask + 1, sizeof(*s->pf));
    s->home_error = strdup("");
    if (!s->host)
        s->host = strdup("");
    if (!s->link_slots || !s->links || !s->msgs || !s->posts || !s->home_error || !s->host ||
        !s->item_keys || !s->item_cols || !s->pf_keys || !s->pf) {
        gs_site_destroy(&s);
        return NULL;
    }
    return s;
}

void gs_site_destroy(gs_site_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_site_t *s = *self_p;
    free(s->host);
    free(s->home_error);
    free(s->home_final);
    free(s->home_title);
    free(s->home_header);
    free(s->home_footer);
    free(s->home_alts);
    free(s->home_sitename_meta);
    free(s->footer_links);
    free(s->second_url);
    for (size_t i = 0; i < s->ncolumns; i++) {
        free(s->columns[i].name);
        free(s->columns[i].url);
    }
    for (int i = 0; i < GS_META_COUNT; i++)
        free(s->meta_example[i]);
    for (size_t i = 0; s->links && i < s->nlinks; i++) {
        free(s->links[i].url);
        free(s->links[i].page);
        free(s->links[i].text);
        free(s->links[i].why);
    }
    free(s->links);
    free(s->link_slots);
    gs_hits_cleanup(&s->wording);
    gs_hits_cleanup(&s->spam);
    gs_hits_cleanup(&s->hidden);
    gs_hits_cleanup(&s->scripts);
    gs_hits_cleanup(&s->privacy);
    gs_hits_cleanup(&s->service);
    free(s->channel_url);
    free(s->channel_name);
    for (size_t i = 0; s->msgs && i < s->nmsgs; i++) {
        free(s->msgs[i].title);
        free(s->msgs[i].url);
    }
    free(s->msgs);
    for (size_t i = 0; s->posts && i < s->nposts; i++) {
        free(s->posts[i].title);
        free(s->posts[i].url);
    }
    free(s->posts);
    free(s->item_keys);
    free(s->item_cols);
    free(s->pf_keys);
    free(s->pf);
    free(s->home_spam);
    free(s->cloak_title);
    free(s->cloak_terms);
    free(s->https_error);
    free(s->ipv6_error);
    free(s);
    *self_p = NULL;
}

/* ---- columns ------------------------------------------------------------------------ */

int gs_site_column_of(const gs_site_t *s, const char *url)
{
    for (size_t i = 0; i < s->ncolumns; i++)
        if (strcmp(s->columns[i].url, url) == 0)
            return (int)i;
    return -1;
}

int gs_site_add_column(gs_site_t *s, const char *name, const char *url, int level)
{
    if (s->ncolumns >= GS_SITE_MAX_COLUMNS || !name[0] || gs_site_column_of(s, url) >= 0)
        return -1;
    gs_column_t *c = &s->columns[s->ncolumns];
    memset(c, 0, sizeof(*c));
    c->name = strdup(name);
    c->url = strdup(url);
    if (!c->name || !c->url) {
        free(c->name);
        free(c->url);
        site_fail(s, GS_ENOMEM);
        return GS_ENOMEM;
    }
    c->level = level;
    c->newest = GS_NO_DAY;
    c->cls = gs_colrules_classify(s->env->columns, s->sitecode, name);
    /* its page may have been fetched already, as an ordinary page */
    uint64_t h = url_key(url);
    for (size_t i = (size_t)h & s->pf_mask; s->pf_keys[i]; i = (i + 1) & s->pf_mask)
        if (s->pf_keys[i] == h) {
            c->fetched = true;
            c->items = s->pf[i].items;
            c->newest = s->pf[i].newest;
            c->content_links = s->pf[i].content_links;
            c->placeholder = s->pf[i].placeholder;
            break;
        }
    return (int)s->ncolumns++;
}

/* ---- links -------------------------------------------------------------------------- */

static size_t link_slot(const gs_site_t *s, const char *url, uint64_t *hash)
{
    uint64_t h = gs_fnv1a(GS_FNV_INIT, url, strlen(url));
    *hash = h;
    size_t i = (size_t)h & s->link_mask;
    while (s->link_slots[i] && strcmp(s->links[s->link_slots[i] - 1].url, url) != 0)
        i = (i + 1) & s->link_mask;
    return i;
}

gs_sitelink_t *gs_site_link(gs_site_t *s, const char *url)
{
    uint64_t h;
    size_t i = link_slot(s, url, &h);
    return s->link_slots[i] ? &s->links[s->link_slots[i] - 1] : NULL;
}

/* The link record of url, made on first sight with where it was seen. */
static gs_sitelink_t *link_note(gs_site_t *s, const char *url, const char *page, const char *text,
                                bool on_home, uint8_t kind)
{
    uint64_t h;
    size_t i = link_slot(s, url, &h);
    if (s->link_slots[i]) {
        gs_sitelink_t *l = &s->links[s->link_slots[i] - 1];
        l->on_home |= on_home;
        /* the page holding it is the first by URL, whatever order pages arrived in */
        if (page && strcmp(page, l->page) < 0) {
            char *p = strdup(page), *t = dup_or_empty(text);
            if (p && t) {
                free(l->page);
                free(l->text);
                l->page = p;
                l->text = t;
            } else {
                free(p);
                free(t);
                site_fail(s, GS_ENOMEM);
            }
        }
        return l;
    }
    if (s->nlinks >= GS_SITE_MAX_LINKS) {
        s->links_dropped++;
        return NULL;
    }
    gs_sitelink_t *l = &s->links[s->nlinks];
    memset(l, 0, sizeof(*l));
    l->url = strdup(url);
    l->page = dup_or_empty(page);
    l->text = dup_or_empty(text);
    if (!l->url || !l->page || !l->text) {
        free(l->url);
        free(l->page);
        free(l->text);
        site_fail(s, GS_ENOMEM);
        return NULL;
    }
    l->on_home = on_home;
    l->kind = kind;
    l->external = !gs_url_same_host(url, s->home_url);
    s->link_slots[i] = (uint32_t)++s->nlinks;
    return l;
}

void gs_site_link_result(gs_site_t *s, const char *url, long status, int curl_code,
                         const char *error)
{
    gs_sitelink_t *l = gs_site_link(s, url);
    if (!l)
        return;
    l->status = status;
    bool ok = curl_code == 0 && status > 0 && status < 400;
    l->state = ok ? GS_LINK_OK : GS_LINK_BROKEN;
    free(l->why);
    char buf[300];
    if (curl_code)
        snprintf(buf, sizeof(buf), "%s", error && error[0] ? error : "连接失败");
    else
        snprintf(buf, sizeof(buf), "HTTP %ld", status);
    l->why = strdup(ok ? "" : buf);
    if (!l->why)
        site_fail(s, GS_ENOMEM);
    /* a consultation channel works when the page it leads to opens */
    if (ok && !s->channel && gs_terms_find(&s->env->terms[GS_TERM_CHANNEL], l->text, NULL)) {
        s->channel = true;
        set_str(s, &s->channel_url, l->url);
        set_str(s, &s->channel_name, l->text);
    }
}

/* ---- the home page ------------------------------------------------------------------- */

/* Append line and a newline to a growing string (bounded: past max, lines are left out
 * by design; a shortage is recorded in s). */
static void join_line(gs_site_t *s, char **dst, const char *line, size_t max)
{
    size_t have = *dst ? strlen(*dst) : 0, add = strlen(line);
    if (have + add + 2 > max)
        return;
    char *n = realloc(*dst, have + add + 2);
    if (!n) {
        site_fail(s, GS_ENOMEM);
        return;
    }
    memcpy(n + have, line, add);
    n[have + add] = '\n';
    n[have + add + 1] = '\0';
    *dst = n;
}

/* Not pages: documents, images, media and archives are not columns. */
static int looks_like_page(const char *url)
{
    static const char *const skip[] = {
        ".pdf", ".doc",  ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".zip", ".rar", ".7z",
        ".jpg", ".jpeg", ".png",  ".gif", ".bmp",  ".mp4", ".mp3",  ".avi", ".flv", ".wps",
        ".txt", ".xml",  ".css",  ".js",  ".ico",  ".svg", ".apk",  ".exe", ".swf", NULL};
    const char *q = strchr(url, '?');
    size_t n = q ? (size_t)(q - url) : strlen(url);
    for (int i = 0; skip[i]; i++) {
        size_t l = strlen(skip[i]);
        if (n > l && strncasecmp(url + n - l, skip[i], l) == 0)
            return 0;
    }
    return 1;
}

/* 1 when url is the site's home page itself. */
static int is_home(const gs_site_t *s, const char *url)
{
    if (strcmp(url, s->home_url) == 0 || (s->home_final && strcmp(url, s->home_final) == 0))
        return 1;
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    return p && (!strcmp(p, "/") || !strcmp(p, "/index.html") || !strcmp(p, "/index.htm") ||
                 !strcmp(p, "/index.shtml") || !strcmp(p, "/index.jsp") ||
                 !strcmp(p, "/index.php") || !strcmp(p, "/default.htm"));
}

/* Column candidates: a link of the navigation to a page of the site, with a short name. */
static int column_link(const gs_site_t *s, const gs_link_t *l)
{
    size_t tl = strlen(l->text);
    return l->kind == GS_LINK_A && l->hidden == GS_HIDDEN_NO && tl > 0 && tl <= 48 &&
           l->item_day == GS_NO_DAY && gs_url_same_host(l->url, s->home_url) &&
           looks_like_page(l->url) && !is_home(s, l->url);
}

void gs_site_home(gs_site_t *s, const gs_page_t *page, long status, const char *error,
                  const char *final_url)
{
    s->home_tries++;
    s->home_status = status;
    set_str(s, &s->home_error, error);
    if (!page)
        return;
    s->home_ok = true;
    set_str(s, &s->home_final, final_url);
    set_str(s, &s->home_title, page->title);
    set_str(s, &s->home_header, page->header_text);
    set_str(s, &s->home_footer, page->footer_text);
    s->home_footer_found = page->footer_found;
    set_str(s, &s->home_sitename_meta, gs_page_meta(page, "sitename"));
    for (size_t i = 0; i < page->nalts; i++)
        join_line(s, &s->home_alts, page->alts[i], 8192);
    s->home_newest = gs_page_newest_day(page);
    for (size_t i = 0; i < page->nlinks; i++) {
        const gs_link_t *l = &page->links[i];
        if (l->region == GS_REGION_FOOTER || strstr(l->url, "conac.cn") || strstr(l->url, "zfwzzc"))
            join_line(s, &s->footer_links, l->url, 64 * 1024);
    }
    /* The column inventory: the navigation; when the page has no recognizable navigation,
     * the short links of the site that are not list items (a portal's entries). */
    size_t before = s->ncolumns;
    for (size_t i = 0; i < page->nlinks; i++)
        if (page->links[i].region == GS_REGION_NAV && column_link(s, &page->links[i]))
            gs_site_add_column(s, page->links[i].text, page->links[i].url, 1);
    if (s->ncolumns - before < 3)
        for (size_t i = 0; i < page->nlinks && s->ncolumns < 40; i++) {
            const gs_link_t *l = &page->links[i];
            if (l->region != GS_REGION_FOOTER && column_link(s, l) && strlen(l->text) <= 24)
                gs_site_add_column(s, l->text, l->url, 1);
        }
}

/* ---- per page ------------------------------------------------------------------------- */

/* Meta tags of checks.md W-META: site tags on every page, ColumnName on column pages,
 * article tags on articles. */
static void note_metas(gs_site_t *s, const gs_page_t *page, const char *url, gs_role_t role)
{
    /* a message of a board is an item of its column, not an article */
    if (role == GS_ROLE_ARTICLE && page->nmsgs)
        role = GS_ROLE_OTHER;
    for (int i = 0; i < GS_META_COUNT; i++) {
        bool wanted = i <= GS_META_SITEIDCODE ||
                      (i == GS_META_COLUMNNAME && role == GS_ROLE_COLUMN) ||
                      (i >= GS_META_ARTICLETITLE && role == GS_ROLE_ARTICLE);
        if (!wanted)
            continue;
        char lower[32];
        size_t n = strlen(gs_meta_names[i]);
        for (size_t k = 0; k <= n && k < sizeof(lower); k++)
            lower[k] = (char)tolower((unsigned char)gs_meta_names[i][k]);
        const char *v = gs_page_meta(page, lower);
        if (v && v[0])
            continue;
        s->meta_missing[i]++;
        if (!s->meta_example[i] || strcmp(url, s->meta_example[i]) < 0)
            set_str(s, &s->meta_example[i], url);
    }
}

/* The site's own links: every reference of the page into the link table; hidden links to
 * hosts outside government into the security hits. */
static void note_links(gs_site_t *s, const gs_page_t *page, const char *url, gs_role_t role)
{
    for (size_t i = 0; i < page->nlinks; i++) {
        const gs_link_t *l = &page->links[i];
        if (l->hidden != GS_HIDDEN_NO) {
            char *h = gs_url_host(l->url);
            /* the site's own pages are not 暗链, whatever its domain */
            if (h && l->kind == GS_LINK_A && !gs_host_is_gov(h) && strcmp(h, s->host) != 0) {
                static const char *const why[] = {"",           "display:none", "visibility:hidden",
                                                  "off-screen", "font-size:0",  "zero size",
                                                  "marquee"};
                site_fail(s, gs_hits_add(&s->hidden, h, why[l->hidden < 7 ? l->hidden : 0], url,
                                         l->text));
            }
            free(h);
            continue;
        }
        link_note(s, l->url, url, l->text, role == GS_ROLE_HOME, l->kind);
    }
}

/* Scripts that send a visitor, or a frame, to a host outside government. */
static void note_scripts(gs_site_t *s, const gs_page_t *page, const char *url)
{
    for (size_t i = 0; i < page->nscripts; i++) {
        const gs_script_t *sc = &page->scripts[i];
        if (sc->kind == GS_SCRIPT_SRC || !sc->target[0])
            continue;
        char *h = gs_url_host(sc->target);
        if (h && !gs_host_is_gov(h) && !gs_url_same_host(sc->target, s->home_url)) {
            const char *cause = sc->kind == GS_SCRIPT_WRITE ? "script-write"
                                : sc->conditional           ? "script-redirect-referrer"
                                                            : "script-redirect";
            site_fail(s, gs_hits_add(&s->scripts, h, cause, url, sc->target));
        }
        free(h);
    }
}

/* 身份证号 and mobile numbers in bulk (gs_content). */
static void note_privacy(gs_site_t *s, const gs_page_t *page, const char *url)
{
    int rc = gs_content_privacy(page->text, page->text_len, s->ref_day, s->cfg->privacy_mobiles,
                                url, &s->privacy);
    if (rc > 0)
        s->mobiles_pages++;
    site_fail(s, rc);
}

/* A service guide: which of the ten elements it shows. */
static void note_service(gs_site_t *s, const gs_page_t *page, const char *url)
{
    const gs_termlist_t *el = &s->env->terms[GS_TERM_SERVICE];
    bool guide = gs_terms_find(&s->env->terms[GS_TERM_GUIDE], page->title, NULL);
    size_t have = 0;
    char missing[512] = "";
    size_t ml = 0;
    for (size_t i = 0; i < el->len; i++) {
        if (strstr(page->text, el->items[i])) {
            have++;
        } else {
            int w =
                snprintf(missing + ml, sizeof(missing) - ml, "%s%s", ml ? "、" : "", el->items[i]);
            if (w > 0 && (size_t)w < sizeof(missing) - ml)
                ml += (size_t)w;
        }
    }
    if (!guide && have < 3)
        return;
    if (ml)
        site_fail(s, gs_hits_add(&s->service, url, missing, url, page->title));
}

/* An article's title: its ArticleTitle tag, else the page title without the site name
 * CMSs append ("标题_网站名称", "标题 - 网站名称"). */
static char *article_title(const gs_page_t *page)
{
    const char *t = gs_page_meta(page, "articletitle");
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", t && t[0] ? t : page->title);
    if (!(t && t[0])) {
        static const char *const seps[] = {"_", " - ", "|", "——", "－", NULL};
        for (int i = 0; seps[i]; i++) {
            char *cut = strstr(buf, seps[i]);
            if (cut && cut != buf)
                *cut = '\0';
        }
    }
    return strdup(buf);
}

/* The longest lines of the text stand for the article's body: they are what two copies of
 * one item share, while crumbs and side menus differ by column. */
static uint64_t post_key(gs_site_t *s, const gs_page_t *page)
{
    const char *best[3] = {NULL, NULL, NULL};
    size_t bl[3] = {0, 0, 0};
    const char *t = page->text, *end = t + page->text_len;
    while (t < end) {
        const char *nl = memchr(t, '\n', (size_t)(end - t));
        size_t l = nl ? (size_t)(nl - t) : (size_t)(end - t);
        for (int k = 0; k < 3; k++)
            if (l > bl[k]) {
                for (int j = 2; j > k; j--)
                    best[j] = best[j - 1], bl[j] = bl[j - 1];
                best[k] = t, bl[k] = l;
                break;
            }
        t += l + 1;
    }
    char *title = article_title(page);
    if (!title)
        site_fail(s, GS_ENOMEM);
    uint64_t h = gs_fnv1a(GS_FNV_INIT, title ? title : "", title ? strlen(title) : 0);
    free(title);
    for (int k = 0; k < 3; k++)
        if (best[k] && bl[k] >= 20)
            h = gs_fnv1a(h, best[k], bl[k]);
    return h;
}

/* The column whose list holds item url, or -1. */
static int item_column(const gs_site_t *s, uint64_t h)
{
    for (size_t i = (size_t)h & s->item_mask; s->item_keys[i]; i = (i + 1) & s->item_mask)
        if (s->item_keys[i] == h)
            return s->item_cols[i];
    return -1;
}

/* Remember that a column's list holds item url (the first column wins), and tell a post
 * already read from the home page's lists which column it belongs to. */
static void note_item(gs_site_t *s, const char *url, int column)
{
    uint64_t h = url_key(url);
    size_t i = (size_t)h & s->item_mask, probes = 0;
    while (s->item_keys[i] && s->item_keys[i] != h && probes++ <= s->item_mask)
        i = (i + 1) & s->item_mask;
    if (s->item_keys[i] == h || probes > s->item_mask / 2)
        return;
    s->item_keys[i] = h;
    s->item_cols[i] = (int16_t)column;
    for (size_t k = 0; k < s->nposts; k++)
        if (s->posts[k].url_hash == h && s->posts[k].column < 0)
            s->posts[k].column = column;
}

/* Whether the page links to (or names, as "相关解读：" before a link) what kind of terms
 * list: an interpretation, or the document interpreted. */
static bool links_to(const gs_site_t *s, const gs_page_t *page, gs_termkind_t kind)
{
    const gs_termlist_t *tl = &s->env->terms[kind];
    for (size_t i = 0; i < page->nlinks; i++) {
        const gs_link_t *l = &page->links[i];
        if (l->kind == GS_LINK_A && l->region == GS_REGION_BODY && l->hidden == GS_HIDDEN_NO &&
            gs_terms_find(tl, l->text, NULL))
            return true;
    }
    for (size_t i = 0; i < tl->len; i++) {
        char label[96];
        snprintf(label, sizeof(label), "%s：", tl->items[i]);
        if (strstr(page->text, label))
            return true;
    }
    return false;
}

static void note_post(gs_site_t *s, const gs_page_t *page, const char *url, int column)
{
    if (s->nposts >= GS_SITE_MAX_POSTS || page->items > 3 || page->nmsgs)
        return; /* a list page is not an article, nor is a message */
    gs_sitepost_t *p = &s->posts[s->nposts];
    memset(p, 0, sizeof(*p));
    p->key = post_key(s, page);
    p->url_hash = url_key(url);
    p->column = column >= 0 ? column : item_column(s, p->url_hash);
    p->title = article_title(page);
    p->url = strdup(url);
    if (!p->title || !p->url) {
        free(p->title);
        free(p->url);
        site_fail(s, GS_ENOMEM);
        return;
    }
    p->links_interp = links_to(s, page, GS_TERM_INTERP);
    p->links_source = links_to(s, page, GS_TERM_SOURCE);
    s->nposts++;
}

static void note_msgs(gs_site_t *s, const gs_page_t *page, const char *url)
{
    for (size_t i = 0; i < page->nmsgs && s->nmsgs < GS_SITE_MAX_MSGS; i++) {
        const gs_msgrec_t *m = &page->msgs[i];
        /* the same message on its list page and its detail page counts once */
        bool seen = false;
        for (size_t k = 0; k < s->nmsgs && !seen; k++) {
            seen = s->msgs[k].asked == m->asked && strcmp(s->msgs[k].title, m->title) == 0 &&
                   m->title[0];
            if (seen && strcmp(url, s->msgs[k].url) < 0)
                set_str(s, &s->msgs[k].url, url); /* the first page by URL, not by arrival */
        }
        if (seen)
            continue;
        gs_sitemsg_t *x = &s->msgs[s->nmsgs];
        x->asked = m->asked;
        x->replied = m->replied;
        x->unanswered = m->unanswered;
        x->title = strdup(m->title);
        x->url = strdup(url);
        if (!x->title || !x->url) {
            free(x->title);
            free(x->url);
            site_fail(s, GS_ENOMEM);
            continue;
        }
        s->nmsgs++;
    }
    if (page->nmsgs && !s->channel) {
        /* a message board that shows answered messages is a working channel */
        s->channel = true;
        set_str(s, &s->channel_url, url);
        set_str(s, &s->channel_name, page->title);
    }
}

/* The shape of a URL's path: its next-to-last segment replaced by a star, so that
 * /col/zwdt/index.html and /col/jgzn/index.html have one shape; into out, "" when the path
 * has fewer than two segments. */
static void url_shape(const char *url, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    if (!p)
        return;
    size_t n = strcspn(p, "?#");
    const char *last = NULL, *prev = NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '/') {
            prev = last;
            last = p + i;
        }
    if (!prev || (size_t)(prev - p) + 2 + (size_t)(p + n - last) >= outlen)
        return;
    snprintf(out, outlen, "%.*s/*%.*s", (int)(prev - p), p, (int)(p + n - last), last);
}

/* Whether url has the shape of a top-level column's URL. */
static bool column_shaped(const gs_site_t *s, const char *url)
{
    char want[512], have[512];
    url_shape(url, want, sizeof(want));
    if (!want[0])
        return false;
    for (size_t i = 0; i < s->ncolumns; i++) {
        if (s->columns[i].level != 1)
            continue;
        url_shape(s->columns[i].url, have, sizeof(have));
        if (!strcmp(have, want))
            return true;
    }
    return false;
}

/* A column page: its items, its newest item, and sub-columns it names. */
/* The column facts of a page; for a column's own page (column >= 0) also the items it
 * lists and the sub-columns it names. */
static void column_facts(gs_site_t *s, const gs_page_t *page, int column, struct gs_colfacts *out)
{
    out->items = page->items;
    out->newest = page->newest_item;
    out->content_links = 0;
    out->placeholder = NULL;
    for (size_t i = 0; i < page->nlinks; i++) {
        const gs_link_t *l = &page->links[i];
        if (l->kind != GS_LINK_A || l->region != GS_REGION_BODY || l->hidden != GS_HIDDEN_NO ||
            is_home(s, l->url) || !gs_url_same_host(l->url, s->home_url))
            continue;
        if (gs_site_column_of(s, l->url) >= 0)
            continue; /* the side menu of columns */
        out->content_links++;
        if (column < 0)
            continue;
        if (l->item_day != GS_NO_DAY)
            note_item(s, l->url, column);
        /* a sub-column: a short name that is not an item of the list, and either a column
         * name of the keyword table, a section heading, or a URL of the same shape as a
         * top-level column's (col/SLUG/index.html beside col/zwdt/index.html) */
        if (l->item_day == GS_NO_DAY && l->text[0] && strlen(l->text) <= 30 &&
            looks_like_page(l->url) &&
            (l->heading || gs_colrules_classify(s->env->columns, s->sitecode, l->text) ||
             column_shaped(s, l->url)))
            gs_site_add_column(s, l->text, l->url, 2);
    }
    /* a list that only says "暂无信息": one of the page's lines is a placeholder */
    if (out->items == 0 && s->env->dict) {
        const char *t = page->text, *end = t + page->text_len;
        while (t < end && !out->placeholder) {
            const char *nl = memchr(t, '\n', (size_t)(end - t));
            size_t l = nl ? (size_t)(nl - t) : (size_t)(end - t);
            if (l && l <= GS_DICT_PLACEHOLDER_TEXT_MAX)
                out->placeholder = gs_dict_placeholder(s->env->dict, t, l);
            t += l + 1;
        }
    }
}

/* A column page: its facts into the column. */
static void note_column(gs_site_t *s, const gs_page_t *page, int column)
{
    struct gs_colfacts f;
    column_facts(s, page, column, &f);
    gs_column_t *c = &s->columns[column];
    c->fetched = true;
    c->items = f.items;
    c->newest = f.newest;
    c->content_links = f.content_links;
    c->placeholder = f.placeholder;
}

/* A page that is not (yet) a column: its column facts kept, should a section name it as
 * its sub-column later. Bounded: past half the table's slots, pages are not kept. */
static void keep_page_facts(gs_site_t *s, const gs_page_t *page, const char *url)
{
    uint64_t h = url_key(url);
    size_t i = (size_t)h & s->pf_mask, n = 0;
    while (s->pf_keys[i] && s->pf_keys[i] != h) {
        i = (i + 1) & s->pf_mask;
        if (++n > s->pf_mask / 2)
            return;
    }
    s->pf_keys[i] = h;
    column_facts(s, page, -1, &s->pf[i]);
}

/* The text the dictionaries read: title, meta keywords and description, the visible text
 * (Traditional pages were converted to Simplified when they were parsed). */
static int content_text(const gs_site_t *s, const gs_page_t *page, gs_buf_t *out)
{
    (void)s;
    const char *kw = gs_page_meta(page, "keywords"), *desc = gs_page_meta(page, "description");
    int rc = gs_buf_printf(out, "%s\n%s\n%s\n", page->title, kw ? kw : "", desc ? desc : "");
    if (rc == 0)
        rc = gs_buf_append(out, page->text, page->text_len);
    return rc == GS_ETOOBIG ? 0 : rc; /* the text is bounded by the page's cap: keep what fits */
}

/* Spam and wording errors of the dictionaries on one page. */
static void note_content(gs_site_t *s, const gs_page_t *page, const char *url, gs_role_t role)
{
    if (!s->env->dict)
        return;
    gs_buf_t t;
    gs_buf_init(&t, 2 * GS_PAGE_MAX_TEXT);
    int rc = content_text(s, page, &t);
    if (rc == 0 && t.data)
        rc = gs_content_dict(s->env, t.data, t.len, url, &s->wording, &s->spam,
                             role == GS_ROLE_HOME ? &s->home_spam : NULL);
    site_fail(s, rc);
    gs_buf_cleanup(&t);
}

/* Cloaking: the spider got spam the browser did not, or a title with spam in it. */
void gs_site_cloak(gs_site_t *s, const gs_page_t *page)
{
    set_str(s, &s->cloak_title, page->title);
    if (!s->env->dict)
        return;
    gs_buf_t t;
    gs_buf_init(&t, 2 * GS_PAGE_MAX_TEXT);
    int rc = content_text(s, page, &t);
    if (rc < 0 || !t.data) {
        site_fail(s, rc);
        gs_buf_cleanup(&t);
        return;
    }
    gs_dict_spam_t sp[GS_CONTENT_HITS];
    int n = gs_content_spam_terms(s->env, t.data, t.len, sp, GS_CONTENT_HITS);
    site_fail(s, n);
    char terms[512] = "";
    size_t tl = 0;
    for (int i = 0; i < n; i++) {
        bool browser_too = false;
        if (s->home_spam) {
            char want[300];
            snprintf(want, sizeof(want), "%s\n", sp[i].term);
            browser_too = strstr(s->home_spam, want) != NULL;
        }
        if (browser_too || tl >= sizeof(terms) - 1)
            continue;
        int w = snprintf(terms + tl, sizeof(terms) - tl, "%s%s", tl ? "、" : "", sp[i].term);
        if (w > 0 && (size_t)w < sizeof(terms) - tl)
            tl += (size_t)w;
    }
    if (tl)
        set_str(s, &s->cloak_terms, terms);
    gs_buf_cleanup(&t);
}

void gs_site_page(gs_site_t *s, const gs_page_t *page, const char *url, gs_role_t role, int column,
                  uint32_t depth)
{
    note_content(s, page, url, role);
    s->pages[role < 4 ? role : GS_ROLE_OTHER]++;
    note_metas(s, page, url, role);
    note_links(s, page, url, role);
    note_scripts(s, page, url);
    note_privacy(s, page, url);
    note_msgs(s, page, url);
    note_service(s, page, url);
    /* a page the crawl reached as an ordinary page before a section named it as its
     * sub-column is that column's page all the same */
    int col = role == GS_ROLE_COLUMN ? column
              : role != GS_ROLE_HOME ? gs_site_column_of(s, url)
                                     : -1;
    if (col >= 0)
        note_column(s, page, col);
    else if (role != GS_ROLE_HOME)
        keep_page_facts(s, page, url);
    /* an item the crawl first reached from a link that was not a list entry (a picture
     * news block) is still an article: its column is the list that holds it */
    if (role == GS_ROLE_ARTICLE || role == GS_ROLE_OTHER)
        note_post(s, page, url, column);
    if (depth == 1 && role != GS_ROLE_HOME) {
        int32_t d = gs_page_newest_day(page);
        if (d != GS_NO_DAY && (d > s->second_newest || (d == s->second_newest && s->second_url &&
                                                        strcmp(url, s->second_url) < 0))) {
            s->second_newest = d;
            set_str(s, &s->second_url, url);
        }
    }
}

void gs_site_page_failed(gs_site_t *s, const char *url, int column, long status, const char *why)
{
    (void)url, (void)why;
    if (column >= 0 && column < (int)s->ncolumns) {
        s->columns[column].failed = true;
        s->columns[column].status = status;
    }
}

int gs_site_check(gs_site_t *s, gs_findings_t *out)
{
    if (s->err)
        return s->err; /* some fact was lost: judging the rest would be a wrong answer */
    int rc = gs_chk_home(s, out);
    if (rc == 0 && s->home_ok) {
        int (*const groups[])(gs_site_t *, gs_findings_t *) = {
            gs_chk_columns, gs_chk_identity, gs_chk_content,  gs_chk_interact,
            gs_chk_service, gs_chk_links,    gs_chk_transport};
        for (size_t i = 0; rc == 0 && i < sizeof(groups) / sizeof(groups[0]); i++)
            rc = groups[i](s, out);
    } else if (rc == 0) {
        /* An unreachable site still has a domain to judge. */
        rc = gs_chk_identity(s, out);
    }
    return rc;
}
