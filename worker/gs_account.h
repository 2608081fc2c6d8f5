/* gs_account.h -- what reading one new-media account learns, for the M- checks.
 *
 * An account job fetches the account's feed (RSS 2.0/1.0, Atom, JSON Feed: what the
 * self-hosted bridges for 微信/微博/抖音/头条 publish) or profile page, the profile page the
 * feed links to, and the menu the registry gives (menu_url) with every link in it. Each
 * part is fed into a gs_account_t; gs_account_check makes the findings (gs_chk_account.c).
 *
 * gs_account_new allocates, gs_account_destroy frees. Single-threaded. Limits:
 * GS_ACCOUNT_MAX_MENU menu entries, gs_feed's limits on posts. */
#ifndef GS_ACCOUNT_H
#define GS_ACCOUNT_H

#include "gs_checks.h"
#include "gs_feed.h"
#include "gs_hits.h"
#include "gs_platform.h"

#include <stdbool.h>
#include <stdint.h>

#define GS_ACCOUNT_MAX_MENU 64

/* One entry of an account's menu and what became of its link. */
typedef struct gs_menu_entry {
    char *name;
    char *url;
    int state;   /* 0 unchecked, 1 ok, 2 broken */
    long status; /* HTTP status of the check */
    char *why;   /* why broken */
} gs_menu_entry_t;

typedef struct gs_account {
    const gs_check_env_t *env;
    const gs_config_t *cfg; /* the thresholds to judge with: the task's (gs_judge), else env's */
    const char *id, *name, *owner, *url, *menu_url; /* the registry row (borrowed) */
    gs_platform_t platform;                         /* the registry's platform, normalized */
    char platform_buf[64];
    int64_t ref_unix;
    int32_t ref_day;

    /* the feed (or the profile page given as the account's URL) */
    long status;         /* HTTP status, 0 when none */
    bool closed;         /* 404/410 or a closed-account marker */
    char *closed_marker; /* the marker shown, "" when by status */
    bool read;           /* a feed or profile was read */
    char *format;        /* rss, atom, json, profile */
    char *shown_name;    /* the account name the platform shows (feed or profile title) */
    char *feed_link;     /* the feed's own link: the account's profile page */
    size_t posts;        /* items of the feed (or posts of the profile) */
    int64_t newest;      /* newest post time not after the reference time, 0 when none */
    size_t future_posts; /* posts dated after the reference time */
    gs_hits_t wording, spam, privacy;
    bool mobiles_in_bulk;
    char *first_post_url; /* a post that shows a hit, for the finding's url */

    /* the profile page */
    bool profile_read;
    char *profile_url;
    char *profile_type;  /* 订阅号 / 服务号 as shown, "" when not shown */
    char *profile_owner; /* 认证主体 / 运营主体 as shown, "" */

    /* the menu */
    bool menu_read;
    char *menu_error; /* why the menu could not be read, "" */
    gs_menu_entry_t menu[GS_ACCOUNT_MAX_MENU];
    size_t nmenu;

    int err; /* the first failure (GS_ENOMEM) of a feeding function; gs_account_check returns it */
} gs_account_t;

gs_account_t *gs_account_new(const gs_check_env_t *env, const char *id, const char *name,
                             const char *owner, const char *platform, const char *url,
                             const char *menu_url, int64_t ref_unix);
void gs_account_destroy(gs_account_t **self_p);

/* The feeding functions below return nothing (they run as answers arrive): a fact they
 * could not keep for memory is remembered in a->err, and gs_account_check returns that
 * error instead of judging the account on what is left. */

/* A parsed feed of the account: posts, dates, content, the name it shows. */
void gs_account_feed(gs_account_t *a, const gs_feed_t *feed, const char *url);

/* A profile page (HTML) of the account, read with the profile rules of data/profiles.tsv:
 * name, account type, owner, closed marker, posts when no feed gave them. body is as
 * received (its charset is decided from content_type and the page). */
void gs_account_profile(gs_account_t *a, const char *body, size_t len, const char *content_type,
                        const char *url);

/* A closed-account marker in text (a body that is neither feed nor readable profile). */
void gs_account_closed_text(gs_account_t *a, const char *text, size_t len);

/* The menu's list (JSON [{"name","url"}...] or HTML links). 0, GS_EPARSE when neither, or
 * GS_ENOMEM (also kept in a->err). */
int gs_account_menu(gs_account_t *a, const char *body, size_t len, const char *base);

/* Every M- check on the facts (gs_chk_account.c); a->err first, when a fact was lost. */
int gs_account_check(gs_account_t *a, gs_findings_t *out);

#endif
