/*
 * test_sim.c - the simulated host: the model on a fake clock, scenario
 * files (tests/sim/, bad-*.xml with the exact message in bad-*.err), the
 * image codec, the sim:/// driver on a real libevent loop, and the host's
 * xenstore as libxenstore sees it.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <xenstore.h>

#include "hv.h"
#include "sim/sim_config.h"
#include "sim/sim_drv.h"
#include "sim/sim_host.h"
#include "sim/sim_image.h"
#include "sim/sim_scenario.h"
#include "uuid.h"
#include "xsd/xsd.h"

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

/* What the store holds at `path` (directly, as the driver sees it), or
 * "(absent)".  Static storage, overwritten by the next call. */
static const char *store_get(struct t *t, const char *path)
{
    static char buf[256];
    char *v;

    if (xsd_read(simdrv_of(t->hv)->store, path, &v, NULL) < 0)
        return "(absent)";
    snprintf(buf, sizeof(buf), "%s", v);
    free(v);
    return buf;
}

/* Children of a node of the host's store. */
static unsigned store_count(struct t *t, const char *path)
{
    char **names;
    unsigned n;

    ck_assert_int_eq(xsd_directory(simdrv_of(t->hv)->store, path, &names,
                                   &n), 0);
    free(names);
    return n;
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
    /* every one laid out in the store */
    ck_assert_uint_eq(store_count(&t, "/local/domain"), 2003);
    ck_assert_uint_eq(store_count(&t, "/vm"), 2002);
    ck_assert_str_eq(store_get(&t, "/local/domain/1234/name"), "vm1231");
    for (uint32_t id = 3; id < 2003; id++)
        ck_assert_int_eq(hv_destroy(t.hv, id, on_done, &t, &msg), 0);
    ck_assert(run_until(&t, &t.n_done, 4000, 20000));
    ck_assert_uint_eq(host_free(&t), 11136 * MiB);
    ck_assert_uint_eq(store_count(&t, "/local/domain"), 3);
    ck_assert_uint_eq(store_count(&t, "/vm"), 2);
    ck_assert_uint_eq(store_count(&t, "/libxl"), 2);
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

/* --- the host's xenstore --- */

/* Run the loop a few times round, for queued watch events. */
static void settle(struct t *t)
{
    for (int i = 0; i < 4; i++)
        event_base_loop(t->base, EVLOOP_NONBLOCK);
}

static char *uuid_of(struct t *t, uint32_t domid, char *buf)
{
    struct hv_dominfo info;

    ck_assert_int_eq(hv_dom_info(t->hv, domid, &info, NULL), 0);
    return xn_uuid_format(info.uuid, buf);
}

/*
 * A libxenstore client in a child process: libxenstore blocks on its
 * socket, and the store is served by this process's loop, which must keep
 * running meanwhile.  The child runs fn and prints what it finds on a pipe;
 * the parent runs the loop while it waits for that output.
 */
typedef void xs_client_fn(struct xs_handle *h, FILE *out, void *arg);

struct xs_child {
    pid_t pid;
    int fd;
    char out[8192];
    size_t len;
    bool eof;
};

static void xs_child_start(struct t *t, struct xs_child *c,
                           xs_client_fn *fn, void *arg)
{
    struct hv_hostinfo hi;
    int p[2];

    ck_assert_int_eq(hv_host_info(t->hv, &hi, NULL), 0);
    ck_assert_int_eq(setenv("XENSTORED_PATH", hi.store_path, 1), 0);
    ck_assert_int_eq(pipe(p), 0);
    memset(c, 0, sizeof(*c));
    c->pid = fork();
    ck_assert_int_ge(c->pid, 0);
    if (c->pid == 0) {
        FILE *out = fdopen(p[1], "w");
        struct xs_handle *h;

        close(p[0]);
        alarm(30);          /* never outlive a parent that failed */
        if (!out)
            _exit(2);
        setvbuf(out, NULL, _IOLBF, 0);
        h = xs_open(0);
        if (!h) {
            fprintf(out, "xs_open: %s\n", strerror(errno));
            _exit(1);
        }
        fn(h, out, arg);
        xs_close(h);
        fclose(out);
        _exit(0);
    }
    close(p[1]);
    c->fd = p[0];
    ck_assert_int_eq(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
}

static void xs_child_read(evutil_socket_t fd, short what, void *arg)
{
    struct xs_child *c = arg;
    ssize_t n = read(fd, c->out + c->len, sizeof(c->out) - 1 - c->len);

    (void)what;
    if (n > 0) {
        c->len += (size_t)n;
        c->out[c->len] = '\0';
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        c->eof = true;
    }
}

/* Run the loop until the child has printed `want`, or (want NULL) closed
 * its output. */
static void xs_child_wait(struct t *t, struct xs_child *c, const char *want)
{
    struct event *ev = event_new(t->base, c->fd, EV_READ | EV_PERSIST,
                                 xs_child_read, c);
    struct event *to;
    bool timed_out = false;
    struct timeval tv = { 10, 0 };

    to = evtimer_new(t->base, timeout_cb, &timed_out);
    event_add(ev, NULL);
    evtimer_add(to, &tv);
    while (!timed_out && !c->eof && !(want && strstr(c->out, want)))
        event_base_loop(t->base, EVLOOP_ONCE);
    event_free(to);
    event_free(ev);
    ck_assert_msg(want ? strstr(c->out, want) != NULL : c->eof,
                  "the xenstore client printed \"%s\", not \"%s\"", c->out,
                  want ? want : "(its end)");
}

/* Wait for the child to finish; it must succeed.  Returns its output. */
static const char *xs_child_end(struct t *t, struct xs_child *c)
{
    int status;

    xs_child_wait(t, c, NULL);
    close(c->fd);
    ck_assert_int_eq(waitpid(c->pid, &status, 0), c->pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the xenstore client failed: %s", c->out);
    return c->out;
}

/* Child: print "path=value" (or "path absent") for each path of the
 * NULL-terminated array. */
static void xs_print_reads(struct xs_handle *h, FILE *out, void *arg)
{
    char **paths = arg;

    for (; *paths; paths++) {
        char *v = xs_read(h, XBT_NULL, *paths, NULL);

        if (v)
            fprintf(out, "%s=%s\n", *paths, v);
        else
            fprintf(out, "%s %s\n", *paths,
                    errno == ENOENT ? "absent" : strerror(errno));
        free(v);
    }
}

/* Child: "path=value" pairs to write, NULL-terminated. */
static void xs_writes(struct xs_handle *h, FILE *out, void *arg)
{
    char **kv = arg;

    for (; kv[0]; kv += 2)
        fprintf(out, "%s %s\n", kv[0],
                xs_write(h, XBT_NULL, kv[0], kv[1], strlen(kv[1]))
                    ? "written" : strerror(errno));
}

/* Read paths through libxenstore; the output. */
static const char *xs_reads(struct t *t, char **paths)
{
    static struct xs_child c;

    xs_child_start(t, &c, xs_print_reads, paths);
    return xs_child_end(t, &c);
}

static void xs_write_one(struct t *t, const char *path, const char *value)
{
    struct xs_child c;
    char *kv[3] = { (char *)path, (char *)value, NULL };
    char want[256];

    xs_child_start(t, &c, xs_writes, kv);
    snprintf(want, sizeof(want), "%s written\n", path);
    ck_assert_str_eq(xs_child_end(t, &c), want);
}

START_TEST(store_socket)
{
    struct hv_open_opts opts = { 0 };
    struct hv_hostinfo hi;
    struct xn_msg msg;
    struct stat st;
    struct hv *hv2;
    char dir[] = "/tmp/test_sim_store.XXXXXX", want[256], sub[128];
    char *slash;
    struct t t;

    /* in a directory of its own, removed with it */
    t_open(&t, "sim:///alpha", NULL);
    ck_assert_int_eq(hv_host_info(t.hv, &hi, &msg), 0);
    ck_assert_msg(strncmp(hi.store_path, "/tmp/xenith-sim.", 16) == 0, "%s",
                  hi.store_path);
    ck_assert_int_eq(stat(hi.store_path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    t_close(&t);
    ck_assert_int_ne(stat(hi.store_path, &st), 0);
    slash = strrchr(hi.store_path, '/');
    *slash = '\0';
    ck_assert_int_ne(stat(hi.store_path, &st), 0);

    /* in the daemon's run directory (made if missing) */
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sub, sizeof(sub), "%s/run", dir);
    opts.run_dir = sub;
    memset(&t, 0, sizeof(t));
    t.base = event_base_new();
    ck_assert_int_eq(hv_open("sim:///alpha", t.base, &opts, on_event, &t,
                             &t.hv, &msg), 0);
    ck_assert_int_eq(hv_host_info(t.hv, &hi, &msg), 0);
    snprintf(want, sizeof(want), "%s/sim-alpha-xenstore.sock", sub);
    ck_assert_str_eq(hi.store_path, want);
    ck_assert_int_eq(stat(want, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    /* another host of the same name there: that socket is taken, this
     * one goes elsewhere, and the other keeps its own */
    ck_assert_int_eq(hv_open("sim:///alpha", t.base, &opts, on_event, &t,
                             &hv2, &msg), 0);
    ck_assert_int_eq(hv_host_info(hv2, &hi, &msg), 0);
    ck_assert_msg(strncmp(hi.store_path, "/tmp/xenith-sim.", 16) == 0, "%s",
                  hi.store_path);
    hv_close(hv2);
    ck_assert_int_eq(stat(want, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    /* one of another name is fine */
    ck_assert_int_eq(hv_open("sim:///beta", t.base, &opts, on_event, &t,
                             &hv2, &msg), 0);
    hv_close(hv2);
    hv_close(t.hv);
    ck_assert_int_ne(stat(want, &st), 0);
    ck_assert_int_eq(rmdir(sub), 0);        /* nothing else left there */

    /* a socket path too long for a unix socket */
    memset(sub, 'd', sizeof(sub) - 1);
    sub[sizeof(sub) - 1] = '\0';
    memcpy(sub, dir, strlen(dir));
    sub[strlen(dir)] = '/';
    ck_assert_int_eq(hv_open("sim:///alpha", t.base, &opts, on_event, &t,
                             &hv2, &msg), XN_EINVAL);
    ck_assert_msg(strstr(msg.text, "longer than 107 bytes") != NULL, "%s",
                  msg.text);
    rmdir(sub);
    ck_assert_int_eq(rmdir(dir), 0);
    event_base_free(t.base);
}
END_TEST

START_TEST(store_layout)
{
    struct t t;
    struct xn_msg msg;
    char u[XN_UUID_TEXT], u1[XN_UUID_TEXT], vm[64], vmname[80], want[2048];
    uint32_t id;

    t_open(&t, "sim:///", NULL);
    id = create(&t, mkcfg("web2", 512, 2), false);
    uuid_of(&t, id, u);
    uuid_of(&t, 1, u1);
    snprintf(vm, sizeof(vm), "/vm/%s", u);
    snprintf(vmname, sizeof(vmname), "/vm/%s/name", u);
    {
        char *paths[] = {
            "/local/domain/0/name", "/local/domain/0/domid",
            "/local/domain/0/memory/target", "/local/domain/1/name",
            "/local/domain/2/memory/static-max",
            "/local/domain/3/name", "/local/domain/3/domid",
            "/local/domain/3/vm", "/local/domain/3/memory/target",
            "/local/domain/3/memory/static-max",
            "/local/domain/3/cpu/1/availability",
            "/local/domain/3/control/shutdown", "/libxl/3/type", vmname,
            "/local/domain/4/name", NULL,
        };
        snprintf(want, sizeof(want),
                 "/local/domain/0/name=Domain-0\n"
                 "/local/domain/0/domid=0\n"
                 "/local/domain/0/memory/target=2097152\n"
                 "/local/domain/1/name=web1\n"
                 "/local/domain/2/memory/static-max=2097152\n"
                 "/local/domain/3/name=web2\n"
                 "/local/domain/3/domid=3\n"
                 "/local/domain/3/vm=%s\n"
                 "/local/domain/3/memory/target=524288\n"
                 "/local/domain/3/memory/static-max=524288\n"
                 "/local/domain/3/cpu/1/availability=online\n"
                 "/local/domain/3/control/shutdown=\n"
                 "/libxl/3/type=pvh\n"
                 "%s=web2\n"
                 "/local/domain/4/name absent\n", vm, vmname);
        ck_assert_str_eq(xs_reads(&t, paths), want);
    }
    ck_assert_str_eq(store_get(&t, "/local/domain/1/vm") + 4, u1);

    /* what the toolstack changes shows up where libxl writes it */
    ck_assert_int_eq(hv_rename(t.hv, id, "front", &msg), 0);
    ck_assert_int_eq(hv_mem_target(t.hv, id, 256 * MiB, &msg), 0);
    ck_assert_int_eq(hv_mem_max(t.hv, id, 768 * MiB, &msg), 0);
    ck_assert_int_eq(hv_vcpu_set(t.hv, id, 1, &msg), 0);
    {
        char *paths[] = {
            "/local/domain/3/name", vmname,
            "/local/domain/3/memory/target",
            "/local/domain/3/memory/static-max",
            "/local/domain/3/cpu/0/availability",
            "/local/domain/3/cpu/1/availability", NULL,
        };
        snprintf(want, sizeof(want),
                 "/local/domain/3/name=front\n"
                 "%s=front\n"
                 "/local/domain/3/memory/target=262144\n"
                 "/local/domain/3/memory/static-max=786432\n"
                 "/local/domain/3/cpu/0/availability=online\n"
                 "/local/domain/3/cpu/1/availability=offline\n", vmname);
        ck_assert_str_eq(xs_reads(&t, paths), want);
    }
    /* a refused change leaves the store as it was */
    ck_assert_int_eq(hv_mem_target(t.hv, id, 1024 * MiB, &msg), XN_EINVAL);
    ck_assert_str_eq(store_get(&t, "/local/domain/3/memory/target"),
                     "262144");
    ck_assert_int_eq(hv_rename(t.hv, id, "db1", &msg), XN_EEXIST);
    ck_assert_str_eq(store_get(&t, "/local/domain/3/name"), "front");

    /* destroy takes the domain's trees away */
    destroy(&t, id);
    ck_assert_str_eq(store_get(&t, "/local/domain/3"), "(absent)");
    ck_assert_str_eq(store_get(&t, vm), "(absent)");
    ck_assert_str_eq(store_get(&t, "/libxl/3"), "(absent)");
    ck_assert_str_eq(store_get(&t, "/local/domain/1/name"), "web1");
    t_close(&t);
}
END_TEST

/* Child: watch @introduceDomain and @releaseDomain, say "ready", then
 * print the next *(int *)arg events. */
static void xs_domain_events(struct xs_handle *h, FILE *out, void *arg)
{
    int n = *(int *)arg;
    unsigned num;

    if (!xs_watch(h, "@introduceDomain", "intro") ||
        !xs_watch(h, "@releaseDomain", "release")) {
        fprintf(out, "xs_watch: %s\n", strerror(errno));
        return;
    }
    for (int i = 0; i < 2 + n; i++) {
        char **v = xs_read_watch(h, &num);

        if (!v) {
            fprintf(out, "xs_read_watch: %s\n", strerror(errno));
            return;
        }
        if (i >= 2)
            fprintf(out, "%s %s\n", v[XS_WATCH_PATH], v[XS_WATCH_TOKEN]);
        else if (i == 1)
            fprintf(out, "ready\n");    /* both first events are in */
        free(v);
    }
}

START_TEST(store_domain_events)
{
    struct t t;
    struct xs_child c;
    struct xn_msg msg;
    int n = 5, fd = tmpfile_fd();
    uint32_t id;

    t_open(&t, "sim:///", NULL);
    xs_child_start(&t, &c, xs_domain_events, &n);
    xs_child_wait(&t, &c, "ready\n");
    id = create(&t, mkcfg("web2", 64, 1), false);
    xs_child_wait(&t, &c, "@introduceDomain intro\n");
    ck_assert_str_eq(c.out, "ready\n@introduceDomain intro\n");
    destroy(&t, id);
    xs_child_wait(&t, &c, "@releaseDomain release\n");
    ck_assert_str_eq(c.out, "ready\n@introduceDomain intro\n"
                     "@releaseDomain release\n");
    /* a restored domain appears too */
    id = create(&t, mkcfg("s3", 16, 1), false);
    save(&t, id, fd, 0);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(restore(&t, fd, "s3b", false), 0);
    ck_assert_str_eq(xs_child_end(&t, &c),
                     "ready\n@introduceDomain intro\n"
                     "@releaseDomain release\n"
                     "@introduceDomain intro\n"     /* s3 created */
                     "@releaseDomain release\n"     /* s3 suspended */
                     "@introduceDomain intro\n");   /* s3b restored */
    ck_assert_str_eq(store_get(&t, "/local/domain/5/name"), "s3b");
    ck_assert_str_eq(store_get(&t, "/local/domain/4/name"), "s3");
    ck_assert_int_eq(hv_destroy(t.hv, 4, on_done, &t, &msg), 0);
    close(fd);
    t_close(&t);
}
END_TEST

/* Child: watch @releaseDomain, write control/shutdown of domain *arg, wait
 * for the event, print what control/shutdown holds then. */
static void xs_shutdown_guest(struct xs_handle *h, FILE *out, void *arg)
{
    const char *path = arg;
    unsigned num;
    char **v, *val;

    if (!xs_watch(h, "@releaseDomain", "r") ||
        !(v = xs_read_watch(h, &num)))
        return;
    free(v);
    if (!xs_write(h, XBT_NULL, path, "poweroff", 8))
        return;
    fprintf(out, "written\n");
    if (!(v = xs_read_watch(h, &num)))
        return;
    fprintf(out, "%s\n", v[XS_WATCH_PATH]);
    free(v);
    val = xs_read(h, XBT_NULL, path, NULL);
    fprintf(out, "control/shutdown=\"%s\"\n", val ? val : "(absent)");
    free(val);
}

START_TEST(store_guest_shutdown)
{
    struct t t;
    struct xs_child c;
    struct hv_dominfo info;
    struct xn_msg msg;
    uint32_t id;

    t_open(&t, "sim:///", NULL);
    /* a client's request: the guest acknowledges, then shuts down */
    xs_child_start(&t, &c, xs_shutdown_guest,
                   "/local/domain/1/control/shutdown");
    xs_child_wait(&t, &c, "written\n");
    ck_assert(run_until(&t, &t.n_ev, 1, 2000));
    ck_assert_int_eq(t.ev[0].type, HV_EV_SHUTDOWN);
    ck_assert_uint_eq(t.ev[0].domid, 1);
    ck_assert_int_eq(t.ev[0].reason, HV_SHUTDOWN_POWEROFF);
    ck_assert_str_eq(xs_child_end(&t, &c), "written\n@releaseDomain\n"
                     "control/shutdown=\"\"\n");
    ck_assert_int_eq(hv_dom_info(t.hv, 1, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_SHUTDOWN);

    /* hv_shutdown goes through the store: a reboot */
    ck_assert_int_eq(hv_shutdown(t.hv, 2, true, on_done, &t, &msg), 0);
    ck_assert_str_eq(store_get(&t, "/local/domain/2/control/shutdown"),
                     "reboot");
    ck_assert(run_until(&t, &t.n_done, 1, 1000));
    ck_assert_str_eq(store_get(&t, "/local/domain/2/control/shutdown"), "");
    ck_assert(run_until(&t, &t.n_ev, 2, 2000));
    ck_assert_int_eq(t.ev[1].reason, HV_SHUTDOWN_REBOOT);

    /* a paused guest answers once it runs again */
    id = create(&t, mkcfg("p", 16, 1), true);
    ck_assert_int_eq(hv_shutdown(t.hv, id, false, on_done, &t, &msg), 0);
    ck_assert(run_until(&t, &t.n_done, t.n_done + 1, 1000));
    settle(&t);
    ck_assert_str_eq(store_get(&t, "/local/domain/3/control/shutdown"),
                     "poweroff");
    ck_assert(!run_until(&t, &t.n_ev, 3, 300));
    ck_assert_int_eq(hv_unpause(t.hv, id, &msg), 0);
    ck_assert_str_eq(store_get(&t, "/local/domain/3/control/shutdown"), "");
    ck_assert(run_until(&t, &t.n_ev, 3, 2000));
    ck_assert_uint_eq(t.ev[2].domid, id);

    /* a request the guest does not act on: acknowledged, nothing more */
    id = create(&t, mkcfg("q", 16, 1), false);
    ck_assert_uint_eq(id, 4);
    xs_write_one(&t, "/local/domain/4/control/shutdown", "suspend");
    settle(&t);
    ck_assert_str_eq(store_get(&t, "/local/domain/4/control/shutdown"), "");
    ck_assert(!run_until(&t, &t.n_ev, 4, 300));
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);

    /* Domain-0 is the host: it does not answer */
    xs_write_one(&t, "/local/domain/0/control/shutdown", "poweroff");
    settle(&t);
    ck_assert_str_eq(store_get(&t, "/local/domain/0/control/shutdown"),
                     "poweroff");
    ck_assert(!run_until(&t, &t.n_ev, 4, 300));
    t_close(&t);

    /* a guest that ignores requests never acknowledges them */
    t_open(&t, "sim:///", "two-pools.xml");
    ck_assert_int_eq(hv_dom_lookup(t.hv, "stubborn", &id, &msg), 0);
    xs_write_one(&t, "/local/domain/2/control/shutdown", "poweroff");
    settle(&t);
    ck_assert_uint_eq(id, 2);
    ck_assert_str_eq(store_get(&t, "/local/domain/2/control/shutdown"),
                     "poweroff");
    ck_assert(!run_until(&t, &t.n_ev, 1, 400));
    t_close(&t);
}
END_TEST

START_TEST(store_balloon)
{
    struct t t;
    struct hv_dominfo info;
    struct xn_msg msg;
    libxl_domain_config *c;
    uint64_t free0;
    uint32_t id;

    t_open(&t, "sim:///", NULL);
    free0 = host_free(&t);
    /* a client sets the target: the balloon follows */
    xs_write_one(&t, "/local/domain/1/memory/target", "786432");
    settle(&t);
    ck_assert_int_eq(hv_dom_info(t.hv, 1, &info, &msg), 0);
    ck_assert_uint_eq(info.target_kb, 768 * MiB);
    ck_assert_uint_eq(info.mem_kb, 768 * MiB);
    ck_assert_uint_eq(host_free(&t), free0 + 256 * MiB);

    /* above the maximum: refused, the store gets the model's target back */
    xs_write_one(&t, "/local/domain/1/memory/target", "2097152");
    settle(&t);
    ck_assert_int_eq(hv_dom_info(t.hv, 1, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 768 * MiB);
    ck_assert_str_eq(store_get(&t, "/local/domain/1/memory/target"),
                     "786432");
    /* not a number: the same */
    xs_write_one(&t, "/local/domain/1/memory/target", "1G");
    settle(&t);
    ck_assert_str_eq(store_get(&t, "/local/domain/1/memory/target"),
                     "786432");

    /* more than the host has free: refused */
    c = mkcfg("grow", 256, 1);
    c->b_info.max_memkb = 15 * GiB;
    c->b_info.target_memkb = 256 * MiB;
    id = create(&t, c, false);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 256 * MiB);
    xs_write_one(&t, "/local/domain/3/memory/target", "14680064");
    settle(&t);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 256 * MiB);
    ck_assert_str_eq(store_get(&t, "/local/domain/3/memory/target"),
                     "262144");
    /* within what is free: fine */
    xs_write_one(&t, "/local/domain/3/memory/target", "1048576");
    settle(&t);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 1 * GiB);

    /* hv_mem_target: the store first, the same path */
    ck_assert_int_eq(hv_mem_target(t.hv, 2, 1 * GiB, &msg), 0);
    ck_assert_str_eq(store_get(&t, "/local/domain/2/memory/target"),
                     "1048576");
    ck_assert_int_eq(hv_dom_info(t.hv, 2, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 1 * GiB);
    ck_assert_int_eq(hv_mem_target(t.hv, 2, 3 * GiB, &msg), XN_EINVAL);
    ck_assert_str_eq(msg.text, "cannot set the memory target of domain 2 "
                     "(db1) to 3072 MiB: its maximum is 2048 MiB");
    ck_assert_str_eq(store_get(&t, "/local/domain/2/memory/target"),
                     "1048576");
    /* and Domain-0's */
    ck_assert_int_eq(hv_mem_target(t.hv, 0, 1536 * MiB, &msg), 0);
    ck_assert_str_eq(store_get(&t, "/local/domain/0/memory/target"),
                     "1572864");
    t_close(&t);
}
END_TEST

static Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *model = tcase_create("model");
    TCase *image = tcase_create("image");
    TCase *drv = tcase_create("driver");
    TCase *store = tcase_create("store");

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
    tcase_add_test(store, store_socket);
    tcase_add_test(store, store_layout);
    tcase_add_test(store, store_domain_events);
    tcase_add_test(store, store_guest_shutdown);
    tcase_add_test(store, store_balloon);
    tcase_set_timeout(store, 60);
    suite_add_tcase(s, model);
    suite_add_tcase(s, image);
    suite_add_tcase(s, drv);
    suite_add_tcase(s, store);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sim_suite());
    int failed;

    signal(SIGPIPE, SIG_IGN);   /* the store's clients may hang up */

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
