/*
 * test_sim_save.c - the sim:/// driver's save, restore and resume on a
 * real libevent loop: a domain's configuration, images in files and over
 * sockets between two hosts, damaged images, a peer that went away, speed;
 * guests writing to memory and the rounds of a live save (on a clock that
 * runs with the bytes written, a link of known speed), its progress.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "hv.h"
#include "sim/sim_drv.h"
#include "sim/sim_host.h"

#include "sim_testlib.h"

START_TEST(driver_dom_config)
{
    struct simt t;
    libxl_domain_config *c = simt_mkcfg("full", 256, 2), out;
    struct xn_msg msg;
    uint32_t id;

    simt_open(&t, "sim:///", NULL);
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
    id = simt_create(&t, c, false);
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
        int fd = simt_tmpfile_fd();
        uint32_t id2;

        simt_save(&t, id, fd, 0);
        ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
        ck_assert_int_eq(simt_restore(&t, fd, "full3", false), 0);
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
    simt_close(&t);
}
END_TEST

START_TEST(driver_save_restore)
{
    struct simt t;
    struct hv_dominfo info;
    struct sim_dom *d;
    struct xn_msg msg;
    uint64_t free0, seed;
    uint32_t id, id2;
    off_t end;
    int fd = simt_tmpfile_fd();

    simt_open(&t, "sim:///", NULL);
    free0 = simt_host_free(&t);
    id = simt_create(&t, simt_mkcfg("s1", 64, 2), false);
    d = sim_dom_get(simdrv_of(t.hv)->host, id);
    ck_assert_int_eq(sim_dom_dirty_page(d, 5), 0);
    ck_assert_int_eq(sim_dom_dirty_page(d, 5), 0);
    seed = d->seed;
    simt_save(&t, id, fd, 0);
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_SHUTDOWN);
    ck_assert_int_eq(info.shutdown_reason, HV_SHUTDOWN_SUSPEND);
    ck_assert_int_eq(t.n_ev, 1);            /* as Xen reports a suspend */
    ck_assert_int_eq(t.ev[0].type, HV_EV_SHUTDOWN);
    ck_assert_int_eq(t.ev[0].reason, HV_SHUTDOWN_SUSPEND);
    end = lseek(fd, 0, SEEK_CUR);
    ck_assert_int_gt(end, 64 * 1024 * 1024);
    ck_assert_int_eq(write(fd, "TAIL", 4), 4);      /* not the image's */
    simt_destroy(&t, id);
    ck_assert_uint_eq(simt_host_free(&t), free0);

    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(simt_restore(&t, fd, NULL, false), 0);
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
    ck_assert_uint_eq(simt_host_free(&t), free0 - 64 * MiB);

    /* the same image again, under another name, paused */
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(simt_restore(&t, fd, "s1", false), XN_EEXIST);
    ck_assert_str_eq(t.msg.text, "a domain named \"s1\" already exists "
                     "(domain 4)");
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(simt_restore(&t, fd, NULL, false), XN_EEXIST);
    ck_assert_str_eq(t.msg.text, "a domain named \"s1\" already exists "
                     "(domain 4)");
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    ck_assert_int_eq(simt_restore(&t, fd, "s1b", true), 0);
    ck_assert_int_eq(hv_dom_info(t.hv, t.domid, &info, &msg), 0);
    ck_assert_str_eq(info.name, "s1b");
    ck_assert_int_eq(info.state, HV_STATE_PAUSED);

    /* checkpoint: save, then resume */
    ck_assert_int_eq(ftruncate(fd, 0), 0);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    simt_save(&t, id2, fd, HV_SAVE_LIVE);
    ck_assert_int_eq(hv_resume(t.hv, id2, simt_on_done, &t, &msg), 0);
    ck_assert(simt_run_until(&t, &t.n_done, t.n_done + 1, 1000));
    ck_assert_int_eq(hv_dom_info(t.hv, id2, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    ck_assert_int_eq(hv_resume(t.hv, id2, simt_on_done, &t, &msg), XN_ESTATE);
    ck_assert_str_eq(msg.text, "domain 4 (s1) is not suspended (it is "
                     "running)");
    close(fd);
    simt_close(&t);
}
END_TEST

/* Damage the image at `at` (or cut it there) and restore it. */
static void restore_damaged(struct simt *t, int src, off_t len, off_t at,
                            bool cut, const char *want)
{
    int fd = simt_tmpfile_fd();
    char buf[65536];
    off_t done = 0;
    uint64_t free0 = simt_host_free(t);
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
    ck_assert_int_eq(simt_restore(t, fd, NULL, false), XN_ECORRUPT);
    ck_assert_msg(strstr(t->msg.text, want) != NULL, "\"%s\" lacks \"%s\"",
                  t->msg.text, want);
    ck_assert_int_eq(hv_dom_list(t->hv, &list, &n_dom2, NULL), 0);
    free(list);
    ck_assert_uint_eq(n_dom2, n_dom);               /* nothing left over */
    ck_assert_uint_eq(simt_host_free(t), free0);
    close(fd);
}

START_TEST(driver_restore_rejects_damage)
{
    struct simt t;
    off_t len;
    uint32_t id;
    int fd = simt_tmpfile_fd();

    simt_open(&t, "sim:///", NULL);
    id = simt_create(&t, simt_mkcfg("s2", 16, 1), false);
    simt_save(&t, id, fd, 0);
    len = lseek(fd, 0, SEEK_CUR);
    simt_destroy(&t, id);

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
    simt_close(&t);
}
END_TEST

/* A save into a non-blocking socket, restored on another host in the same
 * process and loop: both sides see EAGAIN. */
START_TEST(driver_migrate_between_hosts)
{
    struct simt a, b;
    struct hv_dominfo info;
    struct hv_image *img;
    struct xn_msg msg;
    int sv[2];
    uint32_t id;

    simt_open(&a, "sim:///a", NULL);
    memset(&b, 0, sizeof(b));
    b.base = a.base;
    ck_assert_int_eq(hv_open("sim:///b", a.base, NULL, simt_on_event, &b,
                             &b.hv, &msg), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    id = simt_create(&a, simt_mkcfg("mig", 32, 1), false);
    ck_assert_int_eq(hv_save(a.hv, id, sv[0], HV_SAVE_LIVE, simt_on_done, &a,
                             &msg), 0);
    /* The header and configuration come first: once they are in the
     * socket, the image can be opened (synchronously) on the other side. */
    for (int i = 0; i < 100 && !simt_readable(sv[1]); i++)
        event_base_loop(a.base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    ck_assert_int_eq(hv_image_open(b.hv, sv[1], &img, &msg), 0);
    ck_assert_int_eq(hv_restore(b.hv, img, "mig--incoming", true,
                                simt_on_done, &b, &msg), 0);
    ck_assert(simt_run_until(&a, &b.n_done, 1, 20000));
    ck_assert(simt_run_until(&a, &a.n_done, 2, 20000));
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
    simt_close(&a);
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
    struct simt t;
    struct hv_dominfo info;
    struct xn_msg msg;
    int sv[2];
    uint32_t id;

    simt_open(&t, "sim:///", NULL);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    close(sv[1]);
    id = simt_create(&t, simt_mkcfg("lost", 16, 1), false);
    ck_assert_int_eq(hv_save(t.hv, id, sv[0], 0, simt_on_done, &t, &msg), 0);
    ck_assert(simt_run_until(&t, &t.n_done, 2, 5000));
    ck_assert_int_eq(t.rc, XN_EIO);
    ck_assert_str_eq(t.msg.text, "writing the image of domain 3 (lost) "
                     "failed after 0 bytes: Broken pipe");
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.shutdown_reason, HV_SHUTDOWN_SUSPEND);
    ck_assert_int_eq(hv_resume(t.hv, id, simt_on_done, &t, &msg), 0);
    ck_assert(simt_run_until(&t, &t.n_done, 3, 1000));
    ck_assert_int_eq(hv_dom_info(t.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    close(sv[0]);
    simt_close(&t);
}
END_TEST

START_TEST(driver_big_save_is_quick)
{
    struct simt t;
    uint64_t t0;
    uint32_t id;
    int fd;
    char path[] = "/dev/shm/test_sim.XXXXXX";

    fd = mkstemp(path);
    if (fd < 0)
        fd = simt_tmpfile_fd();
    else
        unlink(path);
    simt_open(&t, "sim:///", NULL);
    id = simt_create(&t, simt_mkcfg("big", 256, 1), false);
    t0 = simt_now_ms();
    simt_save(&t, id, fd, 0);
    ck_assert_uint_lt(simt_now_ms() - t0, 3000 * slow_factor());
    simt_destroy(&t, id);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    t0 = simt_now_ms();
    ck_assert_int_eq(simt_restore(&t, fd, NULL, false), 0);
    ck_assert_uint_lt(simt_now_ms() - t0, 3000 * slow_factor());
    close(fd);
    simt_close(&t);
}
END_TEST

/* --- guests writing to memory --- */

static uint64_t gen_sum(const struct sim_dom *d, uint64_t *touched_r)
{
    uint64_t sum = 0, touched = 0;

    for (uint64_t pfn = 0; pfn < sim_dom_pages(d); pfn++) {
        sum += sim_dom_page_gen(d, pfn);
        touched += sim_dom_page_gen(d, pfn) != 0;
    }
    if (touched_r)
        *touched_r = touched;
    return sum;
}

START_TEST(dirty_model)
{
    struct sim_host *h = simt_load(NULL), *h2 = simt_load(NULL);
    struct sim_dom *d = simt_named(h, "web1"), *d2 = simt_named(h2, "web1");
    uint64_t touched, t0 = simt_fake_now, *map, n;

    /* 64 MiB/s over a quarter of 1 GiB: 16384 writes a second */
    sim_dom_set_dirty(h, d, 64 * MiB, 0.25);
    sim_dom_set_dirty(h2, d2, 64 * MiB, 0.25);
    ck_assert_uint_eq(sim_dom_dirty_set_pages(d), 65536);
    simt_fake_now = t0 + SEC;
    sim_dom_dirty_settle(h, d);
    ck_assert_uint_eq(gen_sum(d, &touched), 16384);
    ck_assert_uint_le(touched, 16384);
    ck_assert_uint_gt(touched, 14000);      /* ~14.4k distinct of 65536 */

    /* the same writes however the time is cut */
    for (int i = 1; i <= 7; i++) {
        simt_fake_now = t0 + SEC * (uint64_t)i / 7;
        sim_dom_dirty_settle(h2, d2);
    }
    ck_assert_int_eq(memcmp(d->page_gen, d2->page_gen,
                            sim_dom_pages(d) * sizeof(*d->page_gen)), 0);

    /* a paused guest writes nothing; the log sees what is written */
    ck_assert_int_eq(sim_dom_pause(h, d, NULL), 0);
    ck_assert_int_eq(sim_dom_log_dirty_start(d), 0);
    simt_fake_now = t0 + 3 * SEC;
    sim_dom_dirty_settle(h, d);
    ck_assert_uint_eq(gen_sum(d, NULL), 16384);
    ck_assert_uint_eq(sim_dom_log_dirty_count(d), 0);
    ck_assert_int_eq(sim_dom_dirty_page(d, 5), 0);
    ck_assert_int_eq(sim_dom_dirty_page(d, 5), 0);
    ck_assert_int_eq(sim_dom_dirty_page(d, 70), 0);
    ck_assert_uint_eq(sim_dom_log_dirty_count(d), 2);
    ck_assert_int_eq(sim_dom_log_dirty_take(d, &map, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(map[0], UINT64_C(1) << 5);
    ck_assert_uint_eq(map[1], UINT64_C(1) << 6);
    free(map);
    ck_assert_uint_eq(sim_dom_log_dirty_count(d), 0);

    /* running again: 2 s more at the rate (the pause did not count) */
    ck_assert_int_eq(sim_dom_unpause(h, d, NULL), 0);
    simt_fake_now = t0 + 5 * SEC;
    sim_dom_dirty_settle(h, d);
    ck_assert_uint_eq(gen_sum(d, NULL), 16384 * 3 + 3);
    ck_assert_uint_gt(sim_dom_log_dirty_count(d), 20000);
    sim_dom_log_dirty_stop(d);
    ck_assert_int_eq(sim_dom_log_dirty_take(d, &map, &n), XN_ESTATE);

    /* no rate, no writes */
    sim_dom_set_dirty(h, d, 0, 1);
    simt_fake_now = t0 + 9 * SEC;
    sim_dom_dirty_settle(h, d);
    ck_assert_uint_eq(gen_sum(d, NULL), 16384 * 3 + 3);
    sim_host_free(h);
    sim_host_free(h2);
}
END_TEST

/* --- live saves in rounds --- */

/* The host's clock for a save over a link of `bytes_s`: time moves only
 * with the bytes the save of `domid` handed out, so what the guest writes
 * meanwhile is the same on every run. */
struct link {
    struct simdrv *drv;
    uint32_t domid;
    uint64_t base;
    uint64_t bytes_s;
    uint64_t bytes;
};

static uint64_t link_now(void *opaque)
{
    struct link *l = opaque;
    const struct simdrv_op *op = simdrv_op_find(l->drv, SIMOP_SAVE,
                                                l->domid);

    if (op && op->w)
        l->bytes = sim_img_writer_offset(op->w);
    return l->base + (uint64_t)((double)l->bytes * 1e9 / (double)l->bytes_s);
}

static void link_install(struct link *l, struct simt *t, uint32_t domid,
                         uint64_t bytes_s)
{
    memset(l, 0, sizeof(*l));
    l->drv = simdrv_of(t->hv);
    l->domid = domid;
    l->bytes_s = bytes_s;
    l->base = sim_host_now(l->drv->host);
    sim_host_set_clock(l->drv->host, link_now, l);
}

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* What hv_save_progress told while the save ran. */
struct seen {
    int polls;
    uint32_t max_round;
    uint64_t bytes;
    bool suspended;
    uint64_t suspended_ns;
    uint64_t pages_total;
};

/* Run the loop until t's save of domid is done, asking its progress after
 * every turn: it only grows, and the suspend is recorded once. */
static void run_save(struct simt *t, uint32_t domid, int want_done,
                     struct seen *s)
{
    bool timed_out = false;
    struct timeval tv = { 120, 0 };
    struct event *to = evtimer_new(t->base, simt_timeout_cb, &timed_out);

    memset(s, 0, sizeof(*s));
    evtimer_add(to, &tv);
    while (t->n_done < want_done && !timed_out) {
        struct hv_save_progress p;
        struct xn_msg msg;

        event_base_loop(t->base, EVLOOP_ONCE);
        if (hv_save_progress(t->hv, domid, &p, &msg) < 0) {
            char gone[64];
            snprintf(gone, sizeof(gone), "domain %u (lv) is not being saved",
                     domid);
            ck_assert_int_eq(t->n_done, want_done);     /* it ended */
            ck_assert_str_eq(msg.text, gone);
            break;
        }
        s->polls++;
        ck_assert_uint_ge(p.round, s->max_round);
        ck_assert_uint_ge(p.bytes, s->bytes);
        ck_assert_uint_le(p.pages_dirty, p.pages_total + p.pages_total);
        if (s->suspended) {
            ck_assert(p.suspended);
            ck_assert_uint_eq(p.suspended_ns, s->suspended_ns);
        }
        s->max_round = p.round;
        s->bytes = p.bytes;
        s->suspended = p.suspended;
        s->suspended_ns = p.suspended_ns;
        s->pages_total = p.pages_total;
    }
    event_free(to);
    ck_assert_msg(!timed_out, "the save did not end");
}

/* Two hosts on one loop, a socket between them: a saves into sv[0], b
 * restores from sv[1]. */
static void two_hosts(struct simt *a, struct simt *b, int sv[2])
{
    struct xn_msg msg;

    simt_open(a, "sim:///a", NULL);
    memset(b, 0, sizeof(*b));
    b->base = a->base;
    ck_assert_int_eq(hv_open("sim:///b", a->base, NULL, simt_on_event, b,
                             &b->hv, &msg), 0);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
}

/* Start a's live save of id and b's restore of it as "lv--incoming". */
static void start_migration(struct simt *a, struct simt *b, uint32_t id,
                            int sv[2])
{
    struct hv_image *img;
    struct xn_msg msg;

    ck_assert_int_eq(hv_save(a->hv, id, sv[0], HV_SAVE_LIVE, simt_on_done,
                             a, &msg), 0);
    for (int i = 0; i < 100 && !simt_readable(sv[1]); i++)
        event_base_loop(a->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    ck_assert_int_eq(hv_image_open(b->hv, sv[1], &img, &msg), 0);
    ck_assert_int_eq(hv_restore(b->hv, img, "lv--incoming", true,
                                simt_on_done, b, &msg), 0);
}

/* A guest writing 32 MiB/s over a 256 MiB/s link: round 0 (16 MiB) leaves
 * ~480 pages dirty, round 1 ~60; then it is suspended for the rest.  The
 * restored guest has every page at the generation it had then. */
START_TEST(live_save_converges)
{
    struct simt a, b;
    struct hv_dominfo info;
    struct sim_dom *da, *db;
    struct link l;
    struct seen s;
    struct xn_msg msg;
    uint64_t before, touched;
    int sv[2];
    uint32_t id;

    two_hosts(&a, &b, sv);
    id = simt_create(&a, simt_mkcfg("lv", 16, 1), false);
    da = sim_dom_get(simdrv_of(a.hv)->host, id);
    link_install(&l, &a, id, 256 * MiB * 1024);
    sim_dom_set_dirty(simdrv_of(a.hv)->host, da, 32 * MiB, 1);
    ck_assert_int_eq(hv_save_progress(a.hv, id, &(struct hv_save_progress){0},
                                      &msg), XN_ENOENT);
    before = realtime_ns();
    start_migration(&a, &b, id, sv);
    run_save(&a, id, 2, &s);
    ck_assert_msg(a.rc == 0, "%s", a.msg.text);
    ck_assert(simt_run_until(&a, &b.n_done, 1, 60000));
    ck_assert_msg(b.rc == 0, "%s", b.msg.text);

    ck_assert_int_gt(s.polls, 2);
    ck_assert_uint_ge(s.max_round, 1);              /* more than one round */
    ck_assert_uint_gt(s.bytes, 16 * MiB * 1024);
    ck_assert_uint_eq(s.pages_total, 4096);
    ck_assert(s.suspended);
    ck_assert_uint_ge(s.suspended_ns, before);
    ck_assert_uint_le(s.suspended_ns, realtime_ns());
    ck_assert_uint_gt(l.bytes, 16 * MiB * 1024 + 4096);    /* pages again */

    /* the source: suspended (reported once), log-dirty mode off */
    ck_assert_int_eq(hv_dom_info(a.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_SHUTDOWN);
    ck_assert_int_eq(info.shutdown_reason, HV_SHUTDOWN_SUSPEND);
    ck_assert_int_eq(a.n_ev, 1);
    ck_assert_ptr_null(da->dirty.log);

    /* the copy: every page as the source had it at the suspend */
    db = sim_dom_get(simdrv_of(b.hv)->host, b.domid);
    ck_assert_ptr_nonnull(db);
    ck_assert_str_eq(db->name, "lv--incoming");
    ck_assert_uint_gt(gen_sum(da, &touched), 0);
    ck_assert_uint_gt(touched, 400);
    ck_assert_uint_eq(sim_dom_pages(db), sim_dom_pages(da));
    for (uint64_t pfn = 0; pfn < sim_dom_pages(da); pfn++)
        ck_assert_uint_eq(sim_dom_page_gen(db, pfn),
                          sim_dom_page_gen(da, pfn));
    close(sv[0]);
    close(sv[1]);
    hv_close(b.hv);
    simt_close(&a);
}
END_TEST

/* A guest writing 1 GiB/s over a quarter of its 16 MiB, on a 256 MiB/s
 * link: every round leaves its whole working set dirty (1024 pages, more
 * than 1/8 of its memory), so after 10 the save gives up; the guest runs
 * on, never suspended, and the other side sees a truncated stream. */
START_TEST(live_save_gives_up)
{
    struct simt a, b;
    struct hv_dominfo info;
    struct hv_save_progress p;
    struct sim_dom *da;
    struct link l;
    struct seen s;
    struct xn_msg msg;
    const char *want = "live save of lv did not converge: 10 rounds sent ";
    int sv[2];
    uint32_t id;

    two_hosts(&a, &b, sv);
    id = simt_create(&a, simt_mkcfg("lv", 16, 1), false);
    da = sim_dom_get(simdrv_of(a.hv)->host, id);
    link_install(&l, &a, id, 256 * MiB * 1024);
    sim_dom_set_dirty(simdrv_of(a.hv)->host, da, GiB, 0.25);
    start_migration(&a, &b, id, sv);
    run_save(&a, id, 2, &s);
    ck_assert_int_eq(a.rc, XN_ETIMEDOUT);
    ck_assert_msg(strncmp(a.msg.text, want, strlen(want)) == 0, "%s",
                  a.msg.text);
    ck_assert_msg(strstr(a.msg.text, " MiB still dirtied per round at "
                         "1 GiB/s") != NULL, "%s", a.msg.text);
    ck_assert_uint_ge(s.max_round, 8);
    ck_assert(!s.suspended);

    ck_assert_int_eq(hv_dom_info(a.hv, id, &info, &msg), 0);
    ck_assert_int_eq(info.state, HV_STATE_RUNNING);
    ck_assert_int_eq(info.shutdown_reason, HV_SHUTDOWN_NONE);
    ck_assert_int_eq(a.n_ev, 0);                    /* never suspended */
    ck_assert_ptr_null(da->dirty.log);
    ck_assert_int_eq(hv_save_progress(a.hv, id, &p, &msg), XN_ENOENT);
    ck_assert_int_eq(hv_resume(a.hv, id, simt_on_done, &a, &msg), XN_ESTATE);

    /* nothing more comes: the receiver refuses what it got */
    close(sv[0]);
    ck_assert(simt_run_until(&a, &b.n_done, 1, 60000));
    ck_assert_int_eq(b.rc, XN_ECORRUPT);
    ck_assert_msg(strstr(b.msg.text, "cannot restore lv--incoming: the "
                         "image is truncated after ") != NULL, "%s",
                  b.msg.text);
    ck_assert_int_eq(hv_dom_lookup(b.hv, "lv--incoming", &id, &msg),
                     XN_ENOENT);
    close(sv[1]);
    hv_close(b.hv);
    simt_close(&a);
}
END_TEST

/* No writes: one pass, the same stream as a save that suspends first. */
START_TEST(live_save_idle_is_one_round)
{
    struct simt t;
    struct seen s;
    struct xn_msg msg;
    off_t live, cold;
    int fd = simt_tmpfile_fd();
    uint32_t id;

    simt_open(&t, "sim:///", NULL);
    id = simt_create(&t, simt_mkcfg("lv", 16, 1), false);
    ck_assert_int_eq(hv_save(t.hv, id, fd, HV_SAVE_LIVE, simt_on_done, &t,
                             &msg), 0);
    run_save(&t, id, 2, &s);
    ck_assert_msg(t.rc == 0, "%s", t.msg.text);
    ck_assert_uint_eq(s.max_round, 0);
    live = lseek(fd, 0, SEEK_CUR);
    ck_assert_int_eq(hv_resume(t.hv, id, simt_on_done, &t, &msg), 0);
    ck_assert(simt_run_until(&t, &t.n_done, 3, 1000));
    ck_assert_int_eq(ftruncate(fd, 0), 0);
    ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
    simt_save(&t, id, fd, 0);
    cold = lseek(fd, 0, SEEK_CUR);
    ck_assert_int_eq(live, cold);
    ck_assert_int_eq(hv_save_progress(t.hv, 99, &(struct hv_save_progress){0},
                                      &msg), XN_ENOENT);
    ck_assert_str_eq(msg.text, "no domain with id 99");
    close(fd);
    simt_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sim_save");
    TCase *save = tcase_create("save");

    tcase_add_test(save, driver_dom_config);
    tcase_add_test(save, driver_save_restore);
    tcase_add_test(save, driver_restore_rejects_damage);
    tcase_add_test(save, driver_migrate_between_hosts);
    tcase_add_test(save, driver_save_to_closed_peer);
    tcase_add_test(save, driver_big_save_is_quick);
    tcase_add_test(save, dirty_model);
    tcase_add_test(save, live_save_converges);
    tcase_add_test(save, live_save_gives_up);
    tcase_add_test(save, live_save_idle_is_one_round);
    tcase_set_timeout(save, 120);
    suite_add_tcase(s, save);
    return simt_run(s);
}
