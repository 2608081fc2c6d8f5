/* gs_chk_transport.c -- W-HTTPS (HTTPS missing, its certificate invalid, expired or
 * expiring soon) and W-IPV6 (no IPv6 access), from the job's two probes of the home page.
 * Certificate validity is a matter of the real clock, not of the sweep's reference time:
 * "expiring within cert_warn_days" is counted from the moment of the probe, and the days
 * left are counted in calendar days. */
#include "gs_date.h"
#include "gs_site.h"
#include "gs_util.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int gs_chk_transport(gs_site_t *s, gs_findings_t *out)
{
    int rc = 0;
    char ev[600];
    char https_url[600];
    snprintf(https_url, sizeof(https_url), "https://%s/", s->host);
    if (s->https_done) {
        const char *err = s->https_error ? s->https_error : "";
        if (err[0]) {
            /* CURLE_PEER_FAILED_VERIFICATION 60 (and 51, 58, 83, or a handshake error that
             * names the certificate): TLS answered but cannot be trusted; anything else --
             * refused, plain HTTP on port 443 ("wrong version number") -- is no HTTPS */
            bool tls = s->https_curl == 60 || s->https_curl == 58 || s->https_curl == 83 ||
                       s->https_curl == 51 || (s->https_curl == 35 && strstr(err, "certificate"));
            const char *cause = !tls                                             ? "none"
                                : strstr(err, "expired")                         ? "expired"
                                : strstr(err, "match") || strstr(err, "subject") ? "wrong-host"
                                                                                 : "untrusted";
            snprintf(ev, sizeof(ev), "%s：%s",
                     tls ? "HTTPS 证书无效" : "网站未提供可用的 HTTPS 访问", err);
            rc = gs_chk_add(out, "W-HTTPS", false, https_url, ev,
                            json_pack("{s:s, s:s}", "cause", cause, "error", err));
        } else if (s->cert_expiry) {
            gs_ymd_t exp = gs_ymd_from_unix_cst(s->cert_expiry);
            /* calendar days in Beijing time, as the notice reads them ("12-12 到期，剩余 10
             * 天" on 12-02), not seconds / 86400: two probes a minute apart give the same
             * figure and the same verdict unless midnight falls between them */
            int days = gs_ymd_days_between(gs_ymd_from_unix_cst(gs_wall_s()), exp);
            if (days < (int64_t)s->cfg->cert_warn_days) {
                char d[16];
                gs_ymd_format(exp, d, sizeof(d));
                snprintf(ev, sizeof(ev), "HTTPS 证书将于 %s 到期（剩余 %d 天）", d, days);
                rc = gs_chk_add(out, "W-HTTPS", false, https_url, ev,
                                json_pack("{s:s, s:s, s:i}", "cause", "expiring", "expires", d,
                                          "days_left", days));
            }
        }
    }
    if (rc == 0 && s->ipv6_done && !s->ipv6_ok) {
        snprintf(ev, sizeof(ev), "网站首页无法通过 IPv6 访问：%s",
                 s->ipv6_error ? s->ipv6_error : "");
        rc = gs_chk_add(out, "W-IPV6", false, s->home_url, ev,
                        json_pack("{s:s}", "error", s->ipv6_error ? s->ipv6_error : ""));
    }
    return rc;
}
