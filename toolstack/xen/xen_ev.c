/*
 * xen_ev.c - the domains the driver knows and their events.
 *
 * Every known domain other than 0 has a libxl death watch
 * (libxl_evenable_domain_death).  libxl's DOMAIN_SHUTDOWN and DOMAIN_DEATH
 * events arrive in ev_occurs (xen_ev_hooks) and become HV_EV_SHUTDOWN and
 * HV_EV_DEATH.  A domain first seen in a listing (e.g. made by xl) becomes
 * known and yields one HV_EV_NEW.
 *
 * hv events are queued and handed to the owner from a deferred libevent
 * callback, so the owner never sees one from inside a driver call (a
 * listing, or a libxl call that happens to process events).
 */
#include "xen_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "log.h"

/* A known domain.  Owned by drv->doms. */
struct xen_dom {
    struct xen_dom *next;
    uint32_t domid;
    uint8_t uuid[16];
    char name[HV_NAME_MAX];
    libxl_evgen_domain_death *evgen;    /* NULL for domain 0 */
    bool foreign;                       /* made by another toolstack */
};

/* The userdata id that marks a domain as made by xenith. */
#define XEN_MARK "xenith"

/* Does the domain carry xenith's mark? */
static bool dom_marked(struct xen_drv *drv, uint32_t domid)
{
    uint8_t *data = NULL;
    int len = 0;
    bool marked;

    marked = libxl_userdata_retrieve(drv->ctx, domid, XEN_MARK, &data,
                                     &len) == 0 && data && len > 0;
    free(data);
    return marked;
}

/* A queued hv event.  Owned by the drv's queue. */
struct xen_evq {
    struct xen_evq *next;
    struct hv_event ev;
};

static struct xen_dom *dom_find(struct xen_drv *drv, uint32_t domid)
{
    for (struct xen_dom *d = drv->doms; d; d = d->next)
        if (d->domid == domid)
            return d;
    return NULL;
}

static void dom_unlink(struct xen_drv *drv, struct xen_dom *dom)
{
    for (struct xen_dom **pp = &drv->doms; *pp; pp = &(*pp)->next)
        if (*pp == dom) {
            *pp = dom->next;
            break;
        }
}

static void dom_free(struct xen_drv *drv, struct xen_dom *dom)
{
    if (dom->evgen)
        libxl_evdisable_domain_death(drv->ctx, dom->evgen);
    free(dom);
}

/* --- the queue of hv events --- */

static void evq_deliver(evutil_socket_t fd, short what, void *arg)
{
    struct xen_drv *drv = arg;
    struct xen_evq *q;

    (void)fd;
    (void)what;
    /* One event per turn, and nothing of drv touched after hv_emit: the
     * owner may call the driver from its callback, even hv_close. */
    q = drv->evq_head;
    if (!q)
        return;
    drv->evq_head = q->next;
    if (!drv->evq_head)
        drv->evq_tail = &drv->evq_head;
    else
        event_active(drv->evq_ev, EV_TIMEOUT, 1);
    hv_emit(drv->hv, &q->ev);
    free(q);
}

static void evq_push(struct xen_drv *drv, enum hv_event_type type,
                     const struct xen_dom *dom, uint32_t domid,
                     enum hv_shutdown reason)
{
    struct xen_evq *q = calloc(1, sizeof(*q));

    if (!q) {
        xn_log(XN_LOG_ERR, "xen: out of memory: an event of domain %u is "
               "lost", domid);
        return;
    }
    q->ev.type = type;
    q->ev.domid = domid;
    q->ev.reason = reason;
    if (dom) {
        memcpy(q->ev.uuid, dom->uuid, sizeof(q->ev.uuid));
        snprintf(q->ev.name, sizeof(q->ev.name), "%s", dom->name);
    }
    *drv->evq_tail = q;
    drv->evq_tail = &q->next;
    event_active(drv->evq_ev, EV_TIMEOUT, 1);
}

int xen_ev_init(struct xen_drv *drv)
{
    drv->evq_tail = &drv->evq_head;
    drv->evq_ev = event_new(drv->hv->base, -1, 0, evq_deliver, drv);
    return drv->evq_ev ? 0 : XN_ENOMEM;
}

/* --- known domains --- */

/* Fill name and uuid of a domain from libxl; false when it is gone. */
static bool dom_fetch(struct xen_drv *drv, struct xen_dom *dom)
{
    libxl_dominfo info;
    char *name;
    bool ok;

    libxl_dominfo_init(&info);
    ok = libxl_domain_info(drv->ctx, &info, dom->domid) == 0;
    if (ok)
        memcpy(dom->uuid, libxl_uuid_bytearray(&info.uuid),
               sizeof(dom->uuid));
    libxl_dominfo_dispose(&info);
    name = libxl_domid_to_name(drv->ctx, dom->domid);
    if (name)
        snprintf(dom->name, sizeof(dom->name), "%s", name);
    free(name);
    return ok;
}

/* Add `domid` to the known list with a death watch; NULL on failure. */
static struct xen_dom *dom_add(struct xen_drv *drv, uint32_t domid)
{
    struct xen_dom *dom = calloc(1, sizeof(*dom));
    int lrc;

    if (!dom)
        return NULL;
    dom->domid = domid;
    if (domid != 0) {
        lrc = libxl_evenable_domain_death(drv->ctx, domid, domid,
                                          &dom->evgen);
        if (lrc) {
            xn_log(XN_LOG_ERR, "xen: cannot watch domain %u for death "
                   "(libxl error %d)", domid, lrc);
            free(dom);
            return NULL;
        }
    }
    dom->next = drv->doms;
    drv->doms = dom;
    return dom;
}

/* Mark the domain as xenith's: a restarted daemon takes it for its own. */
static void mark_ours(struct xen_drv *drv, uint32_t domid)
{
    static const uint8_t mark[] = "made by xenith\n";

    if (libxl_userdata_store(drv->ctx, domid, XEN_MARK, mark,
                             (int)sizeof(mark) - 1))
        xn_log(XN_LOG_WARNING, "xen: cannot mark domain %u as xenith's; a "
               "restarted daemon will take it for foreign", domid);
}

int xen_dom_adopt(struct xen_drv *drv, uint32_t domid)
{
    struct xen_dom *dom = dom_find(drv, domid);

    mark_ours(drv, domid);
    if (!dom)
        dom = dom_add(drv, domid);
    if (!dom)
        return XN_ENOMEM;
    dom->foreign = false;
    dom_fetch(drv, dom);
    return 0;
}

bool xen_dom_foreign(struct xen_drv *drv, uint32_t domid)
{
    struct xen_dom *dom = dom_find(drv, domid);
    return dom && dom->foreign;
}

void xen_dom_seen(struct xen_drv *drv, uint32_t domid, const uint8_t *uuid,
                  const char *name)
{
    struct xen_dom *dom = dom_find(drv, domid);

    if (dom && memcmp(dom->uuid, uuid, sizeof(dom->uuid)) != 0) {
        /* Same id, another domain: the old one died unseen. */
        dom_unlink(drv, dom);
        dom_free(drv, dom);
        dom = NULL;
    }
    if (!dom) {
        if (xen_op_creating(drv, domid, uuid)) {
            /* Adopted when its create completes; marked at once, so that
             * a daemon killed before then (in a long restore: an incoming
             * migration) leaves it to the next as its own. */
            if (!dom_marked(drv, domid))
                mark_ours(drv, domid);
            return;
        }
        if (domid != 0 && !(name && *name))
            return;     /* another toolstack is still building it: its name
                         * comes with its xenstore entries, and
                         * @introduceDomain lists it again once built */
        dom = dom_add(drv, domid);
        if (!dom)
            return;
        memcpy(dom->uuid, uuid, sizeof(dom->uuid));
        if (name && *name)
            snprintf(dom->name, sizeof(dom->name), "%s", name);
        dom->foreign = domid != 0 && !dom_marked(drv, domid);
        if (domid != 0)
            evq_push(drv, HV_EV_NEW, dom, domid, HV_SHUTDOWN_NONE);
        return;
    }
    /* A dying domain's name is gone from the store: keep the one known,
     * for its death event. */
    if (name && *name)
        snprintf(dom->name, sizeof(dom->name), "%s", name);
}

void xen_dom_rearm(struct xen_drv *drv, uint32_t domid)
{
    struct xen_dom *dom = dom_find(drv, domid);
    libxl_evgen_domain_death *evgen = NULL;

    if (!dom || domid == 0)
        return;
    /* New watch first, so there is no moment without one. */
    if (libxl_evenable_domain_death(drv->ctx, domid, domid, &evgen)) {
        xn_log(XN_LOG_WARNING, "xen: cannot re-arm the death watch of "
               "domain %u; its next shutdown may go unreported", domid);
        return;
    }
    if (dom->evgen)
        libxl_evdisable_domain_death(drv->ctx, dom->evgen);
    dom->evgen = evgen;
}

void xen_dom_renamed(struct xen_drv *drv, uint32_t domid, const char *name)
{
    struct xen_dom *dom = dom_find(drv, domid);
    if (dom)
        snprintf(dom->name, sizeof(dom->name), "%s", name);
}

void xen_dom_forget_all(struct xen_drv *drv)
{
    struct xen_evq *q;

    while (drv->doms) {
        struct xen_dom *dom = drv->doms;
        drv->doms = dom->next;
        dom_free(drv, dom);
    }
    while ((q = drv->evq_head)) {
        drv->evq_head = q->next;
        free(q);
    }
    drv->evq_tail = &drv->evq_head;
    if (drv->evq_ev) {
        event_free(drv->evq_ev);
        drv->evq_ev = NULL;
    }
}

const char *xen_subject(struct xen_drv *drv, uint32_t domid, char *buf)
{
    struct xen_dom *dom = dom_find(drv, domid);
    /* Ask libxl first: another toolstack may have renamed it. */
    char *name = libxl_domid_to_name(drv->ctx, domid);

    if (name && *name)
        snprintf(buf, XEN_SUBJ_MAX, "domain %u (%s)", domid, name);
    else if (dom && dom->name[0])
        snprintf(buf, XEN_SUBJ_MAX, "domain %u (%s)", domid, dom->name);
    else
        snprintf(buf, XEN_SUBJ_MAX, "domain %u", domid);
    free(name);
    return buf;
}

int xen_dom_check(struct xen_drv *drv, uint32_t domid, char *subj,
                  struct xn_msg *msg)
{
    int lrc = libxl_domain_info(drv->ctx, NULL, domid);

    if (lrc == ERROR_DOMAIN_NOTFOUND) {
        snprintf(subj, XEN_SUBJ_MAX, "domain %u", domid);
        return xn_msg_set(msg, XN_ENOENT, "no domain with id %u", domid);
    }
    xen_subject(drv, domid, subj);
    if (lrc)
        return xen_fail(drv, msg, lrc, "%s: cannot read its state", subj);
    return 0;
}

/* --- libxl's events --- */

enum hv_shutdown xen_reason_from_libxl(int reason)
{
    switch (reason) {
    case LIBXL_SHUTDOWN_REASON_POWEROFF: return HV_SHUTDOWN_POWEROFF;
    case LIBXL_SHUTDOWN_REASON_REBOOT: return HV_SHUTDOWN_REBOOT;
    case LIBXL_SHUTDOWN_REASON_SUSPEND: return HV_SHUTDOWN_SUSPEND;
    case LIBXL_SHUTDOWN_REASON_CRASH: return HV_SHUTDOWN_CRASH;
    case LIBXL_SHUTDOWN_REASON_WATCHDOG: return HV_SHUTDOWN_WATCHDOG;
    case LIBXL_SHUTDOWN_REASON_SOFT_RESET: return HV_SHUTDOWN_SOFT_RESET;
    default: return HV_SHUTDOWN_NONE;
    }
}

static void ev_occurs(void *user, libxl_event *event)
{
    struct xen_drv *drv = user;
    uint32_t domid = event->domid;
    struct xen_dom *dom = dom_find(drv, domid);

    switch (event->type) {
    case LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN: {
        int reason = event->u.domain_shutdown.shutdown_reason;
        xn_log(XN_LOG_INFO, "xen: domain %u shut down (%s)", domid,
               hv_shutdown_name(xen_reason_from_libxl(reason)));
        evq_push(drv, HV_EV_SHUTDOWN, dom, domid,
                 xen_reason_from_libxl(reason));
        break;
    }
    case LIBXL_EVENT_TYPE_DOMAIN_DEATH:
        xn_log(XN_LOG_INFO, "xen: domain %u is gone", domid);
        evq_push(drv, HV_EV_DEATH, dom, domid, HV_SHUTDOWN_NONE);
        if (dom) {
            dom_unlink(drv, dom);
            dom_free(drv, dom);
        }
        break;
    default:
        xn_log(XN_LOG_DEBUG, "xen: ignored libxl event type %d of domain %u",
               (int)event->type, domid);
        break;
    }
    libxl_event_free(drv->ctx, event);
}

static void ev_disaster(void *user, libxl_event_type type, const char *msg,
                        int errnoval)
{
    (void)user;
    /* libxl may not be called from here.  Events of `type` (0: any) may
     * be lost from now on. */
    xn_log(XN_LOG_ERR, "xen: libxl lost events (type %d): %s (errno %d)",
           (int)type, msg, errnoval);
}

const libxl_event_hooks xen_ev_hooks = {
    .event_occurs_mask = LIBXL_EVENTMASK_ALL,
    .event_occurs = ev_occurs,
    .disaster = ev_disaster,
};
