/*
 * mig_ops.c - the migration service's control operations:
 *   migration.start    {dom, host, port?, compress?, bandwidth?, paused?}
 *                      answered when it ends, with its record
 *   migration.list     [records], running and recent
 *   migration.recover  {id, action: "resume"|"destroy"}: an unconfirmed
 *                      migration's source copy, in its job
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

/* --- recovery of an unconfirmed migration ---
 * In the domain's job: --destroy destroys the source copy; --resume gives
 * it its name back and lets it run, as it is found: resumed when
 * suspended (as a live save leaves it), unpaused when paused, left as it
 * is when it runs (a copy adopted at open may). */

struct recover {
    struct request *r;
    struct mig *g;                  /* not owned; kept while hv_busy */
    bool destroy;
    job_token job;
};

static void recover_end(struct recover *c, int rc, const struct xn_msg *msg)
{
    struct daemon *d = c->g->svc->d;
    struct mig *g = c->g;
    job_token job = c->job;

    g->hv_busy = false;
    if (rc < 0) {
        request_fail_msg(c->r, rc, msg);
    } else {
        g->phase = MIG_RECOVERED;
        xn_log(XN_LOG_NOTICE, "migration %llu of %s: recovered by the admin "
               "(%s)", (unsigned long long)g->id, g->name,
               c->destroy ? "source copy destroyed" : "runs here again");
        request_ok(c->r, mig_json(g));
    }
    free(c);
    jobs_end(d->jobs, job);
}

static void recovered(void *arg, int rc, const struct xn_msg *msg,
                      uint32_t domid)
{
    (void)domid;
    recover_end(arg, rc, msg);
}

/* --resume: the name back, then run it as it is found.  0 when it runs
 * (or will: *pending then says `recovered` is to come). */
static int resume_copy(struct recover *c, const struct hv_dominfo *info,
                       bool *pending, struct xn_msg *msg)
{
    struct daemon *d = c->g->svc->d;
    bool suspended = hv_dom_suspended(info);
    int rc;

    *pending = false;
    if (!suspended && !mig_state_movable(info->state))
        return xn_msg_set(msg, XN_ESTATE, "the source copy %s (id %u) is %s "
                          "and cannot run again", info->name, info->domid,
                          info->state == HV_STATE_SHUTDOWN
                          ? hv_shutdown_name(info->shutdown_reason)
                          : hv_state_name(info->state));
    if ((rc = daemon_dom_rename(d, info->domid, c->g->name, msg)) < 0)
        return rc;
    if (suspended) {
        rc = hv_resume(d->hv, info->domid, recovered, c, msg);
        *pending = rc == 0;
        return rc;
    }
    if (info->state == HV_STATE_PAUSED)
        return daemon_dom_unpause(d, info->domid, msg);
    return 0;
}

static void recover_start(void *arg, job_token token)
{
    struct recover *c = arg;
    struct daemon *d = c->g->svc->d;
    struct hv_dominfo info;
    struct xn_msg msg;
    bool pending = false;
    int rc;

    c->job = token;
    rc = hv_dom_by_uuid(d->hv, c->g->uuid, &info, &msg);
    if (rc == 0 && c->destroy) {
        rc = hv_destroy(d->hv, info.domid, recovered, c, &msg);
        pending = rc == 0;
    } else if (rc == 0) {
        rc = resume_copy(c, &info, &pending, &msg);
    }
    if (!pending)
        recover_end(c, rc, &msg);
}

static void recover_cancel(void *arg)
{
    struct recover *c = arg;

    /* The daemon stops; the record may be gone already. */
    request_fail(c->r, XN_ECANCELED, "the daemon is stopping");
    free(c);
}

static void recover_op(void *self, struct request *r)
{
    struct migration *m = self;
    const char *action;
    int64_t id;
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
    if (g->hv_busy) {
        rc = xn_msg_set(&msg, XN_EBUSY, "migration %lld is being recovered "
                        "already", (long long)id);
        goto fail;
    }
    if (g->phase != MIG_UNCONFIRMED) {
        rc = xn_msg_set(&msg, XN_ESTATE, "migration %lld is %s: only an "
                        "unconfirmed one is recovered", (long long)id,
                        mig_phase_name(g->phase));
        goto fail;
    }
    if (strcmp(action, "destroy") != 0 && strcmp(action, "resume") != 0) {
        rc = xn_msg_set(&msg, XN_EINVAL, "action \"%.20s\" is not resume or "
                        "destroy", action);
        goto fail;
    }
    if (!(c = calloc(1, sizeof(*c)))) {
        rc = xn_msg_set(&msg, XN_ENOMEM, "out of memory");
        goto fail;
    }
    c->r = r;
    c->g = g;
    c->destroy = !strcmp(action, "destroy");
    c->job = JOB_NONE;
    g->hv_busy = true;              /* kept (not trimmed) until the end */
    if (jobs_begin(m->d->jobs, g->uuid, "migration recovery", recover_start,
                   recover_cancel, c) < 0) {
        g->hv_busy = false;
        free(c);
        rc = xn_msg_set(&msg, XN_ENOMEM, "out of memory");
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
