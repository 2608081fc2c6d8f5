/* gs_charset.h -- deciding a page's charset and converting it to UTF-8.
 *
 * Order of evidence: the charset in the HTTP Content-Type header, then <meta charset> /
 * <meta http-equiv="Content-Type"> in the first 4 KiB, then a BOM, then detection with
 * uchardet, then UTF-8 -- a declaration counting only when the bytes do not contradict it
 * (a GBK page the server calls UTF-8 is read as GBK; see gs_charset.c). gb2312, gbk, x-gbk, cp936,
 * euc-cn are read as GB18030 (its superset); big5 as BIG5-HKSCS. Conversion uses iconv; invalid
 * sequences are replaced by U+FFFD so a bad byte never loses the rest of the page.
 *
 * Thread-safe (no shared state; iconv descriptors are opened per call). */
#ifndef GS_CHARSET_H
#define GS_CHARSET_H

#include <stddef.h>

#define GS_CHARSET_NAME_MAX 32

/* Decide the charset of body. content_type may be NULL. Writes a canonical iconv name
 * ("UTF-8", "GB18030", "BIG5-HKSCS", "ISO-8859-1", ...) into out. */
void gs_charset_decide(const char *content_type, const char *body, size_t len, char *out,
                       size_t outlen);

/* Convert len bytes of charset into a new NUL-terminated UTF-8 string (caller frees) of
 * at most max_out bytes (GS_ETOOBIG past that). A UTF-8 BOM is removed. Returns 0 or a
 * negative GS_E* code. */
int gs_charset_to_utf8(const char *charset, const char *in, size_t len, size_t max_out, char **out,
                       size_t *out_len);

#endif
