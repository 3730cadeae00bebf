/* test_balloon_service.c - the ballooning service inside a daemon core on
 * the simulated host, where a test can do what e2e cannot: restart the
 * service on a host that lives on (a restarted xenithd on a real host),
 * and check that it takes up balancing without undoing what it had
 * done. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "balloon/balloon_service.h"
#include "core_testlib.h"
#include "sim_testlib.h"
#include "xsc.h"

#define MIB 1024ull


static const char *scenario(void)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/tests/e2e/balloon.xml", simt_srcdir());
    return path;
}

/* Run the loop until `name` holds more (or less) than `mib`. */
static bool wait_mem(struct coret *t, const char *name, uint64_t mib,
                     bool above, int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        struct hv_dominfo d = coret_dom(t, name);

        if (above ? d.mem_kb > mib * MIB : d.mem_kb < mib * MIB)
            return true;
        coret_spin(t, 100);
    }
    return false;
}

static uint64_t diff(uint64_t a, uint64_t b)
{
    return a > b ? a - b : b - a;
}

START_TEST(restart_keeps_targets)
{
    const struct service *svc = &balloon_service;
    struct coret t;
    struct hv_dominfo h0, i0, h1, i1;
    struct xn_msg msg;
    void *self = NULL;

    /* The service is opened by hand (no table), so that it can be closed
     * and opened again while the daemon and its host stay. */
    coret_open_with(&t, NULL, scenario(), NULL);
    ck_assert_msg(svc->open(t.d, &self, &msg) == 0, "%s", msg.text);
    ck_assert(wait_mem(&t, "hungry", 3000, true, 60));
    ck_assert(wait_mem(&t, "idle", 2400, false, 30));
    coret_spin(&t, 3000);
    h0 = coret_dom(&t, "hungry");
    i0 = coret_dom(&t, "idle");
    svc->close(self);
    self = NULL;
    coret_spin(&t, 500);
    ck_assert_msg(svc->open(t.d, &self, &msg) == 0, "%s", msg.text);
    /* watched closely: not even one pass may undo a target */
    for (int i = 0; i < 50; i++) {
        coret_spin(&t, 100);
        h1 = coret_dom(&t, "hungry");
        i1 = coret_dom(&t, "idle");
        ck_assert_msg(diff(h0.target_kb, h1.target_kb) <= 16 * MIB,
                      "hungry's target moved from %llu to %llu KiB",
                      (unsigned long long)h0.target_kb,
                      (unsigned long long)h1.target_kb);
        ck_assert_msg(diff(i0.target_kb, i1.target_kb) <= 16 * MIB,
                      "idle's target moved from %llu to %llu KiB",
                      (unsigned long long)i0.target_kb,
                      (unsigned long long)i1.target_kb);
    }
    svc->close(self);
    coret_close(&t);
}
END_TEST

/* The configured memory is recorded at first sight and read back after a
 * restart, even once libxl (or here the sim) reports a clamped maximum. */
START_TEST(configuration_recorded)
{
    const struct service *svc = &balloon_service;
    struct coret t;
    struct xn_msg msg;
    void *self = NULL;
    char *v = NULL;
    size_t len;
    char path[128];

    coret_open_with(&t, NULL, scenario(), NULL);
    ck_assert_msg(svc->open(t.d, &self, &msg) == 0, "%s", msg.text);
    coret_spin(&t, 300);
    snprintf(path, sizeof(path),
             "/vm/b0000000-0000-4000-8000-000000000002/xenith/balloon/"
             "static-max-kb");
    ck_assert_int_eq(xsc_read(t.d->store, path, &v, &len, NULL), 0);
    ck_assert_str_eq(v, "2621440");
    free(v);
    svc->close(self);
    coret_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("balloon_service");
    TCase *tc = tcase_create("service");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, restart_keeps_targets);
    tcase_add_test(tc, configuration_recorded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
