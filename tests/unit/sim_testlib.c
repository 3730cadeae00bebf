/*
 * sim_testlib.c - helpers the sim Check suites share; see sim_testlib.h.
 * No tests here.
 */
#include "sim_testlib.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/sim_drv.h"
#include "sim/sim_scenario.h"
#include "sim/xsd/xsd.h"

/* --- fixtures --- */

const char *simt_srcdir(void)
{
    const char *d = getenv("XENITH_SRCDIR");
    return d && *d ? d : ".";
}

char *simt_fixture(const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/tests/sim/%s", simt_srcdir(), name);
    return buf;
}

/* --- a fake clock for the model --- */

uint64_t simt_fake_now;

static uint64_t fake_clock(void *opaque)
{
    (void)opaque;
    return simt_fake_now;
}

struct sim_host *simt_load(const char *file)
{
    struct sim_host *h = NULL;
    struct xn_msg msg;
    char path[512];
    int rc;

    simt_fake_now = 1000 * SEC;
    rc = sim_scenario_load(file ? simt_fixture(file, path, sizeof(path))
                                : NULL,
                           NULL, fake_clock, NULL, &h, &msg);
    ck_assert_msg(rc == 0, "loading %s: %s", file ? file : "built-in",
                  msg.text);
    return h;
}

struct sim_dom *simt_named(struct sim_host *h, const char *name)
{
    struct sim_dom *d = sim_dom_by_name(h, name);
    ck_assert_msg(d != NULL, "no domain %s", name);
    return d;
}

/* --- the driver on a libevent loop --- */

void simt_on_event(void *opaque, const struct hv_event *ev)
{
    struct simt *t = opaque;

    if (t->n_ev < 64)
        t->ev[t->n_ev++] = *ev;
}

void simt_on_done(void *opaque, int rc, const struct xn_msg *msg,
                  uint32_t domid)
{
    struct simt *t = opaque;

    t->n_done++;
    t->rc = rc;
    t->domid = domid;
    xn_msg_clear(&t->msg);
    if (msg)
        t->msg = *msg;
}

void simt_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    *(bool *)arg = true;
}

/* Run the loop until *count reaches want or ms pass; true when it did. */
bool simt_run_until(struct simt *t, const int *count, int want, int ms)
{
    bool timed_out = false;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    struct event *to = evtimer_new(t->base, simt_timeout_cb, &timed_out);

    evtimer_add(to, &tv);
    while (*count < want && !timed_out)
        event_base_loop(t->base, EVLOOP_ONCE);
    event_free(to);
    return *count >= want;
}

void simt_open(struct simt *t, const char *uri, const char *scenario)
{
    struct hv_open_opts opts = { .scenario = scenario };
    struct xn_msg msg;
    char path[512];

    memset(t, 0, sizeof(*t));
    t->base = event_base_new();
    if (scenario)
        opts.scenario = simt_fixture(scenario, path, sizeof(path));
    ck_assert_int_eq(hv_open(uri, t->base, &opts, simt_on_event, t, &t->hv,
                             &msg), 0);
}

void simt_close(struct simt *t)
{
    hv_close(t->hv);
    event_base_free(t->base);
}

/* What the store holds at `path` (directly, as the driver sees it), or
 * "(absent)".  Static storage, overwritten by the next call. */
const char *simt_store_get(struct simt *t, const char *path)
{
    static char buf[256];
    char *v;

    if (xsd_read(simdrv_of(t->hv)->store, path, &v, NULL) < 0)
        return "(absent)";
    snprintf(buf, sizeof(buf), "%s", v);
    free(v);
    return buf;
}

bool simt_run_until_node(struct simt *t, const char *path, int ms)
{
    bool timed_out = false;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    struct event *to = evtimer_new(t->base, simt_timeout_cb, &timed_out);
    char *v = NULL;
    bool found;

    evtimer_add(to, &tv);
    while (!(found = xsd_read(simdrv_of(t->hv)->store, path, &v,
                              NULL) == 0) && !timed_out)
        event_base_loop(t->base, EVLOOP_ONCE);
    event_free(to);
    free(v);
    return found;
}

/* Children of a node of the host's store. */
unsigned simt_store_count(struct simt *t, const char *path)
{
    char **names;
    unsigned n;

    ck_assert_int_eq(xsd_directory(simdrv_of(t->hv)->store, path, &names,
                                   &n), 0);
    free(names);
    return n;
}

static void set_bits(libxl_bitmap *b, unsigned n)
{
    b->size = (n + 7) / 8;
    b->map = calloc(b->size, 1);
    for (unsigned i = 0; i < n; i++)
        b->map[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* A heap config as hv_create takes it. */
libxl_domain_config *simt_mkcfg(const char *name, uint64_t mem_mib,
                                int vcpus)
{
    libxl_domain_config *c = malloc(sizeof(*c));

    libxl_domain_config_init(c);
    c->c_info.type = LIBXL_DOMAIN_TYPE_PVH;
    c->c_info.name = strdup(name);
    libxl_domain_build_info_init_type(&c->b_info, LIBXL_DOMAIN_TYPE_PVH);
    c->b_info.max_vcpus = vcpus;
    set_bits(&c->b_info.avail_vcpus, (unsigned)vcpus);
    c->b_info.target_memkb = mem_mib * 1024;
    c->b_info.max_memkb = mem_mib * 1024;
    return c;
}

uint32_t simt_create(struct simt *t, libxl_domain_config *cfg, bool paused)
{
    struct xn_msg msg;
    int before = t->n_done;

    ck_assert_int_eq(hv_create(t->hv, cfg, paused, simt_on_done, t, &msg),
                     0);
    ck_assert_int_eq(t->n_done, before);        /* never from inside */
    ck_assert(simt_run_until(t, &t->n_done, before + 1, 2000));
    ck_assert_msg(t->rc == 0, "create: %s", t->msg.text);
    return t->domid;
}

uint64_t simt_host_free(struct simt *t)
{
    struct hv_hostinfo hi;
    ck_assert_int_eq(hv_host_info(t->hv, &hi, NULL), 0);
    return hi.free_kb;
}

void simt_destroy(struct simt *t, uint32_t domid)
{
    struct xn_msg msg;
    int before = t->n_done;

    ck_assert_int_eq(hv_destroy(t->hv, domid, simt_on_done, t, &msg), 0);
    ck_assert_int_eq(t->n_done, before);
    ck_assert(simt_run_until(t, &t->n_done, before + 1, 2000));
    ck_assert_int_eq(t->rc, 0);
}

uint64_t simt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int simt_tmpfile_fd(void)
{
    char path[] = "/tmp/test_sim.XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    return fd;
}

void simt_save(struct simt *t, uint32_t domid, int fd, unsigned flags)
{
    struct xn_msg msg;
    int before = t->n_done;

    ck_assert_int_eq(hv_save(t->hv, domid, fd, flags, simt_on_done, t,
                             &msg), 0);
    ck_assert_int_eq(t->n_done, before);
    ck_assert(simt_run_until(t, &t->n_done, before + 1, 60000));
    ck_assert_msg(t->rc == 0, "save: %s", t->msg.text);
}

int simt_restore(struct simt *t, int fd, const char *name, bool paused)
{
    struct hv_image *img;
    struct xn_msg msg;
    int before = t->n_done, rc;

    rc = hv_image_open(t->hv, fd, &img, &msg);
    if (rc == 0)
        rc = hv_restore(t->hv, img, name, paused, simt_on_done, t, &msg);
    if (rc < 0) {
        t->msg = msg;
        return rc;
    }
    ck_assert_int_eq(t->n_done, before);
    ck_assert(simt_run_until(t, &t->n_done, before + 1, 60000));
    return t->rc;
}

bool simt_readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

/* --- running a suite --- */

int simt_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    signal(SIGPIPE, SIG_IGN);   /* the store's clients may hang up */

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
