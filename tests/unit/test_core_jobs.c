/* test_core_jobs.c - jobs by domain identity: FIFO per domain, domains in
 * parallel, tokens that end only their own job, and a queue that survives
 * a restart changing the domain's id. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core_testlib.h"
#include "daemon/jobs.h"
#include "daemon/start.h"
#include "sim_testlib.h"

struct job_rec {
    struct jobs *jobs;
    int order[16];
    job_token tokens[16];
    int n;
};

struct job_arg {
    struct job_rec *rec;
    int id;
    bool cancelled;
};

static void started(void *arg, job_token token)
{
    struct job_arg *a = arg;
    a->rec->order[a->rec->n] = a->id;
    a->rec->tokens[a->rec->n] = token;
    a->rec->n++;
}

static void cancelled(void *arg)
{
    ((struct job_arg *)arg)->cancelled = true;
}

static const uint8_t A[16] = {1}, B[16] = {2};

START_TEST(fifo_per_domain)
{
    struct job_rec rec = {.jobs = jobs_new()};
    struct job_arg a1 = {.rec = &rec, .id = 1}, a2 = {.rec = &rec, .id = 2}, a3 = {.rec = &rec, .id = 3},
                   b1 = {.rec = &rec, .id = 11};
    size_t running, waiting;

    ck_assert_int_eq(jobs_begin(rec.jobs, A, "one", started, cancelled, &a1),
                     0);
    ck_assert_int_eq(rec.n, 1);             /* A was idle: runs at once */
    jobs_begin(rec.jobs, A, "two", started, cancelled, &a2);
    jobs_begin(rec.jobs, A, "three", started, cancelled, &a3);
    jobs_begin(rec.jobs, B, "other", started, cancelled, &b1);
    ck_assert_int_eq(rec.n, 2);             /* B does not wait for A */
    ck_assert_int_eq(rec.order[1], 11);
    jobs_count(rec.jobs, &running, &waiting);
    ck_assert_uint_eq(running, 2);
    ck_assert_uint_eq(waiting, 2);
    ck_assert_str_eq(jobs_describe(rec.jobs, A), "one");
    ck_assert_int_eq(jobs_end(rec.jobs, rec.tokens[0]), 0);
    ck_assert_int_eq(rec.n, 3);
    ck_assert_int_eq(rec.order[2], 2);
    ck_assert_str_eq(jobs_describe(rec.jobs, A), "two");
    ck_assert_int_eq(jobs_end(rec.jobs, rec.tokens[2]), 0);
    ck_assert_int_eq(rec.order[3], 3);
    ck_assert_int_eq(jobs_end(rec.jobs, rec.tokens[3]), 0);
    ck_assert(!jobs_busy(rec.jobs, A));
    ck_assert(jobs_busy(rec.jobs, B));
    jobs_end(rec.jobs, rec.tokens[1]);
    ck_assert(!jobs_busy(rec.jobs, B));
    jobs_free(rec.jobs);
}
END_TEST

/* A token ends its own job only: not another domain's, not a waiting
 * one's, not twice. */
START_TEST(tokens)
{
    struct job_rec rec = {.jobs = jobs_new()};
    struct job_arg a1 = {.rec = &rec, .id = 1}, a2 = {.rec = &rec, .id = 2}, b1 = {.rec = &rec, .id = 11};
    job_token ta, tb;

    jobs_begin(rec.jobs, A, "a1", started, cancelled, &a1);
    jobs_begin(rec.jobs, A, "a2", started, cancelled, &a2);
    jobs_begin(rec.jobs, B, "b1", started, cancelled, &b1);
    ta = rec.tokens[0];
    tb = rec.tokens[1];
    ck_assert(ta != tb && ta != JOB_NONE && tb != JOB_NONE);
    ck_assert_int_eq(jobs_end(rec.jobs, JOB_NONE), XN_EINVAL);
    ck_assert_int_eq(jobs_end(rec.jobs, ta + tb + 100), XN_EINVAL);
    ck_assert_int_eq(rec.n, 2);             /* nothing moved */
    ck_assert_int_eq(jobs_end(rec.jobs, tb), 0);
    ck_assert(jobs_busy(rec.jobs, A));      /* B's token left A alone */
    ck_assert_int_eq(rec.n, 2);
    ck_assert_int_eq(jobs_end(rec.jobs, tb), XN_EINVAL);  /* twice */
    ck_assert_int_eq(jobs_end(rec.jobs, ta), 0);
    ck_assert_int_eq(rec.n, 3);             /* a2 now */
    ck_assert_int_eq(jobs_end(rec.jobs, ta), XN_EINVAL);  /* stale */
    ck_assert(jobs_busy(rec.jobs, A));
    jobs_end(rec.jobs, rec.tokens[2]);
    jobs_free(rec.jobs);
}
END_TEST

START_TEST(free_cancels_waiting)
{
    struct job_rec rec = {.jobs = jobs_new()};
    struct job_arg a1 = {.rec = &rec, .id = 1}, a2 = {.rec = &rec, .id = 2};

    jobs_begin(rec.jobs, A, "a1", started, cancelled, &a1);
    jobs_begin(rec.jobs, A, "a2", started, cancelled, &a2);
    jobs_free(rec.jobs);
    ck_assert(!a1.cancelled);               /* running: its owner's */
    ck_assert(a2.cancelled);
}
END_TEST

/* --- across a restart --- */

struct later_job {
    struct coret *t;
    uint8_t uuid[16];
    bool ran;
    job_token token;
    uint32_t domid_then;            /* the domain's id when the job ran */
};

static void later_started(void *arg, job_token token)
{
    struct later_job *j = arg;
    struct hv_dominfo info;

    j->ran = true;
    j->token = token;
    if (hv_dom_by_uuid(j->t->d->hv, j->uuid, &info, NULL) == 0)
        j->domid_then = info.domid;
}

static void later_cancelled(void *arg)
{
    (void)arg;
}

static void reboot_sent(void *arg, int rc, const struct xn_msg *msg,
                        uint32_t domid)
{
    (void)msg;
    (void)domid;
    ck_assert_int_eq(rc, 0);
    *(bool *)arg = true;
}

/* A domain whose on_reboot is restart, through the start path. */
static void create_rebooter(struct coret *t, const char *name)
{
    libxl_domain_config *cfg = simt_mkcfg(name, 64, 1);

    cfg->on_reboot = LIBXL_ACTION_ON_SHUTDOWN_RESTART;
    coret_create(t, name, 64, cfg);
}

/* A job queued behind a domain's reboot runs after the restart, on the
 * domain it was queued for, under its new id. */
START_TEST(fifo_across_restart)
{
    struct coret t;
    struct later_job hold = {.t = &t}, after = {.t = &t};
    struct hv_dominfo web1;
    bool sent = false;
    struct xn_msg msg;
    uint32_t old;

    coret_open(&t, NULL);
    create_rebooter(&t, "rb1");
    web1 = coret_dom(&t, "rb1");
    old = web1.domid;
    memcpy(hold.uuid, web1.uuid, 16);
    memcpy(after.uuid, web1.uuid, 16);
    /* We hold web1's job: the monitor's restart must queue behind us. */
    jobs_begin(t.d->jobs, web1.uuid, "test hold", later_started,
               later_cancelled, &hold);
    ck_assert(hold.ran);
    ck_assert_int_eq(hv_shutdown(t.d->hv, old, true, reboot_sent, &sent,
                                 &msg), 0);
    ck_assert(coret_wait(&t, &sent, 5000));
    /* Wait for the guest to act on it: it shuts down for a reboot. */
    for (int i = 0; i < 100; i++) {
        struct hv_dominfo now;
        if (hv_dom_info(t.d->hv, old, &now, NULL) == 0 &&
            now.state == HV_STATE_SHUTDOWN)
            break;
        coret_spin(&t, 50);
    }
    coret_spin(&t, 100);        /* the monitor hears of it, queues */
    jobs_begin(t.d->jobs, web1.uuid, "test after", later_started,
               later_cancelled, &after);
    ck_assert(!after.ran);
    ck_assert_str_eq(jobs_describe(t.d->jobs, web1.uuid), "test hold");
    jobs_end(t.d->jobs, hold.token);
    /* The restart runs (destroy, start again), then our job. */
    ck_assert(coret_wait(&t, &after.ran, 10000));
    ck_assert_msg(after.domid_then != 0 && after.domid_then != old,
                  "the job ran with domain id %u (was %u)", after.domid_then,
                  old);
    ck_assert_uint_eq(coret_dom(&t, "rb1").domid, after.domid_then);
    jobs_end(t.d->jobs, after.token);
    coret_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core_jobs");
    TCase *tc = tcase_create("jobs");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, fifo_per_domain);
    tcase_add_test(tc, tokens);
    tcase_add_test(tc, free_cancels_waiting);
    tcase_add_test(tc, fifo_across_restart);
    suite_add_tcase(s, tc);
    return simt_run(s);
}
