/*
 * xen_priv.h - what the files of the libxl driver (toolstack/xen/) share.
 * Nothing outside toolstack/xen/ includes this.
 *
 *   xen_loop.c   libxl's fds and timeouts on the daemon's libevent loop
 *   xen_err.c    libxl's ERROR_* -> XN_E*, and the logger that keeps
 *                libxl's last error line for the failure sentences
 *   xen_ev.c     the domains the driver knows, libxl's domain events and
 *                the queue that hands hv events to the owner
 *   xen_op.c     asynchronous libxl operations and their completion
 *   xen_drv.c    open/close and the ops table
 *   xen_info.c   queries (host, domains, vCPUs, pools, config)
 *   xen_dom.c    lifecycle (create, destroy, shutdown, pause, rename)
 *   xen_res.c    memory, vCPUs, schedulers
 *   xen_save.c   save, resume, restore
 *   xen_store.c  the host's xenstore; noticing domains as they appear
 */
#ifndef XENITH_XEN_PRIV_H
#define XENITH_XEN_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "hv_driver.h"
#include "libxl_wrap.h"

#include <libxl_event.h>

struct event;
struct xen_loop;
struct xen_log;
struct xen_dom;
struct xen_evq;
struct xen_op;

/* The driver's state, hv->priv.  Owned by the hv; freed by xen_close. */
struct xen_drv {
    struct hv *hv;              /* back pointer, not owned */
    libxl_ctx *ctx;
    struct xen_log *log;        /* the ctx's logger; outlives the ctx */
    struct xen_loop *loop;      /* the ctx's osevent hooks' state */
    struct xen_dom *doms;       /* domains the driver knows (xen_ev.c) */
    struct xen_evq *evq_head;   /* hv events waiting for delivery */
    struct xen_evq **evq_tail;
    struct event *evq_ev;       /* deferred delivery of the queue */
    struct xen_op *ops;         /* asynchronous operations in flight */
    struct xsc *store;          /* owned: the driver's xenstore client */
    struct xsc_watch *introduce;    /* on @introduceDomain, owned by store */
};

/* --- xen_loop.c --- */

/* The hooks libxl calls; `user` is the struct xen_loop.  Static storage, so
 * it outlives every ctx. */
extern const libxl_osevent_hooks xen_loop_hooks;

/* A registry of libxl's fds and timeouts on `base`.  The ctx is set later
 * with xen_loop_attach (before the hooks are registered).  Free with
 * xen_loop_free after libxl_ctx_free; NULL on allocation failure. */
struct xen_loop *xen_loop_new(struct event_base *base);
void xen_loop_attach(struct xen_loop *loop, libxl_ctx *ctx);
void xen_loop_free(struct xen_loop *loop);

/* --- xen_err.c --- */

/* A xentoollog logger forwarding to xn_log.  Owned by the caller; destroy
 * with xen_log_free after the ctx that uses it is freed. */
struct xen_log *xen_log_new(void);
xentoollog_logger *xen_log_logger(struct xen_log *log);
void xen_log_free(struct xen_log *log);

/* Forget the last error line (before a call whose failure we report). */
void xen_log_clear(struct xen_log *log);
/* The error lines libxl logged since xen_log_clear (the first and the
 * last), without libxl's file:line:function prefixes, or NULL.  Lives
 * until the next call or log line. */
const char *xen_log_last(struct xen_log *log);

/* The one mapping of libxl's ERROR_* to XN_E* codes. */
int xen_err_code(int lrc);

/* Fill `msg` with "<subject>: <what>: libxl: <last error line>" (or libxl's
 * error code name when nothing was logged) and return the mapped code.
 * `lrc` is a libxl ERROR_* value. */
int xen_fail(struct xen_drv *drv, struct xn_msg *msg, int lrc,
             const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* --- xen_store.c --- */
struct xsc;
struct xsc_watch;
/* hv_store_open: a client of xenstored on the daemon's loop. */
int xen_store_open(struct hv *hv, struct xsc **x_r, struct xn_msg *msg);
/* Watch @introduceDomain to adopt domains other toolstacks make as they
 * appear; a failure is logged (listing still finds them). */
int xen_store_watch_domains(struct xen_drv *drv);
void xen_store_close(struct xen_drv *drv);

/* --- xen_ev.c --- */

/* Domain names for messages: "domain 5 (web1)".  `buf` of HV_NAME_MAX+32. */
#define XEN_SUBJ_MAX (HV_NAME_MAX + 32)
const char *xen_subject(struct xen_drv *drv, uint32_t domid, char *buf);

/* Check that `domid` exists; fill `subj` (XEN_SUBJ_MAX) with its subject.
 * XN_ENOENT with a sentence when it does not. */
int xen_dom_check(struct xen_drv *drv, uint32_t domid, char *subj,
                  struct xn_msg *msg);

/* Start watching a domain the driver made (create/restore): death events
 * on, no HV_EV_NEW, and the domain marked as ours (libxl userdata
 * "xenith", which libxl deletes with the domain) so that it is not
 * foreign to a later daemon either. */
int xen_dom_adopt(struct xen_drv *drv, uint32_t domid);
/* Was the domain made by another toolstack (no "xenith" mark)?  Domain 0
 * and unknown domains are not foreign. */
bool xen_dom_foreign(struct xen_drv *drv, uint32_t domid);
/* A domain seen in a listing: if the driver did not know it, watch it and
 * queue HV_EV_NEW (domain 0 is known silently).  Refreshes the cached
 * name. */
void xen_dom_seen(struct xen_drv *drv, uint32_t domid, const uint8_t *uuid,
                  const char *name);
/* Re-arm a domain's death watch so that a later shutdown is reported again
 * (libxl reports one shutdown per watch; needed after resume). */
void xen_dom_rearm(struct xen_drv *drv, uint32_t domid);
/* Update the cached name after a rename. */
void xen_dom_renamed(struct xen_drv *drv, uint32_t domid, const char *name);
/* Drop every known domain and undelivered event (close). */
void xen_dom_forget_all(struct xen_drv *drv);

/* libxl's event callbacks (registered at open); `user` is the drv. */
extern const libxl_event_hooks xen_ev_hooks;

/* Prepare event delivery on the loop; XN_ENOMEM on failure. */
int xen_ev_init(struct xen_drv *drv);

/* --- xen_op.c --- */

enum xen_op_kind {
    XEN_OP_CREATE,
    XEN_OP_RESTORE,
    XEN_OP_DESTROY,
    XEN_OP_SHUTDOWN,
    XEN_OP_SAVE,
    XEN_OP_RESUME,
    XEN_OP_PCI,
};

/* One asynchronous libxl operation.  Owned by drv->ops until its done_fn
 * ran (or it was abandoned at close). */
struct xen_op {
    struct xen_op *next;
    struct xen_drv *drv;
    enum xen_op_kind kind;
    int phase;                  /* the op's own step counter */
    hv_done_fn *done;
    void *opaque;
    uint32_t domid;             /* subject; create/restore: libxl writes it */
    char subj[XEN_SUBJ_MAX];    /* "domain 5 (web1)" for messages */
    const char *what;           /* the current step, "cannot save" (static) */
    libxl_asyncop_how how;      /* callback = the op's completion */
    libxl_domain_config *cfg;   /* create/restore: owned (disposed and
                                 * freed with the op), read by libxl */
    libxl_domain_restore_params rparams;   /* restore */
    libxl_device_pci pci;       /* pci attach/detach: owned, read by libxl */
    bool paused;                /* create/restore: leave it paused */
    bool reboot;                /* shutdown */
    int fd;                     /* save/restore, not owned */
    unsigned flags;             /* save: HV_SAVE_* */
    int lrc;                    /* libxl's completion code */
    bool fired;                 /* libxl called back */
    bool started;               /* the initiating call returned 0 */
    struct xn_msg msg;          /* the failure sentence */
    struct event *ev;           /* deferred completion */
    /* Called from the loop after libxl completed a step, with op->lrc
     * (and op->msg filled when lrc != 0).  Return 1 when another
     * asynchronous step was started, else the result code (0 or XN_E*)
     * with op->msg filled on failure. */
    int (*step)(struct xen_op *op);
};

/* A new op on drv->ops, or NULL (out of memory).  rparams is
 * initialised, cfg NULL. */
struct xen_op *xen_op_new(struct xen_drv *drv, enum xen_op_kind kind,
                          uint32_t domid, hv_done_fn *done, void *opaque);
/* A new op on an existing domain: checks that it exists (XN_ENOENT with a
 * sentence when not) and names it in op->subj.  NULL with *rc_r and msg
 * set on failure. */
struct xen_op *xen_op_on_domain(struct xen_drv *drv, enum xen_op_kind kind,
                                uint32_t domid, hv_done_fn *done,
                                void *opaque, int *rc_r, struct xn_msg *msg);
/* Before each initiating libxl call: name the step for messages
 * ("cannot save") and forget libxl's previous error line. */
void xen_op_step(struct xen_op *op, const char *what);
/* The step of an op that is one libxl call: its result. */
int xen_op_simple(struct xen_op *op);
/* After the initiating libxl call: `lrc` is what it returned.  On failure
 * the op is freed (its done never runs) and the mapped code returned, with
 * `msg` filled ("<subj>: <what>: libxl: ..."). */
int xen_op_started(struct xen_op *op, int lrc, struct xn_msg *msg);
/* Close: abort what can be aborted, return true when libxl holds no op
 * any more (the ctx may then be freed), and free every op without calling
 * its done. */
bool xen_op_abandon_all(struct xen_drv *drv);
/* Is a create or restore of `domid` (or, while libxl has not told its id
 * yet, of the domain with `uuid`; NULL ok) in flight? */
bool xen_op_creating(struct xen_drv *drv, uint32_t domid,
                     const uint8_t *uuid);

/* --- the ops, by file --- */
int xen_host_info(struct hv *hv, struct hv_hostinfo *info, struct xn_msg *msg);

/* PCI passthrough (xen_pci.c) */
int xen_pci_list(struct hv *hv, struct hv_pcidev **list_r, size_t *n_r,
                 struct xn_msg *msg);
int xen_pci_info(struct hv *hv, const struct hv_pci_addr *a,
                 struct hv_pcidev *dev, struct xn_msg *msg);
int xen_pci_assignable_add(struct hv *hv, const struct hv_pci_addr *a,
                           struct xn_msg *msg);
int xen_pci_assignable_remove(struct hv *hv, const struct hv_pci_addr *a,
                              bool rebind, struct xn_msg *msg);
int xen_pci_attach(struct hv *hv, uint32_t domid, const libxl_device_pci *pci,
                   hv_done_fn *done, void *opaque, struct xn_msg *msg);
int xen_pci_detach(struct hv *hv, uint32_t domid, const struct hv_pci_addr *a,
                   bool force, hv_done_fn *done, void *opaque,
                   struct xn_msg *msg);
int xen_dom_list(struct hv *hv, struct hv_dominfo **list_r, size_t *n_r,
                 struct xn_msg *msg);
int xen_dom_info(struct hv *hv, uint32_t domid, struct hv_dominfo *info,
                 struct xn_msg *msg);
int xen_dom_config(struct hv *hv, uint32_t domid, libxl_domain_config *cfg,
                   struct xn_msg *msg);
int xen_vcpu_list(struct hv *hv, uint32_t domid, struct hv_vcpuinfo **list_r,
                  size_t *n_r, struct xn_msg *msg);
int xen_pool_list(struct hv *hv, struct hv_poolinfo **list_r, size_t *n_r,
                  struct xn_msg *msg);

int xen_create(struct hv *hv, libxl_domain_config *cfg, bool paused,
               hv_done_fn *done, void *opaque, struct xn_msg *msg);
int xen_destroy(struct hv *hv, uint32_t domid, hv_done_fn *done, void *opaque,
                struct xn_msg *msg);
int xen_shutdown(struct hv *hv, uint32_t domid, bool reboot, hv_done_fn *done,
                 void *opaque, struct xn_msg *msg);
int xen_pause(struct hv *hv, uint32_t domid, struct xn_msg *msg);
int xen_unpause(struct hv *hv, uint32_t domid, struct xn_msg *msg);
int xen_rename(struct hv *hv, uint32_t domid, const char *new_name,
               struct xn_msg *msg);
/* Shared by create and restore: after libxl built the domain, adopt it and
 * unpause it unless asked not to.  A step function for struct xen_op. */
int xen_dom_built_step(struct xen_op *op);

int xen_mem_target(struct hv *hv, uint32_t domid, uint64_t target_kb,
                   struct xn_msg *msg);
int xen_mem_max(struct hv *hv, uint32_t domid, uint64_t max_kb,
                struct xn_msg *msg);
int xen_vcpu_set(struct hv *hv, uint32_t domid, uint32_t count,
                 struct xn_msg *msg);
int xen_vcpu_pin(struct hv *hv, uint32_t domid, int vcpu,
                 const struct cpuset *hard, const struct cpuset *soft,
                 struct xn_msg *msg);
int xen_sched_get(struct hv *hv, uint32_t domid, struct hv_sched_params *p,
                  struct xn_msg *msg);
int xen_sched_set(struct hv *hv, uint32_t domid,
                  const struct hv_sched_params *p, struct xn_msg *msg);
int xen_pool_sched_get(struct hv *hv, uint32_t poolid,
                       struct hv_pool_sched *p, struct xn_msg *msg);
int xen_pool_sched_set(struct hv *hv, uint32_t poolid,
                       const struct hv_pool_sched *p, struct xn_msg *msg);

int xen_save(struct hv *hv, uint32_t domid, int fd, unsigned flags,
             hv_done_fn *done, void *opaque, struct xn_msg *msg);
int xen_resume(struct hv *hv, uint32_t domid, hv_done_fn *done, void *opaque,
               struct xn_msg *msg);
int xen_save_progress(struct hv *hv, uint32_t domid,
                      struct hv_save_progress *p, struct xn_msg *msg);
int xen_image_open(struct hv *hv, struct hv_image *img, struct xn_msg *msg);
int xen_image_head(const uint8_t *buf, size_t len, size_t *need_r,
                   struct xn_msg *msg);
void xen_image_free(struct hv_image *img);
int xen_restore(struct hv *hv, struct hv_image *img, const char *name,
                bool paused, hv_done_fn *done, void *opaque,
                struct xn_msg *msg);
int xen_need_memory(struct hv *hv, const libxl_domain_config *cfg,
                    uint64_t *need_kb_r, struct xn_msg *msg);

/* Dispose and free a heap libxl_domain_config; NULL ok. */
void xen_cfg_free(libxl_domain_config *cfg);

/* Conversions shared by the query and resource files. */
enum hv_shutdown xen_reason_from_libxl(int reason);
/* libxl bitmap <-> cpuset.  xen_bitmap_from_cpuset allocates `bm` (which
 * must have been through libxl_bitmap_init) with the host's CPU count and
 * fails with XN_EINVAL when the set names a CPU the host lacks. */
void xen_cpuset_from_bitmap(struct cpuset *set, const libxl_bitmap *bm);
int xen_bitmap_from_cpuset(struct xen_drv *drv, libxl_bitmap *bm,
                           const struct cpuset *set, const char *subj,
                           struct xn_msg *msg);

static inline struct xen_drv *xen_drv_of(struct hv *hv)
{
    return hv->priv;
}

#endif
