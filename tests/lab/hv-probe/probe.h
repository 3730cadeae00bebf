/*
 * probe.h - hv-probe: every op of the xen:/// driver, called directly
 * through the hypervisor interface (hv.h) inside a Xen dom0.
 *
 * The harness (harness.c) runs the daemon's kind of loop (libevent), keeps
 * every domain event and the last completion, and prints one line a step:
 *   PASS step (seconds)
 *   FAIL step: why (seconds)
 *   SKIP step: why
 *   EMULATOR: what           a first guest boot the emulator killed
 * and notes ("  .. ") and the library's log lines ("  log[N] ") between.
 * The lab case 80-hv-probe.sh turns the first four into the lab's lines.
 */
#ifndef XENITH_LAB_PROBE_H
#define XENITH_LAB_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hv.h"

struct event_base;

/* The probe's guests: names no lab case uses. */
#define GUEST "probe-pv"
#define GUEST_RENAMED "probe-pv-renamed"
#define XLGUEST "probe-xl"
#define PVHGUEST "probe-pvh"
#define PVHRESTORED "probe-pvh-restored"
#define HVMGUEST "probe-hvm"
#define INFLIGHT "probe-inflight"

#define MAX_EVENTS 512
#define NO_DOMID UINT32_MAX

struct probe {
    struct event_base *base;
    struct hv *hv;
    int pass, fail, skip;
    const char *kernel, *ramdisk, *kernel_hvm, *dir;
    /* the last completion */
    bool done;
    int rc;
    uint32_t domid;
    char msg[XN_MSG_MAX];
    /* every event received */
    struct hv_event evs[MAX_EVENTS];
    int nev;
};
extern struct probe P;

/* --- reporting (harness.c) --- */
void begin(void);
double now_s(void);
double step_time(void);
void pass(const char *step);
void fail(const char *step, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void skip(const char *step, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void emulator(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- the loop and completions --- */
void run_for(double secs);
hv_event_fn on_event;
hv_done_fn on_done;
void arm(void);
bool wait_done(double secs);
/* Index of the first event at or after `from` of this type and domain, or
 * -1 after `secs`. */
int wait_event(int from, enum hv_event_type type, uint32_t domid,
               double secs);
/* A started asynchronous call: the starting rc, then its completion within
 * `secs`; reports FAIL step and returns false when either failed. */
bool finish(const char *step, int rc, const struct xn_msg *msg, double secs);
/* rc is `want` and, when `pattern` is not NULL, the message matches that
 * extended regular expression (anchored by the caller). */
bool expect_err(const char *step, int rc, int want, const struct xn_msg *msg,
                const char *pattern);

/* --- guests --- */
/* Lines of the guest's console log (xenconsoled names it after the guest)
 * containing `pat`. */
int console_count(const char *name, const char *pat);
/* Wait until more than `min` such lines are there. */
bool wait_console(const char *name, const char *pat, int min, double secs);
/* A lab guest's configuration (heap, for hv_create): pinned to pCPU 1,
 * 128 MiB, a crash or reboot preserved so an emulator fault stays
 * visible. */
libxl_domain_config *guest_cfg(const char *name, libxl_domain_type type,
                               int vcpus);
/* Create the guest and wait for GUEST-UP; reports `step` (create) and
 * `step`_boots.  A first boot that dies before GUEST-UP (crash or reboot
 * under the emulator) is reported as EMULATOR, destroyed and created once
 * more.  The domain id goes to *domid_r. */
bool boot_guest(const char *step, const char *name, libxl_domain_type type,
                int vcpus, uint32_t *domid_r);
bool info_of(uint32_t domid, struct hv_dominfo *info);
bool find_named(const char *name, struct hv_dominfo *out);
size_t count_domains(void);
char *xs_get(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
off_t file_size(const char *path);
/* dir/name, in a static buffer per call site's choice of `buf`. */
const char *probe_path(char *buf, size_t len, const char *name);

/* Save the domain to `path` (hv_save with `flags`); expects the suspend
 * shutdown state and event.  Reports `step`. */
bool do_save(const char *step, uint32_t domid, const char *path,
             unsigned flags);
/* Destroy after a failure, reporting nothing. */
void quiet_destroy(uint32_t domid);
/* Destroy; expects the DEATH event and XN_ENOENT after.  Reports `step`. */
bool do_destroy(const char *step, uint32_t domid);

/* --- the steps --- */
/* dom.c */
void step_host(void);
void step_unknown(void);
bool step_create(uint32_t *domid_r);
void step_config(uint32_t domid);
void step_pause(uint32_t domid);
void step_mem(uint32_t domid);
void step_vcpu(uint32_t domid);
void step_sched(uint32_t domid);
void step_pool(void);
void step_rename(uint32_t domid);
/* save.c */
void step_need_memory(void);
bool step_save_restore(uint32_t *domid);
bool step_checkpoint(uint32_t domid);
void step_live_pv(uint32_t domid);
void step_shutdown(uint32_t domid);
/* other.c */
void step_foreign(void);
void step_pvh(void);
void step_hvm(void);
extern bool saw_acpi_trigger;

#endif
