/* gs_columns.c -- the column classes and keywords of data/columns.tsv, and overrides. */
#include "gs_columns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLASSES 64
#define MAX_TERMS 4096
#define MAX_OVERRIDES 4096
#define NAME_MAX_ 128

typedef struct term {
    char word[NAME_MAX_];
    int cls; /* index in classes, -1 for "none" */
} term_t;

typedef struct override {
    char site[24];
    char column[NAME_MAX_];
    int cls;
} override_t;

struct gs_colrules {
    gs_colclass_t classes[MAX_CLASSES];
    size_t nclasses;
    term_t *terms;
    size_t nterms;
    override_t *overrides;
    size_t noverrides;
};

/* Split line at tabs into at most max fields (in place). */
static size_t split_tabs(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        f[n++] = p;
        char *t = strchr(p, '\t');
        if (!t)
            break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}

/* The class index of a name, -1 for "none", -2 when unknown. */
static int class_index(const gs_colrules_t *r, const char *name)
{
    if (strcmp(name, "none") == 0)
        return -1;
    for (size_t i = 0; i < r->nclasses; i++)
        if (strcmp(r->classes[i].name, name) == 0)
            return (int)i;
    return -2;
}

static int load_rules(gs_colrules_t *r, const char *path, gs_err_t *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gs_err_set(err, GS_EIO, "%s: %s", path, strerror(errno));
    char line[1024];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *f[6];
        size_t n = split_tabs(line, f, 6);
        if (strcmp(f[0], "class") == 0 && n >= 4) {
            if (r->nclasses >= MAX_CLASSES) {
                rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: more than %d classes", path, lineno,
                                MAX_CLASSES);
                break;
            }
            gs_colclass_t *c = &r->classes[r->nclasses];
            char *end;
            long days = strtol(f[2], &end, 10);
            if (*end || days <= 0 || days > 10000 || strlen(f[1]) >= sizeof(c->name)) {
                rc = gs_err_set(err, GS_EPARSE, "%s:%d: bad class line", path, lineno);
                break;
            }
            snprintf(c->name, sizeof(c->name), "%s", f[1]);
            c->days = (int)days;
            c->first = strcmp(f[3], "first") == 0;
            c->level1 = strcmp(f[3], "level1") == 0;
            if (!c->first && !c->level1 && strcmp(f[3], "total") != 0) {
                rc = gs_err_set(err, GS_EPARSE, "%s:%d: rule '%s' is not first, level1 or total",
                                path, lineno, f[3]);
                break;
            }
            snprintf(c->desc, sizeof(c->desc), "%s", n >= 5 ? f[4] : f[1]);
            r->nclasses++;
        } else if (strcmp(f[0], "term") == 0 && n >= 3) {
            int ci = class_index(r, f[2]);
            if (ci == -2 || !f[1][0] || strlen(f[1]) >= NAME_MAX_) {
                rc = gs_err_set(err, GS_EPARSE, "%s:%d: bad term (class '%s' defined above?)", path,
                                lineno, f[2]);
                break;
            }
            if (r->nterms >= MAX_TERMS) {
                rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: more than %d terms", path, lineno,
                                MAX_TERMS);
                break;
            }
            snprintf(r->terms[r->nterms].word, NAME_MAX_, "%s", f[1]);
            r->terms[r->nterms].cls = ci;
            r->nterms++;
        } else {
            rc = gs_err_set(err, GS_EPARSE, "%s:%d: expected a class or term line", path, lineno);
        }
    }
    fclose(fp);
    return rc;
}

static int load_overrides(gs_colrules_t *r, const char *path, gs_err_t *err)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return gs_err_set(err, GS_EIO, "column_overrides %s: %s", path, strerror(errno));
    char line[1024];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), fp)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        char *f[4];
        size_t n = split_tabs(line, f, 4);
        int ci = n >= 3 ? class_index(r, f[2]) : -2;
        if (n < 3 || ci == -2 || strlen(f[0]) >= sizeof(r->overrides[0].site) ||
            strlen(f[1]) >= NAME_MAX_) {
            rc = gs_err_set(err, GS_EPARSE, "%s:%d: expected SITECODE<TAB>column<TAB>class", path,
                            lineno);
            break;
        }
        if (r->noverrides >= MAX_OVERRIDES) {
            rc = gs_err_set(err, GS_ETOOBIG, "%s:%d: more than %d overrides", path, lineno,
                            MAX_OVERRIDES);
            break;
        }
        override_t *o = &r->overrides[r->noverrides++];
        snprintf(o->site, sizeof(o->site), "%s", f[0]);
        snprintf(o->column, sizeof(o->column), "%s", f[1]);
        o->cls = ci;
    }
    fclose(fp);
    return rc;
}

gs_colrules_t *gs_colrules_load(const char *data_dir, const char *overrides, gs_err_t *err)
{
    gs_colrules_t *r = calloc(1, sizeof(*r));
    if (r) {
        r->terms = calloc(MAX_TERMS, sizeof(*r->terms));
        r->overrides = calloc(MAX_OVERRIDES, sizeof(*r->overrides));
    }
    if (!r || !r->terms || !r->overrides) {
        gs_colrules_destroy(&r);
        gs_err_set(err, GS_ENOMEM, "out of memory");
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/columns.tsv", data_dir);
    if (load_rules(r, path, err) < 0 ||
        (overrides && overrides[0] && load_overrides(r, overrides, err) < 0)) {
        gs_colrules_destroy(&r);
        return NULL;
    }
    return r;
}

void gs_colrules_destroy(gs_colrules_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->terms);
    free((*self_p)->overrides);
    free(*self_p);
    *self_p = NULL;
}

const gs_colclass_t *gs_colrules_classify(const gs_colrules_t *r, const char *sitecode,
                                          const char *name)
{
    for (size_t i = 0; i < r->noverrides; i++)
        if (strcmp(r->overrides[i].site, sitecode) == 0 &&
            strcmp(r->overrides[i].column, name) == 0)
            return r->overrides[i].cls >= 0 ? &r->classes[r->overrides[i].cls] : NULL;
    size_t best_len = 0;
    int best = -1;
    for (size_t i = 0; i < r->nterms; i++) {
        size_t l = strlen(r->terms[i].word);
        if (l > best_len && strstr(name, r->terms[i].word)) {
            best_len = l;
            best = r->terms[i].cls;
        }
    }
    return best >= 0 ? &r->classes[best] : NULL;
}
