/*
 * mig_relay.c - the relay process, seen from xenithd: started with one end
 * of a SOCK_SEQPACKET socketpair as its fd 3, given the certificates and
 * the listening socket, read on the loop, restarted when it exits.
 *
 * What it reports is handled in mig_relay_ctl.c.
 */
#include "migration/mig_relay_int.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#define RESTART_MIN_S 1
#define RESTART_MAX_S 30
#define STOP_WAIT_MS 1000

/* --- sending --- */

int relay_send(struct mig_relay *r, struct json_object *o, int fd,
               struct xn_msg *msg)
{
    int rc;

    if (r->ctl < 0) {
        json_object_put(o);
        return xn_msg_set(msg, XN_ECONNECT, "the migration relay is not "
                          "running (it is being restarted)");
    }
    rc = mig_ctl_send(r->ctl, o, fd, msg);
    json_object_put(o);
    return rc;
}

static int send_config(struct mig_relay *r, struct xn_msg *msg)
{
    struct json_object *o = json_object_new_object();
    const struct cert_host *c = &r->certs;

    json_object_object_add(o, "op", json_object_new_string("config"));
    json_object_object_add(o, "host", json_object_new_string(c->host));
    json_object_object_add(o, "key", json_object_new_string(c->key_pem));
    json_object_object_add(o, "cert", json_object_new_string(c->cert_pem));
    json_object_object_add(o, "ca", json_object_new_string(c->ca_pem));
    json_object_object_add(o, "crl", json_object_new_string(c->crl_pem));
    json_object_object_add(o, "max_incoming",
                           json_object_new_int64(r->max_incoming));
    json_object_object_add(o, "handshake_ms",
                           json_object_new_int64(r->handshake_ms));
    json_object_object_add(o, "plain", json_object_new_boolean(0));
    return relay_send(r, o, -1, msg);
}

static int send_listen(struct mig_relay *r, struct xn_msg *msg)
{
    struct json_object *o;

    if (r->listen_fd < 0)
        return 0;
    o = json_object_new_object();
    json_object_object_add(o, "op", json_object_new_string("listen"));
    json_object_object_add(o, "addr",
                           json_object_new_string(r->listen_addr));
    return relay_send(r, o, r->listen_fd, msg);
}

/* --- the process --- */

static void reap(struct mig_relay *r, bool kill_it)
{
    int status = 0;
    pid_t got = 0;

    if (r->pid <= 0)
        return;
    for (int waited = 0; !kill_it && waited < STOP_WAIT_MS; waited += 10) {
        got = waitpid(r->pid, &status, WNOHANG);
        if (got != 0)
            break;
        usleep(10 * 1000);
    }
    if (got == 0) {
        kill(r->pid, SIGKILL);
        got = waitpid(r->pid, &status, 0);
    }
    if (got == r->pid && WIFSIGNALED(status) &&
        WTERMSIG(status) != SIGKILL)
        xn_log(XN_LOG_WARNING, "migration: the relay (pid %d) was killed "
               "by signal %d", (int)r->pid, WTERMSIG(status));
    else if (got == r->pid && WIFEXITED(status) && WEXITSTATUS(status))
        xn_log(XN_LOG_WARNING, "migration: the relay (pid %d) exited with "
               "status %d", (int)r->pid, WEXITSTATUS(status));
    r->pid = -1;
}

/* The child: the channel as fd 3, stdin from /dev/null, nothing else of
 * the daemon's; then the relay program. */
static void child(const struct mig_relay *r, int ctl)
{
    const char *argv[8];
    int n = 0, null = open("/dev/null", O_RDONLY);

    if (null >= 0 && null != 0) {
        dup2(null, 0);
        close(null);
    }
    if (ctl == 3)
        fcntl(3, F_SETFD, 0);
    else if (dup2(ctl, 3) < 0)
        _exit(127);
    closefrom(4);
    argv[n++] = "xenith-relay";
    argv[n++] = "--ctl-fd";
    argv[n++] = "3";
    if (r->chroot_dir) {
        argv[n++] = "--chroot";
        argv[n++] = r->chroot_dir;
    }
    argv[n] = NULL;
    execv(r->path, (char *const *)argv);
    fprintf(stderr, "xenith-relay: cannot run %s: %s\n", r->path,
            strerror(errno));
    _exit(127);
}

static int spawn(struct mig_relay *r, struct xn_msg *msg)
{
    int sv[2], rc;
    pid_t pid;

    if (access(r->path, X_OK) < 0)
        return xn_msg_set(msg, XN_ENOENT, "cannot run the migration relay "
                          "%s: %s", r->path, strerror(errno));
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return xn_msg_set(msg, xn_from_errno(errno), "cannot make the "
                          "relay's channel: %s", strerror(errno));
    pid = fork();
    if (pid < 0) {
        rc = xn_msg_set(msg, xn_from_errno(errno), "cannot start the "
                        "migration relay: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return rc;
    }
    if (pid == 0)
        child(r, sv[1]);
    close(sv[1]);
    r->pid = pid;
    r->ctl = sv[0];
    r->started = time(NULL);
    fcntl(r->ctl, F_SETFL, O_NONBLOCK);
    r->ev = event_new(r->base, r->ctl, EV_READ | EV_PERSIST, relay_on_ctl,
                      r);
    if (!r->ev || event_add(r->ev, NULL) < 0) {
        relay_down(r, true);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    if ((rc = send_config(r, msg)) < 0 || (rc = send_listen(r, msg)) < 0) {
        relay_down(r, true);
        return rc;
    }
    xn_log(XN_LOG_INFO, "migration: relay started (pid %d)%s%s", (int)pid,
           r->listen_fd >= 0 ? ", listening on " : "",
           r->listen_fd >= 0 ? r->listen_addr : "");
    return 0;
}

static void on_restart(evutil_socket_t fd, short what, void *arg)
{
    struct mig_relay *r = arg;
    struct xn_msg msg;

    if (spawn(r, &msg) < 0) {
        xn_log(XN_LOG_ERR, "migration: %s", msg.text);
        relay_schedule_restart(r);
    }
}

void relay_schedule_restart(struct mig_relay *r)
{
    struct timeval tv = {0, 0};

    if (r->stopping)
        return;
    /* A relay that ran a while starts again at once; one that keeps
     * dying waits longer each time. */
    if (time(NULL) - r->started > 60)
        r->backoff = RESTART_MIN_S;
    else if (r->backoff < RESTART_MAX_S)
        r->backoff = r->backoff ? r->backoff * 2 : RESTART_MIN_S;
    if (r->backoff > RESTART_MAX_S)
        r->backoff = RESTART_MAX_S;
    tv.tv_sec = r->backoff;
    r->restarts++;
    xn_log(XN_LOG_WARNING, "migration: restarting the relay in %ld s",
           (long)tv.tv_sec);
    evtimer_add(r->restart_ev, &tv);
}

/* The channel is gone (the relay exited, or we stop it): every connection
 * it carried has ended. */
void relay_down(struct mig_relay *r, bool kill_it)
{
    if (r->ev) {
        event_free(r->ev);
        r->ev = NULL;
    }
    if (r->ctl >= 0) {
        close(r->ctl);
        r->ctl = -1;
    }
    reap(r, kill_it);
    relay_conns_lost(r, r->stopping ? "the daemon is stopping"
                                    : "the migration relay exited");
}

/* --- the handle --- */

static int copy_certs(struct cert_host *to, const struct cert_host *from)
{
    memset(to, 0, sizeof(*to));
    memcpy(to->host, from->host, sizeof(to->host));
    to->not_after = from->not_after;
    to->key_pem = strdup(from->key_pem);
    to->cert_pem = strdup(from->cert_pem);
    to->ca_pem = strdup(from->ca_pem);
    to->crl_pem = strdup(from->crl_pem ? from->crl_pem : "");
    return to->key_pem && to->cert_pem && to->ca_pem && to->crl_pem
           ? 0 : XN_ENOMEM;
}

int mig_relay_start(struct event_base *base, const struct mig_relay_opts *o,
                    const struct mig_relay_cbs *cbs, void *arg,
                    struct mig_relay **r_r, struct xn_msg *msg)
{
    struct mig_relay *r = calloc(1, sizeof(*r));
    int rc;

    *r_r = NULL;
    if (!r) {
        if (o->listen_fd >= 0)
            close(o->listen_fd);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    r->base = base;
    r->ctl = -1;
    r->pid = -1;
    r->listen_fd = o->listen_fd;
    r->cbs = *cbs;
    r->arg = arg;
    r->max_incoming = o->max_incoming;
    r->handshake_ms = o->handshake_ms;
    r->next_id = 2;
    r->path = strdup(o->path);
    r->chroot_dir = o->chroot_dir ? strdup(o->chroot_dir) : NULL;
    snprintf(r->listen_addr, sizeof(r->listen_addr), "%s",
             o->listen_addr ? o->listen_addr : "");
    r->restart_ev = evtimer_new(base, on_restart, r);
    if (!r->path || (o->chroot_dir && !r->chroot_dir) || !r->restart_ev ||
        copy_certs(&r->certs, o->certs) < 0) {
        mig_relay_stop(r);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    if ((rc = spawn(r, msg)) < 0) {
        mig_relay_stop(r);
        return rc;
    }
    *r_r = r;
    return 0;
}

void mig_relay_stop(struct mig_relay *r)
{
    if (!r)
        return;
    r->stopping = true;
    relay_down(r, false);
    if (r->restart_ev)
        event_free(r->restart_ev);
    if (r->listen_fd >= 0)
        close(r->listen_fd);
    relay_conns_free(r);
    cert_host_dispose(&r->certs);
    free(r->path);
    free(r->chroot_dir);
    free(r);
}
