/* log.c - route log lines to the sink the program chose. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

static xn_log_sink_fn *log_sink;
static void *log_opaque;
static enum xn_log_level log_max = XN_LOG_INFO;

void xn_log_set_sink(xn_log_sink_fn *sink, void *opaque,
                     enum xn_log_level max_level)
{
    log_sink = sink;
    log_opaque = opaque;
    log_max = max_level;
}

/* One line per entry, whatever a name or path quoted in it holds: control
 * characters (a newline forging a second entry, escape sequences for a
 * terminal) become '?'. */
static void scrub(char *line)
{
    for (unsigned char *p = (unsigned char *)line; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
}

void xn_vlog(enum xn_log_level level, const char *fmt, va_list ap)
{
    char line[1024];

    if (level > log_max)
        return;
    if (!log_sink && !getenv("XENITH_DEBUG"))
        return;
    vsnprintf(line, sizeof(line), fmt, ap);
    scrub(line);
    if (log_sink)
        log_sink(log_opaque, level, line);
    else
        xn_log_sink_stderr(NULL, level, line);
}

void xn_log(enum xn_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xn_vlog(level, fmt, ap);
    va_end(ap);
}

static const char *level_name(enum xn_log_level level)
{
    switch (level) {
    case XN_LOG_ERR: return "error";
    case XN_LOG_WARNING: return "warning";
    case XN_LOG_NOTICE: return "notice";
    case XN_LOG_INFO: return "info";
    case XN_LOG_DEBUG: return "debug";
    }
    return "log";
}

void xn_log_sink_stderr(void *opaque, enum xn_log_level level,
                        const char *line)
{
    struct timespec ts;
    struct tm tm;
    char stamp[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ld xenithd[%s]: %s\n", stamp,
            ts.tv_nsec / 1000000, level_name(level), line);
}

void xn_log_sink_syslog(void *opaque, enum xn_log_level level,
                        const char *line)
{
    syslog((int)level, "%s", line);
}
