/* gs_platform.c -- data/platforms.tsv: registry platform names to the notice's names. */
#include "gs_platform.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 1024
#define NAME_MAX_ 64

typedef struct entry {
    char name[NAME_MAX_]; /* without spaces */
    char platform[NAME_MAX_];
    char type[NAME_MAX_];
    bool menu;
} entry_t;

struct gs_platforms {
    entry_t *e;
    size_t n;
};

/* s without ASCII and ideographic spaces, into out. */
static void squash(const char *s, char *out, size_t outlen)
{
    size_t j = 0;
    for (size_t i = 0; s[i] && j + 1 < outlen;) {
        if (s[i] == ' ' || s[i] == '\t') {
            i++;
        } else if (!strncmp(s + i, "\xe3\x80\x80", 3)) {
            i += 3;
        } else {
            out[j++] = s[i++];
        }
    }
    out[j] = '\0';
}

gs_platforms_t *gs_platforms_load(const char *data_dir, gs_err_t *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/platforms.tsv", data_dir);
    FILE *fp = fopen(path, "r");
    if (!fp) {
        gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    gs_platforms_t *t = calloc(1, sizeof(*t));
    if (t)
        t->e = calloc(MAX_NAMES, sizeof(*t->e));
    if (!t || !t->e) {
        fclose(fp);
        gs_platforms_destroy(&t);
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
        for (char *p = line; n < 4; n++) {
            f[n] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                n++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (n != 4 || !f[0][0] || !f[1][0] || strlen(f[0]) >= NAME_MAX_ ||
            strlen(f[1]) >= NAME_MAX_ || strlen(f[2]) >= NAME_MAX_ ||
            (strcmp(f[3], "menu") && strcmp(f[3], "-"))) {
            rc = gs_err_set(err, GS_EPARSE, "%s:%d: expected NAME<TAB>PLATFORM<TAB>TYPE<TAB>MENU",
                            path, lineno);
            break;
        }
        if (t->n >= MAX_NAMES) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: more than %d names", path, lineno, MAX_NAMES);
            break;
        }
        entry_t *e = &t->e[t->n++];
        squash(f[0], e->name, sizeof(e->name));
        snprintf(e->platform, sizeof(e->platform), "%s", f[1]);
        snprintf(e->type, sizeof(e->type), "%s", strcmp(f[2], "-") ? f[2] : "");
        e->menu = strcmp(f[3], "menu") == 0;
    }
    fclose(fp);
    if (rc < 0)
        gs_platforms_destroy(&t);
    return t;
}

void gs_platforms_destroy(gs_platforms_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->e);
    free(*self_p);
    *self_p = NULL;
}

gs_platform_t gs_platform_normalize(const gs_platforms_t *t, const char *name, char *buf,
                                    size_t buflen)
{
    gs_platform_t r = {"", "", false, false};
    char key[NAME_MAX_ * 2];
    squash(name ? name : "", key, sizeof(key));
    for (size_t i = 0; t && i < t->n; i++)
        if (strcmp(t->e[i].name, key) == 0) {
            r.platform = t->e[i].platform;
            r.type = t->e[i].type;
            r.menu = t->e[i].menu;
            r.known = true;
            return r;
        }
    snprintf(buf, buflen, "%s", key);
    r.platform = buf;
    return r;
}
