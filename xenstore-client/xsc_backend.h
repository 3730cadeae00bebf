/*
 * xsc_backend.h - what carries xsc's requests to a store.
 *
 * Two backends exist: libxenstore (xsc_xs.c), for any xenstored reachable
 * by socket or xenbus, and the simulated host's in-process store, which
 * the sim driver provides (a daemon cannot talk to a store served on its
 * own loop through libxenstore's blocking calls).  Each op has the contract
 * of the xsc_* call of the same name, for the backend's current transaction
 * when one is open.  Errors return a negative XN_E* code with msg filled.
 */
#ifndef XENITH_XSC_BACKEND_H
#define XENITH_XSC_BACKEND_H

#include "xsc.h"

struct xsc_backend_ops {
    /* Learn the xsc to deliver watch events to (called once, at open). */
    void (*attach)(void *be, struct xsc *x);
    int (*read)(void *be, const char *path, char **val_r, size_t *len_r,
                struct xn_msg *msg);
    int (*write)(void *be, const char *path, const void *val, size_t len,
                 struct xn_msg *msg);
    int (*mkdir)(void *be, const char *path, struct xn_msg *msg);
    int (*rm)(void *be, const char *path, struct xn_msg *msg);
    int (*directory)(void *be, const char *path, char ***names_r,
                     unsigned *n_r, struct xn_msg *msg);
    int (*get_perms)(void *be, const char *path, struct xsc_perm **perms_r,
                     unsigned *n_r, struct xn_msg *msg);
    int (*set_perms)(void *be, const char *path,
                     const struct xsc_perm *perms, unsigned n,
                     struct xn_msg *msg);
    /* Begin; end with commit (abort false) or abort.  A commit that met a
     * conflict returns XN_EBUSY (the body then runs again). */
    int (*txn_begin)(void *be, struct xn_msg *msg);
    int (*txn_end)(void *be, bool abort, struct xn_msg *msg);
    /* Watches: events go to xsc_deliver() from the loop, never from inside
     * watch or unwatch.  The token is unique among this xsc's watches. */
    int (*watch)(void *be, const char *path, const char *token,
                 struct xn_msg *msg);
    void (*unwatch)(void *be, const char *path, const char *token);
    /* Free the backend; no deliveries after. */
    void (*close)(void *be);
};

/* Make an xsc over a backend; takes ownership of `be` (closed by
 * xsc_close, or at once if this fails). */
int xsc_open_backend(const struct xsc_backend_ops *ops, void *be,
                     struct xsc **x_r, struct xn_msg *msg);

/* A watch event for `token` on `path`, from the backend, on the loop. */
void xsc_deliver(struct xsc *x, const char *path, const char *token);

#endif
