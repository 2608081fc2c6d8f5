/* gs_crash.c -- crash points (GS_CRASH_AT=NAME:N): kill -9 of this process at a named
 * moment, for the fault tests. See gs_crash.h. */
#include "gs_crash.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The armed point, read once from the environment. */
enum { UNREAD = 0, OFF, ARMED };

static struct {
    int state;                    /* UNREAD, OFF or ARMED: the only word the hot path reads */
    char name[GS_CRASH_NAME_MAX]; /* the point's name */
    char arg[GS_CRASH_ID_MAX];    /* what follows the last ':': a passage count or an id */
    unsigned long long nth;       /* arg as a count (0 when it is not a number) */
    unsigned long long passages;  /* passages of the armed point so far */
} crash;

/* Say why on stderr (unbuffered: nothing may be lost to the kill), then SIGKILL. */
static void die(const char *what)
{
    char line[256];
    int n = snprintf(line, sizeof(line), "gs_crash: %s reached in pid %d: kill -9 (GS_CRASH_AT)\n",
                     what, (int)getpid());
    if (n > 0)
        (void)!write(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    kill(getpid(), SIGKILL);
    /* SIGKILL cannot be caught or blocked; the process does not get here. */
    _exit(137);
}

void gs_crash_init(void)
{
    if (crash.state != UNREAD)
        return;
    crash.state = OFF;
    const char *v = getenv("GS_CRASH_AT");
    if (!v || !*v)
        return;
    const char *colon = strrchr(v, ':');
    size_t nl = colon ? (size_t)(colon - v) : 0;
    size_t al = colon ? strlen(colon + 1) : 0;
    if (!colon || nl == 0 || nl >= sizeof(crash.name) || al == 0 || al >= sizeof(crash.arg)) {
        fprintf(stderr, "gs_crash: GS_CRASH_AT='%.80s' ignored: expected NAME:N or NAME:ID\n", v);
        return;
    }
    memcpy(crash.name, v, nl);
    crash.name[nl] = '\0';
    memcpy(crash.arg, colon + 1, al);
    crash.arg[al] = '\0';
    char *end;
    unsigned long long n = strtoull(crash.arg, &end, 10);
    crash.nth = (*end == '\0' && crash.arg[0] >= '0' && crash.arg[0] <= '9') ? n : 0;
    crash.state = ARMED;
}

int gs_crash_armed(void)
{
    gs_crash_init();
    return crash.state == ARMED;
}

void gs_crash_point(const char *name)
{
    if (crash.state != ARMED) {
        if (crash.state == OFF)
            return; /* the normal case: one compare */
        gs_crash_init();
        if (crash.state != ARMED)
            return;
    }
    if (strcmp(name, crash.name) != 0)
        return;
    if (++crash.passages != crash.nth)
        return;
    char what[GS_CRASH_NAME_MAX + 40];
    snprintf(what, sizeof(what), "crash point %s, passage %llu", name, crash.passages);
    die(what);
}

void gs_crash_point_id(const char *name, const char *id)
{
    if (crash.state != ARMED) {
        if (crash.state == OFF)
            return;
        gs_crash_init();
        if (crash.state != ARMED)
            return;
    }
    if (strcmp(name, crash.name) != 0 || strcmp(id, crash.arg) != 0)
        return;
    char what[GS_CRASH_NAME_MAX + GS_CRASH_ID_MAX + 24];
    snprintf(what, sizeof(what), "crash point %s for %s", name, id);
    die(what);
}
