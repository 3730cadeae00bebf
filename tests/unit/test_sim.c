/*
 * test_sim.c - the simulated host: the model on a fake clock, scenario
 * files (tests/sim/, bad-*.xml with the exact message in bad-*.err), the
 * image codec, and the sim:/// driver on a real libevent loop.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "hv.h"
#include "sim/sim_config.h"
#include "sim/sim_drv.h"
#include "sim/sim_host.h"
#include "sim/sim_image.h"
#include "sim/sim_scenario.h"

#define MiB 1024ull
#define GiB (1024ull * 1024)
#define SEC 1000000000ull

static const char *srcdir(void)
{
    const char *d = getenv("XENITH_SRCDIR");
    return d && *d ? d : ".";
}

static char *fixture(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/tests/sim/%s", srcdir(), name);
    return buf;
}

/* --- a fake clock for the model --- */

static uint64_t fake_now;

static uint64_t fake_clock(void *opaque)
{
    (void)opaque;
    return fake_now;
}

static struct sim_host *load(const char *file)
{
    struct sim_host *h = NULL;
    struct xn_msg msg;
    char path[512];
    int rc;

    fake_now = 1000 * SEC;
    rc = sim_scenario_load(file ? fixture(file, path, sizeof(path)) : NULL,
                           NULL, fake_clock, NULL, &h, &msg);
    ck_assert_msg(rc == 0, "loading %s: %s", file ? file : "built-in",
                  msg.text);
    return h;
}

static struct sim_dom *named(struct sim_host *h, const char *name)
{
    struct sim_dom *d = sim_dom_by_name(h, name);
    ck_assert_msg(d != NULL, "no domain %s", name);
    return d;
}

/* --- scenarios --- */

START_TEST(default_scenario)
{
    struct sim_host *h = load(NULL);
    const struct sim_host_spec *s = sim_host_spec(h);
    struct sim_dom *d0 = sim_dom_get(h, 0), *web = sim_dom_get(h, 1),
                   *db = sim_dom_get(h, 2);
    static const uint8_t web_uuid[16] = {
        0x5e, 0x1a, 0x0c, 0x3e, 0x7b, 0x2d, 0x4d, 0x1e,
        0x9f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    };

    ck_assert_str_eq(s->name, "default");
    ck_assert_uint_eq(s->nr_cpus, 8);
    ck_assert_uint_eq(s->threads_per_core, 2);
    ck_assert_uint_eq(s->cores_per_socket, 4);
    ck_assert_uint_eq(s->total_kb, 16 * GiB);
    ck_assert_str_eq(s->version, "4.17.0-sim");
    ck_assert_int_eq(sim_pool_get(h, 0)->sched, HV_SCHED_CREDIT2);
    ck_assert_int_eq(sim_pool_get(h, 0)->ratelimit_us, 1000);
    ck_assert_int_eq(sim_pool_get(h, 0)->tslice_ms, -1);
    ck_assert_uint_eq(sim_pool_count(h), 1);
    ck_assert_uint_eq(sim_pool_get(h, 0)->n_dom, 3);
    ck_assert_uint_eq(sim_host_n_dom(h), 3);

    ck_assert_str_eq(d0->name, "Domain-0");
    ck_assert_uint_eq(d0->mem_kb, 2 * GiB);
    ck_assert_uint_eq(d0->vcpus_online, 2);
    ck_assert_int_eq(d0->type, HV_TYPE_PV);
    ck_assert_str_eq(web->name, "web1");
    ck_assert_int_eq(web->type, HV_TYPE_PVH);
    ck_assert_uint_eq(web->mem_kb, 1 * GiB);
    ck_assert_uint_eq(web->vcpus_max, 2);
    ck_assert_mem_eq(web->uuid, web_uuid, 16);
    ck_assert_str_eq(db->name, "db1");
    ck_assert_int_eq(db->type, HV_TYPE_PV);
    ck_assert_uint_eq(db->mem_kb, 2 * GiB);
    ck_assert_uint_eq(db->vcpus_online, 4);
    ck_assert_int_eq(sim_dom_state(db), HV_STATE_RUNNING);
    /* 16 GiB - 128 MiB overhead - 5 GiB of domains */
    ck_assert_uint_eq(sim_host_free_kb(h), (16384 - 128 - 5120) * MiB);
    ck_assert_ptr_null(sim_dom_get(h, 3));
    sim_host_free(h);
}
END_TEST

START_TEST(scenario_file)
{
    struct sim_host *h = load("two-pools.xml");
    const struct sim_host_spec *s = sim_host_spec(h);
    struct sim_pool *p0 = sim_pool_get(h, 0), *batch;
    struct sim_dom *d;
    struct cpuset want;
    char buf[64];

    ck_assert_str_eq(s->name, "lab");
    ck_assert_uint_eq(s->cpu_mhz, 3000);
    ck_assert_str_eq(s->version, "4.17.3-sim");
    ck_assert_uint_eq(sim_pool_count(h), 2);
    batch = sim_pool_by_name(h, "batch");
    ck_assert_ptr_nonnull(batch);
    ck_assert_uint_eq(batch->id, 1);
    ck_assert_int_eq(batch->sched, HV_SCHED_CREDIT);
    ck_assert_int_eq(batch->tslice_ms, 10);
    ck_assert_int_eq(batch->ratelimit_us, 500);
    ck_assert_str_eq(cpuset_format(&batch->cpus, 0, buf, sizeof(buf)),
                     "6-7");
    ck_assert_str_eq(cpuset_format(&p0->cpus, 0, buf, sizeof(buf)), "0-5");
    ck_assert_int_eq(p0->ratelimit_us, 2000);
    ck_assert_uint_eq(batch->n_dom, 1);

    ck_assert_uint_eq(sim_dom_get(h, 0)->mem_kb, 1 * GiB);
    ck_assert_uint_eq(sim_dom_get(h, 0)->vcpus_online, 1);
    d = named(h, "idle");
    ck_assert_uint_eq(d->domid, 1);
    ck_assert_int_eq(d->type, HV_TYPE_HVM);
    ck_assert_int_eq(d->state, HV_STATE_PAUSED);
    ck_assert_uint_eq(d->max_kb, 1 * GiB);
    ck_assert(named(h, "stubborn")->ignore_shutdown);
    ck_assert_uint_eq(named(h, "slow")->shutdown_delay_ns, 50000000ull);
    d = named(h, "batch1");
    ck_assert_uint_eq(d->poolid, 1);
    ck_assert_int_eq(d->weight, 512);
    ck_assert_int_eq(d->cap, 50);
    ck_assert_uint_eq(d->vcpus_online, 2);
    ck_assert_uint_eq(d->vcpus_max, 4);
    ck_assert(d->vcpus[0].cpu == 6 || d->vcpus[0].cpu == 7);
    ck_assert_int_eq(d->vcpus[3].cpu, -1);
    d = named(h, "crashed");
    ck_assert_int_eq(d->state, HV_STATE_SHUTDOWN);
    ck_assert_int_eq(d->reason, HV_SHUTDOWN_CRASH);
    d = named(h, "pinned");
    cpuset_clear(&want);
    cpuset_add(&want, 0);
    cpuset_add(&want, 1);
    ck_assert(cpuset_equal(&d->vcpus[1].hard, &want));
    ck_assert(d->vcpus[0].cpu == 0 || d->vcpus[0].cpu == 1);
    ck_assert(cpuset_has(&d->vcpus[0].soft, 1));
    ck_assert_uint_eq(cpuset_count(&d->vcpus[0].soft), 1);
    sim_host_free(h);

    h = load("minimal.xml");
    ck_assert_uint_eq(sim_host_n_dom(h), 1);
    ck_assert_uint_eq(sim_dom_get(h, 0)->mem_kb, 2 * GiB);
    sim_host_free(h);
}
END_TEST

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 4096);
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    n = fread(buf, 1, 4095, f);
    fclose(f);
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return buf;
}

/* Every tests/sim/bad-*.xml fails with exactly the sentence in its .err
 * (where FILE stands for the fixture's path). */
START_TEST(scenario_errors)
{
    char pattern[512];
    glob_t g;

    snprintf(pattern, sizeof(pattern), "%s/tests/sim/bad-*.xml", srcdir());
    ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
    ck_assert_uint_ge(g.gl_pathc, 15);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *xml = g.gl_pathv[i];
        char errpath[512], want[XN_MSG_MAX * 2], *tmpl, *at;
        struct sim_host *h = NULL;
        struct xn_msg msg;
        int rc;

        snprintf(errpath, sizeof(errpath), "%.*s.err",
                 (int)(strlen(xml) - 4), xml);
        tmpl = slurp(errpath);
        at = strstr(tmpl, "FILE");
        ck_assert_msg(at != NULL, "%s has no FILE", errpath);
        snprintf(want, sizeof(want), "%.*s%s%s", (int)(at - tmpl), tmpl, xml,
                 at + 4);
        rc = sim_scenario_load(xml, NULL, NULL, NULL, &h, &msg);
        ck_assert_msg(rc == XN_EINVAL, "%s: rc %d", xml, rc);
        ck_assert_ptr_null(h);
        ck_assert_str_eq(msg.text, want);
        free(tmpl);
    }
    globfree(&g);
}
END_TEST

START_TEST(scenario_missing_file)
{
    struct sim_host *h = NULL;
    struct xn_msg msg;

    ck_assert_int_eq(sim_scenario_load("/nonexistent/x.xml", NULL, NULL,
                                       NULL, &h, &msg), XN_ENOENT);
    ck_assert_str_eq(msg.text, "cannot read scenario /nonexistent/x.xml: No "
                     "such file or directory");
}
END_TEST

/* --- the model --- */

START_TEST(cpu_time_follows_the_clock)
{
    struct sim_host *h = load(NULL);
    struct sim_dom *db = named(h, "db1"), *d0 = sim_dom_get(h, 0);
    struct xn_msg msg;
    struct hv_sched_params p = { HV_SCHED_UNKNOWN, -1, 50 };

    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 0);
    fake_now += 2 * SEC;                    /* demand 1.5 */
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 3 * SEC);
    ck_assert_uint_eq(sim_dom_cpu_time(h, d0), 8 * SEC / 10); /* 0.2 x 2 */
    ck_assert_uint_eq(sim_vcpu_time(h, db, 0) + sim_vcpu_time(h, db, 1) +
                      sim_vcpu_time(h, db, 2) + sim_vcpu_time(h, db, 3),
                      3 * SEC);

    ck_assert_int_eq(sim_dom_pause(h, db, &msg), 0);
    fake_now += 5 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 3 * SEC);
    ck_assert_int_eq(sim_dom_state(db), HV_STATE_PAUSED);
    ck_assert_int_eq(sim_dom_unpause(h, db, &msg), 0);
    fake_now += 1 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 4500000000ull);

    /* at most its online vCPUs */
    ck_assert_int_eq(sim_dom_set_vcpus(h, db, 1, &msg), 0);
    fake_now += 1 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 5500000000ull);
    /* and its cap */
    ck_assert_int_eq(sim_dom_sched_set(h, db, &p, &msg), 0);
    fake_now += 2 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 6500000000ull);
    /* idle: blocked, no time */
    sim_dom_set_demand(h, db, 0);
    ck_assert_int_eq(sim_dom_state(db), HV_STATE_BLOCKED);
    fake_now += 2 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 6500000000ull);
    sim_host_free(h);
}
END_TEST

START_TEST(shutdown_after_delay)
{
    struct sim_host *h = load("two-pools.xml");
    struct sim_dom *slow = named(h, "slow"), *stub = named(h, "stubborn");
    uint32_t slow_id = slow->domid;
    struct sim_event ev;
    struct xn_msg msg;
    uint64_t due;

    ck_assert(!sim_host_next_due(h, &due));
    ck_assert_int_eq(sim_dom_request_shutdown(h, slow, false, &msg), 0);
    ck_assert(sim_host_next_due(h, &due));
    ck_assert_uint_eq(due, fake_now + 50000000ull);
    fake_now += 49000000ull;
    ck_assert(!sim_host_step(h, &ev));
    ck_assert_int_eq(slow->state, HV_STATE_RUNNING);
    fake_now += 1000000ull;
    ck_assert(sim_host_step(h, &ev));
    ck_assert_int_eq(ev.type, SIM_EV_SHUTDOWN);
    ck_assert_uint_eq(ev.domid, slow_id);
    ck_assert_str_eq(ev.name, "slow");
    ck_assert_int_eq(ev.reason, HV_SHUTDOWN_POWEROFF);
    ck_assert_int_eq(slow->state, HV_STATE_SHUTDOWN);
    ck_assert_int_eq(slow->reason, HV_SHUTDOWN_POWEROFF);
    ck_assert_int_eq(sim_dom_request_shutdown(h, slow, false, &msg),
                     XN_ESTATE);
    ck_assert_str_eq(msg.text, "domain 3 (slow) has already shut down "
                     "(poweroff)");
    ck_assert_int_eq(sim_dom_pause(h, slow, &msg), XN_ESTATE);

    /* a guest that ignores requests never acts */
    ck_assert_int_eq(sim_dom_request_shutdown(h, stub, true, &msg), 0);
    ck_assert(!sim_host_next_due(h, &due));
    fake_now += 100 * SEC;
    ck_assert(!sim_host_step(h, &ev));
    ck_assert_int_eq(stub->state, HV_STATE_RUNNING);

    /* a paused guest acts once unpaused, a delay later */
    slow = named(h, "pinned");
    ck_assert_int_eq(sim_dom_pause(h, slow, &msg), 0);
    ck_assert_int_eq(sim_dom_request_shutdown(h, slow, true, &msg), 0);
    fake_now += 1 * SEC;
    ck_assert(!sim_host_step(h, &ev));
    ck_assert_int_eq(slow->state, HV_STATE_PAUSED);
    ck_assert_int_eq(sim_dom_unpause(h, slow, &msg), 0);
    fake_now += SIM_SHUTDOWN_DELAY_NS;
    ck_assert(sim_host_step(h, &ev));
    ck_assert_int_eq(ev.reason, HV_SHUTDOWN_REBOOT);
    ck_assert_int_eq(slow->reason, HV_SHUTDOWN_REBOOT);
    sim_host_free(h);
}
END_TEST

START_TEST(destroy_returns_memory)
{
    struct sim_host *h = load(NULL);
    uint64_t free0 = sim_host_free_kb(h);
    struct sim_dom *web = named(h, "web1");
    struct sim_event ev;
    struct xn_msg msg;

    ck_assert_int_eq(sim_dom_request_shutdown(h, web, false, &msg), 0);
    ck_assert_int_eq(sim_dom_destroy(h, web, &msg), 0);
    ck_assert_int_eq(web->state, HV_STATE_DYING);
    ck_assert_int_eq(sim_dom_destroy(h, web, &msg), 0);  /* no-op */
    ck_assert_int_eq(sim_dom_pause(h, web, &msg), XN_ESTATE);
    ck_assert_str_eq(msg.text, "domain 1 (web1) is being destroyed");
    ck_assert_uint_eq(sim_host_free_kb(h), free0);
    fake_now += SIM_DYING_NS;
    ck_assert(sim_host_step(h, &ev));
    ck_assert_int_eq(ev.type, SIM_EV_DEATH);
    ck_assert_str_eq(ev.name, "web1");
    ck_assert(!sim_host_step(h, &ev));      /* the shutdown died with it */
    ck_assert_ptr_null(sim_dom_get(h, 1));
    ck_assert_ptr_null(sim_dom_by_name(h, "web1"));
    ck_assert_uint_eq(sim_host_free_kb(h), free0 + 1 * GiB);
    sim_host_free(h);
}
END_TEST

static struct sim_dom *add(struct sim_host *h, const char *name,
                           uint64_t mem_kb, struct xn_msg *msg, int *rc_r)
{
    struct sim_dom_spec s;
    struct sim_dom *d = NULL;

    sim_dom_spec_init(&s);
    snprintf(s.name, sizeof(s.name), "%s", name);
    s.mem_kb = mem_kb;
    s.vcpus_max = 2;
    *rc_r = sim_dom_add(h, &s, &d, msg);
    sim_dom_spec_dispose(&s);
    return d;
}

START_TEST(accounting)
{
    struct sim_host *h = load(NULL);
    uint64_t free0 = sim_host_free_kb(h);
    struct sim_dom *d;
    struct xn_msg msg;
    int rc;

    d = add(h, "web2", 512 * MiB, &msg, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(d->domid, 3);
    ck_assert_uint_eq(sim_host_free_kb(h), free0 - 512 * MiB);
    add(h, "web2", 512 * MiB, &msg, &rc);
    ck_assert_int_eq(rc, XN_EEXIST);
    ck_assert_str_eq(msg.text, "a domain named \"web2\" already exists "
                     "(domain 3)");
    add(h, "huge", 64 * GiB, &msg, &rc);
    ck_assert_int_eq(rc, XN_ENOMEM);
    ck_assert_str_eq(msg.text, "cannot create huge: it needs 65536 MiB but "
                     "the host has 10624 MiB free");
    sim_dom_remove(h, d);
    ck_assert_uint_eq(sim_host_free_kb(h), free0);
    d = add(h, "web3", 1 * GiB, &msg, &rc);
    ck_assert_uint_eq(d->domid, 4);         /* ids are never reused */
    sim_host_free(h);
}
END_TEST

START_TEST(memory_rules)
{
    struct sim_host *h = load(NULL);
    struct sim_dom *web = named(h, "web1");
    uint64_t free0 = sim_host_free_kb(h);
    struct xn_msg msg;

    ck_assert_int_eq(sim_dom_set_target(h, web, 2 * GiB, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "cannot set the memory target of domain 1 "
                     "(web1) to 2048 MiB: its maximum is 1024 MiB");
    ck_assert_int_eq(sim_dom_set_target(h, web, 512 * MiB, &msg), 0);
    ck_assert_uint_eq(web->mem_kb, 512 * MiB);
    ck_assert_uint_eq(web->target_kb, 512 * MiB);
    ck_assert_uint_eq(sim_host_free_kb(h), free0 + 512 * MiB);
    ck_assert_int_eq(sim_dom_set_max(h, web, 256 * MiB, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "cannot set the maximum memory of domain 1 "
                     "(web1) to 256 MiB: it is below the domain's memory "
                     "target of 512 MiB (lower the target first)");
    ck_assert_int_eq(sim_dom_set_max(h, web, 32 * GiB, &msg), 0);
    ck_assert_int_eq(sim_dom_set_target(h, web, 16 * GiB, &msg), XN_ENOMEM);
    ck_assert_str_eq(msg.text, "cannot grow domain 1 (web1) to 16384 MiB: "
                     "it needs 15872 MiB more but the host has 11648 MiB "
                     "free");
    ck_assert_uint_eq(web->target_kb, 512 * MiB);
    ck_assert_int_eq(sim_dom_set_target(h, web, 4 * GiB, &msg), 0);
    ck_assert_uint_eq(sim_host_free_kb(h), free0 - 3 * GiB);
    /* not page aligned: the guest holds whole pages */
    ck_assert_int_eq(sim_dom_set_target(h, web, 1 * GiB + 3, &msg), 0);
    ck_assert_uint_eq(web->mem_kb, 1 * GiB);
    ck_assert_uint_eq(web->target_kb, 1 * GiB + 3);
    sim_host_free(h);
}
END_TEST

START_TEST(vcpus_and_pinning)
{
    struct sim_host *h = load(NULL);
    struct sim_dom *db = named(h, "db1");
    struct cpuset hard, bad, soft;
    struct xn_msg msg;

    ck_assert_int_eq(sim_dom_set_vcpus(h, db, 5, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "domain 2 (db1) has at most 4 vCPUs; cannot "
                     "bring 5 online");
    ck_assert_int_eq(sim_dom_set_vcpus(h, db, 2, &msg), 0);
    ck_assert_uint_eq(db->vcpus_online, 2);
    ck_assert_int_eq(db->vcpus[2].cpu, -1);
    ck_assert_int_ge(db->vcpus[1].cpu, 0);

    cpuset_clear(&bad);
    cpuset_add(&bad, 3);
    cpuset_add(&bad, 9);
    ck_assert_int_eq(sim_dom_pin(h, db, -1, &bad, NULL, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "CPU 9 does not exist on host default (CPUs "
                     "0-7)");
    cpuset_clear(&hard);
    cpuset_add(&hard, 5);
    ck_assert_int_eq(sim_dom_pin(h, db, 7, &hard, NULL, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "domain 2 (db1) has no vCPU 7 (it has 4)");
    cpuset_clear(&soft);
    cpuset_add(&soft, 4);
    ck_assert_int_eq(sim_dom_pin(h, db, 1, &hard, &soft, &msg), 0);
    ck_assert(cpuset_equal(&db->vcpus[1].hard, &hard));
    ck_assert(cpuset_equal(&db->vcpus[1].soft, &soft));
    ck_assert_int_eq(db->vcpus[1].cpu, 5);
    ck_assert_uint_eq(cpuset_count(&db->vcpus[0].hard), 8);
    ck_assert_int_eq(sim_dom_pin(h, db, -1, &hard, NULL, &msg), 0);
    ck_assert_int_eq(db->vcpus[0].cpu, 5);
    ck_assert_int_eq(db->vcpus[3].cpu, -1);     /* still offline */
    ck_assert_int_eq(sim_dom_set_vcpus(h, db, 4, &msg), 0);
    ck_assert_int_eq(db->vcpus[3].cpu, 5);
    sim_host_free(h);
}
END_TEST

START_TEST(scheduler_params)
{
    struct sim_host *h = load("two-pools.xml");
    struct sim_dom *b = named(h, "batch1"), *s = named(h, "slow");
    struct hv_sched_params p = { HV_SCHED_UNKNOWN, 0, 0 };
    struct hv_pool_sched ps = { HV_SCHED_UNKNOWN, 0, 0 };
    struct xn_msg msg;

    ck_assert_int_eq(sim_dom_sched_get(h, s, &p, &msg), 0);
    ck_assert_int_eq(p.sched, HV_SCHED_CREDIT2);
    ck_assert_int_eq(p.weight, 256);
    ck_assert_int_eq(p.cap, 0);
    p = (struct hv_sched_params){ HV_SCHED_CREDIT2, 1024, -1 };
    ck_assert_int_eq(sim_dom_sched_set(h, s, &p, &msg), 0);
    ck_assert_int_eq(s->weight, 1024);
    ck_assert_int_eq(s->cap, 0);
    p.sched = HV_SCHED_CREDIT;
    ck_assert_int_eq(sim_dom_sched_set(h, s, &p, &msg), XN_ENOTSUP);
    ck_assert_str_eq(msg.text, "domain 3 (slow) runs in pool Pool-0 under "
                     "credit2, not credit");
    ck_assert_int_eq(sim_dom_sched_get(h, b, &p, &msg), 0);
    ck_assert_int_eq(p.sched, HV_SCHED_CREDIT);
    ck_assert_int_eq(p.weight, 512);
    ck_assert_int_eq(p.cap, 50);
    p.sched = HV_SCHED_CREDIT2;
    ck_assert_int_eq(sim_dom_sched_get(h, b, &p, &msg), XN_ENOTSUP);
    ck_assert_str_eq(msg.text, "domain 4 (batch1) runs in pool batch under "
                     "credit, not credit2");

    ck_assert_int_eq(sim_pool_sched_get(h, 1, &ps, &msg), 0);
    ck_assert_int_eq(ps.sched, HV_SCHED_CREDIT);
    ck_assert_int_eq(ps.tslice_ms, 10);
    ck_assert_int_eq(ps.ratelimit_us, 500);
    ps = (struct hv_pool_sched){ HV_SCHED_CREDIT, -1, 20000 };
    ck_assert_int_eq(sim_pool_sched_set(h, 1, &ps, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "ratelimit 20000 us is longer than the 10 ms "
                     "time slice of pool batch; it must not exceed it");
    ps = (struct hv_pool_sched){ HV_SCHED_CREDIT, 30, 20000 };
    ck_assert_int_eq(sim_pool_sched_set(h, 1, &ps, &msg), 0);
    ck_assert_int_eq(sim_pool_get(h, 1)->tslice_ms, 30);
    ck_assert_int_eq(sim_pool_get(h, 1)->ratelimit_us, 20000);
    ps = (struct hv_pool_sched){ HV_SCHED_UNKNOWN, 5, -1 };
    ck_assert_int_eq(sim_pool_sched_set(h, 0, &ps, &msg), XN_ENOTSUP);
    ck_assert_str_eq(msg.text, "pool Pool-0 runs credit2, which has no time "
                     "slice (tslice is a credit parameter)");
    ps = (struct hv_pool_sched){ HV_SCHED_CREDIT, -1, -1 };
    ck_assert_int_eq(sim_pool_sched_get(h, 0, &ps, &msg), XN_ENOTSUP);
    ck_assert_str_eq(msg.text, "pool Pool-0 runs credit2, not credit");
    ck_assert_int_eq(sim_pool_sched_get(h, 9, &ps, &msg), XN_ENOENT);
    sim_host_free(h);
}
END_TEST

START_TEST(many_domains_model)
{
    struct sim_host *h = load(NULL);
    struct xn_msg msg;
    uint32_t n = 0, last = 0;
    int rc;

    for (int i = 0; i < 2000; i++) {
        char name[32];
        snprintf(name, sizeof(name), "vm%04d", i);
        add(h, name, 4 * MiB, &msg, &rc);
        ck_assert_msg(rc == 0, "%s", msg.text);
    }
    for (int i = 0; i < 2000; i += 2) {
        char name[32];
        snprintf(name, sizeof(name), "vm%04d", i);
        sim_dom_remove(h, named(h, name));
    }
    for (struct sim_dom *d = sim_dom_next(h, NULL); d;
         d = sim_dom_next(h, d)) {
        ck_assert(n == 0 || d->domid > last);
        last = d->domid;
        n++;
    }
    ck_assert_uint_eq(n, 1003);
    ck_assert_uint_eq(named(h, "vm1999")->domid, 2002);
    ck_assert_ptr_null(sim_dom_by_name(h, "vm1998"));
    sim_host_free(h);
}
END_TEST

/* --- the image codec --- */

struct blob {
    uint8_t *data;
    size_t len;
};

static void image_write(const struct sim_img_info *info, const char *config,
                        const uint32_t *gens, struct blob *out)
{
    struct sim_img_writer *w;
    const uint8_t *buf;
    size_t len;

    out->data = NULL;
    out->len = 0;
    ck_assert_int_eq(sim_img_writer_new(info, config, &w), 0);
    for (;;) {
        ck_assert_int_eq(sim_img_writer_next(w, gens, &buf, &len), 0);
        if (!len)
            break;
        out->data = realloc(out->data, out->len + len);
        memcpy(out->data + out->len, buf, len);
        out->len += len;
    }
    sim_img_writer_free(w);
}

/* Feed in uneven pieces; returns the code and leaves the reader to free. */
static int image_read(const struct blob *b, size_t limit,
                      struct sim_img_reader **r_r, struct xn_msg *msg)
{
    size_t off = 0, piece = 1;
    int rc;

    ck_assert_int_eq(sim_img_reader_new(r_r), 0);
    for (;;) {
        uint8_t *at;
        size_t room, n;
        sim_img_reader_space(*r_r, &at, &room);
        if (room == 0)
            return 0;
        if (off >= limit)
            return sim_img_reader_eof(*r_r, msg);
        n = room < piece ? room : piece;
        if (n > limit - off)
            n = limit - off;
        memcpy(at, b->data + off, n);
        off += n;
        piece = piece * 3 + 7;
        rc = sim_img_reader_commit(*r_r, n, msg);
        if (rc < 0)
            return rc;
    }
}

static void sample_info(struct sim_img_info *in, uint64_t pages)
{
    memset(in, 0, sizeof(*in));
    in->pages = pages;
    in->mem_kb = pages * 4;
    in->target_kb = pages * 4;
    in->max_kb = pages * 8;
    in->seed = 0x1234567890abcdefull;
    in->vcpus_max = 4;
    in->vcpus_online = 2;
    in->type = HV_TYPE_PVH;
    in->domid = 7;
    snprintf(in->name, sizeof(in->name), "img");
}

START_TEST(image_round_trip)
{
    struct sim_img_info in;
    struct sim_img_reader *r;
    const struct sim_img_info *got;
    uint32_t gens[1500] = { 0 };
    struct xn_msg msg;
    struct blob b;

    sample_info(&in, 1500);
    gens[3] = 2;
    gens[1499] = 7;
    image_write(&in, "{\"c_info\":{}}", gens, &b);
    ck_assert_int_eq(image_read(&b, b.len, &r, &msg), 0);
    ck_assert(sim_img_reader_done(r));
    ck_assert_uint_eq(sim_img_reader_offset(r), b.len);
    got = sim_img_reader_info(r);
    ck_assert_uint_eq(got->pages, 1500);
    ck_assert_uint_eq(got->seed, in.seed);
    ck_assert_uint_eq(got->max_kb, 12000);
    ck_assert_uint_eq(got->vcpus_online, 2);
    ck_assert_int_eq(got->type, HV_TYPE_PVH);
    ck_assert_str_eq(got->name, "img");
    ck_assert_str_eq(sim_img_reader_config(r), "{\"c_info\":{}}");
    ck_assert_ptr_nonnull(sim_img_reader_gens(r));
    ck_assert_uint_eq(sim_img_reader_gens(r)[3], 2);
    ck_assert_uint_eq(sim_img_reader_gens(r)[1499], 7);
    ck_assert_uint_eq(sim_img_reader_gens(r)[4], 0);
    sim_img_reader_free(r);
    free(b.data);

    image_write(&in, "{}", NULL, &b);
    ck_assert_int_eq(image_read(&b, b.len, &r, &msg), 0);
    ck_assert_ptr_null(sim_img_reader_gens(r));
    sim_img_reader_free(r);
    free(b.data);
}
END_TEST

static void expect_corrupt(const struct blob *b, size_t limit,
                           const char *want)
{
    struct sim_img_reader *r;
    struct xn_msg msg;

    ck_assert_int_eq(image_read(b, limit, &r, &msg), XN_ECORRUPT);
    ck_assert_msg(strstr(msg.text, want) != NULL, "\"%s\" lacks \"%s\"",
                  msg.text, want);
    sim_img_reader_free(r);
}

START_TEST(image_damage)
{
    struct sim_img_info in;
    struct blob b;

    sample_info(&in, 1500);
    image_write(&in, "{}", NULL, &b);

    b.data[b.len / 2] ^= 0x40;
    expect_corrupt(&b, b.len, "content mismatch");
    b.data[b.len / 2] ^= 0x40;

    b.data[0] = 'Y';
    expect_corrupt(&b, b.len, "bad magic \"YNSIMIMG\"");
    b.data[0] = 'X';

    b.data[8] = 9;
    expect_corrupt(&b, b.len, "unsupported format version 9");
    b.data[8] = 1;

    b.data[b.len - 1] ^= 1;                 /* the checksum itself */
    expect_corrupt(&b, b.len, "SHA-256 checksum mismatch");
    b.data[b.len - 1] ^= 1;

    b.data[200] ^= 1;                       /* inside the name: unchecked */
    expect_corrupt(&b, b.len, "SHA-256 checksum mismatch");
    b.data[200] ^= 1;

    expect_corrupt(&b, 100, "truncated after 100 bytes (in the header)");
    expect_corrupt(&b, b.len - 10, "truncated after");
    expect_corrupt(&b, b.len / 3, "(in the page data)");
    free(b.data);
}
END_TEST

/* --- the driver on a libevent loop --- */

struct t {
    struct event_base *base;
    struct hv *hv;
    struct hv_event ev[64];
    int n_ev;
    int n_done;
    int rc;
    uint32_t domid;
    struct xn_msg msg;
};

static void on_event(void *opaque, const struct hv_event *ev)
{
    struct t *t = opaque;

    if (t->n_ev < 64)
        t->ev[t->n_ev++] = *ev;
}

static void on_done(void *opaque, int rc, const struct xn_msg *msg,
                    uint32_t domid)
{
    struct t *t = opaque;

    t->n_done++;
    t->rc = rc;
    t->domid = domid;
    xn_msg_clear(&t->msg);
    if (msg)
        t->msg = *msg;
}

static void timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    *(bool *)arg = true;
}

/* Run the loop until *count reaches want or ms pass; true when it did. */
static bool run_until(struct t *t, const int *count, int want, int ms)
{
    bool timed_out = false;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    struct event *to = evtimer_new(t->base, timeout_cb, &timed_out);

    evtimer_add(to, &tv);
    while (*count < want && !timed_out)
        event_base_loop(t->base, EVLOOP_ONCE);
    event_free(to);
    return *count >= want;
}

static void t_open(struct t *t, const char *uri, const char *scenario)
{
    struct hv_open_opts opts = { .scenario = scenario };
    struct xn_msg msg;
    char path[512];

    memset(t, 0, sizeof(*t));
    t->base = event_base_new();
    if (scenario)
        opts.scenario = fixture(scenario, path, sizeof(path));
    ck_assert_int_eq(hv_open(uri, t->base, &opts, on_event, t, &t->hv, &msg),
                     0);
}

static void t_close(struct t *t)
{
    hv_close(t->hv);
    event_base_free(t->base);
}

static void set_bits(libxl_bitmap *b, unsigned n)
{
    b->size = (n + 7) / 8;
    b->map = calloc(b->size, 1);
    for (unsigned i = 0; i < n; i++)
        b->map[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* A heap config as hv_create takes it. */
static libxl_domain_config *mkcfg(const char *name, uint64_t mem_mib,
                                  int vcpus)
{
    libxl_domain_config *c = malloc(sizeof(*c));

    libxl_domain_config_init(c);
    c->c_info.type = LIBXL_DOMAIN_TYPE_PVH;
    c->c_info.name = strdup(name);
    libxl_domain_build_info_init_type(&c->b_info, LIBXL_DOMAIN_TYPE_PVH);
    c->b_info.max_vcpus = vcpus;
    set_bits(&c->b_info.avail_vcpus, (unsigned)vcpus);
    c->b_info.target_memkb = mem_mib * 1024;
    c->b_info.max_memkb = mem_mib * 1024;
    return c;
}

static uint32_t create(struct t *t, libxl_domain_config *cfg, bool paused)
{
    struct xn_msg msg;
    int before = t->n_done;

    ck_assert_int_eq(hv_create(t->hv, cfg, paused, on_done, t, &msg), 0);
    ck_assert_int_eq(t->n_done, before);        /* never from inside */
    ck_assert(run_until(t, &t->n_done, before + 1, 2000));
    ck_assert_msg(t->rc == 0, "create: %s", t->msg.text);
    return t->domid;
}

static uint64_t host_free(struct t *t)
{
    struct hv_hostinfo hi;
    ck_assert_int_eq(hv_host_info(t->hv, &hi, NULL), 0);
    return hi.free_kb;
}

static void destroy(struct t *t, uint32_t domid)
{
    struct xn_msg msg;
    int before = t->n_done;

    ck_assert_int_eq(hv_destroy(t->hv, domid, on_done, t, &msg), 0);
    ck_assert_int_eq(t->n_done, before);
    ck_assert(run_until(t, &t->n_done, before + 1, 2000));
    ck_assert_int_eq(t->rc, 0);
}

START_TEST(driver_queries)
{
    struct t t;
    struct hv_hostinfo hi;
    struct hv_dominfo *list, info;
    struct hv_vcpuinfo *vl;
    struct hv_poolinfo *pl;
    size_t n;
    struct xn_msg msg;
    uint32_t id;

    t_open(&t, "sim:///alpha", NULL);
    ck_assert_str_eq(hv_driver(t.hv), "sim");
    ck_assert_int_eq(hv_host_info(t.hv, &hi, &msg), 0);
    ck_assert_str_eq(hi.hostname, "alpha");
    ck_assert_str_eq(hi.driver, "sim");
    ck_assert_str_eq(hi.xen_version, "4.17.0-sim");
    ck_assert_uint_eq(hi.nr_cpus, 8);
    ck_assert_uint_eq(hi.cpu_mhz, 2400);
    ck_assert_uint_eq(hi.total_kb, 16 * GiB);
    ck_assert_uint_eq(hi.free_kb, 11136 * MiB);
    ck_assert_int_eq(hi.sched, HV_SCHED_CREDIT2);

    ck_assert_int_eq(hv_dom_list(t.hv, &list, &n, &msg), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(list[0].name, "Domain-0");
    ck_assert_str_eq(list[1].name, "web1");
    ck_assert_int_eq(list[1].state, HV_STATE_RUNNING);
    ck_assert_uint_eq(list[2].vcpus_online, 4);
    ck_assert_int_eq(list[2].sched.sched, HV_SCHED_CREDIT2);
    ck_assert_int_eq(list[2].sched.weight, 256);
    ck_assert(!list[2].foreign);
    free(list);
    ck_assert_int_eq(hv_dom_lookup(t.hv, "db1", &id, &msg), 0);
    ck_assert_uint_eq(id, 2);
    ck_assert_int_eq(hv_dom_info(t.hv, 9, &info, &msg), XN_ENOENT);
    ck_assert_str_eq(msg.text, "no domain with id 9");

    ck_assert_int_eq(hv_vcpu_list(t.hv, 2, &vl, &n, &msg), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert(vl[3].online);
    ck_assert(vl[3].running);
    ck_assert_int_ge(vl[3].cpu, 0);
    ck_assert_int_lt(vl[3].cpu, 8);
    ck_assert_uint_eq(cpuset_count(&vl[0].hard), 8);
    free(vl);
    ck_assert_int_eq(hv_pool_list(t.hv, &pl, &n, &msg), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(pl[0].name, "Pool-0");
    ck_assert_uint_eq(pl[0].n_dom, 3);
    ck_assert_uint_eq(cpuset_count(&pl[0].cpus), 8);
    free(pl);
    t_close(&t);

    ck_assert_int_eq(hv_open("sim:///a/b", NULL, NULL, NULL, NULL, &t.hv,
                             &msg), XN_EINVAL);
}
END_TEST

START_TEST(driver_create_destroy)
{
    struct t t;
    struct hv_dominfo info;
    struct xn_msg msg;
    uint64_t free0;
    uint32_t id;

    t_open(&t, "sim:///", NULL);
    free0 = host_free(&t);
    id = create(&t, mkcfg("web2", 512, 2), false);
    ck_assert_uint_eq(id, 3);
    ck_assert_uint_eq(host_free(&t), free0 - 512 * MiB);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_str_eq(info.name, "web2");
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    ck_assert_uint_eq(info.mem_kb, 512 * MiB);
    ck_assert_uint_eq(info.vcpus_online, 2);
    ck_assert_int_eq(t.n_ev, 0);

    destroy(&t, id);
    ck_assert_int_eq(t.n_ev, 1);
    ck_assert_int_eq(t.ev[0].type, HV_EV_DEATH);
    ck_assert_uint_eq(t.ev[0].domid, id);
    ck_assert_str_eq(t.ev[0].name, "web2");
    ck_assert_uint_eq(host_free(&t), free0);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), XN_ENOENT);

    /* the next guest gets a new id */
    id = create(&t, mkcfg("web2", 512, 2), true);
    ck_assert_uint_eq(id, 4);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_PAUSED);

    ck_assert_int_eq(hv_create(t.hv, mkcfg("big", 20480, 1), false, on_done,
                               &t, &msg), XN_ENOMEM);
    ck_assert_str_eq(msg.text, "cannot create big: it needs 20480 MiB but "
                     "the host has 10624 MiB free");
    ck_assert_int_eq(hv_create(t.hv, mkcfg("web2", 64, 1), false, on_done,
                               &t, &msg), XN_EEXIST);
    ck_assert_int_eq(hv_destroy(t.hv, 0, on_done, &t, &msg), XN_EPERM);
    ck_assert(!run_until(&t, &t.n_done, t.n_done + 1, 50));
    t_close(&t);
}
END_TEST

START_TEST(driver_states)
{
    struct t t;
    struct hv_dominfo info;
    struct xn_msg msg;
    uint32_t id;

    t_open(&t, "sim:///", NULL);
    id = 1;
    ck_assert_int_eq(hv_pause(t.hv, id, &msg), 0);
    ck_assert_int_eq(hv_pause(t.hv, id, &msg), XN_ESTATE);
    ck_assert_str_eq(msg.text, "domain 1 (web1) is already paused");
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_PAUSED);
    ck_assert_int_eq(hv_unpause(t.hv, id, &msg), 0);
    ck_assert_int_eq(hv_unpause(t.hv, id, &msg), XN_ESTATE);
    ck_assert_str_eq(msg.text, "domain 1 (web1) is not paused (it is "
                     "running)");
    ck_assert_int_eq(hv_rename(t.hv, id, "db1", &msg), XN_EEXIST);
    ck_assert_str_eq(msg.text, "a domain named \"db1\" already exists "
                     "(domain 2)");
    ck_assert_int_eq(hv_rename(t.hv, id, "front", &msg), 0);
    ck_assert_int_eq(hv_dom_lookup(t.hv, "front", &id, &msg), 0);
    ck_assert_int_eq(hv_dom_lookup(t.hv, "web1", &id, &msg), XN_ENOENT);
    t_close(&t);
}
END_TEST

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

START_TEST(driver_shutdown)
{
    struct t t;
    struct hv_dominfo info;
    struct xn_msg msg;
    uint64_t t0;

    t_open(&t, "sim:///", NULL);
    t0 = now_ms();
    ck_assert_int_eq(hv_shutdown(t.hv, 1, false, on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_shutdown(t.hv, 2, true, on_done, &t, &msg), 0);
    ck_assert_int_eq(t.n_done, 0);
    ck_assert(run_until(&t, &t.n_done, 2, 1000));
    ck_assert_int_eq(t.rc, 0);
    ck_assert_int_eq(t.n_ev, 0);            /* delivered, not acted on */
    ck_assert(run_until(&t, &t.n_ev, 2, 2000));
    ck_assert_uint_ge(now_ms() - t0, 190);
    ck_assert_int_eq(t.ev[0].type, HV_EV_SHUTDOWN);
    ck_assert_uint_eq(t.ev[0].domid, 1);
    ck_assert_int_eq(t.ev[0].reason, HV_SHUTDOWN_POWEROFF);
    ck_assert_int_eq(t.ev[1].reason, HV_SHUTDOWN_REBOOT);
    ck_assert_int_eq(hv_dom_info(t.hv, 2, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_SHUTDOWN);
    ck_assert_int_eq(info.shutdown_reason, HV_SHUTDOWN_REBOOT);
    /* what follows is the caller's business: the domain stays */
    ck_assert(!run_until(&t, &t.n_ev, 3, 100));
    ck_assert_int_eq(hv_shutdown(t.hv, 2, false, on_done, &t, &msg),
                     XN_ESTATE);
    t_close(&t);

    t_open(&t, "sim:///", "two-pools.xml");
    ck_assert_int_eq(hv_dom_lookup(t.hv, "stubborn", &info.domid, &msg), 0);
    ck_assert_int_eq(hv_shutdown(t.hv, info.domid, false, on_done, &t, &msg),
                     0);
    ck_assert(run_until(&t, &t.n_done, 1, 1000));
    ck_assert(!run_until(&t, &t.n_ev, 1, 400));
    ck_assert_int_eq(hv_dom_info(t.hv, info.domid, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    t_close(&t);
}
END_TEST

START_TEST(driver_resources)
{
    struct t t;
    struct hv_dominfo info;
    struct hv_sched_params p = { HV_SCHED_CREDIT, 300, -1 };
    struct hv_pool_sched ps = { HV_SCHED_UNKNOWN, -1, 5000 };
    struct hv_vcpuinfo *vl;
    struct cpuset hard;
    struct xn_msg msg;
    size_t n;

    t_open(&t, "sim:///", NULL);
    ck_assert_int_eq(hv_mem_target(t.hv, 1, 768 * MiB, &msg), 0);
    ck_assert_int_eq(hv_dom_info(t.hv, 1, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 768 * MiB);
    ck_assert_uint_eq(host_free(&t), 11392 * MiB);
    ck_assert_int_eq(hv_mem_max(t.hv, 1, 512 * MiB, &msg), XN_EINVAL);
    ck_assert_int_eq(hv_vcpu_set(t.hv, 1, 3, &msg), XN_EINVAL);
    ck_assert_int_eq(hv_vcpu_set(t.hv, 2, 1, &msg), 0);
    ck_assert_int_eq(hv_sched_set(t.hv, 1, &p, &msg), XN_ENOTSUP);
    ck_assert_str_eq(msg.text, "domain 1 (web1) runs in pool Pool-0 under "
                     "credit2, not credit");
    p.sched = HV_SCHED_CREDIT2;
    ck_assert_int_eq(hv_sched_set(t.hv, 1, &p, &msg), 0);
    p = (struct hv_sched_params){ HV_SCHED_UNKNOWN, 0, 0 };
    ck_assert_int_eq(hv_sched_get(t.hv, 1, &p, &msg), 0);
    ck_assert_int_eq(p.weight, 300);
    ck_assert_int_eq(hv_pool_sched_set(t.hv, 0, &ps, &msg), 0);
    ps.ratelimit_us = 0;
    ck_assert_int_eq(hv_pool_sched_get(t.hv, 0, &ps, &msg), 0);
    ck_assert_int_eq(ps.ratelimit_us, 5000);
    cpuset_clear(&hard);
    cpuset_add(&hard, 12);
    ck_assert_int_eq(hv_vcpu_pin(t.hv, 1, 0, &hard, NULL, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "CPU 12 does not exist on host default (CPUs "
                     "0-7)");
    cpuset_clear(&hard);
    cpuset_add(&hard, 6);
    ck_assert_int_eq(hv_vcpu_pin(t.hv, 1, 1, &hard, NULL, &msg), 0);
    ck_assert_int_eq(hv_vcpu_list(t.hv, 1, &vl, &n, &msg), 0);
    ck_assert_int_eq(vl[1].cpu, 6);
    ck_assert(cpuset_equal(&vl[1].hard, &hard));
    free(vl);
    t_close(&t);
}
END_TEST

static int tmpfile_fd(void);
static void save(struct t *t, uint32_t domid, int fd, unsigned flags);
static int restore(struct t *t, int fd, const char *name, bool paused);

START_TEST(driver_dom_config)
{
    struct t t;
    libxl_domain_config *c = mkcfg("full", 256, 2), out;
    struct xn_msg msg;
    uint32_t id;

    t_open(&t, "sim:///", NULL);
    c->num_disks = 1;
    c->disks = calloc(1, sizeof(*c->disks));
    libxl_device_disk_init(&c->disks[0]);
    c->disks[0].pdev_path = strdup("/dev/vg/full");
    c->disks[0].vdev = strdup("xvda");
    c->disks[0].readwrite = 1;
    c->num_nics = 1;
    c->nics = calloc(1, sizeof(*c->nics));
    libxl_device_nic_init(&c->nics[0]);
    c->nics[0].bridge = strdup("xenbr0");
    c->nics[0].mac[5] = 0x42;
    c->on_poweroff = LIBXL_ACTION_ON_SHUTDOWN_RESTART;
    c->b_info.kernel = strdup("/boot/vmlinuz");
    id = create(&t, c, false);
    ck_assert_int_eq(hv_mem_target(t.hv, id, 128 * MiB, &msg), 0);
    ck_assert_int_eq(hv_rename(t.hv, id, "full2", &msg), 0);

    libxl_domain_config_init(&out);
    ck_assert_int_eq(hv_dom_config(t.hv, id, &out, &msg), 0);
    ck_assert_str_eq(out.c_info.name, "full2");
    ck_assert_str_eq(out.c_info.pool_name, "Pool-0");
    ck_assert_uint_eq(out.b_info.target_memkb, 128 * MiB);
    ck_assert_uint_eq(out.b_info.max_memkb, 256 * MiB);
    ck_assert_int_eq(out.b_info.max_vcpus, 2);
    ck_assert_str_eq(out.b_info.kernel, "/boot/vmlinuz");
    ck_assert_int_eq(out.num_disks, 1);
    ck_assert_str_eq(out.disks[0].pdev_path, "/dev/vg/full");
    ck_assert_int_eq(out.num_nics, 1);
    ck_assert_str_eq(out.nics[0].bridge, "xenbr0");
    ck_assert_uint_eq(out.nics[0].mac[5], 0x42);
    ck_assert_int_eq(out.on_poweroff, LIBXL_ACTION_ON_SHUTDOWN_RESTART);
    libxl_domain_config_dispose(&out);

    /* the configuration travels in a save image */
    {
        int fd = tmpfile_fd();
        uint32_t id2;

        save(&t, id, fd, 0);
        ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
        ck_assert_int_eq(restore(&t, fd, "full3", false), 0);
        id2 = t.domid;
        close(fd);
        libxl_domain_config_init(&out);
        ck_assert_int_eq(hv_dom_config(t.hv, id2, &out, &msg), 0);
        ck_assert_str_eq(out.c_info.name, "full3");
        ck_assert_int_eq(out.c_info.type, LIBXL_DOMAIN_TYPE_PVH);
        ck_assert_int_eq(out.b_info.type, LIBXL_DOMAIN_TYPE_PVH);
        ck_assert_uint_eq(out.b_info.target_memkb, 128 * MiB);
        ck_assert_uint_eq(out.b_info.max_memkb, 256 * MiB);
        ck_assert_str_eq(out.b_info.kernel, "/boot/vmlinuz");
        ck_assert_int_eq(out.num_disks, 1);
        ck_assert_str_eq(out.disks[0].vdev, "xvda");
        ck_assert_int_eq(out.disks[0].readwrite, 1);
        ck_assert_int_eq(out.num_nics, 1);
        ck_assert_uint_eq(out.nics[0].mac[5], 0x42);
        ck_assert_int_eq(out.on_poweroff, LIBXL_ACTION_ON_SHUTDOWN_RESTART);
        libxl_domain_config_dispose(&out);
    }

    /* synthesised for a scenario domain */
    libxl_domain_config_init(&out);
    ck_assert_int_eq(hv_dom_config(t.hv, 2, &out, &msg), 0);
    ck_assert_str_eq(out.c_info.name, "db1");
    ck_assert_int_eq(out.c_info.type, LIBXL_DOMAIN_TYPE_PV);
    ck_assert_int_eq(out.b_info.type, LIBXL_DOMAIN_TYPE_PV);
    ck_assert_uint_eq(out.b_info.target_memkb, 2 * GiB);
    ck_assert_int_eq(out.b_info.max_vcpus, 4);
    libxl_domain_config_dispose(&out);
    t_close(&t);
}
END_TEST

static int tmpfile_fd(void)
{
    char path[] = "/tmp/test_sim.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    return fd;
}

static void save(struct t *t, uint32_t domid, int fd, unsigned flags)
{
    struct xn_msg msg;
    int before = t->n_done;

    ck_assert_int_eq(hv_save(t->hv, domid, fd, flags, on_done, t, &msg), 0);
    ck_assert_int_eq(t->n_done, before);
    ck_assert(run_until(t, &t->n_done, before + 1, 60000));
    ck_assert_msg(t->rc == 0, "save: %s", t->msg.text);
}

static int restore(struct t *t, int fd, const char *name, bool paused)
{
    struct xn_msg msg;
    int before = t->n_done, rc;

    rc = hv_restore(t->hv, fd, name, paused, on_done, t, &msg);
    if (rc < 0) {
        t->msg = msg;
        return rc;
    }
    ck_assert_int_eq(t->n_done, before);
    ck_assert(run_until(t, &t->n_done, before + 1, 60000));
    return t->rc;
}

START_TEST(driver_save_restore)
{
    struct t t;
    struct hv_dominfo info;
    struct sim_dom *d;
    struct xn_msg msg;
    uint64_t free0, seed;
    uint32_t id, id2;
    off_t end;
    int fd = tmpfile_fd();

    t_open(&t, "sim:///", NULL);
    free0 = host_free(&t);
    id = create(&t, mkcfg("s1", 64, 2), false);
    d = sim_dom_get(simdrv_of(t.hv)->host, id);
    ck_assert_int_eq(sim_dom_dirty_page(d, 5), 0);
    ck_assert_int_eq(sim_dom_dirty_page(d, 5), 0);
    seed = d->seed;
    save(&t, id, fd, 0);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_SHUTDOWN);
    ck_assert_int_eq(info.shutdown_reason, HV_SHUTDOWN_SUSPEND);
    ck_assert_int_eq(t.n_ev, 1);            /* as Xen reports a suspend */
    ck_assert_int_eq(t.ev[0].type, HV_EV_SHUTDOWN);
    ck_assert_int_eq(t.ev[0].reason, HV_SHUTDOWN_SUSPEND);
    end = lseek(fd, 0, SEEK_CUR);
    ck_assert_int_gt(end, 64 * 1024 * 1024);
    ck_assert_int_eq(write(fd, "TAIL", 4), 4);      /* not the image's */
    destroy(&t, id);
    ck_assert_uint_eq(host_free(&t), free0);

    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(restore(&t, fd, NULL, false), 0);
    id2 = t.domid;
    ck_assert_uint_gt(id2, id);
    ck_assert_int_eq(lseek(fd, 0, SEEK_CUR), end);  /* no read-ahead */
    ck_assert_int_eq(hv_dom_info(t.hv, id2, &info, &msg), 0);
    ck_assert_str_eq(info.name, "s1");
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    ck_assert_uint_eq(info.mem_kb, 64 * MiB);
    ck_assert_uint_eq(info.vcpus_online, 2);
    d = sim_dom_get(simdrv_of(t.hv)->host, id2);
    ck_assert_uint_eq(d->seed, seed);
    ck_assert_uint_eq(sim_dom_page_gen(d, 5), 2);
    ck_assert_uint_eq(sim_dom_page_gen(d, 6), 0);
    ck_assert_uint_eq(host_free(&t), free0 - 64 * MiB);

    /* the same image again, under another name, paused */
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(restore(&t, fd, "s1", false), XN_EEXIST);
    ck_assert_str_eq(t.msg.text, "a domain named \"s1\" already exists "
                     "(domain 4)");
    ck_assert_int_eq(restore(&t, fd, NULL, false), XN_EEXIST);
    ck_assert_str_eq(t.msg.text, "cannot restore s1: a domain named \"s1\" "
                     "already exists (domain 4)");
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(restore(&t, fd, "s1b", true), 0);
    ck_assert_int_eq(hv_dom_info(t.hv, t.domid, &info, &msg), 0);
    ck_assert_str_eq(info.name, "s1b");
    ck_assert_int_eq(info.state, HV_STATE_PAUSED);

    /* checkpoint: save, then resume */
    ck_assert_int_eq(ftruncate(fd, 0), 0);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    save(&t, id2, fd, HV_SAVE_LIVE);
    ck_assert_int_eq(hv_resume(t.hv, id2, on_done, &t, &msg), 0);
    ck_assert(run_until(&t, &t.n_done, t.n_done + 1, 1000));
    ck_assert_int_eq(hv_dom_info(t.hv, id2, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    ck_assert_int_eq(hv_resume(t.hv, id2, on_done, &t, &msg), XN_ESTATE);
    ck_assert_str_eq(msg.text, "domain 4 (s1) is not suspended (it is "
                     "running)");
    close(fd);
    t_close(&t);
}
END_TEST

/* Damage the image at `at` (or cut it there) and restore it. */
static void restore_damaged(struct t *t, int src, off_t len, off_t at,
                            bool cut, const char *want)
{
    int fd = tmpfile_fd();
    char buf[65536];
    off_t done = 0;
    uint64_t free0 = host_free(t);
    size_t n_dom, n_dom2;
    struct hv_dominfo *list;

    while (done < (cut ? at : len)) {
        size_t want_n = sizeof(buf);
        ssize_t n;
        if ((off_t)want_n > (cut ? at : len) - done)
            want_n = (size_t)((cut ? at : len) - done);
        n = pread(src, buf, want_n, done);
        ck_assert_int_gt(n, 0);
        ck_assert_int_eq(write(fd, buf, (size_t)n), n);
        done += n;
    }
    if (!cut) {
        uint8_t b;
        ck_assert_int_eq(pread(fd, &b, 1, at), 1);
        b ^= 0x5a;
        ck_assert_int_eq(pwrite(fd, &b, 1, at), 1);
    }
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(hv_dom_list(t->hv, &list, &n_dom, NULL), 0);
    free(list);
    ck_assert_int_eq(restore(t, fd, NULL, false), XN_ECORRUPT);
    ck_assert_msg(strstr(t->msg.text, want) != NULL, "\"%s\" lacks \"%s\"",
                  t->msg.text, want);
    ck_assert_int_eq(hv_dom_list(t->hv, &list, &n_dom2, NULL), 0);
    free(list);
    ck_assert_uint_eq(n_dom2, n_dom);               /* nothing left over */
    ck_assert_uint_eq(host_free(t), free0);
    close(fd);
}

START_TEST(driver_restore_rejects_damage)
{
    struct t t;
    off_t len;
    uint32_t id;
    int fd = tmpfile_fd();

    t_open(&t, "sim:///", NULL);
    id = create(&t, mkcfg("s2", 16, 1), false);
    save(&t, id, fd, 0);
    len = lseek(fd, 0, SEEK_CUR);
    destroy(&t, id);

    restore_damaged(&t, fd, len, len / 2, false,
                    "cannot restore s2: the image is corrupt: page ");
    restore_damaged(&t, fd, len, len / 3, true,
                    "cannot restore s2: the image is truncated after ");
    restore_damaged(&t, fd, len, 3, false, "bad magic");
    restore_damaged(&t, fd, len, 10, true, "truncated after 10 bytes");
    restore_damaged(&t, fd, len, len - 5, false, "checksum mismatch");
    restore_damaged(&t, fd, len, 256 + 16, false,  /* the JSON's "{" */
                    "the saved configuration is not");
    close(fd);
    t_close(&t);
}
END_TEST

/* A save into a non-blocking socket, restored on another host in the same
 * process and loop: both sides see EAGAIN. */
START_TEST(driver_migrate_between_hosts)
{
    struct t a, b;
    struct hv_dominfo info;
    struct xn_msg msg;
    int sv[2];
    uint32_t id;

    t_open(&a, "sim:///a", NULL);
    memset(&b, 0, sizeof(b));
    b.base = a.base;
    ck_assert_int_eq(hv_open("sim:///b", a.base, NULL, on_event, &b, &b.hv,
                             &msg), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    id = create(&a, mkcfg("mig", 32, 1), false);
    ck_assert_int_eq(hv_save(a.hv, id, sv[0], HV_SAVE_LIVE, on_done, &a,
                             &msg), 0);
    ck_assert_int_eq(hv_restore(b.hv, sv[1], "mig--incoming", true, on_done,
                                &b, &msg), 0);
    ck_assert(run_until(&a, &b.n_done, 1, 20000));
    ck_assert(run_until(&a, &a.n_done, 2, 20000));
    ck_assert_msg(a.rc == 0, "%s", a.msg.text);
    ck_assert_msg(b.rc == 0, "%s", b.msg.text);
    ck_assert_int_eq(hv_dom_info(b.hv, b.domid, &info, &msg), 0);
    ck_assert_str_eq(info.name, "mig--incoming");
    ck_assert_int_eq(info.state, HV_STATE_PAUSED);
    ck_assert_uint_eq(info.mem_kb, 32 * MiB);
    ck_assert_uint_eq(b.domid, 3);
    close(sv[0]);
    close(sv[1]);
    hv_close(b.hv);
    t_close(&a);
}
END_TEST

/* Timing limits are for native runs; valgrind is ~30 times slower. */
static uint64_t slow_factor(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre && strstr(pre, "vgpreload") ? 30 : 1;
}

/* A peer that went away: EIO, not SIGPIPE; the guest stays suspended for
 * the caller to resume. */
START_TEST(driver_save_to_closed_peer)
{
    struct t t;
    struct hv_dominfo info;
    struct xn_msg msg;
    int sv[2];
    uint32_t id;

    t_open(&t, "sim:///", NULL);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    close(sv[1]);
    id = create(&t, mkcfg("lost", 16, 1), false);
    ck_assert_int_eq(hv_save(t.hv, id, sv[0], 0, on_done, &t, &msg), 0);
    ck_assert(run_until(&t, &t.n_done, 2, 5000));
    ck_assert_int_eq(t.rc, XN_EIO);
    ck_assert_str_eq(t.msg.text, "writing the image of domain 3 (lost) "
                     "failed after 0 bytes: Broken pipe");
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.shutdown_reason, HV_SHUTDOWN_SUSPEND);
    ck_assert_int_eq(hv_resume(t.hv, id, on_done, &t, &msg), 0);
    ck_assert(run_until(&t, &t.n_done, 3, 1000));
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    close(sv[0]);
    t_close(&t);
}
END_TEST

START_TEST(driver_big_save_is_quick)
{
    struct t t;
    uint64_t t0;
    uint32_t id;
    int fd;
    char path[] = "/dev/shm/test_sim.XXXXXX";

    fd = mkstemp(path);
    if (fd < 0)
        fd = tmpfile_fd();
    else
        unlink(path);
    t_open(&t, "sim:///", NULL);
    id = create(&t, mkcfg("big", 256, 1), false);
    t0 = now_ms();
    save(&t, id, fd, 0);
    ck_assert_uint_lt(now_ms() - t0, 3000 * slow_factor());
    destroy(&t, id);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    t0 = now_ms();
    ck_assert_int_eq(restore(&t, fd, NULL, false), 0);
    ck_assert_uint_lt(now_ms() - t0, 3000 * slow_factor());
    close(fd);
    t_close(&t);
}
END_TEST

START_TEST(driver_many_domains)
{
    struct t t;
    struct hv_dominfo *list;
    struct xn_msg msg;
    size_t n;

    t_open(&t, "sim:///scale", NULL);
    for (int i = 0; i < 2000; i++) {
        char name[32];
        snprintf(name, sizeof(name), "vm%04d", i);
        ck_assert_int_eq(hv_create(t.hv, mkcfg(name, 4, 1), i % 2, on_done,
                                   &t, &msg), 0);
    }
    ck_assert(run_until(&t, &t.n_done, 2000, 20000));
    ck_assert_int_eq(hv_dom_list(t.hv, &list, &n, &msg), 0);
    ck_assert_uint_eq(n, 2003);
    for (size_t i = 1; i < n; i++)
        ck_assert_uint_lt(list[i - 1].domid, list[i].domid);
    ck_assert_str_eq(list[2002].name, "vm1999");
    ck_assert_int_eq(list[2002].state, HV_STATE_PAUSED);
    free(list);
    ck_assert_uint_eq(host_free(&t), (11136 - 8000) * MiB);
    for (uint32_t id = 3; id < 2003; id++)
        ck_assert_int_eq(hv_destroy(t.hv, id, on_done, &t, &msg), 0);
    ck_assert(run_until(&t, &t.n_done, 4000, 20000));
    ck_assert_uint_eq(host_free(&t), 11136 * MiB);
    t_close(&t);
}
END_TEST

/* Closing abandons what is in flight: no callback, nothing leaked. */
START_TEST(driver_close_abandons)
{
    struct t t;
    struct xn_msg msg;
    int fd = tmpfile_fd();

    t_open(&t, "sim:///", NULL);
    ck_assert_int_eq(hv_create(t.hv, mkcfg("x", 16, 1), false, on_done, &t,
                               &msg), 0);
    ck_assert_int_eq(hv_shutdown(t.hv, 1, false, on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_destroy(t.hv, 2, on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_restore(t.hv, fd, NULL, false, on_done, &t, &msg),
                     0);
    hv_close(t.hv);
    event_base_loop(t.base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(t.n_done, 0);
    event_base_free(t.base);
    close(fd);
}
END_TEST

static void close_on_event(void *opaque, const struct hv_event *ev)
{
    struct t *t = opaque;

    (void)ev;
    t->n_ev++;
    hv_close(t->hv);
    t->hv = NULL;
}

static void close_on_done(void *opaque, int rc, const struct xn_msg *msg,
                          uint32_t domid)
{
    on_done(opaque, rc, msg, domid);
    hv_close(((struct t *)opaque)->hv);
    ((struct t *)opaque)->hv = NULL;
}

/* The owner may close the hv from inside its callbacks. */
START_TEST(driver_close_from_callbacks)
{
    struct t t;
    struct xn_msg msg;

    memset(&t, 0, sizeof(t));
    t.base = event_base_new();
    ck_assert_int_eq(hv_open("sim:///", t.base, NULL, close_on_event, &t,
                             &t.hv, &msg), 0);
    ck_assert_int_eq(hv_destroy(t.hv, 1, on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_destroy(t.hv, 2, on_done, &t, &msg), 0);
    ck_assert(run_until(&t, &t.n_ev, 1, 2000));
    ck_assert_ptr_null(t.hv);
    ck_assert(!run_until(&t, &t.n_done, 1, 50));
    ck_assert_int_eq(t.n_ev, 1);

    ck_assert_int_eq(hv_open("sim:///", t.base, NULL, on_event, &t, &t.hv,
                             &msg), 0);
    ck_assert_int_eq(hv_create(t.hv, mkcfg("a", 16, 1), false,
                               close_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_create(t.hv, mkcfg("b", 16, 1), false,
                               close_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_shutdown(t.hv, 1, false, close_on_done, &t, &msg),
                     0);
    ck_assert(run_until(&t, &t.n_done, 1, 2000));
    ck_assert(!run_until(&t, &t.n_done, 2, 300));
    ck_assert_ptr_null(t.hv);
    event_base_free(t.base);
}
END_TEST

static Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *model = tcase_create("model");
    TCase *image = tcase_create("image");
    TCase *drv = tcase_create("driver");

    tcase_add_test(model, default_scenario);
    tcase_add_test(model, scenario_file);
    tcase_add_test(model, scenario_errors);
    tcase_add_test(model, scenario_missing_file);
    tcase_add_test(model, cpu_time_follows_the_clock);
    tcase_add_test(model, shutdown_after_delay);
    tcase_add_test(model, destroy_returns_memory);
    tcase_add_test(model, accounting);
    tcase_add_test(model, memory_rules);
    tcase_add_test(model, vcpus_and_pinning);
    tcase_add_test(model, scheduler_params);
    tcase_add_test(model, many_domains_model);
    tcase_add_test(image, image_round_trip);
    tcase_add_test(image, image_damage);
    tcase_set_timeout(image, 60);
    tcase_add_test(drv, driver_queries);
    tcase_add_test(drv, driver_create_destroy);
    tcase_add_test(drv, driver_states);
    tcase_add_test(drv, driver_shutdown);
    tcase_add_test(drv, driver_resources);
    tcase_add_test(drv, driver_dom_config);
    tcase_add_test(drv, driver_save_restore);
    tcase_add_test(drv, driver_restore_rejects_damage);
    tcase_add_test(drv, driver_migrate_between_hosts);
    tcase_add_test(drv, driver_save_to_closed_peer);
    tcase_add_test(drv, driver_big_save_is_quick);
    tcase_add_test(drv, driver_many_domains);
    tcase_add_test(drv, driver_close_abandons);
    tcase_add_test(drv, driver_close_from_callbacks);
    tcase_set_timeout(drv, 120);
    suite_add_tcase(s, model);
    suite_add_tcase(s, image);
    suite_add_tcase(s, drv);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sim_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
