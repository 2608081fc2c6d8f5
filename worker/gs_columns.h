/* gs_columns.h -- classifying a site's columns by name, for W-COLUMN-STALE.
 *
 * The classes (动态/要闻 14 days, 通知公告/政策文件 183, 人事/规划计划 365) and the keywords
 * that name them live in data/columns.tsv (its header says the format); a site's own
 * columns can be classified differently by an override file of the configuration
 * (`column_overrides`: SITECODE<TAB>column name<TAB>class). A column takes the class of the
 * longest keyword its name contains; none, or class "none", means it need not be updated.
 *
 * gs_colrules_load allocates, gs_colrules_destroy frees. Read-only after loading, so one
 * table is shared by every job of a worker. Limits: 64 classes, 4,096 keywords, 4,096
 * overrides, names of at most 127 bytes. */
#ifndef GS_COLUMNS_H
#define GS_COLUMNS_H

#include "gs_err.h"

#include <stdbool.h>

typedef struct gs_colrules gs_colrules_t;

/* What a class means. */
typedef struct gs_colclass {
    char name[24]; /* news, notice, ... */
    int days;      /* stale after this many calendar days */
    bool first;    /* counts in the first veto rule at any level */
    bool level1;   /* counts in the first veto rule as a top-level column */
    char desc[64]; /* 动态、要闻类 */
} gs_colclass_t;

/* Load data_dir/columns.tsv, then the override file when overrides is not NULL or "".
 * Errors name the file and line. */
gs_colrules_t *gs_colrules_load(const char *data_dir, const char *overrides, gs_err_t *err);
void gs_colrules_destroy(gs_colrules_t **self_p);

/* The class of a column of site `sitecode` named name, or NULL when it need not be
 * updated. Borrowed from the table. */
const gs_colclass_t *gs_colrules_classify(const gs_colrules_t *r, const char *sitecode,
                                          const char *name);

#endif
