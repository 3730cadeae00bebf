/*
 * cert_file.c - the files of a CA or a host directory: written atomically
 * (a temporary file in the same directory, then renamed or linked), read
 * with a size bound and never through a symbolic link.
 */
#include "migration/cert/cert_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

int cert_path(char *buf, size_t size, const char *dir, const char *name,
              struct xn_msg *msg)
{
    int n = snprintf(buf, size, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= size)
        return xn_msg_set(msg, XN_EINVAL, "%.64s...: the path is too long",
                          dir);
    return 0;
}

/* The directory part of path into buf ("." when none). */
static void dir_of(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        snprintf(buf, size, ".");
    else if (slash == path)
        snprintf(buf, size, "/");
    else
        snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

/* Make the data reach the disk: the file's, then its directory's entry. */
static void sync_dir(const char *path)
{
    char dir[PATH_MAX];
    int fd;

    dir_of(path, dir, sizeof(dir));
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Create a new temporary file beside path: *fd_r and its name in tmp. */
static int open_temp(const char *path, mode_t mode, char *tmp, size_t size,
                     int *fd_r, struct xn_msg *msg)
{
    char dir[PATH_MAX];
    const char *base = strrchr(path, '/');

    dir_of(path, dir, sizeof(dir));
    base = base ? base + 1 : path;
    for (int i = 0; i < 16; i++) {
        unsigned char r[6];
        int n;

        if (RAND_bytes(r, sizeof(r)) != 1)
            return xn_msg_set(msg, XN_EFAIL, "%s: no random numbers for a "
                              "temporary name", path);
        n = snprintf(tmp, size, "%s/.%s.%02x%02x%02x%02x%02x%02x.tmp", dir,
                     base, r[0], r[1], r[2], r[3], r[4], r[5]);
        if (n < 0 || (size_t)n >= size)
            return xn_msg_set(msg, XN_EINVAL, "%s: the path is too long",
                              path);
        *fd_r = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
                     O_CLOEXEC, mode);
        if (*fd_r >= 0)
            return 0;
        if (errno != EEXIST)
            return xn_msg_set(msg, xn_from_errno(errno), "cannot write in "
                              "%s: %s", dir, strerror(errno));
    }
    return xn_msg_set(msg, XN_EFAIL, "cannot make a temporary file in %s",
                      dir);
}

int cert_file_write(const char *path, const void *data, size_t len,
                    mode_t mode, bool replace, struct xn_msg *msg)
{
    char tmp[PATH_MAX];
    int fd = -1, rc;

    if ((rc = open_temp(path, mode, tmp, sizeof(tmp), &fd, msg)) < 0)
        return rc;
    /* The umask may have taken bits the file needs (0644 certificates). */
    if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 ||
        fsync(fd) < 0) {
        rc = xn_msg_set(msg, xn_from_errno(errno), "cannot write %s: %s",
                        tmp, strerror(errno));
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        rc = xn_msg_set(msg, xn_from_errno(errno), "cannot write %s: %s",
                        tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (replace) {
        if (rename(tmp, path) < 0) {
            rc = xn_msg_set(msg, xn_from_errno(errno), "cannot replace %s: "
                            "%s", path, strerror(errno));
            goto out;
        }
    } else if (link(tmp, path) < 0) {
        rc = errno == EEXIST
             ? xn_msg_set(msg, XN_EEXIST, "%s exists already", path)
             : xn_msg_set(msg, xn_from_errno(errno), "cannot create %s: %s",
                          path, strerror(errno));
        goto out;
    }
    sync_dir(path);
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0 || !replace)
        unlink(tmp);
    return rc;
}

int cert_file_read(const char *path, char **text_r, size_t *len_r,
                   struct xn_msg *msg)
{
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    int fd, rc;

    *text_r = NULL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot read %s: %s",
                          path, errno == ELOOP ? "a symbolic link"
                          : strerror(errno));
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        rc = xn_msg_set(msg, XN_EINVAL, "%s is not a regular file", path);
        goto out;
    }
    if (st.st_size > (off_t)CERT_FILE_MAX) {
        rc = xn_msg_set(msg, XN_EINVAL, "%s is too large (more than %u "
                        "bytes)", path, CERT_FILE_MAX);
        goto out;
    }
    if (!(buf = malloc((size_t)st.st_size + 1))) {
        rc = xn_msg_set(msg, XN_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = xn_msg_set(msg, XN_EIO, "cannot read %s: %s", path,
                            strerror(errno));
            goto out;
        }
        if (n == 0)
            break;                  /* it shrank meanwhile */
        got += (size_t)n;
    }
    buf[got] = '\0';
    *text_r = buf;
    buf = NULL;
    if (len_r)
        *len_r = got;
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}

bool cert_file_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

/* mkdir one level: an existing directory is fine. */
static int make_one(const char *dir, mode_t mode, struct xn_msg *msg)
{
    struct stat st;

    if (mkdir(dir, mode) == 0)
        return 0;
    if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    if (errno == EEXIST)
        return xn_msg_set(msg, XN_EEXIST, "%s exists and is not a directory",
                          dir);
    return xn_msg_set(msg, xn_from_errno(errno), "cannot create %s: %s", dir,
                      strerror(errno));
}

int cert_dir_make(const char *dir, struct xn_msg *msg)
{
    char buf[PATH_MAX];
    int rc, n = snprintf(buf, sizeof(buf), "%s", dir);

    if (n <= 0 || (size_t)n >= sizeof(buf))
        return xn_msg_set(msg, XN_EINVAL, "%.64s...: the path is too long",
                          dir);
    while (n > 1 && buf[n - 1] == '/')
        buf[--n] = '\0';
    /* The parents as mkdir -p makes them, the directory itself private. */
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        rc = make_one(buf, 0755, msg);
        *p = '/';
        if (rc < 0)
            return rc;
    }
    return make_one(buf, 0700, msg);
}

int cert_dir_lock(const char *dir, int *fd_r, struct xn_msg *msg)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    *fd_r = -1;
    if (fd < 0)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot open the CA "
                          "directory %s: %s", dir, strerror(errno));
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            int rc = xn_msg_set(msg, xn_from_errno(errno), "cannot lock %s: "
                                "%s", dir, strerror(errno));
            close(fd);
            return rc;
        }
    }
    *fd_r = fd;
    return 0;
}
