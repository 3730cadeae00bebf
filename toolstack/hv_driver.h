/*
 * hv_driver.h - what a driver implements.  Only hv.c and the drivers include
 * this; everything else uses hv.h.
 *
 * hv.c checks what is common to every driver before it calls an op, with one
 * wording for both: the domain exists, its state allows the operation
 * (pause a running domain, resume a suspended one ...), domain 0 is not
 * destroyed, names follow domname.h, values are in range.  Drivers may
 * assume their arguments passed these checks (the domain may still go
 * between the check and the call: a driver reports that as XN_ENOENT).
 * Each op has the contract of the hv_* call of the same name in hv.h.
 *
 * Drivers complete asynchronous calls and deliver events through
 * hv_complete and hv_emit, from loop callbacks only.  Either may close the
 * hv (the owner's callback may call hv_close); both return false then, and
 * the driver must not touch its state again.
 */
#ifndef XENITH_HV_DRIVER_H
#define XENITH_HV_DRIVER_H

#include "hv.h"

struct hv_ops {
    const char *scheme;     /* "xen", "sim" */

    /* `path` is the URI's part after "scheme://".  Store private state in
     * hv->priv. */
    int (*open)(struct hv *hv, const char *path,
                const struct hv_open_opts *opts, struct xn_msg *msg);
    void (*close)(struct hv *hv);

    int (*host_info)(struct hv *hv, struct hv_hostinfo *info,
                     struct xn_msg *msg);
    int (*dom_list)(struct hv *hv, struct hv_dominfo **list_r, size_t *n_r,
                    struct xn_msg *msg);
    int (*dom_info)(struct hv *hv, uint32_t domid, struct hv_dominfo *info,
                    struct xn_msg *msg);
    int (*dom_config)(struct hv *hv, uint32_t domid, libxl_domain_config *cfg,
                      struct xn_msg *msg);
    int (*vcpu_list)(struct hv *hv, uint32_t domid,
                     struct hv_vcpuinfo **list_r, size_t *n_r,
                     struct xn_msg *msg);
    int (*pool_list)(struct hv *hv, struct hv_poolinfo **list_r, size_t *n_r,
                     struct xn_msg *msg);

    int (*create)(struct hv *hv, libxl_domain_config *cfg, bool paused,
                  hv_done_fn *done, void *opaque, struct xn_msg *msg);
    int (*destroy)(struct hv *hv, uint32_t domid, hv_done_fn *done,
                   void *opaque, struct xn_msg *msg);
    int (*shutdown)(struct hv *hv, uint32_t domid, bool reboot,
                    hv_done_fn *done, void *opaque, struct xn_msg *msg);
    int (*pause)(struct hv *hv, uint32_t domid, struct xn_msg *msg);
    int (*unpause)(struct hv *hv, uint32_t domid, struct xn_msg *msg);
    int (*rename)(struct hv *hv, uint32_t domid, const char *new_name,
                  struct xn_msg *msg);

    int (*mem_target)(struct hv *hv, uint32_t domid, uint64_t target_kb,
                      struct xn_msg *msg);
    int (*mem_max)(struct hv *hv, uint32_t domid, uint64_t max_kb,
                   struct xn_msg *msg);
    int (*vcpu_set)(struct hv *hv, uint32_t domid, uint32_t count,
                    struct xn_msg *msg);
    int (*vcpu_pin)(struct hv *hv, uint32_t domid, int vcpu,
                    const struct cpuset *hard, const struct cpuset *soft,
                    struct xn_msg *msg);
    int (*sched_get)(struct hv *hv, uint32_t domid, struct hv_sched_params *p,
                     struct xn_msg *msg);
    int (*sched_set)(struct hv *hv, uint32_t domid,
                     const struct hv_sched_params *p, struct xn_msg *msg);
    int (*pool_sched_get)(struct hv *hv, uint32_t poolid,
                          struct hv_pool_sched *p, struct xn_msg *msg);
    int (*pool_sched_set)(struct hv *hv, uint32_t poolid,
                          const struct hv_pool_sched *p, struct xn_msg *msg);

    int (*save)(struct hv *hv, uint32_t domid, int fd, unsigned flags,
                hv_done_fn *done, void *opaque, struct xn_msg *msg);
    int (*resume)(struct hv *hv, uint32_t domid, hv_done_fn *done,
                  void *opaque, struct xn_msg *msg);
    /* May be NULL: the driver cannot tell (XN_ENOTSUP).  p is zeroed. */
    int (*save_progress)(struct hv *hv, uint32_t domid,
                         struct hv_save_progress *p, struct xn_msg *msg);
    /* Fill img->cfg (heap, libxl_domain_config_init'ed) and img->priv
     * from the image's description; image_free frees priv (not cfg). */
    int (*image_open)(struct hv *hv, struct hv_image *img,
                      struct xn_msg *msg);
    void (*image_free)(struct hv_image *img);
    /* How many bytes image_open reads (or peeks at) from the start of an
     * image whose first len bytes are buf: 0 with *need_r = 0 while that
     * cannot be told yet. */
    int (*image_head)(const uint8_t *buf, size_t len, size_t *need_r,
                      struct xn_msg *msg);
    /* May take img->cfg (set it to NULL) and img->priv; hv.c frees the
     * rest of the image after the call. */
    int (*restore)(struct hv *hv, struct hv_image *img, const char *name,
                   bool paused, hv_done_fn *done, void *opaque,
                   struct xn_msg *msg);
    int (*need_memory)(struct hv *hv, const libxl_domain_config *cfg,
                       uint64_t *need_kb_r, struct xn_msg *msg);
    /* libxl's JSON of cfg (malloc'd), or NULL when it cannot be made. */
    char *(*config_json)(struct hv *hv, const libxl_domain_config *cfg);

    int (*pci_list)(struct hv *hv, struct hv_pcidev **list_r, size_t *n_r,
                    struct xn_msg *msg);
    int (*pci_info)(struct hv *hv, const struct hv_pci_addr *a,
                    struct hv_pcidev *dev, struct xn_msg *msg);
    int (*pci_assignable_add)(struct hv *hv, const struct hv_pci_addr *a,
                              struct xn_msg *msg);
    int (*pci_assignable_remove)(struct hv *hv, const struct hv_pci_addr *a,
                                 bool rebind, struct xn_msg *msg);
    int (*pci_attach)(struct hv *hv, uint32_t domid,
                      const libxl_device_pci *pci, hv_done_fn *done,
                      void *opaque, struct xn_msg *msg);
    int (*pci_detach)(struct hv *hv, uint32_t domid,
                      const struct hv_pci_addr *a, bool force,
                      hv_done_fn *done, void *opaque, struct xn_msg *msg);

    /* May be NULL: the host has no store the daemon can use. */
    int (*store_open)(struct hv *hv, struct xsc **x_r, struct xn_msg *msg);
};

/* A callback into the owner in progress; hv_close marks every guard. */
struct hv_guard {
    bool closed;
    struct hv_guard *prev;
};

struct hv {
    const struct hv_ops *ops;
    struct event_base *base;    /* the daemon's loop; not owned */
    hv_event_fn *event_cb;
    void *event_opaque;
    char uri[256];
    void *priv;                 /* the driver's state; the driver frees it */
    struct hv_guard *guards;    /* callbacks running, innermost first */
};

/* An image being restored (hv_image_open .. hv_restore). */
struct hv_image {
    struct hv *hv;              /* not owned */
    int fd;                     /* not owned */
    libxl_domain_config *cfg;   /* owned (heap) until the driver takes it */
    void *priv;                 /* the driver's reading state */
};

/* Deliver an event to the hv's owner.  Returns false when the owner closed
 * the hv meanwhile. */
bool hv_emit(struct hv *hv, const struct hv_event *ev);

/* The stream fd's mode as the driver needs it: the simulated host pumps it
 * from the loop (non-blocking), libxl's save helper and restore want it
 * blocking.  A regular file is left alone. */
void hv_fd_blocking(int fd, bool on);

/* For drivers reading an image synchronously: wait up to 30 s for fd to be
 * ready for `events` (POLLIN, POLLOUT).  0, or -1 with errno set. */
int hv_fd_wait(int fd, short events);

/* Complete an asynchronous call: call `done` with a copy of `msg` (so the
 * driver may free its operation first, as it should).  Returns false when
 * `done` closed the hv. */
bool hv_complete(struct hv *hv, hv_done_fn *done, void *opaque, int rc,
                 const struct xn_msg *msg, uint32_t domid);

extern const struct hv_ops hv_sim_ops;
extern const struct hv_ops hv_xen_ops;

#endif
