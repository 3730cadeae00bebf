/*
 * sim_drv.h - what the parts of the sim driver share: the driver state that
 * hangs off hv->priv, per-domain driver data, and in-flight asynchronous
 * operations.  sim_drv.c has open/close, the event timer, the machinery of
 * asynchronous operations and the table of hv_ops; sim_calls.c queries
 * and synchronous calls; sim_life.c create, destroy and shutdown;
 * sim_save.c save, resume and restore; sim_live.c the passes of a live
 * save; sim_pci.c PCI passthrough.
 *
 * Everything the model does later (a guest acting, a domain dying) comes
 * out of one libevent timer, `tick`, armed for the model's next due action;
 * guest memory (balloons, workloads, agents' reports) out of another,
 * `mem_tick` (sim_agent.c).
 * Completions and events are delivered from loop callbacks only, through
 * hv_complete and hv_emit; since a callee may hv_close() from inside a
 * callback, every place that calls out stops touching the driver when they
 * say the hv is closed.
 */
#ifndef XENITH_SIM_DRV_H
#define XENITH_SIM_DRV_H

#include <event2/event.h>

#include "hv_driver.h"
#include "sim/sim_host.h"
#include "sim/sim_image.h"

struct simdrv_op;

struct xsd;

#define SIMDRV_OP_BUCKETS 256

struct simdrv {
    struct hv *hv;                  /* not owned */
    struct sim_host *host;
    struct xsd *store;              /* the host's xenstore (sim_store.c) */
    char *store_dir;                /* a directory made for it, removed at
                                     * close; NULL when given one */
    struct event *tick;             /* the model's next timed action */
    struct event *mem_tick;         /* guest memory and agents, every
                                     * 200 ms while needed (sim_agent.c) */
    struct simdrv_op *ops[SIMDRV_OP_BUCKETS];   /* in flight, doubly
                                                 * linked, by domid */
};

/* Per-domain driver data (sim_dom.drv): the configuration it was made
 * with (heap, owned).  Freed by the model through simdrv_dom_free. */
struct simdrv_dom {
    libxl_domain_config *cfg;
};

enum simdrv_op_kind {
    SIMOP_CREATE,
    SIMOP_DESTROY,      /* completes when the domain's death is reported */
    SIMOP_SHUTDOWN,
    SIMOP_RESUME,
    SIMOP_SAVE,
    SIMOP_RESTORE,
    SIMOP_PCI,          /* attach or detach (sim_pci.c) */
};

typedef void simdrv_step_fn(struct simdrv_op *op);

struct simdrv_op {
    struct simdrv_op *next, *prev;
    struct simdrv *drv;
    enum simdrv_op_kind kind;
    uint32_t domid;
    hv_done_fn *done;
    void *opaque;
    simdrv_step_fn *step;           /* what runs when the op is kicked */
    struct event *kick;             /* zero timer: run step next turn */
    struct event *io;               /* fd readiness, made on first EAGAIN */
    bool paused;                    /* create, restore: leave paused */
    struct hv_pci_addr pci;         /* pci: the device */
    bool detach;                    /* pci: a detach (else an attach) */

    /* save and restore */
    int fd;
    unsigned flags;
    bool created;                   /* restore: the domain exists */
    bool told;                      /* save: the suspend was reported */
    uint64_t pages;
    struct sim_img_writer *w;
    const uint8_t *wbuf;
    size_t wlen, woff;
    /* save, live: the passes (sim_save.c) */
    uint32_t round;                 /* the pass being sent: 0 = every page */
    bool last;                      /* the guest is suspended: the last
                                     * pass (or it shut down by itself) */
    bool end;                       /* the last pass went: the end record */
    uint64_t *map;                  /* the pass's pages, a bit each (the
                                     * log taken); owned, NULL in pass 0 */
    uint64_t map_at;                /* the next pfn to look at */
    uint64_t map_left;              /* its pages not sent yet */
    uint64_t suspended_ns;          /* CLOCK_REALTIME at the suspend */
    struct sim_img_reader *r;
    struct sim_dom_spec spec;       /* restore: the domain to make */
    libxl_domain_config *cfg;       /* restore: its configuration (owned
                                     * until the domain takes it) */
    char name[HV_NAME_MAX];         /* restore: the domain's name */
};

#define SIMDRV_DOMID_INVALID 0x7FF4u    /* DOMID_INVALID: failed create */

/* --- sim_drv.c --- */
static inline struct simdrv *simdrv_of(struct hv *hv)
{
    return hv->priv;
}
/* The domain, or XN_ENOENT with the sentence. */
int simdrv_find(struct simdrv *drv, uint32_t domid, struct sim_dom **d_r,
                struct xn_msg *msg);
/* Deliver a model event through hv_emit.  False when the callee closed
 * the hv. */
bool simdrv_emit(struct simdrv *drv, const struct sim_event *ev);
/* Re-arm `tick` after the model's queue may have changed. */
void simdrv_rearm(struct simdrv *drv);
/* A new op with its kick timer; NULL when out of memory. */
struct simdrv_op *simdrv_op_new(struct simdrv *drv, enum simdrv_op_kind kind,
                                uint32_t domid, hv_done_fn *done,
                                void *opaque, simdrv_step_fn *step);
/* The op is about the domain `domid` from now on (create, restore). */
void simdrv_op_set_domid(struct simdrv_op *op, uint32_t domid);
/* Run op->step on a later turn of the loop. */
void simdrv_op_kick(struct simdrv_op *op);
/* Run op->step when fd becomes readable/writable (EV_READ or EV_WRITE). */
int simdrv_op_wait_fd(struct simdrv_op *op, short what);
/* Unlink and free without calling done. */
void simdrv_op_free(struct simdrv_op *op);
/* Unlink, free, then call done.  Returns false when done closed the hv:
 * the caller must then not touch the driver again. */
bool simdrv_op_finish(struct simdrv_op *op, int rc, const struct xn_msg *msg,
                      uint32_t domid);
/* The first op of `kind` on domid, or NULL. */
struct simdrv_op *simdrv_op_find(struct simdrv *drv, enum simdrv_op_kind kind,
                                 uint32_t domid);
/* A heap configuration, libxl_domain_config_init'ed; NULL when out of
 * memory.  simdrv_cfg_free disposes and frees one (NULL ok). */
libxl_domain_config *simdrv_cfg_new(void);
void simdrv_cfg_free(libxl_domain_config *cfg);
/* Driver data owning cfg (freed here on failure: NULL returned). */
struct simdrv_dom *simdrv_dom_new(libxl_domain_config *cfg);
void simdrv_dom_free(void *dd);

/* --- sim_calls.c: the hv_ops that answer at once --- */
int simdrv_host_info(struct hv *hv, struct hv_hostinfo *info,
                     struct xn_msg *msg);
int simdrv_dom_list(struct hv *hv, struct hv_dominfo **list_r,
                    size_t *n_r, struct xn_msg *msg);
int simdrv_dom_info(struct hv *hv, uint32_t domid,
                    struct hv_dominfo *info, struct xn_msg *msg);
int simdrv_dom_config(struct hv *hv, uint32_t domid,
                      libxl_domain_config *cfg, struct xn_msg *msg);
int simdrv_vcpu_list(struct hv *hv, uint32_t domid,
                     struct hv_vcpuinfo **list_r, size_t *n_r,
                     struct xn_msg *msg);
int simdrv_pool_list(struct hv *hv, struct hv_poolinfo **list_r,
                     size_t *n_r, struct xn_msg *msg);
int simdrv_pause(struct hv *hv, uint32_t domid, struct xn_msg *msg);
int simdrv_unpause(struct hv *hv, uint32_t domid, struct xn_msg *msg);
int simdrv_rename(struct hv *hv, uint32_t domid, const char *new_name,
                  struct xn_msg *msg);
int simdrv_mem_target(struct hv *hv, uint32_t domid, uint64_t target_kb,
                      struct xn_msg *msg);
int simdrv_mem_max(struct hv *hv, uint32_t domid, uint64_t max_kb,
                   struct xn_msg *msg);
int simdrv_vcpu_set(struct hv *hv, uint32_t domid, uint32_t count,
                    struct xn_msg *msg);
int simdrv_vcpu_pin(struct hv *hv, uint32_t domid, int vcpu,
                    const struct cpuset *hard, const struct cpuset *soft,
                    struct xn_msg *msg);
int simdrv_sched_get(struct hv *hv, uint32_t domid,
                     struct hv_sched_params *p, struct xn_msg *msg);
int simdrv_sched_set(struct hv *hv, uint32_t domid,
                     const struct hv_sched_params *p, struct xn_msg *msg);
int simdrv_pool_sched_get(struct hv *hv, uint32_t poolid,
                          struct hv_pool_sched *p, struct xn_msg *msg);
int simdrv_pool_sched_set(struct hv *hv, uint32_t poolid,
                          const struct hv_pool_sched *p,
                          struct xn_msg *msg);
/* hv_need_memory: libxl's formula (sim_config.c). */
int simdrv_need_memory(struct hv *hv, const libxl_domain_config *cfg,
                       uint64_t *need_kb_r, struct xn_msg *msg);

/* --- sim_life.c --- */
int simdrv_create(struct hv *hv, libxl_domain_config *cfg, bool paused,
                  hv_done_fn *done, void *opaque, struct xn_msg *msg);
int simdrv_destroy(struct hv *hv, uint32_t domid, hv_done_fn *done,
                   void *opaque, struct xn_msg *msg);
int simdrv_shutdown(struct hv *hv, uint32_t domid, bool reboot,
                    hv_done_fn *done, void *opaque, struct xn_msg *msg);
/* A domain died: complete the destroys waiting for it.  False when a
 * completion closed the hv. */
bool simdrv_deaths(struct simdrv *drv, uint32_t domid);

/* --- sim_save.c --- */
int simdrv_save(struct hv *hv, uint32_t domid, int fd, unsigned flags,
                hv_done_fn *done, void *opaque, struct xn_msg *msg);
int simdrv_resume(struct hv *hv, uint32_t domid, hv_done_fn *done,
                  void *opaque, struct xn_msg *msg);
/* A live save passes while the guest runs at most this often (round 0
 * included); it stops when at most SIMDRV_SAVE_FEW pages are left, and
 * gives up at the limit when more than 1/SIMDRV_SAVE_GIVEUP of the
 * memory is (docs/sim-host.md, "Live save"). */
#define SIMDRV_SAVE_ROUNDS 10u
#define SIMDRV_SAVE_FEW 256u
#define SIMDRV_SAVE_GIVEUP 8u

/* --- sim_live.c: the passes of a live save, a save's progress --- */
/* A live save of d starts: log-dirty mode on (XN_ENOMEM). */
int simlive_start(struct simdrv_op *op, struct sim_dom *d);
/* The save ends, whichever way: log-dirty mode off (if the domain is
 * still there). */
void simlive_stop(struct simdrv_op *op);
/* The save suspended the guest now (for the progress). */
void simlive_suspended(struct simdrv_op *op);
/* Once the first pass went out: the next piece of a later pass in
 * op->wbuf and op->wlen, suspending the guest before the last; wlen 0
 * (op->end set) when only the end record is left.  XN_ETIMEDOUT with the
 * sentence when the save gives up (the guest runs on), or another code. */
int simlive_next(struct simdrv_op *op, struct sim_dom *d, struct xn_msg *msg);
int simdrv_save_progress(struct hv *hv, uint32_t domid,
                         struct hv_save_progress *p, struct xn_msg *msg);
int simdrv_image_open(struct hv *hv, struct hv_image *img,
                      struct xn_msg *msg);
void simdrv_image_free(struct hv_image *img);
int simdrv_restore(struct hv *hv, struct hv_image *img, const char *name,
                   bool paused, hv_done_fn *done, void *opaque,
                   struct xn_msg *msg);

/* --- sim_pci.c: PCI passthrough over the model's devices --- */
int simdrv_pci_list(struct hv *hv, struct hv_pcidev **list_r, size_t *n_r,
                    struct xn_msg *msg);
int simdrv_pci_info(struct hv *hv, const struct hv_pci_addr *a,
                    struct hv_pcidev *dev, struct xn_msg *msg);
int simdrv_pci_assignable_add(struct hv *hv, const struct hv_pci_addr *a,
                              struct xn_msg *msg);
int simdrv_pci_assignable_remove(struct hv *hv, const struct hv_pci_addr *a,
                                 bool rebind, struct xn_msg *msg);
int simdrv_pci_attach(struct hv *hv, uint32_t domid,
                      const libxl_device_pci *pci, hv_done_fn *done,
                      void *opaque, struct xn_msg *msg);
int simdrv_pci_detach(struct hv *hv, uint32_t domid,
                      const struct hv_pci_addr *a, bool force,
                      hv_done_fn *done, void *opaque, struct xn_msg *msg);
/* Create: give the new domain d the devices of cfg->pcidevs (hv.c has
 * checked they are free).  On failure none is left assigned to it. */
int simpci_assign_config(struct simdrv *drv, struct sim_dom *d,
                         const libxl_domain_config *cfg, struct xn_msg *msg);
/* Save: XN_ENOTSUP with the sentence when d has PCI devices, as Xen
 * cannot save such a domain either. */
int simpci_check_savable(struct simdrv *drv, const struct sim_dom *d,
                         struct xn_msg *msg);

/* --- sim_store.c: the host's xenstore, kept in step with the model --- */
/* Make the store on <run_dir>/sim-<host>-xenstore.sock (run_dir NULL: a
 * private directory under /tmp) and lay out the host's domains.  On
 * failure nothing is left behind. */
int simstore_open(struct simdrv *drv, const char *run_dir,
                  struct xn_msg *msg);
/* Free the store; remove its socket (and the private directory). */
void simstore_close(struct simdrv *drv);
const char *simstore_path(const struct simdrv *drv);
/* Lay out a domain that appeared (@introduceDomain); on failure its nodes
 * are gone again and msg says why.  remove takes them away
 * (@releaseDomain). */
int simstore_add(struct simdrv *drv, const struct sim_dom *d,
                 struct xn_msg *msg);
void simstore_remove(struct simdrv *drv, uint32_t domid);
/* What the store does about a model event: a death removes the domain, a
 * shutdown fires @releaseDomain. */
void simstore_event(struct simdrv *drv, const struct sim_event *ev);
/* The guest runs again (unpaused, resumed): it looks at control/shutdown,
 * which it could not while it did not run. */
void simstore_guest_runs(struct simdrv *drv, struct sim_dom *d);
/* hv_shutdown: write control/shutdown for the guest to see (it acts from
 * its watch).  Fails as the model would refuse the request. */
int simstore_request_shutdown(struct simdrv *drv, struct sim_dom *d,
                              bool reboot, struct xn_msg *msg);
/* hv_mem_target: write memory/target and act on it as the guest's watch
 * does (the model decides); the model's refusals come back at once. */
int simstore_mem_target(struct simdrv *drv, struct sim_dom *d,
                        uint64_t target_kb, struct xn_msg *msg);
/* After the model changed: write what libxl writes. */
void simstore_mem_max(struct simdrv *drv, struct sim_dom *d);
void simstore_vcpus(struct simdrv *drv, struct sim_dom *d);
void simstore_rename(struct simdrv *drv, struct sim_dom *d);

/* --- sim_agent.c: guest memory and the guests' agents on the loop --- */
/* Make the timer (stopped) and start it if a domain needs it.  close
 * frees it (NULL ok). */
int simagent_open(struct simdrv *drv);
void simagent_close(struct simdrv *drv);
/* d appeared, runs again or has a new target: start the timer if d needs
 * it (running with an agent, a workload, or a balloon on its way).  It
 * stops itself once no domain does. */
void simagent_kick(struct simdrv *drv, const struct sim_dom *d);

/* sim_xsc.c: an xsc client of the host's store for in-process users. */
struct xsc;
int simdrv_store_open(struct hv *hv, struct xsc **x_r, struct xn_msg *msg);

#endif
