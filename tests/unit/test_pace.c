/* test_pace.c - the bound on what waits in a migration's queues
 * (common/pace.c). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "pace.h"

/* Drain at `rate` bytes a second for `secs`, asking every 10 ms; the last
 * bound. */
static size_t drain(struct pace *p, double *now, uint64_t *total,
                    double rate, double secs)
{
    size_t bound = 0;

    for (double t = 0; t < secs; t += 0.01) {
        *now += 0.01;
        *total += (uint64_t)(rate * 0.01);
        bound = pace_bound(p, *total, *now);
    }
    return bound;
}

START_TEST(unknown_pace_is_the_maximum)
{
    struct pace p = {0};

    ck_assert_uint_eq(pace_bound(&p, 0, 100.0), PACE_MAX);
    ck_assert_uint_eq(pace_bound(&p, 1 << 20, 100.1), PACE_MAX);
}
END_TEST

START_TEST(a_fifth_of_a_second_of_the_pace)
{
    struct pace p = {0};
    double now = 1000;
    uint64_t total = 0;

    /* 20 MB/s: 4 MB may wait */
    size_t b = drain(&p, &now, &total, 20e6, 3);
    ck_assert_uint_ge(b, 3900000);
    ck_assert_uint_le(b, 4100000);
}
END_TEST

START_TEST(slow_links_get_the_minimum_fast_ones_the_maximum)
{
    struct pace p = {0}, q = {0};
    double now = 1000, now2 = 1000;
    uint64_t total = 0, total2 = 0;

    /* the lab's 2.5 MB/s: 0.5 MB is below the minimum */
    ck_assert_uint_eq(drain(&p, &now, &total, 2.5e6, 3), PACE_MIN);
    /* loopback's 1 GB/s */
    ck_assert_uint_eq(drain(&q, &now2, &total2, 1e9, 3), PACE_MAX);
}
END_TEST

START_TEST(the_pace_follows_a_change)
{
    struct pace p = {0};
    double now = 1000;
    uint64_t total = 0;

    drain(&p, &now, &total, 40e6, 3);
    /* the link slows to 10 MB/s: within two seconds the bound is near
     * 2 MB */
    size_t b = drain(&p, &now, &total, 10e6, 2);
    ck_assert_uint_ge(b, 1900000);
    ck_assert_uint_le(b, 2300000);
    /* a stalled queue: nothing drains, the bound falls to the minimum */
    ck_assert_uint_eq(drain(&p, &now, &total, 0, 3), PACE_MIN);
}
END_TEST

START_TEST(a_clock_going_back_restarts_the_sample)
{
    struct pace p = {0};
    double now = 1000;
    uint64_t total = 0;

    drain(&p, &now, &total, 20e6, 1);
    /* no sample spans the jump: the known pace stays */
    size_t b = pace_bound(&p, total + 1000, now - 50);
    ck_assert_uint_ge(b, 3900000);
    ck_assert_uint_le(b, 4100000);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pace");
    TCase *tc = tcase_create("bound");

    tcase_add_test(tc, unknown_pace_is_the_maximum);
    tcase_add_test(tc, a_fifth_of_a_second_of_the_pace);
    tcase_add_test(tc, slow_links_get_the_minimum_fast_ones_the_maximum);
    tcase_add_test(tc, the_pace_follows_a_change);
    tcase_add_test(tc, a_clock_going_back_restarts_the_sample);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
