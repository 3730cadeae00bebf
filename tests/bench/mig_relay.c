/* mig_relay.c - see mig_relay.h. */
#include "mig_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "migration/cert/cert.h"
#include "migration/wire/ctl.h"
#include "migration/wire/frame.h"
#include "timing.h"

#define WAIT_MS 120000                  /* any control message */

static const char *const hosts[2] = {"hosta", "hostb"};

int mig_relay_path(char *buf, size_t len)
{
    const char *bin = getenv("XENITH_BIN");
    char self[PATH_MAX];
    ssize_t n;

    if (bin && *bin) {
        snprintf(buf, len, "%s/xenith-relay", bin);
    } else {
        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n < 0)
            return -1;
        self[n] = '\0';
        snprintf(buf, len, "%s/../xenith-relay", dirname(self));
    }
    return access(buf, X_OK);
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    return remove(path);
}

static struct json_object *op_new(const char *op)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "op", json_object_new_string(op));
    return o;
}

static int send_op(struct mig_pair *p, int i, struct json_object *o, int fd)
{
    struct xn_msg msg;
    int rc = mig_ctl_send(p->ctl[i], o, fd, &msg);

    if (rc < 0)
        fprintf(stderr, "bench_mig: relay %s: %s\n", hosts[i], msg.text);
    json_object_put(o);
    return rc < 0 ? -1 : 0;
}

/* The next message of relay i that is not `stats`; NULL on a failure or
 * when it is not `op` (said on stderr). */
static struct json_object *expect(struct mig_pair *p, int i, const char *op,
                                  int *fd_r)
{
    for (;;) {
        struct pollfd pfd = {p->ctl[i], POLLIN, 0};
        struct json_object *o;
        struct xn_msg msg;
        int fd;

        if (poll(&pfd, 1, WAIT_MS) <= 0) {
            fprintf(stderr, "bench_mig: relay %s: no %s in time\n",
                    hosts[i], op);
            return NULL;
        }
        if (mig_ctl_recv(p->ctl[i], &o, &fd, &msg) < 0) {
            fprintf(stderr, "bench_mig: relay %s: %s\n", hosts[i], msg.text);
            return NULL;
        }
        const char *got = mig_ctl_str(o, "op");
        if (got && strcmp(got, "stats") == 0) {
            json_object_put(o);
            continue;
        }
        if (!got || strcmp(got, op) != 0) {
            fprintf(stderr, "bench_mig: relay %s: expected %s, got %s\n",
                    hosts[i], op, json_object_to_json_string(o));
            json_object_put(o);
            if (fd >= 0)
                close(fd);
            return NULL;
        }
        if (fd_r)
            *fd_r = fd;
        else if (fd >= 0)
            close(fd);
        return o;
    }
}

static int spawn(struct mig_pair *p, int i, const char *path)
{
    int sp[2];

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return -1;
    p->pid[i] = fork();
    if (p->pid[i] < 0)
        return -1;
    if (p->pid[i] == 0) {
        if (dup2(sp[1], 3) < 0)
            _exit(126);
        if (!getenv("RELAY_LOG")) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 2);
        }
        execl(path, path, "--ctl-fd", "3", (char *)NULL);
        _exit(127);
    }
    close(sp[1]);
    p->ctl[i] = sp[0];
    return 0;
}

/* A CA and a certificate for each host under p->dir. */
static int make_certs(struct mig_pair *p)
{
    char ca[300], out[300];
    struct xn_msg msg;

    snprintf(p->dir, sizeof(p->dir), "/tmp/bench_mig.XXXXXX");
    if (!mkdtemp(p->dir)) {
        fprintf(stderr, "bench_mig: mkdtemp: %s\n", strerror(errno));
        p->dir[0] = '\0';
        return -1;
    }
    snprintf(ca, sizeof(ca), "%s/ca", p->dir);
    if (cert_init_ca(ca, "bench CA", 0, &msg) < 0)
        goto fail;
    for (int i = 0; i < 2; i++) {
        snprintf(out, sizeof(out), "%s/%s", p->dir, hosts[i]);
        if (cert_issue(ca, hosts[i], out, 0, false, &msg) < 0)
            goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "bench_mig: certificates: %s\n", msg.text);
    return -1;
}

static int config(struct mig_pair *p, int i)
{
    struct json_object *o = op_new("config");
    struct cert_host h = {0};
    struct xn_msg msg;
    char dir[300];

    json_object_object_add(o, "host", json_object_new_string(hosts[i]));
    json_object_object_add(o, "plain", json_object_new_boolean(p->plain));
    if (!p->plain) {
        snprintf(dir, sizeof(dir), "%s/%s", p->dir, hosts[i]);
        if (cert_host_load(dir, &h, &msg) < 0) {
            fprintf(stderr, "bench_mig: %s\n", msg.text);
            json_object_put(o);
            return -1;
        }
        json_object_object_add(o, "key", json_object_new_string(h.key_pem));
        json_object_object_add(o, "cert",
                               json_object_new_string(h.cert_pem));
        json_object_object_add(o, "ca", json_object_new_string(h.ca_pem));
        json_object_object_add(o, "crl", json_object_new_string(h.crl_pem));
        cert_host_dispose(&h);
    }
    if (send_op(p, i, o, -1) < 0 || !(o = expect(p, i, "ready", NULL)))
        return -1;
    json_object_put(o);
    return 0;
}

int mig_pair_start(struct mig_pair *p, bool plain)
{
    char path[PATH_MAX];

    memset(p, 0, sizeof(*p));
    p->pid[0] = p->pid[1] = -1;
    p->ctl[0] = p->ctl[1] = -1;
    p->plain = plain;
    signal(SIGPIPE, SIG_IGN);
    if (mig_relay_path(path, sizeof(path)) < 0) {
        fprintf(stderr, "bench_mig: no relay at %s (build it, or set "
                "XENITH_BIN)\n", path);
        return -1;
    }
    if ((!plain && make_certs(p) < 0) || spawn(p, 0, path) < 0 ||
        spawn(p, 1, path) < 0 || config(p, 0) < 0 || config(p, 1) < 0) {
        mig_pair_stop(p);
        return -1;
    }
    return 0;
}

void mig_pair_stop(struct mig_pair *p)
{
    for (int i = 0; i < 2; i++) {
        if (p->ctl[i] >= 0)
            close(p->ctl[i]);
        p->ctl[i] = -1;
        if (p->pid[i] > 0)
            waitpid(p->pid[i], NULL, 0);
        p->pid[i] = -1;
    }
    if (p->dir[0])
        nftw(p->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    p->dir[0] = '\0';
}

/* B listens on a port of 127.0.0.1 of the kernel's choosing. */
static int listen_b(struct mig_pair *p, int *port_r)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof(sa);
    struct json_object *o;
    char addr[64];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        fprintf(stderr, "bench_mig: listen: %s\n", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port_r = ntohs(sa.sin_port);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", *port_r);
    o = op_new("listen");
    json_object_object_add(o, "addr", json_object_new_string(addr));
    if (send_op(p, 1, o, fd) < 0) {
        close(fd);
        return -1;
    }
    close(fd);
    if (!(o = expect(p, 1, "listening", NULL)))
        return -1;
    json_object_put(o);
    return 0;
}

/* A connects to B: our ends of A's and B's socketpairs. */
static int connect_ab(struct mig_pair *p, int id, int level, int *a_r,
                      int *b_r)
{
    struct json_object *o;
    int sp[2], port;

    *a_r = *b_r = -1;
    if (listen_b(p, &port) < 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
        return -1;
    o = op_new("connect");
    json_object_object_add(o, "id", json_object_new_int(id));
    json_object_object_add(o, "host", json_object_new_string(hosts[1]));
    json_object_object_add(o, "addr", json_object_new_string("127.0.0.1"));
    json_object_object_add(o, "port", json_object_new_int(port));
    json_object_object_add(o, "compress", json_object_new_int(level));
    json_object_object_add(o, "bandwidth", json_object_new_int(0));
    if (send_op(p, 0, o, sp[1]) < 0) {
        close(sp[0]);
        close(sp[1]);
        return -1;
    }
    close(sp[1]);
    *a_r = sp[0];
    if (!(o = expect(p, 0, "connected", NULL)))
        return -1;
    json_object_put(o);
    if (!(o = expect(p, 1, "incoming", b_r)))
        return -1;
    json_object_put(o);
    return *b_r >= 0 ? 0 : -1;
}

struct writer {
    int fd;
    uint64_t bytes;
    mig_src_fn src;
    void *arg;
    int err;
};

static int write_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t m = writev(fd, iov, n);
        if (m < 0 && errno == EINTR)
            continue;
        if (m < 0)
            return -1;
        while (n > 0 && (size_t)m >= iov->iov_len) {
            m -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + m;
            iov->iov_len -= (size_t)m;
        }
    }
    return 0;
}

/* The writer thread: DATA frames of MIG_DATA_MAX, then close. */
static void *writer_main(void *arg)
{
    struct writer *w = arg;
    uint8_t hdr[MIG_FRAME_HDR], *buf = malloc(MIG_DATA_MAX);

    for (uint64_t off = 0; buf && off < w->bytes;) {
        size_t n = w->bytes - off < MIG_DATA_MAX ? w->bytes - off
                                                  : MIG_DATA_MAX;
        struct iovec iov[2] = {{hdr, sizeof(hdr)}, {buf, n}};
        w->src(w->arg, off, buf, n);
        mig_frame_hdr_encode(hdr, MIG_F_DATA, (uint32_t)n);
        if (write_all(w->fd, iov, 2) < 0) {
            w->err = errno;
            break;
        }
        off += n;
    }
    if (!buf)
        w->err = ENOMEM;
    free(buf);
    shutdown(w->fd, SHUT_WR);
    return NULL;
}

/* Read `want` bytes from fd (frames, not checked here: the relay did). */
static int read_all(int fd, uint64_t want)
{
    size_t cap = 1u << 20;
    uint8_t *buf = malloc(cap);
    uint64_t got = 0;

    while (buf && got < want) {
        ssize_t m = read(fd, buf, cap);
        if (m < 0 && errno == EINTR)
            continue;
        if (m <= 0) {
            fprintf(stderr, "bench_mig: B's side ended after %llu of %llu "
                    "bytes%s%s\n", (unsigned long long)got,
                    (unsigned long long)want, m < 0 ? ": " : "",
                    m < 0 ? strerror(errno) : "");
            free(buf);
            return -1;
        }
        got += (uint64_t)m;
    }
    free(buf);
    return buf ? 0 : -1;
}

/* After a failure: what the relays said (their `closed` has the why). */
static void tell(struct mig_pair *p)
{
    for (int i = 0; i < 2; i++) {
        struct pollfd pfd = {p->ctl[i], POLLIN, 0};
        struct json_object *o;
        struct xn_msg msg;
        int fd;

        while (poll(&pfd, 1, 1000) > 0 &&
               mig_ctl_recv(p->ctl[i], &o, &fd, &msg) == 0) {
            const char *op = mig_ctl_str(o, "op");
            if (op && strcmp(op, "stats") != 0)
                fprintf(stderr, "bench_mig: relay %s said %s\n", hosts[i],
                        json_object_to_json_string(o));
            json_object_put(o);
            if (fd >= 0)
                close(fd);
        }
    }
}

int mig_pair_push(struct mig_pair *p, int level, uint64_t bytes,
                  mig_src_fn src, void *arg, struct mig_run *run)
{
    static int next_id = 2;
    uint64_t frames = (bytes + MIG_DATA_MAX - 1) / MIG_DATA_MAX;
    struct writer w = {.bytes = bytes, .src = src, .arg = arg};
    struct json_object *o;
    pthread_t th;
    int a, b, id = next_id, rc = -1;
    uint64_t t0;

    next_id += 2;
    memset(run, 0, sizeof(*run));
    if (connect_ab(p, id, level, &a, &b) < 0)
        goto out;
    w.fd = a;
    t0 = timing_now_ns();
    if (pthread_create(&th, NULL, writer_main, &w) != 0)
        goto out;
    rc = read_all(b, bytes + frames * MIG_FRAME_HDR);
    run->ns = timing_now_ns() - t0;
    pthread_join(th, NULL);
    if (w.err) {
        fprintf(stderr, "bench_mig: A's side: %s\n", strerror(w.err));
        rc = -1;
    }
    if (rc < 0) {
        close(a);
        close(b);
        a = b = -1;
        tell(p);
        goto out;
    }
    close(a);
    a = -1;
    rc = -1;
    if (!(o = expect(p, 0, "closed", NULL)))
        goto out;
    if (*mig_ctl_str(o, "error")) {
        fprintf(stderr, "bench_mig: relay A: %s\n", mig_ctl_str(o, "error"));
        json_object_put(o);
        goto out;
    }
    run->raw = bytes;
    run->wire = (uint64_t)mig_ctl_int(o, "wire_bytes", 0);
    run->frames = (uint64_t)mig_ctl_int(o, "raw_bytes", 0);
    json_object_put(o);
    if (!(o = expect(p, 1, "closed", NULL)))
        goto out;
    json_object_put(o);
    rc = 0;
out:
    if (a >= 0)
        close(a);
    if (b >= 0)
        close(b);
    return rc;
}
