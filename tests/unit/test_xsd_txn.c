/*
 * test_xsd_txn.c - transactions of the simulated host's xenstore through
 * libxenstore: commit, abort, conflicts, and several processes
 * incrementing one counter at once.
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

int main(void)
{
    Suite *s = suite_create("xsd_txn");
    TCase *tc = tcase_create("xsd_txn");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, libxs_transactions);
    tcase_add_test(tc, libxs_contention);
    suite_add_tcase(s, tc);
    return xsdt_run(s);
}
