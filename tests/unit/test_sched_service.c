/* test_sched_service.c - the scheduler-tuning service inside a daemon core
 * on the simulated host, where a test can do what e2e cannot: stop the
 * service mid-episode as kill -9 would (the host lives on, as a real one
 * does) and start it again; and change the admin's values mid-episode. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_testlib.h"
#include "daemon/policy_mirror.h"
#include "schedtune/schedtune_service.h"
#include "sim_testlib.h"
#include "uuid.h"
#include "xsc.h"

static const char *const options[] = {
    "sched.interval=200", "sched.smoothing=200", "sched.enter-after=1",
    "sched.leave-after=1", NULL,
};

static const char *scenario(void)
{
    static char path[512];

    return simt_fixture("sched-service.xml", path, sizeof(path));
}

/* The service's keys and settings, registered with the daemon, without the
 * service itself: the test opens and closes that by hand. */
static struct service keys_only = {
    .name = "sched",
    .summary = "the tuning service's keys and settings",
};
static const struct service *const table[] = {&keys_only, NULL};

static void open_core(struct coret *t)
{
    keys_only.keys = schedtune_service.keys;
    keys_only.options = schedtune_service.options;
    coret_open_with(t, table, scenario(), options);
}

static void set_class(struct coret *t, const char *dom, const char *cls)
{
    struct hv_dominfo info = coret_dom(t, dom);
    struct policy p;
    struct xn_msg msg;

    ck_assert_int_eq(daemon_policy_load(t->d, info.uuid, &p, &msg), 0);
    ck_assert_int_eq(policy_set(&p, "sched.class", cls, &msg), 0);
    ck_assert_msg(daemon_policy_store(t->d, &info, &p, &msg) == 0, "%s",
                  msg.text);
}

/* What the admin does with xl sched-credit2. */
static void admin_set(struct coret *t, const char *dom, int weight, int cap)
{
    struct hv_dominfo info = coret_dom(t, dom);
    struct hv_sched_params p = {HV_SCHED_CREDIT2, weight, cap};
    struct xn_msg msg;

    ck_assert_msg(hv_sched_set(t->d->hv, info.domid, &p, &msg) == 0, "%s",
                  msg.text);
}

static bool runs_with(struct coret *t, const char *dom, int weight, int cap)
{
    struct hv_dominfo info = coret_dom(t, dom);

    return info.sched.weight == weight && info.sched.cap == cap;
}

static void expect(struct coret *t, const char *dom, int weight, int cap)
{
    struct hv_dominfo info = coret_dom(t, dom);

    ck_assert_msg(info.sched.weight == weight && info.sched.cap == cap,
                  "%s runs with weight %d cap %d, not %d/%d", dom,
                  info.sched.weight, info.sched.cap, weight, cap);
}

/* Run the loop until the domain runs with these values. */
static bool wait_for(struct coret *t, const char *dom, int weight, int cap,
                     int seconds)
{
    for (int i = 0; i < seconds * 20; i++) {
        if (runs_with(t, dom, weight, cap))
            return true;
        coret_spin(t, 50);
    }
    return false;
}

static void classes(struct coret *t)
{
    set_class(t, "crit", "critical");
    set_class(t, "low1", "low");
    set_class(t, "low2", "low");
    set_class(t, "low3", "low");
    admin_set(t, "low1", 200, 0);
}

/* The throttled state of the scenario: crit boosted, the low guests
 * capped at 15 % of their 4 vCPUs. */
static void expect_throttled(struct coret *t)
{
    ck_assert_msg(wait_for(t, "low1", 200, 60, 20), "low1 not throttled");
    expect(t, "low2", 300, 60);
    expect(t, "low3", 128, 60);
    expect(t, "crit", 8192, 0);
}

static void expect_base(struct coret *t)
{
    expect(t, "low1", 200, 0);
    expect(t, "low2", 300, 350);
    expect(t, "low3", 128, 0);
    expect(t, "crit", 1024, 0);
}

static void write_record(struct coret *t, const char *dom, const char *name,
                         int v)
{
    struct hv_dominfo info = coret_dom(t, dom);
    char path[XSC_PATH_MAX], rel[64], val[16];

    snprintf(rel, sizeof(rel), "sched/%s", name);
    snprintf(val, sizeof(val), "%d", v);
    ck_assert_int_eq(xsc_write_str(t->d->store, xsc_xenith_path(
                                       path, info.uuid, rel), val, NULL), 0);
}

/* What a daemon killed mid-episode leaves: the throttled values on the
 * domains, and its records saying it set them. */
static void crashed_state(struct coret *t)
{
    static const struct {
        const char *dom;
        int weight, cap;
    } left[] = {{"low1", 200, 60}, {"low2", 300, 60}, {"low3", 128, 60},
                {"crit", 8192, 0}};

    for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
        admin_set(t, left[i].dom, left[i].weight, left[i].cap);
        write_record(t, left[i].dom, "expect-weight", left[i].weight);
        write_record(t, left[i].dom, "expect-cap", left[i].cap);
    }
}

/* The service, opened by hand (no table), so that it can be stopped and
 * started again while the daemon and its host stay. */
static void *open_service(struct coret *t)
{
    struct xn_msg msg;
    void *self = NULL;

    ck_assert_msg(schedtune_service.open(t->d, &self, &msg) == 0, "%s",
                  msg.text);
    return self;
}

/* The scenario's classes set and the service throttling the overload. */
static void *start_throttled(struct coret *t)
{
    void *self;

    open_core(t);
    classes(t);
    self = open_service(t);
    expect_throttled(t);
    return self;
}

START_TEST(killed_mid_episode_restores)
{
    const struct service *svc = &schedtune_service;
    struct coret t;
    void *self = start_throttled(&t);

    /* a closing service restores what it changed */
    svc->close(self);
    expect_base(&t);
    /* killed instead: the values and records stay as they were */
    crashed_state(&t);
    self = open_service(&t);
    /* its first pass restores them, long before it could throttle again
     * (the measurement starts afresh and needs enter-after to pass) */
    ck_assert_msg(wait_for(&t, "low1", 200, 0, 1), "low1 not restored");
    expect_base(&t);
    /* and the overload, still there, is taken up again */
    expect_throttled(&t);
    svc->close(self);
    coret_close(&t);
}
END_TEST

/* Values the admin sets during an episode are theirs: a lower cap is kept
 * while throttled, a new weight becomes the base; after the release both
 * stay. */
START_TEST(admin_changes_mid_episode)
{
    const struct service *svc = &schedtune_service;
    struct coret t;
    struct xn_msg msg;
    void *self = start_throttled(&t);

    admin_set(&t, "low2", 300, 10);
    admin_set(&t, "crit", 2000, 0);
    ck_assert_msg(wait_for(&t, "crit", 16000, 0, 5), "crit's new base not "
                  "boosted");
    expect(&t, "low2", 300, 10);
    /* the overload ends: the critical guest stops */
    ck_assert_int_eq(hv_pause(t.d->hv, coret_dom(&t, "crit").domid, &msg), 0);
    ck_assert_msg(wait_for(&t, "low1", 200, 0, 10), "not released");
    expect(&t, "low2", 300, 10);
    expect(&t, "low3", 128, 0);
    expect(&t, "crit", 2000, 0);
    svc->close(self);
    coret_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sched_service");
    TCase *tc = tcase_create("service");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, killed_mid_episode_restores);
    tcase_add_test(tc, admin_changes_mid_episode);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
