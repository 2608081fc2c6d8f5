/* sim_site.c -- render the pages of a simulated government website on the fly: home page,
 * column lists with pagination, articles, robots.txt and the few images they reference.
 *
 * Pages follow the layout of real Chinese government portals (《政府网站发展指引》): a
 * heavy head with the SiteName/SiteDomain/SiteIDCode tags and inline CSS and JS, a
 * header with the site name and logo, a nav of columns, dated lists in the format of the
 * site and block, and a footer with 主办单位, 联系电话, 网站标识码, ICP and 公安 filing
 * numbers, the conac badge and the 找错 link. Everything is rendered in UTF-8 from the
 * plan and converted to the site's charset by sim_reply_page. All internal links resolve
 * (but the broken ones a defect plants); the only dates on a page are the planted ones,
 * none after the reference date.
 *
 * Sites with the 政务公开 section have second-level columns, listed on the 政务公开 page
 * with their newest items and in the side navigation of each other. The 办事服务 column's
 * articles are service guides (<h3>element</h3><p>...</p> for the ten elements), each
 * 政策文件 article links its interpretation (相关解读：) and each 政策解读 links back
 * (相关文件：). The defects of the grouped rows are rendered from the site's plan: the
 * omitted footer items and tags, the spam, the hidden links, the cloaking (a spider's
 * User-Agent gets another home page), the wrong forms, the duplicated item, the exposed
 * numbers, the broken links. */
#include "sim.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ceiling of one rendered page; real pages here are 10-40 KB. */
#define PAGE_MAX (4u << 20)
/* Items per home list. */
#define HOME_ITEMS 8
/* First article number of a column (art_<num>_<ART_BASE + k>.html). */
#define ART_BASE 10000u

/* The page being rendered: the plan, the site, the buffer, the kind of page. */
typedef sim_page_t ctx_t;

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
    "@media screen and (max-width:1200px){.w1200{width:100%}.block{width:auto;float:none}}"
    ".msg-list,.gs-table{width:100%;border-collapse:collapse;margin:12px 0}.msg-list th,"
    ".msg-list td,.gs-table th,.gs-table td{border:1px solid #e5e5e5;padding:8px 10px}"
    ".msg-list th,.gs-table th{background:#f6f8fb}.msg-form{margin:12px 0;padding:16px;"
    "border:1px solid #eee}.guide h3{font-size:17px;color:var(--main);margin:16px 0 6px}"
    ".related{margin-top:18px;color:#666}.no-data{padding:40px;text-align:center;color:#999}"
    ".notice-bar{padding:6px 12px;background:#fff8e1}";

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

/* The item whose content item k of column c shows: the duplicated item (W-DUP-POST) is
 * column 0's newest wherever it is listed, title, body and all. */
static void item_source(const ctx_t *x, const sim_column_t **c, uint32_t *k)
{
    for (unsigned i = 0; *k == 0 && i < x->s->n_dup_dst; i++)
        if (*c == &x->s->cols[x->s->dup_dst[i]]) {
            *c = &x->s->cols[0];
            return;
        }
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

static const sim_column_t *col_named(const sim_site_t *s, const char *slug)
{
    return col_by_slug(s, slug, strlen(slug));
}

static bool is_privacy_item(const ctx_t *x, const sim_column_t *c, uint32_t k)
{
    return x->s->privacy && k == 0 && c == &x->s->cols[x->s->privacy_col];
}

/* The 政策文件 item that interpretation k explains (the dropped one has none). */
static uint32_t interp_policy(const ctx_t *x, uint32_t k)
{
    return k + (x->s->policy_drop ? 1u : 0u);
}

static unsigned item_title(const ctx_t *x, const sim_column_t *c, uint32_t k, gs_buf_t *out,
                           sim_rng_t *rng)
{
    item_source(x, &c, &k);
    gs_ymd_t d = sim_plan_date(x->p, col_age(x->s, c, k));
    item_rng(x, c, k, rng);
    const sim_coldef_t *cd = coldef(c);
    const sim_column_t *pc = col_named(x->s, "zcwj");
    bool privacy = is_privacy_item(x, c, k);
    if (!privacy && !(cd->cls == SIM_CC_INTERP && pc && pc->n_items))
        return sim_text_title(out, rng, cd->cls, x->t, d.y, c->cls_rank, c->cls_count);
    /* Special titles still draw the ordinary one, so that the body that follows is the
     * same as without them. */
    gs_buf_t scratch;
    gs_buf_init(&scratch, 1024);
    unsigned topic = sim_text_title(&scratch, rng, cd->cls, x->t, d.y, c->cls_rank, c->cls_count);
    gs_buf_cleanup(&scratch);
    if (privacy) {
        if (x->s->privacy == SIM_PRIV_ID)
            gs_buf_printf(out, "关于%s%d年公开招聘工作人员拟聘用人员的公示", x->t->owner, d.y);
        else
            gs_buf_printf(out, "关于公布%s各村（社区）网格员联系方式的通知", x->t->place);
        return topic;
    }
    uint32_t pk = interp_policy(x, k);
    if (pk >= pc->n_items)
        pk = pc->n_items - 1;
    gs_buf_t pt;
    gs_buf_init(&pt, 1024);
    sim_rng_t prng;
    item_title(x, pc, pk, &pt, &prng);
    gs_buf_printf(out, "%s的政策解读", gs_buf_str(&pt));
    gs_buf_cleanup(&pt);
    return topic;
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

void sim_site_item_title(const sim_plan_t *p, const sim_target_t *t, unsigned col, uint32_t k,
                         gs_buf_t *out)
{
    ctx_t x = {p, t, &t->u.site, NULL, SIM_PAGE_ARTICLE};
    sim_rng_t rng;
    item_title(&x, &t->u.site.cols[col], k, out, &rng);
}

void sim_site_item_url(const sim_plan_t *p, const sim_target_t *t, unsigned col, uint32_t k,
                       char *out, size_t n)
{
    ctx_t x = {p, t, &t->u.site, NULL, SIM_PAGE_ARTICLE};
    char path[128];
    item_url(&x, &t->u.site.cols[col], k, path, sizeof path);
    snprintf(out, n, "http://%s%s", t->host, path);
}

/* ---------------------------------------------------------------- furniture */

static bool no_name(const ctx_t *x)
{
    return (x->s->omit & SIM_OMIT_HEADER_NAME) != 0;
}

/* The cloaked home page: what a search-engine spider is shown. */
static bool cloaked(const ctx_t *x, bool spider)
{
    return spider && x->kind == SIM_PAGE_HOME && x->s->security == SIM_SEC_CLOAK;
}

static void head_open(ctx_t *x, const char *title, const char *short_title)
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
    put_esc(x, no_name(x) ? short_title : title);
    put(x, "</title>\n");
    if (!(x->s->omit & SIM_OMIT_META_SITE)) {
        if (!(x->s->omit & SIM_OMIT_META_SITENAME)) {
            put(x, "<meta name=\"SiteName\" content=\"");
            put_esc(x, x->t->name);
            put(x, "\">\n");
        }
        gs_buf_printf(x->b,
                      "<meta name=\"SiteDomain\" content=\"%s\">\n"
                      "<meta name=\"SiteIDCode\" content=\"%s\">\n",
                      x->t->host, x->t->id);
    }
}

/* An injected redirect (W-SECURITY script-redirect): a hijacker's favourite, at the top. */
static void head_script(ctx_t *x)
{
    if (x->kind != SIM_PAGE_HOME || x->s->security != SIM_SEC_SCRIPT)
        return;
    if (x->s->sec_style == 0)
        gs_buf_printf(x->b,
                      "<script>if(/baidu|sogou|so\\.com/.test(document.referrer))"
                      "{window.location.href=\"http://%s/\"}</script>\n",
                      sim_spam_hosts[1]);
    else
        gs_buf_printf(x->b,
                      "<script>document.write('<iframe src=\"http://%s/\" width=\"0\" "
                      "height=\"0\" frameborder=\"0\"></iframe>')</script>\n",
                      sim_spam_hosts[1]);
}

/* --head-bytes: the weight of a real portal's head (a bundled jQuery, analytics, a
 * template's widgets inline), so that a benchmark sees 20-40 KB pages as the budget's
 * corpus has. Plain functions of arithmetic: nothing a check reads (no redirect, no
 * document.write, no text), the same bytes on every page, built once for all threads. */
static char head_pad[SIM_HEAD_BYTES_MAX + 128];
static size_t head_pad_len;
static pthread_once_t head_pad_once = PTHREAD_ONCE_INIT;

static void head_pad_build(void)
{
    size_t n = 0;
    for (unsigned i = 0; n + 128 < sizeof(head_pad); i++)
        n += (size_t)snprintf(head_pad + n, sizeof(head_pad) - n,
                              "function gsw_m%u(a,b){var c=(a*%u+b)%%%u;return c<0?-c:c}\n", i,
                              i % 89 + 3, i % 97 + 11);
    head_pad_len = n;
}

static void head_weight(ctx_t *x)
{
    size_t want = x->p->opts.head_bytes;
    if (!want)
        return;
    pthread_once(&head_pad_once, head_pad_build);
    if (want > head_pad_len)
        want = head_pad_len;
    while (want && head_pad[want - 1] != '\n') /* whole lines */
        want--;
    put(x, "<script type=\"text/javascript\">\n");
    gs_buf_append(x->b, head_pad, want);
    put(x, "</script>\n");
}

static void head_close(ctx_t *x)
{
    if (no_name(x))
        gs_buf_printf(x->b,
                      "<meta name=\"keywords\" content=\"%s,政务公开,政务服务,互动交流\">\n"
                      "<meta name=\"description\" content=\"本网站是%s在互联网上发布政务信息、"
                      "提供在线服务、与公众互动交流的官方平台。\">\n",
                      x->t->owner, x->t->owner);
    else
        gs_buf_printf(x->b,
                      "<meta name=\"keywords\" content=\"%s,政务公开,政务服务,互动交流\">\n"
                      "<meta name=\"description\" content=\"%s是%s在互联网上发布政务信息、"
                      "提供在线服务、与公众互动交流的官方平台。\">\n",
                      x->t->owner, x->t->name, x->t->owner);
    head_script(x);
    gs_buf_printf(x->b, "<style type=\"text/css\">\n:root{--main:%s}\n",
                  theme_colors[x->s->theme % 4]);
    gs_buf_append(x->b, css_text, sizeof css_text - 1);
    put(x, "\n</style>\n<script type=\"text/javascript\">\n");
    gs_buf_append(x->b, js_text, sizeof js_text - 1);
    put(x, "\n</script>\n");
    head_weight(x);
    sim_defect_render(x->t, x->p, x->kind, SIM_SLOT_HEAD, x->b);
    put(x, "</head>\n");
}

static void header(ctx_t *x)
{
    const char *name = no_name(x) ? "" : x->t->name;
    put(x, "<body>\n<div class=\"topbar\"><div class=\"w1200\"><span class=\"welcome\" "
           "id=\"today\">欢迎访问");
    put_esc(x, no_name(x) ? "本网站" : name);
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
        if (x->s->cols[i].level != 1)
            continue;
        char url[96];
        col_url(&x->s->cols[i], 1, url, sizeof url);
        gs_buf_printf(x->b, "<li><a href=\"%s\">%s</a></li>\n", url, coldef(&x->s->cols[i])->name);
    }
    put(x, "</ul>\n</div></div>\n");
    sim_defect_render(x->t, x->p, x->kind, SIM_SLOT_HEADER, x->b);
}

/* The hidden link of W-SECURITY hidden-link, in one of five disguises. */
static void hidden_link(ctx_t *x)
{
    static const char *const open[] = {"<div style=\"display:none\">",
                                       "<div style=\"position:absolute;left:-9999px;top:-9999px\">",
                                       "<div style=\"visibility:hidden\">",
                                       "<p style=\"font-size:0\">",
                                       "<marquee height=1 width=1 scrollamount=3000>"};
    static const char *const close[] = {"</div>", "</div>", "</div>", "</p>", "</marquee>"};
    unsigned v = x->s->sec_style % 5;
    gs_buf_printf(x->b, "%s<a href=\"http://%s/\" target=\"_blank\">点击进入</a>%s\n", open[v],
                  sim_spam_hosts[0], close[v]);
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
                      "<a href=\"https://zfwzzc.www.gov.cn/check_web/errorInfo/"
                      "jcInfoNew?sitecode=%s\" target=\"_blank\">"
                      "<img src=\"/images/jiucuo.png\" alt=\"我为政府网站找错\">"
                      "我为政府网站找错</a>",
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
        gs_buf_printf(x->b, "网站标识码：%s　", s->shown_code[0] ? s->shown_code : x->t->id);
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
    if (x->kind == SIM_PAGE_HOME && s->security == SIM_SEC_HIDDEN)
        hidden_link(x);
    sim_defect_render(x->t, x->p, x->kind, SIM_SLOT_BODY_END, x->b);
    put(x, "</body>\n</html>\n");
}

/* The page API of sim.h, for sim_board.c. */
void sim_page_head(sim_page_t *pg, const char *title, const char *short_title)
{
    head_open(pg, title, short_title);
}

void sim_page_column_meta(sim_page_t *pg, const char *column)
{
    if (pg->s->omit & SIM_OMIT_META_COLUMN)
        return;
    gs_buf_printf(pg->b,
                  "<meta name=\"ColumnName\" content=\"%s\">\n"
                  "<meta name=\"ColumnDescription\" content=\"%s%s\">\n"
                  "<meta name=\"ColumnKeywords\" content=\"%s\">\n"
                  "<meta name=\"ColumnType\" content=\"%s\">\n",
                  column, pg->t->owner, column, column, column);
}

void sim_page_article_meta(sim_page_t *pg, const char *title, const char *pubdate,
                           const char *source)
{
    if (pg->s->omit & SIM_OMIT_META_ARTICLE)
        return;
    gs_buf_puts(pg->b, "<meta name=\"ArticleTitle\" content=\"");
    sim_html_escape(pg->b, title, strlen(title));
    gs_buf_printf(pg->b,
                  "\">\n<meta name=\"PubDate\" content=\"%s\">\n"
                  "<meta name=\"ContentSource\" content=\"%s\">\n",
                  pubdate, source);
}

void sim_page_header(sim_page_t *pg)
{
    head_close(pg);
    header(pg);
}

void sim_page_footer(sim_page_t *pg)
{
    footer(pg);
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
    if (!no_name(x))
        put_esc(x, x->t->name);
    gs_buf_printf(x->b, "\",domain:\"%s\",columns:[", x->t->host);
    for (unsigned i = 0; i < x->s->n_cols; i++)
        gs_buf_printf(x->b, "%s{id:%u,code:\"%s\",name:\"%s\"}", i ? "," : "",
                      (unsigned)x->s->cols[i].num, coldef(&x->s->cols[i])->slug,
                      coldef(&x->s->cols[i])->name);
    put(x, "],search:{enabled:false,placeholder:\"请输入关键词\"},share:[\"weixin\",\"weibo\"]};\n"
           "</script>\n");
}

/* The board of 互动交流: its entries lead to the message board (sim_board.c). */
#define BOARD_URL "/hdjl/lyxd/index.html"

static void home_entries(ctx_t *x)
{
    put(x, "<div class=\"entries\">\n");
    if (x->s->interact != SIM_IA_NO_CHANNEL) {
        put(x, "<div class=\"block-hd\"><h2>互动交流</h2></div>\n<p>"
               "<a href=\"" BOARD_URL "\">领导信箱</a><a href=\"" BOARD_URL "\">咨询投诉</a>");
        link_to_col(x, "hdjl", "在线访谈");
        link_to_col(x, "hdjl", "征集调查");
        put(x, "<a href=\"" BOARD_URL "\">留言选登</a></p>\n");
    }
    put(x, "<div class=\"block-hd\"><h2>办事服务</h2></div>\n<p>");
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
        if (c->level != 1)
            continue;
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

/* Spam shown on the page (W-SECURITY spam-text, or the cloaked page a spider gets). */
static void notice_bar(ctx_t *x, const sim_spam_t *sp)
{
    put(x, "<div class=\"notice-bar w1200\"><p>");
    put(x, sp->text);
    put(x, "</p></div>\n");
}

static void render_home(ctx_t *x, bool spider)
{
    const sim_target_t *t = x->t;
    const sim_site_t *s = x->s;
    /* The title, and the one without the site name (W-HEADER), spam and all. */
    char title[256], short_title[256];
    if (cloaked(x, spider)) {
        snprintf(title, sizeof title, "%s_%s", sim_spams[2].text, t->name);
        snprintf(short_title, sizeof short_title, "%s_首页", sim_spams[2].text);
    } else if (s->security == SIM_SEC_TITLE) {
        snprintf(title, sizeof title, "%s_%s", t->name, sim_spams[0].text);
        snprintf(short_title, sizeof short_title, "首页_%s", sim_spams[0].text);
    } else {
        snprintf(title, sizeof title, "%s", t->name);
        snprintf(short_title, sizeof short_title, "首页");
    }
    head_open(x, title, short_title);
    head_close(x);
    header(x);
    if (cloaked(x, spider))
        notice_bar(x, &sim_spams[2]);
    else if (s->security == SIM_SEC_TEXT)
        notice_bar(x, &sim_spams[1]);
    put(x, "<div class=\"banner w1200\">");
    link_to_col(x, "ztzl", "专题专栏");
    if (s->links == SIM_LINKS_HOME)
        gs_buf_printf(x->b,
                      "<a href=\"/col/zt2019/index.html\">2019年专题回顾</a>"
                      "<a href=\"http://%s/\" target=\"_blank\">原网站入口</a>",
                      SIM_DEAD_HOST);
    put(x, "</div>\n<div class=\"main w1200 clearfix\">\n");
    for (unsigned b = 0; b < s->n_blocks; b++) {
        home_block(x, b);
        if (b == 0)
            home_pictures(x);
        if (b == 1)
            home_hot(x);
    }
    home_entries(x);
    home_services(x);
    sim_defect_render(t, x->p, SIM_PAGE_HOME, SIM_SLOT_MAIN, x->b);
    put(x, "</div>\n");
    home_friends(x);
    page_config(x);
    put(x, "<a class=\"gotop\" href=\"#\">顶部</a>\n");
    footer(x);
}

int sim_site_home(const sim_plan_t *p, const sim_target_t *t, gs_buf_t *out)
{
    ctx_t x = {p, t, &t->u.site, out, SIM_PAGE_HOME};
    render_home(&x, false);
    return out->len > 0 ? 0 : GS_ENOMEM;
}

/* ---------------------------------------------------------------- column pages */

/* The side navigation: the nav's columns, or the siblings of a second-level column. */
static void side_nav(ctx_t *x, const sim_column_t *cur)
{
    unsigned level = cur->level == 2 || coldef(cur)->cls == SIM_CC_PARENT ? 2 : 1;
    put(x, "<div class=\"side\"><h3>");
    put(x, level == 2 ? "政务公开" : coldef(cur)->name);
    put(x, "</h3>\n<ul>\n");
    for (unsigned i = 0; i < x->s->n_cols; i++) {
        if (x->s->cols[i].level != level)
            continue;
        char url[96];
        col_url(&x->s->cols[i], 1, url, sizeof url);
        gs_buf_printf(x->b, "<li><a href=\"%s\">%s</a></li>\n", url, coldef(&x->s->cols[i])->name);
    }
    put(x, "</ul>\n</div>\n");
}

/* 政务公开: a block per sub-column with its newest items. */
static void parent_body(ctx_t *x)
{
    for (unsigned i = 0; i < x->s->n_cols; i++) {
        const sim_column_t *c = &x->s->cols[i];
        if (c->level != 2)
            continue;
        char url[96];
        col_url(c, 1, url, sizeof url);
        gs_buf_printf(x->b,
                      "<div class=\"gk-block\">\n<div class=\"block-hd\"><h2><a href=\"%s\">%s</a>"
                      "</h2></div>\n<ul class=\"list\">\n",
                      url, coldef(c)->name);
        for (uint32_t k = 0; k < c->n_items && k < 5; k++)
            list_item(x, c, k, (sim_datefmt_t)c->fmt, 40);
        put(x, "</ul>\n");
        if (c->blank == 2)
            put(x, "<div class=\"no-data\">暂无信息</div>\n");
        put(x, "</div>\n");
    }
}

static void column_page(ctx_t *x, const sim_column_t *c, unsigned page)
{
    const sim_coldef_t *cd = coldef(c);
    char title[256];
    snprintf(title, sizeof title, "%s_%s", cd->name, x->t->name);
    head_open(x, title, cd->name);
    sim_page_column_meta(x, cd->name);
    head_close(x);
    header(x);
    put(x, "<div class=\"main w1200 clearfix\">\n<div class=\"crumb\">当前位置："
           "<a href=\"/\">首页</a> &gt; ");
    if (c->level == 2)
        put(x, "<a href=\"/col/zwgk/index.html\">政务公开</a> &gt; ");
    put(x, cd->name);
    put(x, "</div>\n");
    side_nav(x, c);
    put(x, "<div class=\"content-list\">\n");
    if (cd->cls == SIM_CC_PARENT) {
        parent_body(x);
    } else {
        put(x, "<ul class=\"list\">\n");
        uint32_t from = (page - 1) * c->per_page;
        uint32_t to = from + c->per_page;
        if (to > c->n_items)
            to = c->n_items;
        for (uint32_t k = from; k < to; k++)
            list_item(x, c, k, (sim_datefmt_t)c->fmt, 40);
        put(x, "</ul>\n");
        if (c->blank == 2)
            put(x, "<div class=\"no-data\">暂无信息</div>\n");
        if (c->def == 10 && x->s->interact != SIM_IA_NO_CHANNEL)
            put(x, "<p class=\"board-entry\"><a href=\"" BOARD_URL "\">留言选登</a>"
                   "<a href=\"" BOARD_URL "\">我要咨询</a></p>\n");
    }
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

/* What each element of a guide says. */
static void guide_element(ctx_t *x, unsigned e, const char *matter, sim_rng_t *rng)
{
    const sim_region_t *r = &sim_regions[x->t->region];
    switch (e) {
    case 0:
        gs_buf_puts(x->b, matter);
        break;
    case 1:
        gs_buf_printf(x->b, "《中华人民共和国行政许可法》；《%s%s管理办法》。",
                      r->counties ? r->place : "湖南省", matter);
        break;
    case 2:
        put(x, "符合法定条件的公民、法人或者其他组织，材料齐全、符合法定形式。");
        break;
    case 3:
        put(x, "1.申请表（原件1份）；2.申请人身份证明（复印件1份）；3.其他依法应当提交的材料。");
        break;
    case 4:
        gs_buf_printf(x->b, "%s政务服务中心%d号窗口", x->t->place, sim_rng_range(rng, 1, 40));
        break;
    case 5:
        put_esc(x, x->t->owner);
        break;
    case 6:
        put(x, "不收费。");
        break;
    case 7:
        put(x, "法定工作日上午9:00-12:00，下午13:30-17:30（节假日除外）。");
        break;
    case 8:
        put(x, x->s->phone);
        break;
    default:
        put(x, "申请—受理—审查—决定—送达，材料齐全的当场受理，承诺时限内办结。");
    }
}

static void guide_body(ctx_t *x, const char *title, sim_rng_t *rng, bool newest)
{
    char matter[256];
    snprintf(matter, sizeof matter, "%s", title);
    char *cut = strstr(matter, "办事指南");
    if (!cut)
        cut = strstr(matter, "办理指南");
    if (cut)
        *cut = 0;
    put(x, "<div class=\"guide\">\n");
    for (unsigned e = 0; e < SIM_GUIDE_ELEMENTS; e++) {
        if (newest && (x->s->svc_missing & (1u << e)))
            continue;
        gs_buf_printf(x->b, "<h3>%s</h3><p>", sim_guide_elements[e]);
        guide_element(x, e, matter, rng);
        put(x, "</p>\n");
    }
    put(x, "</div>\n");
}

/* The personal data of W-PRIVACY: a list of new hires with their ID numbers (and one
 * number whose check digit is wrong, which is not one), or the phones of grid workers. */
static void privacy_table(ctx_t *x, sim_rng_t *rng)
{
    if (x->s->privacy == SIM_PRIV_ID) {
        put(x, "<table class=\"gs-table\">\n<tr><th>序号</th><th>姓名</th><th>性别</th>"
               "<th>身份证号码</th><th>拟聘岗位</th></tr>\n");
        for (unsigned i = 0; i <= SIM_PRIV_SITE_IDS; i++) {
            char id[20];
            sim_text_id_number(rng, x->t, i == SIM_PRIV_SITE_IDS, id);
            gs_buf_printf(x->b, "<tr><td>%u</td><td>", i + 1);
            sim_text_person(x->b, rng);
            gs_buf_printf(x->b, "</td><td>%s</td><td>%s</td><td>综合管理岗</td></tr>\n",
                          sim_rng_chance(rng, 50) ? "男" : "女", id);
        }
        put(x, "</table>\n");
        return;
    }
    char mob[SIM_PRIV_SITE_MOBILES][12];
    sim_text_mobiles(rng, SIM_PRIV_SITE_MOBILES, mob);
    put(x, "<table "
           "class=\"gs-table\">\n<tr><th>村（社区）</th><th>网格员</th><th>手机号码</th></tr>\n");
    for (unsigned i = 0; i < SIM_PRIV_SITE_MOBILES; i++) {
        gs_buf_printf(x->b, "<tr><td>第%u网格</td><td>", i + 1);
        sim_text_person(x->b, rng);
        gs_buf_printf(x->b, "</td><td>%s</td></tr>\n", mob[i]);
    }
    put(x, "</table>\n");
}

static void article_page(ctx_t *x, const sim_column_t *c, uint32_t k)
{
    const sim_coldef_t *cd = coldef(c);
    int age = col_age(x->s, c, k);
    gs_ymd_t d = sim_plan_date(x->p, age);
    gs_buf_t title;
    gs_buf_init(&title, 1024);
    sim_rng_t rng;
    unsigned topic = item_title(x, c, k, &title, &rng);
    /* The content is the source item's: a duplicated item is column 0's newest. */
    const sim_column_t *sc = c;
    uint32_t sk = k;
    item_source(x, &sc, &sk);
    const sim_coldef_t *scd = coldef(sc);
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

    char full[512], short_title[512];
    snprintf(full, sizeof full, "%s_%s_%s", gs_buf_str(&title), cd->name, x->t->name);
    snprintf(short_title, sizeof short_title, "%s_%s", gs_buf_str(&title), cd->name);
    head_open(x, full, short_title);
    sim_page_article_meta(x, gs_buf_str(&title), when, source);
    if (!(x->s->omit & SIM_OMIT_META_COLUMN))
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
    bool formal = scd->cls == SIM_CC_POLICY || scd->cls == SIM_CC_NOTICE;
    if (scd->cls == SIM_CC_POLICY)
        /* A document number: 〔2021〕12号 has a year but is not a date. */
        gs_buf_printf(x->b, "<p class=\"right\">%.3s政办发〔%d〕%d号</p>\n",
                      x->t->region == 0 ? "湘" : sim_regions[x->t->region].shortname, d.y,
                      sim_rng_range(&rng, 1, 60));
    if (scd->cls == SIM_CC_SERVICE) {
        guide_body(x, gs_buf_str(&title), &rng, sk == 0);
    } else {
        sim_text_body(x->b, &rng, sim_rng_range(&rng, 3, 6), "<p>", "</p>\n", x->t, topic);
        /* W-WORDING: the wrong forms are in the newest articles of the main column. */
        const sim_site_t *s = x->s;
        if (sc == &s->cols[0])
            for (unsigned i = 0; i < s->wording; i++)
                /* Form i on item i, or on item 0 when the column has fewer items. */
                if ((i < s->cols[0].n_items ? i : 0) == sk)
                    gs_buf_printf(x->b, "<p>%s</p>\n",
                                  sim_wrongs[(s->wording_first + i) % sim_n_wrongs].sentence);
        if (is_privacy_item(x, sc, sk)) {
            put(x, "<p>现将有关名单公布如下：</p>\n");
            privacy_table(x, &rng);
        }
        if (sc == &s->cols[0] && sk == 0 && s->links == SIM_LINKS_INNER)
            gs_buf_printf(
                x->b,
                "<p>附件：<a href=\"/uploadfiles/%u/fujian1.doc\">1.相关材料.doc</a></p>\n"
                "<p>相关链接：<a href=\"/art/2019/1/1/art_%u_1.html\">往期报道</a></p>\n",
                (unsigned)s->cols[0].num, (unsigned)s->cols[0].num);
    }
    if (formal)
        gs_buf_printf(x->b, "<p class=\"right\">%s</p>\n<p class=\"right\">%d年%d月%d日</p>\n",
                      x->t->owner, d.y, d.m, d.d);
    /* 政策文件 and 政策解读 link each other (but the policy document a defect left alone). */
    const sim_column_t *pc = col_named(x->s, "zcwj"), *ic = col_named(x->s, "zcjd");
    if (scd->cls == SIM_CC_POLICY && sc == pc && ic) {
        uint32_t skip = x->s->policy_drop ? 1 : 0;
        if (sk >= skip && sk - skip < ic->n_items) {
            char iurl[128];
            gs_buf_t it;
            gs_buf_init(&it, 1024);
            sim_rng_t r2;
            item_title(x, ic, sk - skip, &it, &r2);
            item_url(x, ic, sk - skip, iurl, sizeof iurl);
            gs_buf_printf(x->b, "<p class=\"related\">相关解读：<a href=\"%s\">", iurl);
            sim_html_escape(x->b, it.data, it.len);
            put(x, "</a></p>\n");
            gs_buf_cleanup(&it);
        }
    } else if (scd->cls == SIM_CC_INTERP && pc && pc->n_items) {
        uint32_t pk = interp_policy(x, sk);
        if (pk < pc->n_items) {
            char purl[128];
            gs_buf_t pt;
            gs_buf_init(&pt, 1024);
            sim_rng_t r2;
            item_title(x, pc, pk, &pt, &r2);
            item_url(x, pc, pk, purl, sizeof purl);
            gs_buf_printf(x->b, "<p class=\"related\">相关文件：<a href=\"%s\">", purl);
            sim_html_escape(x->b, pt.data, pt.len);
            put(x, "（政策原文）</a></p>\n");
            gs_buf_cleanup(&pt);
        }
    }
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
    /* Attachments of a CMS whose file store is gone (W-LINK-BROKEN inner links). */
    if (strncmp(path, "/uploadfiles/", 13) == 0)
        return sim_reply_error(rq, 500);
    if (sim_board_serve(rq, &res))
        return res;

    gs_buf_t page;
    gs_buf_init(&page, PAGE_MAX);
    ctx_t x = {rq->plan, rq->target, &rq->target->u.site, &page, SIM_PAGE_HOME};
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0 ||
        strcmp(path, "/index.htm") == 0) {
        render_home(&x, rq->spider);
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
