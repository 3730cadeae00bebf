/*
 * test_xsd.c - the simulated host's xenstore (toolstack/xsd).
 *
 * Three ways in:
 *  - libxenstore (xs_open with XENSTORED_PATH) against a server running in
 *    a forked child, as the toolstack and the xenstore-* tools use it;
 *  - raw wire messages against a server on this process's own loop, pumped
 *    by the test between reads, for malformed input, limits and the
 *    owner's API;
 *  - the path and tree layers directly, for what a socket client (always
 *    dom0) cannot reach: other domains' permissions.
 */
#include <check.h>
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
#include <xenstore.h>

#include "xsd/xsd.h"
#include "xsd/xsd_int.h"

/* ---- a server on this process's loop ---- */

static char tmpdir[64];
static char sock[128];
static struct event_base *base;
static struct xsd *xs;

static void mktmp(void)
{
    strcpy(tmpdir, "/tmp/xsd-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(sock, sizeof(sock), "%s/socket", tmpdir);
}

static void start(const struct xsd_limits *lim)
{
    struct xn_msg msg;

    mktmp();
    base = event_base_new();
    ck_assert_ptr_nonnull(base);
    ck_assert_int_eq(xsd_new(base, sock, lim, &xs, &msg), 0);
}

static void stop(void)
{
    xsd_free(xs);
    xs = NULL;
    ck_assert_int_ne(access(sock, F_OK), 0);    /* socket removed */
    event_base_free(base);
    base = NULL;
    rmdir(tmpdir);
}

static void pump(void)
{
    event_base_loop(base, EVLOOP_NONBLOCK);
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- a raw wire client of that server ---- */

struct rmsg {
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1];
};

struct cli {
    int fd;
    uint32_t req;
    bool eof;
    size_t have;
    char buf[1 << 16];
    unsigned nev;
    char ev[32][256];       /* watch events seen, "path|token" */
};

static struct cli *cli_new(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    struct cli *c = calloc(1, sizeof(*c));

    ck_assert_ptr_nonnull(c);
    strcpy(sa.sun_path, sock);
    c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(c->fd, 0);
    ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    pump();
    return c;
}

static void cli_free(struct cli *c)
{
    close(c->fd);
    free(c);
    pump();
}

static void cli_raw(struct cli *c, const void *p, size_t len)
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
            pump();
        }
    }
}

static void cli_send(struct cli *c, uint32_t type, uint32_t req,
                     uint32_t tx, const void *p, size_t len)
{
    struct xsd_sockmsg h = {type, req, tx, (uint32_t)len};

    cli_raw(c, &h, sizeof(h));
    if (len)
        cli_raw(c, p, len);
}

/* The next message: 1, or 0 at end of file, -1 after timeout_ms. */
static int cli_next(struct cli *c, struct rmsg *m, int timeout_ms)
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
        pump();
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
static const char *show(const struct rmsg *m, char *out)
{
    size_t len = m->h.len;

    if (len && m->body[len - 1] == '\0')
        len--;
    for (size_t i = 0; i < len; i++)
        out[i] = m->body[i] ? m->body[i] : '|';
    out[len] = '\0';
    return out;
}

static void keep_event(struct cli *c, const struct rmsg *m)
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
static const char *call(struct cli *c, uint32_t type, uint32_t tx,
                        const void *p, size_t len)
{
    static char out[XENSTORE_PAYLOAD_MAX + 2];
    struct rmsg m;
    uint32_t req = ++c->req;

    cli_send(c, type, req, tx, p, len);
    for (;;) {
        int r = cli_next(c, &m, 3000);

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

/* A string literal with its final NUL, as a payload. */
#define LIT(s) (s), sizeof(s)

/* Requests whose payload is one or two strings, or a path and a value. */
static const char *call1(struct cli *c, uint32_t type, uint32_t tx,
                         const char *a)
{
    return call(c, type, tx, a, strlen(a) + 1);
}

static const char *call2(struct cli *c, uint32_t type, uint32_t tx,
                         const char *a, const char *b)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t la = strlen(a) + 1, lb = strlen(b) + 1;

    memcpy(buf, a, la);
    memcpy(buf + la, b, lb);
    return call(c, type, tx, buf, la + lb);
}

static const char *wr(struct cli *c, uint32_t tx, const char *path,
                      const char *value)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t lp = strlen(path) + 1, lv = strlen(value);

    memcpy(buf, path, lp);
    memcpy(buf + lp, value, lv);
    return call(c, XS_WRITE, tx, buf, lp + lv);
}

/* The next watch event, "path|token", waiting for it if need be. */
static const char *next_event(struct cli *c)
{
    static char out[256];
    struct rmsg m;

    while (c->nev == 0) {
        ck_assert_msg(cli_next(c, &m, 3000) == 1, "no watch event");
        ck_assert_uint_eq(m.h.type, XS_WATCH_EVENT);
        keep_event(c, &m);
    }
    strcpy(out, c->ev[0]);
    memmove(c->ev[0], c->ev[1], (--c->nev) * sizeof(c->ev[0]));
    return out;
}

/* No event pending: events are sent before any later reply, so after a
 * round trip anything due has arrived. */
static void no_event(struct cli *c)
{
    call1(c, XS_GET_DOMAIN_PATH, 0, "0");
    ck_assert_msg(c->nev == 0, "unexpected event %s", c->ev[0]);
}

/* ---- a server in a forked child, for libxenstore ---- */

static pid_t child;

static void child_stop(evutil_socket_t s, short what, void *b)
{
    event_base_loopexit(b, NULL);
}

static void fork_start(const struct xsd_limits *lim)
{
    int p[2];
    char c;

    mktmp();
    ck_assert_int_eq(setenv("XENSTORED_PATH", sock, 1), 0);
    ck_assert_int_eq(pipe(p), 0);
    child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        struct xn_msg msg;
        struct event *term;
        int rc = 1;

        close(p[0]);
        base = event_base_new();
        if (base && xsd_new(base, sock, lim, &xs, &msg) == 0) {
            term = evsignal_new(base, SIGTERM, child_stop, base);
            event_add(term, NULL);
            if (write(p[1], "r", 1) == 1)
                event_base_dispatch(base);
            event_free(term);
            xsd_free(xs);
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

static void fork_stop(void)
{
    int status;

    kill(child, SIGTERM);
    ck_assert_int_eq(waitpid(child, &status, 0), child);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_int_ne(access(sock, F_OK), 0);
    rmdir(tmpdir);
}

static void xs_expect(struct xs_handle *h, const char *path,
                      const char *want)
{
    unsigned len;
    char *v = xs_read(h, XBT_NULL, path, &len);

    ck_assert_msg(v != NULL, "cannot read %s: %s", path, strerror(errno));
    ck_assert_str_eq(v, want);
    ck_assert_uint_eq(len, strlen(want));
    free(v);
}

static void xs_absent(struct xs_handle *h, xs_transaction_t t,
                      const char *path)
{
    ck_assert_ptr_null(xs_read(h, t, path, NULL));
    ck_assert_int_eq(errno, ENOENT);
}

/* The next watch event (path, token), waiting up to 3 seconds. */
static void xs_event(struct xs_handle *h, const char *path,
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

static void xs_no_event(struct xs_handle *h)
{
    char *p = xs_get_domain_path(h, 0);     /* a round trip */
    char **v;

    free(p);
    v = xs_check_watch(h);
    ck_assert_msg(v == NULL, "unexpected event %s", v ? v[0] : "");
}

/* ---- paths and permissions, directly ---- */

START_TEST(paths)
{
    char out[XSD_PATH_BUF], big[XSD_PATH_BUF + 10];
    struct xsd_perm p;
    uint32_t d;

    ck_assert_int_eq(xsd_path_canon("/", 0, out), 0);
    ck_assert_str_eq(out, "/");
    ck_assert_int_eq(xsd_path_canon("/a-b/C_9/@x", 0, out), 0);
    ck_assert_int_eq(xsd_path_canon("name", 7, out), 0);
    ck_assert_str_eq(out, "/local/domain/7/name");
    ck_assert_int_eq(xsd_path_canon("a/b", 0, out), 0);
    ck_assert_str_eq(out, "/local/domain/0/a/b");
    static const char *const bad[] = {
        "", "//", "/a//b", "/a/", "/a b", "/a.b", "/ä", "@introduceDomain",
        "a/", "/a\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(xsd_path_canon(bad[i], 0, out) == -EINVAL,
                      "\"%s\" accepted", bad[i]);
    ck_assert_int_eq(xsd_path_canon(NULL, 0, out), -EINVAL);

    /* At most 2048 bytes, counted below /local/domain/N/ there. */
    memset(big, 'a', sizeof(big));
    big[0] = '/';
    big[XENSTORE_REL_PATH_MAX] = '\0';
    ck_assert_int_eq(xsd_path_canon(big, 0, out), 0);
    big[XENSTORE_REL_PATH_MAX] = 'a';
    big[XENSTORE_REL_PATH_MAX + 1] = '\0';
    ck_assert_int_eq(xsd_path_canon(big, 0, out), -EINVAL);
    ck_assert_int_eq(xsd_path_canon(big + 1, 3, out), 0);
    big[XENSTORE_REL_PATH_MAX + 1] = 'a';
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(xsd_path_canon(big, 0, out), -EINVAL);
    ck_assert_int_eq(xsd_path_canon(big + 1, 3, out), -EINVAL);

    ck_assert(xsd_path_is_child("/a/b", "/a"));
    ck_assert(xsd_path_is_child("/a", "/a"));
    ck_assert(xsd_path_is_child("/a", "/"));
    ck_assert(!xsd_path_is_child("/ab", "/a"));
    ck_assert(!xsd_path_is_child("/a", "/a/b"));

    ck_assert_int_eq(xsd_perm_parse("b12", &p), 0);
    ck_assert_uint_eq(p.domid, 12);
    ck_assert_uint_eq(p.perms, XSD_PERM_BOTH);
    ck_assert_int_eq(xsd_perm_parse("n0", &p), 0);
    ck_assert_uint_eq(p.perms, XSD_PERM_NONE);
    ck_assert_int_eq(xsd_perm_parse("x1", &p), -EINVAL);
    ck_assert_int_eq(xsd_perm_parse("r", &p), -EINVAL);
    ck_assert_int_eq(xsd_perm_parse("r1x", &p), -EINVAL);
    ck_assert_int_eq(xsd_perm_parse("r70000", &p), -EINVAL);
    ck_assert_int_eq(xsd_domid_parse("65535", &d), 0);
    ck_assert_int_eq(xsd_domid_parse("-1", &d), -EINVAL);
    ck_assert_int_eq(xsd_domid_parse("", &d), -EINVAL);
}
END_TEST

/* What a guest domain may do: the rules a dom0 socket never meets. */
START_TEST(guest_permissions)
{
    uint64_t gen = 0;
    struct xsd_tree t;
    struct xsd_caller dom0 = {.domid = 0}, g = {.domid = 5};
    struct xsd_perm n0[1] = {{0, XSD_PERM_NONE}};
    struct xsd_perm r5[2] = {{0, XSD_PERM_NONE}, {5, XSD_PERM_READ}};
    struct xsd_perm b5[2] = {{0, XSD_PERM_NONE}, {5, XSD_PERM_BOTH}};
    struct xsd_perm own5[1] = {{5, XSD_PERM_READ}};
    const struct xsd_node *n;
#define OP(k, p, ...) (&(struct xsd_op){.kind = (k), .path = (p), __VA_ARGS__})

    ck_assert_int_eq(xsd_tree_init(&t, &gen), 0);
    ck_assert_int_eq(xsd_tree_apply(&t, &dom0, OP(XSD_OP_WRITE, "/d/x",
                                    .value = "v", .len = 1)), 0);
    ck_assert_int_eq(xsd_tree_get(&t, &g, "/d/x", &n), -EACCES);
    ck_assert_int_eq(xsd_tree_get(&t, &g, "/d/nope", &n), -ENOENT);
    ck_assert_int_eq(xsd_tree_apply(&t, &dom0, OP(XSD_OP_PERMS, "/d/x",
                                    .perms = r5, .nperms = 2)), 0);
    ck_assert_int_eq(xsd_tree_get(&t, &g, "/d/x", &n), 0);
    ck_assert_int_eq(n->len, 1);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_WRITE, "/d/x",
                                    .value = "w", .len = 1)), -EACCES);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_RM, "/d/x")), -EACCES);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_PERMS, "/d/x",
                                    .perms = b5, .nperms = 2)), -EACCES);

    /* Creating needs write access to the parent; a guest owns what it
     * creates, and may not give it away. */
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_WRITE, "/d/y/z",
                                    .value = "", .len = 0)), -EACCES);
    ck_assert_int_eq(xsd_tree_apply(&t, &dom0, OP(XSD_OP_PERMS, "/d",
                                    .perms = b5, .nperms = 2)), 0);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_WRITE, "/d/y/z",
                                    .value = "g", .len = 1)), 0);
    n = xsd_tree_find(&t, "/d/y/z");
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_eq(n->perms[0].domid, 5);
    ck_assert_uint_eq(n->nperms, 2);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_PERMS, "/d/y/z",
                                    .perms = n0, .nperms = 1)), -EPERM);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_PERMS, "/d/y/z",
                                    .perms = own5, .nperms = 1)), 0);
    ck_assert_int_eq(xsd_tree_get(&t, &g, "/d/y/z", &n), 0);
    ck_assert_int_eq(xsd_tree_apply(&t, &g, OP(XSD_OP_RM, "/d/y")), 0);
    ck_assert_uint_eq(t.nnodes, 3);         /* /, /d, /d/x */
    xsd_tree_dispose(&t);
#undef OP
}
END_TEST

/* ---- libxenstore ---- */

START_TEST(libxs_basic)
{
    struct xs_handle *h;
    struct xs_permissions *perms, set[2] = {
        {.id = 0, .perms = XS_PERM_NONE}, {.id = 5, .perms = XS_PERM_READ},
    };
    unsigned n, len;
    char **dir, *v;

    fork_start(NULL);
    h = xs_open(0);
    ck_assert_ptr_nonnull(h);

    /* The initial tree is xenstored's. */
    dir = xs_directory(h, XBT_NULL, "/", &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(dir[0], "tool");
    free(dir);
    xs_expect(h, "/tool/xenstored", "");

    ck_assert(xs_write(h, XBT_NULL, "/a/b/c", "v1", 2));
    xs_expect(h, "/a/b/c", "v1");
    xs_expect(h, "/a/b", "");
    ck_assert(xs_write(h, XBT_NULL, "/a/b/d", "v2", 2));
    dir = xs_directory(h, XBT_NULL, "/a/b", &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(dir[0], "c");
    ck_assert_str_eq(dir[1], "d");
    free(dir);
    ck_assert(xs_write(h, XBT_NULL, "/a/b/c", "v3", 2));
    xs_expect(h, "/a/b/c", "v3");

    /* Binary values keep their NULs. */
    ck_assert(xs_write(h, XBT_NULL, "/bin", "x\0y", 3));
    v = xs_read(h, XBT_NULL, "/bin", &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(memcmp(v, "x\0y", 3), 0);
    free(v);

    /* mkdir keeps what exists. */
    ck_assert(xs_mkdir(h, XBT_NULL, "/m/n"));
    xs_expect(h, "/m/n", "");
    ck_assert(xs_mkdir(h, XBT_NULL, "/a/b/c"));
    xs_expect(h, "/a/b/c", "v3");

    /* rm takes the subtree; a missing node is fine if its parent is
     * there; "/" cannot go. */
    ck_assert(xs_rm(h, XBT_NULL, "/a/b"));
    xs_absent(h, XBT_NULL, "/a/b/c");
    xs_absent(h, XBT_NULL, "/a/b");
    xs_expect(h, "/a", "");
    ck_assert(xs_rm(h, XBT_NULL, "/a/zzz"));
    ck_assert(!xs_rm(h, XBT_NULL, "/q/zzz"));
    ck_assert_int_eq(errno, ENOENT);
    ck_assert(!xs_rm(h, XBT_NULL, "/"));
    ck_assert_int_eq(errno, EINVAL);

    /* Bad paths. */
    ck_assert(!xs_write(h, XBT_NULL, "/bad//path", "x", 1));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(!xs_write(h, XBT_NULL, "/bad/", "x", 1));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(!xs_read(h, XBT_NULL, "/sp ace", NULL));
    ck_assert_int_eq(errno, EINVAL);

    /* Relative paths are below /local/domain/0 for the socket. */
    ck_assert(xs_write(h, XBT_NULL, "rel/k", "r", 1));
    xs_expect(h, "/local/domain/0/rel/k", "r");
    xs_expect(h, "rel/k", "r");
    v = xs_get_domain_path(h, 7);
    ck_assert_str_eq(v, "/local/domain/7");
    free(v);

    /* Permissions: listed, set, inherited by new children. */
    perms = xs_get_permissions(h, XBT_NULL, "/a", &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(perms[0].id, 0);
    ck_assert_uint_eq(perms[0].perms, XS_PERM_NONE);
    free(perms);
    ck_assert(xs_set_permissions(h, XBT_NULL, "/a", set, 2));
    ck_assert(xs_write(h, XBT_NULL, "/a/child", "c", 1));
    perms = xs_get_permissions(h, XBT_NULL, "/a/child", &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(perms[1].id, 5);
    ck_assert_uint_eq(perms[1].perms, XS_PERM_READ);
    free(perms);
    ck_assert(!xs_set_permissions(h, XBT_NULL, "/nope", set, 2));
    ck_assert_int_eq(errno, ENOENT);

    /* CONTROL, as xenstore-control sends it. */
    v = xs_control_command(h, "check", NULL, 0);
    ck_assert_str_eq(v, "OK");
    free(v);
    ck_assert_ptr_null(xs_control_command(h, "no-such-command", NULL, 0));
    ck_assert_int_eq(errno, EINVAL);

    xs_close(h);
    fork_stop();
}
END_TEST

START_TEST(libxs_transactions)
{
    struct xs_handle *h1, *h2;
    xs_transaction_t t, ta, tb;
    unsigned n;
    char **dir;

    fork_start(NULL);
    h1 = xs_open(0);
    h2 = xs_open(0);
    ck_assert(h1 && h2);
    ck_assert(xs_write(h1, XBT_NULL, "/t/x", "0", 1));

    /* Commit: private until the end, then visible. */
    t = xs_transaction_start(h1);
    ck_assert_uint_ne(t, XBT_NULL);
    ck_assert(xs_write(h1, t, "/t/x", "1", 1));
    ck_assert(xs_write(h1, t, "/t/new/deep", "d", 1));
    ck_assert(xs_rm(h1, t, "/t/x"));
    ck_assert(xs_write(h1, t, "/t/x", "1", 1));
    xs_absent(h2, XBT_NULL, "/t/new");
    xs_expect(h2, "/t/x", "0");
    ck_assert(xs_transaction_end(h1, t, false));
    xs_expect(h2, "/t/x", "1");
    xs_expect(h2, "/t/new/deep", "d");

    /* Abort: nothing happened. */
    t = xs_transaction_start(h1);
    ck_assert(xs_write(h1, t, "/t/x", "2", 1));
    ck_assert(xs_rm(h1, t, "/t/new"));
    ck_assert(xs_transaction_end(h1, t, true));
    xs_expect(h1, "/t/x", "1");
    xs_expect(h1, "/t/new/deep", "d");

    /* Two that touch the same node: the second to end gets EAGAIN. */
    ta = xs_transaction_start(h1);
    tb = xs_transaction_start(h2);
    xs_expect(h1, "/t/x", "1");
    free(xs_read(h1, ta, "/t/x", NULL));
    free(xs_read(h2, tb, "/t/x", NULL));
    ck_assert(xs_write(h1, ta, "/t/x", "A", 1));
    ck_assert(xs_write(h2, tb, "/t/x", "B", 1));
    ck_assert(xs_transaction_end(h1, ta, false));
    ck_assert(!xs_transaction_end(h2, tb, false));
    ck_assert_int_eq(errno, EAGAIN);
    xs_expect(h1, "/t/x", "A");

    /* A change elsewhere is no conflict. */
    ta = xs_transaction_start(h1);
    ck_assert(xs_write(h1, ta, "/t/y", "y", 1));
    ck_assert(xs_write(h2, XBT_NULL, "/t/x", "C", 1));
    ck_assert(xs_transaction_end(h1, ta, false));
    xs_expect(h2, "/t/y", "y");

    /* A listed directory that gains a child is a conflict. */
    ta = xs_transaction_start(h1);
    dir = xs_directory(h1, ta, "/t", &n);
    free(dir);
    ck_assert(xs_write(h1, ta, "/t/count", "3", 1));
    ck_assert(xs_write(h2, XBT_NULL, "/t/z", "z", 1));
    ck_assert(!xs_transaction_end(h1, ta, false));
    ck_assert_int_eq(errno, EAGAIN);
    xs_absent(h1, XBT_NULL, "/t/count");

    /* A node read as missing that appears meanwhile is a conflict. */
    ta = xs_transaction_start(h1);
    xs_absent(h1, ta, "/t/lock");
    ck_assert(xs_write(h1, ta, "/t/y", "me", 2));
    ck_assert(xs_write(h2, XBT_NULL, "/t/lock", "1", 1));
    ck_assert(!xs_transaction_end(h1, ta, false));
    ck_assert_int_eq(errno, EAGAIN);

    /* Ended transactions are gone. */
    ck_assert(!xs_write(h1, ta, "/t/x", "x", 1));
    ck_assert_int_eq(errno, ENOENT);

    xs_close(h1);
    xs_close(h2);
    fork_stop();
}
END_TEST

START_TEST(libxs_watches)
{
    struct xs_handle *h, *w;

    fork_start(NULL);
    h = xs_open(0);
    w = xs_open(0);
    ck_assert(h && w);

    /* Fires at once, then on changes at or below the path. */
    ck_assert(xs_watch(w, "/w", "tok"));
    xs_event(w, "/w", "tok");
    ck_assert(xs_write(h, XBT_NULL, "/w/a", "1", 1));
    xs_event(w, "/w/a", "tok");
    ck_assert(xs_write(h, XBT_NULL, "/other", "1", 1));
    ck_assert(xs_write(h, XBT_NULL, "/ww", "1", 1));
    xs_no_event(w);
    ck_assert(xs_rm(h, XBT_NULL, "/w"));
    xs_event(w, "/w", "tok");
    ck_assert(!xs_watch(w, "/w", "tok"));
    ck_assert_int_eq(errno, EEXIST);

    /* The removal of an ancestor reports the watched path. */
    ck_assert(xs_watch(w, "/x/y/z", "deep"));
    xs_event(w, "/x/y/z", "deep");
    ck_assert(xs_mkdir(h, XBT_NULL, "/x/y/z"));
    xs_event(w, "/x/y/z", "deep");
    ck_assert(xs_rm(h, XBT_NULL, "/x"));
    xs_event(w, "/x/y/z", "deep");
    xs_no_event(w);

    /* Permission changes fire too. */
    ck_assert(xs_write(h, XBT_NULL, "/w", "", 0));
    xs_event(w, "/w", "tok");
    ck_assert(xs_set_permissions(h, XBT_NULL, "/w",
                                 &(struct xs_permissions){0, XS_PERM_READ},
                                 1));
    xs_event(w, "/w", "tok");

    /* Unwatch. */
    ck_assert(xs_unwatch(w, "/w", "tok"));
    ck_assert(xs_write(h, XBT_NULL, "/w/b", "1", 1));
    xs_no_event(w);
    ck_assert(!xs_unwatch(w, "/w", "tok"));
    ck_assert_int_eq(errno, ENOENT);

    /* Transactions fire when they commit, not before. */
    xs_transaction_t t = xs_transaction_start(h);
    ck_assert(xs_write(h, t, "/x/y/z", "t", 1));
    xs_no_event(w);
    ck_assert(xs_transaction_end(h, t, false));
    xs_event(w, "/x/y/z", "deep");

    /* Domains come and go. */
    ck_assert(xs_watch(w, "@introduceDomain", "in"));
    xs_event(w, "@introduceDomain", "in");
    ck_assert(xs_watch(w, "@releaseDomain", "out"));
    xs_event(w, "@releaseDomain", "out");
    ck_assert(!xs_is_domain_introduced(h, 5));
    ck_assert(xs_is_domain_introduced(h, 0));
    ck_assert(xs_introduce_domain(h, 5, 1234, 7));
    xs_event(w, "@introduceDomain", "in");
    ck_assert(xs_is_domain_introduced(h, 5));
    ck_assert(!xs_introduce_domain(h, 0, 1234, 7));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(xs_resume_domain(h, 5));
    ck_assert(xs_release_domain(h, 5));
    xs_event(w, "@releaseDomain", "out");
    ck_assert(!xs_is_domain_introduced(h, 5));
    ck_assert(!xs_release_domain(h, 5));
    ck_assert_int_eq(errno, ENOENT);
    xs_no_event(w);

    xs_close(h);
    xs_close(w);
    fork_stop();
}
END_TEST

/* Read-increment-write in transactions from several processes at once:
 * conflicts make some retry, none is lost. */
static int increment(int times)
{
    struct xs_handle *h = xs_open(0);

    for (int i = 0; h && i < times; i++) {
        for (;;) {
            xs_transaction_t t = xs_transaction_start(h);
            char *v, buf[16];

            if (t == XBT_NULL)
                return 1;
            v = xs_read(h, t, "/counter", NULL);
            if (!v)
                return 1;
            snprintf(buf, sizeof(buf), "%d", atoi(v) + 1);
            free(v);
            if (!xs_write(h, t, "/counter", buf, strlen(buf)))
                return 1;
            if (xs_transaction_end(h, t, false))
                break;
            if (errno != EAGAIN)
                return 1;
        }
    }
    if (!h)
        return 1;
    xs_close(h);
    return 0;
}

START_TEST(libxs_contention)
{
    struct xs_handle *h;
    pid_t pids[4];
    int status;

    fork_start(NULL);
    h = xs_open(0);
    ck_assert(xs_write(h, XBT_NULL, "/counter", "0", 1));
    for (int i = 0; i < 4; i++) {
        pids[i] = fork();
        ck_assert_int_ge(pids[i], 0);
        if (pids[i] == 0)
            _exit(increment(25));
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    xs_expect(h, "/counter", "100");
    xs_close(h);
    fork_stop();
}
END_TEST

/* A directory longer than one message comes in DIRECTORY_PART pieces. */
START_TEST(libxs_large_directory)
{
    struct xs_handle *h;
    char path[128], **dir;
    unsigned n;

    fork_start(NULL);
    h = xs_open(0);
    ck_assert_ptr_nonnull(h);
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path),
                 "/big/child-with-a-rather-long-name-%04d", i);
        ck_assert(xs_write(h, XBT_NULL, path, "", 0));
    }
    dir = xs_directory(h, XBT_NULL, "/big", &n);
    ck_assert_ptr_nonnull(dir);
    ck_assert_uint_eq(n, 300);
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof(path), "child-with-a-rather-long-name-%04d", i);
        ck_assert_str_eq(dir[i], path);
    }
    free(dir);
    xs_close(h);
    fork_stop();
}
END_TEST

START_TEST(libxs_many_clients)
{
    struct xs_handle *h[40];
    char path[64], val[16];

    fork_start(NULL);
    for (int i = 0; i < 40; i++) {
        h[i] = xs_open(0);
        ck_assert_ptr_nonnull(h[i]);
    }
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof(path), "/many/%d", i);
        snprintf(val, sizeof(val), "%d", i * i);
        ck_assert(xs_write(h[i], XBT_NULL, path, val, strlen(val)));
    }
    for (int i = 0; i < 40; i++) {
        snprintf(path, sizeof(path), "/many/%d", 39 - i);
        snprintf(val, sizeof(val), "%d", (39 - i) * (39 - i));
        xs_expect(h[i], path, val);
        xs_close(h[i]);
    }
    fork_stop();
}
END_TEST

/* ---- raw wire ---- */

START_TEST(raw_requests)
{
    struct cli *c;
    char tx[16];
    uint32_t t;

    start(NULL);
    c = cli_new();
    ck_assert_str_eq(wr(c, 0, "/r/a", "hello"), "OK");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/r/a"), "hello");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/r/none"), "!ENOENT");
    ck_assert_str_eq(call1(c, XS_MKDIR, 0, "/r/b"), "OK");
    ck_assert_str_eq(call1(c, XS_DIRECTORY, 0, "/r"), "a|b");
    ck_assert_str_eq(call1(c, XS_DIRECTORY, 0, "/r/a"), "");
    ck_assert_str_eq(call1(c, XS_GET_PERMS, 0, "/r"), "n0");
    ck_assert_str_eq(call(c, XS_SET_PERMS, 0, LIT("/r\0n0\0r3\0b4")), "OK");
    ck_assert_str_eq(call1(c, XS_GET_PERMS, 0, "/r"), "n0|r3|b4");
    ck_assert_str_eq(call(c, XS_SET_PERMS, 0, LIT("@releaseDomain\0r0")),
                     "OK");
    ck_assert_str_eq(call(c, XS_SET_PERMS, 0, LIT("@other\0r0")), "!EINVAL");
    ck_assert_str_eq(call1(c, XS_GET_DOMAIN_PATH, 0, "12"),
                     "/local/domain/12");
    ck_assert_str_eq(call1(c, XS_GET_DOMAIN_PATH, 0, "x"), "!EINVAL");
    ck_assert_str_eq(call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "3"), "F");
    ck_assert_str_eq(call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "32752"), "T");
    ck_assert_str_eq(call(c, XS_INTRODUCE, 0, LIT("3\0" "100\0" "0")),
                     "!EINVAL");
    ck_assert_str_eq(call(c, XS_INTRODUCE, 0, LIT("3\0" "100\0" "9")), "OK");
    ck_assert_str_eq(call(c, XS_SET_TARGET, 0, LIT("3\0" "0")), "OK");
    ck_assert_str_eq(call(c, XS_SET_TARGET, 0, LIT("3\0" "8")), "!ENOENT");
    ck_assert_str_eq(call1(c, XS_RELEASE, 0, "0"), "!EINVAL");
    ck_assert_str_eq(call1(c, XS_RESUME, 0, "9"), "!ENOENT");
    ck_assert_str_eq(call1(c, XS_CONTROL, 0, "help"),
                     "check\t\nlog\ton|off\nprint\t<string>\nquota\t\n"
                     "help\t\n");
    ck_assert_str_eq(call2(c, XS_CONTROL, 0, "print", "hi"), "OK");
    ck_assert_str_eq(call1(c, XS_RESET_WATCHES, 0, ""), "OK");

    /* DIRECTORY_PART: generation, names from the offset, "" at the end. */
    const char *part = call2(c, XS_DIRECTORY_PART, 0, "/r", "0");
    const char *bar = strchr(part, '|');
    ck_assert_ptr_nonnull(bar);
    ck_assert_str_eq(bar, "|a|b|");
    ck_assert_str_eq(strchr(call2(c, XS_DIRECTORY_PART, 0, "/r", "2"), '|'),
                     "|b|");
    ck_assert_str_eq(strchr(call2(c, XS_DIRECTORY_PART, 0, "/r", "99"),
                            '|'), "|");
    ck_assert_str_eq(call2(c, XS_DIRECTORY_PART, 0, "/r", "-1"), "!EINVAL");

    /* Transactions by id. */
    snprintf(tx, sizeof(tx), "%s", call1(c, XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)strtoul(tx, NULL, 10);
    ck_assert_uint_ne(t, 0);
    ck_assert_str_eq(call1(c, XS_TRANSACTION_START, t, ""), "!EBUSY");
    ck_assert_str_eq(call1(c, XS_READ, t + 100, "/r/a"), "!ENOENT");
    ck_assert_str_eq(wr(c, t, "/r/a", "in-tx"), "OK");
    ck_assert_str_eq(call1(c, XS_READ, t, "/r/a"), "in-tx");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/r/a"), "hello");
    ck_assert_str_eq(call1(c, XS_TRANSACTION_END, t, "X"), "!EINVAL");
    ck_assert_str_eq(call1(c, XS_TRANSACTION_END, 0, "T"), "!ENOENT");
    ck_assert_str_eq(call1(c, XS_TRANSACTION_END, t, "T"), "OK");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/r/a"), "in-tx");
    ck_assert_str_eq(call1(c, XS_TRANSACTION_END, t, "T"), "!ENOENT");

    /* A reply too long for the wire. */
    for (int i = 0; i < 120; i++) {
        char p[64];

        snprintf(p, sizeof(p), "/wide/a-forty-byte-long-name-for-a-child-%03d",
                 i);
        ck_assert_str_eq(call1(c, XS_MKDIR, 0, p), "OK");
    }
    ck_assert_str_eq(call1(c, XS_DIRECTORY, 0, "/wide"), "!E2BIG");

    cli_free(c);
    stop();
}
END_TEST

START_TEST(raw_malformed)
{
    struct xsd_limits lim;
    struct cli *good, *c;
    struct rmsg m;
    char junk[4096];

    memset(junk, 'j', sizeof(junk));
    xsd_limits_default(&lim);
    lim.frame_timeout_ms = 300;
    start(&lim);
    good = cli_new();
    c = cli_new();

    ck_assert_str_eq(call(c, 999, 0, "x", 2), "!ENOSYS");
    ck_assert_str_eq(call(c, XS_INVALID, 0, NULL, 0), "!ENOSYS");
    ck_assert_str_eq(call(c, XS_WATCH_EVENT, 0, "/a\0t", 5), "!ENOSYS");
    ck_assert_str_eq(call(c, XS_ERROR, 0, "EINVAL", 7), "!ENOSYS");
    ck_assert_str_eq(call(c, XS_READ, 0, "/tool", 5), "!EINVAL");
    ck_assert_str_eq(call(c, XS_READ, 0, "/tool\0/x", 9), "!EINVAL");
    ck_assert_str_eq(call(c, XS_READ, 0, NULL, 0), "!EINVAL");
    ck_assert_str_eq(call(c, XS_WRITE, 0, "/nonul", 6), "!EINVAL");
    ck_assert_str_eq(call(c, XS_WATCH, 0, "/a", 3), "!EINVAL");
    ck_assert_str_eq(call(c, XS_UNWATCH, 0, "/a", 3), "!EINVAL");
    ck_assert_str_eq(call(c, XS_SET_PERMS, 0, "/tool\0x5", 9), "!EINVAL");
    ck_assert_str_eq(call(c, XS_SET_PERMS, 0, "/tool", 6), "!EINVAL");
    ck_assert_str_eq(call(c, XS_DIRECTORY_PART, 0, "/tool", 6), "!EINVAL");
    ck_assert_str_eq(call(c, XS_INTRODUCE, 0, "1", 2), "!EINVAL");
    ck_assert_str_eq(call(c, XS_CONTROL, 0, NULL, 0), "!EINVAL");
    ck_assert_str_eq(call(c, XS_WRITE, 0, "/tool\0\0\0", 8), "OK");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/tool"), "|");   /* 2 NULs */

    /* A header claiming more than 4096 bytes: E2BIG, then closed. */
    cli_send(c, XS_WRITE, 42, 0, NULL, 0);
    ck_assert_int_eq(cli_next(c, &m, 1000), 1);
    ck_assert_uint_eq(m.h.type, XS_ERROR);
    cli_raw(c, &(struct xsd_sockmsg){XS_WRITE, 43, 0, 5000}, 16);
    cli_raw(c, junk, 100);
    ck_assert_int_eq(cli_next(c, &m, 1000), 1);
    ck_assert_uint_eq(m.h.type, XS_ERROR);
    ck_assert_uint_eq(m.h.req_id, 43);
    ck_assert_str_eq(m.body, "E2BIG");
    ck_assert_int_eq(cli_next(c, &m, 1000), 0);
    cli_free(c);
    ck_assert_str_eq(call1(good, XS_READ, 0, "/tool/xenstored"), "");

    /* A length that promises more than comes: no reply, others served,
     * and after frame_timeout_ms the connection goes. */
    c = cli_new();
    cli_raw(c, &(struct xsd_sockmsg){XS_READ, 1, 0, 100}, 16);
    cli_raw(c, "/tool\0", 6);
    ck_assert_int_eq(cli_next(c, &m, 100), -1);
    ck_assert_str_eq(call1(good, XS_READ, 0, "/tool/xenstored"), "");
    ck_assert_int_eq(cli_next(c, &m, 3000), 0);
    cli_free(c);

    /* Garbage: errors or a closed connection, never a crash. */
    srand(7);
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)rand();
    c = cli_new();
    cli_raw(c, junk, sizeof(junk));
    while (cli_next(c, &m, 500) == 1)
        ck_assert_uint_eq(m.h.type, XS_ERROR);
    cli_free(c);
    ck_assert_str_eq(call1(good, XS_READ, 0, "/tool/xenstored"), "");

    cli_free(good);
    stop();
}
END_TEST

/* Random frames of every type with random payloads, many connections. */
START_TEST(raw_fuzz)
{
    static const char alphabet[] = "/ab@0-_\0\0TF5rnwb";
    struct cli *good;
    struct rmsg m;
    char payload[256];

    start(NULL);
    good = cli_new();
    srand(1);
    for (int round = 0; round < 150; round++) {
        struct cli *c = cli_new();

        for (int f = 0; f < 20; f++) {
            uint32_t type = (uint32_t)(rand() % (XS_TYPE_COUNT + 2));
            uint32_t tx = rand() % 4 ? 0 : (uint32_t)(rand() % 3);
            size_t len = (size_t)(rand() % (int)sizeof(payload));

            for (size_t i = 0; i < len; i++)
                payload[i] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
            if (len)
                payload[0] = '/';
            cli_send(c, type, (uint32_t)f, tx, payload, len);
        }
        /* Every frame was whole, so each gets a reply: wait for the last. */
        cli_send(c, XS_GET_DOMAIN_PATH, 999, 0, "0", 2);
        do {
            ck_assert_int_eq(cli_next(c, &m, 3000), 1);
        } while (m.h.req_id != 999 || m.h.type == XS_WATCH_EVENT);
        ck_assert_uint_eq(m.h.type, XS_GET_DOMAIN_PATH);
        cli_free(c);
    }
    ck_assert_str_eq(call1(good, XS_READ, 0, "/tool/xenstored"), "");
    ck_assert_uint_eq(xs->nconns, 1);
    cli_free(good);
    stop();
}
END_TEST

START_TEST(raw_watches)
{
    struct cli *w, *c;
    char tx[16];
    uint32_t t;

    start(NULL);
    w = cli_new();
    c = cli_new();

    /* The ack comes before the first event. */
    ck_assert_str_eq(call2(w, XS_WATCH, 0, "/w", "t1"), "OK");
    ck_assert_uint_eq(w->nev, 0);
    ck_assert_str_eq(next_event(w), "/w|t1");
    ck_assert_str_eq(wr(c, 0, "/w/a/b", "1"), "OK");
    ck_assert_str_eq(next_event(w), "/w/a/b|t1");
    ck_assert_str_eq(call1(c, XS_RM, 0, "/w/a"), "OK");
    ck_assert_str_eq(next_event(w), "/w/a|t1");
    no_event(w);

    /* Relative watches report relative paths. */
    ck_assert_str_eq(call2(w, XS_WATCH, 0, "rel", "t2"), "OK");
    ck_assert_str_eq(next_event(w), "rel|t2");
    ck_assert_str_eq(wr(c, 0, "/local/domain/0/rel/x", "1"), "OK");
    ck_assert_str_eq(next_event(w), "rel/x|t2");
    ck_assert_str_eq(call2(w, XS_UNWATCH, 0, "rel", "t2"), "OK");

    /* Two watches, one change: two events; the tx_id of WATCH is ignored. */
    ck_assert_str_eq(call2(w, XS_WATCH, 77, "/", "root"), "OK");
    ck_assert_str_eq(next_event(w), "/|root");
    ck_assert_str_eq(wr(c, 0, "/w", "v"), "OK");
    ck_assert_str_eq(next_event(w), "/w|t1");
    ck_assert_str_eq(next_event(w), "/w|root");
    ck_assert_str_eq(call2(w, XS_UNWATCH, 0, "/", "root"), "OK");

    /* A transaction's changes fire at commit; an aborted one never. */
    snprintf(tx, sizeof(tx), "%s", call1(c, XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)strtoul(tx, NULL, 10);
    ck_assert_str_eq(wr(c, t, "/w/in-tx", "1"), "OK");
    no_event(w);
    ck_assert_str_eq(call1(c, XS_TRANSACTION_END, t, "T"), "OK");
    ck_assert_str_eq(next_event(w), "/w/in-tx|t1");
    snprintf(tx, sizeof(tx), "%s", call1(c, XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)strtoul(tx, NULL, 10);
    ck_assert_str_eq(wr(c, t, "/w/aborted", "1"), "OK");
    ck_assert_str_eq(call1(c, XS_TRANSACTION_END, t, "F"), "OK");
    no_event(w);

    /* RESET_WATCHES drops them all. */
    ck_assert_str_eq(call1(w, XS_RESET_WATCHES, 0, ""), "OK");
    ck_assert_str_eq(wr(c, 0, "/w/after", "1"), "OK");
    no_event(w);
    ck_assert_str_eq(call2(w, XS_UNWATCH, 0, "/w", "t1"), "!ENOENT");

    cli_free(w);
    cli_free(c);
    stop();
}
END_TEST

START_TEST(limits)
{
    struct xsd_limits lim;
    struct cli *c, *extra[3];
    char value[80], tok[8], path[128];
    struct rmsg m;

    xsd_limits_default(&lim);
    lim.max_value = 64;
    lim.max_watches_per_conn = 3;
    lim.max_txns_per_conn = 2;
    lim.max_nodes = 10;
    lim.max_conns = 4;
    start(&lim);
    c = cli_new();

    memset(value, 'v', sizeof(value));
    value[64] = '\0';
    ck_assert_str_eq(wr(c, 0, "/v", value), "OK");
    value[65] = '\0';
    value[64] = 'v';
    ck_assert_str_eq(wr(c, 0, "/v", value), "!ENOSPC");
    ck_assert_int_eq(strlen(call1(c, XS_READ, 0, "/v")), 64);
    ck_assert_int_eq(xsd_write(xs, "/v", value, 65), XN_EINVAL);

    for (int i = 0; i < 3; i++) {
        snprintf(tok, sizeof(tok), "t%d", i);
        ck_assert_str_eq(call2(c, XS_WATCH, 0, "/v", tok), "OK");
    }
    ck_assert_str_eq(call2(c, XS_WATCH, 0, "/v", "t0"), "!EEXIST");
    ck_assert_str_eq(call2(c, XS_WATCH, 0, "/v", "t9"), "!E2BIG");
    c->nev = 0;

    ck_assert_str_ne(call1(c, XS_TRANSACTION_START, 0, ""), "!ENOSPC");
    ck_assert_str_ne(call1(c, XS_TRANSACTION_START, 0, ""), "!ENOSPC");
    ck_assert_str_eq(call1(c, XS_TRANSACTION_START, 0, ""), "!ENOSPC");

    /* 4 nodes now (/, /tool, /tool/xenstored, /v): 6 more fit, not 7. */
    ck_assert_str_eq(call1(c, XS_MKDIR, 0, "/1/2/3/4/5/6/7"), "!ENOSPC");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/1"), "!ENOENT");
    ck_assert_str_eq(call1(c, XS_MKDIR, 0, "/1/2/3/4/5/6"), "OK");
    ck_assert_str_eq(wr(c, 0, "/x", "1"), "!ENOSPC");
    ck_assert_int_eq(xsd_mkdir(xs, "/y"), XN_EFAIL);
    ck_assert_str_eq(call1(c, XS_RM, 0, "/1"), "OK");

    /* A transaction's new nodes must still fit when it commits. */
    {
        char tx[16];
        uint32_t t;

        ck_assert_str_eq(call1(c, XS_RESET_WATCHES, 0, ""), "OK");
        snprintf(tx, sizeof(tx), "%s", call1(c, XS_TRANSACTION_START, 0, ""));
        t = (uint32_t)strtoul(tx, NULL, 10);
        ck_assert_str_eq(call1(c, XS_MKDIR, t, "/tx/1/2"), "OK");
        ck_assert_str_eq(call1(c, XS_MKDIR, 0, "/tool/a/b/c/d"), "OK");
        ck_assert_str_eq(call1(c, XS_TRANSACTION_END, t, "T"), "!ENOSPC");
        ck_assert_str_eq(call1(c, XS_READ, 0, "/tx"), "!ENOENT");
        ck_assert_str_eq(call1(c, XS_RM, 0, "/tool/a/b/c"), "OK");
        snprintf(tx, sizeof(tx), "%s", call1(c, XS_TRANSACTION_START, 0, ""));
        t = (uint32_t)strtoul(tx, NULL, 10);
        ck_assert_str_eq(call1(c, XS_MKDIR, t, "/tx/1/2"), "OK");
        ck_assert_str_eq(call1(c, XS_TRANSACTION_END, t, "T"), "OK");
        ck_assert_str_eq(call1(c, XS_READ, 0, "/tx/1/2"), "");
    }

    /* Connections over the limit are closed at once. */
    for (int i = 0; i < 3; i++)
        extra[i] = cli_new();
    struct cli *over = cli_new();
    ck_assert_int_eq(cli_next(over, &m, 1000), 0);
    cli_free(over);
    ck_assert_uint_eq(xs->nconns, 4);
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "/tool/xenstored");
        ck_assert_str_eq(call1(extra[i], XS_READ, 0, path), "");
        cli_free(extra[i]);
    }
    cli_free(c);
    stop();
}
END_TEST

/* A client that never reads its events is dropped, not buffered forever. */
START_TEST(unread_events)
{
    struct cli *lazy, *c;
    char token[3000];

    start(NULL);
    lazy = cli_new();
    c = cli_new();
    memset(token, 't', sizeof(token) - 1);
    token[sizeof(token) - 1] = '\0';
    ck_assert_str_eq(call2(lazy, XS_WATCH, 0, "/", token), "OK");
    for (int i = 0; i < 800 && xs->nconns == 2; i++)
        ck_assert_str_eq(wr(c, 0, "/spam", "x"), "OK");
    pump();
    ck_assert_uint_eq(xs->nconns, 1);
    cli_free(lazy);
    ck_assert_str_eq(call1(c, XS_READ, 0, "/spam"), "x");
    cli_free(c);
    stop();
}
END_TEST

/* ---- the owner's API ---- */

struct seen {
    int n;
    char last[256];
};

static void record(void *opaque, const char *path, const char *token)
{
    struct seen *s = opaque;

    s->n++;
    snprintf(s->last, sizeof(s->last), "%.120s|%.120s", path, token);
}

static void settle(void)
{
    for (int i = 0; i < 5; i++)
        pump();
}

START_TEST(owner_api)
{
    struct seen seen = {0};
    struct xsd_perm perms[2] = {{0, XSD_PERM_NONE}, {4, XSD_PERM_READ}};
    struct xsd_perm *got;
    struct cli *c;
    char *v, **names;
    size_t len;
    unsigned n;

    start(NULL);
    ck_assert_str_eq(xsd_socket_path(xs), sock);
    c = cli_new();

    ck_assert_int_eq(xsd_write_str(xs, "/o/a", "one"), 0);
    ck_assert_int_eq(xsd_read(xs, "/o/a", &v, &len), 0);
    ck_assert_str_eq(v, "one");
    ck_assert_uint_eq(len, 3);
    free(v);
    ck_assert_str_eq(call1(c, XS_READ, 0, "/o/a"), "one");
    ck_assert_str_eq(wr(c, 0, "/o/b", "two"), "OK");
    ck_assert_int_eq(xsd_read(xs, "/o/b", &v, NULL), 0);
    ck_assert_str_eq(v, "two");
    free(v);
    ck_assert_int_eq(xsd_read(xs, "/o/c", &v, NULL), XN_ENOENT);
    ck_assert_int_eq(xsd_read(xs, "bad//", &v, NULL), XN_EINVAL);
    ck_assert_int_eq(xsd_mkdir(xs, "/o/d"), 0);
    ck_assert_int_eq(xsd_directory(xs, "/o", &names, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(names[0], "a");
    ck_assert_str_eq(names[2], "d");
    ck_assert_ptr_null(names[3]);
    free(names);
    ck_assert_int_eq(xsd_set_perms(xs, "/o/a", perms, 2), 0);
    ck_assert_int_eq(xsd_get_perms(xs, "/o/a", &got, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(got[1].domid, 4);
    ck_assert_uint_eq(got[1].perms, XSD_PERM_READ);
    free(got);
    ck_assert_int_eq(xsd_set_perms(xs, "/o/a", perms, 0), XN_EINVAL);
    ck_assert_int_eq(xsd_rm(xs, "/o/d"), 0);
    ck_assert_int_eq(xsd_rm(xs, "/o/d"), 0);
    ck_assert_int_eq(xsd_rm(xs, "/zz/d"), XN_ENOENT);
    ck_assert_int_eq(xsd_rm(xs, "/"), XN_EINVAL);
    ck_assert_int_eq(xsd_write_str(xs, "rel", "0"), 0);
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/0/rel"), "0");

    /* Owner watches fire from the loop, never inside the call. */
    ck_assert_int_eq(xsd_watch(xs, "/o", "mine", record, &seen), 0);
    ck_assert_int_eq(xsd_watch(xs, "/o", "mine", record, &seen), XN_EEXIST);
    ck_assert_int_eq(seen.n, 0);
    settle();
    ck_assert_int_eq(seen.n, 1);
    ck_assert_str_eq(seen.last, "/o|mine");
    ck_assert_int_eq(xsd_write_str(xs, "/o/a", "x"), 0);
    ck_assert_int_eq(seen.n, 1);
    settle();
    ck_assert_int_eq(seen.n, 2);
    ck_assert_str_eq(seen.last, "/o/a|mine");
    ck_assert_str_eq(wr(c, 0, "/o/target", "512"), "OK");
    settle();
    ck_assert_int_eq(seen.n, 3);
    ck_assert_str_eq(seen.last, "/o/target|mine");
    ck_assert_int_eq(xsd_unwatch(xs, "/o", "mine"), 0);
    ck_assert_int_eq(xsd_unwatch(xs, "/o", "mine"), XN_ENOENT);
    ck_assert_int_eq(xsd_write_str(xs, "/o/a", "y"), 0);
    settle();
    ck_assert_int_eq(seen.n, 3);

    /* An event queued for a watch removed before delivery is dropped. */
    ck_assert_int_eq(xsd_watch(xs, "rel", "r", record, &seen), 0);
    ck_assert_int_eq(xsd_unwatch(xs, "rel", "r"), 0);
    settle();
    ck_assert_int_eq(seen.n, 3);
    ck_assert_int_eq(xsd_watch(xs, "rel", "r", record, &seen), 0);
    ck_assert_int_eq(xsd_write_str(xs, "/local/domain/0/rel/z", "1"), 0);
    settle();
    ck_assert_int_eq(seen.n, 5);
    ck_assert_str_eq(seen.last, "rel/z|r");

    /* Domains: introduce fires once; release takes the domain's nodes. */
    ck_assert_str_eq(call2(c, XS_WATCH, 0, "@introduceDomain", "i"), "OK");
    ck_assert_str_eq(call2(c, XS_WATCH, 0, "@releaseDomain", "r"), "OK");
    ck_assert_str_eq(call2(c, XS_WATCH, 0, "/local/domain/9/data", "d"),
                     "OK");
    ck_assert_str_eq(next_event(c), "@introduceDomain|i");
    ck_assert_str_eq(next_event(c), "@releaseDomain|r");
    ck_assert_str_eq(next_event(c), "/local/domain/9/data|d");
    ck_assert(!xsd_domain_is_introduced(xs, 9));
    xsd_domain_introduced(xs, 9);
    xsd_domain_introduced(xs, 9);
    ck_assert(xsd_domain_is_introduced(xs, 9));
    ck_assert_str_eq(call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "9"), "T");
    ck_assert_str_eq(next_event(c), "@introduceDomain|i");
    no_event(c);
    ck_assert_int_eq(xsd_mkdir(xs, "/local/domain/9"), 0);
    ck_assert_int_eq(xsd_mkdir(xs, "/local/domain/9/data/x"), 0);
    ck_assert_int_eq(xsd_set_perms(xs, "/local/domain/9/data",
                                   &(struct xsd_perm){9, XSD_PERM_NONE}, 1),
                     0);
    ck_assert_str_eq(next_event(c), "/local/domain/9/data/x|d");
    ck_assert_str_eq(next_event(c), "/local/domain/9/data|d");
    xsd_domain_released(xs, 9);
    ck_assert_str_eq(next_event(c), "/local/domain/9/data|d");
    ck_assert_str_eq(next_event(c), "@releaseDomain|r");
    ck_assert(!xsd_domain_is_introduced(xs, 9));
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/9/data"),
                     "!ENOENT");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/9"), "");

    ck_assert_int_eq(xsd_unwatch(xs, "rel", "r"), 0);
    cli_free(c);
    stop();
}
END_TEST

/* Domain trees as libxl lays them out, and their removal. */
START_TEST(layout)
{
    struct xsd_domain_info d = {
        .domid = 3, .name = "web1", .type = "hvm",
        .uuid = "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        .max_memkb = 1048576, .target_memkb = 1040384, .video_memkb = 8192,
        .max_vcpus = 2, .online_vcpus = 1, .store_port = 1,
        .store_mfn = 4096,
    };
    struct cli *c;

    start(NULL);
    c = cli_new();
    ck_assert_int_eq(xsd_layout_dom0(xs), 0);
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/0/name"),
                     "Domain-0");
    ck_assert_str_eq(call2(c, XS_WATCH, 0, "@introduceDomain", "i"), "OK");
    ck_assert_str_eq(call2(c, XS_WATCH, 0, "@releaseDomain", "r"), "OK");
    ck_assert_str_eq(next_event(c), "@introduceDomain|i");
    ck_assert_str_eq(next_event(c), "@releaseDomain|r");

    ck_assert_int_eq(xsd_layout_domain(xs, &d), 0);
    ck_assert_str_eq(next_event(c), "@introduceDomain|i");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/3/name"), "web1");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/3/domid"), "3");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/3/vm"),
                     "/vm/6ba7b810-9dad-11d1-80b4-00c04fd430c8");
    ck_assert_str_eq(call1(c, XS_READ, 0,
                           "/vm/6ba7b810-9dad-11d1-80b4-00c04fd430c8/name"),
                     "web1");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/3/memory/target"),
                     "1040384");
    ck_assert_str_eq(call1(c, XS_READ, 0,
                           "/local/domain/3/memory/static-max"), "1048576");
    ck_assert_str_eq(call1(c, XS_READ, 0,
                           "/local/domain/3/cpu/1/availability"), "offline");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/libxl/3/type"), "hvm");
    ck_assert_str_eq(call1(c, XS_GET_PERMS, 0, "/local/domain/3"), "n0|r3");
    ck_assert_str_eq(call1(c, XS_GET_PERMS, 0, "/local/domain/3/name"),
                     "n0|r3");
    ck_assert_str_eq(call1(c, XS_GET_PERMS, 0, "/local/domain/3/memory/target"),
                     "n0|r3");
    ck_assert_str_eq(call1(c, XS_GET_PERMS, 0,
                           "/local/domain/3/control/shutdown"), "n3");
    ck_assert_str_eq(call1(c, XS_GET_PERMS, 0,
                           "/local/domain/3/control/feature-s4"), "n3");
    ck_assert_str_eq(call1(c, XS_GET_PERMS, 0, "/local/domain/3/data"), "n3");
    ck_assert_str_eq(call1(c, XS_GET_PERMS, 0, "/libxl/3"), "n0");
    ck_assert_str_eq(call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "3"), "T");

    /* The guest's own nodes elsewhere go when it is released. */
    ck_assert_int_eq(xsd_write_str(xs, "/local/domain/0/backend/vif/3/0/x",
                                   "1"), 0);
    ck_assert_int_eq(xsd_set_perms(xs, "/local/domain/0/backend/vif/3",
                                   &(struct xsd_perm){3, XSD_PERM_NONE}, 1),
                     0);
    xsd_domain_shutdown(xs, 3);
    ck_assert_str_eq(next_event(c), "@releaseDomain|r");
    xsd_layout_remove(xs, 3);
    ck_assert_str_eq(next_event(c), "@releaseDomain|r");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/3"), "!ENOENT");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/libxl/3"), "!ENOENT");
    ck_assert_str_eq(call1(c, XS_DIRECTORY, 0, "/vm"), "");
    ck_assert_str_eq(call1(c, XS_READ, 0, "/local/domain/0/backend/vif/3"),
                     "!ENOENT");
    ck_assert_str_eq(call1(c, XS_DIRECTORY, 0, "/local/domain/0/backend/vif"),
                     "");
    ck_assert_str_eq(call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "3"), "F");
    d.domid = 0;
    ck_assert_int_eq(xsd_layout_domain(xs, &d), XN_EINVAL);
    cli_free(c);
    stop();
}
END_TEST

/* A second server on a live socket is refused; a stale one is replaced. */
START_TEST(socket_reuse)
{
    struct event_base *b2 = event_base_new();
    struct xsd *x2;
    struct xn_msg msg;
    char file[160];
    int fd;

    start(NULL);
    ck_assert_int_eq(xsd_new(b2, sock, NULL, &x2, &msg), XN_EBUSY);
    ck_assert_ptr_nonnull(strstr(msg.text, sock));
    snprintf(file, sizeof(file), "%s/plain", tmpdir);
    fd = open(file, O_CREAT | O_WRONLY, 0600);
    close(fd);
    ck_assert_int_eq(xsd_new(b2, file, NULL, &x2, &msg), XN_EEXIST);
    unlink(file);
    stop();

    /* A socket file nobody listens on. */
    mktmp();
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, sock);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
    ck_assert_int_eq(xsd_new(b2, sock, NULL, &x2, &msg), 0);
    xsd_free(x2);
    ck_assert_int_ne(access(sock, F_OK), 0);
    rmdir(tmpdir);
    event_base_free(b2);
    xsd_free(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xsd");
    TCase *tc = tcase_create("xsd");
    SRunner *sr;
    int failed;

    signal(SIGPIPE, SIG_IGN);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, paths);
    tcase_add_test(tc, guest_permissions);
    tcase_add_test(tc, libxs_basic);
    tcase_add_test(tc, libxs_transactions);
    tcase_add_test(tc, libxs_watches);
    tcase_add_test(tc, libxs_contention);
    tcase_add_test(tc, libxs_large_directory);
    tcase_add_test(tc, libxs_many_clients);
    tcase_add_test(tc, raw_requests);
    tcase_add_test(tc, raw_malformed);
    tcase_add_test(tc, raw_fuzz);
    tcase_add_test(tc, raw_watches);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, unread_events);
    tcase_add_test(tc, owner_api);
    tcase_add_test(tc, layout);
    tcase_add_test(tc, socket_reuse);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
