/*
 * test_xsd_watch.c - watches of the simulated host's xenstore: through
 * libxenstore and on the wire (relative paths, transactions, domains
 * coming and going, RESET_WATCHES), and a client that never reads its
 * events.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_testlib.h"

START_TEST(libxs_watches)
{
    struct xs_handle *h, *w;

    xsdt_fork_start(NULL);
    h = xs_open(0);
    w = xs_open(0);
    ck_assert(h && w);

    /* Fires at once, then on changes at or below the path. */
    ck_assert(xs_watch(w, "/w", "tok"));
    xsdt_xs_event(w, "/w", "tok");
    ck_assert(xs_write(h, XBT_NULL, "/w/a", "1", 1));
    xsdt_xs_event(w, "/w/a", "tok");
    ck_assert(xs_write(h, XBT_NULL, "/other", "1", 1));
    ck_assert(xs_write(h, XBT_NULL, "/ww", "1", 1));
    xsdt_xs_no_event(w);
    ck_assert(xs_rm(h, XBT_NULL, "/w"));
    xsdt_xs_event(w, "/w", "tok");
    ck_assert(!xs_watch(w, "/w", "tok"));
    ck_assert_int_eq(errno, EEXIST);

    /* The removal of an ancestor reports the watched path. */
    ck_assert(xs_watch(w, "/x/y/z", "deep"));
    xsdt_xs_event(w, "/x/y/z", "deep");
    ck_assert(xs_mkdir(h, XBT_NULL, "/x/y/z"));
    xsdt_xs_event(w, "/x/y/z", "deep");
    ck_assert(xs_rm(h, XBT_NULL, "/x"));
    xsdt_xs_event(w, "/x/y/z", "deep");
    xsdt_xs_no_event(w);

    /* Permission changes fire too. */
    ck_assert(xs_write(h, XBT_NULL, "/w", "", 0));
    xsdt_xs_event(w, "/w", "tok");
    ck_assert(xs_set_permissions(h, XBT_NULL, "/w",
                                 &(struct xs_permissions){0, XS_PERM_READ},
                                 1));
    xsdt_xs_event(w, "/w", "tok");

    /* Unwatch. */
    ck_assert(xs_unwatch(w, "/w", "tok"));
    ck_assert(xs_write(h, XBT_NULL, "/w/b", "1", 1));
    xsdt_xs_no_event(w);
    ck_assert(!xs_unwatch(w, "/w", "tok"));
    ck_assert_int_eq(errno, ENOENT);

    /* Transactions fire when they commit, not before. */
    xs_transaction_t t = xs_transaction_start(h);
    ck_assert(xs_write(h, t, "/x/y/z", "t", 1));
    xsdt_xs_no_event(w);
    ck_assert(xs_transaction_end(h, t, false));
    xsdt_xs_event(w, "/x/y/z", "deep");

    /* Domains come and go. */
    ck_assert(xs_watch(w, "@introduceDomain", "in"));
    xsdt_xs_event(w, "@introduceDomain", "in");
    ck_assert(xs_watch(w, "@releaseDomain", "out"));
    xsdt_xs_event(w, "@releaseDomain", "out");
    ck_assert(!xs_is_domain_introduced(h, 5));
    ck_assert(xs_is_domain_introduced(h, 0));
    ck_assert(xs_introduce_domain(h, 5, 1234, 7));
    xsdt_xs_event(w, "@introduceDomain", "in");
    ck_assert(xs_is_domain_introduced(h, 5));
    ck_assert(!xs_introduce_domain(h, 0, 1234, 7));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert(xs_resume_domain(h, 5));
    ck_assert(xs_release_domain(h, 5));
    xsdt_xs_event(w, "@releaseDomain", "out");
    ck_assert(!xs_is_domain_introduced(h, 5));
    ck_assert(!xs_release_domain(h, 5));
    ck_assert_int_eq(errno, ENOENT);
    xsdt_xs_no_event(w);

    xs_close(h);
    xs_close(w);
    xsdt_fork_stop();
}
END_TEST

START_TEST(raw_watches)
{
    struct xsdt_cli *w, *c;
    char tx[16];
    uint32_t t;

    xsdt_start(NULL);
    w = xsdt_cli_new();
    c = xsdt_cli_new();

    /* The ack comes before the first event. */
    ck_assert_str_eq(xsdt_call2(w, XS_WATCH, 0, "/w", "t1"), "OK");
    ck_assert_uint_eq(w->nev, 0);
    ck_assert_str_eq(xsdt_next_event(w), "/w|t1");
    ck_assert_str_eq(xsdt_wr(c, 0, "/w/a/b", "1"), "OK");
    ck_assert_str_eq(xsdt_next_event(w), "/w/a/b|t1");
    ck_assert_str_eq(xsdt_call1(c, XS_RM, 0, "/w/a"), "OK");
    ck_assert_str_eq(xsdt_next_event(w), "/w/a|t1");
    xsdt_no_event(w);

    /* Relative watches report relative paths. */
    ck_assert_str_eq(xsdt_call2(w, XS_WATCH, 0, "rel", "t2"), "OK");
    ck_assert_str_eq(xsdt_next_event(w), "rel|t2");
    ck_assert_str_eq(xsdt_wr(c, 0, "/local/domain/0/rel/x", "1"), "OK");
    ck_assert_str_eq(xsdt_next_event(w), "rel/x|t2");
    ck_assert_str_eq(xsdt_call2(w, XS_UNWATCH, 0, "rel", "t2"), "OK");

    /* Two watches, one change: two events; the tx_id of WATCH is ignored. */
    ck_assert_str_eq(xsdt_call2(w, XS_WATCH, 77, "/", "root"), "OK");
    ck_assert_str_eq(xsdt_next_event(w), "/|root");
    ck_assert_str_eq(xsdt_wr(c, 0, "/w", "v"), "OK");
    ck_assert_str_eq(xsdt_next_event(w), "/w|t1");
    ck_assert_str_eq(xsdt_next_event(w), "/w|root");
    ck_assert_str_eq(xsdt_call2(w, XS_UNWATCH, 0, "/", "root"), "OK");

    /* A transaction's changes fire at commit; an aborted one never. */
    snprintf(tx, sizeof(tx), "%s", xsdt_call1(c, XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)strtoul(tx, NULL, 10);
    ck_assert_str_eq(xsdt_wr(c, t, "/w/in-tx", "1"), "OK");
    xsdt_no_event(w);
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, t, "T"), "OK");
    ck_assert_str_eq(xsdt_next_event(w), "/w/in-tx|t1");
    snprintf(tx, sizeof(tx), "%s", xsdt_call1(c, XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)strtoul(tx, NULL, 10);
    ck_assert_str_eq(xsdt_wr(c, t, "/w/aborted", "1"), "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, t, "F"), "OK");
    xsdt_no_event(w);

    /* RESET_WATCHES drops them all. */
    ck_assert_str_eq(xsdt_call1(w, XS_RESET_WATCHES, 0, ""), "OK");
    ck_assert_str_eq(xsdt_wr(c, 0, "/w/after", "1"), "OK");
    xsdt_no_event(w);
    ck_assert_str_eq(xsdt_call2(w, XS_UNWATCH, 0, "/w", "t1"), "!ENOENT");

    xsdt_cli_free(w);
    xsdt_cli_free(c);
    xsdt_stop();
}
END_TEST

/* A client that never reads its events is dropped, not buffered forever. */
START_TEST(unread_events)
{
    struct xsdt_cli *lazy, *c;
    char token[3000];

    xsdt_start(NULL);
    lazy = xsdt_cli_new();
    c = xsdt_cli_new();
    memset(token, 't', sizeof(token) - 1);
    token[sizeof(token) - 1] = '\0';
    ck_assert_str_eq(xsdt_call2(lazy, XS_WATCH, 0, "/", token), "OK");
    for (int i = 0; i < 800 && xsdt_xs->nconns == 2; i++)
        ck_assert_str_eq(xsdt_wr(c, 0, "/spam", "x"), "OK");
    xsdt_pump();
    ck_assert_uint_eq(xsdt_xs->nconns, 1);
    xsdt_cli_free(lazy);
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/spam"), "x");
    xsdt_cli_free(c);
    xsdt_stop();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xsd_watch");
    TCase *tc = tcase_create("xsd_watch");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, libxs_watches);
    tcase_add_test(tc, raw_watches);
    tcase_add_test(tc, unread_events);
    suite_add_tcase(s, tc);
    return xsdt_run(s);
}
