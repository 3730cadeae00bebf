/*
 * log.h - the project's log.  The library never prints: it hands lines to
 * xn_log(), which passes them to the sink the program installed (the daemon
 * sends them to stderr or syslog; the CLI and tests install none, so library
 * lines are dropped unless XENITH_DEBUG is set).
 */
#ifndef XENITH_LOG_H
#define XENITH_LOG_H

#include <stdarg.h>

/* Priorities, as syslog(3) numbers them. */
enum xn_log_level {
    XN_LOG_ERR = 3,
    XN_LOG_WARNING = 4,
    XN_LOG_NOTICE = 5,
    XN_LOG_INFO = 6,
    XN_LOG_DEBUG = 7,
};

/* A sink receives one line, without trailing newline. */
typedef void xn_log_sink_fn(void *opaque, enum xn_log_level level,
                            const char *line);

/* Install the sink (NULL: drop lines) and the most verbose level kept. */
void xn_log_set_sink(xn_log_sink_fn *sink, void *opaque,
                     enum xn_log_level max_level);

/* Sinks the daemon uses: stderr with a timestamp, or syslog. */
xn_log_sink_fn xn_log_sink_stderr;
xn_log_sink_fn xn_log_sink_syslog;

void xn_log(enum xn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void xn_vlog(enum xn_log_level level, const char *fmt, va_list ap);

#endif
