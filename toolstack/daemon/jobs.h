/*
 * jobs.h - one operation at a time per domain.
 *
 * A job belongs to a domain's UUID, not its id (which changes on restore,
 * restart and migration): a save, a destroy and a rename of one domain take
 * turns in arrival order, across a restart.  A job is held by a token, as
 * libvirt's BeginJob/EndJob pair: jobs_begin queues it and hands the token
 * to `start` when its turn comes; jobs_end with that token lets the next
 * one run.  A token ends only its own job.  Client requests and the
 * services use the same two calls.
 */
#ifndef XENITH_DAEMON_JOBS_H
#define XENITH_DAEMON_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Tokens are never 0; JOB_NONE says "no job held". */
typedef uint64_t job_token;
#define JOB_NONE ((job_token)0)

/* The job's turn: it runs until jobs_end(token). */
typedef void job_start_fn(void *arg, job_token token);
/* The job was dropped before its turn (the daemon is stopping). */
typedef void job_cancel_fn(void *arg);

struct jobs;

struct jobs *jobs_new(void);            /* NULL when out of memory */
/* Cancels every waiting job (not the running ones). NULL ok. */
void jobs_free(struct jobs *j);

/*
 * Queue a job on the domain with `uuid`.  When no job of that domain runs,
 * `start` runs at once, inside this call; otherwise after the jobs ahead of
 * it.  `what` (static storage) names the job in jobs_describe.  0, or
 * XN_ENOMEM (start and cancel are then never called).
 */
int jobs_begin(struct jobs *j, const uint8_t uuid[16], const char *what,
               job_start_fn *start, job_cancel_fn *cancel, void *arg);

/* End the running job `token` names; the domain's next job starts (inside
 * this call).  XN_EINVAL, changing nothing, when no running job has that
 * token (ended already, or never begun). */
int jobs_end(struct jobs *j, job_token token);

/* Does a job of this domain run? */
bool jobs_busy(const struct jobs *j, const uint8_t uuid[16]);
/* Jobs running and waiting, over all domains. */
void jobs_count(const struct jobs *j, size_t *running_r, size_t *waiting_r);
/* What the running job of the domain is, or NULL. */
const char *jobs_describe(const struct jobs *j, const uint8_t uuid[16]);

#endif
