/* gs_report.h -- a sweep's report: loaded once from Redis into a model, then written out.
 *
 * gs_report_load reads one sweep (docs/redis-keys.md: the plan's meta, targets, regions and
 * registry rows, and every target's result hash) into an in-memory model: the registry
 * rows in registry order, each with its result or "no result yet" (未检查, 未完成检查), the
 * regions in order with their per-kind counts, the finding codes with their Chinese names
 * (data/codes.tsv) and counts. Every writer -- report.md, targets.csv and findings.jsonl
 * in gs_report.c, report.html (gs_report_html.c), report.xlsx (gs_report_xlsx.c) and the
 * findings export (gs_report_export.c) -- reads only that model through the accessors
 * below, never Redis, so all files of one load describe the same data, and the same Redis
 * data always gives the same bytes (nothing is ordered by hash order).
 *
 * Bad data in Redis never fails the report: a garbled result hash makes its target 未检查
 * with a reason saying so, an unreadable field is shown empty, invalid UTF-8 is replaced.
 * Only an absent sweep (GS_ENOTFOUND), a Redis failure (GS_EREDIS), a ceiling (GS_ETOOBIG)
 * or memory (GS_ENOMEM) fail the load; err then says what and where.
 *
 * Ownership: gs_report_load allocates the report, gs_report_destroy frees it with every
 * struct and string the accessors hand out (all borrowed and const, valid until destroy).
 * Thread safety: the load uses the caller's redisContext and must have it to itself; a
 * loaded report is never modified, so several threads may read it and write files from
 * it at once. Limits: GS_REGISTRY_MAX_ROWS targets and regions, GS_REPORT_MAX_FINDINGS_JSON
 * bytes of findings per target (GS_REPORT_MAX_FINDINGS findings kept), GS_REPORT_MAX_FIELD
 * bytes per text field, GS_REPORT_MAX_BYTES of model text in all. */
#ifndef GS_REPORT_H
#define GS_REPORT_H

#include "gs_buf.h"
#include "gs_err.h"
#include "gs_registry.h"

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Ceiling on one target's stored findings JSON; a larger one is not read (the target's
 * findings are then shown as unreadable, its status kept). */
#define GS_REPORT_MAX_FINDINGS_JSON (16u * 1024 * 1024)
/* Findings kept per target (the store writes at most GS_FINDINGS_MAX). */
#define GS_REPORT_MAX_FINDINGS 10000
/* Any one text field of a registry row or result (longer ones are cut at a character). */
#define GS_REPORT_MAX_FIELD (64u * 1024)
/* The loaded model's text in all (fields and findings), so a runaway sweep fails cleanly
 * with GS_ETOOBIG instead of exhausting memory. */
#define GS_REPORT_MAX_BYTES (4ull * 1024 * 1024 * 1024)
/* Distinct unknown registry columns carried to targets.csv (the registry's own limit). */
#define GS_REPORT_MAX_EXTRA GS_REGISTRY_MAX_COLS

typedef struct gs_report gs_report_t;

/* A target's verdict. */
typedef enum {
    GS_REPORT_UNCHECKED = 0, /* 未检查: see the row's reason */
    GS_REPORT_PASS = 1,      /* 合格 */
    GS_REPORT_FAIL = 2,      /* 不合格: at least one veto finding */
} gs_report_status_t;

/* One finding as stored in the result's findings array. */
typedef struct gs_report_finding {
    const char *code;     /* W-HOME-STALE, ...; "" when the stored object has none */
    bool veto;            /* makes the target 不合格 */
    const char *url;      /* page that shows it */
    const char *evidence; /* the Chinese sentence for the notice */
    const char *json;     /* the whole stored object, compact, key order kept (one line) */
} gs_report_finding_t;

/* One registry row with its result. */
typedef struct gs_report_row {
    const char *id;        /* 网站标识码 / 新媒体标识码 */
    gs_kind_t kind;        /* 0 when the registry row is missing or its kind is unknown */
    const char *kind_name; /* as stored: "site" / "account" */
    const char *name, *region, *url, *owner, *platform, *menu_url; /* "" when absent */
    size_t region_index;       /* into gs_report_region(); SIZE_MAX when the row has none */
    const char *const *extra;  /* gs_report_nextra() values of unknown columns, "" if absent */
    bool has_result;           /* false: no result stored (yet) */
    gs_report_status_t status; /* verdict */
    const char *status_name;   /* 合格 / 不合格 / 未检查 */
    const char *reason;        /* why 未检查; "" otherwise */
    const char *veto_codes;    /* distinct veto codes, sorted, comma-separated */
    long long nfindings;       /* as stored; -1 when absent or unreadable */
    long long pages;           /* pages fetched; -1 when absent or unreadable */
    const char *newest;        /* newest update found, YYYY-MM-DD, or "" */
    const char *ledger;        /* the audit ledger as stored (a JSON object), "" when none */
    long long pages_planned;   /* from the ledger; -1 when there is none */
    long long pages_failed;    /* the ledger's failed.* counters */
    long long pages_skipped;   /* the ledger's skipped.* counters */
    bool findings_ok;          /* false: the stored findings were too big or not a JSON array */
    const gs_report_finding_t *findings; /* in stored order */
    size_t findings_len;
} gs_report_row_t;

/* Targets of one kind in one region (or in all). */
typedef struct gs_report_count {
    size_t actual;    /* 实际运行数: registry targets */
    size_t checked;   /* 检查数: 合格 + 不合格 */
    size_t problem;   /* 存在突出问题数: 不合格 */
    size_t unchecked; /* 未检查 (actual - checked) */
} gs_report_count_t;

/* A reporting group, in registry order. */
typedef struct gs_report_region {
    const char *name;
    gs_report_count_t site, account;
} gs_report_region_t;

/* A finding code: the catalogue's (data/codes.tsv, in file order) and then codes met in
 * the findings that the catalogue lacks, in order of first appearance. */
typedef struct gs_report_code {
    const char *code;
    const char *name;     /* Chinese name; the code itself when the catalogue lacks it */
    const char *kind;     /* "site" / "account" / "" */
    size_t veto;          /* findings with veto */
    size_t other;         /* findings without veto (其他问题) */
    size_t other_targets; /* targets with at least one finding without veto */
} gs_report_code_t;

/* Read sweep `sweep` from Redis into *out (NULL on failure). The data directory (for
 * codes.tsv) is $GS_DATA_DIR, else the built-in GS_DATA_DIR_DEFAULT; a missing catalogue
 * only makes the codes their own names. Replies are read in pipelined batches, never one
 * round trip per target. Returns 0, GS_EINVAL (bad sweep id), GS_ENOTFOUND (no such
 * sweep), GS_EREDIS, GS_ETOOBIG or GS_ENOMEM, with err saying why. */
int gs_report_load(redisContext *ctx, const char *sweep, gs_report_t **out, gs_err_t *err);
void gs_report_destroy(gs_report_t **self_p);

/* The sweep's meta: id, reference time (ISO 8601, "" if absent) and whether the
 * dispatcher marked it complete. */
const char *gs_report_sweep(const gs_report_t *rep);
const char *gs_report_reference_time(const gs_report_t *rep);
bool gs_report_complete(const gs_report_t *rep);

size_t gs_report_nrows(const gs_report_t *rep);
const gs_report_row_t *gs_report_row(const gs_report_t *rep, size_t i);
size_t gs_report_nregions(const gs_report_t *rep);
const gs_report_region_t *gs_report_region(const gs_report_t *rep, size_t i);
/* The counts over all regions for one kind. */
gs_report_count_t gs_report_total(const gs_report_t *rep, gs_kind_t kind);
/* Unknown registry columns: the union over targets, first-seen order. A name that would
 * clash with a fixed targets.csv column gets the prefix "registry_". */
size_t gs_report_nextra(const gs_report_t *rep);
const char *gs_report_extra_name(const gs_report_t *rep, size_t i);
size_t gs_report_ncodes(const gs_report_t *rep);
const gs_report_code_t *gs_report_code(const gs_report_t *rep, size_t i);
/* Chinese name of a code; the code itself when unknown. */
const char *gs_report_code_name(const gs_report_t *rep, const char *code);

/* Write findings.jsonl, targets.csv, report.md, report.html and report.xlsx into dir
 * (created with its parents if missing), each through NAME.tmp and a rename, so a reader
 * never sees half a file. Returns 0, GS_EIO, GS_ENOMEM or GS_EINVAL with err naming the
 * file. */
int gs_report_write_dir(const gs_report_t *rep, const char *dir, gs_err_t *err);

/* Print the two region tables with 合格率 and short problem lists to fp as aligned plain
 * text (CJK characters count two columns). 0, GS_EIO when fp reported an error, or
 * GS_ENOMEM (the output then stops short). */
int gs_report_print_tables(const gs_report_t *rep, FILE *fp);

/* num/den as a percentage with two decimals, rounded half up in integer arithmetic:
 * "99.67%"; "—" when den is 0. Writes at most outlen bytes (24 are always enough). */
void gs_report_percent(uint64_t num, uint64_t den, char *out, size_t outlen);
/* 合格率 = (checked - problem) / checked, as gs_report_percent ("—" when checked is 0). */
void gs_report_pass_rate(uint64_t checked, uint64_t problem, char *out, size_t outlen);

/* ---- the other writers, each in its own file, and what they share -------------------- */

/* report.html (gs_report_html.c): the notice as one self-contained page -- inline CSS and
 * inline SVG, no script, nothing fetched (a Content-Security-Policy of default-src 'none'
 * says so to the browser), every string from Redis HTML-escaped, evidence linked to its
 * page only when the URL is http(s). Written to fp; 0, or GS_EINVAL without a report or
 * a stream. Stream errors are the caller's to check with ferror (gs_report_write_dir
 * does). Bounded: at most GS_REPORT_HTML_MAX_FINDINGS findings in the detail list and
 * GS_REPORT_HTML_MAX_CHART regions in the chart (a note counts the rest). */
#define GS_REPORT_HTML_MAX_FINDINGS 20000
#define GS_REPORT_HTML_MAX_CHART 200
int gs_report_write_html(const gs_report_t *rep, FILE *fp);

/* report.xlsx (gs_report_xlsx.c, libxlsxwriter): one sheet per attachment and one with
 * every finding, written to path through path.tmp, fsync and a rename. The workbook's
 * creation time is the sweep's reference time, so the same model gives the same bytes.
 * libxlsxwriter keeps rows in temporary files in the output's directory (constant-memory
 * mode), so memory stays flat whatever the province's size. Cells longer than Excel's
 * 32767 characters are cut; more findings than Excel's rows are counted in a last row.
 * Returns 0, GS_EIO (err says what libxlsxwriter or the file system reported), GS_EINVAL
 * or GS_ENOMEM. */
int gs_report_write_xlsx(const gs_report_t *rep, const char *path, gs_err_t *err);

/* The findings export (gs_report_export.c, `govsweep export`): every finding in registry
 * order, as findings.jsonl's lines or as CSV (RFC 4180, CRLF, no BOM: a header row
 * "sweep,target,kind,region,code,veto,url,evidence,detail", veto as true/false, detail as
 * compact JSON text). 0, GS_EIO when fp reported an error, GS_EINVAL for a bad format. */
typedef enum {
    GS_REPORT_FINDINGS_JSONL = 1,
    GS_REPORT_FINDINGS_CSV = 2,
} gs_report_findings_format_t;
int gs_report_write_findings(const gs_report_t *rep, gs_report_findings_format_t fmt, FILE *fp);

/* Terminal/spreadsheet columns of UTF-8 text: East Asian wide and fullwidth characters
 * count two, as in the terminal tables and Excel column widths. */
size_t gs_report_text_width(const char *s);

/* The 存在的突出问题 text of a 不合格 row, appended to b (bounded by b's ceiling): the long
 * form names each veto code with its evidence sentences, as report.md's lists; the short
 * form names only. When the stored findings are unreadable the names come from veto_codes.
 * 0, or GS_ENOMEM when a piece could not be appended for memory (b then holds less and
 * must not be shown as the row's problems); pieces past the ceiling are left out. */
int gs_report_problem_text(const gs_report_t *rep, const gs_report_row_t *row, bool longform,
                           gs_buf_t *b);

/* The detail of finding f as compact JSON text, key order kept ("{}" when it has none),
 * for the findings CSV and report.xlsx: 0 with *out set (the caller frees), or GS_ENOMEM
 * with *out NULL. Internal to the report writers. */
int gs__report_detail_json(const gs_report_finding_t *f, char **out);

/* Internal to the report writers (report.md, the CSVs, report.html, report.xlsx and the
 * re-check files), one definition each in gs_report.c: */
/* "政府网站", "政务新媒体", or "—" for another kind. */
const char *gs__report_kind_label(gs_kind_t k);
/* One RFC 4180 field (quoted when it holds a comma, a quote or a line break), preceded by
 * a comma unless first. */
void gs__report_csv_field(FILE *fp, const char *s, int first);
/* Text as one Markdown table cell: '|' and '\' escaped, line breaks as <br>, '<' as an
 * entity so that page text cannot turn into markup. */
void gs__report_md_cell(FILE *fp, const char *s);
/* mkdir -p dir (0755); an error names the directory. */
int gs__report_mkdir_p(const char *dir, gs_err_t *err);

#endif
