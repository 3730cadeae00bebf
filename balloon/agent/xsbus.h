/*
 * xsbus.h - the guest agent's xenstore writer: one XS_WRITE at a time over
 * the kernel's xenbus device, spoken by hand (libxenstore has no static
 * build), synchronous and bounded in time.
 *
 * The device is /dev/xen/xenbus, else /proc/xen/xenbus (xenfs); or any
 * path given, which may also be a xenstored unix socket (tests, dom0).
 * Relative paths are resolved by xenstored against the writer's home,
 * /local/domain/<its domid>.
 *
 * No allocation: a struct xsbus holds its buffers.  Single-threaded.
 */
#ifndef XENITH_AGENT_XSBUS_H
#define XENITH_AGENT_XSBUS_H

#include <stdint.h>

#include "err.h"

#define XSBUS_PAYLOAD_MAX 4096      /* xenstore's limit on a message body */

struct xsbus {
    const char *path;       /* NULL: the default devices; not copied */
    int fd;                 /* -1 while not connected */
    uint32_t req_id;
    char buf[16 + XSBUS_PAYLOAD_MAX + 1];   /* + a NUL after a reply */
};

/* A disconnected bus; `path` (NULL for the defaults) must outlive it. */
void xsbus_init(struct xsbus *b, const char *path);

/*
 * Write `value` at `path` (absolute, or relative to this domain's home):
 * connect if need be, send one XS_WRITE, wait up to timeout_ms for its
 * reply.  0; or XN_ECONNECT (no device, cannot open it), XN_ETIMEDOUT (no
 * reply in time), XN_EIO (read/write failed, end of file), XN_EPROTO (a
 * reply that is not ours or not "OK"), or xenstored's own error
 * (XS_ERROR "EACCES" -> XN_EPERM ...), with msg saying which.  After any
 * error the connection is closed, so a late reply can never be taken for
 * the next request's; the next call connects again.
 */
int xsbus_write(struct xsbus *b, const char *path, const char *value,
                int timeout_ms, struct xn_msg *msg);

/* Disconnect (the bus may be used again). */
void xsbus_close(struct xsbus *b);

#endif
