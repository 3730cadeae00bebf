/*
 * test_sim_model.c - the simulated host's model on a fake clock: CPU time,
 * guests that shut down after a delay, dying domains, memory accounting
 * and its rules, vCPUs and pinning, scheduler parameters, 2000 domains.
 */
#include <check.h>
#include <stdio.h>

#include "hv.h"
#include "sim/sim_host.h"

#include "sim_testlib.h"

START_TEST(cpu_time_follows_the_clock)
{
    struct sim_host *h = simt_load(NULL);
    struct sim_dom *db = simt_named(h, "db1"), *d0 = sim_dom_get(h, 0);
    struct xn_msg msg;
    struct hv_sched_params p = { HV_SCHED_UNKNOWN, -1, 50 };

    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 0);
    simt_fake_now += 2 * SEC;                    /* demand 1.5 */
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 3 * SEC);
    ck_assert_uint_eq(sim_dom_cpu_time(h, d0), 8 * SEC / 10); /* 0.2 x 2 */
    ck_assert_uint_eq(sim_vcpu_time(h, db, 0) + sim_vcpu_time(h, db, 1) +
                      sim_vcpu_time(h, db, 2) + sim_vcpu_time(h, db, 3),
                      3 * SEC);

    ck_assert_int_eq(sim_dom_pause(h, db, &msg), 0);
    simt_fake_now += 5 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 3 * SEC);
    ck_assert_int_eq(sim_dom_state(db), HV_STATE_PAUSED);
    ck_assert_int_eq(sim_dom_unpause(h, db, &msg), 0);
    simt_fake_now += 1 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 4500000000ull);

    /* at most its online vCPUs */
    ck_assert_int_eq(sim_dom_set_vcpus(h, db, 1, &msg), 0);
    simt_fake_now += 1 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 5500000000ull);
    /* and its cap */
    ck_assert_int_eq(sim_dom_sched_set(h, db, &p, &msg), 0);
    simt_fake_now += 2 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 6500000000ull);
    /* idle: blocked, no time */
    sim_dom_set_demand(h, db, 0);
    ck_assert_int_eq(sim_dom_state(db), HV_STATE_BLOCKED);
    simt_fake_now += 2 * SEC;
    ck_assert_uint_eq(sim_dom_cpu_time(h, db), 6500000000ull);
    sim_host_free(h);
}
END_TEST

START_TEST(shutdown_after_delay)
{
    struct sim_host *h = simt_load("two-pools.xml");
    struct sim_dom *slow = simt_named(h, "slow"),
                   *stub = simt_named(h, "stubborn");
    uint32_t slow_id = slow->domid;
    struct sim_event ev;
    struct xn_msg msg;
    uint64_t due;

    ck_assert(!sim_host_next_due(h, &due));
    ck_assert_int_eq(sim_dom_request_shutdown(h, slow, false, &msg), 0);
    ck_assert(sim_host_next_due(h, &due));
    ck_assert_uint_eq(due, simt_fake_now + 50000000ull);
    simt_fake_now += 49000000ull;
    ck_assert(!sim_host_step(h, &ev));
    ck_assert_int_eq(slow->state, HV_STATE_RUNNING);
    simt_fake_now += 1000000ull;
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
    simt_fake_now += 100 * SEC;
    ck_assert(!sim_host_step(h, &ev));
    ck_assert_int_eq(stub->state, HV_STATE_RUNNING);

    /* a paused guest acts once unpaused, a delay later */
    slow = simt_named(h, "pinned");
    ck_assert_int_eq(sim_dom_pause(h, slow, &msg), 0);
    ck_assert_int_eq(sim_dom_request_shutdown(h, slow, true, &msg), 0);
    simt_fake_now += 1 * SEC;
    ck_assert(!sim_host_step(h, &ev));
    ck_assert_int_eq(slow->state, HV_STATE_PAUSED);
    ck_assert_int_eq(sim_dom_unpause(h, slow, &msg), 0);
    simt_fake_now += SIM_SHUTDOWN_DELAY_NS;
    ck_assert(sim_host_step(h, &ev));
    ck_assert_int_eq(ev.reason, HV_SHUTDOWN_REBOOT);
    ck_assert_int_eq(slow->reason, HV_SHUTDOWN_REBOOT);
    sim_host_free(h);
}
END_TEST

START_TEST(destroy_returns_memory)
{
    struct sim_host *h = simt_load(NULL);
    uint64_t free0 = sim_host_free_kb(h);
    struct sim_dom *web = simt_named(h, "web1");
    struct sim_event ev;
    struct xn_msg msg;

    ck_assert_int_eq(sim_dom_request_shutdown(h, web, false, &msg), 0);
    ck_assert_int_eq(sim_dom_destroy(h, web, &msg), 0);
    ck_assert_int_eq(web->state, HV_STATE_DYING);
    ck_assert_int_eq(sim_dom_destroy(h, web, &msg), 0);  /* no-op */
    ck_assert_int_eq(sim_dom_pause(h, web, &msg), XN_ESTATE);
    ck_assert_str_eq(msg.text, "domain 1 (web1) is being destroyed");
    ck_assert_uint_eq(sim_host_free_kb(h), free0);
    simt_fake_now += SIM_DYING_NS;
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
    struct sim_host *h = simt_load(NULL);
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
    struct sim_host *h = simt_load(NULL);
    struct sim_dom *web = simt_named(h, "web1");
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
    struct sim_host *h = simt_load(NULL);
    struct sim_dom *db = simt_named(h, "db1");
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
    struct sim_host *h = simt_load("two-pools.xml");
    struct sim_dom *b = simt_named(h, "batch1"), *s = simt_named(h, "slow");
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
    struct sim_host *h = simt_load(NULL);
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
        sim_dom_remove(h, simt_named(h, name));
    }
    for (struct sim_dom *d = sim_dom_next(h, NULL); d;
         d = sim_dom_next(h, d)) {
        ck_assert(n == 0 || d->domid > last);
        last = d->domid;
        n++;
    }
    ck_assert_uint_eq(n, 1003);
    ck_assert_uint_eq(simt_named(h, "vm1999")->domid, 2002);
    ck_assert_ptr_null(sim_dom_by_name(h, "vm1998"));
    sim_host_free(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim_model");
    TCase *model = tcase_create("model");

    tcase_add_test(model, cpu_time_follows_the_clock);
    tcase_add_test(model, shutdown_after_delay);
    tcase_add_test(model, destroy_returns_memory);
    tcase_add_test(model, accounting);
    tcase_add_test(model, memory_rules);
    tcase_add_test(model, vcpus_and_pinning);
    tcase_add_test(model, scheduler_params);
    tcase_add_test(model, many_domains_model);
    suite_add_tcase(s, model);
    return simt_run(s);
}
