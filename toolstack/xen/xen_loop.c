/*
 * xen_loop.c - libxl's file descriptors and timeouts as libevent events on
 * the daemon's loop (libxl_osevent_register_hooks).
 *
 * libxl asks through the hooks; when libevent says an fd is ready or a
 * timeout is due, the callback reports it to libxl with
 * libxl_osevent_occurred_fd/_timeout.  Those calls are made only from
 * libevent callbacks, never from inside a hook (libxl forbids re-entry).
 * Nothing here polls.
 */
#include "xen_priv.h"

#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <event2/event.h>

#include "log.h"

/* One registration: an fd or a timeout.  Owned by the loop's list from
 * register to deregister (fd) or to its firing (timeout). */
struct xen_reg {
    struct xen_reg *next, **pprev;
    struct xen_loop *loop;
    struct event *ev;
    void *for_libxl;
    int fd;                 /* -1 for a timeout */
    short events;           /* poll(2) bits libxl asked for */
    bool always;            /* a regular file: always ready */
};

struct xen_loop {
    struct event_base *base;    /* not owned */
    libxl_ctx *ctx;             /* not owned */
    struct xen_reg *regs;
};

static void reg_link(struct xen_loop *loop, struct xen_reg *r)
{
    r->loop = loop;
    r->next = loop->regs;
    if (r->next)
        r->next->pprev = &r->next;
    r->pprev = &loop->regs;
    loop->regs = r;
}

static void reg_free(struct xen_reg *r)
{
    if (!r)
        return;
    if (r->pprev) {
        *r->pprev = r->next;
        if (r->next)
            r->next->pprev = r->pprev;
    }
    if (r->ev)
        event_free(r->ev);
    free(r);
}

/* --- fds --- */

static short poll_to_ev(short events)
{
    short what = 0;
    if (events & (POLLIN | POLLPRI))
        what |= EV_READ;
    if (events & POLLOUT)
        what |= EV_WRITE;
    return what;
}

static void fd_ready(evutil_socket_t fd, short what, void *arg)
{
    struct xen_reg *r = arg;
    libxl_ctx *ctx = r->loop->ctx;
    void *for_libxl = r->for_libxl;
    short events = r->events;
    short revents = 0;

    /* libevent cannot tell urgent data (POLLPRI) from plain readability,
     * and libxl takes POLLPRI as an error on pipes: report POLLIN only. */
    if (what & EV_READ)
        revents |= POLLIN;
    if (what & EV_WRITE)
        revents |= POLLOUT;
    /* libxl may deregister (free r) inside this call: use only copies. */
    libxl_osevent_occurred_fd(ctx, for_libxl, (int)fd, events, revents);
}

/* A regular file is always ready, as poll(2) says, but epoll refuses it
 * (EPERM) and libxl gives it to us: the save image's fd.  Report it ready
 * on every turn of the loop while libxl asks for it. */
static void fd_always(evutil_socket_t fd, short what, void *arg)
{
    struct xen_reg *r = arg;
    libxl_ctx *ctx = r->loop->ctx;
    void *for_libxl = r->for_libxl;
    short events = r->events;

    (void)fd;
    (void)what;
    libxl_osevent_occurred_fd(ctx, for_libxl, r->fd, events,
                              events & (POLLIN | POLLOUT));
}

/* (Re)arm r's event for `events`; 0 on success. */
static int fd_arm(struct xen_reg *r, short events)
{
    static const struct timeval now = {0, 0};
    struct event *ev = NULL;
    short what = poll_to_ev(events);

    if (what && r->always) {
        ev = event_new(r->loop->base, -1, EV_PERSIST, fd_always, r);
        if (!ev || event_add(ev, &now) < 0) {
            if (ev)
                event_free(ev);
            return ERROR_OSEVENT_REG_FAIL;
        }
    } else if (what) {
        ev = event_new(r->loop->base, r->fd, what | EV_PERSIST, fd_ready, r);
        if (!ev || event_add(ev, NULL) < 0) {
            if (ev)
                event_free(ev);
            return ERROR_OSEVENT_REG_FAIL;
        }
    }
    if (r->ev)
        event_free(r->ev);
    r->ev = ev;
    r->events = events;
    return 0;
}

static int hook_fd_register(void *user, int fd, void **reg_out, short events,
                            void *for_libxl)
{
    struct xen_loop *loop = user;
    struct xen_reg *r = calloc(1, sizeof(*r));
    struct stat st;

    if (!r)
        return ERROR_OSEVENT_REG_FAIL;
    r->loop = loop;
    r->fd = fd;
    r->always = fstat(fd, &st) == 0 &&
                (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
    r->for_libxl = for_libxl;
    if (fd_arm(r, events) != 0) {
        free(r);
        return ERROR_OSEVENT_REG_FAIL;
    }
    reg_link(loop, r);
    *reg_out = r;
    return 0;
}

static int hook_fd_modify(void *user, int fd, void **reg_update, short events)
{
    struct xen_reg *r = *reg_update;
    (void)user;
    (void)fd;
    return fd_arm(r, events);
}

static void hook_fd_deregister(void *user, int fd, void *reg)
{
    (void)user;
    (void)fd;
    reg_free(reg);
}

/* --- timeouts --- */

static void timeout_fired(evutil_socket_t fd, short what, void *arg)
{
    struct xen_reg *r = arg;
    libxl_ctx *ctx = r->loop->ctx;
    void *for_libxl = r->for_libxl;

    (void)fd;
    (void)what;
    /* libxl treats a timeout as deregistered once it is reported. */
    reg_free(r);
    libxl_osevent_occurred_timeout(ctx, for_libxl);
}

static struct timeval until(struct timeval abs)
{
    struct timeval now, rel = {0, 0};

    gettimeofday(&now, NULL);
    if (timercmp(&abs, &now, >))
        timersub(&abs, &now, &rel);
    return rel;
}

static int hook_timeout_register(void *user, void **reg_out,
                                 struct timeval abs, void *for_libxl)
{
    struct xen_loop *loop = user;
    struct xen_reg *r = calloc(1, sizeof(*r));
    struct timeval rel = until(abs);

    if (!r)
        return ERROR_OSEVENT_REG_FAIL;
    r->fd = -1;
    r->for_libxl = for_libxl;
    r->ev = evtimer_new(loop->base, timeout_fired, r);
    if (!r->ev || evtimer_add(r->ev, &rel) < 0) {
        if (r->ev)
            event_free(r->ev);
        free(r);
        return ERROR_OSEVENT_REG_FAIL;
    }
    reg_link(loop, r);
    *reg_out = r;
    return 0;
}

/* libxl only ever asks for "now" ({0,0}). */
static int hook_timeout_modify(void *user, void **reg_update,
                               struct timeval abs)
{
    struct xen_reg *r = *reg_update;
    struct timeval rel = until(abs);

    (void)user;
    if (evtimer_add(r->ev, &rel) < 0)
        return ERROR_OSEVENT_REG_FAIL;
    return 0;
}

/* Never called by libxl (its header says so); kept for completeness. */
static void hook_timeout_deregister(void *user, void *reg)
{
    (void)user;
    reg_free(reg);
}

const libxl_osevent_hooks xen_loop_hooks = {
    .fd_register = hook_fd_register,
    .fd_modify = hook_fd_modify,
    .fd_deregister = hook_fd_deregister,
    .timeout_register = hook_timeout_register,
    .timeout_modify = hook_timeout_modify,
    .timeout_deregister = hook_timeout_deregister,
};

struct xen_loop *xen_loop_new(struct event_base *base)
{
    struct xen_loop *loop = calloc(1, sizeof(*loop));
    if (loop)
        loop->base = base;
    return loop;
}

void xen_loop_attach(struct xen_loop *loop, libxl_ctx *ctx)
{
    loop->ctx = ctx;
}

void xen_loop_free(struct xen_loop *loop)
{
    unsigned n = 0;

    if (!loop)
        return;
    /* After libxl_ctx_free nothing should be left; after a ctx was
     * abandoned with operations in flight, drop its registrations. */
    while (loop->regs) {
        reg_free(loop->regs);
        n++;
    }
    if (n)
        xn_log(XN_LOG_DEBUG, "xen: dropped %u libxl event registrations", n);
    free(loop);
}
