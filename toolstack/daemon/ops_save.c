/*
 * ops_save.c - save a domain to a file and restore it.
 *
 * A save is a stream out (stream.h) into a file sink: the image goes to
 * PATH.partial, created for this save alone (never an existing file, never
 * through a symbolic link), and is renamed over PATH only when complete and
 * synced; only then is the domain destroyed (or resumed, for a checkpoint).
 * A failed save removes the partial file and resumes the domain.  PATH
 * itself may only be a regular file, or not exist: a save never replaces a
 * device, a socket, a directory or a link.
 *
 * A restore reads only regular files (a FIFO or a device would block the
 * daemon or never end), checks the save file's header against the image,
 * and starts the domain through the one start path (start.h).
 */
#include "ops.h"
#include "daemon/start.h"
#include "daemon/stream.h"
#include "domname.h"
#include "log.h"
#include "proto.h"
#include "savefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- the file a save writes --- */

struct save_file {
    char *path;                     /* the target (owned) */
    char *partial;                  /* PATH.partial (owned) */
    int fd;
    dev_t dev;                      /* the partial file we created */
    ino_t ino;
};

static const char *file_kind(mode_t m)
{
    return S_ISDIR(m) ? "a directory" : S_ISLNK(m) ? "a symbolic link"
         : S_ISSOCK(m) ? "a socket" : S_ISFIFO(m) ? "a FIFO"
         : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
         : "not a regular file";
}

/* PATH is a regular file or does not exist. */
static int check_target(const char *path, struct xn_msg *msg)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        return xn_msg_set(msg, xn_from_errno(errno), "cannot save to %s: %s",
                          path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return xn_msg_set(msg, XN_EINVAL, "cannot save to %s: it is %s; a "
                          "save replaces only a regular file", path,
                          file_kind(st.st_mode));
    return 0;
}

static int file_open(struct save_file *f, const char *path,
                     struct xn_msg *msg)
{
    struct stat st;
    int rc;

    f->fd = -1;
    if (path[0] != '/')
        return xn_msg_set(msg, XN_EINVAL, "save file \"%s\" must be an "
                          "absolute path", path);
    if ((rc = check_target(path, msg)) < 0)
        return rc;
    if (!(f->path = strdup(path)) ||
        asprintf(&f->partial, "%s.partial", path) < 0) {
        f->partial = NULL;
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    /* Exclusive: never an existing file, FIFO or link; non-blocking, so
     * nothing a client names can hold up the loop. */
    f->fd = open(f->partial, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                 O_NONBLOCK | O_CLOEXEC, 0600);
    if (f->fd < 0) {
        if (errno == EEXIST)
            return xn_msg_set(msg, XN_EEXIST, "cannot save to %s: %s "
                              "exists already (another save, or one that "
                              "was interrupted); remove it first", path,
                              f->partial);
        return xn_msg_set(msg, xn_from_errno(errno), "cannot create %s: %s",
                          f->partial, strerror(errno));
    }
    if (fstat(f->fd, &st) == 0) {
        f->dev = st.st_dev;
        f->ino = st.st_ino;
    }
    return 0;
}

/* Remove the partial file, if it is still the one we made. */
static void file_discard(struct save_file *f)
{
    struct stat st;

    if (f->fd >= 0) {
        close(f->fd);
        f->fd = -1;
    }
    if (f->partial && lstat(f->partial, &st) == 0 && st.st_dev == f->dev &&
        st.st_ino == f->ino)
        unlink(f->partial);
}

static void file_dispose(struct save_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f->partial);
}

/* Synced, then renamed into place, then the directory synced. */
static int file_commit(struct save_file *f, struct xn_msg *msg)
{
    char *dir;
    int rc, dfd;

    if (fsync(f->fd) < 0 || close(f->fd) < 0) {
        f->fd = -1;
        return xn_msg_set(msg, XN_EIO, "cannot write %s: %s", f->partial,
                          strerror(errno));
    }
    f->fd = -1;
    if ((rc = check_target(f->path, msg)) < 0)
        return rc;
    if (rename(f->partial, f->path) < 0)
        return xn_msg_set(msg, XN_EIO, "cannot rename %s to %s: %s",
                          f->partial, f->path, strerror(errno));
    if ((dir = strdup(f->path))) {
        dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    return 0;
}

/* --- save --- */

struct save_ctx {
    struct request *r;
    job_token token;
    uint32_t domid;
    struct hv_dominfo info;
    struct save_file file;
    bool checkpoint;
};

static void sink_commit(void *arg, stream_commit_fn *done, void *done_arg)
{
    struct save_ctx *c = arg;
    struct xn_msg m;
    int rc = file_commit(&c->file, &m);

    done(done_arg, rc, rc < 0 ? &m : NULL);
}

static void sink_abort(void *arg)
{
    struct save_ctx *c = arg;
    file_discard(&c->file);
}

static void save_finish(struct save_ctx *c, int rc, const struct xn_msg *msg)
{
    struct json_object *res = NULL;

    if (rc == 0) {
        struct bus_event ev;
        res = op_domref(c->domid, c->info.name);
        json_object_object_add(res, "path",
                               json_object_new_string(c->file.path));
        bus_event_init(&ev, BUS_DOM_SAVED, &c->info);
        bus_publish(c->r->d->bus, &ev);
        xn_log(XN_LOG_NOTICE, "saved %s (id %u) to %s%s", c->info.name,
               c->domid, c->file.path, c->checkpoint ? " (checkpoint)" : "");
    }
    op_done(c->r, c->token, rc, msg, res);
    file_dispose(&c->file);
    free(c);
}

static void saved(void *arg, const struct stream_outcome *o)
{
    struct save_ctx *c = arg;
    struct xn_msg m;

    if (o->rc < 0 && o->committed)     /* the image is safe on disk */
        xn_msg_set(&m, o->rc, "saved to %.200s, but %.280s", c->file.path,
                   o->msg.text);
    else
        m = o->msg;
    save_finish(c, o->rc, &m);
}

static void save_start(struct request *r, uint32_t domid, job_token token)
{
    struct save_ctx *c = calloc(1, sizeof(*c));
    struct savefile_header h = {0};
    struct stream_sink sink;
    const char *path;
    struct xn_msg msg;
    int rc;

    if (!c) {
        xn_msg_set(&msg, XN_ENOMEM, "out of memory");
        op_done(r, token, XN_ENOMEM, &msg, NULL);
        return;
    }
    c->r = r;
    c->token = token;
    c->domid = domid;
    c->file.fd = -1;
    if ((rc = proto_arg_string(r->args, "path", true, &path, &msg)) < 0 ||
        (rc = proto_arg_bool(r->args, "checkpoint", &c->checkpoint,
                             &msg)) < 0 ||
        (rc = hv_dom_info(r->d->hv, domid, &c->info, &msg)) < 0 ||
        (rc = file_open(&c->file, path, &msg)) < 0)
        goto fail;
    snprintf(h.driver, sizeof(h.driver), "%s", hv_driver(r->d->hv));
    snprintf(h.name, sizeof(h.name), "%s", c->info.name);
    memcpy(h.uuid, c->info.uuid, sizeof(h.uuid));
    sink = (struct stream_sink){
        .fd = c->file.fd, .commit = sink_commit, .abort = sink_abort,
        .arg = c,
    };
    if ((rc = savefile_write_header(c->file.fd, &h, &msg)) < 0 ||
        (rc = stream_out(r->d, domid, &sink, 0,
                         c->checkpoint ? STREAM_RESUME : STREAM_DESTROY,
                         saved, c, &msg)) < 0) {
        file_discard(&c->file);
        goto fail;
    }
    return;
fail:
    save_finish(c, rc, &msg);
}

void op_dom_save(struct request *r)
{
    op_async(r, save_start);
}

/* --- restore --- */

struct restore_ctx {
    struct request *r;
    int fd;
};

static void restored(void *arg, int rc, const struct xn_msg *msg,
                     uint32_t domid, const char *name)
{
    struct restore_ctx *c = arg;

    close(c->fd);
    if (rc < 0)
        request_fail_msg(c->r, rc, msg);
    else
        request_ok(c->r, op_domref(domid, name));
    free(c);
}

/* Open a save file for reading: a regular file only. */
static int open_image(const char *path, struct xn_msg *msg)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot open save file "
                          "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return xn_msg_set(msg, XN_EINVAL, "cannot restore from %s: it is "
                          "%s, not a save file", path, file_kind(st.st_mode));
    }
    return fd;
}

void op_dom_restore(struct request *r)
{
    struct restore_ctx *c = calloc(1, sizeof(*c));
    struct start_req req = {.kind = START_RESTORE};
    struct savefile_header h;
    const char *path;
    struct xn_msg msg;
    int rc;

    if (!c) {
        request_fail(r, XN_ENOMEM, "out of memory");
        return;
    }
    c->r = r;
    c->fd = -1;
    if ((rc = proto_arg_string(r->args, "path", true, &path, &msg)) < 0 ||
        (rc = proto_arg_string(r->args, "name", false, &req.rename,
                               &msg)) < 0 ||
        (rc = proto_arg_bool(r->args, "paused", &req.paused, &msg)) < 0)
        goto fail;
    if ((rc = c->fd = open_image(path, &msg)) < 0)
        goto fail;
    if ((rc = savefile_read_header(c->fd, path, &h, &msg)) < 0)
        goto fail;
    if (strcmp(h.driver, hv_driver(r->d->hv)) != 0) {
        rc = xn_msg_set(&msg, XN_ECORRUPT, "%s was saved on a %s host; "
                        "this daemon runs the %s driver", path, h.driver,
                        hv_driver(r->d->hv));
        goto fail;
    }
    if ((rc = hv_image_open(r->d->hv, c->fd, &req.img, &msg)) < 0) {
        char why[XN_MSG_MAX];
        snprintf(why, sizeof(why), "%s", msg.text);
        xn_msg_set(&msg, rc, "cannot restore from %.200s: %.280s", path,
                   why);
        goto fail;
    }
    req.expect_name = h.name;
    req.expect_uuid = h.uuid;
    if ((rc = start_domain(r->d, &req, restored, c, &msg)) < 0)
        goto fail;
    return;
fail:
    if (c->fd >= 0)
        close(c->fd);
    free(c);
    request_fail_msg(r, rc, &msg);
}
