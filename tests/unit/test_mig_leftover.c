/* test_mig_leftover.c - what the migration service does, as it opens, with
 * the domains a daemon stopped mid-migration left: the pure plan for each
 * kind of domain, then the service in a daemon core on a simulated host
 * that has them (tests/e2e/leftovers.xml), where a test can subscribe to
 * the bus before the service's events come, and close the daemon while
 * its actions are still out. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_testlib.h"
#include "migration/migration.h"
#include "migration/migration_service.h"
#include "sim_testlib.h"

/* --- the plan --- */

static struct hv_dominfo dom(uint32_t domid, const char *name,
                             enum hv_state state, enum hv_shutdown reason)
{
    struct hv_dominfo d;

    memset(&d, 0, sizeof(d));
    d.domid = domid;
    snprintf(d.name, sizeof(d.name), "%s", name);
    d.state = state;
    d.shutdown_reason = reason;
    return d;
}

START_TEST(plan_kinds)
{
    static const struct {
        const char *name;
        enum hv_state state;
        enum hv_shutdown reason;
        enum mig_leftover want;
    } cases[] = {
        {"a--incoming", HV_STATE_PAUSED, 0, MIG_LEFT_DESTROY},
        {"a--incoming", HV_STATE_SHUTDOWN, HV_SHUTDOWN_SUSPEND,
         MIG_LEFT_DESTROY},
        {"a--incoming", HV_STATE_SHUTDOWN, HV_SHUTDOWN_CRASH,
         MIG_LEFT_DESTROY},
        {"a--incoming", HV_STATE_RUNNING, 0, MIG_LEFT_ODD},
        {"a--incoming", HV_STATE_BLOCKED, 0, MIG_LEFT_ODD},
        {"a--incoming", HV_STATE_DYING, 0, MIG_LEFT_NONE},
        {"a--migratedaway", HV_STATE_SHUTDOWN, HV_SHUTDOWN_SUSPEND,
         MIG_LEFT_UNCONFIRMED},
        {"a--migratedaway", HV_STATE_PAUSED, 0, MIG_LEFT_UNCONFIRMED},
        {"a--migratedaway", HV_STATE_RUNNING, 0, MIG_LEFT_UNCONFIRMED},
        {"a", HV_STATE_SHUTDOWN, HV_SHUTDOWN_SUSPEND, MIG_LEFT_RESUME},
        {"a", HV_STATE_SHUTDOWN, HV_SHUTDOWN_POWEROFF, MIG_LEFT_NONE},
        {"a", HV_STATE_PAUSED, 0, MIG_LEFT_NONE},
        {"a", HV_STATE_RUNNING, 0, MIG_LEFT_NONE},
        /* the suffix alone, or inside the name, is not one */
        {"--incoming", HV_STATE_PAUSED, 0, MIG_LEFT_NONE},
        {"--migratedaway", HV_STATE_RUNNING, 0, MIG_LEFT_NONE},
        {"a--incoming-b", HV_STATE_PAUSED, 0, MIG_LEFT_NONE},
        {"a--migratedaway2", HV_STATE_PAUSED, 0, MIG_LEFT_NONE},
        /* the last suffix decides */
        {"a--migratedaway--incoming", HV_STATE_PAUSED, 0, MIG_LEFT_DESTROY},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hv_dominfo d = dom(5, cases[i].name, cases[i].state,
                                  cases[i].reason);
        ck_assert_msg(mig_leftover_plan(&d) == cases[i].want,
                      "%s (%s): %d, want %d", cases[i].name,
                      hv_state_name(cases[i].state), mig_leftover_plan(&d),
                      cases[i].want);
    }
}
END_TEST

START_TEST(plan_never_dom0_or_foreign)
{
    struct hv_dominfo d = dom(0, "x--incoming", HV_STATE_PAUSED, 0);

    ck_assert_int_eq(mig_leftover_plan(&d), MIG_LEFT_NONE);
    d = dom(0, "Domain-0", HV_STATE_SHUTDOWN, HV_SHUTDOWN_SUSPEND);
    ck_assert_int_eq(mig_leftover_plan(&d), MIG_LEFT_NONE);
    /* xl's domains: its own save may have suspended them right now */
    d = dom(4, "x--incoming", HV_STATE_PAUSED, 0);
    d.foreign = true;
    ck_assert_int_eq(mig_leftover_plan(&d), MIG_LEFT_NONE);
    d = dom(4, "x--migratedaway", HV_STATE_PAUSED, 0);
    d.foreign = true;
    ck_assert_int_eq(mig_leftover_plan(&d), MIG_LEFT_NONE);
    d = dom(4, "x", HV_STATE_SHUTDOWN, HV_SHUTDOWN_SUSPEND);
    d.foreign = true;
    ck_assert_int_eq(mig_leftover_plan(&d), MIG_LEFT_NONE);
}
END_TEST

/* --- the service on a host with leftovers --- */

static const struct service *const table[] = {&migration_service, NULL};
/* No certificates: the service still opens and looks. */
static const char *const options[] = {
    "migration.cert-dir=/nonexistent/xenith-test-certs", NULL,
};

struct seen {
    int failed;                     /* "failed" events of migrations in */
    char names[4][HV_NAME_MAX];
};

static void on_event(void *arg, const struct bus_event *ev)
{
    struct seen *s = arg;
    struct json_object *dir;

    if (strcmp(ev->service, "migration") != 0 ||
        strcmp(ev->what, "failed") != 0 ||
        !json_object_object_get_ex(ev->detail, "direction", &dir) ||
        strcmp(json_object_get_string(dir), "in") != 0)
        return;
    if (s->failed < 4)
        snprintf(s->names[s->failed], sizeof(s->names[0]), "%s", ev->name);
    s->failed++;
}

static void open_host(struct coret *t)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/tests/e2e/leftovers.xml",
             simt_srcdir());
    coret_open_with(t, table, path, options);
}

static bool named(const struct seen *s, const char *name)
{
    for (int i = 0; i < s->failed && i < 4; i++)
        if (!strcmp(s->names[i], name))
            return true;
    return false;
}

START_TEST(service_cleans_up)
{
    struct coret t;
    struct seen s = {0};
    struct bus_sub *sub;

    open_host(&t);
    /* The destroys end from the loop: their events come after this. */
    sub = bus_subscribe(t.d->bus, BUS_MASK(BUS_SERVICE), on_event, &s);
    ck_assert_ptr_nonnull(sub);
    ck_assert_msg(coret_wait_count(&t, &s.failed, 2, 5000),
                  "%d failed events", s.failed);
    ck_assert(named(&s, "app1") && named(&s, "app2"));
    ck_assert(!coret_has(&t, "app1--incoming"));
    ck_assert(!coret_has(&t, "app2--incoming"));
    /* running, whatever its name: kept */
    ck_assert_int_eq(coret_dom(&t, "odd--incoming").state, HV_STATE_RUNNING);
    /* the source copies wait for the admin, as they were */
    ck_assert_int_eq(coret_dom(&t, "db1--migratedaway").state,
                     HV_STATE_SHUTDOWN);
    ck_assert_int_eq(coret_dom(&t, "db3--migratedaway").state,
                     HV_STATE_RUNNING);
    /* the suspended source runs again; a paused domain stays paused */
    ck_assert_int_eq(coret_dom(&t, "web1").state, HV_STATE_RUNNING);
    ck_assert_int_eq(coret_dom(&t, "web2").state, HV_STATE_PAUSED);
    bus_unsubscribe(t.d->bus, sub);
    coret_close(&t);
}
END_TEST

/* Stopped before the loop ever ran: the destroys and the resume are out
 * (valgrind and the sanitizers check nothing leaks or is touched after). */
START_TEST(closed_with_actions_out)
{
    struct coret t;

    open_host(&t);
    coret_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mig_leftover");
    TCase *plan = tcase_create("plan");
    TCase *svc = tcase_create("service");

    tcase_add_test(plan, plan_kinds);
    tcase_add_test(plan, plan_never_dom0_or_foreign);
    tcase_set_timeout(svc, 60);
    tcase_add_test(svc, service_cleans_up);
    tcase_add_test(svc, closed_with_actions_out);
    suite_add_tcase(s, plan);
    suite_add_tcase(s, svc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
