/*
 * mig_leftover.c - what a daemon killed (or stopped) mid-migration left
 * on this host, dealt with once, when the service opens: before any
 * migration of this daemon can exist (docs/migration.md, "After a
 * restart").
 *
 *   NAME--incoming, not running   a partial copy from before go (the
 *                                 rename to NAME comes at go, before the
 *                                 unpause): destroyed, in its job, and
 *                                 recorded as a failed incoming migration
 *   NAME--incoming, running       not ours, whatever its name: left, with
 *                                 a warning
 *   NAME--migratedaway            a source copy after (or just before) go
 *                                 whose outcome is unknown: an unconfirmed
 *                                 migration, for the admin to recover
 *   suspended, any other name     a source whose sender died mid-stream
 *                                 (or a save that never ended): resumed,
 *                                 in its job
 * Domains another toolstack made (hv_dominfo .foreign) are never touched.
 */
#include "migration/migration.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One action on a leftover: its job, then a driver call.  Owned by the
 * service's list from mig_leftovers_scan until the action ends (or the
 * service closes, when a call still out is abandoned with the hv). */
struct mig_leftover_job {
    TAILQ_ENTRY(mig_leftover_job) entry;
    struct migration *m;            /* not owned */
    enum mig_leftover what;         /* MIG_LEFT_DESTROY or MIG_LEFT_RESUME */
    uint8_t uuid[16];
    uint32_t domid;
    char name[HV_NAME_MAX];         /* as found */
    job_token job;                  /* JOB_NONE until its turn */
};

/* `name` ends in `suffix` after at least one character. */
static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);

    return n > s && !strcmp(name + n - s, suffix);
}

enum mig_leftover mig_leftover_plan(const struct hv_dominfo *info)
{
    bool runs = hv_state_runs(info->state);

    if (info->domid == 0 || info->foreign || info->state == HV_STATE_DYING)
        return MIG_LEFT_NONE;
    if (has_suffix(info->name, MIG_SUFFIX_IN))
        return runs ? MIG_LEFT_ODD : MIG_LEFT_DESTROY;
    if (has_suffix(info->name, MIG_SUFFIX_AWAY))
        return MIG_LEFT_UNCONFIRMED;
    if (hv_dom_suspended(info))
        return MIG_LEFT_RESUME;
    return MIG_LEFT_NONE;
}

/* NAME of NAME`suffix`, into buf. */
static void base_name(const char *name, const char *suffix, char *buf,
                      size_t len)
{
    snprintf(buf, len, "%.*s", (int)(strlen(name) - strlen(suffix)), name);
}

/* Does a migration of this daemon receive `name` now?  (None at open; a
 * later caller must not take its copy for a leftover.) */
static bool receiving(struct migration *m, const char *name)
{
    struct mig *g;

    TAILQ_FOREACH(g, &m->migs, entry)
        if (g->dir == MIG_IN && !g->ended && !strcmp(g->name, name))
            return true;
    return false;
}

/* --- the actions, each in the domain's job --- */

static void finish(struct mig_leftover_job *l)
{
    struct daemon *d = l->m->d;
    job_token job = l->job;

    TAILQ_REMOVE(&l->m->leftovers, l, entry);
    free(l);
    if (job != JOB_NONE)
        jobs_end(d->jobs, job);     /* (may start the domain's next job) */
}

/* The partial copy is gone: a failed incoming migration says so (its log
 * line, its "failed" event, and `xenith migrations`). */
static void record_destroyed(struct mig_leftover_job *l)
{
    char x[HV_NAME_MAX];
    struct mig *g = mig_new(l->m, MIG_IN);

    base_name(l->name, MIG_SUFFIX_IN, x, sizeof(x));
    if (!g) {
        xn_log(XN_LOG_NOTICE, "migration: destroyed %s (id %u), a partial "
               "copy left by a migration that xenithd did not finish",
               l->name, l->domid);
        return;
    }
    snprintf(g->name, sizeof(g->name), "%s", x);
    memcpy(g->uuid, l->uuid, 16);
    g->domid = l->domid;
    mig_end(g, MIG_FAILED, XN_ECANCELED, "xenithd was restarted while %s "
            "was coming in, before go: its partial copy %s (id %u) is "
            "destroyed; the source keeps it", x, l->name, l->domid);
}

static void destroyed(void *arg, int rc, const struct xn_msg *msg,
                      uint32_t domid)
{
    struct mig_leftover_job *l = arg;

    (void)domid;
    if (rc < 0)
        xn_log(XN_LOG_ERR, "migration: cannot destroy %s (id %u), a partial "
               "copy left by a migration that xenithd did not finish: %s",
               l->name, l->domid, msg->text);
    else
        record_destroyed(l);
    finish(l);
}

static void resumed(void *arg, int rc, const struct xn_msg *msg,
                    uint32_t domid)
{
    struct mig_leftover_job *l = arg;

    (void)domid;
    if (rc < 0)
        xn_log(XN_LOG_ERR, "migration: %s (id %u) was left suspended by a "
               "migration or save that xenithd did not finish, and cannot "
               "be resumed: %s", l->name, l->domid, msg->text);
    else
        xn_log(XN_LOG_NOTICE, "migration: %s (id %u) was left suspended by "
               "a migration or save that xenithd did not finish: resumed, "
               "it runs on", l->name, l->domid);
    finish(l);
}

static void job_started(void *arg, job_token token)
{
    struct mig_leftover_job *l = arg;
    struct hv *hv = l->m->d->hv;
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc;

    l->job = token;
    /* Found before the job: looked at again now it is ours. */
    if (hv_dom_by_uuid(hv, l->uuid, &info, &msg) < 0) {
        xn_log(XN_LOG_INFO, "migration: %s, left by a migration that "
               "xenithd did not finish, is gone already", l->name);
        finish(l);
        return;
    }
    if (mig_leftover_plan(&info) != l->what ||
        strcmp(info.name, l->name) != 0) {
        xn_log(XN_LOG_WARNING, "migration: %s (id %u) changed since "
               "xenithd started (now %s, %s); left alone", l->name, l->domid,
               info.name, hv_state_name(info.state));
        finish(l);
        return;
    }
    l->domid = info.domid;
    if (l->what == MIG_LEFT_DESTROY)
        rc = hv_destroy(hv, info.domid, destroyed, l, &msg);
    else
        rc = hv_resume(hv, info.domid, resumed, l, &msg);
    if (rc < 0) {
        if (l->what == MIG_LEFT_DESTROY)
            destroyed(l, rc, &msg, info.domid);
        else
            resumed(l, rc, &msg, info.domid);
    }
}

static void job_cancelled(void *arg)
{
    /* Only jobs_free cancels, after the service closed and freed what arg
     * was: nothing of it may be touched here. */
    (void)arg;
}

static void begin(struct migration *m, const struct hv_dominfo *info,
                  enum mig_leftover what)
{
    struct mig_leftover_job *l = calloc(1, sizeof(*l));

    if (!l) {
        xn_log(XN_LOG_ERR, "migration: out of memory: %s (id %u), left by "
               "a migration that xenithd did not finish, stays as it is",
               info->name, info->domid);
        return;
    }
    l->m = m;
    l->what = what;
    memcpy(l->uuid, info->uuid, 16);
    l->domid = info->domid;
    snprintf(l->name, sizeof(l->name), "%s", info->name);
    l->job = JOB_NONE;
    TAILQ_INSERT_TAIL(&m->leftovers, l, entry);
    if (jobs_begin(m->d->jobs, l->uuid, what == MIG_LEFT_DESTROY
                   ? "migration leftover: destroy"
                   : "migration leftover: resume",
                   job_started, job_cancelled, l) < 0) {
        xn_log(XN_LOG_ERR, "migration: out of memory: %s (id %u), left by "
               "a migration that xenithd did not finish, stays as it is",
               l->name, l->domid);
        finish(l);
    }
}

/* A source copy after go: an unconfirmed migration, as if its
 * confirmation had been lost. */
static void unconfirmed(struct migration *m, const struct hv_dominfo *info)
{
    bool runs = hv_state_runs(info->state);
    struct mig *g = mig_new(m, MIG_OUT);
    char x[HV_NAME_MAX];

    if (!g) {
        xn_log(XN_LOG_ERR, "migration: out of memory: %s (id %u) was left "
               "by a migration that xenithd did not finish; see that %.*s "
               "runs on one host", info->name, info->domid,
               (int)(strlen(info->name) - strlen(MIG_SUFFIX_AWAY)),
               info->name);
        return;
    }
    base_name(info->name, MIG_SUFFIX_AWAY, x, sizeof(x));
    snprintf(g->name, sizeof(g->name), "%s", x);
    memcpy(g->uuid, info->uuid, 16);
    g->domid = info->domid;
    g->adopted = true;
    g->copy_runs = runs;
    mig_end(g, MIG_UNCONFIRMED, XN_ECANCELED, "xenithd was restarted during "
            "this migration, after the source copy was renamed %s; it is "
            "%s here, and whether %s runs on the destination is unknown",
            info->name, runs ? "running (not paused)"
                             : info->state == HV_STATE_PAUSED ? "paused"
                                                              : "suspended",
            x);
}

void mig_leftovers_scan(struct migration *m)
{
    struct hv_dominfo *list;
    struct xn_msg msg;
    size_t n;

    if (hv_dom_list(m->d->hv, &list, &n, &msg) < 0) {
        xn_log(XN_LOG_ERR, "migration: cannot look for what a migration "
               "xenithd did not finish left: %s", msg.text);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct hv_dominfo *info = &list[i];
        char x[HV_NAME_MAX];

        switch (mig_leftover_plan(info)) {
        case MIG_LEFT_NONE:
            break;
        case MIG_LEFT_DESTROY:
            base_name(info->name, MIG_SUFFIX_IN, x, sizeof(x));
            if (!receiving(m, x))
                begin(m, info, MIG_LEFT_DESTROY);
            break;
        case MIG_LEFT_ODD:
            xn_log(XN_LOG_WARNING, "migration: %s (id %u) runs, so it is no "
                   "partial copy of a migration, whatever its name; left "
                   "alone", info->name, info->domid);
            break;
        case MIG_LEFT_UNCONFIRMED:
            unconfirmed(m, info);
            break;
        case MIG_LEFT_RESUME:
            begin(m, info, MIG_LEFT_RESUME);
            break;
        }
    }
    free(list);
}

void mig_leftovers_free(struct migration *m)
{
    struct mig_leftover_job *l;

    /* A driver call still out is abandoned when the hv closes; the jobs
     * go with jobs_free (none is ended here, so none starts another while
     * the daemon stops). */
    while ((l = TAILQ_FIRST(&m->leftovers))) {
        TAILQ_REMOVE(&m->leftovers, l, entry);
        free(l);
    }
}
