/*
 * jobs.c - per-domain serialisation.  Two operations on one domain never
 * run at once: a save and a destroy, or two renames, take turns in the
 * order they arrived.
 */
#include "daemon.h"

#include <stdlib.h>
#include <sys/queue.h>

struct job {
    job_fn *start;
    job_fn *cancel;
    void *arg;
    STAILQ_ENTRY(job) link;
};

/* The queue of one domain that has a job running. */
struct lane {
    uint32_t domid;
    STAILQ_HEAD(, job) waiting;
    LIST_ENTRY(lane) link;
};

struct jobs {
    LIST_HEAD(, lane) lanes;        /* only domains with a running job */
};

struct jobs *jobs_new(void)
{
    struct jobs *j = calloc(1, sizeof(*j));
    if (j)
        LIST_INIT(&j->lanes);
    return j;
}

void jobs_free(struct jobs *j)
{
    struct lane *l;
    struct job *job;

    if (!j)
        return;
    while ((l = LIST_FIRST(&j->lanes))) {
        while ((job = STAILQ_FIRST(&l->waiting))) {
            STAILQ_REMOVE_HEAD(&l->waiting, link);
            if (job->cancel)
                job->cancel(job->arg);
            free(job);
        }
        LIST_REMOVE(l, link);
        free(l);
    }
    free(j);
}

static struct lane *find_lane(struct jobs *j, uint32_t domid)
{
    struct lane *l;
    LIST_FOREACH(l, &j->lanes, link)
        if (l->domid == domid)
            return l;
    return NULL;
}

bool jobs_busy(struct jobs *j, uint32_t domid)
{
    return find_lane(j, domid) != NULL;
}

void jobs_submit(struct jobs *j, uint32_t domid, job_fn *start,
                 job_fn *cancel, void *arg)
{
    struct lane *l = find_lane(j, domid);

    if (l) {
        struct job *job = calloc(1, sizeof(*job));
        if (!job) {
            if (cancel)
                cancel(arg);
            return;
        }
        job->start = start;
        job->cancel = cancel;
        job->arg = arg;
        STAILQ_INSERT_TAIL(&l->waiting, job, link);
        return;
    }
    l = calloc(1, sizeof(*l));
    if (!l) {
        if (cancel)
            cancel(arg);
        return;
    }
    l->domid = domid;
    STAILQ_INIT(&l->waiting);
    LIST_INSERT_HEAD(&j->lanes, l, link);
    start(arg);
}

void jobs_release(struct jobs *j, uint32_t domid)
{
    struct lane *l = find_lane(j, domid);
    struct job *job;

    if (!l)
        return;
    job = STAILQ_FIRST(&l->waiting);
    if (!job) {
        LIST_REMOVE(l, link);
        free(l);
        return;
    }
    STAILQ_REMOVE_HEAD(&l->waiting, link);
    job->start(job->arg);
    free(job);
}
