/*
 * hv-probe.c - exercise every op of the xen:/// driver against real Xen.
 *
 * Runs inside a Xen dom0 (see the lab recipe): opens xen:/// on a libevent
 * loop and drives one PV guest through the interface, printing
 * "PASS step (seconds)" or "FAIL step: why" per step and a closing
 * "N passed, M failed" line.  Exit status 0 when nothing failed.
 *
 *   hv-probe [-k KERNEL] [-r RAMDISK] [--pvh] [--hvm | --only-hvm]
 *
 * Needs: /guest/vmlinux and /guest/guest-initrd.cpio.gz (a guest whose
 * init prints GUEST-MARKER-UP and then GUEST-HEARTBEAT lines), xenconsoled
 * logging guest consoles to /var/log/xen/console, and `xl` for the
 * foreign-domain steps.  Build (from the repo root, after make):
 *
 *   cc -std=gnu11 -D_GNU_SOURCE -DHAVE_YAJL_V2=1 -Itoolstack \
 *      $(pkg-config --cflags xenlight libevent) -o hv-probe \
 *      tests/lab/hv-probe.c build/libxenith.a \
 *      $(pkg-config --libs xenlight xlutil xenstore xentoollog libxml-2.0 \
 *        openssl libevent libevent_openssl json-c yajl)
 *
 * Running it under QEMU with a copy of the shared recipe (shared/xenlab):
 * in the copy's build-image.sh put the binary at $R/usr/local/bin/hv-probe
 * with the libraries `ldd` lists; in its init, after the daemons started,
 * run `timeout 1200 hv-probe [--pvh]`; boot with Xen arguments
 * "dom0_max_vcpus=1 dom0_vcpus_pin" (add "sched=credit" for the credit
 * scheduler) and the uncompressed vmlinux as dom0 kernel.  The whole run
 * takes about 70 s after dom0 is up.  Guests are pinned to pCPU 1.
 * PROBE_VERBOSE=1 prints libxl's debug lines too.  (valgrind does not
 * work in dom0: Debian's build lacks Xen's privcmd ioctls, so every
 * hypercall fails under it.)
 */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <ucontext.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <xenstore.h>

#include "hv.h"
#include "log.h"

#define GUEST "g1"
#define XLGUEST "gx"
#define PVHGUEST "gp"
#define IMG "/var/lib/xen/g1.img"
#define CKPT "/var/lib/xen/g1.ckpt"
#define BAD "/var/lib/xen/bad.img"
#define PVHIMG "/var/lib/xen/gp.img"

static struct {
    struct event_base *base;
    struct hv *hv;
    int pass, fail;
    const char *kernel, *ramdisk, *kernel_hvm;
    /* the last completion */
    bool done;
    int rc;
    uint32_t domid;
    char msg[XN_MSG_MAX];
    /* every event received */
    struct hv_event evs[512];
    int nev;
} P;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double t_step;

static void begin(void)
{
    t_step = now_s();
}

static void pass(const char *name)
{
    P.pass++;
    printf("PASS %s (%.2fs)\n", name, now_s() - t_step);
    fflush(stdout);
}

static void fail(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fail(const char *name, const char *fmt, ...)
{
    va_list ap;
    P.fail++;
    printf("FAIL %s: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" (%.2fs)\n", now_s() - t_step);
    fflush(stdout);
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    va_list ap;
    printf("  .. ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* --- the loop --- */

static void tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

/* Run the loop for about `secs` seconds. */
static void run_for(double secs)
{
    double end = now_s() + secs;
    while (now_s() < end)
        event_base_loop(P.base, EVLOOP_ONCE);
}

static void on_event(void *opaque, const struct hv_event *ev)
{
    (void)opaque;
    note("event %s domain %u (%s) reason %s",
         ev->type == HV_EV_NEW ? "NEW" :
         ev->type == HV_EV_SHUTDOWN ? "SHUTDOWN" : "DEATH",
         ev->domid, ev->name, hv_shutdown_name(ev->reason));
    if (P.nev < (int)(sizeof(P.evs) / sizeof(P.evs[0])))
        P.evs[P.nev++] = *ev;
}

static void on_done(void *opaque, int rc, const struct xn_msg *msg,
                    uint32_t domid)
{
    (void)opaque;
    P.done = true;
    P.rc = rc;
    P.domid = domid;
    snprintf(P.msg, sizeof(P.msg), "%s", msg ? msg->text : "");
}

static void arm(void)
{
    P.done = false;
    P.rc = 1;
    P.msg[0] = '\0';
}

/* Wait for the pending completion; false on timeout. */
static bool wait_done(double secs)
{
    double end = now_s() + secs;
    while (!P.done && now_s() < end)
        event_base_loop(P.base, EVLOOP_ONCE);
    return P.done;
}

/* Index of the first event at or after `from` matching; -1 on timeout. */
static int wait_event(int from, enum hv_event_type type, uint32_t domid,
                      double secs)
{
    double end = now_s() + secs;
    for (;;) {
        for (int i = from; i < P.nev; i++)
            if (P.evs[i].type == type && P.evs[i].domid == domid)
                return i;
        if (now_s() >= end)
            return -1;
        event_base_loop(P.base, EVLOOP_ONCE);
    }
}

/* --- the guest's console --- */

static int console_count(const char *name, const char *pat)
{
    char path[256], line[1024];
    int n = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/var/log/xen/console/guest-%s.log", name);
    f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, pat))
            n++;
    fclose(f);
    return n;
}

/* Wait until the console shows more than `min` lines with `pat`. */
static bool wait_console(const char *name, const char *pat, int min,
                         double secs)
{
    double end = now_s() + secs;
    while (console_count(name, pat) <= min) {
        if (now_s() >= end)
            return false;
        run_for(0.5);
    }
    return true;
}

static char *xs_get(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xs_get(const char *fmt, ...)
{
    struct xs_handle *xs = xs_open(0);
    char path[256];
    unsigned len;
    char *v;
    va_list ap;

    if (!xs)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    v = xs_read(xs, XBT_NULL, path, &len);
    xs_close(xs);
    return v;
}

/* --- guest configurations --- */

/* A libxl bitmap of CPUs filled by hand (no ctx here): `bits` is the low
 * byte. */
static void bitmap_byte(libxl_bitmap *bm, uint8_t bits)
{
    libxl_bitmap_init(bm);
    bm->size = 1;
    bm->map = calloc(1, 1);
    bm->map[0] = bits;
}

static libxl_domain_config *guest_cfg(const char *name, libxl_domain_type t,
                                      int vcpus)
{
    libxl_domain_config *cfg = malloc(sizeof(*cfg));
    libxl_domain_build_info *b = &cfg->b_info;

    libxl_domain_config_init(cfg);
    cfg->c_info.type = t;
    cfg->c_info.name = strdup(name);
    libxl_domain_build_info_init_type(b, t);
    b->max_vcpus = vcpus;
    bitmap_byte(&b->avail_vcpus, (uint8_t)((1u << vcpus) - 1));
    /* cpus = "1": every vCPU on pCPU 1, away from dom0's pCPU 0 */
    b->num_vcpu_hard_affinity = vcpus;
    b->vcpu_hard_affinity = calloc((size_t)vcpus, sizeof(libxl_bitmap));
    for (int i = 0; i < vcpus; i++)
        bitmap_byte(&b->vcpu_hard_affinity[i], 0x2);
    b->max_memkb = 128 * 1024;
    b->target_memkb = 128 * 1024;
    b->kernel = strdup(P.kernel);
    b->ramdisk = strdup(P.ramdisk);
    b->cmdline = strdup("console=hvc0 quiet");
    if (t == LIBXL_DOMAIN_TYPE_PVH)
        b->tsc_mode = LIBXL_TSC_MODE_NATIVE;
    cfg->on_crash = LIBXL_ACTION_ON_SHUTDOWN_PRESERVE;
    return cfg;
}

/* --- helpers over the interface --- */

static bool info_of(uint32_t domid, struct hv_dominfo *info)
{
    struct xn_msg msg;
    int rc = hv_dom_info(P.hv, domid, info, &msg);
    if (rc < 0)
        note("dom_info %u: %s: %s", domid, xn_errname(rc), msg.text);
    return rc == 0;
}

static bool find_named(const char *name, struct hv_dominfo *out)
{
    struct hv_dominfo *list;
    struct xn_msg msg;
    size_t n;
    bool found = false;

    if (hv_dom_list(P.hv, &list, &n, &msg) < 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0) {
            *out = list[i];
            found = true;
        }
    free(list);
    return found;
}

static const char *cpus_str(const struct cpuset *s, char *buf, size_t len)
{
    return cpuset_format(s, 0, buf, len);
}

/* Start an async call's result check: rc of the starting call, then wait. */
static bool finish(const char *step, int rc, struct xn_msg *msg,
                   double secs)
{
    if (rc < 0) {
        fail(step, "did not start: %s: %s", xn_errname(rc), msg->text);
        return false;
    }
    if (P.done) {
        fail(step, "done was called from inside the starting call");
        return false;
    }
    if (!wait_done(secs)) {
        fail(step, "no completion within %.0fs", secs);
        return false;
    }
    if (P.rc < 0) {
        fail(step, "%s: %s", xn_errname(P.rc), P.msg);
        return false;
    }
    return true;
}

static bool expect_err(const char *step, int rc, int want,
                       const struct xn_msg *msg)
{
    if (rc != want) {
        fail(step, "got %s (%s), wanted %s", xn_errname(rc),
             rc ? msg->text : "", xn_errname(want));
        return false;
    }
    note("%s: %s", xn_errname(rc), msg->text);
    return true;
}

/* --- the steps --- */

static uint32_t g_domid;

static void step_host(void)
{
    struct hv_hostinfo hi;
    struct hv_dominfo *list;
    struct xn_msg msg;
    size_t n;
    int rc;

    begin();
    rc = hv_host_info(P.hv, &hi, &msg);
    if (rc < 0) {
        fail("host_info", "%s", msg.text);
    } else {
        note("host %s driver %s xen %s cpus %u (%u/core %u/socket) %u MHz "
             "total %llu KiB free %llu KiB sched %s", hi.hostname, hi.driver,
             hi.xen_version, hi.nr_cpus, hi.threads_per_core,
             hi.cores_per_socket, hi.cpu_mhz, (unsigned long long)hi.total_kb,
             (unsigned long long)hi.free_kb, hv_sched_name(hi.sched));
        if (hi.nr_cpus < 1 || strncmp(hi.xen_version, "4.17", 4) != 0 ||
            hi.total_kb == 0 || hi.sched == HV_SCHED_UNKNOWN)
            fail("host_info", "implausible values");
        else
            pass("host_info");
    }

    begin();
    rc = hv_dom_list(P.hv, &list, &n, &msg);
    if (rc < 0) {
        fail("dom_list", "%s", msg.text);
        return;
    }
    for (size_t i = 0; i < n; i++)
        note("dom %u %s %s %s mem %llu target %llu max %llu vcpus %u/%u "
             "pool %u sched %s w %d cap %d foreign %d", list[i].domid,
             list[i].name, hv_domtype_name(list[i].type),
             hv_state_name(list[i].state),
             (unsigned long long)list[i].mem_kb,
             (unsigned long long)list[i].target_kb,
             (unsigned long long)list[i].max_kb, list[i].vcpus_online,
             list[i].vcpus_max, list[i].poolid,
             hv_sched_name(list[i].sched.sched), list[i].sched.weight,
             list[i].sched.cap, list[i].foreign);
    if (n >= 1 && list[0].domid == 0 && strcmp(list[0].name, "Domain-0") == 0)
        pass("dom_list");
    else
        fail("dom_list", "domain 0 missing or misnamed");
    free(list);
}

static void step_unknown(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc;
    bool ok = true;

    begin();
    rc = hv_dom_info(P.hv, 31000, &info, &msg);
    ok &= expect_err("unknown_domid", rc, XN_ENOENT, &msg);
    rc = hv_pause(P.hv, 31000, &msg);
    ok &= expect_err("unknown_domid", rc, XN_ENOENT, &msg);
    arm();
    rc = hv_destroy(P.hv, 31000, on_done, NULL, &msg);
    ok &= expect_err("unknown_domid", rc, XN_ENOENT, &msg);
    rc = hv_mem_target(P.hv, 31000, 65536, &msg);
    ok &= expect_err("unknown_domid", rc, XN_ENOENT, &msg);
    run_for(0.2);
    if (P.done) {
        fail("unknown_domid", "done called after a failed start");
        ok = false;
    }
    if (ok)
        pass("unknown_domid");
}

static bool step_create(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc, ev0 = P.nev;

    begin();
    arm();
    rc = hv_create(P.hv, guest_cfg(GUEST, LIBXL_DOMAIN_TYPE_PV, 2), false,
                   on_done, NULL, &msg);
    if (!finish("create", rc, &msg, 120))
        return false;
    g_domid = P.domid;
    if (!info_of(g_domid, &info) || strcmp(info.name, GUEST) != 0 ||
        info.state == HV_STATE_PAUSED || info.foreign) {
        fail("create", "domain %u: wrong name, paused or foreign", g_domid);
        return false;
    }
    note("created domain %u, %s, %s", g_domid, hv_state_name(info.state),
         hv_domtype_name(info.type));
    pass("create");

    begin();
    arm();
    rc = hv_create(P.hv, guest_cfg(GUEST, LIBXL_DOMAIN_TYPE_PV, 1), false,
                   on_done, NULL, &msg);
    if (expect_err("create_duplicate", rc, XN_EEXIST, &msg))
        pass("create_duplicate");

    begin();
    if (wait_console(GUEST, "GUEST-MARKER-UP", 0, 90))
        pass("guest_boots");
    else
        fail("guest_boots", "no GUEST-MARKER-UP within 90s");
    run_for(0.5);
    for (int i = ev0; i < P.nev; i++)
        if (P.evs[i].type == HV_EV_NEW && P.evs[i].domid == g_domid)
            fail("create", "HV_EV_NEW for the driver's own domain");
    return true;
}

static void step_config(void)
{
    libxl_domain_config cfg;
    struct xn_msg msg;
    int rc;

    begin();
    libxl_domain_config_init(&cfg);
    rc = hv_dom_config(P.hv, g_domid, &cfg, &msg);
    if (rc < 0)
        fail("dom_config", "%s", msg.text);
    else if (!cfg.c_info.name || strcmp(cfg.c_info.name, GUEST) != 0 ||
             cfg.b_info.max_vcpus != 2 || !cfg.b_info.kernel)
        fail("dom_config", "name %s max_vcpus %d", cfg.c_info.name,
             cfg.b_info.max_vcpus);
    else
        pass("dom_config");
    libxl_domain_config_dispose(&cfg);
}

static void step_pause(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc, b0, b1;

    begin();
    rc = hv_pause(P.hv, g_domid, &msg);
    if (rc < 0) {
        fail("pause", "%s", msg.text);
        return;
    }
    if (!info_of(g_domid, &info) || info.state != HV_STATE_PAUSED) {
        fail("pause", "state %s", hv_state_name(info.state));
        return;
    }
    rc = hv_pause(P.hv, g_domid, &msg);
    if (!expect_err("pause", rc, XN_ESTATE, &msg))
        return;
    b0 = console_count(GUEST, "GUEST-HEARTBEAT");
    run_for(6);
    b1 = console_count(GUEST, "GUEST-HEARTBEAT");
    if (b1 != b0)
        note("heartbeats while paused: %d -> %d", b0, b1);
    pass("pause");

    begin();
    rc = hv_unpause(P.hv, g_domid, &msg);
    if (rc < 0) {
        fail("unpause", "%s", msg.text);
        return;
    }
    if (!info_of(g_domid, &info) || info.state == HV_STATE_PAUSED) {
        fail("unpause", "still paused");
        return;
    }
    rc = hv_unpause(P.hv, g_domid, &msg);
    if (!expect_err("unpause", rc, XN_ESTATE, &msg))
        return;
    if (!wait_console(GUEST, "GUEST-HEARTBEAT", b1, 30)) {
        fail("unpause", "no heartbeat after unpause");
        return;
    }
    pass("unpause");
}

static void step_mem(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    char *v;
    int rc;

    begin();
    rc = hv_mem_target(P.hv, g_domid, 96 * 1024, &msg);
    if (rc < 0) {
        fail("mem_target", "%s", msg.text);
    } else {
        v = xs_get("/local/domain/%u/memory/target", g_domid);
        info_of(g_domid, &info);
        note("memory/target = %s, target_kb %llu mem_kb %llu", v ? v : "-",
             (unsigned long long)info.target_kb,
             (unsigned long long)info.mem_kb);
        if (!v || strcmp(v, "98304") != 0 || info.target_kb != 98304)
            fail("mem_target", "xenstore target %s", v ? v : "(none)");
        else
            pass("mem_target");
        free(v);
    }
    /* let the balloon move, then back up */
    run_for(3);
    info_of(g_domid, &info);
    note("after 3s: mem_kb %llu", (unsigned long long)info.mem_kb);

    begin();
    rc = hv_mem_max(P.hv, g_domid, 160 * 1024, &msg);
    if (rc < 0) {
        fail("mem_max", "%s", msg.text);
    } else {
        v = xs_get("/local/domain/%u/memory/static-max", g_domid);
        info_of(g_domid, &info);
        note("static-max = %s, max_kb %llu", v ? v : "-",
             (unsigned long long)info.max_kb);
        if (info.max_kb < 160 * 1024)
            fail("mem_max", "max_kb %llu", (unsigned long long)info.max_kb);
        else
            pass("mem_max");
        free(v);
    }
    begin();
    rc = hv_mem_target(P.hv, g_domid, 128 * 1024, &msg);
    if (rc < 0)
        fail("mem_target_back", "%s", msg.text);
    else
        pass("mem_target_back");
}

static bool vcpus_online_is(uint32_t want, double secs)
{
    struct hv_dominfo info;
    double end = now_s() + secs;
    for (;;) {
        if (info_of(g_domid, &info) && info.vcpus_online == want)
            return true;
        if (now_s() >= end) {
            note("vcpus_online %u, wanted %u", info.vcpus_online, want);
            return false;
        }
        run_for(0.5);
    }
}

static bool avail_is(int cpu, const char *want)
{
    char *v = xs_get("/local/domain/%u/cpu/%d/availability", g_domid, cpu);
    bool ok = v && strcmp(v, want) == 0;
    note("cpu/%d/availability = %s", cpu, v ? v : "(none)");
    free(v);
    return ok;
}

static void step_vcpu(void)
{
    struct hv_vcpuinfo *vl;
    struct cpuset hard, soft, one;
    struct xn_msg msg;
    char b1[64], b2[64];
    size_t n;
    int rc;

    begin();
    rc = hv_vcpu_list(P.hv, g_domid, &vl, &n, &msg);
    if (rc < 0) {
        fail("vcpu_list", "%s", msg.text);
        return;
    }
    for (size_t i = 0; i < n; i++)
        note("vcpu %u cpu %d online %d running %d blocked %d time %llu "
             "hard %s soft %s", vl[i].vcpu, vl[i].cpu, vl[i].online,
             vl[i].running, vl[i].blocked,
             (unsigned long long)vl[i].time_ns,
             cpus_str(&vl[i].hard, b1, sizeof(b1)),
             cpus_str(&vl[i].soft, b2, sizeof(b2)));
    cpuset_clear(&one);
    cpuset_add(&one, 1);
    if (n == 2 && cpuset_equal(&vl[0].hard, &one))
        pass("vcpu_list");
    else
        fail("vcpu_list", "%zu vCPUs, vCPU 0 hard %s", n,
             n ? cpus_str(&vl[0].hard, b1, sizeof(b1)) : "-");
    free(vl);

    begin();
    rc = hv_vcpu_set(P.hv, g_domid, 1, &msg);
    if (rc < 0)
        fail("vcpu_set", "%s", msg.text);
    else if (!avail_is(1, "offline") || !vcpus_online_is(1, 30))
        fail("vcpu_set", "guest did not take vCPU 1 offline");
    else if ((rc = hv_vcpu_set(P.hv, g_domid, 2, &msg)) < 0)
        fail("vcpu_set", "back to 2: %s", msg.text);
    /* A PV Linux guest offlines a vCPU by itself but leaves onlining to
     * its udev: check what the driver controls, the xenstore request. */
    else if (!avail_is(1, "online"))
        fail("vcpu_set", "cpu/1/availability is not \"online\"");
    else if (expect_err("vcpu_set", hv_vcpu_set(P.hv, g_domid, 3, &msg),
                        XN_EINVAL, &msg))
        pass("vcpu_set");

    begin();
    cpuset_clear(&hard);
    cpuset_add(&hard, 0);
    cpuset_add(&hard, 1);
    soft = one;
    rc = hv_vcpu_pin(P.hv, g_domid, 0, &hard, &soft, &msg);
    if (rc < 0) {
        fail("vcpu_pin", "%s", msg.text);
        return;
    }
    rc = hv_vcpu_list(P.hv, g_domid, &vl, &n, &msg);
    if (rc < 0 || n < 1) {
        fail("vcpu_pin", "list: %s", msg.text);
        return;
    }
    note("vcpu 0 now hard %s soft %s", cpus_str(&vl[0].hard, b1, sizeof(b1)),
         cpus_str(&vl[0].soft, b2, sizeof(b2)));
    if (!cpuset_equal(&vl[0].hard, &hard) ||
        !cpuset_equal(&vl[0].soft, &soft)) {
        fail("vcpu_pin", "affinity not applied");
        free(vl);
        return;
    }
    free(vl);
    rc = hv_vcpu_pin(P.hv, g_domid, -1, &one, NULL, &msg);
    if (rc < 0) {
        fail("vcpu_pin", "all: %s", msg.text);
        return;
    }
    rc = hv_vcpu_list(P.hv, g_domid, &vl, &n, &msg);
    if (rc < 0 || n != 2 || !cpuset_equal(&vl[0].hard, &one) ||
        !cpuset_equal(&vl[1].hard, &one)) {
        fail("vcpu_pin", "pin of all vCPUs not applied");
        if (rc == 0)
            free(vl);
        return;
    }
    free(vl);
    cpuset_clear(&hard);
    cpuset_add(&hard, 200);
    rc = hv_vcpu_pin(P.hv, g_domid, 0, &hard, NULL, &msg);
    if (!expect_err("vcpu_pin", rc, XN_EINVAL, &msg))
        return;
    rc = hv_vcpu_pin(P.hv, g_domid, 5, &one, NULL, &msg);
    if (!expect_err("vcpu_pin", rc, XN_EINVAL, &msg))
        return;
    pass("vcpu_pin");
}

static void step_sched(void)
{
    struct hv_sched_params p, q;
    struct xn_msg msg;
    int rc;
    enum hv_sched other;

    begin();
    rc = hv_sched_get(P.hv, g_domid, &p, &msg);
    if (rc < 0) {
        fail("sched_get", "%s", msg.text);
        return;
    }
    note("sched %s weight %d cap %d", hv_sched_name(p.sched), p.weight,
         p.cap);
    if (p.weight != 256 || p.sched == HV_SCHED_UNKNOWN) {
        fail("sched_get", "weight %d", p.weight);
        return;
    }
    pass("sched_get");

    begin();
    q.sched = p.sched;
    q.weight = 512;
    q.cap = 50;
    rc = hv_sched_set(P.hv, g_domid, &q, &msg);
    if (rc < 0) {
        fail("sched_set", "%s", msg.text);
        return;
    }
    hv_sched_get(P.hv, g_domid, &q, &msg);
    if (q.weight != 512 || q.cap != 50) {
        fail("sched_set", "read back weight %d cap %d", q.weight, q.cap);
        return;
    }
    q.sched = HV_SCHED_UNKNOWN;
    q.weight = -1;
    q.cap = 0;
    rc = hv_sched_set(P.hv, g_domid, &q, &msg);
    hv_sched_get(P.hv, g_domid, &q, &msg);
    if (rc < 0 || q.weight != 512 || q.cap != 0) {
        fail("sched_set", "partial set: weight %d cap %d (%s)", q.weight,
             q.cap, rc < 0 ? msg.text : "");
        return;
    }
    other = p.sched == HV_SCHED_CREDIT ? HV_SCHED_CREDIT2 : HV_SCHED_CREDIT;
    q.sched = other;
    q.weight = 300;
    q.cap = -1;
    rc = hv_sched_set(P.hv, g_domid, &q, &msg);
    if (!expect_err("sched_set", rc, XN_ENOTSUP, &msg))
        return;
    q.sched = p.sched;
    q.weight = 256;
    q.cap = 0;
    rc = hv_sched_set(P.hv, g_domid, &q, &msg);
    if (rc < 0) {
        fail("sched_set", "reset: %s", msg.text);
        return;
    }
    pass("sched_set");
}

static void step_pool(void)
{
    struct hv_poolinfo *pl;
    struct hv_pool_sched ps, q;
    struct xn_msg msg;
    char b[64];
    size_t n;
    int rc;

    begin();
    rc = hv_pool_list(P.hv, &pl, &n, &msg);
    if (rc < 0) {
        fail("pool_list", "%s", msg.text);
        return;
    }
    for (size_t i = 0; i < n; i++)
        note("pool %u %s sched %s doms %u cpus %s", pl[i].poolid, pl[i].name,
             hv_sched_name(pl[i].sched), pl[i].n_dom,
             cpus_str(&pl[i].cpus, b, sizeof(b)));
    if (n >= 1 && pl[0].poolid == 0 && strcmp(pl[0].name, "Pool-0") == 0 &&
        cpuset_count(&pl[0].cpus) >= 1)
        pass("pool_list");
    else
        fail("pool_list", "no Pool-0");
    free(pl);

    begin();
    rc = hv_pool_sched_get(P.hv, 0, &ps, &msg);
    if (rc < 0) {
        fail("pool_sched_get", "%s", msg.text);
        return;
    }
    note("pool 0: %s tslice %d ms ratelimit %d us", hv_sched_name(ps.sched),
         ps.tslice_ms, ps.ratelimit_us);
    rc = hv_pool_sched_get(P.hv, 99, &q, &msg);
    if (!expect_err("pool_sched_get", rc, XN_ENOENT, &msg))
        return;
    pass("pool_sched_get");

    begin();
    q.sched = ps.sched;
    q.ratelimit_us = 2000;
    q.tslice_ms = ps.sched == HV_SCHED_CREDIT ? 20 : -1;
    rc = hv_pool_sched_set(P.hv, 0, &q, &msg);
    if (rc < 0) {
        fail("pool_sched_set", "%s", msg.text);
        return;
    }
    hv_pool_sched_get(P.hv, 0, &q, &msg);
    note("pool 0 now: tslice %d ms ratelimit %d us", q.tslice_ms,
         q.ratelimit_us);
    if (q.ratelimit_us != 2000 ||
        (ps.sched == HV_SCHED_CREDIT && q.tslice_ms != 20)) {
        fail("pool_sched_set", "not applied");
        return;
    }
    if (ps.sched == HV_SCHED_CREDIT2) {
        q.tslice_ms = 10;
        q.ratelimit_us = -1;
        rc = hv_pool_sched_set(P.hv, 0, &q, &msg);
        if (!expect_err("pool_sched_set", rc, XN_ENOTSUP, &msg))
            return;
    }
    q.sched = ps.sched == HV_SCHED_CREDIT ? HV_SCHED_CREDIT2
                                          : HV_SCHED_CREDIT;
    q.tslice_ms = -1;
    q.ratelimit_us = 1000;
    rc = hv_pool_sched_set(P.hv, 0, &q, &msg);
    if (!expect_err("pool_sched_set", rc, XN_ENOTSUP, &msg))
        return;
    rc = hv_pool_sched_set(P.hv, 0, &ps, &msg);
    if (rc < 0) {
        fail("pool_sched_set", "reset: %s", msg.text);
        return;
    }
    pass("pool_sched_set");
}

static void step_rename(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc;

    begin();
    rc = hv_rename(P.hv, g_domid, "g1-renamed", &msg);
    if (rc < 0) {
        fail("rename", "%s", msg.text);
        return;
    }
    if (!info_of(g_domid, &info) || strcmp(info.name, "g1-renamed") != 0) {
        fail("rename", "name is %s", info.name);
        return;
    }
    rc = hv_rename(P.hv, g_domid, "Domain-0", &msg);
    if (!expect_err("rename", rc, XN_EEXIST, &msg))
        return;
    rc = hv_rename(P.hv, g_domid, GUEST, &msg);
    if (rc < 0 || !info_of(g_domid, &info) || strcmp(info.name, GUEST)) {
        fail("rename", "back: %s", msg.text);
        return;
    }
    pass("rename");
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

/* Save to `path`; expects the suspend shutdown event.  fd left open in
 * *fd_r (or closed when fd_r is NULL). */
static bool do_save(const char *step, const char *path, unsigned flags)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int fd, rc, ev0 = P.nev;

    begin();
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        fail(step, "open %s: %s", path, strerror(errno));
        return false;
    }
    arm();
    rc = hv_save(P.hv, g_domid, fd, flags, on_done, NULL, &msg);
    if (!finish(step, rc, &msg, 180)) {
        close(fd);
        return false;
    }
    close(fd);
    note("image %s: %lld bytes", path, (long long)file_size(path));
    if (!info_of(g_domid, &info) || info.state != HV_STATE_SHUTDOWN ||
        info.shutdown_reason != HV_SHUTDOWN_SUSPEND) {
        fail(step, "state %s (%s), wanted shutdown (suspend)",
             hv_state_name(info.state), hv_shutdown_name(info.shutdown_reason));
        return false;
    }
    rc = wait_event(ev0, HV_EV_SHUTDOWN, g_domid, 10);
    if (rc < 0 || P.evs[rc].reason != HV_SHUTDOWN_SUSPEND) {
        fail(step, "no SHUTDOWN (suspend) event");
        return false;
    }
    pass(step);
    return true;
}

static bool do_destroy(const char *step, uint32_t domid)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc, ev0 = P.nev;

    begin();
    arm();
    rc = hv_destroy(P.hv, domid, on_done, NULL, &msg);
    if (!finish(step, rc, &msg, 60))
        return false;
    if (wait_event(ev0, HV_EV_DEATH, domid, 15) < 0) {
        fail(step, "no DEATH event for domain %u", domid);
        return false;
    }
    rc = hv_dom_info(P.hv, domid, &info, &msg);
    if (rc != XN_ENOENT) {
        fail(step, "domain %u still there (%s)", domid,
             hv_state_name(info.state));
        return false;
    }
    pass(step);
    return true;
}

/* Copy the driver's header line and configuration of `from` into `to`,
 * followed by `tail`. */
static bool copy_header(const char *from, const char *to, const char *tail)
{
    char line[128], *json;
    size_t len;
    FILE *in = fopen(from, "r"), *out;
    bool ok = false;

    if (!in)
        return false;
    if (!fgets(line, sizeof(line), in) ||
        sscanf(line, "%*s %*u %zu", &len) != 1) {
        fclose(in);
        return false;
    }
    json = malloc(len);
    out = fopen(to, "w");
    if (json && out && fread(json, 1, len, in) == len) {
        fputs(line, out);
        fwrite(json, 1, len, out);
        fputs(tail, out);
        ok = true;
    }
    if (out)
        fclose(out);
    fclose(in);
    free(json);
    return ok;
}

static bool step_save_restore(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int fd, rc, b0;
    off_t off;

    if (!do_save("save", IMG, 0))
        return false;
    if (!do_destroy("destroy_saved", g_domid))
        return false;

    begin();
    b0 = console_count(GUEST, "GUEST-HEARTBEAT");
    fd = open(IMG, O_RDONLY);
    arm();
    rc = hv_restore(P.hv, fd, NULL, false, on_done, NULL, &msg);
    if (!finish("restore", rc, &msg, 180)) {
        close(fd);
        return false;
    }
    off = lseek(fd, 0, SEEK_CUR);
    close(fd);
    g_domid = P.domid;
    note("restored as domain %u; fd offset %lld of %lld", g_domid,
         (long long)off, (long long)file_size(IMG));
    if (off != file_size(IMG)) {
        fail("restore", "fd offset %lld, image %lld bytes", (long long)off,
             (long long)file_size(IMG));
        return false;
    }
    if (!info_of(g_domid, &info) || strcmp(info.name, GUEST) != 0 ||
        info.state == HV_STATE_PAUSED || info.foreign) {
        fail("restore", "wrong name, paused or foreign");
        return false;
    }
    if (!wait_console(GUEST, "GUEST-HEARTBEAT", b0, 40)) {
        fail("restore", "no heartbeat after restore");
        return false;
    }
    pass("restore");

    begin();
    fd = open(IMG, O_RDONLY);
    arm();
    rc = hv_restore(P.hv, fd, NULL, false, on_done, NULL, &msg);
    close(fd);
    if (expect_err("restore_duplicate", rc, XN_EEXIST, &msg))
        pass("restore_duplicate");

    begin();
    fd = open(BAD, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (write(fd, "hello, world\n", 13) != 13)
        note("short write");
    lseek(fd, 0, SEEK_SET);
    arm();
    rc = hv_restore(P.hv, fd, "g-bad", false, on_done, NULL, &msg);
    close(fd);
    if (expect_err("restore_corrupt", rc, XN_ECORRUPT, &msg))
        pass("restore_corrupt");

    /* a good header and configuration, then no libxl stream */
    begin();
    if (!copy_header(IMG, BAD, "this is not a libxl stream, not at all\n")) {
        fail("restore_bad_stream", "cannot build the image");
    } else {
        fd = open(BAD, O_RDONLY);
        arm();
        rc = hv_restore(P.hv, fd, "g-bad", false, on_done, NULL, &msg);
        close(fd);
        if (expect_err("restore_bad_stream", rc, XN_ECORRUPT, &msg))
            pass("restore_bad_stream");
    }
    unlink(BAD);
    unlink(IMG);
    return true;
}

static bool step_checkpoint(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc, b0;

    if (!do_save("save_checkpoint", CKPT, 0))
        return false;
    begin();
    b0 = console_count(GUEST, "GUEST-HEARTBEAT");
    arm();
    rc = hv_resume(P.hv, g_domid, on_done, NULL, &msg);
    if (!finish("resume", rc, &msg, 60))
        return false;
    if (!info_of(g_domid, &info) || info.state == HV_STATE_SHUTDOWN ||
        info.state == HV_STATE_PAUSED) {
        fail("resume", "state %s", hv_state_name(info.state));
        return false;
    }
    if (!wait_console(GUEST, "GUEST-HEARTBEAT", b0, 40)) {
        fail("resume", "no heartbeat after resume");
        return false;
    }
    pass("resume");
    unlink(CKPT);
    return true;
}

/* PV guests cannot be saved live on Debian's Xen (no shadow paging, so no
 * log-dirty): the save must fail cleanly and leave the guest running. */
static void step_live_pv(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int fd, rc, b0;

    begin();
    fd = open(IMG, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    arm();
    rc = hv_save(P.hv, g_domid, fd, HV_SAVE_LIVE, on_done, NULL, &msg);
    if (rc < 0) {
        close(fd);
        fail("save_live_pv", "did not start: %s", msg.text);
        return;
    }
    if (!wait_done(180)) {
        close(fd);
        fail("save_live_pv", "no completion");
        return;
    }
    close(fd);
    unlink(IMG);
    note("live save of a PV guest: %s %s", xn_errname(P.rc), P.msg);
    if (P.rc == 0) {
        /* this Xen could do it after all: let the guest run on */
        arm();
        rc = hv_resume(P.hv, g_domid, on_done, NULL, &msg);
        if (rc < 0 || !wait_done(60) || P.rc < 0) {
            fail("save_live_pv", "resume after a live save failed");
            return;
        }
    }
    b0 = console_count(GUEST, "GUEST-HEARTBEAT");
    if (!info_of(g_domid, &info) || info.state == HV_STATE_SHUTDOWN ||
        !wait_console(GUEST, "GUEST-HEARTBEAT", b0, 40)) {
        fail("save_live_pv", "the guest did not keep running (%s)",
             hv_state_name(info.state));
        return;
    }
    pass("save_live_pv");
}

static void step_shutdown(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    int rc, i, ev0 = P.nev;

    begin();
    arm();
    rc = hv_shutdown(P.hv, g_domid, false, on_done, NULL, &msg);
    if (!finish("shutdown", rc, &msg, 90))
        return;
    note("request acknowledged after %.2fs", now_s() - t_step);
    i = wait_event(ev0, HV_EV_SHUTDOWN, g_domid, 90);
    if (i < 0 || P.evs[i].reason != HV_SHUTDOWN_POWEROFF) {
        fail("shutdown", "no SHUTDOWN (poweroff) event");
        return;
    }
    if (!info_of(g_domid, &info) || info.state != HV_STATE_SHUTDOWN ||
        info.shutdown_reason != HV_SHUTDOWN_POWEROFF) {
        fail("shutdown", "state %s", hv_state_name(info.state));
        return;
    }
    if (console_count(GUEST, "GUEST-MARKER-POWEROFF") < 1)
        note("the guest's console shows no GUEST-MARKER-POWEROFF");
    pass("shutdown");
    do_destroy("destroy", g_domid);
}

static void step_foreign(void)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    FILE *f;
    int rc, ev0 = P.nev, i;
    uint32_t id;

    begin();
    f = fopen("/etc/xen/" XLGUEST ".cfg", "w");
    if (!f) {
        fail("xl_create", "cannot write the config");
        return;
    }
    fprintf(f, "name = \"%s\"\ntype = \"pv\"\nkernel = \"%s\"\n"
            "ramdisk = \"%s\"\nmemory = 128\nmaxmem = 128\nvcpus = 1\n"
            "cpus = \"1\"\nextra = \"console=hvc0 quiet\"\n"
            "on_crash = \"preserve\"\n", XLGUEST, P.kernel, P.ramdisk);
    fclose(f);
    fflush(stdout);
    rc = system("xl create /etc/xen/" XLGUEST ".cfg >/tmp/xl-create.log 2>&1");
    if (rc != 0) {
        fail("xl_create", "xl create exited %d", rc);
        return;
    }
    pass("xl_create");

    begin();
    if (!find_named(XLGUEST, &info)) {
        fail("foreign_list", "%s not in dom_list", XLGUEST);
        return;
    }
    id = info.domid;
    i = wait_event(ev0, HV_EV_NEW, id, 5);
    if (i < 0 || strcmp(P.evs[i].name, XLGUEST) != 0) {
        fail("foreign_list", "no HV_EV_NEW for domain %u", id);
        return;
    }
    if (!info.foreign) {
        fail("foreign_list", "domain %u not marked foreign", id);
        return;
    }
    find_named(XLGUEST, &info);
    run_for(0.5);
    for (int j = i + 1; j < P.nev; j++)
        if (P.evs[j].type == HV_EV_NEW && P.evs[j].domid == id) {
            fail("foreign_list", "second HV_EV_NEW");
            return;
        }
    pass("foreign_list");

    begin();
    rc = hv_pause(P.hv, id, &msg);
    if (rc < 0 || !info_of(id, &info) || info.state != HV_STATE_PAUSED) {
        fail("foreign_pause", "%s", rc < 0 ? msg.text : "not paused");
        return;
    }
    rc = hv_unpause(P.hv, id, &msg);
    if (rc < 0) {
        fail("foreign_pause", "unpause: %s", msg.text);
        return;
    }
    pass("foreign_pause");

    begin();
    rc = hv_mem_target(P.hv, id, 100 * 1024, &msg);
    if (rc < 0 || !info_of(id, &info) || info.target_kb != 100 * 1024) {
        fail("foreign_mem", "%s", rc < 0 ? msg.text : "target not set");
        return;
    }
    pass("foreign_mem");
    do_destroy("foreign_destroy", id);
}

/* PVH guest: live save (log-dirty works for PVH here) and restore. */
static void step_pvh(void)
{
    struct xn_msg msg;
    int rc, fd, b0;

    begin();
    arm();
    rc = hv_create(P.hv, guest_cfg(PVHGUEST, LIBXL_DOMAIN_TYPE_PVH, 1), false,
                   on_done, NULL, &msg);
    if (!finish("pvh_create", rc, &msg, 120))
        return;
    g_domid = P.domid;
    if (!wait_console(PVHGUEST, "GUEST-HEARTBEAT", 0, 120)) {
        fail("pvh_create", "no heartbeat");
        return;
    }
    pass("pvh_create");

    begin();
    fd = open(PVHIMG, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    arm();
    rc = hv_save(P.hv, g_domid, fd, HV_SAVE_LIVE, on_done, NULL, &msg);
    if (!finish("pvh_save_live", rc, &msg, 240)) {
        close(fd);
        return;
    }
    close(fd);
    pass("pvh_save_live");
    if (!do_destroy("pvh_destroy_saved", g_domid))
        return;
    begin();
    b0 = console_count(PVHGUEST, "GUEST-HEARTBEAT");
    fd = open(PVHIMG, O_RDONLY);
    arm();
    rc = hv_restore(P.hv, fd, "gp-restored", false, on_done, NULL, &msg);
    if (!finish("pvh_restore", rc, &msg, 240)) {
        close(fd);
        return;
    }
    close(fd);
    g_domid = P.domid;
    /* xenconsoled names the log after the domain's name */
    if (!wait_console("gp-restored", "GUEST-HEARTBEAT", 0, 60) &&
        !wait_console(PVHGUEST, "GUEST-HEARTBEAT", b0, 5)) {
        fail("pvh_restore", "no heartbeat after restore");
        return;
    }
    pass("pvh_restore");
    unlink(PVHIMG);
    do_destroy("pvh_destroy", g_domid);
}

/* An HVM guest without PV drivers: shutdown falls back to the ACPI power
 * button.  Needs the device model (xen-qemu-system-i386), hvmloader and
 * SeaBIOS in dom0; the guest kernel runs with xen_nopv. */
static bool saw_trigger;

static void step_hvm(void)
{
    libxl_domain_config *cfg = guest_cfg("gh", LIBXL_DOMAIN_TYPE_HVM, 1);
    libxl_domain_build_info *b = &cfg->b_info;
    struct xn_msg msg;
    int rc, ev0;

    free(b->kernel);
    b->kernel = strdup(P.kernel_hvm);
    free(b->cmdline);
    b->cmdline = strdup("console=ttyS0 xen_nopv quiet");
    b->tsc_mode = LIBXL_TSC_MODE_NATIVE;
    b->u.hvm.serial = strdup("pty");
    libxl_defbool_set(&b->u.hvm.nographic, true);
    libxl_defbool_set(&b->u.hvm.vnc.enable, false);
    libxl_defbool_set(&b->u.hvm.sdl.enable, false);
    b->u.hvm.vga.kind = LIBXL_VGA_INTERFACE_TYPE_NONE;

    begin();
    arm();
    rc = hv_create(P.hv, cfg, false, on_done, NULL, &msg);
    if (!finish("hvm_create", rc, &msg, 240))
        return;
    g_domid = P.domid;
    pass("hvm_create");
    if (wait_console("gh", "GUEST-MARKER-UP", 0, 180))
        note("HVM guest is up");
    else
        note("HVM guest did not print its marker within 180s");

    begin();
    ev0 = P.nev;
    saw_trigger = false;
    arm();
    rc = hv_shutdown(P.hv, g_domid, false, on_done, NULL, &msg);
    if (finish("hvm_shutdown_fallback", rc, &msg, 90)) {
        if (!saw_trigger)
            fail("hvm_shutdown_fallback", "done, but not through the ACPI "
                 "trigger");
        else
            pass("hvm_shutdown_fallback");
    }
    if (wait_event(ev0, HV_EV_SHUTDOWN, g_domid, 20) >= 0)
        note("the HVM guest shut down after the button press");
    else
        note("no shutdown after the button press (no acpid in the guest)");
    do_destroy("hvm_destroy", g_domid);
}

static void log_sink(void *opaque, enum xn_log_level level, const char *line)
{
    (void)opaque;
    if (strstr(line, "has no PV drivers"))
        saw_trigger = true;
    if (level <= XN_LOG_NOTICE || getenv("PROBE_VERBOSE"))
        printf("  log[%d] %s\n", (int)level, line);
}

/* A crash prints its stack (addresses resolve with addr2line on the
 * host's copy of the binary). */
static void on_crash(int sig, siginfo_t *si, void *uctx)
{
    ucontext_t *uc = uctx;
    void *frames[64];
    void *pc[2];
    int n = backtrace(frames, 64);
    char head[160];

    pc[0] = (void *)uc->uc_mcontext.gregs[REG_RIP];
    pc[1] = *(void **)uc->uc_mcontext.gregs[REG_RSP];
    snprintf(head, sizeof(head), "FAIL crash: signal %d at %p (fault "
             "address %p); pc and [sp]:\n", sig, pc[0], si->si_addr);
    if (write(2, head, strlen(head)) < 0)
        _exit(128 + sig);
    backtrace_symbols_fd(pc, 2, 2);
    backtrace_symbols_fd(frames, n, 2);
    _exit(128 + sig);
}

int main(int argc, char **argv)
{
    struct event *tk;
    struct timeval tv = {0, 200000};
    struct xn_msg msg;
    bool pvh = false, hvm = false, only_hvm = false;
    int rc;

    P.kernel = "/guest/vmlinux";
    P.ramdisk = "/guest/guest-initrd.cpio.gz";
    P.kernel_hvm = "/guest/vmlinuz";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-k") == 0 && i + 1 < argc)
            P.kernel = argv[++i];
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            P.ramdisk = argv[++i];
        else if (strcmp(argv[i], "--pvh") == 0)
            pvh = true;
        else if (strcmp(argv[i], "--hvm") == 0)
            hvm = true;
        else if (strcmp(argv[i], "--only-hvm") == 0)
            hvm = only_hvm = true;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_crash;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGSEGV, &sa, NULL);
        sigaction(SIGBUS, &sa, NULL);
        sigaction(SIGABRT, &sa, NULL);
    }
    xn_log_set_sink(log_sink, NULL, XN_LOG_DEBUG);
    P.base = event_base_new();
    tk = event_new(P.base, -1, EV_PERSIST, tick, NULL);
    event_add(tk, &tv);

    begin();
    rc = hv_open("xen:///", P.base, NULL, on_event, NULL, &P.hv, &msg);
    if (rc < 0) {
        fail("open", "%s", msg.text);
        printf("%d passed, %d failed\n", P.pass, P.fail);
        return 1;
    }
    pass("open");

    if (only_hvm) {
        step_hvm();
        goto out;
    }
    step_host();
    step_unknown();
    if (step_create()) {
        step_config();
        step_pause();
        step_mem();
        step_vcpu();
        step_sched();
        step_pool();
        step_rename();
        if (step_save_restore() && step_checkpoint()) {
            step_live_pv();
            step_shutdown();
        }
        else
            do_destroy("destroy_after_failure", g_domid);
    }
    step_foreign();
    if (pvh)
        step_pvh();
    if (hvm)
        step_hvm();

out:
    begin();
    hv_close(P.hv);
    pass("close");

    /* Closing with an operation in flight abandons it without a crash
     * (and without calling its done). */
    begin();
    rc = hv_open("xen:///", P.base, NULL, on_event, NULL, &P.hv, &msg);
    if (rc < 0) {
        fail("close_in_flight", "reopen: %s", msg.text);
    } else {
        arm();
        rc = hv_create(P.hv, guest_cfg("gz", LIBXL_DOMAIN_TYPE_PV, 1), false,
                       on_done, NULL, &msg);
        if (rc < 0)
            note("create did not start: %s", msg.text);
        hv_close(P.hv);
        run_for(1);
        if (P.done)
            fail("close_in_flight", "done called after close");
        else
            pass("close_in_flight");
    }
    event_free(tk);
    event_base_free(P.base);
    printf("%d passed, %d failed\n", P.pass, P.fail);
    return P.fail ? 1 : 0;
}
