/* jobs.c - per-domain serialisation, by UUID, with tokens. */
#include "daemon/jobs.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

struct job {
    const char *what;
    job_start_fn *start;
    job_cancel_fn *cancel;
    void *arg;
    STAILQ_ENTRY(job) link;
};

/* The queue of one domain that has a job running. */
struct lane {
    uint8_t uuid[16];
    job_token running;
    const char *what;               /* of the running job */
    STAILQ_HEAD(, job) waiting;
    size_t n_waiting;
    LIST_ENTRY(lane) link;
};

struct jobs {
    LIST_HEAD(, lane) lanes;        /* only domains with a running job */
    job_token last;                 /* the last token handed out */
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

static struct lane *find_lane(const struct jobs *j, const uint8_t uuid[16])
{
    struct lane *l;
    LIST_FOREACH(l, &j->lanes, link)
        if (memcmp(l->uuid, uuid, 16) == 0)
            return l;
    return NULL;
}

/* Hand the lane to a job: a fresh token, then its start. */
static void run(struct jobs *j, struct lane *l, const char *what,
                job_start_fn *start, void *arg)
{
    l->running = ++j->last;
    l->what = what;
    start(arg, l->running);
}

int jobs_begin(struct jobs *j, const uint8_t uuid[16], const char *what,
               job_start_fn *start, job_cancel_fn *cancel, void *arg)
{
    struct lane *l = find_lane(j, uuid);

    if (l) {
        struct job *job = calloc(1, sizeof(*job));
        if (!job)
            return XN_ENOMEM;
        job->what = what;
        job->start = start;
        job->cancel = cancel;
        job->arg = arg;
        STAILQ_INSERT_TAIL(&l->waiting, job, link);
        l->n_waiting++;
        return 0;
    }
    l = calloc(1, sizeof(*l));
    if (!l)
        return XN_ENOMEM;
    memcpy(l->uuid, uuid, 16);
    STAILQ_INIT(&l->waiting);
    LIST_INSERT_HEAD(&j->lanes, l, link);
    run(j, l, what, start, arg);
    return 0;
}

int jobs_end(struct jobs *j, job_token token)
{
    struct lane *l;
    struct job *job;

    if (token == JOB_NONE)
        return XN_EINVAL;
    LIST_FOREACH(l, &j->lanes, link)
        if (l->running == token)
            break;
    if (!l)
        return XN_EINVAL;
    job = STAILQ_FIRST(&l->waiting);
    if (!job) {
        LIST_REMOVE(l, link);
        free(l);
        return 0;
    }
    STAILQ_REMOVE_HEAD(&l->waiting, link);
    l->n_waiting--;
    run(j, l, job->what, job->start, job->arg);
    free(job);
    return 0;
}

bool jobs_busy(const struct jobs *j, const uint8_t uuid[16])
{
    return find_lane(j, uuid) != NULL;
}

void jobs_count(const struct jobs *j, size_t *running_r, size_t *waiting_r)
{
    struct lane *l;

    *running_r = 0;
    *waiting_r = 0;
    LIST_FOREACH(l, &j->lanes, link) {
        (*running_r)++;
        *waiting_r += l->n_waiting;
    }
}

const char *jobs_describe(const struct jobs *j, const uint8_t uuid[16])
{
    const struct lane *l = find_lane(j, uuid);
    return l ? l->what : NULL;
}
