/* test_memreport.c - the guest agent's memory report: text out, text in,
 * and what a hostile guest may write instead. */
#include <check.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "memreport.h"
#include "utf8.h"

static int parse(const char *text, struct memreport *r, int *clamped,
                 struct xn_msg *msg)
{
    return memreport_parse(text, strlen(text), r, clamped, msg);
}

static bool same(const struct memreport *a, const struct memreport *b)
{
    return a->seq == b->seq && a->every_s == b->every_s &&
           a->total_kb == b->total_kb && a->avail_kb == b->avail_kb &&
           a->swapin_ps == b->swapin_ps && a->swapout_ps == b->swapout_ps &&
           a->refault_ps == b->refault_ps && a->some10 == b->some10 &&
           a->full10 == b->full10 && a->some_us == b->some_us &&
           a->full_us == b->full_us;
}

static void expect_bad(const char *text, const char *why)
{
    struct memreport r;
    struct xn_msg msg;
    int rc = parse(text, &r, NULL, &msg);

    ck_assert_msg(rc == XN_EINVAL, "\"%s\" accepted", text);
    ck_assert_msg(strstr(msg.text, why), "\"%s\": message \"%s\" lacks "
                  "\"%s\"", text, msg.text, why);
    ck_assert(xn_utf8_valid(msg.text, strlen(msg.text)));
    for (const char *p = msg.text; *p; p++)
        ck_assert((unsigned char)*p >= 0x20);
}

START_TEST(roundtrip)
{
    struct memreport a = {
        .seq = 42, .every_s = 2, .total_kb = 1015808, .avail_kb = 612340,
        .swapin_ps = 3, .swapout_ps = 4, .refault_ps = 12, .some10 = 35,
        .full10 = 1205, .some_us = 123456, .full_us = 789,
    }, b;
    char buf[MEMREPORT_TEXT_MAX];
    int clamped = -1;

    ck_assert_int_gt(memreport_format(&a, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "v=1 seq=42 every=2 total=1015808 avail=612340 "
                     "swapin=3 swapout=4 refault=12 some10=0.35 "
                     "full10=12.05 some=123456 full=789");
    ck_assert_int_eq(parse(buf, &b, &clamped, NULL), 0);
    ck_assert_int_eq(clamped, 0);
    ck_assert(same(&a, &b));
    ck_assert_int_eq(memreport_format(&a, buf, 20), -1);
}
END_TEST

START_TEST(minimal_and_unknown_fields)
{
    struct memreport r;

    ck_assert_int_eq(parse("total=100 avail=50", &r, NULL, NULL), 0);
    ck_assert_uint_eq(r.total_kb, 100);
    ck_assert_uint_eq(r.avail_kb, 50);
    ck_assert_uint_eq(r.seq, 0);
    /* a newer agent's fields are skipped; extra spaces are fine */
    ck_assert_int_eq(parse("  total=100  hugepages=7 avail=50 x=y ", &r,
                           NULL, NULL), 0);
    ck_assert_uint_eq(r.avail_kb, 50);
    ck_assert_int_eq(parse("total=1 avail=1 some10=5 full10=5.5", &r, NULL,
                           NULL), 0);
    ck_assert_uint_eq(r.some10, 500);
    ck_assert_uint_eq(r.full10, 550);
}
END_TEST

START_TEST(clamps_out_of_range)
{
    struct memreport r;
    int clamped;

    ck_assert_int_eq(parse("total=100 avail=500", &r, &clamped, NULL), 0);
    ck_assert_uint_eq(r.avail_kb, 100);
    ck_assert_int_eq(clamped, 1);
    ck_assert_int_eq(parse("total=1 avail=0 some10=250.00 every=99999 "
                           "swapin=99999999999", &r, &clamped, NULL), 0);
    ck_assert_uint_eq(r.some10, 10000);
    ck_assert_uint_eq(r.every_s, 3600);
    ck_assert_uint_eq(r.swapin_ps, MEMREPORT_RATE_MAX);
    ck_assert_int_eq(clamped, 1);
}
END_TEST

START_TEST(refuses_garbage)
{
    char big[MEMREPORT_TEXT_MAX + 2];

    expect_bad("", "lacks total= or avail=");
    expect_bad("total=100", "lacks total= or avail=");
    expect_bad("total=12x avail=1", "\"total=12x\" is not a number");
    expect_bad("total=-1 avail=1", "is not a number");
    expect_bad("total=1 avail=1 some10=1.234", "is not a percentage");
    expect_bad("total=1 avail=1 some10=.5", "is not a percentage");
    expect_bad("total=1 total=2 avail=1", "is given twice");
    expect_bad("total=1 avail=1 =5", "is not key=value");
    expect_bad("total=1 avail=1 seq", "\"seq\" is not key=value");
    expect_bad("v=2 total=1 avail=1", "version");
    expect_bad("total=99999999999999999 avail=1", "more memory than");
    expect_bad("total=12345678901234567890 avail=1", "is not a number");
    expect_bad("total=1\navail=1", "is not one line");
    expect_bad("total=1 avail=1 \xff", "is not one line");
    expect_bad("total=1 avail=\x01", "is not a number");
    memset(big, ' ', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    expect_bad(big, "longer than");
}
END_TEST

START_TEST(embedded_nul)
{
    struct memreport r;
    struct xn_msg msg;

    ck_assert_int_eq(memreport_parse("total=1\0 avail=1", 16, &r, NULL,
                                     &msg), XN_EINVAL);
    ck_assert(strstr(msg.text, "is not one line"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("memreport");
    TCase *tc = tcase_create("memreport");
    tcase_add_test(tc, roundtrip);
    tcase_add_test(tc, minimal_and_unknown_fields);
    tcase_add_test(tc, clamps_out_of_range);
    tcase_add_test(tc, refuses_garbage);
    tcase_add_test(tc, embedded_nul);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
