/*
 * xsc_xs.c - the libxenstore backend: any xenstored reachable through its
 * socket (or xenbus on a real dom0).
 *
 * Watch events: libxenstore's reader thread queues them and makes
 * xs_fileno() readable; the loop drains the queue with xs_check_watch(),
 * which never blocks.
 */
#include "xsc_int.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <xenstore.h>

struct xs_be {
    struct xs_handle *xsh;          /* owned */
    struct event_base *base;        /* not owned; NULL: no watches */
    struct event *watch_ev;         /* on xs_fileno, made at first watch */
    xs_transaction_t txn;           /* XBT_NULL outside a transaction */
    struct xsc *x;
};

/* libxenstore's errno as a code and a sentence naming the path. */
static int fail(struct xn_msg *msg, const char *what, const char *path)
{
    int e = errno ? errno : EIO;
    int code = xn_from_errno(e);

    if (e == EACCES)
        code = XN_EPERM;
    else if (e == E2BIG || e == ENOSPC)
        code = XN_EINVAL;
    return xn_msg_set(msg, code, "xenstore: cannot %s %s: %s", what, path,
                      strerror(e));
}

/* libxenstore finds its socket through XENSTORED_PATH: set it for the
 * duration of xs_open only. */
static struct xs_handle *open_at(const char *socket_path)
{
    const char *old = getenv("XENSTORED_PATH");
    char *saved = NULL;
    struct xs_handle *h;

    if (!socket_path)
        return xs_open(XS_UNWATCH_FILTER);
    if (old && !(saved = strdup(old)))
        return NULL;
    setenv("XENSTORED_PATH", socket_path, 1);
    h = xs_open(XS_OPEN_SOCKETONLY | XS_UNWATCH_FILTER);
    if (saved) {
        setenv("XENSTORED_PATH", saved, 1);
        free(saved);
    } else {
        unsetenv("XENSTORED_PATH");
    }
    return h;
}

int xsc_xs_open(struct event_base *base, const char *socket_path,
                void **be_r, struct xn_msg *msg)
{
    struct xs_be *b = calloc(1, sizeof(*b));

    *be_r = NULL;
    if (!b)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    errno = 0;
    b->xsh = open_at(socket_path);
    if (!b->xsh) {
        int e = errno ? errno : ENOENT;
        free(b);
        return xn_msg_set(msg, XN_ECONNECT, "cannot connect to xenstore%s%s:"
                          " %s", socket_path ? " at " : "",
                          socket_path ? socket_path : "", strerror(e));
    }
    b->base = base;
    b->txn = XBT_NULL;
    *be_r = b;
    return 0;
}

static void be_attach(void *be, struct xsc *x)
{
    ((struct xs_be *)be)->x = x;
}

static void be_close(void *be)
{
    struct xs_be *b = be;
    if (b->watch_ev)
        event_free(b->watch_ev);
    xs_close(b->xsh);
    free(b);
}

static int be_read(void *be, const char *path, char **val_r, size_t *len_r,
                   struct xn_msg *msg)
{
    struct xs_be *b = be;
    unsigned int len;
    char *v;

    errno = 0;
    v = xs_read(b->xsh, b->txn, path, &len);
    if (!v)
        return fail(msg, "read", path);
    *val_r = v;                     /* libxenstore NUL-terminates it */
    if (len_r)
        *len_r = len;
    return 0;
}

static int be_write(void *be, const char *path, const void *val, size_t len,
                    struct xn_msg *msg)
{
    struct xs_be *b = be;
    errno = 0;
    if (!xs_write(b->xsh, b->txn, path, val, (unsigned)len))
        return fail(msg, "write", path);
    return 0;
}

static int be_mkdir(void *be, const char *path, struct xn_msg *msg)
{
    struct xs_be *b = be;
    errno = 0;
    if (!xs_mkdir(b->xsh, b->txn, path))
        return fail(msg, "create", path);
    return 0;
}

static int be_rm(void *be, const char *path, struct xn_msg *msg)
{
    struct xs_be *b = be;
    errno = 0;
    if (!xs_rm(b->xsh, b->txn, path) && errno != ENOENT)
        return fail(msg, "remove", path);
    return 0;
}

static int be_directory(void *be, const char *path, char ***names_r,
                        unsigned *n_r, struct xn_msg *msg)
{
    struct xs_be *b = be;
    unsigned int n;
    char **names;

    errno = 0;
    names = xs_directory(b->xsh, b->txn, path, &n);
    if (!names)
        return fail(msg, "list", path);
    *names_r = names;           /* one block, as libxenstore allocates it */
    *n_r = n;
    return 0;
}

static int be_get_perms(void *be, const char *path,
                        struct xsc_perm **perms_r, unsigned *n_r,
                        struct xn_msg *msg)
{
    struct xs_be *b = be;
    struct xs_permissions *xp;
    struct xsc_perm *p;
    unsigned int n;

    errno = 0;
    xp = xs_get_permissions(b->xsh, b->txn, path, &n);
    if (!xp)
        return fail(msg, "read the permissions of", path);
    p = calloc(n ? n : 1, sizeof(*p));
    if (!p) {
        free(xp);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    for (unsigned i = 0; i < n; i++) {
        p[i].domid = xp[i].id;
        p[i].access = xsc_access_from_bits(xp[i].perms);
    }
    free(xp);
    *perms_r = p;
    *n_r = n;
    return 0;
}

static int be_set_perms(void *be, const char *path,
                        const struct xsc_perm *perms, unsigned n,
                        struct xn_msg *msg)
{
    struct xs_be *b = be;
    struct xs_permissions xp[64];

    for (unsigned i = 0; i < n && i < 64; i++) {
        xp[i].id = perms[i].domid;
        xp[i].perms = xsc_access_bits(perms[i].access);
    }
    errno = 0;
    if (!xs_set_permissions(b->xsh, b->txn, path, xp, n))
        return fail(msg, "set the permissions of", path);
    return 0;
}

static int be_txn_begin(void *be, struct xn_msg *msg)
{
    struct xs_be *b = be;
    errno = 0;
    b->txn = xs_transaction_start(b->xsh);
    if (b->txn == XBT_NULL)
        return fail(msg, "start", "a transaction");
    return 0;
}

static int be_txn_end(void *be, bool abort, struct xn_msg *msg)
{
    struct xs_be *b = be;
    bool ok;

    errno = 0;
    ok = xs_transaction_end(b->xsh, b->txn, abort);
    b->txn = XBT_NULL;
    if (ok || abort)
        return 0;
    if (errno == EAGAIN)
        return xn_msg_set(msg, XN_EBUSY, "xenstore: transaction conflict");
    return fail(msg, "commit", "a transaction");
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    struct xs_be *b = arg;
    char **vec;

    while ((vec = xs_check_watch(b->xsh))) {
        xsc_deliver(b->x, vec[XS_WATCH_PATH], vec[XS_WATCH_TOKEN]);
        free(vec);
    }
    if (errno != EAGAIN)
        xn_log(XN_LOG_WARNING, "xenstore: reading watch events: %s",
               strerror(errno));
}

static int be_watch(void *be, const char *path, const char *token,
                    struct xn_msg *msg)
{
    struct xs_be *b = be;

    if (!b->base)
        return xn_msg_set(msg, XN_EINVAL, "xenstore: cannot watch %s: this "
                          "connection has no event loop", path);
    if (!b->watch_ev) {
        int fd = xs_fileno(b->xsh);
        if (fd < 0)
            return fail(msg, "watch", path);
        b->watch_ev = event_new(b->base, fd, EV_READ | EV_PERSIST,
                                on_readable, b);
        if (!b->watch_ev || event_add(b->watch_ev, NULL) < 0)
            return xn_msg_set(msg, XN_EFAIL, "xenstore: cannot watch %s: "
                              "event setup failed", path);
    }
    errno = 0;
    if (!xs_watch(b->xsh, path, token))
        return fail(msg, "watch", path);
    return 0;
}

static void be_unwatch(void *be, const char *path, const char *token)
{
    struct xs_be *b = be;
    xs_unwatch(b->xsh, path, token);
}

const struct xsc_backend_ops xsc_xs_ops = {
    .attach = be_attach,
    .read = be_read,
    .write = be_write,
    .mkdir = be_mkdir,
    .rm = be_rm,
    .directory = be_directory,
    .get_perms = be_get_perms,
    .set_perms = be_set_perms,
    .txn_begin = be_txn_begin,
    .txn_end = be_txn_end,
    .watch = be_watch,
    .unwatch = be_unwatch,
    .close = be_close,
};
