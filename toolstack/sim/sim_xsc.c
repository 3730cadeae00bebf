/*
 * sim_xsc.c - the project's xenstore client (xsc) for code that runs in the
 * same process and on the same loop as the simulated host's store.
 *
 * libxenstore's calls block until the store answers, and this store answers
 * from the loop they would block, so in-process users (the daemon's
 * services) reach it directly: each xsc call becomes the matching owner
 * call of the store (xsd.h), and its watches are owner watches, delivered
 * from the loop as xsc requires.
 */
#include "sim_drv.h"
#include "xsc_backend.h"
#include "sim/xsd/xsd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sim_xsc {
    struct xsd *store;          /* not owned: the sim host's; the xsc is
                                 * closed before the hv */
    struct xsc *x;
    unsigned id;                /* tells this client's watches apart */
};

/* Watch tokens in the store are "<client id>/<xsc token>". */
static void on_watch(void *opaque, const char *path, const char *token)
{
    struct sim_xsc *b = opaque;
    const char *slash = strchr(token, '/');
    if (slash)
        xsc_deliver(b->x, path, slash + 1);
}

static void be_attach(void *be, struct xsc *x)
{
    ((struct sim_xsc *)be)->x = x;
}

/* xsd's owner calls return XN_E* codes without a sentence: add the one
 * libxenstore's backend gives for the same failure. */
static int said(int rc, struct xn_msg *msg, const char *what,
                const char *path)
{
    int e = rc == XN_ENOENT ? ENOENT : rc == XN_EINVAL ? EINVAL
            : rc == XN_EPERM ? EACCES : rc == XN_EEXIST ? EEXIST
            : rc == XN_EBUSY ? EBUSY : EIO;
    if (rc < 0)
        xn_msg_set(msg, rc, "xenstore: cannot %s %s: %s", what, path,
                   strerror(e));
    return rc;
}

static int be_read(void *be, const char *path, char **val_r, size_t *len_r,
                   struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    return said(xsd_read(b->store, path, val_r, len_r), msg, "read", path);
}

static int be_write(void *be, const char *path, const void *val, size_t len,
                    struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    return said(xsd_write(b->store, path, val, len), msg, "write", path);
}

static int be_mkdir(void *be, const char *path, struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    return said(xsd_mkdir(b->store, path), msg, "create", path);
}

static int be_rm(void *be, const char *path, struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    int rc = xsd_rm(b->store, path);
    return rc == XN_ENOENT ? 0 : said(rc, msg, "remove", path);
}

static int be_directory(void *be, const char *path, char ***names_r,
                        unsigned *n_r, struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    return said(xsd_directory(b->store, path, names_r, n_r), msg, "list",
                path);
}

static int be_get_perms(void *be, const char *path,
                        struct xsc_perm **perms_r, unsigned *n_r,
                        struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    struct xsd_perm *p;
    unsigned n;
    int rc = xsd_get_perms(b->store, path, &p, &n);

    if (rc < 0)
        return said(rc, msg, "read the permissions of", path);
    *perms_r = calloc(n ? n : 1, sizeof(**perms_r));
    if (!*perms_r) {
        free(p);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    for (unsigned i = 0; i < n; i++) {
        (*perms_r)[i].domid = p[i].domid;
        (*perms_r)[i].access = xsc_access_from_bits(p[i].perms);
    }
    *n_r = n;
    free(p);
    return 0;
}

static int be_set_perms(void *be, const char *path,
                        const struct xsc_perm *perms, unsigned n,
                        struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    struct xsd_perm p[64];

    for (unsigned i = 0; i < n && i < 64; i++) {
        p[i].domid = perms[i].domid;
        p[i].perms = xsc_access_bits(perms[i].access);
    }
    return said(xsd_set_perms(b->store, path, p, n), msg,
                "set the permissions of", path);
}

static int be_txn_begin(void *be, struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    return said(xsd_txn_begin(b->store), msg, "start", "a transaction");
}

static int be_txn_end(void *be, bool abort, struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    int rc = xsd_txn_end(b->store, abort);
    if (rc == XN_EBUSY)
        return xn_msg_set(msg, XN_EBUSY, "xenstore: transaction conflict");
    return said(rc, msg, "commit", "a transaction");
}

static int be_watch(void *be, const char *path, const char *token,
                    struct xn_msg *msg)
{
    struct sim_xsc *b = be;
    char t[64];
    snprintf(t, sizeof(t), "%u/%s", b->id, token);
    return said(xsd_watch(b->store, path, t, on_watch, b), msg, "watch",
                path);
}

static void be_unwatch(void *be, const char *path, const char *token)
{
    struct sim_xsc *b = be;
    char t[64];
    snprintf(t, sizeof(t), "%u/%s", b->id, token);
    xsd_unwatch(b->store, path, t);
}

static void be_close(void *be)
{
    free(be);
}

static const struct xsc_backend_ops sim_xsc_ops = {
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

int simdrv_store_open(struct hv *hv, struct xsc **x_r, struct xn_msg *msg)
{
    static unsigned next_id;
    struct simdrv *s = simdrv_of(hv);
    struct sim_xsc *b;

    *x_r = NULL;
    if (!s->store)
        return xn_msg_set(msg, XN_ENOTSUP, "this simulated host has no "
                          "xenstore");
    b = calloc(1, sizeof(*b));
    if (!b)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    b->store = s->store;
    b->id = ++next_id;
    return xsc_open_backend(&sim_xsc_ops, b, x_r, msg);
}
