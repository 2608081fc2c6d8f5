/* sim_charset.c -- encode a rendered UTF-8 page in the site's charset: GBK, GB18030 or
 * Big5 (after turning Simplified characters into Traditional ones), as a CMS of a
 * Chinese government site would serve it.
 *
 * A character the target charset lacks becomes a numeric character reference (&#169;),
 * which is what such CMSs write; so the bytes are always valid in the declared charset
 * and decode back to the same text. iconv descriptors are opened per call: a page costs
 * far more than iconv_open, and nothing is shared between server threads. */
#include "sim.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

const sim_charset_info_t sim_charsets[SIM_CS_COUNT] = {
    [SIM_CS_UTF8] = {"utf-8", NULL, "utf-8", "<meta charset=\"utf-8\">", false},
    [SIM_CS_GBK] = {"gbk", "GBK", "gbk",
                    "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\">", false},
    [SIM_CS_GBK_GB2312] = {"gbk-meta-gb2312", "GBK", NULL,
                           "<meta http-equiv=\"Content-Type\" content=\"text/html; "
                           "charset=gb2312\">",
                           false},
    [SIM_CS_GBK_NODECL] = {"gbk-undeclared", "GBK", NULL, NULL, false},
    [SIM_CS_GB18030] = {"gb18030", "GB18030", "gb18030", "<meta charset=\"gb18030\">", false},
    [SIM_CS_BIG5] = {"big5", "BIG5", "big5",
                     "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=big5\">",
                     true},
};

/* Decode one UTF-8 sequence at s (n bytes available); returns its length, 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    if (len == 0 || len > n)
        return 0;
    uint32_t c = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    return len;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Simplified -> Traditional, character by character (good enough for the vocabulary of
 * sim_text.c, which avoids the ambiguous characters where it can). */
static int to_traditional(const char *s, size_t len, gs_buf_t *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = utf8_decode(u + i, len - i, &cp);
        if (n == 0) {
            /* Not UTF-8 (cannot happen for rendered pages): copy the byte. */
            if (gs_buf_append(out, s + i, 1) < 0)
                return GS_ETOOBIG;
            i++;
            continue;
        }
        if (cp < 0x80) {
            /* Copy ASCII runs at once. */
            size_t j = i;
            while (j < len && u[j] < 0x80)
                j++;
            if (gs_buf_append(out, s + i, j - i) < 0)
                return GS_ETOOBIG;
            i = j;
            continue;
        }
        char enc[4];
        size_t m = utf8_encode(sim_s2t(cp), enc);
        if (gs_buf_append(out, enc, m) < 0)
            return GS_ETOOBIG;
        i += n;
    }
    return 0;
}

int sim_charset_encode(sim_charset_t cs, const char *utf8, size_t len, gs_buf_t *out)
{
    const sim_charset_info_t *info = &sim_charsets[cs];
    if (!info->iconv)
        return gs_buf_append(out, utf8, len);
    gs_buf_t trad;
    gs_buf_init(&trad, len * 2 + 16);
    int rc = 0;
    if (info->traditional) {
        rc = to_traditional(utf8, len, &trad);
        if (rc < 0)
            goto done;
        utf8 = trad.data ? trad.data : "";
        len = trad.len;
    }
    iconv_t cd = iconv_open(info->iconv, "UTF-8");
    if (cd == (iconv_t)-1) {
        rc = GS_ECHARSET;
        goto done;
    }
    char *in = (char *)utf8;
    size_t inleft = len;
    char chunk[8192];
    while (inleft > 0) {
        char *o = chunk;
        size_t oleft = sizeof chunk;
        size_t r = iconv(cd, &in, &inleft, &o, &oleft);
        int e = errno;
        if (gs_buf_append(out, chunk, sizeof chunk - oleft) < 0) {
            rc = GS_ETOOBIG;
            break;
        }
        if (r != (size_t)-1 || e == E2BIG)
            continue;
        /* A character the charset lacks (EILSEQ), or a truncated sequence (EINVAL). */
        uint32_t cp;
        size_t n = utf8_decode((const unsigned char *)in, inleft, &cp);
        if (n == 0) {
            n = 1;
            cp = 0xFFFD;
        }
        char ref[16];
        int m = snprintf(ref, sizeof ref, "&#%u;", (unsigned)cp);
        if (gs_buf_append(out, ref, (size_t)m) < 0) {
            rc = GS_ETOOBIG;
            break;
        }
        in += n;
        inleft -= n;
    }
    iconv_close(cd);
done:
    gs_buf_cleanup(&trad);
    return rc;
}
