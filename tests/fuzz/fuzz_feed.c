/* fuzz_feed.c -- libFuzzer target: gs_feed_parse (RSS 2.0/1.0, Atom, JSON Feed) on
 * arbitrary bytes. The first byte picks the Content-Type hint (none, XML, RSS with GBK,
 * JSON, JSON Feed, HTML); the rest is the body. A feed it accepts must answer every
 * accessor within its counts, with strings that are never NULL. */
#include "fuzz.h"
#include "gs_feed.h"

#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = {
        NULL,
        "application/rss+xml",
        "application/xml; charset=gbk",
        "application/atom+xml; charset=utf-8",
        "application/json",
        "application/feed+json",
        "text/html; charset=gb18030",
        "text/xml; charset=big5",
    };
    if (size < 1)
        return 0;
    if (size > GS_FUZZ_MAX_INPUT)
        size = GS_FUZZ_MAX_INPUT;
    const char *ct = types[data[0] % (sizeof(types) / sizeof(types[0]))];
    gs_feed_t *feed = NULL;
    gs_err_t err;
    int rc = gs_feed_parse((const char *)data + 1, size - 1, ct, &feed, &err);
    if (rc == 0) {
        if (!feed || gs_feed_count(feed) > gs_feed_total(feed) || !gs_feed_title(feed) ||
            !gs_feed_link(feed) || !gs_feed_format(feed))
            abort();
        for (size_t i = 0; i < gs_feed_count(feed); i++) {
            const gs_post_t *p = gs_feed_post(feed, i);
            if (!p || !p->title || !p->link || !p->text)
                abort();
        }
        if (gs_feed_post(feed, gs_feed_count(feed)) != NULL)
            abort();
        (void)gs_feed_newest(feed, 1623722400);
    } else if (feed) {
        abort(); /* a failure leaves *out NULL */
    }
    gs_feed_destroy(&feed);
    return 0;
}
