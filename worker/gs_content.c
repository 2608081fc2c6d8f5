/* gs_content.c -- dictionaries and personal data on a text (gs_content.h). */
#include "gs_content.h"
#include "gs_date.h"
#include "gs_err.h"
#include "gs_utf8.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether the distinct spam terms of a text weigh enough together to be evidence. */
static bool spam_weighs(const gs_dict_spam_t *sp, size_t n)
{
    int weight = 0;
    for (size_t i = 0; i < n; i++)
        weight += sp[i].weight;
    return weight >= GS_DICT_SPAM_WEIGHT_ALONE;
}

int gs_content_spam_terms(const gs_check_env_t *env, const char *text, size_t len,
                          gs_dict_spam_t *out, size_t max)
{
    int n = gs_dict_spam(env->dict, text, len, out, max);
    if (n <= 0)
        return n;
    size_t k = (size_t)n < max ? (size_t)n : max;
    return spam_weighs(out, k) ? (int)k : 0;
}

/* Append s and a newline to *dst (bounded: past max, lines are left out by design). 0 or
 * GS_ENOMEM. */
static int append_line(char **dst, const char *s, size_t max)
{
    size_t have = *dst ? strlen(*dst) : 0, add = strlen(s);
    if (have + add + 2 > max)
        return 0;
    char *n = realloc(*dst, have + add + 2);
    if (!n)
        return GS_ENOMEM;
    memcpy(n + have, s, add);
    n[have + add] = '\n';
    n[have + add + 1] = '\0';
    *dst = n;
    return 0;
}

int gs_content_dict(const gs_check_env_t *env, const char *text, size_t len, const char *url,
                    gs_hits_t *wording, gs_hits_t *spam, char **terms)
{
    if (!env->dict)
        return 0;
    /* one pass of the shared automaton finds both */
    gs_dict_wording_t w[GS_CONTENT_HITS];
    gs_dict_spam_t sp[GS_CONTENT_HITS];
    int nwi = 0, nsi = 0;
    int rc =
        gs_dict_scan(env->dict, text, len, w, GS_CONTENT_HITS, &nwi, sp, GS_CONTENT_HITS, &nsi);
    if (rc < 0)
        return rc;
    size_t nw = nwi < 0 ? 0 : (size_t)nwi > GS_CONTENT_HITS ? GS_CONTENT_HITS : (size_t)nwi;
    size_t ns = nsi < 0 ? 0 : (size_t)nsi > GS_CONTENT_HITS ? GS_CONTENT_HITS : (size_t)nsi;
    char snip[256], extra[300];
    for (size_t i = 0; i < nw; i++) {
        if (gs_utf8_snippet(text, len, w[i].offset, w[i].len, GS_DICT_SNIPPET_RADIUS, snip,
                            sizeof(snip)) < 0)
            snip[0] = '\0';
        snprintf(extra, sizeof(extra), "%s\t%s", w[i].right,
                 w[i].severity == GS_DICT_SERIOUS ? "serious" : "normal");
        if ((rc = gs_hits_add(wording, w[i].wrong, extra, url, snip)) < 0)
            return rc;
    }
    if (!spam_weighs(sp, ns))
        return 0;
    for (size_t i = 0; i < ns; i++) {
        if (gs_utf8_snippet(text, len, sp[i].offset, sp[i].len, GS_DICT_SNIPPET_RADIUS, snip,
                            sizeof(snip)) < 0)
            snip[0] = '\0';
        if ((rc = gs_hits_add(spam, sp[i].term, sp[i].category, url, snip)) < 0)
            return rc;
        if (terms && (rc = append_line(terms, sp[i].term, 16 * 1024)) < 0)
            return rc;
    }
    return 0;
}

/* ISO 7064 MOD 11-2 check of an 18-character 身份证号, with a plausible birth date. */
static int id_number_valid(const char *p, int32_t ref_day)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        sum += (p[i] - '0') * w[i];
    }
    char c = p[17] == 'x' ? 'X' : p[17];
    if (c != check[sum % 11] || p[0] == '0')
        return 0;
    int y = (p[6] - '0') * 1000 + (p[7] - '0') * 100 + (p[8] - '0') * 10 + (p[9] - '0');
    int m = (p[10] - '0') * 10 + (p[11] - '0'), d = (p[12] - '0') * 10 + (p[13] - '0');
    if (y < 1900 || !gs_ymd_valid(y, m, d))
        return 0;
    return gs_days_from_civil(y, m, d) <= ref_day;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int gs_content_privacy(const char *text, size_t len, int32_t ref_day, uint32_t min_mobiles,
                       const char *url, gs_hits_t *privacy)
{
    const char *t = text;
    size_t n = len;
    uint64_t mobiles[64];
    size_t nmob = 0;
    char first_mobile[16] = "";
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(t[i]) || (i > 0 && (is_digit(t[i - 1]) || t[i - 1] == 'X')))
            continue;
        size_t run = 0;
        while (i + run < n && is_digit(t[i + run]) && run < 20)
            run++;
        if (run == 17 && i + 17 < n && (t[i + 17] == 'X' || t[i + 17] == 'x'))
            run = 18;
        if (run == 18 && id_number_valid(t + i, ref_day) &&
            !(i + 18 < n && (is_digit(t[i + 18]) || t[i + 18] == 'X'))) {
            char masked[24];
            snprintf(masked, sizeof(masked), "%.6s********%.4s", t + i, t + i + 14);
            if (gs_hits_add(privacy, masked, "id-number", url, "") < 0)
                return GS_ENOMEM;
        } else if (run == 11 && t[i] == '1' && t[i + 1] >= '3' && t[i + 1] <= '9') {
            uint64_t v = 0;
            for (size_t k = 0; k < 11; k++)
                v = v * 10 + (uint64_t)(t[i + k] - '0');
            size_t k = 0;
            while (k < nmob && mobiles[k] != v)
                k++;
            if (k == nmob && nmob < 64) {
                if (!nmob)
                    snprintf(first_mobile, sizeof(first_mobile), "%.3s****%.4s", t + i, t + i + 7);
                mobiles[nmob++] = v;
            }
        }
        i += run ? run - 1 : 0;
    }
    if (nmob >= min_mobiles && nmob > 0) {
        char count[24];
        snprintf(count, sizeof(count), "%zu", nmob);
        if (gs_hits_add(privacy, first_mobile, "mobile", url, count) < 0)
            return GS_ENOMEM;
        return 1;
    }
    return 0;
}
