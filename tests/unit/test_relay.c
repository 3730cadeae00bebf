/*
 * test_relay.c - xenith-relay as xenithd drives it: two relays (A listens,
 * B connects) run as child processes, each on its own control channel;
 * this test plays both daemons, and sometimes a peer of its own (a
 * plaintext client, a TLS 1.2 client, one without a certificate, one that
 * says nothing, one that breaks the framing).
 *
 * XENITH_BIN names the build directory; RELAY_WRAPPER, when set, is put
 * before the relay's command line (e.g. "valgrind -q --error-exitcode=99
 * --leak-check=full"), and the relays' stderr is kept then (or with
 * RELAY_LOG=1).  No timing is asserted: waits have generous deadlines.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "migration/wire/ctl.h"
#include "migration/wire/frame.h"
#include "tls_testlib.h"

#define WAIT_MS 60000           /* any wait: generous, never asserted */

struct proc {
    pid_t pid;
    int ctl;                    /* our end of its control channel */
};

static struct proc ra = {-1, -1}, rb = {-1, -1};
static const struct tlst_set *certs;

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* --- the relays as processes --- */

static void spawn(struct proc *p)
{
    const char *bin = getenv("XENITH_BIN");
    const char *wrap = getenv("RELAY_WRAPPER");
    const char *keep_log = getenv("RELAY_LOG");
    char path[512], words[1024], *argv[64];
    int sp[2], argc = 0;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
                                sp), 0);
    snprintf(path, sizeof(path), "%s/xenith-relay", bin ? bin : "build");
    snprintf(words, sizeof(words), "%s", wrap ? wrap : "");
    for (char *save, *w = strtok_r(words, " ", &save); w && argc < 56;
         w = strtok_r(NULL, " ", &save))
        argv[argc++] = w;
    argv[argc++] = path;
    argv[argc++] = "--ctl-fd";
    argv[argc++] = "3";
    argv[argc] = NULL;
    p->pid = fork();
    ck_assert_int_ge(p->pid, 0);
    if (p->pid == 0) {
        if (dup2(sp[1], 3) < 0)
            _exit(126);
        if (!wrap && !keep_log) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    close(sp[1]);
    p->ctl = sp[0];
}

/* Close its channel: it must exit, and cleanly. */
static void stop(struct proc *p)
{
    int status = 0;
    long long end = now_ms() + WAIT_MS;
    pid_t w = 0;

    if (p->pid < 0)
        return;
    if (p->ctl >= 0)
        close(p->ctl);
    p->ctl = -1;
    while ((w = waitpid(p->pid, &status, WNOHANG)) == 0 && now_ms() < end) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (w == 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &status, 0);
    }
    p->pid = -1;
    ck_assert_msg(w > 0, "the relay did not exit when its channel closed");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the relay ended with status 0x%x", status);
}

static void send_op(struct proc *p, struct json_object *o, int fd)
{
    struct xn_msg msg;

    ck_assert_msg(mig_ctl_send(p->ctl, o, fd, &msg) == 0, "%s", msg.text);
    json_object_put(o);
}

/* The next message from p that is not `stats` (*fd_r: one that came with
 * it, or -1; NULL: none may come). */
static struct json_object *next_msg(struct proc *p, int *fd_r)
{
    long long end = now_ms() + WAIT_MS;

    for (;;) {
        struct pollfd pfd = {p->ctl, POLLIN, 0};
        struct json_object *o;
        struct xn_msg msg;
        int fd, rc;

        rc = poll(&pfd, 1, (int)(end - now_ms()));
        ck_assert_msg(rc > 0, "no message from the relay in time");
        rc = mig_ctl_recv(p->ctl, &o, &fd, &msg);
        ck_assert_msg(rc == 0, "channel: %s", msg.text);
        const char *op = mig_ctl_str(o, "op");
        if (op && strcmp(op, "stats") == 0) {
            ck_assert_int_lt(fd, 0);
            json_object_put(o);
            continue;
        }
        if (fd_r)
            *fd_r = fd;
        else
            ck_assert_msg(fd < 0, "an unexpected descriptor");
        return o;
    }
}

/* The next message must be `op`. */
static struct json_object *expect(struct proc *p, const char *op, int *fd_r)
{
    struct json_object *o = next_msg(p, fd_r);
    const char *got = mig_ctl_str(o, "op");

    ck_assert_msg(got && strcmp(got, op) == 0, "expected %s, got %s", op,
                  json_object_to_json_string(o));
    return o;
}

/* The next message's "error" must hold `text`. */
static void expect_error(struct proc *p, const char *op, const char *text)
{
    struct json_object *o = expect(p, op, NULL);
    const char *e = mig_ctl_str(o, "error");

    ck_assert_msg(e && strstr(e, text), "%s: \"%s\" lacks \"%s\"", op,
                  e ? e : "(none)", text);
    json_object_put(o);
}

static void expect_refused(struct proc *p, const char *text)
{
    expect_error(p, "refused", text);
}

static void expect_failed(struct proc *p, int id, const char *code,
                          const char *text)
{
    struct json_object *o = expect(p, "failed", NULL);
    const char *e = mig_ctl_str(o, "error"), *c = mig_ctl_str(o, "code");

    ck_assert_int_eq(mig_ctl_int(o, "id", -1), id);
    ck_assert_msg(c && strcmp(c, code) == 0, "code %s, not %s", c, code);
    ck_assert_msg(e && strstr(e, text), "failed: \"%s\" lacks \"%s\"",
                  e ? e : "(none)", text);
    json_object_put(o);
}

/* `closed` for id: error "" (clean) or holding `text`; the counters. */
static void expect_closed(struct proc *p, long long id, const char *text,
                          long long *wire_r, long long *raw_r)
{
    struct json_object *o = expect(p, "closed", NULL);
    const char *e = mig_ctl_str(o, "error");

    ck_assert_int_eq(mig_ctl_int(o, "id", -1), id);
    ck_assert_ptr_nonnull(e);
    if (text)
        ck_assert_msg(strstr(e, text), "closed: \"%s\" lacks \"%s\"", e,
                      text);
    else
        ck_assert_msg(*e == '\0', "closed with \"%s\"", e);
    if (wire_r)
        *wire_r = mig_ctl_int(o, "wire_bytes", -1);
    if (raw_r)
        *raw_r = mig_ctl_int(o, "raw_bytes", -1);
    json_object_put(o);
}

static struct json_object *op_new(const char *op)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "op", json_object_new_string(op));
    return o;
}

static void config(struct proc *p, const char *host,
                   const struct tlst_id *id, const char *ca, const char *crl,
                   int max_incoming, int handshake_ms, bool plain)
{
    struct json_object *o = op_new("config");

    json_object_object_add(o, "host", json_object_new_string(host));
    if (id) {
        json_object_object_add(o, "key", json_object_new_string(id->key));
        json_object_object_add(o, "cert", json_object_new_string(id->cert));
    }
    if (ca)
        json_object_object_add(o, "ca", json_object_new_string(ca));
    json_object_object_add(o, "crl", json_object_new_string(crl ? crl : ""));
    if (max_incoming)
        json_object_object_add(o, "max_incoming",
                               json_object_new_int(max_incoming));
    if (handshake_ms)
        json_object_object_add(o, "handshake_ms",
                               json_object_new_int(handshake_ms));
    json_object_object_add(o, "plain", json_object_new_boolean(plain));
    send_op(p, o, -1);
    json_object_put(expect(p, "ready", NULL));
}

/* A bound, listening socket on 127.0.0.1 (its port in *port_r). */
static int tcp_listener(int *port_r)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    ck_assert_int_ge(fd, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(fd, 16), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    *port_r = ntohs(sa.sin_port);
    return fd;
}

/* Hand p a listening socket; its port. */
static int listen_on(struct proc *p)
{
    struct json_object *o = op_new("listen");
    char addr[64];
    int port, fd = tcp_listener(&port);

    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    json_object_object_add(o, "addr", json_object_new_string(addr));
    send_op(p, o, fd);
    close(fd);
    o = expect(p, "listening", NULL);
    ck_assert_str_eq(mig_ctl_str(o, "addr"), addr);
    json_object_put(o);
    return port;
}

/* Ask p to connect; our end of the connection's socketpair. */
static int connect_to(struct proc *p, int id, const char *host, int port,
                      int compress, long long bandwidth)
{
    struct json_object *o = op_new("connect");
    int sp[2];

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp),
                     0);
    json_object_object_add(o, "id", json_object_new_int(id));
    json_object_object_add(o, "host", json_object_new_string(host));
    json_object_object_add(o, "addr", json_object_new_string("127.0.0.1"));
    json_object_object_add(o, "port", json_object_new_int(port));
    json_object_object_add(o, "compress", json_object_new_int(compress));
    json_object_object_add(o, "bandwidth", json_object_new_int64(bandwidth));
    send_op(p, o, sp[1]);
    close(sp[1]);
    return sp[0];
}

static void cancel(struct proc *p, int id)
{
    struct json_object *o = op_new("cancel");

    json_object_object_add(o, "id", json_object_new_int(id));
    send_op(p, o, -1);
}

/* B connects to A as `host` (A listening on port): B's socketpair end in
 * *b_r, A's (from `incoming`) in *a_r, A's id for it returned. */
static long long pair_up(int id, const char *host, int port, int compress,
                         int *b_r, int *a_r)
{
    struct json_object *o;
    long long in_id;

    *b_r = connect_to(&rb, id, host, port, compress, 0);
    o = expect(&rb, "connected", NULL);
    ck_assert_int_eq(mig_ctl_int(o, "id", -1), id);
    ck_assert_str_eq(mig_ctl_str(o, "peer"), host);
    json_object_put(o);
    o = expect(&ra, "incoming", a_r);
    ck_assert_int_ge(*a_r, 0);
    in_id = mig_ctl_int(o, "id", -1);
    ck_assert_int_eq(in_id % 2, 1);
    ck_assert_ptr_nonnull(strstr(mig_ctl_str(o, "addr"), "127.0.0.1:"));
    json_object_put(o);
    return in_id;
}

/* --- frames and flows --- */

struct stream {
    uint8_t *buf;
    size_t len, cap;
};

static void add_frame(struct stream *s, unsigned type, const void *p,
                      size_t n)
{
    if (s->len + MIG_FRAME_HDR + n > s->cap) {
        s->cap = (s->len + MIG_FRAME_HDR + n) * 2;
        s->buf = realloc(s->buf, s->cap);
        ck_assert_ptr_nonnull(s->buf);
    }
    mig_frame_hdr_encode(s->buf + s->len, type, (uint32_t)n);
    if (n)
        memcpy(s->buf + s->len + MIG_FRAME_HDR, p, n);
    s->len += MIG_FRAME_HDR + n;
}

static void add_json(struct stream *s, unsigned type, const char *json)
{
    add_frame(s, type, json, strlen(json));
}

/* n bytes (random or zero) as DATA frames of uneven sizes. */
static void add_data(struct stream *s, size_t n, bool random)
{
    static const size_t sizes[] = {MIG_DATA_MAX, 1, 300000, 65536, 4097};
    uint8_t *p = malloc(MIG_DATA_MAX);

    ck_assert_ptr_nonnull(p);
    for (unsigned i = 0; n > 0; i++) {
        size_t k = sizes[i % 5] < n ? sizes[i % 5] : n;
        if (random)
            for (size_t j = 0; j < k; j++)
                p[j] = (uint8_t)(rand() >> 7);
        else
            memset(p, 0, k);
        add_frame(s, MIG_F_DATA, p, k);
        n -= k;
    }
    free(p);
}

struct flow {
    int wfd;
    const uint8_t *w;
    size_t wlen, woff;
    int rfd;
    uint8_t *r;
    size_t rlen, roff;
};

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Write each flow's bytes to its wfd and read as many from its rfd, all
 * at once; then each read must equal what was written. */
static void run_flows(struct flow *f, int n)
{
    long long end = now_ms() + WAIT_MS;

    for (int i = 0; i < n; i++) {
        f[i].r = malloc(f[i].rlen ? f[i].rlen : 1);
        ck_assert_ptr_nonnull(f[i].r);
        set_nonblock(f[i].wfd);
        set_nonblock(f[i].rfd);
    }
    for (;;) {
        struct pollfd pfd[8];
        int np = 0, idx[8], dir[8];
        for (int i = 0; i < n; i++) {
            if (f[i].woff < f[i].wlen) {
                pfd[np] = (struct pollfd){f[i].wfd, POLLOUT, 0};
                idx[np] = i;
                dir[np++] = 1;
            }
            if (f[i].roff < f[i].rlen) {
                pfd[np] = (struct pollfd){f[i].rfd, POLLIN, 0};
                idx[np] = i;
                dir[np++] = 0;
            }
        }
        if (np == 0)
            break;
        ck_assert_msg(poll(pfd, np, (int)(end - now_ms())) > 0,
                      "the data did not flow in time");
        for (int k = 0; k < np; k++) {
            struct flow *x = &f[idx[k]];
            ssize_t m;
            if (!pfd[k].revents)
                continue;
            if (dir[k]) {
                m = write(x->wfd, x->w + x->woff, x->wlen - x->woff);
                ck_assert_msg(m > 0 || errno == EAGAIN, "write: %s",
                              strerror(errno));
                if (m > 0)
                    x->woff += (size_t)m;
            } else {
                m = read(x->rfd, x->r + x->roff, x->rlen - x->roff);
                ck_assert_msg(m != 0, "EOF after %zu of %zu bytes", x->roff,
                              x->rlen);
                ck_assert_msg(m > 0 || errno == EAGAIN, "read: %s",
                              strerror(errno));
                if (m > 0)
                    x->roff += (size_t)m;
            }
        }
    }
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(f[i].rlen, f[i].wlen);
        ck_assert_msg(memcmp(f[i].r, f[i].w, f[i].wlen) == 0,
                      "flow %d: the bytes differ", i);
        free(f[i].r);
        f[i].r = NULL;
    }
}

/* Wait for EOF on fd (nothing else may come). */
static void expect_eof(int fd)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    char c;

    ck_assert_int_gt(poll(&pfd, 1, WAIT_MS), 0);
    ck_assert_int_eq(read(fd, &c, 1), 0);
}

/* Data both ways at once, then B's daemon closes: both report closed. */
static void flow_test(int compress, bool zeros)
{
    struct stream ab = {0}, ba = {0};
    long long in_id, wire, raw;
    int port, a, b;

    port = listen_on(&ra);
    in_id = pair_up(2, "hosta", port, compress, &b, &a);
    add_data(&ba, 1536 * 1024 + 77, !zeros);
    add_json(&ba, MIG_F_END, "{\"bytes\":1572941}");
    add_data(&ba, 1024 * 1024, true);
    add_json(&ab, MIG_F_RESTORED, "{\"domid\":7}");
    add_data(&ab, 1200 * 1024, zeros);
    add_json(&ab, MIG_F_CONFIRM,
             "{\"running\":true,\"domid\":7,\"downtime_ms\":12}");
    struct flow f[2] = {
        {.wfd = b, .w = ba.buf, .wlen = ba.len, .rfd = a, .rlen = ba.len},
        {.wfd = a, .w = ab.buf, .wlen = ab.len, .rfd = b, .rlen = ab.len},
    };
    run_flows(f, 2);
    close(b);
    expect_closed(&rb, 2, NULL, &wire, &raw);
    ck_assert_int_eq(raw, (long long)(ab.len + ba.len));
    if (compress && zeros)
        ck_assert_int_lt(wire, raw);
    else if (!compress)
        ck_assert_int_gt(wire, raw);    /* the hellos */
    expect_closed(&ra, in_id, NULL, &wire, &raw);
    ck_assert_int_eq(raw, (long long)(ab.len + ba.len));
    expect_eof(a);
    close(a);
    free(ab.buf);
    free(ba.buf);
}

/* --- a peer of our own --- */

static int tcp_connect(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    ck_assert_int_ge(fd, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)port);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

/* A TLS client of ours on fd; SSL_connect's result in *ok_r. */
static SSL *tls_client(SSL_CTX *ctx, int fd, bool *ok_r)
{
    SSL *ssl = SSL_new(ctx);

    ck_assert_ptr_nonnull(ssl);
    SSL_set_fd(ssl, fd);
    *ok_r = SSL_connect(ssl) == 1;
    ERR_clear_error();
    return ssl;
}

static void ssl_write_all(SSL *ssl, const void *p, size_t n)
{
    ck_assert_int_eq(SSL_write(ssl, p, (int)n), (int)n);
}

static void ssl_read_all(SSL *ssl, void *p, size_t n)
{
    size_t got = 0;

    while (got < n) {
        int m = SSL_read(ssl, (uint8_t *)p + got, (int)(n - got));
        ck_assert_int_gt(m, 0);
        got += (size_t)m;
    }
}

/* Our client as hostb: TLS, then a hello naming `name` with versions
 * [vmin, vmax]; when `answer`, the server's hello is read. */
static SSL *fake_peer(int port, int *fd_r, const char *name, int vmin,
                      int vmax, bool answer, SSL_CTX **ctx_r)
{
    struct stream s = {0};
    char json[256];
    bool ok;

    *ctx_r = tlst_client_ctx(&certs->hostb, certs->ca1, TLS1_3_VERSION);
    *fd_r = tcp_connect(port);
    SSL *ssl = tls_client(*ctx_r, *fd_r, &ok);
    ck_assert(ok);
    snprintf(json, sizeof(json), "{\"versions\":[%d,%d],\"host\":\"%s\","
             "\"caps\":[\"zstd\"]}", vmin, vmax, name);
    add_json(&s, MIG_F_HELLO, json);
    ssl_write_all(ssl, s.buf, s.len);
    free(s.buf);
    if (answer) {
        uint8_t h[MIG_FRAME_HDR], body[4096];
        struct mig_frame_hdr hd;
        ssl_read_all(ssl, h, sizeof(h));
        ck_assert_int_eq(mig_frame_hdr_decode(h, sizeof(h), &hd, NULL), 0);
        ck_assert_int_eq(hd.type, MIG_F_HELLO);
        ck_assert_uint_lt(hd.len, sizeof(body));
        ssl_read_all(ssl, body, hd.len);
    }
    return ssl;
}

static void fake_peer_free(SSL *ssl, SSL_CTX *ctx, int fd)
{
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
}

/* A client of ours presenting `id` (or none), speaking up to `version`:
 * A refuses it with `text`. */
static void refused_client(const struct tlst_id *id, int version,
                           const char *text)
{
    int port = listen_on(&ra);
    int fd = tcp_connect(port);
    SSL_CTX *ctx = tlst_client_ctx(id, certs->ca1, version);
    bool ok;
    SSL *ssl = tls_client(ctx, fd, &ok);

    if (ok) {           /* TLS 1.3: the server's verdict comes after */
        char c;
        SSL_read(ssl, &c, 1);
        ERR_clear_error();
    }
    expect_refused(&ra, text);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
}

/* --- the tests --- */

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    certs = tlst_get();
    srand(42);
    spawn(&ra);
    spawn(&rb);
}

static void teardown(void)
{
    stop(&ra);
    stop(&rb);
}

static void config_pair(void)
{
    config(&ra, "hosta", &certs->hosta, certs->ca1, certs->crl1, 0, 0,
           false);
    config(&rb, "hostb", &certs->hostb, certs->ca1, certs->crl1, 0, 0,
           false);
}

START_TEST(flow_random)
{
    config_pair();
    flow_test(0, false);
}
END_TEST

START_TEST(flow_zeros)
{
    config_pair();
    flow_test(0, true);
}
END_TEST

START_TEST(flow_compress)
{
    config_pair();
    flow_test(3, true);
    flow_test(1, false);
}
END_TEST

START_TEST(flow_plain)
{
    config(&ra, "hosta", NULL, NULL, NULL, 0, 0, true);
    config(&rb, "hostb", NULL, NULL, NULL, 0, 0, true);
    flow_test(0, false);
}
END_TEST

START_TEST(flow_by_address_and_bandwidth)
{
    struct stream s = {0};
    long long in_id;
    int port, a, b;

    config(&ra, "127.0.0.1", &certs->ip, certs->ca1, "", 0, 0, false);
    config(&rb, "hostb", &certs->hostb, certs->ca1, "", 0, 0, false);
    port = listen_on(&ra);
    b = connect_to(&rb, 2, "127.0.0.1", port, 0, 64 * 1024 * 1024);
    struct json_object *o = expect(&rb, "connected", NULL);
    ck_assert_str_eq(mig_ctl_str(o, "peer"), "127.0.0.1");
    json_object_put(o);
    o = expect(&ra, "incoming", &a);
    ck_assert_str_eq(mig_ctl_str(o, "peer"), "hostb");
    in_id = mig_ctl_int(o, "id", -1);
    json_object_put(o);
    add_data(&s, 2 * 1024 * 1024, true);
    struct flow f = {.wfd = b, .w = s.buf, .wlen = s.len, .rfd = a,
                     .rlen = s.len};
    run_flows(&f, 1);
    close(b);
    expect_closed(&rb, 2, NULL, NULL, NULL);
    expect_closed(&ra, in_id, NULL, NULL, NULL);
    expect_eof(a);
    close(a);
    free(s.buf);
}
END_TEST

START_TEST(peer_closes_first)
{
    struct stream s = {0};
    long long in_id;
    int port, a, b;

    config_pair();
    port = listen_on(&ra);
    in_id = pair_up(2, "hosta", port, 0, &b, &a);
    add_data(&s, 3 * 1024 * 1024, true);
    struct flow f = {.wfd = a, .w = s.buf, .wlen = s.len, .rfd = b,
                     .rlen = s.len};
    run_flows(&f, 1);
    close(a);                   /* A's daemon is done: B's sees EOF */
    expect_closed(&ra, in_id, NULL, NULL, NULL);
    expect_closed(&rb, 2, NULL, NULL, NULL);
    expect_eof(b);
    close(b);
    free(s.buf);
}
END_TEST

START_TEST(refuse_wrong_ca_client)
{
    /* B trusts CA 1 but its certificate is CA 2's: A refuses it. */
    config(&ra, "hosta", &certs->hosta, certs->ca1, "", 0, 0, false);
    config(&rb, "hostb", &certs->hostb_ca2, certs->ca1, "", 0, 0, false);
    int port = listen_on(&ra);
    int b = connect_to(&rb, 2, "hosta", port, 0, 0);
    expect_refused(&ra, "certificate verify failed (unable to get local "
                   "issuer certificate)");
    expect_failed(&rb, 2, "ECONNECT", "hosta (127.0.0.1:");
    close(b);
}
END_TEST

START_TEST(refuse_wrong_ca_server)
{
    /* B trusts only CA 2: A's certificate fails B's check. */
    config(&ra, "hosta", &certs->hosta, certs->ca1, "", 0, 0, false);
    config(&rb, "hostb", &certs->hostb_ca2, certs->ca2, "", 0, 0, false);
    int port = listen_on(&ra);
    int b = connect_to(&rb, 2, "hosta", port, 0, 0);
    expect_failed(&rb, 2, "ECONNECT", "TLS handshake failed: certificate "
                  "verify failed (self-signed certificate in certificate "
                  "chain)");
    expect_refused(&ra, "TLS handshake failed: ");
    close(b);
}
END_TEST

START_TEST(refuse_expired)
{
    config(&ra, "hosta", &certs->hosta, certs->ca1, "", 0, 0, false);
    config(&rb, "hostb", &certs->expired, certs->ca1, "", 0, 0, false);
    int port = listen_on(&ra);
    int b = connect_to(&rb, 2, "hosta", port, 0, 0);
    expect_refused(&ra, "TLS handshake failed: certificate verify failed "
                   "(certificate has expired)");
    expect_failed(&rb, 2, "ECONNECT", "TLS handshake failed");
    close(b);
}
END_TEST

START_TEST(refuse_revoked)
{
    config(&ra, "hosta", &certs->hosta, certs->ca1, certs->crl1, 0, 0,
           false);
    config(&rb, "hostb", &certs->revoked, certs->ca1, certs->crl1, 0, 0,
           false);
    int port = listen_on(&ra);
    int b = connect_to(&rb, 2, "hosta", port, 0, 0);
    expect_refused(&ra, "(certificate revoked)");
    expect_failed(&rb, 2, "ECONNECT", "TLS handshake failed");
    close(b);
}
END_TEST

START_TEST(refuse_name_mismatch)
{
    /* B asks for hosta; the server is hostc. */
    config(&ra, "hostc", &certs->hostc, certs->ca1, "", 0, 0, false);
    config(&rb, "hostb", &certs->hostb, certs->ca1, "", 0, 0, false);
    int port = listen_on(&ra);
    int b = connect_to(&rb, 2, "hosta", port, 0, 0);
    expect_failed(&rb, 2, "ECONNECT", "hosta (127.0.0.1:");
    expect_refused(&ra, "TLS handshake failed");
    close(b);
    /* and by address: the certificate names no 127.0.0.1 */
    b = connect_to(&rb, 4, "127.0.0.1", port, 0, 0);
    expect_failed(&rb, 4, "ECONNECT", "certificate verify failed (IP "
                  "address mismatch)");
    expect_refused(&ra, "TLS handshake failed");
    close(b);
}
END_TEST

START_TEST(refuse_hello_name)
{
    SSL_CTX *ctx;
    int fd;

    config_pair();
    int port = listen_on(&ra);
    SSL *ssl = fake_peer(port, &fd, "hosta", 1, 1, false, &ctx);
    expect_refused(&ra, "its hello names it \"hosta\", a name its "
                   "certificate does not carry");
    fake_peer_free(ssl, ctx, fd);
    ssl = fake_peer(port, &fd, "hostb", 2, 3, false, &ctx);
    expect_refused(&ra, "versions 2 to 3");
    fake_peer_free(ssl, ctx, fd);
}
END_TEST

START_TEST(refuse_no_client_cert)
{
    config_pair();
    refused_client(NULL, TLS1_3_VERSION, "TLS handshake failed: peer did "
                   "not return a certificate");
}
END_TEST

START_TEST(refuse_tls12)
{
    config_pair();
    refused_client(&certs->hostb, TLS1_2_VERSION, "TLS handshake failed: "
                   "unsupported protocol");
}
END_TEST

START_TEST(refuse_plaintext)
{
    static const char req[] = "GET / HTTP/1.0\r\n\r\n";

    config_pair();
    int port = listen_on(&ra);
    int fd = tcp_connect(port);
    ck_assert_int_eq(write(fd, req, sizeof(req) - 1), sizeof(req) - 1);
    expect_refused(&ra, "TLS handshake failed: ");
    close(fd);
}
END_TEST

START_TEST(refuse_silent)
{
    config(&ra, "hosta", &certs->hosta, certs->ca1, "", 0, 300, false);
    int port = listen_on(&ra);
    int fd = tcp_connect(port);
    expect_refused(&ra, "TLS handshake timed out after 300 ms");
    close(fd);
}
END_TEST

START_TEST(refuse_over_max_incoming)
{
    long long in_id;
    int port, a, b, b2;

    config(&ra, "hosta", &certs->hosta, certs->ca1, "", 1, 0, false);
    config(&rb, "hostb", &certs->hostb, certs->ca1, "", 0, 0, false);
    port = listen_on(&ra);
    in_id = pair_up(2, "hosta", port, 0, &b, &a);
    b2 = connect_to(&rb, 4, "hosta", port, 0, 0);
    expect_failed(&rb, 4, "EBUSY", "host hosta has 1 incoming migrations "
                  "already");
    expect_refused(&ra, "host hosta has 1 incoming migrations already");
    close(b2);
    close(b);
    expect_closed(&rb, 2, NULL, NULL, NULL);
    expect_closed(&ra, in_id, NULL, NULL, NULL);
    close(a);
}
END_TEST

START_TEST(corrupt_frame_from_peer)
{
    struct json_object *o;
    SSL_CTX *ctx;
    int fd, a;

    config_pair();
    int port = listen_on(&ra);
    SSL *ssl = fake_peer(port, &fd, "hostb", 1, 1, true, &ctx);
    o = expect(&ra, "incoming", &a);
    long long id = mig_ctl_int(o, "id", -1);
    json_object_put(o);
    ssl_write_all(ssl, "XY\001\005\000\000\000\001!", 9);
    expect_closed(&ra, id, "protocol error", NULL, NULL);
    expect_eof(a);
    close(a);
    fake_peer_free(ssl, ctx, fd);

    /* a control frame that does not decode */
    ssl = fake_peer(port, &fd, "hostb", 1, 1, true, &ctx);
    o = expect(&ra, "incoming", &a);
    id = mig_ctl_int(o, "id", -1);
    json_object_put(o);
    struct stream s = {0};
    add_json(&s, MIG_F_END, "{\"bytes\":\"many\"}");
    ssl_write_all(ssl, s.buf, s.len);
    free(s.buf);
    expect_closed(&ra, id, "protocol error", NULL, NULL);
    close(a);
    fake_peer_free(ssl, ctx, fd);

    /* a second hello */
    ssl = fake_peer(port, &fd, "hostb", 1, 1, true, &ctx);
    o = expect(&ra, "incoming", &a);
    id = mig_ctl_int(o, "id", -1);
    json_object_put(o);
    s = (struct stream){0};
    add_json(&s, MIG_F_HELLO, "{\"versions\":[1,1],\"host\":\"hostb\","
             "\"caps\":[]}");
    ssl_write_all(ssl, s.buf, s.len);
    free(s.buf);
    expect_closed(&ra, id, "second hello", NULL, NULL);
    close(a);
    fake_peer_free(ssl, ctx, fd);
}
END_TEST

START_TEST(daemon_breaks_protocol)
{
    struct stream s = {0};
    long long in_id;
    int port, a, b;

    config_pair();
    port = listen_on(&ra);
    in_id = pair_up(2, "hosta", port, 0, &b, &a);
    add_frame(&s, MIG_F_DATA_Z, "\000\000\000\001x", 5);
    ck_assert_int_eq(write(b, s.buf, s.len), (ssize_t)s.len);
    expect_closed(&rb, 2, "the daemon broke the protocol", NULL, NULL);
    expect_closed(&ra, in_id, "connection lost", NULL, NULL);
    close(a);
    close(b);
    free(s.buf);
}
END_TEST

START_TEST(cancel_and_connect_errors)
{
    long long in_id;
    int port, a, b, lfd, lport;

    config_pair();
    port = listen_on(&ra);
    in_id = pair_up(2, "hosta", port, 0, &b, &a);
    cancel(&rb, 2);
    expect_closed(&rb, 2, "cancelled", NULL, NULL);
    expect_closed(&ra, in_id, "connection lost", NULL, NULL);
    expect_eof(b);
    close(a);
    close(b);

    /* a listener that never answers: cancelled in its handshake */
    lfd = tcp_listener(&lport);
    b = connect_to(&rb, 4, "hosta", lport, 0, 0);
    usleep(100 * 1000);
    cancel(&rb, 4);
    expect_failed(&rb, 4, "ECANCELED", "cancelled");
    close(b);
    close(lfd);

    /* nobody there */
    lfd = tcp_listener(&lport);
    close(lfd);
    b = connect_to(&rb, 6, "hostz", lport, 0, 0);
    char text[128];
    snprintf(text, sizeof(text), "cannot connect to hostz (127.0.0.1:%d): "
             "Connection refused", lport);
    expect_failed(&rb, 6, "ECONNECT", text);
    close(b);
}
END_TEST

START_TEST(bad_ops)
{
    struct json_object *o = op_new("config");

    json_object_object_add(o, "host", json_object_new_string("hosta"));
    json_object_object_add(o, "key", json_object_new_string(
                               certs->hostb.key));
    json_object_object_add(o, "cert", json_object_new_string(
                               certs->hosta.cert));
    json_object_object_add(o, "ca", json_object_new_string(certs->ca1));
    send_op(&ra, o, -1);
    expect_error(&ra, "error", "config: key does not match cert");
    o = op_new("config");
    json_object_object_add(o, "host", json_object_new_string("hostb"));
    json_object_object_add(o, "key", json_object_new_string(
                               certs->hosta.key));
    json_object_object_add(o, "cert", json_object_new_string(
                               certs->hosta.cert));
    json_object_object_add(o, "ca", json_object_new_string(certs->ca1));
    send_op(&ra, o, -1);
    expect_error(&ra, "error", "does not name host \"hostb\"");
    send_op(&ra, op_new("listen"), -1);
    expect_error(&ra, "error", "listen: no socket came with it");
    send_op(&ra, op_new("frobnicate"), -1);
    expect_error(&ra, "error", "unknown op \"frobnicate\"");
    int b = connect_to(&ra, 2, "hostb", 1, 0, 0);
    expect_failed(&ra, 2, "ESTATE", "connect: no config yet");
    close(b);
}
END_TEST

START_TEST(exit_with_open_connection)
{
    int port, a, b;

    config_pair();
    port = listen_on(&ra);
    pair_up(2, "hosta", port, 0, &b, &a);
    stop(&ra);                  /* exits though a connection is open */
    expect_closed(&rb, 2, "connection lost", NULL, NULL);
    close(a);
    close(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("relay");
    TCase *tc = tcase_create("flow");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, flow_random);
    tcase_add_test(tc, flow_zeros);
    tcase_add_test(tc, flow_compress);
    tcase_add_test(tc, flow_plain);
    tcase_add_test(tc, flow_by_address_and_bandwidth);
    tcase_add_test(tc, peer_closes_first);
    suite_add_tcase(s, tc);

    tc = tcase_create("refuse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, refuse_wrong_ca_client);
    tcase_add_test(tc, refuse_wrong_ca_server);
    tcase_add_test(tc, refuse_expired);
    tcase_add_test(tc, refuse_revoked);
    tcase_add_test(tc, refuse_name_mismatch);
    tcase_add_test(tc, refuse_hello_name);
    tcase_add_test(tc, refuse_no_client_cert);
    tcase_add_test(tc, refuse_tls12);
    tcase_add_test(tc, refuse_plaintext);
    tcase_add_test(tc, refuse_silent);
    tcase_add_test(tc, refuse_over_max_incoming);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, corrupt_frame_from_peer);
    tcase_add_test(tc, daemon_breaks_protocol);
    tcase_add_test(tc, cancel_and_connect_errors);
    tcase_add_test(tc, bad_ops);
    tcase_add_test(tc, exit_with_open_connection);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    tlst_free();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
