/*
 * mig_evacuate.c - host evacuation: migration.evacuate {to: [HOST...],
 * parallel: N} moves every domain that may move (policy migration.mode
 * allowed, the default; no PCI passthrough devices) to the hosts given, N
 * at a time.
 *
 * Placement: each domain goes to the next host in turn; a host that
 * refuses it for want of memory (or is busy, or cannot be reached) is
 * passed over for that domain and the next is tried, so each lands where
 * memory allows.  The reply, when every domain has been tried, lists what
 * moved where, what could not move and why, and what was left alone.
 */
#include "migration/migration.h"
#include "log.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVAC_HOSTS_MAX 16

struct evac;

struct evac_dom {
    struct evac *e;                 /* the evacuation it belongs to */
    struct hv_dominfo info;
    unsigned tried;                 /* hosts tried so far */
    unsigned next_host;             /* where to try next */
    char why[XN_MSG_MAX];           /* the last refusal */
};

struct evac {
    struct migration *m;
    struct request *r;
    char hosts[EVAC_HOSTS_MAX][MIG_HOST_MAX];
    unsigned nhosts, parallel, running, rr;
    struct evac_dom *doms;          /* owned */
    size_t ndoms, next;             /* next: the first not yet started */
    struct json_object *moved, *failed, *skipped;   /* owned until the
                                                     * reply */
};

static void pump(struct evac *e);

/* A refusal worth trying another host for. */
static bool try_elsewhere(int rc)
{
    return rc == XN_ENOMEM || rc == XN_EBUSY || rc == XN_ECONNECT ||
           rc == XN_ETIMEDOUT || rc == XN_ENOENT || rc == XN_EEXIST;
}

static void add_result(struct json_object *a, const char *dom,
                       const char *key, const char *val)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "domain", json_object_new_string(dom));
    json_object_object_add(o, key, json_object_new_string(val));
    json_object_array_add(a, o);
}

static void finish(struct evac *e)
{
    struct json_object *res = json_object_new_object();

    json_object_object_add(res, "moved", e->moved);
    json_object_object_add(res, "failed", e->failed);
    json_object_object_add(res, "skipped", e->skipped);
    xn_log(XN_LOG_NOTICE, "evacuation: %zu moved, %zu not",
           json_object_array_length(e->moved),
           json_object_array_length(e->failed));
    request_ok(e->r, res);
    free(e->doms);
    free(e);
}

static void one_done(void *arg, struct mig *g);

/* Start d's migration to its next host; false when none is left. */
static bool start_one(struct evac *e, struct evac_dom *d)
{
    while (d->tried < e->nhosts) {
        struct mig_send_args a = {.port = MIG_DEFAULT_PORT};
        struct xn_msg msg;

        snprintf(a.host, sizeof(a.host), "%s", e->hosts[d->next_host]);
        d->next_host = (d->next_host + 1) % e->nhosts;
        d->tried++;
        if (mig_send_begin(e->m, &d->info, &a, one_done, d, NULL,
                           &msg) == 0) {
            e->running++;
            return true;
        }
        snprintf(d->why, sizeof(d->why), "%s", msg.text);
    }
    add_result(e->failed, d->info.name, "error", d->why);
    return false;
}

static void one_done(void *arg, struct mig *g)
{
    struct evac_dom *d = arg;
    struct evac *e = d->e;

    e->running--;
    if (g->phase == MIG_DONE) {
        add_result(e->moved, d->info.name, "host", g->peer);
    } else if (g->phase == MIG_UNCONFIRMED) {
        char why[XN_MSG_MAX * 2];
        snprintf(why, sizeof(why), "%s (migration %llu: see xenith "
                 "migrations)", g->error, (unsigned long long)g->id);
        add_result(e->failed, d->info.name, "error", why);
    } else {
        snprintf(d->why, sizeof(d->why), "%s", g->error);
        if (!try_elsewhere(g->rc))
            add_result(e->failed, d->info.name, "error", d->why);
        else if (start_one(e, d))
            return;                 /* on to the next host */
        /* (else start_one recorded that no host took it) */
    }
    pump(e);
}

static void pump(struct evac *e)
{
    while (e->running < e->parallel && e->next < e->ndoms)
        start_one(e, &e->doms[e->next++]);
    if (e->running == 0 && e->next >= e->ndoms)
        finish(e);
}

/* The domains to move, and those left alone. */
static int pick(struct evac *e, struct xn_msg *msg)
{
    struct daemon *d = e->m->d;
    struct hv_dominfo *list;
    size_t n;
    int rc = hv_dom_list(d->hv, &list, &n, msg);

    if (rc < 0)
        return rc;
    if (!(e->doms = calloc(n ? n : 1, sizeof(*e->doms)))) {
        free(list);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const struct hv_dominfo *info = &list[i];
        struct policy pol;
        const char *mode;
        char devs[160];

        if (info->domid == 0 || !mig_state_movable(info->state)) {
            if (info->domid != 0)
                add_result(e->skipped, info->name, "reason",
                           hv_state_name(info->state));
            continue;
        }
        if (strstr(info->name, MIG_SUFFIX_AWAY) ||
            strstr(info->name, MIG_SUFFIX_IN)) {
            add_result(e->skipped, info->name, "reason",
                       "a migration's copy");
            continue;
        }
        if (mig_pci_devices(d, info->domid, devs, sizeof(devs)) > 0) {
            char why[sizeof(devs) + 40];
            snprintf(why, sizeof(why), "has PCI passthrough devices (%s)",
                     devs);
            add_result(e->skipped, info->name, "reason", why);
            continue;
        }
        policy_init(&pol);
        if (daemon_policy_load(d, info->uuid, &pol, NULL) == 0 &&
            (mode = policy_get(&pol, "migration.mode")) &&
            !strcmp(mode, "never")) {
            add_result(e->skipped, info->name, "reason",
                       "policy migration.mode is never");
            continue;
        }
        e->doms[e->ndoms].e = e;
        e->doms[e->ndoms].info = *info;
        e->doms[e->ndoms].next_host = (unsigned)(e->ndoms % e->nhosts);
        e->ndoms++;
    }
    free(list);
    return 0;
}

static int parse(struct evac *e, struct json_object *args,
                 struct xn_msg *msg)
{
    struct json_object *to;
    int64_t parallel = 1;
    int rc;

    if (!json_object_object_get_ex(args, "to", &to) ||
        !json_object_is_type(to, json_type_array) ||
        json_object_array_length(to) == 0 ||
        json_object_array_length(to) > EVAC_HOSTS_MAX)
        return xn_msg_set(msg, XN_EINVAL, "argument \"to\" must be a list "
                          "of 1 to %d hosts", EVAC_HOSTS_MAX);
    for (size_t i = 0; i < json_object_array_length(to); i++) {
        const char *h = json_object_get_string(
            json_object_array_get_idx(to, i));
        if (!h || !mig_host_valid(h))
            return xn_msg_set(msg, XN_EINVAL, "argument \"to\": \"%.60s\" "
                              "is not a host name or an IP address",
                              h ? h : "");
        snprintf(e->hosts[e->nhosts++], MIG_HOST_MAX, "%s", h);
    }
    if ((rc = proto_arg_int(args, "parallel", false, 1, 16, &parallel,
                            msg)) < 0)
        return rc;
    e->parallel = (unsigned)parallel;
    if (!e->m->relay)
        return xn_msg_set(msg, XN_ENOTSUP, "this host cannot migrate: %s",
                          e->m->certs_error[0] ? e->m->certs_error
                                               : "no certificates");
    return 0;
}

void mig_evacuate_op(void *self, struct request *r)
{
    struct evac *e = calloc(1, sizeof(*e));
    struct xn_msg msg;
    int rc;

    if (!e) {
        request_fail(r, XN_ENOMEM, "out of memory");
        return;
    }
    e->m = self;
    e->r = r;
    e->moved = json_object_new_array();
    e->failed = json_object_new_array();
    e->skipped = json_object_new_array();
    if ((rc = parse(e, r->args, &msg)) < 0 || (rc = pick(e, &msg)) < 0) {
        json_object_put(e->moved);
        json_object_put(e->failed);
        json_object_put(e->skipped);
        free(e->doms);
        free(e);
        request_fail_msg(r, rc, &msg);
        return;
    }
    xn_log(XN_LOG_NOTICE, "evacuation: %zu domains to move to %u hosts, "
           "%u at a time", e->ndoms, e->nhosts, e->parallel);
    pump(e);
}
