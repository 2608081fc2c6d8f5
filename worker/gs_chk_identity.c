/* gs_chk_identity.c -- W-HEADER (头部标识), W-FOOTER (底部功能区), W-META (网页标签) and
 * W-DOMAIN (域名), read from the home page's regions, every page's meta tags and the
 * registry's host. */
#include "gs_site.h"
#include "gs_url.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The registered name without the words sites drop in their own header: "湖南省教育厅网站"
 * shows as "湖南省教育厅", "长沙市人民政府门户网站" as "长沙市人民政府". */
static void core_name(const char *name, char *out, size_t outlen)
{
    static const char *const suffixes[] = {"门户网站", "政府网站", "网站", "门户", NULL};
    snprintf(out, outlen, "%s", name);
    size_t n = strlen(out);
    for (int i = 0; suffixes[i]; i++) {
        size_t l = strlen(suffixes[i]);
        if (n > l + 3 && strcmp(out + n - l, suffixes[i]) == 0) {
            out[n - l] = '\0';
            return;
        }
    }
}

static int chk_header(gs_site_t *s, gs_findings_t *out)
{
    char core[256];
    core_name(s->name, core, sizeof(core));
    if (!core[0])
        return 0;
    if (!s->home_header) /* its copy failed for memory: no verdict without it */
        return GS_ENOMEM;
    bool region = s->home_header[0] || s->home_alts;
    if (strstr(s->home_header, core) || (s->home_alts && strstr(s->home_alts, core)))
        return 0;
    /* no header region recognized: the title is what a visitor sees at the top */
    if (!region && s->home_title && strstr(s->home_title, core))
        return 0;
    char ev[600];
    snprintf(ev, sizeof(ev), "首页头部标识区未显示网站名称“%s”", s->name);
    return gs_chk_add(out, "W-HEADER", false, s->home_final ? s->home_final : s->home_url, ev,
                      json_pack("{s:s, s:s, s:b, s:b, s:b}", "name", s->name, "title",
                                s->home_title ? s->home_title : "", "in_title",
                                s->home_title && strstr(s->home_title, core) != NULL,
                                "in_sitename_meta",
                                s->home_sitename_meta && strstr(s->home_sitename_meta, core),
                                "header_found", region));
}

/* The 10-character code after "网站标识码" in text ([0-9]{10} or bm[0-9]{8}), or "". */
static void shown_sitecode(const char *text, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *p = strstr(text, "网站标识码");
    if (!p)
        return;
    p += strlen("网站标识码");
    for (int skip = 0; skip < 12 && *p && !(*p >= '0' && *p <= '9') && *p != 'b'; skip++) {
        unsigned char c = (unsigned char)*p;
        p += c < 0x80 ? 1 : c >= 0xE0 ? 3 : 2; /* "：", ":", spaces */
    }
    size_t n = 0;
    while (n < 10 && p[n] &&
           ((p[n] >= '0' && p[n] <= '9') || (n < 2 && (p[n] == 'b' || p[n] == 'm'))))
        n++;
    if (n == 10 && !(p[10] >= '0' && p[10] <= '9'))
        snprintf(out, outlen, "%.10s", p);
}

/* "湘ICP备05001234号" (and "-1" after it): a province character, ICP备, digits, 号. */
static bool has_icp(const char *t)
{
    for (const char *p = t; (p = strstr(p, "ICP备")) != NULL; p++) {
        const char *d = p + strlen("ICP备");
        size_t n = 0;
        while (d[n] >= '0' && d[n] <= '9')
            n++;
        if (n >= 4 && strncmp(d + n, "号", strlen("号")) == 0)
            return true;
    }
    return false;
}

/* "湘公网安备 43010502000123号": 公网安备, optional spaces, 14 digits, 号. */
static bool has_psb(const char *t)
{
    for (const char *p = t; (p = strstr(p, "公网安备")) != NULL; p++) {
        const char *d = p + strlen("公网安备");
        while (*d == ' ' || !strncmp(d, "\xe3\x80\x80", 3))
            d += *d == ' ' ? 1 : 3;
        size_t n = 0;
        while (d[n] >= '0' && d[n] <= '9')
            n++;
        if (n == 14 && strncmp(d + n, "号", strlen("号")) == 0)
            return true;
    }
    return false;
}

static bool has_any(const char *t, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (strstr(t, words[i]))
            return true;
    return false;
}

static int chk_footer(gs_site_t *s, gs_findings_t *out)
{
    static const char *const sponsor[] = {"主办单位", "主办：", "主办:", NULL};
    static const char *const contact[] = {
        "联系电话", "联系方式", "电话：", "电话:", "联系我们", "咨询电话", NULL};
    const char *t = s->home_footer ? s->home_footer : "";
    const char *links = s->footer_links ? s->footer_links : "";
    char code[16], zc[64];
    shown_sitecode(t, code, sizeof(code));
    snprintf(zc, sizeof(zc), "sitecode=%s", s->sitecode);
    bool zhaocuo = strstr(links, "zfwzzc") && strstr(links, zc);
    const char *missing[7];
    size_t n = 0;
    /* keys sorted, as detail.missing lists them */
    if (!strstr(links, "conac.cn"))
        missing[n++] = "conac";
    if (!has_any(t, contact))
        missing[n++] = "contact";
    if (!has_icp(t))
        missing[n++] = "icp";
    if (!has_psb(t))
        missing[n++] = "psb";
    if (strcmp(code, s->sitecode) != 0)
        missing[n++] = "sitecode";
    if (!has_any(t, sponsor))
        missing[n++] = "sponsor";
    if (!zhaocuo)
        missing[n++] = "zhaocuo";
    if (!n)
        return 0;
    static const struct {
        const char *key, *name;
    } names[] = {{"conac", "党政机关标识"},
                 {"contact", "联系方式"},
                 {"icp", "ICP备案编号"},
                 {"psb", "公安机关备案号"},
                 {"sitecode", "网站标识码"},
                 {"sponsor", "主办单位"},
                 {"zhaocuo", "“我为政府网站找错”入口"}};
    char ev[800];
    size_t el = (size_t)snprintf(ev, sizeof(ev), "首页底部功能区缺少：");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
            if (!strcmp(names[k].key, missing[i]) && el < sizeof(ev))
                el += (size_t)snprintf(ev + el, sizeof(ev) - el, "%s%s", i ? "、" : "",
                                       names[k].name);
        gs_chk_append(&arr, json_string(missing[i]));
    }
    if (code[0] && strcmp(code, s->sitecode) != 0 && el < sizeof(ev))
        snprintf(ev + el, sizeof(ev) - el, "（页面网站标识码 %s 与登记的 %s 不一致）", code,
                 s->sitecode);
    json_t *o = json_pack("{s:o, s:s, s:s, s:b}", "missing", arr, "sitecode_shown", code,
                          "sitecode_registered", s->sitecode, "footer_found", s->home_footer_found);
    return gs_chk_add(out, "W-FOOTER", false, s->home_final ? s->home_final : s->home_url, ev, o);
}

static int chk_meta(gs_site_t *s, gs_findings_t *out)
{
    json_t *missing = json_array(), *counts = json_object(), *examples = json_object();
    char ev[800];
    size_t el = (size_t)snprintf(ev, sizeof(ev), "网页缺少标签：");
    int n = 0;
    /* names sorted, as detail.missing lists them */
    static const int order[GS_META_COUNT] = {
        GS_META_ARTICLETITLE, GS_META_COLUMNNAME, GS_META_CONTENTSOURCE, GS_META_PUBDATE,
        GS_META_SITEDOMAIN,   GS_META_SITEIDCODE, GS_META_SITENAME};
    for (int k = 0; k < GS_META_COUNT; k++) {
        int i = order[k];
        if (!s->meta_missing[i])
            continue;
        gs_chk_append(&missing, json_string(gs_meta_names[i]));
        gs_chk_set(&counts, gs_meta_names[i], json_integer(s->meta_missing[i]));
        gs_chk_set(&examples, gs_meta_names[i],
                   json_string(s->meta_example[i] ? s->meta_example[i] : ""));
        if (el < sizeof(ev))
            el += (size_t)snprintf(ev + el, sizeof(ev) - el, "%s%s（%u 个页面）", n ? "、" : "",
                                   gs_meta_names[i], s->meta_missing[i]);
        n++;
    }
    if (!n) {
        json_decref(missing);
        json_decref(counts);
        json_decref(examples);
        return 0;
    }
    const char *url = "";
    for (int i = 0; i < GS_META_COUNT && !url[0]; i++)
        if (s->meta_example[i])
            url = s->meta_example[i];
    uint32_t pages = s->pages[0] + s->pages[1] + s->pages[2] + s->pages[3];
    return gs_chk_add(out, "W-META", false, url, ev,
                      json_pack("{s:o, s:o, s:o, s:i}", "missing", missing, "pages_missing", counts,
                                "examples", examples, "pages", (int)pages));
}

static int chk_domain(gs_site_t *s, gs_findings_t *out)
{
    if (!s->host[0] || gs_host_is_gov(s->host))
        return 0;
    char ev[400];
    snprintf(ev, sizeof(ev), "网站域名 %s 不是 .gov.cn 或 .政务 域名", s->host);
    return gs_chk_add(out, "W-DOMAIN", false, s->home_url, ev, json_pack("{s:s}", "host", s->host));
}

int gs_chk_identity(gs_site_t *s, gs_findings_t *out)
{
    int rc = chk_domain(s, out);
    if (rc < 0 || !s->home_ok)
        return rc;
    if ((rc = chk_header(s, out)) < 0 || (rc = chk_footer(s, out)) < 0)
        return rc;
    return chk_meta(s, out);
}
