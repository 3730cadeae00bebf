/*
 * main.c - hv-probe: exercise every op of the xen:/// driver against real
 * Xen, through the hypervisor interface (hv.h) and not through the CLI.
 *
 *   hv-probe [-k KERNEL] [-r RAMDISK] [-d DIR] [--pvh] [--no-live-pv]
 *            [--hvm [-K HVM_KERNEL] | --only-hvm]
 *
 * Runs inside a Xen dom0 (the lab's: make lab-check runs it from the case
 * tests/lab/cases/80-hv-probe.sh) with xenconsoled logging guest consoles
 * to /var/log/xen/console and `xl` on the PATH, and with no other xenith on
 * the host (xenithd would take the probe's guests for its own).  Opens
 * xen:/// on a libevent loop, drives one PV guest through every op, one
 * guest made by xl, and with --pvh a PVH guest through a live save and a
 * restore under another name; prints a line per step (probe.h) and a
 * closing "N passed, M failed".  Exit status 0 when nothing failed.
 *
 *   -k, -r       the guest kernel and initramfs (the lab's by default); the
 *                guest's init prints GUEST-UP once, then GUEST-HEARTBEAT
 *                lines every second
 *   -d DIR       where save images go (default /tmp/hv-probe)
 *   --pvh        add the PVH guest
 *   --no-live-pv leave out the attempt to save the PV guest live (it fails
 *                on Debian's Xen, which has no shadow paging)
 *   --hvm        add an HVM guest, shut down through the ACPI button (needs
 *                a device model, hvmloader and SeaBIOS in dom0)
 *
 * PROBE_VERBOSE=1 prints every library log line, libxl's debug included.
 */
#include "probe.h"

#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

static void tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

static void log_sink(void *opaque, enum xn_log_level level, const char *line)
{
    (void)opaque;
    if (strstr(line, "has no PV drivers"))
        saw_acpi_trigger = true;
    if (level <= XN_LOG_NOTICE || getenv("PROBE_VERBOSE"))
        printf("  log[%d] %s\n", (int)level, line);
}

/* A crash prints its stack (addresses resolve with addr2line on the
 * host's copy of the binary) as a FAIL line the lab counts. */
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
    if (write(1, head, strlen(head)) < 0)
        _exit(128 + sig);
    backtrace_symbols_fd(pc, 2, 1);
    backtrace_symbols_fd(frames, n, 1);
    _exit(128 + sig);
}

static void catch_crashes(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
}

struct options {
    bool pvh, hvm, only_hvm, live_pv;
};

static void usage(void)
{
    fprintf(stderr, "usage: hv-probe [-k KERNEL] [-r RAMDISK] [-d DIR] "
            "[--pvh] [--no-live-pv] [--hvm [-K HVM_KERNEL] | --only-hvm]\n");
    exit(2);
}

static void parse_args(int argc, char **argv, struct options *o)
{
    P.kernel = "/lab/guest/vmlinux";
    P.ramdisk = "/lab/guest/initrd.cpio.gz";
    P.kernel_hvm = "/lab/guest/vmlinuz";
    P.dir = "/tmp/hv-probe";
    o->live_pv = true;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;

        if (strcmp(a, "-k") == 0 && has_value)
            P.kernel = argv[++i];
        else if (strcmp(a, "-r") == 0 && has_value)
            P.ramdisk = argv[++i];
        else if (strcmp(a, "-K") == 0 && has_value)
            P.kernel_hvm = argv[++i];
        else if (strcmp(a, "-d") == 0 && has_value)
            P.dir = argv[++i];
        else if (strcmp(a, "--pvh") == 0)
            o->pvh = true;
        else if (strcmp(a, "--no-live-pv") == 0)
            o->live_pv = false;
        else if (strcmp(a, "--hvm") == 0)
            o->hvm = true;
        else if (strcmp(a, "--only-hvm") == 0)
            o->hvm = o->only_hvm = true;
        else
            usage();
    }
}

/* The PV guest's whole life; a failure that leaves it behind destroys it
 * quietly. */
static void pv_guest(const struct options *o)
{
    uint32_t id;

    if (!step_create(&id))
        return;
    step_config(id);
    step_pause(id);
    step_mem(id);
    step_vcpu(id);
    step_sched(id);
    step_pool();
    step_rename(id);
    if (!step_save_restore(&id) || !step_checkpoint(id)) {
        quiet_destroy(id);
        return;
    }
    if (o->live_pv)
        step_live_pv(id);
    else
        skip("save_live_pv", "not asked for (--no-live-pv)");
    step_shutdown(id);
}

/* Closing with an operation in flight abandons it without a crash and
 * without calling its done. */
static void step_close_in_flight(void)
{
    struct xn_msg msg;
    int rc;

    begin();
    rc = hv_open("xen:///", P.base, NULL, on_event, NULL, &P.hv, &msg);
    if (rc < 0) {
        fail("close_in_flight", "reopen: %s", msg.text);
        return;
    }
    arm();
    rc = hv_create(P.hv, guest_cfg(INFLIGHT, LIBXL_DOMAIN_TYPE_PV, 1), false,
                   on_done, NULL, &msg);
    if (rc < 0)
        note("create did not start: %s", msg.text);
    hv_close(P.hv);
    P.hv = NULL;
    run_for(1);
    if (P.done)
        fail("close_in_flight", "done called after close");
    else
        pass("close_in_flight");
    /* what the abandoned create left */
    fflush(stdout);
    if (system("xl destroy " INFLIGHT " >/dev/null 2>&1") == 0)
        note("destroyed the abandoned %s", INFLIGHT);
}

int main(int argc, char **argv)
{
    struct timeval tv = {0, 200000};
    struct options o = {0};
    struct event *tk;
    struct xn_msg msg;
    int rc;

    parse_args(argc, argv, &o);
    setvbuf(stdout, NULL, _IOLBF, 0);
    catch_crashes();
    if (mkdir(P.dir, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "hv-probe: cannot make %s: %s\n", P.dir,
                strerror(errno));
        return 2;
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

    if (!o.only_hvm) {
        step_host();
        step_unknown();
        step_need_memory();
        pv_guest(&o);
        step_foreign();
        if (o.pvh)
            step_pvh();
    }
    if (o.hvm)
        step_hvm();

    begin();
    hv_close(P.hv);
    P.hv = NULL;
    pass("close");
    step_close_in_flight();

    event_free(tk);
    event_base_free(P.base);
    printf("%d passed, %d failed, %d skipped\n", P.pass, P.fail, P.skip);
    return P.fail ? 1 : 0;
}
