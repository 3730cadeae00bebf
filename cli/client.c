/* client.c - requests to xenithd over the control socket (blocking I/O). */
#include "cli.h"
#include "proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Connect; on failure fill msg and return -1. */
static int connect_quiet(struct xn_msg *msg)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(cli_socket) >= sizeof(sa.sun_path)) {
        xn_msg_set(msg, XN_EINVAL, "socket path \"%s\" is too long",
                   cli_socket);
        return -1;
    }
    memcpy(sa.sun_path, cli_socket, strlen(cli_socket) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        xn_msg_set(msg, XN_EFAIL, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        xn_msg_set(msg, XN_ECONNECT, "cannot connect to xenithd at %s: %s%s",
                   cli_socket, strerror(e),
                   e == ENOENT || e == ECONNREFUSED ? " (is xenithd running?)"
                                                    : "");
        return -1;
    }
    return fd;
}

int cli_connect(void)
{
    struct xn_msg msg;
    int fd = connect_quiet(&msg);
    if (fd < 0)
        cli_error("%s", msg.text);
    return fd;
}

int cli_send(int fd, struct json_object *msg)
{
    size_t len, off = 0;
    char *line = proto_encode(msg, &len);

    if (!line) {
        cli_error("out of memory");
        return -1;
    }
    while (off < len) {
        ssize_t n = write(fd, line + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error("cannot send to xenithd: %s", strerror(errno));
            free(line);
            return -1;
        }
        off += (size_t)n;
    }
    free(line);
    return 0;
}

/* Read bytes until a newline; the buffer grows up to the protocol limit. */
struct json_object *cli_read_message(int fd)
{
    static char *buf;
    static size_t cap, used;
    struct proto_msg m;
    struct xn_msg msg;
    char *nl;

    for (;;) {
        nl = used ? memchr(buf, '\n', used) : NULL;
        if (nl)
            break;
        if (used == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nbuf;
            if (ncap > PROTO_MAX_LINE + 1) {
                cli_error("xenithd sent a message longer than %d bytes",
                          PROTO_MAX_LINE);
                return NULL;
            }
            if (!(nbuf = realloc(buf, ncap))) {
                cli_error("out of memory");
                return NULL;
            }
            buf = nbuf;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            cli_error("cannot read from xenithd: %s", strerror(errno));
            return NULL;
        }
        if (n == 0) {
            if (used)
                cli_error("xenithd closed the connection mid-message");
            return NULL;
        }
        used += (size_t)n;
    }
    size_t len = (size_t)(nl - buf);
    int rc = proto_decode(buf, len, &m, &msg);
    memmove(buf, nl + 1, used - len - 1);
    used -= len + 1;
    if (rc < 0) {
        proto_msg_dispose(&m);
        cli_error("bad message from xenithd: %s", msg.text);
        return NULL;
    }
    struct json_object *root = json_object_get(m.root);
    proto_msg_dispose(&m);
    return root;
}

int cli_request(const char *op, struct json_object *take_args,
                struct json_object **result_r, struct xn_msg *msg)
{
    struct json_object *req, *reply, *v, *err;
    int fd, rc = XN_EFAIL;

    if (result_r)
        *result_r = NULL;
    fd = connect_quiet(msg);
    if (fd < 0) {
        json_object_put(take_args);
        return XN_ECONNECT;
    }
    req = proto_request(1, op, take_args);
    if (cli_send(fd, req) < 0) {
        json_object_put(req);
        close(fd);
        return xn_msg_set(msg, XN_EIO, "cannot send to xenithd");
    }
    json_object_put(req);
    while ((reply = cli_read_message(fd))) {
        if (json_object_object_get_ex(reply, "ok", &v))
            break;
        json_object_put(reply);     /* not ours (an event): skip */
    }
    close(fd);
    if (!reply)
        return xn_msg_set(msg, XN_EIO, "xenithd closed the connection "
                          "before answering");
    if (json_object_get_boolean(v)) {
        if (result_r && json_object_object_get_ex(reply, "result", &v))
            *result_r = json_object_get(v);
        rc = 0;
    } else if (json_object_object_get_ex(reply, "error", &err)) {
        rc = xn_msg_set(msg, xn_errcode(jstr(err, "code")), "%s",
                        jstr(err, "message"));
        if (rc == 0)
            rc = XN_EFAIL;
    } else {
        rc = xn_msg_set(msg, XN_EFAIL, "xenithd refused the request without "
                        "saying why");
    }
    json_object_put(reply);
    return rc;
}

int cli_call(const char *op, struct json_object *take_args,
             struct json_object **result_r)
{
    struct xn_msg msg;
    if (cli_request(op, take_args, result_r, &msg) < 0) {
        cli_error("%s", msg.text);
        return 1;
    }
    return 0;
}

struct json_object *cli_dom_args(const char *dom)
{
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "dom", json_object_new_string(dom));
    return a;
}

int cli_dom_call(const char *op, const char *dom)
{
    return cli_call(op, cli_dom_args(dom), NULL);
}
