/* fuzz_page.c -- libFuzzer target: gs_page_parse on arbitrary bytes, as a page of a fixed
 * URL and reference time. The first byte picks the Content-Type the server "sent" (none,
 * UTF-8, GBK, Big5, an XHTML type, a non-HTML type), so the charset paths (header, meta,
 * BOM, uchardet, iconv) and the Traditional-to-Simplified conversion are all reached; the
 * rest is the body. Every fact must be self-consistent: counts within their arrays; and
 * the page parsed as it is (GS_PAGE_NO_LIFT) must give the same facts as gs_page_parse's
 * fast path, which lifts the script and style text out before libxml2 reads the page. */
#include "fuzz.h"
#include "gs_date.h"
#include "gs_page.h"
#include "gs_t2s.h"
#include "../unit/page_dump.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_URL "http://www.sim-test.gov.cn/col/col123/index.html"
#define MAX_LINKS 2000

static gs_t2s_t *t2s; /* loaded once; kept for the process (a reachable global) */
static int64_t ref_unix;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    gs_err_t err;
    t2s = gs_t2s_new(NULL, &err); /* NULL (no OpenCC data) leaves the conversion out */
    if (gs_time_parse_reference("2021-06-15T10:00", &ref_unix, &err) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {
        NULL,
        "text/html",
        "text/html; charset=utf-8",
        "text/html; charset=gbk",
        "text/html; charset=gb2312",
        "text/html;charset=\"big5\"",
        "application/xhtml+xml",
        "text/html; charset=x-unknown-charset",
    };
    if (size < 1)
        return 0;
    if (size > GS_FUZZ_MAX_INPUT)
        size = GS_FUZZ_MAX_INPUT;
    const char *ct = types[data[0] % (sizeof(types) / sizeof(types[0]))];
    gs_page_t p;
    gs_page_init(&p);
    int rc = gs_page_parse(&p, (const char *)data + 1, size - 1, ct, PAGE_URL, ref_unix, MAX_LINKS,
                           (data[0] & 0x80) ? t2s : NULL);
    if (rc == 0) {
        if (p.nlinks > MAX_LINKS || p.nmetas > GS_PAGE_MAX_METAS || p.nalts > GS_PAGE_MAX_ALTS ||
            p.nscripts > GS_PAGE_MAX_SCRIPTS || p.nmsgs > GS_PAGE_MAX_MSGS || !p.title || !p.text)
            abort();
        (void)gs_page_newest_day(&p);
        (void)gs_page_meta(&p, "sitename");
    }
    gs_page_t q;
    int rq = gs_page_parse_flags(&q, (const char *)data + 1, size - 1, ct, PAGE_URL, ref_unix,
                                 MAX_LINKS, (data[0] & 0x80) ? t2s : NULL, GS_PAGE_NO_LIFT);
    /* ENOMEM cannot be told apart from a difference here; libFuzzer's malloc does not fail */
    if (rq != rc)
        abort();
    if (rc == 0) {
        gs_buf_t a, b;
        gs_buf_init(&a, (size_t)256 * 1024 * 1024);
        gs_buf_init(&b, (size_t)256 * 1024 * 1024);
        if (page_dump(&p, &a) != 0 || page_dump(&q, &b) != 0 || a.len != b.len ||
            (a.len && memcmp(a.data, b.data, a.len) != 0))
            abort();
        gs_buf_cleanup(&a);
        gs_buf_cleanup(&b);
    }
    gs_page_cleanup(&q);
    gs_page_cleanup(&p);
    return 0;
}
