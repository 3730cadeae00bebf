/*
 * test_xsd_txn.c - transactions of the simulated host's xenstore through
 * libxenstore: commit, abort, conflicts, and several processes
 * incrementing one counter at once; what a transaction costs on a large
 * store (it shares the store's nodes) and the limit on open ones.  The
 * sharing itself is tested on the tree layer in test_xsd_share.c.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xsd_testlib.h"

START_TEST(libxs_transactions)
{
    struct xs_handle *h1, *h2;
    xs_transaction_t t, ta, tb;
    unsigned n;
    char **dir;

    xsdt_fork_start(NULL);
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
    xsdt_xs_absent(h2, XBT_NULL, "/t/new");
    xsdt_xs_expect(h2, "/t/x", "0");
    ck_assert(xs_transaction_end(h1, t, false));
    xsdt_xs_expect(h2, "/t/x", "1");
    xsdt_xs_expect(h2, "/t/new/deep", "d");

    /* Abort: nothing happened. */
    t = xs_transaction_start(h1);
    ck_assert(xs_write(h1, t, "/t/x", "2", 1));
    ck_assert(xs_rm(h1, t, "/t/new"));
    ck_assert(xs_transaction_end(h1, t, true));
    xsdt_xs_expect(h1, "/t/x", "1");
    xsdt_xs_expect(h1, "/t/new/deep", "d");

    /* Two that touch the same node: the second to end gets EAGAIN. */
    ta = xs_transaction_start(h1);
    tb = xs_transaction_start(h2);
    xsdt_xs_expect(h1, "/t/x", "1");
    free(xs_read(h1, ta, "/t/x", NULL));
    free(xs_read(h2, tb, "/t/x", NULL));
    ck_assert(xs_write(h1, ta, "/t/x", "A", 1));
    ck_assert(xs_write(h2, tb, "/t/x", "B", 1));
    ck_assert(xs_transaction_end(h1, ta, false));
    ck_assert(!xs_transaction_end(h2, tb, false));
    ck_assert_int_eq(errno, EAGAIN);
    xsdt_xs_expect(h1, "/t/x", "A");

    /* A change elsewhere is no conflict. */
    ta = xs_transaction_start(h1);
    ck_assert(xs_write(h1, ta, "/t/y", "y", 1));
    ck_assert(xs_write(h2, XBT_NULL, "/t/x", "C", 1));
    ck_assert(xs_transaction_end(h1, ta, false));
    xsdt_xs_expect(h2, "/t/y", "y");

    /* A listed directory that gains a child is a conflict. */
    ta = xs_transaction_start(h1);
    dir = xs_directory(h1, ta, "/t", &n);
    free(dir);
    ck_assert(xs_write(h1, ta, "/t/count", "3", 1));
    ck_assert(xs_write(h2, XBT_NULL, "/t/z", "z", 1));
    ck_assert(!xs_transaction_end(h1, ta, false));
    ck_assert_int_eq(errno, EAGAIN);
    xsdt_xs_absent(h1, XBT_NULL, "/t/count");

    /* A node read as missing that appears meanwhile is a conflict. */
    ta = xs_transaction_start(h1);
    xsdt_xs_absent(h1, ta, "/t/lock");
    ck_assert(xs_write(h1, ta, "/t/y", "me", 2));
    ck_assert(xs_write(h2, XBT_NULL, "/t/lock", "1", 1));
    ck_assert(!xs_transaction_end(h1, ta, false));
    ck_assert_int_eq(errno, EAGAIN);

    /* Ended transactions are gone. */
    ck_assert(!xs_write(h1, ta, "/t/x", "x", 1));
    ck_assert_int_eq(errno, ENOENT);

    xs_close(h1);
    xs_close(h2);
    xsdt_fork_stop();
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

    xsdt_fork_start(NULL);
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
    xsdt_xs_expect(h, "/counter", "100");
    xs_close(h);
    xsdt_fork_stop();
}
END_TEST

/* ---- what a transaction costs ---- */

#define NDOMS 2000

static struct xsd_stats stats(void)
{
    struct xsd_stats st;

    xsd_stats(xsdt_xs, &st);
    return st;
}

/* Start a transaction on the raw client: its id. */
static uint32_t tx_start(struct xsdt_cli *c)
{
    const char *r = xsdt_call1(c, XS_TRANSACTION_START, 0, "");

    ck_assert_msg(r[0] != '!', "TRANSACTION_START: %s", r);
    return (uint32_t)strtoul(r, NULL, 10);
}

/* A store of NDOMS domains, on this process's loop. */
static void big_store(void)
{
    struct xsd_limits lim;
    struct xsd_stats st;

    xsd_limits_default(&lim);
    lim.max_nodes = 200000;
    xsdt_start(&lim);
    ck_assert_int_eq(xsd_layout_dom0(xsdt_xs), 0);
    xsdt_layout_domains(1, NDOMS);
    st = stats();
    ck_assert_uint_gt(st.nodes, NDOMS * 30);    /* ~37 nodes a domain */
    ck_assert_uint_eq(st.live_nodes, st.nodes);
}

/*
 * Starting a transaction allocates no node, whatever the size of the
 * store; a change, in the transaction or in the store while transactions
 * see its old state, allocates at most one node per level of its path.
 * Each side keeps seeing its own state, conflicts are as before, and once
 * the transactions end only the store's nodes are left.
 */
START_TEST(txn_shares_the_store)
{
    struct xsd_stats st0, st1, st;
    struct xsdt_cli *c;
    uint32_t ta, tb;

    big_store();
    c = xsdt_cli_new();
    st0 = stats();

    ta = tx_start(c);
    st = stats();
    ck_assert_uint_eq(st.txns, 1);
    ck_assert_uint_eq(st.live_nodes, st0.live_nodes);

    /* "/", local, domain, 1000, memory, target: 6 levels. */
    ck_assert_str_eq(xsdt_wr(c, ta, "/local/domain/1000/memory/target", "1"),
                     "OK");
    st1 = stats();
    ck_assert_uint_gt(st1.live_nodes, st0.live_nodes);
    ck_assert_uint_le(st1.live_nodes - st0.live_nodes, 6);
    ck_assert_uint_eq(st1.nodes, st0.nodes);
    /* Two new nodes below 7 levels of path. */
    ck_assert_str_eq(xsdt_call1(c, XS_MKDIR, ta,
                                "/local/domain/1500/data/a/b"), "OK");
    st = stats();
    ck_assert_uint_le(st.live_nodes - st1.live_nodes, 7);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, ta,
                                "/local/domain/1000/memory/target"), "1");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/1000/memory/target"), "262144");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/1500/data/a"),
                     "!ENOENT");

    /* The store changes under two transactions. */
    tb = tx_start(c);
    st1 = stats();
    ck_assert_uint_eq(st1.live_nodes, st.live_nodes);
    ck_assert_int_eq(xsd_write_str(xsdt_xs, "/local/domain/7/memory/target",
                                   "2"), 0);
    st = stats();
    ck_assert_uint_le(st.live_nodes - st1.live_nodes, 6);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, tb,
                                "/local/domain/7/memory/target"), "262144");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, ta,
                                "/local/domain/7/memory/target"), "262144");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/7/memory/target"), "2");
    ck_assert_str_eq(xsdt_wr(c, tb, "/local/domain/7/memory/static-max", "3"),
                     "OK");

    /* Both read 7's target, which the store changed since they started:
     * both conflict, and nothing of theirs is left. */
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, tb, "T"), "!EAGAIN");
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, ta, "T"), "!EAGAIN");
    st = stats();
    ck_assert_uint_eq(st.txns, 0);
    ck_assert_uint_eq(st.nodes, st0.nodes);
    ck_assert_uint_eq(st.live_nodes, st.nodes);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/1000/memory/target"), "262144");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/7/memory/static-max"),
                     "262144");

    /* Without the conflicting read, the same changes commit. */
    ta = tx_start(c);
    ck_assert_str_eq(xsdt_wr(c, ta, "/local/domain/1000/memory/target", "1"),
                     "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_MKDIR, ta,
                                "/local/domain/1500/data/a/b"), "OK");
    ck_assert_int_eq(xsd_write_str(xsdt_xs, "/local/domain/7/memory/target",
                                   "4"), 0);
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, ta, "T"), "OK");
    st = stats();
    ck_assert_uint_eq(st.nodes, st0.nodes + 2);
    ck_assert_uint_eq(st.live_nodes, st.nodes);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/1000/memory/target"), "1");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/1500/data/a/b"),
                     "");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0,
                                "/local/domain/7/memory/target"), "4");

    /* The owner's transaction shares the store the same way. */
    st0 = stats();
    ck_assert_int_eq(xsd_txn_begin(xsdt_xs), 0);
    ck_assert_uint_eq(stats().live_nodes, st0.live_nodes);
    ck_assert_int_eq(xsd_write_str(xsdt_xs, "/local/domain/3/name", "x"), 0);
    ck_assert_uint_le(stats().live_nodes - st0.live_nodes, 5);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/3/name"),
                     "dom3");
    ck_assert_int_eq(xsd_txn_end(xsdt_xs, false), 0);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/3/name"), "x");
    st = stats();
    ck_assert_uint_eq(st.live_nodes, st.nodes);

    /* Removing a domain under a transaction: the transaction keeps it. */
    ta = tx_start(c);
    xsd_layout_remove(xsdt_xs, 1200);
    st = stats();
    ck_assert_uint_lt(st.nodes, st0.nodes);
    ck_assert_uint_gt(st.live_nodes, st.nodes);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, ta, "/local/domain/1200/name"),
                     "dom1200");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/local/domain/1200/name"),
                     "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, ta, "F"), "OK");
    st = stats();
    ck_assert_uint_eq(st.live_nodes, st.nodes);

    xsdt_cli_free(c);
    xsdt_stop();
}
END_TEST

/* At most 10 open transactions a connection (xenstored's default), the
 * next is ENOSPC; a client at the limit holds a few nodes, not copies of
 * the store, and closing its connection frees them. */
START_TEST(txn_limit)
{
    struct xsd_stats st0, st;
    struct xsdt_cli *c, *other;
    uint32_t t[10], u;
    char path[64];

    big_store();
    c = xsdt_cli_new();
    other = xsdt_cli_new();
    st0 = stats();
    for (int i = 0; i < 10; i++) {
        t[i] = tx_start(c);
        snprintf(path, sizeof(path), "/local/domain/%d/memory/target",
                 100 + i);
        ck_assert_str_eq(xsdt_wr(c, t[i], path, "1"), "OK");
    }
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_START, 0, ""), "!ENOSPC");
    st = stats();
    ck_assert_uint_eq(st.txns, 10);
    ck_assert_uint_le(st.live_nodes - st0.live_nodes, 10 * 6);

    /* The limit is the connection's: others still may. */
    u = tx_start(other);
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, t[3], "F"), "OK");
    t[3] = tx_start(c);
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_START, 0, ""), "!ENOSPC");

    /* A connection that goes takes its transactions along. */
    xsdt_cli_free(c);
    for (int i = 0; i < 1000 && stats().conns > 1; i++)
        xsdt_pump();
    st = stats();
    ck_assert_uint_eq(st.conns, 1);
    ck_assert_uint_eq(st.txns, 1);
    ck_assert_str_eq(xsdt_call1(other, XS_TRANSACTION_END, u, "T"), "OK");
    st = stats();
    ck_assert_uint_eq(st.txns, 0);
    ck_assert_uint_eq(st.live_nodes, st0.live_nodes);
    xsdt_cli_free(other);
    xsdt_stop();
}
END_TEST

/* One transaction cannot grow without bound: past XSD_TXN_PATHS_MAX paths
 * read or changed, its requests are refused (ENOSPC); it can still end,
 * and the connection's other requests go on. */
START_TEST(txn_bounded)
{
    struct xsdt_cli *c;
    struct xsd_stats st0;
    const char *r = "OK";
    char path[64];
    uint32_t t;
    int i;

    big_store();
    c = xsdt_cli_new();
    st0 = stats();
    t = tx_start(c);
    for (i = 0; i < 4 * XSD_TXN_PATHS_MAX && strcmp(r, "OK") == 0; i++) {
        snprintf(path, sizeof(path), "/local/domain/1/data/k%d", i);
        r = xsdt_wr(c, t, path, "v");
    }
    ck_assert_str_eq(r, "!ENOSPC");
    ck_assert_int_le(i, XSD_TXN_PATHS_MAX + 1);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, t, "/local/domain/1/name"),
                     "!ENOSPC");
    ck_assert_str_eq(xsdt_wr(c, 0, "/local/domain/1/data/outside", "v"),
                     "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, t, "F"), "OK");
    ck_assert_uint_eq(stats().txns, 0);
    ck_assert_uint_eq(stats().nodes, st0.nodes + 1);
    xsdt_cli_free(c);
    xsdt_stop();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xsd_txn");
    TCase *tc = tcase_create("xsd_txn");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, libxs_transactions);
    tcase_add_test(tc, libxs_contention);
    tcase_add_test(tc, txn_shares_the_store);
    tcase_add_test(tc, txn_limit);
    tcase_add_test(tc, txn_bounded);
    suite_add_tcase(s, tc);
    return xsdt_run(s);
}
