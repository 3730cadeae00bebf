/*
 * relay_main.c - xenith-relay: arguments, dropping privileges, the loop.
 *
 *   xenith-relay [--ctl-fd N] [--user NAME] [--chroot DIR] [--verbose]
 *
 * Started by xenithd with the control channel as fd 3 (ctl.h).  As root it
 * sets up OpenSSL and the event base first (they may read files), then
 * enters DIR (when given) and becomes NAME ("nobody") for good.  It exits
 * when the control channel closes: 0, or 1 when it could not start.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/ssl.h>

#include "log.h"
#include "relay.h"

struct relay_args {
    int ctl_fd;
    const char *user;
    const char *chroot_dir;             /* NULL: none */
    bool verbose;
};

static void relay_log_sink(void *opaque, enum xn_log_level level,
                           const char *line)
{
    static const char *const names[] = {
        [XN_LOG_ERR] = "error", [XN_LOG_WARNING] = "warning",
        [XN_LOG_NOTICE] = "notice", [XN_LOG_INFO] = "info",
        [XN_LOG_DEBUG] = "debug",
    };
    struct timespec ts;
    struct tm tm;
    char stamp[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ld xenith-relay[%s]: %s\n", stamp,
            ts.tv_nsec / 1000000,
            level <= XN_LOG_DEBUG && names[level] ? names[level] : "log",
            line);
}

static int parse_args(int argc, char **argv, struct relay_args *a,
                      struct xn_msg *msg)
{
    a->ctl_fd = 3;
    a->user = "nobody";
    a->chroot_dir = NULL;
    a->verbose = false;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--verbose") == 0) {
            a->verbose = true;
            continue;
        }
        if (i + 1 >= argc)
            return xn_msg_set(msg, XN_EINVAL, "%s: missing value, or "
                              "unknown option", opt);
        const char *val = argv[++i];
        if (strcmp(opt, "--ctl-fd") == 0) {
            char *end;
            long v = strtol(val, &end, 10);
            if (*end || end == val || v < 0 || v > INT_MAX)
                return xn_msg_set(msg, XN_EINVAL, "--ctl-fd: \"%s\" is "
                                  "not a descriptor", val);
            a->ctl_fd = (int)v;
        } else if (strcmp(opt, "--user") == 0) {
            a->user = val;
        } else if (strcmp(opt, "--chroot") == 0) {
            a->chroot_dir = val;
        } else {
            return xn_msg_set(msg, XN_EINVAL, "%s: unknown option", opt);
        }
    }
    return 0;
}

/* Root only: enter the chroot and become the user, for good. */
static int drop_privileges(const struct relay_args *a, struct xn_msg *msg)
{
    struct passwd *pw;
    uid_t uid;
    gid_t gid;

    if (geteuid() != 0)
        return 0;
    errno = 0;
    pw = getpwnam(a->user);
    if (!pw)
        return xn_msg_set(msg, XN_ENOENT, "--user: no user \"%s\"",
                          a->user);
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (a->chroot_dir) {
        if (chroot(a->chroot_dir) < 0 || chdir("/") < 0)
            return xn_msg_set(msg, xn_from_errno(errno), "--chroot: "
                              "cannot enter %s: %s", a->chroot_dir,
                              strerror(errno));
    }
    if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
        setresuid(uid, uid, uid) < 0)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot become user "
                          "%s: %s", a->user, strerror(errno));
    if (uid != 0 && setuid(0) == 0)
        return xn_msg_set(msg, XN_EPERM, "still root after becoming %s",
                          a->user);
    return 0;
}

int main(int argc, char **argv)
{
    struct relay_args a;
    struct relay r = {.ctl_fd = -1, .next_in_id = 1};
    struct xn_msg msg;
    int status = 1;

    xn_msg_clear(&msg);
    if (parse_args(argc, argv, &a, &msg) < 0) {
        fprintf(stderr, "xenith-relay: %s\n", msg.text);
        return 2;
    }
    xn_log_set_sink(relay_log_sink, NULL,
                    a.verbose ? XN_LOG_DEBUG : XN_LOG_INFO);
    signal(SIGPIPE, SIG_IGN);
    /* Buffers of a megabyte come and go all the time: keep them in the
     * heap rather than mapping (and faulting in) fresh pages each time. */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
    r.ctl_fd = a.ctl_fd;
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS |
                          OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL)) {
        xn_log(XN_LOG_ERR, "cannot initialise OpenSSL");
        goto out;
    }
    r.base = event_base_new();
    if (!r.base) {
        xn_log(XN_LOG_ERR, "cannot make an event base");
        goto out;
    }
    if (drop_privileges(&a, &msg) < 0 || relay_ctl_start(&r, &msg) < 0) {
        xn_log(XN_LOG_ERR, "%s", msg.text);
        goto out;
    }
    event_base_dispatch(r.base);
    status = 0;
out:
    relay_dispose(&r);
    if (r.base)
        event_base_free(r.base);
    return status;
}
