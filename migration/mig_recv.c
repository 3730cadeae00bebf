/*
 * mig_recv.c - receiving a domain from another host: the destination's
 * side of the protocol (docs/migration.md).
 *
 *   connecting   an authenticated peer; its prepare is awaited
 *   preparing    checked (driver, name, UUID), NAME claimed, memory
 *                reserved through the start path's hold (start.h)
 *   streaming    ready sent; the image is fed to the restore
 *                (mig_recv_stream.c), which starts as NAME--incoming,
 *                paused
 *   restoring    end came; restored is sent once the domain exists
 *   switching    go came: renamed NAME, policy kept, unpaused (unless
 *                the sender asked otherwise), confirm sent
 * Any failure before go destroys what arrived (or drops the hold) and
 * tells the sender, whose source then runs on.
 */
#include "migration/migration.h"
#include "daemon/claims.h"
#include "domname.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void send_msg(struct mig *g, const struct mig_msg *out)
{
    struct xn_msg m;

    if (g->link && mig_link_send(g->link, out, &m) < 0)
        mig_recv_fail(g, XN_EIO, m.text);
}

static void destroyed(void *arg, int rc, const struct xn_msg *msg,
                      uint32_t domid)
{
    struct mig *g = arg;

    g->hv_busy = false;
    if (rc < 0)
        xn_log(XN_LOG_ERR, "migration %llu: cannot destroy the partial copy "
               "(domain %u): %s", (unsigned long long)g->id, domid,
               msg->text);
}

/* What arrived of the domain goes away. */
void mig_recv_discard(struct mig *g)
{
    struct xn_msg m;

    if (g->hold) {
        start_hold_drop(g->hold, NULL);
        g->hold = NULL;
    }
    if (g->restored && g->domid && !g->hv_busy) {
        g->hv_busy = true;
        if (hv_destroy(g->svc->d->hv, g->domid, destroyed, g, &m) < 0) {
            g->hv_busy = false;
            xn_log(XN_LOG_ERR, "migration %llu: cannot destroy the partial "
                   "copy (domain %u): %s", (unsigned long long)g->id,
                   g->domid, m.text);
        }
        g->restored = false;
    }
}

void mig_recv_fail(struct mig *g, int rc, const char *why)
{
    if (g->ended)
        return;
    if (g->phase == MIG_SWITCHING) {
        /* After go the domain is ours and runs here; only the
         * confirmation may be lost. */
        mig_link_free(g->link);
        g->link = NULL;
        mig_end(g, MIG_DONE, 0, "it runs here, but %.200s may not have "
                "its confirmation: %.200s", g->peer, why);
        return;
    }
    mig_say_no(g, g->phase <= MIG_PREPARING ? MIG_F_REFUSE : MIG_F_ABORT, rc,
           why);
    mig_end(g, MIG_FAILED, rc, "%s", why);
}

static void on_error(void *arg, int rc, const char *why)
{
    struct mig *g = arg;
    char m[XN_MSG_MAX];

    mig_link_free(g->link);
    g->link = NULL;
    snprintf(m, sizeof(m), "%.200s: %.250s", g->peer, why);
    mig_recv_fail(g, rc, m);
}

/* --- prepare --- */

static void held(void *arg, int rc, const struct xn_msg *msg)
{
    struct mig *g = arg;
    struct mig_msg r;
    struct xn_msg m;

    if (rc < 0) {
        g->hold = NULL;             /* the start path undid it */
        mig_recv_fail(g, rc, msg->text);
        return;
    }
    if ((rc = mig_recv_open_feed(g, &m)) < 0) {
        mig_recv_fail(g, rc, m.text);
        return;
    }
    mig_msg_init(&r, MIG_F_READY);
    snprintf(r.u.ready.domname, sizeof(r.u.ready.domname), "%.110s%s", g->name,
             MIG_SUFFIX_IN);
    mig_phase(g, MIG_STREAMING);
    if (!g->ended)
        send_msg(g, &r);
}

static int check_prepare(struct mig *g, const struct mig_prepare *p,
                         struct xn_msg *msg)
{
    struct daemon *d = g->svc->d;
    const char *driver = hv_driver(d->hv);
    struct hv_dominfo info;
    uint32_t domid;
    int rc;

    if (strcmp(p->stream, driver) != 0)
        return xn_msg_set(msg, XN_ENOTSUP, "%s runs the %s driver and "
                          "cannot restore a %s stream", g->svc->certs.host,
                          driver, p->stream);
    if ((rc = dom_name_check_str(p->name, msg)) < 0)
        return rc;
    if (strlen(p->name) + sizeof(MIG_SUFFIX_IN) > HV_NAME_MAX)
        return xn_msg_set(msg, XN_EINVAL, "the name %s is too long to "
                          "migrate", p->name);
    if (hv_dom_lookup(d->hv, p->name, &domid, NULL) == 0)
        return xn_msg_set(msg, XN_EEXIST, "a domain named %s exists on %s "
                          "already (id %u)", p->name, g->svc->certs.host,
                          domid);
    if (hv_dom_by_uuid(d->hv, p->uuid, &info, NULL) == 0)
        return xn_msg_set(msg, XN_EEXIST, "domain %s (id %u) on %s has the "
                          "same UUID", info.name, info.domid,
                          g->svc->certs.host);
    return 0;
}

static void on_prepare(struct mig *g, const struct mig_prepare *p)
{
    struct daemon *d = g->svc->d;
    char incoming[HV_NAME_MAX + sizeof(MIG_SUFFIX_IN)];
    struct xn_msg m;
    int rc;

    snprintf(g->name, sizeof(g->name), "%s", p->name);
    memcpy(g->uuid, p->uuid, 16);
    g->leave_paused = p->paused;
    g->npolicy = p->npolicy < MIG_POLICY_MAX ? p->npolicy : MIG_POLICY_MAX;
    memcpy(g->policy, p->policy, g->npolicy * sizeof(g->policy[0]));
    mig_phase(g, MIG_PREPARING);
    if (g->ended)
        return;
    if ((rc = check_prepare(g, p, &m)) < 0 ||
        (rc = claims_take(d->claims, d->hv, g->name, NULL, -1, &m)) < 0) {
        mig_recv_fail(g, rc, m.text);
        return;
    }
    g->name_claimed = true;
    snprintf(incoming, sizeof(incoming), "%s%s", g->name, MIG_SUFFIX_IN);
    if ((rc = start_hold(d, incoming, g->uuid, p->memory_kb, held, g,
                         &g->hold, &m)) < 0)
        mig_recv_fail(g, rc, m.text);
}

/* --- go --- */

static void keep_policy(struct mig *g)
{
    struct daemon *d = g->svc->d;
    struct hv_dominfo info;
    struct policy p;
    struct xn_msg m;

    if (!g->npolicy)
        return;
    policy_init(&p);
    for (size_t i = 0; i < g->npolicy; i++)
        policy_set(&p, g->policy[i].key, g->policy[i].value, NULL);
    policy_keys_canonicalize(d->keys, &p);
    if (policy_keys_check(d->keys, &p, &m) < 0 ||
        hv_dom_info(d->hv, g->domid, &info, &m) < 0 ||
        daemon_policy_store(d, &info, &p, &m) < 0)
        xn_log(XN_LOG_WARNING, "migration %llu: the policy of %s did not "
               "come along: %s", (unsigned long long)g->id, g->name, m.text);
}

static void on_go(struct mig *g, const struct mig_go *go)
{
    double heard = mig_now();
    struct daemon *d = g->svc->d;
    struct mig_msg c;
    struct xn_msg m;
    bool running = !g->leave_paused;
    int rc;

    if (g->phase != MIG_RESTORING || !g->restored_sent) {
        mig_recv_fail(g, XN_EPROTO, "go came before the domain was "
                      "restored");
        return;
    }
    /* From here the domain is ours: no failure destroys it. */
    g->restored = false;
    claims_drop(d->claims, g->name);
    g->name_claimed = false;
    if ((rc = daemon_dom_rename(d, g->domid, g->name, &m)) < 0)
        xn_log(XN_LOG_ERR, "migration %llu: %s stays named %s%s: %s",
               (unsigned long long)g->id, g->name, g->name, MIG_SUFFIX_IN,
               m.text);
    if (running && daemon_dom_unpause(d, g->domid, &m) < 0) {
        xn_log(XN_LOG_ERR, "migration %llu: %s stays paused: %s",
               (unsigned long long)g->id, g->name, m.text);
        running = false;
    }
    /* The source's part, then ours: both durations, each on its own
     * host's clock (the one-way delay of go is left out). */
    if (go->suspended_for_ms)
        g->downtime_ms = (int64_t)go->suspended_for_ms +
                         (int64_t)((mig_now() - heard) * 1e3);
    /* Once it runs: it is downtime no more. */
    keep_policy(g);
    mig_phase(g, MIG_SWITCHING);    /* a fault here loses the confirm */
    if (g->ended)
        return;
    mig_msg_init(&c, MIG_F_CONFIRM);
    c.u.confirm.running = running;
    c.u.confirm.domid = g->domid;
    c.u.confirm.downtime_ms = g->downtime_ms > 0 ? (uint64_t)g->downtime_ms
                                                 : 0;
    send_msg(g, &c);
    if (g->link) {
        mig_link_close_after(g->link, 5);
        g->link = NULL;
    }
    mig_end(g, MIG_DONE, 0, NULL);
}

static void on_msg(void *arg, const struct mig_msg *msg)
{
    struct mig *g = arg;
    char why[XN_MSG_MAX];

    if (g->ended)
        return;
    mig_wait_peer(g);
    switch (msg->type) {
    case MIG_F_PREPARE:
        if (g->phase != MIG_CONNECTING)
            mig_recv_fail(g, XN_EPROTO, "prepare came twice");
        else
            on_prepare(g, &msg->u.prepare);
        return;
    case MIG_F_END:
        mig_recv_end(g, msg->u.end.bytes);
        return;
    case MIG_F_PROGRESS:
        g->round = msg->u.progress.iteration;
        g->remaining = msg->u.progress.remaining;
        return;
    case MIG_F_GO:
        on_go(g, &msg->u.go);
        return;
    case MIG_F_ABORT:
        snprintf(why, sizeof(why), "%.200s gave up: %.250s", g->peer,
                 msg->u.refuse.reason);
        mig_link_free(g->link);
        g->link = NULL;
        mig_end(g, MIG_FAILED, msg->u.refuse.code, "%s", why);
        return;
    default:
        snprintf(why, sizeof(why), "%.200s sent an unexpected %s", g->peer,
                 mig_ftype_name(msg->type));
        mig_recv_fail(g, XN_EPROTO, why);
    }
}

void mig_incoming(void *arg, uint64_t id, const char *peer, const char *addr,
                  int fd)
{
    static const struct mig_link_cbs cbs = {
        .msg = on_msg,
        .data = mig_recv_data,
        .error = on_error,
        .drained = NULL,
    };
    struct migration *m = arg;
    struct mig *g = mig_new(m, MIG_IN);
    struct xn_msg msg;

    m->incoming_seen++;
    if (!g) {
        close(fd);
        return;
    }
    g->relay_id = id;
    snprintf(g->peer, sizeof(g->peer), "%s", peer);
    snprintf(g->addr, sizeof(g->addr), "%s", addr);
    snprintf(g->name, sizeof(g->name), "?");
    if (mig_link_new(m->d->base, fd, &cbs, g, &g->link, &msg) < 0) {
        mig_end(g, MIG_FAILED, XN_ENOMEM, "%s", msg.text);
        return;
    }
    g->phase = MIG_CONNECTING;
    mig_wait_peer(g);
    mig_fault_inject(g);            /* a test's, still connecting */
}

void mig_recv_teardown(struct mig *g)
{
    struct daemon *d = g->svc->d;

    if (g->phase != MIG_DONE)
        mig_recv_discard(g);
    if (g->name_claimed) {
        claims_drop(d->claims, g->name);
        g->name_claimed = false;
    }
    if (g->link) {
        mig_link_free(g->link);
        g->link = NULL;
    }
    mig_recv_close_feed(g);
}
