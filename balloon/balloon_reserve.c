/*
 * balloon_reserve.c - reservations of host memory: the start gate (a
 * domain about to be created, restored or received asks for the memory it
 * needs) and `xenith mem-reserve` (automation holding memory for a while).
 *
 * A reservation that can never be met (free memory plus what ballooning
 * could free is less) is refused at once with the shortfall.  Otherwise it
 * waits, counted by the planner as memory in use, so that others are
 * lowered for it; it is granted, in the order asked, once the host's free
 * memory covers it, the reserve and the reservations granted before it.
 * A start that waited balloon.start-timeout seconds is refused.  Held
 * reservations end when the domain started (used), when the start failed
 * (released), or, for mem-reserve, when their time is up (expired).
 */
#include "balloon/balloon.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "proto.h"

#define SEC 1000000000ull
#define HOLD_DEFAULT_S 60
#define HOLD_MAX_S 86400
#define KB_MAX (INT64_C(1) << 40)

const char *balloon_fmt_kb(uint64_t kb, char *buf, size_t len)
{
    if (kb % 1024)
        snprintf(buf, len, "%.1f MiB", (double)kb / 1024);
    else
        snprintf(buf, len, "%" PRIu64 " MiB", kb / 1024);
    return buf;
}

uint64_t balloon_reserved_kb(const struct balloon *b)
{
    uint64_t kb = 0;

    for (const struct resv *r = b->resv; r; r = r->next)
        kb += r->kb;
    return kb;
}

/* The reservation of a start whose domain exists already (the driver is
 * building it): the domain now holds part of it. */
static const struct resv *starting(const struct balloon *b,
                                   const struct hv_dominfo *dom)
{
    if (dom->state == HV_STATE_DYING)
        return NULL;
    for (const struct resv *r = b->resv; r; r = r->next)
        if (r->si && r->state == RESV_HELD &&
            memcmp(r->si->uuid, dom->uuid, 16) == 0)
            return r;
    return NULL;
}

bool balloon_starting(const struct balloon *b, const struct hv_dominfo *dom)
{
    return starting(b, dom) != NULL;
}

uint64_t balloon_reserved_now(const struct balloon *b,
                              const struct hv_dominfo *list, size_t n)
{
    uint64_t kb = balloon_reserved_kb(b);

    for (size_t i = 0; i < n; i++) {
        const struct resv *r = starting(b, &list[i]);

        if (r)
            kb -= list[i].mem_kb < r->kb ? list[i].mem_kb : r->kb;
    }
    return kb;
}

bool balloon_reservations_waiting(const struct balloon *b)
{
    for (const struct resv *r = b->resv; r; r = r->next)
        if (r->state == RESV_WAITING || r->expires_ns)
            return true;            /* waiting, or held and expiring */
    return false;
}

static struct json_object *resv_detail(const struct resv *r)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "id", json_object_new_int64((int64_t)r->id));
    json_object_object_add(o, "kb", json_object_new_int64((int64_t)r->kb));
    json_object_object_add(o, "for", json_object_new_string(r->what));
    return o;
}

static void event(struct balloon *b, const struct resv *r, const char *what,
                  const char *why)
{
    struct json_object *det = resv_detail(r);

    if (why)
        json_object_object_add(det, "reason", json_object_new_string(why));
    balloon_publish(b, NULL, what, det);
}

static void unlink_resv(struct balloon *b, struct resv *gone)
{
    for (struct resv **p = &b->resv; *p; p = &(*p)->next)
        if (*p == gone) {
            *p = gone->next;
            break;
        }
    free(gone);
    balloon_pass_soon(b);
}

/* Tell whoever asked that it will not be: the start fails, or the client
 * gets the sentence. */
static void refuse(struct balloon *b, struct resv *r, int code,
                   const struct xn_msg *msg)
{
    event(b, r, "reservation-refused", msg->text);
    metric_add(b->m.resv_refused, 1);
    xn_log(XN_LOG_NOTICE, "balloon: %s", msg->text);
    if (r->reply)
        r->reply(r->reply_arg, code, msg);
    else if (r->req)
        request_fail_msg(r->req, code, msg);
    unlink_resv(b, r);
}

static void grant(struct balloon *b, struct resv *r, uint64_t now)
{
    r->state = RESV_HELD;
    metric_add(b->m.resv_made, 1);
    event(b, r, "reservation-made", NULL);
    if (r->reply) {
        r->expires_ns = 0;          /* ends with the start */
        r->reply(r->reply_arg, 0, NULL);
    } else if (r->req) {
        struct json_object *o = json_object_new_object();

        r->expires_ns = now + r->hold_ns;
        json_object_object_add(o, "id", json_object_new_int64((int64_t)r->id));
        json_object_object_add(o, "kb", json_object_new_int64((int64_t)r->kb));
        json_object_object_add(o, "expires_s", json_object_new_int64(
                                   (int64_t)(r->hold_ns / SEC)));
        request_ok(r->req, o);
        r->req = NULL;              /* answered; held until it expires */
    }
}

/* Memory a new reservation of kb could ever get: what is free and what
 * ballooning could free, less the reserve and the reservations before it.
 * 0, or XN_ENOMEM with the sentence. */
static int feasible(struct balloon *b, const char *what, uint64_t kb,
                    uint64_t *free_r, struct xn_msg *msg)
{
    struct bplan_summary sum;
    uint64_t free_kb, others = balloon_reserved_kb(b), could;
    char a[32], c[32], s[32], f[32], r[32];

    if (!balloon_dry_run(b, kb, &sum, &free_kb))
        return xn_msg_set(msg, XN_EFAIL, "cannot read the host's memory");
    *free_r = free_kb;
    could = free_kb + sum.reclaimable_kb;
    could = could > b->params.reserve_kb + others
            ? could - b->params.reserve_kb - others : 0;
    if (could >= kb)
        return 0;
    return xn_msg_set(msg, XN_ENOMEM, "%s needs %s but only %s can be made "
                      "free (%s short; the host has %s free and keeps %s "
                      "in reserve)", what, balloon_fmt_kb(kb, a, sizeof(a)),
                      balloon_fmt_kb(could, c, sizeof(c)),
                      balloon_fmt_kb(kb - could, s, sizeof(s)),
                      balloon_fmt_kb(free_kb, f, sizeof(f)),
                      balloon_fmt_kb(b->params.reserve_kb, r, sizeof(r)));
}

static struct resv *new_resv(struct balloon *b, uint64_t kb, const char *what)
{
    struct resv *r = calloc(1, sizeof(*r)), **end = &b->resv;

    if (!r)
        return NULL;
    r->id = b->next_resv_id++;
    r->kb = kb;
    snprintf(r->what, sizeof(r->what), "%s", what);
    r->state = RESV_WAITING;
    r->asked_ns = balloon_now();
    r->expires_ns = r->asked_ns + b->resv_timeout_ns;
    while (*end)
        end = &(*end)->next;
    *end = r;
    return r;
}

void balloon_reservations_step(struct balloon *b, uint64_t free_kb)
{
    uint64_t now = balloon_now(), held = 0;
    struct resv *r = b->resv, *next;
    bool blocked = false;

    for (; r; r = next) {
        struct xn_msg msg;
        char a[32], f[32];

        next = r->next;
        if (r->state == RESV_HELD) {
            if (r->expires_ns && now >= r->expires_ns) {
                event(b, r, "reservation-expired", NULL);
                unlink_resv(b, r);
            } else {
                held += r->kb;
            }
            continue;
        }
        if (r->req && request_orphaned(r->req)) {
            request_fail(r->req, XN_ECANCELED, "the client went away");
            unlink_resv(b, r);
            continue;
        }
        if (!blocked && free_kb >= b->params.reserve_kb + held + r->kb) {
            grant(b, r, now);
            held += r->kb;
        } else if (now >= r->expires_ns) {
            xn_msg_set(&msg, XN_ENOMEM, "%s%s needs %s but after %llu s "
                       "only %s is free beyond the reserve (guests did not "
                       "give memory back in time)",
                       r->reply ? "" : "mem-reserve: ",
                       r->reply ? r->what : "the reservation",
                       balloon_fmt_kb(r->kb, a, sizeof(a)),
                       (unsigned long long)(b->resv_timeout_ns / SEC),
                       balloon_fmt_kb(free_kb > b->params.reserve_kb + held
                                      ? free_kb - b->params.reserve_kb - held
                                      : 0, f, sizeof(f)));
            refuse(b, r, XN_ENOMEM, &msg);
        } else {
            blocked = true;         /* in the order asked */
        }
    }
}

/* --- the start gate --- */

static void gate_ask(void *self, const struct start_info *si,
                     start_reply_fn *reply, void *reply_arg)
{
    struct balloon *b = self;
    struct xn_msg msg;
    uint64_t free_kb;
    struct resv *r;
    char what[HV_NAME_MAX + 8];

    snprintf(what, sizeof(what), "%s", si->name);
    if (feasible(b, what, si->need_kb, &free_kb, &msg) < 0) {
        struct resv tmp = {.kb = si->need_kb};

        snprintf(tmp.what, sizeof(tmp.what), "%s", si->name);
        event(b, &tmp, "reservation-refused", msg.text);
        metric_add(b->m.resv_refused, 1);
        reply(reply_arg, XN_ENOMEM, &msg);
        return;
    }
    if (!(r = new_resv(b, si->need_kb, si->name))) {
        xn_msg_set(&msg, XN_ENOMEM, "out of memory");
        reply(reply_arg, XN_ENOMEM, &msg);
        return;
    }
    r->reply = reply;
    r->reply_arg = reply_arg;
    r->si = si;
    balloon_reservations_step(b, free_kb);
    balloon_pass_soon(b);
}

static struct resv *by_start(struct balloon *b, const struct start_info *si)
{
    for (struct resv *r = b->resv; r; r = r->next)
        if (r->si == si)
            return r;
    return NULL;
}

static void gate_release(void *self, const struct start_info *si)
{
    struct balloon *b = self;
    struct resv *r = by_start(b, si);

    if (r) {
        event(b, r, "reservation-released", NULL);
        unlink_resv(b, r);
    }
}

static void gate_started(void *self, const struct start_info *si,
                         uint32_t domid)
{
    struct balloon *b = self;
    struct resv *r = by_start(b, si);

    (void)domid;
    if (r) {
        event(b, r, "reservation-used", NULL);
        unlink_resv(b, r);
    }
}

const struct start_gate balloon_gate = {
    .name = "balloon",
    .ask = gate_ask,
    .release = gate_release,
    .started = gate_started,
};

/* --- mem-reserve --- */

void balloon_op_reserve(void *self, struct request *r)
{
    struct balloon *b = self;
    int64_t kb = 0, hold = HOLD_DEFAULT_S;
    struct xn_msg msg;
    uint64_t free_kb;
    struct resv *v;
    int rc;

    if ((rc = proto_arg_int(r->args, "kb", true, 1, KB_MAX, &kb, &msg)) < 0 ||
        (rc = proto_arg_int(r->args, "for_s", false, 1, HOLD_MAX_S, &hold,
                            &msg)) < 0 ||
        (rc = feasible(b, "the reservation", (uint64_t)kb, &free_kb,
                       &msg)) < 0) {
        if (rc == XN_ENOMEM) {
            struct resv tmp = {.kb = (uint64_t)kb};

            event(b, &tmp, "reservation-refused", msg.text);
            metric_add(b->m.resv_refused, 1);
        }
        request_fail_msg(r, rc, &msg);
        return;
    }
    if (!(v = new_resv(b, (uint64_t)kb, ""))) {
        request_fail(r, XN_ENOMEM, "out of memory");
        return;
    }
    v->req = r;
    v->hold_ns = (uint64_t)hold * SEC;
    balloon_reservations_step(b, free_kb);
    balloon_pass_soon(b);
}

void balloon_op_release(void *self, struct request *r)
{
    struct balloon *b = self;
    struct xn_msg msg;
    int64_t id = 0;
    int rc = proto_arg_int(r->args, "id", true, 1, INT64_MAX, &id, &msg);

    if (rc < 0) {
        request_fail_msg(r, rc, &msg);
        return;
    }
    for (struct resv *v = b->resv; v; v = v->next) {
        if (v->id != (uint64_t)id || v->reply)
            continue;               /* a start's is not the client's */
        if (v->req)
            request_fail(v->req, XN_ECANCELED, "the reservation was "
                         "released");
        event(b, v, "reservation-released", NULL);
        unlink_resv(b, v);
        request_ok(r, json_object_new_object());
        return;
    }
    xn_msg_set(&msg, XN_ENOENT, "no reservation %lld", (long long)id);
    request_fail_msg(r, XN_ENOENT, &msg);
}

void balloon_reservations_close(struct balloon *b)
{
    struct xn_msg msg;

    xn_msg_set(&msg, XN_ECANCELED, "the daemon is stopping");
    while (b->resv) {
        struct resv *r = b->resv;

        b->resv = r->next;
        if (r->state == RESV_WAITING && r->reply)
            r->reply(r->reply_arg, XN_ECANCELED, &msg);
        else if (r->req)
            request_fail_msg(r->req, XN_ECANCELED, &msg);
        free(r);
    }
}
