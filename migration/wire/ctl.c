/* ctl.c - the daemon <-> relay control channel: one JSON object a packet,
 * with at most one descriptor beside it. */
#include "migration/wire/ctl.h"
#include "migration/wire/json_one.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Descriptors one packet may bring before the kernel cuts them (MSG_CTRUNC):
 * a peer sending more than one gets them closed, not leaked. */
#define CTL_FDS_MAX 16

/* sendmsg, once more after growing the socket's buffer when the packet is
 * over it: the default (wmem_default, 208 KiB) is below MIG_CTL_MAX. */
static ssize_t send_packet(int sock, const struct msghdr *mh)
{
    bool grown = false;
    ssize_t n;

    for (;;) {
        int size = MIG_CTL_MAX + 4096;
        n = sendmsg(sock, mh, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno != EMSGSIZE || grown)
            return n;
        grown = true;
        if (setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) < 0) {
            errno = EMSGSIZE;
            return -1;
        }
    }
}

int mig_ctl_send(int sock, struct json_object *o, int fd,
                 struct xn_msg *msg)
{
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } cbuf;
    struct msghdr mh;
    struct iovec iov;
    const char *text;
    size_t len;
    ssize_t n;

    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                          JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text)
        return xn_msg_set(msg, XN_EFAIL, "control channel: out of memory");
    len = strlen(text);
    if (len > MIG_CTL_MAX)
        return xn_msg_set(msg, XN_EINVAL, "control channel: a message of "
                          "%zu bytes is over the maximum of %d", len,
                          MIG_CTL_MAX);
    memset(&mh, 0, sizeof(mh));
    iov.iov_base = (void *)text;
    iov.iov_len = len;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (fd >= 0) {
        struct cmsghdr *c;
        memset(&cbuf, 0, sizeof(cbuf));
        mh.msg_control = cbuf.buf;
        mh.msg_controllen = sizeof(cbuf.buf);
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    n = send_packet(sock, &mh);
    if (n < 0) {
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK)
            return xn_msg_set(msg, XN_EBUSY, "control channel: full");
        if (e == EPIPE || e == ECONNRESET)
            return xn_msg_set(msg, XN_EIO, "control channel: the channel "
                              "was closed");
        if (e == EMSGSIZE)
            return xn_msg_set(msg, XN_EINVAL, "control channel: a message "
                              "of %zu bytes is over the socket's buffer",
                              len);
        return xn_msg_set(msg, xn_from_errno(e), "control channel: "
                          "sending: %s", strerror(e));
    }
    if ((size_t)n != len)   /* SOCK_SEQPACKET sends whole packets */
        return xn_msg_set(msg, XN_EIO, "control channel: %zd of %zu bytes "
                          "sent", n, len);
    return 0;
}

/* Take the descriptors out of the packet's control data: the first into
 * *fd_r, any other closed. */
static void take_fds(struct msghdr *mh, int *fd_r)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        size_t nfd;
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
            c->cmsg_len < CMSG_LEN(0))
            continue;
        nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < nfd; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (*fd_r < 0)
                *fd_r = fd;
            else
                close(fd);
        }
    }
}

int mig_ctl_recv(int sock, struct json_object **o_r, int *fd_r,
                 struct xn_msg *msg)
{
    union {
        char buf[CMSG_SPACE(CTL_FDS_MAX * sizeof(int))];
        struct cmsghdr align;
    } cbuf;
    struct json_object *o = NULL;
    struct msghdr mh;
    struct iovec iov;
    uint8_t *buf;
    ssize_t n;
    int fd = -1, rc;

    *o_r = NULL;
    *fd_r = -1;
    buf = malloc(MIG_CTL_MAX);
    if (!buf)
        return xn_msg_set(msg, XN_EFAIL, "control channel: out of memory");
    memset(&mh, 0, sizeof(mh));
    iov.iov_base = buf;
    iov.iov_len = MIG_CTL_MAX;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf.buf;
    mh.msg_controllen = sizeof(cbuf.buf);
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK)
            rc = xn_msg_set(msg, XN_EBUSY, "control channel: nothing to "
                            "read yet");
        else if (e == ECONNRESET)
            rc = xn_msg_set(msg, XN_EIO, "control channel: the channel "
                            "was closed");
        else
            rc = xn_msg_set(msg, xn_from_errno(e), "control channel: "
                            "receiving: %s", strerror(e));
        goto out;
    }
    take_fds(&mh, &fd);
    if (n == 0) {
        rc = xn_msg_set(msg, XN_EIO, "control channel: the channel was "
                        "closed");
        goto out;
    }
    if (mh.msg_flags & MSG_TRUNC) {
        rc = xn_msg_set(msg, XN_EPROTO, "control channel: a message over "
                        "the maximum of %d bytes", MIG_CTL_MAX);
        goto out;
    }
    if (mh.msg_flags & MSG_CTRUNC) {
        rc = xn_msg_set(msg, XN_EPROTO, "control channel: a message with "
                        "too many descriptors");
        goto out;
    }
    rc = mig_json_one("control channel", buf, (size_t)n, &o, msg);
    if (rc < 0)
        goto out;
    *o_r = o;
    *fd_r = fd;
    fd = -1;
out:
    if (fd >= 0)
        close(fd);
    free(buf);
    return rc;
}

const char *mig_ctl_str(struct json_object *o, const char *key)
{
    struct json_object *v;
    const char *s;

    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    s = json_object_get_string(v);
    /* a string cut short by an embedded NUL is not that string */
    if (strlen(s) != (size_t)json_object_get_string_len(v))
        return NULL;
    return s;
}

long long mig_ctl_int(struct json_object *o, const char *key, long long def)
{
    struct json_object *v;
    int64_t i;

    if (!json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_int))
        return def;
    i = json_object_get_int64(v);
    /* json-c clamps what is beyond int64 to INT64_MAX */
    if (i < 0 || (i == INT64_MAX && json_object_get_uint64(v) != INT64_MAX))
        return def;
    return i;
}
