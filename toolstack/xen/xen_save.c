/*
 * xen_save.c - save (libxl_domain_suspend), resume (libxl_domain_resume)
 * and restore (libxl_domain_create_restore), all asynchronous.
 *
 * The driver's image is self-describing:
 *
 *   XENITH-XEN-IMAGE 1 <length>\n
 *   <length bytes: the domain's libxl_domain_config as libxl's JSON>
 *   <libxl's migration stream, version 2>
 *
 * The first two parts are small and written or read synchronously (the
 * line byte by byte, so nothing past the image is ever consumed; libxl
 * reads its own stream exactly to its end record).
 */
#include "xen_priv.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define IMAGE_MAGIC "XENITH-XEN-IMAGE"
#define IMAGE_VERSION 1
#define IMAGE_LINE_MAX 64
#define IMAGE_CONFIG_MAX (16u << 20)

static int write_all(int fd, const char *buf, size_t len, const char *subj,
                     struct xn_msg *msg)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
            hv_fd_wait(fd, POLLOUT) == 0)
            continue;
        if (n < 0)
            return xn_msg_set(msg, XN_EIO, "%s: cannot write the image: %s",
                              subj, strerror(errno));
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read exactly `len` bytes; XN_ECORRUPT when the stream ends first. */
static int read_exact(int fd, char *buf, size_t len, const char *what,
                      struct xn_msg *msg)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
            hv_fd_wait(fd, POLLIN) == 0)
            continue;
        if (n < 0)
            return xn_msg_set(msg, XN_EIO, "cannot read the image's %s: %s",
                              what, strerror(errno));
        if (n == 0)
            return xn_msg_set(msg, XN_ECORRUPT, "the image is truncated: "
                              "its %s ends after %zu of %zu bytes", what, got,
                              len);
        got += (size_t)n;
    }
    return 0;
}

/* --- save --- */

static int write_header(struct xen_drv *drv, uint32_t domid, int fd,
                        const char *subj, struct xn_msg *msg)
{
    libxl_domain_config cfg;
    char line[IMAGE_LINE_MAX];
    char *json = NULL;
    int rc, lrc;

    libxl_domain_config_init(&cfg);
    xen_log_clear(drv->log);
    lrc = libxl_retrieve_domain_configuration(drv->ctx, domid, &cfg, NULL);
    if (lrc) {
        rc = xen_fail(drv, msg, lrc, "%s: cannot save: cannot read its "
                      "configuration", subj);
        goto out;
    }
    json = libxl_domain_config_to_json(drv->ctx, &cfg);
    if (!json) {
        rc = xn_msg_set(msg, XN_EFAIL, "%s: cannot save: libxl cannot "
                        "write its configuration as JSON", subj);
        goto out;
    }
    snprintf(line, sizeof(line), "%s %d %zu\n", IMAGE_MAGIC, IMAGE_VERSION,
             strlen(json));
    rc = write_all(fd, line, strlen(line), subj, msg);
    if (rc == 0)
        rc = write_all(fd, json, strlen(json), subj, msg);
out:
    free(json);
    libxl_domain_config_dispose(&cfg);
    return rc;
}

static int step_save(struct xen_op *op)
{
    /* The domain is left suspended (shutdown, reason suspend); libxl's
     * death watch reports that as a shutdown event. */
    if (!op->lrc)
        return 0;
    /* A live save needs log-dirty tracking; Xen built without shadow
     * paging has none for PV guests, and libxl then blames the guest
     * ("did not respond to suspend request", a timeout).  The guest runs
     * on. */
    if ((op->flags & HV_SAVE_LIVE) && strstr(op->msg.text, "logdirty")) {
        char cause[XN_MSG_MAX];
        snprintf(cause, sizeof(cause), "%s", op->msg.text);
        return xn_msg_set(&op->msg, XN_ENOTSUP, "%s cannot be saved live: "
                          "this Xen cannot track its dirty pages (PV guests "
                          "need shadow paging); [%.300s]", op->subj, cause);
    }
    return xen_err_code(op->lrc);
}

int xen_save(struct hv *hv, uint32_t domid, int fd, unsigned flags,
             hv_done_fn *done, void *opaque, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    char subj[XEN_SUBJ_MAX];
    struct xen_op *op;
    int rc, lrc;

    rc = xen_dom_check(drv, domid, subj, msg);
    if (rc < 0)
        return rc;
    rc = write_header(drv, domid, fd, subj, msg);
    if (rc < 0)
        return rc;
    op = xen_op_new(drv, XEN_OP_SAVE, domid, done, opaque);
    if (!op)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    snprintf(op->subj, sizeof(op->subj), "%s", subj);
    op->fd = fd;
    op->flags = flags;
    op->step = step_save;
    xen_op_step(op, "cannot save");
    hv_fd_blocking(fd, true);
    lrc = libxl_domain_suspend(drv->ctx, domid, fd,
                               (flags & HV_SAVE_LIVE) ? LIBXL_SUSPEND_LIVE : 0,
                               &op->how);
    return xen_op_started(op, lrc, msg);
}

/* --- resume --- */

static int step_resume(struct xen_op *op)
{
    if (op->lrc)
        return xen_err_code(op->lrc);
    /* libxl reports one shutdown per death watch; the suspend used it. */
    xen_dom_rearm(op->drv, op->domid);
    return 0;
}

int xen_resume(struct hv *hv, uint32_t domid, hv_done_fn *done, void *opaque,
               struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    struct xen_op *op;
    int rc, lrc;

    op = xen_op_on_domain(drv, XEN_OP_RESUME, domid, done, opaque, &rc, msg);
    if (!op)
        return rc;
    op->step = step_resume;
    xen_op_step(op, "cannot resume");
    /* suspend_cancel = 1: the guest returns from its suspend call as if
     * it had been cancelled, keeping its devices (what `xl save -c`
     * does). */
    lrc = libxl_domain_resume(drv->ctx, domid, 1, &op->how);
    return xen_op_started(op, lrc, msg);
}

/* --- progress --- */

/* libxl 4.17 reports nothing of a save's iterations to its caller: the
 * stream's rounds are libxc's business. */
int xen_save_progress(struct hv *hv, uint32_t domid,
                      struct hv_save_progress *p, struct xn_msg *msg)
{
    (void)hv;
    (void)p;
    return xn_msg_set(msg, XN_ENOTSUP, "libxl does not report the progress "
                      "of the save of domain %u", domid);
}

/* --- restore --- */

/* Read the line and the configuration; *cfg_r is heap, owned by the
 * caller. */
static int read_header(struct xen_drv *drv, int fd,
                       libxl_domain_config **cfg_r, struct xn_msg *msg)
{
    char line[IMAGE_LINE_MAX], magic[IMAGE_LINE_MAX];
    libxl_domain_config *cfg = NULL;
    char *json = NULL;
    unsigned version;
    size_t n = 0, len;
    int rc, lrc;

    for (;;) {
        if (n + 1 >= sizeof(line))
            return xn_msg_set(msg, XN_ECORRUPT, "the image is not a xen "
                              "driver image (no header line)");
        rc = read_exact(fd, line + n, 1, "header", msg);
        if (rc < 0)
            return rc;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    if (sscanf(line, "%63s %u %zu", magic, &version, &len) != 3 ||
        strcmp(magic, IMAGE_MAGIC) != 0)
        return xn_msg_set(msg, XN_ECORRUPT, "the image is not a xen driver "
                          "image (it starts with \"%.40s\")", line);
    if (version != IMAGE_VERSION)
        return xn_msg_set(msg, XN_ECORRUPT, "the image has version %u; this "
                          "driver reads version %d", version, IMAGE_VERSION);
    if (len == 0 || len > IMAGE_CONFIG_MAX)
        return xn_msg_set(msg, XN_ECORRUPT, "the image's configuration "
                          "length %zu is out of range", len);
    json = malloc(len + 1);
    if (!json)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    rc = read_exact(fd, json, len, "configuration", msg);
    if (rc < 0)
        goto out;
    json[len] = '\0';
    cfg = malloc(sizeof(*cfg));
    if (!cfg) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto out;
    }
    libxl_domain_config_init(cfg);
    xen_log_clear(drv->log);
    lrc = libxl_domain_config_from_json(drv->ctx, cfg, json);
    if (lrc) {
        const char *last = xen_log_last(drv->log);
        rc = xn_msg_set(msg, XN_ECORRUPT, "the image's configuration is not "
                        "valid: libxl: %s", last ? last : "cannot parse it");
        xen_cfg_free(cfg);
        goto out;
    }
    *cfg_r = cfg;
out:
    free(json);
    return rc;
}

/*
 * libxl 4.17 crashes the whole process (a NULL call in the save helper's
 * teardown) when a restore stream fails before its save helper started,
 * i.e. on a damaged or missing libxl header.  Where the fd allows looking
 * ahead without consuming (a file, a socket), check that header first.
 * Pipes cannot be checked.
 */
static int check_libxl_header(int fd, struct xn_msg *msg)
{
    static const unsigned char ident[8] = {'L', 'i', 'b', 'x', 'l', 'F',
                                           'm', 't'};
    unsigned char hdr[16];
    struct stat st;
    ssize_t n;

    if (fstat(fd, &st) < 0)
        return 0;
    if (S_ISREG(st.st_mode)) {
        off_t off = lseek(fd, 0, SEEK_CUR);
        if (off < 0)
            return 0;
        n = pread(fd, hdr, sizeof(hdr), off);
    } else if (S_ISSOCK(st.st_mode)) {
        /* Peeked bytes stay readable, so poll(2) cannot wait for the rest
         * of a partial header: retry every 10 ms, for 30 s at most. */
        for (int tries = 0;; tries++) {
            n = recv(fd, hdr, sizeof(hdr), MSG_PEEK | MSG_DONTWAIT);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                break;
            if (n == 0 || (size_t)n >= sizeof(hdr) || tries >= 3000)
                break;
            usleep(10000);
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            n = 0;
    } else {
        return 0;
    }
    if (n < 0)
        return xn_msg_set(msg, XN_EIO, "cannot read the image's memory "
                          "stream: %s", strerror(errno));
    if ((size_t)n < sizeof(hdr))
        return xn_msg_set(msg, XN_ECORRUPT, "the image is truncated: its "
                          "memory stream is missing or shorter than its "
                          "header");
    if (memcmp(hdr, ident, sizeof(ident)) != 0 || hdr[8] || hdr[9] ||
        hdr[10] || hdr[11] != 2)
        return xn_msg_set(msg, XN_ECORRUPT, "the image's memory stream is "
                          "not a libxl stream (version 2)");
    return 0;
}

int xen_image_head(const uint8_t *buf, size_t len, size_t *need_r,
                   struct xn_msg *msg)
{
    const char *nl = memchr(buf, '\n', len < IMAGE_LINE_MAX ? len
                                                            : IMAGE_LINE_MAX);
    char line[IMAGE_LINE_MAX], magic[IMAGE_LINE_MAX];
    unsigned version;
    size_t clen;

    *need_r = 0;
    if (!nl) {
        if (len >= IMAGE_LINE_MAX)
            return xn_msg_set(msg, XN_ECORRUPT, "the image is not a xen "
                              "driver image (no header line)");
        return 0;
    }
    memcpy(line, buf, (size_t)(nl - (const char *)buf));
    line[nl - (const char *)buf] = '\0';
    if (sscanf(line, "%63s %u %zu", magic, &version, &clen) != 3 ||
        strcmp(magic, IMAGE_MAGIC) != 0 || version != IMAGE_VERSION ||
        clen == 0 || clen > IMAGE_CONFIG_MAX)
        return xn_msg_set(msg, XN_ECORRUPT, "the image is not a xen driver "
                          "image of version %d", IMAGE_VERSION);
    /* the line, the configuration, and libxl's header, which
     * check_libxl_header peeks at */
    *need_r = (size_t)(nl - (const char *)buf) + 1 + clen + 16;
    return 0;
}

int xen_image_open(struct hv *hv, struct hv_image *img, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    libxl_domain_config *cfg = NULL;
    int rc = read_header(drv, img->fd, &cfg, msg);

    if (rc == 0)
        rc = check_libxl_header(img->fd, msg);
    if (rc < 0) {
        xen_cfg_free(cfg);
        return rc;
    }
    img->cfg = cfg;
    return 0;
}

void xen_image_free(struct hv_image *img)
{
    (void)img;      /* nothing beyond the configuration */
}

int xen_restore(struct hv *hv, struct hv_image *img, const char *name,
                bool paused, hv_done_fn *done, void *opaque,
                struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    libxl_domain_config *cfg = img->cfg;
    struct xen_op *op;
    uint32_t other;
    int lrc;

    if (name) {
        char *copy = strdup(name);
        if (!copy)
            return xn_msg_set(msg, XN_ENOMEM, "out of memory");
        free(cfg->c_info.name);
        cfg->c_info.name = copy;
    }
    if (libxl_name_to_domid(drv->ctx, cfg->c_info.name, &other) == 0)
        return xn_msg_set(msg, XN_EEXIST, "a domain named \"%s\" already "
                          "exists (domain %u)", cfg->c_info.name, other);
    op = xen_op_new(drv, XEN_OP_RESTORE, INVALID_DOMID, done, opaque);
    if (!op)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    snprintf(op->subj, sizeof(op->subj), "domain %s", cfg->c_info.name);
    op->cfg = cfg;              /* the op owns it from here */
    img->cfg = NULL;
    op->paused = paused;
    op->fd = img->fd;
    op->step = xen_dom_built_step;
    /* libxl_domain_suspend wrote a version 2 stream without checkpoints.
     * (Version 1 would send it through the legacy converter.) */
    op->rparams.stream_version = 2;
    op->rparams.checkpointed_stream = LIBXL_CHECKPOINTED_STREAM_NONE;
    xen_op_step(op, "cannot restore");
    hv_fd_blocking(op->fd, true);
    lrc = libxl_domain_create_restore(drv->ctx, op->cfg, &op->domid, op->fd,
                                      -1, &op->rparams, &op->how, NULL);
    return xen_op_started(op, lrc, msg);
}

/* --- memory --- */

int xen_need_memory(struct hv *hv, const libxl_domain_config *cfg,
                    uint64_t *need_kb_r, struct xn_msg *msg)
{
    struct xen_drv *drv = xen_drv_of(hv);
    libxl_domain_config copy;
    int lrc;

    /* libxl fills in defaults as it computes: do that on a copy. */
    libxl_domain_config_init(&copy);
    libxl_domain_config_copy(drv->ctx, &copy, cfg);
    xen_log_clear(drv->log);
    lrc = libxl_domain_need_memory(drv->ctx, &copy, INVALID_DOMID, need_kb_r);
    libxl_domain_config_dispose(&copy);
    if (lrc)
        return xen_fail(drv, msg, lrc, "domain %s: cannot compute the "
                        "memory it needs", cfg->c_info.name);
    return 0;
}
