/* page_dump.h -- every fact of a parsed page as text, for the tests that compare two parses
 * of one page (the script and style texts lifted out or not: test_worker_page_lift and the
 * page fuzz target). How the page was parsed (raw_lifted, raw_reparsed) is left out: it is
 * what differs by design.
 *
 * Header-only (a static function) for the programs that include it. */
#ifndef PAGE_DUMP_H
#define PAGE_DUMP_H

#include "gs_buf.h"
#include "gs_page.h"

#include <inttypes.h>

/* Append the facts of p to out; 0 or the first GS_E* code of gs_buf. */
static int page_dump(const gs_page_t *p, gs_buf_t *out)
{
    int rc = gs_buf_printf(out, "charset %s traditional %d\ntitle %s\n", p->charset,
                           (int)p->traditional, p->title ? p->title : "(null)");
    for (size_t i = 0; rc == 0 && i < p->nmetas; i++)
        rc = gs_buf_printf(out, "meta %s=%s\n", p->metas[i].name, p->metas[i].content);
    for (size_t i = 0; rc == 0 && i < p->nlinks; i++) {
        const gs_link_t *l = &p->links[i];
        rc = gs_buf_printf(out, "link %u %u %u %u %" PRId32 " %s [%s]\n", l->kind, l->region,
                           l->hidden, l->heading, l->item_day, l->url, l->text);
    }
    if (rc == 0)
        rc = gs_buf_printf(out, "dropped %zu\ntext %zu [%s]\nheader [%s]\nfooter %d [%s]\n",
                           p->links_dropped, p->text_len, p->text ? p->text : "(null)",
                           p->header_text ? p->header_text : "(null)", (int)p->footer_found,
                           p->footer_text ? p->footer_text : "(null)");
    for (size_t i = 0; rc == 0 && i < p->nalts; i++)
        rc = gs_buf_printf(out, "alt %s\n", p->alts[i]);
    for (size_t i = 0; rc == 0 && i < p->nscripts; i++)
        rc = gs_buf_printf(out, "script %u %d %s\n", p->scripts[i].kind,
                           (int)p->scripts[i].conditional, p->scripts[i].target);
    for (size_t i = 0; rc == 0 && i < p->nmsgs; i++)
        rc = gs_buf_printf(out, "msg %" PRId32 " %" PRId32 " %d %s\n", p->msgs[i].asked,
                           p->msgs[i].replied, (int)p->msgs[i].unanswered, p->msgs[i].title);
    if (rc == 0)
        rc = gs_buf_printf(out,
                           "items %" PRIu32 " newest %" PRId32 " %" PRId32 " %" PRId32
                           " dates %zu has %d %d-%d-%d\n",
                           p->items, p->newest_item, p->newest_meta, p->newest_text, p->ndates,
                           p->has_date, p->newest.y, p->newest.m, p->newest.d);
    return rc;
}

#endif
