/*
 * xen_err.c - the one place where libxl's ERROR_* codes become XN_E*
 * codes, and the xentoollog logger that hands libxl's messages to xn_log
 * and keeps the last error line for the failure sentences.
 */
#include "xen_priv.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct xen_log {
    xentoollog_logger xtl;      /* first: libxl sees only this */
    char first[XN_MSG_MAX];     /* first error line since the clear */
    char last[XN_MSG_MAX];      /* last error line, "" when none */
    char both[XN_MSG_MAX];      /* what xen_log_last returns */
};

int xen_err_code(int lrc)
{
    switch (lrc) {
    case 0:
        return XN_OK;
    case ERROR_DOMAIN_NOTFOUND:
    case ERROR_NOTFOUND:
        return XN_ENOENT;
    case ERROR_NOMEM:
        return XN_ENOMEM;
    case ERROR_INVAL:
    case ERROR_VNUMA_CONFIG_INVALID:
    case ERROR_JSON_CONFIG_EMPTY:
        return XN_EINVAL;
    case ERROR_GUEST_TIMEDOUT:
    case ERROR_TIMEDOUT:
        return XN_ETIMEDOUT;
    case ERROR_NI:
    case ERROR_NOPARAVIRT:
    case ERROR_VERSION:
    case ERROR_FEATURE_REMOVED:
    case ERROR_CHECKPOINT_DEVOPS_DOES_NOT_MATCH:
    case ERROR_CHECKPOINT_DEVICE_NOT_SUPPORTED:
        return XN_ENOTSUP;
    case ERROR_ABORTED:
        return XN_ECANCELED;
    case ERROR_LOCK_FAIL:
        return XN_EBUSY;
    case ERROR_DOMAIN_DESTROYED:
        return XN_ESTATE;
    case ERROR_DEVICE_EXISTS:
        return XN_EEXIST;
    case ERROR_PROTOCOL_ERROR_QMP:
    case ERROR_UNKNOWN_QMP_ERROR:
    case ERROR_QMP_GENERIC_ERROR:
    case ERROR_QMP_COMMAND_NOT_FOUND:
    case ERROR_QMP_DEVICE_NOT_ACTIVE:
    case ERROR_QMP_DEVICE_NOT_FOUND:
    case ERROR_QEMU_API:
        return XN_EPROTO;
    default:
        return XN_EFAIL;
    }
}

static enum xn_log_level level_of(xentoollog_level l)
{
    if (l >= XTL_ERROR)
        return XN_LOG_ERR;
    if (l >= XTL_WARN)
        return XN_LOG_WARNING;
    if (l >= XTL_NOTICE)
        return XN_LOG_NOTICE;
    if (l >= XTL_PROGRESS)
        return XN_LOG_INFO;
    return XN_LOG_DEBUG;
}

/* libxl prefixes its lines with "file.c:LINE:function: " and often
 * "Domain N:"; a sentence for the user needs neither. */
static const char *strip_prefix(const char *s)
{
    const char *p = s, *c;
    int colons = 0;

    for (c = s; *c && *c != ' ' && colons < 3; c++)
        if (*c == ':') {
            colons++;
            p = c + 1;
        }
    if (colons == 3 && strstr(s, ".c:") && strstr(s, ".c:") < p)
        s = p;
    while (*s == ' ')
        s++;
    if (strncmp(s, "Domain ", 7) == 0) {
        const char *d = s + 7;
        while (isdigit((unsigned char)*d))
            d++;
        if (d > s + 7 && *d == ':')
            s = d + 1;
    }
    while (*s == ' ')
        s++;
    return s;
}

static void log_vmessage(xentoollog_logger *xtl, xentoollog_level level,
                         int errnoval, const char *context,
                         const char *format, va_list al)
{
    struct xen_log *log = (struct xen_log *)xtl;
    char line[XN_MSG_MAX];
    size_t len;

    vsnprintf(line, sizeof(line), format, al);
    len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == ' '))
        line[--len] = '\0';
    if (errnoval >= 0 && len + 3 < sizeof(line))
        snprintf(line + len, sizeof(line) - len, ": %s", strerror(errnoval));
    xn_log(level_of(level), "%s: %s", context ? context : "libxl", line);
    if (level >= XTL_ERROR) {
        snprintf(log->last, sizeof(log->last), "%s", strip_prefix(line));
        if (!log->first[0])
            snprintf(log->first, sizeof(log->first), "%s", log->last);
    }
}

static void log_progress(xentoollog_logger *xtl, const char *context,
                         const char *doing_what, int percent,
                         unsigned long done, unsigned long total)
{
    (void)xtl;
    (void)done;
    (void)total;
    xn_log(XN_LOG_DEBUG, "%s: %s: %d%%", context ? context : "libxl",
           doing_what, percent);
}

static void log_destroy(xentoollog_logger *xtl)
{
    /* Freed by xen_log_free, never through libxl. */
    (void)xtl;
}

struct xen_log *xen_log_new(void)
{
    struct xen_log *log = calloc(1, sizeof(*log));

    if (!log)
        return NULL;
    log->xtl.vmessage = log_vmessage;
    log->xtl.progress = log_progress;
    log->xtl.destroy = log_destroy;
    return log;
}

xentoollog_logger *xen_log_logger(struct xen_log *log)
{
    return &log->xtl;
}

void xen_log_free(struct xen_log *log)
{
    free(log);
}

void xen_log_clear(struct xen_log *log)
{
    log->first[0] = '\0';
    log->last[0] = '\0';
}

/* libxl's first error is usually the cause ("xc: Failed to enable
 * logdirty"), its last the consequence it reports ("domain did not respond
 * to suspend request"): give both. */
const char *xen_log_last(struct xen_log *log)
{
    if (!log->last[0])
        return NULL;
    if (!log->first[0] || strcmp(log->first, log->last) == 0)
        return log->last;
    snprintf(log->both, sizeof(log->both), "%.200s; then: %.200s",
             log->first, log->last);
    return log->both;
}

int xen_fail(struct xen_drv *drv, struct xn_msg *msg, int lrc,
             const char *fmt, ...)
{
    const char *last = drv->log ? xen_log_last(drv->log) : NULL;
    int code = xen_err_code(lrc);
    char head[XN_MSG_MAX];
    va_list ap;

    if (code == XN_OK)      /* a libxl call failed without a code */
        code = XN_EFAIL;
    va_start(ap, fmt);
    vsnprintf(head, sizeof(head), fmt, ap);
    va_end(ap);
    if (last)
        return xn_msg_set(msg, code, "%s: libxl: %s", head, last);
    return xn_msg_set(msg, code, "%s: libxl error %d (%s)", head, lrc,
                      xn_strerror(code));
}
