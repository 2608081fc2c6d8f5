/* sim_site.c -- render the pages of a simulated government website on the fly: home page,
 * column lists with pagination, articles, robots.txt and the few images they reference.
 *
 * Pages follow the layout of real Chinese government portals (《政府网站发展指引》): a
 * heavy head with the SiteName/SiteDomain/SiteIDCode tags and inline CSS and JS, a
 * header with the site name and logo, a nav of columns, dated lists in the format of the
 * site and block, and a footer with 主办单位, 联系电话, 网站标识码, ICP and 公安 filing
 * numbers, the conac badge and the 找错 link. Everything is rendered in UTF-8 from the
 * plan and converted to the site's charset by sim_reply_page. All internal links resolve;
 * the only dates on a page are the planted ones, none after the reference date. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ceiling of one rendered page; real pages here are 10-40 KB. */
#define PAGE_MAX (4u << 20)
/* Items per home list. */
#define HOME_ITEMS 8
/* First article number of a column (art_<num>_<ART_BASE + k>.html). */
#define ART_BASE 10000u

typedef struct ctx {
    const sim_plan_t *p;
    const sim_target_t *t;
    const sim_site_t *s;
    gs_buf_t *b;
    sim_pagekind_t kind;
} ctx_t;

static const char *const theme_colors[] = {"#b5121b", "#0b5aa2", "#1a6f3b", "#9c4a1a"};

/* Inline CSS as the CMS templates ship it (a few KB); the theme colour is a variable. */
static const char css_text[] =
    "*{margin:0;padding:0;box-sizing:border-box}body{font:14px/1.75 \"Microsoft YaHei\","
    "\"微软雅黑\",SimSun,\"宋体\",Arial,sans-serif;color:#333;background:#f4f5f7}"
    "a{color:#333;text-decoration:none}a:hover{color:var(--main);text-decoration:underline}"
    "ul,ol{list-style:none}img{border:0;vertical-align:middle}.w1200{width:1200px;margin:0 auto}"
    ".clearfix:after{content:\"\";display:block;clear:both}"
    ".topbar{height:36px;line-height:36px;background:#f0f0f0;border-bottom:1px solid #e2e2e2;"
    "font-size:13px;color:#666}.topbar .welcome{float:left}.topbar .tools{float:right}"
    ".topbar .tools a{margin-left:14px;color:#666}"
    ".header{height:150px;background:var(--main) linear-gradient(180deg,rgba(255,255,255,.15),"
    "rgba(0,0,0,.1))}.header .logo{float:left;margin-top:34px}.header .logo img{height:80px}"
    ".header .site-name{float:left;margin:50px 0 0 16px;color:#fff;font-size:34px;"
    "letter-spacing:2px;font-family:\"方正小标宋简体\",SimSun,serif}"
    ".header .search{float:right;margin-top:56px;width:320px;height:38px;background:#fff;"
    "border-radius:19px;overflow:hidden}.header .search input{width:250px;height:38px;border:0;"
    "padding:0 16px;outline:none}.header .search button{width:70px;height:38px;border:0;"
    "background:#ffe8a3;color:var(--main);cursor:pointer}"
    ".navbar{height:50px;background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.08)}"
    "ul.nav{display:flex;justify-content:space-between}ul.nav li{flex:1;text-align:center}"
    "ul.nav li a{display:block;height:50px;line-height:50px;font-size:17px;color:#222}"
    "ul.nav li a:hover,ul.nav li.on a{background:var(--main);color:#fff;text-decoration:none}"
    ".banner{height:260px;margin:16px auto;background:#dfe6ee;position:relative}"
    ".banner a{position:absolute;left:24px;bottom:20px;font-size:22px;color:var(--main)}"
    ".main{margin:16px auto;background:#fff;padding:20px}"
    ".block{float:left;width:575px;margin:0 10px 20px;min-height:280px}"
    ".block-hd{height:40px;border-bottom:2px solid #e5e5e5;position:relative}"
    ".block-hd h2{display:inline-block;height:40px;line-height:40px;font-size:18px;"
    "color:var(--main);border-bottom:2px solid var(--main)}"
    ".block-hd .more{position:absolute;right:0;top:10px;font-size:12px;color:#999}"
    ".list li{height:36px;line-height:36px;padding-left:12px;position:relative;"
    "border-bottom:1px dashed #eee;overflow:hidden}"
    ".list li:before{content:\"\";position:absolute;left:0;top:16px;width:4px;height:4px;"
    "background:#bbb}.list li a{float:left;max-width:460px;white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis}.list li span{float:right;color:#999;font-size:13px}"
    ".entries{float:left;width:1160px;margin:0 10px 20px}.entries a{float:left;width:178px;"
    "height:64px;line-height:64px;margin:0 14px 10px 0;text-align:center;background:#f6f8fb;"
    "border:1px solid #e6eaf0;font-size:16px}"
    ".crumb{height:44px;line-height:44px;border-bottom:1px solid #eee;color:#666}"
    ".side{float:left;width:240px}.side h3{height:56px;line-height:56px;background:var(--main);"
    "color:#fff;text-align:center;font-size:20px}.side li a{display:block;height:46px;"
    "line-height:46px;padding-left:30px;border-bottom:1px solid #eee}"
    ".content-list{float:right;width:880px}.page{margin:26px 0;text-align:center}"
    ".page a,.page span{display:inline-block;padding:0 12px;height:30px;line-height:30px;"
    "margin:0 3px;border:1px solid #ddd}"
    ".article h1{font-size:26px;line-height:1.5;text-align:center;color:#222;margin:20px 0}"
    ".article .info{text-align:center;color:#888;border-bottom:1px solid #eee;"
    "padding-bottom:14px;font-size:13px}.article .info span{margin:0 10px}"
    ".article .content{font-size:16px;line-height:2;padding:24px 40px}"
    ".article .content p{text-indent:2em;margin-bottom:14px}"
    ".article .content p.right{text-align:right;text-indent:0}"
    ".prevnext{border-top:1px solid #eee;padding:16px 40px;color:#666}"
    ".pics{float:left;width:575px;margin:0 10px 20px}.pics ul{display:flex;flex-wrap:wrap}"
    ".pics li{width:280px;margin:0 7px 10px 0}.pics li img{width:280px;height:160px;"
    "object-fit:cover;background:#e8ecf1}.pics li p{height:30px;line-height:30px;"
    "white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:14px}"
    ".friend{background:#fff;padding:14px 20px;margin:0 auto 16px}.friend h3{float:left;"
    "width:120px;font-size:15px;color:var(--main)}.friend ul{float:left;width:1040px}"
    ".friend li{float:left;margin-right:18px;line-height:28px}"
    ".elder .list li a,.elder .article .content{font-size:20px}"
    ".elder ul.nav li a{font-size:20px}.elder .header .site-name{font-size:40px}"
    ".gotop{position:fixed;right:20px;bottom:60px;width:44px;height:44px;background:#999;"
    "color:#fff;text-align:center;line-height:44px;border-radius:4px;opacity:.7}"
    ".hot{float:left;width:575px;margin:0 10px 20px}.hot li{float:left;width:50%;height:34px;"
    "line-height:34px;padding-right:12px;white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis}.hot li a:before{content:\"·\";color:var(--main);margin-right:6px}"
    ".tab-hd li{float:left;padding:0 18px;height:40px;line-height:40px;cursor:pointer}"
    ".tab-hd li.on{background:var(--main);color:#fff}"
    ".share{margin:10px 40px;color:#999}.share a{margin-left:10px;color:#999}"
    "@media print{.topbar,.header .search,.navbar,.side,.footer,.gotop,.share,.prevnext"
    "{display:none}.article .content{padding:0;font-size:12pt}body{background:#fff}}"
    "@media screen and (max-width:768px){.header{height:auto;padding:10px}.header .site-name"
    "{font-size:22px;margin:8px 0}.header .search{float:none;width:100%}ul.nav{flex-wrap:wrap}"
    "ul.nav li{flex:0 0 25%}.side{display:none}.content-list{width:100%}.pics,.hot{width:100%}"
    ".list li a{max-width:70%}.footer .badges{float:none}}"
    ".svc li{float:left;width:25%;text-align:center}.svc li a{display:block;margin:6px;"
    "height:48px;line-height:48px;border:1px solid #e6eaf0;background:#fbfcfe}"
    ".block-hd .sub{margin-left:14px;color:#999;font-size:13px}"
    ".wza-bar{position:fixed;top:0;left:0;right:0;height:48px;background:#333;z-index:99}"
    ".wza-bar button{margin:9px 6px;padding:0 14px;height:30px;border:0;border-radius:3px;"
    "background:#555;color:#fff;cursor:pointer}"
    ".footer{background:#2d2d2d;color:#bbb;padding:26px 0;font-size:13px;line-height:2.1}"
    ".footer a{color:#bbb}.footer .badges{float:left;margin-right:30px}"
    ".footer .badges img{width:56px;height:68px;margin-right:10px}"
    ".footer .info{float:left}"
    "@media screen and (max-width:1200px){.w1200{width:100%}.block{width:auto;float:none}}";

/* Inline JS of the template: font size, 长者模式, tabs, today's date computed in the
 * browser (never a literal date, which would make every page look fresh). */
static const char js_text[] =
    "(function(){var d=document;function $(id){return d.getElementById(id)}"
    "window.setFontSize=function(s){var c=d.querySelector('.article .content');"
    "if(c){c.style.fontSize=s+'px';}};"
    "window.toggleElder=function(){var b=d.body;b.className=b.className.indexOf('elder')>=0?"
    "b.className.replace('elder',''):b.className+' elder';};"
    "function today(){var n=new Date(),w='日一二三四五六'.charAt(n.getDay());"
    "return '今天是'+n.getFullYear()+'年'+(n.getMonth()+1)+'月'+n.getDate()+'日 星期'+w;}"
    "function tabs(){var hs=d.querySelectorAll('.tab-hd li');for(var i=0;i<hs.length;i++){"
    "hs[i].onmouseover=function(){var sib=this.parentNode.children;for(var j=0;j<sib.length;"
    "j++){sib[j].className='';}this.className='on';};}}"
    "function search(){var q=$('q');if(!q){return;}q.onkeydown=function(e){if((e||"
    "window.event).keyCode==13){alert('检索服务维护中，请稍后再试');}};}"
    "function nav(){var p=location.pathname,as=d.querySelectorAll('ul.nav a');"
    "for(var i=0;i<as.length;i++){var h=as[i].getAttribute('href');"
    "if(h!=='/'&&p.indexOf(h.replace('index.html',''))===0){as[i].parentNode.className='on';}}}"
    "function ready(f){if(d.readyState!=='loading'){f();}else{"
    "d.addEventListener('DOMContentLoaded',f);}}"
    "ready(function(){var t=$('today');if(t){t.innerHTML=today();}tabs();search();nav();});"
    "function slide(){var box=d.querySelector('.pics ul');if(!box){return;}var items=box.children,"
    "cur=0,n=items.length;if(n<2){return;}setInterval(function(){items[cur].style.opacity=.6;"
    "cur=(cur+1)%n;items[cur].style.opacity=1;},5000);}"
    "function gotop(){var g=d.querySelector('.gotop');if(!g){return;}window.onscroll=function(){"
    "var y=d.documentElement.scrollTop||d.body.scrollTop;g.style.display=y>400?'block':'none';};"
    "g.onclick=function(e){(e||window.event).preventDefault&&e.preventDefault();"
    "window.scrollTo(0,0);};}"
    "function share(){var s=d.querySelectorAll('.share a');for(var i=0;i<s.length;i++){"
    "s[i].onclick=function(){var u=encodeURIComponent(location.href),"
    "t=encodeURIComponent(d.title);this.href=this.getAttribute('data-tpl').replace('{u}',u)"
    ".replace('{t}',t);};}}"
    "function visited(){try{var k='gs_visited',v=parseInt(localStorage.getItem(k)||'0',10)+1;"
    "localStorage.setItem(k,String(v));}catch(e){}}"
    "function wza(){var w=d.querySelectorAll('.tools a');for(var i=0;i<w.length;i++){"
    "if(w[i].innerHTML.indexOf('无障碍')>=0){w[i].onclick=function(){"
    "d.body.style.filter=d.body.style.filter?'':'contrast(1.3)';};}}}"
    "ready(function(){slide();gotop();share();visited();wza();});"
    "})();";

static void put(ctx_t *x, const char *s)
{
    gs_buf_puts(x->b, s);
}

static void put_esc(ctx_t *x, const char *s)
{
    sim_html_escape(x->b, s, strlen(s));
}

/* Bytes of the first max_chars characters of UTF-8 s. */
static size_t utf8_prefix(const char *s, size_t max_chars, bool *truncated)
{
    size_t i = 0, n = 0;
    while (s[i] && n < max_chars) {
        unsigned char c = (unsigned char)s[i];
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        n++;
    }
    *truncated = s[i] != 0;
    return i;
}

static const sim_coldef_t *coldef(const sim_column_t *c)
{
    return &sim_coldefs[c->def];
}

static int col_age(const sim_site_t *s, const sim_column_t *c, uint32_t k)
{
    return s->ages[c->first + k];
}

/* The stream of item k of column c: its title first, then its time and body. */
static void item_rng(const ctx_t *x, const sim_column_t *c, uint32_t k, sim_rng_t *rng)
{
    sim_rng_init(rng, x->t->seed, SIM_STREAM_ITEM, ((uint64_t)c->num << 24) | k);
}

static unsigned item_title(const ctx_t *x, const sim_column_t *c, uint32_t k, gs_buf_t *out,
                           sim_rng_t *rng)
{
    gs_ymd_t d = sim_plan_date(x->p, col_age(x->s, c, k));
    item_rng(x, c, k, rng);
    return sim_text_title(out, rng, coldef(c)->cls, x->t, d.y);
}

static void item_url(const ctx_t *x, const sim_column_t *c, uint32_t k, char *out, size_t n)
{
    gs_ymd_t d = sim_plan_date(x->p, col_age(x->s, c, k));
    snprintf(out, n, "/art/%d/%d/%d/art_%u_%u.html", d.y, d.m, d.d, (unsigned)c->num, ART_BASE + k);
}

static void col_url(const sim_column_t *c, unsigned page, char *out, size_t n)
{
    if (page <= 1)
        snprintf(out, n, "/col/%s/index.html", coldef(c)->slug);
    else
        snprintf(out, n, "/col/%s/index_%u.html", coldef(c)->slug, page);
}

/* The column of a class, or NULL (for entry links). */
static const sim_column_t *col_by_slug(const sim_site_t *s, const char *slug, size_t len)
{
    for (unsigned i = 0; i < s->n_cols; i++) {
        const char *cs = coldef(&s->cols[i])->slug;
        if (strlen(cs) == len && memcmp(cs, slug, len) == 0)
            return &s->cols[i];
    }
    return NULL;
}

static void link_to_col(ctx_t *x, const char *slug, const char *text)
{
    const sim_column_t *c = col_by_slug(x->s, slug, strlen(slug));
    char url[96];
    if (c)
        col_url(c, 1, url, sizeof url);
    else
        snprintf(url, sizeof url, "/");
    gs_buf_printf(x->b, "<a href=\"%s\">%s</a>", url, text);
}

/* ---------------------------------------------------------------- furniture */

static void head_open(ctx_t *x, const char *title)
{
    const sim_charset_info_t *cs = &sim_charsets[x->s->charset];
    put(x, "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n");
    if (cs->meta) {
        put(x, cs->meta);
        put(x, "\n");
    }
    put(x, "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge,chrome=1\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
           "<title>");
    put_esc(x, title);
    put(x, "</title>\n");
    if (!(x->s->omit & SIM_OMIT_META_SITE)) {
        put(x, "<meta name=\"SiteName\" content=\"");
        put_esc(x, x->t->name);
        gs_buf_printf(x->b,
                      "\">\n<meta name=\"SiteDomain\" content=\"%s\">\n"
                      "<meta name=\"SiteIDCode\" content=\"%s\">\n",
                      x->t->host, x->t->id);
    }
}

static void head_close(ctx_t *x)
{
    gs_buf_printf(x->b,
                  "<meta name=\"keywords\" content=\"%s,政务公开,政务服务,互动交流\">\n"
                  "<meta name=\"description\" content=\"%s是%s在互联网上发布政务信息、"
                  "提供在线服务、与公众互动交流的官方平台。\">\n",
                  x->t->owner, x->t->name, x->t->owner);
    gs_buf_printf(x->b, "<style type=\"text/css\">\n:root{--main:%s}\n",
                  theme_colors[x->s->theme % 4]);
    gs_buf_append(x->b, css_text, sizeof css_text - 1);
    put(x, "\n</style>\n<script type=\"text/javascript\">\n");
    gs_buf_append(x->b, js_text, sizeof js_text - 1);
    put(x, "\n</script>\n");
    sim_defect_render(x->t, x->p, x->kind, SIM_SLOT_HEAD, x->b);
    put(x, "</head>\n");
}

static void header(ctx_t *x)
{
    const char *name = (x->s->omit & SIM_OMIT_HEADER_NAME) ? "" : x->t->name;
    put(x, "<body>\n<div class=\"topbar\"><div class=\"w1200\"><span class=\"welcome\" "
           "id=\"today\">欢迎访问");
    put_esc(x, name);
    put(x, "</span><span class=\"tools\"><a href=\"javascript:void(0);\" "
           "onclick=\"toggleElder()\">长者模式</a><a href=\"javascript:void(0);\">无障碍浏览</a>"
           "<a href=\"javascript:void(0);\">繁體版</a></span></div></div>\n"
           "<div class=\"header\"><div class=\"w1200 clearfix\"><a class=\"logo\" href=\"/\">"
           "<img src=\"/images/logo.png\" alt=\"");
    put_esc(x, name);
    put(x, "\"></a><h1 class=\"site-name\">");
    put_esc(x, name);
    put(x, "</h1><div class=\"search\"><input type=\"text\" id=\"q\" placeholder=\"请输入关键词\">"
           "<button type=\"button\">搜索</button></div></div></div>\n");
    put(x, "<div class=\"navbar\"><div class=\"w1200\">\n<ul class=\"nav\">\n"
           "<li><a href=\"/\">首页</a></li>\n");
    for (unsigned i = 0; i < x->s->n_cols; i++) {
        char url[96];
        col_url(&x->s->cols[i], 1, url, sizeof url);
        gs_buf_printf(x->b, "<li><a href=\"%s\">%s</a></li>\n", url, coldef(&x->s->cols[i])->name);
    }
    put(x, "</ul>\n</div></div>\n");
    sim_defect_render(x->t, x->p, x->kind, SIM_SLOT_HEADER, x->b);
}

static void footer(ctx_t *x)
{
    const sim_site_t *s = x->s;
    const sim_region_t *r = &sim_regions[x->t->region];
    sim_rng_t rng;
    sim_rng_init(&rng, x->t->seed, SIM_STREAM_PAGE, 1);
    gs_ymd_t ref = sim_plan_date(x->p, 0);
    put(x, "<div class=\"footer\"><div class=\"w1200 clearfix\">\n<div class=\"badges\">");
    if (!(s->omit & SIM_OMIT_CONAC))
        gs_buf_printf(x->b,
                      "<a href=\"%s://bszs.conac.cn/sitename?method=show&amp;id=%s\" "
                      "target=\"_blank\"><img src=\"/images/red.png\" alt=\"党政机关\"></a>",
                      s->conac_https ? "https" : "http", s->conac_id);
    if (!(s->omit & SIM_OMIT_ZHAOCUO))
        gs_buf_printf(x->b,
                      "<a href=\"https://zfwzzc.www.gov.cn/check_web/"
                      "errorInfo_querySiteInfo.action?sitecode=%s\" target=\"_blank\">"
                      "<img src=\"/images/jiucuo.png\" alt=\"政府网站找错\"></a>",
                      x->t->id);
    put(x, "</div>\n<div class=\"info\">\n<p>");
    if (!(s->omit & SIM_OMIT_SPONSOR)) {
        put(x, "主办单位：");
        put_esc(x, x->t->owner);
        put(x, "　");
    }
    /* Province departments sit in the capital. */
    gs_buf_printf(x->b, "承办单位：%s信息中心</p>\n<p>地址：%s人民路%d号　邮编：4%05d", r->place,
                  r->counties ? r->place : sim_regions[1].place, sim_rng_range(&rng, 1, 399),
                  sim_rng_range(&rng, 10000, 29999));
    if (!(s->omit & SIM_OMIT_CONTACT))
        gs_buf_printf(x->b, "　联系电话：%s", s->phone);
    /* A GB18030 site earns its charset: names with characters GBK lacks (U+4DAE, U+2C317). */
    if (s->charset == SIM_CS_GB18030)
        put(x, "　网站联系人：王䶮、李𬌗");
    put(x, "</p>\n<p>");
    if (!(s->omit & SIM_OMIT_SITECODE))
        gs_buf_printf(x->b, "网站标识码：%s　", x->t->id);
    if (!(s->omit & SIM_OMIT_ICP))
        gs_buf_printf(x->b, "<a href=\"http://beian.miit.gov.cn/\" target=\"_blank\">%s</a>　",
                      s->icp);
    if (!(s->omit & SIM_OMIT_PSB)) {
        /* The 14 digits of the 公安 filing number are repeated in the link. */
        const char *digits = strchr(s->psb, ' ');
        gs_buf_printf(x->b,
                      "<a href=\"http://www.beian.gov.cn/portal/registerSystemInfo?recordcode="
                      "%.14s\" target=\"_blank\">%s</a>",
                      digits ? digits + 1 : "", s->psb);
    }
    gs_buf_printf(x->b,
                  "</p>\n<p>&copy; %u-%d %s 版权所有　未经授权禁止复制或建立镜像　"
                  "建议使用1920&times;1080分辨率浏览</p>\n",
                  s->since, ref.y, x->t->owner);
    sim_defect_render(x->t, x->p, x->kind, SIM_SLOT_FOOTER, x->b);
    put(x, "</div>\n</div></div>\n");
    sim_defect_render(x->t, x->p, x->kind, SIM_SLOT_BODY_END, x->b);
    put(x, "</body>\n</html>\n");
}

/* One list entry: <li><a href title>text</a><span>date</span></li>. */
static void list_item(ctx_t *x, const sim_column_t *c, uint32_t k, sim_datefmt_t fmt,
                      size_t max_chars)
{
    gs_buf_t title;
    gs_buf_init(&title, 1024);
    sim_rng_t rng;
    item_title(x, c, k, &title, &rng);
    char url[128], date[40];
    item_url(x, c, k, url, sizeof url);
    sim_date_format(fmt, sim_plan_date(x->p, col_age(x->s, c, k)), date, sizeof date);
    bool cut;
    size_t n = utf8_prefix(gs_buf_str(&title), max_chars, &cut);
    gs_buf_printf(x->b, "<li><a href=\"%s\" target=\"_blank\" title=\"", url);
    sim_html_escape(x->b, title.data, title.len);
    put(x, "\">");
    sim_html_escape(x->b, title.data, n);
    if (cut)
        put(x, "…");
    gs_buf_printf(x->b, "</a><span>%s</span></li>\n", date);
    gs_buf_cleanup(&title);
}

/* ---------------------------------------------------------------- home */

static void home_block(ctx_t *x, unsigned b)
{
    const sim_site_t *s = x->s;
    const sim_column_t *c = &s->cols[s->blocks[b]];
    uint32_t n = c->n_items < HOME_ITEMS ? c->n_items : HOME_ITEMS;
    sim_datefmt_t fmt = (sim_datefmt_t)s->block_fmt[b];
    if (fmt == SIM_DF_BRACKET_MD || fmt == SIM_DF_MD)
        for (uint32_t k = 0; k < n; k++)
            if (col_age(s, c, k) >= SIM_YEARLESS_MAX_AGE)
                fmt = (sim_datefmt_t)s->cols[0].fmt;
    char url[96];
    col_url(c, 1, url, sizeof url);
    gs_buf_printf(x->b,
                  "<div class=\"block\" id=\"block%u\">\n<div class=\"block-hd\"><h2>%s</h2>"
                  "<a class=\"more\" href=\"%s\">更多&gt;&gt;</a></div>\n<ul class=\"list\">\n",
                  b, coldef(c)->name, url);
    for (uint32_t k = 0; k < n; k++)
        list_item(x, c, k, fmt, 28);
    put(x, "</ul>\n</div>\n");
}

/* 政务服务: the service grid every portal has, as entries into the service column. */
static const char *const services[] = {
    "户籍办理",   "社保医保", "公积金",   "婚姻登记", "出入境",   "教育考试",
    "就业创业",   "住房保障", "交通出行", "企业开办", "工程建设", "税务服务",
    "不动产登记", "医疗卫生", "养老服务", "民政救助",
};

static void home_services(ctx_t *x)
{
    put(x, "<div class=\"entries\">\n<div class=\"block-hd\"><h2>政务服务</h2>"
           "<span class=\"sub\">一网通办 · 一次办好</span></div>\n<ul class=\"svc clearfix\">\n");
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        put(x, "<li>");
        link_to_col(x, "bsfw", services[i]);
        put(x, "</li>\n");
    }
    put(x, "</ul>\n</div>\n");
}

/* The CMS's page configuration and the accessibility toolbar, as real templates carry. */
static void page_config(ctx_t *x)
{
    gs_buf_printf(
        x->b,
        "<div id=\"wza-bar\" class=\"wza-bar\" style=\"display:none\" role=\"toolbar\" "
        "aria-label=\"无障碍工具条\"><button type=\"button\">声音</button>"
        "<button type=\"button\">放大</button><button type=\"button\">缩小</button>"
        "<button type=\"button\">配色</button><button type=\"button\">大鼠标</button>"
        "<button type=\"button\">十字线</button><button type=\"button\">读屏</button>"
        "<button type=\"button\">重置</button><button type=\"button\">关闭</button></div>\n"
        "<script type=\"text/javascript\">\nvar siteConfig={siteId:\"%s\",siteName:\"",
        x->t->id);
    put_esc(x, x->t->name);
    gs_buf_printf(x->b, "\",domain:\"%s\",columns:[", x->t->host);
    for (unsigned i = 0; i < x->s->n_cols; i++)
        gs_buf_printf(x->b, "%s{id:%u,code:\"%s\",name:\"%s\"}", i ? "," : "",
                      (unsigned)x->s->cols[i].num, coldef(&x->s->cols[i])->slug,
                      coldef(&x->s->cols[i])->name);
    put(x, "],search:{enabled:false,placeholder:\"请输入关键词\"},share:[\"weixin\",\"weibo\"]};\n"
           "</script>\n");
}

static void home_entries(ctx_t *x)
{
    put(x, "<div class=\"entries\">\n<div class=\"block-hd\"><h2>互动交流</h2></div>\n<p>");
    link_to_col(x, "hdjl", "领导信箱");
    link_to_col(x, "hdjl", "咨询投诉");
    link_to_col(x, "hdjl", "在线访谈");
    link_to_col(x, "hdjl", "征集调查");
    link_to_col(x, "hdjl", "留言选登");
    put(x, "</p>\n<div class=\"block-hd\"><h2>办事服务</h2></div>\n<p>");
    link_to_col(x, "bsfw", "个人办事");
    link_to_col(x, "bsfw", "法人办事");
    link_to_col(x, "bsfw", "部门服务");
    link_to_col(x, "bsfw", "便民服务");
    link_to_col(x, "bsfw", "办件查询");
    put(x, "</p>\n<div class=\"block-hd\"><h2>政务公开</h2></div>\n<p>");
    link_to_col(x, "zcwj", "政府信息公开指南");
    link_to_col(x, "zcwj", "政府信息公开制度");
    link_to_col(x, "zcwj", "法定主动公开内容");
    link_to_col(x, "ghjh", "政府信息公开年报");
    link_to_col(x, "zcjd", "政策解读");
    put(x, "</p>\n</div>\n");
}

/* 图片新闻: the newest items of the main column, with pictures. */
static void home_pictures(ctx_t *x)
{
    const sim_column_t *c = &x->s->cols[0];
    uint32_t n = c->n_items < 4 ? c->n_items : 4;
    put(x, "<div class=\"pics\">\n<div class=\"block-hd\"><h2>图片新闻</h2></div>\n<ul>\n");
    for (uint32_t k = 0; k < n; k++) {
        gs_buf_t title;
        gs_buf_init(&title, 1024);
        sim_rng_t rng;
        item_title(x, c, k, &title, &rng);
        char url[128];
        item_url(x, c, k, url, sizeof url);
        gs_buf_printf(x->b,
                      "<li><a href=\"%s\" target=\"_blank\"><img src=\"/images/pic%u.png\" "
                      "alt=\"",
                      url, (unsigned)k + 1);
        sim_html_escape(x->b, title.data, title.len);
        put(x, "\"><p>");
        sim_html_escape(x->b, title.data, title.len);
        put(x, "</p></a></li>\n");
        gs_buf_cleanup(&title);
    }
    put(x, "</ul>\n</div>\n");
}

/* 热点关注: links without dates (they must not count as updates). */
static void home_hot(ctx_t *x)
{
    put(x, "<div class=\"hot\">\n<div class=\"block-hd\"><h2>热点关注</h2></div>\n<ul>\n");
    unsigned shown = 0;
    for (unsigned i = 1; i < x->s->n_cols && shown < 10; i++) {
        const sim_column_t *c = &x->s->cols[i];
        for (uint32_t k = 0; k < c->n_items && k < 2 && shown < 10; k++, shown++) {
            gs_buf_t title;
            gs_buf_init(&title, 1024);
            sim_rng_t rng;
            item_title(x, c, k, &title, &rng);
            char url[128];
            item_url(x, c, k, url, sizeof url);
            gs_buf_printf(x->b, "<li><a href=\"%s\" target=\"_blank\">", url);
            sim_html_escape(x->b, title.data, title.len);
            put(x, "</a></li>\n");
            gs_buf_cleanup(&title);
        }
    }
    put(x, "</ul>\n</div>\n");
}

/* Links to other sites of the province: only to clean ones, so that a link checker
 * finds nothing broken on a clean site. */
static void home_friends(ctx_t *x)
{
    const sim_plan_t *p = x->p;
    size_t self = (size_t)(x->t - p->targets), shown = 0;
    put(x, "<div class=\"friend w1200 clearfix\"><h3>政府网站</h3>\n<ul>\n");
    for (size_t i = 1; i < p->n_sites && shown < 12; i++) {
        const sim_target_t *o = &p->targets[(self + i) % p->n_sites];
        if (o->n_defects > 0 || o->u.site.fault != SIM_FAULT_NONE)
            continue;
        gs_buf_printf(x->b, "<li><a href=\"%s\" target=\"_blank\">", o->url);
        put_esc(x, o->name);
        put(x, "</a></li>\n");
        shown++;
    }
    put(x, "</ul>\n</div>\n");
}

int sim_site_home(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *out)
{
    ctx_t x = {p, t, &t->u.site, out, SIM_PAGE_HOME};
    head_open(&x, (t->u.site.omit & SIM_OMIT_HEADER_NAME) ? "首页" : t->name);
    head_close(&x);
    header(&x);
    put(&x, "<div class=\"banner w1200\">");
    link_to_col(&x, "ztzl", "专题专栏");
    put(&x, "</div>\n<div class=\"main w1200 clearfix\">\n");
    for (unsigned b = 0; b < t->u.site.n_blocks; b++) {
        home_block(&x, b);
        if (b == 0)
            home_pictures(&x);
        if (b == 1)
            home_hot(&x);
    }
    home_entries(&x);
    home_services(&x);
    sim_defect_render(t, p, SIM_PAGE_HOME, SIM_SLOT_MAIN, out);
    put(&x, "</div>\n");
    home_friends(&x);
    page_config(&x);
    put(&x, "<a class=\"gotop\" href=\"#\">顶部</a>\n");
    footer(&x);
    return out->len > 0 ? 0 : GS_ENOMEM;
}

/* ---------------------------------------------------------------- column pages */

static void column_page(ctx_t *x, const sim_column_t *c, unsigned page)
{
    const sim_coldef_t *cd = coldef(c);
    char title[256];
    snprintf(title, sizeof title, "%s_%s", cd->name, x->t->name);
    head_open(x, title);
    if (!(x->s->omit & SIM_OMIT_META_COLUMN))
        gs_buf_printf(x->b,
                      "<meta name=\"ColumnName\" content=\"%s\">\n"
                      "<meta name=\"ColumnDescription\" content=\"%s%s\">\n"
                      "<meta name=\"ColumnKeywords\" content=\"%s\">\n"
                      "<meta name=\"ColumnType\" content=\"%s\">\n",
                      cd->name, x->t->owner, cd->name, cd->name, cd->name);
    head_close(x);
    header(x);
    put(x, "<div class=\"main w1200 clearfix\">\n<div class=\"crumb\">当前位置："
           "<a href=\"/\">首页</a> &gt; ");
    put(x, cd->name);
    put(x, "</div>\n<div class=\"side\"><h3>");
    put(x, cd->name);
    put(x, "</h3>\n<ul>\n");
    for (unsigned i = 0; i < x->s->n_cols; i++) {
        char url[96];
        col_url(&x->s->cols[i], 1, url, sizeof url);
        gs_buf_printf(x->b, "<li><a href=\"%s\">%s</a></li>\n", url, coldef(&x->s->cols[i])->name);
    }
    put(x, "</ul>\n</div>\n<div class=\"content-list\">\n<ul class=\"list\">\n");
    uint32_t from = (page - 1) * c->per_page;
    uint32_t to = from + c->per_page;
    if (to > c->n_items)
        to = c->n_items;
    for (uint32_t k = from; k < to; k++)
        list_item(x, c, k, (sim_datefmt_t)c->fmt, 40);
    put(x, "</ul>\n");
    if (c->n_pages > 1) {
        char first[96], prev[96], next[96], last[96];
        col_url(c, 1, first, sizeof first);
        col_url(c, page > 1 ? page - 1 : 1, prev, sizeof prev);
        col_url(c, page < c->n_pages ? page + 1 : c->n_pages, next, sizeof next);
        col_url(c, c->n_pages, last, sizeof last);
        gs_buf_printf(x->b,
                      "<div class=\"page\"><span>共%u条</span><span>第%u/%u页</span>"
                      "<a href=\"%s\">首页</a><a href=\"%s\">上一页</a>"
                      "<a href=\"%s\">下一页</a><a href=\"%s\">尾页</a></div>\n",
                      c->n_items, page, (unsigned)c->n_pages, first, prev, next, last);
    }
    put(x, "</div>\n");
    sim_defect_render(x->t, x->p, SIM_PAGE_COLUMN, SIM_SLOT_MAIN, x->b);
    put(x, "</div>\n");
    footer(x);
}

/* ---------------------------------------------------------------- articles */

static void article_page(ctx_t *x, const sim_column_t *c, uint32_t k)
{
    const sim_coldef_t *cd = coldef(c);
    int age = col_age(x->s, c, k);
    gs_ymd_t d = sim_plan_date(x->p, age);
    gs_buf_t title;
    gs_buf_init(&title, 1024);
    sim_rng_t rng;
    unsigned topic = item_title(x, c, k, &title, &rng);
    int32_t tod = sim_plan_tod(x->p, &rng, age);
    char when[40];
    snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d", d.y, d.m, d.d, tod / 3600,
             tod / 60 % 60);
    /* Most articles are the owner's own; some are reprinted from the local media centre. */
    char source[160];
    if (sim_rng_chance(&rng, 20))
        snprintf(source, sizeof source, "%s融媒体中心", sim_regions[x->t->region].place);
    else
        snprintf(source, sizeof source, "%s", x->t->owner);

    char full[512];
    snprintf(full, sizeof full, "%s_%s_%s", gs_buf_str(&title), cd->name, x->t->name);
    head_open(x, full);
    if (!(x->s->omit & SIM_OMIT_META_ARTICLE)) {
        put(x, "<meta name=\"ArticleTitle\" content=\"");
        sim_html_escape(x->b, title.data, title.len);
        gs_buf_printf(x->b,
                      "\">\n<meta name=\"PubDate\" content=\"%s\">\n"
                      "<meta name=\"ContentSource\" content=\"%s\">\n",
                      when, source);
    }
    gs_buf_printf(x->b, "<meta name=\"ColumnName\" content=\"%s\">\n", cd->name);
    head_close(x);
    header(x);
    char url[96];
    col_url(c, 1, url, sizeof url);
    gs_buf_printf(x->b,
                  "<div class=\"main w1200 article\">\n<div class=\"crumb\">当前位置：<a "
                  "href=\"/\">首页</a> &gt; <a href=\"%s\">%s</a> &gt; 正文</div>\n<h1>",
                  url, cd->name);
    sim_html_escape(x->b, title.data, title.len);
    gs_buf_printf(x->b,
                  "</h1>\n<div class=\"info\"><span>发布时间：%s</span><span>来源：%s</span>"
                  "<span>【字体：<a href=\"javascript:setFontSize(20)\">大</a> "
                  "<a href=\"javascript:setFontSize(16)\">中</a> "
                  "<a href=\"javascript:setFontSize(14)\">小</a>】</span></div>\n"
                  "<div class=\"content\">\n",
                  when, source);
    bool formal = cd->cls == SIM_CC_POLICY || cd->cls == SIM_CC_NOTICE;
    if (cd->cls == SIM_CC_POLICY)
        /* A document number: 〔2021〕12号 has a year but is not a date. */
        gs_buf_printf(x->b, "<p class=\"right\">%.3s政办发〔%d〕%d号</p>\n",
                      x->t->region == 0 ? "湘" : sim_regions[x->t->region].shortname, d.y,
                      sim_rng_range(&rng, 1, 60));
    sim_text_body(x->b, &rng, sim_rng_range(&rng, 3, 6), "<p>", "</p>\n", x->t, topic);
    if (formal)
        gs_buf_printf(x->b, "<p class=\"right\">%s</p>\n<p class=\"right\">%d年%d月%d日</p>\n",
                      x->t->owner, d.y, d.m, d.d);
    put(x, "</div>\n<div class=\"prevnext\">");
    for (int dir = -1; dir <= 1; dir += 2) {
        put(x, dir < 0 ? "<p>上一篇：" : "<p>下一篇：");
        int64_t nk = (int64_t)k + dir;
        if (nk < 0 || nk >= (int64_t)c->n_items) {
            put(x, "没有了</p>");
            continue;
        }
        gs_buf_t nt;
        gs_buf_init(&nt, 1024);
        sim_rng_t nr;
        item_title(x, c, (uint32_t)nk, &nt, &nr);
        char nurl[128];
        item_url(x, c, (uint32_t)nk, nurl, sizeof nurl);
        gs_buf_printf(x->b, "<a href=\"%s\">", nurl);
        sim_html_escape(x->b, nt.data, nt.len);
        put(x, "</a></p>");
        gs_buf_cleanup(&nt);
    }
    put(x, "</div>\n");
    sim_defect_render(x->t, x->p, SIM_PAGE_ARTICLE, SIM_SLOT_MAIN, x->b);
    put(x, "</div>\n");
    footer(x);
    gs_buf_cleanup(&title);
}

/* ---------------------------------------------------------------- routing */

/* A 1x1 transparent PNG for the logo and badges. */
static const unsigned char png_1x1[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};

static const char robots_txt[] = "User-agent: *\nDisallow:\n";

/* Parse "index.html", "" or "index_<n>.html" into a page number; 0 when invalid. */
static unsigned parse_list_page(const char *rest)
{
    if (!*rest || strcmp(rest, "index.html") == 0)
        return 1;
    if (strncmp(rest, "index_", 6) != 0)
        return 0;
    char *end;
    long n = strtol(rest + 6, &end, 10);
    if (end == rest + 6 || strcmp(end, ".html") != 0 || n < 2 || n > 100000)
        return 0;
    return (unsigned)n;
}

/* Find the item of an article URL; false when the URL names none. */
static bool parse_article(const ctx_t *x, const char *path, const sim_column_t **col, uint32_t *k)
{
    int y, m, d;
    unsigned num, n;
    if (sscanf(path, "/art/%d/%d/%d/art_%u_%u.html", &y, &m, &d, &num, &n) != 5)
        return false;
    for (unsigned i = 0; i < x->s->n_cols; i++) {
        const sim_column_t *c = &x->s->cols[i];
        if (c->num != num || n < ART_BASE || n - ART_BASE >= c->n_items)
            continue;
        char canon[128];
        item_url(x, c, n - ART_BASE, canon, sizeof canon);
        if (strcmp(canon, path) != 0)
            return false;
        *col = c;
        *k = n - ART_BASE;
        return true;
    }
    return false;
}

enum MHD_Result sim_site_serve(const sim_req_t *rq)
{
    enum MHD_Result res;
    if (sim_defect_respond(rq, &res))
        return res;
    const char *path = rq->path;
    if (strcmp(path, "/robots.txt") == 0)
        return sim_reply_static(rq, 200, "text/plain", robots_txt, sizeof robots_txt - 1);
    if (strncmp(path, "/images/", 8) == 0 && strstr(path, ".png"))
        return sim_reply_static(rq, 200, "image/png", png_1x1, sizeof png_1x1);

    gs_buf_t page;
    gs_buf_init(&page, PAGE_MAX);
    ctx_t x = {rq->plan, rq->target, &rq->target->u.site, &page, SIM_PAGE_HOME};
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0 ||
        strcmp(path, "/index.htm") == 0) {
        sim_site_home(rq->plan, rq->target, &page);
        return sim_reply_page(rq, 200, &page);
    }
    if (strncmp(path, "/col/", 5) == 0) {
        const char *slug = path + 5;
        const char *slash = strchr(slug, '/');
        const sim_column_t *c = slash ? col_by_slug(x.s, slug, (size_t)(slash - slug)) : NULL;
        unsigned pg = c ? parse_list_page(slash + 1) : 0;
        if (c && pg >= 1 && pg <= c->n_pages) {
            x.kind = SIM_PAGE_COLUMN;
            column_page(&x, c, pg);
            return sim_reply_page(rq, 200, &page);
        }
    } else if (strncmp(path, "/art/", 5) == 0) {
        const sim_column_t *c;
        uint32_t k;
        if (parse_article(&x, path, &c, &k)) {
            x.kind = SIM_PAGE_ARTICLE;
            article_page(&x, c, k);
            return sim_reply_page(rq, 200, &page);
        }
    }
    gs_buf_cleanup(&page);
    return sim_reply_error(rq, 404);
}
