/* test_xsc.c - the xenstore client, through both of its backends:
 * libxenstore talking to a store (toolstack/sim/xsd) served by a child process,
 * and the simulated host's in-process store (hv_store_open on sim:///):
 * nodes, permissions, transactions (conflicts, aborts), and watches on a
 * libevent loop. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "hv.h"
#include "xsc.h"
#include "sim/xsd/xsd.h"

static char dir[64], sock[100];
static pid_t server;
static struct event_base *g_base;   /* the loop of this test */
static struct hv *g_sim;            /* in-process mode: the sim host */

/* The child: serve a store until killed. */
static void serve(void)
{
    signal(SIGTERM, SIG_DFL);       /* not Check's handler, inherited */
    struct event_base *base = event_base_new();
    struct xsd *x;
    struct xn_msg msg;
    if (xsd_new(base, sock, NULL, &x, &msg) < 0) {
        fprintf(stderr, "xsd_new: %s\n", msg.text);
        _exit(1);
    }
    event_base_dispatch(base);
    _exit(0);
}

/* The server listens: a connection gets in (the socket file appears at
 * bind(), a moment before listen(), so its existence is not enough). */
static bool listening(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void setup(void)
{
    g_base = event_base_new();
    snprintf(dir, sizeof(dir), "/tmp/xsc-test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(sock, sizeof(sock), "%s/socket", dir);
    server = fork();
    if (server == 0)
        serve();
    for (int i = 0; i < 500 && !listening(); i++)
        usleep(10000);
    ck_assert_msg(listening(), "no store listens at %s", sock);
}

static void teardown(void)
{
    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
    unlink(sock);
    rmdir(dir);
    event_base_free(g_base);
}

static void setup_sim(void)
{
    struct hv_open_opts opts = {0};
    struct xn_msg msg;
    g_base = event_base_new();
    ck_assert_msg(hv_open("sim:///xsc", g_base, &opts, NULL, NULL, &g_sim,
                          &msg) == 0, "%s", msg.text);
}

static void teardown_sim(void)
{
    hv_close(g_sim);
    g_sim = NULL;
    event_base_free(g_base);
}

static struct xsc *connect_to(void)
{
    struct xsc *x;
    struct xn_msg msg;
    int rc = g_sim ? hv_store_open(g_sim, &x, &msg)
                   : xsc_open(g_base, sock, &x, &msg);
    ck_assert_msg(rc == 0, "%s", msg.text);
    return x;
}

START_TEST(nodes)
{
    struct xsc *x = connect_to();
    struct xn_msg msg;
    char *v, **names;
    unsigned n;
    size_t len;
    uint64_t num;

    ck_assert_int_eq(xsc_write_str(x, "/local/domain/7/name", "web1", &msg),
                     0);
    ck_assert_int_eq(xsc_read(x, "/local/domain/7/name", &v, &len, &msg), 0);
    ck_assert_str_eq(v, "web1");
    ck_assert_uint_eq(len, 4);
    free(v);
    ck_assert_int_eq(xsc_write_str(x, "/local/domain/7/memory/target",
                                   "524288", &msg), 0);
    ck_assert_int_eq(xsc_read_u64(x, "/local/domain/7/memory/target", &num,
                                  &msg), 0);
    ck_assert_uint_eq(num, 524288);
    ck_assert_int_eq(xsc_read_u64(x, "/local/domain/7/name", &num, &msg),
                     XN_EINVAL);
    ck_assert_ptr_nonnull(strstr(msg.text, "holds \"web1\", not a number"));
    ck_assert_int_eq(xsc_mkdir(x, "/local/domain/7/data", &msg), 0);
    ck_assert_int_eq(xsc_directory(x, "/local/domain/7", &names, &n, &msg),
                     0);
    ck_assert_uint_eq(n, 3);
    free(names);
    ck_assert(xsc_exists(x, "/local/domain/7/data"));
    ck_assert_int_eq(xsc_rm(x, "/local/domain/7", &msg), 0);
    ck_assert(!xsc_exists(x, "/local/domain/7/name"));
    ck_assert_int_eq(xsc_rm(x, "/local/domain/7", &msg), 0);  /* again */
    ck_assert_int_eq(xsc_read(x, "/local/domain/7/name", &v, NULL, &msg),
                     XN_ENOENT);
    ck_assert_str_eq(msg.text, "xenstore: cannot read /local/domain/7/name:"
                     " No such file or directory");
    ck_assert_int_eq(xsc_write_str(x, "no/leading/slash/../x", "v", &msg),
                     XN_EINVAL);
    xsc_close(x);
}
END_TEST

START_TEST(permissions)
{
    struct xsc *x = connect_to();
    struct xsc_perm p[2], *got;
    struct xn_msg msg;
    unsigned n;
    char buf[16];

    ck_assert_int_eq(xsc_perm_parse("n0", &p[0], &msg), 0);
    ck_assert_int_eq(xsc_perm_parse("r5", &p[1], &msg), 0);
    ck_assert_int_eq(xsc_perm_parse("x5", &p[1], &msg), XN_EINVAL);
    ck_assert_int_eq(xsc_perm_parse("r", &p[1], &msg), XN_EINVAL);
    ck_assert_int_eq(xsc_perm_parse("r5", &p[1], &msg), 0);
    ck_assert_int_eq(xsc_write_str(x, "/tool/t", "1", &msg), 0);
    ck_assert_int_eq(xsc_set_perms(x, "/tool/t", p, 2, &msg), 0);
    ck_assert_int_eq(xsc_get_perms(x, "/tool/t", &got, &n, &msg), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(xsc_perm_format(&got[0], buf), "n0");
    ck_assert_str_eq(xsc_perm_format(&got[1], buf), "r5");
    free(got);
    ck_assert_int_eq(xsc_set_perms(x, "/tool/t", p, 0, &msg), XN_EINVAL);
    xsc_close(x);
}
END_TEST

struct bump {
    struct xsc *other;      /* writes behind our back on the first run */
    int runs;
};

/* Increment /tool/counter; on the first run another client changes it
 * between our read and our commit. */
static int bump_body(struct xsc *x, void *arg, struct xn_msg *msg)
{
    struct bump *b = arg;
    uint64_t v = 0;
    char num[32];
    int rc = xsc_read_u64(x, "/tool/counter", &v, msg);

    if (rc < 0)
        return rc;
    if (b->runs++ == 0)
        ck_assert_int_eq(xsc_write_str(b->other, "/tool/counter", "100",
                                       msg), 0);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)v + 1);
    return xsc_write_str(x, "/tool/counter", num, msg);
}

static int failing_body(struct xsc *x, void *arg, struct xn_msg *msg)
{
    xsc_write_str(x, "/tool/counter", "999", msg);
    return xn_msg_set(msg, XN_EINVAL, "changed my mind");
}

START_TEST(aborts)
{
    struct xsc *x = connect_to();
    struct xn_msg msg;
    uint64_t v;

    ck_assert_int_eq(xsc_write_str(x, "/tool/counter", "101", &msg), 0);
    ck_assert_int_eq(xsc_transaction(x, failing_body, NULL, 5, &msg),
                     XN_EINVAL);
    ck_assert_str_eq(msg.text, "changed my mind");
    ck_assert_int_eq(xsc_read_u64(x, "/tool/counter", &v, &msg), 0);
    ck_assert_uint_eq(v, 101);                  /* aborted: unchanged */
    xsc_close(x);
}
END_TEST

START_TEST(transactions)
{
    struct xsc *x = connect_to(), *y = connect_to();
    struct bump b = {.other = y};
    struct xn_msg msg;
    uint64_t v;

    ck_assert_int_eq(xsc_write_str(x, "/tool/counter", "1", &msg), 0);
    ck_assert_int_eq(xsc_transaction(x, bump_body, &b, 5, &msg), 0);
    ck_assert_int_eq(b.runs, 2);                /* conflict, then commit */
    ck_assert_uint_eq(xsc_conflicts(x), 1);
    ck_assert_int_eq(xsc_read_u64(x, "/tool/counter", &v, &msg), 0);
    ck_assert_uint_eq(v, 101);                  /* nothing lost */

    b.runs = 0;                                  /* every run conflicts */
    ck_assert_int_eq(xsc_transaction(x, bump_body, &b, 1, &msg), XN_EBUSY);
    ck_assert_ptr_nonnull(strstr(msg.text, "conflict 1 times"));
    xsc_close(x);
    xsc_close(y);
}
END_TEST

struct seen {
    struct event_base *base;
    char paths[8][128];
    int n;
    struct xsc_watch *self;     /* unwatch from inside the callback */
    bool unwatch_at_2;
};

static void on_change(void *opaque, const char *path)
{
    struct seen *s = opaque;
    if (s->n < 8)
        snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", path);
    s->n++;
    if (s->unwatch_at_2 && s->n == 2)
        xsc_unwatch(s->self);
    event_base_loopbreak(s->base);
}

/* Run the loop until `s` has `want` events or a second passes. */
static void run_until(struct seen *s, int want)
{
    for (int i = 0; i < 20 && s->n < want; i++) {
        struct timeval tv = {0, 50000};
        event_base_loopexit(s->base, &tv);
        event_base_dispatch(s->base);
    }
}

START_TEST(watches)
{
    struct xsc *x = connect_to();
    struct seen s = {.base = g_base, .unwatch_at_2 = true};
    struct xn_msg msg;

    ck_assert_int_eq(xsc_watch(x, "/local/domain/3/memory", on_change, &s,
                               &s.self, &msg), 0);
    run_until(&s, 1);
    ck_assert_int_eq(s.n, 1);                   /* the initial event */
    ck_assert_str_eq(s.paths[0], "/local/domain/3/memory");
    ck_assert_int_eq(xsc_write_str(x, "/local/domain/3/memory/target", "1",
                                   &msg), 0);
    run_until(&s, 2);
    ck_assert_int_eq(s.n, 2);
    ck_assert_str_eq(s.paths[1], "/local/domain/3/memory/target");
    /* The callback unwatched itself: later changes are not seen. */
    ck_assert_int_eq(xsc_write_str(x, "/local/domain/3/memory/target", "2",
                                   &msg), 0);
    run_until(&s, 3);
    ck_assert_int_eq(s.n, 2);
    xsc_close(x);
}
END_TEST

START_TEST(no_store)
{
    struct xsc *x;
    struct xn_msg msg;
    ck_assert_int_eq(xsc_open(NULL, "/nonexistent/socket", &x, &msg),
                     XN_ECONNECT);
    ck_assert_ptr_nonnull(strstr(msg.text, "/nonexistent/socket"));
}
END_TEST

START_TEST(paths)
{
    char buf[XSC_PATH_MAX];
    uint8_t u[16];
    for (int i = 0; i < 16; i++)
        u[i] = (uint8_t)i;
    ck_assert_str_eq(xsc_dom_path(buf, 5, "memory/target"),
                     "/local/domain/5/memory/target");
    ck_assert_str_eq(xsc_dom_path(buf, 5, NULL), "/local/domain/5");
    ck_assert_str_eq(xsc_vm_path(buf, u, "name"),
                     "/vm/00010203-0405-0607-0809-0a0b0c0d0e0f/name");
    ck_assert_str_eq(xsc_xenith_path(buf, u, "policy/priority"),
                     "/vm/00010203-0405-0607-0809-0a0b0c0d0e0f/xenith/"
                     "policy/priority");
    char *long_rel = malloc(XSC_PATH_MAX + 10);
    memset(long_rel, 'a', XSC_PATH_MAX + 9);
    long_rel[XSC_PATH_MAX + 9] = '\0';
    ck_assert_str_eq(xsc_dom_path(buf, 5, long_rel), "");
    free(long_rel);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xsc");
    TCase *tc = tcase_create("libxenstore");
    TCase *sim = tcase_create("in-process");
    signal(SIGPIPE, SIG_IGN);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, nodes);
    tcase_add_test(tc, permissions);
    tcase_add_test(tc, aborts);
    tcase_add_test(tc, transactions);
    tcase_add_test(tc, watches);
    tcase_add_test(tc, no_store);
    tcase_add_test(tc, paths);
    suite_add_tcase(s, tc);
    /* The same calls on the simulated host's in-process store.  Its
     * transactions cannot meet a conflict: nothing else runs while a body
     * does. */
    tcase_add_checked_fixture(sim, setup_sim, teardown_sim);
    tcase_add_test(sim, nodes);
    tcase_add_test(sim, permissions);
    tcase_add_test(sim, aborts);
    tcase_add_test(sim, watches);
    suite_add_tcase(s, sim);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
