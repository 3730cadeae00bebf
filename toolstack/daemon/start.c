/* start.c - the one path by which a domain starts (start.h). */
#include "daemon/start.h"
#include "daemon/bus.h"
#include "daemon/claims.h"
#include "daemon/daemon.h"
#include "domname.h"
#include "log.h"
#include "uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

struct gate_reg {
    const struct start_gate *g;
    void *self;
    TAILQ_ENTRY(gate_reg) link;
};

struct start;

struct starter {
    struct daemon *d;
    TAILQ_HEAD(, gate_reg) gates;
    LIST_HEAD(, start) starts;      /* in flight */
    unsigned busy;
    uint64_t started, failed;       /* starts that ended, either way */
};

/* A gate that said yes, to be told how the start ended. */
struct said_yes {
    const struct start_gate *g;
    void *self;
};

struct start {
    struct starter *st;
    struct start_info si;
    libxl_domain_config *cfg;       /* owned until the driver takes it */
    struct hv_image *img;           /* owned until the driver takes it */
    bool rename;                    /* restore under si.name, not the
                                     * image's name */
    bool paused;
    job_token token;                /* the domain's job, once held */
    struct gate_reg *next_gate;     /* the gate to ask next */
    bool gates_done;
    struct said_yes *yes;           /* owned array */
    size_t n_yes;
    start_done_fn *done;            /* NULL while holding, or dropped */
    void *arg;
    start_held_fn *held;            /* a hold, until it is told */
    bool holding;                   /* the gates said yes; waiting for the
                                     * image (start_hold_restore) */
    bool need_given;                /* si.need_kb came with the hold */
    bool tell_held;                 /* `later` tells the holder yes */
    bool dropped;                   /* a hold dropped while its job or a
                                     * gate was awaited (or the yes was on
                                     * its way): ends when that comes */
    struct xn_msg drop_msg;
    struct event *later;            /* owned: finishes a failure */
    int rc;
    struct xn_msg msg;
    LIST_ENTRY(start) link;
};

static const char *const kind_words[] = {
    [START_CREATE] = "create",
    [START_RESTORE] = "restore",
    [START_RESTART] = "restart",
    [START_MIGRATE_IN] = "incoming migration",
};

static const enum bus_type kind_events[] = {
    [START_CREATE] = BUS_DOM_CREATED,
    [START_RESTORE] = BUS_DOM_RESTORED,
    [START_RESTART] = BUS_DOM_RESTARTED,
    [START_MIGRATE_IN] = BUS_DOM_MIGRATED_IN,
};

/* --- gates --- */

int start_gate_add(struct daemon *d, const struct start_gate *g, void *self)
{
    struct gate_reg *r = calloc(1, sizeof(*r));

    if (!r)
        return XN_ENOMEM;
    r->g = g;
    r->self = self;
    TAILQ_INSERT_TAIL(&d->starter->gates, r, link);
    return 0;
}

void start_gate_remove(struct daemon *d, const struct start_gate *g,
                       void *self)
{
    struct gate_reg *r;

    TAILQ_FOREACH(r, &d->starter->gates, link) {
        if (r->g == g && r->self == self) {
            TAILQ_REMOVE(&d->starter->gates, r, link);
            free(r);
            return;
        }
    }
}

/* --- one start --- */

static void start_free(struct start *s)
{
    if (s->cfg) {
        libxl_domain_config_dispose(s->cfg);
        free(s->cfg);
    }
    hv_image_free(s->img);
    if (s->later)
        event_free(s->later);
    free(s->yes);
    free(s);
}

/* The end: undo or confirm what the start held, tell the caller. */
static void finish(struct start *s, int rc, const struct xn_msg *msg,
                   uint32_t domid)
{
    struct starter *st = s->st;
    struct daemon *d = st->d;
    struct xn_msg m;

    if (msg)
        m = *msg;
    else
        xn_msg_clear(&m);
    if (rc == 0) {
        struct bus_event ev;

        for (size_t i = 0; i < s->n_yes; i++)
            if (s->yes[i].g->started)
                s->yes[i].g->started(s->yes[i].self, &s->si, domid);
        bus_event_init_dom(&ev, kind_events[s->si.kind], domid, s->si.uuid,
                           s->si.name);
        ev.old_domid = s->si.old_domid;
        bus_publish(d->bus, &ev);
        xn_log(XN_LOG_NOTICE, "%s of %s: domain %u", kind_words[s->si.kind],
               s->si.name, domid);
        st->started++;
    } else {
        for (size_t i = s->n_yes; i-- > 0;)
            if (s->yes[i].g->release)
                s->yes[i].g->release(s->yes[i].self, &s->si);
        if (!m.text[0])
            xn_msg_set(&m, rc, "%s", xn_strerror(rc));
        xn_log(XN_LOG_ERR, "%s of %s failed: %s", kind_words[s->si.kind],
               s->si.name, m.text);
        st->failed++;
    }
    claims_drop(d->claims, s->si.name);
    LIST_REMOVE(s, link);
    st->busy--;
    if (s->token != JOB_NONE && d->jobs)   /* no jobs: the daemon stops */
        jobs_end(d->jobs, s->token);
    if (s->held)
        s->held(s->arg, rc, &m);
    else if (s->done)
        s->done(s->arg, rc, rc < 0 ? &m : NULL, domid, s->si.name);
    start_free(s);
}

static void later_cb(evutil_socket_t fd, short what, void *arg)
{
    struct start *s = arg;

    (void)fd;
    (void)what;
    if (s->dropped) {
        finish(s, XN_ECANCELED, &s->drop_msg, 0);
    } else if (s->tell_held) {
        start_held_fn *held = s->held;

        s->tell_held = false;
        s->held = NULL;
        s->holding = true;
        held(s->arg, 0, NULL);
    } else {
        finish(s, s->rc, &s->msg, 0);
    }
}

/* A failure found while the start may still be inside start_domain: the
 * caller hears of it from the loop. */
static void fail_later(struct start *s, int rc, const struct xn_msg *msg)
{
    static const struct timeval now = {0, 0};

    s->rc = rc;
    if (msg)
        s->msg = *msg;
    evtimer_add(s->later, &now);
}

static void driver_done(void *arg, int rc, const struct xn_msg *msg,
                        uint32_t domid)
{
    finish(arg, rc, msg, domid);
}

static void call_driver(struct start *s)
{
    struct hv *hv = s->st->d->hv;
    struct xn_msg m;
    int rc;

    if (s->img) {
        struct hv_image *img = s->img;
        s->img = NULL;
        rc = hv_restore(hv, img, s->rename ? s->si.name : NULL, s->paused,
                        driver_done, s, &m);
    } else {
        libxl_domain_config *cfg = s->cfg;
        s->cfg = NULL;
        s->si.cfg = NULL;           /* the driver owns it now */
        rc = hv_create(hv, cfg, s->paused, driver_done, s, &m);
    }
    if (rc < 0)
        fail_later(s, rc, &m);
}

static void ask_next(struct start *s);

static void gate_replied(void *arg, int rc, const struct xn_msg *msg)
{
    struct start *s = arg;
    struct gate_reg *r = s->next_gate;
    struct xn_msg m;

    s->next_gate = TAILQ_NEXT(r, link);
    if (s->dropped) {
        if (rc == 0)
            s->yes[s->n_yes++] = (struct said_yes){r->g, r->self};
        finish(s, XN_ECANCELED, &s->drop_msg, 0);
        return;
    }
    if (rc < 0) {
        xn_msg_set(&m, rc, "%s refused to start %s: %s", r->g->name,
                   s->si.name, msg && msg->text[0] ? msg->text
                                                   : xn_strerror(rc));
        fail_later(s, rc, &m);
        return;
    }
    s->yes[s->n_yes++] = (struct said_yes){r->g, r->self};
    ask_next(s);
}

static void ask_next(struct start *s)
{
    struct gate_reg *r = s->next_gate;

    if (!r && s->held) {
        /* The holder hears it from the loop: the last gate's reply is
         * still on the stack, and the holder may drop the hold. */
        static const struct timeval now = {0, 0};

        s->tell_held = true;
        evtimer_add(s->later, &now);
        return;
    }
    if (!r) {
        call_driver(s);
        return;
    }
    r->g->ask(r->self, &s->si, gate_replied, s);
}

/* The domain's job is ours: size the domain, then the gates. */
static void job_started(void *arg, job_token token)
{
    struct start *s = arg;
    struct starter *st = s->st;
    const libxl_domain_config *cfg = s->cfg ? s->cfg
                                   : s->img ? hv_image_config(s->img) : NULL;
    struct gate_reg *r;
    size_t n = 0;
    struct xn_msg m;
    int rc;

    s->token = token;
    if (s->dropped) {
        finish(s, XN_ECANCELED, &s->drop_msg, 0);
        return;
    }
    rc = s->need_given ? 0 : hv_need_memory(st->d->hv, cfg, &s->si.need_kb,
                                            &m);
    if (rc < 0) {
        fail_later(s, rc, &m);
        return;
    }
    TAILQ_FOREACH(r, &st->gates, link)
        n++;
    if (n && !(s->yes = calloc(n, sizeof(*s->yes)))) {
        xn_msg_set(&m, XN_ENOMEM, "out of memory");
        fail_later(s, XN_ENOMEM, &m);
        return;
    }
    xn_log(XN_LOG_DEBUG, "%s of %s: needs %llu KiB", kind_words[s->si.kind],
           s->si.name, (unsigned long long)s->si.need_kb);
    s->next_gate = TAILQ_FIRST(&st->gates);
    ask_next(s);
}

static void job_cancelled(void *arg)
{
    struct start *s = arg;
    struct xn_msg m;

    xn_msg_set(&m, XN_ECANCELED, "the daemon is stopping");
    finish(s, XN_ECANCELED, &m, 0);
}

/* Checks before anything is held. */
static int check_request(const struct start_req *req,
                         const libxl_domain_config *cfg, const char *name,
                         struct xn_msg *msg)
{
    char u[XN_UUID_TEXT], v[XN_UUID_TEXT];
    int rc = dom_name_check_str(name, msg);

    if (rc < 0)
        return rc;
    if (req->expect_name && strcmp(req->expect_name, cfg->c_info.name) != 0)
        return xn_msg_set(msg, XN_ECORRUPT, "the save file's header names "
                          "domain \"%s\" but its image is of domain \"%s\"",
                          req->expect_name, cfg->c_info.name);
    if (req->expect_uuid &&
        memcmp(req->expect_uuid, libxl_uuid_bytearray_const(
                                     &cfg->c_info.uuid), 16) != 0)
        return xn_msg_set(msg, XN_ECORRUPT, "the save file's header gives "
                          "UUID %s but its image has UUID %s",
                          xn_uuid_format(req->expect_uuid, u),
                          xn_uuid_format(libxl_uuid_bytearray_const(
                                             &cfg->c_info.uuid), v));
    if (libxl_uuid_is_nil(&cfg->c_info.uuid) && req->img)
        return xn_msg_set(msg, XN_ECORRUPT, "the image of domain \"%s\" has "
                          "no UUID", name);
    return 0;
}

int start_domain(struct daemon *d, struct start_req *req, start_done_fn *done,
                 void *arg, struct xn_msg *msg)
{
    struct starter *st = d->starter;
    libxl_domain_config *cfg = req->cfg ? req->cfg
                                        : (libxl_domain_config *)
                                              hv_image_config(req->img);
    const char *name = req->rename ? req->rename : cfg->c_info.name;
    struct start *s = NULL;
    int rc;

    if ((rc = check_request(req, cfg, name, msg)) < 0)
        goto refuse;
    if (libxl_uuid_is_nil(&cfg->c_info.uuid))
        libxl_uuid_generate(&cfg->c_info.uuid);
    s = calloc(1, sizeof(*s));
    if (!s || !(s->later = evtimer_new(d->base, later_cb, s))) {
        rc = xn_msg_set(msg, XN_ENOMEM, "out of memory");
        goto refuse;
    }
    rc = claims_take(d->claims, d->hv, name,
                     libxl_uuid_bytearray(&cfg->c_info.uuid), -1, msg);
    if (rc < 0)
        goto refuse;
    s->st = st;
    s->si.kind = req->kind;
    snprintf(s->si.name, sizeof(s->si.name), "%s", name);
    memcpy(s->si.uuid, libxl_uuid_bytearray(&cfg->c_info.uuid), 16);
    s->si.cfg = cfg;
    s->si.old_domid = req->old_domid;
    s->cfg = req->cfg;
    s->img = req->img;
    s->rename = req->rename != NULL;
    s->paused = req->paused;
    s->done = done;
    s->arg = arg;
    req->cfg = NULL;
    req->img = NULL;
    LIST_INSERT_HEAD(&st->starts, s, link);
    st->busy++;
    if (req->held != JOB_NONE) {
        job_started(s, req->held);
        return 0;
    }
    if (jobs_begin(d->jobs, s->si.uuid, kind_words[s->si.kind], job_started,
                   job_cancelled, s) < 0) {
        struct xn_msg m;
        xn_msg_set(&m, XN_ENOMEM, "out of memory");
        fail_later(s, XN_ENOMEM, &m);
    }
    return 0;

refuse:
    if (s)
        start_free(s);
    if (req->cfg) {
        libxl_domain_config_dispose(req->cfg);
        free(req->cfg);
        req->cfg = NULL;
    }
    hv_image_free(req->img);
    req->img = NULL;
    if (req->held != JOB_NONE && d->jobs)
        jobs_end(d->jobs, req->held);
    return rc;
}

/* --- holds: an incoming migration reserves before its image comes --- */

int start_hold(struct daemon *d, const char *name, const uint8_t *uuid,
               uint64_t need_kb, start_held_fn *held, void *arg,
               struct start **h_r, struct xn_msg *msg)
{
    struct starter *st = d->starter;
    struct start *s;
    int rc;

    *h_r = NULL;
    if ((rc = dom_name_check_str(name, msg)) < 0)
        return rc;
    s = calloc(1, sizeof(*s));
    if (!s || !(s->later = evtimer_new(d->base, later_cb, s))) {
        if (s)
            start_free(s);
        return xn_msg_set(msg, XN_ENOMEM, "out of memory");
    }
    if ((rc = claims_take(d->claims, d->hv, name, uuid, -1, msg)) < 0) {
        start_free(s);
        return rc;
    }
    s->st = st;
    s->si.kind = START_MIGRATE_IN;
    snprintf(s->si.name, sizeof(s->si.name), "%s", name);
    memcpy(s->si.uuid, uuid, 16);
    s->si.need_kb = need_kb;
    s->need_given = true;
    s->rename = true;
    s->held = held;
    s->arg = arg;
    LIST_INSERT_HEAD(&st->starts, s, link);
    st->busy++;
    *h_r = s;
    if (jobs_begin(d->jobs, s->si.uuid, kind_words[s->si.kind], job_started,
                   job_cancelled, s) < 0) {
        struct xn_msg m;
        xn_msg_set(&m, XN_ENOMEM, "out of memory");
        fail_later(s, XN_ENOMEM, &m);
    }
    return 0;
}

int start_hold_restore(struct start *s, struct hv_image *img, bool paused,
                       start_done_fn *done, void *arg, struct xn_msg *msg)
{
    const libxl_domain_config *cfg = hv_image_config(img);
    char u[XN_UUID_TEXT], v[XN_UUID_TEXT];

    if (!s->holding) {
        hv_image_free(img);
        return xn_msg_set(msg, XN_ESTATE, "the start of %s is not waiting "
                          "for its image", s->si.name);
    }
    if (memcmp(libxl_uuid_bytearray_const(&cfg->c_info.uuid), s->si.uuid,
               16) != 0) {
        hv_image_free(img);
        return xn_msg_set(msg, XN_ECORRUPT, "the image has UUID %s, not the "
                          "announced %s",
                          xn_uuid_format(libxl_uuid_bytearray_const(
                                             &cfg->c_info.uuid), u),
                          xn_uuid_format(s->si.uuid, v));
    }
    s->holding = false;
    s->img = img;
    s->si.cfg = cfg;
    s->paused = paused;
    s->done = done;
    s->arg = arg;
    call_driver(s);
    return 0;
}

void start_hold_drop(struct start *s, const struct xn_msg *msg)
{
    struct xn_msg m;

    if (!s)
        return;
    if (msg)
        m = *msg;
    else
        xn_msg_set(&m, XN_ECANCELED, "the incoming migration was dropped");
    s->held = NULL;
    s->done = NULL;
    if (evtimer_pending(s->later, NULL) && !s->tell_held)
        return;                 /* a failure ends it from the loop */
    if (!s->holding) {
        /* Its job or a gate is awaited: it ends when that comes. */
        s->dropped = true;
        s->drop_msg = m;
        return;
    }
    finish(s, XN_ECANCELED, &m, 0);
}

void start_forget(struct start *s)
{
    s->held = NULL;
    s->done = NULL;
}

/* --- the starter --- */

struct starter *starter_new(struct daemon *d)
{
    struct starter *st = calloc(1, sizeof(*st));

    if (!st)
        return NULL;
    st->d = d;
    TAILQ_INIT(&st->gates);
    LIST_INIT(&st->starts);
    return st;
}

void starter_free(struct starter *st)
{
    struct gate_reg *r;
    struct start *s;

    if (!st)
        return;
    /* The daemon is going: starts in flight are told so, and end. */
    while ((s = LIST_FIRST(&st->starts))) {
        struct xn_msg m;
        xn_msg_set(&m, XN_ECANCELED, "the daemon is stopping");
        s->n_yes = 0;               /* the services are gone already */
        finish(s, XN_ECANCELED, &m, 0);
    }
    while ((r = TAILQ_FIRST(&st->gates))) {
        TAILQ_REMOVE(&st->gates, r, link);
        free(r);
    }
    free(st);
}

unsigned starter_busy(const struct starter *st)
{
    return st->busy;
}

void starter_counts(const struct starter *st, uint64_t *started_r,
                    uint64_t *failed_r)
{
    *started_r = st->started;
    *failed_r = st->failed;
}
