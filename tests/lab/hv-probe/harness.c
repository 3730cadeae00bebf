/*
 * harness.c - hv-probe's reporting, its loop, and the helpers the steps
 * share (guests, consoles, save and destroy).
 */
#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <xenstore.h>

struct probe P;

static double t_step;

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void begin(void)
{
    t_step = now_s();
}

double step_time(void)
{
    return now_s() - t_step;
}

void pass(const char *step)
{
    P.pass++;
    printf("PASS %s (%.2fs)\n", step, step_time());
    fflush(stdout);
}

void fail(const char *step, const char *fmt, ...)
{
    va_list ap;

    P.fail++;
    printf("FAIL %s: ", step);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" (%.2fs)\n", step_time());
    fflush(stdout);
}

void skip(const char *step, const char *fmt, ...)
{
    va_list ap;

    P.skip++;
    printf("SKIP %s: ", step);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

void note(const char *fmt, ...)
{
    va_list ap;

    printf("  .. ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

void emulator(const char *fmt, ...)
{
    va_list ap;

    printf("EMULATOR: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

/* --- the loop --- */

/* Run the loop for about `secs` seconds (a timer in main keeps it
 * ticking). */
void run_for(double secs)
{
    double end = now_s() + secs;
    while (now_s() < end)
        event_base_loop(P.base, EVLOOP_ONCE);
}

void on_event(void *opaque, const struct hv_event *ev)
{
    (void)opaque;
    note("event %s domain %u (%s) reason %s",
         ev->type == HV_EV_NEW ? "NEW" :
         ev->type == HV_EV_SHUTDOWN ? "SHUTDOWN" : "DEATH",
         ev->domid, ev->name, hv_shutdown_name(ev->reason));
    if (P.nev < MAX_EVENTS)
        P.evs[P.nev++] = *ev;
}

void on_done(void *opaque, int rc, const struct xn_msg *msg, uint32_t domid)
{
    (void)opaque;
    P.done = true;
    P.rc = rc;
    P.domid = domid;
    snprintf(P.msg, sizeof(P.msg), "%s", msg ? msg->text : "");
}

void arm(void)
{
    P.done = false;
    P.rc = 1;
    P.msg[0] = '\0';
}

bool wait_done(double secs)
{
    double end = now_s() + secs;
    while (!P.done && now_s() < end)
        event_base_loop(P.base, EVLOOP_ONCE);
    return P.done;
}

int wait_event(int from, enum hv_event_type type, uint32_t domid,
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

bool finish(const char *step, int rc, const struct xn_msg *msg, double secs)
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

static bool matches(const char *text, const char *pattern)
{
    regex_t re;
    bool ok;

    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        return false;
    ok = regexec(&re, text, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

bool expect_err(const char *step, int rc, int want, const struct xn_msg *msg,
                const char *pattern)
{
    if (rc != want) {
        fail(step, "got %s (%s), wanted %s", xn_errname(rc),
             rc ? msg->text : "", xn_errname(want));
        return false;
    }
    if (pattern && !matches(msg->text, pattern)) {
        fail(step, "%s as wanted, but the message \"%s\" does not match "
             "/%s/", xn_errname(rc), msg->text, pattern);
        return false;
    }
    note("%s: %s", xn_errname(rc), msg->text);
    return true;
}

/* --- guests --- */

int console_count(const char *name, const char *pat)
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

bool wait_console(const char *name, const char *pat, int min, double secs)
{
    double end = now_s() + secs;
    while (console_count(name, pat) <= min) {
        if (now_s() >= end)
            return false;
        run_for(0.5);
    }
    return true;
}

char *xs_get(const char *fmt, ...)
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

off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : -1;
}

const char *probe_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", P.dir, name);
    return buf;
}

/* A libxl bitmap filled by hand (libxl's allocators need a ctx, which the
 * probe has not): `bits` is the low byte. */
static void bitmap_byte(libxl_bitmap *bm, uint8_t bits)
{
    libxl_bitmap_init(bm);
    bm->size = 1;
    bm->map = calloc(1, 1);
    if (bm->map)
        bm->map[0] = bits;
}

libxl_domain_config *guest_cfg(const char *name, libxl_domain_type type,
                               int vcpus)
{
    libxl_domain_config *cfg = malloc(sizeof(*cfg));
    libxl_domain_build_info *b;

    if (!cfg) {
        perror("hv-probe: malloc");
        exit(2);
    }
    b = &cfg->b_info;
    libxl_domain_config_init(cfg);
    cfg->c_info.type = type;
    cfg->c_info.name = strdup(name);
    /* What xenithd's start path does; libxl itself leaves a domain
     * without one with the nil UUID (the sim makes one up). */
    libxl_uuid_generate(&cfg->c_info.uuid);
    libxl_domain_build_info_init_type(b, type);
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
    /* PVH under TCG hangs on RDTSCP emulation unless the TSC is native. */
    if (type == LIBXL_DOMAIN_TYPE_PVH)
        b->tsc_mode = LIBXL_TSC_MODE_NATIVE;
    cfg->on_crash = LIBXL_ACTION_ON_SHUTDOWN_PRESERVE;
    cfg->on_reboot = LIBXL_ACTION_ON_SHUTDOWN_PRESERVE;
    return cfg;
}

bool info_of(uint32_t domid, struct hv_dominfo *info)
{
    struct xn_msg msg;
    int rc = hv_dom_info(P.hv, domid, info, &msg);
    if (rc < 0)
        note("dom_info %u: %s: %s", domid, xn_errname(rc), msg.text);
    return rc == 0;
}

bool find_named(const char *name, struct hv_dominfo *out)
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

size_t count_domains(void)
{
    struct hv_dominfo *list;
    struct xn_msg msg;
    size_t n;

    if (hv_dom_list(P.hv, &list, &n, &msg) < 0)
        return 0;
    free(list);
    return n;
}

/* Wait for GUEST-UP (more than `up0` such lines).  0 when up, 2 when the
 * domain stopped first (crash or reboot: the emulator's doing, as the lab
 * counts it), 1 on timeout; *why says what happened. */
static int wait_up(const char *name, uint32_t domid, int up0, int ev0,
                   double secs, char *why, size_t len)
{
    double end = now_s() + secs;
    int i;

    for (;;) {
        if (console_count(name, "GUEST-UP") > up0)
            return 0;
        i = wait_event(ev0, HV_EV_SHUTDOWN, domid, 0);
        if (i >= 0) {
            snprintf(why, len, "domain %u shut down (%s) before its first "
                     "console output", domid,
                     hv_shutdown_name(P.evs[i].reason));
            return 2;
        }
        if (now_s() >= end) {
            snprintf(why, len, "no GUEST-UP on %s's console within %.0fs",
                     name, secs);
            return 1;
        }
        run_for(0.5);
    }
}

bool boot_guest(const char *step, const char *name, libxl_domain_type type,
                int vcpus, uint32_t *domid_r)
{
    char boots[64], why[200];
    struct xn_msg msg;
    int rc, up0, ev0, r;

    snprintf(boots, sizeof(boots), "%s_boots", step);
    begin();
    up0 = console_count(name, "GUEST-UP");
    ev0 = P.nev;
    arm();
    rc = hv_create(P.hv, guest_cfg(name, type, vcpus), false, on_done, NULL,
                   &msg);
    if (!finish(step, rc, &msg, 120))
        return false;
    *domid_r = P.domid;
    pass(step);

    begin();
    r = wait_up(name, *domid_r, up0, ev0, 90, why, sizeof(why));
    if (r == 2) {
        emulator("guest %s: %s; destroying it and creating it again", name,
                 why);
        quiet_destroy(*domid_r);
        up0 = console_count(name, "GUEST-UP");
        ev0 = P.nev;
        arm();
        rc = hv_create(P.hv, guest_cfg(name, type, vcpus), false, on_done,
                       NULL, &msg);
        if (!finish(boots, rc, &msg, 120))
            return false;
        *domid_r = P.domid;
        r = wait_up(name, *domid_r, up0, ev0, 90, why, sizeof(why));
        if (r == 2)
            strncat(why, " (second boot too)", sizeof(why) - strlen(why) - 1);
    }
    if (r != 0) {
        fail(boots, "%s", why);
        quiet_destroy(*domid_r);
        return false;
    }
    note("%s is up as domain %u", name, *domid_r);
    pass(boots);
    return true;
}

/* --- save and destroy --- */

bool do_save(const char *step, uint32_t domid, const char *path,
             unsigned flags)
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
    rc = hv_save(P.hv, domid, fd, flags, on_done, NULL, &msg);
    if (!finish(step, rc, &msg, 180)) {
        close(fd);
        return false;
    }
    close(fd);
    note("image %s: %lld bytes", path, (long long)file_size(path));
    if (!info_of(domid, &info) || info.state != HV_STATE_SHUTDOWN ||
        info.shutdown_reason != HV_SHUTDOWN_SUSPEND) {
        fail(step, "state %s (%s), wanted shutdown (suspend)",
             hv_state_name(info.state),
             hv_shutdown_name(info.shutdown_reason));
        return false;
    }
    rc = wait_event(ev0, HV_EV_SHUTDOWN, domid, 10);
    if (rc < 0 || P.evs[rc].reason != HV_SHUTDOWN_SUSPEND) {
        fail(step, "no SHUTDOWN (suspend) event");
        return false;
    }
    pass(step);
    return true;
}

bool do_destroy(const char *step, uint32_t domid)
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

void quiet_destroy(uint32_t domid)
{
    struct xn_msg msg;

    arm();
    if (hv_destroy(P.hv, domid, on_done, NULL, &msg) == 0)
        wait_done(60);
}
