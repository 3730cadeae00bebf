/* xsc_int.h - what the xenstore client's files share; not for users. */
#ifndef XENITH_XSC_INT_H
#define XENITH_XSC_INT_H

#include <sys/queue.h>

#include "xsc.h"
#include "xsc_backend.h"

struct xsc {
    const struct xsc_backend_ops *ops;
    void *be;                       /* owned: ops->close */
    bool in_txn;
    unsigned conflicts;
    unsigned next_token;
    unsigned dispatching;           /* > 0 while callbacks run */
    LIST_HEAD(, xsc_watch) watches;
};

struct xsc_watch {
    struct xsc *x;
    char *path;                     /* owned */
    char token[24];                 /* "xsc:N", unique per xsc */
    xsc_watch_fn *fn;
    void *opaque;
    bool dead;                      /* unwatched during a dispatch */
    LIST_ENTRY(xsc_watch) link;
};

/* Drop every watch (xsc_close). */
void xsc_watches_free(struct xsc *x);

/* The libxenstore backend (xsc_xs.c). */
int xsc_xs_open(struct event_base *base, const char *socket_path,
                void **be_r, struct xn_msg *msg);
extern const struct xsc_backend_ops xsc_xs_ops;

#endif
