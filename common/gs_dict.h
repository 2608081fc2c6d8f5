/* gs_dict.h -- the dictionaries of the text checks: wrong wordings, spam terms, blank-column
 * placeholders, loaded from data files and matched with Aho-Corasick automata (gs_match).
 *
 * Files (in the data directory, formats in docs/dictionaries.md):
 *   wording.tsv       wrong form, right form, severity, category, exceptions, note
 *   spam.tsv          term, category, weight, exceptions, note
 *   placeholders.txt  one text of a blank column a line; a trailing * matches any rest
 *
 * Matching rules, the same for wording and spam:
 *   - an exception of an entry is a longer text that contains its term and is correct
 *     (名族 inside 著名族谱); an occurrence of the term inside an occurrence of one of its
 *     exceptions is not reported;
 *   - an occurrence inside an occurrence of a longer term of another entry is not reported
 *     either (重庆时时彩 is reported once, not also as 时时彩), so a page's findings do not
 *     repeat and spam weights do not add up twice;
 *   - a spam term in quotation marks (“…”, ‘…’, 「…」) is talked about, not advertised
 *     (a police warning quotes “听话水”): its quoted forms are exceptions automatically;
 *   - terms match ASCII case-insensitively (non-ASCII bytes as they are), and a spam term
 *     that begins (ends) with an ASCII letter or digit only matches where the text has no
 *     ASCII letter or digit just before (after) it: "AV" is not in "JAVA", "bet365" is in
 *     "www.bet365.com".
 * Results are per distinct entry, as a checker reports (one finding per wrong form per
 * page): the first occurrence's byte offset and length, and the number of occurrences.
 * Wording and spam terms share one automaton: gs_dict_scan finds both in one pass over the
 * text, for the cost of one of gs_dict_wording and gs_dict_spam.
 *
 * Ownership and threads: gs_dict_load allocates everything, gs_dict_destroy frees it. A
 * loaded dictionary is read-only: any number of threads may match with it at once. The
 * strings in results are borrowed from the dictionary and live as long as it does.
 *
 * Limits: lines of GS_DICT_LINE_MAX bytes, terms and exceptions of GS_DICT_TERM_MAX bytes,
 * GS_DICT_EXCEPTIONS_MAX exceptions per entry, GS_DICT_ENTRIES_MAX entries per file; a
 * text longer than GS_DICT_PLACEHOLDER_TEXT_MAX bytes is never a placeholder. */
#ifndef GS_DICT_H
#define GS_DICT_H

#include "gs_err.h"
#include "gs_match.h"

#include <stddef.h>
#include <stdint.h>

#define GS_DICT_LINE_MAX 4096
#define GS_DICT_TERM_MAX GS_MATCH_PATTERN_MAX
#define GS_DICT_EXCEPTIONS_MAX 32
#define GS_DICT_ENTRIES_MAX 200000
#define GS_DICT_PLACEHOLDER_TEXT_MAX 1024
/* Characters of context on each side of a match in evidence (gs_utf8_snippet). */
#define GS_DICT_SNIPPET_RADIUS 20
/* The weight at which one spam term alone is evidence (see docs/dictionaries.md). */
#define GS_DICT_SPAM_WEIGHT_ALONE 10

/* Severity of a wording entry. */
enum { GS_DICT_NORMAL = 1, GS_DICT_SERIOUS = 2 };

typedef struct gs_dict gs_dict_t;

/* A wrong form found in a text. */
typedef struct gs_dict_wording {
    uint32_t entry;       /* index of the entry in wording.tsv order (stable per load) */
    const char *wrong;    /* the wrong form, as in the file */
    const char *right;    /* what it should read */
    const char *category; /* phrase, political, leader, institution, place */
    int severity;         /* GS_DICT_SERIOUS or GS_DICT_NORMAL */
    size_t offset;        /* byte offset of the first occurrence */
    size_t len;           /* byte length of the occurrence */
    size_t count;         /* occurrences in the text */
} gs_dict_wording_t;

/* A spam term found in a text. */
typedef struct gs_dict_spam {
    uint32_t entry;       /* index of the entry in spam.tsv order */
    const char *term;     /* the term, as in the file */
    const char *category; /* porn, gambling, fraud, drugs, other */
    int weight;           /* 1..GS_DICT_SPAM_WEIGHT_ALONE */
    size_t offset;        /* byte offset of the first occurrence */
    size_t len;           /* byte length of the occurrence (case may differ from term) */
    size_t count;         /* occurrences in the text */
} gs_dict_spam_t;

/* Load wording.tsv, spam.tsv and placeholders.txt from data_dir. NULL on failure with err
 * naming the file and line ("data/spam.tsv:12: unknown category 'gamble'"). */
gs_dict_t *gs_dict_load(const char *data_dir, gs_err_t *err);

/* Free the dictionary and set *d to NULL; NULL-safe and idempotent. */
void gs_dict_destroy(gs_dict_t **d);

/* Wrong forms in UTF-8 text: up to max distinct entries into out, in order of their first
 * occurrence. Returns how many distinct entries were found in all (may exceed max), or
 * GS_ENOMEM. */
int gs_dict_wording(const gs_dict_t *d, const char *text, size_t len, gs_dict_wording_t *out,
                    size_t max);

/* Spam terms in text, the same way. */
int gs_dict_spam(const gs_dict_t *d, const char *text, size_t len, gs_dict_spam_t *out, size_t max);

/* Both in one pass: as gs_dict_wording into wout/wmax with the count in *nwording, and as
 * gs_dict_spam into sout/smax with the count in *nspam. Returns 0 or GS_ENOMEM. */
int gs_dict_scan(const gs_dict_t *d, const char *text, size_t len, gs_dict_wording_t *wout,
                 size_t wmax, int *nwording, gs_dict_spam_t *sout, size_t smax, int *nspam);

/* The placeholder when text (a column's list area) says nothing but placeholders: once
 * the placeholders, white space and punctuation are taken away nothing is left ("暂无信息",
 * "该栏目暂无信息，敬请期待！", "No data."). Returns the first placeholder as written in the
 * file (borrowed), or NULL: for other text, and for empty text (an empty column has no
 * placeholder; the checker tells it apart). */
const char *gs_dict_placeholder(const gs_dict_t *d, const char *text, size_t len);

/* Entries loaded from each file. */
size_t gs_dict_wording_count(const gs_dict_t *d);
size_t gs_dict_spam_count(const gs_dict_t *d);
size_t gs_dict_placeholder_count(const gs_dict_t *d);

#endif
