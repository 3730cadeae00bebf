/*
 * xsbus.c - one XS_WRITE at a time on the xenbus device (see xsbus.h).
 *
 * The wire format is xenstore's public one (xen/include/public/io/xs_wire.h):
 * a header of four native-endian 32-bit words - type, req_id, tx_id, len -
 * then `len` bytes of body.  XS_WRITE's body is the path, a NUL, and the
 * value (no NUL after it); the reply is XS_WRITE with "OK\0", or XS_ERROR
 * with an errno name such as "EACCES\0".
 */
#include "xsbus.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct wire_hdr {
    uint32_t type;
    uint32_t req_id;
    uint32_t tx_id;
    uint32_t len;
};

enum {
    WIRE_WRITE = 11,
    WIRE_ERROR = 16,
};

#define HDR_LEN sizeof(struct wire_hdr)

_Static_assert(sizeof(struct wire_hdr) == 16, "xenstore's header is 16 bytes");

static const char *const default_paths[] = {
    "/dev/xen/xenbus",      /* the xenbus frontend's misc device */
    "/proc/xen/xenbus",     /* xenfs, on older set-ups */
};

void xsbus_init(struct xsbus *b, const char *path)
{
    b->path = path;
    b->fd = -1;
    b->req_id = 0;
}

void xsbus_close(struct xsbus *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}

/* Open a device, or connect to a xenstored socket.  An fd, or -errno. */
static int open_one(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct stat st;
    int fd;

    if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        if (strlen(path) >= sizeof(sa.sun_path))
            return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -errno;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        return fd;
    }
    fd = open(path, O_RDWR | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static int connect_bus(struct xsbus *b, struct xn_msg *msg)
{
    int fd;

    if (b->path) {
        fd = open_one(b->path);
        if (fd < 0)
            return xn_msg_set(msg, XN_ECONNECT, "cannot open \"%s\": %s",
                              b->path, strerror(-fd));
    } else {
        fd = open_one(default_paths[0]);
        if (fd < 0) {
            int e0 = -fd;
            fd = open_one(default_paths[1]);
            if (fd < 0)
                return xn_msg_set(msg, XN_ECONNECT,
                                  "cannot open \"%s\": %s (nor \"%s\": %s)",
                                  default_paths[0], strerror(e0),
                                  default_paths[1], strerror(-fd));
        }
    }
    b->fd = fd;
    return 0;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read exactly len bytes before the deadline: 0, -ETIMEDOUT, -EPIPE at
 * end of file, or -errno. */
static int recv_all(int fd, char *p, size_t len, long deadline)
{
    while (len > 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        long left = deadline - now_ms();
        ssize_t n;
        int r;

        if (left <= 0)
            return -ETIMEDOUT;
        r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -ETIMEDOUT;
        n = read(fd, p, len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return -EPIPE;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* xenstored's error names (xs_wire.h's xsd_errors) as project codes. */
static int error_code(const char *name)
{
    static const struct {
        const char *name;
        int code;
    } tab[] = {
        {"EINVAL", XN_EINVAL}, {"EACCES", XN_EPERM}, {"EEXIST", XN_EEXIST},
        {"EISDIR", XN_EINVAL}, {"ENOENT", XN_ENOENT}, {"ENOMEM", XN_EFAIL},
        {"ENOSPC", XN_EIO}, {"EIO", XN_EIO}, {"ENOTEMPTY", XN_EINVAL},
        {"ENOSYS", XN_ENOTSUP}, {"EROFS", XN_EPERM}, {"EBUSY", XN_EBUSY},
        {"EAGAIN", XN_EBUSY}, {"EISCONN", XN_EINVAL}, {"E2BIG", XN_EINVAL},
        {"EPERM", XN_EPERM}, {"EQUOTA", XN_EFAIL},
    };

    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (strcmp(tab[i].name, name) == 0)
            return tab[i].code;
    return XN_EFAIL;
}

/* Check the reply in b->buf (header and body) to request req_id. */
static int check_reply(struct xsbus *b, uint32_t req_id, const char *path,
                       struct xn_msg *msg)
{
    struct wire_hdr h;
    const char *body = b->buf + HDR_LEN;

    memcpy(&h, b->buf, HDR_LEN);
    if (h.req_id != req_id)
        return xn_msg_set(msg, XN_EPROTO,
                          "xenstore answered request %u, not %u (type %u)",
                          (unsigned)h.req_id, (unsigned)req_id,
                          (unsigned)h.type);
    b->buf[HDR_LEN + h.len] = '\0';
    if (h.type == WIRE_ERROR)
        return xn_msg_set(msg, error_code(body),
                          "xenstore refused to write \"%s\": %.32s", path,
                          body);
    if (h.type != WIRE_WRITE)
        return xn_msg_set(msg, XN_EPROTO,
                          "xenstore answered a write of \"%s\" with message "
                          "type %u", path, (unsigned)h.type);
    if (h.len < 2 || memcmp(body, "OK", 2) != 0)
        return xn_msg_set(msg, XN_EPROTO,
                          "xenstore answered a write of \"%s\" with \"%.32s\"",
                          path, body);
    return 0;
}

static int exchange(struct xsbus *b, const char *path, const char *value,
                    int timeout_ms, struct xn_msg *msg)
{
    size_t plen = strlen(path), vlen = strlen(value);
    struct wire_hdr h;
    long deadline;
    int r;

    if (plen + 1 + vlen > XSBUS_PAYLOAD_MAX)
        return xn_msg_set(msg, XN_EINVAL,
                          "a write of %zu bytes at \"%s\" is over xenstore's "
                          "%d", plen + 1 + vlen, path, XSBUS_PAYLOAD_MAX);
    if (b->fd < 0 && (r = connect_bus(b, msg)) < 0)
        return r;

    h = (struct wire_hdr){
        .type = WIRE_WRITE,
        .req_id = ++b->req_id,
        .tx_id = 0,
        .len = (uint32_t)(plen + 1 + vlen),
    };
    memcpy(b->buf, &h, HDR_LEN);
    memcpy(b->buf + HDR_LEN, path, plen + 1);
    memcpy(b->buf + HDR_LEN + plen + 1, value, vlen);
    /* One write() of the whole message: the device takes it whole. */
    r = send_all(b->fd, b->buf, HDR_LEN + h.len);
    if (r < 0)
        return xn_msg_set(msg, XN_EIO, "cannot send to xenstore: %s",
                          strerror(-r));

    deadline = now_ms() + timeout_ms;
    r = recv_all(b->fd, b->buf, HDR_LEN, deadline);
    if (r == 0) {
        uint32_t len;
        memcpy(&len, b->buf + offsetof(struct wire_hdr, len), sizeof(len));
        if (len > XSBUS_PAYLOAD_MAX)
            return xn_msg_set(msg, XN_EPROTO,
                              "xenstore sent a reply of %u bytes (at most %d)",
                              (unsigned)len, XSBUS_PAYLOAD_MAX);
        r = recv_all(b->fd, b->buf + HDR_LEN, len, deadline);
    }
    if (r == -ETIMEDOUT)
        return xn_msg_set(msg, XN_ETIMEDOUT,
                          "xenstore did not answer a write of \"%s\" within "
                          "%d ms", path, timeout_ms);
    if (r == -EPIPE)
        return xn_msg_set(msg, XN_EIO,
                          "xenstore closed the connection during a write of "
                          "\"%s\"", path);
    if (r < 0)
        return xn_msg_set(msg, XN_EIO, "cannot read from xenstore: %s",
                          strerror(-r));
    return check_reply(b, h.req_id, path, msg);
}

int xsbus_write(struct xsbus *b, const char *path, const char *value,
                int timeout_ms, struct xn_msg *msg)
{
    int r = exchange(b, path, value, timeout_ms, msg);

    if (r < 0)
        xsbus_close(b);
    return r;
}
