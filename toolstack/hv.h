/*
 * hv.h - the hypervisor interface.
 *
 * One small interface, two drivers chosen by URI when the daemon starts:
 *   xen:///        libxl on a real Xen dom0 (toolstack/xen/)
 *   sim:///NAME    an in-process model of a Xen host (toolstack/sim/)
 * Nothing above this header knows which driver runs.
 *
 * Conventions
 *  - Memory is in KiB, CPU time in nanoseconds, as libxl counts them.
 *  - Every call returns 0 or a negative XN_E* code (err.h).  When a call
 *    fails and `msg` is not NULL, msg->text holds one sentence naming the
 *    subject ("domain 7 (web1) is paused").
 *  - Asynchronous calls take a hv_done_fn.  They return 0 when the operation
 *    started: `done` is then called exactly once, later, from the event loop,
 *    never from inside the starting call.  They return a negative code when
 *    the operation could not start: `done` is then never called.
 *  - Synchronous calls are quick (a hypercall or a xenstore write) and may
 *    run inside the event loop.
 *  - Domain configurations are libxl_domain_config, the type xl.cfg maps to.
 *    The sim driver uses it as plain data and never calls into Xen.
 */
#ifndef XENITH_HV_H
#define XENITH_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv_types.h"
#include "libxl_wrap.h"

struct event_base;

/* Completion of an asynchronous call.  `msg` holds the failure sentence when
 * rc < 0 and lives for the duration of the call; `domid` is the new domain
 * for create/restore (meaningless when they fail) and the subject domain
 * otherwise. */
typedef void hv_done_fn(void *opaque, int rc, const struct xn_msg *msg,
                        uint32_t domid);

struct hv_open_opts {
    const char *scenario;   /* sim: scenario file, NULL for the built-in */
    const char *run_dir;    /* where a driver may put sockets (sim store) */
};

/* Save flags. */
#define HV_SAVE_LIVE 0x1    /* pre-copy while the guest runs (migration) */

struct hv;

/*
 * Open a connection to the host named by `uri`.  `base` is the daemon's
 * event loop (not owned, must outlive the hv).  `ev`/`ev_opaque` receive
 * domain events.  On success *hv_r is owned by the caller: hv_close() it.
 */
int hv_open(const char *uri, struct event_base *base,
            const struct hv_open_opts *opts, hv_event_fn *ev, void *ev_opaque,
            struct hv **hv_r, struct xn_msg *msg);

/* Close and free; pending asynchronous operations are abandoned. NULL ok. */
void hv_close(struct hv *hv);

/* The URI this hv was opened with, and the driver name ("xen", "sim"). */
const char *hv_uri(const struct hv *hv);
const char *hv_driver(const struct hv *hv);

/* --- queries --- */
int hv_host_info(struct hv *hv, struct hv_hostinfo *info, struct xn_msg *msg);

/* *list_r is malloc'd, owned by the caller: free() it. Sorted by domid. */
int hv_dom_list(struct hv *hv, struct hv_dominfo **list_r, size_t *n_r,
                struct xn_msg *msg);
int hv_dom_info(struct hv *hv, uint32_t domid, struct hv_dominfo *info,
                struct xn_msg *msg);

/* Resolve a domain named by name or by decimal id. */
int hv_dom_lookup(struct hv *hv, const char *ref, uint32_t *domid_r,
                  struct xn_msg *msg);
/* The domain with this UUID (the one that is not dying, if two are);
 * XN_ENOENT when none. */
int hv_dom_by_uuid(struct hv *hv, const uint8_t uuid[16],
                   struct hv_dominfo *info, struct xn_msg *msg);

/* The configuration the domain runs with.  `cfg` must have been through
 * libxl_domain_config_init; the caller disposes it, success or not. */
int hv_dom_config(struct hv *hv, uint32_t domid, libxl_domain_config *cfg,
                  struct xn_msg *msg);

/* *list_r is malloc'd, owned by the caller: free() it. */
int hv_vcpu_list(struct hv *hv, uint32_t domid, struct hv_vcpuinfo **list_r,
                 size_t *n_r, struct xn_msg *msg);
int hv_pool_list(struct hv *hv, struct hv_poolinfo **list_r, size_t *n_r,
                 struct xn_msg *msg);

/* --- lifecycle --- */
/* `cfg` is heap-allocated (malloc + libxl_domain_config_init) and owned by
 * the driver from the call on, whatever the result: the driver disposes and
 * frees it when it no longer needs it (libxl reads it until the create
 * completes; the sim keeps it to answer hv_dom_config).  libxl cannot copy
 * or parse a libxl_domain_config without a ctx, which the sim has not, so
 * ownership moves instead of copies being made. */
int hv_create(struct hv *hv, libxl_domain_config *cfg, bool paused,
              hv_done_fn *done, void *opaque, struct xn_msg *msg);
int hv_destroy(struct hv *hv, uint32_t domid, hv_done_fn *done, void *opaque,
               struct xn_msg *msg);
/* Ask the guest to shut down or reboot; `done` fires when the request was
 * delivered, not when the guest acted on it (that is an HV_EV_SHUTDOWN). */
int hv_shutdown(struct hv *hv, uint32_t domid, bool reboot, hv_done_fn *done,
                void *opaque, struct xn_msg *msg);
int hv_pause(struct hv *hv, uint32_t domid, struct xn_msg *msg);
int hv_unpause(struct hv *hv, uint32_t domid, struct xn_msg *msg);
int hv_rename(struct hv *hv, uint32_t domid, const char *new_name,
              struct xn_msg *msg);

/* --- resources --- */
int hv_mem_target(struct hv *hv, uint32_t domid, uint64_t target_kb,
                  struct xn_msg *msg);
int hv_mem_max(struct hv *hv, uint32_t domid, uint64_t max_kb,
               struct xn_msg *msg);
int hv_vcpu_set(struct hv *hv, uint32_t domid, uint32_t count,
                struct xn_msg *msg);
/* Pin `vcpu` (or every vCPU when vcpu < 0).  `soft` may be NULL. */
int hv_vcpu_pin(struct hv *hv, uint32_t domid, int vcpu,
                const struct cpuset *hard, const struct cpuset *soft,
                struct xn_msg *msg);
int hv_sched_get(struct hv *hv, uint32_t domid, struct hv_sched_params *p,
                 struct xn_msg *msg);
int hv_sched_set(struct hv *hv, uint32_t domid,
                 const struct hv_sched_params *p, struct xn_msg *msg);
int hv_pool_sched_get(struct hv *hv, uint32_t poolid, struct hv_pool_sched *p,
                      struct xn_msg *msg);
int hv_pool_sched_set(struct hv *hv, uint32_t poolid,
                      const struct hv_pool_sched *p, struct xn_msg *msg);

/* --- save and restore ---
 * hv_save writes the driver's image of the domain to `fd` (not closed): a
 * self-describing stream that carries the domain's configuration (as the
 * driver chooses to record it) followed by its memory image.  It leaves the
 * domain suspended (state SHUTDOWN, reason SUSPEND); the caller then
 * destroys it, or hv_resume()s it to let it run on.  A live save that
 * cannot keep up with the guest's writes may give up instead: XN_ETIMEDOUT,
 * the domain left running, the stream cut short (hv_save_progress tells
 * how a save goes).
 *
 * Restoring takes two steps, so that the caller knows what it is about to
 * start (its name, UUID, memory) before anything is created:
 *  - hv_image_open reads the image's description (the driver's header and
 *    the configuration) from `fd`, positioned at the image.  It reads
 *    synchronously: `fd` must be a regular file (or a socket whose header
 *    has arrived).  A corrupt, truncated or foreign image fails with
 *    XN_ECORRUPT.  *img_r is owned by the caller until hv_restore takes it
 *    (hv_image_free otherwise); the fd stays the caller's and must outlive
 *    the image.
 *  - hv_restore reads the rest and creates the domain from the image's
 *    configuration; `name`, when not NULL, replaces the saved name (a
 *    migration receives "web1--incoming").  It takes `img` whatever the
 *    result.  `done` gets the new domid.
 * Both leave the fd's offset just past the image and never read beyond
 * it. */
int hv_save(struct hv *hv, uint32_t domid, int fd, unsigned flags,
            hv_done_fn *done, void *opaque, struct xn_msg *msg);
int hv_resume(struct hv *hv, uint32_t domid, hv_done_fn *done, void *opaque,
              struct xn_msg *msg);

/* How far a save has come (hv_save_progress).  A live save sends every
 * page while the guest runs (round 0), then, round after round, the pages
 * the guest dirtied meanwhile, until few are left or it gives up; then it
 * suspends the guest and sends the rest (the downtime). */
struct hv_save_progress {
    uint32_t round;             /* the pass being sent: 0 = every page */
    uint64_t bytes;             /* written to the fd so far */
    uint64_t pages_total;       /* the domain's pages */
    uint64_t pages_dirty;       /* left to send: an estimate */
    bool suspended;             /* the guest is suspended: the last pass */
    uint64_t suspended_ns;      /* CLOCK_REALTIME when it was suspended
                                 * (0 before) */
};

/* The progress of the save of `domid` now running (0, *p filled; zeroed
 * on failure): XN_ENOENT when no save of it runs, XN_ENOTSUP when the
 * driver cannot tell (libxl 4.17 reports no iterations).  Synchronous and
 * quick: it changes nothing. */
int hv_save_progress(struct hv *hv, uint32_t domid,
                     struct hv_save_progress *p, struct xn_msg *msg);

struct hv_image;
int hv_image_open(struct hv *hv, int fd, struct hv_image **img_r,
                  struct xn_msg *msg);
/* How many bytes hv_image_open will read (or peek at) from the start of an
 * image whose first `len` bytes are `buf`: *need_r = 0 while more are
 * needed to tell; XN_ECORRUPT when buf is not the start of this driver's
 * image.  A receiver that is fed the image over the network waits for
 * that many bytes before opening it, so the open never waits. */
int hv_image_head(struct hv *hv, const void *buf, size_t len, size_t *need_r,
                  struct xn_msg *msg);
/* The image's configuration: valid while the image lives. */
const libxl_domain_config *hv_image_config(const struct hv_image *img);
void hv_image_free(struct hv_image *img);     /* NULL ok */
int hv_restore(struct hv *hv, struct hv_image *img, const char *name,
               bool paused, hv_done_fn *done, void *opaque,
               struct xn_msg *msg);

/* --- memory --- */
/* Host memory, in KiB, that starting `cfg` takes: the domain's memory and
 * what the hypervisor needs beside it (page tables, shadow, device model),
 * computed by libxl_domain_need_memory on Xen and by the same formula on
 * the simulated host.  `cfg` is not changed. */
int hv_need_memory(struct hv *hv, const libxl_domain_config *cfg,
                   uint64_t *need_kb_r, struct xn_msg *msg);

/* `cfg` as libxl's JSON (as `xl -N create` prints it), into *json_r
 * (malloc'd, the caller's). */
int hv_config_json(struct hv *hv, const libxl_domain_config *cfg,
                   char **json_r, struct xn_msg *msg);

/* --- PCI passthrough ---
 * As with xl, a device reaches a guest in two steps: it is made assignable
 * (unbound from its host driver and bound to xen-pciback), then assigned to
 * a domain, from the configuration's pcidevs at create or by hv_pci_attach
 * later.  When the domain is destroyed its devices are released and stay
 * assignable.  hv.c checks, with one wording for both drivers, that the
 * device exists, is assignable and is not assigned elsewhere before it
 * calls a driver. */

/* The address of a libxl PCI device (its device and function masked to
 * their 5 and 3 bits). */
struct hv_pci_addr hv_pci_addr_of(const libxl_device_pci *p);

/* Every assignable or assigned device of the host, sorted by address.
 * *list_r is malloc'd, owned by the caller: free() it. */
int hv_pci_list(struct hv *hv, struct hv_pcidev **list_r, size_t *n_r,
                struct xn_msg *msg);
/* One device of the host, whatever its driver: XN_ENOENT when the host has
 * no such device. */
int hv_pci_info(struct hv *hv, const struct hv_pci_addr *a,
                struct hv_pcidev *dev, struct xn_msg *msg);
/* Bind to xen-pciback (remembering the driver it leaves, for a later
 * rebind).  A device already assignable is left as it is (0). */
int hv_pci_assignable_add(struct hv *hv, const struct hv_pci_addr *a,
                          struct xn_msg *msg);
/* Unbind from xen-pciback; with `rebind`, bind the driver it had before. */
int hv_pci_assignable_remove(struct hv *hv, const struct hv_pci_addr *a,
                             bool rebind, struct xn_msg *msg);
/* Hot-plug `pci` (its address and options) into a running or paused
 * domain; `done` fires when the guest has it (or libxl gave up). */
int hv_pci_attach(struct hv *hv, uint32_t domid, const libxl_device_pci *pci,
                  hv_done_fn *done, void *opaque, struct xn_msg *msg);
/* Unplug; `force` takes it away even if the guest does not answer. */
int hv_pci_detach(struct hv *hv, uint32_t domid, const struct hv_pci_addr *a,
                  bool force, hv_done_fn *done, void *opaque,
                  struct xn_msg *msg);

/* --- the host's xenstore ---
 * A client of the store this host's domains live in, usable from the
 * daemon's loop (the simulated host's store is served inside the daemon,
 * so it cannot be reached through libxenstore's blocking calls from the
 * same thread).  *x_r is owned by the caller: xsc_close() it before
 * hv_close().  XN_ENOTSUP when the driver has no store. */
struct xsc;
int hv_store_open(struct hv *hv, struct xsc **x_r, struct xn_msg *msg);

#endif
