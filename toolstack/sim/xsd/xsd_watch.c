/*
 * xsd_watch.c - watches and their events.
 *
 * As xenstored: a change at P fires every watch on P or on an ancestor of
 * P; the removal of a subtree also fires, for each node removed below the
 * named one, the watches on exactly that node; special events
 * (@introduceDomain, @releaseDomain) fire watches on exactly that name.
 * Socket clients get XS_WATCH_EVENT "path\0token\0" at once in their
 * output; the owner's events are queued and delivered from the loop.
 */
#include "xsd_int.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct xsd_watch {
    struct xsd_watch *prev, *next;
    struct xsd_conn *conn;      /* NULL: the owner's */
    xsd_watch_fn *fn;
    void *opaque;
    uint64_t id;
    size_t rel_len;
    char *token;                /* points into the same allocation */
    char path[];
};

struct xsd_owner_event {
    struct xsd_owner_event *next;
    uint64_t watch_id;
    char *token;                /* points into the same allocation */
    char path[];
};

static struct xsd_watch *find(struct xsd *x, struct xsd_conn *conn,
                              const char *path, const char *token)
{
    for (struct xsd_watch *w = x->watches; w; w = w->next)
        if (w->conn == conn && strcmp(w->path, path) == 0 &&
            strcmp(w->token, token) == 0)
            return w;
    return NULL;
}

int xsd_watch_add(struct xsd *x, struct xsd_conn *conn, const char *path,
                  const char *token, size_t rel_len, xsd_watch_fn *fn,
                  void *opaque, struct xsd_watch **w_r)
{
    size_t plen = strlen(path), tlen = strlen(token);
    struct xsd_watch *w;

    if (find(x, conn, path, token))
        return -EEXIST;
    if (conn && conn->nwatches >= x->lim.max_watches_per_conn)
        return -E2BIG;
    w = calloc(1, sizeof(*w) + plen + 1 + tlen + 1);
    if (!w)
        return -ENOMEM;
    memcpy(w->path, path, plen + 1);
    w->token = w->path + plen + 1;
    memcpy(w->token, token, tlen + 1);
    w->conn = conn;
    w->fn = fn;
    w->opaque = opaque;
    w->rel_len = rel_len;
    w->id = ++x->next_watch_id;
    w->prev = x->watches_tail;
    if (x->watches_tail)
        x->watches_tail->next = w;
    else
        x->watches = w;
    x->watches_tail = w;
    if (conn)
        conn->nwatches++;
    if (w_r)
        *w_r = w;
    return 0;
}

static void unlink_free(struct xsd *x, struct xsd_watch *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        x->watches = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        x->watches_tail = w->prev;
    if (w->conn)
        w->conn->nwatches--;
    free(w);
}

int xsd_watch_del(struct xsd *x, struct xsd_conn *conn, const char *path,
                  const char *token)
{
    struct xsd_watch *w = find(x, conn, path, token);

    if (!w)
        return -ENOENT;
    unlink_free(x, w);
    return 0;
}

void xsd_watch_del_conn(struct xsd *x, struct xsd_conn *conn)
{
    struct xsd_watch *w = x->watches, *next;

    for (; w; w = next) {
        next = w->next;
        if (w->conn == conn)
            unlink_free(x, w);
    }
}

/* Queue an event for the owner's watch `w`. */
static void owner_queue(struct xsd *x, const struct xsd_watch *w,
                        const char *path)
{
    size_t plen = strlen(path), tlen = strlen(w->token);
    struct xsd_owner_event *e = malloc(sizeof(*e) + plen + 1 + tlen + 1);

    if (!e) {
        xn_log(XN_LOG_ERR, "xenstore: out of memory: watch event on %s "
               "lost", path);
        return;
    }
    e->next = NULL;
    e->watch_id = w->id;
    memcpy(e->path, path, plen + 1);
    e->token = e->path + plen + 1;
    memcpy(e->token, w->token, tlen + 1);
    if (x->events_tail)
        x->events_tail->next = e;
    else
        x->events = e;
    x->events_tail = e;
    event_active(x->deliver_ev, EV_TIMEOUT, 0);
}

/* Send or queue the event of watch `w` for a change at `path`. */
static void deliver(struct xsd *x, struct xsd_watch *w, const char *path)
{
    size_t plen, tlen;

    if (w->rel_len) {
        path += w->rel_len;
        if (*path == '/')
            path++;
    }
    if (!w->conn) {
        owner_queue(x, w, path);
        return;
    }
    plen = strlen(path) + 1;
    tlen = strlen(w->token) + 1;
    if (plen + tlen > XENSTORE_PAYLOAD_MAX) {
        xn_log(XN_LOG_WARNING, "xenstore: connection %u: watch event on "
               "%s too long for the wire, dropped", w->conn->id, path);
        return;
    }
    xsd_conn_send(w->conn, XS_WATCH_EVENT, 0, 0, path, plen, w->token,
                  tlen);
}

void xsd_watch_initial(struct xsd *x, struct xsd_watch *w)
{
    deliver(x, w, w->path);
}

void xsd_watch_fire(struct xsd *x, const char *path, bool exact)
{
    bool special = path[0] == '@';

    for (struct xsd_watch *w = x->watches; w; w = w->next) {
        bool match;

        if (w->conn && (w->conn->dead || w->conn->closing))
            continue;
        if (exact || special)
            match = strcmp(w->path, path) == 0;
        else
            match = w->path[0] == '/' && xsd_path_is_child(path, w->path);
        if (match)
            deliver(x, w, path);
    }
}

void xsd_watch_deliver(struct xsd *x)
{
    struct xsd_owner_event *e = x->events, *next;

    /* Callbacks may queue more: those wait for the next round. */
    x->events = x->events_tail = NULL;
    for (; e; e = next) {
        struct xsd_watch *w;

        next = e->next;
        for (w = x->watches; w; w = w->next)
            if (w->id == e->watch_id)
                break;
        if (w && w->fn)
            w->fn(w->opaque, e->path, e->token);
        free(e);
    }
}

void xsd_watch_dispose(struct xsd *x)
{
    struct xsd_owner_event *e, *next;

    while (x->watches)
        unlink_free(x, x->watches);
    for (e = x->events; e; e = next) {
        next = e->next;
        free(e);
    }
    x->events = x->events_tail = NULL;
}
