/* core_testlib.c - a daemon core in-process for the Check suites. */
#include "core_testlib.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "daemon/start.h"
#include "log.h"
#include "sim_testlib.h"

void coret_open(struct coret *t, const struct service *const *services)
{
    coret_open_with(t, services, NULL, NULL);
}

void coret_open_with(struct coret *t, const struct service *const *services,
                     const char *scenario, const char *const *options)
{
    struct daemon_opts o = {
        .uri = "sim:///core",
        .scenario = scenario,
        .services = services,
        .options = options,
    };
    struct xn_msg msg;

    memset(t, 0, sizeof(*t));
    snprintf(t->state_dir, sizeof(t->state_dir), "/tmp/xenith-core.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->state_dir));
    o.state_dir = t->state_dir;
    if (getenv("XENITH_DEBUG"))
        xn_log_set_sink(xn_log_sink_stderr, NULL, XN_LOG_DEBUG);
    t->base = event_base_new();
    ck_assert_ptr_nonnull(t->base);
    ck_assert_msg(daemon_open(t->base, &o, &t->d, &msg) == 0,
                  "daemon_open: %s", msg.text);
}

void coret_close(struct coret *t)
{
    char cmd[128];

    daemon_close(t->d);
    event_base_free(t->base);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", t->state_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", t->state_dir);
}

static void timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    *(bool *)arg = true;
}

/* Run until done() or ms pass. */
static bool run_until(struct coret *t, bool (*done)(const void *, int),
                      const void *what, int want, int ms)
{
    bool expired = false;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    struct event *timer = evtimer_new(t->base, timeout_cb, &expired);

    evtimer_add(timer, &tv);
    while (!done(what, want) && !expired)
        event_base_loop(t->base, EVLOOP_ONCE);
    event_free(timer);
    return done(what, want);
}

static bool flag_set(const void *what, int want)
{
    (void)want;
    return *(const bool *)what;
}

static bool count_reached(const void *what, int want)
{
    return *(const int *)what >= want;
}

static bool never(const void *what, int want)
{
    (void)what;
    (void)want;
    return false;
}

bool coret_wait(struct coret *t, const bool *flag, int ms)
{
    return run_until(t, flag_set, flag, 0, ms);
}

bool coret_wait_count(struct coret *t, const int *count, int want, int ms)
{
    return run_until(t, count_reached, count, want, ms);
}

void coret_spin(struct coret *t, int ms)
{
    run_until(t, never, NULL, 0, ms);
}

struct created {
    bool done;
    int rc;
    uint32_t domid;
    struct xn_msg msg;
};

static void created(void *arg, int rc, const struct xn_msg *msg,
                    uint32_t domid, const char *name)
{
    struct created *c = arg;

    (void)name;
    c->done = true;
    c->rc = rc;
    c->domid = domid;
    if (msg)
        c->msg = *msg;
}

uint32_t coret_create(struct coret *t, const char *name, uint64_t mib,
                      libxl_domain_config *cfg)
{
    struct start_req req = {.kind = START_CREATE};
    struct created c = {0};
    struct xn_msg msg;

    req.cfg = cfg ? cfg : simt_mkcfg(name, mib, 1);
    ck_assert_msg(start_domain(t->d, &req, created, &c, &msg) == 0, "%s",
                  msg.text);
    ck_assert(coret_wait(t, &c.done, 10000));
    ck_assert_msg(c.rc == 0, "%s", c.msg.text);
    return c.domid;
}

struct hv_dominfo coret_dom(struct coret *t, const char *name)
{
    struct hv_dominfo info;
    struct xn_msg msg;
    uint32_t domid;

    ck_assert_msg(hv_dom_lookup(t->d->hv, name, &domid, &msg) == 0, "%s",
                  msg.text);
    ck_assert_int_eq(hv_dom_info(t->d->hv, domid, &info, &msg), 0);
    return info;
}

bool coret_has(struct coret *t, const char *name)
{
    uint32_t domid;
    return hv_dom_lookup(t->d->hv, name, &domid, NULL) == 0;
}

size_t coret_count(struct coret *t)
{
    struct hv_dominfo *list;
    size_t n;

    ck_assert_int_eq(hv_dom_list(t->d->hv, &list, &n, NULL), 0);
    free(list);
    return n;
}
