/* gs_export.c -- `govsweep export`: every finding of a sweep to standard output.
 *
 * For a downstream system that wants a sweep's findings in one go rather than following
 * the gs:findings stream: the sweep is loaded from Redis into the report model (the same
 * load as `govsweep report`, so the lines are findings.jsonl's exactly) and written as
 * JSON lines or CSV by gs_report_write_findings. Nothing else goes to standard output, so
 * it can be piped; messages go to standard error. */
#include "gs_cli.h"
#include "gs_redis.h"
#include "gs_report.h"

int gs_cli_export(const char *url, const char *sweep, gs_report_findings_format_t fmt, FILE *fp,
                  gs_err_t *err)
{
    gs_redis_t *r = gs_redis_new(url, err);
    if (!r)
        return GS_EREDIS;
    gs_report_t *rep = NULL;
    int rc = gs_report_load(gs_redis_ctx(r), sweep, &rep, err);
    /* the connection is not needed while writing: a slow reader of the pipe must not
     * hold a Redis client */
    gs_redis_destroy(&r);
    if (rc == 0 && (rc = gs_report_write_findings(rep, fmt, fp)) < 0)
        gs_err_set(err, rc, "cannot write the findings: %s", gs_strerror(rc));
    gs_report_destroy(&rep);
    return rc;
}
