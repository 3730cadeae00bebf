/*
 * xsd_testlib.c - helpers the xenstore Check suites share; see
 * xsd_testlib.h.  No tests here.
 */
#include "xsd_testlib.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- a server on this process's loop ---- */

char xsdt_tmpdir[64];
char xsdt_sock[128];
static struct event_base *base;
struct xsd *xsdt_xs;

void xsdt_mktmp(void)
{
    strcpy(xsdt_tmpdir, "/tmp/xsd-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(xsdt_tmpdir));
    snprintf(xsdt_sock, sizeof(xsdt_sock), "%s/socket", xsdt_tmpdir);
}

void xsdt_start(const struct xsd_limits *lim)
{
    struct xn_msg msg;

    xsdt_mktmp();
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(xsd_new(base, xsdt_sock, lim, &xsdt_xs, &msg), 0);
}

void xsdt_stop(void)
{
    xsd_free(xsdt_xs);
    xsdt_xs = NULL;
    ck_assert_int_ne(access(xsdt_sock, F_OK), 0);    /* socket removed */
    event_base_free(base);
    base = NULL;
    rmdir(xsdt_tmpdir);
}

void xsdt_pump(void)
{
    event_base_loop(base, EVLOOP_NONBLOCK);
}

void xsdt_layout_domains(uint32_t first, unsigned n)
{
    for (uint32_t domid = first; domid < first + n; domid++) {
        char name[16], uuid[40];
        struct xsd_domain_info d = {
            .domid = domid, .name = name, .uuid = uuid, .type = "pv",
            .max_memkb = 262144, .target_memkb = 262144,
            .max_vcpus = 2, .online_vcpus = 2, .store_port = 1,
            .store_mfn = 4096 + domid,
        };

        snprintf(name, sizeof(name), "dom%u", (unsigned)domid);
        snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012x",
                 (unsigned)domid);
        ck_assert_int_eq(xsd_layout_domain(xsdt_xs, &d), 0);
    }
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- a raw wire client of that server ---- */

struct xsdt_cli *xsdt_cli_new(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct xsdt_cli *c = calloc(1, sizeof(*c));

    ck_assert_ptr_nonnull(c);
    strcpy(sa.sun_path, xsdt_sock);
    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(c->fd, 0);
    ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    xsdt_pump();
    return c;
}

void xsdt_cli_free(struct xsdt_cli *c)
{
    close(c->fd);
    free(c);
    xsdt_pump();
}

void xsdt_cli_raw(struct xsdt_cli *c, const void *p, size_t len)
{
    const char *b = p;
    long until = now_ms() + 3000;

    while (len) {
        ssize_t n = write(c->fd, b, len);

        if (n > 0) {
            b += n;
            len -= (size_t)n;
        } else {
            ck_assert(n < 0 && errno == EAGAIN && now_ms() < until);
            xsdt_pump();
        }
    }
}

void xsdt_cli_send(struct xsdt_cli *c, uint32_t type, uint32_t req,
                   uint32_t tx, const void *p, size_t len)
{
    struct xsd_sockmsg h = {type, req, tx, (uint32_t)len};

    xsdt_cli_raw(c, &h, sizeof(h));
    if (len)
        xsdt_cli_raw(c, p, len);
}

/* The next message: 1, or 0 at end of file, -1 after timeout_ms. */
int xsdt_cli_next(struct xsdt_cli *c, struct xsdt_rmsg *m, int timeout_ms)
{
    long until = now_ms() + timeout_ms;

    for (;;) {
        if (c->have >= sizeof(m->h)) {
            memcpy(&m->h, c->buf, sizeof(m->h));
            ck_assert_uint_le(m->h.len, XENSTORE_PAYLOAD_MAX);
            if (c->have >= sizeof(m->h) + m->h.len) {
                memcpy(m->body, c->buf + sizeof(m->h), m->h.len);
                m->body[m->h.len] = '\0';
                c->have -= sizeof(m->h) + m->h.len;
                memmove(c->buf, c->buf + sizeof(m->h) + m->h.len, c->have);
                return 1;
            }
        }
        if (c->eof)
            return 0;
        if (now_ms() > until)
            return -1;
        xsdt_pump();
        ssize_t n = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);
        if (n > 0)
            c->have += (size_t)n;
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            c->eof = true;
        else
            usleep(200);
    }
}

/* The payload with NULs shown as '|' (one final NUL dropped). */
static const char *show(const struct xsdt_rmsg *m, char *out)
{
    size_t len = m->h.len;

    if (len && m->body[len - 1] == '\0')
        len--;
    for (size_t i = 0; i < len; i++)
        out[i] = m->body[i] ? m->body[i] : '|';
    out[len] = '\0';
    return out;
}

static void keep_event(struct xsdt_cli *c, const struct xsdt_rmsg *m)
{
    char tmp[XENSTORE_PAYLOAD_MAX + 1];

    ck_assert_uint_lt(c->nev, 32);
    ck_assert_uint_eq(m->h.req_id, 0);
    ck_assert_uint_eq(m->h.tx_id, 0);
    snprintf(c->ev[c->nev++], 256, "%.255s", show(m, tmp));
}

/*
 * Send one request and return its reply as text: "!ENOENT" for an error,
 * else the payload as show() gives it.  Watch events met on the way are
 * kept.  The reply must echo req_id and tx_id.
 */
const char *xsdt_call(struct xsdt_cli *c, uint32_t type, uint32_t tx,
                      const void *p, size_t len)
{
    static char out[XENSTORE_PAYLOAD_MAX + 2];
    struct xsdt_rmsg m;
    uint32_t req = ++c->req;

    xsdt_cli_send(c, type, req, tx, p, len);
    for (;;) {
        int r = xsdt_cli_next(c, &m, 3000);

        ck_assert_msg(r == 1, "no reply to a request of type %u", type);
        if (m.h.type == XS_WATCH_EVENT) {
            keep_event(c, &m);
            continue;
        }
        ck_assert_uint_eq(m.h.req_id, req);
        ck_assert_uint_eq(m.h.tx_id, tx);
        if (m.h.type == XS_ERROR) {
            out[0] = '!';
            show(&m, out + 1);
            return out;
        }
        ck_assert_uint_eq(m.h.type, type);
        return show(&m, out);
    }
}

/* Requests whose payload is one or two strings, or a path and a value. */
const char *xsdt_call1(struct xsdt_cli *c, uint32_t type, uint32_t tx,
                       const char *a)
{
    return xsdt_call(c, type, tx, a, strlen(a) + 1);
}

const char *xsdt_call2(struct xsdt_cli *c, uint32_t type, uint32_t tx,
                       const char *a, const char *b)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t la = strlen(a) + 1, lb = strlen(b) + 1;

    memcpy(buf, a, la);
    memcpy(buf + la, b, lb);
    return xsdt_call(c, type, tx, buf, la + lb);
}

const char *xsdt_wr(struct xsdt_cli *c, uint32_t tx, const char *path,
                    const char *value)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t lp = strlen(path) + 1, lv = strlen(value);

    memcpy(buf, path, lp);
    memcpy(buf + lp, value, lv);
    return xsdt_call(c, XS_WRITE, tx, buf, lp + lv);
}

/* The next watch event, "path|token", waiting for it if need be. */
const char *xsdt_next_event(struct xsdt_cli *c)
{
    static char out[256];
    struct xsdt_rmsg m;

    while (c->nev == 0) {
        ck_assert_msg(xsdt_cli_next(c, &m, 3000) == 1, "no watch event");
        ck_assert_uint_eq(m.h.type, XS_WATCH_EVENT);
        keep_event(c, &m);
    }
    strcpy(out, c->ev[0]);
    memmove(c->ev[0], c->ev[1], (--c->nev) * sizeof(c->ev[0]));
    return out;
}

/* No event pending: events are sent before any later reply, so after a
 * round trip anything due has arrived. */
void xsdt_no_event(struct xsdt_cli *c)
{
    xsdt_call1(c, XS_GET_DOMAIN_PATH, 0, "0");
    ck_assert_msg(c->nev == 0, "unexpected event %s", c->ev[0]);
}

/* ---- a server in a forked child, for libxenstore ---- */

static pid_t child;

static void child_stop(evutil_socket_t s, short what, void *b)
{
    event_base_loopexit(b, NULL);
}

void xsdt_fork_start(const struct xsd_limits *lim)
{
    int p[2];
    char c;

    xsdt_mktmp();
    ck_assert_int_eq(setenv("XENSTORED_PATH", xsdt_sock, 1), 0);
    ck_assert_int_eq(pipe(p), 0);
    child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        struct xn_msg msg;
        struct event *term;
        int rc = 1;

        close(p[0]);
        base = event_base_new();
        if (base && xsd_new(base, xsdt_sock, lim, &xsdt_xs, &msg) == 0) {
            term = evsignal_new(base, SIGTERM, child_stop, base);
            event_add(term, NULL);
            if (write(p[1], "r", 1) == 1)
                event_base_dispatch(base);
            event_free(term);
            xsd_free(xsdt_xs);
            rc = 0;
        }
        if (base)
            event_base_free(base);
        _exit(rc);
    }
    close(p[1]);
    ck_assert_int_eq(read(p[0], &c, 1), 1);
    close(p[0]);
}

void xsdt_fork_stop(void)
{
    int status;

    kill(child, SIGTERM);
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_int_ne(access(xsdt_sock, F_OK), 0);
    rmdir(xsdt_tmpdir);
}

void xsdt_xs_expect(struct xs_handle *h, const char *path,
                    const char *want)
{
    unsigned len;
    char *v = xs_read(h, XBT_NULL, path, &len);

    ck_assert_msg(v != NULL, "cannot read %s: %s", path, strerror(errno));
    ck_assert_str_eq(v, want);
    ck_assert_uint_eq(len, strlen(want));
    free(v);
}

void xsdt_xs_absent(struct xs_handle *h, xs_transaction_t t,
                    const char *path)
{
    ck_assert_ptr_null(xs_read(h, t, path, NULL));
    ck_assert_int_eq(errno, ENOENT);
}

/* The next watch event (path, token), waiting up to 3 seconds. */
void xsdt_xs_event(struct xs_handle *h, const char *path,
                   const char *token)
{
    long until = now_ms() + 3000;
    char **v;

    while (!(v = xs_check_watch(h))) {
        ck_assert_msg(errno == EAGAIN && now_ms() < until,
                      "no watch event for %s", path);
        usleep(1000);
    }
    ck_assert_str_eq(v[XS_WATCH_PATH], path);
    ck_assert_str_eq(v[XS_WATCH_TOKEN], token);
    free(v);
}

void xsdt_xs_no_event(struct xs_handle *h)
{
    char *p = xs_get_domain_path(h, 0);     /* a round trip */
    char **v;

    free(p);
    v = xs_check_watch(h);
    ck_assert_msg(v == NULL, "unexpected event %s", v ? v[0] : "");
}

/* ---- running a suite ---- */

int xsdt_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    signal(SIGPIPE, SIG_IGN);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
