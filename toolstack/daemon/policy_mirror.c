/* policy_mirror.c - policy files read as the services name their keys, and
 * copied into xenstore (policy_mirror.h). */
#include "daemon/policy_mirror.h"
#include "daemon/bus.h"
#include "daemon/daemon.h"
#include "daemon/policy_keys.h"
#include "log.h"
#include "xsc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct policy_mirror {
    struct daemon *d;
    struct bus_sub *sub;
};

int daemon_policy_load(struct daemon *d, const uint8_t uuid[16],
                       struct policy *p, struct xn_msg *msg)
{
    int rc = policy_load(d->state_dir, uuid, p, msg);

    if (rc == XN_ENOENT) {
        policy_init(p);
        return 0;
    }
    if (rc == 0)
        policy_keys_canonicalize(d->keys, p);
    return rc;
}

int daemon_policy_store(struct daemon *d, const struct hv_dominfo *info,
                        const struct policy *p, struct xn_msg *msg)
{
    struct bus_event ev;
    int rc = policy_save(d->state_dir, info->uuid, info->name, p, msg);

    if (rc < 0)
        return rc;
    bus_event_init(&ev, BUS_DOM_POLICY, info);
    ev.detail = policy_to_json(p);
    bus_publish(d->bus, &ev);
    return 0;
}

struct mirror_job {
    struct daemon *d;
    const uint8_t *uuid;
    const struct policy *p;
};


struct key_walk {
    struct xsc *x;
    const uint8_t *uuid;
    const struct policy *p;
    int rc;
    struct xn_msg *msg;
};

/* xenstore paths have no '.': "balloon.min" is policy/balloon/min. */
static void node_of(const char *key, char *buf, size_t len)
{
    snprintf(buf, len, "policy/%s", key);
    for (char *p = buf; *p; p++)
        if (*p == '.')
            *p = '/';
}

/* Every key a service owns is written when set and removed when not (its
 * legacy name too, as older daemons wrote it); keys of services that are
 * not running are left as they are. */
static void mirror_key(void *arg, const char *service,
                       const struct policy_key *k)
{
    struct key_walk *w = arg;
    char path[XSC_PATH_MAX], key[POLICY_KEY_MAX + 8];
    const char *v = policy_get(w->p, k->name);

    (void)service;
    if (w->rc < 0)
        return;
    node_of(k->name, key, sizeof(key));
    xsc_xenith_path(path, w->uuid, key);
    w->rc = v ? xsc_write_str(w->x, path, v, w->msg)
              : xsc_rm(w->x, path, w->msg);
    if (w->rc == 0 && k->legacy) {
        node_of(k->legacy, key, sizeof(key));
        xsc_xenith_path(path, w->uuid, key);
        w->rc = xsc_rm(w->x, path, w->msg);
    }
}

static int mirror_body(struct xsc *x, void *arg, struct xn_msg *msg)
{
    struct mirror_job *j = arg;
    struct key_walk w = {x, j->uuid, j->p, 0, msg};

    policy_keys_each(j->d->keys, mirror_key, &w);
    return w.rc;
}

/* Bring the domain's xenstore copy in line; a failure is logged, not
 * fatal: the state file is the record. */
static void mirror_domain(struct daemon *d, uint32_t domid,
                          const uint8_t uuid[16], const char *name)
{
    struct policy p;
    struct xn_msg msg;
    struct mirror_job j = {d, uuid, &p};
    int rc;

    if (!d->store)
        return;
    rc = policy_load(d->state_dir, uuid, &p, &msg);
    if (rc == XN_ENOENT)
        return;                     /* nothing set, nothing to mirror */
    if (rc < 0) {
        xn_log(XN_LOG_WARNING, "policy of %s (id %u): %s", name, domid,
               msg.text);
        return;
    }
    policy_keys_canonicalize(d->keys, &p);
    if (xsc_transaction(d->store, mirror_body, &j, 10, &msg) < 0)
        xn_log(XN_LOG_WARNING, "policy of %s (id %u) not mirrored to "
               "xenstore: %s", name, domid, msg.text);
}

static void on_event(void *arg, const struct bus_event *ev)
{
    struct policy_mirror *m = arg;
    mirror_domain(m->d, ev->domid, ev->uuid, ev->name);
}

int policy_mirror_open(struct daemon *d, struct policy_mirror **m_r)
{
    struct policy_mirror *m = calloc(1, sizeof(*m));
    struct hv_dominfo *list;
    size_t n;

    *m_r = NULL;
    if (!m)
        return XN_ENOMEM;
    m->d = d;
    m->sub = bus_subscribe(d->bus, BUS_DOM_ARRIVALS |
                           BUS_MASK(BUS_DOM_POLICY), on_event, m);
    if (!m->sub) {
        free(m);
        return XN_ENOMEM;
    }
    /* The state directory wins: a fresh store gets every file's copy. */
    if (hv_dom_list(d->hv, &list, &n, NULL) == 0) {
        for (size_t i = 0; i < n; i++)
            mirror_domain(d, list[i].domid, list[i].uuid, list[i].name);
        free(list);
    }
    *m_r = m;
    return 0;
}

void policy_mirror_close(struct policy_mirror *m)
{
    if (!m)
        return;
    bus_unsubscribe(m->d->bus, m->sub);
    free(m);
}
