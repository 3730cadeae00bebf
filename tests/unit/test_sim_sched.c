/*
 * test_sim_sched.c - the simulated host's CPU scheduler model and demand
 * traces on a fake clock: weights, caps, work conservation, paused
 * domains, pools, pinning, waiting time, traces (determinism, episode
 * timing, exact integration across edges), cpu-trace= in scenarios, the
 * driver's wait_ns, and 1,000 domains in one pool.  No timing is asserted.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv.h"
#include "sim/sim_host.h"
#include "sim/sim_scenario.h"

#include "sim_testlib.h"

static uint64_t clock_fn(void *opaque)
{
    (void)opaque;
    return simt_fake_now;
}

/* A host of `cpus` CPUs and no domain, on the fake clock at 1000 s. */
static struct sim_host *host(unsigned cpus)
{
    struct sim_host_spec spec;
    struct sim_host *h;
    struct xn_msg msg;

    simt_fake_now = 1000 * SEC;
    sim_host_spec_init(&spec);
    spec.nr_cpus = cpus;
    spec.threads_per_core = 1;
    spec.cores_per_socket = cpus;
    ck_assert_int_eq(sim_host_new(&spec, &h, &msg), 0);
    sim_host_set_clock(h, clock_fn, NULL);
    return h;
}

/* How a test domain should look; 0 / NULL fields take the defaults. */
struct want {
    const char *name;
    uint32_t vcpus;
    double demand;
    int weight;
    int cap;
    uint32_t pool;
    const char *pin;            /* hard affinity of every vCPU */
    const char *trace;          /* cpu-trace= text */
    bool paused;
};

static struct sim_dom *dom(struct sim_host *h, struct want w)
{
    struct sim_dom_spec s;
    struct sim_dom *d;
    struct xn_msg msg;
    char why[200];

    sim_dom_spec_init(&s);
    snprintf(s.name, sizeof(s.name), "%s", w.name);
    s.mem_kb = 4 * MiB;
    s.vcpus = s.vcpus_max = w.vcpus ? w.vcpus : 1;
    s.demand = w.demand;
    s.weight = w.weight ? w.weight : -1;
    s.cap = w.cap;
    s.poolid = w.pool;
    s.state = w.paused ? HV_STATE_PAUSED : HV_STATE_RUNNING;
    if (w.pin) {
        s.hard = calloc(s.vcpus_max, sizeof(*s.hard));
        ck_assert_ptr_nonnull(s.hard);
        for (uint32_t i = 0; i < s.vcpus_max; i++)
            ck_assert_int_eq(cpuset_parse(&s.hard[i], w.pin, 0, &msg), 0);
    }
    if (w.trace)
        ck_assert_msg(sim_cpu_trace_parse(w.trace, &s.cpu, why,
                                          sizeof(why)) == 0, "%s", why);
    ck_assert_msg(sim_dom_add(h, &s, &d, &msg) == 0, "%s", msg.text);
    sim_dom_spec_dispose(&s);
    return d;
}

static double secs(uint64_t ns)
{
    return (double)ns / SEC;
}

/* |a - b| <= rel x |b| */
#define NEAR(a, b, rel)                                                    \
    ck_assert_msg((a) - (b) <= (rel) * (b) && (b) - (a) <= (rel) * (b),    \
                  "%s = %.6f, want %.6f", #a, (double)(a), (double)(b))

START_TEST(weights_split_under_contention)
{
    struct sim_host *h = host(4);
    struct sim_dom *a = dom(h, (struct want){ "a", 4, 4, 512, 0, 0, 0, 0, 0 });
    struct sim_dom *b = dom(h, (struct want){ "b", 4, 4, 256, 0, 0, 0, 0, 0 });
    struct hv_sched_params p = { HV_SCHED_UNKNOWN, 256, -1 };
    struct xn_msg msg;

    simt_fake_now += 30 * SEC;
    NEAR(secs(sim_dom_cpu_time(h, a)), 80.0, 0.01);
    NEAR(secs(sim_dom_cpu_time(h, b)), 40.0, 0.01);
    NEAR(sim_dom_rate(a) / sim_dom_rate(b), 2.0, 0.01);
    /* equal weights from now on: the time so far stays as it was */
    ck_assert_int_eq(sim_dom_sched_set(h, a, &p, &msg), 0);
    simt_fake_now += 10 * SEC;
    NEAR(secs(sim_dom_cpu_time(h, a)), 100.0, 0.01);
    NEAR(secs(sim_dom_cpu_time(h, b)), 60.0, 0.01);
    sim_host_free(h);
}
END_TEST

START_TEST(cap_limits)
{
    struct sim_host *h = host(4);
    struct sim_dom *a = dom(h, (struct want){ "a", 2, 2, 0, 50, 0, 0, 0, 0 });
    struct hv_sched_params p = { HV_SCHED_UNKNOWN, -1, 0 };
    struct xn_msg msg;

    simt_fake_now += 10 * SEC;
    NEAR(sim_dom_rate(a), 0.5, 1e-9);
    NEAR(secs(sim_dom_cpu_time(h, a)), 5.0, 1e-9);
    /* parked by its cap: that is waiting, as Xen counts it */
    NEAR(secs(sim_dom_wait_ns(h, a)), 15.0, 1e-9);
    NEAR(secs(sim_dom_wanted_ns(h, a)), 20.0, 1e-9);
    ck_assert_int_eq(sim_dom_sched_set(h, a, &p, &msg), 0);   /* no cap */
    simt_fake_now += 10 * SEC;
    NEAR(secs(sim_dom_cpu_time(h, a)), 25.0, 1e-9);
    NEAR(secs(sim_dom_wait_ns(h, a)), 15.0, 1e-9);
    sim_host_free(h);
}
END_TEST

START_TEST(work_conserving)
{
    struct sim_host *h = host(4);
    struct sim_dom *idle = dom(h, (struct want){ "idle", 4, 0.5, 0, 0, 0,
                                                 0, 0, 0 });
    struct sim_dom *busy = dom(h, (struct want){ "busy", 8, 8, 0, 0, 0,
                                                 0, 0, 0 });

    simt_fake_now += 10 * SEC;
    NEAR(sim_dom_rate(idle), 0.5, 1e-9);
    NEAR(sim_dom_rate(busy), 3.5, 1e-9);
    NEAR(secs(sim_dom_cpu_time(h, busy)), 35.0, 1e-9);
    ck_assert_uint_eq(sim_dom_wait_ns(h, idle), 0);
    NEAR(secs(sim_dom_wait_ns(h, busy)), 45.0, 1e-9);
    /* the idle one goes quiet: the busy one takes all four */
    sim_dom_set_demand(h, idle, 0);
    ck_assert_int_eq(sim_dom_state(idle), HV_STATE_BLOCKED);
    simt_fake_now += 10 * SEC;
    NEAR(secs(sim_dom_cpu_time(h, busy)), 75.0, 1e-9);
    NEAR(secs(sim_dom_cpu_time(h, idle)), 5.0, 1e-9);
    sim_host_free(h);
}
END_TEST

START_TEST(paused_take_nothing)
{
    struct sim_host *h = host(4);
    struct sim_dom *a = dom(h, (struct want){ "a", 4, 4, 0, 0, 0, 0, 0,
                                              true });
    struct sim_dom *b = dom(h, (struct want){ "b", 4, 4, 0, 0, 0, 0, 0, 0 });
    struct xn_msg msg;

    simt_fake_now += 10 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, a), 0);
    ck_assert_uint_eq(sim_dom_wait_ns(h, a), 0);
    ck_assert_uint_eq(sim_dom_wanted_ns(h, a), 0);
    ck_assert_int_eq(sim_dom_state(a), HV_STATE_PAUSED);
    NEAR(secs(sim_dom_cpu_time(h, b)), 40.0, 1e-9);
    ck_assert_uint_eq(sim_dom_wait_ns(h, b), 0);
    ck_assert_int_eq(sim_dom_unpause(h, a, &msg), 0);
    simt_fake_now += 10 * SEC;
    NEAR(secs(sim_dom_cpu_time(h, a)), 20.0, 1e-9);
    NEAR(secs(sim_dom_cpu_time(h, b)), 60.0, 1e-9);
    /* shut down and dying domains take nothing either */
    ck_assert_int_eq(sim_dom_suspend(h, a, &msg), 0);
    ck_assert_int_eq(sim_dom_destroy(h, b, &msg), 0);
    simt_fake_now += 1 * SEC;
    NEAR(secs(sim_dom_cpu_time(h, a)), 20.0, 1e-9);
    NEAR(secs(sim_dom_cpu_time(h, b)), 60.0, 1e-9);
    sim_host_free(h);
}
END_TEST

START_TEST(pools_are_independent)
{
    struct sim_host *h = host(4);
    struct cpuset cpus;
    struct xn_msg msg;
    uint32_t pid;
    struct sim_dom *a, *b, *c;

    ck_assert_int_eq(cpuset_parse(&cpus, "2-3", 4, &msg), 0);
    ck_assert_int_eq(sim_pool_add(h, "p1", HV_SCHED_CREDIT, &cpus, &pid,
                                  &msg), 0);
    a = dom(h, (struct want){ "a", 4, 4, 1000, 0, 0, 0, 0, 0 });
    b = dom(h, (struct want){ "b", 4, 4, 10, 0, pid, 0, 0, 0 });
    c = dom(h, (struct want){ "c", 4, 4, 30, 0, pid, 0, 0, 0 });
    simt_fake_now += 10 * SEC;
    NEAR(secs(sim_dom_cpu_time(h, a)), 20.0, 1e-9);   /* Pool-0: 0-1 */
    NEAR(secs(sim_dom_cpu_time(h, b)), 5.0, 1e-9);
    NEAR(secs(sim_dom_cpu_time(h, c)), 15.0, 1e-9);
    sim_host_free(h);
}
END_TEST

START_TEST(pinning_limits)
{
    struct sim_host *h = host(4);
    struct sim_dom *a = dom(h, (struct want){ "a", 4, 4, 0, 0, 0, "0", 0,
                                              0 });
    struct sim_dom *b = dom(h, (struct want){ "b", 4, 4, 0, 0, 0, 0, 0, 0 });
    struct cpuset c01;
    struct xn_msg msg;
    struct sim_dom *c;

    simt_fake_now += 10 * SEC;
    NEAR(sim_dom_rate(a), 1.0, 1e-9);       /* one CPU at most */
    NEAR(sim_dom_rate(b), 3.0, 1e-9);
    NEAR(secs(sim_dom_wait_ns(h, a)), 30.0, 1e-9);
    /* two pinned to CPU 0 share it; b keeps the other three */
    c = dom(h, (struct want){ "c", 2, 2, 0, 0, 0, "0", 0, 0 });
    simt_fake_now += 10 * SEC;
    NEAR(sim_dom_rate(a), 0.5, 1e-9);
    NEAR(sim_dom_rate(c), 0.5, 1e-9);
    NEAR(sim_dom_rate(b), 3.0, 1e-9);
    NEAR(secs(sim_dom_cpu_time(h, a)), 15.0, 1e-9);
    /* nested sets: c on 0-1 now; a within it, b everywhere */
    ck_assert_int_eq(cpuset_parse(&c01, "0-1", 4, &msg), 0);
    ck_assert_int_eq(sim_dom_pin(h, c, -1, &c01, NULL, &msg), 0);
    simt_fake_now += 10 * SEC;
    /* equal weights: a is held to its one CPU, c to what a leaves of
     * CPUs 0-1, b takes the rest */
    NEAR(sim_dom_rate(a), 1.0, 1e-9);
    NEAR(sim_dom_rate(c), 1.0, 1e-9);
    NEAR(sim_dom_rate(b), 2.0, 1e-9);
    NEAR(secs(sim_dom_cpu_time(h, c)), 15.0, 1e-9);
    sim_host_free(h);
}
END_TEST

START_TEST(wait_only_under_contention)
{
    struct sim_host *h = host(4);
    struct sim_dom *a = dom(h, (struct want){ "a", 2, 1.5, 0, 0, 0, 0, 0,
                                              0 });
    struct sim_dom *hog;

    simt_fake_now += 10 * SEC;
    ck_assert_uint_eq(sim_dom_wait_ns(h, a), 0);
    NEAR(secs(sim_dom_wanted_ns(h, a)), 15.0, 1e-9);
    hog = dom(h, (struct want){ "hog", 8, 8, 0, 0, 0, 0, 0, 0 });
    simt_fake_now += 10 * SEC;
    ck_assert_uint_eq(sim_dom_wait_ns(h, a), 0);      /* share 2 > 1.5 */
    NEAR(secs(sim_dom_wait_ns(h, hog)), 55.0, 1e-9);   /* 8 - 2.5 */
    dom(h, (struct want){ "hog2", 8, 8, 0, 0, 0, 0, 0, 0 });
    simt_fake_now += 10 * SEC;                          /* 4/3 each */
    NEAR(secs(sim_dom_wait_ns(h, a)), 10 * (1.5 - 4.0 / 3), 1e-6);
    sim_host_free(h);
}
END_TEST

START_TEST(trace_determinism)
{
    struct sim_cpu_trace t1, t2, t3;
    char why[200];
    bool differ = false;

    ck_assert_int_eq(sim_cpu_trace_parse("steady:base=2,noise=0.5,seed=7",
                                         &t1, why, sizeof(why)), 0);
    ck_assert_int_eq(sim_cpu_trace_parse("steady:base=2,noise=0.5,seed=7",
                                         &t2, why, sizeof(why)), 0);
    ck_assert_int_eq(sim_cpu_trace_parse("steady:base=2,noise=0.5,seed=8,"
                                         "step=1000", &t3, why,
                                         sizeof(why)), 0);
    for (uint64_t s = 0; s < 200; s++) {
        uint64_t t = s * SEC + SEC / 3;
        double v = sim_cpu_trace_demand(&t1, t);
        ck_assert(v == sim_cpu_trace_demand(&t2, t));
        ck_assert(v == sim_cpu_trace_demand(&t1, s * SEC)); /* per step */
        ck_assert(v >= 1.0 && v <= 3.0);
        ck_assert_uint_eq(sim_cpu_trace_next(&t1, t), (s + 1) * SEC);
        differ |= v != sim_cpu_trace_demand(&t3, t);
    }
    ck_assert(differ);
    /* without noise, steady never changes */
    ck_assert_int_eq(sim_cpu_trace_parse("steady:base=0.75", &t1, why,
                                         sizeof(why)), 0);
    ck_assert(sim_cpu_trace_demand(&t1, 12345 * SEC) == 0.75);
    ck_assert_uint_eq(sim_cpu_trace_next(&t1, 0), UINT64_MAX);
    /* steps: 0 before the first */
    ck_assert_int_eq(sim_cpu_trace_parse("steps:10=1,20.5=2.5,30=0", &t1,
                                         why, sizeof(why)), 0);
    ck_assert(sim_cpu_trace_demand(&t1, 9 * SEC) == 0);
    ck_assert(sim_cpu_trace_demand(&t1, 10 * SEC) == 1);
    ck_assert(sim_cpu_trace_demand(&t1, 20 * SEC) == 1);
    ck_assert(sim_cpu_trace_demand(&t1, 20500 * SIM_MS) == 2.5);
    ck_assert(sim_cpu_trace_demand(&t1, 99 * SEC) == 0);
    ck_assert_uint_eq(sim_cpu_trace_next(&t1, 10 * SEC), 20500 * SIM_MS);
    ck_assert_uint_eq(sim_cpu_trace_next(&t1, 30 * SEC), UINT64_MAX);
}
END_TEST

START_TEST(trace_errors)
{
    static const struct { const char *text, *why; } bad[] = {
        { "flat:base=1", "kind \"flat\" is not steady, bursts, episodes or "
                         "steps" },
        { "steady", "steady needs base=CPUS" },
        { "steady:base=x", "base \"x\" is not a number of CPUs from 0 to "
                           "512 (e.g. 1.5)" },
        { "steady:base=1,peak=2", "\"peak\" is not a parameter of steady "
                                  "(base, noise, seed, step)" },
        { "steady:base=1,base=2", "base is given twice" },
        { "steady:base=1,noise=1.5", "noise \"1.5\" is not a number from 0 "
                                     "to 1" },
        { "steady:base=1,step=0", "step \"0\" is not a whole number of "
                                  "milliseconds from 1 to 3600000" },
        { "bursts:base=1,peak=3,period=60", "bursts needs base=, peak=, "
                                            "period= and on=" },
        { "episodes:base=1,peak=3,period=60,on=61",
          "on (61 s) is longer than period (60 s)" },
        { "bursts:base=1,peak=3,period=0,on=0", "period \"0\" is not a "
          "number of seconds above 0, up to 10000000 (e.g. 60 or 0.5)" },
        { "steps:10=1,5=2", "step time \"5\" is not after the one before "
                            "it" },
        { "steps:", "steps needs at least one SECONDS=CPUS pair" },
        { "steps:10", "\"10\" is not NAME=VALUE" },
    };
    struct sim_cpu_trace t;
    char why[200];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(sim_cpu_trace_parse(bad[i].text, &t, why,
                                             sizeof(why)), XN_EINVAL);
        ck_assert_str_eq(why, bad[i].why);
    }
}
END_TEST

/* The bursts/episodes shape, and its time integrated exactly. */
START_TEST(episode_timing)
{
    struct sim_host *h = host(4);
    struct sim_cpu_trace t;
    char why[200];
    struct sim_dom *a;

    ck_assert_int_eq(sim_cpu_trace_parse("episodes:base=0.5,peak=3,"
                                         "period=600,on=120,phase=60", &t,
                                         why, sizeof(why)), 0);
    ck_assert(sim_cpu_trace_demand(&t, 59 * SEC) == 0.5);
    ck_assert(sim_cpu_trace_demand(&t, 60 * SEC) == 3);
    ck_assert(sim_cpu_trace_demand(&t, 180 * SEC - 1) == 3);
    ck_assert(sim_cpu_trace_demand(&t, 180 * SEC) == 0.5);
    ck_assert(sim_cpu_trace_demand(&t, 659 * SEC) == 0.5);
    ck_assert(sim_cpu_trace_demand(&t, 660 * SEC) == 3);
    ck_assert_uint_eq(sim_cpu_trace_next(&t, 0), 60 * SEC);
    ck_assert_uint_eq(sim_cpu_trace_next(&t, 60 * SEC), 180 * SEC);
    ck_assert_uint_eq(sim_cpu_trace_next(&t, 200 * SEC), 660 * SEC);

    /* on the host: time zero is the host's birth; one query after 20 min
     * integrates across four edges */
    a = dom(h, (struct want){ "a", 4, 0, 0, 0, 0, 0,
                              "episodes:base=0.5,peak=3,period=600,on=120,"
                              "phase=60", 0 });
    ck_assert_uint_eq(sim_host_born_ns(h), 1000 * SEC);
    simt_fake_now += 1200 * SEC;
    NEAR(secs(sim_dom_cpu_time(h, a)), 2 * (480 * 0.5 + 120 * 3), 1e-9);
    NEAR(secs(sim_dom_wanted_ns(h, a)), 2 * (480 * 0.5 + 120 * 3), 1e-9);
    ck_assert_uint_eq(sim_dom_wait_ns(h, a), 0);
    /* a competitor during the next burst only: it waits then */
    simt_fake_now += 60 * SEC;                  /* t = 1260 s: a burst */
    NEAR(sim_dom_rate(a), 3.0, 1e-9);
    dom(h, (struct want){ "b", 4, 4, 0, 0, 0, 0, 0, 0 });
    simt_fake_now += 240 * SEC;                 /* to 1500 s */
    /* 120 s of burst at 2 (wants 3), then 120 s at 0.5 */
    NEAR(secs(sim_dom_wait_ns(h, a)), 120.0, 1e-9);
    NEAR(secs(sim_dom_cpu_time(h, a)), 1200 + 30 + 240 + 60, 1e-9);
    sim_host_free(h);
}
END_TEST

/* A trace put on a running domain applies from now, on the host's time;
 * a fixed demand drops it. */
START_TEST(live_trace)
{
    struct sim_host *h = host(4);
    struct sim_dom *a = dom(h, (struct want){ "a", 4, 1, 0, 0, 0, 0, 0, 0 });
    struct sim_cpu_trace t;
    char why[200];

    simt_fake_now += 10 * SEC;
    ck_assert_int_eq(sim_cpu_trace_parse("steps:0=0,30=2", &t, why,
                                         sizeof(why)), 0);
    sim_dom_set_cpu_trace(h, a, &t);
    ck_assert(a->cpu.has_seed);                 /* the domain's */
    ck_assert_uint_eq(a->cpu.seed, a->seed);
    ck_assert_int_eq(sim_dom_state(a), HV_STATE_BLOCKED);
    simt_fake_now += 30 * SEC;                  /* t = 40 s */
    NEAR(secs(sim_dom_cpu_time(h, a)), 10 + 0 + 20, 1e-9);
    NEAR(a->demand, 2.0, 1e-12);
    sim_dom_set_demand(h, a, 0.5);
    ck_assert_int_eq(a->cpu.kind, SIM_CT_NONE);
    simt_fake_now += 10 * SEC;
    NEAR(secs(sim_dom_cpu_time(h, a)), 35.0, 1e-9);
    sim_host_free(h);
}
END_TEST

static char *write_scenario(const char *xml)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof(path), "/tmp/test_sim_sched.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
    close(fd);
    return path;
}

static int load(const char *xml, struct sim_host **h_r, struct xn_msg *msg)
{
    char *path = write_scenario(xml);
    int rc;

    simt_fake_now = 1000 * SEC;
    rc = sim_scenario_load(path, NULL, clock_fn, NULL, h_r, msg);
    unlink(path);
    return rc;
}

START_TEST(scenario_cpu_trace)
{
    struct sim_host *h = NULL;
    struct xn_msg msg;
    struct sim_dom *d;

    ck_assert_int_eq(load("<host cpus=\"4\" threads-per-core=\"1\">\n"
                          "  <dom0 cpu-trace=\"steady:base=0.1\"/>\n"
                          "  <domain name=\"w\" memory=\"64MiB\" vcpus=\"2\"\n"
                          "   cpu-trace=\"bursts:base=0.5,peak=2,period=10,"
                          "on=2,noise=0.1,seed=5\"/>\n"
                          "</host>\n", &h, &msg), 0);
    d = simt_named(h, "w");
    ck_assert_int_eq(d->cpu.kind, SIM_CT_BURSTS);
    ck_assert_uint_eq(d->cpu.seed, 5);
    ck_assert_uint_eq(d->cpu.period_ns, 10 * SEC);
    ck_assert(sim_dom_get(h, 0)->cpu.kind == SIM_CT_STEADY);
    simt_fake_now += 10 * SEC;
    ck_assert_uint_gt(sim_dom_cpu_time(h, d), 0);
    sim_host_free(h);

    h = NULL;
    ck_assert_int_eq(load("<host cpus=\"4\" threads-per-core=\"1\">\n"
                          "  <domain name=\"w\" memory=\"64MiB\"\n"
                          "   cpu-trace=\"bursts:base=0.5,peak=2,period=10,"
                          "on=zz\"/>\n"
                          "</host>\n", &h, &msg), XN_EINVAL);
    ck_assert_ptr_null(h);
    ck_assert_msg(strstr(msg.text, ":3: domain \"w\": cpu-trace "
                         "\"bursts:base=0.5,peak=2,period=10,on=zz\" is not "
                         "a CPU trace: on \"zz\" is not a number of "
                         "seconds from 0 to 10000000 (e.g. 60 or 0.5)") != NULL,
                  "%s", msg.text);
    ck_assert_int_eq(load("<host>\n  <domain name=\"w\" memory=\"64MiB\" "
                          "demand=\"1\" cpu-trace=\"steady:base=1\"/>\n"
                          "</host>\n", &h, &msg), XN_EINVAL);
    ck_assert_msg(strstr(msg.text, ":2: domain \"w\": cpu-trace "
                         "\"steady:base=1\" and demand \"1\" are both "
                         "given") != NULL, "%s", msg.text);
}
END_TEST

/* The driver reports the waiting time it knows. */
START_TEST(driver_wait_known)
{
    struct simt t;
    struct hv_dominfo info;
    struct xn_msg msg;

    simt_open(&t, "sim:///schedtest", NULL);
    ck_assert_int_eq(hv_dom_info(t.hv, 1, &info, &msg), 0);
    ck_assert(info.wait_known);
    ck_assert_uint_eq(info.wait_ns, 0);     /* 8 CPUs, little demand */
    simt_close(&t);
}
END_TEST

START_TEST(thousand_domains)
{
    struct sim_host *h = host(8);
    struct sim_dom *d;
    double sum = 0;
    uint64_t cpu = 0, wanted = 0, wait = 0;

    for (int i = 0; i < 1000; i++) {
        char name[16], trace[96];
        snprintf(name, sizeof(name), "vm%04d", i);
        snprintf(trace, sizeof(trace), "bursts:base=0.01,peak=0.5,"
                 "period=%d,on=5,noise=0.2,seed=%d", 20 + i % 7, i);
        dom(h, (struct want){ name, 1 + i % 4, 0, 1 + i % 512,
                              i % 10 == 0 ? 20 : 0, 0,
                              i % 50 == 0 ? "0-1" : NULL, trace, 0 });
    }
    simt_fake_now += 60 * SEC;
    for (d = sim_dom_next(h, NULL); d; d = sim_dom_next(h, d)) {
        cpu += sim_dom_cpu_time(h, d);
        wanted += sim_dom_wanted_ns(h, d);
        wait += sim_dom_wait_ns(h, d);
        sum += sim_dom_rate(d);
    }
    /* within rounding (half a ns a domain and a piece) */
    ck_assert(sum <= 8 + 1e-6);
    ck_assert(cpu <= 8 * 60 * SEC + 1000000);
    ck_assert(cpu <= wanted + 1000000);
    ck_assert(cpu + wait <= wanted + 1000000 &&
              wanted <= cpu + wait + 1000000);
    ck_assert(wait > 0);        /* 1000 bursts on 8 CPUs: contention */
    sim_host_free(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim_sched");
    TCase *sched = tcase_create("sched"), *trace = tcase_create("trace");

    tcase_add_test(sched, weights_split_under_contention);
    tcase_add_test(sched, cap_limits);
    tcase_add_test(sched, work_conserving);
    tcase_add_test(sched, paused_take_nothing);
    tcase_add_test(sched, pools_are_independent);
    tcase_add_test(sched, pinning_limits);
    tcase_add_test(sched, wait_only_under_contention);
    tcase_add_test(sched, driver_wait_known);
    tcase_add_test(sched, thousand_domains);
    tcase_set_timeout(sched, 60);
    tcase_add_test(trace, trace_determinism);
    tcase_add_test(trace, trace_errors);
    tcase_add_test(trace, episode_timing);
    tcase_add_test(trace, live_trace);
    tcase_add_test(trace, scenario_cpu_trace);
    suite_add_tcase(s, sched);
    suite_add_tcase(s, trace);
    return simt_run(s);
}
