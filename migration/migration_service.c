/*
 * migration_service.c - the live migration service's place in xenithd.
 *
 * It owns whether a domain may be moved off its host by evacuation and
 * balancing (the policy migration.mode: allowed, never), the host's
 * certificates (migration.cert-dir) and the relay that speaks TLS to
 * other hosts (mig_relay.c), listening for them on migration.listen (off
 * unless set).  Without certificates the service runs, says why in its
 * status, and refuses migrations; with migration.listen set it must have
 * them, or xenithd does not start.  As it opens it deals with what a
 * daemon stopped mid-migration left (mig_leftover.c).
 */
#include "migration/migration.h"
#include "migration/migration_service.h"
#include "log.h"
#include "netaddr.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/dns.h>

static const char *const modes[] = {"allowed", "never", NULL};

static const struct policy_key keys[] = {
    {"migration.mode", "migrate", "allowed or never", NULL,
     policy_parse_choice, modes, 0, 0},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, 0},
};

static const struct service_option options[] = {
    {"migration.listen", "[ADDR:]PORT: accept migrations from other hosts "
     "(off unless set; a bare PORT listens on every address); also "
     "xenithd --listen"},
    {"migration.cert-dir", "DIR: this host's key and certificate (default "
     CERT_DEFAULT_DIR "); also xenithd --cert-dir"},
    {"migration.max-incoming", "N: migrations received at once "
     "(default 4)"},
    {"migration.handshake-timeout", "SECS: a peer that has not "
     "authenticated by then is dropped (default 10)"},
    {"migration.relay", "PATH: the relay program (default: xenith-relay "
     "beside xenithd, else " XENITH_LIBDIR ")"},
    {"migration.peers", "\"NAME=ADDR[:PORT] ...\": where the pool's hosts "
     "are (before DNS)"},
    {"migration.timeout", "SECS: a peer silent this long fails the "
     "migration (default 60)"},
    {"migration.fault", "SIDE:PHASE:KIND: a fault for the tests (never in "
     "production)"},
    {NULL, NULL},
};

/* A whole number from lo to hi, or def when not given. */
static int uint_option(struct migration *m, const char *name, unsigned lo,
                       unsigned hi, unsigned def, unsigned *v,
                       struct xn_msg *msg)
{
    const char *text = daemon_option(m->d, name);
    struct policy_key k = {name, NULL, NULL, NULL, NULL, NULL, lo, hi};
    char out[POLICY_VALUE_MAX], what[64];
    int rc;

    *v = def;
    if (!text)
        return 0;
    snprintf(what, sizeof(what), "a whole number from %u to %u", lo, hi);
    k.help = what;
    if ((rc = policy_parse_int(&k, text, out, msg)) == 0)
        *v = (unsigned)strtoul(out, NULL, 10);
    return rc;
}

/* The relay program: the option's, else the one beside xenithd, else the
 * installed one. */
static void relay_path(struct migration *m, char *buf, size_t len)
{
    const char *opt = daemon_option(m->d, "migration.relay");
    char self[PATH_MAX];
    ssize_t n;

    if (opt) {
        snprintf(buf, len, "%s", opt);
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        snprintf(buf, len, "%s/xenith-relay", dirname(self));
        if (access(buf, X_OK) == 0)
            return;
    }
    snprintf(buf, len, "%s/xenith-relay", XENITH_LIBDIR);
}

/* As root the relay is locked into an empty directory of ours. */
static const char *relay_chroot(struct migration *m, char *buf, size_t len)
{
    if (geteuid() != 0)
        return NULL;
    snprintf(buf, len, "%s/relay-root", m->d->state_dir);
    mkdir(m->d->state_dir, 0700);     /* as the policy files want it */
    if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
        xn_log(XN_LOG_WARNING, "migration: cannot make %s (%s); the relay "
               "runs without chroot", buf, strerror(errno));
        return NULL;
    }
    return buf;
}

static int start_relay(struct migration *m, int listen_fd,
                       struct xn_msg *msg)
{
    static const struct mig_relay_cbs cbs = {
        .incoming = mig_incoming,
        .connected = mig_send_connected,
        .failed = mig_send_failed,
        .closed = mig_relay_closed,
        .stats = mig_relay_stats,
    };
    char path[PATH_MAX], root[PATH_MAX];
    struct mig_relay_opts o = {
        .certs = &m->certs,
        .listen_fd = listen_fd,
        .listen_addr = m->listen,
        .max_incoming = m->max_incoming,
        .handshake_ms = m->handshake_s * 1000,
    };

    relay_path(m, path, sizeof(path));
    o.path = path;
    o.chroot_dir = relay_chroot(m, root, sizeof(root));
    return mig_relay_start(m->d->base, &o, &cbs, m, &m->relay, msg);
}

/* migration.listen, bound here (the port may be privileged; the relay is
 * not). */
static int open_listener(struct migration *m, const char *spec, int *fd_r,
                         struct xn_msg *msg)
{
    struct net_addr a;
    int rc;

    if ((rc = net_addr_parse("migration", spec, true, &a, msg)) < 0 ||
        (rc = net_listen("migrations", &a, 64, fd_r, msg)) < 0)
        return rc;
    net_addr_text(&a.sa, m->listen, sizeof(m->listen));
    return 0;
}

static int read_options(struct migration *m, struct xn_msg *msg)
{
    const char *dir = daemon_option(m->d, "migration.cert-dir");
    const char *peers, *fault;
    int rc;

    snprintf(m->cert_dir, sizeof(m->cert_dir), "%s",
             dir ? dir : CERT_DEFAULT_DIR);
    if ((rc = uint_option(m, "migration.max-incoming", 1, 64,
                          MIG_DEFAULT_MAX_INCOMING, &m->max_incoming,
                          msg)) < 0 ||
        (rc = uint_option(m, "migration.handshake-timeout", 1, 300,
                          MIG_DEFAULT_HANDSHAKE_S, &m->handshake_s, msg)) < 0 ||
        (rc = uint_option(m, "migration.timeout", 1, 3600,
                          MIG_DEFAULT_TIMEOUT_S, &m->timeout_s, msg)) < 0)
        return rc;
    if ((peers = daemon_option(m->d, "migration.peers")) &&
        (rc = mig_peers_check(peers, msg)) < 0)
        return rc;
    if ((fault = daemon_option(m->d, "migration.fault")) &&
        (rc = mig_fault_parse(m, fault, msg)) < 0)
        return rc;
    return 0;
}

static void migration_close(void *self)
{
    struct migration *m = self;

    if (!m)
        return;
    mig_leftovers_free(m);
    mig_free_all(m);
    mig_link_close_all();
    if (m->dns)
        evdns_base_free(m->dns, 1);
    mig_relay_stop(m->relay);
    cert_host_dispose(&m->certs);
    free(m);
}

static int migration_open(struct daemon *d, void **self_r,
                          struct xn_msg *msg)
{
    struct migration *m = calloc(1, sizeof(*m));
    const char *listen = daemon_option(d, "migration.listen");
    struct xn_msg why;
    int rc, fd = -1;

    if (!m)
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    m->d = d;
    m->next_id = 1;
    TAILQ_INIT(&m->migs);
    TAILQ_INIT(&m->leftovers);
    if ((rc = read_options(m, msg)) < 0)
        goto fail;
    if (cert_host_load(m->cert_dir, &m->certs, &why) < 0) {
        snprintf(m->certs_error, sizeof(m->certs_error), "%s", why.text);
        memset(&m->certs, 0, sizeof(m->certs));
        if (listen) {
            rc = xn_msg_set(msg, XN_EINVAL, "migration.listen needs this "
                            "host's certificate: %s", why.text);
            goto fail;
        }
        /* Quiet when none was asked for: most hosts do not migrate. */
        xn_log(daemon_option(d, "migration.cert-dir") ? XN_LOG_WARNING
                                                      : XN_LOG_DEBUG,
               "migration: no certificates, so no migrations: %s",
               why.text);
        mig_leftovers_scan(m);
        *self_r = m;
        return 0;
    }
    if (listen && (rc = open_listener(m, listen, &fd, msg)) < 0)
        goto fail;
    if ((rc = start_relay(m, fd, msg)) < 0)
        goto fail;
    /* Last: nothing after it fails, and no migration of ours exists. */
    mig_leftovers_scan(m);
    *self_r = m;
    return 0;
fail:
    migration_close(m);
    return rc;
}

struct json_object *migration_status(void *self)
{
    struct migration *m = self;
    struct json_object *o = json_object_new_object();
    bool certs = m && m->certs.host[0];

    if (!m)
        return o;
    json_object_object_add(o, "cert_dir", json_object_new_string(m->cert_dir));
    json_object_object_add(o, "host", certs
                           ? json_object_new_string(m->certs.host) : NULL);
    json_object_object_add(o, "cert_not_after", certs
                           ? json_object_new_int64(m->certs.not_after) : NULL);
    if (!certs)
        json_object_object_add(o, "certs_error",
                               json_object_new_string(m->certs_error));
    json_object_object_add(o, "listening", m->listen[0]
                           ? json_object_new_string(m->listen) : NULL);
    json_object_object_add(o, "max_incoming",
                           json_object_new_int(m->max_incoming));
    json_object_object_add(o, "incoming_seen",
                           json_object_new_int64((int64_t)m->incoming_seen));
    if (m->relay)
        json_object_object_add(o, "relay", mig_relay_status(m->relay));
    return o;
}


const struct service migration_service = {
    .name = "migration",
    .summary = "live migration over TLS between xenith hosts",
    .open = migration_open,
    .close = migration_close,
    .ops = mig_ops,
    .keys = keys,
    .options = options,
    .status = migration_status,
};
