/* test_core_bus.c - the event bus: masks, delivery deferred to the loop and
 * in order, never re-entrant, subscribing and unsubscribing from callbacks,
 * and the event stream's JSON. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "daemon/bus.h"
#include "daemon/daemon.h"
#include "hv_driver.h"
#include "core_testlib.h"

struct rec {
    struct bus *bus;
    int n;
    enum bus_type types[32];
    uint32_t domids[32];
    int depth;                      /* >0 while inside a callback */
    int max_depth;
    /* what the callback does */
    struct bus_sub *self;
    struct bus_sub *victim;
    bool unsubscribe_self;
    bool publish_from_callback;
    struct rec *subscribe_other;    /* subscribe this one on first event */
};

static void on_event(void *arg, const struct bus_event *ev)
{
    struct rec *r = arg;

    r->depth++;
    if (r->depth > r->max_depth)
        r->max_depth = r->depth;
    if (r->n < 32) {
        r->types[r->n] = ev->type;
        r->domids[r->n] = ev->domid;
    }
    r->n++;
    if (r->unsubscribe_self) {
        bus_unsubscribe(r->bus, r->self);
        r->self = NULL;
        r->unsubscribe_self = false;
    }
    if (r->victim) {
        bus_unsubscribe(r->bus, r->victim);
        r->victim = NULL;
    }
    if (r->publish_from_callback) {
        struct bus_event e;
        r->publish_from_callback = false;
        bus_event_init_dom(&e, BUS_DOM_DIED, 99, NULL, "late");
        bus_publish(r->bus, &e);
    }
    if (r->subscribe_other) {
        struct rec *o = r->subscribe_other;
        r->subscribe_other = NULL;
        o->self = bus_subscribe(r->bus, BUS_ALL, on_event, o);
    }
    r->depth--;
}

static void publish(struct bus *b, enum bus_type t, uint32_t domid)
{
    struct bus_event ev;
    bus_event_init_dom(&ev, t, domid, NULL, "d");
    bus_publish(b, &ev);
}

static void drain(struct event_base *base)
{
    for (int i = 0; i < 10; i++)
        event_base_loop(base, EVLOOP_NONBLOCK);
}

START_TEST(masks_and_deferral)
{
    struct event_base *base = event_base_new();
    struct bus *b = bus_new(base);
    struct rec created = {.bus = b}, all = {.bus = b};

    created.self = bus_subscribe(b, BUS_MASK(BUS_DOM_CREATED), on_event,
                                 &created);
    all.self = bus_subscribe(b, BUS_ALL, on_event, &all);
    publish(b, BUS_DOM_PAUSED, 1);
    publish(b, BUS_DOM_CREATED, 2);
    publish(b, BUS_DOM_DIED, 3);
    /* Nothing is delivered from inside bus_publish. */
    ck_assert_int_eq(all.n, 0);
    ck_assert_int_eq(created.n, 0);
    drain(base);
    ck_assert_int_eq(created.n, 1);
    ck_assert_int_eq(created.types[0], BUS_DOM_CREATED);
    ck_assert_uint_eq(created.domids[0], 2);
    ck_assert_int_eq(all.n, 3);
    ck_assert_int_eq(all.types[0], BUS_DOM_PAUSED);     /* in order */
    ck_assert_int_eq(all.types[1], BUS_DOM_CREATED);
    ck_assert_int_eq(all.types[2], BUS_DOM_DIED);
    ck_assert_uint_eq(bus_count(b, BUS_DOM_CREATED), 1);
    bus_free(b);
    event_base_free(base);
}
END_TEST

/* A subscriber that publishes is not re-entered: the new event comes
 * after the callback returned. */
START_TEST(publish_from_callback)
{
    struct event_base *base = event_base_new();
    struct bus *b = bus_new(base);
    struct rec r = {.bus = b, .publish_from_callback = true};

    r.self = bus_subscribe(b, BUS_ALL, on_event, &r);
    publish(b, BUS_DOM_CREATED, 1);
    drain(base);
    ck_assert_int_eq(r.n, 2);
    ck_assert_int_eq(r.types[1], BUS_DOM_DIED);
    ck_assert_uint_eq(r.domids[1], 99);
    ck_assert_int_eq(r.max_depth, 1);
    bus_free(b);
    event_base_free(base);
}
END_TEST

START_TEST(unsubscribe_from_callback)
{
    struct event_base *base = event_base_new();
    struct bus *b = bus_new(base);
    struct rec first = {.bus = b, .unsubscribe_self = true};
    struct rec second = {.bus = b}, third = {.bus = b};

    first.self = bus_subscribe(b, BUS_ALL, on_event, &first);
    second.self = bus_subscribe(b, BUS_ALL, on_event, &second);
    third.self = bus_subscribe(b, BUS_ALL, on_event, &third);
    /* second unsubscribes third, which comes after it in this very
     * delivery: third must not be called. */
    second.victim = third.self;
    publish(b, BUS_DOM_CREATED, 1);
    publish(b, BUS_DOM_PAUSED, 1);
    drain(base);
    ck_assert_int_eq(first.n, 1);       /* left after its first event */
    ck_assert_int_eq(second.n, 2);
    ck_assert_int_eq(third.n, 0);
    bus_free(b);
    event_base_free(base);
}
END_TEST

/* One that subscribes during a delivery starts with the next event. */
START_TEST(subscribe_from_callback)
{
    struct event_base *base = event_base_new();
    struct bus *b = bus_new(base);
    struct rec late = {.bus = b};
    struct rec r = {.bus = b, .subscribe_other = &late};

    r.self = bus_subscribe(b, BUS_ALL, on_event, &r);
    publish(b, BUS_DOM_CREATED, 1);
    publish(b, BUS_DOM_PAUSED, 2);
    drain(base);
    ck_assert_int_eq(r.n, 2);
    ck_assert_int_eq(late.n, 0);        /* both were queued before it came */
    publish(b, BUS_DOM_UNPAUSED, 3);
    drain(base);
    ck_assert_int_eq(late.n, 1);
    ck_assert_int_eq(late.types[0], BUS_DOM_UNPAUSED);
    bus_free(b);
    event_base_free(base);
}
END_TEST

/* Details are handed over with the event and freed after delivery, or with
 * the bus when it goes first (valgrind and ASan watch for leaks). */
START_TEST(detail_lifetime)
{
    struct event_base *base = event_base_new();
    struct bus *b = bus_new(base);
    struct rec r = {.bus = b};
    struct bus_event ev;
    struct json_object *kept = json_object_new_object();

    r.self = bus_subscribe(b, BUS_ALL, on_event, &r);
    bus_event_init_dom(&ev, BUS_DOM_POLICY, 1, NULL, "d");
    ev.detail = json_object_get(kept);
    bus_publish(b, &ev);
    drain(base);
    ck_assert_int_eq(r.n, 1);
    /* Only our reference is left. */
    ck_assert_int_eq(json_object_put(kept), 1);
    bus_event_init_dom(&ev, BUS_DOM_POLICY, 1, NULL, "d");
    ev.detail = json_object_new_string("never delivered");
    bus_publish(b, &ev);
    bus_free(b);
    event_base_free(base);
}
END_TEST

/* The stream's form: the wire names xenith events has always used. */
START_TEST(stream_json)
{
    struct bus_event ev;
    struct json_object *o, *v;
    uint8_t uuid[16] = {0x5e, 0x1a};

    bus_event_init_dom(&ev, BUS_DOM_RESTARTED, 7, uuid, "web1");
    ev.old_domid = 3;
    ev.time = 12.5;
    o = events_out_json(&ev);
    ck_assert(json_object_object_get_ex(o, "type", &v));
    ck_assert_str_eq(json_object_get_string(v), "restarted");
    ck_assert(json_object_object_get_ex(o, "old_domid", &v));
    ck_assert_int_eq(json_object_get_int(v), 3);
    ck_assert(json_object_object_get_ex(o, "uuid", &v));
    ck_assert_str_eq(json_object_get_string(v),
                     "5e1a0000-0000-0000-0000-000000000000");
    json_object_put(o);

    bus_event_init_dom(&ev, BUS_DOM_APPEARED, 4, NULL, "xl1");
    o = events_out_json(&ev);
    ck_assert(json_object_object_get_ex(o, "type", &v));
    ck_assert_str_eq(json_object_get_string(v), "discovered");
    json_object_put(o);

    bus_event_init_dom(&ev, BUS_SERVICE, 0, NULL, "");
    snprintf(ev.service, sizeof(ev.service), "balloon");
    snprintf(ev.what, sizeof(ev.what), "stuck");
    o = events_out_json(&ev);
    ck_assert(json_object_object_get_ex(o, "service", &v));
    ck_assert_str_eq(json_object_get_string(v), "balloon");
    ck_assert(!json_object_object_get_ex(o, "domid", &v));
    json_object_put(o);
}
END_TEST

/* The driver's events become bus events: found (made by another
 * toolstack), shut down, died. */
START_TEST(driver_events)
{
    struct coret t;
    struct rec r = {0};
    struct hv_event ev = {.domid = 42, .name = "xl1"};

    coret_open(&t, NULL);
    r.bus = t.d->bus;
    r.self = bus_subscribe(t.d->bus, BUS_MASK(BUS_DOM_APPEARED) |
                           BUS_MASK(BUS_DOM_SHUTDOWN) | BUS_MASK(BUS_DOM_DIED),
                           on_event, &r);
    ev.type = HV_EV_NEW;
    hv_emit(t.d->hv, &ev);
    ev.type = HV_EV_SHUTDOWN;
    ev.reason = HV_SHUTDOWN_CRASH;
    hv_emit(t.d->hv, &ev);
    ev.type = HV_EV_DEATH;
    hv_emit(t.d->hv, &ev);
    coret_spin(&t, 50);
    ck_assert_int_eq(r.n, 3);
    ck_assert_int_eq(r.types[0], BUS_DOM_APPEARED);
    ck_assert_int_eq(r.types[1], BUS_DOM_SHUTDOWN);
    ck_assert_int_eq(r.types[2], BUS_DOM_DIED);
    ck_assert_uint_eq(r.domids[0], 42);
    bus_unsubscribe(t.d->bus, r.self);
    coret_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core_bus");
    TCase *tc = tcase_create("bus");
    tcase_add_test(tc, masks_and_deferral);
    tcase_add_test(tc, publish_from_callback);
    tcase_add_test(tc, unsubscribe_from_callback);
    tcase_add_test(tc, subscribe_from_callback);
    tcase_add_test(tc, detail_lifetime);
    tcase_add_test(tc, stream_json);
    tcase_add_test(tc, driver_events);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
