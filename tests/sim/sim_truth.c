/* sim_truth.c -- the ground truth of the simulated province: every finding a checker reading
 * these pages should raise, one JSON line each, in the shape of govsweep's findings
 * ({"target","code","veto","detail":{...}}), and the targets that should raise none.
 *
 * A target's lines come in this order: the first-release rows' records (unchanged, so that
 * existing arguments keep their lines), the grouped rows' own lines (sim_defect.c), then the
 * codes that follow from the planted state whatever row planted it -- W-COLUMN-STALE and
 * W-COLUMN-BLANK from the columns' ages and blanks with checks.md's counting rules (a stale
 * home page makes its news columns stale too), W-INTERACT and W-INTERACT-SLOW from the
 * board's messages with the working-day calendar, W-DUP-POST from the columns that show the
 * duplicated item, and M-DUPLICATE from the registry (every account of an owner on a
 * platform after the first, in registry order). A site whose home page cannot be opened
 * has no derived line. clean.txt lists the targets with no defect row and no line. */
#include "sim.h"

#include <stdlib.h>
#include <string.h>

struct sim_truth {
    json_t *lines; /* the current target's records */
    int rc;        /* first error */
};

json_t *sim_truth_add(sim_truth_t *out, const sim_target_t *t, const char *code, bool veto,
                      const char *cause)
{
    json_t *o = json_object();
    json_t *d = json_object();
    if (!o || !d || json_array_append_new(out->lines, o) < 0) {
        json_decref(d);
        out->rc = GS_ENOMEM;
        return NULL;
    }
    json_object_set_new(o, "target", json_string(t->id));
    json_object_set_new(o, "code", json_string(code));
    json_object_set_new(o, "veto", json_boolean(veto));
    if (cause)
        json_object_set_new(d, "cause", json_string(cause));
    json_object_set_new(o, "detail", d);
    return d;
}

/* ---------------------------------------------------------------- derived: columns */

static const char *class_name(sim_colclass_t c)
{
    switch (c) {
    case SIM_CC_NEWS:
        return "news";
    case SIM_CC_NOTICE:
        return "notice";
    case SIM_CC_POLICY:
        return "policy";
    case SIM_CC_PERSONNEL:
        return "personnel";
    case SIM_CC_PLAN:
        return "plan";
    default:
        return "other";
    }
}

static bool column_stale(const sim_site_t *s, const sim_column_t *c)
{
    const sim_coldef_t *cd = &sim_coldefs[c->def];
    return cd->stale_days > 0 && !c->blank && c->n_items > 0 && s->ages[c->first] > cd->stale_days;
}

static void truth_columns(const sim_plan_t *p, const sim_target_t *t, sim_truth_t *out)
{
    const sim_site_t *s = &t->u.site;
    unsigned first = 0, total = 0, blank = 0;
    for (unsigned i = 0; i < s->n_cols; i++) {
        const sim_column_t *c = &s->cols[i];
        blank += c->blank != 0;
        if (!column_stale(s, c))
            continue;
        total++;
        uint8_t rule = sim_coldefs[c->def].rule;
        first += rule == SIM_RULE_FIRST || (rule == SIM_RULE_LEVEL1 && c->level == 1);
    }
    /* checks.md: >= 5 among 动态/要闻 and 一级 通知公告/政策文件, or >= 10 in all. */
    bool veto = first >= 5 || total >= 10;
    for (unsigned i = 0; i < s->n_cols; i++) {
        const sim_column_t *c = &s->cols[i];
        if (!column_stale(s, c))
            continue;
        const sim_coldef_t *cd = &sim_coldefs[c->def];
        json_t *d = sim_truth_add(out, t, "W-COLUMN-STALE", veto, class_name(cd->cls));
        if (!d)
            return;
        char day[16];
        int age = s->ages[c->first];
        gs_ymd_format(sim_plan_date(p, age), day, sizeof day);
        json_object_set_new(d, "column", json_string(cd->name));
        json_object_set_new(d, "level", json_integer(c->level));
        json_object_set_new(d, "newest", json_string(day));
        json_object_set_new(d, "days", json_integer(age));
        json_object_set_new(d, "limit", json_integer(cd->stale_days));
    }
    for (unsigned i = 0; i < s->n_cols; i++) {
        const sim_column_t *c = &s->cols[i];
        if (!c->blank)
            continue;
        json_t *d = sim_truth_add(out, t, "W-COLUMN-BLANK", blank >= 5,
                                  c->blank == 2 ? "placeholder" : "empty");
        if (!d)
            return;
        json_object_set_new(d, "column", json_string(sim_coldefs[c->def].name));
        json_object_set_new(d, "level", json_integer(c->level));
    }
}

/* ---------------------------------------------------------------- derived: interaction */

static void truth_interact(const sim_plan_t *p, const sim_target_t *t, sim_truth_t *out)
{
    const sim_site_t *s = &t->u.site;
    if (s->interact == SIM_IA_NO_CHANNEL) {
        sim_truth_add(out, t, "W-INTERACT", true, "no-channel");
        return;
    }
    unsigned late = 0, slow = 0;
    const sim_msg_t *worst = NULL;
    int worst_days = 0;
    for (unsigned i = 0; i < s->n_msgs; i++) {
        int days, wd;
        sim_board_wait(p, &s->msgs[i], &days, &wd);
        slow += wd > 5;
        if (days > 90) {
            late++;
            if (!worst || s->msgs[i].ask_age > worst->ask_age) {
                worst = &s->msgs[i];
                worst_days = days;
            }
        }
    }
    if (worst) {
        bool open = worst->reply_age < 0;
        json_t *d = sim_truth_add(out, t, "W-INTERACT", true, open ? "unanswered-90" : "late-90");
        if (d) {
            char day[16];
            gs_ymd_format(sim_plan_date(p, worst->ask_age), day, sizeof day);
            json_object_set_new(d, "asked", json_string(day));
            if (!open) {
                gs_ymd_format(sim_plan_date(p, worst->reply_age), day, sizeof day);
                json_object_set_new(d, "answered", json_string(day));
            }
            json_object_set_new(d, "days", json_integer(worst_days));
            json_object_set_new(d, "count", json_integer(late));
        }
    }
    if (slow) {
        json_t *d = sim_truth_add(out, t, "W-INTERACT-SLOW", false, "slow");
        if (d) {
            json_object_set_new(d, "count", json_integer(slow));
            json_object_set_new(d, "limit", json_integer(5));
        }
    }
}

static void truth_dup(const sim_plan_t *p, const sim_target_t *t, sim_truth_t *out)
{
    const sim_site_t *s = &t->u.site;
    unsigned columns = s->n_dup_dst + 1u;
    if (s->dup_cols == 0 || s->n_dup_dst == 0 || columns < 3)
        return;
    json_t *d = sim_truth_add(out, t, "W-DUP-POST", false, NULL);
    if (!d)
        return;
    gs_buf_t title;
    gs_buf_init(&title, 1024);
    sim_site_item_title(p, t, 0, 0, &title);
    json_object_set_new(d, "title", json_string(gs_buf_str(&title)));
    json_object_set_new(d, "columns", json_integer(columns));
    gs_buf_cleanup(&title);
}

/* ---------------------------------------------------------------- derived: M-DUPLICATE */

/* Registry order of the accounts, grouped by (owner, platform), for M-DUPLICATE. */
typedef struct dupkey {
    const sim_target_t *t;
    size_t index; /* registry position */
} dupkey_t;

static int cmp_dupkey(const void *a, const void *b)
{
    const dupkey_t *x = a, *y = b;
    int c = strcmp(x->t->owner, y->t->owner);
    if (c == 0)
        c = (int)x->t->u.acct.platform - (int)y->t->u.acct.platform;
    if (c == 0)
        c = x->index < y->index ? -1 : x->index > y->index;
    return c;
}

static bool same_group(const dupkey_t *a, const dupkey_t *b)
{
    return strcmp(a->t->owner, b->t->owner) == 0 && a->t->u.acct.platform == b->t->u.acct.platform;
}

/* For every account: the first index in keys of its group and the group's size. */
typedef struct dupinfo {
    dupkey_t *keys;
    size_t *group_of; /* by target index - n_sites: position of its group's first key */
    size_t *pos_of;   /* by target index - n_sites: its own position in keys */
    size_t n;
} dupinfo_t;

static int dup_build(const sim_plan_t *p, dupinfo_t *di)
{
    memset(di, 0, sizeof *di);
    di->n = p->n_targets - p->n_sites;
    if (di->n == 0)
        return 0;
    di->keys = malloc(di->n * sizeof *di->keys);
    di->group_of = malloc(di->n * sizeof *di->group_of);
    di->pos_of = malloc(di->n * sizeof *di->pos_of);
    if (!di->keys || !di->group_of || !di->pos_of)
        return GS_ENOMEM;
    for (size_t i = 0; i < di->n; i++) {
        di->keys[i].t = &p->targets[p->n_sites + i];
        di->keys[i].index = i;
    }
    qsort(di->keys, di->n, sizeof *di->keys, cmp_dupkey);
    size_t g = 0;
    for (size_t i = 0; i < di->n; i++) {
        if (i > 0 && !same_group(&di->keys[i - 1], &di->keys[i]))
            g = i;
        di->group_of[di->keys[i].index] = g;
        di->pos_of[di->keys[i].index] = i;
    }
    return 0;
}

static void dup_free(dupinfo_t *di)
{
    free(di->keys);
    free(di->group_of);
    free(di->pos_of);
}

static void truth_m_dup(const sim_plan_t *p, const sim_target_t *t, const dupinfo_t *di,
                        sim_truth_t *out)
{
    size_t ai = (size_t)(t - p->targets) - p->n_sites;
    size_t g = di->group_of[ai], pos = di->pos_of[ai];
    if (pos == g)
        return; /* the first of its group */
    json_t *d = sim_truth_add(out, t, "M-DUPLICATE", false, "same-owner-platform");
    if (!d)
        return;
    json_object_set_new(d, "owner", json_string(t->owner));
    json_object_set_new(d, "platform", json_string(sim_platforms[t->u.acct.platform].name));
    json_t *others = json_array();
    for (size_t i = g; i < di->n && same_group(&di->keys[g], &di->keys[i]); i++)
        if (i != pos)
            json_array_append_new(others, json_string(di->keys[i].t->id));
    json_object_set_new(d, "others", others);
}

/* ---------------------------------------------------------------- writing */

static int append_lines(gs_buf_t *b, json_t *lines)
{
    size_t i;
    json_t *o;
    json_array_foreach(lines, i, o)
    {
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!s)
            return GS_ENOMEM;
        int rc = gs_buf_puts(b, s);
        if (rc == 0)
            rc = gs_buf_putc(b, '\n');
        free(s);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int sim_truth_write(const sim_plan_t *p, gs_buf_t *truth, gs_buf_t *clean)
{
    dupinfo_t di;
    int rc = dup_build(p, &di);
    for (size_t i = 0; i < p->n_targets && rc == 0; i++) {
        const sim_target_t *t = &p->targets[i];
        sim_truth_t out = {json_array(), 0};
        if (!out.lines) {
            rc = GS_ENOMEM;
            break;
        }
        for (unsigned j = 0; j < t->n_defects; j++) {
            const sim_defect_t *def = &sim_defects[t->defects[j]];
            if (def->group == SIM_G_FIRST) {
                json_t *o = sim_defect_truth(t, p, t->defects[j]);
                if (o)
                    json_array_append_new(out.lines, o);
            } else if (def->truth && (t->kind == SIM_ACCOUNT || sim_plan_site_reachable(t))) {
                def->truth(t, p, &out);
            }
        }
        if (sim_plan_site_reachable(t)) {
            truth_columns(p, t, &out);
            truth_interact(p, t, &out);
            truth_dup(p, t, &out);
        } else if (t->kind == SIM_ACCOUNT && di.n) {
            truth_m_dup(p, t, &di, &out);
        }
        rc = out.rc;
        if (rc == 0)
            rc = append_lines(truth, out.lines);
        if (rc == 0 && t->n_defects == 0 && json_array_size(out.lines) == 0)
            rc = gs_buf_printf(clean, "%s\n", t->id);
        json_decref(out.lines);
    }
    dup_free(&di);
    return rc;
}
