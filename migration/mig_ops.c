/*
 * mig_ops.c - the migration service's control operations:
 *   migration.start    {dom, host, port?, compress?, bandwidth?, paused?}
 *                      answered when it ends, with its record
 *   migration.list     [records], running and recent
 *   migration.recover  {id, action: "resume"|"destroy"}: an unconfirmed
 *                      migration's paused source copy
 *   migration.evacuate {to: [HOST...], parallel?}: every domain that may
 *                      move (mig_evacuate.c)
 *   migration.status   the service's status
 */
#include "migration/migration.h"
#include "log.h"
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void start_op(void *self, struct request *r)
{
    struct xn_msg msg;
    int rc = mig_send_start(self, r, &msg);

    if (rc < 0)
        request_fail_msg(r, rc, &msg);
}

static void list_op(void *self, struct request *r)
{
    struct migration *m = self;
    struct json_object *a = json_object_new_array();
    struct mig *g;

    TAILQ_FOREACH(g, &m->migs, entry)
        json_object_array_add(a, mig_json(g));
    request_ok(r, a);
}

/* --- recovery of an unconfirmed migration --- */

struct recover {
    struct request *r;
    struct mig *g;
};

static void recovered(void *arg, int rc, const struct xn_msg *msg,
                      uint32_t domid)
{
    struct recover *c = arg;
    struct mig *g = c->g;

    (void)domid;
    g->hv_busy = false;
    if (rc < 0) {
        request_fail_msg(c->r, rc, msg);
    } else {
        g->phase = MIG_RECOVERED;
        xn_log(XN_LOG_NOTICE, "migration %llu of %s: recovered by the admin",
               (unsigned long long)g->id, g->name);
        request_ok(c->r, mig_json(g));
    }
    free(c);
}

static void recover_op(void *self, struct request *r)
{
    struct migration *m = self;
    struct daemon *d = m->d;
    const char *action;
    int64_t id;
    struct hv_dominfo info;
    struct recover *c;
    struct mig *g;
    struct xn_msg msg;
    int rc;

    if ((rc = proto_arg_int(r->args, "id", true, 0, INT64_MAX, &id,
                            &msg)) < 0 ||
        (rc = proto_arg_string(r->args, "action", true, &action, &msg)) < 0)
        goto fail;
    g = mig_find(m, (uint64_t)id);
    if (!g || g->dir != MIG_OUT) {
        rc = xn_msg_set(&msg, XN_ENOENT, "no outgoing migration %lld",
                        (long long)id);
        goto fail;
    }
    if (g->phase != MIG_UNCONFIRMED || g->hv_busy) {
        rc = xn_msg_set(&msg, XN_ESTATE, "migration %lld is %s: only an "
                        "unconfirmed one is recovered", (long long)id,
                        mig_phase_name(g->phase));
        goto fail;
    }
    if ((rc = hv_dom_by_uuid(d->hv, g->uuid, &info, &msg)) < 0)
        goto fail;
    if (!(c = calloc(1, sizeof(*c)))) {
        rc = xn_msg_set(&msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    c->r = r;
    c->g = g;
    g->hv_busy = true;
    if (!strcmp(action, "destroy")) {
        rc = hv_destroy(d->hv, info.domid, recovered, c, &msg);
    } else if (!strcmp(action, "resume")) {
        rc = daemon_dom_rename(d, info.domid, g->name, &msg);
        if (rc == 0)
            rc = hv_resume(d->hv, info.domid, recovered, c, &msg);
    } else {
        rc = xn_msg_set(&msg, XN_EINVAL, "action \"%.20s\" is not resume or "
                        "destroy", action);
    }
    if (rc < 0) {
        g->hv_busy = false;
        free(c);
        goto fail;
    }
    return;
fail:
    request_fail_msg(r, rc, &msg);
}

static void status_op(void *self, struct request *r)
{
    request_ok(r, migration_status(self));
}

const struct service_op mig_ops[] = {
    {"migration.status", status_op},
    {"migration.start", start_op},
    {"migration.list", list_op},
    {"migration.recover", recover_op},
    {"migration.evacuate", mig_evacuate_op},
    {NULL, NULL},
};
