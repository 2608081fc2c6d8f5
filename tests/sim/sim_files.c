/* sim_files.c -- what gs-simsrv writes into --out: the target registry the sweep reads,
 * the ground truth of every planted defect, the clean targets, a manifest of the plan
 * for tests, and the --connect-to lines that route the fictional hosts to this server.
 *
 *   registry.csv    kind,id,name,region,url,owner,platform,menu_url (UTF-8, RFC 4180);
 *                   menu_url for the WeChat accounts, whose menus the feed bridge serves
 *   truth.jsonl     {"target":ID,"code":CODE,"veto":BOOL,"detail":{...}} per finding
 *                   (sim_truth.c)
 *   clean.txt       ids of targets planted with no defect and no finding, one a line
 *   plan.jsonl      one object per target: charset, formats, newest item, defects, fault
 *   connect-to.txt  HOST:PORT:CONNECT-HOST:CONNECT-PORT lines, first match wins: refused
 *                   hosts (to a closed loopback port), sites without HTTPS (port 443
 *                   refused), IPv4-only sites (port 80 to 127.0.0.1), then the catch-alls:
 *                   port 443 to the TLS listener, everything else to ::1 (or 127.0.0.1
 *                   when there is no IPv6 listener)
 * Every file is written to a temporary name and renamed, so a reader never sees half. */
#include "sim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Ceiling of one output file. */
#define FILE_MAX (512u << 20)

int sim_files_put(const char *dir, const char *name, const char *data, size_t len, gs_err_t *err)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return gs_err_set(err, GS_EIO, "cannot create %s: %s", tmp, strerror(errno));
    bool ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return gs_err_set(err, GS_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return 0;
}

static int put_buf(const sim_plan_t *p, const char *name, gs_buf_t *b, gs_err_t *err)
{
    return sim_files_put(p->opts.out_dir, name, b->data ? b->data : "", b->len, err);
}

/* One CSV field, quoted when it must be (RFC 4180). */
static void csv_field(gs_buf_t *b, const char *s, bool last)
{
    if (strpbrk(s, ",\"\r\n")) {
        gs_buf_putc(b, '"');
        for (; *s; s++) {
            if (*s == '"')
                gs_buf_putc(b, '"');
            gs_buf_putc(b, *s);
        }
        gs_buf_putc(b, '"');
    } else {
        gs_buf_puts(b, s);
    }
    gs_buf_putc(b, last ? '\n' : ',');
}

static int write_registry(const sim_plan_t *p, gs_err_t *err)
{
    gs_buf_t b;
    gs_buf_init(&b, FILE_MAX);
    gs_buf_puts(&b, "kind,id,name,region,url,owner,platform,menu_url\n");
    for (size_t i = 0; i < p->n_targets; i++) {
        const sim_target_t *t = &p->targets[i];
        bool site = t->kind == SIM_SITE;
        csv_field(&b, site ? "site" : "account", false);
        csv_field(&b, t->id, false);
        csv_field(&b, t->name, false);
        csv_field(&b, sim_regions[t->region].name, false);
        csv_field(&b, t->url, false);
        csv_field(&b, t->owner, false);
        csv_field(&b, site ? "" : sim_platforms[t->u.acct.platform].name, false);
        char menu[256] = "";
        if (!site)
            sim_feed_menu_url(t, menu, sizeof menu);
        csv_field(&b, menu, true);
    }
    int rc = put_buf(p, "registry.csv", &b, err);
    gs_buf_cleanup(&b);
    return rc;
}

static int append_json_line(gs_buf_t *b, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!s)
        return GS_ENOMEM;
    int rc = gs_buf_puts(b, s);
    if (rc == 0)
        rc = gs_buf_putc(b, '\n');
    free(s);
    return rc;
}

static int write_truth(const sim_plan_t *p, gs_err_t *err)
{
    gs_buf_t truth, clean;
    gs_buf_init(&truth, FILE_MAX);
    gs_buf_init(&clean, FILE_MAX);
    int rc = sim_truth_write(p, &truth, &clean);
    if (rc < 0)
        rc = gs_err_set(err, rc, "cannot build truth.jsonl: %s", gs_strerror(rc));
    if (rc == 0)
        rc = put_buf(p, "truth.jsonl", &truth, err);
    if (rc == 0)
        rc = put_buf(p, "clean.txt", &clean, err);
    gs_buf_cleanup(&truth);
    gs_buf_cleanup(&clean);
    return rc;
}

static const char *const datefmt_names[SIM_DF_COUNT] = {"yyyy-mm-dd",   "yyyy/m/d", "yyyy.mm.dd",
                                                        "yyyy年m月d日", "[mm-dd]",  "mm-dd"};
static const char *const feedfmt_names[] = {"rss", "atom", "json"};

/* The manifest line of one target: what a test needs to pick targets and check pages. */
static json_t *manifest(const sim_plan_t *p, const sim_target_t *t)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    char d[16];
    json_object_set_new(o, "id", json_string(t->id));
    json_object_set_new(o, "kind", json_string(t->kind == SIM_SITE ? "site" : "account"));
    json_object_set_new(o, "region", json_string(sim_regions[t->region].name));
    json_object_set_new(o, "url", json_string(t->url));
    json_object_set_new(o, "host", json_string(t->kind == SIM_SITE ? t->host : SIM_FEEDS_HOST));
    gs_ymd_format(sim_plan_date(p, t->newest_age), d, sizeof d);
    json_object_set_new(o, "newest", json_string(d));
    json_object_set_new(o, "newest_days", json_integer(t->newest_age));
    json_t *defs = json_array();
    for (unsigned j = 0; defs && j < t->n_defects; j++) {
        const sim_defect_t *def = &sim_defects[t->defects[j]];
        json_t *x = json_object();
        if (!x)
            continue;
        json_object_set_new(x, "code", def->code ? json_string(def->code) : json_null());
        json_object_set_new(x, "cause", def->cause ? json_string(def->cause) : json_null());
        json_array_append_new(defs, x);
    }
    json_object_set_new(o, "defects", defs ? defs : json_array());
    if (t->kind == SIM_SITE) {
        const sim_site_t *s = &t->u.site;
        json_object_set_new(o, "charset", json_string(sim_charsets[s->charset].name));
        json_object_set_new(
            o, "declared",
            json_string(sim_charsets[s->charset].header ? sim_charsets[s->charset].header : ""));
        json_t *fmts = json_array();
        for (unsigned b = 0; fmts && b < s->n_blocks; b++)
            json_array_append_new(fmts, json_string(datefmt_names[s->block_fmt[b]]));
        json_object_set_new(o, "home_formats", fmts ? fmts : json_array());
        json_object_set_new(o, "columns", json_integer(s->n_cols));
        json_object_set_new(o, "items", json_integer(s->n_items));
        unsigned pages = 1 + s->n_items;
        for (unsigned c = 0; c < s->n_cols; c++)
            pages += s->cols[c].n_pages;
        json_object_set_new(o, "pages", json_integer(pages));
        json_object_set_new(o, "phone", json_string(s->phone));
        json_object_set_new(o, "fault", json_boolean(s->fault != SIM_FAULT_NONE));
        json_object_set_new(o, "extended", json_boolean(s->extended));
        json_object_set_new(o, "messages", json_integer(s->n_msgs));
        if (s->fault == SIM_FAULT_FLAP)
            json_object_set_new(o, "flap_rate", json_real(p->opts.flap_rate));
    } else {
        const sim_account_t *a = &t->u.acct;
        json_object_set_new(o, "platform", json_string(sim_platforms[a->platform].name));
        json_object_set_new(o, "format", json_string(feedfmt_names[a->format]));
        json_object_set_new(o, "gmt", json_boolean(a->gmt));
        json_object_set_new(o, "posts", json_integer(a->n_posts));
        json_object_set_new(o, "closed", json_integer(a->closed));
        char menu[256] = "";
        sim_feed_menu_url(t, menu, sizeof menu);
        json_object_set_new(o, "menu_url", json_string(menu));
        char prof[256];
        snprintf(prof, sizeof prof, "http://%s/profile/%s.html", SIM_FEEDS_HOST, t->id);
        json_object_set_new(o, "profile", json_string(prof));
    }
    return o;
}

static int write_manifest(const sim_plan_t *p, gs_err_t *err)
{
    gs_buf_t b;
    gs_buf_init(&b, FILE_MAX);
    int rc = 0;
    for (size_t i = 0; i < p->n_targets && rc == 0; i++) {
        json_t *o = manifest(p, &p->targets[i]);
        rc = o ? append_json_line(&b, o) : GS_ENOMEM;
        json_decref(o);
    }
    if (rc < 0)
        rc = gs_err_set(err, rc, "cannot build plan.jsonl: %s", gs_strerror(rc));
    else
        rc = put_buf(p, "plan.jsonl", &b, err);
    gs_buf_cleanup(&b);
    return rc;
}

int sim_files_write(const sim_plan_t *p, gs_err_t *err)
{
    int rc = write_registry(p, err);
    if (rc == 0)
        rc = write_truth(p, err);
    if (rc == 0)
        rc = write_manifest(p, err);
    return rc;
}

/* Whether any defect row of t maps its host to a closed port. */
static bool refused(const sim_target_t *t)
{
    for (unsigned j = 0; j < t->n_defects; j++)
        if (sim_defects[t->defects[j]].refuse)
            return true;
    return false;
}

int sim_files_write_connect(const sim_plan_t *p, unsigned port, unsigned port6, unsigned tls_port,
                            gs_err_t *err)
{
    gs_buf_t b;
    gs_buf_init(&b, FILE_MAX);
    /* Refused hosts first: curl takes the first matching line. Port 1 on loopback is
     * closed on any sane machine, so connecting there is refused at once. The host that
     * broken links and menus point at is one of them. */
    for (size_t i = 0; i < p->n_sites; i++)
        if (refused(&p->targets[i]))
            gs_buf_printf(&b, "%s::127.0.0.1:1\n", p->targets[i].host);
    gs_buf_printf(&b, "%s::127.0.0.1:1\n", SIM_DEAD_HOST);
    bool v6 = strchr(p->opts.listen, ':') != NULL;
    if (tls_port) {
        for (size_t i = 0; i < p->n_sites; i++) {
            const sim_target_t *t = &p->targets[i];
            if (t->u.site.tls == SIM_TLS_NONE && !refused(t))
                gs_buf_printf(&b, "%s:443:127.0.0.1:1\n", t->host);
        }
    }
    if (port6) {
        for (size_t i = 0; i < p->n_sites; i++) {
            const sim_target_t *t = &p->targets[i];
            if (t->u.site.no_ipv6 && !refused(t))
                gs_buf_printf(&b, "%s:80:%s:%u\n", t->host, p->opts.listen, port);
        }
    }
    if (tls_port)
        gs_buf_printf(&b, v6 ? ":443:[%s]:%u\n" : ":443:%s:%u\n", p->opts.listen, tls_port);
    if (port6)
        gs_buf_printf(&b, "::[::1]:%u\n", port6);
    else
        gs_buf_printf(&b, v6 ? "::[%s]:%u\n" : "::%s:%u\n", p->opts.listen, port);
    int rc = put_buf(p, "connect-to.txt", &b, err);
    gs_buf_cleanup(&b);
    return rc;
}
