/*
 * test_sim_driver.c - the sim:/// driver on a real libevent loop: queries,
 * create and destroy, states, guest shutdown, resources, 2000 domains, and
 * closing with operations in flight or from inside a callback.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "hv.h"

#include "sim_testlib.h"

START_TEST(driver_queries)
{
    struct simt t;
    struct hv_hostinfo hi;
    struct hv_dominfo *list, info;
    struct hv_vcpuinfo *vl;
    struct hv_poolinfo *pl;
    size_t n;
    struct xn_msg msg;
    uint32_t id;

    simt_open(&t, "sim:///alpha", NULL);
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
    simt_close(&t);

    ck_assert_int_eq(hv_open("sim:///a/b", NULL, NULL, NULL, NULL, &t.hv,
                             &msg), XN_EINVAL);
}
END_TEST

START_TEST(driver_create_destroy)
{
    struct simt t;
    struct hv_dominfo info;
    struct xn_msg msg;
    uint64_t free0;
    uint32_t id;

    simt_open(&t, "sim:///", NULL);
    free0 = simt_host_free(&t);
    id = simt_create(&t, simt_mkcfg("web2", 512, 2), false);
    ck_assert_uint_eq(id, 3);
    ck_assert_uint_eq(simt_host_free(&t), free0 - 512 * MiB);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_str_eq(info.name, "web2");
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    ck_assert_uint_eq(info.mem_kb, 512 * MiB);
    ck_assert_uint_eq(info.vcpus_online, 2);
    ck_assert_int_eq(t.n_ev, 0);

    simt_destroy(&t, id);
    ck_assert_int_eq(t.n_ev, 1);
    ck_assert_int_eq(t.ev[0].type, HV_EV_DEATH);
    ck_assert_uint_eq(t.ev[0].domid, id);
    ck_assert_str_eq(t.ev[0].name, "web2");
    ck_assert_uint_eq(simt_host_free(&t), free0);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), XN_ENOENT);

    /* the next guest gets a new id */
    id = simt_create(&t, simt_mkcfg("web2", 512, 2), true);
    ck_assert_uint_eq(id, 4);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_PAUSED);

    ck_assert_int_eq(hv_create(t.hv, simt_mkcfg("big", 20480, 1), false,
                               simt_on_done, &t, &msg), XN_ENOMEM);
    ck_assert_str_eq(msg.text, "cannot create big: it needs 20480 MiB but "
                     "the host has 10624 MiB free");
    ck_assert_int_eq(hv_create(t.hv, simt_mkcfg("web2", 64, 1), false,
                               simt_on_done, &t, &msg), XN_EEXIST);
    ck_assert_int_eq(hv_destroy(t.hv, 0, simt_on_done, &t, &msg), XN_EPERM);
    ck_assert(!simt_run_until(&t, &t.n_done, t.n_done + 1, 50));
    simt_close(&t);
}
END_TEST

START_TEST(driver_states)
{
    struct simt t;
    struct hv_dominfo info;
    struct xn_msg msg;
    uint32_t id;

    simt_open(&t, "sim:///", NULL);
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
    simt_close(&t);
}
END_TEST

START_TEST(driver_shutdown)
{
    struct simt t;
    struct hv_dominfo info;
    struct xn_msg msg;
    uint64_t t0;

    simt_open(&t, "sim:///", NULL);
    t0 = simt_now_ms();
    ck_assert_int_eq(hv_shutdown(t.hv, 1, false, simt_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_shutdown(t.hv, 2, true, simt_on_done, &t, &msg), 0);
    ck_assert_int_eq(t.n_done, 0);
    ck_assert(simt_run_until(&t, &t.n_done, 2, 1000));
    ck_assert_int_eq(t.rc, 0);
    ck_assert_int_eq(t.n_ev, 0);            /* delivered, not acted on */
    ck_assert(simt_run_until(&t, &t.n_ev, 2, 2000));
    ck_assert_uint_ge(simt_now_ms() - t0, 190);
    ck_assert_int_eq(t.ev[0].type, HV_EV_SHUTDOWN);
    ck_assert_uint_eq(t.ev[0].domid, 1);
    ck_assert_int_eq(t.ev[0].reason, HV_SHUTDOWN_POWEROFF);
    ck_assert_int_eq(t.ev[1].reason, HV_SHUTDOWN_REBOOT);
    ck_assert_int_eq(hv_dom_info(t.hv, 2, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_SHUTDOWN);
    ck_assert_int_eq(info.shutdown_reason, HV_SHUTDOWN_REBOOT);
    /* what follows is the caller's business: the domain stays */
    ck_assert(!simt_run_until(&t, &t.n_ev, 3, 100));
    ck_assert_int_eq(hv_shutdown(t.hv, 2, false, simt_on_done, &t, &msg),
                     XN_ESTATE);
    simt_close(&t);

    simt_open(&t, "sim:///", "two-pools.xml");
    ck_assert_int_eq(hv_dom_lookup(t.hv, "stubborn", &info.domid, &msg), 0);
    ck_assert_int_eq(hv_shutdown(t.hv, info.domid, false, simt_on_done, &t,
                                 &msg), 0);
    ck_assert(simt_run_until(&t, &t.n_done, 1, 1000));
    ck_assert(!simt_run_until(&t, &t.n_ev, 1, 400));
    ck_assert_int_eq(hv_dom_info(t.hv, info.domid, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    simt_close(&t);
}
END_TEST

START_TEST(driver_resources)
{
    struct simt t;
    struct hv_dominfo info;
    struct hv_sched_params p = { HV_SCHED_CREDIT, 300, -1 };
    struct hv_pool_sched ps = { HV_SCHED_UNKNOWN, -1, 5000 };
    struct hv_vcpuinfo *vl;
    struct cpuset hard;
    struct xn_msg msg;
    size_t n;

    simt_open(&t, "sim:///", NULL);
    ck_assert_int_eq(hv_mem_target(t.hv, 1, 768 * MiB, &msg), 0);
    ck_assert_int_eq(hv_dom_info(t.hv, 1, &info, &msg), 0);
    ck_assert_uint_eq(info.mem_kb, 768 * MiB);
    ck_assert_uint_eq(simt_host_free(&t), 11392 * MiB);
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
    simt_close(&t);
}
END_TEST

START_TEST(driver_many_domains)
{
    struct simt t;
    struct hv_dominfo *list;
    struct xn_msg msg;
    size_t n;

    simt_open(&t, "sim:///scale", NULL);
    for (int i = 0; i < 2000; i++) {
        char name[32];
        snprintf(name, sizeof(name), "vm%04d", i);
        ck_assert_int_eq(hv_create(t.hv, simt_mkcfg(name, 4, 1), i % 2,
                                   simt_on_done, &t, &msg), 0);
    }
    ck_assert(simt_run_until(&t, &t.n_done, 2000, 20000));
    ck_assert_int_eq(hv_dom_list(t.hv, &list, &n, &msg), 0);
    ck_assert_uint_eq(n, 2003);
    for (size_t i = 1; i < n; i++)
        ck_assert_uint_lt(list[i - 1].domid, list[i].domid);
    ck_assert_str_eq(list[2002].name, "vm1999");
    ck_assert_int_eq(list[2002].state, HV_STATE_PAUSED);
    free(list);
    ck_assert_uint_eq(simt_host_free(&t), (11136 - 8000) * MiB);
    /* every one laid out in the store */
    ck_assert_uint_eq(simt_store_count(&t, "/local/domain"), 2003);
    ck_assert_uint_eq(simt_store_count(&t, "/vm"), 2002);
    ck_assert_str_eq(simt_store_get(&t, "/local/domain/1234/name"), "vm1231");
    for (uint32_t id = 3; id < 2003; id++)
        ck_assert_int_eq(hv_destroy(t.hv, id, simt_on_done, &t, &msg), 0);
    ck_assert(simt_run_until(&t, &t.n_done, 4000, 20000));
    ck_assert_uint_eq(simt_host_free(&t), 11136 * MiB);
    ck_assert_uint_eq(simt_store_count(&t, "/local/domain"), 3);
    ck_assert_uint_eq(simt_store_count(&t, "/vm"), 2);
    ck_assert_uint_eq(simt_store_count(&t, "/libxl"), 2);
    simt_close(&t);
}
END_TEST

/* Closing abandons what is in flight: no callback, nothing leaked. */
START_TEST(driver_close_abandons)
{
    struct simt t;
    struct hv_image *img;
    struct xn_msg msg;
    int fd = simt_tmpfile_fd();

    simt_open(&t, "sim:///", NULL);
    /* An image to restore from: a small domain, saved (and left
     * suspended). */
    simt_save(&t, simt_create(&t, simt_mkcfg("small", 16, 1), false), fd, 0);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(hv_image_open(t.hv, fd, &img, &msg), 0);
    t.n_done = 0;
    ck_assert_int_eq(hv_create(t.hv, simt_mkcfg("x", 16, 1), false,
                               simt_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_shutdown(t.hv, 1, false, simt_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_destroy(t.hv, 2, simt_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_restore(t.hv, img, "copy", false, simt_on_done, &t,
                                &msg), 0);
    hv_close(t.hv);
    event_base_loop(t.base, EVLOOP_NONBLOCK);
    ck_assert_int_eq(t.n_done, 0);
    event_base_free(t.base);
    close(fd);
}
END_TEST

static void close_on_event(void *opaque, const struct hv_event *ev)
{
    struct simt *t = opaque;

    (void)ev;
    t->n_ev++;
    hv_close(t->hv);
    t->hv = NULL;
}

static void close_on_done(void *opaque, int rc, const struct xn_msg *msg,
                          uint32_t domid)
{
    simt_on_done(opaque, rc, msg, domid);
    hv_close(((struct simt *)opaque)->hv);
    ((struct simt *)opaque)->hv = NULL;
}

/* The owner may close the hv from inside its callbacks. */
START_TEST(driver_close_from_callbacks)
{
    struct simt t;
    struct xn_msg msg;

    memset(&t, 0, sizeof(t));
    t.base = event_base_new();
    ck_assert_int_eq(hv_open("sim:///", t.base, NULL, close_on_event, &t,
                             &t.hv, &msg), 0);
    ck_assert_int_eq(hv_destroy(t.hv, 1, simt_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_destroy(t.hv, 2, simt_on_done, &t, &msg), 0);
    ck_assert(simt_run_until(&t, &t.n_ev, 1, 2000));
    ck_assert_ptr_null(t.hv);
    ck_assert(!simt_run_until(&t, &t.n_done, 1, 50));
    ck_assert_int_eq(t.n_ev, 1);

    ck_assert_int_eq(hv_open("sim:///", t.base, NULL, simt_on_event, &t, &t.hv,
                             &msg), 0);
    ck_assert_int_eq(hv_create(t.hv, simt_mkcfg("a", 16, 1), false,
                               close_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_create(t.hv, simt_mkcfg("b", 16, 1), false,
                               close_on_done, &t, &msg), 0);
    ck_assert_int_eq(hv_shutdown(t.hv, 1, false, close_on_done, &t, &msg),
                     0);
    ck_assert(simt_run_until(&t, &t.n_done, 1, 2000));
    ck_assert(!simt_run_until(&t, &t.n_done, 2, 300));
    ck_assert_ptr_null(t.hv);
    event_base_free(t.base);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim_driver");
    TCase *driver = tcase_create("driver");

    tcase_add_test(driver, driver_queries);
    tcase_add_test(driver, driver_create_destroy);
    tcase_add_test(driver, driver_states);
    tcase_add_test(driver, driver_shutdown);
    tcase_add_test(driver, driver_resources);
    tcase_add_test(driver, driver_many_domains);
    tcase_add_test(driver, driver_close_abandons);
    tcase_add_test(driver, driver_close_from_callbacks);
    tcase_set_timeout(driver, 120);
    suite_add_tcase(s, driver);
    return simt_run(s);
}
