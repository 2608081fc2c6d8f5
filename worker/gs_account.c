/* gs_account.c -- an account's feed, profile page and menu, read into gs_account facts. */
#include "gs_account.h"
#include "gs_content.h"
#include "gs_page.h"
#include "gs_url.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_RULES_MAX 512
#define FIELD_MAX 256 /* bytes kept of a name, type or owner shown */

/* ---- profile rules (data/profiles.tsv) ----------------------------------------------- */

typedef struct profrule {
    char platform[64];
    char field[8]; /* name, type, owner */
    char how[8];   /* label, meta, title, word */
    char value[64];
} profrule_t;

struct gs_profrules {
    profrule_t r[PROFILE_RULES_MAX];
    size_t n;
};

gs_profrules_t *gs_profrules_load(const char *data_dir, gs_err_t *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/profiles.tsv", data_dir);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    gs_profrules_t *t = calloc(1, sizeof(*t));
    if (!t) {
        fclose(fp);
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *f[4];
        size_t n = 0;
        for (char *p = line; n < 4;) {
            f[n++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = '\0';
            p = tab + 1;
        }
        bool ok =
            n == 4 && (!strcmp(f[1], "name") || !strcmp(f[1], "type") || !strcmp(f[1], "owner"));
        ok = ok && (!strcmp(f[2], "label") || !strcmp(f[2], "meta") || !strcmp(f[2], "title") ||
                    !strcmp(f[2], "word"));
        ok = ok && strlen(f[0]) < 64 && strlen(f[3]) < 64;
        if (!ok) {
            rc = gs_err_set(err, GS_EPARSE,
                            "%s:%d: expected PLATFORM<TAB>name|type|owner<TAB>label|meta|title|"
                            "word<TAB>VALUE",
                            path, lineno);
            break;
        }
        if (t->n >= PROFILE_RULES_MAX) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: more than %d rules", path, lineno,
                            PROFILE_RULES_MAX);
            break;
        }
        profrule_t *r = &t->r[t->n++];
        snprintf(r->platform, sizeof(r->platform), "%s", f[0]);
        snprintf(r->field, sizeof(r->field), "%s", f[1]);
        snprintf(r->how, sizeof(r->how), "%s", f[2]);
        snprintf(r->value, sizeof(r->value), "%s", f[3]);
    }
    fclose(fp);
    if (rc < 0) {
        free(t);
        return NULL;
    }
    return t;
}

void gs_profrules_destroy(gs_profrules_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

/* ---- the account --------------------------------------------------------------------- */

/* Remember the first allocation failure of the feeding functions (which return nothing:
 * gs_job calls them as answers arrive); gs_account_check returns it instead of judging
 * facts that lost a part. */
static void acct_fail(gs_account_t *a, int rc)
{
    if (rc < 0 && !a->err)
        a->err = rc;
}

/* Replace *dst by a copy of src cut to max bytes (a shortage recorded in a). */
static void set_str(gs_account_t *a, char **dst, const char *src, size_t max)
{
    size_t n = strlen(src ? src : "");
    if (n > max)
        n = max;
    while (n && ((unsigned char)src[n] & 0xC0) == 0x80)
        n--; /* cut on a character boundary */
    char *s = malloc(n + 1);
    if (!s) {
        acct_fail(a, GS_ENOMEM);
        return;
    }
    memcpy(s, src ? src : "", n);
    s[n] = '\0';
    free(*dst);
    *dst = s;
}

gs_account_t *gs_account_new(const gs_check_env_t *env, const char *id, const char *name,
                             const char *owner, const char *platform, const char *url,
                             const char *menu_url, int64_t ref_unix)
{
    gs_account_t *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->env = env;
    a->cfg = env->cfg;
    a->id = id;
    a->name = name;
    a->owner = owner;
    a->url = url;
    a->menu_url = menu_url;
    a->platform =
        gs_platform_normalize(env->platforms, platform, a->platform_buf, sizeof(a->platform_buf));
    a->ref_unix = ref_unix;
    gs_ymd_t r = gs_ymd_from_unix_cst(ref_unix);
    a->ref_day = (int32_t)gs_days_from_civil(r.y, r.m, r.d);
    a->closed_marker = strdup("");
    a->menu_error = strdup("");
    if (!a->closed_marker || !a->menu_error)
        gs_account_destroy(&a);
    return a;
}

void gs_account_destroy(gs_account_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    gs_account_t *a = *self_p;
    free(a->closed_marker);
    free(a->format);
    free(a->shown_name);
    free(a->feed_link);
    free(a->first_post_url);
    free(a->profile_url);
    free(a->profile_type);
    free(a->profile_owner);
    free(a->menu_error);
    for (size_t i = 0; i < a->nmenu; i++) {
        free(a->menu[i].name);
        free(a->menu[i].url);
        free(a->menu[i].why);
    }
    gs_hits_cleanup(&a->wording);
    gs_hits_cleanup(&a->spam);
    gs_hits_cleanup(&a->privacy);
    free(a);
    *self_p = NULL;
}

/* The closed-account markers of data/closed-markers.txt in text. */
static const char *closed_marker(const gs_account_t *a, const char *text)
{
    for (size_t i = 0; text && i < a->env->nclosed; i++)
        if (strstr(text, a->env->closed_markers[i]))
            return a->env->closed_markers[i];
    return NULL;
}

void gs_account_closed_text(gs_account_t *a, const char *text, size_t len)
{
    (void)len;
    const char *m = closed_marker(a, text);
    if (m) {
        a->closed = true;
        set_str(a, &a->closed_marker, m, FIELD_MAX);
    }
}

/* Content checks of one post: dictionaries, personal data. */
static void post_content(gs_account_t *a, const char *title, const char *text, const char *url)
{
    size_t tl = strlen(title), xl = strlen(text);
    char *buf = malloc(tl + xl + 2);
    if (!buf) {
        acct_fail(a, GS_ENOMEM);
        return;
    }
    memcpy(buf, title, tl);
    buf[tl] = '\n';
    memcpy(buf + tl + 1, text, xl + 1);
    size_t before = a->wording.len + a->spam.len + a->privacy.len;
    acct_fail(a, gs_content_dict(a->env, buf, tl + 1 + xl, url, &a->wording, &a->spam, NULL));
    int rc =
        gs_content_privacy(buf, tl + 1 + xl, a->ref_day, a->cfg->privacy_mobiles, url, &a->privacy);
    acct_fail(a, rc);
    if (rc > 0)
        a->mobiles_in_bulk = true;
    if (!a->first_post_url && a->wording.len + a->spam.len + a->privacy.len > before)
        set_str(a, &a->first_post_url, url, 4096);
    free(buf);
}

void gs_account_feed(gs_account_t *a, const gs_feed_t *feed, const char *url)
{
    a->read = true;
    set_str(a, &a->format, gs_feed_format(feed), 16);
    set_str(a, &a->shown_name, gs_feed_title(feed), FIELD_MAX);
    set_str(a, &a->feed_link, gs_feed_link(feed), 4096);
    a->posts = gs_feed_total(feed);
    a->newest = gs_feed_newest(feed, a->ref_unix);
    for (size_t i = 0; i < gs_feed_count(feed); i++) {
        const gs_post_t *p = gs_feed_post(feed, i);
        if (p->published > a->ref_unix)
            a->future_posts++;
        post_content(a, p->title, p->text, p->link && p->link[0] ? p->link : url);
    }
    /* A feed bridge shows a closed account in its title or description, not in a post
     * that happens to quote the words. */
    const char *m = closed_marker(a, gs_feed_title(feed));
    if (m) {
        a->closed = true;
        set_str(a, &a->closed_marker, m, FIELD_MAX);
    }
}

/* The value after "LABEL：" or "LABEL:" in text, up to the end of its line, into out. */
static bool label_value(const char *text, const char *label, char *out, size_t outlen)
{
    for (const char *p = text; (p = strstr(p, label)) != NULL; p += strlen(label)) {
        const char *v = p + strlen(label);
        if (!strncmp(v, "：", strlen("：")))
            v += strlen("：");
        else if (*v == ':')
            v++;
        else
            continue;
        while (*v == ' ')
            v++;
        size_t n = strcspn(v, "\n");
        while (n && v[n - 1] == ' ')
            n--;
        if (!n)
            continue;
        snprintf(out, outlen, "%.*s", (int)(n < outlen - 1 ? n : outlen - 1), v);
        return true;
    }
    return false;
}

/* A field of the profile by the rules of the platform, then those of "*". */
static bool profile_field(const gs_account_t *a, const gs_page_t *page, const char *field,
                          char *out, size_t outlen)
{
    const gs_profrules_t *t = a->env->profiles;
    for (int pass = 0; t && pass < 2; pass++)
        for (size_t i = 0; i < t->n; i++) {
            const profrule_t *r = &t->r[i];
            if (strcmp(r->field, field) != 0 ||
                strcmp(r->platform, pass == 0 ? a->platform.platform : "*") != 0)
                continue;
            if (!strcmp(r->how, "label") && label_value(page->text, r->value, out, outlen))
                return true;
            if (!strcmp(r->how, "meta")) {
                const char *v = gs_page_meta(page, r->value);
                if (v && v[0]) {
                    snprintf(out, outlen, "%s", v);
                    return true;
                }
            }
            if (!strcmp(r->how, "title") && page->title[0]) {
                snprintf(out, outlen, "%s", page->title);
                static const char *const seps[] = {" - ", "_", "|", "——", NULL};
                for (int k = 0; seps[k]; k++) {
                    char *cut = strstr(out, seps[k]);
                    if (cut && cut != out)
                        *cut = '\0';
                }
                return true;
            }
            if (!strcmp(r->how, "word") && strstr(page->text, r->value)) {
                snprintf(out, outlen, "%s", r->value);
                return true;
            }
        }
    return false;
}

void gs_account_profile(gs_account_t *a, const char *body, size_t len, const char *content_type,
                        const char *url)
{
    gs_page_t page;
    int rc = gs_page_parse(&page, body, len, content_type, url, a->ref_unix, 2000, a->env->t2s);
    if (rc < 0) {
        /* a page that is no HTML is no profile; one lost for memory is an error */
        if (rc == GS_ENOMEM)
            acct_fail(a, rc);
        gs_page_cleanup(&page);
        return;
    }
    a->profile_read = true;
    set_str(a, &a->profile_url, url, 4096);
    char v[FIELD_MAX];
    if (profile_field(a, &page, "type", v, sizeof(v)))
        set_str(a, &a->profile_type, v, FIELD_MAX);
    if (profile_field(a, &page, "owner", v, sizeof(v)))
        set_str(a, &a->profile_owner, v, FIELD_MAX);
    if (!a->shown_name && profile_field(a, &page, "name", v, sizeof(v)))
        set_str(a, &a->shown_name, v, FIELD_MAX);
    gs_account_closed_text(a, page.text, page.text_len);
    /* no feed: the profile's dated list is the post list */
    if (!a->read) {
        a->read = true;
        set_str(a, &a->format, "profile", 16);
        a->posts = page.items;
        if (page.newest_item != GS_NO_DAY) /* noon CST of that day */
            a->newest = (int64_t)page.newest_item * 86400 + 4 * 3600;
        post_content(a, page.title, page.text, url);
    }
    gs_page_cleanup(&page);
}

/* Add a menu entry (bounded). */
static void menu_add(gs_account_t *a, const char *name, const char *url)
{
    if (a->nmenu >= GS_ACCOUNT_MAX_MENU || !url || !url[0])
        return;
    for (size_t i = 0; i < a->nmenu; i++)
        if (!strcmp(a->menu[i].url, url) && !strcmp(a->menu[i].name, name ? name : ""))
            return;
    gs_menu_entry_t *m = &a->menu[a->nmenu];
    memset(m, 0, sizeof(*m));
    set_str(a, &m->name, name ? name : "", FIELD_MAX);
    set_str(a, &m->url, url, GS_URL_MAX);
    if (m->name && m->url) {
        a->nmenu++;
    } else {
        free(m->name);
        free(m->url);
    }
}

/* A JSON menu: [{"name","url"}...], WeChat's {"button":[{"name","url","sub_button":[...]}]}
 * or {"menu":{"button":...}}. */
static void menu_json(gs_account_t *a, json_t *v, const char *base, int depth)
{
    if (depth > 8 || !v)
        return;
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) menu_json(a, x, base, depth + 1);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *name = json_string_value(json_object_get(v, "name"));
    const char *url = json_string_value(json_object_get(v, "url"));
    if (url) {
        char *abs;
        acct_fail(a, gs_url_resolve_rc(base, url, &abs));
        if (abs)
            menu_add(a, name, abs);
        free(abs);
    } else if (name && !json_object_get(v, "sub_button") && !json_object_get(v, "button")) {
        menu_add(a, name, "");
    }
    menu_json(a, json_object_get(v, "sub_button"), base, depth + 1);
    menu_json(a, json_object_get(v, "button"), base, depth + 1);
    menu_json(a, json_object_get(v, "menu"), base, depth + 1);
}

int gs_account_menu(gs_account_t *a, const char *body, size_t len, const char *base)
{
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (root) {
        menu_json(a, root, base, 0);
        json_decref(root);
        a->menu_read = true;
        return 0;
    }
    gs_page_t page;
    int rc = gs_page_parse(&page, body, len, NULL, base, a->ref_unix, GS_ACCOUNT_MAX_MENU, NULL);
    if (rc == GS_ENOMEM) {
        gs_page_cleanup(&page);
        acct_fail(a, rc);
        return rc;
    }
    if (rc == 0 && page.nlinks) {
        for (size_t i = 0; i < page.nlinks; i++)
            if (page.links[i].kind == GS_LINK_A)
                menu_add(a, page.links[i].text, page.links[i].url);
        a->menu_read = true;
    }
    gs_page_cleanup(&page);
    if (!a->menu_read) {
        set_str(a, &a->menu_error, "菜单既不是 JSON 也不是含链接的 HTML", 256);
        return GS_EPARSE;
    }
    return 0;
}
