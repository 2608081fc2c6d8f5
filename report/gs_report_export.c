/* gs_report_export.c -- every finding of a sweep as JSON lines or CSV (`govsweep export`).
 *
 * The JSON lines are findings.jsonl's, byte for byte: each finding exactly as the store
 * script kept it, in registry order and then stored order. The CSV has one row per
 * finding with the stream's fields (docs/redis-keys.md), for a spreadsheet or a database
 * import: the identifying fields come from the model's row (so they are there even when
 * a stored finding lacks them), code/veto/url/evidence from the finding and detail as
 * compact JSON text, key order kept. It reads only the model, never Redis. */
#include "gs_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_csv(const gs_report_t *rep, FILE *fp)
{
    fputs("sweep,target,kind,region,code,veto,url,evidence,detail\r\n", fp);
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        for (size_t k = 0; k < row->findings_len; k++) {
            const gs_report_finding_t *f = &row->findings[k];
            char *detail;
            int rc = gs__report_detail_json(f, &detail);
            if (rc < 0)
                return rc;
            gs__report_csv_field(fp, gs_report_sweep(rep), 1);
            gs__report_csv_field(fp, row->id, 0);
            gs__report_csv_field(fp, row->kind_name, 0);
            gs__report_csv_field(fp, row->region, 0);
            gs__report_csv_field(fp, f->code, 0);
            gs__report_csv_field(fp, f->veto ? "true" : "false", 0);
            gs__report_csv_field(fp, f->url, 0);
            gs__report_csv_field(fp, f->evidence, 0);
            gs__report_csv_field(fp, detail, 0);
            fputs("\r\n", fp);
            free(detail);
            if (ferror(fp))
                return GS_EIO; /* a closed pipe: stop instead of formatting the rest */
        }
    }
    return 0;
}

static int write_jsonl(const gs_report_t *rep, FILE *fp)
{
    for (size_t i = 0; i < gs_report_nrows(rep); i++) {
        const gs_report_row_t *row = gs_report_row(rep, i);
        for (size_t k = 0; k < row->findings_len; k++) {
            fputs(row->findings[k].json, fp);
            fputc('\n', fp);
        }
        if (ferror(fp))
            return GS_EIO;
    }
    return 0;
}

int gs_report_write_findings(const gs_report_t *rep, gs_report_findings_format_t fmt, FILE *fp)
{
    if (!rep || !fp)
        return GS_EINVAL;
    int rc;
    if (fmt == GS_REPORT_FINDINGS_JSONL)
        rc = write_jsonl(rep, fp);
    else if (fmt == GS_REPORT_FINDINGS_CSV)
        rc = write_csv(rep, fp);
    else
        return GS_EINVAL;
    if (rc == 0 && (fflush(fp) != 0 || ferror(fp)))
        rc = GS_EIO;
    return rc;
}
