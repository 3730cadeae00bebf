/*
 * mig_record.c - migrations as records: their phases and outcomes, the
 * events that follow them (service "migration", what "phase", "progress",
 * "done", "failed", "unconfirmed"), and what `xenith migrations` lists.
 */
#include "migration/migration.h"
#include "log.h"
#include "uuid.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

static const char *const phase_names[] = {
    [MIG_CONNECTING] = "connecting",
    [MIG_PREPARING] = "preparing",
    [MIG_STREAMING] = "streaming",
    [MIG_RESTORING] = "restoring",
    [MIG_SWITCHING] = "switching",
    [MIG_DONE] = "done",
    [MIG_FAILED] = "failed",
    [MIG_UNCONFIRMED] = "unconfirmed",
    [MIG_RECOVERED] = "recovered",
};

const char *mig_phase_name(enum mig_phase p)
{
    return phase_names[p];
}

double mig_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The other host, for sentences: a record made at open does not know it. */
static const char *peer_of(const struct mig *g)
{
    return g->peer[0] ? g->peer : "an unknown host";
}

/* What the admin does about an unconfirmed migration, into hint. */
static const char *recovery_hint(const struct mig *g, char *hint, size_t len)
{
    unsigned long long id = (unsigned long long)g->id;

    if (!g->adopted)
        snprintf(hint, len, "the source copy %.128s%s is paused "
                 "here; if %.128s runs on %.256s, run `xenith migrations "
                 "--recover %llu --destroy`; if it does not, `xenith "
                 "migrations --recover %llu --resume` runs it here again",
                 g->name, MIG_SUFFIX_AWAY, g->name, g->peer, id, id);
    else
        snprintf(hint, len, "xenithd was restarted during this "
                 "migration; the source copy %.128s%s %s here. Check "
                 "whether %.128s runs on the host it was migrating to: if "
                 "it does, run `xenith migrations --recover %llu --destroy`; "
                 "if it does not, `xenith migrations --recover %llu "
                 "--resume` runs it here again", g->name, MIG_SUFFIX_AWAY,
                 g->copy_runs ? "is running (it is not paused)"
                              : "does not run", g->name, id, id);
    return hint;
}

struct json_object *mig_json(const struct mig *g)
{
    struct json_object *o = json_object_new_object();
    double end = g->ended ? g->ended_at : mig_now();
    char u[XN_UUID_TEXT], hint[1024];

    json_object_object_add(o, "id", json_object_new_int64((int64_t)g->id));
    json_object_object_add(o, "direction", json_object_new_string(
                               g->dir == MIG_OUT ? "out" : "in"));
    json_object_object_add(o, "domain", json_object_new_string(g->name));
    json_object_object_add(o, "uuid", json_object_new_string(
                               xn_uuid_format(g->uuid, u)));
    json_object_object_add(o, "peer", json_object_new_string(g->peer));
    json_object_object_add(o, "address", json_object_new_string(g->addr));
    json_object_object_add(o, "phase", json_object_new_string(
                               mig_phase_name(g->phase)));
    json_object_object_add(o, "running", json_object_new_boolean(!g->ended));
    json_object_object_add(o, "started", json_object_new_double(g->started));
    json_object_object_add(o, "seconds",
                           json_object_new_double(end - g->started));
    json_object_object_add(o, "bytes", json_object_new_int64(
                               (int64_t)g->bytes));
    json_object_object_add(o, "wire_bytes", json_object_new_int64(
                               (int64_t)g->wire_bytes));
    json_object_object_add(o, "rate", json_object_new_int64(
                               (int64_t)g->rate));
    json_object_object_add(o, "remaining", json_object_new_int64(
                               (int64_t)g->remaining));
    json_object_object_add(o, "round", json_object_new_int(
                               (int32_t)g->round));
    json_object_object_add(o, "compress", json_object_new_int(g->compress));
    json_object_object_add(o, "downtime_ms", g->downtime_ms >= 0
                           ? json_object_new_int64(g->downtime_ms) : NULL);
    if (g->domid)
        json_object_object_add(o, "domid", json_object_new_int64(g->domid));
    if (g->ended && g->rc < 0) {
        json_object_object_add(o, "code", json_object_new_string(
                                   xn_errname(g->rc)));
        json_object_object_add(o, "error", json_object_new_string(g->error));
    }
    if (g->ended && g->rc == 0 && g->error[0])
        json_object_object_add(o, "note", json_object_new_string(g->error));
    if (g->phase == MIG_UNCONFIRMED)
        json_object_object_add(o, "recovery", json_object_new_string(
                                   recovery_hint(g, hint, sizeof(hint))));
    return o;
}

/* A "migration" service event about g. */
static void publish(struct mig *g, const char *what)
{
    struct daemon *d = g->svc->d;
    struct bus_event ev;

    bus_event_init_dom(&ev, BUS_SERVICE, g->domid, g->uuid, g->name);
    snprintf(ev.service, sizeof(ev.service), "migration");
    snprintf(ev.what, sizeof(ev.what), "%s", what);
    ev.detail = mig_json(g);        /* the bus takes it */
    bus_publish(d->bus, &ev);
}

struct mig *mig_new(struct migration *m, enum mig_dir dir)
{
    struct mig *g = calloc(1, sizeof(*g));

    if (!g)
        return NULL;
    g->svc = m;
    g->id = m->next_id++;
    g->dir = dir;
    g->started = mig_now();
    g->downtime_ms = -1;
    g->job = JOB_NONE;
    g->sink_fd = g->feed_fd = g->restore_fd = g->conn_fd = -1;
    TAILQ_INSERT_TAIL(&m->migs, g, entry);
    return g;
}

struct mig *mig_find(struct migration *m, uint64_t id)
{
    struct mig *g;

    TAILQ_FOREACH(g, &m->migs, entry)
        if (g->id == id)
            return g;
    return NULL;
}

void mig_phase(struct mig *g, enum mig_phase phase)
{
    g->phase = phase;
    xn_log(XN_LOG_INFO, "migration %llu (%s %s %s): %s",
           (unsigned long long)g->id, g->name, g->dir == MIG_OUT ? "to"
                                                                : "from",
           peer_of(g), mig_phase_name(phase));
    publish(g, "phase");
    mig_wait_peer(g);
    mig_fault_inject(g);
}

static void on_silence(evutil_socket_t fd, short what, void *arg)
{
    struct mig *g = arg;
    char why[200];

    snprintf(why, sizeof(why), "%.120s sent nothing for %u s while %s", g->peer,
             g->svc->timeout_s, mig_phase_name(g->phase));
    if (g->dir == MIG_OUT)
        mig_send_on_error(g, XN_ETIMEDOUT, why);
    else
        mig_recv_fail(g, XN_ETIMEDOUT, why);
}

void mig_wait_peer(struct mig *g)
{
    struct timeval tv = {g->svc->timeout_s, 0};

    if (g->ended)
        return;
    /* A sender streaming waits on the stream, not on messages (on_tick
     * watches that it moves). */
    if (g->dir == MIG_OUT && g->phase == MIG_STREAMING) {
        if (g->timer)
            evtimer_del(g->timer);
        return;
    }
    if (!g->timer)
        g->timer = evtimer_new(g->svc->d->base, on_silence, g);
    if (g->timer)
        evtimer_add(g->timer, &tv);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct mig *g = arg;
    struct timeval tv = {1, 0};

    g->rate = g->bytes - g->tick_bytes;
    g->tick_bytes = g->bytes;
    if (g->dir == MIG_OUT && g->phase == MIG_STREAMING) {
        g->stalled_s = g->rate ? 0 : g->stalled_s + 1;
        if (g->stalled_s >= g->svc->timeout_s) {
            char why[300];
            snprintf(why, sizeof(why), "the stream to %.200s moved nothing "
                     "for %u s", g->peer, g->stalled_s);
            mig_send_on_error(g, XN_ETIMEDOUT, why);
            return;
        }
    }
    publish(g, "progress");
    evtimer_add(g->tick, &tv);
}

void mig_progress_start(struct mig *g)
{
    struct timeval tv = {1, 0};

    if (!g->tick)
        g->tick = evtimer_new(g->svc->d->base, on_tick, g);
    if (g->tick)
        evtimer_add(g->tick, &tv);
}

/* Only the last MIG_KEEP_DONE ended records stay. */
static void trim(struct migration *m)
{
    struct mig *g, *next;
    unsigned ended = 0;

    TAILQ_FOREACH(g, &m->migs, entry)
        ended += g->ended;
    for (g = TAILQ_FIRST(&m->migs); g && ended > MIG_KEEP_DONE; g = next) {
        next = TAILQ_NEXT(g, entry);
        /* an unconfirmed one waits for the admin; one whose driver
         * call is still out waits for it */
        if (g->ended && g->phase != MIG_UNCONFIRMED && !g->streaming &&
            !g->restoring && !g->hv_busy && !g->resolving) {
            TAILQ_REMOVE(&m->migs, g, entry);
            free(g);
            ended--;
        }
    }
}

static void release(struct mig *g)
{
    if (g->timer) {
        event_free(g->timer);
        g->timer = NULL;
    }
    if (g->tick) {
        event_free(g->tick);
        g->tick = NULL;
    }
    if (g->dir == MIG_OUT)
        mig_send_teardown(g);
    else
        mig_recv_teardown(g);
}

void mig_end(struct mig *g, enum mig_phase outcome, int rc,
             const char *fmt, ...)
{
    char why[sizeof(g->error)];
    va_list ap;

    if (g->ended)
        return;
    g->ended = true;
    g->ended_at = mig_now();
    g->phase = outcome;
    g->rc = rc;
    if (fmt) {                  /* (the arguments may be g->error) */
        va_start(ap, fmt);
        vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        memcpy(g->error, why, sizeof(why));
    }
    release(g);
    if (rc < 0)
        xn_log(outcome == MIG_UNCONFIRMED ? XN_LOG_ERR : XN_LOG_WARNING,
               "migration %llu of %s %s %s: %s: %s",
               (unsigned long long)g->id, g->name,
               g->dir == MIG_OUT ? "to" : "from", peer_of(g),
               mig_phase_name(outcome), g->error);
    else
        xn_log(XN_LOG_NOTICE, "migration %llu of %s %s %s: done, %llu "
               "bytes in %.1f s, downtime %lld ms", (unsigned long long)g->id,
               g->name, g->dir == MIG_OUT ? "to" : "from", g->peer,
               (unsigned long long)g->bytes, g->ended_at - g->started,
               (long long)g->downtime_ms);
    publish(g, mig_phase_name(outcome));
    trim(g->svc);
}

void mig_free_all(struct migration *m)
{
    struct mig *g;

    while ((g = TAILQ_FIRST(&m->migs))) {
        if (!g->ended)
            mig_end(g, g->go_sent ? MIG_UNCONFIRMED : MIG_FAILED,
                    XN_ECANCELED, "the daemon is stopping");
        /* A restore still running ends without us. */
        if (g->restoring && g->restore_start)
            start_forget(g->restore_start);
        TAILQ_REMOVE(&m->migs, g, entry);
        free(g);
    }
}

/* --- saying no --- */

void mig_say_no(struct mig *g, unsigned type, int rc, const char *why)
{
    struct mig_msg no;

    if (!g->link)
        return;
    mig_msg_init(&no, type);
    no.u.refuse.code = rc;
    snprintf(no.u.refuse.reason, sizeof(no.u.refuse.reason), "%s", why);
    mig_link_send(g->link, &no, NULL);
    mig_link_close_after(g->link, 5);
    g->link = NULL;
}

/* --- what the relay says about a connection --- */

static struct mig *by_relay_id(struct migration *m, uint64_t id)
{
    struct mig *g;

    TAILQ_FOREACH(g, &m->migs, entry)
        if (g->relay_id == id && !g->ended)
            return g;
    return NULL;
}

void mig_relay_stats(void *arg, uint64_t id, uint64_t wire, uint64_t raw)
{
    struct mig *g = by_relay_id(arg, id);

    (void)raw;
    if (g)
        g->wire_bytes = wire;
}

void mig_relay_closed(void *arg, uint64_t id, const char *error,
                      uint64_t wire, uint64_t raw)
{
    struct mig *g = by_relay_id(arg, id);

    (void)raw;
    if (!g)
        return;
    g->wire_bytes = wire;
    /* The relay's reason is the better one: the local socket closes
     * next, and its error says only that. */
    if (error && *error && !g->error[0])
        snprintf(g->error, sizeof(g->error), "%s", error);
}
