/*
 * mig_send.c - sending a domain to another host: the source's side of the
 * protocol (docs/migration.md).
 *
 *   connecting   the peer's address, the relay's TLS connection and hello
 *   preparing    prepare sent; the peer reserves memory (ready or refuse)
 *   streaming    the live save through the relay (mig_send_stream.c)
 *   restoring    end sent; the peer restores the domain, paused
 *   switching    the source renamed NAME--migratedaway, go sent; the peer
 *                unpauses and confirms; the source is destroyed
 * Before go, any failure resumes the source (the stream path does) and the
 * peer destroys what it has.  After go the source never runs again by
 * itself: without a confirmation it stays paused and the migration is
 * "unconfirmed" until the admin recovers it (mig_recover).
 */
#include "migration/migration.h"
#include "daemon/ops.h"
#include "log.h"
#include "proto.h"
#include "utf8.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the client asked, checked before anything happens. */
static int parse_args(struct migration *m, struct json_object *args,
                      struct mig_send_args *a, struct xn_msg *msg)
{
    const char *host;
    int64_t port = MIG_DEFAULT_PORT, level = 0, bw = 0;
    int rc;

    memset(a, 0, sizeof(*a));
    if ((rc = proto_arg_string(args, "host", true, &host, msg)) < 0 ||
        (rc = proto_arg_int(args, "port", false, 1, 65535, &port,
                            msg)) < 0 ||
        (rc = proto_arg_int(args, "compress", false, 0, 19, &level,
                            msg)) < 0 ||
        (rc = proto_arg_int(args, "bandwidth", false, 0, INT64_MAX, &bw,
                            msg)) < 0 ||
        (rc = proto_arg_bool(args, "paused", &a->paused, msg)) < 0)
        return rc;
    if (!mig_host_valid(host)) {
        char q[80];
        xn_quote(host, strlen(host), 60, q, sizeof(q));
        return xn_msg_set(msg, XN_EINVAL, "\"%s\" is not a host name or an "
                          "IP address", q);
    }
    snprintf(a->host, sizeof(a->host), "%s", host);
    a->port = (unsigned)port;
    a->compress = (int)level;
    a->bandwidth = (uint64_t)bw;
    return 0;
}

/* --- the peer's messages --- */

static void send_msg(struct mig *g, const struct mig_msg *out)
{
    struct xn_msg m;

    if (g->link && mig_link_send(g->link, out, &m) < 0)
        mig_send_on_error(g, XN_EIO, m.text);
}

void mig_send_on_error(void *arg, int rc, const char *why)
{
    struct mig *g = arg;

    if (g->ended)
        return;
    if (g->go_sent) {
        /* After go: the source stays as it is, paused. */
        mig_link_free(g->link);
        g->link = NULL;
        mig_end(g, MIG_UNCONFIRMED, rc, "no confirmation from %s after go "
                "(%s); the source copy %s%s stays paused", g->peer, why,
                g->name, MIG_SUFFIX_AWAY);
        return;
    }
    if (!g->error[0])
        snprintf(g->error, sizeof(g->error), "%s", why);
    g->rc = rc;
    mig_say_no(g, MIG_F_ABORT, rc, why);
    if (g->phase >= MIG_STREAMING) {
        /* The stream path resumes the domain and ends us. */
        mig_send_stream_fail(g, rc, why);
        return;
    }
    mig_end(g, MIG_FAILED, rc, "%s", why);
}

static void on_ready(struct mig *g)
{
    struct xn_msg m;
    int rc;

    mig_phase(g, MIG_STREAMING);
    if (g->ended)
        return;
    if ((rc = mig_send_stream(g, &m)) < 0)
        mig_send_on_error(g, rc, m.text);
}

static void on_restored(struct mig *g, const struct mig_restored *r)
{
    char away[sizeof(g->name) + sizeof(MIG_SUFFIX_AWAY)];
    struct mig_msg go;
    struct xn_msg m;
    int rc;

    if (g->phase != MIG_RESTORING) {
        mig_send_on_error(g, XN_EPROTO, "restored came before the stream "
                          "ended");
        return;
    }
    /* Out of the way: of two migrations of one domain at most one renames
     * it. */
    snprintf(away, sizeof(away), "%s%s", g->name, MIG_SUFFIX_AWAY);
    if ((rc = daemon_dom_rename(g->svc->d, g->domid, away, &m)) < 0) {
        mig_send_on_error(g, rc, m.text);
        return;
    }
    g->renamed = true;
    mig_msg_init(&go, MIG_F_GO);
    if (g->suspended_ns) {
        double since = mig_now() - (double)g->suspended_ns / 1e9;
        go.u.go.suspended_for_ms = since > 0 ? (uint64_t)(since * 1e3) : 0;
    }
    g->go_sent = true;          /* from here the rules after go hold */
    mig_phase(g, MIG_SWITCHING);
    if (!g->ended)
        send_msg(g, &go);
    /* The stream is safe whatever comes next: the source stays
     * suspended. */
    mig_send_stream_commit(g);
    (void)r;
}

static void destroyed(void *arg, int rc, const struct xn_msg *msg,
                      uint32_t domid)
{
    struct mig *g = arg;

    (void)domid;
    g->hv_busy = false;
    if (rc < 0)
        mig_end(g, MIG_DONE, 0, "it runs on %s; destroying the source copy "
                "failed: %s", g->peer, msg->text);
    else
        mig_end(g, MIG_DONE, 0, NULL);
}

static void on_confirm(struct mig *g, const struct mig_confirm *c)
{
    struct xn_msg m;

    if (!g->go_sent) {
        mig_send_on_error(g, XN_EPROTO, "confirm came before go");
        return;
    }
    g->downtime_ms = (int64_t)c->downtime_ms;
    mig_link_close_after(g->link, 5);
    g->link = NULL;
    g->hv_busy = true;
    if (hv_destroy(g->svc->d->hv, g->domid, destroyed, g, &m) < 0) {
        g->hv_busy = false;
        mig_end(g, MIG_DONE, 0, "it runs on %s; destroying the source copy "
                "failed: %s", g->peer, m.text);
    }
}

void mig_send_on_msg(void *arg, const struct mig_msg *msg)
{
    struct mig *g = arg;

    if (g->ended)
        return;
    mig_wait_peer(g);
    switch (msg->type) {
    case MIG_F_READY:
        if (g->phase != MIG_PREPARING)
            mig_send_on_error(g, XN_EPROTO, "ready came twice");
        else
            on_ready(g);
        break;
    case MIG_F_REFUSE:
    case MIG_F_ABORT: {
        char why[XN_MSG_MAX];
        snprintf(why, sizeof(why), "%.200s refused: %.300s", g->peer,
                 msg->u.refuse.reason);
        mig_send_on_error(g, msg->u.refuse.code, why);
        break;
    }
    case MIG_F_RESTORED:
        on_restored(g, &msg->u.restored);
        break;
    case MIG_F_CONFIRM:
        on_confirm(g, &msg->u.confirm);
        break;
    default: {
        char why[XN_MSG_MAX];
        snprintf(why, sizeof(why), "%.200s sent an unexpected %s", g->peer,
                 mig_ftype_name(msg->type));
        mig_send_on_error(g, XN_EPROTO, why);
    }
    }
}

static void on_data(void *arg, struct evbuffer *payload)
{
    struct mig *g = arg;
    char why[XN_MSG_MAX];

    (void)payload;
    snprintf(why, sizeof(why), "%.200s sent stream data to the sender", g->peer);
    mig_send_on_error(g, XN_EPROTO, why);
}

/* --- connecting --- */

static int send_prepare(struct mig *g, struct xn_msg *msg)
{
    struct daemon *d = g->svc->d;
    libxl_domain_config cfg;
    struct policy pol;
    struct mig_msg p;
    int rc;

    mig_msg_init(&p, MIG_F_PREPARE);
    snprintf(p.u.prepare.name, sizeof(p.u.prepare.name), "%s", g->name);
    memcpy(p.u.prepare.uuid, g->uuid, 16);
    p.u.prepare.live = true;
    p.u.prepare.paused = g->leave_paused;
    snprintf(p.u.prepare.stream, sizeof(p.u.prepare.stream), "%s",
             hv_driver(d->hv));
    libxl_domain_config_init(&cfg);
    rc = hv_dom_config(d->hv, g->domid, &cfg, msg);
    if (rc == 0)
        rc = hv_need_memory(d->hv, &cfg, &p.u.prepare.memory_kb, msg);
    if (rc == 0)
        rc = hv_config_json(d->hv, &cfg, &p.u.prepare.config_json, msg);
    libxl_domain_config_dispose(&cfg);
    policy_init(&pol);
    if (rc == 0 && daemon_policy_load(d, g->uuid, &pol, NULL) == 0) {
        for (size_t i = 0; i < pol.n && i < MIG_POLICY_MAX; i++) {
            struct mig_policy_entry *e = &p.u.prepare.policy[i];
            snprintf(e->key, sizeof(e->key), "%s", pol.e[i].key);
            snprintf(e->value, sizeof(e->value), "%s", pol.e[i].value);
            p.u.prepare.npolicy++;
        }
    }
    if (rc == 0)
        rc = mig_link_send(g->link, &p, msg);
    mig_msg_dispose(&p);
    return rc;
}

void mig_send_connected(void *arg, uint64_t id, const char *peer)
{
    static const struct mig_link_cbs cbs = {
        .msg = mig_send_on_msg,
        .data = on_data,
        .error = mig_send_on_error,
        .drained = mig_send_drained,
    };
    struct migration *m = arg;
    struct mig *g;
    struct xn_msg msg;

    TAILQ_FOREACH(g, &m->migs, entry)
        if (g->dir == MIG_OUT && !g->ended && g->relay_id == id)
            break;
    if (!g || g->link)
        return;
    if (mig_link_new(m->d->base, g->conn_fd, &cbs, g, &g->link, &msg) < 0) {
        g->conn_fd = -1;
        mig_send_on_error(g, XN_ENOMEM, msg.text);
        return;
    }
    g->conn_fd = -1;
    snprintf(g->peer, sizeof(g->peer), "%s", peer);
    if (mig_fault_inject(g))        /* a test's, still connecting */
        return;
    mig_phase(g, MIG_PREPARING);
    if (g->ended)
        return;
    if (send_prepare(g, &msg) < 0)
        mig_send_on_error(g, XN_EFAIL, msg.text);
}

void mig_send_failed(void *arg, uint64_t id, int code, const char *error)
{
    struct migration *m = arg;
    struct mig *g;

    TAILQ_FOREACH(g, &m->migs, entry)
        if (g->dir == MIG_OUT && !g->ended && g->relay_id == id)
            break;
    if (g)
        mig_end(g, MIG_FAILED, code, "%s", error);
}

/* --- starting, in the domain's job --- */

bool mig_state_movable(enum hv_state s)
{
    return hv_state_runs(s) || s == HV_STATE_PAUSED;
}

static void job_started(void *arg, job_token token)
{
    struct mig *g = arg;
    struct migration *m = g->svc;
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc;

    g->job = token;
    if (hv_dom_by_uuid(m->d->hv, g->uuid, &info, &msg) < 0) {
        mig_end(g, MIG_FAILED, XN_ENOENT, "%s", msg.text);
        return;
    }
    g->domid = info.domid;
    if (!mig_state_movable(info.state)) {
        mig_end(g, MIG_FAILED, XN_ESTATE, "%s is %s; only a running, "
                "blocked or paused domain migrates", g->name,
                hv_state_name(info.state));
        return;
    }
    /* (checked again here: a device may have come since it was asked) */
    if ((rc = mig_pci_check(m->d, info.domid, g->name, &msg)) < 0) {
        mig_end(g, MIG_FAILED, rc, "%s", msg.text);
        return;
    }
    rc = mig_relay_connect(m->relay, g->peer, g->addr, g->port, g->compress,
                           g->bandwidth, &g->relay_id, &g->conn_fd, &msg);
    if (rc < 0)
        mig_end(g, MIG_FAILED, rc, "%s", msg.text);
}

static void job_cancelled(void *arg)
{
    /* Only jobs_free cancels, after the service closed: mig_free_all has
     * ended the record (its request answered) and freed it. */
    (void)arg;
}

static void resolved(void *arg, int rc, const char *addr, unsigned port,
                     const struct xn_msg *msg)
{
    struct mig *g = arg;

    g->resolving = false;
    if (g->ended)
        return;
    if (rc < 0) {
        mig_end(g, MIG_FAILED, rc, "%s", msg->text);
        return;
    }
    snprintf(g->addr, sizeof(g->addr), "%s", addr);
    g->port = port;
    if (jobs_begin(g->svc->d->jobs, g->uuid, "migrate", job_started,
                   job_cancelled, g) < 0)
        mig_end(g, MIG_FAILED, XN_ENOMEM, "out of memory");
}

int mig_send_begin(struct migration *m, const struct hv_dominfo *info,
                   const struct mig_send_args *a,
                   void (*done)(void *arg, struct mig *g), void *arg,
                   struct mig **g_r, struct xn_msg *msg)
{
    struct mig *g;
    int rc;

    /* What the domain is decides before what the host can do. */
    if (info->domid == 0)
        return xn_msg_set(msg, XN_EINVAL, "Domain-0 does not migrate");
    if ((rc = mig_pci_check(m->d, info->domid, info->name, msg)) < 0)
        return rc;
    if (!m->relay)
        return xn_msg_set(msg, XN_ENOTSUP, "this host cannot migrate: %s",
                          m->certs_error[0] ? m->certs_error
                                            : "no certificates");
    if (strlen(info->name) + sizeof(MIG_SUFFIX_AWAY) > HV_NAME_MAX)
        return xn_msg_set(msg, XN_EINVAL, "the name of %s is too long to "
                          "migrate: %s%s would be over %d characters",
                          info->name, info->name, MIG_SUFFIX_AWAY,
                          HV_NAME_MAX - 1);
    if (!(g = mig_new(m, MIG_OUT)))
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    snprintf(g->name, sizeof(g->name), "%s", info->name);
    memcpy(g->uuid, info->uuid, 16);
    g->domid = info->domid;
    snprintf(g->peer, sizeof(g->peer), "%s", a->host);
    g->port = a->port;
    g->compress = a->compress;
    g->bandwidth = a->bandwidth;
    g->leave_paused = a->paused;
    g->phase = MIG_CONNECTING;
    g->resolving = true;
    if ((rc = mig_peer_resolve(m, a->host, a->port, resolved, g, msg)) < 0) {
        g->resolving = false;
        mig_end(g, MIG_FAILED, rc, "%s", msg->text);
        return rc;
    }
    /* (the resolver may have answered already, and failed it) */
    g->done = done;
    g->done_arg = arg;
    if (g->ended) {
        rc = g->rc < 0 ? g->rc : XN_EFAIL;
        xn_msg_set(msg, rc, "%s", g->error);
        g->done = NULL;
        return rc;
    }
    if (g_r)
        *g_r = g;
    return 0;
}

static void answer(void *arg, struct mig *g)
{
    struct request *r = arg;
    bool fail = g->rc < 0 && g->phase != MIG_UNCONFIRMED;

    if (fail)
        request_fail(r, g->rc, g->error);
    else
        request_ok(r, mig_json(g));
}

int mig_send_start(struct migration *m, struct request *r,
                   struct xn_msg *msg)
{
    struct mig_send_args a;
    struct hv_dominfo info;
    int rc;

    if ((rc = parse_args(m, r->args, &a, msg)) < 0 ||
        (rc = op_lookup(r, &info, msg)) < 0)
        return rc;
    return mig_send_begin(m, &info, &a, answer, r, NULL, msg);
}
