/*
 * test_xsd_wire.c - the simulated host's xenstore on the wire: every
 * request type in raw messages, malformed and truncated frames, garbage,
 * and random frames on many connections; the server keeps serving others.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_testlib.h"

START_TEST(raw_requests)
{
    struct xsdt_cli *c;
    char tx[16];
    uint32_t t;

    xsdt_start(NULL);
    c = xsdt_cli_new();
    ck_assert_str_eq(xsdt_wr(c, 0, "/r/a", "hello"), "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/r/a"), "hello");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/r/none"), "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_MKDIR, 0, "/r/b"), "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_DIRECTORY, 0, "/r"), "a|b");
    ck_assert_str_eq(xsdt_call1(c, XS_DIRECTORY, 0, "/r/a"), "");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_PERMS, 0, "/r"), "n0");
    ck_assert_str_eq(xsdt_call(c, XS_SET_PERMS, 0, LIT("/r\0n0\0r3\0b4")),
                     "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_PERMS, 0, "/r"), "n0|r3|b4");
    ck_assert_str_eq(xsdt_call(c, XS_SET_PERMS, 0, LIT("@releaseDomain\0r0")),
                     "OK");
    ck_assert_str_eq(xsdt_call(c, XS_SET_PERMS, 0, LIT("@other\0r0")),
                     "!EINVAL");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_DOMAIN_PATH, 0, "12"),
                     "/local/domain/12");
    ck_assert_str_eq(xsdt_call1(c, XS_GET_DOMAIN_PATH, 0, "x"), "!EINVAL");
    ck_assert_str_eq(xsdt_call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "3"), "F");
    ck_assert_str_eq(xsdt_call1(c, XS_IS_DOMAIN_INTRODUCED, 0, "32752"), "T");
    ck_assert_str_eq(xsdt_call(c, XS_INTRODUCE, 0, LIT("3\0" "100\0" "0")),
                     "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_INTRODUCE, 0, LIT("3\0" "100\0" "9")),
                     "OK");
    ck_assert_str_eq(xsdt_call(c, XS_SET_TARGET, 0, LIT("3\0" "0")), "OK");
    ck_assert_str_eq(xsdt_call(c, XS_SET_TARGET, 0, LIT("3\0" "8")),
                     "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_RELEASE, 0, "0"), "!EINVAL");
    ck_assert_str_eq(xsdt_call1(c, XS_RESUME, 0, "9"), "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_CONTROL, 0, "help"),
                     "check\t\nlog\ton|off\nprint\t<string>\nquota\t\n"
                     "help\t\n");
    ck_assert_str_eq(xsdt_call2(c, XS_CONTROL, 0, "print", "hi"), "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_RESET_WATCHES, 0, ""), "OK");

    /* DIRECTORY_PART: generation, names from the offset, "" at the end. */
    const char *part = xsdt_call2(c, XS_DIRECTORY_PART, 0, "/r", "0");
    const char *bar = strchr(part, '|');
    ck_assert_ptr_nonnull(bar);
    ck_assert_str_eq(bar, "|a|b|");
    ck_assert_str_eq(strchr(xsdt_call2(c, XS_DIRECTORY_PART, 0, "/r", "2"),
                            '|'), "|b|");
    ck_assert_str_eq(strchr(xsdt_call2(c, XS_DIRECTORY_PART, 0, "/r", "99"),
                            '|'), "|");
    ck_assert_str_eq(xsdt_call2(c, XS_DIRECTORY_PART, 0, "/r", "-1"),
                     "!EINVAL");

    /* Transactions by id. */
    snprintf(tx, sizeof(tx), "%s", xsdt_call1(c, XS_TRANSACTION_START, 0, ""));
    t = (uint32_t)strtoul(tx, NULL, 10);
    ck_assert_uint_ne(t, 0);
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_START, t, ""), "!EBUSY");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, t + 100, "/r/a"), "!ENOENT");
    ck_assert_str_eq(xsdt_wr(c, t, "/r/a", "in-tx"), "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, t, "/r/a"), "in-tx");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/r/a"), "hello");
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, t, "X"), "!EINVAL");
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, 0, "T"), "!ENOENT");
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, t, "T"), "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/r/a"), "in-tx");
    ck_assert_str_eq(xsdt_call1(c, XS_TRANSACTION_END, t, "T"), "!ENOENT");

    /* A reply too long for the wire. */
    for (int i = 0; i < 120; i++) {
        char p[64];

        snprintf(p, sizeof(p), "/wide/a-forty-byte-long-name-for-a-child-%03d",
                 i);
        ck_assert_str_eq(xsdt_call1(c, XS_MKDIR, 0, p), "OK");
    }
    ck_assert_str_eq(xsdt_call1(c, XS_DIRECTORY, 0, "/wide"), "!E2BIG");

    xsdt_cli_free(c);
    xsdt_stop();
}
END_TEST

START_TEST(raw_malformed)
{
    struct xsd_limits lim;
    struct xsdt_cli *good, *c;
    struct xsdt_rmsg m;
    char junk[4096];

    memset(junk, 'j', sizeof(junk));
    xsd_limits_default(&lim);
    lim.frame_timeout_ms = 300;
    xsdt_start(&lim);
    good = xsdt_cli_new();
    c = xsdt_cli_new();

    ck_assert_str_eq(xsdt_call(c, 999, 0, "x", 2), "!ENOSYS");
    ck_assert_str_eq(xsdt_call(c, XS_INVALID, 0, NULL, 0), "!ENOSYS");
    ck_assert_str_eq(xsdt_call(c, XS_WATCH_EVENT, 0, "/a\0t", 5), "!ENOSYS");
    ck_assert_str_eq(xsdt_call(c, XS_ERROR, 0, "EINVAL", 7), "!ENOSYS");
    ck_assert_str_eq(xsdt_call(c, XS_READ, 0, "/tool", 5), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_READ, 0, "/tool\0/x", 9), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_READ, 0, NULL, 0), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_WRITE, 0, "/nonul", 6), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_WATCH, 0, "/a", 3), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_UNWATCH, 0, "/a", 3), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_SET_PERMS, 0, "/tool\0x5", 9), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_SET_PERMS, 0, "/tool", 6), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_DIRECTORY_PART, 0, "/tool", 6),
                     "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_INTRODUCE, 0, "1", 2), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_CONTROL, 0, NULL, 0), "!EINVAL");
    ck_assert_str_eq(xsdt_call(c, XS_WRITE, 0, "/tool\0\0\0", 8), "OK");
    ck_assert_str_eq(xsdt_call1(c, XS_READ, 0, "/tool"), "|");   /* 2 NULs */

    /* A header claiming more than 4096 bytes: E2BIG, then closed. */
    xsdt_cli_send(c, XS_WRITE, 42, 0, NULL, 0);
    ck_assert_int_eq(xsdt_cli_next(c, &m, 1000), 1);
    ck_assert_uint_eq(m.h.type, XS_ERROR);
    xsdt_cli_raw(c, &(struct xsd_sockmsg){XS_WRITE, 43, 0, 5000}, 16);
    xsdt_cli_raw(c, junk, 100);
    ck_assert_int_eq(xsdt_cli_next(c, &m, 1000), 1);
    ck_assert_uint_eq(m.h.type, XS_ERROR);
    ck_assert_uint_eq(m.h.req_id, 43);
    ck_assert_str_eq(m.body, "E2BIG");
    ck_assert_int_eq(xsdt_cli_next(c, &m, 1000), 0);
    xsdt_cli_free(c);
    ck_assert_str_eq(xsdt_call1(good, XS_READ, 0, "/tool/xenstored"), "");

    /* A length that promises more than comes: no reply, others served,
     * and after frame_timeout_ms the connection goes. */
    c = xsdt_cli_new();
    xsdt_cli_raw(c, &(struct xsd_sockmsg){XS_READ, 1, 0, 100}, 16);
    xsdt_cli_raw(c, "/tool\0", 6);
    ck_assert_int_eq(xsdt_cli_next(c, &m, 100), -1);
    ck_assert_str_eq(xsdt_call1(good, XS_READ, 0, "/tool/xenstored"), "");
    ck_assert_int_eq(xsdt_cli_next(c, &m, 3000), 0);
    xsdt_cli_free(c);

    /* Garbage: errors or a closed connection, never a crash. */
    srand(7);
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)rand();
    c = xsdt_cli_new();
    xsdt_cli_raw(c, junk, sizeof(junk));
    while (xsdt_cli_next(c, &m, 500) == 1)
        ck_assert_uint_eq(m.h.type, XS_ERROR);
    xsdt_cli_free(c);
    ck_assert_str_eq(xsdt_call1(good, XS_READ, 0, "/tool/xenstored"), "");

    xsdt_cli_free(good);
    xsdt_stop();
}
END_TEST

/* Random frames of every type with random payloads, many connections. */
START_TEST(raw_fuzz)
{
    static const char alphabet[] = "/ab@0-_\0\0TF5rnwb";
    struct xsdt_cli *good;
    struct xsdt_rmsg m;
    char payload[256];

    xsdt_start(NULL);
    good = xsdt_cli_new();
    srand(1);
    for (int round = 0; round < 150; round++) {
        struct xsdt_cli *c = xsdt_cli_new();

        for (int f = 0; f < 20; f++) {
            uint32_t type = (uint32_t)(rand() % (XS_TYPE_COUNT + 2));
            uint32_t tx = rand() % 4 ? 0 : (uint32_t)(rand() % 3);
            size_t len = (size_t)(rand() % (int)sizeof(payload));

            for (size_t i = 0; i < len; i++)
                payload[i] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
            if (len)
                payload[0] = '/';
            xsdt_cli_send(c, type, (uint32_t)f, tx, payload, len);
        }
        /* Every frame was whole, so each gets a reply: wait for the last. */
        xsdt_cli_send(c, XS_GET_DOMAIN_PATH, 999, 0, "0", 2);
        do {
            ck_assert_int_eq(xsdt_cli_next(c, &m, 3000), 1);
        } while (m.h.req_id != 999 || m.h.type == XS_WATCH_EVENT);
        ck_assert_uint_eq(m.h.type, XS_GET_DOMAIN_PATH);
        xsdt_cli_free(c);
    }
    ck_assert_str_eq(xsdt_call1(good, XS_READ, 0, "/tool/xenstored"), "");
    ck_assert_uint_eq(xsdt_xs->nconns, 1);
    xsdt_cli_free(good);
    xsdt_stop();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("xsd_wire");
    TCase *tc = tcase_create("xsd_wire");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, raw_requests);
    tcase_add_test(tc, raw_malformed);
    tcase_add_test(tc, raw_fuzz);
    suite_add_tcase(s, tc);
    return xsdt_run(s);
}
