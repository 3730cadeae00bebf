/*
 * xsc_watch.c - watches: one token per watch, so an event finds its watch
 * without comparing paths; watches removed while callbacks run are only
 * marked, and freed when the dispatch is over.
 */
#include "xsc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void watch_free(struct xsc_watch *w)
{
    LIST_REMOVE(w, link);
    free(w->path);
    free(w);
}

void xsc_deliver(struct xsc *x, const char *path, const char *token)
{
    struct xsc_watch *w, *next;

    x->dispatching++;
    LIST_FOREACH(w, &x->watches, link) {
        if (!w->dead && strcmp(w->token, token) == 0) {
            w->fn(w->opaque, path);
            break;
        }
    }
    if (--x->dispatching)
        return;
    for (w = LIST_FIRST(&x->watches); w; w = next) {
        next = LIST_NEXT(w, link);
        if (w->dead)
            watch_free(w);
    }
}

int xsc_watch(struct xsc *x, const char *path, xsc_watch_fn *fn,
              void *opaque, struct xsc_watch **w_r, struct xn_msg *msg)
{
    struct xsc_watch *w = calloc(1, sizeof(*w));
    int rc;

    *w_r = NULL;
    if (!w || !(w->path = strdup(path))) {
        free(w);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    w->x = x;
    w->fn = fn;
    w->opaque = opaque;
    snprintf(w->token, sizeof(w->token), "xsc:%u", ++x->next_token);
    /* On the list first: the backend may deliver the initial event as
     * soon as the loop turns. */
    LIST_INSERT_HEAD(&x->watches, w, link);
    rc = x->ops->watch(x->be, path, w->token, msg);
    if (rc < 0) {
        watch_free(w);
        return rc;
    }
    *w_r = w;
    return 0;
}

void xsc_unwatch(struct xsc_watch *w)
{
    if (!w || w->dead)
        return;
    w->x->ops->unwatch(w->x->be, w->path, w->token);
    w->dead = true;
    if (!w->x->dispatching)
        watch_free(w);
}

void xsc_watches_free(struct xsc *x)
{
    struct xsc_watch *w;
    while ((w = LIST_FIRST(&x->watches)))
        watch_free(w);
}
