/* gs_log.h -- leveled logging to standard error, one line per event.
 *
 * Each line: ISO time, component name, pid, level, message. The component name is set
 * once per process (gs_log_init). Thread-safe as far as stdio is (one fprintf a line). */
#ifndef GS_LOG_H
#define GS_LOG_H

typedef enum { GS_LOG_DEBUG = 0, GS_LOG_INFO, GS_LOG_WARN, GS_LOG_ERROR } gs_log_level_t;

/* Set the component name (copied, at most 31 bytes) and the minimum level printed. */
void gs_log_init(const char *component, gs_log_level_t min_level);
/* Parse "debug|info|warn|error"; returns -1 for anything else. */
int gs_log_level_parse(const char *s);
void gs_log(gs_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define gs_debug(...) gs_log(GS_LOG_DEBUG, __VA_ARGS__)
#define gs_info(...) gs_log(GS_LOG_INFO, __VA_ARGS__)
#define gs_warn(...) gs_log(GS_LOG_WARN, __VA_ARGS__)
#define gs_error(...) gs_log(GS_LOG_ERROR, __VA_ARGS__)

#endif
