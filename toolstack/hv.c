/*
 * hv.c - picks a driver by URI and checks, once for every driver, what does
 * not depend on the driver before passing a call on (hv_check.c); delivers
 * the drivers' completions and events to the owner.
 */
#include "hv_check.h"
#include "domname.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct hv_ops *const drivers[] = {
    &hv_xen_ops,
    &hv_sim_ops,
};

int hv_open(const char *uri, struct event_base *base,
            const struct hv_open_opts *opts, hv_event_fn *ev, void *ev_opaque,
            struct hv **hv_r, struct xn_msg *msg)
{
    static const struct hv_open_opts no_opts;
    const struct hv_ops *ops = NULL;
    const char *path = NULL;
    struct hv *hv;
    int rc;

    *hv_r = NULL;
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        size_t n = strlen(drivers[i]->scheme);
        if (strncmp(uri, drivers[i]->scheme, n) == 0 &&
            strncmp(uri + n, "://", 3) == 0) {
            ops = drivers[i];
            path = uri + n + 3;
            break;
        }
    }
    if (!ops)
        return xn_msg_set(msg, XN_EINVAL,
                          "hypervisor URI \"%s\" is not supported "
                          "(use xen:/// or sim:///NAME)", uri);
    if (strlen(uri) >= sizeof(hv->uri))
        return xn_msg_set(msg, XN_EINVAL, "hypervisor URI \"%.40s...\" is "
                          "too long", uri);
    hv = calloc(1, sizeof(*hv));
    if (!hv)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    hv->ops = ops;
    hv->base = base;
    hv->event_cb = ev;
    hv->event_opaque = ev_opaque;
    snprintf(hv->uri, sizeof(hv->uri), "%s", uri);
    rc = ops->open(hv, path, opts ? opts : &no_opts, msg);
    if (rc < 0) {
        free(hv);
        return rc;
    }
    *hv_r = hv;
    return 0;
}

void hv_close(struct hv *hv)
{
    if (!hv)
        return;
    for (struct hv_guard *g = hv->guards; g; g = g->prev)
        g->closed = true;
    hv->ops->close(hv);
    free(hv);
}

const char *hv_uri(const struct hv *hv)
{
    return hv->uri;
}

const char *hv_driver(const struct hv *hv)
{
    return hv->ops->scheme;
}

/* --- calls into the owner --- */

static void guard_push(struct hv *hv, struct hv_guard *g)
{
    g->closed = false;
    g->prev = hv->guards;
    hv->guards = g;
}

/* False when the hv was closed under the guard (it is freed then). */
static bool guard_pop(struct hv *hv, struct hv_guard *g)
{
    if (g->closed)
        return false;
    hv->guards = g->prev;
    return true;
}

bool hv_emit(struct hv *hv, const struct hv_event *ev)
{
    struct hv_guard g;

    if (!hv->event_cb)
        return true;
    guard_push(hv, &g);
    hv->event_cb(hv->event_opaque, ev);
    return guard_pop(hv, &g);
}

bool hv_complete(struct hv *hv, hv_done_fn *done, void *opaque, int rc,
                 const struct xn_msg *msg, uint32_t domid)
{
    struct hv_guard g;
    struct xn_msg copy;

    if (!done)
        return true;
    xn_msg_clear(&copy);
    if (rc < 0) {
        if (msg && msg->text[0])
            copy = *msg;
        else
            xn_msg_set(&copy, rc, "%s", xn_strerror(rc));
    }
    guard_push(hv, &g);
    done(opaque, rc, rc < 0 ? &copy : NULL, domid);
    return guard_pop(hv, &g);
}

void hv_fd_blocking(int fd, bool on)
{
    struct stat st;
    int fl = fcntl(fd, F_GETFL);

    if (fl < 0 || fstat(fd, &st) < 0 || S_ISREG(st.st_mode))
        return;
    fcntl(fd, F_SETFL, on ? fl & ~O_NONBLOCK : fl | O_NONBLOCK);
}

int hv_fd_wait(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n;

    do
        n = poll(&p, 1, 30000);
    while (n < 0 && errno == EINTR);
    if (n == 0)
        errno = ETIMEDOUT;
    return n > 0 ? 0 : -1;
}

/* --- queries --- */

int hv_host_info(struct hv *hv, struct hv_hostinfo *info, struct xn_msg *msg)
{
    memset(info, 0, sizeof(*info));
    return hv->ops->host_info(hv, info, msg);
}

int hv_dom_list(struct hv *hv, struct hv_dominfo **list_r, size_t *n_r,
                struct xn_msg *msg)
{
    *list_r = NULL;
    *n_r = 0;
    return hv->ops->dom_list(hv, list_r, n_r, msg);
}

int hv_dom_info(struct hv *hv, uint32_t domid, struct hv_dominfo *info,
                struct xn_msg *msg)
{
    memset(info, 0, sizeof(*info));
    return hv_check_dom(hv, domid, HV_NEED_EXISTS, NULL, info, msg);
}

/* A domain reference that is an id rather than a name. */
static bool is_domid(const char *ref)
{
    for (const char *p = ref; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return *ref != '\0';
}

int hv_dom_lookup(struct hv *hv, const char *ref, uint32_t *domid_r,
                  struct xn_msg *msg)
{
    struct hv_dominfo *list;
    size_t n;
    int rc;

    if (!ref || !*ref)
        return xn_msg_set(msg, XN_EINVAL, "domain \"\" is empty: give a "
                          "name or an id");
    if (is_domid(ref)) {
        struct hv_dominfo info;
        errno = 0;
        unsigned long id = strtoul(ref, NULL, 10);
        if (errno || id >= 0x7FF0)     /* DOMID_FIRST_RESERVED */
            return xn_msg_set(msg, XN_ENOENT, "no domain with id %.40s",
                              ref);
        rc = hv_dom_info(hv, (uint32_t)id, &info, msg);
        if (rc < 0)
            return rc;
        *domid_r = (uint32_t)id;
        return 0;
    }
    rc = hv_dom_list(hv, &list, &n, msg);
    if (rc < 0)
        return rc;
    rc = xn_msg_set(msg, XN_ENOENT, "no domain named \"%s\"", ref);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i].name, ref) == 0) {
            *domid_r = list[i].domid;
            rc = 0;
            break;
        }
    }
    free(list);
    return rc;
}

int hv_dom_by_uuid(struct hv *hv, const uint8_t uuid[16],
                   struct hv_dominfo *info, struct xn_msg *msg)
{
    struct hv_dominfo *list;
    size_t n;
    int rc = hv_dom_list(hv, &list, &n, msg);

    if (rc < 0)
        return rc;
    rc = XN_ENOENT;
    for (size_t i = 0; i < n; i++) {
        if (memcmp(list[i].uuid, uuid, 16) != 0)
            continue;
        /* A domain being destroyed gives way to its successor. */
        if (rc == 0 && list[i].state == HV_STATE_DYING)
            continue;
        *info = list[i];
        rc = 0;
    }
    free(list);
    if (rc < 0)
        xn_msg_set(msg, XN_ENOENT, "no domain has that UUID");
    return rc;
}

int hv_dom_config(struct hv *hv, uint32_t domid, libxl_domain_config *cfg,
                  struct xn_msg *msg)
{
    struct hv_dominfo info;
    int rc = hv_check_dom(hv, domid, HV_NEED_EXISTS, NULL, &info, msg);
    return rc < 0 ? rc : hv->ops->dom_config(hv, domid, cfg, msg);
}

int hv_vcpu_list(struct hv *hv, uint32_t domid, struct hv_vcpuinfo **list_r,
                 size_t *n_r, struct xn_msg *msg)
{
    struct hv_dominfo info;
    int rc;

    *list_r = NULL;
    *n_r = 0;
    rc = hv_check_dom(hv, domid, HV_NEED_EXISTS, NULL, &info, msg);
    return rc < 0 ? rc : hv->ops->vcpu_list(hv, domid, list_r, n_r, msg);
}

int hv_pool_list(struct hv *hv, struct hv_poolinfo **list_r, size_t *n_r,
                 struct xn_msg *msg)
{
    *list_r = NULL;
    *n_r = 0;
    return hv->ops->pool_list(hv, list_r, n_r, msg);
}

/* --- lifecycle --- */

int hv_create(struct hv *hv, libxl_domain_config *cfg, bool paused,
              hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    int rc = dom_name_check_str(cfg->c_info.name, msg);
    if (rc == 0)
        rc = hv_pci_check_config(hv, cfg, msg);
    if (rc < 0) {
        libxl_domain_config_dispose(cfg);
        free(cfg);
        return rc;
    }
    return hv->ops->create(hv, cfg, paused, done, opaque, msg);
}

/* Domain 0 is not `what`; the domain exists and its state allows it. */
static int check_op(struct hv *hv, uint32_t domid, enum hv_need need,
                    const char *what, struct xn_msg *msg)
{
    struct hv_dominfo info;
    int rc = hv_check_not_dom0(domid, what, msg);
    return rc < 0 ? rc : hv_check_dom(hv, domid, need, what, &info, msg);
}

int hv_destroy(struct hv *hv, uint32_t domid, hv_done_fn *done, void *opaque,
               struct xn_msg *msg)
{
    int rc = check_op(hv, domid, HV_NEED_EXISTS, "destroyed", msg);
    return rc < 0 ? rc : hv->ops->destroy(hv, domid, done, opaque, msg);
}

int hv_shutdown(struct hv *hv, uint32_t domid, bool reboot, hv_done_fn *done,
                void *opaque, struct xn_msg *msg)
{
    int rc = check_op(hv, domid, HV_NEED_UP,
                      reboot ? "rebooted" : "shut down", msg);
    return rc < 0 ? rc
                  : hv->ops->shutdown(hv, domid, reboot, done, opaque, msg);
}

int hv_pause(struct hv *hv, uint32_t domid, struct xn_msg *msg)
{
    int rc = check_op(hv, domid, HV_NEED_PAUSABLE, "paused", msg);
    return rc < 0 ? rc : hv->ops->pause(hv, domid, msg);
}

int hv_unpause(struct hv *hv, uint32_t domid, struct xn_msg *msg)
{
    int rc = check_op(hv, domid, HV_NEED_PAUSED, "unpaused", msg);
    return rc < 0 ? rc : hv->ops->unpause(hv, domid, msg);
}

int hv_rename(struct hv *hv, uint32_t domid, const char *new_name,
              struct xn_msg *msg)
{
    int rc = check_op(hv, domid, HV_NEED_ALIVE, "renamed", msg);
    if (rc == 0)
        rc = dom_name_check_str(new_name, msg);
    return rc < 0 ? rc : hv->ops->rename(hv, domid, new_name, msg);
}

/* --- resources --- */

static int check_alive(struct hv *hv, uint32_t domid, struct xn_msg *msg)
{
    struct hv_dominfo info;
    return hv_check_dom(hv, domid, HV_NEED_ALIVE, NULL, &info, msg);
}

int hv_mem_target(struct hv *hv, uint32_t domid, uint64_t target_kb,
                  struct xn_msg *msg)
{
    if (target_kb == 0)
        return xn_msg_set(msg, XN_EINVAL, "memory target of domain %u must "
                          "be above 0", domid);
    int rc = check_alive(hv, domid, msg);
    return rc < 0 ? rc : hv->ops->mem_target(hv, domid, target_kb, msg);
}

int hv_mem_max(struct hv *hv, uint32_t domid, uint64_t max_kb,
               struct xn_msg *msg)
{
    if (max_kb == 0)
        return xn_msg_set(msg, XN_EINVAL, "maximum memory of domain %u must "
                          "be above 0", domid);
    int rc = check_alive(hv, domid, msg);
    return rc < 0 ? rc : hv->ops->mem_max(hv, domid, max_kb, msg);
}

int hv_vcpu_set(struct hv *hv, uint32_t domid, uint32_t count,
                struct xn_msg *msg)
{
    if (count == 0)
        return xn_msg_set(msg, XN_EINVAL, "domain %u needs at least one "
                          "online vCPU", domid);
    int rc = check_alive(hv, domid, msg);
    return rc < 0 ? rc : hv->ops->vcpu_set(hv, domid, count, msg);
}

int hv_vcpu_pin(struct hv *hv, uint32_t domid, int vcpu,
                const struct cpuset *hard, const struct cpuset *soft,
                struct xn_msg *msg)
{
    if (cpuset_empty(hard))
        return xn_msg_set(msg, XN_EINVAL, "hard affinity of domain %u "
                          "selects no CPU", domid);
    int rc = check_alive(hv, domid, msg);
    return rc < 0 ? rc : hv->ops->vcpu_pin(hv, domid, vcpu, hard, soft, msg);
}

int hv_sched_get(struct hv *hv, uint32_t domid, struct hv_sched_params *p,
                 struct xn_msg *msg)
{
    struct hv_dominfo info;
    int rc = hv_check_dom(hv, domid, HV_NEED_EXISTS, NULL, &info, msg);
    return rc < 0 ? rc : hv->ops->sched_get(hv, domid, p, msg);
}

int hv_sched_set(struct hv *hv, uint32_t domid,
                 const struct hv_sched_params *p, struct xn_msg *msg)
{
    if (p->weight != -1 && (p->weight < 1 || p->weight > 65535))
        return xn_msg_set(msg, XN_EINVAL, "weight %d is out of range "
                          "(1-65535)", p->weight);
    if (p->cap != -1 && (p->cap < 0 || p->cap > 65535))
        return xn_msg_set(msg, XN_EINVAL, "cap %d is out of range "
                          "(0-65535, in %% of one CPU; 0 = no cap)", p->cap);
    int rc = check_alive(hv, domid, msg);
    return rc < 0 ? rc : hv->ops->sched_set(hv, domid, p, msg);
}

int hv_pool_sched_get(struct hv *hv, uint32_t poolid, struct hv_pool_sched *p,
                      struct xn_msg *msg)
{
    return hv->ops->pool_sched_get(hv, poolid, p, msg);
}

int hv_pool_sched_set(struct hv *hv, uint32_t poolid,
                      const struct hv_pool_sched *p, struct xn_msg *msg)
{
    if (p->tslice_ms != -1 && (p->tslice_ms < 1 || p->tslice_ms > 1000))
        return xn_msg_set(msg, XN_EINVAL, "tslice %d ms is out of range "
                          "(1-1000)", p->tslice_ms);
    if (p->ratelimit_us != -1 && p->ratelimit_us != 0 &&
        (p->ratelimit_us < 100 || p->ratelimit_us > 500000))
        return xn_msg_set(msg, XN_EINVAL, "ratelimit %d us is out of range "
                          "(100-500000, or 0 for none)", p->ratelimit_us);
    return hv->ops->pool_sched_set(hv, poolid, p, msg);
}

/* --- save and restore --- */

int hv_save(struct hv *hv, uint32_t domid, int fd, unsigned flags,
            hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    int rc = check_op(hv, domid, HV_NEED_SAVABLE, "saved", msg);
    return rc < 0 ? rc : hv->ops->save(hv, domid, fd, flags, done, opaque,
                                       msg);
}

int hv_resume(struct hv *hv, uint32_t domid, hv_done_fn *done, void *opaque,
              struct xn_msg *msg)
{
    struct hv_dominfo info;
    int rc = hv_check_dom(hv, domid, HV_NEED_SUSPENDED, "resumed", &info,
                          msg);
    return rc < 0 ? rc : hv->ops->resume(hv, domid, done, opaque, msg);
}

int hv_save_progress(struct hv *hv, uint32_t domid,
                     struct hv_save_progress *p, struct xn_msg *msg)
{
    int rc;

    memset(p, 0, sizeof(*p));
    if (!hv->ops->save_progress)
        return xn_msg_set(msg, XN_ENOTSUP, "the %s driver does not report "
                          "the progress of a save", hv->ops->scheme);
    rc = hv->ops->save_progress(hv, domid, p, msg);
    if (rc < 0)
        memset(p, 0, sizeof(*p));
    return rc;
}

int hv_image_open(struct hv *hv, int fd, struct hv_image **img_r,
                  struct xn_msg *msg)
{
    struct hv_image *img = calloc(1, sizeof(*img));
    int rc;

    *img_r = NULL;
    if (!img)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    img->hv = hv;
    img->fd = fd;
    rc = hv->ops->image_open(hv, img, msg);
    if (rc == 0 && (!img->cfg->c_info.name || !img->cfg->c_info.name[0]))
        rc = xn_msg_set(msg, XN_ECORRUPT, "the image's configuration names "
                        "no domain");
    if (rc == 0) {
        struct xn_msg why;
        if (dom_name_check_str(img->cfg->c_info.name, &why) < 0)
            rc = xn_msg_set(msg, XN_ECORRUPT, "the image's configuration: "
                            "%s", why.text);
    }
    if (rc < 0) {
        hv_image_free(img);
        return rc;
    }
    *img_r = img;
    return 0;
}

int hv_config_json(struct hv *hv, const libxl_domain_config *cfg,
                   char **json_r, struct xn_msg *msg)
{
    *json_r = hv->ops->config_json(hv, cfg);
    return *json_r ? 0 : xn_msg_set(msg, XN_EFAIL, "the configuration of "
                                    "%s cannot be written as JSON",
                                    cfg->c_info.name ? cfg->c_info.name
                                                     : "the domain");
}

int hv_image_head(struct hv *hv, const void *buf, size_t len, size_t *need_r,
                  struct xn_msg *msg)
{
    *need_r = 0;
    return hv->ops->image_head(buf, len, need_r, msg);
}

const libxl_domain_config *hv_image_config(const struct hv_image *img)
{
    return img->cfg;
}

void hv_image_free(struct hv_image *img)
{
    if (!img)
        return;
    if (img->priv)
        img->hv->ops->image_free(img);
    if (img->cfg) {
        libxl_domain_config_dispose(img->cfg);
        free(img->cfg);
    }
    free(img);
}

int hv_restore(struct hv *hv, struct hv_image *img, const char *name,
               bool paused, hv_done_fn *done, void *opaque,
               struct xn_msg *msg)
{
    int rc = name ? dom_name_check_str(name, msg) : 0;
    if (rc == 0 && img->cfg)
        rc = hv_pci_check_config(hv, img->cfg, msg);
    if (rc == 0)
        rc = hv->ops->restore(hv, img, name, paused, done, opaque, msg);
    hv_image_free(img);
    return rc;
}

/* --- memory --- */

int hv_need_memory(struct hv *hv, const libxl_domain_config *cfg,
                   uint64_t *need_kb_r, struct xn_msg *msg)
{
    *need_kb_r = 0;
    return hv->ops->need_memory(hv, cfg, need_kb_r, msg);
}

/* --- the host's xenstore --- */

int hv_store_open(struct hv *hv, struct xsc **x_r, struct xn_msg *msg)
{
    *x_r = NULL;
    if (!hv->ops->store_open)
        return xn_msg_set(msg, XN_ENOTSUP, "the %s driver offers no "
                          "xenstore", hv->ops->scheme);
    return hv->ops->store_open(hv, x_r, msg);
}
