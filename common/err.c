/* err.c - names, descriptions and conversions of the project's error codes. */
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    int code;
    const char *name;
    const char *text;
} errtab[] = {
    {XN_OK, "OK", "success"},
    {XN_EINVAL, "EINVAL", "invalid argument"},
    {XN_ENOENT, "ENOENT", "not found"},
    {XN_EEXIST, "EEXIST", "already exists"},
    {XN_ENOMEM, "ENOMEM", "not enough free memory on the host"},
    {XN_EBUSY, "EBUSY", "busy with another operation"},
    {XN_ESTATE, "ESTATE", "wrong state for this operation"},
    {XN_ETIMEDOUT, "ETIMEDOUT", "timed out"},
    {XN_EIO, "EIO", "input/output error"},
    {XN_ENOTSUP, "ENOTSUP", "not supported"},
    {XN_EPROTO, "EPROTO", "protocol error"},
    {XN_EPERM, "EPERM", "permission denied"},
    {XN_ECORRUPT, "ECORRUPT", "corrupt or truncated image"},
    {XN_ECANCELED, "ECANCELED", "cancelled"},
    {XN_ECONNECT, "ECONNECT", "cannot connect"},
    {XN_EFAIL, "EFAIL", "operation failed"},
};

#define NERR (sizeof(errtab) / sizeof(errtab[0]))

const char *xn_errname(int code)
{
    for (size_t i = 0; i < NERR; i++)
        if (errtab[i].code == code)
            return errtab[i].name;
    return "EFAIL";
}

int xn_errcode(const char *name)
{
    for (size_t i = 0; name && i < NERR; i++)
        if (strcmp(errtab[i].name, name) == 0)
            return errtab[i].code;
    return XN_EFAIL;
}

const char *xn_strerror(int code)
{
    for (size_t i = 0; i < NERR; i++)
        if (errtab[i].code == code)
            return errtab[i].text;
    return "operation failed";
}

int xn_from_errno(int errnum)
{
    switch (errnum) {
    case 0: return XN_OK;
    case EINVAL: case ERANGE: case E2BIG: return XN_EINVAL;
    case ENOENT: case ESRCH: return XN_ENOENT;
    case EEXIST: return XN_EEXIST;
    case ENOMEM: return XN_ENOMEM;
    case EBUSY: case EAGAIN: return XN_EBUSY;
    case ETIMEDOUT: return XN_ETIMEDOUT;
    case EIO: case EPIPE: case ENOSPC: case EFBIG: return XN_EIO;
    case ENOTSUP: case ENOSYS: return XN_ENOTSUP;
    case EPROTO: case EBADMSG: return XN_EPROTO;
    case EPERM: case EACCES: return XN_EPERM;
    case ECANCELED: return XN_ECANCELED;
    case ECONNREFUSED: case ENOTCONN: case ECONNRESET: return XN_ECONNECT;
    default: return XN_EFAIL;
    }
}

int xn_msg_set(struct xn_msg *msg, int code, const char *fmt, ...)
{
    if (msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg->text, sizeof(msg->text), fmt, ap);
        va_end(ap);
    }
    return code;
}

void xn_msg_clear(struct xn_msg *msg)
{
    if (msg)
        msg->text[0] = '\0';
}
