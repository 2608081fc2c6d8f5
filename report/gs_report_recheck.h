/* gs_report_recheck.h -- the re-check report (整改复核): what became of the problems of a
 * previous sweep, written from two loaded models (gs_report.h), never from Redis.
 *
 * `prev` is the sweep whose 不合格 targets were swept again, `cur` that re-check. For each
 * 不合格 target of prev (registry order) and each of its veto codes, the re-check says
 * 已整改 (the code is no longer raised), 仍未整改 (raised again: the new evidence) or, when
 * cur has no verdict for the target (未检查 or no result), 未能复核 with the reason; veto
 * codes cur raises that prev did not are 新发现问题. Per target: 已整改 when cur found it
 * 合格, 仍未整改 when a previous code is still raised, 原问题已整改、发现新问题 when only
 * new codes are, 未能复核. The comparison per region of prev (检查数, 存在突出问题数,
 * 合格率 before and after) keeps prev's 检查数; after the re-check a target counts as a
 * problem unless it is 已整改 (a target not re-checked keeps its problem).
 *
 * Ownership: nothing is kept; the models are the caller's (borrowed, only read). The
 * functions may run from several threads on the same models. Limits: text cells are cut at
 * GS_REPORT_MAX_FIELD bytes, the printed lists at GS_REPORT_RECHECK_PRINT_MAX targets. */
#ifndef GS_REPORT_RECHECK_H
#define GS_REPORT_RECHECK_H

#include "gs_err.h"
#include "gs_report.h"

#include <stdio.h>

/* Targets named in each list printed on the terminal (recheck.md has them all). */
#define GS_REPORT_RECHECK_PRINT_MAX 50

/* recheck.md and recheck.csv into dir (created if missing), each through NAME.tmp, fsync
 * and a rename. 0, GS_EIO, GS_EINVAL or GS_ENOMEM with err naming the file. */
int gs_report_recheck_write_dir(const gs_report_t *prev, const gs_report_t *cur, const char *dir,
                                gs_err_t *err);

/* recheck.md: the notice's section on rectification (整改复核情况). 0, GS_ENOMEM, GS_EINVAL;
 * stream errors are the caller's to check with ferror. */
int gs_report_recheck_write_md(const gs_report_t *prev, const gs_report_t *cur, FILE *fp);

/* recheck.csv (UTF-8 with BOM, RFC 4180, CRLF): the header
 * "id,name,region,kind,code,code_name,result,previous_evidence,evidence,url,reason", then
 * one row per previous veto code of each previous 不合格 target and one per new veto code,
 * result 已整改 / 仍未整改 / 未能复核 / 新发现问题. 0, GS_ENOMEM, GS_EINVAL. */
int gs_report_recheck_write_csv(const gs_report_t *prev, const gs_report_t *cur, FILE *fp);

/* The comparison tables and the lists of 仍未整改 and 未能复核 targets on fp as aligned
 * text (CJK characters count two columns). 0, GS_ENOMEM, GS_EINVAL, or GS_EIO when fp
 * reported an error. */
int gs_report_recheck_print(const gs_report_t *prev, const gs_report_t *cur, FILE *fp);

#endif
