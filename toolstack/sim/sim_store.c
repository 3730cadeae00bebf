/*
 * sim_store.c - the simulated host's xenstore: a store (toolstack/sim/xsd/) on
 * a unix socket, laid out as libxl lays out a Xen host's, and used by the
 * simulated guests as PV guests use theirs.
 *
 * The model (sim_host.*) knows nothing of the store; this glue keeps the
 * two in step:
 *  - at open: the store on <run_dir>/sim-<host>-xenstore.sock, Domain-0's
 *    nodes, and every domain of the scenario laid out;
 *  - a domain that appears (create, restore) is laid out, which fires
 *    @introduceDomain; a dead one is removed, which fires @releaseDomain;
 *    a guest that shuts down fires @releaseDomain, as xenstored does;
 *  - what the toolstack changes is written where libxl writes it: name
 *    (and /vm/UUID/name), memory/static-max, cpu/N/availability;
 *  - the guests watch control/shutdown and memory/target as PV guests do.
 *    A running guest acknowledges a request written to control/shutdown by
 *    writing "" back, then acts on it after its shutdown delay (a guest
 *    that ignores requests never acknowledges; a paused one answers when
 *    it runs again).  Its balloon follows memory/target.  Whoever writes
 *    the node - hv_shutdown and hv_mem_target included - takes the same
 *    path into the model, which decides; a target it refuses is written
 *    back to the store, so the store and the model agree once the write
 *    has been seen.
 *
 * The guests' watches are one watch on /local/domain rather than two per
 * guest: the store compares each change with every watch in turn, so with
 * a watch per guest every change would cost thousands of comparisons on a
 * host with thousands of domains.  The callback picks out the two nodes.
 */
#include "sim/sim_drv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "uuid.h"
#include "sim/xsd/xsd.h"

#define GUESTS_TOKEN "sim-guests"
/* A domain takes about 45 nodes and 2 more per vCPU. */
#define STORE_MAX_NODES (2u << 20)
#define DOM_PATH_MAX 96
#define LABEL_MAX (HV_NAME_MAX + 32)

/* "/local/domain/<domid>/<rel>" into buf[DOM_PATH_MAX]. */
static const char *dom_path(char *buf, uint32_t domid, const char *rel)
{
    snprintf(buf, DOM_PATH_MAX, "/local/domain/%u/%s", (unsigned)domid, rel);
    return buf;
}

static int write_u64(struct xsd *x, uint32_t domid, const char *rel,
                     uint64_t v)
{
    char path[DOM_PATH_MAX], val[24];

    snprintf(val, sizeof(val), "%" PRIu64, v);
    return xsd_write_str(x, dom_path(path, domid, rel), val);
}

/* Log a write the store refused: only when it is full or out of memory,
 * with the limits the sim sets. */
static void write_failed(const struct sim_dom *d, const char *what, int rc)
{
    char l[LABEL_MAX];

    if (rc < 0)
        xn_log(XN_LOG_WARNING, "sim: cannot write the %s of %s to the "
               "host's xenstore (%s)", what, sim_dom_label(d, l, sizeof(l)),
               xn_strerror(rc));
}

/* cpu/<i>/availability for every vCPU, as libxl_set_vcpuonline does. */
static int write_vcpus(struct xsd *x, const struct sim_dom *d)
{
    char rel[32], path[DOM_PATH_MAX];
    int rc = 0;

    for (uint32_t i = 0; i < d->vcpus_max && rc == 0; i++) {
        snprintf(rel, sizeof(rel), "cpu/%u/availability", (unsigned)i);
        rc = xsd_write_str(x, dom_path(path, d->domid, rel),
                           i < d->vcpus_online ? "online" : "offline");
    }
    return rc;
}

/* Domain-0 as xen-init-dom0 leaves it, with the memory nodes libxl keeps
 * for it. */
static int layout_dom0(struct xsd *x, const struct sim_dom *d)
{
    int rc = xsd_layout_dom0(x);

    if (rc == 0)
        rc = write_u64(x, 0, "memory/static-max", d->max_kb);
    if (rc == 0)
        rc = write_u64(x, 0, "memory/target", d->target_kb);
    if (rc == 0)
        rc = write_vcpus(x, d);
    return rc;
}

int simstore_add(struct simdrv *drv, const struct sim_dom *d,
                 struct xn_msg *msg)
{
    char uuid[XN_UUID_TEXT], l[LABEL_MAX];
    struct xsd_domain_info info = {
        .domid = d->domid,
        .name = d->name,
        .uuid = xn_uuid_format(d->uuid, uuid),
        .type = d->type == HV_TYPE_PV ? "pv"
                : d->type == HV_TYPE_HVM ? "hvm" : "pvh",
        .max_memkb = d->max_kb,
        .target_memkb = d->target_kb,
        .video_memkb = 0,           /* the sim has no video memory */
        .max_vcpus = d->vcpus_max,
        .online_vcpus = d->vcpus_online,
        .store_port = 1,
        /* where the store ring would be: HVM and PVH's special page, a
         * PV guest's last page */
        .store_mfn = d->type == HV_TYPE_PV ? sim_dom_pages(d) - 1
                                           : 0xfeffcu,
    };
    int rc;

    if (d->domid == 0)
        rc = layout_dom0(drv->store, d);
    else
        rc = xsd_layout_domain(drv->store, &info);
    if (rc < 0) {
        if (d->domid != 0)
            xsd_layout_remove(drv->store, d->domid);
        return xn_msg_set(msg, XN_EFAIL, "cannot lay out %s in the host's "
                          "xenstore (%s; it holds at most %u nodes)",
                          sim_dom_label(d, l, sizeof(l)), xn_strerror(rc),
                          STORE_MAX_NODES);
    }
    simagent_kick(drv, d);          /* its agent, workload, balloon */
    return 0;
}

void simstore_remove(struct simdrv *drv, uint32_t domid)
{
    if (domid != 0)
        xsd_layout_remove(drv->store, domid);
}

void simstore_event(struct simdrv *drv, const struct sim_event *ev)
{
    if (ev->type == SIM_EV_DEATH)
        simstore_remove(drv, ev->domid);
    else
        xsd_domain_shutdown(drv->store, ev->domid);
}

/* --- the guests --- */

/*
 * The guest's watch on control/shutdown.  A running guest acknowledges a
 * request by writing "" back, as Linux's xenbus shutdown handler does
 * (whatever the request), and acts on poweroff, halt and reboot through
 * the model.  A guest that ignores requests never answers; one that is not
 * running cannot answer yet (simstore_guest_runs looks again).  Domain-0
 * is the host itself here and never shuts down.
 */
static void guest_control(struct simdrv *drv, struct sim_dom *d)
{
    char path[DOM_PATH_MAX], l[LABEL_MAX], *req;
    bool reboot = false, known = true;
    struct xn_msg msg;

    if (d->domid == 0 || d->state != HV_STATE_RUNNING || d->ignore_shutdown)
        return;
    dom_path(path, d->domid, "control/shutdown");
    if (xsd_read(drv->store, path, &req, NULL) < 0)
        return;
    if (req[0]) {
        if (strcmp(req, "reboot") == 0)
            reboot = true;
        else if (strcmp(req, "poweroff") != 0 && strcmp(req, "halt") != 0)
            known = false;
        write_failed(d, "acknowledgement of a shutdown request",
                     xsd_write(drv->store, path, "", 0));
        xn_log(XN_LOG_DEBUG, "sim: %s %s the request \"%s\"",
               sim_dom_label(d, l, sizeof(l)),
               known ? "acknowledges" : "ignores", req);
        if (known && sim_dom_request_shutdown(drv->host, d, reboot,
                                              &msg) < 0)
            xn_log(XN_LOG_WARNING, "sim: %s", msg.text);
        simdrv_rearm(drv);
    }
    free(req);
}

void simstore_guest_runs(struct simdrv *drv, struct sim_dom *d)
{
    guest_control(drv, d);
    simagent_kick(drv, d);
}

/* A whole decimal number, nothing else. */
static bool parse_kb(const char *s, uint64_t *v_r)
{
    char *end;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    *v_r = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}

/*
 * The guest's balloon driver watching memory/target: the model decides
 * (sim_dom_set_target: at most the maximum, growth only into free host
 * memory; guest_balloon() then moves the memory).  What it refuses, or a
 * value that is not a number of KiB, is replaced in the store by the
 * model's target, so the two agree once this returns.  0, or the model's
 * error (with msg).
 */
static int balloon_follow(struct simdrv *drv, struct sim_dom *d,
                          struct xn_msg *msg)
{
    char path[DOM_PATH_MAX], l[LABEL_MAX], *val = NULL;
    struct xn_msg own;
    uint64_t kb;
    int rc;

    if (!msg)
        msg = &own;
    if (d->state == HV_STATE_DYING)
        return 0;                   /* its tree goes when it dies */
    dom_path(path, d->domid, "memory/target");
    if (xsd_read(drv->store, path, &val, NULL) == 0 && parse_kb(val, &kb)) {
        if (kb == d->target_kb) {
            free(val);
            return 0;
        }
        rc = sim_dom_set_target(drv->host, d, kb, msg);
        if (rc == 0) {
            simagent_kick(drv, d);  /* a gradual balloon moves from now */
            free(val);
            return 0;
        }
    } else if (val) {
        rc = xn_msg_set(msg, XN_EINVAL, "the memory target of %s is "
                        "\"%.40s\", not a number of KiB",
                        sim_dom_label(d, l, sizeof(l)), val);
    } else {
        rc = xn_msg_set(msg, XN_EINVAL, "the memory target of %s is gone "
                        "from the store", sim_dom_label(d, l, sizeof(l)));
    }
    xn_log(XN_LOG_WARNING, "sim: %s; memory/target is back to %" PRIu64,
           msg->text, d->target_kb);
    write_failed(d, "memory target",
                 write_u64(drv->store, d->domid, "memory/target",
                           d->target_kb));
    free(val);
    return rc;
}

/* The guests' watches: /local/domain/<N>/control/shutdown and
 * /local/domain/<N>/memory/target. */
static void guests_cb(void *opaque, const char *path, const char *token)
{
    static const char pre[] = "/local/domain/";
    struct simdrv *drv = opaque;
    struct sim_dom *d;
    struct xn_msg msg;
    unsigned long domid;
    char *end;

    (void)token;
    if (strncmp(path, pre, sizeof(pre) - 1) != 0)
        return;
    path += sizeof(pre) - 1;
    if (*path < '0' || *path > '9')
        return;
    domid = strtoul(path, &end, 10);
    if (*end != '/' || domid >= SIM_DOMID_LIMIT ||
        !(d = sim_dom_get(drv->host, (uint32_t)domid)))
        return;
    if (strcmp(end, "/control/shutdown") == 0)
        guest_control(drv, d);
    else if (strcmp(end, "/memory/target") == 0)
        balloon_follow(drv, d, &msg);
}

/* --- the toolstack's side --- */

int simstore_request_shutdown(struct simdrv *drv, struct sim_dom *d,
                              bool reboot, struct xn_msg *msg)
{
    char path[DOM_PATH_MAX], l[LABEL_MAX];
    int rc = sim_dom_check_shutdown(d, msg);

    if (rc < 0)
        return rc;
    rc = xsd_write_str(drv->store, dom_path(path, d->domid,
                                            "control/shutdown"),
                       reboot ? "reboot" : "poweroff");
    if (rc < 0)
        return xn_msg_set(msg, XN_EFAIL, "cannot ask %s to shut down: "
                          "writing %s failed (%s)",
                          sim_dom_label(d, l, sizeof(l)), path,
                          xn_strerror(rc));
    return 0;
}

int simstore_mem_target(struct simdrv *drv, struct sim_dom *d,
                        uint64_t target_kb, struct xn_msg *msg)
{
    char l[LABEL_MAX];
    int rc = sim_dom_check_target(drv->host, d, target_kb, msg);

    if (rc < 0)
        return rc;
    rc = write_u64(drv->store, d->domid, "memory/target", target_kb);
    if (rc < 0)
        return xn_msg_set(msg, XN_EFAIL, "cannot write the memory target "
                          "of %s to the host's xenstore (%s)",
                          sim_dom_label(d, l, sizeof(l)), xn_strerror(rc));
    return balloon_follow(drv, d, msg);     /* the guest's own path */
}

void simstore_mem_max(struct simdrv *drv, struct sim_dom *d)
{
    write_failed(d, "maximum memory",
                 write_u64(drv->store, d->domid, "memory/static-max",
                           d->max_kb));
}

void simstore_vcpus(struct simdrv *drv, struct sim_dom *d)
{
    write_failed(d, "vCPUs", write_vcpus(drv->store, d));
}

/* As libxl__domain_rename: the name under /local/domain and under /vm. */
void simstore_rename(struct simdrv *drv, struct sim_dom *d)
{
    char path[DOM_PATH_MAX], vmname[DOM_PATH_MAX + 8], *vm;

    write_failed(d, "name", xsd_write_str(drv->store,
                                          dom_path(path, d->domid, "name"),
                                          d->name));
    if (xsd_read(drv->store, dom_path(path, d->domid, "vm"), &vm,
                 NULL) < 0)
        return;
    if (strncmp(vm, "/vm/", 4) == 0 && strlen(vm) < DOM_PATH_MAX) {
        snprintf(vmname, sizeof(vmname), "%s/name", vm);
        write_failed(d, "name", xsd_write_str(drv->store, vmname, d->name));
    }
    free(vm);
}

/* --- open and close --- */

/* Does a server answer on the unix socket `path`? */
static bool socket_live(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live;

    if (fd < 0)
        return false;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return live;
}

int simstore_open(struct simdrv *drv, const char *run_dir,
                  struct xn_msg *msg)
{
    struct sockaddr_un sa;
    char path[sizeof(sa.sun_path)], tmpl[] = "/tmp/xenith-sim.XXXXXX";
    const char *host = sim_host_spec(drv->host)->name, *dir = run_dir;
    struct xsd_limits lim;
    int rc;

    /* Another server on <run_dir>/sim-<host>-xenstore.sock (a daemon
     * running the same host there): this host's store goes to a private
     * directory, and that daemon keeps its own. */
    if (dir && (size_t)snprintf(path, sizeof(path), "%s/sim-%s-xenstore.sock",
                                dir, host) < sizeof(path) &&
        socket_live(path)) {
        xn_log(XN_LOG_DEBUG, "sim host %s: %s is in use; this host's "
               "xenstore goes to a directory of its own", host, path);
        dir = NULL;
    }
    if (!dir) {
        if (!mkdtemp(tmpl))
            return xn_msg_set(msg, XN_EIO, "cannot make a directory for "
                              "the xenstore of sim host %s: %s", host,
                              strerror(errno));
        drv->store_dir = strdup(tmpl);
        if (!drv->store_dir) {
            rmdir(tmpl);
            return xn_msg_set(msg, XN_ENOMEM, "out of memory");
        }
        dir = drv->store_dir;
    } else if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        return xn_msg_set(msg, XN_EIO, "cannot make %s for the xenstore of "
                          "sim host %s: %s", dir, host, strerror(errno));
    }
    if ((size_t)snprintf(path, sizeof(path), "%s/sim-%s-xenstore.sock", dir,
                         host) >= sizeof(path)) {
        rc = xn_msg_set(msg, XN_EINVAL, "the xenstore socket of sim host "
                        "%.40s in %.40s... would have a path longer than "
                        "%zu bytes", host, dir, sizeof(path) - 1);
        goto fail;
    }
    xsd_limits_default(&lim);
    lim.max_nodes = STORE_MAX_NODES;
    rc = xsd_new(drv->hv->base, path, &lim, &drv->store, msg);
    if (rc < 0)
        goto fail;
    for (struct sim_dom *d = sim_dom_next(drv->host, NULL); d;
         d = sim_dom_next(drv->host, d)) {
        rc = simstore_add(drv, d, msg);
        if (rc < 0)
            goto fail;
    }
    rc = xsd_watch(drv->store, "/local/domain", GUESTS_TOKEN, guests_cb,
                   drv);
    if (rc < 0) {
        rc = xn_msg_set(msg, rc, "cannot watch the xenstore of sim host "
                        "%s (%s)", host, xn_strerror(rc));
        goto fail;
    }
    xn_log(XN_LOG_DEBUG, "sim host %s: xenstore on %s", host, path);
    return 0;

fail:
    simstore_close(drv);
    return rc;
}

void simstore_close(struct simdrv *drv)
{
    xsd_free(drv->store);
    drv->store = NULL;
    if (drv->store_dir) {
        rmdir(drv->store_dir);
        free(drv->store_dir);
        drv->store_dir = NULL;
    }
}

const char *simstore_path(const struct simdrv *drv)
{
    return xsd_socket_path(drv->store);
}
