/*
 * err.h - the project's error codes.
 *
 * Every action in xenith returns 0 or one of these negative codes.  libxl's
 * ERROR_* values are converted at exactly one place (toolstack/xen/xen_err.c);
 * errno values from system calls are converted with xn_from_errno().
 *
 * Codes travel over the control socket by name (xn_errname), never by number,
 * so the numbering may change without breaking clients.
 */
#ifndef XENITH_ERR_H
#define XENITH_ERR_H

#include <stddef.h>

enum xn_err {
    XN_OK = 0,
    XN_EINVAL = -1,     /* bad argument or malformed input */
    XN_ENOENT = -2,     /* no such domain, pool, file ... */
    XN_EEXIST = -3,     /* a domain of that name already exists */
    XN_ENOMEM = -4,     /* the host has not enough free memory */
    XN_EBUSY = -5,      /* the object is busy with another operation */
    XN_ESTATE = -6,     /* the domain is in the wrong state for this */
    XN_ETIMEDOUT = -7,  /* a wait ran out of time */
    XN_EIO = -8,        /* reading or writing a stream or file failed */
    XN_ENOTSUP = -9,    /* not supported by this host or scheduler */
    XN_EPROTO = -10,    /* a peer or client broke the protocol */
    XN_EPERM = -11,     /* permission denied */
    XN_ECORRUPT = -12,  /* a saved image is corrupt or truncated */
    XN_ECANCELED = -13, /* the operation was cancelled */
    XN_ECONNECT = -14,  /* cannot reach the daemon or the hypervisor */
    XN_EFAIL = -15,     /* any other failure; the message says what */
};
#define XN_ERR_MIN XN_EFAIL

/* Symbolic name ("ENOENT") of a code, for the wire.  Static storage. */
const char *xn_errname(int code);

/* Inverse of xn_errname; unknown names map to XN_EFAIL. */
int xn_errcode(const char *name);

/* Short description ("no such domain").  Static storage. */
const char *xn_strerror(int code);

/* Map an errno value (positive) to a project code. */
int xn_from_errno(int errnum);

/*
 * A message buffer for an error's full sentence.  Functions that can fail
 * for reasons worth explaining take a `struct xn_msg *` and fill it through
 * xn_msg_set(), which returns the code so callers can write
 *     return xn_msg_set(msg, XN_EINVAL, "memory: \"%s\" is not a size", v);
 * A NULL msg is allowed and ignored.
 */
#define XN_MSG_MAX 512
struct xn_msg {
    char text[XN_MSG_MAX];
};

int xn_msg_set(struct xn_msg *msg, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Clear a message buffer. */
void xn_msg_clear(struct xn_msg *msg);

#endif
