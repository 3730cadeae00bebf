/* test_core_start.c - the one start path: gates asked in order, now or
 * later; a refusal creates nothing and frees the name; a driver failure
 * after a yes makes the gate release; names and UUIDs are claimed; done
 * never comes from inside the call; an incoming migration's hold (start_hold)
 * answers once, holds the name and releases what it held when dropped. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "core_testlib.h"
#include "daemon/bus.h"
#include "daemon/jobs.h"
#include "daemon/start.h"
#include "sim_testlib.h"

/* A gate that answers as told, now or from a timer, and counts. */
struct gate {
    struct coret *t;
    int answer;                     /* what to say */
    bool later;                     /* answer from the loop */
    int asked, released, started;
    uint64_t need_kb;
    uint32_t started_domid;
    char saw_name[HV_NAME_MAX];
    int order;                      /* when it was asked */
    int *clock;
    start_reply_fn *reply;
    void *reply_arg;
    struct event *timer;
};

static void answer_now(struct gate *g)
{
    struct xn_msg m;

    xn_msg_set(&m, g->answer, "the test gate says no");
    g->reply(g->reply_arg, g->answer, g->answer < 0 ? &m : NULL);
}

static void answer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    answer_now(arg);
}

static void gate_ask(void *self, const struct start_info *si,
                     start_reply_fn *reply, void *reply_arg)
{
    struct gate *g = self;
    static const struct timeval soon = {0, 20000};

    g->asked++;
    g->order = ++*g->clock;
    g->need_kb = si->need_kb;
    snprintf(g->saw_name, sizeof(g->saw_name), "%s", si->name);
    g->reply = reply;
    g->reply_arg = reply_arg;
    if (!g->later) {
        answer_now(g);
        return;
    }
    if (!g->timer)
        g->timer = evtimer_new(g->t->base, answer_cb, g);
    evtimer_add(g->timer, &soon);
}

static void gate_release(void *self, const struct start_info *si)
{
    (void)si;
    ((struct gate *)self)->released++;
}

static void gate_started(void *self, const struct start_info *si,
                         uint32_t domid)
{
    struct gate *g = self;
    (void)si;
    g->started++;
    g->started_domid = domid;
}

static const struct start_gate test_gate = {
    "test", gate_ask, gate_release, gate_started,
};

static void gate_init(struct gate *g, struct coret *t, int *clock)
{
    memset(g, 0, sizeof(*g));
    g->t = t;
    g->clock = clock;
}

static void gate_dispose(struct coret *t, struct gate *g)
{
    start_gate_remove(t->d, &test_gate, g);
    if (g->timer)
        event_free(g->timer);
}

/* What the caller heard. */
struct outcome {
    bool done;
    int rc;
    uint32_t domid;
    char name[HV_NAME_MAX];
    struct xn_msg msg;
};

static void start_done(void *arg, int rc, const struct xn_msg *msg,
                       uint32_t domid, const char *name)
{
    struct outcome *o = arg;
    o->done = true;
    o->rc = rc;
    o->domid = domid;
    snprintf(o->name, sizeof(o->name), "%s", name);
    if (msg)
        o->msg = *msg;
}

static int start(struct coret *t, libxl_domain_config *cfg,
                 struct outcome *o, struct xn_msg *msg)
{
    struct start_req req = {.kind = START_CREATE, .cfg = cfg};
    memset(o, 0, sizeof(*o));
    return start_domain(t->d, &req, start_done, o, msg);
}

/* Record the bus's created events. */
struct created {
    int n;
    uint32_t domid;
    char name[HV_NAME_MAX];
};

static void on_created(void *arg, const struct bus_event *ev)
{
    struct created *c = arg;
    c->n++;
    c->domid = ev->domid;
    snprintf(c->name, sizeof(c->name), "%s", ev->name);
}

/* --- holds: an incoming migration reserves before its image comes --- */

struct held {
    bool told;
    int rc;
    struct xn_msg msg;
};

static void on_held(void *arg, int rc, const struct xn_msg *msg)
{
    struct held *h = arg;
    h->told = true;
    h->rc = rc;
    if (msg)
        h->msg = *msg;
}

static const uint8_t hold_uuid[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
                                      0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
                                      0xdd, 0xee, 0xff, 0x01};

/* The gates are asked with the announced need; the name is held until
 * the hold is dropped, and the gate then releases. */
START_TEST(hold_then_drop)
{
    struct coret t;
    struct gate g;
    struct held h = {0};
    struct outcome o;
    struct start *s = NULL;
    struct xn_msg msg;
    int clock = 0;

    coret_open(&t, NULL);
    gate_init(&g, &t, &clock);
    g.later = true;
    start_gate_add(t.d, &test_gate, &g);
    ck_assert_int_eq(start_hold(t.d, "in1--incoming", hold_uuid, 300 * 1024,
                                on_held, &h, &s, &msg), 0);
    ck_assert(!h.told);                     /* never from inside the call */
    ck_assert(coret_wait(&t, &h.told, 5000));
    ck_assert_msg(h.rc == 0, "%s", h.msg.text);
    ck_assert_uint_eq(g.need_kb, 300 * 1024);
    ck_assert_str_eq(g.saw_name, "in1--incoming");
    /* the name is taken while held */
    ck_assert_int_eq(start(&t, simt_mkcfg("in1--incoming", 64, 1), &o, &msg),
                     XN_EEXIST);
    start_hold_drop(s, NULL);
    ck_assert_int_eq(g.released, 1);
    ck_assert_int_eq(g.started, 0);
    ck_assert_int_eq(start(&t, simt_mkcfg("in1--incoming", 64, 1), &o, &msg),
                     0);
    ck_assert(coret_wait(&t, &o.done, 5000));
    ck_assert_msg(o.rc == 0, "%s", o.msg.text);
    gate_dispose(&t, &g);
    coret_close(&t);
}
END_TEST

/* A gate's refusal reaches the holder, and nothing stays held. */
START_TEST(hold_refused)
{
    struct coret t;
    struct gate g;
    struct held h = {0};
    struct start *s = NULL;
    struct xn_msg msg;
    int clock = 0;

    coret_open(&t, NULL);
    gate_init(&g, &t, &clock);
    g.answer = XN_ENOMEM;
    start_gate_add(t.d, &test_gate, &g);
    ck_assert_int_eq(start_hold(t.d, "in2--incoming", hold_uuid, 1024,
                                on_held, &h, &s, &msg), 0);
    ck_assert(coret_wait(&t, &h.told, 5000));
    ck_assert_int_eq(h.rc, XN_ENOMEM);
    ck_assert_msg(strstr(h.msg.text, "test refused to start in2--incoming"),
                  "%s", h.msg.text);
    ck_assert_int_eq(g.released, 0);
    ck_assert_uint_eq(starter_busy(t.d->starter), 0);
    gate_dispose(&t, &g);
    coret_close(&t);
}
END_TEST

/* Dropped while a gate still decides: it ends when the gate answers, and
 * a yes is released; the holder hears nothing. */
START_TEST(hold_dropped_while_asking)
{
    struct coret t;
    struct gate g;
    struct held h = {0};
    struct start *s = NULL;
    struct xn_msg msg;
    int clock = 0;

    coret_open(&t, NULL);
    gate_init(&g, &t, &clock);
    g.later = true;
    start_gate_add(t.d, &test_gate, &g);
    ck_assert_int_eq(start_hold(t.d, "in3--incoming", hold_uuid, 1024,
                                on_held, &h, &s, &msg), 0);
    ck_assert(coret_wait_count(&t, &g.asked, 1, 5000));
    start_hold_drop(s, NULL);
    coret_spin(&t, 200);
    ck_assert(!h.told);
    ck_assert_int_eq(g.released, 1);
    ck_assert_uint_eq(starter_busy(t.d->starter), 0);
    gate_dispose(&t, &g);
    coret_close(&t);
}
END_TEST

START_TEST(gates_say_yes)
{
    struct coret t;
    struct gate g1, g2;
    struct outcome o;
    struct created seen = {0};
    struct xn_msg msg;
    int clock = 0;
    struct bus_sub *sub;

    coret_open(&t, NULL);
    gate_init(&g1, &t, &clock);
    gate_init(&g2, &t, &clock);
    g2.later = true;                /* the second answers from the loop */
    ck_assert_int_eq(start_gate_add(t.d, &test_gate, &g1), 0);
    ck_assert_int_eq(start_gate_add(t.d, &test_gate, &g2), 0);
    sub = bus_subscribe(t.d->bus, BUS_MASK(BUS_DOM_CREATED), on_created,
                        &seen);
    ck_assert_int_eq(start(&t, simt_mkcfg("s1", 64, 1), &o, &msg), 0);
    ck_assert(!o.done);             /* never from inside the call */
    ck_assert(coret_wait(&t, &o.done, 5000));
    ck_assert_msg(o.rc == 0, "%s", o.msg.text);
    ck_assert_str_eq(o.name, "s1");
    ck_assert_int_eq(g1.asked, 1);
    ck_assert_int_eq(g2.asked, 1);
    ck_assert_int_lt(g1.order, g2.order);       /* in order */
    ck_assert_str_eq(g1.saw_name, "s1");
    /* libxl's formula: 64 MiB + paging + 2 MiB for PVH, 2 MiB-aligned. */
    ck_assert_uint_ge(g1.need_kb, 64 * 1024 + 2048);
    ck_assert_uint_eq(g1.need_kb % 2048, 0);
    ck_assert_int_eq(g1.started, 1);
    ck_assert_uint_eq(g1.started_domid, o.domid);
    ck_assert_int_eq(g2.started, 1);
    ck_assert_int_eq(g1.released + g2.released, 0);
    ck_assert(coret_has(&t, "s1"));
    ck_assert(!jobs_busy(t.d->jobs, coret_dom(&t, "s1").uuid));
    coret_spin(&t, 20);
    ck_assert_int_eq(seen.n, 1);
    ck_assert_uint_eq(seen.domid, o.domid);
    ck_assert_str_eq(seen.name, "s1");
    bus_unsubscribe(t.d->bus, sub);
    gate_dispose(&t, &g1);
    gate_dispose(&t, &g2);
    coret_close(&t);
}
END_TEST

/* A gate that refuses: nothing is created, the gates before it release,
 * the ones after are not asked, the name is free again. */
START_TEST(gate_refuses)
{
    struct coret t;
    struct gate g1, g2, g3;
    struct outcome o;
    struct xn_msg msg;
    size_t before;
    int clock = 0;

    coret_open(&t, NULL);
    gate_init(&g1, &t, &clock);
    gate_init(&g2, &t, &clock);
    gate_init(&g3, &t, &clock);
    g2.answer = XN_ENOMEM;
    g2.later = true;
    start_gate_add(t.d, &test_gate, &g1);
    start_gate_add(t.d, &test_gate, &g2);
    start_gate_add(t.d, &test_gate, &g3);
    before = coret_count(&t);
    ck_assert_int_eq(start(&t, simt_mkcfg("s2", 64, 1), &o, &msg), 0);
    ck_assert(coret_wait(&t, &o.done, 5000));
    ck_assert_int_eq(o.rc, XN_ENOMEM);
    ck_assert_msg(strstr(o.msg.text, "test refused to start s2: the test "
                         "gate says no"), "%s", o.msg.text);
    ck_assert_int_eq(g1.released, 1);
    ck_assert_int_eq(g1.started, 0);
    ck_assert_int_eq(g2.released, 0);       /* it said no: nothing to undo */
    ck_assert_int_eq(g3.asked, 0);
    ck_assert_uint_eq(coret_count(&t), before);
    ck_assert(!coret_has(&t, "s2"));
    /* The name is free again. */
    g2.answer = 0;
    ck_assert_int_eq(start(&t, simt_mkcfg("s2", 64, 1), &o, &msg), 0);
    ck_assert(coret_wait(&t, &o.done, 5000));
    ck_assert_msg(o.rc == 0, "%s", o.msg.text);
    ck_assert(coret_has(&t, "s2"));
    gate_dispose(&t, &g1);
    gate_dispose(&t, &g2);
    gate_dispose(&t, &g3);
    coret_close(&t);
}
END_TEST

/* The gate said yes, the driver failed (the host has not the memory):
 * the gate is told to release. */
START_TEST(driver_fails_after_yes)
{
    struct coret t;
    struct gate g;
    struct outcome o;
    struct xn_msg msg;
    int clock = 0;

    coret_open(&t, NULL);
    gate_init(&g, &t, &clock);
    start_gate_add(t.d, &test_gate, &g);
    ck_assert_int_eq(start(&t, simt_mkcfg("huge", 1024 * 1024, 1), &o, &msg),
                     0);
    ck_assert(coret_wait(&t, &o.done, 5000));
    ck_assert_int_lt(o.rc, 0);
    ck_assert_int_eq(g.asked, 1);
    ck_assert_int_eq(g.released, 1);
    ck_assert_int_eq(g.started, 0);
    ck_assert(!coret_has(&t, "huge"));
    /* Name and UUID claims are gone: the same name starts now. */
    ck_assert_int_eq(start(&t, simt_mkcfg("huge", 64, 1), &o, &msg), 0);
    ck_assert(coret_wait(&t, &o.done, 5000));
    ck_assert_msg(o.rc == 0, "%s", o.msg.text);
    gate_dispose(&t, &g);
    coret_close(&t);
}
END_TEST

/* Names and UUIDs: taken by a domain, or by a start in flight. */
START_TEST(claims)
{
    struct coret t;
    struct gate g;
    struct outcome o1, o2;
    struct xn_msg msg;
    libxl_domain_config *cfg;
    struct hv_dominfo web1;
    int clock = 0;

    coret_open(&t, NULL);
    web1 = coret_dom(&t, "web1");
    /* A UUID another domain has: refused at once, nothing held. */
    cfg = simt_mkcfg("twin", 64, 1);
    memcpy(libxl_uuid_bytearray(&cfg->c_info.uuid), web1.uuid, 16);
    ck_assert_int_eq(start(&t, cfg, &o1, &msg), XN_EEXIST);
    ck_assert_msg(strstr(msg.text, "web1") && strstr(msg.text, "UUID"), "%s",
                  msg.text);
    ck_assert(!o1.done);
    /* A name another domain has. */
    ck_assert_int_eq(start(&t, simt_mkcfg("web1", 64, 1), &o1, &msg),
                     XN_EEXIST);
    /* A name another start holds (its gate answers later). */
    gate_init(&g, &t, &clock);
    g.later = true;
    start_gate_add(t.d, &test_gate, &g);
    ck_assert_int_eq(start(&t, simt_mkcfg("s3", 64, 1), &o1, &msg), 0);
    ck_assert_int_eq(start(&t, simt_mkcfg("s3", 64, 1), &o2, &msg),
                     XN_EEXIST);
    ck_assert_msg(strstr(msg.text, "being created already"), "%s",
                  msg.text);
    /* A bad name never gets that far. */
    ck_assert_int_eq(start(&t, simt_mkcfg("a/b", 64, 1), &o2, &msg),
                     XN_EINVAL);
    ck_assert(coret_wait(&t, &o1.done, 5000));
    ck_assert_msg(o1.rc == 0, "%s", o1.msg.text);
    ck_assert(!o2.done);
    gate_dispose(&t, &g);
    coret_close(&t);
}
END_TEST

/* A restart hands its job over: the start runs inside it, publishes
 * "restarted" with the old id, and ends the job. */
static void hold_started(void *arg, job_token token)
{
    *(job_token *)arg = token;
}

struct restarted {
    int n;
    uint32_t old;
};

static void on_restarted(void *arg, const struct bus_event *ev)
{
    struct restarted *r = arg;
    r->n++;
    r->old = ev->old_domid;
}

START_TEST(restart_holds_the_job)
{
    struct coret t;
    struct outcome o;
    struct xn_msg msg;
    struct start_req req = {.kind = START_RESTART, .old_domid = 42};
    struct restarted seen = {0, 0};
    struct bus_sub *sub;
    uint8_t uuid[16];
    job_token token = JOB_NONE;

    coret_open(&t, NULL);
    sub = bus_subscribe(t.d->bus, BUS_MASK(BUS_DOM_RESTARTED), on_restarted,
                        &seen);
    req.cfg = simt_mkcfg("r1", 64, 1);
    libxl_uuid_generate(&req.cfg->c_info.uuid);
    memcpy(uuid, libxl_uuid_bytearray(&req.cfg->c_info.uuid), 16);
    ck_assert_int_eq(jobs_begin(t.d->jobs, uuid, "shutdown action",
                                hold_started, NULL, &token), 0);
    ck_assert(token != JOB_NONE);
    req.held = token;
    memset(&o, 0, sizeof(o));
    ck_assert_int_eq(start_domain(t.d, &req, start_done, &o, &msg), 0);
    ck_assert(jobs_busy(t.d->jobs, uuid));
    ck_assert_str_eq(jobs_describe(t.d->jobs, uuid), "shutdown action");
    ck_assert(coret_wait(&t, &o.done, 5000));
    ck_assert_msg(o.rc == 0, "%s", o.msg.text);
    ck_assert(!jobs_busy(t.d->jobs, uuid));     /* ended for us */
    ck_assert_int_eq(jobs_end(t.d->jobs, token), XN_EINVAL);
    coret_spin(&t, 20);
    ck_assert_int_eq(seen.n, 1);
    ck_assert_uint_eq(seen.old, 42);
    bus_unsubscribe(t.d->bus, sub);
    coret_close(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("core_start");
    TCase *tc = tcase_create("start");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, gates_say_yes);
    tcase_add_test(tc, gate_refuses);
    tcase_add_test(tc, driver_fails_after_yes);
    tcase_add_test(tc, claims);
    tcase_add_test(tc, restart_holds_the_job);
    tcase_add_test(tc, hold_then_drop);
    tcase_add_test(tc, hold_refused);
    tcase_add_test(tc, hold_dropped_while_asking);
    suite_add_tcase(s, tc);
    return simt_run(s);
}
